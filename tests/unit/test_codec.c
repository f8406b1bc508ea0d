/*
** Unit tests for util/codec: RFC 4648 base32 and base64url test vectors,
** hex, strict UTF-8 validation (overlongs, surrogates, range, truncation,
** NUL), the shape and uniqueness of random ids, and id plausibility.
*/
#include "testutil.h"

#include <sodium.h>
#include "util/codec.h"

/* RFC 4648 section 10 vectors, without the '=' padding Safehub never writes. */
static const struct {
  const char *plain, *b32, *b64;
} RFC4648[] = {
    {"", "", ""},
    {"f", "MY", "Zg"},
    {"fo", "MZXQ", "Zm8"},
    {"foo", "MZXW6", "Zm9v"},
    {"foob", "MZXW6YQ", "Zm9vYg"},
    {"fooba", "MZXW6YTB", "Zm9vYmE"},
    {"foobar", "MZXW6YTBOI", "Zm9vYmFy"},
};

/* Encoding each vector gives the RFC's text, and decoding gives the bytes back. */
static void test_base32_vectors(void **state) {
  (void)state;
  for (size_t i = 0; i < TU_COUNT(RFC4648); i++) {
    char enc[32];
    uint8_t dec[32];
    size_t n = strlen(RFC4648[i].plain);
    size_t len = base32_encode((const uint8_t *)RFC4648[i].plain, n, enc, sizeof enc);
    assert_string_equal(enc, RFC4648[i].b32);
    assert_int_equal(len, strlen(RFC4648[i].b32));
    long got = base32_decode(RFC4648[i].b32, dec, sizeof dec);
    assert_int_equal(got, (long)n);
    assert_memory_equal(dec, RFC4648[i].plain, n);
  }
  /* The padded forms of the RFC decode the same. */
  static const char *const padded[] = {"MY======", "MZXQ====", "MZXW6===", "MZXW6YQ=", "MZXW6YTB",
                                       "MZXW6YTBOI======"};
  static const char *const want[] = {"f", "fo", "foo", "foob", "fooba", "foobar"};
  for (size_t i = 0; i < TU_COUNT(padded); i++) {
    uint8_t dec[32];
    long got = base32_decode(padded[i], dec, sizeof dec);
    assert_int_equal(got, (long)strlen(want[i]));
    assert_memory_equal(dec, want[i], strlen(want[i]));
  }
}

/* Decoding accepts what authenticator apps show: lower case, groups separated by spaces or hyphens. */
static void test_base32_lenient_input(void **state) {
  (void)state;
  uint8_t dec[32];
  assert_int_equal(base32_decode("mzxw6ytboi", dec, sizeof dec), 6);
  assert_memory_equal(dec, "foobar", 6);
  assert_int_equal(base32_decode("MZXW 6YTB OI", dec, sizeof dec), 6);
  assert_memory_equal(dec, "foobar", 6);
  assert_int_equal(base32_decode("mzxw-6ytb-oi", dec, sizeof dec), 6);
  assert_memory_equal(dec, "foobar", 6);
  assert_int_equal(base32_decode("MzXw6YtBoI", dec, sizeof dec), 6);
  assert_memory_equal(dec, "foobar", 6);
}

/* Characters outside the alphabet (0, 1, 8, 9, punctuation, non-ASCII) and too-small buffers are refused. */
static void test_base32_refusals(void **state) {
  (void)state;
  uint8_t dec[32];
  static const char *const bad[] = {"MZXW0", "MZXW1", "MZXW8", "MZXW9", "MZ!W6", "MZ.W6", "MZ_W6",
                                    "MZ\tW6", "MZ\nW6", "MZ\xc3\xa9W6", "MZXW6+"};
  for (size_t i = 0; i < TU_COUNT(bad); i++) {
    if (base32_decode(bad[i], dec, sizeof dec) != -1) fail_msg("accepted: %s", bad[i]);
  }
  /* Six bytes do not fit in five. */
  assert_int_equal(base32_decode("MZXW6YTBOI", dec, 5), -1);
  assert_int_equal(base32_decode("MZXW6YTBOI", dec, 6), 6);
  /* Encoding refuses a buffer without room for the text and its NUL, writing nothing. */
  char enc[10];
  memset(enc, 'x', sizeof enc);
  assert_int_equal(base32_encode((const uint8_t *)"foobar", 6, enc, 10), 0);
  char enc11[11];
  assert_int_equal(base32_encode((const uint8_t *)"foobar", 6, enc11, sizeof enc11), 10);
  assert_string_equal(enc11, "MZXW6YTBOI");
}

/* Random byte strings of every length up to 64 round-trip through base32. */
static void test_base32_round_trip(void **state) {
  (void)state;
  for (size_t n = 0; n <= 64; n++) {
    uint8_t raw[64], back[64];
    char enc[128];
    randombytes_buf(raw, n);
    size_t len = base32_encode(raw, n, enc, sizeof enc);
    assert_int_equal(len, (n * 8 + 4) / 5);
    for (size_t i = 0; i < len; i++) assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", enc[i]));
    assert_int_equal(base32_decode(enc, back, sizeof back), (long)n);
    assert_memory_equal(raw, back, n);
  }
}

/* Hex: lower-case output, exact-length input of either case. */
static void test_hex(void **state) {
  (void)state;
  const uint8_t raw[] = {0x00, 0xff, 0x10, 0xab, 0x7f};
  char out[11];
  hex_encode(raw, sizeof raw, out);
  assert_string_equal(out, "00ff10ab7f");
  uint8_t back[5];
  assert_true(hex_decode("00ff10ab7f", back, 5));
  assert_memory_equal(back, raw, 5);
  assert_true(hex_decode("00FF10AB7F", back, 5));
  assert_memory_equal(back, raw, 5);
  assert_false(hex_decode("00ff10ab7", back, 5));   /* too short */
  assert_false(hex_decode("00ff10ab7f0", back, 5)); /* too long */
  assert_false(hex_decode("00ff10ab7g", back, 5));  /* not hex */
  assert_false(hex_decode("00ff10ab 7", back, 5));
  assert_false(hex_decode("", back, 1));
  assert_true(hex_decode("", back, 0));
  hex_encode(raw, 0, out);
  assert_string_equal(out, "");
}

/* base64url without padding: the RFC vectors, and the URL-safe alphabet for 62 and 63. */
static void test_base64url(void **state) {
  (void)state;
  for (size_t i = 0; i < TU_COUNT(RFC4648); i++) {
    char *enc = base64url_encode((const uint8_t *)RFC4648[i].plain, strlen(RFC4648[i].plain));
    assert_string_equal(enc, RFC4648[i].b64);
    free(enc);
  }
  const uint8_t hi[] = {0xfb, 0xff};
  char *enc = base64url_encode(hi, sizeof hi);
  assert_string_equal(enc, "-_8"); /* "+/8=" in standard base64 */
  free(enc);
  const uint8_t all[] = {0xfb, 0xef, 0xbe};
  enc = base64url_encode(all, sizeof all);
  assert_string_equal(enc, "----");
  free(enc);
}

/* Text that is valid UTF-8: ASCII, two-, three- and four-byte forms, and the extremes of each. */
static void test_utf8_valid_accepts(void **state) {
  (void)state;
  static const char *const good[] = {
      "",
      "plain ASCII ~\x7f",
      "Zo\xc3\xab",                 /* Zoë */
      "\xc2\x80",                   /* U+0080, smallest two-byte */
      "\xdf\xbf",                   /* U+07FF */
      "\xe0\xa0\x80",               /* U+0800, smallest three-byte */
      "\xe2\x82\xac",               /* € */
      "\xed\x9f\xbf",               /* U+D7FF, just below the surrogates */
      "\xee\x80\x80",               /* U+E000, just above them */
      "\xef\xbf\xbf",               /* U+FFFF */
      "\xf0\x90\x80\x80",           /* U+10000, smallest four-byte */
      "\xf0\x9d\x84\x9e",           /* musical G clef */
      "\xf4\x8f\xbf\xbf",           /* U+10FFFF, the last code point */
      "\xd0\x9e\xd0\xbb\xd1\x8f",   /* Оля */
  };
  for (size_t i = 0; i < TU_COUNT(good); i++) {
    if (!utf8_valid(good[i], strlen(good[i]))) fail_msg("refused valid text %zu", i);
  }
}

/* Everything the strict decoder must refuse. */
static void test_utf8_valid_refuses(void **state) {
  (void)state;
  static const struct {
    const char *s;
    size_t n;
    const char *why;
  } bad[] = {
      {"\xc0\x80", 2, "overlong NUL"},
      {"\xc1\xbf", 2, "overlong two-byte"},
      {"\xe0\x80\x80", 3, "overlong three-byte NUL"},
      {"\xe0\x9f\xbf", 3, "overlong U+07FF"},
      {"\xf0\x80\x80\x80", 4, "overlong four-byte"},
      {"\xf0\x8f\xbf\xbf", 4, "overlong U+FFFF"},
      {"\xed\xa0\x80", 3, "surrogate U+D800"},
      {"\xed\xbf\xbf", 3, "surrogate U+DFFF"},
      {"\xed\xa0\xbd\xed\xb2\xa9", 6, "CESU-8 surrogate pair"},
      {"\xf4\x90\x80\x80", 4, "U+110000"},
      {"\xf5\x80\x80\x80", 4, "lead byte F5"},
      {"\xf8\x88\x80\x80\x80", 5, "five-byte form"},
      {"\xfc\x84\x80\x80\x80\x80", 6, "six-byte form"},
      {"\xfe", 1, "byte FE"},
      {"\xff", 1, "byte FF"},
      {"\x80", 1, "lone continuation"},
      {"a\xbf" "b", 3, "continuation after ASCII"},
      {"\xc3", 1, "truncated two-byte"},
      {"\xe2\x82", 2, "truncated three-byte"},
      {"\xf0\x9d\x84", 3, "truncated four-byte"},
      {"\xc3" "A", 2, "lead byte followed by ASCII"},
      {"\xe2\x82" "A", 3, "three-byte with ASCII third"},
      {"a\0b", 3, "embedded NUL"},
      {"\0", 1, "NUL alone"},
      {"Zo\xc3\xab\0", 5, "trailing NUL"},
  };
  for (size_t i = 0; i < TU_COUNT(bad); i++) {
    if (utf8_valid(bad[i].s, bad[i].n)) fail_msg("accepted: %s", bad[i].why);
  }
  /* Only the N bytes given are examined: a valid prefix of an invalid string is valid. */
  assert_true(utf8_valid("ab\xff", 2));
}

/* qsort comparator for rows of an id array. */
static int cmp_id(const void *a, const void *b) { return strcmp(a, b); }

/* ids_new: prefix, underscore, 20 lower-case base32 characters; distinct every time. */
static void test_ids_new(void **state) {
  (void)state;
  enum { N = 20000 };
  char(*ids)[ID_MAX] = calloc(N, ID_MAX);
  assert_non_null(ids);
  for (int i = 0; i < N; i++) {
    ids_new("ch", ids[i], ID_MAX);
    assert_int_equal(strlen(ids[i]), 23);
    assert_memory_equal(ids[i], "ch_", 3);
    for (const char *p = ids[i] + 3; *p; p++) assert_non_null(strchr("abcdefghijklmnopqrstuvwxyz234567", *p));
    assert_true(ids_plausible(ids[i]));
  }
  qsort(ids, N, ID_MAX, cmp_id);
  for (int i = 1; i < N; i++) {
    if (strcmp(ids[i - 1], ids[i]) == 0) fail_msg("duplicate id %s", ids[i]);
  }
  free(ids);
  char id[ID_MAX];
  ids_new("refrl", id, sizeof id);
  assert_int_equal(strlen(id), 26);
  assert_memory_equal(id, "refrl_", 6);
}

/* random_token: the prefix and 43 URL-safe characters (256 bits), different each time. */
static void test_random_token(void **state) {
  (void)state;
  char a[128], b[128];
  random_token("sh_", a, sizeof a);
  random_token("sh_", b, sizeof b);
  assert_int_equal(strlen(a), 3 + 43);
  assert_memory_equal(a, "sh_", 3);
  for (const char *p = a + 3; *p; p++) {
    assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *p));
  }
  assert_string_not_equal(a, b);
}

/* ids_plausible: 1 to 64 of letters, digits, '_' and '-'; nothing that could move a path. */
static void test_ids_plausible(void **state) {
  (void)state;
  char longest[66];
  memset(longest, 'a', 64);
  longest[64] = '\0';
  assert_true(ids_plausible(longest));
  longest[64] = 'a';
  longest[65] = '\0';
  assert_false(ids_plausible(longest));
  assert_true(ids_plausible("A-z_09"));
  assert_true(ids_plausible("x"));
  static const char *const bad[] = {"", "a/b", "..", "a.b", "a b", "a%2F", "a;b", "a\nb", "caf\xc3\xa9",
                                    "a?b", "a#b", "a\\b", "<x>", "a'b", "a\"b", "a+b"};
  for (size_t i = 0; i < TU_COUNT(bad); i++) {
    if (ids_plausible(bad[i])) fail_msg("plausible: '%s'", bad[i]);
  }
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_base32_vectors),     cmocka_unit_test(test_base32_lenient_input),
      cmocka_unit_test(test_base32_refusals),    cmocka_unit_test(test_base32_round_trip),
      cmocka_unit_test(test_hex),                cmocka_unit_test(test_base64url),
      cmocka_unit_test(test_utf8_valid_accepts), cmocka_unit_test(test_utf8_valid_refuses),
      cmocka_unit_test(test_ids_new),            cmocka_unit_test(test_random_token),
      cmocka_unit_test(test_ids_plausible),
  };
  return cmocka_run_group_tests_name("codec", tests, NULL, NULL);
}
