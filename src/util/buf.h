/*
** A growable byte buffer, always NUL-terminated, used to build responses,
** SQL parameters and canonical encodings.  Allocation failure aborts.
*/
#ifndef SAFEHUB_UTIL_BUF_H
#define SAFEHUB_UTIL_BUF_H
#include <stdarg.h>
#include <stddef.h>

struct buf {
  char *data; /* NUL-terminated when data != NULL */
  size_t len;
  size_t cap;
};

#define BUF_INIT {NULL, 0, 0}

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void buf_json_string(struct buf *b, const char *s);
const char *buf_cstr(struct buf *b);
char *buf_steal(struct buf *b);

#endif
