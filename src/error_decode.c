/*
 * error_decode.c: finding and reading errors in text as people paste it (design §4.2).
 * Contract in include/sek/error.h (sek_decode).
 *
 * One forward pass over the text.  Words and numbers are evidence — a domain, a code after a
 * code-ish keyword, a symbolic name (errSec…, kLAError…, .userCancel), an AKS / IOKit value, a
 * description value, an operation (SecKeyCreateSignature, "unable to sign digest"), an Apple
 * message text — and evidence that agrees and sits close together (within two lines and 600
 * bytes) forms one error record; evidence that contradicts the open record (another code, another
 * domain) starts the next.  Apple's NSError description form ("Error Domain=… Code=… "…"
 * UserInfo={…}") is read as a whole by a lenient parser that also takes the older
 * "UserInfo=0x… {…}" form, the old "NSUnderlyingError=0x… \"…\"" nesting, "(errKC… / errSec…)"
 * inserts, "<private>" redactions, JSON-escaped quotes and curly quotes, and stops at what it
 * cannot read, saying so.  Nothing is ever read twice except inside a bounded window (a
 * description value is rescanned for the evidence inside it once), so the work is linear.
 * Classification runs after the pass, when the text's context (simulator, .biometryCurrentSet,
 * a biometric change, a locked device) is known.
 */
#include <stdlib.h>
#include <string.h>

#include "error_internal.h"

#define MAX_GLOBAL_UNPARSED 32
#define GAP_LINES 2
#define GAP_BYTES 600

struct sek_decode_result {
  sek_decoded *items;
  sek_error **errs;
  sek_op *ops; /* the operation each record's text named (classification input) */
  size_t num, cap;
  /* the first error lives here: a paste usually holds one, and it saves three allocations */
  sek_decoded one_item;
  sek_error *one_err;
  sek_op one_op;
  sek_unparsed unparsed[MAX_GLOBAL_UNPARSED];
  size_t num_unparsed;
};

/* ---- character classes ----------------------------------------------------------------------- */

static bool is_alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static bool is_alnum(unsigned char c) { return is_alpha(c) || is_digit(c); }
static bool is_word(unsigned char c) { return is_alnum(c) || c == '_'; }
static int hexv(unsigned char c) {
  if (is_digit(c))
    return c - '0';
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
    return (c | 0x20) - 'a' + 10;
  return -1;
}
static bool is_space(unsigned char c) { return c == ' ' || c == '\t'; }
static bool is_eol(unsigned char c) { return c == '\n' || c == '\r'; }

static bool word_is(const char *w, size_t n, const char *lit) {
  return strlen(lit) == n && memcmp(w, lit, n) == 0;
}
static bool has_prefix(const char *w, size_t n, const char *lit) {
  size_t m = strlen(lit);
  return n >= m && memcmp(w, lit, m) == 0;
}
static bool has_suffix(const char *w, size_t n, const char *lit) {
  size_t m = strlen(lit);
  return n >= m && memcmp(w + n - m, lit, m) == 0;
}
static bool ieq(const char *w, size_t n, const char *lit) {
  if (strlen(lit) != n)
    return false;
  for (size_t i = 0; i < n; i++)
    if ((w[i] | 0x20) != (lit[i] | 0x20))
      return false;
  return true;
}
static bool contains_lit(const char *s, size_t n, const char *lit) {
  size_t m = strlen(lit);
  for (const char *p = s, *end = s + n; (size_t)(end - p) >= m;) {
    p = memchr(p, lit[0], (size_t)(end - p) - m + 1);
    if (p == NULL)
      return false;
    if (memcmp(p, lit, m) == 0)
      return true;
    p++;
  }
  return false;
}

/* Reads -?[0-9]+ at p (at most 19 digits) into *out; returns the end or p when there is none. */
static size_t read_int(const char *t, size_t n, size_t p, long long *out) {
  size_t i = p;
  bool neg = false;
  if (i < n && t[i] == '-') {
    neg = true;
    i++;
  }
  size_t ds = i;
  unsigned long long v = 0;
  while (i < n && is_digit((unsigned char)t[i]) && i - ds < 19) {
    v = v * 10 + (unsigned)(t[i] - '0');
    i++;
  }
  if (i == ds || (i < n && is_digit((unsigned char)t[i])))
    return p; /* no digits, or too many for a code */
  *out = neg ? -(long long)v : (long long)v;
  return i;
}

/* 0x followed by 1..16 hex digits; *out the value. */
static size_t read_hex(const char *t, size_t n, size_t p, unsigned long long *out) {
  if (p + 2 >= n || t[p] != '0' || (t[p + 1] | 0x20) != 'x')
    return p;
  size_t i = p + 2;
  unsigned long long v = 0;
  while (i < n && hexv((unsigned char)t[i]) >= 0 && i - p - 2 < 16)
    v = v << 4 | (unsigned)hexv((unsigned char)t[i++]);
  if (i == p + 2 || (i < n && is_word((unsigned char)t[i])))
    return p;
  *out = v;
  return i;
}

/* An AKS / IOKit value: the iokit system (0x38) in the top six bits of the 32-bit pattern. */
static bool iokit_value(long long v) {
  if (v < -2147483648LL || v > 4294967295LL)
    return false;
  uint32_t u = (uint32_t)(v < 0 ? (uint32_t)(int32_t)v : (uint32_t)v);
  return (u >> 26) == 0x38 && u != 0xe0000000u;
}
static long long signed32(long long v) {
  uint32_t u = (uint32_t)(v < 0 ? (uint32_t)(int32_t)v : (uint32_t)v);
  return (long long)(int32_t)u;
}

/* ---- notes ----------------------------------------------------------------------------------- */

typedef struct {
  sek_unparsed *v;
  size_t *num, cap;
} notes;

static void note(notes *ns, size_t off, size_t len, const char *reason) {
  if (ns == NULL || *ns->num >= ns->cap)
    return;
  for (size_t i = 0; i < *ns->num; i++)
    if (ns->v[i].offset == off && ns->v[i].reason == reason)
      return;
  ns->v[(*ns->num)++] = (sek_unparsed){off, len, reason};
}

static const char R_PRIVATE[] = "redacted by the logging system (<private>)";
static const char R_TRUNCATED[] = "the text ends inside the error";
static const char R_USERINFO[] = "user-info text that could not be read";
static const char R_NO_CODE[] = "an error description without a readable code";
static const char R_DEPTH[] = "nested deeper than SEK_ERROR_MAX_DEPTH: kept as text";
static const char R_ENTRIES[] = "more user-info entries than SEK_ERROR_MAX_ENTRIES";
static const char R_DESC[] = "the description's closing quote is missing";
static const char R_DESC_CUT[] = "description text after a quote that would end it when printed";
static const char R_KEY[] = "a user-info key the model cannot hold";
static const char R_VALUE[] = "a user-info value with unbalanced braces or an embedded KEY=";

/* ---- the lenient NSError description parser -------------------------------------------------- */

typedef struct {
  const char *t;
  size_t n;
  notes *ns;
  bool legacy; /* saw the old UserInfo=0x… {…} form */
  int nomem;
} lenient;

/* A quote at p: '"', '\"' (inside JSON strings), or a curly quote; *ql gets its length. */
static bool open_quote_at(const lenient *L, size_t p, size_t *ql, int *kind) {
  const char *t = L->t;
  if (p < L->n && t[p] == '"') {
    *ql = 1;
    *kind = 0;
    return true;
  }
  if (p + 1 < L->n && t[p] == '\\' && t[p + 1] == '"') {
    *ql = 2;
    *kind = 1;
    return true;
  }
  if (p + 2 < L->n && (unsigned char)t[p] == 0xe2 && (unsigned char)t[p + 1] == 0x80 &&
      (unsigned char)t[p + 2] == 0x9c) {
    *ql = 3;
    *kind = 2;
    return true;
  }
  return false;
}

static bool close_quote_at(const lenient *L, size_t p, int kind, size_t *ql) {
  const char *t = L->t;
  switch (kind) {
  case 0: *ql = 1; return t[p] == '"' && (p == 0 || t[p - 1] != '\\');
  case 1: *ql = 2; return p + 1 < L->n && t[p] == '\\' && t[p + 1] == '"';
  default:
    *ql = 3;
    return p + 2 < L->n && (unsigned char)t[p] == 0xe2 && (unsigned char)t[p + 1] == 0x80 &&
           (unsigned char)t[p + 2] == 0x9d;
  }
}

/* What may follow a description's closing quote. */
static bool desc_follow_ok(const lenient *L, size_t p) {
  if (p >= L->n)
    return true;
  char c = L->t[p];
  if (c == ' ' || c == '}' || c == ')' || c == ',' || c == ';' || c == '.' || c == ']' ||
      is_eol((unsigned char)c) || c == '\\' || c == '"' || c == '\'' || c == '\t')
    return true;
  return false;
}

static void mark_private(lenient *L, const char *s, size_t n, size_t off) {
  if (n >= 9 && memchr(s, '<', n) != NULL && contains_lit(s, n, "<private>"))
    note(L->ns, off, n, R_PRIVATE);
}

static int parse_entries(lenient *L, size_t *pos, sek_error *e, unsigned depth, int qkind);

/* "Error Domain=" at *pos.  Fills *out (possibly with an unknown domain or code); returns false
 * when not even a domain or a code could be read.  *pos ends after what was consumed. */
static bool parse_lenient(lenient *L, size_t *pos, unsigned depth, sek_error **out,
                          bool *code_read) {
  const char *t = L->t;
  size_t n = L->n, p = *pos + 13; /* "Error Domain=" */
  size_t ds = p;
  static const unsigned char domain_end[256] = {
      [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [','] = 1, ['}'] = 1, ['"'] = 1, [')'] = 1};
  while (p < n && !domain_end[(unsigned char)t[p]])
    p++;
  size_t de = p;
  const char *dom = t + ds;
  size_t dom_len = de - ds;
  if (dom_len == 9 && memcmp(dom, "<private>", 9) == 0) {
    note(L->ns, ds, 9, R_PRIVATE);
    dom_len = 0;
  }
  const char *canon = sek_error_domain_canonical(dom, dom_len);
  long long code = 0;
  bool have_code = false;
  size_t q = p;
  while (q < n && is_space((unsigned char)t[q]))
    q++;
  if (n - q >= 5 && memcmp(t + q, "Code=", 5) == 0) {
    q += 5;
    size_t e2 = read_int(t, n, q, &code);
    if (e2 != q) {
      have_code = true;
      p = e2;
    } else {
      if (n - q >= 9 && memcmp(t + q, "<private>", 9) == 0) {
        note(L->ns, q, 9, R_PRIVATE);
        q += 9;
      }
      p = q;
    }
  }
  if (dom_len == 0 && !have_code) {
    *pos = p;
    return false;
  }
  sek_error *e = canon ? sek_error_new(canon, (long)code, NULL)
                       : sek_error_new_n(dom, dom_len, (long)code, NULL, 0);
  if (e == NULL) {
    L->nomem = 1;
    *pos = p;
    return false;
  }
  *code_read = have_code;
  /* the quoted description */
  q = p;
  while (q < n && is_space((unsigned char)t[q]))
    q++;
  size_t ql;
  int kind = 0; /* the quoting of the user info too: plain when there is no description */
  if (q > p && open_quote_at(L, q, &ql, &kind)) {
    size_t s = q + ql, k = s, cl = 0;
    bool closed = false;
    /* only these bytes can end the line or start a closing quote */
    static const unsigned char stop[256] = {
        ['\n'] = 1, ['\r'] = 1, ['"'] = 1, ['\\'] = 1, [0xe2] = 1};
    for (; k < n; k++) {
      unsigned char c = (unsigned char)t[k];
      if (!stop[c])
        continue;
      if (is_eol(c))
        break;
      if (close_quote_at(L, k, kind, &cl) && desc_follow_ok(L, k + cl)) {
        closed = true;
        break;
      }
    }
    if (!closed)
      note(L->ns, q, k - q, R_DESC);
    if (!(k - s == 6 && memcmp(t + s, "(null)", 6) == 0)) {
      size_t ok = sek_error_description_ok_len(t + s, k - s);
      if (ok < k - s)
        note(L->ns, s + ok, k - s - ok, R_DESC_CUT);
      if (sek_error_set_description_n(e, t + s, ok) != SEK_OK)
        L->nomem = 1;
      mark_private(L, t + s, k - s, s);
    }
    p = closed ? k + cl : k;
  } else if (n - q >= 9 && memcmp(t + q, "<private>", 9) == 0) {
    note(L->ns, q, 9, R_PRIVATE);
    p = q + 9;
  }
  /* the "(errKC… / errSec…: …)" explanation some versions insert */
  q = p;
  while (q < n && is_space((unsigned char)t[q]))
    q++;
  if (q < n && t[q] == '(' && q > p) {
    size_t k = q, d = 0;
    for (; k < n && !is_eol((unsigned char)t[k]); k++) {
      if (t[k] == '(')
        d++;
      else if (t[k] == ')' && --d == 0)
        break;
    }
    if (k < n && t[k] == ')')
      p = k + 1;
  }
  /* UserInfo */
  q = p;
  while (q < n && is_space((unsigned char)t[q]))
    q++;
  if (q > p && n - q >= 9 && memcmp(t + q, "UserInfo=", 9) == 0) {
    q += 9;
    if (n - q >= 9 && memcmp(t + q, "<private>", 9) == 0) {
      note(L->ns, q, 9, R_PRIVATE);
      p = q + 9;
    } else {
      unsigned long long addr;
      size_t a = read_hex(t, n, q, &addr);
      if (a != q && a < n && t[a] == ' ') {
        L->legacy = true;
        q = a + 1;
      }
      if (q < n && t[q] == '{') {
        q++;
        parse_entries(L, &q, e, depth, kind);
        p = q;
      }
    }
  }
  *out = e;
  *pos = p;
  return true;
}

/* "(DOMAIN error CODE" inside a localized description: the old nested form's only content. */
static sek_error *from_localized(const char *s, size_t n) {
  for (size_t i = 0; i + 7 < n; i++) {
    if (s[i] != ' ' || memcmp(s + i, " error ", 7) != 0)
      continue;
    size_t b = i;
    while (b > 0 && s[b - 1] != '(' && !is_space((unsigned char)s[b - 1]))
      b--;
    long long code;
    size_t e = read_int(s, n, i + 7, &code);
    if (b == i || e == i + 7)
      continue;
    const char *canon = sek_error_domain_canonical(s + b, i - b);
    sek_error *err = canon ? sek_error_new(canon, (long)code, NULL)
                           : sek_error_new_n(s + b, i - b, (long)code, NULL, 0);
    if (err != NULL &&
        sek_error_set_description_n(err, s, sek_error_description_ok_len(s, n)) != SEK_OK) {
      sek_error_free(err);
      return NULL;
    }
    return err;
  }
  return NULL;
}

static bool key_start_at(const lenient *L, size_t p) {
  return sek_error_key_starts_at(L->t, L->n, p);
}

/* Adds a value unless the key is already there (the first one wins, as text order reads). */
static void put_string(lenient *L, sek_error *e, const char *k, size_t kl, const char *v, size_t vl,
                       size_t off, bool checked) {
  if (sek_error_has_key_n(e, k, kl))
    return;
  mark_private(L, v, vl, off);
  if (!checked && !sek_error_value_ok(v, vl)) {
    note(L->ns, off, vl, R_VALUE); /* it would not print back as one value */
    return;
  }
  long long num;
  int st = sek_error_canonical_int(v, vl, -9223372036854775807LL - 1, 9223372036854775807LL, &num)
               ? sek_error_add_number_n(e, k, kl, num)
               : sek_error_add_string_n(e, k, kl, v, vl);
  if (st == SEK_ERR_NOMEM)
    L->nomem = 1;
  else if (st == SEK_ERR_LIMIT)
    note(L->ns, off, vl, R_ENTRIES);
  else if (st != SEK_OK)
    note(L->ns, off, vl, R_KEY);
}

/*
 * The entries of a UserInfo dictionary, *pos just after its '{'.  Stops after the closing '}',
 * or where the text stops making sense (noted).  A raw value ends at a '}' at brace depth 0,
 * at ", KEY=" at depth 0, or at a line end at depth 0 (the modern form is one line).
 */
static int parse_entries(lenient *L, size_t *pos, sek_error *e, unsigned depth, int qkind) {
  const char *t = L->t;
  size_t n = L->n, p = *pos;
  for (;;) {
    while (p < n && (is_space((unsigned char)t[p]) || is_eol((unsigned char)t[p])))
      p++;
    if (p >= n) {
      note(L->ns, *pos, p - *pos, R_TRUNCATED);
      break;
    }
    if (t[p] == '}') {
      p++;
      break;
    }
    size_t ks = p;
    while (p < n && sek_error_key_char_ok((unsigned char)t[p]))
      p++;
    size_t ke = p;
    while (ke > ks && t[ke - 1] == ' ') /* the legacy "key = value" form */
      ke--;
    if (ke == ks || p >= n || t[p] != '=') {
      note(L->ns, ks, (p < n ? p + 1 : n) - ks, R_USERINFO);
      break;
    }
    p++;
    while (p < n && is_space((unsigned char)t[p]))
      p++;
    size_t vs = p;
    unsigned long long addr;
    size_t a = read_hex(t, n, p, &addr);
    bool nested_new = a != p && n - a >= 15 && memcmp(t + a, " {Error Domain=", 15) == 0;
    bool nested_bare = n - p >= 13 && memcmp(t + p, "Error Domain=", 13) == 0;
    size_t ql;
    int kind;
    if ((nested_new || nested_bare) && depth + 1 >= SEK_ERROR_MAX_DEPTH)
      note(L->ns, vs, 1, R_DEPTH);
    if ((nested_new || nested_bare) && depth + 1 < SEK_ERROR_MAX_DEPTH) {
      size_t q = nested_new ? a + 2 : p;
      sek_error *inner = NULL;
      bool cr = false;
      if (parse_lenient(L, &q, depth + 1, &inner, &cr)) {
        if (nested_new && sek_error_set_address(inner, t + p + 2, a - p - 2) != SEK_OK) {
          /* more than 16 digits cannot reach here (read_hex stops); keep the synthetic one */
        }
        if (nested_new) {
          while (q < n && is_space((unsigned char)t[q]))
            q++;
          if (q < n && t[q] == '}')
            q++;
        }
        if (!sek_error_has_key_n(e, t + ks, ke - ks)) {
          int st = sek_error_add_error_n(e, t + ks, ke - ks, inner);
          if (st == SEK_ERR_NOMEM)
            L->nomem = 1;
          else if (st != SEK_OK)
            note(L->ns, vs, q - vs, st == SEK_ERR_LIMIT ? R_ENTRIES : R_KEY);
        } else {
          sek_error_free(inner);
        }
      }
      p = q;
    } else if (a != p && a < n && t[a] == ' ' && open_quote_at(L, a + 1, &ql, &kind)) {
      /* the old form: NSUnderlyingError=0x17e4ab10 "localized description" */
      size_t s = a + 1 + ql, k = s, cl = 0;
      while (k < n && !is_eol((unsigned char)t[k]) && !close_quote_at(L, k, kind, &cl))
        k++;
      sek_error *inner = from_localized(t + s, k - s);
      if (inner != NULL && !sek_error_has_key_n(e, t + ks, ke - ks)) {
        int st = sek_error_add_error_n(e, t + ks, ke - ks, inner);
        if (st == SEK_ERR_NOMEM)
          L->nomem = 1;
      } else {
        sek_error_free(inner);
        put_string(L, e, t + ks, ke - ks, t + s, k - s, s, false);
      }
      p = k < n && !is_eol((unsigned char)t[k]) ? k + cl : k;
    } else {
      /* the bytes that can end or nest a raw value; everything else is skipped in a tight loop */
      static const unsigned char stop[256] = {
          [0] = 1, ['{'] = 1, ['}'] = 1, [','] = 1, ['\n'] = 1, ['\r'] = 1, [';'] = 1, ['\\'] = 1,
      };
      size_t d = 0, k = p;
      bool structural = false, nul = false;
      for (; k < n; k++) {
        char c = t[k];
        if (!stop[(unsigned char)c])
          continue;
        if (c == '{') {
          d++;
        } else if (c == '}') {
          if (d == 0) {
            structural = true;
            break;
          }
          d--;
        } else if (d == 0 && c == ',' && k + 1 < n && t[k + 1] == ' ' && key_start_at(L, k + 2)) {
          structural = true;
          break;
        } else if (d == 0 && (is_eol((unsigned char)c) ||
                              (c == ';' && k + 1 < n && is_eol((unsigned char)t[k + 1])))) {
          break;
        } else if (qkind == 1 && c == '\\' && k + 1 < n && t[k + 1] == '"' && d == 0) {
          break; /* the end of the JSON string that holds this description */
        } else if (c == '\0') {
          nul = true;
        }
      }
      size_t ve = k;
      while (ve > vs && is_space((unsigned char)t[ve - 1]))
        ve--;
      /* ended where the strict parser would end it, balanced: it reads back without a check */
      bool clean = structural && !nul && !nested_new;
      if (ve > vs + 1 && t[vs] == '"' && t[ve - 1] == '"') /* legacy plist quoting */
        put_string(L, e, t + ks, ke - ks, t + vs + 1, ve - vs - 2, vs + 1, false);
      else
        put_string(L, e, t + ks, ke - ks, t + vs, ve - vs, vs, clean);
      p = k;
    }
    while (p < n && is_space((unsigned char)t[p]))
      p++;
    if (p < n && (t[p] == ',' || t[p] == ';')) {
      p++;
      continue;
    }
    if (p < n && t[p] == '}') {
      p++;
      break;
    }
    if (p < n && is_eol((unsigned char)t[p])) {
      /* the multi-line legacy form continues only with another KEY= or the closing brace */
      size_t q = p;
      while (q < n && (is_space((unsigned char)t[q]) || is_eol((unsigned char)t[q])))
        q++;
      if (q < n && (t[q] == '}' || key_start_at(L, q))) {
        p = q;
        continue;
      }
      note(L->ns, *pos, p - *pos, R_TRUNCATED);
      break;
    }
    if (p >= n) {
      note(L->ns, *pos, n - *pos, R_TRUNCATED);
      break;
    }
    if (qkind == 1 && t[p] == '\\')
      break;
    note(L->ns, p, 1, R_USERINFO);
    break;
  }
  *pos = p;
  return SEK_OK;
}

/* ---- records --------------------------------------------------------------------------------- */

typedef struct {
  bool open;
  size_t start, end, last_line;
  const char *canon; /* canonical domain from the text or implied by a name */
  bool domain_read;
  bool domain_keyed;    /* the domain was the value of a domain: key (JSON, debug print) */
  const char *dom_text; /* a domain the tables do not know, as written */
  size_t dom_len;
  bool has_code, code_read;
  long long code;
  const char *desc;
  size_t desc_len;
  sek_error *built; /* an NSError description read whole */
  sek_error *ui;    /* entries of a loose UserInfo={…} */
  bool has_aks;
  long long aks;
  const char *form;
  sek_op op;
  unsigned bonus;
  sek_unparsed notes[SEK_DECODE_MAX_UNPARSED];
  size_t num_notes;
} record;

typedef struct {
  const char *t;
  size_t n, line;
  record rec;
  sek_error_context ctx;
  sek_op last_op;
  size_t last_op_line;
  size_t kw_end; /* just after the last code keyword; (size_t)-1 when none */
  size_t bio_pos, change_pos;
  sek_decode_result *res;
  int nomem;
} scanner;

static notes rec_notes(record *r) {
  return (notes){r->notes, &r->num_notes, SEK_DECODE_MAX_UNPARSED};
}

static void global_note(scanner *s, size_t off, size_t len, const char *reason) {
  notes ns = {s->res->unparsed, &s->res->num_unparsed, MAX_GLOBAL_UNPARSED};
  note(&ns, off, len, reason);
}

static void rec_reset(record *r) {
  sek_error_free(r->built);
  sek_error_free(r->ui);
  memset(r, 0, sizeof *r);
}

/* One of the result's arrays grown from cap to new_cap elements, or NULL (arr unchanged); the
 * first element may live in the result itself (inline), in which case it is copied out. */
static void *grow(void *arr, const void *inline_elem, size_t elem, size_t cap, size_t new_cap) {
  bool is_inline = arr == inline_elem;
  void *p = realloc(is_inline ? NULL : arr, new_cap * elem);
  if (p != NULL && is_inline)
    memcpy(p, inline_elem, cap * elem);
  return p;
}

/* A new slot at the end of the result for error e (owned by the result from then on), or NULL
 * when memory runs out (e not taken). */
static sek_decoded *push_slot(scanner *s, sek_error *e, sek_op op) {
  sek_decode_result *res = s->res;
  if (res->cap == 0) {
    res->items = &res->one_item;
    res->errs = &res->one_err;
    res->ops = &res->one_op;
    res->cap = 1;
  }
  if (res->num == res->cap) {
    size_t cap = res->cap * 4;
    /* each array keeps a valid pointer whichever step fails; cap grows only when all did */
    sek_decoded *items = grow(res->items, &res->one_item, sizeof *items, res->cap, cap);
    if (items == NULL)
      return NULL;
    res->items = items;
    sek_error **errs = grow(res->errs, &res->one_err, sizeof *errs, res->cap, cap);
    if (errs == NULL)
      return NULL;
    res->errs = errs;
    sek_op *ops = grow(res->ops, &res->one_op, sizeof *ops, res->cap, cap);
    if (ops == NULL)
      return NULL;
    res->ops = ops;
    res->cap = cap;
  }
  res->errs[res->num] = e;
  res->ops[res->num] = op;
  return &res->items[res->num++];
}

/* The key kind and id of "<sepk:p256 kid=1214c04d05261ee3>" in s, when present. */
static void key_from(const char *s, sek_decoded *d) {
  if (s == NULL || d->key_id[0] != '\0')
    return;
  const char *k = strstr(s, "sepk:");
  if (k != NULL && d->key_kind[0] == '\0') {
    size_t j = 0;
    for (k += 5; *k != '\0' && *k != ' ' && *k != '>' && j + 1 < sizeof d->key_kind; k++)
      d->key_kind[j++] = *k;
    d->key_kind[j] = '\0';
  }
  for (const char *q = strstr(s, "kid="); q != NULL; q = strstr(q + 4, "kid=")) {
    if (q != s && is_word((unsigned char)q[-1]))
      continue;
    size_t j = 0;
    for (q += 4; hexv((unsigned char)*q) >= 0 && j + 1 < sizeof d->key_id; q++)
      d->key_id[j++] = *q;
    d->key_id[j] = '\0';
    return;
  }
}

static void key_of_chain(const sek_error *e, sek_decoded *d) {
  for (unsigned k = 0; e != NULL && k < SEK_ERROR_MAX_DEPTH; k++, e = sek_error_underlying(e)) {
    key_from(sek_error_user_string(e, SEK_KEY_DEBUG_DESCRIPTION), d);
    key_from(sek_error_description(e), d);
  }
}

static bool aks_of_chain(const sek_error *e, sek_aks_info *out) {
  for (unsigned k = 0; e != NULL && k < SEK_ERROR_MAX_DEPTH; k++, e = sek_error_underlying(e)) {
    long long v;
    if (sek_error_user_number(e, SEK_KEY_AKS_ERROR, &v) == SEK_OK && sek_aks_split(v, out) == 0)
      return true;
    if (strcmp(sek_error_domain(e), SEK_DOMAIN_MACH) == 0 && iokit_value(sek_error_code(e)) &&
        sek_aks_split(sek_error_code(e), out) == 0)
      return true;
  }
  return false;
}

static unsigned chain_len(const sek_error *e) {
  unsigned k = 0;
  for (; e != NULL && k < SEK_ERROR_MAX_DEPTH; k++)
    e = sek_error_underlying(e);
  return k;
}

/* Moves the entries of src (a loose UserInfo) into dst where dst lacks them. */
static int merge_entries(sek_error *dst, const sek_error *src) {
  for (size_t i = 0; i < sek_error_user_count(src); i++) {
    const char *k;
    sek_error_value_kind kind;
    sek_error_user_entry(src, i, &k, &kind);
    if (sek_error_has_key_n(dst, k, strlen(k)))
      continue;
    int st = SEK_OK;
    long long v;
    if (kind == SEK_ERROR_VALUE_STRING)
      st = sek_error_add_string(dst, k, sek_error_user_string(src, k));
    else if (kind == SEK_ERROR_VALUE_NUMBER && sek_error_user_number(src, k, &v) == SEK_OK)
      st = sek_error_add_number(dst, k, v);
    else if (kind == SEK_ERROR_VALUE_ERROR) {
      sek_error *c = sek_error_copy(sek_error_user_error(src, k));
      st = c ? sek_error_add_error(dst, k, c) : SEK_ERR_NOMEM;
    }
    if (st == SEK_ERR_NOMEM)
      return st;
  }
  return SEK_OK;
}

/* A code the OSStatus table knows and no small-code domain (TK, LA) shares: -4 and <= -25. */
static bool os_known(long long code) {
  return (code <= -25 || code == -4) &&
         sek_error_code_lookup(SEK_DOMAIN_OSSTATUS, code)->name[0] != '\0';
}

static void rec_finish(scanner *s) {
  record *r = &s->rec;
  if (!r->open)
    return;
  sek_error *e = r->built;
  r->built = NULL;
  bool domain_read = r->domain_read, code_read = r->code_read;
  if (e == NULL) {
    if (!r->has_code && !r->has_aks && !r->domain_keyed) {
      rec_reset(r); /* a description, an operation or a domain word alone is not an error */
      return;
    }
    const char *dom = r->canon;
    size_t dom_len = dom ? strlen(dom) : 0;
    long long code = r->code;
    if (dom == NULL && r->dom_text != NULL) {
      dom = r->dom_text;
      dom_len = r->dom_len;
    }
    if (dom == NULL && r->has_code && os_known(r->code)) {
      dom = SEK_DOMAIN_OSSTATUS; /* a bare code Security knows: an OSStatus */
      dom_len = strlen(dom);
    }
    if (!r->has_code && r->has_aks && dom == NULL) {
      dom = SEK_DOMAIN_MACH; /* a bare AKS / IOKit value: kSecKernDomain [SEC:CFError] */
      dom_len = strlen(dom);
      code = signed32(r->aks);
      code_read = true;
    }
    if (dom == NULL) {
      dom = "";
      dom_len = 0;
    }
    const char *desc = r->desc;
    size_t dl = desc ? sek_error_description_ok_len(desc, r->desc_len) : 0;
    e = sek_error_new_n(dom, dom_len, (long)code, desc, dl);
    if (e == NULL) {
      s->nomem = 1;
      rec_reset(r);
      return;
    }
  } else if (!r->domain_read && r->canon != NULL) {
    domain_read = true;
  }
  if (sek_error_domain(e)[0] == '\0' && code_read && os_known(sek_error_code(e)) &&
      sek_error_set_domain_n(e, SEK_DOMAIN_OSSTATUS, strlen(SEK_DOMAIN_OSSTATUS)) != SEK_OK)
    s->nomem = 1; /* a redacted domain with a code only Security uses: an OSStatus */
  if (r->ui != NULL && merge_entries(e, r->ui) != SEK_OK)
    s->nomem = 1;
  if (r->has_aks && !sek_error_has_key_n(e, SEK_KEY_AKS_ERROR, 8) &&
      strcmp(sek_error_domain(e), SEK_DOMAIN_MACH) != 0 &&
      sek_error_add_number(e, SEK_KEY_AKS_ERROR, signed32(r->aks)) == SEK_ERR_NOMEM)
    s->nomem = 1;
  sek_op op = r->op;
  /* the same error printed twice in a row (Swift dump, log and its echo) is one error */
  sek_decode_result *res = s->res;
  if (res->num > 0 && sek_error_equal(res->errs[res->num - 1], e)) {
    sek_decoded *prev = &res->items[res->num - 1];
    prev->length = r->end - prev->offset;
    sek_error_free(e);
    rec_reset(r);
    return;
  }
  sek_decoded *d = push_slot(s, e, op);
  if (d == NULL) {
    sek_error_free(e);
    s->nomem = 1;
    rec_reset(r);
    return;
  }
  /* filled field by field: the struct is large and most of it (causes) is written later */
  d->error = e;
  d->offset = r->start;
  d->length = r->end - r->start;
  d->form = r->form ? r->form : "code";
  d->domain_read = domain_read;
  d->code_read = code_read;
  d->key_kind[0] = d->key_id[0] = d->operation[0] = '\0';
  d->has_aks = aks_of_chain(e, &d->aks);
  if (!d->has_aks)
    memset(&d->aks, 0, sizeof d->aks);
  key_of_chain(e, d);
  d->num_causes = 0;
  d->num_unparsed = r->num_notes;
  memcpy(d->unparsed, r->notes, r->num_notes * sizeof r->notes[0]);
  d->score = r->bonus + (domain_read ? 20 : 0) + (code_read ? 20 : 0) + (d->has_aks ? 15 : 0) +
             10 * chain_len(e) + (sek_error_description(e) ? 5 : 0) + (d->key_id[0] ? 5 : 0);
  rec_reset(r);
}

/* Opens a record for evidence at [pos, end) unless the open one can take it. */
static record *rec_for(scanner *s, size_t pos, bool compatible) {
  record *r = &s->rec;
  if (r->open && (!compatible || s->line > r->last_line + GAP_LINES || pos > r->end + GAP_BYTES))
    rec_finish(s);
  if (!r->open) {
    r->open = true;
    r->start = pos;
    r->end = pos;
    r->last_line = s->line;
    if (s->last_op != SEK_OP_UNKNOWN && s->line <= s->last_op_line + GAP_LINES) {
      r->op = s->last_op;
      s->last_op = SEK_OP_UNKNOWN; /* one error takes it */
    }
  }
  return r;
}

static void rec_touch(scanner *s, size_t end) {
  if (end > s->rec.end)
    s->rec.end = end;
  s->rec.last_line = s->line;
}

static bool domain_ok(const record *r, const char *canon) {
  return r->canon == NULL || canon == NULL || strcmp(r->canon, canon) == 0;
}

static void ev_domain(scanner *s, const char *canon, const char *text, size_t len, size_t pos,
                      size_t end, bool keyed) {
  record *r = &s->rec;
  bool compat;
  if (canon != NULL)
    compat = r->open && domain_ok(r, canon) && r->dom_text == NULL;
  else
    compat = r->open && r->canon == NULL &&
             (r->dom_text == NULL || (r->dom_len == len && memcmp(r->dom_text, text, len) == 0));
  r = rec_for(s, pos, compat);
  if (canon != NULL) {
    r->canon = canon;
    r->domain_read = true;
  } else if (r->dom_text == NULL) {
    r->dom_text = text;
    r->dom_len = len;
    r->domain_read = true;
  }
  if (keyed)
    r->domain_keyed = true;
  rec_touch(s, end);
}

static void ev_code(scanner *s, long long code, size_t pos, size_t end, bool strong) {
  record *r = &s->rec;
  bool compat = r->open && (!r->has_code || r->code == code);
  if (!strong && !compat) {
    /* a number without a keyword starts an error only when Security knows it as one */
    bool known = (code <= -25 && sek_error_code_lookup(SEK_DOMAIN_OSSTATUS, code)->name[0]) ||
                 code == -1004 || code == -1009;
    if (!known || (r->open && r->has_code && s->line == r->last_line))
      return;
  }
  r = rec_for(s, pos, compat);
  if (!r->has_code) {
    r->has_code = true;
    r->code = code;
    r->code_read = true;
  }
  if (r->form == NULL)
    r->form = "code";
  rec_touch(s, end);
}

static void ev_name(scanner *s, const sek_error_code_info *c, size_t pos, size_t end) {
  record *r = &s->rec;
  const char *canon = c->domain;
  bool compat = r->open && domain_ok(r, canon) && (!r->has_code || r->code == c->code);
  r = rec_for(s, pos, compat);
  if (r->canon == NULL && r->dom_text == NULL)
    r->canon = canon;
  if (!r->has_code) {
    r->has_code = true;
    r->code = c->code;
  }
  if (r->form == NULL)
    r->form = "name";
  rec_touch(s, end);
}

static void ev_message(scanner *s, const sek_error_message_info *m, size_t pos, size_t end) {
  record *r = &s->rec;
  bool compat = r->open && domain_ok(r, m->domain) && (!r->has_code || r->code == m->code);
  if (r->open && !compat && s->line <= r->last_line + GAP_LINES)
    return; /* a message beside another error: part of its text, not a new error */
  r = rec_for(s, pos, compat);
  if (r->canon == NULL && r->dom_text == NULL)
    r->canon = m->domain;
  if (!r->has_code) {
    r->has_code = true;
    r->code = m->code;
  }
  if (r->form == NULL)
    r->form = "message";
  rec_touch(s, end);
}

static void ev_aks(scanner *s, long long v, size_t pos, size_t end) {
  record *r = &s->rec;
  bool compat = r->open && (!r->has_aks || signed32(r->aks) == signed32(v));
  r = rec_for(s, pos, compat);
  if (!r->has_aks) {
    r->has_aks = true;
    r->aks = signed32(v);
  }
  rec_touch(s, end);
}

static void ev_desc(scanner *s, const char *v, size_t len, size_t pos, size_t end) {
  record *r = rec_for(s, pos, true);
  if (r->desc == NULL && !(len == 6 && memcmp(v, "(null)", 6) == 0)) {
    r->desc = v;
    r->desc_len = len;
  }
  rec_touch(s, end);
}

static void ev_nserror(scanner *s, sek_error *e, bool code_read, bool legacy, size_t pos,
                       size_t end, const sek_unparsed *ns, size_t num_ns) {
  record *r = &s->rec;
  const char *dom = sek_error_domain(e);
  const char *canon = sek_error_domain_canonical(dom, strlen(dom));
  bool compat = r->open && r->built == NULL && domain_ok(r, canon) &&
                (!r->has_code || !code_read || r->code == sek_error_code(e));
  r = rec_for(s, pos, compat);
  r->built = e;
  r->domain_read = dom[0] != '\0';
  if (canon != NULL)
    r->canon = canon;
  r->code_read = code_read;
  r->has_code = code_read;
  r->code = sek_error_code(e);
  r->form = legacy ? "nserror_legacy" : "nserror";
  r->bonus += 20;
  notes rn = rec_notes(r);
  for (size_t i = 0; i < num_ns; i++)
    note(&rn, ns[i].offset, ns[i].length, ns[i].reason);
  rec_touch(s, end);
}

/* ---- the scan -------------------------------------------------------------------------------- */

/* Separators between a keyword and its value: spaces, quotes, ':', '=', '(' and '#'. */
static size_t skip_sep(const char *t, size_t n, size_t p, bool *saw_assign) {
  size_t start = p;
  while (p < n && p - start < 8 &&
         (is_space((unsigned char)t[p]) || t[p] == '"' || t[p] == '\'' || t[p] == ':' ||
          t[p] == '=' || t[p] == '(' || t[p] == '#' || t[p] == '\\')) {
    if (saw_assign != NULL && (t[p] == ':' || t[p] == '='))
      *saw_assign = true;
    p++;
  }
  return p;
}

/* A value after "description:" and the like: a quoted string, or the rest of the line. */
static bool value_span(const char *t, size_t n, size_t p, size_t *vs, size_t *ve) {
  if (p >= n)
    return false;
  if (t[p] == '"' || (t[p] == '\\' && p + 1 < n && t[p + 1] == '"')) {
    bool escaped = t[p] == '\\'; /* the value is itself inside a JSON string */
    size_t s = escaped ? p + 2 : p + 1, k = s;
    while (k < n && !is_eol((unsigned char)t[k])) {
      if (escaped ? (t[k] == '\\' && k + 1 < n && t[k + 1] == '"')
                  : (t[k] == '"' && t[k - 1] != '\\'))
        break;
      k++;
    }
    *vs = s;
    *ve = k;
    return k > s;
  }
  size_t k = p;
  while (k < n && !is_eol((unsigned char)t[k]))
    k++;
  while (k > p && (is_space((unsigned char)t[k - 1]) || t[k - 1] == ','))
    k--;
  *vs = p;
  *ve = k;
  return k > p;
}

static const char *const desc_keys[] = {
    "description",
    "localizedDescription",
    "NSDebugDescription",
    "NSLocalizedDescription",
    "debugDescription",
    "message",
    "NSDescription",
    "errorMessage",
    "localizedFailureReason",
    "NSLocalizedFailureReason",
    "reason",
    "errorDescription",
};

static const char *const code_keys[] = {
    "code",     "errorCode", "error_code", "status",     "osstatus",
    "OSStatus", "err",       "error",      "result",     "resultCode",
    "returned", "rawValue",  "errno",      "statusCode", "PlatformException",
};

static bool in_list(const char *w, size_t n, const char *const *list, size_t num, bool nocase) {
  for (size_t i = 0; i < num; i++)
    if (nocase ? ieq(w, n, list[i]) : word_is(w, n, list[i]))
      return true;
  return false;
}

static bool name_shaped(const char *w, size_t n) {
  return has_prefix(w, n, "SecStatusCode.") || has_prefix(w, n, "LAStatus.") ||
         has_prefix(w, n, "errSec") || has_prefix(w, n, "errKC") || has_prefix(w, n, "kLAError") ||
         has_prefix(w, n, "LAError") || has_prefix(w, n, "TKError") ||
         has_prefix(w, n, "TKToken") || has_prefix(w, n, "kIOReturn") ||
         has_prefix(w, n, "kAKSReturn") || word_is(w, n, "userCanceledErr") ||
         word_is(w, n, "paramErr") || word_is(w, n, "unimpErr");
}

/*
 * Dotted enum spellings: Swift's LAError.Code.userCancel / TKError.Code.corruptedData /
 * .biometryLockout, and .NET's SecStatusCode.ItemNotFound / LAStatus.UserCancel /
 * TKErrorCode.CorruptedData ([MS-LA], [MS-TK]): the last part, under the prefix its type gives.
 */
static const sek_error_code_info *swift_case(const char *w, size_t n, bool dot_before) {
  size_t last = n;
  while (last > 0 && w[last - 1] != '.')
    last--;
  if (last == 0 && !dot_before)
    return NULL;
  const char *c = w + last;
  size_t cn = n - last;
  if (cn < 3 || cn > 40 || !is_alpha((unsigned char)c[0]))
    return NULL;
  static const struct {
    const char *type, *prefix;
  } types[] = {
      {"SecStatusCode", "errSec"},
      {"TKErrorCode", "TKErrorCode"},
      {"TKError", "TKErrorCode"},
      {"CryptoTokenKit", "TKErrorCode"},
      {"LAStatus", "LAError"},
      {"LAError", "LAError"},
      {"LocalAuthentication", "LAError"},
      {"kLAError", "kLAError"},
  };
  char buf[64];
  for (size_t i = 0; last > 0 && i < sizeof types / sizeof types[0]; i++) {
    if (!has_prefix(w, n, types[i].type))
      continue;
    size_t pl = strlen(types[i].prefix);
    memcpy(buf, types[i].prefix, pl);
    memcpy(buf + pl, c, cn);
    if (buf[pl] >= 'a' && buf[pl] <= 'z')
      buf[pl] = (char)(buf[pl] - 'a' + 'A');
    const sek_error_code_info *r = sek_error_name_lookup(buf, pl + cn);
    if (r != NULL)
      return r;
    break;
  }
  if (!(c[0] >= 'a' && c[0] <= 'z'))
    return NULL;
  buf[0] = '.';
  memcpy(buf + 1, c, cn);
  return sek_error_name_lookup(buf, cn + 1);
}

/* The last dot-separated part is lowerCamelCase, as Swift enum cases are. */
static bool camel_tail(const char *w, size_t n) {
  size_t last = n;
  while (last > 0 && w[last - 1] != '.')
    last--;
  if (last >= n || !(w[last] >= 'a' && w[last] <= 'z'))
    return false;
  for (size_t i = last + 1; i < n; i++)
    if (w[i] >= 'A' && w[i] <= 'Z')
      return true;
  return false;
}

static bool bio_word(const char *w, size_t n) {
  return ieq(w, n, "biometrics") || ieq(w, n, "biometric") || ieq(w, n, "biometry") ||
         ieq(w, n, "face") || ieq(w, n, "faceid") || ieq(w, n, "touchid") || ieq(w, n, "touch") ||
         ieq(w, n, "fingerprint") || ieq(w, n, "fingerprints");
}
static bool change_word(const char *w, size_t n) {
  return ieq(w, n, "change") || ieq(w, n, "changed") || ieq(w, n, "changes") ||
         ieq(w, n, "changing") || ieq(w, n, "reset") || ieq(w, n, "add") || ieq(w, n, "added") ||
         ieq(w, n, "removed") || ieq(w, n, "re-enrolled") || ieq(w, n, "reenrolled") ||
         ieq(w, n, "new");
}

static void context_word(scanner *s, const char *w, size_t n, size_t pos) {
  if (n >= 9 && (contains_lit(w, n, "imulator") || contains_lit(w, n, "IMULATOR")))
    s->ctx.simulator = true;
  if (has_suffix(w, n, "CurrentSet"))
    s->ctx.current_set = true;
  if (has_suffix(w, n, "iometryAny") || has_suffix(w, n, "ouchIDAny"))
    s->ctx.biometry_any = true;
  if (ieq(w, n, "locked") || ieq(w, n, "background") || ieq(w, n, "lockscreen"))
    s->ctx.locked = true;
  if (contains_lit(w, n, "DomainState") || ieq(w, n, "appearance"))
    s->ctx.biometry_changed = true;
  if (bio_word(w, n)) {
    if (s->change_pos != (size_t)-1 && pos - s->change_pos < 48)
      s->ctx.biometry_changed = true;
    s->bio_pos = pos;
  } else if (change_word(w, n)) {
    if (s->bio_pos != (size_t)-1 && pos - s->bio_pos < 48)
      s->ctx.biometry_changed = true;
    s->change_pos = pos;
  }
}

/* Messages starting at a word. */
static bool try_message(scanner *s, size_t p, size_t *end) {
  size_t num;
  const sek_error_message_info *m = sek_error_messages(&num);
  for (size_t i = 0; i < num; i++) {
    if (m[i].text[0] != s->t[p])
      continue;
    size_t len = strlen(m[i].text);
    if (s->n - p >= len && memcmp(s->t + p, m[i].text, len) == 0) {
      ev_message(s, &m[i], p, p + len);
      *end = p + len;
      return true;
    }
  }
  return false;
}

/* Handles the word t[p..e); returns where scanning continues. */
static size_t on_word(scanner *s, size_t p, size_t e) {
  const char *t = s->t, *w = t + p;
  size_t n = s->n, wn = e - p;
  bool dot_before =
      p > 0 && t[p - 1] == '.' &&
      (p < 2 || !is_word((unsigned char)t[p - 2]) || is_alpha((unsigned char)t[p - 2]));
  /* Apple's description form */
  if (word_is(w, wn, "Error") && n - p >= 13 && memcmp(w, "Error Domain=", 13) == 0) {
    size_t q = p;
    sek_unparsed buf[SEK_DECODE_MAX_UNPARSED];
    size_t nb = 0;
    notes ns = {buf, &nb, SEK_DECODE_MAX_UNPARSED};
    lenient L = {t, n, &ns, false, 0};
    sek_error *err = NULL;
    bool code_read = false;
    if (parse_lenient(&L, &q, 0, &err, &code_read)) {
      if (!code_read)
        note(&ns, p, q - p, R_NO_CODE);
      ev_nserror(s, err, code_read, L.legacy, p, q, buf, nb);
    } else {
      global_note(s, p, q - p, R_NO_CODE);
    }
    if (L.nomem)
      s->nomem = 1;
    return q > e ? q : e;
  }
  if (word_is(w, wn, "UserInfo") && e < n && t[e] == '=') {
    size_t q = e + 1;
    unsigned long long addr;
    size_t a = read_hex(t, n, q, &addr);
    if (a != q && a < n && t[a] == ' ')
      q = a + 1;
    if (q < n && t[q] == '{') {
      record *r = rec_for(s, p, true);
      if (r->ui == NULL)
        r->ui = sek_error_new("", 0, NULL);
      if (r->ui == NULL) {
        s->nomem = 1;
        return q;
      }
      notes ns = rec_notes(r);
      lenient L = {t, n, &ns, false, 0};
      q++;
      parse_entries(&L, &q, r->ui, 0, 0);
      long long v;
      if (sek_error_user_number(r->ui, SEK_KEY_AKS_ERROR, &v) == SEK_OK && !r->has_aks &&
          v >= -2147483648LL && v <= 4294967295LL) {
        r->has_aks = true;
        r->aks = signed32(v);
      }
      if (r->desc == NULL) {
        const char *dd = sek_error_user_string(r->ui, SEK_KEY_DEBUG_DESCRIPTION);
        (void)dd; /* kept in the user info; the description comes from the text itself */
      }
      if (L.nomem)
        s->nomem = 1;
      rec_touch(s, q);
      return q;
    }
  }
  context_word(s, w, wn, p);
  /* operations */
  size_t ol;
  sek_op op = sek_op_at(w, n - p, &ol);
  if (op != SEK_OP_UNKNOWN && ol >= wn) {
    /* an operation on the line of the open error is its own; otherwise it is for the next */
    if (s->rec.open && s->rec.op == SEK_OP_UNKNOWN && s->line == s->rec.last_line) {
      s->rec.op = op;
    } else {
      s->last_op = op;
      s->last_op_line = s->line;
    }
  }
  /* AKSError=… outside a UserInfo */
  if (ieq(w, wn, "AKSError")) {
    size_t q = skip_sep(t, n, e, NULL);
    long long v;
    size_t ve = read_int(t, n, q, &v);
    if (ve != q && iokit_value(v)) {
      ev_aks(s, v, p, ve);
      return ve;
    }
    return e;
  }
  /* domain: VALUE */
  if (ieq(w, wn, "domain") || ieq(w, wn, "errorDomain") || ieq(w, wn, "_domain")) {
    bool assign = false;
    size_t q = skip_sep(t, n, e, &assign);
    size_t ve = q;
    while (ve < n && (is_word((unsigned char)t[ve]) || t[ve] == '.' || t[ve] == '-'))
      ve++;
    while (ve > q && t[ve - 1] == '.')
      ve--;
    if (assign && ve > q) {
      const char *canon = sek_error_domain_canonical(t + q, ve - q);
      ev_domain(s, canon, t + q, ve - q, p, ve, true);
      return ve;
    }
    return e;
  }
  /* description: VALUE — recorded, and scanned further for what it holds */
  if (in_list(w, wn, desc_keys, sizeof desc_keys / sizeof desc_keys[0], false)) {
    bool assign = false;
    size_t q = skip_sep(t, n, e, &assign);
    size_t vs, ve;
    if (assign && q > e && value_span(t, n, q - (t[q - 1] == '"' ? 1 : 0), &vs, &ve)) {
      ev_desc(s, t + vs, ve - vs, p, ve);
      return vs;
    }
  }
  /* domains, also as a part of a dotted Swift type name (LocalAuthentication.LAError) */
  if (wn >= 6) {
    const char *canon = sek_error_domain_canonical(w, wn);
    bool dotted = memchr(w, '.', wn) != NULL;
    if (canon == NULL && dotted && (name_shaped(w, wn) || camel_tail(w, wn)) &&
        swift_case(w, wn, dot_before) != NULL)
      dotted = false; /* LAError.Code.userCancel: a name, handled below */
    for (size_t a = 0, b; canon == NULL && dotted && a < wn && !has_prefix(w, wn, "com.apple.");
         a = b + 1) {
      const char *dot = memchr(w + a, '.', wn - a);
      b = dot ? (size_t)(dot - w) : wn;
      if (b == wn && a == 0)
        break; /* no dot: the whole word was tried */
      canon = sek_error_domain_canonical(w + a, b - a);
    }
    if (canon != NULL) {
      ev_domain(s, canon, w, wn, p, e, false);
      s->kw_end = e; /* "CryptoTokenKit error -3", "OSStatus -34018" */
      return e;
    }
  }
  /* code keywords: remember where the keyword ended for the number that follows */
  if (in_list(w, wn, code_keys, sizeof code_keys / sizeof code_keys[0], true)) {
    s->kw_end = e;
    return e;
  }
  /* names */
  if (name_shaped(w, wn)) {
    const sek_error_code_info *c = sek_error_name_lookup(w, wn);
    if (c == NULL)
      c = swift_case(w, wn, dot_before);
    if (c != NULL) {
      ev_name(s, c, p, e);
      s->kw_end = e; /* errSecItemNotFound (-25300) */
      return e;
    }
  } else if ((dot_before || memchr(w, '.', wn) != NULL) && camel_tail(w, wn)) {
    const sek_error_code_info *c = swift_case(w, wn, dot_before);
    if (c != NULL) {
      ev_name(s, c, p, e);
      return e;
    }
  }
  /* plugin error strings: "LockedOut", 'user_cancel' */
  if (p > 0 && (t[p - 1] == '"' || t[p - 1] == '(' || t[p - 1] == '\'')) {
    const sek_error_code_info *c = sek_error_plugin_lookup(w, wn);
    if (c != NULL) {
      ev_name(s, c, p, e);
      return e;
    }
  }
  /* Apple's message texts */
  size_t me;
  if (w[0] >= 'A' && try_message(s, p, &me))
    return me;
  return e;
}

static size_t on_number(scanner *s, size_t p) {
  const char *t = s->t;
  size_t n = s->n;
  unsigned long long hx;
  size_t he = read_hex(t, n, p, &hx);
  if (he != p) {
    if (hx <= 0xffffffffULL && iokit_value((long long)hx))
      ev_aks(s, (long long)hx, p, he);
    return he;
  }
  /* e00002e2 / E007C009: eight hex digits of the iokit system, without 0x */
  if ((t[p] | 0x20) == 'e' && n - p >= 8) {
    unsigned long long v = 0;
    size_t i = p;
    while (i < n && i - p < 8 && hexv((unsigned char)t[i]) >= 0)
      v = v << 4 | (unsigned)hexv((unsigned char)t[i++]);
    if (i - p == 8 && (i == n || !is_word((unsigned char)t[i])) && iokit_value((long long)v)) {
      ev_aks(s, (long long)v, p, i);
      return i;
    }
    return p + 1;
  }
  long long v;
  size_t e = read_int(t, n, p, &v);
  if (e == p) {
    while (e < n && is_digit((unsigned char)t[e]))
      e++;
    return e > p ? e : p + 1;
  }
  if (e < n && (is_alpha((unsigned char)t[e]) || t[e] == '_' ||
                (t[e] == '.' && e + 1 < n && is_digit((unsigned char)t[e + 1]))))
    return e; /* 14.4.2, 3rd, 12px: not a code */
  bool strong = s->kw_end != (size_t)-1 && s->kw_end <= p && p - s->kw_end <= 8 &&
                skip_sep(t, n, s->kw_end, NULL) >= p;
  /* "error code -25300", "OSStatus error -34018" */
  if (!strong && s->kw_end != (size_t)-1 && s->kw_end <= p && p - s->kw_end <= 14) {
    size_t q = skip_sep(t, n, s->kw_end, NULL);
    size_t we = q;
    while (we < n && is_alpha((unsigned char)t[we]))
      we++;
    if (we > q &&
        (ieq(t + q, we - q, "error") || ieq(t + q, we - q, "code") || ieq(t + q, we - q, "status")))
      strong = skip_sep(t, n, we, NULL) >= p;
  }
  s->kw_end = (size_t)-1;
  if (iokit_value(v)) {
    ev_aks(s, v, p, e);
    return e;
  }
  if (v < 0)
    ev_code(s, v, p, e, strong);
  return e;
}

static int scan(scanner *s) {
  const char *t = s->t;
  size_t n = s->n, i = 0;
  while (i < n && !s->nomem) {
    unsigned char c = (unsigned char)t[i];
    if (c == '\n') {
      s->line++;
      i++;
      continue;
    }
    if (is_alpha(c) || c == '_') {
      if (i > 0 && is_digit((unsigned char)t[i - 1])) {
        i++;
        continue;
      }
      if ((c | 0x20) == 'e' && i + 8 <= n) {
        size_t k = i;
        while (k < n && k - i < 9 && hexv((unsigned char)t[k]) >= 0)
          k++;
        if (k - i == 8 && (k == n || !is_word((unsigned char)t[k]))) {
          i = on_number(s, i);
          continue;
        }
      }
      size_t e = i;
      while (e < n && (is_word((unsigned char)t[e]) ||
                       (t[e] == '.' && e + 1 < n && is_alpha((unsigned char)t[e + 1])) ||
                       (t[e] == '-' && e + 1 < n && is_alpha((unsigned char)t[e + 1]) && e > i &&
                        t[e - 1] == 'e')))
        e++;
      size_t next = on_word(s, i, e);
      i = next > i ? next : i + 1;
      continue;
    }
    if (is_digit(c) || (c == '-' && i + 1 < n && is_digit((unsigned char)t[i + 1]))) {
      if (i > 0 &&
          (is_word((unsigned char)t[i - 1]) || t[i - 1] == '.' || (c != '-' && t[i - 1] == '-'))) {
        i++;
        while (i < n && is_word((unsigned char)t[i]))
          i++;
        continue;
      }
      i = on_number(s, i);
      continue;
    }
    i++;
  }
  rec_finish(s);
  return s->nomem ? SEK_ERR_NOMEM : SEK_OK;
}

int sek_decode(const char *text, size_t len, sek_decode_result **out) {
  if ((text == NULL && len > 0) || out == NULL)
    return SEK_ERR_ARG;
  /* malloc, not calloc: the inline first item is large and written before it is read */
  sek_decode_result *res = malloc(sizeof *res);
  if (res == NULL)
    return SEK_ERR_NOMEM;
  res->items = NULL;
  res->errs = NULL;
  res->ops = NULL;
  res->num = res->cap = res->num_unparsed = 0;
  scanner s;
  memset(&s, 0, sizeof s);
  s.t = text ? text : "";
  s.n = len;
  s.res = res;
  s.kw_end = s.bio_pos = s.change_pos = (size_t)-1;
  int st = scan(&s);
  rec_reset(&s.rec);
  if (st != SEK_OK) {
    sek_decode_result_free(res);
    return st;
  }
  for (size_t i = 0; i < res->num; i++) {
    sek_decoded *d = &res->items[i];
    sek_error_context ctx = s.ctx;
    ctx.op = res->ops[i];
    ctx.no_code = !d->code_read;
    ctx.code_unknown = !d->code_read && sek_error_code_lookup(sek_error_domain(res->errs[i]),
                                                              sek_error_code(res->errs[i]))
                                                ->name[0] == '\0';
    sek_op op = sek_error_op_of(res->errs[i]);
    if (op == SEK_OP_UNKNOWN)
      op = ctx.op;
    ctx.op = op;
    ctx.op_resolved = true;
    const char *name = sek_op_name(op);
    size_t nl = strlen(name);
    if (nl >= sizeof d->operation)
      nl = sizeof d->operation - 1;
    memcpy(d->operation, name, nl);
    d->operation[nl] = '\0';
    d->error = res->errs[i];
    sek_error_classify_ctx(res->errs[i], &ctx, d->causes, SEK_MAX_CAUSES, &d->num_causes);
  }
  *out = res;
  return SEK_OK;
}

void sek_decode_result_free(sek_decode_result *r) {
  if (r == NULL)
    return;
  for (size_t i = 0; i < r->num; i++)
    sek_error_free(r->errs[i]);
  if (r->items != &r->one_item)
    free(r->items);
  if (r->errs != &r->one_err)
    free(r->errs);
  if (r->ops != &r->one_op)
    free(r->ops);
  free(r);
}

size_t sek_decode_count(const sek_decode_result *r) { return r ? r->num : 0; }

const sek_decoded *sek_decode_get(const sek_decode_result *r, size_t i) {
  return r && i < r->num ? &r->items[i] : NULL;
}

const sek_decoded *sek_decode_best(const sek_decode_result *r) {
  if (r == NULL || r->num == 0)
    return NULL;
  size_t best = 0;
  for (size_t i = 1; i < r->num; i++)
    if (r->items[i].score > r->items[best].score)
      best = i;
  return &r->items[best];
}

size_t sek_decode_unparsed_count(const sek_decode_result *r) { return r ? r->num_unparsed : 0; }

const sek_unparsed *sek_decode_unparsed_get(const sek_decode_result *r, size_t i) {
  return r && i < r->num_unparsed ? &r->unparsed[i] : NULL;
}
