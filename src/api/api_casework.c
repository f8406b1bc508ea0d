/*
** Casework through the JSON API (see casework_api.h): thin handlers that
** hand the request's JSON to the use case and answer 200/201 with what it
** returns, or the use case's refusal (404 for a record the user may not
** see, 409 for a state that forbids the change, 422 naming each bad field).
*/
#include "api/api.h"
#include "api/casework_api.h"
#include "service/casework_svc.h"
#include "service/service.h"

typedef int (*svc_change_fn)(struct req *r, const char *id, json_t *in, struct field_errors *errs, json_t **out);
typedef int (*svc_read_fn)(struct req *r, const char *id, json_t **out);

/* Runs a change of the record named by the path's first parameter and answers STATUS with its result. */
static void change(struct req *r, svc_change_fn fn, int status) {
  struct field_errors errs;
  ferr_init(&errs);
  json_t *out = NULL;
  int rc = fn(r, req_param(r, 0), r->json, &errs, &out);
  if (!api_answer_failure(r, rc, &errs)) resp_json(r, status, out);
  ferr_free(&errs);
}

/* Runs a read of the record named by the path's first parameter and answers 200 with it. */
static void read_one(struct req *r, svc_read_fn fn) {
  json_t *out = NULL;
  int rc = fn(r, req_param(r, 0), &out);
  if (!api_answer_failure(r, rc, NULL)) resp_json(r, 200, out);
}

/* POST /api/v1/children/{id}/missing-episodes */
void api_missing_create(struct req *r) { change(r, svc_missing_create, 201); }

/* GET /api/v1/children/{id}/missing-episodes */
void api_missing_list(struct req *r) { read_one(r, svc_missing_list); }

/* GET /api/v1/missing-episodes/{id} */
void api_missing_get(struct req *r) { read_one(r, svc_missing_get); }

/* PATCH /api/v1/missing-episodes/{id} */
void api_missing_update(struct req *r) { change(r, svc_missing_update, 200); }

/* POST /api/v1/missing-episodes/{id}/return-interview */
void api_return_interview(struct req *r) { change(r, svc_return_interview, 201); }

/* POST /api/v1/children/{id}/notes */
void api_notes_create(struct req *r) { change(r, svc_note_create, 201); }

/* GET /api/v1/children/{id}/notes */
void api_notes_list(struct req *r) { read_one(r, svc_note_list); }

/* GET /api/v1/children/{id}/allocation */
void api_allocation_get(struct req *r) { read_one(r, svc_allocation_get); }

/* POST /api/v1/children/{id}/allocation: 201 for a new allocation, 200 when it was already so. */
void api_allocation_create(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  json_t *out = NULL;
  bool created = false;
  int rc = svc_allocate(r, req_param(r, 0), r->json, &errs, &out, &created);
  if (!api_answer_failure(r, rc, &errs)) resp_json(r, created ? 201 : 200, out);
  ferr_free(&errs);
}

/* DELETE /api/v1/children/{id}/allocation */
void api_allocation_end(struct req *r) {
  if (!api_answer_failure(r, svc_allocation_end(r, req_param(r, 0)), NULL)) {
    r->status = 204;
    buf_reset(&r->out);
  }
}

/* GET /api/v1/caseloads[?team=T][&worker=USERNAME] */
void api_caseloads(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  json_t *out = NULL;
  int rc = svc_caseloads(r, req_query(r, "team"), req_query(r, "worker"), &errs, &out);
  if (!api_answer_failure(r, rc, &errs)) resp_json(r, 200, out);
  ferr_free(&errs);
}

/* GET /api/v1/caseloads/mine */
void api_caseload_mine(struct req *r) {
  json_t *out = NULL;
  if (!api_answer_failure(r, svc_caseload_mine(r, &out), NULL)) resp_json(r, 200, out);
}

/* POST /api/v1/meetings */
void api_meetings_create(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  json_t *out = NULL;
  int rc = svc_meeting_create(r, r->json, &errs, &out);
  if (!api_answer_failure(r, rc, &errs)) resp_json(r, 201, out);
  ferr_free(&errs);
}

/* GET /api/v1/meetings/{id} */
void api_meetings_get(struct req *r) { read_one(r, svc_meeting_get); }

/* GET /api/v1/children/{id}/meetings */
void api_child_meetings(struct req *r) { read_one(r, svc_meetings_for_child); }

/* POST /api/v1/actions/{id}/complete */
void api_action_complete(struct req *r) { change(r, svc_action_complete, 200); }

/* POST /api/v1/children/{id}/support */
void api_support_create(struct req *r) { change(r, svc_support_create, 201); }

/* GET /api/v1/children/{id}/support */
void api_support_list(struct req *r) { read_one(r, svc_support_list); }

/* GET /api/v1/support/{id} */
void api_support_get(struct req *r) { read_one(r, svc_support_get); }

/* PATCH /api/v1/support/{id} */
void api_support_update(struct req *r) { change(r, svc_support_update, 200); }
