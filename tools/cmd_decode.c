/* cmd_decode.c: `sek decode`.  PLACEHOLDER: replaced by the module's own implementation. */
#include "cli.h"

int cmd_decode(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return cli_usage_error("decode", "not built yet");
}
