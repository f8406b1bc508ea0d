/*
** Unit tests for core/calendar, the statutory clock: the shipped bank
** holiday table against the England and Wales rules computed independently
** (Easter, first and last Mondays, substitute days), loading and refusing
** holiday CSV, office hours, working days, deadlines in working minutes and
** days across weekends, bank holidays and the GMT/BST change, and the
** inverse relation between adding and measuring working time.
*/
#include "testutil.h"

#include <sodium.h>
#include "core/calendar.h"
#include "util/embedded.h"
#include "util/timeutil.h"

/* Asserts instant GOT is WANT (ISO), printing both on failure. */
static void instant_is(int64_t got, const char *want) {
  char s[ISO_TIME_LEN];
  time_format_iso(got, s);
  if (strcmp(s, want) != 0) fail_msg("got %s, want %s", s, want);
}

/* A 09:00-17:00 calendar with the shipped England and Wales holidays. */
static void shipped(struct calendar *c) {
  char err[256];
  assert_int_equal(calendar_init(c, 9 * 60, 17 * 60), 0);
  const struct embedded_file *f = embedded_find("bank-holidays.csv");
  if (!f) fail_msg("bank-holidays.csv is not embedded");
  if (calendar_load_csv(c, f->data, err, sizeof err) != 0) fail_msg("shipped table refused: %s", err);
}

/* Easter Sunday of year Y (the anonymous Gregorian computus), as a day number. */
static int64_t easter(int y) {
  int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
  int h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
  int m = (a + 11 * h + 22 * l) / 451;
  int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
  return days_from_civil(y, month, day);
}

/* The first Monday on or after day D. */
static int64_t monday_on_or_after(int64_t d) { return d + (7 - weekday_from_days(d)) % 7; }

/* The England and Wales bank holidays of year Y under the standing rules (8 days, sorted). */
static void rules(int y, int64_t out[8]) {
  int64_t ny = days_from_civil(y, 1, 1);
  out[0] = weekday_from_days(ny) >= 5 ? monday_on_or_after(ny) : ny; /* at a weekend, the Monday after */
  out[1] = easter(y) - 2;                                         /* Good Friday */
  out[2] = easter(y) + 1;                                         /* Easter Monday */
  out[3] = monday_on_or_after(days_from_civil(y, 5, 1));          /* first Monday in May */
  out[4] = monday_on_or_after(days_from_civil(y, 5, 25));         /* last Monday in May */
  out[5] = monday_on_or_after(days_from_civil(y, 8, 25));         /* last Monday in August */
  int64_t xmas = days_from_civil(y, 12, 25);
  switch (weekday_from_days(xmas)) {
  case 4: out[6] = xmas, out[7] = xmas + 3; break;     /* Friday: Boxing Day moves to Monday */
  case 5: out[6] = xmas + 2, out[7] = xmas + 3; break; /* Saturday: Monday and Tuesday */
  case 6: out[6] = xmas + 1, out[7] = xmas + 2; break; /* Sunday: Monday and Tuesday */
  default: out[6] = xmas, out[7] = xmas + 1; break;
  }
}

/* The shipped table holds exactly the rule-made holidays for each year it covers. */
static void test_shipped_table_follows_the_rules(void **state) {
  (void)state;
  struct calendar c;
  shipped(&c);
  assert_true(c.nholidays >= 8 * 5);
  int y0, y1, m, d;
  civil_from_days(c.holidays[0], &y0, &m, &d);
  civil_from_days(c.holidays[c.nholidays - 1], &y1, &m, &d);
  size_t counted = 0;
  for (int y = y0; y <= y1; y++) {
    int64_t want[8];
    rules(y, want);
    for (int i = 0; i < 8; i++) {
      char s[ISO_DATE_LEN];
      date_format(want[i], s);
      if (!calendar_is_holiday(&c, want[i])) fail_msg("the table lacks %s", s);
      assert_false(calendar_is_working_day(&c, want[i]));
    }
    counted += 8;
  }
  /* Nothing else is in the table. */
  assert_int_equal(c.nholidays, counted);
  for (size_t i = 1; i < c.nholidays; i++) assert_true(c.holidays[i - 1] < c.holidays[i]);
  calendar_free(&c);
}

/* The computus itself against known Easter Sundays. */
static void test_easter_reference(void **state) {
  (void)state;
  assert_int_equal(easter(2024), days_from_civil(2024, 3, 31));
  assert_int_equal(easter(2025), days_from_civil(2025, 4, 20));
  assert_int_equal(easter(2026), days_from_civil(2026, 4, 5));
  assert_int_equal(easter(2038), days_from_civil(2038, 4, 25));
  assert_int_equal(easter(2285), days_from_civil(2285, 3, 22));
}

/* CSV loading: header required, CRLF and blank lines fine, repeats kept once, bad rows named by line. */
static void test_load_csv(void **state) {
  (void)state;
  struct calendar c;
  char err[256];
  assert_int_equal(calendar_init(&c, 540, 1020), 0);
  assert_int_equal(calendar_load_csv(&c, "date,name\r\n2026-12-25,Christmas Day\r\n\r\n2026-01-01,New Year\n"
                                         "2026-12-25,Again\n",
                                     err, sizeof err),
                   0);
  assert_int_equal(c.nholidays, 2);
  assert_true(calendar_is_holiday(&c, days_from_civil(2026, 1, 1)));
  assert_true(calendar_is_holiday(&c, days_from_civil(2026, 12, 25)));
  assert_false(calendar_is_holiday(&c, days_from_civil(2026, 12, 26)));
  calendar_free(&c);
  static const struct {
    const char *csv, *why;
  } bad[] = {
      {"when,name\n2026-01-01,x\n", "line 1"},
      {"date,name\n2026-02-29,x\n", "line 2: '2026-02-29' is not a real date"},
      {"date,name\n2026-01-01\n", "line 2: expected YYYY-MM-DD,name"},
      {"date,name\n2026-01-01,ok\n26-01-01,x\n", "line 3"},
      {"date,name\n01/01/2026,x\n", "line 2"},
  };
  for (size_t i = 0; i < TU_COUNT(bad); i++) {
    assert_int_equal(calendar_init(&c, 540, 1020), 0);
    err[0] = '\0';
    if (calendar_load_csv(&c, bad[i].csv, err, sizeof err) != -1) fail_msg("accepted: %s", bad[i].csv);
    if (!strstr(err, bad[i].why)) fail_msg("error '%s' lacks '%s'", err, bad[i].why);
    calendar_free(&c);
  }
  char longrow[400] = "date,name\n2026-01-01,";
  memset(longrow + strlen(longrow), 'x', 300);
  assert_int_equal(calendar_init(&c, 540, 1020), 0);
  assert_int_equal(calendar_load_csv(&c, longrow, err, sizeof err), -1);
  assert_non_null(strstr(err, "line 2: too long"));
  calendar_free(&c);
}

/* Office hours "HH:MM-HH:MM": opening before closing, closing at most 24:00. */
static void test_hours(void **state) {
  (void)state;
  int o = -1, cl = -1;
  assert_true(calendar_parse_hours("09:00-17:00", &o, &cl));
  assert_int_equal(o, 540);
  assert_int_equal(cl, 1020);
  assert_true(calendar_parse_hours("00:00-24:00", &o, &cl));
  assert_int_equal(cl, 1440);
  assert_true(calendar_parse_hours("08:30-18:15", &o, &cl));
  assert_int_equal(o, 510);
  assert_int_equal(cl, 1095);
  static const char *const bad[] = {"17:00-09:00", "09:00-09:00", "09:00-24:30", "25:00-26:00", "09:60-17:00",
                                    "09:00-17:00x", "09:00", "nine-five", "", "-1:00-17:00"};
  for (size_t i = 0; i < TU_COUNT(bad); i++) {
    if (calendar_parse_hours(bad[i], &o, &cl)) fail_msg("accepted hours '%s'", bad[i]);
  }
  struct calendar c;
  assert_int_equal(calendar_init(&c, 1020, 540), -1);
  assert_int_equal(calendar_init(&c, 540, 540), -1);
  assert_int_equal(calendar_init(&c, -1, 540), -1);
  assert_int_equal(calendar_init(&c, 0, 1441), -1);
  assert_int_equal(calendar_init(&c, 0, 1440), 0);
  calendar_free(&c);
}

/* Weekends and bank holidays are not working days. */
static void test_working_days(void **state) {
  (void)state;
  struct calendar c;
  shipped(&c);
  assert_true(calendar_is_working_day(&c, days_from_civil(2026, 11, 27)));  /* Friday */
  assert_false(calendar_is_working_day(&c, days_from_civil(2026, 11, 28))); /* Saturday */
  assert_false(calendar_is_working_day(&c, days_from_civil(2026, 11, 29))); /* Sunday */
  assert_true(calendar_is_working_day(&c, days_from_civil(2026, 11, 30)));  /* Monday */
  assert_false(calendar_is_working_day(&c, days_from_civil(2026, 12, 28))); /* Boxing Day substitute */
  assert_true(calendar_is_working_day(&c, days_from_civil(2026, 12, 29)));
  calendar_free(&c);
}

/* Deadlines in working hours across evenings, weekends, holidays and the clock change. */
static void test_add_working_minutes(void **state) {
  (void)state;
  struct calendar c;
  shipped(&c);
  /* Red RAG: 4 working hours from Friday 15:00 GMT is Monday 11:00. */
  instant_is(calendar_add_working_minutes(&c, tu_at("2026-01-09T15:00:00Z"), 240), "2026-01-12T11:00:00Z");
  /* The same in summer: local 15:00 BST is 14:00 UTC; Monday 11:00 BST is 10:00 UTC. */
  instant_is(calendar_add_working_minutes(&c, tu_at("2026-06-12T14:00:00Z"), 240), "2026-06-15T10:00:00Z");
  /* Over the weekend the clocks go forward. */
  instant_is(calendar_add_working_minutes(&c, tu_at("2026-03-27T16:00:00Z"), 120), "2026-03-30T09:00:00Z");
  /* Over the weekend they go back. */
  instant_is(calendar_add_working_minutes(&c, tu_at("2026-10-23T15:00:00Z"), 120), "2026-10-26T10:00:00Z");
  /* Easter: Thursday 16:00 BST, Good Friday and Easter Monday off, so Tuesday 10:00 BST. */
  instant_is(calendar_add_working_minutes(&c, tu_at("2026-04-02T15:00:00Z"), 120), "2026-04-07T09:00:00Z");
  /* Received on Saturday or at night: the clock starts at the next opening. */
  instant_is(calendar_add_working_minutes(&c, tu_at("2026-01-10T12:00:00Z"), 60), "2026-01-12T10:00:00Z");
  instant_is(calendar_add_working_minutes(&c, tu_at("2026-01-12T03:00:00Z"), 60), "2026-01-12T10:00:00Z");
  instant_is(calendar_add_working_minutes(&c, tu_at("2026-01-12T17:00:00Z"), 60), "2026-01-13T10:00:00Z");
  /* Exactly a day's hours ends at closing time the same day. */
  instant_is(calendar_add_working_minutes(&c, tu_at("2026-01-12T09:00:00Z"), 480), "2026-01-12T17:00:00Z");
  /* Amber: 24 working hours from Monday opening is Wednesday closing. */
  instant_is(calendar_add_working_minutes(&c, tu_at("2026-01-12T09:00:00Z"), 24 * 60), "2026-01-14T17:00:00Z");
  /* Nothing to add: the start itself, even at a weekend. */
  instant_is(calendar_add_working_minutes(&c, tu_at("2026-01-10T12:00:00Z"), 0), "2026-01-10T12:00:00Z");
  /* Christmas 2026: Thursday 24th 16:00, then Friday 25th and Monday 28th off, the weekend between. */
  instant_is(calendar_add_working_minutes(&c, tu_at("2026-12-24T16:00:00Z"), 120), "2026-12-29T10:00:00Z");
  calendar_free(&c);
}

/* Deadlines in working days. */
static void test_add_working_days(void **state) {
  (void)state;
  struct calendar c;
  shipped(&c);
  /* A referral decision within one working day. */
  instant_is(calendar_add_working_days(&c, tu_at("2026-01-13T10:00:00Z"), 1), "2026-01-14T10:00:00Z");
  instant_is(calendar_add_working_days(&c, tu_at("2026-01-16T10:00:00Z"), 1), "2026-01-19T10:00:00Z");
  /* A weekend referral is due at the end of Monday. */
  instant_is(calendar_add_working_days(&c, tu_at("2026-01-17T10:00:00Z"), 1), "2026-01-19T17:00:00Z");
  /* An assessment within 45 working days of Monday 5 January 2026 opening: Friday 6 March closing. */
  instant_is(calendar_add_working_days(&c, tu_at("2026-01-05T09:00:00Z"), 45), "2026-03-06T17:00:00Z");
  /* Fifteen working days over Easter 2026 (two bank holidays) from Monday 30 March 09:00 BST. */
  instant_is(calendar_add_working_days(&c, tu_at("2026-03-30T08:00:00Z"), 15), "2026-04-21T16:00:00Z");
  calendar_free(&c);
}

/* Measuring working time: known spans, and the inverse of adding it. */
static void test_working_minutes_between(void **state) {
  (void)state;
  struct calendar c;
  shipped(&c);
  assert_int_equal(calendar_working_minutes_between(&c, tu_at("2026-01-09T15:00:00Z"), tu_at("2026-01-12T11:00:00Z")), 240);
  assert_int_equal(calendar_working_minutes_between(&c, tu_at("2026-01-10T00:00:00Z"), tu_at("2026-01-11T23:59:59Z")), 0);
  assert_int_equal(calendar_working_minutes_between(&c, tu_at("2026-01-12T17:00:00Z"), tu_at("2026-01-12T09:00:00Z")), 0);
  assert_int_equal(calendar_working_minutes_between(&c, tu_at("2026-01-12T00:00:00Z"), tu_at("2026-01-17T00:00:00Z")),
                   5 * 480);
  /* In summer a working day still has eight hours. */
  assert_int_equal(calendar_working_minutes_between(&c, tu_at("2026-06-15T00:00:00Z"), tu_at("2026-06-16T00:00:00Z")), 480);
  /* For any start and any amount, measuring from the start to the deadline gives the amount back. */
  int64_t from = tu_at("2025-12-01T00:00:00Z");
  for (int i = 0; i < 2000; i++) {
    int64_t t = from + (int64_t)randombytes_uniform(3 * 365 * 86400);
    int64_t m = 1 + (int64_t)randombytes_uniform(45 * 480);
    int64_t due = calendar_add_working_minutes(&c, t, m);
    assert_true(due > t);
    if (calendar_working_minutes_between(&c, t, due) != m) {
      char s[ISO_TIME_LEN];
      time_format_iso(t, s);
      fail_msg("from %s adding %lld minutes does not measure back", s, (long long)m);
    }
    /* The deadline always falls within office hours on a working day. */
    int64_t local = due + london_offset_seconds(due);
    int64_t day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    int64_t sec = local - day * 86400;
    assert_true(calendar_is_working_day(&c, day));
    assert_true(sec > 540 * 60 && sec <= 1020 * 60);
  }
  calendar_free(&c);
}

/* Local London time back to UTC, summer and winter. */
static void test_local_to_utc(void **state) {
  (void)state;
  int64_t d = days_from_civil(2026, 6, 15);
  assert_int_equal(london_local_to_utc(d * 86400 + 9 * 3600), tu_at("2026-06-15T08:00:00Z"));
  d = days_from_civil(2026, 1, 15);
  assert_int_equal(london_local_to_utc(d * 86400 + 9 * 3600), tu_at("2026-01-15T09:00:00Z"));
  /* The first local hours after each change. */
  d = days_from_civil(2026, 3, 29);
  assert_int_equal(london_local_to_utc(d * 86400 + 3 * 3600), tu_at("2026-03-29T02:00:00Z"));
  d = days_from_civil(2026, 10, 25);
  assert_int_equal(london_local_to_utc(d * 86400 + 3 * 3600), tu_at("2026-10-25T03:00:00Z"));
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_shipped_table_follows_the_rules),
      cmocka_unit_test(test_easter_reference),
      cmocka_unit_test(test_load_csv),
      cmocka_unit_test(test_hours),
      cmocka_unit_test(test_working_days),
      cmocka_unit_test(test_add_working_minutes),
      cmocka_unit_test(test_add_working_days),
      cmocka_unit_test(test_working_minutes_between),
      cmocka_unit_test(test_local_to_utc),
  };
  return cmocka_run_group_tests_name("calendar", tests, NULL, NULL);
}
