/*
** Escaping HTML output (see html.h).
**
** Conversions of hf():  %s text (escaped; NULL prints nothing)  %u URL
** component (percent-encoded)  %r raw trusted markup  %d int  %ld long
** %lld long long  %zu size_t  %%.  Anything else is a programming error and
** asserts.
*/
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "http/html.h"

/* Appends S with & < > " ' escaped; safe in text and in double-quoted attributes. */
void html_escape(struct buf *b, const char *s) {
  if (!s) return;
  const char *run = s;
  for (const char *p = s; *p; p++) {
    const char *rep = NULL;
    switch (*p) {
    case '&': rep = "&amp;"; break;
    case '<': rep = "&lt;"; break;
    case '>': rep = "&gt;"; break;
    case '"': rep = "&quot;"; break;
    case '\'': rep = "&#39;"; break;
    default: break;
    }
    if (rep) {
      buf_append(b, run, (size_t)(p - run));
      buf_puts(b, rep);
      run = p + 1;
    }
  }
  buf_puts(b, run);
}

/* Appends S percent-encoded except for unreserved characters (RFC 3986). */
void url_encode(struct buf *b, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  if (!s) return;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
        *p == '_' || *p == '.' || *p == '~') {
      buf_putc(b, (char)*p);
    } else {
      char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
      buf_append(b, e, 3);
    }
  }
}

void hf(struct buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const char *run = fmt;
  for (const char *p = fmt; *p; p++) {
    if (*p != '%') continue;
    buf_append(b, run, (size_t)(p - run));
    p++;
    switch (*p) {
    case 's': html_escape(b, va_arg(ap, const char *)); break;
    case 'u': url_encode(b, va_arg(ap, const char *)); break;
    case 'r': {
      const char *raw = va_arg(ap, const char *);
      if (raw) buf_puts(b, raw);
      break;
    }
    case 'd': buf_printf(b, "%d", va_arg(ap, int)); break;
    case 'l':
      if (p[1] == 'l' && p[2] == 'd') {
        buf_printf(b, "%lld", va_arg(ap, long long));
        p += 2;
      } else {
        assert(p[1] == 'd');
        buf_printf(b, "%ld", va_arg(ap, long));
        p += 1;
      }
      break;
    case 'z':
      assert(p[1] == 'u');
      buf_printf(b, "%zu", va_arg(ap, size_t));
      p++;
      break;
    case '%': buf_putc(b, '%'); break;
    default: assert(!"hf: unknown conversion"); break;
    }
    run = p + 1;
  }
  buf_puts(b, run);
  va_end(ap);
}
