/*
** Casework's named operations (see casework_store.h): missing episodes and
** return-home interviews, case notes, allocations and caseloads, meetings
** and actions, support referrals.  One static query per operation, written
** once for SQLite and PostgreSQL.
*/
#include <stdlib.h>
#include <string.h>
#include "store/casework_store.h"
#include "store/store_util.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

/* ---- helpers ---- */

/* Binds V at IDX, or SQL NULL when HAS is false. */
static void bind_opt_int(struct db_stmt *st, int idx, bool has, int64_t v) {
  if (has) db_bind_int(st, idx, v);
  else db_bind_text(st, idx, NULL);
}

/* Column COL as an ISO 8601 UTC string, or JSON null for SQL NULL.  New reference. */
static json_t *iso_col(struct db_stmt *st, int col) {
  if (db_null(st, col)) return json_null();
  char at[ISO_TIME_LEN];
  time_format_iso(db_int(st, col), at);
  return json_string(at);
}

/* Column COL (0/1) as a JSON boolean, or null for SQL NULL.  New reference. */
static json_t *bool_col(struct db_stmt *st, int col) {
  if (db_null(st, col)) return json_null();
  return json_boolean(db_int(st, col) != 0);
}

/* {"code","name"} of an agency from two columns, or null when the code is NULL.  New reference. */
static json_t *agency_cols(struct db_stmt *st, int code_col, int name_col) {
  if (db_null(st, code_col)) return json_null();
  json_t *o = json_object();
  json_set_col(o, "code", st, code_col);
  json_set_col(o, "name", st, name_col);
  return o;
}

/* Runs ST (a write) and resets it: DB_OK when it changed a row, DB_DONE when none, or an error. */
static int changed(struct db_stmt *st) {
  int rc = db_step(st);
  int64_t n = db_changes(st);
  db_reset(st);
  if (rc < 0) return rc;
  return n ? DB_OK : DB_DONE;
}

/* Collects the first column of every row of ST as strings (free with store_free_ids); resets ST. */
static int rows_ids(struct db_stmt *st, char ***ids, int *n) {
  int cap = 16, rc;
  *n = 0;
  *ids = xcalloc((size_t)cap, sizeof **ids);
  while ((rc = db_step(st)) == DB_ROW) {
    if (*n == cap) {
      cap *= 2;
      *ids = xrealloc(*ids, (size_t)cap * sizeof **ids);
    }
    (*ids)[(*n)++] = xstrdup(db_text(st, 0));
  }
  db_reset(st);
  if (rc != DB_DONE) {
    store_free_ids(*ids, *n);
    *ids = NULL;
    *n = 0;
    return rc;
  }
  return DB_OK;
}

/* ---- children ---- */

DB_QUERY(Q_CHILD_BORN, "SELECT date_of_birth FROM children WHERE id = $1");
DB_QUERY(Q_DEMO_CHILDREN, "SELECT id FROM children ORDER BY nhs_number, id LIMIT $1");
DB_QUERY(Q_PEOPLE, "SELECT u.username, u.name, u.role, a.code, a.name FROM users u JOIN agencies a ON a.id = u.agency_id "
                   "WHERE u.disabled = 0 AND u.role IN ('referrer', 'mash', 'social_worker', 'cse_worker', 'police', "
                   "'analyst', 'manager', 'director') ORDER BY u.name, u.username");

/*
** Whether child CHILD_ID exists: DB_ROW with *BORN_DAY its date of birth
** (days since the epoch, INT64_MIN when not known), or DB_DONE.
*/
int store_casework_child_born(struct db *db, const char *child_id, int64_t *born_day) {
  struct db_stmt *st = db_prepare(db, &Q_CHILD_BORN);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, child_id);
  int rc = db_step(st);
  *born_day = INT64_MIN;
  int64_t d;
  if (rc == DB_ROW && !db_null(st, 0) && date_parse(db_text(st, 0), &d)) *born_day = d;
  db_reset(st);
  return rc;
}

/* Up to LIMIT children in an order fixed by their synthetic data (for the demo); free with store_free_ids. */
int store_casework_demo_children(struct db *db, int limit, char ***ids, int *n) {
  struct db_stmt *st = db_prepare(db, &Q_DEMO_CHILDREN);
  if (!st) return DB_ERROR;
  db_bind_int(st, 1, limit);
  return rows_ids(st, ids, n);
}

static void person_row(struct db_stmt *st, json_t *o) {
  json_set_col(o, "username", st, 0);
  json_set_col(o, "name", st, 1);
  json_set_col(o, "role", st, 2);
  json_object_set_new(o, "agency", agency_cols(st, 3, 4));
}

/*
** The enabled users who work with children's records, by name, as
** [{"username","name","role","agency":{"code","name"}}]: who may own an
** action or hold an allocation.
*/
int store_casework_people(struct db *db, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_PEOPLE);
  if (!st) return DB_ERROR;
  return store_rows_json(st, person_row, out);
}

/* ---- missing episodes ---- */

DB_QUERY(Q_EP_INSERT,
         "INSERT INTO missing_episodes (id, child_id, went_missing_at, returned_at, reported_to_police, where_found, "
         "with_whom, agency_id, recorded_by, recorded_at, updated_at, version, interview_due_at) "
         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, 1, $11)");
#define EP_COLS                                                                                                   \
  "e.id, e.child_id, e.went_missing_at, e.returned_at, e.reported_to_police, e.where_found, e.with_whom, a.code, " \
  "a.name, u.username, e.recorded_at, e.updated_at, e.version, e.interview_due_at, e.interview_outcome, "        \
  "e.interview_at, e.interview_by, e.interview_independent, e.interview_childs_account, "                       \
  "e.interview_declined_reason, ia.code, ia.name, iu.username, e.interview_recorded_at"
#define EP_FROM                                                                                                  \
  " FROM missing_episodes e LEFT JOIN agencies a ON a.id = e.agency_id LEFT JOIN users u ON u.id = e.recorded_by " \
  "LEFT JOIN agencies ia ON ia.id = e.interview_agency_id LEFT JOIN users iu ON iu.id = e.interview_recorded_by "
DB_QUERY(Q_EP_GET, "SELECT " EP_COLS EP_FROM "WHERE e.id = $1");
DB_QUERY(Q_EP_LIST, "SELECT " EP_COLS EP_FROM "WHERE e.child_id = $1 ORDER BY e.went_missing_at DESC, e.id");
DB_QUERY(Q_EP_SPANS, "SELECT id, went_missing_at, returned_at FROM missing_episodes WHERE child_id = $1 "
                     "ORDER BY went_missing_at, id");
DB_QUERY(Q_EP_UPDATE, "UPDATE missing_episodes SET went_missing_at = $3, returned_at = $4, reported_to_police = $5, "
                      "where_found = $6, with_whom = $7, interview_due_at = $8, updated_at = $9, version = version + 1 "
                      "WHERE id = $1 AND version = $2");
DB_QUERY(Q_EP_INTERVIEW,
         "UPDATE missing_episodes SET interview_outcome = $2, interview_at = $3, interview_by = $4, "
         "interview_independent = $5, interview_childs_account = $6, interview_declined_reason = $7, "
         "interview_agency_id = $8, interview_recorded_by = $9, interview_recorded_at = $10, updated_at = $10, "
         "version = version + 1 WHERE id = $1 AND interview_outcome IS NULL AND returned_at IS NOT NULL");

/* Adds episode M, recorded at NOW. */
int store_missing_insert(struct db *db, const struct missing_row *m, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_EP_INSERT);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, m->id);
  db_bind_text(st, 2, m->child_id);
  db_bind_int(st, 3, m->went_missing_at);
  bind_opt_int(st, 4, m->returned, m->returned_at);
  db_bind_int(st, 5, m->reported_to_police ? 1 : 0);
  db_bind_text(st, 6, m->where_found);
  db_bind_text(st, 7, m->with_whom);
  db_bind_text(st, 8, m->agency_id);
  db_bind_text(st, 9, m->recorded_by);
  db_bind_int(st, 10, now);
  bind_opt_int(st, 11, m->has_due, m->interview_due_at);
  return db_run(st);
}

/* One episode row (EP_COLS) as the API's JSON (without the interview's status, which depends on the time). */
static void episode_row(struct db_stmt *st, json_t *o) {
  json_set_col(o, "id", st, 0);
  json_set_col(o, "child_id", st, 1);
  json_object_set_new(o, "went_missing_at", iso_col(st, 2));
  json_object_set_new(o, "returned_at", iso_col(st, 3));
  json_object_set_new(o, "reported_to_police", bool_col(st, 4));
  json_set_col(o, "where_found", st, 5);
  json_set_col(o, "with_whom", st, 6);
  json_object_set_new(o, "agency", agency_cols(st, 7, 8));
  json_set_col(o, "recorded_by", st, 9);
  json_object_set_new(o, "recorded_at", iso_col(st, 10));
  json_object_set_new(o, "updated_at", iso_col(st, 11));
  json_object_set_new(o, "version", json_integer(db_int(st, 12)));
  json_t *iv = json_object();
  json_object_set_new(iv, "due_at", iso_col(st, 13));
  json_set_col(iv, "outcome", st, 14);
  json_object_set_new(iv, "conducted_at", iso_col(st, 15));
  json_set_col(iv, "conducted_by", st, 16);
  json_object_set_new(iv, "independent", bool_col(st, 17));
  json_set_col(iv, "childs_account", st, 18);
  const char *outcome = db_text(st, 14);
  json_object_set_new(iv, "declined", json_boolean(outcome && !strcmp(outcome, "declined")));
  json_set_col(iv, "reason", st, 19);
  json_object_set_new(iv, "agency", agency_cols(st, 20, 21));
  json_set_col(iv, "recorded_by", st, 22);
  json_object_set_new(iv, "recorded_at", iso_col(st, 23));
  json_object_set_new(o, "return_interview", iv);
}

/* Episode ID as JSON into *OUT: DB_ROW, or DB_DONE when there is none. */
int store_missing_get(struct db *db, const char *id, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_EP_GET);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    *out = json_object();
    episode_row(st, *out);
  }
  db_reset(st);
  return rc;
}

/* Every episode of CHILD_ID as a JSON array, the latest to go missing first. */
int store_missing_list(struct db *db, const char *child_id, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_EP_LIST);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, child_id);
  return store_rows_json(st, episode_row, out);
}

/* The spans of every episode of CHILD_ID, earliest first, into *OUT (free() it) and *N. */
int store_missing_spans(struct db *db, const char *child_id, struct missing_span_row **out, size_t *n) {
  struct db_stmt *st = db_prepare(db, &Q_EP_SPANS);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, child_id);
  size_t cap = 8;
  *n = 0;
  *out = xcalloc(cap, sizeof **out);
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    if (*n == cap) {
      cap *= 2;
      *out = xrealloc(*out, cap * sizeof **out);
    }
    struct missing_span_row *s = &(*out)[(*n)++];
    COPY_COL(s->id, st, 0);
    s->went = db_int(st, 1);
    s->has_returned = !db_null(st, 2);
    s->returned = s->has_returned ? db_int(st, 2) : 0;
  }
  db_reset(st);
  if (rc != DB_DONE) {
    free(*out);
    *out = NULL;
    *n = 0;
    return rc;
  }
  return DB_OK;
}

/* Rewrites episode M->id's times and details if it is still at version M->version: DB_OK, or DB_DONE when not. */
int store_missing_update(struct db *db, const struct missing_row *m, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_EP_UPDATE);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, m->id);
  db_bind_int(st, 2, m->version);
  db_bind_int(st, 3, m->went_missing_at);
  bind_opt_int(st, 4, m->returned, m->returned_at);
  db_bind_int(st, 5, m->reported_to_police ? 1 : 0);
  db_bind_text(st, 6, m->where_found);
  db_bind_text(st, 7, m->with_whom);
  bind_opt_int(st, 8, m->has_due, m->interview_due_at);
  db_bind_int(st, 9, now);
  return changed(st);
}

/* Records the return-home interview of episode ID: DB_OK, or DB_DONE when one is already recorded or the child has not returned. */
int store_missing_interview(struct db *db, const char *id, const struct interview_row *iv, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_EP_INTERVIEW);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  db_bind_text(st, 2, iv->outcome);
  db_bind_int(st, 3, iv->at);
  db_bind_text(st, 4, iv->by);
  bind_opt_int(st, 5, iv->independent >= 0, iv->independent);
  db_bind_text(st, 6, iv->childs_account);
  db_bind_text(st, 7, iv->reason);
  db_bind_text(st, 8, iv->agency_id);
  db_bind_text(st, 9, iv->recorded_by);
  db_bind_int(st, 10, now);
  return changed(st);
}

/* ---- case notes ---- */

DB_QUERY(Q_NOTE_INSERT, "INSERT INTO case_notes (id, child_id, at, agency_id, author_id, text, childs_words, "
                        "indicators, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
DB_QUERY(Q_NOTE_LIST, "SELECT n.id, n.at, a.code, a.name, u.username, u.name, n.text, n.childs_words, n.indicators, "
                      "n.recorded_at FROM case_notes n LEFT JOIN agencies a ON a.id = n.agency_id "
                      "LEFT JOIN users u ON u.id = n.author_id WHERE n.child_id = $1 "
                      "ORDER BY n.at DESC, n.recorded_at DESC, n.id LIMIT $2");

/* Adds note N, recorded at NOW. */
int store_note_insert(struct db *db, const struct note_row *n, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_NOTE_INSERT);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, n->id);
  db_bind_text(st, 2, n->child_id);
  db_bind_int(st, 3, n->at);
  db_bind_text(st, 4, n->agency_id);
  db_bind_text(st, 5, n->author_id);
  db_bind_text(st, 6, n->text);
  db_bind_text(st, 7, n->childs_words);
  db_bind_text(st, 8, n->indicators ? n->indicators : "[]");
  db_bind_int(st, 9, now);
  return db_run(st);
}

static void note_row(struct db_stmt *st, json_t *o) {
  json_set_col(o, "id", st, 0);
  json_object_set_new(o, "at", iso_col(st, 1));
  json_object_set_new(o, "agency", agency_cols(st, 2, 3));
  json_set_col(o, "author", st, 4);
  json_set_col(o, "author_name", st, 5);
  json_set_col(o, "text", st, 6);
  json_set_col(o, "childs_words", st, 7);
  json_t *ind = db_text(st, 8) ? json_loads(db_text(st, 8), 0, NULL) : NULL;
  json_object_set_new(o, "indicators", json_is_array(ind) ? ind : json_array());
  if (ind && !json_is_array(ind)) json_decref(ind);
  json_object_set_new(o, "recorded_at", iso_col(st, 9));
}

/* The latest LIMIT notes on CHILD_ID, newest first, as a JSON array. */
int store_notes_list(struct db *db, const char *child_id, int limit, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_NOTE_LIST);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, child_id);
  db_bind_int(st, 2, limit);
  return store_rows_json(st, note_row, out);
}

/* ---- allocations and caseloads ---- */

DB_QUERY(Q_AL_END, "UPDATE allocations SET ended_at = $2 WHERE child_id = $1 AND ended_at IS NULL");
DB_QUERY(Q_AL_INSERT, "INSERT INTO allocations (id, child_id, worker_id, team, allocated_at, allocated_by, ended_at) "
                      "VALUES ($1, $2, $3, $4, $5, $6, NULL)");
DB_QUERY(Q_AL_FOR_CHILD,
         "SELECT al.id, w.username, w.name, w.role, ag.code, ag.name, al.team, al.allocated_at, b.username, al.ended_at "
         "FROM allocations al JOIN users w ON w.id = al.worker_id LEFT JOIN agencies ag ON ag.id = w.agency_id "
         "LEFT JOIN users b ON b.id = al.allocated_by WHERE al.child_id = $1 "
         "ORDER BY al.allocated_at DESC, al.ended_at IS NULL DESC, al.id");
DB_QUERY(Q_FOLLOW_LEAD, "UPDATE deadlines SET owner_id = $2 WHERE child_id = $1 AND met_at IS NULL "
                        "AND (kind IN ('return_interview', 'risk_review_request', 'cse_meeting') "
                        "OR kind LIKE 'risk_review:%')");
DB_QUERY(Q_CASELOADS,
         "SELECT u.username, u.name, u.role, ag.code, al.team, COUNT(al.id), "
         "(SELECT COUNT(*) FROM deadlines d WHERE d.owner_id = u.id AND d.met_at IS NULL AND d.due_at <= $2) "
         "FROM users u JOIN agencies ag ON ag.id = u.agency_id "
         "LEFT JOIN allocations al ON al.worker_id = u.id AND al.ended_at IS NULL "
         "WHERE u.disabled = 0 AND (u.role IN ('social_worker', 'cse_worker') OR al.id IS NOT NULL) "
         "AND (CAST($1 AS TEXT) IS NULL OR al.team = $1) "
         "GROUP BY u.id, u.username, u.name, u.role, ag.code, al.team ORDER BY al.team, u.name, u.username");
DB_QUERY(Q_CASELOAD_CHILDREN,
         "SELECT c.id, c.first_name, c.last_name, c.date_of_birth, al.team, al.allocated_at FROM allocations al "
         "JOIN children c ON c.id = al.child_id WHERE al.worker_id = $1 AND al.ended_at IS NULL "
         "ORDER BY c.last_name, c.first_name, c.id");

/* Ends CHILD_ID's current allocation at NOW: DB_OK, or DB_DONE when it had none. */
int store_allocation_end(struct db *db, const char *child_id, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_AL_END);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, child_id);
  db_bind_int(st, 2, now);
  return changed(st);
}

/* Makes WORKER_ID (in TEAM) the current lead worker of CHILD_ID; DB_CONSTRAINT if another allocation is current. */
int store_allocation_insert(struct db *db, const char *id, const char *child_id, const char *worker_id,
                            const char *team, const char *by, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_AL_INSERT);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  db_bind_text(st, 2, child_id);
  db_bind_text(st, 3, worker_id);
  db_bind_text(st, 4, team);
  db_bind_int(st, 5, now);
  db_bind_text(st, 6, by);
  return db_run(st);
}

static void allocation_row(struct db_stmt *st, json_t *o) {
  json_set_col(o, "id", st, 0);
  json_t *w = json_object();
  json_set_col(w, "username", st, 1);
  json_set_col(w, "name", st, 2);
  json_set_col(w, "role", st, 3);
  json_object_set_new(w, "agency", agency_cols(st, 4, 5));
  json_object_set_new(o, "worker", w);
  json_set_col(o, "team", st, 6);
  json_object_set_new(o, "allocated_at", iso_col(st, 7));
  json_set_col(o, "allocated_by", st, 8);
  json_object_set_new(o, "ended_at", iso_col(st, 9));
}

/* Every allocation of CHILD_ID, the current one (if any) first, then the earlier ones newest first. */
int store_allocations_for_child(struct db *db, const char *child_id, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_AL_FOR_CHILD);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, child_id);
  return store_rows_json(st, allocation_row, out);
}

/*
** Gives the child's open work that belongs to its lead worker (return-home
** interviews, requested and periodic risk reviews, the CSE meeting) to
** OWNER_ID (NULL: back to the MASH queue).  DB_OK whether or not anything was open.
*/
int store_deadlines_follow_lead(struct db *db, const char *child_id, const char *owner_id) {
  struct db_stmt *st = db_prepare(db, &Q_FOLLOW_LEAD);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, child_id);
  db_bind_text(st, 2, owner_id);
  int rc = changed(st);
  return rc == DB_DONE ? DB_OK : rc;
}

static void caseload_row(struct db_stmt *st, json_t *o) {
  json_set_col(o, "username", st, 0);
  json_set_col(o, "name", st, 1);
  json_set_col(o, "role", st, 2);
  json_set_col(o, "agency", st, 3);
  json_set_col(o, "team", st, 4);
  json_object_set_new(o, "children", json_integer(db_int(st, 5)));
  json_object_set_new(o, "overdue_work", json_integer(db_int(st, 6)));
}

/*
** Current caseloads: one row per worker and team they hold children in
** (social and CSE workers with none appear once, with no team), each with
** the number of children and of the worker's open overdue deadlines as of
** NOW.  TEAM (or NULL for every team) narrows it to one team.
*/
int store_caseload_counts(struct db *db, const char *team, int64_t now, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_CASELOADS);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, team);
  db_bind_int(st, 2, now);
  return store_rows_json(st, caseload_row, out);
}

static void caseload_child_row(struct db_stmt *st, json_t *o) {
  json_set_col(o, "child_id", st, 0);
  json_set_col(o, "first_name", st, 1);
  json_set_col(o, "last_name", st, 2);
  json_set_col(o, "date_of_birth", st, 3);
  json_set_col(o, "team", st, 4);
  json_object_set_new(o, "allocated_at", iso_col(st, 5));
}

/* The children WORKER_ID currently leads on, by name. */
int store_caseload_children(struct db *db, const char *worker_id, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_CASELOAD_CHILDREN);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, worker_id);
  return store_rows_json(st, caseload_child_row, out);
}

/* ---- meetings and actions ---- */

DB_QUERY(Q_MT_INSERT, "INSERT INTO meetings (id, type, held_at, decisions, agency_id, recorded_by, recorded_at) "
                      "VALUES ($1, $2, $3, $4, $5, $6, $7)");
DB_QUERY(Q_MT_CHILD, "INSERT INTO meeting_children (meeting_id, child_id) VALUES ($1, $2)");
DB_QUERY(Q_MT_ATTENDEE, "INSERT INTO meeting_attendees (meeting_id, position, name, agency_id, role) "
                        "VALUES ($1, $2, $3, $4, $5)");
DB_QUERY(Q_ACT_INSERT, "INSERT INTO actions (id, meeting_id, position, description, owner_id, due_date, due_at, "
                       "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
DB_QUERY(Q_MT_GET, "SELECT m.id, m.type, m.held_at, m.decisions, a.code, a.name, u.username, m.recorded_at "
                   "FROM meetings m LEFT JOIN agencies a ON a.id = m.agency_id LEFT JOIN users u ON u.id = m.recorded_by "
                   "WHERE m.id = $1");
DB_QUERY(Q_MT_ATTENDEES, "SELECT t.name, a.code, a.name, t.role FROM meeting_attendees t "
                         "JOIN agencies a ON a.id = t.agency_id WHERE t.meeting_id = $1 ORDER BY t.position");
DB_QUERY(Q_MT_ACTIONS, "SELECT x.id, x.description, o.username, o.name, x.due_date, x.due_at, x.completed_at, "
                       "c.username, x.completion_note FROM actions x JOIN users o ON o.id = x.owner_id "
                       "LEFT JOIN users c ON c.id = x.completed_by WHERE x.meeting_id = $1 ORDER BY x.position");
DB_QUERY(Q_MT_CHILD_IDS, "SELECT child_id FROM meeting_children WHERE meeting_id = $1 ORDER BY child_id");
DB_QUERY(Q_MT_FOR_CHILD, "SELECT m.id FROM meeting_children mc JOIN meetings m ON m.id = mc.meeting_id "
                         "WHERE mc.child_id = $1 ORDER BY m.held_at DESC, m.id");
DB_QUERY(Q_ACT_GET, "SELECT id, meeting_id, owner_id, due_date, completed_at FROM actions WHERE id = $1");
DB_QUERY(Q_ACT_COMPLETE, "UPDATE actions SET completed_at = $2, completed_by = $3, completion_note = $4 "
                         "WHERE id = $1 AND completed_at IS NULL");

/* Adds meeting ID (its children, attendees and actions are added separately). */
int store_meeting_insert(struct db *db, const char *id, const char *type, int64_t held_at, const char *decisions,
                         const char *agency_id, const char *recorded_by, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_MT_INSERT);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  db_bind_text(st, 2, type);
  db_bind_int(st, 3, held_at);
  db_bind_text(st, 4, decisions);
  db_bind_text(st, 5, agency_id);
  db_bind_text(st, 6, recorded_by);
  db_bind_int(st, 7, now);
  return db_run(st);
}

/* Records that meeting MEETING_ID was about child CHILD_ID. */
int store_meeting_child_add(struct db *db, const char *meeting_id, const char *child_id) {
  struct db_stmt *st = db_prepare(db, &Q_MT_CHILD);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, meeting_id);
  db_bind_text(st, 2, child_id);
  return db_run(st);
}

/* Adds the attendee at POSITION (0 first) of meeting MEETING_ID; ROLE may be NULL. */
int store_meeting_attendee_add(struct db *db, const char *meeting_id, int position, const char *name,
                               const char *agency_id, const char *role) {
  struct db_stmt *st = db_prepare(db, &Q_MT_ATTENDEE);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, meeting_id);
  db_bind_int(st, 2, position);
  db_bind_text(st, 3, name);
  db_bind_text(st, 4, agency_id);
  db_bind_text(st, 5, role);
  return db_run(st);
}

/* Adds action ID of meeting MEETING_ID, owned by OWNER_ID and due on DUE_DATE (overdue after DUE_AT). */
int store_action_insert(struct db *db, const char *id, const char *meeting_id, int position, const char *description,
                        const char *owner_id, const char *due_date, int64_t due_at, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_ACT_INSERT);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  db_bind_text(st, 2, meeting_id);
  db_bind_int(st, 3, position);
  db_bind_text(st, 4, description);
  db_bind_text(st, 5, owner_id);
  db_bind_text(st, 6, due_date);
  db_bind_int(st, 7, due_at);
  db_bind_int(st, 8, now);
  return db_run(st);
}

static void attendee_row(struct db_stmt *st, json_t *o) {
  json_set_col(o, "name", st, 0);
  json_object_set_new(o, "agency", agency_cols(st, 1, 2));
  json_set_col(o, "role", st, 3);
}

static void action_row(struct db_stmt *st, json_t *o) {
  json_set_col(o, "id", st, 0);
  json_set_col(o, "description", st, 1);
  json_t *owner = json_object();
  json_set_col(owner, "username", st, 2);
  json_set_col(owner, "name", st, 3);
  json_object_set_new(o, "owner", owner);
  json_set_col(o, "due", st, 4);
  json_object_set_new(o, "due_at", iso_col(st, 5));
  json_object_set_new(o, "completed_at", iso_col(st, 6));
  json_set_col(o, "completed_by", st, 7);
  json_set_col(o, "note", st, 8);
}

/* Fills the list KEY of O from query Q for meeting ID. */
static int meeting_list(struct db *db, const struct db_query *q, const char *id, json_t *o, const char *key,
                        void (*row)(struct db_stmt *, json_t *)) {
  struct db_stmt *st = db_prepare(db, q);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  json_t *arr = NULL;
  int rc = store_rows_json(st, row, &arr);
  if (rc == DB_OK) json_object_set_new(o, key, arr);
  return rc;
}

/*
** Meeting ID as JSON into *OUT, with its children's ids, attendees and
** actions: DB_ROW, or DB_DONE when there is none.
*/
int store_meeting_get(struct db *db, const char *id, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_MT_GET);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  int rc = db_step(st);
  if (rc != DB_ROW) {
    db_reset(st);
    return rc;
  }
  json_t *o = json_object();
  json_set_col(o, "id", st, 0);
  json_set_col(o, "type", st, 1);
  json_object_set_new(o, "held_at", iso_col(st, 2));
  json_set_col(o, "decisions", st, 3);
  json_object_set_new(o, "agency", agency_cols(st, 4, 5));
  json_set_col(o, "recorded_by", st, 6);
  json_object_set_new(o, "recorded_at", iso_col(st, 7));
  db_reset(st);
  char **ids = NULL;
  int n = 0;
  rc = store_meeting_child_ids(db, id, &ids, &n);
  if (rc == DB_OK) {
    json_t *kids = json_array();
    for (int i = 0; i < n; i++) json_array_append_new(kids, json_string(ids[i]));
    json_object_set_new(o, "child_ids", kids);
    store_free_ids(ids, n);
    rc = meeting_list(db, &Q_MT_ATTENDEES, id, o, "attendees", attendee_row);
  }
  if (rc == DB_OK) rc = meeting_list(db, &Q_MT_ACTIONS, id, o, "actions", action_row);
  if (rc != DB_OK) {
    json_decref(o);
    return rc;
  }
  *out = o;
  return DB_ROW;
}

/* The ids of the children meeting MEETING_ID was about (free with store_free_ids). */
int store_meeting_child_ids(struct db *db, const char *meeting_id, char ***ids, int *n) {
  struct db_stmt *st = db_prepare(db, &Q_MT_CHILD_IDS);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, meeting_id);
  return rows_ids(st, ids, n);
}

/* The ids of the meetings about CHILD_ID, the latest held first (free with store_free_ids). */
int store_meetings_for_child(struct db *db, const char *child_id, char ***ids, int *n) {
  struct db_stmt *st = db_prepare(db, &Q_MT_FOR_CHILD);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, child_id);
  return rows_ids(st, ids, n);
}

/* Action ID into *OUT: DB_ROW, or DB_DONE. */
int store_action_get(struct db *db, const char *id, struct action_row *out) {
  struct db_stmt *st = db_prepare(db, &Q_ACT_GET);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    memset(out, 0, sizeof *out);
    COPY_COL(out->id, st, 0);
    COPY_COL(out->meeting_id, st, 1);
    COPY_COL(out->owner_id, st, 2);
    COPY_COL(out->due_date, st, 3);
    out->completed = !db_null(st, 4);
  }
  db_reset(st);
  return rc;
}

/* Marks action ID done by BY at NOW with an optional NOTE: DB_OK, or DB_DONE when it already was. */
int store_action_complete(struct db *db, const char *id, const char *by, const char *note, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_ACT_COMPLETE);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  db_bind_int(st, 2, now);
  db_bind_text(st, 3, by);
  db_bind_text(st, 4, note);
  return changed(st);
}

/* ---- support referrals ---- */

DB_QUERY(Q_SUP_INSERT, "INSERT INTO support_referrals (id, child_id, service, provider, referred_on, status, "
                       "engagement, outcome, agency_id, recorded_by, recorded_at, updated_by, updated_at, version) "
                       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10, $11, 1)");
#define SUP_COLS                                                                                                  \
  "s.id, s.child_id, s.service, s.provider, s.referred_on, s.status, s.engagement, s.outcome, a.code, a.name, "   \
  "u.username, s.recorded_at, v.username, s.updated_at, s.version FROM support_referrals s LEFT JOIN agencies a " \
  "ON a.id = s.agency_id LEFT JOIN users u ON u.id = s.recorded_by LEFT JOIN users v ON v.id = s.updated_by "
DB_QUERY(Q_SUP_GET, "SELECT " SUP_COLS "WHERE s.id = $1");
DB_QUERY(Q_SUP_FOR_CHILD, "SELECT " SUP_COLS "WHERE s.child_id = $1 ORDER BY s.referred_on DESC, s.recorded_at DESC, s.id");
DB_QUERY(Q_SUP_UPDATE, "UPDATE support_referrals SET provider = $3, referred_on = $4, status = $5, engagement = $6, "
                       "outcome = $7, updated_by = $8, updated_at = $9, version = version + 1 "
                       "WHERE id = $1 AND version = $2");

/* Adds referral S, recorded at NOW. */
int store_support_insert(struct db *db, const struct support_row *s, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_SUP_INSERT);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, s->id);
  db_bind_text(st, 2, s->child_id);
  db_bind_text(st, 3, s->service);
  db_bind_text(st, 4, s->provider);
  db_bind_text(st, 5, s->referred_on);
  db_bind_text(st, 6, s->status);
  db_bind_text(st, 7, s->engagement);
  db_bind_text(st, 8, s->outcome);
  db_bind_text(st, 9, s->agency_id);
  db_bind_text(st, 10, s->recorded_by);
  db_bind_int(st, 11, now);
  return db_run(st);
}

static void support_row_json(struct db_stmt *st, json_t *o) {
  json_set_col(o, "id", st, 0);
  json_set_col(o, "child_id", st, 1);
  json_set_col(o, "service", st, 2);
  json_set_col(o, "provider", st, 3);
  json_set_col(o, "referred_on", st, 4);
  json_set_col(o, "status", st, 5);
  json_set_col(o, "engagement", st, 6);
  json_set_col(o, "outcome", st, 7);
  json_object_set_new(o, "agency", agency_cols(st, 8, 9));
  json_set_col(o, "recorded_by", st, 10);
  json_object_set_new(o, "recorded_at", iso_col(st, 11));
  json_set_col(o, "updated_by", st, 12);
  json_object_set_new(o, "updated_at", iso_col(st, 13));
  json_object_set_new(o, "version", json_integer(db_int(st, 14)));
}

/* Referral ID as JSON into *OUT: DB_ROW, or DB_DONE. */
int store_support_get(struct db *db, const char *id, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_SUP_GET);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    *out = json_object();
    support_row_json(st, *out);
  }
  db_reset(st);
  return rc;
}

/* Rewrites referral S->id if still at version S->version (by S->recorded_by, at NOW): DB_OK, or DB_DONE. */
int store_support_update(struct db *db, const struct support_row *s, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_SUP_UPDATE);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, s->id);
  db_bind_int(st, 2, s->version);
  db_bind_text(st, 3, s->provider);
  db_bind_text(st, 4, s->referred_on);
  db_bind_text(st, 5, s->status);
  db_bind_text(st, 6, s->engagement);
  db_bind_text(st, 7, s->outcome);
  db_bind_text(st, 8, s->recorded_by);
  db_bind_int(st, 9, now);
  return changed(st);
}

/* Every support referral of CHILD_ID, the latest referred first. */
int store_support_for_child(struct db *db, const char *child_id, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_SUP_FOR_CHILD);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, child_id);
  return store_rows_json(st, support_row_json, out);
}
