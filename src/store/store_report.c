/*
** The problem profile's aggregate queries (see report_store.h): one small
** function per figure, each a static statement written once for SQLite and
** PostgreSQL that counts or groups in the database.  Periods are bound as
** epoch seconds [$1, $2).
*/
#include <stdio.h>
#include <string.h>
#include "store/report_store.h"
#include "store/store.h"
#include "util/xalloc.h"

/*
** One pass over the period's referrals, grouped by the referring agency's
** type and the outcome: the rows are wide (the concern is long), so they are
** read once for every referral figure but the per-day counts.
*/
DB_QUERY(Q_REFERRALS,
         "SELECT a.type, r.outcome, COUNT(*), "
         "COALESCE(SUM(CASE WHEN r.indicators <> '[]' THEN 1 ELSE 0 END), 0), "
         "COALESCE(SUM(CASE WHEN d.met_at IS NOT NULL THEN 1 ELSE 0 END), 0), "
         "COALESCE(SUM(CASE WHEN d.met_at IS NOT NULL AND d.met_at <= d.due_at THEN 1 ELSE 0 END), 0) "
         "FROM referrals r JOIN agencies a ON a.id = r.agency_id LEFT JOIN deadlines d ON d.item_type = 'referral' "
         "AND d.item_id = r.id AND d.kind = 'decision' WHERE r.received_at >= $1 AND r.received_at < $2 "
         "GROUP BY a.type, r.outcome");
/* Only the day of receipt: the index on received_at answers it without reading the referrals. */
DB_QUERY(Q_REFERRALS_BY_DAY, "SELECT r.received_at / 86400, COUNT(*) FROM referrals r "
                             "WHERE r.received_at >= $1 AND r.received_at < $2 GROUP BY r.received_at / 86400");
DB_QUERY(Q_RISK_CHILDREN, "SELECT COUNT(DISTINCT a.child_id) FROM risk_assessments a "
                          "WHERE a.assessed_at >= $1 AND a.assessed_at < $2");
DB_QUERY(Q_RISK_LEVELS, "SELECT a.final_level, COUNT(*) FROM risk_assessments a WHERE a.is_current = 1 "
                        "AND EXISTS (SELECT 1 FROM risk_assessments p WHERE p.child_id = a.child_id "
                        "AND p.assessed_at >= $1 AND p.assessed_at < $2) GROUP BY a.final_level");
/*
** An interview is due once 72 hours (the setting) after the return have
** passed; one recorded sooner (held or declined) has been dealt with and is
** counted too.  Only interviews held at or before their due time are in time.
*/
DB_QUERY(Q_MISSING,
         "SELECT COUNT(*), COUNT(DISTINCT m.child_id), "
         "COALESCE(SUM(CASE WHEN m.interview_due_at IS NOT NULL AND (m.interview_due_at <= $3 "
         "OR m.interview_outcome IS NOT NULL) THEN 1 ELSE 0 END), 0), "
         "COALESCE(SUM(CASE WHEN m.interview_outcome = 'completed' AND m.interview_at <= m.interview_due_at "
         "THEN 1 ELSE 0 END), 0) "
         "FROM missing_episodes m WHERE m.went_missing_at >= $1 AND m.went_missing_at < $2");
/* Dates of birth compare as 'YYYY-MM-DD' text, so an age band is a range of them. */
DB_QUERY(Q_CONCERN,
         "WITH concern AS (SELECT r.child_id AS id FROM referrals r WHERE r.child_id IS NOT NULL "
         "AND r.received_at >= $1 AND r.received_at < $2 AND r.indicators <> '[]' "
         "UNION SELECT a.child_id FROM risk_assessments a WHERE a.assessed_at >= $1 AND a.assessed_at < $2) "
         "SELECT c.gender, CASE WHEN c.date_of_birth IS NULL THEN 'other' "
         "WHEN c.date_of_birth <= $7 THEN 'other' WHEN c.date_of_birth <= $6 THEN '16-17' "
         "WHEN c.date_of_birth <= $5 THEN '14-15' WHEN c.date_of_birth <= $4 THEN '11-13' "
         "WHEN c.date_of_birth <= $3 THEN '8-10' ELSE 'other' END, c.ethnicity, COUNT(*) "
         "FROM concern JOIN children c ON c.id = concern.id GROUP BY 1, 2, 3");
/* The entities at either end of a link of an item recorded in the period. */
#define LINKED_IN_PERIOD                                                                                   \
  "WITH linked AS (SELECT l.from_id AS id FROM intel_links l JOIN intelligence i ON i.id = l.intelligence_id " \
  "WHERE i.recorded_at >= $1 AND i.recorded_at < $2 UNION SELECT l.to_id FROM intel_links l "               \
  "JOIN intelligence i ON i.id = l.intelligence_id WHERE i.recorded_at >= $1 AND i.recorded_at < $2) "
DB_QUERY(Q_SUSPECTS, LINKED_IN_PERIOD
         "SELECT COALESCE(e.ethnicity_self, 'not_known'), COALESCE(e.ethnicity_observed, 'not_known'), "
         "COALESCE(e.nationality, 'not_known'), COUNT(*) FROM linked JOIN entities e ON e.id = linked.id "
         "WHERE e.type = 'person' GROUP BY 1, 2, 3");
DB_QUERY(Q_PLACES, LINKED_IN_PERIOD
         "SELECT COALESCE(e.location_kind, 'not_known'), COUNT(*) FROM linked JOIN entities e ON e.id = linked.id "
         "WHERE e.type = 'location' GROUP BY 1");

DB_QUERY(Q_AT_RISK, "SELECT a.child_id FROM risk_assessments a JOIN children c ON c.id = a.child_id "
                    "WHERE a.is_current = 1 AND a.final_rank >= $1 AND c.merged_into IS NULL "
                    "ORDER BY a.final_rank DESC, c.last_name, c.first_name, c.date_of_birth, c.id LIMIT $2");

/* Prepares Q with the period bound as $1 and $2; NULL on failure. */
static struct db_stmt *prepare_period(struct db *db, const struct db_query *q, int64_t from, int64_t until) {
  struct db_stmt *st = db_prepare(db, q);
  if (!st) return NULL;
  db_bind_int(st, 1, from);
  db_bind_int(st, 2, until);
  return st;
}

/* DB_OK when a statement's stepping ended well, else the error (DB_ERROR for a stray row). */
static int finished(int rc) { return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_ERROR; }

/* Adds N to the count under K in O. */
static void add_to(json_t *o, const char *k, int64_t n) {
  json_object_set_new(o, k, json_integer(json_integer_value(json_object_get(o, k)) + (json_int_t)n));
}

/*
** Reads every (code, count) row of ST into a new object in *OUT, NULL codes
** as "not_known", and resets ST.  DB_OK, or the error with nothing in *OUT.
*/
static int code_counts(struct db_stmt *st, json_t **out) {
  json_t *o = json_object();
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    const char *code = db_text(st, 0);
    add_to(o, code ? code : "not_known", db_int(st, 1));
  }
  db_reset(st);
  rc = finished(rc);
  if (rc != DB_OK) {
    json_decref(o);
    return rc;
  }
  *out = o;
  return DB_OK;
}

/*
** Fills *OUT with the referral counts of the period [FROM, UNTIL), and new
** objects *BY_SOURCE ({agency type: referrals}) and *OUTCOMES ({outcome:
** referrals}, those decided).  DB_OK, or the error with nothing to free.
*/
int store_report_referrals(struct db *db, int64_t from, int64_t until, struct report_referrals *out, json_t **by_source,
                           json_t **outcomes) {
  memset(out, 0, sizeof *out);
  struct db_stmt *st = prepare_period(db, &Q_REFERRALS, from, until);
  if (!st) return DB_ERROR;
  json_t *src = json_object(), *dec = json_object();
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    const char *type = db_text(st, 0), *outcome = db_text(st, 1);
    int64_t n = db_int(st, 2);
    out->received += n;
    out->with_indicators += db_int(st, 3);
    out->decided += db_int(st, 4);
    out->decided_in_time += db_int(st, 5);
    add_to(src, type ? type : "not_known", n);
    if (outcome) add_to(dec, outcome, n);
  }
  db_reset(st);
  rc = finished(rc);
  if (rc != DB_OK) {
    json_decref(src);
    json_decref(dec);
    memset(out, 0, sizeof *out);
    return rc;
  }
  *by_source = src;
  *outcomes = dec;
  return DB_OK;
}

/* Referrals received per UTC day of [FROM, UNTIL): a new object {"DAYS": count} in *OUT. */
int store_report_referrals_by_day(struct db *db, int64_t from, int64_t until, json_t **out) {
  struct db_stmt *st = prepare_period(db, &Q_REFERRALS_BY_DAY, from, until);
  if (!st) return DB_ERROR;
  json_t *o = json_object();
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    char day[24];
    snprintf(day, sizeof day, "%lld", (long long)db_int(st, 0));
    json_object_set_new(o, day, json_integer((json_int_t)db_int(st, 1)));
  }
  db_reset(st);
  rc = finished(rc);
  if (rc != DB_OK) {
    json_decref(o);
    return rc;
  }
  *out = o;
  return DB_OK;
}

/* Children assessed in [FROM, UNTIL) into *CHILDREN, and by their level now in force into a new object *BY_LEVEL. */
int store_report_risk(struct db *db, int64_t from, int64_t until, int64_t *children, json_t **by_level) {
  *children = 0;
  struct db_stmt *st = prepare_period(db, &Q_RISK_CHILDREN, from, until);
  if (!st) return DB_ERROR;
  int rc = db_step(st);
  if (rc == DB_ROW) *children = db_int(st, 0);
  db_reset(st);
  if (rc != DB_ROW) return rc < 0 ? rc : DB_ERROR;
  st = prepare_period(db, &Q_RISK_LEVELS, from, until);
  return st ? code_counts(st, by_level) : DB_ERROR;
}

/* Fills *OUT with the missing-episode counts of [FROM, UNTIL), interviews due judged as of NOW. */
int store_report_missing(struct db *db, int64_t from, int64_t until, int64_t now, struct report_missing *out) {
  memset(out, 0, sizeof *out);
  struct db_stmt *st = prepare_period(db, &Q_MISSING, from, until);
  if (!st) return DB_ERROR;
  db_bind_int(st, 3, now);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    out->episodes = db_int(st, 0);
    out->children = db_int(st, 1);
    out->interviews_due = db_int(st, 2);
    out->interviews_in_time = db_int(st, 3);
  }
  db_reset(st);
  return rc == DB_ROW ? DB_OK : rc < 0 ? rc : DB_ERROR;
}

/* One row of the children of concern. */
static void concern_row(struct db_stmt *st, json_t *o) {
  const char *gender = db_text(st, 0), *band = db_text(st, 1), *eth = db_text(st, 2);
  json_object_set_new(o, "gender", json_string(gender ? gender : "not_known"));
  json_object_set_new(o, "age_band", json_string(band ? band : "other"));
  json_object_set_new(o, "ethnicity", json_string(eth ? eth : "NOBT"));
  json_object_set_new(o, "n", json_integer((json_int_t)db_int(st, 3)));
}

/* The children of concern of [FROM, UNTIL) by gender, age band and ethnicity: a new array in *OUT. */
int store_report_children_of_concern(struct db *db, int64_t from, int64_t until, const char *const dob_max[5],
                                     json_t **out) {
  struct db_stmt *st = prepare_period(db, &Q_CONCERN, from, until);
  if (!st) return DB_ERROR;
  for (int i = 0; i < 5; i++) db_bind_text(st, 3 + i, dob_max[i]);
  json_t *arr = json_array();
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    json_t *o = json_object();
    concern_row(st, o);
    json_array_append_new(arr, o);
  }
  db_reset(st);
  rc = finished(rc);
  if (rc != DB_OK) {
    json_decref(arr);
    return rc;
  }
  *out = arr;
  return DB_OK;
}

/* The people linked in intelligence recorded in [FROM, UNTIL), grouped: a new array in *OUT. */
int store_report_suspects(struct db *db, int64_t from, int64_t until, json_t **out) {
  struct db_stmt *st = prepare_period(db, &Q_SUSPECTS, from, until);
  if (!st) return DB_ERROR;
  json_t *arr = json_array();
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:I}", "ethnicity_self", db_text(st, 0), "ethnicity_observed",
                                         db_text(st, 1), "nationality", db_text(st, 2), "n",
                                         (json_int_t)db_int(st, 3)));
  }
  db_reset(st);
  rc = finished(rc);
  if (rc != DB_OK) {
    json_decref(arr);
    return rc;
  }
  *out = arr;
  return DB_OK;
}

/* The places linked in intelligence recorded in [FROM, UNTIL), by kind: a new object in *OUT. */
int store_report_places(struct db *db, int64_t from, int64_t until, json_t **out) {
  struct db_stmt *st = prepare_period(db, &Q_PLACES, from, until);
  return st ? code_counts(st, out) : DB_ERROR;
}

/* Children at risk level index MIN_RANK or above, at most LIMIT, for the demo borough (see report_store.h). */
int store_report_children_at_risk(struct db *db, int min_rank, int limit, char ***ids, int *n) {
  *ids = NULL;
  *n = 0;
  if (limit <= 0) return DB_OK;
  struct db_stmt *st = db_prepare(db, &Q_AT_RISK);
  if (!st) return DB_ERROR;
  db_bind_int(st, 1, min_rank);
  db_bind_int(st, 2, limit);
  char **out = xcalloc((size_t)limit, sizeof *out);
  int rc, count = 0;
  while ((rc = db_step(st)) == DB_ROW && count < limit) out[count++] = xstrdup(db_text(st, 0));
  db_reset(st);
  rc = finished(rc);
  if (rc != DB_OK) {
    store_free_ids(out, count);
    return rc;
  }
  *ids = out;
  *n = count;
  return DB_OK;
}
