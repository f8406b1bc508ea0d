/*
** Tests of the risk assessment store (store/store_risk.c) on SQLite and on
** PostgreSQL: recording assessments and reading them back newest first with
** their own indicators, one current assessment per child (enforced by the
** schema), countersigning only what awaits it, what has been recorded about
** a child since an assessment (referrals and case notes with indicators,
** missing episodes, open review requests) and the records it comes from,
** meeting reviews and review requests, and the overview's figures and lists.
*/
#include "testutil.h"
#include <sodium.h>
#include "store/casework.h"
#include "store/risk_store.h"
#include "store/store.h"
#include "util/timeutil.h"

#define T0 1796029200LL /* 2026-11-30T09:00:00Z */
#define DAY 86400LL

struct fixture {
  struct tu_db db;
  struct agency agency;
  struct user worker, manager;
  char child[3][ID_MAX];
};

static void add_user(struct db *db, struct user *u, const char *username, enum role role, const char *agency_id) {
  memset(u, 0, sizeof *u);
  ids_new("us", u->id, sizeof u->id);
  snprintf(u->username, sizeof u->username, "%s", username);
  snprintf(u->name, sizeof u->name, "User %s", username);
  snprintf(u->agency_id, sizeof u->agency_id, "%s", agency_id);
  u->role = role;
  snprintf(u->password_hash, sizeof u->password_hash, "$argon2id$not-a-real-hash");
  u->created_at = u->updated_at = T0;
  assert_int_equal(store_user_insert(db, u), DB_OK);
}

static int setup_kind(void **state, enum tu_kind kind) {
  struct fixture *f = calloc(1, sizeof *f);
  *state = f;
  tu_db_open_kind(&f->db, kind);
  struct db *db = f->db.db;
  ids_new("ag", f->agency.id, sizeof f->agency.id);
  snprintf(f->agency.code, sizeof f->agency.code, "HFP");
  snprintf(f->agency.name, sizeof f->agency.name, "Police");
  snprintf(f->agency.type, sizeof f->agency.type, "police");
  assert_int_equal(store_agency_insert(db, &f->agency), DB_OK);
  add_user(db, &f->worker, "sw", ROLE_SOCIAL_WORKER, f->agency.id);
  add_user(db, &f->manager, "mgr", ROLE_MANAGER, f->agency.id);
  static const char *const names[3] = {"Ava", "Bea", "Cal"};
  for (int i = 0; i < 3; i++) {
    ids_new("ch", f->child[i], ID_MAX);
    json_t *c = json_pack("{s:s,s:s,s:[],s:s,s:s,s:b}", "first_name", names[i], "last_name", "Quill", "aliases", "gender",
                          "female", "ethnicity", "WBRI", "looked_after", 0);
    assert_int_equal(store_child_insert(db, f->child[i], c, "test", T0), DB_OK);
    json_decref(c);
  }
  return 0;
}
static int setup(void **state) { return setup_kind(state, TU_SQLITE); }
static int setup_pg(void **state) { return setup_kind(state, TU_POSTGRES); }

static int teardown(void **state) {
  struct fixture *f = *state;
  tu_db_close(&f->db);
  free(f);
  return 0;
}

/* Records an assessment of CHILD at AT (made current, superseding any other) with LEVEL in force; ID_OUT gets its id. */
static void record(struct fixture *f, const char *child, int64_t at, const char *level, int rank, const char *computed,
                   int computed_rank, const char *status, int64_t due, char id_out[ID_MAX]) {
  struct db *db = f->db.db;
  char prev[ID_MAX];
  int rc = store_risk_current(db, child, prev, NULL);
  if (rc == DB_ROW) assert_int_equal(store_risk_supersede(db, prev), DB_OK);
  else assert_int_equal(rc, DB_DONE);
  struct risk_record a;
  memset(&a, 0, sizeof a);
  ids_new("ra", a.id, sizeof a.id);
  a.child_id = child;
  a.tool_version = "2026.1";
  a.assessed_at = at;
  a.assessed_by = f->worker.id;
  a.agency_id = f->agency.id;
  a.score = 7;
  a.band_level = computed;
  a.computed_level = computed;
  a.computed_rank = computed_rank;
  a.final_level = level;
  a.final_rank = rank;
  if (rank != computed_rank || !strcmp(status, "awaiting")) {
    a.judged_level = level;
    a.judgement_rationale = "Known to the team";
  }
  a.countersign_status = status;
  if (!strcmp(status, "awaiting")) a.countersign_requested_from = f->manager.id;
  a.childs_words = "I'm fine";
  a.exploitation_types = "[\"peer\"]";
  a.review_due_at = due;
  assert_int_equal(store_risk_insert(db, &a), DB_OK);
  struct risk_indicator_row ind[2] = {{"S01", "current", "Missing twice", f->agency.id, 5},
                                      {"V05", "6_12_months", "Police call-outs", NULL, 1}};
  for (int i = 0; i < 2; i++) assert_int_equal(store_risk_indicator_insert(db, a.id, i, &ind[i]), DB_OK);
  snprintf(id_out, ID_MAX, "%s", a.id);
}

static const char *js(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

static void test_record_and_read(void **state) {
  struct fixture *f = *state;
  struct db *db = f->db.db;
  char a1[ID_MAX], a2[ID_MAX], cur[ID_MAX];
  record(f, f->child[0], T0 - 40 * DAY, "low", 1, "low", 1, "not_needed", T0 + 51 * DAY, a1);
  record(f, f->child[0], T0, "high", 3, "high", 3, "not_needed", T0 + 30 * DAY, a2);
  int rank = -1;
  assert_int_equal(store_risk_current(db, f->child[0], cur, &rank), DB_ROW);
  assert_string_equal(cur, a2);
  assert_int_equal(rank, 3);
  assert_int_equal(store_risk_current(db, f->child[1], cur, &rank), DB_DONE);
  json_t *list = NULL;
  assert_int_equal(store_risk_list(db, f->child[0], &list), DB_OK);
  assert_int_equal(json_array_size(list), 2);
  json_t *newest = json_array_get(list, 0), *oldest = json_array_get(list, 1);
  assert_string_equal(js(newest, "id"), a2);
  assert_true(json_is_true(json_object_get(newest, "current")));
  assert_false(json_is_true(json_object_get(oldest, "current")));
  assert_string_equal(js(newest, "assessed_at"), "2026-11-30T09:00:00Z");
  assert_string_equal(js(newest, "assessed_by"), "sw");
  assert_string_equal(js(newest, "agency"), "HFP");
  assert_string_equal(js(newest, "level"), "high");
  assert_string_equal(js(newest, "childs_words"), "I'm fine");
  assert_string_equal(json_string_value(json_array_get(json_object_get(newest, "exploitation_types"), 0)), "peer");
  json_t *inds = json_object_get(oldest, "indicators");
  assert_int_equal(json_array_size(inds), 2);
  assert_string_equal(js(json_array_get(inds, 0), "code"), "S01");
  assert_string_equal(js(json_array_get(inds, 0), "source_agency"), "HFP");
  assert_true(json_is_null(json_object_get(json_array_get(inds, 1), "source_agency")));
  assert_string_equal(js(json_array_get(inds, 1), "recency"), "6_12_months");
  json_decref(list);
  json_t *one = NULL;
  assert_int_equal(store_risk_get(db, a1, &one), DB_ROW);
  assert_int_equal(json_array_size(json_object_get(one, "indicators")), 2);
  assert_int_equal(json_integer_value(json_object_get(one, "score")), 7);
  json_decref(one);
  assert_int_equal(store_risk_get(db, "ra_nosuchassessment0", &one), DB_DONE);
  /* A child with none: an empty list. */
  assert_int_equal(store_risk_list(db, f->child[2], &list), DB_OK);
  assert_int_equal(json_array_size(list), 0);
  json_decref(list);
}

/* Two current assessments of one child cannot both be recorded; indicator codes are unique per assessment. */
static void test_one_current(void **state) {
  struct fixture *f = *state;
  struct db *db = f->db.db;
  char a1[ID_MAX];
  record(f, f->child[0], T0, "low", 1, "low", 1, "not_needed", T0 + DAY, a1);
  struct risk_record a;
  memset(&a, 0, sizeof a);
  ids_new("ra", a.id, sizeof a.id);
  a.child_id = f->child[0];
  a.tool_version = "2026.1";
  a.assessed_at = T0;
  a.assessed_by = f->worker.id;
  a.band_level = a.computed_level = a.final_level = "low";
  a.countersign_status = "not_needed";
  a.childs_view_not_gathered_reason = "Missing";
  a.review_due_at = T0;
  assert_int_equal(db_begin(db), DB_OK);
  assert_int_equal(store_risk_insert(db, &a), DB_CONSTRAINT);
  db_rollback(db);
  struct risk_indicator_row again = {"S01", "current", "Again", NULL, 5};
  assert_int_equal(db_begin(db), DB_OK);
  assert_int_equal(store_risk_indicator_insert(db, a1, 5, &again), DB_CONSTRAINT);
  db_rollback(db);
  /* The child's view: exactly one of the words and the reason. */
  ids_new("ra", a.id, sizeof a.id);
  a.child_id = f->child[1];
  a.childs_words = "Words";
  assert_int_equal(db_begin(db), DB_OK);
  assert_int_equal(store_risk_insert(db, &a), DB_CONSTRAINT);
  db_rollback(db);
}

static void test_countersign(void **state) {
  struct fixture *f = *state;
  struct db *db = f->db.db;
  char a1[ID_MAX];
  record(f, f->child[0], T0, "high", 3, "high", 3, "awaiting", T0 + 30 * DAY, a1);
  assert_int_equal(store_risk_countersign(db, a1, "agreed", f->manager.id, T0 + DAY, "Agreed", "medium", 2, -1, T0 + 42 * DAY),
                   DB_OK);
  json_t *a = NULL;
  assert_int_equal(store_risk_get(db, a1, &a), DB_ROW);
  assert_string_equal(js(a, "level"), "medium");
  assert_int_equal(json_integer_value(json_object_get(a, "level_change")), -1);
  json_t *cs = json_object_get(a, "countersignature");
  assert_string_equal(js(cs, "status"), "agreed");
  assert_string_equal(js(cs, "by"), "mgr");
  assert_string_equal(js(cs, "requested_from"), "mgr");
  assert_string_equal(js(cs, "comment"), "Agreed");
  assert_string_equal(js(a, "countersigned_by"), "mgr");
  assert_string_equal(js(a, "review_due"), "2027-01-11T09:00:00Z");
  json_decref(a);
  /* Only once. */
  assert_int_equal(store_risk_countersign(db, a1, "declined", f->manager.id, T0, NULL, "high", 3, 0, T0), DB_DONE);
}

/* Inserts what other features record about CHILD: a referral, a missing episode and case notes. */
static void others_record(struct fixture *f, const char *child, int64_t at, const char *indicators) {
  char sql[2048], id[ID_MAX];
  ids_new("rf", id, sizeof id);
  snprintf(sql, sizeof sql,
           "INSERT INTO referrals (id, reference, child_id, agency_id, referrer_id, concern, indicators, status, "
           "received_at, due_at, next_due_at, updated_at) VALUES ('%s', 'R-2026-%s', '%s', '%s', '%s', 'Concern', '%s', "
           "'received', %lld, %lld, %lld, %lld)",
           id, id + 3, child, f->agency.id, f->worker.id, indicators, (long long)at, (long long)at, (long long)at,
           (long long)at);
  tu_exec(f->db.db, sql);
}

static void missing(struct fixture *f, const char *child, int64_t at) {
  char sql[1024], id[ID_MAX];
  ids_new("me", id, sizeof id);
  snprintf(sql, sizeof sql,
           "INSERT INTO missing_episodes (id, child_id, went_missing_at, reported_to_police, agency_id, recorded_at, "
           "updated_at) VALUES ('%s', '%s', %lld, 1, '%s', %lld, %lld)",
           id, child, (long long)at, f->agency.id, (long long)at, (long long)at);
  tu_exec(f->db.db, sql);
}

static void note(struct fixture *f, const char *child, int64_t at, const char *indicators) {
  char sql[1024], id[ID_MAX];
  ids_new("cn", id, sizeof id);
  snprintf(sql, sizeof sql,
           "INSERT INTO case_notes (id, child_id, at, agency_id, text, indicators, recorded_at) VALUES ('%s', '%s', %lld, "
           "'%s', 'Visited', '%s', %lld)",
           id, child, (long long)at, f->agency.id, indicators, (long long)at);
  tu_exec(f->db.db, sql);
}

static void test_staleness_and_sources(void **state) {
  struct fixture *f = *state;
  struct db *db = f->db.db;
  struct risk_staleness s;
  assert_int_equal(store_risk_staleness(db, f->child[0], T0, &s), DB_OK);
  assert_false(s.referrals || s.missing_episodes || s.notes || s.review_requested);
  others_record(f, f->child[0], T0 - DAY, "[\"S01\"]"); /* before: not counted */
  others_record(f, f->child[0], T0 + DAY, "[]");       /* no indicators: not counted */
  others_record(f, f->child[0], T0 + 2 * DAY, "[\"S02\",\"M01\"]");
  missing(f, f->child[0], T0 + 3 * DAY);
  note(f, f->child[0], T0 + 4 * DAY, "[]");
  note(f, f->child[0], T0 + 5 * DAY, "[\"S04\"]");
  others_record(f, f->child[1], T0 + DAY, "[\"S01\"]"); /* another child */
  assert_int_equal(store_risk_staleness(db, f->child[0], T0, &s), DB_OK);
  assert_int_equal(s.referrals, 1);
  assert_int_equal(s.missing_episodes, 1);
  assert_int_equal(s.notes, 1);
  assert_false(s.review_requested);
  assert_int_equal(store_risk_deadline_open(db, f->child[0], "risk_review_request", "Review requested", "/x", NULL,
                                            T0 + 9 * DAY, T0),
                   DB_OK);
  assert_int_equal(store_risk_staleness(db, f->child[0], T0, &s), DB_OK);
  assert_true(s.review_requested);
  json_t *src = NULL;
  assert_int_equal(store_risk_sources(db, f->child[0], T0, &src), DB_OK);
  assert_int_equal(json_array_size(src), 3); /* newest first: note, missing episode, referral */
  assert_string_equal(js(json_array_get(src, 0), "type"), "case_note");
  assert_string_equal(json_string_value(json_array_get(json_object_get(json_array_get(src, 0), "indicators"), 0)), "S04");
  assert_string_equal(js(json_array_get(src, 1), "type"), "missing_episode");
  assert_int_equal(json_array_size(json_object_get(json_array_get(src, 1), "indicators")), 0);
  json_t *ref = json_array_get(src, 2);
  assert_string_equal(js(ref, "type"), "referral");
  assert_non_null(strstr(js(ref, "reference"), "R-2026-"));
  assert_string_equal(js(ref, "agency"), "HFP");
  assert_int_equal(json_array_size(json_object_get(ref, "indicators")), 2);
  assert_true(json_integer_value(json_object_get(ref, "at_epoch")) == T0 + 2 * DAY);
  json_decref(src);
}

DB_QUERY(Q_OPEN_KINDS, "SELECT kind FROM deadlines WHERE item_type = 'child' AND item_id = $1 AND met_at IS NULL ORDER BY kind");

static void test_reviews_meet(void **state) {
  struct fixture *f = *state;
  struct db *db = f->db.db;
  const char *kinds[] = {"risk_review:ra_previousassessment1", "risk_review_request", "risk_review_request:rf_1",
                         "cse_meeting", "risk_reviewer"};
  for (size_t i = 0; i < TU_COUNT(kinds); i++)
    assert_int_equal(store_risk_deadline_open(db, f->child[0], kinds[i], "Due", "/x", f->worker.id, T0 + DAY, T0), DB_OK);
  /* Opening an open one again moves it; a met one stays met. */
  assert_int_equal(store_risk_deadline_open(db, f->child[0], kinds[0], "Due", "/x", NULL, T0 + 2 * DAY, T0), DB_OK);
  struct deadline d;
  assert_int_equal(store_deadline_get(db, "child", f->child[0], "cse_meeting", &d), DB_ROW);
  int met = 0;
  assert_int_equal(store_risk_reviews_meet(db, f->child[0], f->worker.id, T0, &met), DB_OK);
  assert_int_equal(met, 3);
  struct db_stmt *st = db_prepare(db, &Q_OPEN_KINDS);
  db_bind_text(st, 1, f->child[0]);
  assert_int_equal(db_step(st), DB_ROW);
  assert_string_equal(db_text(st, 0), "cse_meeting");
  assert_int_equal(db_step(st), DB_ROW);
  assert_string_equal(db_text(st, 0), "risk_reviewer");
  assert_int_equal(db_step(st), DB_DONE);
  db_reset(st);
  assert_int_equal(store_risk_deadline_open(db, f->child[0], kinds[0], "Due", "/x", NULL, T0 + 3 * DAY, T0), DB_DONE);
}

static void test_overview(void **state) {
  struct fixture *f = *state;
  struct db *db = f->db.db;
  char a[ID_MAX];
  int64_t now = T0 + 100 * DAY;
  /* child 0: high, overdue; child 1: medium lowered from high by judgement, due soon; child 2: low awaiting, later. */
  record(f, f->child[0], T0 - 10 * DAY, "low", 1, "low", 1, "not_needed", T0, a); /* superseded */
  record(f, f->child[0], T0, "high", 3, "high", 3, "not_needed", T0 + 30 * DAY, a);
  record(f, f->child[1], T0 + 60 * DAY, "medium", 2, "high", 3, "agreed", now + 2 * DAY, a);
  record(f, f->child[2], T0 + 90 * DAY, "medium", 2, "medium", 2, "awaiting", now + 30 * DAY, a);
  json_t *levels = NULL;
  assert_int_equal(store_risk_overview_levels(db, now, now + 14 * DAY, &levels), DB_OK);
  int64_t children = 0, overdue = 0, soon = 0, lowered = 0, awaiting = 0;
  size_t i;
  json_t *row;
  json_array_foreach(levels, i, row) {
    children += json_integer_value(json_object_get(row, "children"));
    overdue += json_integer_value(json_object_get(row, "overdue"));
    soon += json_integer_value(json_object_get(row, "due_soon"));
    lowered += json_integer_value(json_object_get(row, "lowered"));
    awaiting += json_integer_value(json_object_get(row, "awaiting"));
    if (!strcmp(js(row, "level"), "medium")) assert_int_equal(json_integer_value(json_object_get(row, "children")), 2);
  }
  assert_int_equal(children, 3);
  assert_int_equal(overdue, 1);
  assert_int_equal(soon, 1);
  assert_int_equal(lowered, 1);
  assert_int_equal(awaiting, 1);
  json_decref(levels);
  json_t *list = NULL;
  assert_int_equal(store_risk_overview_list(db, RISK_LIST_OVERDUE, now, now + 14 * DAY, 20, &list), DB_OK);
  assert_int_equal(json_array_size(list), 1);
  assert_string_equal(js(json_array_get(list, 0), "child_id"), f->child[0]);
  assert_string_equal(js(json_array_get(list, 0), "first_name"), "Ava");
  json_decref(list);
  assert_int_equal(store_risk_overview_list(db, RISK_LIST_DUE_SOON, now, now + 14 * DAY, 20, &list), DB_OK);
  assert_int_equal(json_array_size(list), 1);
  assert_string_equal(js(json_array_get(list, 0), "child_id"), f->child[1]);
  json_decref(list);
  assert_int_equal(store_risk_overview_list(db, RISK_LIST_JUDGED, now, now + 14 * DAY, 20, &list), DB_OK);
  assert_int_equal(json_array_size(list), 2); /* newest first: the one awaiting, then the lowered one */
  assert_string_equal(js(json_array_get(list, 0), "countersign_status"), "awaiting");
  assert_string_equal(js(json_array_get(list, 1), "computed_level"), "high");
  json_decref(list);
  /* Out of date: child 1 has a missing episode after its assessment, child 2 an open review request. */
  int64_t count = -1;
  assert_int_equal(store_risk_out_of_date(db, 20, &count, &list), DB_OK);
  assert_int_equal(count, 0);
  json_decref(list);
  missing(f, f->child[1], T0 + 61 * DAY);
  missing(f, f->child[1], T0 + 62 * DAY);
  missing(f, f->child[0], T0 - DAY); /* before its assessment */
  assert_int_equal(store_risk_deadline_open(db, f->child[2], "risk_review_request:rf_1", "Review requested", "/x", NULL,
                                            now, T0),
                   DB_OK);
  assert_int_equal(store_risk_out_of_date(db, 20, &count, &list), DB_OK);
  assert_int_equal(count, 2);
  assert_int_equal(json_array_size(list), 2);
  assert_string_equal(js(json_array_get(list, 0), "child_id"), f->child[1]); /* oldest assessment first */
  assert_string_equal(js(json_array_get(list, 1), "child_id"), f->child[2]);
  json_decref(list);
  assert_int_equal(store_risk_out_of_date(db, 1, &count, &list), DB_OK);
  assert_int_equal(count, 2);
  assert_int_equal(json_array_size(list), 1);
  assert_string_equal(js(json_array_get(list, 0), "child_id"), f->child[1]);
  json_decref(list);
}

#define DB_TESTS(s)                                                                                   \
  cmocka_unit_test_setup_teardown(test_record_and_read, s, teardown),                                  \
      cmocka_unit_test_setup_teardown(test_one_current, s, teardown),                                  \
      cmocka_unit_test_setup_teardown(test_countersign, s, teardown),                                  \
      cmocka_unit_test_setup_teardown(test_staleness_and_sources, s, teardown),                        \
      cmocka_unit_test_setup_teardown(test_reviews_meet, s, teardown),                                 \
      cmocka_unit_test_setup_teardown(test_overview, s, teardown)

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest sqlite[] = {DB_TESTS(setup)};
  const struct CMUnitTest postgres[] = {DB_TESTS(setup_pg)};
  int failed = cmocka_run_group_tests_name("risk-store-sqlite", sqlite, NULL, NULL);
  failed += cmocka_run_group_tests_name("risk-store-postgres", postgres, NULL, NULL);
  return failed;
}
