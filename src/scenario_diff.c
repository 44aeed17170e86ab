/*
 * scenario_diff.c: sek_transcript_diff — do two runs of one script agree on what an app can
 * observe?  Its two users: fuzz_lifecycle, which plays each script on two emulated devices with
 * different seeds (the emulator's behaviour must not depend on its key material), and the same
 * target on a Mac, which plays it on the emulator and on Security.framework (the emulator must
 * answer as Apple does).
 *
 * What is compared is in one table (observables): adding an observable is adding a row.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sek/scenario.h>

/* An observable renders one aspect of a step into buf ("" when the step has none). */
typedef void (*observe_fn)(const sek_scenario_step *st, char *buf, size_t cap);

static void observe_result(const sek_scenario_step *st, char *buf, size_t cap) {
  snprintf(buf, cap, "%s", sek_step_result_name(st->result));
}

/* The error chain by domain and code, outermost first: "NSOSStatusErrorDomain -25300 <
 * CryptoTokenKit -7".  Descriptions are not compared: they quote key ids and addresses. */
static void observe_error_chain(const sek_scenario_step *st, char *buf, size_t cap) {
  buf[0] = '\0';
  size_t n = 0;
  for (const sek_error *e = st->error; e != NULL && n < cap; e = sek_error_underlying(e)) {
    int w = snprintf(buf + n, cap - n, "%s%s %ld", n == 0 ? "" : " < ", sek_error_domain(e),
                     sek_error_code(e));
    if (w < 0)
      break;
    n += (size_t)w;
  }
}

/* AKSError, the number the seed thread turned on; absent from most errors. */
static void observe_aks(const sek_scenario_step *st, char *buf, size_t cap) {
  long long aks;
  if (st->error != NULL && sek_error_user_number(st->error, "AKSError", &aks) == SEK_OK)
    snprintf(buf, cap, "AKSError=%lld", aks);
  else
    buf[0] = '\0';
}

static void observe_count(const sek_scenario_step *st, char *buf, size_t cap) {
  if (st->verb == SEK_VERB_FIND && st->result == SEK_STEP_OK)
    snprintf(buf, cap, "%zu results", st->count);
  else
    buf[0] = '\0';
}

/* Whether a signature was made, and its form: DER is 8-72 bytes (the length varies with the
 * key), r || s exactly 64.  The bytes themselves depend on the key. */
static void observe_signature(const sek_scenario_step *st, char *buf, size_t cap) {
  if (st->verb == SEK_VERB_SIGN && st->signature_len > 0)
    snprintf(buf, cap, "%s signature", st->signature_len == 64 ? "raw" : "DER");
  else
    buf[0] = '\0';
}

static const struct {
  const char *name;
  observe_fn observe;
} observables[] = {
    {"result", observe_result}, {"error", observe_error_chain},   {"user info", observe_aks},
    {"find", observe_count},    {"signature", observe_signature},
};

static int differ(char *why, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int differ(char *why, size_t cap, const char *fmt, ...) {
  if (why != NULL && cap > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
    va_end(ap);
  }
  return SEK_SCENARIO_ERR_DIFF;
}

int sek_transcript_diff(const sek_transcript *a, const char *a_name, const sek_transcript *b,
                        const char *b_name, size_t *at, char *why, size_t why_cap) {
  if (a == NULL || b == NULL)
    return SEK_ERR_ARG;
  a_name = a_name != NULL ? a_name : "first";
  b_name = b_name != NULL ? b_name : "second";
  size_t n = sek_transcript_count(a), m = sek_transcript_count(b);
  for (size_t i = 0; i < n && i < m; i++) {
    const sek_scenario_step *x = sek_transcript_step(a, i), *y = sek_transcript_step(b, i);
    if (x->verb != y->verb || x->line != y->line) {
      if (at != NULL)
        *at = i;
      return differ(why, why_cap, "step %zu: line %u '%s' against line %u '%s': not one script",
                    i + 1, x->line, x->text, y->line, y->text);
    }
    /* A device step one side could not take: what follows is another experiment. */
    if (x->result == SEK_STEP_NO_DEVICE || y->result == SEK_STEP_NO_DEVICE)
      return SEK_OK;
    for (size_t k = 0; k < sizeof observables / sizeof observables[0]; k++) {
      char u[256], v[256];
      observables[k].observe(x, u, sizeof u);
      observables[k].observe(y, v, sizeof v);
      if (strcmp(u, v) != 0) {
        if (at != NULL)
          *at = i;
        return differ(why, why_cap, "line %u: %s: %s %s: %s, %s: %s", x->line, x->text,
                      observables[k].name, a_name, u[0] != '\0' ? u : "none", b_name,
                      v[0] != '\0' ? v : "none");
      }
    }
  }
  if (n != m) {
    if (at != NULL)
      *at = n < m ? n : m;
    return differ(why, why_cap, "%s has %zu steps, %s %zu: not one script", a_name, n, b_name, m);
  }
  return SEK_OK;
}
