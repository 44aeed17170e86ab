/*
 * verify.c: ECDSA P-256 verification and the reference DER codec over OpenSSL 3.  Contract in
 * include/sek/verify.h.
 *
 * Only OpenSSL 3 APIs that are not deprecated: EVP_PKEY_fromdata for the key, EVP_PKEY_verify
 * for the check, d2i/i2d_ECDSA_SIG for the reference codec.  The one verification path takes a
 * digest; sek_verify_msg hashes first and joins it.  Every signature reaches OpenSSL in the DER
 * that sek_der_sig_from_raw writes, so OpenSSL never sees bytes our strict parser refused.
 */
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <sek/der.h>
#include <sek/verify.h>

/* P-256 (SEC 2 §2.4.2, FIPS 186-4 D.1.2.3), kept here rather than taken from der.c so that the
 * reference codec does not share a constant with the code it is checked against. */
static const uint8_t P256_P[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};
static const uint8_t P256_N[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

/* The largest digest a SecKey ECDSA digest algorithm takes (SHA-512). */
#define DIGEST_MAX 64

static const struct hash_row {
  sek_verify_hash hash;
  const char *name, *alias; /* sek_verify_hash_from_name accepts both, case insensitive */
  size_t len;
  const EVP_MD *(*md)(void);
  const char *source;
} hashes[] = {
    {SEK_VERIFY_HASH_SHA256, "sha256", "sha-256", 32, EVP_sha256,
     "FIPS 180-4; algid:sign:ECDSA:message-X962:SHA256 [SEC:Adaptors]"},
    {SEK_VERIFY_HASH_SHA384, "sha384", "sha-384", 48, EVP_sha384,
     "FIPS 180-4; algid:sign:ECDSA:message-X962:SHA384 [SEC:Adaptors]"},
    {SEK_VERIFY_HASH_SHA512, "sha512", "sha-512", 64, EVP_sha512,
     "FIPS 180-4; algid:sign:ECDSA:message-X962:SHA512 [SEC:Adaptors]"},
};

static const struct hash_row *hash_row_of(sek_verify_hash hash) {
  for (size_t i = 0; i < sizeof hashes / sizeof hashes[0]; i++)
    if (hashes[i].hash == hash)
      return &hashes[i];
  return NULL;
}

int sek_verify_hash_from_name(const char *name, sek_verify_hash *out) {
  if (name == NULL || out == NULL)
    return SEK_ERR_ARG;
  for (size_t i = 0; i < sizeof hashes / sizeof hashes[0]; i++)
    if (strcasecmp(name, hashes[i].name) == 0 || strcasecmp(name, hashes[i].alias) == 0) {
      *out = hashes[i].hash;
      return SEK_OK;
    }
  return SEK_VERIFY_ERR_HASH;
}

const char *sek_verify_hash_name(sek_verify_hash hash) {
  const struct hash_row *row = hash_row_of(hash);
  if (row != NULL)
    return row->name;
  return hash == SEK_VERIFY_HASH_NONE ? "none" : "unknown";
}

size_t sek_verify_hash_len(sek_verify_hash hash) {
  const struct hash_row *row = hash_row_of(hash);
  return row != NULL ? row->len : 0;
}

/* Steps 1-3 of the public-key check, which need no OpenSSL. */
static int pub_shape(const uint8_t *pub, size_t pub_len) {
  /* The form byte first: a 33-byte compressed key is better told "not uncompressed". */
  if (pub_len > 0 && pub[0] != 0x04)
    return SEK_VERIFY_ERR_PUB_FORM; /* X9.63 §4.3.6: 04 is the uncompressed form */
  if (pub_len != SEK_VERIFY_PUB_LEN)
    return SEK_VERIFY_ERR_PUB_LEN;
  /* SEC 1 §2.3.4 step 2.3: each coordinate is a field element, so below p. */
  if (memcmp(pub + 1, P256_P, 32) >= 0 || memcmp(pub + 33, P256_P, 32) >= 0)
    return SEK_VERIFY_ERR_PUB_RANGE;
  return SEK_OK;
}

/*
 * Builds an EVP_PKEY from a key that passed pub_shape.  OpenSSL checks that the point is on the
 * curve (EC_POINT_set_affine_coordinates); that failure is told apart from any other by its
 * reason code, and the error queue is put back as it was.
 */
static int pub_load(const uint8_t *pub, EVP_PKEY **out) {
  uint8_t pub_copy[SEK_VERIFY_PUB_LEN]; /* OSSL_PARAM wants a non-const buffer */
  char group[] = "prime256v1";          /* = P-256 = secp256r1 */
  memcpy(pub_copy, pub, sizeof pub_copy);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pub_copy, sizeof pub_copy),
      OSSL_PARAM_construct_end(),
  };
  int st = SEK_VERIFY_ERR_OPENSSL;
  ERR_set_mark();
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
  *out = NULL;
  if (ctx != NULL && EVP_PKEY_fromdata_init(ctx) == 1) {
    if (EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) == 1) {
      st = SEK_OK;
    } else {
      unsigned long e = ERR_peek_last_error();
      if (ERR_GET_LIB(e) == ERR_LIB_EC && ERR_GET_REASON(e) == EC_R_POINT_IS_NOT_ON_CURVE)
        st = SEK_VERIFY_ERR_PUB_NOT_ON_CURVE;
    }
  }
  EVP_PKEY_CTX_free(ctx);
  ERR_pop_to_mark();
  return st;
}

int sek_verify_pub_check(const uint8_t *pub, size_t pub_len) {
  if (pub == NULL && pub_len != 0)
    return SEK_ERR_ARG;
  int st = pub_shape(pub, pub_len);
  if (st != SEK_OK)
    return st;
  EVP_PKEY *key;
  st = pub_load(pub, &key);
  EVP_PKEY_free(key);
  return st;
}

/*
 * Step 2: turns a signature of either format into the strict DER that goes to OpenSSL.  A DER
 * input that parses is re-encoded (identical bytes, since DER is unique: property P1).
 */
static int sig_to_der(const uint8_t *sig, size_t sig_len, sek_sig_format format,
                      uint8_t der[SEK_DER_SIG_MAX_LEN], size_t *der_len) {
  uint8_t raw[SEK_DER_RAW_LEN];
  int st;
  if (format == SEK_SIG_DER) {
    if ((st = sek_der_sig_to_raw(sig, sig_len, raw)) != SEK_OK)
      return st;
  } else if (format == SEK_SIG_RAW) {
    if (sig_len != SEK_DER_RAW_LEN)
      return SEK_VERIFY_ERR_RAW_LEN; /* RFC 4754 §6; SecKey: "Wrong ECDSA RFC4754 signature" */
    memcpy(raw, sig, SEK_DER_RAW_LEN);
  } else {
    return SEK_ERR_ARG;
  }
  /* For raw input this is where r, s outside [1, n-1] are refused, with the DER range status. */
  return sek_der_sig_from_raw(raw, der, SEK_DER_SIG_MAX_LEN, der_len);
}

/* Whether the error queue holds (lib, reason); empties it. */
static int drain_errors_for(int lib, int reason) {
  int seen = 0;
  unsigned long e;
  while ((e = ERR_get_error()) != 0)
    seen |= ERR_GET_LIB(e) == lib && ERR_GET_REASON(e) == reason;
  return seen;
}

/*
 * Step 4 on a checked digest, signature and key.  EVP_PKEY_verify returns 0 for a signature
 * that does not match, but -1 when R = u1 G + u2 Q is the point at infinity (Wycheproof
 * "point at infinity during verify"), which SEC 1 §4.1.4 step 5 also calls invalid.  That case
 * is told from a real failure by its reason code; the search consumes the queue, so it is done
 * only when the queue held nothing of the caller's on entry (true for libsek's own callers;
 * otherwise the case reports SEK_VERIFY_ERR_OPENSSL and the caller's errors stay).
 */
static int verify_der(EVP_PKEY *key, const uint8_t *digest, size_t digest_len, const uint8_t *der,
                      size_t der_len) {
  int st = SEK_VERIFY_ERR_OPENSSL;
  int queue_was_empty = ERR_peek_error() == 0;
  ERR_set_mark();
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
  if (ctx != NULL && EVP_PKEY_verify_init(ctx) == 1) {
    int rc = EVP_PKEY_verify(ctx, der, der_len, digest, digest_len);
    if (rc == 1)
      st = SEK_OK;
    else if (rc == 0)
      st = SEK_VERIFY_ERR_INVALID;
    else if (queue_was_empty && drain_errors_for(ERR_LIB_EC, EC_R_POINT_AT_INFINITY))
      st = SEK_VERIFY_ERR_INVALID;
  }
  EVP_PKEY_CTX_free(ctx);
  ERR_pop_to_mark();
  return st;
}

static int verify_checked_digest(const uint8_t *pub, size_t pub_len, const uint8_t *digest,
                                 size_t digest_len, const uint8_t *sig, size_t sig_len,
                                 sek_sig_format format) {
  uint8_t der[SEK_DER_SIG_MAX_LEN];
  size_t der_len;
  int st = sig_to_der(sig, sig_len, format, der, &der_len);
  if (st != SEK_OK)
    return st;
  if ((st = pub_shape(pub, pub_len)) != SEK_OK)
    return st;
  EVP_PKEY *key;
  if ((st = pub_load(pub, &key)) == SEK_OK)
    st = verify_der(key, digest, digest_len, der, der_len);
  EVP_PKEY_free(key);
  return st;
}

static int args_ok(const uint8_t *pub, size_t pub_len, const uint8_t *in, size_t in_len,
                   const uint8_t *sig, size_t sig_len) {
  return !((pub == NULL && pub_len != 0) || (in == NULL && in_len != 0) ||
           (sig == NULL && sig_len != 0));
}

int sek_verify_digest(sek_verify_hash hash, const uint8_t *pub, size_t pub_len,
                      const uint8_t *digest, size_t digest_len, const uint8_t *sig, size_t sig_len,
                      sek_sig_format format) {
  if (!args_ok(pub, pub_len, digest, digest_len, sig, sig_len))
    return SEK_ERR_ARG;
  const struct hash_row *row = hash_row_of(hash);
  if (row == NULL && hash != SEK_VERIFY_HASH_NONE)
    return SEK_VERIFY_ERR_HASH;
  if (row != NULL ? digest_len != row->len : (digest_len == 0 || digest_len > DIGEST_MAX))
    return SEK_VERIFY_ERR_DIGEST_LEN; /* SecKey: "bad digest size for signing with algorithm" */
  return verify_checked_digest(pub, pub_len, digest, digest_len, sig, sig_len, format);
}

int sek_verify_msg(sek_verify_hash hash, const uint8_t *pub, size_t pub_len, const uint8_t *msg,
                   size_t msg_len, const uint8_t *sig, size_t sig_len, sek_sig_format format) {
  static const uint8_t empty[1] = {0};
  if (!args_ok(pub, pub_len, msg, msg_len, sig, sig_len))
    return SEK_ERR_ARG;
  const struct hash_row *row = hash_row_of(hash);
  if (row == NULL)
    return SEK_VERIFY_ERR_HASH;
  uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned digest_len = 0;
  int ok;
  ERR_set_mark();
  ok = EVP_Digest(msg != NULL ? msg : empty, msg_len, digest, &digest_len, row->md(), NULL) == 1 &&
       digest_len == row->len;
  ERR_pop_to_mark();
  if (!ok)
    return SEK_VERIFY_ERR_OPENSSL;
  return verify_checked_digest(pub, pub_len, digest, digest_len, sig, sig_len, format);
}

int sek_verify_ref_der_to_raw(const uint8_t *der, size_t der_len, uint8_t raw[64]) {
  if ((der == NULL && der_len != 0) || raw == NULL)
    return SEK_ERR_ARG;
  if (der_len == 0 || der_len > 0x7fffffff)
    return SEK_VERIFY_ERR_REF_REJECTS; /* d2i takes a long; nothing that long is a signature */
  int st = SEK_VERIFY_ERR_REF_REJECTS;
  uint8_t tmp[64];
  unsigned char *again = NULL;
  const unsigned char *p = der;
  ERR_set_mark();
  ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
  if (sig == NULL || (size_t)(p - der) != der_len)
    goto out; /* d2i accepts trailing bytes: the consumed length is the caller's check */
  int again_len = i2d_ECDSA_SIG(sig, &again);
  if (again_len < 0 || (size_t)again_len != der_len || memcmp(again, der, der_len) != 0)
    goto out; /* BER (e.g. 81 45 lengths) parses, but re-encodes differently */
  const BIGNUM *r = ECDSA_SIG_get0_r(sig), *s = ECDSA_SIG_get0_s(sig);
  if (BN_is_negative(r) || BN_is_negative(s) || BN_bn2binpad(r, tmp, 32) != 32 ||
      BN_bn2binpad(s, tmp + 32, 32) != 32)
    goto out; /* wider than 32 bytes: at least 2^256 > n */
  static const uint8_t zero[32];
  if (memcmp(tmp, zero, 32) == 0 || memcmp(tmp + 32, zero, 32) == 0 ||
      memcmp(tmp, P256_N, 32) >= 0 || memcmp(tmp + 32, P256_N, 32) >= 0)
    goto out;
  memcpy(raw, tmp, 64);
  st = SEK_OK;
out:
  OPENSSL_free(again);
  ECDSA_SIG_free(sig);
  ERR_pop_to_mark();
  return st;
}

int sek_verify_ref_raw_to_der(const uint8_t raw[64], uint8_t *out, size_t out_cap,
                              size_t *out_len) {
  if (raw == NULL || out == NULL || out_len == NULL)
    return SEK_ERR_ARG;
  int st = SEK_VERIFY_ERR_OPENSSL;
  ERR_set_mark();
  ECDSA_SIG *sig = ECDSA_SIG_new();
  BIGNUM *r = BN_bin2bn(raw, 32, NULL), *s = BN_bin2bn(raw + 32, 32, NULL);
  if (sig == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    goto out;
  }
  /* set0 took r and s. */
  int need = i2d_ECDSA_SIG(sig, NULL);
  if (need <= 0)
    goto out;
  if ((size_t)need > out_cap) {
    st = SEK_DER_ERR_BUFFER;
    goto out;
  }
  unsigned char *p = out;
  if (i2d_ECDSA_SIG(sig, &p) != need)
    goto out;
  *out_len = (size_t)need;
  st = SEK_OK;
out:
  ECDSA_SIG_free(sig);
  ERR_pop_to_mark();
  return st;
}

/* Indexed by -(status) - 700; keep in the order of enum sek_verify_status. */
static const char *const verify_messages[] = {
    "signature does not match the message and public key",
    "public key is not 65 bytes (04 || X || Y)",
    "public key is not in the uncompressed form (first byte must be 0x04)",
    "public key coordinate is not below the field prime p",
    "public key point is not on the P-256 curve",
    "unsupported hash (sha256, sha384 or sha512)",
    "digest length does not match the hash",
    "raw signature is not 64 bytes (r || s)",
    "OpenSSL failed (not because of the input)",
    "OpenSSL's strict DER verdict rejects the signature",
};

const char *sek_verify_strerror(int status) {
  if (status <= -700 && status > -700 - (int)(sizeof verify_messages / sizeof verify_messages[0]))
    return verify_messages[-status - 700];
  if (status <= -700 && status >= -799)
    return "unknown verify status";
  return sek_strerror(status);
}
