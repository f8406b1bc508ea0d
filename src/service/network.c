/*
** Network use cases (see intel.h): the network around a person, vehicle,
** phone, place, online account or child, and the groups (communities) the
** whole network falls into, with each node's measures.
**
** The graph is built in the request from every link of every item: nodes
** are the records that links join (a child merged into another read as the
** record kept), and an undirected edge joins two nodes that one or more
** links join, weighted by how many, with the distinct relations, items and
** handling conditions of those items.  Measures come from core/network.c, on
** the part of the graph answered.  A child appears by name only to users who
** may open its record; to anyone else it is a restricted node with no name.
** Audit details carry counts and ids, never names.
*/
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/network.h"
#include "service/intel.h"
#include "service/service.h"
#include "store/intel_store.h"
#include "store/store.h"
#include "util/codec.h"
#include "util/xalloc.h"

#define KEY_PEOPLE 5 /* people listed as a cluster's key people, at most */


/* One edge being gathered: the links joining nodes A < B. */
struct edge_acc {
  int a, b;
  int weight;                            /* links joining them */
  json_t *relations, *intel, *conditions; /* distinct values, in the order first seen */
};

/* The whole graph, as read from the links. */
struct graph {
  json_t *index; /* node id -> node index */
  char **ids;    /* node index -> id */
  int n, ncap;
  json_t *pairs; /* "A B" -> edge index */
  struct edge_acc *acc;
  int m, mcap;
};

static void graph_init(struct graph *g) {
  memset(g, 0, sizeof *g);
  g->index = json_object();
  g->pairs = json_object();
}

static void graph_free(struct graph *g) {
  for (int i = 0; i < g->n; i++) free(g->ids[i]);
  free(g->ids);
  for (int e = 0; e < g->m; e++) {
    json_decref(g->acc[e].relations);
    json_decref(g->acc[e].intel);
    json_decref(g->acc[e].conditions);
  }
  free(g->acc);
  json_decref(g->index);
  json_decref(g->pairs);
}

/* The index of node ID, added when new. */
static int node_of(struct graph *g, const char *id) {
  json_t *v = json_object_get(g->index, id);
  if (v) return (int)json_integer_value(v);
  if (g->n == g->ncap) {
    g->ncap = g->ncap ? g->ncap * 2 : 64;
    g->ids = xrealloc(g->ids, (size_t)g->ncap * sizeof *g->ids);
  }
  g->ids[g->n] = xstrdup(id);
  json_object_set_new(g->index, id, json_integer(g->n));
  return g->n++;
}

/* Appends S to the array ARR unless it is NULL or already there. */
static void add_distinct(json_t *arr, const char *s) {
  if (!s) return;
  size_t i;
  json_t *v;
  json_array_foreach(arr, i, v) {
    if (!strcmp(json_string_value(v), s)) return;
  }
  json_array_append_new(arr, json_string(s));
}

/* store_intel_links_each's callback: adds one link to the graph CTX. */
static void on_link(void *ctx, const struct intel_link_row *l) {
  struct graph *g = ctx;
  /* Both ends one record since a merge: no edge, and no node for it (as the problem profile counts the graph). */
  if (!strcmp(l->from_id, l->to_id)) return;
  int a = node_of(g, l->from_id), b = node_of(g, l->to_id);
  assert(a != b);
  int lo = a < b ? a : b, hi = a < b ? b : a;
  char key[32];
  snprintf(key, sizeof key, "%d %d", lo, hi);
  json_t *v = json_object_get(g->pairs, key);
  struct edge_acc *e;
  if (v) {
    e = &g->acc[json_integer_value(v)];
  } else {
    if (g->m == g->mcap) {
      g->mcap = g->mcap ? g->mcap * 2 : 64;
      g->acc = xrealloc(g->acc, (size_t)g->mcap * sizeof *g->acc);
    }
    e = &g->acc[g->m];
    e->a = lo;
    e->b = hi;
    e->weight = 0;
    e->relations = json_array();
    e->intel = json_array();
    e->conditions = json_array();
    json_object_set_new(g->pairs, key, json_integer(g->m));
    g->m++;
  }
  e->weight++;
  add_distinct(e->relations, l->relation);
  add_distinct(e->intel, l->intelligence_id);
  add_distinct(e->conditions, l->handling_conditions);
}

/* Reads the whole graph into G (initialised here; free with graph_free even on failure). */
static int graph_load(struct req *r, struct graph *g) {
  graph_init(g);
  return store_intel_links_each(req_db(r), on_link, g) == DB_OK ? SVC_OK : SVC_ERROR;
}

/* store_intel_near_links' callback for the last level: a link joining two records already known, else nothing. */
static void on_link_known(void *ctx, const struct intel_link_row *l) {
  struct graph *g = ctx;
  if (json_object_get(g->index, l->from_id) && json_object_get(g->index, l->to_id)) on_link(g, l);
}

/*
** Loads into G the links within DEPTH steps of CENTRE (node 0), level by
** level through the links' indexes, instead of every link the partnership
** holds: the network around one record costs what its neighbourhood holds,
** not what the whole network does.  The last level's records are not
** expanded, but the links among the records known are read.  Expansion also
** stops once more than NETWORK_NODES_MAX records are known, since the answer
** is cut there (and so marked truncated).
*/
static int graph_load_near(struct req *r, const char *centre, int depth, struct graph *g) {
  graph_init(g);
  struct intel_near *nl = NULL;
  if (store_intel_near_open(req_db(r), &nl) != DB_OK) return SVC_ERROR;
  node_of(g, centre);
  int rc = DB_OK;
  for (int level = 0, done = 0; level <= depth && rc == DB_OK && done < g->n; level++) {
    int end = g->n; /* this level's records are [done, end) */
    bool last = level == depth || end > NETWORK_NODES_MAX;
    const char **ids = xcalloc((size_t)(end - done) + 1, sizeof *ids);
    for (int k = done; k < end; k++) ids[k - done] = g->ids[k];
    rc = store_intel_near_links(nl, ids, end - done, last ? on_link_known : on_link, g);
    free(ids);
    done = end;
    if (last) break;
  }
  store_intel_near_close(nl);
  return rc == DB_OK ? SVC_OK : SVC_ERROR;
}

/*
** The subgraph of G induced by the nodes NODES[0..N) (global indexes): its
** edges in *EDGES (node indexes local to NODES) and, for each, the index of
** the edge of G in *FROM; *M counts them.  POS is a scratch array of G->n
** entries, all -1 on entry and on return.  The caller frees *EDGES and *FROM.
*/
static void induce(const struct graph *g, const int *nodes, int n, int *pos, struct net_edge **edges, int **from,
                   int *m) {
  for (int k = 0; k < n; k++) pos[nodes[k]] = k;
  *edges = xcalloc((size_t)g->m + 1, sizeof **edges);
  *from = xcalloc((size_t)g->m + 1, sizeof **from);
  *m = 0;
  for (int e = 0; e < g->m; e++) {
    int a = pos[g->acc[e].a], b = pos[g->acc[e].b];
    if (a < 0 || b < 0) continue;
    (*edges)[*m] = (struct net_edge){a, b, (double)g->acc[e].weight};
    (*from)[*m] = e;
    (*m)++;
  }
  for (int k = 0; k < n; k++) pos[nodes[k]] = -1;
}

/* X rounded to four decimal places, for answers that people read. */
static double r4(double x) { return round(x * 10000.0) / 10000.0; }

/* ---- labels ---- */

/* The string member K of the label of ID in LABELS. */
static const char *lab(json_t *labels, const char *id, const char *k) {
  return json_string_value(json_object_get(json_object_get(labels, id), k));
}

/* ---- the network around a record ---- */

/*
** Finds the centre of a network for the request's user: entity ID, or child
** ID (as the record kept, if it was merged) when the user may open it.
** SVC_OK with CENTRE and *OBJECT_TYPE; SVC_NOT_FOUND (audited) otherwise.
*/
static int find_centre(struct req *r, const char *id, char centre[ID_MAX], const char **object_type) {
  struct db *db = req_db(r);
  if (!id || !ids_plausible(id) || strlen(id) >= ID_MAX) {
    req_audit(r, "network.read", "entity", id, "not_found", NULL);
    return SVC_NOT_FOUND;
  }
  char type[32];
  int rc = store_entity_type(db, id, type, sizeof type);
  if (rc == DB_ROW) {
    snprintf(centre, ID_MAX, "%s", id);
    *object_type = "entity";
    return SVC_OK;
  }
  if (rc != DB_DONE) return SVC_ERROR;
  rc = store_intel_kept(db, id, centre);
  if (rc != DB_ROW && rc != DB_DONE) return SVC_ERROR;
  /* Asked for an id of nothing too, so that a hidden child costs what an absent one does. */
  bool visible = false, kept_visible = true;
  if (svc_child_access(r, id, &visible) != SVC_OK) return SVC_ERROR;
  if (rc == DB_DONE) {
    req_audit(r, "network.read", "entity", id, "not_found", NULL);
    return SVC_NOT_FOUND;
  }
  if (visible && strcmp(centre, id) != 0 && svc_child_access(r, centre, &kept_visible) != SVC_OK) return SVC_ERROR;
  if (!visible || !kept_visible) {
    req_audit(r, "network.read", "child", id, "denied", NULL);
    return SVC_NOT_FOUND;
  }
  *object_type = "child";
  return SVC_OK;
}

/* One node of an answer: who it is and its measures (index K of M). */
static json_t *node_json(const char *id, json_t *labels, const struct net_measures *m, int k) {
  json_t *o = json_pack("{s:s,s:s,s:s,s:b}", "id", id, "type", lab(labels, id, "type"), "label", lab(labels, id, "label"),
                        "restricted", json_is_true(json_object_get(json_object_get(labels, id), "restricted")));
  json_object_set_new(o, "degree", json_integer(m->degree[k]));
  json_object_set_new(o, "strength", json_real(r4(m->strength[k])));
  json_object_set_new(o, "betweenness", json_real(r4(m->betweenness[k])));
  json_object_set_new(o, "eigenvector", json_real(r4(m->eigenvector[k])));
  json_object_set_new(o, "community", json_integer(m->community[k] + 1));
  return o;
}

/* One edge of an answer (E of G). */
static json_t *edge_json(const struct graph *g, const struct edge_acc *e) {
  return json_pack("{s:s,s:s,s:i,s:O,s:O,s:O}", "from", g->ids[e->a], "to", g->ids[e->b], "weight", e->weight,
                   "relations", e->relations, "intelligence", e->intel, "handling_conditions", e->conditions);
}

/*
** The network within DEPTH steps (1..NETWORK_DEPTH_MAX) of entity or child
** ID, nearest first, at most NETWORK_NODES_MAX nodes ("truncated" when more
** were within reach), with each node's measures on the network answered and
** each edge's weight, relations, items and handling conditions.  An unknown
** id, or a child the user may not open, is SVC_NOT_FOUND.  Audited as
** network.read on ID.
*/
int svc_network_around(struct req *r, const char *id, int depth, json_t **out) {
  *out = NULL;
  if (!role_in(r->who.role, INTEL_READERS) || !r->who.user_id[0]) {
    req_audit(r, "network.read", "entity", id, "denied", NULL);
    return SVC_FORBIDDEN;
  }
  if (depth < 1) depth = 1;
  if (depth > NETWORK_DEPTH_MAX) depth = NETWORK_DEPTH_MAX;
  char centre[ID_MAX];
  const char *object_type = "entity";
  int rc = find_centre(r, id, centre, &object_type);
  if (rc != SVC_OK) return rc;
  struct graph g;
  rc = graph_load_near(r, centre, depth, &g);
  if (rc != SVC_OK) {
    graph_free(&g);
    return rc;
  }
  /* A record that no link names yet is a network of one. */
  int start = node_of(&g, centre);
  struct net_edge *all = xcalloc((size_t)g.m + 1, sizeof *all);
  for (int e = 0; e < g.m; e++) all[e] = (struct net_edge){g.acc[e].a, g.acc[e].b, (double)g.acc[e].weight};
  struct net_graph whole = {g.n, g.m, all};
  int *sel = xcalloc(NETWORK_NODES_MAX, sizeof *sel);
  bool truncated = false;
  int ns = net_within(&whole, start, depth, NETWORK_NODES_MAX, sel, &truncated);
  int *pos = xmalloc((size_t)g.n * sizeof *pos);
  for (int i = 0; i < g.n; i++) pos[i] = -1;
  struct net_edge *sub_edges = NULL;
  int *from = NULL, sm = 0;
  induce(&g, sel, ns, pos, &sub_edges, &from, &sm);
  struct net_graph sub = {ns, sm, sub_edges};
  struct net_measures m;
  json_t *labels = NULL, *named = json_array();
  const char **ids = xcalloc((size_t)ns + 1, sizeof *ids);
  for (int k = 0; k < ns; k++) ids[k] = g.ids[sel[k]];
  bool measured = net_measure(&sub, &m) == 0;
  rc = measured ? svc_intel_labels(r, ids, ns, named, &labels) : SVC_ERROR;
  if (rc == SVC_OK) {
    json_t *nodes = json_array(), *edges = json_array();
    for (int k = 0; k < ns; k++) json_array_append_new(nodes, node_json(ids[k], labels, &m, k));
    for (int e = 0; e < sm; e++) json_array_append_new(edges, edge_json(&g, &g.acc[from[e]]));
    *out = json_pack("{s:s,s:i,s:b,s:o,s:o}", "around", centre, "depth", depth, "truncated", truncated, "nodes", nodes,
                     "edges", edges);
    json_t *d = json_pack("{s:i,s:i,s:i,s:b,s:O}", "depth", depth, "nodes", ns, "edges", sm, "truncated", truncated,
                          "children_named", named);
    req_audit(r, "network.read", object_type, id, "ok", d);
    json_decref(d);
  }
  if (measured) net_measures_free(&m);
  json_decref(labels);
  json_decref(named);
  free(ids);
  free(sub_edges);
  free(from);
  free(pos);
  free(sel);
  free(all);
  graph_free(&g);
  return rc;
}

/* ---- the groups of the whole network ---- */

/* A member of a cluster, for ordering. */
struct member {
  const char *id, *type, *label;
  int degree;
  double betweenness;
};

/* Most between first, then most connected, then by label and id: the order members and key people are listed in. */
static int cmp_member(const void *x, const void *y) {
  const struct member *a = x, *b = y;
  if (a->betweenness != b->betweenness) return a->betweenness > b->betweenness ? -1 : 1;
  if (a->degree != b->degree) return a->degree > b->degree ? -1 : 1;
  int c = strcmp(a->label, b->label);
  return c ? c : strcmp(a->id, b->id);
}

/* By label, then id: the order places are listed in. */
static int cmp_place(const void *x, const void *y) {
  const struct member *a = x, *b = y;
  int c = strcmp(a->label, b->label);
  return c ? c : strcmp(a->id, b->id);
}

/*
** One cluster of G for the answer: the nodes NODES[0..N), named NAME, with
** the measures of the group on its own (degree and betweenness within it),
** counts by type, its key people, the places it uses, and its members.
** Returns NULL when the measures could not be made.
*/
static json_t *cluster_json(const struct graph *g, const int *nodes, int n, int *pos, json_t *labels,
                            const char *name) {
  struct net_edge *edges = NULL;
  int *from = NULL, m = 0;
  induce(g, nodes, n, pos, &edges, &from, &m);
  struct net_graph sub = {n, m, edges};
  struct net_measures meas;
  if (net_measure(&sub, &meas) != 0) {
    free(edges);
    free(from);
    return NULL;
  }
  struct member *mem = xcalloc((size_t)n, sizeof *mem);
  int people = 0, children = 0, vehicles = 0, phones = 0, places = 0, accounts = 0;
  for (int k = 0; k < n; k++) {
    const char *id = g->ids[nodes[k]];
    mem[k] = (struct member){id, lab(labels, id, "type"), lab(labels, id, "label"), meas.degree[k],
                             r4(meas.betweenness[k])};
    const char *t = mem[k].type;
    people += !strcmp(t, "person");
    children += !strcmp(t, "child");
    vehicles += !strcmp(t, "vehicle");
    phones += !strcmp(t, "phone");
    places += !strcmp(t, "location");
    accounts += !strcmp(t, "online_account");
  }
  qsort(mem, (size_t)n, sizeof *mem, cmp_member);
  json_t *key_people = json_array(), *places_used = json_array(), *members = json_array();
  for (int k = 0; k < n; k++) {
    bool restricted = json_is_true(json_object_get(json_object_get(labels, mem[k].id), "restricted"));
    json_array_append_new(members, json_pack("{s:s,s:s,s:s,s:b,s:i,s:f}", "id", mem[k].id, "type", mem[k].type, "label",
                                             mem[k].label, "restricted", restricted, "degree", mem[k].degree,
                                             "betweenness", mem[k].betweenness));
    if (!strcmp(mem[k].type, "person") && json_array_size(key_people) < KEY_PEOPLE)
      json_array_append_new(key_people, json_pack("{s:s,s:s,s:f,s:i}", "id", mem[k].id, "label", mem[k].label,
                                                  "betweenness", mem[k].betweenness, "degree", mem[k].degree));
  }
  qsort(mem, (size_t)n, sizeof *mem, cmp_place);
  for (int k = 0; k < n; k++) {
    if (strcmp(mem[k].type, "location") != 0) continue;
    json_array_append_new(places_used, json_pack("{s:s,s:s,s:s?}", "id", mem[k].id, "label", mem[k].label, "kind",
                                                 lab(labels, mem[k].id, "kind")));
  }
  double density = n > 1 ? (2.0 * m) / ((double)n * (n - 1)) : 0.0;
  json_t *c = json_pack("{s:s,s:i,s:i,s:f,s:i,s:i,s:i,s:i,s:i,s:i,s:o,s:o,s:o}", "id", name, "size", n, "edges", m,
                        "density", r4(density), "people", people, "children", children, "vehicles", vehicles, "phones",
                        phones, "places", places, "accounts", accounts, "key_people", key_people, "places_used",
                        places_used, "members", members);
  free(mem);
  net_measures_free(&meas);
  free(edges);
  free(from);
  return c;
}

/*
** The groups (communities) of the whole network with at least MIN_SIZE
** nodes (>= 2), largest first, named "C1", "C2"...: {"nodes","edges",
** "min_size","clusters":[...]} where "nodes" and "edges" count the whole
** network.  Children are counted in every group but named only when the
** user may open them.  Audited as network.clusters.
*/
int svc_network_clusters(struct req *r, int min_size, json_t **out) {
  *out = NULL;
  if (!role_in(r->who.role, INTEL_READERS) || !r->who.user_id[0]) {
    req_audit(r, "network.clusters", "network", NULL, "denied", NULL);
    return SVC_FORBIDDEN;
  }
  if (min_size < 2) min_size = 2;
  struct graph g;
  int rc = graph_load(r, &g);
  if (rc != SVC_OK) {
    graph_free(&g);
    return rc;
  }
  struct net_edge *all = xcalloc((size_t)g.m + 1, sizeof *all);
  for (int e = 0; e < g.m; e++) all[e] = (struct net_edge){g.acc[e].a, g.acc[e].b, (double)g.acc[e].weight};
  struct net_graph whole = {g.n, g.m, all};
  struct net_measures wm;
  memset(&wm, 0, sizeof wm);
  bool measured = g.n == 0 || net_groups(&whole, &wm) == 0;
  json_t *clusters = json_array(), *named = json_array(), *labels = NULL;
  int *order = xcalloc((size_t)g.n + 1, sizeof *order), *start = xcalloc((size_t)wm.communities + 2, sizeof *start);
  int *pos = xmalloc(((size_t)g.n + 1) * sizeof *pos);
  rc = measured ? SVC_OK : SVC_ERROR;
  if (rc == SVC_OK && g.n > 0) {
    /* Nodes grouped by community (counting sort), each group in node order. */
    for (int i = 0; i < g.n; i++) start[wm.community[i] + 1]++;
    for (int c = 0; c < wm.communities; c++) start[c + 1] += start[c];
    int *fill = xcalloc((size_t)wm.communities + 1, sizeof *fill);
    for (int i = 0; i < g.n; i++) order[start[wm.community[i]] + fill[wm.community[i]]++] = i;
    free(fill);
    for (int i = 0; i < g.n; i++) pos[i] = -1;
    /* The labels of every node of a group answered, in one pass. */
    const char **ids = xcalloc((size_t)g.n + 1, sizeof *ids);
    int nids = 0;
    for (int c = 0; c < wm.communities; c++) {
      if (start[c + 1] - start[c] < min_size) continue;
      for (int k = start[c]; k < start[c + 1]; k++) ids[nids++] = g.ids[order[k]];
    }
    rc = svc_intel_labels(r, ids, nids, named, &labels);
    free(ids);
    int shown = 0;
    for (int c = 0; rc == SVC_OK && c < wm.communities; c++) {
      int size = start[c + 1] - start[c];
      if (size < min_size) continue;
      char name[16];
      snprintf(name, sizeof name, "C%d", ++shown);
      json_t *cl = cluster_json(&g, order + start[c], size, pos, labels, name);
      if (!cl) rc = SVC_ERROR;
      else json_array_append_new(clusters, cl);
    }
  }
  if (rc == SVC_OK) {
    json_t *d = json_pack("{s:i,s:i,s:i,s:I,s:O}", "min_size", min_size, "nodes", g.n, "edges", g.m, "clusters",
                          (json_int_t)json_array_size(clusters), "children_named", named);
    req_audit(r, "network.clusters", "network", NULL, "ok", d);
    json_decref(d);
    *out = json_pack("{s:i,s:i,s:i,s:O}", "nodes", g.n, "edges", g.m, "min_size", min_size, "clusters", clusters);
  }
  if (measured && g.n > 0) net_measures_free(&wm);
  json_decref(clusters);
  json_decref(named);
  json_decref(labels);
  free(order);
  free(start);
  free(pos);
  free(all);
  graph_free(&g);
  return rc;
}
