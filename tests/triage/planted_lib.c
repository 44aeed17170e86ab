/*
 * planted_lib.c: the planted bugs (see planted_lib.h).  Test-only code: every bug here is on
 * purpose, each in its own function, and each reachable by several inputs that differ in the
 * bytes but not in the function that goes wrong.
 */
#include "planted_lib.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

/* Decimal number at the front of the input (stops at the first non-digit). */
static long read_number(const uint8_t *data, size_t len) {
  long v = 0;
  for (size_t i = 0; i < len && data[i] >= '0' && data[i] <= '9' && v < 100000000; i++)
    v = v * 10 + (data[i] - '0');
  return v;
}

unsigned planted_checksum(const uint8_t *data, size_t len) {
  if (len < 2)
    return 0;
  /* BUG: the record length byte is trusted; nothing checks it against len. */
  size_t n = (size_t)(data[1] - '0') * 4;
  unsigned sum = 0;
  if (data[0] == 'f') {
    for (size_t i = 0; i < n; i++)
      sum += data[2 + i]; /* forward read: one line */
  } else {
    for (size_t i = n; i > 0; i--)
      sum += data[1 + i]; /* backward read: another line of the same function */
  }
  return sum;
}

unsigned planted_parse_record(const uint8_t *data, size_t len) {
  /* A record is its checksum; reached from two callers, the bug is below both. */
  return planted_checksum(data, len) + (unsigned)len;
}

void planted_copy_name(const uint8_t *data, size_t len) {
  if (len < 2)
    return;
  uint8_t *name = malloc(8);
  if (name == NULL)
    return;
  if (data[0] == 'm') {
    /* BUG: n is neither checked against the 8-byte block (a WRITE overflow) nor against the
     * input (a READ overflow): which side fails first depends on the input. */
    size_t n = (size_t)((data[1] - '0') & 0x7f);
    memcpy(name, data + 2, n);
  } else {
    /* BUG: copies the whole rest of the input into the 8-byte block. */
    for (size_t i = 1; i < len; i++)
      name[i - 1] = data[i];
  }
  free(name);
}

struct session {
  int id;
  int state;
  char tag[16];
};

static void session_close(struct session *s) { free(s); }

int planted_session(const uint8_t *data, size_t len) {
  struct session *s = malloc(sizeof *s);
  if (s == NULL)
    return 0;
  memset(s, 0, sizeof *s);
  s->id = (int)len;
  int result = 0;
  if (len > 0 && data[0] == '!') {
    session_close(s); /* error path */
    /* BUG: falls through and keeps using the closed session. */
    if (len > 1 && data[1] == 't')
      result = s->tag[len % 16];
    else
      result = s->state + s->id;
    return result;
  }
  result = s->id;
  session_close(s);
  return result;
}

struct entry {
  const char *key;
  size_t len;
  const char *value;
};

static const struct entry entries[] = {
    {"alpha", 5, "first"},
    {"beta", 4, "second"},
};

static const struct entry *lookup(const uint8_t *key, size_t len) {
  for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++)
    if (entries[i].len == len && memcmp(entries[i].key, key, len) == 0)
      return &entries[i];
  return NULL;
}

int planted_lookup_value(const uint8_t *data, size_t len) {
  const struct entry *e = lookup(data, len);
  /* BUG: unknown keys give NULL, used unchecked (two different fields, two lines). */
  if (len % 2 == 0)
    return (int)e->len;
  return e->value[0];
}

int planted_scale(const uint8_t *data, size_t len) {
  const uint8_t *sep = memchr(data, '*', len);
  if (sep == NULL)
    return 0;
  int a = (int)read_number(data, (size_t)(sep - data));
  int b = (int)read_number(sep + 1, len - (size_t)(sep - data) - 1);
  /* BUG: the product of two input numbers is not checked against INT_MAX. */
  int scaled = a * b;
  return scaled + 1;
}

unsigned planted_mask(const uint8_t *data, size_t len) {
  int bits = (int)read_number(data, len);
  /* BUG: bits may be 32 or more. */
  return 1u << bits;
}

size_t planted_intern(const uint8_t *data, size_t len) {
  char *copy = malloc(len + 1);
  if (copy == NULL)
    return 0;
  memcpy(copy, data, len);
  copy[len] = '\0';
  size_t n = strlen(copy);
  if (n > 0 && copy[0] == '+')
    return n; /* BUG: the interned copy is dropped, never freed */
  free(copy);
  return n;
}

static unsigned spin_step(unsigned x) {
  /* A little work per step so that the timeout's sample lands here or in the loop. */
  unsigned y = x;
  for (int i = 0; i < 64; i++)
    y = y * 1103515245u + 12345u;
  return (x % 2 == 0) ? x / 2 : (y % 3 == 0 ? x : x + 2);
}

unsigned planted_spin(const uint8_t *data, size_t len) {
  unsigned x = (unsigned)read_number(data, len) | 1u;
  unsigned steps = 0;
  /* BUG: odd x that is not 1 never reaches 1 when spin_step keeps it odd. */
  while (x != 1) {
    x = spin_step(x);
    steps++;
  }
  return steps;
}

static int parse_list(const uint8_t *data, size_t len);

int planted_parse_item(const uint8_t *data, size_t len) {
  char pad[64];
  memset(pad, (int)len, sizeof pad);
  if (len == 0)
    return pad[0];
  if (data[0] == '[')
    return parse_list(data, len) + pad[1];
  return 1;
}

static int parse_list(const uint8_t *data, size_t len) {
  /* BUG: "[]" advances, an unclosed "[" recurses on the same input forever. */
  if (len >= 2 && data[1] == ']')
    return planted_parse_item(data + 2, len - 2);
  if (len >= 2 && data[1] == '[')
    return planted_parse_item(data + 1, len - 1) + 1;
  return planted_parse_item(data, len) + 1;
}

/* Counts calls across processes in a file; returns the count before this call. */
static long bump_counter(const char *path) {
  int fd = open(path, O_RDWR | O_CREAT, 0600);
  if (fd < 0)
    return 0;
  long count = 0;
  if (flock(fd, LOCK_EX) == 0) {
    char buf[32] = {0};
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n > 0)
      count = strtol(buf, NULL, 10);
    char out[32];
    int w = snprintf(out, sizeof out, "%ld\n", count + 1);
    if (lseek(fd, 0, SEEK_SET) == 0 && w > 0)
      (void)!write(fd, out, (size_t)w);
    flock(fd, LOCK_UN);
  }
  close(fd);
  return count;
}

void planted_flaky(const uint8_t *data, size_t len) {
  /* One counter per input content (FNV-1a), so that each input alternates on its own. */
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < len; i++)
    h = (h ^ data[i]) * 16777619u;
  const char *dir = getenv("PLANTED_FLAKY_DIR");
  long n;
  if (dir != NULL) {
    char path[4096];
    snprintf(path, sizeof path, "%s/flaky-%08x", dir, (unsigned)h);
    n = bump_counter(path);
  } else {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    n = ts.tv_nsec / 1000;
  }
  uint8_t *block = malloc(len + 1);
  if (block == NULL)
    return;
  memcpy(block, data, len);
  uint8_t *volatile retry = block; /* the retry path's stale copy of the pointer */
  free(block);
  /* BUG: a "retry" path frees the block again, but only on some runs. */
  if (n % 2 == 1)
    free(retry);
}
