/* test_scenario.c: include/sek/scenario.h — the parser, the printer, the runner, the oracle. */
#include "sek_test.h"

#include <dirent.h>

#include <sek/emu.h>
#include <sek/scenario.h>

/* ---- helpers ------------------------------------------------------------------------------- */

static sek_scenario *parse_ok(const char *text) {
  sek_scenario *s = NULL;
  sek_scenario_error err;
  memset(&err, 0, sizeof err);
  int st = sek_scenario_parse(text, strlen(text), &s, &err);
  if (st != SEK_OK)
    fail_msg("parse of <<%s>> failed with %d at %u:%u: %s", text, st, err.line, err.col,
             err.message);
  return s;
}

static const sek_scenario_op *op(const sek_scenario *s, size_t i) {
  const sek_scenario_op *o = sek_scenario_op_at(s, i);
  assert_non_null(o);
  return o;
}

/* A minimal Secure Enclave key literal, with the given access-control flags. */
#define SE_KEY(flags)                                                                              \
  "[kSecAttrTokenID: kSecAttrTokenIDSecureEnclave, kSecAttrKeyType: "                              \
  "kSecAttrKeyTypeECSECPrimeRandom, kSecAttrKeySizeInBits: 256, kSecPrivateKeyAttrs: "             \
  "[kSecAttrIsPermanent: true, kSecAttrAccessControl: SecAccessControlCreateWithFlags("            \
  "kCFAllocatorDefault, kSecAttrAccessibleWhenUnlockedThisDeviceOnly, " flags ", nil)!]]"

/* A fresh emulator: the default device, or the one s's `device` line describes (s may be NULL). */
static sek_emu *new_device(uint64_t seed, const sek_scenario *s) {
  sek_emu_config cfg;
  sek_emu_config_default(&cfg);
  if (s != NULL)
    assert_int_equal(sek_scenario_device_config(s, &cfg), SEK_OK);
  cfg.seed = seed;
  cfg.store_path = ":memory:";
  sek_emu *emu = NULL;
  char why[256] = "";
  int st = sek_emu_new(&cfg, &emu, why, sizeof why);
  if (st != SEK_OK)
    fail_msg("sek_emu_new: %d %s", st, why);
  return emu;
}

static sek_emu *new_emu(uint64_t seed) { return new_device(seed, NULL); }

/* Runs text on a fresh emulator; returns the run's status and the transcript in *out. */
static int run_text(const char *text, uint64_t seed, sek_transcript **out) {
  sek_scenario *s = parse_ok(text);
  sek_emu *emu = new_device(seed, s);
  sek_transcript *t = NULL;
  int st = sek_scenario_run(s, sek_emu_backend(emu), emu, &t);
  assert_non_null(t);
  sek_emu_free(emu);
  sek_scenario_free(s);
  *out = t;
  return st;
}

static char *example_path(const char *name) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s/examples/%s", SEK_SOURCE_DIR, name);
  return strdup(buf);
}

static char *read_example(const char *name) {
  char *path = example_path(name);
  char *text = sek_test_read_file(path, NULL);
  if (text == NULL)
    fail_msg("cannot read %s", path);
  free(path);
  return text;
}

/* ---- the parser: each verb --------------------------------------------------------------- */

static void test_parse_empty_and_comments(void **state) {
  (void)state;
  sek_scenario *s = parse_ok("");
  assert_int_equal(sek_scenario_count(s), 0);
  sek_scenario_free(s);
  s = parse_ok("# only a comment\n\n   \t\n# another\r\n");
  assert_int_equal(sek_scenario_count(s), 0);
  sek_scenario_free(s);
  /* NULL with length 0 is an empty script; NULL out is a caller bug */
  assert_int_equal(sek_scenario_parse(NULL, 0, &s, NULL), SEK_OK);
  assert_int_equal(sek_scenario_count(s), 0);
  sek_scenario_free(s);
  assert_int_equal(sek_scenario_parse("lock", 4, NULL, NULL), SEK_ERR_ARG);
  assert_int_equal(sek_scenario_parse(NULL, 3, &s, NULL), SEK_ERR_ARG);
}

static void test_parse_device_verbs(void **state) {
  (void)state;
  sek_scenario *s = parse_ok("biometry enroll\nbiometry change  # comment\nbiometry remove\n"
                             "passcode set\npasscode remove\nlock\n\tunlock\nreboot\r\n");
  const sek_scenario_verb want[] = {SEK_VERB_BIOMETRY_ENROLL, SEK_VERB_BIOMETRY_CHANGE,
                                    SEK_VERB_BIOMETRY_REMOVE, SEK_VERB_PASSCODE_SET,
                                    SEK_VERB_PASSCODE_REMOVE, SEK_VERB_LOCK,
                                    SEK_VERB_UNLOCK,          SEK_VERB_REBOOT};
  assert_int_equal(sek_scenario_count(s), 8);
  for (size_t i = 0; i < 8; i++) {
    assert_int_equal(op(s, i)->verb, want[i]);
    assert_int_equal(op(s, i)->line, i + 1);
    assert_false(sek_scenario_is_call(op(s, i)->verb));
  }
  assert_int_equal(op(s, 6)->col, 2); /* after the tab */
  sek_scenario_free(s);
}

static void test_parse_answers(void **state) {
  (void)state;
  const struct {
    const char *word;
    sek_emu_answer answer;
  } rows[] = {{"success", SEK_EMU_ANSWER_SUCCESS},
              {"cancel", SEK_EMU_ANSWER_CANCEL},
              {"fail", SEK_EMU_ANSWER_FAIL},
              {"lockout", SEK_EMU_ANSWER_LOCKOUT},
              {"not-interactive", SEK_EMU_ANSWER_NOT_INTERACTIVE},
              {"fallback", SEK_EMU_ANSWER_FALLBACK},
              {"system-cancel", SEK_EMU_ANSWER_SYSTEM_CANCEL}};
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    char text[64];
    snprintf(text, sizeof text, "answer %s", rows[i].word);
    sek_scenario *s = parse_ok(text);
    assert_int_equal(op(s, 0)->verb, SEK_VERB_ANSWER);
    assert_int_equal(op(s, 0)->answer, rows[i].answer);
    sek_scenario_free(s);
  }
}

static void test_parse_faults(void **state) {
  (void)state;
  sek_scenario *s = parse_ok("create k [:]\nfault policy k\nfault store-io\nfault store-io 3\n"
                             "fault alloc 7\n");
  assert_int_equal(op(s, 1)->verb, SEK_VERB_FAULT_POLICY);
  assert_int_equal(op(s, 1)->key, 0);
  assert_string_equal(sek_scenario_key_name(s, op(s, 1)->key), "k");
  assert_int_equal(op(s, 2)->verb, SEK_VERB_FAULT_STORE_IO);
  assert_int_equal(op(s, 2)->number, 1);
  assert_int_equal(op(s, 3)->number, 3);
  assert_int_equal(op(s, 4)->verb, SEK_VERB_FAULT_ALLOC);
  assert_int_equal(op(s, 4)->number, 7);
  sek_scenario_free(s);
}

static void test_parse_create_multiline_literal(void **state) {
  (void)state;
  /* The literal spans lines; '#' comments are the script's, '//' the literal's; brackets inside
     strings and comments do not count. */
  sek_scenario *s = parse_ok("create k [      # the app's key\n"
                             "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom, // ] not here\n"
                             "  kSecAttrApplicationLabel: \"a ] b [\", /* ] */\n"
                             "  kSecPrivateKeyAttrs: [kSecAttrIsPermanent: true]\n"
                             "]  # done\n"
                             "lock\n");
  assert_int_equal(sek_scenario_count(s), 2);
  const sek_scenario_op *c = op(s, 0);
  assert_int_equal(c->verb, SEK_VERB_CREATE);
  assert_int_equal(c->line, 1);
  assert_int_equal(c->col, 1);
  assert_non_null(c->attrs);
  assert_int_equal(sek_attrs_count(c->attrs), 3);
  size_t len;
  const char *label = sek_value_string(sek_attrs_get(c->attrs, "klbl"), &len);
  assert_non_null(label);
  assert_string_equal(label, "a ] b [");
  assert_int_equal(op(s, 1)->verb, SEK_VERB_LOCK);
  assert_int_equal(op(s, 1)->line, 6);
  sek_scenario_free(s);
  /* the Objective-C form */
  s = parse_ok("create k @{(id)kSecAttrKeyType: (id)kSecAttrKeyTypeECSECPrimeRandom}");
  assert_int_equal(sek_attrs_count(op(s, 0)->attrs), 1);
  sek_scenario_free(s);
}

static void test_parse_find_and_delete(void **state) {
  (void)state;
  sek_scenario *s = parse_ok("find k [kSecClass: kSecClassKey, kSecReturnRef: true]\n"
                             "delete k\n"
                             "delete [kSecClass: kSecClassKey]\n");
  assert_int_equal(op(s, 0)->verb, SEK_VERB_FIND);
  assert_true(sek_scenario_is_call(SEK_VERB_FIND));
  assert_int_equal(sek_attrs_count(op(s, 0)->attrs), 2);
  assert_int_equal(op(s, 1)->verb, SEK_VERB_DELETE_KEY);
  assert_int_equal(op(s, 1)->key, 0);
  assert_int_equal(op(s, 2)->verb, SEK_VERB_DELETE_QUERY);
  assert_int_equal(op(s, 2)->key, SIZE_MAX);
  assert_int_equal(sek_attrs_count(op(s, 2)->attrs), 1);
  sek_scenario_free(s);
}

static void test_parse_sign_algorithms_and_messages(void **state) {
  (void)state;
  sek_scenario *s =
      parse_ok("create k [:]\n"
               "sign k \"hello\"\n"
               "sign k ecdsaSignatureDigestX962SHA256 hex:00ff\n"
               "sign k .ecdsaSignatureMessageRFC4754SHA512 \"a\\\"b\\\\c\\n\\x41\\0\"\n"
               "sign k kSecKeyAlgorithmECDSASignatureMessageX962SHA1 hex:\n"
               "sign k algid:sign:ECDSA:message-X962:SHA384 \"x\"\n"
               "sign k algid:sign:RSA:raw \"x\"\n");
  assert_string_equal(op(s, 1)->algorithm, "algid:sign:ECDSA:message-X962:SHA256");
  assert_int_equal(op(s, 1)->message_len, 5);
  assert_memory_equal(op(s, 1)->message, "hello", 5);
  assert_string_equal(op(s, 2)->algorithm, "algid:sign:ECDSA:digest-X962:SHA256");
  assert_int_equal(op(s, 2)->message_len, 2);
  assert_memory_equal(op(s, 2)->message, "\x00\xff", 2);
  assert_string_equal(op(s, 3)->algorithm, "algid:sign:ECDSA:message-RFC4754:SHA512");
  assert_int_equal(op(s, 3)->message_len, 8);
  assert_memory_equal(op(s, 3)->message, "a\"b\\c\nA\0", 8);
  assert_string_equal(op(s, 4)->algorithm, "algid:sign:ECDSA:message-X962:SHA1");
  assert_int_equal(op(s, 4)->message_len, 0);
  assert_string_equal(op(s, 5)->algorithm, "algid:sign:ECDSA:message-X962:SHA384");
  assert_string_equal(op(s, 6)->algorithm, "algid:sign:RSA:raw"); /* passed through */
  assert_null(sek_scenario_algorithm_find("algid:sign:RSA:raw"));
  const sek_scenario_algorithm *a = sek_scenario_algorithm_find(op(s, 3)->algorithm);
  assert_non_null(a);
  assert_true(a->is_message);
  assert_true(a->is_raw_signature);
  assert_string_equal(a->hash, "SHA512");
  assert_int_equal(a->hash_len, 64);
  sek_scenario_free(s);
}

static void test_parse_verify_pubkey_reenroll(void **state) {
  (void)state;
  sek_scenario *s = parse_ok("create k [:]\nsign k \"m\"\nverify k\nverify k \"other\"\n"
                             "verify k hex:6d\npubkey k\nreenroll k\n");
  assert_int_equal(op(s, 2)->verb, SEK_VERB_VERIFY);
  assert_false(op(s, 2)->has_message);
  assert_true(op(s, 3)->has_message);
  assert_int_equal(op(s, 3)->message_len, 5);
  assert_true(op(s, 4)->has_message);
  assert_int_equal(op(s, 5)->verb, SEK_VERB_PUBKEY);
  assert_int_equal(op(s, 6)->verb, SEK_VERB_REENROLL);
  sek_scenario_free(s);
}

static void test_parse_expectations(void **state) {
  (void)state;
  sek_scenario *s =
      parse_ok("find k [kSecClass: kSecClassKey]\n"
               "expect ok\n"
               "expect error CryptoTokenKit -3 AKSError=-536362999 NSDebugDescription=\"x y\"\n"
               "expect action reenroll_key\n"
               "expect permanent\n"
               "expect permanent no\n"
               "expect permanent unknown\n"
               "expect count 2\n");
  for (size_t i = 1; i < 8; i++)
    assert_int_equal(op(s, i)->call, 0);
  assert_int_equal(op(s, 1)->verb, SEK_VERB_EXPECT_OK);
  const sek_scenario_op *e = op(s, 2);
  assert_int_equal(e->verb, SEK_VERB_EXPECT_ERROR);
  assert_string_equal(e->domain, "CryptoTokenKit");
  assert_int_equal(e->code, -3);
  assert_int_equal(e->num_info, 2);
  assert_string_equal(e->info[0].key, "AKSError");
  assert_true(e->info[0].is_number);
  assert_true(e->info[0].number == -536362999LL);
  assert_string_equal(e->info[1].key, "NSDebugDescription");
  assert_false(e->info[1].is_number);
  assert_string_equal(e->info[1].string, "x y");
  assert_int_equal(op(s, 3)->action, SEK_ACTION_REENROLL_KEY);
  assert_int_equal(op(s, 4)->permanence, SEK_PERMANENT_YES);
  assert_int_equal(op(s, 5)->permanence, SEK_PERMANENT_NO);
  assert_int_equal(op(s, 6)->permanence, SEK_PERMANENT_UNKNOWN);
  assert_int_equal(op(s, 7)->number, 2);
  sek_scenario_free(s);
  /* every action name of the decoder is accepted */
  for (int a = SEK_ACTION_RETRY; a <= SEK_ACTION_UNKNOWN; a++) {
    char text[128];
    snprintf(text, sizeof text, "create k [:]\nexpect action %s\n", sek_action_name((sek_action)a));
    s = parse_ok(text);
    assert_int_equal(op(s, 1)->action, a);
    sek_scenario_free(s);
  }
}

static void test_parse_key_names(void **state) {
  (void)state;
  sek_scenario *s = parse_ok("create b [:]\ncreate a.1-x_ [:]\nfind b [:]\n");
  assert_int_equal(sek_scenario_num_keys(s), 2);
  assert_string_equal(sek_scenario_key_name(s, 0), "b");
  assert_string_equal(sek_scenario_key_name(s, 1), "a.1-x_");
  assert_null(sek_scenario_key_name(s, 2));
  assert_int_equal(op(s, 2)->key, 0);
  sek_scenario_free(s);
}

/* ---- the parser: each refusal, with its place ---------------------------------------------- */

typedef struct {
  const char *text;
  int status;
  unsigned line, col;
  const char *message; /* a part of the message */
} bad_row;

static const bad_row bad_rows[] = {
    /* not a verb */
    {"frobnicate k", SEK_SCENARIO_ERR_VERB, 1, 1, "unknown verb 'frobnicate': expected one of"},
    {"[a: 1]", SEK_SCENARIO_ERR_VERB, 1, 1, "expected a verb"},
    /* a key before anything bound it */
    {"  sign k \"x\"", SEK_SCENARIO_ERR_NAME, 1, 8, "unknown key 'k'"},
    {"create k [:]\nverify k", SEK_SCENARIO_ERR_NAME, 2, 1, "expected an earlier 'sign k'"},
    {"find k [:]\nreenroll k", SEK_SCENARIO_ERR_NAME, 2, 1, "expected an earlier 'create k'"},
    {"fault policy nobody", SEK_SCENARIO_ERR_NAME, 1, 14, "unknown key 'nobody'"},
    /* the device line */
    {"lock\ndevice no-passcode", SEK_SCENARIO_ERR_ORDER, 2, 1,
     "it must be the first statement (line 1 has the first one)"},
    {"device", SEK_SCENARIO_ERR_SYNTAX, 1, 7, "expected a device word after 'device'"},
    {"device frob", SEK_SCENARIO_ERR_SYNTAX, 1, 8, "expected a device word: no-secure-enclave"},
    {"device locked \"x\"", SEK_SCENARIO_ERR_SYNTAX, 1, 15, "found '\"x\"'"},
    {"device no-passcode passcode", SEK_SCENARIO_ERR_SYNTAX, 1, 20,
     "'passcode' names an aspect of the device this line already set"},
    {"device locked locked", SEK_SCENARIO_ERR_SYNTAX, 1, 15, "already set"},
    {"device no-passcode biometry", SEK_SCENARIO_ERR_SYNTAX, 1, 1, "'biometry' needs a passcode"},
    {"device locked no-passcode", SEK_SCENARIO_ERR_SYNTAX, 1, 1, "'locked' needs a passcode"},
    /* device verbs */
    {"create k [:]\nbiometry frob", SEK_SCENARIO_ERR_SYNTAX, 2, 10,
     "expected 'enroll' or 'change' or 'remove' after 'biometry', found 'frob'"},
    {"biometry", SEK_SCENARIO_ERR_SYNTAX, 1, 9, "found the end of the script"},
    {"passcode\n", SEK_SCENARIO_ERR_SYNTAX, 1, 9, "found the end of the line"},
    {"lock extra", SEK_SCENARIO_ERR_SYNTAX, 1, 6, "expected the end of the line after lock"},
    {"answer maybe", SEK_SCENARIO_ERR_SYNTAX, 1, 8, "expected an answer after 'answer' (success"},
    {"fault nothing", SEK_SCENARIO_ERR_SYNTAX, 1, 7,
     "'policy KEYNAME', 'store-io [N]' or 'alloc N'"},
    {"fault alloc 0", SEK_SCENARIO_ERR_SYNTAX, 1, 13, "of at least 1"},
    {"fault alloc x", SEK_SCENARIO_ERR_SYNTAX, 1, 13, "expected an allocation number N"},
    {"fault alloc 99999999", SEK_SCENARIO_ERR_LIMIT, 1, 13, "above the limit"},
    {"fault store-io 0", SEK_SCENARIO_ERR_SYNTAX, 1, 16, "of at least 1"},
    /* literals */
    {"create k", SEK_SCENARIO_ERR_LITERAL, 1, 9, "expected an attribute literal '[ ... ]'"},
    {"create k [:\n", SEK_SCENARIO_ERR_LITERAL, 1, 10, "never closed: expected ']'"},
    {"create k [a: (1]", SEK_SCENARIO_ERR_LITERAL, 1, 16,
     "expected ')' to close the bracket at 1:14, found ']'"},
    {"create k [a: \"x]", SEK_SCENARIO_ERR_LITERAL, 1, 14, "unterminated string"},
    {"create k [a: 1 /* x", SEK_SCENARIO_ERR_LITERAL, 1, 16, "unterminated comment"},
    {"create k [:] extra", SEK_SCENARIO_ERR_SYNTAX, 1, 14,
     "expected the end of the line after the attribute literal, found 'extra'"},
    {"create 9k [:]", SEK_SCENARIO_ERR_SYNTAX, 1, 8, "expected a key name"},
    {"delete", SEK_SCENARIO_ERR_SYNTAX, 1, 7, "a key name or a query literal"},
    /* sign */
    {"create k [:]\nsign k \"abc", SEK_SCENARIO_ERR_SYNTAX, 2, 8, "unterminated string"},
    {"create k [:]\nsign k \"a\\qb\"", SEK_SCENARIO_ERR_SYNTAX, 2, 10, "bad escape"},
    {"create k [:]\nsign k hex:abc", SEK_SCENARIO_ERR_SYNTAX, 2, 15, "even number of hex digits"},
    {"create k [:]\nsign k hex:zz", SEK_SCENARIO_ERR_SYNTAX, 2, 12, "expected a hex digit"},
    {"create k [:]\nsign k rsa \"x\"", SEK_SCENARIO_ERR_SYNTAX, 2, 8,
     "expected an ECDSA algorithm"},
    {"create k [:]\nsign k ecdsaSignatureMessageX962SHA256", SEK_SCENARIO_ERR_SYNTAX, 2, 39,
     "expected a message"},
    {"create k [:]\nsign k", SEK_SCENARIO_ERR_SYNTAX, 2, 7, "expected a message"},
    {"create k [:]\nsign k \"m\"\nverify k junk", SEK_SCENARIO_ERR_SYNTAX, 3, 10,
     "a message (\"text\" or hex:HEX) or the end of the line"},
    /* expectations */
    {"expect ok", SEK_SCENARIO_ERR_ORDER, 1, 1, "expected a create, find, sign"},
    {"create k [:]\nlock\nexpect ok", SEK_SCENARIO_ERR_ORDER, 3, 1, "line 2 ('lock')"},
    {"create k [:]\nexpect count 1", SEK_SCENARIO_ERR_ORDER, 2, 1,
     "'expect count' checks a find, but the call at line 1 is 'create'"},
    {"expect", SEK_SCENARIO_ERR_SYNTAX, 1, 7, "'ok', 'error', 'action', 'permanent' or 'count'"},
    {"create k [:]\nexpect error CryptoTokenKit", SEK_SCENARIO_ERR_SYNTAX, 2, 28,
     "expected an error code"},
    {"create k [:]\nexpect error CryptoTokenKit 99999999999", SEK_SCENARIO_ERR_SYNTAX, 2, 29,
     "decimal 32-bit integer"},
    {"create k [:]\nexpect error CryptoTokenKit -3 AKSError", SEK_SCENARIO_ERR_SYNTAX, 2, 32,
     "a user-info check KEY=INTEGER"},
    {"create k [:]\nexpect error D 1 AKSError=x", SEK_SCENARIO_ERR_SYNTAX, 2, 27,
     "expected a decimal integer or a \"string\" after 'AKSError='"},
    {"create k [:]\nexpect error D 1 A=1 B=2 C=3 D=4 E=5", SEK_SCENARIO_ERR_LIMIT, 2, 34,
     "more than 4 user-info checks"},
    {"create k [:]\nexpect action fly", SEK_SCENARIO_ERR_SYNTAX, 2, 15,
     "expected an action after 'expect action' (retry, prompt_again"},
    {"create k [:]\nexpect permanent maybe", SEK_SCENARIO_ERR_SYNTAX, 2, 18,
     "'yes', 'no', 'unknown'"},
    {"find k [:]\nexpect count -1", SEK_SCENARIO_ERR_SYNTAX, 2, 14, "expected a count"},
    /* text */
    {"lock\x01", SEK_SCENARIO_ERR_SYNTAX, 1, 5, "control character 0x01"},
    {"lock\nun\x7flock", SEK_SCENARIO_ERR_SYNTAX, 2, 3, "control character 0x7f"},
};

static void check_bad(const char *text, size_t len, int status, unsigned line, unsigned col,
                      const char *message) {
  sek_scenario *s = (sek_scenario *)(uintptr_t)1; /* must stay untouched */
  sek_scenario_error err;
  memset(&err, 0, sizeof err);
  int st = sek_scenario_parse(text, len, &s, &err);
  if (st != status || err.line != line || err.col != col || strstr(err.message, message) == NULL)
    fail_msg("<<%.60s>>: want %d at %u:%u \"%s\", got %d at %u:%u \"%s\"", text, status, line, col,
             message, st, err.line, err.col, err.message);
  assert_true(s == (sek_scenario *)(uintptr_t)1);
}

static void test_parse_refusals(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof bad_rows / sizeof bad_rows[0]; i++)
    check_bad(bad_rows[i].text, strlen(bad_rows[i].text), bad_rows[i].status, bad_rows[i].line,
              bad_rows[i].col, bad_rows[i].message);
}

static void test_parse_attrs_error_position_is_in_the_script(void **state) {
  (void)state;
  /* The literal's own error, moved from the literal's coordinates into the script's. */
  const char *text = "lock\ncreate k [\n  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,,\n]\n";
  sek_scenario *s = NULL;
  sek_scenario_error err;
  assert_int_equal(sek_scenario_parse(text, strlen(text), &s, &err), SEK_SCENARIO_ERR_LITERAL);
  assert_int_equal(err.line, 3);
  assert_true(err.col >= 50 && err.col <= 52); /* at the second comma */
  assert_non_null(strstr(err.message, "attribute literal: "));
  /* on the literal's first line the column is offset by where the literal starts */
  text = "create k [kSecAttrKeySizeInBits: ]";
  assert_int_equal(sek_scenario_parse(text, strlen(text), &s, &err), SEK_SCENARIO_ERR_LITERAL);
  assert_int_equal(err.line, 1);
  assert_true(err.col > 10);
}

static void test_parse_limits(void **state) {
  (void)state;
  /* a line one byte over the limit */
  size_t n = SEK_SCENARIO_MAX_LINE_LEN + 1;
  char *text = malloc(n + 1);
  memset(text, '#', n);
  text[n] = '\0';
  check_bad(text, n, SEK_SCENARIO_ERR_LIMIT, 1, SEK_SCENARIO_MAX_LINE_LEN + 1,
            "line is 4097 bytes");
  text[n - 1] = '\n'; /* exactly the limit: fine */
  sek_scenario *s = parse_ok(text);
  sek_scenario_free(s);
  free(text);
  /* one line too many */
  n = 2 * (SEK_SCENARIO_MAX_LINES + 1);
  text = malloc(n + 1);
  for (size_t i = 0; i < n; i += 2) {
    text[i] = '#';
    text[i + 1] = '\n';
  }
  text[n] = '\0';
  check_bad(text, n, SEK_SCENARIO_ERR_LIMIT, SEK_SCENARIO_MAX_LINES + 1, 1,
            "more than 20000 lines");
  free(text);
  /* the whole text */
  n = SEK_SCENARIO_MAX_TEXT + 1u;
  text = malloc(n);
  memset(text, '\n', n);
  check_bad(text, n, SEK_SCENARIO_ERR_LIMIT, 1, 1, "limit is 1048576");
  free(text);
  /* 65 distinct key names */
  size_t cap = 65 * 32;
  text = malloc(cap);
  size_t o = 0;
  for (int i = 0; i < 65; i++)
    o += (size_t)snprintf(text + o, cap - o, "create k%d [:]\n", i);
  check_bad(text, o, SEK_SCENARIO_ERR_LIMIT, 65, 8, "the limit is 64 distinct names");
  free(text);
  /* a 65-byte key name */
  char name[128] = "create ";
  memset(name + 7, 'k', 65);
  strcpy(name + 72, " [:]");
  check_bad(name, strlen(name), SEK_SCENARIO_ERR_LIMIT, 1, 8, "the limit is 64");
  /* brackets 65 deep */
  char deep[128] = "create k ";
  memset(deep + 9, '[', 65);
  deep[74] = '\0';
  check_bad(deep, strlen(deep), SEK_SCENARIO_ERR_LIMIT, 1, 74, "nested deeper than 64");
  /* a NUL byte in the middle */
  check_bad("lock\0unlock", 11, SEK_SCENARIO_ERR_SYNTAX, 1, 5, "control character 0x00");
}

/* ---- the printer --------------------------------------------------------------------------- */

static void test_print_canonical(void **state) {
  (void)state;
  sek_scenario *s =
      parse_ok("  biometry   change # x\nanswer not-interactive\nfault store-io\n"
               "create k [:]\nsign   k   hex:68690a\nsign k "
               "kSecKeyAlgorithmECDSASignatureDigestX962 \"a\\\"\"\n"
               "sign k algid:sign:RSA:raw \"x\"\n"
               "sign k hex:0001027f\n"
               "verify k\nexpect error  CryptoTokenKit  -3   AKSError=-536362999 K=\"v\"\n"
               "expect permanent\nreenroll k\nfault alloc 3\n");
  char *p = sek_scenario_print(s);
  assert_non_null(p);
  const char *want = "biometry change\nanswer not-interactive\nfault store-io 1\n"
                     "create k [:]\n"
                     "sign k \"hi\\n\"\n"
                     "sign k ecdsaSignatureDigestX962 \"a\\\"\"\n"
                     "sign k algid:sign:RSA:raw \"x\"\n"
                     "sign k hex:0001027f\n"
                     "verify k\n"
                     "expect error CryptoTokenKit -3 AKSError=-536362999 K=\"v\"\n"
                     "expect permanent yes\nreenroll k\nfault alloc 3\n";
  if (strcmp(p, want) != 0)
    fail_msg("printed:\n%s\nwanted:\n%s", p, want);
  char *one = sek_scenario_op_print(s, 4);
  assert_string_equal(one, "sign k \"hi\\n\"");
  free(one);
  assert_null(sek_scenario_op_print(s, 99));
  free(p);
  sek_scenario_free(s);
}

/* print(parse(print(x))) == print(x) for every example, and the literals survive. */
static void test_print_fixed_point_on_examples(void **state) {
  (void)state;
  char *dir = example_path("");
  DIR *d = opendir(dir);
  assert_non_null(d);
  struct dirent *e;
  int seen = 0;
  while ((e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name);
    if (len < 5 || strcmp(e->d_name + len - 4, ".sek") != 0)
      continue;
    char *text = read_example(e->d_name);
    sek_scenario *s = parse_ok(text);
    char *p1 = sek_scenario_print(s);
    sek_scenario *s2 = parse_ok(p1);
    char *p2 = sek_scenario_print(s2);
    if (strcmp(p1, p2) != 0)
      fail_msg("%s: print is not a fixed point:\n%s\n----\n%s", e->d_name, p1, p2);
    assert_int_equal(sek_scenario_count(s), sek_scenario_count(s2));
    for (size_t i = 0; i < sek_scenario_count(s); i++)
      assert_true(sek_attrs_equal(op(s, i)->attrs, op(s2, i)->attrs));
    free(p1);
    free(p2);
    free(text);
    sek_scenario_free(s);
    sek_scenario_free(s2);
    seen++;
  }
  closedir(d);
  free(dir);
  assert_true(seen >= 5);
}

/* ---- the runner ---------------------------------------------------------------------------- */

/* Every example script: its expectations all hold, and the oracle finds nothing else. */
static void test_run_examples(void **state) {
  (void)state;
  char *dir = example_path("");
  DIR *d = opendir(dir);
  assert_non_null(d);
  struct dirent *e;
  int seen = 0;
  while ((e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name);
    if (len < 5 || strcmp(e->d_name + len - 4, ".sek") != 0)
      continue;
    char *text = read_example(e->d_name);
    sek_transcript *t = NULL;
    int st = run_text(text, 0, &t);
    if (st != SEK_OK) {
      char *out = sek_transcript_print(t);
      fail_msg("%s: run returned %d (%zu unmet):\n%s", e->d_name, st, sek_transcript_unmet(t), out);
    }
    char why[512];
    sek_oracle_kind kind;
    if (sek_transcript_check(t, &kind, why, sizeof why) != SEK_OK)
      fail_msg("%s: oracle (%s): %s", e->d_name, sek_oracle_kind_name(kind), why);
    sek_transcript_free(t);
    free(text);
    seen++;
  }
  closedir(d);
  free(dir);
  assert_true(seen >= 5);
}

/* The seed thread, end to end: the transcript says what the thread saw. */
static void test_run_seed_failure(void **state) {
  (void)state;
  char *text = read_example("seed-failure.sek");
  sek_transcript *t = NULL;
  assert_int_equal(run_text(text, 0, &t), SEK_OK);
  size_t failing_signs = 0, good_signs = 0;
  const char *dead_kid = NULL;
  for (size_t i = 0; i < sek_transcript_count(t); i++) {
    const sek_scenario_step *st = sek_transcript_step(t, i);
    if (st->verb != SEK_VERB_SIGN)
      continue;
    if (st->result == SEK_STEP_OK) {
      good_signs++;
      assert_true(st->signature_len >= 8 && st->signature_len <= SEK_SIG_MAX_LEN);
      assert_int_equal(st->signature[0], 0x30); /* X9.62 DER */
      assert_true(st->has_pub);
      assert_true(st->has_kid);
      continue;
    }
    assert_int_equal(st->result, SEK_STEP_ERROR);
    failing_signs++;
    assert_string_equal(sek_error_domain(st->error), "CryptoTokenKit");
    assert_int_equal(sek_error_code(st->error), -3);
    long long aks = 0;
    assert_int_equal(sek_error_user_number(st->error, "AKSError", &aks), SEK_OK);
    assert_true(aks == -536362999LL);
    /* the printed form has the thread's shape */
    assert_non_null(
        strstr(st->error_text, "Error Domain=CryptoTokenKit Code=-3 \"<sepk:p256 kid="));
    assert_non_null(strstr(st->error_text, ">: unable to sign digest\" UserInfo={"));
    assert_non_null(strstr(st->error_text, "AKSError=-536362999"));
    assert_int_equal(st->verdict_action, SEK_ACTION_REENROLL_KEY);
    assert_int_equal(st->verdict_permanent, SEK_PERMANENT_YES);
    assert_true(st->has_truth);
    assert_int_equal(st->signature_len, 0);
    char kid_in_text[40];
    snprintf(kid_in_text, sizeof kid_in_text, "kid=%s>", st->kid);
    assert_non_null(strstr(st->error_text, kid_in_text));
    if (dead_kid == NULL)
      dead_kid = st->kid;
    assert_string_equal(st->kid, dead_kid); /* the same key, every time */
  }
  assert_int_equal(failing_signs, 3);
  assert_true(good_signs >= 5);
  char *out = sek_transcript_print(t);
  assert_non_null(strstr(out, "verdict: reenroll_key, permanent"));
  assert_non_null(strstr(out, "all held"));
  free(out);
  sek_transcript_free(t);
  free(text);
}

static void test_run_unmet_expectation_says_expected_and_got(void **state) {
  (void)state;
  sek_transcript *t = NULL;
  const char *text = "create k " SE_KEY("[.privateKeyUsage]") "\n"
                                                              "expect error CryptoTokenKit -3\n"
                                                              "expect action retry\n"
                                                              "expect ok\n";
  assert_int_equal(run_text(text, 0, &t), SEK_SCENARIO_ERR_EXPECT);
  assert_int_equal(sek_transcript_unmet(t), 2);
  const sek_scenario_step *e = sek_transcript_step(t, 1);
  assert_int_equal(e->result, SEK_STEP_UNMET);
  assert_int_equal(e->line, 2);
  assert_string_equal(e->note, "expected error CryptoTokenKit -3, got ok");
  e = sek_transcript_step(t, 2);
  assert_int_equal(e->result, SEK_STEP_UNMET);
  assert_string_equal(e->note, "expected action retry, got ok (no error to judge)");
  assert_int_equal(sek_transcript_step(t, 3)->result, SEK_STEP_HELD);
  char *out = sek_transcript_print(t);
  assert_non_null(strstr(out, "UNMET: expected error CryptoTokenKit -3, got ok"));
  assert_non_null(strstr(out, "2 NOT held"));
  free(out);
  sek_transcript_free(t);
}

static void test_run_error_user_info_mismatch(void **state) {
  (void)state;
  sek_transcript *t = NULL;
  const char *text = "find k [kSecClass: kSecClassKey, kSecReturnRef: true]\n"
                     "expect error NSOSStatusErrorDomain -25300\n"
                     "expect error NSOSStatusErrorDomain -25300 AKSError=1\n"
                     "expect error NSOSStatusErrorDomain -25299\n";
  assert_int_equal(run_text(text, 0, &t), SEK_SCENARIO_ERR_EXPECT);
  assert_int_equal(sek_transcript_step(t, 1)->result, SEK_STEP_HELD);
  assert_string_equal(sek_transcript_step(t, 2)->note,
                      "expected AKSError=1, got no number AKSError in the user info");
  assert_string_equal(sek_transcript_step(t, 3)->note,
                      "expected error NSOSStatusErrorDomain -25299, got error "
                      "NSOSStatusErrorDomain -25300");
  sek_transcript_free(t);
}

/* A name whose create failed holds no key: the calls on it are skipped, visibly. */
static void test_run_failed_create_leaves_no_key(void **state) {
  (void)state;
  sek_transcript *t = NULL;
  const char *text = "create k [kSecAttrTokenID: kSecAttrTokenIDSecureEnclave, kSecAttrKeyType: "
                     "kSecAttrKeyTypeRSA, kSecAttrKeySizeInBits: 2048]\n"
                     "sign k \"x\"\n"
                     "expect ok\n";
  assert_int_equal(run_text(text, 0, &t), SEK_SCENARIO_ERR_EXPECT);
  assert_int_equal(sek_transcript_step(t, 0)->result, SEK_STEP_ERROR);
  const sek_scenario_step *sign = sek_transcript_step(t, 1);
  assert_int_equal(sign->result, SEK_STEP_NO_KEY);
  assert_non_null(strstr(sign->note, "its create/find at line 1 failed"));
  assert_non_null(strstr(sek_transcript_step(t, 2)->note, "expected ok, got no call"));
  sek_transcript_free(t);
}

static void test_run_delete_key_and_reenroll(void **state) {
  (void)state;
  sek_transcript *t = NULL;
  const char *text = "create k " SE_KEY(
      "[.privateKeyUsage]") "\n"
                            "sign k \"x\"\nexpect ok\n"
                            "pubkey k\nexpect ok\n"
                            "delete k\nexpect ok\n"
                            "delete k\nexpect error NSOSStatusErrorDomain -25300\n"
                            "reenroll k\nexpect ok\n"
                            "reenroll k\nexpect ok\n"
                            "sign k \"x\"\nexpect ok\n"
                            "find f [kSecClass: kSecClassKey, kSecReturnRef: true, kSecMatchLimit: "
                            "kSecMatchLimitAll]\nexpect count 1\n";
  int st = run_text(text, 0, &t);
  if (st != SEK_OK) {
    char *out = sek_transcript_print(t);
    fail_msg("%s", out);
  }
  const sek_scenario_step *first = sek_transcript_step(t, 1);
  const sek_scenario_step *pub = sek_transcript_step(t, 3);
  const sek_scenario_step *again = sek_transcript_step(t, 13);
  assert_true(pub->has_pub);
  assert_int_equal(pub->pub[0], 0x04);
  assert_memory_equal(first->pub, pub->pub, 65);
  /* re-enrolled: a new key */
  assert_true(first->has_kid && again->has_kid);
  assert_string_not_equal(first->kid, again->kid);
  assert_memory_not_equal(first->pub, again->pub, 65);
  sek_transcript_free(t);
}

static void test_run_verify_other_message_fails(void **state) {
  (void)state;
  sek_transcript *t = NULL;
  const char *text = "create k " SE_KEY(
      "[.privateKeyUsage]") "\n"
                            "sign k ecdsaSignatureMessageRFC4754SHA256 \"signed\"\n"
                            "verify k\nexpect ok\n"
                            "verify k \"not signed\"\nexpect error NSOSStatusErrorDomain -67808\n";
  assert_int_equal(run_text(text, 0, &t), SEK_OK);
  assert_int_equal(sek_transcript_step(t, 1)->signature_len, 64); /* r || s */
  assert_true(sek_transcript_step(t, 2)->message_is_signed_one);
  assert_false(sek_transcript_step(t, 4)->message_is_signed_one);
  assert_int_equal(sek_transcript_check(t, NULL, NULL, 0), SEK_OK);
  sek_transcript_free(t);
}

static void test_run_is_deterministic(void **state) {
  (void)state;
  char *text = read_example("seed-failure.sek");
  sek_transcript *a = NULL, *b = NULL, *c = NULL;
  assert_int_equal(run_text(text, 7, &a), SEK_OK);
  assert_int_equal(run_text(text, 7, &b), SEK_OK);
  assert_int_equal(run_text(text, 8, &c), SEK_OK);
  char *pa = sek_transcript_print(a), *pb = sek_transcript_print(b), *pc = sek_transcript_print(c);
  assert_string_equal(pa, pb);
  assert_string_not_equal(pa, pc); /* another device: other keys, other signatures */
  free(pa);
  free(pb);
  free(pc);
  sek_transcript_free(a);
  sek_transcript_free(b);
  sek_transcript_free(c);
  free(text);
}

/* A backend without a device: device verbs are refused, calls still work. */
static void test_run_without_emulator(void **state) {
  (void)state;
  sek_scenario *s = parse_ok("lock\ncreate k " SE_KEY("[.privateKeyUsage]") "\nexpect ok\n");
  sek_emu *emu = new_emu(0);
  sek_transcript *t = NULL;
  assert_int_equal(sek_scenario_run(s, sek_emu_backend(emu), NULL, &t), SEK_OK);
  assert_false(sek_transcript_with_emulator(t));
  assert_int_equal(sek_transcript_step(t, 0)->result, SEK_STEP_NO_DEVICE);
  assert_int_equal(sek_transcript_step(t, 0)->status, SEK_ERR_UNSUPPORTED);
  assert_string_equal(sek_step_result_name(SEK_STEP_NO_DEVICE), "no-device");
  char *printed = sek_transcript_print(t);
  assert_non_null(strstr(printed, "line 1: lock\n  skipped: needs the emulated device"));
  free(printed);
  assert_int_equal(sek_transcript_step(t, 1)->result, SEK_STEP_OK);
  assert_false(sek_transcript_step(t, 1)->has_kid);
  assert_int_equal(sek_scenario_run(NULL, sek_emu_backend(emu), NULL, &t), SEK_ERR_ARG);
  assert_int_equal(sek_scenario_run(s, NULL, emu, &t), SEK_ERR_ARG);
  sek_transcript_free(t);
  sek_emu_free(emu);
  sek_scenario_free(s);
}

/* The device line: the emulator is made from it, and a run on another device says so. */
static void test_device_line(void **state) {
  (void)state;
  sek_emu_config cfg;
  sek_emu_config_default(&cfg);
  sek_scenario *s = parse_ok("# a comment first is fine\ndevice no-biometry locked\n");
  assert_int_equal(sek_scenario_count(s), 1);
  assert_int_equal(op(s, 0)->verb, SEK_VERB_DEVICE);
  sek_scenario_free(s);

  s = parse_ok("device no-passcode\ncreate k " SE_KEY("[.privateKeyUsage]") "\nexpect ok\n");
  assert_int_equal(sek_scenario_device_config(NULL, &cfg), SEK_ERR_ARG);
  assert_int_equal(sek_scenario_device_config(s, NULL), SEK_ERR_ARG);
  assert_int_equal(sek_scenario_device_config(s, &cfg), SEK_OK);
  assert_true(cfg.has_secure_enclave);
  assert_false(cfg.passcode_set);
  assert_false(cfg.biometry_enrolled); /* no passcode: no biometry either */
  assert_false(cfg.locked);
  /* on the device it describes: the line holds and the key is made */
  sek_transcript *t = NULL;
  assert_int_equal(run_text("device no-passcode\ncreate k " SE_KEY("[.privateKeyUsage]") "\n"
                            "expect ok\n",
                            0, &t),
                   SEK_OK);
  assert_int_equal(sek_transcript_step(t, 0)->result, SEK_STEP_OK);
  sek_transcript_free(t);
  /* on the default device (passcode set): an unmet step, not a silent run on the wrong device */
  sek_emu *emu = new_emu(0);
  assert_int_equal(sek_scenario_run(s, sek_emu_backend(emu), emu, &t), SEK_SCENARIO_ERR_EXPECT);
  const sek_scenario_step *st = sek_transcript_step(t, 0);
  assert_int_equal(st->result, SEK_STEP_UNMET);
  assert_non_null(strstr(st->note, "not 'no-passcode'"));
  assert_int_equal(sek_transcript_unmet(t), 1);
  sek_transcript_free(t);
  sek_emu_free(emu);
  sek_scenario_free(s);

  /* a script without the line leaves the configuration alone */
  sek_emu_config_default(&cfg);
  cfg.locked = true;
  s = parse_ok("lock\n");
  assert_int_equal(sek_scenario_device_config(s, &cfg), SEK_OK);
  assert_true(cfg.locked && cfg.passcode_set && cfg.has_secure_enclave && cfg.biometry_enrolled);
  sek_scenario_free(s);

  /* canonical prints: defaults are not written, no-biometry follows from no-passcode */
  static const char *const prints[][2] = {
      {"device passcode no-secure-enclave", "device no-secure-enclave\n"},
      {"device unlocked", "device secure-enclave\n"},
      {"device no-biometry no-passcode", "device no-passcode\n"},
      {"device\tlocked  no-biometry # why", "device no-biometry locked\n"},
  };
  for (size_t i = 0; i < sizeof prints / sizeof prints[0]; i++) {
    s = parse_ok(prints[i][0]);
    char *p = sek_scenario_print(s);
    assert_string_equal(p, prints[i][1]);
    free(p);
    sek_scenario_free(s);
  }
}

/* ---- the oracle: it must catch planted wrong answers ---------------------------------------- */

/* A genuine transcript of the seed run; the planted ones are copies with one change. */
static sek_transcript *seed_transcript(void) {
  char *text = read_example("seed-failure.sek");
  sek_transcript *t = NULL;
  assert_int_equal(run_text(text, 0, &t), SEK_OK);
  free(text);
  return t;
}

/* Index of the n-th (0-based) step of the transcript with that verb and result. */
static size_t find_step(const sek_transcript *t, sek_scenario_verb verb, sek_step_result result,
                        size_t n) {
  for (size_t i = 0; i < sek_transcript_count(t); i++) {
    const sek_scenario_step *st = sek_transcript_step(t, i);
    if (st->verb == verb && st->result == result && n-- == 0)
      return i;
  }
  fail_msg("no such step");
  return 0;
}

/* ---- sek_transcript_diff ------------------------------------------------------------------- */

/* A copy of t with plant() applied to step `at` (none when plant is NULL). */
static sek_transcript *planted_copy(const sek_transcript *t, size_t at,
                                    void (*plant)(sek_scenario_step *)) {
  sek_transcript *f = sek_transcript_new(sek_transcript_with_emulator(t));
  assert_non_null(f);
  for (size_t i = 0; i < sek_transcript_count(t); i++) {
    sek_scenario_step st = *sek_transcript_step(t, i);
    if (i == at && plant != NULL)
      plant(&st);
    assert_int_equal(sek_transcript_append(f, &st), SEK_OK);
  }
  return f;
}

static void plant_ok(sek_scenario_step *st) {
  st->result = SEK_STEP_OK;
  st->error = NULL;
  st->error_text = "";
}

static const sek_error *planted_error; /* set by the test; the copy deep-copies it */

static void plant_other_error(sek_scenario_step *st) {
  st->error = planted_error;
  st->error_text = NULL;
}

static void plant_no_device(sek_scenario_step *st) { st->result = SEK_STEP_NO_DEVICE; }
static void plant_count(sek_scenario_step *st) { st->count += 1; }

static size_t diff_at(const sek_transcript *a, const sek_transcript *b, char *why, size_t cap) {
  size_t at = SIZE_MAX;
  assert_int_equal(sek_transcript_diff(a, "emulated", b, "other", &at, why, cap),
                   SEK_SCENARIO_ERR_DIFF);
  return at;
}

static void test_diff(void **state) {
  (void)state;
  char *text = read_example("seed-failure.sek");
  sek_transcript *a = NULL, *b = NULL;
  assert_int_equal(run_text(text, 0, &a), SEK_OK);
  assert_int_equal(run_text(text, 12345, &b), SEK_OK);
  char why[512] = "";
  /* two seeds, other keys and signatures: the same observable run */
  if (sek_transcript_diff(a, "seed 0", b, "seed 12345", NULL, why, sizeof why) != SEK_OK)
    fail_msg("two seeds disagree: %s", why);
  assert_int_equal(sek_transcript_diff(NULL, NULL, b, NULL, NULL, NULL, 0), SEK_ERR_ARG);
  assert_int_equal(sek_transcript_diff(a, NULL, NULL, NULL, NULL, NULL, 0), SEK_ERR_ARG);

  /* the seed failure answered with success: found at that step, named */
  size_t bad = find_step(a, SEK_VERB_SIGN, SEK_STEP_ERROR, 0);
  sek_transcript *f = planted_copy(a, bad, plant_ok);
  assert_int_equal(diff_at(a, f, why, sizeof why), bad);
  assert_non_null(strstr(why, "result emulated: error, other: ok"));
  sek_transcript_free(f);
  /* the same result with another error code */
  sek_error *other = sek_error_new("CryptoTokenKit", -9, "planted");
  assert_non_null(other);
  planted_error = other;
  f = planted_copy(a, bad, plant_other_error);
  sek_error_free(other);
  assert_int_equal(diff_at(a, f, why, sizeof why), bad);
  assert_non_null(strstr(why, "error emulated: CryptoTokenKit -3, other: CryptoTokenKit -9"));
  sek_transcript_free(f);
  /* a find with another number of results */
  size_t found = find_step(a, SEK_VERB_FIND, SEK_STEP_OK, 0);
  f = planted_copy(a, found, plant_count);
  assert_int_equal(diff_at(a, f, why, sizeof why), found);
  assert_non_null(strstr(why, "find"));
  sek_transcript_free(f);
  /* a device step the other side skipped ends the comparison: what follows may differ */
  size_t change = find_step(a, SEK_VERB_BIOMETRY_CHANGE, SEK_STEP_OK, 0);
  assert_true(change < bad);
  f = planted_copy(a, change, plant_no_device);
  sek_transcript *g = planted_copy(f, bad, plant_ok);
  assert_int_equal(sek_transcript_diff(a, NULL, g, NULL, NULL, why, sizeof why), SEK_OK);
  sek_transcript_free(g);
  sek_transcript_free(f);
  /* runs of two different scripts are not compared step by step */
  sek_transcript *c = NULL;
  assert_int_equal(run_text("lock\n", 0, &c), SEK_OK);
  assert_int_equal(diff_at(a, c, why, sizeof why), 0);
  assert_non_null(strstr(why, "not one script"));
  sek_transcript_free(c);
  sek_transcript_free(a);
  sek_transcript_free(b);
  free(text);
}

typedef void (*plant_fn)(sek_scenario_step *st);

/* Copies t with plant() applied to step `at` (and, if extra is not SIZE_MAX, step `extra`
   appended again at the end, planted), then checks that the oracle reports `want`. */
static void expect_caught(const sek_transcript *t, size_t at, plant_fn plant, size_t extra,
                          sek_oracle_kind want) {
  sek_transcript *f = planted_copy(t, at, plant);
  if (extra != SIZE_MAX) {
    sek_scenario_step st = *sek_transcript_step(t, extra);
    assert_int_equal(sek_transcript_append(f, &st), SEK_OK);
  }
  sek_oracle_kind kind = SEK_ORACLE_OK;
  char why[512] = "";
  int rc = sek_transcript_check(f, &kind, why, sizeof why);
  if (want == SEK_ORACLE_OK) {
    if (rc != SEK_OK)
      fail_msg("a faithful copy was rejected: %s", why);
  } else {
    if (rc != SEK_SCENARIO_ERR_ORACLE || kind != want)
      fail_msg("wanted %s, got rc %d kind %s: %s", sek_oracle_kind_name(want), rc,
               sek_oracle_kind_name(kind), why);
    assert_non_null(strstr(why, "line "));
  }
  sek_transcript_free(f);
}

static void flip_signature(sek_scenario_step *st) { st->signature[st->signature_len - 1] ^= 1; }
static void other_message(sek_scenario_step *st) { st->message = (const uint8_t *)"hellO"; }
static void rsa_algorithm(sek_scenario_step *st) { st->algorithm = "algid:sign:RSA:raw"; }
static void other_pub(sek_scenario_step *st) {
  /* the generator of P-256: a valid point, but not this key's */
  static const uint8_t g[65] = {0x04, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc,
                                0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d,
                                0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
                                0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb,
                                0x4a, 0x7c, 0x0f, 0x9e, 0x16, 0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31,
                                0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5};
  memcpy(st->pub, g, 65);
}
static void sig_with_error(sek_scenario_step *st) {
  st->signature_with_error = true;
  st->signature_len = 70;
}
static void mismatch(sek_scenario_step *st) { st->status_error_mismatch = true; }
static void truth_says_retry(sek_scenario_step *st) {
  st->truth_action = SEK_ACTION_RETRY;
  st->truth_permanent = SEK_PERMANENT_NO;
}
static void no_truth(sek_scenario_step *st) { st->has_truth = false; }
static void verify_wrong_message(sek_scenario_step *st) {
  st->message = (const uint8_t *)"jello";
  st->message_is_signed_one = false;
}

static void test_oracle_accepts_the_genuine_run(void **state) {
  (void)state;
  sek_transcript *t = seed_transcript();
  assert_int_equal(sek_transcript_check(t, NULL, NULL, 0), SEK_OK);
  expect_caught(t, SIZE_MAX, NULL, SIZE_MAX, SEK_ORACLE_OK); /* the copy is faithful */
  sek_transcript_free(t);
}

static void test_oracle_catches_bad_signatures(void **state) {
  (void)state;
  sek_transcript *t = seed_transcript();
  size_t sign = find_step(t, SEK_VERB_SIGN, SEK_STEP_OK, 0);
  expect_caught(t, sign, flip_signature, SIZE_MAX, SEK_ORACLE_BAD_SIGNATURE);
  expect_caught(t, sign, other_message, SIZE_MAX, SEK_ORACLE_BAD_SIGNATURE);
  expect_caught(t, sign, rsa_algorithm, SIZE_MAX, SEK_ORACLE_BAD_SIGNATURE);
  sek_transcript_free(t);
}

static void test_oracle_catches_interface_breaches(void **state) {
  (void)state;
  sek_transcript *t = seed_transcript();
  size_t failed = find_step(t, SEK_VERB_SIGN, SEK_STEP_ERROR, 0);
  expect_caught(t, failed, sig_with_error, SIZE_MAX, SEK_ORACLE_SIGNATURE_WITH_ERROR);
  expect_caught(t, failed, mismatch, SIZE_MAX, SEK_ORACLE_CONTRACT);
  sek_transcript_free(t);
}

static void test_oracle_catches_a_dead_key_signing(void **state) {
  (void)state;
  sek_transcript *t = seed_transcript();
  /* the strict key's good signature before the enrollment change, replayed after its death */
  size_t failed = find_step(t, SEK_VERB_SIGN, SEK_STEP_ERROR, 0);
  const char *kid = sek_transcript_step(t, failed)->kid;
  size_t good = SIZE_MAX;
  for (size_t i = 0; i < failed && good == SIZE_MAX; i++) {
    const sek_scenario_step *st = sek_transcript_step(t, i);
    if (st->verb == SEK_VERB_SIGN && st->result == SEK_STEP_OK && strcmp(st->kid, kid) == 0)
      good = i;
  }
  assert_true(good != SIZE_MAX);
  expect_caught(t, SIZE_MAX, NULL, good, SEK_ORACLE_DEAD_KEY_SIGNED);
  sek_transcript_free(t);
}

static void test_oracle_catches_verdict_disagreement(void **state) {
  (void)state;
  sek_transcript *t = seed_transcript();
  size_t failed = find_step(t, SEK_VERB_SIGN, SEK_STEP_ERROR, 0);
  expect_caught(t, failed, truth_says_retry, SIZE_MAX, SEK_ORACLE_VERDICT);
  expect_caught(t, failed, no_truth, SIZE_MAX, SEK_ORACLE_NO_TRUTH);
  sek_transcript_free(t);
}

static void test_oracle_catches_verify_and_pub_lies(void **state) {
  (void)state;
  sek_transcript *t = seed_transcript();
  size_t verify = find_step(t, SEK_VERB_VERIFY, SEK_STEP_OK, 0);
  expect_caught(t, verify, verify_wrong_message, SIZE_MAX, SEK_ORACLE_VERIFY_DISAGREES);
  /* a later step of a kid seen before, with another public key */
  expect_caught(t, verify, other_pub, SIZE_MAX, SEK_ORACLE_PUB_CHANGED);
  sek_transcript_free(t);
}

static void test_oracle_names(void **state) {
  (void)state;
  assert_string_equal(sek_oracle_kind_name(SEK_ORACLE_VERDICT), "verdict");
  assert_string_equal(sek_oracle_kind_name((sek_oracle_kind)99), "unknown");
  assert_string_equal(sek_step_result_name(SEK_STEP_UNMET), "unmet");
  assert_string_equal(sek_strerror(SEK_SCENARIO_ERR_EXPECT), "a scenario expectation did not hold");
  assert_int_equal(sek_transcript_check(NULL, NULL, NULL, 0), SEK_ERR_ARG);
}

static const struct CMUnitTest scenario_tests[] = {
    cmocka_unit_test(test_parse_empty_and_comments),
    cmocka_unit_test(test_parse_device_verbs),
    cmocka_unit_test(test_parse_answers),
    cmocka_unit_test(test_parse_faults),
    cmocka_unit_test(test_parse_create_multiline_literal),
    cmocka_unit_test(test_parse_find_and_delete),
    cmocka_unit_test(test_parse_sign_algorithms_and_messages),
    cmocka_unit_test(test_parse_verify_pubkey_reenroll),
    cmocka_unit_test(test_parse_expectations),
    cmocka_unit_test(test_parse_key_names),
    cmocka_unit_test(test_parse_refusals),
    cmocka_unit_test(test_parse_attrs_error_position_is_in_the_script),
    cmocka_unit_test(test_parse_limits),
    cmocka_unit_test(test_print_canonical),
    cmocka_unit_test(test_print_fixed_point_on_examples),
    cmocka_unit_test(test_run_examples),
    cmocka_unit_test(test_device_line),
    cmocka_unit_test(test_diff),
    cmocka_unit_test(test_run_seed_failure),
    cmocka_unit_test(test_run_unmet_expectation_says_expected_and_got),
    cmocka_unit_test(test_run_error_user_info_mismatch),
    cmocka_unit_test(test_run_failed_create_leaves_no_key),
    cmocka_unit_test(test_run_delete_key_and_reenroll),
    cmocka_unit_test(test_run_verify_other_message_fails),
    cmocka_unit_test(test_run_is_deterministic),
    cmocka_unit_test(test_run_without_emulator),
    cmocka_unit_test(test_oracle_accepts_the_genuine_run),
    cmocka_unit_test(test_oracle_catches_bad_signatures),
    cmocka_unit_test(test_oracle_catches_interface_breaches),
    cmocka_unit_test(test_oracle_catches_a_dead_key_signing),
    cmocka_unit_test(test_oracle_catches_verdict_disagreement),
    cmocka_unit_test(test_oracle_catches_verify_and_pub_lies),
    cmocka_unit_test(test_oracle_names),
};

SEK_TEST_MAIN(scenario_tests)
