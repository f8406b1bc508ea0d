/*
** libFuzzer target for application/x-www-form-urlencoded bodies: form_parse
** (http/request.h) on the raw input, which need not be NUL-terminated.  The
** result is compared with a reference parser written from the function's
** comment (pairs split at '&', name and value at the first '=', '+' is a
** space, %XX escapes, a bad escape, invalid UTF-8, a NUL or an empty name
** refuses the whole body, a repeated name becomes an array in order).  An
** accepted form re-encoded by an independent encoder parses to the same object.
*/
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "http/request.h"
#include "fuzz.h"

/*
** Reference UTF-8 check from the table of well-formed byte sequences in the
** Unicode standard (ch. 3, table 3-7), plus Safehub's rule that NUL is never
** valid text.
*/
static bool ref_utf8(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char b = s[i];
    if (b == 0) return false;
    if (b < 0x80) {
      i++;
      continue;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) len = 2;
    else if (b == 0xE0) len = 3, lo = 0xA0;
    else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) len = 3;
    else if (b == 0xED) len = 3, hi = 0x9F;
    else if (b == 0xF0) len = 4, lo = 0x90;
    else if (b >= 0xF1 && b <= 0xF3) len = 4;
    else if (b == 0xF4) len = 4, hi = 0x8F;
    else return false;
    if (n - i < len) return false;
    if (s[i + 1] < lo || s[i + 1] > hi) return false;
    for (size_t k = 2; k < len; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

/* Value of one hex digit of either case, or -1. */
static int hexval(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/*
** Reference decoding of S[0..N) into a new NUL-terminated string; false when an
** escape is bad or the decoded bytes are not valid UTF-8 text (NUL included).
*/
static bool ref_decode(const uint8_t *s, size_t n, char **out) {
  unsigned char *d = malloc(n + 1);
  if (!d) abort();
  size_t o = 0;
  for (size_t i = 0; i < n;) {
    if (s[i] == '%') {
      if (n - i < 3 || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0) {
        free(d);
        return false;
      }
      d[o++] = (unsigned char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 3;
    } else {
      d[o++] = s[i] == '+' ? ' ' : s[i];
      i++;
    }
  }
  d[o] = '\0';
  if (!ref_utf8(d, o)) {
    free(d);
    return false;
  }
  *out = (char *)d;
  return true;
}

/* Reference parse of the whole body into a new object, or NULL when the body is refused. */
static json_t *ref_parse(const uint8_t *body, size_t len) {
  json_t *obj = json_object();
  size_t i = 0;
  while (i < len) {
    size_t j = i;
    while (j < len && body[j] != '&') j++;
    if (j > i) {
      const uint8_t *eq = memchr(body + i, '=', j - i);
      size_t klen = eq ? (size_t)(eq - (body + i)) : j - i;
      char *k = NULL, *v = NULL;
      bool ok = ref_decode(body + i, klen, &k);
      if (ok) ok = eq ? ref_decode(eq + 1, (size_t)(body + j - eq - 1), &v) : (v = strdup("")) != NULL;
      if (!ok || k[0] == '\0') {
        free(k);
        free(v);
        json_decref(obj);
        return NULL;
      }
      json_t *prev = json_object_get(obj, k);
      if (!prev) {
        json_object_set_new(obj, k, json_string(v));
      } else if (json_is_array(prev)) {
        json_array_append_new(prev, json_string(v));
      } else {
        json_t *arr = json_pack("[Os]", prev, v);
        json_object_set_new(obj, k, arr);
      }
      free(k);
      free(v);
    }
    i = j + 1;
  }
  return obj;
}

/* A growable, NUL-terminated string for the encoder. */
struct sbuf {
  char *p;
  size_t len, cap;
};

/* Makes room for EXTRA more bytes and the NUL. */
static void sb_reserve(struct sbuf *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return;
  size_t cap = (b->len + extra + 1) * 2;
  char *p = realloc(b->p, cap);
  if (!p) abort();
  b->p = p;
  b->cap = cap;
}

/* Appends one byte. */
static void sb_putc(struct sbuf *b, char c) {
  sb_reserve(b, 1);
  b->p[b->len++] = c;
  b->p[b->len] = '\0';
}

/* Appends S percent-encoded, leaving only letters and digits bare and writing space as '+'. */
static void sb_encode(struct sbuf *b, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')) {
      sb_putc(b, (char)*p);
    } else if (*p == ' ') {
      sb_putc(b, '+');
    } else {
      sb_reserve(b, 3);
      b->len += (size_t)snprintf(b->p + b->len, 4, "%%%02x", *p);
    }
  }
}

/* Re-encodes a parsed form, each array item as its own pair, into B. */
static void encode_form(json_t *form, struct sbuf *b) {
  sb_reserve(b, 0);
  b->p[0] = '\0';
  const char *k;
  json_t *v;
  json_object_foreach(form, k, v) {
    size_t n = json_is_array(v) ? json_array_size(v) : 1;
    for (size_t i = 0; i < n; i++) {
      json_t *item = json_is_array(v) ? json_array_get(v, i) : v;
      if (b->len > 0) sb_putc(b, '&');
      sb_encode(b, k);
      sb_putc(b, '=');
      sb_encode(b, json_string_value(item));
    }
  }
}

/* Parses the input as a form body and compares it with the reference and the re-encoding. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  json_t *got = form_parse((const char *)data, size);
  json_t *want = ref_parse(data, size);
  CHECK((got == NULL) == (want == NULL));
  if (!got) return 0;
  CHECK(json_is_object(got));
  CHECK(json_equal(got, want));
  /* Every value is a string, or an array of two or more strings. */
  const char *k;
  json_t *v;
  json_object_foreach(got, k, v) {
    CHECK(k[0] != '\0');
    if (json_is_array(v)) {
      CHECK(json_array_size(v) >= 2);
      size_t i;
      json_t *item;
      json_array_foreach(v, i, item) CHECK(json_is_string(item));
    } else {
      CHECK(json_is_string(v));
    }
  }
  /* Round trip through an independent encoder. */
  struct sbuf enc = {NULL, 0, 0};
  encode_form(got, &enc);
  json_t *again = form_parse(enc.p, enc.len);
  CHECK(again != NULL && json_equal(again, got));
  json_decref(again);
  free(enc.p);
  json_decref(got);
  json_decref(want);
  return 0;
}

