/*
** Operational log (see log.h).  Each line is written with one write() so that
** lines from concurrent threads do not interleave.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <jansson.h>
#include "util/log.h"
#include "util/timeutil.h"

static int quiet_info;

void log_set_quiet(int quiet) { quiet_info = quiet; }

static void emit(const char *level, const char *fmt, va_list ap) {
  char msg[1024];
  char at[ISO_TIME_LEN];
  vsnprintf(msg, sizeof msg, fmt, ap);
  time_format_iso(time_now(), at);
  json_t *o = json_pack("{s:s,s:s,s:s}", "at", at, "level", level, "msg", msg);
  if (!o) return;
  char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(o);
  if (!line) return;
  char out[1400];
  int n = snprintf(out, sizeof out, "%s\n", line);
  free(line);
  if (n > 0) {
    ssize_t w = write(STDERR_FILENO, out, (size_t)n < sizeof out ? (size_t)n : sizeof out - 1);
    (void)w;
  }
}

void log_info(const char *fmt, ...) {
  if (quiet_info) return;
  va_list ap;
  va_start(ap, fmt);
  emit("info", fmt, ap);
  va_end(ap);
}

void log_warn(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  emit("warn", fmt, ap);
  va_end(ap);
}

void log_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  emit("error", fmt, ap);
  va_end(ap);
}
