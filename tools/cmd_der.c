/* cmd_der.c: `sek der`.  PLACEHOLDER: replaced by the module's own implementation. */
#include "cli.h"

int cmd_der(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return cli_usage_error("der", "not built yet");
}
