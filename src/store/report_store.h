/*
** Named operations for the problem profile: the partnership's aggregate
** figures over a period, each one COUNT or GROUP BY computed by the database
** (no rows about a child, suspect or place leave it, only counts).  Same
** conventions as store.h (DB_OK, or a negative db_rc with db_error() set;
** callers own transactions).
**
** Every period is the half-open range of epoch seconds [FROM, UNTIL): the
** service turns inclusive UTC days into it.  Grouped counts come back as
** JSON objects {code: count} (new references, owned by the caller); a code
** that is SQL NULL is counted under "not_known".
*/
#ifndef SAFEHUB_STORE_REPORT_STORE_H
#define SAFEHUB_STORE_REPORT_STORE_H
#include <stdint.h>
#include <jansson.h>
#include "store/db.h"

/*
** Referrals received in the period: how many, how many carry indicators of
** the risk tool, how many have had their first decision, and how many of
** those were decided by the first decision deadline (the statutory one);
** with them by the referring agency's type ({type: count}) and by the
** outcome of those decided ({outcome: count}).
*/
struct report_referrals {
  int64_t received, with_indicators, decided, decided_in_time;
};
int store_report_referrals(struct db *db, int64_t from, int64_t until, struct report_referrals *out, json_t **by_source,
                           json_t **outcomes);
/* Referrals received in the period per UTC day: {"DAYS": count}, DAYS counted from 1970-01-01. */
int store_report_referrals_by_day(struct db *db, int64_t from, int64_t until, json_t **out);

/*
** Children with a risk assessment made in the period (*CHILDREN), and those
** children by the level of the assessment now in force ({level: count}).
*/
int store_report_risk(struct db *db, int64_t from, int64_t until, int64_t *children, json_t **by_level);

/*
** Missing episodes that began in the period, the children they were of, the
** return-home interviews of those episodes that have fallen due by NOW (or
** been recorded earlier), and the interviews held by their due time.
*/
struct report_missing {
  int64_t episodes, children, interviews_due, interviews_in_time;
};
int store_report_missing(struct db *db, int64_t from, int64_t until, int64_t now, struct report_missing *out);

/*
** The children of concern in the period (a referral with indicators received,
** or a risk assessment made, in it), counted by gender, age band and census
** ethnicity together: [{"gender","age_band","ethnicity","n"}].  DOB_MAX[i]
** (YYYY-MM-DD) is the latest date of birth of a child who has reached the
** i-th of the ages 8, 11, 14, 16, 18 at the period's end; the bands are
** "8-10", "11-13", "14-15", "16-17" and "other" (younger, older, or no date
** of birth).
*/
int store_report_children_of_concern(struct db *db, int64_t from, int64_t until, const char *const dob_max[5],
                                     json_t **out);

/*
** The people linked in intelligence recorded in the period, counted by
** self-defined ethnicity, observed ethnicity and nationality together:
** [{"ethnicity_self","ethnicity_observed","nationality","n"}].
*/
int store_report_suspects(struct db *db, int64_t from, int64_t until, json_t **out);
/* The places linked in intelligence recorded in the period, by kind: {kind: count}. */
int store_report_places(struct db *db, int64_t from, int64_t until, json_t **out);

/*
** For the demo borough's intelligence: up to LIMIT children whose risk level
** in force has at least index MIN_RANK in the tool, highest first, then in
** a stable order (by name), into *IDS (free with store_free_ids) and *N.
*/
int store_report_children_at_risk(struct db *db, int min_rank, int limit, char ***ids, int *n);

#endif
