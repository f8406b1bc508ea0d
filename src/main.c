/*
** safehub: the command-line entry point.  Dispatches to the commands in
** src/cli/; see `safehub help`.
*/
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sodium.h>
#include "cli/cli.h"

struct command {
  const char *name;
  int (*fn)(int argc, char **argv);
  const char *summary;
};

static const struct command COMMANDS[] = {
    {"init", cmd_init, "create or migrate the schema; safe to run again"},
    {"agency", cmd_agency, "agency add --code C --name N --type T"},
    {"user", cmd_user, "user add --username U --name N --agency C --role R [--manager U2] --password-stdin"},
    {"token", cmd_token, "token create --username U | token revoke --id ID"},
    {"serve", cmd_serve, "serve [--listen HOST:PORT]: the web application and API"},
    {"demo", cmd_demo, "demo [--children N]: load a synthetic borough and print its logins"},
    {"sla", cmd_sla, "sla run [--as-of ISO8601]: evaluate every deadline and escalation once"},
    {"audit", cmd_audit, "audit verify: check the whole audit chain"},
    {"backup", cmd_backup, "backup --to FILE: a consistent online copy"},
    {"routes", cmd_routes, "routes [--json]: every route and the roles it admits"},
    {"link", cmd_link, "link --input A.csv [--input B.csv] --output PAIRS.csv: record linkage of person files"},
    {"duplicates", cmd_duplicates, "duplicates scan [--threshold P]: put likely duplicate children on the queue"},
    {"synth", cmd_synth, "synth --records N --seed S --output FILE --truth FILE: synthetic people with known truth"},
    {NULL, NULL, NULL},
};

static int usage(FILE *f) {
  fprintf(f, "usage: safehub COMMAND [OPTIONS]\n\ncommands:\n");
  for (const struct command *c = COMMANDS; c->name; c++) fprintf(f, "  %-8s %s\n", c->name, c->summary);
  fprintf(f, "\nEvery command takes --db DSN (else $SAFEHUB_DB, else data/safehub.db) and --config FILE.\n");
  return f == stdout ? EXIT_OK : EXIT_USAGE;
}

int main(int argc, char **argv) {
  /* Databases, backups, keys and logs hold personal data or secrets: private by default. */
  umask(077);
  if (sodium_init() < 0) {
    fprintf(stderr, "safehub: startup: libsodium could not initialise\n");
    return EXIT_RUNTIME;
  }
  if (argc < 2) return usage(stderr);
  if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) return usage(stdout);
  for (const struct command *c = COMMANDS; c->name; c++) {
    if (!strcmp(argv[1], c->name)) {
      int rc = c->fn(argc - 1, argv + 1);
      return rc == EXIT_HELP ? EXIT_OK : rc;
    }
  }
  fprintf(stderr, "safehub: %s: unknown command\n", argv[1]);
  return usage(stderr);
}
