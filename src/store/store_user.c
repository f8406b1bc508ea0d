/*
** User operations (see store.h).  Password hashes and TOTP secrets are read
** here but never leave the auth code: store_user_list omits them.
*/
#include <string.h>
#include "store/store.h"
#include "store/store_util.h"
#include "util/timeutil.h"

#define USER_COLS                                                                              \
  "id, username, name, email, agency_id, role, manager_id, password_hash, totp_secret, "        \
  "totp_enabled, totp_last_step, failed_logins, locked_until, disabled, created_at, updated_at"

DB_QUERY(Q_INSERT, "INSERT INTO users (" USER_COLS ") VALUES "
                   "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)");
DB_QUERY(Q_BY_USERNAME, "SELECT " USER_COLS " FROM users WHERE username = $1");
DB_QUERY(Q_BY_ID, "SELECT " USER_COLS " FROM users WHERE id = $1");
DB_QUERY(Q_LIST, "SELECT u.id, u.username, u.name, u.email, a.code, u.role, m.username, "
                 "u.totp_enabled, u.disabled, u.locked_until, u.created_at "
                 "FROM users u JOIN agencies a ON a.id = u.agency_id "
                 "LEFT JOIN users m ON m.id = u.manager_id ORDER BY u.username");
DB_QUERY(Q_UPDATE, "UPDATE users SET name = $2, email = $3, agency_id = $4, role = $5, "
                   "manager_id = $6, disabled = $7, updated_at = $8 WHERE id = $1");
DB_QUERY(Q_SET_PASSWORD, "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1");
DB_QUERY(Q_FAILED, "UPDATE users SET failed_logins = $2, locked_until = $3, updated_at = $4 WHERE id = $1");
/* One statement, so concurrent failures each count (no lost increments). */
DB_QUERY(Q_COUNT_FAILURE, "UPDATE users SET failed_logins = failed_logins + 1, updated_at = $2 WHERE id = $1 "
                          "RETURNING failed_logins");
DB_QUERY(Q_LOCK, "UPDATE users SET locked_until = $2 WHERE id = $1");
DB_QUERY(Q_OK, "UPDATE users SET failed_logins = 0, locked_until = 0, updated_at = $2 "
               "WHERE id = $1 AND (failed_logins <> 0 OR locked_until <> 0)");
DB_QUERY(Q_SET_TOTP, "UPDATE users SET totp_secret = $2, totp_enabled = $3, totp_last_step = 0, "
                     "updated_at = $4 WHERE id = $1");
/* Refuses a step at or before the last one used: a code works once. */
DB_QUERY(Q_TOTP_USED, "UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2");

static const char *nz(const char *s) { return s && *s ? s : NULL; }

/* Inserts U; DB_CONSTRAINT when the username is taken or a reference is wrong. */
int store_user_insert(struct db *db, const struct user *u) {
  struct db_stmt *st = db_prepare(db, &Q_INSERT);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, u->id);
  db_bind_text(st, 2, u->username);
  db_bind_text(st, 3, u->name);
  db_bind_text(st, 4, nz(u->email));
  db_bind_text(st, 5, u->agency_id);
  db_bind_text(st, 6, role_name(u->role));
  db_bind_text(st, 7, nz(u->manager_id));
  db_bind_text(st, 8, u->password_hash);
  db_bind_text(st, 9, nz(u->totp_secret));
  db_bind_bool(st, 10, u->totp_enabled);
  db_bind_int(st, 11, u->totp_last_step);
  db_bind_int(st, 12, u->failed_logins);
  db_bind_int(st, 13, u->locked_until);
  db_bind_bool(st, 14, u->disabled);
  db_bind_int(st, 15, u->created_at);
  db_bind_int(st, 16, u->updated_at);
  return db_run(st);
}

static int read_user(struct db_stmt *st, struct user *u) {
  int rc = db_step(st);
  if (rc == DB_ROW) {
    memset(u, 0, sizeof *u);
    COPY_COL(u->id, st, 0);
    COPY_COL(u->username, st, 1);
    COPY_COL(u->name, st, 2);
    COPY_COL(u->email, st, 3);
    COPY_COL(u->agency_id, st, 4);
    if (!role_parse(db_text(st, 5), &u->role)) rc = DB_ERROR;
    COPY_COL(u->manager_id, st, 6);
    COPY_COL(u->password_hash, st, 7);
    COPY_COL(u->totp_secret, st, 8);
    u->totp_enabled = db_int(st, 9) != 0;
    u->totp_last_step = db_int(st, 10);
    u->failed_logins = (int)db_int(st, 11);
    u->locked_until = db_int(st, 12);
    u->disabled = db_int(st, 13) != 0;
    u->created_at = db_int(st, 14);
    u->updated_at = db_int(st, 15);
  }
  db_reset(st);
  return rc;
}

/* DB_ROW with *OUT filled, or DB_DONE. */
int store_user_by_username(struct db *db, const char *username, struct user *out) {
  struct db_stmt *st = db_prepare(db, &Q_BY_USERNAME);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, username);
  return read_user(st, out);
}

/* DB_ROW with *OUT filled, or DB_DONE. */
int store_user_by_id(struct db *db, const char *id, struct user *out) {
  struct db_stmt *st = db_prepare(db, &Q_BY_ID);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  return read_user(st, out);
}

/* Every user without secrets, as a JSON array (new reference in *OUT). */
int store_user_list(struct db *db, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_LIST);
  if (!st) return DB_ERROR;
  json_t *arr = json_array();
  int rc;
  int64_t now = time_now();
  while ((rc = db_step(st)) == DB_ROW) {
    json_t *o = json_object();
    json_set_col(o, "id", st, 0);
    json_set_col(o, "username", st, 1);
    json_set_col(o, "name", st, 2);
    json_set_col(o, "email", st, 3);
    json_set_col(o, "agency", st, 4);
    json_set_col(o, "role", st, 5);
    json_set_col(o, "manager", st, 6);
    json_object_set_new(o, "totp_enabled", json_boolean(db_int(st, 7)));
    json_object_set_new(o, "disabled", json_boolean(db_int(st, 8)));
    json_object_set_new(o, "locked", json_boolean(db_int(st, 9) > now));
    char at[ISO_TIME_LEN];
    time_format_iso(db_int(st, 10), at);
    json_object_set_new(o, "created_at", json_string(at));
    json_array_append_new(arr, o);
  }
  db_reset(st);
  if (rc != DB_DONE) {
    json_decref(arr);
    return rc;
  }
  *out = arr;
  return DB_OK;
}

/* Writes name, email, agency, role, manager and disabled from U. */
int store_user_update_profile(struct db *db, const struct user *u) {
  struct db_stmt *st = db_prepare(db, &Q_UPDATE);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, u->id);
  db_bind_text(st, 2, u->name);
  db_bind_text(st, 3, nz(u->email));
  db_bind_text(st, 4, u->agency_id);
  db_bind_text(st, 5, role_name(u->role));
  db_bind_text(st, 6, nz(u->manager_id));
  db_bind_bool(st, 7, u->disabled);
  db_bind_int(st, 8, u->updated_at);
  return bump_if_ok(db, db_run(st));
}

int store_user_set_password(struct db *db, const char *id, const char *hash, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_SET_PASSWORD);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  db_bind_text(st, 2, hash);
  db_bind_int(st, 3, now);
  return bump_if_ok(db, db_run(st));
}

/* Records a failed sign-in: the failure count and any lock. */
int store_user_login_failed(struct db *db, const char *id, int failed, int64_t locked_until, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_FAILED);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  db_bind_int(st, 2, failed);
  db_bind_int(st, 3, locked_until);
  db_bind_int(st, 4, now);
  return db_run(st);
}

/* Adds one failed sign-in to user ID and stores the new count in *FAILED. */
int store_user_count_failure(struct db *db, const char *id, int64_t now, int *failed) {
  struct db_stmt *st = db_prepare(db, &Q_COUNT_FAILURE);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  db_bind_int(st, 2, now);
  int rc = db_step(st);
  if (rc == DB_ROW) *failed = (int)db_int(st, 0);
  db_reset(st);
  return rc == DB_ROW ? DB_OK : rc < 0 ? rc : DB_DONE;
}

/* Locks user ID against sign-in until UNTIL. */
int store_user_lock(struct db *db, const char *id, int64_t until) {
  struct db_stmt *st = db_prepare(db, &Q_LOCK);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  db_bind_int(st, 2, until);
  return db_run(st);
}

/* Clears the failure count after a good sign-in (a no-op write when already clear). */
int store_user_login_ok(struct db *db, const char *id, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_OK);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  db_bind_int(st, 2, now);
  return db_run(st);
}

/* Sets (or with SECRET NULL clears) the TOTP secret and whether it is in force. */
int store_user_set_totp(struct db *db, const char *id, const char *secret, bool enabled, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_SET_TOTP);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  db_bind_text(st, 2, secret);
  db_bind_bool(st, 3, enabled);
  db_bind_int(st, 4, now);
  return bump_if_ok(db, db_run(st));
}

/*
** Marks time step STEP as used.  DB_OK when it was newer than any used
** before; DB_DONE when the code was already spent (a replay).
*/
int store_user_totp_used(struct db *db, const char *id, int64_t step) {
  struct db_stmt *st = db_prepare(db, &Q_TOTP_USED);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  db_bind_int(st, 2, step);
  int rc = db_step(st);
  int64_t n = db_changes(st);
  db_reset(st);
  if (rc != DB_DONE && rc != DB_ROW) return rc;
  return n == 1 ? DB_OK : DB_DONE;
}
