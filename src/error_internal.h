/*
 * error_internal.h: what the files of the error module (src/error*.c) share and nothing else
 * uses: a growable string buffer, the bounded text helpers of the decoder, and the entry points
 * between the tables, the classifier and the decoder.  Not installed; not a public contract.
 */
#ifndef SEK_ERROR_INTERNAL_H
#define SEK_ERROR_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <sek/error.h>

/* A growable NUL-terminated string.  After an allocation failure it stays failed and every
 * further call is a no-op, so callers check once, at the end. */
typedef struct {
  char *p;
  size_t len, cap;
  bool failed;
} sek_sb;

void sek_sb_put(sek_sb *b, const char *s, size_t n);
void sek_sb_puts(sek_sb *b, const char *s);
void sek_sb_printf(sek_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the string (caller frees) or NULL after a failure (the buffer is freed either way). */
char *sek_sb_finish(sek_sb *b);

/* The operation an error came from, as far as the text says. */
typedef enum {
  SEK_OP_UNKNOWN = 0,
  SEK_OP_SIGN,
  SEK_OP_GENERATE,
  SEK_OP_LOOKUP,
  SEK_OP_ADD,
  SEK_OP_DELETE,
  SEK_OP_UPDATE,
  SEK_OP_KEY_EXCHANGE,
  SEK_OP_DECRYPT,
  SEK_OP_ENCRYPT,
  SEK_OP_EXPORT,
  SEK_OP_VERIFY,
  SEK_OP_EVALUATE,
  SEK_OP_COUNT
} sek_op;

/* "sign", "generate key", ... ("" for SEK_OP_UNKNOWN). */
const char *sek_op_name(sek_op op);

/*
 * sek_op_find: the first operation phrase of the table in s[0..n) ("unable to sign digest",
 * "SecItemDelete", "'ock'", ...); SEK_OP_UNKNOWN when none.  *out_end (may be NULL) gets the
 * offset just past the phrase.  One pass over s.
 */
sek_op sek_op_find(const char *s, size_t n, size_t *out_end);

/* The operation phrase table's first-byte index agrees with the table (for the tests). */
bool sek_op_table_consistent(void);

/* sek_op_at: a phrase of the table starting exactly at s (its length in *out_len). */
sek_op sek_op_at(const char *s, size_t n, size_t *out_len);

/* The operation the strings of e's chain name (descriptions, NSDebugDescription, ...). */
sek_op sek_error_op_of(const sek_error *e);

/* Builders with explicit lengths (text need not be NUL-terminated); see error.h for the
 * un-suffixed forms.  sek_error_new_n: description NULL for none. */
sek_error *sek_error_new_n(const char *domain, size_t domain_len, long code,
                           const char *description, size_t description_len);
int sek_error_add_string_n(sek_error *e, const char *key, size_t key_len, const char *v,
                           size_t v_len);
int sek_error_add_number_n(sek_error *e, const char *key, size_t key_len, long long value);
/* Takes ownership of inner in every case. */
int sek_error_add_error_n(sek_error *e, const char *key, size_t key_len, sek_error *inner);
bool sek_error_has_key_n(const sek_error *e, const char *key, size_t key_len);
int sek_error_set_description_n(sek_error *e, const char *s, size_t n);
int sek_error_set_domain_n(sek_error *e, const char *s, size_t n);
/* The NSUnderlyingError address digits to print (as parsed); n < 17, hex digits only. */
int sek_error_set_address(sek_error *e, const char *hex, size_t n);
/* Canonical decimal (what %lld writes) in [lo, hi]. */
bool sek_error_canonical_int(const char *s, size_t n, long long lo, long long hi, long long *out);
/* A byte the printer and parser accept inside a user-info key. */
/* Bytes a key cannot hold: control characters, DEL and the form's delimiters. */
static const unsigned char sek_error_key_bad[256] = {
    [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1, [0x07] = 1,
    [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1, [0x0e] = 1, [0x0f] = 1,
    [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1,
    [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1, [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1,
    [0x7f] = 1, ['='] = 1,  [','] = 1,  ['{'] = 1,  ['}'] = 1,  ['"'] = 1,
};
static inline bool sek_error_key_char_ok(unsigned char c) { return !sek_error_key_bad[c]; }
/* What sek_error_parse reads back.  sek_error_key_starts_at: a user-info key and '=' start at
 * s[pos].  sek_error_value_ok: v prints as a raw value that reads back as itself (balanced
 * braces, no ", KEY=" inside, not a nested-error prefix, no NUL).  sek_error_description_ok_len:
 * the longest prefix of d that prints as a description and reads back (no '"' followed by '}'
 * or " UserInfo={", no NUL). */
bool sek_error_key_starts_at(const char *s, size_t n, size_t pos);
bool sek_error_value_ok(const char *v, size_t n);
size_t sek_error_description_ok_len(const char *d, size_t n);
/* Nesting depth: 1 for an error without nested errors. */
size_t sek_error_depth(const sek_error *e);

/* Context the decoder read around an error that the object itself does not carry; the
 * classifier's rules may test it.  Zero-initialised means "nothing known". */
typedef struct {
  bool simulator;        /* the text mentions the simulator */
  bool after_biometric;  /* a biometric / LA prompt was involved (text or chain) */
  bool current_set;      /* the text mentions .biometryCurrentSet */
  bool biometry_changed; /* the text mentions a change of enrolled biometrics */
  bool locked;           /* the text mentions a locked device / background state */
  bool biometry_any;     /* the text mentions .biometryAny / .touchIDAny */
  bool no_code;          /* the error was inferred from a name or a message, not read */
  bool code_unknown;     /* the text has the domain but not the code (redacted, cut off) */
  sek_op op;             /* the operation the surrounding text names */
  bool op_resolved;      /* op already combines the error's own strings and the text */
} sek_error_context;

/* sek_error_classify with decoder context; ctx may be NULL. */
int sek_error_classify_ctx(const sek_error *e, const sek_error_context *ctx, sek_cause *out,
                           size_t cap, size_t *out_num);

/* A known Apple message text (localised English) and the code it stands for. */
typedef struct {
  const char *text; /* matched case-sensitively as a substring */
  const char *domain;
  long code;
  const char *source;
} sek_error_message_info;

/* The message table, for the decoder's scan and the tests. */
const sek_error_message_info *sek_error_messages(size_t *out_num);

/* The code rows of domain table i (0.. until NULL), for tests. */
const sek_error_code_info *sek_error_codes(size_t i, size_t *out_num);

/* The alias rows (name -> domain, code), e.g. errKCItemNotFound, kLAErrorUserCancel. */
typedef struct {
  const char *name;
  const char *domain;
  long long code;
  const char *source;
} sek_error_alias_info;
const sek_error_alias_info *sek_error_aliases(size_t *out_num);
/* Plugin error strings (Flutter local_auth, expo-local-authentication) -> LAError row. */
const sek_error_code_info *sek_error_plugin_lookup(const char *name, size_t len);
const sek_error_alias_info *sek_error_plugin_aliases(size_t *out_num);

/* Canonical spelling of a domain the text may write another way ("LAErrorDomain",
 * "TKErrorDomain", "kCFErrorDomainOSStatus", "OSStatus" ...); NULL when not a known alias. */
const char *sek_error_domain_canonical(const char *s, size_t len);

/* The classifier's rule table size, for tests that walk every rule. */
size_t sek_error_rule_count(void);
/* The cause id of rule i (NULL past the end). */
const char *sek_error_rule_cause(size_t i);
/* An error and context that rule i matches (its lowest code, its first operation, its context
 * flags) and the cause it adds; *out_err is new (free with sek_error_free). */
int sek_error_rule_example(size_t i, sek_error **out_err, sek_error_context *out_ctx,
                           const sek_cause **out_cause);

#endif /* SEK_ERROR_INTERNAL_H */
