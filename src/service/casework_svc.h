/*
** Use cases of casework: missing episodes and return-home interviews, case
** notes, the allocation of a lead worker and team and the caseloads that
** follow, strategy discussions and multi-agency CSE meetings with their
** actions, and referrals to support services.
**
** Every use case follows the child's access (svc_child_access): a child the
** user may not see is SVC_NOT_FOUND exactly as an absent one, and audited.
** A change, its chronology entry, its deadline and its audit entry commit in
** one write transaction; reads are audited as reads of the child.  Returned
** JSON is a new reference the caller owns; times are ISO 8601 UTC.
*/
#ifndef SAFEHUB_SERVICE_CASEWORK_SVC_H
#define SAFEHUB_SERVICE_CASEWORK_SVC_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/fields.h"
#include "http/http.h"

struct cli;


/* missing episodes and return-home interviews */
int svc_missing_create(struct req *r, const char *child_id, json_t *in, struct field_errors *errs, json_t **out);
int svc_missing_list(struct req *r, const char *child_id, json_t **out);
int svc_missing_get(struct req *r, const char *id, json_t **out);
int svc_missing_update(struct req *r, const char *id, json_t *in, struct field_errors *errs, json_t **out);
int svc_return_interview(struct req *r, const char *id, json_t *in, struct field_errors *errs, json_t **out);

/* case notes */
int svc_note_create(struct req *r, const char *child_id, json_t *in, struct field_errors *errs, json_t **out);
int svc_note_list(struct req *r, const char *child_id, json_t **out);

/* allocation and caseloads */
int svc_allocate(struct req *r, const char *child_id, json_t *in, struct field_errors *errs, json_t **out,
                 bool *created);
int svc_allocation_get(struct req *r, const char *child_id, json_t **out);
int svc_allocation_end(struct req *r, const char *child_id);
int svc_caseloads(struct req *r, const char *team, const char *worker, struct field_errors *errs, json_t **out);
int svc_caseload_mine(struct req *r, json_t **out);

/* meetings and actions */
int svc_meeting_create(struct req *r, json_t *in, struct field_errors *errs, json_t **out);
int svc_meeting_get(struct req *r, const char *id, json_t **out);
int svc_meetings_for_child(struct req *r, const char *child_id, json_t **out);
int svc_action_complete(struct req *r, const char *id, json_t *in, struct field_errors *errs, json_t **out);

/* support referrals */
int svc_support_create(struct req *r, const char *child_id, json_t *in, struct field_errors *errs, json_t **out);
int svc_support_get(struct req *r, const char *id, json_t **out);
int svc_support_update(struct req *r, const char *id, json_t *in, struct field_errors *errs, json_t **out);
int svc_support_update_from(struct req *r, const char *id, json_t *in, long long from, struct field_errors *errs,
                            json_t **out);
int svc_support_list(struct req *r, const char *child_id, json_t **out);

/* who may own actions and hold allocations (no personal data of children) */
int svc_casework_people(struct req *r, json_t **out);

/* the demo borough's casework (cli/demo_casework.c) */
int demo_casework(struct cli *c, uint64_t seed);

#endif
