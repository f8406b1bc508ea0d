/*
** Routes of the casework feature (see routes.c for what a route entry means):
** missing episodes and return-home interviews, case notes, allocation and
** caseloads, meetings and actions, support referrals.  Record-level access
** (the child's) is decided by the use cases; these role sets say who may
** ask at all.
*/
#include "api/api.h"
#include "api/casework_api.h"

#define J ROUTE_JSON
#define MANAGERS (R(ROLE_MANAGER) | R(ROLE_DIRECTOR))
/* Who records missing episodes: police, social care, CSE workers, the MASH and managers. */
#define MISSING_RECORDERS                                                                                   \
  (R(ROLE_MASH) | R(ROLE_SOCIAL_WORKER) | R(ROLE_CSE_WORKER) | R(ROLE_POLICE) | R(ROLE_MANAGER) |           \
   R(ROLE_DIRECTOR))
/* Who records return-home interviews and support referrals: social care, CSE workers, the MASH, managers. */
#define CARERS (R(ROLE_MASH) | R(ROLE_SOCIAL_WORKER) | R(ROLE_CSE_WORKER) | R(ROLE_MANAGER) | R(ROLE_DIRECTOR))
/* Who writes case notes: every practitioner role of an involved agency. */
#define NOTE_WRITERS (MISSING_RECORDERS | R(ROLE_REFERRER))
/* Who may hold an allocation and so has a caseload. */
#define LEADS (R(ROLE_SOCIAL_WORKER) | R(ROLE_CSE_WORKER) | R(ROLE_MANAGER))

static const char *const Q_CASELOADS[] = {"team", "worker", NULL};

const struct route api_casework_routes[] = {
    {"POST", "/api/v1/children/{id}/missing-episodes", MISSING_RECORDERS, J, api_missing_create, NULL,
     "Record a missing episode", NULL},
    {"GET", "/api/v1/children/{id}/missing-episodes", ROLES_CASE, 0, api_missing_list, NULL,
     "A child's missing episodes and the repeated-missing flag", NULL},
    {"GET", "/api/v1/missing-episodes/{id}", ROLES_CASE, 0, api_missing_get, NULL, "A missing episode", NULL},
    {"PATCH", "/api/v1/missing-episodes/{id}", MISSING_RECORDERS, J, api_missing_update, NULL,
     "Add the return to a missing episode, or correct it", NULL},
    {"POST", "/api/v1/missing-episodes/{id}/return-interview", CARERS, J, api_return_interview, NULL,
     "Record the return-home interview, or that the child declined it", NULL},
    {"POST", "/api/v1/children/{id}/notes", NOTE_WRITERS, J, api_notes_create, NULL, "Add a case note", NULL},
    {"GET", "/api/v1/children/{id}/notes", ROLES_CASE, 0, api_notes_list, NULL, "A child's case notes", NULL},
    {"GET", "/api/v1/children/{id}/allocation", ROLES_CASE, 0, api_allocation_get, NULL,
     "A child's lead worker and team, and earlier allocations", NULL},
    {"POST", "/api/v1/children/{id}/allocation", MANAGERS, J, api_allocation_create, NULL,
     "Allocate a lead worker and team", NULL},
    {"DELETE", "/api/v1/children/{id}/allocation", MANAGERS, 0, api_allocation_end, NULL,
     "End the current allocation", NULL},
    {"GET", "/api/v1/caseloads", MANAGERS, 0, api_caseloads, Q_CASELOADS, "Caseloads per worker and team", NULL},
    {"GET", "/api/v1/caseloads/mine", LEADS, 0, api_caseload_mine, NULL, "The children I lead on", NULL},
    {"POST", "/api/v1/meetings", MISSING_RECORDERS, J, api_meetings_create, NULL,
     "Record a strategy discussion or multi-agency CSE meeting", NULL},
    {"GET", "/api/v1/meetings/{id}", ROLES_CASE, 0, api_meetings_get, NULL, "A meeting with its actions", NULL},
    {"GET", "/api/v1/children/{id}/meetings", ROLES_CASE, 0, api_child_meetings, NULL,
     "The meetings about a child, with their actions", NULL},
    {"POST", "/api/v1/actions/{id}/complete", ROLES_CASE, J, api_action_complete, NULL, "Mark a meeting's action done", NULL},
    {"POST", "/api/v1/children/{id}/support", CARERS, J, api_support_create, NULL, "Refer a child to a support service", NULL},
    {"GET", "/api/v1/children/{id}/support", ROLES_CASE, 0, api_support_list, NULL, "A child's support referrals", NULL},
    {"GET", "/api/v1/support/{id}", ROLES_CASE, 0, api_support_get, NULL, "A support referral", NULL},
    {"PATCH", "/api/v1/support/{id}", CARERS, J, api_support_update, NULL,
     "Update a support referral's status, engagement or outcome", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};
