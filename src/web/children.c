/*
** Children's pages: search, record a child, the child's record (MOJ identity
** bar and summary lists), and changing the record.  Handlers read the form,
** call the use cases in service/, and render; access to each record is the
** service's to decide.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/child.h"
#include "core/codes.h"
#include "service/intel.h"
#include "service/service.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/xalloc.h"
#include "web/web.h"

/* The string member K of O, or NULL. */
static const char *js(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* The child form's fields in page order, each with the control its error links to. */
static const struct error_link CHILD_LINKS[] = {
    {"version", WEB_CONFLICT_ANCHOR},
    {"first_name", NULL},
    {"last_name", NULL},
    {"aliases", NULL},
    {"date_of_birth", "date_of_birth-day"},
    {"gender", NULL},
    {"ethnicity", NULL},
    {"address", NULL},
    {"postcode", NULL},
    {"nhs_number", NULL},
    {"school", NULL},
    {"looked_after", NULL},
    {"placement", "placement.legal_status"},
    {"placement.legal_status", NULL},
    {"placement.type", NULL},
    {"placement.start_date", "placement.start_date-day"},
    {"placement.placing_authority", NULL},
    {"placement.host_authority", NULL},
    {"placement.out_of_area", NULL},
    {NULL, NULL},
};
static const struct error_link SEARCH_LINKS[] = {{"q", NULL}, {NULL, NULL}};

/* The results table of a search: each name links to the record. */
static void results_table(struct buf *b, json_t *results, const char *q) {
  hf(b, "<table class=\"govuk-table\" data-testid=\"search-results\"><caption class=\"govuk-table__caption "
        "govuk-visually-hidden\">Children matching &ldquo;%s&rdquo;</caption><thead class=\"govuk-table__head\">"
        "<tr class=\"govuk-table__row\"><th scope=\"col\" class=\"govuk-table__header\">Name</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Date of birth</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Postcode</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Looked after</th></tr></thead>"
        "<tbody class=\"govuk-table__body\">",
     q);
  size_t i;
  json_t *c;
  json_array_foreach(results, i, c) {
    const char *dob = js(c, "date_of_birth"), *pc = js(c, "postcode");
    char born[48];
    hf(b, "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\"><a class=\"govuk-link\" "
          "href=\"/children/%u\">%s %s</a></th><td class=\"govuk-table__cell\">%s</td>"
          "<td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">%s</td></tr>",
       js(c, "id"), js(c, "first_name"), js(c, "last_name"), dob ? web_date_long(dob, born, sizeof born) : "Not known",
       pc ? pc : "Not known",
       json_is_true(json_object_get(c, "looked_after")) ? "Yes" : "No");
  }
  hf(b, "</tbody></table>");
}

/* GET /children?q= */
void web_children_search(struct req *r) {
  const char *q = req_query(r, "q");
  struct page p;
  struct field_errors errs;
  ferr_init(&errs);
  bool searched = q && !text_is_blank(q);
  if (q && !searched) ferr_add(&errs, "q", "Enter a name, date of birth, postcode or NHS number");
  else if (searched && (strlen(q) < 2 || strlen(q) > 200)) {
    ferr_add(&errs, "q", "Enter between 2 and 200 characters");
    searched = false;
  }
  struct child_search s = {0};
  if (searched && svc_child_search(r, q, &s) != SVC_OK) {
    svc_child_search_free(&s);
    ferr_free(&errs);
    web_error_page(r, 503, "Search is not available just now. Please try again.");
    return;
  }
  page_init(&p, "Find a child", "children");
  p.errors = &errs;
  p.error_links = SEARCH_LINKS;
  struct buf *b = &p.body;
  hf(b, "<h1 class=\"govuk-heading-l\">Find a child</h1><div class=\"govuk-grid-row\">"
        "<div class=\"govuk-grid-column-two-thirds\"><form method=\"get\" action=\"/children\" novalidate "
        "role=\"search\" aria-label=\"Children\">");
  web_text_input(b, "q", "Name, date of birth, postcode or NHS number", q,
                 "For example, Jay Smith, 27/3/2011, HF1 2AB or 999 000 0019", &errs, "off", NULL);
  web_button(b, "Search");
  hf(b, "</form></div></div>");
  if (searched) {
    size_t n = json_array_size(s.results);
    hf(b, "<h2 class=\"govuk-heading-m\" data-testid=\"results-count\">%zu %s</h2>", n,
       n == 1 ? "child found" : "children found");
    if (n) results_table(b, s.results, q);
    if (s.restricted) {
      hf(b, "<div class=\"govuk-inset-text\" data-testid=\"restricted-notice\">%d other %s known to Safehub "
            "%s this search. Their records are open only to agencies involved with them: contact the MASH.</div>",
         s.restricted, s.restricted == 1 ? "child" : "children", s.restricted == 1 ? "matches" : "match");
    }
    if (s.more) {
      hf(b, "<p class=\"govuk-body\">There are more matches. Add a date of birth or postcode to narrow the "
            "search.</p>");
    }
  }
  if (role_in(r->who.role, WEB_CASE_CREATORS)) {
    hf(b, "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/children/new\">Record a child who is not "
          "found</a></p>");
  }
  svc_child_search_free(&s);
  page_send(r, &p, ferr_any(&errs) ? 422 : 200);
  ferr_free(&errs);
}

/*
** What a field of the child form shows: after a post, exactly what was
** typed (so a mistake can be corrected, not retyped); otherwise the
** record's KEY in OBJ, which may be NULL.
*/
static const char *shown(struct req *r, const char *field, json_t *obj, const char *key) {
  return r->form ? form_str(r, field) : js(obj, key);
}

/* "yes", "no" or NULL for a yes/no field, as for shown(). */
static const char *shown_yes_no(struct req *r, const char *field, json_t *obj, const char *key) {
  if (r->form) return form_str(r, field);
  json_t *v = json_object_get(obj, key);
  return json_is_true(v) ? "yes" : json_is_false(v) ? "no" : NULL;
}

/* The fields of the child form, filled from CHILD (NULL for a new child) or the post being answered. */
static void child_fields(struct req *r, struct buf *b, json_t *child, struct field_errors *errs) {
  web_text_input(b, "first_name", "First name", shown(r, "first_name", child, "first_name"), NULL, errs, "off",
                 "govuk-!-width-one-half");
  web_text_input(b, "last_name", "Last name", shown(r, "last_name", child, "last_name"), NULL, errs, "off",
                 "govuk-!-width-one-half");
  struct buf al = BUF_INIT;
  size_t i;
  json_t *a;
  json_array_foreach(json_object_get(child, "aliases"), i, a) {
    if (i) buf_puts(&al, ", ");
    buf_puts(&al, json_string_value(a));
  }
  web_text_input(b, "aliases", "Other names used (optional)", r->form ? form_str(r, "aliases") : buf_cstr(&al),
                 "Nicknames, previous names or other spellings, separated by commas", errs, "off", NULL);
  buf_free(&al);
  web_date_input(r, b, "date_of_birth", "Date of birth", js(child, "date_of_birth"),
                 "For example, 27 3 2011. Leave it blank if it is not known.", errs);
  const char *gender = shown(r, "gender", child, "gender");
  web_select(b, "gender", "Gender", GENDERS, gender ? gender : "not_known", NULL, errs, NULL);
  web_select(b, "ethnicity", "Ethnicity", ETHNICITY_CODES, shown(r, "ethnicity", child, "ethnicity"),
             "As the child or their family describe it. Choose 'Information not yet obtained' if nobody has asked "
             "yet, or 'Refused' if they would not say.",
             errs, "Select ethnicity");
  web_textarea(b, "address", "Address (optional)", shown(r, "address", child, "address"), NULL, errs);
  web_text_input(b, "postcode", "Postcode (optional)", shown(r, "postcode", child, "postcode"), NULL, errs, "off",
                 "govuk-input--width-10");
  web_text_input(b, "nhs_number", "NHS number (optional)", shown(r, "nhs_number", child, "nhs_number"),
                 "10 digits, for example 485 777 3456", errs, "off", "govuk-input--width-10");
  web_text_input(b, "school", "School (optional)", shown(r, "school", child, "school"), NULL, errs, "off", NULL);
  web_radios_yes_no(b, "looked_after", "Is the child looked after by a local authority?", NULL,
                    shown_yes_no(r, "looked_after", child, "looked_after"), errs);
  json_t *pl = json_object_get(child, "placement");
  hf(b, "<h2 class=\"govuk-heading-m\">Placement</h2><p class=\"govuk-body\">Only for a looked-after child. If "
        "you answered No above, these details are not saved.</p>");
  web_select(b, "placement.legal_status", "Legal status (optional)", LEGAL_STATUSES,
             shown(r, "placement.legal_status", pl, "legal_status"), NULL, errs, "Select legal status");
  web_select(b, "placement.type", "Placement type (optional)", PLACEMENT_TYPES, shown(r, "placement.type", pl, "type"),
             NULL, errs, "Select placement type");
  web_date_input(r, b, "placement.start_date", "Placement start date (optional)", js(pl, "start_date"), NULL, errs);
  web_text_input(b, "placement.placing_authority", "Placing authority (optional)",
                 shown(r, "placement.placing_authority", pl, "placing_authority"),
                 "The local authority responsible for the child", errs, "off", NULL);
  web_text_input(b, "placement.host_authority", "Host authority (optional)",
                 shown(r, "placement.host_authority", pl, "host_authority"), "The local authority where the child lives",
                 errs, "off", NULL);
  web_radios_yes_no(b, "placement.out_of_area", "Is the child placed outside the placing authority's area?", NULL,
                    shown_yes_no(r, "placement.out_of_area", pl, "out_of_area"), errs);
}

/* Sets KEY to V trimmed; blank becomes null when NULLABLE; an absent V leaves KEY unset. */
static void put_text(json_t *o, const char *key, const char *v, bool nullable) {
  if (!v) return;
  char *t = text_trim_dup(v);
  if (!*t && nullable) json_object_set_new(o, key, json_null());
  else json_object_set_new(o, key, json_string(t));
  free(t);
}

/*
** Turns the posted child form into the API's JSON shape (caller owns it).
** What only the form can get wrong (dates, an unanswered question) goes to
** ERRS; the service checks the rest.
*/
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
  const char *la_answer = form_str(r, "looked_after");
  bool la = la_answer && !strcmp(la_answer, "yes");
  if (!la_answer || (strcmp(la_answer, "yes") != 0 && strcmp(la_answer, "no") != 0))
    ferr_add(errs, "looked_after", "Select yes if the child is looked after by a local authority");
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
    json_object_set_new(pl, "out_of_area", ooa ? json_boolean(!strcmp(ooa, "yes")) : json_null());
    json_object_set_new(c, "placement", pl);
  } else {
    json_object_set_new(c, "placement", json_null());
  }
  return c;
}

/* The child form's fields as error messages name them. */
static const struct field_label CHILD_LABELS[] = {
    {"first_name", "First name", "Enter the child's first name"},
    {"last_name", "Last name", "Enter the child's last name"},
    {"aliases", "Other names", NULL},
    {"date_of_birth", "Date of birth", NULL},
    {"gender", "Gender", "Select the child's gender, or 'Not known'"},
    {"ethnicity", "Ethnicity", "Select the child's ethnicity, or 'Information not yet obtained' or 'Refused'"},
    {"address", "Address", NULL},
    {"postcode", "Postcode", NULL},
    {"nhs_number", "NHS number", NULL},
    {"school", "School", NULL},
    {"placement", "Placement", NULL},
    {"placement.legal_status", "Legal status", NULL},
    {"placement.type", "Placement type", NULL},
    {"placement.start_date", "Placement start date", NULL},
    {"placement.placing_authority", "Placing authority", NULL},
    {"placement.host_authority", "Host authority", NULL},
    {NULL, NULL, NULL},
};

/*
** Checks the rest of the form when the form itself found mistakes (a date
** that is not real, a question not answered), so that every mistake shows
** at once rather than one round at a time.  Validates a copy with the
** service's own rules and saves nothing; errors already found for a field
** stay first.
*/
static void check_rest(json_t *c, bool partial, struct field_errors *errs) {
  json_t *copy = json_deep_copy(c);
  struct field_errors more;
  ferr_init(&more);
  child_validate(copy, partial, london_today(time_now()), &more);
  const char *k;
  json_t *v;
  json_object_foreach(more.fields, k, v) {
    if (!ferr_get(errs, k)) ferr_add(errs, k, "%s", json_string_value(v));
  }
  ferr_free(&more);
  json_decref(copy);
}

/*
** The form to record or change a child, with ERRS shown; CHILD fills it
** (NULL for a new child).  A change carries the version of the record it
** was opened from (see web_version_field).
*/
static void child_form_page(struct req *r, const char *title, const char *action, json_t *child,
                            struct field_errors *errs, const char *back, int status) {
  struct page p;
  page_init(&p, title, "children");
  p.errors = errs;
  p.error_links = CHILD_LINKS;
  p.back = back;
  struct buf *b = &p.body;
  hf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\"><h1 class=\"govuk-heading-l\">%s</h1>",
     title);
  web_record_changed(b, errs, back);
  hf(b, "<form method=\"post\" action=\"%s\" novalidate>", action);
  web_csrf_field(r, b);
  web_version_field(r, b, child);
  child_fields(r, b, child, errs);
  web_button(b, "Save");
  hf(b, "</form></div></div>");
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
  if (ferr_any(&errs)) check_rest(c, false, &errs);
  int rc = ferr_any(&errs) ? SVC_INVALID : svc_child_create(r, c, &errs, id);
  if (rc == SVC_OK) {
    char loc[128];
    snprintf(loc, sizeof loc, "/children/%s?created=1", id);
    resp_redirect(r, loc);
  } else if (rc == SVC_INVALID) {
    web_humanise(&errs, CHILD_LABELS);
    child_form_page(r, "Record a child", "/children/new", c, &errs, "/children", 422);
  } else {
    web_error_page(r, 503, "The child could not be recorded just now. Please try again.");
  }
  json_decref(c);
  ferr_free(&errs);
}

/* "Yes", "No" or, for null or absent, "Not recorded". */
static const char *yes_no(json_t *v) { return json_is_true(v) ? "Yes" : json_is_false(v) ? "No" : NULL; }

/* "First Last" of child C into OUT (CAP bytes); returns OUT. */
const char *web_child_name(json_t *c, char *out, size_t cap) {
  snprintf(out, cap, "%s %s", js(c, "first_name") ? js(c, "first_name") : "", js(c, "last_name") ? js(c, "last_name") : "");
  return out;
}

/*
** The MOJ identity bar for child C (a record, or the details a referrer
** gave): who the page is about, shown before anything else so nobody
** mistakes one child's record for another's.  The Safehub ID only when C has
** one.
*/
void web_child_identity_bar(struct buf *b, json_t *c) {
  char name[256], born[48] = "";
  web_child_name(c, name, sizeof name);
  const char *dob = js(c, "date_of_birth");
  hf(b, "<div class=\"moj-identity-bar\" data-testid=\"identity-bar\"><div class=\"moj-identity-bar__container\">"
        "<div class=\"moj-identity-bar__details\"><span class=\"moj-identity-bar__title\">"
        "<span class=\"govuk-!-font-weight-bold\" data-testid=\"child-name\">%s</span>",
     name);
  int64_t days;
  if (dob && date_parse(dob, &days)) {
    hf(b, " <span class=\"app-identity__item\">Born %s (aged %d)</span>", web_date_long(dob, born, sizeof born),
       age_in_years(days, london_today(time_now())));
  } else {
    hf(b, " <span class=\"app-identity__item\">Date of birth not known</span>");
  }
  if (json_is_true(json_object_get(c, "looked_after"))) hf(b, " <span class=\"app-identity__item\">Looked after</span>");
  if (js(c, "id")) {
    hf(b, " <span class=\"app-identity__item\">Safehub ID <span data-testid=\"child-id\">%s</span></span>", js(c, "id"));
  }
  hf(b, "</span></div></div></div>");
}

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
  char name[256], date[48];
  snprintf(name, sizeof name, "%s %s", js(c, "first_name"), js(c, "last_name"));
  struct page p;
  page_init(&p, name, "children");
  if (req_query(r, "created")) p.notice = "The child has been recorded";
  if (req_query(r, "updated")) p.notice = "The child's details have been changed";
  if (req_query(r, "unmerged")) p.notice = "The merge has been undone: the two records are separate again";
  web_child_identity_bar(&p.identity, c);
  struct buf *b = &p.body;
  hf(b, "<span class=\"govuk-caption-l\">Child's record</span><h1 class=\"govuk-heading-l\">%s</h1>", name);
  web_child_tabs(b, r->who.role, js(c, "id"), "details");
  web_child_merges(r, b, c);
  const char *eth = js(c, "ethnicity");
  bool tags = json_is_true(json_object_get(c, "looked_after")) || (eth && (!strcmp(eth, "NOBT") || !strcmp(eth, "REFU")));
  if (tags) {
    hf(b, "<p class=\"govuk-body\">");
    if (json_is_true(json_object_get(c, "looked_after"))) web_tag(b, "Looked after", "purple");
    if (eth && (!strcmp(eth, "NOBT") || !strcmp(eth, "REFU"))) {
      hf(b, " ");
      web_tag(b, !strcmp(eth, "NOBT") ? "Ethnicity not yet obtained" : "Ethnicity refused", "yellow");
    }
    hf(b, "</p>");
  }
  hf(b, "<h2 class=\"govuk-heading-m\">Details</h2><dl class=\"govuk-summary-list\" data-testid=\"child-details\">");
  struct buf al = BUF_INIT;
  size_t i;
  json_t *a;
  json_array_foreach(json_object_get(c, "aliases"), i, a) {
    if (i) buf_puts(&al, ", ");
    buf_puts(&al, json_string_value(a));
  }
  web_summary_row(b, "Other names", buf_cstr(&al));
  buf_free(&al);
  web_summary_row(b, "Date of birth", js(c, "date_of_birth") ? web_date_long(js(c, "date_of_birth"), date, sizeof date) : NULL);
  web_summary_row(b, "Gender", code_label(GENDERS, js(c, "gender")));
  char eth_label[160] = "";
  if (eth) snprintf(eth_label, sizeof eth_label, "%s (%s)", code_label(ETHNICITY_CODES, eth) ? code_label(ETHNICITY_CODES, eth) : "", eth);
  web_summary_row(b, "Ethnicity", eth_label);
  web_summary_row(b, "Address", js(c, "address"));
  web_summary_row(b, "Postcode", js(c, "postcode"));
  char nhs[16] = "";
  const char *n = js(c, "nhs_number");
  /* Spaced 3-3-4, as NHS numbers are printed, so they can be read aloud and compared. */
  if (n && strlen(n) == 10) snprintf(nhs, sizeof nhs, "%.3s %.3s %.4s", n, n + 3, n + 6);
  else if (n) snprintf(nhs, sizeof nhs, "%s", n);
  web_summary_row(b, "NHS number", nhs);
  web_summary_row(b, "School", js(c, "school"));
  web_summary_row(b, "Looked after", yes_no(json_object_get(c, "looked_after")));
  hf(b, "</dl>");
  json_t *pl = json_object_get(c, "placement");
  if (json_is_object(pl)) {
    hf(b, "<h2 class=\"govuk-heading-m\">Placement</h2><dl class=\"govuk-summary-list\">");
    web_summary_row(b, "Legal status", code_label(LEGAL_STATUSES, js(pl, "legal_status")));
    web_summary_row(b, "Placement type", code_label(PLACEMENT_TYPES, js(pl, "type")));
    web_summary_row(b, "Start date", js(pl, "start_date") ? web_date_long(js(pl, "start_date"), date, sizeof date) : NULL);
    web_summary_row(b, "Placing authority", js(pl, "placing_authority"));
    web_summary_row(b, "Host authority", js(pl, "host_authority"));
    web_summary_row(b, "Placed out of area", yes_no(json_object_get(pl, "out_of_area")));
    hf(b, "</dl>");
  }
  /* A record merged into another is not changed: its page says where to work instead. */
  bool edit = role_in(r->who.role, WEB_CASE_EDITORS) && !json_is_string(json_object_get(c, "merged_into"));
  bool audit = role_in(r->who.role, ROLES_AUDIT_READERS);
  bool network = role_in(r->who.role, INTEL_READERS);
  if (edit || audit || network) {
    hf(b, "<ul class=\"govuk-list\">");
    if (edit) {
      hf(b, "<li><a class=\"govuk-link\" href=\"/children/%u/edit\">Change these details<span "
            "class=\"govuk-visually-hidden\"> for %s</span></a></li>",
         js(c, "id"), name);
    }
    if (audit) {
      hf(b, "<li><a class=\"govuk-link\" href=\"/audit?subject=%u\">See who has seen or changed this record</a></li>",
         js(c, "id"));
    }
    if (network) {
      hf(b, "<li><a class=\"govuk-link\" href=\"/network?around=%u\">See the people, vehicles, phones and places "
            "linked to this child</a></li>",
         js(c, "id"));
    }
    hf(b, "</ul>");
  }
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
  if (json_is_string(json_object_get(c, "merged_into"))) {
    json_decref(c);
    web_error_page(r, 409, "This record was merged into another one. Change the record it was merged into instead.");
    return;
  }
  char action[128], back[128];
  snprintf(action, sizeof action, "/children/%s/edit", req_param(r, 0));
  snprintf(back, sizeof back, "/children/%s", req_param(r, 0));
  child_form_page(r, "Change a child's details", action, c, NULL, back, 200);
  json_decref(c);
}

/*
** POST /children/{id}/edit.  Saved only if nobody changed the record since
** the form was opened (its hidden version); otherwise the form comes back,
** as typed, with the conflict in the error summary and nothing written.
*/
void web_child_edit(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  json_t *c = child_from_form(r, &errs);
  json_t *out = NULL;
  if (ferr_any(&errs)) check_rest(c, true, &errs);
  int rc = ferr_any(&errs) ? SVC_INVALID
                           : svc_child_update_from(r, req_param(r, 0), c, web_form_version(r), &errs, &out);
  char back[128];
  snprintf(back, sizeof back, "/children/%s", req_param(r, 0));
  if (rc == SVC_OK) {
    char loc[160];
    snprintf(loc, sizeof loc, "%s?updated=1", back);
    resp_redirect(r, loc);
  } else if (rc == SVC_INVALID && ferr_get(&errs, "merged_into")) {
    web_error_page(r, 409, "This record was merged into another one. Change the record it was merged into instead.");
  } else if (rc == SVC_INVALID) {
    web_humanise(&errs, CHILD_LABELS);
    child_form_page(r, "Change a child's details", r->url, c, &errs, back, 422);
  } else if (rc == SVC_NOT_FOUND) {
    web_error_page(r, 404, "There is no child record at this address, or it is not open to you.");
  } else if (rc == SVC_CONFLICT) {
    ferr_add(&errs, "version", "%s", WEB_CONFLICT_MESSAGE);
    child_form_page(r, "Change a child's details", r->url, c, &errs, back, 409);
  } else {
    web_error_page(r, 503, "The record could not be changed just now. Please try again.");
  }
  json_decref(out);
  json_decref(c);
  ferr_free(&errs);
}
