/*
** libFuzzer target for the working-time calendar's parsers (core/calendar.h):
** calendar_load_csv on the input as a bank-holiday table ("date,name" header,
** then "YYYY-MM-DD,name" rows) and calendar_parse_hours on it as office hours
** ("HH:MM-HH:MM").  A table that loads must hold exactly the dates of its
** rows, sorted and without repeats, none of them a working day; a refusal
** names a line.  Accepted hours must be a non-empty span within one day that
** calendar_init takes, and written back as "HH:MM-HH:MM" they parse the same.
*/
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/calendar.h"
#include "util/timeutil.h"
#include "fuzz.h"

/* The day of a row starting "YYYY-MM-DD," (after the header), or false for any other row. */
static bool row_date(const char *row, size_t len, int64_t *day) {
  char date[11];
  if (len < 11 || row[10] != ',') return false;
  memcpy(date, row, 10);
  date[10] = '\0';
  return date_parse(date, day);
}

/* A loaded table holds exactly its rows' dates, in order, once each, and none is a working day. */
static void check_table(const char *text, const struct calendar *c) {
  for (size_t i = 1; i < c->nholidays; i++) CHECK(c->holidays[i - 1] < c->holidays[i]);
  size_t rows = 0;
  bool header = true;
  for (const char *p = text; *p;) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    int64_t day;
    if (!header && row_date(p, len, &day)) {
      CHECK(calendar_is_holiday(c, day));
      CHECK(!calendar_is_working_day(c, day));
      rows++;
    }
    header = false;
    p += len + (nl != NULL);
  }
  CHECK(c->nholidays <= rows);
  /* Every stored day is one of the rows' dates: the stored day formats to text found in the input. */
  for (size_t i = 0; i < c->nholidays; i++) {
    char date[ISO_DATE_LEN];
    date_format(c->holidays[i], date);
    CHECK(strstr(text, date) != NULL);
  }
}

/* Office hours: a span inside one day that calendar_init accepts and that survives being written back. */
static void check_hours(const char *s) {
  int open = -1, close = -1;
  if (!calendar_parse_hours(s, &open, &close)) return;
  CHECK(open >= 0 && open < close && close <= 24 * 60);
  struct calendar c;
  CHECK(calendar_init(&c, open, close) == 0);
  calendar_free(&c);
  char text[32];
  snprintf(text, sizeof text, "%02d:%02d-%02d:%02d", open / 60, open % 60, close / 60, close % 60);
  int open2 = -1, close2 = -1;
  CHECK(calendar_parse_hours(text, &open2, &close2));
  CHECK(open2 == open && close2 == close);
}

/* Loads the input as a holiday table and parses it as office hours. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text) abort();
  memcpy(text, data, size);
  text[size] = '\0';

  struct calendar c;
  CHECK(calendar_init(&c, 9 * 60, 17 * 60) == 0);
  char err[200] = "";
  int rc = calendar_load_csv(&c, text, err, sizeof err);
  CHECK(rc == 0 || rc == -1);
  if (rc == 0) check_table(text, &c);
  else CHECK(strncmp(err, "line ", 5) == 0);
  calendar_free(&c);

  check_hours(text);
  free(text);
  return 0;
}
