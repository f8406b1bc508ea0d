/*
** Intelligence and networks, and the partnership's problem profile: use cases
** shared by the JSON API, the web pages and the demo borough.  Recording
** people, vehicles, phones, places and online accounts (one record per
** vehicle, phone, account or place, however many agencies report it),
** graded intelligence with the links it reports, reading them back, the
** network around any of them or around a child, the groups the whole network
** falls into, and the aggregate figures for leaders and the board.  Same
** result codes as service.h.
*/
#ifndef SAFEHUB_SERVICE_INTEL_H
#define SAFEHUB_SERVICE_INTEL_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "service/service.h"

struct cli;

/* Roles that may read intelligence and networks, and record them. */
#define INTEL_READERS                                                                                    \
  (R(ROLE_MASH) | R(ROLE_CSE_WORKER) | R(ROLE_POLICE) | R(ROLE_ANALYST) | R(ROLE_MANAGER) | R(ROLE_DIRECTOR))
#define INTEL_RECORDERS (R(ROLE_MASH) | R(ROLE_CSE_WORKER) | R(ROLE_POLICE) | R(ROLE_ANALYST))
/* Roles that may read the problem profile (aggregates only: no child, person or place is named). */
#define REPORT_READERS (R(ROLE_STRATEGIC) | R(ROLE_ANALYST) | R(ROLE_MANAGER) | R(ROLE_DIRECTOR))

#define NETWORK_DEPTH_MAX 3     /* steps from the centre of GET /network, at most */
#define NETWORK_NODES_MAX 300   /* nodes in one network answer, at most */

/* entities (service/intel.c) */
int svc_entity_create(struct req *r, json_t *input, struct field_errors *errs, json_t **out, bool *existed);
int svc_entity_get(struct req *r, const char *id, json_t **out);
int svc_entity_search(struct req *r, const char *q, const char *type, json_t **out);

/* A page's refusal of its form before the use case could run, audited as the use case's own (service/intel.c). */
void svc_intel_refused(struct req *r, const char *action, const char *type, struct field_errors *errs);

/* intelligence (service/intel.c) */
int svc_intel_create(struct req *r, json_t *input, struct field_errors *errs, json_t **out);
int svc_intel_get(struct req *r, const char *id, json_t **out);
int svc_intel_list(struct req *r, const char *about, json_t **out);

/* labels of link ends and network nodes, a child named only for those who may open it (service/intel.c) */
int svc_intel_labels(struct req *r, const char *const *ids, int n, json_t *named, json_t **out);

/* networks (service/network.c) */
int svc_network_around(struct req *r, const char *id, int depth, json_t **out);
int svc_network_clusters(struct req *r, int min_size, json_t **out);

/* the problem profile (service/reports.c) */
int svc_problem_profile(struct req *r, const char *from, const char *to, struct field_errors *errs, json_t **out);

/* The demo borough's intelligence (cli/demo_intel.c). */
int demo_intel(struct cli *c, uint64_t seed);

#endif
