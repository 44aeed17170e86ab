/*
 * attrs_internal.h: the representation of attribute dictionaries, shared by src/attrs*.c and
 * src/access_control.c only (the public contract is include/sek/attrs.h).
 */
#ifndef SEK_ATTRS_INTERNAL_H
#define SEK_ATTRS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sek/attrs.h>

struct sek_value {
  sek_value_kind kind;
  unsigned line, col;         /* of the value in the literal; 0 when built */
  unsigned key_line, key_col; /* of its key */
  char *bytes;                /* STRING, DATA, CONSTANT (raw), REFERENCE; NUL-terminated */
  size_t len;                 /* bytes without the terminating NUL */
  int64_t num;                /* NUMBER (integer), BOOL (0/1) */
  double real;                /* NUMBER with is_real, DATE */
  bool is_real;
  bool known;               /* CONSTANT: found in the name table */
  sek_attrs *dict;          /* DICT */
  char *protection;         /* ACCESS_CONTROL: raw class, or as written */
  sek_value_kind prot_kind; /* ACCESS_CONTROL: how the protection was given: CONSTANT (known
                               says whether the table has it), STRING, or REFERENCE */
  uint32_t flags, deprecated_spelling;
  char *unknown[SEK_ATTRS_MAX_UNKNOWN_FLAGS];
  size_t num_unknown;
};

typedef struct {
  char *key; /* raw */
  sek_value v;
} attrs_entry;

struct sek_attrs {
  attrs_entry **e; /* sorted by key (strcmp); entries are separately allocated so that a
                      borrowed sek_value stays put when other keys come and go */
  size_t n, cap;
  unsigned height; /* 1 + the height of the deepest child dictionary */
  unsigned line, col;
};

/* attrs.c */
/* Installs v (moved: on success the dictionary owns v's buffers, on failure they are freed)
   under raw key.  Replaces an existing entry unless no_replace, then SEK_ATTRS_ERR_DUPLICATE. */
int attrs_put(sek_attrs *a, const char *raw_key, sek_value *v, bool no_replace);
void attrs_value_clear(sek_value *v);
/* The value under a raw key (no name resolution), or NULL. */
const sek_value *attrs_get_raw(const sek_attrs *a, const char *raw);
int attrs_value_copy(sek_value *dst, const sek_value *src);
bool attrs_value_equal(const sek_value *x, const sek_value *y);
/* Resolves a key given by name or raw to the raw string (a pointer into the table, or key). */
const char *attrs_key_raw(const char *key, size_t len, size_t *raw_len);
/* Resolves a constant likewise; *known says whether the table has it. */
const char *attrs_constant_raw(const char *c, size_t len, size_t *raw_len, bool *known);
/* Fills an ACCESS_CONTROL value (copies the strings); 0 or a status.  prot_kind: CONSTANT,
   STRING or REFERENCE; a constant or string the table knows is stored as its raw constant. */
int attrs_value_set_ac(sek_value *v, const char *protection, size_t prot_len,
                       sek_value_kind prot_kind, uint32_t flags, uint32_t deprecated_spelling,
                       const char *const *unknown, const size_t *unknown_len, size_t num_unknown);
/* Makes a copy of s[0..len) with a NUL; NULL on no memory. */
char *attrs_strndup(const char *s, size_t len);

/* attrs_parse.c: texts the parser reads back as a REFERENCE / an unknown CONSTANT */
bool attrs_reference_text_ok(const char *s, size_t len);
bool attrs_constant_text_ok(const char *s);
/* An unknown flag name the parser reads back as one: an identifier that is no flag or "init". */
bool attrs_unknown_flag_ok(const char *s);

/* attrs_names.c */
const sek_attrs_name *attrs_name_lookup_n(const char *s, size_t len, sek_name_role role);
const sek_attrs_name *attrs_name_by_raw(const char *raw, sek_name_role role);
const char *attrs_flag_deprecated_name(uint32_t bit);

#endif /* SEK_ATTRS_INTERNAL_H */
