/*
 * replay.c: the plain driver.  Feeds files and folders to LLVMFuzzerTestOneInput without any
 * fuzzing engine, so that any compiler builds the targets, ctest replays every corpus and
 * regression input, and a maintainer reproduces a crash file with a debugger.
 *
 *   fuzz_<target> [-runs=N] [-timeout=S] [-help=1] FILE|DIR|- ...
 *
 * It takes libFuzzer's flag syntax so that scripts call it and a libFuzzer build the same way;
 * flags it does not know are ignored with a note.  Each input is copied into a heap block of
 * exactly its size, so an out-of-bounds read is seen by ASan just as under libFuzzer, and is
 * run N times (default 1): a target whose second run differs from its first keeps state.
 * Before each input the driver prints "Running: PATH", and a timeout prints libFuzzer's own
 * "ERROR: libFuzzer: timeout" line with that name, so triage reads both drivers alike.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);
__attribute__((weak)) void __sanitizer_print_stack_trace(void);

/* libFuzzer's exit status for a timeout (-timeout_exitcode) and for errors (-error_exitcode). */
#define TIMEOUT_EXIT 70
#define ERROR_EXIT 1

static unsigned long runs = 1;
static unsigned timeout_s = 0;
static const char *volatile current = "(none)";
static unsigned long inputs_done;

static void on_alarm(int sig) {
  (void)sig;
  /* Only async-signal-safe calls, and the name of the input that hung. */
  char buf[512];
  int n = snprintf(buf, sizeof buf,
                   "ALARM: working on the last Unit for %u seconds\n"
                   "==%d== ERROR: libFuzzer: timeout after %u seconds\nSUMMARY: libFuzzer: timeout\n"
                   "replay: input that timed out: %s\n",
                   timeout_s, (int)getpid(), timeout_s, current);
  if (n > 0)
    (void)!write(2, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
  if (__sanitizer_print_stack_trace != NULL)
    __sanitizer_print_stack_trace();
  _exit(TIMEOUT_EXIT);
}

static int run_buffer(const char *name, const uint8_t *data, size_t len) {
  /* An exact-size copy per run: the target may not rely on bytes past the end. */
  for (unsigned long r = 0; r < runs; r++) {
    uint8_t *copy = malloc(len ? len : 1);
    if (copy == NULL) {
      fprintf(stderr, "replay: out of memory for %s (%zu bytes)\n", name, len);
      return -1;
    }
    memcpy(copy, data, len);
    current = name;
    if (timeout_s)
      alarm(timeout_s);
    LLVMFuzzerTestOneInput(copy, len);
    if (timeout_s)
      alarm(0);
    free(copy);
  }
  inputs_done++;
  return 0;
}

static int run_file(const char *path) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
    return -1;
  }
  size_t cap = 1 << 16, len = 0, n;
  uint8_t *buf = malloc(cap);
  while (buf != NULL && (n = fread(buf + len, 1, cap - len, f)) > 0) {
    len += n;
    if (len == cap) {
      uint8_t *bigger = realloc(buf, cap * 2);
      if (bigger == NULL) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = bigger;
      cap *= 2;
    }
  }
  int bad = ferror(f);
  if (f != stdin)
    fclose(f);
  if (buf == NULL || bad) {
    fprintf(stderr, "replay: cannot read %s\n", path);
    free(buf);
    return -1;
  }
  fprintf(stderr, "Running: %s\n", path);
  int rc = run_buffer(path, buf, len);
  free(buf);
  return rc;
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file below dir in name order (stable across machines), skipping dot files. */
static int run_path(const char *path) {
  struct stat st;
  if (strcmp(path, "-") == 0)
    return run_file(path);
  if (stat(path, &st) != 0) {
    fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
    return -1;
  }
  if (!S_ISDIR(st.st_mode))
    return run_file(path);
  DIR *d = opendir(path);
  if (d == NULL) {
    fprintf(stderr, "replay: cannot open folder %s: %s\n", path, strerror(errno));
    return -1;
  }
  char **names = NULL;
  size_t count = 0, cap = 0;
  struct dirent *e;
  int rc = 0;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    if (count == cap) {
      cap = cap ? cap * 2 : 64;
      char **bigger = realloc(names, cap * sizeof *names);
      if (bigger == NULL) {
        rc = -1;
        break;
      }
      names = bigger;
    }
    size_t need = strlen(path) + strlen(e->d_name) + 2;
    if ((names[count] = malloc(need)) == NULL) {
      rc = -1;
      break;
    }
    snprintf(names[count++], need, "%s/%s", path, e->d_name);
  }
  closedir(d);
  if (count > 0)
    qsort(names, count, sizeof *names, cmp_names);
  for (size_t i = 0; i < count; i++) {
    if (rc == 0 && run_path(names[i]) != 0)
      rc = -1;
    free(names[i]);
  }
  free(names);
  return rc;
}

static void usage(const char *argv0) {
  fprintf(stderr,
          "usage: %s [-runs=N] [-timeout=SECONDS] FILE|DIR|- ...\n"
          "Replays each input (folders: every file below, in name order) through the fuzz target\n"
          "without a fuzzing engine.  -runs=N runs each input N times (default 1); -timeout=S\n"
          "fails an input that takes longer than S seconds, naming it.  Other libFuzzer flags are\n"
          "accepted and ignored.  Exit status: 0 all inputs ran, 1 an input could not be read,\n"
          "70 timeout; a crash ends the process with the sanitizer's status.\n",
          argv0);
}

int main(int argc, char **argv) {
  if (LLVMFuzzerInitialize != NULL)
    LLVMFuzzerInitialize(&argc, &argv);
  int paths = 0, rc = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-help=1") == 0 || strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(argv[0]);
      return 0;
    }
    if (a[0] == '-' && a[1] != '\0') {
      char *end;
      if (strncmp(a, "-runs=", 6) == 0) {
        runs = strtoul(a + 6, &end, 10);
        if (*end != '\0' || runs == 0) {
          fprintf(stderr, "replay: -runs wants a positive number, not '%s'\n", a + 6);
          return 2;
        }
      } else if (strncmp(a, "-timeout=", 9) == 0) {
        timeout_s = (unsigned)strtoul(a + 9, &end, 10);
        if (*end != '\0') {
          fprintf(stderr, "replay: -timeout wants whole seconds, not '%s'\n", a + 9);
          return 2;
        }
      } else {
        fprintf(stderr, "replay: ignoring libFuzzer flag %s\n", a);
      }
      continue;
    }
    paths++;
  }
  if (paths == 0) {
    usage(argv[0]);
    return 2;
  }
  signal(SIGALRM, on_alarm);
  for (int i = 1; i < argc; i++) {
    if (argv[i][0] == '-' && argv[i][1] != '\0')
      continue;
    if (run_path(argv[i]) != 0)
      rc = ERROR_EXIT;
  }
  fprintf(stderr, "replay: %lu input(s), %lu run(s) each%s\n", inputs_done, runs,
          rc ? ", some could not be read" : "");
  return rc;
}
