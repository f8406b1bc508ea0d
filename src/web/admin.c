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
  hf(b, "<h1 class=\"govuk-heading-l\">Users</h1><p class=\"govuk-body\"><a class=\"govuk-button\" "
        "href=\"/admin/users/new\" role=\"button\" draggable=\"false\" data-module=\"govuk-button\">Add a user</a></p>"
        "<table class=\"govuk-table\"><caption class=\"govuk-table__caption govuk-visually-hidden\">Users</caption>"
        "<thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">"
        "<th scope=\"col\" class=\"govuk-table__header\">Username</th><th scope=\"col\" class=\"govuk-table__header\">Name</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Agency</th><th scope=\"col\" class=\"govuk-table__header\">Role</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Manager</th><th scope=\"col\" class=\"govuk-table__header\">Status</th>"
        "</tr></thead><tbody class=\"govuk-table__body\">");
  size_t i;
  json_t *u;
  json_array_foreach(users, i, u) {
    const char *status = json_is_true(json_object_get(u, "disabled")) ? "Disabled"
                         : json_is_true(json_object_get(u, "locked")) ? "Locked"
                                                                      : "Active";
    hf(b, "<tr class=\"govuk-table__row\"><td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">%s</td>"
          "<td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">%s</td>"
          "<td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">%s</td></tr>",
       js(u, "username"), js(u, "name"), js(u, "agency"), code_label(ROLE_CODES, js(u, "role")),
       js(u, "manager") ? js(u, "manager") : "", status);
  }
  hf(b, "</tbody></table>");
  json_decref(users);
  page_send(r, &p, 200);
}

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
  static const char *const order[] = {"username", "name", "email", "agency", "role", "manager", "password", NULL};
  p.errors = errs;
  p.error_order = order;
  p.back = "/admin/users";
  struct buf *b = &p.body;
  hf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\"><h1 class=\"govuk-heading-l\">Add a user</h1>"
        "<form method=\"post\" action=\"/admin/users/new\" novalidate>");
  web_csrf_field(r, b);
  web_text_input(b, "username", "Username", form_str(r, "username"), "Lower-case letters, digits, dots and hyphens", errs, "off", NULL);
  web_text_input(b, "name", "Full name", form_str(r, "name"), NULL, errs, "off", NULL);
  web_text_input(b, "email", "Email (optional)", form_str(r, "email"), "Work email, for notifications", errs, "off", NULL);
  web_select(b, "agency", "Agency", codes, form_str(r, "agency"), errs, true);
  web_select(b, "role", "Role", ROLE_CODES, form_str(r, "role"), errs, true);
  web_text_input(b, "manager", "Manager's username (optional)", form_str(r, "manager"),
                 "Overdue work escalates to this person", errs, "off", NULL);
  web_text_input(b, "password", "First password", NULL, "At least 12 characters; give it to the user securely", errs,
                 "new-password", NULL);
  hf(b, "<button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">Add user</button></form></div></div>");
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
  else if (rc == SVC_INVALID || rc == SVC_CONFLICT) user_form(r, &errs, 422);
  else web_error_page(r, 503, "The user could not be added just now.");
  json_decref(out);
  json_decref(in);
  ferr_free(&errs);
}

static void agencies_page(struct req *r, struct field_errors *errs, int status, const char *notice) {
  json_t *agencies = NULL;
  if (store_agency_list(req_db(r), &agencies) != DB_OK) {
    web_error_page(r, 503, "Agencies could not be listed just now.");
    return;
  }
  struct page p;
  page_init(&p, "Agencies", "agencies");
  static const char *const order[] = {"code", "name", "type", NULL};
  p.errors = errs;
  p.error_order = order;
  p.notice = notice;
  struct buf *b = &p.body;
  hf(b, "<h1 class=\"govuk-heading-l\">Agencies</h1><table class=\"govuk-table\"><caption class=\"govuk-table__caption "
        "govuk-visually-hidden\">Agencies</caption><thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">"
        "<th scope=\"col\" class=\"govuk-table__header\">Code</th><th scope=\"col\" class=\"govuk-table__header\">Name</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Type</th></tr></thead><tbody class=\"govuk-table__body\">");
  size_t i;
  json_t *a;
  json_array_foreach(agencies, i, a) {
    hf(b, "<tr class=\"govuk-table__row\"><td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">%s</td>"
          "<td class=\"govuk-table__cell\">%s</td></tr>",
       js(a, "code"), js(a, "name"), code_label(AGENCY_TYPES, js(a, "type")));
  }
  hf(b, "</tbody></table><h2 class=\"govuk-heading-m\">Add an agency</h2><form method=\"post\" action=\"/admin/agencies\" novalidate>");
  web_csrf_field(r, b);
  web_text_input(b, "code", "Code", form_str(r, "code"), "Upper-case letters and digits, for example SYP", errs, "off",
                 "govuk-input--width-10");
  web_text_input(b, "name", "Name", form_str(r, "name"), NULL, errs, "off", NULL);
  web_select(b, "type", "Type", AGENCY_TYPES, form_str(r, "type"), errs, true);
  hf(b, "<button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">Add agency</button></form>");
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
  else if (rc == SVC_INVALID || rc == SVC_CONFLICT) agencies_page(r, &errs, 422, NULL);
  else web_error_page(r, 503, "The agency could not be added just now.");
  json_decref(out);
  json_decref(in);
  ferr_free(&errs);
}
