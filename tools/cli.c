/* cli.c: see cli.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "sek %s: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\ntry 'sek %s --help'\n", cmd);
  return CLI_USAGE;
}

bool cli_is_help(const char *arg) { return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0; }

char *cli_read_file(const char *cmd, const char *path, size_t max_len, size_t *out_len) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "sek %s: cannot read %s: %s\n", cmd, path, strerror(errno));
    return NULL;
  }
  size_t cap = 4096, len = 0, n;
  char *buf = malloc(cap + 1);
  while (buf != NULL && (n = fread(buf + len, 1, cap - len, f)) > 0) {
    len += n;
    if (len > max_len) {
      fprintf(stderr, "sek %s: %s is larger than the limit of %zu bytes\n", cmd, path, max_len);
      free(buf);
      buf = NULL;
      goto out;
    }
    if (len == cap) {
      char *bigger = realloc(buf, cap * 2 + 1);
      if (bigger == NULL) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = bigger;
      cap *= 2;
    }
  }
  if (buf == NULL) {
    fprintf(stderr, "sek %s: out of memory reading %s\n", cmd, path);
  } else if (ferror(f)) {
    fprintf(stderr, "sek %s: cannot read %s: %s\n", cmd, path, strerror(errno));
    free(buf);
    buf = NULL;
  } else {
    buf[len] = '\0';
    if (out_len != NULL)
      *out_len = len;
  }
out:
  if (f != stdin)
    fclose(f);
  return buf;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

long cli_hex_decode(const char *text, uint8_t *out, size_t out_cap, char *err, size_t err_cap) {
  size_t n = 0, digits = 0;
  int hi = 0;
  const char *p = text;
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
    p += 2;
  for (; *p != '\0'; p++) {
    if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ':')
      continue;
    int v = hex_value(*p);
    if (v < 0) {
      snprintf(err, err_cap, "not a hex digit at offset %zu: '%c'", (size_t)(p - text), *p);
      return -1;
    }
    if (digits % 2 == 0) {
      hi = v;
    } else {
      if (n == out_cap) {
        snprintf(err, err_cap, "more than %zu bytes of hex", out_cap);
        return -1;
      }
      out[n++] = (uint8_t)(hi << 4 | v);
    }
    digits++;
  }
  if (digits % 2 != 0) {
    snprintf(err, err_cap, "odd number of hex digits (%zu): the last byte is incomplete", digits);
    return -1;
  }
  return (long)n;
}

void cli_hex_print(FILE *f, const uint8_t *data, size_t len) {
  for (size_t i = 0; i < len; i++)
    fprintf(f, "%02x", data[i]);
}

/* Length of the valid UTF-8 sequence starting at s (at most len bytes), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t len) {
  unsigned c = s[0];
  size_t n;
  unsigned min;
  if (c < 0x80)
    return 1;
  if ((c & 0xe0) == 0xc0) {
    n = 2;
    min = 0x80;
  } else if ((c & 0xf0) == 0xe0) {
    n = 3;
    min = 0x800;
  } else if ((c & 0xf8) == 0xf0) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (n > len)
    return 0;
  unsigned cp = c & (0x7f >> n);
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    cp = cp << 6 | (s[i] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

void cli_json_string_n(FILE *f, const char *s, size_t len) {
  const unsigned char *u = (const unsigned char *)s;
  fputc('"', f);
  for (size_t i = 0; i < len;) {
    unsigned char c = u[i];
    if (c == '"' || c == '\\') {
      fputc('\\', f);
      fputc(c, f);
      i++;
    } else if (c == '\n') {
      fputs("\\n", f);
      i++;
    } else if (c == '\r') {
      fputs("\\r", f);
      i++;
    } else if (c == '\t') {
      fputs("\\t", f);
      i++;
    } else if (c < 0x20 || c == 0x7f) {
      fprintf(f, "\\u%04x", c);
      i++;
    } else {
      size_t n = utf8_seq(u + i, len - i);
      if (n == 0) {
        fputs("\\ufffd", f);
        i++;
      } else {
        fwrite(u + i, 1, n, f);
        i += n;
      }
    }
  }
  fputc('"', f);
}

void cli_json_string(FILE *f, const char *s) {
  if (s == NULL)
    fputs("null", f);
  else
    cli_json_string_n(f, s, strlen(s));
}
