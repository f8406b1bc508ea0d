/*
** Named database operations of casework: missing episodes and return-home
** interviews, case notes, allocations and caseloads, meetings, attendees and
** actions, and support referrals.  Same conventions as store.h: one small
** function per operation, DB_OK (or DB_ROW for "found"), DB_DONE for "no
** such row" or "nothing changed", a negative db_rc on failure; callers own
** transactions.  Operations that answer JSON hand the caller a new
** reference, with times as ISO 8601 UTC strings as the API shows them.
*/
#ifndef SAFEHUB_STORE_CASEWORK_STORE_H
#define SAFEHUB_STORE_CASEWORK_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "store/db.h"
#include "util/codec.h"

/* ---- children (what casework needs to know of the record) ---- */
int store_casework_child_born(struct db *db, const char *child_id, int64_t *born_day);
int store_casework_demo_children(struct db *db, int limit, char ***ids, int *n);
int store_casework_people(struct db *db, json_t **out);

/* ---- missing episodes ---- */
struct missing_row {
  char id[ID_MAX];
  char child_id[ID_MAX];
  int64_t went_missing_at;
  bool returned;
  int64_t returned_at;
  bool reported_to_police;
  const char *where_found, *with_whom; /* may be NULL */
  const char *agency_id, *recorded_by; /* may be NULL */
  bool has_due;
  int64_t interview_due_at;
  int version;                         /* for updates: the version read */
};
struct missing_span_row {
  char id[ID_MAX];
  int64_t went, returned;
  bool has_returned;
};
struct interview_row {
  const char *outcome;                 /* "completed" or "declined" */
  int64_t at;
  const char *by, *childs_account, *reason; /* may be NULL */
  int independent;                     /* 0, 1, or -1 for not recorded */
  const char *agency_id, *recorded_by;
};
int store_missing_insert(struct db *db, const struct missing_row *m, int64_t now);
int store_missing_get(struct db *db, const char *id, json_t **out);
int store_missing_list(struct db *db, const char *child_id, json_t **out);
int store_missing_spans(struct db *db, const char *child_id, struct missing_span_row **out, size_t *n);
int store_missing_update(struct db *db, const struct missing_row *m, int64_t now);
int store_missing_interview(struct db *db, const char *id, const struct interview_row *iv, int64_t now);

/* ---- case notes ---- */
struct note_row {
  char id[ID_MAX];
  char child_id[ID_MAX];
  int64_t at;
  const char *agency_id, *author_id;   /* may be NULL */
  const char *text, *childs_words;     /* childs_words may be NULL */
  const char *indicators;              /* JSON array text */
};
int store_note_insert(struct db *db, const struct note_row *n, int64_t now);
int store_notes_list(struct db *db, const char *child_id, int limit, json_t **out);

/* ---- allocations and caseloads ---- */
int store_allocation_end(struct db *db, const char *child_id, int64_t now);
int store_allocation_insert(struct db *db, const char *id, const char *child_id, const char *worker_id,
                            const char *team, const char *by, int64_t now);
int store_allocations_for_child(struct db *db, const char *child_id, json_t **out);
int store_deadlines_follow_lead(struct db *db, const char *child_id, const char *owner_id);
int store_caseload_counts(struct db *db, const char *team, int64_t now, json_t **out);
int store_caseload_children(struct db *db, const char *worker_id, json_t **out);

/* ---- meetings and actions ---- */
int store_meeting_insert(struct db *db, const char *id, const char *type, int64_t held_at, const char *decisions,
                         const char *agency_id, const char *recorded_by, int64_t now);
int store_meeting_child_add(struct db *db, const char *meeting_id, const char *child_id);
int store_meeting_attendee_add(struct db *db, const char *meeting_id, int position, const char *name,
                               const char *agency_id, const char *role);
int store_action_insert(struct db *db, const char *id, const char *meeting_id, int position, const char *description,
                        const char *owner_id, const char *due_date, int64_t due_at, int64_t now);
int store_meeting_get(struct db *db, const char *id, json_t **out);
int store_meeting_child_ids(struct db *db, const char *meeting_id, char ***ids, int *n);
int store_meetings_for_child(struct db *db, const char *child_id, char ***ids, int *n);
struct action_row {
  char id[ID_MAX];
  char meeting_id[ID_MAX];
  char owner_id[ID_MAX];
  char due_date[11];
  bool completed;
};
int store_action_get(struct db *db, const char *id, struct action_row *out);
int store_action_complete(struct db *db, const char *id, const char *by, const char *note, int64_t now);

/* ---- support referrals ---- */
struct support_row {
  char id[ID_MAX];
  char child_id[ID_MAX];
  const char *service, *provider, *referred_on, *status, *engagement, *outcome; /* provider, outcome may be NULL */
  const char *agency_id, *recorded_by;
  int version;                         /* for updates: the version read */
};
int store_support_insert(struct db *db, const struct support_row *s, int64_t now);
int store_support_get(struct db *db, const char *id, json_t **out);
int store_support_update(struct db *db, const struct support_row *s, int64_t now);
int store_support_for_child(struct db *db, const char *child_id, json_t **out);

#endif
