/*
 * cmd_attrs.c: `sek attrs print [--json] FILE|-` (the canonical form of an attribute dictionary
 * literal) and `sek attrs names [--json]` (the kSec name table).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sek/attrs.h>

#include "cli.h"

static const char usage[] =
    "usage: sek attrs print [--json] FILE|-\n"
    "       sek attrs names [--json]\n"
    "\n"
    "print  reads a SecKeyCreateRandomKey / SecItemCopyMatching dictionary literal (Swift\n"
    "       [kSec…: …] or Objective-C @{(id)kSec…: …}, raw keys like klbl accepted) and writes\n"
    "       its canonical form: keys sorted, kSec names, one entry per line.  --json writes the\n"
    "       typed tree instead.  A parse error is printed as FILE:LINE:COL: error: message.\n"
    "names  lists every kSec name with its raw string, role, expected value kind and source.\n"
    "\n"
    "exit status: 0 printed, 1 the literal does not parse, 2 usage error\n";

static int print_cmd(int argc, char **argv) {
  bool json = false;
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    if (cli_is_help(argv[i])) {
      fputs(usage, stdout);
      return CLI_OK;
    } else if (strcmp(argv[i], "--json") == 0) {
      json = true;
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      return cli_usage_error("attrs", "unknown option '%s'", argv[i]);
    } else if (path != NULL) {
      return cli_usage_error("attrs", "one FILE only (got '%s' and '%s')", path, argv[i]);
    } else {
      path = argv[i];
    }
  }
  if (path == NULL)
    return cli_usage_error("attrs", "print needs a FILE (or - for standard input)");
  size_t len;
  char *text = cli_read_file("attrs", path, SEK_ATTRS_MAX_INPUT_LEN, &len);
  if (text == NULL)
    return CLI_BAD_INPUT;
  sek_attrs *a = NULL;
  sek_attrs_parse_error err;
  int st = sek_attrs_parse(text, len, &a, &err);
  free(text);
  if (st != SEK_OK) {
    fprintf(stderr, "%s:%u:%u: error: %s\n", strcmp(path, "-") == 0 ? "<stdin>" : path, err.line,
            err.col, err.message);
    return CLI_BAD_INPUT;
  }
  char *out = json ? sek_attrs_print_json(a) : sek_attrs_print(a);
  sek_attrs_free(a);
  if (out == NULL) {
    fprintf(stderr, "sek attrs: out of memory\n");
    return CLI_BAD_INPUT;
  }
  fputs(out, stdout);
  free(out);
  return CLI_OK;
}

static int names_cmd(int argc, char **argv) {
  static const char *const kinds[] = {"string", "data",           "number",   "bool",     "date",
                                      "dict",   "access_control", "constant", "reference"};
  bool json = false;
  for (int i = 1; i < argc; i++) {
    if (cli_is_help(argv[i])) {
      fputs(usage, stdout);
      return CLI_OK;
    } else if (strcmp(argv[i], "--json") == 0) {
      json = true;
    } else {
      return cli_usage_error("attrs", "names takes no argument '%s'", argv[i]);
    }
  }
  if (json)
    fputs("[", stdout);
  for (size_t i = 0; i < sek_attrs_name_count(); i++) {
    const sek_attrs_name *n = sek_attrs_name_at(i);
    const char *role = n->role == SEK_NAME_KEY ? "key" : "constant";
    if (json) {
      fputs(i ? ",\n{\"name\":" : "\n{\"name\":", stdout);
      cli_json_string(stdout, n->name);
      fputs(",\"raw\":", stdout);
      cli_json_string(stdout, n->raw);
      printf(",\"role\":\"%s\",\"type\":\"%s\",\"domain\":", role, kinds[n->type]);
      cli_json_string(stdout, n->domain);
      printf(",\"deprecated\":%s,\"replacement\":", n->deprecated ? "true" : "false");
      cli_json_string(stdout, n->replacement);
      fputs(",\"source\":", stdout);
      cli_json_string(stdout, n->source);
      fputs("}", stdout);
    } else {
      printf("%-50s %-24s %-8s %-14s %s%s\n", n->name, n->raw, role,
             n->role == SEK_NAME_KEY ? kinds[n->type] : (n->domain ? n->domain : "-"), n->source,
             n->deprecated ? " (deprecated)" : "");
    }
  }
  if (json)
    fputs("\n]\n", stdout);
  return CLI_OK;
}

int cmd_attrs(int argc, char **argv) {
  if (argc < 2)
    return cli_usage_error("attrs", "expected a subcommand: print or names");
  if (cli_is_help(argv[1])) {
    fputs(usage, stdout);
    return CLI_OK;
  }
  if (strcmp(argv[1], "print") == 0)
    return print_cmd(argc - 1, argv + 1);
  if (strcmp(argv[1], "names") == 0)
    return names_cmd(argc - 1, argv + 1);
  return cli_usage_error("attrs", "unknown subcommand '%s' (expected print or names)", argv[1]);
}
