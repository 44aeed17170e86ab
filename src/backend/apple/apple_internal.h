/*
 * apple_internal.h: the parts of the Security.framework backend (include/sek/apple.h) shared by
 * its files and its tests.
 *
 * Two halves:
 *   - portable (apple_scope.c, built on every system and unit tested on Linux): the settings,
 *     what the backend adds to the dictionaries it hands to Apple (scope, keychain, access
 *     group), which results it keeps and what it strips from them, small text checks, the table
 *     of error-description keys.  Pure sek_attrs work: no CoreFoundation.
 *   - Apple (apple_cf.c, apple.c; only where __APPLE__ or SEK_APPLE_SHIM is defined): sek_attrs
 *     <-> CFDictionary, CFError / OSStatus -> sek_error, the operations.
 * Statuses, ownership and NULL rules as in include/sek/apple.h and include/sek/backend.h.
 */
#ifndef SEK_APPLE_INTERNAL_H
#define SEK_APPLE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <sek/apple.h>
#include <sek/attrs.h>
#include <sek/error.h>

/* ---- portable half (apple_scope.c) ------------------------------------------------------- */

/* The configuration as the backend keeps it (strings owned). */
typedef struct {
  char *access_group; /* NULL: none */
  bool data_protection_keychain;
  char *prefix; /* NULL: no scope */
  size_t prefix_len;
} apple_settings;

/*
 * apple_settings_init copies cfg (NULL: the default) into *s after checking it: a prefix of at
 * most SEK_APPLE_MAX_PREFIX bytes, prefix and access group valid UTF-8 without NUL (""
 * counts as none).  Returns 0, SEK_BACKEND_ERR_VALUE with a message in why, or SEK_ERR_NOMEM;
 * *s is untouched on failure.  apple_settings_clear frees what init allocated.
 */
int apple_settings_init(apple_settings *s, const sek_apple_config *cfg, char *why, size_t why_cap);
void apple_settings_clear(apple_settings *s);

/* apple_why: snprintf into why (nothing when why is NULL or why_cap 0): the message of a
 * failed sek_apple_new. */
void apple_why(char *why, size_t why_cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* apple_utf8_valid: whether s[0..len) is well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), which CFStringCreateWithBytes needs. */
bool apple_utf8_valid(const char *s, size_t len);

/* The return types a query asks for: kSecReturn… true, or a non-zero number, as SecItem reads
 * them (the query module's reading, src/query.c). */
typedef struct {
  bool ref, attributes, data, persistent_ref;
} apple_returns;

/* What the backend does with a query besides handing it to Apple. */
typedef struct {
  apple_returns asked; /* what the caller's query asked for */
  bool scoped;         /* results are filtered by the label prefix */
  size_t limit;        /* copy: results to keep (1 by default, SIZE_MAX for all) */
  bool refuse_param;   /* scoped delete of a query SecItemDelete refuses: answer errSecParam */
} apple_plan;

typedef enum { APPLE_QUERY_COPY, APPLE_QUERY_DELETE } apple_query_kind;

/*
 * apple_prepare_keygen: the dictionary handed to SecKeyCreateRandomKey: a copy of params with
 * kSecUseDataProtectionKeychain (when configured), kSecAttrAccessGroup (when configured and
 * params has none, at the top or in kSecPrivateKeyAttrs) and, in a scope, the prefixed labels
 * (apple.h).  *out: newly allocated (sek_attrs_free).  Returns 0, SEK_BACKEND_ERR_VALUE (a
 * kSecAttrLabel that is not a string, in a scope), SEK_ERR_NOMEM, or an attrs status (a limit).
 */
int apple_prepare_keygen(const apple_settings *s, const sek_attrs *params, sek_attrs **out);

/*
 * apple_prepare_query: the dictionary handed to SecItemCopyMatching (copy) or, for an
 * unscoped delete, to SecItemDelete; for a scoped delete, the listing query whose results are
 * deleted one by one.  Adds what apple_prepare_keygen adds (the label in the query only), and
 * for copy kSecReturnAttributes; in a scope (copy and delete) kSecMatchLimitAll, and for delete
 * kSecReturnAttributes and kSecReturnPersistentRef.  *plan says what to do with the results.
 * Returns as apple_prepare_keygen.  When plan->refuse_param is set, *out is still made but is
 * not to be used.
 */
int apple_prepare_query(const apple_settings *s, const sek_attrs *query, apple_query_kind kind,
                        sek_attrs **out, apple_plan *plan);

/* apple_item_in_scope: whether a result's attributes have a kSecAttrLabel that starts with the
 * prefix (always true without a scope). */
bool apple_item_in_scope(const apple_settings *s, const sek_attrs *item);

/* apple_item_purgeable: in scope by label, or with a kSecAttrApplicationTag (data or string)
 * that starts with the prefix.  False without a scope. */
bool apple_item_purgeable(const apple_settings *s, const sek_attrs *item);

/* apple_item_unscope: removes the prefix from the item's kSecAttrLabel (removes the label when
 * it was the prefix alone).  Returns 0 or SEK_ERR_NOMEM; a no-op without a scope. */
int apple_item_unscope(const apple_settings *s, sek_attrs *item);

/* apple_item_is_secret_key: the item is a private key outside any token (kSecAttrKeyClass
 * kSecAttrKeyClassPrivate, as a constant, string or number, and no kSecAttrTokenID), whose
 * kSecValueData would be the private key bytes. */
bool apple_item_is_secret_key(const sek_attrs *item);

/*
 * apple_delete_one_query: the SecItemDelete dictionary for one item of a listing: the item's
 * kSecValuePersistentRef, the listing query's kSecClass (when it has one) and the configured
 * keychain (kSecUseDataProtectionKeychain).  *out newly allocated.  Returns 0,
 * SEK_BACKEND_ERR_UNEXPECTED (the item has no persistent reference) or SEK_ERR_NOMEM.
 */
int apple_delete_one_query(const apple_settings *s, const sek_attrs *query, const sek_attrs *item,
                           sek_attrs **out);

/* apple_purge_query: the listing sek_apple_purge deletes from: every kSecClassKey item with
 * attributes and persistent reference, in the configured keychain and access group.  Newly
 * allocated, or NULL (no memory). */
sek_attrs *apple_purge_query(const apple_settings *s);

/* apple_string_kind: how a string coming back from Apple under raw key `key` is kept:
 * SEK_VALUE_CONSTANT when the name table gives the key a constant domain and value is one of
 * that domain's constants, else SEK_VALUE_STRING. */
sek_value_kind apple_string_kind(const char *key, const char *value);

/* apple_algorithm_raw: the raw SecKeyAlgorithm string of an algorithm in any of the three
 * spellings backend.h lists (the scenario module's table); any other text as given (Apple
 * then judges it: errSecParam "algorithm not supported by the key"). */
const char *apple_algorithm_raw(const char *name);

/* The user-info keys whose string is an error's description, in order of preference. */
typedef struct {
  const char *key;
  const char *evidence;
} apple_description_key;
extern const apple_description_key apple_description_keys[];
extern const size_t apple_num_description_keys;

/* ---- Apple half (apple_cf.c, apple.c) ---------------------------------------------------- */

#if defined(__APPLE__) || defined(SEK_APPLE_SHIM)
#include <CoreFoundation/CoreFoundation.h>
#include <Security/Security.h>

/* The ownership annotations (CFBase.h defines them) tell clang's static analyzer which of these
 * helpers hand out a +1 object or take one over: `ci/check-apple` runs its retain-count checker
 * on this backend, the one check of its CF memory management that works off a Mac. */

/* apple_cfstring: a new CFString of UTF-8 bytes, or NULL (no memory, not UTF-8).  CFRelease. */
CFStringRef apple_cfstring(const char *s, size_t len) CF_RETURNS_RETAINED;

/*
 * apple_utf8: the UTF-8 bytes of a CFString in *out, newly allocated (free()) and
 * NUL-terminated, with its exact length (embedded NULs included) in *len (may be NULL).
 * Returns 0, SEK_BACKEND_ERR_VALUE (a NULL string, or one UTF-8 cannot hold: an unpaired
 * surrogate) or SEK_ERR_NOMEM.
 */
int apple_utf8(CFStringRef s, char **out, size_t *len);

/*
 * apple_dict_from_attrs: a new CFDictionary of a (conversions in apple.h; CFRelease it).
 * Returns 0; SEK_BACKEND_ERR_APPLE (an access control Apple refuses: *err holds its error,
 * when err is not NULL); SEK_BACKEND_ERR_VALUE; SEK_ERR_NOMEM.
 */
int apple_dict_from_attrs(const sek_attrs *a, CFDictionaryRef *out CF_RETURNS_RETAINED,
                          sek_error **err);

/*
 * apple_attrs_from_dict: a new sek_attrs of d (conversions in apple.h), counting what is left
 * out in *skipped.  skip_values: leave out, without counting, the top level's kSecValueRef and
 * kSecValueData (a result dictionary's reference and data, which the caller takes itself).
 * Returns 0 or SEK_ERR_NOMEM.
 */
int apple_attrs_from_dict(CFDictionaryRef d, bool skip_values, sek_attrs **out, size_t *skipped);

/*
 * apple_error_from_cf: the sek_error of a CFError (apple.h), newly allocated.  Returns 0 or
 * SEK_ERR_NOMEM.  apple_error_from_status: the NSOSStatusErrorDomain error of an OSStatus.
 */
int apple_error_from_cf(CFErrorRef e, sek_error **out);
int apple_error_from_status(OSStatus status, sek_error **out);

/*
 * apple_fail: the status of a call that failed with cferr (which it releases): the error
 * stored in *err (when err is not NULL) and SEK_BACKEND_ERR_APPLE; SEK_BACKEND_ERR_UNEXPECTED
 * when cferr is NULL (NULL without an error); SEK_ERR_NOMEM.  apple_fail_status: the same for
 * an OSStatus.
 */
int apple_fail(CFErrorRef cferr CF_CONSUMED, sek_error **err);
int apple_fail_status(OSStatus status, sek_error **err);

/* apple_cf_is: whether t is a non-NULL object of that type (CFGetTypeID(t) == type). */
bool apple_cf_is(CFTypeRef t, CFTypeID type);

/* apple_key_ref: the SecKeyRef of a CFTypeRef already checked to be one.  The cast goes through
 * uintptr_t because CF hands objects out as const void * and SecKeyRef is not const-qualified
 * (a plain cast would trip -Wcast-qual; nothing is written through it here). */
SecKeyRef apple_key_ref(CFTypeRef t CF_CONSUMED) CF_RETURNS_RETAINED;

/* sek_key_new (backend.h) takes key_impl over, also when it fails (it releases it through
 * key_free): redeclared with that said, for the analyzer, which cannot see it through a void *. */
sek_key *sek_key_new(sek_backend *be, void *key_impl CF_CONSUMED);
#endif

#endif /* SEK_APPLE_INTERNAL_H */
