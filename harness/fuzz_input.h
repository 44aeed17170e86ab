/*
 * fuzz_input.h: turns fuzz bytes into structured values, the C counterpart of LLVM's
 * FuzzedDataProvider, shared by every target.
 *
 * Integers, booleans and choices are taken from the END of the input, byte strings from the
 * FRONT, as FuzzedDataProvider does: a mutation in the data then rarely changes the structure
 * and the other way round.  Every call is total: when the input runs out, numbers read as 0
 * and byte strings come back short or empty, so a target never has to check.  Nothing here
 * allocates except sek_fi_cstr, whose result the caller frees.
 */
#ifndef SEK_FUZZ_INPUT_H
#define SEK_FUZZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
  const uint8_t *data;
  size_t len;
} sek_fi;

static inline sek_fi sek_fi_make(const uint8_t *data, size_t len) {
  sek_fi fi = {data, len};
  return fi;
}

size_t sek_fi_remaining(const sek_fi *fi);
uint8_t sek_fi_u8(sek_fi *fi);
uint16_t sek_fi_u16(sek_fi *fi);
uint32_t sek_fi_u32(sek_fi *fi);
uint64_t sek_fi_u64(sek_fi *fi);
bool sek_fi_bool(sek_fi *fi);
/* A value in [lo, hi] (inclusive), using only as many bytes as the range needs. */
uint64_t sek_fi_range(sek_fi *fi, uint64_t lo, uint64_t hi);
/* An index into a table of n entries (n > 0), i.e. sek_fi_range(fi, 0, n - 1). */
size_t sek_fi_pick(sek_fi *fi, size_t n);
/* Up to n bytes from the front; *got says how many.  Returns a view into the input. */
const uint8_t *sek_fi_bytes(sek_fi *fi, size_t n, size_t *got);
/* Everything that is left, as a view; the input is then empty. */
const uint8_t *sek_fi_rest(sek_fi *fi, size_t *got);
/*
 * A newly allocated NUL-terminated string of at most max_len bytes from the front, ending
 * early at a backslash not followed by another one (FuzzedDataProvider's random-length rule).
 * Returns NULL only when malloc fails.  Free with free().
 */
char *sek_fi_cstr(sek_fi *fi, size_t max_len);

#endif /* SEK_FUZZ_INPUT_H */
