/*
** Unit tests for the Fellegi-Sunter model (core/match/model.h): weights
** from m and u, the prior, term-frequency adjustment (a common surname
** counts for less than a rare one), explanations that add up to the score,
** and saving and loading a model (round trip, refusal of other versions,
** fields or malformed values, rare names left out of the saved tables).
*/
#include "testutil.h"

#include <math.h>
#include "core/match/model.h"
#include "core/match/names.h"
#include "core/match/linker.h"
#include "util/embedded.h"
#include "util/xalloc.h"

/* A prepared record with the given names and date (other fields missing). */
static struct match_record rec(const char *first, const char *last, const char *dob) {
  struct match_input in = {"x", first, last, dob, "", "", "", "", ""};
  struct match_record r;
  unsigned warn = 0;
  char why[128];
  if (match_prepare(match_names_default(), &in, &r, &warn, why, sizeof why) != 0) fail_msg("%s", why);
  return r;
}

/* A model with hand-set parameters for the names and the date. */
static struct match_model *toy_model(void) {
  struct match_model *m = match_model_new();
  for (int f = MF_FIRST; f <= MF_LAST; f++) {
    double mm[] = {1, 0.8, 0.08, 0.05, 0.02, 0.02, 0.03};
    double uu[] = {1, 0.01, 0.002, 0.003, 0.01, 0.02, 0.955};
    memcpy(m->m[f], mm, sizeof mm);
    memcpy(m->u[f], uu, sizeof uu);
  }
  double dm[] = {1, 0.9, 0.02, 0.05, 0.02, 0.01};
  double du[] = {1, 0.0001, 0.00001, 0.001, 0.02, 0.97889};
  memcpy(m->m[MF_DOB], dm, sizeof dm);
  memcpy(m->u[MF_DOB], du, sizeof du);
  m->prior = 0.001;
  m->tf_min = 1e-4;
  match_model_finish(m);
  return m;
}

/* Weights are log2(m/u); the score is the prior's log-odds plus the levels' weights. */
static void test_weights_and_score(void **state) {
  (void)state;
  struct match_model *m = toy_model();
  assert_float_equal(m->w[MF_FIRST][NAME_EXACT], log2(0.8 / 0.01), 1e-12);
  assert_float_equal(m->w[MF_DOB][DOB_ELSE], log2(0.01 / 0.97889), 1e-12);
  assert_float_equal(m->w[MF_FIRST][0], 0.0, 0.0);
  assert_float_equal(m->prior_w, log2(0.001 / 0.999), 1e-12);
  m->tf_adjust[MF_FIRST] = m->tf_adjust[MF_LAST] = false;
  struct match_record a = rec("Ann", "Smith", "2001-02-03"), b = rec("Ann", "Smith", "2001-03-02");
  match_vec v = match_compare(&a, &b);
  double want = m->prior_w + m->w[MF_FIRST][NAME_EXACT] + m->w[MF_LAST][NAME_EXACT] + m->w[MF_DOB][DOB_SWAPPED];
  assert_float_equal(match_score(m, v, &a, &b), want, 1e-12);
  assert_float_equal(match_probability(0.0), 0.5, 1e-12);
  assert_float_equal(match_probability(match_weight_for(0.9)), 0.9, 1e-12);
  assert_true(match_probability(40) > 0.999999 && match_probability(-40) < 1e-6);
  match_model_free(m);
}

/* Agreeing on a common surname counts for less than agreeing on a rare one. */
static void test_term_frequency(void **state) {
  (void)state;
  struct match_model *m = toy_model();
  struct match_record r[6] = {rec("Ann", "Smith", ""), rec("Bob", "Smith", ""), rec("Cat", "Smith", ""),
                              rec("Dan", "Smith", ""), rec("Eve", "Zyborski", ""), rec("Fay", "Zyborski", "")};
  struct match_tf tf;
  match_tf_init(&tf);
  match_tf_count(&tf, r, 6);
  match_tf_apply(&tf, r, 6);
  assert_float_equal(r[0].last.tf, 4.0 / 6.0, 1e-6);
  assert_float_equal(r[4].last.tf, 2.0 / 6.0, 1e-6);
  struct match_record common = rec("Gus", "Smith", ""), rare = rec("Gus", "Zyborski", "");
  match_tf_apply(&tf, &common, 1);
  match_tf_apply(&tf, &rare, 1);
  double w_common = match_score(m, match_compare(&r[0], &common), &r[0], &common);
  double w_rare = match_score(m, match_compare(&r[4], &rare), &r[4], &rare);
  assert_true(w_rare > w_common);
  assert_float_equal(w_rare - w_common, log2(4.0 / 2.0), 1e-5);
  /* An unseen name counts as seen once; the floor caps a very rare name's weight. */
  struct match_record unseen = rec("Hal", "Quixote", "");
  match_tf_apply(&tf, &unseen, 1);
  assert_float_equal(unseen.last.tf, 1.0 / 6.0, 1e-6);
  m->tf_min = 0.5;
  double capped = match_score(m, match_compare(&r[4], &rare), &r[4], &rare);
  assert_float_equal(capped - w_rare, log2((2.0 / 6.0) / 0.5), 1e-5);
  match_tf_free(&tf);
  match_model_free(m);
}

/* An explanation's parts add up to its weight, and its JSON names every field. */
static void test_explanation(void **state) {
  (void)state;
  struct match_model *m = toy_model();
  struct match_record a = rec("Bill", "Jones", "1990-01-02"), b = rec("William", "Jones", "1990-01-02");
  struct match_tf tf;
  match_tf_init(&tf);
  match_tf_count(&tf, &a, 1);
  match_tf_count(&tf, &b, 1);
  match_tf_apply(&tf, &a, 1);
  match_tf_apply(&tf, &b, 1);
  struct match_explanation e;
  match_explain(m, &a, &b, &e);
  double sum = e.prior_weight;
  for (int f = 0; f < MF_COUNT; f++) sum += e.field[f].weight + e.field[f].tf_weight;
  assert_float_equal(sum, e.weight, 1e-9);
  assert_float_equal(e.probability, match_probability(e.weight), 1e-12);
  assert_int_equal(e.field[MF_FIRST].level, NAME_VARIANT);
  assert_int_equal(e.field[MF_LAST].level, NAME_EXACT);
  assert_true(e.field[MF_LAST].tf_weight != 0.0);
  json_t *j = match_explanation_json(&e, &a, &b);
  json_t *fields = json_object_get(j, "fields");
  assert_int_equal(json_array_size(fields), MF_COUNT);
  json_t *first = json_array_get(fields, MF_FIRST);
  assert_string_equal(json_string_value(json_object_get(first, "level")), "nickname or variant");
  assert_string_equal(json_string_value(json_object_get(first, "a")), "bill");
  assert_string_equal(json_string_value(json_object_get(first, "b")), "william");
  assert_string_equal(json_string_value(json_object_get(json_array_get(fields, MF_DOB), "b")), "1990-01-02");
  assert_float_equal(json_real_value(json_object_get(j, "match_weight")), e.weight, 1e-12);
  json_decref(j);
  match_tf_free(&tf);
  match_model_free(m);
}

/* Saved and loaded again, a model scores exactly the same and keeps its id. */
static void test_round_trip(void **state) {
  (void)state;
  struct match_model *m = toy_model();
  struct match_record r[12];
  for (int i = 0; i < 12; i++) r[i] = rec(i < 7 ? "Ann" : "Zed", i < 9 ? "Smith" : "Rare", "");
  match_tf_count(&m->tf, r, 12);
  m->training.records = 12;
  m->training.em_iterations = 7;
  match_model_finish(m);
  char *json = match_model_to_json(m);
  assert_non_null(json);
  assert_null(strstr(json, "\"rare\"")); /* seen fewer than MATCH_TF_SAVE_MIN times: left out */
  assert_non_null(strstr(json, "\"smith\""));
  char err[256];
  struct match_model *back = match_model_from_json(json, strlen(json), err, sizeof err);
  if (!back) fail_msg("load: %s", err);
  assert_string_equal(back->id, m->id);
  for (int f = 0; f < MF_COUNT; f++)
    for (int l = 1; l < match_field_levels(f); l++) {
      assert_true(back->m[f][l] == m->m[f][l]);
      assert_true(back->u[f][l] == m->u[f][l]);
    }
  assert_true(back->prior == m->prior);
  assert_int_equal(back->training.records, 12);
  assert_int_equal(back->training.em_iterations, 7);
  /* The saved frequencies: a common name as counted, a left-out name as seen twice. */
  struct match_record x = rec("Ann", "Smith", ""), y = rec("Zed", "Rare", "");
  match_tf_apply(&back->tf, &x, 1);
  match_tf_apply(&back->tf, &y, 1);
  assert_float_equal(x.last.tf, 9.0 / 12.0, 1e-6);
  assert_float_equal(y.last.tf, 2.0 / 12.0, 1e-6);
  char *again = match_model_to_json(back);
  assert_string_equal(again, json);
  free(again);
  free(json);
  match_model_free(back);
  match_model_free(m);
}

/* Loads TEXT, which must be refused with a reason containing WHY. */
static void refused(const char *text, const char *why) {
  char err[256] = "";
  struct match_model *m = match_model_from_json(text, strlen(text), err, sizeof err);
  if (m) fail_msg("accepted: %s", text);
  if (!strstr(err, why)) fail_msg("reason '%s' lacks '%s'", err, why);
}

/* Other formats, versions, fields, labels and out-of-range values are refused. */
static void test_refusals(void **state) {
  (void)state;
  struct match_model *m = toy_model();
  char *json = match_model_to_json(m);
  match_model_free(m);
  refused("not json", "not JSON");
  refused("{\"format\":\"something-else\",\"version\":1}", "not a Safehub linkage model");
  char *v2 = xstrdup(json);
  char *p = strstr(v2, "\"version\": 1");
  assert_non_null(p);
  p[11] = '9';
  refused(v2, "another version");
  free(v2);
  char *lab = xstrdup(json);
  p = strstr(lab, "day and month swapped");
  assert_non_null(p);
  memcpy(p, "day and month SWAPPED", 21);
  refused(lab, "level labels differ");
  free(lab);
  json_t *root = tu_json(json);
  json_object_set_new(root, "prior", json_real(-0.5));
  char *neg = json_dumps(root, 0);
  refused(neg, "prior");
  free(neg);
  json_object_set_new(root, "prior", json_real(0.001));
  json_array_remove(json_object_get(root, "fields"), 3);
  char *fewer = json_dumps(root, 0);
  refused(fewer, "fields");
  free(fewer);
  json_decref(root);
  free(json);
}

/* One incoming person against candidates, as the server would: best first, weak ones left out. */
static void test_rank(void **state) {
  (void)state;
  const struct embedded_file *f = embedded_find("linkage_model.json");
  char err[256];
  struct match_model *m = match_model_from_json(f->data, f->len, err, sizeof err);
  assert_non_null(m);
  struct match_record cand[4] = {rec("Jon", "Smith", "2010-01-02"), rec("John", "Smith", "2010-01-02"),
                                 rec("Zara", "Khan", "2001-07-08"), rec("John", "Smith", "2010-02-01")};
  struct match_record in = rec("John", "Smith", "2010-01-02");
  match_tf_apply(&m->tf, cand, 4);
  match_tf_apply(&m->tf, &in, 1);
  struct match_ranked out[4];
  size_t n = match_rank(m, &in, cand, 4, 0.5, out);
  assert_int_equal(n, 3);
  assert_int_equal(out[0].index, 1); /* exact */
  assert_true(out[0].weight > out[1].weight && out[1].weight >= out[2].weight);
  for (size_t i = 0; i < n; i++) {
    assert_int_not_equal(out[i].index, 2);
    assert_float_equal(out[i].probability, match_probability(out[i].weight), 1e-12);
  }
  assert_int_equal(match_rank(m, &in, cand, 4, 0.999999999, out) <= 1, 1);
  match_model_free(m);
}

/* The built-in model (config/linkage_model.json) loads: its fields and levels are this program's. */
static void test_builtin_model(void **state) {
  (void)state;
  const struct embedded_file *f = embedded_find("linkage_model.json");
  assert_non_null(f);
  char err[256] = "";
  struct match_model *m = match_model_from_json(f->data, f->len, err, sizeof err);
  if (!m) fail_msg("built-in model: %s", err);
  /* Sensible weights: exact agreement is evidence for, plain disagreement against. */
  assert_true(m->w[MF_DOB][DOB_EXACT] > 5.0 && m->w[MF_DOB][DOB_ELSE] < -3.0);
  assert_true(m->w[MF_FIRST][NAME_EXACT] > 3.0 && m->w[MF_FIRST][NAME_ELSE] < 0.0);
  assert_true(m->prior > 0.0 && m->prior < 0.01);
  assert_true(m->training.records >= MATCH_MIN_TRAIN_RECORDS);
  match_model_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_weights_and_score), cmocka_unit_test(test_term_frequency),
      cmocka_unit_test(test_explanation),       cmocka_unit_test(test_round_trip),
      cmocka_unit_test(test_refusals),          cmocka_unit_test(test_builtin_model),
      cmocka_unit_test(test_rank),
  };
  return cmocka_run_group_tests_name("match_model", tests, NULL, NULL);
}
