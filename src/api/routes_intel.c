/*
** Routes of the intel feature (see api/routes.c for what a route entry means).
** Who may do what (service/intel.h): the MASH, CSE workers, the police and
** analysts record people, vehicles, phones, places, online accounts and
** intelligence; they, managers and the director read them and the networks.
** Everyone else is refused by route.
*/
#include "api/api.h"
#include "api/intel_api.h"
#include "service/intel.h"

static const char *const Q_ENTITIES[] = {"q", "type", NULL};
static const char *const Q_INTEL[] = {"about", NULL};
static const char *const Q_NETWORK[] = {"around", "depth", NULL};
static const char *const Q_CLUSTERS[] = {"min_size", NULL};

const struct route api_intel_routes[] = {
    {"POST", "/api/v1/entities", INTEL_RECORDERS, ROUTE_JSON, api_entity_create, NULL,
     "Record a person, vehicle, phone, place or online account", NULL},
    {"GET", "/api/v1/entities", INTEL_READERS, 0, api_entity_search, Q_ENTITIES,
     "Find people, vehicles, phones, places and online accounts", NULL},
    {"GET", "/api/v1/entities/{id}", INTEL_READERS, 0, api_entity_get, NULL,
     "A person, vehicle, phone, place or online account, with its intelligence and links", NULL},
    {"POST", "/api/v1/intelligence", INTEL_RECORDERS, ROUTE_JSON, api_intel_create, NULL,
     "Record graded intelligence and the links it reports", NULL},
    {"GET", "/api/v1/intelligence", INTEL_READERS, 0, api_intel_list, Q_INTEL,
     "Intelligence, newest first, or that about one record", NULL},
    {"GET", "/api/v1/intelligence/{id}", INTEL_READERS, 0, api_intel_get, NULL, "One intelligence item", NULL},
    {"GET", "/api/v1/network", INTEL_READERS, 0, api_network_around, Q_NETWORK,
     "The network around a record, with each node's measures", NULL},
    {"GET", "/api/v1/network/clusters", INTEL_READERS, 0, api_network_clusters, Q_CLUSTERS,
     "The groups of the whole network, largest first, with key people and places", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};
