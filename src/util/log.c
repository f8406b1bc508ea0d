/*
** Operational log (see log.h).  Each line is written with one write() so that
** lines from concurrent threads do not interleave.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "util/log.h"
#include "util/timeutil.h"

static int quiet_info;

/* With QUIET set, info lines are dropped (warnings and errors still go out). */
void log_set_quiet(int quiet) { quiet_info = quiet; }

/*
** Writes one log line at LEVEL.  The message is cut at 1023 bytes; the JSON
** line around it is written whole, with its newline, however much escaping
** grew it, so that a long message never runs into the next line.
*/
static void emit(const char *level, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
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
  size_t n = strlen(line);
  char *out = realloc(line, n + 2);
  if (!out) {
    free(line);
    return;
  }
  out[n] = '\n';
  out[n + 1] = '\0';
  ssize_t w = write(STDERR_FILENO, out, n + 1);
  (void)w;
  free(out);
}

/* Logs at level info, printf-style. */
void log_info(const char *fmt, ...) {
  if (quiet_info) return;
  va_list ap;
  va_start(ap, fmt);
  emit("info", fmt, ap);
  va_end(ap);
}

/* Logs at level warn, printf-style. */
void log_warn(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  emit("warn", fmt, ap);
  va_end(ap);
}

/* Logs at level error, printf-style. */
void log_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  emit("error", fmt, ap);
  va_end(ap);
}
