/*
** Commands that look after the installation:
**   safehub init            create or migrate the schema; create the audit key
**   safehub audit verify    check the whole audit chain and its checkpoints
**   safehub backup --to F   a consistent online copy
**   safehub routes [--json] every route and the roles it admits
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "audit/audit.h"
#include "cli/cli.h"
#include "core/child.h"
#include "service/service.h"
#include "store/store.h"
#include "util/timeutil.h"

static int no_opts(struct cli *c, int opt, const char *val, void *arg) {
  (void)c;
  (void)opt;
  (void)val;
  (void)arg;
  return EXIT_USAGE;
}

/*
** A checkpoint file left by an earlier database would make a new chain look
** tampered with; when the audit log is empty it belongs to something else,
** so it is moved aside, never deleted.
*/
static void set_aside_old_checkpoints(struct cli *c) {
  const char *f = c->cfg.audit_checkpoint_file;
  int64_t seq;
  char hash[65];
  struct stat sb;
  if (!f || !*f || stat(f, &sb) != 0) return;
  if (store_audit_head(c->db, &seq, hash) != DB_OK || seq != 0) return;
  char aside[4200];
  snprintf(aside, sizeof aside, "%s.%lld.old", f, (long long)time_now());
  if (rename(f, aside) == 0) fprintf(stderr, "safehub: init: moved an earlier checkpoint file to %s\n", aside);
}

/*
** Rebuilds the search keys of every child whose keys follow an earlier scheme
** (see CHILD_KEYS_SCHEME), REKEY_BATCH to a transaction, each batch audited
** with how many it rebuilt, so an interrupted run resumes where it stopped.
** Sets *TOTAL; DB_OK or the error that stopped it.
*/
#define REKEY_BATCH 2000
static int rekey_children(struct cli *c, int *total) {
  char after[64] = "", last[64] = "";
  *total = 0;
  for (;;) {
    int n = 0;
    int rc = db_begin(c->db);
    if (rc == DB_OK) rc = store_child_rekey(c->db, CHILD_KEYS_SCHEME, after, REKEY_BATCH, last, sizeof last, &n);
    if (rc == DB_OK && n > 0) {
      json_t *d = json_pack("{s:i,s:i}", "children", n, "scheme", CHILD_KEYS_SCHEME);
      rc = req_audit_tx(&c->req, "child.search_keys_rebuild", "child", NULL, d);
      json_decref(d);
    }
    if (rc == DB_OK) rc = db_commit(c->db);
    if (rc != DB_OK) {
      db_rollback(c->db);
      return rc;
    }
    if (n == 0) return DB_OK;
    *total += n;
    snprintf(after, sizeof after, "%s", last);
  }
}

/* safehub init */
int cmd_init(int argc, char **argv) {
  struct cli c;
  int rc = cli_parse(&c, "init", argc, argv, NULL, NULL, no_opts, NULL, "");
  if (rc == EXIT_OK) rc = cli_open(&c, true);
  if (rc != EXIT_OK) {
    cli_close(&c);
    return rc;
  }
  char err[512] = "";
  int applied = 0;
  if (store_migrate(c.db, &applied, err, sizeof err) != DB_OK) {
    cli_error("init", "%s", err);
    cli_close(&c);
    return EXIT_RUNTIME;
  }
  set_aside_old_checkpoints(&c);
  int holidays = 0;
  char herr[512] = "";
  int hr = db_begin(c.db);
  if (hr == DB_OK) hr = svc_holidays_seed(c.db, c.cfg.bank_holidays_file, &holidays, herr, sizeof herr);
  if (hr == DB_OK) hr = db_commit(c.db);
  if (hr != DB_OK) {
    db_rollback(c.db);
    cli_error("init", "bank holidays: %s", herr[0] ? herr : db_error(c.db));
    cli_close(&c);
    return EXIT_RUNTIME;
  }
  int rekeyed = 0;
  if (rekey_children(&c, &rekeyed) != DB_OK) {
    cli_error("init", "search keys: %s", db_error(c.db));
    cli_close(&c);
    return EXIT_RUNTIME;
  }
  int k = audit_key_create(c.cfg.audit_key_file, err, sizeof err);
  if (k < 0) {
    cli_error("init", "audit key: %s", err);
    cli_close(&c);
    return EXIT_RUNTIME;
  }
  if (applied > 0) {
    json_t *d = json_pack("{s:i,s:i}", "applied", applied, "version", store_latest_schema_version());
    rc = db_begin(c.db);
    if (rc == DB_OK) rc = req_audit_tx(&c.req, "schema.migrate", "schema", NULL, d);
    if (rc == DB_OK) rc = db_commit(c.db);
    json_decref(d);
    if (rc != DB_OK) {
      db_rollback(c.db);
      cli_error("init", "audit: %s", db_error(c.db));
      cli_close(&c);
      return EXIT_RUNTIME;
    }
  }
  printf("schema at version %d (%d applied now)%s\n", store_latest_schema_version(), applied,
         k == 0 ? "; new audit key created" : "");
  if (rekeyed > 0) printf("search keys rebuilt for %d children\n", rekeyed);
  cli_close(&c);
  return EXIT_OK;
}

struct verify_opts {
  const char *key;
};

static int verify_opt(struct cli *c, int opt, const char *val, void *arg) {
  (void)c;
  struct verify_opts *o = arg;
  if (opt == 'k') {
    o->key = val;
    return EXIT_OK;
  }
  return EXIT_USAGE;
}

/* safehub audit verify [--key FILE] */
int cmd_audit(int argc, char **argv) {
  static const char usage[] = "verify [--key AUDIT_KEY_OR_PUBLIC_KEY_FILE]";
  if (argc < 2 || strcmp(argv[1], "verify") != 0) {
    cli_error("audit", "expected 'verify'");
    return cli_usage("audit", usage);
  }
  static const struct option opts[] = {{"key", required_argument, NULL, 'k'}, {NULL, 0, NULL, 0}};
  struct verify_opts o = {NULL};
  struct cli c;
  int rc = cli_parse(&c, "audit verify", argc - 1, argv + 1, NULL, opts, verify_opt, &o, usage + strlen("verify "));
  if (rc == EXIT_OK) rc = cli_open(&c, false);
  if (rc != EXIT_OK) {
    cli_close(&c);
    return rc;
  }
  struct audit_key key;
  char err[512];
  const char *keyfile = o.key ? o.key : c.cfg.audit_key_file;
  bool have_key = audit_key_load(keyfile, &key, err, sizeof err) == 0;
  if (!have_key) {
    char pub[4200];
    snprintf(pub, sizeof pub, "%s.pub", keyfile);
    have_key = audit_key_load(pub, &key, err, sizeof err) == 0;
  }
  if (!have_key) {
    cli_error("audit verify", "%s (the checkpoints cannot be checked without the audit key)", err);
    cli_close(&c);
    return EXIT_RUNTIME;
  }
  struct audit_verify_result res;
  if (audit_verify(c.db, &key, c.cfg.audit_checkpoint_file, &res) != DB_OK) {
    cli_error("audit verify", "database: %s", db_error(c.db));
    audit_key_wipe(&key);
    cli_close(&c);
    return EXIT_RUNTIME;
  }
  audit_key_wipe(&key);
  if (res.first_bad_seq) {
    cli_error("audit verify", "entry %lld: %s", (long long)res.first_bad_seq, res.reason);
    cli_close(&c);
    return EXIT_REJECTED;
  }
  printf("audit chain intact: %lld entries, %lld signed checkpoints\n", (long long)res.entries,
         (long long)res.checkpoints);
  /* Said, not failed: a restored copy is rightly checked without the off-host file. */
  if (c.cfg.audit_checkpoint_file[0] && !res.checkpoint_file_read)
    printf("checkpoint file %s not found or unreadable: only the database's checkpoints were checked\n",
           c.cfg.audit_checkpoint_file);
  cli_close(&c);
  return EXIT_OK;
}

struct backup_opts {
  const char *to;
};

static int backup_opt(struct cli *c, int opt, const char *val, void *arg) {
  (void)c;
  struct backup_opts *o = arg;
  if (opt == 't') {
    o->to = val;
    return EXIT_OK;
  }
  return EXIT_USAGE;
}

/* safehub backup --to FILE */
int cmd_backup(int argc, char **argv) {
  static const char usage[] = "--to FILE";
  static const struct option opts[] = {{"to", required_argument, NULL, 't'}, {NULL, 0, NULL, 0}};
  struct backup_opts o = {NULL};
  struct cli c;
  int rc = cli_parse(&c, "backup", argc, argv, NULL, opts, backup_opt, &o, usage);
  if (rc == EXIT_OK && !o.to) rc = cli_usage("backup", usage);
  if (rc == EXIT_OK) rc = cli_open(&c, false);
  if (rc != EXIT_OK) {
    cli_close(&c);
    return rc;
  }
  char err[512];
  if (db_backup(c.db, o.to, err, sizeof err) != DB_OK) {
    cli_error("backup", "%s", err);
    cli_close(&c);
    return EXIT_RUNTIME;
  }
  json_t *d = json_pack("{s:s}", "to", o.to);
  rc = db_begin(c.db);
  if (rc == DB_OK) rc = req_audit_tx(&c.req, "database.backup", "database", NULL, d);
  if (rc == DB_OK) rc = db_commit(c.db);
  json_decref(d);
  if (rc != DB_OK) db_rollback(c.db);
  printf("backup written to %s\n", o.to);
  cli_close(&c);
  return EXIT_OK;
}

static int routes_opt(struct cli *c, int opt, const char *val, void *arg) {
  (void)c;
  (void)val;
  if (opt == 'j') {
    *(bool *)arg = true;
    return EXIT_OK;
  }
  return EXIT_USAGE;
}

/* safehub routes [--json]: the access table, for review and for the tests. */
int cmd_routes(int argc, char **argv) {
  static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
  bool as_json = false;
  struct cli c;
  int rc = cli_parse(&c, "routes", argc, argv, NULL, opts, routes_opt, &as_json, "[--json]");
  if (rc != EXIT_OK) {
    cli_close(&c);
    return rc;
  }
  json_t *arr = json_array();
  for (int i = 0; i < router_count(); i++) {
    const struct route *rt = router_at(i);
    json_t *roles = json_array();
    for (int role = 0; role < ROLE_COUNT; role++) {
      if (!(rt->flags & ROUTE_PUBLIC) && role_in((enum role)role, rt->roles))
        json_array_append_new(roles, json_string(role_name((enum role)role)));
    }
    json_t *query = json_array();
    for (const char *const *q = rt->query; q && *q; q++) json_array_append_new(query, json_string(*q));
    json_array_append_new(arr, json_pack("{s:s,s:s,s:b,s:b,s:b,s:o,s:o,s:s}", "method", rt->method, "path", rt->pattern,
                                         "public", (rt->flags & ROUTE_PUBLIC) != 0, "html", (rt->flags & ROUTE_HTML) != 0,
                                         "second_factor_stage", (rt->flags & ROUTE_SECOND_FACTOR) != 0, "roles", roles,
                                         "query", query, "summary", rt->summary));
  }
  if (as_json) {
    char *s = json_dumps(arr, JSON_INDENT(2));
    printf("%s\n", s);
    free(s);
  } else {
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
      char *roles = json_dumps(json_object_get(e, "roles"), JSON_COMPACT);
      printf("%-7s %-45s %s\n", json_string_value(json_object_get(e, "method")),
             json_string_value(json_object_get(e, "path")),
             json_is_true(json_object_get(e, "public")) ? "public" : roles);
      free(roles);
    }
  }
  json_decref(arr);
  cli_close(&c);
  return EXIT_OK;
}
