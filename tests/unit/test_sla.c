/*
** Tests of escalation on the statutory clock: the pure level arithmetic
** (core/escalation.c) and one evaluation pass (jobs/sla.c) over deadlines in
** a real database, SQLite and PostgreSQL: who each level goes to, working
** time across weekends, the end of the chain at the director, idempotence,
** notifications and the e-mail outbox.
*/
#include "testutil.h"
#include <string.h>
#include <sodium.h>
#include "config/config.h"
#include "core/escalation.h"
#include "jobs/sla.h"
#include "store/casework.h"
#include "store/store.h"
#include "util/timeutil.h"

/* 2026-11-30 is a Monday. */
#define MON_0900 1796029200LL
#define HOUR 3600LL

static int64_t at(const char *iso) {
  int64_t t;
  assert_true(time_parse_iso(iso, &t));
  return t;
}

/* The level rises once at the due time, then every interval of working time, capped. */
static void test_levels(void **state) {
  (void)state;
  struct calendar cal;
  calendar_init(&cal, 9 * 60, 17 * 60);
  int64_t due = at("2026-11-30T10:00:00Z");
  assert_int_equal(escalation_level(&cal, due, due - 1, 240, 3), 0);
  assert_int_equal(escalation_level(&cal, due, due, 240, 3), 1);
  assert_int_equal(escalation_level(&cal, due, at("2026-11-30T13:59:59Z"), 240, 3), 1);
  assert_int_equal(escalation_level(&cal, due, at("2026-11-30T14:00:00Z"), 240, 3), 2);
  assert_int_equal(escalation_level(&cal, due, at("2026-12-01T11:00:00Z"), 240, 3), 3);
  assert_int_equal(escalation_level(&cal, due, at("2027-06-01T11:00:00Z"), 240, 3), 3); /* capped */
  assert_int_equal(escalation_level(&cal, due, at("2027-06-01T11:00:00Z"), 240, 0), 0); /* no chain */
  /* Friday 16:00 due: one hour on Friday and three on Monday make the next step at Monday 12:00. */
  int64_t fri = at("2026-12-04T16:00:00Z");
  assert_int_equal(escalation_level(&cal, fri, at("2026-12-05T12:00:00Z"), 240, 5), 1);
  assert_int_equal(escalation_level(&cal, fri, at("2026-12-07T11:59:00Z"), 240, 5), 1);
  assert_int_equal(escalation_level(&cal, fri, at("2026-12-07T12:00:00Z"), 240, 5), 2);
  assert_true(escalation_level_at(&cal, fri, 2, 240) == at("2026-12-07T12:00:00Z"));
  assert_true(escalation_level_at(&cal, fri, 1, 240) == fri);
  /* A bank holiday on the Monday moves the step to Tuesday. */
  calendar_add_holiday(&cal, days_from_civil(2026, 12, 7));
  assert_int_equal(escalation_level(&cal, fri, at("2026-12-07T15:00:00Z"), 240, 5), 1);
  assert_int_equal(escalation_level(&cal, fri, at("2026-12-08T12:00:00Z"), 240, 5), 2);
  calendar_free(&cal);
}

static int setup(void **state) {
  struct tu_db *t = calloc(1, sizeof *t);
  *state = t;
  tu_db_open_kind(t, TU_SQLITE);
  return 0;
}

static int setup_pg(void **state) {
  struct tu_db *t = calloc(1, sizeof *t);
  *state = t;
  tu_db_open_kind(t, TU_POSTGRES);
  return 0;
}

static int teardown(void **state) {
  struct tu_db *t = *state;
  if (t->db) tu_db_close(t);
  free(t);
  return 0;
}

struct org {
  struct agency agency;
  struct user director, manager, worker, mash, retired;
};

static void add_user(struct db *db, struct user *u, const char *username, enum role role, const char *agency_id,
                     const char *manager_id, const char *email) {
  memset(u, 0, sizeof *u);
  ids_new("us", u->id, sizeof u->id);
  snprintf(u->username, sizeof u->username, "%s", username);
  snprintf(u->name, sizeof u->name, "User %s", username);
  snprintf(u->email, sizeof u->email, "%s", email ? email : "");
  snprintf(u->agency_id, sizeof u->agency_id, "%s", agency_id);
  u->role = role;
  snprintf(u->manager_id, sizeof u->manager_id, "%s", manager_id ? manager_id : "");
  snprintf(u->password_hash, sizeof u->password_hash, "$argon2id$not-a-real-hash");
  u->created_at = u->updated_at = MON_0900;
  assert_int_equal(store_user_insert(db, u), DB_OK);
}

/* Director <- manager <- worker, and a MASH worker under the manager. */
static void make_org(struct db *db, struct org *o) {
  memset(o, 0, sizeof *o);
  ids_new("ag", o->agency.id, sizeof o->agency.id);
  snprintf(o->agency.code, sizeof o->agency.code, "CSC");
  snprintf(o->agency.name, sizeof o->agency.name, "Children's Social Care");
  snprintf(o->agency.type, sizeof o->agency.type, "social_care");
  assert_int_equal(store_agency_insert(db, &o->agency), DB_OK);
  add_user(db, &o->director, "dir", ROLE_DIRECTOR, o->agency.id, NULL, "dir@example.org");
  add_user(db, &o->manager, "mgr", ROLE_MANAGER, o->agency.id, o->director.id, "mgr@example.org");
  add_user(db, &o->worker, "sw", ROLE_SOCIAL_WORKER, o->agency.id, o->manager.id, NULL);
  add_user(db, &o->mash, "mash", ROLE_MASH, o->agency.id, o->manager.id, NULL);
}

static void open_deadline(struct db *db, const char *item_id, const char *owner_id, int64_t due) {
  struct deadline d;
  memset(&d, 0, sizeof d);
  ids_new("dl", d.id, sizeof d.id);
  snprintf(d.item_type, sizeof d.item_type, "referral");
  snprintf(d.item_id, sizeof d.item_id, "%s", item_id);
  snprintf(d.kind, sizeof d.kind, "decision");
  snprintf(d.title, sizeof d.title, "Referral %s: decision", item_id);
  snprintf(d.link, sizeof d.link, "/referrals/%s", item_id);
  snprintf(d.owner_id, sizeof d.owner_id, "%s", owner_id ? owner_id : "");
  d.due_at = due;
  d.created_at = due - HOUR;
  assert_int_equal(store_deadline_open(db, &d), DB_OK);
}

DB_QUERY(Q_ESCALATIONS, "SELECT COUNT(*) FROM escalations");
DB_QUERY(Q_NOTIFICATIONS, "SELECT COUNT(*) FROM notifications");
DB_QUERY(Q_ESCALATE_AUDIT, "SELECT COUNT(*) FROM audit_log WHERE action = 'deadline.escalate'");
DB_QUERY(Q_OUTBOX, "SELECT COUNT(*) FROM email_outbox");

/* The single number query Q answers (statements are cached by the query's address, so Q is static). */
static int64_t count(struct db *db, const struct db_query *q) {
  struct db_stmt *st = db_prepare(db, q);
  assert_non_null(st);
  assert_int_equal(db_step(st), DB_ROW);
  int64_t n = db_int(st, 0);
  db_reset(st);
  return n;
}

static struct sla_result run(struct db *db, struct config *cfg, const char *iso) {
  struct sla_result res;
  char err[256];
  if (sla_evaluate(db, cfg, at(iso), &res, err, sizeof err) != DB_OK) fail_msg("sla_evaluate: %s", err);
  return res;
}

/* The worker's overdue work climbs to the manager, then the director, and stops there; re-runs change nothing. */
static void test_chain(void **state) {
  struct db *db = ((struct tu_db *)*state)->db;
  struct config cfg;
  config_defaults(&cfg);
  struct org o;
  make_org(db, &o);
  open_deadline(db, "rf_one", o.worker.id, at("2026-11-30T10:00:00Z"));

  struct sla_result r = run(db, &cfg, "2026-11-30T09:59:59Z");
  assert_int_equal(r.overdue, 0);
  assert_int_equal(r.escalations, 0);

  r = run(db, &cfg, "2026-11-30T10:00:00Z");
  assert_int_equal(r.overdue, 1);
  assert_int_equal(r.escalations, 1);
  json_t *esc = NULL;
  assert_int_equal(store_escalations_for_item(db, "referral", "rf_one", &esc), DB_OK);
  assert_int_equal(json_array_size(esc), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(esc, 0), "to_user")), "mgr");
  assert_int_equal(json_integer_value(json_object_get(json_array_get(esc, 0), "level")), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(esc, 0), "at")), "2026-11-30T10:00:00Z");
  json_decref(esc);

  /* A backfill run for the afternoon adds level 2 at the moment it was due, to the director. */
  r = run(db, &cfg, "2026-12-02T16:00:00Z");
  assert_int_equal(r.escalations, 1);
  assert_int_equal(store_escalations_for_item(db, "referral", "rf_one", &esc), DB_OK);
  assert_int_equal(json_array_size(esc), 2);
  json_t *second = json_array_get(esc, 1);
  assert_string_equal(json_string_value(json_object_get(second, "to_user")), "dir");
  assert_string_equal(json_string_value(json_object_get(second, "at")), "2026-11-30T14:00:00Z");
  json_decref(esc);

  /* Nothing above the director; running again, or for an earlier instant, does nothing. */
  r = run(db, &cfg, "2027-01-30T16:00:00Z");
  assert_int_equal(r.escalations, 0);
  r = run(db, &cfg, "2026-11-30T10:30:00Z");
  assert_int_equal(r.escalations, 0);
  assert_int_equal(count(db, &Q_ESCALATIONS), 2);
  assert_int_equal(count(db, &Q_NOTIFICATIONS), 2);
  assert_int_equal(count(db, &Q_ESCALATE_AUDIT), 2);

  /* Each step is on the recipient's work list, marked as escalated to them. */
  json_t *work = NULL;
  assert_int_equal(store_work_for_user(db, o.director.id, false, &work), DB_OK);
  assert_int_equal(json_array_size(work), 1);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(work, 0), "escalated_to_me")), 2);
  json_decref(work);
  assert_int_equal(store_work_for_team(db, o.manager.id, &work), DB_OK);
  assert_int_equal(json_array_size(work), 1); /* the worker reports to the manager */
  json_decref(work);

  /* Meeting the deadline ends it: no further evaluation touches it. */
  assert_int_equal(store_deadline_meet(db, "referral", "rf_one", "decision", o.worker.id, at("2027-02-01T10:00:00Z")),
                   DB_OK);
  r = run(db, &cfg, "2027-03-01T10:00:00Z");
  assert_int_equal(r.overdue, 0);
  assert_int_equal(store_work_for_user(db, o.director.id, false, &work), DB_OK);
  assert_int_equal(json_array_size(work), 0);
  json_decref(work);
  config_free(&cfg);
}

/* Work nobody has picked up goes to the MASH staff's manager; a disabled manager is passed over. */
static void test_queue_and_disabled(void **state) {
  struct db *db = ((struct tu_db *)*state)->db;
  struct config cfg;
  config_defaults(&cfg);
  struct org o;
  make_org(db, &o);
  open_deadline(db, "rf_queue", NULL, at("2026-11-30T10:00:00Z"));
  run(db, &cfg, "2026-11-30T11:00:00Z");
  json_t *esc = NULL;
  assert_int_equal(store_escalations_for_item(db, "referral", "rf_queue", &esc), DB_OK);
  assert_int_equal(json_array_size(esc), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(esc, 0), "to_user")), "mgr");
  json_decref(esc);

  /* With the manager disabled, the worker's work goes straight to the director. */
  o.manager.disabled = true;
  o.manager.updated_at = MON_0900;
  assert_int_equal(store_user_update_profile(db, &o.manager), DB_OK);
  open_deadline(db, "rf_two", o.worker.id, at("2026-11-30T10:00:00Z"));
  run(db, &cfg, "2026-11-30T11:00:00Z");
  assert_int_equal(store_escalations_for_item(db, "referral", "rf_two", &esc), DB_OK);
  assert_int_equal(json_array_size(esc), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(esc, 0), "to_user")), "dir");
  json_decref(esc);
  config_free(&cfg);
}

/* With SMTP configured each step queues one e-mail to a recipient with an address, naming no child. */
static void test_email_queued_once(void **state) {
  struct db *db = ((struct tu_db *)*state)->db;
  struct config cfg;
  config_defaults(&cfg);
  char err[64];
  assert_int_equal(config_set(&cfg, "smtp_host", "127.0.0.1", err, sizeof err), 0);
  assert_int_equal(config_set(&cfg, "public_url", "https://safehub.example.org", err, sizeof err), 0);
  struct org o;
  make_org(db, &o);
  open_deadline(db, "rf_mail", o.worker.id, at("2026-11-30T10:00:00Z"));
  run(db, &cfg, "2026-12-01T10:00:00Z");
  run(db, &cfg, "2026-12-01T10:00:00Z");
  assert_int_equal(count(db, &Q_OUTBOX), 2);
  struct email *mail = NULL;
  int n = 0;
  assert_int_equal(store_email_due(db, at("2026-12-01T10:00:00Z"), 10, &mail, &n), DB_OK);
  assert_int_equal(n, 2);
  for (int i = 0; i < n; i++) {
    assert_true(!strcmp(mail[i].to, "mgr@example.org") || !strcmp(mail[i].to, "dir@example.org"));
    assert_non_null(strstr(mail[i].body, "https://safehub.example.org/referrals/rf_mail"));
    assert_non_null(strstr(mail[i].subject, "Referral rf_mail: decision"));
  }
  /* A failed send is retried later, not now. */
  assert_int_equal(store_email_failed(db, mail[0].id, "relay down", at("2026-12-01T11:00:00Z")), DB_OK);
  store_email_free(mail, n);
  assert_int_equal(store_email_due(db, at("2026-12-01T10:30:00Z"), 10, &mail, &n), DB_OK);
  assert_int_equal(n, 1);
  store_email_free(mail, n);
  config_free(&cfg);
}

#define DB_TESTS(s)                                                                           \
  cmocka_unit_test_setup_teardown(test_chain, s, teardown),                                    \
      cmocka_unit_test_setup_teardown(test_queue_and_disabled, s, teardown),                   \
      cmocka_unit_test_setup_teardown(test_email_queued_once, s, teardown)

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest sqlite[] = {cmocka_unit_test(test_levels), DB_TESTS(setup)};
  const struct CMUnitTest postgres[] = {DB_TESTS(setup_pg)};
  int failed = cmocka_run_group_tests_name("sla-sqlite", sqlite, NULL, NULL);
  failed += cmocka_run_group_tests_name("sla-postgres", postgres, NULL, NULL);
  return failed;
}
