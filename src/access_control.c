/*
 * access_control.c: SecAccessControlCreateWithFlags' validation and the description Apple prints
 * for a SecAccessControlRef (include/sek/attrs.h; apple-facts §5a, [SEC:AC.m]).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sek/attrs.h>

#include "attrs_internal.h"

/* The protections SecAccessControlSetProtection accepts ([SEC:AC.m], §5a). */
static const char *const protections[] = {"dk", "ck", "ak", "dku", "cku", "aku", "akpu", "f"};

/* The checks in Apple's order; each row is one errSecParam of SecAccessControlCreateWithFlags. */
static const struct {
  int status;
  const char *reason;
} checks[] = {
    {SEK_ATTRS_ERR_AC_PROTECTION, "SecAccessControl: invalid protection"},
    {SEK_ATTRS_ERR_AC_LOGICAL, "only one logical operation can be set"},
    {SEK_ATTRS_ERR_AC_BIO, "only one bio constraint can be set"},
    {SEK_ATTRS_ERR_AC_PRESENCE,
     "user presence can only be combined with application password and private key usage"},
};

static bool protection_ok(const char *p) {
  for (size_t i = 0; i < sizeof protections / sizeof protections[0]; i++)
    if (strcmp(p, protections[i]) == 0)
      return true;
  return false;
}

static int violated(const char *protection, uint32_t flags) {
  if (!protection_ok(protection))
    return SEK_ATTRS_ERR_AC_PROTECTION;
  if ((flags & SEK_AC_OR) && (flags & SEK_AC_AND))
    return SEK_ATTRS_ERR_AC_LOGICAL;
  if ((flags & SEK_AC_BIOMETRY_ANY) && (flags & SEK_AC_BIOMETRY_CURRENT_SET))
    return SEK_ATTRS_ERR_AC_BIO;
  if ((flags & SEK_AC_USER_PRESENCE) &&
      (flags & ~(SEK_AC_USER_PRESENCE | SEK_AC_APPLICATION_PASSWORD | SEK_AC_PRIVATE_KEY_USAGE)))
    return SEK_ATTRS_ERR_AC_PRESENCE;
  return SEK_OK;
}

int sek_access_control_check(const char *protection, uint32_t flags, const char **reason) {
  if (protection == NULL)
    return SEK_ERR_ARG;
  /* a kSecAttrAccessible… name stands for its raw class */
  const sek_attrs_name *row = sek_attrs_name_lookup(protection, SEK_NAME_CONSTANT);
  if (row != NULL && row->domain != NULL && strcmp(row->domain, "accessible") == 0)
    protection = row->raw;
  int st = violated(protection, flags);
  if (st != SEK_OK && reason != NULL)
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
      if (checks[i].status == st)
        *reason = checks[i].reason;
  return st;
}

/*
 * The constraint of each flag as the ACL prints it.  cbio, pbioc, pbioh and kofn are observed in
 * printed SE-key ACLs ([FORUM-769762], §3b); cpo(DeviceOwnerAuthentication) follows from
 * "UserPresence -> policy constraint (DeviceOwnerAuthentication)" [SEC:AC.m]; cup and cwtch are
 * inferred names (libaks_acl.h is private).  Sorted by text so that kofn lists are stable.
 */
static const struct {
  uint32_t bit;
  const char *text;
} constraints[] = {
    {SEK_AC_BIOMETRY_ANY, "cbio(pbioc())"},
    {SEK_AC_BIOMETRY_CURRENT_SET, "cbio(pbioc()pbioh())"},
    {SEK_AC_USER_PRESENCE, "cpo(DeviceOwnerAuthentication)"},
    {SEK_AC_DEVICE_PASSCODE, "cup(true)"},
    {SEK_AC_COMPANION, "cwtch(true)"},
};

/* Appends to buf (cap bytes, always NUL-terminated); returns false when it did not fit. */
static bool append(char *buf, size_t cap, size_t *used, const char *s) {
  size_t n = strlen(s);
  if (*used + n + 1 > cap)
    return false;
  memcpy(buf + *used, s, n + 1);
  *used += n;
  return true;
}

char *sek_access_control_describe(const char *protection, uint32_t flags) {
  if (protection == NULL)
    return NULL;
  const char *reason = NULL;
  const sek_attrs_name *row = sek_attrs_name_lookup(protection, SEK_NAME_CONSTANT);
  if (row != NULL && row->domain != NULL && strcmp(row->domain, "accessible") == 0)
    protection = row->raw;
  size_t cap = strlen(protection) + 512, used = 0;
  char *buf = malloc(cap);
  if (buf == NULL)
    return NULL;
  buf[0] = '\0';
  bool ok = append(buf, cap, &used, "<SecAccessControlRef: ");
  if (sek_access_control_check(protection, flags, &reason) != SEK_OK) {
    ok = ok && append(buf, cap, &used, "<invalid: ") && append(buf, cap, &used, reason) &&
         append(buf, cap, &used, ">>");
    if (!ok) {
      free(buf);
      return NULL;
    }
    return buf;
  }
  ok = ok && append(buf, cap, &used, protection);

  /* The constraint: none, one, or k-of-n (k = 1 for Or, n otherwise: And is the default). */
  char cons[256] = "";
  size_t cons_used = 0, n = 0;
  for (size_t i = 0; i < sizeof constraints / sizeof constraints[0]; i++)
    if (flags & constraints[i].bit)
      n++;
  if (n > 1) {
    char head[48];
    snprintf(head, sizeof head, "kofn(pkofn(%zu)", (flags & SEK_AC_OR) ? (size_t)1 : n);
    append(cons, sizeof cons, &cons_used, head);
  }
  for (size_t i = 0; i < sizeof constraints / sizeof constraints[0]; i++)
    if (flags & constraints[i].bit)
      append(cons, sizeof cons, &cons_used, constraints[i].text);
  if (n > 1)
    append(cons, sizeof cons, &cons_used, ")");
  const char *c = n > 0 ? cons : "true";

  /* Where it goes ([SEC:AC.m]): with PrivateKeyUsage on sign and compute-key (attest and
     KEM-decapsulate too, whose op strings were never observed and are left out), delete gets
     true; without it on decrypt, with encrypt and delete true; no flags: the default ACL. */
  struct {
    const char *op, *value;
  } ops[3];
  size_t num_ops = 0;
  if (flags & SEK_AC_PRIVATE_KEY_USAGE) {
    ops[num_ops].op = "ock", ops[num_ops++].value = c;
    ops[num_ops].op = "odel", ops[num_ops++].value = "true";
    ops[num_ops].op = "osgn", ops[num_ops++].value = c;
  } else if (n > 0 || (flags & SEK_AC_APPLICATION_PASSWORD)) {
    ops[num_ops].op = "od", ops[num_ops++].value = c;
    ops[num_ops].op = "odel", ops[num_ops++].value = "true";
    ops[num_ops].op = "oe", ops[num_ops++].value = "true";
  } else {
    ops[num_ops].op = "dacl", ops[num_ops++].value = "true"; /* inferred op name */
  }
  for (size_t i = 0; i < num_ops; i++)
    ok = ok && append(buf, cap, &used, ";") && append(buf, cap, &used, ops[i].op) &&
         append(buf, cap, &used, "(") && append(buf, cap, &used, ops[i].value) &&
         append(buf, cap, &used, ")");
  ok = ok && append(buf, cap, &used, ">");
  if (!ok) {
    free(buf);
    return NULL;
  }
  return buf;
}
