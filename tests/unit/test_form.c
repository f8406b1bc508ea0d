/*
** Unit tests for form_parse (http/request.c), the reader of
** application/x-www-form-urlencoded bodies: percent-decoding, '+' as a
** space, names given more than once becoming arrays, empty and valueless
** pairs, refusal of bad escapes, empty names and invalid UTF-8, and that
** only the given length is read.
*/
#include "testutil.h"

#include "http/request.h"

/* Parses the NUL-terminated BODY. */
static json_t *parse(const char *body) { return form_parse(body, strlen(body)); }

/* Asserts that form F has string field NAME equal to WANT. */
static void str_is(json_t *f, const char *name, const char *want) {
  json_t *v = json_object_get(f, name);
  if (!json_is_string(v)) fail_msg("%s is not a string", name);
  if (strcmp(json_string_value(v), want) != 0) fail_msg("%s = '%s', want '%s'", name, json_string_value(v), want);
}

/* Percent escapes of either case, '+' as space, escaped delimiters kept as data. */
static void test_decoding(void **state) {
  (void)state;
  json_t *f = parse("a=1&b=two+words&c=%C3%A9%c3%a9&d=%2B%26%3D%25&first+name=Zo%C3%AB&e=a%20b");
  assert_non_null(f);
  str_is(f, "a", "1");
  str_is(f, "b", "two words");
  str_is(f, "c", "\xc3\xa9\xc3\xa9");
  str_is(f, "d", "+&=%");
  str_is(f, "first name", "Zo\xc3\xab");
  str_is(f, "e", "a b");
  assert_int_equal(json_object_size(f), 6);
  json_decref(f);
  /* An escaped '=' or '&' in a name belongs to the name. */
  f = parse("a%3Db=1&c%26d=2&x==y");
  assert_non_null(f);
  str_is(f, "a=b", "1");
  str_is(f, "c&d", "2");
  str_is(f, "x", "=y");
  json_decref(f);
}

/* Valueless names, empty values and empty pairs. */
static void test_empty_parts(void **state) {
  (void)state;
  json_t *f = parse("");
  assert_non_null(f);
  assert_int_equal(json_object_size(f), 0);
  json_decref(f);
  f = parse("flag&a=&&b=2&");
  assert_non_null(f);
  str_is(f, "flag", "");
  str_is(f, "a", "");
  str_is(f, "b", "2");
  assert_int_equal(json_object_size(f), 3);
  json_decref(f);
  f = parse("&&&");
  assert_non_null(f);
  assert_int_equal(json_object_size(f), 0);
  json_decref(f);
}

/* A name given more than once becomes an array in the order given. */
static void test_repeated_names(void **state) {
  (void)state;
  json_t *f = parse("indicators=missing&x=1&indicators=older_adult&indicators=cars");
  assert_non_null(f);
  json_t *arr = json_object_get(f, "indicators");
  assert_true(json_is_array(arr));
  assert_int_equal(json_array_size(arr), 3);
  assert_string_equal(json_string_value(json_array_get(arr, 0)), "missing");
  assert_string_equal(json_string_value(json_array_get(arr, 1)), "older_adult");
  assert_string_equal(json_string_value(json_array_get(arr, 2)), "cars");
  str_is(f, "x", "1");
  json_decref(f);
  f = parse("a=&a=");
  assert_non_null(f);
  assert_int_equal(json_array_size(json_object_get(f, "a")), 2);
  json_decref(f);
}

/* Bad escapes, empty names and bytes that are not UTF-8 refuse the whole form. */
static void test_refusals(void **state) {
  (void)state;
  static const char *const bad[] = {
      "a=%",        "a=%4",       "a=%zz",       "a=%4g",      "a=%g4",     "%=1",
      "a%2=1",      "a=1&b=%",    "=v",          "a=1&=2",     "a=%FF",     "a=%C0%80",
      "a=%ED%A0%80", "%FF=1",     "a=%C3",       "a=\xff",     "a=%F4%90%80%80",
  };
  for (size_t i = 0; i < TU_COUNT(bad); i++) {
    json_t *f = parse(bad[i]);
    if (f) {
      char *s = json_dumps(f, JSON_COMPACT);
      fail_msg("accepted '%s' as %s", bad[i], s);
    }
  }
}

/* Only LEN bytes are read: the rest of the buffer is not part of the form. */
static void test_length_bound(void **state) {
  (void)state;
  const char body[] = "a=1&b=2";
  json_t *f = form_parse(body, 3);
  assert_non_null(f);
  str_is(f, "a", "1");
  assert_null(json_object_get(f, "b"));
  json_decref(f);
  /* An escape cut by the length is a bad escape, not a read past it. */
  f = form_parse("a=%41", 4);
  assert_null(f);
  f = form_parse("a=%41", 5);
  assert_non_null(f);
  str_is(f, "a", "A");
  json_decref(f);
  f = form_parse("ignored", 0);
  assert_non_null(f);
  assert_int_equal(json_object_size(f), 0);
  json_decref(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_decoding),       cmocka_unit_test(test_empty_parts),
      cmocka_unit_test(test_repeated_names), cmocka_unit_test(test_refusals),
      cmocka_unit_test(test_length_bound),
  };
  return cmocka_run_group_tests_name("form", tests, NULL, NULL);
}
