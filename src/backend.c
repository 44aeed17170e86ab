/*
 * backend.c: the backend interface (include/sek/backend.h): argument checks, then dispatch
 * through the implementation's table of operations; key references and result lists.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sek/backend.h>
#include <sek/emu.h>

struct sek_backend {
  const sek_backend_ops *ops;
  void *impl;
};

struct sek_key {
  unsigned long refs;
  sek_backend *be;
  void *impl;
};

typedef struct {
  sek_key *key;
  sek_attrs *attrs;
  bool has_data;
  uint8_t *data;
  size_t data_len;
} item;

struct sek_items {
  size_t num, cap;
  item *items;
};

const char *sek_backend_strerror(int status) {
  switch (status) {
  case SEK_BACKEND_ERR_APPLE: return "the call failed as Apple's does (see the error)";
  case SEK_BACKEND_ERR_BUFFER: return "the output buffer is too small";
  case SEK_BACKEND_ERR_FOREIGN_KEY: return "the key belongs to another backend";
  case SEK_BACKEND_ERR_VALUE: return "a value that cannot be handed to Security.framework";
  case SEK_BACKEND_ERR_UNEXPECTED: return "Apple's answer has a shape the interface cannot carry";
  case SEK_EMU_ERR_CONFIG: return "the emulator configuration is not valid";
  case SEK_EMU_ERR_QUEUE_FULL: return "too many prompt answers queued";
  case SEK_EMU_ERR_NO_MATCH: return "no key in the keychain matches the fault's target";
  case SEK_EMU_ERR_STATE: return "not possible in the device's current state";
  case SEK_EMU_ERR_NO_ERROR: return "the emulator has not emitted an error yet";
  case SEK_EMU_ERR_FOREIGN_DEVICE: return "the keychain store belongs to another device (seed)";
  default: return "unknown backend status";
  }
}

sek_backend *sek_backend_new(const sek_backend_ops *ops, void *impl) {
  if (ops == NULL)
    return NULL;
  sek_backend *be = malloc(sizeof *be);
  if (be == NULL) {
    if (ops->destroy != NULL)
      ops->destroy(impl);
    return NULL;
  }
  be->ops = ops;
  be->impl = impl;
  return be;
}

void *sek_backend_impl(const sek_backend *be) { return be != NULL ? be->impl : NULL; }

const char *sek_backend_name(const sek_backend *be) {
  return be != NULL && be->ops->name != NULL ? be->ops->name : "unknown";
}

void sek_backend_free(sek_backend *be) {
  if (be == NULL)
    return;
  if (be->ops->destroy != NULL)
    be->ops->destroy(be->impl);
  free(be);
}

/* A key argument must be a handle of this backend. */
static int own_key(const sek_backend *be, const sek_key *key) {
  return key->be == be ? SEK_OK : SEK_BACKEND_ERR_FOREIGN_KEY;
}

int sek_backend_create_random_key(sek_backend *be, const sek_attrs *params, sek_key **out,
                                  sek_error **err) {
  if (be == NULL || params == NULL || out == NULL)
    return SEK_ERR_ARG;
  if (be->ops->create_random_key == NULL)
    return SEK_ERR_UNSUPPORTED;
  return be->ops->create_random_key(be->impl, params, out, err);
}

int sek_backend_copy_matching(sek_backend *be, const sek_attrs *query, sek_items **out,
                              sek_error **err) {
  if (be == NULL || query == NULL || out == NULL)
    return SEK_ERR_ARG;
  if (be->ops->copy_matching == NULL)
    return SEK_ERR_UNSUPPORTED;
  return be->ops->copy_matching(be->impl, query, out, err);
}

int sek_backend_delete(sek_backend *be, const sek_attrs *query, sek_error **err) {
  if (be == NULL || query == NULL)
    return SEK_ERR_ARG;
  if (be->ops->delete_items == NULL)
    return SEK_ERR_UNSUPPORTED;
  return be->ops->delete_items(be->impl, query, err);
}

int sek_backend_copy_public_key(sek_backend *be, const sek_key *key, uint8_t pub65[65],
                                sek_error **err) {
  if (be == NULL || key == NULL || pub65 == NULL)
    return SEK_ERR_ARG;
  int st = own_key(be, key);
  if (st != SEK_OK)
    return st;
  if (be->ops->copy_public_key == NULL)
    return SEK_ERR_UNSUPPORTED;
  return be->ops->copy_public_key(be->impl, key, pub65, err);
}

int sek_backend_copy_key_attributes(sek_backend *be, const sek_key *key, sek_attrs **out,
                                    sek_error **err) {
  if (be == NULL || key == NULL || out == NULL)
    return SEK_ERR_ARG;
  int st = own_key(be, key);
  if (st != SEK_OK)
    return st;
  if (be->ops->copy_key_attributes == NULL)
    return SEK_ERR_UNSUPPORTED;
  return be->ops->copy_key_attributes(be->impl, key, out, err);
}

int sek_backend_create_signature(sek_backend *be, const sek_key *key, const char *algorithm,
                                 const uint8_t *data, size_t len, uint8_t *sig, size_t sig_cap,
                                 size_t *sig_len, sek_error **err) {
  if (be == NULL || key == NULL || algorithm == NULL || (data == NULL && len > 0) || sig == NULL ||
      sig_len == NULL)
    return SEK_ERR_ARG;
  int st = own_key(be, key);
  if (st != SEK_OK)
    return st;
  if (be->ops->create_signature == NULL)
    return SEK_ERR_UNSUPPORTED;
  return be->ops->create_signature(be->impl, key, algorithm, data, len, sig, sig_cap, sig_len, err);
}

int sek_backend_verify_signature(sek_backend *be, const sek_key *key, const char *algorithm,
                                 const uint8_t *data, size_t len, const uint8_t *sig,
                                 size_t sig_len, sek_error **err) {
  if (be == NULL || key == NULL || algorithm == NULL || (data == NULL && len > 0) ||
      (sig == NULL && sig_len > 0))
    return SEK_ERR_ARG;
  int st = own_key(be, key);
  if (st != SEK_OK)
    return st;
  if (be->ops->verify_signature == NULL)
    return SEK_ERR_UNSUPPORTED;
  return be->ops->verify_signature(be->impl, key, algorithm, data, len, sig, sig_len, err);
}

int sek_backend_copy_external_representation(sek_backend *be, const sek_key *key, uint8_t *out,
                                             size_t out_cap, size_t *out_len, sek_error **err) {
  if (be == NULL || key == NULL || (out == NULL && out_cap > 0) || out_len == NULL)
    return SEK_ERR_ARG;
  int st = own_key(be, key);
  if (st != SEK_OK)
    return st;
  if (be->ops->copy_external_representation == NULL)
    return SEK_ERR_UNSUPPORTED;
  return be->ops->copy_external_representation(be->impl, key, out, out_cap, out_len, err);
}

/* ---- keys ---------------------------------------------------------------------------------- */

sek_key *sek_key_new(sek_backend *be, void *key_impl) {
  if (be == NULL)
    return NULL;
  sek_key *k = malloc(sizeof *k);
  if (k == NULL) {
    if (be->ops->key_free != NULL)
      be->ops->key_free(be->impl, key_impl);
    return NULL;
  }
  k->refs = 1;
  k->be = be;
  k->impl = key_impl;
  return k;
}

void *sek_key_impl(const sek_key *key, const sek_backend *be) {
  return key != NULL && key->be == be ? key->impl : NULL;
}

sek_key *sek_key_retain(sek_key *key) {
  if (key != NULL)
    key->refs++;
  return key;
}

void sek_key_free(sek_key *key) {
  if (key == NULL || --key->refs > 0)
    return;
  if (key->be->ops->key_free != NULL)
    key->be->ops->key_free(key->be->impl, key->impl);
  free(key);
}

size_t sek_key_description(const sek_key *key, char *buf, size_t cap) {
  if (key == NULL || key->be->ops->describe == NULL) {
    int n = snprintf(buf, cap, "<SecKeyRef: (null)>");
    return n > 0 ? (size_t)n : 0;
  }
  return key->be->ops->describe(key->be->impl, key, buf, cap);
}

/* ---- item lists ---------------------------------------------------------------------------- */

sek_items *sek_items_new(void) { return calloc(1, sizeof(sek_items)); }

int sek_items_append(sek_items *items, sek_key *key, sek_attrs *attrs, bool has_data,
                     const uint8_t *data, size_t data_len) {
  if (items == NULL || (has_data && data == NULL && data_len > 0)) {
    sek_key_free(key);
    sek_attrs_free(attrs);
    return SEK_ERR_ARG;
  }
  uint8_t *copy = NULL;
  if (has_data && (copy = malloc(data_len > 0 ? data_len : 1)) != NULL && data_len > 0)
    memcpy(copy, data, data_len);
  if (items->num == items->cap && (!has_data || copy != NULL)) {
    size_t ncap = items->cap == 0 ? 4 : items->cap * 2;
    item *bigger = realloc(items->items, ncap * sizeof *bigger);
    if (bigger != NULL) {
      items->items = bigger;
      items->cap = ncap;
    }
  }
  if ((has_data && copy == NULL) || items->num == items->cap) {
    free(copy);
    sek_key_free(key);
    sek_attrs_free(attrs);
    return SEK_ERR_NOMEM;
  }
  items->items[items->num++] = (item){key, attrs, has_data, copy, has_data ? data_len : 0};
  return SEK_OK;
}

size_t sek_items_count(const sek_items *items) { return items != NULL ? items->num : 0; }

static const item *item_at(const sek_items *items, size_t i) {
  return items != NULL && i < items->num ? &items->items[i] : NULL;
}

const sek_key *sek_items_key(const sek_items *items, size_t i) {
  const item *it = item_at(items, i);
  return it != NULL ? it->key : NULL;
}

sek_key *sek_items_copy_key(const sek_items *items, size_t i) {
  const item *it = item_at(items, i);
  return it != NULL ? sek_key_retain(it->key) : NULL;
}

const sek_attrs *sek_items_attributes(const sek_items *items, size_t i) {
  const item *it = item_at(items, i);
  return it != NULL ? it->attrs : NULL;
}

const uint8_t *sek_items_data(const sek_items *items, size_t i, size_t *len) {
  const item *it = item_at(items, i);
  if (it == NULL || !it->has_data)
    return NULL;
  if (len != NULL)
    *len = it->data_len;
  return it->data;
}

void sek_items_free(sek_items *items) {
  if (items == NULL)
    return;
  for (size_t i = 0; i < items->num; i++) {
    sek_key_free(items->items[i].key);
    sek_attrs_free(items->items[i].attrs);
    free(items->items[i].data);
  }
  free(items->items);
  free(items);
}
