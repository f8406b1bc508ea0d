/*
** PostgreSQL driver for the database interface (see db.h), on libpq.
**
** Statements are prepared once per connection (PQprepare, named s1, s2, ...)
** and run with PQexecPrepared and text parameters; PostgreSQL infers each
** parameter's type from the statement, so an int64 is sent as its decimal
** text.  A connection left inside a transaction is rolled back by the pool
** before reuse.  The audit chain is serialised with a transaction-scoped
** advisory lock.
*/
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libpq-fe.h>
#include <sodium.h>
#include "store/db.h"
#include "util/buf.h"
#include "util/xalloc.h"

#define AUDIT_LOCK_KEY 5317001

struct pg_db {
  struct db base;
  PGconn *h;
  struct db_cache cache;
  unsigned next_name;
  char *dsn;
};

struct db_stmt {
  struct db *db; /* must be first: see db.c */
  char name[16];
  int nparams;
  char *params[DB_MAX_PARAMS];
  PGresult *res;
  int row, nrows;
  bool executed;
  int64_t changes;
};

static struct pg_db *P(struct db *db) { return (struct pg_db *)(void *)db; }

/*
** Keeps only the SQLSTATE and the primary message: PostgreSQL's DETAIL lines
** quote row values ("Key (username)=(...)"), which must never reach a log.
*/
static void set_err(struct db *db, const char *what, const PGresult *res) {
  const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  if (!primary) primary = res ? NULL : PQerrorMessage(P(db)->h);
  snprintf(db->err, sizeof db->err, "%s: %s%s%s", what, state ? state : "", state ? " " : "",
           primary && *primary ? primary : "unknown error");
  size_t n = strlen(db->err);
  while (n && (db->err[n - 1] == '\n' || db->err[n - 1] == ' ')) db->err[--n] = '\0';
}

static int map_state(const PGresult *res) {
  const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  if (!state) return DB_ERROR;
  if (strncmp(state, "23", 2) == 0) return DB_CONSTRAINT;
  if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03")) return DB_BUSY;
  return DB_ERROR;
}

static struct db_stmt *pg_prepare(struct db *db, const struct db_query *q) {
  struct pg_db *p = P(db);
  struct db_stmt *st = db_cache_get(&p->cache, q);
  if (st) return st;
  st = xcalloc(1, sizeof *st);
  st->db = db;
  snprintf(st->name, sizeof st->name, "s%u", ++p->next_name);
  PGresult *res = PQprepare(p->h, st->name, q->sql, 0, NULL);
  if (PQresultStatus(res) != PGRES_COMMAND_OK) {
    set_err(db, "prepare", res);
    PQclear(res);
    free(st);
    return NULL;
  }
  PQclear(res);
  res = PQdescribePrepared(p->h, st->name);
  if (PQresultStatus(res) != PGRES_COMMAND_OK) {
    set_err(db, "describe", res);
    PQclear(res);
    free(st);
    return NULL;
  }
  st->nparams = PQnparams(res);
  PQclear(res);
  if (st->nparams > DB_MAX_PARAMS) {
    snprintf(db->err, sizeof db->err, "prepare: too many parameters");
    free(st);
    return NULL;
  }
  db_cache_put(&p->cache, q, st);
  return st;
}

static void set_param(struct db_stmt *st, int idx, char *v) {
  free(st->params[idx - 1]);
  st->params[idx - 1] = v;
}

static void pg_bind_text(struct db_stmt *st, int idx, const char *v) { set_param(st, idx, xstrdup(v)); }

static void pg_bind_int(struct db_stmt *st, int idx, int64_t v) {
  set_param(st, idx, xasprintf("%" PRId64, v));
}

static int pg_step(struct db_stmt *st) {
  if (!st->executed) {
    st->executed = true;
    st->res = PQexecPrepared(P(st->db)->h, st->name, st->nparams,
                             (const char *const *)st->params, NULL, NULL, 0);
    ExecStatusType s = PQresultStatus(st->res);
    if (s == PGRES_COMMAND_OK) {
      const char *n = PQcmdTuples(st->res);
      st->changes = n && *n ? strtoll(n, NULL, 10) : 0;
      st->nrows = 0;
    } else if (s == PGRES_TUPLES_OK) {
      st->nrows = PQntuples(st->res);
      const char *n = PQcmdTuples(st->res);
      st->changes = n && *n ? strtoll(n, NULL, 10) : 0;
    } else {
      set_err(st->db, "query", st->res);
      return map_state(st->res);
    }
    st->row = -1;
  }
  if (!st->res) return DB_ERROR;
  if (st->row + 1 < st->nrows) {
    st->row++;
    return DB_ROW;
  }
  return DB_DONE;
}

static const char *pg_col_text(struct db_stmt *st, int col) {
  if (PQgetisnull(st->res, st->row, col)) return NULL;
  return PQgetvalue(st->res, st->row, col);
}

static int64_t pg_col_int(struct db_stmt *st, int col) {
  if (PQgetisnull(st->res, st->row, col)) return 0;
  return strtoll(PQgetvalue(st->res, st->row, col), NULL, 10);
}

static bool pg_col_null(struct db_stmt *st, int col) { return PQgetisnull(st->res, st->row, col); }

static void pg_reset(struct db_stmt *st) {
  for (int i = 0; i < DB_MAX_PARAMS; i++) {
    free(st->params[i]);
    st->params[i] = NULL;
  }
  PQclear(st->res);
  st->res = NULL;
  st->executed = false;
  st->row = -1;
  st->nrows = 0;
}

static int64_t pg_changes(struct db_stmt *st) { return st->changes; }

/*
** Runs parameterless SQL.  A COMMIT of a transaction that an earlier error
** aborted "succeeds" in PostgreSQL with the tag ROLLBACK; that is reported
** as the error it is, so no caller believes rolled-back work was saved.
*/
static int pg_exec(struct db *db, const char *sql) {
  PGresult *res = PQexec(P(db)->h, sql);
  ExecStatusType s = PQresultStatus(res);
  int rc = DB_OK;
  if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
    set_err(db, "exec", res);
    rc = map_state(res);
  } else if (strcmp(sql, "COMMIT") == 0 && strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
    snprintf(db->err, sizeof db->err, "commit: the transaction had failed and was rolled back");
    rc = DB_ERROR;
  }
  PQclear(res);
  return rc;
}

static int pg_begin(struct db *db, bool write) {
  return pg_exec(db, write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ");
}

static int pg_lock_audit(struct db *db) {
  char sql[64];
  snprintf(sql, sizeof sql, "SELECT pg_advisory_xact_lock(%d)", AUDIT_LOCK_KEY);
  return pg_exec(db, sql);
}

static bool pg_in_transaction(struct db *db) { return PQtransactionStatus(P(db)->h) != PQTRANS_IDLE; }

static bool pg_healthy(struct db *db) { return PQstatus(P(db)->h) == CONNECTION_OK; }

static void finalize(struct db_stmt *st) {
  pg_reset(st);
  free(st);
}

static void pg_close(struct db *db) {
  struct pg_db *p = P(db);
  db_cache_free(&p->cache, finalize);
  PQfinish(p->h);
  free(p->dsn);
  free(p);
}

/* Appends VAL to B as a single-quoted conninfo value (backslash and quote escaped). */
static void conninfo_quote(struct buf *b, const char *val) {
  buf_putc(b, '\'');
  for (const char *p = val; *p; p++) {
    if (*p == '\'' || *p == '\\') buf_putc(b, '\\');
    buf_putc(b, *p);
  }
  buf_putc(b, '\'');
}

/*
** Splits DSN into a conninfo string without the password (caller frees)
** and the password itself (caller frees; NULL when there is none), so that
** the password can reach pg_dump through its environment rather than its
** command line, which every local user can read in /proc.
*/
static char *conninfo_without_password(const char *dsn, char **password) {
  *password = NULL;
  char *msg = NULL;
  PQconninfoOption *opts = PQconninfoParse(dsn, &msg);
  if (!opts) {
    PQfreemem(msg);
    return xstrdup(dsn);
  }
  struct buf b = BUF_INIT;
  for (PQconninfoOption *o = opts; o->keyword; o++) {
    if (!o->val) continue;
    if (strcmp(o->keyword, "password") == 0) {
      *password = xstrdup(o->val);
      continue;
    }
    if (b.len) buf_putc(&b, ' ');
    buf_puts(&b, o->keyword);
    buf_putc(&b, '=');
    conninfo_quote(&b, o->val);
  }
  PQconninfoFree(opts);
  return buf_steal(&b);
}

/*
** Backup of a PostgreSQL database is pg_dump's job: it takes a consistent
** snapshot without blocking writers.  Runs it (no shell) into PATH.tmp in
** custom format and renames on success; restore with pg_restore.  Any
** password goes in PGPASSWORD, never in the arguments.  Everything the child
** needs is built before fork, because the server has other threads.
*/
static int pg_backup(struct db *db, const char *path, char *err, size_t errlen) {
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
    snprintf(err, errlen, "path too long");
    return DB_ERROR;
  }
  char *password = NULL;
  char *conninfo = conninfo_without_password(P(db)->dsn, &password);
  size_t nenv = 0;
  while (environ[nenv]) nenv++;
  char **envp = xcalloc(nenv + 2, sizeof *envp);
  size_t e = 0;
  for (size_t i = 0; i < nenv; i++) {
    if (strncmp(environ[i], "PGPASSWORD=", 11) != 0) envp[e++] = environ[i];
  }
  char *pwvar = password ? xasprintf("PGPASSWORD=%s", password) : NULL;
  if (pwvar) envp[e++] = pwvar;
  char a0[] = "pg_dump", a1[] = "--format=custom", a2[] = "--no-password", a3[] = "--file", a5[] = "--dbname";
  char *argv[] = {a0, a1, a2, a3, tmp, a5, conninfo, NULL};
  pid_t pid = fork();
  if (pid == 0) {
    execvpe("pg_dump", argv, envp);
    _exit(127);
  }
  int fork_errno = errno;
  if (password) sodium_memzero(password, strlen(password));
  if (pwvar) sodium_memzero(pwvar, strlen(pwvar));
  free(password);
  free(pwvar);
  free(envp);
  free(conninfo);
  if (pid < 0) {
    snprintf(err, errlen, "fork: %s", strerror(fork_errno));
    return DB_ERROR;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    unlink(tmp);
    snprintf(err, errlen, "pg_dump failed (exit %d)%s", WIFEXITED(status) ? WEXITSTATUS(status) : -1,
             WIFEXITED(status) && WEXITSTATUS(status) == 127 ? ": pg_dump not found" : "");
    return DB_ERROR;
  }
  if (rename(tmp, path) != 0) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    unlink(tmp);
    return DB_ERROR;
  }
  return DB_OK;
}

/* PostgreSQL checkpoints and vacuums by itself. */
static void pg_server_mode(struct db *db) { (void)db; }
static int pg_maintain(struct db *db) {
  (void)db;
  return DB_OK;
}

static const struct db_ops pg_ops = {
    .close = pg_close,
    .prepare = pg_prepare,
    .bind_text = pg_bind_text,
    .bind_int = pg_bind_int,
    .step = pg_step,
    .col_text = pg_col_text,
    .col_int = pg_col_int,
    .col_null = pg_col_null,
    .reset = pg_reset,
    .changes = pg_changes,
    .exec = pg_exec,
    .begin = pg_begin,
    .lock_audit = pg_lock_audit,
    .in_transaction = pg_in_transaction,
    .healthy = pg_healthy,
    .backup = pg_backup,
    .server_mode = pg_server_mode,
    .maintain = pg_maintain,
};

static void quiet_notice(void *arg, const char *msg) {
  (void)arg;
  (void)msg;
}

/* Connects to the server named by DSN.  Returns 0 or -1 with ERR (no password in it). */
int db_pg_open(const char *dsn, struct db **out, char *err, size_t errlen) {
  PGconn *h = PQconnectdb(dsn);
  if (!h || PQstatus(h) != CONNECTION_OK) {
    const char *m = h ? PQerrorMessage(h) : "out of memory";
    snprintf(err, errlen, "postgresql: %s", m);
    size_t n = strlen(err);
    while (n && err[n - 1] == '\n') err[--n] = '\0';
    PQfinish(h);
    return -1;
  }
  PQsetNoticeProcessor(h, quiet_notice, NULL);
  PGresult *res = PQexec(h, "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'; SET synchronous_commit = on");
  PQclear(res);
  struct pg_db *p = xcalloc(1, sizeof *p);
  p->base.ops = &pg_ops;
  p->base.kind = DB_POSTGRES;
  p->h = h;
  p->dsn = xstrdup(dsn);
  *out = &p->base;
  return 0;
}
