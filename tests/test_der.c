/*
 * test_der.c: include/sek/der.h, the strict ECDSA P-256 DER codec.
 *
 *  - one table of inputs, each with the status and offset sek_der_sig_to_raw_at must give and
 *    the reason; it holds every rule of the header and every edge of the reference's §3 list
 *    (../shared/reference/ecdsa-der.md; Wycheproof tcIds in the reasons), and OpenSSL's strict
 *    verdict (sek_verify_ref_der_to_raw) must agree with each row;
 *  - the encoder's edges, misuse (NULL arguments), the status messages;
 *  - a property test in the manner of libsecp256k1's run_ecdsa_der_parse: a generator that knows
 *    whether each encoding is certainly valid or certainly invalid, then random damage; it
 *    prints its seed, and SEK_TEST_SEED=<seed> reproduces a run;
 *  - a differential against OpenSSL over the Wycheproof DER signatures and their mutations.
 */
#include "sek_test.h"

#include <inttypes.h>

#include <cjson/cJSON.h>

#include <sek/der.h>
#include <sek/verify.h>

/* The tests read hex with the sek tool's own reader (tools/cli.h, linked as sek_cli). */
#include "cli.h"

/* Big-endian 32-byte values, as hex (SEC 2 §2.4.2). */
#define N_HEX "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"
#define N_MINUS_1 "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550"
#define N_PLUS_1 "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632552"
#define P_HEX "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"
#define P_PLUS_1 "ffffffff00000001000000000000000000000001000000000000000000000000"
#define MAX256 "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
#define V32 "2ba3a8be6b94d5ec80a6d9d1190a436effe50d85a1eee859b8cc6af9bd5c2e18"  /* top bit clear */
#define V32H "b329f479a2bbd0a5c384ee1493b1f5186a87139cac5df4087c134b49156847db" /* top bit set */

/* One INTEGER 1 and the valid 8-byte and 72-byte extremes. */
#define ONE "02 01 01"
#define BIG "02 21 00 " N_MINUS_1

/* Hex through cli_hex_decode; a bad literal in this file fails the test that uses it. */
static size_t hex(const char *text, uint8_t *out, size_t cap) {
  char err[128];
  long n = cli_hex_decode(text, out, cap, err, sizeof err);
  if (n < 0)
    fail_msg("bad hex in the test itself: %s: %s", err, text);
  return (size_t)n;
}

static const char *status_text(int st) { return st == SEK_OK ? "ok" : sek_der_strerror(st); }

typedef struct {
  const char *hex;
  int status;
  size_t offset; /* what sek_der_sig_to_raw_at reports; der_len on success */
  const char *reason;
} der_row;

static const der_row rows[] = {
    /* -- valid -------------------------------------------------------------------------- */
    {"30 06 " ONE " " ONE, SEK_OK, 8, "r = s = 1: the shortest signature"},
    {"30 06 02 01 05 02 01 01", SEK_OK, 8, "small r and s (Wycheproof tc 355)"},
    {"30 46 " BIG " " BIG, SEK_OK, 72, "r = s = n-1: the longest signature"},
    {"30 26 02 01 01 " BIG, SEK_OK, 40, "high S (s = n-1) is accepted: P-256 has no low-S rule"},
    {"30 25 02 20 " V32 " " ONE, SEK_OK, 39, "32-byte r, top bit clear: no pad"},
    {"30 26 02 21 00 " V32H " " ONE, SEK_OK, 40, "32-byte r, top bit set: one 00 pad"},
    {"30 07 02 02 00 80 " ONE, SEK_OK, 9, "r = 0x80 needs its pad"},
    {"30 06 02 01 7f " ONE, SEK_OK, 8, "r = 0x7f needs none"},
    /* -- §3.1 lengths 0, 1, 2, 7, 73, truncations ------------------------------------------ */
    {"", SEK_DER_ERR_EMPTY, 0, "length 0 (tc 21)"},
    {"30", SEK_DER_ERR_TRUNCATED, 1, "lonely SEQUENCE tag (tc 22)"},
    {"02", SEK_DER_ERR_SEQ_TAG, 0, "length 1, not a SEQUENCE"},
    {"30 00", SEK_DER_ERR_MISSING_INT, 2, "length 2: empty SEQUENCE"},
    {"30 06 02 01 01 02 01", SEK_DER_ERR_TRUNCATED, 7, "length 7: s content cut off"},
    {"30 46 " BIG " " BIG " 00", SEK_DER_ERR_TRAILING, 72,
     "length 73: one byte after the SEQUENCE"},
    {"30 06 02 01 01", SEK_DER_ERR_TRUNCATED, 5, "SEQUENCE claims 6, 3 there: truncated"},
    {"30 22 02 20 " V32, SEK_DER_ERR_MISSING_INT, 36, "removed last element (tc 61)"},
    /* -- §3.2 tags ------------------------------------------------------------------------- */
    {"31 06 " ONE " " ONE, SEK_DER_ERR_SEQ_TAG, 0, "SET (0x31) instead of SEQUENCE"},
    {"10 06 " ONE " " ONE, SEK_DER_ERR_SEQ_TAG, 0, "primitive SEQUENCE tag 0x10"},
    {"00 06 " ONE " " ONE, SEK_DER_ERR_SEQ_TAG, 0, "tag 0x00 [UNIVERSAL 0]"},
    {"3f 10 06 " ONE " " ONE, SEK_DER_ERR_SEQ_TAG, 0, "high-tag-number SEQUENCE 3f 10 (tc 472)"},
    {"30 07 1f 02 01 01 " ONE, SEK_DER_ERR_INT_TAG, 2, "high-tag-number INTEGER on r (tc 473)"},
    {"30 07 " ONE " 1f 02 01 01", SEK_DER_ERR_INT_TAG, 5, "high-tag-number INTEGER on s (tc 474)"},
    {"30 08 22 03 02 01 01 " ONE, SEK_DER_ERR_INT_TAG, 2, "constructed INTEGER 0x22 (tc 101)"},
    {"30 06 03 01 01 " ONE, SEK_DER_ERR_INT_TAG, 2, "BIT STRING where r belongs"},
    {"30 06 " ONE " 04 01 01", SEK_DER_ERR_INT_TAG, 5, "OCTET STRING where s belongs"},
    /* -- §3.3 length bytes ----------------------------------------------------------------- */
    {"30 80 " ONE " " ONE " 00 00", SEK_DER_ERR_LEN_INDEFINITE, 1,
     "indefinite SEQUENCE length (tc 20, 48)"},
    {"30 81 06 " ONE " " ONE, SEK_DER_ERR_LEN_NONMINIMAL, 1, "81 06: long form below 128 (tc 8)"},
    {"30 82 00 06 " ONE " " ONE, SEK_DER_ERR_LEN_NONMINIMAL, 1,
     "82 00 06: leading zero length octet (tc 9)"},
    {"30 83 00 00 06 " ONE " " ONE, SEK_DER_ERR_LEN_NONMINIMAL, 1, "83 00 00 06"},
    {"30 84 00 00 00 06 " ONE " " ONE, SEK_DER_ERR_LEN_NONMINIMAL, 1, "84 00 00 00 06"},
    {"30 81 80 " ONE " " ONE, SEK_DER_ERR_LEN_TOO_LARGE, 1, "81 80: minimal long form, 128 > 70"},
    {"30 84 7f ff ff ff " ONE " " ONE, SEK_DER_ERR_LEN_TOO_LARGE, 1, "length 2^31-1"},
    {"30 84 ff ff ff ff " ONE " " ONE, SEK_DER_ERR_LEN_TOO_LARGE, 1, "length 2^32-1"},
    {"30 85 ff ff ff ff ff " ONE " " ONE, SEK_DER_ERR_LEN_TOO_LARGE, 1, "length 2^40-1"},
    {"30 88 ff ff ff ff ff ff ff ff " ONE " " ONE, SEK_DER_ERR_LEN_TOO_LARGE, 1,
     "length 2^64-1 (tc 18)"},
    {"30 89 01 00 00 00 00 00 00 00 00 " ONE " " ONE, SEK_DER_ERR_LEN_TOO_LARGE, 1,
     "length 2^64: overflows a 64-bit size_t"},
    {"30 ff " ONE " " ONE, SEK_DER_ERR_LEN_RESERVED, 1, "reserved length byte 0xff"},
    {"30 84 ff ff", SEK_DER_ERR_TRUNCATED, 4, "input ends inside a long-form length"},
    {"30 07 " ONE " " ONE, SEK_DER_ERR_TRUNCATED, 8, "SEQUENCE length one too high (tc 10)"},
    {"30 05 " ONE " " ONE, SEK_DER_ERR_TRUNCATED, 7, "SEQUENCE length one too low: s runs past it"},
    {"30 06 02 01 01 02 02 01", SEK_DER_ERR_TRUNCATED, 8, "s length one too high"},
    {"30 06 02 02 01 02 01 01", SEK_DER_ERR_INT_TAG, 6, "r length one too high: s's tag is eaten"},
    {"30 07 02 81 01 01 " ONE, SEK_DER_ERR_LEN_NONMINIMAL, 3, "r length in long form (tc 67)"},
    {"30 07 " ONE " 02 81 01 01", SEK_DER_ERR_LEN_NONMINIMAL, 6, "s length in long form (tc 114)"},
    {"30 06 02 80 01 00 " ONE, SEK_DER_ERR_LEN_INDEFINITE, 3, "indefinite INTEGER length"},
    {"30 06 02 ff 01 " ONE, SEK_DER_ERR_LEN_RESERVED, 3, "reserved INTEGER length 0xff"},
    {"30 0a 02 84 ff ff ff ff 01 " ONE, SEK_DER_ERR_LEN_TOO_LARGE, 3, "r length 2^32-1"},
    {"30 0a 02 88 ff ff ff ff ff ff ff ff", SEK_DER_ERR_LEN_TOO_LARGE, 3, "r length 2^64-1"},
    {"30 05 02 84 ff ff ff", SEK_DER_ERR_TRUNCATED, 7, "input ends inside r's long-form length"},
    /* -- §3.4 SEQUENCE content ------------------------------------------------------------- */
    {"30 03 " ONE, SEK_DER_ERR_MISSING_INT, 5, "s missing"},
    {"30 05 02 00 " ONE, SEK_DER_ERR_INT_EMPTY, 3, "value of r dropped (tc 100)"},
    {"30 09 " ONE " " ONE " " ONE, SEK_DER_ERR_EXTRA_IN_SEQ, 8,
     "a third INTEGER (repeated element, tc 62)"},
    {"30 08 " ONE " " ONE " 05 00", SEK_DER_ERR_EXTRA_IN_SEQ, 8,
     "NULL appended inside the SEQUENCE"},
    {"30 06 " ONE " " ONE " 05 00", SEK_DER_ERR_TRAILING, 8, "NULL appended after the SEQUENCE"},
    {"30 06 " ONE " " ONE " 00 00", SEK_DER_ERR_TRAILING, 8, "unused 0s appended (tc 25)"},
    {"30 08 30 06 " ONE " " ONE, SEK_DER_ERR_INT_TAG, 2, "SEQUENCE of SEQUENCE (tc 60)"},
    {"30 0a 30 08 " ONE " " ONE " 05 00", SEK_DER_ERR_INT_TAG, 2, "nested SEQUENCE plus NULL"},
    {"30 0a aa 00 bb 00 " ONE " " ONE, SEK_DER_ERR_INT_TAG, 2,
     "undefined tags before r (tc 30, 34)"},
    /* -- §3.5 INTEGER content -------------------------------------------------------------- */
    {"30 05 " ONE " 02 00", SEK_DER_ERR_INT_EMPTY, 6, "empty s"},
    {"30 07 02 02 00 00 " ONE, SEK_DER_ERR_INT_NONMINIMAL, 4, "r = 00 00"},
    {"30 07 02 02 00 7f " ONE, SEK_DER_ERR_INT_NONMINIMAL, 4, "r = 00 7f: the 00 is not needed"},
    {"30 07 " ONE " 02 02 00 01", SEK_DER_ERR_INT_NONMINIMAL, 7, "s = 00 01"},
    {"30 27 02 22 00 00 " V32H " " ONE, SEK_DER_ERR_INT_NONMINIMAL, 4,
     "prepending 0s to r (tc 84)"},
    {"30 07 02 02 ff 80 " ONE, SEK_DER_ERR_INT_NEGATIVE, 4, "r = ff 80 (-128)"},
    {"30 06 02 01 80 " ONE, SEK_DER_ERR_INT_NEGATIVE, 4,
     "top bit set without a pad (MissingZero, tc 6)"},
    {"30 06 " ONE " 02 01 80", SEK_DER_ERR_INT_NEGATIVE, 7, "s negative"},
    {"30 06 02 01 ff " ONE, SEK_DER_ERR_INT_NEGATIVE, 4, "r = -1 (tc 250)"},
    {"30 25 02 20 " V32H " " ONE, SEK_DER_ERR_INT_NEGATIVE, 4,
     "-r: 32 bytes, top bit set (tc 155)"},
    {"30 26 02 21 01 " V32 " " ONE, SEK_DER_ERR_INT_TOO_LARGE, 4,
     "33 bytes without 00: r + 2^256 (tc 158)"},
    {"30 26 " ONE " 02 21 01 " V32H, SEK_DER_ERR_INT_TOO_LARGE, 7, "s + 2^256 (tc 165)"},
    {"30 27 02 22 00 80 " V32 " " ONE, SEK_DER_ERR_INT_TOO_LARGE, 4, "34 bytes with its pad"},
    /* -- §3.6 values ----------------------------------------------------------------------- */
    {"30 06 02 01 00 02 01 00", SEK_DER_ERR_R_ZERO, 4, "r = s = 0: CVE-2022-21449 (tc 168)"},
    {"30 06 02 01 00 " ONE, SEK_DER_ERR_R_ZERO, 4, "r = 0"},
    {"30 06 " ONE " 02 01 00", SEK_DER_ERR_S_ZERO, 7, "s = 0"},
    {"30 26 02 21 00 " N_HEX " " ONE, SEK_DER_ERR_R_RANGE, 4, "r = n"},
    {"30 26 02 21 00 " N_PLUS_1 " " ONE, SEK_DER_ERR_R_RANGE, 4, "r = n+1"},
    {"30 26 02 21 00 " P_HEX " " ONE, SEK_DER_ERR_R_RANGE, 4, "r = p"},
    {"30 26 02 21 00 " P_PLUS_1 " " ONE, SEK_DER_ERR_R_RANGE, 4, "r = p+1"},
    {"30 26 02 21 00 " MAX256 " " ONE, SEK_DER_ERR_R_RANGE, 4, "r = 2^256-1"},
    {"30 26 " ONE " 02 21 00 " N_HEX, SEK_DER_ERR_S_RANGE, 7, "s = n"},
    {"30 26 " ONE " 02 21 00 " N_PLUS_1, SEK_DER_ERR_S_RANGE, 7, "s = n+1"},
    {"30 26 " ONE " 02 21 00 " MAX256, SEK_DER_ERR_S_RANGE, 7, "s = 2^256-1"},
    {"30 26 02 21 00 " N_HEX " 02 01 00", SEK_DER_ERR_R_RANGE, 4, "r = n, s = 0: r is read first"},
    /* -- §3.7 wrong types (tc 232-294) ----------------------------------------------------- */
    {"30 08 02 01 00 09 03 80 fe 01", SEK_DER_ERR_R_ZERO, 4, "r = 0, s = REAL 0.25 (tc 232)"},
    {"30 08 " ONE " 09 03 80 fe 01", SEK_DER_ERR_INT_TAG, 5, "s = REAL 0.25"},
    {"30 06 " ONE " 09 01 42", SEK_DER_ERR_INT_TAG, 5, "s = REAL NaN (tc 233)"},
    {"30 06 01 01 00 01 01 00", SEK_DER_ERR_INT_TAG, 2, "r, s = BOOLEAN false (tc 280)"},
    {"30 06 " ONE " 01 01 ff", SEK_DER_ERR_INT_TAG, 5, "s = BOOLEAN true"},
    {"30 05 " ONE " 05 00", SEK_DER_ERR_INT_TAG, 5, "s = NULL"},
    {"30 06 " ONE " 0c 01 30", SEK_DER_ERR_INT_TAG, 5, "s = UTF8String \"0\""},
    {"30 05 " ONE " 30 00", SEK_DER_ERR_INT_TAG, 5, "s = empty list"},
    {"30 08 " ONE " 30 03 02 01 00", SEK_DER_ERR_INT_TAG, 5, "s = one-element list (tc 240)"},
    {"30 08 30 03 02 01 00 02 01 00", SEK_DER_ERR_INT_TAG, 2, "r = list (tc 294)"},
};

static void test_der_rules_table(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    const der_row *row = &rows[i];
    uint8_t der[128], raw[64], raw2[64], ref[64];
    size_t len = hex(row->hex, der, sizeof der), off = 12345;
    memset(raw, 0xa5, sizeof raw);
    int st = sek_der_sig_to_raw_at(len ? der : NULL, len, raw, &off);
    if (st != row->status || off != row->offset)
      fail_msg("row %zu (%s): got %d (%s) at offset %zu, want %d (%s) at %zu", i, row->reason, st,
               status_text(st), off, row->status, status_text(row->status), row->offset);
    /* the variant without an offset agrees */
    memset(raw2, 0xa5, sizeof raw2);
    if (sek_der_sig_to_raw(der, len, raw2) != st || memcmp(raw, raw2, 64) != 0)
      fail_msg("row %zu (%s): sek_der_sig_to_raw differs from the _at variant", i, row->reason);
    /* OpenSSL's strict verdict (d2i + whole input + i2d identical + range) agrees */
    int ref_st = sek_verify_ref_der_to_raw(der, len, ref);
    if ((st == SEK_OK) != (ref_st == SEK_OK))
      fail_msg("row %zu (%s): OpenSSL's strict verdict is %s", i, row->reason,
               ref_st == SEK_OK ? "accept" : "reject");
    if (st == SEK_OK) {
      uint8_t again[SEK_DER_SIG_MAX_LEN];
      size_t again_len = 0;
      if (memcmp(raw, ref, 64) != 0)
        fail_msg("row %zu (%s): r || s differs from OpenSSL's", i, row->reason);
      assert_int_equal(sek_der_sig_from_raw(raw, again, sizeof again, &again_len), SEK_OK);
      if (again_len != len || memcmp(again, der, len) != 0)
        fail_msg("row %zu (%s): re-encoding is not byte-identical", i, row->reason);
    } else {
      for (size_t j = 0; j < 64; j++)
        if (raw[j] != 0xa5)
          fail_msg("row %zu (%s): raw written on failure", i, row->reason);
    }
  }
}

/* Every status of the module appears in the table (so each rule has at least one row). */
static void test_der_rules_table_covers_every_status(void **state) {
  (void)state;
  for (int st = SEK_DER_ERR_EMPTY; st > SEK_DER_ERR_BUFFER; st--) {
    int seen = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
      seen |= rows[i].status == st;
    if (!seen)
      fail_msg("no row for status %d (%s)", st, sek_der_strerror(st));
  }
}

/* Valid signatures whose every strict prefix is checked. */
static const char *const prefix_sigs[] = {
    "30 06 " ONE " " ONE,
    "30 46 " BIG " " BIG,
    "30 45 02 20 " V32 " 02 21 00 " V32H,
};

/* §3.1: every strict prefix of a valid signature is TRUNCATED where it ends (EMPTY at 0). */
static void test_der_every_prefix_is_truncated(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof prefix_sigs / sizeof prefix_sigs[0]; i++) {
    uint8_t der[SEK_DER_SIG_MAX_LEN], raw[64];
    size_t len = hex(prefix_sigs[i], der, sizeof der);
    assert_int_equal(sek_der_sig_to_raw(der, len, raw), SEK_OK);
    for (size_t k = 0; k < len; k++) {
      /* an exact-size heap copy so that ASan sees any read past the prefix */
      uint8_t *copy = malloc(k ? k : 1);
      assert_non_null(copy);
      memcpy(copy, der, k);
      size_t off = 0;
      int st = sek_der_sig_to_raw_at(copy, k, raw, &off);
      int want = k == 0 ? SEK_DER_ERR_EMPTY : SEK_DER_ERR_TRUNCATED;
      free(copy);
      if (st != want || off != k)
        fail_msg("signature %zu, prefix of %zu bytes: got %d (%s) at %zu", i, k, st,
                 status_text(st), off);
    }
  }
}

/* §3.1 and CVE-2019-14853: inputs above 4 KiB cost one pass and are refused clearly. */
static void test_der_long_inputs(void **state) {
  (void)state;
  enum { BIG_LEN = 4172 }; /* the size of Wycheproof tc 106 and 148 */
  uint8_t *der = calloc(1, BIG_LEN), raw[64];
  size_t off;
  assert_non_null(der);
  /* a 4129-byte r, as tc 106: 30 82 10 48 02 82 10 21 ... */
  const uint8_t head[] = {0x30, 0x82, 0x10, 0x48, 0x02, 0x82, 0x10, 0x21};
  memcpy(der, head, sizeof head);
  assert_int_equal(sek_der_sig_to_raw_at(der, BIG_LEN, raw, &off), SEK_DER_ERR_LEN_TOO_LARGE);
  assert_int_equal(off, 1);
  /* a valid signature followed by 4 KiB of zeros */
  memset(der, 0, BIG_LEN);
  hex("30 06 " ONE " " ONE, der, 8);
  assert_int_equal(sek_der_sig_to_raw_at(der, BIG_LEN, raw, &off), SEK_DER_ERR_TRAILING);
  assert_int_equal(off, 8);
  /* a short-form SEQUENCE of 127 bytes holding a 125-byte INTEGER */
  memset(der, 0x11, BIG_LEN);
  hex("30 7f 02 7d", der, 4);
  assert_int_equal(sek_der_sig_to_raw_at(der, 129, raw, &off), SEK_DER_ERR_INT_TOO_LARGE);
  assert_int_equal(off, 4);
  free(der);
}

/* A raw value from hex r and s. */
static void raw_of(const char *r, const char *s, uint8_t raw[64]) {
  assert_int_equal(hex(r, raw, 32), 32);
  assert_int_equal(hex(s, raw + 32, 32), 32);
}

#define HEX32_1 "0000000000000000000000000000000000000000000000000000000000000001"
#define HEX32_0 "0000000000000000000000000000000000000000000000000000000000000000"
#define HEX32_80 "0000000000000000000000000000000000000000000000000000000000000080"
#define HEX32_7FFF "0000000000000000000000000000000000000000000000000000000000007fff"

static const struct {
  const char *r, *s;
  int status;
  const char *der; /* expected encoding on success */
  const char *reason;
} enc_rows[] = {
    {HEX32_1, HEX32_1, SEK_OK, "30 06 02 01 01 02 01 01", "8-byte extreme: leading zeros stripped"},
    {N_MINUS_1, N_MINUS_1, SEK_OK, "30 46 " BIG " " BIG, "72-byte extreme: both padded"},
    {HEX32_80, HEX32_7FFF, SEK_OK, "30 08 02 02 00 80 02 02 7f ff", "top bit pad on r only"},
    {V32, V32H, SEK_OK, "30 45 02 20 " V32 " 02 21 00 " V32H, "32-byte values, s padded"},
    {HEX32_0, HEX32_1, SEK_DER_ERR_R_ZERO, NULL, "r = 0 refused"},
    {HEX32_1, HEX32_0, SEK_DER_ERR_S_ZERO, NULL, "s = 0 refused"},
    {HEX32_0, HEX32_0, SEK_DER_ERR_R_ZERO, NULL, "all-zero raw (CVE-2022-24884): r first"},
    {N_HEX, HEX32_1, SEK_DER_ERR_R_RANGE, NULL, "r = n refused"},
    {N_PLUS_1, HEX32_1, SEK_DER_ERR_R_RANGE, NULL, "r = n+1 refused"},
    {HEX32_1, N_HEX, SEK_DER_ERR_S_RANGE, NULL, "s = n refused"},
    {HEX32_1, N_PLUS_1, SEK_DER_ERR_S_RANGE, NULL, "s = n+1 refused"},
    {MAX256, MAX256, SEK_DER_ERR_R_RANGE, NULL, "0xff...ff refused"},
};

static void test_der_encoder_edges(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof enc_rows / sizeof enc_rows[0]; i++) {
    uint8_t raw[64], out[SEK_DER_SIG_MAX_LEN + 1], want[SEK_DER_SIG_MAX_LEN];
    size_t out_len = 999;
    raw_of(enc_rows[i].r, enc_rows[i].s, raw);
    memset(out, 0xa5, sizeof out);
    int st = sek_der_sig_from_raw(raw, out, SEK_DER_SIG_MAX_LEN, &out_len);
    if (st != enc_rows[i].status)
      fail_msg("encoder row %zu (%s): got %d (%s)", i, enc_rows[i].reason, st, status_text(st));
    if (st != SEK_OK) {
      if (out_len != 999 || out[0] != 0xa5)
        fail_msg("encoder row %zu (%s): output written on failure", i, enc_rows[i].reason);
      continue;
    }
    size_t want_len = hex(enc_rows[i].der, want, sizeof want);
    if (out_len != want_len || memcmp(out, want, want_len) != 0 || out[want_len] != 0xa5)
      fail_msg("encoder row %zu (%s): wrong bytes or length %zu", i, enc_rows[i].reason, out_len);
    /* exactly the size fits; one byte less is refused without writing */
    uint8_t exact[SEK_DER_SIG_MAX_LEN];
    size_t exact_len = 0, short_len = 777;
    assert_int_equal(sek_der_sig_from_raw(raw, exact, want_len, &exact_len), SEK_OK);
    assert_int_equal(exact_len, want_len);
    memset(exact, 0xa5, sizeof exact);
    if (sek_der_sig_from_raw(raw, exact, want_len - 1, &short_len) != SEK_DER_ERR_BUFFER ||
        short_len != 777 || exact[0] != 0xa5)
      fail_msg("encoder row %zu (%s): a buffer short by one was not refused cleanly", i,
               enc_rows[i].reason);
    assert_int_equal(sek_der_sig_from_raw(raw, exact, 0, &short_len), SEK_DER_ERR_BUFFER);
  }
}

/* Caller bugs are SEK_ERR_ARG, once per pointer argument; NULL with length 0 is no bug. */
static void test_der_misuse(void **state) {
  (void)state;
  uint8_t der[8], raw[64], out[SEK_DER_SIG_MAX_LEN];
  size_t len, off;
  hex("30 06 " ONE " " ONE, der, sizeof der);
  assert_int_equal(sek_der_sig_to_raw(NULL, 8, raw), SEK_ERR_ARG);
  assert_int_equal(sek_der_sig_to_raw(der, 8, NULL), SEK_ERR_ARG);
  assert_int_equal(sek_der_sig_to_raw(NULL, 0, raw), SEK_DER_ERR_EMPTY);
  assert_int_equal(sek_der_sig_to_raw_at(NULL, 8, raw, &off), SEK_ERR_ARG);
  assert_int_equal(sek_der_sig_to_raw_at(der, 8, NULL, &off), SEK_ERR_ARG);
  assert_int_equal(sek_der_sig_to_raw_at(der, 8, raw, NULL), SEK_OK);
  assert_int_equal(sek_der_sig_from_raw(NULL, out, sizeof out, &len), SEK_ERR_ARG);
  assert_int_equal(sek_der_sig_from_raw(raw, NULL, sizeof out, &len), SEK_ERR_ARG);
  assert_int_equal(sek_der_sig_from_raw(raw, out, sizeof out, NULL), SEK_ERR_ARG);
  assert_int_equal(sek_der_scalar_check(NULL), SEK_ERR_ARG);
}

/* Each status has its own message, routed the same way by sek_strerror. */
static void test_der_strerror(void **state) {
  (void)state;
  for (int st = SEK_DER_ERR_EMPTY; st >= SEK_DER_ERR_BUFFER; st--) {
    const char *m = sek_der_strerror(st);
    assert_non_null(m);
    if (strstr(m, "unknown") != NULL)
      fail_msg("status %d has no message", st);
    assert_ptr_equal(sek_strerror(st), m);
    for (int other = st - 1; other >= SEK_DER_ERR_BUFFER; other--)
      if (strcmp(m, sek_der_strerror(other)) == 0)
        fail_msg("statuses %d and %d share the message \"%s\"", st, other, m);
  }
  assert_string_equal(sek_der_strerror(SEK_DER_ERR_BUFFER - 1), "unknown DER status");
  assert_string_equal(sek_der_strerror(SEK_ERR_ARG), sek_strerror(SEK_ERR_ARG));
}

/* ---- property test ------------------------------------------------------------------------ */

static uint64_t rng_next(uint64_t *s) { /* splitmix64 */
  uint64_t z = (*s += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}
static unsigned rng_below(uint64_t *s, unsigned n) { return (unsigned)(rng_next(s) % n); }

/* The group order as the test itself knows it, apart from der.c. */
static void order_n(uint8_t n[32]) { hex(N_HEX, n, 32); }

enum { GEN_CAP = 160 };
typedef struct {
  uint8_t der[GEN_CAP];
  size_t len;
  bool valid;      /* certainly valid when true, certainly invalid when false */
  uint8_t raw[64]; /* the values, when valid */
} gen_sig;

static void put(gen_sig *g, const uint8_t *p, size_t n) {
  assert_true(g->len + n <= GEN_CAP);
  memcpy(g->der + g->len, p, n);
  g->len += n;
}
static void put1(gen_sig *g, uint8_t b) { put(g, &b, 1); }

/* Appends a definite length: short form or, sometimes, a non-minimal long form (invalid). */
static void put_length(gen_sig *g, uint64_t *rs, size_t len) {
  unsigned form = len >= 128 ? 1 : rng_below(rs, 16);
  if (form == 0 && len < 128) { /* 81 xx below 128 */
    put1(g, 0x81);
    g->valid = false;
  } else if (form == 1 && len >= 128) { /* the minimal long form; only oversized content needs it */
    put1(g, 0x81);
  } else if (form == 2) { /* 82 00 xx */
    put1(g, 0x82);
    put1(g, 0x00);
    g->valid = false;
  }
  put1(g, (uint8_t)len);
}

/* Builds one INTEGER into a side buffer (so that the SEQUENCE length can go first). */
static void gen_integer(gen_sig *g, uint64_t *rs, uint8_t out32[32]) {
  uint8_t n[32], v[40], content[48];
  size_t sig, c = 0;
  order_n(n);
  unsigned kind = rng_below(rs, 12);
  if (kind == 0) { /* zero */
    sig = 0;
    g->valid = false;
  } else if (kind == 1) { /* too wide */
    sig = 33 + rng_below(rs, 8);
    g->valid = false;
  } else if (kind == 2) { /* tiny */
    sig = 1;
  } else {
    sig = 1 + rng_below(rs, 32);
    if (kind < 8)
      sig = 32; /* most real signatures have 32-byte values */
  }
  for (size_t i = 0; i < sig; i++)
    v[i] = (uint8_t)rng_next(rs);
  if (sig > 0 && v[0] == 0)
    v[0] = 1 + (uint8_t)rng_below(rs, 255);
  if (kind == 3 && sig == 32) { /* n-1, n or n+1 */
    memcpy(v, n, 32);
    v[31] = (uint8_t)(v[31] + rng_below(rs, 3) - 1);
  }
  if (sig == 32 && memcmp(v, n, 32) >= 0)
    g->valid = false;
  if (sig <= 32) {
    memset(out32, 0, 32);
    memcpy(out32 + 32 - sig, v, sig);
  }
  /* content: extra zeros (invalid), the pad when the top bit is set (unless dropped: invalid) */
  if (rng_below(rs, 10) == 0) {
    size_t extra = 1 + rng_below(rs, 2);
    memset(content, 0, extra);
    c = extra;
    g->valid = false;
  }
  if (sig == 0 || (v[0] & 0x80)) {
    if (sig != 0 && c == 0 && rng_below(rs, 10) == 0)
      g->valid = false; /* pad dropped: negative (with extra zeros it would be the right pad) */
    else
      content[c++] = 0;
  }
  if (sig == 0 && c > 0 && rng_below(rs, 4) == 0)
    c--, g->valid = false; /* the empty INTEGER */
  memcpy(content + c, v, sig);
  c += sig;
  put1(g, rng_below(rs, 40) == 0 ? (uint8_t)(0x03 + rng_below(rs, 0xfc)) : 0x02);
  if (g->der[g->len - 1] != 0x02)
    g->valid = false;
  put_length(g, rs, c);
  put(g, content, c);
}

static void gen_signature(gen_sig *g, uint64_t *rs) {
  gen_sig body = {.valid = true};
  gen_integer(&body, rs, g->raw);
  gen_integer(&body, rs, g->raw + 32);
  if (rng_below(rs, 16) == 0) { /* an element after s */
    put(&body, (const uint8_t[]){0x05, 0x00}, 2);
    body.valid = false;
  }
  g->len = 0;
  g->valid = body.valid;
  put1(g, rng_below(rs, 40) == 0 ? 0x31 : 0x30);
  if (g->der[0] != 0x30)
    g->valid = false;
  put_length(g, rs, body.len);
  put(g, body.der, body.len);
  if (rng_below(rs, 16) == 0) {
    put1(g, (uint8_t)rng_next(rs));
    g->valid = false;
  }
}

/* Random damage: delete, insert or change a byte, or flip a bit (libsecp256k1's four). */
static void damage(gen_sig *g, uint64_t *rs) {
  size_t at = g->len ? rng_below(rs, (unsigned)g->len) : 0;
  switch (rng_below(rs, 4)) {
  case 0:
    if (g->len > 0) {
      memmove(g->der + at, g->der + at + 1, g->len - at - 1);
      g->len--;
    }
    break;
  case 1:
    if (g->len < GEN_CAP) {
      memmove(g->der + at + 1, g->der + at, g->len - at);
      g->der[at] = (uint8_t)rng_next(rs);
      g->len++;
    }
    break;
  case 2:
    if (g->len > 0)
      g->der[at] = (uint8_t)rng_next(rs);
    break;
  default:
    if (g->len > 0)
      g->der[at] ^= (uint8_t)(1u << rng_below(rs, 8));
    break;
  }
}

/*
 * The properties every input must have, labelled or not: the verdict equals OpenSSL's strict
 * verdict, an accepted input re-encodes to itself, a rejection leaves raw alone and names an
 * offset within the input.  Returns the verdict.
 */
static int check_any(const uint8_t *der, size_t len, const char *what, uint64_t seed, long iter) {
  uint8_t raw[64], ref[64], again[SEK_DER_SIG_MAX_LEN];
  size_t off = (size_t)-1, again_len;
  memset(raw, 0x5a, sizeof raw);
  int st = sek_der_sig_to_raw_at(der, len, raw, &off);
  int ref_st = sek_verify_ref_der_to_raw(der, len, ref);
  if ((st == SEK_OK) != (ref_st == SEK_OK))
    fail_msg("seed 0x%" PRIx64 " iteration %ld (%s): ours %d (%s), OpenSSL %s", seed, iter, what,
             st, status_text(st), ref_st == SEK_OK ? "accepts" : "rejects");
  if (off > len)
    fail_msg("seed 0x%" PRIx64 " iteration %ld (%s): offset %zu past %zu", seed, iter, what, off,
             len);
  if (st == SEK_OK) {
    if (memcmp(raw, ref, 64) != 0 ||
        sek_der_sig_from_raw(raw, again, sizeof again, &again_len) != SEK_OK || again_len != len ||
        memcmp(again, der, len) != 0)
      fail_msg("seed 0x%" PRIx64 " iteration %ld (%s): accepted but no exact round trip", seed,
               iter, what);
  } else {
    for (size_t j = 0; j < 64; j++)
      if (raw[j] != 0x5a)
        fail_msg("seed 0x%" PRIx64 " iteration %ld (%s): raw written on failure", seed, iter, what);
  }
  return st;
}

static uint64_t test_seed(void) {
  const char *env = getenv("SEK_TEST_SEED");
  if (env != NULL && *env != '\0')
    return strtoull(env, NULL, 0);
  uint64_t seed = 0;
  FILE *f = fopen("/dev/urandom", "rb");
  if (f == NULL || fread(&seed, sizeof seed, 1, f) != 1)
    seed = (uint64_t)getpid() * 0x9e3779b97f4a7c15u;
  if (f != NULL)
    fclose(f);
  return seed;
}

static void test_der_property_generated(void **state) {
  (void)state;
  const uint64_t seed = test_seed();
  uint64_t rs = seed;
  long counts[2] = {0, 0}, damaged_accepted = 0;
  printf("property test: SEK_TEST_SEED=0x%016" PRIx64 " reproduces this run\n", seed);
  for (long iter = 0; iter < 20000; iter++) {
    gen_sig g;
    gen_signature(&g, &rs);
    uint8_t raw[64];
    int st = check_any(g.der, g.len, "generated", seed, iter);
    if (g.valid && st != SEK_OK)
      fail_msg("seed 0x%" PRIx64 " iteration %ld: certainly valid, got %d (%s)", seed, iter, st,
               status_text(st));
    if (g.valid && (sek_der_sig_to_raw(g.der, g.len, raw) != SEK_OK || memcmp(raw, g.raw, 64)))
      fail_msg("seed 0x%" PRIx64 " iteration %ld: certainly valid, wrong r || s", seed, iter);
    if (!g.valid && st == SEK_OK)
      fail_msg("seed 0x%" PRIx64 " iteration %ld: certainly invalid, but accepted", seed, iter);
    counts[g.valid]++;
    unsigned steps = 1 + rng_below(&rs, 16);
    for (unsigned k = 0; k < steps; k++) {
      damage(&g, &rs);
      damaged_accepted += check_any(g.der, g.len, "damaged", seed, iter) == SEK_OK;
    }
  }
  printf("property test: %ld certainly valid, %ld certainly invalid, %ld damaged inputs accepted\n",
         counts[1], counts[0], damaged_accepted);
  /* the generator must produce both kinds, or the test checks less than it claims */
  assert_true(counts[0] > 1000 && counts[1] > 1000);
}

/* ---- differential over the Wycheproof DER signatures -------------------------------------- */

static const char *const wycheproof_der_files[] = {
    "vectors/wycheproof/ecdsa_secp256r1_sha256_test.json",
    "vectors/wycheproof/ecdsa_secp256r1_sha512_test.json",
};

static void test_der_differential_wycheproof(void **state) {
  (void)state;
  uint64_t seed = test_seed(), rs = seed;
  long sigs = 0, accepted = 0, mutants = 0;
  printf("differential: SEK_TEST_SEED=0x%016" PRIx64 " reproduces the mutations\n", seed);
  for (size_t f = 0; f < sizeof wycheproof_der_files / sizeof wycheproof_der_files[0]; f++) {
    cJSON *root = sek_test_load_json(wycheproof_der_files[f]);
    if (root == NULL)
      skip();
    const cJSON *group, *tc;
    cJSON_ArrayForEach(group, cJSON_GetObjectItemCaseSensitive(root, "testGroups")) {
      cJSON_ArrayForEach(tc, cJSON_GetObjectItemCaseSensitive(group, "tests")) {
        const char *sig_hex = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tc, "sig"));
        assert_non_null(sig_hex);
        gen_sig g;
        size_t len = strlen(sig_hex) / 2;
        if (len > GEN_CAP)
          continue; /* the 4 KiB cases: test_der_long_inputs */
        g.len = hex(sig_hex, g.der, GEN_CAP);
        accepted += check_any(g.der, g.len, "wycheproof", seed, sigs) == SEK_OK;
        sigs++;
        for (int m = 0; m < 64; m++, mutants++) {
          gen_sig mutant = g;
          unsigned steps = 1 + rng_below(&rs, 4);
          for (unsigned k = 0; k < steps; k++)
            damage(&mutant, &rs);
          check_any(mutant.der, mutant.len, "wycheproof mutant", seed, mutants);
        }
      }
    }
    cJSON_Delete(root);
  }
  printf("differential: %ld Wycheproof DER signatures (%ld accepted), %ld mutants: all agree "
         "with OpenSSL\n",
         sigs, accepted, mutants);
  assert_true(sigs > 1000 && accepted > 0);
}

static const struct CMUnitTest der_tests[] = {
    cmocka_unit_test(test_der_rules_table),
    cmocka_unit_test(test_der_rules_table_covers_every_status),
    cmocka_unit_test(test_der_every_prefix_is_truncated),
    cmocka_unit_test(test_der_long_inputs),
    cmocka_unit_test(test_der_encoder_edges),
    cmocka_unit_test(test_der_misuse),
    cmocka_unit_test(test_der_strerror),
    cmocka_unit_test(test_der_property_generated),
    cmocka_unit_test(test_der_differential_wycheproof),
};

SEK_TEST_MAIN(der_tests)
