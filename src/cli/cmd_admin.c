/*
** Commands that manage the partnership's agencies, users and API tokens:
**   safehub agency add --code C --name N --type T
**   safehub user add --username U --name N --agency C --role R [--manager U2] [--email E] --password-stdin
**   safehub token create --username U [--label L]
**   safehub token revoke --id ID
** They run through the same validation and auditing as the web pages.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "cli/cli.h"
#include "service/service.h"

struct fields {
  json_t *obj;
  bool password_stdin;
};

static int collect(struct cli *c, int opt, const char *val, void *arg) {
  (void)c;
  struct fields *f = arg;
  static const char *const names[] = {"code", "name", "type", "username", "agency", "role", "manager",
                                      "email", "label", "id"};
  if (opt == 'P') {
    f->password_stdin = true;
    return EXIT_OK;
  }
  if (opt >= 1 && opt <= (int)(sizeof names / sizeof names[0])) {
    if (json_object_get(f->obj, names[opt - 1])) {
      cli_error(c->name, "--%s given twice", names[opt - 1]);
      return EXIT_USAGE;
    }
    json_object_set_new(f->obj, names[opt - 1], json_string(val));
    return EXIT_OK;
  }
  return EXIT_USAGE;
}

#define OPT(n, i) {n, required_argument, NULL, i}

static int finish(struct cli *c, int rc, struct field_errors *errs, json_t *out, const char *done_key) {
  int exit_code = EXIT_OK;
  if (rc == SVC_INVALID || rc == SVC_CONFLICT) exit_code = cli_field_errors(c, errs);
  else if (rc == SVC_NOT_FOUND) {
    cli_error(c->name, "no such record");
    exit_code = EXIT_REJECTED;
  } else if (rc != SVC_OK) {
    cli_error(c->name, "database: %s", c->db ? db_error(c->db) : "unavailable");
    exit_code = EXIT_RUNTIME;
  } else if (done_key) {
    printf("%s\n", json_string_value(json_object_get(out, done_key)));
  }
  json_decref(out);
  return exit_code;
}

/*
** After parsing: EXIT_OK when every option named in REQUIRED (NULL-ended) was
** given, else names the first missing one and prints usage (exit 2), before
** anything is opened or read.
*/
static int require(int rc, const char *cmd, const char *usage, json_t *given, const char *const *required) {
  if (rc != EXIT_OK) return rc;
  for (const char *const *o = required; *o; o++) {
    if (!json_object_get(given, *o)) {
      cli_error(cmd, "--%s is required", *o);
      return cli_usage(cmd, usage);
    }
  }
  return EXIT_OK;
}

static int agency_add(int argc, char **argv) {
  static const struct option opts[] = {OPT("code", 1), OPT("name", 2), OPT("type", 3), {NULL, 0, NULL, 0}};
  static const char usage[] = "--code C --name N --type police|social_care|health|education|youth_justice|voluntary|housing|other";
  struct cli c;
  struct fields f = {json_object(), false};
  int rc = cli_parse(&c, "agency add", argc, argv, NULL, opts, collect, &f, usage);
  rc = require(rc, "agency add", usage, f.obj, (const char *const[]){"code", "name", "type", NULL});
  if (rc == EXIT_OK) rc = cli_open(&c, false);
  if (rc == EXIT_OK) {
    struct field_errors errs;
    ferr_init(&errs);
    json_t *out = NULL;
    int s = svc_agency_create(&c.req, f.obj, &errs, &out);
    rc = finish(&c, s, &errs, out, "id");
    ferr_free(&errs);
  }
  json_decref(f.obj);
  cli_close(&c);
  return rc;
}

static int user_add(int argc, char **argv) {
  static const struct option opts[] = {OPT("username", 4), OPT("name", 2),    OPT("agency", 5),
                                       OPT("role", 6),     OPT("manager", 7), OPT("email", 8),
                                       {"password-stdin", no_argument, NULL, 'P'}, {NULL, 0, NULL, 0}};
  static const char usage[] = "--username U --name N --agency CODE --role ROLE [--manager U2] [--email E] --password-stdin";
  struct cli c;
  struct fields f = {json_object(), false};
  int rc = cli_parse(&c, "user add", argc, argv, NULL, opts, collect, &f, usage);
  rc = require(rc, "user add", usage, f.obj, (const char *const[]){"username", "name", "agency", "role", NULL});
  if (rc == EXIT_OK && !f.password_stdin) {
    cli_error("user add", "the password is read from standard input: give --password-stdin");
    rc = cli_usage("user add", usage);
  }
  if (rc == EXIT_OK) rc = cli_open(&c, false);
  if (rc == EXIT_OK) {
    char *pw = cli_read_secret_stdin();
    json_object_set_new(f.obj, "password", json_string(pw));
    sodium_memzero(pw, strlen(pw));
    free(pw);
    struct field_errors errs;
    ferr_init(&errs);
    json_t *out = NULL;
    int s = svc_user_create(&c.req, f.obj, &errs, &out);
    rc = finish(&c, s, &errs, out, "id");
    ferr_free(&errs);
  }
  json_decref(f.obj);
  cli_close(&c);
  return rc;
}

static int token_create(int argc, char **argv) {
  static const struct option opts[] = {OPT("username", 4), OPT("label", 9), {NULL, 0, NULL, 0}};
  static const char usage[] = "--username U [--label L]";
  struct cli c;
  struct fields f = {json_object(), false};
  int rc = cli_parse(&c, "token create", argc, argv, NULL, opts, collect, &f, usage);
  rc = require(rc, "token create", usage, f.obj, (const char *const[]){"username", NULL});
  if (rc == EXIT_OK) rc = cli_open(&c, false);
  if (rc == EXIT_OK) {
    struct field_errors errs;
    ferr_init(&errs);
    json_t *out = NULL;
    int s = svc_token_create(&c.req, f.obj, &errs, &out);
    rc = finish(&c, s, &errs, out, "token");
    ferr_free(&errs);
  }
  json_decref(f.obj);
  cli_close(&c);
  return rc;
}

static int token_revoke(int argc, char **argv) {
  static const struct option opts[] = {OPT("id", 10), {NULL, 0, NULL, 0}};
  static const char usage[] = "--id TOKEN_ID";
  struct cli c;
  struct fields f = {json_object(), false};
  int rc = cli_parse(&c, "token revoke", argc, argv, NULL, opts, collect, &f, usage);
  rc = require(rc, "token revoke", usage, f.obj, (const char *const[]){"id", NULL});
  const char *id = json_string_value(json_object_get(f.obj, "id"));
  if (rc == EXIT_OK) rc = cli_open(&c, false);
  if (rc == EXIT_OK) rc = finish(&c, svc_token_revoke(&c.req, id), NULL, NULL, NULL);
  json_decref(f.obj);
  cli_close(&c);
  return rc;
}

/* safehub agency add ... */
int cmd_agency(int argc, char **argv) {
  if (argc >= 2 && !strcmp(argv[1], "add")) return agency_add(argc - 1, argv + 1);
  cli_error("agency", "expected 'add'");
  return cli_usage("agency", "add --code C --name N --type T");
}

/* safehub user add ... */
int cmd_user(int argc, char **argv) {
  if (argc >= 2 && !strcmp(argv[1], "add")) return user_add(argc - 1, argv + 1);
  cli_error("user", "expected 'add'");
  return cli_usage("user", "add --username U --name N --agency C --role R [--manager U2] --password-stdin");
}

/* safehub token create|revoke ... */
int cmd_token(int argc, char **argv) {
  if (argc >= 2 && !strcmp(argv[1], "create")) return token_create(argc - 1, argv + 1);
  if (argc >= 2 && !strcmp(argv[1], "revoke")) return token_revoke(argc - 1, argv + 1);
  cli_error("token", "expected 'create' or 'revoke'");
  return cli_usage("token", "create --username U [--label L] | revoke --id ID");
}
