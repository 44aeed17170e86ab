/* fuzz_input.c: see fuzz_input.h. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"

size_t sek_fi_remaining(const sek_fi *fi) { return fi->len; }

/* Takes n bytes (n <= 8) from the end, most significant first; missing bytes read as 0. */
static uint64_t take_back(sek_fi *fi, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n && fi->len > 0; i++) {
    v = (v << 8) | fi->data[fi->len - 1];
    fi->len--;
  }
  return v;
}

uint8_t sek_fi_u8(sek_fi *fi) { return (uint8_t)take_back(fi, 1); }
uint16_t sek_fi_u16(sek_fi *fi) { return (uint16_t)take_back(fi, 2); }
uint32_t sek_fi_u32(sek_fi *fi) { return (uint32_t)take_back(fi, 4); }
uint64_t sek_fi_u64(sek_fi *fi) { return take_back(fi, 8); }
bool sek_fi_bool(sek_fi *fi) { return (take_back(fi, 1) & 1) != 0; }

uint64_t sek_fi_range(sek_fi *fi, uint64_t lo, uint64_t hi) {
  if (lo >= hi)
    return lo;
  uint64_t span = hi - lo;
  size_t bytes = 0;
  for (uint64_t s = span; s != 0; s >>= 8)
    bytes++;
  uint64_t v = take_back(fi, bytes);
  if (span == UINT64_MAX)
    return v;
  return lo + v % (span + 1);
}

size_t sek_fi_pick(sek_fi *fi, size_t n) { return n == 0 ? 0 : (size_t)sek_fi_range(fi, 0, n - 1); }

const uint8_t *sek_fi_bytes(sek_fi *fi, size_t n, size_t *got) {
  if (n > fi->len)
    n = fi->len;
  const uint8_t *p = fi->data;
  fi->data += n;
  fi->len -= n;
  *got = n;
  return p;
}

const uint8_t *sek_fi_rest(sek_fi *fi, size_t *got) { return sek_fi_bytes(fi, fi->len, got); }

char *sek_fi_cstr(sek_fi *fi, size_t max_len) {
  char *s = malloc(max_len + 1);
  if (s == NULL)
    return NULL;
  size_t n = 0;
  while (n < max_len && fi->len > 0) {
    char ch = (char)fi->data[0];
    fi->data++;
    fi->len--;
    if (ch == '\\' && fi->len > 0) {
      ch = (char)fi->data[0];
      fi->data++;
      fi->len--;
      if (ch != '\\')
        break;
    }
    s[n++] = ch;
  }
  s[n] = '\0';
  return s;
}
