/*
** JSON API handlers of intelligence and networks (api_intel.c), registered
** in routes_intel.c.
*/
#ifndef SAFEHUB_API_INTEL_API_H
#define SAFEHUB_API_INTEL_API_H
#include "http/http.h"

void api_entity_create(struct req *r);
void api_entity_search(struct req *r);
void api_entity_get(struct req *r);
void api_intel_create(struct req *r);
void api_intel_list(struct req *r);
void api_intel_get(struct req *r);
void api_network_around(struct req *r);
void api_network_clusters(struct req *r);

#endif
