/*
 * store.c: the emulated keychain's SQLite store (see store.h).
 *
 * The `keys` table is created with securityd's schema 12.11 column list, UNIQUE key and
 * indexes (apple-facts §8, [SEC:Schema] + [SEC:ItemDb]).  Opening an existing file checks, in
 * this order: it is an SQLite database, it carries our application_id, its schema objects are
 * exactly ours (same SQL text: no foreign table, trigger or view can ride along), the version
 * row says 12.11, and PRAGMA quick_check passes.  Files get WAL journaling: a process killed at
 * any point leaves every committed transaction and no partial one (synchronous=NORMAL keeps
 * that against process death; only a power loss could lose the last commits).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "backend/emulated/store.h"

/* ---- the schema -------------------------------------------------------------------------- */

/* Apple's keys table, schema 12.11 (apple-facts §8): column order, kinds, UNIQUE key. */
static const char keys_ddl[] =
    "CREATE TABLE keys(rowid INTEGER PRIMARY KEY AUTOINCREMENT,cdat REAL,mdat REAL,"
    "kcls INTEGER NOT NULL DEFAULT 0,labl BLOB,alis BLOB,perm INTEGER,priv INTEGER,"
    "modi INTEGER,klbl BLOB NOT NULL DEFAULT '',atag BLOB NOT NULL DEFAULT '',"
    "crtr INTEGER NOT NULL DEFAULT 0,type INTEGER NOT NULL DEFAULT 0,"
    "bsiz INTEGER NOT NULL DEFAULT 0,esiz INTEGER NOT NULL DEFAULT 0,"
    "sdat REAL NOT NULL DEFAULT 0,edat REAL NOT NULL DEFAULT 0,sens INTEGER,asen INTEGER,"
    "extr INTEGER,next INTEGER,encr INTEGER,decr INTEGER,drve INTEGER,sign INTEGER,"
    "vrfy INTEGER,snrc INTEGER,vyrc INTEGER,wrap INTEGER,unwp INTEGER,data BLOB,"
    "agrp TEXT NOT NULL,pdmn TEXT,sync INTEGER NOT NULL DEFAULT 0,"
    "tomb INTEGER NOT NULL DEFAULT 0,sha1 BLOB,vwht TEXT,tkid TEXT,musr BLOB NOT NULL,"
    "UUID TEXT,sysb INTEGER DEFAULT 0,pcss INTEGER,pcsk BLOB,pcsi BLOB,"
    "persistref BLOB NOT NULL,clip INTEGER NOT NULL DEFAULT 0,ggrp TEXT,"
    "UNIQUE(kcls,klbl,atag,crtr,type,bsiz,esiz,sdat,edat,agrp,sync,vwht,tkid,musr,ggrp))";

/* Columns with the I and L flags get an index keys<col> ([SEC:ItemDb]). */
static const char *const indexed[] = {"kcls", "alis", "klbl", "atag",       "crtr", "type",
                                      "bsiz", "esiz", "sdat", "edat",       "encr", "decr",
                                      "drve", "sign", "vrfy", "wrap",       "unwp", "sha1",
                                      "vwht", "tkid", "UUID", "persistref", "ggrp"};

static const char tversion_ddl[] = "CREATE TABLE tversion(rowid INTEGER PRIMARY KEY AUTOINCREMENT,"
                                   "version INTEGER NOT NULL,minor INTEGER NOT NULL DEFAULT 0)";
static const char device_ddl[] =
    "CREATE TABLE sek_device(name TEXT PRIMARY KEY NOT NULL,value NOT NULL)";
static const char sequence_ddl[] = "CREATE TABLE sqlite_sequence(name,seq)";

/* ---- SQLite results as store statuses ---------------------------------------------------- */

static const struct {
  int sqlite; /* primary result code */
  int status;
} sqlite_map[] = {
    {SQLITE_CONSTRAINT, SEK_STORE_ERR_CONSTRAINT},
    {SQLITE_IOERR, SEK_STORE_ERR_IO},
    {SQLITE_FULL, SEK_STORE_ERR_FULL},
    {SQLITE_BUSY, SEK_STORE_ERR_BUSY},
    {SQLITE_LOCKED, SEK_STORE_ERR_BUSY},
    {SQLITE_READONLY, SEK_STORE_ERR_READONLY},
    {SQLITE_CORRUPT, SEK_STORE_ERR_CORRUPT},
    {SQLITE_NOTADB, SEK_STORE_ERR_NOT_A_DB},
    {SQLITE_NOMEM, SEK_ERR_NOMEM},
    {SQLITE_CANTOPEN, SEK_STORE_ERR_OPEN},
    {SQLITE_PERM, SEK_STORE_ERR_OPEN},
    {SQLITE_AUTH, SEK_STORE_ERR_OPEN},
};

static int status_of(int rc) {
  int primary = rc & 0xff;
  for (size_t i = 0; i < sizeof sqlite_map / sizeof sqlite_map[0]; i++)
    if (sqlite_map[i].sqlite == primary)
      return sqlite_map[i].status;
  return SEK_STORE_ERR_SQLITE;
}

const char *sek_store_strerror(int status) {
  switch (status) {
  case SEK_STORE_ERR_OPEN: return "the keychain store cannot be opened or created";
  case SEK_STORE_ERR_NOT_A_DB: return "the keychain store is not an SQLite database";
  case SEK_STORE_ERR_FOREIGN: return "the database is not a sekfuzz keychain store";
  case SEK_STORE_ERR_CORRUPT: return "the keychain store is damaged";
  case SEK_STORE_ERR_VERSION: return "the keychain store has an unknown schema version";
  case SEK_STORE_ERR_CONSTRAINT: return "the item already exists (UNIQUE constraint)";
  case SEK_STORE_ERR_IO: return "I/O error in the keychain store";
  case SEK_STORE_ERR_FULL: return "the disk holding the keychain store is full";
  case SEK_STORE_ERR_BUSY: return "the keychain store is locked by another connection";
  case SEK_STORE_ERR_READONLY: return "the keychain store cannot be written";
  case SEK_STORE_ERR_SQLITE: return "SQLite failed in the keychain store";
  case SEK_STORE_ERR_NOT_FOUND: return "no such row in the keychain store";
  default: return "unknown keychain store status";
  }
}

/* ---- the store ---------------------------------------------------------------------------- */

#define SELECT_CACHE 8

struct emu_store {
  sqlite3 *db;
  char *path;
  bool in_txn;
  unsigned fail_ops;
  int fail_status;
  char msg[320];
  sqlite3_stmt *insert, *get, *del, *update, *count, *meta_get, *meta_set, *all;
  struct {
    uint64_t signature; /* bit per term column, plus one for a LIMIT */
    unsigned char order[SEK_COL_COUNT];
    size_t num;
    sqlite3_stmt *stmt;
  } selects[SELECT_CACHE];
  size_t next_select;
};

const char *store_message(const emu_store *s) { return s != NULL ? s->msg : ""; }

void store_fault(emu_store *s, unsigned count) { store_fault_status(s, count, SEK_STORE_ERR_IO); }

void store_fault_status(emu_store *s, unsigned count, int status) {
  if (s != NULL) {
    s->fail_ops = count;
    s->fail_status = status;
  }
}

static int failf(emu_store *s, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int failf(emu_store *s, int status, const char *fmt, ...) {
  char what[240];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  snprintf(s->msg, sizeof s->msg, "keychain store %s: %s", s->path, what);
  return status;
}

static int fail_sqlite(emu_store *s, int rc, const char *doing) {
  return failf(s, status_of(rc), "%s: %s (SQLite %d)", doing, sqlite3_errmsg(s->db), rc);
}

/* An injected fault consumes one operation and fails it before the database is touched. */
static int injected(emu_store *s) {
  if (s->fail_ops == 0)
    return SEK_OK;
  s->fail_ops--;
  return failf(s, s->fail_status, "%s (injected fault)", sek_store_strerror(s->fail_status));
}

static int exec(emu_store *s, const char *sql, const char *doing) {
  int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
  return rc == SQLITE_OK ? SEK_OK : fail_sqlite(s, rc, doing);
}

static int prepare(emu_store *s, const char *sql, sqlite3_stmt **out) {
  int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);
  return rc == SQLITE_OK ? SEK_OK : fail_sqlite(s, rc, "preparing a statement");
}

/* ---- transactions ------------------------------------------------------------------------- */

int store_begin(emu_store *s) {
  if (s == NULL || s->in_txn)
    return SEK_ERR_ARG;
  int st = injected(s);
  if (st == SEK_OK)
    st = exec(s, "BEGIN IMMEDIATE", "beginning a transaction");
  s->in_txn = st == SEK_OK;
  return st;
}

void store_rollback(emu_store *s) {
  if (s == NULL || !s->in_txn)
    return;
  /* A failed COMMIT may already have ended the transaction; ROLLBACK then fails harmlessly. */
  if (!sqlite3_get_autocommit(s->db))
    (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
  s->in_txn = false;
}

int store_commit(emu_store *s) {
  if (s == NULL || !s->in_txn)
    return SEK_ERR_ARG;
  int st = injected(s);
  if (st == SEK_OK)
    st = exec(s, "COMMIT", "committing");
  if (st != SEK_OK)
    store_rollback(s);
  s->in_txn = false;
  return st;
}

/* Runs one change in the caller's transaction or in one of its own. */
typedef int (*change_fn)(emu_store *s, void *ctx);
static int in_transaction(emu_store *s, change_fn fn, void *ctx) {
  if (s->in_txn) {
    int st = injected(s);
    return st != SEK_OK ? st : fn(s, ctx);
  }
  int st = store_begin(s);
  if (st != SEK_OK)
    return st;
  if ((st = fn(s, ctx)) != SEK_OK) {
    store_rollback(s);
    return st;
  }
  return store_commit(s);
}

/* ---- opening ------------------------------------------------------------------------------ */

static int create_schema(emu_store *s) {
  char sql[128];
  int st = exec(s, "BEGIN IMMEDIATE", "creating the schema");
  if (st != SEK_OK)
    return st;
  st = exec(s, keys_ddl, "creating the keys table");
  for (size_t i = 0; st == SEK_OK && i < sizeof indexed / sizeof indexed[0]; i++) {
    snprintf(sql, sizeof sql, "CREATE INDEX keys%s ON keys(%s)", indexed[i], indexed[i]);
    st = exec(s, sql, "creating an index");
  }
  if (st == SEK_OK)
    st = exec(s, tversion_ddl, "creating the version table");
  if (st == SEK_OK)
    st = exec(s, device_ddl, "creating the device table");
  if (st == SEK_OK) {
    snprintf(sql, sizeof sql, "INSERT INTO tversion(version,minor) VALUES(%d,%d)",
             STORE_SCHEMA_MAJOR, STORE_SCHEMA_MINOR);
    st = exec(s, sql, "writing the version");
  }
  if (st == SEK_OK) {
    snprintf(sql, sizeof sql, "PRAGMA application_id=%d", STORE_APPLICATION_ID);
    st = exec(s, sql, "marking the file");
  }
  if (st == SEK_OK)
    st = exec(s, "COMMIT", "creating the schema");
  if (st != SEK_OK)
    (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
  return st;
}

/* The SQL text each schema object must have; NULL for SQLite's automatic indexes. */
static const char *expected_sql(const char *type, const char *name, char *buf, size_t cap) {
  if (strcmp(type, "table") == 0) {
    if (strcmp(name, "keys") == 0)
      return keys_ddl;
    if (strcmp(name, "tversion") == 0)
      return tversion_ddl;
    if (strcmp(name, "sek_device") == 0)
      return device_ddl;
    if (strcmp(name, "sqlite_sequence") == 0)
      return sequence_ddl;
  } else if (strcmp(type, "index") == 0) {
    if (strncmp(name, "sqlite_autoindex_", 17) == 0)
      return "";
    for (size_t i = 0; i < sizeof indexed / sizeof indexed[0]; i++) {
      snprintf(buf, cap, "keys%s", indexed[i]);
      if (strcmp(name, buf) == 0) {
        snprintf(buf, cap, "CREATE INDEX keys%s ON keys(%s)", indexed[i], indexed[i]);
        return buf;
      }
    }
  }
  return NULL;
}

static int check_schema(emu_store *s) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(s->db, "SELECT type,name,sql FROM sqlite_schema ORDER BY name", -1,
                              &st, NULL);
  if (rc != SQLITE_OK)
    return fail_sqlite(s, rc, "reading the schema");
  size_t objects = 0;
  int status = SEK_OK;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *type = (const char *)sqlite3_column_text(st, 0);
    const char *name = (const char *)sqlite3_column_text(st, 1);
    const char *sql = (const char *)sqlite3_column_text(st, 2);
    char buf[128];
    const char *want =
        type != NULL && name != NULL ? expected_sql(type, name, buf, sizeof buf) : NULL;
    if (want == NULL || (want[0] == '\0' ? sql != NULL : sql == NULL || strcmp(sql, want) != 0)) {
      status = failf(s, SEK_STORE_ERR_FOREIGN, "not a sekfuzz keychain: unexpected %s '%.60s'",
                     type != NULL ? type : "object", name != NULL ? name : "?");
      break;
    }
    objects++;
  }
  if (status == SEK_OK && rc != SQLITE_DONE)
    status = fail_sqlite(s, rc, "reading the schema");
  sqlite3_finalize(st);
  /* keys, 23 indexes, its autoindex, tversion, sek_device and its autoindex, sqlite_sequence */
  size_t want_objects = 1 + sizeof indexed / sizeof indexed[0] + 1 + 1 + 2 + 1;
  if (status == SEK_OK && objects != want_objects)
    status = failf(s, SEK_STORE_ERR_FOREIGN,
                   "not a sekfuzz keychain: %zu schema objects where %zu were expected", objects,
                   want_objects);
  return status;
}

static int pragma_int(emu_store *s, const char *sql, int64_t *out) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    *out = sqlite3_column_int64(st, 0);
    rc = SQLITE_OK;
  } else if (rc == SQLITE_DONE) {
    rc = SQLITE_ERROR;
  }
  sqlite3_finalize(st);
  return rc == SQLITE_OK ? SEK_OK : fail_sqlite(s, rc, "reading the file header");
}

static int check_existing(emu_store *s) {
  int64_t app = 0, major = 0, minor = 0;
  int st = pragma_int(s, "PRAGMA application_id", &app);
  if (st == SEK_STORE_ERR_NOT_A_DB || st == SEK_STORE_ERR_CORRUPT)
    return failf(s, st, "file is not a database (or its header is damaged)");
  if (st != SEK_OK)
    return st;
  if (app != STORE_APPLICATION_ID)
    return failf(s, SEK_STORE_ERR_FOREIGN,
                 "not a sekfuzz keychain (SQLite application_id 0x%08llx, expected 0x%08x)",
                 (unsigned long long)(uint32_t)app, STORE_APPLICATION_ID);
  if ((st = check_schema(s)) != SEK_OK)
    return st;
  if ((st = pragma_int(s, "SELECT version FROM tversion", &major)) != SEK_OK ||
      (st = pragma_int(s, "SELECT minor FROM tversion", &minor)) != SEK_OK)
    return st;
  if (major != STORE_SCHEMA_MAJOR || minor != STORE_SCHEMA_MINOR)
    return failf(s, SEK_STORE_ERR_VERSION, "schema version %lld.%lld, this build knows %d.%d",
                 (long long)major, (long long)minor, STORE_SCHEMA_MAJOR, STORE_SCHEMA_MINOR);
  return store_integrity_check(s);
}

int store_integrity_check(emu_store *s) {
  if (s == NULL)
    return SEK_ERR_ARG;
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check", -1, &st, NULL);
  if (rc != SQLITE_OK)
    return fail_sqlite(s, rc, "checking integrity");
  int status = SEK_OK;
  if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
    status = fail_sqlite(s, rc, "checking integrity");
  } else {
    const char *verdict = (const char *)sqlite3_column_text(st, 0);
    if (verdict == NULL || strcmp(verdict, "ok") != 0)
      status = failf(s, SEK_STORE_ERR_CORRUPT, "integrity check failed: %.160s",
                     verdict != NULL ? verdict : "(no verdict)");
  }
  sqlite3_finalize(st);
  if (status == SEK_STORE_ERR_NOT_A_DB)
    status = SEK_STORE_ERR_CORRUPT;
  return status;
}

/* The column list of reads: rowid, the modelled columns in sek_column order, data, persistref. */
static void select_list(char *buf, size_t cap) {
  size_t n = (size_t)snprintf(buf, cap, "SELECT rowid");
  for (size_t c = 0; c < SEK_COL_COUNT && n < cap; c++)
    n += (size_t)snprintf(buf + n, cap - n, ",%s", sek_column_info_at((sek_column)c)->name);
  if (n < cap)
    snprintf(buf + n, cap - n, ",data,persistref FROM keys WHERE tomb=0");
}

static int prepare_all(emu_store *s) {
  char sql[1024];
  size_t n = (size_t)snprintf(sql, sizeof sql, "INSERT INTO keys(");
  for (size_t c = 0; c < SEK_COL_COUNT; c++)
    n += (size_t)snprintf(sql + n, sizeof sql - n, "%s,", sek_column_info_at((sek_column)c)->name);
  n += (size_t)snprintf(sql + n, sizeof sql - n, "data,persistref,UUID,sha1,musr) VALUES(");
  for (size_t c = 0; c < SEK_COL_COUNT + 5; c++)
    n += (size_t)snprintf(sql + n, sizeof sql - n, c == 0 ? "?" : ",?");
  snprintf(sql + n, sizeof sql - n, ")");
  int st = prepare(s, sql, &s->insert);
  char list[768];
  select_list(list, sizeof list);
  if (st == SEK_OK) {
    snprintf(sql, sizeof sql, "%s AND rowid=?", list);
    st = prepare(s, sql, &s->get);
  }
  if (st == SEK_OK) {
    snprintf(sql, sizeof sql, "%s ORDER BY rowid", list);
    st = prepare(s, sql, &s->all);
  }
  if (st == SEK_OK)
    st = prepare(s, "DELETE FROM keys WHERE rowid=?", &s->del);
  if (st == SEK_OK)
    st = prepare(s, "UPDATE keys SET data=?,mdat=? WHERE rowid=?", &s->update);
  if (st == SEK_OK)
    st = prepare(s, "SELECT count(*) FROM keys WHERE tomb=0", &s->count);
  if (st == SEK_OK)
    st = prepare(s, "SELECT value FROM sek_device WHERE name=?", &s->meta_get);
  if (st == SEK_OK)
    st = prepare(s, "INSERT OR REPLACE INTO sek_device(name,value) VALUES(?,?)", &s->meta_set);
  return st;
}

/* Creates a missing file with mode 0600 before SQLite sees it (SQLite's WAL and shm files take
 * the database file's mode).  *out_new: the file is empty (new). */
static int prepare_file(emu_store *s, bool *out_new) {
  int fd = open(s->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return failf(s, SEK_STORE_ERR_OPEN, "cannot open: %s", strerror(errno));
  struct stat sb;
  int st = SEK_OK;
  if (fstat(fd, &sb) != 0)
    st = failf(s, SEK_STORE_ERR_OPEN, "cannot stat: %s", strerror(errno));
  else if (!S_ISREG(sb.st_mode))
    st = failf(s, SEK_STORE_ERR_OPEN, "not a regular file");
  else
    *out_new = sb.st_size == 0;
  close(fd);
  return st;
}

int store_open(const char *path, emu_store **out, bool *out_created, char *why, size_t why_cap) {
  if (out == NULL)
    return SEK_ERR_ARG;
  if (path == NULL)
    path = ":memory:";
  emu_store *s = calloc(1, sizeof *s);
  if (s == NULL || (s->path = strdup(path)) == NULL) {
    free(s);
    if (why != NULL && why_cap > 0)
      snprintf(why, why_cap, "keychain store %s: out of memory", path);
    return SEK_ERR_NOMEM;
  }
  bool memory = strcmp(path, ":memory:") == 0;
  bool fresh = memory;
  int st = memory ? SEK_OK : prepare_file(s, &fresh);
  if (st == SEK_OK) {
    int rc = sqlite3_open_v2(path, &s->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW |
                                 SQLITE_OPEN_PRIVATECACHE,
                             NULL);
    if (rc != SQLITE_OK)
      st = s->db != NULL ? fail_sqlite(s, rc, "opening")
                         : failf(s, SEK_ERR_NOMEM, "out of memory opening the database");
  }
  if (st == SEK_OK) {
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 2000);
    /* A hostile file must not make us run anything but what we wrote. */
    st = exec(s, "PRAGMA trusted_schema=OFF", "configuring");
    if (st == SEK_OK)
      st = exec(s, "PRAGMA cell_size_check=ON", "configuring");
    if (st == SEK_OK)
      st = exec(s, "PRAGMA secure_delete=ON", "configuring");
  }
  if (st == SEK_OK)
    st = fresh ? create_schema(s) : check_existing(s);
  if (st == SEK_OK && !memory) {
    st = exec(s, "PRAGMA journal_mode=WAL", "enabling the write-ahead log");
    if (st == SEK_OK)
      st = exec(s, "PRAGMA synchronous=NORMAL", "configuring");
  }
  if (st == SEK_OK)
    st = prepare_all(s);
  if (st != SEK_OK) {
    if (why != NULL && why_cap > 0)
      snprintf(why, why_cap, "%s", s->msg);
    store_close(s);
    return st;
  }
  if (out_created != NULL)
    *out_created = fresh;
  *out = s;
  return SEK_OK;
}

void store_close(emu_store *s) {
  if (s == NULL)
    return;
  sqlite3_finalize(s->insert);
  sqlite3_finalize(s->get);
  sqlite3_finalize(s->all);
  sqlite3_finalize(s->del);
  sqlite3_finalize(s->update);
  sqlite3_finalize(s->count);
  sqlite3_finalize(s->meta_get);
  sqlite3_finalize(s->meta_set);
  for (size_t i = 0; i < SELECT_CACHE; i++)
    sqlite3_finalize(s->selects[i].stmt);
  if (s->db != NULL && s->in_txn)
    (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close(s->db);
  free(s->path);
  free(s);
}

/* ---- binding and reading rows ----------------------------------------------------------- */

static int bind_cell(sqlite3_stmt *st, int i, sek_colkind kind, const sek_cell *cell) {
  if (!cell->present)
    return sqlite3_bind_null(st, i);
  if (cell->bytes != NULL || kind == SEK_COLKIND_BLOB || kind == SEK_COLKIND_TEXT) {
    if (kind == SEK_COLKIND_TEXT)
      return sqlite3_bind_text64(st, i, cell->len > 0 ? (const char *)cell->bytes : "", cell->len,
                                 SQLITE_STATIC, SQLITE_UTF8);
    return sqlite3_bind_blob64(st, i, cell->len > 0 ? cell->bytes : (const uint8_t *)"", cell->len,
                               SQLITE_STATIC);
  }
  if (kind == SEK_COLKIND_REAL)
    return sqlite3_bind_double(st, i, cell->r);
  return sqlite3_bind_int64(st, i, cell->i);
}

static void free_rows(store_rows *r) {
  for (size_t i = 0; i < r->num; i++)
    free(r->rows[i].block);
  free(r->rows);
  r->rows = NULL;
  r->num = 0;
}

void store_rows_free(store_rows *r) {
  if (r != NULL)
    free_rows(r);
}

/* Reads the current result row of a statement made from select_list(). */
static int read_row(sqlite3_stmt *st, store_row *row) {
  size_t need = 0;
  int ncol = SEK_COL_COUNT + 3;
  for (int c = 1; c < ncol; c++) {
    int t = sqlite3_column_type(st, c);
    if (t == SQLITE_BLOB || t == SQLITE_TEXT)
      need += (size_t)sqlite3_column_bytes(st, c) + 1;
  }
  uint8_t *block = malloc(need > 0 ? need : 1);
  if (block == NULL)
    return SEK_ERR_NOMEM;
  memset(row, 0, sizeof *row);
  row->block = block;
  row->rowid = sqlite3_column_int64(st, 0);
  size_t off = 0;
  for (int c = 1; c < ncol; c++) {
    int t = sqlite3_column_type(st, c);
    sek_cell cell = {0};
    if (t == SQLITE_INTEGER) {
      cell.present = true;
      cell.i = sqlite3_column_int64(st, c);
      cell.r = (double)cell.i;
    } else if (t == SQLITE_FLOAT) {
      cell.present = true;
      cell.r = sqlite3_column_double(st, c);
    } else if (t == SQLITE_BLOB || t == SQLITE_TEXT) {
      const void *p =
          t == SQLITE_BLOB ? sqlite3_column_blob(st, c) : (const void *)sqlite3_column_text(st, c);
      size_t len = (size_t)sqlite3_column_bytes(st, c);
      if (p == NULL && len > 0)
        return SEK_ERR_NOMEM; /* block is freed with the rows */
      if (len > 0)
        memcpy(block + off, p, len);
      block[off + len] = 0;
      cell.present = true;
      cell.bytes = block + off;
      cell.len = len;
      off += len + 1;
    }
    if (c <= SEK_COL_COUNT) {
      row->cells[c - 1] = cell;
    } else if (c == SEK_COL_COUNT + 1) {
      row->data = cell.bytes;
      row->data_len = cell.len;
    } else {
      row->persistref = cell.bytes;
      row->persistref_len = cell.len;
    }
  }
  return SEK_OK;
}

/* Steps a statement to the end (or limit rows), appending rows to out. */
static int collect(emu_store *s, sqlite3_stmt *st, size_t limit, store_rows *out) {
  store_rows r = {0, NULL};
  size_t cap = 0;
  int rc = SQLITE_DONE, status = SEK_OK;
  while (r.num < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (r.num == cap) {
      size_t ncap = cap == 0 ? 8 : cap * 2;
      store_row *bigger = realloc(r.rows, ncap * sizeof *bigger);
      if (bigger == NULL) {
        status = SEK_ERR_NOMEM;
        break;
      }
      r.rows = bigger;
      cap = ncap;
    }
    status = read_row(st, &r.rows[r.num]);
    if (status != SEK_OK) {
      free(r.rows[r.num].block);
      break;
    }
    r.num++;
  }
  if (status == SEK_OK && r.num < limit && rc != SQLITE_DONE)
    status = fail_sqlite(s, rc, "reading items");
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if (status != SEK_OK) {
    free_rows(&r);
    if (status == SEK_ERR_NOMEM)
      failf(s, status, "out of memory reading items");
    return status;
  }
  *out = r;
  return SEK_OK;
}

/* ---- operations -------------------------------------------------------------------------- */

typedef struct {
  const sek_row *plain;
  const uint8_t *data, *persistref;
  size_t data_len, persistref_len;
  int64_t rowid;
} insert_ctx;

static int do_insert(emu_store *s, void *vctx) {
  insert_ctx *ctx = vctx;
  sqlite3_stmt *st = s->insert;
  uint8_t hashes[SEK_COL_COUNT][20];
  static const uint8_t no_bytes[1] = {0};
  int rc = SQLITE_OK;
  int i = 1;
  for (size_t c = 0; rc == SQLITE_OK && c < SEK_COL_COUNT; c++, i++) {
    const sek_column_info *info = sek_column_info_at((sek_column)c);
    sek_cell cell = ctx->plain->cells[c];
    /* Defaults: NOT NULL columns, and vwht / ggrp, which take part in the UNIQUE key */
    if (!cell.present && (info->not_null || c == SEK_COL_VWHT || c == SEK_COL_GGRP)) {
      cell.present = true;
      cell.bytes =
          info->kind == SEK_COLKIND_BLOB || info->kind == SEK_COLKIND_TEXT ? no_bytes : NULL;
    }
    sek_cell stored;
    sek_query_cell_encode((sek_column)c, &cell, hashes[c], &stored);
    rc = bind_cell(st, i, info->sha1 ? SEK_COLKIND_BLOB : info->kind, &stored);
  }
  char uuid[33] = "";
  for (size_t k = 0; k < ctx->persistref_len && k < 16; k++)
    snprintf(uuid + 2 * k, 3, "%02X", ctx->persistref[k]);
  uint8_t sha1[20];
  sek_cell data_cell = {.present = true, .bytes = ctx->data, .len = ctx->data_len};
  sek_cell sha_in = data_cell, sha_out;
  sek_query_cell_encode(SEK_COL_LABL, &sha_in, sha1, &sha_out); /* the item hash: SHA-1 of data */
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_blob64(st, i++, ctx->data, ctx->data_len, SQLITE_STATIC);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_blob64(st, i++, ctx->persistref, ctx->persistref_len, SQLITE_STATIC);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_text(st, i++, uuid, -1, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_blob(st, i++, sha_out.bytes, (int)sha_out.len, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_zeroblob(st, i++, 0); /* musr: the single user */
  if (rc == SQLITE_OK)
    rc = sqlite3_step(st);
  int status = SEK_OK;
  if (rc == SQLITE_DONE)
    ctx->rowid = sqlite3_last_insert_rowid(s->db);
  else
    status =
        (rc & 0xff) == SQLITE_CONSTRAINT
            ? failf(s, SEK_STORE_ERR_CONSTRAINT, "inserting an item: %s", sqlite3_errmsg(s->db))
            : fail_sqlite(s, rc, "inserting an item");
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return status;
}

int store_insert(emu_store *s, const sek_row *plain, const uint8_t *data, size_t data_len,
                 const uint8_t *persistref, size_t persistref_len, int64_t *out_rowid) {
  if (s == NULL || plain == NULL || data == NULL || persistref == NULL)
    return SEK_ERR_ARG;
  insert_ctx ctx = {plain, data, persistref, data_len, persistref_len, 0};
  int st = in_transaction(s, do_insert, &ctx);
  if (st == SEK_OK && out_rowid != NULL)
    *out_rowid = ctx.rowid;
  return st;
}

/* A TEXT term holding a NUL byte can match nothing stored (stored text never holds one), and
 * SQLite leaves comparisons of such strings undefined: answer "no rows" without asking it. */
static bool term_unmatchable(const sek_query_term *t) {
  const sek_column_info *info = sek_column_info_at(t->column);
  return !t->match_any && info->kind == SEK_COLKIND_TEXT && t->value.len > 0 &&
         memchr(t->value.bytes, 0, t->value.len) != NULL;
}

static int select_stmt(emu_store *s, const sek_query *q, bool limited, sqlite3_stmt **out) {
  uint64_t sig = limited ? 1ull << 63 : 0;
  unsigned char order[SEK_COL_COUNT];
  size_t num = 0;
  for (size_t i = 0; i < sek_query_term_count(q); i++) {
    const sek_query_term *t = sek_query_term_at(q, i);
    if (t->match_any)
      continue;
    sig |= 1ull << t->column;
    order[num++] = (unsigned char)t->column;
  }
  for (size_t i = 0; i < SELECT_CACHE; i++)
    if (s->selects[i].stmt != NULL && s->selects[i].signature == sig && s->selects[i].num == num &&
        memcmp(s->selects[i].order, order, num) == 0) {
      *out = s->selects[i].stmt;
      return SEK_OK;
    }
  char sql[2048];
  select_list(sql, sizeof sql);
  size_t n = strlen(sql);
  for (size_t i = 0; i < num && n < sizeof sql; i++)
    n += (size_t)snprintf(sql + n, sizeof sql - n, " AND %s=?",
                          sek_column_info_at((sek_column)order[i])->name);
  if (n < sizeof sql)
    snprintf(sql + n, sizeof sql - n, limited ? " ORDER BY rowid LIMIT ?" : " ORDER BY rowid");
  sqlite3_stmt *st = NULL;
  int status = prepare(s, sql, &st);
  if (status != SEK_OK)
    return status;
  size_t slot = s->next_select++ % SELECT_CACHE;
  sqlite3_finalize(s->selects[slot].stmt);
  s->selects[slot].stmt = st;
  s->selects[slot].signature = sig;
  s->selects[slot].num = num;
  memcpy(s->selects[slot].order, order, num);
  *out = st;
  return SEK_OK;
}

int store_select(emu_store *s, const sek_query *q, size_t limit, store_rows *out) {
  if (s == NULL || q == NULL || out == NULL)
    return SEK_ERR_ARG;
  int status = injected(s);
  if (status != SEK_OK)
    return status;
  for (size_t i = 0; i < sek_query_term_count(q); i++)
    if (term_unmatchable(sek_query_term_at(q, i))) {
      *out = (store_rows){0, NULL};
      return SEK_OK;
    }
  bool limited = limit != SIZE_MAX && limit <= (size_t)INT64_MAX;
  sqlite3_stmt *st = NULL;
  if ((status = select_stmt(s, q, limited, &st)) != SEK_OK)
    return status;
  int rc = SQLITE_OK, i = 1;
  uint8_t hashes[SEK_COL_COUNT][20];
  for (size_t k = 0; rc == SQLITE_OK && k < sek_query_term_count(q); k++) {
    const sek_query_term *t = sek_query_term_at(q, k);
    if (t->match_any)
      continue;
    const sek_column_info *info = sek_column_info_at(t->column);
    sek_cell stored;
    sek_query_cell_encode(t->column, &t->value, hashes[k], &stored);
    rc = bind_cell(st, i++, info->sha1 ? SEK_COLKIND_BLOB : info->kind, &stored);
  }
  if (rc == SQLITE_OK && limited)
    rc = sqlite3_bind_int64(st, i, (sqlite3_int64)limit);
  if (rc != SQLITE_OK) {
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return fail_sqlite(s, rc, "binding a query");
  }
  return collect(s, st, limit, out);
}

int store_select_all(emu_store *s, store_rows *out) {
  if (s == NULL || out == NULL)
    return SEK_ERR_ARG;
  return collect(s, s->all, SIZE_MAX, out);
}

int store_get(emu_store *s, int64_t rowid, store_rows *out) {
  if (s == NULL || out == NULL)
    return SEK_ERR_ARG;
  int status = injected(s);
  if (status != SEK_OK)
    return status;
  int rc = sqlite3_bind_int64(s->get, 1, rowid);
  if (rc != SQLITE_OK)
    return fail_sqlite(s, rc, "binding a rowid");
  store_rows r;
  if ((status = collect(s, s->get, 1, &r)) != SEK_OK)
    return status;
  if (r.num == 0)
    return failf(s, SEK_STORE_ERR_NOT_FOUND, "no item with rowid %lld", (long long)rowid);
  *out = r;
  return SEK_OK;
}

typedef struct {
  const int64_t *rowids;
  size_t num;
} delete_ctx;

static int do_delete(emu_store *s, void *vctx) {
  delete_ctx *ctx = vctx;
  for (size_t i = 0; i < ctx->num; i++) {
    int rc = sqlite3_bind_int64(s->del, 1, ctx->rowids[i]);
    if (rc == SQLITE_OK)
      rc = sqlite3_step(s->del);
    sqlite3_reset(s->del);
    if (rc != SQLITE_DONE)
      return fail_sqlite(s, rc, "deleting an item");
    if (sqlite3_changes(s->db) != 1)
      return failf(s, SEK_STORE_ERR_NOT_FOUND, "no item with rowid %lld",
                   (long long)ctx->rowids[i]);
  }
  return SEK_OK;
}

int store_delete(emu_store *s, const int64_t *rowids, size_t num) {
  if (s == NULL || (rowids == NULL && num > 0))
    return SEK_ERR_ARG;
  delete_ctx ctx = {rowids, num};
  return in_transaction(s, do_delete, &ctx);
}

typedef struct {
  int64_t rowid;
  const uint8_t *data;
  size_t len;
  double mdat;
} update_ctx;

static int do_update(emu_store *s, void *vctx) {
  update_ctx *ctx = vctx;
  int rc = sqlite3_bind_blob64(s->update, 1, ctx->data, ctx->len, SQLITE_STATIC);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_double(s->update, 2, ctx->mdat);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64(s->update, 3, ctx->rowid);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(s->update);
  sqlite3_reset(s->update);
  sqlite3_clear_bindings(s->update);
  if (rc != SQLITE_DONE)
    return fail_sqlite(s, rc, "updating an item");
  if (sqlite3_changes(s->db) != 1)
    return failf(s, SEK_STORE_ERR_NOT_FOUND, "no item with rowid %lld", (long long)ctx->rowid);
  return SEK_OK;
}

int store_update_data(emu_store *s, int64_t rowid, const uint8_t *data, size_t len, double mdat) {
  if (s == NULL || data == NULL)
    return SEK_ERR_ARG;
  update_ctx ctx = {rowid, data, len, mdat};
  return in_transaction(s, do_update, &ctx);
}

int store_count(emu_store *s, size_t *out) {
  if (s == NULL || out == NULL)
    return SEK_ERR_ARG;
  int rc = sqlite3_step(s->count);
  int status = SEK_OK;
  if (rc == SQLITE_ROW)
    *out = (size_t)sqlite3_column_int64(s->count, 0);
  else
    status = fail_sqlite(s, rc, "counting items");
  sqlite3_reset(s->count);
  return status;
}

/* ---- device state ------------------------------------------------------------------------ */

static int meta_get(emu_store *s, const char *name, int want_type, int64_t *iv, uint8_t *out,
                    size_t cap, size_t *out_len) {
  if (s == NULL || name == NULL)
    return SEK_ERR_ARG;
  int status = injected(s);
  if (status != SEK_OK)
    return status;
  sqlite3_stmt *st = s->meta_get;
  int rc = sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    if (sqlite3_column_type(st, 0) != want_type) {
      status = failf(s, SEK_STORE_ERR_CORRUPT, "device state '%s' has the wrong type", name);
    } else if (want_type == SQLITE_INTEGER) {
      *iv = sqlite3_column_int64(st, 0);
    } else {
      size_t len = (size_t)sqlite3_column_bytes(st, 0);
      const void *p = sqlite3_column_blob(st, 0);
      if (len > cap || (p == NULL && len > 0))
        status = failf(s, SEK_STORE_ERR_CORRUPT, "device state '%s' has a bad size", name);
      else {
        if (len > 0)
          memcpy(out, p, len);
        *out_len = len;
      }
    }
  } else if (rc == SQLITE_DONE) {
    status = failf(s, SEK_STORE_ERR_NOT_FOUND, "no device state '%s'", name);
  } else {
    status = fail_sqlite(s, rc, "reading device state");
  }
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return status;
}

int store_meta_get_int(emu_store *s, const char *name, int64_t *out) {
  if (out == NULL)
    return SEK_ERR_ARG;
  return meta_get(s, name, SQLITE_INTEGER, out, NULL, 0, NULL);
}

int store_meta_get_blob(emu_store *s, const char *name, uint8_t *out, size_t cap, size_t *out_len) {
  if (out == NULL || out_len == NULL)
    return SEK_ERR_ARG;
  return meta_get(s, name, SQLITE_BLOB, NULL, out, cap, out_len);
}

typedef struct {
  const char *name;
  bool is_int;
  int64_t iv;
  const uint8_t *blob;
  size_t len;
} meta_ctx;

static int do_meta_set(emu_store *s, void *vctx) {
  meta_ctx *ctx = vctx;
  sqlite3_stmt *st = s->meta_set;
  int rc = sqlite3_bind_text(st, 1, ctx->name, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK)
    rc = ctx->is_int ? sqlite3_bind_int64(st, 2, ctx->iv)
                     : sqlite3_bind_blob64(st, 2, ctx->len > 0 ? ctx->blob : (const uint8_t *)"",
                                           ctx->len, SQLITE_STATIC);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(st);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc == SQLITE_DONE ? SEK_OK : fail_sqlite(s, rc, "writing device state");
}

int store_meta_set_int(emu_store *s, const char *name, int64_t v) {
  if (s == NULL || name == NULL)
    return SEK_ERR_ARG;
  meta_ctx ctx = {name, true, v, NULL, 0};
  return in_transaction(s, do_meta_set, &ctx);
}

int store_meta_set_blob(emu_store *s, const char *name, const uint8_t *v, size_t len) {
  if (s == NULL || name == NULL || (v == NULL && len > 0))
    return SEK_ERR_ARG;
  meta_ctx ctx = {name, false, 0, v, len};
  return in_transaction(s, do_meta_set, &ctx);
}
