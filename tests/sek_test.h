/*
 * sek_test.h: what every cmocka test file of sekfuzz shares.
 *
 * SEK_TEST_MAIN(group) gives each test binary the same command line:
 *   test_<module>                  run every case
 *   test_<module> --list           print the case names, one a line
 *   test_<module> --filter GLOB    run the cases whose name matches GLOB (cmocka's filter)
 *
 * sek_test_shared_path() finds a file of ../shared/ (the project's reference material) or
 * returns NULL; tests that need it call skip() with a message, since a user's clone has none.
 */
#ifndef SEK_TEST_H
#define SEK_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

/* Returns a malloc'd path to ../shared/<rel> if it exists, else NULL.  SEK_SHARED_DIR overrides. */
static inline char *sek_test_shared_path(const char *rel) {
  const char *dir = getenv("SEK_SHARED_DIR");
  char buf[4096];
  if (dir != NULL)
    snprintf(buf, sizeof buf, "%s/%s", dir, rel);
  else
    snprintf(buf, sizeof buf, "%s/../shared/%s", SEK_SOURCE_DIR, rel);
  if (access(buf, R_OK) != 0)
    return NULL;
  return strdup(buf);
}

/* Reads a whole file; returns a malloc'd, NUL-terminated buffer or NULL. */
static inline char *sek_test_read_file(const char *path, size_t *out_len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return NULL;
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap + 1);
  size_t n;
  while (buf != NULL && (n = fread(buf + len, 1, cap - len, f)) > 0) {
    len += n;
    if (len == cap) {
      char *bigger = realloc(buf, 2 * cap + 1);
      if (bigger == NULL) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = bigger;
      cap *= 2;
    }
  }
  fclose(f);
  if (buf == NULL)
    return NULL;
  buf[len] = '\0';
  if (out_len != NULL)
    *out_len = len;
  return buf;
}

/*
 * Parses ../shared/<rel> as JSON.  Returns the root (free with cJSON_Delete), or NULL after
 * printing "skipped: ..." when the file is absent: the caller then calls skip().  A file that
 * is there but does not parse fails the test.
 */
static inline cJSON *sek_test_load_json(const char *rel) {
  char *path = sek_test_shared_path(rel);
  if (path == NULL) {
    printf("skipped: ../shared/%s is absent (reference material, not in a user's clone)\n", rel);
    return NULL;
  }
  char *text = sek_test_read_file(path, NULL);
  free(path);
  assert_non_null(text);
  cJSON *root = cJSON_Parse(text);
  free(text);
  if (root == NULL)
    fail_msg("../shared/%s is not valid JSON", rel);
  return root;
}

#define SEK_TEST_MAIN(group)                                                                  \
  int main(int argc, char **argv) {                                                           \
    for (int i_ = 1; i_ < argc; i_++) {                                                       \
      if (strcmp(argv[i_], "--list") == 0) {                                                  \
        for (size_t j_ = 0; j_ < sizeof(group) / sizeof((group)[0]); j_++)                    \
          puts((group)[j_].name);                                                             \
        return 0;                                                                             \
      } else if (strcmp(argv[i_], "--filter") == 0 && i_ + 1 < argc) {                        \
        cmocka_set_test_filter(argv[++i_]);                                                   \
      } else {                                                                                \
        fprintf(stderr, "usage: %s [--list] [--filter GLOB]\n", argv[0]);                     \
        return 2;                                                                             \
      }                                                                                       \
    }                                                                                         \
    return cmocka_run_group_tests_name(#group, group, NULL, NULL);                            \
  }

#endif /* SEK_TEST_H */
