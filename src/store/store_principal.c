/*
** Loading the principal of a request in one query (see store.h).
*/
#include <string.h>
#include "store/store.h"
#include "store/store_util.h"

DB_QUERY(Q_PRINCIPAL, "SELECT u.id, u.username, u.name, u.role, a.id, a.code, a.name, u.manager_id "
                      "FROM users u JOIN agencies a ON a.id = u.agency_id "
                      "WHERE u.id = $1 AND u.disabled = 0");

/*
** Fills the user and agency parts of *OUT for an enabled USER_ID.  DB_ROW
** when found, DB_DONE when the user is absent or disabled.
*/
int store_principal_for_user(struct db *db, const char *user_id, struct principal *out) {
  struct db_stmt *st = db_prepare(db, &Q_PRINCIPAL);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, user_id);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    COPY_COL(out->user_id, st, 0);
    COPY_COL(out->username, st, 1);
    COPY_COL(out->name, st, 2);
    if (!role_parse(db_text(st, 3), &out->role)) rc = DB_ERROR;
    COPY_COL(out->agency_id, st, 4);
    COPY_COL(out->agency_code, st, 5);
    COPY_COL(out->agency_name, st, 6);
    COPY_COL(out->manager_id, st, 7);
  }
  db_reset(st);
  return rc;
}

DB_QUERY(Q_EPOCH, "SELECT n FROM auth_epoch WHERE id = 1");
DB_QUERY(Q_EPOCH_BUMP, "UPDATE auth_epoch SET n = n + 1 WHERE id = 1");

/* The current authentication epoch (see the auth_epoch table). */
int store_auth_epoch(struct db *db, int64_t *n) {
  struct db_stmt *st = db_prepare(db, &Q_EPOCH);
  if (!st) return DB_ERROR;
  int rc = db_step(st);
  if (rc == DB_ROW) *n = db_int(st, 0);
  db_reset(st);
  return rc == DB_ROW ? DB_OK : rc < 0 ? rc : DB_ERROR;
}

/* Moves the authentication epoch on: every cached credential must be looked up again. */
int store_auth_epoch_bump(struct db *db) {
  struct db_stmt *st = db_prepare(db, &Q_EPOCH_BUMP);
  if (!st) return DB_ERROR;
  return db_run(st);
}
