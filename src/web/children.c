/*
** Children's pages: search, record a child, the child's record (MOJ identity
** bar), and changing the record.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/codes.h"
#include "service/service.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "web/web.h"

static const char *js(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

static const char *const CHILD_ORDER[] = {"first_name", "last_name", "aliases", "date_of_birth", "gender",
                                          "ethnicity", "address", "postcode", "nhs_number", "school",
                                          "looked_after", "placement.legal_status", "placement.type",
                                          "placement.start_date", "placement.placing_authority",
                                          "placement.host_authority", NULL};

/* GET /children?q= */
void web_children_search(struct req *r) {
  const char *q = req_query(r, "q");
  struct page p;
  page_init(&p, "Children", "children");
  struct buf *b = &p.body;
  struct field_errors errs;
  ferr_init(&errs);
  bool searched = q && !text_is_blank(q);
  if (searched && (strlen(q) < 2 || strlen(q) > 200)) {
    ferr_add(&errs, "q", "Enter between 2 and 200 characters");
    searched = false;
  }
  p.errors = &errs;
  hf(b, "<h1 class=\"govuk-heading-l\">Find a child</h1><form method=\"get\" action=\"/children\" "
        "role=\"search\" class=\"app-search\">");
  web_text_input(b, "q", "Name, date of birth, postcode or NHS number", q, "For example, Jay Smith 2011-03-27",
                 &errs, "off", "govuk-!-width-two-thirds");
  hf(b, "<button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">Search</button></form>");
  if (role_in(r->who.role, R(ROLE_REFERRER) | R(ROLE_MASH) | R(ROLE_SOCIAL_WORKER) | R(ROLE_CSE_WORKER) |
                               R(ROLE_POLICE) | R(ROLE_MANAGER) | R(ROLE_DIRECTOR))) {
    hf(b, "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/children/new\">Record a child who is not "
          "found</a></p>");
  }
  if (searched) {
    struct child_search s;
    if (svc_child_search(r, q, &s) != SVC_OK) {
      svc_child_search_free(&s);
      ferr_free(&errs);
      buf_free(&p.body);
      web_error_page(r, 503, "Search is not available just now. Please try again.");
      return;
    }
    size_t n = json_array_size(s.results);
    hf(b, "<h2 class=\"govuk-heading-m\">%zu %s</h2>", n, n == 1 ? "child found" : "children found");
    if (n) {
      hf(b, "<table class=\"govuk-table\"><caption class=\"govuk-table__caption govuk-visually-hidden\">Search "
            "results</caption><thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">"
            "<th scope=\"col\" class=\"govuk-table__header\">Name</th>"
            "<th scope=\"col\" class=\"govuk-table__header\">Date of birth</th>"
            "<th scope=\"col\" class=\"govuk-table__header\">Postcode</th>"
            "<th scope=\"col\" class=\"govuk-table__header\">Looked after</th></tr></thead><tbody class=\"govuk-table__body\">");
      size_t i;
      json_t *c;
      json_array_foreach(s.results, i, c) {
        hf(b, "<tr class=\"govuk-table__row\"><td class=\"govuk-table__cell\"><a class=\"govuk-link\" "
              "href=\"/children/%s\">%s %s</a></td><td class=\"govuk-table__cell\">%s</td>"
              "<td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">%s</td></tr>",
           js(c, "id"), js(c, "first_name"), js(c, "last_name"), js(c, "date_of_birth") ? js(c, "date_of_birth") : "Not known",
           js(c, "postcode") ? js(c, "postcode") : "Not known",
           json_is_true(json_object_get(c, "looked_after")) ? "Yes" : "No");
      }
      hf(b, "</tbody></table>");
    }
    if (s.restricted) {
      hf(b, "<div class=\"govuk-inset-text\" data-testid=\"restricted-notice\">%d other %s known to Safehub "
            "%s this search. Their records are open only to agencies involved with them: contact the MASH.</div>",
         s.restricted, s.restricted == 1 ? "child" : "children", s.restricted == 1 ? "matches" : "match");
    }
    if (s.more) hf(b, "<p class=\"govuk-body\">There are more matches. Add a date of birth or postcode to narrow the search.</p>");
    svc_child_search_free(&s);
  }
  page_send(r, &p, ferr_any(&errs) ? 422 : 200);
  ferr_free(&errs);
}

static void radios_yes_no(struct buf *b, const char *name, const char *legend, bool yes, struct field_errors *errs) {
  const char *why = errs ? ferr_get(errs, name) : NULL;
  hf(b, "<div class=\"govuk-form-group%r\"><fieldset class=\"govuk-fieldset\"><legend class=\"govuk-fieldset__legend "
        "govuk-fieldset__legend--s\">%s</legend>",
     why ? " govuk-form-group--error" : "", legend);
  if (why) hf(b, "<p id=\"%s-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">Error:</span> %s</p>", name, why);
  hf(b, "<div class=\"govuk-radios govuk-radios--inline\" data-module=\"govuk-radios\" id=\"%s\">"
        "<div class=\"govuk-radios__item\"><input class=\"govuk-radios__input\" id=\"%s-yes\" name=\"%s\" type=\"radio\" "
        "value=\"yes\"%r><label class=\"govuk-label govuk-radios__label\" for=\"%s-yes\">Yes</label></div>"
        "<div class=\"govuk-radios__item\"><input class=\"govuk-radios__input\" id=\"%s-no\" name=\"%s\" type=\"radio\" "
        "value=\"no\"%r><label class=\"govuk-label govuk-radios__label\" for=\"%s-no\">No</label></div></div></fieldset></div>",
     name, name, name, yes ? " checked" : "", name, name, name, yes ? "" : " checked", name);
}

static void textarea(struct buf *b, const char *name, const char *label, const char *value, struct field_errors *errs) {
  const char *why = errs ? ferr_get(errs, name) : NULL;
  hf(b, "<div class=\"govuk-form-group%r\"><label class=\"govuk-label\" for=\"%s\">%s</label>",
     why ? " govuk-form-group--error" : "", name, label);
  if (why) hf(b, "<p id=\"%s-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">Error:</span> %s</p>", name, why);
  hf(b, "<textarea class=\"govuk-textarea%r\" id=\"%s\" name=\"%s\" rows=\"3\">%s</textarea></div>",
     why ? " govuk-textarea--error" : "", name, name, value ? value : "");
}

/* The fields of the child form, filled from CHILD (which may be NULL). */
static void child_fields(struct buf *b, json_t *child, struct field_errors *errs) {
  web_text_input(b, "first_name", "First name", js(child, "first_name"), NULL, errs, "off", "govuk-!-width-one-half");
  web_text_input(b, "last_name", "Last name", js(child, "last_name"), NULL, errs, "off", "govuk-!-width-one-half");
  struct buf al = BUF_INIT;
  size_t i;
  json_t *a;
  json_array_foreach(json_object_get(child, "aliases"), i, a) {
    if (i) buf_puts(&al, ", ");
    buf_puts(&al, json_string_value(a));
  }
  web_text_input(b, "aliases", "Other names used (optional)", buf_cstr(&al),
                 "Nicknames, previous names or spellings, separated by commas", errs, "off", NULL);
  buf_free(&al);
  web_date_input(b, "date_of_birth", "Date of birth (if known)", js(child, "date_of_birth"), NULL, errs);
  web_select(b, "gender", "Gender", GENDERS, js(child, "gender") ? js(child, "gender") : "not_known", errs, false);
  web_select(b, "ethnicity", "Ethnicity", ETHNICITY_CODES, js(child, "ethnicity"), errs, true);
  textarea(b, "address", "Address (optional)", js(child, "address"), errs);
  web_text_input(b, "postcode", "Postcode (optional)", js(child, "postcode"), NULL, errs, "postal-code", "govuk-input--width-10");
  web_text_input(b, "nhs_number", "NHS number (optional)", js(child, "nhs_number"), "10 digits, for example 485 777 3456",
                 errs, "off", "govuk-input--width-10");
  web_text_input(b, "school", "School (optional)", js(child, "school"), NULL, errs, "off", NULL);
  radios_yes_no(b, "looked_after", "Is the child looked after by a local authority?",
                json_is_true(json_object_get(child, "looked_after")), errs);
  json_t *pl = json_object_get(child, "placement");
  hf(b, "<details class=\"govuk-details\"%r><summary class=\"govuk-details__summary\"><span "
        "class=\"govuk-details__summary-text\">Placement (looked-after children)</span></summary>"
        "<div class=\"govuk-details__text\">",
     json_is_object(pl) ? " open" : "");
  web_select(b, "placement.legal_status", "Legal status", LEGAL_STATUSES, js(pl, "legal_status"), errs, true);
  web_select(b, "placement.type", "Placement type", PLACEMENT_TYPES, js(pl, "type"), errs, true);
  web_date_input(b, "placement.start_date", "Placement start date", js(pl, "start_date"), NULL, errs);
  web_text_input(b, "placement.placing_authority", "Placing authority", js(pl, "placing_authority"), NULL, errs, "off", NULL);
  web_text_input(b, "placement.host_authority", "Host authority (where the child lives)", js(pl, "host_authority"), NULL,
                 errs, "off", NULL);
  radios_yes_no(b, "placement.out_of_area", "Placed out of area?", json_is_true(json_object_get(pl, "out_of_area")), errs);
  hf(b, "</div></details>");
}

static void put_text(json_t *o, const char *key, const char *v, bool nullable) {
  if (!v) return;
  char *t = text_trim_dup(v);
  if (!*t && nullable) json_object_set_new(o, key, json_null());
  else json_object_set_new(o, key, json_string(t));
  free(t);
}

/* Turns the posted child form into the API's JSON shape; date errors go to ERRS. */
static json_t *child_from_form(struct req *r, struct field_errors *errs) {
  json_t *c = json_object();
  put_text(c, "first_name", form_str(r, "first_name"), false);
  put_text(c, "last_name", form_str(r, "last_name"), false);
  json_t *aliases = json_array();
  const char *al = form_str(r, "aliases");
  if (al) {
    char *copy = xstrdup(al);
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
      char *trimmed = text_trim_dup(t);
      if (*trimmed) json_array_append_new(aliases, json_string(trimmed));
      free(trimmed);
    }
    free(copy);
  }
  json_object_set_new(c, "aliases", aliases);
  json_t *dob = form_date(r, "date_of_birth", errs, "Date of birth");
  if (dob) json_object_set_new(c, "date_of_birth", dob);
  put_text(c, "gender", form_str(r, "gender"), false);
  const char *eth = form_str(r, "ethnicity");
  if (eth && *eth) json_object_set_new(c, "ethnicity", json_string(eth));
  put_text(c, "address", form_str(r, "address"), true);
  put_text(c, "postcode", form_str(r, "postcode"), true);
  put_text(c, "nhs_number", form_str(r, "nhs_number"), true);
  put_text(c, "school", form_str(r, "school"), true);
  bool la = form_str(r, "looked_after") && !strcmp(form_str(r, "looked_after"), "yes");
  json_object_set_new(c, "looked_after", json_boolean(la));
  if (la) {
    json_t *pl = json_object();
    const char *ls = form_str(r, "placement.legal_status"), *pt = form_str(r, "placement.type");
    json_object_set_new(pl, "legal_status", ls && *ls ? json_string(ls) : json_null());
    json_object_set_new(pl, "type", pt && *pt ? json_string(pt) : json_null());
    json_t *sd = form_date(r, "placement.start_date", errs, "Placement start date");
    if (sd) json_object_set_new(pl, "start_date", sd);
    put_text(pl, "placing_authority", form_str(r, "placement.placing_authority"), true);
    put_text(pl, "host_authority", form_str(r, "placement.host_authority"), true);
    const char *ooa = form_str(r, "placement.out_of_area");
    json_object_set_new(pl, "out_of_area", json_boolean(ooa && !strcmp(ooa, "yes")));
    json_object_set_new(c, "placement", pl);
  } else {
    json_object_set_new(c, "placement", json_null());
  }
  return c;
}

/* Rewrites "is required" style reasons into sentences with the field's name, GOV.UK style. */
static void humanise(struct field_errors *errs) {
  static const struct {
    const char *field, *label;
  } names[] = {{"first_name", "First name"}, {"last_name", "Last name"}, {"ethnicity", "Ethnicity"},
               {"date_of_birth", "Date of birth"}, {"postcode", "Postcode"}, {"nhs_number", "NHS number"},
               {"gender", "Gender"}, {"placement", "Placement"}, {"placement.start_date", "Placement start date"},
               {"placement.legal_status", "Legal status"}, {"placement.type", "Placement type"}};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    const char *why = ferr_get(errs, names[i].field);
    if (!why) continue;
    char msg[300];
    if (!strcmp(why, "is required")) {
      if (!strcmp(names[i].field, "ethnicity"))
        snprintf(msg, sizeof msg, "Select the child's ethnicity, or 'Information not yet obtained' or 'Refused'");
      else snprintf(msg, sizeof msg, "Enter the %s", names[i].label);
    } else if (strncmp(why, names[i].label, strlen(names[i].label)) != 0) {
      snprintf(msg, sizeof msg, "%s %s", names[i].label, why);
    } else {
      continue;
    }
    json_object_set_new(errs->fields, names[i].field, json_string(msg));
  }
}

static void child_form_page(struct req *r, const char *title, const char *action, json_t *child,
                            struct field_errors *errs, const char *back, int status) {
  struct page p;
  page_init(&p, title, "children");
  p.errors = errs;
  p.error_order = CHILD_ORDER;
  p.back = back;
  struct buf *b = &p.body;
  hf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\"><h1 class=\"govuk-heading-l\">%s</h1>"
        "<form method=\"post\" action=\"%s\" novalidate>",
     title, action);
  web_csrf_field(r, b);
  child_fields(b, child, errs);
  hf(b, "<button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">Save</button></form></div></div>");
  page_send(r, &p, status);
}

/* GET /children/new */
void web_child_new_form(struct req *r) { child_form_page(r, "Record a child", "/children/new", NULL, NULL, "/children", 200); }

/* POST /children/new */
void web_child_new(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  json_t *c = child_from_form(r, &errs);
  char id[ID_MAX];
  int rc = ferr_any(&errs) ? SVC_INVALID : svc_child_create(r, c, &errs, id);
  if (rc == SVC_OK) {
    char loc[128];
    snprintf(loc, sizeof loc, "/children/%s?created=1", id);
    resp_redirect(r, loc);
  } else if (rc == SVC_INVALID) {
    humanise(&errs);
    child_form_page(r, "Record a child", "/children/new", c, &errs, "/children", 422);
  } else {
    web_error_page(r, 503, "The child could not be recorded just now. Please try again.");
  }
  json_decref(c);
  ferr_free(&errs);
}

static const char *yes_no(json_t *v) { return json_is_true(v) ? "Yes" : "No"; }

/* GET /children/{id} */
void web_child_view(struct req *r) {
  json_t *c = NULL;
  int rc = svc_child_get(r, req_param(r, 0), &c);
  if (rc == SVC_NOT_FOUND) {
    web_error_page(r, 404, "There is no child record at this address, or it is not open to you.");
    return;
  }
  if (rc != SVC_OK) {
    web_error_page(r, 503, "The record could not be shown just now. Please try again.");
    return;
  }
  char name[256];
  snprintf(name, sizeof name, "%s %s", js(c, "first_name"), js(c, "last_name"));
  struct page p;
  page_init(&p, name, "children");
  if (req_query(r, "created")) p.notice = "The child has been recorded";
  if (req_query(r, "updated")) p.notice = "The record has been updated";
  struct buf *b = &p.body;
  hf(b, "<div class=\"moj-identity-bar\"><div class=\"moj-identity-bar__container\"><div class=\"moj-identity-bar__details\">"
        "<span class=\"moj-identity-bar__title\"><strong data-testid=\"child-name\">%s</strong> &middot; Born %s &middot; "
        "Safehub ID %s</span></div></div></div>",
     name, js(c, "date_of_birth") ? js(c, "date_of_birth") : "not known", js(c, "id"));
  hf(b, "<h1 class=\"govuk-heading-l govuk-!-margin-top-6\">%s</h1>", name);
  if (json_is_true(json_object_get(c, "looked_after"))) web_tag(b, "Looked after", "purple");
  const char *eth = js(c, "ethnicity");
  if (eth && (!strcmp(eth, "NOBT") || !strcmp(eth, "REFU"))) {
    hf(b, " ");
    web_tag(b, !strcmp(eth, "NOBT") ? "Ethnicity not yet obtained" : "Ethnicity refused", "yellow");
  }
  hf(b, "<h2 class=\"govuk-heading-m govuk-!-margin-top-6\">Details</h2><dl class=\"govuk-summary-list\">");
  struct buf al = BUF_INIT;
  size_t i;
  json_t *a;
  json_array_foreach(json_object_get(c, "aliases"), i, a) {
    if (i) buf_puts(&al, ", ");
    buf_puts(&al, json_string_value(a));
  }
  web_summary_row(b, "Other names", buf_cstr(&al));
  buf_free(&al);
  web_summary_row(b, "Date of birth", js(c, "date_of_birth"));
  web_summary_row(b, "Gender", code_label(GENDERS, js(c, "gender")));
  char eth_label[160];
  snprintf(eth_label, sizeof eth_label, "%s (%s)", code_label(ETHNICITY_CODES, eth) ? code_label(ETHNICITY_CODES, eth) : "",
           eth ? eth : "");
  web_summary_row(b, "Ethnicity", eth_label);
  web_summary_row(b, "Address", js(c, "address"));
  web_summary_row(b, "Postcode", js(c, "postcode"));
  web_summary_row(b, "NHS number", js(c, "nhs_number"));
  web_summary_row(b, "School", js(c, "school"));
  web_summary_row(b, "Looked after", yes_no(json_object_get(c, "looked_after")));
  hf(b, "</dl>");
  json_t *pl = json_object_get(c, "placement");
  if (json_is_object(pl)) {
    hf(b, "<h2 class=\"govuk-heading-m\">Placement</h2><dl class=\"govuk-summary-list\">");
    web_summary_row(b, "Legal status", code_label(LEGAL_STATUSES, js(pl, "legal_status")));
    web_summary_row(b, "Placement type", code_label(PLACEMENT_TYPES, js(pl, "type")));
    web_summary_row(b, "Start date", js(pl, "start_date"));
    web_summary_row(b, "Placing authority", js(pl, "placing_authority"));
    web_summary_row(b, "Host authority", js(pl, "host_authority"));
    web_summary_row(b, "Out of area", yes_no(json_object_get(pl, "out_of_area")));
    hf(b, "</dl>");
  }
  hf(b, "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/children/%s/edit\">Change these details</a>",
     js(c, "id"));
  if (role_in(r->who.role, ROLES_AUDIT_READERS))
    hf(b, " &middot; <a class=\"govuk-link\" href=\"/audit?subject=%u\">Who has seen this record</a>", js(c, "id"));
  hf(b, "</p>");
  json_decref(c);
  page_send(r, &p, 200);
}

/* GET /children/{id}/edit */
void web_child_edit_form(struct req *r) {
  json_t *c = NULL;
  int rc = svc_child_get(r, req_param(r, 0), &c);
  if (rc != SVC_OK) {
    web_error_page(r, rc == SVC_NOT_FOUND ? 404 : 503, rc == SVC_NOT_FOUND ? "There is no child record at this address, or it is not open to you."
                                                                           : "The record could not be shown just now.");
    return;
  }
  char action[128], back[128];
  snprintf(action, sizeof action, "/children/%s/edit", req_param(r, 0));
  snprintf(back, sizeof back, "/children/%s", req_param(r, 0));
  child_form_page(r, "Change a child's details", action, c, NULL, back, 200);
  json_decref(c);
}

/* POST /children/{id}/edit */
void web_child_edit(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  json_t *c = child_from_form(r, &errs);
  json_t *out = NULL;
  int rc = ferr_any(&errs) ? SVC_INVALID : svc_child_update(r, req_param(r, 0), c, &errs, &out);
  char back[128];
  snprintf(back, sizeof back, "/children/%s", req_param(r, 0));
  if (rc == SVC_OK) {
    char loc[160];
    snprintf(loc, sizeof loc, "%s?updated=1", back);
    resp_redirect(r, loc);
  } else if (rc == SVC_INVALID) {
    humanise(&errs);
    child_form_page(r, "Change a child's details", r->url, c, &errs, back, 422);
  } else if (rc == SVC_NOT_FOUND) {
    web_error_page(r, 404, "There is no child record at this address, or it is not open to you.");
  } else if (rc == SVC_CONFLICT) {
    web_error_page(r, 409, "Someone else changed this record while you were editing it. Go back and try again.");
  } else {
    web_error_page(r, 503, "The record could not be changed just now. Please try again.");
  }
  json_decref(out);
  json_decref(c);
  ferr_free(&errs);
}
