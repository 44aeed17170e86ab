/* version.c: sek_version; CMakeLists.txt passes the project version as SEK_VERSION. */
#include <sek/version.h>

#ifndef SEK_VERSION
#error "SEK_VERSION must be defined by the build (CMakeLists.txt)"
#endif

const char *sek_version(void) { return SEK_VERSION; }
