/*
** Unit tests for the strict CSV reader (util/csv.h): quoting with embedded
** commas, quotes and line breaks, CRLF and lone CR, the UTF-8 byte-order
** mark, other encodings refused, ragged rows, invalid UTF-8, stray quotes,
** unterminated quotes and the line each record starts on.
*/
#include "testutil.h"

#include "util/csv.h"

/* Reads the next record of R, which must be well-formed with the N given fields. */
static void row_is(struct csv_reader *r, unsigned long line, int n, ...) {
  int st = csv_next(r);
  if (st != CSV_ROW) fail_msg("expected a row at line %lu, got %d (%s)", line, st, r->why);
  assert_int_equal(r->row_line, line);
  assert_int_equal(r->nfields, n);
  va_list ap;
  va_start(ap, n);
  for (int i = 0; i < n; i++) {
    const char *want = va_arg(ap, const char *);
    if (strcmp(csv_field(r, i), want) != 0) fail_msg("field %d = '%s', want '%s'", i, csv_field(r, i), want);
    assert_int_equal(csv_field_len(r, i), strlen(want));
  }
  va_end(ap);
}

/* Reads the next record of R, which must be bad, starting on LINE, for a reason containing WHY. */
static void bad_is(struct csv_reader *r, unsigned long line, const char *why) {
  int st = csv_next(r);
  if (st != CSV_BAD) fail_msg("expected a bad record at line %lu, got %d", line, st);
  assert_int_equal(r->row_line, line);
  if (!strstr(r->why, why)) fail_msg("reason '%s' lacks '%s'", r->why, why);
  assert_int_equal(r->nfields, 0);
}

/* Plain fields, quoted fields with commas, doubled quotes and line breaks. */
static void test_quotes(void **state) {
  (void)state;
  static const char in[] = "id,name,note\n"
                           "1,\"Smith, John\",\"said \"\"hi\"\"\"\n"
                           "2,\"two\nlines\",\n"
                           "3,,\"\"\n";
  struct csv_reader r;
  csv_init(&r, in, strlen(in));
  row_is(&r, 1, 3, "id", "name", "note");
  r.expect = 3;
  row_is(&r, 2, 3, "1", "Smith, John", "said \"hi\"");
  row_is(&r, 3, 3, "2", "two\nlines", "");
  row_is(&r, 5, 3, "3", "", "");
  assert_int_equal(csv_next(&r), CSV_EOF);
  assert_int_equal(csv_next(&r), CSV_EOF);
  csv_free(&r);
}

/* CRLF, a lone CR, blank lines, no final line break, a byte-order mark. */
static void test_line_endings_and_bom(void **state) {
  (void)state;
  static const char in[] = "\xef\xbb\xbf" "a,b\r\n1,2\r\n\r\n3,\"x\r\ny\"\r4,5";
  struct csv_reader r;
  csv_init(&r, in, strlen(in));
  row_is(&r, 1, 2, "a", "b");
  row_is(&r, 2, 2, "1", "2");
  row_is(&r, 4, 2, "3", "x\r\ny");
  row_is(&r, 6, 2, "4", "5");
  assert_int_equal(csv_next(&r), CSV_EOF);
  csv_free(&r);
}

/* A trailing separator gives an empty last field, also at the very end. */
static void test_trailing_separator(void **state) {
  (void)state;
  static const char in[] = "a,b,\nc,d,";
  struct csv_reader r;
  csv_init(&r, in, strlen(in));
  row_is(&r, 1, 3, "a", "b", "");
  row_is(&r, 2, 3, "c", "d", "");
  assert_int_equal(csv_next(&r), CSV_EOF);
  csv_free(&r);
}

/* Ragged rows, invalid UTF-8 and stray quotes are reported and skipped; reading goes on. */
static void test_bad_records(void **state) {
  (void)state;
  static const char in[] = "a,b\n"
                           "1\n"
                           "1,2,3\n"
                           "caf\xe9,x\n"
                           "ab\"c,d\n"
                           "\"ab\"c,d\n"
                           "ok,\"fine\"\n"
                           "\xc0\xaf,overlong\n"
                           "nul\x01,ok\n";
  struct csv_reader r;
  csv_init(&r, in, sizeof in - 1);
  row_is(&r, 1, 2, "a", "b");
  r.expect = 2;
  bad_is(&r, 2, "ragged row: 1 field where the header has 2");
  bad_is(&r, 3, "ragged row: 3 fields");
  bad_is(&r, 4, "not valid UTF-8");
  bad_is(&r, 5, "quote inside an unquoted field");
  bad_is(&r, 6, "text after a closing quote");
  row_is(&r, 7, 2, "ok", "fine");
  bad_is(&r, 8, "not valid UTF-8");
  row_is(&r, 9, 2, "nul\x01", "ok");
  assert_int_equal(csv_next(&r), CSV_EOF);
  csv_free(&r);
}

/* A quote never closed consumes the rest and is reported with the line it opened on. */
static void test_unterminated_quote(void **state) {
  (void)state;
  static const char in[] = "a,b\n1,\"open\n2,3\n";
  struct csv_reader r;
  csv_init(&r, in, strlen(in));
  row_is(&r, 1, 2, "a", "b");
  bad_is(&r, 2, "opened on line 2 is never closed");
  assert_int_equal(csv_next(&r), CSV_EOF);
  csv_free(&r);
}

/* UTF-16 and UTF-32 byte-order marks, and NUL bytes, refuse the whole input. */
static void test_other_encodings(void **state) {
  (void)state;
  static const char u16le[] = "\xff\xfei\0d\0\n\0";
  static const char u16be[] = "\xfe\xff\0i\0d";
  static const char u32[] = "\xff\xfe\0\0i\0\0\0";
  static const char nul[] = "i\0d\0,\0n\0";
  const struct {
    const char *data;
    size_t len;
    const char *why;
  } cases[] = {{u16le, sizeof u16le - 1, "UTF-16"},
               {u16be, sizeof u16be - 1, "UTF-16"},
               {u32, sizeof u32 - 1, "UTF-32"},
               {nul, sizeof nul - 1, "NUL bytes"}};
  for (size_t i = 0; i < TU_COUNT(cases); i++) {
    struct csv_reader r;
    csv_init(&r, cases[i].data, cases[i].len);
    assert_int_equal(csv_next(&r), CSV_FATAL);
    assert_non_null(strstr(r.why, cases[i].why));
    assert_int_equal(csv_next(&r), CSV_FATAL);
    csv_free(&r);
  }
}

/* An empty input has no records; fields out of range read as empty. */
static void test_empty(void **state) {
  (void)state;
  struct csv_reader r;
  csv_init(&r, "", 0);
  assert_int_equal(csv_next(&r), CSV_EOF);
  assert_string_equal(csv_field(&r, 0), "");
  assert_string_equal(csv_field(&r, -1), "");
  assert_int_equal(csv_field_len(&r, 5), 0);
  csv_free(&r);
  csv_init(&r, "\n\r\n\n", 4);
  assert_int_equal(csv_next(&r), CSV_EOF);
  csv_free(&r);
}

/* Too many fields or too long a record is refused rather than grown without bound. */
static void test_limits(void **state) {
  (void)state;
  char *many = malloc(CSV_MAX_FIELDS * 2 + 8);
  size_t n = 0;
  for (int i = 0; i < CSV_MAX_FIELDS + 1; i++) {
    many[n++] = 'x';
    many[n++] = ',';
  }
  many[n - 1] = '\n';
  struct csv_reader r;
  csv_init(&r, many, n);
  bad_is(&r, 1, "more than 256 fields");
  csv_free(&r);
  free(many);
  size_t big = CSV_MAX_RECORD + 10;
  char *longrec = malloc(big);
  memset(longrec, 'a', big);
  longrec[big - 1] = '\n';
  csv_init(&r, longrec, big);
  bad_is(&r, 1, "longer than 1 MiB");
  assert_int_equal(csv_next(&r), CSV_EOF);
  csv_free(&r);
  free(longrec);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_quotes),         cmocka_unit_test(test_line_endings_and_bom),
      cmocka_unit_test(test_trailing_separator), cmocka_unit_test(test_bad_records),
      cmocka_unit_test(test_unterminated_quote), cmocka_unit_test(test_other_encodings),
      cmocka_unit_test(test_empty),          cmocka_unit_test(test_limits),
  };
  return cmocka_run_group_tests_name("match_csv", tests, NULL, NULL);
}
