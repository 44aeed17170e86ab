/*
 * bench_error: decode throughput of sek_decode (include/sek/error.h).
 *
 *   bench_error [seconds-per-case]      (default 0.5)
 *
 * Cases: the seed's NSError description (errors per second; goal >= 1,000,000 on one core), the
 * same with the full parse of every field and the classification that sek_decode always does,
 * generated log excerpts of 256 KiB, 1 MiB and 4 MiB (MB/s must stay flat: linear growth), and
 * adversarial texts built to make a careless decoder quadratic.  Every case prints its ratio to
 * a reference measured in the same run over the same bytes: a memchr + memmem scan for the
 * "Error Domain=" anchor, the brute-force floor of any decoder that must look at every byte.
 * Times are this thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so other load on a shared machine
 * does not count against the decoder.
 */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sek/error.h>

static const char SEED[] =
    "Error Domain=CryptoTokenKit Code=-3 \"<sepk:p256 kid=1214c04d05261ee3>: unable to sign "
    "digest\" UserInfo={NSDebugDescription=<sepk:p256 kid=1214c04d05261ee3>: unable to sign "
    "digest, AKSError=-536362999}";

/* CPU time of this thread: the machine is shared, and "per core" is what the goal is about. */
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static volatile size_t sink;

/* The floor: find every anchor and every line end, touching each byte once. */
static void reference_scan(const char *t, size_t n) {
  size_t found = 0;
  const char *p = t, *end = t + n;
  while (p < end) {
    const char *q = memmem(p, (size_t)(end - p), "Error Domain=", 13);
    if (q == NULL)
      break;
    found++;
    p = q + 13;
  }
  for (p = t; p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
    found++;
  sink += found;
}

static size_t decode_once(const char *t, size_t n) {
  sek_decode_result *r = NULL;
  if (sek_decode(t, n, &r) != SEK_OK) {
    fprintf(stderr, "bench_error: sek_decode failed\n");
    exit(1);
  }
  size_t k = sek_decode_count(r);
  sink += k;
  sek_decode_result_free(r);
  return k;
}

/* Runs fn over the text for about `secs` seconds; returns seconds per run. */
static double per_run(void (*fn)(const char *, size_t), const char *t, size_t n, double secs) {
  size_t runs = 0, batch = 1;
  double start = now(), el;
  do {
    for (size_t i = 0; i < batch; i++)
      fn(t, n);
    runs += batch;
    if (batch < (1u << 20))
      batch *= 2;
    el = now() - start;
  } while (el < secs);
  return el / (double)runs;
}

static void decode_fn(const char *t, size_t n) { (void)decode_once(t, n); }

static void report(const char *name, const char *t, size_t n, double secs) {
  size_t errors = decode_once(t, n);
  double d = per_run(decode_fn, t, n, secs);
  double ref = per_run(reference_scan, t, n, secs / 4);
  printf("%-34s %9zu B %6zu err  %12.0f err/s  %9.1f MB/s  ref %9.1f MB/s  ratio %6.1fx\n", name, n,
         errors, (double)errors / d, (double)n / d / 1e6, (double)n / ref / 1e6, d / ref);
}

/* A log excerpt of about `size` bytes: noise lines with an error line every few lines, in the
 * forms people paste (deterministic). */
static char *make_log(size_t size, size_t *out_len) {
  static const char *const noise[] = {
      "2024-03-01 10:22:13.456789+0100 0x1a2b     Default     0x0   123    0    MyApp: "
      "[com.example.app:net] request finished in 123 ms, status 200\n",
      "2024-03-01 10:22:13.501002+0100 0x1a2b     Info        0x0   123    0    MyApp: "
      "(CoreFoundation) scene did become active, offset -1, retry 3\n",
      "May  1 10:22:13 iPhone SpringBoard[55] <Notice>: bundle com.example.app entered "
      "foreground at 14.4.2\n",
  };
  static const char *const errors[] = {
      "2024-03-01 10:22:14.000000+0100 0x1a2b     Error       0x0   123    0    MyApp: sign "
      "failed: Error Domain=CryptoTokenKit Code=-3 \"<sepk:p256 kid=1214c04d05261ee3>: unable "
      "to sign digest\" UserInfo={NSDebugDescription=<sepk:p256 kid=1214c04d05261ee3>: unable to "
      "sign digest, AKSError=-536362999}\n",
      "2024-03-01 10:22:15.000000+0100 0x1a2b     Error       0x0   123    0    MyApp: "
      "SecItemCopyMatching failed: OSStatus error -25308\n",
      "2024-03-01 10:22:16.000000+0100 0x1a2b     Error       0x0   123    0    MyApp: Error "
      "Domain=NSOSStatusErrorDomain Code=-128 \"(null)\" UserInfo={NSUnderlyingError=0x283b3c0c0 "
      "{Error Domain=com.apple.LocalAuthentication Code=-2 \"Canceled by user.\" "
      "UserInfo={NSLocalizedDescription=Canceled by user.}}}\n",
      "2024-03-01 10:22:17.000000+0100 0x1a2b     Error       0x0   123    0    MyApp: "
      "PlatformException(-25293, Key generation failed, error -25293, null, null)\n",
  };
  char *buf = malloc(size + 1024);
  if (buf == NULL)
    exit(1);
  size_t len = 0, i = 0;
  while (len < size) {
    const char *line = (i % 4 == 3) ? errors[(i / 4) % 4] : noise[i % 3];
    size_t l = strlen(line);
    memcpy(buf + len, line, l);
    len += l;
    i++;
  }
  buf[len] = '\0';
  *out_len = len;
  return buf;
}

/* Texts built against quadratic paths: each repeats a pattern that a naive decoder would
 * rescan from every occurrence. */
static char *make_repeat(const char *head, const char *unit, const char *tail, size_t size,
                         size_t *out_len) {
  size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
  char *buf = malloc(size + hl + tl + ul + 1);
  if (buf == NULL)
    exit(1);
  size_t len = hl;
  memcpy(buf, head, hl);
  while (len < size) {
    memcpy(buf + len, unit, ul);
    len += ul;
  }
  memcpy(buf + len, tail, tl);
  len += tl;
  buf[len] = '\0';
  *out_len = len;
  return buf;
}

int main(int argc, char **argv) {
  double secs = argc > 1 ? atof(argv[1]) : 0.5;
  if (secs <= 0)
    secs = 0.5;
  printf("bench_error: sek_decode throughput; ratio = decode time / reference scan time\n");
  report("seed NSError description", SEED, sizeof SEED - 1, secs);

  size_t sizes[] = {256u << 10, 1u << 20, 4u << 20};
  double mbs[3];
  for (int k = 0; k < 3; k++) {
    size_t n;
    char *log = make_log(sizes[k], &n);
    char name[64];
    snprintf(name, sizeof name, "log excerpt %zu KiB", sizes[k] >> 10);
    double d = per_run(decode_fn, log, n, secs);
    mbs[k] = (double)n / d / 1e6;
    report(name, log, n, secs);
    free(log);
  }
  printf("linearity: MB/s at 4 MiB / MB/s at 256 KiB = %.2f (1.00 = linear)\n", mbs[2] / mbs[0]);

  static const struct {
    const char *name, *head, *unit, *tail;
  } adversarial[] = {
      {"adversarial: open braces", "Error Domain=A Code=1 \"x\" UserInfo={k=", "{", "}"},
      {"adversarial: \", a\" in a value", "Error Domain=A Code=1 \"x\" UserInfo={k=", ", a", "}"},
      {"adversarial: repeated anchors", "", "Error Domain=", ""},
      {"adversarial: quotes", "Error Domain=A Code=1 \"", "\"x", ""},
      {"adversarial: nested prefixes", "Error Domain=A Code=1 \"x\" UserInfo={",
       "k=0x1 {Error Domain=B Code=2 \"y\" UserInfo={", "}"},
      {"adversarial: minus signs", "", "-1 -", ""},
      {"adversarial: one long word", "", "errSecX", ""},
  };
  for (size_t k = 0; k < sizeof adversarial / sizeof adversarial[0]; k++) {
    size_t n;
    char *t =
        make_repeat(adversarial[k].head, adversarial[k].unit, adversarial[k].tail, 1u << 20, &n);
    report(adversarial[k].name, t, n, secs / 2);
    free(t);
  }
  return 0;
}
