/*
 * drbg.c: the emulator's OpenSSL objects, HMAC-SHA-256, the SecKey hashes and HMAC-DRBG
 * (NIST SP 800-90A §10.1.2).  See emu_crypto.h.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>

#include "backend/emulated/emu_crypto.h"

/* OpenSSL's names of the hashes, by emu_hash. */
static const char *const md_names[5] = {"SHA1", "SHA224", "SHA256", "SHA384", "SHA512"};
static const size_t md_lens[5] = {20, 28, 32, 48, 64};

emu_crypto *emu_crypto_new(void) {
  emu_crypto *c = OPENSSL_zalloc(sizeof *c);
  if (c == NULL)
    return NULL;
  c->hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  c->hmac_ctx = c->hmac != NULL ? EVP_MAC_CTX_new(c->hmac) : NULL;
  if (c->hmac_ctx != NULL) {
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (!EVP_MAC_CTX_set_params(c->hmac_ctx, params))
      goto fail;
  }
  for (size_t i = 0; i < 5; i++)
    if ((c->md[i] = EVP_MD_fetch(NULL, md_names[i], NULL)) == NULL)
      goto fail;
  c->md_ctx = EVP_MD_CTX_new();
  c->gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
  c->gcm_ctx = EVP_CIPHER_CTX_new();
  c->group = EC_GROUP_new_by_curve_name_ex(NULL, NULL, NID_X9_62_prime256v1);
  c->bn_ctx = BN_CTX_new();
  c->order = c->group != NULL ? BN_dup(EC_GROUP_get0_order(c->group)) : NULL;
  if (c->hmac_ctx == NULL || c->md_ctx == NULL || c->gcm == NULL || c->gcm_ctx == NULL ||
      c->group == NULL || c->bn_ctx == NULL || c->order == NULL || emu_p256_init(c) != SEK_OK)
    goto fail;
  return c;
fail:
  emu_crypto_free(c);
  return NULL;
}

void emu_crypto_free(emu_crypto *c) {
  if (c == NULL)
    return;
  emu_p256_cleanup(c);
  EVP_MAC_CTX_free(c->hmac_ctx);
  EVP_MAC_free(c->hmac);
  for (size_t i = 0; i < 5; i++)
    EVP_MD_free(c->md[i]);
  EVP_MD_CTX_free(c->md_ctx);
  EVP_CIPHER_CTX_free(c->gcm_ctx);
  EVP_CIPHER_free(c->gcm);
  EC_GROUP_free(c->group);
  BN_CTX_free(c->bn_ctx);
  BN_free(c->order);
  OPENSSL_free(c);
}

int emu_hmac_sha256(emu_crypto *c, const uint8_t *key, size_t key_len, const emu_iov *parts,
                    size_t num_parts, uint8_t out[32]) {
  size_t out_len = 0;
  if (!EVP_MAC_init(c->hmac_ctx, key, key_len, NULL))
    return SEK_ERR_INTERNAL;
  for (size_t i = 0; i < num_parts; i++)
    if (parts[i].len > 0 && !EVP_MAC_update(c->hmac_ctx, parts[i].p, parts[i].len))
      return SEK_ERR_INTERNAL;
  if (!EVP_MAC_final(c->hmac_ctx, out, &out_len, 32) || out_len != 32)
    return SEK_ERR_INTERNAL;
  return SEK_OK;
}

size_t emu_hash_len(emu_hash h) { return (unsigned)h < 5 ? md_lens[h] : 0; }

int emu_digest(emu_crypto *c, emu_hash h, const uint8_t *data, size_t len, uint8_t out[64]) {
  unsigned out_len = 0;
  if ((unsigned)h >= 5)
    return SEK_ERR_ARG;
  if (!EVP_DigestInit_ex2(c->md_ctx, c->md[h], NULL) ||
      (len > 0 && !EVP_DigestUpdate(c->md_ctx, data, len)) ||
      !EVP_DigestFinal_ex(c->md_ctx, out, &out_len) || out_len != md_lens[h])
    return SEK_ERR_INTERNAL;
  return SEK_OK;
}

int emu_sha1(emu_crypto *c, const uint8_t *data, size_t len, uint8_t out[20]) {
  uint8_t full[64];
  int st = emu_digest(c, EMU_SHA1, data, len, full);
  if (st == SEK_OK)
    memcpy(out, full, 20);
  return st;
}

int emu_sha256(emu_crypto *c, const uint8_t *data, size_t len, uint8_t out[32]) {
  uint8_t full[64];
  int st = emu_digest(c, EMU_SHA256, data, len, full);
  if (st == SEK_OK)
    memcpy(out, full, 32);
  return st;
}

/*
 * HMAC_DRBG_Update (SP 800-90A §10.1.2.2):
 *   K = HMAC(K, V || 0x00 || provided); V = HMAC(K, V);
 *   if provided is not empty: K = HMAC(K, V || 0x01 || provided); V = HMAC(K, V).
 */
static int drbg_update(emu_crypto *c, emu_drbg *d, const emu_iov *parts, size_t num_parts) {
  size_t provided = 0;
  for (size_t i = 0; i < num_parts; i++)
    provided += parts[i].len;
  for (uint8_t round = 0; round < 2; round++) {
    if (round == 1 && provided == 0)
      break;
    emu_iov iov[1 + 1 + 8];
    size_t n = 0;
    iov[n++] = (emu_iov){d->v, 32};
    iov[n++] = (emu_iov){&round, 1};
    for (size_t i = 0; i < num_parts && n < sizeof iov / sizeof iov[0]; i++)
      iov[n++] = parts[i];
    int st = emu_hmac_sha256(c, d->k, 32, iov, n, d->k);
    if (st == SEK_OK)
      st = emu_hmac_sha256(c, d->k, 32, &(emu_iov){d->v, 32}, 1, d->v);
    if (st != SEK_OK)
      return st;
  }
  return SEK_OK;
}

int emu_drbg_instantiate(emu_crypto *c, emu_drbg *d, const emu_iov *parts, size_t num_parts) {
  if (num_parts > 8)
    return SEK_ERR_ARG;
  memset(d->k, 0x00, 32);
  memset(d->v, 0x01, 32);
  d->generated = 0;
  return drbg_update(c, d, parts, num_parts);
}

int emu_drbg_generate(emu_crypto *c, emu_drbg *d, uint8_t *out, size_t len) {
  while (len > 0) {
    int st = emu_hmac_sha256(c, d->k, 32, &(emu_iov){d->v, 32}, 1, d->v);
    if (st != SEK_OK)
      return st;
    size_t take = len < 32 ? len : 32;
    memcpy(out, d->v, take);
    out += take;
    len -= take;
  }
  d->generated++;
  return drbg_update(c, d, NULL, 0);
}

void emu_drbg_wipe(emu_drbg *d) { OPENSSL_cleanse(d, sizeof *d); }
