/*
 * error.c: the sek_error model, Apple's NSError description printer and its strict parser.
 * Contract in include/sek/error.h.
 *
 * The parser is text-preserving: every piece it reads is stored so that the printer writes the
 * same bytes back (the nested error's address is kept as its hex digits, a number is a number
 * only in canonical decimal, "(null)" is the missing description).  That is what makes
 * print(parse(x)) a fixed point without any normalisation step.  It reads left to right and
 * never backtracks more than one local, bounded attempt (the data form), so it is linear.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_internal.h"
#include "hex.h"

typedef struct {
  const char *key; /* owned unless it is one of well_known_keys */
  size_t key_len;
  bool key_owned;
  sek_error_value_kind kind;
  union {
    char *s;
    long long n;
    struct {
      uint8_t *p;
      size_t len;
    } d;
    sek_error *err;
  } v;
} entry;

/* Short domains and the first entries live in the object itself: an Apple error has one domain
 * of some 20 bytes and two to four entries, and each allocation saved is a tenth of a decode. */
#define INLINE_DOMAIN 40
#define INLINE_ENTRIES 4

struct sek_error {
  char *domain; /* domain_buf, or allocated when longer */
  long code;
  char *description;
  entry *entries; /* inline_entries, or allocated when more */
  size_t num_entries, cap_entries;
  char address[17]; /* hex digits of NSUnderlyingError=0x… as parsed; "" when built */
  char domain_buf[INLINE_DOMAIN];
  entry inline_entries[INLINE_ENTRIES];
};

/* Keys Apple's errors carry again and again: stored as pointers to these, not as copies. */
#define WK(k)                                                                                      \
  { k, sizeof k - 1 }
static const struct {
  const char *key;
  size_t len;
} well_known_keys[] = {
    WK(SEK_KEY_DEBUG_DESCRIPTION),
    WK(SEK_KEY_AKS_ERROR),
    WK(SEK_KEY_UNDERLYING),
    WK(SEK_KEY_DESCRIPTION),
    WK(SEK_KEY_LOCALIZED_DESCRIPTION),
    WK("numberOfErrorsDeep"),
    WK("NSLocalizedFailureReason"),
};
#undef WK

/* ---- string buffer (shared by the module through error_internal.h) --------------------------- */

static bool sb_reserve(sek_sb *b, size_t extra) {
  if (b->failed)
    return false;
  if (b->len + extra + 1 <= b->cap)
    return true;
  size_t cap = b->cap ? b->cap : 128;
  while (cap < b->len + extra + 1) {
    if (cap > SIZE_MAX / 2) {
      b->failed = true;
      return false;
    }
    cap *= 2;
  }
  char *p = realloc(b->p, cap);
  if (p == NULL) {
    b->failed = true;
    return false;
  }
  b->p = p;
  b->cap = cap;
  return true;
}

void sek_sb_put(sek_sb *b, const char *s, size_t n) {
  if (!sb_reserve(b, n))
    return;
  if (n > 0)
    memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

void sek_sb_puts(sek_sb *b, const char *s) { sek_sb_put(b, s, strlen(s)); }

void sek_sb_printf(sek_sb *b, const char *fmt, ...) {
  char small[128];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) {
    b->failed = true;
    return;
  }
  if ((size_t)n < sizeof small) {
    sek_sb_put(b, small, (size_t)n);
    return;
  }
  if (!sb_reserve(b, (size_t)n))
    return;
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

char *sek_sb_finish(sek_sb *b) {
  if (b->failed) {
    free(b->p);
    b->p = NULL;
    return NULL;
  }
  if (b->p == NULL && !sb_reserve(b, 0))
    return NULL;
  if (b->len == 0)
    b->p[0] = '\0';
  char *p = b->p;
  b->p = NULL;
  return p;
}


/* ---- the model ------------------------------------------------------------------------------- */

static char *dup_n(const char *s, size_t n) {
  char *p = malloc(n + 1);
  if (p == NULL)
    return NULL;
  if (n > 0)
    memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

sek_error *sek_error_new_n(const char *domain, size_t domain_len, long code,
                           const char *description, size_t description_len) {
  sek_error *e = calloc(1, sizeof *e);
  if (e == NULL)
    return NULL;
  e->code = code;
  e->entries = e->inline_entries;
  e->cap_entries = INLINE_ENTRIES;
  if (domain_len < INLINE_DOMAIN) {
    e->domain = e->domain_buf;
    if (domain_len > 0)
      memcpy(e->domain, domain, domain_len);
    e->domain[domain_len] = '\0';
  } else {
    e->domain = dup_n(domain, domain_len);
    if (e->domain == NULL) {
      free(e);
      return NULL;
    }
  }
  if (description != NULL) {
    e->description = dup_n(description, description_len);
    if (e->description == NULL) {
      if (e->domain != e->domain_buf)
        free(e->domain);
      free(e);
      return NULL;
    }
  }
  return e;
}

sek_error *sek_error_new(const char *domain, long code, const char *description) {
  if (domain == NULL)
    return NULL;
  return sek_error_new_n(domain, strlen(domain), code, description,
                         description ? strlen(description) : 0);
}

static void entry_clear(entry *en) {
  switch (en->kind) {
  case SEK_ERROR_VALUE_STRING: free(en->v.s); break;
  case SEK_ERROR_VALUE_DATA: free(en->v.d.p); break;
  case SEK_ERROR_VALUE_ERROR: sek_error_free(en->v.err); break;
  case SEK_ERROR_VALUE_NUMBER: break;
  }
}

void sek_error_free(sek_error *e) {
  /* Iterative along the underlying chain would save stack, but depth is bounded by
   * SEK_ERROR_MAX_DEPTH, so recursion is at most that deep. */
  if (e == NULL)
    return;
  for (size_t i = 0; i < e->num_entries; i++) {
    entry_clear(&e->entries[i]);
    if (e->entries[i].key_owned)
      free((void *)(uintptr_t)e->entries[i].key);
  }
  if (e->entries != e->inline_entries)
    free(e->entries);
  if (e->domain != e->domain_buf)
    free(e->domain);
  free(e->description);
  free(e);
}

sek_error *sek_error_copy(const sek_error *e) {
  if (e == NULL)
    return NULL;
  sek_error *c = sek_error_new(e->domain, e->code, e->description);
  if (c == NULL)
    return NULL;
  memcpy(c->address, e->address, sizeof c->address);
  for (size_t i = 0; i < e->num_entries; i++) {
    const entry *en = &e->entries[i];
    int st = SEK_OK;
    switch (en->kind) {
    case SEK_ERROR_VALUE_STRING: st = sek_error_add_string(c, en->key, en->v.s); break;
    case SEK_ERROR_VALUE_NUMBER: st = sek_error_add_number(c, en->key, en->v.n); break;
    case SEK_ERROR_VALUE_DATA: st = sek_error_add_data(c, en->key, en->v.d.p, en->v.d.len); break;
    case SEK_ERROR_VALUE_ERROR: {
      sek_error *inner = sek_error_copy(en->v.err);
      st = inner ? sek_error_add_error(c, en->key, inner) : SEK_ERR_NOMEM;
      break;
    }
    }
    if (st != SEK_OK) {
      sek_error_free(c);
      return NULL;
    }
  }
  return c;
}

static bool str_eq(const char *a, const char *b) {
  if (a == NULL || b == NULL)
    return a == b;
  return strcmp(a, b) == 0;
}

bool sek_error_equal(const sek_error *a, const sek_error *b) {
  if (a == NULL || b == NULL)
    return a == b;
  if (a->code != b->code || !str_eq(a->domain, b->domain) ||
      !str_eq(a->description, b->description) || a->num_entries != b->num_entries)
    return false;
  for (size_t i = 0; i < a->num_entries; i++) {
    const entry *x = &a->entries[i], *y = &b->entries[i];
    if (x->kind != y->kind || strcmp(x->key, y->key) != 0)
      return false;
    switch (x->kind) {
    case SEK_ERROR_VALUE_STRING:
      if (strcmp(x->v.s, y->v.s) != 0)
        return false;
      break;
    case SEK_ERROR_VALUE_NUMBER:
      if (x->v.n != y->v.n)
        return false;
      break;
    case SEK_ERROR_VALUE_DATA:
      if (x->v.d.len != y->v.d.len ||
          (x->v.d.len > 0 && memcmp(x->v.d.p, y->v.d.p, x->v.d.len) != 0))
        return false;
      break;
    case SEK_ERROR_VALUE_ERROR:
      if (!sek_error_equal(x->v.err, y->v.err))
        return false;
      break;
    }
  }
  return true;
}

/* A key the description form can carry: what the parser reads as a key reads it back. */
static bool key_ok_n(const char *key, size_t n) {
  if (n == 0)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!sek_error_key_char_ok((unsigned char)key[i]))
      return false;
  return true;
}

static entry *find_entry_n(const sek_error *e, const char *key, size_t n) {
  for (size_t i = 0; i < e->num_entries; i++)
    if (e->entries[i].key_len == n && memcmp(e->entries[i].key, key, n) == 0)
      return &e->entries[i];
  return NULL;
}

/* Finds the entry for key or appends an empty one (kind NUMBER, value 0); NULL on no memory or
 * when the entry limit is reached (*st says which). */
static entry *slot_for(sek_error *e, const char *key, size_t key_len, int *st) {
  entry *en = find_entry_n(e, key, key_len);
  if (en != NULL) {
    entry_clear(en);
    en->kind = SEK_ERROR_VALUE_NUMBER;
    en->v.n = 0;
    return en;
  }
  if (e->num_entries >= SEK_ERROR_MAX_ENTRIES) {
    *st = SEK_ERR_LIMIT;
    return NULL;
  }
  if (e->num_entries == e->cap_entries) {
    size_t cap = e->cap_entries * 2;
    bool was_inline = e->entries == e->inline_entries;
    entry *p = realloc(was_inline ? NULL : e->entries, cap * sizeof *p);
    if (p == NULL) {
      *st = SEK_ERR_NOMEM;
      return NULL;
    }
    if (was_inline)
      memcpy(p, e->inline_entries, sizeof e->inline_entries);
    e->entries = p;
    e->cap_entries = cap;
  }
  const char *k = NULL;
  for (size_t i = 0; i < sizeof well_known_keys / sizeof well_known_keys[0] && !k; i++)
    if (well_known_keys[i].len == key_len && memcmp(well_known_keys[i].key, key, key_len) == 0)
      k = well_known_keys[i].key;
  bool owned = k == NULL;
  if (owned && (k = dup_n(key, key_len)) == NULL) {
    *st = SEK_ERR_NOMEM;
    return NULL;
  }
  en = &e->entries[e->num_entries++];
  en->key = k;
  en->key_len = key_len;
  en->key_owned = owned;
  en->kind = SEK_ERROR_VALUE_NUMBER;
  en->v.n = 0;
  return en;
}

int sek_error_add_string_n(sek_error *e, const char *key, size_t key_len, const char *v,
                           size_t v_len) {
  if (!key_ok_n(key, key_len))
    return SEK_ERROR_ERR_KEY;
  char *copy = dup_n(v, v_len);
  if (copy == NULL)
    return SEK_ERR_NOMEM;
  int st = SEK_ERR_NOMEM;
  entry *en = slot_for(e, key, key_len, &st);
  if (en == NULL) {
    free(copy);
    return st;
  }
  en->kind = SEK_ERROR_VALUE_STRING;
  en->v.s = copy;
  return SEK_OK;
}

int sek_error_add_string(sek_error *e, const char *key, const char *value) {
  if (e == NULL || key == NULL || value == NULL)
    return SEK_ERR_ARG;
  return sek_error_add_string_n(e, key, strlen(key), value, strlen(value));
}

int sek_error_add_number_n(sek_error *e, const char *key, size_t key_len, long long value) {
  if (!key_ok_n(key, key_len))
    return SEK_ERROR_ERR_KEY;
  int st = SEK_ERR_NOMEM;
  entry *en = slot_for(e, key, key_len, &st);
  if (en == NULL)
    return st;
  en->kind = SEK_ERROR_VALUE_NUMBER;
  en->v.n = value;
  return SEK_OK;
}

int sek_error_add_number(sek_error *e, const char *key, long long value) {
  if (e == NULL || key == NULL)
    return SEK_ERR_ARG;
  return sek_error_add_number_n(e, key, strlen(key), value);
}

static int add_data_n(sek_error *e, const char *key, size_t key_len, const uint8_t *data,
                      size_t len) {
  if (!key_ok_n(key, key_len))
    return SEK_ERROR_ERR_KEY;
  uint8_t *copy = malloc(len ? len : 1);
  if (copy == NULL)
    return SEK_ERR_NOMEM;
  if (len > 0)
    memcpy(copy, data, len);
  int st = SEK_ERR_NOMEM;
  entry *en = slot_for(e, key, key_len, &st);
  if (en == NULL) {
    free(copy);
    return st;
  }
  en->kind = SEK_ERROR_VALUE_DATA;
  en->v.d.p = copy;
  en->v.d.len = len;
  return SEK_OK;
}

int sek_error_add_data(sek_error *e, const char *key, const uint8_t *data, size_t len) {
  if (e == NULL || key == NULL || (data == NULL && len > 0))
    return SEK_ERR_ARG;
  return add_data_n(e, key, strlen(key), data, len);
}

/* Nesting depth: 1 for an error without nested errors. */
size_t sek_error_depth(const sek_error *e) {
  size_t d = 0;
  for (size_t i = 0; i < e->num_entries; i++)
    if (e->entries[i].kind == SEK_ERROR_VALUE_ERROR) {
      size_t x = sek_error_depth(e->entries[i].v.err);
      if (x > d)
        d = x;
    }
  return d + 1;
}

static bool contains(const sek_error *tree, const sek_error *e) {
  if (tree == e)
    return true;
  for (size_t i = 0; i < tree->num_entries; i++)
    if (tree->entries[i].kind == SEK_ERROR_VALUE_ERROR && contains(tree->entries[i].v.err, e))
      return true;
  return false;
}

int sek_error_add_error_n(sek_error *e, const char *key, size_t key_len, sek_error *inner) {
  int st;
  if (!key_ok_n(key, key_len)) {
    st = SEK_ERROR_ERR_KEY;
  } else if (contains(inner, e)) {
    sek_error_free(inner);
    return SEK_ERROR_ERR_CYCLE; /* inner holds e: freeing it would free e; caller bug */
  } else if (sek_error_depth(inner) + 1 > SEK_ERROR_MAX_DEPTH) {
    st = SEK_ERR_LIMIT;
  } else {
    st = SEK_ERR_NOMEM;
    entry *en = slot_for(e, key, key_len, &st);
    if (en != NULL) {
      en->kind = SEK_ERROR_VALUE_ERROR;
      en->v.err = inner;
      return SEK_OK;
    }
  }
  sek_error_free(inner);
  return st;
}

int sek_error_add_error(sek_error *e, const char *key, sek_error *inner) {
  if (inner == NULL)
    return SEK_ERR_ARG;
  if (e == NULL || key == NULL) {
    sek_error_free(inner);
    return SEK_ERR_ARG;
  }
  if (inner == e)
    return SEK_ERROR_ERR_CYCLE; /* not freed: it is e */
  return sek_error_add_error_n(e, key, strlen(key), inner);
}

int sek_error_set_underlying(sek_error *e, sek_error *inner) {
  return sek_error_add_error(e, SEK_KEY_UNDERLYING, inner);
}

bool sek_error_has_key_n(const sek_error *e, const char *key, size_t key_len) {
  return find_entry_n(e, key, key_len) != NULL;
}

int sek_error_set_domain_n(sek_error *e, const char *s, size_t n) {
  char *d = n < INLINE_DOMAIN ? e->domain_buf : dup_n(s, n);
  if (d == NULL)
    return SEK_ERR_NOMEM;
  if (e->domain != e->domain_buf)
    free(e->domain);
  if (d == e->domain_buf) {
    memmove(d, s, n);
    d[n] = '\0';
  }
  e->domain = d;
  return SEK_OK;
}

int sek_error_set_description_n(sek_error *e, const char *s, size_t n) {
  char *d = s ? dup_n(s, n) : NULL;
  if (s != NULL && d == NULL)
    return SEK_ERR_NOMEM;
  free(e->description);
  e->description = d;
  return SEK_OK;
}

int sek_error_set_address(sek_error *e, const char *hex, size_t n) {
  if (n >= sizeof e->address)
    return SEK_ERR_LIMIT;
  for (size_t i = 0; i < n; i++)
    if (sek_hex_digit(hex[i]) < 0)
      return SEK_ERR_ARG;
  memcpy(e->address, hex, n);
  e->address[n] = '\0';
  return SEK_OK;
}

const char *sek_error_domain(const sek_error *e) { return e ? e->domain : NULL; }
long sek_error_code(const sek_error *e) { return e ? e->code : 0; }
const char *sek_error_description(const sek_error *e) { return e ? e->description : NULL; }

static const entry *find_entry(const sek_error *e, const char *key) {
  if (e == NULL || key == NULL)
    return NULL;
  return find_entry_n(e, key, strlen(key));
}

const char *sek_error_user_string(const sek_error *e, const char *key) {
  const entry *en = find_entry(e, key);
  return en && en->kind == SEK_ERROR_VALUE_STRING ? en->v.s : NULL;
}

int sek_error_user_number(const sek_error *e, const char *key, long long *out) {
  if (e == NULL || key == NULL || out == NULL)
    return SEK_ERR_ARG;
  const entry *en = find_entry(e, key);
  if (en == NULL)
    return SEK_ERROR_ERR_NO_ENTRY;
  if (en->kind != SEK_ERROR_VALUE_NUMBER)
    return SEK_ERROR_ERR_TYPE;
  *out = en->v.n;
  return SEK_OK;
}

const uint8_t *sek_error_user_data(const sek_error *e, const char *key, size_t *out_len) {
  const entry *en = find_entry(e, key);
  if (en == NULL || en->kind != SEK_ERROR_VALUE_DATA)
    return NULL;
  if (out_len != NULL)
    *out_len = en->v.d.len;
  return en->v.d.p;
}

const sek_error *sek_error_user_error(const sek_error *e, const char *key) {
  const entry *en = find_entry(e, key);
  return en && en->kind == SEK_ERROR_VALUE_ERROR ? en->v.err : NULL;
}

const sek_error *sek_error_underlying(const sek_error *e) {
  return sek_error_user_error(e, SEK_KEY_UNDERLYING);
}

size_t sek_error_user_count(const sek_error *e) { return e ? e->num_entries : 0; }

int sek_error_user_entry(const sek_error *e, size_t i, const char **out_key,
                         sek_error_value_kind *out_kind) {
  if (e == NULL || i >= e->num_entries)
    return SEK_ERR_ARG;
  if (out_key != NULL)
    *out_key = e->entries[i].key;
  if (out_kind != NULL)
    *out_kind = e->entries[i].kind;
  return SEK_OK;
}

/* ---- printer --------------------------------------------------------------------------------- */

static const char HEX[] = "0123456789abcdef";

static void format_into(sek_sb *b, const sek_error *e, unsigned depth) {
  sek_sb_printf(b, "Error Domain=%s Code=%ld \"", e->domain, e->code);
  sek_sb_puts(b, e->description ? e->description : "(null)");
  sek_sb_put(b, "\"", 1);
  if (e->num_entries == 0)
    return;
  sek_sb_puts(b, " UserInfo={");
  for (size_t i = 0; i < e->num_entries; i++) {
    const entry *en = &e->entries[i];
    if (i > 0)
      sek_sb_put(b, ", ", 2);
    sek_sb_puts(b, en->key);
    sek_sb_put(b, "=", 1);
    switch (en->kind) {
    case SEK_ERROR_VALUE_STRING: sek_sb_puts(b, en->v.s); break;
    case SEK_ERROR_VALUE_NUMBER: sek_sb_printf(b, "%lld", en->v.n); break;
    case SEK_ERROR_VALUE_DATA:
      /* NSData's description; written in full so that it reads back as data */
      sek_sb_printf(b, "{length = %zu, bytes = 0x", en->v.d.len);
      for (size_t j = 0; j < en->v.d.len && !b->failed; j++) {
        char h[2] = {HEX[en->v.d.p[j] >> 4], HEX[en->v.d.p[j] & 15]};
        sek_sb_put(b, h, 2);
      }
      sek_sb_put(b, "}", 1);
      break;
    case SEK_ERROR_VALUE_ERROR:
      if (en->v.err->address[0] != '\0')
        sek_sb_printf(b, "0x%s {", en->v.err->address);
      else /* a heap-looking address that depends only on the depth: deterministic output */
        sek_sb_printf(b, "0x%012llx {", 0x600000c04000ULL + 0x60ULL * (depth + 1));
      format_into(b, en->v.err, depth + 1);
      sek_sb_put(b, "}", 1);
      break;
    }
  }
  sek_sb_put(b, "}", 1);
}

char *sek_error_format(const sek_error *e) {
  if (e == NULL)
    return NULL;
  sek_sb b = {0};
  format_into(&b, e, 0);
  return sek_sb_finish(&b);
}

/* ---- strict parser --------------------------------------------------------------------------- */

typedef struct {
  const char *base;
  size_t len, pos;
  size_t err_pos;
} reader;

static bool at(const reader *r, const char *lit, size_t n) {
  return r->len - r->pos >= n && memcmp(r->base + r->pos, lit, n) == 0;
}
#define AT(r, lit) at((r), (lit), sizeof(lit) - 1)

static int fail(reader *r, size_t pos, int st) {
  r->err_pos = pos;
  return st;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
/* Canonical decimal (what %lld writes) in s[0..n) into *out; false if not canonical or too
 * large for the range [lo, hi]. */
bool sek_error_canonical_int(const char *s, size_t n, long long lo, long long hi, long long *out) {
  size_t i = 0;
  bool neg = false;
  if (n > 0 && s[0] == '-') {
    neg = true;
    i = 1;
  }
  if (i == n || !is_digit(s[i]) || (s[i] == '0' && (n - i > 1 || neg)))
    return false;
  unsigned long long v = 0,
                     lim = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
  for (; i < n; i++) {
    if (!is_digit(s[i]))
      return false;
    unsigned d = (unsigned)(s[i] - '0');
    if (v > (lim - d) / 10)
      return false;
    v = v * 10 + d;
  }
  long long x =
      neg ? (v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v) : (long long)v;
  if (x < lo || x > hi)
    return false;
  *out = x;
  return true;
}

static int parse_error_at(reader *r, unsigned depth, bool nested, sek_error **out);

/* Does a user-info key followed by '=' start at pos?  Bounded by the next ',' (not a key char). */
static bool key_starts_at(const reader *r, size_t pos) {
  size_t i = pos;
  while (i < r->len && sek_error_key_char_ok((unsigned char)r->base[i]))
    i++;
  return i > pos && i < r->len && r->base[i] == '=';
}

/* The end of a raw value starting at pos: the first '}' at brace depth 0, or ", " at depth 0
 * followed by a key and '='.  Returns r->len when neither occurs. */
static size_t raw_value_end(const reader *r, size_t pos) {
  size_t depth = 0;
  for (size_t i = pos; i < r->len; i++) {
    char c = r->base[i];
    if (c == '{') {
      depth++;
    } else if (c == '}') {
      if (depth == 0)
        return i;
      depth--;
    } else if (c == ',' && depth == 0 && i + 1 < r->len && r->base[i + 1] == ' ' &&
               key_starts_at(r, i + 2)) {
      return i;
    }
  }
  return r->len;
}

/* The full NSData form {length = N, bytes = 0xHH…} at pos, ending at a value boundary. */
static bool try_data(const reader *r, size_t pos, uint8_t **out_p, size_t *out_len,
                     size_t *out_end) {
  static const char head[] = "{length = ", mid[] = ", bytes = 0x";
  size_t i = pos;
  if (r->len - i < sizeof head - 1 || memcmp(r->base + i, head, sizeof head - 1) != 0)
    return false;
  i += sizeof head - 1;
  size_t ds = i;
  while (i < r->len && is_digit(r->base[i]))
    i++;
  long long n;
  if (!sek_error_canonical_int(r->base + ds, i - ds, 0, (long long)(r->len / 2), &n))
    return false;
  if (r->len - i < sizeof mid - 1 || memcmp(r->base + i, mid, sizeof mid - 1) != 0)
    return false;
  i += sizeof mid - 1;
  if (r->len - i < (size_t)n * 2 + 1)
    return false;
  for (size_t j = 0; j < (size_t)n * 2; j++) {
    char c = r->base[i + j];
    if (sek_hex_digit(c) < 0 || (c >= 'A' && c <= 'F')) /* the printer writes lowercase */
      return false;
  }
  if (r->base[i + (size_t)n * 2] != '}')
    return false;
  size_t end = i + (size_t)n * 2 + 1;
  /* it must end the value, as the raw scan would see it */
  if (!(end < r->len &&
        (r->base[end] == '}' || (r->base[end] == ',' && end + 1 < r->len &&
                                 r->base[end + 1] == ' ' && key_starts_at(r, end + 2)))))
    return false;
  uint8_t *p = malloc(n ? (size_t)n : 1);
  if (p == NULL)
    return false;
  for (size_t j = 0; j < (size_t)n; j++)
    p[j] = (uint8_t)(sek_hex_digit(r->base[i + 2 * j]) << 4 | sek_hex_digit(r->base[i + 2 * j + 1]));
  *out_p = p;
  *out_len = (size_t)n;
  *out_end = end;
  return true;
}

/* "0x<1..16 hex> {Error Domain=" at pos: a nested error.  *hex_len gets the digit count. */
static bool nested_starts_at(const reader *r, size_t pos, size_t *hex_len) {
  static const char tail[] = " {Error Domain=";
  if (r->len - pos < 2 || r->base[pos] != '0' || r->base[pos + 1] != 'x')
    return false;
  size_t i = pos + 2;
  while (i < r->len && i - pos - 2 < 16 && sek_hex_digit(r->base[i]) >= 0)
    i++;
  if (i == pos + 2)
    return false;
  if (r->len - i < sizeof tail - 1 || memcmp(r->base + i, tail, sizeof tail - 1) != 0)
    return false;
  *hex_len = i - pos - 2;
  return true;
}

static int parse_user_info(reader *r, sek_error *e, unsigned depth) {
  for (;;) {
    size_t ks = r->pos;
    while (r->pos < r->len && sek_error_key_char_ok((unsigned char)r->base[r->pos]))
      r->pos++;
    if (r->pos == ks || r->pos >= r->len || r->base[r->pos] != '=')
      return fail(r, r->pos, SEK_ERROR_ERR_SYNTAX);
    size_t key_len = r->pos - ks;
    const char *key = r->base + ks;
    if (find_entry_n(e, key, key_len) != NULL)
      return fail(r, ks, SEK_ERROR_ERR_DUPLICATE);
    r->pos++; /* '=' */
    size_t vs = r->pos, hex_len, end;
    uint8_t *data;
    size_t data_len;
    int st;
    if (nested_starts_at(r, vs, &hex_len)) {
      r->pos = vs + 2 + hex_len + 2; /* "0x" hex " {" */
      sek_error *inner = NULL;
      st = parse_error_at(r, depth + 1, true, &inner);
      if (st != SEK_OK)
        return st;
      memcpy(inner->address, r->base + vs + 2, hex_len);
      inner->address[hex_len] = '\0';
      if (!AT(r, "}")) {
        sek_error_free(inner);
        return fail(r, r->pos, SEK_ERROR_ERR_SYNTAX);
      }
      r->pos++;
      st = sek_error_add_error_n(e, key, key_len, inner);
    } else if (try_data(r, vs, &data, &data_len, &end)) {
      st = add_data_n(e, key, key_len, data, data_len);
      free(data);
      r->pos = end;
    } else {
      end = raw_value_end(r, vs);
      if (end >= r->len)
        return fail(r, r->len, SEK_ERROR_ERR_SYNTAX); /* the UserInfo never closes */
      long long n;
      if (sek_error_canonical_int(r->base + vs, end - vs, LLONG_MIN, LLONG_MAX, &n))
        st = sek_error_add_number_n(e, key, key_len, n);
      else
        st = sek_error_add_string_n(e, key, key_len, r->base + vs, end - vs);
      r->pos = end;
    }
    if (st != SEK_OK)
      return fail(r, vs, st);
    if (AT(r, "}")) {
      r->pos++;
      return SEK_OK;
    }
    if (!AT(r, ", "))
      return fail(r, r->pos, SEK_ERROR_ERR_SYNTAX);
    r->pos += 2;
  }
}

/*
 * Error Domain=D Code=C "DESC"[ UserInfo={…}].  The domain ends at the first " Code="; the
 * description at the first '"' followed by " UserInfo={" or by what ends this error (the end
 * of the text at the top, '}' when nested).  First-occurrence rules keep it text-preserving.
 */
static int parse_error_at(reader *r, unsigned depth, bool nested, sek_error **out) {
  static const char code_lit[] = " Code=";
  if (depth >= SEK_ERROR_MAX_DEPTH)
    return fail(r, r->pos, SEK_ERR_LIMIT);
  if (!AT(r, "Error Domain="))
    return fail(r, r->pos, SEK_ERROR_ERR_SYNTAX);
  r->pos += 13;
  size_t ds = r->pos, de = ds;
  for (;; de++) {
    if (r->len - de < sizeof code_lit - 1)
      return fail(r, r->len, SEK_ERROR_ERR_SYNTAX);
    if (memcmp(r->base + de, code_lit, sizeof code_lit - 1) == 0)
      break;
  }
  r->pos = de + sizeof code_lit - 1;
  size_t cs = r->pos;
  while (r->pos < r->len && (is_digit(r->base[r->pos]) || (r->pos == cs && r->base[r->pos] == '-')))
    r->pos++;
  long long code;
  if (!sek_error_canonical_int(r->base + cs, r->pos - cs, LONG_MIN, LONG_MAX, &code))
    return fail(r, cs, SEK_ERROR_ERR_NUMBER);
  if (!AT(r, " \""))
    return fail(r, r->pos, SEK_ERROR_ERR_SYNTAX);
  r->pos += 2;
  size_t qs = r->pos, qe;
  bool user_info = false;
  for (qe = qs;; qe++) {
    if (qe >= r->len)
      return fail(r, r->len, SEK_ERROR_ERR_SYNTAX);
    if (r->base[qe] != '"')
      continue;
    if (r->len - qe - 1 >= 11 && memcmp(r->base + qe + 1, " UserInfo={", 11) == 0) {
      user_info = true;
      break;
    }
    if (nested ? (qe + 1 < r->len && r->base[qe + 1] == '}') : qe + 1 == r->len)
      break;
  }
  bool null_desc = qe - qs == 6 && memcmp(r->base + qs, "(null)", 6) == 0;
  sek_error *e =
      sek_error_new_n(r->base + ds, de - ds, (long)code, null_desc ? NULL : r->base + qs, qe - qs);
  if (e == NULL)
    return fail(r, ds, SEK_ERR_NOMEM);
  r->pos = qe + 1;
  if (user_info) {
    r->pos += 11;
    int st = parse_user_info(r, e, depth);
    if (st != SEK_OK) {
      sek_error_free(e);
      return st;
    }
  }
  *out = e;
  return SEK_OK;
}

int sek_error_parse_at(const char *text, size_t len, sek_error **out, size_t *err_offset) {
  if ((text == NULL && len > 0) || out == NULL)
    return SEK_ERR_ARG;
  reader r = {text ? text : "", len, 0, 0};
  sek_error *e = NULL;
  /* the model holds C strings: a NUL byte could not print back */
  const char *nul = len ? memchr(r.base, '\0', len) : NULL;
  int st = nul ? fail(&r, (size_t)(nul - r.base), SEK_ERROR_ERR_SYNTAX)
               : parse_error_at(&r, 0, false, &e);
  if (st == SEK_OK && r.pos != r.len) {
    sek_error_free(e);
    st = fail(&r, r.pos, SEK_ERROR_ERR_TRAILING);
  }
  if (st != SEK_OK) {
    if (err_offset != NULL)
      *err_offset = r.err_pos;
    return st;
  }
  *out = e;
  return SEK_OK;
}

int sek_error_parse(const char *text, size_t len, sek_error **out) {
  return sek_error_parse_at(text, len, out, NULL);
}

/* ---- what the strict parser reads back (for builders of lenient input) ----------------------- */

bool sek_error_key_starts_at(const char *s, size_t n, size_t pos) {
  reader r = {s, n, 0, 0};
  return key_starts_at(&r, pos);
}

bool sek_error_value_ok(const char *v, size_t n) {
  reader r = {v, n, 0, 0};
  size_t hex_len;
  if (memchr(v, '\0', n) != NULL || nested_starts_at(&r, 0, &hex_len))
    return false;
  /* the raw scan must run to the end of the value and find it balanced */
  size_t depth = 0;
  for (size_t i = 0; i < n; i++) {
    if (v[i] == '{') {
      depth++;
    } else if (v[i] == '}') {
      if (depth == 0)
        return false;
      depth--;
    } else if (v[i] == ',' && depth == 0 && i + 1 < n && v[i + 1] == ' ') {
      /* ", KEY=" inside the value would split it (a trailing ", KEY" cannot: what follows a
       * printed value is ", " or "}", never '=') */
      if (key_starts_at(&r, i + 2))
        return false;
    }
  }
  return depth == 0;
}

size_t sek_error_description_ok_len(const char *d, size_t n) {
  const char *nul = memchr(d, '\0', n);
  if (nul != NULL)
    n = (size_t)(nul - d);
  for (const char *q = memchr(d, '"', n); q != NULL;
       q = memchr(q + 1, '"', n - (size_t)(q + 1 - d))) {
    size_t i = (size_t)(q - d);
    if (i + 1 < n &&
        (d[i + 1] == '}' || (n - i - 1 >= 11 && memcmp(q + 1, " UserInfo={", 11) == 0)))
      return i;
    if (i + 1 >= n)
      break;
  }
  return n;
}

/* ---- names ----------------------------------------------------------------------------------- */

const char *sek_action_name(sek_action a) {
  static const char *const names[] = {
      [SEK_ACTION_RETRY] = "retry",
      [SEK_ACTION_PROMPT_AGAIN] = "prompt_again",
      [SEK_ACTION_WAIT_FOR_UNLOCK] = "wait_for_unlock",
      [SEK_ACTION_REENROLL_KEY] = "reenroll_key",
      [SEK_ACTION_FIX_CONFIGURATION] = "fix_configuration",
      [SEK_ACTION_UNSUPPORTED_DEVICE] = "unsupported_device",
      [SEK_ACTION_NONE] = "none",
      [SEK_ACTION_UNKNOWN] = "unknown",
  };
  if ((unsigned)a < sizeof names / sizeof names[0])
    return names[a];
  return "unknown";
}

const char *sek_error_strerror(int status) {
  switch (status) {
  case SEK_ERROR_ERR_SYNTAX: return "not Apple's NSError description form";
  case SEK_ERROR_ERR_TRAILING: return "text after the end of the error description";
  case SEK_ERROR_ERR_NO_ENTRY: return "no user-info entry with that key";
  case SEK_ERROR_ERR_TYPE: return "the user-info entry holds another kind of value";
  case SEK_ERROR_ERR_KEY: return "a user-info key the description form cannot carry";
  case SEK_ERROR_ERR_CYCLE: return "an error cannot contain itself";
  case SEK_ERROR_ERR_DUPLICATE: return "a user-info key appears twice";
  case SEK_ERROR_ERR_NUMBER: return "a code or number that is not canonical decimal, or too large";
  case SEK_ERROR_ERR_RANGE: return "a value outside the 32-bit error layout";
  default: return "unknown error-module status";
  }
}
