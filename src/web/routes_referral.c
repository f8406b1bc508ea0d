/*
** Pages of the referral feature (see routes.c for what a route entry means).
** "/referrals/new" comes before "/referrals/{id}", which would also match it.
** Each form route lists the fields its form posts (web/referrals.c).
*/
#include "service/referrals.h"
#include "web/referrals.h"
#include "web/web.h"

#define H ROUTE_HTML
#define HF (ROUTE_HTML | ROUTE_FORM)

static const char *const Q_LIST[] = {"status", "rag", "page", NULL};
static const char *const Q_NEW[] = {"child", NULL};
static const char *const Q_VIEW[] = {"sent", "done", NULL};

/* A new referral is about a known child (child_id) or one described by the referrer (child.*). */
static const char *const F_NEW[] = {"immediate_danger", "child_id", "child.first_name", "child.last_name",
                                    "child.date_of_birth-day", "child.date_of_birth-month", "child.date_of_birth-year",
                                    "child.gender", "child.ethnicity", "child.postcode", "child.address",
                                    "child.nhs_number", "child.school", "childs_words", "concern", "indicators", NULL};
static const char *const F_CHILD[] = {"child_choice", "other_child_id", NULL};
static const char *const F_ASSIGN[] = {"assign_to", NULL};
static const char *const F_TRIAGE[] = {"rag", "rag_reason", NULL};
static const char *const F_DECIDE[] = {"outcome", "rationale", NULL};
static const char *const F_SIGNOFF[] = {"signoff_outcome", "signoff_reason", NULL};
static const char *const F_CHALLENGE[] = {"challenge_reason", NULL};
static const char *const F_ANSWER[] = {"answer_outcome", "answer_response", NULL};

const struct route web_referral_routes[] = {
    {"GET", "/referrals", ROLES_CASE, H, web_referrals_list, Q_LIST, "The MASH queue, or the referrals you made", NULL},
    {"GET", "/referrals/new", REFERRAL_RAISERS, H, web_referral_new_form, Q_NEW, "Make a referral (form)", NULL},
    {"POST", "/referrals/new", REFERRAL_RAISERS, HF, web_referral_new, NULL, "Make a referral", F_NEW},
    {"GET", "/referrals/{id}", ROLES_CASE, H, web_referral_view, Q_VIEW, "A referral", NULL},
    {"POST", "/referrals/{id}/child", REFERRAL_DECIDERS, HF, web_referral_confirm_child, NULL,
     "Confirm the child of a referral", F_CHILD},
    {"POST", "/referrals/{id}/assign", REFERRAL_DECIDERS, HF, web_referral_assign, NULL, "Assign a referral",
     F_ASSIGN},
    {"POST", "/referrals/{id}/triage", REFERRAL_DECIDERS, HF, web_referral_triage, NULL, "Rate a referral",
     F_TRIAGE},
    {"POST", "/referrals/{id}/decision", REFERRAL_DECIDERS, HF, web_referral_decide, NULL, "Decide a referral",
     F_DECIDE},
    {"POST", "/referrals/{id}/signoff", REFERRAL_MANAGERS, HF, web_referral_signoff, NULL,
     "Sign off a closure with no further action", F_SIGNOFF},
    {"POST", "/referrals/{id}/challenge", REFERRAL_RAISERS, HF, web_referral_challenge, NULL,
     "Challenge a decision", F_CHALLENGE},
    {"POST", "/referrals/{id}/challenge-response", REFERRAL_MANAGERS, HF, web_referral_answer, NULL,
     "Answer a challenge", F_ANSWER},
    {"GET", "/children/{id}/referrals", ROLES_CASE, H, web_child_referrals, NULL, "A child's referrals", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};
