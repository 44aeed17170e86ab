/*
 * store.h (internal): the emulated keychain's SQLite store.
 *
 * One database file (or ":memory:") holding:
 *  - `keys`: the keychain-2.db `keys` table of schema 12.11 (apple-facts §8): every column with
 *    its SQL type, the UNIQUE key and the indexes, created exactly as securityd would.  The
 *    columns the emulator models are filled (query.h's sek_column); the SHA-1-valued ones hold
 *    SHA-1 of the value; `data` holds the encrypted item.  Securityd's UNIQUE violation becomes
 *    SEK_STORE_ERR_CONSTRAINT, which the emulator answers as errSecDuplicateItem.
 *  - `tversion`: Apple's version row (12, 11).
 *  - `sek_device`: the emulated device's persistent state (name -> value), e.g. its id, so a
 *    file made by another device (another seed) is recognised.
 * The file carries PRAGMA application_id 'sek1'; any other SQLite database is foreign and is
 * refused, as is a file that is not a database or that fails PRAGMA quick_check.
 *
 * Rules:
 *  - Every change runs in a transaction: either the caller's (store_begin .. store_commit, for
 *    changes of several steps) or one of its own.  A failure inside the caller's transaction
 *    leaves it open for the caller to roll back (store_rollback).
 *  - SQL text is built only from this file's constant column names; every value is bound.
 *  - Returns 0 or a SEK_STORE_ERR_... (emu.h) / SEK_ERR_NOMEM / SEK_ERR_ARG status; after a
 *    failure store_message() says what happened (file, SQLite's message).
 *  - Injected faults (store_fault): the next N operations fail with SEK_STORE_ERR_IO before
 *    touching the database.
 */
#ifndef SEK_EMU_STORE_H
#define SEK_EMU_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sek/emu.h>
#include <sek/query.h>

typedef struct emu_store emu_store;

/* Apple's schema version of the keys table this store reproduces. */
#define STORE_SCHEMA_MAJOR 12
#define STORE_SCHEMA_MINOR 11
/* PRAGMA application_id of a sekfuzz keychain: 'sek1'. */
#define STORE_APPLICATION_ID 0x73656b31

/* A row as stored: SHA-1-valued cells hold the hash; byte cells point into owned storage. */
typedef struct {
  int64_t rowid;
  sek_cell cells[SEK_COL_COUNT];
  const uint8_t *data; /* the encrypted item */
  size_t data_len;
  const uint8_t *persistref;
  size_t persistref_len;
  void *block; /* internal: the storage of this row's bytes */
} store_row;

/* Rows read back, owning their bytes. */
typedef struct {
  size_t num;
  store_row *rows;
} store_rows;

void store_rows_free(store_rows *r);

/*
 * store_open opens or creates the store.  path: a file (created mode 0600 when missing) or
 * ":memory:".  *out_created says whether it was new (no keys, no device state).  On failure
 * why receives "keychain store PATH: reason".
 */
int store_open(const char *path, emu_store **out, bool *out_created, char *why, size_t why_cap);
void store_close(emu_store *s);

/* store_message: the message of the last failure (static storage of s; "" when none). */
const char *store_message(const emu_store *s);

/* store_fault: the next count operations fail with SEK_STORE_ERR_IO (0 disarms).
 * store_fault_status: the same with another status (for tests of each answer). */
void store_fault(emu_store *s, unsigned count);
void store_fault_status(emu_store *s, unsigned count, int status);

/* Transactions (BEGIN IMMEDIATE .. COMMIT).  Not nested. */
int store_begin(emu_store *s);
int store_commit(emu_store *s);    /* on failure the transaction is rolled back */
void store_rollback(emu_store *s); /* no-op without a transaction */

/*
 * store_insert adds one item: plain holds the attribute values in plain form (the store hashes
 * the SHA-1-valued columns; unset NOT NULL columns get their default, unset vwht/ggrp ''),
 * data the encrypted item, persistref its persistent reference (also written as UUID).
 * *out_rowid gets the new rowid (may be NULL).  SEK_STORE_ERR_CONSTRAINT when the UNIQUE key
 * clashes with a stored item.
 */
int store_insert(emu_store *s, const sek_row *plain, const uint8_t *data, size_t data_len,
                 const uint8_t *persistref, size_t persistref_len, int64_t *out_rowid);

/*
 * store_select runs the query's terms as SQL (bound parameters, SHA-1 columns hashed), ordered
 * by rowid, at most limit rows (SIZE_MAX for all).  tomb = 1 rows never match.
 */
int store_select(emu_store *s, const sek_query *q, size_t limit, store_rows *out);

/* store_select_all returns every live row, ordered by rowid (the brute-force oracle's input). */
int store_select_all(emu_store *s, store_rows *out);

/* store_get returns the row with that rowid: SEK_STORE_ERR_NOT_FOUND when there is none. */
int store_get(emu_store *s, int64_t rowid, store_rows *out);

/* store_delete deletes the rows; each must exist (SEK_STORE_ERR_NOT_FOUND otherwise). */
int store_delete(emu_store *s, const int64_t *rowids, size_t num);

/* store_update_data replaces a row's data (and mdat). */
int store_update_data(emu_store *s, int64_t rowid, const uint8_t *data, size_t len, double mdat);

/* store_count gives the number of live rows. */
int store_count(emu_store *s, size_t *out);

/* Device state: name -> an integer or a blob. */
int store_meta_get_int(emu_store *s, const char *name, int64_t *out); /* NOT_FOUND if absent */
int store_meta_set_int(emu_store *s, const char *name, int64_t v);
int store_meta_get_blob(emu_store *s, const char *name, uint8_t *out, size_t cap, size_t *out_len);
int store_meta_set_blob(emu_store *s, const char *name, const uint8_t *v, size_t len);

/* store_integrity_check runs PRAGMA integrity_check: 0, or SEK_STORE_ERR_CORRUPT. */
int store_integrity_check(emu_store *s);

#endif /* SEK_EMU_STORE_H */
