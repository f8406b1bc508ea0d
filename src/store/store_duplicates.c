/*
** The duplicates queue: pairs of children the matcher thinks may be one
** child, waiting for a person to decide (see merge.h).
*/
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/merge.h"
#include "store/store_util.h"
#include "util/timeutil.h"

/* Pairs where either child has since been merged elsewhere drop out of the open queue. */
DB_QUERY(Q_LIST, "SELECT d.id, d.child_a, d.child_b, d.probability, d.explanation, d.found_at, d.status, u.username, "
                 "d.decided_at, d.reason FROM duplicate_candidates d LEFT JOIN users u ON u.id = d.decided_by "
                 "JOIN children a ON a.id = d.child_a JOIN children b ON b.id = d.child_b "
                 "WHERE d.status = $1 AND ($1 <> 'open' OR (a.merged_into IS NULL AND b.merged_into IS NULL)) "
                 "ORDER BY d.probability DESC, d.found_at, d.id LIMIT $2");
DB_QUERY(Q_GET, "SELECT d.id, d.child_a, d.child_b, d.probability, d.explanation, d.found_at, d.status, u.username, "
                "d.decided_at, d.reason FROM duplicate_candidates d LEFT JOIN users u ON u.id = d.decided_by "
                "WHERE d.id = $1");
DB_QUERY(Q_DECIDE, "UPDATE duplicate_candidates SET status = $3, decided_by = $4, decided_at = $5, reason = $6 "
                   "WHERE id = $1 AND status = $2");

DB_QUERY(Q_INSERT, "INSERT INTO duplicate_candidates (id, child_a, child_b, probability, explanation, model_id, "
                   "found_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING");

DB_QUERY(Q_DECISION, "INSERT INTO match_decisions (id, subject_type, subject_id, child_id, decision, probability, "
                     "model_id, reason, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)");

DB_QUERY(Q_FOR_LINKAGE, "SELECT id, first_name, last_name, date_of_birth, gender, address, postcode, nhs_number "
                        "FROM children WHERE merged_into IS NULL ORDER BY id");

static json_t *row(struct db_stmt *st) {
  json_t *o = json_object();
  json_set_col(o, "id", st, 0);
  json_set_col(o, "child_a", st, 1);
  json_set_col(o, "child_b", st, 2);
  json_object_set_new(o, "probability", json_real(strtod(db_text(st, 3) ? db_text(st, 3) : "0", NULL)));
  json_t *ex = json_loads(db_text(st, 4) ? db_text(st, 4) : "[]", 0, NULL);
  json_object_set_new(o, "explanation", ex ? ex : json_array());
  char at[ISO_TIME_LEN];
  time_format_iso(db_int(st, 5), at);
  json_object_set_new(o, "found_at", json_string(at));
  json_set_col(o, "status", st, 6);
  json_set_col(o, "decided_by", st, 7);
  if (!db_null(st, 8)) {
    time_format_iso(db_int(st, 8), at);
    json_object_set_new(o, "decided_at", json_string(at));
  } else {
    json_object_set_new(o, "decided_at", json_null());
  }
  json_set_col(o, "reason", st, 9);
  return o;
}

/* Pairs with STATUS, likeliest first, at most LIMIT, as JSON (new reference in *OUT). */
int store_duplicates_list(struct db *db, const char *status, int limit, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_LIST);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, status);
  db_bind_int(st, 2, limit);
  json_t *arr = json_array();
  int rc;
  while ((rc = db_step(st)) == DB_ROW) json_array_append_new(arr, row(st));
  db_reset(st);
  if (rc != DB_DONE) {
    json_decref(arr);
    return rc;
  }
  *out = arr;
  return DB_OK;
}

/* Pair ID as JSON: DB_ROW, or DB_DONE when there is none. */
int store_duplicate_get(struct db *db, const char *id, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_GET);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  int rc = db_step(st);
  if (rc == DB_ROW) *out = row(st);
  db_reset(st);
  return rc;
}

/* Moves pair ID from FROM_STATUS to TO_STATUS; DB_DONE when it was not in FROM_STATUS (decided meanwhile). */
int store_duplicate_decide(struct db *db, const char *id, const char *from_status, const char *to_status,
                           const char *by, int64_t at, const char *reason) {
  struct db_stmt *st = db_prepare(db, &Q_DECIDE);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  db_bind_text(st, 2, from_status);
  db_bind_text(st, 3, to_status);
  db_bind_text(st, 4, by);
  db_bind_int(st, 5, at);
  db_bind_text(st, 6, reason);
  int rc = db_step(st);
  int64_t n = db_changes(st);
  db_reset(st);
  if (rc < 0) return rc;
  return n ? DB_OK : DB_DONE;
}

/*
** Puts the pair CHILD_A, CHILD_B (CHILD_A sorting first) on the queue with
** the model's PROBABILITY, EXPLANATION (JSON text) and MODEL_ID, unless the
** pair is there already.  Returns DB_OK or an error.
*/
int store_duplicate_add(struct db *db, const char *id, const char *child_a, const char *child_b, double probability,
                        const char *explanation, const char *model_id, int64_t at) {
  assert(strcmp(child_a, child_b) < 0);
  struct db_stmt *st = db_prepare(db, &Q_INSERT);
  if (!st) return DB_ERROR;
  char prob[32];
  snprintf(prob, sizeof prob, "%.6f", probability);
  db_bind_text(st, 1, id);
  db_bind_text(st, 2, child_a);
  db_bind_text(st, 3, child_b);
  db_bind_text(st, 4, prob);
  db_bind_text(st, 5, explanation);
  db_bind_text(st, 6, model_id);
  db_bind_int(st, 7, at);
  return db_run(st);
}

/* Keeps a person's decision D on a suggested match.  Returns DB_OK or an error. */
int store_match_decision_add(struct db *db, const struct match_decision *d) {
  struct db_stmt *st = db_prepare(db, &Q_DECISION);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, d->id);
  db_bind_text(st, 2, d->subject_type);
  db_bind_text(st, 3, d->subject_id);
  db_bind_text(st, 4, d->child_id);
  db_bind_text(st, 5, d->decision);
  db_bind_text(st, 6, d->probability);
  db_bind_text(st, 7, d->model_id);
  db_bind_text(st, 8, d->reason);
  db_bind_text(st, 9, d->decided_by);
  db_bind_int(st, 10, d->decided_at);
  return db_run(st);
}

/*
** Calls EACH with every child not merged away, in id order: COLS holds id,
** first_name, last_name, date_of_birth, gender, address, postcode and
** nhs_number (NULL where absent), valid only during the call.  Returns DB_OK
** or an error.
*/
int store_children_for_linkage(struct db *db, void (*each)(void *ctx, const char *const cols[8]), void *ctx) {
  struct db_stmt *st = db_prepare(db, &Q_FOR_LINKAGE);
  if (!st) return DB_ERROR;
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    const char *cols[8];
    for (int i = 0; i < 8; i++) cols[i] = db_null(st, i) ? NULL : db_text(st, i);
    each(ctx, cols);
  }
  db_reset(st);
  return rc == DB_DONE ? DB_OK : rc;
}
