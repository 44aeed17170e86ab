/*
 * apple.h: the real Security.framework backend behind the backend interface
 * (include/sek/backend.h).  Each operation is the Apple call named there (SecKeyCreateRandomKey,
 * SecItemCopyMatching, SecItemDelete, SecKeyCopyPublicKey + SecKeyCopyExternalRepresentation,
 * SecKeyCopyAttributes, SecKeyCreateSignature, SecKeyVerifySignature, SecKeyCopyExternal-
 * Representation); dictionaries go to Apple as CFDictionary, Apple's CFError (or OSStatus) comes
 * back as a sek_error.  The same scenario scripts, harness and oracles then run against a real
 * device as against the emulator (include/sek/emu.h).
 *
 * Built on Apple platforms only (design §2, src/backend/apple/).  On every other system the same
 * functions exist: sek_apple_new returns SEK_ERR_UNSUPPORTED with a message saying so, so that a
 * command can tell its user why, on any system.
 *
 * STATUS: this backend has never been compiled against Apple's SDK nor run on an Apple device.
 * ci/check-apple compiles it on Linux against declarations of the CF/Security calls it uses
 * (harness/apple-shim/): that catches misspelt names and type errors, not behaviour.  The
 * backend's portable half (what it adds to dictionaries, which results it keeps) is unit tested
 * on every system (tests/test_apple.c); docs/apple.md says how to run the rest on a Mac.
 *
 * Conversions, to Apple (every dictionary given):
 *   keys          the raw strings the attrs module stores: they ARE the values of Security's kSec
 *                 constants (apple-facts §6, [SEC:Const]); sek_apple_new checks the table's raw
 *                 strings against the constants of the running Security.framework.
 *   STRING        CFString (UTF-8; a string that is not UTF-8: SEK_BACKEND_ERR_VALUE)
 *   DATA          CFData
 *   NUMBER        CFNumber, kCFNumberSInt64Type, or kCFNumberDoubleType for a real
 *   BOOL          kCFBooleanTrue / kCFBooleanFalse
 *   DATE          CFDate (the value is already a CFAbsoluteTime)
 *   DICT          CFDictionary (recursively)
 *   CONSTANT      CFString of the raw value
 *   ACCESS_CONTROL  SecAccessControlCreateWithFlags(kCFAllocatorDefault, protection, flags):
 *                 when Apple refuses the combination, its CFError is the call's error
 *                 (SEK_BACKEND_ERR_APPLE), exactly as an app's `try`/`!` would meet it.
 *   REFERENCE     (a variable a literal could not resolve; also as an access control's
 *                 protection): SEK_BACKEND_ERR_VALUE: there is nothing to send.
 * From Apple (attributes of SecKeyCopyAttributes and SecItemCopyMatching): CFString -> STRING, or
 * CONSTANT when the key takes constants in the attrs name table and the string is a constant of
 * that key's domain (pdmn "aku", kcls "1" ...); CFData -> DATA; CFNumber -> NUMBER (a float one
 * as a real); CFBoolean -> BOOL; CFDate -> DATE; CFDictionary -> DICT.  Every other type is LEFT
 * OUT of the dictionary and counted (sek_apple_skipped_values): SecAccessControlRef under
 * kSecAttrAccessControl (no public call reads its flags back), CFArray, CFNull, a SecKeyRef other
 * than a result's kSecValueRef, a non-finite real, a key that is not a string.
 * Errors: a CFError becomes domain, code, description and user info: string, number and data
 * entries as they are, CFBoolean as 0/1, NSUnderlyingError (any CFError value) as a nested
 * error, recursively up to SEK_ERROR_MAX_DEPTH; values of other types as their CFCopyDescription
 * text, as NSError's description prints them; entries in sorted key order (Apple prints a
 * dictionary in hash order).  The description is NSLocalizedDescription, else NSDescription
 * (Security's SecError puts its message there), else NSDebugDescription (CryptoTokenKit's
 * errors carry only that, and NSError quotes it: the seed thread), else none.  An OSStatus of
 * SecItemCopyMatching / SecItemDelete becomes an NSOSStatusErrorDomain error whose description,
 * and NSDescription entry, is SecCopyErrorMessageString's text (the emulator's form).
 *
 * Scope.  Apple's keychain holds the user's own keys, and a query such as
 * [kSecClass: kSecClassKey] matches them all: a scenario's `delete` would delete them.  With a
 * label prefix (sek_apple_config.label_prefix) the backend only ever sees and touches its own
 * keys:
 *   - create: the key's kSecAttrLabel becomes prefix + label (prefix alone when none is given;
 *     a label at the top level and one in kSecPrivateKeyAttrs are both prefixed);
 *   - copy_matching: a kSecAttrLabel in the query is prefixed; Apple is asked for every match
 *     with attributes, the results whose label does not start with the prefix are dropped, the
 *     caller's kSecMatchLimit is applied to the rest, and labels come back without the prefix
 *     (a label that was the prefix alone is removed);
 *   - delete: the matches in scope are listed that way and deleted one by one by persistent
 *     reference; a delete query that SecItemDelete refuses (kSecReturn..., a match limit other
 *     than all) is answered with errSecParam as SecItemDelete answers it, nothing being deleted;
 *   - no match in scope is errSecItemNotFound (-25300), as Apple says it.
 * Without a prefix every call goes to Apple as given, on every key the process can reach.
 * Apart from that, every query and key-generation dictionary gets kSecUseDataProtectionKeychain
 * (when configured) and kSecAttrAccessGroup (when configured and the dictionary has none), and
 * copy_matching asks Apple for attributes even when the caller did not (the results it gives the
 * caller are those asked for): so that the data of a software private key (kSecReturnData on a
 * kSecAttrKeyClassPrivate item without kSecAttrTokenID: the private key bytes) is never
 * returned: such an item comes without data (backend.h: no result carries private key bytes).
 *
 * Differences from the emulator: descriptions and addresses are Apple's real ones (not stable
 * between runs); no ground truth (sek_emu_last_truth) and no device controls: the scenario
 * runner's device, answer and fault steps need the emulator; authentication prompts are real.
 *
 * Rules for every function here: as backend.h (one thread at a time per backend; statuses of
 * status.h and backend.h; *err set on SEK_BACKEND_ERR_APPLE only, newly allocated).  No global
 * state: backends are values, several may live side by side.
 */
#ifndef SEK_APPLE_H
#define SEK_APPLE_H

#include <stdbool.h>
#include <stddef.h>

#include <sek/backend.h>
#include <sek/error.h>
#include <sek/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The longest label prefix: Apple's labels are short strings, and it is copied into each. */
#define SEK_APPLE_MAX_PREFIX 128

typedef struct {
  /* kSecAttrAccessGroup for every key created and every query that names none (an entitled
   * keychain-access-group of the binary); NULL: none (Apple's default group). */
  const char *access_group;
  /* kSecUseDataProtectionKeychain = true on every call: macOS only (iOS has no other keychain).
   * Secure Enclave keys need it, and with it a binary needs the keychain-access-groups
   * entitlement (else errSecMissingEntitlement, -34018). */
  bool data_protection_keychain;
  /* The scope (see the top of this file): NULL or "" for none.  At most SEK_APPLE_MAX_PREFIX
   * bytes of UTF-8. */
  const char *label_prefix;
} sek_apple_config;

/* sek_apple_config_default: no access group, the API's default keychain (no
 * kSecUseDataProtectionKeychain), no label prefix. */
void sek_apple_config_default(sek_apple_config *cfg);

/*
 * sek_apple_new makes a Security.framework backend.
 *   cfg        the configuration (copied; NULL: the default).
 *   out        out: the backend; free with sek_backend_free().  Its name is "apple".
 *   why, why_cap   out (may be NULL/0): on failure, a NUL-terminated message saying what is wrong.
 * Returns 0; SEK_ERR_UNSUPPORTED on a system other than Apple's (why: "the Security.framework
 * backend is only built on Apple platforms ..."); SEK_BACKEND_ERR_VALUE for a bad configuration
 * (a prefix too long or not UTF-8, an access group not UTF-8); SEK_ERR_INTERNAL when a kSec
 * constant of the running Security.framework is not the raw string libsek's table has for it
 * (why names both: the attrs module's raw keys would then be wrong); SEK_ERR_ARG (out NULL);
 * SEK_ERR_NOMEM.
 */
int sek_apple_new(const sek_apple_config *cfg, sek_backend **out, char *why, size_t why_cap);

/*
 * sek_apple_purge deletes every key of the backend's scope: each item of class kSecClassKey
 * whose kSecAttrLabel starts with the label prefix, or whose kSecAttrApplicationTag does (what
 * a test that tags its keys with the prefix leaves behind), in the backend's keychain and
 * access group.  For test set-up and clean-up.
 *   out_deleted  out (may be NULL): how many items were deleted (also on failure).
 * Returns 0 (also when there was nothing to delete); SEK_BACKEND_ERR_APPLE with *err Apple's
 * first error (the other items are still tried); SEK_ERR_ARG when be is NULL, not an Apple
 * backend, or has no label prefix (a purge without one would be every key); SEK_ERR_UNSUPPORTED
 * on other systems; SEK_ERR_NOMEM.
 */
int sek_apple_purge(sek_backend *be, size_t *out_deleted, sek_error **err);

/*
 * sek_apple_skipped_values: how many values the conversions from Apple's dictionaries have left
 * out since be was made (see "From Apple" above).  0 for NULL or a backend of another kind.
 */
size_t sek_apple_skipped_values(const sek_backend *be);

#ifdef __cplusplus
}
#endif

#endif /* SEK_APPLE_H */
