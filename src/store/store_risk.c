/*
** CSE risk assessments (see risk_store.h): one small function per operation,
** each a static statement written once for SQLite and PostgreSQL.
*/
#include <stdlib.h>
#include <string.h>
#include "store/risk_store.h"
#include "store/store_util.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

DB_QUERY(Q_INSERT,
         "INSERT INTO risk_assessments (id, child_id, tool_version, assessed_at, assessed_by, agency_id, score, "
         "band_level, computed_level, computed_rank, override_indicator, override_reason, judged_level, "
         "judgement_rationale, final_level, final_rank, level_change, countersign_status, countersign_requested_from, "
         "countersigned_by, countersigned_at, childs_words, childs_view_not_gathered_reason, exploitation_types, "
         "review_due_at, is_current) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
         "$17, $18, $19, $20, $21, $22, $23, $24, $25, 1)");
DB_QUERY(Q_IND_INSERT, "INSERT INTO risk_indicators (assessment_id, position, code, recency, weight, evidence, "
                       "source_agency_id) VALUES ($1, $2, $3, $4, $5, $6, $7)");
DB_QUERY(Q_CURRENT, "SELECT id, final_rank FROM risk_assessments WHERE child_id = $1 AND is_current = 1");
DB_QUERY(Q_SUPERSEDE, "UPDATE risk_assessments SET is_current = 0 WHERE id = $1 AND is_current = 1");

#define A_COLS                                                                                                    \
  "a.id, a.child_id, a.tool_version, a.assessed_at, u.username, u.name, ag.code, ag.name, a.score, a.band_level, " \
  "a.computed_level, a.override_indicator, a.override_reason, a.judged_level, a.judgement_rationale, "            \
  "a.final_level, a.level_change, a.countersign_status, rq.username, rq.name, cs.username, cs.name, "            \
  "a.countersigned_at, a.countersign_comment, a.childs_words, a.childs_view_not_gathered_reason, "               \
  "a.exploitation_types, a.review_due_at, a.is_current, a.final_rank, a.computed_rank "                          \
  "FROM risk_assessments a JOIN users u ON u.id = a.assessed_by LEFT JOIN agencies ag ON ag.id = a.agency_id "   \
  "LEFT JOIN users rq ON rq.id = a.countersign_requested_from LEFT JOIN users cs ON cs.id = a.countersigned_by "
DB_QUERY(Q_LIST, "SELECT " A_COLS "WHERE a.child_id = $1 ORDER BY a.assessed_at DESC, a.is_current DESC, a.id DESC");
DB_QUERY(Q_GET, "SELECT " A_COLS "WHERE a.id = $1");
#define I_COLS                                                                                       \
  "i.assessment_id, i.code, i.recency, i.weight, i.evidence, ag.code, ag.name FROM risk_indicators i " \
  "LEFT JOIN agencies ag ON ag.id = i.source_agency_id "
DB_QUERY(Q_IND_CHILD, "SELECT " I_COLS "JOIN risk_assessments a ON a.id = i.assessment_id WHERE a.child_id = $1 "
                      "ORDER BY i.assessment_id, i.position");
DB_QUERY(Q_IND_ONE, "SELECT " I_COLS "WHERE i.assessment_id = $1 ORDER BY i.position");
DB_QUERY(Q_COUNTERSIGN, "UPDATE risk_assessments SET countersign_status = $2, countersigned_by = $3, "
                        "countersigned_at = $4, countersign_comment = $5, final_level = $6, final_rank = $7, "
                        "level_change = $8, review_due_at = $9 WHERE id = $1 AND countersign_status = 'awaiting'");
DB_QUERY(Q_STALE,
         "SELECT (SELECT COUNT(*) FROM referrals r WHERE r.child_id = $1 AND r.received_at > $2 AND r.indicators <> '[]'), "
         "(SELECT COUNT(*) FROM missing_episodes m WHERE m.child_id = $1 AND m.went_missing_at > $2), "
         "(SELECT COUNT(*) FROM case_notes n WHERE n.child_id = $1 AND n.at > $2 AND n.indicators <> '[]'), "
         "(SELECT COUNT(*) FROM deadlines d WHERE d.item_type = 'child' AND d.item_id = $1 AND d.met_at IS NULL "
         "AND (d.kind = 'risk_review_request' OR substr(d.kind, 1, 20) = 'risk_review_request:'))");
DB_QUERY(Q_SOURCES,
         "SELECT 'referral', r.id, r.reference, r.received_at, ag.code, ag.name, r.indicators FROM referrals r "
         "LEFT JOIN agencies ag ON ag.id = r.agency_id WHERE r.child_id = $1 AND r.received_at > $2 "
         "AND r.indicators <> '[]' "
         "UNION ALL SELECT 'case_note', n.id, NULL, n.at, ag.code, ag.name, n.indicators FROM case_notes n "
         "LEFT JOIN agencies ag ON ag.id = n.agency_id WHERE n.child_id = $1 AND n.at > $2 AND n.indicators <> '[]' "
         "UNION ALL SELECT 'missing_episode', m.id, NULL, m.went_missing_at, ag.code, ag.name, '[]' "
         "FROM missing_episodes m LEFT JOIN agencies ag ON ag.id = m.agency_id WHERE m.child_id = $1 "
         "AND m.went_missing_at > $2 ORDER BY 4 DESC, 2 LIMIT 500");
/* As store_deadline_open: re-opening an open deadline moves it; a met one stays met. */
DB_QUERY(Q_DEADLINE, "INSERT INTO deadlines (id, item_type, item_id, kind, child_id, title, link, owner_id, due_at, "
                     "created_at, level) VALUES ($1, 'child', $2, $3, $2, $4, $5, $6, $7, $8, 0) "
                     "ON CONFLICT (item_type, item_id, kind) DO UPDATE SET due_at = excluded.due_at, "
                     "owner_id = excluded.owner_id, title = excluded.title WHERE deadlines.met_at IS NULL");
DB_QUERY(Q_REVIEWS_MEET, "UPDATE deadlines SET met_at = $2, met_by = $3 WHERE item_type = 'child' AND item_id = $1 "
                         "AND met_at IS NULL AND (substr(kind, 1, 12) = 'risk_review:' OR kind = 'risk_review_request' "
                         "OR substr(kind, 1, 20) = 'risk_review_request:')");
DB_QUERY(Q_SIGNERS, "SELECT id, username, name, role FROM users WHERE role IN ('manager', 'director') AND disabled = 0 "
                    "ORDER BY name, username");
DB_QUERY(Q_LEVELS, "SELECT final_level, COUNT(*), "
                   "SUM(CASE WHEN review_due_at <= $1 THEN 1 ELSE 0 END), "
                   "SUM(CASE WHEN review_due_at > $1 AND review_due_at <= $2 THEN 1 ELSE 0 END), "
                   "SUM(CASE WHEN level_change > 0 THEN 1 ELSE 0 END), "
                   "SUM(CASE WHEN level_change < 0 THEN 1 ELSE 0 END), "
                   "SUM(CASE WHEN countersign_status = 'awaiting' THEN 1 ELSE 0 END) "
                   "FROM risk_assessments WHERE is_current = 1 GROUP BY final_level");
#define L_COLS                                                                                                  \
  "a.child_id, c.first_name, c.last_name, a.id, a.final_level, a.computed_level, a.level_change, "             \
  "a.countersign_status, a.assessed_at, a.review_due_at FROM risk_assessments a JOIN children c ON c.id = a.child_id "
DB_QUERY(Q_LIST_OVERDUE, "SELECT " L_COLS "WHERE a.is_current = 1 AND a.review_due_at <= $1 "
                         "ORDER BY a.review_due_at, a.child_id LIMIT $2");
DB_QUERY(Q_LIST_SOON, "SELECT " L_COLS "WHERE a.is_current = 1 AND a.review_due_at > $1 AND a.review_due_at <= $2 "
                      "ORDER BY a.review_due_at, a.child_id LIMIT $3");
DB_QUERY(Q_LIST_JUDGED, "SELECT " L_COLS "WHERE a.is_current = 1 AND (a.level_change <> 0 OR a.countersign_status = 'awaiting') "
                        "ORDER BY a.assessed_at DESC, a.child_id LIMIT $1");
/*
** Children whose current assessment is out of date: since it, a referral
** with indicators, a missing episode, a case note with indicators, or an open
** request for a review.  Joins rather than correlated probes, so that each
** engine can pick a hash or index join over the whole set at once.
*/
DB_QUERY(Q_STALE_ALL,
         "WITH cur AS (SELECT child_id, assessed_at FROM risk_assessments WHERE is_current = 1), "
         "stale AS (SELECT cur.child_id FROM cur JOIN referrals r ON r.child_id = cur.child_id "
         "WHERE r.received_at > cur.assessed_at AND r.indicators <> '[]' "
         "UNION SELECT cur.child_id FROM cur JOIN missing_episodes m ON m.child_id = cur.child_id "
         "WHERE m.went_missing_at > cur.assessed_at "
         "UNION SELECT cur.child_id FROM cur JOIN case_notes n ON n.child_id = cur.child_id "
         "WHERE n.at > cur.assessed_at AND n.indicators <> '[]' "
         "UNION SELECT cur.child_id FROM cur JOIN deadlines d ON d.item_type = 'child' AND d.item_id = cur.child_id "
         "WHERE d.met_at IS NULL AND (d.kind = 'risk_review_request' OR substr(d.kind, 1, 20) = 'risk_review_request:')) "
         "SELECT stale.child_id, cur.assessed_at FROM stale JOIN cur ON cur.child_id = stale.child_id");
DB_QUERY(Q_STALE_ROW, "SELECT " L_COLS "WHERE a.child_id = $1 AND a.is_current = 1");
DB_QUERY(Q_DEMO_CHILDREN, "SELECT id FROM children ORDER BY last_name, first_name, date_of_birth, id LIMIT $1");

/* Binds V, or NULL when V is NULL or empty. */
static void bind_opt(struct db_stmt *st, int i, const char *v) { db_bind_text(st, i, v && *v ? v : NULL); }

/* Records assessment A as the child's current one (the caller supersedes the previous one first). */
int store_risk_insert(struct db *db, const struct risk_record *a) {
  struct db_stmt *st = db_prepare(db, &Q_INSERT);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, a->id);
  db_bind_text(st, 2, a->child_id);
  db_bind_text(st, 3, a->tool_version);
  db_bind_int(st, 4, a->assessed_at);
  db_bind_text(st, 5, a->assessed_by);
  bind_opt(st, 6, a->agency_id);
  db_bind_int(st, 7, a->score);
  db_bind_text(st, 8, a->band_level);
  db_bind_text(st, 9, a->computed_level);
  db_bind_int(st, 10, a->computed_rank);
  bind_opt(st, 11, a->override_indicator);
  bind_opt(st, 12, a->override_reason);
  bind_opt(st, 13, a->judged_level);
  bind_opt(st, 14, a->judgement_rationale);
  db_bind_text(st, 15, a->final_level);
  db_bind_int(st, 16, a->final_rank);
  db_bind_int(st, 17, a->final_rank - a->computed_rank);
  db_bind_text(st, 18, a->countersign_status);
  bind_opt(st, 19, a->countersign_requested_from);
  bind_opt(st, 20, a->countersigned_by);
  if (a->countersigned_at) db_bind_int(st, 21, a->countersigned_at);
  else db_bind_text(st, 21, NULL);
  bind_opt(st, 22, a->childs_words);
  bind_opt(st, 23, a->childs_view_not_gathered_reason);
  db_bind_text(st, 24, a->exploitation_types ? a->exploitation_types : "[]");
  db_bind_int(st, 25, a->review_due_at);
  return db_run(st);
}

/* Records indicator RI of assessment ASSESSMENT_ID at POSITION (0-based, the order given). */
int store_risk_indicator_insert(struct db *db, const char *assessment_id, int position,
                                const struct risk_indicator_row *ri) {
  struct db_stmt *st = db_prepare(db, &Q_IND_INSERT);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, assessment_id);
  db_bind_int(st, 2, position);
  db_bind_text(st, 3, ri->code);
  db_bind_text(st, 4, ri->recency);
  db_bind_int(st, 5, ri->weight);
  db_bind_text(st, 6, ri->evidence);
  bind_opt(st, 7, ri->source_agency_id);
  return db_run(st);
}

/* The child's current assessment: DB_ROW with its id and final rank, or DB_DONE when it has none. */
int store_risk_current(struct db *db, const char *child_id, char id_out[ID_MAX], int *final_rank) {
  struct db_stmt *st = db_prepare(db, &Q_CURRENT);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, child_id);
  int rc = db_step(st);
  id_out[0] = '\0';
  if (rc == DB_ROW) {
    snprintf(id_out, ID_MAX, "%s", db_text(st, 0));
    if (final_rank) *final_rank = (int)db_int(st, 1);
  }
  db_reset(st);
  return rc;
}

/* Marks assessment ASSESSMENT_ID no longer current; DB_DONE when it was not current. */
int store_risk_supersede(struct db *db, const char *assessment_id) {
  struct db_stmt *st = db_prepare(db, &Q_SUPERSEDE);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, assessment_id);
  int rc = db_step(st);
  int64_t n = db_changes(st);
  db_reset(st);
  if (rc < 0) return rc;
  return n ? DB_OK : DB_DONE;
}

static json_t *iso_or_null(struct db_stmt *st, int col) {
  if (db_null(st, col)) return json_null();
  char at[ISO_TIME_LEN];
  time_format_iso(db_int(st, col), at);
  return json_string(at);
}

/* Parses the JSON array text of column COL; an empty array for NULL or anything unreadable. */
static json_t *json_array_col(struct db_stmt *st, int col) {
  const char *text = db_text(st, col);
  json_t *v = text ? json_loads(text, 0, NULL) : NULL;
  if (!json_is_array(v)) {
    json_decref(v);
    v = json_array();
  }
  return v;
}

/* One assessment row (A_COLS) as JSON, with an empty indicator list. */
static json_t *assessment_row(struct db_stmt *st) {
  json_t *o = json_object();
  json_set_col(o, "id", st, 0);
  json_set_col(o, "child_id", st, 1);
  json_set_col(o, "tool_version", st, 2);
  json_object_set_new(o, "assessed_at", iso_or_null(st, 3));
  json_set_col(o, "assessed_by", st, 4);
  json_set_col(o, "assessed_by_name", st, 5);
  json_set_col(o, "agency", st, 6);
  json_set_col(o, "agency_name", st, 7);
  json_object_set_new(o, "score", json_integer(db_int(st, 8)));
  json_set_col(o, "band_level", st, 9);
  json_set_col(o, "computed_level", st, 10);
  json_object_set_new(o, "override", db_null(st, 11) ? json_null()
                                                     : json_pack("{s:s,s:s?}", "indicator", db_text(st, 11), "reason",
                                                                 db_text(st, 12)));
  json_object_set_new(o, "professional_judgement",
                      db_null(st, 13) ? json_null()
                                      : json_pack("{s:s,s:s?}", "level", db_text(st, 13), "rationale", db_text(st, 14)));
  json_set_col(o, "level", st, 15);
  json_object_set_new(o, "level_change", json_integer(db_int(st, 16)));
  json_t *cs = json_object();
  json_set_col(cs, "status", st, 17);
  json_set_col(cs, "requested_from", st, 18);
  json_set_col(cs, "requested_from_name", st, 19);
  json_set_col(cs, "by", st, 20);
  json_set_col(cs, "by_name", st, 21);
  json_object_set_new(cs, "at", iso_or_null(st, 22));
  json_set_col(cs, "comment", st, 23);
  json_object_set_new(o, "countersignature", cs);
  json_set_col(o, "countersigned_by", st, 20);
  json_set_col(o, "childs_words", st, 24);
  json_set_col(o, "childs_view_not_gathered_reason", st, 25);
  json_object_set_new(o, "exploitation_types", json_array_col(st, 26));
  json_object_set_new(o, "review_due", iso_or_null(st, 27));
  json_object_set_new(o, "review_due_epoch", json_integer(db_int(st, 27)));
  json_object_set_new(o, "current", json_boolean(db_int(st, 28) != 0));
  json_object_set_new(o, "final_rank", json_integer(db_int(st, 29)));
  json_object_set_new(o, "computed_rank", json_integer(db_int(st, 30)));
  json_object_set_new(o, "indicators", json_array());
  return o;
}

/* One indicator row (I_COLS) as JSON. */
static json_t *indicator_row(struct db_stmt *st) {
  json_t *o = json_object();
  json_set_col(o, "code", st, 1);
  json_set_col(o, "recency", st, 2);
  json_object_set_new(o, "weight", json_integer(db_int(st, 3)));
  json_set_col(o, "evidence", st, 4);
  json_set_col(o, "source_agency", st, 5);
  json_set_col(o, "source_agency_name", st, 6);
  return o;
}

/*
** Every assessment of CHILD_ID, newest first, each with its indicators in
** the order given, as a new array in *OUT.
*/
int store_risk_list(struct db *db, const char *child_id, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_LIST);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, child_id);
  json_t *arr = json_array(), *byid = json_object();
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    json_t *a = assessment_row(st);
    json_object_set(byid, json_string_value(json_object_get(a, "id")), a);
    json_array_append_new(arr, a);
  }
  db_reset(st);
  if (rc == DB_DONE && json_array_size(arr)) {
    st = db_prepare(db, &Q_IND_CHILD);
    if (!st) rc = DB_ERROR;
    else {
      db_bind_text(st, 1, child_id);
      while ((rc = db_step(st)) == DB_ROW) {
        json_t *a = json_object_get(byid, db_text(st, 0));
        if (a) json_array_append_new(json_object_get(a, "indicators"), indicator_row(st));
      }
      db_reset(st);
    }
  }
  json_decref(byid);
  if (rc != DB_DONE) {
    json_decref(arr);
    return rc < 0 ? rc : DB_ERROR;
  }
  *out = arr;
  return DB_OK;
}

/* Assessment ASSESSMENT_ID with its indicators: DB_ROW with *OUT (new reference), or DB_DONE. */
int store_risk_get(struct db *db, const char *assessment_id, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_GET);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, assessment_id);
  int rc = db_step(st);
  json_t *a = rc == DB_ROW ? assessment_row(st) : NULL;
  db_reset(st);
  if (rc != DB_ROW) return rc;
  st = db_prepare(db, &Q_IND_ONE);
  if (!st) {
    json_decref(a);
    return DB_ERROR;
  }
  db_bind_text(st, 1, assessment_id);
  while ((rc = db_step(st)) == DB_ROW) json_array_append_new(json_object_get(a, "indicators"), indicator_row(st));
  db_reset(st);
  if (rc != DB_DONE) {
    json_decref(a);
    return rc < 0 ? rc : DB_ERROR;
  }
  *out = a;
  return DB_ROW;
}

/*
** Records a manager's countersignature (STATUS "agreed" or "declined") of an
** assessment awaiting one, with the level then in force and its review date.
** DB_DONE when the assessment is not awaiting a countersignature.
*/
int store_risk_countersign(struct db *db, const char *assessment_id, const char *status, const char *by, int64_t at,
                           const char *comment, const char *final_level, int final_rank, int level_change,
                           int64_t review_due_at) {
  struct db_stmt *st = db_prepare(db, &Q_COUNTERSIGN);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, assessment_id);
  db_bind_text(st, 2, status);
  db_bind_text(st, 3, by);
  db_bind_int(st, 4, at);
  bind_opt(st, 5, comment);
  db_bind_text(st, 6, final_level);
  db_bind_int(st, 7, final_rank);
  db_bind_int(st, 8, level_change);
  db_bind_int(st, 9, review_due_at);
  int rc = db_step(st);
  int64_t n = db_changes(st);
  db_reset(st);
  if (rc < 0) return rc;
  return n ? DB_OK : DB_DONE;
}

/* Counts what has been recorded about CHILD_ID after SINCE into *OUT. */
int store_risk_staleness(struct db *db, const char *child_id, int64_t since, struct risk_staleness *out) {
  memset(out, 0, sizeof *out);
  struct db_stmt *st = db_prepare(db, &Q_STALE);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, child_id);
  db_bind_int(st, 2, since);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    out->referrals = db_int(st, 0);
    out->missing_episodes = db_int(st, 1);
    out->notes = db_int(st, 2);
    out->review_requested = db_int(st, 3) > 0;
  }
  db_reset(st);
  return rc == DB_ROW ? DB_OK : rc < 0 ? rc : DB_ERROR;
}

/* One row of store_risk_sources as an object. */
static void risk_sources_row(struct db_stmt *st, json_t *o) {
  json_set_col(o, "type", st, 0);
  json_set_col(o, "id", st, 1);
  json_set_col(o, "reference", st, 2);
  json_object_set_new(o, "at", iso_or_null(st, 3));
  json_object_set_new(o, "at_epoch", json_integer(db_int(st, 3)));
  json_set_col(o, "agency", st, 4);
  json_set_col(o, "agency_name", st, 5);
  json_object_set_new(o, "indicators", json_array_col(st, 6));
}

/*
** The records about CHILD_ID after SINCE that carry indicators (referrals,
** case notes) or are themselves one (missing episodes), newest first, as
** [{"type","id","reference","at","at_epoch","agency","agency_name",
** "indicators":[codes]}] in *OUT (new reference).
*/
int store_risk_sources(struct db *db, const char *child_id, int64_t since, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_SOURCES);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, child_id);
  db_bind_int(st, 2, since);
  return store_rows_json(st, risk_sources_row, out);
}

/*
** Opens (or, while open, moves) the deadline ("child", CHILD_ID, KIND).  The
** same as store_deadline_open, for kinds that name an assessment and so are
** longer than struct deadline holds.  DB_DONE when that deadline was met.
*/
int store_risk_deadline_open(struct db *db, const char *child_id, const char *kind, const char *title, const char *link,
                             const char *owner_id, int64_t due_at, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_DEADLINE);
  if (!st) return DB_ERROR;
  char id[ID_MAX];
  ids_new("dl", id, sizeof id);
  db_bind_text(st, 1, id);
  db_bind_text(st, 2, child_id);
  db_bind_text(st, 3, kind);
  db_bind_text(st, 4, title);
  db_bind_text(st, 5, link);
  bind_opt(st, 6, owner_id);
  db_bind_int(st, 7, due_at);
  db_bind_int(st, 8, now);
  int rc = db_step(st);
  int64_t n = db_changes(st);
  db_reset(st);
  if (rc < 0) return rc;
  return n ? DB_OK : DB_DONE;
}

/*
** Meets every open review of CHILD_ID: the reviews of earlier assessments
** ("risk_review:ID") and requests for a review made when something new was
** recorded ("risk_review_request", or "risk_review_request:..."), as done
** by BY at NOW.  *MET counts them.
*/
int store_risk_reviews_meet(struct db *db, const char *child_id, const char *by, int64_t now, int *met) {
  *met = 0;
  struct db_stmt *st = db_prepare(db, &Q_REVIEWS_MEET);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, child_id);
  db_bind_int(st, 2, now);
  bind_opt(st, 3, by);
  int rc = db_step(st);
  *met = (int)db_changes(st);
  db_reset(st);
  return rc < 0 ? rc : DB_OK;
}

/* One row of store_risk_countersigners as an object. */
static void risk_countersigners_row(struct db_stmt *st, json_t *o) {
  json_set_col(o, "id", st, 0);
  json_set_col(o, "username", st, 1);
  json_set_col(o, "name", st, 2);
  json_set_col(o, "role", st, 3);
}

/* Enabled managers and directors, who may countersign: [{"id","username","name","role"}] in *OUT. */
int store_risk_countersigners(struct db *db, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_SIGNERS);
  if (!st) return DB_ERROR;
  return store_rows_json(st, risk_countersigners_row, out);
}

/*
** Current assessments by level in force, with how many of each are overdue
** for review (due at or before NOW), due by SOON, raised or lowered by
** judgement, and awaiting a countersignature:
** [{"level","children","overdue","due_soon","raised","lowered","awaiting"}].
*/
int store_risk_overview_levels(struct db *db, int64_t now, int64_t soon, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_LEVELS);
  if (!st) return DB_ERROR;
  db_bind_int(st, 1, now);
  db_bind_int(st, 2, soon);
  json_t *arr = json_array();
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    json_array_append_new(arr, json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I}", "level", db_text(st, 0), "children",
                                         (json_int_t)db_int(st, 1), "overdue", (json_int_t)db_int(st, 2), "due_soon",
                                         (json_int_t)db_int(st, 3), "raised", (json_int_t)db_int(st, 4), "lowered",
                                         (json_int_t)db_int(st, 5), "awaiting", (json_int_t)db_int(st, 6)));
  }
  db_reset(st);
  if (rc != DB_DONE) {
    json_decref(arr);
    return rc < 0 ? rc : DB_ERROR;
  }
  *out = arr;
  return DB_OK;
}

/* One overview row (L_COLS) as JSON. */
static json_t *list_row(struct db_stmt *st) {
  json_t *o = json_object();
  json_set_col(o, "child_id", st, 0);
  json_set_col(o, "first_name", st, 1);
  json_set_col(o, "last_name", st, 2);
  json_set_col(o, "assessment_id", st, 3);
  json_set_col(o, "level", st, 4);
  json_set_col(o, "computed_level", st, 5);
  json_object_set_new(o, "level_change", json_integer(db_int(st, 6)));
  json_set_col(o, "countersign_status", st, 7);
  json_object_set_new(o, "assessed_at", iso_or_null(st, 8));
  json_object_set_new(o, "review_due", iso_or_null(st, 9));
  return o;
}

static int list_rows(struct db_stmt *st, json_t **out) {
  json_t *arr = json_array();
  int rc;
  while ((rc = db_step(st)) == DB_ROW) json_array_append_new(arr, list_row(st));
  db_reset(st);
  if (rc != DB_DONE) {
    json_decref(arr);
    return rc < 0 ? rc : DB_ERROR;
  }
  *out = arr;
  return DB_OK;
}

/*
** Up to LIMIT children of one overview list: reviews overdue (most overdue
** first), due by SOON (soonest first), or levels changed by judgement and
** lowerings awaiting a countersignature (newest first).
*/
int store_risk_overview_list(struct db *db, enum risk_list which, int64_t now, int64_t soon, int limit, json_t **out) {
  const struct db_query *q = which == RISK_LIST_OVERDUE ? &Q_LIST_OVERDUE : which == RISK_LIST_DUE_SOON ? &Q_LIST_SOON
                                                                                                         : &Q_LIST_JUDGED;
  struct db_stmt *st = db_prepare(db, q);
  if (!st) return DB_ERROR;
  if (which == RISK_LIST_OVERDUE) {
    db_bind_int(st, 1, now);
    db_bind_int(st, 2, limit);
  } else if (which == RISK_LIST_DUE_SOON) {
    db_bind_int(st, 1, now);
    db_bind_int(st, 2, soon);
    db_bind_int(st, 3, limit);
  } else {
    db_bind_int(st, 1, limit);
  }
  return list_rows(st, out);
}

struct stale_child {
  char id[ID_MAX];
  int64_t assessed_at;
};

static int cmp_stale(const void *a, const void *b) {
  const struct stale_child *x = a, *y = b;
  if (x->assessed_at != y->assessed_at) return x->assessed_at < y->assessed_at ? -1 : 1;
  return strcmp(x->id, y->id);
}

/*
** Children whose current assessment is out of date: *COUNT of them, and in
** *OUT the LIMIT whose assessment is oldest, as overview rows.
*/
int store_risk_out_of_date(struct db *db, int limit, int64_t *count, json_t **out) {
  *count = 0;
  struct db_stmt *st = db_prepare(db, &Q_STALE_ALL);
  if (!st) return DB_ERROR;
  /* Keep the LIMIT oldest in a small sorted array while counting them all. */
  struct stale_child *keep = xcalloc((size_t)limit + 1, sizeof *keep);
  int nkeep = 0, rc;
  while ((rc = db_step(st)) == DB_ROW) {
    (*count)++;
    struct stale_child c;
    snprintf(c.id, sizeof c.id, "%s", db_text(st, 0));
    c.assessed_at = db_int(st, 1);
    if (nkeep < limit) keep[nkeep++] = c;
    else if (limit > 0 && cmp_stale(&c, &keep[nkeep - 1]) < 0) keep[nkeep - 1] = c;
    else continue;
    for (int i = nkeep - 1; i > 0 && cmp_stale(&keep[i], &keep[i - 1]) < 0; i--) {
      struct stale_child tmp = keep[i];
      keep[i] = keep[i - 1];
      keep[i - 1] = tmp;
    }
  }
  db_reset(st);
  if (rc != DB_DONE) {
    free(keep);
    return rc < 0 ? rc : DB_ERROR;
  }
  json_t *arr = json_array();
  for (int i = 0; i < nkeep && rc == DB_DONE; i++) {
    st = db_prepare(db, &Q_STALE_ROW);
    if (!st) {
      rc = DB_ERROR;
      break;
    }
    db_bind_text(st, 1, keep[i].id);
    rc = db_step(st);
    if (rc == DB_ROW) json_array_append_new(arr, list_row(st));
    db_reset(st);
    if (rc == DB_ROW) rc = DB_DONE;
  }
  free(keep);
  if (rc != DB_DONE) {
    json_decref(arr);
    return rc < 0 ? rc : DB_ERROR;
  }
  *out = arr;
  return DB_OK;
}

/* Up to LIMIT children's ids in a stable order (by name), for the demo borough; free with store_free_ids. */
int store_risk_children_for_demo(struct db *db, int limit, char ***ids, int *n) {
  *ids = NULL;
  *n = 0;
  struct db_stmt *st = db_prepare(db, &Q_DEMO_CHILDREN);
  if (!st) return DB_ERROR;
  db_bind_int(st, 1, limit);
  char **out = xcalloc((size_t)limit + 1, sizeof *out);
  int rc, count = 0;
  while ((rc = db_step(st)) == DB_ROW && count < limit) out[count++] = xstrdup(db_text(st, 0));
  db_reset(st);
  if (rc < 0) {
    store_free_ids(out, count);
    return rc;
  }
  *ids = out;
  *n = count;
  return DB_OK;
}
