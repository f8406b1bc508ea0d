/*
** The access log (see accesslog.h).  Each line is formatted on the stack and
** added to a buffer that is written with one write() to a descriptor opened
** O_APPEND when it is nearly full, at least once a second (accesslog_flush,
** from the server's timer) and at close: a system call per request would cost
** more than the rest of the line.  Lines stay whole because only whole lines
** enter the buffer.  Every field is Safehub's own (route patterns, request
** ids, numbers), so nothing needs JSON escaping beyond what the method check
** below guarantees.
**
** Locking: `mu` guards the buffer and is held across the write() that empties
** it, so lines leave in the order they were added.
*/
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "http/accesslog.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define BUFFERED (64 * 1024)

struct accesslog {
  int fd;
  bool own;
  pthread_mutex_t mu;
  size_t used;
  char buf[BUFFERED];
};

/* Writes out the buffer; called with mu held.  A failed write drops the lines (the log is operational). */
static void drain(struct accesslog *l) {
  size_t off = 0;
  while (off < l->used) {
    ssize_t w = write(l->fd, l->buf + off, l->used - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    off += (size_t)w;
  }
  l->used = 0;
}

/* Writes out the lines buffered so far. */
void accesslog_flush(struct accesslog *l) {
  if (!l) return;
  pthread_mutex_lock(&l->mu);
  drain(l);
  pthread_mutex_unlock(&l->mu);
}

/* Opens WHERE: "-" for stderr, "off" or empty for none (returns NULL, no error), or a file to append to. */
struct accesslog *accesslog_open(const char *where, char *err, size_t errlen) {
  if (!where || !*where || strcmp(where, "off") == 0) return NULL;
  struct accesslog *l = xcalloc(1, sizeof *l);
  if (strcmp(where, "-") == 0) {
    l->fd = STDERR_FILENO;
  } else {
    l->fd = open(where, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (l->fd < 0) {
      snprintf(err, errlen, "%s: %s", where, strerror(errno));
      free(l);
      return NULL;
    }
    l->own = true;
  }
  pthread_mutex_init(&l->mu, NULL);
  return l;
}

void accesslog_close(struct accesslog *l) {
  if (!l) return;
  accesslog_flush(l);
  pthread_mutex_destroy(&l->mu);
  if (l->own) close(l->fd);
  free(l);
}

/* True when S is a plain token (an HTTP method): letters only, short. */
static bool plain(const char *s) {
  size_t n = 0;
  for (; s[n]; n++) {
    if (n > 16 || !((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z'))) return false;
  }
  return n > 0;
}

void accesslog_write(struct accesslog *l, const char *request_id, const char *method, const char *route,
                     int status, int64_t micros, size_t bytes) {
  if (!l) return;
  char at[ISO_TIME_LEN], line[512];
  time_format_iso(time_now(), at);
  int n = snprintf(line, sizeof line,
                   "{\"at\":\"%s\",\"request_id\":\"%s\",\"method\":\"%s\",\"route\":\"%s\",\"status\":%d,"
                   "\"ms\":%.3f,\"bytes\":%zu}\n",
                   at, request_id, plain(method) ? method : "OTHER", route, status, (double)micros / 1000.0, bytes);
  if (n <= 0 || (size_t)n >= sizeof line) return;
  pthread_mutex_lock(&l->mu);
  if (l->used + (size_t)n > sizeof l->buf) drain(l);
  memcpy(l->buf + l->used, line, (size_t)n);
  l->used += (size_t)n;
  pthread_mutex_unlock(&l->mu);
}
