/*
 * emu.h: the emulated Secure Enclave, a device model behind the backend interface
 * (include/sek/backend.h) — not a mock.
 *
 * It generates real NIST P-256 keys and real ECDSA signatures that OpenSSL verifies, keeps keys
 * in a keychain store that survives the process (SQLite with the column names and UNIQUE key of
 * Apple's keychain-2.db `keys` table; ":memory:" for fuzzing), and never lets a private key out:
 * each is kept wrapped with AES-256-GCM under a per-device key, with the key's access control —
 * and, for .biometryCurrentSet, the enrollment set — bound as associated data.  An enrollment
 * change therefore makes the unwrap fail for real, which is how the seed failure
 * (CryptoTokenKit -3 "<sepk:p256 kid=...>: unable to sign digest", AKSError -536362999) arises.
 *
 * Device state: Secure Enclave present or not, passcode set, biometry enrolled and the current
 * enrollment set, locked or unlocked, unlocked since boot, the queue of the user's next answers
 * to authentication prompts, injected faults.  Every answer the emulator gives comes from ONE
 * behaviour table (src/backend/emulated/emu_behaviour.c, documented in docs/emulator.md); each
 * row is a situation and Apple's answer with its evidence, or marked inferred.  The row behind
 * the last error is available as ground truth (sek_emu_last_truth) for oracles.
 *
 * Rules for every function here:
 *  - Deterministic: all randomness comes from the seed (an HMAC-DRBG per instance; ECDSA
 *    nonces are a function of the device, the key and the digest, as RFC 6979's are).  The
 *    same seed and the same calls give the same keys, signatures, errors and store contents.
 *    Nothing reads the clock: dates come from an emulated clock.
 *  - No global state: an emulator is a value; several may live side by side.  One thread at a
 *    time per emulator.
 *  - Returns 0 or a negative status (this header's, backend.h's or status.h's); controls that
 *    change device state never produce an Apple error.
 *  - The store file, when created, has mode 0600; every change is one SQLite transaction.
 */
#ifndef SEK_EMU_H
#define SEK_EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sek/attrs.h>
#include <sek/backend.h>
#include <sek/error.h>
#include <sek/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Statuses of the emulator's own controls (-550 .. -599). */
enum sek_emu_status {
  SEK_EMU_ERR_CONFIG = -550,         /* the configuration is not valid (message says which field) */
  SEK_EMU_ERR_QUEUE_FULL = -551,     /* too many prompt answers queued (SEK_EMU_MAX_ANSWERS) */
  SEK_EMU_ERR_NO_MATCH = -552,       /* a fault named a key that is not in the keychain */
  SEK_EMU_ERR_STATE = -553,          /* the control is not possible in this device state */
  SEK_EMU_ERR_NO_ERROR = -554,       /* no Apple error has been emitted yet */
  SEK_EMU_ERR_FOREIGN_DEVICE = -555, /* the store was made by a device with another seed */
};

/* Statuses of the keychain store (-600 .. -699).  Messages name the file and SQLite's reason. */
enum sek_store_status {
  SEK_STORE_ERR_OPEN = -600,       /* the file cannot be opened or created */
  SEK_STORE_ERR_NOT_A_DB = -601,   /* the file is not an SQLite database */
  SEK_STORE_ERR_FOREIGN = -602,    /* an SQLite database, but not a sekfuzz keychain */
  SEK_STORE_ERR_CORRUPT = -603,    /* the database is damaged (integrity check, malformed rows) */
  SEK_STORE_ERR_VERSION = -604,    /* a keychain of a schema version this build does not know */
  SEK_STORE_ERR_CONSTRAINT = -605, /* a UNIQUE constraint failed: the item exists */
  SEK_STORE_ERR_IO = -606,         /* an I/O error (real or injected) */
  SEK_STORE_ERR_FULL = -607,       /* the disk is full */
  SEK_STORE_ERR_BUSY = -608,       /* another connection holds the database locked */
  SEK_STORE_ERR_READONLY = -609,   /* the database cannot be written */
  SEK_STORE_ERR_SQLITE = -610,     /* any other SQLite failure (message has SQLite's text) */
  SEK_STORE_ERR_NOT_FOUND = -611,  /* no such row */
};

/* sek_store_strerror names a status of -600 .. -699.  Never NULL. */
const char *sek_store_strerror(int status);

typedef struct sek_emu sek_emu;

/* The user's answer to the next authentication prompt (Face ID / Touch ID / passcode sheet). */
typedef enum {
  SEK_EMU_ANSWER_SUCCESS, /* authenticates */
  SEK_EMU_ANSWER_CANCEL,  /* taps Cancel: LAErrorUserCancel (-2) */
  SEK_EMU_ANSWER_FAIL,    /* does not match, retries used up: LAErrorAuthenticationFailed (-1) */
  SEK_EMU_ANSWER_LOCKOUT, /* too many failures: LAErrorBiometryLockout (-8) */
  SEK_EMU_ANSWER_NOT_INTERACTIVE, /* no UI possible (background): LAErrorNotInteractive (-1004) */
  SEK_EMU_ANSWER_FALLBACK,        /* taps "Enter Password": LAErrorUserFallback (-3) */
  SEK_EMU_ANSWER_SYSTEM_CANCEL,   /* the system dismissed the sheet: LAErrorSystemCancel (-4) */
} sek_emu_answer;

#define SEK_EMU_MAX_ANSWERS 64

/* sek_emu_answer_name returns "success", "cancel", ... (NULL for a value out of range). */
const char *sek_emu_answer_name(sek_emu_answer a);
/* sek_emu_answer_parse maps such a name back; 0 or SEK_ERR_ARG for an unknown name. */
int sek_emu_answer_parse(const char *name, sek_emu_answer *out);

typedef struct {
  uint64_t seed;            /* the device: its key hierarchy and every random draw */
  const char *store_path;   /* a file path, or NULL / ":memory:" for a private in-memory one */
  bool has_secure_enclave;  /* false: a Mac without T2/Apple silicon, the Simulator, a VM */
  bool passcode_set;        /* device passcode (needed for biometry and for ...PasscodeSet...) */
  bool biometry_enrolled;   /* Face ID / Touch ID enrolled (needs passcode_set) */
  bool locked;              /* starts locked (only meaningful with a passcode) */
  const char *access_group; /* kSecAttrAccessGroup of new items; NULL for the default */
  sek_emu_answer default_answer; /* the answer when the queue is empty */
} sek_emu_config;

/* The default access group: the app's first keychain-access-group (inferred shape). */
#define SEK_EMU_DEFAULT_ACCESS_GROUP "SEKFUZZ001.com.example.sekfuzz"

/*
 * sek_emu_config_default fills cfg with: seed 0, ":memory:", a Secure Enclave, a passcode,
 * biometry enrolled, unlocked, the default access group, default answer success.
 */
void sek_emu_config_default(sek_emu_config *cfg);

/*
 * sek_emu_new makes an emulated device.
 *   cfg        the device (copied; strings need not outlive the call).  For an existing store
 *              file the persisted device state (passcode, biometry, enrollment set) wins over
 *              cfg's: the file is the same device, reopened.  Its seed must be the one the file
 *              was made with.
 *   out        out: the emulator; free with sek_emu_free().
 *   why, why_cap   out (may be NULL/0): on failure, a NUL-terminated message naming the file
 *              and the reason, e.g. "keychain store /tmp/k.db: file is not a database".
 * Returns 0, SEK_EMU_ERR_CONFIG, SEK_EMU_ERR_FOREIGN_DEVICE, a SEK_STORE_ERR_... status for a
 * file that is not, or no longer, a keychain (never crashes on one), or SEK_ERR_NOMEM.
 */
int sek_emu_new(const sek_emu_config *cfg, sek_emu **out, char *why, size_t why_cap);

/* sek_emu_free closes the store and frees everything, including the backend.  NULL is fine. */
void sek_emu_free(sek_emu *emu);

/*
 * sek_emu_backend returns the emulator's backend interface (borrowed: it lives as long as the
 * emulator; do not sek_backend_free it).
 */
sek_backend *sek_emu_backend(sek_emu *emu);

/* ---- device controls ---------------------------------------------------------------------- */

/*
 * sek_emu_biometry_enroll adds an identity (a finger, a face, an alternate appearance): the
 * enrollment set changes, so .biometryCurrentSet keys made before are gone for good, while
 * .biometryAny keys keep working.  Needs a passcode (SEK_EMU_ERR_STATE otherwise, as iOS).
 * sek_emu_biometry_change resets and re-enrolls (same effect on keys; also when none was
 * enrolled).  sek_emu_biometry_remove removes every identity: .biometryCurrentSet keys are
 * gone, .biometryAny keys answer "not enrolled" until biometry is enrolled again.
 */
int sek_emu_biometry_enroll(sek_emu *emu);
int sek_emu_biometry_change(sek_emu *emu);
int sek_emu_biometry_remove(sek_emu *emu);

/*
 * sek_emu_passcode_set sets (or changes) the passcode.  sek_emu_passcode_remove removes it:
 * iOS then deletes every ...WhenPasscodeSetThisDeviceOnly item (their class key is destroyed,
 * so key references still held fail too) and turns biometry off (enrollment removed).  The
 * device can no longer be locked.
 */
int sek_emu_passcode_set(sek_emu *emu);
int sek_emu_passcode_remove(sek_emu *emu);

/*
 * sek_emu_lock / sek_emu_unlock lock and unlock the device.  Locked (with a passcode), the
 * when-unlocked classes (ak, aku, akpu) are unavailable: errSecInteractionNotAllowed (-25308).
 * Without a passcode the data protection classes are always available.
 */
int sek_emu_lock(sek_emu *emu);
int sek_emu_unlock(sek_emu *emu);

/*
 * sek_emu_reboot restarts the device: locked, and not unlocked since boot, so that the
 * after-first-unlock classes (ck, cku) are unavailable too until sek_emu_unlock.  The
 * UntilReboot class key is destroyed: its items are deleted (references held fail).  The answer
 * queue is kept; faults stay (they are damage, not state).
 */
int sek_emu_reboot(sek_emu *emu);

/*
 * sek_emu_queue_answer appends the user's answer to the next authentication prompt; prompts
 * take answers first in first out, and the default answer when the queue is empty.  A call
 * that fails before it prompts (the seed failure does: no Face ID sheet appears) takes none.
 * SEK_EMU_ERR_QUEUE_FULL beyond SEK_EMU_MAX_ANSWERS.  sek_emu_clear_answers empties it.
 */
int sek_emu_queue_answer(sek_emu *emu, sek_emu_answer answer);
void sek_emu_clear_answers(sek_emu *emu);

/* ---- faults ------------------------------------------------------------------------------- */

/*
 * sek_emu_fault_corrupt_key damages the stored access-control binding of the keys whose
 * application label (kSecAttrApplicationLabel) is klbl: from then on, and across reopen, they
 * fail to sign exactly as the seed's key does (the OS fault of the thread; permanent).
 * sek_emu_fault_corrupt_kid does it to the key with that kid (16 hex digits, as printed in
 * "<sepk:p256 kid=...>"), sek_emu_fault_corrupt_all to every key.  SEK_EMU_ERR_NO_MATCH when
 * no key is named.  Key references already held are affected too.
 */
int sek_emu_fault_corrupt_key(sek_emu *emu, const uint8_t *klbl, size_t klbl_len);
int sek_emu_fault_corrupt_kid(sek_emu *emu, const char *kid);
int sek_emu_fault_corrupt_all(sek_emu *emu);

/*
 * sek_emu_fault_store makes the next count keychain store operations (reads or writes) fail
 * with an I/O error (answered as errSecIO, -36); each failing write is rolled back, leaving the
 * store as it was.  0 disarms.
 */
int sek_emu_fault_store(sek_emu *emu, unsigned count);

/*
 * sek_emu_fault_alloc makes the nth allocation the emulator makes from now on fail (1 = the
 * next one), once; the operation then fails cleanly with errSecAllocate (-108) and changes
 * nothing.  0 disarms.  For out-of-memory testing the SQLite way: n counts up until the
 * operation succeeds.
 */
int sek_emu_fault_alloc(sek_emu *emu, unsigned nth);

/* ---- state and ground truth --------------------------------------------------------------- */

typedef struct {
  bool has_secure_enclave;
  bool passcode_set;
  bool biometry_enrolled;
  bool locked;
  bool unlocked_since_boot;
  uint32_t enrollment_generation; /* changes with every enroll / change / remove */
  size_t pending_answers;
  size_t key_count; /* items in the keychain (SEK_STORE_ERR_... ignored: 0) */
} sek_emu_state;

/* sek_emu_get_state fills *out. */
void sek_emu_get_state(sek_emu *emu, sek_emu_state *out);

/* One row of the behaviour table: a situation and Apple's answer to it. */
typedef struct {
  const char *id;        /* stable, e.g. "sign.policy_invalid" */
  const char *operation; /* the Apple call, e.g. "SecKeyCreateSignature" */
  const char *situation; /* what is true of the device, key and call */
  const char *domain;    /* the error's domain, as Apple prints it */
  long code;
  /* Templates: "{kid}" the key id, "{alg}" the algorithm string, "{key}" the SecKeyRef
   * description, "{detail}" a detail the emulator adds (e.g. the failing SQLite message). */
  const char *description;       /* NULL: none (an OSStatus alone) */
  const char *debug_description; /* the NSDebugDescription user-info entry, or NULL */
  bool has_aks_error;
  long long aks_error;           /* the AKSError user-info entry when has_aks_error */
  const char *underlying_domain; /* NSUnderlyingError, or NULL */
  long underlying_code;
  const char *underlying_description;
  sek_action action; /* ground truth for the decoder's verdict */
  sek_permanence permanent;
  const char *evidence; /* source tag of apple-facts.md, field report, or "inferred: ..." */
} sek_emu_behaviour;

/* sek_emu_behaviour_count / _at walk the behaviour table (static, read-only); _at returns NULL
 * out of range.  sek_emu_behaviour_find returns the row with that id or NULL. */
size_t sek_emu_behaviour_count(void);
const sek_emu_behaviour *sek_emu_behaviour_at(size_t i);
const sek_emu_behaviour *sek_emu_behaviour_find(const char *id);

typedef struct {
  unsigned long serial;         /* Apple errors emitted so far by this emulator (>= 1) */
  const sek_emu_behaviour *row; /* the row that produced the last one */
  sek_action action;
  sek_permanence permanent;
} sek_emu_truth;

/*
 * sek_emu_last_truth describes the last Apple error the emulator emitted (whatever call made
 * it): its behaviour row, action and permanence.  SEK_EMU_ERR_NO_ERROR before the first.
 * Compare serial before and after a call to tell whether that call emitted one.
 */
int sek_emu_last_truth(const sek_emu *emu, sek_emu_truth *out);

/* ---- oracles ------------------------------------------------------------------------------ */

/*
 * sek_emu_check_keygen says whether create_random_key would accept params in the current device
 * state, without side effects (no key, no random draw): 0, or SEK_BACKEND_ERR_APPLE with *err
 * the error create_random_key would give and the truth row set.  Not checked: clashes with
 * stored items (errSecDuplicateItem) and injected faults, which depend on the keychain.
 */
int sek_emu_check_keygen(sek_emu *emu, const sek_attrs *params, sek_error **err);

/*
 * sek_emu_copy_matching_reference is copy_matching computed the slow, obvious way: every row of
 * the keychain is loaded and decrypted, and the query is matched in memory (sek_query_matches)
 * — the oracle for the SQL path.  Same contract and results as sek_backend_copy_matching; it
 * ignores injected store faults.  A row it cannot decrypt (damaged, another device's) can only
 * be matched on its clear columns: it matches no term on kcls, labl, alis or atag.
 */
int sek_emu_copy_matching_reference(sek_emu *emu, const sek_attrs *query, sek_items **out,
                                    sek_error **err);

/*
 * sek_emu_key_kid writes the key's id as printed by the Secure Enclave ("1214c04d05261ee3", 16
 * lowercase hex digits and a NUL).  SEK_BACKEND_ERR_FOREIGN_KEY for a key of another backend.
 */
int sek_emu_key_kid(const sek_emu *emu, const sek_key *key, char kid[17]);

#ifdef __cplusplus
}
#endif

#endif /* SEK_EMU_H */
