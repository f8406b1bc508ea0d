/*
** Named operations for CSE risk assessments: recording an assessment and
** its indicators, reading a child's assessments, countersigning a lowering,
** what is known about a child since an assessment (for "out of date" and
** for the indicators offered when the next one starts), the review and
** review-request deadlines, and the managers' overview.  Same conventions as
** store.h (DB_OK / DB_ROW found / DB_DONE absent; callers own transactions).
**
** JSON returned here is the API's shape without anything that needs the
** tool definition (labels are added by the service).
*/
#ifndef SAFEHUB_STORE_RISK_STORE_H
#define SAFEHUB_STORE_RISK_STORE_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "store/db.h"
#include "util/codec.h"

/* One assessment as recorded (strings are borrowed; NULL for SQL NULL). */
struct risk_record {
  char id[ID_MAX];
  const char *child_id, *tool_version, *assessed_by, *agency_id;
  int64_t assessed_at;
  int score;
  const char *band_level, *computed_level;
  int computed_rank;
  const char *override_indicator, *override_reason;
  const char *judged_level, *judgement_rationale;
  const char *final_level;
  int final_rank;
  const char *countersign_status, *countersign_requested_from, *countersigned_by;
  int64_t countersigned_at; /* 0: not countersigned */
  const char *childs_words, *childs_view_not_gathered_reason;
  const char *exploitation_types; /* JSON array text */
  int64_t review_due_at;
};

/* One indicator observed (strings borrowed). */
struct risk_indicator_row {
  const char *code, *recency, *evidence, *source_agency_id;
  int weight;
};

int store_risk_insert(struct db *db, const struct risk_record *a);
int store_risk_indicator_insert(struct db *db, const char *assessment_id, int position,
                                const struct risk_indicator_row *ri);
int store_risk_current(struct db *db, const char *child_id, char id_out[ID_MAX], int *final_rank);
int store_risk_supersede(struct db *db, const char *assessment_id);
int store_risk_list(struct db *db, const char *child_id, json_t **out);
int store_risk_get(struct db *db, const char *assessment_id, json_t **out);
int store_risk_countersign(struct db *db, const char *assessment_id, const char *status, const char *by, int64_t at,
                           const char *comment, const char *final_level, int final_rank, int level_change,
                           int64_t review_due_at);

/* What has been recorded about a child since an assessment. */
struct risk_staleness {
  int64_t referrals;        /* referrals received with indicators */
  int64_t missing_episodes; /* times the child went missing */
  int64_t notes;            /* case notes with indicators */
  bool review_requested;    /* an open risk_review_request deadline */
};
int store_risk_staleness(struct db *db, const char *child_id, int64_t since, struct risk_staleness *out);
int store_risk_sources(struct db *db, const char *child_id, int64_t since, json_t **out);

/* Deadlines whose kind names an assessment (longer than struct deadline's kind holds). */
int store_risk_deadline_open(struct db *db, const char *child_id, const char *kind, const char *title, const char *link,
                             const char *owner_id, int64_t due_at, int64_t now);
int store_risk_reviews_meet(struct db *db, const char *child_id, const char *by, int64_t now, int *met);

int store_risk_countersigners(struct db *db, json_t **out);

/* The overview. */
enum risk_list { RISK_LIST_OVERDUE, RISK_LIST_DUE_SOON, RISK_LIST_JUDGED };
int store_risk_overview_levels(struct db *db, int64_t now, int64_t soon, json_t **out);
int store_risk_overview_list(struct db *db, enum risk_list which, int64_t now, int64_t soon, int limit, json_t **out);
int store_risk_out_of_date(struct db *db, int limit, int64_t *count, json_t **out);
int store_risk_children_for_demo(struct db *db, int limit, char ***ids, int *n);

#endif
