/*
** Schema migrations.  The shipped migrations (src/store/migrations/NNNN_name.sql,
** compiled into the binary) are applied in order, each in its own transaction
** with its row in schema_migrations, so a failure leaves the schema at the
** last whole version.  A checksum per migration refuses a database whose
** history differs from this binary's.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "store/store.h"
#include "util/codec.h"
#include "util/embedded.h"
#include "util/timeutil.h"

DB_QUERY(Q_VERSIONS, "SELECT version, checksum FROM schema_migrations ORDER BY version");
DB_QUERY(Q_RECORD, "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
                   "VALUES ($1, $2, $3, $4)");

static const char CREATE_TABLE[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL,"
    " applied_at BIGINT NOT NULL)";

/* The version NNNN of a migration file named "NNNN_name.sql", or -1 for any other file. */
static int migration_version(const char *name) {
  if (strlen(name) < 9 || name[4] != '_') return -1;
  for (int i = 0; i < 4; i++) {
    if (name[i] < '0' || name[i] > '9') return -1;
  }
  size_t n = strlen(name);
  if (strcmp(name + n - 4, ".sql") != 0) return -1;
  return atoi(name);
}

/* BLAKE2b-256 of a migration's text, in hex. */
static void checksum(const char *data, size_t len, char out[65]) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, (const unsigned char *)data, len, NULL, 0);
  hex_encode(h, sizeof h, out);
}

/* The highest migration version this binary ships. */
int store_latest_schema_version(void) {
  int v = 0;
  for (const struct embedded_file *f = embedded_files; f->name; f++) {
    int mv = migration_version(f->name);
    if (mv > v) v = mv;
  }
  return v;
}

/* The database's applied version (0 when no migrations table exists yet). */
int store_schema_version(struct db *db, int *version) {
  DB_QUERY(Q_MAX, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  *version = 0;
  struct db_stmt *st = db_prepare(db, &Q_MAX);
  if (!st) return DB_OK; /* no table: nothing applied */
  int rc = db_step(st);
  if (rc == DB_ROW) *version = (int)db_int(st, 0);
  db_reset(st);
  return rc == DB_ROW ? DB_OK : rc;
}

/*
** Applies every shipped migration the database lacks, in version order.
** Safe to run again.  *APPLIED counts what this call applied.  Returns DB_OK
** or an error with ERR saying which migration failed and why.
*/
int store_migrate(struct db *db, int *applied, char *err, size_t errlen) {
  *applied = 0;
  /* Cleared so that the "no message yet" test below never reads the caller's garbage. */
  if (errlen) err[0] = '\0';
  if (db_exec(db, CREATE_TABLE) != DB_OK) {
    snprintf(err, errlen, "schema_migrations: %s", db_error(db));
    return DB_ERROR;
  }
  int latest = store_latest_schema_version();
  for (int v = 1; v <= latest; v++) {
    const struct embedded_file *mig = NULL;
    for (const struct embedded_file *f = embedded_files; f->name; f++) {
      if (migration_version(f->name) == v) mig = f;
    }
    if (!mig) {
      snprintf(err, errlen, "migration %04d is missing from this build", v);
      return DB_ERROR;
    }
    char sum[65];
    checksum(mig->data, mig->len, sum);
    /* The check and the apply share one write transaction: two concurrent
       'init' runs serialise here instead of applying a migration twice. */
    if (db_begin(db) != DB_OK || db_lock_audit(db) != DB_OK) {
      snprintf(err, errlen, "begin: %s", db_error(db));
      db_rollback(db);
      return DB_ERROR;
    }
    struct db_stmt *st = db_prepare(db, &Q_VERSIONS);
    bool done = false;
    int rc = st ? DB_OK : DB_ERROR;
    while (st && (rc = db_step(st)) == DB_ROW) {
      if (db_int(st, 0) == v) {
        done = true;
        if (strcmp(db_text(st, 1), sum) != 0) {
          snprintf(err, errlen, "migration %s differs from the one applied to this database", mig->name);
          rc = DB_ERROR;
          break;
        }
      }
    }
    if (st) db_reset(st);
    if (rc < 0) {
      if (!*err) snprintf(err, errlen, "reading schema_migrations: %s", db_error(db));
      db_rollback(db);
      return rc;
    }
    if (done) {
      db_rollback(db);
      continue;
    }
    if (db_exec(db, mig->data) != DB_OK) {
      snprintf(err, errlen, "%s: %s", mig->name, db_error(db));
      db_rollback(db);
      return DB_ERROR;
    }
    st = db_prepare(db, &Q_RECORD);
    if (!st) {
      snprintf(err, errlen, "%s: %s", mig->name, db_error(db));
      db_rollback(db);
      return DB_ERROR;
    }
    db_bind_int(st, 1, v);
    db_bind_text(st, 2, mig->name);
    db_bind_text(st, 3, sum);
    db_bind_int(st, 4, time_now());
    if (db_run(st) != DB_OK || db_commit(db) != DB_OK) {
      snprintf(err, errlen, "%s: %s", mig->name, db_error(db));
      db_rollback(db);
      return DB_ERROR;
    }
    (*applied)++;
  }
  return DB_OK;
}
