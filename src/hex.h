/*
 * hex.h (internal): the value of one hexadecimal digit, shared by the parsers of libsek (attrs
 * literals, scenario strings, error texts).  -1 for anything that is not a digit, so callers can
 * feed it any byte of hostile input.
 */
#ifndef SEK_HEX_H
#define SEK_HEX_H

static inline int sek_hex_digit(int c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

#endif /* SEK_HEX_H */
