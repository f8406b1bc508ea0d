/*
** The rules of missing episodes and return-home interviews.  Pure: no I/O.
**
** A missing episode runs from when the child went missing to when they
** returned (open until then).  Its times must be real instants, not in the
** future, with the return after the going missing, and episodes of one child
** must not overlap.  A return-home interview falls due a number of clock
** hours after the return (72 by default, the return_interview_hours
** setting); recording it captures who did it, whether they were independent
** of the placement and the child's own account, or that the child declined.
** A child who has gone missing N or more times within D days (3 in 90 by
** default: missing_flag_episodes, missing_flag_days) is flagged and a risk
** review is asked for.
*/
#ifndef SAFEHUB_CORE_MISSING_H
#define SAFEHUB_CORE_MISSING_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "core/fields.h"

#define MISSING_TEXT_MAX 1000     /* where_found, with_whom */
#define MISSING_ACCOUNT_MAX 20000 /* the child's account in a return-home interview */
#define MISSING_NAME_MAX 200      /* who conducted or offered the interview */

/* Where a return-home interview stands at a given instant. */
enum rhi_state {
  RHI_AWAITING_RETURN, /* the child has not returned: nothing is due yet */
  RHI_DUE,             /* returned, interview not yet recorded, not yet overdue */
  RHI_OVERDUE,         /* returned, interview not recorded, past its due time */
  RHI_COMPLETED,       /* the interview took place */
  RHI_DECLINED         /* the child declined it */
};

/* A missing episode's fields as read from a request (validated by missing_validate). */
struct missing_input {
  bool has_went, has_returned, has_police, has_where, has_with;
  int64_t went_missing_at;
  int64_t returned_at;       /* meaningful when returned */
  bool returned;             /* returned_at given and not null */
  bool reported_to_police;
  const char *where_found;   /* NULL: not given or cleared; borrowed from the input */
  const char *with_whom;
};

/* A return-home interview as read from a request (validated by missing_interview_validate). */
struct interview_input {
  bool declined;
  int64_t conducted_at;
  const char *conducted_by;  /* borrowed from the input; may be NULL when declined */
  bool independent;
  const char *childs_account;
  const char *reason;        /* why the child declined */
};

/* One episode's span for the overlap check: RETURNED false means still missing. */
struct missing_span {
  int64_t went, returned;
  bool has_returned;
};

bool missing_validate(json_t *in, bool partial, int64_t now, struct missing_input *out, struct field_errors *errs);
bool missing_check_times(int64_t went, bool returned, int64_t returned_at, int64_t now, int64_t born_day,
                         struct field_errors *errs);
int missing_overlap(const struct missing_span *others, size_t n, int64_t went, bool returned, int64_t returned_at);
bool missing_interview_validate(json_t *in, int64_t returned_at, int64_t now, struct interview_input *out,
                                struct field_errors *errs);
int64_t missing_interview_due(int64_t returned_at, int hours);
enum rhi_state missing_interview_state(bool returned, const char *outcome, int64_t due_at, int64_t now);
const char *missing_interview_state_name(enum rhi_state s);
int missing_window_count(const int64_t *starts, size_t n, int64_t t, int days);
bool missing_flag_raised(const int64_t *starts, size_t n, int64_t new_start, int threshold, int days);
int missing_recent_count(const int64_t *starts, size_t n, int64_t now, int days);

#endif
