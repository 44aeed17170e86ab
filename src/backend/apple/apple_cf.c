/*
 * apple_cf.c: sek_attrs <-> CFDictionary and CFError / OSStatus -> sek_error for the
 * Security.framework backend (the conversions are listed in include/sek/apple.h).
 *
 * Memory: every CF object made here is released on every path.  The rule followed throughout:
 * each Create/Copy result is owned by exactly one variable, released right after the call that
 * consumes it (CFDictionarySetValue retains what it stores), also when that call fails.
 *
 * Built only where __APPLE__ (the real SDK) or SEK_APPLE_SHIM (ci/check-apple's syntax check
 * against harness/apple-shim/, which checks types, not behaviour) is defined.  Never compiled
 * against the real SDK so far: see include/sek/apple.h.
 */
#if defined(__APPLE__)
/* libsek builds with _POSIX_C_SOURCE (CMakeLists.txt); Darwin's <sys/cdefs.h> then lowers
 * __DARWIN_C_LEVEL and hides declarations CoreFoundation's headers use, unless
 * _DARWIN_C_SOURCE asks for the full set. */
#define _DARWIN_C_SOURCE 1
#endif

#include "backend/apple/apple_internal.h"

#if defined(__APPLE__) || defined(SEK_APPLE_SHIM)

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ------------------------------------------------------------------------ */

bool apple_cf_is(CFTypeRef t, CFTypeID type) { return t != NULL && CFGetTypeID(t) == type; }

SecKeyRef apple_key_ref(CFTypeRef t) { return (SecKeyRef)(uintptr_t)t; }

/* A CFErrorRef found as a dictionary value (const void *): see apple_key_ref for the cast. */
static CFErrorRef error_ref(CFTypeRef t) { return (CFErrorRef)(uintptr_t)t; }

/* Sizes cross into CFIndex (signed long): nothing this backend handles comes near its limit,
 * but a length that does not fit must not wrap. */
static bool fits_cfindex(size_t n) { return n <= (size_t)LONG_MAX; }

CFStringRef apple_cfstring(const char *s, size_t len) {
  if (s == NULL)
    s = "", len = 0;
  if (!fits_cfindex(len) || !apple_utf8_valid(s, len))
    return NULL;
  return CFStringCreateWithBytes(kCFAllocatorDefault, (const UInt8 *)s, (CFIndex)len,
                                 kCFStringEncodingUTF8, false);
}

int apple_utf8(CFStringRef s, char **out, size_t *len) {
  if (s == NULL || out == NULL)
    return SEK_BACKEND_ERR_VALUE;
  CFIndex units = CFStringGetLength(s);
  CFRange all = {0, units};
  CFIndex need = 0;
  /* a first pass measures; lossByte 0 makes an unconvertible character stop the conversion */
  if (CFStringGetBytes(s, all, kCFStringEncodingUTF8, 0, false, NULL, 0, &need) != units ||
      need < 0)
    return SEK_BACKEND_ERR_VALUE;
  char *buf = malloc((size_t)need + 1);
  if (buf == NULL)
    return SEK_ERR_NOMEM;
  CFIndex used = 0;
  if (CFStringGetBytes(s, all, kCFStringEncodingUTF8, 0, false, (UInt8 *)buf, need, &used) !=
          units ||
      used != need) {
    free(buf);
    return SEK_BACKEND_ERR_VALUE;
  }
  buf[used] = '\0';
  *out = buf;
  if (len != NULL)
    *len = (size_t)used;
  return SEK_OK;
}

/* The UTF-8 of a CFString that must be one (a dictionary key, a domain), as a C string: a
 * string with an embedded NUL cannot be a C string, and counts as not convertible. */
static int c_string(CFTypeRef t, char **out) {
  if (!apple_cf_is(t, CFStringGetTypeID()))
    return SEK_BACKEND_ERR_VALUE;
  size_t len = 0;
  int st = apple_utf8((CFStringRef)t, out, &len);
  if (st == SEK_OK && strlen(*out) != len) {
    free(*out);
    *out = NULL;
    st = SEK_BACKEND_ERR_VALUE;
  }
  return st;
}

/* ---- sek_attrs -> CFDictionary ------------------------------------------------------------ */

/* SecAccessControlCreateWithFlags with the value's protection and flags: its CFError (an
 * invalid protection, Or with And, ... [SEC:AC.m], apple-facts §5a) is the call's error. */
static int access_control(const sek_value *v, CFTypeRef *out, sek_error **err) {
  if (sek_value_protection_kind(v) == SEK_VALUE_REFERENCE)
    return SEK_BACKEND_ERR_VALUE; /* a variable the literal did not define: nothing to send */
  const char *prot = sek_value_protection(v);
  if (prot == NULL)
    return SEK_BACKEND_ERR_VALUE;
  CFStringRef p = apple_cfstring(prot, strlen(prot));
  if (p == NULL)
    return apple_utf8_valid(prot, strlen(prot)) ? SEK_ERR_NOMEM : SEK_BACKEND_ERR_VALUE;
  CFErrorRef e = NULL;
  SecAccessControlRef ac = SecAccessControlCreateWithFlags(
      kCFAllocatorDefault, p, (SecAccessControlCreateFlags)sek_value_ac_flags(v), &e);
  CFRelease(p);
  if (ac == NULL)
    return apple_fail(e, err);
  if (e != NULL)
    CFRelease(e); /* an object and an error: keep the object (not expected) */
  *out = ac;
  return SEK_OK;
}

/* One value as a new CF object (*out, released by the caller).  *out untouched on failure. */
static int value_to_cf(const sek_value *v, CFTypeRef *out, sek_error **err) {
  CFTypeRef r = NULL;
  size_t len = 0;
  switch (sek_value_kind_of(v)) {
  case SEK_VALUE_STRING:
  case SEK_VALUE_CONSTANT: { /* a constant IS its raw string ([SEC:Const], apple-facts §6) */
    const char *s = sek_value_string(v, &len);
    if (s == NULL || !apple_utf8_valid(s, len) || !fits_cfindex(len))
      return SEK_BACKEND_ERR_VALUE;
    r = apple_cfstring(s, len);
    break;
  }
  case SEK_VALUE_DATA: {
    const uint8_t *d = sek_value_data(v, &len);
    if (!fits_cfindex(len))
      return SEK_BACKEND_ERR_VALUE;
    r = CFDataCreate(kCFAllocatorDefault, d, (CFIndex)len);
    break;
  }
  case SEK_VALUE_NUMBER:
    if (sek_value_is_real(v)) {
      double x = sek_value_real(v);
      r = CFNumberCreate(kCFAllocatorDefault, kCFNumberDoubleType, &x);
    } else {
      int64_t x = sek_value_number(v);
      r = CFNumberCreate(kCFAllocatorDefault, kCFNumberSInt64Type, &x);
    }
    break;
  case SEK_VALUE_BOOL: r = CFRetain(sek_value_bool(v) ? kCFBooleanTrue : kCFBooleanFalse); break;
  case SEK_VALUE_DATE: r = CFDateCreate(kCFAllocatorDefault, sek_value_real(v)); break;
  case SEK_VALUE_DICT: {
    CFDictionaryRef d = NULL;
    int st = apple_dict_from_attrs(sek_value_dict(v), &d, err);
    if (st != SEK_OK)
      return st;
    r = d;
    break;
  }
  case SEK_VALUE_ACCESS_CONTROL: return access_control(v, out, err);
  case SEK_VALUE_REFERENCE: return SEK_BACKEND_ERR_VALUE;
  }
  if (r == NULL)
    return SEK_ERR_NOMEM; /* every input was checked: only CF's allocation can fail */
  *out = r;
  return SEK_OK;
}

int apple_dict_from_attrs(const sek_attrs *a, CFDictionaryRef *out, sek_error **err) {
  if (a == NULL || out == NULL)
    return SEK_ERR_ARG;
  CFMutableDictionaryRef d = CFDictionaryCreateMutable(
      kCFAllocatorDefault, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks);
  if (d == NULL)
    return SEK_ERR_NOMEM;
  int st = SEK_OK;
  for (size_t i = 0; st == SEK_OK && i < sek_attrs_count(a); i++) {
    const char *key = NULL;
    const sek_value *v = NULL;
    if (sek_attrs_entry(a, i, &key, &v) != SEK_OK) {
      st = SEK_ERR_INTERNAL;
      break;
    }
    /* the raw key is the kSec constant's value: a CFString of it is that constant to Apple */
    CFStringRef k = apple_cfstring(key, strlen(key));
    if (k == NULL) {
      st = apple_utf8_valid(key, strlen(key)) ? SEK_ERR_NOMEM : SEK_BACKEND_ERR_VALUE;
      break;
    }
    CFTypeRef cv = NULL;
    st = value_to_cf(v, &cv, err);
    if (st == SEK_OK) {
      CFDictionarySetValue(d, k, cv);
      CFRelease(cv);
    }
    CFRelease(k);
  }
  if (st != SEK_OK) {
    CFRelease(d);
    return st;
  }
  *out = d;
  return SEK_OK;
}

/* ---- CFDictionary -> sek_attrs ------------------------------------------------------------ */

static int attrs_from_dict(CFDictionaryRef d, bool skip_values, unsigned depth, sek_attrs **out,
                           size_t *skipped);

/* An attrs status that means "this entry cannot be kept" (a limit, a bad key, a non-finite
 * real): the entry is left out and counted.  Only running out of memory fails the conversion. */
static int keep_or_skip(int st, size_t *skipped) {
  if (st == SEK_OK || st == SEK_ERR_NOMEM)
    return st;
  (*skipped)++;
  return SEK_OK;
}

/* Puts Apple's value v under key into a (apple.h, "From Apple"). */
static int put_value(sek_attrs *a, const char *key, CFTypeRef v, unsigned depth, size_t *skipped) {
  CFTypeID t = CFGetTypeID(v);
  int st;
  if (t == CFStringGetTypeID()) {
    char *s = NULL;
    size_t len = 0;
    st = apple_utf8((CFStringRef)v, &s, &len);
    if (st != SEK_OK)
      return keep_or_skip(st, skipped);
    if (strlen(s) == len && apple_string_kind(key, s) == SEK_VALUE_CONSTANT)
      st = sek_attrs_set_constant(a, key, s);
    else
      st = sek_attrs_set_string(a, key, s, len);
    free(s);
  } else if (t == CFDataGetTypeID()) {
    CFIndex len = CFDataGetLength((CFDataRef)v);
    st = len < 0 ? SEK_ERR_INTERNAL
                 : sek_attrs_set_data(a, key, CFDataGetBytePtr((CFDataRef)v), (size_t)len);
  } else if (t == CFBooleanGetTypeID()) {
    st = sek_attrs_set_bool(a, key, CFBooleanGetValue((CFBooleanRef)v) != 0);
  } else if (t == CFNumberGetTypeID()) {
    CFNumberRef n = (CFNumberRef)v;
    if (CFNumberIsFloatType(n)) {
      double x = 0;
      st = CFNumberGetValue(n, kCFNumberDoubleType, &x) && isfinite(x)
               ? sek_attrs_set_real(a, key, x)
               : SEK_ERR_ARG; /* NaN or an infinity: no attrs value holds one */
    } else {
      int64_t x = 0;
      /* false when the value does not fit in 64 signed bits (an unsigned 64-bit number) */
      st = CFNumberGetValue(n, kCFNumberSInt64Type, &x) ? sek_attrs_set_number(a, key, x)
                                                        : SEK_ERR_ARG;
    }
  } else if (t == CFDateGetTypeID()) {
    double at = CFDateGetAbsoluteTime((CFDateRef)v);
    st = isfinite(at) ? sek_attrs_set_date(a, key, at) : SEK_ERR_ARG;
  } else if (t == CFDictionaryGetTypeID()) {
    if (depth >= SEK_ATTRS_MAX_DEPTH)
      return keep_or_skip(SEK_ATTRS_ERR_DEPTH, skipped);
    sek_attrs *child = NULL;
    st = attrs_from_dict((CFDictionaryRef)v, false, depth + 1, &child, skipped);
    if (st == SEK_OK)
      st = sek_attrs_set_dict(a, key, child); /* takes child */
  } else {
    /* SecAccessControlRef, CFArray, CFNull, SecKeyRef, ...: no attrs kind holds it */
    st = SEK_ERR_UNSUPPORTED;
  }
  return keep_or_skip(st, skipped);
}

static int attrs_from_dict(CFDictionaryRef d, bool skip_values, unsigned depth, sek_attrs **out,
                           size_t *skipped) {
  CFIndex n = CFDictionaryGetCount(d);
  sek_attrs *a = sek_attrs_new();
  const void **keys = n > 0 ? calloc((size_t)n, sizeof *keys) : NULL;
  const void **vals = n > 0 ? calloc((size_t)n, sizeof *vals) : NULL;
  if (a == NULL || (n > 0 && (keys == NULL || vals == NULL))) {
    sek_attrs_free(a);
    free(keys);
    free(vals);
    return SEK_ERR_NOMEM;
  }
  if (n > 0)
    CFDictionaryGetKeysAndValues(d, keys, vals);
  int st = SEK_OK;
  for (CFIndex i = 0; st == SEK_OK && i < n; i++) {
    /* a result's own reference and data: the caller takes those (not counted as left out) */
    if (skip_values && keys[i] != NULL &&
        (CFEqual(keys[i], kSecValueRef) || CFEqual(keys[i], kSecValueData)))
      continue;
    char *key = NULL;
    st = c_string(keys[i], &key);
    if (st != SEK_OK) {
      st = keep_or_skip(st, skipped);
      continue;
    }
    st = vals[i] != NULL ? put_value(a, key, vals[i], depth, skipped)
                         : keep_or_skip(SEK_ERR_ARG, skipped);
    free(key);
  }
  free(keys);
  free(vals);
  if (st != SEK_OK) {
    sek_attrs_free(a);
    return st;
  }
  *out = a;
  return SEK_OK;
}

int apple_attrs_from_dict(CFDictionaryRef d, bool skip_values, sek_attrs **out, size_t *skipped) {
  if (d == NULL || out == NULL || skipped == NULL)
    return SEK_ERR_ARG;
  return attrs_from_dict(d, skip_values, 1, out, skipped);
}

/* ---- CFError / OSStatus -> sek_error ------------------------------------------------------ */

/* The shortest decimal that reads back as x (NSNumber prints a double that way). */
static void shortest_real(double x, char *buf, size_t cap) {
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(buf, cap, "%.*g", prec, x);
    if (strtod(buf, NULL) == x)
      return;
  }
}

typedef struct {
  char *key;
  CFTypeRef value;
} info_entry;

static int entry_cmp(const void *a, const void *b) {
  return strcmp(((const info_entry *)a)->key, ((const info_entry *)b)->key);
}

/* The description: the first string among apple_description_keys (apple.h). */
static int description_of(CFDictionaryRef info, char **out) {
  *out = NULL;
  for (size_t i = 0; info != NULL && i < apple_num_description_keys; i++) {
    const char *k = apple_description_keys[i].key;
    CFStringRef key = apple_cfstring(k, strlen(k));
    if (key == NULL)
      return SEK_ERR_NOMEM;
    CFTypeRef v = CFDictionaryGetValue(info, key);
    CFRelease(key);
    if (!apple_cf_is(v, CFStringGetTypeID()))
      continue;
    int st = c_string(v, out);
    if (st != SEK_BACKEND_ERR_VALUE)
      return st; /* found (0), or out of memory */
  }
  return SEK_OK;
}

static int error_from_cf(CFErrorRef e, unsigned depth, sek_error **out);

/* Adds one user-info entry to x.  Entries the model cannot carry (a key with '=' or ',', a
 * nesting too deep) are left out; only running out of memory fails. */
static int add_entry(sek_error *x, const char *key, CFTypeRef v, unsigned depth) {
  CFTypeID t = CFGetTypeID(v);
  int st;
  char num[40];
  if (t == CFStringGetTypeID()) {
    char *s = NULL;
    size_t len = 0;
    st = apple_utf8((CFStringRef)v, &s, &len);
    if (st == SEK_OK) { /* an embedded NUL ends the text, as NSLog prints it */
      st = sek_error_add_string(x, key, s);
      free(s);
    }
  } else if (t == CFBooleanGetTypeID()) {
    st = sek_error_add_number(x, key, CFBooleanGetValue((CFBooleanRef)v) ? 1 : 0);
  } else if (t == CFNumberGetTypeID() && !CFNumberIsFloatType((CFNumberRef)v)) {
    int64_t n = 0;
    if (CFNumberGetValue((CFNumberRef)v, kCFNumberSInt64Type, &n)) {
      st = sek_error_add_number(x, key, (long long)n);
    } else {
      CFStringRef d = CFCopyDescription(v); /* beyond 64 signed bits: its printed digits */
      char *s = NULL;
      st = d != NULL ? apple_utf8(d, &s, NULL) : SEK_ERR_NOMEM;
      if (d != NULL)
        CFRelease(d);
      if (st == SEK_OK)
        st = sek_error_add_string(x, key, s);
      free(s);
    }
  } else if (t == CFNumberGetTypeID()) {
    double r = 0;
    CFNumberGetValue((CFNumberRef)v, kCFNumberDoubleType, &r);
    shortest_real(r, num, sizeof num);
    st = sek_error_add_string(x, key, num);
  } else if (t == CFDataGetTypeID()) {
    CFIndex len = CFDataGetLength((CFDataRef)v);
    st = len < 0 ? SEK_ERR_INTERNAL
                 : sek_error_add_data(x, key, CFDataGetBytePtr((CFDataRef)v), (size_t)len);
  } else if (t == CFErrorGetTypeID()) {
    /* NSUnderlyingError (and any other nested error): the chain, outer first */
    if (depth + 1 >= SEK_ERROR_MAX_DEPTH)
      return SEK_OK;
    sek_error *inner = NULL;
    st = error_from_cf(error_ref(v), depth + 1, &inner);
    if (st == SEK_OK)
      st = sek_error_add_error(x, key, inner); /* takes inner */
  } else {
    /* a dictionary (errSecAuthNeeded's constraints), an array, an object: NSError's
     * description prints its description, so that is what the model keeps */
    CFStringRef d = CFCopyDescription(v);
    char *s = NULL;
    st = d != NULL ? apple_utf8(d, &s, NULL) : SEK_ERR_NOMEM;
    if (d != NULL)
      CFRelease(d);
    if (st == SEK_OK)
      st = sek_error_add_string(x, key, s);
    free(s);
  }
  return st == SEK_ERR_NOMEM ? SEK_ERR_NOMEM : SEK_OK;
}

/* The user info in sorted key order (deterministic; Apple prints it in hash order). */
static int add_user_info(sek_error *x, CFDictionaryRef info, unsigned depth) {
  CFIndex n = info != NULL ? CFDictionaryGetCount(info) : 0;
  if (n <= 0)
    return SEK_OK;
  const void **keys = calloc((size_t)n, sizeof *keys);
  const void **vals = calloc((size_t)n, sizeof *vals);
  info_entry *entries = calloc((size_t)n, sizeof *entries);
  int st = keys == NULL || vals == NULL || entries == NULL ? SEK_ERR_NOMEM : SEK_OK;
  size_t num = 0;
  if (st == SEK_OK)
    CFDictionaryGetKeysAndValues(info, keys, vals);
  for (CFIndex i = 0; st == SEK_OK && i < n; i++) {
    char *k = NULL;
    int ks = c_string(keys[i], &k);
    if (ks == SEK_ERR_NOMEM)
      st = ks;
    else if (ks == SEK_OK && vals[i] != NULL)
      entries[num++] = (info_entry){k, vals[i]};
    else
      free(k); /* a key that is not a string, or not text: the model keys entries by text */
  }
  if (st == SEK_OK)
    qsort(entries, num, sizeof *entries, entry_cmp);
  for (size_t i = 0; st == SEK_OK && i < num; i++)
    st = add_entry(x, entries[i].key, entries[i].value, depth);
  for (size_t i = 0; entries != NULL && i < num; i++)
    free(entries[i].key);
  free(entries);
  free(keys);
  free(vals);
  return st;
}

static int error_from_cf(CFErrorRef e, unsigned depth, sek_error **out) {
  char *domain = NULL, *desc = NULL;
  int st = c_string(CFErrorGetDomain(e), &domain);
  if (st == SEK_BACKEND_ERR_VALUE)
    st = SEK_OK; /* no readable domain: "" is the model's "unknown" */
  CFDictionaryRef info = st == SEK_OK ? CFErrorCopyUserInfo(e) : NULL;
  if (st == SEK_OK)
    st = description_of(info, &desc);
  sek_error *x = NULL;
  if (st == SEK_OK) {
    x = sek_error_new(domain != NULL ? domain : "", (long)CFErrorGetCode(e), desc);
    st = x == NULL ? SEK_ERR_NOMEM : add_user_info(x, info, depth);
  }
  if (info != NULL)
    CFRelease(info);
  free(domain);
  free(desc);
  if (st != SEK_OK) {
    sek_error_free(x);
    return SEK_ERR_NOMEM;
  }
  *out = x;
  return SEK_OK;
}

int apple_error_from_cf(CFErrorRef e, sek_error **out) {
  if (e == NULL || out == NULL)
    return SEK_ERR_ARG;
  return error_from_cf(e, 0, out);
}

int apple_error_from_status(OSStatus status, sek_error **out) {
  if (out == NULL)
    return SEK_ERR_ARG;
  /* the text Security has for the code ("The specified item could not be found in the
   * keychain."), as the emulator's OSStatus errors carry theirs */
  CFStringRef msg = SecCopyErrorMessageString(status, NULL);
  char *text = NULL;
  int st = msg != NULL ? c_string(msg, &text) : SEK_OK;
  if (msg != NULL)
    CFRelease(msg);
  if (st == SEK_ERR_NOMEM)
    return st;
  sek_error *x = sek_error_new(SEK_DOMAIN_OSSTATUS, (long)status, text);
  st = x == NULL ? SEK_ERR_NOMEM : SEK_OK;
  if (st == SEK_OK && text != NULL)
    st = sek_error_add_string(x, SEK_KEY_DESCRIPTION, text);
  free(text);
  if (st != SEK_OK) {
    sek_error_free(x);
    return SEK_ERR_NOMEM;
  }
  *out = x;
  return SEK_OK;
}

int apple_fail(CFErrorRef cferr, sek_error **err) {
  if (cferr == NULL)
    return SEK_BACKEND_ERR_UNEXPECTED; /* NULL and no error: nothing an app could show */
  int st = SEK_BACKEND_ERR_APPLE;
  if (err != NULL) {
    sek_error *x = NULL;
    if (apple_error_from_cf(cferr, &x) == SEK_OK)
      *err = x;
    else
      st = SEK_ERR_NOMEM;
  }
  CFRelease(cferr);
  return st;
}

int apple_fail_status(OSStatus status, sek_error **err) {
  if (err == NULL)
    return SEK_BACKEND_ERR_APPLE;
  sek_error *x = NULL;
  if (apple_error_from_status(status, &x) != SEK_OK)
    return SEK_ERR_NOMEM;
  *err = x;
  return SEK_BACKEND_ERR_APPLE;
}

#else
/* Not an Apple build: nothing here is compiled (apple.c has the stub).  ISO C wants a
 * translation unit to declare something. */
typedef int apple_cf_not_built;
#endif
