/*
** Unit tests for util/text: search-key folding of names and postcodes
** (accents, apostrophes, other scripts, truncation), token splitting,
** blankness, trimming, control characters and NULL-safe equality.
*/
#include "testutil.h"

#include "util/text.h"

/* Folds IN with a roomy buffer and checks the key and its returned length. */
static void fold_is(const char *in, const char *want) {
  char out[128];
  size_t n = text_fold_key(in, out, sizeof out);
  if (strcmp(out, want) != 0) fail_msg("fold('%s') = '%s', want '%s'", in, out, want);
  assert_int_equal(n, strlen(want));
}

/* Names as they are written meet the same key as plain spellings. */
static void test_fold_names(void **state) {
  (void)state;
  fold_is("Zo\xc3\xab", "zoe");                      /* Zoë */
  fold_is("ZO\xc3\x8b", "zoe");                      /* ZOË */
  fold_is("\xc3\x91" "u\xc3\xb1" "ez", "nunez");     /* Ñuñez */
  fold_is("O'Brien", "obrien");
  fold_is("O\xe2\x80\x99" "Brien", "obrien");        /* typographic apostrophe */
  fold_is("Jean-Luc", "jeanluc");
  fold_is("  Mary  Ann ", "maryann");
  fold_is("Ren\xc3\xa9" "e", "renee");               /* Renée */
  fold_is("Bj\xc3\xb6rk", "bjork");
  fold_is("Fran\xc3\xa7ois", "francois");
  fold_is("\xc3\x98ystein", "oystein");              /* Øystein */
  fold_is("Stra\xc3\x9f" "e", "strase");             /* ß folds to one s */
  fold_is("\xc3\x85" "sa", "asa");                   /* Åsa */
  fold_is("\xc3\x9d" "r", "yr");                     /* Ýr */
  fold_is("\xc3\xbf", "y");                          /* ÿ */
  /* Latin Extended-A: Polish, Czech, Turkish, Romanian and Hungarian names. */
  fold_is("\xc5\x81ukasz", "lukasz");                /* Łukasz */
  fold_is("Szyma\xc5\x84ska", "szymanska");          /* Szymańska */
  fold_is("Dvo\xc5\x99\xc3\xa1k", "dvorak");         /* Dvořák */
  fold_is("\xc5\xbb" "aneta", "zaneta");             /* Żaneta */
  fold_is("\xc5\xa0imon", "simon");                  /* Šimon */
  fold_is("\xc4\x8c" "apek", "capek");               /* Čapek */
  fold_is("Y\xc4\xb1lmaz", "yilmaz");                /* Yılmaz */
  fold_is("\xc4\xb0" "brahim", "ibrahim");           /* İbrahim */
  fold_is("\xc5\x9e" "tefan", "stefan");             /* Ştefan */
  fold_is("Erd\xc5\x91s", "erdos");                  /* Erdős */
  fold_is("\xc4\x80" "\xc4\x81" "\xc5\xbe" "\xc5\xbf", "aazs");
  /* Digits are kept; punctuation and spaces are not. */
  fold_is("S60 1AE", "s601ae");
  fold_is("s60-1ae", "s601ae");
  fold_is("Flat 2/3, 10 High St.", "flat2310highst");
}

/* Scripts other than Latin, symbols and emoji are dropped rather than mangled. */
static void test_fold_drops_other_scripts(void **state) {
  (void)state;
  fold_is("\xd0\x9e\xd0\xbb\xd1\x8f", "");                     /* Оля */
  fold_is("\xd8\xb9\xd9\x84\xd9\x8a", "");                     /* علي */
  fold_is("\xe6\x9d\x8e", "");                                 /* 李 */
  fold_is("Ali \xd8\xb9\xd9\x84\xd9\x8a", "ali");
  fold_is("Amy\xf0\x9f\x98\x80", "amy");                       /* emoji */
  fold_is("\xc3\x97\xc3\xb7", "");                             /* × ÷ are not letters */
  fold_is("\xc2\xa3" "5", "5");                                /* £5 */
  fold_is("", "");
  /* Broken UTF-8 never swallows the letters around it. */
  fold_is("a\xc3" "b", "ab");
  fold_is("a\xc5" "b", "ab");
  fold_is("a\xc3", "a");
  fold_is("a\x80\x80" "b", "ab");
  fold_is("\xe2\x82" "c", "c");
}

/* The key is cut to fit OUTCAP, always NUL-terminated. */
static void test_fold_truncates(void **state) {
  (void)state;
  char out[5];
  memset(out, 'x', sizeof out);
  assert_int_equal(text_fold_key("Abcdefgh", out, sizeof out), 4);
  assert_string_equal(out, "abcd");
  assert_int_equal(text_fold_key("Zo\xc3\xab" "ZO\xc3\x8b", out, sizeof out), 4);
  assert_string_equal(out, "zoez");
  char one[1] = {'x'};
  assert_int_equal(text_fold_key("abc", one, 1), 0);
  assert_int_equal(one[0], '\0');
  assert_int_equal(text_fold_key("abc", one, 0), 0);
}

/* Tokens split at white space and commas, empty ones skipped, long ones cut to 63 bytes. */
static void test_split_tokens(void **state) {
  (void)state;
  char tok[8][64];
  assert_int_equal(text_split_tokens("  Mary, Ann,,Smith\tJones\n", tok, 8), 4);
  assert_string_equal(tok[0], "Mary");
  assert_string_equal(tok[1], "Ann");
  assert_string_equal(tok[2], "Smith");
  assert_string_equal(tok[3], "Jones");
  assert_int_equal(text_split_tokens("", tok, 8), 0);
  assert_int_equal(text_split_tokens(" , ,\t", tok, 8), 0);
  assert_int_equal(text_split_tokens("a b c d", tok, 2), 2);
  assert_string_equal(tok[1], "b");
  char big[200];
  memset(big, 'q', 150);
  big[150] = '\0';
  strcat(big, " next");
  assert_int_equal(text_split_tokens(big, tok, 8), 2);
  assert_int_equal(strlen(tok[0]), 63);
  assert_string_equal(tok[1], "next");
  assert_int_equal(text_split_tokens("Zo\xc3\xab O'Neil", tok, 8), 2);
  assert_string_equal(tok[0], "Zo\xc3\xab");
  assert_string_equal(tok[1], "O'Neil");
}

/* Blank means NULL, empty or only white space. */
static void test_blank_and_trim(void **state) {
  (void)state;
  assert_true(text_is_blank(NULL));
  assert_true(text_is_blank(""));
  assert_true(text_is_blank(" \t\r\n\v\f"));
  assert_false(text_is_blank(" x "));
  assert_false(text_is_blank("0"));
  assert_false(text_is_blank("\xc2\xa0")); /* a no-break space is text, not ASCII space */
  char *t = text_trim_dup("  \t Mary Ann \n ");
  assert_string_equal(t, "Mary Ann");
  free(t);
  t = text_trim_dup("   ");
  assert_string_equal(t, "");
  free(t);
  t = text_trim_dup("x");
  assert_string_equal(t, "x");
  free(t);
  char s[] = "MiXeD \xc3\x89t\xc3\xa9 123";
  text_lower_ascii(s);
  assert_string_equal(s, "mixed \xc3\x89t\xc3\xa9 123");
  text_upper_ascii(s);
  assert_string_equal(s, "MIXED \xc3\x89T\xc3\xa9 123");
}

/* Control characters: tab always allowed, CR and LF only when asked, DEL and the C0 set never. */
static void test_has_control(void **state) {
  (void)state;
  assert_false(text_has_control("plain text", false));
  assert_false(text_has_control("a\tb", false));
  assert_true(text_has_control("a\nb", false));
  assert_false(text_has_control("a\nb", true));
  assert_true(text_has_control("a\rb", false));
  assert_false(text_has_control("a\r\nb", true));
  assert_true(text_has_control("a\x01" "b", true));
  assert_true(text_has_control("a\x1b[31m", true));
  assert_true(text_has_control("a\x7f", true));
  assert_false(text_has_control("Zo\xc3\xab \xe2\x82\xac", false));
  assert_false(text_has_control("", false));
}

/* Equality with NULL equal only to NULL. */
static void test_streq(void **state) {
  (void)state;
  assert_true(text_streq(NULL, NULL));
  assert_false(text_streq(NULL, ""));
  assert_false(text_streq("", NULL));
  assert_true(text_streq("", ""));
  assert_true(text_streq("abc", "abc"));
  assert_false(text_streq("abc", "abd"));
  assert_false(text_streq("abc", "ab"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fold_names),      cmocka_unit_test(test_fold_drops_other_scripts),
      cmocka_unit_test(test_fold_truncates),  cmocka_unit_test(test_split_tokens),
      cmocka_unit_test(test_blank_and_trim),  cmocka_unit_test(test_has_control),
      cmocka_unit_test(test_streq),
  };
  return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
