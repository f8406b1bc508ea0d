/*
** Agency operations (see store.h).
*/
#include "store/store.h"
#include "store/store_util.h"
#include "util/timeutil.h"

DB_QUERY(Q_INSERT, "INSERT INTO agencies (id, code, name, type, created_at) VALUES ($1, $2, $3, $4, $5)");
DB_QUERY(Q_BY_CODE, "SELECT id, code, name, type, created_at FROM agencies WHERE code = $1");
DB_QUERY(Q_BY_ID, "SELECT id, code, name, type, created_at FROM agencies WHERE id = $1");
DB_QUERY(Q_LIST, "SELECT id, code, name, type, created_at FROM agencies ORDER BY name");

/* Inserts A; DB_CONSTRAINT when the code is taken. */
int store_agency_insert(struct db *db, const struct agency *a) {
  struct db_stmt *st = db_prepare(db, &Q_INSERT);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, a->id);
  db_bind_text(st, 2, a->code);
  db_bind_text(st, 3, a->name);
  db_bind_text(st, 4, a->type);
  db_bind_int(st, 5, a->created_at);
  return db_run(st);
}

static int read_one(struct db_stmt *st, struct agency *out) {
  int rc = db_step(st);
  if (rc == DB_ROW) {
    COPY_COL(out->id, st, 0);
    COPY_COL(out->code, st, 1);
    COPY_COL(out->name, st, 2);
    COPY_COL(out->type, st, 3);
    out->created_at = db_int(st, 4);
  }
  db_reset(st);
  return rc;
}

/* DB_ROW with *OUT filled, DB_DONE when no agency has CODE. */
int store_agency_by_code(struct db *db, const char *code, struct agency *out) {
  struct db_stmt *st = db_prepare(db, &Q_BY_CODE);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, code);
  return read_one(st, out);
}

/* DB_ROW with *OUT filled, DB_DONE when no agency has ID. */
int store_agency_by_id(struct db *db, const char *id, struct agency *out) {
  struct db_stmt *st = db_prepare(db, &Q_BY_ID);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  return read_one(st, out);
}

/* One row of store_agency_list as an object. */
static void agency_list_row(struct db_stmt *st, json_t *o) {
  json_set_col(o, "id", st, 0);
  json_set_col(o, "code", st, 1);
  json_set_col(o, "name", st, 2);
  json_set_col(o, "type", st, 3);
  char at[ISO_TIME_LEN];
  time_format_iso(db_int(st, 4), at);
  json_object_set_new(o, "created_at", json_string(at));
}

/* Every agency as a JSON array (new reference in *OUT, caller decrefs). */
int store_agency_list(struct db *db, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_LIST);
  if (!st) return DB_ERROR;
  return store_rows_json(st, agency_list_row, out);
}
