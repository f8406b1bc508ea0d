/*
** Intelligence and networks over the JSON API: recording and finding
** people, vehicles, phones, places and online accounts; recording and
** reading graded intelligence; the network around a record and the groups
** of the whole network.  Each handler checks its query parameters (422
** naming the parameter), calls one use case in service/intel.c or
** service/network.c, and renders.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/intel_api.h"
#include "core/intel.h"
#include "service/intel.h"
#include "util/codec.h"
#include "util/xalloc.h"

#define CLUSTER_MIN_SIZE 3      /* GET /network/clusters without min_size */
#define CLUSTER_MIN_SIZE_CAP 100000 /* larger values ask for nothing more */

/* Answers 422 naming FIELD with WHY. */
static void bad_parameter(struct req *r, const char *field, const char *why) {
  struct field_errors errs;
  ferr_init(&errs);
  ferr_add(&errs, field, "%s", why);
  resp_field_errors(r, &errs);
  ferr_free(&errs);
}

/* Reads S, digits only (at most nine, so no overflow), as a whole number in [LO, HI] into *OUT; false otherwise. */
static bool whole_number(const char *s, long lo, long hi, long *out) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n > 9 || strspn(s, "0123456789") != n) return false;
  long v = strtol(s, NULL, 10);
  if (v < lo || v > hi) return false;
  *out = v;
  return true;
}

/* Sets the Location header to PATH (api prefix included) followed by ID. */
static void set_location(struct req *r, const char *path, const char *id) {
  char location[160];
  snprintf(location, sizeof location, "%s%s", path, id ? id : "");
  free(r->location);
  r->location = xstrdup(location);
}

/* POST /api/v1/entities: 201 with the record made, or 200 with the one already recorded ("existing": true). */
void api_entity_create(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  json_t *out = NULL;
  bool existed = false;
  int rc = svc_entity_create(r, r->json, &errs, &out, &existed);
  if (!api_answer_failure(r, rc, &errs)) {
    json_object_set_new(out, "existing", json_boolean(existed));
    set_location(r, "/api/v1/entities/", api_str(out, "id"));
    resp_json(r, existed ? 200 : 201, out);
  }
  ferr_free(&errs);
}

/* GET /api/v1/entities?q=TEXT[&type=T] */
void api_entity_search(struct req *r) {
  const char *q = req_query(r, "q"), *type = req_query(r, "type");
  enum entity_type t;
  if (!q || strlen(q) < 2 || strlen(q) > 200) {
    bad_parameter(r, "q", "must be 2 to 200 characters");
    return;
  }
  if (type && !entity_type_parse(type, &t)) {
    bad_parameter(r, "type", "must be one of: person, vehicle, phone, location, online_account");
    return;
  }
  json_t *out = NULL;
  int rc = svc_entity_search(r, q, type, &out);
  if (!api_answer_failure(r, rc, NULL)) resp_json(r, 200, out);
}

/* GET /api/v1/entities/{id} */
void api_entity_get(struct req *r) {
  json_t *out = NULL;
  int rc = svc_entity_get(r, req_param(r, 0), &out);
  if (!api_answer_failure(r, rc, NULL)) resp_json(r, 200, out);
}

/* POST /api/v1/intelligence: 201 with the item as recorded. */
void api_intel_create(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  json_t *out = NULL;
  int rc = svc_intel_create(r, r->json, &errs, &out);
  if (!api_answer_failure(r, rc, &errs)) {
    set_location(r, "/api/v1/intelligence/", api_str(out, "id"));
    resp_json(r, 201, out);
  }
  ferr_free(&errs);
}

/* GET /api/v1/intelligence[?about=ID] */
void api_intel_list(struct req *r) {
  const char *about = req_query(r, "about");
  if (about && (!ids_plausible(about) || strlen(about) >= ID_MAX)) {
    bad_parameter(r, "about", "must be the id of a person, vehicle, phone, place, online account or child");
    return;
  }
  json_t *out = NULL;
  int rc = svc_intel_list(r, about, &out);
  if (!api_answer_failure(r, rc, NULL)) resp_json(r, 200, out);
}

/* GET /api/v1/intelligence/{id} */
void api_intel_get(struct req *r) {
  json_t *out = NULL;
  int rc = svc_intel_get(r, req_param(r, 0), &out);
  if (!api_answer_failure(r, rc, NULL)) resp_json(r, 200, out);
}

/* GET /api/v1/network?around=ID[&depth=N] */
void api_network_around(struct req *r) {
  const char *around = req_query(r, "around"), *depth_s = req_query(r, "depth");
  struct field_errors errs;
  ferr_init(&errs);
  if (!around) ferr_add(&errs, "around", "is required: the id of a person, vehicle, phone, place, online account or child");
  else if (!ids_plausible(around) || strlen(around) >= ID_MAX)
    ferr_add(&errs, "around", "must be the id of a person, vehicle, phone, place, online account or child");
  long depth = 2;
  if (depth_s && !whole_number(depth_s, 1, NETWORK_DEPTH_MAX, &depth))
    ferr_add(&errs, "depth", "must be a whole number from 1 to %d", NETWORK_DEPTH_MAX);
  if (ferr_any(&errs)) {
    resp_field_errors(r, &errs);
    ferr_free(&errs);
    return;
  }
  ferr_free(&errs);
  json_t *out = NULL;
  int rc = svc_network_around(r, around, (int)depth, &out);
  if (!api_answer_failure(r, rc, NULL)) resp_json(r, 200, out);
}

/* GET /api/v1/network/clusters[?min_size=K] */
void api_network_clusters(struct req *r) {
  const char *k = req_query(r, "min_size");
  long min_size = CLUSTER_MIN_SIZE;
  if (k && !whole_number(k, 2, CLUSTER_MIN_SIZE_CAP, &min_size)) {
    bad_parameter(r, "min_size", "must be a whole number, 2 or more");
    return;
  }
  json_t *out = NULL;
  int rc = svc_network_clusters(r, (int)min_size, &out);
  if (!api_answer_failure(r, rc, NULL)) resp_json(r, 200, out);
}
