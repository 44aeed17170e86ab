/*
 * bench_der: DER <-> raw of the same ECDSA P-256 signatures with libsek (include/sek/der.h) and
 * with OpenSSL 3, measured in the same run.
 *
 *   decode   sek_der_sig_to_raw  vs  d2i_ECDSA_SIG + the P3 strictness checks (whole input
 *            consumed, i2d re-encodes it identically, 1 <= r, s < n) + BN_bn2binpad to r || s,
 *            i.e. sek_verify_ref_der_to_raw: the same job, with the same answer
 *   encode   sek_der_sig_from_raw  vs  BN_bin2bn x2 + ECDSA_SIG_set0 + i2d_ECDSA_SIG,
 *            i.e. sek_verify_ref_raw_to_der: raw64 -> DER, the same job
 *   and, for reference, OpenSSL's bare calls: d2i_ECDSA_SIG + ECDSA_SIG_free (no strictness),
 *   and i2d_ECDSA_SIG of a ready ECDSA_SIG into a buffer.
 *
 * The signatures are made here, deterministically (a fixed-seed generator; no files): like the
 * Wycheproof valid set, mostly 32-byte r and s (70..72-byte encodings) and 1 in 64 with tiny
 * values (8..12 bytes).  Both sides' outputs are compared before anything is timed.
 * Heap allocations per operation are counted twice: OpenSSL's through CRYPTO_set_mem_functions,
 * and every malloc/calloc/realloc of the process (glibc, unsanitized builds) by interposing
 * them; libsek's must be 0 on both counts, and the program fails if not.
 * Times are the best of 7 batches of at least 30 ms, the two sides interleaved; the goals (decode
 * >= 8x, encode >= 20x) are reported, not enforced, since a loaded machine can miss them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/opensslv.h>

#include <sek/der.h>
#include <sek/verify.h>

/* ---- allocation counting ------------------------------------------------------------------ */

static size_t openssl_allocs; /* through OpenSSL's hooks */
static size_t libc_allocs;    /* every malloc/calloc/realloc of the process */

#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && !defined(__clang__)
#define COUNT_LIBC 1
#elif defined(__GLIBC__) && defined(__clang__)
#if !__has_feature(address_sanitizer) && !__has_feature(memory_sanitizer)
#define COUNT_LIBC 1
#endif
#endif

#ifdef COUNT_LIBC
/* glibc's own entry points, which the interposed ones forward to. */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);
void *malloc(size_t n) {
  libc_allocs++;
  return __libc_malloc(n);
}
void *calloc(size_t n, size_t m) {
  libc_allocs++;
  return __libc_calloc(n, m);
}
void *realloc(void *p, size_t n) {
  libc_allocs++;
  return __libc_realloc(p, n);
}
void free(void *p) { __libc_free(p); }
#endif

static void *hook_malloc(size_t n, const char *file, int line) {
  (void)file;
  (void)line;
  openssl_allocs++;
  return malloc(n);
}
static void *hook_realloc(void *p, size_t n, const char *file, int line) {
  (void)file;
  (void)line;
  openssl_allocs++;
  return realloc(p, n);
}
static void hook_free(void *p, const char *file, int line) {
  (void)file;
  (void)line;
  free(p);
}

/* ---- the signature set -------------------------------------------------------------------- */

enum { NUM_SIGS = 1024 };
static uint8_t raws[NUM_SIGS][64];
static uint8_t ders[NUM_SIGS][SEK_DER_SIG_MAX_LEN];
static size_t der_lens[NUM_SIGS];
static ECDSA_SIG *objs[NUM_SIGS]; /* for the bare i2d line */

static uint64_t rng_next(uint64_t *s) { /* splitmix64 */
  uint64_t z = (*s += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

/* A value in [1, n-1]: 32 random bytes, or 1..4 for a tiny one; redrawn until in range. */
static void make_scalar(uint64_t *rs, int tiny, uint8_t v[32]) {
  do {
    memset(v, 0, 32);
    size_t len = tiny ? 1 + rng_next(rs) % 4 : 32;
    for (size_t i = 32 - len; i < 32; i++)
      v[i] = (uint8_t)rng_next(rs);
  } while (sek_der_scalar_check(v) != SEK_OK);
}

static void fail(const char *what, size_t i) {
  fprintf(stderr, "bench_der: %s (signature %zu)\n", what, i);
  exit(1);
}

static void make_set(void) {
  uint64_t rs = 0x5eefde5eefde5eefu;
  for (size_t i = 0; i < NUM_SIGS; i++) {
    int tiny = rng_next(&rs) % 64 == 0;
    make_scalar(&rs, tiny, raws[i]);
    make_scalar(&rs, tiny, raws[i] + 32);
    if (sek_der_sig_from_raw(raws[i], ders[i], sizeof ders[i], &der_lens[i]) != SEK_OK)
      fail("libsek cannot encode", i);
    /* both sides agree before anything is timed */
    uint8_t ref_der[SEK_DER_SIG_MAX_LEN], ref_raw[64], back[64];
    size_t ref_len;
    if (sek_verify_ref_raw_to_der(raws[i], ref_der, sizeof ref_der, &ref_len) != SEK_OK ||
        ref_len != der_lens[i] || memcmp(ref_der, ders[i], ref_len) != 0)
      fail("OpenSSL encodes differently", i);
    if (sek_der_sig_to_raw(ders[i], der_lens[i], back) != SEK_OK || memcmp(back, raws[i], 64))
      fail("libsek does not decode its own encoding", i);
    if (sek_verify_ref_der_to_raw(ders[i], der_lens[i], ref_raw) != SEK_OK ||
        memcmp(ref_raw, raws[i], 64))
      fail("OpenSSL decodes differently", i);
    const unsigned char *p = ders[i];
    if ((objs[i] = d2i_ECDSA_SIG(NULL, &p, (long)der_lens[i])) == NULL)
      fail("d2i_ECDSA_SIG fails", i);
  }
}

/* ---- the operations (one pass over the set each) ------------------------------------------ */

static volatile unsigned sink; /* keeps the work from being optimized away */

/* libsek's and the reference's entry points have the same shapes, so one loop serves both. */
typedef int (*decode_fn)(const uint8_t *der, size_t der_len, uint8_t raw[64]);
typedef int (*encode_fn)(const uint8_t raw[64], uint8_t *out, size_t out_cap, size_t *out_len);

static void decode_pass(decode_fn decode) {
  uint8_t raw[64];
  unsigned acc = 0;
  for (size_t i = 0; i < NUM_SIGS; i++)
    acc += (unsigned)decode(ders[i], der_lens[i], raw) + raw[63];
  sink += acc;
}
static void encode_pass(encode_fn encode) {
  uint8_t der[SEK_DER_SIG_MAX_LEN];
  size_t len = 0;
  unsigned acc = 0;
  for (size_t i = 0; i < NUM_SIGS; i++)
    acc += (unsigned)encode(raws[i], der, sizeof der, &len) + der[len - 1];
  sink += acc;
}
static void bare_d2i_pass(void) {
  unsigned acc = 0;
  for (size_t i = 0; i < NUM_SIGS; i++) {
    const unsigned char *p = ders[i];
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_lens[i]);
    acc += sig != NULL;
    ECDSA_SIG_free(sig);
  }
  sink += acc;
}
static void bare_i2d_pass(void) {
  uint8_t der[SEK_DER_SIG_MAX_LEN];
  unsigned acc = 0;
  for (size_t i = 0; i < NUM_SIGS; i++) {
    unsigned char *p = der;
    acc += (unsigned)i2d_ECDSA_SIG(objs[i], &p);
  }
  sink += acc;
}

/* One operation to measure: exactly one of the three is set. */
typedef struct {
  decode_fn decode;
  encode_fn encode;
  void (*bare)(void);
} op;

static void run_pass(const op *o) {
  if (o->decode != NULL)
    decode_pass(o->decode);
  else if (o->encode != NULL)
    encode_pass(o->encode);
  else
    o->bare();
}

/* ---- measuring ---------------------------------------------------------------------------- */

typedef struct {
  double ns_per_op;
  double openssl_allocs_per_op, libc_allocs_per_op;
} measure;

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* One timed batch of passes, at least 30 ms; returns ns per operation. */
static double time_batch(const op *o) {
  double start = now_ns(), elapsed;
  long passes = 0;
  do {
    run_pass(o);
    passes++;
  } while ((elapsed = now_ns() - start) < 3e7);
  return elapsed / ((double)passes * NUM_SIGS);
}

enum { REPS = 7 };

/*
 * Measures the operations of one group (libsek's, then OpenSSL's) interleaved, REPS batches
 * each, keeping each one's best: on a shared machine a burst of load then hits both sides alike
 * instead of one, and the ratio stays meaningful.
 */
static void run_group(const op ops[], size_t n, measure out[]) {
  for (size_t i = 0; i < n; i++) {
    run_pass(&ops[i]); /* warm caches and OpenSSL's lazy initialisation */
    size_t o0 = openssl_allocs, l0 = libc_allocs;
    run_pass(&ops[i]);
    out[i].openssl_allocs_per_op = (double)(openssl_allocs - o0) / NUM_SIGS;
    out[i].libc_allocs_per_op = (double)(libc_allocs - l0) / NUM_SIGS;
    out[i].ns_per_op = 1e300;
  }
  for (int rep = 0; rep < REPS; rep++)
    for (size_t i = 0; i < n; i++) {
      double ns = time_batch(&ops[i]);
      if (ns < out[i].ns_per_op)
        out[i].ns_per_op = ns;
    }
}

static void row(const char *name, measure ours, measure ref) {
  printf("%-34s %9.1f %9.1f %7.1fx %8.1f %8.1f\n", name, ours.ns_per_op, ref.ns_per_op,
         ref.ns_per_op / ours.ns_per_op, ours.libc_allocs_per_op, ref.openssl_allocs_per_op);
}

static void bare_row(const char *name, measure ours, measure bare) {
  printf("  %-32s %9s %9.1f %7.1fx %8s %8.1f\n", name, "", bare.ns_per_op,
         bare.ns_per_op / ours.ns_per_op, "", bare.openssl_allocs_per_op);
}

int main(void) {
  if (CRYPTO_set_mem_functions(hook_malloc, hook_realloc, hook_free) != 1) {
    fprintf(stderr, "bench_der: CRYPTO_set_mem_functions failed (OpenSSL already allocated)\n");
    return 1;
  }
  make_set();
  size_t total = 0, tiny = 0;
  for (size_t i = 0; i < NUM_SIGS; i++) {
    total += der_lens[i];
    tiny += der_lens[i] < 16;
  }

  static const op decoders[] = {{sek_der_sig_to_raw, NULL, NULL},
                                {sek_verify_ref_der_to_raw, NULL, NULL},
                                {NULL, NULL, bare_d2i_pass}};
  static const op encoders[] = {{NULL, sek_der_sig_from_raw, NULL},
                                {NULL, sek_verify_ref_raw_to_der, NULL},
                                {NULL, NULL, bare_i2d_pass}};
  measure d[3], e[3];
  run_group(decoders, 3, d);
  run_group(encoders, 3, e);
  measure dec = d[0], rdec = d[1], bd2i = d[2], enc = e[0], renc = e[1], bi2d = e[2];

  printf("bench_der: %d signatures (P-256, mean %.1f bytes, %zu tiny), %s, best of %d batches\n",
         NUM_SIGS, (double)total / NUM_SIGS, tiny, OpenSSL_version(OPENSSL_VERSION), REPS);
  printf("%-34s %9s %9s %8s %8s %8s\n", "operation", "libsek", "OpenSSL", "ratio",
         "allocs:", "allocs:");
  printf("%-34s %9s %9s %8s %8s %8s\n", "", "ns/op", "ns/op", "", "libsek", "OpenSSL");
  row("decode DER -> r||s (strict)", dec, rdec);
  bare_row("OpenSSL d2i_ECDSA_SIG + free only", dec, bd2i);
  row("encode r||s -> DER", enc, renc);
  bare_row("OpenSSL i2d_ECDSA_SIG only", enc, bi2d);

#ifdef COUNT_LIBC
  const char *how = "every libc malloc/calloc/realloc of the process";
#else
  const char *how = "OpenSSL's hooks only (libc counting needs glibc without sanitizers)";
#endif
  printf("libsek allocations counted: %s; OpenSSL's: CRYPTO_set_mem_functions\n", how);
#ifdef COUNT_LIBC
  /* the interposed malloc must see OpenSSL's allocations, or its 0 for libsek means nothing */
  if (rdec.libc_allocs_per_op < rdec.openssl_allocs_per_op || rdec.openssl_allocs_per_op == 0) {
    fprintf(stderr, "bench_der: FAIL: the allocation counters do not see OpenSSL's mallocs\n");
    return 1;
  }
#endif
  /* libsek's promise: no heap allocation at all */
  if (dec.libc_allocs_per_op != 0 || enc.libc_allocs_per_op != 0 ||
      dec.openssl_allocs_per_op != 0 || enc.openssl_allocs_per_op != 0) {
    fprintf(stderr, "bench_der: FAIL: libsek allocated (decode %.2f, encode %.2f per op)\n",
            dec.libc_allocs_per_op, enc.libc_allocs_per_op);
    return 1;
  }
  double rd = rdec.ns_per_op / dec.ns_per_op, re = renc.ns_per_op / enc.ns_per_op;
  printf("goal decode >= 8x: %s (%.1fx); goal encode >= 20x: %s (%.1fx)\n",
         rd >= 8 ? "met" : "NOT met", rd, re >= 20 ? "met" : "NOT met", re);
  for (size_t i = 0; i < NUM_SIGS; i++)
    ECDSA_SIG_free(objs[i]);
  return 0;
}
