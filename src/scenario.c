/*
 * scenario.c: the scenario script parser and printer (include/sek/scenario.h).
 *
 * The parser walks the text once with a cursor (pos, line, start of line).  A pre-pass checks
 * the limits that hold for every line (length, count, NUL and control bytes), so that the
 * statement parsers can assume text.  Verbs, sub-choices and algorithms are tables; each verb
 * has one small parse function that reads its arguments and says what it expected where.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sek/scenario.h>
#include "hex.h"

/* ---- tables ------------------------------------------------------------------------------- */

/* Names of the verbs as the printer writes them, indexed by sek_scenario_verb. */
static const struct {
  sek_scenario_verb verb;
  const char *name;
} verb_names[] = {
    {SEK_VERB_DEVICE, "device"},
    {SEK_VERB_BIOMETRY_ENROLL, "biometry enroll"},
    {SEK_VERB_BIOMETRY_CHANGE, "biometry change"},
    {SEK_VERB_BIOMETRY_REMOVE, "biometry remove"},
    {SEK_VERB_PASSCODE_SET, "passcode set"},
    {SEK_VERB_PASSCODE_REMOVE, "passcode remove"},
    {SEK_VERB_LOCK, "lock"},
    {SEK_VERB_UNLOCK, "unlock"},
    {SEK_VERB_REBOOT, "reboot"},
    {SEK_VERB_ANSWER, "answer"},
    {SEK_VERB_FAULT_POLICY, "fault policy"},
    {SEK_VERB_FAULT_STORE_IO, "fault store-io"},
    {SEK_VERB_FAULT_ALLOC, "fault alloc"},
    {SEK_VERB_CREATE, "create"},
    {SEK_VERB_FIND, "find"},
    {SEK_VERB_SIGN, "sign"},
    {SEK_VERB_VERIFY, "verify"},
    {SEK_VERB_PUBKEY, "pubkey"},
    {SEK_VERB_DELETE_KEY, "delete"},
    {SEK_VERB_DELETE_QUERY, "delete"},
    {SEK_VERB_REENROLL, "reenroll"},
    {SEK_VERB_EXPECT_OK, "expect ok"},
    {SEK_VERB_EXPECT_ERROR, "expect error"},
    {SEK_VERB_EXPECT_ACTION, "expect action"},
    {SEK_VERB_EXPECT_PERMANENT, "expect permanent"},
    {SEK_VERB_EXPECT_COUNT, "expect count"},
};

/* Second words of the two-word device verbs. */
static const struct {
  const char *first, *second;
  sek_scenario_verb verb;
} device_choices[] = {
    {"biometry", "enroll", SEK_VERB_BIOMETRY_ENROLL},
    {"biometry", "change", SEK_VERB_BIOMETRY_CHANGE},
    {"biometry", "remove", SEK_VERB_BIOMETRY_REMOVE},
    {"passcode", "set", SEK_VERB_PASSCODE_SET},
    {"passcode", "remove", SEK_VERB_PASSCODE_REMOVE},
};

/*
 * Words of the `device` line: each one is a way the device the run starts on differs from the
 * default one (sek_emu_config_default), or names the default explicitly.  `bit` is the op's
 * SEK_SCENARIO_DEVICE_* bit the word sets (0 for a default); `against` is the bit of the word
 * that says the opposite (so that one line cannot name an aspect twice).  The printer writes
 * the non-default words in this order.
 */
static const struct {
  const char *word;
  uint64_t bit;     /* set by this word */
  uint64_t against; /* the bit of the opposite word */
} device_words[] = {
    {"no-secure-enclave", SEK_SCENARIO_DEVICE_NO_SECURE_ENCLAVE, 0},
    {"secure-enclave", 0, SEK_SCENARIO_DEVICE_NO_SECURE_ENCLAVE},
    {"no-passcode", SEK_SCENARIO_DEVICE_NO_PASSCODE, 0},
    {"passcode", 0, SEK_SCENARIO_DEVICE_NO_PASSCODE},
    {"no-biometry", SEK_SCENARIO_DEVICE_NO_BIOMETRY, 0},
    {"biometry", 0, SEK_SCENARIO_DEVICE_NO_BIOMETRY},
    {"locked", SEK_SCENARIO_DEVICE_LOCKED, 0},
    {"unlocked", 0, SEK_SCENARIO_DEVICE_LOCKED},
};

/*
 * ECDSA SecKeyAlgorithm values (apple-facts §7, [SEC:Adaptors]): the Swift/C name suffix (after
 * "ecdsaSignature" / "kSecKeyAlgorithmECDSASignature"), the raw string, and what the lifecycle
 * oracle needs to verify a signature independently: message or digest input, DER (X962) or
 * r || s (RFC4754) output, the hash.  The deprecated plain "RFC4754" is the digest form.
 */
static const struct {
  const char *suffix;
  sek_scenario_algorithm info;
} algorithms[] = {
    {"DigestX962", {"algid:sign:ECDSA:digest-X962", false, false, NULL, 0}},
    {"DigestX962SHA1", {"algid:sign:ECDSA:digest-X962:SHA1", false, false, "SHA1", 20}},
    {"DigestX962SHA224", {"algid:sign:ECDSA:digest-X962:SHA224", false, false, "SHA224", 28}},
    {"DigestX962SHA256", {"algid:sign:ECDSA:digest-X962:SHA256", false, false, "SHA256", 32}},
    {"DigestX962SHA384", {"algid:sign:ECDSA:digest-X962:SHA384", false, false, "SHA384", 48}},
    {"DigestX962SHA512", {"algid:sign:ECDSA:digest-X962:SHA512", false, false, "SHA512", 64}},
    {"MessageX962SHA1", {"algid:sign:ECDSA:message-X962:SHA1", true, false, "SHA1", 20}},
    {"MessageX962SHA224", {"algid:sign:ECDSA:message-X962:SHA224", true, false, "SHA224", 28}},
    {"MessageX962SHA256", {"algid:sign:ECDSA:message-X962:SHA256", true, false, "SHA256", 32}},
    {"MessageX962SHA384", {"algid:sign:ECDSA:message-X962:SHA384", true, false, "SHA384", 48}},
    {"MessageX962SHA512", {"algid:sign:ECDSA:message-X962:SHA512", true, false, "SHA512", 64}},
    {"RFC4754", {"algid:sign:ECDSA:RFC4754", false, true, NULL, 0}},
    {"DigestRFC4754", {"algid:sign:ECDSA:digest-RFC4754", false, true, NULL, 0}},
    {"DigestRFC4754SHA1", {"algid:sign:ECDSA:digest-RFC4754:SHA1", false, true, "SHA1", 20}},
    {"DigestRFC4754SHA224", {"algid:sign:ECDSA:digest-RFC4754:SHA224", false, true, "SHA224", 28}},
    {"DigestRFC4754SHA256", {"algid:sign:ECDSA:digest-RFC4754:SHA256", false, true, "SHA256", 32}},
    {"DigestRFC4754SHA384", {"algid:sign:ECDSA:digest-RFC4754:SHA384", false, true, "SHA384", 48}},
    {"DigestRFC4754SHA512", {"algid:sign:ECDSA:digest-RFC4754:SHA512", false, true, "SHA512", 64}},
    {"MessageRFC4754SHA1", {"algid:sign:ECDSA:message-RFC4754:SHA1", true, true, "SHA1", 20}},
    {"MessageRFC4754SHA224", {"algid:sign:ECDSA:message-RFC4754:SHA224", true, true, "SHA224", 28}},
    {"MessageRFC4754SHA256", {"algid:sign:ECDSA:message-RFC4754:SHA256", true, true, "SHA256", 32}},
    {"MessageRFC4754SHA384", {"algid:sign:ECDSA:message-RFC4754:SHA384", true, true, "SHA384", 48}},
    {"MessageRFC4754SHA512", {"algid:sign:ECDSA:message-RFC4754:SHA512", true, true, "SHA512", 64}},
};
#define DEFAULT_ALGORITHM "algid:sign:ECDSA:message-X962:SHA256"

/* The spellings of an algorithm name: prefix + table suffix. */
static const char *const algorithm_prefixes[] = {"ecdsaSignature", ".ecdsaSignature",
                                                 "kSecKeyAlgorithmECDSASignature"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the script --------------------------------------------------------------------------- */

/* Every byte string the operations point to is one node of this list, freed with the script. */
typedef struct blob {
  struct blob *next;
  size_t len;
  char bytes[];
} blob;

typedef struct {
  sek_scenario_op pub;
  sek_attrs *attrs;        /* owned; pub.attrs points here */
  sek_scenario_info *info; /* owned; pub.info points here (strings are blobs) */
} op_slot;

struct sek_scenario {
  op_slot *ops;
  size_t num_ops, cap_ops;
  const char *names[SEK_SCENARIO_MAX_KEYS];
  size_t num_names;
  blob *blobs;
};

/* Copies len bytes (plus a NUL) into the script; NULL when out of memory. */
static char *keep(sek_scenario *s, const void *bytes, size_t len) {
  blob *b = malloc(sizeof *b + len + 1);
  if (b == NULL)
    return NULL;
  if (len > 0)
    memcpy(b->bytes, bytes, len);
  b->bytes[len] = '\0';
  b->len = len;
  b->next = s->blobs;
  s->blobs = b;
  return b->bytes;
}

void sek_scenario_free(sek_scenario *s) {
  if (s == NULL)
    return;
  for (size_t i = 0; i < s->num_ops; i++) {
    sek_attrs_free(s->ops[i].attrs);
    free(s->ops[i].info);
  }
  free(s->ops);
  while (s->blobs != NULL) {
    blob *next = s->blobs->next;
    free(s->blobs);
    s->blobs = next;
  }
  free(s);
}

size_t sek_scenario_count(const sek_scenario *s) { return s == NULL ? 0 : s->num_ops; }

const sek_scenario_op *sek_scenario_op_at(const sek_scenario *s, size_t i) {
  if (s == NULL || i >= s->num_ops)
    return NULL;
  return &s->ops[i].pub;
}

size_t sek_scenario_num_keys(const sek_scenario *s) { return s == NULL ? 0 : s->num_names; }

const char *sek_scenario_key_name(const sek_scenario *s, size_t key) {
  if (s == NULL || key >= s->num_names)
    return NULL;
  return s->names[key];
}

const char *sek_scenario_verb_name(sek_scenario_verb v) {
  for (size_t i = 0; i < N(verb_names); i++)
    if (verb_names[i].verb == v)
      return verb_names[i].name;
  return "unknown verb";
}

bool sek_scenario_is_call(sek_scenario_verb v) {
  return v >= SEK_VERB_CREATE && v <= SEK_VERB_REENROLL;
}

static bool span_is(const char *p, size_t len, const char *word) {
  return strlen(word) == len && memcmp(p, word, len) == 0;
}

const char *sek_scenario_algorithm_lookup(const char *name, size_t len) {
  if (name == NULL)
    return NULL;
  for (size_t i = 0; i < N(algorithms); i++) {
    if (span_is(name, len, algorithms[i].info.raw))
      return algorithms[i].info.raw;
    for (size_t j = 0; j < N(algorithm_prefixes); j++) {
      size_t plen = strlen(algorithm_prefixes[j]);
      if (len > plen && memcmp(name, algorithm_prefixes[j], plen) == 0 &&
          span_is(name + plen, len - plen, algorithms[i].suffix))
        return algorithms[i].info.raw;
    }
  }
  return NULL;
}

const sek_scenario_algorithm *sek_scenario_algorithm_find(const char *raw) {
  if (raw == NULL)
    return NULL;
  for (size_t i = 0; i < N(algorithms); i++)
    if (strcmp(raw, algorithms[i].info.raw) == 0)
      return &algorithms[i].info;
  return NULL;
}

/* The Swift spelling of a raw algid of the table (the printer's form), or NULL. */
static const char *algorithm_swift_suffix(const char *raw) {
  for (size_t i = 0; i < N(algorithms); i++)
    if (strcmp(raw, algorithms[i].info.raw) == 0)
      return algorithms[i].suffix;
  return NULL;
}

const char *sek_scenario_strerror(int status) {
  switch (status) {
  case SEK_SCENARIO_ERR_SYNTAX: return "scenario line does not follow the grammar";
  case SEK_SCENARIO_ERR_VERB: return "unknown scenario verb";
  case SEK_SCENARIO_ERR_LITERAL: return "bad attribute literal in scenario";
  case SEK_SCENARIO_ERR_NAME: return "scenario key name used before create or find";
  case SEK_SCENARIO_ERR_ORDER: return "scenario expectation without a matching call before it";
  case SEK_SCENARIO_ERR_LIMIT: return "scenario exceeds a limit";
  case SEK_SCENARIO_ERR_EXPECT: return "a scenario expectation did not hold";
  case SEK_SCENARIO_ERR_ORACLE: return "a lifecycle oracle property is broken";
  case SEK_SCENARIO_ERR_DIFF: return "two runs of one scenario disagree";
  default: return "unknown scenario status";
  }
}

/* ---- the parser --------------------------------------------------------------------------- */

typedef struct {
  const char *text;
  size_t len;
  size_t pos;        /* the next byte */
  unsigned line;     /* of pos, 1-based */
  size_t line_start; /* offset of the first byte of pos's line */
  sek_scenario *s;
  sek_scenario_error *err;
  size_t last_call;                    /* index of the last call, SIZE_MAX before any */
  bool in_expects;                     /* only expectations since the last call */
  bool bound[SEK_SCENARIO_MAX_KEYS];   /* a create or find came before */
  bool created[SEK_SCENARIO_MAX_KEYS]; /* a create came before */
  bool signed_[SEK_SCENARIO_MAX_KEYS]; /* a sign came before */
} parser;

/* A word of the current line: a view into the text with its column. */
typedef struct {
  const char *p;
  size_t len;
  unsigned col;
} word;

static unsigned col_of(const parser *p, size_t pos) { return (unsigned)(pos - p->line_start + 1); }

static int fail_at(parser *p, int status, unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int fail_at(parser *p, int status, unsigned line, unsigned col, const char *fmt, ...) {
  if (p->err != NULL) {
    va_list ap;
    p->err->line = line;
    p->err->col = col;
    va_start(ap, fmt);
    vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
    va_end(ap);
  }
  return status;
}

/* Writes at most max bytes of a word for a message, marking truncation. */
static void quote(char *buf, size_t cap, const char *w, size_t len) {
  const size_t max = 40;
  size_t n = len > max ? max : len;
  size_t o = 0;
  for (size_t i = 0; i < n && o + 5 < cap; i++) {
    unsigned char c = (unsigned char)w[i];
    if (c < 0x20 || c >= 0x7f)
      o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
    else
      buf[o++] = (char)c;
  }
  if (n < len && o + 4 < cap) {
    memcpy(buf + o, "...", 3);
    o += 3;
  }
  buf[o < cap ? o : cap - 1] = '\0';
}

/*
 * The pre-pass: size, line count, line length, NUL and control bytes.  Tabs, CR and LF are the
 * only control bytes of a text; anything else is written \xHH in a string or hex: in a message.
 */
static int check_text(parser *p) {
  if (p->len > SEK_SCENARIO_MAX_TEXT)
    return fail_at(p, SEK_SCENARIO_ERR_LIMIT, 1, 1, "script is %zu bytes; the limit is %u", p->len,
                   SEK_SCENARIO_MAX_TEXT);
  unsigned line = 1;
  size_t start = 0;
  for (size_t i = 0; i <= p->len; i++) {
    if (i == p->len || p->text[i] == '\n') {
      if (i - start > SEK_SCENARIO_MAX_LINE_LEN)
        return fail_at(p, SEK_SCENARIO_ERR_LIMIT, line, SEK_SCENARIO_MAX_LINE_LEN + 1,
                       "line is %zu bytes long; the limit is %u", i - start,
                       SEK_SCENARIO_MAX_LINE_LEN);
      if (i == p->len)
        break;
      if (line == SEK_SCENARIO_MAX_LINES && i + 1 < p->len)
        return fail_at(p, SEK_SCENARIO_ERR_LIMIT, line + 1, 1, "script has more than %u lines",
                       SEK_SCENARIO_MAX_LINES);
      line++;
      start = i + 1;
      continue;
    }
    unsigned char c = (unsigned char)p->text[i];
    if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
      return fail_at(p, SEK_SCENARIO_ERR_SYNTAX, line, (unsigned)(i - start + 1),
                     "control character 0x%02x: a script is text (write bytes as \\xHH in a "
                     "string, or as hex:)",
                     c);
  }
  return SEK_OK;
}

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

static void skip_blanks(parser *p) {
  while (p->pos < p->len && is_blank(p->text[p->pos]))
    p->pos++;
}

/* True at the end of the statement's line (a comment counts as the end). */
static bool at_end(parser *p) {
  skip_blanks(p);
  return p->pos >= p->len || p->text[p->pos] == '\n' || p->text[p->pos] == '#';
}

static bool ends_word(char c) {
  return is_blank(c) || c == '\n' || c == '#' || c == '"' || c == '[';
}

/* Reads the next word of the line; false (w->len == 0, w->col = where one was expected) if none. */
static bool next_word(parser *p, word *w) {
  skip_blanks(p);
  w->p = p->text + p->pos;
  w->col = col_of(p, p->pos);
  w->len = 0;
  while (p->pos < p->len && !ends_word(p->text[p->pos])) {
    p->pos++;
    w->len++;
  }
  return w->len > 0;
}

/* What is at the cursor, for "found ..." in messages. */
static void describe_here(parser *p, char *buf, size_t cap) {
  if (p->pos >= p->len) {
    snprintf(buf, cap, "the end of the script");
  } else if (p->text[p->pos] == '\n' || p->text[p->pos] == '#') {
    snprintf(buf, cap, "the end of the line");
  } else {
    size_t n = 0;
    while (p->pos + n < p->len && p->text[p->pos + n] != '\n' && !is_blank(p->text[p->pos + n]))
      n++;
    char q[64];
    quote(q, sizeof q, p->text + p->pos, n == 0 ? 1 : n);
    snprintf(buf, cap, "'%s'", q);
  }
}

/* Fails with "expected WHAT ..., found X" at the cursor. */
static int expected(parser *p, int status, const char *what) {
  char found[80];
  skip_blanks(p);
  describe_here(p, found, sizeof found);
  return fail_at(p, status, p->line, col_of(p, p->pos), "expected %s, found %s", what, found);
}

/* The end of a statement: only blanks and a comment may follow. */
static int end_of_statement(parser *p, const char *after) {
  if (at_end(p))
    return SEK_OK;
  char what[128];
  snprintf(what, sizeof what, "the end of the line after %s", after);
  return expected(p, SEK_SCENARIO_ERR_SYNTAX, what);
}

/* Moves the cursor to the start of the next line. */
static void next_line(parser *p) {
  while (p->pos < p->len && p->text[p->pos] != '\n')
    p->pos++;
  if (p->pos < p->len) {
    p->pos++;
    p->line++;
    p->line_start = p->pos;
  }
}

static op_slot *add_op(parser *p, sek_scenario_verb verb, unsigned col) {
  sek_scenario *s = p->s;
  if (s->num_ops == s->cap_ops) {
    size_t cap = s->cap_ops == 0 ? 16 : s->cap_ops * 2;
    op_slot *bigger = realloc(s->ops, cap * sizeof *bigger);
    if (bigger == NULL)
      return NULL;
    s->ops = bigger;
    s->cap_ops = cap;
  }
  op_slot *o = &s->ops[s->num_ops++];
  memset(o, 0, sizeof *o);
  o->pub.verb = verb;
  o->pub.line = p->line;
  o->pub.col = col;
  o->pub.key = SIZE_MAX;
  o->pub.call = SIZE_MAX;
  o->pub.action = SEK_ACTION_UNKNOWN;
  o->pub.permanence = SEK_PERMANENT_UNKNOWN;
  return o;
}

static int nomem(parser *p) {
  fail_at(p, SEK_ERR_NOMEM, p->line, col_of(p, p->pos), "out of memory");
  return SEK_ERR_NOMEM;
}

/* ---- arguments ---- */

static bool name_char(char c, bool first) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_')
    return true;
  return !first && ((c >= '0' && c <= '9') || c == '.' || c == '-');
}

/* Reads a key name and returns its index in *key. */
static int read_key(parser *p, const char *verb, size_t *key) {
  word w;
  char what[96];
  snprintf(what, sizeof what, "a key name after '%s'", verb);
  if (!next_word(p, &w))
    return expected(p, SEK_SCENARIO_ERR_SYNTAX, what);
  char q[64];
  quote(q, sizeof q, w.p, w.len);
  for (size_t i = 0; i < w.len; i++)
    if (!name_char(w.p[i], i == 0))
      return fail_at(p, SEK_SCENARIO_ERR_SYNTAX, p->line, w.col + (unsigned)i,
                     "expected a key name (a letter or '_', then letters, digits, '_', '.', "
                     "'-'), found '%s'",
                     q);
  if (w.len > SEK_SCENARIO_MAX_NAME)
    return fail_at(p, SEK_SCENARIO_ERR_LIMIT, p->line, w.col,
                   "key name '%s' is %zu bytes; the limit is %u", q, w.len, SEK_SCENARIO_MAX_NAME);
  sek_scenario *s = p->s;
  for (size_t i = 0; i < s->num_names; i++)
    if (span_is(w.p, w.len, s->names[i])) {
      *key = i;
      return SEK_OK;
    }
  if (s->num_names == SEK_SCENARIO_MAX_KEYS)
    return fail_at(p, SEK_SCENARIO_ERR_LIMIT, p->line, w.col,
                   "key name '%s' would be the %uth; the limit is %u distinct names", q,
                   SEK_SCENARIO_MAX_KEYS + 1, SEK_SCENARIO_MAX_KEYS);
  const char *copy = keep(s, w.p, w.len);
  if (copy == NULL)
    return nomem(p);
  s->names[s->num_names] = copy;
  *key = s->num_names++;
  return SEK_OK;
}

/* A key that must already be bound (by create or find) for this verb. */
static int read_bound_key(parser *p, const char *verb, size_t *key) {
  unsigned col;
  skip_blanks(p);
  col = col_of(p, p->pos);
  int st = read_key(p, verb, key);
  if (st != SEK_OK)
    return st;
  if (!p->bound[*key])
    return fail_at(p, SEK_SCENARIO_ERR_NAME, p->line, col,
                   "unknown key '%s': expected a name bound by an earlier 'create %s' or "
                   "'find %s'",
                   p->s->names[*key], p->s->names[*key], p->s->names[*key]);
  return SEK_OK;
}

/*
 * Reads a "..." string at the cursor (which is on the quote) into a kept buffer.  A string ends
 * on its line.
 */
static int read_string(parser *p, const char **out, size_t *out_len) {
  unsigned open_col = col_of(p, p->pos);
  size_t i = p->pos + 1;
  /* The decoded string is never longer than its source. */
  size_t cap = 0;
  while (i + cap < p->len && p->text[i + cap] != '\n')
    cap++;
  char *buf = malloc(cap + 1);
  if (buf == NULL)
    return nomem(p);
  size_t n = 0;
  int st = SEK_OK;
  for (;;) {
    if (i >= p->len || p->text[i] == '\n') {
      st = fail_at(p, SEK_SCENARIO_ERR_SYNTAX, p->line, open_col,
                   "unterminated string: expected '\"' before the end of the line");
      break;
    }
    char c = p->text[i];
    if (c == '"') {
      i++;
      break;
    }
    if (c != '\\') {
      buf[n++] = c;
      i++;
      continue;
    }
    unsigned esc_col = col_of(p, i);
    char e = i + 1 < p->len ? p->text[i + 1] : '\0';
    static const char from[] = "\\\"ntr0", to[] = "\\\"\n\t\r";
    const char *hit = e != '\0' ? strchr(from, e) : NULL;
    if (hit != NULL) {
      buf[n++] = to[hit - from]; /* "0" maps to the table's terminating NUL */
      i += 2;
    } else if (e == 'x' && i + 3 < p->len && sek_hex_digit(p->text[i + 2]) >= 0 &&
               sek_hex_digit(p->text[i + 3]) >= 0) {
      buf[n++] = (char)(sek_hex_digit(p->text[i + 2]) * 16 + sek_hex_digit(p->text[i + 3]));
      i += 4;
    } else {
      st = fail_at(p, SEK_SCENARIO_ERR_SYNTAX, p->line, esc_col,
                   "bad escape in string: expected \\\\, \\\", \\n, \\t, \\r, \\0 or \\xHH");
      break;
    }
  }
  if (st == SEK_OK) {
    *out = keep(p->s, buf, n);
    *out_len = n;
    if (*out == NULL)
      st = nomem(p);
    else
      p->pos = i;
  }
  free(buf);
  return st;
}

/* Decodes the digits of a hex: word (after the prefix) into a kept buffer. */
static int read_hex(parser *p, const word *w, const char **out, size_t *out_len) {
  const size_t prefix = 4; /* "hex:" */
  size_t digits = w->len - prefix;
  for (size_t i = 0; i < digits; i++)
    if (sek_hex_digit(w->p[prefix + i]) < 0) {
      char q[16];
      quote(q, sizeof q, w->p + prefix + i, 1);
      return fail_at(p, SEK_SCENARIO_ERR_SYNTAX, p->line, w->col + (unsigned)(prefix + i),
                     "expected a hex digit after 'hex:', found '%s'", q);
    }
  if (digits % 2 != 0)
    return fail_at(p, SEK_SCENARIO_ERR_SYNTAX, p->line, w->col + (unsigned)w->len,
                   "expected an even number of hex digits after 'hex:', found %zu", digits);
  char *buf = malloc(digits / 2 + 1);
  if (buf == NULL)
    return nomem(p);
  for (size_t i = 0; i < digits / 2; i++)
    buf[i] = (char)(sek_hex_digit(w->p[prefix + 2 * i]) * 16 + sek_hex_digit(w->p[prefix + 2 * i + 1]));
  *out = keep(p->s, buf, digits / 2);
  free(buf);
  if (*out == NULL)
    return nomem(p);
  *out_len = digits / 2;
  return SEK_OK;
}

static bool has_hex_prefix(const word *w) { return w->len >= 4 && memcmp(w->p, "hex:", 4) == 0; }

/* A MESSAGE at the cursor: a string, or a hex: word (already read into *w when given). */
static int read_message(parser *p, const word *w, op_slot *o) {
  const char *bytes = NULL;
  size_t n = 0;
  int st;
  if (w == NULL) {
    st = read_string(p, &bytes, &n);
  } else {
    st = read_hex(p, w, &bytes, &n);
  }
  if (st != SEK_OK)
    return st;
  o->pub.message = (const uint8_t *)bytes;
  o->pub.message_len = n;
  o->pub.has_message = true;
  return SEK_OK;
}

/* Digits only, at most max. */
static int read_count(parser *p, const char *what, uint64_t min, uint64_t max, uint64_t *out) {
  word w;
  if (!next_word(p, &w))
    return expected(p, SEK_SCENARIO_ERR_SYNTAX, what);
  uint64_t v = 0;
  char q[64];
  quote(q, sizeof q, w.p, w.len);
  for (size_t i = 0; i < w.len; i++) {
    if (w.p[i] < '0' || w.p[i] > '9')
      return fail_at(p, SEK_SCENARIO_ERR_SYNTAX, p->line, w.col, "expected %s, found '%s'", what,
                     q);
    v = v * 10 + (uint64_t)(w.p[i] - '0');
    if (v > max)
      return fail_at(p, SEK_SCENARIO_ERR_LIMIT, p->line, w.col,
                     "%s '%s' is above the limit %" PRIu64, what, q, max);
  }
  if (v < min)
    return fail_at(p, SEK_SCENARIO_ERR_SYNTAX, p->line, w.col,
                   "expected %s of at least %" PRIu64 ", found '%s'", what, min, q);
  *out = v;
  return SEK_OK;
}

/* [-]digits within [lo, hi]; false if the span is not that. */
static bool parse_signed(const char *s, size_t len, long long lo, long long hi, long long *out) {
  size_t i = 0;
  bool neg = false;
  if (len > 0 && s[0] == '-') {
    neg = true;
    i = 1;
  }
  if (i == len || len - i > 19)
    return false;
  unsigned long long v = 0;
  for (; i < len; i++) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    v = v * 10 + (unsigned long long)(s[i] - '0');
  }
  /* 19 digits fit in unsigned long long; compare as magnitudes. */
  if (neg) {
    if (v > (unsigned long long)(-(lo + 1)) + 1)
      return false;
    *out = v == 0 ? 0 : -(long long)(v - 1) - 1;
  } else {
    if (v > (unsigned long long)hi)
      return false;
    *out = (long long)v;
  }
  return *out >= lo && *out <= hi;
}

/*
 * One pass over an attribute literal starting at p->pos ('[' or "@{"), up to where its brackets
 * balance, across lines.  Strings and comments are skipped (brackets inside do not count).  With
 * copy == NULL it only measures (*out_len) and finds errors; with a buffer of *out_len bytes it
 * writes the literal with the script's `#` comments blanked (they are not the literal's: attrs
 * reads `//` and slash-star itself).  Moves p->line / p->line_start along; returns the end offset
 * in *out_end.
 */
static int scan_literal(parser *p, char *copy, size_t *out_len, size_t *out_end) {
#define PUT(ch)                                                                                    \
  do {                                                                                             \
    char ch_ = (ch); /* evaluated in both passes: it may advance i */                              \
    if (copy != NULL)                                                                              \
      copy[n] = ch_;                                                                               \
    n++;                                                                                           \
  } while (0)
  struct {
    char close;
    unsigned line, col;
  } stack[SEK_SCENARIO_MAX_DEPTH];
  size_t depth = 0, i = p->pos, n = 0;
  const char *t = p->text;
  if (t[i] == '@')
    PUT(t[i++]);
  for (;;) {
    if (i >= p->len)
      return fail_at(p, SEK_SCENARIO_ERR_LITERAL, stack[depth - 1].line, stack[depth - 1].col,
                     "this bracket is never closed: expected '%c' before the end of the script",
                     stack[depth - 1].close);
    char c = t[i];
    if (c == '\n') {
      PUT(t[i++]);
      p->line++;
      p->line_start = i;
    } else if (c == '"') {
      unsigned sl = p->line, sc = col_of(p, i);
      PUT(t[i++]);
      while (i < p->len && t[i] != '"' && t[i] != '\n') {
        if (t[i] == '\\' && i + 1 < p->len && t[i + 1] != '\n')
          PUT(t[i++]);
        PUT(t[i++]);
      }
      if (i >= p->len || t[i] != '"')
        return fail_at(p, SEK_SCENARIO_ERR_LITERAL, sl, sc,
                       "unterminated string in the attribute literal: expected '\"' before the "
                       "end of the line");
      PUT(t[i++]);
    } else if (c == '#' || (c == '/' && i + 1 < p->len && t[i + 1] == '/')) {
      bool blank = c == '#';
      while (i < p->len && t[i] != '\n') {
        PUT(blank ? ' ' : t[i]);
        i++;
      }
    } else if (c == '/' && i + 1 < p->len && t[i + 1] == '*') {
      unsigned sl = p->line, sc = col_of(p, i);
      PUT(t[i++]);
      PUT(t[i++]);
      while (i < p->len && !(t[i] == '*' && i + 1 < p->len && t[i + 1] == '/')) {
        if (t[i] == '\n') {
          p->line++;
          p->line_start = i + 1;
        }
        PUT(t[i++]);
      }
      if (i >= p->len)
        return fail_at(p, SEK_SCENARIO_ERR_LITERAL, sl, sc,
                       "unterminated comment: expected '*/' before the end of the script");
      PUT(t[i++]);
      PUT(t[i++]);
    } else if (c == '[' || c == '(' || c == '{') {
      if (depth == SEK_SCENARIO_MAX_DEPTH)
        return fail_at(p, SEK_SCENARIO_ERR_LIMIT, p->line, col_of(p, i),
                       "brackets nested deeper than %u", SEK_SCENARIO_MAX_DEPTH);
      stack[depth].close = c == '[' ? ']' : c == '(' ? ')' : '}';
      stack[depth].line = p->line;
      stack[depth].col = col_of(p, i);
      depth++;
      PUT(t[i++]);
    } else if (c == ']' || c == ')' || c == '}') {
      if (c != stack[depth - 1].close)
        return fail_at(p, SEK_SCENARIO_ERR_LITERAL, p->line, col_of(p, i),
                       "expected '%c' to close the bracket at %u:%u, found '%c'",
                       stack[depth - 1].close, stack[depth - 1].line, stack[depth - 1].col, c);
      PUT(t[i++]);
      if (--depth == 0)
        break;
    } else {
      PUT(t[i++]);
    }
  }
#undef PUT
  *out_len = n;
  *out_end = i;
  return SEK_OK;
}

/* An attribute literal at the cursor, parsed by sek_attrs_parse; errors point into the script. */
static int read_literal(parser *p, const char *verb, sek_attrs **out) {
  if (p->pos >= p->len ||
      (p->text[p->pos] != '[' &&
       !(p->text[p->pos] == '@' && p->pos + 1 < p->len && p->text[p->pos + 1] == '{'))) {
    char what[96];
    snprintf(what, sizeof what, "an attribute literal '[ ... ]' after '%s'", verb);
    return expected(p, SEK_SCENARIO_ERR_LITERAL, what);
  }
  const unsigned line0 = p->line, col0 = col_of(p, p->pos);
  const size_t start_line_start = p->line_start;
  size_t n, end;
  int st = scan_literal(p, NULL, &n, &end);
  if (st != SEK_OK)
    return st;
  char *copy = malloc(n + 1);
  if (copy == NULL)
    return nomem(p);
  p->line = line0; /* the second pass walks the same lines again */
  p->line_start = start_line_start;
  st = scan_literal(p, copy, &n, &end);
  if (st == SEK_OK) {
    sek_attrs_parse_error aerr;
    memset(&aerr, 0, sizeof aerr);
    sek_attrs *attrs = NULL;
    int ast = sek_attrs_parse(copy, n, &attrs, &aerr);
    if (ast == SEK_ERR_NOMEM) {
      st = nomem(p);
    } else if (ast != SEK_OK) {
      /* attrs counts from the literal's first byte; move its position into the script. */
      unsigned l = aerr.line == 0 ? 1 : aerr.line, c = aerr.col == 0 ? 1 : aerr.col;
      unsigned line = line0 + l - 1, col = l == 1 ? col0 + c - 1 : c;
      st = fail_at(p, SEK_SCENARIO_ERR_LITERAL, line, col, "attribute literal: %s",
                   aerr.message[0] != '\0' ? aerr.message : sek_strerror(ast));
    } else {
      *out = attrs;
      p->pos = end;
    }
  }
  free(copy);
  return st;
}

/* ---- statements: one function per verb word ---- */

typedef int (*verb_fn)(parser *p, const word *verb);

/* Marks the op as a call that following expectations check. */
static void became_call(parser *p) {
  p->last_call = p->s->num_ops - 1;
  p->in_expects = true;
}

static int parse_device(parser *p, const word *verb) {
  word w;
  bool got = next_word(p, &w);
  char choices[96] = "";
  for (size_t i = 0; i < N(device_choices); i++) {
    if (!span_is(verb->p, verb->len, device_choices[i].first))
      continue;
    if (got && span_is(w.p, w.len, device_choices[i].second)) {
      if (add_op(p, device_choices[i].verb, verb->col) == NULL)
        return nomem(p);
      return end_of_statement(p, device_choices[i].second);
    }
    size_t o = strlen(choices);
    snprintf(choices + o, sizeof choices - o, "%s'%s'", o == 0 ? "" : " or ",
             device_choices[i].second);
  }
  char what[160];
  snprintf(what, sizeof what, "%s after '%.*s'", choices, (int)verb->len, verb->p);
  p->pos = (size_t)(w.p - p->text);
  return expected(p, SEK_SCENARIO_ERR_SYNTAX, what);
}

/*
 * `device WORD...`: the device the run starts on.  It describes the device rather than changing
 * it, so it must come first: an emulator is made with it (sek_scenario_device_config) before
 * anything happens.  Each aspect may be named once; a device without a passcode has neither
 * biometry nor a lock screen (iOS enrolls Face ID / Touch ID only with a passcode set, and the
 * emulator refuses biometry without one: inferred from LAErrorPasscodeNotSet, apple-facts §4).
 */
static int parse_device_line(parser *p, const word *verb) {
  if (p->s->num_ops != 0)
    return fail_at(p, SEK_SCENARIO_ERR_ORDER, p->line, verb->col,
                   "'device' describes the device the run starts on: it must be the first "
                   "statement (line %u has the first one)",
                   p->s->ops[0].pub.line);
  op_slot *slot = add_op(p, SEK_VERB_DEVICE, verb->col);
  if (slot == NULL)
    return nomem(p);
  sek_scenario_op *op = &slot->pub;
  uint64_t named = 0; /* aspects named so far: the bit of the word or of its opposite */
  bool said_biometry = false;
  word w;
  size_t words = 0;
  while (!at_end(p)) {
    size_t i = 0;
    bool got = next_word(p, &w);
    while (got && i < N(device_words) && !span_is(w.p, w.len, device_words[i].word))
      i++;
    if (!got || i == N(device_words)) {
      p->pos = (size_t)(w.p - p->text);
      return expected(p, SEK_SCENARIO_ERR_SYNTAX,
                      "a device word: no-secure-enclave, no-passcode, no-biometry, locked (or "
                      "secure-enclave, passcode, biometry, unlocked)");
    }
    uint64_t aspect = device_words[i].bit | device_words[i].against;
    if (named & aspect)
      return fail_at(p, SEK_SCENARIO_ERR_SYNTAX, p->line, w.col,
                     "'%s' names an aspect of the device this line already set",
                     device_words[i].word);
    named |= aspect;
    op->number |= device_words[i].bit;
    said_biometry |= device_words[i].against == SEK_SCENARIO_DEVICE_NO_BIOMETRY;
    words++;
  }
  if (words == 0)
    return expected(p, SEK_SCENARIO_ERR_SYNTAX, "a device word after 'device' (no-secure-enclave, "
                                                "no-passcode, no-biometry, locked)");
  if ((op->number & SEK_SCENARIO_DEVICE_NO_PASSCODE) && said_biometry)
    return fail_at(p, SEK_SCENARIO_ERR_SYNTAX, p->line, verb->col,
                   "'biometry' needs a passcode: a device without one has no biometry enrolled");
  if ((op->number & SEK_SCENARIO_DEVICE_NO_PASSCODE) && (op->number & SEK_SCENARIO_DEVICE_LOCKED))
    return fail_at(p, SEK_SCENARIO_ERR_SYNTAX, p->line, verb->col,
                   "'locked' needs a passcode: a device without one has no lock screen");
  if (op->number & SEK_SCENARIO_DEVICE_NO_PASSCODE)
    op->number |= SEK_SCENARIO_DEVICE_NO_BIOMETRY;
  return SEK_OK;
}

int sek_scenario_device_config(const sek_scenario *s, sek_emu_config *cfg) {
  if (s == NULL || cfg == NULL)
    return SEK_ERR_ARG;
  if (s->num_ops == 0 || s->ops[0].pub.verb != SEK_VERB_DEVICE)
    return SEK_OK;
  uint64_t d = s->ops[0].pub.number;
  if (d & SEK_SCENARIO_DEVICE_NO_SECURE_ENCLAVE)
    cfg->has_secure_enclave = false;
  if (d & SEK_SCENARIO_DEVICE_NO_PASSCODE)
    cfg->passcode_set = false;
  if (d & SEK_SCENARIO_DEVICE_NO_BIOMETRY)
    cfg->biometry_enrolled = false;
  if (d & SEK_SCENARIO_DEVICE_LOCKED)
    cfg->locked = true;
  return SEK_OK;
}

static int parse_bare(parser *p, const word *verb) {
  static const struct {
    const char *word;
    sek_scenario_verb verb;
  } bare[] = {{"lock", SEK_VERB_LOCK}, {"unlock", SEK_VERB_UNLOCK}, {"reboot", SEK_VERB_REBOOT}};
  for (size_t i = 0; i < N(bare); i++)
    if (span_is(verb->p, verb->len, bare[i].word)) {
      if (add_op(p, bare[i].verb, verb->col) == NULL)
        return nomem(p);
      return end_of_statement(p, bare[i].word);
    }
  return SEK_ERR_INTERNAL; /* the verb table routes only these words here */
}

/* An emulator answer name in the script's spelling: '-' where the emulator writes '_'. */
static void answer_spelling(sek_emu_answer a, char *buf, size_t cap) {
  const char *name = sek_emu_answer_name(a);
  snprintf(buf, cap, "%s", name != NULL ? name : "?");
  for (char *c = buf; *c != '\0'; c++)
    if (*c == '_')
      *c = '-';
}

/*
 * The answers are the emulator's (sek_emu_answer_parse): one list of names, not two.  Scripts
 * write them with '-' (not-interactive); the emulator's '_' is accepted too.
 */
static int parse_answer(parser *p, const word *verb) {
  word w;
  if (next_word(p, &w) && w.len < 32) {
    char name[32];
    for (size_t i = 0; i < w.len; i++)
      name[i] = w.p[i] == '-' ? '_' : w.p[i];
    name[w.len] = '\0';
    sek_emu_answer a;
    if (sek_emu_answer_parse(name, &a) == SEK_OK) {
      op_slot *o = add_op(p, SEK_VERB_ANSWER, verb->col);
      if (o == NULL)
        return nomem(p);
      o->pub.answer = a;
      return end_of_statement(p, "the answer");
    }
  }
  char what[256] = "an answer after 'answer' (";
  for (int a = 0; sek_emu_answer_name((sek_emu_answer)a) != NULL; a++) {
    char spelled[32];
    answer_spelling((sek_emu_answer)a, spelled, sizeof spelled);
    size_t len = strlen(what);
    snprintf(what + len, sizeof what - len, "%s%s", a == 0 ? "" : ", ", spelled);
  }
  size_t len = strlen(what);
  snprintf(what + len, sizeof what - len, ")");
  p->pos = (size_t)(w.p - p->text);
  return expected(p, SEK_SCENARIO_ERR_SYNTAX, what);
}

static int parse_fault(parser *p, const word *verb) {
  word w;
  bool got = next_word(p, &w);
  if (got && span_is(w.p, w.len, "policy")) {
    size_t key;
    int st = read_bound_key(p, "fault policy", &key);
    if (st != SEK_OK)
      return st;
    op_slot *o = add_op(p, SEK_VERB_FAULT_POLICY, verb->col);
    if (o == NULL)
      return nomem(p);
    o->pub.key = key;
    return end_of_statement(p, "the key name");
  }
  if (got && span_is(w.p, w.len, "store-io")) {
    uint64_t n = 1;
    if (!at_end(p)) {
      int st = read_count(p, "a count N of failing store operations after 'fault store-io'", 1,
                          SEK_SCENARIO_MAX_NUMBER, &n);
      if (st != SEK_OK)
        return st;
    }
    op_slot *o = add_op(p, SEK_VERB_FAULT_STORE_IO, verb->col);
    if (o == NULL)
      return nomem(p);
    o->pub.number = n;
    return end_of_statement(p, "'store-io N'");
  }
  if (got && span_is(w.p, w.len, "alloc")) {
    uint64_t n;
    int st =
        read_count(p, "an allocation number N after 'fault alloc'", 1, SEK_SCENARIO_MAX_NUMBER, &n);
    if (st != SEK_OK)
      return st;
    op_slot *o = add_op(p, SEK_VERB_FAULT_ALLOC, verb->col);
    if (o == NULL)
      return nomem(p);
    o->pub.number = n;
    return end_of_statement(p, "the allocation number");
  }
  p->pos = (size_t)(w.p - p->text);
  return expected(p, SEK_SCENARIO_ERR_SYNTAX,
                  "'policy KEYNAME', 'store-io [N]' or 'alloc N' after 'fault'");
}

/* create KEY LITERAL / find KEY LITERAL */
static int parse_create_find(parser *p, const word *verb) {
  bool create = span_is(verb->p, verb->len, "create");
  const char *name = create ? "create" : "find";
  size_t key;
  int st = read_key(p, name, &key);
  if (st != SEK_OK)
    return st;
  skip_blanks(p);
  sek_attrs *attrs = NULL;
  st = read_literal(p, name, &attrs);
  if (st != SEK_OK)
    return st;
  op_slot *o = add_op(p, create ? SEK_VERB_CREATE : SEK_VERB_FIND, verb->col);
  if (o == NULL) {
    sek_attrs_free(attrs);
    return nomem(p);
  }
  o->attrs = attrs;
  o->pub.attrs = attrs;
  o->pub.key = key;
  p->bound[key] = true;
  if (create)
    p->created[key] = true;
  became_call(p);
  return end_of_statement(p, "the attribute literal");
}

static int parse_sign(parser *p, const word *verb) {
  size_t key;
  int st = read_bound_key(p, "sign", &key);
  if (st != SEK_OK)
    return st;
  op_slot *o = add_op(p, SEK_VERB_SIGN, verb->col);
  if (o == NULL)
    return nomem(p);
  o->pub.key = key;
  o->pub.algorithm = DEFAULT_ALGORITHM;
  const char *msg_what = "a message (\"text\" or hex:HEX) after 'sign KEYNAME [ALGORITHM]'";
  skip_blanks(p);
  if (p->pos < p->len && p->text[p->pos] == '"') {
    st = read_message(p, NULL, o);
  } else {
    word w;
    if (!next_word(p, &w))
      return expected(p, SEK_SCENARIO_ERR_SYNTAX, msg_what);
    if (has_hex_prefix(&w)) {
      st = read_message(p, &w, o);
    } else {
      const char *raw = sek_scenario_algorithm_lookup(w.p, w.len);
      if (raw == NULL && w.len > 6 && memcmp(w.p, "algid:", 6) == 0)
        raw = keep(p->s, w.p, w.len); /* passed through: the backend judges it */
      if (raw == NULL) {
        char q[64];
        quote(q, sizeof q, w.p, w.len);
        return fail_at(p, SEK_SCENARIO_ERR_SYNTAX, p->line, w.col,
                       "expected an ECDSA algorithm (e.g. ecdsaSignatureMessageX962SHA256 or "
                       "algid:...) or a message, found '%s'",
                       q);
      }
      o->pub.algorithm = raw;
      skip_blanks(p);
      if (p->pos < p->len && p->text[p->pos] == '"') {
        st = read_message(p, NULL, o);
      } else if (next_word(p, &w) && has_hex_prefix(&w)) {
        st = read_message(p, &w, o);
      } else {
        p->pos = (size_t)(w.p - p->text);
        return expected(p, SEK_SCENARIO_ERR_SYNTAX, msg_what);
      }
    }
  }
  if (st != SEK_OK)
    return st;
  p->signed_[key] = true;
  became_call(p);
  return end_of_statement(p, "the message");
}

static int parse_verify(parser *p, const word *verb) {
  size_t key;
  int st = read_bound_key(p, "verify", &key);
  if (st != SEK_OK)
    return st;
  if (!p->signed_[key])
    return fail_at(p, SEK_SCENARIO_ERR_NAME, p->line, verb->col,
                   "'verify %s' checks the last signature of '%s': expected an earlier "
                   "'sign %s'",
                   p->s->names[key], p->s->names[key], p->s->names[key]);
  op_slot *o = add_op(p, SEK_VERB_VERIFY, verb->col);
  if (o == NULL)
    return nomem(p);
  o->pub.key = key;
  skip_blanks(p);
  if (p->pos < p->len && p->text[p->pos] == '"') {
    st = read_message(p, NULL, o);
  } else if (!at_end(p)) {
    word w;
    if (next_word(p, &w) && has_hex_prefix(&w)) {
      st = read_message(p, &w, o);
    } else {
      p->pos = (size_t)(w.p - p->text);
      return expected(p, SEK_SCENARIO_ERR_SYNTAX,
                      "a message (\"text\" or hex:HEX) or the end of the line after 'verify "
                      "KEYNAME'");
    }
  }
  if (st != SEK_OK)
    return st;
  became_call(p);
  return end_of_statement(p, "'verify KEYNAME [MESSAGE]'");
}

static int parse_pubkey(parser *p, const word *verb) {
  size_t key;
  int st = read_bound_key(p, "pubkey", &key);
  if (st != SEK_OK)
    return st;
  op_slot *o = add_op(p, SEK_VERB_PUBKEY, verb->col);
  if (o == NULL)
    return nomem(p);
  o->pub.key = key;
  became_call(p);
  return end_of_statement(p, "the key name");
}

static int parse_delete(parser *p, const word *verb) {
  skip_blanks(p);
  if (p->pos < p->len && (p->text[p->pos] == '[' || p->text[p->pos] == '@')) {
    sek_attrs *attrs = NULL;
    int st = read_literal(p, "delete", &attrs);
    if (st != SEK_OK)
      return st;
    op_slot *o = add_op(p, SEK_VERB_DELETE_QUERY, verb->col);
    if (o == NULL) {
      sek_attrs_free(attrs);
      return nomem(p);
    }
    o->attrs = attrs;
    o->pub.attrs = attrs;
    became_call(p);
    return end_of_statement(p, "the query literal");
  }
  if (at_end(p))
    return expected(p, SEK_SCENARIO_ERR_SYNTAX,
                    "a key name or a query literal '[ ... ]' after 'delete'");
  size_t key;
  int st = read_bound_key(p, "delete", &key);
  if (st != SEK_OK)
    return st;
  op_slot *o = add_op(p, SEK_VERB_DELETE_KEY, verb->col);
  if (o == NULL)
    return nomem(p);
  o->pub.key = key;
  became_call(p);
  return end_of_statement(p, "the key name");
}

static int parse_reenroll(parser *p, const word *verb) {
  size_t key;
  int st = read_bound_key(p, "reenroll", &key);
  if (st != SEK_OK)
    return st;
  if (!p->created[key])
    return fail_at(p, SEK_SCENARIO_ERR_NAME, p->line, verb->col,
                   "'reenroll %s' creates the key again with its attributes: expected an "
                   "earlier 'create %s'",
                   p->s->names[key], p->s->names[key]);
  op_slot *o = add_op(p, SEK_VERB_REENROLL, verb->col);
  if (o == NULL)
    return nomem(p);
  o->pub.key = key;
  became_call(p);
  return end_of_statement(p, "the key name");
}

/* `expect error DOMAIN CODE {KEY=VALUE}` */
static int parse_expect_error(parser *p, op_slot *o) {
  word w;
  if (!next_word(p, &w))
    return expected(p, SEK_SCENARIO_ERR_SYNTAX,
                    "an error domain after 'expect error' (e.g. CryptoTokenKit, "
                    "NSOSStatusErrorDomain, com.apple.LocalAuthentication)");
  o->pub.domain = keep(p->s, w.p, w.len);
  if (o->pub.domain == NULL)
    return nomem(p);
  long long code;
  if (!next_word(p, &w))
    return expected(p, SEK_SCENARIO_ERR_SYNTAX, "an error code after 'expect error DOMAIN'");
  if (!parse_signed(w.p, w.len, INT32_MIN, INT32_MAX, &code)) {
    char q[64];
    quote(q, sizeof q, w.p, w.len);
    return fail_at(p, SEK_SCENARIO_ERR_SYNTAX, p->line, w.col,
                   "expected an error code (a decimal 32-bit integer, e.g. -25300), found '%s'", q);
  }
  o->pub.code = (long)code;
  sek_scenario_info info[SEK_SCENARIO_MAX_INFO];
  size_t num = 0;
  while (!at_end(p)) {
    if (!next_word(p, &w) || memchr(w.p, '=', w.len) == NULL) {
      p->pos = (size_t)(w.p - p->text);
      return expected(p, SEK_SCENARIO_ERR_SYNTAX,
                      "a user-info check KEY=INTEGER or KEY=\"text\" (e.g. AKSError=-536362999) "
                      "or the end of the line");
    }
    if (num == SEK_SCENARIO_MAX_INFO)
      return fail_at(p, SEK_SCENARIO_ERR_LIMIT, p->line, w.col,
                     "more than %u user-info checks on one line", SEK_SCENARIO_MAX_INFO);
    size_t klen = (size_t)((const char *)memchr(w.p, '=', w.len) - w.p);
    for (size_t i = 0; i < klen; i++)
      if (!name_char(w.p[i], false) || w.p[i] == '.' || w.p[i] == '-')
        klen = 0;
    if (klen == 0)
      return fail_at(p, SEK_SCENARIO_ERR_SYNTAX, p->line, w.col,
                     "expected a user-info key (letters, digits, '_') before '='");
    info[num].key = keep(p->s, w.p, klen);
    if (info[num].key == NULL)
      return nomem(p);
    const char *v = w.p + klen + 1;
    size_t vlen = w.len - klen - 1;
    if (vlen == 0 && p->pos < p->len && p->text[p->pos] == '"') {
      const char *str;
      size_t slen;
      int st = read_string(p, &str, &slen);
      if (st != SEK_OK)
        return st;
      if (memchr(str, '\0', slen) != NULL)
        return fail_at(p, SEK_SCENARIO_ERR_SYNTAX, p->line, w.col,
                       "a user-info string cannot hold a NUL byte");
      info[num].is_number = false;
      info[num].string = str;
    } else if (parse_signed(v, vlen, LLONG_MIN, LLONG_MAX, &info[num].number)) {
      info[num].is_number = true;
      info[num].string = NULL;
    } else {
      return fail_at(p, SEK_SCENARIO_ERR_SYNTAX, p->line, w.col + (unsigned)klen + 1,
                     "expected a decimal integer or a \"string\" after '%s='", info[num].key);
    }
    num++;
  }
  if (num > 0) {
    o->info = malloc(num * sizeof *info);
    if (o->info == NULL)
      return nomem(p);
    memcpy(o->info, info, num * sizeof *info);
    o->pub.info = o->info;
    o->pub.num_info = num;
  }
  return SEK_OK;
}

static int parse_expect(parser *p, const word *verb) {
  word w;
  static const struct {
    const char *word;
    sek_scenario_verb verb;
  } kinds[] = {{"ok", SEK_VERB_EXPECT_OK},
               {"error", SEK_VERB_EXPECT_ERROR},
               {"action", SEK_VERB_EXPECT_ACTION},
               {"permanent", SEK_VERB_EXPECT_PERMANENT},
               {"count", SEK_VERB_EXPECT_COUNT}};
  bool got = next_word(p, &w);
  size_t k = 0;
  while (k < N(kinds) && !(got && span_is(w.p, w.len, kinds[k].word)))
    k++;
  if (k == N(kinds)) {
    p->pos = (size_t)(w.p - p->text);
    return expected(p, SEK_SCENARIO_ERR_SYNTAX,
                    "'ok', 'error', 'action', 'permanent' or 'count' after 'expect'");
  }
  if (!p->in_expects) {
    if (p->last_call == SIZE_MAX)
      return fail_at(p, SEK_SCENARIO_ERR_ORDER, p->line, verb->col,
                     "an expectation checks the call before it: expected a create, find, sign, "
                     "verify, pubkey, delete or reenroll before this line");
    const sek_scenario_op *last = &p->s->ops[p->s->num_ops - 1].pub;
    return fail_at(p, SEK_SCENARIO_ERR_ORDER, p->line, verb->col,
                   "an expectation checks the call right before it, but line %u ('%s') stands "
                   "between it and the call at line %u",
                   last->line, sek_scenario_verb_name(last->verb),
                   p->s->ops[p->last_call].pub.line);
  }
  const sek_scenario_op *call = &p->s->ops[p->last_call].pub;
  if (kinds[k].verb == SEK_VERB_EXPECT_COUNT && call->verb != SEK_VERB_FIND)
    return fail_at(p, SEK_SCENARIO_ERR_ORDER, p->line, verb->col,
                   "'expect count' checks a find, but the call at line %u is '%s'", call->line,
                   sek_scenario_verb_name(call->verb));
  op_slot *o = add_op(p, kinds[k].verb, verb->col);
  if (o == NULL)
    return nomem(p);
  o->pub.call = p->last_call;
  int st = SEK_OK;
  switch (kinds[k].verb) {
  case SEK_VERB_EXPECT_ERROR: st = parse_expect_error(p, o); break;
  case SEK_VERB_EXPECT_ACTION: {
    char list[192] = "";
    bool have = next_word(p, &w);
    for (int a = SEK_ACTION_RETRY; a <= SEK_ACTION_UNKNOWN; a++) {
      const char *name = sek_action_name((sek_action)a);
      if (have && span_is(w.p, w.len, name)) {
        o->pub.action = (sek_action)a;
        return end_of_statement(p, "the action");
      }
      size_t len = strlen(list);
      snprintf(list + len, sizeof list - len, "%s%s", len == 0 ? "" : ", ", name);
    }
    char what[256];
    snprintf(what, sizeof what, "an action after 'expect action' (%s)", list);
    p->pos = (size_t)(w.p - p->text);
    return expected(p, SEK_SCENARIO_ERR_SYNTAX, what);
  }
  case SEK_VERB_EXPECT_PERMANENT: {
    static const struct {
      const char *word;
      sek_permanence value;
    } perm[] = {
        {"yes", SEK_PERMANENT_YES}, {"no", SEK_PERMANENT_NO}, {"unknown", SEK_PERMANENT_UNKNOWN}};
    o->pub.permanence = SEK_PERMANENT_YES;
    if (at_end(p))
      break;
    bool have = next_word(p, &w);
    for (size_t i = 0; i < N(perm); i++)
      if (have && span_is(w.p, w.len, perm[i].word)) {
        o->pub.permanence = perm[i].value;
        return end_of_statement(p, "the permanence");
      }
    p->pos = (size_t)(w.p - p->text);
    return expected(p, SEK_SCENARIO_ERR_SYNTAX,
                    "'yes', 'no', 'unknown' or the end of the line after 'expect permanent'");
  }
  case SEK_VERB_EXPECT_COUNT:
    st = read_count(p, "a count after 'expect count'", 0, SEK_SCENARIO_MAX_NUMBER, &o->pub.number);
    break;
  default: break;
  }
  if (st != SEK_OK)
    return st;
  return end_of_statement(p, kinds[k].word);
}

static const struct {
  const char *word;
  verb_fn parse;
  bool is_call;
} verbs[] = {
    {"device", parse_device_line, false},
    {"biometry", parse_device, false}, {"passcode", parse_device, false},
    {"lock", parse_bare, false},       {"unlock", parse_bare, false},
    {"reboot", parse_bare, false},     {"answer", parse_answer, false},
    {"fault", parse_fault, false},     {"create", parse_create_find, true},
    {"find", parse_create_find, true}, {"sign", parse_sign, true},
    {"verify", parse_verify, true},    {"pubkey", parse_pubkey, true},
    {"delete", parse_delete, true},    {"reenroll", parse_reenroll, true},
    {"expect", parse_expect, false},
};

static int parse_statement(parser *p) {
  word verb;
  if (!next_word(p, &verb)) {
    /* a line starting with '"' or '[' */
    return expected(p, SEK_SCENARIO_ERR_VERB, "a verb at the start of the statement");
  }
  const unsigned line = p->line;
  for (size_t i = 0; i < N(verbs); i++)
    if (span_is(verb.p, verb.len, verbs[i].word)) {
      if (!verbs[i].is_call && verbs[i].parse != parse_expect)
        p->in_expects = false;
      size_t before = p->s->num_ops;
      int st = verbs[i].parse(p, &verb);
      if (st == SEK_OK && p->s->num_ops > before)
        p->s->ops[p->s->num_ops - 1].pub.line = line; /* a literal may have moved the cursor */
      return st;
    }
  char list[256] = "";
  for (size_t i = 0; i < N(verbs); i++) {
    size_t len = strlen(list);
    snprintf(list + len, sizeof list - len, "%s%s", i == 0 ? "" : ", ", verbs[i].word);
  }
  char q[64];
  quote(q, sizeof q, verb.p, verb.len);
  return fail_at(p, SEK_SCENARIO_ERR_VERB, line, verb.col, "unknown verb '%s': expected one of %s",
                 q, list);
}

int sek_scenario_parse(const char *text, size_t len, sek_scenario **out, sek_scenario_error *err) {
  if ((text == NULL && len > 0) || out == NULL)
    return SEK_ERR_ARG;
  parser p;
  memset(&p, 0, sizeof p);
  p.text = text == NULL ? "" : text;
  p.len = len;
  p.line = 1;
  p.err = err;
  p.last_call = SIZE_MAX;
  int st = check_text(&p);
  if (st != SEK_OK)
    return st;
  p.s = calloc(1, sizeof *p.s);
  if (p.s == NULL)
    return nomem(&p);
  while (st == SEK_OK && p.pos < p.len) {
    if (!at_end(&p))
      st = parse_statement(&p);
    if (st == SEK_OK)
      next_line(&p); /* the statement checked that only a comment is left */
    if (p.pos >= p.len)
      break;
  }
  if (st != SEK_OK) {
    sek_scenario_free(p.s);
    return st;
  }
  *out = p.s;
  return SEK_OK;
}

/* ---- the printer -------------------------------------------------------------------------- */

/*
 * The printer writes to a memory stream (POSIX open_memstream).  failed records what the
 * stream cannot: sek_attrs_print running out of memory.
 */
typedef struct {
  FILE *f;
  bool failed;
} strbuf;

static void sb_add(strbuf *b, const char *s, size_t n) { fwrite(s, 1, n, b->f); }

static void sb_str(strbuf *b, const char *s) { fputs(s, b->f); }

static void sb_fmt(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_fmt(strbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(b->f, fmt, ap);
  va_end(ap);
}

/*
 * A "..." string with the escapes the parser reads, never longer than any source spelling of
 * the same bytes: bytes >= 0x80 are written raw (the parser takes them in strings), \n \t \r \0
 * by their short escapes, other control bytes as \xHH (their only spelling).
 */
static size_t quoted_len(const uint8_t *s, size_t n) {
  size_t len = 2;
  for (size_t i = 0; i < n; i++) {
    uint8_t c = s[i];
    if (c == '"' || c == '\\' || c == '\n' || c == '\t' || c == '\r' || c == 0)
      len += 2;
    else if (c < 0x20 || c == 0x7f)
      len += 4;
    else
      len += 1;
  }
  return len;
}

static void sb_quoted(strbuf *b, const uint8_t *s, size_t n) {
  static const char from[] = "\"\\\n\t\r", to[] = "\"\\ntr";
  sb_str(b, "\"");
  for (size_t i = 0; i < n; i++) {
    uint8_t c = s[i];
    const char *hit = c != 0 ? strchr(from, c) : NULL;
    if (hit != NULL) {
      char e[2] = {'\\', to[hit - from]};
      sb_add(b, e, 2);
    } else if (c == 0) {
      sb_add(b, "\\0", 2);
    } else if (c < 0x20 || c == 0x7f) {
      sb_fmt(b, "\\x%02x", c);
    } else {
      char e = (char)c;
      sb_add(b, &e, 1);
    }
  }
  sb_str(b, "\"");
}

/* A message in the shorter of its two forms (a tie goes to the readable string). */
static void sb_message(strbuf *b, const uint8_t *m, size_t n) {
  if (quoted_len(m, n) <= 4 + 2 * n) {
    sb_quoted(b, m, n);
    return;
  }
  sb_str(b, "hex:");
  for (size_t i = 0; i < n; i++)
    sb_fmt(b, "%02x", m[i]);
}

/*
 * The canonical literal folded onto one line: outside strings, a newline and the indentation
 * after it become one space.  (sek_attrs_print escapes control bytes inside strings.)
 */
static void sb_literal(strbuf *b, const sek_attrs *a) {
  char *text = sek_attrs_print(a);
  if (text == NULL) {
    b->failed = true;
    return;
  }
  /* Room for "create NAME " before it: a literal that would not fit on one line keeps the
     printer's one-entry-per-line form (a literal may span lines). */
  if (strlen(text) > SEK_SCENARIO_MAX_LINE_LEN - (SEK_SCENARIO_MAX_NAME + 16)) {
    sb_str(b, text);
    free(text);
    return;
  }
  /* A comma is held back until what follows it is known: the printer's trailing comma before
     a closing bracket reads better without it on one line. */
  bool in_string = false, comma = false;
  char prev = '\0';
  for (size_t i = 0; text[i] != '\0'; i++) {
    char c = text[i];
    if (!in_string && c == '\n') {
      while (text[i + 1] == ' ')
        i++;
      bool closing = text[i + 1] == ']' || text[i + 1] == '}';
      if (comma && !closing)
        sb_add(b, ",", 1);
      comma = false;
      if (prev != '[' && prev != '{' && !closing && text[i + 1] != '\0') {
        sb_add(b, " ", 1);
        prev = ' ';
      }
      continue;
    }
    if (comma) {
      sb_add(b, ",", 1);
      comma = false;
    }
    if (in_string) {
      if (c == '\\' && text[i + 1] != '\0') {
        sb_add(b, text + i, 2);
        i++;
        prev = text[i];
        continue;
      }
      if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == ',') {
      comma = true;
      prev = c;
      continue;
    }
    sb_add(b, &c, 1);
    prev = c;
  }
  if (comma)
    sb_add(b, ",", 1);
  free(text);
}

static void print_op(strbuf *b, const sek_scenario *s, const sek_scenario_op *op) {
  const char *key = op->key < s->num_names ? s->names[op->key] : "";
  switch (op->verb) {
  case SEK_VERB_ANSWER: {
    char spelled[32];
    answer_spelling(op->answer, spelled, sizeof spelled);
    sb_str(b, "answer ");
    sb_str(b, spelled);
    break;
  }
  case SEK_VERB_DEVICE:
    /* the non-default words; a line of defaults only prints as the first default word */
    sb_str(b, op->number == 0 ? "device secure-enclave" : "device");
    for (size_t i = 0; i < N(device_words); i++)
      if (device_words[i].bit & op->number &&
          /* no-biometry follows from no-passcode: not written twice */
          !(device_words[i].bit == SEK_SCENARIO_DEVICE_NO_BIOMETRY &&
            (op->number & SEK_SCENARIO_DEVICE_NO_PASSCODE))) {
        sb_str(b, " ");
        sb_str(b, device_words[i].word);
      }
    break;
  case SEK_VERB_FAULT_STORE_IO: sb_fmt(b, "fault store-io %" PRIu64, op->number); break;
  case SEK_VERB_FAULT_ALLOC: sb_fmt(b, "fault alloc %" PRIu64, op->number); break;
  case SEK_VERB_FAULT_POLICY:
  case SEK_VERB_PUBKEY:
  case SEK_VERB_DELETE_KEY:
  case SEK_VERB_REENROLL:
    sb_str(b, sek_scenario_verb_name(op->verb));
    sb_str(b, " ");
    sb_str(b, key);
    break;
  case SEK_VERB_CREATE:
  case SEK_VERB_FIND:
    sb_str(b, sek_scenario_verb_name(op->verb));
    sb_str(b, " ");
    sb_str(b, key);
    sb_str(b, " ");
    sb_literal(b, op->attrs);
    break;
  case SEK_VERB_DELETE_QUERY:
    sb_str(b, "delete ");
    sb_literal(b, op->attrs);
    break;
  case SEK_VERB_SIGN: {
    /* the default algorithm is not written: a print is never longer than its source line */
    const char *suffix = algorithm_swift_suffix(op->algorithm);
    sb_str(b, "sign ");
    sb_str(b, key);
    if (strcmp(op->algorithm, DEFAULT_ALGORITHM) != 0) {
      sb_str(b, suffix != NULL ? " ecdsaSignature" : " ");
      sb_str(b, suffix != NULL ? suffix : op->algorithm);
    }
    sb_str(b, " ");
    sb_message(b, op->message, op->message_len);
    break;
  }
  case SEK_VERB_VERIFY:
    sb_str(b, "verify ");
    sb_str(b, key);
    if (op->has_message) {
      sb_str(b, " ");
      sb_message(b, op->message, op->message_len);
    }
    break;
  case SEK_VERB_EXPECT_ERROR:
    sb_str(b, "expect error ");
    sb_str(b, op->domain);
    sb_fmt(b, " %ld", op->code);
    for (size_t i = 0; i < op->num_info; i++) {
      sb_str(b, " ");
      sb_str(b, op->info[i].key);
      sb_str(b, "=");
      if (op->info[i].is_number)
        sb_fmt(b, "%lld", op->info[i].number);
      else
        sb_quoted(b, (const uint8_t *)op->info[i].string, strlen(op->info[i].string));
    }
    break;
  case SEK_VERB_EXPECT_ACTION:
    sb_str(b, "expect action ");
    sb_str(b, sek_action_name(op->action));
    break;
  case SEK_VERB_EXPECT_PERMANENT:
    sb_str(b, op->permanence == SEK_PERMANENT_YES  ? "expect permanent yes"
              : op->permanence == SEK_PERMANENT_NO ? "expect permanent no"
                                                   : "expect permanent unknown");
    break;
  case SEK_VERB_EXPECT_COUNT: sb_fmt(b, "expect count %" PRIu64, op->number); break;
  default: /* verbs without arguments */ sb_str(b, sek_scenario_verb_name(op->verb)); break;
  }
}

/* Runs one printer into a new string; NULL when memory runs out anywhere. */
static char *print_to_string(const sek_scenario *s, size_t first, size_t end, bool newlines) {
  char *buf = NULL;
  size_t len = 0;
  strbuf b = {open_memstream(&buf, &len), false};
  if (b.f == NULL)
    return NULL;
  for (size_t i = first; i < end; i++) {
    print_op(&b, s, &s->ops[i].pub);
    if (newlines)
      sb_add(&b, "\n", 1);
  }
  bool bad = ferror(b.f) != 0;
  if (fclose(b.f) != 0 || bad || b.failed) {
    free(buf);
    return NULL;
  }
  return buf;
}

char *sek_scenario_op_print(const sek_scenario *s, size_t i) {
  if (s == NULL || i >= s->num_ops)
    return NULL;
  return print_to_string(s, i, i + 1, false);
}

char *sek_scenario_print(const sek_scenario *s) {
  if (s == NULL)
    return NULL;
  return print_to_string(s, 0, s->num_ops, true);
}
