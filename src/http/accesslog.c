/*
** The access log (see accesslog.h).  Each line is formatted on the stack and
** written with a single write() to a descriptor opened O_APPEND, which keeps
** lines whole across threads without a lock or a flush per request.  Every
** field is Safehub's own (route patterns, request ids, numbers), so nothing
** needs JSON escaping beyond what the method check below guarantees.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "http/accesslog.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

struct accesslog {
  int fd;
  bool own;
};

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
  return l;
}

void accesslog_close(struct accesslog *l) {
  if (!l) return;
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
  ssize_t w = write(l->fd, line, (size_t)n);
  (void)w;
}
