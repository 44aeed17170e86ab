/*
 * attrs_parse.c: the dictionary-literal parser (include/sek/attrs.h, design §4.1).
 *
 * Three layers:
 *  - a lexer that turns bytes into tokens with line:col (comments skipped, strings and numbers
 *    delimited but decoded only when the parser takes them, so that peeking allocates nothing);
 *  - a statement layer that reads what surrounds the literal in real code: `let`/`var`
 *    bindings (Swift) and `Type *name = …;` declarations (Objective-C), `guard let … else`,
 *    `return […]`, calls such as SecItemCopyMatching([…] as CFDictionary, &item).  Statements it
 *    does not understand are skipped up to the end of their line; a dictionary inside one is
 *    still read.  The result is the last dictionary the text defines;
 *  - a strict expression layer for values: every error carries line:col and says what was
 *    expected.
 * Bounds: the input length (SEK_ATTRS_MAX_INPUT_LEN), nesting of dictionaries (MAX_DEPTH) and of
 * expressions (MAX_EXPR_DEPTH), entries per dictionary, the length of one value, the number of
 * bindings, and a budget of values so that re-using a bound dictionary many times cannot blow
 * up the work (each use copies it).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sek/attrs.h>

#include "attrs_internal.h"
#include "hex.h"

#define MAX_EXPR_DEPTH 64  /* casts, @( ), String( ), NSNumber( ) nested in one value */
#define MAX_BINDINGS 64    /* let/var names remembered */
#define VALUE_BUDGET 65536 /* values created, copies of bound values included */

/* ---- lexer ---- */

typedef enum { T_EOF, T_IDENT, T_NUMBER, T_STRING, T_PUNCT } tok_kind;

typedef struct {
  tok_kind kind;
  const char *s; /* start in the text; STRING: at the opening quote */
  size_t len;    /* bytes of the token (STRING: quotes included) */
  unsigned line, col;
  bool nl_before; /* a newline separates it from the previous token */
} token;

typedef struct {
  const char *p, *end;
  unsigned line, col;
} lexpos;

typedef struct {
  char *name;
  bool is_flags; /* a SecAccessControlCreateFlags value, not a sek_value */
  uint32_t flags, deprecated;
  sek_value v;
  size_t size; /* values in v (for the budget) */
} binding;

typedef struct {
  lexpos lx; /* just after tok */
  token tok;
  sek_attrs_parse_error *err;
  int status; /* the first error; once set, every function returns it */
  unsigned expr_depth;
  binding b[MAX_BINDINGS];
  size_t num_b;
  size_t budget;
  /* the last dictionary defined so far: a bare one (owned) or the binding of last_name */
  sek_attrs *last;
  char *last_name;
  /* the first error of a binding we gave up on leniently; reported if no dictionary is found */
  int suppressed_status;
  sek_attrs_parse_error suppressed;
} parser;

static int fail(parser *ps, int status, unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int fail(parser *ps, int status, unsigned line, unsigned col, const char *fmt, ...) {
  if (ps->status != SEK_OK)
    return ps->status;
  ps->status = status;
  if (ps->err != NULL) {
    ps->err->line = line;
    ps->err->col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err->message, sizeof ps->err->message, fmt, ap);
    va_end(ap);
  }
  return status;
}

static void advance(lexpos *lx, size_t n) {
  for (size_t i = 0; i < n && lx->p < lx->end; i++, lx->p++) {
    if (*lx->p == '\n') {
      lx->line++;
      lx->col = 1;
    } else {
      lx->col++;
    }
  }
}

static bool is_ident_start(int c) { return isalpha(c) || c == '_' || c == '$'; }
static bool is_ident_char(int c) { return isalnum(c) || c == '_' || c == '$'; }

/*
 * lex: the token at lx (moved past it).  Only two things are lexical errors: an unterminated
 * string and an unterminated block comment; with report false they end the input quietly (used
 * for peeking: the error is reported when the parser really gets there).
 */
static token lex(parser *ps, lexpos *lx, bool report) {
  token t = {T_EOF, NULL, 0, 0, 0, false};
  for (;;) {
    while (lx->p < lx->end && isspace((unsigned char)*lx->p)) {
      if (*lx->p == '\n')
        t.nl_before = true;
      advance(lx, 1);
    }
    if (lx->end - lx->p >= 2 && lx->p[0] == '/' && lx->p[1] == '/') {
      while (lx->p < lx->end && *lx->p != '\n')
        advance(lx, 1);
      continue;
    }
    if (lx->end - lx->p >= 2 && lx->p[0] == '/' && lx->p[1] == '*') {
      unsigned l = lx->line, c = lx->col;
      advance(lx, 2);
      while (lx->end - lx->p >= 2 && !(lx->p[0] == '*' && lx->p[1] == '/')) {
        if (*lx->p == '\n')
          t.nl_before = true;
        advance(lx, 1);
      }
      if (lx->end - lx->p < 2) {
        if (report)
          fail(ps, SEK_ATTRS_ERR_PARSE, l, c, "unterminated comment: expected '*/'");
        lx->p = lx->end;
        t.line = lx->line, t.col = lx->col, t.s = lx->p;
        return t;
      }
      advance(lx, 2);
      continue;
    }
    break;
  }
  t.s = lx->p;
  t.line = lx->line;
  t.col = lx->col;
  if (lx->p >= lx->end)
    return t;
  const char *p = lx->p;
  unsigned char c = (unsigned char)*p;
  size_t n = 1;
  if (is_ident_start(c)) {
    while (p + n < lx->end && is_ident_char((unsigned char)p[n]))
      n++;
    t.kind = T_IDENT;
  } else if (isdigit(c)) {
    /* digits, letters (0x, suffixes, exponent), '_', and '.' or a sign where a real has them;
       the parser validates what it takes */
    while (p + n < lx->end) {
      unsigned char d = (unsigned char)p[n];
      if (isalnum(d) || d == '_') {
        n++;
      } else if (d == '.' && p + n + 1 < lx->end && isdigit((unsigned char)p[n + 1])) {
        n++;
      } else if ((d == '+' || d == '-') && (p[n - 1] == 'e' || p[n - 1] == 'E') &&
                 !(n >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))) {
        n++;
      } else {
        break;
      }
    }
    t.kind = T_NUMBER;
  } else if (c == '"') {
    while (p + n < lx->end && p[n] != '"' && p[n] != '\n') {
      if (p[n] == '\\' && p + n + 1 < lx->end && p[n + 1] != '\n')
        n++;
      n++;
    }
    if (p + n >= lx->end || p[n] != '"') {
      if (report)
        fail(ps, SEK_ATTRS_ERR_PARSE, t.line, t.col,
             "unterminated string: expected '\"' before the end of the line");
      lx->p = lx->end;
      t.kind = T_EOF;
      t.s = lx->p;
      return t;
    }
    n++;
    t.kind = T_STRING;
  } else {
    t.kind = T_PUNCT;
  }
  t.len = n;
  advance(lx, n);
  return t;
}

static void next(parser *ps) { ps->tok = lex(ps, &ps->lx, true); }

/* The k-th token after the current one (k >= 1), without moving. */
static token peek(parser *ps, int k) {
  lexpos lx = ps->lx;
  token t = ps->tok;
  for (int i = 0; i < k && t.kind != T_EOF; i++)
    t = lex(ps, &lx, false);
  return t;
}

static bool tok_punct(const token *t, char c) {
  return t->kind == T_PUNCT && t->len == 1 && t->s[0] == c;
}
static bool peek_punct(parser *ps, int k, char c) {
  token t = peek(ps, k);
  return tok_punct(&t, c);
}
static bool peek_ident(parser *ps, int k, const char *name);
static bool tok_ident(const token *t, const char *name) {
  return t->kind == T_IDENT && t->len == strlen(name) && memcmp(t->s, name, t->len) == 0;
}
static bool tok_prefix(const token *t, const char *prefix) {
  size_t n = strlen(prefix);
  return t->kind == T_IDENT && t->len > n && memcmp(t->s, prefix, n) == 0;
}
static bool peek_ident(parser *ps, int k, const char *name) {
  token t = peek(ps, k);
  return tok_ident(&t, name);
}
static bool at_punct(parser *ps, char c) { return tok_punct(&ps->tok, c); }
static bool at_ident(parser *ps, const char *name) { return tok_ident(&ps->tok, name); }

/* What the current token is, for "found …" in messages. */
static const char *describe(const token *t, char *buf, size_t cap) {
  switch (t->kind) {
  case T_EOF: return "the end of the input";
  case T_STRING: return "a string";
  case T_PUNCT:
    if ((unsigned char)t->s[0] >= 0x80 || !isprint((unsigned char)t->s[0]))
      snprintf(buf, cap, "byte 0x%02x", (unsigned char)t->s[0]);
    else
      snprintf(buf, cap, "'%c'", t->s[0]);
    return buf;
  default:
    snprintf(buf, cap, "'%.*s%s'", t->len > 40 ? 40 : (int)t->len, t->s, t->len > 40 ? "…" : "");
    return buf;
  }
}

static int expected(parser *ps, const char *what) {
  char buf[64];
  return fail(ps, SEK_ATTRS_ERR_PARSE, ps->tok.line, ps->tok.col, "expected %s, found %s", what,
              describe(&ps->tok, buf, sizeof buf));
}

static int expect_punct(parser *ps, char c, const char *what) {
  if (!at_punct(ps, c))
    return expected(ps, what);
  next(ps);
  return ps->status;
}

static int spend(parser *ps, size_t n, const token *at) {
  if (n > ps->budget)
    return fail(ps, SEK_ATTRS_ERR_TOO_MANY, at->line, at->col,
                "the literal expands to more than %d values (bound dictionaries re-used too "
                "often)",
                VALUE_BUDGET);
  ps->budget -= n;
  return SEK_OK;
}

/* ---- token decoding ---- */

static size_t utf8_put(char *out, uint32_t cp) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/*
 * Decodes the string token t (Swift and C escapes: \n \t \r \0 \\ \" \' \u{X…} \uXXXX \xHH)
 * into a new buffer.  The token has no raw newline, so a column is token col + offset.
 */
static int decode_string(parser *ps, const token *t, char **out, size_t *out_len) {
  size_t inner = t->len - 2;
  if (inner > SEK_ATTRS_MAX_VALUE_LEN * 4 + 64)
    return fail(ps, SEK_ATTRS_ERR_TOO_LONG, t->line, t->col, "string longer than %d bytes",
                SEK_ATTRS_MAX_VALUE_LEN);
  char *buf = malloc(inner + 1);
  if (buf == NULL)
    return fail(ps, SEK_ERR_NOMEM, t->line, t->col, "out of memory");
  size_t n = 0;
  const char *s = t->s + 1, *end = t->s + t->len - 1;
  while (s < end) {
    if (*s != '\\') {
      buf[n++] = *s++;
      continue;
    }
    unsigned col = t->col + (unsigned)(s - t->s);
    s++;
    char e = *s++;
    uint32_t cp = 0;
    switch (e) {
    case 'n': buf[n++] = '\n'; break;
    case 't': buf[n++] = '\t'; break;
    case 'r': buf[n++] = '\r'; break;
    case '0': buf[n++] = '\0'; break;
    case '\\': buf[n++] = '\\'; break;
    case '"': buf[n++] = '"'; break;
    case '\'': buf[n++] = '\''; break;
    case '(': {
      /* Swift interpolation "key-\(id)": the value is not known here, so the text is kept as
         written (printing escapes the backslash, which reads back to the same bytes) */
      int depth = 1;
      buf[n++] = '\\';
      buf[n++] = '(';
      while (s < end && depth > 0) {
        depth += *s == '(' ? 1 : *s == ')' ? -1 : 0;
        buf[n++] = *s++;
      }
      if (depth > 0) {
        free(buf);
        return fail(ps, SEK_ATTRS_ERR_PARSE, t->line, col,
                    "unterminated interpolation: expected ')' before the end of the string");
      }
      break;
    }
    case 'x': {
      int h1 = s < end ? sek_hex_digit(*s) : -1, h2 = s + 1 < end ? sek_hex_digit(s[1]) : -1;
      if (h1 < 0 || h2 < 0) {
        free(buf);
        return fail(ps, SEK_ATTRS_ERR_PARSE, t->line, col,
                    "invalid escape: expected two hex digits after \\x");
      }
      buf[n++] = (char)(h1 * 16 + h2);
      s += 2;
      break;
    }
    case 'u': {
      int digits = 0;
      if (s < end && *s == '{') {
        s++;
        while (s < end && *s != '}' && sek_hex_digit(*s) >= 0 && digits < 8)
          cp = cp * 16 + (uint32_t)sek_hex_digit(*s++), digits++;
        if (s >= end || *s != '}' || digits == 0) {
          free(buf);
          return fail(ps, SEK_ATTRS_ERR_PARSE, t->line, col,
                      "invalid escape: expected \\u{1-8 hex digits}");
        }
        s++;
      } else {
        while (s < end && sek_hex_digit(*s) >= 0 && digits < 4)
          cp = cp * 16 + (uint32_t)sek_hex_digit(*s++), digits++;
        if (digits != 4) {
          free(buf);
          return fail(ps, SEK_ATTRS_ERR_PARSE, t->line, col,
                      "invalid escape: expected \\uXXXX or \\u{X}");
        }
      }
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        free(buf);
        return fail(ps, SEK_ATTRS_ERR_PARSE, t->line, col,
                    "invalid escape: U+%X is not a Unicode scalar value", (unsigned)cp);
      }
      /* \u{X} is at most 10 source bytes and at most 4 UTF-8 bytes: buf stays big enough */
      n += utf8_put(buf + n, cp);
      break;
    }
    default:
      free(buf);
      return fail(
          ps, SEK_ATTRS_ERR_PARSE, t->line, col,
          "invalid escape \\%c: expected one of \\n \\t \\r \\0 \\\\ \\\" \\' \\u{…} \\x.. \\(…)",
          isprint((unsigned char)e) ? e : '?');
    }
  }
  if (n > SEK_ATTRS_MAX_VALUE_LEN) {
    free(buf);
    return fail(ps, SEK_ATTRS_ERR_TOO_LONG, t->line, t->col, "string longer than %d bytes",
                SEK_ATTRS_MAX_VALUE_LEN);
  }
  buf[n] = '\0';
  *out = buf;
  *out_len = n;
  return SEK_OK;
}

/*
 * Decodes the number token t, negated when neg: integers (decimal, 0x, 0b, 0o, '_' separators,
 * C suffixes u/l) into v->num, reals into v->real with is_real.
 */
static int decode_number(parser *ps, const token *t, bool neg, sek_value *v) {
  char buf[128];
  size_t n = 0;
  bool real = false;
  int base = 10;
  const char *s = t->s, *end = t->s + t->len;
  if (t->len >= 2 && s[0] == '0' && strchr("xXbBoO", s[1]) != NULL) {
    base = (s[1] == 'x' || s[1] == 'X') ? 16 : (s[1] == 'b' || s[1] == 'B') ? 2 : 8;
    s += 2;
  }
  for (; s < end; s++) {
    if (*s == '_')
      continue;
    if (base == 10 && (*s == '.' || *s == 'e' || *s == 'E'))
      real = true;
    if (n + 1 >= sizeof buf)
      return fail(ps, SEK_ATTRS_ERR_PARSE, t->line, t->col, "number too long");
    buf[n++] = *s;
  }
  /* C integer suffixes: u, l, ul, ll, ull in any case */
  while (!real && n > 0 && strchr("uUlL", buf[n - 1]) != NULL)
    n--;
  buf[n] = '\0';
  if (n == 0)
    return fail(ps, SEK_ATTRS_ERR_PARSE, t->line, t->col, "expected digits in number");
  if (real) {
    for (size_t i = 0; i < n; i++)
      if (!isdigit((unsigned char)buf[i]) && strchr(".eE+-", buf[i]) == NULL)
        return fail(ps, SEK_ATTRS_ERR_PARSE, t->line, t->col,
                    "invalid number '%.*s': expected digits", (int)t->len, t->s);
    char *stop;
    errno = 0;
    double d = strtod(buf, &stop);
    if (*stop != '\0' || !isfinite(d))
      return fail(ps, SEK_ATTRS_ERR_PARSE, t->line, t->col,
                  "invalid number '%.*s': expected a finite real", (int)t->len, t->s);
    if (neg)
      d = -d;
    v->kind = SEK_VALUE_NUMBER;
    v->is_real = true;
    v->real = d == 0 ? 0.0 : d;
    return SEK_OK;
  }
  uint64_t mag = 0;
  for (size_t i = 0; i < n; i++) {
    int dv = sek_hex_digit(buf[i]);
    if (dv < 0 || dv >= base)
      return fail(ps, SEK_ATTRS_ERR_PARSE, t->line, t->col, "invalid digit '%c' in number '%.*s'",
                  buf[i], (int)t->len, t->s);
    if (mag > (UINT64_MAX - (uint64_t)dv) / (uint64_t)base)
      return fail(ps, SEK_ATTRS_ERR_PARSE, t->line, t->col,
                  "integer '%.*s' out of range: expected a 64-bit value", (int)t->len, t->s);
    mag = mag * (uint64_t)base + (uint64_t)dv;
  }
  if ((!neg && mag > (uint64_t)INT64_MAX) || (neg && mag > (uint64_t)INT64_MAX + 1))
    return fail(ps, SEK_ATTRS_ERR_PARSE, t->line, t->col,
                "integer '%.*s' out of range: expected a 64-bit signed value", (int)t->len, t->s);
  v->kind = SEK_VALUE_NUMBER;
  v->num = neg ? (int64_t)(0 - mag) : (int64_t)mag;
  return SEK_OK;
}

/* ---- bindings ---- */

static binding *find_binding(parser *ps, const char *s, size_t len) {
  for (size_t i = ps->num_b; i-- > 0;)
    if (strlen(ps->b[i].name) == len && memcmp(ps->b[i].name, s, len) == 0)
      return &ps->b[i];
  return NULL;
}

static size_t value_size(const sek_value *v);
static size_t dict_size(const sek_attrs *a) {
  size_t n = 1;
  for (size_t i = 0; i < a->n; i++)
    n += value_size(&a->e[i]->v);
  return n;
}
static size_t value_size(const sek_value *v) {
  return v->kind == SEK_VALUE_DICT ? dict_size(v->dict) : 1;
}

static void unbind(parser *ps, const char *s, size_t len) {
  binding *b = find_binding(ps, s, len);
  if (b == NULL)
    return;
  if (ps->last_name != NULL && strcmp(ps->last_name, b->name) == 0) {
    /* the result candidate goes away with its name: keep the dictionary */
    free(ps->last_name);
    ps->last_name = NULL;
    if (b->v.kind == SEK_VALUE_DICT) {
      sek_attrs_free(ps->last);
      ps->last = b->v.dict;
      b->v.dict = NULL;
      b->v.kind = SEK_VALUE_STRING;
    }
  }
  free(b->name);
  attrs_value_clear(&b->v);
  size_t i = (size_t)(b - ps->b);
  memmove(&ps->b[i], &ps->b[i + 1], (ps->num_b - i - 1) * sizeof *b);
  ps->num_b--;
}

/* Binds name to *v (moved) or to flags; an older binding of the name is dropped. */
static int bind(parser *ps, const token *name, sek_value *v, bool is_flags, uint32_t flags,
                uint32_t deprecated) {
  unbind(ps, name->s, name->len);
  if (ps->num_b == MAX_BINDINGS) {
    if (v != NULL)
      attrs_value_clear(v);
    return fail(ps, SEK_ATTRS_ERR_TOO_MANY, name->line, name->col,
                "more than %d variables before the dictionary", MAX_BINDINGS);
  }
  binding *b = &ps->b[ps->num_b];
  memset(b, 0, sizeof *b);
  if ((b->name = attrs_strndup(name->s, name->len)) == NULL) {
    if (v != NULL)
      attrs_value_clear(v);
    return fail(ps, SEK_ERR_NOMEM, name->line, name->col, "out of memory");
  }
  b->is_flags = is_flags;
  b->flags = flags;
  b->deprecated = deprecated;
  if (!is_flags) {
    b->v = *v;
    memset(v, 0, sizeof *v);
    b->size = value_size(&b->v);
  }
  ps->num_b++;
  return SEK_OK;
}

/* A bare dictionary (taken) becomes the result candidate. */
static void set_last(parser *ps, sek_attrs *d) {
  sek_attrs_free(ps->last);
  ps->last = d;
  free(ps->last_name);
  ps->last_name = NULL;
}

/* The dictionary bound to b becomes the result candidate. */
static int set_last_binding(parser *ps, const binding *b, const token *at) {
  char *n = attrs_strndup(b->name, strlen(b->name));
  if (n == NULL)
    return fail(ps, SEK_ERR_NOMEM, at->line, at->col, "out of memory");
  set_last(ps, NULL);
  ps->last_name = n;
  return SEK_OK;
}

/* ---- values ---- */

static int parse_value(parser *ps, sek_value *out);
static int parse_swift_dict(parser *ps, sek_attrs **out);
static int parse_objc_dict(parser *ps, sek_attrs **out);

/* Names that are no variable: literals, constructors the parser knows, keywords. */
static const char *const reserved[] = {
    "true",
    "false",
    "YES",
    "NO",
    "nil",
    "NULL",
    "Nil",
    "kCFBooleanTrue",
    "kCFBooleanFalse",
    "kCFNull",
    "let",
    "var",
    "guard",
    "if",
    "else",
    "return",
    "as",
    "Data",
    "NSData",
    "NSNumber",
    "Date",
    "String",
    "NSString",
    "SecAccessControlCreateWithFlags",
    "SecConstant",
    "Int",
    "Int8",
    "Int16",
    "Int32",
    "Int64",
    "UInt",
    "UInt8",
    "UInt16",
    "UInt32",
    "UInt64",
    "CFIndex",
    "NSInteger",
    "NSUInteger",
    "Double",
    "Float",
    "CGFloat",
    "try",
    "await",
    "func",
};

static bool is_reserved(const char *s, size_t len) {
  for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
    if (strlen(reserved[i]) == len && memcmp(reserved[i], s, len) == 0)
      return true;
  return false;
}

/* kSec…/kCF… identifiers name constants (known or not), never variables. */
static bool is_constant_name(const char *s, size_t len) {
  return (len > 4 && memcmp(s, "kSec", 4) == 0) || (len > 3 && memcmp(s, "kCF", 3) == 0);
}

bool attrs_reference_text_ok(const char *s, size_t len) {
  /* an identifier path a.b.c whose first segment is no reserved word or constant name, and
     whose other segments are not .data / .utf8 (those convert, see parse_postfix) */
  size_t i = 0, first_end = 0;
  if (len == 0)
    return false;
  while (i < len) {
    size_t st = i;
    if (!is_ident_start((unsigned char)s[i]))
      return false;
    while (i < len && is_ident_char((unsigned char)s[i]))
      i++;
    if (st == 0)
      first_end = i;
    else if ((i - st == 4 && memcmp(s + st, "data", 4) == 0) ||
             (i - st == 4 && memcmp(s + st, "utf8", 4) == 0))
      return false;
    if (i < len) {
      if (s[i] != '.' || i + 1 == len)
        return false;
      i++;
    }
  }
  return !is_reserved(s, first_end) && !is_constant_name(s, first_end);
}

bool attrs_constant_text_ok(const char *s) {
  /* a kSec…/kCF… identifier that the parser reads back as this unknown constant */
  size_t len = strlen(s);
  if (!is_constant_name(s, len) || is_reserved(s, len))
    return false;
  for (size_t i = 0; i < len; i++)
    if (!is_ident_char((unsigned char)s[i]))
      return false;
  return attrs_name_lookup_n(s, len, SEK_NAME_CONSTANT) == NULL;
}

/* Skips a balanced (…) group starting at the current '(' token. */
static int skip_group(parser *ps) {
  token open = ps->tok;
  int depth = 0;
  do {
    if (ps->tok.kind == T_EOF)
      return fail(ps, SEK_ATTRS_ERR_PARSE, open.line, open.col,
                  "unbalanced '(': expected ')' before the end of the input");
    if (at_punct(ps, '(') || at_punct(ps, '[') || at_punct(ps, '{'))
      depth++;
    else if (at_punct(ps, ')') || at_punct(ps, ']') || at_punct(ps, '}'))
      depth--;
    next(ps);
  } while (depth > 0 && ps->status == SEK_OK);
  return ps->status;
}

/* After `as` / `as!` / `as?`: skips a type (Name, Name.Name, [Name: Name], Name<…>, ?, !). */
static int skip_type_after_as(parser *ps) {
  if (at_punct(ps, '!') || at_punct(ps, '?'))
    next(ps);
  if (at_punct(ps, '[') || at_punct(ps, '('))
    return skip_group(ps);
  if (ps->tok.kind != T_IDENT)
    return expected(ps, "a type after 'as'");
  next(ps);
  while (ps->status == SEK_OK) {
    if (at_punct(ps, '.') && peek(ps, 1).kind == T_IDENT) {
      next(ps);
      next(ps);
    } else if (at_punct(ps, '<')) {
      int depth = 0;
      do {
        if (ps->tok.kind == T_EOF)
          return expected(ps, "'>' closing the generic type");
        if (at_punct(ps, '<'))
          depth++;
        else if (at_punct(ps, '>'))
          depth--;
        next(ps);
      } while (depth > 0 && ps->status == SEK_OK);
    } else if (at_punct(ps, '?') && !ps->tok.nl_before) {
      next(ps);
    } else {
      break;
    }
  }
  return ps->status;
}

/* Is the current '(' an Objective-C cast: (id), (__bridge id), (NSString *), (CFStringRef)? */
static bool at_cast(parser *ps) {
  token t = peek(ps, 1);
  if (t.kind != T_IDENT)
    return false;
  bool typeish = tok_ident(&t, "id") || tok_ident(&t, "__bridge") || tok_prefix(&t, "__bridge") ||
                 tok_ident(&t, "const") || tok_prefix(&t, "NS") ||
                 (tok_prefix(&t, "CF") && !tok_prefix(&t, "kCF")) ||
                 (t.len > 3 && memcmp(t.s + t.len - 3, "Ref", 3) == 0 && !tok_prefix(&t, "kSec"));
  if (!typeish)
    return false;
  for (int k = 2; k < 10; k++) {
    t = peek(ps, k);
    if (tok_punct(&t, ')'))
      return true;
    if (t.kind != T_IDENT && !tok_punct(&t, '*'))
      return false;
  }
  return false;
}

static int skip_cast(parser *ps) {
  while (!at_punct(ps, ')') && ps->status == SEK_OK)
    next(ps);
  next(ps);
  return ps->status;
}

/* Reads the constant or reference text of an identifier into a CONSTANT/REFERENCE value. */
static int make_bytes(parser *ps, sek_value *v, sek_value_kind kind, const char *s, size_t len,
                      const token *at) {
  if (len > SEK_ATTRS_MAX_VALUE_LEN)
    return fail(ps, SEK_ATTRS_ERR_TOO_LONG, at->line, at->col, "name longer than %d bytes",
                SEK_ATTRS_MAX_VALUE_LEN);
  v->kind = kind;
  v->len = len;
  if ((v->bytes = attrs_strndup(s, len)) == NULL)
    return fail(ps, SEK_ERR_NOMEM, at->line, at->col, "out of memory");
  return SEK_OK;
}

static int make_constant(parser *ps, sek_value *v, const token *t) {
  size_t raw_len;
  bool known;
  const char *raw = attrs_constant_raw(t->s, t->len, &raw_len, &known);
  v->known = known;
  return make_bytes(ps, v, SEK_VALUE_CONSTANT, raw, raw_len, t);
}

/*
 * Appends one byte to a growing data buffer (*buf holds *n of *cap bytes).  On failure (the
 * value limit, or memory) the buffer is freed and the parser's error is set at line:col.
 */
static int append_data_byte(parser *ps, char **buf, size_t *n, size_t *cap, unsigned line,
                            unsigned col, uint8_t byte) {
  if (*n == SEK_ATTRS_MAX_VALUE_LEN) {
    free(*buf);
    return fail(ps, SEK_ATTRS_ERR_TOO_LONG, line, col, "data longer than %d bytes",
                SEK_ATTRS_MAX_VALUE_LEN);
  }
  if (*n == *cap) {
    char *nb = realloc(*buf, *cap * 2 + 1);
    if (nb == NULL) {
      free(*buf);
      return fail(ps, SEK_ERR_NOMEM, line, col, "out of memory");
    }
    *buf = nb;
    *cap *= 2;
  }
  (*buf)[(*n)++] = (char)byte;
  return SEK_OK;
}

/* A byte array [0x01, 2, …] (current token '[') appended to a DATA value. */
static int parse_byte_array(parser *ps, sek_value *v) {
  next(ps);
  size_t cap = 16;
  char *buf = malloc(cap + 1);
  if (buf == NULL)
    return fail(ps, SEK_ERR_NOMEM, ps->tok.line, ps->tok.col, "out of memory");
  size_t n = 0;
  while (!at_punct(ps, ']')) {
    token t = ps->tok;
    if (t.kind != T_NUMBER) {
      free(buf);
      return expected(ps, "a byte (0x00…0xff) or ']'");
    }
    sek_value b = {0};
    if (decode_number(ps, &t, false, &b) != SEK_OK || b.is_real || b.num > 255) {
      free(buf);
      return fail(ps, SEK_ATTRS_ERR_PARSE, t.line, t.col, "expected a byte 0x00…0xff, found '%.*s'",
                  (int)t.len, t.s);
    }
    if (append_data_byte(ps, &buf, &n, &cap, t.line, t.col, (uint8_t)b.num) != SEK_OK)
      return ps->status;
    next(ps);
    if (at_punct(ps, ','))
      next(ps);
    else if (!at_punct(ps, ']')) {
      free(buf);
      return expected(ps, "',' or ']' in the byte array");
    }
  }
  next(ps);
  buf[n] = '\0';
  v->kind = SEK_VALUE_DATA;
  v->bytes = buf;
  v->len = n;
  return ps->status;
}

/* Hex data <0a0b 0c>: the current token is '<'; read the characters up to '>' directly. */
static int parse_hex_data(parser *ps, sek_value *v) {
  token open = ps->tok;
  lexpos lx = ps->lx;
  size_t cap = 16, n = 0;
  char *buf = malloc(cap + 1);
  if (buf == NULL)
    return fail(ps, SEK_ERR_NOMEM, open.line, open.col, "out of memory");
  int hi = -1;
  for (;;) {
    if (lx.p >= lx.end) {
      free(buf);
      return fail(ps, SEK_ATTRS_ERR_PARSE, open.line, open.col,
                  "unterminated data: expected '>' after the hex digits");
    }
    char c = *lx.p;
    if (c == '>')
      break;
    if (isspace((unsigned char)c)) {
      advance(&lx, 1);
      continue;
    }
    int h = sek_hex_digit(c);
    if (h < 0) {
      free(buf);
      return fail(ps, SEK_ATTRS_ERR_PARSE, lx.line, lx.col,
                  "expected a hex digit or '>' in data <…>, found '%c'",
                  isprint((unsigned char)c) ? c : '?');
    }
    if (hi < 0) {
      hi = h;
    } else {
      if (append_data_byte(ps, &buf, &n, &cap, open.line, open.col, (uint8_t)(hi * 16 + h)) !=
          SEK_OK)
        return ps->status;
      hi = -1;
    }
    advance(&lx, 1);
  }
  if (hi >= 0) {
    free(buf);
    return fail(ps, SEK_ATTRS_ERR_PARSE, lx.line, lx.col,
                "odd number of hex digits in data <…>: expected pairs");
  }
  advance(&lx, 1);
  ps->lx = lx;
  next(ps);
  buf[n] = '\0';
  v->kind = SEK_VALUE_DATA;
  v->bytes = buf;
  v->len = n;
  return ps->status;
}

/* ---- SecAccessControlCreateWithFlags ---- */

typedef struct {
  uint32_t flags, deprecated;
  char *unknown[SEK_ATTRS_MAX_UNKNOWN_FLAGS];
  size_t num_unknown;
} flag_set;

static void flag_set_clear(flag_set *f) {
  for (size_t i = 0; i < f->num_unknown; i++)
    free(f->unknown[i]);
  memset(f, 0, sizeof *f);
}

static int add_flag_name(parser *ps, flag_set *f, const token *t) {
  bool dep = false;
  uint32_t bit = sek_access_control_flag_lookup(t->s, t->len, &dep);
  if (bit != 0) {
    f->flags |= bit;
    if (dep)
      f->deprecated |= bit;
    return SEK_OK;
  }
  binding *b = find_binding(ps, t->s, t->len);
  if (b != NULL && b->is_flags) {
    f->flags |= b->flags;
    f->deprecated |= b->deprecated;
    return SEK_OK;
  }
  if (f->num_unknown == SEK_ATTRS_MAX_UNKNOWN_FLAGS)
    return fail(ps, SEK_ATTRS_ERR_TOO_MANY, t->line, t->col, "more than %d unknown flags",
                SEK_ATTRS_MAX_UNKNOWN_FLAGS);
  if (t->len > SEK_ATTRS_MAX_VALUE_LEN)
    return fail(ps, SEK_ATTRS_ERR_TOO_LONG, t->line, t->col, "flag name too long");
  if ((f->unknown[f->num_unknown] = attrs_strndup(t->s, t->len)) == NULL)
    return fail(ps, SEK_ERR_NOMEM, t->line, t->col, "out of memory");
  f->num_unknown++;
  return SEK_OK;
}

/* `(rawValue: N)` after .init / SecAccessControlCreateFlags: the current token is '('. */
static int parse_raw_value(parser *ps, flag_set *f) {
  next(ps);
  if (at_ident(ps, "rawValue")) {
    next(ps);
    if (expect_punct(ps, ':', "':' after rawValue") != SEK_OK)
      return ps->status;
  }
  token t = ps->tok;
  sek_value n = {0};
  if (t.kind != T_NUMBER)
    return expected(ps, "a number (the flags' raw value)");
  if (decode_number(ps, &t, false, &n) != SEK_OK)
    return ps->status;
  if (n.is_real || n.num < 0 || n.num > (int64_t)UINT32_MAX)
    return fail(ps, SEK_ATTRS_ERR_PARSE, t.line, t.col,
                "expected a 32-bit raw value for SecAccessControlCreateFlags");
  f->flags |= (uint32_t)n.num;
  next(ps);
  return expect_punct(ps, ')', "')' after the raw value");
}

static int parse_flag_term_inner(parser *ps, flag_set *f);

/* One flag: .name, .init(rawValue: N), SecAccessControlCreateFlags.name, kSecAccessControlX, N,
   or a nested ( … | … ) / [ … ] group; nesting counts against MAX_EXPR_DEPTH. */
static int parse_flag_term(parser *ps, flag_set *f) {
  if (ps->expr_depth >= MAX_EXPR_DEPTH)
    return fail(ps, SEK_ATTRS_ERR_DEPTH, ps->tok.line, ps->tok.col,
                "flags nested more than %d levels", MAX_EXPR_DEPTH);
  ps->expr_depth++;
  int st = parse_flag_term_inner(ps, f);
  ps->expr_depth--;
  return st;
}

static int parse_flag_term_inner(parser *ps, flag_set *f) {
  if (at_punct(ps, '.')) {
    next(ps);
    if (ps->tok.kind != T_IDENT)
      return expected(ps, "a flag name after '.'");
    token t = ps->tok;
    next(ps);
    if (tok_ident(&t, "init") && at_punct(ps, '('))
      return parse_raw_value(ps, f);
    return add_flag_name(ps, f, &t);
  }
  if (ps->tok.kind == T_NUMBER) {
    token t = ps->tok;
    sek_value n = {0};
    if (decode_number(ps, &t, false, &n) != SEK_OK)
      return ps->status;
    if (n.is_real || n.num < 0 || n.num > (int64_t)UINT32_MAX)
      return fail(ps, SEK_ATTRS_ERR_PARSE, t.line, t.col, "expected 32-bit flags");
    f->flags |= (uint32_t)n.num;
    next(ps);
    return SEK_OK;
  }
  if (at_punct(ps, '(')) {
    if (at_cast(ps))
      return skip_cast(ps) == SEK_OK ? parse_flag_term(ps, f) : ps->status;
    next(ps);
    while (ps->status == SEK_OK && !at_punct(ps, ')')) {
      if (parse_flag_term(ps, f) != SEK_OK)
        return ps->status;
      if (at_punct(ps, '|'))
        next(ps);
      else if (!at_punct(ps, ')'))
        return expected(ps, "'|' or ')' in the flags");
    }
    next(ps);
    return ps->status;
  }
  if (at_punct(ps, '[')) {
    next(ps);
    while (ps->status == SEK_OK && !at_punct(ps, ']')) {
      if (parse_flag_term(ps, f) != SEK_OK)
        return ps->status;
      if (at_punct(ps, ','))
        next(ps);
      else if (!at_punct(ps, ']'))
        return expected(ps, "',' or ']' after a flag");
    }
    next(ps);
    return ps->status;
  }
  if (ps->tok.kind == T_IDENT) {
    token t = ps->tok;
    next(ps);
    if (tok_ident(&t, "SecAccessControlCreateFlags")) {
      if (at_punct(ps, '('))
        return parse_raw_value(ps, f);
      if (!at_punct(ps, '.'))
        return expected(ps, "'.flag' or '(rawValue:' after SecAccessControlCreateFlags");
      return parse_flag_term(ps, f);
    }
    return add_flag_name(ps, f, &t);
  }
  return expected(ps, "access-control flags ([.privateKeyUsage, …] or kSecAccessControl… | …)");
}

/* flags: term { '|' term }   (Swift [.a, .b] or a single .a; ObjC A | B; a bound name) */
static int parse_flags(parser *ps, flag_set *f) {
  if (parse_flag_term(ps, f) != SEK_OK)
    return ps->status;
  while (at_punct(ps, '|') && ps->status == SEK_OK) {
    next(ps);
    if (at_punct(ps, '|')) /* || typed by mistake is still an OR of bits */
      next(ps);
    parse_flag_term(ps, f);
  }
  return ps->status;
}

/* SecAccessControlCreateWithFlags(alloc, protection, flags, error)[!]: current token '('. */
static int parse_ac_call(parser *ps, sek_value *v) {
  next(ps);
  /* the allocator: kCFAllocatorDefault, nil, NULL, or anything else that is one token */
  if (ps->tok.kind != T_IDENT && ps->tok.kind != T_NUMBER)
    return expected(ps, "an allocator (kCFAllocatorDefault or nil)");
  next(ps);
  if (expect_punct(ps, ',', "',' after the allocator") != SEK_OK)
    return ps->status;
  token pt = ps->tok;
  sek_value prot = {0};
  if (parse_value(ps, &prot) != SEK_OK)
    return ps->status;
  if (prot.kind != SEK_VALUE_CONSTANT && prot.kind != SEK_VALUE_STRING &&
      prot.kind != SEK_VALUE_REFERENCE) {
    attrs_value_clear(&prot);
    return fail(ps, SEK_ATTRS_ERR_PARSE, pt.line, pt.col,
                "expected a protection class (kSecAttrAccessible…) as the second argument");
  }
  if (expect_punct(ps, ',', "',' after the protection class") != SEK_OK) {
    attrs_value_clear(&prot);
    return ps->status;
  }
  flag_set f = {0};
  if (parse_flags(ps, &f) != SEK_OK)
    goto out;
  if (expect_punct(ps, ',', "',' after the flags") != SEK_OK)
    goto out;
  /* the error argument: nil, NULL, &error, error */
  if (at_punct(ps, '&'))
    next(ps);
  if (ps->tok.kind != T_IDENT && ps->tok.kind != T_NUMBER) {
    expected(ps, "the error argument (nil, NULL or &error)");
    goto out;
  }
  next(ps);
  if (expect_punct(ps, ')', "')' closing SecAccessControlCreateWithFlags") != SEK_OK)
    goto out;
  const char *unk[SEK_ATTRS_MAX_UNKNOWN_FLAGS];
  for (size_t i = 0; i < f.num_unknown; i++)
    unk[i] = f.unknown[i];
  int st = attrs_value_set_ac(v, prot.bytes, prot.len, prot.kind, f.flags, f.deprecated, unk, NULL,
                              f.num_unknown);
  if (st != SEK_OK)
    fail(ps, st, pt.line, pt.col, "%s", sek_attrs_strerror(st));
out:
  attrs_value_clear(&prot);
  flag_set_clear(&f);
  return ps->status;
}

/* ---- constructors and messages ---- */

static bool numeric_type(const token *t) {
  static const char *const names[] = {
      "Int",    "Int8",   "Int16",   "Int32",     "Int64",      "UInt",   "UInt8", "UInt16",
      "UInt32", "UInt64", "CFIndex", "NSInteger", "NSUInteger", "Double", "Float", "CGFloat"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (tok_ident(t, names[i]))
      return true;
  return false;
}

/* `(label: value)` or `(value)`: a single argument, label optional; current token '('. */
static int parse_single_arg(parser *ps, sek_value *v, const char *what) {
  next(ps);
  token lab = peek(ps, 1);
  if (ps->tok.kind == T_IDENT && tok_punct(&lab, ':')) {
    next(ps);
    next(ps);
  }
  if (parse_value(ps, v) != SEK_OK)
    return ps->status;
  if (!at_punct(ps, ')')) {
    attrs_value_clear(v);
    return expected(ps, what);
  }
  next(ps);
  return SEK_OK;
}

/* Data(...) / NSData(...): current token is '(' after the name. */
static int parse_data_ctor(parser *ps, sek_value *v, const token *name) {
  token open = ps->tok;
  next(ps);
  if (at_punct(ps, ')')) { /* Data() */
    next(ps);
    return make_bytes(ps, v, SEK_VALUE_DATA, "", 0, name);
  }
  token lab = peek(ps, 1);
  if (ps->tok.kind == T_IDENT && tok_punct(&lab, ':')) {
    if (!at_ident(ps, "bytes"))
      return fail(ps, SEK_ATTRS_ERR_PARSE, ps->tok.line, ps->tok.col,
                  "unsupported Data initializer '%.*s:': expected Data([0x01, …]), "
                  "Data(\"text\".utf8) or Data(bytes: […])",
                  (int)ps->tok.len, ps->tok.s);
    next(ps);
    next(ps);
  }
  if (at_punct(ps, '[')) {
    if (parse_byte_array(ps, v) != SEK_OK)
      return ps->status;
    if (at_punct(ps, ',')) { /* Data(bytes: [..], count: n): the count is the array's */
      while (!at_punct(ps, ')') && ps->tok.kind != T_EOF && ps->status == SEK_OK)
        next(ps);
    }
  } else {
    token at = ps->tok;
    sek_value s = {0};
    if (parse_value(ps, &s) != SEK_OK)
      return ps->status;
    if (s.kind == SEK_VALUE_STRING || s.kind == SEK_VALUE_DATA) {
      s.kind = SEK_VALUE_DATA;
      *v = s;
    } else if (s.kind == SEK_VALUE_REFERENCE) {
      *v = s;
    } else {
      attrs_value_clear(&s);
      return fail(ps, SEK_ATTRS_ERR_PARSE, at.line, at.col,
                  "expected a byte array or \"text\".utf8 inside Data(…)");
    }
  }
  if (!at_punct(ps, ')')) {
    attrs_value_clear(v);
    char buf[64];
    return fail(ps, SEK_ATTRS_ERR_PARSE, ps->tok.line, ps->tok.col,
                "expected ')' closing Data( at %u:%u, found %s", open.line, open.col,
                describe(&ps->tok, buf, sizeof buf));
  }
  next(ps);
  return SEK_OK;
}

/*
 * An Objective-C message send: the current token is '['.  Understood: [NSNumber numberWith…:N],
 * [@"text" dataUsingEncoding:…], [string dataUsingEncoding:…] (a bound or unbound name).
 */
static int parse_message(parser *ps, sek_value *v) {
  token open = ps->tok;
  next(ps);
  sek_value recv = {0};
  if (ps->tok.kind == T_IDENT && (at_ident(ps, "NSNumber") || at_ident(ps, "NSData"))) {
    token cls = ps->tok;
    next(ps);
    if (ps->tok.kind != T_IDENT)
      return expected(ps, "a selector");
    token sel = ps->tok;
    next(ps);
    if (expect_punct(ps, ':', "':' after the selector") != SEK_OK)
      return ps->status;
    if (!tok_ident(&cls, "NSNumber") || !tok_prefix(&sel, "numberWith"))
      return fail(ps, SEK_ATTRS_ERR_PARSE, sel.line, sel.col,
                  "unsupported Objective-C message [%.*s %.*s:]: expected [NSNumber "
                  "numberWithInt:N] or [@\"text\" dataUsingEncoding:NSUTF8StringEncoding]",
                  (int)cls.len, cls.s, (int)sel.len, sel.s);
    if (parse_value(ps, v) != SEK_OK)
      return ps->status;
    if (tok_ident(&sel, "numberWithBool") && v->kind == SEK_VALUE_NUMBER && !v->is_real) {
      v->kind = SEK_VALUE_BOOL;
      v->num = v->num != 0;
    }
  } else {
    if (parse_value(ps, &recv) != SEK_OK)
      return ps->status;
    if (!at_ident(ps, "dataUsingEncoding")) {
      attrs_value_clear(&recv);
      return expected(ps, "dataUsingEncoding: (the only message understood on a string)");
    }
    next(ps);
    if (expect_punct(ps, ':', "':' after dataUsingEncoding") != SEK_OK || ps->tok.kind != T_IDENT) {
      attrs_value_clear(&recv);
      return ps->status != SEK_OK ? ps->status : expected(ps, "an encoding");
    }
    next(ps);
    if (recv.kind == SEK_VALUE_STRING)
      recv.kind = SEK_VALUE_DATA;
    *v = recv;
  }
  if (!at_punct(ps, ']')) {
    attrs_value_clear(v);
    char buf[64];
    return fail(ps, SEK_ATTRS_ERR_PARSE, ps->tok.line, ps->tok.col,
                "expected ']' closing the message at %u:%u, found %s", open.line, open.col,
                describe(&ps->tok, buf, sizeof buf));
  }
  next(ps);
  return SEK_OK;
}

/* Is the current '[' an Objective-C message send rather than a Swift dictionary? */
static bool at_message(parser *ps) {
  token a = peek(ps, 1), b = peek(ps, 2);
  if (tok_punct(&a, '@'))
    return true;
  /* [receiver selector…]; a kSec constant is no receiver but a key missing its ':' */
  return a.kind == T_IDENT && b.kind == T_IDENT && !tok_ident(&b, "as") &&
         !is_constant_name(a.s, a.len) && attrs_name_lookup_n(a.s, a.len, SEK_NAME_KEY) == NULL;
}

/* Does the current '[' open a dictionary literal (for the lenient statement layer)? */
static bool at_dict_start(parser *ps) {
  token a = peek(ps, 1);
  if (tok_punct(&a, ':'))
    return true;
  if (a.kind == T_IDENT &&
      (tok_prefix(&a, "kSec") || attrs_name_lookup_n(a.s, a.len, SEK_NAME_KEY) != NULL)) {
    token b = peek(ps, 2);
    return tok_punct(&b, ':') || tok_ident(&b, "as");
  }
  if (tok_ident(&a, "String")) {
    token b = peek(ps, 2);
    return tok_punct(&b, '(');
  }
  if (a.kind == T_STRING) {
    token b = peek(ps, 2);
    return tok_punct(&b, ':');
  }
  if (tok_punct(&a, '(')) /* (id)kSec… keys pasted into brackets */
    return true;
  return false;
}

/* The value that starts with identifier t (already consumed). */
static int parse_ident_value(parser *ps, const token *t, sek_value *v) {
  if (tok_ident(t, "true") || tok_ident(t, "YES") || tok_ident(t, "kCFBooleanTrue") ||
      tok_ident(t, "false") || tok_ident(t, "NO") || tok_ident(t, "kCFBooleanFalse")) {
    v->kind = SEK_VALUE_BOOL;
    v->num = tok_ident(t, "true") || tok_ident(t, "YES") || tok_ident(t, "kCFBooleanTrue");
    return SEK_OK;
  }
  if (tok_ident(t, "nil") || tok_ident(t, "NULL") || tok_ident(t, "Nil") || tok_ident(t, "kCFNull"))
    return fail(ps, SEK_ATTRS_ERR_PARSE, t->line, t->col,
                "expected a value: %.*s cannot be stored in a dictionary (the app would crash "
                "or drop the entry)",
                (int)t->len, t->s);
  if (tok_ident(t, "SecAccessControlCreateWithFlags")) {
    if (!at_punct(ps, '('))
      return expected(ps, "'(' after SecAccessControlCreateWithFlags");
    return parse_ac_call(ps, v);
  }
  if (tok_ident(t, "Data") || tok_ident(t, "NSData")) {
    if (!at_punct(ps, '('))
      return expected(ps, "'(' after Data");
    return parse_data_ctor(ps, v, t);
  }
  if (tok_ident(t, "NSNumber") || tok_ident(t, "String") || tok_ident(t, "NSString") ||
      numeric_type(t)) {
    if (!at_punct(ps, '('))
      return expected(ps, "'(' after a type name");
    token at = ps->tok;
    if (parse_single_arg(ps, v, "')' closing the conversion") != SEK_OK)
      return ps->status;
    bool numeric = tok_ident(t, "NSNumber") || numeric_type(t);
    if (numeric && v->kind != SEK_VALUE_NUMBER && v->kind != SEK_VALUE_BOOL &&
        v->kind != SEK_VALUE_REFERENCE) {
      attrs_value_clear(v);
      return fail(ps, SEK_ATTRS_ERR_PARSE, at.line, at.col, "expected a number inside %.*s(…)",
                  (int)t->len, t->s);
    }
    if ((tok_ident(t, "Double") || tok_ident(t, "Float") || tok_ident(t, "CGFloat")) &&
        v->kind == SEK_VALUE_NUMBER && !v->is_real) {
      v->is_real = true;
      v->real = (double)v->num;
      v->num = 0;
    }
    return SEK_OK;
  }
  if (tok_ident(t, "Date")) {
    if (!at_punct(ps, '('))
      return expected(ps, "'(' after Date");
    next(ps);
    token lab = ps->tok;
    bool ref2001 = tok_ident(&lab, "timeIntervalSinceReferenceDate");
    if (!ref2001 && !tok_ident(&lab, "timeIntervalSince1970"))
      return expected(ps, "timeIntervalSinceReferenceDate: or timeIntervalSince1970:");
    next(ps);
    if (expect_punct(ps, ':', "':' after the label") != SEK_OK)
      return ps->status;
    bool neg = false;
    if (at_punct(ps, '-')) {
      neg = true;
      next(ps);
    }
    token nt = ps->tok;
    sek_value n = {0};
    if (nt.kind != T_NUMBER)
      return expected(ps, "a number of seconds");
    if (decode_number(ps, &nt, neg, &n) != SEK_OK)
      return ps->status;
    next(ps);
    if (expect_punct(ps, ')', "')' closing Date(") != SEK_OK)
      return ps->status;
    double s = n.is_real ? n.real : (double)n.num;
    if (!ref2001)
      s -= 978307200.0; /* 2001-01-01 00:00:00 UTC in Unix time */
    v->kind = SEK_VALUE_DATE;
    v->real = s == 0 ? 0.0 : s;
    return SEK_OK;
  }
  if (tok_ident(t, "SecConstant")) { /* the canonical form of a constant with no kSec name */
    if (!at_punct(ps, '('))
      return expected(ps, "'(' after SecConstant");
    next(ps);
    if (ps->tok.kind != T_STRING)
      return expected(ps, "the constant's raw string");
    token st = ps->tok;
    char *s;
    size_t len;
    if (decode_string(ps, &st, &s, &len) != SEK_OK)
      return ps->status;
    next(ps);
    if (len == 0 || memchr(s, '\0', len) != NULL) {
      free(s);
      return fail(ps, SEK_ATTRS_ERR_PARSE, st.line, st.col,
                  "expected a non-empty constant without NUL bytes");
    }
    size_t raw_len;
    bool known;
    const char *raw = attrs_constant_raw(s, len, &raw_len, &known);
    v->known = known;
    int r = make_bytes(ps, v, SEK_VALUE_CONSTANT, raw, raw_len, &st);
    free(s);
    if (r != SEK_OK)
      return r;
    return expect_punct(ps, ')', "')' closing SecConstant(");
  }
  if (is_constant_name(t->s, t->len))
    return make_constant(ps, v, t);
  /* a variable: bound earlier, or kept as an unresolved reference (an identifier path) */
  binding *b = t->len <= SEK_ATTRS_MAX_VALUE_LEN ? find_binding(ps, t->s, t->len) : NULL;
  if (b != NULL && (!at_punct(ps, '.') || peek_ident(ps, 1, "data") || peek_ident(ps, 1, "utf8"))) {
    if (b->is_flags)
      return fail(ps, SEK_ATTRS_ERR_PARSE, t->line, t->col,
                  "%.*s holds access-control flags: expected a value", (int)t->len, t->s);
    if (spend(ps, b->size, t) != SEK_OK)
      return ps->status;
    if (attrs_value_copy(v, &b->v) != SEK_OK)
      return fail(ps, SEK_ERR_NOMEM, t->line, t->col, "out of memory");
    return SEK_OK;
  }
  const char *start = t->s;
  size_t len = t->len;
  while (at_punct(ps, '.') && peek(ps, 1).kind == T_IDENT && !ps->tok.nl_before) {
    token seg = peek(ps, 1);
    /* `.data(using:)` ends the path: the data of an unknown string is still unknown */
    if (tok_ident(&seg, "data") || tok_ident(&seg, "utf8"))
      break;
    next(ps);
    len = (size_t)(seg.s + seg.len - start);
    next(ps);
  }
  if (at_punct(ps, '(') && !ps->tok.nl_before) /* a call we cannot evaluate */
    if (skip_group(ps) != SEK_OK)
      return ps->status;
  if (!attrs_reference_text_ok(start, len))
    return fail(ps, SEK_ATTRS_ERR_PARSE, t->line, t->col, "expected a value, found '%.*s'",
                (int)(len > 40 ? 40 : len), start);
  return make_bytes(ps, v, SEK_VALUE_REFERENCE, start, len, t);
}

/* Postfix forms: as T, !, ?, .data(using: …), .utf8, further calls on an unknown value. */
static int parse_postfix(parser *ps, sek_value *v) {
  while (ps->status == SEK_OK) {
    if (at_ident(ps, "as")) {
      next(ps);
      if (skip_type_after_as(ps) != SEK_OK)
        return ps->status;
    } else if ((at_punct(ps, '!') || at_punct(ps, '?')) && !ps->tok.nl_before) {
      next(ps);
    } else if (at_punct(ps, '.') && !ps->tok.nl_before && peek(ps, 1).kind == T_IDENT) {
      token m = peek(ps, 1);
      if (tok_ident(&m, "data") &&
          (v->kind == SEK_VALUE_STRING || v->kind == SEK_VALUE_REFERENCE)) {
        next(ps);
        next(ps);
        if (!at_punct(ps, '('))
          return expected(ps, "'(using: .utf8)' after .data");
        if (skip_group(ps) != SEK_OK)
          return ps->status;
        if (v->kind == SEK_VALUE_STRING)
          v->kind = SEK_VALUE_DATA;
      } else if (tok_ident(&m, "utf8") && v->kind == SEK_VALUE_STRING) {
        next(ps);
        next(ps); /* "text".utf8: the bytes; Data(…) around it makes them Data */
      } else if (v->kind == SEK_VALUE_REFERENCE) {
        /* UUID().uuidString, tag.base64EncodedData(): still the unknown value of the variable */
        next(ps);
        next(ps);
        if (at_punct(ps, '(') && !ps->tok.nl_before && skip_group(ps) != SEK_OK)
          return ps->status;
      } else {
        return fail(ps, SEK_ATTRS_ERR_PARSE, m.line, m.col,
                    "unsupported member '.%.*s' on a value: expected ',' or the end of the entry",
                    (int)(m.len > 40 ? 40 : m.len), m.s);
      }
    } else {
      break;
    }
  }
  return ps->status;
}

static int parse_value_inner(parser *ps, sek_value *out) {
  token t = ps->tok;
  sek_value v = {0};
  v.line = t.line;
  v.col = t.col;
  if (spend(ps, 1, &t) != SEK_OK)
    goto error;
  while (at_punct(ps, '(') && at_cast(ps)) { /* (id), (__bridge id), … : no value of their own */
    if (skip_cast(ps) != SEK_OK)
      goto error;
    t = ps->tok;
  }
  if (at_punct(ps, '(')) {
    next(ps);
    if (parse_value(ps, &v) != SEK_OK)
      goto error;
    if (!at_punct(ps, ')')) {
      expected(ps, "')'");
      goto error;
    }
    next(ps);
  } else if (t.kind == T_STRING) {
    next(ps);
    v.kind = SEK_VALUE_STRING;
    if (decode_string(ps, &t, &v.bytes, &v.len) != SEK_OK)
      goto error;
  } else if (t.kind == T_NUMBER || at_punct(ps, '-')) {
    bool neg = at_punct(ps, '-');
    if (neg) {
      next(ps);
      t = ps->tok;
      if (t.kind != T_NUMBER) {
        expected(ps, "a number after '-'");
        goto error;
      }
    }
    if (decode_number(ps, &t, neg, &v) != SEK_OK)
      goto error;
    next(ps);
  } else if (at_punct(ps, '<')) {
    if (parse_hex_data(ps, &v) != SEK_OK)
      goto error;
  } else if (at_punct(ps, '@')) {
    token a = peek(ps, 1);
    if (tok_punct(&a, '{')) {
      if (parse_objc_dict(ps, &v.dict) != SEK_OK)
        goto error;
      v.kind = SEK_VALUE_DICT;
    } else if (a.kind == T_STRING || a.kind == T_NUMBER || tok_punct(&a, '-') ||
               tok_punct(&a, '(') || tok_ident(&a, "YES") || tok_ident(&a, "NO") ||
               tok_ident(&a, "true") || tok_ident(&a, "false")) {
      next(ps);
      if (parse_value_inner(ps, &v) != SEK_OK)
        goto error;
    } else {
      next(ps);
      expected(ps, "an Objective-C literal after '@' ({…}, \"…\", a number, (…), YES, NO)");
      goto error;
    }
  } else if (at_punct(ps, '[')) {
    token a = peek(ps, 1);
    if (tok_punct(&a, ']')) {
      fail(ps, SEK_ATTRS_ERR_PARSE, t.line, t.col,
           "expected a dictionary: [] is an empty array, the empty dictionary is [:]");
      goto error;
    }
    if (tok_punct(&a, '.')) {
      fail(ps, SEK_ATTRS_ERR_PARSE, t.line, t.col,
           "a flag list [.x, …] is only understood as the flags of "
           "SecAccessControlCreateWithFlags: expected a value");
      goto error;
    }
    if (at_message(ps)) {
      if (parse_message(ps, &v) != SEK_OK)
        goto error;
    } else {
      if (parse_swift_dict(ps, &v.dict) != SEK_OK)
        goto error;
      v.kind = SEK_VALUE_DICT;
    }
  } else if (t.kind == T_IDENT) {
    next(ps);
    if (parse_ident_value(ps, &t, &v) != SEK_OK)
      goto error;
  } else {
    expected(ps, "a value");
    goto error;
  }
  if (parse_postfix(ps, &v) != SEK_OK)
    goto error;
  v.line = t.line;
  v.col = t.col;
  *out = v;
  return SEK_OK;

error:
  /* A sub-parser may have filled v before a later token failed (a lexer error right
   * after <0a0b>, say): whatever v holds is freed here, on every path. */
  attrs_value_clear(&v);
  return ps->status;
}

static int parse_value(parser *ps, sek_value *out) {
  if (ps->expr_depth >= MAX_EXPR_DEPTH)
    return fail(ps, SEK_ATTRS_ERR_DEPTH, ps->tok.line, ps->tok.col,
                "expression nested more than %d levels", MAX_EXPR_DEPTH);
  ps->expr_depth++;
  memset(out, 0, sizeof *out);
  int st = parse_value_inner(ps, out);
  ps->expr_depth--;
  if (st != SEK_OK)
    attrs_value_clear(out);
  return st;
}

/* ---- dictionaries ---- */

/*
 * A key: kSecName (or a raw key like klbl) with optional `as String`; "raw" string; String(x);
 * (id)x / (__bridge id)x / (NSString *)x.  *raw is newly allocated.
 */
static int parse_key_inner(parser *ps, char **raw, token *at);

static int parse_key(parser *ps, char **raw, token *at) {
  if (ps->expr_depth >= MAX_EXPR_DEPTH)
    return fail(ps, SEK_ATTRS_ERR_DEPTH, ps->tok.line, ps->tok.col,
                "key expression nested more than %d levels", MAX_EXPR_DEPTH);
  ps->expr_depth++;
  int st = parse_key_inner(ps, raw, at);
  ps->expr_depth--;
  return st;
}

static int parse_key_inner(parser *ps, char **raw, token *at) {
  while (at_punct(ps, '(') && at_cast(ps))
    if (skip_cast(ps) != SEK_OK)
      return ps->status;
  if (at_punct(ps, '@') && peek(ps, 1).kind == T_STRING)
    next(ps);
  *at = ps->tok;
  if (ps->tok.kind == T_STRING) {
    size_t len;
    if (decode_string(ps, &ps->tok, raw, &len) != SEK_OK)
      return ps->status;
    if (len == 0 || memchr(*raw, '\0', len) != NULL) {
      free(*raw);
      *raw = NULL;
      return fail(ps, SEK_ATTRS_ERR_KEY, at->line, at->col,
                  "expected a key: an empty string or one with NUL bytes is no attribute");
    }
    next(ps);
  } else if (ps->tok.kind == T_IDENT) {
    token t = ps->tok;
    next(ps);
    if ((tok_ident(&t, "String") || tok_ident(&t, "NSString")) && at_punct(ps, '(')) {
      next(ps);
      if (parse_key(ps, raw, at) != SEK_OK)
        return ps->status;
      if (!at_punct(ps, ')')) {
        free(*raw);
        *raw = NULL;
        return expected(ps, "')' after the key");
      }
      next(ps);
    } else {
      if (t.len > SEK_ATTRS_MAX_VALUE_LEN)
        return fail(ps, SEK_ATTRS_ERR_TOO_LONG, t.line, t.col, "key longer than %d bytes",
                    SEK_ATTRS_MAX_VALUE_LEN);
      size_t raw_len;
      const char *r = attrs_key_raw(t.s, t.len, &raw_len);
      if ((*raw = attrs_strndup(r, raw_len)) == NULL)
        return fail(ps, SEK_ERR_NOMEM, t.line, t.col, "out of memory");
    }
  } else {
    return expected(ps, "a key (kSecAttr…, a raw key like klbl, or a string)");
  }
  while (at_ident(ps, "as") && ps->status == SEK_OK) {
    next(ps);
    skip_type_after_as(ps);
  }
  if (ps->status != SEK_OK) {
    free(*raw);
    *raw = NULL;
  }
  return ps->status;
}

/* Entries up to the closing bracket `close`; the opening one has been consumed. */
static int parse_entries(parser *ps, sek_attrs *a, char close, const token *open) {
  char buf[64];
  while (!at_punct(ps, close)) {
    if (ps->tok.kind == T_EOF)
      return fail(ps, SEK_ATTRS_ERR_PARSE, ps->tok.line, ps->tok.col,
                  "expected '%c' closing the dictionary opened at %u:%u, found the end of the "
                  "input",
                  close, open->line, open->col);
    char *raw = NULL;
    token kt;
    if (parse_key(ps, &raw, &kt) != SEK_OK)
      return ps->status;
    if (!at_punct(ps, ':')) {
      free(raw);
      return fail(ps, SEK_ATTRS_ERR_PARSE, ps->tok.line, ps->tok.col,
                  "expected ':' after the key '%.*s', found %s", (int)(kt.len > 40 ? 40 : kt.len),
                  kt.s, describe(&ps->tok, buf, sizeof buf));
    }
    next(ps);
    sek_value v;
    if (parse_value(ps, &v) != SEK_OK) {
      free(raw);
      return ps->status;
    }
    v.key_line = kt.line;
    v.key_col = kt.col;
    const sek_value *prev = sek_attrs_get(a, raw);
    unsigned pl = prev ? prev->key_line : 0, pc = prev ? prev->key_col : 0;
    int st = attrs_put(a, raw, &v, true);
    free(raw);
    if (st == SEK_ATTRS_ERR_DUPLICATE)
      return fail(ps, st, kt.line, kt.col,
                  "duplicate key '%.*s' (first at %u:%u): a Swift dictionary literal with "
                  "duplicate keys traps at run time",
                  (int)(kt.len > 40 ? 40 : kt.len), kt.s, pl, pc);
    if (st == SEK_ATTRS_ERR_TOO_MANY)
      return fail(ps, st, kt.line, kt.col, "more than %d entries in one dictionary",
                  SEK_ATTRS_MAX_ENTRIES);
    if (st == SEK_ATTRS_ERR_DEPTH)
      return fail(ps, st, kt.line, kt.col, "dictionaries nested more than %d levels",
                  SEK_ATTRS_MAX_DEPTH);
    if (st != SEK_OK)
      return fail(ps, st, kt.line, kt.col, "%s", sek_strerror(st));
    if (at_punct(ps, ','))
      next(ps);
    else if (ps->tok.kind == T_EOF)
      return fail(ps, SEK_ATTRS_ERR_PARSE, ps->tok.line, ps->tok.col,
                  "expected '%c' closing the dictionary opened at %u:%u, found the end of the "
                  "input",
                  close, open->line, open->col);
    else if (!at_punct(ps, close))
      return fail(ps, SEK_ATTRS_ERR_PARSE, ps->tok.line, ps->tok.col,
                  "expected ',' or '%c' after the value of '%.*s', found %s", close,
                  (int)(kt.len > 40 ? 40 : kt.len), kt.s, describe(&ps->tok, buf, sizeof buf));
  }
  next(ps);
  return ps->status;
}

static int parse_dict_common(parser *ps, sek_attrs **out, char close, bool swift) {
  token open = ps->tok;
  if (ps->expr_depth > SEK_ATTRS_MAX_DEPTH * 4)
    return fail(ps, SEK_ATTRS_ERR_DEPTH, open.line, open.col,
                "dictionaries nested more than %d levels", SEK_ATTRS_MAX_DEPTH);
  next(ps);
  sek_attrs *a = sek_attrs_new();
  if (a == NULL)
    return fail(ps, SEK_ERR_NOMEM, open.line, open.col, "out of memory");
  a->line = open.line;
  a->col = open.col;
  if (swift && at_punct(ps, ':')) { /* [:] */
    next(ps);
    if (!at_punct(ps, ']')) {
      sek_attrs_free(a);
      return expected(ps, "']' after '[:' (the empty dictionary is [:])");
    }
    next(ps);
  } else if (swift && at_punct(ps, ']')) {
    sek_attrs_free(a);
    return fail(ps, SEK_ATTRS_ERR_PARSE, open.line, open.col,
                "expected a dictionary: [] is an empty array, the empty dictionary is [:]");
  } else if (parse_entries(ps, a, close, &open) != SEK_OK) {
    sek_attrs_free(a);
    return ps->status;
  }
  if (a->height > SEK_ATTRS_MAX_DEPTH) {
    sek_attrs_free(a);
    return fail(ps, SEK_ATTRS_ERR_DEPTH, open.line, open.col,
                "dictionaries nested more than %d levels", SEK_ATTRS_MAX_DEPTH);
  }
  *out = a;
  return SEK_OK;
}

static int parse_swift_dict(parser *ps, sek_attrs **out) {
  return parse_dict_common(ps, out, ']', true);
}

static int parse_objc_dict(parser *ps, sek_attrs **out) {
  next(ps); /* '@'; parse_dict_common takes the '{' */
  return parse_dict_common(ps, out, '}', false);
}

/* ---- statements ---- */

static bool ends_statement(parser *ps) {
  return ps->tok.kind == T_EOF || at_punct(ps, ';') || at_punct(ps, '{') || at_punct(ps, '}') ||
         ps->tok.nl_before;
}

/*
 * Skips a statement the parser does not understand, up to the end of its line (outside
 * brackets), a ';', or a '{' / '}'.  A dictionary literal inside it is still read.
 */
static int skip_statement(parser *ps) {
  int depth = 0;
  bool first = true;
  while (ps->status == SEK_OK && ps->tok.kind != T_EOF) {
    if (!first && depth == 0 && ps->tok.nl_before)
      break;
    if (depth == 0 && (at_punct(ps, '{') || at_punct(ps, '}')))
      break;
    if (depth == 0 && at_punct(ps, ';')) {
      next(ps);
      break;
    }
    first = false;
    if ((at_punct(ps, '@') && peek_punct(ps, 1, '{')) ||
        (at_punct(ps, '[') && at_dict_start(ps) && !at_message(ps))) {
      token at = ps->tok;
      sek_value v;
      if (parse_value(ps, &v) != SEK_OK)
        return ps->status;
      (void)at;
      if (v.kind == SEK_VALUE_DICT) {
        set_last(ps, v.dict);
        v.dict = NULL;
        v.kind = SEK_VALUE_STRING;
      }
      attrs_value_clear(&v);
      continue;
    }
    if (at_punct(ps, '(') || at_punct(ps, '[') || at_punct(ps, '{'))
      depth++;
    else if ((at_punct(ps, ')') || at_punct(ps, ']') || at_punct(ps, '}')) && depth > 0)
      depth--;
    next(ps);
  }
  return ps->status;
}

/* Swift `: Type` after a binding name: skipped up to '=' or the end of the statement. */
static int skip_binding_type(parser *ps) {
  int depth = 0;
  while (ps->status == SEK_OK && ps->tok.kind != T_EOF) {
    if (depth == 0 &&
        (at_punct(ps, '=') || at_punct(ps, ';') || at_punct(ps, '{') || at_punct(ps, '}')))
      break;
    if (depth == 0 && ps->tok.nl_before)
      break;
    if (at_punct(ps, '[') || at_punct(ps, '(') || at_punct(ps, '<'))
      depth++;
    else if ((at_punct(ps, ']') || at_punct(ps, ')') || at_punct(ps, '>')) && depth > 0)
      depth--;
    next(ps);
  }
  return ps->status;
}

/* Does the value starting here belong to the strict grammar (else: skip it leniently)? */
static bool strict_value_start(parser *ps) {
  const token *t = &ps->tok;
  if (t->kind == T_STRING || t->kind == T_NUMBER || tok_punct(t, '-') || tok_punct(t, '<') ||
      tok_punct(t, '@'))
    return true;
  if (tok_punct(t, '['))
    return at_dict_start(ps) || at_message(ps);
  if (tok_punct(t, '('))
    return at_cast(ps);
  if (t->kind != T_IDENT)
    return false;
  if (is_constant_name(t->s, t->len) && !tok_prefix(t, "kSecAccessControl"))
    return true;
  static const char *const starts[] = {
      "true", "false",  "YES",      "NO",   "SecAccessControlCreateWithFlags",
      "Data", "NSData", "NSNumber", "Date", "String"};
  for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++)
    if (tok_ident(t, starts[i]))
      return true;
  binding *b = find_binding(ps, t->s, t->len);
  token n = peek(ps, 1);
  return b != NULL && !b->is_flags && (tok_punct(&n, ';') || n.nl_before || n.kind == T_EOF);
}

static bool flags_value_start(parser *ps) {
  const token *t = &ps->tok;
  if (tok_punct(t, '.'))
    return true;
  if (tok_punct(t, '[')) {
    token a = peek(ps, 1);
    return tok_punct(&a, '.') || tok_punct(&a, ']');
  }
  return tok_prefix(t, "kSecAccessControl") || tok_ident(t, "SecAccessControlCreateFlags");
}

/*
 * An empty mutable dictionary that later statements fill: [String: Any](), [CFString: Any](),
 * NSMutableDictionary(), [NSMutableDictionary dictionary], [[NSMutableDictionary alloc] init],
 * [NSMutableDictionary new], [NSMutableDictionary dictionaryWithCapacity:N].  Returns the number
 * of tokens before the end of it (0 when it is none); the caller skips them.
 */
static bool at_empty_dict_init(parser *ps) {
  if (at_punct(ps, '[')) {
    token a = peek(ps, 1), b = peek(ps, 2), c = peek(ps, 3), d = peek(ps, 4), e = peek(ps, 5);
    if (a.kind == T_IDENT && tok_punct(&b, ':') && c.kind == T_IDENT && tok_punct(&d, ']') &&
        tok_punct(&e, '('))
      return true;
    if (tok_ident(&a, "NSMutableDictionary") && !tok_punct(&b, ']'))
      return true;
    return tok_punct(&a, '[') && tok_ident(&b, "NSMutableDictionary");
  }
  return at_ident(ps, "NSMutableDictionary") || at_ident(ps, "NSDictionary");
}

static int skip_empty_dict_init(parser *ps) {
  if (at_ident(ps, "NSMutableDictionary") || at_ident(ps, "NSDictionary")) {
    next(ps);
    if (at_punct(ps, '.') && peek_ident(ps, 1, "init")) {
      next(ps);
      next(ps);
    }
    if (!at_punct(ps, '('))
      return expected(ps, "'(' after NSMutableDictionary");
    return skip_group(ps);
  }
  if (skip_group(ps) != SEK_OK) /* [...] */
    return ps->status;
  if (at_punct(ps, '(')) /* [String: Any]() */
    return skip_group(ps);
  return ps->status;
}

/* The right-hand side of `name = …`: bound when understood, else skipped (name unbound). */
static int parse_rhs(parser *ps, const token *name) {
  if (at_empty_dict_init(ps)) {
    token at = ps->tok;
    if (skip_empty_dict_init(ps) != SEK_OK)
      return ps->status;
    sek_value v = {.kind = SEK_VALUE_DICT, .line = at.line, .col = at.col};
    if ((v.dict = sek_attrs_new()) == NULL)
      return fail(ps, SEK_ERR_NOMEM, at.line, at.col, "out of memory");
    v.dict->line = at.line;
    v.dict->col = at.col;
    if (bind(ps, name, &v, false, 0, 0) != SEK_OK ||
        set_last_binding(ps, &ps->b[ps->num_b - 1], &at) != SEK_OK)
      return ps->status;
  } else if (flags_value_start(ps)) {
    flag_set f = {0};
    if (parse_flags(ps, &f) != SEK_OK) {
      flag_set_clear(&f);
      return ps->status;
    }
    int st = bind(ps, name, NULL, true, f.flags, f.deprecated);
    flag_set_clear(&f);
    if (st != SEK_OK)
      return st;
  } else if (strict_value_start(ps)) {
    token at = ps->tok;
    sek_value v;
    bool dictish = at_punct(ps, '[') || at_punct(ps, '@');
    lexpos save_lx = ps->lx;
    token save_tok = ps->tok;
    if (parse_value(ps, &v) != SEK_OK) {
      if (dictish || ps->status != SEK_ATTRS_ERR_PARSE)
        return ps->status;
      /* a non-dictionary initializer we do not fully understand: remember why, go on */
      if (ps->suppressed_status == SEK_OK && ps->err != NULL) {
        ps->suppressed = *ps->err;
        ps->suppressed_status = ps->status;
      } else if (ps->suppressed_status == SEK_OK) {
        ps->suppressed_status = ps->status;
      }
      ps->status = SEK_OK;
      ps->lx = save_lx;
      ps->tok = save_tok;
      unbind(ps, name->s, name->len);
      return skip_statement(ps);
    }
    bool is_dict = v.kind == SEK_VALUE_DICT;
    if (bind(ps, name, &v, false, 0, 0) != SEK_OK)
      return ps->status;
    if (is_dict && set_last_binding(ps, &ps->b[ps->num_b - 1], &at) != SEK_OK)
      return ps->status;
  } else {
    unbind(ps, name->s, name->len);
    return skip_statement(ps);
  }
  if (!ends_statement(ps) && !at_ident(ps, "else") && !at_punct(ps, ','))
    return expected(ps, "the end of the statement (a new line or ';')");
  if (at_punct(ps, ';'))
    next(ps);
  return ps->status;
}

/* Stores key = value into the dictionary bound to b (the current token starts the value). */
static int assign_entry(parser *ps, binding *b, char *raw, const token *kt) {
  sek_value v;
  if (parse_value(ps, &v) != SEK_OK) {
    free(raw);
    return ps->status;
  }
  v.key_line = kt->line;
  v.key_col = kt->col;
  size_t size = value_size(&v);
  int st = attrs_put(b->v.dict, raw, &v, false);
  free(raw);
  if (st != SEK_OK)
    return fail(ps, st, kt->line, kt->col, "cannot store the entry: %s", sek_strerror(st));
  b->size += size;
  return set_last_binding(ps, b, kt);
}

/* `name[key] = value` (Swift, and ObjC NSMutableDictionary subscripts), name bound to a dict. */
static int parse_subscript_assignment(parser *ps, binding *b) {
  next(ps); /* name */
  next(ps); /* [ */
  char *raw = NULL;
  token kt;
  if (parse_key(ps, &raw, &kt) != SEK_OK)
    return ps->status;
  if (!at_punct(ps, ']') || !peek_punct(ps, 1, '=')) {
    free(raw);
    return expected(ps, "'] =' after the subscript key");
  }
  next(ps);
  next(ps);
  if (assign_entry(ps, b, raw, &kt) != SEK_OK)
    return ps->status;
  if (at_punct(ps, ';'))
    next(ps);
  else if (!ends_statement(ps))
    return expected(ps, "the end of the statement");
  return ps->status;
}

/* `[name setObject:value forKey:key];` with name bound to a dictionary; else skipped. */
static int parse_message_statement(parser *ps) {
  token n = peek(ps, 1);
  binding *b = n.kind == T_IDENT ? find_binding(ps, n.s, n.len) : NULL;
  if (b == NULL || b->is_flags || b->v.kind != SEK_VALUE_DICT ||
      !(peek_ident(ps, 2, "setObject") || peek_ident(ps, 2, "setValue")))
    return skip_statement(ps);
  next(ps);
  next(ps);
  next(ps);
  if (expect_punct(ps, ':', "':' after setObject") != SEK_OK)
    return ps->status;
  sek_value v;
  if (parse_value(ps, &v) != SEK_OK)
    return ps->status;
  if (!at_ident(ps, "forKey")) {
    attrs_value_clear(&v);
    return expected(ps, "forKey:");
  }
  next(ps);
  if (expect_punct(ps, ':', "':' after forKey") != SEK_OK) {
    attrs_value_clear(&v);
    return ps->status;
  }
  char *raw = NULL;
  token kt;
  if (parse_key(ps, &raw, &kt) != SEK_OK) {
    attrs_value_clear(&v);
    return ps->status;
  }
  if (!at_punct(ps, ']')) {
    free(raw);
    attrs_value_clear(&v);
    return expected(ps, "']' closing the message");
  }
  next(ps);
  v.key_line = kt.line;
  v.key_col = kt.col;
  size_t size = value_size(&v);
  int st = attrs_put(b->v.dict, raw, &v, false);
  free(raw);
  if (st != SEK_OK)
    return fail(ps, st, kt.line, kt.col, "cannot store the entry: %s", sek_strerror(st));
  b->size += size;
  if (set_last_binding(ps, b, &kt) != SEK_OK)
    return ps->status;
  if (at_punct(ps, ';'))
    next(ps);
  return ps->status;
}

/* `let|var name [: Type] [= value]`, after guard/if too; current token is let/var. */
static int parse_binding(parser *ps) {
  next(ps);
  if (ps->tok.kind != T_IDENT)
    return skip_statement(ps);
  token name = ps->tok;
  next(ps);
  if (at_punct(ps, ':')) {
    next(ps);
    if (skip_binding_type(ps) != SEK_OK)
      return ps->status;
  }
  if (!at_punct(ps, '=')) {
    unbind(ps, name.s, name.len);
    if (at_punct(ps, ';'))
      next(ps);
    return ps->status;
  }
  next(ps);
  return parse_rhs(ps, &name);
}

/* Objective-C `Type *name = value;` (also `const`, generics, several '*'). */
static bool at_objc_decl(parser *ps, int *name_at) {
  int k = 0, last_ident = -1;
  token t = ps->tok;
  for (; k < 16; k++) {
    t = k == 0 ? ps->tok : peek(ps, k);
    if (t.kind == T_IDENT)
      last_ident = k;
    else if (!tok_punct(&t, '*') && !tok_punct(&t, '<') && !tok_punct(&t, '>') &&
             !tok_punct(&t, ','))
      break;
  }
  if (!tok_punct(&t, '=') || last_ident != k - 1 || k < 2)
    return false;
  *name_at = last_ident;
  return true;
}

static int parse_program(parser *ps) {
  next(ps);
  while (ps->status == SEK_OK && ps->tok.kind != T_EOF) {
    int name_at;
    binding *bound;
    if (at_punct(ps, ';') || at_punct(ps, '{') || at_punct(ps, '}')) {
      next(ps);
    } else if (at_ident(ps, "let") || at_ident(ps, "var")) {
      parse_binding(ps);
      while (ps->status == SEK_OK && at_punct(ps, ',')) { /* if let a = …, let b = … */
        next(ps);
        if (at_ident(ps, "let") || at_ident(ps, "var"))
          parse_binding(ps);
      }
      if (at_ident(ps, "else"))
        next(ps);
    } else if ((at_ident(ps, "guard") || at_ident(ps, "if")) &&
               (peek_ident(ps, 1, "let") || peek_ident(ps, 1, "var"))) {
      next(ps);
    } else if (at_ident(ps, "return") || at_ident(ps, "try")) {
      next(ps);
    } else if (at_punct(ps, '[') && at_message(ps)) {
      parse_message_statement(ps);
    } else if (at_punct(ps, '[') || at_punct(ps, '@')) {
      token at = ps->tok;
      sek_value v;
      if (parse_value(ps, &v) != SEK_OK)
        break;
      if (v.kind != SEK_VALUE_DICT) {
        attrs_value_clear(&v);
        fail(ps, SEK_ATTRS_ERR_PARSE, at.line, at.col,
             "expected a dictionary literal ('[' … ']' or '@{' … '}')");
        break;
      }
      set_last(ps, v.dict);
      if (!ends_statement(ps) && !at_punct(ps, ')') && !at_punct(ps, ','))
        expected(ps, "the end of the dictionary literal (a new line or ';')");
    } else if (ps->tok.kind == T_IDENT && peek_punct(ps, 1, '[') &&
               (bound = find_binding(ps, ps->tok.s, ps->tok.len)) != NULL && !bound->is_flags &&
               bound->v.kind == SEK_VALUE_DICT) {
      parse_subscript_assignment(ps, bound);
    } else if (ps->tok.kind == T_IDENT && at_objc_decl(ps, &name_at)) {
      for (int i = 0; i < name_at; i++)
        next(ps);
      token name = ps->tok;
      next(ps); /* name */
      next(ps); /* = */
      parse_rhs(ps, &name);
    } else {
      skip_statement(ps);
    }
  }
  return ps->status;
}

int sek_attrs_parse(const char *text, size_t len, sek_attrs **out, sek_attrs_parse_error *err) {
  if ((text == NULL && len > 0) || out == NULL)
    return SEK_ERR_ARG;
  if (err != NULL)
    memset(err, 0, sizeof *err);
  parser *ps = calloc(1, sizeof *ps);
  if (ps == NULL)
    return SEK_ERR_NOMEM;
  ps->err = err;
  ps->budget = VALUE_BUDGET;
  ps->lx.p = text != NULL ? text : "";
  ps->lx.end = ps->lx.p + len;
  ps->lx.line = 1;
  ps->lx.col = 1;
  int st;
  if (len > SEK_ATTRS_MAX_INPUT_LEN) {
    st = fail(ps, SEK_ATTRS_ERR_TOO_LONG, 1, 1, "input longer than %u bytes",
              (unsigned)SEK_ATTRS_MAX_INPUT_LEN);
  } else {
    st = parse_program(ps);
    if (st == SEK_OK && ps->last_name != NULL) {
      binding *b = find_binding(ps, ps->last_name, strlen(ps->last_name));
      unbind(ps, b->name, strlen(b->name)); /* moves its dictionary into ps->last */
    }
    if (st == SEK_OK && ps->last == NULL) {
      if (ps->suppressed_status != SEK_OK) {
        st = ps->suppressed_status;
        if (err != NULL)
          *err = ps->suppressed;
      } else {
        st = fail(ps, SEK_ATTRS_ERR_PARSE, ps->tok.line, ps->tok.col,
                  "expected a dictionary literal ('[' … ']' or '@{' … '}'), found %s",
                  len == 0 ? "an empty input" : "none");
      }
    }
  }
  if (st == SEK_OK) {
    *out = ps->last;
    ps->last = NULL;
  }
  sek_attrs_free(ps->last);
  free(ps->last_name);
  for (size_t i = 0; i < ps->num_b; i++) {
    free(ps->b[i].name);
    attrs_value_clear(&ps->b[i].v);
  }
  free(ps);
  return st;
}
