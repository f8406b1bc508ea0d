/*
** Unit tests for core/validate: NHS numbers (mod-11 check digit, spacing,
** the never-issued check value 10, error-detection properties), UK
** postcodes in every Royal Mail format with the letter rules of each
** position, normalisation, district and sector, usernames and agency codes.
*/
#include "testutil.h"

#include <sodium.h>
#include "core/validate.h"

/* Valid NHS numbers in the forms people type them. */
static void test_nhs_valid(void **state) {
  (void)state;
  static const struct {
    const char *in, *want;
  } good[] = {
      {"9434765919", "9434765919"},   {"943 476 5919", "9434765919"}, {"943-476-5919", "9434765919"},
      {" 9434765919 ", "9434765919"}, {"4010232137", "4010232137"},   {"4505577104", "4505577104"},
      {"5990128088", "5990128088"},   {"4857773457", "4857773457"},   {"9876543210", "9876543210"},
      {"1000000060", "1000000060"}, /* remainder 0: check digit 0 */
      {"2914177763", "2914177763"},   {"0636083772", "0636083772"},   {"94 34 76 59 19", "9434765919"},
  };
  for (size_t i = 0; i < TU_COUNT(good); i++) {
    char out[11] = "";
    if (!nhs_number_normalise(good[i].in, out)) fail_msg("refused: '%s'", good[i].in);
    assert_string_equal(out, good[i].want);
  }
}

/* Wrong check digits, wrong lengths and stray characters are refused. */
static void test_nhs_refused(void **state) {
  (void)state;
  static const char *const bad[] = {
      "9434765918", "9434765910", "4010232138", "4857773456", /* wrong check digit */
      "943476591",  "94347659199", "943 476 591", "",         /* wrong length */
      "94347659I9", "943.476.5919", "943/476/5919", "+449434765919", "9434765919\n", ("\xef\xbc\x99" "434765919"),
      "0000000060", /* its prefix would need check digit 10 */
  };
  for (size_t i = 0; i < TU_COUNT(bad); i++) {
    char out[11];
    if (nhs_number_normalise(bad[i], out)) fail_msg("accepted: '%s'", bad[i]);
  }
}

/* A prefix whose weighted sum leaves remainder 1 needs check digit 10, which is never issued: no tenth digit passes. */
static void test_nhs_check_digit_ten(void **state) {
  (void)state;
  /* 6 x 2 = 12 leaves remainder 1, so the check digit would be 11 - 1 = 10. */
  char num[11] = "000000006";
  for (char c = '0'; c <= '9'; c++) {
    char out[11];
    num[9] = c;
    num[10] = '\0';
    if (nhs_number_normalise(num, out)) fail_msg("accepted %s, whose check digit would be 10", num);
  }
  /* Over many random prefixes at most one tenth digit is accepted, and about one prefix in eleven has none. */
  int none = 0;
  const int trials = 11000;
  for (int t = 0; t < trials; t++) {
    char s[11];
    for (int i = 0; i < 9; i++) s[i] = (char)('0' + randombytes_uniform(10));
    int accepted = 0;
    for (char c = '0'; c <= '9'; c++) {
      char out[11];
      s[9] = c;
      s[10] = '\0';
      if (nhs_number_normalise(s, out)) accepted++;
    }
    assert_true(accepted <= 1);
    if (accepted == 0) none++;
  }
  assert_true(none > trials / 11 / 2 && none < trials / 11 * 2);
}

/* Mod 11 with weights 10..2 catches every single-digit error and every adjacent transposition. */
static void test_nhs_error_detection(void **state) {
  (void)state;
  static const char *const valid[] = {"9434765919", "4010232137", "4505577104", "5990128088", "2914177763"};
  for (size_t v = 0; v < TU_COUNT(valid); v++) {
    char out[11];
    for (int i = 0; i < 10; i++) {
      for (char c = '0'; c <= '9'; c++) {
        char s[11];
        memcpy(s, valid[v], 11);
        if (s[i] == c) continue;
        s[i] = c;
        if (nhs_number_normalise(s, out)) fail_msg("single change accepted: %s from %s", s, valid[v]);
      }
    }
    for (int i = 0; i < 9; i++) {
      char s[11];
      memcpy(s, valid[v], 11);
      if (s[i] == s[i + 1]) continue;
      char tmp = s[i];
      s[i] = s[i + 1];
      s[i + 1] = tmp;
      if (nhs_number_normalise(s, out)) fail_msg("transposition accepted: %s from %s", s, valid[v]);
    }
  }
}

/* Normalises IN, which must be accepted, and checks the result. */
static void postcode_is(const char *in, const char *want) {
  char out[16] = "";
  if (!postcode_normalise(in, out, sizeof out)) fail_msg("refused postcode '%s'", in);
  if (strcmp(out, want) != 0) fail_msg("postcode '%s' -> '%s', want '%s'", in, out, want);
}

/* One example of every Royal Mail format, in any case and spacing. */
static void test_postcode_formats(void **state) {
  (void)state;
  postcode_is("M1 1AE", "M1 1AE");       /* A9 9AA */
  postcode_is("B33 8TH", "B33 8TH");     /* A99 9AA */
  postcode_is("W1A 0AX", "W1A 0AX");     /* A9A 9AA */
  postcode_is("CR2 6XH", "CR2 6XH");     /* AA9 9AA */
  postcode_is("DN55 1PT", "DN55 1PT");   /* AA99 9AA */
  postcode_is("EC1A 1BB", "EC1A 1BB");   /* AA9A 9AA */
  postcode_is("GIR 0AA", "GIR 0AA");     /* Girobank */
  postcode_is("S60 1AE", "S60 1AE");
  postcode_is("s601ae", "S60 1AE");
  postcode_is("  s60   1ae ", "S60 1AE");
  postcode_is("ec1a1bb", "EC1A 1BB");
  postcode_is("gir0aa", "GIR 0AA");
  postcode_is("w1a0ax", "W1A 0AX");
  postcode_is("SW1A 2AA", "SW1A 2AA");
  postcode_is("m11ae", "M1 1AE");
  /* Every inward letter outside C I K M O V is allowed. */
  for (const char *p = "ABDEFGHJLNPQRSTUWXYZ"; *p; p++) {
    char in[8] = {'M', '1', ' ', '1', *p, *p, '\0'}, want[8];
    memcpy(want, in, sizeof in);
    postcode_is(in, want);
  }
}

/* Each position's letter rules, the inward letters C I K M O V, lengths and punctuation. */
static void test_postcode_refusals(void **state) {
  (void)state;
  static const char *const bad[] = {
      "Q1 1AA", "V1 1AA", "X1 1AA",                 /* first position: never Q, V, X */
      "AI1 1AA", "AJ1 1AA", "AZ1 1AA",              /* second position: never I, J, Z */
      "W1I 0AX", "W1L 0AX", "W1Z 0AX", "W1M 0AX",   /* A9A: third position only ABCDEFGHJKPSTUW */
      "EC1C 1BB", "EC1D 1BB", "EC1Z 1BB",           /* AA9A: fourth position only ABEHMNPRVWXY */
      "M1 1CA", "M1 1AI", "M1 1KA", "M1 1AM", "M1 1OA", "M1 1AV", /* inward letters C I K M O V */
      "M1 AAE", "M1 11E", "M1 1A1",                  /* inward is digit letter letter */
      "1M 1AE", "11 1AE", "M 1AE", "MM 1AE",         /* outward shapes */
      "MM1AA 1AE", "EC1A1BBX", "ABCDE 1AA", "ABC1 1AA", "A1B2 1AA",
      "", "   ", "M1", "M11A", "1AE",
      "M1-1AE", "M1.1AE", "M1\t1AE", "M1 1A\xc3\x89", "M1_1AE",
      "GIR 0AB", "GIR 1AA",
  };
  for (size_t i = 0; i < TU_COUNT(bad); i++) {
    char out[16];
    if (postcode_normalise(bad[i], out, sizeof out)) fail_msg("accepted postcode '%s' as '%s'", bad[i], out);
  }
  /* The letters each position does allow are accepted. */
  for (const char *p = "ABCDEFGHJKPSTUW"; *p; p++) {
    char in[8] = {'W', '1', *p, '0', 'A', 'X', '\0'};
    char out[16];
    if (!postcode_normalise(in, out, sizeof out)) fail_msg("refused A9A third letter %c", *p);
  }
  for (const char *p = "ABEHMNPRVWXY"; *p; p++) {
    char in[8] = {'E', 'C', '1', *p, '1', 'B', 'B'};
    char out[16];
    if (!postcode_normalise(in, out, sizeof out)) fail_msg("refused AA9A fourth letter %c", *p);
  }
  /* An output buffer too small for the longest form is refused, not overrun. */
  char small[8];
  assert_false(postcode_normalise("M1 1AE", small, sizeof small));
  char just[9];
  assert_true(postcode_normalise("EC1A1BB", just, sizeof just));
  assert_string_equal(just, "EC1A 1BB");
}

/* District and sector of normalised postcodes. */
static void test_postcode_district_sector(void **state) {
  (void)state;
  static const struct {
    const char *pc, *district, *sector;
  } cases[] = {
      {"M1 1AE", "M1", "M1 1"},         {"B33 8TH", "B33", "B33 8"},     {"W1A 0AX", "W1A", "W1A 0"},
      {"CR2 6XH", "CR2", "CR2 6"},      {"DN55 1PT", "DN55", "DN55 1"},  {"EC1A 1BB", "EC1A", "EC1A 1"},
      {"GIR 0AA", "GIR", "GIR 0"},
  };
  for (size_t i = 0; i < TU_COUNT(cases); i++) {
    char d[16], s[16];
    assert_true(postcode_district(cases[i].pc, d, sizeof d));
    assert_string_equal(d, cases[i].district);
    assert_true(postcode_sector(cases[i].pc, s, sizeof s));
    assert_string_equal(s, cases[i].sector);
  }
  char d[16];
  assert_false(postcode_district("M11AE", d, sizeof d)); /* not normalised */
  assert_false(postcode_sector("M11AE", d, sizeof d));
  assert_false(postcode_sector("M1 ", d, sizeof d));
  /* Buffers too small for the answer and its NUL are refused. */
  assert_false(postcode_district("EC1A 1BB", d, 4));
  assert_true(postcode_district("EC1A 1BB", d, 5));
  assert_string_equal(d, "EC1A");
  assert_false(postcode_sector("EC1A 1BB", d, 6));
  assert_true(postcode_sector("EC1A 1BB", d, 7));
  assert_string_equal(d, "EC1A 1");
}

/* Usernames: 2-64 of a-z 0-9 . _ - @. */
static void test_usernames(void **state) {
  (void)state;
  char longest[66];
  memset(longest, 'a', 64);
  longest[64] = '\0';
  assert_true(username_valid(longest));
  longest[64] = 'a';
  longest[65] = '\0';
  assert_false(username_valid(longest));
  static const char *const good[] = {"jo", "j.smith", "j_smith-2", "jo@rotherham.gov.uk", "00"};
  for (size_t i = 0; i < TU_COUNT(good); i++) {
    if (!username_valid(good[i])) fail_msg("refused username '%s'", good[i]);
  }
  static const char *const bad[] = {"",      "j",       "Jo",       "JO",        "jo smith", "j\xc3\xb6",
                                    "jo\n",  "jo/x",    "jo:x",     "jo'x",      "jo+x",     "<jo>"};
  for (size_t i = 0; i < TU_COUNT(bad); i++) {
    if (username_valid(bad[i])) fail_msg("accepted username '%s'", bad[i]);
  }
}

/* Agency codes: 2-32 of A-Z 0-9 _ -. */
static void test_agency_codes(void **state) {
  (void)state;
  char longest[34];
  memset(longest, 'A', 32);
  longest[32] = '\0';
  assert_true(agency_code_valid(longest));
  longest[32] = 'A';
  longest[33] = '\0';
  assert_false(agency_code_valid(longest));
  static const char *const good[] = {"RMBC", "SYP", "SY-POLICE", "NHS_RDASH", "A1"};
  for (size_t i = 0; i < TU_COUNT(good); i++) {
    if (!agency_code_valid(good[i])) fail_msg("refused agency code '%s'", good[i]);
  }
  static const char *const bad[] = {"", "A", "rmbc", "Rmbc", "R M", "R.M", "R/M", ("\xc3\x89" "A")};
  for (size_t i = 0; i < TU_COUNT(bad); i++) {
    if (agency_code_valid(bad[i])) fail_msg("accepted agency code '%s'", bad[i]);
  }
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_nhs_valid),           cmocka_unit_test(test_nhs_refused),
      cmocka_unit_test(test_nhs_check_digit_ten), cmocka_unit_test(test_nhs_error_detection),
      cmocka_unit_test(test_postcode_formats),    cmocka_unit_test(test_postcode_refusals),
      cmocka_unit_test(test_postcode_district_sector), cmocka_unit_test(test_usernames),
      cmocka_unit_test(test_agency_codes),
  };
  return cmocka_run_group_tests_name("validate", tests, NULL, NULL);
}
