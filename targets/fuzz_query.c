/*
 * fuzz_query: SecItemCopyMatching over the emulated keychain — sek_backend_copy_matching
 * (include/sek/backend.h) on the emulator (include/sek/emu.h), its SQL path (query.h compiled to
 * bound SQL in the store) against sek_emu_copy_matching_reference, the brute-force matcher.
 *
 * The keychain is fixed and built once at start-up: 24 Secure Enclave keys with string, data and
 * default (SHA-1) application labels, tags, labels, creators, every protection class and several
 * access controls.  Each input is a query:
 *  - text (any first byte but 0x01): a dictionary literal (design §4.1), e.g. the seed's query;
 *  - 0x01 then builder calls (sek_fi_*): keys from the query-key and column tables, values of
 *    every kind from tables of what the keychain holds, and whether the device is locked.
 * Invariants, abort() on any violation:
 *  Q1 SQL == brute force: same status; same error (domain, code, description, user info); the
 *     same results in the same order (attributes equal, data equal, same key ids).
 *  Q2 the match limit holds: one (the default) returns at most one, a number n at most n.
 *  Q3 no result carries private key bytes: no scalar, no wrapped blob, not the device key, in
 *     any attribute value (nested too), data, or the key's SecKeyCopyAttributes.
 *  Q4 errors are the right ones: a query Security refuses gives exactly the compiler's error;
 *     otherwise only errSecItemNotFound, or errSecInteractionNotAllowed while locked; the
 *     ground truth names a row with the error's code; a non-key class never matches.
 *  Q5 deterministic: the SQL path run twice gives the same answer; the keychain is unchanged.
 * No disk (":memory:"), no sleep; every allocation is freed.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sek/attrs.h>
#include <sek/emu.h>
#include <sek/query.h>

#include "../src/backend/emulated/emu_internal.h"
#include "fuzz_input.h"

#define NUM_KEYS 24
#define MAX_SECRETS (1 + 2 * NUM_KEYS)

static sek_emu *emu;
static struct {
  uint8_t bytes[64];
  size_t len;
} secrets[MAX_SECRETS];
static size_t num_secrets;
static size_t keychain_size;

static void die(const char *what) {
  fprintf(stderr, "fuzz_query: invariant broken: %s\n", what);
  abort();
}

static void keep_secret(void *ctx, const uint8_t *p, size_t len) {
  (void)ctx;
  if (num_secrets < MAX_SECRETS && len <= sizeof secrets[0].bytes) {
    memcpy(secrets[num_secrets].bytes, p, len);
    secrets[num_secrets++].len = len;
  }
}

/* The values the keychain holds, reused by the builder so that queries often match. */
#define S(text)                                                                                    \
  { text, sizeof text - 1 }
static const struct {
  const char *s;
  size_t len;
} strings[] = {S("unique label"),
               S("alpha"),
               S("beta"),
               S("gamma"),
               S("tag0"),
               S("tag1"),
               S("L"),
               S("keys"),
               S("genp"),
               S("73"),
               S("42"),
               S("1"),
               S("256"),
               S("syna"),
               S("m_LimitOne"),
               S("m_LimitAll"),
               S("u_AuthUIF"),
               S("com.apple.setoken"),
               S(SEK_EMU_DEFAULT_ACCESS_GROUP),
               S(""),
               S("aku"),
               S("akpu"),
               S("ak"),
               S("x' OR 1=1 --"),
               S("a\0b")};
#undef S
static const char *const constants[] = {
    "keys", "genp",       "idnt",       "73",        "42",        "1",         "0",
    "syna", "m_LimitOne", "m_LimitAll", "u_AuthUIA", "u_AuthUIF", "u_AuthUIS", "com.apple.setoken",
    "ak",   "aku",        "dku",        "nope"};
static const int64_t numbers[] = {0, 1, 2, 3, 73, 256, -1, 42, 4294967297LL, INT64_MIN};
static const char *const keys[] = {
    "class",      "m_Limit",  "r_Ref",      "r_Attributes", "r_Data", "r_PersistentRef",
    "u_OpPrompt", "u_AuthUI", "u_NoAuthUI", "u_AuthCtx",    "nleg",   "m_CaseInsensitive",
    "m_Policy",   "v_Ref",    "v_Data",     "accc",         "acct",   "svce",
    "private",    "toid",     "tomb",       "persistref"};

static void build_keychain(void) {
  sek_emu_config cfg;
  sek_emu_config_default(&cfg);
  cfg.seed = 0x5e4f;
  char why[256];
  if (sek_emu_new(&cfg, &emu, why, sizeof why) != SEK_OK) {
    fprintf(stderr, "fuzz_query: %s\n", why);
    abort();
  }
  static const char *const prots[] = {"ak", "ck", "dk", "aku", "cku", "dku", "akpu", "f"};
  static const uint32_t flags[] = {SEK_AC_PRIVATE_KEY_USAGE,
                                   SEK_AC_PRIVATE_KEY_USAGE | SEK_AC_BIOMETRY_ANY,
                                   SEK_AC_PRIVATE_KEY_USAGE | SEK_AC_BIOMETRY_CURRENT_SET, 0};
  for (size_t i = 0; i < NUM_KEYS; i++) {
    sek_attrs *p = sek_attrs_new(), *priv = sek_attrs_new();
    if (p == NULL || priv == NULL)
      abort();
    sek_attrs_set_constant(p, "tkid", "com.apple.setoken");
    sek_attrs_set_constant(p, "type", "73");
    sek_attrs_set_number(p, "bsiz", 256);
    if (flags[i % 4] != 0)
      sek_attrs_set_access_control(priv, "accc", prots[i % 8], flags[i % 4]);
    else
      sek_attrs_set_constant(priv, "pdmn", prots[i % 8]);
    sek_attrs_set_bool(priv, "perm", true);
    if (i % 3 != 2)
      sek_attrs_set_string(priv, "atag", strings[4 + i % 2].s, 4);
    if (i % 5 == 0)
      sek_attrs_set_string(priv, "labl", "L", 1);
    sek_attrs_set_number(p, "crtr", (int64_t)(i % 2));
    if (i % 4 == 1) { /* string labels; others data or the SHA-1 default */
      char label[16];
      int n = snprintf(label, sizeof label, "%s", strings[(i / 4) % 4].s);
      sek_attrs_set_string(p, "klbl", label, (size_t)n);
    } else if (i % 4 == 2) {
      uint8_t d[3] = {(uint8_t)i, 0, 0xff};
      sek_attrs_set_data(p, "klbl", d, sizeof d);
    }
    sek_attrs_set_dict(p, "private", priv);
    sek_key *k = NULL;
    if (sek_backend_create_random_key(sek_emu_backend(emu), p, &k, NULL) == SEK_OK)
      keychain_size++;
    sek_key_free(k);
    sek_attrs_free(p);
  }
  if (keychain_size < NUM_KEYS / 2 || emu_testing_secrets(emu, keep_secret, NULL) != SEK_OK)
    die("the fixed keychain could not be built");
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  build_keychain();
  return 0;
}

/* ---- Q3: no secret anywhere ------------------------------------------------------------- */

static void scan(const uint8_t *p, size_t len) {
  for (size_t s = 0; s < num_secrets; s++) {
    size_t n = secrets[s].len;
    for (size_t off = 0; len >= n && off <= len - n; off++)
      if (p[off] == secrets[s].bytes[0] && memcmp(p + off, secrets[s].bytes, n) == 0)
        die("a result carries private key material (Q3)");
  }
}

static void scan_attrs(const sek_attrs *a, unsigned depth) {
  for (size_t i = 0; a != NULL && i < sek_attrs_count(a); i++) {
    const char *key;
    const sek_value *v;
    if (sek_attrs_entry(a, i, &key, &v) != SEK_OK)
      die("attribute iteration failed");
    size_t len = 0;
    const uint8_t *bytes = NULL;
    switch (sek_value_kind_of(v)) {
    case SEK_VALUE_DATA: bytes = sek_value_data(v, &len); break;
    case SEK_VALUE_STRING:
    case SEK_VALUE_CONSTANT: bytes = (const uint8_t *)sek_value_string(v, &len); break;
    case SEK_VALUE_DICT:
      if (depth < 4)
        scan_attrs(sek_value_dict(v), depth + 1);
      break;
    default: break;
    }
    if (bytes != NULL)
      scan(bytes, len);
  }
}

/* ---- Q1: the two paths agree ----------------------------------------------------------- */

static void same_results(const sek_items *a, const sek_items *b) {
  if (sek_items_count(a) != sek_items_count(b))
    die("SQL and brute force return different numbers of items (Q1)");
  for (size_t i = 0; i < sek_items_count(a); i++) {
    if (!sek_attrs_equal(sek_items_attributes(a, i), sek_items_attributes(b, i)))
      die("SQL and brute force return different attributes (Q1)");
    size_t la = 0, lb = 0;
    const uint8_t *da = sek_items_data(a, i, &la), *db = sek_items_data(b, i, &lb);
    if ((da == NULL) != (db == NULL) || la != lb || (la > 0 && memcmp(da, db, la) != 0))
      die("SQL and brute force return different data (Q1)");
    const sek_key *ka = sek_items_key(a, i), *kb = sek_items_key(b, i);
    if ((ka == NULL) != (kb == NULL))
      die("SQL and brute force differ in references (Q1)");
    if (ka != NULL) {
      char ida[17], idb[17];
      if (sek_emu_key_kid(emu, ka, ida) != SEK_OK || sek_emu_key_kid(emu, kb, idb) != SEK_OK ||
          strcmp(ida, idb) != 0)
        die("SQL and brute force return different keys (Q1)");
    }
  }
}

static void check_items(const sek_items *items, size_t limit) {
  if (sek_items_count(items) == 0 || sek_items_count(items) > limit)
    die("a result list is empty or beyond the match limit (Q2)");
  for (size_t i = 0; i < sek_items_count(items); i++) {
    scan_attrs(sek_items_attributes(items, i), 0);
    size_t len = 0;
    const uint8_t *d = sek_items_data(items, i, &len);
    if (d != NULL)
      scan(d, len);
    const sek_key *k = sek_items_key(items, i);
    if (k != NULL) {
      sek_attrs *ka = NULL;
      if (sek_backend_copy_key_attributes(sek_emu_backend(emu), k, &ka, NULL) != SEK_OK)
        die("SecKeyCopyAttributes failed on a found key");
      scan_attrs(ka, 0);
      sek_attrs_free(ka);
    }
  }
}

/* ---- Q4: the right errors ---------------------------------------------------------------- */

static void check_error(int st, const sek_error *err, bool compiled, const sek_error *compile_err,
                        const sek_query *q, bool locked) {
  if (st != SEK_BACKEND_ERR_APPLE || err == NULL)
    die("copy_matching failed without an Apple error");
  if (!compiled) {
    if (!sek_error_equal(err, compile_err))
      die("a refused query gives another error than the compiler's (Q4)");
  } else {
    long code = sek_error_code(err);
    if (code != -25300 && !(locked && code == -25308))
      die("a valid query gives an error other than not-found / locked (Q4)");
    if (strcmp(sek_query_class(q), "keys") != 0 && code != -25300)
      die("a non-key class gives another error than not-found (Q4)");
  }
  sek_emu_truth truth;
  if (sek_emu_last_truth(emu, &truth) != SEK_OK || truth.row == NULL ||
      truth.row->code != sek_error_code(err) ||
      strcmp(truth.row->domain, sek_error_domain(err)) != 0)
    die("the ground truth does not name the error's row (Q4)");
  char *text = sek_error_format(err);
  if (text == NULL)
    die("an error does not print");
  scan((const uint8_t *)text, strlen(text));
  free(text);
}

/* ---- inputs -------------------------------------------------------------------------------- */

static void set_random_value(sek_attrs *a, const char *key, sek_fi *fi, unsigned depth) {
  size_t len = 0;
  const uint8_t *bytes;
  switch (sek_fi_pick(fi, 9)) {
  case 0: {
    size_t s = sek_fi_pick(fi, sizeof strings / sizeof strings[0]);
    sek_attrs_set_string(a, key, strings[s].s, strings[s].len);
    break;
  }
  case 1:
    bytes = sek_fi_bytes(fi, sek_fi_range(fi, 0, 24), &len);
    sek_attrs_set_string(a, key, (const char *)bytes, len);
    break;
  case 2: {
    size_t s = sek_fi_pick(fi, sizeof strings / sizeof strings[0]);
    sek_attrs_set_data(a, key, (const uint8_t *)strings[s].s, strings[s].len);
    break;
  }
  case 3:
    bytes = sek_fi_bytes(fi, sek_fi_range(fi, 0, 24), &len);
    sek_attrs_set_data(a, key, bytes, len);
    break;
  case 4:
    sek_attrs_set_number(a, key,
                         sek_fi_bool(fi) ? numbers[sek_fi_pick(fi, 10)] : (int64_t)sek_fi_u64(fi));
    break;
  case 5: sek_attrs_set_bool(a, key, sek_fi_bool(fi)); break;
  case 6:
    sek_attrs_set_constant(a, key,
                           constants[sek_fi_pick(fi, sizeof constants / sizeof constants[0])]);
    break;
  case 7: sek_attrs_set_date(a, key, sek_fi_bool(fi) ? 0.0 : 644198401.0); break;
  default:
    if (depth == 0) {
      sek_attrs *child = sek_attrs_new();
      if (child != NULL && sek_fi_bool(fi))
        set_random_value(child, "klbl", fi, depth + 1);
      sek_attrs_set_dict(a, key, child);
    } else {
      sek_attrs_set_access_control(a, key, "aku", SEK_AC_PRIVATE_KEY_USAGE);
    }
  }
}

static sek_attrs *build_query(sek_fi *fi, bool *locked) {
  sek_attrs *a = sek_attrs_new();
  if (a == NULL)
    return NULL;
  *locked = sek_fi_range(fi, 0, 7) == 0;
  if (sek_fi_range(fi, 0, 7) != 0)
    sek_attrs_set_constant(a, "class", "keys");
  size_t n = sek_fi_range(fi, 0, 10);
  for (size_t i = 0; i < n; i++) {
    size_t pick = sek_fi_pick(fi, sizeof keys / sizeof keys[0] + SEK_COL_COUNT);
    const char *key =
        pick < sizeof keys / sizeof keys[0]
            ? keys[pick]
            : sek_column_info_at((sek_column)(pick - sizeof keys / sizeof keys[0]))->name;
    set_random_value(a, key, fi, 0);
  }
  return a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (emu == NULL)
    build_keychain();
  /* Real queries are short; the literal parser is linear, so 4 KiB bounds the work. */
  if (size > 4096)
    return 0;
  sek_attrs *query = NULL;
  bool locked = false;
  if (size > 0 && data[0] == 0x01) {
    sek_fi fi = sek_fi_make(data + 1, size - 1);
    query = build_query(&fi, &locked);
  } else if (sek_attrs_parse((const char *)data, size, &query, NULL) != SEK_OK) {
    return 0;
  }
  if (query == NULL)
    return 0;
  if (locked)
    sek_emu_lock(emu);

  sek_query *q = NULL;
  sek_error *compile_err = NULL;
  int cst = sek_query_compile(query, SEK_QUERY_COPY, &q, &compile_err);
  if (cst != SEK_OK && cst != SEK_QUERY_ERR_INVALID)
    die("the query compiler failed for a reason other than the query");

  sek_items *a = NULL, *b = NULL, *c = NULL;
  sek_error *ea = NULL, *eb = NULL, *ec = NULL;
  int sa = sek_backend_copy_matching(sek_emu_backend(emu), query, &a, &ea);
  int sc = sek_backend_copy_matching(sek_emu_backend(emu), query, &c, &ec);
  int sb = sek_emu_copy_matching_reference(emu, query, &b, &eb);
  if (sa != sb || sa != sc)
    die("SQL, a second SQL run and brute force give different statuses (Q1, Q5)");
  if (sa == SEK_OK) {
    same_results(a, b);
    same_results(a, c);
    check_items(a, cst == SEK_OK ? sek_query_limit(q) : 0);
  } else {
    if (!sek_error_equal(ea, eb) || !sek_error_equal(ea, ec))
      die("SQL and brute force give different errors (Q1)");
    check_error(sa, ea, cst == SEK_OK, compile_err, q, locked);
  }
  sek_items_free(a);
  sek_items_free(b);
  sek_items_free(c);
  sek_error_free(ea);
  sek_error_free(eb);
  sek_error_free(ec);
  sek_error_free(compile_err);
  sek_query_free(q);
  sek_attrs_free(query);
  if (locked)
    sek_emu_unlock(emu);
  sek_emu_state st;
  sek_emu_get_state(emu, &st);
  if (st.key_count != keychain_size)
    die("a query changed the keychain (Q5)");
  return 0;
}
