/* test_error.c: include/sek/error.h — model, printer, parser, tables, classifier, decoder. */
#include "sek_test.h"

#include <cjson/cJSON.h>

#include <sek/emu.h>
#include <sek/error.h>

#include "error_internal.h"

/* The seed thread's three error texts (design §1; devforums thread in ../shared/seed). */
static const char SEED_NSERROR[] =
    "Error Domain=CryptoTokenKit Code=-3 \"<sepk:p256 kid=09457140cef6eace>: unable to sign "
    "digest\" UserInfo={NSDebugDescription=<sepk:p256 kid=09457140cef6eace>: unable to sign "
    "digest, AKSError=-536362999}";
static const char SEED_REPORT[] =
    "domain: CryptoTokenKit\n\ncode: -3\n\nlocalizedDescription: The operation couldn’t be "
    "completed. (CryptoTokenKit error -3.)\n\ndescription: \"<sepk:p256 kid=1214c04d05261ee3>: "
    "unable to sign digest\" UserInfo={NSDebugDescription=<sepk:p256 kid=1214c04d05261ee3>: "
    "unable to sign digest, AKSError=-536362999}\n";
static const char SEED_LOCALIZED[] =
    "key-pairs that's been working for several months suddenly started failing with \"The "
    "operation couldn’t be completed. (CryptoTokenKit error -3.)\". Also affects iPadOS.";

/* ---- model ----------------------------------------------------------------------------------- */

static void test_model_accessors_and_replace(void **state) {
  (void)state;
  sek_error *e = sek_error_new(SEK_DOMAIN_CTK, -3, "desc");
  assert_non_null(e);
  assert_string_equal(sek_error_domain(e), "CryptoTokenKit");
  assert_int_equal(sek_error_code(e), -3);
  assert_string_equal(sek_error_description(e), "desc");
  assert_int_equal(sek_error_add_string(e, "NSDebugDescription", "a"), SEK_OK);
  assert_int_equal(sek_error_add_number(e, "AKSError", -536362999), SEK_OK);
  assert_int_equal(sek_error_add_string(e, "NSDebugDescription", "b"), SEK_OK); /* replaces */
  assert_int_equal(sek_error_user_count(e), 2);
  assert_string_equal(sek_error_user_string(e, "NSDebugDescription"), "b");
  long long v = 0;
  assert_int_equal(sek_error_user_number(e, "AKSError", &v), SEK_OK);
  assert_int_equal(v, -536362999);
  assert_int_equal(sek_error_user_number(e, "NSDebugDescription", &v), SEK_ERROR_ERR_TYPE);
  assert_int_equal(sek_error_user_number(e, "missing", &v), SEK_ERROR_ERR_NO_ENTRY);
  assert_null(sek_error_user_string(e, "AKSError"));
  const char *key;
  sek_error_value_kind kind;
  assert_int_equal(sek_error_user_entry(e, 1, &key, &kind), SEK_OK);
  assert_string_equal(key, "AKSError");
  assert_int_equal(kind, SEK_ERROR_VALUE_NUMBER);
  assert_int_equal(sek_error_user_entry(e, 2, &key, &kind), SEK_ERR_ARG);
  const uint8_t bytes[] = {0x01, 0xab};
  assert_int_equal(sek_error_add_data(e, "blob", bytes, 2), SEK_OK);
  size_t n = 0;
  const uint8_t *d = sek_error_user_data(e, "blob", &n);
  assert_non_null(d);
  assert_int_equal(n, 2);
  assert_memory_equal(d, bytes, 2);
  sek_error_free(e);
}

static void test_model_rejects_bad_keys_and_nulls(void **state) {
  (void)state;
  static const char *const bad_keys[] = {"", "a=b", "a,b", "a{", "a}", "a\"b", "a\nb"};
  sek_error *e = sek_error_new(SEK_DOMAIN_OSSTATUS, -50, NULL);
  for (size_t i = 0; i < sizeof bad_keys / sizeof bad_keys[0]; i++)
    assert_int_equal(sek_error_add_string(e, bad_keys[i], "v"), SEK_ERROR_ERR_KEY);
  assert_int_equal(sek_error_add_string(e, "k", NULL), SEK_ERR_ARG);
  assert_int_equal(sek_error_add_string(NULL, "k", "v"), SEK_ERR_ARG);
  assert_int_equal(sek_error_set_underlying(e, NULL), SEK_ERR_ARG);
  assert_null(sek_error_new(NULL, 0, NULL));
  assert_int_equal(sek_error_user_count(e), 0);
  sek_error_free(e);
  sek_error_free(NULL);
}

static void test_model_entry_limit(void **state) {
  (void)state;
  sek_error *e = sek_error_new(SEK_DOMAIN_OSSTATUS, -50, NULL);
  char key[16];
  for (int i = 0; i < SEK_ERROR_MAX_ENTRIES; i++) {
    snprintf(key, sizeof key, "k%d", i);
    assert_int_equal(sek_error_add_number(e, key, i), SEK_OK);
  }
  assert_int_equal(sek_error_add_number(e, "one-more", 1), SEK_ERR_LIMIT);
  assert_int_equal(sek_error_add_number(e, "k0", 7), SEK_OK); /* replacing stays possible */
  sek_error_free(e);
}

static void test_model_chain_depth_cycle_and_ownership(void **state) {
  (void)state;
  sek_error *outer = sek_error_new(SEK_DOMAIN_OSSTATUS, -25293, NULL);
  assert_int_equal(sek_error_set_underlying(outer, outer), SEK_ERROR_ERR_CYCLE);
  /* build a chain of exactly SEK_ERROR_MAX_DEPTH errors, innermost first */
  sek_error *chain = sek_error_new(SEK_DOMAIN_LA, -2, NULL);
  for (int i = 1; i < SEK_ERROR_MAX_DEPTH; i++) {
    sek_error *e = sek_error_new(SEK_DOMAIN_OSSTATUS, -i, NULL);
    assert_int_equal(sek_error_set_underlying(e, chain), SEK_OK);
    chain = e;
  }
  /* one more level is refused, and the refused inner error is freed (no leak under ASan) */
  assert_int_equal(sek_error_set_underlying(outer, chain), SEK_ERR_LIMIT);
  sek_error *inner = sek_error_new(SEK_DOMAIN_LA, -8, NULL);
  assert_int_equal(sek_error_set_underlying(outer, inner), SEK_OK);
  assert_ptr_equal(sek_error_underlying(outer), inner);
  sek_error *copy = sek_error_copy(outer);
  assert_true(sek_error_equal(outer, copy));
  assert_int_equal(sek_error_code(sek_error_underlying(copy)), -8);
  assert_int_equal(sek_error_add_number(copy, "x", 1), SEK_OK);
  assert_false(sek_error_equal(outer, copy));
  sek_error_free(copy);
  sek_error_free(outer);
}

/* ---- printer and parser ---------------------------------------------------------------------- */

static void test_format_seed_exactly(void **state) {
  (void)state;
  sek_error *e =
      sek_error_new(SEK_DOMAIN_CTK, -3, "<sepk:p256 kid=09457140cef6eace>: unable to sign digest");
  sek_error_add_string(e, "NSDebugDescription",
                       "<sepk:p256 kid=09457140cef6eace>: unable to sign digest");
  sek_error_add_number(e, "AKSError", -536362999);
  char *s = sek_error_format(e);
  assert_string_equal(s, SEED_NSERROR);
  free(s);
  sek_error_free(e);
}

static void test_format_null_description_nested_and_data(void **state) {
  (void)state;
  sek_error *e = sek_error_new(SEK_DOMAIN_OSSTATUS, -25300, NULL);
  char *s = sek_error_format(e);
  assert_string_equal(s, "Error Domain=NSOSStatusErrorDomain Code=-25300 \"(null)\"");
  free(s);
  sek_error *outer = sek_error_new(SEK_DOMAIN_OSSTATUS, -128, NULL);
  sek_error *la = sek_error_new(SEK_DOMAIN_LA, -2, "Canceled by user.");
  sek_error_add_string(la, "NSLocalizedDescription", "Canceled by user.");
  const uint8_t b[] = {0xde, 0xad};
  sek_error_add_data(outer, "blob", b, 2);
  sek_error_set_underlying(outer, la);
  s = sek_error_format(outer);
  assert_string_equal(s, "Error Domain=NSOSStatusErrorDomain Code=-128 \"(null)\" UserInfo={blob="
                         "{length = 2, bytes = 0xdead}, NSUnderlyingError=0x600000c04060 {Error "
                         "Domain=com.apple.LocalAuthentication Code=-2 \"Canceled by user.\" "
                         "UserInfo={NSLocalizedDescription=Canceled by user.}}}");
  sek_error *back = NULL;
  assert_int_equal(sek_error_parse(s, strlen(s), &back), SEK_OK);
  assert_true(sek_error_equal(back, outer)); /* a built error reads back as the same object */
  free(s);
  sek_error_free(back);
  sek_error_free(outer);
  sek_error_free(e);
}

/* Texts sek_error_parse accepts; each must print back byte for byte. */
static const char *const parse_ok[] = {
    SEED_NSERROR,
    "Error Domain=NSOSStatusErrorDomain Code=-25293 \"Key generation failed, error -25293\" "
    "UserInfo={numberOfErrorsDeep=0, NSDescription=Key generation failed, error -25293}",
    "Error Domain=NSOSStatusErrorDomain Code=-25308 \"User interaction is not allowed.\" "
    "UserInfo={numberOfErrorsDeep=0, NSUnderlyingError=0x283b3c0c0 {Error "
    "Domain=com.apple.LocalAuthentication Code=-1004 \"User interaction required.\" "
    "UserInfo={NSLocalizedDescription=User interaction required.}}}",
    "Error Domain=X Code=0 \"(null)\"",
    "Error Domain= Code=-1 \"\"",
    "Error Domain=A Code=1 \"q\" UserInfo={k=007, n=-0, d={length = 1, bytes = 0xAB}, e={x=y, z}}",
    "Error Domain=A Code=1 \"a \"quoted\" b\" UserInfo={k=v}",
    "Error Domain=A Code=1 \"x\" UserInfo={k=<private>, m={length = 0, bytes = 0x}}",
    "Error Domain=A Code=9223372036854775807 \"x\"",
};

static void test_parse_is_text_preserving(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof parse_ok / sizeof parse_ok[0]; i++) {
    sek_error *e = NULL;
    size_t off = 0;
    int st = sek_error_parse_at(parse_ok[i], strlen(parse_ok[i]), &e, &off);
    if (st != SEK_OK)
      fail_msg("row %zu: %s at %zu", i, sek_strerror(st), off);
    char *s = sek_error_format(e);
    assert_string_equal(s, parse_ok[i]);
    free(s);
    sek_error_free(e);
  }
}

static void test_parse_reads_values(void **state) {
  (void)state;
  sek_error *e = NULL;
  const char *t = parse_ok[5];
  assert_int_equal(sek_error_parse(t, strlen(t), &e), SEK_OK);
  assert_string_equal(sek_error_user_string(e, "k"), "007"); /* not canonical: stays a string */
  assert_string_equal(sek_error_user_string(e, "n"), "-0");
  assert_string_equal(sek_error_user_string(e, "d"), "{length = 1, bytes = 0xAB}"); /* upper */
  assert_string_equal(sek_error_user_string(e, "e"), "{x=y, z}");
  sek_error_free(e);
  t = parse_ok[2];
  assert_int_equal(sek_error_parse(t, strlen(t), &e), SEK_OK);
  const sek_error *u = sek_error_underlying(e);
  assert_non_null(u);
  assert_string_equal(sek_error_domain(u), SEK_DOMAIN_LA);
  assert_int_equal(sek_error_code(u), -1004);
  sek_error_free(e);
}

static const struct {
  const char *text;
  int status;
  size_t offset;
  const char *why;
} parse_bad[] = {
    {"", SEK_ERROR_ERR_SYNTAX, 0, "empty"},
    {"Error Domain=A Code=-3", SEK_ERROR_ERR_SYNTAX, 22, "no description"},
    {"Error Domain=A Code=03 \"x\"", SEK_ERROR_ERR_NUMBER, 20, "leading zero code"},
    {"Error Domain=A Code=99999999999999999999 \"x\"", SEK_ERROR_ERR_NUMBER, 20, "code too large"},
    {"Error Domain=A Code=1 \"x\" UserInfo={k=v", SEK_ERROR_ERR_SYNTAX, 39, "UserInfo not closed"},
    {"Error Domain=A Code=1 \"x\" UserInfo={k=1, k=2}", SEK_ERROR_ERR_DUPLICATE, 41, "duplicate"},
    {"Error Domain=A Code=1 \"x\" UserInfo={=v}", SEK_ERROR_ERR_SYNTAX, 36, "empty key"},
    {"Error Domain=A Code=1 \"x\" trailing", SEK_ERROR_ERR_SYNTAX, 34, "no closing quote at end"},
    {"Error Domain=A Code=1 \"x\" UserInfo={k=v} ", SEK_ERROR_ERR_TRAILING, 40, "trailing space"},
    {"Error Domain=A Code=1 \"x\" UserInfo={}", SEK_ERROR_ERR_SYNTAX, 36, "empty UserInfo"},
    {"error domain=A Code=1 \"x\"", SEK_ERROR_ERR_SYNTAX, 0, "lower case"},
};

static void test_parse_rejects_with_reason_and_offset(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof parse_bad / sizeof parse_bad[0]; i++) {
    sek_error *e = (sek_error *)(uintptr_t)1;
    size_t off = (size_t)-1;
    int st = sek_error_parse_at(parse_bad[i].text, strlen(parse_bad[i].text), &e, &off);
    if (st != parse_bad[i].status || off != parse_bad[i].offset)
      fail_msg("%s: got %d at %zu, want %d at %zu", parse_bad[i].why, st, off, parse_bad[i].status,
               parse_bad[i].offset);
    assert_ptr_equal(e, (sek_error *)(uintptr_t)1); /* untouched on failure */
  }
}

static void test_parse_depth_limit(void **state) {
  (void)state;
  sek_sb b = {0};
  for (int i = 0; i < SEK_ERROR_MAX_DEPTH + 1; i++)
    sek_sb_puts(&b, i ? " UserInfo={NSUnderlyingError=0x1 {Error Domain=A Code=1 \"x\""
                      : "Error Domain=A Code=1 \"x\"");
  for (int i = 0; i < SEK_ERROR_MAX_DEPTH; i++)
    sek_sb_puts(&b, "}}");
  char *t = sek_sb_finish(&b);
  sek_error *e = NULL;
  assert_int_equal(sek_error_parse(t, strlen(t), &e), SEK_ERR_LIMIT);
  free(t);
}

/* print(parse(x)) is a fixed point also for what the decoder builds. */
static void test_decoded_errors_print_and_reparse(void **state) {
  (void)state;
  static const char *const texts[] = {
      SEED_REPORT,
      "Error Domain=NSOSStatusErrorDomain Code=-25293 \"The operation couldn’t be completed. "
      "(OSStatus error -25293.)\" UserInfo=0x17d2b7c0 {NSUnderlyingError=0x17e4ab10 \"The "
      "operation couldn’t be completed. (com.apple.LocalAuthentication error -8.)\"}",
      "{\"message\":\"Error Domain=CryptoTokenKit Code=-7 \\\"Token not found\\\" "
      "UserInfo={NSDebugDescription=Token not found}\",\"domain\":\"CryptoTokenKit\"}",
  };
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    sek_decode_result *r = NULL;
    assert_int_equal(sek_decode(texts[i], strlen(texts[i]), &r), SEK_OK);
    assert_true(sek_decode_count(r) >= 1);
    for (size_t k = 0; k < sek_decode_count(r); k++) {
      char *y = sek_error_format(sek_decode_get(r, k)->error);
      sek_error *p = NULL;
      assert_int_equal(sek_error_parse(y, strlen(y), &p), SEK_OK);
      char *z = sek_error_format(p);
      assert_string_equal(y, z);
      free(y);
      free(z);
      sek_error_free(p);
    }
    sek_decode_result_free(r);
  }
}

/* ---- tables ---------------------------------------------------------------------------------- */

/* Spot checks against apple-facts.md. */
static const struct {
  const char *name, *domain;
  long long code;
} facts[] = {
    {"errSecItemNotFound", SEK_DOMAIN_OSSTATUS, -25300},
    {"errSecDuplicateItem", SEK_DOMAIN_OSSTATUS, -25299},
    {"errSecInteractionNotAllowed", SEK_DOMAIN_OSSTATUS, -25308},
    {"errSecMissingEntitlement", SEK_DOMAIN_OSSTATUS, -34018},
    {"errSecAuthFailed", SEK_DOMAIN_OSSTATUS, -25293},
    {"errSecUserCanceled", SEK_DOMAIN_OSSTATUS, -128},
    {"errSecParam", SEK_DOMAIN_OSSTATUS, -50},
    {"errSecUnimplemented", SEK_DOMAIN_OSSTATUS, -4},
    {"errSecNotAvailable", SEK_DOMAIN_OSSTATUS, -25291},
    {"errSecDecode", SEK_DOMAIN_OSSTATUS, -26275},
    {"errSecInternal", SEK_DOMAIN_OSSTATUS, -26276},
    {"errSecAuthNeeded", SEK_DOMAIN_OSSTATUS, -25330},
    {"errSecVerifyFailed", SEK_DOMAIN_OSSTATUS, -67808},
    {"errSecInvalidKeyRef", SEK_DOMAIN_OSSTATUS, -67712},
    {"errSecUpgradePending", SEK_DOMAIN_OSSTATUS, -34019},
    {"errSecRestrictedAPI", SEK_DOMAIN_OSSTATUS, -34020},
    {"TKErrorCodeCorruptedData", SEK_DOMAIN_CTK, -3},
    {"TKErrorCodeTokenNotFound", SEK_DOMAIN_CTK, -7},
    {"TKErrorCodeAuthenticationNeeded", SEK_DOMAIN_CTK, -9},
    {"TKErrorCodeBadParameter", SEK_DOMAIN_CTK, -8},
    {"LAErrorUserCancel", SEK_DOMAIN_LA, -2},
    {"LAErrorBiometryLockout", SEK_DOMAIN_LA, -8},
    {"LAErrorNotInteractive", SEK_DOMAIN_LA, -1004},
    {"LAErrorPasscodeNotSet", SEK_DOMAIN_LA, -5},
    {"LAErrorInvalidDimensions", SEK_DOMAIN_LA, -14},
    {"kIOReturnNotPermitted", SEK_DOMAIN_MACH, -536870174},
    {"kIOReturnError", SEK_DOMAIN_MACH, -536870212},
    {"kIOReturnBadArgument", SEK_DOMAIN_MACH, -536870206},
    {"kIOReturnNotFound", SEK_DOMAIN_MACH, -536870160},
    {"kAKSReturnPolicyInvalid", SEK_DOMAIN_MACH, -536362999},
};

static void test_tables_match_apple_facts(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof facts / sizeof facts[0]; i++) {
    const sek_error_code_info *c = sek_error_code_lookup(facts[i].domain, facts[i].code);
    if (strcmp(c->name, facts[i].name) != 0)
      fail_msg("%s %lld: table says '%s', facts say %s", facts[i].domain, facts[i].code, c->name,
               facts[i].name);
    const sek_error_code_info *n = sek_error_name_lookup(facts[i].name, strlen(facts[i].name));
    assert_ptr_equal(n, c);
  }
}

static void test_tables_rows_are_sourced_and_unique(void **state) {
  (void)state;
  size_t n, total = 0;
  const sek_error_code_info *c;
  for (size_t t = 0; (c = sek_error_codes(t, &n)) != NULL; t++) {
    total += n;
    for (size_t i = 0; i < n; i++) {
      assert_true(c[i].name[0] != '\0');
      assert_true(c[i].meaning[0] != '\0');
      assert_true(c[i].source[0] != '\0');
      assert_string_equal(c[i].domain, c[0].domain); /* one domain per table */
      assert_ptr_equal(sek_error_code_lookup(c[i].domain, c[i].code), &c[i]); /* unique */
    }
  }
  assert_true(total > 150);
  size_t na;
  const sek_error_alias_info *a = sek_error_aliases(&na);
  for (size_t i = 0; i < na; i++) {
    const sek_error_code_info *row = sek_error_name_lookup(a[i].name, strlen(a[i].name));
    if (row == NULL || row->code != a[i].code || strcmp(row->domain, a[i].domain) != 0)
      fail_msg("alias %s does not reach %s %lld", a[i].name, a[i].domain, a[i].code);
    assert_true(a[i].source[0] != '\0');
  }
  const sek_error_message_info *m = sek_error_messages(&na);
  for (size_t i = 0; i < na; i++) {
    if (sek_error_code_lookup(m[i].domain, m[i].code)->name[0] == '\0')
      fail_msg("message '%s' names an unknown code %ld", m[i].text, m[i].code);
    assert_true(m[i].source[0] != '\0');
  }
  assert_string_equal(sek_error_code_lookup(SEK_DOMAIN_OSSTATUS, -1)->name, "");
  assert_null(sek_error_name_lookup("errSecNoSuchThing", 17));
  assert_string_equal(sek_error_name_lookup("errKCItemNotFound", 17)->name, "errSecItemNotFound");
  assert_string_equal(sek_error_name_lookup("kLAErrorUserCancel", 18)->name, "LAErrorUserCancel");
  assert_string_equal(sek_error_name_lookup("TKErrorTokenNotFound", 20)->name,
                      "TKErrorCodeTokenNotFound");
}

/* apple-facts §1e, row by row. */
static const struct {
  const char *domain;
  long long code;
  long osstatus;
} conversions[] = {
    {SEK_DOMAIN_OSSTATUS, -25300, -25300},
    {SEK_DOMAIN_LA, -2, -128},
    {SEK_DOMAIN_LA, -1004, -25308},
    {SEK_DOMAIN_LA, -8, -25293},
    {SEK_DOMAIN_LA, -1, -25293},
    {SEK_DOMAIN_CTK, -8, -50},
    {SEK_DOMAIN_CTK, -1, -4},
    {SEK_DOMAIN_CTK, -4, -128},
    {SEK_DOMAIN_CTK, -3, -26275},
    {SEK_DOMAIN_CTK, -7, -25300},
    {SEK_DOMAIN_CTK, -6, -25300},
    {SEK_DOMAIN_CTK, -9, -26276},
    {SEK_DOMAIN_CTK, -5, -26276},
    {SEK_DOMAIN_CTK, -2, -26276},
    {SEK_DOMAIN_MACH, 0, 0},
    {SEK_DOMAIN_MACH, -536870194, -25293},
    {SEK_DOMAIN_MACH, -536870174, -25308},
    {SEK_DOMAIN_MACH, -536870212, -26275},
    {SEK_DOMAIN_MACH, -536870206, -50},
    {SEK_DOMAIN_MACH, -536362999, -25291},
    {"com.example.unknown", 1, -26276},
};

static void test_osstatus_conversion_rules(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof conversions / sizeof conversions[0]; i++) {
    const char *src = NULL;
    long got = sek_error_osstatus_of(conversions[i].domain, conversions[i].code, &src);
    if (got != conversions[i].osstatus)
      fail_msg("%s %lld -> %ld, want %ld", conversions[i].domain, conversions[i].code, got,
               conversions[i].osstatus);
    assert_non_null(src);
  }
}

static void test_aks_split_mach_layout(void **state) {
  (void)state;
  sek_aks_info a;
  assert_int_equal(sek_aks_split(-536362999, &a), SEK_OK);
  assert_int_equal(a.hex, 0xe007c009u);
  assert_int_equal(a.system, 0x38);
  assert_int_equal(a.subsystem, 31);
  assert_int_equal(a.code, 9);
  assert_string_equal(a.system_name, "iokit");
  assert_string_equal(a.subsystem_name, "keystore");
  assert_string_equal(a.name, "kAKSReturnPolicyInvalid");
  assert_int_equal(sek_aks_split(3758604297LL, &a), SEK_OK); /* the same, unsigned */
  assert_string_equal(a.name, "kAKSReturnPolicyInvalid");
  assert_int_equal(sek_aks_split(-536362989, &a), SEK_OK); /* 0xe007c013: unnamed */
  assert_int_equal(a.code, 0x13);
  assert_string_equal(a.name, "");
  assert_int_equal(sek_aks_split(0xe00002e2, &a), SEK_OK);
  assert_int_equal(a.subsystem, 0);
  assert_string_equal(a.subsystem_name, "common");
  assert_string_equal(a.name, "kIOReturnNotPermitted");
  assert_int_equal(sek_aks_split(4294967296LL, &a), SEK_ERROR_ERR_RANGE);
  assert_int_equal(sek_aks_split(-2147483649LL, &a), SEK_ERROR_ERR_RANGE);
}

/* ---- classifier ------------------------------------------------------------------------------ */

static void test_every_rule_fires_on_its_example(void **state) {
  (void)state;
  assert_true(sek_op_table_consistent());
  size_t n = sek_error_rule_count();
  assert_true(n > 60);
  for (size_t i = 0; i < n; i++) {
    sek_error *e = NULL;
    sek_error_context ctx;
    const sek_cause *want;
    assert_int_equal(sek_error_rule_example(i, &e, &ctx, &want), SEK_OK);
    assert_true(want->explanation[0] && want->tell_apart[0] && want->source[0]);
    assert_true(want->confidence >= 1 && want->confidence <= 100);
    sek_cause got[SEK_MAX_CAUSES];
    size_t num = 0;
    assert_int_equal(sek_error_classify_ctx(e, &ctx, got, SEK_MAX_CAUSES, &num), SEK_OK);
    bool found = false;
    for (size_t k = 0; k < num; k++)
      found = found || (strcmp(got[k].id, want->id) == 0 && got[k].action == want->action);
    if (!found)
      fail_msg("rule %zu (%s, %s %ld) is not among the causes of its own example", i, want->id,
               sek_error_domain(e), sek_error_code(e));
    sek_error_free(e);
  }
}

/* The verdict for every error the emulator emits (the lifecycle oracle compares with these). */
static const struct {
  const char *domain;
  long code;
  long long aks; /* 0: none */
  sek_action action;
  sek_permanence permanent;
} verdicts[] = {
    {SEK_DOMAIN_OSSTATUS, -25300, 0, SEK_ACTION_REENROLL_KEY, SEK_PERMANENT_YES},
    {SEK_DOMAIN_OSSTATUS, -25299, 0, SEK_ACTION_FIX_CONFIGURATION, SEK_PERMANENT_YES},
    {SEK_DOMAIN_OSSTATUS, -25308, 0, SEK_ACTION_WAIT_FOR_UNLOCK, SEK_PERMANENT_NO},
    {SEK_DOMAIN_OSSTATUS, -34018, 0, SEK_ACTION_FIX_CONFIGURATION, SEK_PERMANENT_YES},
    {SEK_DOMAIN_OSSTATUS, -50, 0, SEK_ACTION_FIX_CONFIGURATION, SEK_PERMANENT_YES},
    {SEK_DOMAIN_OSSTATUS, -4, 0, SEK_ACTION_FIX_CONFIGURATION, SEK_PERMANENT_YES},
    {SEK_DOMAIN_OSSTATUS, -128, 0, SEK_ACTION_PROMPT_AGAIN, SEK_PERMANENT_NO},
    {SEK_DOMAIN_OSSTATUS, -25293, 0, SEK_ACTION_PROMPT_AGAIN, SEK_PERMANENT_NO},
    {SEK_DOMAIN_OSSTATUS, -26276, 0, SEK_ACTION_RETRY, SEK_PERMANENT_UNKNOWN},
    {SEK_DOMAIN_OSSTATUS, -25291, 0, SEK_ACTION_RETRY, SEK_PERMANENT_UNKNOWN},
    {SEK_DOMAIN_CTK, -3, -536362999, SEK_ACTION_REENROLL_KEY, SEK_PERMANENT_YES},
    {SEK_DOMAIN_CTK, -3, 0, SEK_ACTION_REENROLL_KEY, SEK_PERMANENT_YES},
    {SEK_DOMAIN_CTK, -7, 0, SEK_ACTION_UNSUPPORTED_DEVICE, SEK_PERMANENT_YES},
    {SEK_DOMAIN_CTK, -9, 0, SEK_ACTION_PROMPT_AGAIN, SEK_PERMANENT_NO},
    {SEK_DOMAIN_LA, -1, 0, SEK_ACTION_PROMPT_AGAIN, SEK_PERMANENT_NO},
    {SEK_DOMAIN_LA, -2, 0, SEK_ACTION_PROMPT_AGAIN, SEK_PERMANENT_NO},
    {SEK_DOMAIN_LA, -8, 0, SEK_ACTION_PROMPT_AGAIN, SEK_PERMANENT_NO},
    {SEK_DOMAIN_LA, -1004, 0, SEK_ACTION_WAIT_FOR_UNLOCK, SEK_PERMANENT_NO},
    {SEK_DOMAIN_LA, -5, 0, SEK_ACTION_UNSUPPORTED_DEVICE, SEK_PERMANENT_NO},
    {SEK_DOMAIN_LA, -6, 0, SEK_ACTION_UNSUPPORTED_DEVICE, SEK_PERMANENT_UNKNOWN},
    {SEK_DOMAIN_LA, -7, 0, SEK_ACTION_UNSUPPORTED_DEVICE, SEK_PERMANENT_NO},
    {SEK_DOMAIN_LA, -1009, 0, SEK_ACTION_FIX_CONFIGURATION, SEK_PERMANENT_YES},
};

static void test_verdicts_of_emulator_errors(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof verdicts / sizeof verdicts[0]; i++) {
    sek_error *e = sek_error_new(verdicts[i].domain, verdicts[i].code, NULL);
    if (verdicts[i].aks != 0)
      sek_error_add_number(e, SEK_KEY_AKS_ERROR, verdicts[i].aks);
    sek_action a;
    sek_permanence p;
    assert_int_equal(sek_error_verdict(e, &a, &p), SEK_OK);
    if (a != verdicts[i].action || p != verdicts[i].permanent)
      fail_msg("%s %ld: %s/%d, want %s/%d", verdicts[i].domain, verdicts[i].code,
               sek_action_name(a), p, sek_action_name(verdicts[i].action), verdicts[i].permanent);
    sek_error_free(e);
  }
  assert_int_equal(sek_error_verdict(NULL, NULL, NULL), SEK_ERR_ARG);
}

/* The emulator's behaviour table states the truth for every error it emits; the lifecycle
 * oracle compares it with sek_error_verdict, so the two must agree row by row.  The error is
 * built as the emulator builds it (templates left unexpanded). */
static void test_verdicts_match_emulator_table(void **state) {
  (void)state;
  size_t n = sek_emu_behaviour_count();
  assert_true(n > 0);
  for (size_t i = 0; i < n; i++) {
    const sek_emu_behaviour *b = sek_emu_behaviour_at(i);
    sek_error *e = sek_error_new(b->domain, b->code, b->description);
    assert_non_null(e);
    if (b->description != NULL && strcmp(b->domain, SEK_DOMAIN_OSSTATUS) == 0)
      assert_int_equal(sek_error_add_string(e, SEK_KEY_DESCRIPTION, b->description), SEK_OK);
    if (b->debug_description != NULL)
      assert_int_equal(sek_error_add_string(e, SEK_KEY_DEBUG_DESCRIPTION, b->debug_description),
                       SEK_OK);
    if (b->has_aks_error)
      assert_int_equal(sek_error_add_number(e, SEK_KEY_AKS_ERROR, b->aks_error), SEK_OK);
    if (b->underlying_domain != NULL) {
      sek_error *in =
          sek_error_new(b->underlying_domain, b->underlying_code, b->underlying_description);
      if (b->underlying_description != NULL && strcmp(b->underlying_domain, SEK_DOMAIN_LA) != 0)
        sek_error_add_string(in, SEK_KEY_DEBUG_DESCRIPTION, b->underlying_description);
      assert_int_equal(sek_error_set_underlying(e, in), SEK_OK);
    }
    sek_action a;
    sek_permanence p;
    assert_int_equal(sek_error_verdict(e, &a, &p), SEK_OK);
    if (a != b->action || p != b->permanent)
      fail_msg("emulator row %s (%s %ld): verdict %s/%d, table says %s/%d", b->id, b->domain,
               b->code, sek_action_name(a), p, sek_action_name(b->action), b->permanent);
    sek_error_free(e);
  }
}

static void test_seed_causes_ranked_with_context(void **state) {
  (void)state;
  sek_error *e = NULL;
  assert_int_equal(sek_error_parse(SEED_NSERROR, strlen(SEED_NSERROR), &e), SEK_OK);
  sek_cause c[SEK_MAX_CAUSES];
  size_t n = 0;
  sek_error_classify(e, c, SEK_MAX_CAUSES, &n);
  assert_true(n >= 2);
  assert_string_equal(c[0].id, "biometry_set_changed");
  assert_string_equal(c[1].id, "keystore_policy_fault");
  assert_int_equal(c[0].action, SEK_ACTION_REENROLL_KEY);
  assert_int_equal(c[1].action, SEK_ACTION_REENROLL_KEY);
  assert_int_equal(c[0].permanent, SEK_PERMANENT_YES);
  /* the text says the key is .biometryAny: the OS fault comes first */
  sek_error_context ctx;
  memset(&ctx, 0, sizeof ctx);
  ctx.biometry_any = true;
  sek_error_classify_ctx(e, &ctx, c, SEK_MAX_CAUSES, &n);
  assert_string_equal(c[0].id, "keystore_policy_fault");
  sek_error_free(e);
}

static void test_context_changes_top_cause(void **state) {
  (void)state;
  sek_error *e = sek_error_new(SEK_DOMAIN_OSSTATUS, -25293, NULL);
  sek_cause c[SEK_MAX_CAUSES];
  size_t n;
  sek_error_context ctx;
  memset(&ctx, 0, sizeof ctx);
  sek_error_classify_ctx(e, &ctx, c, SEK_MAX_CAUSES, &n);
  assert_int_equal(c[0].action, SEK_ACTION_PROMPT_AGAIN); /* after a prompt: failed / lockout */
  ctx.simulator = true;
  sek_error_classify_ctx(e, &ctx, c, SEK_MAX_CAUSES, &n);
  assert_int_equal(c[0].action, SEK_ACTION_UNSUPPORTED_DEVICE);
  ctx.simulator = false;
  ctx.op = SEK_OP_GENERATE;
  sek_error_classify_ctx(e, &ctx, c, SEK_MAX_CAUSES, &n);
  assert_int_equal(c[0].action, SEK_ACTION_UNSUPPORTED_DEVICE);
  sek_error_free(e);
  e = sek_error_new(SEK_DOMAIN_OSSTATUS, -25300, NULL);
  ctx.op = SEK_OP_DELETE;
  sek_error_classify_ctx(e, &ctx, c, SEK_MAX_CAUSES, &n);
  assert_int_equal(c[0].action, SEK_ACTION_NONE);
  sek_error_free(e);
  /* the inner LA error is more specific than the outer OSStatus */
  e = sek_error_new(SEK_DOMAIN_OSSTATUS, -25293, NULL);
  sek_error_set_underlying(e, sek_error_new(SEK_DOMAIN_LA, -6, NULL));
  sek_error_classify(e, c, SEK_MAX_CAUSES, &n);
  assert_int_equal(c[0].action, SEK_ACTION_UNSUPPORTED_DEVICE);
  sek_error_free(e);
  /* an LA code no rule names falls back to what Security converts it into: -25293 */
  e = sek_error_new(SEK_DOMAIN_LA, -999, NULL);
  sek_error_classify(e, c, SEK_MAX_CAUSES, &n);
  assert_int_equal(c[0].action, SEK_ACTION_PROMPT_AGAIN);
  sek_error_free(e);
  e = sek_error_new("com.example", 42, NULL);
  sek_error_classify(e, c, SEK_MAX_CAUSES, &n);
  assert_int_equal(n, 1);
  assert_string_equal(c[0].id, "unknown_code");
  assert_int_equal(c[0].action, SEK_ACTION_UNKNOWN);
  sek_error_free(e);
}

/* ---- decoder --------------------------------------------------------------------------------- */

static const sek_decoded *decode_best(const char *text, sek_decode_result **r) {
  assert_int_equal(sek_decode(text, strlen(text), r), SEK_OK);
  return sek_decode_best(*r);
}

static void check_seed(const sek_decoded *d, bool with_aks) {
  assert_non_null(d);
  assert_string_equal(sek_error_domain(d->error), "CryptoTokenKit");
  assert_int_equal(sek_error_code(d->error), -3);
  assert_string_equal(sek_error_code_lookup("CryptoTokenKit", -3)->name,
                      "TKErrorCodeCorruptedData");
  assert_true(d->domain_read && d->code_read);
  assert_int_equal(d->causes[0].action, SEK_ACTION_REENROLL_KEY);
  assert_int_equal(d->causes[0].permanent, SEK_PERMANENT_YES);
  assert_int_equal(d->has_aks, with_aks);
  if (with_aks) {
    assert_int_equal(d->aks.hex, 0xe007c009u);
    assert_string_equal(d->aks.name, "kAKSReturnPolicyInvalid");
    assert_string_equal(d->operation, "sign");
    assert_string_equal(d->key_kind, "p256");
  }
}

static void test_seed_texts_decode(void **state) {
  (void)state;
  sek_decode_result *r = NULL;
  const sek_decoded *d = decode_best(SEED_NSERROR, &r);
  check_seed(d, true);
  assert_string_equal(d->key_id, "09457140cef6eace");
  assert_string_equal(d->form, "nserror");
  sek_decode_result_free(r);
  d = decode_best(SEED_REPORT, &r);
  check_seed(d, true);
  assert_string_equal(d->key_id, "1214c04d05261ee3");
  assert_int_equal(sek_decode_count(r), 1); /* four lines, one error */
  sek_decode_result_free(r);
  d = decode_best(SEED_LOCALIZED, &r);
  check_seed(d, false);
  sek_decode_result_free(r);
}

static void test_seed_thread_file(void **state) {
  (void)state;
  char *path = sek_test_shared_path("seed/devforums-secure-enclave-signing-failure.txt");
  if (path == NULL)
    skip(); /* ../shared is not part of a user's clone */
  size_t len = 0;
  char *text = sek_test_read_file(path, &len);
  free(path);
  assert_non_null(text);
  sek_decode_result *r = NULL;
  assert_int_equal(sek_decode(text, len, &r), SEK_OK);
  const sek_decoded *d = sek_decode_best(r);
  check_seed(d, true);
  /* the thread mentions .biometryCurrentSet and a biometric change: that cause ranks first */
  assert_string_equal(d->causes[0].id, "biometry_set_changed");
  for (size_t i = 0; i < sek_decode_count(r); i++)
    assert_int_equal(sek_decode_get(r, i)->causes[0].action, SEK_ACTION_REENROLL_KEY);
  sek_decode_result_free(r);
  free(text);
}

/* One row per form of design §4.2. */
static const struct {
  const char *form, *text, *domain;
  long code;
  sek_action action;
  const char *op;
} forms[] = {
    {"nserror", "Error Domain=NSOSStatusErrorDomain Code=-25300 \"errSecItemNotFound\"",
     SEK_DOMAIN_OSSTATUS, -25300, SEK_ACTION_REENROLL_KEY, ""},
    {"nested",
     "Error Domain=NSOSStatusErrorDomain Code=-128 \"(null)\" UserInfo={NSUnderlyingError="
     "0x1 {Error Domain=com.apple.LocalAuthentication Code=-2 \"Canceled by user.\"}}",
     SEK_DOMAIN_OSSTATUS, -128, SEK_ACTION_PROMPT_AGAIN, ""},
    {"legacy",
     "Error Domain=NSOSStatusErrorDomain Code=-25293 \"The operation couldn’t be "
     "completed. (OSStatus error -25293.)\" UserInfo=0x17d2b7c0 {NSUnderlyingError="
     "0x17e4ab10 \"The operation couldn’t be completed. (com.apple.LocalAuthentication "
     "error -6.)\"}",
     SEK_DOMAIN_OSSTATUS, -25293, SEK_ACTION_UNSUPPORTED_DEVICE, ""},
    {"insert",
     "Error Domain=NSOSStatusErrorDomain Code=-25308 \"errKCInteractionNotAllowed / "
     "errSecInteractionNotAllowed:  / Interaction is not allowed with the Security "
     "Server.\" (errKCInteractionNotAllowed / errSecInteractionNotAllowed:  / Interaction "
     "is not allowed with the Security Server.)",
     SEK_DOMAIN_OSSTATUS, -25308, SEK_ACTION_WAIT_FOR_UNLOCK, ""},
    {"log",
     "2023-05-01 10:22:13.456789+0200 0x1a2b  Error  0x0  123  0  MyApp: [com.example:key] "
     "SecKeyCreateSignature failed: Error Domain=CryptoTokenKit Code=-9 \"<sepk:p256 "
     "kid=ab12cd34>: authentication needed\" UserInfo={NSDebugDescription=<sepk:p256 "
     "kid=ab12cd34>: authentication needed}",
     SEK_DOMAIN_CTK, -9, SEK_ACTION_PROMPT_AGAIN, "sign"},
    {"nslog",
     "2016-08-01 12:00:00.000 MyApp[123:4567] keychain: SecItemCopyMatching failed: "
     "OSStatus error -34018",
     SEK_DOMAIN_OSSTATUS, -34018, SEK_ACTION_FIX_CONFIGURATION, "copy matching"},
    {"swift_print",
     "Optional(Error Domain=NSOSStatusErrorDomain Code=-25299 \"The specified item "
     "already exists in the keychain.\" UserInfo={NSDescription=The specified item "
     "already exists in the keychain.})",
     SEK_DOMAIN_OSSTATUS, -25299, SEK_ACTION_FIX_CONFIGURATION, ""},
    {"swift_dump",
     "▿ LAError(_nsError: Error Domain=com.apple.LocalAuthentication Code=-8 "
     "\"Biometry is locked out.\")\n  - _nsError: Error "
     "Domain=com.apple.LocalAuthentication Code=-8 \"Biometry is locked out.\"",
     SEK_DOMAIN_LA, -8, SEK_ACTION_PROMPT_AGAIN, ""},
    {"localized", "The operation couldn’t be completed. (com.apple.LocalAuthentication error -2.)",
     SEK_DOMAIN_LA, -2, SEK_ACTION_PROMPT_AGAIN, ""},
    {"bare_decimal", "-25308", SEK_DOMAIN_OSSTATUS, -25308, SEK_ACTION_WAIT_FOR_UNLOCK, ""},
    {"osstatus_prefix", "OSStatus -34018", SEK_DOMAIN_OSSTATUS, -34018,
     SEK_ACTION_FIX_CONFIGURATION, ""},
    {"bare_hex", "0xe007c009", SEK_DOMAIN_MACH, -536362999, SEK_ACTION_REENROLL_KEY, ""},
    {"hex_and_decimal", "e00002e2(-536870174)", SEK_DOMAIN_MACH, -536870174,
     SEK_ACTION_WAIT_FOR_UNLOCK, ""},
    {"rust",
     "Error { code: -25300, message: \"The specified item could not be found in the "
     "keychain.\" }",
     SEK_DOMAIN_OSSTATUS, -25300, SEK_ACTION_REENROLL_KEY, ""},
    {"rust_cferror",
     "CFError {\n    domain: \"CryptoTokenKit\",\n    code: -7,\n    "
     "description: \"token not found\",\n}",
     SEK_DOMAIN_CTK, -7, SEK_ACTION_UNSUPPORTED_DEVICE, ""},
    {"go", "keychain: &keychain.Error{Code:-25308, Message:\"User interaction is not allowed.\"}",
     SEK_DOMAIN_OSSTATUS, -25308, SEK_ACTION_WAIT_FOR_UNLOCK, ""},
    {"flutter", "PlatformException(-25293, Key generation failed, error -25293, null, null)",
     SEK_DOMAIN_OSSTATUS, -25293, SEK_ACTION_UNSUPPORTED_DEVICE, "generate key"},
    {"flutter_code", "PlatformException(LockedOut, Biometry is locked out., null, null)",
     SEK_DOMAIN_LA, -8, SEK_ACTION_PROMPT_AGAIN, ""},
    {"react_native",
     "{\"code\":\"EUNSPECIFIED\",\"message\":\"Error Domain=CryptoTokenKit Code=-7 "
     "\\\"(null)\\\"\",\"domain\":\"CryptoTokenKit\",\"userInfo\":null}",
     SEK_DOMAIN_CTK, -7, SEK_ACTION_UNSUPPORTED_DEVICE, ""},
    {"json", "{\"domain\": \"com.apple.LocalAuthentication\", \"code\": -1004}", SEK_DOMAIN_LA,
     -1004, SEK_ACTION_WAIT_FOR_UNLOCK, ""},
    {"errsec_name", "errSecInteractionNotAllowed", SEK_DOMAIN_OSSTATUS, -25308,
     SEK_ACTION_WAIT_FOR_UNLOCK, ""},
    {"kla_name", "kLAErrorUserCancel", SEK_DOMAIN_LA, -2, SEK_ACTION_PROMPT_AGAIN, ""},
    {"tk_name", "TKErrorCodeTokenNotFound", SEK_DOMAIN_CTK, -7, SEK_ACTION_UNSUPPORTED_DEVICE, ""},
    {"swift_case", "catch LAError.Code.biometryLockout", SEK_DOMAIN_LA, -8, SEK_ACTION_PROMPT_AGAIN,
     ""},
    {"dotnet_case", "SecStatusCode.MissingEntitlement", SEK_DOMAIN_OSSTATUS, -34018,
     SEK_ACTION_FIX_CONFIGURATION, ""},
    {"message", "The specified item already exists in the keychain.", SEK_DOMAIN_OSSTATUS, -25299,
     SEK_ACTION_FIX_CONFIGURATION, ""},
    {"acl_message",
     "Error Domain=com.apple.LocalAuthentication Code=-1009 \"ACL operation is not "
     "allowed: 'ock'\" UserInfo={NSDebugDescription=ACL operation is not allowed: "
     "'ock'}",
     SEK_DOMAIN_LA, -1009, SEK_ACTION_FIX_CONFIGURATION, "key exchange"},
    {"simulator",
     "on the iOS Simulator SecKeyCreateRandomKey fails: Error "
     "Domain=NSOSStatusErrorDomain Code=-25293 \"(null)\"",
     SEK_DOMAIN_OSSTATUS, -25293, SEK_ACTION_UNSUPPORTED_DEVICE, "generate key"},
    {"delete", "SecItemDelete returned -25300", SEK_DOMAIN_OSSTATUS, -25300, SEK_ACTION_NONE,
     "delete"},
    {"curly_quotes",
     "Error Domain=NSOSStatusErrorDomain Code=-50 “algid:sign:ECDSA:digest-X962: "
     "algorithm not supported by the key” UserInfo={NSDescription=x}",
     SEK_DOMAIN_OSSTATUS, -50, SEK_ACTION_FIX_CONFIGURATION, ""},
};

static void test_decoder_forms(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
    sek_decode_result *r = NULL;
    const sek_decoded *d = decode_best(forms[i].text, &r);
    if (d == NULL)
      fail_msg("%s: nothing decoded", forms[i].form);
    if (strcmp(sek_error_domain(d->error), forms[i].domain) != 0 ||
        sek_error_code(d->error) != forms[i].code || d->causes[0].action != forms[i].action ||
        strcmp(d->operation, forms[i].op) != 0)
      fail_msg("%s: got %s %ld %s op '%s'", forms[i].form, sek_error_domain(d->error),
               sek_error_code(d->error), sek_action_name(d->causes[0].action), d->operation);
    sek_decode_result_free(r);
  }
}

static void test_decoder_reports_what_it_could_not_read(void **state) {
  (void)state;
  sek_decode_result *r = NULL;
  const char *t = "MyApp: SecKeyCreateSignature: Error Domain=CryptoTokenKit Code=<private> "
                  "\"<private>\" UserInfo=<private>";
  const sek_decoded *d = decode_best(t, &r);
  assert_non_null(d);
  assert_string_equal(sek_error_domain(d->error), "CryptoTokenKit");
  assert_false(d->code_read);
  assert_int_equal(d->causes[0].action, SEK_ACTION_UNKNOWN);
  assert_true(d->num_unparsed >= 2);
  for (size_t i = 0; i < d->num_unparsed; i++)
    assert_true(d->unparsed[i].offset + d->unparsed[i].length <= strlen(t));
  sek_decode_result_free(r);
  t = "Error Domain=NSOSStatusErrorDomain Code=-25300 \"(null)\" UserInfo={NSDescription=cut";
  d = decode_best(t, &r);
  assert_int_equal(sek_error_code(d->error), -25300);
  assert_true(d->num_unparsed >= 1);
  sek_decode_result_free(r);
  t = "Error Domain= and nothing else";
  assert_int_equal(sek_decode(t, strlen(t), &r), SEK_OK);
  assert_int_equal(sek_decode_count(r), 0);
  assert_int_equal(sek_decode_unparsed_count(r), 1);
  sek_decode_result_free(r);
}

static void test_decoder_finds_every_error_in_an_excerpt(void **state) {
  (void)state;
  const char *t =
      "10:00:01 app[1:2] login ok, took 12 ms\n"
      "10:00:02 app[1:2] SecItemCopyMatching: OSStatus error -25300\n"
      "10:00:03 app[1:2] retrying at offset -1 in 3 s\n"
      "10:00:04 app[1:2] Error Domain=com.apple.LocalAuthentication Code=-2 \"Canceled by user.\"\n"
      "10:00:04 app[1:2] Error Domain=com.apple.LocalAuthentication Code=-2 \"Canceled by user.\"\n"
      "10:00:09 app[1:2] sign: Error Domain=CryptoTokenKit Code=-3 \"x\" "
      "UserInfo={AKSError=-536362999}\n";
  sek_decode_result *r = NULL;
  assert_int_equal(sek_decode(t, strlen(t), &r), SEK_OK);
  assert_int_equal(sek_decode_count(r), 3); /* the repeated line is one error; -1 is not one */
  assert_int_equal(sek_error_code(sek_decode_get(r, 0)->error), -25300);
  assert_int_equal(sek_error_code(sek_decode_get(r, 1)->error), -2);
  assert_int_equal(sek_error_code(sek_decode_get(r, 2)->error), -3);
  assert_int_equal(sek_error_code(sek_decode_best(r)->error), -3);
  sek_decode_result_free(r);
}

static void test_decoder_total_on_garbage(void **state) {
  (void)state;
  uint32_t x = 0x12345678u;
  char buf[2048];
  for (int round = 0; round < 200; round++) {
    size_t n = (size_t)(round * 10) % sizeof buf;
    for (size_t i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      static const char alphabet[] = "Error Domain=Code-0123456789\"{}, =x\n<private>UserInfo";
      buf[i] = (x & 0x100) ? (char)x : alphabet[x % (sizeof alphabet - 1)];
    }
    sek_decode_result *r = NULL;
    assert_int_equal(sek_decode(buf, n, &r), SEK_OK);
    for (size_t i = 0; i < sek_decode_count(r); i++) {
      const sek_decoded *d = sek_decode_get(r, i);
      assert_true(d->num_causes >= 1);
      assert_true(d->offset + d->length <= n);
    }
    sek_decode_result_free(r);
  }
  assert_int_equal(sek_decode(NULL, 0, NULL), SEK_ERR_ARG);
}

/* ---- the command ----------------------------------------------------------------------------- */

static void test_cli_json_fields(void **state) {
  (void)state;
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "%s/sek", SEK_BINARY_DIR);
  if (access(cmd, X_OK) != 0)
    skip(); /* built with SEK_BUILD_TOOLS=OFF */
  snprintf(cmd, sizeof cmd, "%s/sek decode --json '%s'", SEK_BINARY_DIR, SEED_NSERROR);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  char line[8192];
  assert_non_null(fgets(line, sizeof line, p));
  assert_int_equal(pclose(p), 0);
  cJSON *j = cJSON_Parse(line);
  assert_non_null(j);
  static const char *const fields[] = {"domain", "code",   "name",      "chain",
                                       "aks",    "key_id", "operation", "permanent",
                                       "action", "causes", "unparsed"};
  size_t count = 0;
  for (cJSON *f = j->child; f != NULL; f = f->next)
    count++;
  assert_int_equal(count, sizeof fields / sizeof fields[0]);
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    assert_non_null(cJSON_GetObjectItemCaseSensitive(j, fields[i]));
  assert_string_equal(cJSON_GetObjectItem(j, "domain")->valuestring, "CryptoTokenKit");
  assert_int_equal(cJSON_GetObjectItem(j, "code")->valueint, -3);
  assert_string_equal(cJSON_GetObjectItem(j, "name")->valuestring, "TKErrorCodeCorruptedData");
  assert_string_equal(cJSON_GetObjectItem(j, "action")->valuestring, "reenroll_key");
  assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "permanent")));
  cJSON *aks = cJSON_GetObjectItem(j, "aks");
  assert_string_equal(cJSON_GetObjectItem(aks, "hex")->valuestring, "0xe007c009");
  assert_string_equal(cJSON_GetObjectItem(aks, "name")->valuestring, "kAKSReturnPolicyInvalid");
  assert_int_equal(cJSON_GetObjectItem(aks, "subsystem")->valueint, 31);
  cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "causes"), 0);
  assert_non_null(cJSON_GetObjectItem(c0, "confidence"));
  cJSON_Delete(j);
  /* nothing to read: exit 1; a bad option: exit 2 */
  snprintf(cmd, sizeof cmd, "%s/sek decode 'hello world' 2>/dev/null", SEK_BINARY_DIR);
  p = popen(cmd, "r");
  assert_int_equal(WEXITSTATUS(pclose(p)), 1);
  snprintf(cmd, sizeof cmd, "%s/sek decode --bogus 2>/dev/null", SEK_BINARY_DIR);
  p = popen(cmd, "r");
  assert_int_equal(WEXITSTATUS(pclose(p)), 2);
}

static const struct CMUnitTest error_tests[] = {
    cmocka_unit_test(test_model_accessors_and_replace),
    cmocka_unit_test(test_model_rejects_bad_keys_and_nulls),
    cmocka_unit_test(test_model_entry_limit),
    cmocka_unit_test(test_model_chain_depth_cycle_and_ownership),
    cmocka_unit_test(test_format_seed_exactly),
    cmocka_unit_test(test_format_null_description_nested_and_data),
    cmocka_unit_test(test_parse_is_text_preserving),
    cmocka_unit_test(test_parse_reads_values),
    cmocka_unit_test(test_parse_rejects_with_reason_and_offset),
    cmocka_unit_test(test_parse_depth_limit),
    cmocka_unit_test(test_decoded_errors_print_and_reparse),
    cmocka_unit_test(test_tables_match_apple_facts),
    cmocka_unit_test(test_tables_rows_are_sourced_and_unique),
    cmocka_unit_test(test_osstatus_conversion_rules),
    cmocka_unit_test(test_aks_split_mach_layout),
    cmocka_unit_test(test_every_rule_fires_on_its_example),
    cmocka_unit_test(test_verdicts_of_emulator_errors),
    cmocka_unit_test(test_verdicts_match_emulator_table),
    cmocka_unit_test(test_seed_causes_ranked_with_context),
    cmocka_unit_test(test_context_changes_top_cause),
    cmocka_unit_test(test_seed_texts_decode),
    cmocka_unit_test(test_seed_thread_file),
    cmocka_unit_test(test_decoder_forms),
    cmocka_unit_test(test_decoder_reports_what_it_could_not_read),
    cmocka_unit_test(test_decoder_finds_every_error_in_an_excerpt),
    cmocka_unit_test(test_decoder_total_on_garbage),
    cmocka_unit_test(test_cli_json_fields),
};

SEK_TEST_MAIN(error_tests)
