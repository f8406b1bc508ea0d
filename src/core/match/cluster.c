/*
** Connected components with their weakest needed link (see cluster.h), by
** Kruskal's algorithm: edges are joined strongest first with a union-find,
** so the edge that joins two parts is the weakest the merged part needs.
*/
#include <stdlib.h>
#include <string.h>
#include "core/match/cluster.h"
#include "util/xalloc.h"

/* Root of X with path halving. */
static uint32_t find(uint32_t *parent, uint32_t x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

/* Strongest first; ties by record numbers so the result never depends on input order. */
static int cmp_edge(const void *x, const void *y) {
  const struct match_edge *a = x, *b = y;
  if (a->p != b->p) return a->p > b->p ? -1 : 1;
  if (a->a != b->a) return a->a < b->a ? -1 : 1;
  return a->b < b->b ? -1 : a->b > b->b;
}

/*
** Clusters N records joined by the NEDGES edges (record numbers below N;
** others are ignored) and flags those whose weakest needed link is below
** STRONG.  Clusters are numbered in the order of their first record.  OUT
** is allocated; free with match_clusters_free.
*/
void match_cluster(size_t n, const struct match_edge *edges, size_t nedges, double strong,
                   struct match_clusters *out) {
  memset(out, 0, sizeof *out);
  out->n = n;
  uint32_t *parent = xmalloc((n ? n : 1) * sizeof *parent);
  uint32_t *rank = xcalloc(n ? n : 1, sizeof *rank);
  double *weakest = xmalloc((n ? n : 1) * sizeof *weakest);
  for (size_t i = 0; i < n; i++) {
    parent[i] = (uint32_t)i;
    weakest[i] = 1.0;
  }
  struct match_edge *e = xmalloc((nedges ? nedges : 1) * sizeof *e);
  memcpy(e, edges, nedges * sizeof *e);
  qsort(e, nedges, sizeof *e, cmp_edge);
  for (size_t k = 0; k < nedges; k++) {
    if (e[k].a >= n || e[k].b >= n) continue;
    uint32_t ra = find(parent, e[k].a), rb = find(parent, e[k].b);
    if (ra == rb) continue;
    if (rank[ra] < rank[rb]) {
      uint32_t t = ra;
      ra = rb;
      rb = t;
    }
    parent[rb] = ra;
    if (rank[ra] == rank[rb]) rank[ra]++;
    double w = weakest[ra] < weakest[rb] ? weakest[ra] : weakest[rb];
    weakest[ra] = e[k].p < w ? e[k].p : w;
  }
  free(e);
  out->cluster = xmalloc((n ? n : 1) * sizeof *out->cluster);
  uint32_t *root_cluster = rank; /* reused: cluster number + 1 per root, 0 none */
  memset(root_cluster, 0, (n ? n : 1) * sizeof *root_cluster);
  uint32_t *members = xcalloc(n ? n : 1, sizeof *members);
  for (size_t i = 0; i < n; i++) members[find(parent, (uint32_t)i)]++;
  size_t cap = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t r = find(parent, (uint32_t)i);
    if (members[r] < 2) {
      out->cluster[i] = CLUSTER_NONE;
      continue;
    }
    if (!root_cluster[r]) {
      if (out->ncluster == cap) {
        cap = cap ? cap * 2 : 64;
        out->size = xrealloc(out->size, cap * sizeof *out->size);
        out->weakest = xrealloc(out->weakest, cap * sizeof *out->weakest);
        out->weak = xrealloc(out->weak, cap * sizeof *out->weak);
      }
      size_t c = out->ncluster++;
      out->size[c] = members[r];
      out->weakest[c] = weakest[r];
      out->weak[c] = weakest[r] < strong;
      if (out->weak[c]) out->nweak++;
      root_cluster[r] = (uint32_t)c + 1;
    }
    out->cluster[i] = root_cluster[r] - 1;
  }
  free(members);
  free(parent);
  free(rank);
  free(weakest);
}

/* Frees what match_cluster allocated. */
void match_clusters_free(struct match_clusters *c) {
  free(c->cluster);
  free(c->size);
  free(c->weakest);
  free(c->weak);
  memset(c, 0, sizeof *c);
}
