/*
** Allocation wrappers.  Like redis's zmalloc, an allocation failure is fatal:
** the process logs and aborts rather than threading out-of-memory through
** every caller, because a half-handled OOM is worse than a restart.
*/
#ifndef SAFEHUB_UTIL_XALLOC_H
#define SAFEHUB_UTIL_XALLOC_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);        /* NULL in, NULL out */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
