/*
 * fuzz_error: the error-text paths of include/sek/error.h — sek_error_parse / sek_error_format
 * (Apple's NSError description form), sek_decode (pasted text in every form of design §4.2) and
 * sek_error_classify / sek_error_verdict.  The input is the text itself, so a crash file is a
 * readable paste.
 *
 * Invariants (design §6), abort() on any violation:
 *  E1  never fails: sek_decode returns SEK_OK on any bytes; every error and every unparsed span
 *      lies inside the input; sek_error_parse either accepts or names a module status and an
 *      offset inside the input.
 *  E2  fixed point: when sek_error_parse accepts x, format(parse(x)) == x byte for byte; for
 *      every decoded error d, y = format(d) is accepted by sek_error_parse and
 *      format(parse(y)) == y; a deep copy is equal to its original.
 *  E3  classified: every decoded (and every strictly parsed) error has 1..SEK_MAX_CAUSES
 *      causes, ranked by non-increasing confidence in 1..100, each with an id, an explanation,
 *      a valid action and permanence; sek_error_verdict gives a valid action and permanence.
 *  E4  deterministic: decoding the same bytes twice gives the same errors and verdicts.
 *  E5  linear: no quadratic path (run with a large -max_len and a tight -timeout, see .options).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sek/error.h>

static bool valid_action(sek_action a) { return a >= SEK_ACTION_RETRY && a <= SEK_ACTION_UNKNOWN; }
static bool valid_perm(sek_permanence p) {
  return p >= SEK_PERMANENT_UNKNOWN && p <= SEK_PERMANENT_YES;
}

static void check_causes(const sek_cause *c, size_t n) {
  if (n < 1 || n > SEK_MAX_CAUSES)
    abort();
  for (size_t i = 0; i < n; i++) {
    if (!valid_action(c[i].action) || !valid_perm(c[i].permanent) || c[i].confidence < 1 ||
        c[i].confidence > 100 || c[i].id == NULL || c[i].explanation == NULL)
      abort();
    if (i > 0 && c[i].confidence > c[i - 1].confidence)
      abort();
  }
}

/* E2 on an error object: its print reads back to the same print. */
static void check_fixed_point(const sek_error *e) {
  char *y = sek_error_format(e);
  if (y == NULL)
    abort();
  size_t yl = strlen(y);
  sek_error *p = NULL;
  if (sek_error_parse(y, yl, &p) != SEK_OK)
    abort();
  char *z = sek_error_format(p);
  if (z == NULL || strcmp(y, z) != 0)
    abort();
  sek_error *c = sek_error_copy(e);
  if (c == NULL || !sek_error_equal(c, e))
    abort();
  sek_error_free(c);
  free(z);
  sek_error_free(p);
  free(y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data;

  /* the strict form */
  sek_error *e = NULL;
  size_t off = (size_t)-1;
  int st = sek_error_parse_at(text, size, &e, &off);
  if (st == SEK_OK) {
    char *x = sek_error_format(e);
    if (x == NULL || strlen(x) != size || memcmp(x, data, size) != 0)
      abort(); /* E2: text-preserving */
    free(x);
    check_fixed_point(e);
    sek_cause c[SEK_MAX_CAUSES];
    size_t n = 0;
    if (sek_error_classify(e, c, SEK_MAX_CAUSES, &n) != SEK_OK)
      abort();
    check_causes(c, n);
    sek_error_free(e);
  } else if (st > -200 && st != SEK_ERR_LIMIT) {
    abort(); /* E1: a rejection names this module's reason (or the depth limit) */
  } else if (off > size) {
    abort();
  }

  /* the decoder */
  sek_decode_result *r = NULL, *r2 = NULL;
  if (sek_decode(text, size, &r) != SEK_OK || sek_decode(text, size, &r2) != SEK_OK)
    abort(); /* E1 */
  if (sek_decode_count(r) != sek_decode_count(r2))
    abort(); /* E4 */
  for (size_t i = 0; i < sek_decode_count(r); i++) {
    const sek_decoded *d = sek_decode_get(r, i), *d2 = sek_decode_get(r2, i);
    if (d->offset > size || d->length > size - d->offset)
      abort();
    for (size_t k = 0; k < d->num_unparsed; k++)
      if (d->unparsed[k].offset > size || d->unparsed[k].length > size - d->unparsed[k].offset)
        abort();
    check_causes(d->causes, d->num_causes);
    if (!sek_error_equal(d->error, d2->error) || d->num_causes != d2->num_causes ||
        d->causes[0].action != d2->causes[0].action)
      abort(); /* E4 */
    check_fixed_point(d->error);
    sek_action a;
    sek_permanence p;
    if (sek_error_verdict(d->error, &a, &p) != SEK_OK || !valid_action(a) || !valid_perm(p))
      abort(); /* E3 */
  }
  for (size_t k = 0; k < sek_decode_unparsed_count(r); k++) {
    const sek_unparsed *u = sek_decode_unparsed_get(r, k);
    if (u->offset > size || u->length > size - u->offset)
      abort();
  }
  if ((sek_decode_count(r) == 0) != (sek_decode_best(r) == NULL))
    abort();
  sek_decode_result_free(r);
  sek_decode_result_free(r2);
  return 0;
}
