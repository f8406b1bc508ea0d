/*
** libFuzzer target for dates and instants (util/timeutil.h): date_parse and
** time_parse_iso.  The input, up to its first NUL, is parsed both ways.  Each
** verdict is compared with a reference grammar written from the header's
** description; an accepted date formats back to exactly itself; an accepted
** instant equals what glibc's timegm computes for the same fields and zone
** offset, and formatting it gives text that parses back to the same instant.
** The Europe/London helpers are checked on every accepted instant.
*/
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "util/timeutil.h"
#include "fuzz.h"

/* Reads N decimal digits at S into *OUT; false if any is not a digit. */
static bool num(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

/* Reference calendar rule: a real Gregorian day in years 1 to 9999. */
static bool ref_real_day(int y, int m, int d) {
  static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= len[m - 1] + (m == 2 && leap);
}

/* Reference for "YYYY-MM-DD" at the start of S; fills Y, M, D. */
static bool ref_date_fields(const char *s, int *y, int *m, int *d) {
  return num(s, 4, y) && s[4] == '-' && num(s + 5, 2, m) && s[7] == '-' && num(s + 8, 2, d) &&
         ref_real_day(*y, *m, *d);
}

/* The instant of the given UTC fields, by glibc rather than by the code under test. */
static int64_t ref_epoch(int y, int m, int d, int hh, int mi, int ss) {
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  tm.tm_year = y - 1900;
  tm.tm_mon = m - 1;
  tm.tm_mday = d;
  tm.tm_hour = hh;
  tm.tm_min = mi;
  tm.tm_sec = ss;
  return (int64_t)timegm(&tm);
}

/*
** Reference grammar: DATE ("T"|"t") HH ":" MM ":" SS ["." DIGIT+] ("Z"|"z"|("+"|"-") HH ":" MM),
** with hours 0-23, minutes and seconds 0-59 (no leap second), the zone's hours 0-23 and minutes
** 0-59, and nothing after.  Fills *OUT with the instant.
*/
static bool ref_instant(const char *s, int64_t *out) {
  int y, m, d, hh, mi, ss;
  if (strlen(s) < 20) return false;
  if (!ref_date_fields(s, &y, &m, &d)) return false;
  if (s[10] != 'T' && s[10] != 't') return false;
  if (!num(s + 11, 2, &hh) || s[13] != ':' || !num(s + 14, 2, &mi) || s[16] != ':' || !num(s + 17, 2, &ss))
    return false;
  if (hh > 23 || mi > 59 || ss > 59) return false;
  const char *p = s + 19;
  if (*p == '.') {
    p++;
    if (*p < '0' || *p > '9') return false;
    while (*p >= '0' && *p <= '9') p++;
  }
  int offset;
  if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0') {
    offset = 0;
  } else if (p[0] == '+' || p[0] == '-') {
    int oh, om;
    if (!num(p + 1, 2, &oh) || p[3] != ':' || !num(p + 4, 2, &om) || p[6] != '\0') return false;
    if (oh > 23 || om > 59) return false;
    offset = (oh * 60 + om) * 60 * (p[0] == '-' ? -1 : 1);
  } else {
    return false;
  }
  *out = ref_epoch(y, m, d, hh, mi, ss) - offset;
  /* The instant itself must lie in years 1..9999 (0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z). */
  return *out >= -62135596800LL && *out <= 253402300799LL;
}

/* Dates: verdict as the reference; an accepted date formats back to itself and agrees with glibc. */
static void check_date(const char *s) {
  int64_t days = INT64_MIN;
  int y, m, d;
  bool ok = date_parse(s, &days);
  bool ref = strlen(s) == 10 && ref_date_fields(s, &y, &m, &d);
  CHECK(ok == ref);
  if (!ok) return;
  /* Formats back to itself, agrees with timegm, and the civil fields round-trip. */
  char out[ISO_DATE_LEN];
  date_format(days, out);
  CHECK(strcmp(out, s) == 0);
  CHECK(days * 86400 == ref_epoch(y, m, d, 0, 0, 0));
  int cy, cm, cd;
  civil_from_days(days, &cy, &cm, &cd);
  CHECK(cy == y && cm == m && cd == d);
  CHECK(days_from_civil(y, m, d) == days);
  CHECK(date_valid(y, m, d));
  int wd = weekday_from_days(days);
  struct tm tm;
  time_t t = (time_t)days * 86400;
  gmtime_r(&t, &tm);
  CHECK(wd == (tm.tm_wday + 6) % 7);
  /* A child's age is never negative on or after the birth date, and a year on adds one. */
  CHECK(age_in_years(days, days) == 0);
  if (y <= 9998 && !(m == 2 && d == 29)) CHECK(age_in_years(days, days_from_civil(y + 1, m, d)) == 1);
}

/* Instants: verdict and value as the reference, round trip through the formatter, London offset. */
static void check_instant(const char *s) {
  int64_t t = INT64_MIN, ref_t = INT64_MIN;
  bool ok = time_parse_iso(s, &t);
  CHECK(ok == ref_instant(s, &ref_t));
  if (!ok) return;
  CHECK(t == ref_t);
  /* The formatted instant is the canonical text of the same moment. */
  char out[ISO_TIME_LEN];
  time_format_iso(t, out);
  CHECK(strlen(out) == 20);
  int64_t back = INT64_MIN;
  CHECK(time_parse_iso(out, &back));
  CHECK(back == t);
  size_t n = strlen(s);
  if (n == 20 && s[10] == 'T' && s[19] == 'Z') CHECK(strcmp(out, s) == 0);
  /* London is on GMT or BST, and its calendar day is the UTC day or the next. */
  int off = london_offset_seconds(t);
  CHECK(off == 0 || off == 3600);
  int y, m, d;
  civil_from_days(t >= 0 ? t / 86400 : -((-t + 86399) / 86400), &y, &m, &d);
  if (m < 3 || m > 10) CHECK(off == 0);
  if (m > 3 && m < 10) CHECK(off == 3600);
  int64_t utc_day = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
  int64_t local_day = london_today(t);
  CHECK(local_day == utc_day || local_day == utc_day + 1);
}

/* Parses the input as a date and as an instant. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (!s) abort();
  memcpy(s, data, size);
  s[size] = '\0';
  check_date(s);
  check_instant(s);
  free(s);
  return 0;
}
