/*
 * harness/apple-shim/CoreFoundation/CoreFoundation.h: DECLARATIONS ONLY of the part of
 * CoreFoundation that src/backend/apple/ uses, with the types and prototypes of Apple's SDK
 * headers (CFBase.h, CFString.h, CFData.h, CFNumber.h, CFDate.h, CFDictionary.h, CFArray.h,
 * CFError.h), written from the SDK's published prototypes.  Left out: nullability
 * (_Nullable ...), availability, the bridging attributes (the analyzer reads ownership from the
 * Create/Copy names; CF_RETURNS_RETAINED and CF_CONSUMED are defined for our own helpers);
 * CF_ENUM / CF_OPTIONS types are written as the typedef-plus-enum that those macros expand to
 * in C without fixed enum types.
 *
 * What it is for: ci/check-apple compiles the backend with -fsyntax-only against it, so that a
 * misspelt function, a wrong argument count or type, or a const mistake fails on Linux.  Nothing
 * here is defined, linked or run, and it proves nothing about behaviour.  Where it differs from
 * the real SDK, the SDK is right: add or fix only what the backend uses, from Apple's headers.
 */
#ifndef SEK_APPLE_SHIM_COREFOUNDATION_H
#define SEK_APPLE_SHIM_COREFOUNDATION_H

#ifndef SEK_APPLE_SHIM
#error "harness/apple-shim is only for ci/check-apple's -fsyntax-only check (-DSEK_APPLE_SHIM)"
#endif

#include <stdint.h>

/* ---- CFBase.h / MacTypes.h ---------------------------------------------------------------- */

/* CFBase.h's ownership annotations, which clang's static analyzer reads (the retain-count
 * checker that ci/check-apple runs); empty where the compiler does not know them, as in CFBase.h. */
#if defined(__has_attribute)
#if __has_attribute(cf_returns_retained)
#define CF_RETURNS_RETAINED __attribute__((cf_returns_retained))
#define CF_RETURNS_NOT_RETAINED __attribute__((cf_returns_not_retained))
#define CF_CONSUMED __attribute__((cf_consumed))
#endif
#endif
#ifndef CF_RETURNS_RETAINED
#define CF_RETURNS_RETAINED
#define CF_RETURNS_NOT_RETAINED
#define CF_CONSUMED
#endif

typedef unsigned char Boolean;
typedef uint8_t UInt8;
typedef uint32_t UInt32;
typedef int32_t SInt32;
typedef SInt32 OSStatus;

typedef signed long CFIndex;
typedef unsigned long CFOptionFlags;
typedef unsigned long CFTypeID;
typedef unsigned long CFHashCode;

typedef const void *CFTypeRef;
typedef const struct __CFAllocator *CFAllocatorRef;
typedef const struct __CFString *CFStringRef;

typedef struct {
  CFIndex location;
  CFIndex length;
} CFRange;

extern const CFAllocatorRef kCFAllocatorDefault;

CFTypeRef CFRetain(CFTypeRef cf);
void CFRelease(CFTypeRef cf);
CFTypeID CFGetTypeID(CFTypeRef cf);
Boolean CFEqual(CFTypeRef cf1, CFTypeRef cf2);
CFStringRef CFCopyDescription(CFTypeRef cf);

/* ---- CFString.h --------------------------------------------------------------------------- */

typedef UInt32 CFStringEncoding;
typedef CFStringEncoding CFStringBuiltInEncodings; /* CF_ENUM(CFStringEncoding, ...) */
enum {
  kCFStringEncodingUTF8 = 0x08000100,
};

CFTypeID CFStringGetTypeID(void);
CFStringRef CFStringCreateWithBytes(CFAllocatorRef alloc, const UInt8 *bytes, CFIndex numBytes,
                                    CFStringEncoding encoding, Boolean isExternalRepresentation);
CFIndex CFStringGetLength(CFStringRef theString);
CFIndex CFStringGetBytes(CFStringRef theString, CFRange range, CFStringEncoding encoding,
                         UInt8 lossByte, Boolean isExternalRepresentation, UInt8 *buffer,
                         CFIndex maxBufLen, CFIndex *usedBufLen);

/* ---- CFData.h ----------------------------------------------------------------------------- */

typedef const struct __CFData *CFDataRef;

CFTypeID CFDataGetTypeID(void);
CFDataRef CFDataCreate(CFAllocatorRef allocator, const UInt8 *bytes, CFIndex length);
CFIndex CFDataGetLength(CFDataRef theData);
const UInt8 *CFDataGetBytePtr(CFDataRef theData);

/* ---- CFNumber.h --------------------------------------------------------------------------- */

typedef const struct __CFBoolean *CFBooleanRef;
typedef const struct __CFNumber *CFNumberRef;

extern const CFBooleanRef kCFBooleanTrue;
extern const CFBooleanRef kCFBooleanFalse;

CFTypeID CFBooleanGetTypeID(void);
Boolean CFBooleanGetValue(CFBooleanRef boolean);

typedef CFIndex CFNumberType; /* CF_ENUM(CFIndex, CFNumberType) */
enum {
  kCFNumberSInt64Type = 4,
  kCFNumberDoubleType = 13,
};

CFTypeID CFNumberGetTypeID(void);
CFNumberRef CFNumberCreate(CFAllocatorRef allocator, CFNumberType theType, const void *valuePtr);
Boolean CFNumberGetValue(CFNumberRef number, CFNumberType theType, void *valuePtr);
Boolean CFNumberIsFloatType(CFNumberRef number);

/* ---- CFDate.h ----------------------------------------------------------------------------- */

typedef double CFTimeInterval;
typedef CFTimeInterval CFAbsoluteTime;
typedef const struct __CFDate *CFDateRef;

CFTypeID CFDateGetTypeID(void);
CFDateRef CFDateCreate(CFAllocatorRef allocator, CFAbsoluteTime at);
CFAbsoluteTime CFDateGetAbsoluteTime(CFDateRef theDate);

/* ---- CFDictionary.h ----------------------------------------------------------------------- */

typedef const void *(*CFDictionaryRetainCallBack)(CFAllocatorRef allocator, const void *value);
typedef void (*CFDictionaryReleaseCallBack)(CFAllocatorRef allocator, const void *value);
typedef CFStringRef (*CFDictionaryCopyDescriptionCallBack)(const void *value);
typedef Boolean (*CFDictionaryEqualCallBack)(const void *value1, const void *value2);
typedef CFHashCode (*CFDictionaryHashCallBack)(const void *value);

typedef struct {
  CFIndex version;
  CFDictionaryRetainCallBack retain;
  CFDictionaryReleaseCallBack release;
  CFDictionaryCopyDescriptionCallBack copyDescription;
  CFDictionaryEqualCallBack equal;
  CFDictionaryHashCallBack hash;
} CFDictionaryKeyCallBacks;

typedef struct {
  CFIndex version;
  CFDictionaryRetainCallBack retain;
  CFDictionaryReleaseCallBack release;
  CFDictionaryCopyDescriptionCallBack copyDescription;
  CFDictionaryEqualCallBack equal;
} CFDictionaryValueCallBacks;

extern const CFDictionaryKeyCallBacks kCFTypeDictionaryKeyCallBacks;
extern const CFDictionaryValueCallBacks kCFTypeDictionaryValueCallBacks;

typedef const struct __CFDictionary *CFDictionaryRef;
typedef struct __CFDictionary *CFMutableDictionaryRef;

CFTypeID CFDictionaryGetTypeID(void);
CFMutableDictionaryRef CFDictionaryCreateMutable(CFAllocatorRef allocator, CFIndex capacity,
                                                 const CFDictionaryKeyCallBacks *keyCallBacks,
                                                 const CFDictionaryValueCallBacks *valueCallBacks);
void CFDictionarySetValue(CFMutableDictionaryRef theDict, const void *key, const void *value);
CFIndex CFDictionaryGetCount(CFDictionaryRef theDict);
const void *CFDictionaryGetValue(CFDictionaryRef theDict, const void *key);
void CFDictionaryGetKeysAndValues(CFDictionaryRef theDict, const void **keys, const void **values);

/* ---- CFArray.h ---------------------------------------------------------------------------- */

typedef const struct __CFArray *CFArrayRef;

CFTypeID CFArrayGetTypeID(void);
CFIndex CFArrayGetCount(CFArrayRef theArray);
const void *CFArrayGetValueAtIndex(CFArrayRef theArray, CFIndex idx);

/* ---- CFError.h ---------------------------------------------------------------------------- */

typedef CFStringRef CFErrorDomain;
typedef struct __CFError *CFErrorRef;

CFTypeID CFErrorGetTypeID(void);
CFErrorDomain CFErrorGetDomain(CFErrorRef err);
CFIndex CFErrorGetCode(CFErrorRef err);
CFDictionaryRef CFErrorCopyUserInfo(CFErrorRef err);

#endif /* SEK_APPLE_SHIM_COREFOUNDATION_H */
