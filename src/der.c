/*
 * der.c: strict DER <-> raw for ECDSA P-256 signatures.  Contract in include/sek/der.h.
 *
 * The parser is one pass over a bounds-checked cursor; the only place it moves is cur_take().
 * Lengths are checked against what is there before anything is read through them, so a claimed
 * length of 2^64-1 costs the same as one of 5.  Clause numbers are X.690 (08/2015).
 */
#include <string.h>

#include <sek/der.h>

/* The P-256 group order n, big-endian (SEC 2 §2.4.2, FIPS 186-4 D.1.2.3). */
static const uint8_t P256_N[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

typedef struct {
  const uint8_t *p;
  size_t len;
} cursor;

/* The byte just past what the cursor can still read: where a truncation is reported. */
static const uint8_t *cur_end(const cursor *c) { return c->p + c->len; }

static int cur_take(cursor *c, size_t n, const uint8_t **out) {
  if (n > c->len)
    return SEK_DER_ERR_TRUNCATED;
  *out = c->p;
  c->p += n;
  c->len -= n;
  return SEK_OK;
}

/*
 * Reads a definite length (8.1.3).  DER wants the short form for 0..127 (10.1); a long form is
 * legal only when minimal, and then it is >= 128, more than any P-256 signature element can
 * hold, so every well-formed long form is SEK_DER_ERR_LEN_TOO_LARGE.  On failure *at is the
 * first length octet, or the end of the input for a truncation.
 */
static int read_length(cursor *c, size_t *out, const uint8_t **at) {
  const uint8_t *b, *lb;
  if (cur_take(c, 1, &b) != SEK_OK) {
    *at = cur_end(c);
    return SEK_DER_ERR_TRUNCATED;
  }
  *at = b;
  if (b[0] < 0x80) {
    *out = b[0];
    return SEK_OK;
  }
  if (b[0] == 0x80)
    return SEK_DER_ERR_LEN_INDEFINITE; /* 8.1.3.6; forbidden in DER by 10.1 */
  if (b[0] == 0xff)
    return SEK_DER_ERR_LEN_RESERVED; /* 8.1.3.5 c */
  if (cur_take(c, b[0] & 0x7fu, &lb) != SEK_OK) {
    *at = cur_end(c);
    return SEK_DER_ERR_TRUNCATED;
  }
  if (lb[0] == 0x00)
    return SEK_DER_ERR_LEN_NONMINIMAL; /* leading zero length octet: not the fewest octets */
  if ((b[0] & 0x7fu) == 1 && lb[0] < 0x80)
    return SEK_DER_ERR_LEN_NONMINIMAL; /* 10.1: short form was required */
  return SEK_DER_ERR_LEN_TOO_LARGE;
}

static int is_zero32(const uint8_t v[32]) {
  uint8_t acc = 0;
  for (size_t i = 0; i < 32; i++)
    acc |= v[i];
  return acc == 0;
}

int sek_der_scalar_check(const uint8_t v[32]) {
  if (v == NULL)
    return SEK_ERR_ARG;
  if (is_zero32(v))
    return SEK_DER_ERR_R_ZERO;
  /* Big-endian byte strings of equal length compare like the numbers they hold. */
  if (memcmp(v, P256_N, 32) >= 0)
    return SEK_DER_ERR_R_RANGE;
  return SEK_OK;
}

/* The significant bytes of a value: no leading zero, at most 32 of them. */
typedef struct {
  const uint8_t *p;
  size_t len;
} magnitude;

/* Writes a magnitude big-endian into 32 bytes, left-padded with zeros. */
static void put32(uint8_t out[32], magnitude m) {
  memset(out, 0, 32 - m.len);
  memcpy(out + 32 - m.len, m.p, m.len);
}

/*
 * Reads one INTEGER (8.3) holding r (which == 0) or s (which == 1) and gives its magnitude, a
 * view into the input.  On failure *at is the byte the broken rule is about: where the INTEGER
 * should start (missing), its tag, its first length octet (length rules, empty), its first
 * content octet (value rules), or the end of what the cursor holds (truncation).
 * The range is checked on the content itself: once the encoding is minimal, only 02 01 00 is
 * zero, and only a 32-byte magnitude can reach n (whose first byte is 0xff).
 */
static int read_integer(cursor *c, int which, magnitude *out, const uint8_t **at) {
  const uint8_t *tag, *len_octet, *content;
  size_t len;
  int st;
  *at = c->p;
  if (cur_take(c, 1, &tag) != SEK_OK)
    return SEK_DER_ERR_MISSING_INT;
  if (tag[0] != 0x02)
    return SEK_DER_ERR_INT_TAG; /* also rejects constructed 0x22 and high-tag forms */
  len_octet = c->p;
  if ((st = read_length(c, &len, at)) != SEK_OK)
    return st;
  *at = len_octet;
  if (len == 0)
    return SEK_DER_ERR_INT_EMPTY; /* 8.3.1: one or more content octets */
  if (cur_take(c, len, &content) != SEK_OK) {
    *at = cur_end(c);
    return SEK_DER_ERR_TRUNCATED;
  }
  *at = content;
  if (content[0] & 0x80)
    return SEK_DER_ERR_INT_NEGATIVE; /* two's complement (8.3.3): r and s are positive */
  if (len > 1 && content[0] == 0x00 && !(content[1] & 0x80))
    return SEK_DER_ERR_INT_NONMINIMAL; /* 8.3.2: first nine bits not all zero */
  size_t skip = content[0] == 0x00 ? 1 : 0;
  out->p = content + skip;
  out->len = len - skip;
  if (out->len > 32)
    return SEK_DER_ERR_INT_TOO_LARGE;
  if (out->len == 0)
    return which == 0 ? SEK_DER_ERR_R_ZERO : SEK_DER_ERR_S_ZERO;
  if (out->len == 32 && out->p[0] == 0xff && memcmp(out->p, P256_N, 32) >= 0)
    return which == 0 ? SEK_DER_ERR_R_RANGE : SEK_DER_ERR_S_RANGE;
  return SEK_OK;
}

int sek_der_sig_to_raw_at(const uint8_t *der, size_t der_len, uint8_t raw[64], size_t *err_offset) {
  if ((der == NULL && der_len != 0) || raw == NULL)
    return SEK_ERR_ARG;
  cursor c = {der, der_len};
  magnitude r, sv;
  size_t seq_len;
  const uint8_t *tag, *at = der;
  int st;

  if (der_len == 0) {
    st = SEK_DER_ERR_EMPTY;
    goto fail;
  }
  cur_take(&c, 1, &tag);
  if (tag[0] != 0x30) {
    st = SEK_DER_ERR_SEQ_TAG;
    goto fail;
  }
  if ((st = read_length(&c, &seq_len, &at)) != SEK_OK)
    goto fail;

  /*
   * Parse the content that is there first, so that the reported rule is the first one broken in
   * reading order; only then say whether the SEQUENCE was cut short or followed by more bytes.
   */
  size_t avail = c.len;
  cursor body = {c.p, seq_len < avail ? seq_len : avail};
  if ((st = read_integer(&body, 0, &r, &at)) != SEK_OK ||
      (st = read_integer(&body, 1, &sv, &at)) != SEK_OK) {
    if (st == SEK_DER_ERR_MISSING_INT && seq_len > avail)
      st = SEK_DER_ERR_TRUNCATED; /* at is already the end of the input */
    goto fail;
  }
  at = body.p;
  if (body.len != 0) {
    st = SEK_DER_ERR_EXTRA_IN_SEQ;
    goto fail;
  }
  if (seq_len > avail) {
    st = SEK_DER_ERR_TRUNCATED;
    goto fail;
  }
  if (seq_len < avail) {
    st = SEK_DER_ERR_TRAILING;
    goto fail;
  }
  put32(raw, r);
  put32(raw + 32, sv);
  if (err_offset != NULL)
    *err_offset = der_len;
  return SEK_OK;

fail:
  if (err_offset != NULL)
    *err_offset = der_len == 0 ? 0 : (size_t)(at - der);
  return st;
}

int sek_der_sig_to_raw(const uint8_t *der, size_t der_len, uint8_t raw[64]) {
  return sek_der_sig_to_raw_at(der, der_len, raw, NULL);
}

/* Writes the minimal INTEGER TLV of a 32-byte value known to be non-zero; returns its length. */
static size_t put_integer(uint8_t *out, const uint8_t v[32]) {
  size_t i = 0;
  while (v[i] == 0) /* terminates: v is non-zero */
    i++;
  size_t n = 32 - i, pad = (v[i] & 0x80) ? 1 : 0;
  out[0] = 0x02;
  out[1] = (uint8_t)(n + pad);
  out[2] = 0x00;
  memcpy(out + 2 + pad, v + i, n);
  return 2 + pad + n;
}

/* Length of the INTEGER TLV put_integer would write. */
static size_t integer_size(const uint8_t v[32]) {
  size_t i = 0;
  while (v[i] == 0)
    i++;
  return 2 + (32 - i) + ((v[i] & 0x80) ? 1 : 0);
}

int sek_der_sig_from_raw(const uint8_t raw[64], uint8_t *out, size_t out_cap, size_t *out_len) {
  if (raw == NULL || out == NULL || out_len == NULL)
    return SEK_ERR_ARG;
  int st = sek_der_scalar_check(raw);
  if (st != SEK_OK)
    return st;
  st = sek_der_scalar_check(raw + 32);
  if (st != SEK_OK)
    return st == SEK_DER_ERR_R_ZERO ? SEK_DER_ERR_S_ZERO : SEK_DER_ERR_S_RANGE;
  size_t body = integer_size(raw) + integer_size(raw + 32);
  if (body + 2 > out_cap)
    return SEK_DER_ERR_BUFFER;
  out[0] = 0x30;
  out[1] = (uint8_t)body; /* <= 70: always the short form */
  size_t n = 2 + put_integer(out + 2, raw);
  n += put_integer(out + n, raw + 32);
  *out_len = n;
  return SEK_OK;
}

/* Indexed by -(status) - 100; keep in the order of enum sek_der_status. */
static const char *const der_messages[] = {
    "empty input: a signature needs at least 8 bytes",
    "not a SEQUENCE: the first byte must be 0x30",
    "truncated: the input ends inside an element",
    "indefinite length (0x80) is BER, not DER",
    "reserved length byte 0xFF",
    "length not in the fewest bytes (DER needs the short form below 128)",
    "length larger than any P-256 signature element",
    "trailing bytes after the SEQUENCE",
    "element is not an INTEGER (tag 0x02)",
    "INTEGER with no content bytes",
    "negative INTEGER (top bit set without a 0x00 pad)",
    "INTEGER with an unneeded leading 0x00",
    "INTEGER wider than 32 bytes",
    "the SEQUENCE holds fewer than two INTEGERs",
    "extra bytes inside the SEQUENCE after s",
    "r is zero",
    "s is zero",
    "r is not below the group order n",
    "s is not below the group order n",
    "output buffer too small (72 bytes always suffice)",
};

const char *sek_der_strerror(int status) {
  if (status <= -100 && status > -100 - (int)(sizeof der_messages / sizeof der_messages[0]))
    return der_messages[-status - 100];
  if (status <= -100 && status >= -199)
    return "unknown DER status";
  return sek_strerror(status);
}
