/*
 * attrs.h: attribute dictionaries of SecKeyCreateRandomKey and SecItemCopyMatching — a typed value
 * tree and its builder, the one table of kSec names, access-control validation, a parser of the
 * dictionary literals apps write (Swift and Objective-C), a canonical printer, and a lint that
 * checks a key-generation or query dictionary against the Secure Enclave's and SecItem's rules.
 *
 * Keys and constant values are stored by their RAW strings, as Security.framework defines them
 * (apple-facts §6, [SEC:Const]): kSecAttrApplicationLabel is "klbl", kSecAttrTokenIDSecureEnclave
 * is "com.apple.setoken", kSecAttrKeyTypeECSECPrimeRandom is "73", kSecClassKey is "keys",
 * kSecPrivateKeyAttrs is "private", kSecAttrAccessControl is "accc", kSecMatchLimit is "m_Limit",
 * kSecReturnRef is "r_Ref".  Every function that takes a key or a constant accepts either the
 * kSec name or the raw string; a name that is in neither column of the table is kept verbatim
 * (an unknown key or constant: the lint reports it, nothing here rejects it).
 *
 * Rules for every function here:
 *  - No global mutable state; a dictionary may be used from one thread at a time, distinct
 *    dictionaries from any threads.
 *  - A dictionary owns everything in it.  Values returned by getters are borrowed: valid until
 *    the entry is replaced or removed or the dictionary is freed.  Strings passed in are copied.
 *  - Entries iterate in one stable order: sorted by raw key (byte order, strcmp), whatever the
 *    order of insertion.  Setting an existing key replaces its value in place.
 *  - Limits (SEK_ATTRS_MAX_*) are errors, never crashes: a set that would pass one fails with
 *    SEK_ATTRS_ERR_DEPTH / _TOO_MANY / _TOO_LONG and changes nothing.
 *  - A NULL where a pointer is required returns SEK_ERR_ARG (or NULL / 0 / false for getters);
 *    outputs are untouched on failure unless the function says otherwise.
 *  - Equality (sek_attrs_equal) compares keys and values, not source positions.
 */
#ifndef SEK_ATTRS_H
#define SEK_ATTRS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sek/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Limits.  Real dictionaries have < 30 keys and 2 levels; these leave room and bound work. */
#define SEK_ATTRS_MAX_DEPTH 16             /* nesting levels of dictionaries, the top one is 1 */
#define SEK_ATTRS_MAX_ENTRIES 256          /* entries in one dictionary */
#define SEK_ATTRS_MAX_VALUE_LEN 65536      /* bytes of one string, data, constant or key */
#define SEK_ATTRS_MAX_INPUT_LEN (1u << 20) /* bytes of literal text sek_attrs_parse accepts */
#define SEK_ATTRS_MAX_UNKNOWN_FLAGS 8      /* unknown `.flag` names kept in one access control */

enum sek_attrs_status {
  SEK_ATTRS_ERR_PARSE = -300,     /* the literal is not valid; see the parse error's position */
  SEK_ATTRS_ERR_DEPTH = -301,     /* dictionaries nested deeper than SEK_ATTRS_MAX_DEPTH */
  SEK_ATTRS_ERR_TOO_MANY = -302,  /* more than SEK_ATTRS_MAX_ENTRIES entries (or unknown flags) */
  SEK_ATTRS_ERR_TOO_LONG = -303,  /* a string, key or input longer than its limit */
  SEK_ATTRS_ERR_KEY = -304,       /* an empty key, or a key with a NUL byte */
  SEK_ATTRS_ERR_NOT_FOUND = -305, /* no entry with that key or index */
  SEK_ATTRS_ERR_DUPLICATE = -306, /* the literal names one key twice (Swift traps on that) */
  /* SecAccessControlCreateWithFlags' checks ([SEC:AC.m]); Apple answers each with errSecParam. */
  SEK_ATTRS_ERR_AC_PROTECTION = -310, /* protection is not one of dk ck ak dku cku aku akpu f */
  SEK_ATTRS_ERR_AC_LOGICAL = -311,    /* Or together with And */
  SEK_ATTRS_ERR_AC_BIO = -312,        /* BiometryAny together with BiometryCurrentSet */
  SEK_ATTRS_ERR_AC_PRESENCE = -313,   /* UserPresence with a flag other than AppPassword/PKU */
  SEK_ATTRS_ERR_AC_FLAGS = -314,      /* a bit that is no flag of the public enum (bit 2 ...):
                                         Apple ignores those, so the check never returns this;
                                         for callers that want to refuse them */
};

/* sek_attrs_strerror: the message of an attrs status (-300..-399); used by sek_strerror. */
const char *sek_attrs_strerror(int status);

typedef struct sek_attrs sek_attrs; /* a dictionary, opaque */
typedef struct sek_value sek_value; /* a value inside one, opaque, owned by its dictionary */

typedef enum {
  SEK_VALUE_STRING,
  SEK_VALUE_DATA,
  SEK_VALUE_NUMBER, /* an integer, or a real when sek_value_is_real */
  SEK_VALUE_BOOL,
  SEK_VALUE_DATE, /* seconds since 2001-01-01 00:00:00 UTC (CFAbsoluteTime) */
  SEK_VALUE_DICT,
  SEK_VALUE_ACCESS_CONTROL,
  SEK_VALUE_CONSTANT,  /* a kSec constant, by raw string; unknown names kept as written */
  SEK_VALUE_REFERENCE, /* a variable the literal could not resolve (`tag`, `self.context`) */
} sek_value_kind;

/* sek_attrs_new: a new empty dictionary (free with sek_attrs_free), or NULL on no memory. */
sek_attrs *sek_attrs_new(void);
/* sek_attrs_free: frees a and everything in it; NULL is fine. */
void sek_attrs_free(sek_attrs *a);
/* sek_attrs_copy: a deep copy (with source positions), or NULL (a NULL, or no memory). */
sek_attrs *sek_attrs_copy(const sek_attrs *a);
/* sek_attrs_equal: deep equality of keys and values (positions ignored); two NULLs are equal. */
bool sek_attrs_equal(const sek_attrs *a, const sek_attrs *b);

/*
 * Setters.  key: a kSec name or a raw key (stored raw), NUL-terminated, 1..MAX_VALUE_LEN bytes.
 * Each adds the entry or replaces the value of an existing one.  Returns 0, SEK_ERR_ARG,
 * SEK_ERR_NOMEM, SEK_ATTRS_ERR_KEY, _TOO_LONG, _TOO_MANY (a new key in a full dictionary).
 *   set_string    s, len: bytes (may hold NUL; s may be NULL when len is 0)
 *   set_data      d, len: bytes (d may be NULL when len is 0)
 *   set_constant  constant: a kSec name or raw value, stored raw ("kSecClassKey" -> "keys")
 *   set_dict      child: TAKEN in every case (freed here on failure); must not be a itself.
 *                 Also SEK_ATTRS_ERR_DEPTH when the result would nest deeper than MAX_DEPTH.
 *   set_access_control  protection: a kSecAttrAccessible… name or raw class ("aku"); flags:
 *                 SecAccessControlCreateFlags bits.  Stored as given, NOT validated (the
 *                 lint and sek_access_control_check say what Apple would refuse).
 *   set_reference name, len: the unresolved expression text (an identifier path).
 */
int sek_attrs_set_string(sek_attrs *a, const char *key, const char *s, size_t len);
int sek_attrs_set_data(sek_attrs *a, const char *key, const uint8_t *d, size_t len);
int sek_attrs_set_number(sek_attrs *a, const char *key, int64_t v);
int sek_attrs_set_real(sek_attrs *a, const char *key, double v); /* finite only, else ARG */
int sek_attrs_set_bool(sek_attrs *a, const char *key, bool v);
int sek_attrs_set_date(sek_attrs *a, const char *key, double seconds_since_2001); /* finite */
int sek_attrs_set_constant(sek_attrs *a, const char *key, const char *constant);
int sek_attrs_set_dict(sek_attrs *a, const char *key, sek_attrs *child); /* takes ownership */
int sek_attrs_set_access_control(sek_attrs *a, const char *key, const char *protection,
                                 uint32_t flags);
int sek_attrs_set_reference(sek_attrs *a, const char *key, const char *name, size_t len);

/*
 * sek_attrs_set_access_control_ex: set_access_control that also keeps how the literal spelled
 * the flags: deprecated_spelling ⊆ flags marks the bits written with a deprecated name
 * (.touchIDAny, .touchIDCurrentSet, .watch), unknown[0..num_unknown) the `.names` that are no
 * flag at all (each copied; at most SEK_ATTRS_MAX_UNKNOWN_FLAGS, else _TOO_MANY).
 */
int sek_attrs_set_access_control_ex(sek_attrs *a, const char *key, const char *protection,
                                    uint32_t flags, uint32_t deprecated_spelling,
                                    const char *const *unknown, size_t num_unknown);

/* sek_attrs_remove: removes the entry of key (name or raw); 0 or SEK_ATTRS_ERR_NOT_FOUND. */
int sek_attrs_remove(sek_attrs *a, const char *key);
/* sek_attrs_get: the value of key (name or raw), borrowed, or NULL if absent. */
const sek_value *sek_attrs_get(const sek_attrs *a, const char *key);
/* sek_attrs_count: the number of entries (0 for NULL). */
size_t sek_attrs_count(const sek_attrs *a);
/*
 * sek_attrs_entry: the i-th entry in sorted raw-key order.  *raw_key and *v are borrowed
 * (either out pointer may be NULL).  Returns 0 or SEK_ATTRS_ERR_NOT_FOUND (i >= count).
 */
int sek_attrs_entry(const sek_attrs *a, size_t i, const char **raw_key, const sek_value **v);
/* sek_attrs_pos: where the dictionary's opening bracket was in the literal (0, 0 if built). */
void sek_attrs_pos(const sek_attrs *a, unsigned *line, unsigned *col);

/* Getters.  Each returns 0 / NULL / false when v is NULL or of another kind. */
sek_value_kind sek_value_kind_of(const sek_value *v); /* SEK_VALUE_STRING for NULL */
/* STRING: its bytes (NUL-terminated, *len without it); CONSTANT: raw string; REFERENCE: text */
const char *sek_value_string(const sek_value *v, size_t *len);
const uint8_t *sek_value_data(const sek_value *v, size_t *len); /* DATA; never NULL for DATA */
int64_t sek_value_number(const sek_value *v); /* NUMBER (a real truncated toward 0, saturated) */
bool sek_value_is_real(const sek_value *v);   /* NUMBER written/set as a real */
double sek_value_real(const sek_value *v);    /* NUMBER as double; DATE: its seconds */
bool sek_value_bool(const sek_value *v);
const sek_attrs *sek_value_dict(const sek_value *v);
/* ACCESS_CONTROL: the protection as raw class ("aku"), or as written when unknown */
const char *sek_value_protection(const sek_value *v);
uint32_t sek_value_ac_flags(const sek_value *v); /* ACCESS_CONTROL: Apple's bit values */
/* ACCESS_CONTROL: how the protection was given: SEK_VALUE_CONSTANT (a kSec constant, known to
   the table when sek_value_protection is one of its raw strings), SEK_VALUE_STRING (a string
   literal, or text the table does not know passed to the builder) or SEK_VALUE_REFERENCE (a
   variable the literal does not define) */
sek_value_kind sek_value_protection_kind(const sek_value *v);
uint32_t sek_value_ac_deprecated_spelling(const sek_value *v); /* see set_access_control_ex */
size_t sek_value_ac_unknown_count(const sek_value *v);
const char *sek_value_ac_unknown(const sek_value *v, size_t i); /* NULL when i >= count */
/* CONSTANT: true when the constant is in the name table (any kSec value constant) */
bool sek_value_constant_known(const sek_value *v);
/* sek_value_pos / sek_value_key_pos: line:col (1-based) of the value / of its key in the
   literal; 0, 0 for values made by the builder. */
void sek_value_pos(const sek_value *v, unsigned *line, unsigned *col);
void sek_value_key_pos(const sek_value *v, unsigned *line, unsigned *col);

/* SecAccessControlCreateFlags, Apple's values (apple-facts §5a, [SEC:AC.h]). */
#define SEK_AC_USER_PRESENCE 0x00000001u
#define SEK_AC_BIOMETRY_ANY 0x00000002u         /* = .touchIDAny */
#define SEK_AC_BIOMETRY_CURRENT_SET 0x00000008u /* = .touchIDCurrentSet */
#define SEK_AC_DEVICE_PASSCODE 0x00000010u
#define SEK_AC_COMPANION 0x00000020u /* = .watch */
#define SEK_AC_OR 0x00004000u
#define SEK_AC_AND 0x00008000u
#define SEK_AC_PRIVATE_KEY_USAGE 0x40000000u
#define SEK_AC_APPLICATION_PASSWORD 0x80000000u
#define SEK_AC_ALL_FLAGS 0xC000C03Bu /* every bit above */

/*
 * sek_access_control_check: SecAccessControlCreateWithFlags' validation ([SEC:AC.m],
 * apple-facts §5a), in Apple's order.  protection: raw class or kSecAttrAccessible… name.
 * Returns 0, or SEK_ATTRS_ERR_AC_* with a static reason string in *reason (reason may be NULL),
 * e.g. "only one bio constraint can be set".  On a real device each is errSecParam (-50).
 * SEK_ERR_ARG for a NULL protection.
 */
int sek_access_control_check(const char *protection, uint32_t flags, const char **reason);

/*
 * sek_access_control_describe: the object's description as CFCopyDescription prints it,
 * "<SecAccessControlRef: aku;ock(cbio(pbioc()));odel(true);osgn(cbio(pbioc()))>" (§5a): the
 * protection, then each ACL operation sorted by name with its constraint.  Newly allocated
 * (free()), or NULL (no memory, NULL protection).  Biometric payloads (catacomb UUIDs, enrolled
 * set hashes) are device data and print empty.  Invalid combinations print "<invalid: reason>".
 */
char *sek_access_control_describe(const char *protection, uint32_t flags);

/*
 * sek_access_control_flag_name: the Swift option name of one flag bit (".privateKeyUsage"
 * without the dot: "privateKeyUsage"), or NULL.  sek_access_control_flag_lookup: the bit of a
 * Swift option or ObjC constant name ("biometryAny", "touchIDAny", "kSecAccessControlOr"), 0 if
 * none; *deprecated (may be NULL) says whether that spelling is deprecated.
 */
const char *sek_access_control_flag_name(uint32_t bit);
uint32_t sek_access_control_flag_lookup(const char *name, size_t len, bool *deprecated);

/* ---- The name table ([SEC:Const], apple-facts §6; one row per kSec name) ---- */

typedef enum {
  SEK_NAME_KEY,      /* a dictionary key: kSecAttrLabel -> "labl" */
  SEK_NAME_CONSTANT, /* a value constant: kSecClassKey -> "keys" */
} sek_name_role;

typedef struct {
  const char *name; /* "kSecAttrApplicationLabel" */
  const char *raw;  /* "klbl" */
  sek_name_role role;
  sek_value_kind type; /* keys: the value kind Apple expects; constants: SEK_VALUE_CONSTANT */
  uint32_t accepts;    /* keys: bits (1u << kind) of every kind Apple takes without complaint */
  const char *domain;  /* keys with constant values and constants: the set ("keytype"),
                          else NULL; a key takes constants of its own domain */
  bool deprecated;
  const char *replacement; /* for deprecated names: what to use instead, else NULL */
  const char *source;      /* apple-facts tag, e.g. "[SEC:Const] §6b" */
} sek_attrs_name;

/* sek_attrs_name_count / _at: the table in its fixed order (for dictionaries, docs, tests). */
size_t sek_attrs_name_count(void);
const sek_attrs_name *sek_attrs_name_at(size_t i);
/* sek_attrs_name_lookup: the row of a kSec name or raw string in that role, or NULL.  For a raw
   string shared by several names (kSecAttrKeyTypeEC, …ECSECPrimeRandom: "73") the preferred row. */
const sek_attrs_name *sek_attrs_name_lookup(const char *name_or_raw, sek_name_role role);

/* ---- Literal parser and canonical printer ---- */

typedef struct {
  unsigned line, col; /* 1-based; where the problem is */
  char message[192];  /* "expected ',' or ']' after a value, found '}'" */
} sek_attrs_parse_error;

/*
 * sek_attrs_parse reads a dictionary literal (design §4.1): the Swift form
 *   [ kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom, kSecAttrKeySizeInBits: 256, ... ]
 * the Objective-C form  @{ (id)kSecAttrKeyType: (id)kSecAttrKeyTypeECSECPrimeRandom, ... },
 * raw keys (klbl: "x", "klbl": "x"; a string key is its raw string), and the value forms apps
 * write: strings with Swift/C escapes (an interpolation \(x) is kept as text), integers
 * (0x, 0b, 1_000, C suffixes), reals, true/false/YES/NO/kCFBooleanTrue, @256, @(256), @YES,
 * NSNumber(value: 256), Int32(256), 256 as CFNumber, [NSNumber numberWithInt:256], casts
 * (as String, as CFString, (id), (__bridge id), String(kSec…)), nested dictionaries, [:], @{},
 * SecAccessControlCreateWithFlags(kCFAllocatorDefault, kSecAttrAccessible…, [.flag, …], nil)!
 * (also &error / NULL, a single .flag, .init(rawValue: N), ObjC `A | B` flags), Data([0x01]),
 * Data("t".utf8), "t".data(using: .utf8)!, [@"t" dataUsingEncoding:…], <0a0b>,
 * Date(timeIntervalSinceReferenceDate: s), SecConstant("raw") (the printer's form for a
 * constant with no kSec name), // and slash-star comments, trailing commas.
 * Around the dictionary, statements of real code are read: `let`/`var` bindings (Swift),
 * `Type *name = …;` declarations (ObjC), `guard let … else`, `name[key] = value` and
 * `[name setObject:value forKey:key]` on a bound dictionary; a later use of a bound name is
 * its value (a copy); other names are kept as SEK_VALUE_REFERENCE.  Statements not understood
 * are skipped to the end of their line (a dictionary inside one, as in
 * SecItemCopyMatching([…] as CFDictionary, &r), still counts).  The result is the last
 * dictionary the text defines.  A key given twice in one literal is an error (Swift traps).
 *   text, len   the literal (need not be NUL-terminated; at most SEK_ATTRS_MAX_INPUT_LEN).
 *   out         a new dictionary (free with sek_attrs_free); set only on success.
 *   err         may be NULL; on failure filled with line, column and what was expected.
 * Returns 0, SEK_ATTRS_ERR_PARSE, _DEPTH, _TOO_MANY, _TOO_LONG, _DUPLICATE, _KEY, SEK_ERR_NOMEM,
 * SEK_ERR_ARG.  Work is linear in len (bounded nesting; a value budget bounds the copies of
 * bound dictionaries).
 */
int sek_attrs_parse(const char *text, size_t len, sek_attrs **out, sek_attrs_parse_error *err);

/*
 * sek_attrs_print: the canonical form: Swift literal syntax, one entry per line, keys sorted by
 * raw string and written by their kSec name, two-space indentation, trailing commas, data as
 * <hex>, constants by their preferred kSec name, access controls as the full
 * SecAccessControlCreateWithFlags(kCFAllocatorDefault, …, [.flags], nil)! call (deprecated
 * spellings kept), reals in their shortest exact form, dates as
 * Date(timeIntervalSinceReferenceDate: s).  Keys without a kSec name are written as "raw"
 * strings (or as the kSec… identifier they were given as); constants without one as their
 * kSec… identifier or SecConstant("raw").  sek_attrs_parse reads it back to an equal
 * dictionary, and printing that gives the same text.  Newly allocated (free()), or NULL.
 */
char *sek_attrs_print(const sek_attrs *a);
/* sek_attrs_print_json: a JSON object {"raw": {"type": "...", "value": ...}, ...}; free(). */
char *sek_attrs_print_json(const sek_attrs *a);

/* ---- Lint ---- */

typedef enum { SEK_LINT_AUTO, SEK_LINT_KEYGEN, SEK_LINT_QUERY } sek_lint_kind;
/* NOTE: information that is not a defect (a value the literal cannot resolve, not checked) */
typedef enum { SEK_LINT_WARNING, SEK_LINT_ERROR, SEK_LINT_NOTE } sek_lint_severity;

typedef struct {
  const char *rule_id; /* "SE001", static */
  sek_lint_severity severity;
  unsigned line, col; /* of the key or value concerned; the dictionary's when none; 0 if built */
  char message[256];
  const char *evidence; /* static: apple-facts row tag or "inferred: reason" */
} sek_lint_finding;

typedef struct {
  const char *id; /* "SE001" */
  sek_lint_severity severity;
  sek_lint_kind applies_to; /* SEK_LINT_AUTO = both kinds */
  const char *summary;      /* one line */
  const char *evidence;     /* apple-facts row tag or "inferred: reason" */
} sek_lint_rule;

/* sek_lint_rule_count / _at: the rule table, in its fixed order. */
size_t sek_lint_rule_count(void);
const sek_lint_rule *sek_lint_rule_at(size_t i);

typedef struct sek_lint_report sek_lint_report;

/*
 * sek_attrs_lint checks a as a key-generation parameter dictionary (SecKeyCreateRandomKey) or a
 * query (SecItemCopyMatching, or the dictionary of SecItemAdd / SecItemDelete); SEK_LINT_AUTO
 * infers which from the content: kSecMatch…, kSecReturn…, kSecValue… make a query; else
 * kSecPrivateKeyAttrs / kSecPublicKeyAttrs make key generation; else kSecClass makes a query;
 * else key generation.  Total and deterministic: same tree, same findings, sorted by position,
 * then rule id, then message; findings do not depend on positions except for their line:col.
 * Each finding's rule is a row of the rule table (sek_lint_rule_at) with its severity.  *out: a new
 * report (free with sek_lint_report_free), set on success. Returns 0, SEK_ERR_ARG or SEK_ERR_NOMEM.
 */
int sek_attrs_lint(const sek_attrs *a, sek_lint_kind kind, sek_lint_report **out);
size_t sek_lint_count(const sek_lint_report *r);
const sek_lint_finding *sek_lint_get(const sek_lint_report *r, size_t i); /* NULL past the end */
bool sek_lint_has_errors(const sek_lint_report *r);           /* any finding of severity ERROR */
sek_lint_kind sek_lint_report_kind(const sek_lint_report *r); /* the kind used (never AUTO) */
void sek_lint_report_free(sek_lint_report *r);

#ifdef __cplusplus
}
#endif

#endif /* SEK_ATTRS_H */
