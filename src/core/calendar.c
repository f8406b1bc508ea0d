/*
** Working time (see calendar.h).
**
** Instants are UTC seconds; the walk over days happens in London local
** seconds (UTC plus the GMT/BST offset) so that "09:00" means 09:00 on the
** office's clock all year.  Office hours never straddle the 01:00 UTC
** change-over, so converting a local time inside them back to UTC is exact.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/calendar.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define DAY 86400

/* Sets up an empty calendar with office hours [OPEN_MINUTE, CLOSE_MINUTE). 0, or -1 on bad hours. */
int calendar_init(struct calendar *c, int open_minute, int close_minute) {
  memset(c, 0, sizeof *c);
  if (open_minute < 0 || close_minute > 24 * 60 || open_minute >= close_minute) return -1;
  c->open_minute = open_minute;
  c->close_minute = close_minute;
  return 0;
}

void calendar_free(struct calendar *c) {
  free(c->holidays);
  c->holidays = NULL;
  c->nholidays = 0;
}

/* Adds DAY to the holiday table, keeping it sorted and free of repeats. */
int calendar_add_holiday(struct calendar *c, int64_t day) {
  size_t i = 0;
  while (i < c->nholidays && c->holidays[i] < day) i++;
  if (i < c->nholidays && c->holidays[i] == day) return 0;
  c->holidays = xrealloc(c->holidays, (c->nholidays + 1) * sizeof *c->holidays);
  memmove(c->holidays + i + 1, c->holidays + i, (c->nholidays - i) * sizeof *c->holidays);
  c->holidays[i] = day;
  c->nholidays++;
  return 0;
}

/*
** Loads holidays from CSV text with a header "date,name" and rows
** "YYYY-MM-DD,Name".  Returns 0, or -1 with ERR naming the line and reason.
*/
int calendar_load_csv(struct calendar *c, const char *text, char *err, size_t errlen) {
  int line = 0;
  const char *p = text;
  while (*p) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    line++;
    char row[256];
    if (len >= sizeof row) {
      snprintf(err, errlen, "line %d: too long", line);
      return -1;
    }
    memcpy(row, p, len);
    row[len] = '\0';
    if (len && row[len - 1] == '\r') row[len - 1] = '\0';
    p = nl ? nl + 1 : p + len;
    if (line == 1) {
      if (strncmp(row, "date,", 5) != 0) {
        snprintf(err, errlen, "line 1: expected the header 'date,name'");
        return -1;
      }
      continue;
    }
    if (!row[0]) continue;
    char date[11];
    int64_t day;
    if (strlen(row) < 11 || row[10] != ',') {
      snprintf(err, errlen, "line %d: expected YYYY-MM-DD,name", line);
      return -1;
    }
    memcpy(date, row, 10);
    date[10] = '\0';
    if (!date_parse(date, &day)) {
      snprintf(err, errlen, "line %d: '%s' is not a real date", line, date);
      return -1;
    }
    calendar_add_holiday(c, day);
  }
  return 0;
}

/* Parses office hours "HH:MM-HH:MM" into minutes after midnight. */
bool calendar_parse_hours(const char *s, int *open_minute, int *close_minute) {
  int h1, m1, h2, m2;
  char extra;
  if (sscanf(s, "%d:%d-%d:%d%c", &h1, &m1, &h2, &m2, &extra) != 4) return false;
  if (h1 < 0 || h1 > 23 || m1 < 0 || m1 > 59 || h2 < 0 || h2 > 24 || m2 < 0 || m2 > 59) return false;
  int open = h1 * 60 + m1, close = h2 * 60 + m2;
  if (open >= close || close > 24 * 60) return false;
  /* The outputs change only on success, so a caller's defaults survive a bad value. */
  *open_minute = open;
  *close_minute = close;
  return true;
}

bool calendar_is_holiday(const struct calendar *c, int64_t day) {
  size_t lo = 0, hi = c->nholidays;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (c->holidays[mid] < day) lo = mid + 1;
    else hi = mid;
  }
  return lo < c->nholidays && c->holidays[lo] == day;
}

/* True for Monday to Friday that is not a bank holiday. */
bool calendar_is_working_day(const struct calendar *c, int64_t day) {
  return weekday_from_days(day) < 5 && !calendar_is_holiday(c, day);
}

static int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/* The UTC instant of London local time LOCAL (seconds). */
int64_t london_local_to_utc(int64_t local) {
  int64_t u = local - london_offset_seconds(local);
  int off = london_offset_seconds(u);
  return local - off;
}

/*
** The instant at which MINUTES of working time will have passed since T.
** Time outside office hours, at weekends and on bank holidays does not count:
** a clock started on Saturday begins on Monday morning.
*/
int64_t calendar_add_working_minutes(const struct calendar *c, int64_t t, int64_t minutes) {
  if (minutes <= 0) return t;
  int64_t remaining = minutes * 60;
  int64_t local = t + london_offset_seconds(t);
  int64_t day = floor_div(local, DAY);
  int64_t sec = local - day * DAY;
  int64_t open = (int64_t)c->open_minute * 60, close = (int64_t)c->close_minute * 60;
  for (int guard = 0; guard < 366 * 200; guard++) {
    if (calendar_is_working_day(c, day)) {
      if (sec < open) sec = open;
      if (sec < close) {
        int64_t avail = close - sec;
        if (remaining <= avail) return london_local_to_utc(day * DAY + sec + remaining);
        remaining -= avail;
      }
    }
    day++;
    sec = 0;
  }
  return t; /* not reached with a sane calendar */
}

/* The instant DAYS working days after T (a working day being the office's day). */
int64_t calendar_add_working_days(const struct calendar *c, int64_t t, int64_t days) {
  return calendar_add_working_minutes(c, t, days * (c->close_minute - c->open_minute));
}

/* Working minutes from FROM to TO (0 when TO is not after FROM). */
int64_t calendar_working_minutes_between(const struct calendar *c, int64_t from, int64_t to) {
  if (to <= from) return 0;
  int64_t total = 0;
  int64_t lf = from + london_offset_seconds(from), lt = to + london_offset_seconds(to);
  int64_t open = (int64_t)c->open_minute * 60, close = (int64_t)c->close_minute * 60;
  for (int64_t day = floor_div(lf, DAY); day <= floor_div(lt, DAY); day++) {
    if (!calendar_is_working_day(c, day)) continue;
    int64_t a = day * DAY + open, b = day * DAY + close;
    if (a < lf) a = lf;
    if (b > lt) b = lt;
    if (b > a) total += b - a;
  }
  return total / 60;
}
