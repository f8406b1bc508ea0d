/*
** Routes of the referral feature (see routes.c for what a route entry means).
** Anyone working with children may raise a referral; the MASH and its
** managers confirm the child, assign, rate and decide; managers sign off
** closures and answer challenges; the referring agency challenges.
*/
#include "api/api.h"
#include "api/referrals.h"
#include "service/referrals.h"

#define J ROUTE_JSON

static const char *const Q_LIST[] = {"status", "rag", "page", NULL};

const struct route api_referral_routes[] = {
    {"POST", "/api/v1/referrals", REFERRAL_RAISERS, J, api_referrals_create, NULL, "Raise a referral", NULL},
    {"GET", "/api/v1/referrals", ROLES_CASE, 0, api_referrals_list, Q_LIST,
     "The MASH queue (MASH, managers, director) or the referrals you raised", NULL},
    {"GET", "/api/v1/referrals/{id}", ROLES_CASE, 0, api_referrals_get, NULL, "A referral", NULL},
    {"GET", "/api/v1/referrals/{id}/matches", REFERRAL_DECIDERS, 0, api_referrals_matches, NULL,
     "Children who may be the child a referral describes", NULL},
    {"POST", "/api/v1/referrals/{id}/child", REFERRAL_DECIDERS, J, api_referrals_confirm_child, NULL,
     "Confirm which child a referral is about", NULL},
    {"POST", "/api/v1/referrals/{id}/assign", REFERRAL_DECIDERS, J, api_referrals_assign, NULL,
     "Give a referral to a MASH worker, or back to the queue", NULL},
    {"POST", "/api/v1/referrals/{id}/triage", REFERRAL_DECIDERS, J, api_referrals_triage, NULL,
     "Rate a referral red, amber or green", NULL},
    {"POST", "/api/v1/referrals/{id}/decision", REFERRAL_DECIDERS, J, api_referrals_decide, NULL,
     "Decide a referral", NULL},
    {"POST", "/api/v1/referrals/{id}/signoff", REFERRAL_MANAGERS, J, api_referrals_signoff, NULL,
     "Sign off, or send back, a closure with no further action", NULL},
    {"POST", "/api/v1/referrals/{id}/challenge", REFERRAL_RAISERS, J, api_referrals_challenge, NULL,
     "Challenge the decision on a referral", NULL},
    {"POST", "/api/v1/referrals/{id}/challenge/response", REFERRAL_MANAGERS, J, api_referrals_answer_challenge, NULL,
     "Answer a challenge to a decision", NULL},
    {"GET", "/api/v1/mash-staff", REFERRAL_DECIDERS, 0, api_referrals_mash_staff, NULL,
     "MASH workers and managers a referral can be given to", NULL},
    {"GET", "/api/v1/children/{id}/referrals", ROLES_CASE, 0, api_children_referrals, NULL,
     "The referrals about a child", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};
