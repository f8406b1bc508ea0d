/*
** Unit tests for http/html: html_escape for every special character,
** url_encode (RFC 3986 unreserved kept, everything else including UTF-8
** bytes percent-encoded), and each conversion of the escaping printf hf().
*/
#include "testutil.h"

#include "http/html.h"

/* html_escape of S as a new C string in B (reset first). */
static const char *esc(struct buf *b, const char *s) {
  buf_reset(b);
  html_escape(b, s);
  return buf_cstr(b);
}

/* url_encode of S as a C string in B (reset first). */
static const char *urlenc(struct buf *b, const char *s) {
  buf_reset(b);
  url_encode(b, s);
  return buf_cstr(b);
}

/* Each of & < > " ' becomes its entity; everything else, UTF-8 included, is untouched. */
static void test_html_escape(void **state) {
  (void)state;
  struct buf b = BUF_INIT;
  assert_string_equal(esc(&b, "&"), "&amp;");
  assert_string_equal(esc(&b, "<"), "&lt;");
  assert_string_equal(esc(&b, ">"), "&gt;");
  assert_string_equal(esc(&b, "\""), "&quot;");
  assert_string_equal(esc(&b, "'"), "&#39;");
  assert_string_equal(esc(&b, "&<>\"'"), "&amp;&lt;&gt;&quot;&#39;");
  assert_string_equal(esc(&b, "<script>alert('x')</script>"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  assert_string_equal(esc(&b, "\" onmouseover=\"x"), "&quot; onmouseover=&quot;x");
  assert_string_equal(esc(&b, "&amp;"), "&amp;amp;"); /* escaped text is escaped again, never trusted */
  assert_string_equal(esc(&b, "Zo\xc3\xab O'Brien"), "Zo\xc3\xab O&#39;Brien");
  assert_string_equal(esc(&b, "plain text 123"), "plain text 123");
  assert_string_equal(esc(&b, "`=/"), "`=/");
  assert_string_equal(esc(&b, ""), "");
  assert_string_equal(esc(&b, NULL), "");
  /* Appends rather than replaces. */
  buf_reset(&b);
  buf_puts(&b, "x");
  html_escape(&b, "<");
  assert_string_equal(buf_cstr(&b), "x&lt;");
  buf_free(&b);
}

/* Unreserved characters stay, everything else is %XX in upper case. */
static void test_url_encode(void **state) {
  (void)state;
  struct buf b = BUF_INIT;
  assert_string_equal(urlenc(&b, "AZaz09-_.~"), "AZaz09-_.~");
  assert_string_equal(urlenc(&b, "a b&c=d/e?f#g"), "a%20b%26c%3Dd%2Fe%3Ff%23g");
  assert_string_equal(urlenc(&b, "+%\"'<>"), "%2B%25%22%27%3C%3E");
  assert_string_equal(urlenc(&b, "Zo\xc3\xab"), "Zo%C3%AB");
  assert_string_equal(urlenc(&b, "\n\x7f\xff"), "%0A%7F%FF");
  assert_string_equal(urlenc(&b, ""), "");
  assert_string_equal(urlenc(&b, NULL), "");
  buf_free(&b);
}

/* %s escapes, %u URL-encodes, %r is raw, the numbers print, %% is a percent sign. */
static void test_hf_conversions(void **state) {
  (void)state;
  struct buf b = BUF_INIT;
  hf(&b, "<p class=\"%s\">%s</p>", "a\"b", "<b>&");
  assert_string_equal(buf_cstr(&b), "<p class=\"a&quot;b\">&lt;b&gt;&amp;</p>");
  buf_reset(&b);
  hf(&b, "<a href=\"/children?q=%u\">%r</a>", "O'Brien & Co", "<strong>find</strong>");
  assert_string_equal(buf_cstr(&b), "<a href=\"/children?q=O%27Brien%20%26%20Co\"><strong>find</strong></a>");
  buf_reset(&b);
  hf(&b, "%d|%d|%ld|%lld|%zu|%%|100%%", 42, -7, -123456789L, 9007199254740993LL, (size_t)18446744073709551615ULL);
  assert_string_equal(buf_cstr(&b), "42|-7|-123456789|9007199254740993|18446744073709551615|%|100%");
  buf_reset(&b);
  /* NULL strings print nothing in each string conversion. */
  hf(&b, "[%s][%u][%r]", (const char *)NULL, (const char *)NULL, (const char *)NULL);
  assert_string_equal(buf_cstr(&b), "[][][]");
  buf_reset(&b);
  /* Text without conversions, and an empty format. */
  hf(&b, "no conversions here");
  hf(&b, "");
  assert_string_equal(buf_cstr(&b), "no conversions here");
  buf_reset(&b);
  /* Conversions at the very start and end. */
  hf(&b, "%s", "<");
  hf(&b, "%d", 0);
  assert_string_equal(buf_cstr(&b), "&lt;0");
  buf_reset(&b);
  /* A long argument grows the buffer. */
  char big[5000];
  memset(big, '<', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  hf(&b, "%s", big);
  assert_int_equal(b.len, (sizeof big - 1) * 4);
  assert_int_equal(strlen(buf_cstr(&b)), b.len);
  buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_html_escape),
      cmocka_unit_test(test_url_encode),
      cmocka_unit_test(test_hf_conversions),
  };
  return cmocka_run_group_tests_name("html", tests, NULL, NULL);
}
