/* cmd_attrs.c: `sek attrs`.  PLACEHOLDER: replaced by the module's own implementation. */
#include "cli.h"

int cmd_attrs(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return cli_usage_error("attrs", "not built yet");
}
