/*
** CSE risk assessment use cases, shared by the JSON API, the web pages and
** the demo borough: making an assessment against the tool in force (with its
** review deadline, the multi-agency CSE meeting a highest level calls for,
** and a manager's countersignature of a lowering), reading a child's
** assessments with what changed and whether the current one is out of date,
** the indicators already recorded elsewhere that a new assessment should
** consider, and the managers' overview.  Same result codes as service.h.
*/
#ifndef SAFEHUB_SERVICE_RISK_H
#define SAFEHUB_SERVICE_RISK_H
#include <stdint.h>
#include <jansson.h>
#include "service/service.h"

struct cli;

/* Roles that may make an assessment, read assessments, and countersign a lowering. */
#define RISK_ASSESSORS                                                                                  \
  (R(ROLE_MASH) | R(ROLE_SOCIAL_WORKER) | R(ROLE_CSE_WORKER) | R(ROLE_MANAGER) | R(ROLE_DIRECTOR))
#define RISK_READERS (RISK_ASSESSORS | R(ROLE_POLICE))
#define RISK_COUNTERSIGNERS (R(ROLE_MANAGER) | R(ROLE_DIRECTOR))

#define RISK_OVERVIEW_LIST 20      /* children shown in each list of the overview */
#define RISK_DUE_SOON_DAYS 14      /* "due soon" on the overview: within this many days */

int svc_risk_assess(struct req *r, const char *child_id, json_t *input, struct field_errors *errs, char id_out[ID_MAX]);
int svc_risk_record(struct req *r, const char *child_id, json_t *input, int64_t at, struct field_errors *errs,
                    char id_out[ID_MAX]);
int svc_risk_list(struct req *r, const char *child_id, json_t **out);
int svc_risk_get(struct req *r, const char *child_id, const char *assessment_id, json_t **out);
int svc_risk_countersign(struct req *r, const char *child_id, const char *assessment_id, json_t *input,
                         struct field_errors *errs);
int svc_risk_prefill(struct req *r, const char *child_id, json_t **out);
int svc_risk_overview(struct req *r, json_t **out);
int svc_risk_countersigners(struct req *r, json_t **out);

/* The demo borough's assessments (cli/demo_risk.c). */
int demo_risk(struct cli *c, uint64_t seed);

#endif
