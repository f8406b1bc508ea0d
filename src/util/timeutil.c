/*
** Time and date handling (see timeutil.h).  Civil-date conversions use
** Howard Hinnant's days-from-civil algorithms, valid for the whole proleptic
** Gregorian calendar.
*/
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "util/timeutil.h"

/* Current time in whole seconds since the epoch, UTC. */
int64_t time_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec;
}

int64_t time_mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int *y, int *m, int *d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yoe + era * 400 + (*m <= 2));
}

int weekday_from_days(int64_t days) {
  /* 1970-01-01 was a Thursday (3 when Monday is 0). */
  int64_t w = (days + 3) % 7;
  return (int)(w < 0 ? w + 7 : w);
}

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* True when Y-M-D names a real day in years 1..9999. */
bool date_valid(int y, int m, int d) {
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  int max = mdays[m - 1] + (m == 2 && is_leap(y));
  return d <= max;
}

static void put_digits(char *out, int v, int n) {
  for (int i = n - 1; i >= 0; i--) {
    out[i] = (char)('0' + v % 10);
    v /= 10;
  }
}

/* Writes T as "YYYY-MM-DDTHH:MM:SSZ". */
void time_format_iso(int64_t t, char out[ISO_TIME_LEN]) {
  int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
  int secs = (int)(t - days * 86400);
  date_format(days, out);
  out[10] = 'T';
  put_digits(out + 11, secs / 3600, 2);
  out[13] = ':';
  put_digits(out + 14, secs / 60 % 60, 2);
  out[16] = ':';
  put_digits(out + 17, secs % 60, 2);
  out[19] = 'Z';
  out[20] = '\0';
}

/* Writes day number DAYS as "YYYY-MM-DD" (years outside 0..9999 wrap). */
void date_format(int64_t days, char out[ISO_DATE_LEN]) {
  int y, m, d;
  civil_from_days(days, &y, &m, &d);
  put_digits(out, ((y % 10000) + 10000) % 10000, 4);
  out[4] = '-';
  put_digits(out + 5, m, 2);
  out[7] = '-';
  put_digits(out + 8, d, 2);
  out[10] = '\0';
}

static bool digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

/* Parses exactly "YYYY-MM-DD" naming a real day; stores days since epoch. */
bool date_parse(const char *s, int64_t *days_out) {
  int y, m, d;
  if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!digits(s, 4, &y) || !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d)) return false;
  if (!date_valid(y, m, d)) return false;
  *days_out = days_from_civil(y, m, d);
  return true;
}

/*
** Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" and stores the
** instant in epoch seconds (fractions truncated).  A time without a zone is
** refused: an ambiguous instant on a statutory clock is worse than an error.
*/
bool time_parse_iso(const char *s, int64_t *out) {
  int64_t days;
  char date[11];
  int hh, mi, ss;
  if (strlen(s) < 20) return false;
  memcpy(date, s, 10);
  date[10] = '\0';
  if (!date_parse(date, &days)) return false;
  if (s[10] != 'T' && s[10] != 't') return false;
  if (!digits(s + 11, 2, &hh) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
      !digits(s + 17, 2, &ss))
    return false;
  if (hh > 23 || mi > 59 || ss > 59) return false;
  const char *p = s + 19;
  if (*p == '.') {
    p++;
    if (*p < '0' || *p > '9') return false;
    while (*p >= '0' && *p <= '9') p++;
  }
  int offset = 0;
  if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
    offset = 0;
  } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
    int oh, om;
    if (!digits(p + 1, 2, &oh) || !digits(p + 4, 2, &om) || oh > 23 || om > 59) return false;
    offset = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
  } else {
    return false;
  }
  int64_t t = days * 86400 + hh * 3600 + mi * 60 + ss - offset;
  /* An offset must not carry the instant outside years 1..9999, where it could not be written back. */
  if (t < -62135596800LL || t > 253402300799LL) return false;
  *out = t;
  return true;
}

/* The day number of the last Sunday of month M in year Y. */
static int64_t last_sunday(int y, int m) {
  int64_t first_next = m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1);
  int64_t last = first_next - 1;
  return last - ((weekday_from_days(last) + 1) % 7);
}

/*
** Offset of Europe/London from UTC at instant T: 3600 during British Summer
** Time (01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday
** of October), else 0.  The rule has held since 1996.
*/
int london_offset_seconds(int64_t t) {
  int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
  int y, m, d;
  civil_from_days(days, &y, &m, &d);
  int64_t start = last_sunday(y, 3) * 86400 + 3600;
  int64_t end = last_sunday(y, 10) * 86400 + 3600;
  return (t >= start && t < end) ? 3600 : 0;
}

/* Today's date in Europe/London as days since the epoch. */
int64_t london_today(int64_t now) {
  int64_t local = now + london_offset_seconds(now);
  return local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
}

/* Whole years between DOB and TODAY (both day numbers). */
int age_in_years(int64_t dob_days, int64_t today_days) {
  int y1, m1, d1, y2, m2, d2;
  civil_from_days(dob_days, &y1, &m1, &d1);
  civil_from_days(today_days, &y2, &m2, &d2);
  int age = y2 - y1;
  if (m2 < m1 || (m2 == m1 && d2 < d1)) age--;
  return age;
}
