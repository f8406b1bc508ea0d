/*
** Unit tests for EM (core/match/em.h) and the prior from deterministic
** rules (core/match/linker.h): vector counts merge and sort; EM recovers
** known m, u and share of matches from counts made exactly from them, with
** u free or held fixed and with a field left out; the prior is the rule
** matches over their recall and over all pairs.
*/
#include "testutil.h"

#include <math.h>
#include "core/match/em.h"
#include "core/match/linker.h"

/* The true parameters of a constructed population over three fields. */
static const double TM[3][7] = {{1, 0.85, 0.06, 0.03, 0.02, 0.02, 0.02},
                                {1, 0.80, 0.05, 0.08, 0.03, 0.02, 0.02},
                                {1, 0.90, 0.02, 0.05, 0.02, 0.01, 0}};
static const double TU[3][7] = {{1, 0.01, 0.005, 0.01, 0.02, 0.05, 0.905},
                                {1, 0.02, 0.01, 0.02, 0.03, 0.07, 0.85},
                                {1, 0.001, 0.0005, 0.01, 0.05, 0.9385, 0}};
static const int FIELDS[3] = {MF_FIRST, MF_LAST, MF_DOB};
#define LAMBDA 0.2

/* Counts of every vector over the three fields, as expected among N pairs. */
static size_t population(struct match_vec_count *out, double n, int fixed_dob) {
  size_t k = 0;
  for (int a = 1; a < NAME_LEVELS; a++)
    for (int b = 1; b < NAME_LEVELS; b++)
      for (int c = 1; c < DOB_LEVELS; c++) {
        if (fixed_dob && c != DOB_EXACT) continue;
        double pm = LAMBDA * TM[0][a] * TM[1][b] * (fixed_dob ? 1.0 : TM[2][c]);
        double pu = (1 - LAMBDA) * TU[0][a] * TU[1][b] * (fixed_dob ? 1.0 : TU[2][c]);
        match_vec v = 0;
        v = VEC_SET(v, MF_FIRST, a);
        v = VEC_SET(v, MF_LAST, b);
        v = VEC_SET(v, MF_DOB, c);
        out[k++] = (struct match_vec_count){v, (uint64_t)llround(n * (pm + pu))};
      }
  return k;
}

/* Starting u: the truth blurred, so EM has somewhere to go. */
static void start_u(double u[MF_COUNT][MATCH_MAX_LEVELS]) {
  for (int f = 0; f < MF_COUNT; f++)
    for (int l = 0; l < MATCH_MAX_LEVELS; l++) u[f][l] = l ? 1.0 / (match_field_levels(f) - 1) : 1.0;
  for (int i = 0; i < 3; i++)
    for (int l = 1; l < match_field_levels(FIELDS[i]); l++) u[FIELDS[i]][l] = 0.7 * TU[i][l] + 0.3 / 6;
}

/* With u free, EM finds the share of matches, m and u of every level. */
static void test_em_recovers(void **state) {
  (void)state;
  struct match_vec_count d[256];
  size_t n = population(d, 1e8, 0);
  double u[MF_COUNT][MATCH_MAX_LEVELS];
  start_u(u);
  struct match_em em;
  match_em_init(&em, (const double(*)[MATCH_MAX_LEVELS])u);
  bool est[MF_COUNT];
  for (int f = 0; f < MF_COUNT; f++) est[f] = true;
  match_em_run(&em, d, n, est, false, 2000, 1e-10);
  assert_true(em.converged);
  assert_float_equal(em.lambda, LAMBDA, 0.002);
  for (int i = 0; i < 3; i++) {
    for (int l = 1; l < match_field_levels(FIELDS[i]); l++) {
      double tm = TM[i][l] < EM_M_FLOOR ? EM_M_FLOOR : TM[i][l];
      assert_float_equal(em.m[FIELDS[i]][l], tm, 0.003);
      assert_float_equal(em.u[FIELDS[i]][l], TU[i][l], 0.003);
    }
    assert_float_equal(em.present[FIELDS[i]], 1.0, 1e-9);
  }
}

/* With u held at the truth and the date left out (every pair agrees on it), EM finds m and lambda. */
static void test_em_fixed_u_session(void **state) {
  (void)state;
  struct match_vec_count d[256];
  size_t n = population(d, 1e8, 1);
  double u[MF_COUNT][MATCH_MAX_LEVELS];
  start_u(u);
  for (int i = 0; i < 2; i++)
    for (int l = 1; l < NAME_LEVELS; l++) u[FIELDS[i]][l] = TU[i][l];
  struct match_em em;
  match_em_init(&em, (const double(*)[MATCH_MAX_LEVELS])u);
  double dob_before[MATCH_MAX_LEVELS];
  memcpy(dob_before, em.m[MF_DOB], sizeof dob_before);
  bool est[MF_COUNT];
  for (int f = 0; f < MF_COUNT; f++) est[f] = f != MF_DOB;
  match_em_run(&em, d, n, est, true, 2000, 1e-10);
  assert_float_equal(em.lambda, LAMBDA, 0.002);
  for (int i = 0; i < 2; i++)
    for (int l = 1; l < NAME_LEVELS; l++) {
      assert_float_equal(em.m[FIELDS[i]][l], TM[i][l], 0.003);
      assert_true(em.u[FIELDS[i]][l] == TU[i][l]); /* held */
    }
  assert_memory_equal(em.m[MF_DOB], dob_before, sizeof dob_before); /* left out */
}

/* Counting: adds, merges and sorts by vector, whatever the insertion order. */
static void test_vec_counts(void **state) {
  (void)state;
  struct vec_counts a, b;
  vec_counts_init(&a);
  vec_counts_init(&b);
  for (uint32_t i = 0; i < 5000; i++) vec_counts_add(&a, i % 777, 1);
  for (uint32_t i = 5000; i-- > 0;) vec_counts_add(&b, i % 777, 2);
  vec_counts_add(&b, 0, 5); /* vector 0 (all missing) is a vector like any other */
  vec_counts_merge(&a, &b);
  struct match_vec_count *d;
  size_t n = vec_counts_sorted(&a, &d);
  assert_int_equal(n, 777);
  uint64_t total = 0;
  for (size_t k = 0; k < n; k++) {
    if (k) assert_true(d[k - 1].v < d[k].v);
    total += d[k].n;
  }
  assert_int_equal(total, 5000 * 3 + 5);
  assert_int_equal(d[0].v, 0);
  free(d);
  vec_counts_free(&a);
  vec_counts_free(&b);
}

/* The prior: pairs meeting the rules over the rules' recall under m, over every pair. */
static void test_prior_from_rules(void **state) {
  (void)state;
  struct match_em em;
  memset(&em, 0, sizeof em);
  for (int f = 0; f < MF_COUNT; f++) em.present[f] = 1.0;
  em.m[MF_FIRST][NAME_EXACT] = 0.8;
  em.m[MF_LAST][NAME_EXACT] = 0.9;
  em.m[MF_DOB][DOB_EXACT] = 0.5;
  em.present[MF_NHS] = 0.5;
  em.m[MF_NHS][NHS_EQUAL] = 0.8;
  match_vec det = 0, nhs = 0, other = 0;
  det = VEC_SET(VEC_SET(VEC_SET(det, MF_FIRST, NAME_EXACT), MF_LAST, NAME_EXACT), MF_DOB, DOB_EXACT);
  nhs = VEC_SET(nhs, MF_NHS, NHS_EQUAL);
  other = VEC_SET(VEC_SET(other, MF_FIRST, NAME_EXACT), MF_LAST, NAME_EXACT);
  struct match_vec_count d[] = {{other, 1000}, {nhs, 150}, {det, 450}};
  uint64_t pairs;
  double recall;
  double prior = match_prior_from_rules(&em, d, 3, 10000000, 1600, &pairs, &recall);
  assert_int_equal(pairs, 600);
  double want_recall = 1.0 - (1.0 - 0.4) * (1.0 - 0.36);
  assert_float_equal(recall, want_recall, 1e-12);
  assert_float_equal(prior, 600.0 / want_recall / 1e7, 1e-15);
  /* No pair meets a rule: EM's share of matches among the candidates stands in. */
  em.lambda = 0.25;
  prior = match_prior_from_rules(&em, d, 1, 10000000, 1600, &pairs, &recall);
  assert_int_equal(pairs, 0);
  assert_float_equal(prior, 0.25 * 1600 / 1e7, 1e-15);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_em_recovers),
      cmocka_unit_test(test_em_fixed_u_session),
      cmocka_unit_test(test_vec_counts),
      cmocka_unit_test(test_prior_from_rules),
  };
  return cmocka_run_group_tests_name("match_em", tests, NULL, NULL);
}
