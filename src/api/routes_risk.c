/*
** Routes of the risk feature (see routes.c for what a route entry means).
** Who may do what (service/risk.h): assessors are the MASH, social workers,
** CSE workers, managers and the director; the police may also read
** assessments; only managers and the director countersign a lowering and
** see the overview.  The tool itself holds no personal data.
*/
#include "api/api.h"
#include "api/risk_api.h"
#include "service/risk.h"

#define MANAGERS (R(ROLE_MANAGER) | R(ROLE_DIRECTOR))

/* ".../prefill" comes before ".../{aid}", which would otherwise take it (first match wins). */
const struct route api_risk_routes[] = {
    {"GET", "/api/v1/risk/tool", ROLES_ALL, 0, api_risk_tool, NULL, "The CSE risk tool in force", NULL},
    {"GET", "/api/v1/risk/overview", MANAGERS, 0, api_risk_overview, NULL,
     "Risk overview: children by level, reviews due and overdue, judgement, out of date", NULL},
    {"GET", "/api/v1/children/{id}/risk-assessments", RISK_READERS, 0, api_risk_list, NULL,
     "A child's risk assessments, what changed, and whether the current one is out of date", NULL},
    {"POST", "/api/v1/children/{id}/risk-assessments", RISK_ASSESSORS, ROUTE_JSON, api_risk_create, NULL,
     "Make a risk assessment", NULL},
    {"GET", "/api/v1/children/{id}/risk-assessments/prefill", RISK_ASSESSORS, 0, api_risk_prefill, NULL,
     "Indicators recorded since the last assessment, with their sources", NULL},
    {"GET", "/api/v1/children/{id}/risk-assessments/{aid}", RISK_READERS, 0, api_risk_get, NULL,
     "One risk assessment", NULL},
    {"POST", "/api/v1/children/{id}/risk-assessments/{aid}/countersign", RISK_COUNTERSIGNERS, ROUTE_JSON,
     api_risk_countersign, NULL, "Countersign (or decline) a lower risk level", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};
