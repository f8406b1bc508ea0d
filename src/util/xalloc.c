/*
** Allocation wrappers that abort on failure (see xalloc.h for why).
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/xalloc.h"

static void oom(size_t n) {
  fprintf(stderr, "safehub: memory: could not allocate %zu bytes\n", n);
  abort();
}

/* malloc that never returns NULL; caller frees. */
void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) oom(n);
  return p;
}

/* calloc that never returns NULL and checks n*size overflow; caller frees. */
void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) oom(n * size);
  return p;
}

/* realloc that never returns NULL; the old pointer is invalid afterwards. */
void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) oom(n);
  return q;
}

/* Copy of S (NULL gives NULL); caller frees. */
char *xstrdup(const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s);
  char *d = xmalloc(n + 1);
  memcpy(d, s, n + 1);
  return d;
}

/* Copy of at most N bytes of S, NUL-terminated; caller frees. */
char *xstrndup(const char *s, size_t n) {
  size_t len = strnlen(s, n);
  char *d = xmalloc(len + 1);
  memcpy(d, s, len);
  d[len] = '\0';
  return d;
}

/* printf into a new string; caller frees. */
char *xasprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *out = NULL;
  int n = vasprintf(&out, fmt, ap);
  va_end(ap);
  if (n < 0) oom(0);
  return out;
}
