/*
** Generic entry points of the database interface (see db.h): DSN dispatch,
** the thin wrappers over the driver table, and the prepared-statement cache
** both drivers use.
*/
#include <assert.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "store/db.h"
#include "util/xalloc.h"

/* True when DSN names a PostgreSQL server rather than an SQLite file. */
bool db_dsn_is_postgres(const char *dsn) {
  return strncmp(dsn, "postgres://", 11) == 0 || strncmp(dsn, "postgresql://", 13) == 0;
}

/*
** Opens a connection for DSN.  CREATE lets SQLite create a missing file (only
** `safehub init` does so).  Returns 0, or -1 with ERR; *OUT is closed with
** db_close().
*/
int db_open(const char *dsn, bool create, struct db **out, char *err, size_t errlen) {
  if (db_dsn_is_postgres(dsn)) return db_pg_open(dsn, out, err, errlen);
  return db_sqlite_open(dsn, create, out, err, errlen);
}

/* The cached statement for Q, prepared on first use; NULL with db_error() set. */
struct db_stmt *db_prepare(struct db *db, const struct db_query *q) { return db->ops->prepare(db, q); }

struct db_stmt_head {
  struct db *db;
};

/*
** Writes this process has committed, counted so that caches of what the
** database says (the authentication epoch, auth.c) know when to look again.
*/
static atomic_uint_fast64_t commits;
uint64_t db_commits(void) { return atomic_load(&commits); }

/* Every driver's statement starts with a pointer to its connection. */
static struct db *stmt_db(struct db_stmt *st) { return ((struct db_stmt_head *)(void *)st)->db; }

void db_bind_text(struct db_stmt *st, int idx, const char *v) {
  assert(idx >= 1 && idx <= DB_MAX_PARAMS);
  stmt_db(st)->ops->bind_text(st, idx, v);
}

void db_bind_int(struct db_stmt *st, int idx, int64_t v) {
  assert(idx >= 1 && idx <= DB_MAX_PARAMS);
  stmt_db(st)->ops->bind_int(st, idx, v);
}

void db_bind_bool(struct db_stmt *st, int idx, bool v) { db_bind_int(st, idx, v ? 1 : 0); }

int db_step(struct db_stmt *st) { return stmt_db(st)->ops->step(st); }

/* Column COL of the current row as text, NULL for SQL NULL; valid until the next step. */
const char *db_text(struct db_stmt *st, int col) { return stmt_db(st)->ops->col_text(st, col); }

/* Copy of column COL (NULL for SQL NULL); caller frees. */
char *db_text_dup(struct db_stmt *st, int col) { return xstrdup(db_text(st, col)); }

int64_t db_int(struct db_stmt *st, int col) { return stmt_db(st)->ops->col_int(st, col); }

bool db_null(struct db_stmt *st, int col) { return stmt_db(st)->ops->col_null(st, col); }

/* Makes the statement ready for new bindings; always call when done with it. */
void db_reset(struct db_stmt *st) { stmt_db(st)->ops->reset(st); }

/* Rows changed by the statement's last execution. */
int64_t db_changes(struct db_stmt *st) { return stmt_db(st)->ops->changes(st); }

/* Steps a statement that returns no rows and resets it; DB_OK or an error code. */
int db_run(struct db_stmt *st) {
  int rc = db_step(st);
  if (rc == DB_ROW || rc == DB_DONE) rc = DB_OK;
  db_reset(st);
  if (rc == DB_OK && !db_in_transaction(stmt_db(st))) atomic_fetch_add(&commits, 1); /* committed by itself */
  return rc;
}

/* Runs trusted, parameterless SQL (schema migrations, transaction control). */
int db_exec(struct db *db, const char *sql) { return db->ops->exec(db, sql); }

int db_begin(struct db *db) { return db->ops->begin(db, true); }
int db_begin_read(struct db *db) { return db->ops->begin(db, false); }
int db_commit(struct db *db) {
  int rc = db->ops->exec(db, "COMMIT");
  if (rc == DB_OK) atomic_fetch_add(&commits, 1);
  return rc;
}

/* Rolls back if a transaction is open; harmless otherwise. */
int db_rollback(struct db *db) {
  if (!db->ops->in_transaction(db)) return DB_OK;
  return db->ops->exec(db, "ROLLBACK");
}

/* Serialises writers of the audit chain within the current transaction. */
int db_lock_audit(struct db *db) { return db->ops->lock_audit(db); }
bool db_in_transaction(struct db *db) { return db->ops->in_transaction(db); }

/* A consistent copy of the database at PATH while others keep working. */
int db_backup(struct db *db, const char *path, char *err, size_t errlen) {
  return db->ops->backup(db, path, err, errlen);
}

static size_t slot_of(const struct db_cache *c, const struct db_query *q) {
  uintptr_t h = (uintptr_t)q;
  h ^= h >> 17;
  h *= 0x9E3779B97F4A7C15u;
  return (size_t)(h >> 7) & (c->cap - 1);
}

/* The statement cached for Q, or NULL. */
struct db_stmt *db_cache_get(struct db_cache *c, const struct db_query *q) {
  if (!c->cap) return NULL;
  for (size_t i = slot_of(c, q);; i = (i + 1) & (c->cap - 1)) {
    if (c->slots[i].q == q) return c->slots[i].st;
    if (!c->slots[i].q) return NULL;
  }
}

/* Remembers ST for Q (an open-addressing table kept under half full). */
void db_cache_put(struct db_cache *c, const struct db_query *q, struct db_stmt *st) {
  if ((c->used + 1) * 2 > c->cap) {
    struct db_cache old = *c;
    c->cap = old.cap ? old.cap * 2 : 64;
    c->slots = xcalloc(c->cap, sizeof *c->slots);
    c->used = 0;
    for (size_t i = 0; i < old.cap; i++) {
      if (old.slots[i].q) db_cache_put(c, old.slots[i].q, old.slots[i].st);
    }
    free(old.slots);
  }
  size_t i = slot_of(c, q);
  while (c->slots[i].q) i = (i + 1) & (c->cap - 1);
  c->slots[i].q = q;
  c->slots[i].st = st;
  c->used++;
}

/* Finalises every cached statement and frees the table. */
void db_cache_free(struct db_cache *c, void (*finalize)(struct db_stmt *)) {
  for (size_t i = 0; i < c->cap; i++) {
    if (c->slots[i].q) finalize(c->slots[i].st);
  }
  free(c->slots);
  memset(c, 0, sizeof *c);
}

/*
** Tunes a connection for the long-running server: on SQLite, WAL checkpoints
** leave the commit path (automatic checkpointing off) and are run by
** db_maintain() from the jobs tick instead.
*/
void db_server_mode(struct db *db) { db->ops->server_mode(db); }

/* Periodic housekeeping (SQLite: a passive WAL checkpoint); DB_OK or an error. */
int db_maintain(struct db *db) { return db->ops->maintain(db); }
