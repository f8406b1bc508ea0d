/*
** Pages of the intelligence feature (see web/routes.c for what a route entry
** means, and service/intel.h for who may do what): the same role sets as the
** API's.  Each form route lists the fields its page posts (web/intel.c); a
** literal path comes before the {id} path it would otherwise match.
*/
#include "service/intel.h"
#include "web/intel_web.h"
#include "web/web.h"

#define H ROUTE_HTML
#define F (ROUTE_HTML | ROUTE_FORM)

static const char *const Q_HOME[] = {"q", "type", NULL};
static const char *const Q_TYPE[] = {"type", NULL};
static const char *const Q_ENTITY[] = {"done", "existing", NULL};
static const char *const Q_ABOUT[] = {"about", NULL};
static const char *const Q_DONE[] = {"done", NULL};
static const char *const Q_NETWORK[] = {"around", "depth", NULL};
static const char *const Q_CLUSTERS[] = {"min_size", NULL};

/* A GOV.UK date input NAME posts three boxes. */
#define DATE_PARTS(name) name "-day", name "-month", name "-year"

/* Every entity type's fields (web/intel.c: entity_fields_form); "type" is a hidden field. */
static const char *const F_ENTITY[] = {
    "type",     "first_name", "last_name", "aliases",    "description", DATE_PARTS("date_of_birth"),
    "approximate_age", "gender", "ethnicity_self", "ethnicity_observed", "nationality", "address",
    "postcode", "registration", "make",     "model",      "colour",      "number",
    "name",     "kind",       "platform",  "handle",     "notes",       NULL};
/* Link rows are numbered: links-N-from, links-N-relation, links-N-to. */
static const char *const F_INTEL[] = {"summary", DATE_PARTS("occurred_at"), "source_evaluation", "intelligence_assessment",
                                      "handling_code", "grading", "source_evaluation_5x5x5",
                                      "intelligence_assessment_5x5x5", "handling_code_5x5x5", "handling_conditions",
                                      "links-*", NULL};

const struct route web_intel_routes[] = {
    {"GET", "/intelligence", INTEL_READERS, H, web_intel_home, Q_HOME, "Intelligence: recent items and search", NULL},
    {"GET", "/intelligence/new", INTEL_RECORDERS, H, web_intel_new_form, Q_ABOUT, "Record intelligence (form)", NULL},
    {"POST", "/intelligence/new", INTEL_RECORDERS, F, web_intel_new, NULL, "Record intelligence", F_INTEL},
    {"GET", "/intelligence/{id}", INTEL_READERS, H, web_intel_view, Q_DONE, "One item of intelligence", NULL},
    {"GET", "/entities/new", INTEL_RECORDERS, H, web_entity_new_form, Q_TYPE,
     "Record a person, vehicle, phone, place or online account (form)", NULL},
    {"POST", "/entities/new", INTEL_RECORDERS, F, web_entity_new, NULL,
     "Record a person, vehicle, phone, place or online account", F_ENTITY},
    {"GET", "/entities/{id}", INTEL_READERS, H, web_entity_view, Q_ENTITY,
     "A person, vehicle, phone, place or online account, and the intelligence about it", NULL},
    {"GET", "/network", INTEL_READERS, H, web_network, Q_NETWORK, "The network around an entity or a child", NULL},
    {"GET", "/network/clusters", INTEL_READERS, H, web_network_clusters, Q_CLUSTERS, "Groups in the whole network",
     NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};
