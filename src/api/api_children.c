/*
** Children's records: create, read, update, search.
*/
#include <string.h>
#include "api/api.h"
#include "service/service.h"

/* POST /api/v1/children */
void api_children_create(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  char id[ID_MAX];
  int rc = svc_child_create(r, r->json, &errs, id);
  if (!api_answer_failure(r, rc, &errs)) {
    json_t *child = NULL;
    rc = svc_child_get(r, id, &child);
    if (!api_answer_failure(r, rc, NULL)) resp_json(r, 201, child);
  }
  ferr_free(&errs);
}

/* GET /api/v1/children/{id} */
void api_children_get(struct req *r) {
  struct buf text = BUF_INIT;
  int rc = svc_child_get_text(r, req_param(r, 0), &text);
  if (!api_answer_failure(r, rc, NULL)) resp_json_text(r, 200, &text);
  buf_free(&text);
}

/* PATCH /api/v1/children/{id} */
void api_children_update(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  json_t *child = NULL;
  int rc = svc_child_update(r, req_param(r, 0), r->json, &errs, &child);
  if (!api_answer_failure(r, rc, &errs)) resp_json(r, 200, child);
  ferr_free(&errs);
}

/* GET /api/v1/children?q=TEXT */
void api_children_search(struct req *r) {
  const char *q = req_query(r, "q");
  if (!q || strlen(q) < 2 || strlen(q) > 200) {
    struct field_errors errs;
    ferr_init(&errs);
    ferr_add(&errs, "q", "must be 2 to 200 characters");
    resp_field_errors(r, &errs);
    ferr_free(&errs);
    return;
  }
  struct child_search s;
  int rc = svc_child_search(r, q, &s);
  if (rc != SVC_OK) {
    svc_child_search_free(&s);
    resp_db_error(r);
    return;
  }
  json_t *body = json_pack("{s:O,s:i,s:b}", "children", s.results, "restricted_matches", s.restricted, "more", s.more);
  if (s.restricted > 0) {
    json_object_set_new(body, "notice",
                        json_string("Other children known to Safehub match this search. Their records are open "
                                    "only to agencies involved with them: contact the MASH."));
  }
  svc_child_search_free(&s);
  resp_json(r, 200, body);
}
