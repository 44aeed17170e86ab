/*
 * test_store: the emulated keychain's SQLite store (src/backend/emulated/store.h).
 *
 * The schema is Apple's keys table (checked against apple-facts §8 written out here, not
 * against store.c's own text); files are 0600; changes are transactions; UNIQUE clashes are
 * their own status; values are bound, never pasted; foreign, damaged and not-database files are
 * refused with a message naming the file, and never crash the process.
 */
#include "sek_test.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include <sek/query.h>

#include "backend/emulated/store.h"

/* apple-facts §8: the keys table's columns in order, its UNIQUE key, its indexes. */
static const char *const apple_columns[] = {
    "rowid", "cdat", "mdat", "kcls", "labl",       "alis", "perm", "priv", "modi", "klbl",
    "atag",  "crtr", "type", "bsiz", "esiz",       "sdat", "edat", "sens", "asen", "extr",
    "next",  "encr", "decr", "drve", "sign",       "vrfy", "snrc", "vyrc", "wrap", "unwp",
    "data",  "agrp", "pdmn", "sync", "tomb",       "sha1", "vwht", "tkid", "musr", "UUID",
    "sysb",  "pcss", "pcsk", "pcsi", "persistref", "clip", "ggrp"};
static const char *const apple_unique[] = {"kcls", "klbl", "atag", "crtr", "type",
                                           "bsiz", "esiz", "sdat", "edat", "agrp",
                                           "sync", "vwht", "tkid", "musr", "ggrp"};
static const char *const apple_indexed[] = {"kcls", "alis", "klbl", "atag",       "crtr", "type",
                                            "bsiz", "esiz", "sdat", "edat",       "encr", "decr",
                                            "drve", "sign", "vrfy", "wrap",       "unwp", "sha1",
                                            "vwht", "tkid", "UUID", "persistref", "ggrp"};

static char *temp_path(const char *name) {
  char *p = malloc(512);
  snprintf(p, 512, "%s/test_store-%ld-%s.db", SEK_BINARY_DIR, (long)getpid(), name);
  char side[560];
  unlink(p);
  snprintf(side, sizeof side, "%s-wal", p);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", p);
  unlink(side);
  return p;
}

static void remove_db(char *p) {
  char side[560];
  snprintf(side, sizeof side, "%s-wal", p);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", p);
  unlink(side);
  unlink(p);
  free(p);
}

static emu_store *open_ok(const char *path, bool *created) {
  emu_store *s = NULL;
  char why[320] = "";
  int st = store_open(path, &s, created, why, sizeof why);
  if (st != SEK_OK)
    fail_msg("store_open %s: %d %s", path, st, why);
  return s;
}

static int open_status(const char *path, char *why, size_t cap) {
  emu_store *s = NULL;
  int st = store_open(path, &s, NULL, why, cap);
  assert_true((st == SEK_OK) == (s != NULL));
  store_close(s);
  return st;
}

static sek_cell text(const char *s) {
  return (sek_cell){.present = true, .bytes = (const uint8_t *)s, .len = strlen(s)};
}
static sek_cell num(int64_t v) { return (sek_cell){.present = true, .i = v}; }

/* A plain row of a Secure Enclave private key with application label klbl. */
static sek_row key_row(const char *klbl, const char *labl) {
  sek_row r;
  memset(&r, 0, sizeof r);
  r.cells[SEK_COL_KCLS] = num(1);
  r.cells[SEK_COL_KLBL] = text(klbl);
  r.cells[SEK_COL_ATAG] = text("tag");
  if (labl != NULL)
    r.cells[SEK_COL_LABL] = text(labl);
  r.cells[SEK_COL_TYPE] = num(73);
  r.cells[SEK_COL_BSIZ] = num(256);
  r.cells[SEK_COL_AGRP] = text("GROUP.app");
  r.cells[SEK_COL_PDMN] = text("aku");
  r.cells[SEK_COL_TKID] = text("com.apple.setoken");
  return r;
}

static const uint8_t data[8] = "DATA1234";
static const uint8_t pref[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static int insert(emu_store *s, const char *klbl, const char *labl) {
  sek_row r = key_row(klbl, labl);
  return store_insert(s, &r, data, sizeof data, pref, sizeof pref, NULL);
}

static sek_query *compile(const char *literal) {
  sek_attrs *a = NULL;
  assert_int_equal(sek_attrs_parse(literal, strlen(literal), &a, NULL), SEK_OK);
  sek_query *q = NULL;
  assert_int_equal(sek_query_compile(a, SEK_QUERY_COPY, &q, NULL), SEK_OK);
  sek_attrs_free(a);
  return q;
}

static size_t count_of(emu_store *s) {
  size_t n = 99;
  assert_int_equal(store_count(s, &n), SEK_OK);
  return n;
}

/* ---- schema ------------------------------------------------------------------------------ */

static void test_schema_is_apples_keys_table(void **state) {
  (void)state;
  char *path = temp_path("schema");
  store_close(open_ok(path, NULL));
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA table_info(keys)", -1, &st, NULL), SQLITE_OK);
  size_t i = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    assert_true(i < sizeof apple_columns / sizeof apple_columns[0]);
    assert_string_equal((const char *)sqlite3_column_text(st, 1), apple_columns[i]);
    i++;
  }
  assert_int_equal(i, sizeof apple_columns / sizeof apple_columns[0]);
  sqlite3_finalize(st);
  /* the UNIQUE key, in Apple's order */
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT name FROM pragma_index_info("
                                      "(SELECT name FROM pragma_index_list('keys') WHERE "
                                      "\"unique\"=1 AND origin='u')) ORDER BY seqno",
                                      -1, &st, NULL),
                   SQLITE_OK);
  i = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    assert_true(i < sizeof apple_unique / sizeof apple_unique[0]);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), apple_unique[i]);
    i++;
  }
  assert_int_equal(i, sizeof apple_unique / sizeof apple_unique[0]);
  sqlite3_finalize(st);
  /* one index keys<col> per I+L column */
  for (i = 0; i < sizeof apple_indexed / sizeof apple_indexed[0]; i++) {
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM pragma_index_info('keys%s') WHERE name='%s'",
             apple_indexed[i], apple_indexed[i]);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    if (sqlite3_column_int(st, 0) != 1)
      fail_msg("no index keys%s", apple_indexed[i]);
    sqlite3_finalize(st);
  }
  /* the version row and the file's mark */
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT version, minor FROM tversion", -1, &st, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int(st, 0), 12);
  assert_int_equal(sqlite3_column_int(st, 1), 11);
  sqlite3_finalize(st);
  assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA application_id", -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int(st, 0), STORE_APPLICATION_ID);
  sqlite3_finalize(st);
  sqlite3_close(db);
  remove_db(path);
}

/* The modelled columns' flags agree with §8. */
static void test_column_table_agrees_with_schema(void **state) {
  (void)state;
  for (size_t c = 0; c < SEK_COL_COUNT; c++) {
    const sek_column_info *info = sek_column_info_at((sek_column)c);
    bool unique = false, indexed = false, known = false;
    for (size_t i = 0; i < sizeof apple_unique / sizeof apple_unique[0]; i++)
      unique = unique || strcmp(apple_unique[i], info->name) == 0;
    for (size_t i = 0; i < sizeof apple_indexed / sizeof apple_indexed[0]; i++)
      indexed = indexed || strcmp(apple_indexed[i], info->name) == 0;
    for (size_t i = 0; i < sizeof apple_columns / sizeof apple_columns[0]; i++)
      known = known || strcmp(apple_columns[i], info->name) == 0;
    if (!known || unique != info->unique || indexed != info->indexed)
      fail_msg("column %s: flags differ from apple-facts §8", info->name);
  }
}

/* ---- files ---------------------------------------------------------------------------------- */

static void test_file_created_0600_and_wal_too(void **state) {
  (void)state;
  char *path = temp_path("mode");
  mode_t old = umask(0);
  bool created = false;
  emu_store *s = open_ok(path, &created);
  umask(old);
  assert_true(created);
  assert_int_equal(insert(s, "a", NULL), SEK_OK);
  struct stat sb;
  assert_int_equal(stat(path, &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0600);
  char wal[560];
  snprintf(wal, sizeof wal, "%s-wal", path);
  assert_int_equal(stat(wal, &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0600);
  store_close(s);
  s = open_ok(path, &created);
  assert_false(created);
  assert_int_equal(count_of(s), 1);
  assert_int_equal(store_integrity_check(s), SEK_OK);
  store_close(s);
  remove_db(path);
}

static void write_file(const char *path, const void *bytes, size_t len) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(bytes, 1, len, f), len);
  fclose(f);
}

static void test_refuses_what_is_not_a_keychain(void **state) {
  (void)state;
  char why[320];
  char *path = temp_path("foreign");
  /* not a database */
  uint8_t junk[4096];
  for (size_t i = 0; i < sizeof junk; i++)
    junk[i] = (uint8_t)(i * 7 + 3);
  write_file(path, junk, sizeof junk);
  assert_int_equal(open_status(path, why, sizeof why), SEK_STORE_ERR_NOT_A_DB);
  assert_non_null(strstr(why, path));
  assert_non_null(strstr(why, "not a database"));
  /* an SQLite database of someone else */
  unlink(path);
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "CREATE TABLE genp(acct TEXT)", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  assert_int_equal(open_status(path, why, sizeof why), SEK_STORE_ERR_FOREIGN);
  assert_non_null(strstr(why, "application_id"));
  /* ours, with a trigger added behind our back */
  remove_db(path);
  path = temp_path("foreign");
  store_close(open_ok(path, NULL));
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db,
                                "CREATE TRIGGER t AFTER INSERT ON keys BEGIN DELETE FROM keys; END",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  sqlite3_close(db);
  assert_int_equal(open_status(path, why, sizeof why), SEK_STORE_ERR_FOREIGN);
  assert_non_null(strstr(why, "trigger"));
  /* ours, of another schema version */
  remove_db(path);
  path = temp_path("foreign");
  store_close(open_ok(path, NULL));
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "UPDATE tversion SET minor=12", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  assert_int_equal(open_status(path, why, sizeof why), SEK_STORE_ERR_VERSION);
  assert_non_null(strstr(why, "12.12"));
  /* a directory, and an empty file (a new store) */
  assert_int_equal(open_status(SEK_BINARY_DIR, why, sizeof why), SEK_STORE_ERR_OPEN);
  remove_db(path);
  path = temp_path("empty");
  write_file(path, "", 0);
  bool created = false;
  store_close(open_ok(path, &created));
  assert_true(created);
  remove_db(path);
}

/* Damage every page of a real store in turn: each open either works (the damage hit nothing
 * that matters and quick_check passes) or is refused with a store status; never a crash. */
static void test_damaged_files_refused_never_crash(void **state) {
  (void)state;
  char *path = temp_path("damage");
  emu_store *s = open_ok(path, NULL);
  char label[16];
  for (int i = 0; i < 60; i++) {
    snprintf(label, sizeof label, "k%d", i);
    assert_int_equal(insert(s, label, i % 2 ? "L" : NULL), SEK_OK);
  }
  store_close(s);
  /* fold the WAL into the database so that the file holds everything */
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  size_t len = 0;
  char *orig = sek_test_read_file(path, &len);
  assert_non_null(orig);
  assert_true(len >= 8 * 4096);
  size_t refused = 0;
  for (size_t page = 0; page * 4096 < len; page++) {
    char *copy = malloc(len);
    memcpy(copy, orig, len);
    for (size_t i = 0; i < 512 && page * 4096 + 100 + i < len; i++)
      copy[page * 4096 + 100 + i] = (char)(0xA5 ^ i);
    write_file(path, copy, len);
    free(copy);
    char why[320] = "";
    emu_store *t = NULL;
    int st = store_open(path, &t, NULL, why, sizeof why);
    if (st == SEK_OK) {
      store_rows rows;
      int rs = store_select_all(t, &rows);
      assert_true(rs == SEK_OK || rs == SEK_STORE_ERR_CORRUPT);
      if (rs == SEK_OK)
        store_rows_free(&rows);
      store_close(t);
    } else {
      assert_true(st == SEK_STORE_ERR_CORRUPT || st == SEK_STORE_ERR_NOT_A_DB ||
                  st == SEK_STORE_ERR_FOREIGN || st == SEK_STORE_ERR_VERSION ||
                  st == SEK_STORE_ERR_SQLITE);
      assert_non_null(strstr(why, path));
      refused++;
    }
  }
  assert_true(refused > 0);
  free(orig);
  remove_db(path);
}

/* ---- operations ----------------------------------------------------------------------------- */

static void test_insert_select_and_sha1_columns(void **state) {
  (void)state;
  char *path = temp_path("rows");
  emu_store *s = open_ok(path, NULL);
  assert_int_equal(insert(s, "alpha", "L"), SEK_OK);
  assert_int_equal(insert(s, "beta", NULL), SEK_OK);
  sek_query *q = compile("[kSecClass: kSecClassKey, kSecAttrApplicationLabel: \"alpha\", "
                         "kSecAttrLabel: \"L\", kSecAttrApplicationTag: \"tag\", "
                         "kSecAttrKeyClass: kSecAttrKeyClassPrivate]");
  store_rows rows;
  assert_int_equal(store_select(s, q, SIZE_MAX, &rows), SEK_OK);
  assert_int_equal(rows.num, 1);
  assert_int_equal(rows.rows[0].cells[SEK_COL_KLBL].len, 5);
  assert_memory_equal(rows.rows[0].cells[SEK_COL_KLBL].bytes, "alpha", 5);
  assert_int_equal(rows.rows[0].data_len, sizeof data);
  assert_memory_equal(rows.rows[0].data, data, sizeof data);
  /* labl holds SHA-1("L"), kcls SHA-1 of the SInt32 1 (as securityd stores them) */
  uint8_t want[20];
  unsigned wl = 0;
  EVP_Digest("L", 1, want, &wl, EVP_sha1(), NULL);
  assert_int_equal(rows.rows[0].cells[SEK_COL_LABL].len, 20);
  assert_memory_equal(rows.rows[0].cells[SEK_COL_LABL].bytes, want, 20);
  const uint8_t one[4] = {1, 0, 0, 0};
  EVP_Digest(one, 4, want, &wl, EVP_sha1(), NULL);
  assert_memory_equal(rows.rows[0].cells[SEK_COL_KCLS].bytes, want, 20);
  store_rows_free(&rows);
  sek_query_free(q);
  /* limit, order by rowid */
  q = compile("[kSecClass: kSecClassKey, kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom]");
  assert_int_equal(store_select(s, q, 1, &rows), SEK_OK);
  assert_int_equal(rows.num, 1);
  assert_memory_equal(rows.rows[0].cells[SEK_COL_KLBL].bytes, "alpha", 5);
  store_rows_free(&rows);
  assert_int_equal(store_select(s, q, SIZE_MAX, &rows), SEK_OK);
  assert_int_equal(rows.num, 2);
  assert_true(rows.rows[0].rowid < rows.rows[1].rowid);
  int64_t second = rows.rows[1].rowid;
  store_rows_free(&rows);
  sek_query_free(q);
  /* values are bound: an injection-looking label is just a label */
  q = compile("[kSecClass: kSecClassKey, kSecAttrApplicationLabel: \"x' OR '1'='1\"]");
  assert_int_equal(store_select(s, q, SIZE_MAX, &rows), SEK_OK);
  assert_int_equal(rows.num, 0);
  store_rows_free(&rows);
  sek_query_free(q);
  /* get, update, delete */
  assert_int_equal(store_get(s, second, &rows), SEK_OK);
  assert_memory_equal(rows.rows[0].cells[SEK_COL_KLBL].bytes, "beta", 4);
  store_rows_free(&rows);
  const uint8_t other[3] = {9, 9, 9};
  assert_int_equal(store_update_data(s, second, other, 3, 1.0), SEK_OK);
  assert_int_equal(store_get(s, second, &rows), SEK_OK);
  assert_int_equal(rows.rows[0].data_len, 3);
  store_rows_free(&rows);
  assert_int_equal(store_update_data(s, 999, other, 3, 1.0), SEK_STORE_ERR_NOT_FOUND);
  assert_int_equal(store_get(s, 999, &rows), SEK_STORE_ERR_NOT_FOUND);
  assert_int_equal(store_delete(s, &second, 1), SEK_OK);
  assert_int_equal(count_of(s), 1);
  store_close(s);
  remove_db(path);
}

static void test_unique_clash_is_constraint(void **state) {
  (void)state;
  emu_store *s = open_ok(":memory:", NULL);
  assert_int_equal(insert(s, "same", NULL), SEK_OK);
  assert_int_equal(insert(s, "same", "other label"),
                   SEK_STORE_ERR_CONSTRAINT); /* labl: not in the key */
  assert_non_null(strstr(store_message(s), "UNIQUE"));
  assert_int_equal(count_of(s), 1);
  assert_int_equal(insert(s, "different", NULL), SEK_OK);
  assert_int_equal(count_of(s), 2);
  store_close(s);
}

static void test_changes_are_transactions(void **state) {
  (void)state;
  emu_store *s = open_ok(":memory:", NULL);
  assert_int_equal(store_begin(s), SEK_OK);
  assert_int_equal(store_begin(s), SEK_ERR_ARG); /* not nested */
  assert_int_equal(insert(s, "a", NULL), SEK_OK);
  assert_int_equal(insert(s, "b", NULL), SEK_OK);
  store_rollback(s);
  assert_int_equal(count_of(s), 0);
  assert_int_equal(store_begin(s), SEK_OK);
  assert_int_equal(insert(s, "a", NULL), SEK_OK);
  assert_int_equal(store_commit(s), SEK_OK);
  assert_int_equal(count_of(s), 1);
  assert_int_equal(store_commit(s), SEK_ERR_ARG);
  /* a delete naming one missing row deletes nothing */
  sek_query *q = compile("[kSecClass: kSecClassKey]");
  store_rows rows;
  assert_int_equal(store_select(s, q, SIZE_MAX, &rows), SEK_OK);
  int64_t ids[2] = {rows.rows[0].rowid, 12345};
  store_rows_free(&rows);
  sek_query_free(q);
  assert_int_equal(store_delete(s, ids, 2), SEK_STORE_ERR_NOT_FOUND);
  assert_int_equal(count_of(s), 1);
  /* injected faults: the operation fails before touching anything */
  store_fault(s, 1);
  assert_int_equal(insert(s, "b", NULL), SEK_STORE_ERR_IO);
  assert_non_null(strstr(store_message(s), "injected"));
  assert_int_equal(count_of(s), 1);
  /* a failing COMMIT rolls back */
  assert_int_equal(store_begin(s), SEK_OK);
  assert_int_equal(insert(s, "c", NULL), SEK_OK);
  store_fault(s, 1);
  assert_int_equal(store_commit(s), SEK_STORE_ERR_IO);
  assert_int_equal(count_of(s), 1);
  assert_int_equal(insert(s, "c", NULL), SEK_OK);
  assert_int_equal(count_of(s), 2);
  assert_int_equal(store_integrity_check(s), SEK_OK);
  store_close(s);
}

static void test_device_state(void **state) {
  (void)state;
  emu_store *s = open_ok(":memory:", NULL);
  int64_t v = 0;
  assert_int_equal(store_meta_get_int(s, "x", &v), SEK_STORE_ERR_NOT_FOUND);
  assert_int_equal(store_meta_set_int(s, "x", -7), SEK_OK);
  assert_int_equal(store_meta_get_int(s, "x", &v), SEK_OK);
  assert_int_equal(v, -7);
  assert_int_equal(store_meta_set_int(s, "x", 8), SEK_OK);
  assert_int_equal(store_meta_get_int(s, "x", &v), SEK_OK);
  assert_int_equal(v, 8);
  uint8_t b[4] = {1, 2, 3, 4}, out[4];
  size_t n = 0;
  assert_int_equal(store_meta_set_blob(s, "b", b, 4), SEK_OK);
  assert_int_equal(store_meta_get_blob(s, "b", out, sizeof out, &n), SEK_OK);
  assert_int_equal(n, 4);
  assert_memory_equal(out, b, 4);
  assert_int_equal(store_meta_get_blob(s, "b", out, 3, &n), SEK_STORE_ERR_CORRUPT); /* too big */
  assert_int_equal(store_meta_get_int(s, "b", &v), SEK_STORE_ERR_CORRUPT);          /* wrong type */
  assert_int_equal(store_meta_get_int(NULL, "b", &v), SEK_ERR_ARG);
  store_close(s);
}

static const struct CMUnitTest store_tests[] = {
    cmocka_unit_test(test_schema_is_apples_keys_table),
    cmocka_unit_test(test_column_table_agrees_with_schema),
    cmocka_unit_test(test_file_created_0600_and_wal_too),
    cmocka_unit_test(test_refuses_what_is_not_a_keychain),
    cmocka_unit_test(test_damaged_files_refused_never_crash),
    cmocka_unit_test(test_insert_select_and_sha1_columns),
    cmocka_unit_test(test_unique_clash_is_constraint),
    cmocka_unit_test(test_changes_are_transactions),
    cmocka_unit_test(test_device_state),
};

SEK_TEST_MAIN(store_tests)
