/*
** Routes of the report feature (see web/routes.c for what a route entry means).
** The problem profile names no child, person or place, so the strategic lead
** reads it with analysts, managers and the director (REPORT_READERS).
*/
#include "web/report_web.h"
#include "web/web.h"
#include "service/intel.h"

/* The period as typed in the filter's date boxes, or as YYYY-MM-DD (links). */
static const char *const Q_PERIOD[] = {"from", "to", "from-day", "from-month", "from-year", "to-day", "to-month",
                                       "to-year", NULL};

const struct route web_report_routes[] = {
    {"GET", "/reports/problem-profile", REPORT_READERS, ROUTE_HTML, web_problem_profile, Q_PERIOD,
     "The problem profile: the partnership's aggregate figures", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};
