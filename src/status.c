/*
 * status.c: sek_strerror over every module's statuses (ranges in include/sek/status.h).
 * Each module owns its messages; this file only routes a status to the module of its range.
 */
#include <stddef.h>

#include <sek/attrs.h>
#include <sek/backend.h>
#include <sek/der.h>
#include <sek/emu.h>
#include <sek/error.h>
#include <sek/query.h>
#include <sek/scenario.h>
#include <sek/status.h>
#include <sek/verify.h>

static const char *common_strerror(int status) {
  switch (status) {
  case SEK_OK: return "success";
  case SEK_ERR_ARG: return "invalid argument (caller bug)";
  case SEK_ERR_NOMEM: return "out of memory";
  case SEK_ERR_LIMIT: return "input exceeds a documented limit";
  case SEK_ERR_IO: return "input/output error";
  case SEK_ERR_INTERNAL: return "internal error (a bug in libsek)";
  case SEK_ERR_UNSUPPORTED: return "not supported by this build or backend";
  default: return "unknown status";
  }
}

/* One row per module range; a module adds its row when it gains statuses. */
static const struct {
  int hi, lo; /* hi >= status >= lo */
  const char *(*name)(int);
} ranges[] = {
    {-100, -199, sek_der_strerror},
    {-300, -399, sek_attrs_strerror},
    {-700, -799, sek_verify_strerror},
    {-200, -299, sek_error_strerror},
    {-400, -499, sek_query_strerror},
    {-500, -599, sek_backend_strerror},
    {-600, -699, sek_store_strerror},
    {-800, -899, sek_scenario_strerror},
};

const char *sek_strerror(int status) {
  for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
    if (status <= ranges[i].hi && status >= ranges[i].lo)
      return ranges[i].name(status);
  return common_strerror(status);
}
