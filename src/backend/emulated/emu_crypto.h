/*
 * emu_crypto.h (internal): the emulated Secure Enclave's cryptography, over OpenSSL 3.
 *
 *  - emu_crypto: the OpenSSL objects one emulator fetches once (HMAC, SHA-*, AES-256-GCM, the
 *    P-256 group).  No global state: each emulator owns one.
 *  - emu_drbg: HMAC-DRBG with SHA-256 (NIST SP 800-90A §10.1.2), no prediction resistance and
 *    no reseed from the system: every bit the emulator draws comes from its seed.
 *  - P-256: key generation from the DRBG (FIPS 186-4 B.4.2, candidates tested against n) and
 *    ECDSA signing by OpenSSL's own P-256 code, in a library context of the emulator's whose
 *    private RNG is OpenSSL's TEST-RAND holding a fixed per-device block.  OpenSSL 3.0 draws
 *    the nonce as SHA-512(counter || d || digest || random) (BN_generate_dsa_nonce), so with a
 *    fixed block it is a deterministic function of the device, the key and the digest —
 *    RFC 6979's property — while the arithmetic is OpenSSL's constant-time nistz256.
 *  - AES-256-GCM seal / open with associated data (the key wrap of the private scalars and of
 *    the keychain rows).
 *
 * Every function returns 0 or a negative status: SEK_ERR_NOMEM, SEK_ERR_INTERNAL (OpenSSL
 * failed), EMU_CRYPTO_ERR_AUTH (GCM tag mismatch: wrong key or associated data).  Secret
 * buffers are cleansed before they are freed or go out of scope.
 */
#ifndef SEK_EMU_CRYPTO_H
#define SEK_EMU_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ec.h>
#include <openssl/types.h>

#include <sek/status.h>

/* An internal status of this layer (inside the emulator's range, never returned to callers). */
#define EMU_CRYPTO_ERR_AUTH (-599)

#define EMU_GCM_NONCE_LEN 12
#define EMU_GCM_TAG_LEN 16
#define EMU_GCM_OVERHEAD (EMU_GCM_NONCE_LEN + EMU_GCM_TAG_LEN)

/* Shared by drbg.c, p256.c and wrap.c; callers treat it as opaque. */
typedef struct emu_crypto {
  EVP_MAC *hmac;         /* EVP_MAC "HMAC" */
  EVP_MAC_CTX *hmac_ctx; /* digest SHA-256; re-keyed per call */
  EVP_MD *md[5];         /* by emu_hash */
  EVP_MD_CTX *md_ctx;
  EVP_CIPHER *gcm; /* AES-256-GCM */
  EVP_CIPHER_CTX *gcm_ctx;
  EC_GROUP *group; /* P-256 */
  BN_CTX *bn_ctx;
  BIGNUM *order;        /* n */
  OSSL_LIB_CTX *libctx; /* the signing context: its private RNG is TEST-RAND */
  OSSL_PROVIDER *provider;
  EVP_RAND_CTX *nonce_rand;
  uint8_t nonce_entropy[64]; /* the fixed block, set per device */
  /* Signing contexts of recently used keys, found by scalar after each unwrap (the emulated
   * Secure Enclave's own memory; cleansed and freed with it). */
  struct emu_signer {
    uint8_t d[32];
    EVP_PKEY_CTX *ctx;
    uint64_t used;
  } signers[8];
  uint64_t signs;
} emu_crypto;

/* emu_crypto_new fetches what the emulator needs; NULL when OpenSSL or memory fails. */
emu_crypto *emu_crypto_new(void);
void emu_crypto_free(emu_crypto *c);

/* A byte string, for functions that take several parts. */
typedef struct {
  const uint8_t *p;
  size_t len;
} emu_iov;

/* emu_hmac_sha256: HMAC-SHA-256 of the concatenated parts under key. */
int emu_hmac_sha256(emu_crypto *c, const uint8_t *key, size_t key_len, const emu_iov *parts,
                    size_t num_parts, uint8_t out[32]);

/* Hashes by SecKey's names.  emu_digest computes one (out must hold 64 bytes). */
typedef enum { EMU_SHA1, EMU_SHA224, EMU_SHA256, EMU_SHA384, EMU_SHA512 } emu_hash;
size_t emu_hash_len(emu_hash h);
int emu_digest(emu_crypto *c, emu_hash h, const uint8_t *data, size_t len, uint8_t out[64]);
/* emu_sha1 / emu_sha256: SHA-1 / SHA-256 of data. */
int emu_sha1(emu_crypto *c, const uint8_t *data, size_t len, uint8_t out[20]);
int emu_sha256(emu_crypto *c, const uint8_t *data, size_t len, uint8_t out[32]);

/* ---- HMAC-DRBG -------------------------------------------------------------------------- */

typedef struct {
  uint8_t k[32], v[32];
  uint64_t generated; /* calls since instantiation (diagnostics; no reseed limit applies) */
} emu_drbg;

/* emu_drbg_instantiate: Instantiate with seed material = the concatenated parts. */
int emu_drbg_instantiate(emu_crypto *c, emu_drbg *d, const emu_iov *parts, size_t num_parts);
/* emu_drbg_generate: len bytes into out (any length). */
int emu_drbg_generate(emu_crypto *c, emu_drbg *d, uint8_t *out, size_t len);
/* emu_drbg_wipe: cleanses the state. */
void emu_drbg_wipe(emu_drbg *d);

/* ---- P-256 ------------------------------------------------------------------------------ */

/*
 * emu_p256_keygen draws a private scalar d in [1, n-1] from the DRBG and computes the public
 * key 04 || X || Y.  d32 receives the scalar (the caller wraps and cleanses it).
 */
int emu_p256_keygen(emu_crypto *c, emu_drbg *d, uint8_t d32[32], uint8_t pub65[65]);

/* emu_p256_public: the public key of scalar d32 (which must be in [1, n-1]). */
int emu_p256_public(emu_crypto *c, const uint8_t d32[32], uint8_t pub65[65]);

/* emu_p256_set_nonce_entropy sets the device's fixed block (see the top of this file). */
int emu_p256_set_nonce_entropy(emu_crypto *c, const uint8_t entropy[64]);

/*
 * emu_p256_sign: ECDSA over digest (1..64 bytes; its leftmost 256 bits are used, as X9.62 says)
 * with the key d32 (public key pub65), by OpenSSL; der receives the X9.62 DER signature
 * (at most 72 bytes), *der_len its length.  Deterministic for (device block, d32, digest).
 */
int emu_p256_sign(emu_crypto *c, const uint8_t d32[32], const uint8_t pub65[65],
                  const uint8_t *digest, size_t digest_len, uint8_t der[72], size_t *der_len);

/* emu_p256_init / emu_p256_cleanup: the signing context (called by emu_crypto_new / _free). */
int emu_p256_init(emu_crypto *c);
void emu_p256_cleanup(emu_crypto *c);

/* ---- AES-256-GCM ------------------------------------------------------------------------ */

/*
 * emu_gcm_seal: out = nonce || ciphertext || tag (pt_len + EMU_GCM_OVERHEAD bytes) under key32
 * with associated data aad; the nonce comes from the DRBG.
 */
int emu_gcm_seal(emu_crypto *c, emu_drbg *d, const uint8_t key32[32], const emu_iov *aad,
                 size_t num_aad, const uint8_t *pt, size_t pt_len, uint8_t *out);

/*
 * emu_gcm_open: the inverse; in_len must be at least EMU_GCM_OVERHEAD; out receives
 * in_len - EMU_GCM_OVERHEAD bytes.  EMU_CRYPTO_ERR_AUTH when the key, the associated data or
 * the bytes differ from the seal's (out is then cleansed).
 */
int emu_gcm_open(emu_crypto *c, const uint8_t key32[32], const emu_iov *aad, size_t num_aad,
                 const uint8_t *in, size_t in_len, uint8_t *out);

#endif /* SEK_EMU_CRYPTO_H */
