/*
 * test_apple: the Security.framework backend (include/sek/apple.h).
 *
 * Every system: the portable half (src/backend/apple/apple_scope.c): settings, what the backend
 * adds to the dictionaries it hands to Apple, which results it keeps and what it strips, the
 * UTF-8 check, the constants of returned strings, algorithm names, the description keys.
 * Off Apple platforms: the stub's contract (SEK_ERR_UNSUPPORTED and its message); the live
 * cases skip, saying why.
 * On Apple platforms: the live cases run against the real keychain, inside the label prefix
 * "sekfuzz.test." (purged before and after): create -> copy matching -> sign -> verify with
 * OpenSSL (sek_verify) -> delete -> not found.  By default with a software P-256 key in the
 * file-based keychain; with SEK_APPLE_SE=1 with a Secure Enclave key in the data protection
 * keychain, which needs a binary signed with the keychain-access-groups entitlement: a plain
 * command-line binary gets errSecMissingEntitlement (-34018) there (apple-facts §9).
 * NOTE: the live cases have never been run (no Apple machine so far); ci/check-apple compiles
 * them against harness/apple-shim/ so that they at least type-check.
 */
#include "sek_test.h"

#include <stdint.h>

#include <sek/apple.h>
#include <sek/emu.h>
#include <sek/verify.h>

#include "backend/apple/apple_internal.h"
#include "seed_dicts.h"

#define PREFIX "sekfuzz.test."

static sek_attrs *parse(const char *text) {
  sek_attrs *a = NULL;
  sek_attrs_parse_error pe;
  int st = sek_attrs_parse(text, strlen(text), &a, &pe);
  if (st != SEK_OK)
    fail_msg("literal does not parse (%d) at %u:%u: %s\n%s", st, pe.line, pe.col, pe.message, text);
  return a;
}

static void settings(apple_settings *s, const char *prefix, bool dp, const char *group) {
  sek_apple_config cfg;
  sek_apple_config_default(&cfg);
  cfg.label_prefix = prefix;
  cfg.data_protection_keychain = dp;
  cfg.access_group = group;
  char why[256] = "";
  int st = apple_settings_init(s, &cfg, why, sizeof why);
  if (st != SEK_OK)
    fail_msg("settings refused (%d): %s", st, why);
}

static const char *label_of(const sek_attrs *a) {
  const sek_value *v = sek_attrs_get(a, "labl");
  return sek_value_kind_of(v) == SEK_VALUE_STRING ? sek_value_string(v, NULL) : NULL;
}

/* ---- the stub (every system but Apple's) --------------------------------------------------- */

static void test_stub_says_not_built_here(void **state) {
  (void)state;
#if defined(__APPLE__)
  printf("skipped: this is an Apple build: the stub is not compiled (the live cases run)\n");
  skip();
#else
  sek_backend *const sentinel = (sek_backend *)(uintptr_t)0x5e4; /* must stay untouched */
  sek_backend *be = sentinel;
  char why[256] = "";
  assert_int_equal(sek_apple_new(NULL, &be, why, sizeof why), SEK_ERR_UNSUPPORTED);
  assert_ptr_equal(be, sentinel);
  assert_non_null(strstr(why, "only built on Apple platforms"));
  assert_non_null(strstr(why, "emulated backend"));
  sek_apple_config cfg;
  sek_apple_config_default(&cfg);
  cfg.label_prefix = PREFIX;
  assert_int_equal(sek_apple_new(&cfg, &be, NULL, 0), SEK_ERR_UNSUPPORTED); /* why may be NULL */
  char tiny[8];
  assert_int_equal(sek_apple_new(&cfg, &be, tiny, sizeof tiny), SEK_ERR_UNSUPPORTED);
  assert_int_equal(strlen(tiny), sizeof tiny - 1); /* truncated, terminated */
  assert_int_equal(sek_apple_new(&cfg, NULL, why, sizeof why), SEK_ERR_ARG);
  /* purge and the counter on what cannot be an Apple backend */
  assert_int_equal(sek_apple_purge(NULL, NULL, NULL), SEK_ERR_ARG);
  sek_emu *emu = NULL;
  sek_emu_config ec;
  sek_emu_config_default(&ec);
  assert_int_equal(sek_emu_new(&ec, &emu, NULL, 0), SEK_OK);
  size_t deleted = 77;
  assert_int_equal(sek_apple_purge(sek_emu_backend(emu), &deleted, NULL), SEK_ERR_UNSUPPORTED);
  assert_int_equal(deleted, 77);
  assert_int_equal(sek_apple_skipped_values(sek_emu_backend(emu)), 0);
  sek_emu_free(emu);
#endif
}

static void test_new_statuses_have_messages(void **state) {
  (void)state;
  assert_string_equal(sek_strerror(SEK_BACKEND_ERR_VALUE),
                      "a value that cannot be handed to Security.framework");
  assert_string_equal(sek_strerror(SEK_BACKEND_ERR_UNEXPECTED),
                      "Apple's answer has a shape the interface cannot carry");
}

/* ---- settings ------------------------------------------------------------------------------ */

static void test_settings_checked_and_copied(void **state) {
  (void)state;
  apple_settings s;
  char why[256] = "";
  /* the default: no scope, no group, the API's own keychain */
  assert_int_equal(apple_settings_init(&s, NULL, why, sizeof why), SEK_OK);
  assert_null(s.prefix);
  assert_null(s.access_group);
  assert_false(s.data_protection_keychain);
  apple_settings_clear(&s);
  /* "" counts as none; the strings are copied */
  char prefix[] = "p.";
  sek_apple_config cfg = {"", true, prefix};
  assert_int_equal(apple_settings_init(&s, &cfg, why, sizeof why), SEK_OK);
  prefix[0] = 'x';
  assert_string_equal(s.prefix, "p.");
  assert_int_equal(s.prefix_len, 2);
  assert_null(s.access_group);
  assert_true(s.data_protection_keychain);
  apple_settings_clear(&s);
  /* refused, each with a message naming the field; *s untouched */
  char longer[SEK_APPLE_MAX_PREFIX + 2];
  memset(longer, 'a', sizeof longer - 1);
  longer[sizeof longer - 1] = '\0';
  const struct {
    const char *prefix, *group, *says;
  } bad[] = {
      {longer, NULL, "label prefix is 129 bytes"},     /* over SEK_APPLE_MAX_PREFIX */
      {"caf\xe9", NULL, "label prefix is not UTF-8"},  /* Latin-1 */
      {NULL, "\xc0\xaf", "access group is not UTF-8"}, /* an overlong '/' */
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    apple_settings t = {NULL, true, NULL, 42};
    sek_apple_config c = {bad[i].group, false, bad[i].prefix};
    why[0] = '\0';
    assert_int_equal(apple_settings_init(&t, &c, why, sizeof why), SEK_BACKEND_ERR_VALUE);
    if (strstr(why, bad[i].says) == NULL)
      fail_msg("row %zu: message '%s' does not say '%s'", i, why, bad[i].says);
    assert_int_equal(t.prefix_len, 42);
  }
  /* exactly the limit is fine */
  longer[SEK_APPLE_MAX_PREFIX] = '\0';
  cfg.label_prefix = longer;
  assert_int_equal(apple_settings_init(&s, &cfg, why, sizeof why), SEK_OK);
  assert_int_equal(s.prefix_len, SEK_APPLE_MAX_PREFIX);
  apple_settings_clear(&s);
}

static void test_utf8_check(void **state) {
  (void)state;
  static const struct {
    const char *bytes;
    size_t len;
    bool valid;
    const char *why;
  } rows[] = {
      {"", 0, true, "empty"},
      {"labl", 4, true, "ASCII"},
      {"a\0b", 3, true, "an embedded NUL is a character (CFString keeps it)"},
      {"\xc3\xa9", 2, true, "U+00E9"},
      {"\xe2\x82\xac", 3, true, "U+20AC"},
      {"\xf0\x9f\x94\x91", 4, true, "U+1F511, four bytes"},
      {"\xf4\x8f\xbf\xbf", 4, true, "U+10FFFF, the last code point"},
      {"\x80", 1, false, "a continuation byte first"},
      {"\xc3", 1, false, "truncated two-byte form"},
      {"\xe2\x82", 2, false, "truncated three-byte form"},
      {"\xc0\x80", 2, false, "overlong NUL"},
      {"\xe0\x80\xaf", 3, false, "overlong '/'"},
      {"\xed\xa0\x80", 3, false, "a surrogate (U+D800)"},
      {"\xf4\x90\x80\x80", 4, false, "beyond U+10FFFF"},
      {"\xf8\x88\x80\x80\x80", 5, false, "a five-byte form"},
      {"\xc3\x28", 2, false, "a non-continuation second byte"},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
    if (apple_utf8_valid(rows[i].bytes, rows[i].len) != rows[i].valid)
      fail_msg("row %zu (%s): expected %s", i, rows[i].why, rows[i].valid ? "valid" : "invalid");
}

/* ---- what goes to Apple ------------------------------------------------------------------- */

static void test_keygen_without_settings_is_the_dictionary_itself(void **state) {
  (void)state;
  apple_settings s;
  settings(&s, NULL, false, NULL);
  sek_attrs *params = parse(seed_keygen), *out = NULL;
  assert_int_equal(apple_prepare_keygen(&s, params, &out), SEK_OK);
  assert_true(sek_attrs_equal(params, out));
  assert_ptr_not_equal(params, out);
  sek_attrs_free(out);
  sek_attrs_free(params);
  apple_settings_clear(&s);
}

static void test_keygen_gets_prefix_keychain_and_group(void **state) {
  (void)state;
  apple_settings s;
  settings(&s, PREFIX, true, "TEAM.com.example.sek");
  sek_attrs *out = NULL;
  /* no label anywhere: the prefix alone, at the top */
  sek_attrs *params = parse(seed_keygen);
  assert_int_equal(apple_prepare_keygen(&s, params, &out), SEK_OK);
  assert_string_equal(label_of(out), PREFIX);
  assert_true(sek_value_bool(sek_attrs_get(out, "kSecUseDataProtectionKeychain")));
  assert_string_equal(sek_value_string(sek_attrs_get(out, "agrp"), NULL), "TEAM.com.example.sek");
  /* the rest is the app's dictionary unchanged */
  assert_int_equal(sek_attrs_remove(out, "labl"), SEK_OK);
  assert_int_equal(sek_attrs_remove(out, "nleg"), SEK_OK);
  assert_int_equal(sek_attrs_remove(out, "agrp"), SEK_OK);
  assert_true(sek_attrs_equal(params, out));
  sek_attrs_free(out);
  sek_attrs_free(params);
  /* a label at the top and one in kSecPrivateKeyAttrs are both prefixed; a group the app
   * gives (here in the private attributes) is kept, none added */
  params = parse("[kSecAttrLabel: \"top\", kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,"
                 " kSecPrivateKeyAttrs: [kSecAttrLabel: \"priv\", kSecAttrAccessGroup: \"G\","
                 " kSecAttrIsPermanent: true]]");
  assert_int_equal(apple_prepare_keygen(&s, params, &out), SEK_OK);
  assert_string_equal(label_of(out), PREFIX "top");
  const sek_attrs *priv = sek_value_dict(sek_attrs_get(out, "private"));
  assert_non_null(priv);
  assert_string_equal(label_of(priv), PREFIX "priv");
  assert_true(sek_value_bool(sek_attrs_get(priv, "perm")));
  assert_null(sek_attrs_get(out, "agrp"));
  assert_string_equal(sek_value_string(sek_attrs_get(priv, "agrp"), NULL), "G");
  sek_attrs_free(out);
  sek_attrs_free(params);
  /* only in the private attributes: not added at the top as well */
  params = parse("[kSecPrivateKeyAttrs: [kSecAttrLabel: \"only\"]]");
  assert_int_equal(apple_prepare_keygen(&s, params, &out), SEK_OK);
  assert_null(label_of(out));
  assert_string_equal(label_of(sek_value_dict(sek_attrs_get(out, "private"))), PREFIX "only");
  sek_attrs_free(out);
  sek_attrs_free(params);
  /* a label that is not a string cannot carry a string prefix */
  params = parse("[kSecAttrLabel: Data([0x01])]");
  out = NULL;
  assert_int_equal(apple_prepare_keygen(&s, params, &out), SEK_BACKEND_ERR_VALUE);
  assert_null(out);
  sek_attrs_free(params);
  apple_settings_clear(&s);
}

static void test_copy_query_asks_attributes_and_applies_scope(void **state) {
  (void)state;
  apple_settings none, scoped;
  settings(&none, NULL, false, NULL);
  settings(&scoped, PREFIX, false, NULL);
  sek_attrs *q = parse(seed_query), *out = NULL;
  apple_plan plan;
  /* no scope: Apple applies the limit; attributes are asked for, the caller asked a ref */
  assert_int_equal(apple_prepare_query(&none, q, APPLE_QUERY_COPY, &out, &plan), SEK_OK);
  assert_true(plan.asked.ref);
  assert_false(plan.asked.attributes || plan.asked.data || plan.asked.persistent_ref);
  assert_false(plan.scoped);
  assert_int_equal(plan.limit, SIZE_MAX);
  assert_true(sek_value_bool(sek_attrs_get(out, "r_Attributes")));
  assert_null(sek_attrs_get(out, "m_Limit"));
  assert_int_equal(sek_attrs_count(out), sek_attrs_count(q) + 1);
  sek_attrs_free(out);
  /* in the scope: every match is listed, the default limit (one) is ours to apply */
  assert_int_equal(apple_prepare_query(&scoped, q, APPLE_QUERY_COPY, &out, &plan), SEK_OK);
  assert_true(plan.scoped);
  assert_int_equal(plan.limit, 1);
  assert_string_equal(sek_value_string(sek_attrs_get(out, "m_Limit"), NULL), "m_LimitAll");
  assert_null(label_of(out)); /* no label asked: none added to a query */
  sek_attrs_free(out);
  sek_attrs_free(q);
  /* limits as SecItem reads them, and the return keys as numbers too */
  static const struct {
    const char *literal;
    size_t limit;
    bool limit_replaced;
  } rows[] = {
      {"[kSecClass: kSecClassKey, kSecMatchLimit: kSecMatchLimitOne]", 1, true},
      {"[kSecClass: kSecClassKey, kSecMatchLimit: kSecMatchLimitAll]", SIZE_MAX, true},
      {"[kSecClass: kSecClassKey, kSecMatchLimit: \"m_LimitAll\"]", SIZE_MAX, true},
      {"[kSecClass: kSecClassKey, kSecMatchLimit: 3]", 3, true},
      /* not a limit SecItem takes: left for Apple to refuse, everything kept here */
      {"[kSecClass: kSecClassKey, kSecMatchLimit: 0]", SIZE_MAX, false},
      {"[kSecClass: kSecClassKey, kSecMatchLimit: \"seven\"]", SIZE_MAX, false},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    q = parse(rows[i].literal);
    assert_int_equal(apple_prepare_query(&scoped, q, APPLE_QUERY_COPY, &out, &plan), SEK_OK);
    if (plan.limit != rows[i].limit)
      fail_msg("row %zu: limit %zu, expected %zu", i, plan.limit, rows[i].limit);
    const sek_value *lim = sek_attrs_get(out, "m_Limit");
    bool all = sek_value_kind_of(lim) == SEK_VALUE_CONSTANT &&
               strcmp(sek_value_string(lim, NULL), "m_LimitAll") == 0;
    if (rows[i].limit_replaced && !all)
      fail_msg("row %zu: the limit should be m_LimitAll in what goes to Apple", i);
    /* not replaced: what goes to Apple is the query plus kSecReturnAttributes, nothing else */
    assert_int_equal(sek_attrs_remove(out, "r_Attributes"), SEK_OK);
    if (!rows[i].limit_replaced && !sek_attrs_equal(q, out))
      fail_msg("row %zu: the limit Apple should judge was changed", i);
    sek_attrs_free(out);
    sek_attrs_free(q);
  }
  q = parse("[kSecClass: kSecClassKey, kSecAttrLabel: \"k\", kSecReturnData: 1,"
            " kSecReturnPersistentRef: true, kSecReturnRef: false]");
  assert_int_equal(apple_prepare_query(&scoped, q, APPLE_QUERY_COPY, &out, &plan), SEK_OK);
  assert_true(plan.asked.data);
  assert_true(plan.asked.persistent_ref);
  assert_false(plan.asked.ref);
  assert_string_equal(label_of(out), PREFIX "k");
  sek_attrs_free(out);
  sek_attrs_free(q);
  apple_settings_clear(&none);
  apple_settings_clear(&scoped);
}

static void test_delete_query_unscoped_as_given_scoped_as_listing(void **state) {
  (void)state;
  apple_settings none, scoped;
  settings(&none, NULL, true, NULL);
  settings(&scoped, PREFIX, false, NULL);
  apple_plan plan;
  sek_attrs *q = parse("[kSecClass: kSecClassKey, kSecAttrLabel: \"k\"]"), *out = NULL;
  /* no scope: the query plus the keychain, nothing asked back */
  assert_int_equal(apple_prepare_query(&none, q, APPLE_QUERY_DELETE, &out, &plan), SEK_OK);
  assert_false(plan.scoped);
  assert_false(plan.refuse_param);
  assert_null(sek_attrs_get(out, "r_Attributes"));
  assert_true(sek_value_bool(sek_attrs_get(out, "nleg")));
  assert_int_equal(sek_attrs_remove(out, "nleg"), SEK_OK);
  assert_true(sek_attrs_equal(q, out));
  sek_attrs_free(out);
  /* scope: a listing with attributes and persistent references of every match */
  assert_int_equal(apple_prepare_query(&scoped, q, APPLE_QUERY_DELETE, &out, &plan), SEK_OK);
  assert_true(plan.scoped);
  assert_false(plan.refuse_param);
  assert_true(sek_value_bool(sek_attrs_get(out, "r_Attributes")));
  assert_true(sek_value_bool(sek_attrs_get(out, "r_PersistentRef")));
  assert_string_equal(sek_value_string(sek_attrs_get(out, "m_Limit"), NULL), "m_LimitAll");
  assert_string_equal(label_of(out), PREFIX "k");
  sek_attrs_free(out);
  sek_attrs_free(q);
  /* what SecItemDelete refuses is refused in the scope too, before anything is listed */
  static const struct {
    const char *literal;
    bool refused;
  } rows[] = {
      {"[kSecClass: kSecClassKey, kSecReturnRef: true]", true},
      {"[kSecClass: kSecClassKey, kSecReturnAttributes: 1]", true},
      {"[kSecClass: kSecClassKey, kSecMatchLimit: kSecMatchLimitOne]", true},
      {"[kSecClass: kSecClassKey, kSecMatchLimit: 2]", true},
      {"[kSecClass: kSecClassKey, kSecMatchLimit: \"other\"]", true},
      {"[kSecClass: kSecClassKey, kSecMatchLimit: kSecMatchLimitAll]", false},
      {"[kSecClass: kSecClassKey, kSecReturnData: false]", false}, /* false asks nothing */
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    q = parse(rows[i].literal);
    assert_int_equal(apple_prepare_query(&scoped, q, APPLE_QUERY_DELETE, &out, &plan), SEK_OK);
    if (plan.refuse_param != rows[i].refused)
      fail_msg("row %zu (%s): refuse_param %d", i, rows[i].literal, plan.refuse_param);
    sek_attrs_free(out);
    sek_attrs_free(q);
  }
  apple_settings_clear(&none);
  apple_settings_clear(&scoped);
}

static void test_purge_and_delete_one_queries(void **state) {
  (void)state;
  apple_settings s;
  settings(&s, PREFIX, true, "G");
  sek_attrs *q = apple_purge_query(&s);
  assert_non_null(q);
  sek_attrs *want = parse("[kSecClass: kSecClassKey, kSecMatchLimit: kSecMatchLimitAll,"
                          " kSecReturnAttributes: true, kSecReturnPersistentRef: true,"
                          " kSecUseDataProtectionKeychain: true, kSecAttrAccessGroup: \"G\"]");
  assert_true(sek_attrs_equal(q, want));
  sek_attrs_free(want);
  /* one item of the listing: by its persistent reference, in the listing's class */
  sek_attrs *item = parse("[kSecAttrLabel: \"sekfuzz.test.x\", kSecValuePersistentRef: <0a0b0c>]");
  sek_attrs *one = NULL;
  assert_int_equal(apple_delete_one_query(&s, q, item, &one), SEK_OK);
  want = parse("[kSecValuePersistentRef: <0a0b0c>, kSecClass: kSecClassKey,"
               " kSecUseDataProtectionKeychain: true]");
  assert_true(sek_attrs_equal(one, want));
  sek_attrs_free(want);
  sek_attrs_free(one);
  sek_attrs_free(item);
  /* no persistent reference (it was asked for): not Apple's usual answer, refused */
  item = parse("[kSecAttrLabel: \"sekfuzz.test.x\"]");
  one = NULL;
  assert_int_equal(apple_delete_one_query(&s, q, item, &one), SEK_BACKEND_ERR_UNEXPECTED);
  assert_null(one);
  sek_attrs_free(item);
  sek_attrs_free(q);
  apple_settings_clear(&s);
}

/* ---- what comes back ---------------------------------------------------------------------- */

static void test_results_in_scope_unscoped_and_purgeable(void **state) {
  (void)state;
  apple_settings none, s;
  settings(&none, NULL, false, NULL);
  settings(&s, PREFIX, false, NULL);
  static const struct {
    const char *literal;
    bool in_scope, purgeable;
    const char *label_after; /* NULL: no label */
  } rows[] = {
      {"[kSecAttrLabel: \"sekfuzz.test.signing\"]", true, true, "signing"},
      {"[kSecAttrLabel: \"sekfuzz.test.\"]", true, true, NULL}, /* the prefix alone: removed */
      {"[kSecAttrLabel: \"sekfuzz.test\"]", false, false, "sekfuzz.test"}, /* one byte short */
      {"[kSecAttrLabel: \"Apple Push\"]", false, false, "Apple Push"},     /* the user's key */
      {"[kSecAttrLabel: Data([0x73])]", false, false, NULL},               /* not a string */
      {"[kSecAttrApplicationLabel: <01>]", false, false, NULL},            /* no label */
      /* tagged with the prefix by a test (data or string): purged, but not in the scope */
      {"[kSecAttrApplicationTag: \"sekfuzz.test.tag\"]", false, true, NULL},
      {"[kSecAttrApplicationTag: Data(\"sekfuzz.test.t\".utf8)]", false, true, NULL},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    sek_attrs *item = parse(rows[i].literal);
    if (apple_item_in_scope(&s, item) != rows[i].in_scope)
      fail_msg("row %zu: in_scope should be %d", i, rows[i].in_scope);
    if (apple_item_purgeable(&s, item) != rows[i].purgeable)
      fail_msg("row %zu: purgeable should be %d", i, rows[i].purgeable);
    assert_true(apple_item_in_scope(&none, item));   /* no scope: everything */
    assert_false(apple_item_purgeable(&none, item)); /* and nothing to purge */
    sek_attrs *before = sek_attrs_copy(item);
    assert_int_equal(apple_item_unscope(&none, item), SEK_OK);
    assert_true(sek_attrs_equal(before, item));
    assert_int_equal(apple_item_unscope(&s, item), SEK_OK);
    const char *after = label_of(item);
    if ((after == NULL) != (rows[i].label_after == NULL) ||
        (after != NULL && strcmp(after, rows[i].label_after) != 0))
      fail_msg("row %zu: label after unscope '%s', expected '%s'", i, after ? after : "(none)",
               rows[i].label_after ? rows[i].label_after : "(none)");
    sek_attrs_free(before);
    sek_attrs_free(item);
  }
  apple_settings_clear(&none);
  apple_settings_clear(&s);
}

static void test_software_private_keys_are_secret(void **state) {
  (void)state;
  static const struct {
    const char *literal;
    bool secret;
    const char *why;
  } rows[] = {
      {"[kSecAttrKeyClass: kSecAttrKeyClassPrivate]", true, "a private key in software"},
      {"[kSecAttrKeyClass: \"1\"]", true, "the same as a string"},
      {"[kSecAttrKeyClass: 1]", true, "the same as a number (the DB column)"},
      {"[kSecAttrKeyClass: kSecAttrKeyClassPrivate, kSecAttrTokenID: "
       "kSecAttrTokenIDSecureEnclave]",
       false, "in the Secure Enclave: its data is a wrapped blob, not the key"},
      {"[kSecAttrKeyClass: kSecAttrKeyClassPublic]", false, "a public key"},
      {"[kSecAttrKeyClass: 1.0]", false, "a real is no key class"},
      {"[kSecAttrLabel: \"x\"]", false, "no key class"},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    sek_attrs *item = parse(rows[i].literal);
    if (apple_item_is_secret_key(item) != rows[i].secret)
      fail_msg("row %zu (%s): expected %s", i, rows[i].why, rows[i].secret ? "secret" : "not");
    sek_attrs_free(item);
  }
  assert_false(apple_item_is_secret_key(NULL));
}

static void test_returned_strings_become_constants_of_their_key(void **state) {
  (void)state;
  static const struct {
    const char *key, *value;
    sek_value_kind kind;
    const char *why;
  } rows[] = {
      {"pdmn", "aku", SEK_VALUE_CONSTANT, "a protection class"},
      {"class", "keys", SEK_VALUE_CONSTANT, "an item class"},
      {"kcls", "1", SEK_VALUE_CONSTANT, "a key class"},
      {"tkid", "com.apple.setoken", SEK_VALUE_CONSTANT, "the Secure Enclave token"},
      {"type", "1", SEK_VALUE_STRING, "a key class's value under the key type: another domain"},
      {"labl", "aku", SEK_VALUE_STRING, "a label takes no constants"},
      {"pdmn", "zz", SEK_VALUE_STRING, "not a constant"},
      {"pdmn", "kSecAttrAccessibleWhenUnlocked", SEK_VALUE_STRING, "a name, not the raw value"},
      {"kSecAttrAccessible", "aku", SEK_VALUE_STRING, "Apple's keys are raw strings"},
      {"zzzz", "aku", SEK_VALUE_STRING, "an unknown key"},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
    if (apple_string_kind(rows[i].key, rows[i].value) != rows[i].kind)
      fail_msg("row %zu (%s): wrong kind", i, rows[i].why);
  assert_int_equal(apple_string_kind(NULL, "aku"), SEK_VALUE_STRING);
}

static void test_algorithm_names_in_three_spellings(void **state) {
  (void)state;
  static const char raw[] = "algid:sign:ECDSA:message-X962:SHA256";
  assert_string_equal(apple_algorithm_raw("kSecKeyAlgorithmECDSASignatureMessageX962SHA256"), raw);
  assert_string_equal(apple_algorithm_raw(".ecdsaSignatureMessageX962SHA256"), raw);
  assert_string_equal(apple_algorithm_raw("ecdsaSignatureMessageX962SHA256"), raw);
  assert_string_equal(apple_algorithm_raw(raw), raw);
  assert_string_equal(apple_algorithm_raw("ecdsaSignatureDigestRFC4754SHA512"),
                      "algid:sign:ECDSA:digest-RFC4754:SHA512");
  /* anything else goes to Apple as written, for it to refuse */
  const char *other = "algid:sign:RSA:digest-PKCS1v15:SHA256";
  assert_ptr_equal(apple_algorithm_raw(other), other);
  assert_string_equal(apple_algorithm_raw("kSecKeyAlgorithmECDSASignatureMessageX962SHA3"),
                      "kSecKeyAlgorithmECDSASignatureMessageX962SHA3");
  assert_null(apple_algorithm_raw(NULL));
}

static void test_description_keys_in_order_with_evidence(void **state) {
  (void)state;
  static const char *const order[] = {SEK_KEY_LOCALIZED_DESCRIPTION, SEK_KEY_DESCRIPTION,
                                      SEK_KEY_DEBUG_DESCRIPTION};
  assert_int_equal(apple_num_description_keys, sizeof order / sizeof order[0]);
  for (size_t i = 0; i < apple_num_description_keys; i++) {
    assert_string_equal(apple_description_keys[i].key, order[i]);
    assert_true(strlen(apple_description_keys[i].evidence) > 20);
  }
}

/* ---- live: the real keychain (Apple platforms only) ---------------------------------------- */

#if defined(__APPLE__) || defined(SEK_APPLE_SHIM)

static bool want_se(void) {
  const char *v = getenv("SEK_APPLE_SE");
  return v != NULL && strcmp(v, "1") == 0;
}

/* A backend scoped to PREFIX, with the leftovers of an earlier run purged. */
static sek_backend *live_backend(void) {
  sek_apple_config cfg;
  sek_apple_config_default(&cfg);
  cfg.label_prefix = PREFIX;
  cfg.data_protection_keychain = want_se(); /* Secure Enclave keys live there */
  sek_backend *be = NULL;
  char why[512] = "";
  int st = sek_apple_new(&cfg, &be, why, sizeof why);
  if (st != SEK_OK)
    fail_msg("sek_apple_new: %s: %s", sek_strerror(st), why);
  sek_error *err = NULL;
  size_t n = 0;
  st = sek_apple_purge(be, &n, &err);
  if (st != SEK_OK) {
    char *text = sek_error_format(err);
    fail_msg("purge before the test: %s %s", sek_strerror(st), text != NULL ? text : "");
  }
  if (n > 0)
    printf("purged %zu leftover key(s) of an earlier run\n", n);
  return be;
}

static void fail_with(const char *what, int st, sek_error *err) {
  char *text = err != NULL ? sek_error_format(err) : NULL;
  if (err != NULL && sek_error_code(err) == -34018)
    fail_msg("%s: errSecMissingEntitlement (-34018): this binary lacks the "
             "keychain-access-groups entitlement that Secure Enclave / data protection keychain "
             "keys need; sign it with one (docs/apple.md) or run without SEK_APPLE_SE=1\n%s",
             what, text != NULL ? text : "");
  fail_msg("%s: %s %s", what, sek_strerror(st), text != NULL ? text : "");
}

static sek_attrs *live_keygen(void) {
  if (want_se())
    return parse("[kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,"
                 " kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom, kSecAttrKeySizeInBits: 256,"
                 " kSecPrivateKeyAttrs: [kSecAttrIsPermanent: true, kSecAttrLabel: \"lifecycle\","
                 " kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault,"
                 " kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage], nil)!]]");
  return parse("[kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom, kSecAttrKeySizeInBits: 256,"
               " kSecPrivateKeyAttrs: [kSecAttrIsPermanent: true, kSecAttrLabel: \"lifecycle\"]]");
}

static void test_live_create_find_sign_verify_delete(void **state) {
  (void)state;
#if !defined(__APPLE__)
  printf("skipped: the live Security.framework cases need an Apple platform (this build has "
         "the stub)\n");
  skip();
#endif
  printf("live: %s key, label prefix %s\n", want_se() ? "Secure Enclave" : "software P-256",
         PREFIX);
  sek_backend *be = live_backend();
  assert_string_equal(sek_backend_name(be), "apple");
  sek_error *err = NULL;
  sek_attrs *params = live_keygen();
  sek_key *made = NULL;
  int st = sek_backend_create_random_key(be, params, &made, &err);
  sek_attrs_free(params);
  if (st != SEK_OK)
    fail_with("SecKeyCreateRandomKey", st, err);
  /* found again by its label (the prefix stays inside the backend) */
  sek_attrs *query = parse("[kSecClass: kSecClassKey, kSecAttrLabel: \"lifecycle\","
                           " kSecAttrKeyClass: kSecAttrKeyClassPrivate, kSecReturnRef: true,"
                           " kSecReturnAttributes: true]");
  sek_items *items = NULL;
  if ((st = sek_backend_copy_matching(be, query, &items, &err)) != SEK_OK)
    fail_with("SecItemCopyMatching", st, err);
  assert_int_equal(sek_items_count(items), 1);
  const sek_key *key = sek_items_key(items, 0);
  assert_non_null(key);
  assert_string_equal(label_of(sek_items_attributes(items, 0)), "lifecycle");
  char desc[256];
  assert_true(sek_key_description(key, desc, sizeof desc) > 0);
  assert_non_null(strstr(desc, "SecKeyRef"));
  /* sign, and check with OpenSSL against the public key Apple gives */
  static const uint8_t msg[] = "hello from sekfuzz";
  uint8_t sig[SEK_SIG_MAX_LEN], pub[65];
  size_t sig_len = 0;
  if ((st = sek_backend_create_signature(be, key, ".ecdsaSignatureMessageX962SHA256", msg,
                                         sizeof msg - 1, sig, sizeof sig, &sig_len, &err)) !=
      SEK_OK)
    fail_with("SecKeyCreateSignature", st, err);
  if ((st = sek_backend_copy_public_key(be, key, pub, &err)) != SEK_OK)
    fail_with("SecKeyCopyPublicKey", st, err);
  assert_int_equal(sek_verify_msg(SEK_VERIFY_HASH_SHA256, pub, sizeof pub, msg, sizeof msg - 1, sig,
                                  sig_len, SEK_SIG_DER),
                   SEK_OK);
  /* Apple's own verify agrees, and refuses another message */
  if ((st = sek_backend_verify_signature(be, key, "algid:sign:ECDSA:message-X962:SHA256", msg,
                                         sizeof msg - 1, sig, sig_len, &err)) != SEK_OK)
    fail_with("SecKeyVerifySignature", st, err);
  assert_int_equal(sek_backend_verify_signature(be, key, "algid:sign:ECDSA:message-X962:SHA256",
                                                msg, 5, sig, sig_len, &err),
                   SEK_BACKEND_ERR_APPLE);
  assert_string_equal(sek_error_domain(err), SEK_DOMAIN_OSSTATUS);
  assert_int_equal(sek_error_code(err), -67808); /* errSecVerifyFailed [SEC:ECKey] */
  sek_error_free(err);
  err = NULL;
  if (want_se()) { /* a Secure Enclave key cannot be exported ([SEC:SecKey.m], §9) */
    uint8_t buf[128];
    size_t n = 0;
    assert_int_equal(sek_backend_copy_external_representation(be, key, buf, sizeof buf, &n, &err),
                     SEK_BACKEND_ERR_APPLE);
    assert_int_equal(sek_error_code(err), -4); /* errSecUnimplemented */
    sek_error_free(err);
    err = NULL;
  }
  /* delete, then it is gone (the references held stay valid, as a SecKeyRef does) */
  sek_attrs *del = parse("[kSecClass: kSecClassKey, kSecAttrLabel: \"lifecycle\"]");
  if ((st = sek_backend_delete(be, del, &err)) != SEK_OK)
    fail_with("SecItemDelete", st, err);
  sek_items *again = NULL;
  assert_int_equal(sek_backend_copy_matching(be, query, &again, &err), SEK_BACKEND_ERR_APPLE);
  assert_null(again);
  assert_int_equal(sek_error_code(err), -25300); /* errSecItemNotFound */
  assert_non_null(sek_error_description(err));   /* SecCopyErrorMessageString's text */
  sek_error_free(err);
  err = NULL;
  sek_attrs_free(del);
  sek_attrs_free(query);
  sek_items_free(items);
  sek_key_free(made);
  size_t n = 0;
  assert_int_equal(sek_apple_purge(be, &n, &err), SEK_OK);
  sek_backend_free(be);
}

static void test_live_scope_hides_keys_outside_it(void **state) {
  (void)state;
#if !defined(__APPLE__)
  printf("skipped: the live Security.framework cases need an Apple platform (this build has "
         "the stub)\n");
  skip();
#endif
  if (want_se()) {
    printf("skipped: the scope check makes software keys only\n");
    skip();
  }
  /* a key outside the scope, made and later deleted by an unscoped backend, by its own label */
  char label[96];
  snprintf(label, sizeof label, "sekfuzz.outside.%ld", (long)getpid());
  char literal[512];
  snprintf(literal, sizeof literal,
           "[kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom, kSecAttrKeySizeInBits: 256,"
           " kSecPrivateKeyAttrs: [kSecAttrIsPermanent: true, kSecAttrLabel: \"%s\"]]",
           label);
  sek_backend *open = NULL, *scoped = live_backend();
  char why[512] = "";
  assert_int_equal(sek_apple_new(NULL, &open, why, sizeof why), SEK_OK);
  sek_error *err = NULL;
  sek_attrs *params = parse(literal);
  sek_key *outside = NULL;
  int st = sek_backend_create_random_key(open, params, &outside, &err);
  sek_attrs_free(params);
  if (st != SEK_OK)
    fail_with("SecKeyCreateRandomKey (outside the scope)", st, err);
  /* the scoped backend sees none of it: neither by its label nor by class alone */
  snprintf(literal, sizeof literal, "[kSecClass: kSecClassKey, kSecAttrLabel: \"%s\"]", label);
  sek_attrs *by_label = parse(literal);
  sek_attrs *all = parse("[kSecClass: kSecClassKey, kSecMatchLimit: kSecMatchLimitAll,"
                         " kSecReturnAttributes: true]");
  sek_items *items = NULL;
  assert_int_equal(sek_backend_copy_matching(scoped, by_label, &items, &err),
                   SEK_BACKEND_ERR_APPLE);
  assert_int_equal(sek_error_code(err), -25300);
  sek_error_free(err);
  err = NULL;
  st = sek_backend_copy_matching(scoped, all, &items, &err);
  if (st == SEK_OK) {
    for (size_t i = 0; i < sek_items_count(items); i++) {
      const char *l = label_of(sek_items_attributes(items, i));
      if (l != NULL && strcmp(l, label) == 0)
        fail_msg("the scoped backend listed a key outside its scope");
    }
    sek_items_free(items);
  } else {
    assert_int_equal(sek_error_code(err), -25300); /* none of ours at all */
    sek_error_free(err);
    err = NULL;
  }
  /* and its delete of class keys leaves the outside key alone */
  sek_attrs *every = parse("[kSecClass: kSecClassKey]");
  st = sek_backend_delete(scoped, every, &err);
  assert_true(st == SEK_OK || (st == SEK_BACKEND_ERR_APPLE && sek_error_code(err) == -25300));
  sek_error_free(err);
  err = NULL;
  assert_int_equal(sek_backend_copy_matching(open, by_label, &items, &err), SEK_OK);
  assert_int_equal(sek_items_count(items), 1);
  sek_items_free(items);
  /* clean up: the outside key, by its own label */
  assert_int_equal(sek_backend_delete(open, by_label, &err), SEK_OK);
  sek_attrs_free(every);
  sek_attrs_free(all);
  sek_attrs_free(by_label);
  sek_key_free(outside);
  sek_backend_free(open);
  sek_backend_free(scoped);
}

#else

static void test_live_create_find_sign_verify_delete(void **state) {
  (void)state;
  printf("skipped: the live Security.framework cases need an Apple platform (this build has "
         "the stub)\n");
  skip();
}

static void test_live_scope_hides_keys_outside_it(void **state) {
  (void)state;
  printf("skipped: the live Security.framework cases need an Apple platform (this build has "
         "the stub)\n");
  skip();
}

#endif

static const struct CMUnitTest apple_tests[] = {
    cmocka_unit_test(test_stub_says_not_built_here),
    cmocka_unit_test(test_new_statuses_have_messages),
    cmocka_unit_test(test_settings_checked_and_copied),
    cmocka_unit_test(test_utf8_check),
    cmocka_unit_test(test_keygen_without_settings_is_the_dictionary_itself),
    cmocka_unit_test(test_keygen_gets_prefix_keychain_and_group),
    cmocka_unit_test(test_copy_query_asks_attributes_and_applies_scope),
    cmocka_unit_test(test_delete_query_unscoped_as_given_scoped_as_listing),
    cmocka_unit_test(test_purge_and_delete_one_queries),
    cmocka_unit_test(test_results_in_scope_unscoped_and_purgeable),
    cmocka_unit_test(test_software_private_keys_are_secret),
    cmocka_unit_test(test_returned_strings_become_constants_of_their_key),
    cmocka_unit_test(test_algorithm_names_in_three_spellings),
    cmocka_unit_test(test_description_keys_in_order_with_evidence),
    cmocka_unit_test(test_live_create_find_sign_verify_delete),
    cmocka_unit_test(test_live_scope_hides_keys_outside_it),
};

SEK_TEST_MAIN(apple_tests)
