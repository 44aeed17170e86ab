/*
 * fuzz_der: sek_der_sig_to_raw / sek_der_sig_from_raw (include/sek/der.h).
 *
 * Invariants (ecdsa-der reference, properties P1, P2, P5, P6), abort() on any violation:
 *  P1  accept  =>  from_raw(to_raw(x)) == x, byte for byte (DER is unique).
 *  P2  for the first 64 bytes read as raw r || s with r, s in [1, n-1]:
 *      to_raw(from_raw(raw)) == raw, the encoding is 8..72 bytes and deterministic.
 *  P5  raw r or s outside [1, n-1]  =>  from_raw fails with the range status naming it.
 *  P6  neither call allocates (counted through the sanitizer allocator hooks when present),
 *      a rejection names a DER status and an offset inside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sek/der.h>

/* ASan/LSan call these on every malloc/free when they are installed (sanitizer interface). */
__attribute__((weak)) int __sanitizer_install_malloc_and_free_hooks(
    void (*malloc_hook)(const volatile void *, size_t), void (*free_hook)(const volatile void *));

static volatile size_t allocations;
static void count_malloc(const volatile void *p, size_t n) {
  (void)p;
  (void)n;
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

static int is_der_status(int st) { return st <= SEK_DER_ERR_EMPTY && st >= SEK_DER_ERR_BUFFER; }

static int in_range(const uint8_t v[32]) { return sek_der_scalar_check(v) == SEK_OK; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t raw[64], der[SEK_DER_SIG_MAX_LEN], der2[SEK_DER_SIG_MAX_LEN], back[64];
  size_t der_len = 0, der2_len = 0, off = (size_t)-1;

  size_t before = allocations;
  int st = sek_der_sig_to_raw_at(data, size, raw, &off);
  if (st == SEK_OK) {
    /* P1 */
    if (off != size)
      abort();
    if (sek_der_sig_from_raw(raw, der, sizeof der, &der_len) != SEK_OK)
      abort();
    if (der_len != size || memcmp(der, data, size) != 0)
      abort();
  } else if (!is_der_status(st) || off > size) {
    abort(); /* P6: every rejection names a rule and a place */
  }

  if (size >= 64) {
    memcpy(raw, data, 64);
    st = sek_der_sig_from_raw(raw, der, sizeof der, &der_len);
    if (in_range(raw) && in_range(raw + 32)) {
      /* P2 */
      if (st != SEK_OK || der_len < SEK_DER_SIG_MIN_LEN || der_len > SEK_DER_SIG_MAX_LEN)
        abort();
      if (sek_der_sig_to_raw(der, der_len, back) != SEK_OK || memcmp(back, raw, 64) != 0)
        abort();
      if (sek_der_sig_from_raw(raw, der2, sizeof der2, &der2_len) != SEK_OK ||
          der2_len != der_len || memcmp(der2, der, der_len) != 0)
        abort();
      /* A buffer one byte short must be refused, not overrun. */
      if (sek_der_sig_from_raw(raw, der2, der_len - 1, &der2_len) != SEK_DER_ERR_BUFFER)
        abort();
    } else {
      /* P5: the first bad value is the one named */
      int want_r = sek_der_scalar_check(raw);
      int want = want_r != SEK_OK ? want_r
                 : sek_der_scalar_check(raw + 32) == SEK_DER_ERR_R_ZERO ? SEK_DER_ERR_S_ZERO
                                                                         : SEK_DER_ERR_S_RANGE;
      if (st != want)
        abort();
    }
  }
  if (allocations != before)
    abort(); /* P6: the codec promises zero heap allocations */
  return 0;
}
