/*
 * error_classify.c: from a decoded error to ranked probable causes, each with its permanence and
 * recovery action (design §4.2).  Contract in include/sek/error.h.
 *
 * The knowledge is one table of rules.  A rule names what it matches — a domain and a code range
 * (tested against every element of the chain, and against the AKS value as the pseudo-domain
 * "AKS"), the operations it applies to, context the decoder found in the text — and the cause it
 * stands for.  The code below only walks the table: every matching rule adds its cause with its
 * confidence (+10 when it matched an inner, more specific element of the chain; halved when the
 * element's domain was unknown), a cause keeps its best score, and the causes are ranked by it.
 * Codes no rule names fall back to the rules of the OSStatus Security converts them to
 * (apple-facts §1e), at 60%, then to "unknown".
 */
#include <string.h>

#include "error_internal.h"

/* ---- operations ------------------------------------------------------------------------------ */

static const char *const op_names[SEK_OP_COUNT] = {
    [SEK_OP_UNKNOWN] = "",
    [SEK_OP_SIGN] = "sign",
    [SEK_OP_GENERATE] = "generate key",
    [SEK_OP_LOOKUP] = "copy matching",
    [SEK_OP_ADD] = "add",
    [SEK_OP_DELETE] = "delete",
    [SEK_OP_UPDATE] = "update",
    [SEK_OP_KEY_EXCHANGE] = "key exchange",
    [SEK_OP_DECRYPT] = "decrypt",
    [SEK_OP_ENCRYPT] = "encrypt",
    [SEK_OP_EXPORT] = "export",
    [SEK_OP_VERIFY] = "verify",
    [SEK_OP_EVALUATE] = "evaluate policy",
};

const char *sek_op_name(sek_op op) { return (unsigned)op < SEK_OP_COUNT ? op_names[op] : ""; }

/* Phrases that name an operation: API names, the token's debug texts, ACL operation keys.
 * Grouped by first byte (op_start indexes the groups; sek_op_table_consistent checks it). */
#define OP(phrase, op, source)                                                                     \
  { phrase, sizeof phrase - 1, op, source }
static const struct {
  const char *phrase;
  size_t len;
  sek_op op;
  const char *source;
} op_phrases[] = {
    OP("'osgn'", SEK_OP_SIGN, "[FORUM-769762] ACL op key"),
    OP("'ock'", SEK_OP_KEY_EXCHANGE, "[FORUM-769762] ACL op key (compute key)"),
    OP("'odel'", SEK_OP_DELETE, "[FORUM-769762] ACL op key"),
    OP("'od'", SEK_OP_DECRYPT, "[SEC:si44] ACL op key"),
    OP("'oe'", SEK_OP_ENCRYPT, "[SEC:si44] ACL op key"),
    OP("Failed to generate keypair", SEK_OP_GENERATE, "[SEC:SecKey.m]"),
    OP("Key generation failed", SEK_OP_GENERATE, "O: NSDescription of SecKeyCreateRandomKey"),
    OP("SecKeyCreateSignature", SEK_OP_SIGN, "[SEC:SecKey.h]"),
    OP("SecKeyRawSign", SEK_OP_SIGN, "[SEC:SecKey.h]"),
    OP("SecKeyCreateRandomKey", SEK_OP_GENERATE, "[SEC:SecKey.h]"),
    OP("SecKeyGeneratePair", SEK_OP_GENERATE, "[SEC:SecKey.h]"),
    OP("SecItemCopyMatching", SEK_OP_LOOKUP, "[SEC:SecItem.h]"),
    OP("SecItemAdd", SEK_OP_ADD, "[SEC:SecItem.h]"),
    OP("SecItemDelete", SEK_OP_DELETE, "[SEC:SecItem.h]"),
    OP("SecItemUpdate", SEK_OP_UPDATE, "[SEC:SecItem.h]"),
    OP("SecKeyCopyKeyExchangeResult", SEK_OP_KEY_EXCHANGE, "[SEC:SecKey.h]"),
    OP("SecKeyCreateDecryptedData", SEK_OP_DECRYPT, "[SEC:SecKey.h]"),
    OP("SecKeyCreateEncryptedData", SEK_OP_ENCRYPT, "[SEC:SecKey.h]"),
    OP("SecKeyCopyExternalRepresentation", SEK_OP_EXPORT, "[SEC:SecKey.h]"),
    OP("SecKeyVerifySignature", SEK_OP_VERIFY, "[SEC:SecKey.h]"),
    OP("export not implemented", SEK_OP_EXPORT, "[SEC:SecKey.m]"),
    OP("evaluatePolicy", SEK_OP_EVALUATE, "[SDK-LA11] LAContext"),
    OP("evaluateAccessControl", SEK_OP_EVALUATE, "[SDK-LA11] LAContext"),
    OP("failed to generate", SEK_OP_GENERATE, "I: wording of key generation failures"),
    OP("signature verification failed", SEK_OP_VERIFY, "[SEC:ECKey]"),
    OP("unable to sign digest", SEK_OP_SIGN, "O: seed thread"),
    OP("unable to sign", SEK_OP_SIGN, "O: seed thread"),
    OP("unable to generate key", SEK_OP_GENERATE, "O: CTK debug text (issue 3)"),
    OP("unable to compute shared secret", SEK_OP_KEY_EXCHANGE, "O: apple-facts §2"),
    OP("unable to decrypt", SEK_OP_DECRYPT, "I: same token debug-text pattern"),
};
#undef OP

/* 1 + the index of the first phrase starting with a byte; 0 when none does. */
static const unsigned char op_start[256] = {
    ['\''] = 1, ['F'] = 6, ['K'] = 7, ['S'] = 8, ['e'] = 21, ['f'] = 24, ['s'] = 25, ['u'] = 26,
};
static bool op_first(char c) { return op_start[(unsigned char)c] != 0; }

static bool isalnum_ascii(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

sek_op sek_op_find(const char *s, size_t n, size_t *out_end) {
  if (s == NULL)
    return SEK_OP_UNKNOWN;
  for (size_t i = 0; i < n; i++) {
    /* every phrase starts a word (or is a quote), so only word starts are candidates */
    if (!op_first(s[i]) || (i > 0 && s[i] != '\'' && (isalnum_ascii(s[i - 1]) || s[i - 1] == '_')))
      continue;
    for (size_t k = op_start[(unsigned char)s[i]] - 1u;
         k < sizeof op_phrases / sizeof op_phrases[0] && op_phrases[k].phrase[0] == s[i]; k++) {
      const char *p = op_phrases[k].phrase;
      size_t m = op_phrases[k].len;
      if (n - i >= m && memcmp(s + i, p, m) == 0) {
        if (out_end != NULL)
          *out_end = i + m;
        return op_phrases[k].op;
      }
    }
  }
  return SEK_OP_UNKNOWN;
}

bool sek_op_table_consistent(void) {
  size_t n = sizeof op_phrases / sizeof op_phrases[0];
  for (size_t k = 0; k < n; k++) {
    unsigned char c = (unsigned char)op_phrases[k].phrase[0];
    size_t start = op_start[c];
    if (start == 0 || start - 1 > k || strlen(op_phrases[k].phrase) != op_phrases[k].len)
      return false;
    for (size_t j = start - 1; j <= k; j++) /* the group is contiguous up to k */
      if ((unsigned char)op_phrases[j].phrase[0] != c)
        return false;
    if (start >= 2 && (unsigned char)op_phrases[start - 2].phrase[0] == c)
      return false; /* and starts where the index says */
  }
  return true;
}

sek_op sek_op_at(const char *s, size_t n, size_t *out_len) {
  if (s == NULL || n == 0 || !op_first(s[0]))
    return SEK_OP_UNKNOWN;
  for (size_t k = op_start[(unsigned char)s[0]] - 1u;
       k < sizeof op_phrases / sizeof op_phrases[0] && op_phrases[k].phrase[0] == s[0]; k++) {
    const char *p = op_phrases[k].phrase;
    size_t m = op_phrases[k].len;
    if (n >= m && memcmp(s, p, m) == 0) {
      if (out_len != NULL)
        *out_len = m;
      return op_phrases[k].op;
    }
  }
  return SEK_OP_UNKNOWN;
}

static sek_op op_in(const char *s) { return s ? sek_op_find(s, strlen(s), NULL) : SEK_OP_UNKNOWN; }

sek_op sek_error_op_of(const sek_error *e) {
  for (unsigned d = 0; e != NULL && d < SEK_ERROR_MAX_DEPTH; d++, e = sek_error_underlying(e)) {
    sek_op op = op_in(sek_error_user_string(e, SEK_KEY_DEBUG_DESCRIPTION));
    if (op == SEK_OP_UNKNOWN)
      op = op_in(sek_error_description(e));
    if (op == SEK_OP_UNKNOWN)
      op = op_in(sek_error_user_string(e, SEK_KEY_DESCRIPTION));
    if (op != SEK_OP_UNKNOWN)
      return op;
  }
  return SEK_OP_UNKNOWN;
}

/* ---- the rules ------------------------------------------------------------------------------- */

#define AKS_DOMAIN "AKS" /* pseudo-domain: the AKSError value, or an NSMachErrorDomain code */
#define C(x) (x), (x)
#define B(op) (1u << (op))
#define OPS_USE (B(SEK_OP_SIGN) | B(SEK_OP_KEY_EXCHANGE) | B(SEK_OP_DECRYPT))

/* context flags */
enum {
  X_SIM = 1u << 0,
  X_CURRENT_SET = 1u << 1,
  X_BIO_CHANGED = 1u << 2,
  X_LOCKED = 1u << 3,
  X_BIO_ANY = 1u << 4,
};

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
#define SB_TAG "[SEC:SecBase.h]"
#define SBP_TAG "[SEC:SecBasePriv.h]"

typedef struct {
  const char *domain; /* a SEK_DOMAIN_*, or AKS_DOMAIN */
  long long lo, hi;   /* code range, inclusive */
  unsigned ops;       /* B(SEK_OP_...) mask; 0 = any operation, known or not */
  unsigned need_any;  /* X_... : at least one must hold; 0 = none needed */
  sek_cause cause;    /* id, action, permanent, confidence, explanation, tell_apart, source */
} rule;

/* Texts shared by several rows. */
#define T_POLICY                                                                                   \
  "A .biometryCurrentSet key fails like this after a biometric change and is expected; with "      \
  ".biometryAny or no biometry it is the OS fault; either way the key is gone."
#define T_AUTH                                                                                     \
  "The underlying LocalAuthentication error tells: -1 failed match, -2 cancel, -8 lockout, "       \
  "-5/-6/-7 passcode or biometry not set up; the simulator has no enclave biometry."
#define T_LOCK                                                                                     \
  "Whether the device was locked or the app in the background at the time, versus a query that "   \
  "forbade authentication UI."
#define T_NOTFOUND                                                                                 \
  "Whether the key was ever stored on this device (restore, reinstall, ThisDeviceOnly) versus a "  \
  "query whose tag, label type (String vs Data), class or access group differs from the one used " \
  "to create it."

/* Other keystore-family codes (sub_iokit_keystore, 0xe007c000..0xe007ffff) except the named one. */
#define KEYSTORE_UNUSABLE                                                                          \
  {                                                                                                \
    "keystore_key_unusable", REENROLL, UNK, 55,                                                    \
        "AppleKeyStore refused the key with a keystore-specific code; observed with 'unable to "   \
        "sign "                                                                                    \
        "digest' and usually not recoverable.",                                                    \
        "Whether the same call keeps failing across reboots and unlocks (key gone) or only once.", \
        "O: apple-facts §3b (0xe007c013 with CTK -3, devicecheckd)"                               \
  }
#define KEYSTORE_TRANSIENT                                                                         \
  {                                                                                                \
    "keystore_transient", RETRY, NO, 30,                                                           \
        "A keystore error that cleared after a retry in some reports.",                            \
        "Whether the same call keeps failing across reboots and unlocks (key gone) or only once.", \
        "I: keystore codes are not documented; retry is the cheap test"                            \
  }

/* The rule tables are aligned by hand: match columns first, then the cause. */
/* clang-format off */
/* One array per domain, so that a lookup walks only its domain's rules. */
static const rule rules_aks[] = {
    /* the seed: CryptoTokenKit -3 with AKSError 0xe007c009 (kAKSReturnPolicyInvalid) */
    {AKS_DOMAIN, C(-536362999), 0, X_CURRENT_SET | X_BIO_CHANGED,
     {"biometry_set_changed", REENROLL, YES, 92,
      "The key's access control is bound to the enrolled biometrics (.biometryCurrentSet) and they "
      "changed, so the Secure Enclave invalidated the key's policy for good.",
      T_POLICY, "O: seed thread (Quinn, DTS); apple-facts §9"}},
    {AKS_DOMAIN, C(-536362999), 0, X_BIO_ANY,
     {"keystore_policy_fault", REENROLL, YES, 90,
      "AppleKeyStore reports the key's policy invalid without a biometric-set binding: an OS fault "
      "seen on a tiny fraction of devices (r. 82829487) that leaves the key unusable.",
      T_POLICY, "O: seed thread (Quinn, DTS)"}},
    {AKS_DOMAIN, C(-536362999), 0, 0,
     {"biometry_set_changed", REENROLL, YES, 78,
      "The key's access control is bound to the enrolled biometrics (.biometryCurrentSet) and they "
      "changed, so the Secure Enclave invalidated the key's policy for good.",
      T_POLICY, "O: seed thread (Quinn, DTS); apple-facts §9"}},
    {AKS_DOMAIN, C(-536362999), 0, 0,
     {"keystore_policy_fault", REENROLL, YES, 74,
      "AppleKeyStore reports the key's policy invalid without a biometric-set binding: an OS fault "
      "seen on a tiny fraction of devices (r. 82829487) that leaves the key unusable.",
      T_POLICY, "O: seed thread (Quinn, DTS)"}},
    /* other AppleKeyStore-family codes (sub_iokit_keystore) */
    {AKS_DOMAIN, -536363008, -536363000, 0, 0, KEYSTORE_UNUSABLE},
    {AKS_DOMAIN, -536362998, -536346625, 0, 0, KEYSTORE_UNUSABLE},
    {AKS_DOMAIN, -536363008, -536363000, 0, 0, KEYSTORE_TRANSIENT},
    {AKS_DOMAIN, -536362998, -536346625, 0, 0, KEYSTORE_TRANSIENT},
    /* IOKit-common AKS returns, as Security maps them ([SEC:SecItem.m], [SEC:Keybag]) */
    {AKS_DOMAIN, C(-536870174), 0, 0,
     {"device_locked", UNLOCK, NO, 70,
      "The keystore refused access because the device is locked (kIOReturnNotPermitted).", T_LOCK,
      "[SEC:SecItem.m] NotPermitted -> errSecInteractionNotAllowed"}},
    {AKS_DOMAIN, -536870207, -536870204, 0, 0,
     {"device_locked", UNLOCK, NO, 65,
      "The keystore refused access in the current lock state (NotPrivileged / Locked).", T_LOCK,
      "[SEC:SecItem.m] -> errSecInteractionNotAllowed"}},
    {AKS_DOMAIN, C(-536870160), 0, 0,
     {"no_key_for_class", UNLOCK, NO, 55,
      "No class key is available yet (before first unlock after boot).",
      "Whether the device was unlocked since boot.", "[SEC:Keybag] NotFound -> errSecNotAvailable"}},
    {AKS_DOMAIN, C(-536870212), 0, 0,
     {"key_unusable", REENROLL, YES, 55,
      "The keystore could not decrypt the key blob: it cannot be used on this device again.",
      "Whether a freshly generated key works (then only the old key is broken).",
      "[SEC:Keybag] kAKSReturnError -> errSecDecode ('can't be decrypted on this device, ever')"}},
    {AKS_DOMAIN, C(-536870206), 0, 0,
     {"key_unusable", REENROLL, UNK, 50,
      "The keystore rejected the key blob as bad data.",
      "Whether a freshly generated key works.", "[SEC:Keybag] BadArgument -> errSecDecode"}},
    {AKS_DOMAIN, -536870187, -536870184, 0, 0,
     {"keystore_busy", RETRY, NO, 60, "The keystore was busy or not ready; a later call succeeds.",
      "Whether a retry after a short delay succeeds.", "I: IOKit Busy/Timeout/NotReady [XNU]"}},

};

static const rule rules_tk[] = {
    /* CryptoTokenKit (TKErrorCode) */
    {SEK_DOMAIN_CTK, C(-3), B(SEK_OP_GENERATE), 0,
     {"token_keygen_failure", RETRY, UNK, 55,
      "The Secure Enclave token failed to create the key; nothing exists yet to re-enroll.",
      "Whether it fails on every attempt (device problem) or once.", "I: TK -3 on generation"}},
    {SEK_DOMAIN_CTK, C(-3), 0, 0,
     {"key_unusable", REENROLL, YES, 60,
      "CorruptedData from a Secure Enclave key operation means the key (its wrapped blob or "
      "policy), not the data to sign, and it will not work again.",
      "An AKSError in the user info names the keystore's reason (0xe007c009 = policy invalid); "
      "the data to sign cannot cause it (bad input gives -50).",
      "O: seed thread (Quinn: 'unlikely to be related to your input data')"}},
    {SEK_DOMAIN_CTK, C(-3), 0, 0,
     {"token_transient", RETRY, NO, 15, "A one-off token failure that a retry clears.",
      "Whether it fails 100% of the time on that device (then the key is gone).",
      "I: a retry is cheap"}},
    {SEK_DOMAIN_CTK, C(-7), 0, X_SIM,
     {"no_secure_enclave", UNSUP, YES, 92,
      "The Secure Enclave token does not exist here: the simulator or a VM has no enclave.",
      "Run on a device with a Secure Enclave (A7 or later, T2 or Apple silicon).",
      "[SEC:SecItem.m] TokenNotFound; apple-facts §9"}},
    {SEK_DOMAIN_CTK, C(-7), 0, 0,
     {"no_secure_enclave", UNSUP, YES, 75,
      "The Secure Enclave token was not found: a simulator, VM or Mac without an enclave.",
      "Whether the device has a Secure Enclave at all, versus the token daemon not running.",
      "[MS-TK] TokenNotFound; apple-facts §9"}},
    {SEK_DOMAIN_CTK, C(-7), 0, 0,
     {"token_service_unavailable", RETRY, NO, 25,
      "The token service (ctkd) was not reachable at that moment.",
      "Whether the device has a Secure Enclave at all, versus the token daemon not running.",
      "I: token registration is dynamic ([SEC:CTKKey] TKTokenNotFoundAndRegistered)"}},
    {SEK_DOMAIN_CTK, C(-9), 0, 0,
     {"authentication_needed", PROMPT, NO, 75,
      "The key needs user authentication and none was given: run the operation with UI allowed "
      "(or an evaluated LAContext).",
      "Whether the call forbade UI (kSecUseAuthenticationUI fail, interactionNotAllowed).",
      "[SEC:SecItem.m] SecTokenProcessError"}},
    {SEK_DOMAIN_CTK, C(-9), 0, 0,
     {"ui_forbidden_by_caller", FIX, NO, 30,
      "The call was made with authentication UI forbidden although the key requires it.",
      "Whether the call forbade UI (kSecUseAuthenticationUI fail, interactionNotAllowed).",
      "I: SecItemDoWithAuth needs UI to drive the ACL"}},
    {SEK_DOMAIN_CTK, C(-5), 0, 0,
     {"authentication_failed", PROMPT, NO, 75, "The user did not pass authentication.", T_AUTH,
      "[MS-TK]"}},
    {SEK_DOMAIN_CTK, C(-4), 0, 0,
     {"user_canceled", PROMPT, NO, 85, "The user canceled the authentication prompt.",
      "Nothing to tell apart: ask again when the user is ready.", "[MS-TK]"}},
    {SEK_DOMAIN_CTK, C(-6), 0, 0,
     {"key_missing", REENROLL, YES, 70, "The token has no such key object any more.", T_NOTFOUND,
      "[MS-TK]; [SEC:SecItem.m] -> errSecItemNotFound"}},
    {SEK_DOMAIN_CTK, C(-8), 0, 0,
     {"invalid_parameters", FIX, YES, 75,
      "The token rejected a parameter: algorithm, key type/size or attributes the enclave does "
      "not support.",
      "The attribute lint (sek lint) names the parameter.", "[MS-TK]; -> errSecParam"}},
    {SEK_DOMAIN_CTK, C(-1), 0, 0,
     {"unsupported_operation", FIX, YES, 65,
      "The Secure Enclave key does not implement this operation (export, RSA, unsupported "
      "algorithm).",
      "Whether the operation is one an enclave key supports at all (ECDSA sign, ECDH).",
      "[MS-TK]; -> errSecUnimplemented"}},
    {SEK_DOMAIN_CTK, C(-1), 0, X_SIM,
     {"no_secure_enclave", UNSUP, YES, 80,
      "The simulator's token does not implement enclave operations.",
      "Run on a device with a Secure Enclave.", "I: simulator context"}},
    {SEK_DOMAIN_CTK, C(-2), 0, 0,
     {"token_communication", RETRY, NO, 70, "Communication with the token failed; a retry works.",
      "Whether it persists across a reboot.", "[MS-TK]"}},
    {SEK_DOMAIN_CTK, C(-1003), 0, 0,
     {"token_transient", RETRY, NO, 50, "The token vanished after PIN entry; a retry works.",
      "Whether it persists.", "[SEC:CTKKey] literal -1003"}},

};

static const rule rules_la[] = {
    /* LocalAuthentication (LAError) */
    {SEK_DOMAIN_LA, C(-1), 0, 0,
     {"authentication_failed", PROMPT, NO, 80,
      "The user failed biometric or passcode authentication.", T_AUTH, "[SDK-LA11]"}},
    {SEK_DOMAIN_LA, C(-2), 0, 0,
     {"user_canceled", PROMPT, NO, 88, "The user canceled the authentication prompt.",
      "Nothing to tell apart: ask again when the user is ready.", "[SDK-LA11]"}},
    {SEK_DOMAIN_LA, C(-3), 0, 0,
     {"user_fallback", PROMPT, NO, 80,
      "The user chose the fallback button: offer the passcode or the app's own fallback.",
      "Nothing to tell apart.", "[SDK-LA11]"}},
    {SEK_DOMAIN_LA, C(-4), 0, 0,
     {"system_canceled", PROMPT, NO, 75,
      "The system canceled authentication (another app came forward, the screen locked).",
      "Whether the app was still in the foreground.", "[SDK-LA11]"}},
    {SEK_DOMAIN_LA, C(-5), 0, 0,
     {"passcode_not_set", UNSUP, NO, 82,
      "The device has no passcode, so no authentication-protected key can be used or created.",
      "Settings: a passcode set; on the simulator there is none by default.", "[SDK-LA11]"}},
    {SEK_DOMAIN_LA, C(-6), 0, X_SIM,
     {"biometry_not_available", UNSUP, UNK, 90,
      "The simulator has no biometry unless enrolled from its Features menu.",
      "Features > Face ID / Touch ID > Enrolled in the simulator.", "[SDK-LA11]"}},
    {SEK_DOMAIN_LA, C(-6), 0, 0,
     {"biometry_not_available", UNSUP, UNK, 78,
      "Biometry is not available: no sensor, or the user denied this app the use of Face ID.",
      "Whether the device has Face ID / Touch ID and the app's permission (NSFaceIDUsageDescription "
      "present, not denied in Settings).",
      "[SDK-LA11]"}},
    {SEK_DOMAIN_LA, C(-6), 0, 0,
     {"biometry_permission_missing", FIX, UNK, 30,
      "Face ID was refused for the app (missing NSFaceIDUsageDescription or denied in Settings).",
      "Whether other apps can use Face ID on the same device.", "I: LA returns -6 on denial"}},
    {SEK_DOMAIN_LA, C(-7), 0, 0,
     {"biometry_not_enrolled", UNSUP, NO, 82,
      "No fingerprint or face is enrolled, so biometric authentication cannot run.",
      "Settings: biometrics enrolled; the simulator needs Features > Enrolled.", "[SDK-LA11]"}},
    {SEK_DOMAIN_LA, C(-8), 0, 0,
     {"biometry_lockout", PROMPT, NO, 88,
      "Too many failed biometric attempts locked biometry out; a passcode authentication unlocks "
      "it.",
      T_AUTH, "[SDK-LA11]"}},
    {SEK_DOMAIN_LA, C(-9), 0, 0,
     {"app_canceled", NONE, NO, 70, "The app itself canceled authentication (invalidate()).",
      "Whether the app invalidated the LAContext on purpose.", "[SDK-LA11]"}},
    {SEK_DOMAIN_LA, C(-10), 0, 0,
     {"invalid_context", FIX, NO, 72, "An invalidated LAContext was reused: create a new one.",
      "Whether the context was invalidated before this call.", "[SDK-LA11]"}},
    {SEK_DOMAIN_LA, -13, -11, 0, 0,
     {"companion_unavailable", UNSUP, NO, 70,
      "The companion device or removable biometric accessory is not available.",
      "Whether the Watch / accessory is paired and connected.", "[SDK-LA11] [MS-LA]"}},
    {SEK_DOMAIN_LA, C(-14), 0, 0,
     {"invalid_parameters", FIX, YES, 60, "LocalAuthentication rejected the request's dimensions.",
      "The call's parameters.", "[MS-LA]"}},
    {SEK_DOMAIN_LA, C(-1004), 0, 0,
     {"not_interactive", UNLOCK, NO, 72,
      "Authentication UI could not be shown: the app was not in the foreground (or the context "
      "forbade interaction); try again when the app is active.",
      "Whether the app was in the background versus interactionNotAllowed set on the context.",
      "[SDK-LA11]; [SEC:SecItem.m] -> errSecInteractionNotAllowed"}},
    {SEK_DOMAIN_LA, C(-1004), 0, 0,
     {"ui_forbidden_by_caller", PROMPT, NO, 35,
      "The LAContext or query forbade interaction although authentication was required.",
      "Whether the app was in the background versus interactionNotAllowed set on the context.",
      "I: LAContext.interactionNotAllowed"}},
    {SEK_DOMAIN_LA, C(-1009), 0, 0,
     {"acl_operation_not_allowed", FIX, YES, 86,
      "The key's access control has no rule for this operation: an enclave key created without "
      ".privateKeyUsage cannot sign or compute a shared secret.",
      "The ACL operation in the message ('osgn' sign, 'ock' key exchange) and the flags used at "
      "creation.",
      "O: flutter_secure_storage PR #989; [SEC:AC.m] op placement"}},

};

static const rule rules_os[] = {
    /* OSStatus (NSOSStatusErrorDomain) */
    {SEK_DOMAIN_OSSTATUS, C(0), 0, 0,
     {"no_error", NONE, NO, 90, "errSecSuccess: the call succeeded.", "Nothing to tell apart.",
      SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-25300), B(SEK_OP_DELETE), 0,
     {"nothing_to_delete", NONE, NO, 92, "There was no such item to delete.",
      "Nothing to tell apart: the end state is what the delete wanted.", SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-25300), B(SEK_OP_LOOKUP) | OPS_USE | B(SEK_OP_UPDATE), 0,
     {"key_missing", REENROLL, YES, 72,
      "No key matches: it was never created on this device, was deleted, or did not survive a "
      "restore or reinstall; create and enroll a new one.",
      T_NOTFOUND, SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-25300), 0, 0,
     {"key_missing", REENROLL, YES, 62,
      "No key matches: it was never created on this device, was deleted, or did not survive a "
      "restore or reinstall; create and enroll a new one.",
      T_NOTFOUND, SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-25300), 0, 0,
     {"query_mismatch", FIX, YES, 40,
      "The query does not match the stored item: different tag, label type, key class, access "
      "group, or (macOS) not the data-protection keychain.",
      T_NOTFOUND, "I: the common field cause of -25300 right after creation"}},
    {SEK_DOMAIN_OSSTATUS, C(-25300), 0, 0,
     {"nothing_to_delete", NONE, NO, 30, "If this was a delete: there was nothing to delete.",
      "Which call returned it.", SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-25299), 0, 0,
     {"duplicate_item", FIX, YES, 72,
      "An item with the same primary key (class, label, tag, ...) already exists: update or "
      "delete it first, or use a unique tag.",
      "Whether the existing key is the one the app wants (then just look it up).", SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-25299), 0, 0,
     {"already_enrolled", NONE, NO, 35, "The key is already there: use the existing one.",
      "Whether the existing key is the one the app wants (then just look it up).", SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-25308), 0, X_LOCKED,
     {"device_locked", UNLOCK, NO, 90,
      "The item is accessible only when unlocked and the device was locked (or the app in the "
      "background).",
      T_LOCK, SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-25308), 0, 0,
     {"device_locked", UNLOCK, NO, 70,
      "The item is accessible only when unlocked and the device was locked (or the app in the "
      "background).",
      T_LOCK, SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-25308), 0, 0,
     {"ui_forbidden_by_caller", PROMPT, NO, 35,
      "Authentication was needed but the call forbade UI (kSecUseAuthenticationUI fail or "
      "LAContext.interactionNotAllowed).",
      T_LOCK, "[SEC:SecItem.m] LA NotInteractive -> errSecInteractionNotAllowed"}},
    {SEK_DOMAIN_OSSTATUS, C(-25308), 0, 0,
     {"accessibility_too_strict", FIX, NO, 28,
      "The item's protection class (WhenUnlocked) does not fit code that runs in the background.",
      T_LOCK, "I: kSecAttrAccessible classes [SEC:Const]"}},
    {SEK_DOMAIN_OSSTATUS, C(-34018), 0, X_SIM,
     {"missing_entitlement", FIX, YES, 88,
      "The simulator process has no keychain entitlement (tests without a host app, unsigned "
      "build).",
      "Code signing and the keychain-access-groups entitlement of the running binary.", SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-34018), 0, 0,
     {"missing_entitlement", FIX, YES, 76,
      "The app lacks the keychain entitlement (application-identifier / keychain-access-groups), "
      "is unsigned, or names an access group it does not own.",
      "Code signing and the keychain-access-groups entitlement of the running binary.",
      "[SEC:SecBase.h]; O: facebookincubator/sks#5"}},
    {SEK_DOMAIN_OSSTATUS, C(-34018), 0, 0,
     {"securityd_transient", RETRY, NO, 25,
      "Reported as intermittent on launch in the background or under memory pressure.",
      "Whether it happens every time (configuration) or rarely (transient).",
      "I: field reports of intermittent -34018"}},
    {SEK_DOMAIN_OSSTATUS, C(-34020), 0, 0,
     {"restricted_api", FIX, YES, 60, "This client may not use the API.", "The entitlements.",
      SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-50), 0, 0,
     {"invalid_parameters", FIX, YES, 76,
      "A parameter is wrong: key type or size the enclave does not support, tokenID in the wrong "
      "dictionary, wrong digest size, an algorithm the key does not support.",
      "The description names the parameter; sek lint checks the dictionary.",
      "[SEC:SecBase.h]; [SEC:SecKey.m] messages"}},
    {SEK_DOMAIN_OSSTATUS, C(-4), 0, X_SIM,
     {"no_secure_enclave", UNSUP, YES, 80, "The simulator does not implement the enclave operation.",
      "Run on a device.", "I: simulator context"}},
    {SEK_DOMAIN_OSSTATUS, C(-4), 0, 0,
     {"unsupported_operation", FIX, YES, 66,
      "The key does not implement the operation: an enclave private key cannot be exported, and "
      "unsupported algorithms give this too.",
      "Whether the operation is one an enclave key supports at all.",
      "[SEC:SecKey.m] 'export not implemented'; [SEC:SecBasePriv.h] errSecUnsupportedOperation"}},
    {SEK_DOMAIN_OSSTATUS, C(-4), 0, 0,
     {"no_secure_enclave", UNSUP, YES, 30, "The environment has no Secure Enclave to do it.",
      "Whether the device has a Secure Enclave.", "I"}},
    {SEK_DOMAIN_OSSTATUS, C(-128), 0, 0,
     {"user_canceled", PROMPT, NO, 86, "The user canceled the authentication prompt.",
      "Nothing to tell apart.", "[SEC:SecBase.h]; [SEC:SecItem.m] LA UserCancel -> -128"}},
    {SEK_DOMAIN_OSSTATUS, C(-25293), 0, X_SIM,
     {"simulator_no_biometry", UNSUP, YES, 90,
      "On the simulator the authentication step fails: no enclave-backed biometry or passcode.",
      T_AUTH, "I: simulator context; [SEC:SecItem.m] other LA errors -> -25293"}},
    {SEK_DOMAIN_OSSTATUS, C(-25293), B(SEK_OP_GENERATE), 0,
     {"passcode_or_biometry_missing", UNSUP, UNK, 66,
      "Creating a key whose access control needs a passcode or biometry fails when the device (or "
      "simulator) has none set up.",
      T_AUTH, "[SEC:SecItem.m] LA errors other than cancel -> errSecAuthFailed"}},
    {SEK_DOMAIN_OSSTATUS, C(-25293), 0, 0,
     {"authentication_failed", PROMPT, NO, 60,
      "The authentication step failed (wrong biometry or passcode, lockout): Security reports "
      "every LocalAuthentication failure but cancel as errSecAuthFailed.",
      T_AUTH, "[SEC:SecItem.m] SecErrorGetOSStatus"}},
    {SEK_DOMAIN_OSSTATUS, C(-25293), 0, 0,
     {"passcode_or_biometry_missing", UNSUP, UNK, 40,
      "No passcode or biometry is set up (LA -5/-6/-7 become -25293).", T_AUTH,
      "[SEC:SecItem.m] SecErrorGetOSStatus"}},
    {SEK_DOMAIN_OSSTATUS, C(-25293), 0, 0,
     {"simulator_no_biometry", UNSUP, YES, 32,
      "On the simulator the authentication step fails: no enclave-backed biometry.", T_AUTH,
      "I: frequent in simulator reports"}},
    {SEK_DOMAIN_OSSTATUS, C(-26276), 0, 0,
     {"internal_token_error", RETRY, UNK, 55,
      "Security's catch-all: a token error other than the mapped ones (communication -2, "
      "authentication -5/-9) became errSecInternal.",
      "The NSUnderlyingError names the token's code.", "[SEC:SecItem.m] SecErrorGetOSStatus"}},
    {SEK_DOMAIN_OSSTATUS, C(-26276), 0, 0,
     {"key_unusable", REENROLL, UNK, 30,
      "The key's token item may be broken (e.g. token data without an object id).",
      "Whether a freshly generated key works.", "[SEC:SecItem.m] 'token based item data...'"}},
    {SEK_DOMAIN_OSSTATUS, C(-26275), 0, 0,
     {"key_unusable", REENROLL, YES, 55,
      "errSecDecode: the token reported corrupted data (TK -3), i.e. the key is unusable.",
      "Whether the input was data Security had to decode (then fix it).",
      "[SEC:SecItem.m] TK CorruptedData -> errSecDecode"}},
    {SEK_DOMAIN_OSSTATUS, C(-26275), 0, 0,
     {"bad_input", FIX, YES, 35, "Data passed in (a key or signature blob) could not be decoded.",
      "Whether the input was data Security had to decode.", SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-25291), 0, 0,
     {"keychain_unavailable", UNLOCK, NO, 45,
      "No keychain is available yet: before the first unlock after boot, or the keybag is not "
      "loaded.",
      "Whether it happens only right after boot or always in this process (daemon, CI, no user "
      "session).",
      "[SEC:Keybag] NotFound -> errSecNotAvailable"}},
    {SEK_DOMAIN_OSSTATUS, C(-25291), 0, 0,
     {"no_keychain_environment", UNSUP, UNK, 36,
      "This process has no keychain at all (a daemon without user session, a CI runner).",
      "Whether it happens only right after boot or always in this process.", "I"}},
    {SEK_DOMAIN_OSSTATUS, C(-25291), 0, 0,
     {"keychain_store_failure", RETRY, UNK, 50,
      "The keychain database or keystore failed (busy, full, corrupt: Security maps such SQLite "
      "and Mach errors to errSecNotAvailable); a later call may work.",
      "Whether it happens only right after boot (then wait for unlock) or persists (database).",
      "[SEC:SecItem.m] other SQLite results and Mach errors -> errSecNotAvailable"}},
    {SEK_DOMAIN_OSSTATUS, C(-25315), 0, 0,
     {"interaction_required", PROMPT, NO, 65, "User interaction is required: allow the UI.",
      "Whether the call forbade UI.", SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-25330), 0, 0,
     {"authentication_needed", PROMPT, NO, 65,
      "Authentication is needed for the item's access control.", "Whether UI was allowed.",
      SBP_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-25316), 0, 0,
     {"device_locked", UNLOCK, NO, 55, "The item's contents are not available in this state.",
      T_LOCK, SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-34019), 0, 0,
     {"upgrade_pending", UNLOCK, NO, 60,
      "The keychain database migration waits for the device to be unlocked.", T_LOCK, SBP_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-25320), 0, 0,
     {"dark_wake", RETRY, NO, 60, "The Mac is in dark wake and shows no UI; retry when awake.",
      "Nothing to tell apart.", SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-34017), 0, 0,
     {"no_error", NONE, NO, 60, "Not an error: the call completes through its callback.",
      "Nothing to tell apart.", SBP_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-25336), 0, 0,
     {"timed_out", RETRY, NO, 55, "The operation timed out.", "Whether it persists.", SBP_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-108), 0, 0,
     {"out_of_memory", RETRY, NO, 60, "Memory ran out.", "Whether it persists.", SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-67672), 0, 0,
     {"out_of_memory", RETRY, NO, 55, "Memory ran out.", "Whether it persists.", SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-34), 0, 0,
     {"disk_full", RETRY, UNK, 55, "The disk is full; the call works once space is freed.",
      "Free space on the device.", SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-36), 0, 0,
     {"io_transient", RETRY, NO, 55, "An I/O error.", "Whether it persists.", SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-2070), 0, 0,
     {"internal_transient", RETRY, UNK, 50, "An internal component failed.",
      "Whether it persists.", SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, -67588, -67585, 0, 0,
     {"internal_transient", RETRY, UNK, 50, "The security service or device failed.",
      "Whether it persists.", SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-67671), 0, 0,
     {"internal_transient", RETRY, UNK, 50, "Internal error.", "Whether it persists.", SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-67727), 0, 0,
     {"internal_transient", RETRY, UNK, 50, "Device error.", "Whether it persists.", SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-67808), 0, 0,
     {"signature_mismatch", FIX, YES, 66,
      "The signature does not verify: wrong key, different data, another algorithm, or X9.62 DER "
      "versus raw r||s confusion.",
      "Verify with the key's public key, the same algorithm and the same bytes.",
      "[SEC:ECKey] 'EC signature verification failed, no match'"}},
    {SEK_DOMAIN_OSSTATUS, -67688, -67686, 0, 0,
     {"signature_mismatch", FIX, YES, 60, "The signature is not valid for that key and data.",
      "Verify with the key's public key, the same algorithm and the same bytes.", SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-25304), 0, 0,
     {"stale_key_reference", REENROLL, UNK, 50,
      "The key reference is no longer valid: the item was deleted; look it up again or enroll a "
      "new key.",
      T_NOTFOUND, SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-67712), 0, 0,
     {"invalid_parameters", FIX, YES, 55, "The key reference is not a valid key for this call.",
      "Which key was passed.", SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-25303), 0, 0,
     {"invalid_parameters", FIX, YES, 60,
      "The query or attributes name an attribute the item class does not have.",
      "The attribute the description names.", SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-25306), 0, 0,
     {"invalid_parameters", FIX, YES, 60, "kSecClass is not a valid item class.",
      "The kSecClass value.", SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, C(-25292), 0, 0,
     {"keychain_read_only", FIX, YES, 55,
      "The keychain cannot be written (a read-only database or keychain).",
      "Whether the keychain file or database is writable by this process.",
      "[SEC:SecBase.h]; [SEC:SecItem.m] SQLITE_READONLY -> errSecReadOnly"}},
    {SEK_DOMAIN_OSSTATUS, -25320, -25240, 0, 0,
     {"keychain_configuration", FIX, UNK, 42,
      "A keychain configuration or usage error (attributes, classes, keychain files).",
      "The call's attributes.", SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, -26276, -26260, 0, 0,
     {"keychain_configuration", FIX, UNK, 40, "A certificate / policy usage error.",
      "The call's inputs.", SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, -909, -49, 0, 0,
     {"invalid_parameters", FIX, YES, 50, "A parameter or the state of the call is wrong.",
      "The call's parameters.", SB_TAG}},
    {SEK_DOMAIN_OSSTATUS, -67904, -67585, 0, 0,
     {"invalid_parameters", FIX, UNK, 35,
      "A CSSM-range error: key, algorithm or data unsuitable for the call.",
      "The call's key and parameters.", SB_TAG}},
};

#undef C
#undef ANYC

/* clang-format on */

#define GROUP(d, t)                                                                                \
  { d, t, sizeof t / sizeof t[0] }
static const struct {
  const char *domain;
  const rule *rules;
  size_t num;
} groups[] = {
    GROUP(AKS_DOMAIN, rules_aks),
    GROUP(SEK_DOMAIN_CTK, rules_tk),
    GROUP(SEK_DOMAIN_LA, rules_la),
    GROUP(SEK_DOMAIN_OSSTATUS, rules_os),
};
#undef GROUP
#define NUM_RULES                                                                                  \
  (sizeof rules_aks / sizeof rules_aks[0] + sizeof rules_tk / sizeof rules_tk[0] +                 \
   sizeof rules_la / sizeof rules_la[0] + sizeof rules_os / sizeof rules_os[0])
#define NUM_GROUPS (sizeof groups / sizeof groups[0])

/* Rule i of all groups in order; NULL past the end. */
static const rule *rule_at(size_t i) {
  for (size_t g = 0; g < NUM_GROUPS; g++) {
    if (i < groups[g].num)
      return &groups[g].rules[i];
    i -= groups[g].num;
  }
  return NULL;
}

size_t sek_error_rule_count(void) { return NUM_RULES; }

const char *sek_error_rule_cause(size_t i) {
  const rule *r = rule_at(i);
  return r ? r->cause.id : NULL;
}

int sek_error_rule_example(size_t i, sek_error **out_err, sek_error_context *out_ctx,
                           const sek_cause **out_cause) {
  const rule *r = rule_at(i);
  if (r == NULL || out_err == NULL || out_ctx == NULL || out_cause == NULL)
    return SEK_ERR_ARG;
  bool aks = strcmp(r->domain, AKS_DOMAIN) == 0;
  long long code = r->lo;
  /* a range rule is a default: pick a code of the range that no exact rule names */
  for (long long c = r->lo; r->lo != r->hi && c <= r->hi && c < r->lo + 100000; c++) {
    bool named = false;
    for (size_t k = 0; k < NUM_RULES && !named; k++)
      named = rule_at(k)->lo == rule_at(k)->hi && rule_at(k)->lo == c &&
              strcmp(rule_at(k)->domain, r->domain) == 0;
    if (!named) {
      code = c;
      break;
    }
  }
  sek_error *e = sek_error_new(aks ? SEK_DOMAIN_MACH : r->domain, (long)code, NULL);
  if (e == NULL)
    return SEK_ERR_NOMEM;
  sek_error_context ctx;
  memset(&ctx, 0, sizeof ctx);
  ctx.simulator = (r->need_any & X_SIM) != 0;
  ctx.current_set = (r->need_any & X_CURRENT_SET) != 0;
  ctx.biometry_changed = (r->need_any & X_BIO_CHANGED) != 0;
  ctx.locked = (r->need_any & X_LOCKED) != 0;
  ctx.biometry_any = (r->need_any & X_BIO_ANY) != 0;
  for (unsigned op = 1; op < SEK_OP_COUNT; op++)
    if (r->ops & B(op)) {
      ctx.op = (sek_op)op;
      break;
    }
  *out_err = e;
  *out_ctx = ctx;
  *out_cause = &r->cause;
  return SEK_OK;
}

/* ---- the walk -------------------------------------------------------------------------------- */

typedef struct {
  const char *domain; /* canonical, AKS_DOMAIN, or "" for unknown */
  long long code;
  unsigned depth;
  bool is_error; /* the element is the error itself, not an AKSError beside it */
} element;

#define MAX_ELEMENTS (SEK_ERROR_MAX_DEPTH * 2)

static unsigned ctx_flags(const sek_error_context *ctx) {
  if (ctx == NULL)
    return 0;
  return (ctx->simulator ? X_SIM : 0) | (ctx->current_set ? X_CURRENT_SET : 0) |
         (ctx->biometry_changed ? X_BIO_CHANGED : 0) | (ctx->locked ? X_LOCKED : 0) |
         (ctx->biometry_any ? X_BIO_ANY : 0);
}

static size_t collect(const sek_error *e, element *out) {
  size_t n = 0;
  for (unsigned d = 0; e != NULL && d < SEK_ERROR_MAX_DEPTH; d++, e = sek_error_underlying(e)) {
    const char *dom = sek_error_domain(e);
    const char *canon = sek_error_domain_canonical(dom, strlen(dom));
    /* a Mach-domain error is an IOKit / AppleKeyStore return: the AKS rules read it */
    bool mach = canon != NULL && strcmp(canon, SEK_DOMAIN_MACH) == 0;
    out[n++] = (element){mach ? AKS_DOMAIN : canon ? canon : dom, sek_error_code(e), d, true};
    long long aks;
    if (sek_error_user_number(e, SEK_KEY_AKS_ERROR, &aks) == SEK_OK)
      out[n++] = (element){AKS_DOMAIN, aks, d, false};
  }
  return n;
}

/* A cause found so far: the table row and its score (the rows are copied out only at the end). */
typedef struct {
  const sek_cause *cause;
  unsigned confidence;
} scored;

static void add_cause(scored *acc, size_t *num, const sek_cause *c, unsigned conf) {
  if (conf > 100)
    conf = 100;
  if (conf == 0)
    conf = 1;
  for (size_t i = 0; i < *num; i++) {
    const char *id = acc[i].cause->id;
    if (id == c->id || (id[0] == c->id[0] && strcmp(id, c->id) == 0)) {
      if (conf > acc[i].confidence) {
        acc[i].cause = c;
        acc[i].confidence = conf;
      }
      return;
    }
  }
  if (*num >= NUM_RULES)
    return;
  acc[*num].cause = c;
  acc[*num].confidence = conf;
  (*num)++;
}

/*
 * Applies the rules to one (domain, code); percent scales the confidence.  Rules for one code
 * come first; rules for a code range are the defaults of that range and apply only when no rule
 * names the code itself.  One walk of the table: the range rules that match wait in `ranged`.
 */
static bool apply(const element *el, const char *domain, long long code, unsigned flags, sek_op op,
                  unsigned percent, scored *acc, size_t *num) {
  bool exact = false;
  const rule *ranged[NUM_RULES];
  size_t num_ranged = 0;
  bool unknown_domain = domain[0] == '\0';
  for (size_t g = 0; g < NUM_GROUPS; g++) {
    /* an unknown domain tries every group but AKS's (whose codes are not small) */
    const char *gd = groups[g].domain;
    if (unknown_domain ? strcmp(gd, AKS_DOMAIN) == 0
                       : gd != domain && (gd[0] != domain[0] || strcmp(gd, domain) != 0))
      continue;
    for (size_t i = 0; i < groups[g].num; i++) {
      const rule *r = &groups[g].rules[i];
      if (code < r->lo || code > r->hi)
        continue;
      if (r->ops != 0 && (op == SEK_OP_UNKNOWN || (r->ops & B(op)) == 0))
        continue;
      if (r->need_any != 0 && (r->need_any & flags) == 0)
        continue;
      if (r->lo != r->hi) {
        ranged[num_ranged++] = r;
        continue;
      }
      unsigned conf = r->cause.confidence + (el->depth > 0 ? 10 : 0);
      if (unknown_domain)
        conf /= 2;
      add_cause(acc, num, &r->cause, conf * percent / 100);
      exact = true;
    }
  }
  if (exact)
    return true;
  for (size_t k = 0; k < num_ranged; k++) {
    const rule *r = ranged[k];
    unsigned conf = r->cause.confidence + (el->depth > 0 ? 10 : 0);
    if (unknown_domain)
      conf /= 2;
    add_cause(acc, num, &r->cause, conf * percent / 100);
  }
  return num_ranged > 0;
}

static const sek_cause redacted_cause = {
    "code_unreadable",
    SEK_ACTION_UNKNOWN,
    SEK_PERMANENT_UNKNOWN,
    5,
    "The text does not show the error code (redacted as <private> or cut off), so no cause can "
    "be told.",
    "The same error from a log with private data shown, or the app's own print of the error.",
    "none"};

static const sek_cause fallback_cause = {
    "unknown_code",
    SEK_ACTION_UNKNOWN,
    SEK_PERMANENT_UNKNOWN,
    5,
    "No rule knows this domain and code.",
    "The full error text (domain, code, NSUnderlyingError, AKSError) and the call that failed.",
    "none"};

int sek_error_classify_ctx(const sek_error *e, const sek_error_context *ctx, sek_cause *out,
                           size_t cap, size_t *out_num) {
  if (e == NULL || (out == NULL && cap > 0) || out_num == NULL)
    return SEK_ERR_ARG;
  element els[MAX_ELEMENTS];
  size_t n = collect(e, els);
  unsigned flags = ctx_flags(ctx);
  sek_op op = ctx != NULL && ctx->op_resolved ? ctx->op : sek_error_op_of(e);
  if (op == SEK_OP_UNKNOWN && ctx != NULL)
    op = ctx->op;
  scored acc[NUM_RULES];
  size_t num = 0;
  for (size_t i = 0; i < n; i++) {
    if (i == 0 && ctx != NULL && ctx->code_unknown) {
      add_cause(acc, &num, &redacted_cause, redacted_cause.confidence);
      continue;
    }
    if (apply(&els[i], els[i].domain, els[i].code, flags, op, 100, acc, &num))
      continue;
    /* only the domains SecErrorGetOSStatus converts by rule (apple-facts §1e) */
    if (!els[i].is_error ||
        (strcmp(els[i].domain, SEK_DOMAIN_LA) != 0 && strcmp(els[i].domain, SEK_DOMAIN_CTK) != 0 &&
         strcmp(els[i].domain, AKS_DOMAIN) != 0))
      continue;
    /* no rule for this foreign code: what Security would turn it into (apple-facts §1e) */
    bool aks = strcmp(els[i].domain, AKS_DOMAIN) == 0;
    long os = sek_error_osstatus_of(aks ? SEK_DOMAIN_MACH : els[i].domain, els[i].code, NULL);
    apply(&els[i], SEK_DOMAIN_OSSTATUS, os, flags, op, 60, acc, &num);
  }
  if (num == 0) {
    acc[0].cause = &fallback_cause;
    acc[0].confidence = fallback_cause.confidence;
    num = 1;
  }
  /* rank: confidence descending, table order on ties (insertion sort keeps it stable) */
  for (size_t i = 1; i < num; i++) {
    scored c = acc[i];
    size_t j = i;
    while (j > 0 && acc[j - 1].confidence < c.confidence) {
      acc[j] = acc[j - 1];
      j--;
    }
    acc[j] = c;
  }
  size_t k = num < cap ? num : cap;
  for (size_t i = 0; i < k; i++) {
    out[i] = *acc[i].cause;
    out[i].confidence = acc[i].confidence;
  }
  *out_num = k;
  return SEK_OK;
}

int sek_error_classify(const sek_error *e, sek_cause *out, size_t cap, size_t *out_num) {
  return sek_error_classify_ctx(e, NULL, out, cap, out_num);
}

int sek_error_verdict(const sek_error *e, sek_action *out_action, sek_permanence *out_permanent) {
  if (e == NULL)
    return SEK_ERR_ARG;
  sek_cause top;
  size_t n = 0;
  int st = sek_error_classify_ctx(e, NULL, &top, 1, &n);
  if (st != SEK_OK)
    return st;
  if (out_action != NULL)
    *out_action = top.action;
  if (out_permanent != NULL)
    *out_permanent = top.permanent;
  return SEK_OK;
}
