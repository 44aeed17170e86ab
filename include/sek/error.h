/*
 * error.h: the error model of libsek (what Apple's CFError / NSError carries), Apple's NSError
 * description format printed and parsed, the decoder of error texts as people paste them, the
 * knowledge tables (OSStatus, TKErrorCode, LAError, IOKit returns, AppleKeyStore) and the
 * classifier that says what an error means, whether it is permanent and what to do (design §3,
 * §4.2; facts in apple-facts.md, each table row with its source tag).
 *
 * The model.  A sek_error is a domain (as Apple prints it: "NSOSStatusErrorDomain",
 * "CryptoTokenKit", "com.apple.LocalAuthentication", ...), a code, an optional description (the
 * quoted text of the description form) and ordered user-info entries: strings, numbers, data and
 * nested errors.  The NSUnderlyingError entry is the chain: outer error first, inner last.
 *
 * The description form (sek_error_format) is the one NSError prints on current systems:
 *
 *   Error Domain=CryptoTokenKit Code=-3 "<sepk:p256 kid=1214c04d05261ee3>: unable to sign digest"
 *   UserInfo={NSDebugDescription=<sepk:p256 kid=1214c04d05261ee3>: unable to sign digest,
 *   AKSError=-536362999}                                             (one line; wrapped here)
 *
 * with "(null)" for a missing description, no UserInfo part when there are no entries, strings
 * unquoted, numbers in decimal, data as {length = N, bytes = 0x…} and nested errors as
 * NSUnderlyingError=0x<address> {Error Domain=…}.  Apple prints the object's address there; an
 * error that was parsed keeps the address it had, one that was built prints a fixed synthetic
 * one (0x600000c0xxxx, a function of its depth) so that output is deterministic.
 * sek_error_parse reads exactly that form and is text-preserving: for every text it accepts,
 * sek_error_format(parse(text)) == text, so print(parse(x)) is a fixed point.  Strings that hold
 * the form's own delimiters (", KEY=", "}", "\" UserInfo=") can be built but do not read back
 * as the same object; they still print and re-parse to the same text when parse accepts it.
 *
 * The decoder (sek_decode) takes any text (a pasted log excerpt, a Swift dump, JSON from a
 * plugin, a bare code, an Apple message text) and finds every error in it, in linear time; it
 * never fails on content (only on a caller bug or out of memory) and says what it could not read.
 *
 * Rules for every function here:
 *  - No global mutable state; the tables are const.  Objects are not shared between threads
 *    unless the caller synchronises; const functions on one object may run concurrently.
 *  - Strings passed in are copied; strings returned are owned by the object (valid until it is
 *    freed or the entry is replaced) or static (tables), as each function says.
 *  - A NULL where the contract forbids it returns SEK_ERR_ARG (or NULL / 0 for accessors).
 *  - On failure outputs are untouched, unless the function says otherwise.
 */
#ifndef SEK_ERROR_H
#define SEK_ERROR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sek/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Domain strings as Apple prints them. */
#define SEK_DOMAIN_OSSTATUS "NSOSStatusErrorDomain"   /* kCFErrorDomainOSStatus [SEC:CFError] */
#define SEK_DOMAIN_CTK "CryptoTokenKit"               /* TKErrorDomain, observed (O) */
#define SEK_DOMAIN_LA "com.apple.LocalAuthentication" /* kLAErrorDomain [SDK-LA11] */
#define SEK_DOMAIN_MACH "NSMachErrorDomain"           /* kCFErrorDomainMach [SEC:CFError] */
#define SEK_DOMAIN_POSIX "NSPOSIXErrorDomain"         /* kCFErrorDomainPOSIX [SEC:CFError] */

/* User-info keys with a meaning for the decoder and classifier. */
#define SEK_KEY_UNDERLYING "NSUnderlyingError"
#define SEK_KEY_DEBUG_DESCRIPTION "NSDebugDescription"
#define SEK_KEY_DESCRIPTION "NSDescription" /* kCFErrorDescriptionKey */
#define SEK_KEY_LOCALIZED_DESCRIPTION "NSLocalizedDescription"
#define SEK_KEY_AKS_ERROR "AKSError"

/* Nested errors deeper than this are refused (SEK_ERR_LIMIT): Security nests two or three. */
#define SEK_ERROR_MAX_DEPTH 16
/* User-info entries per error beyond this are refused (SEK_ERR_LIMIT): real ones hold < 20, and
 * the bound keeps the one-value-per-key check linear. */
#define SEK_ERROR_MAX_ENTRIES 64

/* Statuses of this module (range -200 .. -299, include/sek/status.h). */
enum sek_error_status {
  SEK_ERROR_ERR_SYNTAX = -200,    /* the text is not the NSError description form (see offset) */
  SEK_ERROR_ERR_TRAILING = -201,  /* a complete description followed by more text */
  SEK_ERROR_ERR_NO_ENTRY = -202,  /* no user-info entry with that key */
  SEK_ERROR_ERR_TYPE = -203,      /* the entry exists but holds another kind of value */
  SEK_ERROR_ERR_KEY = -204,       /* a user-info key that the form cannot carry (empty, '=', ...) */
  SEK_ERROR_ERR_CYCLE = -205,     /* an error cannot be its own underlying error */
  SEK_ERROR_ERR_DUPLICATE = -206, /* the text repeats a user-info key (a dictionary cannot) */
  SEK_ERROR_ERR_NUMBER = -207,    /* a code or number that is not canonical decimal or too large */
  SEK_ERROR_ERR_RANGE = -208,     /* a value outside what the layout can hold (AKS: 32 bits) */
};

/* ---- the model ------------------------------------------------------------------------------- */

typedef struct sek_error sek_error; /* opaque; a chain via its underlying error */

typedef enum {
  SEK_ERROR_VALUE_STRING,
  SEK_ERROR_VALUE_NUMBER,
  SEK_ERROR_VALUE_DATA,
  SEK_ERROR_VALUE_ERROR,
} sek_error_value_kind;

/*
 * sek_error_new creates an error with no user info.  domain is copied (must not be NULL; "" is
 * allowed and means "unknown" to the decoder); description is copied, NULL for none.  Returns
 * NULL when domain is NULL or memory runs out.  Free with sek_error_free.
 */
sek_error *sek_error_new(const char *domain, long code, const char *description);

/* sek_error_free frees e and everything it holds, the whole chain included.  NULL is a no-op. */
void sek_error_free(sek_error *e);

/* sek_error_copy returns a deep copy (chain included), or NULL for NULL / out of memory. */
sek_error *sek_error_copy(const sek_error *e);

/* sek_error_equal: same domain, code, description and entries (in order, deeply). */
bool sek_error_equal(const sek_error *a, const sek_error *b);

/*
 * sek_error_add_string / _number / _data add a user-info entry at the end, or replace the value
 * of an existing entry with that key in place (a dictionary has one value per key).  The key is
 * copied and must be non-empty without '=', ',', '{', '}', '"' or a control character
 * (SEK_ERROR_ERR_KEY otherwise); the value is copied (data may be NULL when len is 0).
 * Returns 0, SEK_ERR_ARG, SEK_ERROR_ERR_KEY, SEK_ERR_LIMIT (a new key beyond
 * SEK_ERROR_MAX_ENTRIES) or SEK_ERR_NOMEM (e unchanged).
 */
int sek_error_add_string(sek_error *e, const char *key, const char *value);
int sek_error_add_number(sek_error *e, const char *key, long long value);
int sek_error_add_data(sek_error *e, const char *key, const uint8_t *data, size_t len);

/*
 * sek_error_add_error adds (or replaces) an entry holding a nested error; it takes ownership of
 * inner in every case (inner is freed on failure).  Returns 0, SEK_ERR_ARG (NULL e or inner),
 * SEK_ERROR_ERR_KEY, SEK_ERROR_ERR_CYCLE (inner is e), SEK_ERR_LIMIT (the result would nest
 * deeper than SEK_ERROR_MAX_DEPTH) or SEK_ERR_NOMEM.
 */
int sek_error_add_error(sek_error *e, const char *key, sek_error *inner);

/* sek_error_set_underlying is sek_error_add_error(e, "NSUnderlyingError", inner). */
int sek_error_set_underlying(sek_error *e, sek_error *inner);

/* Accessors.  Strings are owned by e.  domain is never NULL for a non-NULL e. */
const char *sek_error_domain(const sek_error *e);
long sek_error_code(const sek_error *e);
const char *sek_error_description(const sek_error *e); /* NULL when there is none */

/* sek_error_user_string: the string value of KEY, or NULL if absent or not a string. */
const char *sek_error_user_string(const sek_error *e, const char *key);

/*
 * sek_error_user_number stores the number value of KEY in *out.  Returns 0,
 * SEK_ERROR_ERR_NO_ENTRY, SEK_ERROR_ERR_TYPE (not a number) or SEK_ERR_ARG.
 */
int sek_error_user_number(const sek_error *e, const char *key, long long *out);

/* sek_error_user_data: the bytes of a data entry (len in *out_len), or NULL. */
const uint8_t *sek_error_user_data(const sek_error *e, const char *key, size_t *out_len);

/* sek_error_user_error: the nested error of KEY, or NULL. */
const sek_error *sek_error_user_error(const sek_error *e, const char *key);

/* sek_error_underlying: the NSUnderlyingError of e, or NULL (also for NULL e). */
const sek_error *sek_error_underlying(const sek_error *e);

/* sek_error_user_count / sek_error_user_entry: the entries in order.  Returns 0 or SEK_ERR_ARG
 * (i out of range); out_key and out_kind may be NULL. */
size_t sek_error_user_count(const sek_error *e);
int sek_error_user_entry(const sek_error *e, size_t i, const char **out_key,
                         sek_error_value_kind *out_kind);

/* ---- Apple's description form ---------------------------------------------------------------- */

/*
 * sek_error_format returns e in Apple's NSError description form (one line, see the top of this
 * file), newly allocated and NUL-terminated; free with free().  NULL for NULL e or no memory.
 */
char *sek_error_format(const sek_error *e);

/*
 * sek_error_parse reads exactly one description (the whole of text[0..len), no surrounding
 * whitespace; text need not be NUL-terminated) into a new error (*out, free with
 * sek_error_free).  It accepts what sek_error_format writes and only that: numbers in canonical
 * decimal, "(null)" for no description, data in the full {length = N, bytes = 0x…} form (a
 * truncated one is a string), nested errors as 0x<hex> {Error Domain=…}; any other value is a
 * string.  Returns 0, SEK_ERROR_ERR_SYNTAX / _TRAILING / _DUPLICATE / _NUMBER, SEK_ERR_LIMIT
 * (nesting), SEK_ERR_ARG or SEK_ERR_NOMEM.  Old forms, log lines and the like are for
 * sek_decode.
 */
int sek_error_parse(const char *text, size_t len, sek_error **out);

/* sek_error_parse_at is sek_error_parse that also stores, on failure, the offset of the byte
 * where the form was broken (len when the text ended early).  err_offset may be NULL. */
int sek_error_parse_at(const char *text, size_t len, sek_error **out, size_t *err_offset);

/* ---- knowledge tables ------------------------------------------------------------------------ */

/* One known code: its domain, value, Apple's symbolic name, a short meaning, the source tag. */
typedef struct {
  const char *domain; /* SEK_DOMAIN_* or an IOKit / AKS pseudo-domain ("IOReturn", "AKS") */
  long long code;
  const char *name;    /* "errSecItemNotFound"; "" in the placeholder for an unknown code */
  const char *meaning; /* a sentence fragment */
  const char *source;  /* "[SEC:SecBase.h]", "[MS-TK]", "O", "I: reason" ... */
} sek_error_code_info;

/*
 * sek_error_code_lookup returns the row for (domain, code); never NULL: an unknown pair gives a
 * static placeholder whose name is "" and whose meaning says it is unknown.  Aliases (two names,
 * one value) give the primary name.
 */
const sek_error_code_info *sek_error_code_lookup(const char *domain, long long code);

/*
 * sek_error_name_lookup finds a code by any of its names as they appear in text: errSec… and
 * their errKC… / private aliases, TKErrorCode…, LAError… and kLAError…, kIOReturn…, kAKSReturn….
 * len is the name's length (name need not be NUL-terminated).  NULL when unknown.
 */
const sek_error_code_info *sek_error_name_lookup(const char *name, size_t len);

/*
 * sek_error_osstatus_of gives the OSStatus that Security's SecErrorGetOSStatus turns an error of
 * another domain into (apple-facts §1e): why one cause reaches apps as different codes.  The
 * OSStatus domain passes through.  *out_source gets the rule's source tag (may be NULL).
 */
long sek_error_osstatus_of(const char *domain, long long code, const char **out_source);

/* AppleKeyStore / IOKit return values split by the mach error layout [XNU]:
 * | system(6) | subsystem(12) | code(14) |. */
typedef struct {
  long long value;            /* as read (signed or unsigned) */
  uint32_t hex;               /* the 32-bit pattern, e.g. 0xe007c009 */
  unsigned system;            /* 0x38 = iokit */
  unsigned subsystem;         /* 31 = keystore, 0 = common */
  unsigned code;              /* low 14 bits */
  const char *system_name;    /* "iokit", or "" when not named */
  const char *subsystem_name; /* "keystore", "common", or "" */
  const char *name;           /* "kAKSReturnPolicyInvalid", "kIOReturnNotPermitted", or "" */
  const char *source;         /* of the name; "" when unnamed */
} sek_aks_info;

/*
 * sek_aks_split decodes a value read as signed 32-bit (-536362999) or unsigned (0xe007c009 =
 * 3758604297).  Returns 0 or SEK_ERROR_ERR_RANGE (outside both ranges; *out untouched).
 */
int sek_aks_split(long long value, sek_aks_info *out);

/* ---- classification -------------------------------------------------------------------------- */

typedef enum {
  SEK_ACTION_RETRY,
  SEK_ACTION_PROMPT_AGAIN,
  SEK_ACTION_WAIT_FOR_UNLOCK,
  SEK_ACTION_REENROLL_KEY,
  SEK_ACTION_FIX_CONFIGURATION,
  SEK_ACTION_UNSUPPORTED_DEVICE,
  SEK_ACTION_NONE,
  SEK_ACTION_UNKNOWN
} sek_action;

typedef enum {
  SEK_PERMANENT_UNKNOWN = -1,
  SEK_PERMANENT_NO = 0,
  SEK_PERMANENT_YES = 1
} sek_permanence;

/* sek_action_name: "retry", "prompt_again", ... as design §4.2; "unknown" for any other value. */
const char *sek_action_name(sek_action a);

/* One probable cause, a row of the classifier's table (all strings static). */
typedef struct {
  const char *id; /* stable identifier, e.g. "biometry_set_changed" */
  sek_action action;
  sek_permanence permanent;
  unsigned confidence;     /* percent, 1..100; causes are ranked by it */
  const char *explanation; /* one sentence */
  const char *tell_apart;  /* what would tell this cause from the others */
  const char *source;      /* evidence: apple-facts tag, the seed thread, or "I: reason" */
} sek_cause;

#define SEK_MAX_CAUSES 6

/*
 * sek_error_classify ranks the probable causes of e (the whole chain, its AKSError, the debug
 * description's operation), writing at most cap of them to out and their number to *out_num.
 * Every error gets at least one cause (the fallback is action unknown).  Returns 0 or SEK_ERR_ARG.
 */
int sek_error_classify(const sek_error *e, sek_cause *out, size_t cap, size_t *out_num);

/*
 * sek_error_verdict: the top cause's action and permanence for e (what the lifecycle oracle
 * compares with the emulator's ground truth).  Returns 0 or SEK_ERR_ARG; outputs may be NULL.
 */
int sek_error_verdict(const sek_error *e, sek_action *out_action, sek_permanence *out_permanent);

/* ---- the decoder ----------------------------------------------------------------------------- */

/* A part of the text that could not be read, with why. */
typedef struct {
  size_t offset, length; /* into the decoded text */
  const char *reason;    /* static */
} sek_unparsed;

#define SEK_DECODE_MAX_UNPARSED 8

/* One error found in the text. */
typedef struct {
  const sek_error *error; /* the chain, outer to inner; owned by the result */
  size_t offset, length;  /* the span of text it was read from */
  const char *form;       /* static: how the outer error was read: "nserror" (the description
                             form, in any surrounding text), "nserror_legacy" (UserInfo=0x… {…}),
                             "code" (a code after a keyword, key: value pairs, JSON, bare),
                             "name" (errSec…, kLAError…, a Swift / .NET case, a plugin string),
                             "message" (an Apple message text) */
  bool domain_read;       /* the outer domain was in the text (else inferred or "") */
  bool code_read;         /* the outer code was in the text (else inferred) */
  bool has_aks;
  sek_aks_info aks;   /* the first AKSError of the chain */
  char key_kind[24];  /* "p256" from "<sepk:p256 kid=…>", or "" */
  char key_id[40];    /* "1214c04d05261ee3", or "" */
  char operation[48]; /* "sign digest", "generate key", "ock", ... or "" */
  size_t num_causes;
  sek_cause causes[SEK_MAX_CAUSES];
  size_t num_unparsed;
  sek_unparsed unparsed[SEK_DECODE_MAX_UNPARSED];
  unsigned score; /* how informative: the best error has the highest */
} sek_decoded;

typedef struct sek_decode_result sek_decode_result;

/*
 * sek_decode finds and reads every error in text[0..len) (not necessarily NUL-terminated) and
 * classifies each.  Work is linear in len.  *out gets a new result (free with
 * sek_decode_result_free), possibly with no errors.  Returns 0, SEK_ERR_ARG or SEK_ERR_NOMEM.
 */
int sek_decode(const char *text, size_t len, sek_decode_result **out);

void sek_decode_result_free(sek_decode_result *r);

/* The errors found, in text order; sek_decode_get returns NULL past the end. */
size_t sek_decode_count(const sek_decode_result *r);
const sek_decoded *sek_decode_get(const sek_decode_result *r, size_t i);

/* sek_decode_best: the most informative error (highest score, first on a tie), NULL if none. */
const sek_decoded *sek_decode_best(const sek_decode_result *r);

/* Parts of the text outside every error that looked like an error but could not be read. */
size_t sek_decode_unparsed_count(const sek_decode_result *r);
const sek_unparsed *sek_decode_unparsed_get(const sek_decode_result *r, size_t i);

/* sek_error_strerror: a static description of a status of this module; never NULL. */
const char *sek_error_strerror(int status);

#ifdef __cplusplus
}
#endif

#endif /* SEK_ERROR_H */
