/*
** JSON API handlers of the front door (api_referrals.c); their routes are in
** routes_referral.c.
*/
#ifndef SAFEHUB_API_REFERRALS_H
#define SAFEHUB_API_REFERRALS_H
#include "http/http.h"

void api_referrals_create(struct req *r);
void api_referrals_list(struct req *r);
void api_referrals_get(struct req *r);
void api_referrals_matches(struct req *r);
void api_referrals_confirm_child(struct req *r);
void api_referrals_assign(struct req *r);
void api_referrals_triage(struct req *r);
void api_referrals_decide(struct req *r);
void api_referrals_signoff(struct req *r);
void api_referrals_challenge(struct req *r);
void api_referrals_answer_challenge(struct req *r);
void api_referrals_mash_staff(struct req *r);
void api_children_referrals(struct req *r);

#endif
