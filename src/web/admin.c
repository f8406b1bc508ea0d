/*
** Administration pages: users and agencies.  No case data is reachable from
** here (the routes admit only the admin role, and the admin role no case route).
*/
#include <stdio.h>
#include <string.h>
#include "core/codes.h"
#include "service/service.h"
#include "store/store.h"
#include "util/xalloc.h"
#include "web/web.h"

/* The string member K of O, or NULL. */
static const char *js(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

static const struct code ROLE_CODES[] = {
    {"referrer", "Referrer"}, {"mash", "MASH"}, {"social_worker", "Social worker"}, {"cse_worker", "CSE worker"},
    {"police", "Police"}, {"analyst", "Analyst"}, {"manager", "Manager"}, {"director", "Director"},
    {"strategic", "Strategic lead"}, {"auditor", "Auditor"}, {"admin", "Administrator"}, {NULL, NULL},
};

/* GET /admin/users */
void web_admin_users(struct req *r) {
  json_t *users = NULL;
  if (store_user_list(req_db(r), &users) != DB_OK) {
    web_error_page(r, 503, "Users could not be listed just now.");
    return;
  }
  struct page p;
  page_init(&p, "Users", "users");
  if (req_query(r, "created")) p.notice = "The user has been added";
  struct buf *b = &p.body;
  hf(b, "<h1 class=\"govuk-heading-l\">Users</h1><a class=\"govuk-button\" href=\"/admin/users/new\" role=\"button\" "
        "draggable=\"false\" data-module=\"govuk-button\">Add a user</a>"
        "<table class=\"govuk-table\" data-testid=\"users\"><caption class=\"govuk-table__caption govuk-table__caption--m\">"
        "%zu %s</caption><thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">"
        "<th scope=\"col\" class=\"govuk-table__header\">Username</th><th scope=\"col\" class=\"govuk-table__header\">Name</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Agency</th><th scope=\"col\" class=\"govuk-table__header\">Role</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Manager</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Second factor</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Status</th></tr></thead><tbody class=\"govuk-table__body\">",
     json_array_size(users), json_array_size(users) == 1 ? "user" : "users");
  size_t i;
  json_t *u;
  json_array_foreach(users, i, u) {
    const char *status = json_is_true(json_object_get(u, "disabled")) ? "Disabled"
                         : json_is_true(json_object_get(u, "locked")) ? "Locked"
                                                                      : "Active";
    const char *colour = !strcmp(status, "Active") ? "green" : !strcmp(status, "Locked") ? "orange" : "grey";
    const char *role = code_label(ROLE_CODES, js(u, "role"));
    hf(b, "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\">%s</th>"
          "<td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">%s</td>"
          "<td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">%s</td>"
          "<td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">",
       js(u, "username"), js(u, "name"), js(u, "agency"), role ? role : js(u, "role"),
       js(u, "manager") ? js(u, "manager") : "None", json_is_true(json_object_get(u, "totp_enabled")) ? "Set up" : "Not set up");
    web_tag(b, status, colour);
    hf(b, "</td></tr>");
  }
  hf(b, "</tbody></table>");
  json_decref(users);
  page_send(r, &p, 200);
}

static const struct error_link USER_LINKS[] = {{"username", NULL}, {"name", NULL},    {"email", NULL},
                                               {"agency", NULL},   {"role", NULL},    {"manager", NULL},
                                               {"password", NULL}, {NULL, NULL}};

static const struct field_label USER_LABELS[] = {
    {"username", "Username", "Enter a username"},
    {"name", "Full name", "Enter the person's full name"},
    {"email", "Email", NULL},
    {"agency", "Agency", "Select the agency the person works for"},
    {"role", "Role", "Select a role"},
    {"manager", "Manager", NULL},
    {"password", "First password", "Enter a first password"},
    {NULL, NULL, NULL},
};

/*
** The form to add a user, refilled from the post being answered (never the
** password).  Agencies come from the store for the select.
*/
static void user_form(struct req *r, struct field_errors *errs, int status) {
  json_t *agencies = NULL;
  if (store_agency_list(req_db(r), &agencies) != DB_OK) {
    web_error_page(r, 503, "Agencies could not be listed just now.");
    return;
  }
  size_t n = json_array_size(agencies);
  struct code *codes = xcalloc(n + 1, sizeof *codes);
  for (size_t i = 0; i < n; i++) {
    codes[i].code = js(json_array_get(agencies, i), "code");
    codes[i].label = js(json_array_get(agencies, i), "name");
  }
  struct page p;
  page_init(&p, "Add a user", "users");
  p.errors = errs;
  p.error_links = USER_LINKS;
  p.back = "/admin/users";
  struct buf *b = &p.body;
  hf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\"><h1 class=\"govuk-heading-l\">Add a user</h1>"
        "<form method=\"post\" action=\"/admin/users/new\" novalidate>");
  web_csrf_field(r, b);
  web_text_input(b, "username", "Username", form_str(r, "username"),
                 "Lower-case letters, digits, dots, hyphens, underscores or @", errs, "off", "govuk-!-width-one-half");
  web_text_input(b, "name", "Full name", form_str(r, "name"), NULL, errs, "off", NULL);
  web_text_input(b, "email", "Email (optional)", form_str(r, "email"), "Their work email, for notifications", errs, "off",
                 NULL);
  web_select(b, "agency", "Agency", codes, form_str(r, "agency"), NULL, errs, "Select agency");
  web_select(b, "role", "Role", ROLE_CODES, form_str(r, "role"), "The role decides what they can see and do", errs,
             "Select role");
  web_text_input(b, "manager", "Manager's username (optional)", form_str(r, "manager"),
                 "Work that is not done in time escalates to this person", errs, "off", "govuk-!-width-one-half");
  web_password_input(b, "password", "First password",
                     "At least 12 characters. Give it to them in person or by phone, never by email.", errs,
                     "new-password");
  web_button(b, "Add user");
  hf(b, "</form></div></div>");
  free(codes);
  json_decref(agencies);
  page_send(r, &p, status);
}

/* GET /admin/users/new */
void web_admin_user_new_form(struct req *r) { user_form(r, NULL, 200); }

/* POST /admin/users/new */
void web_admin_user_new(struct req *r) {
  json_t *in = json_object();
  static const char *const keys[] = {"username", "name", "email", "agency", "role", "manager", "password", NULL};
  for (const char *const *k = keys; *k; k++) {
    const char *v = form_str(r, *k);
    if (v && *v) json_object_set_new(in, *k, json_string(v));
    else if (!strcmp(*k, "email") || !strcmp(*k, "manager")) json_object_set_new(in, *k, json_null());
  }
  struct field_errors errs;
  ferr_init(&errs);
  json_t *out = NULL;
  int rc = svc_user_create(r, in, &errs, &out);
  if (rc == SVC_OK) resp_redirect(r, "/admin/users?created=1");
  else if (rc == SVC_INVALID || rc == SVC_CONFLICT) {
    web_humanise(&errs, USER_LABELS);
    user_form(r, &errs, 422);
  }
  else web_error_page(r, 503, "The user could not be added just now.");
  json_decref(out);
  json_decref(in);
  ferr_free(&errs);
}

static const struct error_link AGENCY_LINKS[] = {{"code", NULL}, {"name", NULL}, {"type", NULL}, {NULL, NULL}};

static const struct field_label AGENCY_LABELS[] = {
    {"code", "Code", "Enter a short code for the agency"},
    {"name", "Name", "Enter the agency's name"},
    {"type", "Type", "Select the type of agency"},
    {NULL, NULL, NULL},
};

/* The agencies and, below them, the form to add one (refilled from a post being answered). */
static void agencies_page(struct req *r, struct field_errors *errs, int status, const char *notice) {
  json_t *agencies = NULL;
  if (store_agency_list(req_db(r), &agencies) != DB_OK) {
    web_error_page(r, 503, "Agencies could not be listed just now.");
    return;
  }
  struct page p;
  page_init(&p, "Agencies", "agencies");
  p.errors = errs;
  p.error_links = AGENCY_LINKS;
  p.notice = notice;
  struct buf *b = &p.body;
  hf(b, "<h1 class=\"govuk-heading-l\">Agencies</h1><table class=\"govuk-table\" data-testid=\"agencies\">"
        "<caption class=\"govuk-table__caption govuk-table__caption--m\">%zu partner %s</caption>"
        "<thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">"
        "<th scope=\"col\" class=\"govuk-table__header\">Code</th><th scope=\"col\" class=\"govuk-table__header\">Name</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Type</th></tr></thead><tbody class=\"govuk-table__body\">",
     json_array_size(agencies), json_array_size(agencies) == 1 ? "agency" : "agencies");
  size_t i;
  json_t *a;
  json_array_foreach(agencies, i, a) {
    const char *type = code_label(AGENCY_TYPES, js(a, "type"));
    hf(b, "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\">%s</th>"
          "<td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">%s</td></tr>",
       js(a, "code"), js(a, "name"), type ? type : js(a, "type"));
  }
  hf(b, "</tbody></table><div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">"
        "<form method=\"post\" action=\"/admin/agencies\" novalidate><fieldset class=\"govuk-fieldset\">"
        "<legend class=\"govuk-fieldset__legend govuk-fieldset__legend--m\"><h2 class=\"govuk-fieldset__heading\">"
        "Add an agency</h2></legend>");
  web_csrf_field(r, b);
  web_text_input(b, "code", "Code", form_str(r, "code"), "Upper-case letters and digits, for example HFP", errs, "off",
                 "govuk-input--width-10");
  web_text_input(b, "name", "Name", form_str(r, "name"), NULL, errs, "off", NULL);
  web_select(b, "type", "Type", AGENCY_TYPES, form_str(r, "type"), NULL, errs, "Select type");
  hf(b, "</fieldset>");
  web_button(b, "Add agency");
  hf(b, "</form></div></div>");
  json_decref(agencies);
  page_send(r, &p, status);
}

/* GET /admin/agencies */
void web_admin_agencies(struct req *r) {
  agencies_page(r, NULL, 200, req_query(r, "created") ? "The agency has been added" : NULL);
}

/* POST /admin/agencies */
void web_admin_agency_new(struct req *r) {
  json_t *in = json_object();
  static const char *const keys[] = {"code", "name", "type", NULL};
  for (const char *const *k = keys; *k; k++) {
    const char *v = form_str(r, *k);
    if (v && *v) json_object_set_new(in, *k, json_string(v));
  }
  struct field_errors errs;
  ferr_init(&errs);
  json_t *out = NULL;
  int rc = svc_agency_create(r, in, &errs, &out);
  if (rc == SVC_OK) resp_redirect(r, "/admin/agencies?created=1");
  else if (rc == SVC_INVALID || rc == SVC_CONFLICT) {
    web_humanise(&errs, AGENCY_LABELS);
    agencies_page(r, &errs, 422, NULL);
  }
  else web_error_page(r, 503, "The agency could not be added just now.");
  json_decref(out);
  json_decref(in);
  ferr_free(&errs);
}
