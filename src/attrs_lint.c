/*
 * attrs_lint.c: the Secure Enclave / SecItem lint over attribute dictionaries
 * (include/sek/attrs.h).
 *
 * THE rule table is `rules` below: id, severity, kind, summary, evidence (an apple-facts row tag,
 * or "inferred: reason").  Each rule's check is one function; the table drives the run, so a
 * rule cannot exist without its evidence.  Errors are kept for what really fails on a device
 * (Apple's own checks, or a call that cannot work); what only risks trouble is a warning; what
 * the literal does not say (an unresolved variable) is a note.
 *
 * Keygen dictionaries are read the way SecKeyCreateRandomKey reads them ([SEC:SecKey.m], §9):
 * the private-key attributes are merged over the top level, tokenID is taken from the top level.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sek/attrs.h>

#include "attrs_internal.h"

struct sek_lint_report {
  sek_lint_finding *f;
  size_t n, cap;
  sek_lint_kind kind;
  bool nomem;
};

typedef struct {
  const sek_attrs *top;
  const sek_attrs *priv; /* kSecPrivateKeyAttrs when it is a dictionary */
  const sek_attrs *pub;  /* kSecPublicKeyAttrs likewise */
  sek_lint_kind kind;
  bool se;         /* a Secure Enclave key: the SE token at the top level or in priv/pub */
  bool class_keys; /* a query (or add) for kSecClassKey */
  sek_lint_report *r;
} ctx;

typedef void (*check_fn)(ctx *c);

/* Shared evidence texts (apple-facts tags). */
#define EV_AC "[SEC:AC.m] §5a (SecAccessControlCreateWithFlags, errSecParam -50)"
#define EV_SE_P256 "§9 row 1 [APPLE-DOC-SE], [SEC:SecItem.h]; §9 row 3 [FORUM-694855]"
#define EV_QUERY "inferred: securityd's query parser (SecItemServer) rejects it with errSecParam"

static void check_se_key_type(ctx *c);
static void check_se_token_placement(ctx *c);
static void check_se_key_size(ctx *c);
static void check_se_private_key_usage(ctx *c);
static void check_se_device_class(ctx *c);
static void check_se_sync(ctx *c);
static void check_se_import(ctx *c);
static void check_ac_values(ctx *c);
static void check_ac_accessible(ctx *c);
static void check_accessible_value(ctx *c);
static void check_sync_device_bound(ctx *c);
static void check_kg_key_type(ctx *c);
static void check_kg_not_stored(ctx *c);
static void check_kg_query_keys(ctx *c);
static void check_qy_class(ctx *c);
static void check_qy_match_limit(ctx *c);
static void check_qy_returns(ctx *c);
static void check_qy_keygen_keys(ctx *c);
static void check_qy_schema(ctx *c);
static void check_qy_se_data(ctx *c);
static void check_entries(ctx *c);

/* Rules whose check function is NULL are emitted by the check of the rule before them. */
static const struct rule_row {
  sek_lint_rule rule;
  check_fn check;
} rules[] = {
    {{"SE001", SEK_LINT_ERROR, SEK_LINT_KEYGEN,
      "the Secure Enclave holds only EC P-256 keys: any other key type fails", EV_SE_P256},
     check_se_key_type},
    {{"SE002", SEK_LINT_ERROR, SEK_LINT_KEYGEN,
      "kSecAttrTokenID belongs in the top-level parameters, not in kSecPrivateKeyAttrs / "
      "kSecPublicKeyAttrs",
      "§9 row 5 (kSecAttrTokenID documentation); [SEC:SecKey.m] §9 row 6 (tokenID read from the "
      "parameters to pick the CTK path)"},
     check_se_token_placement},
    {{"SE003", SEK_LINT_ERROR, SEK_LINT_KEYGEN,
      "a Secure Enclave key is 256 bits: kSecAttrKeySizeInBits other than 256 is unsupported",
      EV_SE_P256},
     check_se_key_size},
    {{"SE004", SEK_LINT_ERROR, SEK_LINT_KEYGEN,
      "a Secure Enclave key with access control needs .privateKeyUsage to sign or key-exchange",
      "§9 row 11: [SEC:AC.m] op placement (constraints land on od/oe without PrivateKeyUsage) + "
      "§4 LA -1009 \"ACL operation is not allowed: 'ock'\" (O)"},
     check_se_private_key_usage},
    {{"SE005", SEK_LINT_WARNING, SEK_LINT_KEYGEN,
      "a Secure Enclave key with a protection class that is not ThisDeviceOnly",
      "§5b (SE-wrapped keys never work on another device, developer forums 749819, O; "
      "recommendation I)"},
     check_se_device_class},
    {{"SE006", SEK_LINT_ERROR, SEK_LINT_KEYGEN,
      "a Secure Enclave key cannot be synchronizable (iCloud Keychain cannot carry it)",
      "inferred: §9 rows 1-2 (the key never leaves the Secure Enclave) and §5b (device-bound); "
      "the keychain refuses synchronizable token items"},
     check_se_sync},
    {{"SE007", SEK_LINT_ERROR, SEK_LINT_AUTO,
      "key bytes (kSecValueData) with the Secure Enclave token: SE keys cannot be imported",
      "§9 row 2 [APPLE-DOC-SE], [SEC:SecItem.h]"},
     check_se_import},
    {{"AC001", SEK_LINT_ERROR, SEK_LINT_AUTO,
      "SecAccessControl: invalid protection (not one of the eight kSecAttrAccessible classes)",
      EV_AC},
     check_ac_values},
    {{"AC002", SEK_LINT_ERROR, SEK_LINT_AUTO,
      "only one logical operation can be set (.or and .and)", EV_AC},
     NULL},
    {{"AC003", SEK_LINT_ERROR, SEK_LINT_AUTO,
      "only one bio constraint can be set (.biometryAny and .biometryCurrentSet)", EV_AC},
     NULL},
    {{"AC004", SEK_LINT_ERROR, SEK_LINT_AUTO,
      ".userPresence combines only with .applicationPassword and .privateKeyUsage", EV_AC},
     NULL},
    {{"AC005", SEK_LINT_WARNING, SEK_LINT_AUTO,
      "unknown access-control flags (not in SecAccessControlCreateFlags)",
      "[SEC:AC.h] §5a (the flag table; unknown bits are ignored)"},
     NULL},
    {{"AC006", SEK_LINT_WARNING, SEK_LINT_AUTO,
      ".or / .and with fewer than two constraints has no effect",
      "inferred: [SEC:AC.m] §5a builds k-of-n only for more than one constraint"},
     NULL},
    {{"AC007", SEK_LINT_WARNING, SEK_LINT_KEYGEN,
      ".privateKeyUsage on a key that is not in the Secure Enclave",
      "§9 RSA row: a software key with .privateKeyUsage failed with -50 (GitHub "
      "cbaker6/CertificateSigningRequest#15, O); [SEC:AC.m] puts the constraint on token ops"},
     NULL},
    {{"AC008", SEK_LINT_WARNING, SEK_LINT_AUTO,
      ".biometryCurrentSet: any change of enrolled fingers or faces makes the key unusable for "
      "good",
      "§9 row 13 (AKS 0xE007C009 PolicyInvalid as CryptoTokenKit -3, permanent) and the seed "
      "thread"},
     NULL},
    {{"AC009", SEK_LINT_WARNING, SEK_LINT_AUTO,
      "biometry is the only way to satisfy the access control: no passcode fallback",
      "inferred: §4 LAErrorBiometryNotAvailable -6 / NotEnrolled -7 / Lockout -8 leave no other "
      "way to satisfy a biometry-only constraint"},
     NULL},
    {{"AC010", SEK_LINT_ERROR, SEK_LINT_AUTO,
      "kSecAttrAccessible and kSecAttrAccessControl name different protection classes",
      "inferred: an item has one protection class (§8 pdmn column); the keychain rejects "
      "conflicting kSecAttrAccessible and access-control protection with errSecParam"},
     check_ac_accessible},
    {{"AC011", SEK_LINT_WARNING, SEK_LINT_AUTO,
      "kSecAttrAccessible is redundant next to kSecAttrAccessControl (which carries the class)",
      "§5a (the protection is the access control's first argument)"},
     NULL},
    {{"PD001", SEK_LINT_ERROR, SEK_LINT_AUTO,
      "kSecAttrAccessible is not one of the protection classes",
      "§5b + [SEC:KCItem] (unknown pdmn -> errSecParam \"accessible attribute … unknown\")"},
     check_accessible_value},
    {{"SY001", SEK_LINT_ERROR, SEK_LINT_AUTO,
      "kSecAttrSynchronizable with a ThisDeviceOnly class: a device-bound item cannot sync",
      "§5b (ThisDeviceOnly classes aku/cku/dku/akpu do not migrate); inferred: SecItemAdd "
      "rejects the combination with errSecParam"},
     check_sync_device_bound},
    {{"KG001", SEK_LINT_ERROR, SEK_LINT_KEYGEN, "kSecAttrKeyType missing or not a key type",
      "[SEC:SecKey.m] §9 RSA row (\"incorrect or missing kSecAttrKeyType in key generation "
      "request\", errSecParam)"},
     check_kg_key_type},
    {{"KG002", SEK_LINT_WARNING, SEK_LINT_KEYGEN,
      "the key has lookup attributes but will not be stored (kSecAttrIsPermanent)",
      "[SEC:SecKey.m] §9 row 7 (kSecAttrIsPermanent defaults to true only for token keys)"},
     check_kg_not_stored},
    {{"KG003", SEK_LINT_WARNING, SEK_LINT_KEYGEN,
      "query keys (kSecClass, kSecMatch…, kSecReturn…) in key-generation parameters are ignored",
      "inferred: SecKeyCreateRandomKey reads key attributes only (§6c)"},
     check_kg_query_keys},
    {{"QY001", SEK_LINT_ERROR, SEK_LINT_QUERY, "the query has no kSecClass",
      "§1d errSecItemClassMissing (= errSecParam -50)"},
     check_qy_class},
    {{"QY002", SEK_LINT_ERROR, SEK_LINT_QUERY, "kSecClass is not an item class",
      "§6a classes; §1b errSecNoSuchClass -25306"},
     NULL},
    {{"QY003", SEK_LINT_ERROR, SEK_LINT_QUERY,
      "kSecMatchLimit must be kSecMatchLimitOne, kSecMatchLimitAll or a number",
      "§6c + §1d errSecMatchLimitUnsupported (= errSecParam); " EV_QUERY},
     check_qy_match_limit},
    {{"QY004", SEK_LINT_WARNING, SEK_LINT_QUERY,
      "with kSecMatchLimitAll (or a limit above 1) the result is a CFArray, not one item",
      "inferred: SecItemCopyMatching returns an array for limits other than one (§6c)"},
     NULL},
    {{"QY005", SEK_LINT_ERROR, SEK_LINT_QUERY, "a kSecReturn… value must be a Bool",
      "§1d errSecItemInvalidValue (= errSecParam); " EV_QUERY},
     check_qy_returns},
    {{"QY006", SEK_LINT_WARNING, SEK_LINT_QUERY,
      "several kSecReturn… kinds: the result is an attribute dictionary, not a SecKey",
      "inferred: §6c (r_Ref with r_Attributes / r_Data returns a dictionary holding v_Ref)"},
     NULL},
    {{"QY007", SEK_LINT_ERROR, SEK_LINT_QUERY,
      "key-generation parameters (kSecPrivateKeyAttrs / kSecPublicKeyAttrs) in a query",
      "§8 (no such attribute in the keys class); inferred: errSecNoSuchAttr -25303"},
     check_qy_keygen_keys},
    {{"QY008", SEK_LINT_ERROR, SEK_LINT_QUERY,
      "an attribute that keys do not have, in a kSecClassKey query",
      "§8 keys table (47 columns + v_Data, v_pk, accc, u_Tomb); inferred: errSecNoSuchAttr "
      "-25303"},
     check_qy_schema},
    {{"QY009", SEK_LINT_WARNING, SEK_LINT_QUERY,
      "kSecReturnData on a Secure Enclave key returns no private key bytes",
      "§9 rows 2 and 8 (the private key never leaves the Secure Enclave, no export)"},
     check_qy_se_data},
    {{"TY001", SEK_LINT_WARNING, SEK_LINT_AUTO,
      "kSecAttrApplicationLabel is Data: a String is stored as text and never matches the Data "
      "form",
      "§6b + §8 (klbl is a BLOB column without the SHA-1 flag) + §9 row 9 (SE keys report klbl "
      "as the SHA-1 of the public key, Data)"},
     check_entries},
    {{"TY002", SEK_LINT_WARNING, SEK_LINT_AUTO, "a value of another kind than the attribute takes",
      "§6b/§6c (value kinds; Security compares booleans with kCFBooleanTrue, inferred)"},
     NULL},
    {{"TY003", SEK_LINT_WARNING, SEK_LINT_AUTO,
      "a constant from another set than the attribute takes", "§6a-§6c (constant sets)"},
     NULL},
    {{"DP001", SEK_LINT_WARNING, SEK_LINT_AUTO,
      "deprecated access-control flag name (.touchIDAny, .touchIDCurrentSet, .watch)",
      "[SEC:AC.h] §5a"},
     NULL},
    {{"DP002", SEK_LINT_WARNING, SEK_LINT_AUTO,
      "deprecated key (kSecUseOperationPrompt, kSecUseNoAuthenticationUI)", "[SEC:Const] §6c"},
     NULL},
    {{"DP003", SEK_LINT_WARNING, SEK_LINT_AUTO,
      "deprecated protection class (kSecAttrAccessibleAlways, …AlwaysThisDeviceOnly)",
      "[SEC:Const] §5b"},
     NULL},
    {{"UK001", SEK_LINT_WARNING, SEK_LINT_AUTO, "unknown key", "§6 (the raw key table)"}, NULL},
    {{"UK002", SEK_LINT_WARNING, SEK_LINT_AUTO, "unknown constant", "§5b, §6 (the constant table)"},
     NULL},
    {{"RF001", SEK_LINT_NOTE, SEK_LINT_AUTO,
      "a variable the literal does not define: its value is not checked",
      "inferred: only literal values can be checked"},
     NULL},
};

#define NUM_RULES (sizeof rules / sizeof rules[0])

size_t sek_lint_rule_count(void) { return NUM_RULES; }

const sek_lint_rule *sek_lint_rule_at(size_t i) { return i < NUM_RULES ? &rules[i].rule : NULL; }

/* ---- findings ---- */

static const sek_lint_rule *rule(const char *id) {
  for (size_t i = 0; i < NUM_RULES; i++)
    if (strcmp(rules[i].rule.id, id) == 0)
      return &rules[i].rule;
  return NULL;
}

static void emit(ctx *c, const char *id, unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void emit(ctx *c, const char *id, unsigned line, unsigned col, const char *fmt, ...) {
  sek_lint_report *r = c->r;
  const sek_lint_rule *ru = rule(id);
  if (r->nomem || ru == NULL)
    return;
  if (r->n == r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 16;
    sek_lint_finding *f = realloc(r->f, cap * sizeof *f);
    if (f == NULL) {
      r->nomem = true;
      return;
    }
    r->f = f;
    r->cap = cap;
  }
  sek_lint_finding *f = &r->f[r->n++];
  memset(f, 0, sizeof *f);
  f->rule_id = ru->id;
  f->severity = ru->severity;
  f->evidence = ru->evidence;
  f->line = line;
  f->col = col;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(f->message, sizeof f->message, fmt, ap);
  va_end(ap);
}

/* ---- reading the tree ---- */

static const sek_value *get(const sek_attrs *a, const char *raw) {
  return a != NULL ? attrs_get_raw(a, raw) : NULL;
}

/* Keygen view: the private-key attributes over the top level ([SEC:SecKey.m] merge_params). */
static const sek_value *eff(const ctx *c, const char *raw) {
  const sek_value *v = get(c->priv, raw);
  return v != NULL ? v : get(c->top, raw);
}

static void key_pos(const sek_value *v, unsigned *l, unsigned *col) {
  *l = v->key_line;
  *col = v->key_col;
  if (*l == 0) {
    *l = v->line;
    *col = v->col;
  }
}

/* The kSec name of a raw key, for messages. */
static const char *key_name(const char *raw) {
  const sek_attrs_name *row = attrs_name_by_raw(raw, SEK_NAME_KEY);
  return row != NULL ? row->name : raw;
}

/* The text of a constant or string value (a constant's raw string), else NULL. */
static const char *text_of(const sek_value *v) {
  if (v == NULL || (v->kind != SEK_VALUE_CONSTANT && v->kind != SEK_VALUE_STRING))
    return NULL;
  return v->bytes;
}

static bool is_true(const sek_value *v) {
  return v != NULL && ((v->kind == SEK_VALUE_BOOL && v->num) ||
                       (v->kind == SEK_VALUE_NUMBER && !v->is_real && v->num != 0));
}
static bool is_false(const sek_value *v) {
  return v != NULL && ((v->kind == SEK_VALUE_BOOL && !v->num) ||
                       (v->kind == SEK_VALUE_NUMBER && !v->is_real && v->num == 0));
}

/* The integer SecKey would read (CFNumber, or a CFString's leading decimal digits). */
static bool int_of(const sek_value *v, int64_t *out) {
  if (v == NULL)
    return false;
  if (v->kind == SEK_VALUE_NUMBER) {
    /* a real counts when it is an integer in range (2^63 is exactly representable) */
    if (v->is_real && !(v->real >= -9223372036854775808.0 && v->real < 9223372036854775808.0 &&
                        v->real == (double)(int64_t)v->real))
      return false;
    *out = v->is_real ? (int64_t)v->real : v->num;
    return true;
  }
  const char *s = text_of(v);
  if (s == NULL || (v->kind == SEK_VALUE_CONSTANT && !v->known))
    return false;
  int64_t n = 0;
  size_t i = 0;
  bool neg = s[0] == '-';
  if (neg)
    i++;
  if (s[i] < '0' || s[i] > '9')
    return false;
  for (; s[i] >= '0' && s[i] <= '9'; i++) {
    if (n > (INT64_MAX - 9) / 10)
      return false;
    n = n * 10 + (s[i] - '0');
  }
  *out = neg ? -n : n;
  return true;
}

static bool is_se_token(const sek_value *v) {
  const char *s = text_of(v);
  return s != NULL &&
         (strcmp(s, "com.apple.setoken") == 0 || strcmp(s, "com.apple.setoken:aks") == 0);
}

static bool device_only(const char *prot) {
  static const char *const p[] = {"aku", "cku", "dku", "akpu"};
  for (size_t i = 0; i < 4; i++)
    if (strcmp(prot, p[i]) == 0)
      return true;
  return false;
}

static bool known_protection(const char *prot) {
  static const char *const p[] = {"dk", "ck", "ak", "dku", "cku", "aku", "akpu", "f"};
  for (size_t i = 0; i < 8; i++)
    if (strcmp(prot, p[i]) == 0)
      return true;
  return false;
}

/* The access-control values the check considers: keygen top and private; else top only. */
static size_t ac_values(const ctx *c, const sek_value *out[3]) {
  size_t n = 0;
  const sek_value *v;
  if ((v = get(c->top, "accc")) != NULL && v->kind == SEK_VALUE_ACCESS_CONTROL)
    out[n++] = v;
  if (c->kind == SEK_LINT_KEYGEN && (v = get(c->priv, "accc")) != NULL &&
      v->kind == SEK_VALUE_ACCESS_CONTROL)
    out[n++] = v;
  return n;
}

/* The protection class of the item: the access control's, else kSecAttrAccessible's. */
static const char *item_protection(const ctx *c, const sek_value **where) {
  const sek_value *v = c->kind == SEK_LINT_KEYGEN ? eff(c, "accc") : get(c->top, "accc");
  if (v != NULL && v->kind == SEK_VALUE_ACCESS_CONTROL) {
    *where = v;
    return v->protection;
  }
  v = c->kind == SEK_LINT_KEYGEN ? eff(c, "pdmn") : get(c->top, "pdmn");
  const char *t = text_of(v);
  if (t != NULL)
    *where = v;
  return t;
}

static const sek_value *sync_value(const ctx *c) {
  return c->kind == SEK_LINT_KEYGEN ? eff(c, "sync") : get(c->top, "sync");
}

/* ---- Secure Enclave ---- */

static void check_se_key_type(ctx *c) {
  if (!c->se)
    return;
  const sek_value *v = get(c->top, "type");
  int64_t t;
  if (v == NULL || !int_of(v, &t))
    return; /* missing or unreadable: KG001 */
  unsigned l, col;
  key_pos(v, &l, &col);
  /* 73 (EC P-256) and Apple's private SE variants (ECSECPrimeRandomPKA, SE attestation) are
     what the token takes; the post-quantum types are CryptoKit-only on recent systems */
  if (t == 73 || t == 2147483678LL || t == 2147483679LL || t == 2147483680LL)
    return;
  if (t >= 109 && t <= 111)
    return;
  const sek_attrs_name *row = NULL;
  char raw[24];
  snprintf(raw, sizeof raw, "%lld", (long long)t);
  row = attrs_name_by_raw(raw, SEK_NAME_CONSTANT);
  emit(c, "SE001", l, col,
       "the Secure Enclave holds only NIST P-256 EC keys: %s with kSecAttrTokenIDSecureEnclave "
       "fails to generate; use kSecAttrKeyTypeECSECPrimeRandom with 256 bits",
       row != NULL ? row->name : raw);
}

static void check_se_token_placement(ctx *c) {
  const sek_attrs *subs[2] = {c->priv, c->pub};
  const char *names[2] = {"kSecPrivateKeyAttrs", "kSecPublicKeyAttrs"};
  bool at_top = get(c->top, "tkid") != NULL;
  for (int i = 0; i < 2; i++) {
    const sek_value *v = get(subs[i], "tkid");
    if (v == NULL)
      continue;
    unsigned l, col;
    key_pos(v, &l, &col);
    if (at_top)
      emit(c, "SE002", l, col,
           "kSecAttrTokenID inside %s is not read there; it is already given at the top level: "
           "remove this one",
           names[i]);
    else
      emit(c, "SE002", l, col,
           "kSecAttrTokenID inside %s is not where SecKeyCreateRandomKey looks for it: move it "
           "to the top-level parameters, or the key is not created in the Secure Enclave",
           names[i]);
  }
}

static void check_se_key_size(ctx *c) {
  if (!c->se)
    return;
  const sek_value *v = eff(c, "bsiz");
  int64_t bits;
  if (v == NULL || !int_of(v, &bits) || bits == 256)
    return;
  int64_t t;
  const sek_value *tv = get(c->top, "type");
  if (tv != NULL && int_of(tv, &t) && t != 73)
    return; /* SE001 already says the type is wrong */
  unsigned l, col;
  key_pos(v, &l, &col);
  emit(c, "SE003", l, col,
       "kSecAttrKeySizeInBits %lld with the Secure Enclave: only 256-bit P-256 keys are "
       "supported%s",
       (long long)bits,
       bits == 384 ? " (P-384 was seen to succeed on some systems, but Apple supports only "
                     "P-256)"
                   : "");
}

static void check_se_private_key_usage(ctx *c) {
  if (!c->se || c->kind != SEK_LINT_KEYGEN)
    return;
  const sek_value *acs[3];
  size_t n = ac_values(c, acs);
  for (size_t i = 0; i < n; i++) {
    const sek_value *v = acs[i];
    if (v->flags == 0 || (v->flags & SEK_AC_PRIVATE_KEY_USAGE))
      continue; /* no flags: the default ACL allows every operation (§5a) */
    emit(c, "SE004", v->line, v->col,
         "access control without .privateKeyUsage on a Secure Enclave key: its constraints "
         "guard decryption only, so signing and key exchange fail (LocalAuthentication -1009 "
         "\"ACL operation is not allowed: 'ock'\"); add .privateKeyUsage");
  }
}

static void check_se_device_class(ctx *c) {
  if (!c->se || c->kind == SEK_LINT_QUERY)
    return; /* a query only filters by class */
  const sek_value *w = NULL;
  const char *prot = item_protection(c, &w);
  if (prot == NULL || !known_protection(prot) || device_only(prot) || strcmp(prot, "f") == 0)
    return;
  const sek_attrs_name *row = attrs_name_by_raw(prot, SEK_NAME_CONSTANT);
  emit(c, "SE005", w->line, w->col,
       "%s is not ThisDeviceOnly, but a Secure Enclave key works on this device only: a "
       "restored or migrated keychain row would point at a key that is not there; use the "
       "ThisDeviceOnly variant",
       row != NULL ? row->name : prot);
}

static void check_se_sync(ctx *c) {
  const sek_value *v = sync_value(c);
  if (!c->se || c->kind == SEK_LINT_QUERY || !is_true(v))
    return;
  unsigned l, col;
  key_pos(v, &l, &col);
  emit(c, "SE006", l, col,
       "kSecAttrSynchronizable true on a Secure Enclave key: the key cannot leave this device, "
       "so it cannot be synchronized; remove kSecAttrSynchronizable");
}

static void check_se_import(ctx *c) {
  const sek_value *v = get(c->top, "v_Data");
  if (!c->se || v == NULL)
    return;
  unsigned l, col;
  key_pos(v, &l, &col);
  emit(c, "SE007", l, col,
       "kSecValueData with kSecAttrTokenIDSecureEnclave: existing key bytes cannot be imported "
       "into the Secure Enclave; generate the key there with SecKeyCreateRandomKey");
}

/* ---- access control ---- */

static unsigned num_constraints(uint32_t f) {
  unsigned n = 0;
  const uint32_t c[] = {SEK_AC_USER_PRESENCE, SEK_AC_BIOMETRY_ANY, SEK_AC_BIOMETRY_CURRENT_SET,
                        SEK_AC_DEVICE_PASSCODE, SEK_AC_COMPANION};
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
    n += (f & c[i]) != 0;
  return n;
}

/* Every rule about one access-control value (AC001-AC009, DP001, DP003 for its class). */
static void check_one_ac(ctx *c, const sek_value *v) {
  unsigned l = v->line, col = v->col;
  uint32_t f = v->flags;
  const char *prot = v->protection;
  const sek_attrs_name *prow = attrs_name_by_raw(prot, SEK_NAME_CONSTANT);
  bool prot_is_accessible = prow != NULL && prow->domain && strcmp(prow->domain, "accessible") == 0;
  /* AC001: a known wrong constant or a literal string; unknown constants are UK002, variables
     RF001 */
  if (!known_protection(prot)) {
    bool unknown_const = v->prot_kind == SEK_VALUE_CONSTANT && !v->known;
    bool variable = v->prot_kind == SEK_VALUE_REFERENCE;
    if (unknown_const)
      emit(c, "UK002", l, col, "unknown protection constant %s: not a kSecAttrAccessible… class",
           prot);
    else if (variable)
      emit(c, "RF001", l, col, "protection class '%s' is a variable this literal does not define",
           prot);
    else
      emit(c, "AC001", l, col,
           "SecAccessControl: invalid protection %s%s%s: expected one of the kSecAttrAccessible… "
           "classes; SecAccessControlCreateWithFlags returns nil (errSecParam)",
           prow != NULL ? prow->name : "\"", prow != NULL ? "" : prot, prow != NULL ? "" : "\"");
  } else if (prot_is_accessible && prow->deprecated) {
    emit(c, "DP003", l, col, "%s is deprecated: use %s", prow->name, prow->replacement);
  }
  if ((f & SEK_AC_OR) && (f & SEK_AC_AND))
    emit(c, "AC002", l, col,
         "only one logical operation can be set: .or together with .and makes "
         "SecAccessControlCreateWithFlags fail (errSecParam)");
  if ((f & SEK_AC_BIOMETRY_ANY) && (f & SEK_AC_BIOMETRY_CURRENT_SET))
    emit(c, "AC003", l, col,
         "only one bio constraint can be set: .biometryAny together with .biometryCurrentSet "
         "makes SecAccessControlCreateWithFlags fail (errSecParam)");
  if ((f & SEK_AC_USER_PRESENCE) &&
      (f & ~(SEK_AC_USER_PRESENCE | SEK_AC_APPLICATION_PASSWORD | SEK_AC_PRIVATE_KEY_USAGE))) {
    char others[160] = "";
    size_t used = 0;
    for (uint32_t bit = 1; bit != 0; bit <<= 1) {
      if (!(f & bit) || bit == SEK_AC_USER_PRESENCE || bit == SEK_AC_APPLICATION_PASSWORD ||
          bit == SEK_AC_PRIVATE_KEY_USAGE)
        continue;
      const char *n = sek_access_control_flag_name(bit);
      int w = snprintf(others + used, sizeof others - used, "%s.%s", used ? ", " : "",
                       n != NULL ? n : "?");
      if (w > 0 && (size_t)w < sizeof others - used)
        used += (size_t)w;
    }
    emit(c, "AC004", l, col,
         ".userPresence cannot be combined with %s: SecAccessControlCreateWithFlags fails "
         "(errSecParam); use .userPresence alone or the explicit constraints with .or",
         others);
  }
  if ((f & ~SEK_AC_ALL_FLAGS) != 0 || v->num_unknown > 0) {
    if (v->num_unknown > 0)
      emit(c, "AC005", l, col,
           "unknown access-control flag .%s%s: not in "
           "SecAccessControlCreateFlags",
           v->unknown[0], v->num_unknown > 1 ? " (and more)" : "");
    else
      emit(c, "AC005", l, col,
           "access-control bits 0x%x are no SecAccessControlCreateFlags: Apple ignores them",
           (unsigned)(f & ~SEK_AC_ALL_FLAGS));
  }
  if ((f & (SEK_AC_OR | SEK_AC_AND)) && !((f & SEK_AC_OR) && (f & SEK_AC_AND)) &&
      num_constraints(f) < 2)
    emit(c, "AC006", l, col, ".%s with %s constraint has no effect", (f & SEK_AC_OR) ? "or" : "and",
         num_constraints(f) ? "only one" : "no");
  if (c->kind == SEK_LINT_KEYGEN && !c->se && (f & SEK_AC_PRIVATE_KEY_USAGE))
    emit(c, "AC007", l, col,
         ".privateKeyUsage is for Secure Enclave keys, but this key has no kSecAttrTokenID: "
         "software keys with it have failed to generate (errSecParam -50); drop it or add "
         "kSecAttrTokenID: kSecAttrTokenIDSecureEnclave");
  if (f & SEK_AC_BIOMETRY_CURRENT_SET)
    emit(c, "AC008", l, col,
         ".biometryCurrentSet: adding or removing a fingerprint or face invalidates the key for "
         "good (AKSError 0xe007c009 -> CryptoTokenKit -3 \"unable to sign digest\"); the app "
         "must detect it and re-enroll a new key, or use .biometryAny");
  bool bio = (f & (SEK_AC_BIOMETRY_ANY | SEK_AC_BIOMETRY_CURRENT_SET)) != 0;
  bool fallback = (f & SEK_AC_OR) && (f & (SEK_AC_DEVICE_PASSCODE | SEK_AC_COMPANION));
  if (bio && !fallback && !(f & SEK_AC_USER_PRESENCE))
    emit(c, "AC009", l, col,
         "biometry is the only way to use this key: when biometry is unavailable, not enrolled "
         "or locked out (LAError -6/-7/-8) the key cannot be used; add .or with .devicePasscode "
         "(or use .userPresence) for a fallback");
  if (v->deprecated_spelling) {
    static const struct {
      uint32_t bit;
      const char *old, *now;
    } dep[] = {{SEK_AC_BIOMETRY_ANY, "touchIDAny", "biometryAny"},
               {SEK_AC_BIOMETRY_CURRENT_SET, "touchIDCurrentSet", "biometryCurrentSet"},
               {SEK_AC_COMPANION, "watch", "companion"}};
    for (size_t i = 0; i < sizeof dep / sizeof dep[0]; i++)
      if (v->deprecated_spelling & dep[i].bit)
        emit(c, "DP001", l, col, ".%s is deprecated: use .%s (same value)", dep[i].old, dep[i].now);
  }
}

static void walk_ac(ctx *c, const sek_attrs *a, unsigned depth) {
  for (size_t i = 0; a != NULL && i < a->n && depth <= SEK_ATTRS_MAX_DEPTH; i++) {
    const sek_value *v = &a->e[i]->v;
    if (v->kind == SEK_VALUE_ACCESS_CONTROL)
      check_one_ac(c, v);
    else if (v->kind == SEK_VALUE_DICT)
      walk_ac(c, v->dict, depth + 1);
  }
}

static void check_ac_values(ctx *c) { walk_ac(c, c->top, 1); }

static void check_ac_accessible(ctx *c) {
  const sek_attrs *scopes[2] = {c->top, c->kind == SEK_LINT_KEYGEN ? c->priv : NULL};
  const sek_value *ac = NULL, *pd = NULL;
  for (int i = 0; i < 2; i++) {
    const sek_value *a = get(scopes[i], "accc"), *p = get(scopes[i], "pdmn");
    if (a != NULL && a->kind == SEK_VALUE_ACCESS_CONTROL)
      ac = a;
    if (p != NULL)
      pd = p;
  }
  const char *pt = text_of(pd);
  if (ac == NULL || pd == NULL || pt == NULL || !known_protection(ac->protection) ||
      !known_protection(pt))
    return;
  unsigned l, col;
  key_pos(pd, &l, &col);
  const sek_attrs_name *ra = attrs_name_by_raw(ac->protection, SEK_NAME_CONSTANT);
  const sek_attrs_name *rp = attrs_name_by_raw(pt, SEK_NAME_CONSTANT);
  if (strcmp(ac->protection, pt) != 0)
    emit(c, "AC010", l, col,
         "kSecAttrAccessible %s conflicts with the access control's protection %s: the item "
         "can have one class and the call fails (errSecParam); keep only the access control",
         rp ? rp->name : pt, ra ? ra->name : ac->protection);
  else
    emit(c, "AC011", l, col,
         "kSecAttrAccessible repeats the access control's protection %s: remove it (the "
         "access control carries the class)",
         ra ? ra->name : pt);
}

static void check_accessible_value(ctx *c) {
  const sek_attrs *scopes[3] = {c->top, c->priv, c->pub};
  for (int i = 0; i < 3; i++) {
    const sek_value *v = get(scopes[i], "pdmn");
    if (v == NULL || v->kind == SEK_VALUE_REFERENCE || (v->kind == SEK_VALUE_CONSTANT && !v->known))
      continue;
    const char *t = text_of(v);
    if (t != NULL && known_protection(t))
      continue;
    unsigned l, col;
    key_pos(v, &l, &col);
    const sek_attrs_name *row =
        v->kind == SEK_VALUE_CONSTANT ? attrs_name_by_raw(t, SEK_NAME_CONSTANT) : NULL;
    emit(c, "PD001", l, col,
         "kSecAttrAccessible %s is not a protection class: expected a kSecAttrAccessible… "
         "constant (errSecParam \"accessible attribute unknown\")",
         row != NULL                   ? row->name
         : v->kind == SEK_VALUE_STRING ? "string"
                                       : "value");
  }
}

static void check_sync_device_bound(ctx *c) {
  if (c->se || c->kind == SEK_LINT_QUERY)
    return; /* SE006 says it for SE keys; a query only filters */
  const sek_value *v = sync_value(c);
  const sek_value *w = NULL;
  const char *prot = item_protection(c, &w);
  if (!is_true(v) || prot == NULL || !device_only(prot))
    return;
  unsigned l, col;
  key_pos(v, &l, &col);
  const sek_attrs_name *row = attrs_name_by_raw(prot, SEK_NAME_CONSTANT);
  emit(c, "SY001", l, col,
       "kSecAttrSynchronizable true with %s: a ThisDeviceOnly item cannot be synchronized and "
       "the keychain refuses the combination (errSecParam); pick one",
       row != NULL ? row->name : prot);
}

/* ---- key generation ---- */

static void check_kg_key_type(ctx *c) {
  if (c->kind != SEK_LINT_KEYGEN)
    return;
  const sek_value *v = get(c->top, "type");
  if (v == NULL)
    v = get(c->priv, "type");
  unsigned l, col;
  if (v == NULL) {
    sek_attrs_pos(c->top, &l, &col);
    emit(c, "KG001", l, col,
         "no kSecAttrKeyType: SecKeyCreateRandomKey fails (\"incorrect or missing "
         "kSecAttrKeyType in key generation request\"); add kSecAttrKeyType: "
         "kSecAttrKeyTypeECSECPrimeRandom");
    return;
  }
  if (v->kind == SEK_VALUE_REFERENCE || (v->kind == SEK_VALUE_CONSTANT && !v->known))
    return; /* RF001 / UK002 */
  int64_t t;
  bool ok = int_of(v, &t);
  if (ok) {
    char raw[24];
    snprintf(raw, sizeof raw, "%lld", (long long)t);
    const sek_attrs_name *row = attrs_name_by_raw(raw, SEK_NAME_CONSTANT);
    ok = row != NULL && row->domain != NULL && strcmp(row->domain, "keytype") == 0;
  }
  if (ok)
    return;
  key_pos(v, &l, &col);
  emit(c, "KG001", l, col,
       "kSecAttrKeyType is not a key type: SecKeyCreateRandomKey fails (\"incorrect or missing "
       "kSecAttrKeyType\"); use kSecAttrKeyTypeECSECPrimeRandom or kSecAttrKeyTypeRSA");
}

static void check_kg_not_stored(ctx *c) {
  if (c->kind != SEK_LINT_KEYGEN)
    return;
  const sek_value *perm = eff(c, "perm");
  const sek_value *lookup = eff(c, "atag");
  if (lookup == NULL)
    lookup = eff(c, "klbl");
  if (lookup == NULL)
    lookup = eff(c, "labl");
  if (lookup == NULL)
    return;
  bool stored = perm != NULL ? !is_false(perm) : c->se;
  if (stored)
    return;
  unsigned l, col;
  key_pos(perm != NULL ? perm : lookup, &l, &col);
  emit(c, "KG002", l, col,
       "the private key is not stored (%s) although it has a %s to find it by: a later "
       "SecItemCopyMatching returns errSecItemNotFound; set kSecAttrIsPermanent: true",
       perm != NULL ? "kSecAttrIsPermanent is false"
                    : "kSecAttrIsPermanent is absent and defaults to false without a token",
       key_name(lookup == eff(c, "atag")   ? "atag"
                : lookup == eff(c, "klbl") ? "klbl"
                                           : "labl"));
}

static void check_kg_query_keys(ctx *c) {
  if (c->kind != SEK_LINT_KEYGEN)
    return;
  for (size_t i = 0; i < c->top->n; i++) {
    const char *k = c->top->e[i]->key;
    if (strcmp(k, "class") != 0 && strncmp(k, "m_", 2) != 0 && strncmp(k, "r_", 2) != 0)
      continue;
    unsigned l, col;
    key_pos(&c->top->e[i]->v, &l, &col);
    emit(c, "KG003", l, col, "%s is a query key: SecKeyCreateRandomKey ignores it", key_name(k));
  }
}

/* ---- queries ---- */

static void check_qy_class(ctx *c) {
  if (c->kind != SEK_LINT_QUERY)
    return;
  const sek_value *v = get(c->top, "class");
  unsigned l, col;
  if (v == NULL) {
    sek_attrs_pos(c->top, &l, &col);
    emit(c, "QY001", l, col,
         "no kSecClass: SecItemCopyMatching fails (errSecParam); add kSecClass: kSecClassKey");
    return;
  }
  if (v->kind == SEK_VALUE_REFERENCE || (v->kind == SEK_VALUE_CONSTANT && !v->known))
    return;
  const char *t = text_of(v);
  const sek_attrs_name *row = t != NULL ? attrs_name_by_raw(t, SEK_NAME_CONSTANT) : NULL;
  if (row != NULL && row->domain != NULL && strcmp(row->domain, "class") == 0)
    return;
  key_pos(v, &l, &col);
  emit(c, "QY002", l, col,
       "kSecClass %s is not an item class: SecItemCopyMatching fails (errSecNoSuchClass -25306); "
       "use kSecClassKey",
       row != NULL ? row->name : "value");
}

static size_t num_returns(const ctx *c, const char **single) {
  static const char *const r[] = {"r_Ref", "r_Attributes", "r_Data", "r_PersistentRef"};
  size_t n = 0;
  for (size_t i = 0; i < 4; i++)
    if (is_true(get(c->top, r[i]))) {
      n++;
      *single = r[i];
    }
  return n;
}

static void check_qy_match_limit(ctx *c) {
  if (c->kind != SEK_LINT_QUERY)
    return;
  const sek_value *v = get(c->top, "m_Limit");
  if (v == NULL || v->kind == SEK_VALUE_REFERENCE || (v->kind == SEK_VALUE_CONSTANT && !v->known))
    return;
  unsigned l, col;
  key_pos(v, &l, &col);
  const char *t = text_of(v);
  bool all = false, ok = false;
  if (v->kind == SEK_VALUE_NUMBER && !v->is_real) {
    ok = true;
    all = v->num > 1;
    if (v->num < 1) {
      emit(c, "QY003", l, col,
           "kSecMatchLimit %lld: a numeric limit must be at least 1; use kSecMatchLimitOne or "
           "kSecMatchLimitAll",
           (long long)v->num);
      return;
    }
  } else if (t != NULL && strcmp(t, "m_LimitOne") == 0) {
    ok = true;
  } else if (t != NULL && strcmp(t, "m_LimitAll") == 0) {
    ok = all = true;
  }
  if (!ok) {
    emit(c, "QY003", l, col,
         "kSecMatchLimit takes kSecMatchLimitOne, kSecMatchLimitAll or a number; this value "
         "makes SecItemCopyMatching fail (errSecParam)");
    return;
  }
  const char *single = NULL;
  if (all && num_returns(c, &single) > 0)
    emit(c, "QY004", l, col,
         "with %s the result is a CFArray of %s, not a single item: casting it to SecKey "
         "crashes; use kSecMatchLimitOne to get one key",
         t != NULL ? "kSecMatchLimitAll" : "a limit above 1",
         num_returns(c, &single) == 1 && strcmp(single, "r_Ref") == 0 ? "SecKey" : "results");
}

static void check_qy_returns(ctx *c) {
  if (c->kind != SEK_LINT_QUERY)
    return;
  for (size_t i = 0; i < c->top->n; i++) {
    const char *k = c->top->e[i]->key;
    const sek_value *v = &c->top->e[i]->v;
    if (strncmp(k, "r_", 2) != 0 || v->kind == SEK_VALUE_BOOL || v->kind == SEK_VALUE_REFERENCE)
      continue;
    unsigned l, col;
    key_pos(v, &l, &col);
    emit(c, "QY005", l, col,
         "%s must be true or false (a CFBoolean)%s: SecItemCopyMatching fails (errSecParam)",
         key_name(k), v->kind == SEK_VALUE_NUMBER ? "; a number is a CFNumber, not a Bool" : "");
  }
  const char *single = NULL;
  if (num_returns(c, &single) > 1) {
    const sek_value *v = get(c->top, single);
    unsigned l, col;
    key_pos(v, &l, &col);
    emit(c, "QY006", l, col,
         "several kSecReturn… keys are true: the result is a dictionary of attributes (the key "
         "under kSecValueRef), not a SecKey; ask for kSecReturnRef alone to get the key");
  }
}

static void check_qy_keygen_keys(ctx *c) {
  if (c->kind != SEK_LINT_QUERY)
    return;
  const char *k[2] = {"private", "public"};
  for (int i = 0; i < 2; i++) {
    const sek_value *v = get(c->top, k[i]);
    if (v == NULL)
      continue;
    unsigned l, col;
    key_pos(v, &l, &col);
    emit(c, "QY007", l, col,
         "%s is a SecKeyCreateRandomKey parameter: in a query it is no attribute of the item "
         "and SecItemCopyMatching fails (errSecNoSuchAttr); put the attributes themselves at "
         "the top level",
         key_name(k[i]));
  }
}

/* The attributes of class keys ([SEC:Schema] §8): the 47 columns and the non-column ones. */
static bool keys_attribute(const char *k) {
  static const char *const cols[] = {
      "rowid", "cdat", "mdat", "kcls", "labl", "alis", "perm", "priv", "modi", "klbl", "atag",
      "crtr", "type", "bsiz", "esiz", "sdat", "edat", "sens", "asen", "extr", "next", "encr",
      "decr", "drve", "sign", "vrfy", "snrc", "vyrc", "wrap", "unwp", "data", "agrp", "pdmn",
      "sync", "tomb", "sha1", "vwht", "tkid", "musr", "UUID", "sysb", "pcss", "pcsk", "pcsi",
      "persistref", "clip", "ggrp",
      /* not columns, still attributes of the class */
      "accc",
      /* handled by the client before the query reaches the keychain (SecItem.m, inferred) */
      "nleg"};
  for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
    if (strcmp(cols[i], k) == 0)
      return true;
  return false;
}

static void check_qy_schema(ctx *c) {
  if (c->kind != SEK_LINT_QUERY || !c->class_keys)
    return;
  for (size_t i = 0; i < c->top->n; i++) {
    const char *k = c->top->e[i]->key;
    /* m_ r_ u_ v_ are search/return/use/value keys; class is the class */
    if ((strlen(k) >= 2 && k[1] == '_' && strchr("mruv", k[0]) != NULL) ||
        strcmp(k, "class") == 0 || strcmp(k, "private") == 0 || strcmp(k, "public") == 0 ||
        keys_attribute(k))
      continue;
    unsigned l, col;
    key_pos(&c->top->e[i]->v, &l, &col);
    const sek_attrs_name *row = attrs_name_by_raw(k, SEK_NAME_KEY);
    emit(c, "QY008", l, col,
         "%s%s%s is no attribute of keys (kSecClassKey): SecItemCopyMatching fails "
         "(errSecNoSuchAttr -25303)",
         row != NULL ? "" : "\"", row != NULL ? row->name : k, row != NULL ? "" : "\"");
  }
}

static void check_qy_se_data(ctx *c) {
  if (c->kind != SEK_LINT_QUERY || !is_se_token(get(c->top, "tkid")))
    return;
  const sek_value *v = get(c->top, "r_Data");
  if (!is_true(v))
    return;
  unsigned l, col;
  key_pos(v, &l, &col);
  emit(c, "QY009", l, col,
       "kSecReturnData on a Secure Enclave key: its private key bytes never leave the Secure "
       "Enclave; ask for kSecReturnRef and use SecKeyCopyPublicKey for the public key");
}

/* ---- per entry: kinds, constants, deprecations, unknowns, variables ---- */

static const char *kind_name(sek_value_kind k) {
  static const char *const n[] = {"String",  "Data",       "Number",           "Bool",
                                  "Date",    "Dictionary", "SecAccessControl", "constant",
                                  "variable"};
  return n[k];
}

/* Keys whose wrong values a dedicated rule reports as an error. */
static bool has_dedicated_rule(const ctx *c, const char *k) {
  if (strcmp(k, "pdmn") == 0 || strcmp(k, "klbl") == 0)
    return true;
  if (c->kind == SEK_LINT_KEYGEN && strcmp(k, "type") == 0)
    return true;
  if (c->kind == SEK_LINT_QUERY &&
      (strcmp(k, "class") == 0 || strcmp(k, "m_Limit") == 0 || strncmp(k, "r_", 2) == 0))
    return true;
  return false;
}

static bool in_domain(const char *text, const char *domain) {
  const sek_attrs_name *row = attrs_name_by_raw(text, SEK_NAME_CONSTANT);
  return row != NULL && row->domain != NULL && domain != NULL && strcmp(row->domain, domain) == 0;
}

static void check_entry(ctx *c, const sek_attrs *a, size_t i, bool in_query_top) {
  const char *k = a->e[i]->key;
  const sek_value *v = &a->e[i]->v;
  const sek_attrs_name *row = attrs_name_by_raw(k, SEK_NAME_KEY);
  unsigned l, col;
  key_pos(v, &l, &col);
  if (row == NULL) {
    /* in a kSecClassKey query QY008 reports attribute-like keys as errors */
    bool qy = in_query_top && c->class_keys &&
              !(strlen(k) >= 2 && k[1] == '_' && strchr("mruv", k[0]) != NULL) &&
              !keys_attribute(k);
    const sek_attrs_name *named = sek_attrs_name_lookup(k, SEK_NAME_KEY);
    if (!qy && named != NULL)
      emit(c, "UK001", l, col,
           "the string \"%s\" is not the constant %s (raw \"%s\"): write the constant itself", k,
           named->name, named->raw);
    else if (!qy)
      emit(c, "UK001", l, col, "unknown key \"%s\": not an attribute Security defines", k);
  } else if (row->deprecated) {
    emit(c, "DP002", l, col, "%s is deprecated: use %s", row->name, row->replacement);
  }
  if (v->kind == SEK_VALUE_CONSTANT && !v->known)
    emit(c, "UK002", v->line, v->col, "unknown constant %s: not in the table of kSec values",
         v->bytes);
  if (v->kind == SEK_VALUE_CONSTANT && v->known) {
    const sek_attrs_name *cr = attrs_name_by_raw(v->bytes, SEK_NAME_CONSTANT);
    if (cr != NULL && cr->deprecated && strcmp(k, "pdmn") == 0)
      emit(c, "DP003", v->line, v->col, "%s is deprecated: use %s", cr->name, cr->replacement);
  }
  if (v->kind == SEK_VALUE_REFERENCE) {
    if (row == NULL || row->type != SEK_VALUE_REFERENCE)
      emit(c, "RF001", v->line, v->col,
           "%s is a variable this literal does not define: its value is not checked", v->bytes);
    return;
  }
  if (row == NULL)
    return;
  if (strcmp(k, "klbl") == 0 && v->kind == SEK_VALUE_STRING) {
    emit(c, "TY001", v->line, v->col,
         "kSecAttrApplicationLabel is Data, but this is a String: Swift bridges it and it is "
         "stored as text, so lookups by the Data form (and the SHA-1 label SecKeyCopyAttributes "
         "reports) never match it; use \"…\".data(using: .utf8)! or kSecAttrApplicationTag");
    return;
  }
  if (has_dedicated_rule(c, k))
    return;
  if (!(row->accepts & (1u << v->kind))) {
    emit(c, "TY002", v->line, v->col, "%s takes a %s, not a %s%s", row->name, kind_name(row->type),
         kind_name(v->kind),
         row->type == SEK_VALUE_BOOL && v->kind == SEK_VALUE_NUMBER
             ? ": a CFNumber is not kCFBooleanTrue, so it may be read as false"
             : "");
    return;
  }
  /* a constant (or the same raw string) from the attribute's own set */
  if (row->domain != NULL && (v->kind == SEK_VALUE_CONSTANT || v->kind == SEK_VALUE_STRING)) {
    bool ok = in_domain(v->bytes, row->domain) || (v->kind == SEK_VALUE_CONSTANT && !v->known) ||
              (v->kind == SEK_VALUE_STRING && row->type == SEK_VALUE_STRING) ||
              (v->kind == SEK_VALUE_STRING && strcmp(k, "tkid") == 0); /* any CTK token id */
    if (!ok) {
      const sek_attrs_name *cr =
          v->kind == SEK_VALUE_CONSTANT ? attrs_name_by_raw(v->bytes, SEK_NAME_CONSTANT) : NULL;
      emit(c, "TY003", v->line, v->col, "%s takes a %s constant, not %s", row->name, row->domain,
           cr != NULL ? cr->name : "this string");
    }
  }
}

static void walk_entries(ctx *c, const sek_attrs *a, unsigned depth) {
  for (size_t i = 0; a != NULL && i < a->n && depth <= SEK_ATTRS_MAX_DEPTH; i++) {
    check_entry(c, a, i, depth == 1 && c->kind == SEK_LINT_QUERY);
    if (a->e[i]->v.kind == SEK_VALUE_DICT)
      walk_entries(c, a->e[i]->v.dict, depth + 1);
  }
}

static void check_entries(ctx *c) { walk_entries(c, c->top, 1); }

/* ---- the run ---- */

static int cmp_finding(const void *x, const void *y) {
  const sek_lint_finding *a = x, *b = y;
  if (a->line != b->line)
    return a->line < b->line ? -1 : 1;
  if (a->col != b->col)
    return a->col < b->col ? -1 : 1;
  int r = strcmp(a->rule_id, b->rule_id);
  return r != 0 ? r : strcmp(a->message, b->message);
}

/*
 * Search, return and value keys make a query (or an add); kSecPrivateKeyAttrs /
 * kSecPublicKeyAttrs make key-generation parameters even next to a kSecClass (which
 * SecKeyCreateRandomKey ignores); otherwise kSecClass makes a query.
 */
static sek_lint_kind infer_kind(const sek_attrs *a) {
  bool cls = false, keygen = false;
  for (size_t i = 0; i < a->n; i++) {
    const char *k = a->e[i]->key;
    if (strncmp(k, "m_", 2) == 0 || strncmp(k, "r_", 2) == 0 || strncmp(k, "v_", 2) == 0)
      return SEK_LINT_QUERY;
    cls |= strcmp(k, "class") == 0;
    keygen |= strcmp(k, "private") == 0 || strcmp(k, "public") == 0;
  }
  return cls && !keygen ? SEK_LINT_QUERY : SEK_LINT_KEYGEN;
}

int sek_attrs_lint(const sek_attrs *a, sek_lint_kind kind, sek_lint_report **out) {
  if (a == NULL || out == NULL ||
      (kind != SEK_LINT_AUTO && kind != SEK_LINT_KEYGEN && kind != SEK_LINT_QUERY))
    return SEK_ERR_ARG;
  sek_lint_report *r = calloc(1, sizeof *r);
  if (r == NULL)
    return SEK_ERR_NOMEM;
  ctx c = {.top = a, .kind = kind == SEK_LINT_AUTO ? infer_kind(a) : kind, .r = r};
  r->kind = c.kind;
  const sek_value *p = get(a, "private"), *q = get(a, "public");
  c.priv = p != NULL && p->kind == SEK_VALUE_DICT ? p->dict : NULL;
  c.pub = q != NULL && q->kind == SEK_VALUE_DICT ? q->dict : NULL;
  c.se = is_se_token(get(a, "tkid")) || is_se_token(get(c.priv, "tkid")) ||
         is_se_token(get(c.pub, "tkid"));
  const char *cls = text_of(get(a, "class"));
  c.class_keys = cls != NULL && strcmp(cls, "keys") == 0;
  for (size_t i = 0; i < NUM_RULES; i++) {
    const sek_lint_rule *ru = &rules[i].rule;
    if (rules[i].check != NULL && (ru->applies_to == SEK_LINT_AUTO || ru->applies_to == c.kind))
      rules[i].check(&c);
  }
  if (r->nomem) {
    sek_lint_report_free(r);
    return SEK_ERR_NOMEM;
  }
  if (r->n > 1)
    qsort(r->f, r->n, sizeof *r->f, cmp_finding);
  *out = r;
  return SEK_OK;
}

size_t sek_lint_count(const sek_lint_report *r) { return r != NULL ? r->n : 0; }

const sek_lint_finding *sek_lint_get(const sek_lint_report *r, size_t i) {
  return r != NULL && i < r->n ? &r->f[i] : NULL;
}

bool sek_lint_has_errors(const sek_lint_report *r) {
  for (size_t i = 0; r != NULL && i < r->n; i++)
    if (r->f[i].severity == SEK_LINT_ERROR)
      return true;
  return false;
}

sek_lint_kind sek_lint_report_kind(const sek_lint_report *r) {
  return r != NULL ? r->kind : SEK_LINT_KEYGEN;
}

void sek_lint_report_free(sek_lint_report *r) {
  if (r == NULL)
    return;
  free(r->f);
  free(r);
}
