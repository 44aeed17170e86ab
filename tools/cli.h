/*
 * cli.h: what every `sek` subcommand shares — the exit statuses, reading an argument or a file
 * or standard input, hex parsing with a message that says where it went wrong, and JSON output.
 *
 * Exit statuses (design §7): 0 success (or "valid"), 1 the input is bad (or "invalid"),
 * 2 usage error.  Every subcommand prints its usage on --help to stdout and exits 0, and on
 * a usage error prints one line saying what was wrong plus "try 'sek CMD --help'" to stderr.
 */
#ifndef SEK_CLI_H
#define SEK_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { CLI_OK = 0, CLI_BAD_INPUT = 1, CLI_USAGE = 2 };

/* One subcommand: `sek NAME ARGS...`; run() gets argv with argv[0] == NAME. */
typedef struct {
  const char *name;
  const char *summary;
  int (*run)(int argc, char **argv);
} cli_command;

/* The table of subcommands lives in sek.c; each cmd_<name>.c defines its run function. */
int cmd_der(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_attrs(int argc, char **argv);
int cmd_run(int argc, char **argv);

/* Prints "sek CMD: <message>\ntry 'sek CMD --help'\n" to stderr and returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True when arg is -h or --help. */
bool cli_is_help(const char *arg);

/*
 * Reads the whole of PATH ("-" for standard input) into a newly allocated NUL-terminated buffer
 * (free with free()).  Returns NULL after printing "sek CMD: cannot read PATH: reason".
 * Refuses inputs above max_len bytes with a message (hostile input must not exhaust memory).
 */
char *cli_read_file(const char *cmd, const char *path, size_t max_len, size_t *out_len);

/*
 * Parses hex digits into bytes, ignoring spaces, tabs, newlines, ':' and a leading "0x";
 * returns the number of bytes, or -1 after writing a message that names the first bad
 * character and its offset into err (err_cap bytes) — for example an odd digit count.
 */
long cli_hex_decode(const char *text, uint8_t *out, size_t out_cap, char *err, size_t err_cap);

/* Writes len bytes as lowercase hex, no separators. */
void cli_hex_print(FILE *f, const uint8_t *data, size_t len);

/* Writes s as a JSON string literal (with quotes), escaping as RFC 8259 requires; NULL -> null. */
void cli_json_string(FILE *f, const char *s);
/* Same for a byte string of known length (may contain NUL; invalid UTF-8 is written as U+FFFD). */
void cli_json_string_n(FILE *f, const char *s, size_t len);

#endif /* SEK_CLI_H */
