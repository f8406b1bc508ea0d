/*
** safehub serve [--listen HOST:PORT]: the web application and API.
**
** Start-up refuses to serve a database whose schema is behind this binary,
** whose children's search keys are out of date (searches would miss those
** children), or without the audit key: a Safehub that cannot sign its audit checkpoints must
** not show anyone a record.
*/
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "core/child.h"
#include "http/accesslog.h"
#include "http/assets.h"
#include "http/credcache.h"
#include "http/metrics.h"
#include "http/throttle.h"
#include "service/casework.h"
#include "service/matching.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xalloc.h"

static int serve_opt(struct cli *c, int opt, const char *val, void *arg) {
  (void)arg;
  char err[256];
  if (opt == 'l') {
    if (config_set(&c->cfg, "listen", val, err, sizeof err) != 0) return EXIT_USAGE;
    return EXIT_OK;
  }
  return EXIT_USAGE;
}

/*
** The audit spool file the settings ask for (caller frees), or NULL for none:
** "auto" is the database's path with "-audit-spool" added on SQLite, where the
** spool shares the database's disk, and none on PostgreSQL, whose server
** should hold every entry (set a path to spool there too).
*/
static char *audit_spool_path(const struct config *cfg) {
  const char *s = cfg->audit_spool;
  if (!*s || strcmp(s, "off") == 0) return NULL;
  if (strcmp(s, "auto") != 0) return xstrdup(s);
  if (db_dsn_is_postgres(cfg->db)) return NULL;
  struct buf b = BUF_INIT;
  buf_printf(&b, "%s-audit-spool", cfg->db);
  return buf_steal(&b);
}

int cmd_serve(int argc, char **argv) {
  static const struct option opts[] = {{"listen", required_argument, NULL, 'l'}, {NULL, 0, NULL, 0}};
  struct cli c;
  int rc = cli_parse(&c, "serve", argc, argv, NULL, opts, serve_opt, NULL, "[--listen HOST:PORT]");
  if (rc != EXIT_OK) {
    cli_close(&c);
    return rc;
  }
  /*
  ** Block SIGTERM and SIGINT before any thread starts (the audit writer and
  ** the pool start below), so every thread inherits the mask and only
  ** server_run's sigtimedwait takes them.  A thread without the mask would
  ** receive them with their default action and kill the process mid-request.
  */
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
  struct config *cfg = &c.cfg;
  struct app *app = &c.app;
  app->cfg = cfg;
  char err[512];
  /* Check the schema on a short-lived connection first. */
  struct db *probe = NULL;
  if (db_open(cfg->db, false, &probe, err, sizeof err) != 0) {
    cli_error("serve", "%s", err);
    cli_close(&c);
    return EXIT_RUNTIME;
  }
  int version = 0;
  store_schema_version(probe, &version);
  if (version != store_latest_schema_version()) {
    db_close(probe);
    cli_error("serve", "the database schema is at version %d but this Safehub needs %d: run 'safehub init'", version,
              store_latest_schema_version());
    cli_close(&c);
    return EXIT_RUNTIME;
  }
  /* Children whose search keys this binary computes differently would not be found: init rebuilds them. */
  int64_t stale = 0;
  int src = store_child_keys_stale(probe, CHILD_KEYS_SCHEME, &stale);
  db_close(probe);
  if (src != DB_OK || stale > 0) {
    if (src != DB_OK) cli_error("serve", "cannot check the children's search keys");
    else cli_error("serve", "%lld children have search keys from an earlier version: run 'safehub init'", (long long)stale);
    cli_close(&c);
    return EXIT_RUNTIME;
  }
  if (audit_key_load(cfg->audit_key_file, &app->audit_key, err, sizeof err) != 0 || !app->audit_key.has_secret) {
    cli_error("serve", "audit key: %s (run 'safehub init', or set audit_key_file)", err);
    cli_close(&c);
    return EXIT_RUNTIME;
  }
  if (svc_risk_tool_load(cfg, &app->risk_tool, err, sizeof err) != 0) {
    cli_error("serve", "risk tool: %s", err);
    audit_key_wipe(&app->audit_key);
    cli_close(&c);
    return EXIT_RUNTIME;
  }
  app->match_model = svc_match_model_load(cfg, err, sizeof err);
  if (!app->match_model) {
    cli_error("serve", "linkage model: %s", err);
    risk_tool_free(&app->risk_tool);
    audit_key_wipe(&app->audit_key);
    cli_close(&c);
    return EXIT_RUNTIME;
  }
  if (db_pool_new(cfg->db, cfg->db_pool_size, &app->pool, err, sizeof err) != 0) {
    cli_error("serve", "%s", err);
    cli_close(&c);
    return EXIT_RUNTIME;
  }
  char *spool = audit_spool_path(cfg);
  struct audit_writer_options ao = {
      .batch_max = cfg->audit_batch_max,
      .batch_wait_us = cfg->audit_batch_wait_us,
      .checkpoint_interval = cfg->audit_checkpoint_interval,
      .key = &app->audit_key,
      .checkpoint_file = cfg->audit_checkpoint_file,
      .spool = spool,
      .move_interval_ms = cfg->audit_move_interval_ms,
  };
  int started = audit_writer_start(cfg->db, &ao, &app->audit, err, sizeof err);
  free(spool);
  if (started != 0) {
    cli_error("serve", "audit writer: %s", err);
    db_pool_free(app->pool);
    cli_close(&c);
    return EXIT_RUNTIME;
  }
  app->assets = assets_load(cfg->assets_dir, err, sizeof err);
  if (!app->assets) log_warn("assets: %s; pages will be unstyled (run 'make')", err);
  app->metrics = metrics_new(router_count());
  app->access_log = accesslog_open(cfg->access_log, err, sizeof err);
  if (!app->access_log && cfg->access_log[0] && strcmp(cfg->access_log, "off") != 0) {
    cli_error("serve", "access log: %s", err);
    rc = EXIT_RUNTIME;
  }
  app->secure_cookies = (cfg->tls_cert[0] != '\0') || strncmp(cfg->public_url, "https://", 8) == 0;
  sem_init(&app->hash_slots, 0, (unsigned)cfg->password_hash_concurrency);
  app->unknown_names = throttle_new();
  app->creds = credcache_new();
  if (rc == EXIT_OK) {
    /* server_run answers 2 for a listen address that is not HOST:PORT: a usage error, not a run-time one. */
    int s = server_run(app);
    rc = s == 0 ? EXIT_OK : s == 2 ? EXIT_USAGE : EXIT_RUNTIME;
  }
  audit_writer_stop(app->audit);
  db_pool_free(app->pool);
  assets_free(app->assets);
  metrics_free(app->metrics);
  accesslog_close(app->access_log);
  audit_key_wipe(&app->audit_key);
  risk_tool_free(&app->risk_tool);
  match_model_free(app->match_model);
  sem_destroy(&app->hash_slots);
  throttle_free(app->unknown_names);
  credcache_free(app->creds);
  config_free(cfg);
  return rc;
}
