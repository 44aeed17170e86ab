/*
 * sek: the command-line face of libsek.  `sek CMD --help` documents each subcommand; this file
 * only routes to them.  The table is the one place that lists them.
 */
#include <stdio.h>
#include <string.h>

#include <sek/version.h>

#include "cli.h"

static const cli_command commands[] = {
    {"der", "decode, encode and verify ECDSA P-256 signatures (DER and raw r||s)", cmd_der},
    {"decode", "explain a Secure Enclave / keychain error: meaning, permanence, what to do", cmd_decode},
    {"lint", "check a key-generation or query dictionary against Secure Enclave rules", cmd_lint},
    {"attrs", "parse an attribute dictionary literal and print its canonical form", cmd_attrs},
    {"run", "run a scenario script against the emulated Secure Enclave (or Security.framework)",
     cmd_run},
};

static void usage(FILE *f) {
  fprintf(f, "usage: sek COMMAND [ARGS...]\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
  fprintf(f, "\n'sek COMMAND --help' describes one command; 'sek --version' prints the version.\n"
             "Exit status: 0 success, 1 the input is bad (or invalid), 2 usage error.\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return CLI_USAGE;
  }
  if (cli_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
    usage(stdout);
    return CLI_OK;
  }
  if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
    printf("sek %s (sekfuzz)\n", sek_version());
    return CLI_OK;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(argv[1], commands[i].name) == 0)
      return commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "sek: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return CLI_USAGE;
}
