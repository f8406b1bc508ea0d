/*
** Pages of the partnership's reports (web/report.c), registered in
** routes_report.c: the problem profile, aggregate figures only.
*/
#ifndef SAFEHUB_WEB_REPORT_WEB_H
#define SAFEHUB_WEB_REPORT_WEB_H
#include "http/http.h"

void web_problem_profile(struct req *r);

#endif
