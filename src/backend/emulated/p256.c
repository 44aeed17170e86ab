/*
 * p256.c: P-256 key generation from the emulator's DRBG, and ECDSA signing by OpenSSL with a
 * deterministic nonce (see emu_crypto.h).  Signing runs in a library context of the emulator's
 * own whose private RNG is OpenSSL's TEST-RAND, reset to the device's fixed block before every
 * signature: OpenSSL 3.0 derives the nonce from that block, the private key and the digest
 * (BN_generate_dsa_nonce), so the same device, key and digest give the same signature.  The
 * arithmetic, nonce hashing and inversion are OpenSSL's (nistz256 on x86-64).
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include "backend/emulated/emu_crypto.h"

/* Tries before giving up on a candidate scalar: each fails with probability < 2^-32. */
#define MAX_CANDIDATES 64

/* 1 <= v < n for a 32-byte big-endian v. */
static int scalar_in_range(emu_crypto *c, const uint8_t v[32], BIGNUM *tmp) {
  if (BN_bin2bn(v, 32, tmp) == NULL)
    return -1;
  return !BN_is_zero(tmp) && BN_cmp(tmp, c->order) < 0;
}

static int point_to_pub(emu_crypto *c, const EC_POINT *p, uint8_t pub65[65]) {
  size_t n = EC_POINT_point2oct(c->group, p, POINT_CONVERSION_UNCOMPRESSED, pub65, 65, c->bn_ctx);
  return n == 65 ? SEK_OK : SEK_ERR_INTERNAL;
}

int emu_p256_public(emu_crypto *c, const uint8_t d32[32], uint8_t pub65[65]) {
  int st = SEK_ERR_NOMEM;
  BIGNUM *d = BN_secure_new();
  EC_POINT *p = EC_POINT_new(c->group);
  if (d == NULL || p == NULL)
    goto done;
  st = SEK_ERR_INTERNAL;
  if (BN_bin2bn(d32, 32, d) == NULL || !EC_POINT_mul(c->group, p, d, NULL, NULL, c->bn_ctx))
    goto done;
  st = point_to_pub(c, p, pub65);
done:
  BN_clear_free(d);
  EC_POINT_free(p);
  return st;
}

int emu_p256_keygen(emu_crypto *c, emu_drbg *d, uint8_t d32[32], uint8_t pub65[65]) {
  uint8_t cand[32];
  BIGNUM *tmp = BN_new();
  int st = tmp == NULL ? SEK_ERR_NOMEM : SEK_ERR_INTERNAL;
  for (int i = 0; tmp != NULL && i < MAX_CANDIDATES; i++) {
    if ((st = emu_drbg_generate(c, d, cand, sizeof cand)) != SEK_OK)
      break;
    int ok = scalar_in_range(c, cand, tmp);
    if (ok < 0) {
      st = SEK_ERR_NOMEM;
      break;
    }
    if (ok) {
      st = emu_p256_public(c, cand, pub65);
      if (st == SEK_OK)
        memcpy(d32, cand, 32);
      break;
    }
    st = SEK_ERR_INTERNAL;
  }
  OPENSSL_cleanse(cand, sizeof cand);
  BN_clear_free(tmp);
  return st;
}

int emu_p256_init(emu_crypto *c) {
  unsigned strength = 256;
  c->libctx = OSSL_LIB_CTX_new();
  c->provider = c->libctx != NULL ? OSSL_PROVIDER_load(c->libctx, "default") : NULL;
  if (c->provider == NULL || !RAND_set_DRBG_type(c->libctx, "TEST-RAND", NULL, NULL, NULL) ||
      (c->nonce_rand = RAND_get0_private(c->libctx)) == NULL)
    return SEK_ERR_INTERNAL;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_uint(OSSL_RAND_PARAM_STRENGTH, &strength),
                         OSSL_PARAM_construct_end()};
  return EVP_RAND_CTX_set_params(c->nonce_rand, params) ? SEK_OK : SEK_ERR_INTERNAL;
}

void emu_p256_cleanup(emu_crypto *c) {
  for (size_t i = 0; i < sizeof c->signers / sizeof c->signers[0]; i++) {
    EVP_PKEY_CTX_free(c->signers[i].ctx);
    OPENSSL_cleanse(c->signers[i].d, 32);
    c->signers[i].ctx = NULL;
  }
  OPENSSL_cleanse(c->nonce_entropy, sizeof c->nonce_entropy);
  c->nonce_rand = NULL; /* owned by the library context */
  OSSL_PROVIDER_unload(c->provider);
  OSSL_LIB_CTX_free(c->libctx);
  c->provider = NULL;
  c->libctx = NULL;
}

int emu_p256_set_nonce_entropy(emu_crypto *c, const uint8_t entropy[64]) {
  memcpy(c->nonce_entropy, entropy, sizeof c->nonce_entropy);
  return SEK_OK;
}

/* An EVP_PKEY_CTX ready to sign with (d32, pub65), in the signing context. */
static EVP_PKEY_CTX *new_signer(emu_crypto *c, const uint8_t d32[32], const uint8_t pub65[65]) {
  OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
  BIGNUM *d = BN_secure_new();
  OSSL_PARAM *params = NULL;
  EVP_PKEY_CTX *fromdata = NULL, *ctx = NULL;
  EVP_PKEY *pkey = NULL;
  if (bld != NULL && d != NULL && BN_bin2bn(d32, 32, d) != NULL &&
      OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) &&
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub65, 65))
    params = OSSL_PARAM_BLD_to_param(bld);
  if (params != NULL && (fromdata = EVP_PKEY_CTX_new_from_name(c->libctx, "EC", NULL)) != NULL &&
      EVP_PKEY_fromdata_init(fromdata) == 1 &&
      EVP_PKEY_fromdata(fromdata, &pkey, EVP_PKEY_KEYPAIR, params) == 1 &&
      (ctx = EVP_PKEY_CTX_new_from_pkey(c->libctx, pkey, NULL)) != NULL &&
      EVP_PKEY_sign_init(ctx) != 1) {
    EVP_PKEY_CTX_free(ctx);
    ctx = NULL;
  }
  EVP_PKEY_free(pkey); /* ctx holds its own reference */
  EVP_PKEY_CTX_free(fromdata);
  OSSL_PARAM_free(params); /* clears the part made from the secure BN */
  OSSL_PARAM_BLD_free(bld);
  BN_clear_free(d);
  return ctx;
}

/* The signer of d32: a recent one (compared by scalar, after the caller's unwrap), or new. */
static EVP_PKEY_CTX *signer(emu_crypto *c, const uint8_t d32[32], const uint8_t pub65[65]) {
  size_t n = sizeof c->signers / sizeof c->signers[0], oldest = 0;
  c->signs++;
  for (size_t i = 0; i < n; i++) {
    if (c->signers[i].ctx != NULL && CRYPTO_memcmp(c->signers[i].d, d32, 32) == 0) {
      c->signers[i].used = c->signs;
      return c->signers[i].ctx;
    }
    if (c->signers[i].used < c->signers[oldest].used)
      oldest = i;
  }
  EVP_PKEY_CTX *ctx = new_signer(c, d32, pub65);
  if (ctx == NULL)
    return NULL;
  EVP_PKEY_CTX_free(c->signers[oldest].ctx);
  c->signers[oldest].ctx = ctx;
  memcpy(c->signers[oldest].d, d32, 32);
  c->signers[oldest].used = c->signs;
  return ctx;
}

int emu_p256_sign(emu_crypto *c, const uint8_t d32[32], const uint8_t pub65[65],
                  const uint8_t *digest, size_t digest_len, uint8_t der[72], size_t *der_len) {
  if (digest_len == 0 || digest_len > 64)
    return SEK_ERR_ARG;
  EVP_PKEY_CTX *ctx = signer(c, d32, pub65);
  if (ctx == NULL)
    return SEK_ERR_INTERNAL;
  /* The nonce's "random" input: the device's fixed block, from its start, every time. */
  OSSL_PARAM params[] = {OSSL_PARAM_construct_octet_string(OSSL_RAND_PARAM_TEST_ENTROPY,
                                                           c->nonce_entropy,
                                                           sizeof c->nonce_entropy),
                         OSSL_PARAM_construct_end()};
  size_t len = 72;
  if (!EVP_RAND_CTX_set_params(c->nonce_rand, params) ||
      EVP_PKEY_sign(ctx, der, &len, digest, digest_len) != 1)
    return SEK_ERR_INTERNAL;
  *der_len = len;
  return SEK_OK;
}
