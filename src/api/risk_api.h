/*
** JSON API handlers of CSE risk assessments (api_risk.c), registered in
** routes_risk.c.
*/
#ifndef SAFEHUB_API_RISK_API_H
#define SAFEHUB_API_RISK_API_H
#include "http/http.h"

void api_risk_tool(struct req *r);
void api_risk_overview(struct req *r);
void api_risk_list(struct req *r);
void api_risk_create(struct req *r);
void api_risk_prefill(struct req *r);
void api_risk_get(struct req *r);
void api_risk_countersign(struct req *r);

#endif
