/*
 * test_verify.c: include/sek/verify.h, ECDSA P-256 verification over OpenSSL.
 *
 *  - every Wycheproof vector of the three shared files through the verify path: SHA-256 DER
 *    (484), SHA-256 P1363 through the raw path (262), SHA-512 DER (554).  Each verdict must
 *    equal the vector's result, and each rejection must be for a reason that fits a signature
 *    (a DER status or SEK_VERIFY_ERR_INVALID, never a key, hash or OpenSSL failure).
 *    "acceptable" (either verdict allowed by Wycheproof) is counted and reported apart; none of
 *    the three files has one.  Skipped, saying so, when ../shared is absent.
 *  - unit cases: public keys (form, length, range, off the curve), hashes, digest lengths, raw
 *    lengths, check order, misuse, and fresh signatures from OpenSSL (DER, raw, high S, wrong
 *    message, digest variant).
 */
#include "sek_test.h"

#include <cjson/cJSON.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <sek/der.h>
#include <sek/verify.h>

/* The sek tool's hex reader (tools/ is not linked into tests; see test_der.c). */
#include "cli.h"

/* Decodes hex into a new buffer (at least 1 byte, so never NULL); fails the test on bad hex. */
static uint8_t *hex_alloc(const char *text, size_t *out_len) {
  size_t cap = strlen(text) / 2 + 1;
  uint8_t *buf = malloc(cap);
  char err[128];
  assert_non_null(buf);
  long n = cli_hex_decode(text, buf, cap, err, sizeof err);
  if (n < 0)
    fail_msg("bad hex: %s", err);
  *out_len = (size_t)n;
  return buf;
}

static const char *json_str(const cJSON *obj, const char *key) {
  const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, key));
  if (v == NULL)
    fail_msg("Wycheproof JSON: no string \"%s\"", key);
  return v;
}

static bool is_der_status(int st) { return st <= SEK_DER_ERR_EMPTY && st >= SEK_DER_ERR_BUFFER; }
static bool is_range_status(int st) {
  return st <= SEK_DER_ERR_R_ZERO && st >= SEK_DER_ERR_S_RANGE;
}

typedef struct {
  long total, matched, valid, acceptable;
  long bad_encoding; /* invalid: a DER encoding rule (or a raw length) */
  long bad_range;    /* invalid: r or s outside [1, n-1] */
  long bad_verify;   /* invalid: well formed, refused by the verification */
} wp_counts;

/*
 * Runs one Wycheproof file through sek_verify_msg; returns false (after printing why) when the
 * file is absent.
 */
static bool run_wycheproof(const char *rel, sek_sig_format format, wp_counts *c) {
  cJSON *root = sek_test_load_json(rel);
  if (root == NULL)
    return false;
  memset(c, 0, sizeof *c);
  const cJSON *group, *tc;
  cJSON_ArrayForEach(group, cJSON_GetObjectItemCaseSensitive(root, "testGroups")) {
    sek_verify_hash hash;
    if (sek_verify_hash_from_name(json_str(group, "sha"), &hash) != SEK_OK)
      fail_msg("%s: hash %s not supported", rel, json_str(group, "sha"));
    size_t pub_len, msg_len, sig_len;
    uint8_t *pub = hex_alloc(
        json_str(cJSON_GetObjectItemCaseSensitive(group, "publicKey"), "uncompressed"), &pub_len);
    cJSON_ArrayForEach(tc, cJSON_GetObjectItemCaseSensitive(group, "tests")) {
      int id = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(tc, "tcId"));
      const char *result = json_str(tc, "result");
      uint8_t *msg = hex_alloc(json_str(tc, "msg"), &msg_len);
      uint8_t *sig = hex_alloc(json_str(tc, "sig"), &sig_len);
      int st = sek_verify_msg(hash, pub, pub_len, msg, msg_len, sig, sig_len, format);
      c->total++;
      if (strcmp(result, "acceptable") == 0) {
        c->acceptable++; /* Wycheproof allows either verdict */
      } else if (strcmp(result, "valid") == 0) {
        if (st != SEK_OK)
          fail_msg("%s tc %d (%s): valid, but got %d (%s)", rel, id, json_str(tc, "comment"), st,
                   sek_strerror(st));
        c->valid++;
      } else if (strcmp(result, "invalid") == 0) {
        if (st == SEK_OK)
          fail_msg("%s tc %d (%s): invalid, but verified", rel, id, json_str(tc, "comment"));
        if (is_range_status(st))
          c->bad_range++;
        else if (is_der_status(st) || st == SEK_VERIFY_ERR_RAW_LEN)
          c->bad_encoding++;
        else if (st == SEK_VERIFY_ERR_INVALID)
          c->bad_verify++;
        else
          fail_msg("%s tc %d (%s): refused for a reason that is not the signature's: %d (%s)", rel,
                   id, json_str(tc, "comment"), st, sek_strerror(st));
      } else {
        fail_msg("%s tc %d: unknown result \"%s\"", rel, id, result);
      }
      c->matched += strcmp(result, "acceptable") != 0;
      free(msg);
      free(sig);
    }
    free(pub);
  }
  cJSON_Delete(root);
  printf("%s: %ld/%ld verdicts match (valid %ld; invalid: %ld encoding, %ld range, %ld by the "
         "verification; acceptable %ld)\n",
         rel, c->matched, c->total, c->valid, c->bad_encoding, c->bad_range, c->bad_verify,
         c->acceptable);
  return true;
}

static void expect_file(const char *rel, sek_sig_format format, long total) {
  wp_counts c;
  if (!run_wycheproof(rel, format, &c))
    skip();
  /* the file's own numberOfTests is what SOURCE.md states; every one must have been seen */
  assert_int_equal(c.total, total);
  assert_int_equal(c.matched + c.acceptable, c.total);
  assert_true(c.valid > 0 && c.bad_encoding > 0 && c.bad_range > 0 && c.bad_verify > 0);
}

static void test_verify_wycheproof_sha256_der(void **state) {
  (void)state;
  expect_file("vectors/wycheproof/ecdsa_secp256r1_sha256_test.json", SEK_SIG_DER, 484);
}

static void test_verify_wycheproof_sha256_p1363_raw(void **state) {
  (void)state;
  expect_file("vectors/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json", SEK_SIG_RAW, 262);
}

static void test_verify_wycheproof_sha512_der(void **state) {
  (void)state;
  expect_file("vectors/wycheproof/ecdsa_secp256r1_sha512_test.json", SEK_SIG_DER, 554);
}

/* ---- fresh keys and signatures from OpenSSL ----------------------------------------------- */

typedef struct {
  EVP_PKEY *key;
  uint8_t pub[SEK_VERIFY_PUB_LEN];
} test_key;

static int key_setup(void **state) {
  test_key *k = calloc(1, sizeof *k);
  size_t len = 0;
  if (k == NULL)
    return -1;
  k->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
  if (k->key == NULL ||
      EVP_PKEY_get_octet_string_param(k->key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, k->pub,
                                      sizeof k->pub, &len) != 1 ||
      len != sizeof k->pub) {
    EVP_PKEY_free(k->key);
    free(k);
    return -1;
  }
  *state = k;
  return 0;
}

static int key_teardown(void **state) {
  test_key *k = *state;
  EVP_PKEY_free(k->key);
  free(k);
  return 0;
}

static const char *md_name(sek_verify_hash hash) {
  return hash == SEK_VERIFY_HASH_SHA384   ? "SHA384"
         : hash == SEK_VERIFY_HASH_SHA512 ? "SHA512"
                                          : "SHA256";
}

/* An OpenSSL DER signature of msg (k is random: the verdicts must not depend on it). */
static size_t sign(const test_key *k, sek_verify_hash hash, const char *msg, uint8_t der[80]) {
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  size_t len = 80;
  assert_non_null(ctx);
  assert_int_equal(EVP_DigestSignInit_ex(ctx, NULL, md_name(hash), NULL, NULL, k->key, NULL), 1);
  assert_int_equal(EVP_DigestSign(ctx, der, &len, (const uint8_t *)msg, strlen(msg)), 1);
  EVP_MD_CTX_free(ctx);
  return len;
}

static const char MSG[] = "sekfuzz test message";

static void test_verify_fresh_signatures(void **state) {
  const test_key *k = *state;
  const uint8_t *m = (const uint8_t *)MSG;
  const sek_verify_hash all[] = {SEK_VERIFY_HASH_SHA256, SEK_VERIFY_HASH_SHA384,
                                 SEK_VERIFY_HASH_SHA512};
  for (size_t i = 0; i < 3; i++) {
    uint8_t der[80], raw[64];
    size_t der_len = sign(k, all[i], MSG, der);
    assert_int_equal(sek_verify_msg(all[i], k->pub, 65, m, strlen(MSG), der, der_len, SEK_SIG_DER),
                     SEK_OK);
    assert_int_equal(sek_der_sig_to_raw(der, der_len, raw), SEK_OK);
    assert_int_equal(sek_verify_msg(all[i], k->pub, 65, m, strlen(MSG), raw, 64, SEK_SIG_RAW),
                     SEK_OK);
    /* another message, another hash: well formed, so INVALID */
    assert_int_equal(
        sek_verify_msg(all[i], k->pub, 65, m, strlen(MSG) - 1, der, der_len, SEK_SIG_DER),
        SEK_VERIFY_ERR_INVALID);
    sek_verify_hash other = all[(i + 1) % 3];
    assert_int_equal(sek_verify_msg(other, k->pub, 65, m, strlen(MSG), der, der_len, SEK_SIG_DER),
                     SEK_VERIFY_ERR_INVALID);
    /* the digest variant on the same digest */
    uint8_t digest[64];
    unsigned digest_len = 0;
    assert_int_equal(EVP_Digest(m, strlen(MSG), digest, &digest_len,
                                EVP_get_digestbyname(md_name(all[i])), NULL),
                     1);
    assert_int_equal(digest_len, sek_verify_hash_len(all[i]));
    assert_int_equal(
        sek_verify_digest(all[i], k->pub, 65, digest, digest_len, der, der_len, SEK_SIG_DER),
        SEK_OK);
    assert_int_equal(sek_verify_digest(SEK_VERIFY_HASH_NONE, k->pub, 65, digest, digest_len, raw,
                                       64, SEK_SIG_RAW),
                     SEK_OK);
    digest[0] ^= 1;
    assert_int_equal(
        sek_verify_digest(all[i], k->pub, 65, digest, digest_len, der, der_len, SEK_SIG_DER),
        SEK_VERIFY_ERR_INVALID);
  }
}

/* s -> n - s, big-endian, for 0 < s < n. */
static void negate_s(uint8_t raw[64]) {
  uint8_t n[32];
  size_t len;
  uint8_t *nb = hex_alloc("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", &len);
  memcpy(n, nb, 32);
  free(nb);
  int borrow = 0;
  for (int i = 31; i >= 0; i--) {
    int d = n[i] - raw[32 + i] - borrow;
    borrow = d < 0;
    raw[32 + i] = (uint8_t)(d + (borrow ? 256 : 0));
  }
}

/* (r, n - s) verifies too: P-256 has no low-S rule (ecdsa-der.md §0). */
static void test_verify_high_s_accepted(void **state) {
  const test_key *k = *state;
  uint8_t der[80], raw[64], flipped[SEK_DER_SIG_MAX_LEN];
  size_t der_len = sign(k, SEK_VERIFY_HASH_SHA256, MSG, der), flipped_len;
  assert_int_equal(sek_der_sig_to_raw(der, der_len, raw), SEK_OK);
  negate_s(raw);
  assert_int_equal(sek_der_sig_from_raw(raw, flipped, sizeof flipped, &flipped_len), SEK_OK);
  assert_int_equal(sek_verify_msg(SEK_VERIFY_HASH_SHA256, k->pub, 65, (const uint8_t *)MSG,
                                  strlen(MSG), flipped, flipped_len, SEK_SIG_DER),
                   SEK_OK);
  assert_int_equal(sek_verify_msg(SEK_VERIFY_HASH_SHA256, k->pub, 65, (const uint8_t *)MSG,
                                  strlen(MSG), raw, 64, SEK_SIG_RAW),
                   SEK_OK);
}

/* ---- public keys -------------------------------------------------------------------------- */

enum { KEY_X = 1, KEY_Y = 33 };
static const struct {
  int op; /* what is done to a valid key */
  size_t len;
  int status;
  const char *reason;
} pub_rows[] = {
    {0, 65, SEK_OK, "the valid key"},
    {0, 0, SEK_VERIFY_ERR_PUB_LEN, "empty"},
    {0, 64, SEK_VERIFY_ERR_PUB_LEN, "04 || X || Y short by one"},
    {0, 66, SEK_VERIFY_ERR_PUB_LEN, "one byte too many"},
    {1, 33, SEK_VERIFY_ERR_PUB_FORM, "compressed 02 || X"},
    {2, 33, SEK_VERIFY_ERR_PUB_FORM, "compressed 03 || X"},
    {3, 65, SEK_VERIFY_ERR_PUB_FORM, "hybrid 06 || X || Y"},
    {4, 1, SEK_VERIFY_ERR_PUB_FORM, "the point at infinity (00)"},
    {5, 65, SEK_VERIFY_ERR_PUB_RANGE, "X = p"},
    {6, 65, SEK_VERIFY_ERR_PUB_RANGE, "Y = 2^256-1"},
    {7, 65, SEK_VERIFY_ERR_PUB_NOT_ON_CURVE, "Y + 1: off the curve (invalid-curve attack)"},
    {8, 65, SEK_VERIFY_ERR_PUB_NOT_ON_CURVE, "(0, 0): off the curve"},
};

static void make_pub(const uint8_t valid[65], int op, uint8_t out[66]) {
  static const uint8_t p[32] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0,    0,    0,
                                0,    0,    0,    0,    0,    0,    0,    0,    0,    0xff, 0xff,
                                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  memcpy(out, valid, 65);
  out[65] = 0;
  switch (op) {
  case 1: out[0] = 0x02; break;
  case 2: out[0] = 0x03; break;
  case 3: out[0] = 0x06; break;
  case 4: out[0] = 0x00; break;
  case 5: memcpy(out + KEY_X, p, 32); break;
  case 6: memset(out + KEY_Y, 0xff, 32); break;
  case 7: out[64] ^= 1; break;
  case 8: memset(out + 1, 0, 64); break;
  default: break;
  }
}

static void test_verify_public_keys(void **state) {
  const test_key *k = *state;
  uint8_t der[80];
  size_t der_len = sign(k, SEK_VERIFY_HASH_SHA256, MSG, der);
  for (size_t i = 0; i < sizeof pub_rows / sizeof pub_rows[0]; i++) {
    uint8_t pub[66];
    make_pub(k->pub, pub_rows[i].op, pub);
    int st = sek_verify_pub_check(pub, pub_rows[i].len);
    if (st != pub_rows[i].status)
      fail_msg("key row %zu (%s): got %d (%s)", i, pub_rows[i].reason, st, sek_strerror(st));
    /* verify reports the key's status for a good signature */
    st = sek_verify_msg(SEK_VERIFY_HASH_SHA256, pub, pub_rows[i].len, (const uint8_t *)MSG,
                        strlen(MSG), der, der_len, SEK_SIG_DER);
    if (st != pub_rows[i].status)
      fail_msg("key row %zu (%s): verify gave %d (%s)", i, pub_rows[i].reason, st,
               sek_strerror(st));
  }
}

/* ---- hashes, lengths, order, misuse ------------------------------------------------------- */

static void test_verify_hash_table(void **state) {
  (void)state;
  static const struct {
    const char *name;
    int status;
    sek_verify_hash hash;
    size_t len;
  } names[] = {
      {"sha256", SEK_OK, SEK_VERIFY_HASH_SHA256, 32},
      {"SHA-256", SEK_OK, SEK_VERIFY_HASH_SHA256, 32},
      {"sha384", SEK_OK, SEK_VERIFY_HASH_SHA384, 48},
      {"Sha512", SEK_OK, SEK_VERIFY_HASH_SHA512, 64},
      {"sha1", SEK_VERIFY_ERR_HASH, 0, 0},
      {"sha256 ", SEK_VERIFY_ERR_HASH, 0, 0},
      {"", SEK_VERIFY_ERR_HASH, 0, 0},
      {"md5", SEK_VERIFY_ERR_HASH, 0, 0},
  };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    sek_verify_hash h = (sek_verify_hash)77;
    int st = sek_verify_hash_from_name(names[i].name, &h);
    if (st != names[i].status)
      fail_msg("hash name \"%s\": got %d", names[i].name, st);
    if (st == SEK_OK && (h != names[i].hash || sek_verify_hash_len(h) != names[i].len))
      fail_msg("hash name \"%s\": wrong hash or length", names[i].name);
    if (st != SEK_OK && h != (sek_verify_hash)77)
      fail_msg("hash name \"%s\": output written on failure", names[i].name);
  }
  assert_string_equal(sek_verify_hash_name(SEK_VERIFY_HASH_SHA384), "sha384");
  assert_string_equal(sek_verify_hash_name(SEK_VERIFY_HASH_NONE), "none");
  assert_string_equal(sek_verify_hash_name((sek_verify_hash)9), "unknown");
  assert_int_equal(sek_verify_hash_len(SEK_VERIFY_HASH_NONE), 0);
}

static void test_verify_hash_and_lengths(void **state) {
  const test_key *k = *state;
  const uint8_t *m = (const uint8_t *)MSG;
  uint8_t der[80], raw[65] = {0}, digest[65] = {0};
  size_t der_len = sign(k, SEK_VERIFY_HASH_SHA256, MSG, der);
  size_t mlen = strlen(MSG);
  /* the hash */
  assert_int_equal(
      sek_verify_msg((sek_verify_hash)99, k->pub, 65, m, mlen, der, der_len, SEK_SIG_DER),
      SEK_VERIFY_ERR_HASH);
  assert_int_equal(
      sek_verify_msg(SEK_VERIFY_HASH_NONE, k->pub, 65, m, mlen, der, der_len, SEK_SIG_DER),
      SEK_VERIFY_ERR_HASH);
  assert_int_equal(
      sek_verify_digest((sek_verify_hash)-3, k->pub, 65, digest, 32, der, der_len, SEK_SIG_DER),
      SEK_VERIFY_ERR_HASH);
  /* digest lengths: exactly the hash's; 1..64 without one */
  static const struct {
    sek_verify_hash hash;
    size_t len;
    bool ok;
  } dl[] = {{SEK_VERIFY_HASH_SHA256, 31, false}, {SEK_VERIFY_HASH_SHA256, 33, false},
            {SEK_VERIFY_HASH_SHA256, 0, false},  {SEK_VERIFY_HASH_SHA384, 32, false},
            {SEK_VERIFY_HASH_SHA512, 48, false}, {SEK_VERIFY_HASH_NONE, 0, false},
            {SEK_VERIFY_HASH_NONE, 65, false},   {SEK_VERIFY_HASH_NONE, 1, true},
            {SEK_VERIFY_HASH_NONE, 64, true},    {SEK_VERIFY_HASH_SHA512, 64, true}};
  for (size_t i = 0; i < sizeof dl / sizeof dl[0]; i++) {
    int st =
        sek_verify_digest(dl[i].hash, k->pub, 65, digest, dl[i].len, der, der_len, SEK_SIG_DER);
    /* a right length gets as far as the verification, which fails for this digest */
    int want = dl[i].ok ? SEK_VERIFY_ERR_INVALID : SEK_VERIFY_ERR_DIGEST_LEN;
    if (st != want)
      fail_msg("digest row %zu (%s, %zu bytes): got %d (%s)", i, sek_verify_hash_name(dl[i].hash),
               dl[i].len, st, sek_strerror(st));
  }
  /* raw lengths other than 64 (Wycheproof P1363 sizes, §3.8) */
  static const size_t raw_lens[] = {0, 2, 16, 26, 32, 40, 63, 65};
  for (size_t i = 0; i < sizeof raw_lens / sizeof raw_lens[0]; i++)
    assert_int_equal(
        sek_verify_msg(SEK_VERIFY_HASH_SHA256, k->pub, 65, m, mlen, raw, raw_lens[i], SEK_SIG_RAW),
        SEK_VERIFY_ERR_RAW_LEN);
  /* raw r or s out of range keeps the DER module's range status */
  assert_int_equal(
      sek_verify_msg(SEK_VERIFY_HASH_SHA256, k->pub, 65, m, mlen, raw, 64, SEK_SIG_RAW),
      SEK_DER_ERR_R_ZERO);
  raw[31] = 1;
  assert_int_equal(
      sek_verify_msg(SEK_VERIFY_HASH_SHA256, k->pub, 65, m, mlen, raw, 64, SEK_SIG_RAW),
      SEK_DER_ERR_S_ZERO);
  memset(raw + 32, 0xff, 32);
  assert_int_equal(
      sek_verify_msg(SEK_VERIFY_HASH_SHA256, k->pub, 65, m, mlen, raw, 64, SEK_SIG_RAW),
      SEK_DER_ERR_S_RANGE);
  /* a malformed DER signature keeps its DER status */
  der[0] = 0x31;
  assert_int_equal(
      sek_verify_msg(SEK_VERIFY_HASH_SHA256, k->pub, 65, m, mlen, der, der_len, SEK_SIG_DER),
      SEK_DER_ERR_SEQ_TAG);
  /* order: the signature is checked before the key */
  assert_int_equal(
      sek_verify_msg(SEK_VERIFY_HASH_SHA256, k->pub, 3, m, mlen, der, der_len, SEK_SIG_DER),
      SEK_DER_ERR_SEQ_TAG);
}

static void test_verify_misuse(void **state) {
  const test_key *k = *state;
  uint8_t der[80], raw[64] = {0}, out[SEK_DER_SIG_MAX_LEN];
  size_t der_len = sign(k, SEK_VERIFY_HASH_SHA256, MSG, der), len;
  const uint8_t *m = (const uint8_t *)MSG;
  assert_int_equal(
      sek_verify_msg(SEK_VERIFY_HASH_SHA256, NULL, 65, m, 3, der, der_len, SEK_SIG_DER),
      SEK_ERR_ARG);
  assert_int_equal(
      sek_verify_msg(SEK_VERIFY_HASH_SHA256, k->pub, 65, NULL, 3, der, der_len, SEK_SIG_DER),
      SEK_ERR_ARG);
  assert_int_equal(
      sek_verify_msg(SEK_VERIFY_HASH_SHA256, k->pub, 65, m, 3, NULL, der_len, SEK_SIG_DER),
      SEK_ERR_ARG);
  assert_int_equal(
      sek_verify_msg(SEK_VERIFY_HASH_SHA256, k->pub, 65, m, 3, der, der_len, (sek_sig_format)7),
      SEK_ERR_ARG);
  assert_int_equal(
      sek_verify_digest(SEK_VERIFY_HASH_SHA256, k->pub, 65, NULL, 32, der, der_len, SEK_SIG_DER),
      SEK_ERR_ARG);
  /* NULL with length 0 is no misuse: the empty message, the empty signature, the empty key */
  assert_int_equal(
      sek_verify_msg(SEK_VERIFY_HASH_SHA256, k->pub, 65, NULL, 0, der, der_len, SEK_SIG_DER),
      SEK_VERIFY_ERR_INVALID);
  assert_int_equal(sek_verify_msg(SEK_VERIFY_HASH_SHA256, k->pub, 65, m, 3, NULL, 0, SEK_SIG_DER),
                   SEK_DER_ERR_EMPTY);
  assert_int_equal(sek_verify_pub_check(NULL, 0), SEK_VERIFY_ERR_PUB_LEN);
  assert_int_equal(sek_verify_pub_check(NULL, 65), SEK_ERR_ARG);
  assert_int_equal(sek_verify_hash_from_name(NULL, (sek_verify_hash[1]){0}), SEK_ERR_ARG);
  assert_int_equal(sek_verify_hash_from_name("sha256", NULL), SEK_ERR_ARG);
  assert_int_equal(sek_verify_ref_der_to_raw(NULL, 8, raw), SEK_ERR_ARG);
  assert_int_equal(sek_verify_ref_der_to_raw(der, der_len, NULL), SEK_ERR_ARG);
  assert_int_equal(sek_verify_ref_raw_to_der(NULL, out, sizeof out, &len), SEK_ERR_ARG);
  assert_int_equal(sek_verify_ref_raw_to_der(raw, NULL, sizeof out, &len), SEK_ERR_ARG);
  assert_int_equal(sek_verify_ref_raw_to_der(raw, out, sizeof out, NULL), SEK_ERR_ARG);
}

/* The reference encoder: OpenSSL's bytes equal ours for valid values, and it has no range rule. */
static void test_verify_reference_encoder(void **state) {
  const test_key *k = *state;
  uint8_t der[80], raw[64], ours[SEK_DER_SIG_MAX_LEN], ref[SEK_DER_SIG_MAX_LEN];
  size_t der_len = sign(k, SEK_VERIFY_HASH_SHA256, MSG, der), ours_len, ref_len;
  assert_int_equal(sek_der_sig_to_raw(der, der_len, raw), SEK_OK);
  assert_int_equal(sek_der_sig_from_raw(raw, ours, sizeof ours, &ours_len), SEK_OK);
  assert_int_equal(sek_verify_ref_raw_to_der(raw, ref, sizeof ref, &ref_len), SEK_OK);
  assert_int_equal(ref_len, ours_len);
  assert_memory_equal(ref, ours, ours_len);
  assert_int_equal(sek_verify_ref_raw_to_der(raw, ref, ours_len - 1, &ref_len), SEK_DER_ERR_BUFFER);
  memset(raw, 0, sizeof raw);
  assert_int_equal(sek_verify_ref_raw_to_der(raw, ref, sizeof ref, &ref_len), SEK_OK);
  assert_int_equal(ref_len, 8); /* 30 06 02 01 00 02 01 00: OpenSSL encodes what we refuse */
  assert_int_equal(sek_verify_ref_der_to_raw(ref, ref_len, raw), SEK_VERIFY_ERR_REF_REJECTS);
}

static void test_verify_strerror(void **state) {
  (void)state;
  for (int st = SEK_VERIFY_ERR_INVALID; st >= SEK_VERIFY_ERR_REF_REJECTS; st--) {
    const char *m = sek_verify_strerror(st);
    if (strstr(m, "unknown") != NULL)
      fail_msg("status %d has no message", st);
    assert_ptr_equal(sek_strerror(st), m);
  }
  assert_string_equal(sek_verify_strerror(SEK_VERIFY_ERR_REF_REJECTS - 1), "unknown verify status");
}

static const struct CMUnitTest verify_tests[] = {
    cmocka_unit_test(test_verify_wycheproof_sha256_der),
    cmocka_unit_test(test_verify_wycheproof_sha256_p1363_raw),
    cmocka_unit_test(test_verify_wycheproof_sha512_der),
    cmocka_unit_test_setup_teardown(test_verify_fresh_signatures, key_setup, key_teardown),
    cmocka_unit_test_setup_teardown(test_verify_high_s_accepted, key_setup, key_teardown),
    cmocka_unit_test_setup_teardown(test_verify_public_keys, key_setup, key_teardown),
    cmocka_unit_test(test_verify_hash_table),
    cmocka_unit_test_setup_teardown(test_verify_hash_and_lengths, key_setup, key_teardown),
    cmocka_unit_test_setup_teardown(test_verify_misuse, key_setup, key_teardown),
    cmocka_unit_test_setup_teardown(test_verify_reference_encoder, key_setup, key_teardown),
    cmocka_unit_test(test_verify_strerror),
};

SEK_TEST_MAIN(verify_tests)
