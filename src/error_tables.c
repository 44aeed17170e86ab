/*
 * error_tables.c: what is known about the codes, as data.  Every row carries its source tag from
 * apple-facts.md ([SEC:SecBase.h], [SEC:SecBasePriv.h], [MS-TK], [OBJC2-TK], [SDK-LA11], [MS-LA],
 * [XNU], O = observed in field logs, I = inferred, with the reason).  Meanings are paraphrased.
 *
 * Lookups walk the tables (a few hundred rows): the decoder calls them once per name or code it
 * meets, so a linear walk costs less than any index it would have to build per call.
 */
#include <string.h>

#include "error_internal.h"

#define OS SEK_DOMAIN_OSSTATUS
#define TK SEK_DOMAIN_CTK
#define LA SEK_DOMAIN_LA
#define MACH SEK_DOMAIN_MACH
#define SB "[SEC:SecBase.h]"
#define SBP "[SEC:SecBasePriv.h]"

static bool name_is(const char *table_name, const char *name, size_t len);

/* ---- codes ----------------------------------------------------------------------------------- */

/* One table per domain: a lookup walks only the rows of its domain. */
static const sek_error_code_info codes_os[] = {
    /* §1a general */
    {OS, 0, "errSecSuccess", "no error", SB},
    {OS, -4, "errSecUnimplemented", "function or operation not implemented", SB},
    {OS, -34, "errSecDiskFull", "the disk is full", SB},
    {OS, -36, "errSecIO", "I/O error", SB},
    {OS, -49, "errSecOpWr", "file already open for writing", SB},
    {OS, -50, "errSecParam", "one or more parameters are not valid", SB},
    {OS, -61, "errSecWrPerm", "write permission error", SB},
    {OS, -108, "errSecAllocate", "memory allocation failed", SB},
    {OS, -128, "errSecUserCanceled", "the user canceled the operation", SB},
    {OS, -909, "errSecBadReq", "bad parameter or invalid state for the operation", SB},
    {OS, -2070, "errSecInternalComponent", "an internal component failed", SB},
    {OS, -4960, "errSecCoreFoundationUnknown", "unknown CoreFoundation error", SB},
    {OS, -34018, "errSecMissingEntitlement", "a required entitlement is absent", SB},
    {OS, -34020, "errSecRestrictedAPI", "the client may not use this API", SB},
    /* §1b keychain / item */
    {OS, -25291, "errSecNotAvailable", "no keychain is available", SB},
    {OS, -25292, "errSecReadOnly", "the keychain cannot be modified", SB},
    {OS, -25293, "errSecAuthFailed", "the credentials or authorization were not correct", SB},
    {OS, -25294, "errSecNoSuchKeychain", "the keychain was not found", SB},
    {OS, -25295, "errSecInvalidKeychain", "not a valid keychain file", SB},
    {OS, -25296, "errSecDuplicateKeychain", "a keychain with the same name exists", SB},
    {OS, -25297, "errSecDuplicateCallback", "the callback is already installed", SB},
    {OS, -25298, "errSecInvalidCallback", "the callback is not valid", SB},
    {OS, -25299, "errSecDuplicateItem", "the item already exists in the keychain", SB},
    {OS, -25300, "errSecItemNotFound", "the item could not be found in the keychain", SB},
    {OS, -25301, "errSecBufferTooSmall", "the buffer is too small", SB},
    {OS, -25302, "errSecDataTooLarge", "the data is too large", SB},
    {OS, -25303, "errSecNoSuchAttr", "the attribute does not exist", SB},
    {OS, -25304, "errSecInvalidItemRef", "the item reference is no longer valid", SB},
    {OS, -25305, "errSecInvalidSearchRef", "the search failed", SB},
    {OS, -25306, "errSecNoSuchClass", "not a valid item class", SB},
    {OS, -25307, "errSecNoDefaultKeychain", "there is no default keychain", SB},
    {OS, -25308, "errSecInteractionNotAllowed",
     "user interaction is not allowed (locked device, background)", SB},
    {OS, -25309, "errSecReadOnlyAttr", "the attribute cannot be modified", SB},
    {OS, -25310, "errSecWrongSecVersion", "the keychain is from another software version", SB},
    {OS, -25311, "errSecKeySizeNotAllowed", "the key size is too large or too small", SB},
    {OS, -25312, "errSecNoStorageModule", "the storage module is not loaded", SB},
    {OS, -25313, "errSecNoCertificateModule", "the certificate module is not loaded", SB},
    {OS, -25314, "errSecNoPolicyModule", "the policy module is not loaded", SB},
    {OS, -25315, "errSecInteractionRequired", "interaction is required but not allowed", SB},
    {OS, -25316, "errSecDataNotAvailable", "the item's contents cannot be retrieved", SB},
    {OS, -25317, "errSecDataNotModifiable", "the item's contents cannot be modified", SB},
    {OS, -25318, "errSecCreateChainFailed", "the certificate chain is incomplete", SB},
    {OS, -25319, "errSecInvalidPrefsDomain", "bad preferences domain", SB},
    {OS, -25320, "errSecInDarkWake", "the system is in dark wake: no UI", SB},
    {OS, -25240, "errSecACLNotSimple", "the ACL is not in simple form", SB},
    {OS, -25241, "errSecPolicyNotFound", "the policy was not found", SB},
    {OS, -25242, "errSecInvalidTrustSetting", "invalid trust setting", SB},
    {OS, -25243, "errSecNoAccessForItem", "the item has no access control", SB},
    {OS, -25244, "errSecInvalidOwnerEdit", "invalid change of owner", SB},
    {OS, -25245, "errSecTrustNotAvailable", "no trust results are available", SB},
    {OS, -25256, "errSecUnsupportedFormat", "import/export format not supported", SB},
    {OS, -25257, "errSecUnknownFormat", "unknown import format", SB},
    {OS, -25258, "errSecKeyIsSensitive", "the key must be wrapped to be exported", SB},
    {OS, -25259, "errSecMultiplePrivKeys", "multiple private keys on import", SB},
    {OS, -25260, "errSecPassphraseRequired", "a passphrase is needed for import/export", SB},
    {OS, -25261, "errSecInvalidPasswordRef", "bad password reference", SB},
    {OS, -25262, "errSecInvalidTrustSettings", "the trust settings record is corrupted", SB},
    {OS, -25263, "errSecNoTrustSettings", "no trust settings", SB},
    {OS, -25264, "errSecPkcs12VerifyFailure", "PKCS12 MAC check failed", SB},
    {OS, -26267, "errSecNotSigner", "the certificate was not signed by the proposed parent", SB},
    {OS, -26275, "errSecDecode", "unable to decode the data", SB},
    /* §1c CSSM range, key-relevant */
    {OS, -67585, "errSecServiceNotAvailable", "the service is not available", SB},
    {OS, -67586, "errSecInsufficientClientID", "insufficient client identification", SB},
    {OS, -67587, "errSecDeviceReset", "the device was reset", SB},
    {OS, -67588, "errSecDeviceFailed", "the device failed", SB},
    {OS, -67590, "errSecApplePublicKeyIncomplete", "the public key is incomplete", SB},
    {OS, -67591, "errSecAppleSignatureMismatch", "signature mismatch", SB},
    {OS, -67594, "errSecConversionError", "conversion error", SB},
    {OS, -67599, "errSecInvalidKeyBlob", "the key blob is not valid", SB},
    {OS, -67601, "errSecIncompatibleKeyBlob", "the key blob is incompatible", SB},
    {OS, -67667, "errSecNotInitialized", "not initialised", SB},
    {OS, -67671, "errSecInternalError", "internal error", SB},
    {OS, -67672, "errSecMemoryError", "memory error", SB},
    {OS, -67673, "errSecInvalidData", "the data is not valid", SB},
    {OS, -67675, "errSecInvalidPointer", "invalid pointer", SB},
    {OS, -67677, "errSecFunctionFailed", "the function failed", SB},
    {OS, -67680, "errSecInvalidHandle", "invalid handle", SB},
    {OS, -67686, "errSecVerificationFailure", "verification failure", SB},
    {OS, -67688, "errSecInvalidSignature", "the signature is not valid", SB},
    {OS, -67693, "errSecInvalidQuery", "the query is not valid", SB},
    {OS, -67694, "errSecInvalidValue", "invalid value", SB},
    {OS, -67700, "errSecInvalidAccessCredentials", "invalid access credentials", SB},
    {OS, -67701, "errSecInvalidRecord", "invalid record", SB},
    {OS, -67702, "errSecInvalidACL", "the ACL is not valid", SB},
    {OS, -67705, "errSecPrivilegeNotGranted", "privilege not granted", SB},
    {OS, -67712, "errSecInvalidKeyRef", "the key reference is not valid", SB},
    {OS, -67713, "errSecInvalidKeyHierarchy", "invalid key hierarchy", SB},
    {OS, -67724, "errSecInputLengthError", "input length error", SB},
    {OS, -67725, "errSecOutputLengthError", "output length error", SB},
    {OS, -67727, "errSecDeviceError", "device error", SB},
    {OS, -67729, "errSecNotLoggedIn", "not logged in", SB},
    {OS, -67730, "errSecAlgorithmMismatch", "algorithm mismatch", SB},
    {OS, -67731, "errSecKeyUsageIncorrect", "the key usage is incorrect", SB},
    {OS, -67732, "errSecKeyBlobTypeIncorrect", "the key blob type is incorrect", SB},
    {OS, -67733, "errSecKeyHeaderInconsistent", "the key header is inconsistent", SB},
    {OS, -67734, "errSecUnsupportedKeyFormat", "the key format is not supported", SB},
    {OS, -67735, "errSecUnsupportedKeySize", "the key size is not supported", SB},
    {OS, -67736, "errSecInvalidKeyUsageMask", "invalid key usage mask", SB},
    {OS, -67737, "errSecUnsupportedKeyUsageMask", "unsupported key usage mask", SB},
    {OS, -67738, "errSecInvalidKeyAttributeMask", "invalid key attribute mask", SB},
    {OS, -67739, "errSecUnsupportedKeyAttributeMask", "unsupported key attribute mask", SB},
    {OS, -67740, "errSecInvalidKeyLabel", "invalid key label", SB},
    {OS, -67741, "errSecUnsupportedKeyLabel", "unsupported key label", SB},
    {OS, -67742, "errSecInvalidKeyFormat", "invalid key format", SB},
    {OS, -67746, "errSecInvalidContext", "invalid context", SB},
    {OS, -67747, "errSecInvalidAlgorithm", "invalid algorithm", SB},
    {OS, -67748, "errSecInvalidAttributeKey", "invalid attribute key", SB},
    {OS, -67749, "errSecMissingAttributeKey", "missing attribute key", SB},
    {OS, -67762, "errSecInvalidAttributeKeyLength", "invalid attribute key length", SB},
    {OS, -67763, "errSecMissingAttributeKeyLength", "missing attribute key length", SB},
    {OS, -67770, "errSecInvalidAlgorithmParms", "invalid algorithm parameters", SB},
    {OS, -67774, "errSecInvalidAttributeKeyType", "invalid attribute key type", SB},
    {OS, -67775, "errSecMissingAttributeKeyType", "missing attribute key type", SB},
    {OS, -67808, "errSecVerifyFailed", "the signature does not verify", SB},
    {OS, -67811, "errSecPublicKeyInconsistent", "the public key is inconsistent", SB},
    {OS, -67812, "errSecDeviceVerifyFailed", "device verification failed", SB},
    {OS, -67815, "errSecInvalidDigestAlgorithm", "invalid digest algorithm", SB},
    {OS, -67822, "errSecInsufficientCredentials", "insufficient credentials", SB},
    {OS, -67869, "errSecDatabaseLocked", "the database is locked", SB},
    {OS, -67871, "errSecMissingValue", "a value is missing", SB},
    {OS, -67876, "errSecInvalidAccessRequest", "invalid access request", SB},
    /* §1d private */
    {OS, -26270, "errSecPolicyDenied", "policy denied", SBP},
    {OS, -26276, "errSecInternal", "internal Security framework error (catch-all of the mapping)",
     SBP},
    {OS, -34017, "errSecWaitForCallback", "not an error: completes through a callback", SBP},
    {OS, -34019, "errSecUpgradePending", "database migration pending while locked", SBP},
    {OS, -25330, "errSecAuthNeeded", "authentication needed (constraints in user info 'cons')",
     SBP},
    {OS, -25336, "errSecTimedOut", "timed out (same value as errSecPeersNotAvailable)", SBP},
};

static const sek_error_code_info codes_tk[] = {
    /* §2 CryptoTokenKit */
    {TK, -1, "TKErrorCodeNotImplemented", "not implemented", "[MS-TK] [OBJC2-TK]"},
    {TK, -2, "TKErrorCodeCommunicationError", "communication with the token failed",
     "[MS-TK] [OBJC2-TK]"},
    {TK, -3, "TKErrorCodeCorruptedData", "corrupted data (for SE keys: the key, see AKSError)",
     "[MS-TK] [OBJC2-TK]"},
    {TK, -4, "TKErrorCodeCanceledByUser", "canceled by the user", "[MS-TK]"},
    {TK, -5, "TKErrorCodeAuthenticationFailed", "authentication failed", "[MS-TK]"},
    {TK, -6, "TKErrorCodeObjectNotFound", "the token object was not found", "[MS-TK]"},
    {TK, -7, "TKErrorCodeTokenNotFound", "the token (e.g. the Secure Enclave) was not found",
     "[MS-TK]"},
    {TK, -8, "TKErrorCodeBadParameter", "bad parameter", "[MS-TK]"},
    {TK, -9, "TKErrorCodeAuthenticationNeeded", "authentication is needed", "[MS-TK]"},
    {TK, -1003, "TKTokenNotFoundButPINEntered", "token not found after PIN entry (private)",
     "[SEC:CTKKey] literal -1003"},
};

static const sek_error_code_info codes_la[] = {
    /* §4 LocalAuthentication */
    {LA, -1, "LAErrorAuthenticationFailed", "the user failed to authenticate", "[SDK-LA11]"},
    {LA, -2, "LAErrorUserCancel", "the user canceled authentication", "[SDK-LA11]"},
    {LA, -3, "LAErrorUserFallback", "the user chose the fallback (password)", "[SDK-LA11]"},
    {LA, -4, "LAErrorSystemCancel", "the system canceled authentication (e.g. app went away)",
     "[SDK-LA11]"},
    {LA, -5, "LAErrorPasscodeNotSet", "no passcode is set on the device", "[SDK-LA11]"},
    {LA, -6, "LAErrorBiometryNotAvailable", "biometry is not available on the device",
     "[SDK-LA11]"},
    {LA, -7, "LAErrorBiometryNotEnrolled", "no biometric identities are enrolled", "[SDK-LA11]"},
    {LA, -8, "LAErrorBiometryLockout", "biometry is locked out after too many failures",
     "[SDK-LA11]"},
    {LA, -9, "LAErrorAppCancel", "the app canceled authentication", "[SDK-LA11]"},
    {LA, -10, "LAErrorInvalidContext", "the LAContext was invalidated", "[SDK-LA11]"},
    {LA, -11, "LAErrorCompanionNotAvailable", "no paired companion device (Watch) is available",
     "[SDK-LA11] [MS-LA]"},
    {LA, -12, "LAErrorBiometryNotPaired", "the removable biometric accessory is not paired",
     "[SDK-LA11]"},
    {LA, -13, "LAErrorBiometryDisconnected", "the removable biometric accessory is disconnected",
     "[SDK-LA11]"},
    {LA, -14, "LAErrorInvalidDimensions", "invalid dimensions", "[MS-LA]"},
    {LA, -1004, "LAErrorNotInteractive", "UI is not allowed (not interactive)", "[SDK-LA11]"},
    {LA, -1009, "LAErrorACLOperationNotAllowed",
     "the key's ACL does not allow the operation (private; name is ours)",
     "O: flutter_secure_storage PR #989; name I: from its message"},
};

static const sek_error_code_info codes_mach[] = {
    /* §3a IOKit returns (NSMachErrorDomain, signed 32-bit) */
    {MACH, 0, "KERN_SUCCESS", "success", "[XNU]"},
    {MACH, -536870212, "kIOReturnError", "general error", "[XNU]"},
    {MACH, -536870211, "kIOReturnNoMemory", "cannot allocate memory", "[XNU]"},
    {MACH, -536870209, "kIOReturnIPCError", "IPC error", "[XNU]"},
    {MACH, -536870207, "kIOReturnNotPrivileged", "privilege violation", "[XNU]"},
    {MACH, -536870206, "kIOReturnBadArgument", "invalid argument", "[XNU]"},
    {MACH, -536870205, "kIOReturnLockedRead", "device read locked", "[XNU]"},
    {MACH, -536870204, "kIOReturnLockedWrite", "device write locked", "[XNU]"},
    {MACH, -536870203, "kIOReturnExclusiveAccess", "exclusive access and device already open",
     "[XNU]"},
    {MACH, -536870201, "kIOReturnUnsupported", "unsupported function", "[XNU]"},
    {MACH, -536870199, "kIOReturnInternalError", "internal error", "[XNU]"},
    {MACH, -536870198, "kIOReturnIOError", "general I/O error", "[XNU]"},
    {MACH, -536870194, "kIOReturnNotReadable", "read not supported", "[XNU]"},
    {MACH, -536870193, "kIOReturnNotWritable", "write not supported", "[XNU]"},
    {MACH, -536870187, "kIOReturnBusy", "device busy", "[XNU]"},
    {MACH, -536870186, "kIOReturnTimeout", "I/O timeout", "[XNU]"},
    {MACH, -536870184, "kIOReturnNotReady", "not ready", "[XNU]"},
    {MACH, -536870181, "kIOReturnNoSpace", "no space for data", "[XNU]"},
    {MACH, -536870174, "kIOReturnNotPermitted", "not permitted", "[XNU]"},
    {MACH, -536870160, "kIOReturnNotFound", "data was not found", "[XNU]"},
    /* §3b AppleKeyStore values in the keystore subsystem (named where evidenced) */
    {MACH, -536362999, "kAKSReturnPolicyInvalid",
     "AppleKeyStore: the key's policy is invalid (key unusable for good)",
     "O: third-party labels of AKSError=-536362999; seed thread (Quinn: 'policy invalid')"},
};

#define ROWS(t)                                                                                    \
  { t, sizeof t / sizeof t[0] }
static const struct {
  const sek_error_code_info *rows;
  size_t num;
} code_tables[] = {
    ROWS(codes_os),
    ROWS(codes_tk),
    ROWS(codes_la),
    ROWS(codes_mach),
};
#undef ROWS

const sek_error_code_info *sek_error_codes(size_t i, size_t *out_num) {
  if (i >= sizeof code_tables / sizeof code_tables[0])
    return NULL;
  *out_num = code_tables[i].num;
  return code_tables[i].rows;
}

static const sek_error_code_info unknown_code = {"", 0, "", "unknown code", "none"};

const sek_error_code_info *sek_error_code_lookup(const char *domain, long long code) {
  if (domain == NULL)
    return &unknown_code;
  for (size_t t = 0; t < sizeof code_tables / sizeof code_tables[0]; t++) {
    const sek_error_code_info *rows = code_tables[t].rows;
    if (rows[0].domain != domain && strcmp(rows[0].domain, domain) != 0)
      continue;
    for (size_t i = 0; i < code_tables[t].num; i++)
      if (rows[i].code == code)
        return &rows[i];
    break;
  }
  return &unknown_code;
}

/* ---- aliases: more names for the same values ------------------------------------------------- */

#define KC "I: Carbon MacErrors.h errKC* names; Security's '(errKC… / errSec…)' insert pairs them"
#define LAM "[SDK-LA11] kLAError* macros of LAPublicDefines.h"
#define SWIFT_LA "I: Swift LAError.Code case of the LAError enum [SDK-LA11]"
#define SWIFT_TK "I: Swift TKError.Code case of TKErrorCode [MS-TK]"

static const sek_error_alias_info aliases[] = {
    {"errSecDskFull", OS, -34, SB},
    {"errSecPeersNotAvailable", OS, -25336, SBP},
    {"errSecInvalidCertificate", OS, -26275, SBP},
    {"errSecInvalidKey", OS, -26275, SBP},
    {"errSecUnsupportedAlgorithm", OS, -4, SBP},
    {"errSecUnsupportedOperation", OS, -4, SBP},
    {"errSecUnsupportedPadding", OS, -50, SBP},
    {"errSecItemInvalidKey", OS, -50, SBP},
    {"errSecItemInvalidKeyType", OS, -50, SBP},
    {"errSecItemInvalidValue", OS, -50, SBP},
    {"errSecItemClassMissing", OS, -50, SBP},
    {"errSecItemMatchUnsupported", OS, -50, SBP},
    {"errSecUseItemListUnsupported", OS, -50, SBP},
    {"errSecUseKeychainUnsupported", OS, -50, SBP},
    {"errSecUseKeychainListUnsupported", OS, -50, SBP},
    {"errSecReturnDataUnsupported", OS, -50, SBP},
    {"errSecReturnAttributesUnsupported", OS, -50, SBP},
    {"errSecReturnRefUnsupported", OS, -50, SBP},
    {"errSecReturnPersistentRefUnsupported", OS, -50, SBP},
    {"errSecValueRefUnsupported", OS, -50, SBP},
    {"errSecValuePersistentRefUnsupported", OS, -50, SBP},
    {"errSecReturnMissingPointer", OS, -50, SBP},
    {"errSecMatchLimitUnsupported", OS, -50, SBP},
    {"errSecItemIllegalQuery", OS, -50, SBP},
    {"errKCNotAvailable", OS, -25291, KC},
    {"errKCReadOnly", OS, -25292, KC},
    {"errKCAuthFailed", OS, -25293, KC},
    {"errKCNoSuchKeychain", OS, -25294, KC},
    {"errKCInvalidKeychain", OS, -25295, KC},
    {"errKCDuplicateKeychain", OS, -25296, KC},
    {"errKCDuplicateCallback", OS, -25297, KC},
    {"errKCInvalidCallback", OS, -25298, KC},
    {"errKCDuplicateItem", OS, -25299, KC},
    {"errKCItemNotFound", OS, -25300, KC},
    {"errKCBufferTooSmall", OS, -25301, KC},
    {"errKCDataTooLarge", OS, -25302, KC},
    {"errKCNoSuchAttr", OS, -25303, KC},
    {"errKCInvalidItemRef", OS, -25304, KC},
    {"errKCInvalidSearchRef", OS, -25305, KC},
    {"errKCNoSuchClass", OS, -25306, KC},
    {"errKCNoDefaultKeychain", OS, -25307, KC},
    {"errKCInteractionNotAllowed", OS, -25308, KC},
    {"errKCReadOnlyAttr", OS, -25309, KC},
    {"errKCWrongKCVersion", OS, -25310, KC},
    {"errKCKeySizeNotAllowed", OS, -25311, KC},
    {"errKCNoStorageModule", OS, -25312, KC},
    {"errKCNoCertificateModule", OS, -25313, KC},
    {"errKCNoPolicyModule", OS, -25314, KC},
    {"errKCInteractionRequired", OS, -25315, KC},
    {"errKCDataNotAvailable", OS, -25316, KC},
    {"errKCDataNotModifiable", OS, -25317, KC},
    {"errKCCreateChainFailed", OS, -25318, KC},
    {"userCanceledErr", OS, -128, "I: Carbon MacErrors.h, same value as errSecUserCanceled"},
    {"paramErr", OS, -50, "I: Carbon MacErrors.h, same value as errSecParam"},
    {"unimpErr", OS, -4, "I: Carbon MacErrors.h, same value as errSecUnimplemented"},
    {"TKErrorAuthenticationFailed", TK, -5, "[MS-TK] deprecated alias"},
    {"TKErrorObjectNotFound", TK, -6, "[MS-TK] deprecated alias"},
    {"TKErrorTokenNotFound", TK, -7, "[MS-TK] deprecated alias"},
    {"TKTokenNotFoundAndRegistered", TK, -7, "[SEC:CTKKey] treated like TokenNotFound"},
    {"kLAErrorAuthenticationFailed", LA, -1, LAM},
    {"kLAErrorUserCancel", LA, -2, LAM},
    {"kLAErrorUserFallback", LA, -3, LAM},
    {"kLAErrorSystemCancel", LA, -4, LAM},
    {"kLAErrorPasscodeNotSet", LA, -5, LAM},
    {"kLAErrorBiometryNotAvailable", LA, -6, LAM},
    {"kLAErrorTouchIDNotAvailable", LA, -6, LAM},
    {"LAErrorTouchIDNotAvailable", LA, -6, "[SDK-LA11]"},
    {"kLAErrorBiometryNotEnrolled", LA, -7, LAM},
    {"kLAErrorTouchIDNotEnrolled", LA, -7, LAM},
    {"LAErrorTouchIDNotEnrolled", LA, -7, "[SDK-LA11]"},
    {"kLAErrorBiometryLockout", LA, -8, LAM},
    {"kLAErrorTouchIDLockout", LA, -8, LAM},
    {"LAErrorTouchIDLockout", LA, -8, "[SDK-LA11]"},
    {"kLAErrorAppCancel", LA, -9, LAM},
    {"kLAErrorInvalidContext", LA, -10, LAM},
    {"kLAErrorWatchNotAvailable", LA, -11, LAM},
    {"LAErrorWatchNotAvailable", LA, -11, "[SDK-LA11]"},
    {"kLAErrorCompanionNotAvailable", LA, -11, "[MS-LA]"},
    {"kLAErrorBiometryNotPaired", LA, -12, LAM},
    {"kLAErrorBiometryDisconnected", LA, -13, LAM},
    {"kLAErrorInvalidDimensions", LA, -14, "[MS-LA]"},
    {"kLAErrorNotInteractive", LA, -1004, LAM},
    /* Swift enum cases, matched only after a '.' (LAError.userCancel, .biometryLockout) */
    {".authenticationFailed", LA, -1, SWIFT_LA},
    {".userCancel", LA, -2, SWIFT_LA},
    {".userFallback", LA, -3, SWIFT_LA},
    {".systemCancel", LA, -4, SWIFT_LA},
    {".passcodeNotSet", LA, -5, SWIFT_LA},
    {".biometryNotAvailable", LA, -6, SWIFT_LA},
    {".touchIDNotAvailable", LA, -6, SWIFT_LA},
    {".biometryNotEnrolled", LA, -7, SWIFT_LA},
    {".touchIDNotEnrolled", LA, -7, SWIFT_LA},
    {".biometryLockout", LA, -8, SWIFT_LA},
    {".touchIDLockout", LA, -8, SWIFT_LA},
    {".appCancel", LA, -9, SWIFT_LA},
    {".invalidContext", LA, -10, SWIFT_LA},
    {".companionNotAvailable", LA, -11, SWIFT_LA},
    {".watchNotAvailable", LA, -11, SWIFT_LA},
    {".biometryNotPaired", LA, -12, SWIFT_LA},
    {".biometryDisconnected", LA, -13, SWIFT_LA},
    {".invalidDimensions", LA, -14, SWIFT_LA},
    {".notInteractive", LA, -1004, SWIFT_LA},
    {".notImplemented", TK, -1, SWIFT_TK},
    {".communicationError", TK, -2, SWIFT_TK},
    {".corruptedData", TK, -3, SWIFT_TK},
    {".canceledByUser", TK, -4, SWIFT_TK},
    {".objectNotFound", TK, -6, SWIFT_TK},
    {".tokenNotFound", TK, -7, SWIFT_TK},
    {".badParameter", TK, -8, SWIFT_TK},
    {".authenticationNeeded", TK, -9, SWIFT_TK},
};

/* Error codes of cross-platform plugins, as strings in their JSON / exceptions.  Matched only
 * right after a quote or '(' (they are ordinary words otherwise). */
#define FLUTTER "I: Flutter local_auth error codes (auth_error.dart) for the LAError it maps"
#define EXPO "I: expo-local-authentication error strings for the LAError it maps"
static const sek_error_alias_info plugin_aliases[] = {
    {"LockedOut", LA, -8, FLUTTER},
    {"PermanentlyLockedOut", LA, -8, FLUTTER},
    {"NotEnrolled", LA, -7, FLUTTER},
    {"NotAvailable", LA, -6, FLUTTER},
    {"PasscodeNotSet", LA, -5, FLUTTER},
    {"user_cancel", LA, -2, EXPO},
    {"system_cancel", LA, -4, EXPO},
    {"app_cancel", LA, -9, EXPO},
    {"lockout", LA, -8, EXPO},
    {"not_enrolled", LA, -7, EXPO},
    {"passcode_not_set", LA, -5, EXPO},
    {"not_available", LA, -6, EXPO},
    {"authentication_failed", LA, -1, EXPO},
    {"user_fallback", LA, -3, EXPO},
    {"invalid_context", LA, -10, EXPO},
    {"not_interactive", LA, -1004, EXPO},
};

const sek_error_code_info *sek_error_plugin_lookup(const char *name, size_t len) {
  for (size_t i = 0; i < sizeof plugin_aliases / sizeof plugin_aliases[0]; i++)
    if (name_is(plugin_aliases[i].name, name, len))
      return sek_error_code_lookup(plugin_aliases[i].domain, plugin_aliases[i].code);
  return NULL;
}

const sek_error_alias_info *sek_error_plugin_aliases(size_t *out_num) {
  *out_num = sizeof plugin_aliases / sizeof plugin_aliases[0];
  return plugin_aliases;
}

const sek_error_alias_info *sek_error_aliases(size_t *out_num) {
  *out_num = sizeof aliases / sizeof aliases[0];
  return aliases;
}

/* Exact match of a table string against text that may hold any byte, NUL included. */
static bool name_is(const char *table_name, const char *name, size_t len) {
  return strlen(table_name) == len && memcmp(table_name, name, len) == 0;
}

/* The row a (domain, code) alias stands for; the alias itself when the code has no row. */
static const sek_error_code_info *alias_row(const sek_error_alias_info *a) {
  const sek_error_code_info *c = sek_error_code_lookup(a->domain, a->code);
  return c->name[0] != '\0' ? c : NULL;
}

const sek_error_code_info *sek_error_name_lookup(const char *name, size_t len) {
  if (name == NULL || len == 0)
    return NULL;
  for (size_t t = 0; t < sizeof code_tables / sizeof code_tables[0]; t++)
    for (size_t i = 0; i < code_tables[t].num; i++)
      if (name_is(code_tables[t].rows[i].name, name, len))
        return &code_tables[t].rows[i];
  for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
    if (name_is(aliases[i].name, name, len))
      return alias_row(&aliases[i]);
  return NULL;
}

/* ---- domain spellings ------------------------------------------------------------------------ */

#define DA(alias, canonical)                                                                       \
  { alias, sizeof alias - 1, canonical }
static const struct {
  const char *alias;
  size_t len;
  const char *canonical;
} domain_aliases[] = {
    DA("NSOSStatusErrorDomain", OS),
    DA("kCFErrorDomainOSStatus", OS),
    DA("OSStatus", OS),
    DA("kSecErrorDomain", OS),
    DA("CryptoTokenKit", TK),
    DA("TKErrorDomain", TK),
    DA("TKError", TK),
    DA("com.apple.CryptoTokenKit", TK),
    DA(LA, LA),
    DA("LAErrorDomain", LA),
    DA("kLAErrorDomain", LA),
    DA("LAError", LA),
    DA("LocalAuthentication", LA),
    DA("NSMachErrorDomain", MACH),
    DA("kCFErrorDomainMach", MACH),
    DA("NSPOSIXErrorDomain", SEK_DOMAIN_POSIX),
    DA("kCFErrorDomainPOSIX", SEK_DOMAIN_POSIX),
};
#undef DA

const char *sek_error_domain_canonical(const char *s, size_t len) {
  for (size_t i = 0; i < sizeof domain_aliases / sizeof domain_aliases[0]; i++)
    if (domain_aliases[i].len == len && memcmp(domain_aliases[i].alias, s, len) == 0)
      return domain_aliases[i].canonical;
  return NULL;
}

/* ---- SecErrorGetOSStatus (apple-facts §1e, [SEC:SecItem.m]) ---------------------------------- */

#define ANY_CODE 0x7fffffffffffffffLL
#define ITEM "[SEC:SecItem.m] SecErrorGetOSStatus"

static const struct {
  const char *domain;
  long long code; /* ANY_CODE: any other code of the domain (rows are tried in order) */
  long osstatus;
  const char *source;
} to_osstatus[] = {
    {LA, -2, -128, ITEM},
    {LA, -1004, -25308, ITEM},
    {LA, ANY_CODE, -25293, ITEM},
    {TK, -8, -50, ITEM},
    {TK, -1, -4, ITEM},
    {TK, -4, -128, ITEM},
    {TK, -3, -26275, ITEM},
    {TK, -7, -25300, ITEM},
    {TK, -6, -25300, ITEM},
    {TK, ANY_CODE, -26276, ITEM},
    {MACH, 0, 0, ITEM},
    {MACH, -536870194, -25293, ITEM}, /* kIOReturnNotReadable */
    {MACH, -536870193, -25293, ITEM}, /* kIOReturnNotWritable */
    {MACH, -536870174, -25308, ITEM}, /* kIOReturnNotPermitted */
    {MACH, -536870207, -25308, ITEM}, /* kIOReturnNotPrivileged */
    {MACH, -536870205, -25308, ITEM}, /* kIOReturnLockedRead */
    {MACH, -536870204, -25308, ITEM}, /* kIOReturnLockedWrite */
    {MACH, -536870212, -26275, ITEM}, /* kIOReturnError */
    {MACH, -536870206, -50, ITEM},    /* kIOReturnBadArgument */
    {MACH, ANY_CODE, -25291, ITEM},
};

long sek_error_osstatus_of(const char *domain, long long code, const char **out_source) {
  if (domain != NULL && strcmp(domain, OS) == 0) {
    if (out_source != NULL)
      *out_source = "[SEC:SecItem.m] OSStatus domain passes through";
    return (long)code;
  }
  for (size_t i = 0; domain != NULL && i < sizeof to_osstatus / sizeof to_osstatus[0]; i++)
    if (strcmp(to_osstatus[i].domain, domain) == 0 &&
        (to_osstatus[i].code == ANY_CODE || to_osstatus[i].code == code)) {
      if (out_source != NULL)
        *out_source = to_osstatus[i].source;
      return to_osstatus[i].osstatus;
    }
  if (out_source != NULL)
    *out_source = ITEM " (unknown domain)";
  return -26276; /* errSecInternal */
}

/* ---- AppleKeyStore / IOKit layout ([XNU]) ---------------------------------------------------- */

static const struct {
  unsigned system;
  const char *name;
} systems[] = {
    {0x00, "kernel"},   {0x01, "user"}, {0x02, "server"}, {0x03, "ipc"},
    {0x04, "mach_ipc"}, {0x07, "dipc"}, {0x38, "iokit"},  {0x3e, "libkern"},
};

static const struct {
  unsigned system, subsystem;
  const char *name;
} subsystems[] = {
    {0x38, 0, "common"}, {0x38, 31, "keystore"}, /* sub_iokit_keystore = err_sub(31) [XNU] */
};

int sek_aks_split(long long value, sek_aks_info *out) {
  if (out == NULL)
    return SEK_ERR_ARG;
  if (value < -2147483648LL || value > 4294967295LL)
    return SEK_ERROR_ERR_RANGE;
  uint32_t v = (uint32_t)(value < 0 ? (uint32_t)(int32_t)value : (uint32_t)value);
  sek_aks_info a = {0};
  a.value = value;
  a.hex = v;
  a.system = (v >> 26) & 0x3f;
  a.subsystem = (v >> 14) & 0xfff;
  a.code = v & 0x3fff;
  a.system_name = a.subsystem_name = a.name = a.source = "";
  for (size_t i = 0; i < sizeof systems / sizeof systems[0]; i++)
    if (systems[i].system == a.system)
      a.system_name = systems[i].name;
  for (size_t i = 0; i < sizeof subsystems / sizeof subsystems[0]; i++)
    if (subsystems[i].system == a.system && subsystems[i].subsystem == a.subsystem)
      a.subsystem_name = subsystems[i].name;
  /* only iokit values have names here: the IOKit / AppleKeyStore rows */
  for (size_t i = 0; a.system == 0x38 && i < sizeof codes_mach / sizeof codes_mach[0]; i++)
    if (codes_mach[i].code == (long long)(int32_t)v) {
      a.name = codes_mach[i].name;
      a.source = codes_mach[i].source;
      break;
    }
  *out = a;
  return SEK_OK;
}

/* ---- Apple's message texts ------------------------------------------------------------------- */

#define MSGI "I: Security / LocalAuthentication English message text as seen in field reports"

static const sek_error_message_info messages[] = {
    /* Security's own messages, quoted in apple-facts */
    {"algorithm not supported by the key", OS, -50, "[SEC:SecKey.m]"},
    {"bad digest size for signing with algorithm", OS, -50, "[SEC:Adaptors]"},
    {"EC signature verification failed, no match", OS, -67808, "[SEC:ECKey]"},
    {"Wrong ECDSA RFC4754 signature", OS, -67808, "[SEC:Adaptors]"},
    {"Wrong ECDSA X962 signature", OS, -50, "[SEC:Adaptors]"},
    {"export not implemented for key", OS, -4, "[SEC:SecKey.m]"},
    {"incorrect or missing kSecAttrKeyType in key generation request", OS, -50, "[SEC:SecKey.m]"},
    {"token based item data does not have OID", OS, -26276, "[SEC:SecItem.m]"},
    {"only one logical operation can be set", OS, -50, "[SEC:AC.m]"},
    {"only one bio constraint can be set", OS, -50, "[SEC:AC.m]"},
    {"SecAccessControl: invalid protection", OS, -50, "[SEC:AC.m]"},
    {"ACL operation is not allowed", LA, -1009, "O: flutter_secure_storage PR #989"},
    /* the SecBase.h / localised texts people quote */
    {"The specified item could not be found in the keychain", OS, -25300, MSGI},
    {"The specified item already exists in the keychain", OS, -25299, MSGI},
    {"User interaction is not allowed", OS, -25308, MSGI},
    {"Interaction is not allowed with the Security Server", OS, -25308, MSGI},
    {"A required entitlement isn't present", OS, -34018, MSGI},
    {"A required entitlement isn’t present", OS, -34018, MSGI},
    {"Client has neither application-identifier nor keychain-access-groups entitlements", OS,
     -34018, MSGI},
    {"missing entitlement", OS, -34018, MSGI},
    {"One or more parameters passed to a function were not valid", OS, -50, MSGI},
    {"User canceled the operation", OS, -128, MSGI},
    {"The user name or passphrase you entered is not correct", OS, -25293, MSGI},
    {"No keychain is available", OS, -25291, MSGI},
    {"Function or operation not implemented", OS, -4, MSGI},
    {"Unable to decode the provided data", OS, -26275, MSGI},
    {"The contents of this item cannot be retrieved", OS, -25316, MSGI},
    {"Canceled by user", LA, -2, MSGI},
    {"Cancelled by user", LA, -2, MSGI},
    {"Authentication canceled", LA, -2, MSGI},
    {"Fallback authentication mechanism selected", LA, -3, MSGI},
    {"Application retry limit exceeded", LA, -1, MSGI},
    {"Biometry is locked out", LA, -8, MSGI},
    {"Biometry is not available", LA, -6, MSGI},
    {"No identities are enrolled", LA, -7, MSGI},
    {"Passcode not set", LA, -5, MSGI},
    {"User interaction required", LA, -1004, MSGI},
    {"UI canceled by system", LA, -4, MSGI},
};

const sek_error_message_info *sek_error_messages(size_t *out_num) {
  *out_num = sizeof messages / sizeof messages[0];
  return messages;
}
