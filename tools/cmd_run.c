/* cmd_run.c: `sek run`.  PLACEHOLDER: replaced by the module's own implementation. */
#include "cli.h"

int cmd_run(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return cli_usage_error("run", "not built yet");
}
