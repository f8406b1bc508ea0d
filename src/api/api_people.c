/*
** Identity resolution: scoring a person against the children recorded, and
** keeping the decisions people take on suggested matches.
*/
#include <string.h>
#include "api/api.h"
#include "service/matching.h"
#include "service/service.h"
#include "store/merge.h"

/* POST /api/v1/people/match */
void api_people_match(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  struct people_match pm;
  int rc = svc_people_match(r, r->json, &errs, &pm);
  if (!api_answer_failure(r, rc, &errs)) {
    json_t *body = json_pack("{s:o,s:i}", "candidates", pm.candidates, "restricted_matches", pm.restricted);
    pm.candidates = NULL;
    resp_json(r, 200, body);
  }
  json_decref(pm.candidates);
  ferr_free(&errs);
}

/* POST /api/v1/people/match/decisions */
void api_match_decision(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  json_t *out = NULL;
  int rc = svc_match_decision(r, r->json, &errs, &out);
  if (!api_answer_failure(r, rc, &errs)) resp_json(r, 201, out);
  ferr_free(&errs);
}

static const char *const STATUSES[] = {"open", "not_duplicate", "merged", NULL};

/* GET /api/v1/duplicates[?status=open|not_duplicate|merged] */
void api_duplicates_list(struct req *r) {
  const char *status = req_query(r, "status");
  if (!status) status = "open";
  bool ok = false;
  for (const char *const *s = STATUSES; *s; s++) ok = ok || !strcmp(*s, status);
  if (!ok) {
    struct field_errors errs;
    ferr_init(&errs);
    ferr_add(&errs, "status", "must be open, not_duplicate or merged");
    resp_field_errors(r, &errs);
    ferr_free(&errs);
    return;
  }
  json_t *pairs = NULL;
  if (svc_duplicates_list(r, status, &pairs) != SVC_OK) {
    resp_db_error(r);
    return;
  }
  resp_json(r, 200, json_pack("{s:o}", "duplicates", pairs));
}

/* POST /api/v1/duplicates/{id}/decision {"decision","keep","reason"} */
void api_duplicate_decide(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  json_t *out = NULL;
  int rc = svc_duplicate_decide(r, req_param(r, 0), r->json, &errs, &out);
  if (!api_answer_failure(r, rc, &errs)) resp_json(r, 200, out);
  ferr_free(&errs);
}

/* POST /api/v1/merges/{id}/undo */
void api_merge_undo(struct req *r) {
  json_t *out = NULL;
  int rc = svc_merge_undo(r, req_param(r, 0), &out);
  if (!api_answer_failure(r, rc, NULL)) resp_json(r, 200, out);
}

/* GET /api/v1/children/{id}/merges */
void api_child_merges(struct req *r) {
  json_t *child = NULL;
  int rc = svc_child_get(r, req_param(r, 0), &child);
  json_decref(child);
  if (api_answer_failure(r, rc, NULL)) return;
  json_t *merges = NULL;
  if (store_merges_for_child(req_db(r), req_param(r, 0), &merges) != DB_OK) {
    resp_db_error(r);
    return;
  }
  resp_json(r, 200, json_pack("{s:o}", "merges", merges));
}
