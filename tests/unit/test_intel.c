/*
** Tests of the intelligence rules (core/intel.c): entity types and their
** allowlists, each type's required fields and codes (ONS 2021 and IC
** ethnicity, nationality, location kinds), the explicit "not_known", dates
** of birth and ages, the normalisation of registrations, phone numbers,
** postcodes and platforms with the keys built from them, labels, the 3x5x2
** and 5x5x5 gradings with their conditions and plain words, the relations,
** and the intelligence item's allowlist.
*/
#include "testutil.h"
#include "core/intel.h"

#define TODAY "2026-03-15"

/* Validates a copy of the JSON literal TEXT as TYPE; returns the copy (caller frees) and fills ERRS. */
static json_t *validate(enum entity_type type, const char *text, struct field_errors *errs, bool *ok) {
  json_t *in = tu_json(text);
  ferr_init(errs);
  *ok = entity_validate(type, in, TODAY, errs);
  assert_int_equal(*ok, !ferr_any(errs));
  return in;
}

/* Asserts TEXT is valid as TYPE; returns the normalised object (caller frees). */
static json_t *accepted(enum entity_type type, const char *text) {
  struct field_errors errs;
  bool ok;
  json_t *in = validate(type, text, &errs, &ok);
  if (!ok) fail_msg("refused %s: %s", text, json_dumps(errs.fields, JSON_COMPACT));
  ferr_free(&errs);
  /* Normalised input is a fixed point: validating it again changes nothing. */
  json_t *again = json_deep_copy(in);
  ferr_init(&errs);
  assert_true(entity_validate(type, again, TODAY, &errs));
  assert_true(json_equal(again, in));
  json_decref(again);
  ferr_free(&errs);
  return in;
}

/* Asserts TEXT is refused as TYPE with errors on exactly the NULL-terminated FIELDS, and left as it was. */
static void refused(enum entity_type type, const char *text, const char *const *fields) {
  struct field_errors errs;
  bool ok;
  json_t *in = validate(type, text, &errs, &ok);
  if (ok) fail_msg("accepted %s", text);
  tu_names_exactly(&errs, fields);
  json_t *orig = tu_json(text);
  assert_true(json_equal(orig, in));
  json_decref(orig);
  json_decref(in);
  ferr_free(&errs);
}

#define FIELDS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* A person's required codes, to put after other fields. */
#define CODES "\"ethnicity_self\":\"W1\",\"ethnicity_observed\":\"IC1\",\"nationality\":\"GB\""

/* The string member KEY of O (a test's object). */
static const char *str(json_t *o, const char *key) { return json_string_value(json_object_get(o, key)); }

/* Asserts the key of TEXT (a valid TYPE) is WANT, or that there is none when WANT is NULL. */
static void key_is(enum entity_type type, const char *text, const char *want) {
  json_t *in = accepted(type, text);
  char key[300];
  bool has = entity_key(type, in, key, sizeof key);
  if (want) {
    assert_true(has);
    assert_string_equal(key, want);
  } else {
    assert_false(has);
    assert_string_equal(key, "");
  }
  json_decref(in);
}

/* Asserts the label of TEXT (a valid TYPE) is WANT. */
static void label_is(enum entity_type type, const char *text, const char *want) {
  json_t *in = accepted(type, text);
  char label[200];
  entity_label(type, in, label, sizeof label);
  assert_string_equal(label, want);
  json_decref(in);
}

static void test_types(void **state) {
  (void)state;
  static const char *const names[] = {"person", "vehicle", "phone", "location", "online_account"};
  for (int i = 0; i < ENTITY_TYPE_COUNT; i++) {
    enum entity_type t = ENTITY_TYPE_COUNT;
    assert_string_equal(entity_type_name((enum entity_type)i), names[i]);
    assert_true(entity_type_parse(names[i], &t));
    assert_int_equal(t, i);
    /* Each allowlist holds "type" and ends with a NULL name. */
    const struct field_spec *f = entity_fields(t);
    bool has_type = false;
    int n = 0;
    for (; f->name; f++, n++) has_type = has_type || !strcmp(f->name, "type");
    assert_true(has_type);
    assert_true(n >= 3);
  }
  enum entity_type t = ENTITY_PHONE;
  assert_false(entity_type_parse("car", &t));
  assert_false(entity_type_parse("Person", &t));
  assert_false(entity_type_parse("", &t));
  assert_false(entity_type_parse(NULL, &t));
  assert_int_equal(t, ENTITY_PHONE);
  assert_null(entity_fields(ENTITY_TYPE_COUNT));
  assert_string_equal(entity_type_name(ENTITY_TYPE_COUNT), "");
}

static void test_person_required(void **state) {
  (void)state;
  json_t *p = accepted(ENTITY_PERSON, "{\"type\":\"person\",\"first_name\":\"  Tom \"," CODES "}");
  assert_string_equal(str(p, "first_name"), "Tom");
  assert_string_equal(str(p, "type"), "person");
  json_decref(p);
  /* Ethnicity (both kinds) and nationality must be said, if only as not_known; and a name or description. */
  refused(ENTITY_PERSON, "{\"type\":\"person\"}",
          FIELDS("first_name", "ethnicity_self", "ethnicity_observed", "nationality"));
  refused(ENTITY_PERSON, "{\"first_name\":\"Tom\",\"ethnicity_self\":\"W1\",\"nationality\":\"GB\"}",
          FIELDS("ethnicity_observed"));
  refused(ENTITY_PERSON, "{\"first_name\":\"Tom\",\"ethnicity_self\":\"\",\"ethnicity_observed\":\" \",\"nationality\":\"\"}",
          FIELDS("ethnicity_self", "ethnicity_observed", "nationality"));
  refused(ENTITY_PERSON, "{\"first_name\":\"Tom\",\"ethnicity_self\":null,\"ethnicity_observed\":\"IC1\",\"nationality\":\"GB\"}",
          FIELDS("ethnicity_self"));
  p = accepted(ENTITY_PERSON, "{\"first_name\":\"Tom\",\"ethnicity_self\":\"not_known\",\"ethnicity_observed\":\"not_known\","
                              "\"nationality\":\"not_known\"}");
  assert_string_equal(str(p, "nationality"), "not_known");
  json_decref(p);
  /* Not "unknown", not "NOT_KNOWN". */
  refused(ENTITY_PERSON, "{\"first_name\":\"Tom\",\"ethnicity_self\":\"unknown\",\"ethnicity_observed\":\"NOT_KNOWN\","
                         "\"nationality\":\"Not known\"}",
          FIELDS("ethnicity_self", "ethnicity_observed", "nationality"));
}

static void test_person_names(void **state) {
  (void)state;
  json_decref(accepted(ENTITY_PERSON, "{\"last_name\":\"Smith\"," CODES "}"));
  json_decref(accepted(ENTITY_PERSON, "{\"description\":\"Man in his 40s, scar on left cheek\"," CODES "}"));
  refused(ENTITY_PERSON, "{\"first_name\":\"  \",\"last_name\":\"\",\"description\":null," CODES "}", FIELDS("first_name"));
  refused(ENTITY_PERSON, "{\"aliases\":[\"Taz\"]," CODES "}", FIELDS("first_name"));
  /* Blank optional text is dropped; aliases are trimmed; blank aliases refused. */
  json_t *p = accepted(ENTITY_PERSON, "{\"first_name\":\"Tom\",\"last_name\":\" \",\"address\":\"\",\"notes\":null,"
                                      "\"aliases\":[\" Taz \",\"T\"]," CODES "}");
  assert_null(json_object_get(p, "last_name"));
  assert_null(json_object_get(p, "address"));
  assert_null(json_object_get(p, "notes"));
  assert_string_equal(json_string_value(json_array_get(json_object_get(p, "aliases"), 0)), "Taz");
  json_decref(p);
  refused(ENTITY_PERSON, "{\"first_name\":\"Tom\",\"aliases\":[\"\"]," CODES "}", FIELDS("aliases[0]"));
}

static void test_unknown_fields(void **state) {
  (void)state;
  refused(ENTITY_PERSON, "{\"first_name\":\"Tom\",\"shoe_size\":9," CODES "}", FIELDS("shoe_size"));
  refused(ENTITY_PERSON, "{\"first_name\":\"Tom\",\"registration\":\"AB12CDE\"," CODES "}", FIELDS("registration"));
  refused(ENTITY_VEHICLE, "{\"registration\":\"AB12CDE\",\"first_name\":\"Tom\"}", FIELDS("first_name"));
  refused(ENTITY_PHONE, "{\"number\":\"07700900123\",\"make\":\"Nokia\"}", FIELDS("make"));
  refused(ENTITY_LOCATION, "{\"name\":\"Park\",\"kind\":\"park\",\"number\":\"1\"}", FIELDS("number"));
  refused(ENTITY_ACCOUNT, "{\"platform\":\"snapchat\",\"handle\":\"a\",\"url\":\"x\"}", FIELDS("url"));
  /* "type", when given, must be the type being validated. */
  refused(ENTITY_PHONE, "{\"type\":\"vehicle\",\"number\":\"07700900123\"}", FIELDS("type"));
  json_decref(accepted(ENTITY_PHONE, "{\"type\":\"phone\",\"number\":\"07700900123\"}"));
  /* Not an object at all. */
  refused(ENTITY_PHONE, "[1]", FIELDS("request"));
  /* Wrong JSON types are named. */
  refused(ENTITY_PERSON, "{\"first_name\":7,\"approximate_age\":\"30\"," CODES "}", FIELDS("first_name", "approximate_age"));
}

static void test_ethnicity_codes(void **state) {
  (void)state;
  static const char *const ons[] = {"A1", "A2", "A3", "A4", "A5", "B1", "B2", "B3", "M1", "M2",
                                    "M3", "M4", "W1", "W2", "W3", "W4", "W5", "O1", "O2"};
  char text[300];
  for (size_t i = 0; i < TU_COUNT(ons); i++) {
    snprintf(text, sizeof text, "{\"first_name\":\"A\",\"ethnicity_self\":\"%s\",\"ethnicity_observed\":\"IC%zu\","
             "\"nationality\":\"GB\"}", ons[i], i % 6 + 1);
    json_decref(accepted(ENTITY_PERSON, text));
    assert_non_null(code_label(INTEL_ETHNICITY_SELF, ons[i]));
  }
  static const char *const bad_ons[] = {"A6", "W0", "a1", "WBRI", "O3", "M5", "B", "IC1"};
  for (size_t i = 0; i < TU_COUNT(bad_ons); i++) {
    snprintf(text, sizeof text, "{\"first_name\":\"A\",\"ethnicity_self\":\"%s\",\"ethnicity_observed\":\"IC1\","
             "\"nationality\":\"GB\"}", bad_ons[i]);
    refused(ENTITY_PERSON, text, FIELDS("ethnicity_self"));
  }
  static const char *const bad_ic[] = {"IC0", "IC7", "ic1", "IC", "W1", "1"};
  for (size_t i = 0; i < TU_COUNT(bad_ic); i++) {
    snprintf(text, sizeof text, "{\"first_name\":\"A\",\"ethnicity_self\":\"W1\",\"ethnicity_observed\":\"%s\","
             "\"nationality\":\"GB\"}", bad_ic[i]);
    refused(ENTITY_PERSON, text, FIELDS("ethnicity_observed"));
  }
  assert_string_equal(code_label(INTEL_ETHNICITY_OBSERVED, "IC6"), "Arab or North African");
}

static void test_nationality(void **state) {
  (void)state;
  static const char *const good[] = {"GB", "IE", "PK", "AF", "RO", "ZW", "XK", "AD"};
  static const char *const bad[] = {"gb", "UK", "G", "GBR", "ZZ", "EU", "Gb", "G1", "British"};
  char text[200];
  for (size_t i = 0; i < TU_COUNT(good); i++) {
    snprintf(text, sizeof text, "{\"first_name\":\"A\",\"ethnicity_self\":\"W1\",\"ethnicity_observed\":\"IC1\","
             "\"nationality\":\"%s\"}", good[i]);
    json_decref(accepted(ENTITY_PERSON, text));
  }
  for (size_t i = 0; i < TU_COUNT(bad); i++) {
    snprintf(text, sizeof text, "{\"first_name\":\"A\",\"ethnicity_self\":\"W1\",\"ethnicity_observed\":\"IC1\","
             "\"nationality\":\"%s\"}", bad[i]);
    refused(ENTITY_PERSON, text, FIELDS("nationality"));
  }
}

static void test_person_dates_and_details(void **state) {
  (void)state;
  json_decref(accepted(ENTITY_PERSON, "{\"first_name\":\"A\",\"date_of_birth\":\"1990-02-28\"," CODES "}"));
  json_decref(accepted(ENTITY_PERSON, "{\"first_name\":\"A\",\"date_of_birth\":\"2024-02-29\"," CODES "}"));
  json_decref(accepted(ENTITY_PERSON, "{\"first_name\":\"A\",\"date_of_birth\":\"" TODAY "\"," CODES "}"));
  refused(ENTITY_PERSON, "{\"first_name\":\"A\",\"date_of_birth\":\"2026-03-16\"," CODES "}", FIELDS("date_of_birth"));
  refused(ENTITY_PERSON, "{\"first_name\":\"A\",\"date_of_birth\":\"2030-01-01\"," CODES "}", FIELDS("date_of_birth"));
  refused(ENTITY_PERSON, "{\"first_name\":\"A\",\"date_of_birth\":\"1990-02-30\"," CODES "}", FIELDS("date_of_birth"));
  refused(ENTITY_PERSON, "{\"first_name\":\"A\",\"date_of_birth\":\"2023-02-29\"," CODES "}", FIELDS("date_of_birth"));
  refused(ENTITY_PERSON, "{\"first_name\":\"A\",\"date_of_birth\":\"1990-2-28\"," CODES "}", FIELDS("date_of_birth"));
  refused(ENTITY_PERSON, "{\"first_name\":\"A\",\"date_of_birth\":\"28/02/1990\"," CODES "}", FIELDS("date_of_birth"));
  json_decref(accepted(ENTITY_PERSON, "{\"first_name\":\"A\",\"approximate_age\":10," CODES "}"));
  json_decref(accepted(ENTITY_PERSON, "{\"first_name\":\"A\",\"approximate_age\":100," CODES "}"));
  refused(ENTITY_PERSON, "{\"first_name\":\"A\",\"approximate_age\":9," CODES "}", FIELDS("approximate_age"));
  refused(ENTITY_PERSON, "{\"first_name\":\"A\",\"approximate_age\":101," CODES "}", FIELDS("approximate_age"));
  refused(ENTITY_PERSON, "{\"first_name\":\"A\",\"approximate_age\":35.5," CODES "}", FIELDS("approximate_age"));
  refused(ENTITY_PERSON, "{\"first_name\":\"A\",\"date_of_birth\":\"1990-01-01\",\"approximate_age\":35," CODES "}",
          FIELDS("approximate_age"));
  json_decref(accepted(ENTITY_PERSON, "{\"first_name\":\"A\",\"date_of_birth\":\"1990-01-01\",\"approximate_age\":null," CODES "}"));
  /* Gender codes. */
  static const char *const genders[] = {"male", "female", "other", "not_known"};
  char text[200];
  for (size_t i = 0; i < TU_COUNT(genders); i++) {
    snprintf(text, sizeof text, "{\"first_name\":\"A\",\"gender\":\"%s\"," CODES "}", genders[i]);
    json_decref(accepted(ENTITY_PERSON, text));
  }
  refused(ENTITY_PERSON, "{\"first_name\":\"A\",\"gender\":\"M\"," CODES "}", FIELDS("gender"));
  /* Postcodes are normalised; a blank one is dropped; a bad one is refused. */
  json_t *p = accepted(ENTITY_PERSON, "{\"first_name\":\"A\",\"postcode\":\" s60 1aa\"," CODES "}");
  assert_string_equal(str(p, "postcode"), "S60 1AA");
  json_decref(p);
  p = accepted(ENTITY_PERSON, "{\"first_name\":\"A\",\"postcode\":\"\"," CODES "}");
  assert_null(json_object_get(p, "postcode"));
  json_decref(p);
  refused(ENTITY_PERSON, "{\"first_name\":\"A\",\"postcode\":\"S60\"," CODES "}", FIELDS("postcode"));
  /* Multi-line description and notes are allowed; a multi-line name is not. */
  json_decref(accepted(ENTITY_PERSON, "{\"description\":\"Tall\\nbeard\",\"notes\":\"a\\nb\"," CODES "}"));
  refused(ENTITY_PERSON, "{\"first_name\":\"A\\nB\"," CODES "}", FIELDS("first_name"));
  /* A person has no key: people are never merged by one. */
  key_is(ENTITY_PERSON, "{\"first_name\":\"A\"," CODES "}", NULL);
}

static void test_vehicle(void **state) {
  (void)state;
  json_t *v = accepted(ENTITY_VEHICLE, "{\"type\":\"vehicle\",\"registration\":\"ab12 cde\",\"make\":\"Ford\",\"model\":\"Focus\"}");
  assert_string_equal(str(v, "registration"), "AB12CDE");
  json_decref(v);
  key_is(ENTITY_VEHICLE, "{\"registration\":\"ab12 cde\"}", "VRM:AB12CDE");
  key_is(ENTITY_VEHICLE, "{\"registration\":\" AB12CDE \"}", "VRM:AB12CDE");
  key_is(ENTITY_VEHICLE, "{\"registration\":\"k123 abc\"}", "VRM:K123ABC");
  key_is(ENTITY_VEHICLE, "{\"registration\":\"12\"}", "VRM:12");
  key_is(ENTITY_VEHICLE, "{\"registration\":\"ABCD1234\"}", "VRM:ABCD1234");
  label_is(ENTITY_VEHICLE, "{\"registration\":\"ab12 cde\",\"make\":\"Ford\",\"model\":\"Focus\"}", "Ford Focus AB12 CDE");
  label_is(ENTITY_VEHICLE, "{\"registration\":\"ab12cde\",\"colour\":\"red\"}", "AB12 CDE");
  label_is(ENTITY_VEHICLE, "{\"registration\":\"K123 ABC\",\"make\":\"Vauxhall\"}", "Vauxhall K123ABC");
  refused(ENTITY_VEHICLE, "{\"make\":\"Ford\"}", FIELDS("registration"));
  refused(ENTITY_VEHICLE, "{\"registration\":\"\"}", FIELDS("registration"));
  refused(ENTITY_VEHICLE, "{\"registration\":\"A\"}", FIELDS("registration"));
  refused(ENTITY_VEHICLE, "{\"registration\":\"ABCDE1234\"}", FIELDS("registration"));
  refused(ENTITY_VEHICLE, "{\"registration\":\"AB12-CDE\"}", FIELDS("registration"));
  refused(ENTITY_VEHICLE, "{\"registration\":\"AB12 CDÉ\"}", FIELDS("registration"));
}

static void test_phone(void **state) {
  (void)state;
  /* The same UK mobile written five ways is one key. */
  static const char *const same[] = {"+44 7700 900123", "07700900123", "0044 7700 900 123", "+44 (0)7700 900123",
                                     "07700-900-123", "(07700) 900.123"};
  char text[200];
  for (size_t i = 0; i < TU_COUNT(same); i++) {
    snprintf(text, sizeof text, "{\"number\":\"%s\"}", same[i]);
    key_is(ENTITY_PHONE, text, "TEL:07700900123");
    label_is(ENTITY_PHONE, text, "07700900123");
  }
  json_t *p = accepted(ENTITY_PHONE, "{\"number\":\"+44 7700 900123\"}");
  assert_string_equal(str(p, "number"), "07700900123");
  json_decref(p);
  key_is(ENTITY_PHONE, "{\"number\":\"0114 496 0000\"}", "TEL:01144960000");
  key_is(ENTITY_PHONE, "{\"number\":\"+33 6 12 34 56 78\"}", "TEL:+33612345678");
  key_is(ENTITY_PHONE, "{\"number\":\"0033 6 12 34 56 78\"}", "TEL:+33612345678");
  key_is(ENTITY_PHONE, "{\"number\":\"+1234567\"}", "TEL:+1234567");
  key_is(ENTITY_PHONE, "{\"number\":\"+123456789012345\"}", "TEL:+123456789012345");
  static const char *const bad[] = {"7700900123",  "0770090012",   "077009001234", "+44 770090012",
                                    "+44 77009001234", "+123456",  "+1234567890123456", "07700 900123 ext 4",
                                    "07700+900123", "++447700900123", "+0 1234567", "0", "+"};
  for (size_t i = 0; i < TU_COUNT(bad); i++) {
    snprintf(text, sizeof text, "{\"number\":\"%s\"}", bad[i]);
    refused(ENTITY_PHONE, text, FIELDS("number"));
  }
  refused(ENTITY_PHONE, "{}", FIELDS("number"));
  refused(ENTITY_PHONE, "{\"number\":\"\"}", FIELDS("number"));
  refused(ENTITY_PHONE, "{\"number\":7700900123}", FIELDS("number"));
}

static void test_location(void **state) {
  (void)state;
  static const char *const kinds[] = {"home", "hotel", "takeaway", "taxi_firm", "park", "shop", "car_park",
                                      "school_vicinity", "licensed_premises", "other"};
  char text[200];
  for (size_t i = 0; i < TU_COUNT(kinds); i++) {
    snprintf(text, sizeof text, "{\"name\":\"Somewhere\",\"kind\":\"%s\"}", kinds[i]);
    json_decref(accepted(ENTITY_LOCATION, text));
    assert_non_null(code_label(INTEL_LOCATION_KINDS, kinds[i]));
  }
  refused(ENTITY_LOCATION, "{\"name\":\"Somewhere\",\"kind\":\"pub\"}", FIELDS("kind"));
  refused(ENTITY_LOCATION, "{\"kind\":\"park\"}", FIELDS("name"));
  refused(ENTITY_LOCATION, "{\"name\":\"Somewhere\"}", FIELDS("kind"));
  refused(ENTITY_LOCATION, "{\"name\":\"X\",\"kind\":\"park\",\"postcode\":\"NOT A PC\"}", FIELDS("postcode"));
  json_t *l = accepted(ENTITY_LOCATION, "{\"name\":\" The Kebab House \",\"kind\":\"takeaway\",\"postcode\":\"s60 1aa\"}");
  assert_string_equal(str(l, "name"), "The Kebab House");
  assert_string_equal(str(l, "postcode"), "S60 1AA");
  json_decref(l);
  /* Same place however it is spaced, cased or punctuated; none without a postcode. */
  key_is(ENTITY_LOCATION, "{\"name\":\"The Kebab House\",\"kind\":\"takeaway\",\"postcode\":\"S60 1AA\"}",
         "LOC:S601AA:thekebabhouse");
  key_is(ENTITY_LOCATION, "{\"name\":\"the kebab-house!\",\"kind\":\"takeaway\",\"postcode\":\"s601aa\"}",
         "LOC:S601AA:thekebabhouse");
  key_is(ENTITY_LOCATION, "{\"name\":\"The Kebab House\",\"kind\":\"takeaway\"}", NULL);
  key_is(ENTITY_LOCATION, "{\"name\":\"!!!\",\"kind\":\"other\",\"postcode\":\"S60 1AA\"}", NULL);
  label_is(ENTITY_LOCATION, "{\"name\":\"The Kebab House\",\"kind\":\"takeaway\",\"postcode\":\"s601aa\"}",
           "The Kebab House, S60 1AA");
  label_is(ENTITY_LOCATION, "{\"name\":\"Clifton Park\",\"kind\":\"park\"}", "Clifton Park");
}

static void test_account(void **state) {
  (void)state;
  json_t *a = accepted(ENTITY_ACCOUNT, "{\"platform\":\" SnapChat \",\"handle\":\" @Tom_K \"}");
  assert_string_equal(str(a, "platform"), "snapchat");
  assert_string_equal(str(a, "handle"), "@Tom_K");
  json_decref(a);
  key_is(ENTITY_ACCOUNT, "{\"platform\":\"Snapchat\",\"handle\":\"@Tom_K\"}", "ACC:snapchat:tom_k");
  key_is(ENTITY_ACCOUNT, "{\"platform\":\"snapchat\",\"handle\":\"tom_k\"}", "ACC:snapchat:tom_k");
  key_is(ENTITY_ACCOUNT, "{\"platform\":\"instagram\",\"handle\":\"tom_k\"}", "ACC:instagram:tom_k");
  label_is(ENTITY_ACCOUNT, "{\"platform\":\"Snapchat\",\"handle\":\"tom_k\"}", "tom_k (snapchat)");
  refused(ENTITY_ACCOUNT, "{\"platform\":\"snapchat\"}", FIELDS("handle"));
  refused(ENTITY_ACCOUNT, "{\"handle\":\"x\"}", FIELDS("platform"));
  refused(ENTITY_ACCOUNT, "{\"platform\":\"snap:chat\",\"handle\":\"x\"}", FIELDS("platform"));
  refused(ENTITY_ACCOUNT, "{\"platform\":\"snapchat\",\"handle\":\"@\"}", FIELDS("handle"));
  /* 1..40 characters of platform and 1..100 of handle, counted as characters, not bytes. */
  char platform[200], handle[500], text[800];
  memset(platform, 'p', 40);
  platform[40] = '\0';
  memset(handle, 'h', 100);
  handle[100] = '\0';
  snprintf(text, sizeof text, "{\"platform\":\"%s\",\"handle\":\"%s\"}", platform, handle);
  json_decref(accepted(ENTITY_ACCOUNT, text));
  snprintf(text, sizeof text, "{\"platform\":\"%sp\",\"handle\":\"%sh\"}", platform, handle);
  refused(ENTITY_ACCOUNT, text, FIELDS("platform", "handle"));
  platform[0] = '\0';
  for (int i = 0; i < 40; i++) strcat(platform, "\xc3\xa9"); /* e acute: 40 characters in 80 bytes */
  snprintf(text, sizeof text, "{\"platform\":\"%s\",\"handle\":\"x\"}", platform);
  json_decref(accepted(ENTITY_ACCOUNT, text));
  strcat(platform, "\xc3\xa9");
  snprintf(text, sizeof text, "{\"platform\":\"%s\",\"handle\":\"x\"}", platform);
  refused(ENTITY_ACCOUNT, text, FIELDS("platform"));
}

static void test_key_and_label_bounds(void **state) {
  (void)state;
  json_t *v = accepted(ENTITY_VEHICLE, "{\"registration\":\"AB12CDE\"}");
  char key[12];
  assert_false(entity_key(ENTITY_VEHICLE, v, key, 11)); /* "VRM:AB12CDE" needs 12 bytes */
  assert_string_equal(key, "");
  assert_true(entity_key(ENTITY_VEHICLE, v, key, 12));
  assert_string_equal(key, "VRM:AB12CDE");
  assert_false(entity_key(ENTITY_PERSON, v, key, sizeof key));
  assert_false(entity_key(ENTITY_VEHICLE, NULL, key, sizeof key));
  json_decref(v);
  /* A label cut short stops between characters. */
  json_t *p = accepted(ENTITY_PERSON, "{\"first_name\":\"Zo\xc3\xab\",\"last_name\":\"Smith\"," CODES "}");
  char label[20];
  entity_label(ENTITY_PERSON, p, label, sizeof label);
  assert_string_equal(label, "Zo\xc3\xab Smith");
  entity_label(ENTITY_PERSON, p, label, 4);
  assert_string_equal(label, "Zo");
  entity_label(ENTITY_PERSON, p, label, 5);
  assert_string_equal(label, "Zo\xc3\xab");
  entity_label(ENTITY_PERSON, p, label, 8);
  assert_string_equal(label, "Zo\xc3\xab Sm"); /* names may be cut */
  json_decref(p);
  /* A bracketed platform or a postcode is shown whole or not at all. */
  json_t *acc = accepted(ENTITY_ACCOUNT, "{\"platform\":\"snapchat\",\"handle\":\"tom_k\"}");
  entity_label(ENTITY_ACCOUNT, acc, label, 16);
  assert_string_equal(label, "tom_k");
  entity_label(ENTITY_ACCOUNT, acc, label, 17);
  assert_string_equal(label, "tom_k (snapchat)");
  json_decref(acc);
  json_t *loc = accepted(ENTITY_LOCATION, "{\"name\":\"Park\",\"kind\":\"park\",\"postcode\":\"S60 1AA\"}");
  entity_label(ENTITY_LOCATION, loc, label, 7);
  assert_string_equal(label, "Park");
  entity_label(ENTITY_LOCATION, loc, label, 13);
  assert_string_equal(label, "Park");
  entity_label(ENTITY_LOCATION, loc, label, 14);
  assert_string_equal(label, "Park, S60 1AA");
  json_decref(loc);
  /* Without names, the description's first line, shortened. */
  label_is(ENTITY_PERSON, "{\"description\":\"Older man\\nDrives a taxi\"," CODES "}", "Older man...");
  label_is(ENTITY_PERSON,
           "{\"description\":\"Man seen outside the school most afternoons, about fifty, grey hair, glasses\"," CODES "}",
           "Man seen outside the school most afternoons, about fifty, gr...");
}

/* Parses the grading of TEXT expecting success; returns it. */
static struct grading graded(const char *text) {
  json_t *in = tu_json(text);
  struct field_errors errs;
  struct grading g;
  ferr_init(&errs);
  if (!grading_parse(in, &g, &errs)) fail_msg("refused %s: %s", text, json_dumps(errs.fields, JSON_COMPACT));
  assert_false(ferr_any(&errs));
  ferr_free(&errs);
  json_decref(in);
  return g;
}

/* Parses the grading of TEXT expecting refusal naming exactly FIELDS. */
static void grading_refused(const char *text, const char *const *fields) {
  json_t *in = tu_json(text);
  struct field_errors errs;
  struct grading g;
  memset(&g, 0x55, sizeof g);
  ferr_init(&errs);
  if (grading_parse(in, &g, &errs)) fail_msg("accepted %s", text);
  tu_names_exactly(&errs, fields);
  assert_int_equal(g.source[0], 0); /* nothing half-filled */
  ferr_free(&errs);
  json_decref(in);
}

/* The grade code of G. */
static const char *code_of(const struct grading *g) {
  static char buf[16];
  grading_code(g, buf, sizeof buf);
  return buf;
}

static void test_grading_3x5x2(void **state) {
  (void)state;
  struct grading g = graded("{\"source_evaluation\":\"1\",\"intelligence_assessment\":\"B\",\"handling_code\":\"P\"}");
  assert_int_equal(g.scheme, GRADING_3X5X2);
  assert_string_equal(code_of(&g), "1B P");
  assert_false(grading_has_conditions(&g));
  assert_string_equal(grading_source_label(&g), "Reliable");
  assert_string_equal(grading_intelligence_label(&g), "Known indirectly to the source but corroborated");
  assert_string_equal(grading_handling_label(&g), "Lawful sharing permitted");
  g = graded("{\"grading\":\"3x5x2\",\"source_evaluation\":\"3\",\"intelligence_assessment\":\"E\",\"handling_code\":\"C\","
             "\"handling_conditions\":\"Not to be shared with the family\"}");
  assert_string_equal(code_of(&g), "3E C");
  assert_true(grading_has_conditions(&g));
  assert_string_equal(grading_source_label(&g), "Not reliable");
  assert_string_equal(grading_intelligence_label(&g), "Suspected to be false");
  assert_string_equal(grading_handling_label(&g), "Lawful sharing permitted with conditions");
  g = graded("{\"grading\":null,\"source_evaluation\":\"2\",\"intelligence_assessment\":\"A\",\"handling_code\":\"P\","
             "\"handling_conditions\":\" \"}");
  assert_string_equal(code_of(&g), "2A P");
  assert_string_equal(grading_source_label(&g), "Untested");
  assert_string_equal(grading_intelligence_label(&g), "Known directly to the source");
  g = graded("{\"source_evaluation\":\"1\",\"intelligence_assessment\":\"C\",\"handling_code\":\"P\"}");
  assert_string_equal(grading_intelligence_label(&g), "Known indirectly to the source");
  g = graded("{\"source_evaluation\":\"1\",\"intelligence_assessment\":\"D\",\"handling_code\":\"P\"}");
  assert_string_equal(grading_intelligence_label(&g), "Not known");

  /* Conditions: required with C, refused with P. */
  grading_refused("{\"source_evaluation\":\"1\",\"intelligence_assessment\":\"B\",\"handling_code\":\"C\"}",
                  FIELDS("handling_conditions"));
  grading_refused("{\"source_evaluation\":\"1\",\"intelligence_assessment\":\"B\",\"handling_code\":\"C\","
                  "\"handling_conditions\":\"  \"}",
                  FIELDS("handling_conditions"));
  grading_refused("{\"source_evaluation\":\"1\",\"intelligence_assessment\":\"B\",\"handling_code\":\"P\","
                  "\"handling_conditions\":\"Police only\"}",
                  FIELDS("handling_conditions"));
  grading_refused("{\"source_evaluation\":\"1\",\"intelligence_assessment\":\"B\",\"handling_code\":\"C\","
                  "\"handling_conditions\":5}",
                  FIELDS("handling_conditions"));
  /* Codes from the other scheme, lower case, or out of range. */
  grading_refused("{\"source_evaluation\":\"A\",\"intelligence_assessment\":\"1\",\"handling_code\":\"4\"}",
                  FIELDS("source_evaluation", "intelligence_assessment", "handling_code"));
  grading_refused("{\"source_evaluation\":\"4\",\"intelligence_assessment\":\"F\",\"handling_code\":\"p\"}",
                  FIELDS("source_evaluation", "intelligence_assessment", "handling_code"));
  grading_refused("{\"source_evaluation\":\"0\",\"intelligence_assessment\":\"b\",\"handling_code\":\"PC\"}",
                  FIELDS("source_evaluation", "intelligence_assessment", "handling_code"));
  grading_refused("{\"source_evaluation\":1,\"intelligence_assessment\":\"\",\"handling_code\":null}",
                  FIELDS("source_evaluation", "intelligence_assessment", "handling_code"));
  grading_refused("{}", FIELDS("source_evaluation", "intelligence_assessment", "handling_code"));
  grading_refused("{\"grading\":\"4x4\",\"source_evaluation\":\"1\",\"intelligence_assessment\":\"B\",\"handling_code\":\"P\"}",
                  FIELDS("grading"));
  grading_refused("{\"grading\":\"3X5X2\",\"handling_code\":\"P\"}",
                  FIELDS("grading", "source_evaluation", "intelligence_assessment"));
  grading_refused("[]", FIELDS("request"));
}

static void test_grading_5x5x5(void **state) {
  (void)state;
  struct grading g = graded("{\"grading\":\"5x5x5\",\"source_evaluation\":\"B\",\"intelligence_assessment\":\"2\","
                            "\"handling_code\":\"4\",\"handling_conditions\":\"Within the force only\"}");
  assert_int_equal(g.scheme, GRADING_5X5X5);
  assert_string_equal(code_of(&g), "B2 4");
  assert_true(grading_has_conditions(&g));
  assert_string_equal(grading_source_label(&g), "Mostly reliable");
  assert_string_equal(grading_intelligence_label(&g), "Known personally to the source but not to the officer");
  assert_string_equal(grading_handling_label(&g), "May be disseminated within the originating agency only");
  g = graded("{\"grading\":\"5x5x5\",\"source_evaluation\":\"E\",\"intelligence_assessment\":\"5\",\"handling_code\":\"5\","
             "\"handling_conditions\":\"Refer to the originator\"}");
  assert_string_equal(code_of(&g), "E5 5");
  assert_true(grading_has_conditions(&g));
  assert_string_equal(grading_source_label(&g), "Untested");
  assert_string_equal(grading_intelligence_label(&g), "Suspected to be false");
  assert_string_equal(grading_handling_label(&g), "No further dissemination: refer to the originator (special handling)");
  static const char *const sources[] = {"Always reliable", "Mostly reliable", "Sometimes reliable", "Unreliable", "Untested"};
  static const char *const intel[] = {"Known to be true without reservation",
                                      "Known personally to the source but not to the officer",
                                      "Not personally known to the source but corroborated", "Cannot be judged",
                                      "Suspected to be false"};
  static const char *const handling[] = {"May be disseminated to other law enforcement and prosecuting agencies",
                                         "May be disseminated to UK non-prosecuting parties",
                                         "May be disseminated to non-EU law enforcement agencies"};
  char text[300];
  for (int i = 0; i < 5; i++) {
    /* Handling 1-3 carry no conditions, and refuse them. */
    int h = i % 3 + 1;
    snprintf(text, sizeof text, "{\"grading\":\"5x5x5\",\"source_evaluation\":\"%c\",\"intelligence_assessment\":\"%d\","
             "\"handling_code\":\"%d\"}", 'A' + i, i + 1, h);
    g = graded(text);
    assert_false(grading_has_conditions(&g));
    assert_string_equal(grading_source_label(&g), sources[i]);
    assert_string_equal(grading_intelligence_label(&g), intel[i]);
    assert_string_equal(grading_handling_label(&g), handling[h - 1]);
    snprintf(text, sizeof text, "{\"grading\":\"5x5x5\",\"source_evaluation\":\"A\",\"intelligence_assessment\":\"1\","
             "\"handling_code\":\"%d\",\"handling_conditions\":\"x\"}", h);
    grading_refused(text, FIELDS("handling_conditions"));
  }
  grading_refused("{\"grading\":\"5x5x5\",\"source_evaluation\":\"A\",\"intelligence_assessment\":\"1\",\"handling_code\":\"4\"}",
                  FIELDS("handling_conditions"));
  grading_refused("{\"grading\":\"5x5x5\",\"source_evaluation\":\"A\",\"intelligence_assessment\":\"1\",\"handling_code\":\"5\","
                  "\"handling_conditions\":\"\"}",
                  FIELDS("handling_conditions"));
  grading_refused("{\"grading\":\"5x5x5\",\"source_evaluation\":\"1\",\"intelligence_assessment\":\"B\",\"handling_code\":\"P\"}",
                  FIELDS("source_evaluation", "intelligence_assessment", "handling_code"));
  grading_refused("{\"grading\":\"5x5x5\",\"source_evaluation\":\"F\",\"intelligence_assessment\":\"6\",\"handling_code\":\"0\"}",
                  FIELDS("source_evaluation", "intelligence_assessment", "handling_code"));
}

static void test_grading_labels_unknown(void **state) {
  (void)state;
  struct grading g = {GRADING_3X5X2, "9", "Z", "Q"};
  assert_string_equal(grading_source_label(&g), "Not a recognised grade");
  assert_string_equal(grading_intelligence_label(&g), "Not a recognised grade");
  assert_string_equal(grading_handling_label(&g), "Not a recognised grade");
  assert_false(grading_has_conditions(&g));
  struct grading c = {GRADING_3X5X2, "1", "A", "C"};
  char small[3];
  grading_code(&c, small, sizeof small);
  assert_string_equal(small, "1A"); /* cut short, still terminated */
  /* Every code of both schemes has its own words. */
  static const char *const s3[] = {"1", "2", "3"}, *const i3[] = {"A", "B", "C", "D", "E"};
  for (size_t i = 0; i < 3; i++) {
    for (size_t j = i + 1; j < 3; j++) {
      struct grading a = {GRADING_3X5X2, "", "", "P"}, b = a;
      memcpy(a.source, s3[i], 2);
      memcpy(b.source, s3[j], 2);
      assert_string_not_equal(grading_source_label(&a), grading_source_label(&b));
    }
  }
  for (size_t i = 0; i < 5; i++) {
    for (size_t j = i + 1; j < 5; j++) {
      struct grading a = {GRADING_3X5X2, "1", "", "P"}, b = a;
      memcpy(a.intelligence, i3[i], 2);
      memcpy(b.intelligence, i3[j], 2);
      assert_string_not_equal(grading_intelligence_label(&a), grading_intelligence_label(&b));
    }
  }
}

static void test_relations(void **state) {
  (void)state;
  static const char *const want[] = {"associates_with", "family_of", "drives", "owns", "uses", "contacted", "seen_at",
                                     "frequents", "lives_at", "works_at", "transported", "gave_gifts_to",
                                     "supplied_drugs_or_alcohol_to", "suspected_of_exploiting"};
  size_t n = 0;
  while (INTEL_RELATIONS[n]) n++;
  assert_int_equal(n, TU_COUNT(want));
  for (size_t i = 0; i < n; i++) {
    assert_string_equal(INTEL_RELATIONS[i], want[i]);
    assert_true(intel_relation_valid(want[i]));
    const char *label = intel_relation_label(want[i]);
    assert_true(label[0] != '\0');
    assert_null(strchr(label, '_')); /* plain words */
  }
  assert_string_equal(intel_relation_label("seen_at"), "was seen at");
  assert_string_equal(intel_relation_label("supplied_drugs_or_alcohol_to"), "supplied drugs or alcohol to");
  assert_string_equal(intel_relation_label("family_of"), "is family of");
  assert_string_equal(intel_relation_label("hugged"), "hugged");
  assert_false(intel_relation_valid("hugged"));
  assert_false(intel_relation_valid("Drives"));
  assert_false(intel_relation_valid(""));
  assert_false(intel_relation_valid(NULL));
}

/* Checks an intelligence body against INTEL_FIELDS: NULL FIELDS means it must pass. */
static void intel_body(const char *text, const char *const *fields) {
  json_t *in = tu_json(text);
  struct field_errors errs;
  ferr_init(&errs);
  bool ok = fields_check(in, INTEL_FIELDS, NULL, false, &errs);
  if (!fields) {
    if (!ok) fail_msg("refused %s: %s", text, json_dumps(errs.fields, JSON_COMPACT));
  } else {
    assert_false(ok);
    tu_names_exactly(&errs, fields);
  }
  ferr_free(&errs);
  json_decref(in);
}

#define GRADE "\"source_evaluation\":\"1\",\"intelligence_assessment\":\"B\",\"handling_code\":\"P\""

static void test_intel_fields(void **state) {
  (void)state;
  intel_body("{\"summary\":\"Seen together\\nat the takeaway\"," GRADE "}", NULL);
  intel_body("{\"summary\":\"s\",\"grading\":\"5x5x5\",\"source_evaluation\":\"B\",\"intelligence_assessment\":\"2\","
             "\"handling_code\":\"4\",\"handling_conditions\":\"Force only\\nno copies\",\"occurred_at\":\"2026-01-02\","
             "\"links\":[{\"from\":\"en_abc\",\"to\":\"ch_def\",\"relation\":\"transported\"}]}",
             NULL);
  intel_body("{\"summary\":\"s\",\"occurred_at\":\"2026-01-02T21:30:00Z\",\"links\":[]," GRADE "}", NULL);
  intel_body("{\"summary\":\"s\",\"grading\":null,\"handling_conditions\":null,\"occurred_at\":null,\"links\":null," GRADE "}",
             NULL);
  intel_body("{" GRADE "}", FIELDS("summary"));
  intel_body("{\"summary\":\"  \"," GRADE "}", FIELDS("summary"));
  intel_body("{\"summary\":\"s\"}", FIELDS("source_evaluation", "intelligence_assessment", "handling_code"));
  intel_body("{\"summary\":\"s\",\"author\":\"me\"," GRADE "}", FIELDS("author"));
  intel_body("{\"summary\":\"s\",\"grading\":\"3x5x3\"," GRADE "}", FIELDS("grading"));
  intel_body("{\"summary\":\"s\",\"occurred_at\":\"yesterday\"," GRADE "}", FIELDS("occurred_at"));
  intel_body("{\"summary\":\"s\",\"occurred_at\":\"2026-01-02T21:30:00\"," GRADE "}", FIELDS("occurred_at"));
  intel_body("{\"summary\":\"s\",\"links\":[{\"from\":\"en_a\",\"to\":\"en_b\"}]," GRADE "}", FIELDS("links[0].relation"));
  intel_body("{\"summary\":\"s\",\"links\":[{\"from\":\"en_a\",\"to\":\"en_b\",\"relation\":\"knows\"}]," GRADE "}",
             FIELDS("links[0].relation"));
  intel_body("{\"summary\":\"s\",\"links\":[{\"from\":\"en a\",\"to\":\"\",\"relation\":\"uses\"}]," GRADE "}",
             FIELDS("links[0].from", "links[0].to"));
  intel_body("{\"summary\":\"s\",\"links\":[{\"from\":\"en_a\",\"to\":\"en_b\",\"relation\":\"uses\",\"x\":1}]," GRADE "}",
             FIELDS("links[0].x"));
  intel_body("{\"summary\":\"s\",\"links\":{\"from\":\"en_a\"}," GRADE "}", FIELDS("links"));

  /* Summary: 8000 bytes pass, 8001 do not. */
  size_t cap = INTEL_SUMMARY_MAX + 200;
  char *summary = malloc(INTEL_SUMMARY_MAX + 2);
  char *text = malloc(cap);
  memset(summary, 'x', INTEL_SUMMARY_MAX);
  summary[INTEL_SUMMARY_MAX] = '\0';
  snprintf(text, cap, "{\"summary\":\"%s\"," GRADE "}", summary);
  intel_body(text, NULL);
  strcat(summary, "x");
  snprintf(text, cap, "{\"summary\":\"%s\"," GRADE "}", summary);
  intel_body(text, FIELDS("summary"));
  free(summary);
  free(text);

  /* Links: at most INTEL_LINKS_MAX. */
  json_t *body = tu_json("{\"summary\":\"s\"," GRADE "}");
  json_t *links = json_array();
  for (int i = 0; i < INTEL_LINKS_MAX; i++) {
    json_array_append_new(links, json_pack("{s:s, s:s, s:s}", "from", "en_a", "to", "en_b", "relation", "uses"));
  }
  json_object_set(body, "links", links);
  struct field_errors errs;
  ferr_init(&errs);
  assert_true(fields_check(body, INTEL_FIELDS, NULL, false, &errs));
  json_array_append_new(links, json_pack("{s:s, s:s, s:s}", "from", "en_a", "to", "en_b", "relation", "uses"));
  assert_false(fields_check(body, INTEL_FIELDS, NULL, false, &errs));
  assert_non_null(ferr_get(&errs, "links"));
  ferr_free(&errs);
  json_decref(links);
  json_decref(body);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_types),
      cmocka_unit_test(test_person_required),
      cmocka_unit_test(test_person_names),
      cmocka_unit_test(test_unknown_fields),
      cmocka_unit_test(test_ethnicity_codes),
      cmocka_unit_test(test_nationality),
      cmocka_unit_test(test_person_dates_and_details),
      cmocka_unit_test(test_vehicle),
      cmocka_unit_test(test_phone),
      cmocka_unit_test(test_location),
      cmocka_unit_test(test_account),
      cmocka_unit_test(test_key_and_label_bounds),
      cmocka_unit_test(test_grading_3x5x2),
      cmocka_unit_test(test_grading_5x5x5),
      cmocka_unit_test(test_grading_labels_unknown),
      cmocka_unit_test(test_relations),
      cmocka_unit_test(test_intel_fields),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
