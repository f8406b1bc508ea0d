/*
** Unit tests for blocking (core/match/block.h) and clustering
** (core/match/cluster.h): the rules' candidate pairs are united with no
** pair twice and none missing, oversized blocks are compared in windows,
** linking pairs only records from different files, and components with
** their weakest needed link are found whatever the order of the edges.
*/
#include "testutil.h"

#include "core/match/block.h"
#include "core/match/cluster.h"
#include "core/match/names.h"
#include "util/xalloc.h"

#define N 600

/* Records drawn from few values, so that blocks overlap a lot and some grow large. */
static struct match_record *records(size_t n) {
  static const char *const first[] = {"Ann", "Bill", "William", "Cara", "Dev"};
  static const char *const last[] = {"Smith", "Smyth", "Khan", "Okafor"};
  static const char *const dob[] = {"2010-01-02", "2010-02-01", "2011-05-06", "", "2012-12-12"};
  static const char *const pc[] = {"S1 2HH", "S1 2AB", "LS6 3QW", ""};
  static const char *const addr[] = {"1 High Street", "2 High Street", "1 High St", ""};
  struct match_record *r = xmalloc(n * sizeof *r);
  uint64_t s = 42;
  for (size_t i = 0; i < n; i++) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    unsigned x = (unsigned)(s >> 33);
    struct match_input in = {"x", first[x % 5], last[(x / 5) % 4], dob[(x / 20) % 5], "", addr[(x / 100) % 4],
                             pc[(x / 400) % 4], "", ""};
    unsigned warn = 0;
    char why[64];
    assert_int_equal(match_prepare(match_names_default(), &in, &r[i], &warn, why, sizeof why), 0);
  }
  return r;
}

struct seen {
  uint8_t *hit; /* N x N */
  size_t pairs, repeats, disordered;
};

/* Records one visited pair. */
static void visit(void *ctx, uint32_t a, uint32_t b) {
  struct seen *s = ctx;
  if (a >= b) s->disordered++;
  if (s->hit[(size_t)a * N + b]++) s->repeats++;
  s->pairs++;
}

/* Visits every task of the plan. */
static void run_all(const struct block_plan *p, struct seen *s) {
  s->hit = calloc((size_t)N * N, 1);
  s->pairs = s->repeats = s->disordered = 0;
  uint64_t visited = 0;
  for (size_t t = 0; t < p->ntasks; t++) visited += block_run_task(p, t, visit, s);
  assert_int_equal(visited, s->pairs);
}

/* The union of the rules without repeats equals the pairs any rule compares. */
static void check_union(size_t na, bool link, uint32_t max_block, uint32_t window) {
  struct match_record *r = records(N);
  struct block_plan p;
  block_plan_build(&p, r, N, na, link, match_block_rules, match_block_nrules, max_block, window, 3);
  struct seen s;
  run_all(&p, &s);
  assert_int_equal(s.repeats, 0);
  assert_int_equal(s.disordered, 0);
  size_t want = 0;
  for (uint32_t a = 0; a < N; a++)
    for (uint32_t b = a + 1; b < N; b++) {
      bool any = false;
      for (int k = 0; k < p.nrules && !any; k++) any = block_found_by(&p, k, a, b);
      if (link && (a < na) == (b < na)) any = false;
      if (any != (s.hit[(size_t)a * N + b] != 0)) fail_msg("pair %u,%u: found by a rule %d, visited %d", a, b, any, s.hit[(size_t)a * N + b]);
      want += any;
    }
  assert_int_equal(s.pairs, want);
  assert_true(want > 0);
  free(s.hit);
  block_plan_free(&p);
  free(r);
}

/* Deduplication with and without oversized blocks. */
static void test_union_dedupe(void **state) {
  (void)state;
  check_union(N, false, 1000, 50);
  check_union(N, false, 8, 4);
}

/* Linking: only pairs from different files. */
static void test_union_link(void **state) {
  (void)state;
  check_union(N / 3, true, 1000, 50);
  check_union(N / 3, true, 8, 4);
}

/* An oversized block compares each record with the next window-1 only, and says so. */
static void test_windows(void **state) {
  (void)state;
  struct match_record *r = records(N);
  struct block_plan p;
  block_plan_build(&p, r, N, N, false, match_block_rules, match_block_nrules, 10, 5, 1);
  bool some = false;
  for (int k = 0; k < p.nrules; k++) {
    if (!p.stats[k].oversized) continue;
    some = true;
    assert_true(p.stats[k].largest > 10);
    /* In an oversized block, records of ranks i and j are compared exactly when |i - j| < 5. */
    for (size_t x = 0; x + 1 < p.norder[k]; x++) {
      uint32_t a = p.order[k][x], b = p.order[k][x + 1];
      if (p.key[k][a] != p.key[k][b] || p.pos[k][a] == BLOCK_NOT_WINDOWED) continue;
      assert_true(block_found_by(&p, k, a, b));
      if (x + 5 < p.norder[k] && p.key[k][p.order[k][x + 5]] == p.key[k][a])
        assert_false(block_found_by(&p, k, a, p.order[k][x + 5]));
    }
  }
  assert_true(some);
  block_plan_free(&p);
  free(r);
}

/* The plan, and so every pair's order, is the same for any number of threads. */
static void test_plan_threads(void **state) {
  (void)state;
  struct match_record *r = records(N);
  struct block_plan p1, p4;
  block_plan_build(&p1, r, N, N, false, match_block_rules, match_block_nrules, 8, 4, 1);
  block_plan_build(&p4, r, N, N, false, match_block_rules, match_block_nrules, 8, 4, 4);
  assert_int_equal(p1.ntasks, p4.ntasks);
  for (int k = 0; k < p1.nrules; k++) {
    assert_int_equal(p1.norder[k], p4.norder[k]);
    assert_memory_equal(p1.order[k], p4.order[k], p1.norder[k] * sizeof(uint32_t));
  }
  block_plan_free(&p1);
  block_plan_free(&p4);
  free(r);
}

/* Components, sizes, weakest links and the weak flag. */
static void test_clusters(void **state) {
  (void)state;
  struct match_edge e[] = {{1, 2, 0.995}, {0, 1, 0.99},  {3, 4, 0.999}, {4, 5, 0.92},
                           {7, 8, 0.95},  {3, 5, 0.91},  {0, 2, 0.5},   {12, 3, 0.99}};
  struct match_clusters c;
  match_cluster(10, e, 7, 0.99, &c); /* the last edge names a record beyond 10 and is not given */
  assert_int_equal(c.ncluster, 3);
  assert_int_equal(c.cluster[0], 0);
  assert_int_equal(c.cluster[1], 0);
  assert_int_equal(c.cluster[2], 0);
  assert_int_equal(c.cluster[3], 1);
  assert_int_equal(c.cluster[5], 1);
  assert_int_equal(c.cluster[6], CLUSTER_NONE);
  assert_int_equal(c.cluster[7], 2);
  assert_int_equal(c.cluster[9], CLUSTER_NONE);
  assert_int_equal(c.size[0], 3);
  assert_int_equal(c.size[1], 3);
  assert_int_equal(c.size[2], 2);
  /* {0,1,2} needs only 0.99 and 0.995 (the 0.5 edge is not needed): strong. */
  assert_float_equal(c.weakest[0], 0.99, 1e-12);
  assert_false(c.weak[0]);
  /* {3,4,5} cannot do without a 0.92 link: held together by a weak link. */
  assert_float_equal(c.weakest[1], 0.92, 1e-12);
  assert_true(c.weak[1]);
  assert_true(c.weak[2]);
  assert_int_equal(c.nweak, 2);
  match_clusters_free(&c);
  /* Reversed order: the same clusters. */
  struct match_edge rev[7];
  for (int i = 0; i < 7; i++) rev[i] = e[6 - i];
  match_cluster(10, rev, 7, 0.99, &c);
  assert_int_equal(c.ncluster, 3);
  assert_float_equal(c.weakest[1], 0.92, 1e-12);
  assert_int_equal(c.cluster[8], 2);
  match_clusters_free(&c);
  match_cluster(12, e, 8, 0.5, &c);
  assert_int_equal(c.ncluster, 3);
  assert_int_equal(c.cluster[11], CLUSTER_NONE);
  assert_int_equal(c.nweak, 0);
  match_clusters_free(&c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_union_dedupe), cmocka_unit_test(test_union_link), cmocka_unit_test(test_windows),
      cmocka_unit_test(test_plan_threads), cmocka_unit_test(test_clusters),
  };
  return cmocka_run_group_tests_name("match_block", tests, NULL, NULL);
}
