/*
 * query.h: key lookup, SecItemCopyMatching / SecItemDelete semantics over keychain rows.
 *
 * A query dictionary (include/sek/attrs.h) compiles into a sek_query: the item class, the
 * attributes to match (each bound to a column of the keychain's `keys` table, apple-facts §8),
 * the match limit (one — Apple's default —, all, or a number), what to return (ref, attributes,
 * data) and the kSecUse... options.  Compiling checks the query the way Security does and fails
 * with Security's error: errSecParam (-50) for a value of the wrong type or a missing class,
 * errSecNoSuchClass (-25306) for an unknown class, errSecNoSuchAttr (-25303) for an attribute
 * the class does not have.
 *
 * A compiled query then runs two ways that must agree:
 *  - the keychain store turns its terms into SQL with bound parameters (never text pasted into
 *    SQL), hashing the SHA-1-valued columns (kcls, labl, alis, atag) as securityd does;
 *  - sek_query_matches matches one plain (decrypted) row in memory — the brute-force oracle.
 *
 * Rules: every function is pure (no global state, no I/O); a sek_row's byte cells point into
 * storage owned by whoever made the row; a compiled query owns copies of everything it needs
 * and does not keep the dictionary.
 */
#ifndef SEK_QUERY_H
#define SEK_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sek/attrs.h>
#include <sek/error.h>
#include <sek/status.h>

#ifdef __cplusplus
extern "C" {
#endif

enum sek_query_status {
  SEK_QUERY_ERR_INVALID = -400, /* Security rejects the query: *err says why, as Apple would */
};

/* sek_query_strerror names a status of -400 .. -499.  Never NULL. */
const char *sek_query_strerror(int status);

/* SQL kinds of the modelled columns (apple-facts §8 "Kind -> SQL"). */
typedef enum {
  SEK_COLKIND_INTEGER,
  SEK_COLKIND_BLOB,
  SEK_COLKIND_TEXT,
  SEK_COLKIND_REAL
} sek_colkind;

/* The columns of `keys` that the emulator models, in table order. */
typedef enum {
  SEK_COL_CDAT,
  SEK_COL_MDAT,
  SEK_COL_KCLS,
  SEK_COL_LABL,
  SEK_COL_ALIS,
  SEK_COL_PERM,
  SEK_COL_PRIV,
  SEK_COL_MODI,
  SEK_COL_KLBL,
  SEK_COL_ATAG,
  SEK_COL_CRTR,
  SEK_COL_TYPE,
  SEK_COL_BSIZ,
  SEK_COL_ESIZ,
  SEK_COL_SDAT,
  SEK_COL_EDAT,
  SEK_COL_SENS,
  SEK_COL_ASEN,
  SEK_COL_EXTR,
  SEK_COL_NEXT,
  SEK_COL_ENCR,
  SEK_COL_DECR,
  SEK_COL_DRVE,
  SEK_COL_SIGN,
  SEK_COL_VRFY,
  SEK_COL_SNRC,
  SEK_COL_VYRC,
  SEK_COL_WRAP,
  SEK_COL_UNWP,
  SEK_COL_AGRP,
  SEK_COL_PDMN,
  SEK_COL_SYNC,
  SEK_COL_VWHT,
  SEK_COL_TKID,
  SEK_COL_GGRP,
  SEK_COL_COUNT
} sek_column;

typedef struct {
  const char *name; /* the column name = the attribute's raw key ("klbl") */
  sek_colkind kind;
  bool sha1;     /* the column holds SHA-1 of the value (kSecDbSHA1ValueInFlag) */
  bool unique;   /* part of the table's UNIQUE key */
  bool indexed;  /* has an index keys<name> */
  bool not_null; /* NOT NULL with a DEFAULT: an unset value is stored as the default */
  bool boolean;  /* an INTEGER that SecItem returns as a CFBoolean (perm, sign, ...) */
  const char *evidence;
} sek_column_info;

/* sek_column_info_at returns the column's description (NULL out of range). */
const sek_column_info *sek_column_info_at(sek_column c);
/* sek_column_find maps a raw attribute key to its column: 0 or SEK_ERR_ARG when none. */
int sek_column_find(const char *raw_key, sek_column *out);

/* One value of a row or a query term.  bytes are borrowed (row or query storage). */
typedef struct {
  bool present;         /* false: NULL / not set */
  int64_t i;            /* INTEGER */
  double r;             /* REAL (CFAbsoluteTime: seconds since 2001-01-01) */
  const uint8_t *bytes; /* BLOB or TEXT (UTF-8, not NUL-terminated) */
  size_t len;
} sek_cell;

/* An item of the keys table in plain form: SHA-1-valued columns hold the plain value here. */
typedef struct {
  int64_t rowid;
  sek_cell cells[SEK_COL_COUNT];
} sek_row;

/*
 * sek_column_value converts a dictionary value to column c's kind, as SecDb converts CF types
 * (inferred from SecDbItem's per-kind copy functions): INTEGER takes numbers, booleans and
 * decimal strings (the SHA-1-valued kcls keeps the 32 bits a CFNumber SInt32 holds); BLOB takes
 * data and strings (their UTF-8 bytes); TEXT takes strings and constants; REAL takes dates and
 * numbers.  out->bytes is borrowed from v.  Returns false (out undefined) for any other value.
 */
bool sek_column_value(sek_column c, const sek_value *v, sek_cell *out);

typedef enum { SEK_QUERY_COPY, SEK_QUERY_DELETE } sek_query_op;

enum {
  SEK_RETURN_REF = 1u << 0,
  SEK_RETURN_ATTRIBUTES = 1u << 1,
  SEK_RETURN_DATA = 1u << 2,
  SEK_RETURN_PERSISTENT_REF = 1u << 3,
};

/* One attribute to match.  match_any: kSecAttrSynchronizableAny (sync matches anything). */
typedef struct {
  sek_column column;
  sek_cell value; /* normalised to the column's kind; plain (not hashed) */
  bool match_any;
} sek_query_term;

typedef struct sek_query sek_query;

/*
 * sek_query_compile checks and compiles a query dictionary.
 *   dict   the query (borrowed for the call only).
 *   op     SEK_QUERY_COPY (SecItemCopyMatching) or SEK_QUERY_DELETE (SecItemDelete, which
 *          refuses kSecReturn... keys and any match limit but all, as errSecParam).
 *   out    out: the compiled query; free with sek_query_free().
 * Returns 0, SEK_QUERY_ERR_INVALID with *err (newly allocated, NSOSStatusErrorDomain, the code
 * Security returns and a description naming the key), SEK_ERR_ARG or SEK_ERR_NOMEM.
 */
int sek_query_compile(const sek_attrs *dict, sek_query_op op, sek_query **out, sek_error **err);

void sek_query_free(sek_query *q);

/* sek_query_class returns the raw class ("keys", "genp", ...).  Never NULL for a compiled query. */
const char *sek_query_class(const sek_query *q);
/* sek_query_limit returns the match limit: 1 for kSecMatchLimitOne, SIZE_MAX for all. */
size_t sek_query_limit(const sek_query *q);
/* sek_query_returns returns the SEK_RETURN_... mask. */
unsigned sek_query_returns(const sek_query *q);
/* sek_query_prompt returns kSecUseOperationPrompt or NULL. */
const char *sek_query_prompt(const sek_query *q);
/* sek_query_ui_fail is true when kSecUseAuthenticationUI is Fail or kSecUseNoAuthenticationUI. */
bool sek_query_ui_fail(const sek_query *q);
size_t sek_query_term_count(const sek_query *q);
const sek_query_term *sek_query_term_at(const sek_query *q, size_t i);

/*
 * sek_query_matches is the brute-force matcher: true when the class is "keys" and every term
 * equals the row's plain value (a missing row cell matches nothing, as SQL's NULL = ? is never
 * true).  The terms include the implicit ones Security adds: sync = 0 unless the query names
 * kSecAttrSynchronizable (SecItem's default is non-synchronizable items only).
 */
bool sek_query_matches(const sek_query *q, const sek_row *row);

/*
 * sek_query_cell_encode gives the value as stored in the column: itself, or for SHA-1-valued
 * columns the 20-byte SHA-1 of its bytes (INTEGER values as 4-byte little-endian SInt32, as
 * securityd hashes a CFNumber).  sha1_buf holds the hash the output cell points to.
 */
void sek_query_cell_encode(sek_column c, const sek_cell *in, uint8_t sha1_buf[20], sek_cell *out);

/*
 * sek_row_to_attrs builds the kSecReturnAttributes dictionary of a row (class "keys" plus every
 * present column under its raw key).  Newly allocated; free with sek_attrs_free().  Returns 0
 * or SEK_ERR_NOMEM.
 */
int sek_row_to_attrs(const sek_row *row, sek_attrs **out);

#ifdef __cplusplus
}
#endif

#endif /* SEK_QUERY_H */
