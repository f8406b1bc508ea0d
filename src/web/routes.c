/*
** The web pages' routes.  Like the API's table, every entry names the roles
** it admits; sign-in pages are public, and the second-factor pages are the
** only ones a half-signed-in session reaches.
*/
#include "web/web.h"

#define H ROUTE_HTML
#define ADMIN R(ROLE_ADMIN)

static const char *const Q_SEARCH[] = {"q", NULL};
static const char *const Q_SIGNIN[] = {"expired", NULL};
static const char *const Q_CREATED[] = {"created", NULL};
static const char *const Q_VIEW[] = {"created", "updated", "unmerged", NULL};
static const char *const Q_AUDIT[] = {"subject", NULL};
static const char *const Q_CHANGED[] = {"changed", NULL};

const struct route web_routes[] = {
    {"GET", "/", ROLES_ALL, H, web_home, NULL, "Home"},
    {"GET", "/sign-in", 0, H | ROUTE_PUBLIC, web_sign_in_form, Q_SIGNIN, "Sign-in page"},
    {"POST", "/sign-in", 0, H | ROUTE_PUBLIC | ROUTE_FORM, web_sign_in, NULL, "Sign in"},
    {"GET", "/sign-in/second-factor", ROLES_ALL, H | ROUTE_SECOND_FACTOR, web_second_factor_form, NULL, "Code page"},
    {"POST", "/sign-in/second-factor", ROLES_ALL, H | ROUTE_SECOND_FACTOR | ROUTE_FORM, web_second_factor, NULL,
     "Check the code"},
    {"GET", "/sign-in/enrol", ROLES_ALL, H | ROUTE_SECOND_FACTOR, web_enrol_form, NULL, "Set up an authenticator"},
    {"POST", "/sign-in/enrol", ROLES_ALL, H | ROUTE_SECOND_FACTOR | ROUTE_FORM, web_enrol, NULL, "Confirm the authenticator"},
    {"POST", "/sign-out", ROLES_ALL, H | ROUTE_SECOND_FACTOR | ROUTE_FORM, web_sign_out, NULL, "Sign out"},
    {"GET", "/children", ROLES_CASE, H, web_children_search, Q_SEARCH, "Find a child"},
    {"GET", "/children/new", WEB_CASE_CREATORS, H, web_child_new_form, NULL, "Record a child (form)"},
    {"POST", "/children/new", WEB_CASE_CREATORS, H | ROUTE_FORM, web_child_new, NULL, "Record a child"},
    {"GET", "/children/{id}", ROLES_CASE, H, web_child_view, Q_VIEW, "A child's record"},
    {"GET", "/children/{id}/edit", WEB_CASE_EDITORS, H, web_child_edit_form, NULL, "Change a child (form)"},
    {"POST", "/children/{id}/edit", WEB_CASE_EDITORS, H | ROUTE_FORM, web_child_edit, NULL, "Change a child"},
    {"GET", "/audit", ROLES_AUDIT_READERS, H, web_audit, Q_AUDIT, "Audit trail of a record"},
    {"GET", "/admin/users", ADMIN, H, web_admin_users, Q_CREATED, "Users"},
    {"GET", "/admin/users/new", ADMIN, H, web_admin_user_new_form, NULL, "Add a user (form)"},
    {"POST", "/admin/users/new", ADMIN, H | ROUTE_FORM, web_admin_user_new, NULL, "Add a user"},
    {"GET", "/admin/agencies", ADMIN, H, web_admin_agencies, Q_CREATED, "Agencies"},
    {"POST", "/admin/agencies", ADMIN, H | ROUTE_FORM, web_admin_agency_new, NULL, "Add an agency"},
    {"GET", "/account/password", ROLES_ALL, H, web_account_password_form, Q_CHANGED, "Change password (form)"},
    {"POST", "/account/password", ROLES_ALL, H | ROUTE_FORM, web_account_password, NULL, "Change password"},
    {NULL, NULL, 0, 0, NULL, NULL, NULL},
};
