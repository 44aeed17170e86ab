/*
 * harness/apple-shim/Security/Security.h: DECLARATIONS ONLY of the part of Security.framework
 * that src/backend/apple/ uses, with the types and prototypes of Apple's SDK headers (SecBase.h,
 * SecKey.h, SecItem.h, SecAccessControl.h), written from the SDK's published prototypes; the
 * constants are those apple-facts.md lists ([SEC:Const] §6, [SEC:Adaptors] §7, [SEC:SecBase.h]
 * §1).  Annotations (nullability, availability, bridging) are left out.
 *
 * For ci/check-apple's -fsyntax-only check only: nothing here is defined, linked or run; it
 * catches type errors in the backend, not behaviour (see CoreFoundation/CoreFoundation.h).  The
 * constants' VALUES are not here at all (they are extern): sek_apple_new compares them with
 * libsek's table at run time, on a real system.
 */
#ifndef SEK_APPLE_SHIM_SECURITY_H
#define SEK_APPLE_SHIM_SECURITY_H

#include <CoreFoundation/CoreFoundation.h>

/* ---- SecBase.h ---------------------------------------------------------------------------- */

typedef struct __SecKey *SecKeyRef;
typedef struct __SecAccessControl *SecAccessControlRef;

/* CF_ENUM(OSStatus) { ... }: the codes the backend names ([SEC:SecBase.h], apple-facts §1) */
enum {
  errSecSuccess = 0,
  errSecParam = -50,
  errSecItemNotFound = -25300,
};

CFStringRef SecCopyErrorMessageString(OSStatus status, void *reserved);

/* ---- SecAccessControl.h ------------------------------------------------------------------- */

typedef CFOptionFlags SecAccessControlCreateFlags; /* CF_OPTIONS(CFOptionFlags, ...) */

CFTypeID SecAccessControlGetTypeID(void);
SecAccessControlRef SecAccessControlCreateWithFlags(CFAllocatorRef allocator, CFTypeRef protection,
                                                    SecAccessControlCreateFlags flags,
                                                    CFErrorRef *error);

/* ---- SecItem.h ---------------------------------------------------------------------------- */

extern const CFStringRef kSecClass;
extern const CFStringRef kSecClassKey;
extern const CFStringRef kSecAttrKeyType;
extern const CFStringRef kSecAttrKeyTypeECSECPrimeRandom;
extern const CFStringRef kSecAttrKeySizeInBits;
extern const CFStringRef kSecAttrKeyClass;
extern const CFStringRef kSecAttrKeyClassPrivate;
extern const CFStringRef kSecAttrTokenID;
extern const CFStringRef kSecAttrTokenIDSecureEnclave;
extern const CFStringRef kSecAttrLabel;
extern const CFStringRef kSecAttrApplicationTag;
extern const CFStringRef kSecAttrApplicationLabel;
extern const CFStringRef kSecAttrIsPermanent;
extern const CFStringRef kSecAttrAccessControl;
extern const CFStringRef kSecAttrAccessible;
extern const CFStringRef kSecAttrAccessibleWhenUnlockedThisDeviceOnly;
extern const CFStringRef kSecAttrAccessGroup;
extern const CFStringRef kSecUseDataProtectionKeychain;
extern const CFStringRef kSecUseAuthenticationUI;
extern const CFStringRef kSecUseAuthenticationContext;
extern const CFStringRef kSecMatchLimit;
extern const CFStringRef kSecMatchLimitOne;
extern const CFStringRef kSecMatchLimitAll;
extern const CFStringRef kSecReturnRef;
extern const CFStringRef kSecReturnAttributes;
extern const CFStringRef kSecReturnData;
extern const CFStringRef kSecReturnPersistentRef;
extern const CFStringRef kSecValueRef;
extern const CFStringRef kSecValueData;
extern const CFStringRef kSecValuePersistentRef;

OSStatus SecItemCopyMatching(CFDictionaryRef query, CFTypeRef *result);
OSStatus SecItemDelete(CFDictionaryRef query);

/* ---- SecKey.h ----------------------------------------------------------------------------- */

extern const CFStringRef kSecPrivateKeyAttrs;
extern const CFStringRef kSecPublicKeyAttrs;

typedef CFStringRef SecKeyAlgorithm;

extern const SecKeyAlgorithm kSecKeyAlgorithmECDSASignatureMessageX962SHA256;
extern const SecKeyAlgorithm kSecKeyAlgorithmECDSASignatureDigestX962SHA256;
extern const SecKeyAlgorithm kSecKeyAlgorithmECDSASignatureMessageRFC4754SHA256;

CFTypeID SecKeyGetTypeID(void);
SecKeyRef SecKeyCreateRandomKey(CFDictionaryRef parameters, CFErrorRef *error);
SecKeyRef SecKeyCopyPublicKey(SecKeyRef key);
CFDataRef SecKeyCopyExternalRepresentation(SecKeyRef key, CFErrorRef *error);
CFDictionaryRef SecKeyCopyAttributes(SecKeyRef key);
CFDataRef SecKeyCreateSignature(SecKeyRef key, SecKeyAlgorithm algorithm, CFDataRef dataToSign,
                                CFErrorRef *error);
Boolean SecKeyVerifySignature(SecKeyRef key, SecKeyAlgorithm algorithm, CFDataRef signedData,
                              CFDataRef signature, CFErrorRef *error);

#endif /* SEK_APPLE_SHIM_SECURITY_H */
