/*
** Casework pages (see casework_web.h): the child's "Missing episodes",
** "Meetings and support" and "Notes and allocation" tabs, the forms to
** record an episode, its return and its return-home interview, a case note,
** an allocation, a meeting with its attendees and actions, a support
** referral and its progress, a meeting's own page where actions are marked
** done, and the caseloads.
**
** Handlers read the form into the API's JSON shape, call the use cases in
** service/casework_svc.h (which decide access, validate and audit), and
** render GOV.UK and MOJ components.  Times are entered and shown in UK time;
** forms post back and redirect after a change; nothing needs JavaScript.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/calendar.h"
#include "core/casework_rules.h"
#include "http/app.h"
#include "service/casework_svc.h"
#include "service/service.h"
#include "store/store.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/xalloc.h"
#include "web/casework_web.h"

#define ATTENDEE_ROWS 8
#define ACTION_ROWS 5

/* ---- helpers ---- */

/* The string member K of O, or NULL. */
static const char *js(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

static const struct code YES_NO[] = {{"yes", "Yes"}, {"no", "No"}, {NULL, NULL}};

static const struct code INTERVIEW_STATES[] = {
    {"awaiting_return", "Not yet returned"}, {"due", "Interview due"},      {"overdue", "Interview overdue"},
    {"completed", "Interview held"},         {"declined", "Declined"},      {NULL, NULL},
};

/*
** Answers a use case's refusal as a page; WHAT finishes "... could not be
** shown just now" for failures.  Returns true when it answered.
*/
static bool failed(struct req *r, int rc, const char *what) {
  char msg[200];
  switch (rc) {
  case SVC_OK: return false;
  case SVC_NOT_FOUND:
    web_error_page(r, 404, "There is no record at this address, or it is not open to you.");
    return true;
  case SVC_FORBIDDEN:
    web_error_page(r, 403, "Only the person who owns this action, or a manager, can mark it done.");
    return true;
  case SVC_CONFLICT:
    web_error_page(r, 409, "Someone else changed this record meanwhile, or it is already done. Go back and look again.");
    return true;
  default:
    snprintf(msg, sizeof msg, "%s could not be shown or saved just now. Please try again.", what);
    web_error_page(r, 503, msg);
    return true;
  }
}

/* Starts a page of child C's tab TAB: identity bar, the child's name over the heading TITLE, and the tabs. */
static void child_frame(struct req *r, struct page *p, json_t *c, const char *tab, const char *title) {
  char name[256];
  web_child_identity_bar(&p->identity, c);
  hf(&p->body, "<span class=\"govuk-caption-l\">%s</span><h1 class=\"govuk-heading-l\">%s</h1>",
     web_child_name(c, name, sizeof name), title);
  if (tab) web_child_tabs(&p->body, r->who.role, js(c, "id"), tab);
}

/* Writes TEXT as paragraphs, its line breaks kept. */
static void paragraphs(struct buf *b, const char *text) {
  if (!text) return;
  hf(b, "<p class=\"govuk-body\">");
  const char *s = text;
  while (*s) {
    const char *nl = strchr(s, '\n');
    size_t n = nl ? (size_t)(nl - s) : strlen(s);
    char *line = xstrndup(s, n);
    hf(b, "%s", line);
    free(line);
    if (!nl) break;
    hf(b, "<br>");
    s = nl + 1;
  }
  hf(b, "</p>");
}

/* The long UK form of the ISO instant member K of O, or NULL. */
static const char *when(json_t *o, const char *k, char *out, size_t cap) {
  return js(o, k) ? web_time_long(js(o, k), out, cap) : NULL;
}

/* GOV.UK radios for CODES (see web_radios), in this file's argument order. */
static void radios(struct buf *b, const char *name, const char *legend, const struct code *codes, const char *value,
                   const char *hint_text, struct field_errors *errs, bool inline_items) {
  web_radios(b, name, legend, hint_text, codes, NULL, value, errs, inline_items);
}

/*
** Reads "H:MM", "HH:MM", "H.MM" or "HH.MM" on the 24-hour clock, spaces
** around it ignored, into minutes after midnight.  The minutes are always
** two digits: "10:5" is refused rather than read as 10:05.  False when TEXT
** is anything else or not a real time.
*/
static bool parse_clock(const char *text, int *minutes) {
  const char *s = text, *e = text + strlen(text);
  while (*s == ' ' || *s == '\t') s++;
  while (e > s && (e[-1] == ' ' || e[-1] == '\t')) e--;
  size_t n = (size_t)(e - s);
  size_t hours = n == 4 ? 1 : n == 5 ? 2 : 0; /* digits before the separator */
  if (!hours || (s[hours] != ':' && s[hours] != '.')) return false;
  for (size_t i = 0; i < n; i++) {
    if (i != hours && (s[i] < '0' || s[i] > '9')) return false;
  }
  int h = hours == 1 ? s[0] - '0' : (s[0] - '0') * 10 + (s[1] - '0');
  int m = (s[hours + 1] - '0') * 10 + (s[hours + 2] - '0');
  if (h > 23 || m > 59) return false;
  *minutes = h * 60 + m;
  return true;
}

/*
** A date and a time in UK time: the GOV.UK date input NAME (boxes NAME-day,
** -month, -year) and a 24-hour time box NAME-time.
*/
static void datetime_input(struct req *r, struct buf *b, const char *name, const char *legend, const char *hint_text,
                           struct field_errors *errs) {
  web_date_input(r, b, name, legend, NULL, hint_text, errs);
  char key[96], label[200];
  snprintf(key, sizeof key, "%s-time", name);
  snprintf(label, sizeof label, "Time (%s)", legend);
  web_text_input(b, key, label, r->form ? form_str(r, key) : NULL, "Use the 24-hour clock, for example 14:30", errs,
                 "off", "govuk-input--width-5");
}

/*
** Reads the date and time posted as NAME (see datetime_input) as UK time:
** the ISO 8601 UTC instant as a JSON string (new reference), JSON null when
** every box is blank, or NULL after recording why under NAME or NAME-time.
** WHAT names the moment in messages ("the child went missing").
*/
static json_t *form_instant(struct req *r, const char *name, const char *what, struct field_errors *errs) {
  char label[200], key[96];
  snprintf(label, sizeof label, "The date %s", what);
  snprintf(key, sizeof key, "%s-time", name);
  json_t *d = form_date(r, name, errs, label);
  const char *t = form_str(r, key);
  bool blank_time = !t || text_is_blank(t);
  if (!d) return NULL;
  if (json_is_null(d)) {
    if (blank_time) return d;
    ferr_add(errs, name, "Enter the date %s", what);
    json_decref(d);
    return NULL;
  }
  int minutes;
  if (blank_time) {
    ferr_add(errs, key, "Enter the time %s, for example 14:30", what);
    json_decref(d);
    return NULL;
  }
  if (!parse_clock(t, &minutes)) {
    ferr_add(errs, key, "The time %s must be a real time on the 24-hour clock, with two digits for the minutes, for example 14:05",
             what);
    json_decref(d);
    return NULL;
  }
  int64_t day = 0;
  date_parse(json_string_value(d), &day);
  json_decref(d);
  char iso[ISO_TIME_LEN];
  time_format_iso(london_local_to_utc(day * 86400 + (int64_t)minutes * 60), iso);
  return json_string(iso);
}

/* Sets KEY of O to the posted field NAME trimmed, unless it is blank or absent. */
static void put_text(struct req *r, json_t *o, const char *key, const char *name) {
  const char *v = form_str(r, name);
  if (!v || text_is_blank(v)) return;
  char *t = text_trim_dup(v);
  json_object_set_new(o, key, json_string(t));
  free(t);
}

/* The posted yes/no field NAME as JSON true/false (new reference), or NULL when unanswered. */
static json_t *form_yes_no(struct req *r, const char *name) {
  const char *v = form_str(r, name);
  if (v && !strcmp(v, "yes")) return json_true();
  if (v && !strcmp(v, "no")) return json_false();
  return NULL;
}

/* Loads child ID for a page; answers the refusal itself (true) when it cannot. */
static bool load_child(struct req *r, const char *id, json_t **child) {
  return failed(r, svc_child_get(r, id, child), "The child's record");
}

/* Shows FORM, empty, for the child named by the path: the GET of every "new" page about a child. */
static void child_form_page(struct req *r, void (*form)(struct req *, json_t *, struct field_errors *, int)) {
  json_t *child = NULL;
  if (load_child(r, req_param(r, 0), &child)) return;
  form(r, child, NULL, 200);
  json_decref(child);
}

/* A select of PEOPLE (username posted, "Name (role, agency)" shown) keeping only roles in ROLES. */
static void people_select(struct buf *b, const char *name, const char *label, json_t *people, roleset roles,
                          const char *value, const char *hint_text, struct field_errors *errs, const char *blank) {
  size_t n = json_array_size(people), k = 0;
  struct code *codes = xcalloc(n + 1, sizeof *codes);
  char **labels = xcalloc(n + 1, sizeof *labels);
  size_t i;
  json_t *p;
  json_array_foreach(people, i, p) {
    enum role role;
    if (!role_parse(js(p, "role"), &role) || !role_in(role, roles)) continue;
    labels[k] = xasprintf("%s (%s, %s)", js(p, "name"), web_role_label(role), js(json_object_get(p, "agency"), "code"));
    codes[k].code = js(p, "username");
    codes[k].label = labels[k];
    k++;
  }
  web_select(b, name, label, codes, value, hint_text, errs, blank);
  for (size_t j = 0; j < k; j++) free(labels[j]);
  free(labels);
  free(codes);
}

/*
** Renames the service's error keys for list items ("attendees[2].name") to
** the form's controls ("attendees-R-name", R the form row that item came
** from, per ROWS) so that the error summary links to the right box.  An
** error about a whole item ("attendees[2]") becomes "attendees-R", which
** the form links to the row's first box; one about an item the form has no
** row for goes on the list as a whole.
*/
static void remap_list_errors(struct field_errors *errs, const char *list, const int *rows, int nrows) {
  json_t *renamed = json_object();
  const char *k;
  json_t *v;
  size_t ll = strlen(list);
  json_object_foreach(errs->fields, k, v) {
    int idx = -1;
    char rest[64] = "";
    if (strncmp(k, list, ll) != 0 || k[ll] != '[') {
      json_object_set(renamed, k, v);
    } else if (sscanf(k + ll, "[%d]%63s", &idx, rest) >= 1 && idx >= 0 && idx < nrows) {
      char key[160];
      snprintf(key, sizeof key, "%s-%d%s%s", list, rows[idx], rest[0] == '.' ? "-" : "", rest[0] == '.' ? rest + 1 : "");
      json_object_set(renamed, key, v);
    } else if (!json_object_get(errs->fields, list) && !json_object_get(renamed, list)) {
      json_object_set(renamed, list, v);
    }
  }
  json_decref(errs->fields);
  errs->fields = renamed;
}

/* ---- missing episodes ---- */

static const struct error_link MISSING_LINKS[] = {
    {"went_missing_at", "went_missing_at-day"}, {"went_missing_at-time", NULL}, {"reported_to_police", NULL},
    {"returned_at", "returned_at-day"},         {"returned_at-time", NULL},     {"where_found", NULL},
    {"with_whom", NULL},                        {NULL, NULL},
};

static const struct field_label MISSING_LABELS[] = {
    {"went_missing_at", "When the child went missing", "Enter the date the child went missing"},
    {"reported_to_police", "Reported to the police", "Select yes if the child was reported missing to the police"},
    {"returned_at", "When the child returned", "Enter the date the child returned"},
    {"where_found", "Where the child was found", NULL},
    {"with_whom", "Who the child was with", NULL},
    {NULL, NULL, NULL},
};

/* What a user of this role may do on the missing episodes page. */
static bool may_record_missing(struct req *r) { return role_in(r->who.role, WEB_MISSING_RECORDERS); }
static bool may_interview(struct req *r) { return role_in(r->who.role, WEB_CARERS); }

/* One episode as a GOV.UK summary card, with links to record the return or the interview. */
static void episode_card(struct req *r, struct buf *b, json_t *e) {
  char t1[64], t2[64], title[128];
  json_t *iv = json_object_get(e, "return_interview");
  const char *status = js(iv, "status");
  snprintf(title, sizeof title, "Missing from %s", when(e, "went_missing_at", t1, sizeof t1));
  hf(b, "<div class=\"govuk-summary-card\" id=\"episode-%s\" data-testid=\"episode\"><div class=\"govuk-summary-card__title-wrapper\">"
        "<h2 class=\"govuk-summary-card__title\">%s</h2>",
     js(e, "id"), title);
  bool can_return = !js(e, "returned_at") && may_record_missing(r);
  bool can_interview = status && (!strcmp(status, "due") || !strcmp(status, "overdue")) && may_interview(r);
  if (can_return || can_interview) {
    hf(b, "<ul class=\"govuk-summary-card__actions\">");
    if (can_return) {
      hf(b, "<li class=\"govuk-summary-card__action\"><a class=\"govuk-link\" href=\"/missing-episodes/%u/return\">Record the "
            "return<span class=\"govuk-visually-hidden\"> (%s)</span></a></li>",
         js(e, "id"), title);
    }
    if (can_interview) {
      hf(b, "<li class=\"govuk-summary-card__action\"><a class=\"govuk-link\" href=\"/missing-episodes/%u/return-interview\">"
            "Record the return-home interview<span class=\"govuk-visually-hidden\"> (%s)</span></a></li>",
         js(e, "id"), title);
    }
    hf(b, "</ul>");
  }
  hf(b, "</div><div class=\"govuk-summary-card__content\"><dl class=\"govuk-summary-list\">");
  web_summary_row(b, "Went missing", when(e, "went_missing_at", t1, sizeof t1));
  web_summary_row(b, "Returned", js(e, "returned_at") ? when(e, "returned_at", t2, sizeof t2) : "Not yet returned");
  web_summary_row(b, "Reported to the police", json_is_true(json_object_get(e, "reported_to_police")) ? "Yes" : "No");
  web_summary_row(b, "Where found", js(e, "where_found"));
  web_summary_row(b, "With whom", js(e, "with_whom"));
  struct buf v = BUF_INIT;
  const char *label = code_label(INTERVIEW_STATES, status);
  const char *colour = !status                        ? NULL
                       : !strcmp(status, "overdue")    ? "red"
                       : !strcmp(status, "due")        ? "yellow"
                       : !strcmp(status, "completed")  ? "green"
                       : !strcmp(status, "declined")   ? "grey"
                                                       : "blue";
  web_tag(&v, label ? label : "", colour);
  if (status && (!strcmp(status, "due") || !strcmp(status, "overdue"))) {
    hf(&v, " Due by %s", when(iv, "due_at", t1, sizeof t1));
  } else if (status && (!strcmp(status, "completed") || !strcmp(status, "declined"))) {
    hf(&v, " %s", when(iv, "conducted_at", t1, sizeof t1));
  }
  web_summary_row_html(b, "Return-home interview", &v);
  buf_free(&v);
  if (status && !strcmp(status, "completed")) {
    struct buf words = BUF_INIT;
    paragraphs(&words, js(iv, "childs_account"));
    web_summary_row_html(b, "In the child's words", &words);
    buf_free(&words);
    web_summary_row(b, "Interviewed by", js(iv, "conducted_by"));
    web_summary_row(b, "Independent of the placement", json_is_true(json_object_get(iv, "independent")) ? "Yes" : "No");
  } else if (status && !strcmp(status, "declined")) {
    web_summary_row(b, "Why the child declined", js(iv, "reason"));
    web_summary_row(b, "Offered by", js(iv, "conducted_by"));
  }
  char by[200];
  snprintf(by, sizeof by, "%s%s%s", js(e, "recorded_by") ? js(e, "recorded_by") : "",
           js(json_object_get(e, "agency"), "name") ? ", " : "", js(json_object_get(e, "agency"), "name") ? js(json_object_get(e, "agency"), "name") : "");
  web_summary_row(b, "Recorded by", by);
  hf(b, "</dl></div></div>");
}

/* GET /children/{id}/missing-episodes */
void web_missing_page(struct req *r) {
  const char *id = req_param(r, 0);
  json_t *child = NULL, *data = NULL;
  if (load_child(r, id, &child)) return;
  if (failed(r, svc_missing_list(r, id, &data), "The missing episodes")) {
    json_decref(child);
    return;
  }
  struct page p;
  page_init(&p, "Missing episodes", "children");
  const char *done = req_query(r, "done");
  if (done) {
    p.notice = !strcmp(done, "returned")    ? "The return has been recorded"
               : !strcmp(done, "interview") ? "The return-home interview has been recorded"
                                            : "The missing episode has been recorded";
  }
  child_frame(r, &p, child, "missing", "Missing episodes");
  struct buf *b = &p.body;
  json_t *flag = json_object_get(data, "flag");
  if (json_is_true(json_object_get(flag, "flagged"))) {
    hf(b, "<div class=\"govuk-warning-text\" data-testid=\"missing-flag\"><span class=\"govuk-warning-text__icon\" "
          "aria-hidden=\"true\">!</span><strong class=\"govuk-warning-text__text\"><span class=\"govuk-visually-hidden\">"
          "Warning</span>Repeatedly missing: %lld episodes in the last %lld days. A review of the child's risk "
          "assessment has been requested.</strong></div>",
       (long long)json_integer_value(json_object_get(flag, "episodes_in_period")),
       (long long)json_integer_value(json_object_get(flag, "period_days")));
  }
  if (may_record_missing(r)) {
    char href[160];
    snprintf(href, sizeof href, "/children/%s/missing-episodes/new", id);
    web_button_link(b, href, "Record a missing episode", false);
  }
  json_t *eps = json_object_get(data, "episodes");
  if (json_array_size(eps) == 0) hf(b, "<p class=\"govuk-body\">No missing episode is recorded for this child.</p>");
  size_t i;
  json_t *e;
  json_array_foreach(eps, i, e) episode_card(r, b, e);
  json_decref(data);
  json_decref(child);
  page_send(r, &p, 200);
}

/* The form to record an episode, with ERRS shown. */
static void missing_form(struct req *r, json_t *child, struct field_errors *errs, int status) {
  struct page p;
  page_init(&p, "Record a missing episode", "children");
  p.errors = errs;
  p.error_links = MISSING_LINKS;
  char back[160];
  snprintf(back, sizeof back, "/children/%s/missing-episodes", js(child, "id"));
  p.back = back;
  child_frame(r, &p, child, NULL, "Record a missing episode");
  struct buf *b = &p.body;
  hf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\"><form method=\"post\" action=\"/children/%u/missing-episodes/new\" novalidate>",
     js(child, "id"));
  web_csrf_field(r, b);
  datetime_input(r, b, "went_missing_at", "When did the child go missing?", "For example, 20 11 2026, in UK time", errs);
  radios(b, "reported_to_police", "Was the child reported missing to the police?", YES_NO, form_str(r, "reported_to_police"), NULL,
         errs, true);
  hf(b, "<h2 class=\"govuk-heading-m\">The return</h2><p class=\"govuk-body\">Leave this blank if the child has not come back "
        "yet. You can add the return later.</p>");
  datetime_input(r, b, "returned_at", "When did the child return? (optional)", "For example, 21 11 2026, in UK time", errs);
  web_text_input(b, "where_found", "Where was the child found? (optional)", form_str(r, "where_found"), NULL, errs, "off", NULL);
  web_text_input(b, "with_whom", "Who was the child with? (optional)", form_str(r, "with_whom"),
                 "Names or descriptions of anyone the child was with", errs, "off", NULL);
  web_button(b, "Save the missing episode");
  hf(b, "</form></div></div>");
  page_send(r, &p, status);
}

/* GET /children/{id}/missing-episodes/new */
void web_missing_new_form(struct req *r) { child_form_page(r, missing_form); }

/* POST /children/{id}/missing-episodes/new */
void web_missing_new(struct req *r) {
  const char *id = req_param(r, 0);
  json_t *child = NULL;
  if (load_child(r, id, &child)) return;
  struct field_errors errs;
  ferr_init(&errs);
  json_t *in = json_object();
  json_t *went = form_instant(r, "went_missing_at", "the child went missing", &errs);
  if (went && json_is_null(went)) ferr_add(&errs, "went_missing_at", "Enter the date the child went missing");
  if (went && json_is_string(went)) json_object_set(in, "went_missing_at", went);
  json_decref(went);
  json_t *ret = form_instant(r, "returned_at", "the child returned", &errs);
  if (ret && json_is_string(ret)) json_object_set(in, "returned_at", ret);
  json_decref(ret);
  json_t *police = form_yes_no(r, "reported_to_police");
  if (police) json_object_set_new(in, "reported_to_police", police);
  else ferr_add(&errs, "reported_to_police", "Select yes if the child was reported missing to the police");
  put_text(r, in, "where_found", "where_found");
  put_text(r, in, "with_whom", "with_whom");
  json_t *out = NULL;
  int rc = ferr_any(&errs) ? SVC_INVALID : svc_missing_create(r, id, in, &errs, &out);
  if (rc == SVC_OK) {
    char loc[200];
    snprintf(loc, sizeof loc, "/children/%s/missing-episodes?done=recorded", id);
    resp_redirect(r, loc);
  } else if (rc == SVC_INVALID) {
    web_humanise(&errs, MISSING_LABELS);
    missing_form(r, child, &errs, 422);
  } else {
    failed(r, rc, "The missing episode");
  }
  json_decref(out);
  json_decref(in);
  json_decref(child);
  ferr_free(&errs);
}

/* Loads episode ID and its child for a page; answers the refusal itself (true) when it cannot. */
static bool load_episode(struct req *r, const char *id, json_t **ep, json_t **child) {
  if (failed(r, svc_missing_get(r, id, ep), "The missing episode")) return true;
  if (load_child(r, js(*ep, "child_id"), child)) {
    json_decref(*ep);
    return true;
  }
  return false;
}

/* The form to record a return, with ERRS shown. */
static void return_form(struct req *r, json_t *ep, json_t *child, struct field_errors *errs, int status) {
  struct page p;
  page_init(&p, "Record the return", "children");
  p.errors = errs;
  p.error_links = MISSING_LINKS;
  char back[160], t[64];
  snprintf(back, sizeof back, "/children/%s/missing-episodes", js(child, "id"));
  p.back = back;
  child_frame(r, &p, child, NULL, "Record the return");
  struct buf *b = &p.body;
  hf(b, "<p class=\"govuk-body\">The child went missing %s.</p>", when(ep, "went_missing_at", t, sizeof t));
  hf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\"><form method=\"post\" action=\"/missing-episodes/%u/return\" novalidate>",
     js(ep, "id"));
  web_csrf_field(r, b);
  datetime_input(r, b, "returned_at", "When did the child return?", "For example, 21 11 2026, in UK time", errs);
  web_text_input(b, "where_found", "Where was the child found? (optional)",
                 r->form ? form_str(r, "where_found") : js(ep, "where_found"), NULL, errs, "off", NULL);
  web_text_input(b, "with_whom", "Who was the child with? (optional)", r->form ? form_str(r, "with_whom") : js(ep, "with_whom"),
                 "Names or descriptions of anyone the child was with", errs, "off", NULL);
  web_button(b, "Save the return");
  hf(b, "</form></div></div>");
  page_send(r, &p, status);
}

/* GET /missing-episodes/{id}/return */
void web_missing_return_form(struct req *r) {
  json_t *ep = NULL, *child = NULL;
  if (load_episode(r, req_param(r, 0), &ep, &child)) return;
  return_form(r, ep, child, NULL, 200);
  json_decref(ep);
  json_decref(child);
}

/* POST /missing-episodes/{id}/return */
void web_missing_return(struct req *r) {
  json_t *ep = NULL, *child = NULL;
  if (load_episode(r, req_param(r, 0), &ep, &child)) return;
  struct field_errors errs;
  ferr_init(&errs);
  json_t *in = json_object();
  json_t *ret = form_instant(r, "returned_at", "the child returned", &errs);
  if (ret && json_is_null(ret)) ferr_add(&errs, "returned_at", "Enter the date the child returned");
  if (ret && json_is_string(ret)) json_object_set(in, "returned_at", ret);
  json_decref(ret);
  put_text(r, in, "where_found", "where_found");
  put_text(r, in, "with_whom", "with_whom");
  json_t *out = NULL;
  int rc = ferr_any(&errs) ? SVC_INVALID : svc_missing_update(r, js(ep, "id"), in, &errs, &out);
  if (rc == SVC_OK) {
    char loc[200];
    snprintf(loc, sizeof loc, "/children/%s/missing-episodes?done=returned", js(child, "id"));
    resp_redirect(r, loc);
  } else if (rc == SVC_INVALID) {
    web_humanise(&errs, MISSING_LABELS);
    return_form(r, ep, child, &errs, 422);
  } else {
    failed(r, rc, "The return");
  }
  json_decref(out);
  json_decref(in);
  json_decref(ep);
  json_decref(child);
  ferr_free(&errs);
}

static const struct error_link INTERVIEW_LINKS[] = {
    {"took_part", NULL},      {"conducted_at", "conducted_at-day"}, {"conducted_at-time", NULL},
    {"conducted_by", NULL},   {"independent", NULL},                {"childs_account", NULL},
    {"reason", NULL},         {NULL, NULL},
};

static const struct field_label INTERVIEW_LABELS[] = {
    {"conducted_at", "When the interview took place", NULL},
    {"conducted_by", "Who conducted the interview", "Enter who conducted the interview"},
    {"independent", "Independent of the placement", "Select yes if the interviewer was independent of the placement"},
    {"childs_account", "The child's account", "Enter the child's account, in their own words"},
    {"reason", "Why the child declined", "Enter why the child declined the interview"},
    {NULL, NULL, NULL},
};

static const struct code TOOK_PART[] = {
    {"yes", "Yes, the interview took place"},
    {"no", "No, the child declined it"},
    {NULL, NULL},
};

/* The return-home interview form, with ERRS shown. */
static void interview_form(struct req *r, json_t *ep, json_t *child, struct field_errors *errs, int status) {
  struct page p;
  page_init(&p, "Record the return-home interview", "children");
  p.errors = errs;
  p.error_links = INTERVIEW_LINKS;
  char back[160], t1[64], t2[64], t3[64];
  snprintf(back, sizeof back, "/children/%s/missing-episodes", js(child, "id"));
  p.back = back;
  child_frame(r, &p, child, NULL, "Record the return-home interview");
  struct buf *b = &p.body;
  json_t *iv = json_object_get(ep, "return_interview");
  hf(b, "<p class=\"govuk-body\">The child went missing %s and returned %s. The interview is due by %s.</p>",
     when(ep, "went_missing_at", t1, sizeof t1), when(ep, "returned_at", t2, sizeof t2), when(iv, "due_at", t3, sizeof t3));
  hf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\"><form method=\"post\" "
        "action=\"/missing-episodes/%u/return-interview\" novalidate>",
     js(ep, "id"));
  web_csrf_field(r, b);
  radios(b, "took_part", "Did the child take part in the interview?", TOOK_PART, form_str(r, "took_part"), NULL, errs, false);
  datetime_input(r, b, "conducted_at", "When did the interview take place, or when was it offered? (optional)",
                 "Leave blank for now. For example, 22 11 2026, in UK time", errs);
  web_text_input(b, "conducted_by", "Who conducted the interview, or offered it?", form_str(r, "conducted_by"),
                 "Their name and organisation", errs, "off", NULL);
  hf(b, "<h2 class=\"govuk-heading-m\">If the interview took place</h2>");
  radios(b, "independent", "Was the interviewer independent of the child's placement?", YES_NO, form_str(r, "independent"),
         NULL, errs, true);
  web_textarea(b, "childs_account", "The child's account, in their own words", form_str(r, "childs_account"),
               "Write down what the child said, as they said it", errs);
  hf(b, "<h2 class=\"govuk-heading-m\">If the child declined</h2>");
  web_textarea(b, "reason", "Why did the child decline?", form_str(r, "reason"), NULL, errs);
  web_button(b, "Save the interview");
  hf(b, "</form></div></div>");
  page_send(r, &p, status);
}

/* GET /missing-episodes/{id}/return-interview */
void web_interview_form(struct req *r) {
  json_t *ep = NULL, *child = NULL;
  if (load_episode(r, req_param(r, 0), &ep, &child)) return;
  const char *status = js(json_object_get(ep, "return_interview"), "status");
  if (status && !strcmp(status, "awaiting_return")) {
    web_error_page(r, 409, "The child has not returned yet. Record the return first; the interview falls due then.");
  } else if (status && (!strcmp(status, "completed") || !strcmp(status, "declined"))) {
    web_error_page(r, 409, "The return-home interview for this episode is already recorded.");
  } else {
    interview_form(r, ep, child, NULL, 200);
  }
  json_decref(ep);
  json_decref(child);
}

/* POST /missing-episodes/{id}/return-interview */
void web_interview(struct req *r) {
  json_t *ep = NULL, *child = NULL;
  if (load_episode(r, req_param(r, 0), &ep, &child)) return;
  struct field_errors errs;
  ferr_init(&errs);
  json_t *in = json_object();
  const char *took = form_str(r, "took_part");
  json_t *at = form_instant(r, "conducted_at", "the interview took place", &errs);
  if (at && json_is_string(at)) json_object_set(in, "conducted_at", at);
  json_decref(at);
  put_text(r, in, "conducted_by", "conducted_by");
  if (took && !strcmp(took, "no")) {
    json_object_set_new(in, "declined", json_true());
    put_text(r, in, "reason", "reason");
    if (form_str(r, "childs_account") && !text_is_blank(form_str(r, "childs_account")))
      ferr_add(&errs, "childs_account", "Leave the child's account blank when the child declined the interview");
  } else if (took && !strcmp(took, "yes")) {
    json_t *ind = form_yes_no(r, "independent");
    if (ind) json_object_set_new(in, "independent", ind);
    put_text(r, in, "childs_account", "childs_account");
    if (form_str(r, "reason") && !text_is_blank(form_str(r, "reason")))
      ferr_add(&errs, "reason", "Leave the reason blank when the interview took place");
  } else {
    ferr_add(&errs, "took_part", "Select whether the child took part in the interview");
  }
  json_t *out = NULL;
  int rc = ferr_any(&errs) ? SVC_INVALID : svc_return_interview(r, js(ep, "id"), in, &errs, &out);
  if (rc == SVC_OK) {
    char loc[200];
    snprintf(loc, sizeof loc, "/children/%s/missing-episodes?done=interview", js(child, "id"));
    resp_redirect(r, loc);
  } else if (rc == SVC_INVALID) {
    web_humanise(&errs, INTERVIEW_LABELS);
    interview_form(r, ep, child, &errs, 422);
  } else {
    failed(r, rc, "The return-home interview");
  }
  json_decref(out);
  json_decref(in);
  json_decref(ep);
  json_decref(child);
  ferr_free(&errs);
}

/* ---- notes and allocation ---- */

static const struct error_link NOTES_LINKS[] = {{"worker", NULL}, {"team", NULL}, {NULL, NULL}};

static const struct field_label ALLOCATION_LABELS[] = {
    {"worker", "Lead worker", "Select the lead worker"},
    {"team", "Team", "Enter the team"},
    {NULL, NULL, NULL},
};

/* The indicator codes of LIST as GOV.UK tags with the risk tool's labels. */
static void indicator_tags(struct req *r, struct buf *b, json_t *list) {
  size_t i;
  json_t *c;
  json_array_foreach(list, i, c) {
    const struct risk_indicator *ind = risk_tool_indicator(&r->app->risk_tool, json_string_value(c));
    char text[300];
    snprintf(text, sizeof text, "%s%s%s", json_string_value(c), ind ? ": " : "", ind ? ind->label : "");
    if (i) hf(b, " ");
    web_tag(b, text, "blue");
  }
}

/* One case note: when, by whom, the child's words first, then the note and its indicators. */
static void note_block(struct req *r, struct buf *b, json_t *n) {
  char t[64];
  hf(b, "<div class=\"govuk-!-margin-bottom-6\" data-testid=\"note\"><h3 class=\"govuk-heading-s\">%s &middot; %s%s%s</h3>",
     when(n, "at", t, sizeof t), js(n, "author_name") ? js(n, "author_name") : "", js(json_object_get(n, "agency"), "name") ? ", " : "",
     js(json_object_get(n, "agency"), "name") ? js(json_object_get(n, "agency"), "name") : "");
  if (js(n, "childs_words")) {
    hf(b, "<div class=\"govuk-inset-text\"><p class=\"govuk-body govuk-!-font-weight-bold\">In the child's words</p>");
    paragraphs(b, js(n, "childs_words"));
    hf(b, "</div>");
  }
  paragraphs(b, js(n, "text"));
  if (json_array_size(json_object_get(n, "indicators"))) {
    hf(b, "<p class=\"govuk-body\">Risk indicators: ");
    indicator_tags(r, b, json_object_get(n, "indicators"));
    hf(b, "</p>");
  }
  hf(b, "</div>");
}

/* The "Notes and allocation" tab, with the allocation form's ERRS (may be NULL). */
static void notes_page(struct req *r, const char *id, struct field_errors *errs, int status) {
  json_t *child = NULL, *alloc = NULL, *notes = NULL, *people = NULL;
  bool manager = role_in(r->who.role, WEB_MANAGERS);
  if (load_child(r, id, &child)) return;
  int rc = svc_allocation_get(r, id, &alloc);
  if (rc == SVC_OK) rc = svc_note_list(r, id, &notes);
  if (rc == SVC_OK && manager) rc = svc_casework_people(r, &people);
  if (failed(r, rc, "The notes")) {
    json_decref(child);
    json_decref(alloc);
    json_decref(notes);
    return;
  }
  struct page p;
  page_init(&p, "Notes and allocation", "children");
  p.errors = errs;
  p.error_links = NOTES_LINKS;
  const char *done = req_query(r, "done");
  if (done) {
    p.notice = !strcmp(done, "allocated") ? "The lead worker has been allocated"
               : !strcmp(done, "ended")   ? "The allocation has ended"
                                          : "The case note has been added";
  }
  child_frame(r, &p, child, "notes", "Notes and allocation");
  struct buf *b = &p.body;
  char t[64];
  json_t *cur = json_object_get(alloc, "current");
  hf(b, "<h2 class=\"govuk-heading-m\">Lead worker</h2><dl class=\"govuk-summary-list\" data-testid=\"allocation\">");
  if (json_is_object(cur)) {
    json_t *w = json_object_get(cur, "worker");
    enum role role = ROLE_SOCIAL_WORKER;
    role_parse(js(w, "role"), &role);
    char who[300];
    snprintf(who, sizeof who, "%s (%s, %s)", js(w, "name"), web_role_label(role), js(json_object_get(w, "agency"), "name") ? js(json_object_get(w, "agency"), "name") : "");
    web_summary_row(b, "Lead worker", who);
    web_summary_row(b, "Team", js(cur, "team"));
    web_summary_row(b, "Allocated", when(cur, "allocated_at", t, sizeof t));
  } else {
    web_summary_row(b, "Lead worker", "Not allocated: the child's deadlines go to the MASH queue");
  }
  hf(b, "</dl>");
  if (manager) {
    hf(b, "<form method=\"post\" action=\"/children/%u/allocation\" novalidate>", id);
    web_csrf_field(r, b);
    const char *worker = r->form ? form_str(r, "worker") : NULL;
    people_select(b, "worker", json_is_object(cur) ? "Allocate to another lead worker" : "Allocate a lead worker", people,
                  WEB_LEADS, worker, NULL, errs, "Select a worker");
    web_text_input(b, "team", "Team", r->form ? form_str(r, "team") : js(cur, "team"), "For example, Holmford CSE Team", errs,
                   "off", "govuk-!-width-one-half");
    web_button(b, "Allocate");
    hf(b, "</form>");
    if (json_is_object(cur)) {
      hf(b, "<form method=\"post\" action=\"/children/%u/allocation/end\">", id);
      web_csrf_field(r, b);
      hf(b, "<button type=\"submit\" class=\"govuk-button govuk-button--secondary\" data-module=\"govuk-button\">End this "
            "allocation</button></form>");
    }
  }
  json_t *hist = json_object_get(alloc, "history");
  if (json_array_size(hist) > (json_is_object(cur) ? 1u : 0u)) {
    hf(b, "<details class=\"govuk-details\"><summary class=\"govuk-details__summary\"><span class=\"govuk-details__summary-text\">"
          "Earlier allocations</span></summary><div class=\"govuk-details__text\"><table class=\"govuk-table\">"
          "<caption class=\"govuk-table__caption govuk-table__caption--s\">Earlier allocations, newest first</caption>"
          "<thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\"><th scope=\"col\" class=\"govuk-table__header\">Worker</th>"
          "<th scope=\"col\" class=\"govuk-table__header\">Team</th><th scope=\"col\" class=\"govuk-table__header\">From</th>"
          "<th scope=\"col\" class=\"govuk-table__header\">To</th></tr></thead><tbody class=\"govuk-table__body\">");
    size_t i;
    json_t *a;
    json_array_foreach(hist, i, a) {
      if (json_is_null(json_object_get(a, "ended_at"))) continue;
      char t2[64];
      hf(b, "<tr class=\"govuk-table__row\"><td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">%s</td>"
            "<td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">%s</td></tr>",
         js(json_object_get(a, "worker"), "name"), js(a, "team") ? js(a, "team") : "", when(a, "allocated_at", t, sizeof t),
         when(a, "ended_at", t2, sizeof t2));
    }
    hf(b, "</tbody></table></div></details>");
  }
  hf(b, "<h2 class=\"govuk-heading-m\">Case notes</h2>");
  if (role_in(r->who.role, WEB_NOTE_WRITERS)) {
    char href[160];
    snprintf(href, sizeof href, "/children/%s/notes/new", id);
    web_button_link(b, href, "Add a case note", false);
  }
  json_t *list = json_object_get(notes, "notes");
  if (json_array_size(list) == 0) hf(b, "<p class=\"govuk-body\">No case note has been written yet.</p>");
  size_t i;
  json_t *n;
  json_array_foreach(list, i, n) note_block(r, b, n);
  json_decref(people);
  json_decref(notes);
  json_decref(alloc);
  json_decref(child);
  page_send(r, &p, status);
}

/* GET /children/{id}/notes */
void web_notes_page(struct req *r) { notes_page(r, req_param(r, 0), NULL, 200); }

/* POST /children/{id}/allocation */
void web_allocate(struct req *r) {
  const char *id = req_param(r, 0);
  struct field_errors errs;
  ferr_init(&errs);
  json_t *in = json_object();
  put_text(r, in, "worker", "worker");
  put_text(r, in, "team", "team");
  json_t *out = NULL;
  bool created = false;
  int rc = svc_allocate(r, id, in, &errs, &out, &created);
  if (rc == SVC_OK) {
    char loc[200];
    snprintf(loc, sizeof loc, "/children/%s/notes?done=allocated", id);
    resp_redirect(r, loc);
  } else if (rc == SVC_INVALID) {
    web_humanise(&errs, ALLOCATION_LABELS);
    notes_page(r, id, &errs, 422);
  } else {
    failed(r, rc, "The allocation");
  }
  json_decref(out);
  json_decref(in);
  ferr_free(&errs);
}

/* POST /children/{id}/allocation/end */
void web_allocation_end(struct req *r) {
  const char *id = req_param(r, 0);
  int rc = svc_allocation_end(r, id);
  if (rc == SVC_OK) {
    char loc[200];
    snprintf(loc, sizeof loc, "/children/%s/notes?done=ended", id);
    resp_redirect(r, loc);
  } else if (rc == SVC_NOT_FOUND) {
    web_error_page(r, 404, "This child has no current allocation, or the record is not open to you.");
  } else {
    failed(r, rc, "The allocation");
  }
}

static const struct error_link NOTE_LINKS[] = {
    {"text", NULL}, {"childs_words", NULL}, {"at", "at-day"}, {"at-time", NULL}, {"indicators", NULL}, {NULL, NULL},
};

static const struct field_label NOTE_LABELS[] = {
    {"text", "The note", "Enter the note"},
    {"childs_words", "The child's words", NULL},
    {"at", "When it happened", NULL},
    {"indicators", "Risk indicators", NULL},
    {NULL, NULL, NULL},
};

/* True when the posted checkbox group NAME includes VALUE. */
static bool posted_has(struct req *r, const char *name, const char *value) {
  json_t *v = json_object_get(r->form, name);
  if (json_is_string(v)) return !strcmp(json_string_value(v), value);
  size_t i;
  json_t *x;
  json_array_foreach(v, i, x) {
    if (json_is_string(x) && !strcmp(json_string_value(x), value)) return true;
  }
  return false;
}

/* The risk tool's indicators as GOV.UK checkboxes, one fieldset per group; the first box's id is "indicators". */
static void indicator_checkboxes(struct req *r, struct buf *b, struct field_errors *errs) {
  const struct risk_tool *t = &r->app->risk_tool;
  const char *why = errs ? ferr_get(errs, "indicators") : NULL;
  json_t *groups = json_object_get(t->doc, "groups");
  bool first = true;
  size_t g;
  json_t *grp;
  json_array_foreach(groups, g, grp) {
    const char *gcode = js(grp, "code");
    hf(b, "<div class=\"govuk-form-group%r\"><fieldset class=\"govuk-fieldset\"%r><legend class=\"govuk-fieldset__legend "
          "govuk-fieldset__legend--s\">%s</legend>",
       why && first ? " govuk-form-group--error" : "", why && first ? " aria-describedby=\"indicators-error\"" : "",
       js(grp, "label"));
    if (why && first) {
      hf(b, "<p id=\"indicators-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">Error:</span> %s</p>", why);
    }
    hf(b, "<div class=\"govuk-checkboxes govuk-checkboxes--small\" data-module=\"govuk-checkboxes\">");
    for (int i = 0; i < t->nindicators; i++) {
      const struct risk_indicator *ind = &t->indicators[i];
      if (!ind->group || !gcode || strcmp(ind->group, gcode) != 0) continue;
      char id[64];
      if (first) snprintf(id, sizeof id, "indicators");
      else snprintf(id, sizeof id, "indicators-%s", ind->code);
      first = false;
      hf(b, "<div class=\"govuk-checkboxes__item\"><input class=\"govuk-checkboxes__input\" id=\"%s\" name=\"indicators\" "
            "type=\"checkbox\" value=\"%s\"%r><label class=\"govuk-label govuk-checkboxes__label\" for=\"%s\">%s</label></div>",
         id, ind->code, r->form && posted_has(r, "indicators", ind->code) ? " checked" : "", id, ind->label);
    }
    hf(b, "</div></fieldset></div>");
  }
}

/* The form to add a note, with ERRS shown. */
static void note_form(struct req *r, json_t *child, struct field_errors *errs, int status) {
  struct page p;
  page_init(&p, "Add a case note", "children");
  p.errors = errs;
  p.error_links = NOTE_LINKS;
  char back[160];
  snprintf(back, sizeof back, "/children/%s/notes", js(child, "id"));
  p.back = back;
  child_frame(r, &p, child, NULL, "Add a case note");
  struct buf *b = &p.body;
  hf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\"><form method=\"post\" action=\"/children/%u/notes/new\" novalidate>",
     js(child, "id"));
  web_csrf_field(r, b);
  web_textarea(b, "childs_words", "What the child said, in their own words (optional)", form_str(r, "childs_words"),
               "Write down exactly what the child said. It is shown first, as written.", errs);
  web_textarea(b, "text", "The note", form_str(r, "text"), "What happened, what you saw and what you did", errs);
  datetime_input(r, b, "at", "When did this happen? (optional)", "Leave blank for now. For example, 27 11 2026, in UK time", errs);
  hf(b, "<h2 class=\"govuk-heading-m\">Risk indicators (optional)</h2><p class=\"govuk-body\">Tick what this note gives "
        "evidence of. The next risk assessment offers them, and the child's lead worker is asked to review the risk.</p>");
  indicator_checkboxes(r, b, errs);
  web_button(b, "Save the note");
  hf(b, "</form></div></div>");
  page_send(r, &p, status);
}

/* GET /children/{id}/notes/new */
void web_note_new_form(struct req *r) { child_form_page(r, note_form); }

/* POST /children/{id}/notes/new */
void web_note_new(struct req *r) {
  const char *id = req_param(r, 0);
  json_t *child = NULL;
  if (load_child(r, id, &child)) return;
  struct field_errors errs;
  ferr_init(&errs);
  json_t *in = json_object();
  const char *text = form_str(r, "text");
  json_object_set_new(in, "text", json_string(text ? text : ""));
  const char *words = form_str(r, "childs_words");
  if (words && !text_is_blank(words)) json_object_set_new(in, "childs_words", json_string(words));
  json_t *at = form_instant(r, "at", "it happened", &errs);
  if (at && json_is_string(at)) json_object_set(in, "at", at);
  json_decref(at);
  json_t *inds = json_array(), *posted = json_object_get(r->form, "indicators");
  if (json_is_string(posted)) json_array_append(inds, posted);
  else if (json_is_array(posted)) json_array_extend(inds, posted);
  json_object_set_new(in, "indicators", inds);
  json_t *out = NULL;
  int rc = ferr_any(&errs) ? SVC_INVALID : svc_note_create(r, id, in, &errs, &out);
  if (rc == SVC_OK) {
    char loc[200];
    snprintf(loc, sizeof loc, "/children/%s/notes?done=note", id);
    resp_redirect(r, loc);
  } else if (rc == SVC_INVALID) {
    /* Item errors ("indicators[3]") belong to the whole group of boxes. */
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(errs.fields, tmp, k, v) {
      if (!strncmp(k, "indicators[", 11)) {
        if (!ferr_get(&errs, "indicators")) ferr_add(&errs, "indicators", "One of the ticked indicators is not in the risk tool in force");
        json_object_del(errs.fields, k);
      }
    }
    web_humanise(&errs, NOTE_LABELS);
    note_form(r, child, &errs, 422);
  } else {
    failed(r, rc, "The note");
  }
  json_decref(out);
  json_decref(in);
  json_decref(child);
  ferr_free(&errs);
}

/* ---- meetings and actions ---- */

/* A meeting's title: "Multi-agency CSE meeting, 20 November 2026". */
static const char *meeting_title(json_t *m, char *out, size_t cap) {
  char d[ISO_DATE_LEN] = "", longd[48];
  int64_t t;
  if (js(m, "held_at") && time_parse_iso(js(m, "held_at"), &t)) date_format(london_today(t), d);
  const char *label = code_label(MEETING_TYPES, js(m, "type"));
  snprintf(out, cap, "%s, %s", label ? label : "Meeting", web_date_long(d, longd, sizeof longd));
  return out;
}

/* The attendees of meeting M as a list: "Name, Agency (role)". */
static void attendee_list(struct buf *b, json_t *m) {
  hf(b, "<ul class=\"govuk-list\">");
  size_t i;
  json_t *a;
  json_array_foreach(json_object_get(m, "attendees"), i, a) {
    hf(b, "<li>%s, %s%r%s%r</li>", js(a, "name"), js(json_object_get(a, "agency"), "name"), js(a, "role") ? " (" : "",
       js(a, "role") ? js(a, "role") : "", js(a, "role") ? ")" : "");
  }
  hf(b, "</ul>");
}

/* The status tag of action A: done, overdue or open. */
static void action_tag(struct buf *b, json_t *a) {
  int64_t due;
  if (!json_is_null(json_object_get(a, "completed_at"))) web_tag(b, "Done", "green");
  else if (js(a, "due_at") && time_parse_iso(js(a, "due_at"), &due) && due <= time_now()) web_tag(b, "Overdue", "red");
  else web_tag(b, "Open", "blue");
}

/* GET /children/{id}/meetings */
void web_meetings_page(struct req *r) {
  const char *id = req_param(r, 0);
  json_t *child = NULL, *meetings = NULL, *support = NULL;
  if (load_child(r, id, &child)) return;
  int rc = svc_meetings_for_child(r, id, &meetings);
  if (rc == SVC_OK) rc = svc_support_list(r, id, &support);
  if (failed(r, rc, "The meetings")) {
    json_decref(child);
    json_decref(meetings);
    return;
  }
  struct page p;
  page_init(&p, "Meetings and support", "children");
  const char *done = req_query(r, "done");
  if (done) p.notice = "The referral has been recorded";
  child_frame(r, &p, child, "meetings", "Meetings and support");
  struct buf *b = &p.body;
  char href[200], title[160], t[64];
  hf(b, "<h2 class=\"govuk-heading-m\">Meetings</h2>");
  if (role_in(r->who.role, WEB_MISSING_RECORDERS)) {
    snprintf(href, sizeof href, "/meetings/new?child=%s", id);
    web_button_link(b, href, "Record a meeting", false);
  }
  json_t *list = json_object_get(meetings, "meetings");
  if (json_array_size(list) == 0) hf(b, "<p class=\"govuk-body\">No strategy discussion or multi-agency CSE meeting is recorded.</p>");
  size_t i, k;
  json_t *m, *a;
  json_array_foreach(list, i, m) {
    meeting_title(m, title, sizeof title);
    hf(b, "<div class=\"govuk-summary-card\" data-testid=\"meeting\"><div class=\"govuk-summary-card__title-wrapper\">"
          "<h3 class=\"govuk-summary-card__title\">%s</h3><div class=\"govuk-summary-card__actions\"><a class=\"govuk-link\" "
          "href=\"/meetings/%u\">View the meeting and its actions<span class=\"govuk-visually-hidden\"> (%s)</span></a></div></div>"
          "<div class=\"govuk-summary-card__content\"><dl class=\"govuk-summary-list\">",
       title, js(m, "id"), title);
    web_summary_row(b, "Held", when(m, "held_at", t, sizeof t));
    struct buf v = BUF_INIT;
    attendee_list(&v, m);
    web_summary_row_html(b, "Attended", &v);
    buf_reset(&v);
    paragraphs(&v, js(m, "decisions"));
    web_summary_row_html(b, "Decisions", &v);
    buf_reset(&v);
    if (json_array_size(json_object_get(m, "actions"))) {
      hf(&v, "<ul class=\"govuk-list\">");
      json_array_foreach(json_object_get(m, "actions"), k, a) {
        char due[48];
        hf(&v, "<li>%s &middot; %s &middot; due %s ", js(a, "description"), js(json_object_get(a, "owner"), "name"),
           web_date_long(js(a, "due"), due, sizeof due));
        action_tag(&v, a);
        hf(&v, "</li>");
      }
      hf(&v, "</ul>");
    }
    web_summary_row_html(b, "Actions", &v);
    buf_free(&v);
    json_int_t others = json_integer_value(json_object_get(m, "other_children"));
    if (others) {
      char o[80];
      snprintf(o, sizeof o, "%lld other %s, not shown to you", (long long)others, others == 1 ? "child" : "children");
      web_summary_row(b, "Also about", o);
    }
    hf(b, "</dl></div></div>");
  }

  hf(b, "<h2 class=\"govuk-heading-m\">Support</h2>");
  if (role_in(r->who.role, WEB_CARERS)) {
    snprintf(href, sizeof href, "/children/%s/support/new", id);
    web_button_link(b, href, "Refer to a support service", false);
  }
  json_t *refs = json_object_get(support, "referrals");
  if (json_array_size(refs) == 0) {
    hf(b, "<p class=\"govuk-body\">No referral to a support service is recorded.</p>");
  } else {
    hf(b, "<table class=\"govuk-table\" data-testid=\"support\"><caption class=\"govuk-table__caption govuk-table__caption--s\">"
          "Referrals to support services, the latest first</caption><thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">"
          "<th scope=\"col\" class=\"govuk-table__header\">Service</th><th scope=\"col\" class=\"govuk-table__header\">Referred</th>"
          "<th scope=\"col\" class=\"govuk-table__header\">Status</th><th scope=\"col\" class=\"govuk-table__header\">Engagement</th>"
          "</tr></thead><tbody class=\"govuk-table__body\">");
    json_array_foreach(refs, i, a) {
      char d[48];
      hf(b, "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\"><a class=\"govuk-link\" href=\"/support/%u\">%s</a>"
            "</th><td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">",
         js(a, "id"), code_label(SUPPORT_SERVICES, js(a, "service")), web_date_long(js(a, "referred_on"), d, sizeof d));
      web_tag(b, code_label(SUPPORT_STATUSES, js(a, "status")), !strcmp(js(a, "status"), "active") ? "green" : !strcmp(js(a, "status"), "closed") || !strcmp(js(a, "status"), "not_accepted") ? "grey" : "blue");
      hf(b, "</td><td class=\"govuk-table__cell\">%s</td></tr>", code_label(SUPPORT_ENGAGEMENT, js(a, "engagement")));
    }
    hf(b, "</tbody></table>");
  }
  json_decref(support);
  json_decref(meetings);
  json_decref(child);
  page_send(r, &p, 200);
}

/* Error links of the meeting form (rows are linked by their own ids). */
static const struct error_link MEETING_LINKS[] = {
    {"type", NULL}, {"other_children", NULL}, {"held_at", "held_at-day"}, {"held_at-time", NULL}, {"attendees", "attendees-0-name"},
    {"decisions", NULL}, {"actions", "actions-0-description"}, {NULL, NULL},
};

static const struct field_label MEETING_LABELS[] = {
    {"type", "Kind of meeting", "Select the kind of meeting"},
    {"held_at", "When the meeting was held", "Enter the date the meeting was held"},
    {"attendees", "Who attended", NULL},
    {"decisions", "What was decided", "Enter what was decided"},
    {NULL, NULL, NULL},
};

/*
** Rewrites the reasons for row fields ("attendees-2-agency": "is not the
** code ...") as messages that name the row and the box ("Person 3: agency
** is not the code ..."), date boxes linking to their day box.
*/
static void humanise_rows(struct field_errors *errs) {
  json_t *fixed = json_object();
  const char *k;
  json_t *v;
  json_object_foreach(errs->fields, k, v) {
    int row;
    char field[40] = "";
    const char *why = json_string_value(v);
    char msg[400];
    int end = 0;
    if ((sscanf(k, "attendees-%d%n", &row, &end) == 1 || sscanf(k, "actions-%d%n", &row, &end) == 1) && !k[end]) {
      /* An error about a row as a whole. */
      snprintf(msg, sizeof msg, "%s %d: %s", !strncmp(k, "attendees", 9) ? "Person" : "Action", row + 1, why);
    } else if (sscanf(k, "attendees-%d-%39s", &row, field) == 2) {
      snprintf(msg, sizeof msg, "Person %d: %s %s", row + 1, !strcmp(field, "name") ? "the name" : !strcmp(field, "agency") ? "the agency" : "the role", why);
    } else if (sscanf(k, "actions-%d-%39s", &row, field) == 2) {
      if (!strncmp(why, "Action ", 7)) snprintf(msg, sizeof msg, "%s", why); /* the form's own message names the row */
      else snprintf(msg, sizeof msg, "Action %d: %s %s", row + 1, !strcmp(field, "description") ? "what needs doing" : !strcmp(field, "owner") ? "who will do it" : "the date", why);
    } else {
      snprintf(msg, sizeof msg, "%s", why);
    }
    json_object_set_new(fixed, k, json_string(msg));
  }
  json_decref(errs->fields);
  errs->fields = fixed;
}

/* The meeting form, for CHILD (may be NULL), with ERRS shown. */
static void meeting_form(struct req *r, json_t *child, struct field_errors *errs, int status) {
  json_t *people = NULL, *agencies = NULL;
  if (svc_casework_people(r, &people) != SVC_OK || store_agency_list(req_db(r), &agencies) != DB_OK) {
    json_decref(people);
    web_error_page(r, 503, "The meeting form could not be shown just now. Please try again.");
    return;
  }
  struct page p;
  page_init(&p, "Record a meeting", "children");
  p.errors = errs;
  /*
  ** The summary links each row's error to its own box, whose id is the
  ** error's key (dates: the day box), and an error about a whole row to the
  ** row's first box.
  */
  struct error_link links[sizeof MEETING_LINKS / sizeof MEETING_LINKS[0] + ATTENDEE_ROWS + ACTION_ROWS * 2];
  char anchors[ATTENDEE_ROWS + ACTION_ROWS * 2][40], keys[ATTENDEE_ROWS + ACTION_ROWS * 2][40];
  size_t nl = 0, nk = 0;
  for (const struct error_link *l = MEETING_LINKS; l->field; l++) links[nl++] = *l;
  for (int i = 0; i < ATTENDEE_ROWS; i++, nk++) {
    snprintf(keys[nk], sizeof keys[nk], "attendees-%d", i);
    snprintf(anchors[nk], sizeof anchors[nk], "attendees-%d-name", i);
    links[nl++] = (struct error_link){keys[nk], anchors[nk]};
  }
  for (int i = 0; i < ACTION_ROWS; i++) {
    snprintf(keys[nk], sizeof keys[nk], "actions-%d", i);
    snprintf(anchors[nk], sizeof anchors[nk], "actions-%d-description", i);
    links[nl++] = (struct error_link){keys[nk], anchors[nk]};
    nk++;
    snprintf(keys[nk], sizeof keys[nk], "actions-%d-due", i);
    snprintf(anchors[nk], sizeof anchors[nk], "actions-%d-due-day", i);
    links[nl++] = (struct error_link){keys[nk], anchors[nk]};
    nk++;
  }
  links[nl] = (struct error_link){NULL, NULL};
  p.error_links = links;
  char back[160];
  if (child) {
    snprintf(back, sizeof back, "/children/%s/meetings", js(child, "id"));
    p.back = back;
    child_frame(r, &p, child, NULL, "Record a meeting");
  } else {
    hf(&p.body, "<h1 class=\"govuk-heading-l\">Record a meeting</h1>");
  }
  struct buf *b = &p.body;
  size_t na = json_array_size(agencies);
  struct code *acodes = xcalloc(na + 1, sizeof *acodes);
  for (size_t i = 0; i < na; i++) {
    acodes[i].code = js(json_array_get(agencies, i), "code");
    acodes[i].label = js(json_array_get(agencies, i), "name");
  }
  hf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\"><form method=\"post\" action=\"/meetings/new\" novalidate>");
  web_csrf_field(r, b);
  if (child) hf(b, "<input type=\"hidden\" name=\"child\" value=\"%s\">", js(child, "id"));
  radios(b, "type", "What kind of meeting was it?", MEETING_TYPES, form_str(r, "type"), NULL, errs, false);
  web_text_input(b, "other_children", child ? "Other children the meeting was about (optional)" : "The children the meeting was about",
                 form_str(r, "other_children"), "Their Safehub IDs, separated by commas", errs, "off", NULL);
  datetime_input(r, b, "held_at", "When was the meeting held?", "For example, 20 11 2026, in UK time", errs);
  hf(b, "<h2 class=\"govuk-heading-m\">Who attended</h2><p class=\"govuk-body\">Fill in a row for each person who took part. "
        "Leave the rest blank. Every agency that took part can then see the children's records.</p>");
  for (int i = 0; i < ATTENDEE_ROWS; i++) {
    char n[40], ag[40], ro[40], legend[40];
    snprintf(n, sizeof n, "attendees-%d-name", i);
    snprintf(ag, sizeof ag, "attendees-%d-agency", i);
    snprintf(ro, sizeof ro, "attendees-%d-role", i);
    snprintf(legend, sizeof legend, "Person %d", i + 1);
    hf(b, "<div class=\"govuk-form-group\"><fieldset class=\"govuk-fieldset\"><legend class=\"govuk-fieldset__legend "
          "govuk-fieldset__legend--s\">%s</legend>",
       legend);
    web_text_input(b, n, "Name", form_str(r, n), NULL, errs, "off", NULL);
    web_select(b, ag, "Agency", acodes, form_str(r, ag), NULL, errs, "Select an agency");
    web_text_input(b, ro, "Role (optional)", form_str(r, ro), NULL, errs, "off", NULL);
    hf(b, "</fieldset></div>");
  }
  web_textarea(b, "decisions", "What was decided", form_str(r, "decisions"), NULL, errs);
  hf(b, "<h2 class=\"govuk-heading-m\">Actions</h2><p class=\"govuk-body\">Each action goes on its owner's work list and "
        "escalates to their manager if it is not done by the end of its date.</p>");
  for (int i = 0; i < ACTION_ROWS; i++) {
    char d[40], o[40], due[40], legend[40];
    snprintf(d, sizeof d, "actions-%d-description", i);
    snprintf(o, sizeof o, "actions-%d-owner", i);
    snprintf(due, sizeof due, "actions-%d-due", i);
    snprintf(legend, sizeof legend, "Action %d", i + 1);
    hf(b, "<div class=\"govuk-form-group\"><fieldset class=\"govuk-fieldset\"><legend class=\"govuk-fieldset__legend "
          "govuk-fieldset__legend--s\">%s</legend>",
       legend);
    web_text_input(b, d, "What needs to be done", form_str(r, d), NULL, errs, "off", NULL);
    people_select(b, o, "Who will do it", people, ROLES_CASE, form_str(r, o), NULL, errs, "Select a person");
    web_date_input(r, b, due, "By when", NULL, "For example, 4 12 2026", errs);
    hf(b, "</fieldset></div>");
  }
  web_button(b, "Save the meeting");
  hf(b, "</form></div></div>");
  free(acodes);
  json_decref(agencies);
  json_decref(people);
  page_send(r, &p, status);
}

/* GET /meetings/new[?child=ID] */
void web_meeting_new_form(struct req *r) {
  const char *id = req_query(r, "child");
  json_t *child = NULL;
  if (id && *id && load_child(r, id, &child)) return;
  meeting_form(r, child, NULL, 200);
  json_decref(child);
}

/* True when any of the posted fields NAMES (NULL-ended) has something in it. */
static bool row_used(struct req *r, const char *const *names) {
  for (; *names; names++) {
    const char *v = form_str(r, *names);
    if (v && !text_is_blank(v)) return true;
  }
  return false;
}

/*
** Moves the service's errors about the meeting's children ("child_ids",
** "child_ids[i]") to the one box where they are typed, "other_children",
** each with its own reason, in the service's order.  A child the user may
** not see is named only by the ID that was typed, never described.  KIDS is
** the list sent; FROM_CHILD when its first item is the child the form was
** opened from rather than something typed.
*/
static void children_errors(struct field_errors *errs, json_t *kids, bool from_child) {
  struct buf msg = BUF_INIT;
  const char *k;
  json_t *v;
  void *tmp;
  json_object_foreach_safe(errs->fields, tmp, k, v) {
    if (strncmp(k, "child_ids", 9) != 0 || (k[9] != '\0' && k[9] != '[')) continue;
    const char *why = json_string_value(v);
    int idx = -1;
    if (k[9] == '[' && sscanf(k + 9, "[%d]", &idx) != 1) idx = -1;
    const char *id = idx >= 0 ? json_string_value(json_array_get(kids, (size_t)idx)) : NULL;
    int place = idx + (from_child ? 0 : 1); /* its place among the IDs typed */
    if (msg.len) buf_puts(&msg, ". ");
    if (id && !strcmp(why, "is not a record you can see"))
      buf_printf(&msg, "%s is not the Safehub ID of a child whose record is open to you", id);
    else if (id && place > 0) buf_printf(&msg, "Safehub ID number %d %s", place, why);
    else if (idx >= 0) buf_printf(&msg, "The child this meeting is recorded from %s", why);
    else if (!strncmp(why, "lists ", 6)) buf_printf(&msg, "The children's Safehub IDs list %s", why + 6);
    else buf_printf(&msg, "The children's Safehub IDs %s", why);
    json_object_del(errs->fields, k);
  }
  if (msg.len && !ferr_get(errs, "other_children")) {
    json_t *m = json_string(buf_cstr(&msg));
    json_object_set_new(errs->fields, "other_children", m ? m : json_string("Check the children's Safehub IDs"));
  }
  buf_free(&msg);
}

/* POST /meetings/new */
void web_meeting_new(struct req *r) {
  const char *child_id = form_str(r, "child");
  json_t *child = NULL;
  if (child_id && *child_id && load_child(r, child_id, &child)) return;
  struct field_errors errs;
  ferr_init(&errs);
  json_t *in = json_object(), *kids = json_array(), *attendees = json_array(), *actions = json_array();
  if (child) json_array_append_new(kids, json_string(js(child, "id")));
  const char *others = form_str(r, "other_children");
  if (others) {
    char *copy = xstrdup(others);
    for (char *save = NULL, *t = strtok_r(copy, ", \t\n\r", &save); t; t = strtok_r(NULL, ", \t\n\r", &save))
      json_array_append_new(kids, json_string(t));
    free(copy);
  }
  if (json_array_size(kids) == 0) ferr_add(&errs, "other_children", "Enter the Safehub ID of at least one child");
  json_object_set_new(in, "child_ids", kids);
  const char *type = form_str(r, "type");
  if (type) json_object_set_new(in, "type", json_string(type));
  json_t *held = form_instant(r, "held_at", "the meeting was held", &errs);
  if (held && json_is_null(held)) ferr_add(&errs, "held_at", "Enter the date the meeting was held");
  if (held && json_is_string(held)) json_object_set(in, "held_at", held);
  json_decref(held);
  const char *decisions = form_str(r, "decisions");
  json_object_set_new(in, "decisions", json_string(decisions ? decisions : ""));
  int att_rows[ATTENDEE_ROWS], act_rows[ACTION_ROWS], natt = 0, nact = 0;
  for (int i = 0; i < ATTENDEE_ROWS; i++) {
    char n[40], ag[40], ro[40];
    snprintf(n, sizeof n, "attendees-%d-name", i);
    snprintf(ag, sizeof ag, "attendees-%d-agency", i);
    snprintf(ro, sizeof ro, "attendees-%d-role", i);
    const char *names[] = {n, ag, ro, NULL};
    if (!row_used(r, names)) continue;
    json_t *a = json_object();
    json_object_set_new(a, "name", json_string(form_str(r, n) ? form_str(r, n) : ""));
    json_object_set_new(a, "agency", json_string(form_str(r, ag) ? form_str(r, ag) : ""));
    put_text(r, a, "role", ro);
    json_array_append_new(attendees, a);
    att_rows[natt++] = i;
  }
  json_object_set_new(in, "attendees", attendees);
  for (int i = 0; i < ACTION_ROWS; i++) {
    char d[40], o[40], due[40], dd[48], dm[48], dy[48];
    snprintf(d, sizeof d, "actions-%d-description", i);
    snprintf(o, sizeof o, "actions-%d-owner", i);
    snprintf(due, sizeof due, "actions-%d-due", i);
    snprintf(dd, sizeof dd, "%s-day", due);
    snprintf(dm, sizeof dm, "%s-month", due);
    snprintf(dy, sizeof dy, "%s-year", due);
    const char *names[] = {d, o, dd, dm, dy, NULL};
    if (!row_used(r, names)) continue;
    json_t *a = json_object();
    json_object_set_new(a, "description", json_string(form_str(r, d) ? form_str(r, d) : ""));
    json_object_set_new(a, "owner", json_string(form_str(r, o) ? form_str(r, o) : ""));
    char label[40];
    snprintf(label, sizeof label, "Action %d: the date", i + 1);
    json_t *date = form_date(r, due, &errs, label);
    if (date && json_is_null(date)) ferr_add(&errs, due, "Action %d: enter the date it is due by", i + 1);
    if (date && json_is_string(date)) json_object_set(a, "due", date);
    else json_object_set_new(a, "due", json_string(""));
    json_decref(date);
    json_array_append_new(actions, a);
    act_rows[nact++] = i;
  }
  json_object_set_new(in, "actions", actions);
  json_t *out = NULL;
  int rc = ferr_any(&errs) ? SVC_INVALID : svc_meeting_create(r, in, &errs, &out);
  if (rc == SVC_OK) {
    char loc[200];
    snprintf(loc, sizeof loc, "/meetings/%s?done=recorded", js(out, "id"));
    resp_redirect(r, loc);
  } else if (rc == SVC_INVALID) {
    remap_list_errors(&errs, "attendees", att_rows, natt);
    remap_list_errors(&errs, "actions", act_rows, nact);
    children_errors(&errs, json_object_get(in, "child_ids"), child != NULL);
    web_humanise(&errs, MEETING_LABELS);
    humanise_rows(&errs);
    meeting_form(r, child, &errs, 422);
  } else {
    failed(r, rc, "The meeting");
  }
  json_decref(out);
  json_decref(in);
  json_decref(child);
  ferr_free(&errs);
}

/* GET /meetings/{id} */
void web_meeting_view(struct req *r) {
  json_t *m = NULL;
  if (failed(r, svc_meeting_get(r, req_param(r, 0), &m), "The meeting")) return;
  struct page p;
  char title[160], t[64];
  meeting_title(m, title, sizeof title);
  page_init(&p, title, "children");
  const char *done = req_query(r, "done");
  if (done) p.notice = !strcmp(done, "completed") ? "The action has been marked done" : "The meeting has been recorded";
  struct buf *b = &p.body;
  hf(b, "<span class=\"govuk-caption-l\">Meeting</span><h1 class=\"govuk-heading-l\">%s</h1><dl class=\"govuk-summary-list\">", title);
  struct buf v = BUF_INIT;
  hf(&v, "<ul class=\"govuk-list\">");
  size_t i;
  json_t *x;
  json_array_foreach(json_object_get(m, "child_ids"), i, x) {
    json_t *c = NULL;
    if (svc_child_get(r, json_string_value(x), &c) != SVC_OK) continue;
    char name[256];
    hf(&v, "<li><a class=\"govuk-link\" href=\"/children/%u/meetings\">%s</a></li>", js(c, "id"), web_child_name(c, name, sizeof name));
    json_decref(c);
  }
  json_int_t others = json_integer_value(json_object_get(m, "other_children"));
  if (others) hf(&v, "<li>%lld other %s, not shown to you</li>", (long long)others, others == 1 ? "child" : "children");
  hf(&v, "</ul>");
  web_summary_row_html(b, "About", &v);
  buf_reset(&v);
  web_summary_row(b, "Held", when(m, "held_at", t, sizeof t));
  attendee_list(&v, m);
  web_summary_row_html(b, "Attended", &v);
  buf_reset(&v);
  paragraphs(&v, js(m, "decisions"));
  web_summary_row_html(b, "Decisions", &v);
  buf_free(&v);
  char by[200];
  snprintf(by, sizeof by, "%s, %s", js(m, "recorded_by") ? js(m, "recorded_by") : "", js(json_object_get(m, "agency"), "name") ? js(json_object_get(m, "agency"), "name") : "");
  web_summary_row(b, "Recorded by", by);
  hf(b, "</dl><h2 class=\"govuk-heading-m\">Actions</h2>");
  json_t *actions = json_object_get(m, "actions");
  if (json_array_size(actions) == 0) hf(b, "<p class=\"govuk-body\">The meeting agreed no actions.</p>");
  bool manager = role_in(r->who.role, WEB_MANAGERS);
  json_array_foreach(actions, i, x) {
    char due[48], t2[64];
    hf(b, "<div class=\"govuk-summary-card\" id=\"action-%s\" data-testid=\"action\"><div class=\"govuk-summary-card__title-wrapper\">"
          "<h3 class=\"govuk-summary-card__title\">%s</h3></div><div class=\"govuk-summary-card__content\"><dl class=\"govuk-summary-list\">",
       js(x, "id"), js(x, "description"));
    json_t *owner = json_object_get(x, "owner");
    web_summary_row(b, "Who", js(owner, "name"));
    struct buf st = BUF_INIT;
    hf(&st, "%s ", web_date_long(js(x, "due"), due, sizeof due));
    action_tag(&st, x);
    web_summary_row_html(b, "Due by", &st);
    buf_free(&st);
    bool open = json_is_null(json_object_get(x, "completed_at"));
    if (!open) {
      char done_by[200];
      snprintf(done_by, sizeof done_by, "%s by %s", when(x, "completed_at", t2, sizeof t2), js(x, "completed_by") ? js(x, "completed_by") : "");
      web_summary_row(b, "Done", done_by);
      web_summary_row(b, "Note", js(x, "note"));
    }
    hf(b, "</dl>");
    if (open && (manager || (js(owner, "username") && !strcmp(js(owner, "username"), r->who.username)))) {
      hf(b, "<form method=\"post\" action=\"/actions/%u/complete\">", js(x, "id"));
      web_csrf_field(r, b);
      hf(b, "<div class=\"govuk-form-group\"><label class=\"govuk-label\" for=\"note-%s\">What was done (optional)</label>"
            "<textarea class=\"govuk-textarea\" id=\"note-%s\" name=\"note\" rows=\"2\"></textarea></div>"
            "<button type=\"submit\" class=\"govuk-button govuk-button--secondary\" data-module=\"govuk-button\">Mark as done"
            "<span class=\"govuk-visually-hidden\">: %s</span></button></form>",
         js(x, "id"), js(x, "id"), js(x, "description"));
    }
    hf(b, "</div></div>");
  }
  json_decref(m);
  page_send(r, &p, 200);
}

/* POST /actions/{id}/complete */
void web_action_complete(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  json_t *in = json_object(), *out = NULL;
  put_text(r, in, "note", "note");
  int rc = svc_action_complete(r, req_param(r, 0), in, &errs, &out);
  if (rc == SVC_OK) {
    char loc[200];
    snprintf(loc, sizeof loc, "/meetings/%s?done=completed#action-%s", js(out, "meeting_id"), js(out, "id"));
    resp_redirect(r, loc);
  } else if (rc == SVC_INVALID) {
    web_error_page(r, 422, "The note of what was done must be at most 5000 characters. Go back and shorten it.");
  } else if (rc == SVC_CONFLICT) {
    web_error_page(r, 409, "This action is already marked done.");
  } else {
    failed(r, rc, "The action");
  }
  json_decref(out);
  json_decref(in);
  ferr_free(&errs);
}

/* ---- support referrals ---- */

static const struct error_link SUPPORT_LINKS[] = {
    {"version", WEB_CONFLICT_ANCHOR}, {"service", NULL}, {"provider", NULL}, {"referred_on", "referred_on-day"},
    {"status", NULL}, {"engagement", NULL}, {"outcome", NULL}, {NULL, NULL},
};

static const struct field_label SUPPORT_LABELS[] = {
    {"service", "Service", "Select the service"},
    {"provider", "Provider", NULL},
    {"referred_on", "Date of the referral", NULL},
    {"status", "Status", "Select where the referral stands"},
    {"engagement", "Engagement", NULL},
    {"outcome", "Outcome", "Enter the outcome"},
    {NULL, NULL, NULL},
};

/* The form to refer the child to a support service, with ERRS shown. */
static void support_form(struct req *r, json_t *child, struct field_errors *errs, int status) {
  struct page p;
  page_init(&p, "Refer to a support service", "children");
  p.errors = errs;
  p.error_links = SUPPORT_LINKS;
  char back[160];
  snprintf(back, sizeof back, "/children/%s/meetings", js(child, "id"));
  p.back = back;
  child_frame(r, &p, child, NULL, "Refer to a support service");
  struct buf *b = &p.body;
  hf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\"><form method=\"post\" action=\"/children/%u/support/new\" novalidate>",
     js(child, "id"));
  web_csrf_field(r, b);
  web_select(b, "service", "Service", SUPPORT_SERVICES, form_str(r, "service"), NULL, errs, "Select a service");
  web_text_input(b, "provider", "Provider (optional)", form_str(r, "provider"), "The organisation or person providing it", errs,
                 "off", NULL);
  web_date_input(r, b, "referred_on", "Date of the referral (optional)", NULL, "Leave blank for today. For example, 27 11 2026", errs);
  radios(b, "status", "Where does the referral stand?", SUPPORT_STATUSES, form_str(r, "status"), NULL, errs, false);
  radios(b, "engagement", "Is the child engaging? (optional)", SUPPORT_ENGAGEMENT, form_str(r, "engagement"), NULL, errs, false);
  web_textarea(b, "outcome", "Outcome (optional)", form_str(r, "outcome"), "Needed when the referral is closed", errs);
  web_button(b, "Save the referral");
  hf(b, "</form></div></div>");
  page_send(r, &p, status);
}

/* GET /children/{id}/support/new */
void web_support_new_form(struct req *r) { child_form_page(r, support_form); }

/* POST /children/{id}/support/new */
void web_support_new(struct req *r) {
  const char *id = req_param(r, 0);
  json_t *child = NULL;
  if (load_child(r, id, &child)) return;
  struct field_errors errs;
  ferr_init(&errs);
  json_t *in = json_object();
  put_text(r, in, "service", "service");
  put_text(r, in, "provider", "provider");
  put_text(r, in, "status", "status");
  put_text(r, in, "engagement", "engagement");
  put_text(r, in, "outcome", "outcome");
  json_t *d = form_date(r, "referred_on", &errs, "The date of the referral");
  if (d && json_is_string(d)) json_object_set(in, "referred_on", d);
  json_decref(d);
  json_t *out = NULL;
  int rc = ferr_any(&errs) ? SVC_INVALID : svc_support_create(r, id, in, &errs, &out);
  if (rc == SVC_OK) {
    char loc[200];
    snprintf(loc, sizeof loc, "/children/%s/meetings?done=support", id);
    resp_redirect(r, loc);
  } else if (rc == SVC_INVALID) {
    web_humanise(&errs, SUPPORT_LABELS);
    support_form(r, child, &errs, 422);
  } else {
    failed(r, rc, "The referral");
  }
  json_decref(out);
  json_decref(in);
  json_decref(child);
  ferr_free(&errs);
}

/* A referral's page with its update form, ERRS shown. */
static void support_page(struct req *r, json_t *s, json_t *child, struct field_errors *errs, int status) {
  struct page p;
  const char *service = code_label(SUPPORT_SERVICES, js(s, "service"));
  page_init(&p, service ? service : "Support referral", "children");
  p.errors = errs;
  p.error_links = SUPPORT_LINKS;
  if (req_query(r, "done")) p.notice = "The referral has been updated";
  char back[160], d[48], t[64];
  snprintf(back, sizeof back, "/children/%s/meetings", js(child, "id"));
  p.back = back;
  child_frame(r, &p, child, NULL, service ? service : "Support referral");
  struct buf *b = &p.body;
  char self[160];
  snprintf(self, sizeof self, "/support/%s", js(s, "id"));
  web_record_changed(b, errs, self);
  hf(b, "<dl class=\"govuk-summary-list\" data-testid=\"referral\">");
  web_summary_row(b, "Provider", js(s, "provider"));
  web_summary_row(b, "Referred", web_date_long(js(s, "referred_on"), d, sizeof d));
  web_summary_row(b, "Status", code_label(SUPPORT_STATUSES, js(s, "status")));
  web_summary_row(b, "Engagement", code_label(SUPPORT_ENGAGEMENT, js(s, "engagement")));
  struct buf v = BUF_INIT;
  paragraphs(&v, js(s, "outcome"));
  web_summary_row_html(b, "Outcome", &v);
  buf_free(&v);
  char by[200];
  snprintf(by, sizeof by, "%s, %s", js(s, "updated_by") ? js(s, "updated_by") : "", when(s, "updated_at", t, sizeof t));
  web_summary_row(b, "Last changed by", by);
  hf(b, "</dl>");
  const char *st = js(s, "status");
  bool final = st && (!strcmp(st, "closed") || !strcmp(st, "not_accepted"));
  if (role_in(r->who.role, WEB_CARERS) && !final) {
    hf(b, "<h2 class=\"govuk-heading-m\">Update the referral</h2><div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">"
          "<form method=\"post\" action=\"/support/%u\" novalidate>",
       js(s, "id"));
    web_csrf_field(r, b);
    web_version_field(r, b, s);
    radios(b, "status", "Where does the referral stand?", SUPPORT_STATUSES, r->form ? form_str(r, "status") : st, NULL, errs, false);
    radios(b, "engagement", "Is the child engaging?", SUPPORT_ENGAGEMENT, r->form ? form_str(r, "engagement") : js(s, "engagement"),
           NULL, errs, false);
    web_textarea(b, "outcome", "Outcome (optional)", r->form ? form_str(r, "outcome") : js(s, "outcome"), "Needed when the referral is closed", errs);
    web_text_input(b, "provider", "Provider (optional)", r->form ? form_str(r, "provider") : js(s, "provider"), NULL, errs, "off", NULL);
    web_button(b, "Save changes");
    hf(b, "</form></div></div>");
  } else if (final) {
    hf(b, "<p class=\"govuk-body\">This referral has ended. To refer the child again, record a new referral.</p>");
  }
  page_send(r, &p, status);
}

/* GET /support/{id} */
void web_support_view(struct req *r) {
  json_t *s = NULL, *child = NULL;
  if (failed(r, svc_support_get(r, req_param(r, 0), &s), "The referral")) return;
  if (!load_child(r, js(s, "child_id"), &child)) support_page(r, s, child, NULL, 200);
  json_decref(child);
  json_decref(s);
}

/*
** POST /support/{id}.  Saved only if nobody changed the referral since the
** form was opened: a form made from an older version than the one stored
** comes back, as typed, with the conflict in the error summary, and nothing
** is written.
*/
void web_support_update(struct req *r) {
  json_t *s = NULL, *child = NULL;
  if (failed(r, svc_support_get(r, req_param(r, 0), &s), "The referral")) return;
  if (load_child(r, js(s, "child_id"), &child)) {
    json_decref(s);
    return;
  }
  struct field_errors errs;
  ferr_init(&errs);
  long long from = web_form_version(r); /* checked by the service against the record it changes */
  json_t *in = json_object();
  put_text(r, in, "status", "status");
  put_text(r, in, "engagement", "engagement");
  /* Blank text clears what was there; unchanged text is not sent. */
  static const char *const texts[] = {"outcome", "provider", NULL};
  for (const char *const *f = texts; *f; f++) {
    const char *v = form_str(r, *f);
    bool blank = !v || text_is_blank(v);
    if (blank && js(s, *f)) json_object_set_new(in, *f, json_null());
    else if (!blank && (!js(s, *f) || strcmp(js(s, *f), v) != 0)) put_text(r, in, *f, *f);
  }
  json_t *out = NULL;
  int rc = svc_support_update_from(r, js(s, "id"), in, from, &errs, &out);
  if (rc == SVC_OK) {
    char loc[200];
    snprintf(loc, sizeof loc, "/support/%s?done=updated", js(s, "id"));
    resp_redirect(r, loc);
  } else if (rc == SVC_INVALID || rc == SVC_CONFLICT) {
    /* A conflict without a reason: someone else changed the referral after this form was opened. */
    if (rc == SVC_CONFLICT && !ferr_any(&errs)) ferr_add(&errs, "version", "%s", WEB_CONFLICT_MESSAGE);
    web_humanise(&errs, SUPPORT_LABELS);
    support_page(r, s, child, &errs, rc == SVC_INVALID ? 422 : 409);
  } else {
    failed(r, rc, "The referral");
  }
  json_decref(out);
  json_decref(in);
  json_decref(child);
  json_decref(s);
  ferr_free(&errs);
}

/* ---- caseloads ---- */

/* A table of children (child_id, names, date of birth, team, allocated_at), each linked to their notes tab. */
static void caseload_table(struct buf *b, json_t *kids, const char *caption) {
  hf(b, "<table class=\"govuk-table\" data-testid=\"caseload\"><caption class=\"govuk-table__caption govuk-table__caption--m\">%s</caption>"
        "<thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\"><th scope=\"col\" class=\"govuk-table__header\">Child</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Date of birth</th><th scope=\"col\" class=\"govuk-table__header\">Team</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Allocated</th></tr></thead><tbody class=\"govuk-table__body\">",
     caption);
  size_t i;
  json_t *c;
  json_array_foreach(kids, i, c) {
    char born[48], t[64];
    hf(b, "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\"><a class=\"govuk-link\" href=\"/children/%u/notes\">"
          "%s %s</a></th><td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">%s</td></tr>",
       js(c, "child_id"), js(c, "first_name"), js(c, "last_name"),
       js(c, "date_of_birth") ? web_date_long(js(c, "date_of_birth"), born, sizeof born) : "Not known", js(c, "team") ? js(c, "team") : "",
       when(c, "allocated_at", t, sizeof t));
  }
  hf(b, "</tbody></table>");
}

static const struct error_link CASELOAD_LINKS[] = {{"team", NULL}, {"worker", NULL}, {NULL, NULL}};

/* GET /caseloads[?team=T][&worker=USERNAME] */
void web_caseloads(struct req *r) {
  const char *team = req_query(r, "team"), *worker = req_query(r, "worker");
  if (team && !*team) team = NULL;
  if (worker && !*worker) worker = NULL;
  struct field_errors errs;
  ferr_init(&errs);
  json_t *data = NULL, *one = NULL;
  int rc = svc_caseloads(r, NULL, NULL, &errs, &data);
  if (rc == SVC_OK && worker) rc = svc_caseloads(r, NULL, worker, &errs, &one);
  if (rc != SVC_OK && rc != SVC_INVALID) {
    failed(r, rc, "The caseloads");
    json_decref(data);
    ferr_free(&errs);
    return;
  }
  struct page p;
  page_init(&p, "Caseloads", "caseloads");
  p.errors = &errs;
  p.error_links = CASELOAD_LINKS;
  if (rc == SVC_INVALID) {
    static const struct field_label labels[] = {{"worker", "Worker", NULL}, {"team", "Team", NULL}, {NULL, NULL, NULL}};
    web_humanise(&errs, labels);
  }
  struct buf *b = &p.body;
  hf(b, "<h1 class=\"govuk-heading-l\">Caseloads</h1>");
  if (one) {
    json_t *w = json_object_get(one, "worker");
    char caption[300];
    snprintf(caption, sizeof caption, "Children %s leads on", js(w, "name"));
    hf(b, "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/caseloads\">All caseloads</a></p>");
    if (json_array_size(json_object_get(one, "children")) == 0) hf(b, "<h2 class=\"govuk-heading-m\">%s</h2><p class=\"govuk-body\">None.</p>", caption);
    else caseload_table(b, json_object_get(one, "children"), caption);
  } else {
    json_t *teams = json_object_get(data, "teams");
    struct code *codes = xcalloc(json_array_size(teams) + 1, sizeof *codes);
    size_t i;
    json_t *t;
    json_array_foreach(teams, i, t) {
      codes[i].code = js(t, "team");
      codes[i].label = js(t, "team");
    }
    /* The worker chosen, as the table's links choose one: where an error about the worker shows and links. */
    json_t *workers = json_object_get(data, "workers");
    struct code *wcodes = xcalloc(json_array_size(workers) + 1, sizeof *wcodes);
    char **wlabels = xcalloc(json_array_size(workers) + 1, sizeof *wlabels);
    json_t *w;
    json_array_foreach(workers, i, w) {
      wcodes[i].code = js(w, "username");
      wlabels[i] = xasprintf("%s (%s)", js(w, "name") ? js(w, "name") : js(w, "username"), js(w, "agency") ? js(w, "agency") : "");
      wcodes[i].label = wlabels[i];
    }
    hf(b, "<form method=\"get\" action=\"/caseloads\">");
    web_select(b, "team", "Team", codes, team, NULL, &errs, "All teams");
    web_select(b, "worker", "Worker", wcodes, worker, "Shows the children one worker leads on", &errs, "All workers");
    web_button(b, "Show");
    hf(b, "</form>");
    for (i = 0; i < json_array_size(workers); i++) free(wlabels[i]);
    free(wlabels);
    free(wcodes);
    free(codes);
    hf(b, "<table class=\"govuk-table\" data-testid=\"teams\"><caption class=\"govuk-table__caption govuk-table__caption--m\">Teams</caption>"
          "<thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\"><th scope=\"col\" class=\"govuk-table__header\">Team</th>"
          "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Children</th>"
          "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Workers</th></tr></thead><tbody class=\"govuk-table__body\">");
    json_array_foreach(teams, i, t) {
      if (team && strcmp(team, js(t, "team")) != 0) continue;
      hf(b, "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\">%s</th>"
            "<td class=\"govuk-table__cell govuk-table__cell--numeric\">%lld</td><td class=\"govuk-table__cell govuk-table__cell--numeric\">%lld</td></tr>",
         js(t, "team"), (long long)json_integer_value(json_object_get(t, "children")),
         (long long)json_integer_value(json_object_get(t, "workers")));
    }
    hf(b, "</tbody></table><table class=\"govuk-table\" data-testid=\"workers\"><caption class=\"govuk-table__caption govuk-table__caption--m\">"
          "Workers</caption><thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\"><th scope=\"col\" class=\"govuk-table__header\">Worker</th>"
          "<th scope=\"col\" class=\"govuk-table__header\">Role</th><th scope=\"col\" class=\"govuk-table__header\">Team</th>"
          "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Children</th>"
          "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Overdue work</th></tr></thead><tbody class=\"govuk-table__body\">");
    json_array_foreach(json_object_get(data, "workers"), i, w) {
      if (team && (!js(w, "team") || strcmp(team, js(w, "team")) != 0)) continue;
      enum role role = ROLE_SOCIAL_WORKER;
      role_parse(js(w, "role"), &role);
      json_int_t overdue = json_integer_value(json_object_get(w, "overdue_work"));
      hf(b, "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\"><a class=\"govuk-link\" href=\"/caseloads?worker=%u\">%s</a></th>"
            "<td class=\"govuk-table__cell\">%s, %s</td><td class=\"govuk-table__cell\">%s</td>"
            "<td class=\"govuk-table__cell govuk-table__cell--numeric\">%lld</td><td class=\"govuk-table__cell govuk-table__cell--numeric\">",
         js(w, "username"), js(w, "name"), web_role_label(role), js(w, "agency"), js(w, "team") ? js(w, "team") : "No children allocated",
         (long long)json_integer_value(json_object_get(w, "children")));
      if (overdue) {
        char n[32];
        snprintf(n, sizeof n, "%lld overdue", (long long)overdue);
        web_tag(b, n, "red");
      } else {
        hf(b, "0");
      }
      hf(b, "</td></tr>");
    }
    hf(b, "</tbody></table>");
  }
  int status = ferr_any(&errs) ? 422 : 200;
  page_send(r, &p, status);
  json_decref(one);
  json_decref(data);
  ferr_free(&errs);
}

/* GET /caseloads/mine */
void web_caseload_mine(struct req *r) {
  json_t *data = NULL;
  if (failed(r, svc_caseload_mine(r, &data), "Your caseload")) return;
  struct page p;
  page_init(&p, "My caseload", "work");
  struct buf *b = &p.body;
  hf(b, "<h1 class=\"govuk-heading-l\">My caseload</h1>");
  json_t *kids = json_object_get(data, "children");
  if (json_array_size(kids) == 0) hf(b, "<p class=\"govuk-body\">No child is allocated to you.</p>");
  else caseload_table(b, kids, "The children you are the lead worker for");
  json_decref(data);
  page_send(r, &p, 200);
}
