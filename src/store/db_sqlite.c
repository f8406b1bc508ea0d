/*
** SQLite driver for the database interface (see db.h).
**
** Each connection is opened SQLITE_OPEN_NOMUTEX and used by one thread at a
** time; the database runs in WAL mode so that readers never wait for the
** writer, with synchronous=FULL because a committed referral must survive a
** power cut.  Writers take the lock up front (BEGIN IMMEDIATE) and wait up to
** busy_timeout for it.  The connection is hardened with DEFENSIVE and
** trusted_schema=OFF.
*/
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#include <sqlite3.h>
#include "store/db.h"
#include "util/buf.h"
#include "util/xalloc.h"

struct sqlite_db {
  struct db base;
  sqlite3 *h;
  struct db_cache cache;
};

struct db_stmt {
  struct db *db; /* must be first: see db.c */
  sqlite3_stmt *st;
  int64_t changes;
};

static struct sqlite_db *S(struct db *db) { return (struct sqlite_db *)(void *)db; }

static void set_err(struct db *db, const char *what) {
  snprintf(db->err, sizeof db->err, "%s: %s", what, sqlite3_errmsg(S(db)->h));
}

static int map_rc(int rc) {
  switch (rc & 0xff) {
  case SQLITE_ROW: return DB_ROW;
  case SQLITE_DONE: return DB_DONE;
  case SQLITE_OK: return DB_OK;
  case SQLITE_CONSTRAINT: return DB_CONSTRAINT;
  case SQLITE_BUSY:
  case SQLITE_LOCKED: return DB_BUSY;
  default: return DB_ERROR;
  }
}

/* Rewrites $N placeholders to ?N outside string literals; caller frees. */
static char *rewrite_placeholders(const char *sql) {
  struct buf b = BUF_INIT;
  bool quoted = false;
  for (const char *p = sql; *p; p++) {
    if (*p == '\'') quoted = !quoted;
    if (!quoted && *p == '$' && p[1] >= '0' && p[1] <= '9') buf_putc(&b, '?');
    else buf_putc(&b, *p);
  }
  return buf_steal(&b);
}

static struct db_stmt *sq_prepare(struct db *db, const struct db_query *q) {
  struct sqlite_db *s = S(db);
  struct db_stmt *st = db_cache_get(&s->cache, q);
  if (st) return st;
  char *sql = rewrite_placeholders(q->sql);
  sqlite3_stmt *h = NULL;
  int rc = sqlite3_prepare_v3(s->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &h, NULL);
  free(sql);
  if (rc != SQLITE_OK) {
    set_err(db, "prepare");
    return NULL;
  }
  st = xcalloc(1, sizeof *st);
  st->db = db;
  st->st = h;
  db_cache_put(&s->cache, q, st);
  return st;
}

static void sq_bind_text(struct db_stmt *st, int idx, const char *v) {
  if (v) sqlite3_bind_text(st->st, idx, v, -1, SQLITE_TRANSIENT);
  else sqlite3_bind_null(st->st, idx);
}

static void sq_bind_int(struct db_stmt *st, int idx, int64_t v) { sqlite3_bind_int64(st->st, idx, v); }

static int sq_step(struct db_stmt *st) {
  int rc = map_rc(sqlite3_step(st->st));
  if (rc == DB_DONE) st->changes = sqlite3_changes64(S(st->db)->h);
  if (rc < 0) set_err(st->db, "step");
  return rc;
}

static const char *sq_col_text(struct db_stmt *st, int col) {
  return (const char *)sqlite3_column_text(st->st, col);
}

static int64_t sq_col_int(struct db_stmt *st, int col) { return sqlite3_column_int64(st->st, col); }

static bool sq_col_null(struct db_stmt *st, int col) {
  return sqlite3_column_type(st->st, col) == SQLITE_NULL;
}

static void sq_reset(struct db_stmt *st) {
  sqlite3_reset(st->st);
  sqlite3_clear_bindings(st->st);
}

static int64_t sq_changes(struct db_stmt *st) { return st->changes; }

static int sq_exec(struct db *db, const char *sql) {
  char *msg = NULL;
  int rc = sqlite3_exec(S(db)->h, sql, NULL, NULL, &msg);
  if (rc != SQLITE_OK) {
    snprintf(db->err, sizeof db->err, "%s", msg ? msg : sqlite3_errmsg(S(db)->h));
    sqlite3_free(msg);
    return map_rc(rc) == DB_OK ? DB_ERROR : map_rc(rc);
  }
  return DB_OK;
}

static int sq_begin(struct db *db, bool write) {
  return sq_exec(db, write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
}

/* The IMMEDIATE write lock already makes this transaction the only writer. */
static int sq_lock_audit(struct db *db) {
  (void)db;
  return DB_OK;
}

static bool sq_in_transaction(struct db *db) { return !sqlite3_get_autocommit(S(db)->h); }

static bool sq_healthy(struct db *db) {
  (void)db;
  return true;
}

static void finalize(struct db_stmt *st) {
  sqlite3_finalize(st->st);
  free(st);
}

static void sq_close(struct db *db) {
  struct sqlite_db *s = S(db);
  db_cache_free(&s->cache, finalize);
  sqlite3_close_v2(s->h);
  free(s);
}

/*
** Online backup through SQLite's backup API into PATH.tmp, synced and then
** renamed over PATH, so a failed or interrupted backup never leaves a partial
** file under the final name.
*/
static int sq_backup(struct db *db, const char *path, char *err, size_t errlen) {
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
    snprintf(err, errlen, "path too long");
    return DB_ERROR;
  }
  unlink(tmp);
  sqlite3 *dst = NULL;
  int rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK) {
    snprintf(err, errlen, "%s: %s", tmp, dst ? sqlite3_errmsg(dst) : "cannot open");
    sqlite3_close_v2(dst);
    return DB_ERROR;
  }
  sqlite3_backup *bk = sqlite3_backup_init(dst, "main", S(db)->h, "main");
  if (!bk) {
    snprintf(err, errlen, "%s", sqlite3_errmsg(dst));
    sqlite3_close_v2(dst);
    unlink(tmp);
    return DB_ERROR;
  }
  do {
    rc = sqlite3_backup_step(bk, -1);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(50);
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish(bk);
  if (rc != SQLITE_DONE) {
    snprintf(err, errlen, "backup: %s", sqlite3_errmsg(dst));
    sqlite3_close_v2(dst);
    unlink(tmp);
    return DB_ERROR;
  }
  /* The copy should be a self-contained file: leave WAL mode in the copy. */
  sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
  sqlite3_close_v2(dst);
  int fd = open(tmp, O_RDONLY);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
  if (rename(tmp, path) != 0) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    unlink(tmp);
    return DB_ERROR;
  }
  return DB_OK;
}

static void sq_server_mode(struct db *db) {
  /* The WAL is checkpointed by sq_maintain on a timer, never inside a commit;
     journal_size_limit keeps the WAL file from staying large after a burst. */
  sqlite3_exec(S(db)->h, "PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864;", NULL, NULL, NULL);
}

static int sq_maintain(struct db *db) {
  int rc = sqlite3_wal_checkpoint_v2(S(db)->h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
    set_err(db, "checkpoint");
    return DB_ERROR;
  }
  return DB_OK;
}

static const struct db_ops sqlite_ops = {
    .close = sq_close,
    .prepare = sq_prepare,
    .bind_text = sq_bind_text,
    .bind_int = sq_bind_int,
    .step = sq_step,
    .col_text = sq_col_text,
    .col_int = sq_col_int,
    .col_null = sq_col_null,
    .reset = sq_reset,
    .changes = sq_changes,
    .exec = sq_exec,
    .begin = sq_begin,
    .lock_audit = sq_lock_audit,
    .in_transaction = sq_in_transaction,
    .healthy = sq_healthy,
    .backup = sq_backup,
    .server_mode = sq_server_mode,
    .maintain = sq_maintain,
};

/*
** Library-wide settings, made once before SQLite is first used: no memory
** statistics, which Safehub never reads and which otherwise take one global
** mutex on every allocation of every connection.
*/
static void configure_library(void) { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

/*
** Opens the SQLite database at PATH with Safehub's settings.  A missing file
** is created only when CREATE is set.  Returns 0 or -1 with ERR.
*/
int db_sqlite_open(const char *path, bool create, struct db **out, char *err, size_t errlen) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, configure_library);
  sqlite3 *h = NULL;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path, &h, flags, NULL);
  if (rc != SQLITE_OK) {
    snprintf(err, errlen, "%s: %s%s", path, h ? sqlite3_errmsg(h) : "cannot open",
             create ? "" : " (run 'safehub init' first)");
    sqlite3_close_v2(h);
    return -1;
  }
  sqlite3_extended_result_codes(h, 1);
  sqlite3_db_config(h, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
  sqlite3_db_config(h, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
  sqlite3_db_config(h, SQLITE_DBCONFIG_DQS_DML, 0, NULL);
  sqlite3_db_config(h, SQLITE_DBCONFIG_DQS_DDL, 0, NULL);
  sqlite3_busy_timeout(h, 10000);
  char *msg = NULL;
  rc = sqlite3_exec(h,
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                    "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-32000;",
                    NULL, NULL, &msg);
  if (rc != SQLITE_OK) {
    snprintf(err, errlen, "%s: %s", path, msg ? msg : sqlite3_errmsg(h));
    sqlite3_free(msg);
    sqlite3_close_v2(h);
    return -1;
  }
  struct sqlite_db *s = xcalloc(1, sizeof *s);
  s->base.ops = &sqlite_ops;
  s->base.kind = DB_SQLITE;
  s->h = h;
  *out = &s->base;
  return 0;
}
