/*
** Children's records: create, read, update, search.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "service/service.h"
#include "util/xalloc.h"

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

/*
** The version an If-Match header names: 0 when there is none or it is "*"
** (any version), -1 when it is not one quoted version ("7"); a weak tag
** (W/"7") is refused, since a change needs the exact record.
*/
static long long if_match_version(const char *h) {
  if (!h) return 0;
  while (*h == ' ' || *h == '\t') h++;
  if (strcmp(h, "*") == 0) return 0;
  size_t n = strlen(h);
  while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t')) n--;
  if (n < 3 || n > 12 || h[0] != '"' || h[n - 1] != '"') return -1;
  long long v = 0;
  for (size_t i = 1; i + 1 < n; i++) {
    if (h[i] < '0' || h[i] > '9') return -1;
    v = v * 10 + (h[i] - '0');
  }
  return v > 0 ? v : -1;
}

/*
** PATCH /api/v1/children/{id}.  With If-Match: "VERSION" (the record's
** "version") the change is made only to that version: 412 when the record
** has changed since, so a partner system cannot overwrite what it has not
** seen.  The answer carries the new version as its ETag.
*/
void api_children_update(struct req *r) {
  long long from = if_match_version(req_header(r, "If-Match"));
  if (from < 0) {
    resp_error(r, 400, "bad_request", "If-Match must be the record's version in quotes, like \"3\", or *.");
    return;
  }
  struct field_errors errs;
  ferr_init(&errs);
  json_t *child = NULL;
  int rc = svc_child_update_from(r, req_param(r, 0), r->json, from, &errs, &child);
  if (rc == SVC_CONFLICT && from > 0) {
    char msg[160];
    snprintf(msg, sizeof msg, "The record is no longer at version %lld: read it again and make the change to what it "
                              "holds now.", from);
    resp_error(r, 412, "precondition_failed", msg);
  } else if (!api_answer_failure(r, rc, &errs)) {
    char etag[32];
    snprintf(etag, sizeof etag, "\"%lld\"", (long long)json_integer_value(json_object_get(child, "version")));
    free(r->etag);
    r->etag = xstrdup(etag);
    resp_json(r, 200, child);
  }
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
