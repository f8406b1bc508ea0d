/*
** Unit tests for core/referral: the referral state machine (every status
** against every event), the reasons given for refusals, the rating's
** working hours, which indicators of the shipped risk tool count as
** exploitation, when closing with no further action needs a manager's
** sign-off, the deadline kinds of later decision rounds, reference numbers,
** and the scoring of possible matches (exact, near, conflicting).  Also the
** demo borough's referrals on a scratch SQLite database: a realistic spread
** of statuses, consistent with the rules and the clock, and the same for the
** same seed.
*/
#include "testutil.h"

#include "cli/cli.h"
#include "core/referral.h"
#include "service/referrals.h"
#include "store/referrals.h"
#include "util/embedded.h"
#include "util/timeutil.h"

/* The shipped risk tool, parsed; fails the test if it will not load. */
static void shipped_tool(struct risk_tool *t) {
  const struct embedded_file *f = embedded_find("risk-tool.json");
  if (!f) fail_msg("risk-tool.json is not embedded");
  char err[400];
  if (risk_tool_parse(f->data, f->len, t, err, sizeof err) != 0) fail_msg("shipped risk tool refused: %s", err);
}

static void test_status_names(void **state) {
  (void)state;
  enum referral_status s;
  for (int i = 0; i < RS_COUNT; i++) {
    assert_true(referral_status_parse(referral_status_name((enum referral_status)i), &s));
    assert_int_equal(s, i);
  }
  assert_false(referral_status_parse("closed", &s));
  assert_false(referral_status_parse(NULL, &s));
  assert_string_equal(referral_status_name(RS_COUNT), "");
  assert_true(referral_status_open(RS_RECEIVED));
  assert_true(referral_status_open(RS_CHALLENGED));
  assert_true(referral_status_open(RS_AWAITING_SIGNOFF));
  assert_false(referral_status_open(RS_DECIDED));
}

/* The whole transition table: -1 for refused, else the status after (unrated / rated where they differ). */
static void test_transitions(void **state) {
  (void)state;
  /* rows: events; columns: from received, triaged, awaiting_signoff, decided, challenged */
  static const struct {
    enum referral_event ev;
    int unrated[RS_COUNT], rated[RS_COUNT];
  } table[] = {
      {RE_TRIAGE, {RS_TRIAGED, RS_TRIAGED, -1, -1, -1}, {RS_TRIAGED, RS_TRIAGED, -1, -1, -1}},
      {RE_DECIDE, {RS_DECIDED, RS_DECIDED, -1, -1, -1}, {RS_DECIDED, RS_DECIDED, -1, -1, -1}},
      {RE_DECIDE_FOR_SIGNOFF, {RS_AWAITING_SIGNOFF, RS_AWAITING_SIGNOFF, -1, -1, -1},
       {RS_AWAITING_SIGNOFF, RS_AWAITING_SIGNOFF, -1, -1, -1}},
      {RE_SIGNOFF_APPROVE, {-1, -1, RS_DECIDED, -1, -1}, {-1, -1, RS_DECIDED, -1, -1}},
      {RE_SIGNOFF_SEND_BACK, {-1, -1, RS_RECEIVED, -1, -1}, {-1, -1, RS_TRIAGED, -1, -1}},
      {RE_CHALLENGE, {-1, -1, -1, RS_CHALLENGED, -1}, {-1, -1, -1, RS_CHALLENGED, -1}},
      {RE_CHALLENGE_STANDS, {-1, -1, -1, -1, RS_DECIDED}, {-1, -1, -1, -1, RS_DECIDED}},
      {RE_CHALLENGE_OVERTURNED, {-1, -1, -1, -1, RS_RECEIVED}, {-1, -1, -1, -1, RS_TRIAGED}},
      {RE_ASSIGN, {RS_RECEIVED, RS_TRIAGED, -1, -1, -1}, {RS_RECEIVED, RS_TRIAGED, -1, -1, -1}},
  };
  for (size_t e = 0; e < TU_COUNT(table); e++) {
    for (int from = 0; from < RS_COUNT; from++) {
      for (int rated = 0; rated < 2; rated++) {
        int want = rated ? table[e].rated[from] : table[e].unrated[from];
        enum referral_status to = RS_COUNT;
        int rc = referral_transition((enum referral_status)from, table[e].ev, rated, &to);
        if (want < 0) {
          if (rc != -1) fail_msg("event %d from %s allowed", table[e].ev, referral_status_name((enum referral_status)from));
          const char *why = referral_refusal((enum referral_status)from, table[e].ev);
          assert_non_null(why);
          assert_true(strlen(why) > 10);
        } else {
          if (rc != 0 || (int)to != want)
            fail_msg("event %d from %s (rated %d): got %d -> %s, want %s", table[e].ev,
                     referral_status_name((enum referral_status)from), rated, rc, referral_status_name(to),
                     referral_status_name((enum referral_status)want));
        }
      }
    }
  }
  enum referral_status to;
  assert_int_equal(referral_transition(RS_RECEIVED, RE_COUNT, false, &to), -1);
  assert_non_null(strstr(referral_refusal(RS_AWAITING_SIGNOFF, RE_DECIDE), "sign-off"));
  assert_non_null(strstr(referral_refusal(RS_DECIDED, RE_DECIDE), "already been decided"));
  assert_non_null(strstr(referral_refusal(RS_CHALLENGED, RE_CHALLENGE), "already being challenged"));
}

static void test_rag_hours(void **state) {
  (void)state;
  assert_int_equal(referral_rag_hours("red", 4, 24, 72), 4);
  assert_int_equal(referral_rag_hours("amber", 4, 24, 72), 24);
  assert_int_equal(referral_rag_hours("green", 2, 6, 24), 24);
  assert_int_equal(referral_rag_hours("blue", 4, 24, 72), 0);
  assert_int_equal(referral_rag_hours(NULL, 4, 24, 72), 0);
  assert_true(code_valid(REFERRAL_RAGS, "amber"));
  assert_false(code_valid(REFERRAL_RAGS, "Amber"));
}

static void test_cse_indicators(void **state) {
  (void)state;
  struct risk_tool t;
  shipped_tool(&t);
  int cse = 0, vulnerabilities = 0;
  for (int i = 0; i < t.nindicators; i++) {
    bool is = referral_indicator_is_cse(&t, t.indicators[i].code);
    if (!strcmp(t.indicators[i].group, "vulnerability")) {
      assert_false(is);
      vulnerabilities++;
    } else {
      assert_true(is);
      cse++;
    }
  }
  assert_true(cse >= 20 && vulnerabilities >= 10);
  assert_true(referral_indicator_is_cse(&t, "S09"));
  assert_true(referral_indicator_is_cse(&t, "M06"));
  assert_false(referral_indicator_is_cse(&t, "V05"));
  assert_false(referral_indicator_is_cse(&t, "S99"));
  assert_false(referral_indicator_is_cse(NULL, "S01"));
  risk_tool_free(&t);
}

static void test_signoff_rule(void **state) {
  (void)state;
  /* Only closing with no further action ever needs it. */
  for (const struct code *o = REFERRAL_OUTCOMES; o->code; o++) {
    bool nfa = !strcmp(o->code, "no_further_action");
    assert_int_equal(referral_needs_signoff(o->code, "red", true, true), nfa);
  }
  assert_false(referral_needs_signoff("no_further_action", "amber", false, false));
  assert_false(referral_needs_signoff("no_further_action", "green", false, false));
  assert_false(referral_needs_signoff("no_further_action", NULL, false, false));
  assert_false(referral_needs_signoff("no_further_action", "", false, false));
  assert_true(referral_needs_signoff("no_further_action", "red", false, false));
  assert_true(referral_needs_signoff("no_further_action", "green", true, false));
  assert_true(referral_needs_signoff("no_further_action", "green", false, true));
  assert_true(referral_needs_signoff("no_further_action", NULL, false, true));
  assert_false(referral_needs_signoff(NULL, "red", true, true));
}

static void test_deadline_kinds(void **state) {
  (void)state;
  char k[24];
  assert_true(referral_deadline_kind("decision", 1, k, sizeof k));
  assert_string_equal(k, "decision");
  assert_true(referral_deadline_kind("decision", 0, k, sizeof k));
  assert_string_equal(k, "decision");
  assert_true(referral_deadline_kind("decision", 2, k, sizeof k));
  assert_string_equal(k, "decision_2");
  assert_true(referral_deadline_kind("challenge", 12, k, sizeof k));
  assert_string_equal(k, "challenge_12");
  char small[8];
  assert_false(referral_deadline_kind("decision", 3, small, sizeof small));
}

static void test_references(void **state) {
  (void)state;
  char ref[24];
  assert_true(referral_reference_format(2026, 123, ref, sizeof ref));
  assert_string_equal(ref, "R-2026-000123");
  assert_true(referral_reference_valid(ref));
  assert_true(referral_reference_format(2027, 1, ref, sizeof ref));
  assert_string_equal(ref, "R-2027-000001");
  assert_true(referral_reference_format(2026, 1234567, ref, sizeof ref));
  assert_string_equal(ref, "R-2026-1234567");
  assert_true(referral_reference_valid(ref));
  assert_false(referral_reference_format(2026, 0, ref, sizeof ref));
  assert_false(referral_reference_format(999, 5, ref, sizeof ref));
  assert_false(referral_reference_format(2026, 100000000, ref, sizeof ref));
  char tiny[10];
  assert_false(referral_reference_format(2026, 5, tiny, sizeof tiny));
  static const char *const bad[] = {"", "R-2026-12345", "R-26-000001", "X-2026-000001", "R-2026-00000A", "R-2026_000001",
                                    "R-2026-000000001", "r-2026-000001"};
  for (size_t i = 0; i < TU_COUNT(bad); i++) {
    if (referral_reference_valid(bad[i])) fail_msg("%s taken for a reference", bad[i]);
  }
  assert_false(referral_reference_valid(NULL));
}

/* Scores the child described by GIVEN (JSON text) against KNOWN (JSON text). */
static struct referral_match score(const char *given, const char *known) {
  json_t *g = tu_json(given), *k = tu_json(known);
  struct referral_match m;
  referral_match_score(g, k, &m);
  json_decref(g);
  json_decref(k);
  return m;
}

static const char KNOWN[] = "{\"first_name\":\"Jessica\",\"last_name\":\"Whitcombe\",\"aliases\":[\"Jess Whitcombe\",\"Jay\"],"
                            "\"date_of_birth\":\"2012-04-07\",\"postcode\":\"HF3 4AB\",\"nhs_number\":\"9990001232\"}";

static void test_match_exact(void **state) {
  (void)state;
  struct referral_match m = score("{\"first_name\":\"Someone\",\"last_name\":\"Else\",\"nhs_number\":\"9990001232\"}", KNOWN);
  assert_int_equal(m.nhs, MATCH_EXACT);
  assert_true(m.exact);
  assert_true(referral_match_worth_showing(&m));
  m = score("{\"first_name\":\"JESSICA\",\"last_name\":\"whitcombe\",\"date_of_birth\":\"2012-04-07\"}", KNOWN);
  assert_int_equal(m.first, MATCH_EXACT);
  assert_int_equal(m.last, MATCH_EXACT);
  assert_int_equal(m.dob, MATCH_EXACT);
  assert_true(m.exact);
  assert_true(m.score >= 10);
  json_t *why = referral_match_explain(&m);
  assert_int_equal(json_array_size(why), 3);
  assert_string_equal(json_string_value(json_array_get(why, 0)), "Same first name");
  json_decref(why);
}

static void test_match_near(void **state) {
  (void)state;
  /* A short form, a slip in the surname, day and month swapped, the same district. */
  struct referral_match m =
      score("{\"first_name\":\"Jess\",\"last_name\":\"Whitcomb\",\"date_of_birth\":\"2012-07-04\",\"postcode\":\"HF3 9ZZ\"}", KNOWN);
  assert_int_equal(m.first, MATCH_EXACT); /* through the alias "Jess Whitcombe" */
  assert_int_equal(m.last, MATCH_NEAR);
  assert_int_equal(m.dob, MATCH_NEAR);
  assert_int_equal(m.postcode, MATCH_NEAR);
  assert_false(m.exact);
  assert_true(referral_match_worth_showing(&m));
  /* A nickname from the shipped name groups, one digit off in the date. */
  m = score("{\"first_name\":\"Jessie\",\"last_name\":\"Whitcombe\",\"date_of_birth\":\"2012-04-08\"}", KNOWN);
  assert_int_equal(m.first, MATCH_NEAR);
  assert_int_equal(m.dob, MATCH_NEAR);
  assert_true(referral_match_worth_showing(&m));
  /* Sounds alike. */
  m = score("{\"first_name\":\"Amie\",\"last_name\":\"Stone\"}", "{\"first_name\":\"Amy\",\"last_name\":\"Stone\"}");
  assert_int_equal(m.first, MATCH_NEAR);
  assert_int_equal(m.last, MATCH_EXACT);
}

static void test_match_against(void **state) {
  (void)state;
  /* A different NHS number outweighs everything else: it is another child. */
  struct referral_match m = score("{\"first_name\":\"Jessica\",\"last_name\":\"Whitcombe\",\"date_of_birth\":\"2012-04-07\","
                                  "\"nhs_number\":\"9990002247\"}",
                                  KNOWN);
  assert_int_equal(m.nhs, MATCH_NONE);
  assert_false(m.exact);
  assert_true(m.score == 4); /* names 3 + 3 and date 4, less 6 */
  assert_false(referral_match_worth_showing(&m));
  /* The same name but an unrelated date of birth is not offered. */
  m = score("{\"first_name\":\"Jessica\",\"last_name\":\"Whitcombe\",\"date_of_birth\":\"2009-11-30\"}", KNOWN);
  assert_int_equal(m.dob, MATCH_NONE);
  assert_false(referral_match_worth_showing(&m));
  /* Nothing in common. */
  m = score("{\"first_name\":\"Zed\",\"last_name\":\"Quill\"}", KNOWN);
  assert_true(m.score <= 0);
  assert_false(referral_match_worth_showing(&m));
  json_t *why = referral_match_explain(&m);
  assert_int_equal(json_array_size(why), 0);
  json_decref(why);
  /* Missing values neither help nor hurt. */
  m = score("{}", KNOWN);
  assert_true(m.score == 0);
  m = score("{\"first_name\":\"Jessica\"}", "{}");
  assert_int_equal(m.first, MATCH_NONE);
}

/* ---- the demo's referrals ---- */

/* Adds user USERNAME of ROLE in AGENCY_ID reporting to MANAGER_ID ("" for none); its id goes to ID. */
static void demo_user(struct db *db, const char *username, enum role role, const char *agency_id, const char *manager_id,
                      char id[ID_MAX]) {
  struct user u;
  memset(&u, 0, sizeof u);
  ids_new("us", u.id, sizeof u.id);
  snprintf(u.username, sizeof u.username, "%s", username);
  snprintf(u.name, sizeof u.name, "Demo %s", username);
  snprintf(u.agency_id, sizeof u.agency_id, "%s", agency_id);
  snprintf(u.manager_id, sizeof u.manager_id, "%s", manager_id);
  snprintf(u.password_hash, sizeof u.password_hash, "not-a-hash");
  u.role = role;
  u.created_at = u.updated_at = time_now();
  if (store_user_insert(db, &u) != DB_OK) fail_msg("user %s: %s", username, db_error(db));
  snprintf(id, ID_MAX, "%s", u.id);
}

/*
** A demo-shaped installation in DIR: the users the demo's referrals come
** from and go to, and 120 children, through the command line's context C.
*/
static void demo_installation(struct cli *c, const char *dir) {
  char path[PATH_MAX], key[PATH_MAX], ckpt[PATH_MAX], err[512];
  tu_path(path, dir, "demo.db");
  tu_path(key, dir, "audit.key");
  tu_path(ckpt, dir, "checkpoints.log");
  memset(c, 0, sizeof *c);
  c->name = "demo";
  config_defaults(&c->cfg);
  if (config_set(&c->cfg, "db", path, err, sizeof err) || config_set(&c->cfg, "audit_key_file", key, err, sizeof err) ||
      config_set(&c->cfg, "audit_checkpoint_file", ckpt, err, sizeof err))
    fail_msg("settings: %s", err);
  if (cli_open(c, true) != EXIT_OK) fail_msg("cli_open failed");
  int applied = 0;
  if (store_migrate(c->db, &applied, err, sizeof err) != DB_OK) fail_msg("migrate: %s", err);
  struct agency a[2];
  memset(a, 0, sizeof a);
  const char *codes[2] = {"HFEDU", "HFCSC"}, *types[2] = {"education", "social_care"};
  for (int i = 0; i < 2; i++) {
    ids_new("ag", a[i].id, sizeof a[i].id);
    snprintf(a[i].code, sizeof a[i].code, "%s", codes[i]);
    snprintf(a[i].name, sizeof a[i].name, "Agency %s", codes[i]);
    snprintf(a[i].type, sizeof a[i].type, "%s", types[i]);
    a[i].created_at = time_now();
    if (store_agency_insert(c->db, &a[i]) != DB_OK) fail_msg("agency: %s", db_error(c->db));
  }
  char dir_id[ID_MAX], mgr_id[ID_MAX], id[ID_MAX];
  demo_user(c->db, "director", ROLE_DIRECTOR, a[1].id, "", dir_id);
  demo_user(c->db, "manager", ROLE_MANAGER, a[1].id, dir_id, mgr_id);
  demo_user(c->db, "mash", ROLE_MASH, a[1].id, mgr_id, id);
  demo_user(c->db, "teacher", ROLE_REFERRER, a[0].id, "", id);
  demo_user(c->db, "social.worker", ROLE_SOCIAL_WORKER, a[1].id, mgr_id, id);
  for (int i = 0; i < 120; i++) {
    char text[400], cid[ID_MAX];
    snprintf(text, sizeof text,
             "{\"first_name\":\"Child%c%c\",\"last_name\":\"Demo\",\"date_of_birth\":\"2012-0%d-1%d\","
             "\"ethnicity\":\"WBRI\",\"postcode\":\"HF1 %dAB\",\"nhs_number\":\"99900%05d\"}",
             'a' + i % 26, 'a' + i / 26, 1 + i % 9, i % 10, i % 10, i);
    json_t *child = tu_json(text);
    ids_new("ch", cid, sizeof cid);
    if (store_child_insert(c->db, cid, child, "demo", time_now()) != DB_OK) fail_msg("child: %s", db_error(c->db));
    json_decref(child);
  }
}

/* The demo's referrals as "reference status rag outcome danger" lines, in reference order (new reference). */
static json_t *demo_summary(struct db *db) {
  DB_QUERY(Q_SUMMARY, "SELECT reference, status, COALESCE(rag, '-'), COALESCE(outcome, '-'), immediate_danger, "
                      "CASE WHEN child_id IS NULL THEN 'details' ELSE 'child' END FROM referrals ORDER BY reference");
  struct db_stmt *st = db_prepare(db, &Q_SUMMARY);
  assert_non_null(st);
  json_t *arr = json_array();
  while (db_step(st) == DB_ROW) {
    char line[200];
    snprintf(line, sizeof line, "%s %s %s %s %lld %s", db_text(st, 0), db_text(st, 1), db_text(st, 2), db_text(st, 3),
             (long long)db_int(st, 4), db_text(st, 5));
    json_array_append_new(arr, json_string(line));
  }
  db_reset(st);
  return arr;
}

/* How many rows SQL (a COUNT) gives. */
static int64_t demo_count(struct db *db, const struct db_query *q) {
  struct db_stmt *st = db_prepare(db, q);
  assert_non_null(st);
  assert_int_equal(db_step(st), DB_ROW);
  int64_t n = db_int(st, 0);
  db_reset(st);
  return n;
}

static void test_demo_referrals(void **state) {
  (void)state;
  char dir[PATH_MAX];
  tu_mkdtemp(dir);
  char d1[PATH_MAX], d2[PATH_MAX];
  tu_path(d1, dir, "one");
  tu_path(d2, dir, "two");
  assert_int_equal(mkdir(d1, 0700), 0);
  assert_int_equal(mkdir(d2, 0700), 0);
  struct cli c;
  demo_installation(&c, d1);
  assert_int_equal(demo_referrals(&c, 42, 300), EXIT_OK);

  DB_QUERY(Q_TOTAL, "SELECT COUNT(*) FROM referrals");
  assert_int_equal(demo_count(c.db, &Q_TOTAL), 300);
  static const char *const statuses[] = {"received", "triaged", "awaiting_signoff", "decided", "challenged"};
  DB_QUERY(Q_STATUS, "SELECT COUNT(*) FROM referrals WHERE status = $1");
  for (size_t i = 0; i < TU_COUNT(statuses); i++) {
    struct db_stmt *st = db_prepare(c.db, &Q_STATUS);
    db_bind_text(st, 1, statuses[i]);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t n = db_int(st, 0);
    db_reset(st);
    if (n < 3) fail_msg("only %lld demo referrals are %s", (long long)n, statuses[i]);
  }
  /* Consistent with the rules and the clock. */
  DB_QUERY(Q_OPEN_WITHOUT_WORK, "SELECT COUNT(*) FROM referrals r WHERE r.is_open = 1 AND NOT EXISTS (SELECT 1 FROM "
                                "deadlines d WHERE d.item_type = 'referral' AND d.item_id = r.id AND d.met_at IS NULL)");
  assert_int_equal(demo_count(c.db, &Q_OPEN_WITHOUT_WORK), 0);
  DB_QUERY(Q_CLOSED_WITH_WORK, "SELECT COUNT(*) FROM referrals r WHERE r.is_open = 0 AND EXISTS (SELECT 1 FROM "
                               "deadlines d WHERE d.item_type = 'referral' AND d.item_id = r.id AND d.met_at IS NULL)");
  assert_int_equal(demo_count(c.db, &Q_CLOSED_WITH_WORK), 0);
  DB_QUERY(Q_BAD_DUE, "SELECT COUNT(*) FROM referrals r WHERE r.is_open = 1 AND r.next_due_at <> (SELECT MIN(d.due_at) "
                      "FROM deadlines d WHERE d.item_type = 'referral' AND d.item_id = r.id AND d.met_at IS NULL)");
  assert_int_equal(demo_count(c.db, &Q_BAD_DUE), 0);
  DB_QUERY(Q_UNSIGNED, "SELECT COUNT(*) FROM referrals WHERE status = 'decided' AND outcome = 'no_further_action' "
                       "AND (rag = 'red' OR immediate_danger = 1) AND signed_off_at IS NULL");
  assert_int_equal(demo_count(c.db, &Q_UNSIGNED), 0);
  DB_QUERY(Q_DANGER_UNRATED, "SELECT COUNT(*) FROM referrals WHERE immediate_danger = 1 AND (rag IS NULL OR rag <> 'red')");
  assert_int_equal(demo_count(c.db, &Q_DANGER_UNRATED), 0);
  DB_QUERY(Q_OVERDUE, "SELECT COUNT(*) FROM deadlines WHERE item_type = 'referral' AND met_at IS NULL AND due_at < $1");
  struct db_stmt *st = db_prepare(c.db, &Q_OVERDUE);
  db_bind_int(st, 1, time_now());
  assert_int_equal(db_step(st), DB_ROW);
  int64_t overdue = db_int(st, 0);
  db_reset(st);
  assert_true(overdue > 0);
  DB_QUERY(Q_EVENTS, "SELECT COUNT(*) FROM referral_events");
  assert_true(demo_count(c.db, &Q_EVENTS) >= 300);
  DB_QUERY(Q_AUDITED, "SELECT COUNT(*) FROM audit_log WHERE action = 'referral.create'");
  assert_int_equal(demo_count(c.db, &Q_AUDITED), 300);
  json_t *first = demo_summary(c.db);
  for (size_t i = 0; i < json_array_size(first); i++) {
    char ref[32];
    sscanf(json_string_value(json_array_get(first, i)), "%31s", ref);
    assert_true(referral_reference_valid(ref));
  }
  cli_close(&c);

  /* The same seed and children give the same referrals. */
  demo_installation(&c, d2);
  assert_int_equal(demo_referrals(&c, 42, 300), EXIT_OK);
  json_t *second = demo_summary(c.db);
  assert_true(json_equal(first, second));
  cli_close(&c);
  json_decref(first);
  json_decref(second);
  tu_rmtree(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_status_names),   cmocka_unit_test(test_transitions),
      cmocka_unit_test(test_rag_hours),      cmocka_unit_test(test_cse_indicators),
      cmocka_unit_test(test_signoff_rule),   cmocka_unit_test(test_deadline_kinds),
      cmocka_unit_test(test_references),     cmocka_unit_test(test_match_exact),
      cmocka_unit_test(test_match_near),     cmocka_unit_test(test_match_against),
      cmocka_unit_test(test_demo_referrals),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
