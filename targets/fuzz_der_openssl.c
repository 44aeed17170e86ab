/*
 * fuzz_der_openssl: libsek's DER codec and verify (include/sek/der.h, include/sek/verify.h)
 * against OpenSSL 3.
 *
 * The whole input is a candidate signature, read as DER and, when it is 64 bytes, as raw r || s.
 * Invariants (ecdsa-der.md), abort() on any violation:
 *  P3  sek_der_sig_to_raw accepts x  <=>  OpenSSL's strict verdict accepts x: d2i_ECDSA_SIG
 *      succeeds, consumes all of x, i2d_ECDSA_SIG gives x back, and 1 <= r, s < n
 *      (sek_verify_ref_der_to_raw); when both accept, their r || s are equal.
 *  P3e the first 64 bytes read as raw r || s, r and s in [1, n-1]: sek_der_sig_from_raw writes the
 *      bytes OpenSSL writes (BN_bin2bn, ECDSA_SIG_set0, i2d_ECDSA_SIG).
 *  P4  for the fixed key and message below: sek_verify_msg(SHA-256, x as DER) == SEK_OK  <=>
 *      ECDSA_verify(x) == 1; for a 64-byte x, sek_verify_msg(x as raw) == SEK_OK  <=>
 *      ECDSA_do_verify(BN(r), BN(s)) == 1, and for any other length the raw path says
 *      SEK_VERIFY_ERR_RAW_LEN.  A malformed DER x keeps the status sek_der_sig_to_raw gives it;
 *      no rejection blames the key or OpenSSL.
 *
 * The key is RFC 6979 A.2.5's P-256 test key, built at init from its fixed private scalar (no
 * randomness anywhere), and the message is its "sample".  harness/gen_der_corpus.py uses the
 * same constants to put valid signatures in the corpus, and init aborts unless RFC 6979's own
 * signature verifies on both sides, so a wrong key cannot leave P4 checking only rejections.
 * OpenSSL's side of P4 is ECDSA_verify / ECDSA_do_verify on an EC_KEY, deprecated in 3.0 (hence
 * OPENSSL_SUPPRESS_DEPRECATED here, and only here): its verdict comes from OpenSSL's own DER
 * handling (d2i plus its re-encode check) and range checks on the input bytes, not from ours.
 * State: the key and digest made at init, read-only afterwards.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/sha.h>

#include <sek/der.h>
#include <sek/verify.h>

/* RFC 6979 A.2.5: the private key x, and the SHA-256 signature of "sample". */
static const uint8_t FIXED_D[32] = {
    0xc9, 0xaf, 0xa9, 0xd8, 0x45, 0xba, 0x75, 0x16, 0x6b, 0x5c, 0x21, 0x57, 0x67, 0xb1, 0xd6, 0x93,
    0x4e, 0x50, 0xc3, 0xdb, 0x36, 0xe8, 0x9b, 0x12, 0x7b, 0x8a, 0x62, 0x2b, 0x12, 0x0f, 0x67, 0x21,
};
static const uint8_t RFC6979_RS[64] = {
    0xef, 0xd4, 0x8b, 0x2a, 0xac, 0xb6, 0xa8, 0xfd, 0x11, 0x40, 0xdd, 0x9c, 0xd4, 0x5e, 0x81, 0xd6,
    0x9d, 0x2c, 0x87, 0x7b, 0x56, 0xaa, 0xf9, 0x91, 0xc3, 0x4d, 0x0e, 0xa8, 0x4e, 0xaf, 0x37, 0x16,
    0xf7, 0xcb, 0x1c, 0x94, 0x2d, 0x65, 0x7c, 0x41, 0xd4, 0x36, 0xc7, 0xa1, 0xb6, 0xe2, 0x9f, 0x65,
    0xf3, 0xe9, 0x00, 0xdb, 0xb9, 0xaf, 0xf4, 0x06, 0x4d, 0xc4, 0xab, 0x2f, 0x84, 0x3a, 0xcd, 0xa8,
};
static const uint8_t MSG[] = {'s', 'a', 'm', 'p', 'l', 'e'};

static EC_KEY *oracle_key;
static uint8_t pub65[SEK_VERIFY_PUB_LEN];
static uint8_t digest[SHA256_DIGEST_LENGTH];

/* OpenSSL's verdict on raw r || s: ECDSA_do_verify, 1 only for a valid signature. */
static int openssl_verify_raw(const uint8_t raw[64]) {
  ECDSA_SIG *sig = ECDSA_SIG_new();
  BIGNUM *r = BN_bin2bn(raw, 32, NULL), *s = BN_bin2bn(raw + 32, 32, NULL);
  if (sig == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(sig, r, s) != 1)
    abort(); /* out of memory: not a verdict */
  int rc = ECDSA_do_verify(digest, sizeof digest, sig, oracle_key);
  ECDSA_SIG_free(sig);
  ERR_clear_error();
  return rc;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  oracle_key = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
  const EC_GROUP *group = oracle_key != NULL ? EC_KEY_get0_group(oracle_key) : NULL;
  BIGNUM *d = BN_bin2bn(FIXED_D, sizeof FIXED_D, NULL);
  EC_POINT *q = group != NULL ? EC_POINT_new(group) : NULL;
  if (d == NULL || q == NULL || EC_POINT_mul(group, q, d, NULL, NULL, NULL) != 1 ||
      EC_KEY_set_public_key(oracle_key, q) != 1 ||
      EC_POINT_point2oct(group, q, POINT_CONVERSION_UNCOMPRESSED, pub65, sizeof pub65, NULL) !=
          sizeof pub65 ||
      SHA256(MSG, sizeof MSG, digest) == NULL)
    abort();
  BN_clear_free(d);
  EC_POINT_free(q);
  /* the self-check: RFC 6979's signature is valid for both verifiers */
  if (sek_verify_msg(SEK_VERIFY_HASH_SHA256, pub65, sizeof pub65, MSG, sizeof MSG, RFC6979_RS, 64,
                     SEK_SIG_RAW) != SEK_OK ||
      openssl_verify_raw(RFC6979_RS) != 1)
    abort();
  return 0;
}

/* A rejection must be the signature's fault: a DER status, INVALID, or RAW_LEN. */
static void check_reason(int st) {
  if (st == SEK_OK || st == SEK_VERIFY_ERR_INVALID || st == SEK_VERIFY_ERR_RAW_LEN)
    return;
  if (st <= SEK_DER_ERR_EMPTY && st >= SEK_DER_ERR_S_RANGE)
    return;
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t raw[64], ref[64];
  ERR_clear_error(); /* each input starts from an empty queue, as verify.h's corner wants */

  /* P3 */
  int st = sek_der_sig_to_raw(data, size, raw);
  int ref_st = sek_verify_ref_der_to_raw(data, size, ref);
  if ((st == SEK_OK) != (ref_st == SEK_OK) || (st == SEK_OK && memcmp(raw, ref, 64) != 0))
    abort();

  /* P3e */
  if (size >= 64 && sek_der_scalar_check(data) == SEK_OK &&
      sek_der_scalar_check(data + 32) == SEK_OK) {
    uint8_t ours[SEK_DER_SIG_MAX_LEN], theirs[SEK_DER_SIG_MAX_LEN];
    size_t ours_len, theirs_len;
    if (sek_der_sig_from_raw(data, ours, sizeof ours, &ours_len) != SEK_OK ||
        sek_verify_ref_raw_to_der(data, theirs, sizeof theirs, &theirs_len) != SEK_OK ||
        ours_len != theirs_len || memcmp(ours, theirs, ours_len) != 0)
      abort();
  }

  /* P4, DER */
  int ours = sek_verify_msg(SEK_VERIFY_HASH_SHA256, pub65, sizeof pub65, MSG, sizeof MSG, data,
                            size, SEK_SIG_DER);
  check_reason(ours);
  if (st != SEK_OK && ours != st)
    abort(); /* a malformed signature keeps its DER status */
  int theirs =
      size <= INT_MAX ? ECDSA_verify(0, digest, sizeof digest, data, (int)size, oracle_key) : 0;
  ERR_clear_error();
  if ((ours == SEK_OK) != (theirs == 1))
    abort();

  /* P4, raw */
  ours = sek_verify_msg(SEK_VERIFY_HASH_SHA256, pub65, sizeof pub65, MSG, sizeof MSG, data, size,
                        SEK_SIG_RAW);
  check_reason(ours);
  if (size != 64) {
    if (ours != SEK_VERIFY_ERR_RAW_LEN)
      abort();
  } else if ((ours == SEK_OK) != (openssl_verify_raw(data) == 1)) {
    abort();
  }
  return 0;
}
