/*
** Pages of CSE risk assessments (web/risk.c), registered in routes_risk.c:
** the child's Risk tab (current level, history chart with its data table,
** what changed, and the assessment form), one assessment (with a manager's
** countersignature of a lowering), and the managers' risk overview.
*/
#ifndef SAFEHUB_WEB_RISK_WEB_H
#define SAFEHUB_WEB_RISK_WEB_H
#include "http/http.h"

void web_risk_child(struct req *r);
void web_risk_assess(struct req *r);
void web_risk_assessment(struct req *r);
void web_risk_countersign(struct req *r);
void web_risk_overview(struct req *r);

#endif
