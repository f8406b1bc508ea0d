/*
** Escalation arithmetic on the statutory clock: how far up the management
** chain overdue work should have gone by a given instant.  Pure.
**
** Work due at DUE escalates to level 1 (the responsible worker's manager) the
** moment it is overdue, then one level further up every INTERVAL of working
** time, until the chain ends at the director.  The level only ever rises, and
** only meeting the deadline ends it.
*/
#ifndef SAFEHUB_CORE_ESCALATION_H
#define SAFEHUB_CORE_ESCALATION_H
#include <stdint.h>
#include "core/calendar.h"

int escalation_level(const struct calendar *cal, int64_t due_at, int64_t as_of, int interval_minutes, int max_level);
int64_t escalation_level_at(const struct calendar *cal, int64_t due_at, int level, int interval_minutes);

#endif
