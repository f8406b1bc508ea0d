/*
** Command-line commands.  Each takes its own options plus the common ones
** (--db DSN, --config FILE) and returns the exit code of the contract:
** 0 done, 1 failed at run time, 2 usage error, 3 data rejected or a
** verification failed.  Errors are one line on stderr: "safehub: WHAT: WHY".
*/
#ifndef SAFEHUB_CLI_CLI_H
#define SAFEHUB_CLI_CLI_H
#include <getopt.h>
#include <stdbool.h>
#include "config/config.h"
#include "http/app.h"
#include "http/http.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2, EXIT_REJECTED = 3 };
/* Returned by cli_parse after printing --help to stdout; main() exits 0 for it. */
#define EXIT_HELP 100

/* What a command has to hand once its options are read (common.c). */
struct cli {
  const char *name;       /* "user add", for messages */
  struct config cfg;
  struct app app;         /* settings and hashing slots, for the shared use cases */
  struct db *db;
  struct req req;         /* a request-shaped context acting as the operator */
};

void cli_error(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_usage(const char *name, const char *usage);
int cli_parse(struct cli *c, const char *name, int argc, char **argv, const char *shortopts,
              const struct option *longopts, int (*on_opt)(struct cli *, int, const char *, void *), void *arg,
              const char *usage);
int cli_open(struct cli *c, bool create);
void cli_close(struct cli *c);
char *cli_read_secret_stdin(void);
int cli_field_errors(struct cli *c, struct field_errors *errs);
int cli_act_as(struct cli *c, const char *username, struct req *req);
int cli_flush_audit(struct db *db, struct req *reqs, int n);

int cmd_init(int argc, char **argv);
int cmd_agency(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_routes(int argc, char **argv);
int cmd_sla(int argc, char **argv);
int cmd_link(int argc, char **argv);
int cmd_duplicates(int argc, char **argv);
int cmd_synth(int argc, char **argv);

#endif
