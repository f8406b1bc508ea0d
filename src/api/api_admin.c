/*
** Administration: agencies, users and API tokens.  Only the admin role
** reaches these (see routes.c), and none of them touches case data.
*/
#include "api/api.h"
#include "service/service.h"
#include "store/store.h"

static void list(struct req *r, int (*fn)(struct db *, json_t **), const char *key) {
  json_t *arr = NULL;
  struct db *db = req_db(r);
  if (!db || fn(db, &arr) != DB_OK) {
    resp_db_error(r);
    return;
  }
  resp_json(r, 200, json_pack("{s:o}", key, arr));
}

void api_agencies_list(struct req *r) { list(r, store_agency_list, "agencies"); }
void api_users_list(struct req *r) { list(r, store_user_list, "users"); }
void api_tokens_list(struct req *r) { list(r, store_token_list, "tokens"); }

typedef int (*create_fn)(struct req *, json_t *, struct field_errors *, json_t **);

static void create(struct req *r, create_fn fn) {
  struct field_errors errs;
  ferr_init(&errs);
  json_t *out = NULL;
  int rc = fn(r, r->json, &errs, &out);
  if (!api_answer_failure(r, rc, &errs)) resp_json(r, 201, out);
  ferr_free(&errs);
}

void api_agencies_create(struct req *r) { create(r, svc_agency_create); }
void api_users_create(struct req *r) { create(r, svc_user_create); }
void api_tokens_create(struct req *r) { create(r, svc_token_create); }

/* PATCH /api/v1/users/{id} */
void api_users_update(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  json_t *out = NULL;
  int rc = svc_user_update(r, req_param(r, 0), r->json, &errs, &out);
  if (!api_answer_failure(r, rc, &errs)) resp_json(r, 200, out);
  ferr_free(&errs);
}

/* DELETE /api/v1/tokens/{id} */
void api_tokens_revoke(struct req *r) {
  int rc = svc_token_revoke(r, req_param(r, 0));
  if (!api_answer_failure(r, rc, NULL)) {
    r->status = 204;
    buf_reset(&r->out);
  }
}
