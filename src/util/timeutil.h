/*
** Time and date handling without locale or TZ state: epoch seconds in UTC,
** ISO 8601 formatting and strict parsing, civil-date arithmetic, and the
** Europe/London offset (GMT/BST) computed from the statutory rule so that no
** thread ever touches the process-wide TZ.
*/
#ifndef SAFEHUB_UTIL_TIMEUTIL_H
#define SAFEHUB_UTIL_TIMEUTIL_H
#include <stdbool.h>
#include <stdint.h>

#define ISO_TIME_LEN 21 /* "2026-11-28T10:00:00Z" + NUL */
#define ISO_DATE_LEN 11 /* "2026-11-28" + NUL */

int64_t time_now(void);
int64_t time_mono_ms(void); /* a monotonic clock in milliseconds, for intervals */
void time_format_iso(int64_t t, char out[ISO_TIME_LEN]);
bool time_parse_iso(const char *s, int64_t *out);
void date_format(int64_t days, char out[ISO_DATE_LEN]);
bool date_parse(const char *s, int64_t *days_out);
bool date_valid(int y, int m, int d);
int64_t days_from_civil(int y, int m, int d);
void civil_from_days(int64_t z, int *y, int *m, int *d);
int weekday_from_days(int64_t days); /* 0 = Monday ... 6 = Sunday */
int london_offset_seconds(int64_t t);
int64_t london_today(int64_t now);   /* the calendar day in Europe/London, as days since epoch */
int age_in_years(int64_t dob_days, int64_t today_days);

#endif
