/*
** Pages of the referral feature (see routes.c for what a route entry means).
** "/referrals/new" comes before "/referrals/{id}", which would also match it.
*/
#include "service/referrals.h"
#include "web/referrals.h"
#include "web/web.h"

#define H ROUTE_HTML
#define HF (ROUTE_HTML | ROUTE_FORM)

static const char *const Q_LIST[] = {"status", "rag", "page", NULL};
static const char *const Q_NEW[] = {"child", NULL};
static const char *const Q_VIEW[] = {"sent", "done", NULL};

const struct route web_referral_routes[] = {
    {"GET", "/referrals", ROLES_CASE, H, web_referrals_list, Q_LIST, "The MASH queue, or the referrals you made"},
    {"GET", "/referrals/new", REFERRAL_RAISERS, H, web_referral_new_form, Q_NEW, "Make a referral (form)"},
    {"POST", "/referrals/new", REFERRAL_RAISERS, HF, web_referral_new, NULL, "Make a referral"},
    {"GET", "/referrals/{id}", ROLES_CASE, H, web_referral_view, Q_VIEW, "A referral"},
    {"POST", "/referrals/{id}/child", REFERRAL_DECIDERS, HF, web_referral_confirm_child, NULL,
     "Confirm the child of a referral"},
    {"POST", "/referrals/{id}/assign", REFERRAL_DECIDERS, HF, web_referral_assign, NULL, "Assign a referral"},
    {"POST", "/referrals/{id}/triage", REFERRAL_DECIDERS, HF, web_referral_triage, NULL, "Rate a referral"},
    {"POST", "/referrals/{id}/decision", REFERRAL_DECIDERS, HF, web_referral_decide, NULL, "Decide a referral"},
    {"POST", "/referrals/{id}/signoff", REFERRAL_MANAGERS, HF, web_referral_signoff, NULL,
     "Sign off a closure with no further action"},
    {"POST", "/referrals/{id}/challenge", REFERRAL_RAISERS, HF, web_referral_challenge, NULL, "Challenge a decision"},
    {"POST", "/referrals/{id}/challenge-response", REFERRAL_MANAGERS, HF, web_referral_answer, NULL,
     "Answer a challenge"},
    {"GET", "/children/{id}/referrals", ROLES_CASE, H, web_child_referrals, NULL, "A child's referrals"},
    {NULL, NULL, 0, 0, NULL, NULL, NULL},
};
