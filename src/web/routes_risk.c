/*
** Pages of the risk feature (see routes.c for what a route entry means, and
** service/risk.h for who may do what).  Each form route lists the fields
** its form posts (web/risk.c).
*/
#include "service/risk.h"
#include "web/risk_web.h"
#include "web/web.h"

#define H ROUTE_HTML

static const char *const Q_DONE[] = {"done", NULL};

/* Each ticked indicator CODE brings evidence-CODE, recency-CODE and agency-CODE. */
static const char *const F_ASSESS[] = {"indicators", "evidence-*", "recency-*", "agency-*", "childs_view",
                                       "childs_words", "childs_view_not_gathered_reason", "exploitation_types",
                                       "judgement", "judgement_rationale", "countersign_by", NULL};
static const char *const F_COUNTERSIGN[] = {"decision", "comment", NULL};

const struct route web_risk_routes[] = {
    {"GET", "/risk", R(ROLE_MANAGER) | R(ROLE_DIRECTOR), H, web_risk_overview, NULL, "Risk overview", NULL},
    {"GET", "/children/{id}/risk", RISK_READERS, H, web_risk_child, Q_DONE, "A child's risk of sexual exploitation", NULL},
    {"POST", "/children/{id}/risk", RISK_ASSESSORS, H | ROUTE_FORM, web_risk_assess, NULL, "Make a risk assessment",
     F_ASSESS},
    {"GET", "/children/{id}/risk/{aid}", RISK_READERS, H, web_risk_assessment, Q_DONE, "One risk assessment", NULL},
    {"POST", "/children/{id}/risk/{aid}/countersign", RISK_COUNTERSIGNERS, H | ROUTE_FORM, web_risk_countersign, NULL,
     "Countersign a lower risk level", F_COUNTERSIGN},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};
