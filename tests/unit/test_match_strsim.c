/*
** Unit tests for the record-linkage string comparators (core/match/strsim.h)
** and Double Metaphone (core/match/metaphone.h): the published Jaro-Winkler
** examples, symmetry and bounds, one-edit and one-digit-off tests, and
** Double Metaphone keys of names whose keys are well known.
*/
#include "testutil.h"

#include "core/match/metaphone.h"
#include "core/match/strsim.h"

/* Jaro-Winkler of two C strings. */
static double jw(const char *a, const char *b) { return jaro_winkler(a, strlen(a), b, strlen(b)); }

/* Winkler's published examples, to three decimals. */
static void test_jaro_winkler_published(void **state) {
  (void)state;
  assert_float_equal(jw("MARTHA", "MARHTA"), 0.961, 0.0005);
  assert_float_equal(jw("DWAYNE", "DUANE"), 0.840, 0.0005);
  assert_float_equal(jw("DIXON", "DICKSONX"), 0.813, 0.0005);
  assert_float_equal(jaro("MARTHA", 6, "MARHTA", 6), 0.944, 0.0005);
  assert_float_equal(jaro("DWAYNE", 6, "DUANE", 5), 0.822, 0.0005);
  assert_float_equal(jaro("DIXON", 5, "DICKSONX", 8), 0.767, 0.0005);
}

/* Identical, empty, disjoint and reversed arguments. */
static void test_jaro_winkler_edges(void **state) {
  (void)state;
  assert_float_equal(jw("smith", "smith"), 1.0, 1e-12);
  assert_float_equal(jw("", ""), 1.0, 1e-12);
  assert_float_equal(jw("abc", ""), 0.0, 1e-12);
  assert_float_equal(jw("abc", "xyz"), 0.0, 1e-12);
  static const char *const pairs[][2] = {{"jones", "johnson"}, {"ahmed", "ahmad"}, {"abcd", "dcba"},
                                         {"kowalski", "kowalsky"}, {"x", "xx"}};
  for (size_t i = 0; i < TU_COUNT(pairs); i++) {
    double ab = jw(pairs[i][0], pairs[i][1]), ba = jw(pairs[i][1], pairs[i][0]);
    assert_float_equal(ab, ba, 1e-12);
    assert_true(ab >= 0.0 && ab <= 1.0);
  }
  /* The prefix bonus only applies above 0.7 and grows with the shared prefix. */
  assert_true(jw("abcdxyz", "abcdzyx") > jaro("abcdxyz", 7, "abcdzyx", 7));
}

/* One insertion, deletion, substitution or swap of neighbours, and no more. */
static void test_within_one_edit(void **state) {
  (void)state;
  static const char *const yes[][2] = {{"street", "street"}, {"street", "setreet"}, {"street", "stret"},
                                       {"street", "strzet"}, {"street", "tsreet"},  {"street", "streets"},
                                       {"", "a"},            {"ab", "ba"}};
  static const char *const no[][2] = {{"street", "steert"}, {"street", "road"}, {"street", "stre"},
                                      {"abc", "cab"},       {"", "ab"},         {"street", "xtreex"}};
  for (size_t i = 0; i < TU_COUNT(yes); i++) {
    assert_true(within_one_edit(yes[i][0], strlen(yes[i][0]), yes[i][1], strlen(yes[i][1])));
    assert_true(within_one_edit(yes[i][1], strlen(yes[i][1]), yes[i][0], strlen(yes[i][0])));
  }
  for (size_t i = 0; i < TU_COUNT(no); i++) {
    assert_false(within_one_edit(no[i][0], strlen(no[i][0]), no[i][1], strlen(no[i][1])));
    assert_false(within_one_edit(no[i][1], strlen(no[i][1]), no[i][0], strlen(no[i][0])));
  }
}

/* One digit changed or two neighbouring digits swapped, with leading zeros counted. */
static void test_digits_one_off(void **state) {
  (void)state;
  assert_true(digits_one_off(20010203, 20010208, 8));
  assert_true(digits_one_off(20010203, 20010230, 8));  /* last two swapped */
  assert_true(digits_one_off(19560409, 19650409, 8));  /* 56 -> 65 */
  assert_true(digits_one_off(712345678, 7123456789ULL % 1000000000, 9) == false);
  assert_false(digits_one_off(20010203, 20010203, 8)); /* equal is not "one off" */
  assert_false(digits_one_off(20010203, 20020204, 8)); /* two digits apart */
  assert_false(digits_one_off(20010203, 21010204, 8));
  assert_false(digits_one_off(12, 21012, 2));           /* differ above the digits compared */
  assert_true(digits_one_off(7700900123ULL, 7700900132ULL, 10));
  assert_true(digits_one_off(123, 23, 3));             /* "123" vs "023" */
}

/* The keys of a name, checked against the expected primary and alternate. */
static void dm_is(const char *name, const char *primary, const char *alternate) {
  char p[DMETA_MAX + 1], a[DMETA_MAX + 1];
  double_metaphone(name, strlen(name), p, a);
  if (strcmp(p, primary) != 0 || strcmp(a, alternate) != 0)
    fail_msg("double_metaphone(%s) = %s/%s, want %s/%s", name, p, a, primary, alternate);
}

/* Well-known keys, including the origin-dependent alternates. */
static void test_double_metaphone_known(void **state) {
  (void)state;
  dm_is("Smith", "SM0", "XMT");
  dm_is("Schmidt", "XMT", "SMT");
  dm_is("Thomas", "TMS", "TMS");
  dm_is("Xavier", "SF", "SFR");
  dm_is("Arnow", "ARN", "ARNF");
  dm_is("Knight", "NT", "NT");
  dm_is("Philip", "FLP", "FLP");
  dm_is("Jose", "HS", "HS");
  dm_is("Catherine", "K0RN", "KTRN");
  dm_is("Cabrillo", "KPRL", "KPR");
  dm_is("Campbell", "KMPL", "KMPL");
  dm_is("Dumb", "TM", "TM");
  dm_is("", "", "");
}

/* Spelling variants meet; different names do not; case does not matter. */
static void test_double_metaphone_variants(void **state) {
  (void)state;
  char p1[5], a1[5], p2[5], a2[5];
  static const char *const same[][2] = {{"mohammed", "muhammad"}, {"mohammad", "MUHAMMED"},
                                        {"catherine", "kathryn"},  {"smith", "smyth"},
                                        {"stephen", "steven"},     {"chaudhry", "choudhury"}};
  for (size_t i = 0; i < TU_COUNT(same); i++) {
    double_metaphone(same[i][0], strlen(same[i][0]), p1, a1);
    double_metaphone(same[i][1], strlen(same[i][1]), p2, a2);
    bool meet = !strcmp(p1, p2) || !strcmp(p1, a2) || !strcmp(a1, p2) || !strcmp(a1, a2);
    if (!meet) fail_msg("%s (%s/%s) and %s (%s/%s) should share a key", same[i][0], p1, a1, same[i][1], p2, a2);
  }
  double_metaphone("jones", 5, p1, a1);
  double_metaphone("brown", 5, p2, a2);
  assert_string_not_equal(p1, p2);
  assert_int_equal(dmeta_pack(""), 0);
  assert_int_not_equal(dmeta_pack("SM0"), dmeta_pack("XMT"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_jaro_winkler_published), cmocka_unit_test(test_jaro_winkler_edges),
      cmocka_unit_test(test_within_one_edit),        cmocka_unit_test(test_digits_one_off),
      cmocka_unit_test(test_double_metaphone_known), cmocka_unit_test(test_double_metaphone_variants),
  };
  return cmocka_run_group_tests_name("match_strsim", tests, NULL, NULL);
}
