/*
** Periodic jobs (see jobs.h).  Each job runs on the main thread with its own
** pooled connection, so a slow job delays only the next tick, never a request.
*/
#include <stdlib.h>
#include "http/app.h"
#include "jobs/jobs.h"
#include "jobs/sla.h"
#include "store/store.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define SESSION_PURGE_EVERY 300
#define MAIL_EVERY 5

struct jobs {
  struct app *app;
  int64_t next_purge;
  int64_t next_sla;
  int64_t next_mail;
};

struct jobs *jobs_new(struct app *app) {
  struct jobs *j = xcalloc(1, sizeof *j);
  j->app = app;
  j->next_purge = j->next_sla = j->next_mail = time_now();
  return j;
}

static void purge_sessions(struct jobs *j, int64_t now) {
  struct db *db = db_pool_get(j->app->pool);
  if (!db) return;
  const struct config *cfg = j->app->cfg;
  if (store_session_purge(db, now - cfg->session_idle_timeout, now - cfg->session_absolute_timeout) != DB_OK) {
    log_error("sessions: purge failed: %s", db_error(db));
  }
  db_pool_put(j->app->pool, db);
}

/* Checkpoints the SQLite WAL (automatic checkpoints are off in the server). */
static void maintain(struct jobs *j) {
  struct db *db = db_pool_get(j->app->pool);
  if (!db) return;
  if (db_maintain(db) != DB_OK) log_error("database: maintenance failed: %s", db_error(db));
  db_pool_put(j->app->pool, db);
}

/* One pass of deadline evaluation and escalation (see sla.c). */
static void evaluate_deadlines(struct jobs *j, int64_t now) {
  struct db *db = db_pool_get(j->app->pool);
  if (!db) return;
  struct sla_result res;
  char err[512];
  if (sla_evaluate(db, j->app->cfg, now, &res, err, sizeof err) != DB_OK) log_error("deadlines: %s", err);
  else if (res.escalations) log_info("deadlines: %lld overdue, %lld new escalation steps", (long long)res.overdue,
                                     (long long)res.escalations);
  db_pool_put(j->app->pool, db);
}

/* Sends queued e-mail when an SMTP relay is configured. */
static void send_mail(struct jobs *j, int64_t now) {
  struct db *db = db_pool_get(j->app->pool);
  if (!db) return;
  struct mail_result res;
  if (mailer_flush(db, j->app->cfg, now, &res) != DB_OK) log_error("mail: %s", db_error(db));
  db_pool_put(j->app->pool, db);
}

/* Runs whatever is due. */
void jobs_tick(struct jobs *j) {
  int64_t now = time_now();
  maintain(j);
  if (now >= j->next_sla) {
    evaluate_deadlines(j, now);
    j->next_sla = now + j->app->cfg->sla_interval;
  }
  if (now >= j->next_mail) {
    send_mail(j, now);
    j->next_mail = now + MAIL_EVERY;
  }
  if (now >= j->next_purge) {
    purge_sessions(j, now);
    j->next_purge = now + SESSION_PURGE_EVERY;
  }
}

void jobs_free(struct jobs *j) { free(j); }
