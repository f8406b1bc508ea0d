/*
** Pages of the statutory clock: my work, notifications, bank holidays, the
** child's chronology; and identity resolution's duplicates queue (see routes.c for what a route entry means).
** Each form route lists the fields its form posts (web/work.c, web/duplicates.c); buttons alone post none.
*/
#include "web/web.h"

#define H ROUTE_HTML

static const char *const Q_CHRONOLOGY[] = {"agency", "type", NULL};
static const char *const Q_DONE[] = {"done", NULL};

static const char *const F_NONE[] = {NULL};
static const char *const F_HOLIDAY[] = {"date-day", "date-month", "date-year", "name", NULL};
static const char *const F_DECISION[] = {"decision", "reason", NULL};

const struct route web_work_routes[] = {
    {"GET", "/work", ROLES_CASE, H, web_work, NULL, "My work", NULL},
    {"GET", "/notifications", ROLES_ALL, H, web_notifications, NULL, "Notifications", NULL},
    {"POST", "/notifications/{id}/read", ROLES_ALL, H | ROUTE_FORM, web_notification_read, NULL, "Mark read",
     F_NONE},
    {"GET", "/admin/bank-holidays", R(ROLE_ADMIN), H, web_holidays, Q_DONE, "Bank holidays", NULL},
    {"POST", "/admin/bank-holidays", R(ROLE_ADMIN), H | ROUTE_FORM, web_holiday_add, NULL,
     "Add a bank holiday", F_HOLIDAY},
    {"POST", "/admin/bank-holidays/{date}/delete", R(ROLE_ADMIN), H | ROUTE_FORM, web_holiday_delete, NULL,
     "Remove a bank holiday", F_NONE},
    {"GET", "/children/{id}/chronology", ROLES_CASE, H, web_child_chronology, Q_CHRONOLOGY, "A child's chronology", NULL},
    {"GET", "/duplicates", R(ROLE_MASH) | R(ROLE_MANAGER) | R(ROLE_DIRECTOR), H, web_duplicates, Q_DONE,
     "Possible duplicates", NULL},
    {"POST", "/duplicates/{id}/decision", R(ROLE_MASH) | R(ROLE_MANAGER) | R(ROLE_DIRECTOR), H | ROUTE_FORM,
     web_duplicate_decide, NULL, "Decide about possible duplicates", F_DECISION},
    {"POST", "/merges/{id}/undo", R(ROLE_MANAGER) | R(ROLE_DIRECTOR), H | ROUTE_FORM, web_merge_undo, NULL,
     "Undo a merge", F_NONE},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};
