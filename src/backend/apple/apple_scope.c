/*
 * apple_scope.c: the portable half of the Security.framework backend (apple_internal.h): its
 * settings, what it adds to the dictionaries it hands to Apple, which results it keeps and what
 * it strips from them.  No CoreFoundation here, so that this half is built and unit tested on
 * every system (tests/test_apple.c), while the half that calls Apple is only type-checked off
 * Apple platforms (ci/check-apple).
 *
 * Keys are written by their kSec names: the attrs module maps them to the raw strings
 * ([SEC:Const], apple-facts §6), and sek_apple_new checks those against the running system.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sek/scenario.h>

#include "backend/apple/apple_internal.h"

#define LABEL "kSecAttrLabel"
#define PRIVATE_ATTRS "kSecPrivateKeyAttrs"
#define ACCESS_GROUP "kSecAttrAccessGroup"
#define MATCH_LIMIT "kSecMatchLimit"

/* ---- settings ----------------------------------------------------------------------------- */

void sek_apple_config_default(sek_apple_config *cfg) {
  if (cfg == NULL)
    return;
  cfg->access_group = NULL;
  cfg->data_protection_keychain = false; /* the API's own default ([SEC:SecItem.h]) */
  cfg->label_prefix = NULL;
}

void apple_why(char *why, size_t cap, const char *fmt, ...) {
  if (why == NULL || cap == 0)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, cap, fmt, ap);
  va_end(ap);
}

bool apple_utf8_valid(const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < len) {
    unsigned c = p[i];
    size_t n;
    uint32_t cp, min;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return false; /* a continuation byte first, or 0xf8..0xff */
    }
    if (len - i - 1 < n)
      return false;
    for (size_t k = 1; k <= n; k++) {
      if ((p[i + k] & 0xc0) != 0x80)
        return false;
      cp = cp << 6 | (p[i + k] & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return false; /* overlong, beyond Unicode, or a surrogate (RFC 3629 §3) */
    i += n + 1;
  }
  return true;
}

/* A configured string: NULL or "" is none; otherwise UTF-8 of at most max bytes. */
static int setting_string(const char *what, const char *in, size_t max, char **out, char *why,
                          size_t why_cap) {
  *out = NULL;
  if (in == NULL || in[0] == '\0')
    return SEK_OK;
  size_t len = strlen(in);
  if (len > max) {
    apple_why(why, why_cap, "apple backend: the %s is %zu bytes, at most %zu are allowed", what,
              len, max);
    return SEK_BACKEND_ERR_VALUE;
  }
  if (!apple_utf8_valid(in, len)) {
    apple_why(why, why_cap, "apple backend: the %s is not UTF-8 (a CFString must be)", what);
    return SEK_BACKEND_ERR_VALUE;
  }
  if ((*out = strdup(in)) == NULL) {
    apple_why(why, why_cap, "apple backend: out of memory");
    return SEK_ERR_NOMEM;
  }
  return SEK_OK;
}

int apple_settings_init(apple_settings *s, const sek_apple_config *cfg, char *why, size_t why_cap) {
  if (s == NULL)
    return SEK_ERR_ARG;
  sek_apple_config def;
  if (cfg == NULL) {
    sek_apple_config_default(&def);
    cfg = &def;
  }
  apple_settings n = {NULL, cfg->data_protection_keychain, NULL, 0};
  int st = setting_string("label prefix", cfg->label_prefix, SEK_APPLE_MAX_PREFIX, &n.prefix, why,
                          why_cap);
  if (st == SEK_OK)
    st = setting_string("access group", cfg->access_group, SEK_ATTRS_MAX_VALUE_LEN, &n.access_group,
                        why, why_cap);
  if (st != SEK_OK) {
    apple_settings_clear(&n);
    return st;
  }
  n.prefix_len = n.prefix != NULL ? strlen(n.prefix) : 0;
  *s = n;
  return SEK_OK;
}

void apple_settings_clear(apple_settings *s) {
  if (s == NULL)
    return;
  free(s->prefix);
  free(s->access_group);
  memset(s, 0, sizeof *s);
}

/* ---- reading queries ---------------------------------------------------------------------- */

/* kSecReturn… as SecItem reads them: a CFBoolean, or a CFNumber (non-zero is true). */
static bool truthy(const sek_value *v) {
  switch (sek_value_kind_of(v)) {
  case SEK_VALUE_BOOL: return sek_value_bool(v);
  case SEK_VALUE_NUMBER: return sek_value_real(v) != 0.0;
  default: return false;
  }
}

static const struct {
  const char *key;
  size_t field;
} return_keys[] = {
    {"kSecReturnRef", offsetof(apple_returns, ref)},
    {"kSecReturnAttributes", offsetof(apple_returns, attributes)},
    {"kSecReturnData", offsetof(apple_returns, data)},
    {"kSecReturnPersistentRef", offsetof(apple_returns, persistent_ref)},
};

static apple_returns read_returns(const sek_attrs *q) {
  apple_returns r = {false, false, false, false};
  for (size_t i = 0; i < sizeof return_keys / sizeof return_keys[0]; i++)
    *(bool *)((char *)&r + return_keys[i].field) = truthy(sek_attrs_get(q, return_keys[i].key));
  return r;
}

/* The match limit: 1 when absent (kSecMatchLimitOne is the default, [SEC:SecItem.h]), SIZE_MAX
 * for kSecMatchLimitAll, N for a positive integer.  False for anything else (Apple judges it). */
static bool read_limit(const sek_attrs *q, size_t *out) {
  const sek_value *v = sek_attrs_get(q, MATCH_LIMIT);
  sek_value_kind kind = sek_value_kind_of(v);
  /* a CFString "m_LimitAll" is the constant itself to Apple, however it was written */
  const char *s =
      kind == SEK_VALUE_CONSTANT || kind == SEK_VALUE_STRING ? sek_value_string(v, NULL) : NULL;
  const sek_attrs_name *one = sek_attrs_name_lookup("kSecMatchLimitOne", SEK_NAME_CONSTANT);
  const sek_attrs_name *all = sek_attrs_name_lookup("kSecMatchLimitAll", SEK_NAME_CONSTANT);
  if (v == NULL || (s != NULL && one != NULL && strcmp(s, one->raw) == 0))
    *out = 1;
  else if (s != NULL && all != NULL && strcmp(s, all->raw) == 0)
    *out = SIZE_MAX;
  else if (kind == SEK_VALUE_NUMBER && !sek_value_is_real(v) && sek_value_number(v) > 0)
    *out = (uint64_t)sek_value_number(v) > SIZE_MAX ? SIZE_MAX : (size_t)sek_value_number(v);
  else
    return false;
  return true;
}

/* ---- preparing dictionaries --------------------------------------------------------------- */

/* kSecUseDataProtectionKeychain and kSecAttrAccessGroup, as configured. */
static int add_keychain(const apple_settings *s, sek_attrs *a, bool has_group) {
  int st = SEK_OK;
  if (s->data_protection_keychain)
    st = sek_attrs_set_bool(a, "kSecUseDataProtectionKeychain", true);
  if (st == SEK_OK && s->access_group != NULL && !has_group)
    st = sek_attrs_set_string(a, ACCESS_GROUP, s->access_group, strlen(s->access_group));
  return st;
}

/* In a scope, kSecAttrLabel of a becomes prefix + label.  *present says whether there was one. */
static int prefix_label(const apple_settings *s, sek_attrs *a, bool *present) {
  const sek_value *v = sek_attrs_get(a, LABEL);
  *present = v != NULL;
  if (v == NULL || s->prefix == NULL)
    return SEK_OK;
  if (sek_value_kind_of(v) != SEK_VALUE_STRING)
    return SEK_BACKEND_ERR_VALUE; /* the scope is a string prefix: only a string carries it */
  size_t len = 0;
  const char *label = sek_value_string(v, &len);
  if (len > SEK_ATTRS_MAX_VALUE_LEN - s->prefix_len)
    return SEK_ATTRS_ERR_TOO_LONG;
  char *joined = malloc(s->prefix_len + len + 1);
  if (joined == NULL)
    return SEK_ERR_NOMEM;
  memcpy(joined, s->prefix, s->prefix_len);
  memcpy(joined + s->prefix_len, label, len);
  int st = sek_attrs_set_string(a, LABEL, joined, s->prefix_len + len);
  free(joined);
  return st;
}

int apple_prepare_keygen(const apple_settings *s, const sek_attrs *params, sek_attrs **out) {
  if (s == NULL || params == NULL || out == NULL)
    return SEK_ERR_ARG;
  sek_attrs *a = sek_attrs_copy(params);
  if (a == NULL)
    return SEK_ERR_NOMEM;
  const sek_value *pv = sek_attrs_get(a, PRIVATE_ATTRS);
  const sek_attrs *priv = sek_value_dict(pv);
  bool has_group = sek_attrs_get(a, ACCESS_GROUP) != NULL ||
                   (priv != NULL && sek_attrs_get(priv, ACCESS_GROUP) != NULL);
  int st = add_keychain(s, a, has_group);
  bool top_label = false, private_label = false;
  if (st == SEK_OK)
    st = prefix_label(s, a, &top_label);
  if (st == SEK_OK && s->prefix != NULL && priv != NULL) {
    /* SecKeyCreateRandomKey merges kSecPrivateKeyAttrs into the private key's attributes
     * ([SEC:SecKey.m]): a label there names the key, so it is prefixed too */
    sek_attrs *p = sek_attrs_copy(priv);
    st = p == NULL ? SEK_ERR_NOMEM : prefix_label(s, p, &private_label);
    if (st == SEK_OK && private_label)
      st = sek_attrs_set_dict(a, PRIVATE_ATTRS, p); /* takes p */
    else
      sek_attrs_free(p);
  }
  if (st == SEK_OK && s->prefix != NULL && !top_label && !private_label)
    st = sek_attrs_set_string(a, LABEL, s->prefix, s->prefix_len);
  if (st != SEK_OK) {
    sek_attrs_free(a);
    return st;
  }
  *out = a;
  return SEK_OK;
}

int apple_prepare_query(const apple_settings *s, const sek_attrs *query, apple_query_kind kind,
                        sek_attrs **out, apple_plan *plan) {
  if (s == NULL || query == NULL || out == NULL || plan == NULL)
    return SEK_ERR_ARG;
  apple_plan p = {read_returns(query), s->prefix != NULL, SIZE_MAX, false};
  sek_attrs *a = sek_attrs_copy(query);
  if (a == NULL)
    return SEK_ERR_NOMEM;
  int st = add_keychain(s, a, sek_attrs_get(a, ACCESS_GROUP) != NULL);
  bool has_label;
  if (st == SEK_OK)
    st = prefix_label(s, a, &has_label);
  size_t limit = 1;
  bool limit_read = read_limit(query, &limit);
  if (kind == APPLE_QUERY_COPY) {
    /* attributes always: the scope and the private-key guard read them (apple.h) */
    if (st == SEK_OK)
      st = sek_attrs_set_bool(a, "kSecReturnAttributes", true);
    if (p.scoped && limit_read) {
      p.limit = limit; /* applied here, to the results in scope */
      if (st == SEK_OK)
        st = sek_attrs_set_constant(a, MATCH_LIMIT, "kSecMatchLimitAll");
    }
  } else if (p.scoped) {
    /* SecItemDelete refuses kSecReturn… and a limit other than all ([SEC:SecItem.m]; the
     * emulator's query module says the same, src/query.c) */
    bool any_return = p.asked.ref || p.asked.attributes || p.asked.data || p.asked.persistent_ref;
    p.refuse_param = any_return || (sek_attrs_get(query, MATCH_LIMIT) != NULL &&
                                    (!limit_read || limit != SIZE_MAX));
    if (st == SEK_OK)
      st = sek_attrs_set_bool(a, "kSecReturnAttributes", true);
    if (st == SEK_OK)
      st = sek_attrs_set_bool(a, "kSecReturnPersistentRef", true);
    if (st == SEK_OK)
      st = sek_attrs_set_constant(a, MATCH_LIMIT, "kSecMatchLimitAll");
  }
  if (st != SEK_OK) {
    sek_attrs_free(a);
    return st;
  }
  *out = a;
  *plan = p;
  return SEK_OK;
}

sek_attrs *apple_purge_query(const apple_settings *s) {
  if (s == NULL)
    return NULL;
  sek_attrs *a = sek_attrs_new();
  int st = a == NULL ? SEK_ERR_NOMEM : sek_attrs_set_constant(a, "kSecClass", "kSecClassKey");
  if (st == SEK_OK)
    st = sek_attrs_set_constant(a, MATCH_LIMIT, "kSecMatchLimitAll");
  if (st == SEK_OK)
    st = sek_attrs_set_bool(a, "kSecReturnAttributes", true);
  if (st == SEK_OK)
    st = sek_attrs_set_bool(a, "kSecReturnPersistentRef", true);
  if (st == SEK_OK)
    st = add_keychain(s, a, false);
  if (st != SEK_OK) {
    sek_attrs_free(a);
    return NULL;
  }
  return a;
}

int apple_delete_one_query(const apple_settings *s, const sek_attrs *query, const sek_attrs *item,
                           sek_attrs **out) {
  if (s == NULL || query == NULL || item == NULL || out == NULL)
    return SEK_ERR_ARG;
  const sek_value *ref = sek_attrs_get(item, "kSecValuePersistentRef");
  if (sek_value_kind_of(ref) != SEK_VALUE_DATA)
    return SEK_BACKEND_ERR_UNEXPECTED; /* it was asked for: Apple should have given it */
  size_t len = 0;
  const uint8_t *bytes = sek_value_data(ref, &len);
  sek_attrs *a = sek_attrs_new();
  int st = a == NULL ? SEK_ERR_NOMEM : sek_attrs_set_data(a, "kSecValuePersistentRef", bytes, len);
  /* the persistent reference names the item; the class keeps the delete to the listing's kind
   * (SecItemDelete takes both together, [SEC:SecItem.h]) */
  const sek_value *cls = sek_attrs_get(query, "kSecClass");
  const char *c = sek_value_string(cls, NULL);
  if (st == SEK_OK && c != NULL && sek_value_kind_of(cls) == SEK_VALUE_CONSTANT)
    st = sek_attrs_set_constant(a, "kSecClass", c);
  else if (st == SEK_OK && c != NULL && sek_value_kind_of(cls) == SEK_VALUE_STRING)
    st = sek_attrs_set_string(a, "kSecClass", c, strlen(c));
  if (st == SEK_OK && s->data_protection_keychain)
    st = sek_attrs_set_bool(a, "kSecUseDataProtectionKeychain", true);
  if (st != SEK_OK) {
    sek_attrs_free(a);
    return SEK_ERR_NOMEM;
  }
  *out = a;
  return SEK_OK;
}

/* ---- results ------------------------------------------------------------------------------ */

static bool starts_with(const sek_value *v, const apple_settings *s) {
  size_t len = 0;
  const char *b = NULL;
  if (sek_value_kind_of(v) == SEK_VALUE_STRING)
    b = sek_value_string(v, &len);
  else if (sek_value_kind_of(v) == SEK_VALUE_DATA)
    b = (const char *)sek_value_data(v, &len);
  return b != NULL && len >= s->prefix_len && memcmp(b, s->prefix, s->prefix_len) == 0;
}

bool apple_item_in_scope(const apple_settings *s, const sek_attrs *item) {
  if (s == NULL || s->prefix == NULL)
    return true;
  const sek_value *v = sek_attrs_get(item, LABEL);
  return sek_value_kind_of(v) == SEK_VALUE_STRING && starts_with(v, s);
}

bool apple_item_purgeable(const apple_settings *s, const sek_attrs *item) {
  if (s == NULL || s->prefix == NULL || item == NULL)
    return false;
  return apple_item_in_scope(s, item) ||
         starts_with(sek_attrs_get(item, "kSecAttrApplicationTag"), s);
}

int apple_item_unscope(const apple_settings *s, sek_attrs *item) {
  if (s == NULL || s->prefix == NULL || item == NULL)
    return SEK_OK;
  const sek_value *v = sek_attrs_get(item, LABEL);
  if (sek_value_kind_of(v) != SEK_VALUE_STRING || !starts_with(v, s))
    return SEK_OK;
  size_t len = 0;
  const char *label = sek_value_string(v, &len);
  if (len == s->prefix_len)
    return sek_attrs_remove(item, LABEL) == SEK_OK ? SEK_OK : SEK_ERR_INTERNAL;
  /* the value is borrowed until it is replaced: copy the rest out first */
  size_t rest = len - s->prefix_len;
  char *copy = malloc(rest);
  if (copy == NULL)
    return SEK_ERR_NOMEM;
  memcpy(copy, label + s->prefix_len, rest);
  int st = sek_attrs_set_string(item, LABEL, copy, rest);
  free(copy);
  return st;
}

bool apple_item_is_secret_key(const sek_attrs *item) {
  const sek_value *v = sek_attrs_get(item, "kSecAttrKeyClass");
  const sek_attrs_name *priv = sek_attrs_name_lookup("kSecAttrKeyClassPrivate", SEK_NAME_CONSTANT);
  bool is_private = false;
  switch (sek_value_kind_of(v)) {
  case SEK_VALUE_CONSTANT:
  case SEK_VALUE_STRING: /* the DB keeps kcls as an integer, SecKey as the CFString "1" */
    is_private = v != NULL && priv != NULL && strcmp(sek_value_string(v, NULL), priv->raw) == 0;
    break;
  case SEK_VALUE_NUMBER: is_private = !sek_value_is_real(v) && sek_value_number(v) == 1; break;
  default: break;
  }
  return is_private && sek_attrs_get(item, "kSecAttrTokenID") == NULL;
}

sek_value_kind apple_string_kind(const char *key, const char *value) {
  if (key == NULL || value == NULL)
    return SEK_VALUE_STRING;
  const sek_attrs_name *k = sek_attrs_name_lookup(key, SEK_NAME_KEY);
  if (k == NULL || k->domain == NULL || strcmp(k->raw, key) != 0)
    return SEK_VALUE_STRING;
  const sek_attrs_name *c = sek_attrs_name_lookup(value, SEK_NAME_CONSTANT);
  /* by its raw string only: a string that happens to spell a kSec name is text, not that name */
  if (c == NULL || c->domain == NULL || strcmp(c->raw, value) != 0 ||
      strcmp(c->domain, k->domain) != 0)
    return SEK_VALUE_STRING;
  return SEK_VALUE_CONSTANT;
}

const char *apple_algorithm_raw(const char *name) {
  if (name == NULL)
    return NULL;
  const char *raw = sek_scenario_algorithm_lookup(name, strlen(name));
  return raw != NULL ? raw : name;
}

/* ---- errors ------------------------------------------------------------------------------- */

const apple_description_key apple_description_keys[] = {
    {SEK_KEY_LOCALIZED_DESCRIPTION,
     "kCFErrorLocalizedDescriptionKey: what CFErrorCopyDescription / localizedDescription give "
     "first"},
    {SEK_KEY_DESCRIPTION,
     "kCFErrorDescriptionKey: Security's SecError puts its message there [SEC:CFError], and "
     "NSError quotes it (errSecParam \"...: algorithm not supported by the key\", apple-facts §7)"},
    {SEK_KEY_DEBUG_DESCRIPTION,
     "CryptoTokenKit's errors carry only NSDebugDescription and NSError quotes it (the seed "
     "thread; apple-facts §2, O)"},
};
const size_t apple_num_description_keys =
    sizeof apple_description_keys / sizeof apple_description_keys[0];
