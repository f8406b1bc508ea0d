/*
** Unit tests for core/fields, the allowlist every input passes through:
** unknown fields refused by name, types, required and blank, length limits
** in bytes, nullability, control characters, nested objects named
** "placement.type", arrays with per-item errors "aliases[1]", custom checks,
** partial (PATCH) checking, and the first-reason-wins error collection.
*/
#include "testutil.h"

#include "core/fields.h"

/* A custom check: the value must be a string of even length. */
static bool even_length(json_t *v, char *why, size_t n) {
  if (json_string_length(v) % 2 == 0) return true;
  snprintf(why, n, "must have an even number of characters");
  return false;
}

/* Counts calls of check_counted, to show checks run only on well-typed values. */
static int check_calls;

/* A check that accepts everything and counts its calls. */
static bool check_counted(json_t *v, char *why, size_t n) {
  (void)v;
  (void)why;
  (void)n;
  check_calls++;
  return true;
}

static const struct field_spec SUB[] = {
    {"type", F_STRING, F_REQUIRED, 4, NULL, NULL},
    {"count", F_INT, F_NULLABLE, 0, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static const struct field_spec SPEC[] = {
    {"name", F_STRING, F_REQUIRED, 10, NULL, NULL},
    {"note", F_STRING, F_NULLABLE | F_MULTILINE, 50, NULL, NULL},
    {"flag", F_BOOL, 0, 0, NULL, NULL},
    {"n", F_INT, 0, 0, NULL, NULL},
    {"p", F_NUMBER, F_NULLABLE, 0, NULL, NULL},
    {"aliases", F_STRINGS, 0, 3, NULL, NULL},
    {"placement", F_OBJECT, F_NULLABLE, 0, NULL, SUB},
    {"items", F_OBJECTS, 0, 2, NULL, SUB},
    {"code", F_STRING, 0, 8, even_length, NULL},
    {"counted", F_STRING, 0, 0, check_counted, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

/* Runs fields_check on the JSON text; the errors are left in E (caller frees). */
static bool check(const char *text, bool partial, struct field_errors *e) {
  json_t *o = tu_json(text);
  ferr_init(e);
  bool ok = fields_check(o, SPEC, NULL, partial, e);
  json_decref(o);
  /* The verdict and the error list always agree. */
  assert_int_equal(ok, !ferr_any(e));
  return ok;
}

/* Asserts that FIELD's recorded reason is WHY. */
static void reason_is(struct field_errors *e, const char *field, const char *why) {
  const char *got = ferr_get(e, field);
  if (!got) {
    char *all = json_dumps(e->fields, JSON_COMPACT);
    fail_msg("no error for %s; errors: %s", field, all);
  }
  if (strcmp(got, why) != 0) fail_msg("%s: '%s', want '%s'", field, got, why);
}

/* Asserts E holds exactly N errors. */
static void error_count_is(struct field_errors *e, size_t n) {
  if (json_object_size(e->fields) != n) {
    char *all = json_dumps(e->fields, JSON_COMPACT);
    fail_msg("want %zu errors, got %s", n, all);
  }
}

/* A fully valid object passes with no errors. */
static void test_valid(void **state) {
  (void)state;
  struct field_errors e;
  assert_true(check("{\"name\":\"Amy\",\"note\":\"line 1\\nline 2\",\"flag\":true,\"n\":-3,"
                    "\"aliases\":[\"A\",\"B\",\"C\"],\"placement\":{\"type\":\"U4\",\"count\":null},"
                    "\"items\":[{\"type\":\"x\"},{\"type\":\"y\",\"count\":2}],\"code\":\"ab\"}",
                    false, &e));
  ferr_free(&e);
  assert_true(check("{\"name\":\"Amy\",\"note\":null,\"placement\":null}", false, &e));
  ferr_free(&e);
}

/* An undeclared field is refused by its own name, and the others are still checked. */
static void test_unknown_field(void **state) {
  (void)state;
  struct field_errors e;
  assert_false(check("{\"name\":\"Amy\",\"colour\":\"red\",\"is_admin\":true}", false, &e));
  reason_is(&e, "colour", "is not a recognised field");
  reason_is(&e, "is_admin", "is not a recognised field");
  error_count_is(&e, 2);
  ferr_free(&e);
  assert_false(check("{\"name\":\"Amy\",\"placement\":{\"type\":\"U4\",\"extra\":1}}", false, &e));
  reason_is(&e, "placement.extra", "is not a recognised field");
  error_count_is(&e, 1);
  ferr_free(&e);
}

/* Each type refuses the others. */
static void test_wrong_types(void **state) {
  (void)state;
  struct field_errors e;
  assert_false(check("{\"name\":5,\"flag\":\"yes\",\"n\":1.5,\"aliases\":\"A\",\"placement\":\"U4\","
                     "\"items\":{\"type\":\"x\"},\"note\":[\"x\"]}",
                     false, &e));
  reason_is(&e, "name", "must be a string");
  reason_is(&e, "flag", "must be true or false");
  reason_is(&e, "n", "must be a whole number");
  reason_is(&e, "aliases", "must be a list of strings");
  reason_is(&e, "placement", "must be an object");
  reason_is(&e, "items", "must be a list of objects");
  reason_is(&e, "note", "must be a string");
  error_count_is(&e, 7);
  ferr_free(&e);
  assert_false(check("{\"name\":\"A\",\"n\":\"3\",\"flag\":1}", false, &e));
  reason_is(&e, "n", "must be a whole number");
  reason_is(&e, "flag", "must be true or false");
  ferr_free(&e);
  assert_false(check("{\"name\":true}", false, &e));
  reason_is(&e, "name", "must be a string");
  ferr_free(&e);
  /* A number may be whole or not; text that looks like one is still text. */
  assert_true(check("{\"name\":\"A\",\"p\":0.25}", false, &e));
  ferr_free(&e);
  assert_true(check("{\"name\":\"A\",\"p\":1}", false, &e));
  ferr_free(&e);
  assert_true(check("{\"name\":\"A\",\"p\":null}", false, &e));
  ferr_free(&e);
  assert_false(check("{\"name\":\"A\",\"p\":\"0.25\"}", false, &e));
  reason_is(&e, "p", "must be a number");
  error_count_is(&e, 1);
  ferr_free(&e);
}

/* Required fields must be present, not null and not blank; optional non-nullable ones must not be null. */
static void test_required_and_null(void **state) {
  (void)state;
  struct field_errors e;
  assert_false(check("{}", false, &e));
  reason_is(&e, "name", "is required");
  error_count_is(&e, 1);
  ferr_free(&e);
  assert_false(check("{\"name\":\"   \\t \"}", false, &e));
  reason_is(&e, "name", "is required");
  ferr_free(&e);
  assert_false(check("{\"name\":\"\"}", false, &e));
  reason_is(&e, "name", "is required");
  ferr_free(&e);
  assert_false(check("{\"name\":null}", false, &e));
  reason_is(&e, "name", "is required");
  error_count_is(&e, 1);
  ferr_free(&e);
  assert_false(check("{\"name\":\"A\",\"flag\":null,\"n\":null,\"aliases\":null}", false, &e));
  reason_is(&e, "flag", "must not be null");
  reason_is(&e, "n", "must not be null");
  reason_is(&e, "aliases", "must not be null");
  ferr_free(&e);
  /* Nullable fields take null. */
  assert_true(check("{\"name\":\"A\",\"note\":null,\"placement\":null}", false, &e));
  ferr_free(&e);
}

/* Limits count bytes, inclusive at the limit. */
static void test_max_len(void **state) {
  (void)state;
  struct field_errors e;
  assert_true(check("{\"name\":\"abcdefghij\"}", false, &e));
  ferr_free(&e);
  assert_false(check("{\"name\":\"abcdefghijk\"}", false, &e));
  reason_is(&e, "name", "must be at most 10 characters");
  ferr_free(&e);
  /* Five ë are ten bytes: accepted; six are twelve: refused. */
  assert_true(check("{\"name\":\"\\u00eb\\u00eb\\u00eb\\u00eb\\u00eb\"}", false, &e));
  ferr_free(&e);
  assert_false(check("{\"name\":\"\\u00eb\\u00eb\\u00eb\\u00eb\\u00eb\\u00eb\"}", false, &e));
  reason_is(&e, "name", "must be at most 10 characters");
  ferr_free(&e);
  /* Arrays: at most 3 items. */
  assert_false(check("{\"name\":\"A\",\"aliases\":[\"a\",\"b\",\"c\",\"d\"]}", false, &e));
  reason_is(&e, "aliases", "must have at most 3 items");
  ferr_free(&e);
  assert_false(check("{\"name\":\"A\",\"items\":[{\"type\":\"a\"},{\"type\":\"b\"},{\"type\":\"c\"}]}", false, &e));
  reason_is(&e, "items", "must have at most 2 items");
  ferr_free(&e);
  /* An alias longer than 200 bytes is refused by position. */
  char big[400];
  memset(big, 0, sizeof big);
  strcpy(big, "{\"name\":\"A\",\"aliases\":[\"ok\",\"");
  size_t at = strlen(big);
  memset(big + at, 'x', 201);
  strcpy(big + at + 201, "\"]}");
  assert_false(check(big, false, &e));
  reason_is(&e, "aliases[1]", "must be at most 200 characters");
  ferr_free(&e);
}

/* Control characters and NUL are refused; newlines only in multi-line fields. */
static void test_control_characters(void **state) {
  (void)state;
  struct field_errors e;
  assert_false(check("{\"name\":\"a\\u0001b\"}", false, &e));
  reason_is(&e, "name", "must not contain control characters");
  ferr_free(&e);
  assert_false(check("{\"name\":\"a\\nb\"}", false, &e));
  reason_is(&e, "name", "must not contain control characters");
  ferr_free(&e);
  /* The API's parser refuses \u0000, but a NUL inside a string must not slip past here either. */
  json_t *o = json_object();
  json_object_set_new(o, "name", json_stringn("a\0b", 3));
  ferr_init(&e);
  assert_false(fields_check(o, SPEC, NULL, false, &e));
  reason_is(&e, "name", "must not contain control characters");
  json_decref(o);
  ferr_free(&e);
  assert_false(check("{\"name\":\"a\\u007f\"}", false, &e));
  reason_is(&e, "name", "must not contain control characters");
  ferr_free(&e);
  assert_true(check("{\"name\":\"a\\tb\",\"note\":\"one\\r\\ntwo\"}", false, &e));
  ferr_free(&e);
  assert_false(check("{\"name\":\"a\",\"note\":\"bell\\u0007\"}", false, &e));
  reason_is(&e, "note", "must not contain control characters");
  ferr_free(&e);
}

/* Nested objects report their fields under a dotted path. */
static void test_nested_paths(void **state) {
  (void)state;
  struct field_errors e;
  assert_false(check("{\"name\":\"A\",\"placement\":{\"type\":\"toolong\"}}", false, &e));
  reason_is(&e, "placement.type", "must be at most 4 characters");
  error_count_is(&e, 1);
  ferr_free(&e);
  assert_false(check("{\"name\":\"A\",\"placement\":{\"count\":1}}", false, &e));
  reason_is(&e, "placement.type", "is required");
  ferr_free(&e);
  assert_false(check("{\"name\":\"A\",\"placement\":{\"type\":\"U4\",\"count\":\"two\"}}", false, &e));
  reason_is(&e, "placement.count", "must be a whole number");
  ferr_free(&e);
  /* With a caller's prefix the whole object is named under it. */
  json_t *o = tu_json("{\"type\":5,\"bogus\":1}");
  ferr_init(&e);
  assert_false(fields_check(o, SUB, "child.placement", false, &e));
  reason_is(&e, "child.placement.type", "must be a string");
  reason_is(&e, "child.placement.bogus", "is not a recognised field");
  json_decref(o);
  ferr_free(&e);
}

/* Arrays name each bad item by index, all of them at once. */
static void test_array_items(void **state) {
  (void)state;
  struct field_errors e;
  assert_false(check("{\"name\":\"A\",\"aliases\":[\"ok\",5,\"  \",\"x\\u0002\"]}", false, &e));
  reason_is(&e, "aliases", "must have at most 3 items");
  ferr_free(&e);
  assert_false(check("{\"name\":\"A\",\"aliases\":[\"ok\",5,\"  \"]}", false, &e));
  reason_is(&e, "aliases[1]", "must be a string");
  reason_is(&e, "aliases[2]", "is required");
  assert_null(ferr_get(&e, "aliases[0]"));
  error_count_is(&e, 2);
  ferr_free(&e);
  assert_false(check("{\"name\":\"A\",\"aliases\":[null]}", false, &e));
  reason_is(&e, "aliases[0]", "must be a string");
  ferr_free(&e);
  assert_false(check("{\"name\":\"A\",\"items\":[{\"type\":\"toolong\"},\"x\"]}", false, &e));
  reason_is(&e, "items[0].type", "must be at most 4 characters");
  reason_is(&e, "items[1]", "must be an object");
  ferr_free(&e);
  /* Items of a list of objects are checked in full even in a partial check. */
  assert_false(check("{\"items\":[{\"count\":1}]}", true, &e));
  reason_is(&e, "items[0].type", "is required");
  ferr_free(&e);
  assert_true(check("{\"name\":\"A\",\"aliases\":[]}", false, &e));
  ferr_free(&e);
}

/* A custom check runs after the type check and supplies its own reason. */
static void test_custom_check(void **state) {
  (void)state;
  struct field_errors e;
  assert_true(check("{\"name\":\"A\",\"code\":\"abcd\"}", false, &e));
  ferr_free(&e);
  assert_false(check("{\"name\":\"A\",\"code\":\"abc\"}", false, &e));
  reason_is(&e, "code", "must have an even number of characters");
  ferr_free(&e);
  /* Too long is reported, not the custom reason. */
  assert_false(check("{\"name\":\"A\",\"code\":\"abcdefghi\"}", false, &e));
  reason_is(&e, "code", "must be at most 8 characters");
  ferr_free(&e);
  check_calls = 0;
  assert_false(check("{\"name\":\"A\",\"counted\":7}", false, &e));
  assert_int_equal(check_calls, 0);
  ferr_free(&e);
  assert_true(check("{\"name\":\"A\",\"counted\":\"x\"}", false, &e));
  assert_int_equal(check_calls, 1);
  ferr_free(&e);
}

/* A partial check (PATCH) does not demand absent required fields but still checks those given. */
static void test_partial(void **state) {
  (void)state;
  struct field_errors e;
  assert_true(check("{}", true, &e));
  ferr_free(&e);
  assert_true(check("{\"flag\":false}", true, &e));
  ferr_free(&e);
  assert_false(check("{\"name\":\" \"}", true, &e));
  reason_is(&e, "name", "is required");
  ferr_free(&e);
  assert_false(check("{\"name\":null}", true, &e));
  reason_is(&e, "name", "is required");
  ferr_free(&e);
  assert_false(check("{\"nope\":1}", true, &e));
  reason_is(&e, "nope", "is not a recognised field");
  ferr_free(&e);
}

/* The first reason recorded for a field is kept; ferr_get of an unknown field is NULL. */
static void test_error_collection(void **state) {
  (void)state;
  struct field_errors e;
  ferr_init(&e);
  assert_false(ferr_any(&e));
  assert_null(ferr_get(&e, "x"));
  ferr_add(&e, "x", "first %d", 1);
  ferr_add(&e, "x", "second %d", 2);
  ferr_add(&e, "y", "%s", "other");
  assert_true(ferr_any(&e));
  reason_is(&e, "x", "first 1");
  reason_is(&e, "y", "other");
  error_count_is(&e, 2);
  ferr_free(&e);
  assert_null(e.fields);
}

/* Query-string allowlists. */
static void test_allowed_query(void **state) {
  (void)state;
  static const char *const names[] = {"q", "status", NULL};
  static const char *const none[] = {NULL};
  assert_true(fields_allowed_query(names, "q"));
  assert_true(fields_allowed_query(names, "status"));
  assert_false(fields_allowed_query(names, "Q"));
  assert_false(fields_allowed_query(names, "stat"));
  assert_false(fields_allowed_query(names, ""));
  assert_false(fields_allowed_query(none, "q"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_valid),          cmocka_unit_test(test_unknown_field),
      cmocka_unit_test(test_wrong_types),    cmocka_unit_test(test_required_and_null),
      cmocka_unit_test(test_max_len),        cmocka_unit_test(test_control_characters),
      cmocka_unit_test(test_nested_paths),   cmocka_unit_test(test_array_items),
      cmocka_unit_test(test_custom_check),   cmocka_unit_test(test_partial),
      cmocka_unit_test(test_error_collection), cmocka_unit_test(test_allowed_query),
  };
  return cmocka_run_group_tests_name("fields", tests, NULL, NULL);
}
