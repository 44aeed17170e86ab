/* test_der.c: include/sek/der.h. */
#include "sek_test.h"

#include <sek/der.h>

static void test_der_minimal_roundtrip(void **state) {
  (void)state;
  const uint8_t der[] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02};
  uint8_t raw[64], out[SEK_DER_SIG_MAX_LEN];
  size_t len;
  assert_int_equal(sek_der_sig_to_raw(der, sizeof der, raw), SEK_OK);
  assert_int_equal(raw[31], 1);
  assert_int_equal(raw[63], 2);
  assert_int_equal(sek_der_sig_from_raw(raw, out, sizeof out, &len), SEK_OK);
  assert_int_equal(len, sizeof der);
  assert_memory_equal(out, der, sizeof der);
}

static const struct CMUnitTest der_tests[] = {
    cmocka_unit_test(test_der_minimal_roundtrip),
};

SEK_TEST_MAIN(der_tests)
