/*
 * verify.h: ECDSA P-256 signature verification over OpenSSL 3, for the `sek der verify` command,
 * the tests, the fuzz oracles and the emulated Secure Enclave.
 *
 * What it checks, in this order, returning the first failure:
 *   1. the hash: SHA-256, SHA-384 or SHA-512 (sek_verify_hash); for the digest variant, that the
 *      digest has that hash's length, as SecKey's *Digest* algorithms require [SEC:SecKey.m];
 *   2. the signature's form: strict DER (through sek_der_sig_to_raw, include/sek/der.h) or raw
 *      r || s of exactly 64 bytes (RFC 4754 / IEEE P1363, SecKey's RFC4754 algorithms); r and s
 *      in [1, n-1].  A malformed signature returns the DER module's status (-100..-199), so the
 *      caller can say which rule it broke (sek_der_sig_to_raw_at gives the byte offset);
 *   3. the public key: the ANSI X9.63 uncompressed point 04 || X || Y [SEC:SecKey.h]: the 04
 *      form byte (so a compressed 02/03 key is told so, whatever its length), 65 bytes, X and Y
 *      below the field prime p, (X, Y) on the curve (a point off the curve is the input of the
 *      invalid-curve attack, so it gets its own status);
 *   4. the verification itself (OpenSSL's EVP_PKEY_verify): SEK_OK or SEK_VERIFY_ERR_INVALID.
 * A well-formed signature over the wrong message or key is SEK_VERIFY_ERR_INVALID; nothing else
 * is.  High S is accepted (P-256 has no low-S rule, as in OpenSSL, BoringSSL, Go and Apple).
 *
 * Rules for every function here:
 *  - UNLIKE der.h, these functions allocate (OpenSSL builds a key and a context per call, freed
 *    before returning; sek_verify_ref_* build an ECDSA_SIG).  They use OpenSSL's default library
 *    context and no state of libsek's own, so they are safe to call from any thread that may use
 *    OpenSSL.  OpenSSL's error queue is left as the function found it.  (One corner needs the
 *    queue to read OpenSSL's reason: R at infinity during the verification, which is
 *    SEK_VERIFY_ERR_INVALID when the queue was empty on entry, SEK_VERIFY_ERR_OPENSSL when the
 *    caller had left errors in it.)
 *  - Byte pointers may be NULL only with a length of 0; any other NULL is SEK_ERR_ARG, and so is
 *    an unknown sek_sig_format value.  An unknown sek_verify_hash value is
 *    SEK_VERIFY_ERR_HASH (it is what a caller gets from a name it did not recognise).
 *  - No outputs besides the return value, except where a function says otherwise.
 */
#ifndef SEK_VERIFY_H
#define SEK_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include <sek/status.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SEK_VERIFY_PUB_LEN 65 /* 04 || X || Y [SEC:SecKey.h] */

enum sek_verify_status {
  /* well formed, but not a signature of this message by this key */
  SEK_VERIFY_ERR_INVALID = -700,
  /* public key not 65 bytes (or empty) */
  SEK_VERIFY_ERR_PUB_LEN = -701,
  /* first byte not 0x04: compressed 02/03, hybrid 06/07, the point at infinity 00 */
  SEK_VERIFY_ERR_PUB_FORM = -702,
  /* X or Y not below the field prime p */
  SEK_VERIFY_ERR_PUB_RANGE = -703,
  /* (X, Y) does not satisfy y^2 = x^3 - 3x + b */
  SEK_VERIFY_ERR_PUB_NOT_ON_CURVE = -704,
  /* not a supported hash (or none where one is needed) */
  SEK_VERIFY_ERR_HASH = -705,
  /* the digest's length is not the hash's output length */
  SEK_VERIFY_ERR_DIGEST_LEN = -706,
  /* a raw signature must be exactly 64 bytes (RFC 4754) */
  SEK_VERIFY_ERR_RAW_LEN = -707,
  /* OpenSSL failed for a reason other than the input */
  SEK_VERIFY_ERR_OPENSSL = -708,
  /* sek_verify_ref_der_to_raw: OpenSSL's strict verdict is "not DER, or out of range" */
  SEK_VERIFY_ERR_REF_REJECTS = -709,
};

/* The hashes; values are stable (they may be stored or fuzzed). */
typedef enum {
  SEK_VERIFY_HASH_NONE = 0, /* digest variant only: any digest length of 1..64 (inferred) */
  SEK_VERIFY_HASH_SHA256 = 1,
  SEK_VERIFY_HASH_SHA384 = 2,
  SEK_VERIFY_HASH_SHA512 = 3,
} sek_verify_hash;

/* The signature encodings: X9.62 DER (SecKey "X962") or raw r || s (SecKey "RFC4754"). */
typedef enum { SEK_SIG_DER = 0, SEK_SIG_RAW = 1 } sek_sig_format;

/*
 * sek_verify_hash_from_name looks up "sha256", "sha384", "sha512" (also "SHA-256" etc., case
 * insensitive) and stores the hash in *out.  Returns 0, SEK_VERIFY_ERR_HASH for any other name,
 * SEK_ERR_ARG for a NULL.
 */
int sek_verify_hash_from_name(const char *name, sek_verify_hash *out);

/* sek_verify_hash_name returns "sha256", ... for a hash, "none" for NONE, "unknown" otherwise. */
const char *sek_verify_hash_name(sek_verify_hash hash);

/* sek_verify_hash_len returns the hash's output length in bytes, 0 for NONE or an unknown value. */
size_t sek_verify_hash_len(sek_verify_hash hash);

/*
 * sek_verify_pub_check checks a public key as step 3 above does.  Returns 0 or
 * SEK_VERIFY_ERR_PUB_LEN / _PUB_FORM / _PUB_RANGE / _PUB_NOT_ON_CURVE (or _OPENSSL).
 */
int sek_verify_pub_check(const uint8_t *pub, size_t pub_len);

/*
 * sek_verify_msg verifies sig over msg, hashed with hash, under the public key pub.
 *   hash            SHA256, SHA384 or SHA512 (NONE is SEK_VERIFY_ERR_HASH: a message needs one)
 *   pub, pub_len    the X9.63 uncompressed public key (65 bytes)
 *   msg, msg_len    the message (any length; msg may be NULL when msg_len is 0)
 *   sig, sig_len    the signature, encoded as format says
 * Returns 0 (valid), SEK_VERIFY_ERR_INVALID, a DER status for a malformed signature, or another
 * status of this module for a bad public key, hash, raw length or an OpenSSL failure.
 */
int sek_verify_msg(sek_verify_hash hash, const uint8_t *pub, size_t pub_len, const uint8_t *msg,
                   size_t msg_len, const uint8_t *sig, size_t sig_len, sek_sig_format format);

/*
 * sek_verify_digest is sek_verify_msg for an input that is already hashed (SecKey's
 * ecdsaSignatureDigestX962SHA256 and the like).  digest_len must equal sek_verify_hash_len(hash)
 * (SEK_VERIFY_ERR_DIGEST_LEN otherwise); with SEK_VERIFY_HASH_NONE any length of 1..64 bytes is
 * taken and, as ECDSA does, only its leftmost 256 bits are used.
 */
int sek_verify_digest(sek_verify_hash hash, const uint8_t *pub, size_t pub_len,
                      const uint8_t *digest, size_t digest_len, const uint8_t *sig, size_t sig_len,
                      sek_sig_format format);

/*
 * The reference codec: OpenSSL's own answer, for differential tests, fuzz oracles (property P3
 * of the ECDSA DER reference) and benchmarks.  It is independent of der.c on purpose.
 *
 * sek_verify_ref_der_to_raw accepts der exactly when d2i_ECDSA_SIG succeeds, consumes all
 * der_len bytes, i2d_ECDSA_SIG re-encodes it to the same bytes, and 1 <= r, s < n; then it
 * writes r || s to raw (left-padded).  Returns 0, SEK_VERIFY_ERR_REF_REJECTS (raw untouched),
 * SEK_ERR_ARG.  d2i does not tell a failed allocation from bad input: both are a rejection.
 */
int sek_verify_ref_der_to_raw(const uint8_t *der, size_t der_len, uint8_t raw[64]);

/*
 * sek_verify_ref_raw_to_der encodes raw r || s the way OpenSSL does: BN_bin2bn for r and s,
 * ECDSA_SIG_set0, i2d_ECDSA_SIG into out.  There is no range check (OpenSSL encodes 0 as
 * 02 01 00, where sek_der_sig_from_raw refuses it).  Returns 0 with *out_len set,
 * SEK_DER_ERR_BUFFER (nothing written) when out_cap is too small, SEK_VERIFY_ERR_OPENSSL,
 * SEK_ERR_ARG.
 */
int sek_verify_ref_raw_to_der(const uint8_t raw[64], uint8_t *out, size_t out_cap, size_t *out_len);

/* sek_verify_strerror returns a static description of a status of this module; never NULL. */
const char *sek_verify_strerror(int status);

#ifdef __cplusplus
}
#endif

#endif /* SEK_VERIFY_H */
