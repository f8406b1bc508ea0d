/*
** CSE risk assessments over the JSON API: the tool in force, a child's
** assessments (list, one, make one, countersign a lowering), the indicators
** already recorded that a new assessment should consider, and the managers'
** overview.  Each handler calls one use case in service/risk.c and renders.
*/
#include <stdio.h>
#include <stdlib.h>
#include "api/api.h"
#include "api/risk_api.h"
#include "http/app.h"
#include "service/risk.h"
#include "util/xalloc.h"

/* GET /api/v1/risk/tool: the definition in force (no personal data). */
void api_risk_tool(struct req *r) { resp_json(r, 200, risk_tool_json(&r->app->risk_tool)); }

/* GET /api/v1/risk/overview */
void api_risk_overview(struct req *r) {
  json_t *out = NULL;
  int rc = svc_risk_overview(r, &out);
  if (!api_answer_failure(r, rc, NULL)) resp_json(r, 200, out);
}

/* GET /api/v1/children/{id}/risk-assessments */
void api_risk_list(struct req *r) {
  json_t *out = NULL;
  int rc = svc_risk_list(r, req_param(r, 0), &out);
  if (!api_answer_failure(r, rc, NULL)) resp_json(r, 200, out);
}

/* POST /api/v1/children/{id}/risk-assessments: 201 with the assessment as recorded. */
void api_risk_create(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  char id[ID_MAX];
  int rc = svc_risk_assess(r, req_param(r, 0), r->json, &errs, id);
  if (rc == SVC_FORBIDDEN) {
    resp_error(r, 403, "forbidden", "Your role may not make risk assessments.");
  } else if (!api_answer_failure(r, rc, &errs)) {
    json_t *out = NULL;
    rc = svc_risk_get(r, req_param(r, 0), id, &out);
    if (!api_answer_failure(r, rc, NULL)) {
      char location[160];
      snprintf(location, sizeof location, "/api/v1/children/%s/risk-assessments/%s", req_param(r, 0), id);
      free(r->location);
      r->location = xstrdup(location);
      resp_json(r, 201, out);
    }
  }
  ferr_free(&errs);
}

/* GET /api/v1/children/{id}/risk-assessments/prefill */
void api_risk_prefill(struct req *r) {
  json_t *out = NULL;
  int rc = svc_risk_prefill(r, req_param(r, 0), &out);
  if (!api_answer_failure(r, rc, NULL)) resp_json(r, 200, out);
}

/* GET /api/v1/children/{id}/risk-assessments/{aid} */
void api_risk_get(struct req *r) {
  json_t *out = NULL;
  int rc = svc_risk_get(r, req_param(r, 0), req_param(r, 1), &out);
  if (!api_answer_failure(r, rc, NULL)) resp_json(r, 200, out);
}

/* POST /api/v1/children/{id}/risk-assessments/{aid}/countersign: 200 with the assessment after it. */
void api_risk_countersign(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  int rc = svc_risk_countersign(r, req_param(r, 0), req_param(r, 1), r->json, &errs);
  if (rc == SVC_FORBIDDEN) {
    resp_error(r, 403, "forbidden", "Only a manager or director may countersign.");
  } else if (rc == SVC_CONFLICT) {
    resp_json(r, 409, json_pack("{s:{s:s,s:s,s:O}}", "error", "code", "conflict", "message",
                                "This assessment cannot be countersigned now.", "fields", errs.fields));
  } else if (!api_answer_failure(r, rc, &errs)) {
    json_t *out = NULL;
    rc = svc_risk_get(r, req_param(r, 0), req_param(r, 1), &out);
    if (!api_answer_failure(r, rc, NULL)) resp_json(r, 200, out);
  }
  ferr_free(&errs);
}
