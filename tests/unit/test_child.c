/*
** Unit tests for core/child: validation and normalisation of a child's
** record against an explicit "today" (postcode and NHS number normalised,
** names trimmed, blank optional text nulled, ethnicity always a census code
** or NOBT/REFU, date of birth not in the future and age at most 25, a
** placement only for a looked-after child), and the search keys derived
** from the record.
*/
#include "testutil.h"

#include "core/child.h"
#include "core/codes.h"
#include "util/timeutil.h"

/* The day the tests are judged on: Monday 15 June 2026. */
static int64_t today(void) { return days_from_civil(2026, 6, 15); }

/* Validates the JSON text against TODAY_DAYS; the record (normalised) goes to *OUT, errors to E. */
static bool validate_at(const char *text, bool partial, int64_t today_days, json_t **out, struct field_errors *e) {
  json_t *c = tu_json(text);
  ferr_init(e);
  bool ok = child_validate(c, partial, today_days, e);
  assert_int_equal(ok, !ferr_any(e));
  if (out) *out = c;
  else json_decref(c);
  return ok;
}

/* As validate_at on the standard day. */
static bool validate(const char *text, bool partial, json_t **out, struct field_errors *e) {
  return validate_at(text, partial, today(), out, e);
}

/* Asserts FIELD has an error containing WHAT. */
static void error_has(struct field_errors *e, const char *field, const char *what) {
  const char *got = ferr_get(e, field);
  if (!got) {
    char *all = json_dumps(e->fields, JSON_COMPACT);
    fail_msg("no error for %s: %s", field, all);
  }
  if (!strstr(got, what)) fail_msg("%s: '%s' lacks '%s'", field, got, what);
}

/* Asserts the string field KEY of O equals WANT, or is JSON null when WANT is NULL. */
static void field_is(json_t *o, const char *key, const char *want) {
  json_t *v = json_object_get(o, key);
  if (!want) {
    if (!json_is_null(v)) fail_msg("%s should be null", key);
    return;
  }
  if (!json_is_string(v)) fail_msg("%s is not a string", key);
  if (strcmp(json_string_value(v), want) != 0) fail_msg("%s = '%s', want '%s'", key, json_string_value(v), want);
}

/* A complete record is accepted and normalised in place. */
static void test_normalises(void **state) {
  (void)state;
  struct field_errors e;
  json_t *c = NULL;
  assert_true(validate("{\"first_name\":\"  Zo\\u00eb \",\"last_name\":\" O'Brien\\t\",\"aliases\":[\" Jo \",\"ZB\"],"
                       "\"date_of_birth\":\"2012-03-04\",\"gender\":\"female\",\"ethnicity\":\"WBRI\","
                       "\"address\":\" 1 High St\\nRotherham \",\"postcode\":\" s60  1ae \","
                       "\"nhs_number\":\"943 476 5919\",\"school\":\"  \",\"looked_after\":false}",
                       false, &c, &e));
  field_is(c, "first_name", "Zo\xc3\xab");
  field_is(c, "last_name", "O'Brien");
  field_is(c, "postcode", "S60 1AE");
  field_is(c, "nhs_number", "9434765919");
  field_is(c, "address", "1 High St\nRotherham");
  field_is(c, "school", NULL);
  json_t *al = json_object_get(c, "aliases");
  assert_int_equal(json_array_size(al), 2);
  assert_string_equal(json_string_value(json_array_get(al, 0)), "Jo");
  assert_string_equal(json_string_value(json_array_get(al, 1)), "ZB");
  json_decref(c);
  ferr_free(&e);
}

/* Blank optional text (address, school, postcode, NHS number) becomes null rather than an error. */
static void test_blank_optional_text_becomes_null(void **state) {
  (void)state;
  struct field_errors e;
  json_t *c = NULL;
  assert_true(validate("{\"first_name\":\"Amy\",\"last_name\":\"Ng\",\"ethnicity\":\"CHNE\",\"address\":\"\","
                       "\"school\":\" \",\"postcode\":\"  \",\"nhs_number\":\"\"}",
                       false, &c, &e));
  field_is(c, "address", NULL);
  field_is(c, "school", NULL);
  field_is(c, "postcode", NULL);
  field_is(c, "nhs_number", NULL);
  json_decref(c);
  ferr_free(&e);
  /* The same in an update. */
  assert_true(validate("{\"postcode\":\"\",\"nhs_number\":\"   \"}", true, &c, &e));
  field_is(c, "postcode", NULL);
  field_is(c, "nhs_number", NULL);
  json_decref(c);
  ferr_free(&e);
}

/* Names are required and must not be blank. */
static void test_names_required(void **state) {
  (void)state;
  struct field_errors e;
  assert_false(validate("{\"ethnicity\":\"WBRI\"}", false, NULL, &e));
  error_has(&e, "first_name", "required");
  error_has(&e, "last_name", "required");
  ferr_free(&e);
  assert_false(validate("{\"first_name\":\"  \",\"last_name\":\"\",\"ethnicity\":\"WBRI\"}", false, NULL, &e));
  error_has(&e, "first_name", "required");
  error_has(&e, "last_name", "required");
  ferr_free(&e);
  assert_false(validate("{\"first_name\":\"A\",\"last_name\":\"B\",\"ethnicity\":\"WBRI\",\"aliases\":[\"ok\",\"  \"]}",
                        false, NULL, &e));
  error_has(&e, "aliases[1]", "required");
  ferr_free(&e);
}

/* Ethnicity: every census code, NOBT and REFU; never empty, missing, null, or anything else. */
static void test_ethnicity(void **state) {
  (void)state;
  struct field_errors e;
  static const char *const census[] = {"WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH",
                                       "AIND", "APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH",
                                       "NOBT", "REFU"};
  for (size_t i = 0; i < TU_COUNT(census); i++) {
    char text[160];
    snprintf(text, sizeof text, "{\"first_name\":\"A\",\"last_name\":\"B\",\"ethnicity\":\"%s\"}", census[i]);
    if (!validate(text, false, NULL, &e)) fail_msg("refused ethnicity %s", census[i]);
    ferr_free(&e);
    assert_non_null(code_label(ETHNICITY_CODES, census[i]));
  }
  static const char *const bad[] = {"\"\"", "\" \"", "null", "\"wbri\"", "\"XXXX\"", "\"WBRI \"", "\"White\"", "4"};
  for (size_t i = 0; i < TU_COUNT(bad); i++) {
    char text[160];
    snprintf(text, sizeof text, "{\"first_name\":\"A\",\"last_name\":\"B\",\"ethnicity\":%s}", bad[i]);
    if (validate(text, false, NULL, &e)) fail_msg("accepted ethnicity %s", bad[i]);
    assert_non_null(ferr_get(&e, "ethnicity"));
    ferr_free(&e);
  }
  assert_false(validate("{\"first_name\":\"A\",\"last_name\":\"B\"}", false, NULL, &e));
  error_has(&e, "ethnicity", "required");
  ferr_free(&e);
  /* An update may leave it out but not blank it. */
  assert_true(validate("{\"school\":\"Oakwood\"}", true, NULL, &e));
  ferr_free(&e);
  assert_false(validate("{\"ethnicity\":\"\"}", true, NULL, &e));
  error_has(&e, "ethnicity", "required");
  ferr_free(&e);
  assert_false(validate("{\"ethnicity\":null}", true, NULL, &e));
  error_has(&e, "ethnicity", "required");
  ferr_free(&e);
}

/* Builds a minimal record with date of birth DOB and validates it on day TODAY_DAYS. */
static bool dob_ok(const char *dob, int64_t today_days) {
  char text[200];
  struct field_errors e;
  snprintf(text, sizeof text, "{\"first_name\":\"A\",\"last_name\":\"B\",\"ethnicity\":\"NOBT\",\"date_of_birth\":\"%s\"}",
           dob);
  bool ok = validate_at(text, false, today_days, NULL, &e);
  ferr_free(&e);
  return ok;
}

/* Date of birth: a real date, not after today, of someone aged 25 or under on today's date. */
static void test_date_of_birth(void **state) {
  (void)state;
  int64_t t = today(); /* 2026-06-15 */
  assert_true(dob_ok("2026-06-15", t));
  assert_false(dob_ok("2026-06-16", t));
  assert_true(dob_ok("2001-06-15", t)); /* 25 today */
  assert_false(dob_ok("2000-06-15", t)); /* 26 today */
  assert_true(dob_ok("2000-06-16", t)); /* 25 until tomorrow */
  assert_false(dob_ok("2025-02-29", t));
  assert_false(dob_ok("15/06/2010", t));
  assert_false(dob_ok("2010-6-15", t));
  /* The check uses the day it is given, not the clock: the same date flips with TODAY. */
  assert_false(dob_ok("2030-01-01", t));
  assert_true(dob_ok("2030-01-01", days_from_civil(2030, 1, 1)));
  assert_true(dob_ok("2000-06-15", days_from_civil(2026, 6, 14)));
  /* A child born on 29 February turns 26 on 1 March in a common year. */
  assert_true(dob_ok("2000-02-29", days_from_civil(2026, 2, 28)));
  assert_false(dob_ok("2000-02-29", days_from_civil(2026, 3, 1)));

  struct field_errors e;
  assert_false(validate("{\"first_name\":\"A\",\"last_name\":\"B\",\"ethnicity\":\"NOBT\",\"date_of_birth\":\"2027-01-01\"}",
                        false, NULL, &e));
  error_has(&e, "date_of_birth", "future");
  ferr_free(&e);
  assert_false(validate("{\"first_name\":\"A\",\"last_name\":\"B\",\"ethnicity\":\"NOBT\",\"date_of_birth\":\"1990-01-01\"}",
                        false, NULL, &e));
  error_has(&e, "date_of_birth", "25");
  ferr_free(&e);
  /* Not known is null. */
  assert_true(validate("{\"first_name\":\"A\",\"last_name\":\"B\",\"ethnicity\":\"NOBT\",\"date_of_birth\":null}",
                       false, NULL, &e));
  ferr_free(&e);
}

/* Postcode, NHS number and gender must be valid when given. */
static void test_identifiers(void **state) {
  (void)state;
  struct field_errors e;
  assert_false(validate("{\"first_name\":\"A\",\"last_name\":\"B\",\"ethnicity\":\"NOBT\",\"postcode\":\"S60 1AC\","
                        "\"nhs_number\":\"9434765918\",\"gender\":\"f\"}",
                        false, NULL, &e));
  error_has(&e, "postcode", "postcode");
  error_has(&e, "nhs_number", "check digit");
  error_has(&e, "gender", "female");
  ferr_free(&e);
  static const char *const genders[] = {"female", "male", "other", "not_known"};
  for (size_t i = 0; i < TU_COUNT(genders); i++) {
    char text[160];
    snprintf(text, sizeof text, "{\"first_name\":\"A\",\"last_name\":\"B\",\"ethnicity\":\"NOBT\",\"gender\":\"%s\"}",
             genders[i]);
    assert_true(validate(text, false, NULL, &e));
    ferr_free(&e);
  }
  assert_false(validate("{\"first_name\":\"A\",\"last_name\":\"B\",\"ethnicity\":\"NOBT\",\"nhs_number\":\"9434765919999\"}",
                        false, NULL, &e));
  assert_non_null(ferr_get(&e, "nhs_number"));
  ferr_free(&e);
  assert_false(validate("{\"first_name\":\"A\",\"last_name\":\"B\",\"ethnicity\":\"NOBT\",\"id\":\"ch_x\",\"version\":3}",
                        false, NULL, &e));
  error_has(&e, "id", "not a recognised field");
  error_has(&e, "version", "not a recognised field");
  ferr_free(&e);
}

/* A placement only for a looked-after child, with its codes and dates checked. */
static void test_placement(void **state) {
  (void)state;
  struct field_errors e;
  json_t *c = NULL;
  const char *base = "{\"first_name\":\"A\",\"last_name\":\"B\",\"ethnicity\":\"NOBT\",";
  char text[512];
  snprintf(text, sizeof text,
           "%s\"looked_after\":true,\"placement\":{\"legal_status\":\"C2\",\"type\":\"U4\",\"start_date\":\"2025-01-02\","
           "\"placing_authority\":\"Holmford\",\"host_authority\":\"Elsewhere\",\"out_of_area\":true}}",
           base);
  assert_true(validate(text, false, &c, &e));
  assert_string_equal(json_string_value(json_object_get(json_object_get(c, "placement"), "type")), "U4");
  json_decref(c);
  ferr_free(&e);
  /* Not looked after, whether said or left out: refused. */
  snprintf(text, sizeof text, "%s\"looked_after\":false,\"placement\":{\"type\":\"U4\"}}", base);
  assert_false(validate(text, false, NULL, &e));
  error_has(&e, "placement", "looked-after");
  ferr_free(&e);
  snprintf(text, sizeof text, "%s\"placement\":{\"type\":\"U4\"}}", base);
  assert_false(validate(text, false, NULL, &e));
  error_has(&e, "placement", "looked-after");
  ferr_free(&e);
  /* A null placement is fine for anyone. */
  snprintf(text, sizeof text, "%s\"looked_after\":false,\"placement\":null}", base);
  assert_true(validate(text, false, NULL, &e));
  ferr_free(&e);
  /* Bad codes and a future start date are named by their dotted path. */
  snprintf(text, sizeof text,
           "%s\"looked_after\":true,\"placement\":{\"legal_status\":\"C9\",\"type\":\"ZZ\",\"start_date\":\"2026-06-16\","
           "\"colour\":\"blue\",\"out_of_area\":\"yes\"}}",
           base);
  assert_false(validate(text, false, NULL, &e));
  error_has(&e, "placement.legal_status", "legal status");
  error_has(&e, "placement.type", "placement type");
  error_has(&e, "placement.start_date", "future");
  error_has(&e, "placement.colour", "not a recognised field");
  error_has(&e, "placement.out_of_area", "true or false");
  ferr_free(&e);
  /* An update naming looked_after false with a placement is refused; without looked_after the caller decides. */
  assert_false(validate("{\"looked_after\":false,\"placement\":{\"type\":\"U4\"}}", true, NULL, &e));
  error_has(&e, "placement", "looked-after");
  ferr_free(&e);
  assert_true(validate("{\"placement\":{\"type\":\"U4\"}}", true, NULL, &e));
  ferr_free(&e);
}

/* Finds KIND:KEY among the N keys. */
static bool has_key(const struct search_key *keys, int n, const char *kind, const char *key) {
  for (int i = 0; i < n; i++) {
    if (!strcmp(keys[i].kind, kind) && !strcmp(keys[i].key, key)) return true;
  }
  return false;
}

/* Search keys: folded whole names and their parts, aliases, date of birth, postcode without space, NHS number. */
static void test_search_keys(void **state) {
  (void)state;
  json_t *c = tu_json("{\"first_name\":\"Zo\\u00eb\",\"last_name\":\"O'Brien-Smith\",\"aliases\":[\"Jo Jo\",\"\\u0141ucja\"],"
                      "\"date_of_birth\":\"2012-03-04\",\"postcode\":\"S60 1AE\",\"nhs_number\":\"9434765919\"}");
  struct search_key keys[64];
  int n = child_search_keys(c, keys, 64);
  static const char *const names[] = {"zoe", "obriensmith", "o", "brien", "smith", "jojo", "jo", "lucja"};
  for (size_t i = 0; i < TU_COUNT(names); i++) {
    if (!has_key(keys, n, "n", names[i])) fail_msg("no name key %s", names[i]);
  }
  assert_true(has_key(keys, n, "d", "2012-03-04"));
  assert_true(has_key(keys, n, "p", "s601ae"));
  assert_true(has_key(keys, n, "h", "9434765919"));
  /* Linkage blocks (surname sound with birth year, first-name sound with district, both sounds, first-name sound
  ** with birth year),
  ** for the name and again for each alias. */
  int blocks = 0, kinds[4] = {0};
  for (int i = 0; i < n; i++) {
    const char *k = strchr("sfgt", keys[i].kind[0]);
    if (k) {
      blocks++;
      kinds[k - "sfgt"]++;
    }
  }
  assert_true(kinds[0] >= 1 && kinds[1] >= 1 && kinds[2] >= 1 && kinds[3] >= 1);
  /* Each key once: "Jo Jo" gives "jo" a single time. */
  assert_int_equal(n, (int)TU_COUNT(names) + 3 + blocks);
  for (int i = 0; i < n; i++) {
    for (int j = i + 1; j < n; j++) {
      assert_false(!strcmp(keys[i].kind, keys[j].kind) && !strcmp(keys[i].key, keys[j].key));
    }
  }
  /* MAX bounds the output. */
  assert_int_equal(child_search_keys(c, keys, 3), 3);
  json_decref(c);

  /* Missing and null fields give no keys, and a name of other scripts gives none either. */
  c = tu_json("{\"first_name\":\"\\u041e\\u043b\\u044f\",\"last_name\":\"Ng\",\"date_of_birth\":null,\"postcode\":null}");
  n = child_search_keys(c, keys, 64);
  assert_int_equal(n, 1);
  assert_true(has_key(keys, n, "n", "ng"));
  json_decref(c);
}

/* The display name joins first and last names and copes with either missing. */
static void test_display_name(void **state) {
  (void)state;
  char out[64];
  json_t *c = tu_json("{\"first_name\":\"Amy\",\"last_name\":\"Ng\"}");
  assert_string_equal(child_display_name(c, out, sizeof out), "Amy Ng");
  json_decref(c);
  c = tu_json("{\"last_name\":\"Ng\"}");
  assert_string_equal(child_display_name(c, out, sizeof out), " Ng");
  json_decref(c);
  c = tu_json("{\"first_name\":\"Abcdefghij\",\"last_name\":\"Klmnopqrst\"}");
  assert_string_equal(child_display_name(c, out, 8), "Abcdefg");
  json_decref(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_normalises),       cmocka_unit_test(test_blank_optional_text_becomes_null),
      cmocka_unit_test(test_names_required),   cmocka_unit_test(test_ethnicity),
      cmocka_unit_test(test_date_of_birth),    cmocka_unit_test(test_identifiers),
      cmocka_unit_test(test_placement),        cmocka_unit_test(test_search_keys),
      cmocka_unit_test(test_display_name),
  };
  return cmocka_run_group_tests_name("child", tests, NULL, NULL);
}
