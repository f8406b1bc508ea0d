/*
** The JSON API's routes: method, path, the roles admitted (everyone else is
** refused with 403), flags, handler and allowed query parameters.  This table
** is the single source of truth for access by role; `safehub routes` prints
** it, docs/openapi.yaml is checked against it, and the role-matrix test
** drives every entry with every role.
*/
#include "api/api.h"

#define CASE_CREATORS                                                                          \
  (R(ROLE_REFERRER) | R(ROLE_MASH) | R(ROLE_SOCIAL_WORKER) | R(ROLE_CSE_WORKER) | R(ROLE_POLICE) | \
   R(ROLE_MANAGER) | R(ROLE_DIRECTOR))
#define CASE_EDITORS                                                                           \
  (R(ROLE_MASH) | R(ROLE_SOCIAL_WORKER) | R(ROLE_CSE_WORKER) | R(ROLE_POLICE) | R(ROLE_MANAGER) | \
   R(ROLE_DIRECTOR))
#define ADMIN R(ROLE_ADMIN)

static const char *const Q_SEARCH[] = {"q", NULL};
static const char *const Q_AUDIT[] = {"subject", "limit", NULL};
static const char *const Q_STATUS[] = {"status", NULL};

const struct route api_routes[] = {
    {"GET", "/healthz", 0, ROUTE_PUBLIC | ROUTE_NO_AUDIT_READ, api_healthz, NULL, "Liveness check", NULL},
    {"GET", "/metrics", 0, ROUTE_PUBLIC | ROUTE_NO_AUDIT_READ, api_metrics, NULL, "Prometheus metrics", NULL},
    {"POST", "/api/v1/session", 0, ROUTE_PUBLIC | ROUTE_JSON, api_session_create, NULL, "Sign in", NULL},
    {"GET", "/api/v1/session", ROLES_ALL, ROUTE_SECOND_FACTOR, api_session_get, NULL, "The signed-in user", NULL},
    {"DELETE", "/api/v1/session", ROLES_ALL, ROUTE_SECOND_FACTOR, api_session_delete, NULL, "Sign out", NULL},
    {"POST", "/api/v1/session/second-factor", ROLES_ALL, ROUTE_SECOND_FACTOR | ROUTE_JSON,
     api_session_second_factor, NULL, "Complete sign-in with a TOTP code", NULL},
    {"POST", "/api/v1/account/second-factor", ROLES_ALL, ROUTE_SECOND_FACTOR, api_totp_enrol, NULL,
     "Start enrolling an authenticator app", NULL},
    {"POST", "/api/v1/account/second-factor/confirm", ROLES_ALL, ROUTE_SECOND_FACTOR | ROUTE_JSON,
     api_totp_confirm, NULL, "Confirm the authenticator with a code", NULL},
    {"POST", "/api/v1/account/password", ROLES_ALL, ROUTE_JSON, api_password_change, NULL,
     "Change your own password", NULL},
    {"GET", "/api/v1/agencies", ADMIN, 0, api_agencies_list, NULL, "List agencies", NULL},
    {"POST", "/api/v1/agencies", ADMIN, ROUTE_JSON, api_agencies_create, NULL, "Add an agency", NULL},
    {"GET", "/api/v1/users", ADMIN, 0, api_users_list, NULL, "List users", NULL},
    {"POST", "/api/v1/users", ADMIN, ROUTE_JSON, api_users_create, NULL, "Add a user", NULL},
    {"PATCH", "/api/v1/users/{id}", ADMIN, ROUTE_JSON, api_users_update, NULL,
     "Change a user; disable; reset password or second factor", NULL},
    {"GET", "/api/v1/tokens", ADMIN, 0, api_tokens_list, NULL, "List API tokens", NULL},
    {"POST", "/api/v1/tokens", ADMIN, ROUTE_JSON, api_tokens_create, NULL, "Create an API token", NULL},
    {"DELETE", "/api/v1/tokens/{id}", ADMIN, 0, api_tokens_revoke, NULL, "Revoke an API token", NULL},
    {"POST", "/api/v1/children", CASE_CREATORS, ROUTE_JSON, api_children_create, NULL, "Record a child", NULL},
    {"GET", "/api/v1/children", ROLES_CASE, 0, api_children_search, Q_SEARCH, "Search children", NULL},
    {"GET", "/api/v1/children/{id}", ROLES_CASE, 0, api_children_get, NULL, "A child's record", NULL},
    {"PATCH", "/api/v1/children/{id}", CASE_EDITORS, ROUTE_JSON, api_children_update, NULL,
     "Change a child's record", NULL},
    {"POST", "/api/v1/people/match", ROLES_CASE, ROUTE_JSON, api_people_match, NULL,
     "Children who may be this person, best first, with why", NULL},
    {"POST", "/api/v1/people/match/decisions", R(ROLE_MASH) | R(ROLE_MANAGER) | R(ROLE_DIRECTOR), ROUTE_JSON,
     api_match_decision, NULL, "Keep a decision on a suggested match", NULL},
    {"GET", "/api/v1/duplicates", R(ROLE_MASH) | R(ROLE_MANAGER) | R(ROLE_DIRECTOR), 0, api_duplicates_list, Q_STATUS,
     "Children who may be the same child, waiting for a decision", NULL},
    {"POST", "/api/v1/duplicates/{id}/decision", R(ROLE_MASH) | R(ROLE_MANAGER) | R(ROLE_DIRECTOR), ROUTE_JSON,
     api_duplicate_decide, NULL, "Not the same child, or merge the two records", NULL},
    {"POST", "/api/v1/merges/{id}/undo", R(ROLE_MANAGER) | R(ROLE_DIRECTOR), 0, api_merge_undo, NULL,
     "Undo a merge", NULL},
    {"GET", "/api/v1/children/{id}/merges", ROLES_CASE, 0, api_child_merges, NULL, "Merges of a child's record", NULL},
    {"GET", "/api/v1/audit", ROLES_AUDIT_READERS, 0, api_audit_list, Q_AUDIT, "Who saw and changed a record", NULL},
    {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};
