/*
** The front door's use cases, shared by the JSON API, the web pages and the
** command line: raising a referral, reading and listing referrals with
** record-level access, confirming which child a referral is about (with
** possible matches), assigning it to a MASH worker, rating it, deciding it,
** a manager's sign-off, and a referrer's challenge and its answer.
**
** Each change is one write transaction holding the change, its history
** event, its deadlines, its chronology entries, its notifications and its
** audit entry.  Each read is audited.  Refusals are audited too.
**
** Results are the SVC_* codes of service.h.  Functions that can refuse a
** request for a reason people should read (403, 409) write that reason into
** WHY (a sentence); field problems (422) go to ERRS.
*/
#ifndef SAFEHUB_SERVICE_REFERRALS_H
#define SAFEHUB_SERVICE_REFERRALS_H
#include <stdint.h>
#include <jansson.h>
#include "core/fields.h"
#include "http/http.h"
#include "util/codec.h"

/* Roles that rate, assign, decide and confirm the child of referrals (the MASH and its managers). */
#define REFERRAL_DECIDERS (R(ROLE_MASH) | R(ROLE_MANAGER) | R(ROLE_DIRECTOR))
/* Roles that sign off closures and answer challenges. */
#define REFERRAL_MANAGERS (R(ROLE_MANAGER) | R(ROLE_DIRECTOR))
/* Roles that may raise a referral (and so challenge the decision on one). */
#define REFERRAL_RAISERS                                                                        \
  (R(ROLE_REFERRER) | R(ROLE_MASH) | R(ROLE_SOCIAL_WORKER) | R(ROLE_CSE_WORKER) | R(ROLE_POLICE) | \
   R(ROLE_MANAGER) | R(ROLE_DIRECTOR))

#define REFERRAL_WHY_MAX 240
#define REFERRAL_PAGE_SIZE 50

int svc_referral_create(struct req *r, json_t *input, struct field_errors *errs, char id_out[ID_MAX]);
int svc_referral_check(struct req *r, json_t *input, struct field_errors *errs);
int svc_referral_get(struct req *r, const char *id, json_t **out);

/* A listing: STATUS is a status, "open" or "all" (NULL: the role's default); RAG NULL for any. */
struct referral_filter {
  const char *status;
  const char *rag;
  int page; /* from 1 */
};
int svc_referral_list(struct req *r, const struct referral_filter *f, struct field_errors *errs, json_t **out);
int svc_child_referrals(struct req *r, const char *child_id, json_t **out);
int svc_referral_matches(struct req *r, const char *id, json_t **out);
int svc_referral_mash_staff(struct req *r, json_t **out);

int svc_referral_confirm_child(struct req *r, const char *id, json_t *input, struct field_errors *errs, char *why);
int svc_referral_assign(struct req *r, const char *id, json_t *input, struct field_errors *errs, char *why);
int svc_referral_triage(struct req *r, const char *id, json_t *input, struct field_errors *errs, char *why);
int svc_referral_decide(struct req *r, const char *id, json_t *input, struct field_errors *errs, char *why);
int svc_referral_signoff(struct req *r, const char *id, json_t *input, struct field_errors *errs, char *why);
int svc_referral_challenge(struct req *r, const char *id, json_t *input, struct field_errors *errs, char *why);
int svc_referral_answer_challenge(struct req *r, const char *id, json_t *input, struct field_errors *errs,
                                  char *why);

/*
** Demo data (src/cli/demo_referrals.c): about COUNT referrals across the
** demo children, deterministic for SEED, for `safehub demo`.
*/
struct cli;
int demo_referrals(struct cli *c, uint64_t seed, int count);

#endif
