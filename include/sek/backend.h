/*
 * backend.h: the operations an app performs on Secure Enclave keys, behind one interface with
 * two implementations: the emulated Secure Enclave (include/sek/emu.h, every platform) and
 * Apple's Security.framework (src/backend/apple/, Apple platforms only).  The harness, the fuzz
 * targets and the scenario runner talk only to this interface.
 *
 * Each operation is the C shape of one Apple call:
 *
 *   sek_backend_create_random_key         SecKeyCreateRandomKey
 *   sek_backend_copy_matching             SecItemCopyMatching
 *   sek_backend_delete                    SecItemDelete
 *   sek_backend_copy_public_key           SecKeyCopyPublicKey + SecKeyCopyExternalRepresentation
 *   sek_backend_copy_key_attributes       SecKeyCopyAttributes
 *   sek_backend_create_signature          SecKeyCreateSignature
 *   sek_backend_verify_signature          SecKeyVerifySignature
 *   sek_backend_copy_external_representation  SecKeyCopyExternalRepresentation (private key)
 *
 * Rules for every function here:
 *  - Dictionaries are attrs-module values (include/sek/attrs.h), keyed by raw keychain strings
 *    or kSec names; the backend never keeps a pointer to a dictionary it was given.
 *  - Returns 0 on success.  SEK_BACKEND_ERR_APPLE means "Apple answered with an error": *err
 *    (when err is not NULL) then holds that error exactly as Apple would hand it to the app:
 *    domain ("NSOSStatusErrorDomain", "CryptoTokenKit", "com.apple.LocalAuthentication"),
 *    code, description, user info (NSDebugDescription, AKSError, NSUnderlyingError, ...).
 *    Every other status is a problem on our side of the interface (a NULL argument, a buffer
 *    that is too small, a key handle from another backend, out of memory): *err is untouched.
 *  - *err is set on failure only, newly allocated; free with sek_error_free().  err may be NULL.
 *  - Outputs are written on success only.
 *  - A sek_key is a key reference (SecKeyRef): it never holds or exposes private key bytes
 *    through any function.  Keys and item lists are reference-counted values owned by the
 *    caller; they stay valid after the item is deleted from the keychain (as a SecKeyRef does)
 *    and must not outlive their backend.
 *  - A backend, and everything made from it, is used from one thread at a time.
 */
#ifndef SEK_BACKEND_H
#define SEK_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sek/attrs.h>
#include <sek/error.h>
#include <sek/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Statuses of the backend interface (-500 .. -549; the emulator has -550 .. -599). */
enum sek_backend_status {
  SEK_BACKEND_ERR_APPLE = -500,       /* the call failed the way Apple fails it: see *err */
  SEK_BACKEND_ERR_BUFFER = -501,      /* the output buffer is too small (nothing was done) */
  SEK_BACKEND_ERR_FOREIGN_KEY = -502, /* the key handle was made by a different backend */
  /* Security.framework backend (include/sek/apple.h): */
  SEK_BACKEND_ERR_VALUE = -503,      /* a value that cannot be handed to Apple: an unresolved
                                        reference, a string that is not UTF-8, a bad config */
  SEK_BACKEND_ERR_UNEXPECTED = -504, /* Apple's answer has a shape the interface cannot carry:
                                        no result and no error, a public key that is not the
                                        65-byte X9.63 P-256 form, a result of another type */
};

/* sek_backend_strerror names a status of -500 .. -599 (backend and emulator). Never NULL. */
const char *sek_backend_strerror(int status);

typedef struct sek_backend sek_backend;
typedef struct sek_key sek_key;
typedef struct sek_items sek_items;

/* The longest signature any supported algorithm produces: DER X9.62 of P-256 (72 bytes). */
#define SEK_SIG_MAX_LEN 72

/*
 * sek_backend_name returns a static name of the implementation: "emulated" or "apple".
 */
const char *sek_backend_name(const sek_backend *be);

/*
 * sek_backend_create_random_key generates a key pair (SecKeyCreateRandomKey).
 *   params   the key-generation dictionary: kSecAttrTokenID, kSecAttrKeyType,
 *            kSecAttrKeySizeInBits, kSecPrivateKeyAttrs { kSecAttrAccessControl,
 *            kSecAttrIsPermanent, kSecAttrApplicationTag, ... }, kSecAttrApplicationLabel, ...
 *   out      out: the private key reference, newly allocated; free with sek_key_free().
 * A permanent key (the default for a token key) is also stored in the keychain; a clash with
 * an existing item is errSecDuplicateItem (-25299).
 */
int sek_backend_create_random_key(sek_backend *be, const sek_attrs *params, sek_key **out,
                                  sek_error **err);

/*
 * sek_backend_copy_matching finds keychain items (SecItemCopyMatching).
 *   query    kSecClass, attributes to match, kSecMatchLimit (one — the default —, all, or a
 *            number), kSecReturnRef / kSecReturnAttributes / kSecReturnData, kSecUse... keys.
 *   out      out: the matches (at least one), newly allocated; free with sek_items_free().
 *            kSecReturnPersistentRef puts v_PersistentRef into the item's attributes (a
 *            dictionary is made for it when attributes were not asked for).
 * No match is errSecItemNotFound (-25300).  No result ever carries private key bytes.
 */
int sek_backend_copy_matching(sek_backend *be, const sek_attrs *query, sek_items **out,
                              sek_error **err);

/*
 * sek_backend_delete deletes every item the query matches (SecItemDelete).  No match is
 * errSecItemNotFound (-25300); kSecReturn... or a match limit other than all is errSecParam.
 */
int sek_backend_delete(sek_backend *be, const sek_attrs *query, sek_error **err);

/*
 * sek_backend_copy_public_key writes the key's public key in ANSI X9.63 form 04 || X || Y
 * (65 bytes for P-256) to pub65.  Needs no authentication.
 */
int sek_backend_copy_public_key(sek_backend *be, const sek_key *key, uint8_t pub65[65],
                                sek_error **err);

/*
 * sek_backend_copy_key_attributes returns the key's attributes (SecKeyCopyAttributes):
 * kSecAttrKeyClass, kSecAttrKeyType, kSecAttrKeySizeInBits, kSecAttrApplicationLabel (SHA-1
 * of the public key), kSecAttrTokenID, kSecAttrIsPermanent, ...  Newly allocated; free with
 * sek_attrs_free().  Never includes private key bytes.
 */
int sek_backend_copy_key_attributes(sek_backend *be, const sek_key *key, sek_attrs **out,
                                    sek_error **err);

/*
 * sek_backend_create_signature signs with the private key (SecKeyCreateSignature).
 *   algorithm      a SecKeyAlgorithm: the constant name ("kSecKeyAlgorithmECDSASignature
 *                  MessageX962SHA256"), Swift's spelling (".ecdsaSignatureMessageX962SHA256")
 *                  or the raw string ("algid:sign:ECDSA:message-X962:SHA256").
 *   data, len      the message (message-* algorithms) or the digest (digest-* algorithms,
 *                  whose length must be the digest size: errSecParam otherwise).
 *   sig, sig_cap   out: the signature (X9.62 DER, or RFC 4754 r || s); SEK_SIG_MAX_LEN always
 *                  suffices, a smaller buffer that does not fit is SEK_BACKEND_ERR_BUFFER.
 *   sig_len        out: bytes written.
 * May consume one of the user's answers to an authentication prompt (the key's access control
 * decides).  An algorithm the key does not support is errSecParam "...: algorithm not supported
 * by the key ...".
 */
int sek_backend_create_signature(sek_backend *be, const sek_key *key, const char *algorithm,
                                 const uint8_t *data, size_t len, uint8_t *sig, size_t sig_cap,
                                 size_t *sig_len, sek_error **err);

/*
 * sek_backend_verify_signature checks a signature with the key's public key
 * (SecKeyVerifySignature on SecKeyCopyPublicKey(key)).  Returns 0 when it verifies; a
 * signature that does not is SEK_BACKEND_ERR_APPLE with errSecVerifyFailed (-67808).
 */
int sek_backend_verify_signature(sek_backend *be, const sek_key *key, const char *algorithm,
                                 const uint8_t *data, size_t len, const uint8_t *sig,
                                 size_t sig_len, sek_error **err);

/*
 * sek_backend_copy_external_representation exports the private key
 * (SecKeyCopyExternalRepresentation).  A Secure Enclave key cannot be exported: the call fails
 * with errSecUnimplemented (-4) "export not implemented for key <SecKeyRef:...>" as Apple's
 * does.  On success (a backend that holds exportable keys) out/out_cap/out_len as for
 * signatures.
 */
int sek_backend_copy_external_representation(sek_backend *be, const sek_key *key, uint8_t *out,
                                             size_t out_cap, size_t *out_len, sek_error **err);

/* sek_backend_free destroys the backend and everything it owns.  NULL is fine. */
void sek_backend_free(sek_backend *be);

/* ---- keys --------------------------------------------------------------------------------- */

/* sek_key_retain adds a reference and returns key (NULL gives NULL). */
sek_key *sek_key_retain(sek_key *key);

/* sek_key_free drops a reference; the last one frees the handle.  NULL is fine. */
void sek_key_free(sek_key *key);

/*
 * sek_key_description writes Apple's description of the key reference, e.g.
 * "<SecKeyRef:('com.apple.setoken') 0x600000a04e40>" (addresses are stable per backend
 * instance so that output is deterministic), NUL-terminated and truncated to cap.  Returns
 * the length it wanted (snprintf's rule).
 */
size_t sek_key_description(const sek_key *key, char *buf, size_t cap);

/* ---- item lists (results of copy_matching) ------------------------------------------------ */

/* sek_items_count returns the number of results (0 for NULL). */
size_t sek_items_count(const sek_items *items);

/* sek_items_key returns result i's key reference (kSecReturnRef), borrowed: valid while items
 * lives.  NULL when i is out of range or the query did not ask for references. */
const sek_key *sek_items_key(const sek_items *items, size_t i);

/* sek_items_copy_key is sek_items_key with a new reference the caller owns (sek_key_free). */
sek_key *sek_items_copy_key(const sek_items *items, size_t i);

/* sek_items_attributes returns result i's attributes (kSecReturnAttributes), borrowed.  NULL
 * when out of range or not asked for. */
const sek_attrs *sek_items_attributes(const sek_items *items, size_t i);

/* sek_items_data returns result i's data (kSecReturnData), borrowed, and its length.  NULL
 * when out of range or not asked for (an asked-for empty value is non-NULL with length 0). */
const uint8_t *sek_items_data(const sek_items *items, size_t i, size_t *len);

/* sek_items_free frees the list and drops its key references.  NULL is fine. */
void sek_items_free(sek_items *items);

/* ---- for implementations (the emulator, Apple's backend, a test double) ------------------- */

/*
 * A backend is a table of operations over an implementation pointer.  Each operation has the
 * contract of the public function of the same name, with arguments already checked for NULL
 * (except err) and keys already checked to belong to this backend.  key_free releases the
 * implementation part of a key whose last reference went; describe writes the key's
 * description.  destroy frees impl.  Any operation may be NULL: the call then returns
 * SEK_ERR_UNSUPPORTED.
 */
typedef struct sek_backend_ops {
  const char *name;
  int (*create_random_key)(void *impl, const sek_attrs *params, sek_key **out, sek_error **err);
  int (*copy_matching)(void *impl, const sek_attrs *query, sek_items **out, sek_error **err);
  int (*delete_items)(void *impl, const sek_attrs *query, sek_error **err);
  int (*copy_public_key)(void *impl, const sek_key *key, uint8_t pub65[65], sek_error **err);
  int (*copy_key_attributes)(void *impl, const sek_key *key, sek_attrs **out, sek_error **err);
  int (*create_signature)(void *impl, const sek_key *key, const char *algorithm,
                          const uint8_t *data, size_t len, uint8_t *sig, size_t sig_cap,
                          size_t *sig_len, sek_error **err);
  int (*verify_signature)(void *impl, const sek_key *key, const char *algorithm,
                          const uint8_t *data, size_t len, const uint8_t *sig, size_t sig_len,
                          sek_error **err);
  int (*copy_external_representation)(void *impl, const sek_key *key, uint8_t *out, size_t out_cap,
                                      size_t *out_len, sek_error **err);
  size_t (*describe)(void *impl, const sek_key *key, char *buf, size_t cap);
  void (*key_free)(void *impl, void *key_impl);
  void (*destroy)(void *impl);
} sek_backend_ops;

/*
 * sek_backend_new wraps an implementation.  ops must outlive the backend (a static table);
 * impl is owned by the backend from here on (destroy frees it, also when this fails).
 * Returns NULL when out of memory.
 */
sek_backend *sek_backend_new(const sek_backend_ops *ops, void *impl);

/* sek_backend_impl returns the implementation pointer given to sek_backend_new. */
void *sek_backend_impl(const sek_backend *be);

/*
 * sek_key_new makes a key handle (one reference) for backend be around key_impl, which the
 * backend's key_free releases when the last reference goes.  Returns NULL when out of memory
 * (key_impl is then released through key_free).
 */
sek_key *sek_key_new(sek_backend *be, void *key_impl);

/* sek_key_impl returns the key_impl of a handle when it belongs to be, NULL otherwise. */
void *sek_key_impl(const sek_key *key, const sek_backend *be);

/* sek_items_new returns an empty list, or NULL when out of memory. */
sek_items *sek_items_new(void);

/*
 * sek_items_append adds one result.  Takes ownership of key (a reference, may be NULL) and of
 * attrs (may be NULL); copies data (NULL with has_data false when not asked for).  On failure
 * (SEK_ERR_NOMEM) key and attrs are released all the same.
 */
int sek_items_append(sek_items *items, sek_key *key, sek_attrs *attrs, bool has_data,
                     const uint8_t *data, size_t data_len);

#ifdef __cplusplus
}
#endif

#endif /* SEK_BACKEND_H */
