/*
 * p256.c: P-256 key generation from the emulator's DRBG and ECDSA signing with RFC 6979 nonces
 * (see emu_crypto.h).  The arithmetic is OpenSSL's (EC_POINT_mul with the generator uses its
 * precomputed table); only the nonce is ours, because OpenSSL 3.0 draws ECDSA nonces from its
 * own RNG and the emulator must be deterministic.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>

#include "backend/emulated/emu_crypto.h"

/* Tries before giving up on a candidate scalar: each fails with probability < 2^-32. */
#define MAX_CANDIDATES 64

/* bits2int (RFC 6979 §2.3.2) for qlen = 256: the leftmost 256 bits, as 32 big-endian bytes. */
static void bits2int32(const uint8_t *h, size_t h_len, uint8_t out[32]) {
  memset(out, 0, 32);
  if (h_len >= 32)
    memcpy(out, h, 32);
  else
    memcpy(out + 32 - h_len, h, h_len);
}

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

int emu_p256_sign(emu_crypto *c, const uint8_t d32[32], const uint8_t *digest, size_t digest_len,
                  uint8_t raw64[64]) {
  if (digest_len == 0)
    return SEK_ERR_ARG;
  uint8_t h[32], h_oct[32], kbytes[32];
  emu_drbg rfc;
  int st = SEK_ERR_NOMEM;
  BN_CTX *bc = c->bn_ctx;
  BN_CTX_start(bc);
  BIGNUM *dn = BN_CTX_get(bc), *e = BN_CTX_get(bc), *k = BN_CTX_get(bc);
  BIGNUM *kinv = BN_CTX_get(bc), *r = BN_CTX_get(bc), *s = BN_CTX_get(bc);
  BIGNUM *x = BN_CTX_get(bc);
  EC_POINT *kg = EC_POINT_new(c->group);
  if (x == NULL || kg == NULL)
    goto done;
  BN_set_flags(dn, BN_FLG_CONSTTIME);
  BN_set_flags(k, BN_FLG_CONSTTIME);
  st = SEK_ERR_INTERNAL;
  bits2int32(digest, digest_len, h);
  /* bits2octets(h) = (bits2int(h) mod n) as 32 bytes: h < 2^256 < 2n, so one subtraction. */
  if (BN_bin2bn(h, 32, e) == NULL || BN_bin2bn(d32, 32, dn) == NULL)
    goto done;
  if (BN_cmp(e, c->order) >= 0 && !BN_sub(e, e, c->order))
    goto done;
  if (BN_bn2binpad(e, h_oct, 32) != 32)
    goto done;
  /* RFC 6979 §3.2 b-f is HMAC-DRBG instantiated with x || bits2octets(h1); g-h its output. */
  emu_iov seed[2] = {{d32, 32}, {h_oct, 32}};
  if ((st = emu_drbg_instantiate(c, &rfc, seed, 2)) != SEK_OK)
    goto done;
  st = SEK_ERR_INTERNAL;
  for (int i = 0; i < MAX_CANDIDATES; i++) {
    /* 3.2 h.2: T = V = HMAC_K(V); 3.2 h.3: on rejection K = HMAC_K(V || 0x00), V = HMAC_K(V),
     * which is what emu_drbg_generate's trailing update does. */
    if (emu_drbg_generate(c, &rfc, kbytes, 32) != SEK_OK || BN_bin2bn(kbytes, 32, k) == NULL)
      goto done;
    if (BN_is_zero(k) || BN_cmp(k, c->order) >= 0)
      continue;
    /* r = x(kG) mod n; s = k^-1 (e + r d) mod n; retry on r = 0 or s = 0 (X9.62 §7.3). */
    if (!EC_POINT_mul(c->group, kg, k, NULL, NULL, bc) ||
        !EC_POINT_get_affine_coordinates(c->group, kg, x, NULL, bc) ||
        !BN_nnmod(r, x, c->order, bc))
      goto done;
    if (BN_is_zero(r))
      continue;
    if (BN_mod_inverse(kinv, k, c->order, bc) == NULL || !BN_mod_mul(s, r, dn, c->order, bc) ||
        !BN_mod_add_quick(s, s, e, c->order) || !BN_mod_mul(s, s, kinv, c->order, bc))
      goto done;
    if (BN_is_zero(s))
      continue;
    if (BN_bn2binpad(r, raw64, 32) != 32 || BN_bn2binpad(s, raw64 + 32, 32) != 32)
      goto done;
    st = SEK_OK;
    break;
  }
done:
  OPENSSL_cleanse(kbytes, sizeof kbytes);
  emu_drbg_wipe(&rfc);
  EC_POINT_free(kg);
  if (dn != NULL)
    BN_clear(dn);
  if (k != NULL)
    BN_clear(k);
  if (kinv != NULL)
    BN_clear(kinv);
  BN_CTX_end(bc);
  return st;
}
