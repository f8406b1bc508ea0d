/*
** Helpers shared by the store's operation files: copying a text column into
** a fixed buffer, and reading rows into JSON.
*/
#ifndef SAFEHUB_STORE_STORE_UTIL_H
#define SAFEHUB_STORE_STORE_UTIL_H
#include <stdio.h>
#include <jansson.h>
#include "store/db.h"
#include "store/store.h"

/* Copies column COL (empty for NULL) into the array DST, truncating safely. */
#define COPY_COL(dst, st, col) snprintf((dst), sizeof(dst), "%s", db_text((st), (col)) ? db_text((st), (col)) : "")

/* Adds column COL to OBJ under KEY as a string, or JSON null for SQL NULL. */
static inline void json_set_col(json_t *obj, const char *key, struct db_stmt *st, int col) {
  const char *v = db_text(st, col);
  json_object_set_new(obj, key, v ? json_string(v) : json_null());
}

int store_rows_json(struct db_stmt *st, void (*row)(struct db_stmt *st, json_t *obj), json_t **out);

/* RC, after moving the authentication epoch on when RC is DB_OK (credentials changed meaning). */
static inline int bump_if_ok(struct db *db, int rc) { return rc == DB_OK ? store_auth_epoch_bump(db) : rc; }

#endif
