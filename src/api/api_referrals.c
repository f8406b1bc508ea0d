/*
** The front door's JSON API: raising, reading and listing referrals, the
** child's referrals, possible matches, and the changes (confirming the
** child, assigning, rating, deciding, sign-off, challenge and its answer),
** each of which answers the referral as it now stands.
*/
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/referrals.h"
#include "service/referrals.h"
#include "service/service.h"

/*
** Answers a failed use case: 422 naming the fields, 403 and 409 with the
** service's reason, 404, or 503.  Returns true when it answered.
*/
static bool answer_failure(struct req *r, int rc, struct field_errors *errs, const char *why) {
  switch (rc) {
  case SVC_OK: return false;
  case SVC_FORBIDDEN: resp_error(r, 403, "forbidden", why && *why ? why : "You may not do this."); return true;
  case SVC_CONFLICT:
    resp_error(r, 409, "conflict", why && *why ? why : "The referral is in a state that does not allow this.");
    return true;
  default: return api_answer_failure(r, rc, errs);
  }
}

/* Answers STATUS with referral ID as it now stands (audited as a read). */
static void answer_referral(struct req *r, const char *id, int status) {
  json_t *ref = NULL;
  int rc = svc_referral_get(r, id, &ref);
  if (!api_answer_failure(r, rc, NULL)) resp_json(r, status, ref);
}

/* POST /api/v1/referrals */
void api_referrals_create(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  char id[ID_MAX];
  int rc = svc_referral_create(r, r->json, &errs, id);
  if (!answer_failure(r, rc, &errs, NULL)) answer_referral(r, id, 201);
  ferr_free(&errs);
}

/* GET /api/v1/referrals[?status=&rag=&page=] */
void api_referrals_list(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  struct referral_filter f = {req_query(r, "status"), req_query(r, "rag"), 1};
  const char *page = req_query(r, "page");
  if (page) {
    char *end;
    long n = strtol(page, &end, 10);
    f.page = *page && !*end && n > 0 && n <= 100000 ? (int)n : 0;
  }
  json_t *out = NULL;
  int rc = svc_referral_list(r, &f, &errs, &out);
  if (!answer_failure(r, rc, &errs, NULL)) resp_json(r, 200, out);
  ferr_free(&errs);
}

/* GET /api/v1/referrals/{id} */
void api_referrals_get(struct req *r) { answer_referral(r, req_param(r, 0), 200); }

/* GET /api/v1/referrals/{id}/matches */
void api_referrals_matches(struct req *r) {
  json_t *out = NULL;
  int rc = svc_referral_matches(r, req_param(r, 0), &out);
  if (!answer_failure(r, rc, NULL, NULL)) resp_json(r, 200, out);
}

typedef int (*change_fn)(struct req *r, const char *id, json_t *input, struct field_errors *errs, char *why);

/* Runs a change FN on referral {id} with the request's JSON and answers the referral or the refusal. */
static void change(struct req *r, change_fn fn) {
  struct field_errors errs;
  ferr_init(&errs);
  char why[REFERRAL_WHY_MAX] = "";
  const char *id = req_param(r, 0);
  int rc = fn(r, id, r->json, &errs, why);
  if (!answer_failure(r, rc, &errs, why)) answer_referral(r, id, 200);
  ferr_free(&errs);
}

/* POST /api/v1/referrals/{id}/child */
void api_referrals_confirm_child(struct req *r) { change(r, svc_referral_confirm_child); }
/* POST /api/v1/referrals/{id}/assign */
void api_referrals_assign(struct req *r) { change(r, svc_referral_assign); }
/* POST /api/v1/referrals/{id}/triage */
void api_referrals_triage(struct req *r) { change(r, svc_referral_triage); }
/* POST /api/v1/referrals/{id}/decision */
void api_referrals_decide(struct req *r) { change(r, svc_referral_decide); }
/* POST /api/v1/referrals/{id}/signoff */
void api_referrals_signoff(struct req *r) { change(r, svc_referral_signoff); }
/* POST /api/v1/referrals/{id}/challenge */
void api_referrals_challenge(struct req *r) { change(r, svc_referral_challenge); }
/* POST /api/v1/referrals/{id}/challenge/response */
void api_referrals_answer_challenge(struct req *r) { change(r, svc_referral_answer_challenge); }

/* GET /api/v1/mash-staff */
void api_referrals_mash_staff(struct req *r) {
  json_t *staff = NULL;
  if (svc_referral_mash_staff(r, &staff) != SVC_OK) {
    resp_db_error(r);
    return;
  }
  resp_json(r, 200, json_pack("{s:o}", "staff", staff));
}

/* GET /api/v1/children/{id}/referrals */
void api_children_referrals(struct req *r) {
  json_t *out = NULL;
  int rc = svc_child_referrals(r, req_param(r, 0), &out);
  if (!api_answer_failure(r, rc, NULL)) resp_json(r, 200, out);
}
