/*
 * status.h: the one return convention of libsek.
 *
 * Every libsek function that can fail returns an int: 0 (SEK_OK) on success, a negative status
 * on failure.  The status names the reason, never only "failed".  Constructors return a pointer
 * or NULL.  Statuses are grouped in ranges, one per module, so that a status alone says which
 * module produced it:
 *
 *     -1 .. -99     common (this header)
 *   -100 .. -199    der      (include/sek/der.h)
 *   -200 .. -299    error    (include/sek/error.h)
 *   -300 .. -399    attrs    (include/sek/attrs.h)
 *   -400 .. -499    query    (include/sek/query.h)
 *   -500 .. -599    backend and emulator (include/sek/backend.h, include/sek/emu.h)
 *   -600 .. -699    keychain store
 *   -700 .. -799    verify   (include/sek/verify.h)
 *   -800 .. -899    scenario (include/sek/scenario.h)
 *
 * Caller bugs (a NULL where the contract forbids it) return SEK_ERR_ARG; they are kept apart
 * from bad input, which returns the module's own status.
 */
#ifndef SEK_STATUS_H
#define SEK_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

enum sek_status {
  SEK_OK = 0,
  SEK_ERR_ARG = -1,      /* a precondition of the call was violated (caller bug) */
  SEK_ERR_NOMEM = -2,    /* an allocation failed; nothing was changed */
  SEK_ERR_LIMIT = -3,    /* the input exceeds a documented limit (depth, size, count) */
  SEK_ERR_IO = -4,       /* reading or writing a file failed */
  SEK_ERR_INTERNAL = -5, /* an invariant broke: a bug in libsek */
  SEK_ERR_UNSUPPORTED = -6, /* the operation is not available in this build or backend */
};

/*
 * sek_strerror returns a static, NUL-terminated English sentence fragment for any status of any
 * module (no trailing period).  Never NULL: an unknown status gives "unknown status".
 */
const char *sek_strerror(int status);

#ifdef __cplusplus
}
#endif

#endif /* SEK_STATUS_H */
