/*
** Tests of the network measures (core/network.c): degree, strength,
** betweenness and eigenvector centrality on hand-made graphs whose answers
** are known, communities numbered largest first and the same on every run,
** parallel edges merged, malformed graphs refused, measures taken from
** several threads at once, and the breadth-first search's order, depth and
** truncation.
*/
#include "testutil.h"
#include <math.h>
#include <pthread.h>
#include "core/network.h"

#define EPS 1e-6

/* Measures the graph of N nodes and the M edges E; fails the test if that fails. */
static void measure(int n, const struct net_edge *e, int m, struct net_measures *out) {
  struct net_graph g = {n, m, e};
  assert_int_equal(net_measure(&g, out), 0);
  assert_int_equal(out->n, n);
}

/* Asserts that the measures hold together: ranges, and groups numbered 0.. largest first, ties by lowest node. */
static void assert_consistent(const struct net_measures *m) {
  int *size = calloc((size_t)m->communities + 1, sizeof *size);
  int *first = malloc(((size_t)m->communities + 1) * sizeof *first);
  for (int c = 0; c < m->communities; c++) first[c] = m->n;
  for (int i = 0; i < m->n; i++) {
    assert_true(m->betweenness[i] >= 0 && m->betweenness[i] <= 1 + EPS);
    assert_true(m->eigenvector[i] >= 0 && m->eigenvector[i] <= 1 + EPS);
    assert_true(m->degree[i] >= 0);
    assert_true(m->strength[i] >= m->degree[i] - EPS); /* each weight in these tests is at least 1 */
    assert_in_range(m->community[i], 0, m->communities - 1);
    size[m->community[i]]++;
    if (i < first[m->community[i]]) first[m->community[i]] = i;
    if (m->degree[i] == 0) assert_true(m->eigenvector[i] == 0);
  }
  for (int c = 0; c < m->communities; c++) {
    assert_true(size[c] > 0);
    if (c > 0) assert_true(size[c - 1] > size[c] || (size[c - 1] == size[c] && first[c - 1] < first[c]));
  }
  free(size);
  free(first);
}

static void test_path(void **state) {
  (void)state;
  /* a - b - c: every shortest path between the ends passes b. */
  const struct net_edge e[] = {{0, 1, 1}, {1, 2, 2}};
  struct net_measures m;
  measure(3, e, 2, &m);
  assert_int_equal(m.degree[0], 1);
  assert_int_equal(m.degree[1], 2);
  assert_int_equal(m.degree[2], 1);
  assert_float_equal(m.strength[0], 1, EPS);
  assert_float_equal(m.strength[1], 3, EPS);
  assert_float_equal(m.strength[2], 2, EPS);
  assert_float_equal(m.betweenness[0], 0, EPS);
  assert_float_equal(m.betweenness[1], 1, EPS);
  assert_float_equal(m.betweenness[2], 0, EPS);
  assert_float_equal(m.eigenvector[1], 1, EPS);
  assert_true(m.eigenvector[0] > 0 && m.eigenvector[0] < 1);
  assert_true(m.eigenvector[2] > m.eigenvector[0]); /* the heavier tie counts for more */
  assert_consistent(&m);
  net_measures_free(&m);
  net_measures_free(&m); /* freeing twice is harmless */
  assert_null(m.degree);
}

static void test_path_unweighted_eigenvector(void **state) {
  (void)state;
  /* For the path of three the leading eigenvector is (1, sqrt 2, 1). */
  const struct net_edge e[] = {{0, 1, 1}, {1, 2, 1}};
  struct net_measures m;
  measure(3, e, 2, &m);
  assert_float_equal(m.eigenvector[0], 1 / sqrt(2), 1e-4);
  assert_float_equal(m.eigenvector[1], 1, EPS);
  assert_float_equal(m.eigenvector[2], 1 / sqrt(2), 1e-4);
  net_measures_free(&m);
}

static void test_star(void **state) {
  (void)state;
  /* Centre 2 with four leaves: it lies on all 6 leaf-to-leaf paths, the most any node can. */
  const struct net_edge e[] = {{2, 0, 1}, {2, 1, 1}, {3, 2, 1}, {2, 4, 1}};
  struct net_measures m;
  measure(5, e, 4, &m);
  for (int i = 0; i < 5; i++) {
    if (i == 2) {
      assert_int_equal(m.degree[i], 4);
      assert_float_equal(m.betweenness[i], 1, EPS);
      assert_float_equal(m.eigenvector[i], 1, EPS);
    } else {
      assert_int_equal(m.degree[i], 1);
      assert_float_equal(m.betweenness[i], 0, EPS);
      assert_float_equal(m.eigenvector[i], 0.5, 1e-4); /* 1 / sqrt(4 leaves) */
    }
  }
  assert_consistent(&m);
  net_measures_free(&m);
}

/* Edges of a clique on nodes FROM..TO-1 appended to E at *M. */
static void clique(struct net_edge *e, int *m, int from, int to) {
  for (int i = from; i < to; i++) {
    for (int j = i + 1; j < to; j++) e[(*m)++] = (struct net_edge){i, j, 1};
  }
}

/* A clique of 4 (nodes 0-3) and a clique of 6 (nodes 4-9) joined by the bridge 3-4. */
static int two_groups(struct net_edge *e) {
  int m = 0;
  clique(e, &m, 0, 4);
  clique(e, &m, 4, 10);
  e[m++] = (struct net_edge){3, 4, 1};
  return m;
}

static void test_two_communities(void **state) {
  (void)state;
  struct net_edge e[32];
  int m = two_groups(e);
  struct net_measures r;
  measure(10, e, m, &r);
  assert_int_equal(r.communities, 2);
  for (int i = 0; i < 4; i++) assert_int_equal(r.community[i], 1); /* the smaller group, though it has node 0 */
  for (int i = 4; i < 10; i++) assert_int_equal(r.community[i], 0);
  /* The bridge's ends carry every path between the groups. */
  for (int i = 0; i < 10; i++) {
    if (i != 3 && i != 4) {
      assert_true(r.betweenness[3] > r.betweenness[i]);
      assert_true(r.betweenness[4] > r.betweenness[i]);
    }
  }
  assert_int_equal(r.degree[3], 4);
  assert_int_equal(r.degree[4], 6);
  assert_consistent(&r);
  net_measures_free(&r);
}

/* xorshift64: a fixed stream of choices for the planted graphs below. */
static unsigned long long planted_state;
static int planted_pick(int n) {
  planted_state ^= planted_state << 13;
  planted_state ^= planted_state >> 7;
  planted_state ^= planted_state << 17;
  return (int)(planted_state % (unsigned long long)n);
}

/*
** GROUPS planted groups of 14 records (each a random tree with as many links
** again inside it), and 4% more links between records of different groups:
** how many groups are found and the largest.
*/
static void planted(int groups, int *found, int *largest) {
  const int size = 14;
  int n = groups * size, m = 0;
  struct net_edge *e = calloc((size_t)n * 3, sizeof *e);
  assert_non_null(e);
  planted_state = 88172645463325252ULL;
  for (int g = 0; g < groups; g++) {
    int base = g * size;
    for (int i = 1; i < size; i++) e[m++] = (struct net_edge){base + i, base + planted_pick(i), 1};
    for (int k = 0; k < size; k++) {
      int a = base + planted_pick(size), b = base + planted_pick(size);
      if (a != b) e[m++] = (struct net_edge){a, b, 1};
    }
  }
  for (int k = 0, bridges = m * 4 / 100; k < bridges; k++) {
    int a = planted_pick(n), b = planted_pick(n);
    if (a / size != b / size) e[m++] = (struct net_edge){a, b, 1};
  }
  struct net_graph g = {n, m, e};
  struct net_measures r;
  assert_int_equal(net_groups(&g, &r), 0);
  int *members = calloc((size_t)r.communities, sizeof *members);
  assert_non_null(members);
  *largest = 0;
  for (int i = 0; i < n; i++) {
    if (++members[r.community[i]] > *largest) *largest = members[r.community[i]];
  }
  *found = r.communities;
  free(members);
  net_measures_free(&r);
  free(e);
}

/*
** Groups do not grow with the graph: modularity alone merged 1,000 planted
** groups of 14 into 303 (the largest 126 records); found at a resolution
** raised with the graph, there are about as many as were planted, none much
** larger than one, in a small graph as in a large one.
*/
static void test_groups_keep_their_size(void **state) {
  (void)state;
  static const int sizes[] = {50, 1000};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    int found = 0, largest = 0;
    planted(sizes[i], &found, &largest);
    assert_true(found >= sizes[i] * 85 / 100 && found <= sizes[i] * 115 / 100);
    assert_true(largest <= 3 * 14);
  }
}

/* net_groups: the same groups, degrees and strengths as net_measure, and no centralities computed. */
static void test_groups_only(void **state) {
  (void)state;
  struct net_edge e[32];
  int m = two_groups(e);
  struct net_graph g = {10, m, e};
  struct net_measures full, groups;
  assert_int_equal(net_measure(&g, &full), 0);
  assert_int_equal(net_groups(&g, &groups), 0);
  assert_int_equal(groups.n, 10);
  assert_int_equal(groups.communities, full.communities);
  for (int i = 0; i < 10; i++) {
    assert_int_equal(groups.community[i], full.community[i]);
    assert_int_equal(groups.degree[i], full.degree[i]);
    assert_true(groups.strength[i] == full.strength[i]);
    assert_true(groups.betweenness[i] == 0 && groups.eigenvector[i] == 0);
  }
  assert_true(full.betweenness[3] > 0);
  net_measures_free(&full);
  net_measures_free(&groups);
  struct net_edge bad = {0, 0, 1};
  struct net_graph malformed = {2, 1, &bad};
  assert_int_equal(net_groups(&malformed, &groups), -1);
}

static void test_equal_groups_by_lowest_node(void **state) {
  (void)state;
  /* Two triangles with their nodes interleaved: the group holding node 0 is numbered first. */
  const struct net_edge e[] = {{1, 3, 1}, {3, 5, 1}, {1, 5, 1}, {0, 2, 1}, {2, 4, 1}, {0, 4, 1}};
  struct net_measures m;
  measure(6, e, 6, &m);
  assert_int_equal(m.communities, 2);
  for (int i = 0; i < 6; i++) assert_int_equal(m.community[i], i % 2);
  net_measures_free(&m);
}

/* A random graph of N nodes (seeded) with some parallel edges; returns how many edges went into E. */
static int random_graph(int n, int m, unsigned seed, struct net_edge *e) {
  int k = 0;
  while (k < m) {
    seed = seed * 1103515245u + 12345u;
    int a = (int)((seed >> 8) % (unsigned)n);
    seed = seed * 1103515245u + 12345u;
    int b = (int)((seed >> 8) % (unsigned)n);
    if (a == b) continue;
    e[k++] = (struct net_edge){a, b, 1.0 + (double)(seed % 3)};
  }
  return k;
}

static void test_deterministic(void **state) {
  (void)state;
  enum { N = 120, M = 260 };
  struct net_edge *g = malloc(M * sizeof *g), *h = malloc(M * sizeof *h);
  random_graph(N, M, 7, g);
  random_graph(N, M, 99, h);
  struct net_measures a, b, other, c;
  measure(N, g, M, &a);
  measure(N, g, M, &b);
  measure(N, h, M, &other); /* another graph in between moves igraph's generator on */
  measure(N, g, M, &c);
  assert_true(a.communities > 1);
  assert_int_equal(a.communities, b.communities);
  assert_int_equal(a.communities, c.communities);
  for (int i = 0; i < N; i++) {
    assert_int_equal(a.community[i], b.community[i]);
    assert_int_equal(a.community[i], c.community[i]);
    assert_float_equal(a.betweenness[i], c.betweenness[i], EPS);
    assert_float_equal(a.eigenvector[i], c.eigenvector[i], 1e-6);
  }
  assert_consistent(&a);
  assert_consistent(&other);
  net_measures_free(&a);
  net_measures_free(&b);
  net_measures_free(&other);
  net_measures_free(&c);
  free(g);
  free(h);
}

static void test_parallel_edges(void **state) {
  (void)state;
  /* 0-1 twice (once each way) and 1-2 once, against the same graph merged by hand. */
  const struct net_edge multi[] = {{0, 1, 1}, {1, 0, 2}, {1, 2, 1}, {2, 3, 1}, {3, 2, 0.5}};
  const struct net_edge merged[] = {{0, 1, 3}, {1, 2, 1}, {2, 3, 1.5}};
  struct net_measures a, b;
  measure(4, multi, 5, &a);
  measure(4, merged, 3, &b);
  assert_int_equal(a.degree[0], 1);
  assert_int_equal(a.degree[1], 2);
  assert_int_equal(a.degree[2], 2);
  assert_int_equal(a.degree[3], 1);
  assert_float_equal(a.strength[0], 3, EPS);
  assert_float_equal(a.strength[1], 4, EPS);
  assert_float_equal(a.strength[2], 2.5, EPS);
  assert_float_equal(a.strength[3], 1.5, EPS);
  /* Path 0-1-2-3: nodes 1 and 2 each lie on 2 of the 3 pairs' paths. */
  assert_float_equal(a.betweenness[1], 2.0 / 3.0, EPS);
  assert_float_equal(a.betweenness[2], 2.0 / 3.0, EPS);
  assert_int_equal(a.communities, b.communities);
  for (int i = 0; i < 4; i++) {
    assert_int_equal(a.degree[i], b.degree[i]);
    assert_float_equal(a.strength[i], b.strength[i], EPS);
    assert_float_equal(a.betweenness[i], b.betweenness[i], EPS);
    assert_float_equal(a.eigenvector[i], b.eigenvector[i], 1e-6);
    assert_int_equal(a.community[i], b.community[i]);
  }
  net_measures_free(&a);
  net_measures_free(&b);
}

static void test_empty_and_isolated(void **state) {
  (void)state;
  struct net_measures m;
  struct net_graph none = {0, 0, NULL};
  assert_int_equal(net_measure(&none, &m), 0);
  assert_int_equal(m.n, 0);
  assert_int_equal(m.communities, 0);
  net_measures_free(&m);

  /* Three nodes, no edges: each its own group in index order, every measure 0. */
  struct net_graph bare = {3, 0, NULL};
  assert_int_equal(net_measure(&bare, &m), 0);
  assert_int_equal(m.communities, 3);
  for (int i = 0; i < 3; i++) {
    assert_int_equal(m.community[i], i);
    assert_int_equal(m.degree[i], 0);
    assert_float_equal(m.strength[i], 0, EPS);
    assert_float_equal(m.betweenness[i], 0, EPS);
    assert_float_equal(m.eigenvector[i], 0, EPS);
  }
  net_measures_free(&m);

  /* Node 0 alone, a pair (1, 2), a path 3-4-5: each component scaled to its own largest 1. */
  const struct net_edge e[] = {{1, 2, 1}, {3, 4, 1}, {4, 5, 1}};
  measure(6, e, 3, &m);
  assert_float_equal(m.eigenvector[0], 0, EPS);
  assert_float_equal(m.eigenvector[1], 1, EPS);
  assert_float_equal(m.eigenvector[2], 1, EPS);
  assert_float_equal(m.eigenvector[4], 1, EPS);
  assert_float_equal(m.eigenvector[3], 1 / sqrt(2), 1e-4);
  assert_int_equal(m.communities, 3);
  assert_int_equal(m.community[3], 0); /* the path: largest */
  assert_int_equal(m.community[4], 0);
  assert_int_equal(m.community[1], 1); /* the pair */
  assert_int_equal(m.community[2], 1);
  assert_int_equal(m.community[0], 2); /* the lone node */
  /* Betweenness is normalised over all 6 nodes: 1 pair of 10 passes node 4. */
  assert_float_equal(m.betweenness[4], 1.0 / 10.0, EPS);
  assert_consistent(&m);
  net_measures_free(&m);

  /* Two nodes and one edge: no node can lie between others. */
  const struct net_edge pair[] = {{0, 1, 2}};
  measure(2, pair, 1, &m);
  assert_float_equal(m.betweenness[0], 0, EPS);
  assert_float_equal(m.eigenvector[0], 1, EPS);
  assert_int_equal(m.communities, 1);
  net_measures_free(&m);
}

/* net_measure refuses G and leaves OUT empty. */
static void refused(int n, int m, const struct net_edge *e) {
  struct net_graph g = {n, m, e};
  struct net_measures out;
  memset(&out, 0x5A, sizeof out);
  assert_int_equal(net_measure(&g, &out), -1);
  assert_int_equal(out.n, 0);
  assert_null(out.degree);
  assert_null(out.community);
  net_measures_free(&out);
  bool truncated = true;
  int nodes[8];
  assert_int_equal(net_within(&g, 0, 2, 8, nodes, &truncated), -1);
  assert_false(truncated);
}

static void test_malformed(void **state) {
  (void)state;
  const struct net_edge out_of_range[] = {{0, 1, 1}, {1, 3, 1}};
  const struct net_edge negative[] = {{-1, 1, 1}};
  const struct net_edge loop[] = {{0, 1, 1}, {2, 2, 1}};
  const struct net_edge zero[] = {{0, 1, 0}};
  const struct net_edge below[] = {{0, 1, -2}};
  const struct net_edge nan_weight[] = {{0, 1, NAN}};
  const struct net_edge inf_weight[] = {{0, 1, INFINITY}};
  refused(3, 2, out_of_range);
  refused(3, 1, negative);
  refused(3, 2, loop);
  refused(3, 1, zero);
  refused(3, 1, below);
  refused(3, 1, nan_weight);
  refused(3, 1, inf_weight);
  refused(3, 1, NULL);     /* edges promised, none given */
  refused(-1, 0, NULL);    /* negative node count */
  refused(3, -1, zero);    /* negative edge count */
  struct net_graph good = {2, 0, NULL};
  assert_int_equal(net_measure(&good, NULL), -1);
  assert_int_equal(net_measure(NULL, &(struct net_measures){0}), -1);
}

/* Arguments of one thread's run of net_measure. */
struct job {
  const struct net_edge *e;
  int n, m;
  struct net_measures out;
  int rc;
};

static void *run_job(void *arg) {
  struct job *j = arg;
  struct net_graph g = {j->n, j->m, j->e};
  for (int k = 0; k < 5 && j->rc == 0; k++) {
    net_measures_free(&j->out);
    j->rc = net_measure(&g, &j->out);
  }
  return NULL;
}

static void test_threads(void **state) {
  (void)state;
  enum { N = 80, M = 180, T = 4 };
  struct net_edge *e = malloc(M * sizeof *e);
  random_graph(N, M, 3, e);
  struct net_measures want;
  measure(N, e, M, &want);
  struct job jobs[T];
  pthread_t th[T];
  for (int t = 0; t < T; t++) {
    jobs[t] = (struct job){e, N, M, {0}, 0};
    assert_int_equal(pthread_create(&th[t], NULL, run_job, &jobs[t]), 0);
  }
  for (int t = 0; t < T; t++) pthread_join(th[t], NULL);
  for (int t = 0; t < T; t++) {
    assert_int_equal(jobs[t].rc, 0);
    assert_int_equal(jobs[t].out.communities, want.communities);
    for (int i = 0; i < N; i++) {
      assert_int_equal(jobs[t].out.community[i], want.community[i]);
      assert_float_equal(jobs[t].out.betweenness[i], want.betweenness[i], EPS);
    }
    net_measures_free(&jobs[t].out);
  }
  net_measures_free(&want);
  free(e);
}

/* Runs net_within and checks the answer is exactly WANT (N of them) and TRUNCATED as said. */
static void within(const struct net_graph *g, int start, int depth, int max, const int *want, int n, bool cut) {
  int out[32];
  bool truncated = !cut;
  assert_true(max <= 32);
  assert_int_equal(net_within(g, start, depth, max, out, &truncated), n);
  for (int i = 0; i < n; i++) assert_int_equal(out[i], want[i]);
  assert_int_equal(truncated, cut);
}

static void test_within(void **state) {
  (void)state;
  /* A path 0-1-2-3-4, node 2 also joined to 7, 5 (twice) and 6 beyond 5; 8 and 9 apart. */
  const struct net_edge e[] = {{0, 1, 1}, {1, 2, 1}, {3, 2, 1}, {3, 4, 1}, {2, 7, 1},
                               {5, 2, 1}, {2, 5, 4}, {5, 6, 1}, {8, 9, 1}};
  struct net_graph g = {10, 9, e};
  within(&g, 2, 0, 10, (int[]){2}, 1, false);
  within(&g, 2, 1, 10, (int[]){2, 1, 3, 5, 7}, 5, false);
  within(&g, 2, 2, 10, (int[]){2, 1, 3, 5, 7, 0, 4, 6}, 8, false);
  within(&g, 2, 3, 10, (int[]){2, 1, 3, 5, 7, 0, 4, 6}, 8, false); /* nothing further */
  within(&g, 2, 100, 10, (int[]){2, 1, 3, 5, 7, 0, 4, 6}, 8, false);
  within(&g, 0, 2, 10, (int[]){0, 1, 2}, 3, false);
  within(&g, 8, 3, 10, (int[]){8, 9}, 2, false);
  /* Cut at MAX, nearest first; exactly MAX within reach is not truncated. */
  within(&g, 2, 2, 3, (int[]){2, 1, 3}, 3, true);
  within(&g, 2, 2, 6, (int[]){2, 1, 3, 5, 7, 0}, 6, true);
  within(&g, 2, 1, 5, (int[]){2, 1, 3, 5, 7}, 5, false);
  within(&g, 2, 2, 5, (int[]){2, 1, 3, 5, 7}, 5, true); /* the next level holds more */
  within(&g, 2, 1, 1, (int[]){2}, 1, true);
  within(&g, 8, 1, 2, (int[]){8, 9}, 2, false);

  int out[4];
  bool truncated;
  assert_int_equal(net_within(&g, 10, 1, 4, out, &truncated), -1);
  assert_int_equal(net_within(&g, -1, 1, 4, out, &truncated), -1);
  assert_int_equal(net_within(&g, 0, -1, 4, out, &truncated), -1);
  assert_int_equal(net_within(&g, 0, 1, 0, out, &truncated), -1);
  assert_int_equal(net_within(&g, 0, 1, 4, NULL, &truncated), -1);
  assert_int_equal(net_within(&g, 0, 1, 4, out, NULL), -1);
  struct net_graph empty = {0, 0, NULL};
  assert_int_equal(net_within(&empty, 0, 1, 4, out, &truncated), -1);
  struct net_graph lone = {1, 0, NULL};
  within(&lone, 0, 3, 4, (int[]){0}, 1, false);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_path),          cmocka_unit_test(test_path_unweighted_eigenvector),
      cmocka_unit_test(test_star),          cmocka_unit_test(test_two_communities),
      cmocka_unit_test(test_equal_groups_by_lowest_node), cmocka_unit_test(test_deterministic),
      cmocka_unit_test(test_parallel_edges), cmocka_unit_test(test_empty_and_isolated),
      cmocka_unit_test(test_malformed),      cmocka_unit_test(test_threads),
      cmocka_unit_test(test_within),        cmocka_unit_test(test_groups_only),
      cmocka_unit_test(test_groups_keep_their_size),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
