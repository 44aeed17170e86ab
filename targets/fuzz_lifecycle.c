/*
 * fuzz_lifecycle: scenario scripts (include/sek/scenario.h) played against the emulated Secure
 * Enclave (include/sek/emu.h, include/sek/backend.h) — design §6, the lifecycle target.
 *
 * Input: a scenario script (text).  Parse errors are fine (the parser itself is under test:
 * no crash, no leak, a line:col on every refusal).  A script that parses is played on a fresh
 * in-memory emulator with a fixed seed, and abort() is called when:
 *   L0  the canonical print of the script does not parse back to the same print (fixed point);
 *   L1  a successful signature does not verify with the key's public key (checked by verify.h,
 *       not by the backend), or a success used an algorithm that is not ECDSA P-256;
 *   L2  a failed sign wrote a signature, or status and error disagree at the interface;
 *   L3  a key that failed permanently (ground truth: reenroll_key, permanent) signs again
 *       before it is deleted and created again (a new key has a new kid);
 *   L4  the decoder's verdict (sek_error_verdict) on an emitted error differs from the
 *       emulator's ground truth (sek_emu_last_truth), or an error has no behaviour row;
 *   L5  the backend's verify answer differs from an independent verification; one kid has two
 *       public keys;
 *   L6  two runs of the same script on two fresh emulators with the same seed print different
 *       transcripts (the emulator promises determinism: HMAC-DRBG, RFC 6979 nonces, an emulated
 *       clock);
 *   L7  a run on a device with another seed differs in anything an app observes other than
 *       key material (sek_transcript_diff: results, error domains and codes, AKSError, find
 *       counts, signature forms): the emulator's behaviour must not depend on its keys.
 *       With SEK_FUZZ_BACKEND=apple in the environment (a Mac; include/sek/apple.h) the other
 *       run is on Security.framework instead, scoped to keys labelled sekfuzz.fuzz. and purged
 *       after every input (SEK_FUZZ_APPLE_GROUP=TEAMID.group: the data protection keychain and
 *       that access group, which Secure Enclave keys need): then L7 says where the emulator
 *       does not answer as Apple does, up to the first device step, which a real device cannot
 *       take.
 * L1-L5 are sek_transcript_check (the same oracle `sek run --check` uses); the transcript's
 * text is written to stderr before the abort so that a crash file explains itself.
 * Deterministic, no disk (":memory:"), no sleep, nothing kept between inputs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sek/apple.h>
#include <sek/emu.h>
#include <sek/scenario.h>

/*
 * Work bounds, each because of what one operation costs: a create is a P-256 key generation,
 * an AES-GCM wrap and an SQLite insert; a sign unwraps and signs; both run under ASan/UBSan.
 * At ~0.2-0.5 ms per such call and three runs per input (L6, L7), 48 operations keep an input
 * in the low tens of milliseconds, which leaves the fuzzer thousands of executions per minute.  Longer
 * scripts exercise nothing the short ones cannot (the state space is small: a few keys, a few
 * device flags); they are still parsed (L0), just not run.  Six key names cover every
 * interaction of two protection classes with two biometry bindings and a faulted key.
 */
#define MAX_OPS 48
#define MAX_KEYS 6
#define SEED 0x5eedf00dULL       /* fixed: a crash replays exactly */
#define OTHER_SEED 0x0da7a5e7ULL /* L7's other device */
#define APPLE_PREFIX "sekfuzz.fuzz."

/* L7's other side: NULL for a second emulator, else Security.framework (made once). */
static sek_backend *apple;

static void die(const char *what, const char *detail, const sek_transcript *t) {
  fprintf(stderr, "fuzz_lifecycle: %s%s%s\n", what, detail != NULL ? ": " : "",
          detail != NULL ? detail : "");
  if (t != NULL) {
    char *text = sek_transcript_print(t);
    if (text != NULL)
      fprintf(stderr, "---- transcript ----\n%s", text);
    free(text);
  }
  abort();
}

/* L0: print(parse(print(s))) == print(s). */
static void check_print_fixed_point(const sek_scenario *s) {
  char *p1 = sek_scenario_print(s);
  if (p1 == NULL)
    return; /* out of memory: nothing to compare */
  sek_scenario *again = NULL;
  sek_scenario_error err;
  int st = sek_scenario_parse(p1, strlen(p1), &again, &err);
  if (st == SEK_ERR_NOMEM) {
    free(p1);
    return;
  }
  if (st != SEK_OK) {
    fprintf(stderr, "printed script:\n%s", p1);
    die("the canonical print does not parse", err.message, NULL);
  }
  char *p2 = sek_scenario_print(again);
  if (p2 != NULL && strcmp(p1, p2) != 0) {
    fprintf(stderr, "first print:\n%s\nsecond print:\n%s", p1, p2);
    die("the canonical print is not a fixed point", NULL, NULL);
  }
  free(p2);
  free(p1);
  sek_scenario_free(again);
}

/* Plays s on a fresh emulator; NULL when the emulator or the run ran out of memory. */
static sek_transcript *play(const sek_scenario *s, uint64_t seed) {
  sek_emu_config cfg;
  sek_emu_config_default(&cfg);
  cfg.seed = seed;
  cfg.store_path = ":memory:";
  sek_scenario_device_config(s, &cfg); /* a script may start on a device without an enclave */
  sek_emu *emu = NULL;
  if (sek_emu_new(&cfg, &emu, NULL, 0) != SEK_OK)
    return NULL;
  sek_transcript *t = NULL;
  int st = sek_scenario_run(s, sek_emu_backend(emu), emu, &t);
  sek_emu_free(emu);
  if (st != SEK_OK && st != SEK_SCENARIO_ERR_EXPECT)
    return NULL;
  return t;
}

/* Plays s on Security.framework, in the backend's scope, leaving nothing behind. */
static sek_transcript *play_apple(const sek_scenario *s) {
  sek_transcript *t = NULL;
  int st = sek_scenario_run(s, apple, NULL, &t);
  if (sek_apple_purge(apple, NULL, NULL) != SEK_OK) {
    fprintf(stderr, "fuzz_lifecycle: cannot delete the keys labelled " APPLE_PREFIX "\n");
    exit(1);
  }
  if (st != SEK_OK && st != SEK_SCENARIO_ERR_EXPECT) {
    sek_transcript_free(t);
    return NULL;
  }
  return t;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  const char *which = getenv("SEK_FUZZ_BACKEND");
  if (which == NULL || which[0] == '\0' || strcmp(which, "emulated") == 0)
    return 0;
  char why[512] = "";
  sek_apple_config cfg;
  sek_apple_config_default(&cfg);
  cfg.label_prefix = APPLE_PREFIX;
  /* Secure Enclave keys need the data protection keychain and an entitled access group: a
   * binary signed for it names its group here (docs/apple.md). */
  const char *group = getenv("SEK_FUZZ_APPLE_GROUP");
  if (group != NULL && group[0] != '\0') {
    cfg.access_group = group;
    cfg.data_protection_keychain = true;
  }
  if (strcmp(which, "apple") != 0 || sek_apple_new(&cfg, &apple, why, sizeof why) != SEK_OK ||
      sek_apple_purge(apple, NULL, NULL) != SEK_OK) {
    fprintf(stderr, "fuzz_lifecycle: SEK_FUZZ_BACKEND=%s: %s\n", which,
            strcmp(which, "apple") != 0 ? "expected emulated or apple"
            : why[0] != '\0'            ? why
                                        : "cannot start or clean the Apple backend");
    exit(1);
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sek_scenario *s = NULL;
  if (sek_scenario_parse((const char *)data, size, &s, NULL) != SEK_OK)
    return 0;
  check_print_fixed_point(s);
  if (sek_scenario_count(s) > MAX_OPS || sek_scenario_num_keys(s) > MAX_KEYS) {
    sek_scenario_free(s);
    return 0;
  }
  sek_transcript *t = play(s, SEED);
  if (t != NULL) {
    char why[512];
    sek_oracle_kind kind;
    if (sek_transcript_check(t, &kind, why, sizeof why) == SEK_SCENARIO_ERR_ORACLE)
      die(sek_oracle_kind_name(kind), why, t);
    sek_transcript *t2 = play(s, SEED);
    if (t2 != NULL) {
      char *a = sek_transcript_print(t), *b = sek_transcript_print(t2);
      if (a != NULL && b != NULL && strcmp(a, b) != 0) {
        fprintf(stderr, "---- second run ----\n%s", b);
        die("nondeterministic: two runs with the same seed differ", NULL, t);
      }
      free(a);
      free(b);
      sek_transcript_free(t2);
    }
    sek_transcript *t3 = apple != NULL ? play_apple(s) : play(s, OTHER_SEED);
    if (t3 != NULL) {
      const char *other = apple != NULL ? "apple" : "another seed";
      if (sek_transcript_diff(t, "emulated", t3, other, NULL, why, sizeof why) ==
          SEK_SCENARIO_ERR_DIFF) {
        char *b = sek_transcript_print(t3);
        fprintf(stderr, "---- run on %s ----\n%s", other, b != NULL ? b : "(out of memory)\n");
        free(b);
        die(apple != NULL ? "the emulator does not answer as Security.framework does"
                          : "the emulator's behaviour depends on its seed",
            why, t);
      }
      sek_transcript_free(t3);
    }
    sek_transcript_free(t);
  }
  sek_scenario_free(s);
  return 0;
}
