/*
 * fuzz_der: sek_der_sig_to_raw_at / sek_der_sig_to_raw / sek_der_sig_from_raw
 * (include/sek/der.h), the strict ECDSA P-256 DER codec.
 *
 * The whole input is a candidate DER signature; when it is 64 bytes or more, its first 64 bytes
 * are also a candidate raw r || s.  Invariants (ecdsa-der.md properties P1, P2, P5, P6), abort()
 * on any violation:
 *  P1  accept  =>  from_raw(to_raw(x)) == x, byte for byte (DER is unique), and every strict
 *      prefix of x is refused as truncated (or empty), where it ends.
 *  P2  raw with r, s in [1, n-1]  =>  to_raw(from_raw(raw)) == raw, the encoding is 8..72 bytes,
 *      deterministic, and a buffer one byte short is refused, not overrun.
 *  P5  raw r or s outside [1, n-1]  =>  from_raw fails with the status naming the first bad one.
 *  P6  no heap allocation (counted through the sanitizer allocator hooks when present); a
 *      rejection names a DER status and an offset, and the byte at that offset is one the
 *      named rule is about (the table below); outputs are untouched on failure; to_raw and
 *      to_raw_at agree.
 * Deterministic, no disk, no state between inputs other than the (thread-local) allocation
 * counter.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sek/der.h>

/* ASan/LSan call these on every malloc/free when they are installed (sanitizer interface). */
__attribute__((weak)) int
__sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
                                          void (*free_hook)(const volatile void *));

/*
 * Only the fuzzing thread's allocations, and only while it runs the codec, count: libFuzzer
 * may allocate on its own threads (fork-mode job control, the rss thread) at any moment, and
 * two campaigns recorded a P6 abort on fuzz_der that no rerun reproduced.  The hook runs on
 * the allocating thread, so a thread-local flag tells the codec's allocations from the rest.
 */
static _Thread_local bool armed;
static _Thread_local size_t allocations;
static void count_malloc(const volatile void *p, size_t n) {
  (void)p;
  (void)n;
  if (armed)
    allocations++;
}
static void count_free(const volatile void *p) { (void)p; }

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  if (__sanitizer_install_malloc_and_free_hooks != NULL)
    __sanitizer_install_malloc_and_free_hooks(count_malloc, count_free);
  return 0;
}

/*
 * What the byte at the reported offset must look like for each status (der.h documents the
 * offsets); only three statuses may point at the end of the input, where there is no byte.
 */
static int byte_fits(int st, const uint8_t *d, size_t size, size_t off) {
  if (off > size)
    return 0;
  if (off == size)
    return st == SEK_DER_ERR_EMPTY || st == SEK_DER_ERR_TRUNCATED || st == SEK_DER_ERR_MISSING_INT;
  uint8_t b = d[off];
  switch (st) {
  case SEK_DER_ERR_SEQ_TAG: return off == 0 && b != 0x30;
  case SEK_DER_ERR_LEN_INDEFINITE: return b == 0x80;
  case SEK_DER_ERR_LEN_RESERVED: return b == 0xff;
  case SEK_DER_ERR_LEN_NONMINIMAL:
  case SEK_DER_ERR_LEN_TOO_LARGE: return b > 0x80 && b < 0xff;
  case SEK_DER_ERR_INT_TAG: return b != 0x02;
  case SEK_DER_ERR_INT_EMPTY: return b == 0x00 && off > 0 && d[off - 1] == 0x02;
  case SEK_DER_ERR_INT_NEGATIVE: return (b & 0x80) != 0;
  case SEK_DER_ERR_INT_NONMINIMAL: return b == 0x00 && off + 1 < size && !(d[off + 1] & 0x80);
  case SEK_DER_ERR_R_ZERO:
  case SEK_DER_ERR_S_ZERO: return b == 0x00;
  case SEK_DER_ERR_INT_TOO_LARGE:
  case SEK_DER_ERR_R_RANGE:
  case SEK_DER_ERR_S_RANGE:
  case SEK_DER_ERR_TRUNCATED:
  case SEK_DER_ERR_MISSING_INT:
  case SEK_DER_ERR_EXTRA_IN_SEQ:
  case SEK_DER_ERR_TRAILING: return 1; /* any byte */
  default: return 0;                   /* not a status the parser may return */
  }
}

static void check_der(const uint8_t *data, size_t size) {
  uint8_t raw[64], raw2[64], der[SEK_DER_SIG_MAX_LEN];
  size_t der_len = 0, off = (size_t)-1;
  memset(raw, 0xa5, sizeof raw);
  memset(raw2, 0xa5, sizeof raw2);
  int st = sek_der_sig_to_raw_at(data, size, raw, &off);
  if (sek_der_sig_to_raw(data, size, raw2) != st || memcmp(raw, raw2, 64) != 0)
    abort(); /* P6: the two entry points agree */
  if (st != SEK_OK) {
    if (!byte_fits(st, data, size, off))
      abort(); /* P6: a rule and a place that fit */
    for (size_t i = 0; i < 64; i++)
      if (raw[i] != 0xa5)
        abort(); /* P6: raw untouched on failure */
    return;
  }
  /* P1 */
  if (off != size || sek_der_sig_from_raw(raw, der, sizeof der, &der_len) != SEK_OK ||
      der_len != size || memcmp(der, data, size) != 0)
    abort();
  for (size_t k = 0; k < size; k++) {
    int pst = sek_der_sig_to_raw_at(data, k, raw2, &off);
    if (pst != (k == 0 ? SEK_DER_ERR_EMPTY : SEK_DER_ERR_TRUNCATED) || off != k)
      abort();
  }
}

static void check_raw(const uint8_t raw[64]) {
  uint8_t der[SEK_DER_SIG_MAX_LEN], der2[SEK_DER_SIG_MAX_LEN], back[64];
  size_t der_len = 0, der2_len = 0;
  int want_r = sek_der_scalar_check(raw), want_s = sek_der_scalar_check(raw + 32);
  memset(der, 0xa5, sizeof der);
  int st = sek_der_sig_from_raw(raw, der, sizeof der, &der_len);
  if (want_r == SEK_OK && want_s == SEK_OK) {
    /* P2 */
    if (st != SEK_OK || der_len < SEK_DER_SIG_MIN_LEN || der_len > SEK_DER_SIG_MAX_LEN)
      abort();
    if (sek_der_sig_to_raw(der, der_len, back) != SEK_OK || memcmp(back, raw, 64) != 0)
      abort();
    if (sek_der_sig_from_raw(raw, der2, sizeof der2, &der2_len) != SEK_OK || der2_len != der_len ||
        memcmp(der2, der, der_len) != 0)
      abort();
    memset(der2, 0xa5, sizeof der2);
    if (sek_der_sig_from_raw(raw, der2, der_len - 1, &der2_len) != SEK_DER_ERR_BUFFER ||
        der2[0] != 0xa5)
      abort();
    return;
  }
  /* P5: the first bad value is the one named, and nothing is written */
  int want = want_r != SEK_OK               ? want_r
             : want_s == SEK_DER_ERR_R_ZERO ? SEK_DER_ERR_S_ZERO
                                            : SEK_DER_ERR_S_RANGE;
  if (st != want || der[0] != 0xa5 || der_len != 0)
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t before = allocations;
  armed = true;
  check_der(data, size);
  if (size >= 64)
    check_raw(data);
  armed = false;
  if (allocations != before) { /* P6: the codec promises zero heap allocations */
    fprintf(stderr, "fuzz_der: P6: %zu heap allocation(s) during one input\n",
            allocations - before);
    abort();
  }
  return 0;
}
