/*
** Unit tests for util/timeutil: strict ISO 8601 parsing and formatting,
** civil-date arithmetic over the whole supported range, weekdays, the
** Europe/London offset at the statutory BST boundaries (checked against the
** system's tz database as an independent oracle), london_today around
** midnight, and ages on birthdays including 29 February.
*/
#include "testutil.h"

#include <time.h>
#include "util/timeutil.h"

/* Parses S, which must be accepted, and returns the instant. */
static int64_t parse_ok(const char *s) {
  int64_t t = 0;
  if (!time_parse_iso(s, &t)) fail_msg("refused: %s", s);
  return t;
}

/* Day number of a date string that must parse. */
static int64_t day_of(const char *s) {
  int64_t d = 0;
  if (!date_parse(s, &d)) fail_msg("date refused: %s", s);
  return d;
}

/* UTC instants with a zone designator, offsets and fractions. */
static void test_parse_zones_and_fractions(void **state) {
  (void)state;
  assert_int_equal(parse_ok("2026-11-28T10:00:00Z"), 1795860000);
  assert_int_equal(parse_ok("2026-11-28t10:00:00z"), 1795860000);
  assert_int_equal(parse_ok("2026-11-28T10:00:00+00:00"), 1795860000);
  assert_int_equal(parse_ok("2026-11-28T10:00:00-00:00"), 1795860000);
  /* +01:00 local 10:00 is 09:00 UTC; -05:30 local 10:00 is 15:30 UTC. */
  assert_int_equal(parse_ok("2026-11-28T10:00:00+01:00"), 1795860000 - 3600);
  assert_int_equal(parse_ok("2026-11-28T10:00:00-05:30"), 1795860000 + 5 * 3600 + 1800);
  assert_int_equal(parse_ok("2026-11-28T10:00:00+23:59"), 1795860000 - 23 * 3600 - 59 * 60);
  /* An offset can move the instant onto another UTC day. */
  assert_int_equal(parse_ok("2026-11-29T00:30:00+01:00"), parse_ok("2026-11-28T23:30:00Z"));
  /* Fractions are truncated, whatever their length. */
  assert_int_equal(parse_ok("2026-11-28T10:00:00.5Z"), 1795860000);
  assert_int_equal(parse_ok("2026-11-28T10:00:00.999999999Z"), 1795860000);
  assert_int_equal(parse_ok("2026-11-28T10:00:59.123+01:00"), 1795860000 - 3600 + 59);
  assert_int_equal(parse_ok("1969-12-31T23:59:59Z"), -1);
  assert_int_equal(parse_ok("0001-01-01T00:00:00Z"), -62135596800LL);
  assert_int_equal(parse_ok("9999-12-31T23:59:59Z"), 253402300799LL);
  assert_int_equal(parse_ok("2024-02-29T12:00:00Z"), 1709208000);
}

/* Anything ambiguous or impossible is refused, and the output is left alone. */
static void test_parse_refusals(void **state) {
  (void)state;
  static const char *const bad[] = {
      "",
      "2026-11-28",
      "2026-11-28T10:00:00",       /* no zone: ambiguous on a statutory clock */
      "2026-11-28T10:00Z",         /* seconds are required */
      "2026-11-28 10:00:00Z",      /* space instead of T */
      "2025-02-29T00:00:00Z",      /* not a leap year */
      "1900-02-29T00:00:00Z",      /* century, not a leap year */
      "2025-04-31T00:00:00Z",
      "2025-13-01T00:00:00Z",
      "2025-00-10T00:00:00Z",
      "2025-01-00T00:00:00Z",
      "0000-01-01T00:00:00Z",
      "2025-01-01T24:00:00Z",      /* 24:00 is refused rather than rolled over */
      "2025-01-01T23:60:00Z",
      "2025-01-01T23:59:60Z",      /* no leap seconds */
      "2025-01-01T10:00:00.Z",     /* a dot needs digits */
      "2025-01-01T10:00:00.5",     /* fraction without zone */
      "2025-01-01T10:00:00+0100",  /* offset needs its colon */
      "2025-01-01T10:00:00+01",
      "2025-01-01T10:00:00+24:00",
      "2025-01-01T10:00:00+01:60",
      "2025-01-01T10:00:00+01:00x",
      "2025-01-01T10:00:00Zjunk",
      "2025-01-01T10:00:00ZZ",
      "2025-1-01T10:00:00Z",
      "2025-01-01T1:00:00Z",
      "+2025-01-01T10:00:00Z",
      "2025-01-01T10:00:00 Z",
      "2025-01-01T10:0a:00Z",
      "2025-01-01T10:00:00UTC",
      "2025/01/01T10:00:00Z",
  };
  for (size_t i = 0; i < TU_COUNT(bad); i++) {
    int64_t t = 42;
    if (time_parse_iso(bad[i], &t)) fail_msg("accepted: '%s'", bad[i]);
    assert_int_equal(t, 42);
  }
}

/* Formatting gives the contract's shape and parses back to the same instant. */
static void test_format_round_trip(void **state) {
  (void)state;
  char s[ISO_TIME_LEN];
  time_format_iso(1795860000, s);
  assert_string_equal(s, "2026-11-28T10:00:00Z");
  time_format_iso(0, s);
  assert_string_equal(s, "1970-01-01T00:00:00Z");
  time_format_iso(-1, s);
  assert_string_equal(s, "1969-12-31T23:59:59Z");
  time_format_iso(-86400, s);
  assert_string_equal(s, "1969-12-31T00:00:00Z");
  time_format_iso(-86401, s);
  assert_string_equal(s, "1969-12-30T23:59:59Z");
  time_format_iso(951868800 - 1, s); /* the end of 29 February 2000 */
  assert_string_equal(s, "2000-02-29T23:59:59Z");
  time_format_iso(253402300799LL, s);
  assert_string_equal(s, "9999-12-31T23:59:59Z");
  time_format_iso(-62135596800LL, s);
  assert_string_equal(s, "0001-01-01T00:00:00Z");

  /* A sweep of instants across centuries, on odd strides so every field moves. */
  for (int64_t t = -62135596800LL; t < 253402300799LL; t += 7777777 + 13) {
    int64_t back = 0;
    time_format_iso(t, s);
    assert_int_equal(strlen(s), ISO_TIME_LEN - 1);
    if (!time_parse_iso(s, &back)) fail_msg("own output refused: %s", s);
    assert_int_equal(back, t);
  }
  /* Agrees with the C library's gmtime_r on a sweep of the 64-bit time_t range we use. */
  for (int64_t t = -2208988800LL; t < 4102444800LL; t += 86399 * 37 + 1) {
    struct tm tm;
    char want[ISO_TIME_LEN];
    time_t tt = (time_t)t;
    gmtime_r(&tt, &tm);
    strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%SZ", &tm);
    time_format_iso(t, s);
    assert_string_equal(s, want);
  }
}

/* date_parse and date_format: exact shape, real days only. */
static void test_dates(void **state) {
  (void)state;
  char s[ISO_DATE_LEN];
  assert_int_equal(day_of("1970-01-01"), 0);
  assert_int_equal(day_of("2000-03-01"), 11017);
  assert_int_equal(day_of("2024-02-29"), 19782);
  assert_int_equal(day_of("0001-01-01"), -719162);
  assert_int_equal(day_of("9999-12-31"), 2932896);
  date_format(19782, s);
  assert_string_equal(s, "2024-02-29");
  date_format(-1, s);
  assert_string_equal(s, "1969-12-31");
  static const char *const bad[] = {"2025-02-29", "2100-02-29", "2025-06-31", "2025-6-01", "2025-06-1",
                                    "20250601",   "2025-06-01T", " 2025-06-01", "2025-06-01 ", "",
                                    "0000-12-31", "2025-12-32",  "abcd-ef-gh", "2025_06_01"};
  for (size_t i = 0; i < TU_COUNT(bad); i++) {
    int64_t d = 7;
    if (date_parse(bad[i], &d)) fail_msg("date accepted: '%s'", bad[i]);
    assert_int_equal(d, 7);
  }
  assert_true(date_valid(2000, 2, 29));
  assert_true(date_valid(2024, 2, 29));
  assert_false(date_valid(1900, 2, 29));
  assert_false(date_valid(2023, 2, 29));
  assert_true(date_valid(1600, 2, 29));
  assert_false(date_valid(0, 1, 1));
  assert_false(date_valid(10000, 1, 1));
  assert_false(date_valid(2025, 0, 1));
  assert_false(date_valid(2025, 12, 0));
}

/* days_from_civil and civil_from_days are inverse, step one day at a time, and agree with known values. */
static void test_civil_days(void **state) {
  (void)state;
  assert_int_equal(days_from_civil(1970, 1, 1), 0);
  assert_int_equal(days_from_civil(1969, 12, 31), -1);
  assert_int_equal(days_from_civil(1900, 3, 1), -25508);
  assert_int_equal(days_from_civil(1600, 2, 29), -135081);
  assert_int_equal(days_from_civil(2000, 3, 1), 11017);
  assert_int_equal(days_from_civil(1, 1, 1), -719162);
  assert_int_equal(days_from_civil(9999, 12, 31), 2932896);
  /* Far before year 1 (proleptic, negative years) the inverse still holds. */
  int y, m, d;
  civil_from_days(days_from_civil(-4713, 11, 24), &y, &m, &d);
  assert_int_equal(y, -4713);
  assert_int_equal(m, 11);
  assert_int_equal(d, 24);

  /* Every day from year 1 to 9999: consecutive, valid, and round-tripping. */
  int py = 0, pm = 12, pd = 31;
  for (int64_t z = -719162; z <= 2932896; z++) {
    civil_from_days(z, &y, &m, &d);
    if (!date_valid(y, m, d)) fail_msg("invalid civil date for day %lld", (long long)z);
    if (days_from_civil(y, m, d) != z) fail_msg("round trip broke at day %lld", (long long)z);
    /* The next day after (py,pm,pd): same month and d = pd+1, or the 1st of the next month. */
    bool next_in_month = y == py && m == pm && d == pd + 1;
    bool next_month = d == 1 && ((m == pm + 1 && y == py) || (m == 1 && pm == 12 && y == py + 1));
    if (!next_in_month && !next_month) fail_msg("day %lld does not follow the previous one", (long long)z);
    py = y;
    pm = m;
    pd = d;
  }
  /* Leap years have 366 days, others 365, across the Gregorian rules. */
  assert_int_equal(days_from_civil(2001, 1, 1) - days_from_civil(2000, 1, 1), 366);
  assert_int_equal(days_from_civil(1901, 1, 1) - days_from_civil(1900, 1, 1), 365);
  assert_int_equal(days_from_civil(2025, 1, 1) - days_from_civil(2024, 1, 1), 366);
  assert_int_equal(days_from_civil(2401, 1, 1) - days_from_civil(2001, 1, 1), 146097);
}

/* Monday is 0; checked against known days either side of the epoch. */
static void test_weekday(void **state) {
  (void)state;
  assert_int_equal(weekday_from_days(0), 3);                              /* Thursday 1970-01-01 */
  assert_int_equal(weekday_from_days(-1), 2);                             /* Wednesday */
  assert_int_equal(weekday_from_days(days_from_civil(1900, 1, 1)), 0);    /* Monday */
  assert_int_equal(weekday_from_days(days_from_civil(1, 1, 1)), 0);       /* Monday */
  assert_int_equal(weekday_from_days(days_from_civil(2026, 11, 28)), 5);  /* Saturday */
  assert_int_equal(weekday_from_days(days_from_civil(2024, 2, 29)), 3);   /* Thursday */
  assert_int_equal(weekday_from_days(days_from_civil(9999, 12, 31)), 4);  /* Friday */
  assert_int_equal(weekday_from_days(days_from_civil(1600, 2, 29)), 1);   /* Tuesday */
  for (int64_t z = -1000; z < 1000; z++) {
    int w = weekday_from_days(z);
    assert_true(w >= 0 && w <= 6);
    assert_int_equal((w + 1) % 7, weekday_from_days(z + 1));
  }
}

/* BST begins and ends at 01:00 UTC on the last Sundays of March and October, to the second. */
static void test_london_boundaries(void **state) {
  (void)state;
  static const int64_t starts[] = {828234000, 1711846800, 1743296400, 1774746000};
  static const int64_t ends[] = {846378000, 1729990800, 1761440400, 1792890000};
  for (size_t i = 0; i < TU_COUNT(starts); i++) {
    assert_int_equal(london_offset_seconds(starts[i] - 1), 0);
    assert_int_equal(london_offset_seconds(starts[i]), 3600);
    assert_int_equal(london_offset_seconds(ends[i] - 1), 3600);
    assert_int_equal(london_offset_seconds(ends[i]), 0);
  }
  /* Midwinter and midsummer, and the start of a year. */
  assert_int_equal(london_offset_seconds(parse_ok("2025-01-15T12:00:00Z")), 0);
  assert_int_equal(london_offset_seconds(parse_ok("2025-07-15T12:00:00Z")), 3600);
  assert_int_equal(london_offset_seconds(parse_ok("2025-12-31T23:59:59Z")), 0);
  assert_int_equal(london_offset_seconds(parse_ok("2026-01-01T00:00:00Z")), 0);
}

/* Every hour from 1996 to 2037 (and each second around each change) agrees with the tz database. */
static void test_london_against_tzdata(void **state) {
  (void)state;
  setenv("TZ", "Europe/London", 1);
  tzset();
  int checked = 0;
  int64_t from = parse_ok("1996-01-01T00:00:00Z"), to = parse_ok("2037-12-31T00:00:00Z");
  int prev = -1;
  for (int64_t t = from; t < to; t += 3600) {
    struct tm tm;
    time_t tt = (time_t)t;
    if (!localtime_r(&tt, &tm)) fail_msg("localtime_r failed");
    int got = london_offset_seconds(t);
    if (got != tm.tm_gmtoff) fail_msg("offset at %lld: got %d, tzdata %ld", (long long)t, got, tm.tm_gmtoff);
    if (prev >= 0 && got != prev) {
      /* A change happened within the last hour: check each second of it. */
      for (int64_t u = t - 3600; u <= t; u++) {
        time_t uu = (time_t)u;
        localtime_r(&uu, &tm);
        if (london_offset_seconds(u) != tm.tm_gmtoff) fail_msg("offset differs at %lld", (long long)u);
      }
    }
    prev = got;
    checked++;
  }
  assert_true(checked > 360000);
  unsetenv("TZ");
  tzset();
}

/* The London calendar day, which runs an hour ahead of UTC's in summer. */
static void test_london_today(void **state) {
  (void)state;
  /* Summer: 23:30 UTC is already 00:30 the next day in London. */
  assert_int_equal(london_today(parse_ok("2025-06-15T22:59:59Z")), day_of("2025-06-15"));
  assert_int_equal(london_today(parse_ok("2025-06-15T23:00:00Z")), day_of("2025-06-16"));
  assert_int_equal(london_today(parse_ok("2025-06-15T23:30:00Z")), day_of("2025-06-16"));
  /* Winter: London keeps UTC's day. */
  assert_int_equal(london_today(parse_ok("2025-01-15T23:59:59Z")), day_of("2025-01-15"));
  assert_int_equal(london_today(parse_ok("2025-01-16T00:00:00Z")), day_of("2025-01-16"));
  /* The night the clocks go back: 23:30 UTC on Saturday is already Sunday in London. */
  assert_int_equal(london_today(parse_ok("2025-10-25T23:30:00Z")), day_of("2025-10-26"));
  assert_int_equal(london_today(parse_ok("2025-10-26T00:59:59Z")), day_of("2025-10-26"));
  assert_int_equal(london_today(parse_ok("2025-10-26T23:30:00Z")), day_of("2025-10-26"));
  /* Before the epoch the floor is still a floor. */
  assert_int_equal(london_today(-1), -1);
  assert_int_equal(london_today(parse_ok("1969-12-31T00:00:00Z")), -1);
}

/* Whole years: the day before a birthday, the day itself, and 29 February birthdays (1 March in other years). */
static void test_age_in_years(void **state) {
  (void)state;
  int64_t dob = day_of("2010-06-15");
  assert_int_equal(age_in_years(dob, dob), 0);
  assert_int_equal(age_in_years(dob, day_of("2011-06-14")), 0);
  assert_int_equal(age_in_years(dob, day_of("2011-06-15")), 1);
  assert_int_equal(age_in_years(dob, day_of("2028-06-14")), 17);
  assert_int_equal(age_in_years(dob, day_of("2028-06-15")), 18);
  assert_int_equal(age_in_years(dob, day_of("2028-07-01")), 18);
  assert_int_equal(age_in_years(dob, day_of("2028-05-31")), 17);

  int64_t leap = day_of("2008-02-29");
  assert_int_equal(age_in_years(leap, day_of("2009-02-28")), 0);
  assert_int_equal(age_in_years(leap, day_of("2009-03-01")), 1);
  assert_int_equal(age_in_years(leap, day_of("2012-02-28")), 3);
  assert_int_equal(age_in_years(leap, day_of("2012-02-29")), 4);
  assert_int_equal(age_in_years(leap, day_of("2026-02-28")), 17);
  assert_int_equal(age_in_years(leap, day_of("2026-03-01")), 18);
  /* Born on 31 December, checked on 1 January. */
  assert_int_equal(age_in_years(day_of("2000-12-31"), day_of("2001-01-01")), 0);
  assert_int_equal(age_in_years(day_of("2000-12-31"), day_of("2001-12-31")), 1);
}

/* time_now is a plausible current instant (after this code was written, before 2100). */
static void test_time_now(void **state) {
  (void)state;
  int64_t now = time_now();
  assert_true(now > parse_ok("2024-01-01T00:00:00Z"));
  assert_true(now < parse_ok("2100-01-01T00:00:00Z"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_zones_and_fractions),
      cmocka_unit_test(test_parse_refusals),
      cmocka_unit_test(test_format_round_trip),
      cmocka_unit_test(test_dates),
      cmocka_unit_test(test_civil_days),
      cmocka_unit_test(test_weekday),
      cmocka_unit_test(test_london_boundaries),
      cmocka_unit_test(test_london_against_tzdata),
      cmocka_unit_test(test_london_today),
      cmocka_unit_test(test_age_in_years),
      cmocka_unit_test(test_time_now),
  };
  return cmocka_run_group_tests_name("timeutil", tests, NULL, NULL);
}
