/*
 * der.h: ECDSA P-256 signatures, strict X9.62 DER <-> raw 64-byte r || s (IEEE P1363, RFC 4754).
 *
 * The DER form is  SEQUENCE { INTEGER r, INTEGER s }  in its unique DER encoding (X.690 §10):
 * tag bytes exactly 0x30 and 0x02, definite lengths in the fewest bytes, INTEGER contents
 * minimal and non-negative, nothing inside the SEQUENCE after s and nothing after the SEQUENCE.
 * r and s must lie in [1, n-1], n the P-256 group order.  High S is accepted: P-256 has no
 * low-S rule (OpenSSL, BoringSSL, Go and Apple all accept it).
 *
 * Rules for every function here:
 *  - No heap allocation, no global state, no locale; safe to call from any thread.
 *  - Pointers may be NULL only where a length of 0 goes with them (der with der_len == 0);
 *    any other NULL is a caller bug and returns SEK_ERR_ARG.
 *  - On failure the outputs are untouched except where a function says otherwise.
 *  - Work is bounded by the input length (one pass; nothing is looked up by a claimed length
 *    before that length is checked against what is there).
 */
#ifndef SEK_DER_H
#define SEK_DER_H

#include <stddef.h>
#include <stdint.h>

#include <sek/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The longest DER P-256 signature: 30 46 02 21 00 <32> 02 21 00 <32>. */
#define SEK_DER_SIG_MAX_LEN 72
/* The shortest: 30 06 02 01 rr 02 01 ss. */
#define SEK_DER_SIG_MIN_LEN 8
#define SEK_DER_RAW_LEN 64

/* Each status names the DER or range rule the input broke. */
enum sek_der_status {
  SEK_DER_ERR_EMPTY = -100,          /* no input at all */
  SEK_DER_ERR_SEQ_TAG = -101,        /* first byte is not 0x30 (SEQUENCE, constructed) */
  SEK_DER_ERR_TRUNCATED = -102,      /* input ends inside a tag, a length or a content */
  SEK_DER_ERR_LEN_INDEFINITE = -103, /* length byte 0x80: indefinite form is BER, not DER */
  SEK_DER_ERR_LEN_RESERVED = -104,   /* length byte 0xFF is reserved (X.690 8.1.3.5 c) */
  SEK_DER_ERR_LEN_NONMINIMAL = -105, /* long form where short would do, or leading zero length bytes */
  SEK_DER_ERR_LEN_TOO_LARGE = -106,  /* a valid length, but larger than any P-256 signature */
  SEK_DER_ERR_TRAILING = -107,       /* bytes after the SEQUENCE */
  SEK_DER_ERR_INT_TAG = -108,        /* an element of the SEQUENCE is not 0x02 (INTEGER, primitive) */
  SEK_DER_ERR_INT_EMPTY = -109,      /* INTEGER with no content octets (X.690 8.3.1) */
  SEK_DER_ERR_INT_NEGATIVE = -110,   /* INTEGER with the top bit set: negative (missing 0x00 pad) */
  SEK_DER_ERR_INT_NONMINIMAL = -111, /* INTEGER with an unneeded leading 0x00 (X.690 8.3.2) */
  SEK_DER_ERR_INT_TOO_LARGE = -112,  /* INTEGER wider than 32 bytes: cannot be below n */
  SEK_DER_ERR_MISSING_INT = -113,    /* the SEQUENCE holds fewer than two INTEGERs */
  SEK_DER_ERR_EXTRA_IN_SEQ = -114,   /* bytes inside the SEQUENCE after s */
  SEK_DER_ERR_R_ZERO = -115,         /* r = 0 (CVE-2022-21449: must be rejected) */
  SEK_DER_ERR_S_ZERO = -116,         /* s = 0 */
  SEK_DER_ERR_R_RANGE = -117,        /* r >= n */
  SEK_DER_ERR_S_RANGE = -118,        /* s >= n */
  SEK_DER_ERR_BUFFER = -119,         /* out_cap too small for the encoding (72 always suffices) */
};

/*
 * sek_der_sig_to_raw parses a strict DER signature into raw r || s.
 *   der, der_len   the encoding; der may be NULL when der_len is 0.
 *   raw            out: r then s, big-endian, each left-padded to 32 bytes.  Written only on success.
 * Returns 0, or the sek_der_status of the first rule broken (in reading order).
 */
int sek_der_sig_to_raw(const uint8_t *der, size_t der_len, uint8_t raw[64]);

/*
 * sek_der_sig_to_raw_at is sek_der_sig_to_raw that also says where it stopped.  err_offset may
 * be NULL; otherwise it is always written: der_len on success, and on failure the offset of the
 * byte the broken rule is about:
 *   SEK_DER_ERR_EMPTY, _SEQ_TAG                      0
 *   SEK_DER_ERR_LEN_*                                the first octet of the offending length
 *   SEK_DER_ERR_INT_TAG                              the tag of the offending element
 *   SEK_DER_ERR_INT_EMPTY                            the length octet of that INTEGER
 *   SEK_DER_ERR_INT_NEGATIVE, _NONMINIMAL, _TOO_LARGE,
 *   SEK_DER_ERR_R_* and _S_*                         the first content octet of that INTEGER
 *   SEK_DER_ERR_MISSING_INT                          the end of the SEQUENCE's content
 *   SEK_DER_ERR_EXTRA_IN_SEQ, _TRAILING              the first extra byte
 *   SEK_DER_ERR_TRUNCATED                            where the bytes ran out: der_len, or the end
 *                                                    of the SEQUENCE's content when an INTEGER
 *                                                    claims more than the SEQUENCE holds
 * So the offset is < der_len except for _EMPTY, _TRUNCATED and _MISSING_INT, where it is <=.
 */
int sek_der_sig_to_raw_at(const uint8_t *der, size_t der_len, uint8_t raw[64], size_t *err_offset);

/*
 * sek_der_sig_from_raw encodes raw r || s as strict DER.
 *   raw            in: 64 bytes, r and s each in [1, n-1].
 *   out, out_cap   out: the encoding, 8..72 bytes; SEK_DER_SIG_MAX_LEN always suffices.
 *   out_len        out: the number of bytes written.
 * Returns 0, SEK_DER_ERR_R_ZERO / _S_ZERO / _R_RANGE / _S_RANGE for a value outside [1, n-1],
 * or SEK_DER_ERR_BUFFER (nothing written) when out_cap is too small.
 */
int sek_der_sig_from_raw(const uint8_t raw[64], uint8_t *out, size_t out_cap, size_t *out_len);

/*
 * sek_der_scalar_check says whether a 32-byte big-endian value is a valid r or s: 0 when it is
 * in [1, n-1], SEK_DER_ERR_R_ZERO or SEK_DER_ERR_R_RANGE otherwise (callers checking s map them),
 * SEK_ERR_ARG when v is NULL.
 * Constant time is not a goal: signatures are public.
 */
int sek_der_scalar_check(const uint8_t v[32]);

/*
 * sek_der_strerror returns a static description of a status of this module (or of the common
 * range); never NULL.
 */
const char *sek_der_strerror(int status);

#ifdef __cplusplus
}
#endif

#endif /* SEK_DER_H */
