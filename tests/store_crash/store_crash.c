/*
 * store_crash: a process killed with SIGKILL at any moment leaves every committed key intact
 * and no half key (issue 5, SQLite's crash testing).
 *
 * Each round forks a child that opens a file-backed emulator and runs up to 1000 operations —
 * creates of new keys, deletes of existing ones — reporting each through a pipe: "B op label"
 * before the call, "C op label" after it returned success (so after its transaction committed).
 * The parent kills the child with SIGKILL at a random report (the child is then inside an
 * operation, or between two), reads what the child managed to report, and then checks:
 *   - PRAGMA integrity_check on the file says "ok" (SQLite's own reader, not ours);
 *   - the emulator opens the store (same seed: same device);
 *   - the keys there are exactly the committed ones, give or take the one operation that was
 *     reported begun but not committed (atomic: all or nothing);
 *   - every key there is whole: found by its label and able to sign.
 * The seed of the random kill points is printed; SEK_CRASH_SEED=N repeats a run's choices (the
 * moment the signal lands inside an operation is the operating system's).
 */
#include "sek_test.h"

#include <signal.h>
#include <sys/wait.h>

#include <sqlite3.h>

#include <sek/emu.h>

#define OPS 1000
#define ROUNDS 8
#define MAX_LABELS (OPS + 1)

static uint64_t next_random(uint64_t *x) {
  *x = *x * 6364136223846793005ull + 1442695040888963407ull;
  return *x >> 33;
}

static sek_emu *open_emu(const char *path) {
  sek_emu_config cfg;
  sek_emu_config_default(&cfg);
  cfg.seed = 31;
  cfg.store_path = path;
  sek_emu *emu = NULL;
  char why[320] = "";
  int st = sek_emu_new(&cfg, &emu, why, sizeof why);
  if (st != SEK_OK) {
    fprintf(stderr, "store_crash: cannot open %s: %d %s\n", path, st, why);
    return NULL;
  }
  return emu;
}

static void report(int fd, char kind, char op, int label) {
  char line[32];
  int n = snprintf(line, sizeof line, "%c %c %d\n", kind, op, label);
  if (write(fd, line, (size_t)n) != n)
    _exit(3);
}

static sek_attrs *params_for(int label) {
  char text[256];
  snprintf(text, sizeof text,
           "[kSecAttrTokenID: kSecAttrTokenIDSecureEnclave, kSecAttrKeyType: "
           "kSecAttrKeyTypeECSECPrimeRandom, kSecAttrApplicationLabel: \"k%d\"]",
           label);
  sek_attrs *a = NULL;
  return sek_attrs_parse(text, strlen(text), &a, NULL) == SEK_OK ? a : NULL;
}

static sek_attrs *label_query(int label, bool ref) {
  char text[160];
  snprintf(text, sizeof text, "[kSecClass: kSecClassKey, kSecAttrApplicationLabel: \"k%d\"%s]",
           label, ref ? ", kSecReturnRef: true" : "");
  sek_attrs *a = NULL;
  return sek_attrs_parse(text, strlen(text), &a, NULL) == SEK_OK ? a : NULL;
}

/* The child: creates and deletes, reporting every step; never returns. */
static void child(const char *path, int fd, uint64_t seed) {
  sek_emu *emu = open_emu(path);
  if (emu == NULL)
    _exit(2);
  int live[MAX_LABELS], num_live = 0;
  for (int i = 0; i < OPS; i++) {
    bool del = num_live > 0 && next_random(&seed) % 3 == 0;
    if (del) {
      int at = (int)(next_random(&seed) % (uint64_t)num_live);
      int label = live[at];
      report(fd, 'B', 'D', label);
      sek_attrs *q = label_query(label, false);
      if (q == NULL || sek_backend_delete(sek_emu_backend(emu), q, NULL) != SEK_OK)
        _exit(4);
      sek_attrs_free(q);
      live[at] = live[--num_live];
      report(fd, 'C', 'D', label);
    } else {
      report(fd, 'B', 'C', i);
      sek_attrs *p = params_for(i);
      sek_key *k = NULL;
      if (p == NULL || sek_backend_create_random_key(sek_emu_backend(emu), p, &k, NULL) != SEK_OK)
        _exit(5);
      sek_key_free(k);
      sek_attrs_free(p);
      live[num_live++] = i;
      report(fd, 'C', 'C', i);
    }
  }
  sek_emu_free(emu);
  _exit(0);
}

static void remove_db(const char *path) {
  char side[600];
  snprintf(side, sizeof side, "%s-wal", path);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", path);
  unlink(side);
  unlink(path);
}

static void integrity_ok(const char *path) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  const char *verdict = (const char *)sqlite3_column_text(st, 0);
  if (verdict == NULL || strcmp(verdict, "ok") != 0)
    fail_msg("integrity_check: %s", verdict != NULL ? verdict : "(null)");
  sqlite3_finalize(st);
  sqlite3_close(db);
}

/* The labels stored now, as a presence table. */
static size_t stored_labels(sek_emu *emu, bool present[MAX_LABELS]) {
  memset(present, 0, MAX_LABELS * sizeof present[0]);
  sek_attrs *q = NULL;
  const char *text = "[kSecClass: kSecClassKey, kSecMatchLimit: kSecMatchLimitAll, "
                     "kSecReturnAttributes: true]";
  assert_int_equal(sek_attrs_parse(text, strlen(text), &q, NULL), SEK_OK);
  sek_items *items = NULL;
  sek_error *err = NULL;
  int st = sek_backend_copy_matching(sek_emu_backend(emu), q, &items, &err);
  sek_attrs_free(q);
  size_t n = 0;
  if (st == SEK_BACKEND_ERR_APPLE && sek_error_code(err) == -25300) {
    sek_error_free(err);
    return 0;
  }
  assert_int_equal(st, SEK_OK);
  for (size_t i = 0; i < sek_items_count(items); i++) {
    size_t len = 0;
    const uint8_t *klbl =
        sek_value_data(sek_attrs_get(sek_items_attributes(items, i), "klbl"), &len);
    assert_non_null(klbl);
    char label[16] = "";
    assert_true(len > 1 && len < sizeof label && klbl[0] == 'k');
    memcpy(label, klbl + 1, len - 1);
    int v = atoi(label);
    assert_true(v >= 0 && v < MAX_LABELS);
    assert_false(present[v]); /* one item per label */
    present[v] = true;
    n++;
  }
  sek_items_free(items);
  return n;
}

static void test_sigkill_leaves_committed_keys_only(void **state) {
  (void)state;
  uint64_t seed = 2021;
  const char *env = getenv("SEK_CRASH_SEED");
  if (env != NULL)
    seed = strtoull(env, NULL, 10);
  printf("store_crash: SEK_CRASH_SEED=%llu\n", (unsigned long long)seed);
  uint64_t rng = seed;
  for (int round = 0; round < ROUNDS; round++) {
    char path[512];
    snprintf(path, sizeof path, "%s/store_crash-%ld-%d.db", SEK_BINARY_DIR, (long)getpid(), round);
    remove_db(path);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    /* kill at the k-th report: an even report is a "B" (inside an operation), odd a "C" */
    long kill_at = (long)(next_random(&rng) % (2 * OPS));
    uint64_t child_seed = next_random(&rng);
    fflush(stdout);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
      close(fds[0]);
      child(path, fds[1], child_seed);
    }
    close(fds[1]);
    bool committed[MAX_LABELS] = {false};
    char in_op = 0;
    int in_label = -1;
    long reports = 0;
    bool killed = false;
    FILE *in = fdopen(fds[0], "r");
    assert_non_null(in);
    char kind, op;
    int label;
    while (fscanf(in, " %c %c %d", &kind, &op, &label) == 3) {
      assert_true(label >= 0 && label < MAX_LABELS);
      if (kind == 'B') {
        in_op = op;
        in_label = label;
      } else {
        committed[label] = op == 'C';
        in_op = 0;
      }
      if (!killed && reports++ == kill_at) {
        kill(pid, SIGKILL);
        killed = true;
      }
    }
    fclose(in);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (killed)
      assert_true((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ||
                  (WIFEXITED(status) && WEXITSTATUS(status) == 0));
    else
      assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    integrity_ok(path);
    sek_emu *emu = open_emu(path);
    assert_non_null(emu);
    bool present[MAX_LABELS];
    size_t stored = stored_labels(emu, present);
    size_t want = 0;
    for (int i = 0; i < MAX_LABELS; i++) {
      bool expected = committed[i];
      if (in_op != 0 && i == in_label && present[i] != expected) /* the operation in flight */
        expected = present[i];
      if (present[i] != expected)
        fail_msg("round %d (kill at report %ld): key k%d is %s but was %s", round, kill_at, i,
                 present[i] ? "there" : "missing", committed[i] ? "committed" : "not committed");
      want += expected;
    }
    assert_int_equal(stored, want);
    /* every key is whole: found and signing (a sample, to keep the round short) */
    size_t checked = 0;
    for (int i = 0; i < MAX_LABELS && checked < 40; i++) {
      if (!present[i])
        continue;
      sek_attrs *q = label_query(i, true);
      sek_items *items = NULL;
      assert_int_equal(sek_backend_copy_matching(sek_emu_backend(emu), q, &items, NULL), SEK_OK);
      uint8_t sig[SEK_SIG_MAX_LEN];
      size_t n = 0;
      assert_int_equal(sek_backend_create_signature(sek_emu_backend(emu), sek_items_key(items, 0),
                                                    "algid:sign:ECDSA:message-X962:SHA256",
                                                    (const uint8_t *)"x", 1, sig, sizeof sig, &n,
                                                    NULL),
                       SEK_OK);
      sek_items_free(items);
      sek_attrs_free(q);
      checked++;
    }
    printf("store_crash: round %d: killed at report %ld of %d, %zu keys stored, %s in flight\n",
           round, kill_at, 2 * OPS, stored, in_op ? "one" : "none");
    sek_emu_free(emu);
    remove_db(path);
  }
}

static const struct CMUnitTest store_crash_tests[] = {
    cmocka_unit_test(test_sigkill_leaves_committed_keys_only),
};

SEK_TEST_MAIN(store_crash_tests)
