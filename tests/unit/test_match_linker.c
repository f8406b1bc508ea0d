/*
** Unit tests for the linkage pipeline (core/match/linker.h) on synthetic
** people (core/match/synth.h): the generator is deterministic for a seed;
** training and scoring give the same model and pairs on one thread and on
** several; deduplication finds the true pairs well; linking pairs only A
** with B; a saved model scores as the trained one; too little data is refused.
*/
#include "testutil.h"

#include "core/match/linker.h"
#include "core/match/names.h"
#include "core/match/synth.h"
#include "util/embedded.h"
#include "util/xalloc.h"

#define RECORDS 4000

struct data {
  struct synth *s;
  struct match_record *rec;
  size_t n;
};

/* Makes and prepares RECORDS synthetic records for SEED. */
static void make(struct data *d, uint64_t seed) {
  const struct embedded_file *t = embedded_find("synth_names.csv");
  assert_non_null(t);
  char err[256];
  d->s = synth_new(RECORDS, seed, t->data, t->len, err, sizeof err);
  if (!d->s) fail_msg("synth: %s", err);
  const struct embedded_file *g = embedded_find("nicknames.csv");
  assert_non_null(g);
  synth_add_groups(d->s, g->data, g->len);
  d->n = synth_count(d->s);
  assert_int_equal(d->n, RECORDS);
  d->rec = xmalloc(d->n * sizeof *d->rec);
  for (size_t i = 0; i < d->n; i++) {
    struct synth_row r;
    synth_row(d->s, i, &r);
    struct match_input in = {r.id, r.first_name, r.last_name, r.date_of_birth, r.gender,
                             r.address, r.postcode, r.phone, r.nhs_number};
    unsigned warn = 0;
    char why[128];
    if (match_prepare(match_names_default(), &in, &d->rec[i], &warn, why, sizeof why) != 0) fail_msg("%s: %s", r.id, why);
  }
}

/* Frees what make() allocated. */
static void drop(struct data *d) {
  synth_free(d->s);
  free(d->rec);
}

/* The same seed gives the same rows; another seed others. */
static void test_synth_deterministic(void **state) {
  (void)state;
  const struct embedded_file *t = embedded_find("synth_names.csv");
  char err[256];
  struct synth *a = synth_new(500, 9, t->data, t->len, err, sizeof err);
  struct synth *b = synth_new(500, 9, t->data, t->len, err, sizeof err);
  struct synth *c = synth_new(500, 10, t->data, t->len, err, sizeof err);
  assert_non_null(a);
  size_t differ = 0;
  for (size_t i = 0; i < 500; i++) {
    struct synth_row x, y, z;
    synth_row(a, 499 - i, &x); /* rows can be made in any order */
    synth_row(b, 499 - i, &y);
    synth_row(c, 499 - i, &z);
    assert_memory_equal(&x, &y, sizeof x);
    assert_int_equal(synth_person(a, 499 - i), synth_person(b, 499 - i));
    differ += memcmp(&x, &z, sizeof x) != 0;
    int32_t dob;
    assert_true(match_parse_date(x.date_of_birth, &dob) >= 0); /* never an impossible date */
  }
  assert_true(differ > 400);
  synth_free(a);
  synth_free(b);
  synth_free(c);
  assert_null(synth_new(10, 1, "kind,group,name,weight\n", 23, err, sizeof err));
}

/* Pairwise precision and recall of PAIRS against the generator's truth. */
static void score(const struct data *d, const struct match_pair *p, size_t np, double *precision, double *recall) {
  size_t correct = 0, truth = 0;
  for (size_t k = 0; k < np; k++) correct += synth_person(d->s, p[k].a) == synth_person(d->s, p[k].b);
  for (size_t i = 0; i < d->n; i++)
    for (size_t j = i + 1; j < d->n; j++) truth += synth_person(d->s, i) == synth_person(d->s, j);
  *precision = np ? (double)correct / np : 0;
  *recall = truth ? (double)correct / truth : 0;
}

/* One thread and three: the same model and the same pairs, and they are good ones. */
static void test_dedupe_threads(void **state) {
  (void)state;
  struct data d;
  make(&d, 21);
  struct match_options o;
  match_options_default(&o);
  struct match_pair *p[2];
  size_t np[2];
  char id[2][17];
  for (int k = 0; k < 2; k++) {
    o.threads = k ? 3 : 1;
    struct match_linker *lk = match_linker_new(d.rec, d.n, d.n, false, &o);
    char err[256];
    struct match_model *m = match_linker_train(lk, err, sizeof err);
    if (!m) fail_msg("train: %s", err);
    snprintf(id[k], sizeof id[k], "%s", m->id);
    np[k] = match_linker_predict(lk, m, &p[k]);
    struct match_stats st;
    match_linker_stats(lk, &st);
    assert_int_equal(st.matched_pairs, np[k]);
    assert_true(st.candidate_pairs > np[k]);
    match_model_free(m);
    match_linker_free(lk);
  }
  assert_string_equal(id[0], id[1]);
  assert_int_equal(np[0], np[1]);
  assert_memory_equal(p[0], p[1], np[0] * sizeof *p[0]);
  double precision, recall;
  score(&d, p[0], np[0], &precision, &recall);
  if (precision < 0.85 || recall < 0.9) fail_msg("precision %.3f recall %.3f", precision, recall);
  for (size_t k = 1; k < np[0]; k++)
    assert_true(p[0][k - 1].a < p[0][k].a || (p[0][k - 1].a == p[0][k].a && p[0][k - 1].b < p[0][k].b));
  free(p[0]);
  free(p[1]);
  drop(&d);
}

/* Linking the first half to the second: every pair joins A to B; a saved model scores the same. */
static void test_link_and_saved_model(void **state) {
  (void)state;
  struct data d;
  make(&d, 22);
  struct match_options o;
  match_options_default(&o);
  o.threads = 2;
  size_t na = d.n / 2;
  struct match_linker *lk = match_linker_new(d.rec, d.n, na, true, &o);
  assert_int_equal(match_linker_total_pairs(lk), (uint64_t)na * (d.n - na));
  char err[256];
  struct match_model *m = match_linker_train(lk, err, sizeof err);
  assert_non_null(m);
  struct match_pair *p;
  size_t np = match_linker_predict(lk, m, &p);
  assert_true(np > 100);
  for (size_t k = 0; k < np; k++) {
    assert_true(p[k].a < na);
    assert_true(p[k].b >= na);
    assert_true(match_probability(p[k].weight) >= o.threshold);
  }
  char *json = match_model_to_json(m);
  struct match_model *back = match_model_from_json(json, strlen(json), err, sizeof err);
  assert_non_null(back);
  struct match_pair *q;
  size_t nq = match_linker_predict(lk, back, &q);
  assert_int_equal(nq, np);
  assert_memory_equal(p, q, np * sizeof *p);
  free(q);
  free(json);
  match_model_free(back);
  free(p);
  match_model_free(m);
  match_linker_free(lk);
  drop(&d);
}

/* One record, or linking against an empty file, leaves nothing to train on. */
static void test_too_little(void **state) {
  (void)state;
  struct data d;
  make(&d, 23);
  struct match_options o;
  match_options_default(&o);
  char err[256] = "";
  struct match_linker *lk = match_linker_new(d.rec, 1, 1, false, &o);
  assert_null(match_linker_train(lk, err, sizeof err));
  assert_non_null(strstr(err, "too few records"));
  match_linker_free(lk);
  lk = match_linker_new(d.rec, 10, 10, true, &o);
  assert_null(match_linker_train(lk, err, sizeof err));
  match_linker_free(lk);
  drop(&d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_synth_deterministic),
      cmocka_unit_test(test_dedupe_threads),
      cmocka_unit_test(test_link_and_saved_model),
      cmocka_unit_test(test_too_little),
  };
  return cmocka_run_group_tests_name("match_linker", tests, NULL, NULL);
}
