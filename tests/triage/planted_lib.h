/*
 * planted_lib.h: a small "library" with planted bugs, for the triage tests only (never part of
 * libsek).  Each function has exactly one bug of one kind; tests/triage/planted.c is the fuzz
 * target that reaches them, so that a crash's stack has library frames above target frames,
 * the way a crash in libsek found through targets/fuzz_<t>.c does.
 *
 * Every function takes the remaining input bytes (data, len); the bytes vary how the bug is
 * reached (distance of an overflow, which line of the function trips, how deep a recursion
 * goes) while the top frames stay the same, which is what the dedup signature must see.
 */
#ifndef PLANTED_LIB_H
#define PLANTED_LIB_H

#include <stddef.h>
#include <stdint.h>

/* Heap-buffer-overflow READ: trusts a length byte (two reading lines, by a mode byte). */
unsigned planted_checksum(const uint8_t *data, size_t len);
/* The same heap-buffer-overflow READ, one level down (callers: route and check_record). */
unsigned planted_parse_record(const uint8_t *data, size_t len);
/* Heap-buffer-overflow WRITE: copies a name into an 8-byte block (memcpy or byte loop); the
 * memcpy line also overflows its source (READ) for some inputs: one bug, either side. */
void planted_copy_name(const uint8_t *data, size_t len);
/* Heap-use-after-free READ: reads a session field after closing it on the error path. */
int planted_session(const uint8_t *data, size_t len);
/* Null dereference: a lookup that returns NULL for unknown keys, used unchecked. */
int planted_lookup_value(const uint8_t *data, size_t len);
/* UBSan signed integer overflow: multiplies two decimal numbers from the input. */
int planted_scale(const uint8_t *data, size_t len);
/* UBSan invalid shift: 1 << bits with bits from the input. */
unsigned planted_mask(const uint8_t *data, size_t len);
/* Memory leak: interns a copy of the input and drops it on one path. */
size_t planted_intern(const uint8_t *data, size_t len);
/* Timeout: a loop whose step never reaches its exit for some inputs. */
unsigned planted_spin(const uint8_t *data, size_t len);
/* Stack overflow: mutual recursion that does not advance on an unclosed '['. */
int planted_parse_item(const uint8_t *data, size_t len);
/*
 * Flaky double free: frees twice only on every second call with the same input, counted in a
 * file under $PLANTED_FLAKY_DIR (the test sets it), or on about half of the calls, by the
 * clock, when it is unset.
 */
void planted_flaky(const uint8_t *data, size_t len);

#endif /* PLANTED_LIB_H */
