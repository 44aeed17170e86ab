/*
 * apple.c: the Security.framework backend (include/sek/apple.h): the backend operations on
 * SecKeyRef / SecItem, construction with a check of the kSec constants against libsek's table,
 * purge; and, on every other system, the stub that says the backend is not built there.
 *
 * The Apple part is built only where __APPLE__ (the real SDK) or SEK_APPLE_SHIM (ci/check-apple:
 * -fsyntax-only against harness/apple-shim/, types not behaviour) is defined.  It has never been
 * compiled against the real SDK or run (include/sek/apple.h).
 *
 * Memory: each CF object has one owner, released right after its last use on every path
 * (success, Apple's error, our own failure); a SecKeyRef handed to sek_key_new is owned by the
 * key handle from then on (ops_key_free releases it, also when sek_key_new fails).
 */
#if defined(__APPLE__)
#define _DARWIN_C_SOURCE 1 /* see apple_cf.c: CoreFoundation's headers under _POSIX_C_SOURCE */
#endif

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sek/apple.h>

#include "backend/apple/apple_internal.h"

#if defined(__APPLE__) || defined(SEK_APPLE_SHIM)

#include <sek/scenario.h>

#define BACKEND_NAME "apple"
#define IMPL_MAGIC 0x53454b41u /* "SEKA": tells our implementation from another named "apple" */
#define X963_P256_LEN 65       /* 04 || X || Y [SEC:SecKey.h] */

typedef struct {
  uint32_t magic;
  apple_settings settings;
  sek_backend *be; /* the backend this is the implementation of (keys are made for it) */
  size_t skipped;  /* values the conversions from Apple left out (sek_apple_skipped_values) */
} apple_impl;

/* ---- the constants the attrs table assumes (apple-facts §6, §7) --------------------------- */

typedef enum { CHECK_KEY, CHECK_CONSTANT, CHECK_ALGORITHM } check_role;

/*
 * Every kSec constant this backend and the scenario scripts lean on, with the table it must
 * agree with: attrs keys and constants (src/attrs_names.c) and the scenario module's algorithm
 * table (src/scenario.c).  The raw strings are Security's ([SEC:Const], [SEC:Adaptors]); if a
 * system ever changed one, every dictionary libsek builds would be wrong, so sek_apple_new
 * refuses to start instead.
 */
static const struct {
  const char *name;
  check_role role;
  const CFStringRef *value;
  const char *source;
} checked_constants[] = {
    {"kSecClass", CHECK_KEY, &kSecClass, "[SEC:Const] §6a"},
    {"kSecClassKey", CHECK_CONSTANT, &kSecClassKey, "[SEC:Const] §6a"},
    {"kSecAttrKeyType", CHECK_KEY, &kSecAttrKeyType, "[SEC:Const] §6b"},
    {"kSecAttrKeyTypeECSECPrimeRandom", CHECK_CONSTANT, &kSecAttrKeyTypeECSECPrimeRandom,
     "[SEC:Const] §6a"},
    {"kSecAttrKeySizeInBits", CHECK_KEY, &kSecAttrKeySizeInBits, "[SEC:Const] §6b"},
    {"kSecAttrKeyClass", CHECK_KEY, &kSecAttrKeyClass, "[SEC:Const] §6b"},
    {"kSecAttrKeyClassPrivate", CHECK_CONSTANT, &kSecAttrKeyClassPrivate, "[SEC:Const] §6a"},
    {"kSecAttrTokenID", CHECK_KEY, &kSecAttrTokenID, "[SEC:Const] §6a"},
    {"kSecAttrTokenIDSecureEnclave", CHECK_CONSTANT, &kSecAttrTokenIDSecureEnclave,
     "[SEC:Const] §6a"},
    {"kSecAttrLabel", CHECK_KEY, &kSecAttrLabel, "[SEC:Const] §6b"},
    {"kSecAttrApplicationTag", CHECK_KEY, &kSecAttrApplicationTag, "[SEC:Const] §6b"},
    {"kSecAttrApplicationLabel", CHECK_KEY, &kSecAttrApplicationLabel, "[SEC:Const] §6b"},
    {"kSecAttrIsPermanent", CHECK_KEY, &kSecAttrIsPermanent, "[SEC:Const] §6b"},
    {"kSecAttrAccessControl", CHECK_KEY, &kSecAttrAccessControl, "[SEC:Const] §6b"},
    {"kSecAttrAccessible", CHECK_KEY, &kSecAttrAccessible, "[SEC:Const] §6b"},
    {"kSecAttrAccessibleWhenUnlockedThisDeviceOnly", CHECK_CONSTANT,
     &kSecAttrAccessibleWhenUnlockedThisDeviceOnly, "[SEC:Const] §5b"},
    {"kSecAttrAccessGroup", CHECK_KEY, &kSecAttrAccessGroup, "[SEC:Const] §6b"},
    {"kSecUseDataProtectionKeychain", CHECK_KEY, &kSecUseDataProtectionKeychain, "[SEC:Const] §6b"},
    {"kSecPrivateKeyAttrs", CHECK_KEY, &kSecPrivateKeyAttrs, "[SEC:Const] §6c"},
    {"kSecPublicKeyAttrs", CHECK_KEY, &kSecPublicKeyAttrs, "[SEC:Const] §6c"},
    {"kSecMatchLimit", CHECK_KEY, &kSecMatchLimit, "[SEC:Const] §6c"},
    {"kSecMatchLimitOne", CHECK_CONSTANT, &kSecMatchLimitOne, "[SEC:Const] §6c"},
    {"kSecMatchLimitAll", CHECK_CONSTANT, &kSecMatchLimitAll, "[SEC:Const] §6c"},
    {"kSecReturnRef", CHECK_KEY, &kSecReturnRef, "[SEC:Const] §6c"},
    {"kSecReturnAttributes", CHECK_KEY, &kSecReturnAttributes, "[SEC:Const] §6c"},
    {"kSecReturnData", CHECK_KEY, &kSecReturnData, "[SEC:Const] §6c"},
    {"kSecReturnPersistentRef", CHECK_KEY, &kSecReturnPersistentRef, "[SEC:Const] §6c"},
    {"kSecValueRef", CHECK_KEY, &kSecValueRef, "[SEC:Const] §6c"},
    {"kSecValueData", CHECK_KEY, &kSecValueData, "[SEC:Const] §6c"},
    {"kSecValuePersistentRef", CHECK_KEY, &kSecValuePersistentRef, "[SEC:Const] §6c"},
    {"kSecUseAuthenticationUI", CHECK_KEY, &kSecUseAuthenticationUI, "[SEC:Const] §6c"},
    {"kSecUseAuthenticationContext", CHECK_KEY, &kSecUseAuthenticationContext, "[SEC:Const] §6c"},
    {"kSecKeyAlgorithmECDSASignatureMessageX962SHA256", CHECK_ALGORITHM,
     &kSecKeyAlgorithmECDSASignatureMessageX962SHA256, "[SEC:Adaptors] §7"},
    {"kSecKeyAlgorithmECDSASignatureDigestX962SHA256", CHECK_ALGORITHM,
     &kSecKeyAlgorithmECDSASignatureDigestX962SHA256, "[SEC:Adaptors] §7"},
    {"kSecKeyAlgorithmECDSASignatureMessageRFC4754SHA256", CHECK_ALGORITHM,
     &kSecKeyAlgorithmECDSASignatureMessageRFC4754SHA256, "[SEC:Adaptors] §7"},
};

static int check_constants(char *why, size_t why_cap) {
  for (size_t i = 0; i < sizeof checked_constants / sizeof checked_constants[0]; i++) {
    const char *name = checked_constants[i].name, *ours = NULL;
    if (checked_constants[i].role == CHECK_ALGORITHM) {
      ours = sek_scenario_algorithm_lookup(name, strlen(name));
    } else {
      const sek_attrs_name *row = sek_attrs_name_lookup(
          name, checked_constants[i].role == CHECK_KEY ? SEK_NAME_KEY : SEK_NAME_CONSTANT);
      ours = row != NULL ? row->raw : NULL;
    }
    char *theirs = NULL;
    int st = apple_utf8(*checked_constants[i].value, &theirs, NULL);
    if (st == SEK_ERR_NOMEM) {
      apple_why(why, why_cap, "apple backend: out of memory");
      return st;
    }
    bool same = st == SEK_OK && ours != NULL && strcmp(ours, theirs) == 0;
    if (!same)
      apple_why(why, why_cap,
                "apple backend: %s is \"%s\" in this Security.framework, but libsek's table has "
                "\"%s\" (%s): dictionaries built from the table would be wrong",
                name, theirs != NULL ? theirs : "(not text)", ours != NULL ? ours : "(no row)",
                checked_constants[i].source);
    free(theirs);
    if (!same)
      return SEK_ERR_INTERNAL;
  }
  return SEK_OK;
}

/* ---- helpers --------------------------------------------------------------------------------- */

static SecKeyRef key_of(const apple_impl *a, const sek_key *key) {
  return sek_key_impl(key, a->be); /* checked by backend.c: a key of this backend */
}

/* A new CFData of bytes that may be NULL when len is 0. */
static CFDataRef data_of(const uint8_t *p, size_t len) {
  if (len > (size_t)LONG_MAX)
    return NULL;
  return CFDataCreate(kCFAllocatorDefault, p != NULL ? p : (const UInt8 *)"", (CFIndex)len);
}

/* The algorithm as the CFString SecKey takes (a SecKeyAlgorithm is its raw string, §7). */
static int algorithm_of(const char *name, SecKeyAlgorithm *out) {
  const char *raw = apple_algorithm_raw(name);
  CFStringRef s = apple_cfstring(raw, strlen(raw));
  if (s == NULL)
    return apple_utf8_valid(raw, strlen(raw)) ? SEK_ERR_NOMEM : SEK_BACKEND_ERR_VALUE;
  *out = s;
  return SEK_OK;
}

/* A prepared dictionary as CF (the sek_attrs one is freed either way). */
static int to_cf(sek_attrs *prepared, CFDictionaryRef *out, sek_error **err) {
  int st = apple_dict_from_attrs(prepared, out, err);
  sek_attrs_free(prepared);
  return st;
}

/* ---- create_random_key -------------------------------------------------------------------- */

static int ops_create_random_key(void *impl, const sek_attrs *params, sek_key **out,
                                 sek_error **err) {
  apple_impl *a = impl;
  sek_attrs *p = NULL;
  CFDictionaryRef d = NULL;
  int st = apple_prepare_keygen(&a->settings, params, &p);
  if (st == SEK_OK)
    st = to_cf(p, &d, err);
  if (st != SEK_OK)
    return st;
  CFErrorRef e = NULL;
  SecKeyRef k = SecKeyCreateRandomKey(d, &e);
  CFRelease(d);
  if (k == NULL)
    return apple_fail(e, err);
  if (e != NULL)
    CFRelease(e);
  sek_key *key = sek_key_new(a->be, k); /* owns k from here on, also when it fails */
  if (key == NULL)
    return SEK_ERR_NOMEM;
  *out = key;
  return SEK_OK;
}

/* ---- copy_matching ------------------------------------------------------------------------ */

/* One result dictionary (we always ask for attributes, so each is one) as an item, or nothing
 * when it is out of scope. */
static int collect_one(apple_impl *a, const apple_plan *plan, CFTypeRef r, sek_items *items) {
  if (!apple_cf_is(r, CFDictionaryGetTypeID()))
    return SEK_BACKEND_ERR_UNEXPECTED;
  CFDictionaryRef dict = r;
  sek_attrs *attrs = NULL;
  int st = apple_attrs_from_dict(dict, true, &attrs, &a->skipped);
  if (st != SEK_OK)
    return st;
  if (!apple_item_in_scope(&a->settings, attrs)) {
    sek_attrs_free(attrs);
    return SEK_OK;
  }
  sek_key *key = NULL;
  if (plan->asked.ref) {
    CFTypeRef ref = CFDictionaryGetValue(dict, kSecValueRef);
    if (apple_cf_is(ref, SecKeyGetTypeID())) {
      if ((key = sek_key_new(a->be, apple_key_ref(CFRetain(ref)))) == NULL) {
        sek_attrs_free(attrs);
        return SEK_ERR_NOMEM;
      }
    } else if (ref != NULL) {
      a->skipped++; /* a certificate's or identity's reference: the interface holds keys only */
    }
  }
  /* kSecValueData, unless the item is a software private key: then it is the private key
   * itself, which no result may carry (backend.h) */
  bool has_data = false;
  const uint8_t *data = NULL;
  size_t data_len = 0;
  if (plan->asked.data && !apple_item_is_secret_key(attrs)) {
    CFTypeRef dv = CFDictionaryGetValue(dict, kSecValueData);
    if (apple_cf_is(dv, CFDataGetTypeID()) && CFDataGetLength((CFDataRef)dv) >= 0) {
      has_data = true;
      data = CFDataGetBytePtr((CFDataRef)dv);
      data_len = (size_t)CFDataGetLength((CFDataRef)dv);
    }
  }
  st = apple_item_unscope(&a->settings, attrs);
  if (st == SEK_OK && !plan->asked.attributes) {
    /* not asked for: only kSecValuePersistentRef stays (backend.h) */
    sek_attrs *kept = NULL;
    const sek_value *pr = sek_attrs_get(attrs, "kSecValuePersistentRef");
    if (plan->asked.persistent_ref && sek_value_kind_of(pr) == SEK_VALUE_DATA) {
      size_t n = 0;
      const uint8_t *b = sek_value_data(pr, &n);
      kept = sek_attrs_new();
      st = kept == NULL ? SEK_ERR_NOMEM : sek_attrs_set_data(kept, "kSecValuePersistentRef", b, n);
    }
    sek_attrs_free(attrs);
    attrs = kept;
  }
  if (st != SEK_OK) {
    sek_attrs_free(attrs);
    sek_key_free(key);
    return st;
  }
  return sek_items_append(items, key, attrs, has_data, data, data_len); /* takes key, attrs */
}

/* Apple's result (one dictionary, or an array of them) as items, at most plan->limit. */
static int collect(apple_impl *a, const apple_plan *plan, CFTypeRef result, sek_items *items) {
  if (!apple_cf_is(result, CFArrayGetTypeID()))
    return collect_one(a, plan, result, items);
  CFArrayRef list = result;
  CFIndex n = CFArrayGetCount(list);
  int st = SEK_OK;
  for (CFIndex i = 0; st == SEK_OK && i < n && sek_items_count(items) < plan->limit; i++)
    st = collect_one(a, plan, CFArrayGetValueAtIndex(list, i), items);
  return st;
}

/* SecItemCopyMatching of a prepared query: its result in *result (CFRelease), or an error. */
static int copy_matching(sek_attrs *prepared, CFTypeRef *result, sek_error **err) {
  CFDictionaryRef d = NULL;
  int st = to_cf(prepared, &d, err);
  if (st != SEK_OK)
    return st;
  CFTypeRef r = NULL;
  OSStatus os = SecItemCopyMatching(d, &r);
  CFRelease(d);
  if (os != errSecSuccess) {
    if (r != NULL)
      CFRelease(r);
    return apple_fail_status(os, err);
  }
  if (r == NULL)
    return SEK_BACKEND_ERR_UNEXPECTED; /* attributes were asked for: there must be a result */
  *result = r;
  return SEK_OK;
}

static int ops_copy_matching(void *impl, const sek_attrs *query, sek_items **out, sek_error **err) {
  apple_impl *a = impl;
  sek_attrs *q = NULL;
  apple_plan plan;
  CFTypeRef result = NULL;
  int st = apple_prepare_query(&a->settings, query, APPLE_QUERY_COPY, &q, &plan);
  if (st == SEK_OK)
    st = copy_matching(q, &result, err);
  if (st != SEK_OK)
    return st;
  sek_items *items = sek_items_new();
  st = items == NULL ? SEK_ERR_NOMEM : collect(a, &plan, result, items);
  if (result != NULL)
    CFRelease(result);
  if (st == SEK_OK && sek_items_count(items) == 0) /* every match was out of scope */
    st = apple_fail_status(errSecItemNotFound, err);
  if (st != SEK_OK) {
    sek_items_free(items);
    return st;
  }
  *out = items;
  return SEK_OK;
}

/* ---- delete and purge --------------------------------------------------------------------- */

/* Deletes the listed items that pass `keep` one by one, by persistent reference.  *deleted
 * counts them; the first of Apple's errors is kept in *err (the rest are still tried). */
static int delete_listed(apple_impl *a, CFTypeRef result, const sek_attrs *listing,
                         bool (*keep)(const apple_settings *, const sek_attrs *), size_t *deleted,
                         sek_error **err) {
  bool is_list = apple_cf_is(result, CFArrayGetTypeID());
  CFIndex n = is_list ? CFArrayGetCount((CFArrayRef)result) : 1;
  int first = SEK_OK;
  for (CFIndex i = 0; i < n; i++) {
    CFTypeRef r = is_list ? CFArrayGetValueAtIndex((CFArrayRef)result, i) : result;
    if (!apple_cf_is(r, CFDictionaryGetTypeID())) {
      first = first != SEK_OK ? first : SEK_BACKEND_ERR_UNEXPECTED;
      continue;
    }
    sek_attrs *item = NULL, *one = NULL;
    int st = apple_attrs_from_dict((CFDictionaryRef)r, true, &item, &a->skipped);
    if (st == SEK_OK && !keep(&a->settings, item)) {
      sek_attrs_free(item);
      continue;
    }
    if (st == SEK_OK)
      st = apple_delete_one_query(&a->settings, listing, item, &one);
    sek_attrs_free(item);
    CFDictionaryRef d = NULL;
    sek_error *e = NULL;
    if (st == SEK_OK)
      st = to_cf(one, &d, &e);
    if (st == SEK_OK) {
      OSStatus os = SecItemDelete(d);
      CFRelease(d);
      if (os == errSecSuccess)
        (*deleted)++;
      else if (os != errSecItemNotFound) /* gone meanwhile: nothing left to do */
        st = apple_fail_status(os, &e);
    }
    if (st == SEK_ERR_NOMEM) {
      sek_error_free(e);
      return st;
    }
    if (st != SEK_OK && first == SEK_OK) {
      first = st;
      if (err != NULL && e != NULL) {
        *err = e;
        e = NULL;
      }
    }
    sek_error_free(e);
  }
  return first;
}

static int ops_delete(void *impl, const sek_attrs *query, sek_error **err) {
  apple_impl *a = impl;
  sek_attrs *q = NULL;
  apple_plan plan;
  int st = apple_prepare_query(&a->settings, query, APPLE_QUERY_DELETE, &q, &plan);
  if (st != SEK_OK)
    return st;
  if (!plan.scoped) { /* as given: every item the query matches, wherever it came from */
    CFDictionaryRef d = NULL;
    if ((st = to_cf(q, &d, err)) != SEK_OK)
      return st;
    OSStatus os = SecItemDelete(d);
    CFRelease(d);
    return os == errSecSuccess ? SEK_OK : apple_fail_status(os, err);
  }
  if (plan.refuse_param) { /* what SecItemDelete answers such a query, before it deletes */
    sek_attrs_free(q);
    return apple_fail_status(errSecParam, err);
  }
  sek_attrs *listing = sek_attrs_copy(q); /* the listing query, kept for the class it names */
  if (listing == NULL) {
    sek_attrs_free(q);
    return SEK_ERR_NOMEM;
  }
  CFTypeRef result = NULL;
  st = copy_matching(q, &result, err);
  size_t deleted = 0;
  if (st == SEK_OK) {
    st = delete_listed(a, result, listing, apple_item_in_scope, &deleted, err);
    if (result != NULL)
      CFRelease(result);
  }
  sek_attrs_free(listing);
  if (st == SEK_OK && deleted == 0) /* matches, but none of ours */
    st = apple_fail_status(errSecItemNotFound, err);
  return st;
}

/* The backend's implementation, when be is an Apple backend. */
static apple_impl *impl_of(const sek_backend *be) {
  if (be == NULL || strcmp(sek_backend_name(be), BACKEND_NAME) != 0)
    return NULL;
  apple_impl *a = sek_backend_impl(be);
  return a != NULL && a->magic == IMPL_MAGIC ? a : NULL;
}

int sek_apple_purge(sek_backend *be, size_t *out_deleted, sek_error **err) {
  apple_impl *a = impl_of(be);
  if (a == NULL || a->settings.prefix == NULL)
    return SEK_ERR_ARG;
  size_t deleted = 0;
  sek_attrs *q = apple_purge_query(&a->settings);
  sek_attrs *listing = q != NULL ? sek_attrs_copy(q) : NULL;
  if (listing == NULL) {
    sek_attrs_free(q);
    return SEK_ERR_NOMEM;
  }
  CFTypeRef result = NULL;
  sek_error *e = NULL;
  int st = copy_matching(q, &result, &e);
  if (st == SEK_BACKEND_ERR_APPLE && e != NULL && sek_error_code(e) == errSecItemNotFound) {
    st = SEK_OK; /* no key at all: nothing to purge */
  } else if (st == SEK_OK) {
    st = delete_listed(a, result, listing, apple_item_purgeable, &deleted, &e);
    if (result != NULL)
      CFRelease(result);
  }
  sek_attrs_free(listing);
  if (out_deleted != NULL)
    *out_deleted = deleted;
  if (st == SEK_BACKEND_ERR_APPLE && err != NULL) {
    *err = e;
    e = NULL;
  }
  sek_error_free(e);
  return st;
}

size_t sek_apple_skipped_values(const sek_backend *be) {
  const apple_impl *a = impl_of(be);
  return a != NULL ? a->skipped : 0;
}

/* ---- keys --------------------------------------------------------------------------------- */

static int ops_copy_public_key(void *impl, const sek_key *key, uint8_t pub65[65], sek_error **err) {
  SecKeyRef pub = SecKeyCopyPublicKey(key_of(impl, key));
  if (pub == NULL)
    return SEK_BACKEND_ERR_UNEXPECTED; /* NULL is the whole answer: no error to give */
  CFErrorRef e = NULL;
  CFDataRef d = SecKeyCopyExternalRepresentation(pub, &e);
  CFRelease(pub);
  if (d == NULL)
    return apple_fail(e, err);
  if (e != NULL)
    CFRelease(e);
  /* X9.63 04 || X || Y of P-256 is what the interface carries; another curve or an RSA key
   * (which the keychain may hold) is not */
  const UInt8 *b = CFDataGetBytePtr(d);
  int st = CFDataGetLength(d) == X963_P256_LEN && b != NULL && b[0] == 0x04
               ? SEK_OK
               : SEK_BACKEND_ERR_UNEXPECTED;
  if (st == SEK_OK)
    memcpy(pub65, b, X963_P256_LEN);
  CFRelease(d);
  return st;
}

static int ops_copy_key_attributes(void *impl, const sek_key *key, sek_attrs **out,
                                   sek_error **err) {
  apple_impl *a = impl;
  (void)err; /* SecKeyCopyAttributes has no error out-parameter */
  CFDictionaryRef d = SecKeyCopyAttributes(key_of(a, key));
  if (d == NULL)
    return SEK_BACKEND_ERR_UNEXPECTED;
  /* kSecValueData is left out: for a software private key it is the private key itself */
  sek_attrs *attrs = NULL;
  int st = apple_attrs_from_dict(d, true, &attrs, &a->skipped);
  CFRelease(d);
  if (st == SEK_OK)
    st = apple_item_unscope(&a->settings, attrs);
  if (st != SEK_OK) {
    sek_attrs_free(attrs);
    return st;
  }
  *out = attrs;
  return SEK_OK;
}

static int ops_create_signature(void *impl, const sek_key *key, const char *algorithm,
                                const uint8_t *data, size_t len, uint8_t *sig, size_t sig_cap,
                                size_t *sig_len, sek_error **err) {
  SecKeyAlgorithm alg = NULL;
  int st = algorithm_of(algorithm, &alg);
  if (st != SEK_OK)
    return st;
  CFDataRef in = data_of(data, len);
  if (in == NULL) {
    CFRelease(alg);
    return len > (size_t)LONG_MAX ? SEK_BACKEND_ERR_VALUE : SEK_ERR_NOMEM;
  }
  CFErrorRef e = NULL;
  CFDataRef s = SecKeyCreateSignature(key_of(impl, key), alg, in, &e);
  CFRelease(in);
  CFRelease(alg);
  if (s == NULL)
    return apple_fail(e, err);
  if (e != NULL)
    CFRelease(e);
  CFIndex n = CFDataGetLength(s);
  if (n < 0)
    st = SEK_BACKEND_ERR_UNEXPECTED;
  else if ((size_t)n > sig_cap)
    st = SEK_BACKEND_ERR_BUFFER; /* nothing written (backend.h) */
  if (st == SEK_OK) {
    if (n > 0)
      memcpy(sig, CFDataGetBytePtr(s), (size_t)n);
    *sig_len = (size_t)n;
  }
  CFRelease(s);
  return st;
}

static int ops_verify_signature(void *impl, const sek_key *key, const char *algorithm,
                                const uint8_t *data, size_t len, const uint8_t *sig, size_t sig_len,
                                sek_error **err) {
  SecKeyAlgorithm alg = NULL;
  int st = algorithm_of(algorithm, &alg);
  if (st != SEK_OK)
    return st;
  SecKeyRef pub = SecKeyCopyPublicKey(key_of(impl, key));
  CFDataRef in = data_of(data, len), sd = data_of(sig, sig_len);
  if (pub == NULL || in == NULL || sd == NULL) {
    st = pub == NULL ? SEK_BACKEND_ERR_UNEXPECTED : SEK_ERR_NOMEM;
  } else {
    CFErrorRef e = NULL;
    /* false with errSecVerifyFailed "EC signature verification failed, no match" ([SEC:ECKey]) */
    if (SecKeyVerifySignature(pub, alg, in, sd, &e))
      st = SEK_OK;
    else
      st = apple_fail(e, err), e = NULL;
    if (e != NULL)
      CFRelease(e);
  }
  if (pub != NULL)
    CFRelease(pub);
  if (in != NULL)
    CFRelease(in);
  if (sd != NULL)
    CFRelease(sd);
  CFRelease(alg);
  return st;
}

static int ops_copy_external_representation(void *impl, const sek_key *key, uint8_t *out,
                                            size_t out_cap, size_t *out_len, sek_error **err) {
  CFErrorRef e = NULL;
  /* a Secure Enclave key fails here with errSecUnimplemented "export not implemented for key"
   * ([SEC:SecKey.m] + [SEC:CTKKey], apple-facts §9) */
  CFDataRef d = SecKeyCopyExternalRepresentation(key_of(impl, key), &e);
  if (d == NULL)
    return apple_fail(e, err);
  if (e != NULL)
    CFRelease(e);
  /* a software private key's bytes: CF's immutable copy cannot be wiped, only released */
  CFIndex n = CFDataGetLength(d);
  int st = n < 0                 ? SEK_BACKEND_ERR_UNEXPECTED
           : (size_t)n > out_cap ? SEK_BACKEND_ERR_BUFFER
                                 : SEK_OK;
  if (st == SEK_OK) {
    if (n > 0)
      memcpy(out, CFDataGetBytePtr(d), (size_t)n);
    *out_len = (size_t)n;
  }
  CFRelease(d);
  return st;
}

/* CFCopyDescription of the SecKeyRef: "<SecKeyRef:('com.apple.setoken') 0x600000a04e40>" for a
 * token key ([SEC:CTKKey]); snprintf's rule for the length (backend.h). */
static size_t ops_describe(void *impl, const sek_key *key, char *buf, size_t cap) {
  SecKeyRef k = key_of(impl, key);
  CFStringRef s = k != NULL ? CFCopyDescription(k) : NULL;
  char *text = NULL;
  if (s != NULL) {
    if (apple_utf8(s, &text, NULL) != SEK_OK)
      text = NULL;
    CFRelease(s);
  }
  int n = snprintf(buf, cap, "%s", text != NULL ? text : "<SecKeyRef: (no description)>");
  free(text);
  return n > 0 ? (size_t)n : 0;
}

static void ops_key_free(void *impl, void *key_impl) {
  (void)impl;
  if (key_impl != NULL)
    CFRelease(key_impl);
}

static void ops_destroy(void *impl) {
  apple_impl *a = impl;
  if (a == NULL)
    return;
  apple_settings_clear(&a->settings);
  free(a);
}

static const sek_backend_ops apple_ops = {
    .name = BACKEND_NAME,
    .create_random_key = ops_create_random_key,
    .copy_matching = ops_copy_matching,
    .delete_items = ops_delete,
    .copy_public_key = ops_copy_public_key,
    .copy_key_attributes = ops_copy_key_attributes,
    .create_signature = ops_create_signature,
    .verify_signature = ops_verify_signature,
    .copy_external_representation = ops_copy_external_representation,
    .describe = ops_describe,
    .key_free = ops_key_free,
    .destroy = ops_destroy,
};

int sek_apple_new(const sek_apple_config *cfg, sek_backend **out, char *why, size_t why_cap) {
  if (out == NULL)
    return SEK_ERR_ARG;
  apple_impl *a = calloc(1, sizeof *a);
  if (a == NULL) {
    apple_why(why, why_cap, "apple backend: out of memory");
    return SEK_ERR_NOMEM;
  }
  a->magic = IMPL_MAGIC;
  int st = apple_settings_init(&a->settings, cfg, why, why_cap);
  if (st == SEK_OK)
    st = check_constants(why, why_cap);
  if (st != SEK_OK) {
    ops_destroy(a);
    return st;
  }
  sek_backend *be = sek_backend_new(&apple_ops, a); /* destroys a when it fails */
  if (be == NULL) {
    apple_why(why, why_cap, "apple backend: out of memory");
    return SEK_ERR_NOMEM;
  }
  a->be = be;
  *out = be;
  return SEK_OK;
}

#else /* not an Apple platform: the stub */

static const char not_built[] =
    "the Security.framework backend is only built on Apple platforms (macOS, iOS); this libsek "
    "was built for another system: use the emulated backend (include/sek/emu.h)";

int sek_apple_new(const sek_apple_config *cfg, sek_backend **out, char *why, size_t why_cap) {
  (void)cfg;
  if (out == NULL)
    return SEK_ERR_ARG;
  apple_why(why, why_cap, "%s", not_built);
  return SEK_ERR_UNSUPPORTED;
}

int sek_apple_purge(sek_backend *be, size_t *out_deleted, sek_error **err) {
  (void)out_deleted;
  (void)err;
  return be == NULL ? SEK_ERR_ARG : SEK_ERR_UNSUPPORTED;
}

size_t sek_apple_skipped_values(const sek_backend *be) {
  (void)be;
  return 0;
}

#endif
