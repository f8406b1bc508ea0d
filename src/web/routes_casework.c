/*
** Pages of the casework feature (see routes.c for what a route entry means):
** the child's missing episodes, meetings and support, notes and allocation,
** the forms behind them, a meeting, a support referral, and caseloads.
** Each form route lists the fields its page posts (web/casework.c).
*/
#include "web/casework_web.h"

#define H ROUTE_HTML
#define F (ROUTE_HTML | ROUTE_FORM)

static const char *const Q_DONE[] = {"done", NULL};
static const char *const Q_CHILD[] = {"child", NULL};
static const char *const Q_CASELOADS[] = {"team", "worker", NULL};

/* A GOV.UK date input NAME posts three boxes; a date and time (casework.c: datetime_input) adds NAME-time. */
#define DATE_PARTS(name) name "-day", name "-month", name "-year"
#define INSTANT_PARTS(name) DATE_PARTS(name), name "-time"

static const char *const F_NONE[] = {NULL};
static const char *const F_MISSING[] = {INSTANT_PARTS("went_missing_at"), "reported_to_police",
                                        INSTANT_PARTS("returned_at"), "where_found", "with_whom", NULL};
static const char *const F_RETURN[] = {INSTANT_PARTS("returned_at"), "where_found", "with_whom", NULL};
static const char *const F_INTERVIEW[] = {"took_part", INSTANT_PARTS("conducted_at"), "conducted_by", "independent",
                                          "childs_account", "reason", NULL};
static const char *const F_NOTE[] = {"childs_words", "text", INSTANT_PARTS("at"), "indicators", NULL};
static const char *const F_ALLOCATE[] = {"worker", "team", NULL};
/* Rows of people and actions are numbered: attendees-N-name, actions-N-due-day ... */
static const char *const F_MEETING[] = {"child", "type", "other_children", INSTANT_PARTS("held_at"), "decisions",
                                        "attendees-*", "actions-*", NULL};
static const char *const F_ACTION_DONE[] = {"note", NULL};
static const char *const F_SUPPORT_NEW[] = {"service", "provider", DATE_PARTS("referred_on"), "status", "engagement",
                                            "outcome", NULL};
static const char *const F_SUPPORT_UPDATE[] = {"version", "status", "engagement", "outcome", "provider", NULL};

const struct route web_casework_routes[] = {
    {"GET", "/children/{id}/missing-episodes", ROLES_CASE, H, web_missing_page, Q_DONE, "A child's missing episodes", NULL},
    {"GET", "/children/{id}/missing-episodes/new", WEB_MISSING_RECORDERS, H, web_missing_new_form, NULL,
     "Record a missing episode (form)", NULL},
    {"POST", "/children/{id}/missing-episodes/new", WEB_MISSING_RECORDERS, F, web_missing_new, NULL,
     "Record a missing episode", F_MISSING},
    {"GET", "/missing-episodes/{id}/return", WEB_MISSING_RECORDERS, H, web_missing_return_form, NULL,
     "Record the return (form)", NULL},
    {"POST", "/missing-episodes/{id}/return", WEB_MISSING_RECORDERS, F, web_missing_return, NULL, "Record the return",
     F_RETURN},
    {"GET", "/missing-episodes/{id}/return-interview", WEB_CARERS, H, web_interview_form, NULL,
     "Record the return-home interview (form)", NULL},
    {"POST", "/missing-episodes/{id}/return-interview", WEB_CARERS, F, web_interview, NULL,
     "Record the return-home interview", F_INTERVIEW},
    {"GET", "/children/{id}/notes", ROLES_CASE, H, web_notes_page, Q_DONE, "A child's notes and allocation", NULL},
    {"GET", "/children/{id}/notes/new", WEB_NOTE_WRITERS, H, web_note_new_form, NULL, "Add a case note (form)", NULL},
    {"POST", "/children/{id}/notes/new", WEB_NOTE_WRITERS, F, web_note_new, NULL, "Add a case note", F_NOTE},
    {"POST", "/children/{id}/allocation", WEB_MANAGERS, F, web_allocate, NULL, "Allocate a lead worker",
     F_ALLOCATE},
    {"POST", "/children/{id}/allocation/end", WEB_MANAGERS, F, web_allocation_end, NULL,
     "End the allocation", F_NONE},
    {"GET", "/children/{id}/meetings", ROLES_CASE, H, web_meetings_page, Q_DONE, "A child's meetings and support", NULL},
    {"GET", "/meetings/new", WEB_MISSING_RECORDERS, H, web_meeting_new_form, Q_CHILD, "Record a meeting (form)", NULL},
    {"POST", "/meetings/new", WEB_MISSING_RECORDERS, F, web_meeting_new, NULL, "Record a meeting",
     F_MEETING},
    {"GET", "/meetings/{id}", ROLES_CASE, H, web_meeting_view, Q_DONE, "A meeting and its actions", NULL},
    {"POST", "/actions/{id}/complete", ROLES_CASE, F, web_action_complete, NULL, "Mark an action done",
     F_ACTION_DONE},
    {"GET", "/children/{id}/support/new", WEB_CARERS, H, web_support_new_form, NULL, "Refer to a support service (form)", NULL},
    {"POST", "/children/{id}/support/new", WEB_CARERS, F, web_support_new, NULL,
     "Refer to a support service", F_SUPPORT_NEW},
    {"GET", "/support/{id}", ROLES_CASE, H, web_support_view, Q_DONE, "A support referral", NULL},
    {"POST", "/support/{id}", WEB_CARERS, F, web_support_update, NULL,
     "Update a support referral", F_SUPPORT_UPDATE},
    {"GET", "/caseloads", WEB_MANAGERS, H, web_caseloads, Q_CASELOADS, "Caseloads", NULL},
    {"GET", "/caseloads/mine", WEB_LEADS, H, web_caseload_mine, NULL, "My caseload", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};
