/*
** Unit tests for config: the defaults, the settings table, the
** configuration file (comments, blank lines, values containing '=', unknown
** settings and bad values named with file and line, number ranges,
** booleans, over-long lines), environment overrides as SAFEHUB_<NAME>,
** config_role_needs_totp, and that docs/configuration.md names every setting.
*/
#include "testutil.h"

#include <ctype.h>
#include <errno.h>
#include "config/config.h"

/* Removes every SAFEHUB_<NAME> variable so that the caller's environment cannot leak into a test. */
static int clear_env(void **state) {
  (void)state;
  for (size_t i = 0; i < config_setting_count(); i++) {
    char var[96] = "SAFEHUB_";
    size_t n = strlen(var);
    for (const char *p = config_setting_name(i); *p && n + 1 < sizeof var; p++) var[n++] = (char)toupper((unsigned char)*p);
    var[n] = '\0';
    unsetenv(var);
  }
  return 0;
}

/* A scratch directory for configuration files, made per test. */
static char dir[PATH_MAX];

/* Setup: clean environment and a scratch directory. */
static int setup(void **state) {
  clear_env(state);
  tu_mkdtemp(dir);
  return 0;
}

/* Teardown: clean environment again and remove the scratch directory. */
static int teardown(void **state) {
  clear_env(state);
  tu_rmtree(dir);
  return 0;
}

/* Writes TEXT to a file in the scratch directory and returns its path (static buffer). */
static const char *write_conf(const char *text) {
  static char path[PATH_MAX];
  tu_path(path, dir, "safehub.conf");
  FILE *f = fopen(path, "w");
  if (!f) fail_msg("cannot write %s", path);
  fputs(text, f);
  fclose(f);
  return path;
}

/* Loads TEXT as a configuration file over the defaults; the error message goes to ERR. */
static int load(struct config *c, const char *text, char err[512]) {
  err[0] = '\0';
  config_defaults(c);
  return config_load_file(c, write_conf(text), err, 512);
}

/* Every default is in place, strings never NULL. */
static void test_defaults(void **state) {
  (void)state;
  struct config c;
  config_defaults(&c);
  assert_string_equal(c.db, "data/safehub.db");
  assert_string_equal(c.db_replica, "");
  assert_string_equal(c.listen, "127.0.0.1:8080");
  assert_false(c.trust_proxy);
  assert_int_equal(c.threads, 4);
  assert_int_equal(c.db_pool_size, 8);
  assert_int_equal(c.max_body, 1048576);
  assert_int_equal(c.session_idle_timeout, 1800);
  assert_int_equal(c.session_absolute_timeout, 43200);
  assert_int_equal(c.password_min_length, 12);
  assert_int_equal(c.login_max_failures, 5);
  assert_int_equal(c.lockout_seconds, 60);
  assert_string_equal(c.totp_roles, "mash,manager,director,analyst,auditor,admin");
  assert_string_equal(c.totp_issuer, "Safehub");
  assert_string_equal(c.audit_key_file, "data/audit.key");
  assert_int_equal(c.smtp_port, 25);
  assert_string_equal(c.access_log, "-");
  assert_int_equal(c.sla_interval, 60);
  config_free(&c);
  assert_null(c.db);
  assert_null(c.totp_roles);
}

/* The settings table: names unique, lower_snake_case, and bounded. */
static void test_setting_names(void **state) {
  (void)state;
  size_t n = config_setting_count();
  assert_true(n >= 30);
  assert_null(config_setting_name(n));
  for (size_t i = 0; i < n; i++) {
    const char *a = config_setting_name(i);
    assert_non_null(a);
    for (const char *p = a; *p; p++) assert_true((*p >= 'a' && *p <= 'z') || *p == '_' || (*p >= '0' && *p <= '9'));
    for (size_t j = i + 1; j < n; j++) assert_string_not_equal(a, config_setting_name(j));
  }
}

/* Comments, blank lines, spacing and values containing '=' are all read. */
static void test_file_parsing(void **state) {
  (void)state;
  struct config c;
  char err[512];
  assert_int_equal(load(&c,
                        "# Safehub settings\n"
                        "\n"
                        "   \t\n"
                        "threads = 8   # more threads\n"
                        "listen=0.0.0.0:9000\n"
                        "  trust_proxy   =   yes  \n"
                        "totp_roles = mash, manager\n"
                        "max_body = 2048\n"
                        "db = postgres://safehub:pw@127.0.0.1:5432/safehub?sslmode=disable\n"
                        "totp_issuer = Rotherham Safehub\n"
                        "db_replica =\n"
                        "smtp_port = 587",
                        err),
                   0);
  assert_int_equal(c.threads, 8);
  assert_string_equal(c.listen, "0.0.0.0:9000");
  assert_true(c.trust_proxy);
  assert_string_equal(c.totp_roles, "mash, manager");
  assert_int_equal(c.max_body, 2048);
  assert_string_equal(c.db, "postgres://safehub:pw@127.0.0.1:5432/safehub?sslmode=disable");
  assert_string_equal(c.totp_issuer, "Rotherham Safehub");
  assert_string_equal(c.db_replica, "");
  assert_int_equal(c.smtp_port, 587); /* the last line needs no newline */
  /* Untouched settings keep their defaults. */
  assert_int_equal(c.db_pool_size, 8);
  config_free(&c);
  /* A file of comments only changes nothing. */
  assert_int_equal(load(&c, "# nothing\n\n", err), 0);
  assert_int_equal(c.threads, 4);
  config_free(&c);
}

/* An unknown setting is named with the file and its line. */
static void test_file_unknown_setting(void **state) {
  (void)state;
  struct config c;
  char err[512], want[PATH_MAX + 64];
  assert_int_equal(load(&c, "threads = 8\n# fine\nthraeds = 9\n", err), -1);
  snprintf(want, sizeof want, "%s/safehub.conf:3: unknown setting 'thraeds'", dir);
  assert_string_equal(err, want);
  config_free(&c);
  assert_int_equal(load(&c, "THREADS = 8\n", err), -1);
  assert_non_null(strstr(err, ":1: unknown setting 'THREADS'"));
  config_free(&c);
  assert_int_equal(load(&c, "threads 8\n", err), -1);
  assert_non_null(strstr(err, ":1: expected 'name = value'"));
  config_free(&c);
}

/* Numbers must be whole and in range, inclusive at both ends. */
static void test_file_number_ranges(void **state) {
  (void)state;
  struct config c;
  char err[512];
  static const char *const bad[] = {"threads = 0",        "threads = 257",  "threads = 4x",  "threads = ",
                                    "threads = 4.0",      "threads = -1",   "threads = 0x10", "threads = four",
                                    "threads = 99999999999999999999999", "max_body = 1023", "max_body = 67108865",
                                    "smtp_port = 65536",  "session_idle_timeout = 59"};
  for (size_t i = 0; i < TU_COUNT(bad); i++) {
    if (load(&c, bad[i], err) != -1) fail_msg("accepted '%s'", bad[i]);
    assert_non_null(strstr(err, ":1: "));
    assert_non_null(strstr(err, "must be a whole number from"));
    config_free(&c);
  }
  assert_int_equal(load(&c, "threads = 0\n", err), -1);
  assert_non_null(strstr(err, "threads must be a whole number from 1 to 256"));
  config_free(&c);
  assert_int_equal(load(&c, "threads = 1\nmax_body = 1024\nsmtp_port = 65535\n", err), 0);
  assert_int_equal(c.threads, 1);
  assert_int_equal(c.max_body, 1024);
  assert_int_equal(c.smtp_port, 65535);
  config_free(&c);
  assert_int_equal(load(&c, "threads = 256\nmax_body = 67108864\n", err), 0);
  assert_int_equal(c.threads, 256);
  assert_int_equal(c.max_body, 67108864);
  config_free(&c);
}

/* Office hours must be HH:MM-HH:MM with the opening first: a reversed day would make every deadline due at once. */
static void test_office_hours(void **state) {
  (void)state;
  struct config c;
  char err[512];
  static const char *const bad[] = {"office_hours = 17:00-09:00", "office_hours = 09:00-09:00", "office_hours = 9-5",
                                    "office_hours = 09:00-25:00", "office_hours = 09:60-17:00", "office_hours = 09:00-17:00x"};
  for (size_t i = 0; i < TU_COUNT(bad); i++) {
    if (load(&c, bad[i], err) != -1) fail_msg("accepted '%s'", bad[i]);
    assert_non_null(strstr(err, ":1: office_hours: "));
    config_free(&c);
  }
  assert_int_equal(load(&c, "office_hours = 08:30-18:00\n", err), 0);
  assert_string_equal(c.office_hours, "08:30-18:00");
  config_free(&c);
}

/* Booleans: true/yes/1 and false/no/0 only. */
static void test_file_booleans(void **state) {
  (void)state;
  struct config c;
  char err[512];
  static const char *const yes[] = {"true", "yes", "1"};
  static const char *const no[] = {"false", "no", "0"};
  for (size_t i = 0; i < 3; i++) {
    char text[64];
    snprintf(text, sizeof text, "trust_proxy = %s\n", yes[i]);
    assert_int_equal(load(&c, text, err), 0);
    assert_true(c.trust_proxy);
    config_free(&c);
    snprintf(text, sizeof text, "trust_proxy = yes\ntrust_proxy = %s\n", no[i]);
    assert_int_equal(load(&c, text, err), 0);
    assert_false(c.trust_proxy);
    config_free(&c);
  }
  static const char *const bad[] = {"trust_proxy = maybe", "trust_proxy = TRUE", "trust_proxy = on", "trust_proxy = "};
  for (size_t i = 0; i < TU_COUNT(bad); i++) {
    if (load(&c, bad[i], err) != -1) fail_msg("accepted '%s'", bad[i]);
    assert_non_null(strstr(err, "trust_proxy must be true or false"));
    config_free(&c);
  }
}

/* A missing file and an over-long line are reported, not ignored. */
static void test_file_errors(void **state) {
  (void)state;
  struct config c;
  char err[512], path[PATH_MAX];
  config_defaults(&c);
  tu_path(path, dir, "absent.conf");
  assert_int_equal(config_load_file(&c, path, err, sizeof err), -1);
  assert_non_null(strstr(err, "absent.conf"));
  assert_non_null(strstr(err, strerror(ENOENT)));
  config_free(&c);
  char *longline = malloc(6000);
  assert_non_null(longline);
  strcpy(longline, "threads = 4\ntotp_issuer = ");
  size_t at = strlen(longline);
  memset(longline + at, 'x', 5000);
  strcpy(longline + at + 5000, "\n");
  assert_int_equal(load(&c, longline, err), -1);
  assert_non_null(strstr(err, ":2: line too long"));
  config_free(&c);
  free(longline);
}

/* SAFEHUB_<NAME> overrides the file; bad values are named by their variable. */
static void test_environment(void **state) {
  (void)state;
  struct config c;
  char err[512];
  assert_int_equal(load(&c, "threads = 8\nlisten = 127.0.0.1:9000\n", err), 0);
  setenv("SAFEHUB_THREADS", "16", 1);
  setenv("SAFEHUB_TRUST_PROXY", "yes", 1);
  setenv("SAFEHUB_TOTP_ROLES", "", 1);
  setenv("SAFEHUB_DB", "postgres://localhost/x", 1);
  assert_int_equal(config_load_env(&c, err, sizeof err), 0);
  assert_int_equal(c.threads, 16);
  assert_true(c.trust_proxy);
  assert_string_equal(c.totp_roles, "");
  assert_string_equal(c.db, "postgres://localhost/x");
  assert_string_equal(c.listen, "127.0.0.1:9000"); /* not overridden */
  assert_false(config_role_needs_totp(&c, "admin"));
  config_free(&c);

  config_defaults(&c);
  setenv("SAFEHUB_MAX_BODY", "1023", 1);
  assert_int_equal(config_load_env(&c, err, sizeof err), -1);
  assert_non_null(strstr(err, "SAFEHUB_MAX_BODY: max_body must be a whole number from 1024 to 67108864"));
  config_free(&c);
  unsetenv("SAFEHUB_MAX_BODY");

  config_defaults(&c);
  setenv("SAFEHUB_TRUST_PROXY", "maybe", 1);
  assert_int_equal(config_load_env(&c, err, sizeof err), -1);
  assert_non_null(strstr(err, "SAFEHUB_TRUST_PROXY: trust_proxy must be true or false"));
  config_free(&c);
}

/* config_set: known names take values, unknown ones are refused by name. */
static void test_config_set(void **state) {
  (void)state;
  struct config c;
  char err[256];
  config_defaults(&c);
  assert_int_equal(config_set(&c, "listen", "[::1]:8443", err, sizeof err), 0);
  assert_string_equal(c.listen, "[::1]:8443");
  assert_int_equal(config_set(&c, "listen", "127.0.0.1:1", err, sizeof err), 0);
  assert_string_equal(c.listen, "127.0.0.1:1");
  assert_int_equal(config_set(&c, "colour", "blue", err, sizeof err), -1);
  assert_string_equal(err, "unknown setting 'colour'");
  assert_int_equal(config_set(&c, "password_min_length", "7", err, sizeof err), -1);
  assert_int_equal(c.password_min_length, 12);
  config_free(&c);
}

/* Roles needing a second factor: whole names only, spaces and empty items tolerated. */
static void test_role_needs_totp(void **state) {
  (void)state;
  struct config c;
  char err[256];
  config_defaults(&c);
  assert_true(config_role_needs_totp(&c, "mash"));
  assert_true(config_role_needs_totp(&c, "manager"));
  assert_true(config_role_needs_totp(&c, "admin"));
  assert_true(config_role_needs_totp(&c, "auditor"));
  assert_false(config_role_needs_totp(&c, "referrer"));
  assert_false(config_role_needs_totp(&c, "social_worker"));
  assert_false(config_role_needs_totp(&c, "man"));
  assert_false(config_role_needs_totp(&c, "managers"));
  assert_false(config_role_needs_totp(&c, "MASH"));
  assert_int_equal(config_set(&c, "totp_roles", " police ,, cse_worker ,", err, sizeof err), 0);
  assert_true(config_role_needs_totp(&c, "police"));
  assert_true(config_role_needs_totp(&c, "cse_worker"));
  assert_false(config_role_needs_totp(&c, "mash"));
  assert_int_equal(config_set(&c, "totp_roles", "", err, sizeof err), 0);
  assert_false(config_role_needs_totp(&c, "admin"));
  /* A misspelt role is refused rather than quietly dropping the second factor. */
  assert_int_equal(config_set(&c, "totp_roles", "mash,managr", err, sizeof err), -1);
  assert_string_equal(err, "totp_roles: 'managr' is not a role");
  assert_string_equal(c.totp_roles, ""); /* the old value stays */
  assert_int_equal(config_set(&c, "totp_roles", "Admin", err, sizeof err), -1);
  char long_item[200];
  memset(long_item, 'a', 150);
  long_item[150] = '\0';
  assert_int_equal(config_set(&c, "totp_roles", long_item, err, sizeof err), -1);
  assert_int_equal(config_set(&c, "totp_roles", "referrer,mash,social_worker,cse_worker,police,analyst,manager,"
                                                "director,strategic,auditor,admin", err, sizeof err), 0);
  config_free(&c);
  /* The same from the environment, named by its variable. */
  config_defaults(&c);
  setenv("SAFEHUB_TOTP_ROLES", "mash director", 1);
  assert_int_equal(config_load_env(&c, err, sizeof err), 0);
  assert_true(config_role_needs_totp(&c, "director"));
  setenv("SAFEHUB_TOTP_ROLES", "mash,directr", 1);
  assert_int_equal(config_load_env(&c, err, sizeof err), -1);
  assert_string_equal(err, "SAFEHUB_TOTP_ROLES: totp_roles: 'directr' is not a role");
  config_free(&c);
}

/* docs/configuration.md (from SAFEHUB_SOURCE_DIR, else the working directory) names every setting. */
static void test_documented(void **state) {
  (void)state;
  const char *src = getenv("SAFEHUB_SOURCE_DIR");
  char path[PATH_MAX];
  tu_path(path, src && *src ? src : ".", "docs/configuration.md");
  FILE *f = fopen(path, "r");
  if (!f) fail_msg("%s: %s (set SAFEHUB_SOURCE_DIR to the source tree)", path, strerror(errno));
  static char doc[1 << 20];
  size_t n = fread(doc, 1, sizeof doc - 1, f);
  fclose(f);
  doc[n] = '\0';
  for (size_t i = 0; i < config_setting_count(); i++) {
    char quoted[96];
    snprintf(quoted, sizeof quoted, "`%s`", config_setting_name(i));
    if (!strstr(doc, quoted)) fail_msg("%s does not document `%s`", path, config_setting_name(i));
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
      cmocka_unit_test_setup_teardown(test_setting_names, setup, teardown),
      cmocka_unit_test_setup_teardown(test_file_parsing, setup, teardown),
      cmocka_unit_test_setup_teardown(test_file_unknown_setting, setup, teardown),
      cmocka_unit_test_setup_teardown(test_file_number_ranges, setup, teardown),
      cmocka_unit_test_setup_teardown(test_file_booleans, setup, teardown),
      cmocka_unit_test_setup_teardown(test_office_hours, setup, teardown),
      cmocka_unit_test_setup_teardown(test_file_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_environment, setup, teardown),
      cmocka_unit_test_setup_teardown(test_config_set, setup, teardown),
      cmocka_unit_test_setup_teardown(test_role_needs_totp, setup, teardown),
      cmocka_unit_test_setup_teardown(test_documented, setup, teardown),
  };
  return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
