/*
** Network measures over the link graph, with no I/O: who is within N steps of
** a person, vehicle, phone, place or child; each node's degree, weighted
** degree, betweenness and eigenvector centrality; and the groups (communities)
** the graph falls into.  The graph is undirected: an edge joins two node
** indexes with a weight (how many links of intelligence join them).
**
** Locking: igraph keeps global state (its random number generator, error
** handler), so every call that reaches igraph takes one process-wide mutex.
** Results do not depend on the order calls are made in: each computation
** reseeds the generator, so the same graph always gives the same groups.
*/
#ifndef SAFEHUB_CORE_NETWORK_H
#define SAFEHUB_CORE_NETWORK_H
#include <stdbool.h>
#include <stddef.h>

struct net_edge {
  int a, b;      /* node indexes, 0 <= a, b < n; a != b */
  double weight; /* > 0 */
};

struct net_graph {
  int n;                        /* nodes */
  int m;                        /* edges */
  const struct net_edge *edges; /* m of them, borrowed */
};

struct net_measures {
  int n;
  int *degree;         /* distinct neighbours */
  double *strength;    /* sum of the weights of a node's edges */
  double *betweenness; /* normalised to 0..1 within the graph measured */
  double *eigenvector; /* scaled so that the largest is 1 (0 for an isolated node) */
  int *community;      /* 0-based group of each node; groups numbered largest first, ties by lowest node */
  int communities;     /* how many groups */
};

/*
** Measures every node of G into OUT (allocated here; free with
** net_measures_free).  Returns 0, or -1 when G is malformed or igraph fails
** (OUT then holds nothing to free).
*/
int net_measure(const struct net_graph *g, struct net_measures *out);
/* As net_measure, without betweenness and eigenvector centrality (left 0): for the groups of a whole graph. */
int net_groups(const struct net_graph *g, struct net_measures *out);
void net_measures_free(struct net_measures *m);

/*
** The nodes within DEPTH steps of START (START first, then by distance, then
** by index) into OUT (caller's array of at least MAX entries); at most MAX
** nodes, with *TRUNCATED set when more were within reach.  Returns how many.
** Pure breadth-first search, no igraph.
*/
int net_within(const struct net_graph *g, int start, int depth, int max, int *out, bool *truncated);

#endif
