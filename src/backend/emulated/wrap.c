/*
 * wrap.c: AES-256-GCM seal / open with associated data (see emu_crypto.h): how the emulated
 * Secure Enclave keeps private scalars wrapped under its per-device key, bound to the key's
 * access control (and enrollment set), and how the keychain rows are encrypted under the class
 * keys.  A 96-bit nonce from the DRBG per seal (SP 800-38D §8.2.2: random nonces are fine far
 * below 2^32 seals per key).
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "backend/emulated/emu_crypto.h"

/* GCM takes at most INT_MAX bytes per EVP call; nothing the emulator seals comes close. */
#define MAX_PART ((size_t)1 << 30)

static int gcm_aad(EVP_CIPHER_CTX *ctx, const emu_iov *aad, size_t num_aad) {
  int n = 0;
  for (size_t i = 0; i < num_aad; i++)
    if (aad[i].len > 0 &&
        (aad[i].len > MAX_PART || !EVP_CipherUpdate(ctx, NULL, &n, aad[i].p, (int)aad[i].len)))
      return 0;
  return 1;
}

int emu_gcm_seal(emu_crypto *c, emu_drbg *d, const uint8_t key32[32], const emu_iov *aad,
                 size_t num_aad, const uint8_t *pt, size_t pt_len, uint8_t *out) {
  if (pt_len > MAX_PART)
    return SEK_ERR_LIMIT;
  int st = emu_drbg_generate(c, d, out, EMU_GCM_NONCE_LEN);
  if (st != SEK_OK)
    return st;
  EVP_CIPHER_CTX *ctx = c->gcm_ctx;
  int n = 0, fin = 0;
  if (!EVP_EncryptInit_ex2(ctx, c->gcm, key32, out, NULL) || !gcm_aad(ctx, aad, num_aad) ||
      (pt_len > 0 && !EVP_EncryptUpdate(ctx, out + EMU_GCM_NONCE_LEN, &n, pt, (int)pt_len)) ||
      !EVP_EncryptFinal_ex(ctx, out + EMU_GCM_NONCE_LEN + n, &fin) || (size_t)(n + fin) != pt_len ||
      !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, EMU_GCM_TAG_LEN,
                           out + EMU_GCM_NONCE_LEN + pt_len))
    return SEK_ERR_INTERNAL;
  return SEK_OK;
}

int emu_gcm_open(emu_crypto *c, const uint8_t key32[32], const emu_iov *aad, size_t num_aad,
                 const uint8_t *in, size_t in_len, uint8_t *out) {
  if (in_len < EMU_GCM_OVERHEAD)
    return EMU_CRYPTO_ERR_AUTH;
  size_t ct_len = in_len - EMU_GCM_OVERHEAD;
  if (ct_len > MAX_PART)
    return SEK_ERR_LIMIT;
  EVP_CIPHER_CTX *ctx = c->gcm_ctx;
  uint8_t tag[EMU_GCM_TAG_LEN];
  memcpy(tag, in + EMU_GCM_NONCE_LEN + ct_len, EMU_GCM_TAG_LEN);
  int n = 0, fin = 0;
  if (!EVP_DecryptInit_ex2(ctx, c->gcm, key32, in, NULL) || !gcm_aad(ctx, aad, num_aad) ||
      (ct_len > 0 && !EVP_DecryptUpdate(ctx, out, &n, in + EMU_GCM_NONCE_LEN, (int)ct_len)) ||
      !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, EMU_GCM_TAG_LEN, tag))
    return SEK_ERR_INTERNAL;
  if (!EVP_DecryptFinal_ex(ctx, out + n, &fin)) {
    OPENSSL_cleanse(out, ct_len);
    return EMU_CRYPTO_ERR_AUTH;
  }
  return SEK_OK;
}
