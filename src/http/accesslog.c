/*
** The access log (see accesslog.h).  A mutex keeps lines whole.
*/
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "http/accesslog.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

struct accesslog {
  FILE *f;
  bool own;
  pthread_mutex_t mu;
};

/* Opens WHERE: "-" for stderr, "off" for none (returns NULL, no error), or a file to append to. */
struct accesslog *accesslog_open(const char *where, char *err, size_t errlen) {
  if (!where || !*where || strcmp(where, "off") == 0) return NULL;
  struct accesslog *l = xcalloc(1, sizeof *l);
  if (strcmp(where, "-") == 0) {
    l->f = stderr;
  } else {
    l->f = fopen(where, "a");
    if (!l->f) {
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
  if (l->own) fclose(l->f);
  pthread_mutex_destroy(&l->mu);
  free(l);
}

void accesslog_write(struct accesslog *l, const char *request_id, const char *method, const char *route,
                     int status, int64_t micros, size_t bytes) {
  if (!l) return;
  char at[ISO_TIME_LEN];
  time_format_iso(time_now(), at);
  json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:i,s:f,s:I}", "at", at, "request_id", request_id, "method", method,
                        "route", route, "status", status, "ms", (double)micros / 1000.0, "bytes",
                        (json_int_t)bytes);
  char *line = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) : NULL;
  json_decref(o);
  if (!line) return;
  pthread_mutex_lock(&l->mu);
  fputs(line, l->f);
  fputc('\n', l->f);
  fflush(l->f);
  pthread_mutex_unlock(&l->mu);
  free(line);
}
