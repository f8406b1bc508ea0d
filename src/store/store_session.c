/*
** Session and API token operations (see store.h).  Only hashes of session
** ids and tokens are ever stored or looked up.
*/
#include <string.h>
#include "store/store.h"
#include "store/store_util.h"
#include "util/timeutil.h"

DB_QUERY(Q_S_INSERT, "INSERT INTO sessions (id_hash, user_id, csrf_token, stage, created_at, last_seen_at) "
                     "VALUES ($1, $2, $3, $4, $5, $6)");
DB_QUERY(Q_S_GET, "SELECT id_hash, user_id, csrf_token, stage, created_at, last_seen_at "
                  "FROM sessions WHERE id_hash = $1");
DB_QUERY(Q_S_TOUCH, "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1");
DB_QUERY(Q_S_DELETE, "DELETE FROM sessions WHERE id_hash = $1");
DB_QUERY(Q_S_DELETE_USER, "DELETE FROM sessions WHERE user_id = $1");
DB_QUERY(Q_S_PURGE, "DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2");

DB_QUERY(Q_T_INSERT, "INSERT INTO api_tokens (id, token_hash, user_id, label, created_at) "
                     "VALUES ($1, $2, $3, $4, $5)");
DB_QUERY(Q_T_BY_HASH, "SELECT id, user_id, label, created_at, revoked_at, last_used_at "
                      "FROM api_tokens WHERE token_hash = $1");
DB_QUERY(Q_T_REVOKE, "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL");
DB_QUERY(Q_T_TOUCH, "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1");
DB_QUERY(Q_T_LIST, "SELECT t.id, u.username, t.label, t.created_at, t.revoked_at, t.last_used_at "
                   "FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.created_at");

int store_session_insert(struct db *db, const struct session *s) {
  struct db_stmt *st = db_prepare(db, &Q_S_INSERT);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, s->id_hash);
  db_bind_text(st, 2, s->user_id);
  db_bind_text(st, 3, s->csrf_token);
  db_bind_text(st, 4, s->stage);
  db_bind_int(st, 5, s->created_at);
  db_bind_int(st, 6, s->last_seen_at);
  return db_run(st);
}

/* DB_ROW with *OUT filled, or DB_DONE. */
int store_session_get(struct db *db, const char *id_hash, struct session *out) {
  struct db_stmt *st = db_prepare(db, &Q_S_GET);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id_hash);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    COPY_COL(out->id_hash, st, 0);
    COPY_COL(out->user_id, st, 1);
    COPY_COL(out->csrf_token, st, 2);
    COPY_COL(out->stage, st, 3);
    out->created_at = db_int(st, 4);
    out->last_seen_at = db_int(st, 5);
  }
  db_reset(st);
  return rc;
}

int store_session_touch(struct db *db, const char *id_hash, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_S_TOUCH);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id_hash);
  db_bind_int(st, 2, now);
  return db_run(st);
}

/*
** Ends one session.  The delete and the epoch's move commit together (in a
** transaction of their own unless the caller has one open): a session gone
** from the table while the epoch stood still would live on in every
** process's credential cache.
*/
int store_session_delete(struct db *db, const char *id_hash) {
  bool own = !db_in_transaction(db);
  int rc = own ? db_begin(db) : DB_OK;
  struct db_stmt *st = rc == DB_OK ? db_prepare(db, &Q_S_DELETE) : NULL;
  if (rc == DB_OK && !st) rc = DB_ERROR;
  if (rc == DB_OK) {
    db_bind_text(st, 1, id_hash);
    rc = bump_if_ok(db, db_run(st));
  }
  if (own && rc == DB_OK) rc = db_commit(db);
  if (own && rc != DB_OK) db_rollback(db);
  return rc;
}

/* Ends every session of a user (password change, disabling, TOTP reset). */
int store_session_delete_user(struct db *db, const char *user_id) {
  struct db_stmt *st = db_prepare(db, &Q_S_DELETE_USER);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, user_id);
  return bump_if_ok(db, db_run(st));
}

/* Deletes sessions idle since before IDLE_BEFORE or created before CREATED_BEFORE. */
int store_session_purge(struct db *db, int64_t idle_before, int64_t created_before) {
  struct db_stmt *st = db_prepare(db, &Q_S_PURGE);
  if (!st) return DB_ERROR;
  db_bind_int(st, 1, idle_before);
  db_bind_int(st, 2, created_before);
  return db_run(st);
}

int store_token_insert(struct db *db, const struct api_token *t, const char *token_hash) {
  struct db_stmt *st = db_prepare(db, &Q_T_INSERT);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, t->id);
  db_bind_text(st, 2, token_hash);
  db_bind_text(st, 3, t->user_id);
  db_bind_text(st, 4, t->label[0] ? t->label : NULL);
  db_bind_int(st, 5, t->created_at);
  return db_run(st);
}

/* DB_ROW with *OUT filled (revoked tokens too: the caller decides), or DB_DONE. */
int store_token_by_hash(struct db *db, const char *token_hash, struct api_token *out) {
  struct db_stmt *st = db_prepare(db, &Q_T_BY_HASH);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, token_hash);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    memset(out, 0, sizeof *out);
    COPY_COL(out->id, st, 0);
    COPY_COL(out->user_id, st, 1);
    COPY_COL(out->label, st, 2);
    out->created_at = db_int(st, 3);
    out->revoked_at = db_int(st, 4);
    out->last_used_at = db_int(st, 5);
  }
  db_reset(st);
  return rc;
}

/* DB_OK when revoked now, DB_DONE when no live token has ID. */
int store_token_revoke(struct db *db, const char *id, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_T_REVOKE);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  db_bind_int(st, 2, now);
  int rc = db_step(st);
  int64_t n = db_changes(st);
  db_reset(st);
  if (rc < 0) return rc;
  return n ? bump_if_ok(db, DB_OK) : DB_DONE;
}

int store_token_touch(struct db *db, const char *id, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_T_TOUCH);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  db_bind_int(st, 2, now);
  return db_run(st);
}

static void set_time(json_t *o, const char *key, struct db_stmt *st, int col) {
  if (db_null(st, col)) {
    json_object_set_new(o, key, json_null());
    return;
  }
  char at[ISO_TIME_LEN];
  time_format_iso(db_int(st, col), at);
  json_object_set_new(o, key, json_string(at));
}

/* One row of store_token_list as an object. */
static void token_list_row(struct db_stmt *st, json_t *o) {
  json_set_col(o, "id", st, 0);
  json_set_col(o, "username", st, 1);
  json_set_col(o, "label", st, 2);
  set_time(o, "created_at", st, 3);
  set_time(o, "revoked_at", st, 4);
  set_time(o, "last_used_at", st, 5);
}

/* Every token (never the secret) as a JSON array; new reference in *OUT. */
int store_token_list(struct db *db, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_T_LIST);
  if (!st) return DB_ERROR;
  return store_rows_json(st, token_list_row, out);
}
