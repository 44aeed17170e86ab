/*
 * scenario.h: scenario scripts (design §4.3) — a text a person can read, naming what happens
 * to a device, what the user answers and what the app calls, and what each call should return.
 * One parser turns it into a list of operations; one runner plays that list against a backend
 * and an emulated Secure Enclave and keeps a transcript.  `sek run` and the fuzz_lifecycle
 * target are its two users.
 *
 * Grammar (every statement is `VERB ARGS`, one per line; blanks are spaces and tabs; `#` starts a
 * comment that runs to the end of the line; an empty or comment-only line is nothing):
 *
 *   script     := { line "\n" }
 *   line       := [ statement ] [ "#" comment ]
 *   statement  := start | device | answer | fault | call | expect
 *   start      := "device" DEVWORD { DEVWORD }                 the device the run starts on; only
 *                                                              as the first statement
 *   DEVWORD    := "no-secure-enclave" | "no-passcode" | "no-biometry" | "locked"
 *               | "secure-enclave" | "passcode" | "biometry" | "unlocked"   (the defaults)
 *                 each aspect at most once; no-passcode implies no-biometry and excludes
 *                 "biometry" and "locked"
 *   device     := "biometry" ("enroll" | "change" | "remove")
 *               | "passcode" ("set" | "remove")
 *               | "lock" | "unlock" | "reboot"
 *   answer     := "answer" ANSWER                              queued; each prompt takes the next
 *   ANSWER     := a name of sek_emu_answer_name(), with '-' where it has '_' ('_' is accepted
 *                 too): success, cancel, fail, lockout, not-interactive, fallback, system-cancel
 *   fault      := "fault" ( "policy" KEY                       that key's policy is damaged
 *                         | "store-io" [N]                     the next N (default 1) store
 *                                                              operations fail
 *                         | "alloc" N )                        the emulator's Nth allocation fails
 *   call       := "create" KEY LITERAL                         SecKeyCreateRandomKey
 *               | "find" KEY LITERAL                           SecItemCopyMatching; KEY := the
 *                                                              first result
 *               | "sign" KEY [ALGORITHM] MESSAGE               SecKeyCreateSignature
 *               | "verify" KEY [MESSAGE]                       SecKeyVerifySignature of KEY's last
 *                                                              signature (over MESSAGE if given,
 *                                                              else over the message signed)
 *               | "pubkey" KEY                                 SecKeyCopyPublicKey + external repr.
 *               | "delete" (KEY | LITERAL)                     SecItemDelete
 *               | "reenroll" KEY                               delete KEY, then create again with
 *                                                              the attributes of its `create`
 *   expect     := "expect" ( "ok"
 *                          | "error" DOMAIN CODE { INFOKEY "=" (INTEGER | STRING) }
 *                          | "action" ACTION                   sek_action_name(), e.g. reenroll_key
 *                          | "permanent" [ "yes" | "no" | "unknown" ]
 *                          | "count" N )                       results of the last find
 *   KEY        := [A-Za-z_][A-Za-z0-9_.-]*  (at most SEK_SCENARIO_MAX_NAME bytes)
 *   LITERAL    := an attribute dictionary literal (design §4.1, include/sek/attrs.h) starting with
 *                 "[" and running, across lines, until its brackets balance; inside it "..."
 *                 strings are respected and `//` or `#` comments are blanked before attrs parses it
 *   ALGORITHM  := a name of the table in scenario.c, in any of its three spellings:
 *                 ecdsaSignatureMessageX962SHA256 (Swift, optionally with a leading "."),
 *                 kSecKeyAlgorithmECDSASignatureMessageX962SHA256,
 *                 algid:sign:ECDSA:message-X962:SHA256; or any other "algid:..." string,
 *                 passed through unchanged (so that unsupported algorithms can be asked for).
 *                 Default: ecdsaSignatureMessageX962SHA256.
 *   MESSAGE    := STRING | "hex:" HEXDIGITS   (an even number of digits; "hex:" alone is empty)
 *   STRING     := '"' { char | "\\" ("\\" | '"' | "n" | "t" | "r" | "0" | "x" HEX HEX) } '"'
 *   DOMAIN     := the error domain as Apple prints it: NSOSStatusErrorDomain, CryptoTokenKit,
 *                 com.apple.LocalAuthentication, ...
 *   CODE, INTEGER := [-]digits (fits in 32 bits);  N := digits (at most SEK_SCENARIO_MAX_NUMBER)
 *
 * Rules checked by the parser, each failure reported at a line and column with what was expected:
 *   - a KEY used by sign, verify, pubkey, delete KEY or fault policy must be bound by an earlier
 *     create or find; reenroll KEY needs an earlier create KEY; verify KEY an earlier sign KEY;
 *   - an expectation applies to the nearest call before it, and only other expectations may stand
 *     between them; `expect count` must apply to a find;
 *   - limits: SEK_SCENARIO_MAX_TEXT bytes, SEK_SCENARIO_MAX_LINES lines, SEK_SCENARIO_MAX_LINE_LEN
 *     bytes per line, SEK_SCENARIO_MAX_KEYS distinct key names; no NUL bytes, no control
 *     characters outside strings.
 *
 * Conventions: statuses as in include/sek/status.h (SEK_SCENARIO_ERR_* in -800..-899); a NULL
 * where a pointer is required returns SEK_ERR_ARG.  Outputs are untouched on failure except the
 * sek_scenario_error, which is filled on failure only.  A parsed script is immutable; everything
 * an operation points to is owned by the script and lives until sek_scenario_free().
 */
#ifndef SEK_SCENARIO_H
#define SEK_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sek/attrs.h>
#include <sek/backend.h>
#include <sek/emu.h>
#include <sek/error.h>
#include <sek/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Limits: each keeps a hostile script from costing more than a person's script ever would. */
#define SEK_SCENARIO_MAX_TEXT (1u << 20) /* 1 MiB: a long hand-written scenario is a few KiB */
#define SEK_SCENARIO_MAX_LINES 20000u    /* also bounds the number of operations */
#define SEK_SCENARIO_MAX_LINE_LEN 4096u  /* bytes per physical line, newline excluded */
#define SEK_SCENARIO_MAX_KEYS 64u        /* distinct key names: handles are searched linearly */
#define SEK_SCENARIO_MAX_NAME 64u        /* bytes of a key name */
#define SEK_SCENARIO_MAX_INFO 4u         /* user-info checks on one `expect error` line */
#define SEK_SCENARIO_MAX_NUMBER 1000000u /* N of `fault alloc N` and `expect count N` */
#define SEK_SCENARIO_MAX_DEPTH 64u       /* bracket nesting inside a literal */

enum sek_scenario_status {
  SEK_SCENARIO_ERR_SYNTAX = -800,  /* a line does not follow the grammar (the message says what
                                      was expected) */
  SEK_SCENARIO_ERR_VERB = -801,    /* the first word of a line is not a verb */
  SEK_SCENARIO_ERR_LITERAL = -802, /* an attribute literal is unbalanced or attrs rejected it */
  SEK_SCENARIO_ERR_NAME = -803,    /* a key name is used before a create/find binds it */
  SEK_SCENARIO_ERR_ORDER = -804,   /* an expectation without its call, or of the wrong call */
  SEK_SCENARIO_ERR_LIMIT = -805,   /* text, line, name or count over a SEK_SCENARIO_MAX_* limit */
  SEK_SCENARIO_ERR_EXPECT = -806,  /* sek_scenario_run: an expectation did not hold */
  SEK_SCENARIO_ERR_ORACLE = -807,  /* sek_transcript_check: a lifecycle property is broken */
  SEK_SCENARIO_ERR_DIFF = -808,    /* sek_transcript_diff: two runs disagree */
};

/* sek_scenario_strerror: message for a SEK_SCENARIO_ERR_* status (status.c routes -800..-899). */
const char *sek_scenario_strerror(int status);

/* What an operation does.  One value per distinct behaviour, so that a runner is one switch. */
typedef enum {
  SEK_VERB_DEVICE,          /* the starting device: op->number holds SEK_SCENARIO_DEVICE_* bits */
  SEK_VERB_BIOMETRY_ENROLL, /* device events */
  SEK_VERB_BIOMETRY_CHANGE,
  SEK_VERB_BIOMETRY_REMOVE,
  SEK_VERB_PASSCODE_SET,
  SEK_VERB_PASSCODE_REMOVE,
  SEK_VERB_LOCK,
  SEK_VERB_UNLOCK,
  SEK_VERB_REBOOT,
  SEK_VERB_ANSWER,           /* op->answer (the emulator's names: sek_emu_answer_name) */
  SEK_VERB_FAULT_POLICY,     /* op->key */
  SEK_VERB_FAULT_STORE_IO,   /* op->number: how many store operations fail */
  SEK_VERB_FAULT_ALLOC,      /* op->number */
  SEK_VERB_CREATE,           /* calls: op->key, op->attrs */
  SEK_VERB_FIND,             /* op->key, op->attrs (the query) */
  SEK_VERB_SIGN,             /* op->key, op->algorithm, op->message */
  SEK_VERB_VERIFY,           /* op->key, op->message if op->has_message */
  SEK_VERB_PUBKEY,           /* op->key */
  SEK_VERB_DELETE_KEY,       /* op->key */
  SEK_VERB_DELETE_QUERY,     /* op->attrs */
  SEK_VERB_REENROLL,         /* op->key */
  SEK_VERB_EXPECT_OK,        /* expectations: op->call is the index of the call they check */
  SEK_VERB_EXPECT_ERROR,     /* op->domain, op->code, op->info[0..num_info) */
  SEK_VERB_EXPECT_ACTION,    /* op->action */
  SEK_VERB_EXPECT_PERMANENT, /* op->permanence */
  SEK_VERB_EXPECT_COUNT,     /* op->number */
} sek_scenario_verb;

/* Bits of a `device` line (op->number): how the starting device differs from the default. */
#define SEK_SCENARIO_DEVICE_NO_SECURE_ENCLAVE 0x1u
#define SEK_SCENARIO_DEVICE_NO_PASSCODE 0x2u /* also sets NO_BIOMETRY */
#define SEK_SCENARIO_DEVICE_NO_BIOMETRY 0x4u
#define SEK_SCENARIO_DEVICE_LOCKED 0x8u

/* One `INFOKEY=VALUE` check of `expect error`: the top error's user info holds that entry. */
typedef struct {
  const char *key; /* e.g. "AKSError" */
  bool is_number;  /* true: compare number, else compare string */
  long long number;
  const char *string; /* NUL-terminated; may not contain NUL */
} sek_scenario_info;

/*
 * One operation.  Fields that the verb does not use are zero / NULL.  key is the index of the
 * key name in the script's name table (sek_scenario_key_name) or SIZE_MAX.
 */
typedef struct {
  sek_scenario_verb verb;
  unsigned line, col; /* where the verb starts (1-based) */
  size_t key;
  const sek_attrs *attrs; /* create, find, delete query */
  const char *algorithm;  /* sign: the raw algid ("algid:sign:ECDSA:message-X962:SHA256") */
  const uint8_t *message; /* sign, verify: bytes (not NUL-terminated; NULL when empty) */
  size_t message_len;
  bool has_message;      /* verify: a message was given */
  sek_emu_answer answer; /* answer */
  uint64_t number;       /* fault alloc N, fault store-io N, expect count N */
  size_t call;           /* expectations: index of the operation they check */
  const char *domain;    /* expect error */
  long code;
  const sek_scenario_info *info; /* expect error: num_info checks */
  size_t num_info;
  sek_action action;         /* expect action */
  sek_permanence permanence; /* expect permanent */
} sek_scenario_op;

typedef struct sek_scenario sek_scenario;

/* Where and why a script was refused. */
typedef struct {
  unsigned line, col; /* 1-based; col counts bytes */
  char message[256];  /* NUL-terminated English: what was found and what was expected */
} sek_scenario_error;

/*
 * sek_scenario_parse: parses len bytes of text (need not be NUL-terminated).
 * Out: *out = a newly allocated script (free with sek_scenario_free).
 * Returns 0; SEK_SCENARIO_ERR_* with *err filled (if err is not NULL); SEK_ERR_NOMEM;
 * SEK_ERR_ARG if text is NULL with len > 0 or out is NULL.  An empty script is valid.
 */
int sek_scenario_parse(const char *text, size_t len, sek_scenario **out, sek_scenario_error *err);

/*
 * sek_scenario_device_config: applies the script's `device` line (if it has one) to cfg, which
 * the caller filled first (sek_emu_config_default): no-secure-enclave clears
 * has_secure_enclave, no-passcode passcode_set and biometry_enrolled, no-biometry
 * biometry_enrolled, locked sets locked.  Fields the line does not name are left alone.  Make
 * the emulator with the result: sek_scenario_run checks that the device matches the line.
 * Returns 0, or SEK_ERR_ARG for a NULL argument.
 */
int sek_scenario_device_config(const sek_scenario *s, sek_emu_config *cfg);

/* sek_scenario_free: frees the script and everything its operations point to.  NULL is fine. */
void sek_scenario_free(sek_scenario *s);

/* sek_scenario_count: number of operations (comments and empty lines make none). */
size_t sek_scenario_count(const sek_scenario *s);

/* sek_scenario_op_at: the i-th operation, or NULL if i is out of range.  Owned by the script. */
const sek_scenario_op *sek_scenario_op_at(const sek_scenario *s, size_t i);

/* sek_scenario_num_keys / sek_scenario_key_name: the distinct key names, in order of first use. */
size_t sek_scenario_num_keys(const sek_scenario *s);
const char *sek_scenario_key_name(const sek_scenario *s, size_t key); /* NULL if out of range */

/*
 * sek_scenario_op_print: operation i in the canonical form, one line without a newline: verbs
 * and key names as written, literals by sek_attrs_print folded onto one line, the algorithm by
 * its Swift name (raw algid when not in the table), messages as "text" when every byte is
 * printable ASCII and as hex: otherwise.  Newly allocated (free()); NULL when i is out of range
 * or memory runs out.
 */
char *sek_scenario_op_print(const sek_scenario *s, size_t i);

/*
 * sek_scenario_print: every operation, canonically, one per line, each ending in "
".  Parsing
 * the result gives a script that prints the same text (a fixed point).  Newly allocated (free()),
 * or NULL when memory runs out; an empty script prints "".
 */
char *sek_scenario_print(const sek_scenario *s);

/* sek_scenario_verb_name: "biometry enroll", "sign", "expect error", ... (static; never NULL). */
const char *sek_scenario_verb_name(sek_scenario_verb v);

/* sek_scenario_is_call: true for create, find, sign, verify, pubkey, delete, reenroll. */
bool sek_scenario_is_call(sek_scenario_verb v);

/*
 * sek_scenario_algorithm_lookup: maps an algorithm name in any accepted spelling (see ALGORITHM)
 * to the raw algid string of the table (static), or NULL if the name is not in the table.
 * Strings starting with "algid:" that are not in the table also give NULL: the parser passes them
 * through itself.
 */
const char *sek_scenario_algorithm_lookup(const char *name, size_t len);

/* What an algorithm of the table is (the facts an independent verifier needs). */
typedef struct {
  const char *raw;       /* "algid:sign:ECDSA:message-X962:SHA256" */
  bool is_message;       /* message-*: the input is hashed first; digest-*: it is the digest */
  bool is_raw_signature; /* RFC4754: r || s, 64 bytes; X962: DER */
  const char *hash;      /* OpenSSL digest name ("SHA256"), NULL for the digest forms without one */
  size_t hash_len;       /* that digest's length in bytes, 0 when none */
} sek_scenario_algorithm;

/* sek_scenario_algorithm_find: the row of a raw algid string, or NULL (not ECDSA, or unknown). */
const sek_scenario_algorithm *sek_scenario_algorithm_find(const char *raw);

/* ---- running a script --------------------------------------------------------------------- */

/*
 * The runner plays every operation in order against a backend and, when given, the emulated
 * device behind it, and records one step per operation.  It keeps one handle per key name: the
 * key reference of the last create or find of that name (none when that call failed), the
 * attributes of its last create (for reenroll), and its last signature, algorithm and message
 * (for verify).  What each verb does:
 *   device (the first line)  checks that the emulator has none of what the line takes away
 *                 (made with sek_scenario_device_config): SEK_STEP_OK, else SEK_STEP_UNMET with a
 *                 note (an unmet expectation of the run).  Without an emulator:
 *                 SEK_STEP_NO_DEVICE.
 *   device verbs, answer, fault   the sek_emu_* control of the same name (fault policy KEY:
 *                 sek_emu_fault_corrupt_kid of KEY's key; fault store-io N: sek_emu_fault_store;
 *                 fault alloc N: sek_emu_fault_alloc).  Without an emulator: SEK_STEP_NO_DEVICE
 *                 with SEK_ERR_UNSUPPORTED.
 *   create        sek_backend_create_random_key; KEY := the new key (or none)
 *   find          sek_backend_copy_matching; KEY := the first result's reference (or none);
 *                 the step's count is the number of results
 *   sign          sek_backend_create_signature into a SEK_SIG_MAX_LEN buffer
 *   verify        sek_backend_verify_signature of KEY's last signature
 *   pubkey        sek_backend_copy_public_key
 *   delete KEY    as an app holding only the reference does: list the keychain's keys
 *                 (copy_matching, refs + attributes, match limit all), take the item whose
 *                 kSecAttrTokenOID is the key's (sek_backend_copy_key_attributes), and delete
 *                 with that item's unique attributes (kcls klbl atag crtr type bsiz esiz agrp
 *                 tkid); with no such item, with the key's own klbl, kcls and tkid — the
 *                 backend's answer is then errSecItemNotFound
 *   delete [..]   sek_backend_delete with the literal
 *   reenroll KEY  delete KEY as above (errSecItemNotFound is no failure: the key is gone
 *                 already), then create with the attributes of KEY's last create
 *   expect ...    compares with the step of the call it checks: `ok` that the call succeeded;
 *                 `error` the top error's domain, code and the user-info entries named;
 *                 `action` / `permanent` the decoder's verdict (sek_error_verdict) on its error;
 *                 `count` the results of the find.  Failing ones are SEK_STEP_UNMET with a note
 *                 "expected ..., got ...".
 * For the oracles, after a successful sign or verify the runner also reads the key's public key
 * (sek_backend_copy_public_key) and, with an emulator, the key id (sek_emu_key_kid) and, after
 * each Apple error, the behaviour row behind it (sek_emu_last_truth).  Those reads happen after
 * the call, so an injected fault is taken by the call it was meant for.
 */

typedef enum {
  SEK_STEP_OK,     /* the event was applied or the call succeeded */
  SEK_STEP_ERROR,  /* the call failed the way Apple fails (SEK_BACKEND_ERR_APPLE): step->error */
  SEK_STEP_FAILED, /* the call or control failed on our side of the interface: step->status */
  SEK_STEP_NO_KEY, /* the key name holds no key (its create or find failed): nothing was called */
  SEK_STEP_HELD,   /* an expectation held */
  SEK_STEP_UNMET,  /* an expectation did not hold: step->note says what was expected and got */
  SEK_STEP_NO_DEVICE, /* a device, answer or fault step on a backend without an emulated device
                         (a real one cannot be told to change its enrollment): nothing was done */
} sek_step_result;

/* sek_step_result_name: "ok", "error", "failed", "skipped", "held", "unmet", "no-device"
 * (static, never NULL) */
const char *sek_step_result_name(sek_step_result r);

/* Everything a step records.  Pointers are owned by the transcript. */
typedef struct {
  unsigned line; /* the operation's line in the script */
  sek_scenario_verb verb;
  const char *text; /* the operation, canonical (sek_scenario_op_print) */
  sek_step_result result;
  int status; /* the call's return value (0 for OK, HELD, UNMET) */
  /* SEK_STEP_ERROR */
  const sek_error *error;    /* Apple's error, exactly as the backend returned it */
  const char *error_text;    /* sek_error_format(error) */
  sek_action verdict_action; /* sek_error_verdict(error) */
  sek_permanence verdict_permanent;
  bool has_truth;        /* the emulator named the behaviour row behind error */
  const char *truth_row; /* its id (static, the emulator's table) */
  sek_action truth_action;
  sek_permanence truth_permanent;
  /* the key involved (sign, verify, pubkey, create, find, reenroll, fault policy, delete KEY) */
  bool has_kid;
  char kid[17]; /* sek_emu_key_kid */
  bool has_pub;
  uint8_t pub[65]; /* X9.63, read after the call (see above) */
  /* sign (the signature made) and verify (the signature checked) */
  const char *algorithm;
  const uint8_t *message; /* sign: signed; verify: the message checked */
  size_t message_len;
  bool message_is_signed_one; /* verify: message equals the one the signature was made over */
  uint8_t signature[SEK_SIG_MAX_LEN];
  size_t signature_len; /* 0: none */
  /* find */
  size_t count;
  /* contract breaches seen at the interface (the lifecycle oracle rejects each) */
  bool signature_with_error;  /* a failed sign still wrote a signature (or its length) */
  bool status_error_mismatch; /* Apple status without an error, or an error with another one */
  char note[256];             /* UNMET: "expected ..., got ..."; otherwise extra facts or "" */
} sek_scenario_step;

typedef struct sek_transcript sek_transcript;

/*
 * sek_scenario_run plays s against be and, when not NULL, emu (whose backend be normally is:
 * sek_emu_backend(emu)).  The device, keychain and answer queue are used as they are: a fresh
 * emulator gives a fresh run.
 * Out: *out = the transcript (free with sek_transcript_free), also when expectations fail.
 * Returns 0 (every expectation held), SEK_SCENARIO_ERR_EXPECT (at least one did not; the
 * transcript says which), SEK_ERR_NOMEM (no transcript), SEK_ERR_ARG.
 */
int sek_scenario_run(const sek_scenario *s, sek_backend *be, sek_emu *emu, sek_transcript **out);

/* sek_transcript_free: frees the transcript and all its steps.  NULL is fine. */
void sek_transcript_free(sek_transcript *t);

/* sek_transcript_count / _step: the steps in order (_step: NULL out of range; borrowed). */
size_t sek_transcript_count(const sek_transcript *t);
const sek_scenario_step *sek_transcript_step(const sek_transcript *t, size_t i);

/* sek_transcript_unmet: how many expectations did not hold. */
size_t sek_transcript_unmet(const sek_transcript *t);

/* sek_transcript_with_emulator: whether the run had an emulator (then every error has a truth). */
bool sek_transcript_with_emulator(const sek_transcript *t);

/*
 * sek_transcript_print: the transcript as text, per step the operation (canonical), its result
 * and any note, then a summary line:
 *   line 90: sign strict "hello"
 *     error: Error Domain=CryptoTokenKit Code=-3 "<sepk:p256 kid=...>: ..." UserInfo={...}
 *            verdict: reenroll_key, permanent (emulator row sign.policy_invalid: ...)
 *   line 91: expect error CryptoTokenKit -3 AKSError=-536362999
 *     held
 *   51 operations, 24 expectations: all held
 * Deterministic: the same run prints the same text.  Newly allocated (free()), or NULL when out
 * of memory.
 */
char *sek_transcript_print(const sek_transcript *t);

/*
 * For test doubles and other producers of transcripts (a real-device run, a fabricated one):
 * sek_transcript_new returns an empty transcript (with_emulator as given) or NULL;
 * sek_transcript_append copies *step into it (text, error — deep copied —, error_text,
 * algorithm and message are copied; a NULL error_text is filled from error).  Returns 0,
 * SEK_ERR_NOMEM or SEK_ERR_ARG.
 */
sek_transcript *sek_transcript_new(bool with_emulator);
int sek_transcript_append(sek_transcript *t, const sek_scenario_step *step);

/* ---- the lifecycle oracle (design §6) ------------------------------------------------------ */

/* What sek_transcript_check found wrong: the first broken property. */
typedef enum {
  SEK_ORACLE_OK = 0,
  SEK_ORACLE_BAD_SIGNATURE = 1, /* a successful signature does not verify with the key's pub */
  SEK_ORACLE_SIGNATURE_WITH_ERROR = 2, /* a failed sign wrote a signature */
  SEK_ORACLE_CONTRACT = 3,             /* status and error disagree at the backend interface */
  SEK_ORACLE_DEAD_KEY_SIGNED = 4,      /* a key that failed permanently signed again */
  SEK_ORACLE_VERDICT = 5,              /* the decoder's verdict differs from the emulator's truth */
  SEK_ORACLE_NO_TRUTH = 6,             /* an emulator's Apple error without a behaviour row */
  SEK_ORACLE_VERIFY_DISAGREES = 7, /* the backend's verify answer differs from an independent one */
  SEK_ORACLE_PUB_CHANGED = 8,      /* one key id, two public keys (or an invalid point) */
} sek_oracle_kind;

/* sek_oracle_kind_name: "bad_signature", "verdict", ... (static; never NULL). */
const char *sek_oracle_kind_name(sek_oracle_kind k);

/*
 * sek_transcript_check runs the lifecycle oracle over a transcript, recomputing what it can
 * instead of trusting the step's own fields:
 *   - every successful signature verifies (include/sek/verify.h, digests by OpenSSL) with the
 *     public key recorded for that step, for the algorithm's hash and encoding; a success with
 *     an algorithm that is not ECDSA (the enclave has only P-256) is a bad signature too;
 *   - no failed sign wrote a signature; status and error agree;
 *   - a key (by kid) whose sign failed with ground truth reenroll_key + permanent (the key is
 *     gone, not merely the call refused) never signs again;
 *   - on each Apple error of an emulator run: sek_error_verdict(error) equals the truth's action
 *     and permanence, and the truth exists;
 *   - a verify step's answer (ok / errSecVerifyFailed) equals an independent verification;
 *   - each kid has one public key, a valid P-256 point.
 * Steps without a public key (its read failed) are not checked for signatures.
 * Returns 0, or SEK_SCENARIO_ERR_ORACLE for the first violation with its kind in *out_kind
 * (may be NULL; SEK_ORACLE_OK on success) and a message naming the line and what was wrong in
 * why (why_cap bytes; why may be NULL).  SEK_ERR_NOMEM, SEK_ERR_ARG.
 */
int sek_transcript_check(const sek_transcript *t, sek_oracle_kind *out_kind, char *why,
                         size_t why_cap);

/*
 * sek_transcript_diff compares two runs of one script (a on a_name, b on b_name: names for the
 * message, NULL gives "first" / "second") by what an app observes that does not depend on key
 * material.  Per step: the result (ok, error, failed, skipped, held, unmet); for an error the
 * chain of domains and codes (outermost first, through NSUnderlyingError) and AKSError; for a
 * find the number of results; for a sign whether a signature was made and its form (DER or
 * r || s).  Key ids, public keys, signature bytes and descriptions (they quote key ids and
 * addresses) are not compared.  A step that either side skipped as SEK_STEP_NO_DEVICE ends the
 * comparison there: a real device that cannot change its enrollment runs another experiment
 * from then on.
 * Its users: two emulators with different seeds must agree (the behaviour does not depend on
 * the keys), and the emulator must agree with Security.framework (fuzz_lifecycle on a Mac).
 * Returns 0 when they agree; SEK_SCENARIO_ERR_DIFF with *at (may be NULL) = the index of the
 * first differing step and why (may be NULL) = "line 7: sign k "x": error emulated:
 * CryptoTokenKit -3, apple: none"; SEK_ERR_ARG when a or b is NULL.
 */
int sek_transcript_diff(const sek_transcript *a, const char *a_name, const sek_transcript *b,
                        const char *b_name, size_t *at, char *why, size_t why_cap);

#ifdef __cplusplus
}
#endif

#endif /* SEK_SCENARIO_H */
