/*
** JSON API handlers of casework (api_casework.c): missing episodes and
** return-home interviews, case notes, allocation and caseloads, meetings and
** actions, support referrals.  Each parses its input, calls one use case in
** service/casework_svc.h and renders the result; routes_casework.c lists
** them with the roles they admit.
*/
#ifndef SAFEHUB_API_CASEWORK_API_H
#define SAFEHUB_API_CASEWORK_API_H
#include "http/http.h"

void api_missing_create(struct req *r);
void api_missing_list(struct req *r);
void api_missing_get(struct req *r);
void api_missing_update(struct req *r);
void api_return_interview(struct req *r);
void api_notes_create(struct req *r);
void api_notes_list(struct req *r);
void api_allocation_get(struct req *r);
void api_allocation_create(struct req *r);
void api_allocation_end(struct req *r);
void api_caseloads(struct req *r);
void api_caseload_mine(struct req *r);
void api_meetings_create(struct req *r);
void api_meetings_get(struct req *r);
void api_child_meetings(struct req *r);
void api_action_complete(struct req *r);
void api_support_create(struct req *r);
void api_support_list(struct req *r);
void api_support_get(struct req *r);
void api_support_update(struct req *r);

#endif
