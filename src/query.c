/*
 * query.c: SecItemCopyMatching / SecItemDelete query semantics (include/sek/query.h).
 *
 * Three tables hold the knowledge: the modelled columns of the `keys` table (apple-facts §8),
 * the query keys that are not attributes (class, match limit, return, use options), and the
 * rules by which Security refuses a query, each with its evidence.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <sek/query.h>

/* ---- the columns ------------------------------------------------------------------------- */

#define SCHEMA "[SEC:Schema] §8"
#define I SEK_COLKIND_INTEGER
#define B SEK_COLKIND_BLOB
#define T SEK_COLKIND_TEXT
#define R SEK_COLKIND_REAL

/* name, kind, sha1, unique, indexed, not_null, boolean, evidence — in table order. */
static const sek_column_info columns[SEK_COL_COUNT] = {
    [SEK_COL_CDAT] = {"cdat", R, false, false, false, false, false, SCHEMA},
    [SEK_COL_MDAT] = {"mdat", R, false, false, false, false, false, SCHEMA},
    [SEK_COL_KCLS] = {"kcls", I, true, true, true, true, false, SCHEMA " (S flag)"},
    [SEK_COL_LABL] = {"labl", B, true, false, false, false, false, SCHEMA " (S flag)"},
    [SEK_COL_ALIS] = {"alis", B, true, false, true, false, false, SCHEMA " (S flag)"},
    [SEK_COL_PERM] = {"perm", I, false, false, false, false, true, SCHEMA},
    [SEK_COL_PRIV] = {"priv", I, false, false, false, false, true, SCHEMA},
    [SEK_COL_MODI] = {"modi", I, false, false, false, false, true, SCHEMA},
    [SEK_COL_KLBL] = {"klbl", B, false, true, true, true, false, SCHEMA},
    [SEK_COL_ATAG] = {"atag", B, true, true, true, true, false, SCHEMA " (S flag)"},
    [SEK_COL_CRTR] = {"crtr", I, false, true, true, true, false, SCHEMA},
    [SEK_COL_TYPE] = {"type", I, false, true, true, true, false, SCHEMA},
    [SEK_COL_BSIZ] = {"bsiz", I, false, true, true, true, false, SCHEMA},
    [SEK_COL_ESIZ] = {"esiz", I, false, true, true, true, false, SCHEMA},
    [SEK_COL_SDAT] = {"sdat", R, false, true, true, true, false, SCHEMA},
    [SEK_COL_EDAT] = {"edat", R, false, true, true, true, false, SCHEMA},
    [SEK_COL_SENS] = {"sens", I, false, false, false, false, true, SCHEMA},
    [SEK_COL_ASEN] = {"asen", I, false, false, false, false, true, SCHEMA},
    [SEK_COL_EXTR] = {"extr", I, false, false, false, false, true, SCHEMA},
    [SEK_COL_NEXT] = {"next", I, false, false, false, false, true, SCHEMA},
    [SEK_COL_ENCR] = {"encr", I, false, false, true, false, true, SCHEMA},
    [SEK_COL_DECR] = {"decr", I, false, false, true, false, true, SCHEMA},
    [SEK_COL_DRVE] = {"drve", I, false, false, true, false, true, SCHEMA},
    [SEK_COL_SIGN] = {"sign", I, false, false, true, false, true, SCHEMA},
    [SEK_COL_VRFY] = {"vrfy", I, false, false, true, false, true, SCHEMA},
    [SEK_COL_SNRC] = {"snrc", I, false, false, false, false, true, SCHEMA},
    [SEK_COL_VYRC] = {"vyrc", I, false, false, false, false, true, SCHEMA},
    [SEK_COL_WRAP] = {"wrap", I, false, false, true, false, true, SCHEMA},
    [SEK_COL_UNWP] = {"unwp", I, false, false, true, false, true, SCHEMA},
    [SEK_COL_AGRP] = {"agrp", T, false, true, false, true, false, SCHEMA},
    [SEK_COL_PDMN] = {"pdmn", T, false, false, false, false, false, SCHEMA},
    [SEK_COL_SYNC] = {"sync", I, false, true, false, true, true, SCHEMA},
    [SEK_COL_VWHT] = {"vwht", T, false, true, true, false, false,
                      SCHEMA "; stored as '' when unset so that the UNIQUE key compares it"},
    [SEK_COL_TKID] = {"tkid", T, false, true, true, false, false, SCHEMA},
    [SEK_COL_GGRP] = {"ggrp", T, false, true, true, false, false,
                      SCHEMA " (stored as '' when unset: NULLs not allowed in composite key)"},
};
#undef I
#undef B
#undef T
#undef R

const sek_column_info *sek_column_info_at(sek_column c) {
  return (unsigned)c < SEK_COL_COUNT ? &columns[c] : NULL;
}

int sek_column_find(const char *raw_key, sek_column *out) {
  if (raw_key == NULL || out == NULL)
    return SEK_ERR_ARG;
  for (size_t i = 0; i < SEK_COL_COUNT; i++)
    if (strcmp(columns[i].name, raw_key) == 0) {
      *out = (sek_column)i;
      return SEK_OK;
    }
  return SEK_ERR_ARG;
}

/* ---- the other query keys ---------------------------------------------------------------- */

typedef enum {
  KEY_CLASS,
  KEY_LIMIT,
  KEY_RETURN,
  KEY_PROMPT,
  KEY_AUTH_UI,
  KEY_NO_AUTH_UI,
  KEY_IGNORED,           /* accepted, no effect on which items match */
  KEY_MATCH_UNSUPPORTED, /* a certificate/identity search option */
  KEY_VALUE_UNSUPPORTED, /* v_Ref & co, accc: not a matchable attribute */
} key_role;

static const struct {
  const char *raw;
  key_role role;
  unsigned bit; /* KEY_RETURN: the SEK_RETURN_ bit */
  const char *evidence;
} query_keys[] = {
    {"class", KEY_CLASS, 0, "[SEC:Const] kSecClass"},
    {"m_Limit", KEY_LIMIT, 0, "[SEC:Const] kSecMatchLimit; [SEC:SecItem.h] default One"},
    {"r_Ref", KEY_RETURN, SEK_RETURN_REF, "[SEC:Const]"},
    {"r_Attributes", KEY_RETURN, SEK_RETURN_ATTRIBUTES, "[SEC:Const]"},
    {"r_Data", KEY_RETURN, SEK_RETURN_DATA, "[SEC:Const]"},
    {"r_PersistentRef", KEY_RETURN, SEK_RETURN_PERSISTENT_REF, "[SEC:Const]"},
    {"u_OpPrompt", KEY_PROMPT, 0, "[SEC:Const] kSecUseOperationPrompt"},
    {"u_AuthUI", KEY_AUTH_UI, 0, "[SEC:Const] kSecUseAuthenticationUI (u_AuthUIA/F/S)"},
    {"u_NoAuthUI", KEY_NO_AUTH_UI, 0, "[SEC:Const] kSecUseNoAuthenticationUI (deprecated)"},
    {"u_AuthCtx", KEY_IGNORED, 0, "[SEC:Const] kSecUseAuthenticationContext: for the operation"},
    {"u_CredRef", KEY_IGNORED, 0, "[SEC:Const]"},
    {"u_CallerName", KEY_IGNORED, 0, "[SEC:Const]"},
    {"nleg", KEY_IGNORED, 0, "[SEC:Const] kSecUseDataProtectionKeychain: always on iOS"},
    {"m_Policy", KEY_MATCH_UNSUPPORTED, 0, "[SEC:Const]"},
    {"m_ItemList", KEY_MATCH_UNSUPPORTED, 0, "[SEC:Const]"},
    {"m_SearchList", KEY_MATCH_UNSUPPORTED, 0, "[SEC:Const]"},
    {"m_Issuers", KEY_MATCH_UNSUPPORTED, 0, "[SEC:Const]"},
    {"m_EmailAddressIfPresent", KEY_MATCH_UNSUPPORTED, 0, "[SEC:Const]"},
    {"m_SubjectContains", KEY_MATCH_UNSUPPORTED, 0, "[SEC:Const]"},
    {"m_HostOrSubdomainOfHost", KEY_MATCH_UNSUPPORTED, 0, "[SEC:Const]"},
    {"m_CaseInsensitive", KEY_MATCH_UNSUPPORTED, 0, "[SEC:Const]"},
    {"m_TrustedOnly", KEY_MATCH_UNSUPPORTED, 0, "[SEC:Const]"},
    {"m_ValidOnDate", KEY_MATCH_UNSUPPORTED, 0, "[SEC:Const]"},
    {"v_Data", KEY_VALUE_UNSUPPORTED, 0, "[SEC:Const]"},
    {"v_Ref", KEY_VALUE_UNSUPPORTED, 0, "[SEC:Const]"},
    {"v_PersistentRef", KEY_VALUE_UNSUPPORTED, 0, "[SEC:Const]"},
    {"accc", KEY_VALUE_UNSUPPORTED, 0, "[SEC:Schema] §8: accc is not a column"},
};

/* The item classes Security knows ([SEC:Const] §6a); the emulated keychain holds keys only. */
static const char *const known_classes[] = {"keys", "genp", "inet", "cert", "idnt", "apls"};

/* ---- the rules by which Security refuses a query ----------------------------------------- */

typedef enum {
  RULE_CLASS_MISSING,
  RULE_CLASS_TYPE,
  RULE_CLASS_UNKNOWN,
  RULE_ATTR_UNKNOWN,
  RULE_ATTR_TYPE,
  RULE_ATTR_UNRESOLVED,
  RULE_LIMIT,
  RULE_RETURN_TYPE,
  RULE_USE_TYPE,
  RULE_MATCH_UNSUPPORTED,
  RULE_VALUE_UNSUPPORTED,
  RULE_DELETE_RETURN,
  RULE_DELETE_LIMIT,
} rule_id;

static const struct {
  long osstatus;
  const char *format; /* one %s: the key, or the class */
  const char *evidence;
} rules[] = {
    [RULE_CLASS_MISSING] = {-50, "query missing class name%s",
                            "[SEC:SecBasePriv.h] errSecItemClassMissing = errSecParam"},
    [RULE_CLASS_TYPE] = {-50, "kSecClass: the value is not a class constant%s",
                         "[SEC:SecBasePriv.h] errSecItemClassMissing = errSecParam (inferred)"},
    [RULE_CLASS_UNKNOWN] = {-25306, "no such class: %s", "[SEC:SecBase.h] errSecNoSuchClass"},
    [RULE_ATTR_UNKNOWN] = {-25303, "attribute %s not valid for class keys",
                           "[SEC:SecBase.h] errSecNoSuchAttr; inferred: securityd's query parser"},
    [RULE_ATTR_TYPE] = {-50, "attribute %s: value of the wrong type",
                        "[SEC:SecBasePriv.h] errSecItemInvalidValue = errSecParam"},
    [RULE_ATTR_UNRESOLVED] = {-50, "attribute %s: the value is a name the literal does not define",
                              "emulator: an unresolved variable cannot be matched"},
    [RULE_LIMIT] = {-50, "%s: not kSecMatchLimitOne, kSecMatchLimitAll or a positive number",
                    "[SEC:SecBasePriv.h] errSecMatchLimitUnsupported = errSecParam"},
    [RULE_RETURN_TYPE] = {-50, "%s: not a boolean",
                          "[SEC:SecBasePriv.h] errSecReturn...Unsupported = errSecParam"},
    [RULE_USE_TYPE] = {-50, "%s: value of the wrong type",
                       "[SEC:SecBasePriv.h] errSecItemInvalidValue = errSecParam"},
    [RULE_MATCH_UNSUPPORTED] = {-50, "%s: match option not supported for keys",
                                "[SEC:SecBasePriv.h] errSecItemMatchUnsupported = errSecParam"},
    [RULE_VALUE_UNSUPPORTED] = {-50, "%s cannot be used to match items",
                                "[SEC:SecBasePriv.h] errSecValueRefUnsupported = errSecParam"},
    [RULE_DELETE_RETURN] = {-50, "%s: SecItemDelete returns nothing",
                            "[SEC:SecBasePriv.h] errSecReturnDataUnsupported = errSecParam"},
    [RULE_DELETE_LIMIT] = {-50, "%s: SecItemDelete deletes every match",
                           "[SEC:SecBasePriv.h] errSecMatchLimitUnsupported = errSecParam"},
};

const char *sek_query_strerror(int status) {
  switch (status) {
  case SEK_QUERY_ERR_INVALID: return "Security rejects the query (see the error)";
  default: return "unknown query status";
  }
}

/* ---- compiled queries -------------------------------------------------------------------- */

struct sek_query {
  char cls[8];
  size_t limit;
  unsigned returns;
  char *prompt;
  bool ui_fail;
  size_t num_terms;
  sek_query_term terms[SEK_COL_COUNT];
  uint8_t *owned[SEK_COL_COUNT]; /* the bytes of each term's value */
};

void sek_query_free(sek_query *q) {
  if (q == NULL)
    return;
  for (size_t i = 0; i < q->num_terms; i++)
    free(q->owned[i]);
  free(q->prompt);
  free(q);
}

/* Writes template with its one "%s" replaced by arg (the rules' texts are data, not formats). */
static void fill_template(char *out, size_t cap, const char *template, const char *arg) {
  const char *at = strstr(template, "%s");
  if (at == NULL)
    snprintf(out, cap, "%s", template);
  else
    snprintf(out, cap, "%.*s%s%s", (int)(at - template), template, arg, at + 2);
}

static int fail(sek_error **err, rule_id rule, const char *arg) {
  if (err != NULL) {
    char msg[256];
    fill_template(msg, sizeof msg, rules[rule].format, arg);
    sek_error *e = sek_error_new(SEK_DOMAIN_OSSTATUS, rules[rule].osstatus, msg);
    if (e == NULL || sek_error_add_string(e, SEK_KEY_DESCRIPTION, msg) != SEK_OK) {
      sek_error_free(e);
      return SEK_ERR_NOMEM;
    }
    *err = e;
  }
  return SEK_QUERY_ERR_INVALID;
}

/* A strict decimal integer (CFString -> CFNumber as SecDb converts it): [-]digits. */
static bool parse_decimal(const char *s, size_t len, int64_t *out) {
  size_t i = 0;
  bool neg = false;
  if (len > 0 && s[0] == '-') {
    neg = true;
    i = 1;
  }
  if (i == len)
    return false;
  uint64_t v = 0;
  for (; i < len; i++) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    unsigned d = (unsigned)(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10)
      return false;
    v = v * 10 + d;
  }
  if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
    return false;
  *out = neg ? (int64_t)(0 - v) : (int64_t)v;
  return true;
}

bool sek_column_value(sek_column c, const sek_value *v, sek_cell *out) {
  if ((unsigned)c >= SEK_COL_COUNT || v == NULL || out == NULL)
    return false;
  sek_value_kind kind = sek_value_kind_of(v);
  size_t len = 0;
  const char *s;
  const uint8_t **bytes = &out->bytes;
  memset(out, 0, sizeof *out);
  out->present = true;
  switch (columns[c].kind) {
  case SEK_COLKIND_INTEGER:
    if (kind == SEK_VALUE_NUMBER)
      out->i = sek_value_number(v);
    else if (kind == SEK_VALUE_BOOL)
      out->i = sek_value_bool(v) ? 1 : 0;
    else if ((kind == SEK_VALUE_STRING || kind == SEK_VALUE_CONSTANT) &&
             (s = sek_value_string(v, &len)) != NULL && parse_decimal(s, len, &out->i))
      ;
    else
      return false;
    if (columns[c].sha1) /* hashed as a 4-byte SInt32 (CFNumberGetValue kCFNumberSInt32Type) */
      out->i = (int32_t)(uint32_t)(uint64_t)out->i;
    return true;
  case SEK_COLKIND_BLOB:
    if (kind == SEK_VALUE_DATA)
      *bytes = sek_value_data(v, &len);
    else if (kind == SEK_VALUE_STRING)
      *bytes = (const uint8_t *)sek_value_string(v, &len);
    else
      return false;
    out->len = len;
    return true;
  case SEK_COLKIND_TEXT:
    if (kind != SEK_VALUE_STRING && kind != SEK_VALUE_CONSTANT)
      return false;
    *bytes = (const uint8_t *)sek_value_string(v, &len);
    out->len = len;
    return *bytes != NULL;
  case SEK_COLKIND_REAL:
    if (kind == SEK_VALUE_DATE || kind == SEK_VALUE_NUMBER)
      out->r = sek_value_real(v);
    else
      return false;
    return true;
  }
  return false;
}

static int add_term(sek_query *q, sek_column c, const sek_cell *cell, const uint8_t *bytes,
                    bool match_any) {
  sek_query_term *t = &q->terms[q->num_terms];
  uint8_t *copy = NULL;
  if (bytes != NULL || columns[c].kind == SEK_COLKIND_BLOB || columns[c].kind == SEK_COLKIND_TEXT) {
    copy = malloc(cell->len > 0 ? cell->len : 1);
    if (copy == NULL)
      return SEK_ERR_NOMEM;
    if (cell->len > 0)
      memcpy(copy, bytes, cell->len);
  }
  t->column = c;
  t->value = *cell;
  t->value.bytes = copy;
  t->match_any = match_any;
  q->owned[q->num_terms++] = copy;
  return SEK_OK;
}

static int get_bool(const sek_value *v, bool *out) {
  sek_value_kind kind = sek_value_kind_of(v);
  if (kind == SEK_VALUE_BOOL)
    *out = sek_value_bool(v);
  else if (kind == SEK_VALUE_NUMBER)
    *out = sek_value_number(v) != 0;
  else
    return SEK_ERR_ARG;
  return SEK_OK;
}

static int compile_limit(sek_query *q, const sek_value *v, sek_error **err) {
  sek_value_kind kind = sek_value_kind_of(v);
  const char *s = kind == SEK_VALUE_CONSTANT ? sek_value_string(v, NULL) : NULL;
  if (s != NULL && strcmp(s, "m_LimitOne") == 0)
    q->limit = 1;
  else if (s != NULL && strcmp(s, "m_LimitAll") == 0)
    q->limit = SIZE_MAX;
  else if (kind == SEK_VALUE_NUMBER && !sek_value_is_real(v) && sek_value_number(v) > 0)
    q->limit = (uint64_t)sek_value_number(v) > SIZE_MAX ? SIZE_MAX : (size_t)sek_value_number(v);
  else
    return fail(err, RULE_LIMIT, "kSecMatchLimit");
  return SEK_OK;
}

static int compile_entry(sek_query *q, sek_query_op op, const char *key, const sek_value *v,
                         sek_error **err) {
  for (size_t i = 0; i < sizeof query_keys / sizeof query_keys[0]; i++) {
    if (strcmp(query_keys[i].raw, key) != 0)
      continue;
    bool b = false;
    const char *s;
    switch (query_keys[i].role) {
    case KEY_CLASS: return SEK_OK; /* read first, by sek_query_compile */
    case KEY_LIMIT:
      if (compile_limit(q, v, err) != SEK_OK)
        return SEK_QUERY_ERR_INVALID;
      if (op == SEK_QUERY_DELETE && q->limit != SIZE_MAX)
        return fail(err, RULE_DELETE_LIMIT, key);
      return SEK_OK;
    case KEY_RETURN:
      if (get_bool(v, &b) != SEK_OK)
        return fail(err, RULE_RETURN_TYPE, key);
      if (b && op == SEK_QUERY_DELETE)
        return fail(err, RULE_DELETE_RETURN, key);
      if (b)
        q->returns |= query_keys[i].bit;
      return SEK_OK;
    case KEY_PROMPT:
      if (sek_value_kind_of(v) != SEK_VALUE_STRING || (s = sek_value_string(v, NULL)) == NULL)
        return fail(err, RULE_USE_TYPE, key);
      free(q->prompt);
      if ((q->prompt = strdup(s)) == NULL)
        return SEK_ERR_NOMEM;
      return SEK_OK;
    case KEY_AUTH_UI:
      s = sek_value_kind_of(v) == SEK_VALUE_CONSTANT ? sek_value_string(v, NULL) : NULL;
      if (s == NULL || (strcmp(s, "u_AuthUIA") != 0 && strcmp(s, "u_AuthUIF") != 0 &&
                        strcmp(s, "u_AuthUIS") != 0))
        return fail(err, RULE_USE_TYPE, key);
      q->ui_fail = q->ui_fail || strcmp(s, "u_AuthUIF") == 0;
      return SEK_OK;
    case KEY_NO_AUTH_UI:
      if (get_bool(v, &b) != SEK_OK)
        return fail(err, RULE_USE_TYPE, key);
      q->ui_fail = q->ui_fail || b;
      return SEK_OK;
    case KEY_IGNORED: return SEK_OK;
    case KEY_MATCH_UNSUPPORTED: return fail(err, RULE_MATCH_UNSUPPORTED, key);
    case KEY_VALUE_UNSUPPORTED: return fail(err, RULE_VALUE_UNSUPPORTED, key);
    }
  }
  sek_column c;
  if (sek_column_find(key, &c) != SEK_OK)
    return fail(err, RULE_ATTR_UNKNOWN, key);
  if (sek_value_kind_of(v) == SEK_VALUE_REFERENCE)
    return fail(err, RULE_ATTR_UNRESOLVED, key);
  sek_cell cell;
  const char *s = sek_value_kind_of(v) == SEK_VALUE_CONSTANT ? sek_value_string(v, NULL) : NULL;
  if (c == SEK_COL_SYNC && s != NULL && strcmp(s, "syna") == 0) {
    memset(&cell, 0, sizeof cell);
    cell.present = true;
    return add_term(q, c, &cell, NULL, true);
  }
  if (!sek_column_value(c, v, &cell))
    return fail(err, RULE_ATTR_TYPE, key);
  return add_term(q, c, &cell, cell.bytes, false);
}

int sek_query_compile(const sek_attrs *dict, sek_query_op op, sek_query **out, sek_error **err) {
  if (dict == NULL || out == NULL || (op != SEK_QUERY_COPY && op != SEK_QUERY_DELETE))
    return SEK_ERR_ARG;
  /* The class first: securityd reads it before anything else (query_create). */
  const sek_value *cv = sek_attrs_get(dict, "class");
  if (cv == NULL)
    return fail(err, RULE_CLASS_MISSING, "");
  sek_value_kind ck = sek_value_kind_of(cv);
  size_t clen = 0;
  const char *cls =
      ck == SEK_VALUE_CONSTANT || ck == SEK_VALUE_STRING ? sek_value_string(cv, &clen) : NULL;
  if (cls == NULL)
    return fail(err, RULE_CLASS_TYPE, "");
  size_t known = sizeof known_classes / sizeof known_classes[0];
  size_t k = 0;
  while (k < known &&
         (strlen(known_classes[k]) != clen || memcmp(known_classes[k], cls, clen) != 0))
    k++;
  if (k == known) {
    char shown[64];
    snprintf(shown, sizeof shown, "%.*s", (int)(clen < 48 ? clen : 48), cls);
    return fail(err, RULE_CLASS_UNKNOWN, shown);
  }
  sek_query *q = calloc(1, sizeof *q);
  if (q == NULL)
    return SEK_ERR_NOMEM;
  snprintf(q->cls, sizeof q->cls, "%s", known_classes[k]);
  q->limit = op == SEK_QUERY_DELETE ? SIZE_MAX : 1; /* kSecMatchLimitOne by default */
  size_t n = sek_attrs_count(dict);
  bool named_sync = false;
  for (size_t i = 0; i < n; i++) {
    const char *key;
    const sek_value *v;
    if (sek_attrs_entry(dict, i, &key, &v) != SEK_OK) {
      sek_query_free(q);
      return SEK_ERR_INTERNAL;
    }
    int st = compile_entry(q, op, key, v, err);
    if (st != SEK_OK) {
      sek_query_free(q);
      return st;
    }
    named_sync = named_sync || strcmp(key, "sync") == 0;
  }
  if (!named_sync) { /* SecItem matches non-synchronizable items unless told otherwise */
    sek_cell zero = {.present = true};
    if (add_term(q, SEK_COL_SYNC, &zero, NULL, false) != SEK_OK) {
      sek_query_free(q);
      return SEK_ERR_NOMEM;
    }
  }
  *out = q;
  return SEK_OK;
}

const char *sek_query_class(const sek_query *q) { return q != NULL ? q->cls : NULL; }
size_t sek_query_limit(const sek_query *q) { return q != NULL ? q->limit : 0; }
unsigned sek_query_returns(const sek_query *q) { return q != NULL ? q->returns : 0; }
const char *sek_query_prompt(const sek_query *q) { return q != NULL ? q->prompt : NULL; }
bool sek_query_ui_fail(const sek_query *q) { return q != NULL && q->ui_fail; }
size_t sek_query_term_count(const sek_query *q) { return q != NULL ? q->num_terms : 0; }
const sek_query_term *sek_query_term_at(const sek_query *q, size_t i) {
  return q != NULL && i < q->num_terms ? &q->terms[i] : NULL;
}

static bool cell_equal(sek_colkind kind, const sek_cell *a, const sek_cell *b) {
  switch (kind) {
  case SEK_COLKIND_INTEGER: return a->i == b->i;
  case SEK_COLKIND_REAL: return a->r == b->r;
  case SEK_COLKIND_BLOB:
  case SEK_COLKIND_TEXT:
    return a->len == b->len && (a->len == 0 || memcmp(a->bytes, b->bytes, a->len) == 0);
  }
  return false;
}

bool sek_query_matches(const sek_query *q, const sek_row *row) {
  if (q == NULL || row == NULL || strcmp(q->cls, "keys") != 0)
    return false;
  for (size_t i = 0; i < q->num_terms; i++) {
    const sek_query_term *t = &q->terms[i];
    if (t->match_any)
      continue;
    const sek_cell *cell = &row->cells[t->column];
    if (!cell->present)
      return false;
    sek_cell want = t->value;
    if (columns[t->column].sha1 && columns[t->column].kind == SEK_COLKIND_INTEGER)
      want.i = (int32_t)(uint32_t)(uint64_t)want.i; /* row values compare as hashed: SInt32 */
    sek_cell have = *cell;
    if (columns[t->column].sha1 && columns[t->column].kind == SEK_COLKIND_INTEGER)
      have.i = (int32_t)(uint32_t)(uint64_t)have.i;
    if (!cell_equal(columns[t->column].kind, &have, &want))
      return false;
  }
  return true;
}

void sek_query_cell_encode(sek_column c, const sek_cell *in, uint8_t sha1_buf[20], sek_cell *out) {
  *out = *in;
  if ((unsigned)c >= SEK_COL_COUNT || !columns[c].sha1 || !in->present)
    return;
  uint8_t le[4];
  const uint8_t *p = in->bytes;
  size_t len = in->len;
  if (columns[c].kind == SEK_COLKIND_INTEGER) {
    uint32_t v = (uint32_t)(uint64_t)in->i;
    for (int i = 0; i < 4; i++)
      le[i] = (uint8_t)(v >> (8 * i));
    p = le;
    len = 4;
  }
  unsigned md_len = 0;
  static const uint8_t empty[1] = {0};
  if (!EVP_Digest(len > 0 ? p : empty, len, sha1_buf, &md_len, EVP_sha1(), NULL) || md_len != 20)
    memset(sha1_buf, 0,
           20); /* unreachable with a working OpenSSL; an all-zero hash matches nothing */
  out->bytes = sha1_buf;
  out->len = 20;
  out->i = 0;
}

int sek_row_to_attrs(const sek_row *row, sek_attrs **out) {
  if (row == NULL || out == NULL)
    return SEK_ERR_ARG;
  sek_attrs *a = sek_attrs_new();
  if (a == NULL)
    return SEK_ERR_NOMEM;
  int st = sek_attrs_set_constant(a, "class", "keys");
  for (size_t c = 0; st == SEK_OK && c < SEK_COL_COUNT; c++) {
    const sek_cell *cell = &row->cells[c];
    if (!cell->present)
      continue;
    const sek_column_info *info = &columns[c];
    switch (info->kind) {
    case SEK_COLKIND_INTEGER:
      st = info->boolean ? sek_attrs_set_bool(a, info->name, cell->i != 0)
                         : sek_attrs_set_number(a, info->name, cell->i);
      break;
    case SEK_COLKIND_BLOB: st = sek_attrs_set_data(a, info->name, cell->bytes, cell->len); break;
    case SEK_COLKIND_TEXT:
      st = sek_attrs_set_string(a, info->name, (const char *)cell->bytes, cell->len);
      break;
    case SEK_COLKIND_REAL: st = sek_attrs_set_date(a, info->name, cell->r); break;
    }
  }
  if (st != SEK_OK) {
    sek_attrs_free(a);
    return st == SEK_ERR_NOMEM ? SEK_ERR_NOMEM : SEK_ERR_INTERNAL;
  }
  *out = a;
  return SEK_OK;
}
