/*
** Helpers shared by the store's operation files (see store_util.h): reading
** the rows of a statement into JSON.
*/
#include "store/store_util.h"

/*
** Appends one object per row of ST, filled by ROW, to a new array in *OUT
** (the caller owns it) and resets ST.  Returns DB_OK, or the step's error
** with nothing in *OUT.
*/
int store_rows_json(struct db_stmt *st, void (*row)(struct db_stmt *st, json_t *obj), json_t **out) {
  json_t *arr = json_array();
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    json_t *o = json_object();
    row(st, o);
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
