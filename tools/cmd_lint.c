/* cmd_lint.c: `sek lint`.  PLACEHOLDER: replaced by the module's own implementation. */
#include "cli.h"

int cmd_lint(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return cli_usage_error("lint", "not built yet");
}
