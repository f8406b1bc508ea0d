/*
** Routes of the statutory clock: work lists, notifications, bank holidays,
** and the child's chronology (see routes.c for what a route entry means).
*/
#include "api/api.h"

#define MANAGERS (R(ROLE_MANAGER) | R(ROLE_DIRECTOR))
#define WORKERS (ROLES_CASE)

static const char *const Q_CHRONOLOGY[] = {"agency", "type", NULL};

const struct route api_work_routes[] = {
    {"GET", "/api/v1/work", WORKERS, 0, api_work_mine, NULL, "My work: due soon, overdue, escalated to me", NULL},
    {"GET", "/api/v1/work/team", MANAGERS, 0, api_work_team, NULL, "My team's overdue and escalated work", NULL},
    {"GET", "/api/v1/notifications", ROLES_ALL, 0, api_notifications_list, NULL, "My notifications", NULL},
    {"POST", "/api/v1/notifications/{id}/read", ROLES_ALL, 0, api_notification_read, NULL,
     "Mark a notification read", NULL},
    {"GET", "/api/v1/bank-holidays", ROLES_ALL, 0, api_holidays_list, NULL, "Bank holidays in force", NULL},
    {"POST", "/api/v1/bank-holidays", R(ROLE_ADMIN), ROUTE_JSON, api_holidays_add, NULL, "Add a bank holiday", NULL},
    {"DELETE", "/api/v1/bank-holidays/{date}", R(ROLE_ADMIN), 0, api_holidays_delete, NULL, "Remove a bank holiday", NULL},
    {"GET", "/api/v1/children/{id}/chronology", ROLES_CASE, 0, api_children_chronology, Q_CHRONOLOGY,
     "A child's chronology across every agency", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};
