/*
** Pages of the casework feature (see routes.c for what a route entry means):
** the child's missing episodes, meetings and support, notes and allocation,
** the forms behind them, a meeting, a support referral, and caseloads.
*/
#include "web/casework_web.h"

#define H ROUTE_HTML
#define F (ROUTE_HTML | ROUTE_FORM)

static const char *const Q_DONE[] = {"done", NULL};
static const char *const Q_CHILD[] = {"child", NULL};
static const char *const Q_CASELOADS[] = {"team", "worker", NULL};

const struct route web_casework_routes[] = {
    {"GET", "/children/{id}/missing-episodes", ROLES_CASE, H, web_missing_page, Q_DONE, "A child's missing episodes"},
    {"GET", "/children/{id}/missing-episodes/new", WEB_MISSING_RECORDERS, H, web_missing_new_form, NULL,
     "Record a missing episode (form)"},
    {"POST", "/children/{id}/missing-episodes/new", WEB_MISSING_RECORDERS, F, web_missing_new, NULL,
     "Record a missing episode"},
    {"GET", "/missing-episodes/{id}/return", WEB_MISSING_RECORDERS, H, web_missing_return_form, NULL,
     "Record the return (form)"},
    {"POST", "/missing-episodes/{id}/return", WEB_MISSING_RECORDERS, F, web_missing_return, NULL, "Record the return"},
    {"GET", "/missing-episodes/{id}/return-interview", WEB_CARERS, H, web_interview_form, NULL,
     "Record the return-home interview (form)"},
    {"POST", "/missing-episodes/{id}/return-interview", WEB_CARERS, F, web_interview, NULL,
     "Record the return-home interview"},
    {"GET", "/children/{id}/notes", ROLES_CASE, H, web_notes_page, Q_DONE, "A child's notes and allocation"},
    {"GET", "/children/{id}/notes/new", WEB_NOTE_WRITERS, H, web_note_new_form, NULL, "Add a case note (form)"},
    {"POST", "/children/{id}/notes/new", WEB_NOTE_WRITERS, F, web_note_new, NULL, "Add a case note"},
    {"POST", "/children/{id}/allocation", WEB_MANAGERS, F, web_allocate, NULL, "Allocate a lead worker"},
    {"POST", "/children/{id}/allocation/end", WEB_MANAGERS, F, web_allocation_end, NULL, "End the allocation"},
    {"GET", "/children/{id}/meetings", ROLES_CASE, H, web_meetings_page, Q_DONE, "A child's meetings and support"},
    {"GET", "/meetings/new", WEB_MISSING_RECORDERS, H, web_meeting_new_form, Q_CHILD, "Record a meeting (form)"},
    {"POST", "/meetings/new", WEB_MISSING_RECORDERS, F, web_meeting_new, NULL, "Record a meeting"},
    {"GET", "/meetings/{id}", ROLES_CASE, H, web_meeting_view, Q_DONE, "A meeting and its actions"},
    {"POST", "/actions/{id}/complete", ROLES_CASE, F, web_action_complete, NULL, "Mark an action done"},
    {"GET", "/children/{id}/support/new", WEB_CARERS, H, web_support_new_form, NULL, "Refer to a support service (form)"},
    {"POST", "/children/{id}/support/new", WEB_CARERS, F, web_support_new, NULL, "Refer to a support service"},
    {"GET", "/support/{id}", ROLES_CASE, H, web_support_view, Q_DONE, "A support referral"},
    {"POST", "/support/{id}", WEB_CARERS, F, web_support_update, NULL, "Update a support referral"},
    {"GET", "/caseloads", WEB_MANAGERS, H, web_caseloads, Q_CASELOADS, "Caseloads"},
    {"GET", "/caseloads/mine", WEB_LEADS, H, web_caseload_mine, NULL, "My caseload"},
    {NULL, NULL, 0, 0, NULL, NULL, NULL},
};
