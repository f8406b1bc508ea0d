/*
** Helpers shared by the cmocka unit tests: the cmocka includes in the order
** it needs, scratch directories that are removed afterwards, parsing JSON
** literals, and a migrated SQLite database in a scratch directory.
**
** Everything here is static inline so that each test binary compiles it
** without unused-function warnings.
*/
#ifndef SAFEHUB_TESTS_UNIT_TESTUTIL_H
#define SAFEHUB_TESTS_UNIT_TESTUTIL_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "core/fields.h"
#include "store/db.h"
#include "store/store.h"
#include "util/timeutil.h"

/* Number of elements of a true array. */
#define TU_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Makes a fresh private directory under $TMPDIR (or /tmp) into OUT; fails the test if it cannot. */
static inline void tu_mkdtemp(char out[PATH_MAX]) {
  const char *base = getenv("TMPDIR");
  if (!base || !*base) base = "/tmp";
  snprintf(out, PATH_MAX, "%s/safehub-unit-XXXXXX", base);
  if (!mkdtemp(out)) fail_msg("mkdtemp under %s failed", base);
}

/* nftw callback removing one entry (children before their directory). */
static inline int tu_rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

/* Removes DIR and everything under it. */
static inline void tu_rmtree(const char *dir) { nftw(dir, tu_rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

/* PATH = DIR/NAME; fails the test when it does not fit. */
static inline void tu_path(char out[PATH_MAX], const char *dir, const char *name) {
  if (snprintf(out, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX) fail_msg("path too long");
}

/* Parses a JSON literal written in a test (new reference); fails the test on a syntax error. */
static inline json_t *tu_json(const char *text) {
  json_error_t e;
  json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &e);
  if (!j) fail_msg("bad JSON in test: %s: %s", text, e.text);
  return j;
}

/* Which engine a storage test runs on. */
enum tu_kind { TU_SQLITE, TU_POSTGRES };

/*
** A scratch database with the whole schema applied, and a scratch directory
** beside it for keys and files.  PATH is the DSN: the SQLite file, or the
** PostgreSQL server that tests/unit/run starts (SAFEHUB_TEST_PG_DSN).
*/
struct tu_db {
  enum tu_kind kind;
  char dir[PATH_MAX];
  char path[PATH_MAX];
  struct db *db;
};

/*
** Creates and migrates a database of KIND; fails the test on any error.  On
** PostgreSQL the public schema is dropped and made again first, so each test
** starts from an empty database.
*/
static inline void tu_db_open_kind(struct tu_db *t, enum tu_kind kind) {
  char err[512] = "";
  int applied = 0;
  t->kind = kind;
  tu_mkdtemp(t->dir);
  if (kind == TU_POSTGRES) {
    const char *dsn = getenv("SAFEHUB_TEST_PG_DSN");
    if (!dsn || !*dsn) fail_msg("SAFEHUB_TEST_PG_DSN is not set: run tests/unit/run, which starts a PostgreSQL server");
    snprintf(t->path, PATH_MAX, "%s", dsn);
    if (db_open(t->path, false, &t->db, err, sizeof err) != 0) fail_msg("db_open: %s", err);
    if (db_exec(t->db, "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public") != DB_OK) {
      fail_msg("resetting the schema: %s", db_error(t->db));
    }
  } else {
    tu_path(t->path, t->dir, "unit.db");
    if (db_open(t->path, true, &t->db, err, sizeof err) != 0) fail_msg("db_open: %s", err);
  }
  if (store_migrate(t->db, &applied, err, sizeof err) != DB_OK) fail_msg("store_migrate: %s", err);
  if (applied != store_latest_schema_version()) fail_msg("a new database applied %d migrations", applied);
}

/* Creates and migrates a scratch SQLite database. */
static inline void tu_db_open(struct tu_db *t) { tu_db_open_kind(t, TU_SQLITE); }

/* Closes the database and removes its directory. */
static inline void tu_db_close(struct tu_db *t) {
  db_close(t->db);
  t->db = NULL;
  tu_rmtree(t->dir);
}

/* Runs trusted SQL on T's database; fails the test with the driver's message if it fails. */
static inline void tu_exec(struct db *db, const char *sql) {
  if (db_exec(db, sql) != DB_OK) fail_msg("%s: %s", sql, db_error(db));
}

/* The instant of an ISO 8601 text that must be valid (a test's own fixture). */
static inline int64_t tu_at(const char *s) {
  int64_t t = 0;
  if (!time_parse_iso(s, &t)) fail_msg("bad instant in test: %s", s);
  return t;
}

/* The day number of a YYYY-MM-DD date that must be valid. */
static inline int64_t tu_day(const char *s) {
  int64_t d = 0;
  if (!date_parse(s, &d)) fail_msg("bad date in test: %s", s);
  return d;
}

/* Asserts that ERRS names exactly the fields listed (NULL-terminated). */
static inline void tu_names_exactly(struct field_errors *errs, const char *const *fields) {
  size_t n = 0;
  for (const char *const *f = fields; *f; f++, n++) {
    if (!ferr_get(errs, *f)) fail_msg("no error for %s in %s", *f, json_dumps(errs->fields, JSON_COMPACT));
  }
  if (json_object_size(errs->fields) != n) fail_msg("unexpected errors: %s", json_dumps(errs->fields, JSON_COMPACT));
}

#endif
