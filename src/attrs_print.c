/*
 * attrs_print.c: the canonical printer and the JSON form (include/sek/attrs.h).
 *
 * The canonical form is Swift literal syntax that sek_attrs_parse reads back to an equal tree:
 * keys sorted by raw string and written by their kSec name, constants by their preferred kSec
 * name, data as <hex>, one entry per line, trailing commas.  Two forms exist only so that every
 * tree built through the API round-trips: SecConstant("raw") for a constant that has no kSec
 * name and is no kSec identifier, and "raw" string keys for keys that are no kSec identifier.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sek/attrs.h>

#include "attrs_internal.h"

typedef struct {
  char *p;
  size_t len, cap;
  bool failed;
} sbuf;

static void put_n(sbuf *b, const char *s, size_t n) {
  if (b->failed)
    return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (b->len + n + 1 > cap)
      cap *= 2;
    char *p = realloc(b->p, cap);
    if (p == NULL) {
      b->failed = true;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void put(sbuf *b, const char *s) { put_n(b, s, strlen(s)); }

static void putf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(sbuf *b, const char *fmt, ...) {
  char tmp[64];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof tmp)
    b->failed = true;
  else
    put_n(b, tmp, (size_t)n);
}

static char *finish(sbuf *b) {
  if (b->failed || b->p == NULL) {
    free(b->p);
    return NULL;
  }
  return b->p;
}

static bool is_identifier(const char *s) {
  if (!isalpha((unsigned char)s[0]) && s[0] != '_' && s[0] != '$')
    return false;
  for (const char *p = s + 1; *p; p++)
    if (!isalnum((unsigned char)*p) && *p != '_' && *p != '$')
      return false;
  return true;
}

/* Swift string literal; bytes >= 0x80 are written as they are (the parser takes them back). */
static void put_string(sbuf *b, const char *s, size_t len) {
  put(b, "\"");
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    switch (c) {
    case '"': put(b, "\\\""); break;
    case '\\': put(b, "\\\\"); break;
    case '\n': put(b, "\\n"); break;
    case '\t': put(b, "\\t"); break;
    case '\r': put(b, "\\r"); break;
    case '\0': put(b, "\\0"); break;
    default:
      if (c < 0x20 || c == 0x7f)
        putf(b, "\\u{%x}", c);
      else
        put_n(b, (const char *)&c, 1);
    }
  }
  put(b, "\"");
}

/* The shortest %g form that reads back to d, always with a '.' or an exponent. */
static void put_real(sbuf *b, double d) {
  char tmp[40];
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*g", prec, d);
    if (strtod(tmp, NULL) == d)
      break;
  }
  put(b, tmp);
  if (strpbrk(tmp, ".eE") == NULL)
    put(b, ".0");
}

static void put_key(sbuf *b, const char *raw) {
  const sek_attrs_name *row = attrs_name_by_raw(raw, SEK_NAME_KEY);
  size_t raw_len;
  if (row != NULL)
    put(b, row->name);
  else if (strncmp(raw, "kSec", 4) == 0 && strlen(raw) > 4 && is_identifier(raw) &&
           attrs_key_raw(raw, strlen(raw), &raw_len) == raw)
    put(b, raw);
  else
    put_string(b, raw, strlen(raw));
}

static void put_constant(sbuf *b, const sek_value *v) {
  const sek_attrs_name *row = v->known ? attrs_name_by_raw(v->bytes, SEK_NAME_CONSTANT) : NULL;
  if (row != NULL) {
    put(b, row->name);
  } else if (attrs_constant_text_ok(v->bytes)) {
    put(b, v->bytes);
  } else {
    put(b, "SecConstant(");
    put_string(b, v->bytes, v->len);
    put(b, ")");
  }
}

static void put_protection(sbuf *b, const sek_value *v) {
  sek_value c = {.kind = SEK_VALUE_CONSTANT,
                 .bytes = v->protection,
                 .len = strlen(v->protection),
                 .known = v->known};
  if (v->prot_kind == SEK_VALUE_CONSTANT)
    put_constant(b, &c);
  else if (v->prot_kind == SEK_VALUE_REFERENCE)
    put(b, v->protection);
  else
    put_string(b, v->protection, strlen(v->protection));
}

/* Known bits in the table's order, deprecated spellings kept, then raw bits, then names. */
static void put_flags(sbuf *b, const sek_value *v) {
  static const uint32_t order[] = {SEK_AC_USER_PRESENCE,
                                   SEK_AC_BIOMETRY_ANY,
                                   SEK_AC_BIOMETRY_CURRENT_SET,
                                   SEK_AC_DEVICE_PASSCODE,
                                   SEK_AC_COMPANION,
                                   SEK_AC_OR,
                                   SEK_AC_AND,
                                   SEK_AC_PRIVATE_KEY_USAGE,
                                   SEK_AC_APPLICATION_PASSWORD};
  bool first = true;
  put(b, "[");
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
    if (!(v->flags & order[i]))
      continue;
    const char *name = (v->deprecated_spelling & order[i]) ? attrs_flag_deprecated_name(order[i])
                                                           : sek_access_control_flag_name(order[i]);
    put(b, first ? "." : ", .");
    put(b, name);
    first = false;
  }
  uint32_t other = v->flags & ~SEK_AC_ALL_FLAGS;
  if (other != 0) {
    putf(b, "%s.init(rawValue: 0x%" PRIx32 ")", first ? "" : ", ", other);
    first = false;
  }
  for (size_t i = 0; i < v->num_unknown; i++) {
    put(b, first ? "." : ", .");
    put(b, v->unknown[i]);
    first = false;
  }
  put(b, "]");
}

static void put_dict(sbuf *b, const sek_attrs *a, unsigned indent);

/* Data as lowercase hex, the same in the literal (<…>) and the JSON form ("…"). */
static void put_hex(sbuf *b, const char *bytes, size_t len) {
  for (size_t i = 0; i < len; i++)
    putf(b, "%02x", (unsigned char)bytes[i]);
}

/* A number as the literal and the JSON form both write it. */
static void put_number(sbuf *b, const sek_value *v) {
  if (v->is_real)
    put_real(b, v->real);
  else
    putf(b, "%" PRId64, v->num);
}

static void put_value(sbuf *b, const sek_value *v, unsigned indent) {
  switch (v->kind) {
  case SEK_VALUE_STRING: put_string(b, v->bytes, v->len); break;
  case SEK_VALUE_DATA:
    put(b, "<");
    put_hex(b, v->bytes, v->len);
    put(b, ">");
    break;
  case SEK_VALUE_NUMBER: put_number(b, v); break;
  case SEK_VALUE_BOOL: put(b, v->num ? "true" : "false"); break;
  case SEK_VALUE_DATE:
    put(b, "Date(timeIntervalSinceReferenceDate: ");
    put_real(b, v->real);
    put(b, ")");
    break;
  case SEK_VALUE_DICT: put_dict(b, v->dict, indent); break;
  case SEK_VALUE_ACCESS_CONTROL:
    put(b, "SecAccessControlCreateWithFlags(kCFAllocatorDefault, ");
    put_protection(b, v);
    put(b, ", ");
    put_flags(b, v);
    put(b, ", nil)!");
    break;
  case SEK_VALUE_CONSTANT: put_constant(b, v); break;
  case SEK_VALUE_REFERENCE: put_n(b, v->bytes, v->len); break;
  }
}

static void put_indent(sbuf *b, unsigned n) {
  for (unsigned i = 0; i < n; i++)
    put(b, "  ");
}

static void put_dict(sbuf *b, const sek_attrs *a, unsigned indent) {
  if (a->n == 0) {
    put(b, "[:]");
    return;
  }
  put(b, "[\n");
  for (size_t i = 0; i < a->n; i++) {
    put_indent(b, indent + 1);
    put_key(b, a->e[i]->key);
    put(b, ": ");
    put_value(b, &a->e[i]->v, indent + 1);
    put(b, ",\n");
  }
  put_indent(b, indent);
  put(b, "]");
}

char *sek_attrs_print(const sek_attrs *a) {
  if (a == NULL)
    return NULL;
  sbuf b = {0};
  put_dict(&b, a, 0);
  put(&b, "\n");
  return finish(&b);
}

/* ---- JSON ---- */

/* A JSON string; invalid UTF-8 bytes become U+FFFD so that the output is always valid JSON. */
static void put_json_string(sbuf *b, const char *s, size_t len) {
  put(b, "\"");
  size_t i = 0;
  while (i < len) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) {
      if (c == '"')
        put(b, "\\\"");
      else if (c == '\\')
        put(b, "\\\\");
      else if (c < 0x20 || c == 0x7f)
        putf(b, "\\u%04x", c);
      else
        put_n(b, (const char *)&c, 1);
      i++;
      continue;
    }
    size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    bool ok = n > 0 && i + n <= len;
    for (size_t k = 1; ok && k < n; k++)
      ok = ((unsigned char)s[i + k] & 0xC0) == 0x80;
    if (ok && n == 3) {
      unsigned char c1 = (unsigned char)s[i + 1];
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);
    }
    if (ok && n == 4) {
      unsigned char c1 = (unsigned char)s[i + 1];
      ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
    }
    if (ok) {
      put_n(b, s + i, n);
      i += n;
    } else {
      put(b, "\\ufffd");
      i++;
    }
  }
  put(b, "\"");
}

static void put_json_dict(sbuf *b, const sek_attrs *a);

static void put_json_value(sbuf *b, const sek_value *v) {
  static const char *const kinds[] = {"string", "data",           "number",   "bool",     "date",
                                      "dict",   "access_control", "constant", "reference"};
  put(b, "{\"type\":\"");
  put(b, kinds[v->kind]);
  put(b, "\",\"value\":");
  switch (v->kind) {
  case SEK_VALUE_STRING:
  case SEK_VALUE_REFERENCE: put_json_string(b, v->bytes, v->len); break;
  case SEK_VALUE_DATA:
    put(b, "\"");
    put_hex(b, v->bytes, v->len);
    put(b, "\"");
    break;
  case SEK_VALUE_NUMBER: put_number(b, v); break;
  case SEK_VALUE_BOOL: put(b, v->num ? "true" : "false"); break;
  case SEK_VALUE_DATE: put_real(b, v->real); break;
  case SEK_VALUE_DICT: put_json_dict(b, v->dict); break;
  case SEK_VALUE_CONSTANT: {
    put_json_string(b, v->bytes, v->len);
    const sek_attrs_name *row = v->known ? attrs_name_by_raw(v->bytes, SEK_NAME_CONSTANT) : NULL;
    put(b, ",\"name\":");
    if (row != NULL)
      put_json_string(b, row->name, strlen(row->name));
    else
      put(b, "null");
    put(b, v->known ? ",\"known\":true" : ",\"known\":false");
    break;
  }
  case SEK_VALUE_ACCESS_CONTROL: {
    put(b, "null,\"protection\":");
    put_json_string(b, v->protection, strlen(v->protection));
    put(b, ",\"protection_kind\":\"");
    put(b, kinds[v->prot_kind]);
    put(b, "\"");
    putf(b, ",\"flags\":%" PRIu32 ",\"flag_names\":[", v->flags);
    bool first = true;
    for (uint32_t bit = 1; bit != 0; bit <<= 1) {
      const char *n = (v->flags & bit) ? sek_access_control_flag_name(bit) : NULL;
      if (n == NULL)
        continue;
      put(b, first ? "" : ",");
      put_json_string(b, n, strlen(n));
      first = false;
    }
    put(b, "],\"unknown_flags\":[");
    for (size_t i = 0; i < v->num_unknown; i++) {
      put(b, i ? "," : "");
      put_json_string(b, v->unknown[i], strlen(v->unknown[i]));
    }
    put(b, "],\"description\":");
    char *d = sek_access_control_describe(v->protection, v->flags);
    if (d == NULL)
      b->failed = true;
    else
      put_json_string(b, d, strlen(d));
    free(d);
    break;
  }
  }
  put(b, "}");
}

static void put_json_dict(sbuf *b, const sek_attrs *a) {
  put(b, "{");
  for (size_t i = 0; i < a->n; i++) {
    put(b, i ? "," : "");
    put_json_string(b, a->e[i]->key, strlen(a->e[i]->key));
    put(b, ":");
    put_json_value(b, &a->e[i]->v);
  }
  put(b, "}");
}

char *sek_attrs_print_json(const sek_attrs *a) {
  if (a == NULL)
    return NULL;
  sbuf b = {0};
  put_json_dict(&b, a);
  put(&b, "\n");
  return finish(&b);
}
