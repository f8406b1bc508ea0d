/*
** Unit tests for the small foundations: the growable buffer (util/buf),
** the allocation wrappers (util/xalloc), the code lists (core/codes), the
** role names (access/roles) and the table of files compiled into the binary
** (util/embedded).
*/
#include "testutil.h"

#include "access/roles.h"
#include "core/codes.h"
#include "util/buf.h"
#include "util/embedded.h"
#include "util/xalloc.h"

/* Appending bytes, strings, characters and formatted text, always NUL-terminated. */
static void test_buf_append(void **state) {
  (void)state;
  struct buf b = BUF_INIT;
  assert_string_equal(buf_cstr(&b), ""); /* an empty buffer is an empty string */
  buf_puts(&b, "abc");
  buf_putc(&b, '-');
  buf_append(&b, "xyz\0hidden", 3);
  buf_printf(&b, "[%d|%s|%05.1f]", -12, "s", 3.14159);
  assert_string_equal(buf_cstr(&b), "abc-xyz[-12|s|003.1]");
  assert_int_equal(b.len, strlen("abc-xyz[-12|s|003.1]"));
  /* Embedded NUL bytes are kept and counted. */
  buf_append(&b, "\0!", 2);
  assert_int_equal(b.len, strlen("abc-xyz[-12|s|003.1]") + 2);
  assert_int_equal(b.data[b.len], '\0');
  buf_append(&b, "", 0);
  assert_int_equal(b.data[b.len], '\0');
  buf_free(&b);
  assert_null(b.data);
  assert_int_equal(b.len, 0);
}

/* Growth keeps the contents; reset empties but keeps the storage; steal hands it over. */
static void test_buf_growth_reset_steal(void **state) {
  (void)state;
  struct buf b;
  buf_init(&b);
  for (int i = 0; i < 10000; i++) buf_printf(&b, "%04d", i % 10000);
  assert_int_equal(b.len, 40000);
  assert_true(b.cap > b.len);
  assert_memory_equal(b.data, "000000010002", 12);
  assert_memory_equal(b.data + 39996, "9999", 4);
  size_t cap = b.cap;
  char *storage = b.data;
  buf_reset(&b);
  assert_int_equal(b.len, 0);
  assert_string_equal(buf_cstr(&b), "");
  assert_int_equal(b.cap, cap);
  assert_ptr_equal(b.data, storage);
  buf_puts(&b, "kept");
  char *s = buf_steal(&b);
  assert_string_equal(s, "kept");
  assert_null(b.data);
  assert_int_equal(b.len, 0);
  free(s);
  /* Stealing from an empty buffer gives an empty string, not NULL. */
  s = buf_steal(&b);
  assert_non_null(s);
  assert_string_equal(s, "");
  free(s);
  /* Reserving makes room without changing the contents. */
  buf_puts(&b, "x");
  buf_reserve(&b, 1000);
  assert_true(b.cap >= 1002);
  assert_string_equal(buf_cstr(&b), "x");
  buf_reset(&b);
  buf_free(&b);
  /* Resetting a never-used buffer is harmless. */
  buf_reset(&b);
  assert_int_equal(b.len, 0);
}

/* Formatted output longer than any internal guess is written whole. */
static void test_buf_long_printf(void **state) {
  (void)state;
  struct buf b = BUF_INIT;
  char big[3000];
  memset(big, 'q', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  buf_puts(&b, ">");
  buf_printf(&b, "%s|%s", big, big);
  assert_int_equal(b.len, 1 + 2 * (sizeof big - 1) + 1);
  assert_int_equal(b.data[1 + sizeof big - 1], '|');
  buf_free(&b);
}

/* xstrdup, xstrndup and xasprintf copy exactly; zero-size allocations still give memory. */
/* JSON strings are escaped exactly as jansson escapes them, for every byte value and for UTF-8 text. */
static void test_buf_json_string(void **state) {
  (void)state;
  char s[256];
  int n = 0;
  for (int c = 1; c < 256; c++) {
    if (c >= 0x80) break; /* single bytes only up to ASCII; UTF-8 text below */
    s[n++] = (char)c;
  }
  s[n] = '\0';
  const char *cases[] = {"", "plain", s, "quote \" backslash \\ slash /", "Zo\xc3\xab \xe2\x80\xa8 \xf0\x9f\x98\x80",
                         "\x01\x1f\x7f end", "\n\r\t\b\f"};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    struct buf b = BUF_INIT;
    buf_json_string(&b, cases[i]);
    json_t *str = json_string(cases[i]);
    assert_non_null(str);
    char *want = json_dumps(str, JSON_ENCODE_ANY);
    assert_string_equal(buf_cstr(&b), want);
    free(want);
    json_decref(str);
    buf_free(&b);
  }
}

static void test_xalloc(void **state) {
  (void)state;
  assert_null(xstrdup(NULL));
  char *s = xstrdup("Zo\xc3\xab");
  assert_string_equal(s, "Zo\xc3\xab");
  free(s);
  s = xstrndup("abcdef", 3);
  assert_string_equal(s, "abc");
  free(s);
  s = xstrndup("ab", 10);
  assert_string_equal(s, "ab");
  free(s);
  s = xasprintf("%s-%d-%05.2f", "x", 42, 1.5);
  assert_string_equal(s, "x-42-01.50");
  free(s);
  void *p = xmalloc(0);
  assert_non_null(p);
  free(p);
  int *z = xcalloc(16, sizeof *z);
  for (int i = 0; i < 16; i++) assert_int_equal(z[i], 0);
  z = xrealloc(z, 1000 * sizeof *z);
  assert_int_equal(z[15], 0); /* the old contents survive */
  free(z);
}

/* Code lists: labels for known codes, NULL for unknown, case-sensitive. */
static void test_codes(void **state) {
  (void)state;
  assert_string_equal(code_label(ETHNICITY_CODES, "WBRI"), "White British");
  assert_string_equal(code_label(ETHNICITY_CODES, "NOBT"), "Information not yet obtained");
  assert_string_equal(code_label(ETHNICITY_CODES, "REFU"), "Refused");
  assert_null(code_label(ETHNICITY_CODES, "wbri"));
  assert_null(code_label(ETHNICITY_CODES, ""));
  assert_null(code_label(ETHNICITY_CODES, NULL));
  assert_false(code_valid(ETHNICITY_CODES, NULL));
  /* The census list: 18 codes plus NOBT and REFU. */
  int n = 0;
  for (const struct code *c = ETHNICITY_CODES; c->code; c++) n++;
  assert_int_equal(n, 20);
  /* The contract's agency types, exactly. */
  static const char *const types[] = {"police", "social_care", "health", "education", "youth_justice",
                                      "voluntary", "housing", "other"};
  n = 0;
  for (const struct code *c = AGENCY_TYPES; c->code; c++) n++;
  assert_int_equal(n, (int)TU_COUNT(types));
  for (size_t i = 0; i < TU_COUNT(types); i++) assert_true(code_valid(AGENCY_TYPES, types[i]));
  assert_true(code_valid(GENDERS, "not_known"));
  assert_true(code_valid(LEGAL_STATUSES, "C2"));
  assert_true(code_valid(LEGAL_STATUSES, "V2"));
  assert_false(code_valid(LEGAL_STATUSES, "C9"));
  assert_true(code_valid(PLACEMENT_TYPES, "U4"));
  assert_true(code_valid(PLACEMENT_TYPES, "K2"));
  assert_false(code_valid(PLACEMENT_TYPES, "u4"));
  /* No list repeats a code. */
  const struct code *lists[] = {ETHNICITY_CODES, AGENCY_TYPES, GENDERS, LEGAL_STATUSES, PLACEMENT_TYPES};
  for (size_t l = 0; l < TU_COUNT(lists); l++) {
    for (const struct code *a = lists[l]; a->code; a++) {
      assert_non_null(a->label);
      for (const struct code *b = a + 1; b->code; b++) assert_string_not_equal(a->code, b->code);
    }
  }
}

/* Every role's name parses back to it; the contract's eleven names and nothing else. */
static void test_roles(void **state) {
  (void)state;
  static const char *const contract[] = {"referrer", "mash",    "social_worker", "cse_worker", "police", "analyst",
                                         "manager",  "director", "strategic",    "auditor",    "admin"};
  assert_int_equal(ROLE_COUNT, TU_COUNT(contract));
  for (int r = 0; r < ROLE_COUNT; r++) {
    enum role back;
    assert_string_equal(role_name((enum role)r), contract[r]);
    assert_true(role_parse(contract[r], &back));
    assert_int_equal(back, r);
  }
  enum role x = ROLE_ADMIN;
  assert_false(role_parse("Admin", &x));
  assert_false(role_parse("", &x));
  assert_false(role_parse("superuser", &x));
  assert_int_equal(x, ROLE_ADMIN);
  assert_string_equal(role_name(ROLE_COUNT), "unknown");
  assert_true(role_in(ROLE_MASH, ROLES_CASE));
  assert_false(role_in(ROLE_STRATEGIC, ROLES_CASE)); /* aggregate figures only */
  assert_false(role_in(ROLE_ADMIN, ROLES_CASE));     /* no case data */
  assert_true(role_in(ROLE_AUDITOR, ROLES_AUDIT_READERS));
}

/* The shipped files are compiled in, whole, and found by base name. */
static void test_embedded(void **state) {
  (void)state;
  const struct embedded_file *m = embedded_find("0001_platform.sql");
  assert_non_null(m);
  assert_int_equal(strlen(m->data), m->len);
  assert_non_null(strstr(m->data, "CREATE TABLE audit_log"));
  const struct embedded_file *h = embedded_find("bank-holidays.csv");
  assert_non_null(h);
  assert_memory_equal(h->data, "date,", 5);
  assert_null(embedded_find("no-such-file"));
  assert_null(embedded_find("migrations/0001_platform.sql"));
  int n = 0;
  for (const struct embedded_file *f = embedded_files; f->name; f++) n++;
  assert_true(n >= 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_buf_append),  cmocka_unit_test(test_buf_growth_reset_steal),
      cmocka_unit_test(test_buf_long_printf), cmocka_unit_test(test_buf_json_string),
      cmocka_unit_test(test_xalloc),
      cmocka_unit_test(test_codes),       cmocka_unit_test(test_roles),
      cmocka_unit_test(test_embedded),
  };
  return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
