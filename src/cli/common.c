/*
** What every command shares: option parsing with the common options, loading
** settings (defaults, then --config file, then SAFEHUB_* environment, then
** flags), opening the database, and an operator context so that commands go
** through the same validated, audited use cases as the web and the API.
*/
#include <assert.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>
#include "audit/audit.h"
#include "cli/cli.h"
#include "core/password.h"
#include "service/casework.h"
#include "service/matching.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xalloc.h"

/* Prints "safehub: WHAT: WHY" on stderr. */
void cli_error(const char *what, const char *fmt, ...) {
  char why[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  fprintf(stderr, "safehub: %s: %s\n", what, why);
}

/* Prints the usage of NAME and returns EXIT_USAGE. */
int cli_usage(const char *name, const char *usage) {
  fprintf(stderr, "usage: safehub %s %s\n       common options: --db DSN  --config FILE\n", name, usage);
  return EXIT_USAGE;
}

enum { OPT_DB = 0x1000, OPT_CONFIG, OPT_HELP };

/*
** Parses ARGV with the command's options plus --db, --config and --help,
** calling ON_OPT for the command's own.  Then loads the settings.  Returns
** EXIT_OK or EXIT_USAGE (having printed why).
*/
int cli_parse(struct cli *c, const char *name, int argc, char **argv, const char *shortopts,
              const struct option *longopts, int (*on_opt)(struct cli *, int, const char *, void *), void *arg,
              const char *usage) {
  memset(c, 0, sizeof *c);
  c->name = name;
  config_defaults(&c->cfg);
  struct option all[32];
  int n = 0;
  for (const struct option *o = longopts; o && o->name; o++) {
    assert(n < 28); /* a command declaring more options than this table holds is a programming error */
    all[n++] = *o;
  }
  all[n++] = (struct option){"db", required_argument, NULL, OPT_DB};
  all[n++] = (struct option){"config", required_argument, NULL, OPT_CONFIG};
  all[n++] = (struct option){"help", no_argument, NULL, OPT_HELP};
  all[n] = (struct option){NULL, 0, NULL, 0};
  const char *db_flag = NULL, *config_file = NULL;
  optind = 1;
  opterr = 0;
  struct {
    int opt;
    char *val;
  } pending[32];
  int np = 0;
  int opt;
  while ((opt = getopt_long(argc, argv, shortopts ? shortopts : "", all, NULL)) != -1) {
    if (opt == OPT_DB) db_flag = optarg;
    else if (opt == OPT_CONFIG) config_file = optarg;
    else if (opt == OPT_HELP) {
      printf("usage: safehub %s %s\n       common options: --db DSN  --config FILE\n", name, usage);
      return EXIT_HELP;
    }
    else if (opt == '?' || opt == ':') {
      if (optopt) cli_error(name, "option -%c is unknown or needs a value", optopt);
      else cli_error(name, "option %s is unknown or needs a value", argv[optind - 1]);
      return cli_usage(name, usage);
    } else if (np < 32) {
      pending[np].opt = opt;
      pending[np].val = optarg;
      np++;
    } else {
      cli_error(name, "too many options");
      return cli_usage(name, usage);
    }
  }
  if (optind < argc) {
    cli_error(name, "unexpected argument '%s'", argv[optind]);
    return cli_usage(name, usage);
  }
  char err[512];
  if (config_file && config_load_file(&c->cfg, config_file, err, sizeof err) != 0) {
    cli_error("config", "%s", err);
    return EXIT_USAGE;
  }
  if (config_load_env(&c->cfg, err, sizeof err) != 0) {
    cli_error("config", "%s", err);
    return EXIT_USAGE;
  }
  if (db_flag) config_set(&c->cfg, "db", db_flag, err, sizeof err);
  for (int i = 0; i < np; i++) {
    int rc = on_opt(c, pending[i].opt, pending[i].val, arg);
    if (rc != EXIT_OK) return rc == EXIT_USAGE ? cli_usage(name, usage) : rc;
  }
  return EXIT_OK;
}

static int mkdir_parents(const char *path) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (!slash) return 0;
  *slash = '\0';
  for (char *p = dir + 1; *p; p++) {
    if (*p == '/') {
      *p = '\0';
      mkdir(dir, 0750);
      *p = '/';
    }
  }
  if (mkdir(dir, 0750) != 0 && errno != EEXIST) return -1;
  return 0;
}

/*
** Opens the database (creating an SQLite file and its folder only when
** CREATE) and prepares the operator context.  Returns EXIT_OK or
** EXIT_RUNTIME having printed why.
*/
int cli_open(struct cli *c, bool create) {
  char err[512];
  if (create && !db_dsn_is_postgres(c->cfg.db) && mkdir_parents(c->cfg.db) != 0) {
    cli_error(c->name, "cannot create the folder for %s: %s", c->cfg.db, strerror(errno));
    return EXIT_RUNTIME;
  }
  if (create && (mkdir_parents(c->cfg.audit_key_file) != 0 || mkdir_parents(c->cfg.audit_checkpoint_file) != 0)) {
    cli_error(c->name, "cannot create the folder for the audit key: %s", strerror(errno));
    return EXIT_RUNTIME;
  }
  if (db_open(c->cfg.db, create, &c->db, err, sizeof err) != 0) {
    cli_error(c->name, "%s", err);
    return EXIT_RUNTIME;
  }
  c->app.cfg = &c->cfg;
  sem_init(&c->app.hash_slots, 0, (unsigned)c->cfg.password_hash_concurrency);
  if (svc_risk_tool_load(&c->cfg, &c->app.risk_tool, err, sizeof err) != 0) {
    cli_error(c->name, "risk tool: %s", err);
    return EXIT_RUNTIME;
  }
  c->app.match_model = svc_match_model_load(&c->cfg, err, sizeof err);
  if (!c->app.match_model) {
    cli_error(c->name, "linkage model: %s", err);
    return EXIT_RUNTIME;
  }
  c->req.app = &c->app;
  c->req.db = c->db;
  struct principal *w = &c->req.who;
  w->kind = AUTH_SYSTEM;
  w->role = ROLE_ADMIN;
  const struct passwd *pw = getpwuid(getuid());
  snprintf(w->username, sizeof w->username, "cli:%s", pw ? pw->pw_name : "unknown");
  snprintf(w->name, sizeof w->name, "Command line");
  snprintf(w->stage, sizeof w->stage, "full");
  snprintf(c->req.ip, sizeof c->req.ip, "local");
  return EXIT_OK;
}

void cli_close(struct cli *c) {
  if (c->db) db_close(c->db);
  c->db = NULL;
  if (c->app.cfg) sem_destroy(&c->app.hash_slots);
  risk_tool_free(&c->app.risk_tool);
  match_model_free(c->app.match_model);
  c->app.match_model = NULL;
  config_free(&c->cfg);
}

/* Reads one line (a password) from standard input without echoing it back; caller frees. */
char *cli_read_secret_stdin(void) {
  struct buf b = BUF_INIT;
  int ch;
  while ((ch = getchar()) != EOF && ch != '\n') {
    if (b.len >= PASSWORD_MAX + 1) break;
    buf_putc(&b, (char)ch);
  }
  if (b.len && b.data[b.len - 1] == '\r') b.data[--b.len] = '\0';
  return buf_steal(&b);
}

/* Prints each field error as "safehub: NAME: FIELD WHY" and returns EXIT_REJECTED. */
int cli_field_errors(struct cli *c, struct field_errors *errs) {
  const char *k;
  json_t *v;
  json_object_foreach(errs->fields, k, v) cli_error(c->name, "%s %s", k, json_string_value(v));
  return EXIT_REJECTED;
}

/*
** Makes REQ act as the user USERNAME, with the command line's settings and
** database, for running use cases as that user (the demo borough's data is
** recorded this way).  Returns 0; 1 when there is no such user (nothing
** said); -1 on failure, having said why.
*/
int cli_act_as(struct cli *c, const char *username, struct req *req) {
  struct user u;
  int rc = store_user_by_username(c->db, username, &u);
  if (rc == DB_DONE) return 1;
  if (rc != DB_ROW) {
    cli_error("demo", "%s: %s", username, db_error(c->db));
    return -1;
  }
  memset(req, 0, sizeof *req);
  req->app = &c->app;
  req->db = c->db;
  snprintf(req->ip, sizeof req->ip, "local");
  if (store_principal_for_user(c->db, u.id, &req->who) != DB_ROW) {
    cli_error("demo", "%s: %s", username, db_error(c->db));
    return -1;
  }
  req->who.kind = AUTH_SYSTEM;
  snprintf(req->who.stage, sizeof req->who.stage, "full");
  return 0;
}

/*
** Writes the audit entries that use cases queued on the requests REQS[0..N)
** for reads and refusals (a command has no response to hold them for), one
** transaction per request, and empties each queue.  Returns DB_OK or the
** first failure.
*/
int cli_flush_audit(struct db *db, struct req *reqs, int n) {
  int rc = DB_OK;
  for (int i = 0; i < n; i++) {
    struct req *r = &reqs[i];
    if (r->naudit && rc == DB_OK) {
      rc = db_begin(db);
      if (rc == DB_OK) rc = audit_append_tx(db, r->audit, r->naudit);
      if (rc == DB_OK) rc = db_commit(db);
      if (rc != DB_OK) db_rollback(db);
    }
    audit_rows_free(r->audit, r->naudit);
    free(r->audit);
    r->audit = NULL;
    r->naudit = r->capaudit = 0;
  }
  return rc;
}
