/*
 * emu_internal.h (internal): the behaviour table's row identifiers, for the emulator's code to
 * name the answer it gives (emu_behaviour.c holds the rows themselves), and the hooks tests and
 * oracles use to look inside an emulator.
 */
#ifndef SEK_EMU_INTERNAL_H
#define SEK_EMU_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <sek/emu.h>

/* One per row of the behaviour table, in table order. */
typedef enum {
  /* SecKeyCreateRandomKey */
  EMU_ROW_KEYGEN_NOT_SE_TOKEN,
  EMU_ROW_KEYGEN_NO_SECURE_ENCLAVE,
  EMU_ROW_KEYGEN_ACCESS_GROUP,
  EMU_ROW_KEYGEN_KEY_TYPE,
  EMU_ROW_KEYGEN_KEY_SIZE,
  EMU_ROW_KEYGEN_ACCESS_CONTROL,
  EMU_ROW_KEYGEN_ATTRIBUTE,
  EMU_ROW_KEYGEN_SYNCHRONIZABLE,
  EMU_ROW_KEYGEN_PASSCODE_NOT_SET,
  EMU_ROW_KEYGEN_DUPLICATE,
  /* SecItemCopyMatching / SecItemDelete */
  EMU_ROW_QUERY_PARAM,
  EMU_ROW_QUERY_NO_SUCH_ATTR,
  EMU_ROW_QUERY_NO_SUCH_CLASS,
  EMU_ROW_QUERY_NOT_FOUND,
  EMU_ROW_QUERY_LOCKED,
  EMU_ROW_QUERY_UNDECRYPTABLE,
  EMU_ROW_DELETE_NOT_FOUND,
  EMU_ROW_DELETE_LOCKED,
  /* SecKeyCreateSignature */
  EMU_ROW_SIGN_ALGORITHM,
  EMU_ROW_SIGN_DIGEST_SIZE,
  EMU_ROW_SIGN_NO_PRIVATE_KEY_USAGE,
  EMU_ROW_SIGN_LOCKED,
  EMU_ROW_SIGN_POLICY_INVALID,
  EMU_ROW_SIGN_CLASS_KEY_GONE,
  EMU_ROW_SIGN_PASSCODE_NOT_SET,
  EMU_ROW_SIGN_BIOMETRY_NOT_ENROLLED,
  EMU_ROW_SIGN_COMPANION_UNAVAILABLE,
  EMU_ROW_SIGN_NOT_INTERACTIVE,
  EMU_ROW_SIGN_USER_CANCEL,
  EMU_ROW_SIGN_AUTH_FAILED,
  EMU_ROW_SIGN_LOCKOUT,
  EMU_ROW_SIGN_FALLBACK,
  EMU_ROW_SIGN_SYSTEM_CANCEL,
  /* SecKeyVerifySignature */
  EMU_ROW_VERIFY_ALGORITHM,
  EMU_ROW_VERIFY_DIGEST_SIZE,
  EMU_ROW_VERIFY_RFC4754_LENGTH,
  EMU_ROW_VERIFY_MISMATCH,
  /* SecKeyCopyExternalRepresentation */
  EMU_ROW_EXPORT,
  /* any call: faults and the store */
  EMU_ROW_ALLOC,
  EMU_ROW_STORE_IO,
  EMU_ROW_STORE_READONLY,
  EMU_ROW_STORE_UNAVAILABLE,
  EMU_ROW_COUNT
} emu_row;

/* emu_behaviour_row: the row of an id (never NULL for a valid id). */
const sek_emu_behaviour *emu_behaviour_row(emu_row row);

/*
 * emu_testing_secrets calls cb for every secret the emulator holds: each stored key's private
 * scalar (32 bytes) and wrapped blob, and the device's root key.  For oracles that check that
 * no output ever contains one.  Returns 0 or a store status.
 */
int emu_testing_secrets(sek_emu *emu, void (*cb)(void *ctx, const uint8_t *p, size_t len),
                        void *ctx);

/*
 * emu_testing_fill adds n keys quickly for benchmarks: one real key is generated, and n rows
 * that share its scalar are written in one transaction, each with its own application label
 * (label_prefix followed by the decimal index) and its own encrypted row.  Returns 0 or a
 * store status.
 */
int emu_testing_fill(sek_emu *emu, size_t n, const char *label_prefix);

/*
 * emu_testing_fault_store_status: like sek_emu_fault_store, with the store status the failing
 * operations return (SEK_STORE_ERR_READONLY, _BUSY, ...), to test how each is answered.
 */
void emu_testing_fault_store_status(sek_emu *emu, unsigned count, int status);

#endif /* SEK_EMU_INTERNAL_H */
