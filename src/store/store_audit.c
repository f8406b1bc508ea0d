/*
** Audit log operations (see store.h and audit/audit.h).  The table is only
** ever appended to; nothing here updates or deletes an entry.
*/
#include <stdlib.h>
#include <string.h>
#include "store/store.h"
#include "store/store_util.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define AUDIT_COLS                                                                             \
  "seq, at, actor_id, actor, role, agency, action, object_type, object_id, outcome, purpose, "  \
  "ip, details, prev_hash, hash"

DB_QUERY(Q_HEAD, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
DB_QUERY(Q_INSERT, "INSERT INTO audit_log (" AUDIT_COLS ") VALUES "
                   "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)");
DB_QUERY(Q_SUBJECT, "SELECT " AUDIT_COLS " FROM audit_log WHERE object_id = $1 "
                    "ORDER BY seq DESC LIMIT $2");
DB_QUERY(Q_SCAN, "SELECT " AUDIT_COLS " FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2");
DB_QUERY(Q_CP_INSERT, "INSERT INTO audit_checkpoints (seq, hash, at, public_key, signature) "
                      "VALUES ($1, $2, $3, $4, $5)");
DB_QUERY(Q_CP_LIST, "SELECT seq, hash, at, public_key, signature FROM audit_checkpoints ORDER BY seq");
DB_QUERY(Q_COUNT_BEFORE, "SELECT COUNT(*) FROM audit_log WHERE seq < $1");
DB_QUERY(Q_CP_LAST, "SELECT COALESCE(MAX(seq), 0) FROM audit_checkpoints");

void store_audit_row_free(struct audit_row *r) {
  free(r->actor_id);
  free(r->actor);
  free(r->role);
  free(r->agency);
  free(r->action);
  free(r->object_type);
  free(r->object_id);
  free(r->outcome);
  free(r->purpose);
  free(r->ip);
  free(r->details);
  free(r->prev_hash);
  free(r->hash);
  memset(r, 0, sizeof *r);
}

/* The last entry's seq and hash; seq 0 and an empty hash when the log is empty. */
int store_audit_head(struct db *db, int64_t *seq, char hash[65]) {
  struct db_stmt *st = db_prepare(db, &Q_HEAD);
  if (!st) return DB_ERROR;
  int rc = db_step(st);
  *seq = 0;
  hash[0] = '\0';
  if (rc == DB_ROW) {
    *seq = db_int(st, 0);
    snprintf(hash, 65, "%s", db_text(st, 1) ? db_text(st, 1) : "");
  }
  db_reset(st);
  return rc < 0 ? rc : DB_OK;
}

int store_audit_insert(struct db *db, const struct audit_row *r) {
  struct db_stmt *st = db_prepare(db, &Q_INSERT);
  if (!st) return DB_ERROR;
  db_bind_int(st, 1, r->seq);
  db_bind_int(st, 2, r->at);
  db_bind_text(st, 3, r->actor_id);
  db_bind_text(st, 4, r->actor);
  db_bind_text(st, 5, r->role);
  db_bind_text(st, 6, r->agency);
  db_bind_text(st, 7, r->action);
  db_bind_text(st, 8, r->object_type);
  db_bind_text(st, 9, r->object_id);
  db_bind_text(st, 10, r->outcome);
  db_bind_text(st, 11, r->purpose);
  db_bind_text(st, 12, r->ip);
  db_bind_text(st, 13, r->details);
  db_bind_text(st, 14, r->prev_hash);
  db_bind_text(st, 15, r->hash);
  return db_run(st);
}

static void read_row(struct db_stmt *st, struct audit_row *r) {
  r->seq = db_int(st, 0);
  r->at = db_int(st, 1);
  r->actor_id = db_text_dup(st, 2);
  r->actor = db_text_dup(st, 3);
  r->role = db_text_dup(st, 4);
  r->agency = db_text_dup(st, 5);
  r->action = db_text_dup(st, 6);
  r->object_type = db_text_dup(st, 7);
  r->object_id = db_text_dup(st, 8);
  r->outcome = db_text_dup(st, 9);
  r->purpose = db_text_dup(st, 10);
  r->ip = db_text_dup(st, 11);
  r->details = db_text_dup(st, 12);
  r->prev_hash = db_text_dup(st, 13);
  r->hash = db_text_dup(st, 14);
}

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

/* The newest LIMIT entries about OBJECT_ID as a JSON array (new reference in *OUT). */
int store_audit_for_subject(struct db *db, const char *object_id, int limit, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_SUBJECT);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, object_id);
  db_bind_int(st, 2, limit);
  json_t *arr = json_array();
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    struct audit_row r = {0};
    read_row(st, &r);
    char at[ISO_TIME_LEN];
    time_format_iso(r.at, at);
    json_t *details = json_loads(r.details ? r.details : "{}", 0, NULL);
    json_array_append_new(
        arr, json_pack("{s:I,s:s,s:o,s:s,s:o,s:o,s:s,s:o,s:o,s:s,s:o,s:o,s:o}", "seq", (json_int_t)r.seq,
                       "at", at, "actor_id", str_or_null(r.actor_id), "actor", r.actor, "role",
                       str_or_null(r.role), "agency", str_or_null(r.agency), "action", r.action,
                       "object_type", str_or_null(r.object_type), "object_id", str_or_null(r.object_id),
                       "outcome", r.outcome, "purpose", str_or_null(r.purpose), "ip", str_or_null(r.ip),
                       "details", details ? details : json_object()));
    store_audit_row_free(&r);
  }
  db_reset(st);
  if (rc != DB_DONE) {
    json_decref(arr);
    return rc;
  }
  *out = arr;
  return DB_OK;
}

/*
** Calls CB for every entry from FROM_SEQ on, in order, reading in pages so
** that memory stays flat however long the log is.  Stops early when CB
** returns non-zero and passes that value back.
*/
int store_audit_scan(struct db *db, int64_t from_seq, audit_row_cb cb, void *arg) {
  const int page = 5000;
  for (;;) {
    struct db_stmt *st = db_prepare(db, &Q_SCAN);
    if (!st) return DB_ERROR;
    db_bind_int(st, 1, from_seq);
    db_bind_int(st, 2, page);
    int rc, got = 0, stop = 0;
    while ((rc = db_step(st)) == DB_ROW) {
      struct audit_row r = {0};
      read_row(st, &r);
      from_seq = r.seq + 1;
      got++;
      stop = cb(&r, arg);
      store_audit_row_free(&r);
      if (stop) break;
    }
    db_reset(st);
    if (stop) return stop;
    if (rc < 0) return rc;
    if (got < page) return DB_OK;
  }
}

/*
** How many entries are numbered below SEQ, in *N.  The chain runs from 1, so
** with SEQ 1 this counts rows the verifier's scan would never reach.
*/
int store_audit_count_before(struct db *db, int64_t seq, int64_t *n) {
  struct db_stmt *st = db_prepare(db, &Q_COUNT_BEFORE);
  if (!st) return DB_ERROR;
  db_bind_int(st, 1, seq);
  int rc = db_step(st);
  *n = rc == DB_ROW ? db_int(st, 0) : 0;
  db_reset(st);
  if (rc == DB_ROW) return DB_OK;
  return rc < 0 ? rc : DB_ERROR; /* COUNT(*) always gives a row */
}

int store_audit_checkpoint_insert(struct db *db, int64_t seq, const char *hash, int64_t at,
                                  const char *public_key, const char *signature) {
  struct db_stmt *st = db_prepare(db, &Q_CP_INSERT);
  if (!st) return DB_ERROR;
  db_bind_int(st, 1, seq);
  db_bind_text(st, 2, hash);
  db_bind_int(st, 3, at);
  db_bind_text(st, 4, public_key);
  db_bind_text(st, 5, signature);
  return db_run(st);
}

/* Every checkpoint in seq order in a new array *OUT of *N (caller frees). */
int store_audit_checkpoints(struct db *db, struct audit_checkpoint **out, int *n) {
  struct db_stmt *st = db_prepare(db, &Q_CP_LIST);
  if (!st) return DB_ERROR;
  struct audit_checkpoint *arr = NULL;
  int count = 0, cap = 0, rc;
  while ((rc = db_step(st)) == DB_ROW) {
    if (count == cap) {
      cap = cap ? cap * 2 : 64;
      arr = xrealloc(arr, (size_t)cap * sizeof *arr);
    }
    struct audit_checkpoint *c = &arr[count++];
    memset(c, 0, sizeof *c);
    c->seq = db_int(st, 0);
    COPY_COL(c->hash, st, 1);
    c->at = db_int(st, 2);
    COPY_COL(c->public_key, st, 3);
    COPY_COL(c->signature, st, 4);
  }
  db_reset(st);
  if (rc != DB_DONE) {
    free(arr);
    return rc;
  }
  *out = arr;
  *n = count;
  return DB_OK;
}

int store_audit_last_checkpoint(struct db *db, int64_t *seq) {
  struct db_stmt *st = db_prepare(db, &Q_CP_LAST);
  if (!st) return DB_ERROR;
  int rc = db_step(st);
  *seq = rc == DB_ROW ? db_int(st, 0) : 0;
  db_reset(st);
  return rc < 0 ? rc : DB_OK;
}

DB_QUERY(Q_SPOOL_GET, "SELECT moved_through FROM audit_spools WHERE spool = $1");
DB_QUERY(Q_SPOOL_SET, "INSERT INTO audit_spools (spool, moved_through) VALUES ($1, $2) "
                      "ON CONFLICT (spool) DO UPDATE SET moved_through = excluded.moved_through");

/* How far spool NAME has been moved into the log (0 when never). */
int store_audit_spool_get(struct db *db, const char *name, int64_t *moved) {
  struct db_stmt *st = db_prepare(db, &Q_SPOOL_GET);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, name);
  int rc = db_step(st);
  *moved = rc == DB_ROW ? db_int(st, 0) : 0;
  db_reset(st);
  return rc < 0 ? rc : DB_OK;
}

/* Records that spool NAME has been moved through MOVED; inside the moving transaction. */
int store_audit_spool_set(struct db *db, const char *name, int64_t moved) {
  struct db_stmt *st = db_prepare(db, &Q_SPOOL_SET);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, name);
  db_bind_int(st, 2, moved);
  return db_run(st);
}
