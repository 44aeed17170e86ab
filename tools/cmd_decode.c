/*
 * cmd_decode.c: `sek decode` — what a Secure Enclave / keychain error means, whether it is
 * permanent and what to do (include/sek/error.h, design §4.2).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sek/error.h>

#include "cli.h"

#define DECODE_MAX_INPUT (64u << 20) /* a pasted log excerpt, not a whole sysdiagnose */

static const char usage_text[] =
    "usage: sek decode [--json] [--all] [TEXT... | -]\n"
    "\n"
    "Finds the Apple error(s) in TEXT (the arguments joined by spaces) or, with '-' or no TEXT,\n"
    "in standard input (multi-line: a log excerpt, a Swift dump, plugin JSON, a bare code or an\n"
    "Apple message), and explains each: the chain (outer to inner) with each code named, the\n"
    "AppleKeyStore value split into system / subsystem / code, the key id and operation, and the\n"
    "ranked probable causes with permanence and the action to take:\n"
    "  retry, prompt_again, wait_for_unlock, reenroll_key, fix_configuration,\n"
    "  unsupported_device, none, unknown.\n"
    "\n"
    "  --json   one JSON object per error and line, fields: domain, code, name, chain, aks,\n"
    "           key_id, operation, permanent, action, causes, unparsed\n"
    "  --all    every error found (default: the most informative one)\n"
    "  --       the rest of the arguments are TEXT even when they start with '-'\n"
    "\n"
    "Exit status: 0 an error was decoded, 1 nothing could be read, 2 usage error.\n"
    "Example: sek decode 'Error Domain=CryptoTokenKit Code=-3 \"...\" "
    "UserInfo={AKSError=-536362999}'\n";

static const char *perm_json(sek_permanence p) {
  return p == SEK_PERMANENT_YES ? "true" : p == SEK_PERMANENT_NO ? "false" : "null";
}
static const char *perm_text(sek_permanence p) {
  return p == SEK_PERMANENT_YES  ? "permanent"
         : p == SEK_PERMANENT_NO ? "not permanent"
                                 : "permanence unknown";
}

/* The name of (domain, code), or NULL when no table knows it. */
static const char *code_name(const sek_error *e) {
  const sek_error_code_info *c = sek_error_code_lookup(sek_error_domain(e), sek_error_code(e));
  return c->name[0] ? c->name : NULL;
}

static bool code_known(const sek_decoded *d) { return d->code_read || code_name(d->error) != NULL; }

static void json_nullable(FILE *f, const char *s) { cli_json_string(f, s && s[0] ? s : NULL); }

/* The notes of d, plus the global ones nearest to d (attach says which of them belong to d). */
static void json_unparsed(FILE *f, const char *text, const sek_decoded *d,
                          const sek_decode_result *r, const bool *attach) {
  fputc('[', f);
  bool first = true;
  for (size_t i = 0; i < d->num_unparsed; i++) {
    const sek_unparsed *u = &d->unparsed[i];
    fprintf(f, "%s{\"text\": ", first ? "" : ", ");
    cli_json_string_n(f, text + u->offset, u->length);
    fprintf(f, ", \"reason\": ");
    cli_json_string(f, u->reason);
    fputc('}', f);
    first = false;
  }
  for (size_t i = 0; attach != NULL && i < sek_decode_unparsed_count(r); i++) {
    if (!attach[i])
      continue;
    const sek_unparsed *u = sek_decode_unparsed_get(r, i);
    fprintf(f, "%s{\"text\": ", first ? "" : ", ");
    cli_json_string_n(f, text + u->offset, u->length);
    fprintf(f, ", \"reason\": ");
    cli_json_string(f, u->reason);
    fputc('}', f);
    first = false;
  }
  fputc(']', f);
}

static void print_json(FILE *f, const char *text, const sek_decoded *d, const sek_decode_result *r,
                       const bool *attach) {
  const sek_error *e = d->error;
  fprintf(f, "{\"domain\": ");
  json_nullable(f, sek_error_domain(e));
  fprintf(f, ", \"code\": ");
  if (code_known(d))
    fprintf(f, "%ld", sek_error_code(e));
  else
    fprintf(f, "null");
  fprintf(f, ", \"name\": ");
  cli_json_string(f, code_name(e));
  fprintf(f, ", \"chain\": [");
  unsigned k = 0;
  for (const sek_error *c = e; c != NULL && k < SEK_ERROR_MAX_DEPTH;
       c = sek_error_underlying(c), k++) {
    fprintf(f, "%s{\"domain\": ", k ? ", " : "");
    json_nullable(f, sek_error_domain(c));
    fprintf(f, ", \"code\": %ld, \"name\": ", sek_error_code(c));
    cli_json_string(f, code_name(c));
    fprintf(f, ", \"description\": ");
    cli_json_string(f, sek_error_description(c));
    fputc('}', f);
  }
  fprintf(f, "], \"aks\": ");
  if (d->has_aks) {
    fprintf(f,
            "{\"value\": %lld, \"hex\": \"0x%08x\", \"system\": %u, \"subsystem\": %u, "
            "\"code\": %u, \"name\": ",
            (long long)(int32_t)d->aks.hex, d->aks.hex, d->aks.system, d->aks.subsystem,
            d->aks.code);
    json_nullable(f, d->aks.name);
    fputc('}', f);
  } else {
    fprintf(f, "null");
  }
  fprintf(f, ", \"key_id\": ");
  json_nullable(f, d->key_id);
  fprintf(f, ", \"operation\": ");
  json_nullable(f, d->operation);
  const sek_cause *top = d->num_causes ? &d->causes[0] : NULL;
  fprintf(f, ", \"permanent\": %s, \"action\": ",
          perm_json(top ? top->permanent : SEK_PERMANENT_UNKNOWN));
  cli_json_string(f, sek_action_name(top ? top->action : SEK_ACTION_UNKNOWN));
  fprintf(f, ", \"causes\": [");
  for (size_t i = 0; i < d->num_causes; i++) {
    const sek_cause *c = &d->causes[i];
    fprintf(f, "%s{\"cause\": ", i ? ", " : "");
    cli_json_string(f, c->id);
    fprintf(f, ", \"permanent\": %s, \"action\": ", perm_json(c->permanent));
    cli_json_string(f, sek_action_name(c->action));
    fprintf(f, ", \"confidence\": %u.%02u}", c->confidence / 100, c->confidence % 100);
  }
  fprintf(f, "], \"unparsed\": ");
  json_unparsed(f, text, d, r, attach);
  fprintf(f, "}\n");
}

static void print_code_line(FILE *f, const sek_error *e) {
  const char *dom = sek_error_domain(e);
  const sek_error_code_info *c = sek_error_code_lookup(dom, sek_error_code(e));
  fprintf(f, "%s %ld", dom[0] ? dom : "(domain unknown)", sek_error_code(e));
  if (c->name[0])
    fprintf(f, " %s: %s", c->name, c->meaning);
  else
    fprintf(f, " (no table names this code)");
}

static void print_human(FILE *f, const char *text, const sek_decoded *d, const sek_decode_result *r,
                        const bool *attach) {
  const sek_error *e = d->error;
  print_code_line(f, e);
  fprintf(f, "\n");
  if (!d->domain_read || !code_known(d))
    fprintf(f, "  (%s%s)\n", d->domain_read ? "" : "domain inferred, not in the text",
            code_known(d) ? "" : "; no code in the text");
  unsigned k = 0;
  if (sek_error_underlying(e) != NULL || sek_error_description(e) != NULL) {
    fprintf(f, "  chain, outer to inner:\n");
    for (const sek_error *c = e; c != NULL && k < SEK_ERROR_MAX_DEPTH;
         c = sek_error_underlying(c), k++) {
      fprintf(f, "    %u. ", k + 1);
      print_code_line(f, c);
      if (sek_error_description(c))
        fprintf(f, "\n       \"%s\"", sek_error_description(c));
      fprintf(f, "\n");
    }
  }
  if (d->has_aks)
    fprintf(f, "  AKSError %lld = 0x%08x: system 0x%02x (%s), subsystem %u (%s), code %u -> %s\n",
            (long long)(int32_t)d->aks.hex, d->aks.hex, d->aks.system,
            d->aks.system_name[0] ? d->aks.system_name : "unnamed", d->aks.subsystem,
            d->aks.subsystem_name[0] ? d->aks.subsystem_name : "unnamed", d->aks.code,
            d->aks.name[0] ? d->aks.name : "name not known");
  if (d->key_id[0] || d->key_kind[0])
    fprintf(f, "  key: %s%skid=%s\n", d->key_kind, d->key_kind[0] ? " " : "",
            d->key_id[0] ? d->key_id : "?");
  if (d->operation[0])
    fprintf(f, "  operation: %s\n", d->operation);
  if (d->num_causes > 0) {
    const sek_cause *top = &d->causes[0];
    fprintf(f, "  verdict: %s (%s)\n", sek_action_name(top->action), perm_text(top->permanent));
    fprintf(f, "  probable causes:\n");
    size_t shown = d->num_causes < 3 ? d->num_causes : 3;
    for (size_t i = 0; i < shown; i++) {
      const sek_cause *c = &d->causes[i];
      fprintf(f, "    %zu. %s (%u%%): %s, %s\n       %s\n", i + 1, c->id, c->confidence,
              sek_action_name(c->action), perm_text(c->permanent), c->explanation);
    }
    fprintf(f, "  what tells them apart: %s\n", top->tell_apart);
  }
  bool any = d->num_unparsed > 0;
  for (size_t i = 0; attach != NULL && i < sek_decode_unparsed_count(r); i++)
    any = any || attach[i];
  if (any) {
    fprintf(f, "  could not read:\n");
    for (size_t i = 0; i < d->num_unparsed; i++)
      fprintf(f, "    at %zu: %s: %.*s\n", d->unparsed[i].offset, d->unparsed[i].reason,
              (int)(d->unparsed[i].length < 60 ? d->unparsed[i].length : 60),
              text + d->unparsed[i].offset);
    for (size_t i = 0; attach != NULL && i < sek_decode_unparsed_count(r); i++)
      if (attach[i]) {
        const sek_unparsed *u = sek_decode_unparsed_get(r, i);
        fprintf(f, "    at %zu: %s: %.*s\n", u->offset, u->reason,
                (int)(u->length < 60 ? u->length : 60), text + u->offset);
      }
  }
}

/* Which global notes go with error i: each note goes to the error nearest to it. */
static void attach_notes(const sek_decode_result *r, const sek_decoded *d, bool *attach) {
  for (size_t j = 0; j < sek_decode_unparsed_count(r); j++) {
    const sek_unparsed *u = sek_decode_unparsed_get(r, j);
    size_t best = 0, best_dist = (size_t)-1;
    for (size_t i = 0; i < sek_decode_count(r); i++) {
      const sek_decoded *x = sek_decode_get(r, i);
      size_t dist = u->offset >= x->offset ? u->offset - x->offset : x->offset - u->offset;
      if (dist < best_dist) {
        best_dist = dist;
        best = i;
      }
    }
    attach[j] = sek_decode_get(r, best) == d;
  }
}

int cmd_decode(int argc, char **argv) {
  bool json = false, all = false, from_stdin = false;
  int first_text = -1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (first_text < 0 && cli_is_help(a)) {
      fputs(usage_text, stdout);
      return CLI_OK;
    }
    if (first_text < 0 && strcmp(a, "--json") == 0) {
      json = true;
    } else if (first_text < 0 && strcmp(a, "--all") == 0) {
      all = true;
    } else if (first_text < 0 && strcmp(a, "--") == 0) {
      first_text = i + 1;
      break;
    } else if (first_text < 0 && strcmp(a, "-") == 0) {
      if (i + 1 < argc)
        return cli_usage_error("decode", "'-' (standard input) takes no TEXT after it");
      from_stdin = true;
    } else if (first_text < 0 && strncmp(a, "--", 2) == 0) {
      return cli_usage_error("decode", "unknown option '%s'", a);
    } else {
      first_text = i;
      break;
    }
  }
  char *text = NULL;
  size_t len = 0;
  if (first_text < 0 || first_text >= argc || from_stdin) {
    if (isatty(STDIN_FILENO))
      fprintf(stderr, "sek decode: reading the error text from standard input (end with Ctrl-D)\n");
    text = cli_read_file("decode", "-", DECODE_MAX_INPUT, &len);
    if (text == NULL)
      return CLI_BAD_INPUT;
  } else {
    for (int i = first_text; i < argc; i++)
      len += strlen(argv[i]) + 1;
    text = malloc(len + 1);
    if (text == NULL) {
      fprintf(stderr, "sek decode: out of memory\n");
      return CLI_BAD_INPUT;
    }
    len = 0;
    for (int i = first_text; i < argc; i++) {
      size_t n = strlen(argv[i]);
      if (i > first_text)
        text[len++] = ' ';
      memcpy(text + len, argv[i], n);
      len += n;
    }
    text[len] = '\0';
  }
  sek_decode_result *r = NULL;
  int st = sek_decode(text, len, &r);
  if (st != SEK_OK) {
    fprintf(stderr, "sek decode: %s\n", sek_strerror(st));
    free(text);
    return CLI_BAD_INPUT;
  }
  int rc = CLI_OK;
  size_t num_notes = sek_decode_unparsed_count(r);
  bool *attach = calloc(num_notes ? num_notes : 1, sizeof *attach);
  if (sek_decode_count(r) == 0) {
    fprintf(stderr, "sek decode: no Apple error could be read in the text (%zu bytes)\n", len);
    /* `sek decode crash.log` decodes the words "crash.log": say how to read the file instead */
    if (!from_stdin && first_text >= 0 && first_text + 1 == argc &&
        access(argv[first_text], F_OK) == 0)
      fprintf(stderr, "  '%s' is a file: TEXT is the error itself; to decode the file's "
                      "contents use: sek decode - < '%s'\n",
              argv[first_text], argv[first_text]);
    for (size_t i = 0; i < num_notes; i++) {
      const sek_unparsed *u = sek_decode_unparsed_get(r, i);
      fprintf(stderr, "  at %zu: %s\n", u->offset, u->reason);
    }
    rc = CLI_BAD_INPUT;
  } else {
    const sek_decoded *best = sek_decode_best(r);
    for (size_t i = 0; i < sek_decode_count(r); i++) {
      const sek_decoded *d = sek_decode_get(r, i);
      if (!all && d != best)
        continue;
      if (attach != NULL) {
        if (all)
          attach_notes(r, d, attach);
        else
          for (size_t j = 0; j < num_notes; j++)
            attach[j] = true;
      }
      if (json)
        print_json(stdout, text, d, r, attach);
      else {
        if (all && i > 0)
          fputc('\n', stdout);
        print_human(stdout, text, d, r, attach);
      }
    }
  }
  free(attach);
  sek_decode_result_free(r);
  free(text);
  return rc;
}
