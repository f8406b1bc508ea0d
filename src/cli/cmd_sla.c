/*
** safehub sla run [--as-of ISO8601]: one evaluation of every deadline and
** escalation, as of now or the given instant, then the e-mail outbox is sent.
** The server does the same by itself every sla_interval seconds; this is for
** backfills, checks and tests.  Running it twice changes nothing the first
** run did.
*/
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "jobs/sla.h"
#include "util/timeutil.h"

struct sla_opts {
  int64_t as_of;
  bool given;
};

static int sla_opt(struct cli *c, int opt, const char *val, void *arg) {
  struct sla_opts *o = arg;
  if (opt == 'a') {
    if (!time_parse_iso(val, &o->as_of)) {
      cli_error(c->name, "--as-of must be an ISO 8601 instant with a zone, for example 2026-11-28T10:00:00Z");
      return EXIT_USAGE;
    }
    o->given = true;
    return EXIT_OK;
  }
  return EXIT_USAGE;
}

int cmd_sla(int argc, char **argv) {
  static const char usage[] = "run [--as-of ISO8601]";
  if (argc < 2 || strcmp(argv[1], "run") != 0) {
    cli_error("sla", "expected 'run'");
    return cli_usage("sla", usage);
  }
  static const struct option opts[] = {{"as-of", required_argument, NULL, 'a'}, {NULL, 0, NULL, 0}};
  struct sla_opts o = {0, false};
  struct cli c;
  int rc = cli_parse(&c, "sla run", argc - 1, argv + 1, NULL, opts, sla_opt, &o, usage + strlen("run "));
  if (rc == EXIT_OK) rc = cli_open(&c, false);
  if (rc != EXIT_OK) {
    cli_close(&c);
    return rc;
  }
  int64_t as_of = o.given ? o.as_of : time_now();
  struct sla_result res;
  char err[512];
  if (sla_evaluate(c.db, &c.cfg, as_of, &res, err, sizeof err) != DB_OK) {
    cli_error("sla run", "%s", err);
    cli_close(&c);
    return EXIT_RUNTIME;
  }
  struct mail_result mail = {0, 0};
  if (mailer_flush(c.db, &c.cfg, time_now(), &mail) != DB_OK) {
    cli_error("sla run", "mail: %s", db_error(c.db));
    cli_close(&c);
    return EXIT_RUNTIME;
  }
  char at[ISO_TIME_LEN];
  time_format_iso(as_of, at);
  printf("as of %s: %lld overdue, %lld new escalation steps; e-mail: %d sent, %d failed; evaluated in %.3f s\n", at,
         (long long)res.overdue, (long long)res.escalations, mail.sent, mail.failed, res.seconds);
  cli_close(&c);
  return EXIT_OK;
}
