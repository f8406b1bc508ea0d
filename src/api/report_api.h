/*
** JSON API handlers of the partnership's reports (api_report.c), registered
** in routes_report.c.
*/
#ifndef SAFEHUB_API_REPORT_API_H
#define SAFEHUB_API_REPORT_API_H
#include "http/http.h"

void api_problem_profile(struct req *r);

#endif
