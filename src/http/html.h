/*
** HTML output that escapes by default.  hf() is a small printf in which %s
** always escapes for text and double-quoted attributes (& < > " '), %u
** percent-encodes for a URL component, and only %r writes raw markup, which
** must be Safehub's own (a literal or another hf() result), never user data.
** Keeping raw output behind one visible conversion makes review easy.
*/
#ifndef SAFEHUB_HTTP_HTML_H
#define SAFEHUB_HTTP_HTML_H
#include "util/buf.h"

void html_escape(struct buf *b, const char *s);
void url_encode(struct buf *b, const char *s);
void hf(struct buf *b, const char *fmt, ...);

#endif
