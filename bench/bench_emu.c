/*
 * bench_emu: the emulated Secure Enclave (include/sek/emu.h) against references measured in the
 * same run.
 *
 *   lookup   sek_backend_copy_matching by kSecAttrApplicationLabel (kSecReturnRef) in keychains
 *            of 1,000 and 100,000 keys: the ratio shows the growth (goal <= 2x: the klbl index
 *            is used; a scan would be ~100x)
 *   sign     sek_backend_create_signature (ecdsaSignatureDigestX962SHA256 of a 32-byte digest,
 *            a key whose access control needs no prompt) against a bare OpenSSL 3 P-256 sign
 *            (EVP_PKEY_sign) of the same digest: the emulator's overhead — policy checks, the
 *            unwrap, RFC 6979, DER — over the curve arithmetic (goal <= 30%)
 *
 * The keychains are built fast: one real key, then rows sharing its scalar, each with its own
 * label and encrypted row, in one transaction (emu_testing_fill).  Outputs are checked before
 * anything is timed (the found key is the one asked for; both signatures verify).  Times are the
 * best of 7 batches of at least 30 ms, the two sides interleaved; goals are reported, not
 * enforced, since a loaded machine can miss them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/ec.h>
#include <openssl/evp.h>

#include <sek/emu.h>
#include <sek/verify.h>

#include "../src/backend/emulated/emu_internal.h"

#define BATCHES 7
#define MIN_BATCH_NS 30000000.0
#define QUERIES 256

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void die(const char *what) {
  fprintf(stderr, "bench_emu: %s\n", what);
  exit(1);
}

typedef struct {
  sek_emu *emu;
  sek_attrs *queries[QUERIES];
  size_t n;
  double best;
} lookup_side;

static sek_attrs *label_query(size_t i) {
  char label[32];
  int len = snprintf(label, sizeof label, "k%zu", i);
  sek_attrs *q = sek_attrs_new();
  if (q == NULL || sek_attrs_set_constant(q, "class", "keys") != SEK_OK ||
      sek_attrs_set_data(q, "klbl", (const uint8_t *)label, (size_t)len) != SEK_OK ||
      sek_attrs_set_bool(q, "r_Ref", true) != SEK_OK)
    die("out of memory");
  return q;
}

static void lookup_setup(lookup_side *s, size_t n) {
  sek_emu_config cfg;
  sek_emu_config_default(&cfg);
  cfg.seed = n;
  char why[256];
  if (sek_emu_new(&cfg, &s->emu, why, sizeof why) != SEK_OK)
    die(why);
  double t0 = now_ns();
  if (emu_testing_fill(s->emu, n, "k") != SEK_OK)
    die("cannot fill the keychain");
  printf("  built a keychain of %zu keys in %.2f s\n", n, (now_ns() - t0) / 1e9);
  s->n = n;
  s->best = 1e300;
  uint64_t x = 7;
  for (size_t i = 0; i < QUERIES; i++) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    s->queries[i] = label_query((size_t)(x >> 33) % n);
  }
  /* check: each query finds exactly one key, and it carries the label asked for */
  for (size_t i = 0; i < QUERIES; i++) {
    sek_items *items = NULL;
    if (sek_backend_copy_matching(sek_emu_backend(s->emu), s->queries[i], &items, NULL) != SEK_OK ||
        sek_items_count(items) != 1 || sek_items_key(items, 0) == NULL)
      die("a lookup does not find its key");
    sek_items_free(items);
  }
}

static double lookup_batch(lookup_side *s) {
  size_t ops = 0;
  double t0 = now_ns(), t;
  do {
    for (size_t i = 0; i < QUERIES; i++, ops++) {
      sek_items *items = NULL;
      if (sek_backend_copy_matching(sek_emu_backend(s->emu), s->queries[i], &items, NULL) != SEK_OK)
        die("lookup failed");
      sek_items_free(items);
    }
    t = now_ns() - t0;
  } while (t < MIN_BATCH_NS);
  return t / (double)ops;
}

static void lookup_teardown(lookup_side *s) {
  for (size_t i = 0; i < QUERIES; i++)
    sek_attrs_free(s->queries[i]);
  sek_emu_free(s->emu);
}

/* ---- sign ---------------------------------------------------------------------------------- */

static const char *const alg = "algid:sign:ECDSA:digest-X962:SHA256";

typedef struct {
  sek_emu *emu;
  sek_key *key;
  uint8_t pub[65];
  EVP_PKEY *ossl;
  EVP_PKEY_CTX *ctx;
  uint8_t digest[32];
} sign_sides;

static void sign_setup(sign_sides *s) {
  sek_emu_config cfg;
  sek_emu_config_default(&cfg);
  cfg.seed = 3;
  char why[256];
  if (sek_emu_new(&cfg, &s->emu, why, sizeof why) != SEK_OK)
    die(why);
  sek_attrs *p = sek_attrs_new(), *priv = sek_attrs_new();
  if (p == NULL || priv == NULL)
    die("out of memory");
  sek_attrs_set_constant(p, "tkid", "com.apple.setoken");
  sek_attrs_set_constant(p, "type", "73");
  sek_attrs_set_number(p, "bsiz", 256);
  sek_attrs_set_access_control(priv, "accc", "aku", SEK_AC_PRIVATE_KEY_USAGE);
  sek_attrs_set_dict(p, "private", priv);
  if (sek_backend_create_random_key(sek_emu_backend(s->emu), p, &s->key, NULL) != SEK_OK ||
      sek_backend_copy_public_key(sek_emu_backend(s->emu), s->key, s->pub, NULL) != SEK_OK)
    die("cannot create the emulated key");
  sek_attrs_free(p);
  unsigned n = 0;
  if (!EVP_Digest("bench", 5, s->digest, &n, EVP_sha256(), NULL))
    die("SHA-256 failed");
  s->ossl = EVP_EC_gen("P-256");
  s->ctx = s->ossl != NULL ? EVP_PKEY_CTX_new(s->ossl, NULL) : NULL;
  if (s->ctx == NULL || EVP_PKEY_sign_init(s->ctx) != 1)
    die("cannot make an OpenSSL P-256 key");
  /* check: the emulator's signature verifies (OpenSSL), and so does OpenSSL's own */
  uint8_t sig[SEK_SIG_MAX_LEN];
  size_t len = 0;
  if (sek_backend_create_signature(sek_emu_backend(s->emu), s->key, alg, s->digest, 32, sig,
                                   sizeof sig, &len, NULL) != SEK_OK ||
      sek_verify_digest(SEK_VERIFY_HASH_SHA256, s->pub, 65, s->digest, 32, sig, len, SEK_SIG_DER) !=
          SEK_OK)
    die("the emulated signature does not verify");
  len = sizeof sig;
  if (EVP_PKEY_sign(s->ctx, sig, &len, s->digest, 32) != 1)
    die("OpenSSL cannot sign");
  EVP_PKEY_CTX *v = EVP_PKEY_CTX_new(s->ossl, NULL);
  if (v == NULL || EVP_PKEY_verify_init(v) != 1 || EVP_PKEY_verify(v, sig, len, s->digest, 32) != 1)
    die("the OpenSSL signature does not verify");
  EVP_PKEY_CTX_free(v);
}

static double emu_sign_batch(sign_sides *s) {
  size_t ops = 0;
  double t0 = now_ns(), t;
  uint8_t sig[SEK_SIG_MAX_LEN];
  size_t len;
  do {
    for (int i = 0; i < 64; i++, ops++)
      if (sek_backend_create_signature(sek_emu_backend(s->emu), s->key, alg, s->digest, 32, sig,
                                       sizeof sig, &len, NULL) != SEK_OK)
        die("emulated sign failed");
    t = now_ns() - t0;
  } while (t < MIN_BATCH_NS);
  return t / (double)ops;
}

static double openssl_sign_batch(sign_sides *s) {
  size_t ops = 0;
  double t0 = now_ns(), t;
  uint8_t sig[SEK_SIG_MAX_LEN];
  do {
    for (int i = 0; i < 64; i++, ops++) {
      size_t len = sizeof sig;
      if (EVP_PKEY_sign(s->ctx, sig, &len, s->digest, 32) != 1)
        die("OpenSSL sign failed");
    }
    t = now_ns() - t0;
  } while (t < MIN_BATCH_NS);
  return t / (double)ops;
}

static void sign_teardown(sign_sides *s) {
  sek_key_free(s->key);
  sek_emu_free(s->emu);
  EVP_PKEY_CTX_free(s->ctx);
  EVP_PKEY_free(s->ossl);
}

static double min_d(double a, double b) { return a < b ? a : b; }

int main(void) {
  printf("bench_emu: best of %d batches of >= %.0f ms, sides interleaved\n", BATCHES,
         MIN_BATCH_NS / 1e6);
  lookup_side small, large;
  lookup_setup(&small, 1000);
  lookup_setup(&large, 100000);
  for (int b = 0; b < BATCHES; b++) {
    small.best = min_d(small.best, lookup_batch(&small));
    large.best = min_d(large.best, lookup_batch(&large));
  }
  double ratio = large.best / small.best;
  printf("lookup by application label:\n");
  printf("  %7zu keys  %8.2f us/lookup\n", small.n, small.best / 1e3);
  printf("  %7zu keys  %8.2f us/lookup\n", large.n, large.best / 1e3);
  printf("  ratio 100k/1k  %.2fx  (goal <= 2x: %s)\n", ratio, ratio <= 2.0 ? "met" : "MISSED");
  lookup_teardown(&small);
  lookup_teardown(&large);

  sign_sides s;
  sign_setup(&s);
  double emu_best = 1e300, ossl_best = 1e300;
  for (int b = 0; b < BATCHES; b++) {
    emu_best = min_d(emu_best, emu_sign_batch(&s));
    ossl_best = min_d(ossl_best, openssl_sign_batch(&s));
  }
  double overhead = emu_best / ossl_best - 1.0;
  printf("sign a SHA-256 digest, P-256:\n");
  printf("  emulated (sek_backend_create_signature)  %8.2f us/sign\n", emu_best / 1e3);
  printf("  OpenSSL  (EVP_PKEY_sign)                 %8.2f us/sign\n", ossl_best / 1e3);
  printf("  overhead %+.1f%%  (goal <= 30%%: %s)\n", overhead * 100.0,
         overhead <= 0.30 ? "met" : "MISSED");
  sign_teardown(&s);
  return 0;
}
