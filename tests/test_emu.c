/*
 * test_emu: the emulated Secure Enclave (include/sek/emu.h) through the backend interface.
 *
 * The seed end to end; every row of the behaviour table reproduced (with the decoder's verdict
 * compared with the row's ground truth); determinism; persistence and reopen; faults; the
 * algorithms; what results may never carry; the internal crypto (keys, nonces, GCM).
 */
#include "sek_test.h"

#include <sys/stat.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sqlite3.h>

#include <sek/emu.h>
#include <sek/query.h>
#include <sek/verify.h>

#include "backend/emulated/emu_crypto.h"
#include "backend/emulated/emu_internal.h"

/* ---- helpers ------------------------------------------------------------------------------- */

/* The seed thread's key-generation dictionary and query, verbatim (comments included). */
#include "seed_dicts.h"
#define SIGN_ALG ".ecdsaSignatureMessageX962SHA256"
static const uint8_t hello[] = "hello";
#define HELLO_LEN 5

static sek_attrs *parse(const char *text) {
  sek_attrs *a = NULL;
  sek_attrs_parse_error pe;
  int st = sek_attrs_parse(text, strlen(text), &a, &pe);
  if (st != SEK_OK)
    fail_msg("literal does not parse (%d) at %u:%u: %s\n%s", st, pe.line, pe.col, pe.message, text);
  return a;
}

static sek_attrs *parsef(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static sek_attrs *parsef(const char *fmt, ...) {
  char buf[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return parse(buf);
}

/* A key-generation literal: protection (kSecAttrAccessible... name or NULL for no access
 * control), flags (Swift options, e.g. ".biometryAny, .privateKeyUsage"), label, extra entries. */
static sek_attrs *keygen(const char *protection, const char *flags, const char *label,
                         const char *extra) {
  char ac[512] = "";
  if (protection != NULL)
    snprintf(ac, sizeof ac,
             "kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, %s, "
             "[%s], nil)!,",
             protection, flags);
  return parsef("[kSecAttrTokenID: kSecAttrTokenIDSecureEnclave, kSecAttrKeyType: "
                "kSecAttrKeyTypeECSECPrimeRandom, kSecAttrKeySizeInBits: 256, "
                "kSecPrivateKeyAttrs: [%s kSecAttrIsPermanent: true], "
                "kSecAttrApplicationLabel: \"%s\" %s%s]",
                ac, label, extra != NULL ? ", " : "", extra != NULL ? extra : "");
}

static sek_attrs *find_query(const char *label, const char *extra) {
  return parsef("[kSecClass: kSecClassKey, kSecAttrApplicationLabel: \"%s\", kSecReturnRef: true"
                "%s%s]",
                label, extra != NULL ? ", " : "", extra != NULL ? extra : "");
}

static sek_emu *new_emu_cfg(const sek_emu_config *cfg) {
  sek_emu *emu = NULL;
  char why[256] = "";
  int st = sek_emu_new(cfg, &emu, why, sizeof why);
  if (st != SEK_OK)
    fail_msg("sek_emu_new: %d %s", st, why);
  return emu;
}

static sek_emu *new_emu(uint64_t seed) {
  sek_emu_config cfg;
  sek_emu_config_default(&cfg);
  cfg.seed = seed;
  return new_emu_cfg(&cfg);
}

/* Creates a key from a literal and returns its reference (asserting success). */
static sek_key *create_ok(sek_emu *emu, sek_attrs *params) {
  sek_key *key = NULL;
  sek_error *err = NULL;
  int st = sek_backend_create_random_key(sek_emu_backend(emu), params, &key, &err);
  if (st != SEK_OK) {
    char *text = sek_error_format(err);
    fail_msg("create_random_key: %d %s", st, text != NULL ? text : "");
  }
  sek_attrs_free(params);
  return key;
}

/* Runs a query; returns the status, *err for the error (caller frees). */
static int find(sek_emu *emu, sek_attrs *query, sek_items **items, sek_error **err) {
  *items = NULL;
  int st = sek_backend_copy_matching(sek_emu_backend(emu), query, items, err);
  sek_attrs_free(query);
  return st;
}

static sek_key *find_ok(sek_emu *emu, const char *label) {
  sek_items *items;
  sek_error *err = NULL;
  int st = find(emu, find_query(label, NULL), &items, &err);
  if (st != SEK_OK) {
    char *text = sek_error_format(err);
    fail_msg("find %s: %d %s", label, st, text != NULL ? text : "");
  }
  assert_int_equal(sek_items_count(items), 1);
  sek_key *key = sek_items_copy_key(items, 0);
  sek_items_free(items);
  return key;
}

static int sign(sek_emu *emu, const sek_key *key, uint8_t sig[SEK_SIG_MAX_LEN], size_t *sig_len,
                sek_error **err) {
  return sek_backend_create_signature(sek_emu_backend(emu), key, SIGN_ALG, hello, HELLO_LEN, sig,
                                      SEK_SIG_MAX_LEN, sig_len, err);
}

/* Verifies a DER ECDSA-SHA256 signature of msg with OpenSSL directly, not through libsek. */
static int openssl_verify(const uint8_t pub_in[65], const uint8_t *msg, size_t msg_len,
                          const uint8_t *sig, size_t sig_len) {
  char group[] = "prime256v1";
  uint8_t pub[65];
  memcpy(pub, pub_in, 65);
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
                         OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pub, 65),
                         OSSL_PARAM_construct_end()};
  EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
  EVP_PKEY *pkey = NULL;
  int ok = pctx != NULL && EVP_PKEY_fromdata_init(pctx) == 1 &&
           EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1;
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  ok = ok && md != NULL && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) == 1 &&
       EVP_DigestVerify(md, sig, sig_len, msg, msg_len) == 1;
  EVP_MD_CTX_free(md);
  EVP_PKEY_free(pkey);
  EVP_PKEY_CTX_free(pctx);
  return ok;
}

static void assert_signs(sek_emu *emu, const sek_key *key) {
  uint8_t sig[SEK_SIG_MAX_LEN], pub[65];
  size_t n = 0;
  sek_error *err = NULL;
  int st = sign(emu, key, sig, &n, &err);
  if (st != SEK_OK) {
    char *text = sek_error_format(err);
    fail_msg("sign: %d %s", st, text != NULL ? text : "");
  }
  assert_int_equal(sek_backend_copy_public_key(sek_emu_backend(emu), key, pub, NULL), SEK_OK);
  assert_true(openssl_verify(pub, hello, HELLO_LEN, sig, n));
}

/* The expected printed form of the seed's error for kid, as in the thread. */
static void seed_form(const char *kid, char *out, size_t cap) {
  snprintf(out, cap,
           "Error Domain=CryptoTokenKit Code=-3 \"<sepk:p256 kid=%s>: unable to sign digest\" "
           "UserInfo={NSDebugDescription=<sepk:p256 kid=%s>: unable to sign digest, "
           "AKSError=-536362999}",
           kid, kid);
}

/* The thread's own line with its kid replaced by ours, when ../shared is there. */
static char *thread_form(const char *kid) {
  char *path = sek_test_shared_path("seed/devforums-secure-enclave-signing-failure.txt");
  if (path == NULL)
    return NULL;
  char *text = sek_test_read_file(path, NULL);
  free(path);
  if (text == NULL)
    return NULL;
  char *line = strstr(text, "Error Domain=CryptoTokenKit Code=-3");
  char *out = NULL;
  if (line != NULL) {
    char *end = strchr(line, '\n');
    if (end != NULL)
      *end = '\0';
    const char *thread_kid = strstr(line, "kid=");
    if (thread_kid != NULL) {
      char old[17];
      memcpy(old, thread_kid + 4, 16);
      old[16] = '\0';
      out = malloc(strlen(line) + 1);
      size_t o = 0;
      for (const char *p = line; *p;) {
        if (strncmp(p, old, 16) == 0) {
          memcpy(out + o, kid, 16);
          o += 16;
          p += 16;
        } else {
          out[o++] = *p++;
        }
      }
      out[o] = '\0';
    }
  }
  free(text);
  return out;
}

/* ---- the seed, end to end ------------------------------------------------------------------ */

static void test_seed_end_to_end(void **state) {
  (void)state;
  sek_emu *emu = new_emu(2021);
  /* the seed's key (.touchIDAny) and the same with .biometryCurrentSet */
  sek_key *any = create_ok(emu, parse(seed_keygen));
  sek_key_free(any);
  sek_key *cur_created =
      create_ok(emu, keygen("kSecAttrAccessibleWhenUnlockedThisDeviceOnly",
                            ".biometryCurrentSet, .privateKeyUsage", "current", NULL));
  char kid_created[17];
  assert_int_equal(sek_emu_key_kid(emu, cur_created, kid_created), SEK_OK);
  sek_key_free(cur_created);

  /* the seed's query finds the key; a successful prompt; a DER signature OpenSSL verifies */
  sek_items *items = NULL;
  sek_error *err = NULL;
  assert_int_equal(find(emu, parse(seed_query), &items, &err), SEK_OK);
  assert_int_equal(sek_items_count(items), 1);
  sek_key *seed_key = sek_items_copy_key(items, 0);
  sek_items_free(items);
  assert_int_equal(sek_emu_queue_answer(emu, SEK_EMU_ANSWER_SUCCESS), SEK_OK);
  assert_signs(emu, seed_key);
  sek_emu_state s;
  sek_emu_get_state(emu, &s);
  assert_int_equal(s.pending_answers, 0); /* the prompt took the answer */

  /* the enrollment changes (a finger added, Face ID reset, an appearance) */
  sek_key *cur = find_ok(emu, "current");
  assert_signs(emu, cur);
  assert_int_equal(sek_emu_biometry_change(emu), SEK_OK);
  assert_signs(emu, seed_key); /* .biometryAny survives */
  char kid[17], expect[512];
  assert_int_equal(sek_emu_key_kid(emu, cur, kid), SEK_OK);
  assert_string_equal(kid, kid_created);
  seed_form(kid, expect, sizeof expect);
  char *thread = thread_form(kid);
  if (thread != NULL)
    assert_string_equal(thread, expect); /* our expectation is the thread's line itself */
  free(thread);
  for (int attempt = 0; attempt < 3; attempt++) { /* ... every time after */
    assert_int_equal(sek_emu_queue_answer(emu, SEK_EMU_ANSWER_SUCCESS), SEK_OK);
    uint8_t sig[SEK_SIG_MAX_LEN];
    size_t n = 0;
    err = NULL;
    assert_int_equal(sign(emu, cur, sig, &n, &err), SEK_BACKEND_ERR_APPLE);
    char *text = sek_error_format(err);
    assert_non_null(text);
    assert_string_equal(text, expect);
    free(text);
    /* the decoder: permanent, re-enroll — and the emulator's ground truth says the same */
    sek_action action;
    sek_permanence permanent;
    assert_int_equal(sek_error_verdict(err, &action, &permanent), SEK_OK);
    assert_int_equal(action, SEK_ACTION_REENROLL_KEY);
    assert_int_equal(permanent, SEK_PERMANENT_YES);
    sek_emu_truth truth;
    assert_int_equal(sek_emu_last_truth(emu, &truth), SEK_OK);
    assert_string_equal(truth.row->id, "sign.policy_invalid");
    assert_int_equal(truth.action, action);
    assert_int_equal(truth.permanent, permanent);
    sek_error_free(err);
    sek_emu_get_state(emu, &s);
    assert_int_equal(s.pending_answers, 1); /* no prompt was shown */
    sek_emu_clear_answers(emu);
  }
  sek_key_free(cur);
  /* a fresh lookup gives the same dead key */
  cur = find_ok(emu, "current");
  err = NULL;
  uint8_t sig[SEK_SIG_MAX_LEN];
  size_t n;
  assert_int_equal(sign(emu, cur, sig, &n, &err), SEK_BACKEND_ERR_APPLE);
  assert_int_equal(sek_error_code(err), -3);
  sek_error_free(err);
  sek_key_free(cur);

  /* delete and re-create: signing works again */
  sek_attrs *del = parse("[kSecClass: kSecClassKey, kSecAttrApplicationLabel: \"current\"]");
  assert_int_equal(sek_backend_delete(sek_emu_backend(emu), del, NULL), SEK_OK);
  sek_attrs_free(del);
  sek_key_free(create_ok(emu, keygen("kSecAttrAccessibleWhenUnlockedThisDeviceOnly",
                                     ".biometryCurrentSet, .privateKeyUsage", "current", NULL)));
  cur = find_ok(emu, "current");
  assert_signs(emu, cur);
  sek_key_free(cur);
  sek_key_free(seed_key);
  sek_emu_free(emu);
}

/* ---- every behaviour row ------------------------------------------------------------------- */

/* A trigger brings an emulator into a row's situation and returns the error it gives. */
typedef sek_error *(*trigger_fn)(sek_emu **emu);

static sek_error *keygen_error(sek_emu *emu, sek_attrs *params) {
  sek_key *key = NULL;
  sek_error *err = NULL;
  int st = sek_backend_create_random_key(sek_emu_backend(emu), params, &key, &err);
  sek_attrs_free(params);
  sek_key_free(key);
  return st == SEK_BACKEND_ERR_APPLE ? err : NULL;
}

static sek_error *query_error(sek_emu *emu, sek_attrs *query) {
  sek_items *items;
  sek_error *err = NULL;
  int st = find(emu, query, &items, &err);
  sek_items_free(items);
  return st == SEK_BACKEND_ERR_APPLE ? err : NULL;
}

static sek_error *delete_error(sek_emu *emu, sek_attrs *query) {
  sek_error *err = NULL;
  int st = sek_backend_delete(sek_emu_backend(emu), query, &err);
  sek_attrs_free(query);
  return st == SEK_BACKEND_ERR_APPLE ? err : NULL;
}

static sek_error *sign_error(sek_emu *emu, const sek_key *key, const char *alg, const uint8_t *d,
                             size_t len) {
  uint8_t sig[SEK_SIG_MAX_LEN];
  size_t n;
  sek_error *err = NULL;
  int st = sek_backend_create_signature(sek_emu_backend(emu), key, alg, d, len, sig, sizeof sig, &n,
                                        &err);
  return st == SEK_BACKEND_ERR_APPLE ? err : NULL;
}

/* A key with the given access control, found again by label, then signed with after setup. */
static sek_error *sign_after(sek_emu *emu, const char *prot, const char *flags,
                             int (*setup)(sek_emu *), sek_emu_answer answer) {
  sek_key_free(create_ok(emu, keygen(prot, flags, "k", NULL)));
  sek_key *key = find_ok(emu, "k");
  if (setup != NULL)
    assert_int_equal(setup(emu), SEK_OK);
  assert_int_equal(sek_emu_queue_answer(emu, answer), SEK_OK);
  sek_error *err = sign_error(emu, key, SIGN_ALG, hello, HELLO_LEN);
  sek_key_free(key);
  return err;
}

#define AKU "kSecAttrAccessibleWhenUnlockedThisDeviceOnly"
#define PKU_BIO ".biometryAny, .privateKeyUsage"

static sek_error *t_not_se_token(sek_emu **e) {
  *e = new_emu(1);
  return keygen_error(*e, parse("[kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom, "
                                "kSecAttrKeySizeInBits: 256]"));
}
static sek_error *t_no_se(sek_emu **e) {
  sek_emu_config cfg;
  sek_emu_config_default(&cfg);
  cfg.has_secure_enclave = false;
  *e = new_emu_cfg(&cfg);
  return keygen_error(*e, keygen(AKU, PKU_BIO, "k", NULL));
}
static sek_error *t_access_group(sek_emu **e) {
  *e = new_emu(1);
  return keygen_error(*e, keygen(AKU, PKU_BIO, "k", "kSecAttrAccessGroup: \"OTHER.group\""));
}
static sek_error *t_key_type(sek_emu **e) {
  *e = new_emu(1);
  return keygen_error(*e,
                      parse("[kSecAttrTokenID: kSecAttrTokenIDSecureEnclave, "
                            "kSecAttrKeyType: kSecAttrKeyTypeRSA, kSecAttrKeySizeInBits: 2048]"));
}
static sek_error *t_key_size(sek_emu **e) {
  *e = new_emu(1);
  return keygen_error(*e, parse("[kSecAttrTokenID: kSecAttrTokenIDSecureEnclave, kSecAttrKeyType: "
                                "kSecAttrKeyTypeECSECPrimeRandom, kSecAttrKeySizeInBits: 384]"));
}
static sek_error *t_access_control(sek_emu **e) {
  *e = new_emu(1);
  return keygen_error(
      *e, keygen(AKU, ".biometryAny, .biometryCurrentSet, .privateKeyUsage", "k", NULL));
}
static sek_error *t_attribute(sek_emu **e) {
  *e = new_emu(1);
  return keygen_error(*e, keygen(AKU, PKU_BIO, "k", "kSecAttrApplicationTag: 12"));
}
static sek_error *t_synchronizable(sek_emu **e) {
  *e = new_emu(1);
  return keygen_error(*e, keygen(AKU, PKU_BIO, "k", "kSecAttrSynchronizable: true"));
}
static sek_error *t_keygen_passcode(sek_emu **e) {
  sek_emu_config cfg;
  sek_emu_config_default(&cfg);
  cfg.passcode_set = cfg.biometry_enrolled = false;
  *e = new_emu_cfg(&cfg);
  return keygen_error(
      *e, keygen("kSecAttrAccessibleWhenPasscodeSetThisDeviceOnly", ".privateKeyUsage", "k", NULL));
}
static sek_error *t_duplicate(sek_emu **e) {
  *e = new_emu(1);
  sek_key_free(create_ok(*e, keygen(AKU, PKU_BIO, "same", NULL)));
  return keygen_error(*e, keygen(AKU, PKU_BIO, "same", NULL));
}
static sek_error *t_query_param(sek_emu **e) {
  *e = new_emu(1);
  return query_error(*e, parse("[kSecAttrApplicationLabel: \"k\", kSecReturnRef: true]"));
}
static sek_error *t_query_attr(sek_emu **e) {
  *e = new_emu(1);
  return query_error(*e, parse("[kSecClass: kSecClassKey, kSecAttrAccount: \"bob\"]"));
}
static sek_error *t_query_class(sek_emu **e) {
  *e = new_emu(1);
  return query_error(*e, parse("[kSecClass: \"nope\", kSecReturnRef: true]"));
}
static sek_error *t_query_not_found(sek_emu **e) {
  *e = new_emu(1);
  return query_error(*e, find_query("nobody", NULL));
}
static sek_error *t_query_locked(sek_emu **e) {
  *e = new_emu(1);
  sek_key_free(create_ok(*e, keygen(AKU, PKU_BIO, "k", NULL)));
  assert_int_equal(sek_emu_lock(*e), SEK_OK);
  return query_error(*e, find_query("k", NULL));
}
static char *temp_path(const char *name) {
  char *p = malloc(512);
  snprintf(p, 512, "%s/test_emu-%ld-%s.db", SEK_BINARY_DIR, (long)getpid(), name);
  unlink(p);
  char side[560];
  snprintf(side, sizeof side, "%s-wal", p);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", p);
  unlink(side);
  return p;
}
static void remove_db(char *p) {
  char side[560];
  snprintf(side, sizeof side, "%s-wal", p);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", p);
  unlink(side);
  unlink(p);
  free(p);
}
static sek_error *t_query_undecryptable(sek_emu **e) {
  char *path = temp_path("undecryptable");
  sek_emu_config cfg;
  sek_emu_config_default(&cfg);
  cfg.store_path = path;
  sek_emu *emu = new_emu_cfg(&cfg);
  sek_key_free(create_ok(emu, keygen(AKU, PKU_BIO, "k", NULL)));
  sek_emu_free(emu);
  /* damage the row's data behind the emulator's back: one bit of the ciphertext */
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT rowid, data FROM keys", -1, &st, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  int64_t rowid = sqlite3_column_int64(st, 0);
  int len = sqlite3_column_bytes(st, 1);
  uint8_t *data = malloc((size_t)len);
  memcpy(data, sqlite3_column_blob(st, 1), (size_t)len);
  sqlite3_finalize(st);
  data[20] ^= 1;
  assert_int_equal(sqlite3_prepare_v2(db, "UPDATE keys SET data=? WHERE rowid=?", -1, &st, NULL),
                   SQLITE_OK);
  sqlite3_bind_blob(st, 1, data, len, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, rowid);
  assert_int_equal(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
  sqlite3_close(db);
  free(data);
  *e = new_emu_cfg(&cfg);
  sek_error *err = query_error(*e, find_query("k", NULL));
  remove_db(path);
  return err;
}
static sek_error *t_delete_not_found(sek_emu **e) {
  *e = new_emu(1);
  return delete_error(*e, parse("[kSecClass: kSecClassKey, kSecAttrApplicationLabel: \"x\"]"));
}
static sek_error *t_delete_locked(sek_emu **e) {
  *e = new_emu(1);
  sek_key_free(create_ok(*e, keygen(AKU, PKU_BIO, "k", NULL)));
  assert_int_equal(sek_emu_lock(*e), SEK_OK);
  return delete_error(*e, parse("[kSecClass: kSecClassKey, kSecAttrApplicationLabel: \"k\"]"));
}
static sek_error *t_sign_algorithm(sek_emu **e) {
  *e = new_emu(1);
  sek_key *k = create_ok(*e, keygen(AKU, PKU_BIO, "k", NULL));
  sek_error *err = sign_error(*e, k, "algid:sign:RSA:digest-PKCS1v15:SHA256", hello, HELLO_LEN);
  sek_key_free(k);
  return err;
}
static sek_error *t_sign_digest_size(sek_emu **e) {
  *e = new_emu(1);
  sek_key *k = create_ok(*e, keygen(AKU, PKU_BIO, "k", NULL));
  uint8_t digest[31] = {1};
  sek_error *err =
      sign_error(*e, k, "kSecKeyAlgorithmECDSASignatureDigestX962SHA256", digest, sizeof digest);
  sek_key_free(k);
  return err;
}
static sek_error *t_no_pku(sek_emu **e) {
  *e = new_emu(1);
  return sign_after(*e, AKU, ".biometryAny", NULL, SEK_EMU_ANSWER_SUCCESS);
}
static sek_error *t_sign_locked(sek_emu **e) {
  *e = new_emu(1);
  return sign_after(*e, AKU, PKU_BIO, sek_emu_lock, SEK_EMU_ANSWER_SUCCESS);
}
static sek_error *t_policy_invalid(sek_emu **e) {
  *e = new_emu(1);
  return sign_after(*e, AKU, ".biometryCurrentSet, .privateKeyUsage", sek_emu_biometry_enroll,
                    SEK_EMU_ANSWER_SUCCESS);
}
static sek_error *t_class_key_gone(sek_emu **e) {
  *e = new_emu(1);
  return sign_after(*e, "kSecAttrAccessibleWhenPasscodeSetThisDeviceOnly", ".privateKeyUsage",
                    sek_emu_passcode_remove, SEK_EMU_ANSWER_SUCCESS);
}
static sek_error *t_sign_passcode(sek_emu **e) {
  *e = new_emu(1);
  return sign_after(*e, "kSecAttrAccessibleAlwaysThisDeviceOnly",
                    ".devicePasscode, .privateKeyUsage", sek_emu_passcode_remove,
                    SEK_EMU_ANSWER_SUCCESS);
}
static sek_error *t_not_enrolled(sek_emu **e) {
  *e = new_emu(1);
  return sign_after(*e, AKU, PKU_BIO, sek_emu_biometry_remove, SEK_EMU_ANSWER_SUCCESS);
}
static sek_error *t_companion(sek_emu **e) {
  *e = new_emu(1);
  return sign_after(*e, AKU, ".companion, .privateKeyUsage", NULL, SEK_EMU_ANSWER_SUCCESS);
}
static sek_error *t_not_interactive(sek_emu **e) {
  *e = new_emu(1);
  return sign_after(*e, AKU, PKU_BIO, NULL, SEK_EMU_ANSWER_NOT_INTERACTIVE);
}
static sek_error *t_cancel(sek_emu **e) {
  *e = new_emu(1);
  return sign_after(*e, AKU, PKU_BIO, NULL, SEK_EMU_ANSWER_CANCEL);
}
static sek_error *t_fail(sek_emu **e) {
  *e = new_emu(1);
  return sign_after(*e, AKU, PKU_BIO, NULL, SEK_EMU_ANSWER_FAIL);
}
static sek_error *t_lockout(sek_emu **e) {
  *e = new_emu(1);
  return sign_after(*e, AKU, PKU_BIO, NULL, SEK_EMU_ANSWER_LOCKOUT);
}
static sek_error *t_fallback(sek_emu **e) {
  *e = new_emu(1);
  return sign_after(*e, AKU, PKU_BIO, NULL, SEK_EMU_ANSWER_FALLBACK);
}
static sek_error *t_system_cancel(sek_emu **e) {
  *e = new_emu(1);
  return sign_after(*e, AKU, PKU_BIO, NULL, SEK_EMU_ANSWER_SYSTEM_CANCEL);
}
static sek_error *verify_error(sek_emu **e, const char *alg, const uint8_t *d, size_t len,
                               const uint8_t *sig, size_t sig_len) {
  *e = new_emu(1);
  sek_key *k = create_ok(*e, keygen(AKU, PKU_BIO, "k", NULL));
  sek_error *err = NULL;
  int st = sek_backend_verify_signature(sek_emu_backend(*e), k, alg, d, len, sig, sig_len, &err);
  sek_key_free(k);
  return st == SEK_BACKEND_ERR_APPLE ? err : NULL;
}
static const uint8_t junk_sig[8] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};
static sek_error *t_verify_algorithm(sek_emu **e) {
  return verify_error(e, "algid:keyexchange:ECDH", hello, HELLO_LEN, junk_sig, sizeof junk_sig);
}
static sek_error *t_verify_digest(sek_emu **e) {
  return verify_error(e, "algid:sign:ECDSA:digest-X962:SHA384", hello, HELLO_LEN, junk_sig,
                      sizeof junk_sig);
}
static sek_error *t_verify_rfc4754(sek_emu **e) {
  return verify_error(e, "algid:sign:ECDSA:message-RFC4754:SHA256", hello, HELLO_LEN, junk_sig,
                      sizeof junk_sig);
}
static sek_error *t_verify_mismatch(sek_emu **e) {
  return verify_error(e, SIGN_ALG, hello, HELLO_LEN, junk_sig, sizeof junk_sig);
}
static sek_error *t_export(sek_emu **e) {
  *e = new_emu(1);
  sek_key *k = create_ok(*e, keygen(AKU, PKU_BIO, "k", NULL));
  uint8_t out[128];
  size_t n;
  sek_error *err = NULL;
  int st =
      sek_backend_copy_external_representation(sek_emu_backend(*e), k, out, sizeof out, &n, &err);
  sek_key_free(k);
  return st == SEK_BACKEND_ERR_APPLE ? err : NULL;
}
static sek_error *t_alloc(sek_emu **e) {
  *e = new_emu(1);
  assert_int_equal(sek_emu_fault_alloc(*e, 1), SEK_OK);
  return keygen_error(*e, keygen(AKU, PKU_BIO, "k", NULL));
}
static sek_error *t_store_io(sek_emu **e) {
  *e = new_emu(1);
  assert_int_equal(sek_emu_fault_store(*e, 1), SEK_OK);
  return keygen_error(*e, keygen(AKU, PKU_BIO, "k", NULL));
}
static sek_error *t_store_readonly(sek_emu **e) {
  *e = new_emu(1);
  emu_testing_fault_store_status(*e, 1, SEK_STORE_ERR_READONLY);
  return keygen_error(*e, keygen(AKU, PKU_BIO, "k", NULL));
}
static sek_error *t_store_unavailable(sek_emu **e) {
  *e = new_emu(1);
  emu_testing_fault_store_status(*e, 1, SEK_STORE_ERR_BUSY);
  return query_error(*e, find_query("k", NULL));
}

static const struct {
  const char *row;
  trigger_fn trigger;
} row_tests[] = {
    {"keygen.not_secure_enclave_token", t_not_se_token},
    {"keygen.no_secure_enclave", t_no_se},
    {"keygen.access_group_not_entitled", t_access_group},
    {"keygen.key_type", t_key_type},
    {"keygen.key_size", t_key_size},
    {"keygen.access_control", t_access_control},
    {"keygen.attribute", t_attribute},
    {"keygen.synchronizable", t_synchronizable},
    {"keygen.passcode_not_set", t_keygen_passcode},
    {"keygen.duplicate", t_duplicate},
    {"query.param", t_query_param},
    {"query.no_such_attr", t_query_attr},
    {"query.no_such_class", t_query_class},
    {"query.not_found", t_query_not_found},
    {"query.locked", t_query_locked},
    {"query.undecryptable", t_query_undecryptable},
    {"delete.not_found", t_delete_not_found},
    {"delete.locked", t_delete_locked},
    {"sign.algorithm", t_sign_algorithm},
    {"sign.digest_size", t_sign_digest_size},
    {"sign.no_private_key_usage", t_no_pku},
    {"sign.locked", t_sign_locked},
    {"sign.policy_invalid", t_policy_invalid},
    {"sign.class_key_gone", t_class_key_gone},
    {"sign.passcode_not_set", t_sign_passcode},
    {"sign.biometry_not_enrolled", t_not_enrolled},
    {"sign.companion_unavailable", t_companion},
    {"sign.not_interactive", t_not_interactive},
    {"sign.user_cancel", t_cancel},
    {"sign.auth_failed", t_fail},
    {"sign.lockout", t_lockout},
    {"sign.fallback", t_fallback},
    {"sign.system_cancel", t_system_cancel},
    {"verify.algorithm", t_verify_algorithm},
    {"verify.digest_size", t_verify_digest},
    {"verify.rfc4754_length", t_verify_rfc4754},
    {"verify.mismatch", t_verify_mismatch},
    {"export.not_implemented", t_export},
    {"fault.alloc", t_alloc},
    {"store.io", t_store_io},
    {"store.readonly", t_store_readonly},
    {"store.unavailable", t_store_unavailable},
};

static void test_every_behaviour_row_reproduced(void **state) {
  (void)state;
  size_t n = sizeof row_tests / sizeof row_tests[0];
  /* every row of the table has exactly one test here */
  assert_int_equal(n, sek_emu_behaviour_count());
  for (size_t i = 0; i < sek_emu_behaviour_count(); i++) {
    const sek_emu_behaviour *b = sek_emu_behaviour_at(i);
    size_t hits = 0;
    for (size_t k = 0; k < n; k++)
      hits += strcmp(row_tests[k].row, b->id) == 0;
    if (hits != 1)
      fail_msg("behaviour row %s has %zu tests", b->id, hits);
    assert_non_null(b->evidence);
    assert_true(strlen(b->evidence) > 0);
  }
  for (size_t k = 0; k < n; k++) {
    const sek_emu_behaviour *b = sek_emu_behaviour_find(row_tests[k].row);
    assert_non_null(b);
    sek_emu *emu = NULL;
    sek_error *err = row_tests[k].trigger(&emu);
    if (err == NULL)
      fail_msg("row %s: the situation gave no Apple error", b->id);
    if (strcmp(sek_error_domain(err), b->domain) != 0 || sek_error_code(err) != b->code)
      fail_msg("row %s: got %s %ld, the row says %s %ld", b->id, sek_error_domain(err),
               sek_error_code(err), b->domain, b->code);
    sek_emu_truth truth;
    assert_int_equal(sek_emu_last_truth(emu, &truth), SEK_OK);
    if (truth.row != b)
      fail_msg("row %s: the truth names row %s", b->id, truth.row->id);
    assert_int_equal(truth.action, b->action);
    assert_int_equal(truth.permanent, b->permanent);
    if (b->has_aks_error) {
      long long aks = 0;
      assert_int_equal(sek_error_user_number(err, SEK_KEY_AKS_ERROR, &aks), SEK_OK);
      assert_int_equal(aks, b->aks_error);
    }
    if (b->underlying_domain != NULL) {
      const sek_error *u = sek_error_underlying(err);
      assert_non_null(u);
      assert_string_equal(sek_error_domain(u), b->underlying_domain);
      assert_int_equal(sek_error_code(u), b->underlying_code);
    }
    /* the printed form reads back to the same error */
    char *text = sek_error_format(err);
    sek_error *back = NULL;
    assert_int_equal(sek_error_parse(text, strlen(text), &back), SEK_OK);
    assert_true(sek_error_equal(back, err));
    sek_error_free(back);
    /* the decoder's verdict on the printed error equals the row's ground truth (design §6) */
    sek_action action;
    sek_permanence permanent;
    assert_int_equal(sek_error_verdict(err, &action, &permanent), SEK_OK);
    if (action != b->action || permanent != b->permanent)
      fail_msg("row %s (%s): decoder says %s/%d, truth %s/%d", b->id, text,
               sek_action_name(action), permanent, sek_action_name(b->action), b->permanent);
    free(text);
    sek_error_free(err);
    sek_emu_free(emu);
  }
}

/* docs/emulator.md is kept beside the table: it must list every row with its domain and code. */
static void test_docs_list_every_row(void **state) {
  (void)state;
  char path[1024];
  snprintf(path, sizeof path, "%s/docs/emulator.md", SEK_SOURCE_DIR);
  char *doc = sek_test_read_file(path, NULL);
  assert_non_null(doc);
  for (size_t i = 0; i < sek_emu_behaviour_count(); i++) {
    const sek_emu_behaviour *b = sek_emu_behaviour_at(i);
    char needle[256];
    snprintf(needle, sizeof needle, "| `%s` |", b->id);
    const char *line = strstr(doc, needle);
    if (line == NULL)
      fail_msg("docs/emulator.md does not list row %s", b->id);
    const char *end = strchr(line, '\n');
    snprintf(needle, sizeof needle, "%s %ld", b->domain, b->code);
    const char *at = strstr(line, needle);
    if (at == NULL || (end != NULL && at > end))
      fail_msg("docs/emulator.md: row %s should say \"%s\"", b->id, needle);
  }
  free(doc);
}

/* ---- policy faults ------------------------------------------------------------------------- */

static void assert_dead(sek_emu *emu, const sek_key *key) {
  uint8_t sig[SEK_SIG_MAX_LEN];
  size_t n;
  sek_error *err = NULL;
  assert_int_equal(sign(emu, key, sig, &n, &err), SEK_BACKEND_ERR_APPLE);
  char kid[17], expect[512];
  assert_int_equal(sek_emu_key_kid(emu, key, kid), SEK_OK);
  seed_form(kid, expect, sizeof expect);
  char *text = sek_error_format(err);
  assert_string_equal(text, expect);
  free(text);
  sek_error_free(err);
}

static void test_policy_fault_kills_any_key_for_good(void **state) {
  (void)state;
  char *path = temp_path("fault");
  sek_emu_config cfg;
  sek_emu_config_default(&cfg);
  cfg.seed = 5;
  cfg.store_path = path;
  sek_emu *emu = new_emu_cfg(&cfg);
  /* .biometryAny, no biometry at all, default ACL: every kind of key */
  sek_key_free(create_ok(emu, keygen(AKU, PKU_BIO, "any", NULL)));
  sek_key_free(create_ok(emu, keygen(AKU, ".privateKeyUsage", "plain", NULL)));
  sek_key_free(create_ok(emu, keygen(NULL, NULL, "default", NULL)));
  sek_key *held = find_ok(emu, "any");
  assert_signs(emu, held);
  /* by application label: the held reference is affected too */
  assert_int_equal(sek_emu_fault_corrupt_key(emu, (const uint8_t *)"any", 3), SEK_OK);
  assert_dead(emu, held);
  sek_key_free(held);
  sek_key *plain = find_ok(emu, "plain");
  assert_signs(emu, plain);
  /* by kid */
  char kid[17];
  assert_int_equal(sek_emu_key_kid(emu, plain, kid), SEK_OK);
  assert_int_equal(sek_emu_fault_corrupt_kid(emu, kid), SEK_OK);
  assert_dead(emu, plain);
  sek_key_free(plain);
  assert_int_equal(sek_emu_fault_corrupt_kid(emu, "0000000000000000"), SEK_EMU_ERR_NO_MATCH);
  assert_int_equal(sek_emu_fault_corrupt_key(emu, (const uint8_t *)"nobody", 6),
                   SEK_EMU_ERR_NO_MATCH);
  /* all keys */
  sek_key *def = find_ok(emu, "default");
  assert_signs(emu, def);
  assert_int_equal(sek_emu_fault_corrupt_all(emu), SEK_OK);
  assert_dead(emu, def);
  sek_key_free(def);
  sek_emu_free(emu);
  /* for good: across reopen */
  emu = new_emu_cfg(&cfg);
  const char *labels[] = {"any", "plain", "default"};
  for (size_t i = 0; i < 3; i++) {
    sek_key *k = find_ok(emu, labels[i]);
    assert_dead(emu, k);
    sek_key_free(k);
  }
  /* a new key is fine */
  sek_key_free(create_ok(emu, keygen(AKU, PKU_BIO, "fresh", NULL)));
  sek_key *fresh = find_ok(emu, "fresh");
  assert_signs(emu, fresh);
  sek_key_free(fresh);
  sek_emu_free(emu);
  remove_db(path);
}

/* ---- determinism, persistence --------------------------------------------------------------- */

/* One fixed script; returns a digest of everything observable it produced. */
static void script_digest(uint64_t seed, uint8_t out[32]) {
  sek_emu *emu = new_emu(seed);
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  assert_non_null(md);
  assert_int_equal(EVP_DigestInit_ex(md, EVP_sha256(), NULL), 1);
  const char *labels[] = {"a", "b", "c"};
  for (size_t i = 0; i < 3; i++) {
    sek_key *k =
        create_ok(emu, keygen(AKU, i == 1 ? ".biometryCurrentSet, .privateKeyUsage" : PKU_BIO,
                              labels[i], NULL));
    uint8_t pub[65], sig[SEK_SIG_MAX_LEN];
    size_t n = 0;
    assert_int_equal(sek_backend_copy_public_key(sek_emu_backend(emu), k, pub, NULL), SEK_OK);
    EVP_DigestUpdate(md, pub, 65);
    assert_int_equal(sign(emu, k, sig, &n, NULL), SEK_OK);
    EVP_DigestUpdate(md, sig, n);
    sek_key_free(k);
  }
  assert_int_equal(sek_emu_biometry_change(emu), SEK_OK);
  sek_key *b = find_ok(emu, "b");
  sek_error *err = NULL;
  uint8_t sig[SEK_SIG_MAX_LEN];
  size_t n;
  assert_int_equal(sign(emu, b, sig, &n, &err), SEK_BACKEND_ERR_APPLE);
  char *text = sek_error_format(err);
  EVP_DigestUpdate(md, text, strlen(text));
  free(text);
  sek_error_free(err);
  sek_key_free(b);
  unsigned len = 0;
  EVP_DigestFinal_ex(md, out, &len);
  EVP_MD_CTX_free(md);
  sek_emu_free(emu);
}

static void test_same_seed_same_everything(void **state) {
  (void)state;
  uint8_t a[32], b[32], c[32];
  script_digest(99, a);
  script_digest(99, b);
  script_digest(100, c);
  assert_memory_equal(a, b, 32);
  assert_memory_not_equal(a, c, 32);
}

static void test_persistence_across_reopen(void **state) {
  (void)state;
  char *path = temp_path("persist");
  sek_emu_config cfg;
  sek_emu_config_default(&cfg);
  cfg.seed = 77;
  cfg.store_path = path;
  sek_emu *emu = new_emu_cfg(&cfg);
  uint8_t pub_before[65], pub_after[65];
  sek_key *k = create_ok(emu, keygen(AKU, PKU_BIO, "kept", NULL));
  sek_backend_copy_public_key(sek_emu_backend(emu), k, pub_before, NULL);
  sek_key_free(k);
  sek_key_free(create_ok(emu, keygen(AKU, ".biometryCurrentSet, .privateKeyUsage", "bound", NULL)));
  assert_int_equal(sek_emu_biometry_change(emu), SEK_OK); /* persisted: the SE's state */
  sek_emu_free(emu);

  struct stat sb;
  assert_int_equal(stat(path, &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0600);

  emu = new_emu_cfg(&cfg);
  sek_emu_state s;
  sek_emu_get_state(emu, &s);
  assert_int_equal(s.key_count, 2);
  k = find_ok(emu, "kept");
  sek_backend_copy_public_key(sek_emu_backend(emu), k, pub_after, NULL);
  assert_memory_equal(pub_before, pub_after, 65);
  assert_signs(emu, k);
  sek_key_free(k);
  k = find_ok(emu, "bound");
  assert_dead(emu, k); /* the enrollment change survived the reopen */
  sek_key_free(k);
  /* new keys after reopen differ from the ones before (the DRBG does not restart) */
  k = create_ok(emu, keygen(AKU, PKU_BIO, "later", NULL));
  sek_backend_copy_public_key(sek_emu_backend(emu), k, pub_after, NULL);
  assert_memory_not_equal(pub_before, pub_after, 65);
  sek_key_free(k);
  sek_emu_free(emu);

  /* another seed is another device */
  cfg.seed = 78;
  sek_emu *other = NULL;
  char why[256];
  assert_int_equal(sek_emu_new(&cfg, &other, why, sizeof why), SEK_EMU_ERR_FOREIGN_DEVICE);
  assert_non_null(strstr(why, "another device"));
  assert_null(other);
  remove_db(path);
}

static void test_bad_config_refused(void **state) {
  (void)state;
  sek_emu_config cfg;
  sek_emu_config_default(&cfg);
  cfg.passcode_set = false; /* biometry needs a passcode */
  sek_emu *emu = NULL;
  char why[256];
  assert_int_equal(sek_emu_new(&cfg, &emu, why, sizeof why), SEK_EMU_ERR_CONFIG);
  assert_non_null(strstr(why, "biometry"));
  sek_emu_config_default(&cfg);
  cfg.default_answer = (sek_emu_answer)99;
  assert_int_equal(sek_emu_new(&cfg, &emu, why, sizeof why), SEK_EMU_ERR_CONFIG);
  sek_emu_config_default(&cfg);
  cfg.store_path = "/nonexistent-dir/x.db";
  assert_int_equal(sek_emu_new(&cfg, &emu, why, sizeof why), SEK_STORE_ERR_OPEN);
  assert_non_null(strstr(why, "/nonexistent-dir/x.db"));
  assert_int_equal(sek_emu_new(NULL, &emu, NULL, 0), SEK_ERR_ARG);
}

/* ---- device state ------------------------------------------------------------------------- */

static void test_passcode_removal_deletes_passcode_set_keys_only(void **state) {
  (void)state;
  sek_emu *emu = new_emu(3);
  sek_key_free(create_ok(emu, keygen("kSecAttrAccessibleWhenPasscodeSetThisDeviceOnly",
                                     ".privateKeyUsage", "pc", NULL)));
  sek_key_free(create_ok(emu, keygen(AKU, ".privateKeyUsage", "kept", NULL)));
  assert_int_equal(sek_emu_passcode_remove(emu), SEK_OK);
  sek_emu_state s;
  sek_emu_get_state(emu, &s);
  assert_int_equal(s.key_count, 1);
  assert_false(s.passcode_set);
  assert_false(s.biometry_enrolled); /* biometry goes with the passcode */
  sek_items *items;
  sek_error *err = NULL;
  assert_int_equal(find(emu, find_query("pc", NULL), &items, &err), SEK_BACKEND_ERR_APPLE);
  assert_int_equal(sek_error_code(err), -25300);
  sek_error_free(err);
  sek_key *k = find_ok(emu, "kept");
  assert_signs(emu, k);
  sek_key_free(k);
  /* a new passcode does not bring the old class key back */
  assert_int_equal(sek_emu_passcode_set(emu), SEK_OK);
  sek_key_free(create_ok(emu, keygen("kSecAttrAccessibleWhenPasscodeSetThisDeviceOnly",
                                     ".privateKeyUsage", "pc2", NULL)));
  k = find_ok(emu, "pc2");
  assert_signs(emu, k);
  sek_key_free(k);
  assert_int_equal(sek_emu_biometry_enroll(emu), SEK_OK);
  assert_int_equal(sek_emu_passcode_remove(emu), SEK_OK);
  assert_int_equal(sek_emu_biometry_enroll(emu), SEK_EMU_ERR_STATE);
  sek_emu_free(emu);
}

static void test_lock_reboot_and_classes(void **state) {
  (void)state;
  sek_emu *emu = new_emu(4);
  sek_key_free(create_ok(emu, keygen("kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly",
                                     ".privateKeyUsage", "cku", NULL)));
  sek_key_free(create_ok(emu, keygen(AKU, ".privateKeyUsage", "aku", NULL)));
  sek_key_free(create_ok(
      emu, keygen("kSecAttrAccessibleAlwaysThisDeviceOnly", ".privateKeyUsage", "dku", NULL)));
  sek_key_free(create_ok(emu, keygen(NULL, NULL, "f", "kSecAttrAccessible: \"f\"")));
  sek_key *f = find_ok(emu, "f");
  assert_signs(emu, f);
  /* locked: ak* unavailable, ck* and dk* fine */
  assert_int_equal(sek_emu_lock(emu), SEK_OK);
  sek_error *err = query_error(emu, find_query("aku", NULL));
  assert_non_null(err);
  assert_int_equal(sek_error_code(err), -25308);
  sek_error_free(err);
  sek_key *k = find_ok(emu, "cku");
  assert_signs(emu, k);
  sek_key_free(k);
  /* reboot: before the first unlock ck* is unavailable too; UntilReboot items are gone */
  assert_int_equal(sek_emu_reboot(emu), SEK_OK);
  err = query_error(emu, find_query("cku", NULL));
  assert_non_null(err);
  assert_int_equal(sek_error_code(err), -25308);
  sek_error_free(err);
  k = find_ok(emu, "dku");
  assert_signs(emu, k);
  sek_key_free(k);
  err = query_error(emu, find_query("f", NULL));
  assert_int_equal(sek_error_code(err), -25300);
  sek_error_free(err);
  err = sign_error(emu, f, SIGN_ALG, hello, HELLO_LEN); /* its class key died with the boot */
  assert_non_null(err);
  sek_emu_truth truth;
  assert_int_equal(sek_emu_last_truth(emu, &truth), SEK_OK);
  assert_string_equal(truth.row->id, "sign.class_key_gone");
  sek_error_free(err);
  sek_key_free(f);
  assert_int_equal(sek_emu_unlock(emu), SEK_OK);
  k = find_ok(emu, "cku");
  assert_signs(emu, k);
  sek_key_free(k);
  k = find_ok(emu, "aku");
  assert_signs(emu, k);
  sek_key_free(k);
  sek_emu_free(emu);
}

static void test_answers_queue_in_order(void **state) {
  (void)state;
  sek_emu *emu = new_emu(6);
  sek_key *k = create_ok(emu, keygen(AKU, PKU_BIO, "k", NULL));
  const sek_emu_answer script[] = {SEK_EMU_ANSWER_CANCEL, SEK_EMU_ANSWER_SUCCESS,
                                   SEK_EMU_ANSWER_LOCKOUT};
  const long codes[] = {-2, 0, -8};
  for (size_t i = 0; i < 3; i++)
    assert_int_equal(sek_emu_queue_answer(emu, script[i]), SEK_OK);
  for (size_t i = 0; i < 3; i++) {
    sek_error *err = sign_error(emu, k, SIGN_ALG, hello, HELLO_LEN);
    assert_int_equal(err != NULL ? sek_error_code(err) : 0, codes[i]);
    sek_error_free(err);
  }
  /* a key without constraints never prompts */
  sek_key *plain = create_ok(emu, keygen(AKU, ".privateKeyUsage", "plain", NULL));
  assert_int_equal(sek_emu_queue_answer(emu, SEK_EMU_ANSWER_CANCEL), SEK_OK);
  assert_signs(emu, plain);
  sek_emu_state s;
  sek_emu_get_state(emu, &s);
  assert_int_equal(s.pending_answers, 1);
  sek_emu_clear_answers(emu);
  for (int i = 0; i < SEK_EMU_MAX_ANSWERS; i++)
    assert_int_equal(sek_emu_queue_answer(emu, SEK_EMU_ANSWER_SUCCESS), SEK_OK);
  assert_int_equal(sek_emu_queue_answer(emu, SEK_EMU_ANSWER_SUCCESS), SEK_EMU_ERR_QUEUE_FULL);
  /* names */
  sek_emu_answer a;
  assert_int_equal(sek_emu_answer_parse("not_interactive", &a), SEK_OK);
  assert_int_equal(a, SEK_EMU_ANSWER_NOT_INTERACTIVE);
  assert_string_equal(sek_emu_answer_name(SEK_EMU_ANSWER_FALLBACK), "fallback");
  assert_int_equal(sek_emu_answer_parse("maybe", &a), SEK_ERR_ARG);
  /* a reference found with kSecUseAuthenticationUI fail cannot prompt */
  sek_emu_clear_answers(emu);
  sek_items *items;
  sek_error *err = NULL;
  assert_int_equal(find(emu,
                        find_query("k", "kSecUseAuthenticationUI: kSecUseAuthenticationUIFail"),
                        &items, &err),
                   SEK_OK);
  err = sign_error(emu, sek_items_key(items, 0), SIGN_ALG, hello, HELLO_LEN);
  assert_non_null(err);
  assert_int_equal(sek_error_code(err), -1004);
  sek_error_free(err);
  sek_items_free(items);
  sek_key_free(k);
  sek_key_free(plain);
  sek_emu_free(emu);
}

/* ---- algorithms ------------------------------------------------------------------------------ */

static void test_every_ecdsa_algorithm_signs_and_verifies(void **state) {
  (void)state;
  static const struct {
    const char *hash;
    emu_hash h;
  } hashes[] = {{"SHA1", EMU_SHA1},
                {"SHA224", EMU_SHA224},
                {"SHA256", EMU_SHA256},
                {"SHA384", EMU_SHA384},
                {"SHA512", EMU_SHA512}};
  sek_emu *emu = new_emu(8);
  sek_backend *be = sek_emu_backend(emu);
  sek_key *k = create_ok(emu, keygen(AKU, ".privateKeyUsage", "k", NULL));
  emu_crypto *c = emu_crypto_new();
  assert_non_null(c);
  for (int kind = 0; kind < 2; kind++)
    for (int fmt = 0; fmt < 2; fmt++)
      for (size_t h = 0; h < 5; h++)
        for (int spelling = 0; spelling < 3; spelling++) {
          char name[128];
          const char *kinds[2][2] = {{"Digest", "digest"}, {"Message", "message"}};
          const char *fmts[2] = {"X962", "RFC4754"};
          if (spelling == 0)
            snprintf(name, sizeof name, "algid:sign:ECDSA:%s-%s:%s", kinds[kind][1], fmts[fmt],
                     hashes[h].hash);
          else
            snprintf(name, sizeof name, "%s%s%s%s",
                     spelling == 1 ? "kSecKeyAlgorithmECDSASignature" : ".ecdsaSignature",
                     kinds[kind][0], fmts[fmt], hashes[h].hash);
          uint8_t input[64];
          size_t in_len = HELLO_LEN;
          if (kind == 0) {
            assert_int_equal(emu_digest(c, hashes[h].h, hello, HELLO_LEN, input), SEK_OK);
            in_len = emu_hash_len(hashes[h].h);
          } else {
            memcpy(input, hello, HELLO_LEN);
          }
          uint8_t sig[SEK_SIG_MAX_LEN];
          size_t n = 0;
          sek_error *err = NULL;
          int st =
              sek_backend_create_signature(be, k, name, input, in_len, sig, sizeof sig, &n, &err);
          if (st != SEK_OK)
            fail_msg("%s: %d", name, st);
          assert_true(fmt == 1 ? n == 64 : n >= 8 && n <= 72);
          assert_int_equal(sek_backend_verify_signature(be, k, name, input, in_len, sig, n, NULL),
                           SEK_OK);
          sig[n / 2] ^= 0x40;
          assert_int_equal(sek_backend_verify_signature(be, k, name, input, in_len, sig, n, &err),
                           SEK_BACKEND_ERR_APPLE);
          assert_int_equal(sek_error_code(err), -67808);
          sek_error_free(err);
        }
  /* the raw digest variants take any digest of 1..64 bytes */
  uint8_t d20[20] = {7}, sig[SEK_SIG_MAX_LEN];
  size_t n;
  const char *raw_names[] = {"algid:sign:ECDSA:digest-X962",
                             "kSecKeyAlgorithmECDSASignatureRFC4754",
                             ".ecdsaSignatureDigestRFC4754"};
  for (size_t i = 0; i < 3; i++) {
    assert_int_equal(
        sek_backend_create_signature(be, k, raw_names[i], d20, 20, sig, sizeof sig, &n, NULL),
        SEK_OK);
    assert_int_equal(sek_backend_verify_signature(be, k, raw_names[i], d20, 20, sig, n, NULL),
                     SEK_OK);
  }
  /* a buffer that cannot hold a DER signature is refused before anything happens */
  assert_int_equal(
      sek_backend_create_signature(be, k, SIGN_ALG, hello, HELLO_LEN, sig, 70, &n, NULL),
      SEK_BACKEND_ERR_BUFFER);
  emu_crypto_free(c);
  sek_key_free(k);
  sek_emu_free(emu);
}

/* ---- results ------------------------------------------------------------------------------- */

typedef struct {
  uint8_t secrets[64][64];
  size_t lens[64], num;
} secret_set;

static void collect_secret(void *ctx, const uint8_t *p, size_t len) {
  secret_set *s = ctx;
  if (s->num < 64 && len <= 64) {
    memcpy(s->secrets[s->num], p, len);
    s->lens[s->num++] = len;
  }
}

static bool contains(const uint8_t *hay, size_t hay_len, const secret_set *s) {
  for (size_t i = 0; i < s->num; i++)
    for (size_t off = 0; hay_len >= s->lens[i] && off <= hay_len - s->lens[i]; off++)
      if (memcmp(hay + off, s->secrets[i], s->lens[i]) == 0)
        return true;
  return false;
}

static void test_results_hold_refs_attributes_data_never_secrets(void **state) {
  (void)state;
  sek_emu *emu = new_emu(9);
  sek_key *k = create_ok(emu, keygen(AKU, PKU_BIO, "r", "kSecAttrApplicationTag: \"tag\""));
  sek_key_free(k);
  sek_key_free(create_ok(emu, keygen(NULL, NULL, "", "kSecAttrLabel: \"second\"")));
  secret_set secrets = {.num = 0};
  assert_int_equal(emu_testing_secrets(emu, collect_secret, &secrets), SEK_OK);
  assert_int_equal(secrets.num, 1 + 2 * 2); /* the device key, and each key's blob and scalar */
  sek_items *items;
  sek_error *err = NULL;
  assert_int_equal(find(emu,
                        parse("[kSecClass: kSecClassKey, kSecMatchLimit: kSecMatchLimitAll, "
                              "kSecReturnRef: true, kSecReturnAttributes: true, "
                              "kSecReturnData: true, kSecReturnPersistentRef: true]"),
                        &items, &err),
                   SEK_OK);
  assert_int_equal(sek_items_count(items), 2);
  for (size_t i = 0; i < 2; i++) {
    const sek_attrs *a = sek_items_attributes(items, i);
    assert_non_null(a);
    assert_non_null(sek_items_key(items, i));
    size_t dlen = 0;
    const uint8_t *data = sek_items_data(items, i, &dlen);
    assert_non_null(data);
    assert_int_equal(dlen, 16);
    assert_false(contains(data, dlen, &secrets));
    for (size_t e = 0; e < sek_attrs_count(a); e++) {
      const char *key;
      const sek_value *v;
      assert_int_equal(sek_attrs_entry(a, e, &key, &v), SEK_OK);
      size_t len = 0;
      const uint8_t *bytes = sek_value_kind_of(v) == SEK_VALUE_DATA
                                 ? sek_value_data(v, &len)
                                 : (const uint8_t *)sek_value_string(v, &len);
      if (bytes != NULL)
        assert_false(contains(bytes, len, &secrets));
    }
    assert_non_null(sek_attrs_get(a, "v_PersistentRef"));
    assert_non_null(sek_attrs_get(a, "tkid"));
  }
  /* the first: klbl as given, the tag, the access control; the second: klbl = SHA-1(pub) */
  const sek_attrs *a0 = sek_items_attributes(items, 0);
  size_t len = 0;
  const uint8_t *klbl = sek_value_data(sek_attrs_get(a0, "klbl"), &len);
  assert_int_equal(len, 1);
  assert_memory_equal(klbl, "r", 1);
  assert_int_equal(sek_value_kind_of(sek_attrs_get(a0, "accc")), SEK_VALUE_ACCESS_CONTROL);
  assert_int_equal(sek_value_ac_flags(sek_attrs_get(a0, "accc")),
                   SEK_AC_BIOMETRY_ANY | SEK_AC_PRIVATE_KEY_USAGE);
  const sek_attrs *a1 = sek_items_attributes(items, 1);
  uint8_t pub[65], sha[20];
  assert_int_equal(
      sek_backend_copy_public_key(sek_emu_backend(emu), sek_items_key(items, 1), pub, NULL),
      SEK_OK);
  unsigned sl = 0;
  EVP_Digest(pub, 65, sha, &sl, EVP_sha1(), NULL);
  klbl = sek_value_data(sek_attrs_get(a1, "klbl"), &len);
  /* an empty label literal gives an empty klbl: the caller's value wins */
  assert_int_equal(len, 0);
  sek_attrs *ka = NULL;
  assert_int_equal(
      sek_backend_copy_key_attributes(sek_emu_backend(emu), sek_items_key(items, 1), &ka, NULL),
      SEK_OK);
  klbl = sek_value_data(sek_attrs_get(ka, "klbl"), &len); /* SecKeyCopyAttributes: SHA-1(pub) */
  assert_int_equal(len, 20);
  assert_memory_equal(klbl, sha, 20);
  sek_attrs_free(ka);
  /* the key's description and kid */
  char desc[96], kid[17];
  sek_key_description(sek_items_key(items, 0), desc, sizeof desc);
  assert_true(strncmp(desc, "<SecKeyRef:('com.apple.setoken') 0x", 35) == 0);
  assert_int_equal(sek_emu_key_kid(emu, sek_items_key(items, 0), kid), SEK_OK);
  assert_int_equal(strlen(kid), 16);
  assert_int_equal(strspn(kid, "0123456789abcdef"), 16);
  sek_items_free(items);
  /* match limit one (the default) */
  assert_int_equal(
      find(emu, parse("[kSecClass: kSecClassKey, kSecReturnAttributes: true]"), &items, &err),
      SEK_OK);
  assert_int_equal(sek_items_count(items), 1);
  assert_null(sek_items_key(items, 0));
  sek_items_free(items);
  sek_emu_free(emu);
}

/* SQL and brute force agree on random queries over a varied keychain. */
static void test_sql_matches_reference(void **state) {
  (void)state;
  sek_emu *emu = new_emu(10);
  const char *labels[] = {"alpha", "beta", "gamma", "delta"};
  const char *prots[] = {AKU, "kSecAttrAccessibleAfterFirstUnlock", "kSecAttrAccessibleAlways"};
  for (size_t i = 0; i < 12; i++) {
    char extra[160];
    snprintf(extra, sizeof extra, "kSecAttrApplicationTag: \"t%zu\", kSecAttrKeyCreator: %zu%s",
             i % 3, i % 2, i % 4 == 0 ? ", kSecAttrLabel: \"L\"" : "");
    char label[32];
    snprintf(label, sizeof label, "%s%zu", labels[i % 4], i / 4);
    sek_key_free(create_ok(emu, keygen(prots[i % 3], ".privateKeyUsage", label, extra)));
  }
  uint64_t x = 12345;
  for (int round = 0; round < 300; round++) {
    char q[512] = "[kSecClass: kSecClassKey";
    size_t n = strlen(q);
    static const char *const terms[] = {"kSecAttrApplicationTag: \"t1\"",
                                        "kSecAttrApplicationTag: \"t9\"",
                                        "kSecAttrKeyCreator: 1",
                                        "kSecAttrKeyCreator: 0",
                                        "kSecAttrLabel: \"L\"",
                                        "kSecAttrApplicationLabel: \"beta1\"",
                                        "kSecAttrKeyType: kSecAttrKeyTypeEC",
                                        "kSecAttrKeySizeInBits: 256",
                                        "kSecAttrKeyClass: kSecAttrKeyClassPrivate",
                                        "kSecMatchLimit: kSecMatchLimitAll",
                                        "kSecMatchLimit: 3",
                                        "kSecReturnAttributes: true",
                                        "kSecReturnRef: true",
                                        "kSecAttrSynchronizable: kSecAttrSynchronizableAny",
                                        "kSecAttrAccessible: kSecAttrAccessibleAlways",
                                        "kSecAttrCanSign: true",
                                        "kSecAttrTokenID: kSecAttrTokenIDSecureEnclave",
                                        "kSecAttrIsPermanent: true"};
    int count = (int)(x % 5);
    for (int t = 0; t < count; t++) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      const char *term = terms[(size_t)(x >> 33) % (sizeof terms / sizeof terms[0])];
      char key[48];
      snprintf(key, sizeof key, "%.*s:", (int)strcspn(term, ":"), term);
      if (strstr(q, key) != NULL) /* one value per key: a Swift literal traps on duplicates */
        continue;
      n += (size_t)snprintf(q + n, sizeof q - n, ", %s", term);
    }
    snprintf(q + n, sizeof q - n, "]");
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    sek_items *a = NULL, *b = NULL;
    sek_error *ea = NULL, *eb = NULL;
    sek_attrs *query = parse(q);
    int sa = sek_backend_copy_matching(sek_emu_backend(emu), query, &a, &ea);
    int sb = sek_emu_copy_matching_reference(emu, query, &b, &eb);
    sek_attrs_free(query);
    if (sa != sb)
      fail_msg("%s: SQL %d, reference %d", q, sa, sb);
    if (sa == SEK_OK) {
      assert_int_equal(sek_items_count(a), sek_items_count(b));
      for (size_t i = 0; i < sek_items_count(a); i++)
        assert_true(sek_attrs_equal(sek_items_attributes(a, i), sek_items_attributes(b, i)));
    } else {
      assert_true(sek_error_equal(ea, eb));
    }
    sek_items_free(a);
    sek_items_free(b);
    sek_error_free(ea);
    sek_error_free(eb);
  }
  sek_emu_free(emu);
}

/* ---- faults: allocation and store ----------------------------------------------------------- */

static void test_alloc_faults_fail_cleanly(void **state) {
  (void)state;
  sek_emu *emu = new_emu(11);
  sek_key_free(create_ok(emu, keygen(AKU, PKU_BIO, "base", NULL)));
  /* n counts up until the operation succeeds; every failure is -108 and changes nothing */
  for (int op = 0; op < 3; op++) {
    bool done = false;
    for (unsigned nth = 1; !done && nth < 50; nth++) {
      sek_emu_state before, after;
      sek_emu_get_state(emu, &before);
      assert_int_equal(sek_emu_fault_alloc(emu, nth), SEK_OK);
      sek_error *err = NULL;
      int st;
      if (op == 0) {
        sek_key *k = NULL;
        sek_attrs *p = keygen(AKU, PKU_BIO, "new", NULL);
        st = sek_backend_create_random_key(sek_emu_backend(emu), p, &k, &err);
        sek_attrs_free(p);
        sek_key_free(k);
      } else if (op == 1) {
        sek_items *items = NULL;
        sek_attrs *q = find_query("base", "kSecReturnAttributes: true");
        st = sek_backend_copy_matching(sek_emu_backend(emu), q, &items, &err);
        sek_attrs_free(q);
        sek_items_free(items);
      } else {
        sek_attrs *q = parse("[kSecClass: kSecClassKey, kSecAttrApplicationLabel: \"new\"]");
        st = sek_backend_delete(sek_emu_backend(emu), q, &err);
        sek_attrs_free(q);
      }
      sek_emu_get_state(emu, &after);
      if (st == SEK_OK) {
        done = true;
      } else {
        assert_int_equal(st, SEK_BACKEND_ERR_APPLE);
        assert_int_equal(sek_error_code(err), -108);
        assert_int_equal(before.key_count, after.key_count);
        sek_error_free(err);
      }
    }
    assert_true(done);
  }
  assert_int_equal(sek_emu_fault_alloc(emu, 0), SEK_OK);
  sek_emu_free(emu);
}

static void test_store_fault_rolls_back(void **state) {
  (void)state;
  sek_emu *emu = new_emu(12);
  sek_key_free(create_ok(emu, keygen(AKU, PKU_BIO, "a", NULL)));
  for (unsigned count = 1; count <= 3; count++) {
    assert_int_equal(sek_emu_fault_store(emu, count), SEK_OK);
    sek_error *err = keygen_error(emu, keygen(AKU, PKU_BIO, "b", NULL));
    assert_non_null(err);
    assert_int_equal(sek_error_code(err), -36);
    sek_error_free(err);
    sek_emu_state s;
    sek_emu_get_state(emu, &s);
    assert_int_equal(s.key_count, 1);
    assert_int_equal(sek_emu_fault_store(emu, 0), SEK_OK);
  }
  /* a delete whose commit fails leaves the key */
  assert_int_equal(sek_emu_fault_store(emu, 2), SEK_OK); /* select passes, ... */
  sek_error *err =
      delete_error(emu, parse("[kSecClass: kSecClassKey, kSecAttrApplicationLabel: \"a\"]"));
  assert_non_null(err);
  assert_int_equal(sek_error_code(err), -36);
  sek_error_free(err);
  assert_int_equal(sek_emu_fault_store(emu, 0), SEK_OK);
  sek_key *k = find_ok(emu, "a");
  assert_signs(emu, k);
  sek_key_free(k);
  sek_emu_free(emu);
}

static void test_check_keygen_has_no_side_effects(void **state) {
  (void)state;
  sek_emu *a = new_emu(13), *b = new_emu(13);
  sek_attrs *p = keygen(AKU, PKU_BIO, "k", NULL);
  for (int i = 0; i < 3; i++)
    assert_int_equal(sek_emu_check_keygen(a, p, NULL), SEK_OK);
  sek_attrs *bad = keygen(AKU, ".biometryAny, .biometryCurrentSet", "k", NULL);
  sek_error *err = NULL;
  assert_int_equal(sek_emu_check_keygen(a, bad, &err), SEK_BACKEND_ERR_APPLE);
  assert_int_equal(sek_error_code(err), -50);
  sek_error_free(err);
  sek_attrs_free(bad);
  /* one protection class per item: kSecAttrAccessible must agree with the access control */
  bad = keygen(AKU, PKU_BIO, "k", "kSecAttrAccessible: kSecAttrAccessibleAfterFirstUnlock");
  err = NULL;
  assert_int_equal(sek_emu_check_keygen(a, bad, &err), SEK_BACKEND_ERR_APPLE);
  assert_int_equal(sek_error_code(err), -50);
  sek_error_free(err);
  sek_attrs_free(bad);
  sek_attrs *same = keygen(AKU, PKU_BIO, "k", "kSecAttrAccessible: " AKU);
  assert_int_equal(sek_emu_check_keygen(a, same, NULL), SEK_OK);
  sek_attrs_free(same);
  sek_key *ka = create_ok(a, sek_attrs_copy(p)), *kb = create_ok(b, p);
  uint8_t pa[65], pb[65];
  sek_backend_copy_public_key(sek_emu_backend(a), ka, pa, NULL);
  sek_backend_copy_public_key(sek_emu_backend(b), kb, pb, NULL);
  assert_memory_equal(pa, pb, 65);
  sek_emu_state s;
  sek_emu_get_state(a, &s);
  assert_int_equal(s.key_count, 1);
  /* keys of one emulator are foreign to another */
  char kid[17];
  assert_int_equal(sek_emu_key_kid(b, ka, kid), SEK_BACKEND_ERR_FOREIGN_KEY);
  assert_int_equal(sek_backend_copy_public_key(sek_emu_backend(b), ka, pb, NULL),
                   SEK_BACKEND_ERR_FOREIGN_KEY);
  sek_key_free(ka);
  sek_key_free(kb);
  sek_emu_free(a);
  sek_emu_free(b);
}

static void test_non_permanent_key_signs_but_is_not_stored(void **state) {
  (void)state;
  sek_emu *emu = new_emu(14);
  sek_key *k = create_ok(emu, parse("[kSecAttrTokenID: kSecAttrTokenIDSecureEnclave, "
                                    "kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom, "
                                    "kSecPrivateKeyAttrs: [kSecAttrIsPermanent: false]]"));
  assert_signs(emu, k); /* no size, no access control: 256 bits and the default ACL (si44) */
  sek_emu_state s;
  sek_emu_get_state(emu, &s);
  assert_int_equal(s.key_count, 0);
  sek_attrs *ka = NULL;
  assert_int_equal(sek_backend_copy_key_attributes(sek_emu_backend(emu), k, &ka, NULL), SEK_OK);
  assert_false(sek_value_bool(sek_attrs_get(ka, "perm")));
  sek_attrs_free(ka);
  sek_key_free(k);
  sek_emu_free(emu);
}

/* ---- internal crypto ---------------------------------------------------------------------- */

static void hex_to(const char *hex, uint8_t *out) {
  for (size_t i = 0; hex[2 * i] != '\0'; i++)
    sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

/* Key derivation against RFC 6979 A.2.5's key pair; signatures deterministic per (device
 * block, key, digest), different for another digest or device, and OpenSSL verifies them. */
static void test_p256_keys_and_deterministic_signatures(void **state) {
  (void)state;
  emu_crypto *c = emu_crypto_new(), *other = emu_crypto_new();
  assert_non_null(c);
  assert_non_null(other);
  uint8_t d[32], pub[65], want_pub[65], block[64] = {1}, block2[64] = {2};
  hex_to("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721", d);
  hex_to("0460FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6"
         "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299",
         want_pub);
  assert_int_equal(emu_p256_public(c, d, pub), SEK_OK);
  assert_memory_equal(pub, want_pub, 65);
  assert_int_equal(emu_p256_set_nonce_entropy(c, block), SEK_OK);
  assert_int_equal(emu_p256_set_nonce_entropy(other, block2), SEK_OK);
  uint8_t digest[64], sig1[72], sig2[72], sig3[72], sig4[72];
  size_t n1, n2, n3, n4;
  assert_int_equal(emu_digest(c, EMU_SHA256, (const uint8_t *)"sample", 6, digest), SEK_OK);
  assert_int_equal(emu_p256_sign(c, d, pub, digest, 32, sig1, &n1), SEK_OK);
  assert_int_equal(emu_p256_sign(c, d, pub, digest, 32, sig2, &n2), SEK_OK);
  assert_int_equal(n1, n2);
  assert_memory_equal(sig1, sig2, n1);
  assert_int_equal(emu_p256_sign(other, d, pub, digest, 32, sig3, &n3), SEK_OK);
  assert_true(n3 != n1 || memcmp(sig1, sig3, n1) != 0);
  digest[0] ^= 1;
  assert_int_equal(emu_p256_sign(c, d, pub, digest, 32, sig4, &n4), SEK_OK);
  assert_true(n4 != n1 || memcmp(sig1, sig4, n1) != 0);
  digest[0] ^= 1;
  assert_true(openssl_verify(pub, (const uint8_t *)"sample", 6, sig1, n1));
  assert_true(openssl_verify(pub, (const uint8_t *)"sample", 6, sig3, n3));
  assert_false(openssl_verify(pub, (const uint8_t *)"sample", 6, sig4, n4));
  /* many keys: the signer cache evicts and still signs with the right key */
  for (int i = 0; i < 20; i++) {
    uint8_t di[32] = {0}, pi[65], s[72];
    size_t n;
    di[31] = (uint8_t)(i + 1);
    assert_int_equal(emu_p256_public(c, di, pi), SEK_OK);
    assert_int_equal(emu_p256_sign(c, di, pi, digest, 32, s, &n), SEK_OK);
    assert_true(openssl_verify(pi, (const uint8_t *)"sample", 6, s, n));
  }
  assert_int_equal(emu_p256_sign(c, d, pub, digest, 0, sig1, &n1), SEK_ERR_ARG);
  emu_crypto_free(c);
  emu_crypto_free(other);
}

static void test_gcm_binds_associated_data(void **state) {
  (void)state;
  emu_crypto *c = emu_crypto_new();
  emu_drbg g;
  emu_iov seed = {(const uint8_t *)"seed", 4};
  assert_int_equal(emu_drbg_instantiate(c, &g, &seed, 1), SEK_OK);
  uint8_t key[32] = {1}, pt[32] = {2}, ct[32 + EMU_GCM_OVERHEAD], back[32];
  emu_iov aad = {(const uint8_t *)"policy", 6}, other = {(const uint8_t *)"policz", 6};
  assert_int_equal(emu_gcm_seal(c, &g, key, &aad, 1, pt, 32, ct), SEK_OK);
  assert_int_equal(emu_gcm_open(c, key, &aad, 1, ct, sizeof ct, back), SEK_OK);
  assert_memory_equal(back, pt, 32);
  assert_int_equal(emu_gcm_open(c, key, &other, 1, ct, sizeof ct, back), EMU_CRYPTO_ERR_AUTH);
  ct[EMU_GCM_NONCE_LEN] ^= 1;
  assert_int_equal(emu_gcm_open(c, key, &aad, 1, ct, sizeof ct, back), EMU_CRYPTO_ERR_AUTH);
  assert_int_equal(emu_gcm_open(c, key, &aad, 1, ct, 10, back), EMU_CRYPTO_ERR_AUTH);
  /* the DRBG is deterministic */
  emu_drbg g1, g2;
  uint8_t o1[40], o2[40];
  emu_drbg_instantiate(c, &g1, &seed, 1);
  emu_drbg_instantiate(c, &g2, &seed, 1);
  emu_drbg_generate(c, &g1, o1, 40);
  emu_drbg_generate(c, &g2, o2, 40);
  assert_memory_equal(o1, o2, 40);
  emu_drbg_generate(c, &g2, o2, 40);
  assert_memory_not_equal(o1, o2, 40);
  emu_crypto_free(c);
}

static const struct CMUnitTest emu_tests[] = {
    cmocka_unit_test(test_seed_end_to_end),
    cmocka_unit_test(test_every_behaviour_row_reproduced),
    cmocka_unit_test(test_docs_list_every_row),
    cmocka_unit_test(test_policy_fault_kills_any_key_for_good),
    cmocka_unit_test(test_same_seed_same_everything),
    cmocka_unit_test(test_persistence_across_reopen),
    cmocka_unit_test(test_bad_config_refused),
    cmocka_unit_test(test_passcode_removal_deletes_passcode_set_keys_only),
    cmocka_unit_test(test_lock_reboot_and_classes),
    cmocka_unit_test(test_answers_queue_in_order),
    cmocka_unit_test(test_every_ecdsa_algorithm_signs_and_verifies),
    cmocka_unit_test(test_results_hold_refs_attributes_data_never_secrets),
    cmocka_unit_test(test_sql_matches_reference),
    cmocka_unit_test(test_alloc_faults_fail_cleanly),
    cmocka_unit_test(test_store_fault_rolls_back),
    cmocka_unit_test(test_check_keygen_has_no_side_effects),
    cmocka_unit_test(test_non_permanent_key_signs_but_is_not_stored),
    cmocka_unit_test(test_p256_keys_and_deterministic_signatures),
    cmocka_unit_test(test_gcm_binds_associated_data),
};

SEK_TEST_MAIN(emu_tests)
