/*
** Working time on the statutory clock: weekends and England and Wales bank
** holidays are not working days, and a working day runs between the opening
** and closing times of the office in Europe/London.  Deadlines "within 4
** working hours" or "within 45 working days" are computed here.  Pure: the
** holiday table is handed in (shipped in config/bank-holidays.csv, editable by
** administrators in the database).
*/
#ifndef SAFEHUB_CORE_CALENDAR_H
#define SAFEHUB_CORE_CALENDAR_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct calendar {
  int64_t *holidays;  /* sorted day numbers (days since 1970-01-01) */
  size_t nholidays;
  int open_minute;    /* minutes after local midnight, e.g. 540 for 09:00 */
  int close_minute;   /* e.g. 1020 for 17:00 */
};

int calendar_init(struct calendar *c, int open_minute, int close_minute);
void calendar_free(struct calendar *c);
int calendar_add_holiday(struct calendar *c, int64_t day);
int calendar_load_csv(struct calendar *c, const char *text, char *err, size_t errlen);
bool calendar_parse_hours(const char *s, int *open_minute, int *close_minute);
bool calendar_is_holiday(const struct calendar *c, int64_t day);
bool calendar_is_working_day(const struct calendar *c, int64_t day);
int64_t calendar_add_working_minutes(const struct calendar *c, int64_t t, int64_t minutes);
int64_t calendar_add_working_days(const struct calendar *c, int64_t t, int64_t days);
int64_t calendar_working_minutes_between(const struct calendar *c, int64_t from, int64_t to);
int64_t london_local_to_utc(int64_t local);

#endif
