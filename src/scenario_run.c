/*
 * scenario_run.c: plays a parsed scenario against a backend and an emulated device, keeps the
 * transcript, prints it, and checks it with the lifecycle oracle (include/sek/scenario.h).
 *
 * The runner never judges the backend: it records what each call returned, exactly, including
 * breaches of the interface's contract (a signature written by a failed call, an Apple status
 * without an error).  Judging is sek_transcript_check's job, which recomputes what it can
 * (signature validity through verify.h, the decoder's verdict) instead of trusting the steps.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <sek/scenario.h>
#include <sek/verify.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* errSecItemNotFound [SEC:SecBase.h], errSecVerifyFailed [SEC:SecBase.h] */
#define ERR_SEC_ITEM_NOT_FOUND (-25300)
#define ERR_SEC_VERIFY_FAILED (-67808)

/* A canary the runner fills the signature buffer with: a failed call must leave it alone. */
#define SIG_CANARY 0xA5u

/* ---- the transcript ------------------------------------------------------------------------ */

typedef struct {
  sek_scenario_step pub;
  /* owned copies of what pub points to */
  sek_error *error;
  char *error_text;
  char *text;
  char *algorithm;
  uint8_t *message;
} step_slot;

struct sek_transcript {
  step_slot *steps;
  size_t num_steps, cap_steps;
  size_t unmet;
  bool with_emulator;
};

static void slot_clear(step_slot *s) {
  sek_error_free(s->error);
  free(s->error_text);
  free(s->text);
  free(s->algorithm);
  free(s->message);
}

void sek_transcript_free(sek_transcript *t) {
  if (t == NULL)
    return;
  for (size_t i = 0; i < t->num_steps; i++)
    slot_clear(&t->steps[i]);
  free(t->steps);
  free(t);
}

sek_transcript *sek_transcript_new(bool with_emulator) {
  sek_transcript *t = calloc(1, sizeof *t);
  if (t != NULL)
    t->with_emulator = with_emulator;
  return t;
}

size_t sek_transcript_count(const sek_transcript *t) { return t == NULL ? 0 : t->num_steps; }

const sek_scenario_step *sek_transcript_step(const sek_transcript *t, size_t i) {
  if (t == NULL || i >= t->num_steps)
    return NULL;
  return &t->steps[i].pub;
}

size_t sek_transcript_unmet(const sek_transcript *t) { return t == NULL ? 0 : t->unmet; }

bool sek_transcript_with_emulator(const sek_transcript *t) { return t != NULL && t->with_emulator; }

/* A new zeroed slot at the end; NULL when out of memory. */
static step_slot *add_slot(sek_transcript *t) {
  if (t->num_steps == t->cap_steps) {
    size_t cap = t->cap_steps == 0 ? 16 : t->cap_steps * 2;
    step_slot *bigger = realloc(t->steps, cap * sizeof *bigger);
    if (bigger == NULL)
      return NULL;
    t->steps = bigger;
    t->cap_steps = cap;
  }
  step_slot *s = &t->steps[t->num_steps++];
  memset(s, 0, sizeof *s);
  s->pub.verdict_action = SEK_ACTION_UNKNOWN;
  s->pub.verdict_permanent = SEK_PERMANENT_UNKNOWN;
  s->pub.truth_action = SEK_ACTION_UNKNOWN;
  s->pub.truth_permanent = SEK_PERMANENT_UNKNOWN;
  return s;
}

static char *dup_str(const char *s) { return s == NULL ? NULL : strdup(s); }

static uint8_t *dup_bytes(const uint8_t *b, size_t n) {
  uint8_t *c = malloc(n == 0 ? 1 : n);
  if (c != NULL && n > 0)
    memcpy(c, b, n);
  return c;
}

/* The step's own copies of what was signed or verified (a transcript outlives its script). */
static int slot_keep_message(step_slot *s, const char *alg, const uint8_t *msg, size_t len) {
  s->algorithm = dup_str(alg);
  s->message = dup_bytes(msg, len);
  if ((alg != NULL && s->algorithm == NULL) || s->message == NULL)
    return SEK_ERR_NOMEM;
  s->pub.algorithm = s->algorithm;
  s->pub.message = s->message;
  s->pub.message_len = len;
  return SEK_OK;
}

/* Takes ownership of error: formats it and asks the decoder for its verdict. */
static int slot_set_error(step_slot *s, sek_error *error) {
  s->error = error;
  s->pub.error = error;
  s->error_text = sek_error_format(error);
  if (s->error_text == NULL)
    return SEK_ERR_NOMEM;
  s->pub.error_text = s->error_text;
  if (sek_error_verdict(error, &s->pub.verdict_action, &s->pub.verdict_permanent) != SEK_OK) {
    s->pub.verdict_action = SEK_ACTION_UNKNOWN;
    s->pub.verdict_permanent = SEK_PERMANENT_UNKNOWN;
  }
  return SEK_OK;
}

int sek_transcript_append(sek_transcript *t, const sek_scenario_step *step) {
  if (t == NULL || step == NULL)
    return SEK_ERR_ARG;
  step_slot *s = add_slot(t);
  if (s == NULL)
    return SEK_ERR_NOMEM;
  s->pub = *step;
  s->pub.error = NULL;
  s->pub.error_text = NULL;
  s->pub.text = s->text = dup_str(step->text != NULL ? step->text : "");
  s->pub.algorithm = s->algorithm = dup_str(step->algorithm);
  s->pub.message = s->message =
      step->message != NULL ? dup_bytes(step->message, step->message_len) : NULL;
  int st = s->text == NULL || (step->algorithm != NULL && s->algorithm == NULL) ||
                   (step->message != NULL && s->message == NULL)
               ? SEK_ERR_NOMEM
               : SEK_OK;
  if (st == SEK_OK && step->error != NULL) {
    sek_error *copy = sek_error_copy(step->error);
    if (copy == NULL) {
      st = SEK_ERR_NOMEM;
    } else {
      s->error = copy;
      s->pub.error = copy;
      s->error_text = step->error_text != NULL ? dup_str(step->error_text) : sek_error_format(copy);
      s->pub.error_text = s->error_text;
      if (s->error_text == NULL)
        st = SEK_ERR_NOMEM;
    }
  }
  if (st != SEK_OK) {
    slot_clear(s);
    t->num_steps--;
    return st;
  }
  if (step->result == SEK_STEP_UNMET)
    t->unmet++;
  return SEK_OK;
}

static const char *const result_names[] = {"ok",   "error", "failed",   "skipped",
                                           "held", "unmet", "no-device"};

const char *sek_step_result_name(sek_step_result r) {
  if ((size_t)r < N(result_names))
    return result_names[r];
  return "unknown";
}

/* ---- the runner ---------------------------------------------------------------------------- */

/* What the runner knows about one key name. */
typedef struct {
  sek_key *key;                  /* owned reference; NULL: none */
  unsigned bound_line;           /* the line of the create / find that last set it */
  const sek_attrs *create_attrs; /* of the last create (borrowed from the script) */
  bool has_sig;
  uint8_t sig[SEK_SIG_MAX_LEN];
  size_t sig_len;
  const char *alg; /* borrowed from the script */
  const uint8_t *msg;
  size_t msg_len;
} handle;

typedef struct {
  const sek_scenario *s;
  sek_backend *be;
  sek_emu *emu;
  sek_transcript *t;
  handle *h; /* one per key name */
} runner;

static void note(step_slot *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(step_slot *st, const char *fmt, ...) {
  size_t len = strlen(st->pub.note);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(st->pub.note + len, sizeof st->pub.note - len, fmt, ap);
  va_end(ap);
}

static unsigned long emu_serial(const runner *r) {
  sek_emu_truth truth;
  if (r->emu == NULL || sek_emu_last_truth(r->emu, &truth) != SEK_OK)
    return 0;
  return truth.serial;
}

/*
 * Records what one backend call returned: status and error, checked against each other.
 * Takes ownership of err.  serial_before: emu_serial() before the call.  Returns SEK_OK or
 * SEK_ERR_NOMEM (the run then stops).
 */
static int record(runner *r, step_slot *st, int status, sek_error *err,
                  unsigned long serial_before) {
  st->pub.status = status;
  if (status == SEK_OK) {
    st->pub.result = SEK_STEP_OK;
    if (err != NULL) {
      st->pub.status_error_mismatch = true;
      note(st, "the call succeeded but also returned an error; ");
      sek_error_free(err);
    }
    return SEK_OK;
  }
  if (status != SEK_BACKEND_ERR_APPLE) {
    st->pub.result = SEK_STEP_FAILED;
    if (err != NULL) {
      st->pub.status_error_mismatch = true;
      note(st, "status %d is not an Apple error, yet an error came with it; ", status);
      sek_error_free(err);
    }
    return SEK_OK;
  }
  st->pub.result = SEK_STEP_ERROR;
  if (err == NULL) {
    st->pub.status_error_mismatch = true;
    note(st, "Apple error status without an error object; ");
    return SEK_OK;
  }
  int rc = slot_set_error(st, err);
  if (rc != SEK_OK)
    return rc;
  sek_emu_truth truth;
  if (r->emu != NULL && sek_emu_last_truth(r->emu, &truth) == SEK_OK &&
      truth.serial > serial_before && truth.row != NULL) {
    st->pub.has_truth = true;
    st->pub.truth_row = truth.row->id;
    st->pub.truth_action = truth.action;
    st->pub.truth_permanent = truth.permanent;
  }
  return SEK_OK;
}

/* The key's id (no side effects on the device). */
static void note_kid(runner *r, step_slot *st, const sek_key *key) {
  if (r->emu != NULL && key != NULL && sek_emu_key_kid(r->emu, key, st->pub.kid) == SEK_OK)
    st->pub.has_kid = true;
}

/* The key's public key, read after the call (an error here only means "unknown"). */
static void note_pub(runner *r, step_slot *st, const sek_key *key) {
  sek_error *err = NULL;
  if (sek_backend_copy_public_key(r->be, key, st->pub.pub, &err) == SEK_OK)
    st->pub.has_pub = true;
  sek_error_free(err);
}

/* A step for an operation whose key name holds no key. */
static void no_key(runner *r, step_slot *st, size_t key) {
  st->pub.result = SEK_STEP_NO_KEY;
  const handle *h = &r->h[key];
  const char *name = sek_scenario_key_name(r->s, key);
  if (h->bound_line != 0)
    note(st, "'%s' holds no key: its create/find at line %u failed", name, h->bound_line);
  else
    note(st, "'%s' holds no key", name);
}

static void rebind(handle *h, sek_key *key, unsigned line) {
  sek_key_free(h->key);
  h->key = key;
  h->bound_line = line;
  h->has_sig = false;
}

static int do_create(runner *r, step_slot *st, const sek_scenario_op *op, const sek_attrs *attrs) {
  sek_key *key = NULL;
  sek_error *err = NULL;
  unsigned long serial = emu_serial(r);
  int status = sek_backend_create_random_key(r->be, attrs, &key, &err);
  int rc = record(r, st, status, err, serial);
  if (status != SEK_OK) {
    sek_key_free(key); /* written on success only; freed in case a backend broke that */
    key = NULL;
  }
  rebind(&r->h[op->key], key, op->line);
  r->h[op->key].create_attrs = attrs;
  note_kid(r, st, key);
  return rc;
}

static int do_find(runner *r, step_slot *st, const sek_scenario_op *op) {
  sek_items *items = NULL;
  sek_error *err = NULL;
  unsigned long serial = emu_serial(r);
  int status = sek_backend_copy_matching(r->be, op->attrs, &items, &err);
  int rc = record(r, st, status, err, serial);
  sek_key *key = NULL;
  if (status == SEK_OK) {
    st->pub.count = sek_items_count(items);
    key = sek_items_copy_key(items, 0);
    if (key == NULL)
      note(st, "no key reference in the results (the query has no kSecReturnRef: true)");
  }
  sek_items_free(items);
  rebind(&r->h[op->key], key, op->line);
  note_kid(r, st, key);
  return rc;
}

/* Copies one entry of src into dst under the same raw key; false when its kind is not copied. */
static bool copy_entry(sek_attrs *dst, const sek_attrs *src, const char *key) {
  const sek_value *v = sek_attrs_get(src, key);
  size_t len;
  const char *str;
  const uint8_t *data;
  switch (sek_value_kind_of(v)) {
  case SEK_VALUE_STRING:
    str = sek_value_string(v, &len);
    return v != NULL && sek_attrs_set_string(dst, key, str, len) == SEK_OK;
  case SEK_VALUE_DATA:
    data = sek_value_data(v, &len);
    return sek_attrs_set_data(dst, key, data, len) == SEK_OK;
  case SEK_VALUE_NUMBER: return sek_attrs_set_number(dst, key, sek_value_number(v)) == SEK_OK;
  case SEK_VALUE_BOOL: return sek_attrs_set_bool(dst, key, sek_value_bool(v)) == SEK_OK;
  case SEK_VALUE_CONSTANT:
    return sek_attrs_set_constant(dst, key, sek_value_string(v, NULL)) == SEK_OK;
  default: return false;
  }
}

static bool error_is(const sek_error *e, const char *domain, long code) {
  return e != NULL && strcmp(sek_error_domain(e), domain) == 0 && sek_error_code(e) == code;
}

/* Whether two data values hold the same bytes. */
static bool same_bytes(const sek_value *a, const sek_value *b) {
  size_t la, lb;
  const uint8_t *da = sek_value_data(a, &la), *db = sek_value_data(b, &lb);
  return da != NULL && db != NULL && la == lb && memcmp(da, db, la) == 0;
}

/*
 * The attributes of the keys table's UNIQUE constraint (apple-facts §8) that a query can name:
 * two stored items always differ in one of the constraint's columns, and these are the ones
 * an emulated or real key item sets.  Matching on them deletes that one item.
 */
static const char *const unique_keys[] = {"kcls", "klbl", "atag", "crtr", "type",
                                          "bsiz", "esiz", "agrp", "tkid"};

/*
 * delete KEY, the way an app that holds only the key reference does it: list the keychain's
 * keys (SecItemCopyMatching, references and attributes), find the item of this key by its token
 * object id (kSecAttrTokenOID, in both SecKeyCopyAttributes and the item), and SecItemDelete
 * with that item's unique attributes.  When no stored item is this key, the query is made from
 * the key's own attributes (its application label, key class and token), which is what the
 * backend then answers for: errSecItemNotFound when the key is gone.
 */
static int do_delete_key(runner *r, step_slot *st, sek_key *key) {
  sek_attrs *mine = NULL, *list_query = NULL, *query = NULL;
  sek_items *items = NULL;
  sek_error *err = NULL;
  unsigned long serial = emu_serial(r);
  int rc = SEK_OK;
  int status = sek_backend_copy_key_attributes(r->be, key, &mine, &err);
  if (status != SEK_OK) {
    note(st, "reading the key's attributes failed; ");
    return record(r, st, status, err, serial);
  }
  list_query = sek_attrs_new();
  query = sek_attrs_new();
  if (list_query == NULL || query == NULL ||
      sek_attrs_set_constant(list_query, "class", "keys") != SEK_OK ||
      sek_attrs_set_bool(list_query, "r_Ref", true) != SEK_OK ||
      sek_attrs_set_bool(list_query, "r_Attributes", true) != SEK_OK ||
      sek_attrs_set_constant(list_query, "m_Limit", "m_LimitAll") != SEK_OK ||
      sek_attrs_set_constant(query, "class", "keys") != SEK_OK) {
    rc = SEK_ERR_NOMEM;
    goto out;
  }
  serial = emu_serial(r);
  status = sek_backend_copy_matching(r->be, list_query, &items, &err);
  const sek_attrs *item = NULL;
  if (status == SEK_OK) {
    const sek_value *oid = sek_attrs_get(mine, "toid");
    for (size_t i = 0; i < sek_items_count(items) && item == NULL && oid != NULL; i++) {
      const sek_attrs *a = sek_items_attributes(items, i);
      if (same_bytes(sek_attrs_get(a, "toid"), oid))
        item = a;
    }
  } else {
    bool none = status == SEK_BACKEND_ERR_APPLE &&
                error_is(err, SEK_DOMAIN_OSSTATUS, ERR_SEC_ITEM_NOT_FOUND);
    if (!none) {
      note(st, "listing the keychain to find the key's item failed; ");
      rc = record(r, st, status, err, serial);
      goto out;
    }
    sek_error_free(err); /* an empty keychain: the key's item is gone */
    err = NULL;
  }
  const sek_attrs *from = item != NULL ? item : mine;
  for (size_t i = 0; i < sizeof unique_keys / sizeof unique_keys[0]; i++) {
    if (item == NULL && strcmp(unique_keys[i], "klbl") != 0 &&
        strcmp(unique_keys[i], "kcls") != 0 && strcmp(unique_keys[i], "tkid") != 0)
      continue;
    if (sek_attrs_get(from, unique_keys[i]) != NULL && !copy_entry(query, from, unique_keys[i])) {
      rc = SEK_ERR_NOMEM;
      goto out;
    }
  }
  if (item == NULL)
    note(st, "no stored item is this key; ");
  serial = emu_serial(r);
  status = sek_backend_delete(r->be, query, &err);
  rc = record(r, st, status, err, serial);
out:
  sek_items_free(items);
  sek_attrs_free(query);
  sek_attrs_free(list_query);
  sek_attrs_free(mine);
  return rc;
}

static int do_reenroll(runner *r, step_slot *st, const sek_scenario_op *op) {
  handle *h = &r->h[op->key];
  if (h->key != NULL) {
    /* The delete goes to a scratch step: the step reports the create unless the delete fails. */
    step_slot del;
    memset(&del, 0, sizeof del);
    int rc = do_delete_key(r, &del, h->key);
    if (rc != SEK_OK) {
      slot_clear(&del);
      return rc;
    }
    bool gone = del.pub.result == SEK_STEP_ERROR &&
                error_is(del.pub.error, SEK_DOMAIN_OSSTATUS, ERR_SEC_ITEM_NOT_FOUND);
    if (del.pub.result != SEK_STEP_OK && !gone) {
      const char *text = st->pub.text;
      unsigned line = st->pub.line;
      sek_scenario_verb verb = st->pub.verb;
      st->pub = del.pub;
      st->pub.text = text;
      st->pub.line = line;
      st->pub.verb = verb;
      st->error = del.error;
      st->error_text = del.error_text;
      note_kid(r, st, h->key);
      note(st, "reenroll stopped: the delete failed");
      return SEK_OK;
    }
    slot_clear(&del);
    if (gone)
      note(st, "delete: errSecItemNotFound (the key was gone already); ");
  }
  return do_create(r, st, op, h->create_attrs);
}

static int do_sign(runner *r, step_slot *st, const sek_scenario_op *op) {
  handle *h = &r->h[op->key];
  uint8_t sig[SEK_SIG_MAX_LEN];
  size_t sig_len = SIZE_MAX;
  sek_error *err = NULL;
  memset(sig, SIG_CANARY, sizeof sig);
  if (slot_keep_message(st, op->algorithm, op->message, op->message_len) != SEK_OK)
    return SEK_ERR_NOMEM;
  note_kid(r, st, h->key);
  unsigned long serial = emu_serial(r);
  int status = sek_backend_create_signature(r->be, h->key, op->algorithm, op->message,
                                            op->message_len, sig, sizeof sig, &sig_len, &err);
  int rc = record(r, st, status, err, serial);
  if (status == SEK_OK) {
    if (sig_len > sizeof sig) {
      st->pub.status_error_mismatch = true;
      note(st, "the call succeeded with a signature length of %zu; ", sig_len);
      sig_len = 0;
    }
    memcpy(st->pub.signature, sig, sig_len);
    st->pub.signature_len = sig_len;
    h->has_sig = sig_len > 0;
    memcpy(h->sig, sig, sig_len);
    h->sig_len = sig_len;
    h->alg = op->algorithm;
    h->msg = op->message;
    h->msg_len = op->message_len;
    note_pub(r, st, h->key);
  } else {
    bool wrote = sig_len != SIZE_MAX;
    for (size_t i = 0; i < sizeof sig; i++)
      wrote = wrote || sig[i] != SIG_CANARY;
    if (wrote) {
      st->pub.signature_with_error = true;
      size_t n = sig_len <= sizeof sig ? sig_len : sizeof sig;
      memcpy(st->pub.signature, sig, n);
      st->pub.signature_len = n;
      note(st, "the failed call wrote a signature; ");
    }
  }
  return rc;
}

static int do_verify(runner *r, step_slot *st, const sek_scenario_op *op) {
  handle *h = &r->h[op->key];
  if (!h->has_sig) {
    st->pub.result = SEK_STEP_NO_KEY;
    note(st, "'%s' has no signature to verify: its last sign failed or it was bound again",
         sek_scenario_key_name(r->s, op->key));
    return SEK_OK;
  }
  const uint8_t *msg = op->has_message ? op->message : h->msg;
  size_t msg_len = op->has_message ? op->message_len : h->msg_len;
  if (slot_keep_message(st, h->alg, msg, msg_len) != SEK_OK)
    return SEK_ERR_NOMEM;
  st->pub.message_is_signed_one =
      msg_len == h->msg_len && (msg_len == 0 || memcmp(msg, h->msg, msg_len) == 0);
  memcpy(st->pub.signature, h->sig, h->sig_len);
  st->pub.signature_len = h->sig_len;
  note_kid(r, st, h->key);
  sek_error *err = NULL;
  unsigned long serial = emu_serial(r);
  int status =
      sek_backend_verify_signature(r->be, h->key, h->alg, msg, msg_len, h->sig, h->sig_len, &err);
  int rc = record(r, st, status, err, serial);
  if (st->pub.result == SEK_STEP_OK ||
      (st->pub.result == SEK_STEP_ERROR &&
       error_is(st->pub.error, SEK_DOMAIN_OSSTATUS, ERR_SEC_VERIFY_FAILED)))
    note_pub(r, st, h->key);
  return rc;
}

static int do_pubkey(runner *r, step_slot *st, const sek_scenario_op *op) {
  handle *h = &r->h[op->key];
  sek_error *err = NULL;
  note_kid(r, st, h->key);
  unsigned long serial = emu_serial(r);
  int status = sek_backend_copy_public_key(r->be, h->key, st->pub.pub, &err);
  st->pub.has_pub = status == SEK_OK;
  return record(r, st, status, err, serial);
}

static int do_delete_query(runner *r, step_slot *st, const sek_scenario_op *op) {
  sek_error *err = NULL;
  unsigned long serial = emu_serial(r);
  int status = sek_backend_delete(r->be, op->attrs, &err);
  return record(r, st, status, err, serial);
}

/* A device control's status: controls never produce Apple errors. */
static void control(step_slot *st, int status) {
  st->pub.status = status;
  st->pub.result = status == SEK_OK ? SEK_STEP_OK : SEK_STEP_FAILED;
  if (status != SEK_OK)
    note(st, "%s", sek_strerror(status));
}

/*
 * A `device` line describes the device the run starts on; the caller made the emulator from it
 * (sek_scenario_device_config).  The runner cannot remake a device, so it checks: every aspect
 * the line takes away must be absent.  A device that does not match is an unmet step, never a
 * silent run on the wrong device.
 */
static int check_device_line(runner *r, step_slot *st, const sek_scenario_op *op) {
  sek_emu_state now;
  sek_emu_get_state(r->emu, &now);
  /* each aspect the line can name, the state field it is about and that field's value on the
   * device the line describes */
  static const struct {
    uint64_t bit;
    const char *word;
    size_t field; /* offsetof a bool of sek_emu_state */
    bool want;
  } aspects[] = {
      {SEK_SCENARIO_DEVICE_NO_SECURE_ENCLAVE, "no-secure-enclave",
       offsetof(sek_emu_state, has_secure_enclave), false},
      {SEK_SCENARIO_DEVICE_NO_PASSCODE, "no-passcode", offsetof(sek_emu_state, passcode_set),
       false},
      {SEK_SCENARIO_DEVICE_NO_BIOMETRY, "no-biometry", offsetof(sek_emu_state, biometry_enrolled),
       false},
      {SEK_SCENARIO_DEVICE_LOCKED, "locked", offsetof(sek_emu_state, locked), true},
  };
  for (size_t i = 0; i < sizeof aspects / sizeof aspects[0]; i++) {
    bool value = *(const bool *)((const char *)&now + aspects[i].field);
    if ((op->number & aspects[i].bit) && value != aspects[i].want) {
      st->pub.result = SEK_STEP_UNMET;
      note(st, "the emulated device is not '%s': make it with sek_scenario_device_config",
           aspects[i].word);
      r->t->unmet++;
      return SEK_OK;
    }
  }
  control(st, SEK_OK);
  return SEK_OK;
}

static int do_device(runner *r, step_slot *st, const sek_scenario_op *op) {
  sek_emu *e = r->emu;
  if (e == NULL) {
    st->pub.status = SEK_ERR_UNSUPPORTED;
    st->pub.result = SEK_STEP_NO_DEVICE;
    return SEK_OK;
  }
  int status;
  switch (op->verb) {
  case SEK_VERB_BIOMETRY_ENROLL: status = sek_emu_biometry_enroll(e); break;
  case SEK_VERB_BIOMETRY_CHANGE: status = sek_emu_biometry_change(e); break;
  case SEK_VERB_BIOMETRY_REMOVE: status = sek_emu_biometry_remove(e); break;
  case SEK_VERB_PASSCODE_SET: status = sek_emu_passcode_set(e); break;
  case SEK_VERB_PASSCODE_REMOVE: status = sek_emu_passcode_remove(e); break;
  case SEK_VERB_LOCK: status = sek_emu_lock(e); break;
  case SEK_VERB_UNLOCK: status = sek_emu_unlock(e); break;
  case SEK_VERB_REBOOT: status = sek_emu_reboot(e); break;
  case SEK_VERB_ANSWER: status = sek_emu_queue_answer(e, op->answer); break;
  case SEK_VERB_FAULT_STORE_IO:
    status = sek_emu_fault_store(e, op->number > UINT32_MAX ? UINT32_MAX : (unsigned)op->number);
    break;
  case SEK_VERB_FAULT_ALLOC:
    status = sek_emu_fault_alloc(e, op->number > UINT32_MAX ? UINT32_MAX : (unsigned)op->number);
    break;
  case SEK_VERB_FAULT_POLICY: {
    const handle *h = &r->h[op->key];
    if (h->key == NULL) {
      no_key(r, st, op->key);
      return SEK_OK;
    }
    status = sek_emu_key_kid(e, h->key, st->pub.kid);
    st->pub.has_kid = status == SEK_OK;
    if (status == SEK_OK)
      status = sek_emu_fault_corrupt_kid(e, st->pub.kid);
    break;
  }
  case SEK_VERB_DEVICE: return check_device_line(r, st, op);
  default: status = SEK_ERR_INTERNAL; break;
  }
  control(st, status);
  return SEK_OK;
}

/* ---- expectations ---- */

static const char *permanence_name(sek_permanence p) {
  return p == SEK_PERMANENT_YES  ? "permanent"
         : p == SEK_PERMANENT_NO ? "not permanent"
                                 : "permanence unknown";
}

/* What a call's step came to, for "got ...". */
static void outcome(const sek_scenario_step *call, char *buf, size_t cap) {
  switch (call->result) {
  case SEK_STEP_OK: snprintf(buf, cap, "ok"); break;
  case SEK_STEP_ERROR:
    if (call->error != NULL)
      snprintf(buf, cap, "error %s %ld", sek_error_domain(call->error),
               sek_error_code(call->error));
    else
      snprintf(buf, cap, "an Apple error status without an error object");
    break;
  case SEK_STEP_FAILED:
    snprintf(buf, cap, "a failure on our side: %s", sek_strerror(call->status));
    break;
  case SEK_STEP_NO_KEY: snprintf(buf, cap, "no call (%.160s)", call->note); break;
  case SEK_STEP_NO_DEVICE: snprintf(buf, cap, "nothing done (no emulated device)"); break;
  default: snprintf(buf, cap, "?"); break;
  }
}

static void check_expectation(const sek_scenario_op *op, const sek_scenario_step *call,
                              step_slot *st) {
  char got[200];
  outcome(call, got, sizeof got);
  bool held = false;
  switch (op->verb) {
  case SEK_VERB_EXPECT_OK:
    held = call->result == SEK_STEP_OK;
    if (!held)
      note(st, "expected ok, got %s", got);
    break;
  case SEK_VERB_EXPECT_ERROR:
    held = call->result == SEK_STEP_ERROR && error_is(call->error, op->domain, op->code);
    if (!held) {
      note(st, "expected error %s %ld, got %s", op->domain, op->code, got);
      break;
    }
    for (size_t i = 0; i < op->num_info && held; i++) {
      const sek_scenario_info *in = &op->info[i];
      long long v;
      const char *s;
      if (in->is_number) {
        held = sek_error_user_number(call->error, in->key, &v) == SEK_OK && v == in->number;
        if (!held && sek_error_user_number(call->error, in->key, &v) == SEK_OK)
          note(st, "expected %s=%lld, got %s=%lld", in->key, in->number, in->key, v);
        else if (!held)
          note(st, "expected %s=%lld, got no number %s in the user info", in->key, in->number,
               in->key);
      } else {
        s = sek_error_user_string(call->error, in->key);
        held = s != NULL && strcmp(s, in->string) == 0;
        if (!held)
          note(st, "expected %s=\"%s\", got %s%s%s", in->key, in->string, s ? "\"" : "no string",
               s ? s : "", s ? "\"" : "");
      }
    }
    break;
  case SEK_VERB_EXPECT_ACTION:
    held = call->result == SEK_STEP_ERROR && call->verdict_action == op->action;
    if (!held && call->result == SEK_STEP_ERROR)
      note(st, "expected action %s, got %s (the decoder's verdict on %s)",
           sek_action_name(op->action), sek_action_name(call->verdict_action), got);
    else if (!held)
      note(st, "expected action %s, got %s (no error to judge)", sek_action_name(op->action), got);
    break;
  case SEK_VERB_EXPECT_PERMANENT:
    held = call->result == SEK_STEP_ERROR && call->verdict_permanent == op->permanence;
    if (!held && call->result == SEK_STEP_ERROR)
      note(st, "expected %s, got %s (the decoder's verdict on %s)", permanence_name(op->permanence),
           permanence_name(call->verdict_permanent), got);
    else if (!held)
      note(st, "expected %s, got %s (no error to judge)", permanence_name(op->permanence), got);
    break;
  case SEK_VERB_EXPECT_COUNT:
    held = call->result == SEK_STEP_OK && call->count == op->number;
    if (!held && call->result == SEK_STEP_OK)
      note(st, "expected count %" PRIu64 ", got %zu", op->number, call->count);
    else if (!held)
      note(st, "expected count %" PRIu64 ", got %s", op->number, got);
    break;
  default: break;
  }
  st->pub.result = held ? SEK_STEP_HELD : SEK_STEP_UNMET;
}

static int run_op(runner *r, step_slot *st, const sek_scenario_op *op) {
  const handle *h = op->key != SIZE_MAX ? &r->h[op->key] : NULL;
  switch (op->verb) {
  case SEK_VERB_CREATE: return do_create(r, st, op, op->attrs);
  case SEK_VERB_FIND: return do_find(r, st, op);
  case SEK_VERB_DELETE_QUERY: return do_delete_query(r, st, op);
  case SEK_VERB_REENROLL: return do_reenroll(r, st, op);
  case SEK_VERB_SIGN:
  case SEK_VERB_VERIFY:
  case SEK_VERB_PUBKEY:
  case SEK_VERB_DELETE_KEY:
    if (h->key == NULL) {
      no_key(r, st, op->key);
      return SEK_OK;
    }
    if (op->verb == SEK_VERB_SIGN)
      return do_sign(r, st, op);
    if (op->verb == SEK_VERB_VERIFY)
      return do_verify(r, st, op);
    if (op->verb == SEK_VERB_PUBKEY)
      return do_pubkey(r, st, op);
    note_kid(r, st, h->key);
    return do_delete_key(r, st, h->key);
  case SEK_VERB_EXPECT_OK:
  case SEK_VERB_EXPECT_ERROR:
  case SEK_VERB_EXPECT_ACTION:
  case SEK_VERB_EXPECT_PERMANENT:
  case SEK_VERB_EXPECT_COUNT:
    check_expectation(op, &r->t->steps[op->call].pub, st);
    if (st->pub.result == SEK_STEP_UNMET)
      r->t->unmet++;
    return SEK_OK;
  default: return do_device(r, st, op);
  }
}

int sek_scenario_run(const sek_scenario *s, sek_backend *be, sek_emu *emu, sek_transcript **out) {
  if (s == NULL || be == NULL || out == NULL)
    return SEK_ERR_ARG;
  runner r = {s, be, emu, sek_transcript_new(emu != NULL), NULL};
  size_t num_keys = sek_scenario_num_keys(s);
  r.h = calloc(num_keys == 0 ? 1 : num_keys, sizeof *r.h);
  if (r.t == NULL || r.h == NULL) {
    sek_transcript_free(r.t);
    free(r.h);
    return SEK_ERR_NOMEM;
  }
  int rc = SEK_OK;
  for (size_t i = 0; i < sek_scenario_count(s) && rc == SEK_OK; i++) {
    const sek_scenario_op *op = sek_scenario_op_at(s, i);
    step_slot *st = add_slot(r.t);
    if (st == NULL) {
      rc = SEK_ERR_NOMEM;
      break;
    }
    st->pub.line = op->line;
    st->pub.verb = op->verb;
    st->text = sek_scenario_op_print(s, i);
    st->pub.text = st->text;
    if (st->text == NULL) {
      rc = SEK_ERR_NOMEM;
      break;
    }
    rc = run_op(&r, st, op);
  }
  for (size_t i = 0; i < num_keys; i++)
    sek_key_free(r.h[i].key);
  free(r.h);
  if (rc != SEK_OK) {
    sek_transcript_free(r.t);
    return rc;
  }
  *out = r.t;
  return r.t->unmet == 0 ? SEK_OK : SEK_SCENARIO_ERR_EXPECT;
}

/* ---- printing ------------------------------------------------------------------------------ */

/* The transcript printer writes to a memory stream (POSIX open_memstream). */
static void hex(FILE *f, const uint8_t *d, size_t n) {
  for (size_t i = 0; i < n; i++)
    fprintf(f, "%02x", d[i]);
}

static void print_step(FILE *f, const sek_scenario_step *st) {
  fprintf(f, "line %u: %s\n", st->line, st->text != NULL ? st->text : "");
  switch (st->result) {
  case SEK_STEP_OK:
    fprintf(f, "  ok");
    if (st->verb == SEK_VERB_FIND)
      fprintf(f, ", %zu result%s", st->count, st->count == 1 ? "" : "s");
    if (st->has_kid && st->verb != SEK_VERB_SIGN && st->verb != SEK_VERB_VERIFY)
      fprintf(f, ", kid=%s", st->kid);
    if (st->verb == SEK_VERB_SIGN && st->signature_len > 0) {
      fprintf(f, ", signature (%zu bytes) ", st->signature_len);
      hex(f, st->signature, st->signature_len);
    }
    if (st->verb == SEK_VERB_VERIFY)
      fprintf(f, ", the signature verifies");
    if (st->verb == SEK_VERB_PUBKEY && st->has_pub) {
      fprintf(f, ", public key ");
      hex(f, st->pub, sizeof st->pub);
    }
    fprintf(f, "\n");
    break;
  case SEK_STEP_ERROR:
    fprintf(f, "  error: %s\n", st->error_text != NULL ? st->error_text : "(no error object)");
    fprintf(f, "         verdict: %s, %s", sek_action_name(st->verdict_action),
            permanence_name(st->verdict_permanent));
    if (st->has_truth)
      fprintf(f, " (emulator row %s: %s, %s)", st->truth_row, sek_action_name(st->truth_action),
              permanence_name(st->truth_permanent));
    fprintf(f, "\n");
    break;
  case SEK_STEP_FAILED: fprintf(f, "  failed: %s\n", sek_strerror(st->status)); break;
  case SEK_STEP_NO_KEY: fprintf(f, "  skipped\n"); break;
  case SEK_STEP_HELD: fprintf(f, "  held\n"); break;
  case SEK_STEP_UNMET: fprintf(f, "  UNMET: %s\n", st->note); break;
  case SEK_STEP_NO_DEVICE:
    fprintf(f, "  skipped: needs the emulated device (this backend has none)\n");
    break;
  }
  if (st->note[0] != '\0' && st->result != SEK_STEP_UNMET)
    fprintf(f, "  note: %s\n", st->note);
}

char *sek_transcript_print(const sek_transcript *t) {
  if (t == NULL)
    return NULL;
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (f == NULL)
    return NULL;
  size_t expectations = 0;
  for (size_t i = 0; i < t->num_steps; i++) {
    const sek_scenario_step *st = &t->steps[i].pub;
    print_step(f, st);
    if (st->result == SEK_STEP_HELD || st->result == SEK_STEP_UNMET)
      expectations++;
  }
  if (t->unmet == 0)
    fprintf(f, "%zu operations, %zu expectations: all held\n", t->num_steps, expectations);
  else
    fprintf(f, "%zu operations, %zu expectations: %zu NOT held\n", t->num_steps, expectations,
            t->unmet);
  bool bad = ferror(f) != 0;
  if (fclose(f) != 0 || bad) {
    free(buf);
    return NULL;
  }
  return buf;
}

/* ---- the lifecycle oracle ------------------------------------------------------------------ */

static const char *const oracle_names[] = {"ok",       "bad_signature",    "signature_with_error",
                                           "contract", "dead_key_signed",  "verdict",
                                           "no_truth", "verify_disagrees", "pub_changed"};

const char *sek_oracle_kind_name(sek_oracle_kind k) {
  if ((size_t)k < N(oracle_names))
    return oracle_names[k];
  return "unknown";
}

/*
 * Verifies a signature independently of the backend: the digest by OpenSSL's EVP, the ECDSA
 * check by verify.h with SEK_VERIFY_HASH_NONE (any digest length, leftmost 256 bits — what
 * ECDSA over P-256 uses for every hash).  Returns 0 valid, 1 invalid, -1 cannot tell (an empty
 * digest, which verify.h does not take, or an algorithm outside the table) with *why set.
 */
static int independent_verify(const sek_scenario_step *st, const char **why) {
  const sek_scenario_algorithm *alg = sek_scenario_algorithm_find(st->algorithm);
  if (alg == NULL) {
    *why = "the algorithm is not ECDSA over P-256, the only kind the Secure Enclave has";
    return 1;
  }
  uint8_t digest[EVP_MAX_MD_SIZE];
  const uint8_t *d;
  size_t dlen;
  if (alg->is_message) {
    unsigned int out_len = 0;
    const EVP_MD *md = EVP_get_digestbyname(alg->hash);
    if (md == NULL || EVP_Digest(st->message_len == 0 ? (const void *)"" : st->message,
                                 st->message_len, digest, &out_len, md, NULL) != 1) {
      *why = "OpenSSL could not compute the digest";
      return -1;
    }
    d = digest;
    dlen = out_len;
  } else {
    if (alg->hash_len != 0 && st->message_len != alg->hash_len) {
      *why = "a digest of the wrong length was signed (Apple refuses it with errSecParam)";
      return 1;
    }
    d = st->message;
    dlen = st->message_len > 64 ? 64 : st->message_len; /* the leftmost bits are the ones used */
    if (dlen == 0) {
      *why = "an empty digest cannot be checked independently";
      return -1;
    }
  }
  int v = sek_verify_digest(SEK_VERIFY_HASH_NONE, st->pub, sizeof st->pub, d, dlen, st->signature,
                            st->signature_len, alg->is_raw_signature ? SEK_SIG_RAW : SEK_SIG_DER);
  if (v == SEK_OK)
    return 0;
  *why = sek_strerror(v);
  return 1;
}

typedef struct {
  char kid[17];
  bool dead; /* a sign failed with ground truth reenroll_key, permanent */
  unsigned dead_line;
  bool has_pub;
  uint8_t pub[65];
} oracle_key;

static int violation(sek_oracle_kind kind, sek_oracle_kind *out_kind, char *why, size_t cap,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int violation(sek_oracle_kind kind, sek_oracle_kind *out_kind, char *why, size_t cap,
                     const char *fmt, ...) {
  if (out_kind != NULL)
    *out_kind = kind;
  if (why != NULL && cap > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
    va_end(ap);
  }
  return SEK_SCENARIO_ERR_ORACLE;
}

int sek_transcript_check(const sek_transcript *t, sek_oracle_kind *out_kind, char *why,
                         size_t why_cap) {
  if (t == NULL)
    return SEK_ERR_ARG;
  if (out_kind != NULL)
    *out_kind = SEK_ORACLE_OK;
  if (why != NULL && why_cap > 0)
    why[0] = '\0';
  oracle_key *keys = calloc(t->num_steps == 0 ? 1 : t->num_steps, sizeof *keys);
  if (keys == NULL)
    return SEK_ERR_NOMEM;
  size_t num_keys = 0;
  int rc = SEK_OK;
  for (size_t i = 0; i < t->num_steps && rc == SEK_OK; i++) {
    const sek_scenario_step *st = &t->steps[i].pub;
    oracle_key *k = NULL;
    if (st->has_kid) {
      for (size_t j = 0; j < num_keys && k == NULL; j++)
        if (strcmp(keys[j].kid, st->kid) == 0)
          k = &keys[j];
      if (k == NULL) {
        k = &keys[num_keys++];
        memcpy(k->kid, st->kid, sizeof k->kid);
        k->kid[16] = '\0';
      }
    }
    if (st->signature_with_error) {
      rc = violation(SEK_ORACLE_SIGNATURE_WITH_ERROR, out_kind, why, why_cap,
                     "line %u: '%s' failed but wrote a signature", st->line, st->text);
      break;
    }
    if (st->status_error_mismatch) {
      rc = violation(SEK_ORACLE_CONTRACT, out_kind, why, why_cap,
                     "line %u: '%s': status and error disagree: %s", st->line, st->text, st->note);
      break;
    }
    if (st->result == SEK_STEP_ERROR && t->with_emulator) {
      sek_action action;
      sek_permanence perm;
      if (!st->has_truth) {
        rc = violation(SEK_ORACLE_NO_TRUTH, out_kind, why, why_cap,
                       "line %u: '%s': the emulator emitted %s without a behaviour row", st->line,
                       st->text, st->error_text);
        break;
      }
      if (sek_error_verdict(st->error, &action, &perm) != SEK_OK) {
        action = SEK_ACTION_UNKNOWN;
        perm = SEK_PERMANENT_UNKNOWN;
      }
      if (action != st->truth_action || perm != st->truth_permanent) {
        rc = violation(SEK_ORACLE_VERDICT, out_kind, why, why_cap,
                       "line %u: '%s': the decoder says %s, %s for %s; the emulator's row %s "
                       "says %s, %s",
                       st->line, st->text, sek_action_name(action), permanence_name(perm),
                       st->error_text, st->truth_row, sek_action_name(st->truth_action),
                       permanence_name(st->truth_permanent));
        break;
      }
    }
    if (st->has_pub && k != NULL) {
      if (!k->has_pub) {
        if (sek_verify_pub_check(st->pub, sizeof st->pub) != SEK_OK) {
          rc = violation(SEK_ORACLE_PUB_CHANGED, out_kind, why, why_cap,
                         "line %u: kid %s: the public key is not a valid P-256 point", st->line,
                         k->kid);
          break;
        }
        k->has_pub = true;
        memcpy(k->pub, st->pub, sizeof k->pub);
      } else if (memcmp(k->pub, st->pub, sizeof k->pub) != 0) {
        rc = violation(SEK_ORACLE_PUB_CHANGED, out_kind, why, why_cap,
                       "line %u: kid %s has a public key different from the one seen before",
                       st->line, k->kid);
        break;
      }
    }
    if (st->verb == SEK_VERB_SIGN && st->result == SEK_STEP_OK) {
      if (k != NULL && k->dead) {
        rc = violation(SEK_ORACLE_DEAD_KEY_SIGNED, out_kind, why, why_cap,
                       "line %u: kid %s signed again after failing permanently at line %u",
                       st->line, k->kid, k->dead_line);
        break;
      }
      const char *reason = NULL;
      if (st->signature_len == 0) {
        rc = violation(SEK_ORACLE_BAD_SIGNATURE, out_kind, why, why_cap,
                       "line %u: '%s' succeeded without a signature", st->line, st->text);
        break;
      }
      if (st->has_pub && independent_verify(st, &reason) == 1) {
        rc = violation(SEK_ORACLE_BAD_SIGNATURE, out_kind, why, why_cap,
                       "line %u: '%s': the signature does not verify with the key's public key "
                       "(%s)",
                       st->line, st->text, reason);
        break;
      }
    }
    /* Dead: the key itself is gone for good (reenroll_key, permanent) — not a call that can
       never work for another reason, such as an algorithm the key does not support. */
    if (st->verb == SEK_VERB_SIGN && st->result == SEK_STEP_ERROR && k != NULL && st->has_truth &&
        st->truth_action == SEK_ACTION_REENROLL_KEY && st->truth_permanent == SEK_PERMANENT_YES &&
        !k->dead) {
      k->dead = true;
      k->dead_line = st->line;
    }
    if (st->verb == SEK_VERB_VERIFY && st->has_pub && st->signature_len > 0) {
      bool said_ok = st->result == SEK_STEP_OK;
      bool said_no = st->result == SEK_STEP_ERROR &&
                     error_is(st->error, SEK_DOMAIN_OSSTATUS, ERR_SEC_VERIFY_FAILED);
      const char *reason = NULL;
      int v = said_ok || said_no ? independent_verify(st, &reason) : -1;
      if ((v == 0 && said_no) || (v == 1 && said_ok)) {
        rc = violation(SEK_ORACLE_VERIFY_DISAGREES, out_kind, why, why_cap,
                       "line %u: '%s': the backend says %s, an independent check says %s%s%s",
                       st->line, st->text, said_ok ? "valid" : "invalid",
                       v == 0 ? "valid" : "invalid", v == 1 ? ": " : "", v == 1 ? reason : "");
        break;
      }
    }
  }
  free(keys);
  return rc;
}
