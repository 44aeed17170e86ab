/*
 * cmd_lint.c: `sek lint [--kind keygen|query] [--json] FILE|-` — checks an attribute dictionary
 * literal against the Secure Enclave's and SecItem's rules (include/sek/attrs.h) and prints the
 * findings in the compiler form FILE:LINE:COL: error|warning|note: message [rule-id].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sek/attrs.h>

#include "cli.h"

static const char usage[] =
    "usage: sek lint [--kind keygen|query] [--json] FILE|-\n"
    "       sek lint --rules [--json]\n"
    "\n"
    "Reads a SecKeyCreateRandomKey parameter dictionary or a SecItemCopyMatching query, as a\n"
    "Swift [kSec…: …] or Objective-C @{(id)kSec…: …} literal (the surrounding let/var lines\n"
    "may be included), and prints each finding as\n"
    "    FILE:LINE:COL: error|warning|note: message [RULE-ID]\n"
    "--kind   lint as key-generation parameters or as a query (default: inferred; kSecClass,\n"
    "         kSecMatch… or kSecReturn… make a query)\n"
    "--json   one JSON object: {\"file\", \"kind\", \"findings\": [{rule, severity, line, col,\n"
    "         message, evidence}]}\n"
    "--rules  list the rules with their severity and evidence\n"
    "\n"
    "exit status: 0 no errors (warnings and notes allowed), 1 errors or a parse error,\n"
    "             2 usage error\n";

static const char *severity_name(sek_lint_severity s) {
  return s == SEK_LINT_ERROR ? "error" : s == SEK_LINT_WARNING ? "warning" : "note";
}

static const char *kind_name(sek_lint_kind k) {
  return k == SEK_LINT_QUERY ? "query" : k == SEK_LINT_KEYGEN ? "keygen" : "any";
}

static int list_rules(bool json) {
  if (json)
    fputs("[", stdout);
  for (size_t i = 0; i < sek_lint_rule_count(); i++) {
    const sek_lint_rule *r = sek_lint_rule_at(i);
    if (json) {
      printf("%s\n{\"id\":\"%s\",\"severity\":\"%s\",\"kind\":\"%s\",\"summary\":", i ? "," : "",
             r->id, severity_name(r->severity), kind_name(r->applies_to));
      cli_json_string(stdout, r->summary);
      fputs(",\"evidence\":", stdout);
      cli_json_string(stdout, r->evidence);
      fputs("}", stdout);
    } else {
      printf("%s %-7s %-6s %s\n      evidence: %s\n", r->id, severity_name(r->severity),
             kind_name(r->applies_to), r->summary, r->evidence);
    }
  }
  if (json)
    fputs("\n]\n", stdout);
  return CLI_OK;
}

int cmd_lint(int argc, char **argv) {
  bool json = false, rules = false;
  sek_lint_kind kind = SEK_LINT_AUTO;
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    if (cli_is_help(argv[i])) {
      fputs(usage, stdout);
      return CLI_OK;
    } else if (strcmp(argv[i], "--json") == 0) {
      json = true;
    } else if (strcmp(argv[i], "--rules") == 0) {
      rules = true;
    } else if (strcmp(argv[i], "--kind") == 0 || strncmp(argv[i], "--kind=", 7) == 0) {
      const char *k = argv[i][6] == '=' ? argv[i] + 7 : (i + 1 < argc ? argv[++i] : NULL);
      if (k == NULL)
        return cli_usage_error("lint", "--kind needs keygen or query");
      if (strcmp(k, "keygen") == 0)
        kind = SEK_LINT_KEYGEN;
      else if (strcmp(k, "query") == 0)
        kind = SEK_LINT_QUERY;
      else
        return cli_usage_error("lint", "--kind takes keygen or query, not '%s'", k);
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      return cli_usage_error("lint", "unknown option '%s'", argv[i]);
    } else if (path != NULL) {
      return cli_usage_error("lint", "one FILE only (got '%s' and '%s')", path, argv[i]);
    } else {
      path = argv[i];
    }
  }
  if (rules)
    return path == NULL ? list_rules(json) : cli_usage_error("lint", "--rules takes no FILE");
  if (path == NULL)
    return cli_usage_error("lint", "expected a FILE (or - for standard input)");
  const char *shown = strcmp(path, "-") == 0 ? "<stdin>" : path;
  size_t len;
  char *text = cli_read_file("lint", path, SEK_ATTRS_MAX_INPUT_LEN, &len);
  if (text == NULL)
    return CLI_BAD_INPUT;
  sek_attrs *a = NULL;
  sek_attrs_parse_error err;
  int st = sek_attrs_parse(text, len, &a, &err);
  free(text);
  if (st != SEK_OK) {
    if (json) {
      fputs("{\"file\":", stdout);
      cli_json_string(stdout, shown);
      printf(",\"parse_error\":{\"line\":%u,\"col\":%u,\"message\":", err.line, err.col);
      cli_json_string(stdout, err.message);
      fputs("},\"findings\":[]}\n", stdout);
    } else {
      fprintf(stdout, "%s:%u:%u: error: %s [parse]\n", shown, err.line, err.col, err.message);
    }
    return CLI_BAD_INPUT;
  }
  sek_lint_report *r = NULL;
  st = sek_attrs_lint(a, kind, &r);
  sek_attrs_free(a);
  if (st != SEK_OK) {
    fprintf(stderr, "sek lint: %s\n", sek_strerror(st));
    return CLI_BAD_INPUT;
  }
  if (json) {
    fputs("{\"file\":", stdout);
    cli_json_string(stdout, shown);
    printf(",\"kind\":\"%s\",\"errors\":%s,\"findings\":[", kind_name(sek_lint_report_kind(r)),
           sek_lint_has_errors(r) ? "true" : "false");
  }
  for (size_t i = 0; i < sek_lint_count(r); i++) {
    const sek_lint_finding *f = sek_lint_get(r, i);
    if (json) {
      printf("%s{\"rule\":\"%s\",\"severity\":\"%s\",\"line\":%u,\"col\":%u,\"message\":",
             i ? "," : "", f->rule_id, severity_name(f->severity), f->line, f->col);
      cli_json_string(stdout, f->message);
      fputs(",\"evidence\":", stdout);
      cli_json_string(stdout, f->evidence);
      fputs("}", stdout);
    } else {
      printf("%s:%u:%u: %s: %s [%s]\n", shown, f->line, f->col, severity_name(f->severity),
             f->message, f->rule_id);
    }
  }
  if (json)
    fputs("]}\n", stdout);
  bool errors = sek_lint_has_errors(r);
  sek_lint_report_free(r);
  return errors ? CLI_BAD_INPUT : CLI_OK;
}
