/*
 * fuzz_attrs: the attribute-dictionary module (include/sek/attrs.h): sek_attrs_parse,
 * sek_attrs_print / _print_json, sek_attrs_copy / _equal, sek_attrs_lint, the builder
 * (sek_attrs_set_* / _remove / _get / _entry) and sek_access_control_check / _describe.
 *
 * Every input is used twice:
 *  A. as a literal (design §4.1).  Invariants, abort() on any violation:
 *     A1 parse fails  =>  a status of the attrs range (or NOMEM), a position at line >= 1,
 *        col >= 1 and not past the end of the input, and a non-empty message.
 *     A2 parse succeeds  =>  print(x) parses to y with equal(x, y), and print(y) == print(x)
 *        byte for byte (the canonical form is a fixed point).
 *     A3 copy(x) equals x; the JSON form exists.
 *     A4 lint is total and deterministic: lint(x) twice gives the same findings; lint(x) and
 *        lint(y) give the same (rule, severity, message) multiset — findings depend on the
 *        tree, not on where it was written; has_errors agrees with the findings; every finding
 *        names a rule of the table with its severity and evidence.
 *  B. as a sequence of builder calls (sek_fi_*: choices from the end, strings from the front).
 *     B1 each set that succeeds makes get(key) return a value of that kind; a remove that
 *        succeeds makes it NULL; a failing set leaves the count unchanged.
 *     B2 iteration is strictly sorted by raw key, count matches, keys are the table's raw
 *        strings for table names.
 *     B3 the built tree round-trips through print/parse (A2), copies equal (A3), lints (A4).
 *     B4 sek_access_control_check is the §5a rule set: its verdict equals an independent
 *        re-statement; describe never fails on a valid protection.
 * Deterministic, no disk, no sleep; every allocation is freed.
 *
 *     A5 the emulated Secure Enclave accepts a key-generation dictionary exactly when the lint
 *        finds no error, but for the two documented rows named at emulator_oracle().
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sek/attrs.h>
#include <sek/backend.h>
#include <sek/emu.h>

#include "fuzz_input.h"

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond))                                                                                   \
      abort();                                                                                     \
  } while (0)

/*
 * A5, the emulator oracle (design §6): for a key-generation dictionary, the emulated Secure
 * Enclave accepts it exactly when the lint finds no error.  sek_emu_check_keygen has no side
 * effects, so one device made at start-up serves every input.  Two differences are documented
 * rows of the behaviour table (docs/emulator.md) and allowed:
 *  - keygen.not_secure_enclave_token: the emulator models Secure Enclave keys only, so a
 *    lint-clean software-key dictionary is refused by it;
 *  - SE004 (no .privateKeyUsage) is an error to the lint because every signature will fail,
 *    but a device creates such a key and fails only on use (sign.no_private_key_usage).
 *  - keygen.attribute with TY002: a value of another kind than the attribute takes is a warning
 *    to the lint (Swift bridging makes some work, Security reads others as absent) and a refusal
 *    to the emulator, which takes the strict side where the reference gives no answer.
 * A dictionary with a value the lint cannot judge (see has_unknown_value) is not compared.
 */
static sek_emu *oracle_emu;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  sek_emu_config cfg;
  sek_emu_config_default(&cfg);
  CHECK(sek_emu_new(&cfg, &oracle_emu, NULL, 0) == SEK_OK);
  return 0;
}

/*
 * True when the lint says it cannot judge a value: a variable the literal does not define
 * (RF001) or a constant no table knows (UK002, a typo that would not even compile).  Neither
 * side knows what such a value would be on a device, so the two are not compared.
 */
static bool has_rule(const sek_lint_report *r, const char *id);

static bool has_unknown_value(const sek_lint_report *r) {
  return has_rule(r, "RF001") || has_rule(r, "UK002");
}

/* True when the report has a finding of rule id. */
static bool has_rule(const sek_lint_report *r, const char *id) {
  for (size_t i = 0; i < sek_lint_count(r); i++)
    if (strcmp(sek_lint_get(r, i)->rule_id, id) == 0)
      return true;
  return false;
}

/* True when every error of the report is SE004. */
static bool only_se004_errors(const sek_lint_report *r) {
  for (size_t i = 0; i < sek_lint_count(r); i++) {
    const sek_lint_finding *f = sek_lint_get(r, i);
    if (f->severity == SEK_LINT_ERROR && strcmp(f->rule_id, "SE004") != 0)
      return false;
  }
  return true;
}

static void emulator_oracle(const sek_attrs *a, const sek_lint_report *r) {
  if (oracle_emu == NULL || sek_lint_report_kind(r) != SEK_LINT_KEYGEN ||
      has_unknown_value(r))
    return;
  sek_error *err = NULL;
  int st = sek_emu_check_keygen(oracle_emu, a, &err);
  CHECK(st == SEK_OK || st == SEK_BACKEND_ERR_APPLE || st == SEK_ERR_NOMEM);
  if (st == SEK_ERR_NOMEM)
    return;
  CHECK((st == SEK_OK) == (err == NULL));
  bool lint_ok = !sek_lint_has_errors(r), accepted = st == SEK_OK;
  if (lint_ok && !accepted) {
    sek_emu_truth truth;
    CHECK(sek_emu_last_truth(oracle_emu, &truth) == SEK_OK && truth.row != NULL);
    CHECK(strcmp(truth.row->id, "keygen.not_secure_enclave_token") == 0 ||
          (strcmp(truth.row->id, "keygen.attribute") == 0 && has_rule(r, "TY002")));
  } else if (!lint_ok && accepted) {
    CHECK(only_se004_errors(r));
  }
  sek_error_free(err);
}

/* ---- A4: lint determinism ---- */

typedef struct {
  const char *rule;
  int severity;
  const char *message;
} finding_key;

static int cmp_key(const void *x, const void *y) {
  const finding_key *a = x, *b = y;
  int c = strcmp(a->rule, b->rule);
  if (c != 0)
    return c;
  if (a->severity != b->severity)
    return a->severity < b->severity ? -1 : 1;
  return strcmp(a->message, b->message);
}

static finding_key *keys_of(const sek_lint_report *r) {
  size_t n = sek_lint_count(r);
  finding_key *k = calloc(n + 1, sizeof *k);
  CHECK(k != NULL);
  for (size_t i = 0; i < n; i++) {
    const sek_lint_finding *f = sek_lint_get(r, i);
    k[i].rule = f->rule_id;
    k[i].severity = (int)f->severity;
    k[i].message = f->message;
  }
  qsort(k, n, sizeof *k, cmp_key);
  return k;
}

static void check_report(const sek_lint_report *r) {
  bool errors = false;
  for (size_t i = 0; i < sek_lint_count(r); i++) {
    const sek_lint_finding *f = sek_lint_get(r, i);
    CHECK(f != NULL && f->rule_id != NULL && f->evidence != NULL && f->message[0] != '\0');
    const sek_lint_rule *rule = NULL;
    for (size_t j = 0; j < sek_lint_rule_count(); j++)
      if (strcmp(sek_lint_rule_at(j)->id, f->rule_id) == 0)
        rule = sek_lint_rule_at(j);
    CHECK(rule != NULL && rule->severity == f->severity && rule->evidence == f->evidence);
    errors |= f->severity == SEK_LINT_ERROR;
  }
  CHECK(sek_lint_get(r, sek_lint_count(r)) == NULL);
  CHECK(errors == sek_lint_has_errors(r));
}

/* A4 over x and its reparsed print y (y may be NULL). */
static void check_lint(const sek_attrs *x, const sek_attrs *y) {
  const sek_lint_kind kinds[] = {SEK_LINT_AUTO, SEK_LINT_KEYGEN, SEK_LINT_QUERY};
  for (size_t k = 0; k < 3; k++) {
    sek_lint_report *r1 = NULL, *r2 = NULL, *r3 = NULL;
    CHECK(sek_attrs_lint(x, kinds[k], &r1) == SEK_OK);
    check_report(r1);
    CHECK(sek_lint_report_kind(r1) != SEK_LINT_AUTO);
    if (k == 0) { /* the same tree twice: the same findings in the same order */
      CHECK(sek_attrs_lint(x, kinds[k], &r2) == SEK_OK);
      CHECK(sek_lint_count(r1) == sek_lint_count(r2));
      for (size_t i = 0; i < sek_lint_count(r1); i++) {
        const sek_lint_finding *a = sek_lint_get(r1, i), *b = sek_lint_get(r2, i);
        CHECK(strcmp(a->rule_id, b->rule_id) == 0 && a->line == b->line && a->col == b->col &&
              strcmp(a->message, b->message) == 0);
      }
    }
    if (y != NULL) {
      CHECK(sek_attrs_lint(y, kinds[k], &r3) == SEK_OK);
      CHECK(sek_lint_count(r1) == sek_lint_count(r3));
      CHECK(sek_lint_report_kind(r1) == sek_lint_report_kind(r3));
      finding_key *k1 = keys_of(r1), *k3 = keys_of(r3);
      for (size_t i = 0; i < sek_lint_count(r1); i++)
        CHECK(cmp_key(&k1[i], &k3[i]) == 0);
      free(k1);
      free(k3);
    }
    if (k == 0)
      emulator_oracle(x, r1);
    sek_lint_report_free(r1);
    sek_lint_report_free(r2);
    sek_lint_report_free(r3);
  }
}

/* A2, A3, A4 for a tree. */
static void check_tree(const sek_attrs *x) {
  char *p1 = sek_attrs_print(x);
  CHECK(p1 != NULL);
  sek_attrs *y = NULL;
  sek_attrs_parse_error err;
  int st = sek_attrs_parse(p1, strlen(p1), &y, &err);
  CHECK(st == SEK_OK);
  CHECK(sek_attrs_equal(x, y) && sek_attrs_equal(y, x));
  char *p2 = sek_attrs_print(y);
  CHECK(p2 != NULL && strcmp(p1, p2) == 0);
  sek_attrs *c = sek_attrs_copy(x);
  CHECK(c != NULL && sek_attrs_equal(c, x) && sek_attrs_count(c) == sek_attrs_count(x));
  char *j = sek_attrs_print_json(x);
  CHECK(j != NULL);
  check_lint(x, y);
  free(j);
  sek_attrs_free(c);
  free(p2);
  free(p1);
  sek_attrs_free(y);
}

/* ---- A: the literal ---- */

static void literal(const uint8_t *data, size_t size) {
  sek_attrs *x = NULL;
  sek_attrs_parse_error err;
  int st = sek_attrs_parse((const char *)data, size, &x, &err);
  if (st != SEK_OK) {
    CHECK(x == NULL);
    CHECK((st <= SEK_ATTRS_ERR_PARSE && st >= -399) || st == SEK_ERR_NOMEM);
    unsigned lines = 1;
    for (size_t i = 0; i < size; i++)
      lines += data[i] == '\n';
    CHECK(err.line >= 1 && err.line <= lines && err.col >= 1 && err.message[0] != '\0');
    CHECK(memchr(err.message, '\0', sizeof err.message) != NULL);
    return;
  }
  check_tree(x);
  sek_attrs_free(x);
}

/* ---- B: the builder ---- */

/* A key: a table name, a table raw string, or fuzz text. */
static char *pick_key(sek_fi *fi) {
  size_t n = sek_attrs_name_count();
  switch (sek_fi_range(fi, 0, 3)) {
  case 0: {
    const sek_attrs_name *row = sek_attrs_name_at(sek_fi_pick(fi, n));
    return strdup(row->name);
  }
  case 1: {
    const sek_attrs_name *row = sek_attrs_name_at(sek_fi_pick(fi, n));
    return strdup(row->raw);
  }
  default: return sek_fi_cstr(fi, 24);
  }
}

static char *pick_constant(sek_fi *fi) {
  size_t n = sek_attrs_name_count();
  if (sek_fi_bool(fi)) {
    const sek_attrs_name *row = sek_attrs_name_at(sek_fi_pick(fi, n));
    return strdup(sek_fi_bool(fi) ? row->name : row->raw);
  }
  return sek_fi_cstr(fi, 24);
}

static const char *const protections[] = {
    "ak", "ck", "dk", "aku", "cku", "dku", "akpu", "f", "kSecAttrAccessibleWhenUnlocked", "xx"};

/* §5a, stated again independently of src/access_control.c */
static bool ac_valid(const char *p, uint32_t f) {
  bool prot = false;
  for (size_t i = 0; i < 8; i++)
    prot |= strcmp(p, protections[i]) == 0;
  prot |= strcmp(p, "kSecAttrAccessibleWhenUnlocked") == 0;
  if (!prot)
    return false;
  if ((f & SEK_AC_OR) && (f & SEK_AC_AND))
    return false;
  if ((f & SEK_AC_BIOMETRY_ANY) && (f & SEK_AC_BIOMETRY_CURRENT_SET))
    return false;
  uint32_t with_up = SEK_AC_USER_PRESENCE | SEK_AC_APPLICATION_PASSWORD | SEK_AC_PRIVATE_KEY_USAGE;
  return !((f & SEK_AC_USER_PRESENCE) && (f & ~with_up));
}

static void check_sorted(const sek_attrs *a) {
  const char *prev = NULL;
  size_t i = 0;
  const char *k;
  const sek_value *v;
  while (sek_attrs_entry(a, i, &k, &v) == SEK_OK) {
    CHECK(k != NULL && v != NULL && (prev == NULL || strcmp(prev, k) < 0));
    CHECK(sek_attrs_get(a, k) == v);
    prev = k;
    i++;
  }
  CHECK(i == sek_attrs_count(a));
}

static sek_attrs *build(sek_fi *fi, unsigned depth) {
  sek_attrs *a = sek_attrs_new();
  CHECK(a != NULL);
  size_t ops = sek_fi_range(fi, 0, depth == 0 ? 24 : 6);
  for (size_t op = 0; op < ops && sek_fi_remaining(fi) > 0; op++) {
    char *key = pick_key(fi);
    CHECK(key != NULL);
    size_t before = sek_attrs_count(a);
    int kind = (int)sek_fi_range(fi, 0, 11);
    int st = SEK_ERR_ARG;
    sek_value_kind want = SEK_VALUE_STRING;
    size_t got;
    const uint8_t *bytes;
    switch (kind) {
    case 0:
      bytes = sek_fi_bytes(fi, sek_fi_range(fi, 0, 16), &got);
      st = sek_attrs_set_string(a, key, (const char *)bytes, got);
      want = SEK_VALUE_STRING;
      break;
    case 1:
      bytes = sek_fi_bytes(fi, sek_fi_range(fi, 0, 16), &got);
      st = sek_attrs_set_data(a, key, bytes, got);
      want = SEK_VALUE_DATA;
      break;
    case 2:
      st = sek_attrs_set_number(a, key, (int64_t)sek_fi_u64(fi));
      want = SEK_VALUE_NUMBER;
      break;
    case 3: {
      uint64_t u = sek_fi_u64(fi);
      double d;
      memcpy(&d, &u, sizeof d);
      st = sek_attrs_set_real(a, key, d);
      want = SEK_VALUE_NUMBER;
      break;
    }
    case 4:
      st = sek_attrs_set_bool(a, key, sek_fi_bool(fi));
      want = SEK_VALUE_BOOL;
      break;
    case 5: {
      double d = (double)(int32_t)sek_fi_u32(fi) / 8.0;
      st = sek_attrs_set_date(a, key, d);
      want = SEK_VALUE_DATE;
      break;
    }
    case 6: {
      char *c = pick_constant(fi);
      CHECK(c != NULL);
      st = sek_attrs_set_constant(a, key, c);
      free(c);
      want = SEK_VALUE_CONSTANT;
      break;
    }
    case 7:
      if (depth < 3) {
        sek_attrs *child = build(fi, depth + 1);
        st = sek_attrs_set_dict(a, key, child); /* takes child in every case */
        want = SEK_VALUE_DICT;
      }
      break;
    case 8:
    case 9: {
      const char *p = protections[sek_fi_pick(fi, sizeof protections / sizeof protections[0])];
      uint32_t f = sek_fi_u32(fi);
      if (sek_fi_bool(fi))
        f &= SEK_AC_ALL_FLAGS;
      const char *unk[2] = {"notAFlag", "alsoUnknown"};
      size_t nu = kind == 9 ? sek_fi_range(fi, 0, 2) : 0;
      st = sek_attrs_set_access_control_ex(a, key, p, f, sek_fi_u32(fi), unk, nu);
      want = SEK_VALUE_ACCESS_CONTROL;
      /* B4 */
      const char *reason = NULL;
      int ck = sek_access_control_check(p, f, &reason);
      CHECK((ck == SEK_OK) == ac_valid(p, f));
      CHECK(ck == SEK_OK || (reason != NULL && ck <= -310 && ck >= -313));
      char *d = sek_access_control_describe(p, f);
      CHECK(d != NULL && strncmp(d, "<SecAccessControlRef: ", 22) == 0);
      free(d);
      break;
    }
    case 10: {
      char *name = sek_fi_cstr(fi, 16);
      CHECK(name != NULL);
      st = sek_attrs_set_reference(a, key, name, strlen(name));
      free(name);
      want = SEK_VALUE_REFERENCE;
      break;
    }
    default: {
      bool had = sek_attrs_get(a, key) != NULL;
      st = sek_attrs_remove(a, key);
      CHECK((st == SEK_OK) == had);
      if (st == SEK_OK)
        CHECK(sek_attrs_get(a, key) == NULL && sek_attrs_count(a) == before - 1);
      free(key);
      continue;
    }
    }
    /* B1 */
    if (st == SEK_OK) {
      const sek_value *v = sek_attrs_get(a, key);
      CHECK(v != NULL && sek_value_kind_of(v) == want);
      CHECK(sek_attrs_count(a) == before || sek_attrs_count(a) == before + 1);
    } else {
      CHECK(sek_attrs_count(a) == before);
    }
    free(key);
  }
  check_sorted(a);
  return a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  literal(data, size);
  sek_fi fi = sek_fi_make(data, size);
  sek_attrs *a = build(&fi, 0);
  check_tree(a);
  sek_attrs_free(a);
  return 0;
}
