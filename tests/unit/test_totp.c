/*
** Unit tests for core/totp: the RFC 4226 appendix D HOTP values and the
** RFC 6238 appendix B SHA-1 TOTP vectors (eight digits), totp_check's
** drift window and the step it reports, refusal of malformed codes and
** secrets, new secrets, and the otpauth:// URI.
*/
#include "testutil.h"

#include <sodium.h>
#include "core/totp.h"
#include "util/codec.h"

/* The RFC's shared secret: the ASCII bytes "12345678901234567890". */
static const uint8_t KEY[] = "12345678901234567890";
#define KEYLEN 20
/* The same secret in base32, as an authenticator app would hold it. */
static const char KEY_B32[] = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

/* RFC 4226 appendix D: six-digit HOTP for counters 0..9. */
static void test_hotp_rfc4226(void **state) {
  (void)state;
  static const uint32_t want[] = {755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489};
  for (uint64_t c = 0; c < TU_COUNT(want); c++) assert_int_equal(hotp(KEY, KEYLEN, c, 6), want[c]);
}

/* RFC 6238 appendix B, SHA-1 column: eight digits at 30-second steps. */
static void test_totp_rfc6238(void **state) {
  (void)state;
  static const struct {
    int64_t t;
    uint32_t code;
  } v[] = {
      {59, 94287082},         {1111111109, 7081804},  {1111111111, 14050471},
      {1234567890, 89005924}, {2000000000, 69279037}, {20000000000LL, 65353130},
  };
  for (size_t i = 0; i < TU_COUNT(v); i++) {
    uint64_t step = (uint64_t)(v[i].t / TOTP_STEP);
    assert_int_equal(hotp(KEY, KEYLEN, step, 8), v[i].code);
    /* Six digits are the low six of the same number. */
    assert_int_equal(hotp(KEY, KEYLEN, step, 6), v[i].code % 1000000);
  }
}

/* The base32 secret the tests use is the RFC's ASCII secret. */
static void test_secret_encoding(void **state) {
  (void)state;
  uint8_t raw[32];
  assert_int_equal(base32_decode(KEY_B32, raw, sizeof raw), KEYLEN);
  assert_memory_equal(raw, KEY, KEYLEN);
}

/* Six-digit code string for STEP. */
static void code_for(uint64_t step, char out[7]) { snprintf(out, 7, "%06u", hotp(KEY, KEYLEN, step, 6)); }

/* Codes within WINDOW steps either side are accepted and the matching step is reported. */
static void test_check_window(void **state) {
  (void)state;
  const int64_t now = 1111111111; /* step 37037037 */
  const int64_t step = now / TOTP_STEP;
  char code[7];
  int64_t got = -1;
  code_for((uint64_t)step, code);
  assert_true(totp_check(KEY_B32, code, now, 0, &got));
  assert_int_equal(got, step);
  /* One step behind or ahead: accepted with window 1, refused with window 0. */
  for (int d = -1; d <= 1; d += 2) {
    code_for((uint64_t)(step + d), code);
    got = -1;
    assert_false(totp_check(KEY_B32, code, now, 0, &got));
    assert_int_equal(got, -1);
    assert_true(totp_check(KEY_B32, code, now, 1, &got));
    assert_int_equal(got, step + d);
  }
  /* Two steps out: refused with window 1, accepted with window 2. */
  code_for((uint64_t)(step - 2), code);
  assert_false(totp_check(KEY_B32, code, now, 1, &got));
  assert_true(totp_check(KEY_B32, code, now, 2, &got));
  assert_int_equal(got, step - 2);
  /* The step boundary: the last second of a step and the first of the next. */
  code_for(1, code); /* 287082 */
  assert_string_equal(code, "287082");
  assert_true(totp_check(KEY_B32, code, 30, 0, &got));
  assert_int_equal(got, 1);
  assert_true(totp_check(KEY_B32, code, 59, 0, &got));
  assert_false(totp_check(KEY_B32, code, 29, 0, &got));
  assert_false(totp_check(KEY_B32, code, 60, 0, &got));
  /* The RFC's eight-digit value at T=59 is accepted as its six low digits, spaced as apps show them. */
  assert_true(totp_check(KEY_B32, "287 082", 59, 0, &got));
  assert_true(totp_check("gezd gnbv gy3t qojq gezd gnbv gy3t qojq", "287082", 59, 0, &got));
}

/* Malformed codes and secrets are refused without touching the reported step. */
static void test_check_refusals(void **state) {
  (void)state;
  int64_t got = -7;
  static const char *const bad[] = {"", "28708", "2870822", "28708a", "-287082", "+287082", "287082\n",
                                    ("\xef\xbc\x92" "87082"), "287.082", "000000"};
  for (size_t i = 0; i < TU_COUNT(bad); i++) {
    if (totp_check(KEY_B32, bad[i], 59, 1, &got)) fail_msg("accepted code '%s'", bad[i]);
  }
  assert_false(totp_check("", "287082", 59, 1, &got));
  assert_false(totp_check("!!!!", "287082", 59, 1, &got));
  assert_false(totp_check("GEZDGNBVGY3TQOJ1", "287082", 59, 1, &got));
  /* Another secret does not accept this one's code. */
  assert_false(totp_check("JBSWY3DPEHPK3PXP", "287082", 59, 1, &got));
  assert_int_equal(got, -7);
}

/* New secrets: 32 base32 characters encoding 20 random bytes, different each time. */
static void test_new_secret(void **state) {
  (void)state;
  char a[64], b[64];
  totp_new_secret(a, sizeof a);
  totp_new_secret(b, sizeof b);
  assert_int_equal(strlen(a), 32);
  assert_string_not_equal(a, b);
  uint8_t raw[32];
  assert_int_equal(base32_decode(a, raw, sizeof raw), TOTP_SECRET_BYTES);
  /* A code made from the new secret checks against it. */
  char code[7];
  int64_t got;
  snprintf(code, sizeof code, "%06u", hotp(raw, TOTP_SECRET_BYTES, 1795860000 / TOTP_STEP, 6));
  assert_true(totp_check(a, code, 1795860000, 0, &got));
  assert_int_equal(got, 1795860000 / TOTP_STEP);
}

/* The otpauth URI: label and issuer percent-encoded, the defaults spelled out. */
static void test_uri(void **state) {
  (void)state;
  char *u = totp_uri("Safehub", "jo@rotherham.gov.uk", "JBSWY3DPEHPK3PXP");
  assert_string_equal(u, "otpauth://totp/Safehub:jo%40rotherham.gov.uk?secret=JBSWY3DPEHPK3PXP&issuer=Safehub"
                         "&algorithm=SHA1&digits=6&period=30");
  free(u);
  u = totp_uri("Safe Hub & Co", "a:b/c?d", "JBSWY3DPEHPK3PXP");
  assert_string_equal(u, "otpauth://totp/Safe%20Hub%20%26%20Co:a%3Ab%2Fc%3Fd?secret=JBSWY3DPEHPK3PXP"
                         "&issuer=Safe%20Hub%20%26%20Co&algorithm=SHA1&digits=6&period=30");
  free(u);
  u = totp_uri("Zo\xc3\xab", "x", "A");
  assert_non_null(strstr(u, "totp/Zo%C3%AB:x?"));
  free(u);
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hotp_rfc4226),   cmocka_unit_test(test_totp_rfc6238),
      cmocka_unit_test(test_secret_encoding), cmocka_unit_test(test_check_window),
      cmocka_unit_test(test_check_refusals), cmocka_unit_test(test_new_secret),
      cmocka_unit_test(test_uri),
  };
  return cmocka_run_group_tests_name("totp", tests, NULL, NULL);
}
