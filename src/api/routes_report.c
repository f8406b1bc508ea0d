/*
** Routes of the report feature (see api/routes.c for what a route entry means).
** The problem profile holds counts only, so the strategic lead (who never
** sees an identifiable child) reads it, as do analysts, managers and the
** director (REPORT_READERS in service/intel.h).
*/
#include "api/api.h"
#include "api/report_api.h"
#include "service/intel.h"

static const char *const Q_PERIOD[] = {"from", "to", NULL};

const struct route api_report_routes[] = {
    {"GET", "/api/v1/reports/problem-profile", REPORT_READERS, 0, api_problem_profile, Q_PERIOD,
     "The problem profile: the partnership's aggregate figures for a period", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};
