/*
** The front door's pages (referrals.c): the MASH queue or a referrer's own
** referrals, the referral form, a referral with the work on it, and the
** Referrals tab of a child's record.  Routes in routes_referral.c.
*/
#ifndef SAFEHUB_WEB_REFERRALS_H
#define SAFEHUB_WEB_REFERRALS_H
#include "http/http.h"

void web_referrals_list(struct req *r);
void web_referral_new_form(struct req *r);
void web_referral_new(struct req *r);
void web_referral_view(struct req *r);
void web_referral_confirm_child(struct req *r);
void web_referral_assign(struct req *r);
void web_referral_triage(struct req *r);
void web_referral_decide(struct req *r);
void web_referral_signoff(struct req *r);
void web_referral_challenge(struct req *r);
void web_referral_answer(struct req *r);
void web_child_referrals(struct req *r);

#endif
