/*
 * planted.c: a fuzz target with planted bugs, for the triage tests only (never in libsek, never
 * in targets/).  Built with the replay driver in the dev tree (ASan+UBSan) and, when clang is
 * there, with libFuzzer for the minimizer.
 *
 * Input: text.  Optional leading '(' characters nest the call through route() once per '('
 * (recursion: the same bug at different depths must land in one bucket), then one selector
 * character, then the bytes the bug reads.  Selectors:
 *
 *   R  heap-buffer-overflow READ     planted_checksum     (library, via planted_parse_record)
 *   C  the same bug as R             planted_checksum     (via check_record, a target helper:
 *                                                           the second frame differs)
 *   W  heap-buffer-overflow WRITE    planted_copy_name    (library; memcpy or a byte loop; the
 *                                                           memcpy also READs past its source)
 *   U  heap-use-after-free READ      planted_session      (library)
 *   N  null dereference              planted_lookup_value (library)
 *   S  signed integer overflow       planted_scale        (library; UBSan)
 *   H  invalid shift                 planted_mask         (library; UBSan)
 *   L  memory leak                   planted_intern       (library)
 *   T  timeout                       planted_spin         (library)
 *   O  stack overflow                planted_parse_item   (library; mutual recursion)
 *   F  flaky double free             planted_flaky        (library; every second run)
 *   G  global-buffer-overflow READ   describe/name_at     (this file: a target's own helper,
 *                                                           with an always-inline frame)
 *   A, B  two different oracle aborts directly in LLVMFuzzerTestOneInput
 *   K1, K2  two more oracles, both through the helper oracle_failed()
 *
 * Anything else returns quietly, so "no crash" inputs exist too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "planted_lib.h"

static const char name_blob[] = "alpha\0beta\0gamma\0";

/* Always inlined, so the symbolizer must report it as an inline frame of describe(). */
static inline __attribute__((always_inline)) char name_at(size_t offset) {
  const char *p = name_blob;
  return p[offset]; /* BUG: offset comes from the input, unchecked */
}

static int describe(const uint8_t *data, size_t len) {
  size_t offset = 0;
  for (size_t i = 0; i < len && i < 4; i++)
    offset = offset * 10 + (data[i] >= '0' && data[i] <= '9' ? (size_t)(data[i] - '0') : 0);
  return name_at(offset);
}

static int check_record(const uint8_t *data, size_t len) {
  /* A target's own helper that reaches the library's bug on another path. */
  return len > 1 ? (int)planted_checksum(data, len) : 0;
}

/* One helper for every oracle: the abort() line is the same, its callers' lines are not. */
static void oracle_failed(const char *property) {
  (void)property;
  abort();
}

static int route(const uint8_t *data, size_t len) {
  if (len > 0 && data[0] == '(')
    return route(data + 1, len - 1) + 1;
  if (len == 0)
    return 0;
  const uint8_t *rest = data + 1;
  size_t rest_len = len - 1;
  switch (data[0]) {
  case 'R':
    return (int)planted_parse_record(rest, rest_len);
  case 'C':
    return check_record(rest, rest_len);
  case 'W':
    planted_copy_name(rest, rest_len);
    return 0;
  case 'U':
    return planted_session(rest, rest_len);
  case 'N':
    return planted_lookup_value(rest, rest_len);
  case 'S':
    return planted_scale(rest, rest_len);
  case 'H':
    return (int)planted_mask(rest, rest_len);
  case 'L':
    return (int)planted_intern(rest, rest_len);
  case 'T':
    return (int)planted_spin(rest, rest_len);
  case 'O':
    return planted_parse_item(rest, rest_len);
  case 'F':
    planted_flaky(rest, rest_len);
    return 0;
  case 'G':
    return describe(rest, rest_len);
  default:
    return 0;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size >= 2 && data[0] == 'A' && data[1] >= '0' && data[1] <= '9')
    abort(); /* oracle 1: "a digit after A never happens" */
  volatile int routed = route(data, size);
  (void)routed;
  if (size >= 2 && data[0] == 'B' && memchr(data + 1, 'b', size - 1) != NULL)
    abort(); /* oracle 2: a different property, a different bug */
  if (size >= 2 && data[0] == 'K' && data[1] == '1')
    oracle_failed("K1: property one");
  if (size >= 2 && data[0] == 'K' && data[1] == '2')
    oracle_failed("K2: property two");
  return 0;
}
