/*
 * test_attrs.c: include/sek/attrs.h without the lint (that is test_lint.c): the value tree and
 * builder (ownership, limits, copy, equality, stable iteration), the name table, every syntax
 * form of the literal parser with its value, parse errors with their line:col and message, the
 * canonical printer and its round trips, access-control validation and description.
 */
#include "sek_test.h"

#include <math.h>

#include <cjson/cJSON.h>

#include <sek/attrs.h>

static sek_attrs *parse_ok(const char *text) {
  sek_attrs *a = NULL;
  sek_attrs_parse_error err;
  int st = sek_attrs_parse(text, strlen(text), &a, &err);
  if (st != SEK_OK)
    fail_msg("parse failed (%d) at %u:%u: %s\n%s", st, err.line, err.col, err.message, text);
  return a;
}

/* parse(print(a)) == a and print is a fixed point. */
static void assert_round_trip(const sek_attrs *a) {
  char *p1 = sek_attrs_print(a);
  assert_non_null(p1);
  sek_attrs *b = NULL;
  sek_attrs_parse_error err;
  int st = sek_attrs_parse(p1, strlen(p1), &b, &err);
  if (st != SEK_OK)
    fail_msg("canonical form does not parse at %u:%u: %s\n%s", err.line, err.col, err.message, p1);
  if (!sek_attrs_equal(a, b))
    fail_msg("parse(print(x)) != x:\n%s", p1);
  char *p2 = sek_attrs_print(b);
  assert_string_equal(p1, p2);
  free(p1);
  free(p2);
  sek_attrs_free(b);
}

/* ---- builder ---- */

static void builder_sets_and_gets_each_kind(void **state) {
  (void)state;
  sek_attrs *a = sek_attrs_new();
  assert_non_null(a);
  assert_int_equal(sek_attrs_count(a), 0);
  assert_int_equal(sek_attrs_set_string(a, "kSecAttrLabel", "a\0b", 3), SEK_OK);
  const uint8_t d[] = {0x00, 0xff};
  assert_int_equal(sek_attrs_set_data(a, "klbl", d, 2), SEK_OK);
  assert_int_equal(sek_attrs_set_number(a, "kSecAttrKeySizeInBits", 256), SEK_OK);
  assert_int_equal(sek_attrs_set_real(a, "esiz", 1.5), SEK_OK);
  assert_int_equal(sek_attrs_set_bool(a, "kSecAttrIsPermanent", true), SEK_OK);
  assert_int_equal(sek_attrs_set_date(a, "cdat", -12.25), SEK_OK);
  assert_int_equal(sek_attrs_set_constant(a, "kSecAttrKeyType", "kSecAttrKeyTypeEC"), SEK_OK);
  assert_int_equal(sek_attrs_set_constant(a, "kSecAttrTokenID", "kSecAttrTokenIDBogus"), SEK_OK);
  assert_int_equal(sek_attrs_set_access_control(a, "accc",
                                                "kSecAttrAccessibleWhenUnlockedThisDeviceOnly",
                                                SEK_AC_PRIVATE_KEY_USAGE | SEK_AC_BIOMETRY_ANY),
                   SEK_OK);
  assert_int_equal(sek_attrs_set_reference(a, "u_AuthCtx", "self.context", 12), SEK_OK);
  sek_attrs *child = sek_attrs_new();
  assert_int_equal(sek_attrs_set_bool(child, "perm", true), SEK_OK);
  assert_int_equal(sek_attrs_set_dict(a, "kSecPrivateKeyAttrs", child), SEK_OK);
  assert_int_equal(sek_attrs_count(a), 11);

  size_t len = 0;
  const sek_value *v = sek_attrs_get(a, "labl"); /* the raw key finds the name's entry */
  assert_int_equal(sek_value_kind_of(v), SEK_VALUE_STRING);
  assert_memory_equal(sek_value_string(v, &len), "a\0b", 3);
  assert_int_equal(len, 3);
  v = sek_attrs_get(a, "kSecAttrApplicationLabel");
  assert_int_equal(sek_value_kind_of(v), SEK_VALUE_DATA);
  assert_memory_equal(sek_value_data(v, &len), d, 2);
  assert_int_equal(sek_value_number(sek_attrs_get(a, "bsiz")), 256);
  assert_false(sek_value_is_real(sek_attrs_get(a, "bsiz")));
  assert_true(sek_value_is_real(sek_attrs_get(a, "esiz")));
  assert_true(sek_value_real(sek_attrs_get(a, "esiz")) == 1.5);
  assert_int_equal(sek_value_number(sek_attrs_get(a, "esiz")), 1);
  assert_true(sek_value_bool(sek_attrs_get(a, "perm")));
  assert_int_equal(sek_value_kind_of(sek_attrs_get(a, "cdat")), SEK_VALUE_DATE);
  assert_true(sek_value_real(sek_attrs_get(a, "cdat")) == -12.25);
  v = sek_attrs_get(a, "type");
  assert_string_equal(sek_value_string(v, NULL), "73"); /* stored raw */
  assert_true(sek_value_constant_known(v));
  v = sek_attrs_get(a, "tkid");
  assert_string_equal(sek_value_string(v, NULL), "kSecAttrTokenIDBogus"); /* kept as written */
  assert_false(sek_value_constant_known(v));
  v = sek_attrs_get(a, "kSecAttrAccessControl");
  assert_string_equal(sek_value_protection(v), "aku");
  assert_int_equal(sek_value_protection_kind(v), SEK_VALUE_CONSTANT);
  assert_int_equal(sek_value_ac_flags(v), SEK_AC_PRIVATE_KEY_USAGE | SEK_AC_BIOMETRY_ANY);
  v = sek_attrs_get(a, "kSecUseAuthenticationContext");
  assert_int_equal(sek_value_kind_of(v), SEK_VALUE_REFERENCE);
  assert_string_equal(sek_value_string(v, NULL), "self.context");
  const sek_attrs *priv = sek_value_dict(sek_attrs_get(a, "private"));
  assert_non_null(priv);
  assert_true(sek_value_bool(sek_attrs_get(priv, "kSecAttrIsPermanent")));

  /* getters of another kind give their empty answer */
  v = sek_attrs_get(a, "perm");
  assert_null(sek_value_string(v, NULL));
  assert_null(sek_value_data(v, NULL));
  assert_null(sek_value_dict(v));
  assert_null(sek_value_protection(v));
  assert_int_equal(sek_value_number(v), 0);
  assert_int_equal(sek_value_ac_flags(v), 0);
  assert_null(sek_attrs_get(a, "kSecAttrAccount"));
  assert_round_trip(a);
  sek_attrs_free(a);
}

static void builder_replaces_and_removes(void **state) {
  (void)state;
  sek_attrs *a = sek_attrs_new();
  assert_int_equal(sek_attrs_set_string(a, "kSecAttrLabel", "x", 1), SEK_OK);
  assert_int_equal(sek_attrs_set_bool(a, "labl", false), SEK_OK); /* same key, replaced */
  assert_int_equal(sek_attrs_count(a), 1);
  assert_int_equal(sek_value_kind_of(sek_attrs_get(a, "kSecAttrLabel")), SEK_VALUE_BOOL);
  assert_int_equal(sek_attrs_remove(a, "kSecAttrLabel"), SEK_OK);
  assert_int_equal(sek_attrs_remove(a, "labl"), SEK_ATTRS_ERR_NOT_FOUND);
  assert_int_equal(sek_attrs_count(a), 0);
  assert_int_equal(sek_attrs_entry(a, 0, NULL, NULL), SEK_ATTRS_ERR_NOT_FOUND);
  sek_attrs_free(a);
}

static void builder_iterates_sorted_whatever_the_order(void **state) {
  (void)state;
  const char *keys[] = {"kSecClass", "tkid", "klbl", "zzz", "bsiz", "private", "atag", "Apple"};
  const size_t n = sizeof keys / sizeof keys[0];
  sek_attrs *fw = sek_attrs_new(), *bw = sek_attrs_new();
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(sek_attrs_set_number(fw, keys[i], (int64_t)i), SEK_OK);
    assert_int_equal(sek_attrs_set_number(bw, keys[n - 1 - i], (int64_t)(n - 1 - i)), SEK_OK);
  }
  assert_true(sek_attrs_equal(fw, bw));
  const char *prev = NULL, *k;
  for (size_t i = 0; i < n; i++) {
    const char *k2;
    assert_int_equal(sek_attrs_entry(fw, i, &k, NULL), SEK_OK);
    assert_int_equal(sek_attrs_entry(bw, i, &k2, NULL), SEK_OK);
    assert_string_equal(k, k2);
    if (prev != NULL)
      assert_true(strcmp(prev, k) < 0);
    prev = k;
  }
  assert_int_equal(sek_attrs_entry(fw, 0, &k, NULL), SEK_OK);
  assert_string_equal(k, "Apple");
  /* a borrowed value stays valid while other keys come and go */
  const sek_value *v = sek_attrs_get(fw, "tkid");
  assert_int_equal(sek_attrs_set_bool(fw, "aaaa", true), SEK_OK);
  assert_int_equal(sek_attrs_remove(fw, "klbl"), SEK_OK);
  assert_ptr_equal(sek_attrs_get(fw, "tkid"), v);
  assert_int_equal(sek_value_number(v), 1);
  sek_attrs_free(fw);
  sek_attrs_free(bw);
}

static void builder_copy_and_equality(void **state) {
  (void)state;
  sek_attrs *a = parse_ok("[kSecAttrLabel: \"x\", kSecPrivateKeyAttrs: [perm: true, atag: <01>],\n"
                          " accc: SecAccessControlCreateWithFlags(nil, kSecAttrAccessibleAlways, "
                          "[.touchIDAny, .wat], nil)!]");
  sek_attrs *c = sek_attrs_copy(a);
  assert_true(sek_attrs_equal(a, c));
  unsigned l, col;
  sek_value_key_pos(sek_attrs_get(c, "labl"), &l, &col); /* the copy keeps positions */
  assert_int_equal(l, 1);
  assert_int_equal(col, 2);
  /* equality ignores positions: the same tree written elsewhere */
  sek_attrs *b = parse_ok("\n\n[ kSecPrivateKeyAttrs: [atag: <01>, perm: true], labl: \"x\",\n"
                          "accc: SecAccessControlCreateWithFlags(nil, \"dk\", .touchIDAny | .wat, "
                          "nil) ]");
  assert_true(sek_attrs_equal(a, b));
  /* each difference is seen, however deep */
  assert_int_equal(sek_attrs_set_string(c, "labl", "y", 1), SEK_OK);
  assert_false(sek_attrs_equal(a, c));
  sek_attrs_free(c);
  sek_attrs *d = parse_ok("[kSecAttrLabel: \"x\", kSecPrivateKeyAttrs: [perm: false, atag: <01>],"
                          " accc: SecAccessControlCreateWithFlags(nil, kSecAttrAccessibleAlways, "
                          "[.touchIDAny, .wat], nil)!]");
  assert_false(sek_attrs_equal(a, d));
  sek_attrs *e = parse_ok("[kSecAttrLabel: \"x\", kSecPrivateKeyAttrs: [perm: true, atag: <01>],"
                          " accc: SecAccessControlCreateWithFlags(nil, kSecAttrAccessibleAlways, "
                          "[.biometryAny, .wat], nil)!]"); /* spelling is part of the value */
  assert_false(sek_attrs_equal(a, e));
  assert_true(sek_attrs_equal(NULL, NULL));
  assert_false(sek_attrs_equal(a, NULL));
  assert_null(sek_attrs_copy(NULL));
  sek_attrs_free(a);
  sek_attrs_free(b);
  sek_attrs_free(d);
  sek_attrs_free(e);
}

static void builder_limits_are_errors(void **state) {
  (void)state;
  sek_attrs *a = sek_attrs_new();
  char key[32];
  for (int i = 0; i < SEK_ATTRS_MAX_ENTRIES; i++) {
    snprintf(key, sizeof key, "k%03d", i);
    assert_int_equal(sek_attrs_set_bool(a, key, true), SEK_OK);
  }
  assert_int_equal(sek_attrs_set_bool(a, "one-too-many", true), SEK_ATTRS_ERR_TOO_MANY);
  assert_int_equal(sek_attrs_set_bool(a, "k000", false), SEK_OK); /* a replacement still works */
  assert_int_equal(sek_attrs_count(a), SEK_ATTRS_MAX_ENTRIES);
  sek_attrs_free(a);

  /* depth: a chain of MAX_DEPTH dictionaries is fine, one more is refused (and freed) */
  sek_attrs *top = sek_attrs_new();
  for (int i = 1; i < SEK_ATTRS_MAX_DEPTH; i++) {
    sek_attrs *outer = sek_attrs_new();
    assert_int_equal(sek_attrs_set_dict(outer, "private", top), SEK_OK);
    top = outer;
  }
  sek_attrs *outer = sek_attrs_new();
  assert_int_equal(sek_attrs_set_dict(outer, "private", top), SEK_ATTRS_ERR_DEPTH);
  assert_int_equal(sek_attrs_count(outer), 0);
  sek_attrs_free(outer);

  a = sek_attrs_new();
  char *big = calloc(1, SEK_ATTRS_MAX_VALUE_LEN + 2);
  memset(big, 'x', SEK_ATTRS_MAX_VALUE_LEN + 1);
  assert_int_equal(sek_attrs_set_string(a, "labl", big, SEK_ATTRS_MAX_VALUE_LEN + 1),
                   SEK_ATTRS_ERR_TOO_LONG);
  assert_int_equal(sek_attrs_set_string(a, "labl", big, SEK_ATTRS_MAX_VALUE_LEN), SEK_OK);
  assert_int_equal(sek_attrs_set_bool(a, big, true), SEK_ATTRS_ERR_TOO_LONG);
  free(big);
  assert_int_equal(sek_attrs_set_bool(a, "", true), SEK_ATTRS_ERR_KEY);
  const char *unk[SEK_ATTRS_MAX_UNKNOWN_FLAGS + 1] = {"a", "b", "c", "d", "e", "f", "g", "h", "i"};
  assert_int_equal(
      sek_attrs_set_access_control_ex(a, "accc", "aku", 0, 0, unk, SEK_ATTRS_MAX_UNKNOWN_FLAGS + 1),
      SEK_ATTRS_ERR_TOO_MANY);
  assert_int_equal(sek_attrs_count(a), 1);
  sek_attrs_free(a);
}

static void builder_misuse(void **state) {
  (void)state;
  sek_attrs *a = sek_attrs_new();
  assert_int_equal(sek_attrs_set_bool(NULL, "perm", true), SEK_ERR_ARG);
  assert_int_equal(sek_attrs_set_bool(a, NULL, true), SEK_ERR_ARG);
  assert_int_equal(sek_attrs_set_string(a, "labl", NULL, 1), SEK_ERR_ARG);
  assert_int_equal(sek_attrs_set_string(a, "labl", NULL, 0), SEK_OK);
  assert_int_equal(sek_attrs_set_real(a, "esiz", NAN), SEK_ERR_ARG);
  assert_int_equal(sek_attrs_set_date(a, "cdat", INFINITY), SEK_ERR_ARG);
  assert_int_equal(sek_attrs_set_constant(a, "type", ""), SEK_ERR_ARG);
  assert_int_equal(sek_attrs_set_constant(a, "type", NULL), SEK_ERR_ARG);
  /* a reference is a variable path the parser reads back as one */
  assert_int_equal(sek_attrs_set_reference(a, "atag", "tag()", 5), SEK_ERR_ARG);
  assert_int_equal(sek_attrs_set_reference(a, "atag", "true", 4), SEK_ERR_ARG);
  assert_int_equal(sek_attrs_set_reference(a, "atag", "kSecFoo", 7), SEK_ERR_ARG);
  assert_int_equal(sek_attrs_set_reference(a, "atag", "a.data", 6), SEK_ERR_ARG);
  /* an unknown flag name must be a name and no known flag */
  const char *bad[] = {"biometryAny"}, *bad2[] = {"two words"};
  assert_int_equal(sek_attrs_set_access_control_ex(a, "accc", "aku", 0, 0, bad, 1), SEK_ERR_ARG);
  assert_int_equal(sek_attrs_set_access_control_ex(a, "accc", "aku", 0, 0, bad2, 1), SEK_ERR_ARG);
  assert_int_equal(sek_attrs_set_access_control(a, "accc", NULL, 0), SEK_ERR_ARG);
  /* set_dict takes the child in every case, except a dictionary into itself */
  assert_int_equal(sek_attrs_set_dict(a, "private", a), SEK_ERR_ARG);
  assert_int_equal(sek_attrs_set_dict(NULL, "private", sek_attrs_new()), SEK_ERR_ARG);
  assert_int_equal(sek_attrs_set_dict(a, "private", NULL), SEK_ERR_ARG);
  assert_int_equal(sek_attrs_remove(a, NULL), SEK_ERR_ARG);
  assert_null(sek_attrs_get(NULL, "perm"));
  assert_int_equal(sek_attrs_count(NULL), 0);
  assert_int_equal(sek_attrs_entry(NULL, 0, NULL, NULL), SEK_ERR_ARG);
  assert_int_equal(sek_value_kind_of(NULL), SEK_VALUE_STRING);
  assert_int_equal(sek_attrs_count(a), 1);
  assert_null(sek_attrs_print(NULL));
  sek_attrs_free(a);
  sek_attrs_free(NULL);
}

static void builder_special_values_round_trip(void **state) {
  (void)state;
  sek_attrs *a = sek_attrs_new();
  assert_int_equal(sek_attrs_set_string(a, "labl", "\"\\\n\t\r\x01\x7f\0\xe2\x82\xac\xff", 12),
                   SEK_OK);
  assert_int_equal(sek_attrs_set_data(a, "klbl", NULL, 0), SEK_OK);
  assert_int_equal(sek_attrs_set_number(a, "bsiz", INT64_MIN), SEK_OK);
  assert_int_equal(sek_attrs_set_number(a, "esiz", INT64_MAX), SEK_OK);
  assert_int_equal(sek_attrs_set_real(a, "crtr", 0.1), SEK_OK);
  assert_int_equal(sek_attrs_set_real(a, "sysb", -0.0), SEK_OK); /* stored as 0.0 */
  assert_int_equal(sek_attrs_set_real(a, "requestedSize", 1e300), SEK_OK);
  assert_int_equal(sek_attrs_set_date(a, "sdat", 4.9406564584124654e-324), SEK_OK);
  assert_int_equal(sek_attrs_set_date(a, "edat", 700000000.5), SEK_OK);
  assert_int_equal(sek_attrs_set_constant(a, "class", "not an identifier"), SEK_OK);
  assert_int_equal(sek_attrs_set_constant(a, "pdmn", "kSecAttrAccessibleSoon"), SEK_OK);
  assert_int_equal(sek_attrs_set_constant(a, "tkid", "kCFBooleanTrue"), SEK_OK); /* no Bool */
  assert_int_equal(sek_attrs_set_constant(a, "m_Limit", "m_LimitAll"), SEK_OK);
  assert_int_equal(sek_attrs_set_bool(a, "a key with spaces", true), SEK_OK);
  assert_int_equal(sek_attrs_set_bool(a, "kSecAttrNotAKey", true), SEK_OK);
  assert_int_equal(sek_attrs_set_bool(a, "String", true), SEK_OK);
  const char *unk[] = {"faceID", "init"};
  assert_int_equal(sek_attrs_set_access_control_ex(a, "accc", "not a class",
                                                   0x4u | SEK_AC_BIOMETRY_ANY | SEK_AC_COMPANION,
                                                   SEK_AC_COMPANION | SEK_AC_OR, unk, 1),
                   SEK_OK);
  /* only bits that are set and have a deprecated name keep a deprecated spelling */
  assert_int_equal(sek_value_ac_deprecated_spelling(sek_attrs_get(a, "accc")), SEK_AC_COMPANION);
  assert_int_equal(sek_value_ac_unknown_count(sek_attrs_get(a, "accc")), 1);
  assert_string_equal(sek_value_ac_unknown(sek_attrs_get(a, "accc"), 0), "faceID");
  assert_null(sek_value_ac_unknown(sek_attrs_get(a, "accc"), 1));
  sek_attrs *child = sek_attrs_new();
  assert_int_equal(sek_attrs_set_access_control(child, "accc", "kSecAttrKeyTypeRSA", 0), SEK_OK);
  assert_int_equal(sek_attrs_set_dict(a, "public", sek_attrs_new()), SEK_OK);
  assert_int_equal(sek_attrs_set_dict(a, "private", child), SEK_OK);
  assert_int_equal(sek_attrs_set_reference(a, "u_AuthCtx", "self.ctx", 8), SEK_OK);
  assert_round_trip(a);
  sek_attrs_free(a);
}

/* ---- the name table ---- */

static void name_table_rows(void **state) {
  (void)state;
  assert_true(sek_attrs_name_count() > 120);
  for (size_t i = 0; i < sek_attrs_name_count(); i++) {
    const sek_attrs_name *n = sek_attrs_name_at(i);
    assert_true(strncmp(n->name, "kSec", 4) == 0);
    assert_true(n->raw[0] != '\0' && n->source[0] != '\0');
    assert_true(n->deprecated == (n->replacement != NULL));
    if (n->role == SEK_NAME_KEY)
      assert_true(n->accepts & (1u << n->type));
    else
      assert_non_null(n->domain);
    for (size_t j = 0; j < i; j++)
      assert_string_not_equal(n->name, sek_attrs_name_at(j)->name);
    assert_ptr_equal(sek_attrs_name_lookup(n->name, n->role), n);
  }
  assert_null(sek_attrs_name_at(sek_attrs_name_count()));
  /* facts §6: a few raw strings */
  static const struct {
    const char *name, *raw;
    sek_name_role role;
  } facts[] = {
      {"kSecAttrApplicationLabel", "klbl", SEK_NAME_KEY},
      {"kSecAttrTokenIDSecureEnclave", "com.apple.setoken", SEK_NAME_CONSTANT},
      {"kSecAttrKeyTypeECSECPrimeRandom", "73", SEK_NAME_CONSTANT},
      {"kSecAttrKeyTypeEC", "73", SEK_NAME_CONSTANT},
      {"kSecClassKey", "keys", SEK_NAME_CONSTANT},
      {"kSecPrivateKeyAttrs", "private", SEK_NAME_KEY},
      {"kSecAttrAccessControl", "accc", SEK_NAME_KEY},
      {"kSecMatchLimit", "m_Limit", SEK_NAME_KEY},
      {"kSecReturnRef", "r_Ref", SEK_NAME_KEY},
      {"kSecUseOperationPrompt", "u_OpPrompt", SEK_NAME_KEY},
      {"kSecAttrAccessibleWhenPasscodeSetThisDeviceOnly", "akpu", SEK_NAME_CONSTANT},
  };
  for (size_t i = 0; i < sizeof facts / sizeof facts[0]; i++) {
    const sek_attrs_name *n = sek_attrs_name_lookup(facts[i].name, facts[i].role);
    assert_non_null(n);
    assert_string_equal(n->raw, facts[i].raw);
  }
  /* a raw string shared by two names gives the preferred one */
  assert_string_equal(sek_attrs_name_lookup("73", SEK_NAME_CONSTANT)->name,
                      "kSecAttrKeyTypeECSECPrimeRandom");
  assert_null(sek_attrs_name_lookup("klbl", SEK_NAME_CONSTANT));
  assert_null(sek_attrs_name_lookup(NULL, SEK_NAME_KEY));
  /* flag names */
  bool dep = false;
  assert_int_equal(sek_access_control_flag_lookup("touchIDAny", 10, &dep), SEK_AC_BIOMETRY_ANY);
  assert_true(dep);
  assert_int_equal(sek_access_control_flag_lookup("kSecAccessControlPrivateKeyUsage", 32, &dep),
                   SEK_AC_PRIVATE_KEY_USAGE);
  assert_false(dep);
  assert_int_equal(sek_access_control_flag_lookup("faceID", 6, NULL), 0);
  assert_string_equal(sek_access_control_flag_name(SEK_AC_COMPANION), "companion");
  assert_null(sek_access_control_flag_name(0x4));
  /* statuses have messages */
  for (int st = SEK_ATTRS_ERR_PARSE; st >= SEK_ATTRS_ERR_AC_FLAGS; st--)
    if (st < SEK_ATTRS_ERR_DUPLICATE && st > SEK_ATTRS_ERR_AC_PROTECTION)
      continue;
    else
      assert_string_not_equal(sek_strerror(st), "unknown attrs status");
}

/* ---- the parser: syntax forms ---- */

#include "seed_dicts.h"

static void parses_the_seed_dictionaries(void **state) {
  (void)state;
  sek_attrs *k = parse_ok(seed_keygen);
  assert_int_equal(sek_attrs_count(k), 5);
  assert_string_equal(sek_value_string(sek_attrs_get(k, "tkid"), NULL), "com.apple.setoken");
  assert_string_equal(sek_value_string(sek_attrs_get(k, "type"), NULL), "73");
  assert_int_equal(sek_value_number(sek_attrs_get(k, "bsiz")), 256);
  size_t len;
  assert_string_equal(sek_value_string(sek_attrs_get(k, "klbl"), &len), "unique label");
  const sek_attrs *priv = sek_value_dict(sek_attrs_get(k, "private"));
  assert_int_equal(sek_attrs_count(priv), 2);
  const sek_value *ac = sek_attrs_get(priv, "accc");
  assert_string_equal(sek_value_protection(ac), "aku");
  assert_int_equal(sek_value_ac_flags(ac), SEK_AC_BIOMETRY_ANY | SEK_AC_PRIVATE_KEY_USAGE);
  assert_int_equal(sek_value_ac_deprecated_spelling(ac), SEK_AC_BIOMETRY_ANY);
  unsigned l, c;
  sek_value_pos(ac, &l, &c);
  assert_int_equal(l, 6);
  assert_int_equal(c, 32);
  sek_value_key_pos(ac, &l, &c);
  assert_int_equal(l, 6);
  assert_int_equal(c, 9);
  assert_true(sek_value_bool(sek_attrs_get(priv, "perm")));
  assert_round_trip(k);

  sek_attrs *q = parse_ok(seed_query);
  assert_int_equal(sek_attrs_count(q), 6);
  assert_string_equal(sek_value_string(sek_attrs_get(q, "class"), NULL), "keys");
  assert_true(sek_value_bool(sek_attrs_get(q, "r_Ref")));
  assert_string_equal(sek_value_string(sek_attrs_get(q, "u_OpPrompt"), NULL),
                      "Verify your identity");
  assert_round_trip(q);

  /* the same text straight from the seed thread, when ../shared is there */
  char *path = sek_test_shared_path("seed/devforums-secure-enclave-signing-failure.txt");
  if (path != NULL) {
    char *text = sek_test_read_file(path, NULL);
    assert_non_null(text);
    const char *marks[2] = {"SecKeyCreateRandomKey() with the following parameters.\n",
                            "SecItemCopyMatching(…) with the following parameters:\n"};
    sek_attrs *want[2] = {k, q};
    for (int i = 0; i < 2; i++) {
      char *start = strstr(text, marks[i]);
      assert_non_null(start);
      start += strlen(marks[i]);
      char *end = strstr(start, "\n]\n");
      assert_non_null(end);
      sek_attrs *got = NULL;
      sek_attrs_parse_error err;
      assert_int_equal(sek_attrs_parse(start, (size_t)(end + 2 - start), &got, &err), SEK_OK);
      assert_true(sek_attrs_equal(got, want[i]));
      sek_attrs_free(got);
    }
    free(text);
    free(path);
  }
  sek_attrs_free(k);
  sek_attrs_free(q);
}

/* One value form per row, parsed as [kSecAttrLabel: VALUE] and checked by kind and text. */
typedef struct {
  const char *value;
  sek_value_kind kind;
  const char *bytes; /* STRING/DATA/CONSTANT/REFERENCE: expected bytes (hex for DATA) */
  int64_t number;    /* NUMBER (integer) / BOOL */
  size_t len;        /* bytes of bytes when it holds a NUL, else 0 (strlen) */
} value_row;

static const value_row value_rows[] = {
    {"\"plain\"", SEK_VALUE_STRING, "plain", 0, 0},
    {"\"esc \\\"q\\\" \\\\ \\n\\t\\r\\0 \\u{41}\\u{20AC} \\x41\\u0041 \\'\"", SEK_VALUE_STRING,
     "esc \"q\" \\ \n\t\r\0 A\xe2\x82\xac AA '", 0, 24},
    {"\"x\" as String", SEK_VALUE_STRING, "x", 0, 0},
    {"@\"objc\"", SEK_VALUE_STRING, "objc", 0, 0},
    {"NSString(string: \"y\")", SEK_VALUE_STRING, "y", 0, 0},
    {"256", SEK_VALUE_NUMBER, NULL, 256, 0},
    {"-5", SEK_VALUE_NUMBER, NULL, -5, 0},
    {"0x10", SEK_VALUE_NUMBER, NULL, 16, 0},
    {"0b101", SEK_VALUE_NUMBER, NULL, 5, 0},
    {"1_000", SEK_VALUE_NUMBER, NULL, 1000, 0},
    {"256 as CFNumber", SEK_VALUE_NUMBER, NULL, 256, 0},
    {"NSNumber(value: 256)", SEK_VALUE_NUMBER, NULL, 256, 0},
    {"Int32(7)", SEK_VALUE_NUMBER, NULL, 7, 0},
    {"@7", SEK_VALUE_NUMBER, NULL, 7, 0},
    {"@(7)", SEK_VALUE_NUMBER, NULL, 7, 0},
    {"256UL", SEK_VALUE_NUMBER, NULL, 256, 0},
    {"[NSNumber numberWithInt:256]", SEK_VALUE_NUMBER, NULL, 256, 0},
    {"-9223372036854775808", SEK_VALUE_NUMBER, NULL, INT64_MIN, 0},
    {"true", SEK_VALUE_BOOL, NULL, 1, 0},
    {"false", SEK_VALUE_BOOL, NULL, 0, 0},
    {"YES", SEK_VALUE_BOOL, NULL, 1, 0},
    {"@NO", SEK_VALUE_BOOL, NULL, 0, 0},
    {"kCFBooleanTrue", SEK_VALUE_BOOL, NULL, 1, 0},
    {"(id)kCFBooleanFalse", SEK_VALUE_BOOL, NULL, 0, 0},
    {"NSNumber(value: true)", SEK_VALUE_BOOL, NULL, 1, 0},
    {"[NSNumber numberWithBool:YES]", SEK_VALUE_BOOL, NULL, 1, 0},
    {"Data([0x01, 0x02, 255,])", SEK_VALUE_DATA, "0102ff", 0, 0},
    {"Data(bytes: [0x01], count: 1)", SEK_VALUE_DATA, "01", 0, 0},
    {"Data()", SEK_VALUE_DATA, "", 0, 0},
    {"Data(\"ab\".utf8)", SEK_VALUE_DATA, "6162", 0, 0},
    {"\"ab\".data(using: .utf8)!", SEK_VALUE_DATA, "6162", 0, 0},
    {"\"ab\".data(using: String.Encoding.utf8)!", SEK_VALUE_DATA, "6162", 0, 0},
    {"<0a0B 0c>", SEK_VALUE_DATA, "0a0b0c", 0, 0},
    {"<>", SEK_VALUE_DATA, "", 0, 0},
    {"[@\"ab\" dataUsingEncoding:NSUTF8StringEncoding]", SEK_VALUE_DATA, "6162", 0, 0},
    {"kSecAttrKeyTypeEC", SEK_VALUE_CONSTANT, "73", 0, 0},
    {"kSecAttrKeyTypeRSA as String", SEK_VALUE_CONSTANT, "42", 0, 0},
    {"(__bridge id)kSecAttrAccessibleWhenUnlocked", SEK_VALUE_CONSTANT, "ak", 0, 0},
    {"(__bridge NSString *)kSecClassKey", SEK_VALUE_CONSTANT, "keys", 0, 0},
    {"String(kSecClassKey)", SEK_VALUE_CONSTANT, "keys", 0, 0},
    {"kSecAttrKeyTypeFoo", SEK_VALUE_CONSTANT, "kSecAttrKeyTypeFoo", 0, 0},
    {"SecConstant(\"raw thing\")", SEK_VALUE_CONSTANT, "raw thing", 0, 0},
    {"tag", SEK_VALUE_REFERENCE, "tag", 0, 0},
    {"self.keyTag", SEK_VALUE_REFERENCE, "self.keyTag", 0, 0},
    {"tag.data(using: .utf8)!", SEK_VALUE_REFERENCE, "tag", 0, 0},
    {"UUID().uuidString", SEK_VALUE_REFERENCE, "UUID", 0, 0},
    {"(__bridge id)access", SEK_VALUE_REFERENCE, "access", 0, 0},
    {"Date(timeIntervalSinceReferenceDate: 12.5)", SEK_VALUE_DATE, NULL, 0, 0},
    {"[:]", SEK_VALUE_DICT, NULL, 0, 0},
    {"@{}", SEK_VALUE_DICT, NULL, 0, 0},
};

static void hex_of(const char *bytes, size_t len, char *out) {
  for (size_t i = 0; i < len; i++)
    sprintf(out + 2 * i, "%02x", (unsigned char)bytes[i]);
  out[2 * len] = '\0';
}

static void parses_each_value_form(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof value_rows / sizeof value_rows[0]; i++) {
    const value_row *r = &value_rows[i];
    char text[512];
    snprintf(text, sizeof text, "[kSecAttrLabel: %s]", r->value);
    sek_attrs *a = parse_ok(text);
    const sek_value *v = sek_attrs_get(a, "labl");
    if (sek_value_kind_of(v) != r->kind)
      fail_msg("%s: kind %d, expected %d", r->value, sek_value_kind_of(v), r->kind);
    size_t len = 0;
    char hex[256];
    switch (r->kind) {
    case SEK_VALUE_DATA: {
      const uint8_t *d = sek_value_data(v, &len);
      assert_non_null(d);
      hex_of((const char *)d, len, hex);
      if (strcmp(hex, r->bytes) != 0)
        fail_msg("%s: data %s, expected %s", r->value, hex, r->bytes);
      break;
    }
    case SEK_VALUE_STRING:
    case SEK_VALUE_CONSTANT:
    case SEK_VALUE_REFERENCE: {
      const char *s = sek_value_string(v, &len);
      if (len != (r->len ? r->len : strlen(r->bytes)))
        fail_msg("%s: %zu bytes", r->value, len);
      assert_memory_equal(s, r->bytes, len);
      break;
    }
    case SEK_VALUE_NUMBER: assert_int_equal(sek_value_number(v), r->number); break;
    case SEK_VALUE_BOOL: assert_int_equal(sek_value_bool(v), r->number != 0); break;
    case SEK_VALUE_DATE: assert_true(sek_value_real(v) == 12.5); break;
    case SEK_VALUE_DICT: assert_int_equal(sek_attrs_count(sek_value_dict(v)), 0); break;
    default: break;
    }
    assert_round_trip(a);
    sek_attrs_free(a);
  }
}

static void parses_reals_and_dates(void **state) {
  (void)state;
  sek_attrs *a = parse_ok("[esiz: 1.5, crtr: 1e3, sysb: Double(2), requestedSize: 2.5e-3,\n"
                          " cdat: Date(timeIntervalSince1970: 978307201),\n"
                          " mdat: Date(timeIntervalSinceReferenceDate: -1)]");
  assert_true(sek_value_real(sek_attrs_get(a, "esiz")) == 1.5);
  assert_true(sek_value_real(sek_attrs_get(a, "crtr")) == 1000.0);
  assert_true(sek_value_is_real(sek_attrs_get(a, "sysb")));
  assert_true(sek_value_real(sek_attrs_get(a, "requestedSize")) == 2.5e-3);
  assert_true(sek_value_real(sek_attrs_get(a, "cdat")) == 1.0); /* 1970 -> 2001 epoch */
  assert_true(sek_value_real(sek_attrs_get(a, "mdat")) == -1.0);
  assert_round_trip(a);
  sek_attrs_free(a);
}

static void parses_raw_keys_comments_and_trailing_commas(void **state) {
  (void)state;
  sek_attrs *a = parse_ok("/* a keychain dump */ [\n"
                          "  tkid: \"com.apple.setoken\", // the SE token\n"
                          "  bsiz: 256,\n"
                          "  \"klbl\": <01>,\n"
                          "  kSecAttrKeyType as String: kSecAttrKeyTypeEC as String,\n"
                          "  String(kSecClass): kSecClassKey,\n"
                          "]\n");
  assert_int_equal(sek_attrs_count(a), 5);
  assert_non_null(sek_attrs_get(a, "kSecAttrTokenID"));
  assert_non_null(sek_attrs_get(a, "kSecAttrKeySizeInBits"));
  assert_non_null(sek_attrs_get(a, "kSecAttrApplicationLabel"));
  assert_non_null(sek_attrs_get(a, "class"));
  assert_string_equal(sek_value_string(sek_attrs_get(a, "type"), NULL), "73");
  sek_attrs_free(a);
  /* a string key is its raw string: "kSecAttrLabel" is not labl */
  a = parse_ok("[\"kSecAttrLabel\": 1]");
  assert_null(sek_attrs_get(a, "labl"));
  const char *k;
  assert_int_equal(sek_attrs_entry(a, 0, &k, NULL), SEK_OK);
  assert_string_equal(k, "kSecAttrLabel");
  assert_round_trip(a);
  sek_attrs_free(a);
}

static void parses_objective_c(void **state) {
  (void)state;
  sek_attrs *a = parse_ok(
      "SecAccessControlRef access = SecAccessControlCreateWithFlags(kCFAllocatorDefault,\n"
      "    kSecAttrAccessibleWhenUnlockedThisDeviceOnly,\n"
      "    kSecAccessControlPrivateKeyUsage | kSecAccessControlBiometryCurrentSet, NULL);\n"
      "NSDictionary<NSString *, id> *attributes = @{\n"
      "    (id)kSecAttrKeyType: (id)kSecAttrKeyTypeECSECPrimeRandom,\n"
      "    (id)kSecAttrKeySizeInBits: @256,\n"
      "    (__bridge id)kSecAttrTokenID: (__bridge id)kSecAttrTokenIDSecureEnclave,\n"
      "    (id)kSecPrivateKeyAttrs: @{\n"
      "        (id)kSecAttrIsPermanent: @YES,\n"
      "        (id)kSecAttrApplicationTag: [@\"com.x\" dataUsingEncoding:NSUTF8StringEncoding],\n"
      "        (id)kSecAttrAccessControl: (__bridge id)access,\n"
      "    },\n"
      "};\n"
      "CFErrorRef error = NULL;\n"
      "SecKeyRef key = SecKeyCreateRandomKey((__bridge CFDictionaryRef)attributes, &error);\n");
  assert_int_equal(sek_attrs_count(a), 4);
  assert_int_equal(sek_value_number(sek_attrs_get(a, "bsiz")), 256);
  const sek_attrs *p = sek_value_dict(sek_attrs_get(a, "private"));
  assert_true(sek_value_bool(sek_attrs_get(p, "perm")));
  const sek_value *ac = sek_attrs_get(p, "accc");
  assert_int_equal(sek_value_kind_of(ac), SEK_VALUE_ACCESS_CONTROL);
  assert_int_equal(sek_value_ac_flags(ac), SEK_AC_PRIVATE_KEY_USAGE | SEK_AC_BIOMETRY_CURRENT_SET);
  size_t len;
  assert_memory_equal(sek_value_data(sek_attrs_get(p, "atag"), &len), "com.x", 5);
  sek_attrs_free(a);

  /* mutable dictionaries filled by messages and subscripts */
  a = parse_ok("NSMutableDictionary *q = [[NSMutableDictionary alloc] init];\n"
               "[q setObject:(id)kSecClassKey forKey:(id)kSecClass];\n"
               "q[(id)kSecReturnRef] = @YES;\n"
               "[q setValue:@\"lbl\" forKey:(__bridge NSString *)kSecAttrLabel];\n");
  assert_int_equal(sek_attrs_count(a), 3);
  assert_string_equal(sek_value_string(sek_attrs_get(a, "labl"), NULL), "lbl");
  sek_attrs_free(a);
}

static void parses_access_control_forms(void **state) {
  (void)state;
  static const struct {
    const char *call;
    uint32_t flags;
    const char *protection;
  } rows[] = {
      {"SecAccessControlCreateWithFlags(kCFAllocatorDefault, kSecAttrAccessibleWhenUnlocked, "
       "[.privateKeyUsage, .biometryAny], nil)!",
       SEK_AC_PRIVATE_KEY_USAGE | SEK_AC_BIOMETRY_ANY, "ak"},
      {"SecAccessControlCreateWithFlags(nil, kSecAttrAccessibleAfterFirstUnlock, .userPresence, "
       "&error)",
       SEK_AC_USER_PRESENCE, "ck"},
      {"SecAccessControlCreateWithFlags(NULL, kSecAttrAccessibleWhenPasscodeSetThisDeviceOnly, "
       "kSecAccessControlUserPresence | kSecAccessControlPrivateKeyUsage, NULL)",
       SEK_AC_USER_PRESENCE | SEK_AC_PRIVATE_KEY_USAGE, "akpu"},
      {"SecAccessControlCreateWithFlags(nil, kSecAttrAccessibleWhenUnlocked as CFString, [], nil)!",
       0, "ak"},
      {"SecAccessControlCreateWithFlags(nil, \"cku\" as CFString, [.init(rawValue: 0x40000000), "
       "SecAccessControlCreateFlags.or, .devicePasscode, .companion], nil)!",
       SEK_AC_PRIVATE_KEY_USAGE | SEK_AC_OR | SEK_AC_DEVICE_PASSCODE | SEK_AC_COMPANION, "cku"},
      {"SecAccessControlCreateWithFlags(nil, kSecAttrAccessibleAlways, "
       "SecAccessControlCreateFlags(rawValue: 3), nil)!",
       SEK_AC_USER_PRESENCE | SEK_AC_BIOMETRY_ANY, "dk"},
      {"SecAccessControlCreateWithFlags(nil, prot, 0, nil)!", 0, "prot"},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    char text[512];
    snprintf(text, sizeof text, "[accc: %s]", rows[i].call);
    sek_attrs *a = parse_ok(text);
    const sek_value *v = sek_attrs_get(a, "accc");
    assert_int_equal(sek_value_kind_of(v), SEK_VALUE_ACCESS_CONTROL);
    if (sek_value_ac_flags(v) != rows[i].flags)
      fail_msg("%s: flags 0x%x", rows[i].call, sek_value_ac_flags(v));
    assert_string_equal(sek_value_protection(v), rows[i].protection);
    assert_round_trip(a);
    sek_attrs_free(a);
  }
}

static void parses_access_control_bindings(void **state) {
  (void)state;
  sek_attrs *a = parse_ok(
      "let flags: SecAccessControlCreateFlags = [.privateKeyUsage, .touchIDAny]\n"
      "guard let access = SecAccessControlCreateWithFlags(nil,\n"
      "    kSecAttrAccessibleWhenUnlockedThisDeviceOnly, flags, &error) else { return nil }\n"
      "let other = SecAccessControlCreateWithFlags(nil, kSecAttrAccessibleWhenUnlocked,\n"
      "    [.faceID, .privateKeyUsage], nil)!\n"
      "let attrs = [kSecAttrAccessControl: access, kSecPublicKeyAttrs: [accc: other]]\n");
  const sek_value *v = sek_attrs_get(a, "accc");
  assert_int_equal(sek_value_ac_flags(v), SEK_AC_PRIVATE_KEY_USAGE | SEK_AC_BIOMETRY_ANY);
  assert_int_equal(sek_value_ac_deprecated_spelling(v), SEK_AC_BIOMETRY_ANY);
  unsigned l, c;
  sek_value_pos(v, &l, &c); /* where it is used */
  assert_int_equal(l, 6);
  assert_int_equal(c, 37);
  v = sek_attrs_get(sek_value_dict(sek_attrs_get(a, "public")), "accc");
  assert_int_equal(sek_value_ac_unknown_count(v), 1);
  assert_string_equal(sek_value_ac_unknown(v, 0), "faceID");
  assert_round_trip(a);
  sek_attrs_free(a);
}

static void parses_bindings_and_picks_the_last_dictionary(void **state) {
  (void)state;
  sek_attrs *a =
      parse_ok("import Security\n"
               "func makeKey() throws -> SecKey {\n"
               "  let tag = \"com.example.key\".data(using: .utf8)!\n"
               "  let privateAttrs: [String: Any] = [kSecAttrIsPermanent as String: true,\n"
               "                                     kSecAttrApplicationTag as String: tag]\n"
               "  let params: [String: Any] = [\n"
               "    kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,\n"
               "    kSecPrivateKeyAttrs as String: privateAttrs,\n"
               "    kSecAttrLabel as String: label,\n"
               "  ]\n"
               "  var error: Unmanaged<CFError>?\n"
               "  guard let key = SecKeyCreateRandomKey(params as CFDictionary, &error) else {\n"
               "    throw error!.takeRetainedValue() as Error\n"
               "  }\n"
               "  return key\n"
               "}\n");
  assert_int_equal(sek_attrs_count(a), 3);
  const sek_attrs *p = sek_value_dict(sek_attrs_get(a, "private"));
  size_t len;
  assert_memory_equal(sek_value_data(sek_attrs_get(p, "atag"), &len), "com.example.key", 15);
  assert_int_equal(sek_value_kind_of(sek_attrs_get(a, "labl")), SEK_VALUE_REFERENCE);
  sek_attrs_free(a);

  /* a dictionary passed straight to the call, and a Swift dictionary filled by subscripts */
  a = parse_ok("let status = SecItemCopyMatching([kSecClass: kSecClassKey,\n"
               "    kSecReturnRef: true] as CFDictionary, &item)\n");
  assert_int_equal(sek_attrs_count(a), 2);
  sek_attrs_free(a);
  a = parse_ok("var query = [String: Any]()\n"
               "query[kSecClass as String] = kSecClassKey\n"
               "query[kSecAttrApplicationTag as String] = \"t\".data(using: .utf8)!\n"
               "query[kSecClass as String] = kSecClassKey // set again: replaced\n"
               "let status = SecItemCopyMatching(query as CFDictionary, &item)\n");
  assert_int_equal(sek_attrs_count(a), 2);
  unsigned l, c;
  sek_value_key_pos(sek_attrs_get(a, "atag"), &l, &c);
  assert_int_equal(l, 3);
  assert_int_equal(c, 7);
  sek_attrs_free(a);
}

/* ---- the parser: errors ---- */

typedef struct {
  const char *text;
  int status;
  unsigned line, col;
  const char *message; /* a part of the message */
} error_row;

static const error_row error_rows[] = {
    {"", SEK_ATTRS_ERR_PARSE, 1, 1, "expected a dictionary literal"},
    {"let x = 5\n", SEK_ATTRS_ERR_PARSE, 2, 1, "expected a dictionary literal"},
    {"[kSecClass kSecClassKey]", SEK_ATTRS_ERR_PARSE, 1, 12,
     "expected ':' after the key 'kSecClass'"},
    {"[\n  kSecClass: kSecClassKey\n  kSecReturnRef: true\n]", SEK_ATTRS_ERR_PARSE, 3, 3,
     "expected ',' or ']' after the value of 'kSecClass'"},
    {"[kSecAttrLabel: \"abc]", SEK_ATTRS_ERR_PARSE, 1, 17, "unterminated string"},
    {"[kSecAttrLabel: \"a\\qb\"]", SEK_ATTRS_ERR_PARSE, 1, 19, "invalid escape \\q"},
    {"[kSecAttrLabel: \"\\u{D800}\"]", SEK_ATTRS_ERR_PARSE, 1, 18, "not a Unicode scalar"},
    {"[klbl: <0a0>]", SEK_ATTRS_ERR_PARSE, 1, 12, "odd number of hex digits"},
    {"[klbl: <0z>]", SEK_ATTRS_ERR_PARSE, 1, 10, "expected a hex digit"},
    {"[klbl: <0a", SEK_ATTRS_ERR_PARSE, 1, 8, "unterminated data"},
    {"[kSecClass: kSecClassKey,\n kSecClass: kSecClassKey]", SEK_ATTRS_ERR_DUPLICATE, 2, 2,
     "duplicate key 'kSecClass' (first at 1:2)"},
    {"[labl: 1, kSecAttrLabel: 2]", SEK_ATTRS_ERR_DUPLICATE, 1, 11, "duplicate key"},
    {"[kSecAttrLabel: ]", SEK_ATTRS_ERR_PARSE, 1, 17, "expected a value"},
    {"[kSecAttrLabel: nil]", SEK_ATTRS_ERR_PARSE, 1, 17, "nil cannot be stored"},
    {"[bsiz: 99999999999999999999]", SEK_ATTRS_ERR_PARSE, 1, 8, "out of range"},
    {"[bsiz: 0x1G]", SEK_ATTRS_ERR_PARSE, 1, 8, "invalid digit 'G'"},
    {"[bsiz: 1.5e999]", SEK_ATTRS_ERR_PARSE, 1, 8, "finite real"},
    {"[labl: 1] /* open", SEK_ATTRS_ERR_PARSE, 1, 11, "unterminated comment"},
    {"[kSecAttrLabel: \"x\"", SEK_ATTRS_ERR_PARSE, 1, 20,
     "expected ']' closing the dictionary opened at 1:1"},
    {"@{ (id)kSecClass: (id)kSecClassKey ]", SEK_ATTRS_ERR_PARSE, 1, 36, "expected ',' or '}'"},
    {"[]", SEK_ATTRS_ERR_PARSE, 1, 1, "[] is an empty array"},
    {"[kSecAttrLabel: [.privateKeyUsage]]", SEK_ATTRS_ERR_PARSE, 1, 17, "flag list"},
    {"[accc: SecAccessControlCreateWithFlags(nil, kSecAttrAccessibleWhenUnlocked [.or], nil)]",
     SEK_ATTRS_ERR_PARSE, 1, 76, "expected ',' after the protection class"},
    {"[accc: SecAccessControlCreateWithFlags(nil, true, [.or], nil)]", SEK_ATTRS_ERR_PARSE, 1, 45,
     "expected a protection class"},
    {"[accc: SecAccessControlCreateWithFlags(nil, kSecAttrAccessibleWhenUnlocked, [.or, 7.5], "
     "nil)]",
     SEK_ATTRS_ERR_PARSE, 1, 83, "32-bit flags"},
    {"[klbl: Data(base64Encoded: \"AA==\")!]", SEK_ATTRS_ERR_PARSE, 1, 13,
     "unsupported Data initializer"},
    {"[klbl: Data([256])]", SEK_ATTRS_ERR_PARSE, 1, 14, "expected a byte"},
    {"[labl: \"x\".count]", SEK_ATTRS_ERR_PARSE, 1, 12, "unsupported member '.count'"},
    {"[labl: [NSDate date]]", SEK_ATTRS_ERR_PARSE, 1, 16, "expected dataUsingEncoding"},
    {"[labl: 1] garbage here", SEK_ATTRS_ERR_PARSE, 1, 11, "expected the end of the dictionary"},
    {"[labl: x.y(", SEK_ATTRS_ERR_PARSE, 1, 11, "unbalanced '('"},
    {"[\"\": 1]", SEK_ATTRS_ERR_KEY, 1, 2, "expected a key"},
};

static void reports_errors_with_position_and_expectation(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof error_rows / sizeof error_rows[0]; i++) {
    const error_row *r = &error_rows[i];
    sek_attrs *a = (sek_attrs *)(uintptr_t)1; /* must stay untouched */
    sek_attrs_parse_error err;
    int st = sek_attrs_parse(r->text, strlen(r->text), &a, &err);
    if (st != r->status || err.line != r->line || err.col != r->col ||
        strstr(err.message, r->message) == NULL)
      fail_msg("%s\n  got %d at %u:%u: %s\n  want %d at %u:%u: …%s…", r->text, st, err.line,
               err.col, err.message, r->status, r->line, r->col, r->message);
    assert_ptr_equal(a, (sek_attrs *)(uintptr_t)1);
  }
}

static void limits_are_parse_errors(void **state) {
  (void)state;
  sek_attrs *a = NULL;
  sek_attrs_parse_error err;
  /* depth: MAX_DEPTH levels parse, one more is refused */
  char deep[512] = "";
  for (int i = 0; i <= SEK_ATTRS_MAX_DEPTH; i++)
    strcat(deep, "[private: ");
  strcat(deep, "1");
  for (int i = 0; i <= SEK_ATTRS_MAX_DEPTH; i++)
    strcat(deep, "]");
  assert_int_equal(sek_attrs_parse(deep, strlen(deep), &a, &err), SEK_ATTRS_ERR_DEPTH);
  assert_non_null(strstr(err.message, "nested more than"));
  const char *ok = deep + strlen("[private: ");
  assert_int_equal(sek_attrs_parse(ok, strlen(ok) - 1, &a, &err), SEK_OK);
  sek_attrs_free(a);
  /* entries */
  size_t cap = 16 * (SEK_ATTRS_MAX_ENTRIES + 2);
  char *many = malloc(cap);
  size_t n = 0;
  many[n++] = '[';
  for (int i = 0; i <= SEK_ATTRS_MAX_ENTRIES; i++)
    n += (size_t)snprintf(many + n, cap - n, "\"k%d\": 1,", i);
  many[n++] = ']';
  assert_int_equal(sek_attrs_parse(many, n, &a, &err), SEK_ATTRS_ERR_TOO_MANY);
  free(many);
  /* input size */
  size_t big = SEK_ATTRS_MAX_INPUT_LEN + 1;
  char *huge = malloc(big);
  memset(huge, ' ', big);
  assert_int_equal(sek_attrs_parse(huge, big, &a, &err), SEK_ATTRS_ERR_TOO_LONG);
  assert_int_equal(err.line, 1);
  free(huge);
  /* a bound dictionary re-used until the value budget runs out: an error, not a blow-up */
  char chain[4096] = "let a0 = [\"k\": 1, \"l\": 2, \"m\": 3, \"n\": 4]\n";
  for (int i = 1; i < 12; i++) {
    char line[128];
    snprintf(line, sizeof line, "let a%d = [\"k\": a%d, \"l\": a%d, \"m\": a%d, \"n\": a%d]\n", i,
             i - 1, i - 1, i - 1, i - 1);
    strcat(chain, line);
  }
  assert_int_equal(sek_attrs_parse(chain, strlen(chain), &a, &err), SEK_ATTRS_ERR_TOO_MANY);
  assert_non_null(strstr(err.message, "expands to more than"));
  /* expressions nested without dictionaries */
  char paren[1024] = "[labl: ";
  for (int i = 0; i < 100; i++)
    strcat(paren, "(");
  strcat(paren, "1");
  for (int i = 0; i < 100; i++)
    strcat(paren, ")");
  strcat(paren, "]");
  assert_int_equal(sek_attrs_parse(paren, strlen(paren), &a, &err), SEK_ATTRS_ERR_DEPTH);
  /* misuse */
  assert_int_equal(sek_attrs_parse(NULL, 1, &a, &err), SEK_ERR_ARG);
  assert_int_equal(sek_attrs_parse("[:]", 3, NULL, &err), SEK_ERR_ARG);
  assert_int_equal(sek_attrs_parse("[:]", 3, &a, NULL), SEK_OK); /* err is optional */
  sek_attrs_free(a);
}

/* ---- the printer ---- */

static void prints_the_canonical_form(void **state) {
  (void)state;
  sek_attrs *a = parse_ok(seed_keygen);
  char *p = sek_attrs_print(a);
  assert_string_equal(
      p, "[\n"
         "  kSecAttrKeySizeInBits: 256,\n"
         "  kSecAttrApplicationLabel: \"unique label\",\n"
         "  kSecPrivateKeyAttrs: [\n"
         "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
         "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.touchIDAny, .privateKeyUsage], nil)!,\n"
         "    kSecAttrIsPermanent: true,\n"
         "  ],\n"
         "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
         "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
         "]\n");
  free(p);
  sek_attrs_free(a);
  a = sek_attrs_new();
  p = sek_attrs_print(a);
  assert_string_equal(p, "[:]\n");
  free(p);
  sek_attrs_free(a);
}

static void corpus_round_trips(void **state) {
  (void)state;
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/corpus/attrs", SEK_SOURCE_DIR);
  char cmd[4200];
  snprintf(cmd, sizeof cmd, "ls '%s'", dir);
  FILE *ls = popen(cmd, "r");
  assert_non_null(ls);
  char name[256];
  size_t parsed = 0, total = 0;
  while (fgets(name, sizeof name, ls) != NULL) {
    name[strcspn(name, "\n")] = '\0';
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t len;
    char *text = sek_test_read_file(path, &len);
    assert_non_null(text);
    total++;
    sek_attrs *a = NULL;
    sek_attrs_parse_error err;
    if (sek_attrs_parse(text, len, &a, &err) == SEK_OK) {
      assert_round_trip(a);
      parsed++;
    } else {
      assert_true(err.line >= 1 && err.col >= 1);
    }
    sek_attrs_free(a);
    free(text);
  }
  pclose(ls);
  /* The 85 hand-written seeds are among them (6 are parse errors on purpose); the rest came
   * from fuzzing campaigns (ci/fuzz, merged) and are mostly not valid literals. */
  assert_true(total >= 85);
  assert_true(parsed >= 79);
}

static void prints_json(void **state) {
  (void)state;
  sek_attrs *a =
      parse_ok("[klbl: \"\\xff\", bsiz: 256, accc: SecAccessControlCreateWithFlags(nil, "
               "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage], nil)]");
  char *j = sek_attrs_print_json(a);
  cJSON *root = cJSON_Parse(j);
  assert_non_null(root);
  cJSON *klbl = cJSON_GetObjectItem(root, "klbl");
  assert_string_equal(cJSON_GetObjectItem(klbl, "type")->valuestring, "string");
  assert_string_equal(cJSON_GetObjectItem(klbl, "value")->valuestring, "\xef\xbf\xbd"); /* U+FFFD */
  assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "bsiz"), "value")->valueint, 256);
  cJSON *ac = cJSON_GetObjectItem(root, "accc");
  assert_string_equal(cJSON_GetObjectItem(ac, "protection")->valuestring, "aku");
  assert_non_null(strstr(cJSON_GetObjectItem(ac, "description")->valuestring, "osgn(true)"));
  cJSON_Delete(root);
  free(j);
  sek_attrs_free(a);
}

/* ---- access control ---- */

static void access_control_check_is_apples(void **state) {
  (void)state;
  static const struct {
    const char *protection;
    uint32_t flags;
    int status;
    const char *reason;
  } rows[] = {
      {"aku", SEK_AC_PRIVATE_KEY_USAGE | SEK_AC_BIOMETRY_ANY, SEK_OK, NULL},
      {"akpu", SEK_AC_USER_PRESENCE | SEK_AC_PRIVATE_KEY_USAGE | SEK_AC_APPLICATION_PASSWORD,
       SEK_OK, NULL},
      {"f", 0, SEK_OK, NULL},
      {"kSecAttrAccessibleAfterFirstUnlock", SEK_AC_DEVICE_PASSCODE, SEK_OK, NULL},
      {"dk", 0x4u, SEK_OK, NULL}, /* unknown bits are ignored by Apple */
      {"xx", 0, SEK_ATTRS_ERR_AC_PROTECTION, "SecAccessControl: invalid protection"},
      {"kSecAttrTokenIDSecureEnclave", 0, SEK_ATTRS_ERR_AC_PROTECTION, "invalid protection"},
      {"aku", SEK_AC_OR | SEK_AC_AND | SEK_AC_BIOMETRY_ANY | SEK_AC_DEVICE_PASSCODE,
       SEK_ATTRS_ERR_AC_LOGICAL, "only one logical operation can be set"},
      {"aku", SEK_AC_BIOMETRY_ANY | SEK_AC_BIOMETRY_CURRENT_SET, SEK_ATTRS_ERR_AC_BIO,
       "only one bio constraint can be set"},
      {"aku", SEK_AC_USER_PRESENCE | SEK_AC_DEVICE_PASSCODE, SEK_ATTRS_ERR_AC_PRESENCE,
       "user presence"},
      {"aku", SEK_AC_USER_PRESENCE | SEK_AC_OR, SEK_ATTRS_ERR_AC_PRESENCE, "user presence"},
      /* Apple's order: the protection first */
      {"xx", SEK_AC_OR | SEK_AC_AND, SEK_ATTRS_ERR_AC_PROTECTION, "invalid protection"},
      {"aku", SEK_AC_OR | SEK_AC_AND | SEK_AC_BIOMETRY_ANY | SEK_AC_BIOMETRY_CURRENT_SET,
       SEK_ATTRS_ERR_AC_LOGICAL, "logical"},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    const char *reason = NULL;
    int st = sek_access_control_check(rows[i].protection, rows[i].flags, &reason);
    if (st != rows[i].status)
      fail_msg("%s 0x%x: %d, expected %d", rows[i].protection, rows[i].flags, st, rows[i].status);
    if (rows[i].reason == NULL)
      assert_null(reason);
    else
      assert_non_null(strstr(reason, rows[i].reason));
  }
  assert_int_equal(sek_access_control_check(NULL, 0, NULL), SEK_ERR_ARG);
  assert_int_equal(sek_access_control_check("xx", 0, NULL), SEK_ATTRS_ERR_AC_PROTECTION);
}

static void access_control_describes_like_apple(void **state) {
  (void)state;
  static const struct {
    const char *protection;
    uint32_t flags;
    const char *text;
  } rows[] = {
      /* the shape of the SE-key ACL printed in [FORUM-769762] */
      {"akpu", SEK_AC_PRIVATE_KEY_USAGE | SEK_AC_BIOMETRY_ANY,
       "<SecAccessControlRef: akpu;ock(cbio(pbioc()));odel(true);osgn(cbio(pbioc()))>"},
      {"aku", SEK_AC_PRIVATE_KEY_USAGE,
       "<SecAccessControlRef: aku;ock(true);odel(true);osgn(true)>"},
      {"ak", SEK_AC_USER_PRESENCE,
       "<SecAccessControlRef: ak;od(cpo(DeviceOwnerAuthentication));odel(true);oe(true)>"},
      {"kSecAttrAccessibleAfterFirstUnlock", 0, "<SecAccessControlRef: ck;dacl(true)>"},
      {"aku",
       SEK_AC_PRIVATE_KEY_USAGE | SEK_AC_BIOMETRY_CURRENT_SET | SEK_AC_DEVICE_PASSCODE | SEK_AC_OR,
       "<SecAccessControlRef: aku;ock(kofn(pkofn(1)cbio(pbioc()pbioh())cup(true)));odel(true);"
       "osgn(kofn(pkofn(1)cbio(pbioc()pbioh())cup(true)))>"},
      {"aku", SEK_AC_BIOMETRY_ANY | SEK_AC_DEVICE_PASSCODE,
       "<SecAccessControlRef: aku;od(kofn(pkofn(2)cbio(pbioc())cup(true)));odel(true);oe(true)>"},
      {"aku", SEK_AC_BIOMETRY_ANY | SEK_AC_BIOMETRY_CURRENT_SET,
       "<SecAccessControlRef: <invalid: only one bio constraint can be set>>"},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    char *d = sek_access_control_describe(rows[i].protection, rows[i].flags);
    assert_non_null(d);
    assert_string_equal(d, rows[i].text);
    free(d);
  }
  assert_null(sek_access_control_describe(NULL, 0));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(builder_sets_and_gets_each_kind),
    cmocka_unit_test(builder_replaces_and_removes),
    cmocka_unit_test(builder_iterates_sorted_whatever_the_order),
    cmocka_unit_test(builder_copy_and_equality),
    cmocka_unit_test(builder_limits_are_errors),
    cmocka_unit_test(builder_misuse),
    cmocka_unit_test(builder_special_values_round_trip),
    cmocka_unit_test(name_table_rows),
    cmocka_unit_test(parses_the_seed_dictionaries),
    cmocka_unit_test(parses_each_value_form),
    cmocka_unit_test(parses_reals_and_dates),
    cmocka_unit_test(parses_raw_keys_comments_and_trailing_commas),
    cmocka_unit_test(parses_objective_c),
    cmocka_unit_test(parses_access_control_forms),
    cmocka_unit_test(parses_access_control_bindings),
    cmocka_unit_test(parses_bindings_and_picks_the_last_dictionary),
    cmocka_unit_test(reports_errors_with_position_and_expectation),
    cmocka_unit_test(limits_are_parse_errors),
    cmocka_unit_test(prints_the_canonical_form),
    cmocka_unit_test(corpus_round_trips),
    cmocka_unit_test(prints_json),
    cmocka_unit_test(access_control_check_is_apples),
    cmocka_unit_test(access_control_describes_like_apple),
};

SEK_TEST_MAIN(tests)
