/*
** Unit tests for the storage layer, run once on SQLite (a file in a scratch
** directory) and once on PostgreSQL (the server tests/unit/run starts):
** opening, migrations (idempotent, reporting what they applied, refusing a
** changed history), placeholders (the SQLite driver's $N -> ?N rewrite
** leaves string literals alone), the statement cache, constraint errors,
** transactions, the connection pool, online backup, and round trips of
** every named operation for agencies, users, principals, sessions, tokens
** and children (including the version check of updates and the search keys).
*/
#include "testutil.h"

#include <pthread.h>
#include <stdarg.h>
#include <sched.h>
#include <sys/stat.h>
#include <sodium.h>
#include "core/child.h"
#include "store/casework.h"
#include "util/timeutil.h"

/* Setup: a migrated scratch SQLite database per test. */
static int setup(void **state) {
  struct tu_db *t = calloc(1, sizeof *t);
  if (!t) return -1;
  *state = t;
  tu_db_open_kind(t, TU_SQLITE);
  return 0;
}

/* Setup: the PostgreSQL test database, emptied and migrated, per test. */
static int setup_pg(void **state) {
  struct tu_db *t = calloc(1, sizeof *t);
  if (!t) return -1;
  *state = t;
  tu_db_open_kind(t, TU_POSTGRES);
  return 0;
}

/* Teardown: close and remove it. */
static int teardown(void **state) {
  struct tu_db *t = *state;
  if (!t) return 0;
  if (t->db) tu_db_close(t);
  else if (t->dir[0]) tu_rmtree(t->dir);
  free(t);
  return 0;
}

/* The connection of the test's database. */
static struct db *DB(void **state) { return ((struct tu_db *)*state)->db; }

/* Inserts agency CODE with a fresh id into *OUT (may be NULL); returns the store's code. */
static int add_agency(struct db *db, const char *code, const char *type, struct agency *out) {
  struct agency a;
  memset(&a, 0, sizeof a);
  ids_new("ag", a.id, sizeof a.id);
  snprintf(a.code, sizeof a.code, "%s", code);
  snprintf(a.name, sizeof a.name, "Agency %s", code);
  snprintf(a.type, sizeof a.type, "%s", type);
  a.created_at = 1795860000;
  int rc = store_agency_insert(db, &a);
  if (out) *out = a;
  return rc;
}

/* Inserts user USERNAME in AGENCY_ID with ROLE into *OUT; returns the store's code. */
static int add_user(struct db *db, const char *username, const char *agency_id, enum role role, struct user *out) {
  struct user u;
  memset(&u, 0, sizeof u);
  ids_new("us", u.id, sizeof u.id);
  snprintf(u.username, sizeof u.username, "%s", username);
  snprintf(u.name, sizeof u.name, "Name of %s", username);
  snprintf(u.agency_id, sizeof u.agency_id, "%s", agency_id);
  u.role = role;
  snprintf(u.password_hash, sizeof u.password_hash, "$argon2id$v=19$m=65536,t=2,p=1$fake$hash");
  u.created_at = u.updated_at = 1795860000;
  int rc = store_user_insert(db, &u);
  if (out) *out = u;
  return rc;
}

/* A missing file is created only when asked; the error says how to create it. */
static void test_open(void **state) {
  (void)state;
  char dir[PATH_MAX], path[PATH_MAX], err[512] = "";
  struct db *db = NULL;
  tu_mkdtemp(dir);
  tu_path(path, dir, "absent.db");
  assert_int_equal(db_open(path, false, &db, err, sizeof err), -1);
  assert_non_null(strstr(err, "safehub init"));
  struct stat sb;
  assert_int_equal(stat(path, &sb), -1);
  assert_int_equal(db_open(path, true, &db, err, sizeof err), 0);
  assert_int_equal(db_kind(db), DB_SQLITE);
  assert_false(db_in_transaction(db));
  db_close(db);
  assert_int_equal(stat(path, &sb), 0);
  /* Now it exists, opening without create works. */
  assert_int_equal(db_open(path, false, &db, err, sizeof err), 0);
  db_close(db);
  assert_false(db_dsn_is_postgres(path));
  assert_true(db_dsn_is_postgres("postgres://localhost/x"));
  assert_true(db_dsn_is_postgres("postgresql://localhost/x"));
  assert_false(db_dsn_is_postgres("postgres:/x"));
  tu_rmtree(dir);
}

/* Migrating twice applies everything once and then nothing; the version is the latest. */
static void test_migrate_idempotent(void **state) {
  (void)state;
  char dir[PATH_MAX], path[PATH_MAX], err[512] = "";
  struct db *db = NULL;
  tu_mkdtemp(dir);
  tu_path(path, dir, "m.db");
  assert_int_equal(db_open(path, true, &db, err, sizeof err), 0);
  int version = -1, applied = -1;
  assert_int_equal(store_schema_version(db, &version), DB_OK);
  assert_int_equal(version, 0);
  int latest = store_latest_schema_version();
  assert_true(latest >= 1);
  assert_int_equal(store_migrate(db, &applied, err, sizeof err), DB_OK);
  assert_int_equal(applied, latest);
  assert_int_equal(store_schema_version(db, &version), DB_OK);
  assert_int_equal(version, latest);
  assert_int_equal(store_migrate(db, &applied, err, sizeof err), DB_OK);
  assert_int_equal(applied, 0);
  assert_false(db_in_transaction(db));
  /* Still idempotent from a fresh connection. */
  db_close(db);
  assert_int_equal(db_open(path, false, &db, err, sizeof err), 0);
  assert_int_equal(store_migrate(db, &applied, err, sizeof err), DB_OK);
  assert_int_equal(applied, 0);
  /* A database whose recorded history differs from the binary's is refused, naming the migration. */
  tu_exec(db, "UPDATE schema_migrations SET checksum = 'forged' WHERE version = 1");
  memset(err, 'x', sizeof err - 1);
  err[sizeof err - 1] = '\0';
  assert_int_equal(store_migrate(db, &applied, err, sizeof err), DB_ERROR);
  assert_non_null(strstr(err, "differs"));
  assert_non_null(strstr(err, "0001_"));
  assert_false(db_in_transaction(db));
  db_close(db);
  tu_rmtree(dir);
}

/* On a migrated database, migrating again applies nothing; a changed history is refused. */
static void test_migrate_again(void **state) {
  struct db *db = DB(state);
  char err[512];
  int applied = -1, version = -1;
  assert_int_equal(store_migrate(db, &applied, err, sizeof err), DB_OK);
  assert_int_equal(applied, 0);
  assert_int_equal(store_schema_version(db, &version), DB_OK);
  assert_int_equal(version, store_latest_schema_version());
  assert_false(db_in_transaction(db));
  tu_exec(db, "UPDATE schema_migrations SET checksum = 'forged' WHERE version = 1");
  memset(err, 'x', sizeof err - 1);
  err[sizeof err - 1] = '\0';
  assert_int_equal(store_migrate(db, &applied, err, sizeof err), DB_ERROR);
  assert_non_null(strstr(err, "differs"));
  assert_false(db_in_transaction(db));
}

DB_QUERY(Q_LITERALS, "SELECT '$1', CAST($1 AS TEXT), 'it''s $2 and ''$1''', CAST($2 AS TEXT), "
                     "'$' || CAST($1 AS TEXT)");

/* Placeholders become ?N outside string literals only, including after doubled quotes. */
static void test_placeholder_rewrite(void **state) {
  struct db *db = DB(state);
  struct db_stmt *st = db_prepare(db, &Q_LITERALS);
  assert_non_null(st);
  db_bind_text(st, 1, "x");
  db_bind_text(st, 2, "y");
  assert_int_equal(db_step(st), DB_ROW);
  assert_string_equal(db_text(st, 0), "$1");
  assert_string_equal(db_text(st, 1), "x");
  assert_string_equal(db_text(st, 2), "it's $2 and '$1'");
  assert_string_equal(db_text(st, 3), "y");
  assert_string_equal(db_text(st, 4), "$x");
  assert_int_equal(db_step(st), DB_DONE);
  db_reset(st);
}

DB_QUERY(Q_TEN, "SELECT CAST($10 AS TEXT) || CAST($1 AS TEXT) || CAST($2 AS TEXT), CAST($10 AS BIGINT) + 0, "
                "CAST($3 AS BIGINT) + CAST($4 AS BIGINT) + CAST($5 AS BIGINT) + CAST($6 AS BIGINT) + "
                "CAST($7 AS BIGINT) + CAST($8 AS BIGINT) + CAST($9 AS BIGINT)");

/* Two-digit placeholders, reused placeholders, integer and NULL bindings. */
static void test_placeholder_numbers(void **state) {
  struct db *db = DB(state);
  struct db_stmt *st = db_prepare(db, &Q_TEN);
  assert_non_null(st);
  for (int i = 1; i <= 10; i++) db_bind_int(st, i, i * 100);
  assert_int_equal(db_step(st), DB_ROW);
  assert_string_equal(db_text(st, 0), "1000100200");
  assert_int_equal(db_int(st, 1), 1000);
  assert_int_equal(db_int(st, 2), 300 + 400 + 500 + 600 + 700 + 800 + 900);
  db_reset(st);
  /* Bindings are cleared by reset: unbound is NULL. */
  db_bind_int(st, 1, 1);
  assert_int_equal(db_step(st), DB_ROW);
  assert_true(db_null(st, 0));
  assert_null(db_text(st, 0));
  assert_null(db_text_dup(st, 0));
  db_reset(st);
}

/* Many distinct queries grow the cache; each prepares once and comes back as the same statement. */
static void test_statement_cache(void **state) {
  struct db *db = DB(state);
  enum { N = 300 };
  static char sql[N][32];
  static struct db_query qs[N];
  struct db_stmt *first[N];
  for (int i = 0; i < N; i++) {
    snprintf(sql[i], sizeof sql[i], "SELECT %d + $1", i);
    qs[i].sql = sql[i];
    first[i] = db_prepare(db, &qs[i]);
    assert_non_null(first[i]);
  }
  for (int i = 0; i < N; i++) {
    struct db_stmt *st = db_prepare(db, &qs[i]);
    assert_ptr_equal(st, first[i]);
    db_bind_int(st, 1, 1);
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_int(st, 0), i + 1);
    db_reset(st);
  }
}

DB_QUERY(Q_BAD_SQL, "SELEKT nonsense FROM nowhere");

/* Bad SQL fails to prepare with a message; a failing exec reports an error. */
static void test_errors_reported(void **state) {
  struct db *db = DB(state);
  assert_null(db_prepare(db, &Q_BAD_SQL));
  assert_non_null(strstr(db_error(db), "prepare"));
  assert_int_equal(db_exec(db, "INSERT INTO no_such_table VALUES (1)"), DB_ERROR);
  assert_non_null(strstr(db_error(db), "no_such_table"));
  /* The connection is still usable afterwards. */
  tu_exec(db, "SELECT 1");
}

/* Unique, foreign-key and check violations all map to DB_CONSTRAINT. */
static void test_constraints(void **state) {
  struct db *db = DB(state);
  struct agency a;
  assert_int_equal(add_agency(db, "RMBC", "social_care", &a), DB_OK);
  assert_int_equal(add_agency(db, "RMBC", "police", NULL), DB_CONSTRAINT); /* duplicate code */
  assert_int_equal(add_agency(db, "OTHER", "bogus", NULL), DB_CONSTRAINT); /* type not in the list */
  assert_int_equal(add_user(db, "jo", "ag_missing", ROLE_REFERRER, NULL), DB_CONSTRAINT); /* no such agency */
  assert_int_equal(add_user(db, "jo", a.id, ROLE_REFERRER, NULL), DB_OK);
  assert_int_equal(add_user(db, "jo", a.id, ROLE_MASH, NULL), DB_CONSTRAINT); /* duplicate username */
  /* A session with an unknown stage or user is refused. */
  struct session s = {.created_at = 1, .last_seen_at = 1};
  snprintf(s.id_hash, sizeof s.id_hash, "h1");
  snprintf(s.user_id, sizeof s.user_id, "us_nobody");
  snprintf(s.csrf_token, sizeof s.csrf_token, "c");
  snprintf(s.stage, sizeof s.stage, "full");
  assert_int_equal(store_session_insert(db, &s), DB_CONSTRAINT);
}

/* Rolled-back work disappears; committed work survives closing the connection. */
static void test_transactions(void **state) {
  struct tu_db *t = *state;
  struct agency got;
  assert_int_equal(db_rollback(t->db), DB_OK); /* harmless outside a transaction */
  assert_int_equal(db_begin(t->db), DB_OK);
  assert_true(db_in_transaction(t->db));
  assert_int_equal(add_agency(t->db, "GONE", "police", NULL), DB_OK);
  assert_int_equal(store_agency_by_code(t->db, "GONE", &got), DB_ROW);
  assert_int_equal(db_rollback(t->db), DB_OK);
  assert_false(db_in_transaction(t->db));
  assert_int_equal(store_agency_by_code(t->db, "GONE", &got), DB_DONE);

  assert_int_equal(db_begin(t->db), DB_OK);
  assert_int_equal(add_agency(t->db, "KEPT", "health", NULL), DB_OK);
  assert_int_equal(db_commit(t->db), DB_OK);
  assert_false(db_in_transaction(t->db));
  /* A read transaction sees it and can be rolled back. */
  assert_int_equal(db_begin_read(t->db), DB_OK);
  assert_int_equal(store_agency_by_code(t->db, "KEPT", &got), DB_ROW);
  assert_int_equal(db_rollback(t->db), DB_OK);
  db_close(t->db);
  char err[256];
  assert_int_equal(db_open(t->path, false, &t->db, err, sizeof err), 0);
  assert_int_equal(store_agency_by_code(t->db, "KEPT", &got), DB_ROW);
  assert_string_equal(got.type, "health");
  /* After a statement fails inside a transaction, PostgreSQL has aborted the
     whole transaction: COMMIT must report that rather than pretend to save it.
     SQLite undoes only the failed statement and commits the rest. */
  assert_int_equal(db_begin(t->db), DB_OK);
  assert_int_equal(add_agency(t->db, "BEFORE", "health", NULL), DB_OK);
  assert_int_equal(add_agency(t->db, "KEPT", "health", NULL), DB_CONSTRAINT);
  if (t->kind == TU_POSTGRES) {
    assert_true(db_commit(t->db) < 0);
    assert_false(db_in_transaction(t->db));
    assert_int_equal(store_agency_by_code(t->db, "BEFORE", &got), DB_DONE);
  } else {
    assert_int_equal(db_commit(t->db), DB_OK);
    assert_int_equal(store_agency_by_code(t->db, "BEFORE", &got), DB_ROW);
    /* A commit with no transaction open is an error, not a silent success. */
    assert_true(db_commit(t->db) < 0);
  }
}

/* Agencies by code, by id, and listed by name. */
static void test_agencies(void **state) {
  struct db *db = DB(state);
  struct agency a, b, got;
  assert_int_equal(add_agency(db, "ZED", "police", &a), DB_OK);
  assert_int_equal(add_agency(db, "ABC", "education", &b), DB_OK);
  assert_int_equal(store_agency_by_code(db, "ZED", &got), DB_ROW);
  assert_string_equal(got.id, a.id);
  assert_string_equal(got.name, "Agency ZED");
  assert_string_equal(got.type, "police");
  assert_int_equal(got.created_at, 1795860000);
  assert_int_equal(store_agency_by_id(db, b.id, &got), DB_ROW);
  assert_string_equal(got.code, "ABC");
  assert_int_equal(store_agency_by_code(db, "zed", &got), DB_DONE);
  assert_int_equal(store_agency_by_id(db, "ag_none", &got), DB_DONE);
  json_t *list = NULL;
  assert_int_equal(store_agency_list(db, &list), DB_OK);
  assert_int_equal(json_array_size(list), 2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "code")), "ABC");
  assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "code")), "ZED");
  assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "created_at")), "2026-11-28T10:00:00Z");
  json_decref(list);
}

/* Users: every field round-trips; profile, password, lockout and TOTP updates; the list carries no secrets. */
static void test_users(void **state) {
  struct db *db = DB(state);
  struct agency a, a2;
  struct user boss, u, got;
  assert_int_equal(add_agency(db, "RMBC", "social_care", &a), DB_OK);
  assert_int_equal(add_agency(db, "SYP", "police", &a2), DB_OK);
  assert_int_equal(add_user(db, "boss", a.id, ROLE_MANAGER, &boss), DB_OK);
  memset(&u, 0, sizeof u);
  ids_new("us", u.id, sizeof u.id);
  snprintf(u.username, sizeof u.username, "j.smith");
  snprintf(u.name, sizeof u.name, "Jo Sm\xc3\xafth");
  snprintf(u.email, sizeof u.email, "jo@example.org");
  snprintf(u.agency_id, sizeof u.agency_id, "%s", a.id);
  u.role = ROLE_SOCIAL_WORKER;
  snprintf(u.manager_id, sizeof u.manager_id, "%s", boss.id);
  snprintf(u.password_hash, sizeof u.password_hash, "$argon2id$hash");
  snprintf(u.totp_secret, sizeof u.totp_secret, "JBSWY3DPEHPK3PXP");
  u.totp_enabled = true;
  u.totp_last_step = 7;
  u.failed_logins = 2;
  u.locked_until = 1795860100;
  u.disabled = false;
  u.created_at = 1795860000;
  u.updated_at = 1795860001;
  assert_int_equal(store_user_insert(db, &u), DB_OK);
  assert_int_equal(store_user_by_username(db, "j.smith", &got), DB_ROW);
  assert_string_equal(got.id, u.id);
  assert_string_equal(got.name, u.name);
  assert_string_equal(got.email, u.email);
  assert_string_equal(got.agency_id, a.id);
  assert_int_equal(got.role, ROLE_SOCIAL_WORKER);
  assert_string_equal(got.manager_id, boss.id);
  assert_string_equal(got.password_hash, u.password_hash);
  assert_string_equal(got.totp_secret, u.totp_secret);
  assert_true(got.totp_enabled);
  assert_int_equal(got.totp_last_step, 7);
  assert_int_equal(got.failed_logins, 2);
  assert_int_equal(got.locked_until, 1795860100);
  assert_false(got.disabled);
  assert_int_equal(got.created_at, 1795860000);
  assert_int_equal(got.updated_at, 1795860001);
  assert_int_equal(store_user_by_id(db, u.id, &got), DB_ROW);
  assert_string_equal(got.username, "j.smith");
  assert_int_equal(store_user_by_username(db, "J.SMITH", &got), DB_DONE);
  assert_int_equal(store_user_by_id(db, "us_none", &got), DB_DONE);
  /* Empty optional text is stored as NULL and reads back empty. */
  assert_int_equal(store_user_by_username(db, "boss", &got), DB_ROW);
  assert_string_equal(got.email, "");
  assert_string_equal(got.manager_id, "");
  assert_string_equal(got.totp_secret, "");

  /* Profile update. */
  u.role = ROLE_CSE_WORKER;
  snprintf(u.agency_id, sizeof u.agency_id, "%s", a2.id);
  u.email[0] = '\0';
  u.disabled = true;
  u.updated_at = 1795860500;
  assert_int_equal(store_user_update_profile(db, &u), DB_OK);
  assert_int_equal(store_user_by_id(db, u.id, &got), DB_ROW);
  assert_int_equal(got.role, ROLE_CSE_WORKER);
  assert_string_equal(got.agency_id, a2.id);
  assert_string_equal(got.email, "");
  assert_true(got.disabled);
  assert_int_equal(got.updated_at, 1795860500);
  assert_string_equal(got.password_hash, "$argon2id$hash"); /* untouched */

  /* Password, failures, success. */
  assert_int_equal(store_user_set_password(db, u.id, "$argon2id$new", 1795860600), DB_OK);
  assert_int_equal(store_user_login_failed(db, u.id, 5, 1795860660, 1795860601), DB_OK);
  assert_int_equal(store_user_by_id(db, u.id, &got), DB_ROW);
  assert_string_equal(got.password_hash, "$argon2id$new");
  assert_int_equal(got.failed_logins, 5);
  assert_int_equal(got.locked_until, 1795860660);
  assert_int_equal(store_user_login_ok(db, u.id, 1795860700), DB_OK);
  assert_int_equal(store_user_by_id(db, u.id, &got), DB_ROW);
  assert_int_equal(got.failed_logins, 0);
  assert_int_equal(got.locked_until, 0);
  assert_int_equal(got.updated_at, 1795860700);
  /* Already clear: no write, so updated_at stays. */
  assert_int_equal(store_user_login_ok(db, u.id, 1795860800), DB_OK);
  assert_int_equal(store_user_by_id(db, u.id, &got), DB_ROW);
  assert_int_equal(got.updated_at, 1795860700);

  /* TOTP: set resets the last step; a step is used once, and never an older one. */
  assert_int_equal(store_user_set_totp(db, u.id, "NEWSECRET", false, 1795860900), DB_OK);
  assert_int_equal(store_user_by_id(db, u.id, &got), DB_ROW);
  assert_string_equal(got.totp_secret, "NEWSECRET");
  assert_false(got.totp_enabled);
  assert_int_equal(got.totp_last_step, 0);
  assert_int_equal(store_user_totp_used(db, u.id, 100), DB_OK);
  assert_int_equal(store_user_totp_used(db, u.id, 100), DB_DONE);
  assert_int_equal(store_user_totp_used(db, u.id, 99), DB_DONE);
  assert_int_equal(store_user_totp_used(db, u.id, 101), DB_OK);
  assert_int_equal(store_user_totp_used(db, "us_none", 500), DB_DONE);
  assert_int_equal(store_user_set_totp(db, u.id, NULL, false, 1795861000), DB_OK);
  assert_int_equal(store_user_by_id(db, u.id, &got), DB_ROW);
  assert_string_equal(got.totp_secret, "");

  /* The list: ordered by username, agency code and manager username, never a secret. */
  json_t *list = NULL;
  assert_int_equal(store_user_list(db, &list), DB_OK);
  assert_int_equal(json_array_size(list), 2);
  json_t *first = json_array_get(list, 0), *second = json_array_get(list, 1);
  assert_string_equal(json_string_value(json_object_get(first, "username")), "boss");
  assert_string_equal(json_string_value(json_object_get(second, "username")), "j.smith");
  assert_string_equal(json_string_value(json_object_get(second, "agency")), "SYP");
  assert_string_equal(json_string_value(json_object_get(second, "manager")), "boss");
  assert_string_equal(json_string_value(json_object_get(second, "role")), "cse_worker");
  assert_true(json_is_true(json_object_get(second, "disabled")));
  assert_true(json_is_null(json_object_get(first, "manager")));
  char *text = json_dumps(list, 0);
  assert_null(strstr(text, "argon2id"));
  assert_null(strstr(text, "password"));
  assert_null(strstr(text, "totp_secret"));
  free(text);
  json_decref(list);
}

/* The principal of an enabled user, with its agency; a disabled or absent user has none. */
static void test_principal(void **state) {
  struct db *db = DB(state);
  struct agency a;
  struct user u, boss;
  assert_int_equal(add_agency(db, "RMBC", "social_care", &a), DB_OK);
  assert_int_equal(add_user(db, "boss", a.id, ROLE_DIRECTOR, &boss), DB_OK);
  assert_int_equal(add_user(db, "worker", a.id, ROLE_SOCIAL_WORKER, &u), DB_OK);
  snprintf(u.manager_id, sizeof u.manager_id, "%s", boss.id);
  assert_int_equal(store_user_update_profile(db, &u), DB_OK);
  struct principal p;
  memset(&p, 0, sizeof p);
  assert_int_equal(store_principal_for_user(db, u.id, &p), DB_ROW);
  assert_string_equal(p.user_id, u.id);
  assert_string_equal(p.username, "worker");
  assert_int_equal(p.role, ROLE_SOCIAL_WORKER);
  assert_string_equal(p.agency_id, a.id);
  assert_string_equal(p.agency_code, "RMBC");
  assert_string_equal(p.agency_name, "Agency RMBC");
  assert_string_equal(p.manager_id, boss.id);
  u.disabled = true;
  assert_int_equal(store_user_update_profile(db, &u), DB_OK);
  assert_int_equal(store_principal_for_user(db, u.id, &p), DB_DONE);
  assert_int_equal(store_principal_for_user(db, "us_none", &p), DB_DONE);
}

/* Sessions: insert, read, touch, delete one, delete a user's, purge idle and old. */
static void test_sessions(void **state) {
  struct db *db = DB(state);
  struct agency a;
  struct user u, v;
  assert_int_equal(add_agency(db, "RMBC", "social_care", &a), DB_OK);
  assert_int_equal(add_user(db, "u1", a.id, ROLE_MASH, &u), DB_OK);
  assert_int_equal(add_user(db, "u2", a.id, ROLE_MASH, &v), DB_OK);
  static const struct {
    const char *hash, *stage;
    int which;
    int64_t created, seen;
  } rows[] = {
      {"h-fresh", "full", 0, 1000, 5000}, {"h-idle", "totp", 0, 1000, 1500},
      {"h-old", "enrol", 0, 100, 5000},   {"h-other", "full", 1, 1000, 5000},
  };
  for (size_t i = 0; i < TU_COUNT(rows); i++) {
    struct session s;
    memset(&s, 0, sizeof s);
    snprintf(s.id_hash, sizeof s.id_hash, "%s", rows[i].hash);
    snprintf(s.user_id, sizeof s.user_id, "%s", rows[i].which ? v.id : u.id);
    snprintf(s.csrf_token, sizeof s.csrf_token, "csrf-%zu", i);
    snprintf(s.stage, sizeof s.stage, "%s", rows[i].stage);
    s.created_at = rows[i].created;
    s.last_seen_at = rows[i].seen;
    assert_int_equal(store_session_insert(db, &s), DB_OK);
  }
  struct session got;
  assert_int_equal(store_session_get(db, "h-idle", &got), DB_ROW);
  assert_string_equal(got.user_id, u.id);
  assert_string_equal(got.csrf_token, "csrf-1");
  assert_string_equal(got.stage, "totp");
  assert_int_equal(got.created_at, 1000);
  assert_int_equal(got.last_seen_at, 1500);
  assert_int_equal(store_session_get(db, "h-none", &got), DB_DONE);
  assert_int_equal(store_session_touch(db, "h-idle", 1600), DB_OK);
  assert_int_equal(store_session_get(db, "h-idle", &got), DB_ROW);
  assert_int_equal(got.last_seen_at, 1600);
  /* Idle since before 2000 or created before 500: h-idle and h-old go. */
  assert_int_equal(store_session_purge(db, 2000, 500), DB_OK);
  assert_int_equal(store_session_get(db, "h-idle", &got), DB_DONE);
  assert_int_equal(store_session_get(db, "h-old", &got), DB_DONE);
  assert_int_equal(store_session_get(db, "h-fresh", &got), DB_ROW);
  /* Deleting a user's sessions leaves other users' alone. */
  assert_int_equal(store_session_delete_user(db, u.id), DB_OK);
  assert_int_equal(store_session_get(db, "h-fresh", &got), DB_DONE);
  assert_int_equal(store_session_get(db, "h-other", &got), DB_ROW);
  assert_int_equal(store_session_delete(db, "h-other"), DB_OK);
  assert_int_equal(store_session_get(db, "h-other", &got), DB_DONE);
  /* Duplicate hashes are refused. */
  struct session s = {.created_at = 1, .last_seen_at = 1};
  snprintf(s.id_hash, sizeof s.id_hash, "dup");
  snprintf(s.user_id, sizeof s.user_id, "%s", v.id);
  snprintf(s.csrf_token, sizeof s.csrf_token, "c");
  snprintf(s.stage, sizeof s.stage, "full");
  assert_int_equal(store_session_insert(db, &s), DB_OK);
  assert_int_equal(store_session_insert(db, &s), DB_CONSTRAINT);
  snprintf(s.id_hash, sizeof s.id_hash, "bad-stage");
  snprintf(s.stage, sizeof s.stage, "half");
  assert_int_equal(store_session_insert(db, &s), DB_CONSTRAINT);
}

/* Tokens: found by hash only, revoked once, touched, listed without hashes. */
static void test_tokens(void **state) {
  struct db *db = DB(state);
  struct agency a;
  struct user u;
  assert_int_equal(add_agency(db, "RMBC", "social_care", &a), DB_OK);
  assert_int_equal(add_user(db, "partner", a.id, ROLE_POLICE, &u), DB_OK);
  struct api_token t, t2, got;
  memset(&t, 0, sizeof t);
  ids_new("tk", t.id, sizeof t.id);
  snprintf(t.user_id, sizeof t.user_id, "%s", u.id);
  snprintf(t.label, sizeof t.label, "Niche RMS feed");
  t.created_at = 1795860000;
  assert_int_equal(store_token_insert(db, &t, "hash-one"), DB_OK);
  memset(&t2, 0, sizeof t2);
  ids_new("tk", t2.id, sizeof t2.id);
  snprintf(t2.user_id, sizeof t2.user_id, "%s", u.id);
  t2.created_at = 1795860001;
  assert_int_equal(store_token_insert(db, &t2, "hash-two"), DB_OK);
  assert_int_equal(store_token_insert(db, &t2, "hash-three"), DB_CONSTRAINT); /* same id */
  assert_int_equal(store_token_by_hash(db, "hash-one", &got), DB_ROW);
  assert_string_equal(got.id, t.id);
  assert_string_equal(got.user_id, u.id);
  assert_string_equal(got.label, "Niche RMS feed");
  assert_int_equal(got.created_at, 1795860000);
  assert_int_equal(got.revoked_at, 0);
  assert_int_equal(got.last_used_at, 0);
  assert_int_equal(store_token_by_hash(db, "hash-none", &got), DB_DONE);
  assert_int_equal(store_token_by_hash(db, t.id, &got), DB_DONE); /* the id is not the secret */
  assert_int_equal(store_token_touch(db, t.id, 1795860100), DB_OK);
  assert_int_equal(store_token_revoke(db, t.id, 1795860200), DB_OK);
  assert_int_equal(store_token_revoke(db, t.id, 1795860300), DB_DONE); /* already revoked */
  assert_int_equal(store_token_revoke(db, "tk_none", 1795860300), DB_DONE);
  assert_int_equal(store_token_by_hash(db, "hash-one", &got), DB_ROW);
  assert_int_equal(got.revoked_at, 1795860200);
  assert_int_equal(got.last_used_at, 1795860100);
  json_t *list = NULL;
  assert_int_equal(store_token_list(db, &list), DB_OK);
  assert_int_equal(json_array_size(list), 2);
  json_t *first = json_array_get(list, 0), *second = json_array_get(list, 1);
  assert_string_equal(json_string_value(json_object_get(first, "username")), "partner");
  assert_string_equal(json_string_value(json_object_get(first, "revoked_at")), "2026-11-28T10:03:20Z");
  assert_string_equal(json_string_value(json_object_get(first, "last_used_at")), "2026-11-28T10:01:40Z");
  assert_true(json_is_null(json_object_get(second, "revoked_at")));
  assert_true(json_is_null(json_object_get(second, "label")));
  char *text = json_dumps(list, 0);
  assert_null(strstr(text, "hash-"));
  free(text);
  json_decref(list);
}

/* A validated child record for the tests (new reference). */
static json_t *child_record(const char *first, const char *last, const char *dob, const char *postcode) {
  char text[600];
  snprintf(text, sizeof text,
           "{\"first_name\":\"%s\",\"last_name\":\"%s\",\"aliases\":[\"Jo Jo\"],\"date_of_birth\":\"%s\","
           "\"gender\":\"female\",\"ethnicity\":\"WBRI\",\"address\":\"1 High St\",\"postcode\":\"%s\","
           "\"nhs_number\":\"943 476 5919\",\"school\":null,\"looked_after\":true,"
           "\"placement\":{\"type\":\"U4\",\"legal_status\":\"C2\"}}",
           first, last, dob, postcode);
  json_t *c = tu_json(text);
  struct field_errors e;
  ferr_init(&e);
  if (!child_validate(c, false, days_from_civil(2026, 6, 15), &e)) {
    char *why = json_dumps(e.fields, JSON_COMPACT);
    fail_msg("test record invalid: %s", why);
  }
  ferr_free(&e);
  return c;
}

/* Inserts validated record C as a new child, committed; its id into ID. */
static void insert_child(struct db *db, json_t *c, char id[ID_MAX]) {
  ids_new("ch", id, ID_MAX);
  assert_int_equal(db_begin(db), DB_OK);
  assert_int_equal(store_child_insert(db, id, c, "us_creator", 1795860000), DB_OK);
  assert_int_equal(db_commit(db), DB_OK);
}

/* The text form of a record is the compact dump of its object form, byte for byte, whatever the content. */
static void assert_text_matches_object(struct db *db, const char *id) {
  json_t *obj = NULL;
  assert_int_equal(store_child_get(db, id, &obj), DB_ROW);
  char *want = json_dumps(obj, JSON_COMPACT);
  struct buf text = BUF_INIT;
  buf_puts(&text, "prefix:"); /* appended, not overwritten */
  assert_int_equal(store_child_get_text(db, id, &text), DB_ROW);
  assert_memory_equal(text.data, "prefix:", 7);
  assert_string_equal(text.data + 7, want);
  free(want);
  json_decref(obj);
  buf_free(&text);
}

static void test_child_text(void **state) {
  struct db *db = DB(state);
  /* Quotes, backslashes, control characters, non-ASCII letters; aliases; a placement. */
  json_t *c = child_record("Zo\\u00eb \\\"Jo\\\"", "O'Brien\\\\\\t", "2012-03-04", "s60 1ae");
  json_object_set_new(c, "address", json_string("Flat 2\nLine \x01 two \xe2\x80\xa8"));
  char id[ID_MAX];
  insert_child(db, c, id);
  assert_text_matches_object(db, id);
  /* No aliases, no placement, nulls. */
  json_object_set_new(c, "aliases", json_array());
  json_object_set_new(c, "looked_after", json_false());
  json_object_set_new(c, "placement", json_null());
  json_object_set_new(c, "address", json_null());
  assert_int_equal(db_begin(db), DB_OK);
  assert_int_equal(store_child_update(db, id, c, 1, 1795860500), DB_OK);
  assert_int_equal(db_commit(db), DB_OK);
  assert_text_matches_object(db, id);
  /* A record merged into another shows merged_into; an unreadable stored alias list reads as []. */
  /* (merged into itself only because merged_into must name a child that exists) */
  assert_int_equal(db_exec(db, "UPDATE children SET merged_into = id, aliases = 'not json'"), DB_OK);
  assert_text_matches_object(db, id);
  json_t *obj = NULL;
  assert_int_equal(store_child_get(db, id, &obj), DB_ROW);
  assert_string_equal(json_string_value(json_object_get(obj, "merged_into")), id);
  assert_int_equal(json_array_size(json_object_get(obj, "aliases")), 0);
  json_decref(obj);
  struct buf none = BUF_INIT;
  assert_int_equal(store_child_get_text(db, "ch_none", &none), DB_DONE);
  assert_int_equal(none.len, 0);
  buf_free(&none);
  json_decref(c);
}

/* The chronology lists every event, newest first; events at the same second newest recorded first. */
static void test_chronology_order(void **state) {
  struct db *db = DB(state);
  json_t *c = child_record("Amy", "Hart", "2012-03-04", "s60 1ae");
  char id[ID_MAX];
  insert_child(db, c, id);
  assert_int_equal(db_begin(db), DB_OK);
  enum { N = 1200 }; /* more than any page size: nothing is cut off */
  for (int i = 0; i < N; i++) {
    char summary[32];
    snprintf(summary, sizeof summary, "event %d", i);
    struct chron_event e = {.at = i < 20 ? 1795860000 : 1795860000 - i, .type = "note", .summary = summary};
    snprintf(e.child_id, sizeof e.child_id, "%s", id);
    assert_int_equal(store_chronology_add(db, &e, 1795860100), DB_OK);
  }
  assert_int_equal(db_commit(db), DB_OK);
  json_t *list = NULL;
  assert_int_equal(store_chronology_list(db, id, NULL, NULL, &list), DB_OK);
  assert_int_equal(json_array_size(list), N);
  /* Events 0..19 share one second and one recording time: the last recorded comes first. */
  for (int i = 0; i < 20; i++) {
    char want[32];
    snprintf(want, sizeof want, "event %d", 19 - i);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, (size_t)i), "summary")), want);
  }
  assert_string_equal(json_string_value(json_object_get(json_array_get(list, N - 1), "summary")), "event 1199");
  json_decref(list);
  json_decref(c);
}

/* Children: insert and read back every field; update with the version check; count. */
static void test_children(void **state) {
  struct db *db = DB(state);
  json_t *c = child_record("Zo\\u00eb", "O'Brien", "2012-03-04", "s60 1ae");
  char id[ID_MAX];
  insert_child(db, c, id);
  json_t *got = NULL;
  assert_int_equal(store_child_get(db, id, &got), DB_ROW);
  assert_string_equal(json_string_value(json_object_get(got, "id")), id);
  assert_string_equal(json_string_value(json_object_get(got, "first_name")), "Zo\xc3\xab");
  assert_string_equal(json_string_value(json_object_get(got, "last_name")), "O'Brien");
  assert_string_equal(json_string_value(json_object_get(got, "postcode")), "S60 1AE");
  assert_string_equal(json_string_value(json_object_get(got, "nhs_number")), "9434765919");
  assert_string_equal(json_string_value(json_object_get(got, "date_of_birth")), "2012-03-04");
  assert_string_equal(json_string_value(json_object_get(got, "ethnicity")), "WBRI");
  assert_string_equal(json_string_value(json_object_get(got, "gender")), "female");
  assert_true(json_is_null(json_object_get(got, "school")));
  assert_true(json_is_true(json_object_get(got, "looked_after")));
  assert_string_equal(json_string_value(json_array_get(json_object_get(got, "aliases"), 0)), "Jo Jo");
  assert_string_equal(json_string_value(json_object_get(json_object_get(got, "placement"), "type")), "U4");
  assert_string_equal(json_string_value(json_object_get(got, "created_at")), "2026-11-28T10:00:00Z");
  assert_string_equal(json_string_value(json_object_get(got, "updated_at")), "2026-11-28T10:00:00Z");
  assert_int_equal(json_integer_value(json_object_get(got, "version")), 1);
  json_decref(got);
  assert_int_equal(store_child_get(db, "ch_none", &got), DB_DONE);
  assert_int_equal(store_child_insert(db, id, c, "us_creator", 1795860000), DB_CONSTRAINT);

  /* Update at version 1 succeeds and moves to 2; a second writer still at 1 gets DB_DONE and changes nothing. */
  json_object_set_new(c, "school", json_string("Oakwood"));
  json_object_set_new(c, "looked_after", json_false());
  json_object_set_new(c, "placement", json_null());
  assert_int_equal(db_begin(db), DB_OK);
  assert_int_equal(store_child_update(db, id, c, 1, 1795860500), DB_OK);
  assert_int_equal(db_commit(db), DB_OK);
  json_object_set_new(c, "school", json_string("Stale School"));
  assert_int_equal(db_begin(db), DB_OK);
  assert_int_equal(store_child_update(db, id, c, 1, 1795860600), DB_DONE);
  assert_int_equal(db_rollback(db), DB_OK);
  assert_int_equal(store_child_update(db, "ch_none", c, 1, 1795860600), DB_DONE);
  assert_int_equal(store_child_get(db, id, &got), DB_ROW);
  assert_string_equal(json_string_value(json_object_get(got, "school")), "Oakwood");
  assert_false(json_is_true(json_object_get(got, "looked_after")));
  assert_true(json_is_null(json_object_get(got, "placement")));
  assert_int_equal(json_integer_value(json_object_get(got, "version")), 2);
  assert_string_equal(json_string_value(json_object_get(got, "created_at")), "2026-11-28T10:00:00Z");
  assert_string_equal(json_string_value(json_object_get(got, "updated_at")), "2026-11-28T10:08:20Z");
  json_decref(got);
  int64_t n = -1;
  assert_int_equal(store_child_count(db, &n), DB_OK);
  assert_int_equal(n, 1);
  json_decref(c);
}

static int cmp_ids(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/*
** Looks up KIND = LO (or LO <= key < HI) as a one-term search and returns how
** many children match; ids to *IDS in id order (freed by caller).
*/
static int search(struct db *db, const char *kind, const char *lo, const char *hi, int limit, char ***ids) {
  struct search_term t;
  memset(&t, 0, sizeof t);
  snprintf(t.kind, sizeof t.kind, "%s", kind);
  snprintf(t.lo, sizeof t.lo, "%s", lo);
  if (hi) snprintf(t.hi, sizeof t.hi, "%s", hi);
  else snprintf(t.hi, sizeof t.hi, "%s0", lo);
  int n = -1;
  assert_int_equal(store_child_search(db, &t, 1, NULL, limit, ids, &n), DB_OK);
  qsort(*ids, (size_t)n, sizeof **ids, cmp_ids);
  return n;
}

/* Collects the candidates' ids (and checks each row carries its names) for test_match_candidates. */
struct cand_ids {
  char ids[8][ID_MAX];
  int n;
};
static void collect_candidate(void *ctx, const char *const cols[10]) {
  struct cand_ids *c = ctx;
  assert_non_null(cols[1]);
  assert_non_null(cols[2]);
  assert_null(cols[8]); /* none of these was merged */
  assert_true(atoi(cols[9]) > 0);  /* the summed weight */
  if (c->n < 8) snprintf(c->ids[c->n++], ID_MAX, "%s", cols[0]);
}

/* Candidates for matching: every child holding any key, ranked by how many of the keys it holds. */
static void test_match_candidates(void **state) {
  struct db *db = DB(state);
  char ids[3][ID_MAX];
  json_t *c[3] = {child_record("Amy", "Jones", "2012-03-04", "S1 2HH"),
                  child_record("Amy", "Jones", "2012-04-03", "S60 1AE"),
                  child_record("Zack", "Smithson", "2012-03-04", "S60 2AB")};
  assert_int_equal(db_begin(db), DB_OK);
  for (int i = 0; i < 3; i++) {
    ids_new("ch", ids[i], ID_MAX);
    assert_int_equal(store_child_insert(db, ids[i], c[i], "us_x", 1795860000 + i), DB_OK);
  }
  assert_int_equal(db_commit(db), DB_OK);
  /* The person: Amy Jones born 2012-03-04 in S1 2HH, keyed as people/match keys her. */
  struct search_key keys[STORE_CANDIDATE_KEYS];
  int nk = child_match_keys("Amy", "Jones", "2012-03-04", "S1 2HH", keys, 0, STORE_CANDIDATE_KEYS);
  assert_true(nk >= 3);
  snprintf(keys[nk].kind, sizeof keys[nk].kind, "d");
  snprintf(keys[nk].key, sizeof keys[nk].key, "2012-03-04");
  nk++;
  int weights[STORE_CANDIDATE_KEYS];
  for (int i = 0; i < nk; i++) weights[i] = 1;
  /* All three share a key; the first holds every one, the second the name keys, the third only the date. */
  struct cand_ids got = {.n = 0};
  assert_int_equal(store_child_candidates(db, keys, weights, nk, 10, collect_candidate, &got), DB_OK);
  assert_int_equal(got.n, 3);
  assert_string_equal(got.ids[0], ids[0]);
  assert_string_equal(got.ids[1], ids[1]);
  assert_string_equal(got.ids[2], ids[2]);
  /* The limit keeps the best. */
  got.n = 0;
  assert_int_equal(store_child_candidates(db, keys, weights, nk, 1, collect_candidate, &got), DB_OK);
  assert_int_equal(got.n, 1);
  assert_string_equal(got.ids[0], ids[0]);
  /* Weights rank: the date alone weighing more than every name key together puts the third child second. */
  for (int i = 0; i < nk - 1; i++) weights[i] = 1;
  weights[nk - 1] = 10;
  got.n = 0;
  assert_int_equal(store_child_candidates(db, keys, weights, nk, 10, collect_candidate, &got), DB_OK);
  assert_int_equal(got.n, 3);
  assert_string_equal(got.ids[0], ids[0]);
  assert_string_equal(got.ids[1], ids[2]);
  assert_string_equal(got.ids[2], ids[1]);
  /* No key at all finds nobody. */
  got.n = 0;
  assert_int_equal(store_child_candidates(db, keys, weights, 0, 10, collect_candidate, &got), DB_OK);
  assert_int_equal(got.n, 0);
  for (int i = 0; i < 3; i++) json_decref(c[i]);
}

/* Search keys by equality and by range (prefix), with limits, kept in step with updates. */
static void test_search_keys(void **state) {
  struct db *db = DB(state);
  char ids[3][ID_MAX];
  json_t *c[3] = {child_record("Zo\\u00eb", "Smith", "2012-03-04", "S60 1AE"),
                  child_record("Zack", "Smithson", "2013-05-06", "S60 2AB"),
                  child_record("Amy", "Jones", "2012-03-04", "S1 2HH")};
  assert_int_equal(db_begin(db), DB_OK);
  for (int i = 0; i < 3; i++) {
    ids_new("ch", ids[i], ID_MAX);
    assert_int_equal(store_child_insert(db, ids[i], c[i], "us_x", 1795860000 + i), DB_OK);
  }
  assert_int_equal(db_commit(db), DB_OK);
  char **found = NULL;
  /* Equality. */
  assert_int_equal(search(db, "n", "zoe", NULL, 10, &found), 1);
  assert_string_equal(found[0], ids[0]);
  store_free_ids(found, 1);
  assert_int_equal(search(db, "n", "smith", NULL, 10, &found), 1);
  store_free_ids(found, 1);
  assert_int_equal(search(db, "d", "2012-03-04", NULL, 10, &found), 2);
  assert_true(strcmp(found[0], found[1]) < 0); /* in id order */
  store_free_ids(found, 2);
  assert_int_equal(search(db, "p", "s601ae", NULL, 10, &found), 1);
  assert_string_equal(found[0], ids[0]);
  store_free_ids(found, 1);
  /* Every child shares the NHS number used in the fixture. */
  assert_int_equal(search(db, "h", "9434765919", NULL, 10, &found), 3);
  store_free_ids(found, 3);
  /* The kind matters: a name key is not a postcode key. */
  assert_int_equal(search(db, "p", "zoe", NULL, 10, &found), 0);
  store_free_ids(found, 0);
  /* Range: prefix "smith" finds Smith and Smithson; "s60" postcode district finds two. */
  assert_int_equal(search(db, "n", "smith", "smiti", 10, &found), 2);
  store_free_ids(found, 2);
  assert_int_equal(search(db, "p", "s60", "s61", 10, &found), 2);
  store_free_ids(found, 2);
  assert_int_equal(search(db, "n", "z", "{", 10, &found), 2); /* zoe, zack */
  store_free_ids(found, 2);
  /* Terms intersect in the query: surname prefix "smith" and the date of birth leave only Zoë. */
  struct search_term both[2] = {{"d", "2012-03-04", "2012-03-040"}, {"n", "smith", "smiti"}};
  int nboth = -1;
  assert_int_equal(store_child_search(db, both, 2, NULL, 10, &found, &nboth), DB_OK);
  assert_int_equal(nboth, 1);
  assert_string_equal(found[0], ids[0]);
  store_free_ids(found, nboth);
  /* An agency that is involved with nobody sees nothing. */
  assert_int_equal(store_child_search(db, both, 2, "ag_nobody", 10, &found, &nboth), DB_OK);
  assert_int_equal(nboth, 0);
  store_free_ids(found, nboth);
  /* A limit bounds the answer. */
  assert_int_equal(search(db, "h", "9434765919", NULL, 2, &found), 2);
  store_free_ids(found, 2);
  /* Keys follow an update: the old name no longer finds the child, the new one does. */
  json_object_set_new(c[0], "first_name", json_string("Chloe"));
  assert_int_equal(db_begin(db), DB_OK);
  assert_int_equal(store_child_update(db, ids[0], c[0], 1, 1795861000), DB_OK);
  assert_int_equal(db_commit(db), DB_OK);
  assert_int_equal(search(db, "n", "zoe", NULL, 10, &found), 0);
  store_free_ids(found, 0);
  assert_int_equal(search(db, "n", "chloe", NULL, 10, &found), 1);
  assert_string_equal(found[0], ids[0]);
  store_free_ids(found, 1);
  for (int i = 0; i < 3; i++) json_decref(c[i]);
}

DB_QUERY(Q_KEY_COUNT, "SELECT COUNT(*) FROM child_search WHERE child_id = $1");
DB_QUERY(Q_CHILD_STAMP, "SELECT version, updated_at, keys_scheme FROM children WHERE id = $1");

static int64_t key_count(struct db *db, const char *id) {
  struct db_stmt *st = db_prepare(db, &Q_KEY_COUNT);
  assert_non_null(st);
  db_bind_text(st, 1, id);
  assert_int_equal(db_step(st), DB_ROW);
  int64_t n = db_int(st, 0);
  db_reset(st);
  return n;
}

/* Version, updated_at and keys_scheme of child ID, in that order. */
static void child_stamp(struct db *db, const char *id, int64_t out[3]) {
  struct db_stmt *st = db_prepare(db, &Q_CHILD_STAMP);
  assert_non_null(st);
  db_bind_text(st, 1, id);
  assert_int_equal(db_step(st), DB_ROW);
  for (int i = 0; i < 3; i++) out[i] = db_int(st, i);
  db_reset(st);
}

__attribute__((format(printf, 2, 3))) static void exec_fmt(struct db *db, const char *fmt, ...) {
  char sql[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sql, sizeof sql, fmt, ap);
  va_end(ap);
  assert_int_equal(db_exec(db, sql), DB_OK);
}

/*
** Children whose search keys follow an earlier scheme are counted and rebuilt
** in id order, batch by batch, without touching the record; children merged
** away stay out of search.
*/
static void test_search_keys_rebuild(void **state) {
  struct db *db = DB(state);
  json_t *c[3] = {child_record("Amy", "Hart", "2012-03-04", "S60 1AE"), child_record("Ben", "Cole", "2011-01-02", "S1 2HH"),
                  child_record("Cara", "Dunn", "2013-05-06", "S60 2AB")};
  char ids[3][ID_MAX];
  int64_t want[3];
  for (int i = 0; i < 3; i++) {
    insert_child(db, c[i], ids[i]);
    struct search_key keys[64];
    want[i] = child_search_keys(c[i], keys, 64);
    assert_true(want[i] > 4);
    assert_int_equal(key_count(db, ids[i]), want[i]);
  }
  int64_t stale = -1;
  assert_int_equal(store_child_keys_stale(db, CHILD_KEYS_SCHEME, &stale), DB_OK);
  assert_int_equal(stale, 0);
  /* As an earlier release would have left them: no linkage keys, an older scheme; the third merged away. */
  assert_int_equal(db_exec(db, "UPDATE children SET keys_scheme = 0"), DB_OK);
  assert_int_equal(db_exec(db, "DELETE FROM child_search WHERE kind IN ('s', 'f', 'g', 't')"), DB_OK);
  exec_fmt(db, "DELETE FROM child_search WHERE child_id = '%s'", ids[2]);
  exec_fmt(db, "UPDATE children SET merged_into = '%s' WHERE id = '%s'", ids[0], ids[2]);
  int64_t before[2][3];
  for (int i = 0; i < 2; i++) {
    assert_true(key_count(db, ids[i]) < want[i]);
    child_stamp(db, ids[i], before[i]);
  }
  assert_int_equal(store_child_keys_stale(db, CHILD_KEYS_SCHEME, &stale), DB_OK);
  assert_int_equal(stale, 2);
  /* One at a time, in id order. */
  int first = strcmp(ids[0], ids[1]) < 0 ? 0 : 1;
  char last[ID_MAX] = "";
  int n = -1;
  assert_int_equal(db_begin(db), DB_OK);
  assert_int_equal(store_child_rekey(db, CHILD_KEYS_SCHEME, "", 1, last, sizeof last, &n), DB_OK);
  assert_int_equal(db_commit(db), DB_OK);
  assert_int_equal(n, 1);
  assert_string_equal(last, ids[first]);
  assert_int_equal(key_count(db, ids[first]), want[first]);
  assert_true(key_count(db, ids[1 - first]) < want[1 - first]);
  assert_int_equal(store_child_keys_stale(db, CHILD_KEYS_SCHEME, &stale), DB_OK);
  assert_int_equal(stale, 1);
  char after[ID_MAX];
  snprintf(after, sizeof after, "%s", last);
  assert_int_equal(db_begin(db), DB_OK);
  assert_int_equal(store_child_rekey(db, CHILD_KEYS_SCHEME, after, 10, last, sizeof last, &n), DB_OK);
  assert_int_equal(db_commit(db), DB_OK);
  assert_int_equal(n, 1);
  assert_string_equal(last, ids[1 - first]);
  /* The records are as they were; only the scheme moved on. */
  for (int i = 0; i < 2; i++) {
    assert_int_equal(key_count(db, ids[i]), want[i]);
    int64_t now[3];
    child_stamp(db, ids[i], now);
    assert_int_equal(now[0], before[i][0]);
    assert_int_equal(now[1], before[i][1]);
    assert_int_equal(now[2], CHILD_KEYS_SCHEME);
  }
  /* Nothing left, from the start either; the merged record stays out of search. */
  assert_int_equal(db_begin(db), DB_OK);
  assert_int_equal(store_child_rekey(db, CHILD_KEYS_SCHEME, "", 10, last, sizeof last, &n), DB_OK);
  assert_int_equal(db_commit(db), DB_OK);
  assert_int_equal(n, 0);
  assert_int_equal(key_count(db, ids[2]), 0);
  assert_int_equal(store_child_keys_stale(db, CHILD_KEYS_SCHEME, &stale), DB_OK);
  assert_int_equal(stale, 0);
  /* Keys from a later release are not this one's either. */
  exec_fmt(db, "UPDATE children SET keys_scheme = keys_scheme + 1 WHERE id = '%s'", ids[0]);
  assert_int_equal(store_child_keys_stale(db, CHILD_KEYS_SCHEME, &stale), DB_OK);
  assert_int_equal(stale, 1);
  for (int i = 0; i < 3; i++) json_decref(c[i]);
}

/* Involvement of agencies with children: recorded once, queried per agency. */
static void test_involvement(void **state) {
  struct db *db = DB(state);
  struct agency a, b;
  assert_int_equal(add_agency(db, "RMBC", "social_care", &a), DB_OK);
  assert_int_equal(add_agency(db, "SYP", "police", &b), DB_OK);
  json_t *c = child_record("Amy", "Jones", "2012-03-04", "S1 2HH");
  char id[ID_MAX];
  ids_new("ch", id, sizeof id);
  assert_int_equal(store_child_insert(db, id, c, "us_x", 1), DB_OK);
  bool yes = true;
  assert_int_equal(store_child_involved(db, id, a.id, &yes), DB_OK);
  assert_false(yes);
  assert_int_equal(store_child_involve(db, id, a.id, "recorded the child", 2), DB_OK);
  assert_int_equal(store_child_involve(db, id, a.id, "again", 3), DB_OK); /* kept, no error */
  assert_int_equal(store_child_involved(db, id, a.id, &yes), DB_OK);
  assert_true(yes);
  assert_int_equal(store_child_involved(db, id, b.id, &yes), DB_OK);
  assert_false(yes);
  /* Only real children and agencies can be involved. */
  assert_int_equal(store_child_involve(db, "ch_none", a.id, "x", 4), DB_CONSTRAINT);
  assert_int_equal(store_child_involve(db, id, "ag_none", "x", 4), DB_CONSTRAINT);
  json_decref(c);
}

/* An online backup is a complete, self-contained database (a pg_dump archive on PostgreSQL). */
static void test_backup(void **state) {
  struct tu_db *t = *state;
  assert_int_equal(add_agency(t->db, "RMBC", "social_care", NULL), DB_OK);
  char path[PATH_MAX], err[256] = "";
  tu_path(path, t->dir, "backup.db");
  assert_int_equal(db_backup(t->db, path, err, sizeof err), DB_OK);
  char tmp[PATH_MAX + 8];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  struct stat sb;
  assert_int_equal(stat(tmp, &sb), -1); /* nothing half-written left behind */
  if (t->kind == TU_POSTGRES) {
    /* pg_dump's custom format starts with its magic. */
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char magic[5];
    assert_int_equal(fread(magic, 1, 5, f), 5);
    fclose(f);
    assert_memory_equal(magic, "PGDMP", 5);
    tu_path(path, t->dir, "no/such/dir/backup.dump");
    assert_int_equal(db_backup(t->db, path, err, sizeof err), DB_ERROR);
    assert_non_null(strstr(err, "pg_dump"));
    return;
  }
  struct db *copy = NULL;
  assert_int_equal(db_open(path, false, &copy, err, sizeof err), 0);
  struct agency got;
  assert_int_equal(store_agency_by_code(copy, "RMBC", &got), DB_ROW);
  int version = 0;
  assert_int_equal(store_schema_version(copy, &version), DB_OK);
  assert_int_equal(version, store_latest_schema_version());
  db_close(copy);
  /* A backup into a directory that does not exist fails with a message. */
  tu_path(path, t->dir, "no/such/dir/backup.db");
  assert_int_equal(db_backup(t->db, path, err, sizeof err), DB_ERROR);
  assert_true(strlen(err) > 0);
}

/* What a thread waiting on the pool is given and reports back. */
struct pool_wait {
  struct db_pool *pool;
  struct db *got;
};

/* Thread body: takes a connection (waiting if none is free). */
static void *pool_taker(void *arg) {
  struct pool_wait *w = arg;
  w->got = db_pool_get(w->pool);
  return NULL;
}

/* The pool: lazily opened connections up to its size, waiters served on return, transactions rolled back. */
static void test_pool(void **state) {
  struct tu_db *t = *state;
  char err[256];
  struct db_pool *pool = NULL;
  assert_int_equal(db_pool_new(t->path, 2, &pool, err, sizeof err), 0);
  int size, in_use;
  uint64_t waits, acquired;
  struct db *a = db_pool_get(pool), *b = db_pool_get(pool);
  assert_non_null(a);
  assert_non_null(b);
  assert_ptr_not_equal(a, b);
  db_pool_stats(pool, &size, &in_use, &waits, &acquired);
  assert_int_equal(size, 2);
  assert_int_equal(in_use, 2);
  assert_int_equal(waits, 0);
  /* A third taker waits until one comes back. */
  pthread_t th;
  struct pool_wait w = {.pool = pool, .got = NULL};
  assert_int_equal(pthread_create(&th, NULL, pool_taker, &w), 0);
  do {
    sched_yield();
    db_pool_stats(pool, &size, &in_use, &waits, &acquired);
  } while (waits == 0);
  /* Handed back inside a transaction: the half-done work is rolled back. */
  assert_int_equal(db_begin(a), DB_OK);
  assert_int_equal(add_agency(a, "HALF", "police", NULL), DB_OK);
  db_pool_put(pool, a);
  pthread_join(th, NULL);
  assert_ptr_equal(w.got, a);
  assert_false(db_in_transaction(w.got));
  struct agency got;
  assert_int_equal(store_agency_by_code(w.got, "HALF", &got), DB_DONE);
  db_pool_stats(pool, &size, &in_use, &waits, &acquired);
  assert_int_equal(in_use, 2);
  assert_int_equal(waits, 1);
  assert_int_equal(acquired, 3);
  db_pool_put(pool, w.got);
  db_pool_put(pool, b);
  db_pool_put(pool, NULL); /* harmless */
  db_pool_stats(pool, &size, &in_use, &waits, &acquired);
  assert_int_equal(in_use, 0);
  db_pool_free(pool);
}

/* The tests that run the same on both engines, each with SETUP's database. */
#define PORTABLE_TESTS(setup)                                                   \
  cmocka_unit_test_setup_teardown(test_migrate_again, setup, teardown),         \
  cmocka_unit_test_setup_teardown(test_placeholder_rewrite, setup, teardown),   \
  cmocka_unit_test_setup_teardown(test_placeholder_numbers, setup, teardown),   \
  cmocka_unit_test_setup_teardown(test_statement_cache, setup, teardown),       \
  cmocka_unit_test_setup_teardown(test_errors_reported, setup, teardown),       \
  cmocka_unit_test_setup_teardown(test_constraints, setup, teardown),           \
  cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),          \
  cmocka_unit_test_setup_teardown(test_agencies, setup, teardown),              \
  cmocka_unit_test_setup_teardown(test_users, setup, teardown),                 \
  cmocka_unit_test_setup_teardown(test_principal, setup, teardown),             \
  cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),              \
  cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),                \
  cmocka_unit_test_setup_teardown(test_children, setup, teardown),              \
  cmocka_unit_test_setup_teardown(test_child_text, setup, teardown),            \
  cmocka_unit_test_setup_teardown(test_chronology_order, setup, teardown),      \
  cmocka_unit_test_setup_teardown(test_search_keys, setup, teardown),           \
  cmocka_unit_test_setup_teardown(test_search_keys_rebuild, setup, teardown),   \
  cmocka_unit_test_setup_teardown(test_match_candidates, setup, teardown),      \
  cmocka_unit_test_setup_teardown(test_involvement, setup, teardown),           \
  cmocka_unit_test_setup_teardown(test_pool, setup, teardown),                  \
  cmocka_unit_test_setup_teardown(test_backup, setup, teardown)

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest sqlite[] = {
      cmocka_unit_test(test_open),
      cmocka_unit_test(test_migrate_idempotent),
      PORTABLE_TESTS(setup),
  };
  const struct CMUnitTest postgres[] = {
      PORTABLE_TESTS(setup_pg),
  };
  int failed = cmocka_run_group_tests_name("store-sqlite", sqlite, NULL, NULL);
  failed += cmocka_run_group_tests_name("store-postgres", postgres, NULL, NULL);
  return failed;
}
