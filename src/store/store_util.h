/*
** Helpers shared by the store's operation files: copying a text column into
** a fixed buffer, and reading rows into JSON.
*/
#ifndef SAFEHUB_STORE_STORE_UTIL_H
#define SAFEHUB_STORE_STORE_UTIL_H
#include <stdio.h>
#include <jansson.h>
#include "store/db.h"

/* Copies column COL (empty for NULL) into the array DST, truncating safely. */
#define COPY_COL(dst, st, col) snprintf((dst), sizeof(dst), "%s", db_text((st), (col)) ? db_text((st), (col)) : "")

/* Adds column COL to OBJ under KEY as a string, or JSON null for SQL NULL. */
static inline void json_set_col(json_t *obj, const char *key, struct db_stmt *st, int col) {
  const char *v = db_text(st, col);
  json_object_set_new(obj, key, v ? json_string(v) : json_null());
}

#endif
