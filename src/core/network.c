/*
** Network measures over the link graph (see network.h): validation of the
** edge list, merging of parallel edges, degree and strength, betweenness,
** eigenvector centrality and communities through igraph, and a plain
** breadth-first search for "who is within N steps".
**
** igraph 0.10 as packaged is built without thread-local state: its error
** handler, its stack of temporaries to free on error and its random number
** generator are process-wide.  Every igraph call here, allocation and
** destruction included, is made holding IGRAPH_LOCK, with igraph's error
** handler set to return error codes (not abort) for the duration.
*/
#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
/* igraph's headers test a macro they do not define; -Wundef must not fail the build on them. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include <igraph.h>
#pragma GCC diagnostic pop
#include "core/network.h"

/* The seed the community search starts from on every call, so results depend only on the graph. */
#define COMMUNITY_SEED 20140826u
/*
** The number of links (with their weights) up to which groups are found by
** plain modularity; a larger graph raises the resolution in proportion (see
** community_resolution).
*/
#define COMMUNITY_SCALE 1000.0

static pthread_mutex_t IGRAPH_LOCK = PTHREAD_MUTEX_INITIALIZER;

/*
** The modularity resolution for a graph whose links weigh TOTAL in all.
** Louvain merges two groups a and b when the links between them exceed
** resolution * d_a * d_b / 2m (d: the groups' summed degrees, m: TOTAL): at
** resolution 1 that bar falls as the graph grows (modularity's resolution
** limit), so the more a partnership records, the larger every group found
** becomes, whatever the groups are.  Raising the resolution with m keeps the
** bar at d_a * d_b / 2 COMMUNITY_SCALE, as in a graph of COMMUNITY_SCALE
** links.  Measured on 1,000 planted groups of 14 with 4% of links between
** groups: at resolution 1, 303 groups (the largest 126 records); so scaled,
** about as many groups as were planted, at 42,000 records as at 700.
*/
static double community_resolution(double total) { return total > COMMUNITY_SCALE ? total / COMMUNITY_SCALE : 1.0; }

/* An edge with its ends ordered (a < b), for merging parallel edges. */
struct uedge {
  int a, b;
  double weight;
};

/* True when G is well formed: counts not negative, every edge joins two different nodes in range with a weight > 0. */
static bool graph_valid(const struct net_graph *g) {
  if (!g || g->n < 0 || g->m < 0 || (g->m > 0 && !g->edges)) return false;
  for (int i = 0; i < g->m; i++) {
    const struct net_edge *e = &g->edges[i];
    if (e->a < 0 || e->a >= g->n || e->b < 0 || e->b >= g->n || e->a == e->b) return false;
    if (!(e->weight > 0) || !isfinite(e->weight)) return false;
  }
  return true;
}

static int uedge_cmp(const void *x, const void *y) {
  const struct uedge *p = x, *q = y;
  if (p->a != q->a) return p->a < q->a ? -1 : 1;
  if (p->b != q->b) return p->b < q->b ? -1 : 1;
  return 0;
}

/*
** The distinct edges of G (valid), each with the summed weight of the edges
** joining the same two nodes, sorted by (a, b), into *OUT (caller frees).
** Returns how many, or -1 when memory runs out.
*/
static int merge_edges(const struct net_graph *g, struct uedge **out) {
  *out = NULL;
  if (g->m == 0) return 0;
  struct uedge *u = malloc((size_t)g->m * sizeof *u);
  if (!u) return -1;
  for (int i = 0; i < g->m; i++) {
    const struct net_edge *e = &g->edges[i];
    u[i].a = e->a < e->b ? e->a : e->b;
    u[i].b = e->a < e->b ? e->b : e->a;
    u[i].weight = e->weight;
  }
  qsort(u, (size_t)g->m, sizeof *u, uedge_cmp);
  int k = 0;
  for (int i = 0; i < g->m; i++) {
    if (k > 0 && u[k - 1].a == u[i].a && u[k - 1].b == u[i].b) u[k - 1].weight += u[i].weight;
    else u[k++] = u[i];
  }
  *out = u;
  return k;
}

/* Frees what M holds and empties it; safe to call twice or on an emptied M. */
void net_measures_free(struct net_measures *m) {
  if (!m) return;
  free(m->degree);
  free(m->strength);
  free(m->betweenness);
  free(m->eigenvector);
  free(m->community);
  memset(m, 0, sizeof *m);
}

/* The root of X in the union-find forest PARENT, compressing the path by halving. */
static int uf_find(int *parent, int x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

/*
** Eigenvector centrality of each connected component of N nodes and the K
** merged edges U into EV (zeroed by the caller), each component scaled so
** that its largest is 1: components share no paths, so their scores are not
** comparable and the usual whole-graph computation would zero all but one.
** An isolated node keeps 0.  Returns 0 or -1; the caller holds IGRAPH_LOCK.
*/
static int eigenvector_by_component(int n, const struct uedge *u, int k, double *ev) {
  int rc = -1;
  size_t nn = (size_t)n;
  int *parent = malloc(nn * sizeof *parent);
  int *local = malloc(nn * sizeof *local);         /* node -> its index within its component */
  int *nstart = calloc(nn + 1, sizeof *nstart);    /* root -> where its nodes start in members */
  int *estart = calloc(nn + 1, sizeof *estart);    /* root -> where its edges start in eorder */
  int *members = malloc(nn * sizeof *members);     /* nodes grouped by component, ascending */
  int *eorder = malloc(((size_t)k + 1) * sizeof *eorder); /* edge indexes grouped by component */
  int *fill = malloc((nn + 1) * sizeof *fill);
  if (!parent || !local || !nstart || !estart || !members || !eorder || !fill) goto done;
  for (int i = 0; i < n; i++) parent[i] = i;
  for (int j = 0; j < k; j++) {
    int ra = uf_find(parent, u[j].a), rb = uf_find(parent, u[j].b);
    if (ra != rb) parent[ra < rb ? rb : ra] = ra < rb ? ra : rb;
  }
  for (int i = 0; i < n; i++) parent[i] = uf_find(parent, i);
  /* Counting sorts by component root: nodes, then edges. */
  for (int i = 0; i < n; i++) nstart[parent[i] + 1]++;
  for (int j = 0; j < k; j++) estart[parent[u[j].a] + 1]++;
  for (int i = 0; i < n; i++) {
    nstart[i + 1] += nstart[i];
    estart[i + 1] += estart[i];
  }
  memcpy(fill, nstart, nn * sizeof *fill);
  for (int i = 0; i < n; i++) {
    int r = parent[i];
    local[i] = fill[r] - nstart[r];
    members[fill[r]++] = i;
  }
  memcpy(fill, estart, nn * sizeof *fill);
  for (int j = 0; j < k; j++) eorder[fill[parent[u[j].a]]++] = j;

  for (int r = 0; r < n; r++) {
    int cn = nstart[r + 1] - nstart[r], ce = estart[r + 1] - estart[r];
    if (parent[r] != r || cn < 2) continue;
    assert(ce >= cn - 1);
    const int *mem = members + nstart[r];
    igraph_vector_int_t edges;
    igraph_vector_t weights, vec;
    igraph_t graph;
    bool have_edges = false, have_weights = false, have_vec = false, have_graph = false;
    int ok = -1;
    if (igraph_vector_int_init(&edges, 2 * (igraph_integer_t)ce) != IGRAPH_SUCCESS) goto component_done;
    have_edges = true;
    if (igraph_vector_init(&weights, ce) != IGRAPH_SUCCESS) goto component_done;
    have_weights = true;
    for (int e = 0; e < ce; e++) {
      const struct uedge *x = &u[eorder[estart[r] + e]];
      assert(parent[x->a] == r && parent[x->b] == r);
      VECTOR(edges)[2 * e] = local[x->a];
      VECTOR(edges)[2 * e + 1] = local[x->b];
      VECTOR(weights)[e] = x->weight;
    }
    if (igraph_create(&graph, &edges, cn, IGRAPH_UNDIRECTED) != IGRAPH_SUCCESS) goto component_done;
    have_graph = true;
    if (igraph_vector_init(&vec, 0) != IGRAPH_SUCCESS) goto component_done;
    have_vec = true;
    igraph_real_t value = 0;
    if (igraph_eigenvector_centrality(&graph, &vec, &value, IGRAPH_UNDIRECTED, true, &weights, NULL) !=
            IGRAPH_SUCCESS ||
        igraph_vector_size(&vec) != cn)
      goto component_done;
    /* The eigenvector's sign is arbitrary and rounding leaves tiny negatives: take magnitudes, rescale. */
    double max = 0;
    for (int i = 0; i < cn; i++) {
      double x = fabs(VECTOR(vec)[i]);
      if (x > max) max = x;
    }
    for (int i = 0; i < cn; i++) ev[mem[i]] = max > 0 ? fabs(VECTOR(vec)[i]) / max : 0;
    ok = 0;
  component_done:
    if (have_vec) igraph_vector_destroy(&vec);
    if (have_graph) igraph_destroy(&graph);
    if (have_weights) igraph_vector_destroy(&weights);
    if (have_edges) igraph_vector_int_destroy(&edges);
    if (ok != 0) goto done;
  }
  rc = 0;
done:
  free(parent);
  free(local);
  free(nstart);
  free(estart);
  free(members);
  free(eorder);
  free(fill);
  return rc;
}

/* A raw community and what orders it: size (largest first), then its lowest node. */
struct group {
  igraph_integer_t raw;
  int size, first;
};

static int group_cmp(const void *x, const void *y) {
  const struct group *p = x, *q = y;
  if (p->size != q->size) return p->size > q->size ? -1 : 1;
  if (p->first != q->first) return p->first < q->first ? -1 : 1;
  return 0;
}

/*
** Renumbers the N raw community ids MEMBERSHIP (0..N-1) into OUT so that
** groups run largest first, ties by lowest node index; returns how many
** groups, or -1 when an id is out of range or memory runs out.
*/
static int renumber(const igraph_integer_t *membership, int n, int *out) {
  struct group *groups = malloc((size_t)n * sizeof *groups);
  int *map = malloc((size_t)n * sizeof *map);
  int count = -1;
  if (!groups || !map) goto done;
  for (int i = 0; i < n; i++) {
    groups[i].raw = i;
    groups[i].size = 0;
    groups[i].first = n;
  }
  for (int i = 0; i < n; i++) {
    igraph_integer_t c = membership[i];
    if (c < 0 || c >= n) goto done;
    groups[c].size++;
    if (i < groups[c].first) groups[c].first = i;
  }
  qsort(groups, (size_t)n, sizeof *groups, group_cmp);
  count = 0;
  while (count < n && groups[count].size > 0) {
    map[groups[count].raw] = count;
    count++;
  }
  for (int i = 0; i < n; i++) out[i] = map[membership[i]];
done:
  free(groups);
  free(map);
  return count;
}

/* Degree (distinct neighbours) and strength (summed weights) from the K merged edges U. */
static void degree_strength(const struct uedge *u, int k, struct net_measures *out) {
  for (int j = 0; j < k; j++) {
    out->degree[u[j].a]++;
    out->degree[u[j].b]++;
    out->strength[u[j].a] += u[j].weight;
    out->strength[u[j].b] += u[j].weight;
  }
}

/*
** Betweenness, eigenvector centrality (unless GROUPS_ONLY) and communities of
** the N nodes and K merged edges U into OUT, through igraph.  Takes
** IGRAPH_LOCK and gives it back; every igraph object is destroyed on every
** path.  Returns 0 or -1.
*/
static int igraph_measures(int n, const struct uedge *u, int k, bool groups_only, struct net_measures *out) {
  int rc = -1;
  igraph_vector_int_t edges, membership;
  igraph_vector_t weights, btw;
  igraph_t graph;
  bool have_edges = false, have_weights = false, have_graph = false, have_btw = false, have_memb = false;

  pthread_mutex_lock(&IGRAPH_LOCK);
  igraph_error_handler_t *old_error = igraph_set_error_handler(igraph_error_handler_ignore);
  igraph_warning_handler_t *old_warning = igraph_set_warning_handler(igraph_warning_handler_ignore);

  if (igraph_vector_int_init(&edges, 2 * (igraph_integer_t)k) != IGRAPH_SUCCESS) goto done;
  have_edges = true;
  if (igraph_vector_init(&weights, k) != IGRAPH_SUCCESS) goto done;
  have_weights = true;
  for (int j = 0; j < k; j++) {
    VECTOR(edges)[2 * j] = u[j].a;
    VECTOR(edges)[2 * j + 1] = u[j].b;
    VECTOR(weights)[j] = u[j].weight;
  }
  if (igraph_create(&graph, &edges, n, IGRAPH_UNDIRECTED) != IGRAPH_SUCCESS) goto done;
  have_graph = true;
  assert(igraph_vcount(&graph) == n && igraph_ecount(&graph) == k);

  /* Betweenness counts shortest paths in steps: a weight here says how often two
     were linked, which makes them closer, not further apart, so it is no distance. */
  if (!groups_only) {
    if (igraph_vector_init(&btw, 0) != IGRAPH_SUCCESS) goto done;
    have_btw = true;
    if (igraph_betweenness(&graph, &btw, igraph_vss_all(), IGRAPH_UNDIRECTED, NULL) != IGRAPH_SUCCESS ||
        igraph_vector_size(&btw) != n)
      goto done;
    double pairs = n > 2 ? (double)(n - 1) * (double)(n - 2) / 2.0 : 0;
    for (int i = 0; i < n; i++) {
      double b = pairs > 0 ? VECTOR(btw)[i] / pairs : 0;
      out->betweenness[i] = b < 0 ? 0 : b > 1 ? 1 : b;
    }
    if (eigenvector_by_component(n, u, k, out->eigenvector) != 0) goto done;
  }

  if (igraph_vector_int_init(&membership, n) != IGRAPH_SUCCESS) goto done;
  have_memb = true;
  if (k == 0) {
    /* No ties at all: each node is its own group (modularity is undefined with no edges). */
    for (int i = 0; i < n; i++) VECTOR(membership)[i] = i;
  } else {
    /* Louvain visits nodes in a random order: the same seed every time gives the same groups. */
    double total = 0;
    for (int j = 0; j < k; j++) total += u[j].weight;
    if (igraph_rng_seed(igraph_rng_default(), COMMUNITY_SEED) != IGRAPH_SUCCESS) goto done;
    if (igraph_community_multilevel(&graph, &weights, community_resolution(total), &membership, NULL, NULL) !=
            IGRAPH_SUCCESS ||
        igraph_vector_int_size(&membership) != n)
      goto done;
  }
  out->communities = renumber(VECTOR(membership), n, out->community);
  if (out->communities < 1) goto done;
  rc = 0;

done:
  if (have_memb) igraph_vector_int_destroy(&membership);
  if (have_btw) igraph_vector_destroy(&btw);
  if (have_graph) igraph_destroy(&graph);
  if (have_weights) igraph_vector_destroy(&weights);
  if (have_edges) igraph_vector_int_destroy(&edges);
  igraph_set_warning_handler(old_warning);
  igraph_set_error_handler(old_error);
  pthread_mutex_unlock(&IGRAPH_LOCK);
  return rc;
}

/*
** Measures every node of G into OUT (see network.h), betweenness and
** eigenvector centrality only unless GROUPS_ONLY; the arrays are
** allocated here and freed by net_measures_free.  A graph of no nodes gives
** an OUT of no nodes (nothing allocated).  Returns -1 (OUT emptied) when G
** is malformed, memory runs out or igraph fails.
*/
static int measure(const struct net_graph *g, bool groups_only, struct net_measures *out) {
  if (!out) return -1;
  memset(out, 0, sizeof *out);
  if (!graph_valid(g)) return -1;
  if (g->n == 0) return 0;

  struct uedge *u = NULL;
  int k = merge_edges(g, &u);
  if (k < 0) return -1;
  size_t n = (size_t)g->n;
  out->n = g->n;
  out->degree = calloc(n, sizeof *out->degree);
  out->strength = calloc(n, sizeof *out->strength);
  out->betweenness = calloc(n, sizeof *out->betweenness);
  out->eigenvector = calloc(n, sizeof *out->eigenvector);
  out->community = calloc(n, sizeof *out->community);
  if (!out->degree || !out->strength || !out->betweenness || !out->eigenvector || !out->community) goto fail;
  degree_strength(u, k, out);
  if (igraph_measures(g->n, u, k, groups_only, out) != 0) goto fail;
  for (int i = 0; i < g->n; i++) {
    assert(out->community[i] >= 0 && out->community[i] < out->communities);
    assert(out->eigenvector[i] >= 0 && out->eigenvector[i] <= 1);
  }
  free(u);
  return 0;
fail:
  free(u);
  net_measures_free(out);
  return -1;
}

int net_measure(const struct net_graph *g, struct net_measures *out) { return measure(g, false, out); }

/*
** As net_measure, but only degree, strength and the groups: betweenness and
** eigenvector centrality (all zero here) cost far more on a whole
** partnership's graph, and holding the igraph lock that long would stall
** every other network request.
*/
int net_groups(const struct net_graph *g, struct net_measures *out) { return measure(g, true, out); }

static int int_cmp(const void *x, const void *y) {
  int p = *(const int *)x, q = *(const int *)y;
  return (p > q) - (p < q);
}

/*
** The nodes within DEPTH steps of START (see network.h) into OUT.  Returns
** how many, or -1 (and *TRUNCATED false) when G is malformed, START is not a
** node, DEPTH is negative, MAX is below 1, or memory runs out.
*/
int net_within(const struct net_graph *g, int start, int depth, int max, int *out, bool *truncated) {
  if (truncated) *truncated = false;
  if (!graph_valid(g) || !out || !truncated || start < 0 || start >= g->n || depth < 0 || max < 1) return -1;
  size_t n = (size_t)g->n, m = (size_t)g->m;
  int rc = -1;
  /* Adjacency in compressed rows: node i's neighbours are adj[off[i] .. off[i + 1]). */
  size_t *off = calloc(n + 1, sizeof *off);
  int *adj = malloc((2 * m + 1) * sizeof *adj);
  int *dist = malloc(n * sizeof *dist);
  int *level = malloc(n * sizeof *level); /* the current frontier, then the next one after it */
  if (!off || !adj || !dist || !level) goto done;
  for (size_t j = 0; j < m; j++) {
    off[g->edges[j].a + 1]++;
    off[g->edges[j].b + 1]++;
  }
  for (size_t i = 0; i < n; i++) off[i + 1] += off[i];
  {
    size_t *fill = malloc(n * sizeof *fill);
    if (!fill) goto done;
    memcpy(fill, off, n * sizeof *fill);
    for (size_t j = 0; j < m; j++) {
      adj[fill[g->edges[j].a]++] = g->edges[j].b;
      adj[fill[g->edges[j].b]++] = g->edges[j].a;
    }
    free(fill);
  }
  for (size_t i = 0; i < n; i++) dist[i] = -1;

  int count = 0;
  bool cut = false;
  dist[start] = 0;
  level[0] = start;
  size_t lo = 0, hi = 1; /* level[lo .. hi) is the frontier at distance d */
  for (int d = 0; lo < hi; d++) {
    /* Emit this frontier in index order. */
    qsort(level + lo, hi - lo, sizeof *level, int_cmp);
    for (size_t i = lo; i < hi; i++) {
      if (count < max) out[count++] = level[i];
      else cut = true;
    }
    if (d == depth || cut) break;
    size_t next = hi;
    for (size_t i = lo; i < hi; i++) {
      int v = level[i];
      for (size_t a = off[v]; a < off[v + 1]; a++) {
        int w = adj[a];
        if (dist[w] >= 0) continue;
        dist[w] = d + 1;
        assert(next < n);
        level[next++] = w;
      }
    }
    lo = hi;
    hi = next;
  }
  *truncated = cut;
  rc = count;
done:
  free(off);
  free(adj);
  free(dist);
  free(level);
  return rc;
}
