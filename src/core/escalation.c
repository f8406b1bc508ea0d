/*
** Escalation arithmetic (see escalation.h).
*/
#include "core/escalation.h"

/*
** The level work due at DUE_AT should have reached at AS_OF: 0 while not
** overdue, then 1 + the number of whole INTERVAL_MINUTES of working time since
** it fell due, capped at MAX_LEVEL.
*/
int escalation_level(const struct calendar *cal, int64_t due_at, int64_t as_of, int interval_minutes, int max_level) {
  if (as_of < due_at || max_level <= 0) return 0;
  if (interval_minutes <= 0) return max_level;
  /* Step level by level: the walk is bounded by the chain's length, not by how long ago the work fell due. */
  int level = 1;
  while (level < max_level && escalation_level_at(cal, due_at, level + 1, interval_minutes) <= as_of) level++;
  return level;
}

/* The instant at which LEVEL (>= 1) is reached for work due at DUE_AT. */
int64_t escalation_level_at(const struct calendar *cal, int64_t due_at, int level, int interval_minutes) {
  if (level <= 1) return due_at;
  return calendar_add_working_minutes(cal, due_at, (int64_t)(level - 1) * interval_minutes);
}
