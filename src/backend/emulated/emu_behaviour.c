/*
 * emu_behaviour.c: THE behaviour table of the emulated Secure Enclave — every answer the
 * emulator gives, one row per situation, with Apple's error (domain, code, description, user
 * info, underlying error), the ground truth the decoder should reach (action, permanence), and
 * the evidence: an apple-facts.md tag, the seed thread, a field report, or "inferred: why".
 * docs/emulator.md is kept beside this table (tests/test_emu.c checks that it lists every row
 * with the same domain and code).
 *
 * Templates in the texts: {kid} key id, {alg} algorithm, {key} SecKeyRef description,
 * {detail} what the emulator adds (the parameter, SQLite's message, ...).
 *
 * Errors of the OSStatus-only calls (SecItemCopyMatching, SecItemDelete) carry a description
 * naming the call: an app sees only the code, but a printed error then says where it came from
 * (and the decoder can tell "nothing to delete" from "key missing").
 */
#include <string.h>

#include "backend/emulated/emu_internal.h"

#define OS SEK_DOMAIN_OSSTATUS
#define TK SEK_DOMAIN_CTK
#define LA SEK_DOMAIN_LA
#define RETRY SEK_ACTION_RETRY
#define PROMPT SEK_ACTION_PROMPT_AGAIN
#define UNLOCK SEK_ACTION_WAIT_FOR_UNLOCK
#define REENROLL SEK_ACTION_REENROLL_KEY
#define FIX SEK_ACTION_FIX_CONFIGURATION
#define UNSUP SEK_ACTION_UNSUPPORTED_DEVICE
#define NONE SEK_ACTION_NONE
#define YES SEK_PERMANENT_YES
#define NO SEK_PERMANENT_NO
#define UNK SEK_PERMANENT_UNKNOWN
#define KEYGEN "SecKeyCreateRandomKey"
#define KEYGEN_FAILED "Failed to generate keypair"
#define NO_AKS false, 0
#define NO_UNDERLYING NULL, 0, NULL
/* The seed's form: "<sepk:p256 kid=1214c04d05261ee3>: unable to sign digest" */
#define SEPK_SIGN "<sepk:p256 kid={kid}>: unable to sign digest"

static const sek_emu_behaviour rows[EMU_ROW_COUNT] = {
    /* ---- SecKeyCreateRandomKey ---- */
    [EMU_ROW_KEYGEN_NOT_SE_TOKEN] =
        {"keygen.not_secure_enclave_token", KEYGEN,
         "no kSecAttrTokenID: kSecAttrTokenIDSecureEnclave at the top level of the parameters "
         "(absent, another token, or inside kSecPrivateKeyAttrs): a software key",
         OS, -4, "emulator: only Secure Enclave keys are modelled ({detail})", NULL, NO_AKS,
         NO_UNDERLYING, FIX, YES,
         "emulator limitation: Apple makes a software key here (apple-facts §9: tokenID must be "
         "top level, [SEC:SecKey.m]); errSecUnimplemented [SEC:SecBase.h]"},
    [EMU_ROW_KEYGEN_NO_SECURE_ENCLAVE] =
        {"keygen.no_secure_enclave", KEYGEN,
         "a Secure Enclave key on a device without one (Simulator, VM, Mac without T2)", OS, -25300,
         KEYGEN_FAILED, NULL, NO_AKS, TK, -7, "token com.apple.setoken not found", UNSUP, YES,
         "inferred: CTK TokenNotFound (-7) -> errSecItemNotFound by SecErrorGetOSStatus "
         "([SEC:SecItem.m], apple-facts §1e), wrapped 'Failed to generate keypair' [SEC:SecKey.m]"},
    [EMU_ROW_KEYGEN_ACCESS_GROUP] =
        {"keygen.access_group_not_entitled", KEYGEN,
         "kSecAttrAccessGroup names a group the app is not entitled to", OS, -34018, KEYGEN_FAILED,
         "access group {detail} is not in the app's keychain-access-groups", NO_AKS, NO_UNDERLYING,
         FIX, YES, "[SEC:SecBase.h] errSecMissingEntitlement; O: facebookincubator/sks#5"},
    [EMU_ROW_KEYGEN_KEY_TYPE] =
        {"keygen.key_type", KEYGEN,
         "kSecAttrKeyType missing or not EC (RSA ...) with the Secure Enclave token", OS, -50,
         KEYGEN_FAILED, NULL, NO_AKS, TK, -8, "{detail}", FIX, YES,
         "inferred (apple-facts §9: not directly evidenced): the token's BadParameter (-8) -> "
         "errSecParam; 'incorrect or missing kSecAttrKeyType' [SEC:SecKey.m]"},
    [EMU_ROW_KEYGEN_KEY_SIZE] =
        {"keygen.key_size", KEYGEN,
         "kSecAttrKeySizeInBits other than 256 with the Secure Enclave token", OS, -50,
         KEYGEN_FAILED, NULL, NO_AKS, TK, -8, "{detail}", FIX, YES,
         "[APPLE-DOC-SE] 256-bit EC only; [FORUM-694855] P-384 'seen to succeed' but unsupported; "
         "error shape inferred as for the key type"},
    [EMU_ROW_KEYGEN_ACCESS_CONTROL] =
        {"keygen.access_control", KEYGEN,
         "kSecAttrAccessControl is not a valid SecAccessControl (Or with And, two bio "
         "constraints, UserPresence with others, unknown protection), or a kSecAttrAccessible "
         "beside it names another protection class",
         OS, -50, "{detail}", NULL, NO_AKS, NO_UNDERLYING, FIX, YES,
         "[SEC:AC.m] SecAccessControlCreateWithFlags validation, all errSecParam (apple-facts "
         "§5a); one protection class per item: inferred (the attrs lint's AC010)"},
    [EMU_ROW_KEYGEN_ATTRIBUTE] =
        {"keygen.attribute", KEYGEN,
         "a key-generation attribute holds a value of the wrong type or an unknown accessibility",
         OS, -50, KEYGEN_FAILED, "{detail}", NO_AKS, NO_UNDERLYING, FIX, YES,
         "[SEC:KCItem] 'accessible attribute ... unknown' errSecParam; wrong CF types inferred"},
    [EMU_ROW_KEYGEN_SYNCHRONIZABLE] =
        {"keygen.synchronizable", KEYGEN, "kSecAttrSynchronizable true for a Secure Enclave key",
         OS, -50, KEYGEN_FAILED, "Secure Enclave keys cannot be synchronizable", NO_AKS,
         NO_UNDERLYING, FIX, YES,
         "inferred: an enclave key never leaves the device [APPLE-DOC-SE]"},
    [EMU_ROW_KEYGEN_PASSCODE_NOT_SET] =
        {"keygen.passcode_not_set", KEYGEN,
         "protection kSecAttrAccessibleWhenPasscodeSetThisDeviceOnly on a device without passcode",
         OS, -25293, KEYGEN_FAILED, NULL, NO_AKS, LA, -5, "Passcode not set.", UNSUP, NO,
         "inferred: LAErrorPasscodeNotSet [SDK-LA11] -> errSecAuthFailed by SecErrorGetOSStatus "
         "[SEC:SecItem.m]; setting a passcode makes it work"},
    [EMU_ROW_KEYGEN_DUPLICATE] =
        {"keygen.duplicate", KEYGEN,
         "a permanent key whose UNIQUE attributes (label, tag, ...) equal a stored item's", OS,
         -25299, "The specified item already exists in the keychain.", NULL, NO_AKS, NO_UNDERLYING,
         FIX, YES,
         "[SEC:SecItem.m] SQLITE_CONSTRAINT -> errSecDuplicateItem (apple-facts §1e); message "
         "[SEC:SecBase.h]"},

    /* ---- SecItemCopyMatching / SecItemDelete ---- */
    [EMU_ROW_QUERY_PARAM] =
        {"query.param", "SecItemCopyMatching",
         "the query is malformed: no class, a value of the wrong type, a bad match limit, an "
         "option keys do not support",
         OS, -50, "{detail}", NULL, NO_AKS, NO_UNDERLYING, FIX, YES,
         "[SEC:SecBasePriv.h] errSecItemClassMissing / InvalidValue / MatchLimitUnsupported ... "
         "= errSecParam (query.c's rule table)"},
    [EMU_ROW_QUERY_NO_SUCH_ATTR] =
        {"query.no_such_attr", "SecItemCopyMatching",
         "the query names an attribute the keys class does not have", OS, -25303, "{detail}", NULL,
         NO_AKS, NO_UNDERLYING, FIX, YES,
         "[SEC:SecBase.h] errSecNoSuchAttr; inferred: securityd's query parser"},
    [EMU_ROW_QUERY_NO_SUCH_CLASS] = {"query.no_such_class", "SecItemCopyMatching",
                                     "kSecClass is not an item class", OS, -25306, "{detail}", NULL,
                                     NO_AKS, NO_UNDERLYING, FIX, YES,
                                     "[SEC:SecBase.h] errSecNoSuchClass"},
    [EMU_ROW_QUERY_NOT_FOUND] =
        {"query.not_found", "SecItemCopyMatching",
         "no item matches (never created, deleted, a ...PasscodeSet... key after passcode "
         "removal, another class)",
         OS, -25300, "SecItemCopyMatching: The specified item could not be found in the keychain.",
         NULL, NO_AKS, NO_UNDERLYING, REENROLL, YES, "[SEC:SecBase.h] errSecItemNotFound"},
    [EMU_ROW_QUERY_LOCKED] =
        {"query.locked", "SecItemCopyMatching",
         "a matching item's protection class is unavailable: when-unlocked classes on a locked "
         "device, after-first-unlock classes before the first unlock",
         OS, -25308, "SecItemCopyMatching: User interaction is not allowed.", NULL, NO_AKS,
         NO_UNDERLYING, UNLOCK, NO,
         "[SEC:Keybag] kAKSReturnNoPermission -> errSecInteractionNotAllowed (keychain locked)"},
    [EMU_ROW_QUERY_UNDECRYPTABLE] =
        {"query.undecryptable", "SecItemCopyMatching",
         "a matching item's data cannot be decrypted or decoded (another device's or a damaged "
         "row)",
         OS, -26275, "SecItemCopyMatching: {detail}", NULL, NO_AKS, NO_UNDERLYING, REENROLL, YES,
         "[SEC:Keybag] decode errors -> errSecDecode ('can't be decrypted on this device, ever')"},
    [EMU_ROW_DELETE_NOT_FOUND] =
        {"delete.not_found", "SecItemDelete", "no item matches the delete query", OS, -25300,
         "SecItemDelete: The specified item could not be found in the keychain.", NULL, NO_AKS,
         NO_UNDERLYING, NONE, NO, "[SEC:SecBase.h] errSecItemNotFound"},
    [EMU_ROW_DELETE_LOCKED] =
        {"delete.locked", "SecItemDelete",
         "a matching item's protection class is unavailable (locked device)", OS, -25308,
         "SecItemDelete: User interaction is not allowed.", NULL, NO_AKS, NO_UNDERLYING, UNLOCK, NO,
         "[SEC:Keybag] kAKSReturnNoPermission -> errSecInteractionNotAllowed"},

    /* ---- SecKeyCreateSignature ---- */
    [EMU_ROW_SIGN_ALGORITHM] = {"sign.algorithm", "SecKeyCreateSignature",
                                "an algorithm the key does not support (not ECDSA, unknown string)",
                                OS, -50, "{alg}: algorithm not supported by the key {key}", NULL,
                                NO_AKS, NO_UNDERLYING, FIX, YES, "[SEC:SecKey.m] (apple-facts §7)"},
    [EMU_ROW_SIGN_DIGEST_SIZE] =
        {"sign.digest_size", "SecKeyCreateSignature",
         "a digest-* algorithm with input whose length is not the digest size", OS, -50,
         "bad digest size for signing with algorithm {alg}", NULL, NO_AKS, NO_UNDERLYING, FIX, YES,
         "[SEC:Adaptors] (apple-facts §7)"},
    [EMU_ROW_SIGN_NO_PRIVATE_KEY_USAGE] =
        {"sign.no_private_key_usage", "SecKeyCreateSignature",
         "the key's access control has constraints but no .privateKeyUsage: its ACL has no "
         "sign operation",
         LA, -1009, "ACL operation is not allowed: 'osgn'", "ACL operation is not allowed: 'osgn'",
         NO_AKS, NO_UNDERLYING, FIX, YES,
         "O: flutter_secure_storage PR #989 ('ock' form); [SEC:AC.m] op placement; 'osgn' for "
         "sign [FORUM-769762]"},
    [EMU_ROW_SIGN_LOCKED] =
        {"sign.locked", "SecKeyCreateSignature",
         "the key's protection class is unavailable (locked, or before the first unlock)", OS,
         -25308, "SecKeyCreateSignature: User interaction is not allowed.", NULL, NO_AKS,
         NO_UNDERLYING, UNLOCK, NO,
         "inferred: kAKSReturnNoPermission -> errSecInteractionNotAllowed [SEC:Keybag]"},
    [EMU_ROW_SIGN_POLICY_INVALID] =
        {"sign.policy_invalid", "SecKeyCreateSignature",
         "THE SEED: the key's wrapped blob no longer unwraps under its policy — a "
         ".biometryCurrentSet key after an enrollment change (or removal), or any key with an "
         "injected policy fault; no prompt is shown; for good",
         TK, -3, SEPK_SIGN, SEPK_SIGN, true, -536362999, NO_UNDERLYING, REENROLL, YES,
         "O: seed thread (devforums, verbatim form; Quinn: 0xe007c009 'policy invalid', delete "
         "and re-create); apple-facts §3b, §9"},
    [EMU_ROW_SIGN_CLASS_KEY_GONE] =
        {"sign.class_key_gone", "SecKeyCreateSignature",
         "the key's protection class key was destroyed (a ...PasscodeSet... key after passcode "
         "removal, an UntilReboot key after reboot) while a reference was still held",
         TK, -3, SEPK_SIGN, SEPK_SIGN, true, -536870212, NO_UNDERLYING, REENROLL, YES,
         "inferred: kAKSReturnError (likely 0xE00002BC, apple-facts §3b) -> 'can't be decrypted "
         "on this device, ever' [SEC:Keybag], in the seed's CTK form"},
    [EMU_ROW_SIGN_PASSCODE_NOT_SET] =
        {"sign.passcode_not_set", "SecKeyCreateSignature",
         "the access control needs a passcode (devicePasscode, userPresence, biometry) and none "
         "is set",
         LA, -5, "Passcode not set.", "Passcode not set.", NO_AKS, NO_UNDERLYING, UNSUP, NO,
         "[SDK-LA11] LAErrorPasscodeNotSet; message inferred"},
    [EMU_ROW_SIGN_BIOMETRY_NOT_ENROLLED] =
        {"sign.biometry_not_enrolled", "SecKeyCreateSignature",
         "a .biometryAny key (or a biometry constraint) while no biometry is enrolled", LA, -7,
         "No identities are enrolled.", "No identities are enrolled.", NO_AKS, NO_UNDERLYING, UNSUP,
         NO, "[SDK-LA11] LAErrorBiometryNotEnrolled; message inferred"},
    [EMU_ROW_SIGN_COMPANION_UNAVAILABLE] =
        {"sign.companion_unavailable", "SecKeyCreateSignature",
         "a .companion (.watch) constraint: the emulated device has no paired companion", LA, -11,
         "Companion device not available.", "Companion device not available.", NO_AKS,
         NO_UNDERLYING, UNSUP, NO, "[SDK-LA11] LAErrorWatchNotAvailable / [MS-LA] Companion -11"},
    [EMU_ROW_SIGN_NOT_INTERACTIVE] =
        {"sign.not_interactive", "SecKeyCreateSignature",
         "authentication is needed but no UI can be shown (the app in the background, or the "
         "key found with kSecUseAuthenticationUI fail)",
         LA, -1004, "User interaction is required.", "User interaction is required.", NO_AKS,
         NO_UNDERLYING, UNLOCK, NO,
         "[SDK-LA11] LAErrorNotInteractive (-1004); [SEC:SecItem.m] -> "
         "errSecInteractionNotAllowed"},
    [EMU_ROW_SIGN_USER_CANCEL] = {"sign.user_cancel", "SecKeyCreateSignature",
                                  "the user cancels the prompt", LA, -2, "Canceled by user.",
                                  "Canceled by user.", NO_AKS, NO_UNDERLYING, PROMPT, NO,
                                  "[SDK-LA11] LAErrorUserCancel; message O"},
    [EMU_ROW_SIGN_AUTH_FAILED] = {"sign.auth_failed", "SecKeyCreateSignature",
                                  "the user fails authentication (retries used up)", LA, -1,
                                  "Application retry limit exceeded.",
                                  "Application retry limit exceeded.", NO_AKS, NO_UNDERLYING,
                                  PROMPT, NO, "[SDK-LA11] LAErrorAuthenticationFailed; message O"},
    [EMU_ROW_SIGN_LOCKOUT] = {"sign.lockout", "SecKeyCreateSignature",
                              "biometry is locked out by failed attempts", LA, -8,
                              "Biometry is locked out.", "Biometry is locked out.", NO_AKS,
                              NO_UNDERLYING, PROMPT, NO,
                              "[SDK-LA11] LAErrorBiometryLockout; message inferred"},
    [EMU_ROW_SIGN_FALLBACK] = {"sign.fallback", "SecKeyCreateSignature",
                               "the user taps the fallback button", LA, -3,
                               "Fallback authentication mechanism selected.",
                               "Fallback authentication mechanism selected.", NO_AKS, NO_UNDERLYING,
                               PROMPT, NO, "[SDK-LA11] LAErrorUserFallback; message inferred"},
    [EMU_ROW_SIGN_SYSTEM_CANCEL] = {"sign.system_cancel", "SecKeyCreateSignature",
                                    "the system dismisses the prompt", LA, -4,
                                    "UI canceled by system.", "UI canceled by system.", NO_AKS,
                                    NO_UNDERLYING, PROMPT, NO,
                                    "[SDK-LA11] LAErrorSystemCancel; message inferred"},

    /* ---- SecKeyVerifySignature ---- */
    [EMU_ROW_VERIFY_ALGORITHM] = {"verify.algorithm", "SecKeyVerifySignature",
                                  "an algorithm the key does not support", OS, -50,
                                  "{alg}: algorithm not supported by the key {key}", NULL, NO_AKS,
                                  NO_UNDERLYING, FIX, YES, "[SEC:SecKey.m] (apple-facts §7)"},
    [EMU_ROW_VERIFY_DIGEST_SIZE] =
        {"verify.digest_size", "SecKeyVerifySignature",
         "a digest-* algorithm with input whose length is not the digest size", OS, -50,
         "bad digest size for signing with algorithm {alg}", NULL, NO_AKS, NO_UNDERLYING, FIX, YES,
         "[SEC:Adaptors] (apple-facts §7); the verify text is inferred to be the same"},
    [EMU_ROW_VERIFY_RFC4754_LENGTH] = {"verify.rfc4754_length", "SecKeyVerifySignature",
                                       "an RFC 4754 signature whose length is not 64 bytes", OS,
                                       -67808, "Wrong ECDSA RFC4754 signature", NULL, NO_AKS,
                                       NO_UNDERLYING, FIX, YES, "[SEC:Adaptors] (apple-facts §7)"},
    [EMU_ROW_VERIFY_MISMATCH] =
        {"verify.mismatch", "SecKeyVerifySignature",
         "the signature is not one of this data by this key (or not decodable)", OS, -67808,
         "EC signature verification failed, no match", NULL, NO_AKS, NO_UNDERLYING, FIX, YES,
         "[SEC:ECKey] (apple-facts §7)"},

    /* ---- SecKeyCopyExternalRepresentation ---- */
    [EMU_ROW_EXPORT] =
        {"export.not_implemented", "SecKeyCopyExternalRepresentation",
         "exporting a Secure Enclave private key", OS, -4, "export not implemented for key {key}",
         NULL, NO_AKS, NO_UNDERLYING, FIX, YES,
         "[SEC:SecKey.m] + [SEC:CTKKey]: the CTK key has no external-representation hook "
         "(apple-facts §9)"},

    /* ---- faults and the store (any call) ---- */
    [EMU_ROW_ALLOC] =
        {"fault.alloc", "any", "an allocation fails (injected with sek_emu_fault_alloc)", OS, -108,
         "Failed to allocate memory.", NULL, NO_AKS, NO_UNDERLYING, RETRY, NO,
         "[SEC:SecBase.h] errSecAllocate; SQLITE_NOMEM -> errSecAllocate [SEC:SecItem.m]"},
    [EMU_ROW_STORE_IO] = {"store.io", "any",
                          "the keychain database fails with an I/O error (injected or real)", OS,
                          -36, "{detail}", NULL, NO_AKS, NO_UNDERLYING, RETRY, NO,
                          "[SEC:SecItem.m] SQLITE_IOERR -> errSecIO (apple-facts §1e)"},
    [EMU_ROW_STORE_READONLY] =
        {"store.readonly", "any", "the keychain database cannot be written", OS, -25292, "{detail}",
         NULL, NO_AKS, NO_UNDERLYING, FIX, YES,
         "[SEC:SecItem.m] SQLITE_READONLY -> errSecReadOnly (apple-facts §1e)"},
    [EMU_ROW_STORE_UNAVAILABLE] =
        {"store.unavailable", "any",
         "any other database failure (busy, full, corrupt, SQLite's own)", OS, -25291, "{detail}",
         NULL, NO_AKS, NO_UNDERLYING, RETRY, UNK,
         "[SEC:SecItem.m] other SQLite results -> errSecNotAvailable (apple-facts §1e)"},
};

const sek_emu_behaviour *emu_behaviour_row(emu_row row) {
  return (unsigned)row < EMU_ROW_COUNT ? &rows[row] : &rows[EMU_ROW_STORE_UNAVAILABLE];
}

size_t sek_emu_behaviour_count(void) { return EMU_ROW_COUNT; }

const sek_emu_behaviour *sek_emu_behaviour_at(size_t i) {
  return i < EMU_ROW_COUNT ? &rows[i] : NULL;
}

const sek_emu_behaviour *sek_emu_behaviour_find(const char *id) {
  if (id == NULL)
    return NULL;
  for (size_t i = 0; i < EMU_ROW_COUNT; i++)
    if (strcmp(rows[i].id, id) == 0)
      return &rows[i];
  return NULL;
}
