/*
** Tests of CSE risk scoring (core/risk.c) driven by the shipped definition
** (config/risk-tool.json, as compiled in): weights by recency, score bands
** at their edges, the overriding rule for a disclosure, review intervals,
** which recency band an observation of a given age falls in, the checks of
** an assessment's input (unknown and repeated indicators, the child's view,
** professional judgement and when a lowering needs a countersignature), a
** manager's countersignature, what changed between two assessments, and
** that a partnership's own definition drives the same code differently.
*/
#include "testutil.h"
#include "core/risk.h"
#include "core/risk_tool.h"
#include "util/embedded.h"
#include "util/timeutil.h"

static struct risk_tool tool;

/* Loads the shipped tool once for every test. */
static int load_shipped(void **state) {
  (void)state;
  const struct embedded_file *f = embedded_find("risk-tool.json");
  if (!f) return -1;
  char err[400];
  return risk_tool_parse(f->data, f->len, &tool, err, sizeof err);
}

static int free_shipped(void **state) {
  (void)state;
  risk_tool_free(&tool);
  return 0;
}

/* The level code of index I in the shipped tool. */
static const char *level(int i) { return tool.levels[i].code; }

/* Scores OBS (N of them); fails the test when the tool refuses them. */
static struct risk_result score(const struct risk_obs *obs, int n) {
  struct risk_result res;
  assert_int_equal(risk_compute(&tool, obs, n, &res), 0);
  return res;
}

static void test_shipped_definition(void **state) {
  (void)state;
  assert_string_equal(tool.version, "2026.1");
  assert_true(tool.nindicators >= 30);
  assert_int_equal(tool.nindicators, 35);
  assert_int_equal(tool.ngroups, 3);
  assert_int_equal(tool.nrecency, 2);
  assert_int_equal(tool.nlevels, 4);
  assert_int_equal(tool.ntypes, 4);
  assert_non_null(risk_tool_type_label(&tool, "online"));
  assert_string_equal(tool.missing_episode_indicator, "S01");
  /* Every indicator has a plain-English label and guidance. */
  for (int i = 0; i < tool.nindicators; i++) {
    assert_true(strlen(tool.indicators[i].label) > 3);
    assert_non_null(tool.indicators[i].guidance);
  }
  /* Reviews by level: highest monthly, middle every six weeks, lowest every three months. */
  assert_int_equal(risk_tool_level(&tool, "high")->review_days, 30);
  assert_int_equal(risk_tool_level(&tool, "medium")->review_days, 42);
  assert_int_equal(risk_tool_level(&tool, "low")->review_days, 91);
  assert_int_equal(risk_tool_level(&tool, "no_apparent_risk")->review_days, 91);
}

/* Vulnerabilities score 1 at any recency; moderate indicators only when recent; significant 5, or 1 when older. */
static void test_weights_by_recency(void **state) {
  (void)state;
  struct risk_obs v[] = {{"V01", 0}, {"V02", 1}};
  assert_int_equal(score(v, 2).score, 2);
  struct risk_obs m[] = {{"M01", 0}, {"M02", 1}};
  assert_int_equal(score(m, 2).score, 1);
  struct risk_obs s[] = {{"S01", 0}, {"S02", 1}};
  assert_int_equal(score(s, 2).score, 6);
  struct risk_obs none[] = {{"V01", 0}};
  assert_int_equal(score(none, 0).score, 0);
  assert_string_equal(level(score(none, 0).computed), "no_apparent_risk");
}

/* The bands at their edges: 0-5, 6-10, 11-15, 16 and over. */
static void test_bands(void **state) {
  (void)state;
  static const struct {
    int score;
    const char *level;
  } cases[] = {{0, "no_apparent_risk"}, {5, "no_apparent_risk"}, {6, "low"},   {10, "low"},
               {11, "medium"},          {15, "medium"},          {16, "high"}, {175, "high"}};
  for (size_t i = 0; i < TU_COUNT(cases); i++) assert_string_equal(level(risk_band(&tool, cases[i].score)), cases[i].level);
  /* Through the scoring itself: three significant (15) is medium; a fourth vulnerability makes 16, high. */
  struct risk_obs obs[] = {{"S01", 0}, {"S02", 0}, {"S03", 0}, {"V01", 0}};
  struct risk_result r = score(obs, 3);
  assert_int_equal(r.score, 15);
  assert_string_equal(level(r.computed), "medium");
  r = score(obs, 4);
  assert_int_equal(r.score, 16);
  assert_string_equal(level(r.computed), "high");
  assert_int_equal(r.rule, -1);
}

/* Any disclosure of sexual exploitation means high risk at once, whatever the score or recency. */
static void test_disclosure_overrides(void **state) {
  (void)state;
  struct risk_obs d[] = {{"S09", 1}};
  struct risk_result r = score(d, 1);
  assert_int_equal(r.score, 5);
  assert_string_equal(level(r.band), "no_apparent_risk");
  assert_string_equal(level(r.computed), "high");
  assert_true(r.rule >= 0);
  assert_string_equal(tool.overrides[r.rule].indicator, "S09");
  assert_string_equal(level(r.floor), "high");
  /* When the score already reaches high, the rule sets the floor but did not raise the level. */
  struct risk_obs many[] = {{"S09", 0}, {"S01", 0}, {"S02", 0}, {"S03", 0}};
  r = score(many, 4);
  assert_string_equal(level(r.computed), "high");
  assert_int_equal(r.rule, -1);
  assert_string_equal(level(r.floor), "high");
}

static void test_unknown_refused(void **state) {
  (void)state;
  struct risk_result r;
  struct risk_obs bad[] = {{"Z99", 0}};
  assert_int_equal(risk_compute(&tool, bad, 1, &r), -1);
  struct risk_obs rec[] = {{"S01", 2}};
  assert_int_equal(risk_compute(&tool, rec, 1, &r), -1);
  assert_int_equal(r.score, 0);
}

static void test_review_due(void **state) {
  (void)state;
  int64_t at = 1796029200; /* 2026-11-30T09:00:00Z */
  assert_true(risk_review_due(&tool, risk_tool_level_index(&tool, "high"), at) == at + 30 * 86400LL);
  assert_true(risk_review_due(&tool, risk_tool_level_index(&tool, "medium"), at) == at + 42 * 86400LL);
  assert_true(risk_review_due(&tool, risk_tool_level_index(&tool, "low"), at) == at + 91 * 86400LL);
}

static int64_t iso(const char *s) {
  int64_t t;
  assert_true(time_parse_iso(s, &t));
  return t;
}

/* Within 6 calendar months is "current", within 12 "6 to 12 months ago", older falls in no band. */
static void test_recency_for_age(void **state) {
  (void)state;
  int64_t now = iso("2026-11-30T12:00:00Z");
  assert_int_equal(risk_recency_for_age(&tool, iso("2026-11-29T12:00:00Z"), now), 0);
  assert_int_equal(risk_recency_for_age(&tool, iso("2026-05-30T12:00:00Z"), now), 0);
  assert_int_equal(risk_recency_for_age(&tool, iso("2026-05-30T11:59:59Z"), now), 1);
  assert_int_equal(risk_recency_for_age(&tool, iso("2025-11-30T12:00:00Z"), now), 1);
  assert_int_equal(risk_recency_for_age(&tool, iso("2025-11-30T11:59:59Z"), now), -1);
  assert_int_equal(risk_recency_for_age(&tool, iso("2027-01-01T00:00:00Z"), now), 0); /* a future date counts as now */
  /* 31 August minus six months is the end of February. */
  int64_t aug = iso("2026-08-31T10:00:00Z");
  assert_int_equal(risk_recency_for_age(&tool, iso("2026-02-28T10:00:00Z"), aug), 0);
  assert_int_equal(risk_recency_for_age(&tool, iso("2026-02-27T10:00:00Z"), aug), 1);
}

/* Checks INPUT (JSON text) as an assessor (a manager when MANAGER); returns whether it passed. */
static bool check(const char *input, bool manager, struct field_errors *errs, struct risk_decision *d, json_t **out) {
  json_t *in = tu_json(input);
  ferr_init(errs);
  bool ok = risk_input_check(&tool, in, manager, errs, d);
  if (out) *out = in;
  else json_decref(in);
  return ok;
}

static void test_input_valid(void **state) {
  (void)state;
  struct field_errors e;
  struct risk_decision d;
  json_t *in;
  assert_true(check("{\"indicators\":[{\"code\":\"S01\",\"evidence\":\"  Missing three times  \"},"
                    "{\"code\":\"V05\",\"evidence\":\"Police call-outs\",\"recency\":\"6_12_months\",\"source_agency\":\"HFP\"}],"
                    "\"childs_words\":\"  I'm fine  \",\"exploitation_types\":[\"peer\",\"online\"]}",
                    false, &e, &d, &in));
  assert_false(ferr_any(&e));
  assert_int_equal(d.result.score, 6);
  assert_string_equal(level(d.final), "low");
  assert_int_equal(d.judged, -1);
  assert_int_equal(d.countersign, RISK_CS_NOT_NEEDED);
  /* Text is trimmed and the recency filled in. */
  json_t *first = json_array_get(json_object_get(in, "indicators"), 0);
  assert_string_equal(json_string_value(json_object_get(first, "evidence")), "Missing three times");
  assert_string_equal(json_string_value(json_object_get(first, "recency")), "current");
  assert_string_equal(json_string_value(json_object_get(in, "childs_words")), "I'm fine");
  json_decref(in);
  ferr_free(&e);
  /* No indicators at all, with the reason the child's view could not be gathered. */
  assert_true(check("{\"indicators\":[],\"childs_view_not_gathered_reason\":\"Missing at the time\"}", false, &e, &d, NULL));
  assert_string_equal(level(d.final), "no_apparent_risk");
  ferr_free(&e);
}

static void test_input_indicators_refused(void **state) {
  (void)state;
  struct field_errors e;
  struct risk_decision d;
  assert_false(check("{\"indicators\":[{\"code\":\"S01\",\"evidence\":\"a\"},{\"code\":\"Z99\",\"evidence\":\"b\"},"
                     "{\"code\":\"S01\",\"evidence\":\"c\"},{\"code\":\"M01\",\"evidence\":\"  \"},"
                     "{\"code\":\"M02\",\"evidence\":\"d\",\"recency\":\"last_year\"},{\"code\":\"M03\",\"evidence\":\"e\",\"colour\":1}],"
                     "\"childs_words\":\"x\",\"mood\":\"calm\"}",
                     false, &e, &d, NULL));
  assert_non_null(strstr(ferr_get(&e, "indicators[1].code"), "not an indicator"));
  assert_non_null(strstr(ferr_get(&e, "indicators[2].code"), "listed twice"));
  assert_string_equal(ferr_get(&e, "indicators[3].evidence"), "is required");
  assert_string_equal(ferr_get(&e, "indicators[4].recency"), "must be one of: current, 6_12_months");
  assert_string_equal(ferr_get(&e, "indicators[5].colour"), "is not a recognised field");
  assert_string_equal(ferr_get(&e, "mood"), "is not a recognised field");
  assert_null(ferr_get(&e, "indicators[0].code"));
  ferr_free(&e);
  assert_false(check("{\"childs_words\":\"x\"}", false, &e, &d, NULL));
  assert_string_equal(ferr_get(&e, "indicators"), "is required");
  ferr_free(&e);
  assert_false(check("{\"indicators\":[{\"evidence\":\"x\"}],\"childs_words\":\"x\",\"exploitation_types\":[\"peer\",\"peer\",\"cars\"]}",
                     false, &e, &d, NULL));
  assert_string_equal(ferr_get(&e, "indicators[0].code"), "is required");
  assert_non_null(strstr(ferr_get(&e, "exploitation_types[1]"), "twice"));
  assert_non_null(strstr(ferr_get(&e, "exploitation_types[2]"), "must be one of"));
  ferr_free(&e);
}

/* The child's own view is required: their words, or why they could not be gathered, and not both. */
static void test_childs_view(void **state) {
  (void)state;
  struct field_errors e;
  struct risk_decision d;
  assert_false(check("{\"indicators\":[]}", false, &e, &d, NULL));
  assert_non_null(strstr(ferr_get(&e, "childs_words"), "is required"));
  ferr_free(&e);
  assert_false(check("{\"indicators\":[],\"childs_words\":\"   \",\"childs_view_not_gathered_reason\":null}", false, &e, &d, NULL));
  assert_non_null(ferr_get(&e, "childs_words"));
  ferr_free(&e);
  assert_false(check("{\"indicators\":[],\"childs_words\":\"hi\",\"childs_view_not_gathered_reason\":\"asleep\"}", false, &e,
                     &d, NULL));
  assert_non_null(ferr_get(&e, "childs_view_not_gathered_reason"));
  ferr_free(&e);
}

#define THREE_SIG "{\"indicators\":[{\"code\":\"S01\",\"evidence\":\"a\"},{\"code\":\"S02\",\"evidence\":\"b\"},{\"code\":\"S03\",\"evidence\":\"c\"}],\"childs_words\":\"w\""

static void test_judgement(void **state) {
  (void)state;
  struct field_errors e;
  struct risk_decision d;
  /* Raising needs a rationale, and comes into force at once. */
  assert_false(check(THREE_SIG ",\"professional_judgement\":{\"level\":\"high\"}}", false, &e, &d, NULL));
  assert_string_equal(ferr_get(&e, "professional_judgement.rationale"), "is required");
  ferr_free(&e);
  assert_false(check(THREE_SIG ",\"professional_judgement\":{\"level\":\"high\",\"rationale\":\"  \"}}", false, &e, &d, NULL));
  assert_string_equal(ferr_get(&e, "professional_judgement.rationale"), "is required");
  ferr_free(&e);
  assert_true(check(THREE_SIG ",\"professional_judgement\":{\"level\":\"high\",\"rationale\":\"Known group\"}}", false, &e, &d, NULL));
  assert_string_equal(level(d.result.computed), "medium");
  assert_string_equal(level(d.final), "high");
  assert_int_equal(d.countersign, RISK_CS_NOT_NEEDED);
  ferr_free(&e);
  /* A level the tool does not have. */
  assert_false(check(THREE_SIG ",\"professional_judgement\":{\"level\":\"severe\",\"rationale\":\"x\"}}", false, &e, &d, NULL));
  assert_string_equal(ferr_get(&e, "professional_judgement.level"), "must be one of: no_apparent_risk, low, medium, high");
  ferr_free(&e);
  /* Lowering by a practitioner without naming a manager is refused. */
  assert_false(check(THREE_SIG ",\"professional_judgement\":{\"level\":\"low\",\"rationale\":\"Resolved\"}}", false, &e, &d, NULL));
  assert_non_null(strstr(ferr_get(&e, "professional_judgement.countersign_by"), "countersignature"));
  ferr_free(&e);
  /* Naming one: it waits, and the tool's level stays in force meanwhile. */
  assert_true(check(THREE_SIG ",\"professional_judgement\":{\"level\":\"low\",\"rationale\":\"Resolved\",\"countersign_by\":\"mgr\"}}",
                    false, &e, &d, NULL));
  assert_int_equal(d.countersign, RISK_CS_AWAITING);
  assert_string_equal(level(d.final), "medium");
  assert_string_equal(level(d.judged), "low");
  assert_false(d.countersigned_by_assessor);
  assert_string_equal(level(risk_final_after_countersign(&d, true)), "low");
  assert_string_equal(level(risk_final_after_countersign(&d, false)), "medium");
  ferr_free(&e);
  /* A manager's own lowering is countersigned as it is made. */
  assert_true(check(THREE_SIG ",\"professional_judgement\":{\"level\":\"low\",\"rationale\":\"Resolved\"}}", true, &e, &d, NULL));
  assert_int_equal(d.countersign, RISK_CS_AGREED);
  assert_true(d.countersigned_by_assessor);
  assert_string_equal(level(d.final), "low");
  ferr_free(&e);
  /* Naming a countersigner when nothing is lowered is refused. */
  assert_false(check(THREE_SIG ",\"professional_judgement\":{\"level\":\"medium\",\"rationale\":\"Agree\",\"countersign_by\":\"mgr\"}}",
                     false, &e, &d, NULL));
  assert_non_null(strstr(ferr_get(&e, "professional_judgement.countersign_by"), "only for a level lower"));
  ferr_free(&e);
}

/* No judgement goes below the level a disclosure demands, not even a manager's. */
static void test_no_lowering_below_a_rule(void **state) {
  (void)state;
  struct field_errors e;
  struct risk_decision d;
  assert_false(check("{\"indicators\":[{\"code\":\"S09\",\"evidence\":\"She said so\"}],\"childs_words\":\"w\","
                     "\"professional_judgement\":{\"level\":\"medium\",\"rationale\":\"Withdrawn\"}}",
                     true, &e, &d, NULL));
  assert_non_null(strstr(ferr_get(&e, "professional_judgement.level"), "cannot be below High risk"));
  ferr_free(&e);
}

static void test_countersign_check(void **state) {
  (void)state;
  struct field_errors e;
  bool agree;
  json_t *in = tu_json("{}");
  ferr_init(&e);
  assert_false(risk_countersign_check(in, &e, &agree));
  assert_string_equal(ferr_get(&e, "decision"), "is required");
  ferr_free(&e);
  json_decref(in);
  in = tu_json("{\"decision\":\"maybe\"}");
  ferr_init(&e);
  assert_false(risk_countersign_check(in, &e, &agree));
  assert_string_equal(ferr_get(&e, "decision"), "must be agree or decline");
  ferr_free(&e);
  json_decref(in);
  in = tu_json("{\"decision\":\"decline\",\"comment\":\"  \"}");
  ferr_init(&e);
  assert_false(risk_countersign_check(in, &e, &agree));
  assert_non_null(strstr(ferr_get(&e, "comment"), "is required"));
  ferr_free(&e);
  json_decref(in);
  in = tu_json("{\"decision\":\"agree\"}");
  ferr_init(&e);
  assert_true(risk_countersign_check(in, &e, &agree));
  assert_true(agree);
  ferr_free(&e);
  json_decref(in);
  enum risk_countersign cs;
  assert_true(risk_countersign_parse("awaiting", &cs));
  assert_int_equal(cs, RISK_CS_AWAITING);
  assert_string_equal(risk_countersign_name(RISK_CS_DECLINED), "declined");
  assert_false(risk_countersign_parse("pending", &cs));
}

static void test_changes(void **state) {
  (void)state;
  json_t *before = tu_json("{\"id\":\"ra_1\",\"score\":6,\"level\":\"low\",\"computed_level\":\"low\",\"exploitation_types\":[\"peer\"],"
                           "\"indicators\":[{\"code\":\"S01\",\"recency\":\"current\"},{\"code\":\"V01\",\"recency\":\"current\"},"
                           "{\"code\":\"S04\",\"recency\":\"6_12_months\"}]}");
  json_t *after = tu_json("{\"id\":\"ra_2\",\"score\":16,\"level\":\"high\",\"computed_level\":\"high\",\"exploitation_types\":[\"online\"],"
                          "\"indicators\":[{\"code\":\"S01\",\"recency\":\"current\"},{\"code\":\"S04\",\"recency\":\"current\"},"
                          "{\"code\":\"S02\",\"recency\":\"current\"},{\"code\":\"M01\",\"recency\":\"current\"}]}");
  assert_null(risk_changes(&tool, NULL, after));
  json_t *c = risk_changes(&tool, before, after);
  assert_non_null(c);
  assert_string_equal(json_string_value(json_object_get(c, "from")), "ra_1");
  assert_string_equal(json_string_value(json_object_get(json_object_get(c, "level"), "to")), "high");
  assert_int_equal(json_integer_value(json_object_get(json_object_get(c, "score"), "from")), 6);
  json_t *added = json_object_get(c, "added"), *removed = json_object_get(c, "removed");
  json_t *moved = json_object_get(c, "recency_changed");
  assert_int_equal(json_array_size(added), 2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(added, 0), "code")), "S02");
  assert_string_equal(json_string_value(json_object_get(json_array_get(added, 0), "label")),
                      "Relationship with a controlling or much older adult");
  assert_int_equal(json_array_size(removed), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(removed, 0), "code")), "V01");
  assert_int_equal(json_array_size(moved), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(moved, 0), "from")), "6_12_months");
  assert_int_equal(json_integer_value(json_object_get(c, "unchanged")), 1);
  json_t *types = json_object_get(c, "exploitation_types");
  assert_string_equal(json_string_value(json_array_get(json_object_get(types, "added"), 0)), "online");
  assert_string_equal(json_string_value(json_array_get(json_object_get(types, "removed"), 0)), "peer");
  json_decref(c);
  json_decref(before);
  json_decref(after);
}

/* A partnership's own definition: other weights, three recency bands, other bands and rule, same code. */
static void test_own_definition(void **state) {
  (void)state;
  static const char def[] =
      "{\"name\":\"Other tool\",\"version\":\"7\",\"groups\":[{\"code\":\"g\",\"label\":\"G\"}],"
      "\"recency\":[{\"code\":\"now\",\"label\":\"Now\",\"within_months\":3},{\"code\":\"recent\",\"label\":\"Recent\",\"within_months\":6},"
      "{\"code\":\"old\",\"label\":\"Old\"}],"
      "\"indicators\":[{\"code\":\"A\",\"group\":\"g\",\"label\":\"A\",\"weight\":{\"now\":3,\"recent\":2,\"old\":1}},"
      "{\"code\":\"B\",\"group\":\"g\",\"label\":\"B\",\"weight\":{\"now\":4,\"recent\":0,\"old\":0}}],"
      "\"levels\":[{\"code\":\"green\",\"label\":\"Green\",\"min_score\":0,\"review_days\":60},"
      "{\"code\":\"red\",\"label\":\"Red\",\"min_score\":5,\"review_days\":7}],"
      "\"overrides\":[{\"indicator\":\"B\",\"level\":\"red\",\"reason\":\"B is always red\"}]}";
  struct risk_tool t;
  char err[300];
  assert_int_equal(risk_tool_parse(def, sizeof def - 1, &t, err, sizeof err), 0);
  struct risk_obs obs[] = {{"A", 0}, {"A", 2}};
  struct risk_result r;
  assert_int_equal(risk_compute(&t, obs, 1, &r), 0);
  assert_int_equal(r.score, 3);
  assert_string_equal(t.levels[r.computed].code, "green");
  struct risk_obs b[] = {{"B", 1}};
  assert_int_equal(risk_compute(&t, b, 1, &r), 0);
  assert_int_equal(r.score, 0);
  assert_string_equal(t.levels[r.computed].code, "red");
  int64_t now = 1796029200;
  assert_int_equal(risk_recency_for_age(&t, now - 200LL * 86400 * 12 / 12, now), 2); /* the last band has no limit */
  assert_int_equal(risk_recency_for_age(&t, now - 5LL * 86400, now), 0);
  assert_true(risk_review_due(&t, 1, now) == now + 7 * 86400LL);
  assert_int_equal(t.ntypes, 0);
  risk_tool_free(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_shipped_definition),   cmocka_unit_test(test_weights_by_recency),
      cmocka_unit_test(test_bands),                cmocka_unit_test(test_disclosure_overrides),
      cmocka_unit_test(test_unknown_refused),      cmocka_unit_test(test_review_due),
      cmocka_unit_test(test_recency_for_age),      cmocka_unit_test(test_input_valid),
      cmocka_unit_test(test_input_indicators_refused), cmocka_unit_test(test_childs_view),
      cmocka_unit_test(test_judgement),            cmocka_unit_test(test_no_lowering_below_a_rule),
      cmocka_unit_test(test_countersign_check),    cmocka_unit_test(test_changes),
      cmocka_unit_test(test_own_definition),
  };
  return cmocka_run_group_tests(tests, load_shipped, free_shipped);
}
