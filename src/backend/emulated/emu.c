/*
 * emu.c: the emulated Secure Enclave (include/sek/emu.h): device state, key hierarchy, the
 * backend operations, controls and faults.  Every error it gives is a row of emu_behaviour.c.
 *
 * Key hierarchy (all derived from the seed, so the same seed is the same device):
 *   UID            = HMAC-DRBG(seed, "uid"): the device's root key, never stored.
 *   class key(c)   = HMAC(UID, "class" || c || epoch(c)): one per protection class (ak, ck, dk,
 *                    aku, cku, dku, akpu, f); epoch(akpu) changes with each passcode removal,
 *                    epoch(f) with each boot, so those class keys are destroyed for real.
 *   SE wrap key(c) = HMAC(UID, "se-wrap" || class key(c)).
 * A private scalar is kept only wrapped: AES-256-GCM under the SE wrap key of its class, with
 * associated data "sepk1" || policy || [enrollment set] || public key.  The policy record holds
 * the access control (protection, flags) and its class epoch; the enrollment set is bound for
 * .biometryCurrentSet keys.  A keychain row's data is the item (object id, public key, policy,
 * wrapped scalar, the plain values of the SHA-1 columns) sealed under the class key, so a
 * locked class cannot even be read.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <sek/der.h>
#include <sek/emu.h>
#include <sek/query.h>
#include <sek/verify.h>

#include "backend/emulated/emu_crypto.h"
#include "backend/emulated/emu_internal.h"
#include "backend/emulated/store.h"

/* 2021-06-01 00:00:00 UTC as CFAbsoluteTime (seconds since 2001-01-01): the emulated clock's
 * start; it advances one second per call that changes something. */
#define CLOCK_START 644198400.0
#define SE_TOKEN "com.apple.setoken"
#define BLOB_LEN (32 + EMU_GCM_OVERHEAD)
#define POLICY_LEN 16
#define TOID_LEN 16
#define PERSISTREF_LEN 16
#define DATA_MAGIC "SEK1"
/* Flags that put a constraint on the key's operations ([SEC:AC.m] constraint building). */
#define CONSTRAINT_FLAGS                                                                           \
  (SEK_AC_USER_PRESENCE | SEK_AC_BIOMETRY_ANY | SEK_AC_BIOMETRY_CURRENT_SET |                      \
   SEK_AC_DEVICE_PASSCODE | SEK_AC_COMPANION | SEK_AC_APPLICATION_PASSWORD)

/* ---- protection classes ------------------------------------------------------------------- */

typedef enum {
  AVAIL_ALWAYS,
  AVAIL_AFTER_FIRST_UNLOCK,
  AVAIL_WHEN_UNLOCKED,
  AVAIL_PASSCODE,
  AVAIL_UNTIL_REBOOT
} availability;

/* Index = the class's number in policy records: do not reorder. */
static const struct {
  const char *pdmn;
  availability avail;
  const char *evidence;
} classes[] = {
    {"ak", AVAIL_WHEN_UNLOCKED, "[SEC:Const] kSecAttrAccessibleWhenUnlocked"},
    {"ck", AVAIL_AFTER_FIRST_UNLOCK, "[SEC:Const] kSecAttrAccessibleAfterFirstUnlock"},
    {"dk", AVAIL_ALWAYS, "[SEC:Const] kSecAttrAccessibleAlways"},
    {"aku", AVAIL_WHEN_UNLOCKED, "[SEC:Const] ...WhenUnlockedThisDeviceOnly"},
    {"cku", AVAIL_AFTER_FIRST_UNLOCK, "[SEC:Const] ...AfterFirstUnlockThisDeviceOnly"},
    {"dku", AVAIL_ALWAYS, "[SEC:Const] ...AlwaysThisDeviceOnly"},
    {"akpu", AVAIL_PASSCODE, "[SEC:Const] ...WhenPasscodeSetThisDeviceOnly"},
    {"f", AVAIL_UNTIL_REBOOT, "[SEC:KCItem] key_class_f (UntilReboot, private)"},
};
#define NUM_CLASSES (sizeof classes / sizeof classes[0])
#define CLASS_AKPU 6
#define CLASS_F 7

static int class_index(const char *pdmn, size_t len) {
  for (size_t i = 0; i < NUM_CLASSES; i++)
    if (strlen(classes[i].pdmn) == len && memcmp(classes[i].pdmn, pdmn, len) == 0)
      return (int)i;
  return -1;
}

/* ---- algorithms (apple-facts §7, [SEC:Adaptors]) ------------------------------------------ */

typedef struct {
  const char *suffix; /* after kSecKeyAlgorithmECDSASignature / ecdsaSignature */
  const char *raw;
  bool digest;  /* the input is a digest (else a message to hash) */
  bool rfc4754; /* raw r || s (else X9.62 DER) */
  int hash;     /* emu_hash, or -1: any digest length (1..64) */
} algorithm;

static const algorithm algorithms[] = {
    {"DigestX962", "algid:sign:ECDSA:digest-X962", true, false, -1},
    {"DigestRFC4754", "algid:sign:ECDSA:digest-RFC4754", true, true, -1},
    {"RFC4754", "algid:sign:ECDSA:RFC4754", true, true, -1}, /* deprecated */
    {"DigestX962SHA1", "algid:sign:ECDSA:digest-X962:SHA1", true, false, EMU_SHA1},
    {"DigestX962SHA224", "algid:sign:ECDSA:digest-X962:SHA224", true, false, EMU_SHA224},
    {"DigestX962SHA256", "algid:sign:ECDSA:digest-X962:SHA256", true, false, EMU_SHA256},
    {"DigestX962SHA384", "algid:sign:ECDSA:digest-X962:SHA384", true, false, EMU_SHA384},
    {"DigestX962SHA512", "algid:sign:ECDSA:digest-X962:SHA512", true, false, EMU_SHA512},
    {"DigestRFC4754SHA1", "algid:sign:ECDSA:digest-RFC4754:SHA1", true, true, EMU_SHA1},
    {"DigestRFC4754SHA224", "algid:sign:ECDSA:digest-RFC4754:SHA224", true, true, EMU_SHA224},
    {"DigestRFC4754SHA256", "algid:sign:ECDSA:digest-RFC4754:SHA256", true, true, EMU_SHA256},
    {"DigestRFC4754SHA384", "algid:sign:ECDSA:digest-RFC4754:SHA384", true, true, EMU_SHA384},
    {"DigestRFC4754SHA512", "algid:sign:ECDSA:digest-RFC4754:SHA512", true, true, EMU_SHA512},
    {"MessageX962SHA1", "algid:sign:ECDSA:message-X962:SHA1", false, false, EMU_SHA1},
    {"MessageX962SHA224", "algid:sign:ECDSA:message-X962:SHA224", false, false, EMU_SHA224},
    {"MessageX962SHA256", "algid:sign:ECDSA:message-X962:SHA256", false, false, EMU_SHA256},
    {"MessageX962SHA384", "algid:sign:ECDSA:message-X962:SHA384", false, false, EMU_SHA384},
    {"MessageX962SHA512", "algid:sign:ECDSA:message-X962:SHA512", false, false, EMU_SHA512},
    {"MessageRFC4754SHA1", "algid:sign:ECDSA:message-RFC4754:SHA1", false, true, EMU_SHA1},
    {"MessageRFC4754SHA224", "algid:sign:ECDSA:message-RFC4754:SHA224", false, true, EMU_SHA224},
    {"MessageRFC4754SHA256", "algid:sign:ECDSA:message-RFC4754:SHA256", false, true, EMU_SHA256},
    {"MessageRFC4754SHA384", "algid:sign:ECDSA:message-RFC4754:SHA384", false, true, EMU_SHA384},
    {"MessageRFC4754SHA512", "algid:sign:ECDSA:message-RFC4754:SHA512", false, true, EMU_SHA512},
};

static bool has_prefix_then(const char *name, const char *prefix, const char *suffix) {
  size_t n = strlen(prefix);
  return strncmp(name, prefix, n) == 0 && strcmp(name + n, suffix) == 0;
}

/* By raw string, kSec constant name or Swift spelling (with or without the leading dot). */
static const algorithm *find_algorithm(const char *name) {
  for (size_t i = 0; i < sizeof algorithms / sizeof algorithms[0]; i++) {
    const algorithm *a = &algorithms[i];
    if (strcmp(name, a->raw) == 0 ||
        has_prefix_then(name, "kSecKeyAlgorithmECDSASignature", a->suffix) ||
        has_prefix_then(name, "ecdsaSignature", a->suffix) ||
        has_prefix_then(name, ".ecdsaSignature", a->suffix))
      return a;
  }
  return NULL;
}

/* ---- the emulator -------------------------------------------------------------------------- */

struct sek_emu {
  emu_crypto *crypto;
  emu_store *store;
  sek_backend *backend;
  emu_drbg drbg;
  uint8_t uid[32];
  char *access_group;
  bool has_se, passcode_set, biometry_enrolled, locked, unlocked_since_boot;
  uint8_t enroll_set[32];
  uint32_t enroll_gen;
  int64_t passcode_epoch, boot_count;
  double clock;
  sek_emu_answer answers[SEK_EMU_MAX_ANSWERS];
  size_t ans_head, ans_count;
  sek_emu_answer default_answer;
  unsigned alloc_countdown;
  uint64_t fault_epoch;
  unsigned long key_serial;
  sek_emu_truth truth;
  bool have_truth;
};

/* A key reference's implementation: public values and the wrapped scalar, never the scalar. */
typedef struct {
  int64_t rowid; /* 0: not stored (kSecAttrIsPermanent false) */
  uint64_t fault_epoch;
  uint8_t pub[65], toid[TOID_LEN], policy[POLICY_LEN], blob[BLOB_LEN];
  char kid[17];
  bool ui_fail; /* found with kSecUseAuthenticationUI fail */
  unsigned long serial;
} emu_key;

/* An item decoded from a row's data. */
typedef struct {
  uint8_t toid[TOID_LEN], pub[65], policy[POLICY_LEN], blob[BLOB_LEN];
  sek_cell labl, atag, alis;
  int64_t kcls;
  uint8_t *plain; /* owns the bytes the cells point into */
  size_t plain_len;
} emu_item;

static void item_clear(emu_item *it) {
  if (it->plain != NULL)
    OPENSSL_clear_free(it->plain, it->plain_len);
  memset(it, 0, sizeof *it);
}

/* Allocations of the emulator's own, counted for sek_emu_fault_alloc. */
static void *emu_alloc(sek_emu *e, size_t n) {
  if (e->alloc_countdown > 0 && --e->alloc_countdown == 0)
    return NULL;
  return malloc(n > 0 ? n : 1);
}

static double tick(sek_emu *e) {
  e->clock += 1.0;
  return e->clock;
}

/* ---- emitting errors --------------------------------------------------------------------- */

typedef struct {
  const char *kid, *alg, *key, *detail;
} vars;

static void expand(char *out, size_t cap, const char *tmpl, const vars *v) {
  size_t n = 0;
  out[0] = '\0';
  for (const char *p = tmpl; *p != '\0' && n + 1 < cap;) {
    const char *val = NULL;
    size_t skip = 0;
    if (*p == '{') {
      static const char *const names[] = {"{kid}", "{alg}", "{key}", "{detail}"};
      const char *vals[] = {v->kid, v->alg, v->key, v->detail};
      for (size_t i = 0; i < 4; i++)
        if (strncmp(p, names[i], strlen(names[i])) == 0) {
          val = vals[i] != NULL ? vals[i] : "";
          skip = strlen(names[i]);
        }
    }
    if (val != NULL) {
      int w = snprintf(out + n, cap - n, "%s", val);
      n = w < 0 ? n : (size_t)w >= cap - n ? cap - 1 : n + (size_t)w;
      p += skip;
    } else {
      out[n++] = *p++;
      out[n] = '\0';
    }
  }
}

static void set_truth(sek_emu *e, emu_row row) {
  const sek_emu_behaviour *b = emu_behaviour_row(row);
  e->truth.serial++;
  e->truth.row = b;
  e->truth.action = b->action;
  e->truth.permanent = b->permanent;
  e->have_truth = true;
}

/* Builds row's error with v, stores it in *err, records the truth; SEK_BACKEND_ERR_APPLE. */
static int emit(sek_emu *e, emu_row row, const vars *v, sek_error **err) {
  static const vars none = {NULL, NULL, NULL, NULL};
  const sek_emu_behaviour *b = emu_behaviour_row(row);
  if (v == NULL)
    v = &none;
  set_truth(e, row);
  if (err == NULL)
    return SEK_BACKEND_ERR_APPLE;
  char desc[512], debug[512], under[512];
  if (b->description != NULL)
    expand(desc, sizeof desc, b->description, v);
  sek_error *x = sek_error_new(b->domain, b->code, b->description != NULL ? desc : NULL);
  int st = x == NULL ? SEK_ERR_NOMEM : SEK_OK;
  /* A CFError made with a description (SecError) carries it as NSDescription. */
  if (st == SEK_OK && b->description != NULL && strcmp(b->domain, SEK_DOMAIN_OSSTATUS) == 0)
    st = sek_error_add_string(x, SEK_KEY_DESCRIPTION, desc);
  if (st == SEK_OK && b->debug_description != NULL) {
    expand(debug, sizeof debug, b->debug_description, v);
    st = sek_error_add_string(x, SEK_KEY_DEBUG_DESCRIPTION, debug);
  }
  if (st == SEK_OK && b->has_aks_error)
    st = sek_error_add_number(x, SEK_KEY_AKS_ERROR, b->aks_error);
  if (st == SEK_OK && b->underlying_domain != NULL) {
    const char *ud = NULL;
    if (b->underlying_description != NULL) {
      expand(under, sizeof under, b->underlying_description, v);
      ud = under;
    }
    sek_error *inner = sek_error_new(b->underlying_domain, b->underlying_code, ud);
    st = inner == NULL ? SEK_ERR_NOMEM : SEK_OK;
    if (st == SEK_OK && ud != NULL && strcmp(b->underlying_domain, SEK_DOMAIN_LA) != 0)
      st = sek_error_add_string(inner, SEK_KEY_DEBUG_DESCRIPTION, ud);
    if (st == SEK_OK)
      st = sek_error_set_underlying(x, inner);
    else
      sek_error_free(inner);
  }
  if (st != SEK_OK) {
    sek_error_free(x);
    return SEK_ERR_NOMEM;
  }
  *err = x;
  return SEK_BACKEND_ERR_APPLE;
}

/* A store failure as Apple answers it (SecErrorGetOSStatus's SQLite mapping, §1e). */
static int emit_store(sek_emu *e, int status, sek_error **err) {
  emu_row row;
  switch (status) {
  case SEK_ERR_NOMEM: row = EMU_ROW_ALLOC; break;
  case SEK_STORE_ERR_IO: row = EMU_ROW_STORE_IO; break;
  case SEK_STORE_ERR_CONSTRAINT: row = EMU_ROW_KEYGEN_DUPLICATE; break; /* only inserts clash */
  case SEK_STORE_ERR_READONLY: row = EMU_ROW_STORE_READONLY; break;
  default: row = EMU_ROW_STORE_UNAVAILABLE; break;
  }
  vars v = {NULL, NULL, NULL, store_message(e->store)};
  return emit(e, row, &v, err);
}

static int emit_alloc(sek_emu *e, sek_error **err) { return emit(e, EMU_ROW_ALLOC, NULL, err); }

/* ---- keys: class keys, policy, wrapping -------------------------------------------------- */

static int64_t class_epoch(const sek_emu *e, int cls) {
  return cls == CLASS_AKPU ? e->passcode_epoch : cls == CLASS_F ? e->boot_count : 0;
}

static void le64(uint8_t out[8], uint64_t v) {
  for (int i = 0; i < 8; i++)
    out[i] = (uint8_t)(v >> (8 * i));
}

static int class_key(sek_emu *e, int cls, int64_t epoch, uint8_t out[32]) {
  uint8_t ep[8];
  le64(ep, (uint64_t)epoch);
  emu_iov parts[3] = {{(const uint8_t *)"class", 5},
                      {(const uint8_t *)classes[cls].pdmn, strlen(classes[cls].pdmn) + 1},
                      {ep, 8}};
  return emu_hmac_sha256(e->crypto, e->uid, 32, parts, 3, out);
}

static int se_wrap_key(sek_emu *e, int cls, int64_t epoch, uint8_t out[32]) {
  uint8_t ck[32];
  int st = class_key(e, cls, epoch, ck);
  if (st == SEK_OK) {
    emu_iov parts[2] = {{(const uint8_t *)"se-wrap", 7}, {ck, 32}};
    st = emu_hmac_sha256(e->crypto, e->uid, 32, parts, 2, out);
  }
  OPENSSL_cleanse(ck, sizeof ck);
  return st;
}

/* Is the class key in memory?  (AKS answers kAKSReturnNoPermission otherwise.) */
static bool class_available(const sek_emu *e, int cls) {
  bool unlocked = !e->locked || !e->passcode_set;
  switch (classes[cls].avail) {
  case AVAIL_ALWAYS:
  case AVAIL_UNTIL_REBOOT: return true;
  case AVAIL_AFTER_FIRST_UNLOCK: return e->unlocked_since_boot || !e->passcode_set;
  case AVAIL_WHEN_UNLOCKED: return unlocked;
  case AVAIL_PASSCODE: return e->passcode_set && unlocked;
  }
  return false;
}

/*
 * The policy record: [0] 'P', [1] has an access control (else the default ACL), [2] class,
 * [3] 0, [4..7] flags (big-endian), [8..11] the class epoch at creation (low 32 bits),
 * [12..15] reserved (0; a policy fault changes them).
 */
typedef struct {
  bool has_ac;
  int cls;
  uint32_t flags;
  uint32_t epoch;
} policy;

static void policy_make(const policy *p, uint8_t out[POLICY_LEN]) {
  memset(out, 0, POLICY_LEN);
  out[0] = 'P';
  out[1] = p->has_ac ? 1 : 0;
  out[2] = (uint8_t)p->cls;
  for (int i = 0; i < 4; i++) {
    out[4 + i] = (uint8_t)(p->flags >> (24 - 8 * i));
    out[8 + i] = (uint8_t)(p->epoch >> (24 - 8 * i));
  }
}

static bool policy_read(const uint8_t in[POLICY_LEN], policy *p) {
  if (in[0] != 'P' || in[1] > 1 || in[2] >= NUM_CLASSES)
    return false;
  p->has_ac = in[1] == 1;
  p->cls = in[2];
  p->flags = p->epoch = 0;
  for (int i = 0; i < 4; i++) {
    p->flags = p->flags << 8 | in[4 + i];
    p->epoch = p->epoch << 8 | in[8 + i];
  }
  return true;
}

static void seal_aad(sek_emu *e, const uint8_t policy_rec[POLICY_LEN], const uint8_t pub[65],
                     emu_iov aad[4], size_t *num) {
  policy p;
  *num = 0;
  aad[(*num)++] = (emu_iov){(const uint8_t *)"sepk1", 5};
  aad[(*num)++] = (emu_iov){policy_rec, POLICY_LEN};
  if (policy_read(policy_rec, &p) && p.has_ac && (p.flags & SEK_AC_BIOMETRY_CURRENT_SET))
    aad[(*num)++] = (emu_iov){e->enroll_set, 32}; /* the enrollment set of NOW */
  aad[(*num)++] = (emu_iov){pub, 65};
}

static int wrap_scalar(sek_emu *e, const uint8_t d[32], const uint8_t policy_rec[POLICY_LEN],
                       const uint8_t pub[65], uint8_t blob[BLOB_LEN]) {
  policy p;
  if (!policy_read(policy_rec, &p))
    return SEK_ERR_INTERNAL;
  uint8_t k[32];
  int st = se_wrap_key(e, p.cls, class_epoch(e, p.cls), k);
  emu_iov aad[4];
  size_t num;
  seal_aad(e, policy_rec, pub, aad, &num);
  if (st == SEK_OK)
    st = emu_gcm_seal(e->crypto, &e->drbg, k, aad, num, d, 32, blob);
  OPENSSL_cleanse(k, sizeof k);
  return st;
}

/* The Secure Enclave's unwrap: EMU_CRYPTO_ERR_AUTH when the policy no longer holds. */
static int unwrap_scalar(sek_emu *e, const uint8_t policy_rec[POLICY_LEN], const uint8_t pub[65],
                         const uint8_t blob[BLOB_LEN], uint8_t d[32]) {
  policy p;
  if (!policy_read(policy_rec, &p))
    return EMU_CRYPTO_ERR_AUTH;
  uint8_t k[32];
  int st = se_wrap_key(e, p.cls, (int64_t)p.epoch, k);
  emu_iov aad[4];
  size_t num;
  seal_aad(e, policy_rec, pub, aad, &num);
  if (st == SEK_OK)
    st = emu_gcm_open(e->crypto, k, aad, num, blob, BLOB_LEN, d);
  OPENSSL_cleanse(k, sizeof k);
  return st;
}

static void kid_hex(const uint8_t toid[TOID_LEN], char kid[17]) {
  for (int i = 0; i < 8; i++)
    snprintf(kid + 2 * i, 3, "%02x", toid[i]);
}

/* ---- row data: TLV items sealed under the class key -------------------------------------- */

enum { T_TOID = 1, T_PUB, T_POLICY, T_BLOB, T_KCLS, T_LABL, T_ATAG, T_ALIS };

static size_t tlv_put(uint8_t *out, uint8_t tag, const uint8_t *p, size_t len) {
  if (out != NULL) {
    out[0] = tag;
    out[1] = (uint8_t)(len >> 8);
    out[2] = (uint8_t)len;
    if (len > 0)
      memcpy(out + 3, p, len);
  }
  return 3 + len;
}

static size_t item_encode(const emu_item *it, uint8_t *out) {
  uint8_t kcls[4] = {(uint8_t)it->kcls, (uint8_t)(it->kcls >> 8), (uint8_t)(it->kcls >> 16),
                     (uint8_t)(it->kcls >> 24)};
  size_t n = 0;
  n += tlv_put(out ? out + n : NULL, T_TOID, it->toid, TOID_LEN);
  n += tlv_put(out ? out + n : NULL, T_PUB, it->pub, 65);
  n += tlv_put(out ? out + n : NULL, T_POLICY, it->policy, POLICY_LEN);
  n += tlv_put(out ? out + n : NULL, T_BLOB, it->blob, BLOB_LEN);
  n += tlv_put(out ? out + n : NULL, T_KCLS, kcls, 4);
  const sek_cell *cells[3] = {&it->labl, &it->atag, &it->alis};
  for (uint8_t i = 0; i < 3; i++)
    if (cells[i]->present)
      n += tlv_put(out ? out + n : NULL, (uint8_t)(T_LABL + i), cells[i]->bytes, cells[i]->len);
  return n;
}

/* Strict: every fixed-size field present once with its size, nothing unknown, no trailer. */
static bool item_decode(uint8_t *plain, size_t len, emu_item *it) {
  unsigned seen = 0;
  size_t off = 0;
  while (off < len) {
    if (len - off < 3)
      return false;
    uint8_t tag = plain[off];
    size_t n = (size_t)plain[off + 1] << 8 | plain[off + 2];
    off += 3;
    if (n > len - off || tag < T_TOID || tag > T_ALIS || (seen & (1u << tag)))
      return false;
    seen |= 1u << tag;
    const uint8_t *p = plain + off;
    static const size_t fixed[] = {0, TOID_LEN, 65, POLICY_LEN, BLOB_LEN, 4};
    if (tag <= T_KCLS && n != fixed[tag])
      return false;
    switch (tag) {
    case T_TOID: memcpy(it->toid, p, n); break;
    case T_PUB: memcpy(it->pub, p, n); break;
    case T_POLICY: memcpy(it->policy, p, n); break;
    case T_BLOB: memcpy(it->blob, p, n); break;
    case T_KCLS:
      it->kcls = (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                           (uint32_t)p[3] << 24);
      break;
    default: {
      sek_cell *c = tag == T_LABL ? &it->labl : tag == T_ATAG ? &it->atag : &it->alis;
      *c = (sek_cell){.present = true, .bytes = p, .len = n};
    }
    }
    off += n;
  }
  unsigned required =
      (1u << T_TOID) | (1u << T_PUB) | (1u << T_POLICY) | (1u << T_BLOB) | (1u << T_KCLS);
  return (seen & required) == required;
}

static void data_aad(const char *pdmn, size_t pdmn_len, const uint8_t *persistref, size_t pr_len,
                     emu_iov aad[3]) {
  aad[0] = (emu_iov){(const uint8_t *)DATA_MAGIC, 4};
  aad[1] = (emu_iov){(const uint8_t *)pdmn, pdmn_len};
  aad[2] = (emu_iov){persistref, pr_len};
}

/* Seals an item as a row's data (newly allocated: *out, free()). */
static int item_seal(sek_emu *e, const emu_item *it, int cls, const uint8_t *persistref,
                     uint8_t **out, size_t *out_len) {
  size_t plain_len = item_encode(it, NULL);
  uint8_t *plain = emu_alloc(e, plain_len);
  uint8_t *data = emu_alloc(e, 4 + plain_len + EMU_GCM_OVERHEAD);
  uint8_t ck[32];
  int st = plain == NULL || data == NULL ? SEK_ERR_NOMEM : SEK_OK;
  if (st == SEK_OK) {
    item_encode(it, plain);
    memcpy(data, DATA_MAGIC, 4);
    emu_iov aad[3];
    data_aad(classes[cls].pdmn, strlen(classes[cls].pdmn), persistref, PERSISTREF_LEN, aad);
    st = class_key(e, cls, class_epoch(e, cls), ck);
    if (st == SEK_OK)
      st = emu_gcm_seal(e->crypto, &e->drbg, ck, aad, 3, plain, plain_len, data + 4);
  }
  OPENSSL_cleanse(ck, sizeof ck);
  if (plain != NULL)
    OPENSSL_clear_free(plain, plain_len);
  if (st != SEK_OK) {
    free(data);
    return st;
  }
  *out = data;
  *out_len = 4 + plain_len + EMU_GCM_OVERHEAD;
  return SEK_OK;
}

/* Opens a stored row's data with its class key.  EMU_CRYPTO_ERR_AUTH for anything that is not
 * an item this device sealed (foreign, damaged, a destroyed class key). */
static int item_open(sek_emu *e, const store_row *row, emu_item *it) {
  memset(it, 0, sizeof *it);
  const sek_cell *pd = &row->cells[SEK_COL_PDMN];
  int cls = pd->present ? class_index((const char *)pd->bytes, pd->len) : -1;
  if (cls < 0 || row->data == NULL || row->data_len < 4 + EMU_GCM_OVERHEAD ||
      memcmp(row->data, DATA_MAGIC, 4) != 0)
    return EMU_CRYPTO_ERR_AUTH;
  size_t plain_len = row->data_len - 4 - EMU_GCM_OVERHEAD;
  uint8_t *plain = emu_alloc(e, plain_len);
  if (plain == NULL)
    return SEK_ERR_NOMEM;
  uint8_t ck[32];
  emu_iov aad[3];
  data_aad(classes[cls].pdmn, strlen(classes[cls].pdmn), row->persistref, row->persistref_len, aad);
  int st = class_key(e, cls, class_epoch(e, cls), ck);
  if (st == SEK_OK)
    st = emu_gcm_open(e->crypto, ck, aad, 3, row->data + 4, row->data_len - 4, plain);
  OPENSSL_cleanse(ck, sizeof ck);
  if (st == SEK_OK && !item_decode(plain, plain_len, it))
    st = EMU_CRYPTO_ERR_AUTH;
  if (st != SEK_OK) {
    OPENSSL_clear_free(plain, plain_len);
    memset(it, 0, sizeof *it);
    return st;
  }
  it->plain = plain;
  it->plain_len = plain_len;
  return SEK_OK;
}

/* The plain row: the stored cells, with the SHA-1 columns' plain values from the item. */
static void plain_row(const store_row *row, const emu_item *it, sek_row *out) {
  out->rowid = row->rowid;
  memcpy(out->cells, row->cells, sizeof out->cells);
  out->cells[SEK_COL_KCLS] = (sek_cell){.present = true, .i = it->kcls};
  out->cells[SEK_COL_LABL] = it->labl;
  out->cells[SEK_COL_ATAG] = it->atag.present ? it->atag : (sek_cell){.present = true};
  out->cells[SEK_COL_ALIS] = it->alis;
}

/* ---- key references ----------------------------------------------------------------------- */

static emu_key *key_from_item(sek_emu *e, const emu_item *it, int64_t rowid) {
  emu_key *k = emu_alloc(e, sizeof *k);
  if (k == NULL)
    return NULL;
  memset(k, 0, sizeof *k);
  k->rowid = rowid;
  k->fault_epoch = e->fault_epoch;
  memcpy(k->pub, it->pub, 65);
  memcpy(k->toid, it->toid, TOID_LEN);
  memcpy(k->policy, it->policy, POLICY_LEN);
  memcpy(k->blob, it->blob, BLOB_LEN);
  kid_hex(it->toid, k->kid);
  k->serial = ++e->key_serial;
  return k;
}

static void ops_key_free(void *impl, void *key_impl) {
  (void)impl;
  if (key_impl != NULL)
    OPENSSL_clear_free(key_impl, sizeof(emu_key));
}

/* Apple's description of a token key reference, with a stable synthetic address so that output
 * is deterministic (the error module prints nested errors the same way). */
static size_t describe_key(const emu_key *k, char *buf, size_t cap) {
  int n = snprintf(buf, cap, "<SecKeyRef:('%s') 0x%012llx>", SE_TOKEN,
                   0x600002a40000ull + 0x40ull * (k != NULL ? k->serial : 0));
  return n > 0 ? (size_t)n : 0;
}

static size_t ops_describe(void *impl, const sek_key *key, char *buf, size_t cap) {
  sek_emu *e = impl;
  return describe_key(sek_key_impl(key, e->backend), buf, cap);
}

/* Held references see policy faults injected after they were made. */
static void key_refresh(sek_emu *e, emu_key *k) {
  if (k->rowid == 0 || k->fault_epoch == e->fault_epoch)
    return;
  store_rows r;
  if (store_get(e->store, k->rowid, &r) == SEK_OK) {
    emu_item it;
    if (item_open(e, &r.rows[0], &it) == SEK_OK) {
      if (memcmp(it.toid, k->toid, TOID_LEN) == 0) {
        memcpy(k->policy, it.policy, POLICY_LEN);
        memcpy(k->blob, it.blob, BLOB_LEN);
      }
      item_clear(&it);
    }
    store_rows_free(&r);
  }
  k->fault_epoch = e->fault_epoch;
}

/* ---- key generation ------------------------------------------------------------------------ */

typedef struct {
  sek_row row; /* plain column values the caller gave (borrowed from params) */
  policy pol;
  bool perm;
} keygen_spec;

/* kSecPrivateKeyAttrs is merged into the top level, its values winning ([SEC:SecKey.m]). */
static const sek_value *param(const sek_attrs *top, const sek_attrs *priv, const char *key) {
  const sek_value *v = priv != NULL ? sek_attrs_get(priv, key) : NULL;
  return v != NULL ? v : sek_attrs_get(top, key);
}

static bool value_int(const sek_value *v, sek_column c, int64_t *out) {
  sek_cell cell;
  if (!sek_column_value(c, v, &cell))
    return false;
  *out = cell.i;
  return true;
}

static int keygen_fail(sek_emu *e, emu_row row, sek_error **err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int keygen_fail(sek_emu *e, emu_row row, sek_error **err, const char *fmt, ...) {
  char detail[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  vars v = {NULL, NULL, NULL, detail};
  return emit(e, row, &v, err);
}

/* The columns a caller's key-generation attribute may set (others are the emulator's). */
static bool caller_column(sek_column c) {
  switch (c) {
  case SEK_COL_CDAT:
  case SEK_COL_MDAT:
  case SEK_COL_KCLS:
  case SEK_COL_TYPE:
  case SEK_COL_BSIZ:
  case SEK_COL_ESIZ:
  case SEK_COL_TKID:
  case SEK_COL_PDMN:
  case SEK_COL_PERM:
  case SEK_COL_SYNC: return false;
  default: return true;
  }
}

/* Checks params in the behaviour table's order; fills spec.  0 or an emitted error. */
/*
 * Finds an access-control value anywhere in the tree that SecAccessControlCreateWithFlags would
 * have refused.  On a device such an object never exists (the call returns NULL and the app's
 * `!` traps or the dictionary holds nothing), so wherever it sits the request cannot be made;
 * the emulator reports it as the access-control row.  Depth is bounded by the attrs limits.
 */
static const char *invalid_access_control(const sek_attrs *a) {
  for (size_t i = 0; i < sek_attrs_count(a); i++) {
    const char *key;
    const sek_value *v;
    if (sek_attrs_entry(a, i, &key, &v) != SEK_OK)
      continue;
    const char *reason = NULL;
    if (sek_value_kind_of(v) == SEK_VALUE_DICT) {
      if ((reason = invalid_access_control(sek_value_dict(v))) != NULL)
        return reason;
    } else if (sek_value_kind_of(v) == SEK_VALUE_ACCESS_CONTROL &&
               sek_value_protection_kind(v) != SEK_VALUE_REFERENCE &&
               sek_access_control_check(sek_value_protection(v), sek_value_ac_flags(v), &reason) !=
                   SEK_OK) {
      return reason != NULL ? reason : "invalid";
    }
  }
  return NULL;
}

static int keygen_check(sek_emu *e, const sek_attrs *params, keygen_spec *spec, sek_error **err) {
  memset(spec, 0, sizeof *spec);
  const char *bad_ac = invalid_access_control(params);
  if (bad_ac != NULL)
    return keygen_fail(e, EMU_ROW_KEYGEN_ACCESS_CONTROL, err, "SecAccessControlCreateWithFlags: %s",
                       bad_ac);
  const sek_value *pv = sek_attrs_get(params, "private");
  const sek_attrs *priv = sek_value_kind_of(pv) == SEK_VALUE_DICT ? sek_value_dict(pv) : NULL;
  if (pv != NULL && priv == NULL)
    return keygen_fail(e, EMU_ROW_KEYGEN_ATTRIBUTE, err, "kSecPrivateKeyAttrs: not a dictionary");
  /* 1. the token: top level only (apple-facts §9) */
  const sek_value *tv = sek_attrs_get(params, "tkid");
  const char *tok = tv != NULL ? sek_value_string(tv, NULL) : NULL;
  if (tok == NULL || strcmp(tok, SE_TOKEN) != 0) {
    const char *why = tv != NULL ? "kSecAttrTokenID is not kSecAttrTokenIDSecureEnclave"
                      : priv != NULL && sek_attrs_get(priv, "tkid") != NULL
                          ? "kSecAttrTokenID is inside kSecPrivateKeyAttrs, not at the top level"
                          : "no kSecAttrTokenID";
    return keygen_fail(e, EMU_ROW_KEYGEN_NOT_SE_TOKEN, err, "%s", why);
  }
  /* 2. the device */
  if (!e->has_se)
    return emit(e, EMU_ROW_KEYGEN_NO_SECURE_ENCLAVE, NULL, err);
  /* 3. access group: the app's only entitled group */
  const sek_value *gv = param(params, priv, "agrp");
  if (gv != NULL) {
    size_t glen = 0;
    const char *g = sek_value_kind_of(gv) == SEK_VALUE_STRING ? sek_value_string(gv, &glen) : NULL;
    if (g == NULL)
      return keygen_fail(e, EMU_ROW_KEYGEN_ATTRIBUTE, err, "kSecAttrAccessGroup: not a string");
    if (glen != strlen(e->access_group) || memcmp(g, e->access_group, glen) != 0)
      return keygen_fail(e, EMU_ROW_KEYGEN_ACCESS_GROUP, err, "%.*s", (int)(glen < 80 ? glen : 80),
                         g);
  }
  /* 4. key type and size: NIST P-256 only */
  int64_t type = 0, bsiz = 256;
  const sek_value *ty = param(params, priv, "type");
  if (ty == NULL || !value_int(ty, SEK_COL_TYPE, &type))
    return keygen_fail(e, EMU_ROW_KEYGEN_KEY_TYPE, err,
                       "incorrect or missing kSecAttrKeyType in key generation request");
  if (type != 73)
    return keygen_fail(e, EMU_ROW_KEYGEN_KEY_TYPE, err,
                       "key type %lld is not supported by the Secure Enclave (EC P-256 only)",
                       (long long)type);
  const sek_value *bv = param(params, priv, "bsiz");
  if (bv != NULL && !value_int(bv, SEK_COL_BSIZ, &bsiz))
    return keygen_fail(e, EMU_ROW_KEYGEN_ATTRIBUTE, err, "kSecAttrKeySizeInBits: not a number");
  if (bsiz != 256)
    return keygen_fail(e, EMU_ROW_KEYGEN_KEY_SIZE, err,
                       "key size %lld is not supported by the Secure Enclave (256 only)",
                       (long long)bsiz);
  /* 5. access control and protection class */
  const sek_value *ac = param(params, priv, "accc");
  const sek_value *pd = param(params, priv, "pdmn");
  spec->pol.cls = 0; /* kSecAttrAccessibleWhenUnlocked: the keychain's default */
  if (ac != NULL) {
    if (sek_value_kind_of(ac) != SEK_VALUE_ACCESS_CONTROL)
      return keygen_fail(e, EMU_ROW_KEYGEN_ATTRIBUTE, err,
                         "kSecAttrAccessControl: not a SecAccessControl");
    const char *prot = sek_value_protection(ac), *reason = NULL;
    uint32_t flags = sek_value_ac_flags(ac);
    if (sek_access_control_check(prot, flags, &reason) != SEK_OK)
      return keygen_fail(e, EMU_ROW_KEYGEN_ACCESS_CONTROL, err,
                         "SecAccessControlCreateWithFlags: %s",
                         reason != NULL ? reason : "invalid");
    spec->pol.cls = class_index(prot, strlen(prot));
    if (spec->pol.cls < 0)
      return keygen_fail(e, EMU_ROW_KEYGEN_ACCESS_CONTROL, err,
                         "SecAccessControl: invalid protection");
    /* an item has one protection class: a kSecAttrAccessible beside it must be the same */
    size_t plen = 0;
    const char *p = pd != NULL && (sek_value_kind_of(pd) == SEK_VALUE_CONSTANT ||
                                   sek_value_kind_of(pd) == SEK_VALUE_STRING)
                        ? sek_value_string(pd, &plen)
                        : NULL;
    if (pd != NULL && (p == NULL || plen != strlen(prot) || memcmp(p, prot, plen) != 0))
      return keygen_fail(e, EMU_ROW_KEYGEN_ACCESS_CONTROL, err,
                         "kSecAttrAccessible does not match the protection of "
                         "kSecAttrAccessControl (%s)",
                         prot);
    spec->pol.has_ac = true;
    spec->pol.flags = flags;
  } else if (pd != NULL) {
    size_t plen = 0;
    const char *p =
        sek_value_kind_of(pd) == SEK_VALUE_CONSTANT || sek_value_kind_of(pd) == SEK_VALUE_STRING
            ? sek_value_string(pd, &plen)
            : NULL;
    spec->pol.cls = p != NULL ? class_index(p, plen) : -1;
    if (spec->pol.cls < 0)
      return keygen_fail(e, EMU_ROW_KEYGEN_ATTRIBUTE, err, "accessible attribute %.*s unknown",
                         (int)(p != NULL && plen < 40 ? plen : 0), p != NULL ? p : "");
  }
  /* 6. every other attribute that is a column: its type */
  spec->perm = true; /* token keys are permanent by default ([SEC:SecKey.m]) */
  const sek_value *perm = param(params, priv, "perm");
  int64_t permv = 1;
  if (perm != NULL && !value_int(perm, SEK_COL_PERM, &permv))
    return keygen_fail(e, EMU_ROW_KEYGEN_ATTRIBUTE, err, "kSecAttrIsPermanent: not a boolean");
  spec->perm = permv != 0;
  int64_t sync = 0;
  const sek_value *sv = param(params, priv, "sync");
  if (sv != NULL && !value_int(sv, SEK_COL_SYNC, &sync))
    return keygen_fail(e, EMU_ROW_KEYGEN_ATTRIBUTE, err, "kSecAttrSynchronizable: not a boolean");
  for (size_t c = 0; c < SEK_COL_COUNT; c++) {
    if (!caller_column((sek_column)c))
      continue;
    const sek_column_info *info = sek_column_info_at((sek_column)c);
    const sek_value *v = param(params, priv, info->name);
    if (v == NULL)
      continue;
    if (!sek_column_value((sek_column)c, v, &spec->row.cells[c]))
      return keygen_fail(e, EMU_ROW_KEYGEN_ATTRIBUTE, err, "attribute %s: value of the wrong type",
                         info->name);
    if (info->kind == SEK_COLKIND_TEXT && spec->row.cells[c].len > 0 &&
        memchr(spec->row.cells[c].bytes, 0, spec->row.cells[c].len) != NULL)
      return keygen_fail(e, EMU_ROW_KEYGEN_ATTRIBUTE, err, "attribute %s: string holds a NUL",
                         info->name);
  }
  /* 7. the device state the class needs */
  if (sync != 0)
    return emit(e, EMU_ROW_KEYGEN_SYNCHRONIZABLE, NULL, err);
  if (spec->pol.cls == CLASS_AKPU && !e->passcode_set)
    return emit(e, EMU_ROW_KEYGEN_PASSCODE_NOT_SET, NULL, err);
  spec->pol.epoch = (uint32_t)class_epoch(e, spec->pol.cls);
  return SEK_OK;
}

int sek_emu_check_keygen(sek_emu *emu, const sek_attrs *params, sek_error **err) {
  if (emu == NULL || params == NULL)
    return SEK_ERR_ARG;
  keygen_spec spec;
  return keygen_check(emu, params, &spec, err);
}

/* The row of a new key: the caller's values, then the emulator's (Secure Enclave defaults). */
static void keygen_row(sek_emu *e, keygen_spec *spec, double now) {
  sek_cell *c = spec->row.cells;
  static const struct {
    sek_column col;
    int64_t value;
  } defaults[] = {
      /* what a token private key reports (inferred from [SEC:CTKKey] and the SE's operations:
       * ECDSA sign, ECDH derive, ECIES decrypt; never extractable) */
      {SEK_COL_PRIV, 1}, {SEK_COL_MODI, 1}, {SEK_COL_SENS, 1}, {SEK_COL_ASEN, 1}, {SEK_COL_EXTR, 0},
      {SEK_COL_NEXT, 1}, {SEK_COL_ENCR, 0}, {SEK_COL_DECR, 1}, {SEK_COL_DRVE, 1}, {SEK_COL_SIGN, 1},
      {SEK_COL_VRFY, 0}, {SEK_COL_SNRC, 0}, {SEK_COL_VYRC, 0}, {SEK_COL_WRAP, 0}, {SEK_COL_UNWP, 0},
  };
  for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
    if (!c[defaults[i].col].present)
      c[defaults[i].col] = (sek_cell){.present = true, .i = defaults[i].value};
  c[SEK_COL_CDAT] = (sek_cell){.present = true, .r = now};
  c[SEK_COL_MDAT] = (sek_cell){.present = true, .r = now};
  c[SEK_COL_KCLS] = (sek_cell){.present = true, .i = 1}; /* kSecAttrKeyClassPrivate */
  c[SEK_COL_TYPE] = (sek_cell){.present = true, .i = 73};
  c[SEK_COL_BSIZ] = (sek_cell){.present = true, .i = 256};
  c[SEK_COL_ESIZ] = (sek_cell){.present = true, .i = 256};
  c[SEK_COL_PERM] = (sek_cell){.present = true, .i = spec->perm ? 1 : 0};
  c[SEK_COL_SYNC] = (sek_cell){.present = true, .i = 0};
  c[SEK_COL_TKID] =
      (sek_cell){.present = true, .bytes = (const uint8_t *)SE_TOKEN, .len = strlen(SE_TOKEN)};
  const char *pdmn = classes[spec->pol.cls].pdmn;
  c[SEK_COL_PDMN] =
      (sek_cell){.present = true, .bytes = (const uint8_t *)pdmn, .len = strlen(pdmn)};
  if (!c[SEK_COL_AGRP].present)
    c[SEK_COL_AGRP] = (sek_cell){
        .present = true, .bytes = (const uint8_t *)e->access_group, .len = strlen(e->access_group)};
}

/*
 * Makes a key: scalar from the DRBG, object id, policy, wrap; with store, the row too (inside
 * the caller's transaction when there is one).  *out_item holds the item (no plain buffer).
 */
static int make_key(sek_emu *e, keygen_spec *spec, bool store, emu_item *out_item,
                    int64_t *out_rowid, uint8_t persistref[PERSISTREF_LEN], double now) {
  uint8_t d[32], klbl[20];
  emu_item it;
  memset(&it, 0, sizeof it);
  int st = emu_p256_keygen(e->crypto, &e->drbg, d, it.pub);
  if (st == SEK_OK) {
    /* object id: device-bound and opaque; kid is its first 8 bytes (inferred format) */
    uint8_t mac[32];
    emu_iov parts[2] = {{(const uint8_t *)"toid", 4}, {it.pub, 65}};
    st = emu_hmac_sha256(e->crypto, e->uid, 32, parts, 2, mac);
    memcpy(it.toid, mac, TOID_LEN);
  }
  policy_make(&spec->pol, it.policy);
  if (st == SEK_OK)
    st = wrap_scalar(e, d, it.policy, it.pub, it.blob);
  OPENSSL_cleanse(d, sizeof d);
  if (st != SEK_OK)
    return st;
  it.kcls = 1;
  it.labl = spec->row.cells[SEK_COL_LABL];
  it.atag = spec->row.cells[SEK_COL_ATAG];
  it.alis = spec->row.cells[SEK_COL_ALIS];
  /* klbl: the caller's application label, else SHA-1 of the public key ([SEC:CTKKey]) */
  if (!spec->row.cells[SEK_COL_KLBL].present) {
    if ((st = emu_sha1(e->crypto, it.pub, 65, klbl)) != SEK_OK)
      return st;
    spec->row.cells[SEK_COL_KLBL] = (sek_cell){.present = true, .bytes = klbl, .len = 20};
  }
  keygen_row(e, spec, now);
  *out_rowid = 0;
  if (store) {
    uint8_t *data = NULL;
    size_t data_len = 0;
    if ((st = emu_drbg_generate(e->crypto, &e->drbg, persistref, PERSISTREF_LEN)) == SEK_OK)
      st = item_seal(e, &it, spec->pol.cls, persistref, &data, &data_len);
    if (st == SEK_OK)
      st =
          store_insert(e->store, &spec->row, data, data_len, persistref, PERSISTREF_LEN, out_rowid);
    free(data);
    if (st != SEK_OK)
      return st;
  }
  it.labl = it.atag = it.alis = (sek_cell){0}; /* borrowed from params: not kept */
  *out_item = it;
  return SEK_OK;
}

static int ops_create_random_key(void *impl, const sek_attrs *params, sek_key **out,
                                 sek_error **err) {
  sek_emu *e = impl;
  keygen_spec spec;
  int st = keygen_check(e, params, &spec, err);
  if (st != SEK_OK)
    return st;
  emu_item it;
  int64_t rowid = 0;
  uint8_t persistref[PERSISTREF_LEN];
  st = make_key(e, &spec, spec.perm, &it, &rowid, persistref, tick(e));
  if (st == SEK_STORE_ERR_CONSTRAINT)
    return emit(e, EMU_ROW_KEYGEN_DUPLICATE, NULL, err);
  if (st != SEK_OK)
    return st == SEK_ERR_INTERNAL ? st : emit_store(e, st, err);
  emu_key *k = key_from_item(e, &it, rowid);
  sek_key *key = k != NULL ? sek_key_new(e->backend, k) : NULL;
  if (key == NULL) {
    /* The key exists in the keychain now; a failed reference is an allocation failure. */
    if (rowid != 0)
      (void)store_delete(e->store, &rowid, 1);
    return emit_alloc(e, err);
  }
  *out = key;
  return SEK_OK;
}

/* ---- copy matching, delete ---------------------------------------------------------------- */

static int emit_query_error(sek_emu *e, int st, sek_error **err, sek_error *qerr) {
  if (st != SEK_QUERY_ERR_INVALID) {
    sek_error_free(qerr);
    return st == SEK_ERR_NOMEM ? emit_alloc(e, err) : st;
  }
  long code = qerr != NULL ? sek_error_code(qerr) : -50;
  set_truth(e, code == -25303   ? EMU_ROW_QUERY_NO_SUCH_ATTR
               : code == -25306 ? EMU_ROW_QUERY_NO_SUCH_CLASS
                                : EMU_ROW_QUERY_PARAM);
  if (err != NULL)
    *err = qerr;
  else
    sek_error_free(qerr);
  return SEK_BACKEND_ERR_APPLE;
}

/* One result: what the query asked to return. */
static int append_result(sek_emu *e, sek_items *items, const sek_query *q, const store_row *row,
                         const emu_item *it) {
  unsigned ret = sek_query_returns(q);
  sek_key *key = NULL;
  sek_attrs *attrs = NULL;
  if (ret & SEK_RETURN_REF) {
    emu_key *k = key_from_item(e, it, row->rowid);
    if (k == NULL || (key = sek_key_new(e->backend, k)) == NULL)
      return SEK_ERR_NOMEM;
    k->ui_fail = sek_query_ui_fail(q);
  }
  if (ret & (SEK_RETURN_ATTRIBUTES | SEK_RETURN_PERSISTENT_REF)) {
    sek_row plain;
    plain_row(row, it, &plain);
    int st = SEK_OK;
    if (ret & SEK_RETURN_ATTRIBUTES) {
      st = sek_row_to_attrs(&plain, &attrs);
      policy p;
      if (st == SEK_OK && policy_read(it->policy, &p) && p.has_ac)
        st = sek_attrs_set_access_control(attrs, "accc", classes[p.cls].pdmn, p.flags);
      if (st == SEK_OK)
        st = sek_attrs_set_data(attrs, "toid", it->toid, TOID_LEN);
    } else if ((attrs = sek_attrs_new()) == NULL) {
      st = SEK_ERR_NOMEM;
    }
    if (st == SEK_OK && (ret & SEK_RETURN_PERSISTENT_REF))
      st = sek_attrs_set_data(attrs, "v_PersistentRef", row->persistref, row->persistref_len);
    if (st != SEK_OK) {
      sek_key_free(key);
      sek_attrs_free(attrs);
      return SEK_ERR_NOMEM;
    }
  }
  /* kSecReturnData of an enclave key: its object id, never key material */
  bool data = (ret & SEK_RETURN_DATA) != 0;
  return sek_items_append(items, key, attrs, data, data ? it->toid : NULL, data ? TOID_LEN : 0);
}

/* Builds the results of matched rows (in order, at most limit), as securityd reads them. */
static int results_of(sek_emu *e, const sek_query *q, const store_row *rows, size_t num,
                      emu_row locked_row, sek_items **out, sek_error **err) {
  sek_items *items = sek_items_new();
  if (items == NULL)
    return emit_alloc(e, err);
  for (size_t i = 0; i < num; i++) {
    const sek_cell *pd = &rows[i].cells[SEK_COL_PDMN];
    int cls = pd->present ? class_index((const char *)pd->bytes, pd->len) : -1;
    if (cls >= 0 && !class_available(e, cls)) {
      sek_items_free(items);
      return emit(e, locked_row, NULL, err);
    }
    emu_item it;
    int st = item_open(e, &rows[i], &it);
    if (st == SEK_OK) {
      st = append_result(e, items, q, &rows[i], &it);
      item_clear(&it);
    }
    if (st != SEK_OK) {
      sek_items_free(items);
      if (st == SEK_ERR_NOMEM)
        return emit_alloc(e, err);
      char detail[96];
      snprintf(detail, sizeof detail, "item %lld cannot be decrypted on this device",
               (long long)rows[i].rowid);
      vars v = {NULL, NULL, NULL, detail};
      return emit(e, EMU_ROW_QUERY_UNDECRYPTABLE, &v, err);
    }
  }
  *out = items;
  return SEK_OK;
}

static int ops_copy_matching(void *impl, const sek_attrs *query, sek_items **out, sek_error **err) {
  sek_emu *e = impl;
  sek_query *q = NULL;
  sek_error *qerr = NULL;
  int st = sek_query_compile(query, SEK_QUERY_COPY, &q, &qerr);
  if (st != SEK_OK)
    return emit_query_error(e, st, err, qerr);
  store_rows r = {0, NULL};
  if (strcmp(sek_query_class(q), "keys") == 0 &&
      (st = store_select(e->store, q, sek_query_limit(q), &r)) != SEK_OK) {
    sek_query_free(q);
    return emit_store(e, st, err);
  }
  if (r.num == 0)
    st = emit(e, EMU_ROW_QUERY_NOT_FOUND, NULL, err);
  else
    st = results_of(e, q, r.rows, r.num, EMU_ROW_QUERY_LOCKED, out, err);
  store_rows_free(&r);
  sek_query_free(q);
  return st;
}

int sek_emu_copy_matching_reference(sek_emu *emu, const sek_attrs *query, sek_items **out,
                                    sek_error **err) {
  if (emu == NULL || query == NULL || out == NULL)
    return SEK_ERR_ARG;
  sek_emu *e = emu;
  sek_query *q = NULL;
  sek_error *qerr = NULL;
  int st = sek_query_compile(query, SEK_QUERY_COPY, &q, &qerr);
  if (st != SEK_OK)
    return emit_query_error(e, st, err, qerr);
  store_rows all = {0, NULL};
  if (strcmp(sek_query_class(q), "keys") == 0 &&
      (st = store_select_all(e->store, &all)) != SEK_OK) {
    sek_query_free(q);
    return emit_store(e, st, err);
  }
  /* Match every row in memory (the oracle decrypts with every class key, locked or not). */
  store_row *matched = all.num > 0 ? calloc(all.num, sizeof *matched) : NULL;
  size_t num = 0, limit = sek_query_limit(q);
  if (all.num > 0 && matched == NULL) {
    store_rows_free(&all);
    sek_query_free(q);
    return emit_alloc(e, err);
  }
  for (size_t i = 0; i < all.num && num < limit; i++) {
    emu_item it;
    st = item_open(e, &all.rows[i], &it);
    if (st == SEK_ERR_NOMEM)
      break;
    if (st != SEK_OK) {
      st = SEK_OK; /* undecryptable rows: matched on their clear columns alone */
      sek_row plain;
      emu_item empty;
      memset(&empty, 0, sizeof empty);
      plain_row(&all.rows[i], &empty, &plain);
      plain.cells[SEK_COL_KCLS] = (sek_cell){0};
      plain.cells[SEK_COL_ATAG] = (sek_cell){0};
      if (sek_query_matches(q, &plain))
        matched[num++] = all.rows[i];
      continue;
    }
    sek_row plain;
    plain_row(&all.rows[i], &it, &plain);
    if (sek_query_matches(q, &plain))
      matched[num++] = all.rows[i];
    item_clear(&it);
  }
  if (st == SEK_ERR_NOMEM)
    st = emit_alloc(e, err);
  else if (num == 0)
    st = emit(e, EMU_ROW_QUERY_NOT_FOUND, NULL, err);
  else
    st = results_of(e, q, matched, num, EMU_ROW_QUERY_LOCKED, out, err);
  free(matched);
  store_rows_free(&all);
  sek_query_free(q);
  return st;
}

static int ops_delete(void *impl, const sek_attrs *query, sek_error **err) {
  sek_emu *e = impl;
  sek_query *q = NULL;
  sek_error *qerr = NULL;
  int st = sek_query_compile(query, SEK_QUERY_DELETE, &q, &qerr);
  if (st != SEK_OK)
    return emit_query_error(e, st, err, qerr);
  store_rows r = {0, NULL};
  if (strcmp(sek_query_class(q), "keys") == 0 &&
      (st = store_select(e->store, q, SIZE_MAX, &r)) != SEK_OK) {
    sek_query_free(q);
    return emit_store(e, st, err);
  }
  sek_query_free(q);
  if (r.num == 0) {
    store_rows_free(&r);
    return emit(e, EMU_ROW_DELETE_NOT_FOUND, NULL, err);
  }
  int64_t *ids = emu_alloc(e, r.num * sizeof *ids);
  if (ids == NULL) {
    store_rows_free(&r);
    return emit_alloc(e, err);
  }
  for (size_t i = 0; i < r.num; i++) {
    const sek_cell *pd = &r.rows[i].cells[SEK_COL_PDMN];
    int cls = pd->present ? class_index((const char *)pd->bytes, pd->len) : -1;
    if (cls >= 0 && !class_available(e, cls)) {
      free(ids);
      store_rows_free(&r);
      return emit(e, EMU_ROW_DELETE_LOCKED, NULL, err);
    }
    ids[i] = r.rows[i].rowid;
  }
  st = store_delete(e->store, ids, r.num);
  free(ids);
  store_rows_free(&r);
  tick(e);
  return st == SEK_OK ? SEK_OK : emit_store(e, st, err);
}

/* ---- key operations ----------------------------------------------------------------------- */

static int ops_copy_public_key(void *impl, const sek_key *key, uint8_t pub65[65], sek_error **err) {
  sek_emu *e = impl;
  (void)err;
  const emu_key *k = sek_key_impl(key, e->backend);
  memcpy(pub65, k->pub, 65);
  return SEK_OK;
}

static int ops_copy_key_attributes(void *impl, const sek_key *key, sek_attrs **out,
                                   sek_error **err) {
  sek_emu *e = impl;
  const emu_key *k = sek_key_impl(key, e->backend);
  uint8_t klbl[20];
  policy p;
  sek_attrs *a = sek_attrs_new();
  int st = a == NULL ? SEK_ERR_NOMEM : emu_sha1(e->crypto, k->pub, 65, klbl);
  if (st == SEK_OK)
    st = sek_attrs_set_number(a, "kcls", 1);
  if (st == SEK_OK)
    st = sek_attrs_set_number(a, "type", 73);
  if (st == SEK_OK)
    st = sek_attrs_set_number(a, "bsiz", 256);
  if (st == SEK_OK)
    st = sek_attrs_set_number(a, "esiz", 256);
  if (st == SEK_OK) /* klbl = SHA-1 of the public key; perm; tkid and toid ([SEC:CTKKey]) */
    st = sek_attrs_set_data(a, "klbl", klbl, 20);
  if (st == SEK_OK)
    st = sek_attrs_set_bool(a, "perm", k->rowid != 0);
  if (st == SEK_OK)
    st = sek_attrs_set_string(a, "tkid", SE_TOKEN, strlen(SE_TOKEN));
  if (st == SEK_OK)
    st = sek_attrs_set_data(a, "toid", k->toid, TOID_LEN);
  if (st == SEK_OK && policy_read(k->policy, &p)) {
    st = sek_attrs_set_constant(a, "pdmn", classes[p.cls].pdmn);
    if (st == SEK_OK && p.has_ac)
      st = sek_attrs_set_access_control(a, "accc", classes[p.cls].pdmn, p.flags);
  }
  if (st != SEK_OK) {
    sek_attrs_free(a);
    return emit_alloc(e, err);
  }
  *out = a;
  return SEK_OK;
}

static int ops_copy_external_representation(void *impl, const sek_key *key, uint8_t *out,
                                            size_t out_cap, size_t *out_len, sek_error **err) {
  sek_emu *e = impl;
  (void)out;
  (void)out_cap;
  (void)out_len;
  char desc[96];
  describe_key(sek_key_impl(key, e->backend), desc, sizeof desc);
  vars v = {NULL, NULL, desc, NULL};
  return emit(e, EMU_ROW_EXPORT, &v, err);
}

/* The input as the digest to sign or verify (digest-* takes it as is, message-* hashes it). */
static int prepare_digest(sek_emu *e, const algorithm *a, const uint8_t *data, size_t len,
                          uint8_t digest[64], size_t *digest_len, emu_row size_row,
                          sek_error **err) {
  if (a->digest) {
    size_t want = a->hash >= 0 ? emu_hash_len((emu_hash)a->hash) : 0;
    if (want != 0 ? len != want : len == 0 || len > 64) {
      vars v = {NULL, a->raw, NULL, NULL};
      return emit(e, size_row, &v, err);
    }
    memcpy(digest, data, len);
    *digest_len = len;
    return SEK_OK;
  }
  int st = emu_digest(e->crypto, (emu_hash)a->hash, data, len, digest);
  if (st != SEK_OK)
    return st;
  *digest_len = emu_hash_len((emu_hash)a->hash);
  return SEK_OK;
}

/* The constraints of the access control, as LocalAuthentication evaluates them. */
static emu_row constraint_unavailable(const sek_emu *e, uint32_t bit) {
  switch (bit) {
  case SEK_AC_USER_PRESENCE:
  case SEK_AC_DEVICE_PASSCODE:
    return e->passcode_set ? EMU_ROW_COUNT : EMU_ROW_SIGN_PASSCODE_NOT_SET;
  case SEK_AC_BIOMETRY_ANY:
  case SEK_AC_BIOMETRY_CURRENT_SET:
    return !e->passcode_set        ? EMU_ROW_SIGN_PASSCODE_NOT_SET
           : !e->biometry_enrolled ? EMU_ROW_SIGN_BIOMETRY_NOT_ENROLLED
                                   : EMU_ROW_COUNT;
  case SEK_AC_COMPANION: return EMU_ROW_SIGN_COMPANION_UNAVAILABLE;
  default: return EMU_ROW_COUNT; /* application password: always promptable */
  }
}

/* The prompt: EMU_ROW_COUNT when the user authenticates, else the row of the answer. */
static emu_row prompt(sek_emu *e, const emu_key *k) {
  if (k->ui_fail)
    return EMU_ROW_SIGN_NOT_INTERACTIVE;
  sek_emu_answer a = e->default_answer;
  if (e->ans_count > 0) {
    a = e->answers[e->ans_head];
    e->ans_head = (e->ans_head + 1) % SEK_EMU_MAX_ANSWERS;
    e->ans_count--;
  }
  static const emu_row by_answer[] = {
      [SEK_EMU_ANSWER_SUCCESS] = EMU_ROW_COUNT,
      [SEK_EMU_ANSWER_CANCEL] = EMU_ROW_SIGN_USER_CANCEL,
      [SEK_EMU_ANSWER_FAIL] = EMU_ROW_SIGN_AUTH_FAILED,
      [SEK_EMU_ANSWER_LOCKOUT] = EMU_ROW_SIGN_LOCKOUT,
      [SEK_EMU_ANSWER_NOT_INTERACTIVE] = EMU_ROW_SIGN_NOT_INTERACTIVE,
      [SEK_EMU_ANSWER_FALLBACK] = EMU_ROW_SIGN_FALLBACK,
      [SEK_EMU_ANSWER_SYSTEM_CANCEL] = EMU_ROW_SIGN_SYSTEM_CANCEL,
  };
  return (unsigned)a < sizeof by_answer / sizeof by_answer[0] ? by_answer[a] : EMU_ROW_COUNT;
}

/* Authorises one use of the key: ACL, class, policy (unwrap), constraints, prompt. */
static int authorize(sek_emu *e, emu_key *k, uint8_t d[32], sek_error **err) {
  key_refresh(e, k);
  vars v = {k->kid, NULL, NULL, NULL};
  policy p;
  if (!policy_read(k->policy, &p))
    return emit(e, EMU_ROW_SIGN_POLICY_INVALID, &v, err);
  /* 1. the ACL must have a sign operation ([SEC:AC.m]: constraints without PrivateKeyUsage go on
   *    decrypt only; no constraint at all is the default ACL, which allows everything) */
  uint32_t constraints = p.has_ac ? p.flags & CONSTRAINT_FLAGS : 0;
  if (constraints != 0 && !(p.flags & SEK_AC_PRIVATE_KEY_USAGE))
    return emit(e, EMU_ROW_SIGN_NO_PRIVATE_KEY_USAGE, &v, err);
  /* 2. the class key: destroyed (new epoch, no passcode) or not in memory (locked) */
  if ((int64_t)p.epoch != (uint32_t)class_epoch(e, p.cls) ||
      (p.cls == CLASS_AKPU && !e->passcode_set))
    return emit(e, EMU_ROW_SIGN_CLASS_KEY_GONE, &v, err);
  if (!class_available(e, p.cls))
    return emit(e, EMU_ROW_SIGN_LOCKED, &v, err);
  /* 3. the policy: the Secure Enclave unwraps before it asks anyone (the seed saw no prompt) */
  int st = unwrap_scalar(e, k->policy, k->pub, k->blob, d);
  if (st == EMU_CRYPTO_ERR_AUTH)
    return emit(e, EMU_ROW_SIGN_POLICY_INVALID, &v, err);
  if (st != SEK_OK)
    return st;
  /* 4. the constraints LocalAuthentication can evaluate, then one prompt */
  if (constraints != 0) {
    bool any_or = (p.flags & SEK_AC_OR) != 0, available = false;
    emu_row first = EMU_ROW_COUNT;
    for (uint32_t bit = 1; bit != 0; bit <<= 1) {
      if (!(constraints & bit))
        continue;
      emu_row r = constraint_unavailable(e, bit);
      if (r == EMU_ROW_COUNT)
        available = true;
      else if (first == EMU_ROW_COUNT)
        first = r;
    }
    emu_row r = any_or ? (available ? EMU_ROW_COUNT : first) : first;
    if (r == EMU_ROW_COUNT)
      r = prompt(e, k);
    if (r != EMU_ROW_COUNT) {
      OPENSSL_cleanse(d, 32);
      return emit(e, r, &v, err);
    }
  }
  return SEK_OK;
}

static int ops_create_signature(void *impl, const sek_key *key, const char *algorithm_name,
                                const uint8_t *data, size_t len, uint8_t *sig, size_t sig_cap,
                                size_t *sig_len, sek_error **err) {
  sek_emu *e = impl;
  emu_key *k = sek_key_impl(key, e->backend);
  const algorithm *a = find_algorithm(algorithm_name);
  char desc[96];
  if (a == NULL) {
    describe_key(k, desc, sizeof desc);
    vars v = {k->kid, algorithm_name, desc, NULL};
    return emit(e, EMU_ROW_SIGN_ALGORITHM, &v, err);
  }
  if (sig_cap < (a->rfc4754 ? 64u : (size_t)SEK_SIG_MAX_LEN))
    return SEK_BACKEND_ERR_BUFFER;
  uint8_t digest[64], d[32], raw[64];
  size_t digest_len = 0;
  int st = prepare_digest(e, a, data, len, digest, &digest_len, EMU_ROW_SIGN_DIGEST_SIZE, err);
  if (st != SEK_OK)
    return st;
  if ((st = authorize(e, k, d, err)) != SEK_OK)
    return st;
  uint8_t der[SEK_DER_SIG_MAX_LEN];
  size_t der_len = 0;
  st = emu_p256_sign(e->crypto, d, k->pub, digest, digest_len, der, &der_len);
  OPENSSL_cleanse(d, sizeof d);
  if (st != SEK_OK)
    return st;
  if (a->rfc4754) { /* SecKey makes RFC 4754 from the X9.62 result ([SEC:Adaptors]) */
    if (sek_der_sig_to_raw(der, der_len, raw) != SEK_OK)
      return SEK_ERR_INTERNAL;
    memcpy(sig, raw, 64);
    *sig_len = 64;
    return SEK_OK;
  }
  memcpy(sig, der, der_len);
  *sig_len = der_len;
  return SEK_OK;
}

static int ops_verify_signature(void *impl, const sek_key *key, const char *algorithm_name,
                                const uint8_t *data, size_t len, const uint8_t *sig, size_t sig_len,
                                sek_error **err) {
  sek_emu *e = impl;
  const emu_key *k = sek_key_impl(key, e->backend);
  const algorithm *a = find_algorithm(algorithm_name);
  char desc[96];
  if (a == NULL) {
    describe_key(k, desc, sizeof desc);
    vars v = {k->kid, algorithm_name, desc, NULL};
    return emit(e, EMU_ROW_VERIFY_ALGORITHM, &v, err);
  }
  uint8_t digest[64];
  size_t digest_len = 0;
  int st = prepare_digest(e, a, data, len, digest, &digest_len, EMU_ROW_VERIFY_DIGEST_SIZE, err);
  if (st != SEK_OK)
    return st;
  if (a->rfc4754 && sig_len != 64)
    return emit(e, EMU_ROW_VERIFY_RFC4754_LENGTH, NULL, err);
  /* OpenSSL verifies (verify.h); the digest is ours, so any SecKey hash works */
  st = sek_verify_digest(SEK_VERIFY_HASH_NONE, k->pub, 65, digest, digest_len, sig, sig_len,
                         a->rfc4754 ? SEK_SIG_RAW : SEK_SIG_DER);
  if (st == SEK_OK)
    return SEK_OK;
  if (st == SEK_ERR_NOMEM || st == SEK_VERIFY_ERR_OPENSSL)
    return emit_alloc(e, err);
  return emit(e, EMU_ROW_VERIFY_MISMATCH, NULL, err);
}

static const sek_backend_ops emu_ops = {
    .name = "emulated",
    .create_random_key = ops_create_random_key,
    .copy_matching = ops_copy_matching,
    .delete_items = ops_delete,
    .copy_public_key = ops_copy_public_key,
    .copy_key_attributes = ops_copy_key_attributes,
    .create_signature = ops_create_signature,
    .verify_signature = ops_verify_signature,
    .copy_external_representation = ops_copy_external_representation,
    .describe = ops_describe,
    .key_free = ops_key_free,
    .destroy = NULL, /* the emulator owns its backend, not the other way round */
};

/* ---- construction ------------------------------------------------------------------------ */

void sek_emu_config_default(sek_emu_config *cfg) {
  if (cfg == NULL)
    return;
  memset(cfg, 0, sizeof *cfg);
  cfg->store_path = ":memory:";
  cfg->has_secure_enclave = true;
  cfg->passcode_set = true;
  cfg->biometry_enrolled = true;
  cfg->default_answer = SEK_EMU_ANSWER_SUCCESS;
}

static void why_set(char *why, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void why_set(char *why, size_t cap, const char *fmt, ...) {
  if (why == NULL || cap == 0)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, cap, fmt, ap);
  va_end(ap);
}

static int enrollment_set(sek_emu *e) {
  if (!e->biometry_enrolled) {
    memset(e->enroll_set, 0, 32);
    return SEK_OK;
  }
  uint8_t gen[8];
  le64(gen, e->enroll_gen);
  emu_iov parts[2] = {{(const uint8_t *)"enrollment", 10}, {gen, 8}};
  return emu_hmac_sha256(e->crypto, e->uid, 32, parts, 2, e->enroll_set);
}

/* Persists the Secure Enclave's state (in the caller's transaction or its own). */
static int save_state(sek_emu *e) {
  int st = store_meta_set_int(e->store, "passcode_set", e->passcode_set);
  if (st == SEK_OK)
    st = store_meta_set_int(e->store, "passcode_epoch", e->passcode_epoch);
  if (st == SEK_OK)
    st = store_meta_set_int(e->store, "biometry_enrolled", e->biometry_enrolled);
  if (st == SEK_OK)
    st = store_meta_set_int(e->store, "enroll_gen", e->enroll_gen);
  if (st == SEK_OK)
    st = store_meta_set_int(e->store, "boot_count", e->boot_count);
  if (st == SEK_OK)
    st = store_meta_set_int(e->store, "has_se", e->has_se);
  if (st == SEK_OK) {
    int64_t clock_ms = (int64_t)(e->clock * 1000.0);
    st = store_meta_set_int(e->store, "clock_ms", clock_ms);
  }
  return st;
}

static int load_state(sek_emu *e) {
  int64_t v[7];
  static const char *const names[7] = {"passcode_set", "passcode_epoch", "biometry_enrolled",
                                       "enroll_gen",   "boot_count",     "has_se",
                                       "clock_ms"};
  for (size_t i = 0; i < 7; i++) {
    int st = store_meta_get_int(e->store, names[i], &v[i]);
    if (st != SEK_OK)
      return st == SEK_STORE_ERR_NOT_FOUND ? SEK_STORE_ERR_CORRUPT : st;
  }
  e->passcode_set = v[0] != 0;
  e->passcode_epoch = v[1];
  e->biometry_enrolled = v[2] != 0;
  e->enroll_gen = (uint32_t)v[3];
  e->boot_count = v[4];
  e->has_se = v[5] != 0;
  e->clock = (double)v[6] / 1000.0;
  return SEK_OK;
}

int sek_emu_new(const sek_emu_config *cfg, sek_emu **out, char *why, size_t why_cap) {
  if (cfg == NULL || out == NULL)
    return SEK_ERR_ARG;
  if ((unsigned)cfg->default_answer > SEK_EMU_ANSWER_SYSTEM_CANCEL) {
    why_set(why, why_cap, "emulator configuration: default_answer %d is not an answer",
            (int)cfg->default_answer);
    return SEK_EMU_ERR_CONFIG;
  }
  if (cfg->biometry_enrolled && !cfg->passcode_set) {
    why_set(why, why_cap, "emulator configuration: biometry_enrolled needs passcode_set (iOS)");
    return SEK_EMU_ERR_CONFIG;
  }
  const char *group = cfg->access_group != NULL ? cfg->access_group : SEK_EMU_DEFAULT_ACCESS_GROUP;
  if (group[0] == '\0') {
    why_set(why, why_cap, "emulator configuration: access_group is empty");
    return SEK_EMU_ERR_CONFIG;
  }
  sek_emu *e = calloc(1, sizeof *e);
  if (e == NULL || (e->access_group = strdup(group)) == NULL ||
      (e->crypto = emu_crypto_new()) == NULL) {
    why_set(why, why_cap, "emulator: out of memory (or OpenSSL has no P-256/AES-GCM)");
    sek_emu_free(e);
    return SEK_ERR_NOMEM;
  }
  /* the device's root key and id: functions of the seed alone */
  uint8_t seed[8], device_id[16], mac[32];
  le64(seed, cfg->seed);
  emu_drbg root;
  emu_iov parts[2] = {{seed, 8}, {(const uint8_t *)"sekfuzz uid", 11}};
  int st = emu_drbg_instantiate(e->crypto, &root, parts, 2);
  if (st == SEK_OK)
    st = emu_drbg_generate(e->crypto, &root, e->uid, 32);
  emu_drbg_wipe(&root);
  emu_iov idp = {(const uint8_t *)"device id", 9};
  if (st == SEK_OK)
    st = emu_hmac_sha256(e->crypto, e->uid, 32, &idp, 1, mac);
  memcpy(device_id, mac, 16);
  /* the device's fixed block for ECDSA nonces (emu_crypto.h): two HMACs of the UID */
  uint8_t block[64];
  for (uint8_t half = 0; st == SEK_OK && half < 2; half++) {
    emu_iov np[2] = {{(const uint8_t *)"ecdsa nonce", 11}, {&half, 1}};
    st = emu_hmac_sha256(e->crypto, e->uid, 32, np, 2, block + 32 * half);
  }
  if (st == SEK_OK)
    st = emu_p256_set_nonce_entropy(e->crypto, block);
  OPENSSL_cleanse(block, sizeof block);
  bool created = false;
  char store_why[320] = "";
  if (st == SEK_OK)
    st = store_open(cfg->store_path, &e->store, &created, store_why, sizeof store_why);
  if (st != SEK_OK) {
    why_set(why, why_cap, "%s", store_why[0] ? store_why : "emulator: cannot set up the device");
    sek_emu_free(e);
    return st;
  }
  int64_t open_count = 1;
  if (created) {
    e->has_se = cfg->has_secure_enclave;
    e->passcode_set = cfg->passcode_set;
    e->biometry_enrolled = cfg->biometry_enrolled;
    e->enroll_gen = cfg->biometry_enrolled ? 1 : 0;
    e->passcode_epoch = 1;
    e->clock = CLOCK_START;
    st = store_begin(e->store);
    if (st == SEK_OK)
      st = store_meta_set_blob(e->store, "device_id", device_id, 16);
    if (st == SEK_OK)
      st = save_state(e);
    if (st == SEK_OK)
      st = store_meta_set_int(e->store, "open_count", open_count);
    st = st == SEK_OK ? store_commit(e->store) : (store_rollback(e->store), st);
  } else {
    uint8_t stored_id[16];
    size_t id_len = 0;
    st = store_meta_get_blob(e->store, "device_id", stored_id, sizeof stored_id, &id_len);
    if (st == SEK_OK && (id_len != 16 || memcmp(stored_id, device_id, 16) != 0)) {
      why_set(why, why_cap,
              "keychain store %s: made by another device (a different seed than %llu)",
              cfg->store_path, (unsigned long long)cfg->seed);
      sek_emu_free(e);
      return SEK_EMU_ERR_FOREIGN_DEVICE;
    }
    if (st == SEK_OK)
      st = load_state(e);
    if (st == SEK_OK)
      st = store_meta_get_int(e->store, "open_count", &open_count);
    if (st == SEK_OK)
      st = store_meta_set_int(e->store, "open_count", ++open_count);
  }
  /* every random draw of this session: seed and the number of opens of this device */
  uint8_t opens[8];
  le64(opens, (uint64_t)open_count);
  emu_iov rng[3] = {{seed, 8}, {(const uint8_t *)"sekfuzz rng", 11}, {opens, 8}};
  if (st == SEK_OK)
    st = emu_drbg_instantiate(e->crypto, &e->drbg, rng, 3);
  if (st == SEK_OK)
    st = enrollment_set(e);
  if (st == SEK_OK && (e->backend = sek_backend_new(&emu_ops, e)) == NULL)
    st = SEK_ERR_NOMEM;
  if (st != SEK_OK) {
    why_set(why, why_cap, "%s",
            store_message(e->store)[0] ? store_message(e->store)
                                       : "emulator: cannot set up the device");
    sek_emu_free(e);
    return st;
  }
  e->locked = cfg->locked && e->passcode_set;
  e->unlocked_since_boot = true;
  e->default_answer = cfg->default_answer;
  *out = e;
  return SEK_OK;
}

void sek_emu_free(sek_emu *emu) {
  if (emu == NULL)
    return;
  sek_backend_free(emu->backend);
  store_close(emu->store);
  emu_crypto_free(emu->crypto);
  emu_drbg_wipe(&emu->drbg);
  OPENSSL_cleanse(emu->uid, sizeof emu->uid);
  free(emu->access_group);
  free(emu);
}

sek_backend *sek_emu_backend(sek_emu *emu) { return emu != NULL ? emu->backend : NULL; }

/* ---- controls ------------------------------------------------------------------------------ */

/* Applies a change of Secure Enclave state: memory first, then persisted; undone on failure. */
static int commit_state(sek_emu *e, const sek_emu *before) {
  tick(e);
  int st = enrollment_set(e);
  if (st == SEK_OK)
    st = save_state(e);
  if (st != SEK_OK) {
    e->passcode_set = before->passcode_set;
    e->passcode_epoch = before->passcode_epoch;
    e->biometry_enrolled = before->biometry_enrolled;
    e->enroll_gen = before->enroll_gen;
    e->boot_count = before->boot_count;
    e->clock = before->clock;
    (void)enrollment_set(e);
  }
  return st;
}

static int biometry_new_set(sek_emu *e) {
  if (e == NULL)
    return SEK_ERR_ARG;
  if (!e->passcode_set)
    return SEK_EMU_ERR_STATE;
  sek_emu before = *e;
  e->biometry_enrolled = true;
  e->enroll_gen++;
  return commit_state(e, &before);
}

int sek_emu_biometry_enroll(sek_emu *emu) { return biometry_new_set(emu); }
int sek_emu_biometry_change(sek_emu *emu) { return biometry_new_set(emu); }

int sek_emu_biometry_remove(sek_emu *emu) {
  if (emu == NULL)
    return SEK_ERR_ARG;
  sek_emu before = *emu;
  emu->biometry_enrolled = false;
  emu->enroll_gen++;
  return commit_state(emu, &before);
}

int sek_emu_passcode_set(sek_emu *emu) {
  if (emu == NULL)
    return SEK_ERR_ARG;
  if (emu->passcode_set)
    return SEK_OK; /* a passcode change keeps the class keys */
  sek_emu before = *emu;
  emu->passcode_set = true;
  return commit_state(emu, &before);
}

/* Deletes the keychain rows of one protection class (inside the caller's transaction). */
static int delete_class(sek_emu *e, int cls) {
  store_rows all;
  int st = store_select_all(e->store, &all);
  if (st != SEK_OK)
    return st;
  int64_t *ids = all.num > 0 ? malloc(all.num * sizeof *ids) : NULL;
  size_t n = 0;
  if (all.num > 0 && ids == NULL)
    st = SEK_ERR_NOMEM;
  for (size_t i = 0; st == SEK_OK && i < all.num; i++) {
    const sek_cell *pd = &all.rows[i].cells[SEK_COL_PDMN];
    if (pd->present && class_index((const char *)pd->bytes, pd->len) == cls)
      ids[n++] = all.rows[i].rowid;
  }
  if (st == SEK_OK && n > 0)
    st = store_delete(e->store, ids, n);
  free(ids);
  store_rows_free(&all);
  return st;
}

/* Destroys a class key (its epoch moves) and the class's items, in one transaction. */
static int class_reset(sek_emu *e, int cls, const sek_emu *before) {
  int st = store_begin(e->store);
  if (st == SEK_OK)
    st = delete_class(e, cls);
  if (st == SEK_OK)
    st = commit_state(e, before);
  if (st == SEK_OK)
    st = store_commit(e->store);
  else
    store_rollback(e->store);
  if (st != SEK_OK) {
    sek_emu saved = *before;
    e->passcode_set = saved.passcode_set;
    e->passcode_epoch = saved.passcode_epoch;
    e->biometry_enrolled = saved.biometry_enrolled;
    e->enroll_gen = saved.enroll_gen;
    e->boot_count = saved.boot_count;
    e->locked = saved.locked;
    e->unlocked_since_boot = saved.unlocked_since_boot;
    e->clock = saved.clock;
    (void)enrollment_set(e);
  }
  return st;
}

int sek_emu_passcode_remove(sek_emu *emu) {
  if (emu == NULL)
    return SEK_ERR_ARG;
  if (!emu->passcode_set)
    return SEK_OK;
  sek_emu before = *emu;
  emu->passcode_set = false;
  emu->passcode_epoch++;
  if (emu->biometry_enrolled) { /* iOS turns Face ID / Touch ID off with the passcode */
    emu->biometry_enrolled = false;
    emu->enroll_gen++;
  }
  emu->locked = false;
  return class_reset(emu, CLASS_AKPU, &before);
}

int sek_emu_lock(sek_emu *emu) {
  if (emu == NULL)
    return SEK_ERR_ARG;
  emu->locked = emu->passcode_set;
  return SEK_OK;
}

int sek_emu_unlock(sek_emu *emu) {
  if (emu == NULL)
    return SEK_ERR_ARG;
  emu->locked = false;
  emu->unlocked_since_boot = true;
  return SEK_OK;
}

int sek_emu_reboot(sek_emu *emu) {
  if (emu == NULL)
    return SEK_ERR_ARG;
  sek_emu before = *emu;
  emu->boot_count++; /* the UntilReboot class key is gone with its items */
  emu->locked = emu->passcode_set;
  emu->unlocked_since_boot = !emu->passcode_set;
  return class_reset(emu, CLASS_F, &before);
}

int sek_emu_queue_answer(sek_emu *emu, sek_emu_answer answer) {
  if (emu == NULL || (unsigned)answer > SEK_EMU_ANSWER_SYSTEM_CANCEL)
    return SEK_ERR_ARG;
  if (emu->ans_count == SEK_EMU_MAX_ANSWERS)
    return SEK_EMU_ERR_QUEUE_FULL;
  emu->answers[(emu->ans_head + emu->ans_count) % SEK_EMU_MAX_ANSWERS] = answer;
  emu->ans_count++;
  return SEK_OK;
}

void sek_emu_clear_answers(sek_emu *emu) {
  if (emu != NULL)
    emu->ans_head = emu->ans_count = 0;
}

static const char *const answer_names[] = {
    [SEK_EMU_ANSWER_SUCCESS] = "success",
    [SEK_EMU_ANSWER_CANCEL] = "cancel",
    [SEK_EMU_ANSWER_FAIL] = "fail",
    [SEK_EMU_ANSWER_LOCKOUT] = "lockout",
    [SEK_EMU_ANSWER_NOT_INTERACTIVE] = "not_interactive",
    [SEK_EMU_ANSWER_FALLBACK] = "fallback",
    [SEK_EMU_ANSWER_SYSTEM_CANCEL] = "system_cancel",
};

const char *sek_emu_answer_name(sek_emu_answer a) {
  return (unsigned)a < sizeof answer_names / sizeof answer_names[0] ? answer_names[a] : NULL;
}

int sek_emu_answer_parse(const char *name, sek_emu_answer *out) {
  if (name == NULL || out == NULL)
    return SEK_ERR_ARG;
  for (size_t i = 0; i < sizeof answer_names / sizeof answer_names[0]; i++)
    if (strcmp(name, answer_names[i]) == 0) {
      *out = (sek_emu_answer)i;
      return SEK_OK;
    }
  return SEK_ERR_ARG;
}

/* ---- faults ------------------------------------------------------------------------------- */

typedef enum { TARGET_LABEL, TARGET_KID, TARGET_ALL } target_kind;

/* Damages the policy record of every stored key the target names, in one transaction. */
static int corrupt(sek_emu *e, target_kind kind, const uint8_t *klbl, size_t klbl_len,
                   const char *kid) {
  store_rows all;
  int st = store_select_all(e->store, &all);
  if (st != SEK_OK)
    return st;
  size_t hits = 0;
  double now = tick(e);
  st = store_begin(e->store);
  for (size_t i = 0; st == SEK_OK && i < all.num; i++) {
    const store_row *row = &all.rows[i];
    const sek_cell *kl = &row->cells[SEK_COL_KLBL];
    if (kind == TARGET_LABEL && !(kl->present && kl->len == klbl_len &&
                                  (klbl_len == 0 || memcmp(kl->bytes, klbl, klbl_len) == 0)))
      continue;
    emu_item it;
    if (item_open(e, row, &it) != SEK_OK)
      continue; /* a row we cannot read cannot be damaged further */
    char k[17];
    kid_hex(it.toid, k);
    if (kind == TARGET_KID && strcmp(k, kid) != 0) {
      item_clear(&it);
      continue;
    }
    /* the reserved bytes of the policy record: bound as associated data, so unwrap now fails */
    uint8_t noise[4];
    st = emu_drbg_generate(e->crypto, &e->drbg, noise, sizeof noise);
    for (int b = 0; b < 4; b++)
      it.policy[12 + b] ^= (uint8_t)(noise[b] | 1u);
    const sek_cell *pd = &row->cells[SEK_COL_PDMN];
    int cls = class_index((const char *)pd->bytes, pd->len);
    uint8_t *data = NULL;
    size_t data_len = 0;
    if (st == SEK_OK)
      st = item_seal(e, &it, cls, row->persistref, &data, &data_len);
    if (st == SEK_OK)
      st = store_update_data(e->store, row->rowid, data, data_len, now);
    free(data);
    item_clear(&it);
    hits++;
  }
  if (st == SEK_OK && hits == 0) {
    store_rollback(e->store);
    store_rows_free(&all);
    return SEK_EMU_ERR_NO_MATCH;
  }
  st = st == SEK_OK ? store_commit(e->store) : (store_rollback(e->store), st);
  store_rows_free(&all);
  if (st == SEK_OK)
    e->fault_epoch++;
  return st;
}

int sek_emu_fault_corrupt_key(sek_emu *emu, const uint8_t *klbl, size_t klbl_len) {
  if (emu == NULL || (klbl == NULL && klbl_len > 0))
    return SEK_ERR_ARG;
  return corrupt(emu, TARGET_LABEL, klbl, klbl_len, NULL);
}

int sek_emu_fault_corrupt_kid(sek_emu *emu, const char *kid) {
  if (emu == NULL || kid == NULL || strlen(kid) != 16)
    return SEK_ERR_ARG;
  return corrupt(emu, TARGET_KID, NULL, 0, kid);
}

int sek_emu_fault_corrupt_all(sek_emu *emu) {
  if (emu == NULL)
    return SEK_ERR_ARG;
  return corrupt(emu, TARGET_ALL, NULL, 0, NULL);
}

int sek_emu_fault_store(sek_emu *emu, unsigned count) {
  if (emu == NULL)
    return SEK_ERR_ARG;
  store_fault(emu->store, count);
  return SEK_OK;
}

void emu_testing_fault_store_status(sek_emu *emu, unsigned count, int status) {
  if (emu != NULL)
    store_fault_status(emu->store, count, status);
}

int sek_emu_fault_alloc(sek_emu *emu, unsigned nth) {
  if (emu == NULL)
    return SEK_ERR_ARG;
  emu->alloc_countdown = nth;
  return SEK_OK;
}

/* ---- state, truth, kid ----------------------------------------------------------------------- */

void sek_emu_get_state(sek_emu *emu, sek_emu_state *out) {
  if (emu == NULL || out == NULL)
    return;
  memset(out, 0, sizeof *out);
  out->has_secure_enclave = emu->has_se;
  out->passcode_set = emu->passcode_set;
  out->biometry_enrolled = emu->biometry_enrolled;
  out->locked = emu->locked;
  out->unlocked_since_boot = emu->unlocked_since_boot;
  out->enrollment_generation = emu->enroll_gen;
  out->pending_answers = emu->ans_count;
  if (store_count(emu->store, &out->key_count) != SEK_OK)
    out->key_count = 0;
}

int sek_emu_last_truth(const sek_emu *emu, sek_emu_truth *out) {
  if (emu == NULL || out == NULL)
    return SEK_ERR_ARG;
  if (!emu->have_truth)
    return SEK_EMU_ERR_NO_ERROR;
  *out = emu->truth;
  return SEK_OK;
}

int sek_emu_key_kid(const sek_emu *emu, const sek_key *key, char kid[17]) {
  if (emu == NULL || key == NULL || kid == NULL)
    return SEK_ERR_ARG;
  const emu_key *k = sek_key_impl(key, emu->backend);
  if (k == NULL)
    return SEK_BACKEND_ERR_FOREIGN_KEY;
  memcpy(kid, k->kid, 17);
  return SEK_OK;
}

/* ---- testing hooks ------------------------------------------------------------------------ */

int emu_testing_secrets(sek_emu *emu, void (*cb)(void *ctx, const uint8_t *p, size_t len),
                        void *ctx) {
  if (emu == NULL || cb == NULL)
    return SEK_ERR_ARG;
  cb(ctx, emu->uid, sizeof emu->uid);
  store_rows all;
  int st = store_select_all(emu->store, &all);
  if (st != SEK_OK)
    return st;
  for (size_t i = 0; i < all.num; i++) {
    emu_item it;
    if (item_open(emu, &all.rows[i], &it) != SEK_OK)
      continue;
    uint8_t d[32];
    cb(ctx, it.blob, BLOB_LEN);
    if (unwrap_scalar(emu, it.policy, it.pub, it.blob, d) == SEK_OK)
      cb(ctx, d, 32);
    OPENSSL_cleanse(d, sizeof d);
    item_clear(&it);
  }
  store_rows_free(&all);
  return SEK_OK;
}

int emu_testing_fill(sek_emu *emu, size_t n, const char *label_prefix) {
  if (emu == NULL || label_prefix == NULL)
    return SEK_ERR_ARG;
  sek_emu *e = emu;
  keygen_spec spec;
  memset(&spec, 0, sizeof spec);
  spec.perm = true;
  spec.pol = (policy){true, 3 /* aku */, SEK_AC_PRIVATE_KEY_USAGE, 0};
  emu_item it;
  int64_t rowid;
  uint8_t persistref[PERSISTREF_LEN];
  double now = tick(e);
  int st = make_key(e, &spec, false, &it, &rowid, persistref, now);
  if (st != SEK_OK)
    return st;
  st = store_begin(e->store);
  char label[128];
  for (size_t i = 0; st == SEK_OK && i < n; i++) {
    int len = snprintf(label, sizeof label, "%s%zu", label_prefix, i);
    keygen_spec row_spec = spec;
    row_spec.row.cells[SEK_COL_KLBL] =
        (sek_cell){.present = true, .bytes = (const uint8_t *)label, .len = (size_t)len};
    uint8_t *data = NULL;
    size_t data_len = 0;
    st = emu_drbg_generate(e->crypto, &e->drbg, persistref, PERSISTREF_LEN);
    if (st == SEK_OK)
      st = item_seal(e, &it, spec.pol.cls, persistref, &data, &data_len);
    if (st == SEK_OK)
      st = store_insert(e->store, &row_spec.row, data, data_len, persistref, PERSISTREF_LEN, NULL);
    free(data);
  }
  st = st == SEK_OK ? store_commit(e->store) : (store_rollback(e->store), st);
  OPENSSL_cleanse(&it, sizeof it);
  return st;
}
