/*
 * cmd_run.c: `sek run` — plays a scenario script (include/sek/scenario.h, docs/scenario.md)
 * against a fresh emulated Secure Enclave, or with --backend apple against the real
 * Security.framework (include/sek/apple.h, docs/apple.md), and prints the transcript: each
 * operation, its result, Apple's error in its printed form, and the decoder's verdict on it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sek/apple.h>
#include <sek/emu.h>
#include <sek/scenario.h>

#include "cli.h"

#define CMD "run"
/* With --backend apple, every key the run makes is labelled with this, and the run sees and
 * deletes only such keys (include/sek/apple.h, "Scope"): never the user's own. */
#define APPLE_PREFIX "sekfuzz.run."

static void usage(FILE *f) {
  fprintf(f,
          "usage: sek run [--json] [--check] [--backend emulated|apple] [--seed N] [--store PATH]\n"
          "               SCRIPT|-\n"
          "\n"
          "Plays a scenario script against a fresh emulated Secure Enclave (a device with a\n"
          "passcode, biometry enrolled, unlocked, unless the script's `device` line says\n"
          "otherwise), or against Apple's Security.framework with --backend apple, and\n"
          "prints the transcript: each operation, its result, Apple's error as NSError\n"
          "prints it, and the decoder's verdict.\n"
          "\n"
          "  --json         the transcript as JSON\n"
          "  --check        also run the lifecycle oracle over the transcript (signatures verify,\n"
          "                 no signature with an error, dead keys stay dead, verdict = truth)\n"
          "  --seed N       the device's seed (decimal or 0x hex; default 0): same seed, same run\n"
          "  --store PATH   keep the keychain in an SQLite file (default: in memory); reopening\n"
          "                 it continues the same device\n"
          "  --backend B    emulated (the default) or apple: the real Security.framework of this\n"
          "                 Mac or device (built on Apple platforms only; docs/apple.md).  With\n"
          "                 apple the run's keys are labelled " APPLE_PREFIX " and it sees and\n"
          "                 deletes only those (deleted before and after the run); device,\n"
          "                 answer and fault steps need the emulator and are skipped;\n"
          "                 --seed and --store are for the emulator\n"
          "  SCRIPT         the script file, or - for standard input\n"
          "\n"
          "Script: one operation per line, # comments; see docs/scenario.md.  For example:\n"
          "  create k [kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
          "            kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom]\n"
          "  biometry change\n"
          "  sign k \"hello\"\n"
          "  expect ok\n"
          "\n"
          "Exit status: 0 every expectation held, 1 one did not (line, expected and got are\n"
          "printed) or the script or store is bad (line:col and what was expected), 2 usage.\n");
}

static bool parse_seed(const char *s, uint64_t *out) {
  if (s[0] == '\0' || s[0] == '-')
    return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 0);
  if (errno != 0 || *end != '\0')
    return false;
  *out = v;
  return true;
}

static void json_permanence(FILE *f, sek_permanence p) {
  fputs(p == SEK_PERMANENT_YES ? "true" : p == SEK_PERMANENT_NO ? "false" : "null", f);
}

static void json_hex(FILE *f, const uint8_t *d, size_t n) {
  fputc('"', f);
  cli_hex_print(f, d, n);
  fputc('"', f);
}

static void json_step(FILE *f, const sek_scenario_step *st) {
  fprintf(f, "    {\"line\": %u, \"op\": ", st->line);
  cli_json_string(f, st->text);
  fprintf(f, ", \"result\": \"%s\", \"status\": %d", sek_step_result_name(st->result), st->status);
  if (st->error != NULL) {
    fputs(", \"error\": {\"domain\": ", f);
    cli_json_string(f, sek_error_domain(st->error));
    fprintf(f, ", \"code\": %ld, \"text\": ", sek_error_code(st->error));
    cli_json_string(f, st->error_text);
    fprintf(f, ", \"verdict\": {\"action\": \"%s\", \"permanent\": ",
            sek_action_name(st->verdict_action));
    json_permanence(f, st->verdict_permanent);
    fputs("}", f);
    if (st->has_truth) {
      fputs(", \"truth\": {\"row\": ", f);
      cli_json_string(f, st->truth_row);
      fprintf(f, ", \"action\": \"%s\", \"permanent\": ", sek_action_name(st->truth_action));
      json_permanence(f, st->truth_permanent);
      fputs("}", f);
    }
    fputs("}", f);
  }
  if (st->has_kid) {
    fputs(", \"kid\": ", f);
    cli_json_string(f, st->kid);
  }
  if (st->verb == SEK_VERB_SIGN && st->signature_len > 0) {
    fputs(", \"signature\": ", f);
    json_hex(f, st->signature, st->signature_len);
  }
  if (st->verb == SEK_VERB_PUBKEY && st->has_pub) {
    fputs(", \"public_key\": ", f);
    json_hex(f, st->pub, sizeof st->pub);
  }
  if (st->verb == SEK_VERB_FIND && st->result == SEK_STEP_OK)
    fprintf(f, ", \"count\": %zu", st->count);
  if (st->note[0] != '\0') {
    fputs(", \"note\": ", f);
    cli_json_string(f, st->note);
  }
  fputs("}", f);
}

static void json_transcript(FILE *f, const char *path, const char *backend, uint64_t seed,
                            const sek_transcript *t, bool check, int oracle_rc,
                            sek_oracle_kind kind, const char *why) {
  fputs("{\"script\": ", f);
  cli_json_string(f, path);
  fprintf(f, ", \"backend\": \"%s\"", backend);
  if (strcmp(backend, "emulated") == 0)
    fprintf(f, ", \"seed\": %" PRIu64, seed);
  fprintf(f, ", \"ok\": %s, \"unmet\": %zu",
          sek_transcript_unmet(t) == 0 && oracle_rc == SEK_OK ? "true" : "false",
          sek_transcript_unmet(t));
  if (check) {
    fprintf(f, ", \"oracle\": {\"ok\": %s", oracle_rc == SEK_OK ? "true" : "false");
    if (oracle_rc != SEK_OK) {
      fprintf(f, ", \"property\": \"%s\", \"message\": ", sek_oracle_kind_name(kind));
      cli_json_string(f, why);
    }
    fputs("}", f);
  }
  fputs(", \"steps\": [\n", f);
  for (size_t i = 0; i < sek_transcript_count(t); i++) {
    json_step(f, sek_transcript_step(t, i));
    fputs(i + 1 < sek_transcript_count(t) ? ",\n" : "\n", f);
  }
  fputs("]}\n", f);
}

/* A fresh emulated device, as the script's `device` line describes it (its backend is
 * sek_emu_backend). */
static int open_emulator(const sek_scenario *s, uint64_t seed, const char *store, sek_emu **emu) {
  sek_emu_config cfg;
  sek_emu_config_default(&cfg);
  sek_scenario_device_config(s, &cfg);
  cfg.seed = seed;
  cfg.store_path = store;
  char why[512] = "";
  int st = sek_emu_new(&cfg, emu, why, sizeof why);
  if (st != SEK_OK)
    fprintf(stderr, "sek run: cannot start the emulated device: %s\n",
            why[0] != '\0' ? why : sek_strerror(st));
  return st;
}

/* Deletes the keys of the run's scope; a failure is reported, since keys may be left behind. */
static int purge_apple(sek_backend *be, const char *when) {
  sek_error *err = NULL;
  int st = sek_apple_purge(be, NULL, &err);
  if (st != SEK_OK) {
    char *text = err != NULL ? sek_error_format(err) : NULL;
    fprintf(stderr, "sek run: could not delete the keys labelled " APPLE_PREFIX "... %s: %s%s%s\n",
            when, sek_strerror(st), text != NULL ? ": " : "", text != NULL ? text : "");
    free(text);
    sek_error_free(err);
  }
  return st;
}

/* The Security.framework backend, scoped to the run's keys, with those of an earlier run gone. */
static int open_apple(sek_backend **be) {
  sek_apple_config cfg;
  sek_apple_config_default(&cfg);
  cfg.label_prefix = APPLE_PREFIX;
  char why[512] = "";
  int st = sek_apple_new(&cfg, be, why, sizeof why);
  if (st != SEK_OK) {
    fprintf(stderr, "sek run: cannot use the apple backend: %s\n",
            why[0] != '\0' ? why : sek_strerror(st));
    return st;
  }
  if ((st = purge_apple(*be, "before the run")) != SEK_OK) {
    sek_backend_free(*be);
    *be = NULL;
  }
  return st;
}

int cmd_run(int argc, char **argv) {
  bool json = false, check = false, seed_given = false;
  uint64_t seed = 0;
  const char *store = NULL, *path = NULL, *backend = "emulated";
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (cli_is_help(a)) {
      usage(stdout);
      return CLI_OK;
    } else if (strcmp(a, "--json") == 0) {
      json = true;
    } else if (strcmp(a, "--check") == 0) {
      check = true;
    } else if (strcmp(a, "--seed") == 0 || strcmp(a, "--store") == 0 ||
               strcmp(a, "--backend") == 0) {
      if (i + 1 == argc)
        return cli_usage_error(CMD, "%s needs a value", a);
      const char *v = argv[++i];
      if (strcmp(a, "--seed") == 0) {
        if (!parse_seed(v, &seed))
          return cli_usage_error(CMD, "--seed takes a non-negative integer, not '%s'", v);
        seed_given = true;
      } else if (strcmp(a, "--store") == 0) {
        store = v;
      } else if (strcmp(v, "emulated") == 0 || strcmp(v, "apple") == 0) {
        backend = v;
      } else {
        return cli_usage_error(CMD, "--backend takes emulated or apple, not '%s'", v);
      }
    } else if (a[0] == '-' && a[1] != '\0') {
      return cli_usage_error(CMD, "unknown option '%s'", a);
    } else if (path != NULL) {
      return cli_usage_error(CMD, "one script at a time ('%s' and '%s')", path, a);
    } else {
      path = a;
    }
  }
  if (path == NULL)
    return cli_usage_error(CMD, "which script? (a file, or - for standard input)");
  bool apple = strcmp(backend, "apple") == 0;
  if (apple && (seed_given || store != NULL))
    return cli_usage_error(CMD, "%s is for the emulated backend, not --backend apple",
                           seed_given ? "--seed" : "--store");

  size_t len = 0;
  char *text = cli_read_file(CMD, path, SEK_SCENARIO_MAX_TEXT, &len);
  if (text == NULL)
    return CLI_BAD_INPUT;
  sek_scenario *s = NULL;
  sek_scenario_error perr;
  int st = sek_scenario_parse(text, len, &s, &perr);
  free(text);
  if (st != SEK_OK) {
    if (st == SEK_ERR_NOMEM) {
      fprintf(stderr, "sek run: out of memory reading %s\n", path);
      return CLI_BAD_INPUT;
    }
    fprintf(stderr, "sek run: %s:%u:%u: %s\n", path, perr.line, perr.col, perr.message);
    if (json) {
      printf("{\"script\": ");
      cli_json_string(stdout, path);
      printf(", \"ok\": false, \"script_error\": {\"line\": %u, \"col\": %u, \"message\": ",
             perr.line, perr.col);
      cli_json_string(stdout, perr.message);
      printf("}}\n");
    }
    return CLI_BAD_INPUT;
  }

  sek_emu *emu = NULL;
  sek_backend *be = NULL;
  st = apple ? open_apple(&be) : open_emulator(s, seed, store, &emu);
  if (st != SEK_OK) {
    sek_scenario_free(s);
    return CLI_BAD_INPUT;
  }
  sek_transcript *t = NULL;
  st = sek_scenario_run(s, apple ? be : sek_emu_backend(emu), emu, &t);
  if (apple)
    purge_apple(be, "after the run");
  if (st != SEK_OK && st != SEK_SCENARIO_ERR_EXPECT) {
    fprintf(stderr, "sek run: %s: %s\n", path, sek_strerror(st));
    sek_backend_free(be);
    sek_emu_free(emu);
    sek_scenario_free(s);
    return CLI_BAD_INPUT;
  }
  int oracle_rc = SEK_OK;
  sek_oracle_kind kind = SEK_ORACLE_OK;
  char oracle_why[512] = "";
  if (check)
    oracle_rc = sek_transcript_check(t, &kind, oracle_why, sizeof oracle_why);

  int rc = CLI_OK;
  if (json) {
    json_transcript(stdout, path, backend, seed, t, check, oracle_rc, kind, oracle_why);
  } else {
    char *out = sek_transcript_print(t);
    if (out == NULL) {
      fprintf(stderr, "sek run: out of memory printing the transcript\n");
      rc = CLI_BAD_INPUT;
    } else {
      fputs(out, stdout);
      free(out);
    }
    if (check)
      printf("lifecycle oracle: %s%s%s\n", oracle_rc == SEK_OK ? "every property holds" : "",
             oracle_rc == SEK_OK ? "" : "BROKEN: ", oracle_rc == SEK_OK ? "" : oracle_why);
  }
  for (size_t i = 0; i < sek_transcript_count(t); i++) {
    const sek_scenario_step *step = sek_transcript_step(t, i);
    if (step->result == SEK_STEP_UNMET)
      fprintf(stderr, "sek run: %s:%u: %s\n", path, step->line, step->note);
  }
  if (oracle_rc != SEK_OK)
    fprintf(stderr, "sek run: lifecycle oracle (%s): %s\n", sek_oracle_kind_name(kind), oracle_why);
  if (sek_transcript_unmet(t) != 0 || oracle_rc != SEK_OK)
    rc = CLI_BAD_INPUT;
  sek_transcript_free(t);
  sek_backend_free(be); /* NULL with the emulator, which owns its backend */
  sek_emu_free(emu);
  sek_scenario_free(s);
  return rc;
}
