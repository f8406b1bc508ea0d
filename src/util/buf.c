/*
** Growable byte buffer (see buf.h).
*/
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/buf.h"
#include "util/xalloc.h"

void buf_init(struct buf *b) {
  b->data = NULL;
  b->len = b->cap = 0;
}

/* Releases the storage; the buffer may be reused after buf_init. */
void buf_free(struct buf *b) {
  free(b->data);
  buf_init(b);
}

/* Empties the buffer but keeps its storage. */
void buf_reset(struct buf *b) {
  b->len = 0;
  if (b->data) b->data[0] = '\0';
}

/* Ensures room for EXTRA more bytes plus the terminating NUL. */
void buf_reserve(struct buf *b, size_t extra) {
  size_t need = b->len + extra + 1;
  assert(need > b->len); /* overflow */
  if (need <= b->cap) return;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need) cap *= 2;
  b->data = xrealloc(b->data, cap);
  b->cap = cap;
}

void buf_append(struct buf *b, const void *p, size_t n) {
  buf_reserve(b, n);
  if (n) memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s) { buf_append(b, s, strlen(s)); }

void buf_putc(struct buf *b, char c) { buf_append(b, &c, 1); }

void buf_vprintf(struct buf *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  assert(n >= 0);
  buf_reserve(b, (size_t)n);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(b, fmt, ap);
  va_end(ap);
}

/* The contents as a C string ("" when empty); owned by the buffer. */
const char *buf_cstr(struct buf *b) {
  if (!b->data) buf_reserve(b, 0), b->data[0] = '\0';
  return b->data;
}

/* Hands the contents to the caller (who frees them) and empties the buffer. */
char *buf_steal(struct buf *b) {
  buf_cstr(b);
  char *d = b->data;
  buf_init(b);
  return d;
}

/*
** Appends S (UTF-8, NUL-terminated) as a JSON string, quoted and escaped as
** jansson writes it: the two-character escapes for quote, backslash and
** \b \f \n \r \t, \u00XX for the other control characters, everything else
** as it is.  So text written here matches json_dumps of the same string.
*/
void buf_json_string(struct buf *b, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  buf_putc(b, '"');
  const char *run = s;
  for (const char *p = s;; p++) {
    unsigned char c = (unsigned char)*p;
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    if (p > run) buf_append(b, run, (size_t)(p - run));
    if (c == 0) break;
    run = p + 1;
    char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
    size_t n = 2;
    switch (c) {
    case '"': esc[1] = '"'; break;
    case '\\': esc[1] = '\\'; break;
    case '\b': esc[1] = 'b'; break;
    case '\f': esc[1] = 'f'; break;
    case '\n': esc[1] = 'n'; break;
    case '\r': esc[1] = 'r'; break;
    case '\t': esc[1] = 't'; break;
    default:
      esc[1] = 'u';
      esc[2] = '0';
      esc[3] = '0';
      esc[4] = hex[c >> 4];
      esc[5] = hex[c & 15];
      n = 6;
    }
    buf_append(b, esc, n);
  }
  buf_putc(b, '"');
}
