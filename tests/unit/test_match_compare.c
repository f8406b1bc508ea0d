/*
** Unit tests for record features and comparison levels (core/match/record.h,
** compare.h, names.h): each field's levels in order, missing values, the
** shipped nickname and transliteration tables, the variant-key rules, UK
** and other postcodes, address word overlap, the postcode and landline
** implied by an agreeing address, and names written the wrong way round.
*/
#include "testutil.h"

#include "core/match/compare.h"
#include "core/match/names.h"
#include "core/match/record.h"
#include "core/match/strsim.h"

/* A person: id, first, last, date of birth, gender, address, postcode, phone, NHS number. */
static struct match_record person(const char *first, const char *last, const char *dob, const char *gender,
                                  const char *address, const char *postcode, const char *phone, const char *nhs) {
  const struct match_names *nm = match_names_default();
  assert_non_null(nm);
  struct match_input in = {"x", first, last, dob, gender, address, postcode, phone, nhs};
  struct match_record r;
  unsigned warn = 0;
  char why[128];
  if (match_prepare(nm, &in, &r, &warn, why, sizeof why) != 0) fail_msg("prepare: %s", why);
  return r;
}

/* The name level of two raw names. */
static int name_level(const char *a, const char *b) {
  struct match_name x, y;
  match_prepare_name(match_names_default(), a, &x);
  match_prepare_name(match_names_default(), b, &y);
  return match_cmp_name(&x, &y);
}

/* Name levels in their order, from the shipped tables and the comparators. */
static void test_name_levels(void **state) {
  (void)state;
  assert_int_equal(name_level("Smith", "SMITH"), NAME_EXACT);
  assert_int_equal(name_level("O'Brien", "obrien"), NAME_EXACT);
  assert_int_equal(name_level("Zo\xc3\xab", "Zoe"), NAME_EXACT);
  assert_int_equal(name_level("Bill", "William"), NAME_VARIANT);     /* nickname */
  assert_int_equal(name_level("Peggy", "Margaret"), NAME_VARIANT);
  assert_int_equal(name_level("Mohammed", "Muhammad"), NAME_VARIANT); /* transliteration */
  assert_int_equal(name_level("Mohammad", "Muhammed"), NAME_VARIANT);
  assert_int_equal(name_level("Chaudhry", "Choudhury"), NAME_VARIANT);
  assert_int_equal(name_level("Rasheed", "Rashid"), NAME_VARIANT);  /* by the spelling rules */
  assert_int_equal(name_level("MacDonald", "McDonald"), NAME_VARIANT);
  assert_int_equal(name_level("Mohammed Ali", "Muhammad"), NAME_VARIANT); /* first word's group */
  assert_int_equal(name_level("Jonathon", "Jonathan"), NAME_JW_HIGH);
  assert_int_equal(name_level("Katie", "Catie"), NAME_METAPHONE);
  assert_int_equal(name_level("Jones", "Johnson"), NAME_JW_MID);
  assert_int_equal(name_level("Smith", "Patel"), NAME_ELSE);
  assert_int_equal(name_level("", "Patel"), MATCH_MISSING);
  assert_int_equal(name_level("  ", "Patel"), MATCH_MISSING);
  assert_int_equal(name_level("Sam", "Samantha"), NAME_VARIANT);
  assert_int_equal(name_level("Sam", "Samuel"), NAME_VARIANT);
}

/* The Jaro-Winkler bound used to skip the comparator is never below the true value. */
static void test_jw_bound(void **state) {
  (void)state;
  static const char *const names[] = {"smith", "smyth", "jones", "johnson", "ahmed", "ahmad", "li", "lee",
                                      "kowalski", "abc123", "a", "zzzzzz", "mohammed", "muhammad", "anna"};
  for (size_t i = 0; i < TU_COUNT(names); i++) {
    for (size_t j = 0; j < TU_COUNT(names); j++) {
      struct match_name x, y;
      match_prepare_name(NULL, names[i], &x);
      match_prepare_name(NULL, names[j], &y);
      double jw = jaro_winkler(x.key, x.len, y.key, y.len);
      assert_true(match_jw_bound(&x, &y) + 1e-12 >= jw);
    }
  }
}

/* Dates of birth: exact, day and month swapped, one digit off, same year, else, missing. */
static void test_dob_levels(void **state) {
  (void)state;
  assert_int_equal(match_cmp_dob(20100304, 20100304), DOB_EXACT);
  assert_int_equal(match_cmp_dob(20100304, 20100403), DOB_SWAPPED);
  assert_int_equal(match_cmp_dob(20100304, 20100305), DOB_ONE_DIGIT);
  assert_int_equal(match_cmp_dob(20100304, 20110304), DOB_ONE_DIGIT);
  assert_int_equal(match_cmp_dob(20100304, 20101129), DOB_YEAR);
  assert_int_equal(match_cmp_dob(20100304, 19990817), DOB_ELSE);
  assert_int_equal(match_cmp_dob(0, 19990817), MATCH_MISSING);
  int32_t d;
  assert_int_equal(match_parse_date("2010-03-04", &d), 0);
  assert_int_equal(d, 20100304);
  assert_int_equal(match_parse_date(" 04/03/2010 ", &d), 0);
  assert_int_equal(d, 20100304);
  assert_int_equal(match_parse_date("", &d), 1);
  assert_int_equal(match_parse_date(NULL, &d), 1);
  assert_int_equal(match_parse_date("2010-02-30", &d), -2);
  assert_int_equal(match_parse_date("2011-02-29", &d), -2);
  assert_int_equal(match_parse_date("2012-02-29", &d), 0);
  assert_int_equal(match_parse_date("2010-13-01", &d), -2);
  assert_int_equal(match_parse_date("1850-01-01", &d), -2);
  assert_int_equal(match_parse_date("20100304", &d), -1);
  assert_int_equal(match_parse_date("2010-3-4", &d), -1);
  assert_int_equal(match_parse_date("yesterday!", &d), -1);
}

/* UK postcodes compare by sector and district; other shapes by shared leading characters. */
static void test_postcode_levels(void **state) {
  (void)state;
  struct match_record a = person("", "", "", "", "", "S1 2HH", "", "");
  struct match_record b = person("", "", "", "", "", "s12hh", "", "");
  assert_true(a.pc_uk);
  assert_int_equal(match_cmp_postcode(&a, &b), PC_EXACT);
  b = person("", "", "", "", "", "S1 2AB", "", "");
  assert_int_equal(match_cmp_postcode(&a, &b), PC_SECTOR);
  b = person("", "", "", "", "", "S1 4AB", "", "");
  assert_int_equal(match_cmp_postcode(&a, &b), PC_DISTRICT);
  b = person("", "", "", "", "", "S11 2HH", "", "");
  assert_int_equal(match_cmp_postcode(&a, &b), PC_TYPO);
  b = person("", "", "", "", "", "LS6 3QW", "", "");
  assert_int_equal(match_cmp_postcode(&a, &b), PC_ELSE);
  b = person("", "", "", "", "", "", "", "");
  assert_int_equal(match_cmp_postcode(&a, &b), MATCH_MISSING);
  /* Australian four-digit codes (the FEBRL benchmarks). */
  a = person("", "", "", "", "", "2119", "", "");
  assert_false(a.pc_uk);
  b = person("", "", "", "", "", "2119", "", "");
  assert_int_equal(match_cmp_postcode(&a, &b), PC_EXACT);
  b = person("", "", "", "", "", "2118", "", "");
  assert_int_equal(match_cmp_postcode(&a, &b), PC_SECTOR);
  b = person("", "", "", "", "", "2191", "", "");
  assert_int_equal(match_cmp_postcode(&a, &b), PC_DISTRICT);
  b = person("", "", "", "", "", "3119", "", "");
  assert_int_equal(match_cmp_postcode(&a, &b), PC_TYPO);
  b = person("", "", "", "", "", "4560", "", "");
  assert_int_equal(match_cmp_postcode(&a, &b), PC_ELSE);
}

/* Address words: exact, abbreviations expanded, typos paired, the Dice bands, missing. */
static void test_address_levels(void **state) {
  (void)state;
  struct match_record a = person("", "", "", "", "10 High Street, Sheffield", "", "", "");
  struct match_record b = person("", "", "", "", "10 high st sheffield", "", "", "");
  int exact;
  assert_float_equal(match_address_overlap(&a, &b, &exact), 1.0, 1e-12);
  assert_int_equal(exact, 1);
  assert_int_equal(match_cmp_address(&a, &b), ADDR_EXACT);
  b = person("", "", "", "", "10 Hihg Street Sheffield", "", "", "");
  assert_float_equal(match_address_overlap(&a, &b, &exact), 1.0, 1e-12); /* "hihg" is one swap from "high" */
  assert_int_equal(exact, 0);
  assert_int_equal(match_cmp_address(&a, &b), ADDR_HIGH);
  b = person("", "", "", "", "12 High Street", "", "", "");
  assert_float_equal(match_address_overlap(&a, &b, &exact), 2.0 * 2 / 7, 1e-12);
  assert_int_equal(match_cmp_address(&a, &b), ADDR_LOW);
  b = person("", "", "", "", "Flat 3, 10 High Street", "", "", "");
  assert_int_equal(match_cmp_address(&a, &b), ADDR_MID);
  b = person("", "", "", "", "44 Acacia Avenue Leeds", "", "", "");
  assert_int_equal(match_cmp_address(&a, &b), ADDR_ELSE);
  b = person("", "", "", "", " ,; ", "", "", "");
  assert_int_equal(match_cmp_address(&a, &b), MATCH_MISSING);
}

/* Gender, phone and NHS number levels, with unusable values treated as missing. */
static void test_other_levels(void **state) {
  (void)state;
  struct match_record a = person("", "", "", "F", "", "", "07700 900123", "943 476 5919");
  struct match_record b = person("", "", "", "female", "", "", "+44 7700 900123", "9434765919");
  assert_int_equal(match_cmp_gender(a.gender, b.gender), GENDER_SAME);
  assert_int_equal(match_cmp_phone(&a, &b), PHONE_EXACT);
  assert_int_equal(match_cmp_nhs(a.nhs, b.nhs), NHS_EQUAL);
  b = person("", "", "", "M", "", "", "07700 900132", "401 023 2137");
  assert_int_equal(match_cmp_gender(a.gender, b.gender), GENDER_DIFFERENT);
  assert_int_equal(match_cmp_phone(&a, &b), PHONE_ONE_DIGIT);
  assert_int_equal(match_cmp_nhs(a.nhs, b.nhs), NHS_DIFFERENT);
  b = person("", "", "", "unknown", "", "", "999", "943 476 5918"); /* bad check digit */
  assert_int_equal(match_cmp_gender(a.gender, b.gender), MATCH_MISSING);
  assert_int_equal(match_cmp_phone(&a, &b), MATCH_MISSING);
  assert_int_equal(match_cmp_nhs(a.nhs, b.nhs), MATCH_MISSING);
  unsigned warn = 0;
  char why[128];
  struct match_record r;
  struct match_input in = {"x", "A", "B", "", "zebra", "", "", "", "1234567890"};
  assert_int_equal(match_prepare(match_names_default(), &in, &r, &warn, why, sizeof why), 0);
  assert_true(warn & MATCH_WARN_NHS);
  assert_true(warn & MATCH_WARN_GENDER);
  in.date_of_birth = "2001-02-30";
  assert_int_equal(match_prepare(match_names_default(), &in, &r, &warn, why, sizeof why), -1);
  assert_non_null(strstr(why, "impossible date of birth"));
}

/* The comparison vector: swapped names agree; an agreeing address makes postcode and landline neutral. */
static void test_vector(void **state) {
  (void)state;
  struct match_record a = person("Amir", "Khan", "2012-05-06", "M", "5 Mill Lane Bradford", "BD3 9AA",
                                 "01274 123456", "");
  struct match_record b = person("Khan", "Amir", "2012-05-06", "M", "5 Mill Lane, Bradford", "BD3 9AA",
                                 "01274123456", "");
  match_vec v = match_compare(&a, &b);
  assert_int_equal(VEC_GET(v, MF_FIRST), NAME_EXACT);
  assert_int_equal(VEC_GET(v, MF_LAST), NAME_EXACT);
  assert_int_equal(VEC_GET(v, MF_DOB), DOB_EXACT);
  assert_int_equal(VEC_GET(v, MF_GENDER), GENDER_SAME);
  assert_int_equal(VEC_GET(v, MF_ADDRESS), ADDR_EXACT);
  assert_int_equal(VEC_GET(v, MF_POSTCODE), MATCH_MISSING); /* implied by the address */
  assert_int_equal(VEC_GET(v, MF_PHONE), MATCH_MISSING);    /* a landline at that address */
  assert_int_equal(VEC_GET(v, MF_NHS), MATCH_MISSING);
  /* A mobile is personal: it still counts; a postcode counts when the address differs. */
  b = person("Amir", "Khan", "2012-05-06", "M", "12 Oak Road", "BD3 9AA", "07700 900123", "");
  a.phone = b.phone;
  a.phone_len = b.phone_len;
  v = match_compare(&a, &b);
  assert_int_equal(VEC_GET(v, MF_POSTCODE), PC_EXACT);
  assert_int_equal(VEC_GET(v, MF_PHONE), PHONE_EXACT);
  /* Symmetry: the vector does not depend on the order of the records. */
  assert_int_equal(match_compare(&a, &b), match_compare(&b, &a));
  /* Labels and level counts cover every field. */
  for (int f = 0; f < MF_COUNT; f++) {
    assert_true(match_field_levels(f) >= 3 && match_field_levels(f) <= MATCH_MAX_LEVELS);
    assert_string_equal(match_level_label(f, 0), "missing");
    assert_string_not_equal(match_level_label(f, match_field_levels(f) - 1), "?");
  }
  assert_string_equal(match_level_label(MF_DOB, DOB_SWAPPED), "day and month swapped");
}

/* Tables parsed from text: groups, several groups per name, rules, abbreviations and errors. */
static void test_name_tables(void **state) {
  (void)state;
  struct match_names nm;
  match_names_init(&nm);
  char err[256];
  static const char groups[] = "# comment\ngroup,name\nSamuel,Sam\nSamantha,Sam\nMargaret,Peggy\n";
  assert_int_equal(match_names_add_groups(&nm, groups, strlen(groups), err, sizeof err), 0);
  uint32_t g[NAMES_GROUPS];
  assert_int_equal(match_names_groups(&nm, "sam", g), 2);
  assert_int_equal(match_names_groups(&nm, "samuel", g), 1);
  assert_int_equal(match_names_groups(&nm, "nobody", g), 0);
  static const char rules[] = "where,from,to\nstart,mac,mc\nany,ph,f\nend,ah,a\ndouble,,\n";
  assert_int_equal(match_names_add_rules(&nm, rules, strlen(rules), err, sizeof err), 0);
  char key[32];
  match_names_variant_key(&nm, "macphillippah", key, sizeof key);
  assert_string_equal(key, "mcfilipa");
  static const char abbrev[] = "short,long\nrd,road\n";
  assert_int_equal(match_names_add_abbrev(&nm, abbrev, strlen(abbrev), err, sizeof err), 0);
  assert_string_equal(match_names_expand(&nm, "rd"), "road");
  assert_string_equal(match_names_expand(&nm, "lane"), "lane");
  static const char badhdr[] = "name,group\na,b\n";
  assert_int_equal(match_names_add_groups(&nm, badhdr, strlen(badhdr), err, sizeof err), -1);
  assert_non_null(strstr(err, "header"));
  static const char badrule[] = "where,from,to\nsomewhere,a,b\n";
  assert_int_equal(match_names_add_rules(&nm, badrule, strlen(badrule), err, sizeof err), -1);
  assert_non_null(strstr(err, "line 2"));
  static const char ragged[] = "group,name\na,b,c\n";
  assert_int_equal(match_names_add_groups(&nm, ragged, strlen(ragged), err, sizeof err), -1);
  match_names_free(&nm);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_name_levels),     cmocka_unit_test(test_jw_bound),
      cmocka_unit_test(test_dob_levels),      cmocka_unit_test(test_postcode_levels),
      cmocka_unit_test(test_address_levels),  cmocka_unit_test(test_other_levels),
      cmocka_unit_test(test_vector),          cmocka_unit_test(test_name_tables),
  };
  return cmocka_run_group_tests_name("match_compare", tests, NULL, NULL);
}
