/*
** libFuzzer target for HTML output (http/html.h): hf() with the input, up to
** its first NUL, in a text node, a double-quoted attribute and a URL
** component.  Whatever the input, the page's markup must be only the
** template's own: the output holds exactly the template's '<' characters and
** no quote of the input's, every '&' starts one of the five entities hf()
** writes, unescaping each %s field gives the input back, and the %u field
** holds only unreserved characters and %XX escapes that decode to the input.
*/
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "http/html.h"
#include "util/buf.h"
#include "fuzz.h"

/* The template: the input as an attribute, as text, and in a URL; its '<' count is TEMPLATE_LT. */
#define PRE_ATTR "<p class=\"x\" title=\""
#define PRE_TEXT "\">"
#define PRE_URL "</p><a href=\"/children?q="
#define POST_URL "&amp;n=%d\">next</a>"
#define TEMPLATE_LT 4

/*
** Unescapes the escaped field at *P up to the byte STOP into a new string,
** advancing *P to STOP; aborts on a raw quote, '<', '>' or an unknown entity.
*/
static char *unescape_field(const char **p, char stop) {
  static const struct {
    const char *ent;
    char ch;
  } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
  const char *s = *p;
  const char *end = strchr(s, stop);
  CHECK(end != NULL);
  char *out = malloc((size_t)(end - s) + 1), *o = out;
  if (!out) abort();
  while (s < end) {
    CHECK(*s != '<' && *s != '>' && *s != '"' && *s != '\'');
    if (*s == '&') {
      bool known = false;
      for (size_t i = 0; i < sizeof ents / sizeof ents[0]; i++) {
        size_t n = strlen(ents[i].ent);
        if ((size_t)(end - s) >= n && strncmp(s, ents[i].ent, n) == 0) {
          *o++ = ents[i].ch;
          s += n;
          known = true;
          break;
        }
      }
      CHECK(known);
    } else {
      *o++ = *s++;
    }
  }
  *o = '\0';
  *p = end;
  return out;
}

/* Value of one hex digit written by url_encode (upper case), or -1. */
static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decodes the %u field at *P up to STOP, which only unreserved characters and %XX may make up. */
static char *url_decode_field(const char **p, char stop) {
  const char *s = *p;
  const char *end = strchr(s, stop);
  CHECK(end != NULL);
  char *out = malloc((size_t)(end - s) + 1), *o = out;
  if (!out) abort();
  while (s < end) {
    char c = *s;
    if (c == '%') {
      CHECK(end - s >= 3);
      int h = hexval(s[1]), l = hexval(s[2]);
      CHECK(h >= 0 && l >= 0);
      char d = (char)(h * 16 + l);
      /* Unreserved characters are never escaped. */
      CHECK(!((d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z') || (d >= '0' && d <= '9') || d == '-' ||
              d == '_' || d == '.' || d == '~'));
      *o++ = d;
      s += 3;
    } else {
      CHECK((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '_' || c == '.' || c == '~');
      *o++ = c;
      s++;
    }
  }
  *o = '\0';
  *p = end;
  return out;
}

/* Advances *P past the literal LIT, which must come next. */
static void expect(const char **p, const char *lit) {
  size_t n = strlen(lit);
  CHECK(strncmp(*p, lit, n) == 0);
  *p += n;
}

/* Renders the input in the template and takes the output apart again. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *in = malloc(size + 1);
  if (!in) abort();
  memcpy(in, data, size);
  in[size] = '\0';
  int page = (int)(size % 1000);

  struct buf b = BUF_INIT;
  hf(&b, PRE_ATTR "%s" PRE_TEXT "%s" PRE_URL "%u" POST_URL, in, in, in, page);
  const char *out = buf_cstr(&b);
  CHECK(strlen(out) == b.len);

  /* No '<' other than the template's own. */
  size_t lt = 0;
  for (const char *p = out; *p; p++) lt += *p == '<';
  CHECK(lt == TEMPLATE_LT);

  const char *p = out;
  expect(&p, PRE_ATTR);
  char *attr = unescape_field(&p, '"');
  CHECK(strcmp(attr, in) == 0);
  expect(&p, PRE_TEXT);
  char *text = unescape_field(&p, '<');
  CHECK(strcmp(text, in) == 0);
  expect(&p, PRE_URL);
  char *url = url_decode_field(&p, '&');
  CHECK(strcmp(url, in) == 0);
  char tail[64];
  snprintf(tail, sizeof tail, "&amp;n=%d\">next</a>", page);
  CHECK(strcmp(p, tail) == 0);

  /* A NULL argument prints nothing in every conversion. */
  struct buf nb = BUF_INIT;
  hf(&nb, "[%s|%u|%r]", (const char *)NULL, (const char *)NULL, (const char *)NULL);
  CHECK(strcmp(buf_cstr(&nb), "[||]") == 0);
  buf_free(&nb);

  free(attr);
  free(text);
  free(url);
  buf_free(&b);
  free(in);
  return 0;
}
