/*
 * attrs.c: the attribute value tree — builder, getters, copy, equality (include/sek/attrs.h).
 *
 * A dictionary is a sorted array of pointers to entries; lookups are binary searches on the raw
 * key, so iteration order is the sorted order whatever the insertion order.  Height is kept per
 * dictionary so that the depth limit is checked in O(1) when a child is set (a child cannot be
 * changed after it is set: the caller gives it away and only gets const access back).
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sek/attrs.h>

#include "attrs_internal.h"

const char *sek_attrs_strerror(int status) {
  switch (status) {
  case SEK_ATTRS_ERR_PARSE: return "attribute literal syntax error";
  case SEK_ATTRS_ERR_DEPTH: return "attribute dictionaries nested too deeply";
  case SEK_ATTRS_ERR_TOO_MANY: return "too many entries in an attribute dictionary";
  case SEK_ATTRS_ERR_TOO_LONG: return "attribute value or literal too long";
  case SEK_ATTRS_ERR_KEY: return "invalid attribute key";
  case SEK_ATTRS_ERR_NOT_FOUND: return "no such attribute";
  case SEK_ATTRS_ERR_DUPLICATE: return "attribute key given twice";
  case SEK_ATTRS_ERR_AC_PROTECTION: return "SecAccessControl: invalid protection";
  case SEK_ATTRS_ERR_AC_LOGICAL: return "only one logical operation can be set";
  case SEK_ATTRS_ERR_AC_BIO: return "only one bio constraint can be set";
  case SEK_ATTRS_ERR_AC_PRESENCE: return "user presence cannot be combined with other constraints";
  case SEK_ATTRS_ERR_AC_FLAGS: return "unknown SecAccessControlCreateFlags bits";
  default: return "unknown attrs status";
  }
}

char *attrs_strndup(const char *s, size_t len) {
  char *p = malloc(len + 1);
  if (p == NULL)
    return NULL;
  if (len > 0)
    memcpy(p, s, len);
  p[len] = '\0';
  return p;
}

bool attrs_unknown_flag_ok(const char *s) {
  size_t len = strlen(s);
  if (len == 0 || len > SEK_ATTRS_MAX_VALUE_LEN || (!isalpha((unsigned char)s[0]) && s[0] != '_'))
    return false;
  for (size_t i = 1; i < len; i++)
    if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '$')
      return false;
  return sek_access_control_flag_lookup(s, len, NULL) == 0 && strcmp(s, "init") != 0;
}

sek_attrs *sek_attrs_new(void) {
  sek_attrs *a = calloc(1, sizeof *a);
  if (a != NULL)
    a->height = 1;
  return a;
}

void attrs_value_clear(sek_value *v) {
  free(v->bytes);
  free(v->protection);
  for (size_t i = 0; i < v->num_unknown; i++)
    free(v->unknown[i]);
  sek_attrs_free(v->dict);
  memset(v, 0, sizeof *v);
}

void sek_attrs_free(sek_attrs *a) {
  if (a == NULL)
    return;
  for (size_t i = 0; i < a->n; i++) {
    free(a->e[i]->key);
    attrs_value_clear(&a->e[i]->v);
    free(a->e[i]);
  }
  free(a->e);
  free(a);
}

int attrs_value_copy(sek_value *dst, const sek_value *src) {
  sek_value v = *src;
  v.bytes = NULL;
  v.protection = NULL;
  v.dict = NULL;
  v.num_unknown = 0;
  memset(v.unknown, 0, sizeof v.unknown);
  if (src->bytes != NULL && (v.bytes = attrs_strndup(src->bytes, src->len)) == NULL)
    goto nomem;
  if (src->protection != NULL &&
      (v.protection = attrs_strndup(src->protection, strlen(src->protection))) == NULL)
    goto nomem;
  for (size_t i = 0; i < src->num_unknown; i++) {
    if ((v.unknown[i] = attrs_strndup(src->unknown[i], strlen(src->unknown[i]))) == NULL)
      goto nomem;
    v.num_unknown = i + 1;
  }
  if (src->dict != NULL && (v.dict = sek_attrs_copy(src->dict)) == NULL)
    goto nomem;
  *dst = v;
  return SEK_OK;
nomem:
  attrs_value_clear(&v);
  return SEK_ERR_NOMEM;
}

sek_attrs *sek_attrs_copy(const sek_attrs *a) {
  if (a == NULL)
    return NULL;
  sek_attrs *c = sek_attrs_new();
  if (c == NULL)
    return NULL;
  c->line = a->line;
  c->col = a->col;
  c->height = a->height;
  if (a->n > 0 && (c->e = calloc(a->n, sizeof *c->e)) == NULL)
    goto nomem;
  c->cap = a->n;
  for (size_t i = 0; i < a->n; i++) {
    attrs_entry *e = calloc(1, sizeof *e);
    if (e == NULL)
      goto nomem;
    if ((e->key = attrs_strndup(a->e[i]->key, strlen(a->e[i]->key))) == NULL ||
        attrs_value_copy(&e->v, &a->e[i]->v) != SEK_OK) {
      free(e->key);
      free(e);
      goto nomem;
    }
    c->e[c->n++] = e;
  }
  return c;
nomem:
  sek_attrs_free(c);
  return NULL;
}

bool attrs_value_equal(const sek_value *x, const sek_value *y) {
  if (x->kind != y->kind)
    return false;
  switch (x->kind) {
  case SEK_VALUE_STRING:
  case SEK_VALUE_DATA:
  case SEK_VALUE_CONSTANT:
  case SEK_VALUE_REFERENCE:
    return x->len == y->len && (x->len == 0 || memcmp(x->bytes, y->bytes, x->len) == 0);
  case SEK_VALUE_NUMBER:
    if (x->is_real != y->is_real)
      return false;
    return x->is_real ? x->real == y->real : x->num == y->num;
  case SEK_VALUE_BOOL: return x->num == y->num;
  case SEK_VALUE_DATE: return x->real == y->real;
  case SEK_VALUE_DICT: return sek_attrs_equal(x->dict, y->dict);
  case SEK_VALUE_ACCESS_CONTROL:
    if (strcmp(x->protection, y->protection) != 0 || x->prot_kind != y->prot_kind ||
        x->flags != y->flags || x->deprecated_spelling != y->deprecated_spelling ||
        x->num_unknown != y->num_unknown)
      return false;
    for (size_t i = 0; i < x->num_unknown; i++)
      if (strcmp(x->unknown[i], y->unknown[i]) != 0)
        return false;
    return true;
  }
  return false;
}

bool sek_attrs_equal(const sek_attrs *a, const sek_attrs *b) {
  if (a == NULL || b == NULL)
    return a == b;
  if (a->n != b->n)
    return false;
  for (size_t i = 0; i < a->n; i++)
    if (strcmp(a->e[i]->key, b->e[i]->key) != 0 || !attrs_value_equal(&a->e[i]->v, &b->e[i]->v))
      return false;
  return true;
}

const char *attrs_key_raw(const char *key, size_t len, size_t *raw_len) {
  const sek_attrs_name *row = attrs_name_lookup_n(key, len, SEK_NAME_KEY);
  if (row != NULL) {
    *raw_len = strlen(row->raw);
    return row->raw;
  }
  *raw_len = len;
  return key;
}

const char *attrs_constant_raw(const char *c, size_t len, size_t *raw_len, bool *known) {
  const sek_attrs_name *row = attrs_name_lookup_n(c, len, SEK_NAME_CONSTANT);
  *known = row != NULL;
  if (row != NULL) {
    *raw_len = strlen(row->raw);
    return row->raw;
  }
  *raw_len = len;
  return c;
}

/* Binary search: the index of key, or where it would go (with *found false). */
static size_t find(const sek_attrs *a, const char *key, bool *found) {
  size_t lo = 0, hi = a->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(a->e[mid]->key, key);
    if (c == 0) {
      *found = true;
      return mid;
    }
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  *found = false;
  return lo;
}

static void recompute_height(sek_attrs *a) {
  unsigned h = 1;
  for (size_t i = 0; i < a->n; i++)
    if (a->e[i]->v.kind == SEK_VALUE_DICT && a->e[i]->v.dict->height + 1 > h)
      h = a->e[i]->v.dict->height + 1;
  a->height = h;
}

static int check_key(const char *key, size_t len) {
  if (len == 0 || memchr(key, '\0', len) != NULL)
    return SEK_ATTRS_ERR_KEY;
  if (len > SEK_ATTRS_MAX_VALUE_LEN)
    return SEK_ATTRS_ERR_TOO_LONG;
  return SEK_OK;
}

int attrs_put(sek_attrs *a, const char *raw_key, sek_value *v, bool no_replace) {
  int st = check_key(raw_key, strlen(raw_key));
  if (st == SEK_OK && v->len > SEK_ATTRS_MAX_VALUE_LEN)
    st = SEK_ATTRS_ERR_TOO_LONG;
  if (st == SEK_OK && v->kind == SEK_VALUE_DICT && v->dict->height + 1 > SEK_ATTRS_MAX_DEPTH)
    st = SEK_ATTRS_ERR_DEPTH;
  bool found = false;
  size_t at = st == SEK_OK ? find(a, raw_key, &found) : 0;
  if (st == SEK_OK && found && no_replace)
    st = SEK_ATTRS_ERR_DUPLICATE;
  if (st == SEK_OK && !found && a->n >= SEK_ATTRS_MAX_ENTRIES)
    st = SEK_ATTRS_ERR_TOO_MANY;
  if (st != SEK_OK) {
    attrs_value_clear(v);
    return st;
  }
  if (found) {
    attrs_value_clear(&a->e[at]->v);
    a->e[at]->v = *v;
  } else {
    if (a->n == a->cap) {
      size_t cap = a->cap ? a->cap * 2 : 8;
      attrs_entry **e = realloc(a->e, cap * sizeof *e);
      if (e == NULL)
        goto nomem;
      a->e = e;
      a->cap = cap;
    }
    attrs_entry *e = calloc(1, sizeof *e);
    if (e == NULL)
      goto nomem;
    if ((e->key = attrs_strndup(raw_key, strlen(raw_key))) == NULL) {
      free(e);
      goto nomem;
    }
    e->v = *v;
    memmove(&a->e[at + 1], &a->e[at], (a->n - at) * sizeof *a->e);
    a->e[at] = e;
    a->n++;
  }
  memset(v, 0, sizeof *v);
  recompute_height(a);
  return SEK_OK;
nomem:
  attrs_value_clear(v);
  return SEK_ERR_NOMEM;
}

/* The common front of every setter: resolve the key, put the value. */
static int set(sek_attrs *a, const char *key, sek_value *v) {
  if (a == NULL || key == NULL) {
    attrs_value_clear(v);
    return SEK_ERR_ARG;
  }
  size_t raw_len;
  const char *raw = attrs_key_raw(key, strlen(key), &raw_len);
  return attrs_put(a, raw, v, false);
}

static int set_bytes(sek_attrs *a, const char *key, sek_value_kind kind, const char *s,
                     size_t len) {
  if (s == NULL && len > 0)
    return SEK_ERR_ARG;
  if (len > SEK_ATTRS_MAX_VALUE_LEN)
    return a == NULL || key == NULL ? SEK_ERR_ARG : SEK_ATTRS_ERR_TOO_LONG;
  sek_value v = {.kind = kind, .len = len};
  if ((v.bytes = attrs_strndup(s, len)) == NULL)
    return SEK_ERR_NOMEM;
  return set(a, key, &v);
}

int sek_attrs_set_string(sek_attrs *a, const char *key, const char *s, size_t len) {
  return set_bytes(a, key, SEK_VALUE_STRING, s, len);
}

int sek_attrs_set_data(sek_attrs *a, const char *key, const uint8_t *d, size_t len) {
  return set_bytes(a, key, SEK_VALUE_DATA, (const char *)d, len);
}

int sek_attrs_set_reference(sek_attrs *a, const char *key, const char *name, size_t len) {
  if (name == NULL || len == 0 || len > SEK_ATTRS_MAX_VALUE_LEN ||
      !attrs_reference_text_ok(name, len))
    return SEK_ERR_ARG;
  return set_bytes(a, key, SEK_VALUE_REFERENCE, name, len);
}

int sek_attrs_set_number(sek_attrs *a, const char *key, int64_t n) {
  sek_value v = {.kind = SEK_VALUE_NUMBER, .num = n};
  return set(a, key, &v);
}

int sek_attrs_set_real(sek_attrs *a, const char *key, double d) {
  if (!isfinite(d))
    return SEK_ERR_ARG;
  sek_value v = {.kind = SEK_VALUE_NUMBER, .is_real = true, .real = d == 0 ? 0.0 : d};
  return set(a, key, &v);
}

int sek_attrs_set_bool(sek_attrs *a, const char *key, bool b) {
  sek_value v = {.kind = SEK_VALUE_BOOL, .num = b ? 1 : 0};
  return set(a, key, &v);
}

int sek_attrs_set_date(sek_attrs *a, const char *key, double t) {
  if (!isfinite(t))
    return SEK_ERR_ARG;
  sek_value v = {.kind = SEK_VALUE_DATE, .real = t == 0 ? 0.0 : t};
  return set(a, key, &v);
}

int sek_attrs_set_constant(sek_attrs *a, const char *key, const char *constant) {
  if (constant == NULL)
    return SEK_ERR_ARG;
  size_t len = strlen(constant), raw_len;
  if (len == 0)
    return SEK_ERR_ARG;
  bool known;
  const char *raw = attrs_constant_raw(constant, len, &raw_len, &known);
  if (raw_len > SEK_ATTRS_MAX_VALUE_LEN)
    return a == NULL || key == NULL ? SEK_ERR_ARG : SEK_ATTRS_ERR_TOO_LONG;
  sek_value v = {.kind = SEK_VALUE_CONSTANT, .len = raw_len, .known = known};
  if ((v.bytes = attrs_strndup(raw, raw_len)) == NULL)
    return SEK_ERR_NOMEM;
  return set(a, key, &v);
}

int sek_attrs_set_dict(sek_attrs *a, const char *key, sek_attrs *child) {
  if (child == NULL || child == a) {
    if (child != a)
      sek_attrs_free(child);
    return SEK_ERR_ARG;
  }
  sek_value v = {.kind = SEK_VALUE_DICT, .dict = child};
  return set(a, key, &v);
}

int attrs_value_set_ac(sek_value *v, const char *protection, size_t prot_len,
                       sek_value_kind prot_kind, uint32_t flags, uint32_t deprecated_spelling,
                       const char *const *unknown, const size_t *unknown_len, size_t num_unknown) {
  if (num_unknown > SEK_ATTRS_MAX_UNKNOWN_FLAGS)
    return SEK_ATTRS_ERR_TOO_MANY;
  if (prot_len > SEK_ATTRS_MAX_VALUE_LEN)
    return SEK_ATTRS_ERR_TOO_LONG;
  /* only bits that have a deprecated name can be spelled with one */
  uint32_t spellable = SEK_AC_BIOMETRY_ANY | SEK_AC_BIOMETRY_CURRENT_SET | SEK_AC_COMPANION;
  sek_value n = {.kind = SEK_VALUE_ACCESS_CONTROL,
                 .flags = flags,
                 .deprecated_spelling = deprecated_spelling & flags & spellable};
  /* any kSec constant is kept by its raw string, like a constant value (a wrong one, such as
     a key type, is the lint's to report) */
  const sek_attrs_name *row = prot_kind == SEK_VALUE_REFERENCE
                                  ? NULL
                                  : attrs_name_lookup_n(protection, prot_len, SEK_NAME_CONSTANT);
  n.prot_kind = row != NULL ? SEK_VALUE_CONSTANT : prot_kind;
  n.known = row != NULL;
  if (row != NULL)
    n.protection = attrs_strndup(row->raw, strlen(row->raw));
  else
    n.protection = attrs_strndup(protection, prot_len);
  if (n.protection == NULL)
    goto nomem;
  for (size_t i = 0; i < num_unknown; i++) {
    size_t len = unknown_len != NULL ? unknown_len[i] : strlen(unknown[i]);
    if (len > SEK_ATTRS_MAX_VALUE_LEN) {
      attrs_value_clear(&n);
      return SEK_ATTRS_ERR_TOO_LONG;
    }
    if ((n.unknown[i] = attrs_strndup(unknown[i], len)) == NULL)
      goto nomem;
    n.num_unknown = i + 1;
  }
  *v = n;
  return SEK_OK;
nomem:
  attrs_value_clear(&n);
  return SEK_ERR_NOMEM;
}

int sek_attrs_set_access_control_ex(sek_attrs *a, const char *key, const char *protection,
                                    uint32_t flags, uint32_t deprecated_spelling,
                                    const char *const *unknown, size_t num_unknown) {
  if (a == NULL || key == NULL || protection == NULL || (unknown == NULL && num_unknown > 0))
    return SEK_ERR_ARG;
  for (size_t i = 0; i < num_unknown; i++)
    if (unknown[i] == NULL || !attrs_unknown_flag_ok(unknown[i]))
      return SEK_ERR_ARG;
  sek_value v;
  /* from C, a protection the table does not know is a CFString of that text */
  int st = attrs_value_set_ac(&v, protection, strlen(protection), SEK_VALUE_STRING, flags,
                              deprecated_spelling, unknown, NULL, num_unknown);
  if (st != SEK_OK)
    return st;
  return set(a, key, &v);
}

int sek_attrs_set_access_control(sek_attrs *a, const char *key, const char *protection,
                                 uint32_t flags) {
  return sek_attrs_set_access_control_ex(a, key, protection, flags, 0, NULL, 0);
}

int sek_attrs_remove(sek_attrs *a, const char *key) {
  if (a == NULL || key == NULL)
    return SEK_ERR_ARG;
  size_t raw_len;
  const char *raw = attrs_key_raw(key, strlen(key), &raw_len);
  bool found;
  size_t at = find(a, raw, &found);
  if (!found)
    return SEK_ATTRS_ERR_NOT_FOUND;
  attrs_entry *e = a->e[at];
  memmove(&a->e[at], &a->e[at + 1], (a->n - at - 1) * sizeof *a->e);
  a->n--;
  free(e->key);
  attrs_value_clear(&e->v);
  free(e);
  recompute_height(a);
  return SEK_OK;
}

const sek_value *attrs_get_raw(const sek_attrs *a, const char *raw) {
  bool found;
  size_t at = find(a, raw, &found);
  return found ? &a->e[at]->v : NULL;
}

const sek_value *sek_attrs_get(const sek_attrs *a, const char *key) {
  if (a == NULL || key == NULL)
    return NULL;
  size_t raw_len;
  const char *raw = attrs_key_raw(key, strlen(key), &raw_len);
  bool found;
  size_t at = find(a, raw, &found);
  return found ? &a->e[at]->v : NULL;
}

size_t sek_attrs_count(const sek_attrs *a) { return a == NULL ? 0 : a->n; }

int sek_attrs_entry(const sek_attrs *a, size_t i, const char **raw_key, const sek_value **v) {
  if (a == NULL)
    return SEK_ERR_ARG;
  if (i >= a->n)
    return SEK_ATTRS_ERR_NOT_FOUND;
  if (raw_key != NULL)
    *raw_key = a->e[i]->key;
  if (v != NULL)
    *v = &a->e[i]->v;
  return SEK_OK;
}

void sek_attrs_pos(const sek_attrs *a, unsigned *line, unsigned *col) {
  if (line != NULL)
    *line = a != NULL ? a->line : 0;
  if (col != NULL)
    *col = a != NULL ? a->col : 0;
}

sek_value_kind sek_value_kind_of(const sek_value *v) {
  return v == NULL ? SEK_VALUE_STRING : v->kind;
}

const char *sek_value_string(const sek_value *v, size_t *len) {
  if (v == NULL || (v->kind != SEK_VALUE_STRING && v->kind != SEK_VALUE_CONSTANT &&
                    v->kind != SEK_VALUE_REFERENCE))
    return NULL;
  if (len != NULL)
    *len = v->len;
  return v->bytes;
}

const uint8_t *sek_value_data(const sek_value *v, size_t *len) {
  if (v == NULL || v->kind != SEK_VALUE_DATA)
    return NULL;
  if (len != NULL)
    *len = v->len;
  return (const uint8_t *)v->bytes;
}

int64_t sek_value_number(const sek_value *v) {
  if (v == NULL || v->kind != SEK_VALUE_NUMBER)
    return 0;
  if (!v->is_real)
    return v->num;
  if (v->real >= 9223372036854775807.0)
    return INT64_MAX;
  if (v->real <= -9223372036854775808.0)
    return INT64_MIN;
  return (int64_t)v->real;
}

bool sek_value_is_real(const sek_value *v) {
  return v != NULL && v->kind == SEK_VALUE_NUMBER && v->is_real;
}

double sek_value_real(const sek_value *v) {
  if (v == NULL)
    return 0;
  if (v->kind == SEK_VALUE_DATE || (v->kind == SEK_VALUE_NUMBER && v->is_real))
    return v->real;
  if (v->kind == SEK_VALUE_NUMBER)
    return (double)v->num;
  return 0;
}

bool sek_value_bool(const sek_value *v) {
  return v != NULL && v->kind == SEK_VALUE_BOOL && v->num != 0;
}

const sek_attrs *sek_value_dict(const sek_value *v) {
  return v != NULL && v->kind == SEK_VALUE_DICT ? v->dict : NULL;
}

const char *sek_value_protection(const sek_value *v) {
  return v != NULL && v->kind == SEK_VALUE_ACCESS_CONTROL ? v->protection : NULL;
}

sek_value_kind sek_value_protection_kind(const sek_value *v) {
  return v != NULL && v->kind == SEK_VALUE_ACCESS_CONTROL ? v->prot_kind : SEK_VALUE_STRING;
}

uint32_t sek_value_ac_flags(const sek_value *v) {
  return v != NULL && v->kind == SEK_VALUE_ACCESS_CONTROL ? v->flags : 0;
}

uint32_t sek_value_ac_deprecated_spelling(const sek_value *v) {
  return v != NULL && v->kind == SEK_VALUE_ACCESS_CONTROL ? v->deprecated_spelling : 0;
}

size_t sek_value_ac_unknown_count(const sek_value *v) {
  return v != NULL && v->kind == SEK_VALUE_ACCESS_CONTROL ? v->num_unknown : 0;
}

const char *sek_value_ac_unknown(const sek_value *v, size_t i) {
  return i < sek_value_ac_unknown_count(v) ? v->unknown[i] : NULL;
}

bool sek_value_constant_known(const sek_value *v) {
  return v != NULL && v->kind == SEK_VALUE_CONSTANT && v->known;
}

void sek_value_pos(const sek_value *v, unsigned *line, unsigned *col) {
  if (line != NULL)
    *line = v != NULL ? v->line : 0;
  if (col != NULL)
    *col = v != NULL ? v->col : 0;
}

void sek_value_key_pos(const sek_value *v, unsigned *line, unsigned *col) {
  if (line != NULL)
    *line = v != NULL ? v->key_line : 0;
  if (col != NULL)
    *col = v != NULL ? v->key_col : 0;
}
