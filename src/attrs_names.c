/*
 * attrs_names.c: THE table of kSec names (keys and value constants) with their raw strings,
 * the value kind each key expects, and the SecAccessControlCreateFlags option names.
 *
 * Raw strings are those of [SEC:Const] (apple-facts §6a-§6c, §5b).  Where one raw string has
 * several names (kSecAttrKeyTypeEC and kSecAttrKeyTypeECSECPrimeRandom are both "73") the first
 * row is the preferred name: the one the canonical printer writes.
 */
#include <string.h>

#include <sek/attrs.h>

#include "attrs_internal.h"

#define B(kind) (1u << SEK_VALUE_##kind)
/* Each row carries its strings' lengths (from the literals, at compile time): a lookup compares
 * a length and a byte before it calls memcmp, which made lookups 3x cheaper under the fuzzers'
 * comparison tracing (the lint looks every key and constant up; fuzz_attrs spent a third of
 * its time in these loops). */
#define ROW(n, r, role, t, kinds, dom, depr, repl, src)                                            \
  { {n, r, role, t, kinds, dom, depr, repl, src}, sizeof(n) - 1, sizeof(r) - 1 }
/* a key: name, raw, expected kind, other kinds Apple also takes, constant domain, source */
#define K(n, r, t, also, dom, src)                                                                 \
  ROW(n, r, SEK_NAME_KEY, SEK_VALUE_##t, B(t) | (also), dom, false, NULL, src)
/* a deprecated key, with its replacement */
#define KD(n, r, t, also, dom, repl, src)                                                          \
  ROW(n, r, SEK_NAME_KEY, SEK_VALUE_##t, B(t) | (also), dom, true, repl, src)
/* a value constant of a domain */
#define C(n, r, dom, src) ROW(n, r, SEK_NAME_CONSTANT, SEK_VALUE_CONSTANT, 0, dom, false, NULL, src)
#define CD(n, r, dom, repl, src)                                                                   \
  ROW(n, r, SEK_NAME_CONSTANT, SEK_VALUE_CONSTANT, 0, dom, true, repl, src)

#define S6A "[SEC:Const] §6a"
#define S6B "[SEC:Const] §6b"
#define S6C "[SEC:Const] §6c"
#define S5B "[SEC:Const] §5b"

typedef struct {
  sek_attrs_name pub;
  size_t name_len, raw_len;
} name_row;

static const name_row names[] = {
    /* §6a: class, key type, key class, tokens */
    K("kSecClass", "class", CONSTANT, B(STRING), "class", S6A),
    C("kSecClassKey", "keys", "class", S6A),
    C("kSecClassGenericPassword", "genp", "class", S6A),
    C("kSecClassInternetPassword", "inet", "class", S6A),
    C("kSecClassCertificate", "cert", "class", S6A),
    C("kSecClassIdentity", "idnt", "class", S6A),
    C("kSecClassAppleSharePassword", "apls", "class", S6A),
    C("kSecAttrKeyTypeECSECPrimeRandom", "73", "keytype", S6A),
    C("kSecAttrKeyTypeEC", "73", "keytype", S6A),
    C("kSecAttrKeyTypeRSA", "42", "keytype", S6A),
    C("kSecAttrKeyTypeECSECPrimeRandomPKA", "2147483678", "keytype", S6A " (private)"),
    C("kSecAttrKeyTypeSecureEnclaveAttestation", "2147483679", "keytype", S6A " (private)"),
    C("kSecAttrKeyTypeSecureEnclaveAnonymousAttestation", "2147483680", "keytype",
      S6A " (private)"),
    C("kSecAttrKeyTypeEd25519", "105", "keytype", S6A),
    C("kSecAttrKeyTypeX25519", "106", "keytype", S6A),
    C("kSecAttrKeyTypeEd448", "107", "keytype", S6A),
    C("kSecAttrKeyTypeX448", "108", "keytype", S6A),
    C("kSecAttrKeyTypeKyber", "109", "keytype", S6A),
    C("kSecAttrKeyTypeMLKEM", "110", "keytype", S6A),
    C("kSecAttrKeyTypeMLDSA", "111", "keytype", S6A),
    C("kSecAttrKeyClassPublic", "0", "keyclass", S6A),
    C("kSecAttrKeyClassPrivate", "1", "keyclass", S6A),
    C("kSecAttrKeyClassSymmetric", "2", "keyclass", S6A),
    K("kSecAttrTokenID", "tkid", CONSTANT, B(STRING), "token", S6A),
    C("kSecAttrTokenIDSecureEnclave", "com.apple.setoken", "token", S6A),
    C("kSecAttrTokenIDAppleKeyStore", "com.apple.setoken:aks", "token", S6A " (private)"),
    C("kSecAttrTokenIDSecureElement", "com.apple.secelemtoken", "token", S6A " (private)"),
    K("kSecAttrTokenOID", "toid", DATA, 0, NULL, S6A " (private)"),
    C("kSecAttrAccessGroupToken", "com.apple.token", "accessgroup", S6A),

    /* §6b: item attributes */
    K("kSecAttrAccessible", "pdmn", CONSTANT, B(STRING), "accessible", S6B),
    K("kSecAttrAccessControl", "accc", ACCESS_CONTROL, 0, NULL, S6B),
    K("kSecAttrAccessGroup", "agrp", STRING, B(CONSTANT), "accessgroup", S6B),
    K("kSecAttrSynchronizable", "sync", BOOL, B(CONSTANT), "sync", S6B),
    C("kSecAttrSynchronizableAny", "syna", "sync", S6B),
    K("kSecAttrCreationDate", "cdat", DATE, 0, NULL, S6B),
    K("kSecAttrModificationDate", "mdat", DATE, 0, NULL, S6B),
    K("kSecAttrLabel", "labl", STRING, B(DATA), NULL, S6B),
    K("kSecAttrDescription", "desc", STRING, 0, NULL, S6B),
    K("kSecAttrComment", "icmt", STRING, 0, NULL, S6B),
    K("kSecAttrCreator", "crtr", NUMBER, 0, NULL, S6B),
    K("kSecAttrKeyCreator", "crtr", NUMBER, 0, NULL, S6B),
    /* "type" is kSecAttrKeyType for keys (a key-type constant) and kSecAttrType (a FourCC
       number) for passwords; keys are what this module is about, so the key form leads.
       SecKey reads key type and size as integers from a CFNumber or a CFString (inferred from
       the "73"/"42" raw strings being decimal numbers), so numbers are accepted too. */
    K("kSecAttrKeyType", "type", CONSTANT, B(STRING) | B(NUMBER), "keytype", S6B),
    K("kSecAttrType", "type", CONSTANT, B(STRING) | B(NUMBER), "keytype", S6B),
    K("kSecAttrAccount", "acct", STRING, 0, NULL, S6B),
    K("kSecAttrService", "svce", STRING, 0, NULL, S6B),
    K("kSecAttrGeneric", "gena", DATA, 0, NULL, S6B),
    K("kSecAttrKeyClass", "kcls", CONSTANT, B(STRING) | B(NUMBER), "keyclass", S6B),
    /* klbl is a plain BLOB column (§8, no SHA-1 flag): a String is stored as text and never
       equals the Data form; the lint explains this. */
    K("kSecAttrApplicationLabel", "klbl", DATA, 0, NULL, S6B " + §8"),
    /* atag is a SHA-1-valued column (§8): a String hashes as its UTF-8 bytes, like the Data. */
    K("kSecAttrApplicationTag", "atag", DATA, B(STRING), NULL, S6B " + §8"),
    K("kSecAttrIsPermanent", "perm", BOOL, 0, NULL, S6B),
    K("kSecAttrIsPrivate", "priv", BOOL, 0, NULL, S6B),
    K("kSecAttrIsModifiable", "modi", BOOL, 0, NULL, S6B),
    /* bsiz: SecKey reads it with a CFNumber-or-CFString integer getter (inferred) */
    K("kSecAttrKeySizeInBits", "bsiz", NUMBER, B(STRING), NULL, S6B),
    K("kSecAttrEffectiveKeySize", "esiz", NUMBER, B(STRING), NULL, S6B),
    K("kSecAttrStartDate", "sdat", DATE, 0, NULL, S6B),
    K("kSecAttrEndDate", "edat", DATE, 0, NULL, S6B),
    K("kSecAttrIsSensitive", "sens", BOOL, 0, NULL, S6B),
    K("kSecAttrWasAlwaysSensitive", "asen", BOOL, 0, NULL, S6B),
    K("kSecAttrIsExtractable", "extr", BOOL, 0, NULL, S6B),
    K("kSecAttrWasNeverExtractable", "next", BOOL, 0, NULL, S6B),
    K("kSecAttrCanEncrypt", "encr", BOOL, 0, NULL, S6B),
    K("kSecAttrCanDecrypt", "decr", BOOL, 0, NULL, S6B),
    K("kSecAttrCanDerive", "drve", BOOL, 0, NULL, S6B),
    K("kSecAttrCanSign", "sign", BOOL, 0, NULL, S6B),
    K("kSecAttrCanVerify", "vrfy", BOOL, 0, NULL, S6B),
    K("kSecAttrCanSignRecover", "snrc", BOOL, 0, NULL, S6B),
    K("kSecAttrCanVerifyRecover", "vyrc", BOOL, 0, NULL, S6B),
    K("kSecAttrCanWrap", "wrap", BOOL, 0, NULL, S6B),
    K("kSecAttrCanUnwrap", "unwp", BOOL, 0, NULL, S6B),
    K("kSecAttrSyncViewHint", "vwht", STRING, 0, NULL, S6B),
    K("kSecAttrAlias", "alis", DATA, B(STRING), NULL, S6B),
    K("kSecAttrTombstone", "tomb", BOOL, 0, NULL, S6B " (private)"),
    K("kSecAttrMultiUser", "musr", DATA, 0, NULL, S6B " (private)"),
    K("kSecAttrUUID", "UUID", STRING, 0, NULL, S6B " (private)"),
    K("kSecAttrPersistentReference", "persistref", DATA, 0, NULL, S6B " (private)"),
    K("kSecAttrSysBound", "sysb", NUMBER, 0, NULL, S6B " (private)"),
    K("kSecAttrSHA1", "sha1", DATA, 0, NULL, S6B " (private)"),
    K("kSecAttrSharingGroup", "ggrp", STRING, 0, NULL, S6B " (private)"),
    K("kSecUseDataProtectionKeychain", "nleg", BOOL, 0, NULL, S6B),
    K("kSecAttrNoLegacy", "nleg", BOOL, 0, NULL, S6B " (private)"),

    /* §5b: kSecAttrAccessible values (the protection classes of SecAccessControl too) */
    C("kSecAttrAccessibleWhenUnlocked", "ak", "accessible", S5B),
    C("kSecAttrAccessibleAfterFirstUnlock", "ck", "accessible", S5B),
    CD("kSecAttrAccessibleAlways", "dk", "accessible", "kSecAttrAccessibleAfterFirstUnlock", S5B),
    C("kSecAttrAccessibleAlwaysPrivate", "dk", "accessible", S5B " (private)"),
    C("kSecAttrAccessibleWhenUnlockedThisDeviceOnly", "aku", "accessible", S5B),
    C("kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly", "cku", "accessible", S5B),
    /* deprecated together with kSecAttrAccessibleAlways (inferred: same SDK release) */
    CD("kSecAttrAccessibleAlwaysThisDeviceOnly", "dku", "accessible",
       "kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly", S5B),
    C("kSecAttrAccessibleAlwaysThisDeviceOnlyPrivate", "dku", "accessible", S5B " (private)"),
    C("kSecAttrAccessibleWhenPasscodeSetThisDeviceOnly", "akpu", "accessible", S5B),
    C("kSecAttrAccessibleUntilReboot", "f", "accessible", S5B " (private)"),

    /* §6c: search, return, value, use, key generation */
    K("kSecMatchLimit", "m_Limit", CONSTANT, B(NUMBER) | B(STRING), "matchlimit", S6C),
    C("kSecMatchLimitOne", "m_LimitOne", "matchlimit", S6C),
    C("kSecMatchLimitAll", "m_LimitAll", "matchlimit", S6C),
    K("kSecMatchPolicy", "m_Policy", REFERENCE, 0, NULL, S6C),
    K("kSecMatchItemList", "m_ItemList", REFERENCE, 0, NULL, S6C),
    K("kSecMatchSearchList", "m_SearchList", REFERENCE, 0, NULL, S6C),
    K("kSecMatchIssuers", "m_Issuers", REFERENCE, 0, NULL, S6C),
    K("kSecMatchEmailAddressIfPresent", "m_EmailAddressIfPresent", STRING, 0, NULL, S6C),
    K("kSecMatchSubjectContains", "m_SubjectContains", STRING, 0, NULL, S6C),
    K("kSecMatchHostOrSubdomainOfHost", "m_HostOrSubdomainOfHost", STRING, 0, NULL, S6C),
    K("kSecMatchCaseInsensitive", "m_CaseInsensitive", BOOL, 0, NULL, S6C),
    K("kSecMatchTrustedOnly", "m_TrustedOnly", BOOL, 0, NULL, S6C),
    K("kSecMatchValidOnDate", "m_ValidOnDate", DATE, 0, NULL, S6C),
    K("kSecReturnData", "r_Data", BOOL, 0, NULL, S6C),
    K("kSecReturnAttributes", "r_Attributes", BOOL, 0, NULL, S6C),
    K("kSecReturnRef", "r_Ref", BOOL, 0, NULL, S6C),
    K("kSecReturnPersistentRef", "r_PersistentRef", BOOL, 0, NULL, S6C),
    K("kSecValueData", "v_Data", DATA, 0, NULL, S6C),
    K("kSecValueRef", "v_Ref", REFERENCE, 0, NULL, S6C),
    K("kSecValuePersistentRef", "v_PersistentRef", DATA, 0, NULL, S6C),
    KD("kSecUseOperationPrompt", "u_OpPrompt", STRING, 0, NULL,
       "an LAContext with localizedReason, passed as kSecUseAuthenticationContext", S6C),
    K("kSecUseAuthenticationContext", "u_AuthCtx", REFERENCE, 0, NULL, S6C),
    K("kSecUseAuthenticationUI", "u_AuthUI", CONSTANT, B(STRING), "authui", S6C),
    C("kSecUseAuthenticationUIAllow", "u_AuthUIA", "authui", S6C),
    C("kSecUseAuthenticationUIFail", "u_AuthUIF", "authui", S6C),
    C("kSecUseAuthenticationUISkip", "u_AuthUIS", "authui", S6C),
    KD("kSecUseNoAuthenticationUI", "u_NoAuthUI", BOOL, 0, NULL,
       "kSecUseAuthenticationUI: kSecUseAuthenticationUIFail", S6C),
    K("kSecUseCredentialReference", "u_CredRef", DATA, 0, NULL, S6C " (private)"),
    K("kSecUseItemList", "u_ItemList", REFERENCE, 0, NULL, S6C),
    K("kSecUseTombstones", "u_Tomb", BOOL, 0, NULL, S6C),
    K("kSecUseCallerName", "u_CallerName", STRING, 0, NULL, S6C),
    K("kSecUseTokenRawItems", "u_TokenRawItems", BOOL, 0, NULL, S6C),
    K("kSecUseSystemKeychain", "u_SystemKeychain", BOOL, 0, NULL, S6C),
    K("kSecUseSystemKeychainAlways", "u_SystemKeychainAlways", BOOL, 0, NULL, S6C),
    K("kSecPrivateKeyAttrs", "private", DICT, 0, NULL, S6C),
    K("kSecPublicKeyAttrs", "public", DICT, 0, NULL, S6C),
    K("kSecKeyKeyExchangeParameterRequestedSize", "requestedSize", NUMBER, 0, NULL,
      "[SEC:Adaptors] §6c"),
    K("kSecKeyKeyExchangeParameterSharedInfo", "sharedInfo", DATA, 0, NULL, "[SEC:Adaptors] §6c"),
};

size_t sek_attrs_name_count(void) { return sizeof names / sizeof names[0]; }

const sek_attrs_name *sek_attrs_name_at(size_t i) {
  return i < sek_attrs_name_count() ? &names[i].pub : NULL;
}

const sek_attrs_name *sek_attrs_name_lookup(const char *name_or_raw, sek_name_role role) {
  if (name_or_raw == NULL)
    return NULL;
  return attrs_name_lookup_n(name_or_raw, strlen(name_or_raw), role);
}

/* The row whose raw string (raw = true) or name is s[0, len) in that role, first match. */
static const sek_attrs_name *find(const char *s, size_t len, sek_name_role role, bool raw) {
  for (size_t i = 0; i < sek_attrs_name_count(); i++) {
    const name_row *r = &names[i];
    const char *str = raw ? r->pub.raw : r->pub.name;
    if ((raw ? r->raw_len : r->name_len) == len && r->pub.role == role && str[0] == s[0] &&
        memcmp(str, s, len) == 0)
      return &r->pub;
  }
  return NULL;
}

const sek_attrs_name *attrs_name_lookup_n(const char *s, size_t len, sek_name_role role) {
  /* A name wins over a raw string: no kSec name is also some other row's raw string. */
  if (len == 0)
    return NULL;
  const sek_attrs_name *n = find(s, len, role, false);
  return n != NULL ? n : find(s, len, role, true);
}

const sek_attrs_name *attrs_name_by_raw(const char *raw, sek_name_role role) {
  size_t len = strlen(raw);
  return len != 0 ? find(raw, len, role, true) : NULL;
}

/* ---- SecAccessControlCreateFlags options ([SEC:AC.h], apple-facts §5a) ---- */

static const struct {
  const char *swift; /* the Swift OptionSet member */
  const char *objc;  /* the C constant */
  uint32_t bit;
  bool deprecated; /* the deprecated spelling of a bit that has a current name */
} flags[] = {
    {"userPresence", "kSecAccessControlUserPresence", SEK_AC_USER_PRESENCE, false},
    {"biometryAny", "kSecAccessControlBiometryAny", SEK_AC_BIOMETRY_ANY, false},
    {"touchIDAny", "kSecAccessControlTouchIDAny", SEK_AC_BIOMETRY_ANY, true},
    {"biometryCurrentSet", "kSecAccessControlBiometryCurrentSet", SEK_AC_BIOMETRY_CURRENT_SET,
     false},
    {"touchIDCurrentSet", "kSecAccessControlTouchIDCurrentSet", SEK_AC_BIOMETRY_CURRENT_SET, true},
    {"devicePasscode", "kSecAccessControlDevicePasscode", SEK_AC_DEVICE_PASSCODE, false},
    {"companion", "kSecAccessControlCompanion", SEK_AC_COMPANION, false},
    {"watch", "kSecAccessControlWatch", SEK_AC_COMPANION, true},
    {"or", "kSecAccessControlOr", SEK_AC_OR, false},
    {"and", "kSecAccessControlAnd", SEK_AC_AND, false},
    {"privateKeyUsage", "kSecAccessControlPrivateKeyUsage", SEK_AC_PRIVATE_KEY_USAGE, false},
    {"applicationPassword", "kSecAccessControlApplicationPassword", SEK_AC_APPLICATION_PASSWORD,
     false},
};

const char *sek_access_control_flag_name(uint32_t bit) {
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
    if (flags[i].bit == bit && !flags[i].deprecated)
      return flags[i].swift;
  return NULL;
}

const char *attrs_flag_deprecated_name(uint32_t bit) {
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
    if (flags[i].bit == bit && flags[i].deprecated)
      return flags[i].swift;
  return NULL;
}

uint32_t sek_access_control_flag_lookup(const char *name, size_t len, bool *deprecated) {
  if (name == NULL)
    return 0;
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
    const char *n[2] = {flags[i].swift, flags[i].objc};
    for (int j = 0; j < 2; j++)
      if (strlen(n[j]) == len && memcmp(n[j], name, len) == 0) {
        if (deprecated != NULL)
          *deprecated = flags[i].deprecated;
        return flags[i].bit;
      }
  }
  return 0;
}
