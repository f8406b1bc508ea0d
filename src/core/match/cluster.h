/*
** Clustering matched pairs into people: the connected components of the
** graph whose edges are the pairs at or above the threshold.  Each cluster
** also gets its weakest link, the lowest probability it cannot do without
** (the bottleneck of its maximum spanning tree): a cluster whose weakest
** link is below the "strong" level is held together only by weak links and
** is flagged for a person to review, since one doubtful pair can merge two
** people.  Pure: no I/O.
*/
#ifndef SAFEHUB_CORE_MATCH_CLUSTER_H
#define SAFEHUB_CORE_MATCH_CLUSTER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLUSTER_NONE UINT32_MAX

struct match_edge {
  uint32_t a, b;
  double p;
};

struct match_clusters {
  size_t n;              /* records */
  uint32_t *cluster;     /* per record: cluster number, or CLUSTER_NONE when alone */
  size_t ncluster;
  uint32_t *size;        /* per cluster: records */
  double *weakest;       /* per cluster: weakest link it needs */
  bool *weak;            /* per cluster: weakest < strong */
  size_t nweak;
};

void match_cluster(size_t n, const struct match_edge *edges, size_t nedges, double strong,
                   struct match_clusters *out);
void match_clusters_free(struct match_clusters *c);

#endif
