/*
** The web pages' routes.  Like the API's table, every entry names the roles
** it admits; sign-in pages are public, and the second-factor pages are the
** only ones a half-signed-in session reaches.  A form route lists the
** fields its page posts (F_*); any other field is refused before it runs.
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

/* A GOV.UK date input NAME posts three boxes. */
#define DATE_PARTS(name) name "-day", name "-month", name "-year"
/* The child form's fields (web/children.c: child_fields, child_from_form). */
#define CHILD_FIELDS                                                                                                  \
  "first_name", "last_name", "aliases", DATE_PARTS("date_of_birth"), "gender", "ethnicity", "address", "postcode",    \
      "nhs_number", "school", "looked_after", "placement.legal_status", "placement.type",                            \
      DATE_PARTS("placement.start_date"), "placement.placing_authority", "placement.host_authority",                 \
      "placement.out_of_area"

static const char *const F_NONE[] = {NULL};
static const char *const F_SIGN_IN[] = {"username", "password", NULL};
static const char *const F_CODE[] = {"code", NULL};
static const char *const F_CHILD_NEW[] = {CHILD_FIELDS, NULL};
static const char *const F_CHILD_EDIT[] = {"version", CHILD_FIELDS, NULL};
static const char *const F_USER[] = {"username", "name", "email", "agency", "role", "manager", "password", NULL};
static const char *const F_AGENCY[] = {"code", "name", "type", NULL};
static const char *const F_PASSWORD[] = {"current_password", "new_password", NULL};

const struct route web_routes[] = {
    {"GET", "/", ROLES_ALL, H, web_home, NULL, "Home", NULL},
    {"GET", "/sign-in", 0, H | ROUTE_PUBLIC, web_sign_in_form, Q_SIGNIN, "Sign-in page", NULL},
    {"POST", "/sign-in", 0, H | ROUTE_PUBLIC | ROUTE_FORM, web_sign_in, NULL, "Sign in", F_SIGN_IN},
    {"GET", "/sign-in/second-factor", ROLES_ALL, H | ROUTE_SECOND_FACTOR, web_second_factor_form, NULL, "Code page", NULL},
    {"POST", "/sign-in/second-factor", ROLES_ALL, H | ROUTE_SECOND_FACTOR | ROUTE_FORM, web_second_factor, NULL,
     "Check the code", F_CODE},
    {"GET", "/sign-in/enrol", ROLES_ALL, H | ROUTE_SECOND_FACTOR, web_enrol_form, NULL, "Set up an authenticator", NULL},
    {"POST", "/sign-in/enrol", ROLES_ALL, H | ROUTE_SECOND_FACTOR | ROUTE_FORM, web_enrol, NULL, "Confirm the authenticator",
     F_CODE},
    {"POST", "/sign-out", ROLES_ALL, H | ROUTE_SECOND_FACTOR | ROUTE_FORM, web_sign_out, NULL, "Sign out", F_NONE},
    {"GET", "/children", ROLES_CASE, H, web_children_search, Q_SEARCH, "Find a child", NULL},
    {"GET", "/children/new", WEB_CASE_CREATORS, H, web_child_new_form, NULL, "Record a child (form)", NULL},
    {"POST", "/children/new", WEB_CASE_CREATORS, H | ROUTE_FORM, web_child_new, NULL, "Record a child",
     F_CHILD_NEW},
    {"GET", "/children/{id}", ROLES_CASE, H, web_child_view, Q_VIEW, "A child's record", NULL},
    {"GET", "/children/{id}/edit", WEB_CASE_EDITORS, H, web_child_edit_form, NULL, "Change a child (form)", NULL},
    {"POST", "/children/{id}/edit", WEB_CASE_EDITORS, H | ROUTE_FORM, web_child_edit, NULL, "Change a child",
     F_CHILD_EDIT},
    {"GET", "/audit", ROLES_AUDIT_READERS, H, web_audit, Q_AUDIT, "Audit trail of a record", NULL},
    {"GET", "/admin/users", ADMIN, H, web_admin_users, Q_CREATED, "Users", NULL},
    {"GET", "/admin/users/new", ADMIN, H, web_admin_user_new_form, NULL, "Add a user (form)", NULL},
    {"POST", "/admin/users/new", ADMIN, H | ROUTE_FORM, web_admin_user_new, NULL, "Add a user", F_USER},
    {"GET", "/admin/agencies", ADMIN, H, web_admin_agencies, Q_CREATED, "Agencies", NULL},
    {"POST", "/admin/agencies", ADMIN, H | ROUTE_FORM, web_admin_agency_new, NULL, "Add an agency", F_AGENCY},
    {"GET", "/account/password", ROLES_ALL, H, web_account_password_form, Q_CHANGED, "Change password (form)", NULL},
    {"POST", "/account/password", ROLES_ALL, H | ROUTE_FORM, web_account_password, NULL, "Change password",
     F_PASSWORD},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};
