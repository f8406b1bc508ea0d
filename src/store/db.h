/*
** The database driver interface: one connection, prepared statements with
** typed parameters, transactions.  Two drivers implement it, SQLite
** (db_sqlite.c) and PostgreSQL (db_pg.c); the named operations in store/
** are written once against it.
**
** SQL is written once, in the dialect both engines share, with PostgreSQL's
** $1..$n placeholders (the SQLite driver rewrites them to ?1..?n when it
** prepares).  Statements are static `struct db_query` values; a connection
** prepares each once and caches it, keyed by the query's address.
**
** Locking: a connection belongs to one thread at a time (the pool hands it
** out).  Write transactions begin with db_begin(); on SQLite that is BEGIN
** IMMEDIATE, so writers queue on the database lock instead of failing midway.
*/
#ifndef SAFEHUB_STORE_DB_H
#define SAFEHUB_STORE_DB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum db_rc {
  DB_OK = 0,
  DB_ROW = 1,         /* db_step: a row is ready */
  DB_DONE = 2,        /* db_step: no (more) rows */
  DB_ERROR = -1,      /* anything else; db_error() says what */
  DB_CONSTRAINT = -2, /* unique, foreign-key or check violation */
  DB_BUSY = -3        /* lock timeout or serialisation failure: the caller may retry */
};

enum db_kind { DB_SQLITE, DB_POSTGRES };

struct db_query {
  const char *sql;
};

/* Declares a static query; the address is the cache key. */
#define DB_QUERY(name, text) static const struct db_query name = {text}

struct db;
struct db_stmt;

#define DB_MAX_PARAMS 32

struct db_ops {
  void (*close)(struct db *db);
  struct db_stmt *(*prepare)(struct db *db, const struct db_query *q);
  void (*bind_text)(struct db_stmt *st, int idx, const char *v);
  void (*bind_int)(struct db_stmt *st, int idx, int64_t v);
  int (*step)(struct db_stmt *st);
  const char *(*col_text)(struct db_stmt *st, int col);
  int64_t (*col_int)(struct db_stmt *st, int col);
  bool (*col_null)(struct db_stmt *st, int col);
  void (*reset)(struct db_stmt *st);
  int64_t (*changes)(struct db_stmt *st);
  int (*exec)(struct db *db, const char *sql);
  int (*begin)(struct db *db, bool write);
  int (*lock_audit)(struct db *db);
  bool (*in_transaction)(struct db *db);
  bool (*healthy)(struct db *db);
  int (*backup)(struct db *db, const char *path, char *err, size_t errlen);
  void (*server_mode)(struct db *db);
  int (*maintain)(struct db *db);
};

struct db {
  const struct db_ops *ops;
  enum db_kind kind;
  char err[512];
};

/* Opening and the generic entry points (db.c). */
int db_open(const char *dsn, bool create, struct db **out, char *err, size_t errlen);
bool db_dsn_is_postgres(const char *dsn);
static inline void db_close(struct db *db) { if (db) db->ops->close(db); }
static inline const char *db_error(struct db *db) { return db->err; }
static inline enum db_kind db_kind(const struct db *db) { return db->kind; }

struct db_stmt *db_prepare(struct db *db, const struct db_query *q);
void db_bind_text(struct db_stmt *st, int idx, const char *v);
void db_bind_int(struct db_stmt *st, int idx, int64_t v);
void db_bind_bool(struct db_stmt *st, int idx, bool v);
int db_step(struct db_stmt *st);
const char *db_text(struct db_stmt *st, int col);
char *db_text_dup(struct db_stmt *st, int col);
int64_t db_int(struct db_stmt *st, int col);
bool db_null(struct db_stmt *st, int col);
void db_reset(struct db_stmt *st);
int db_run(struct db_stmt *st);
int64_t db_changes(struct db_stmt *st);
int db_exec(struct db *db, const char *sql);
int db_begin(struct db *db);
int db_begin_read(struct db *db);
int db_commit(struct db *db);
uint64_t db_commits(void);
int db_rollback(struct db *db);
int db_lock_audit(struct db *db);
bool db_in_transaction(struct db *db);
int db_backup(struct db *db, const char *path, char *err, size_t errlen);
void db_server_mode(struct db *db);
int db_maintain(struct db *db);

/* Driver constructors. */
int db_sqlite_open(const char *path, bool create, struct db **out, char *err, size_t errlen);
int db_pg_open(const char *dsn, struct db **out, char *err, size_t errlen);

/* Shared by the drivers: the prepared-statement cache keyed by query address. */
struct db_cache_slot {
  const struct db_query *q;
  struct db_stmt *st;
};
struct db_cache {
  struct db_cache_slot *slots;
  size_t cap, used;
};
struct db_stmt *db_cache_get(struct db_cache *c, const struct db_query *q);
void db_cache_put(struct db_cache *c, const struct db_query *q, struct db_stmt *st);
void db_cache_free(struct db_cache *c, void (*finalize)(struct db_stmt *));

/* A pool of connections for the server's threads (db_pool.c). */
struct db_pool;
int db_pool_new(const char *dsn, int size, struct db_pool **out, char *err, size_t errlen);
struct db *db_pool_get(struct db_pool *p);
void db_pool_put(struct db_pool *p, struct db *db);
void db_pool_free(struct db_pool *p);
void db_pool_stats(struct db_pool *p, int *size, int *in_use, uint64_t *waits, uint64_t *acquired);

#endif
