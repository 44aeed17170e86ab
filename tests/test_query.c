/*
 * test_query: SecItemCopyMatching / SecItemDelete query semantics (include/sek/query.h):
 * compiling (what Security refuses and with which code), match limits, returns, the implicit
 * sync term, value conversions, the brute-force matcher, SHA-1 column encoding, row attributes.
 */
#include "sek_test.h"

#include <openssl/evp.h>

#include <sek/query.h>

static sek_attrs *parse(const char *text) {
  sek_attrs *a = NULL;
  sek_attrs_parse_error pe;
  if (sek_attrs_parse(text, strlen(text), &a, &pe) != SEK_OK)
    fail_msg("literal does not parse at %u:%u: %s\n%s", pe.line, pe.col, pe.message, text);
  return a;
}

static int compile(const char *text, sek_query_op op, sek_query **q, sek_error **err) {
  sek_attrs *a = parse(text);
  *q = NULL;
  int st = sek_query_compile(a, op, q, err);
  sek_attrs_free(a);
  return st;
}

/* Valid queries and what they compile to. */
static const struct {
  const char *literal;
  size_t limit;
  unsigned returns;
  size_t terms; /* including the implicit sync = 0 */
  const char *cls;
} valid[] = {
    {"[kSecClass: kSecClassKey]", 1, 0, 1, "keys"}, /* kSecMatchLimitOne is the default */
    {"[kSecClass: kSecClassKey, kSecMatchLimit: kSecMatchLimitAll]", SIZE_MAX, 0, 1, "keys"},
    {"[kSecClass: kSecClassKey, kSecMatchLimit: 3]", 3, 0, 1, "keys"},
    {"[kSecClass: kSecClassKey, kSecReturnRef: true, kSecReturnAttributes: true, "
     "kSecReturnData: false]",
     1, SEK_RETURN_REF | SEK_RETURN_ATTRIBUTES, 1, "keys"},
    {"[kSecClass: kSecClassKey, kSecReturnPersistentRef: 1, kSecReturnData: true]", 1,
     SEK_RETURN_PERSISTENT_REF | SEK_RETURN_DATA, 1, "keys"},
    /* the seed's query: type, size, label are terms; the prompt is a use option */
    {"[kSecClass: kSecClassKey, kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom, "
     "kSecAttrKeySizeInBits: 256, kSecReturnRef: true, kSecUseOperationPrompt: \"Verify\", "
     "kSecAttrApplicationLabel: \"unique label\"]",
     1, SEK_RETURN_REF, 4, "keys"},
    {"[kSecClass: kSecClassKey, kSecAttrSynchronizable: kSecAttrSynchronizableAny]", 1, 0, 1,
     "keys"},
    {"[kSecClass: kSecClassKey, kSecAttrSynchronizable: true]", 1, 0, 1, "keys"},
    {"[kSecClass: kSecClassGenericPassword]", 1, 0, 1, "genp"},
    {"[kSecClass: kSecClassKey, kSecAttrKeyClass: kSecAttrKeyClassPrivate, kSecAttrCanSign: "
     "true, kSecAttrTokenID: kSecAttrTokenIDSecureEnclave, kSecAttrAccessible: "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, kSecUseAuthenticationContext: ctx, "
     "kSecUseDataProtectionKeychain: true]",
     1, 0, 5, "keys"},
    {"[kSecClass: kSecClassKey, kSecAttrCreationDate: 644198401.5, kSecAttrApplicationTag: "
     "Data([1, 2])]",
     1, 0, 3, "keys"},
};

/* Queries Security refuses, each with the code and why. */
static const struct {
  const char *literal;
  sek_query_op op;
  long code;
  const char *why;
} invalid[] = {
    {"[kSecAttrApplicationLabel: \"x\"]", SEK_QUERY_COPY, -50, "no class (errSecItemClassMissing)"},
    {"[kSecClass: 5]", SEK_QUERY_COPY, -50, "a class that is not a string or constant"},
    {"[kSecClass: \"nope\"]", SEK_QUERY_COPY, -25306, "an unknown class (errSecNoSuchClass)"},
    {"[kSecClass: kSecClassKey, kSecAttrAccount: \"bob\"]", SEK_QUERY_COPY, -25303,
     "an attribute keys do not have (errSecNoSuchAttr)"},
    {"[kSecClass: kSecClassKey, kSecAttrKeySizeInBits: \"big\"]", SEK_QUERY_COPY, -50,
     "a number attribute holding a non-number string"},
    {"[kSecClass: kSecClassKey, kSecAttrApplicationLabel: 5]", SEK_QUERY_COPY, -50,
     "a data attribute holding a number"},
    {"[kSecClass: kSecClassKey, kSecAttrAccessGroup: Data([1])]", SEK_QUERY_COPY, -50,
     "a string attribute holding data"},
    {"[kSecClass: kSecClassKey, kSecAttrApplicationTag: tag]", SEK_QUERY_COPY, -50,
     "a variable the literal does not define"},
    {"[kSecClass: kSecClassKey, kSecMatchLimit: 0]", SEK_QUERY_COPY, -50, "limit 0"},
    {"[kSecClass: kSecClassKey, kSecMatchLimit: \"one\"]", SEK_QUERY_COPY, -50,
     "a limit that is neither constant nor number"},
    {"[kSecClass: kSecClassKey, kSecReturnRef: \"yes\"]", SEK_QUERY_COPY, -50,
     "a return flag that is not a boolean"},
    {"[kSecClass: kSecClassKey, kSecUseOperationPrompt: 3]", SEK_QUERY_COPY, -50,
     "a prompt that is not a string"},
    {"[kSecClass: kSecClassKey, kSecUseAuthenticationUI: kSecClassKey]", SEK_QUERY_COPY, -50,
     "an authentication UI value that is not one of its constants"},
    {"[kSecClass: kSecClassKey, kSecMatchCaseInsensitive: true]", SEK_QUERY_COPY, -50,
     "a certificate search option (errSecItemMatchUnsupported)"},
    {"[kSecClass: kSecClassKey, kSecValueRef: key]", SEK_QUERY_COPY, -50,
     "kSecValueRef (errSecValueRefUnsupported)"},
    {"[kSecClass: kSecClassKey, kSecPrivateKeyAttrs: [:]]", SEK_QUERY_COPY, -25303,
     "a key-generation key in a query"},
    {"[kSecClass: kSecClassKey, kSecReturnRef: true]", SEK_QUERY_DELETE, -50,
     "SecItemDelete returns nothing"},
    {"[kSecClass: kSecClassKey, kSecMatchLimit: kSecMatchLimitOne]", SEK_QUERY_DELETE, -50,
     "SecItemDelete deletes every match"},
};

static void test_valid_queries_compile(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
    sek_query *q;
    sek_error *err = NULL;
    int st = compile(valid[i].literal, SEK_QUERY_COPY, &q, &err);
    if (st != SEK_OK)
      fail_msg("%s: %d (%s)", valid[i].literal, st, err ? sek_error_description(err) : "");
    assert_int_equal(sek_query_limit(q), valid[i].limit);
    assert_int_equal(sek_query_returns(q), valid[i].returns);
    if (sek_query_term_count(q) != valid[i].terms)
      fail_msg("%s: %zu terms", valid[i].literal, sek_query_term_count(q));
    assert_string_equal(sek_query_class(q), valid[i].cls);
    sek_query_free(q);
  }
}

static void test_invalid_queries_get_securitys_code(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
    sek_query *q;
    sek_error *err = NULL;
    int st = compile(invalid[i].literal, invalid[i].op, &q, &err);
    if (st != SEK_QUERY_ERR_INVALID || err == NULL)
      fail_msg("%s (%s): status %d", invalid[i].literal, invalid[i].why, st);
    assert_null(q);
    assert_string_equal(sek_error_domain(err), SEK_DOMAIN_OSSTATUS);
    if (sek_error_code(err) != invalid[i].code)
      fail_msg("%s (%s): code %ld, want %ld", invalid[i].literal, invalid[i].why,
               sek_error_code(err), invalid[i].code);
    assert_non_null(sek_error_description(err));
    assert_string_equal(sek_error_user_string(err, SEK_KEY_DESCRIPTION),
                        sek_error_description(err));
    sek_error_free(err);
    /* err may be NULL: the status alone */
    sek_attrs *a = parse(invalid[i].literal);
    assert_int_equal(sek_query_compile(a, invalid[i].op, &q, NULL), SEK_QUERY_ERR_INVALID);
    sek_attrs_free(a);
  }
  sek_query *q;
  assert_int_equal(sek_query_compile(NULL, SEK_QUERY_COPY, &q, NULL), SEK_ERR_ARG);
}

static void test_use_options(void **state) {
  (void)state;
  sek_query *q;
  assert_int_equal(compile("[kSecClass: kSecClassKey, kSecUseOperationPrompt: \"Verify your "
                           "identity\", kSecUseAuthenticationUI: kSecUseAuthenticationUIFail]",
                           SEK_QUERY_COPY, &q, NULL),
                   SEK_OK);
  assert_string_equal(sek_query_prompt(q), "Verify your identity");
  assert_true(sek_query_ui_fail(q));
  sek_query_free(q);
  assert_int_equal(compile("[kSecClass: kSecClassKey, kSecUseNoAuthenticationUI: true]",
                           SEK_QUERY_COPY, &q, NULL),
                   SEK_OK);
  assert_true(sek_query_ui_fail(q));
  assert_null(sek_query_prompt(q));
  sek_query_free(q);
  assert_int_equal(compile("[kSecClass: kSecClassKey]", SEK_QUERY_DELETE, &q, NULL), SEK_OK);
  assert_int_equal(sek_query_limit(q), SIZE_MAX); /* delete: every match */
  sek_query_free(q);
}

static sek_cell text(const char *s) {
  return (sek_cell){.present = true, .bytes = (const uint8_t *)s, .len = strlen(s)};
}

static sek_row row(void) {
  sek_row r;
  memset(&r, 0, sizeof r);
  r.rowid = 1;
  r.cells[SEK_COL_KCLS] = (sek_cell){.present = true, .i = 1};
  r.cells[SEK_COL_KLBL] = text("unique label");
  r.cells[SEK_COL_ATAG] =
      (sek_cell){.present = true, .bytes = (const uint8_t *)"\x01\x02", .len = 2};
  r.cells[SEK_COL_TYPE] = (sek_cell){.present = true, .i = 73};
  r.cells[SEK_COL_BSIZ] = (sek_cell){.present = true, .i = 256};
  r.cells[SEK_COL_SYNC] = (sek_cell){.present = true, .i = 0};
  r.cells[SEK_COL_SIGN] = (sek_cell){.present = true, .i = 1};
  r.cells[SEK_COL_PDMN] = text("aku");
  r.cells[SEK_COL_CDAT] = (sek_cell){.present = true, .r = 644198401.5};
  return r;
}

/* The brute-force matcher over one row: each query with whether it matches. */
static const struct {
  const char *literal;
  bool matches;
} matching[] = {
    {"[kSecClass: kSecClassKey]", true},
    {"[kSecClass: kSecClassGenericPassword]", false},
    {"[kSecClass: kSecClassKey, kSecAttrApplicationLabel: \"unique label\"]", true},
    {"[kSecClass: kSecClassKey, kSecAttrApplicationLabel: \"unique label\".data(using: .utf8)!]",
     true},
    {"[kSecClass: kSecClassKey, kSecAttrApplicationLabel: \"unique\"]", false},
    {"[kSecClass: kSecClassKey, kSecAttrApplicationTag: Data([0x01, 0x02])]", true},
    {"[kSecClass: kSecClassKey, kSecAttrApplicationTag: Data([0x01])]", false},
    {"[kSecClass: kSecClassKey, kSecAttrKeyType: kSecAttrKeyTypeEC]", true},
    {"[kSecClass: kSecClassKey, kSecAttrKeyType: \"73\"]", true},
    {"[kSecClass: kSecClassKey, kSecAttrKeyType: kSecAttrKeyTypeRSA]", false},
    {"[kSecClass: kSecClassKey, kSecAttrKeySizeInBits: 256]", true},
    {"[kSecClass: kSecClassKey, kSecAttrKeyClass: kSecAttrKeyClassPrivate]", true},
    /* kcls is matched by its SHA-1 of a 4-byte SInt32: 2^32 + 1 hashes like 1 */
    {"[kSecClass: kSecClassKey, kSecAttrKeyClass: 4294967297]", true},
    {"[kSecClass: kSecClassKey, kSecAttrKeyClass: kSecAttrKeyClassPublic]", false},
    {"[kSecClass: kSecClassKey, kSecAttrCanSign: true]", true},
    {"[kSecClass: kSecClassKey, kSecAttrCanSign: false]", false},
    {"[kSecClass: kSecClassKey, kSecAttrCanDecrypt: true]", false}, /* not set: NULL */
    {"[kSecClass: kSecClassKey, kSecAttrLabel: \"x\"]", false},
    {"[kSecClass: kSecClassKey, kSecAttrAccessible: kSecAttrAccessibleWhenUnlockedThisDeviceOnly]",
     true},
    {"[kSecClass: kSecClassKey, kSecAttrSynchronizable: true]", false},
    {"[kSecClass: kSecClassKey, kSecAttrSynchronizable: kSecAttrSynchronizableAny]", true},
    {"[kSecClass: kSecClassKey, kSecAttrCreationDate: 644198401.5]", true},
    {"[kSecClass: kSecClassKey, kSecAttrCreationDate: 644198401]", false},
};

static void test_brute_force_matcher(void **state) {
  (void)state;
  sek_row r = row();
  for (size_t i = 0; i < sizeof matching / sizeof matching[0]; i++) {
    sek_query *q;
    if (compile(matching[i].literal, SEK_QUERY_COPY, &q, NULL) != SEK_OK)
      fail_msg("%s does not compile", matching[i].literal);
    if (sek_query_matches(q, &r) != matching[i].matches)
      fail_msg("%s: matches %d", matching[i].literal, !matching[i].matches);
    sek_query_free(q);
  }
  /* a synchronizable row is found only by queries that name sync */
  r.cells[SEK_COL_SYNC].i = 1;
  sek_query *q;
  assert_int_equal(compile("[kSecClass: kSecClassKey]", SEK_QUERY_COPY, &q, NULL), SEK_OK);
  assert_false(sek_query_matches(q, &r));
  sek_query_free(q);
  assert_false(sek_query_matches(NULL, &r));
}

static void test_sha1_column_encoding(void **state) {
  (void)state;
  uint8_t buf[20], want[20];
  unsigned n = 0;
  sek_cell out;
  sek_cell one = {.present = true, .i = 1};
  sek_query_cell_encode(SEK_COL_KCLS, &one, buf, &out);
  const uint8_t le[4] = {1, 0, 0, 0};
  EVP_Digest(le, 4, want, &n, EVP_sha1(), NULL);
  assert_int_equal(out.len, 20);
  assert_memory_equal(out.bytes, want, 20);
  sek_cell l = text("L");
  sek_query_cell_encode(SEK_COL_LABL, &l, buf, &out);
  EVP_Digest("L", 1, want, &n, EVP_sha1(), NULL);
  assert_memory_equal(out.bytes, want, 20);
  sek_cell empty = {.present = true, .len = 0};
  sek_query_cell_encode(SEK_COL_ATAG, &empty, buf, &out);
  EVP_Digest("", 0, want, &n, EVP_sha1(), NULL);
  assert_memory_equal(out.bytes, want, 20);
  /* klbl is stored as is */
  sek_cell k = text("unique label");
  sek_query_cell_encode(SEK_COL_KLBL, &k, buf, &out);
  assert_ptr_equal(out.bytes, k.bytes);
  assert_int_equal(out.len, 12);
}

static void test_column_values(void **state) {
  (void)state;
  sek_attrs *a = parse("[n: 5, b: true, s: \"42\", t: \"x\", d: Data([1]), c: kSecClassKey, "
                       "r: 1.5, dt: 2.0]");
  sek_cell cell;
  assert_true(sek_column_value(SEK_COL_BSIZ, sek_attrs_get(a, "n"), &cell) && cell.i == 5);
  assert_true(sek_column_value(SEK_COL_PERM, sek_attrs_get(a, "b"), &cell) && cell.i == 1);
  assert_true(sek_column_value(SEK_COL_TYPE, sek_attrs_get(a, "s"), &cell) && cell.i == 42);
  assert_false(sek_column_value(SEK_COL_TYPE, sek_attrs_get(a, "t"), &cell));
  assert_false(sek_column_value(SEK_COL_TYPE, sek_attrs_get(a, "d"), &cell));
  assert_true(sek_column_value(SEK_COL_KLBL, sek_attrs_get(a, "t"), &cell) && cell.len == 1);
  assert_true(sek_column_value(SEK_COL_KLBL, sek_attrs_get(a, "d"), &cell) && cell.len == 1);
  assert_false(sek_column_value(SEK_COL_KLBL, sek_attrs_get(a, "n"), &cell));
  assert_true(sek_column_value(SEK_COL_AGRP, sek_attrs_get(a, "c"), &cell) && cell.len == 4);
  assert_false(sek_column_value(SEK_COL_AGRP, sek_attrs_get(a, "d"), &cell));
  assert_true(sek_column_value(SEK_COL_CDAT, sek_attrs_get(a, "r"), &cell) && cell.r == 1.5);
  assert_false(sek_column_value(SEK_COL_CDAT, sek_attrs_get(a, "t"), &cell));
  assert_false(sek_column_value(SEK_COL_COUNT, sek_attrs_get(a, "n"), &cell));
  sek_attrs_free(a);
  /* the column table: names unique, found again */
  for (size_t c = 0; c < SEK_COL_COUNT; c++) {
    sek_column back;
    assert_int_equal(sek_column_find(sek_column_info_at((sek_column)c)->name, &back), SEK_OK);
    assert_int_equal(back, (sek_column)c);
  }
  sek_column back;
  assert_int_equal(sek_column_find("acct", &back), SEK_ERR_ARG);
  assert_null(sek_column_info_at(SEK_COL_COUNT));
}

static void test_row_attributes(void **state) {
  (void)state;
  sek_row r = row();
  sek_attrs *a = NULL;
  assert_int_equal(sek_row_to_attrs(&r, &a), SEK_OK);
  assert_string_equal(sek_value_string(sek_attrs_get(a, "class"), NULL), "keys");
  assert_int_equal(sek_value_kind_of(sek_attrs_get(a, "klbl")), SEK_VALUE_DATA);
  assert_int_equal(sek_value_kind_of(sek_attrs_get(a, "sign")), SEK_VALUE_BOOL);
  assert_true(sek_value_bool(sek_attrs_get(a, "sign")));
  assert_int_equal(sek_value_number(sek_attrs_get(a, "type")), 73);
  assert_int_equal(sek_value_kind_of(sek_attrs_get(a, "pdmn")), SEK_VALUE_STRING);
  assert_int_equal(sek_value_kind_of(sek_attrs_get(a, "cdat")), SEK_VALUE_DATE);
  assert_null(sek_attrs_get(a, "labl")); /* absent cells are absent */
  assert_int_equal(sek_attrs_count(a), 10);
  sek_attrs_free(a);
  assert_int_equal(sek_row_to_attrs(NULL, &a), SEK_ERR_ARG);
}

static const struct CMUnitTest query_tests[] = {
    cmocka_unit_test(test_valid_queries_compile),
    cmocka_unit_test(test_invalid_queries_get_securitys_code),
    cmocka_unit_test(test_use_options),
    cmocka_unit_test(test_brute_force_matcher),
    cmocka_unit_test(test_sha1_column_encoding),
    cmocka_unit_test(test_column_values),
    cmocka_unit_test(test_row_attributes),
};

SEK_TEST_MAIN(query_tests)
