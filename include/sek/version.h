/*
 * version.h: which libsek this is.  The version is the project version of CMakeLists.txt
 * (semantic versioning: the minor number grows with additions, the major with breaking changes
 * to a header's contract).
 */
#ifndef SEK_VERSION_H
#define SEK_VERSION_H

#ifdef __cplusplus
extern "C" {
#endif

/* sek_version returns the version of the linked libsek, "MAJOR.MINOR.PATCH" (static, never
 * NULL). */
const char *sek_version(void);

#ifdef __cplusplus
}
#endif

#endif /* SEK_VERSION_H */
