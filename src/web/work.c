/*
** Pages of the statutory clock: "My work" (with a manager's team view),
** notifications, the bank-holiday table for administrators, the child's
** chronology (MOJ timeline), and the tabs shared by every page about a child.
*/
#include <stdio.h>
#include <string.h>
#include "service/risk.h"
#include "service/service.h"
#include "store/casework.h"
#include "store/store.h"
#include "util/timeutil.h"
#include "util/xalloc.h"
#include "web/web.h"

static const char *js(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/*
** The tabs of a child's pages (MOJ sub-navigation).  Each feature that adds a
** page about a child adds its tab here, in the order people work, with the
** roles its route admits: a tab that would only answer 403 is not offered.
*/
static const struct {
  const char *key, *path, *label;
  roleset roles;
} CHILD_TABS[] = {
    {"details", "", "Details", ROLES_CASE},
    {"chronology", "/chronology", "Chronology", ROLES_CASE},
    {"referrals", "/referrals", "Referrals", ROLES_CASE},
    {"risk", "/risk", "Risk", RISK_READERS},
    {"missing", "/missing-episodes", "Missing episodes", ROLES_CASE},
    {"meetings", "/meetings", "Meetings and support", ROLES_CASE},
    {"notes", "/notes", "Notes and allocation", ROLES_CASE},
};

/* Writes the child's tabs that role VIEWER may open, with CURRENT marked. */
void web_child_tabs(struct buf *b, enum role viewer, const char *child_id, const char *current) {
  hf(b, "<nav class=\"moj-sub-navigation\" aria-label=\"About this child\"><ul class=\"moj-sub-navigation__list\">");
  for (size_t i = 0; i < sizeof CHILD_TABS / sizeof CHILD_TABS[0]; i++) {
    if (!role_in(viewer, CHILD_TABS[i].roles)) continue;
    bool cur = current && !strcmp(current, CHILD_TABS[i].key);
    hf(b, "<li class=\"moj-sub-navigation__item\"><a class=\"moj-sub-navigation__link\" %r href=\"/children/%u%r\">%s</a></li>",
       cur ? "aria-current=\"page\"" : "", child_id, CHILD_TABS[i].path, CHILD_TABS[i].label);
  }
  hf(b, "</ul></nav>");
}

static const struct code EVENT_TYPES[] = {
    {"referral", "Referral"},
    {"triage", "MASH rating"},
    {"decision", "Decision"},
    {"challenge", "Challenge"},
    {"assessment", "Assessment"},
    {"risk_assessment", "Risk assessment"},
    {"intelligence", "Intelligence"},
    {"missing_episode", "Missing episode"},
    {"return_interview", "Return-home interview"},
    {"meeting", "Meeting"},
    {"action", "Action"},
    {"support", "Support"},
    {"note", "Case note"},
    {"allocation", "Allocation"},
    {"placement", "Placement"},
    {"flag", "Flag"},
    {"merge", "Records merged"},
    {NULL, NULL},
};

/* GET /children/{id}/chronology[?agency=CODE&type=TYPE] */
void web_child_chronology(struct req *r) {
  const char *id = req_param(r, 0);
  const char *agency = req_query(r, "agency"), *type = req_query(r, "type");
  if (agency && !*agency) agency = NULL;
  if (type && !*type) type = NULL;
  json_t *child = NULL, *events = NULL;
  int rc = svc_child_get(r, id, &child);
  if (rc == SVC_OK) rc = svc_chronology_list(r, id, agency, type, &events);
  if (rc == SVC_NOT_FOUND) {
    json_decref(child);
    web_error_page(r, 404, "There is no child record at this address, or it is not open to you.");
    return;
  }
  json_t *agencies = NULL;
  if (rc != SVC_OK || store_agency_list(req_db(r), &agencies) != DB_OK) {
    json_decref(child);
    json_decref(events);
    web_error_page(r, 503, "The chronology could not be shown just now.");
    return;
  }
  char name[256];
  snprintf(name, sizeof name, "%s %s", js(child, "first_name"), js(child, "last_name"));
  struct page p;
  page_init(&p, "Chronology", "children");
  hf(&p.identity, "<div class=\"moj-identity-bar\"><div class=\"moj-identity-bar__container\"><div "
                  "class=\"moj-identity-bar__details\"><span class=\"moj-identity-bar__title\"><strong>%s</strong>"
                  " &middot; Safehub ID %s</span></div></div></div>",
     name, id);
  struct buf *b = &p.body;
  hf(b, "<h1 class=\"govuk-heading-l\">Chronology <span class=\"govuk-caption-m\">%s</span></h1>", name);
  web_child_tabs(b, r->who.role, id, "chronology");
  size_t n = json_array_size(agencies);
  struct code *codes = xcalloc(n + 1, sizeof *codes);
  for (size_t i = 0; i < n; i++) {
    codes[i].code = js(json_array_get(agencies, i), "code");
    codes[i].label = js(json_array_get(agencies, i), "name");
  }
  hf(b, "<form method=\"get\" action=\"/children/%u/chronology\" class=\"app-filter\">", id);
  web_select(b, "agency", "Agency", codes, agency, NULL, NULL, "All agencies");
  web_select(b, "type", "Type of event", EVENT_TYPES, type, NULL, NULL, "Every type");
  web_button(b, "Show");
  hf(b, "</form>");
  free(codes);
  if (json_array_size(events) == 0) {
    hf(b, "<p class=\"govuk-body\">Nothing %s recorded yet.</p>", agency || type ? "matching these filters is" : "is");
  } else {
    hf(b, "<div class=\"moj-timeline\">");
    size_t i;
    json_t *e;
    json_array_foreach(events, i, e) {
      const char *label = code_label(EVENT_TYPES, js(e, "type"));
      char when[64];
      hf(b, "<div class=\"moj-timeline__item\"><div class=\"moj-timeline__header\"><h2 class=\"moj-timeline__title\">%s</h2>"
            "<p class=\"moj-timeline__byline\">by %s%s%s</p></div><p class=\"moj-timeline__date\"><time datetime=\"%s\">%s</time></p>"
            "<div class=\"moj-timeline__description\"><p class=\"govuk-body\">%s</p></div></div>",
         label ? label : js(e, "type"), js(e, "recorded_by") ? js(e, "recorded_by") : "Safehub",
         js(e, "agency_name") ? ", " : "", js(e, "agency_name") ? js(e, "agency_name") : "", js(e, "at"),
         web_time_long(js(e, "at"), when, sizeof when), js(e, "summary"));
    }
    hf(b, "</div>");
  }
  json_decref(agencies);
  json_decref(events);
  json_decref(child);
  page_send(r, &p, 200);
}

static void work_table(struct buf *b, json_t *items, const char *caption, bool show_owner) {
  hf(b, "<table class=\"govuk-table\"><caption class=\"govuk-table__caption govuk-table__caption--m\">%s</caption>"
        "<thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\"><th scope=\"col\" class=\"govuk-table__header\">Work</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Due</th><th scope=\"col\" class=\"govuk-table__header\">Status</th>%r"
        "</tr></thead><tbody class=\"govuk-table__body\">",
     caption, show_owner ? "<th scope=\"col\" class=\"govuk-table__header\">Worker</th>" : "");
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    const char *state = js(it, "state");
    char when[64];
    hf(b, "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\"><a class=\"govuk-link\" href=\"%s\">%s</a></th>"
          "<td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">",
       js(it, "link"), js(it, "title"), web_time_long(js(it, "due_at"), when, sizeof when));
    if (!strcmp(state, "overdue")) web_tag(b, "Overdue", "red");
    else if (!strcmp(state, "due_soon")) web_tag(b, "Due soon", "yellow");
    else web_tag(b, "Open", "blue");
    json_int_t mine = json_integer_value(json_object_get(it, "escalated_to_me"));
    if (json_is_integer(json_object_get(it, "escalated_to_me"))) {
      char esc[48];
      snprintf(esc, sizeof esc, "Escalated to you (level %lld)", (long long)mine);
      hf(b, " ");
      web_tag(b, esc, "orange");
    } else if (json_integer_value(json_object_get(it, "level")) > 0) {
      hf(b, " ");
      web_tag(b, "Escalated", "orange");
    }
    hf(b, "</td>");
    if (show_owner) hf(b, "<td class=\"govuk-table__cell\">%s</td>", js(it, "owner") ? js(it, "owner") : "MASH queue");
    hf(b, "</tr>");
  }
  hf(b, "</tbody></table>");
}

/* GET /work */
void web_work(struct req *r) {
  json_t *mine = NULL, *team = NULL;
  bool manager = role_in(r->who.role, R(ROLE_MANAGER) | R(ROLE_DIRECTOR));
  if (svc_work_mine(r, &mine) != SVC_OK || (manager && svc_work_team(r, &team) != SVC_OK)) {
    json_decref(mine);
    web_error_page(r, 503, "Your work list could not be shown just now.");
    return;
  }
  struct page p;
  page_init(&p, "My work", "work");
  struct buf *b = &p.body;
  hf(b, "<h1 class=\"govuk-heading-l\">My work</h1>");
  if (json_array_size(mine) == 0) hf(b, "<p class=\"govuk-body\">You have no open work with a deadline.</p>");
  else work_table(b, mine, "Due to you or escalated to you, soonest first", true);
  if (manager) {
    if (json_array_size(team) == 0) hf(b, "<h2 class=\"govuk-heading-m\">Your team</h2><p class=\"govuk-body\">Nothing in your team is overdue or escalated.</p>");
    else work_table(b, team, "Your team: overdue or escalated", true);
  }
  hf(b, "<p class=\"govuk-body\">Escalations end only when the work is done: they cannot be dismissed.</p>");
  json_decref(mine);
  json_decref(team);
  page_send(r, &p, 200);
}

/* GET /notifications */
void web_notifications(struct req *r) {
  json_t *items = NULL;
  if (store_notifications_for_user(req_db(r), r->who.user_id, 200, &items) != DB_OK) {
    web_error_page(r, 503, "Your notifications could not be shown just now.");
    return;
  }
  struct page p;
  page_init(&p, "Notifications", "notifications");
  struct buf *b = &p.body;
  hf(b, "<h1 class=\"govuk-heading-l\">Notifications</h1>");
  if (json_array_size(items) == 0) hf(b, "<p class=\"govuk-body\">You have no notifications.</p>");
  size_t i;
  json_t *n;
  json_array_foreach(items, i, n) {
    char when[64];
    bool unread = json_is_null(json_object_get(n, "read_at"));
    hf(b, "<div class=\"app-notification\"><p class=\"govuk-body\">");
    if (unread) {
      web_tag(b, "New", "blue");
      hf(b, " ");
    }
    hf(b, "<a class=\"govuk-link\" href=\"%s\">%s</a><br><span class=\"govuk-hint\">%s</span></p>",
       js(n, "link") ? js(n, "link") : "/", js(n, "message"), web_time_long(js(n, "created_at"), when, sizeof when));
    if (unread) {
      hf(b, "<form method=\"post\" action=\"/notifications/%u/read\">", js(n, "id"));
      web_csrf_field(r, b);
      hf(b, "<button type=\"submit\" class=\"govuk-button govuk-button--secondary\" data-module=\"govuk-button\">"
            "Mark as read<span class=\"govuk-visually-hidden\">: %s</span></button></form>",
         js(n, "message"));
    }
    hf(b, "</div>");
  }
  json_decref(items);
  page_send(r, &p, 200);
}

/* POST /notifications/{id}/read */
void web_notification_read(struct req *r) {
  int rc = store_notification_read(req_db(r), req_param(r, 0), r->who.user_id, time_now());
  if (rc < 0) web_error_page(r, 503, "The notification could not be marked just now.");
  else resp_redirect(r, "/notifications");
}

static void holidays_page(struct req *r, struct field_errors *errs, int status, const char *notice) {
  json_t *items = NULL;
  if (store_holiday_list(req_db(r), &items) != DB_OK) {
    web_error_page(r, 503, "The bank holidays could not be shown just now.");
    return;
  }
  struct page p;
  page_init(&p, "Bank holidays", "holidays");
  static const struct error_link links[] = {{"date", "date-day"}, {"name", NULL}, {NULL, NULL}};
  p.errors = errs;
  p.error_links = links;
  p.notice = notice;
  struct buf *b = &p.body;
  hf(b, "<h1 class=\"govuk-heading-l\">Bank holidays</h1><p class=\"govuk-body\">Working-day deadlines skip these days and "
        "weekends. The table for England and Wales is shipped with Safehub; add any extra day the government announces.</p>");
  hf(b, "<h2 class=\"govuk-heading-m\">Add a bank holiday</h2><form method=\"post\" action=\"/admin/bank-holidays\" novalidate>");
  web_csrf_field(r, b);
  web_date_input(r, b, "date", "Date", NULL, NULL, errs);
  web_text_input(b, "name", "Name", form_str(r, "name"), NULL, errs, "off", NULL);
  web_button(b, "Add bank holiday");
  hf(b, "</form><table class=\"govuk-table\"><caption class=\"govuk-table__caption govuk-table__caption--m\">Bank holidays "
        "in force</caption><thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">"
        "<th scope=\"col\" class=\"govuk-table__header\">Date</th><th scope=\"col\" class=\"govuk-table__header\">Name</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Added by</th><th scope=\"col\" class=\"govuk-table__header\">"
        "<span class=\"govuk-visually-hidden\">Action</span></th></tr></thead><tbody class=\"govuk-table__body\">");
  size_t i;
  json_t *h;
  json_array_foreach(items, i, h) {
    char when[64];
    hf(b, "<tr class=\"govuk-table__row\"><td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">%s</td>"
          "<td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\"><form method=\"post\" "
          "action=\"/admin/bank-holidays/%u/delete\">",
       web_date_long(js(h, "date"), when, sizeof when), js(h, "name"), js(h, "source"), js(h, "date"));
    web_csrf_field(r, b);
    hf(b, "<button type=\"submit\" class=\"app-link-button govuk-link\">Remove<span class=\"govuk-visually-hidden\"> %s</span>"
          "</button></form></td></tr>",
       when);
  }
  hf(b, "</tbody></table>");
  json_decref(items);
  page_send(r, &p, status);
}

/* GET /admin/bank-holidays */
void web_holidays(struct req *r) {
  const char *done = req_query(r, "done");
  holidays_page(r, NULL, 200, done && !strcmp(done, "added") ? "The bank holiday has been added"
                              : done                          ? "The bank holiday has been removed"
                                                              : NULL);
}

/* POST /admin/bank-holidays */
void web_holiday_add(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  json_t *in = json_object();
  json_t *date = form_date(r, "date", &errs, "Date");
  if (date && json_is_string(date)) json_object_set_new(in, "date", date);
  else json_decref(date);
  const char *name = form_str(r, "name");
  if (name && *name) json_object_set_new(in, "name", json_string(name));
  int rc = ferr_any(&errs) ? SVC_INVALID : svc_holiday_add(r, in, &errs);
  if (rc == SVC_OK) {
    resp_redirect(r, "/admin/bank-holidays?done=added");
  } else if (rc == SVC_INVALID || rc == SVC_CONFLICT) {
    static const struct field_label labels[] = {{"date", "Date", "Enter the date"},
                                                {"name", "Name", "Enter the name of the bank holiday"},
                                                {NULL, NULL, NULL}};
    web_humanise(&errs, labels);
    holidays_page(r, &errs, 422, NULL);
  } else {
    web_error_page(r, 503, "The bank holiday could not be added just now.");
  }
  json_decref(in);
  ferr_free(&errs);
}

/* POST /admin/bank-holidays/{date}/delete */
void web_holiday_delete(struct req *r) {
  int rc = svc_holiday_delete(r, req_param(r, 0));
  if (rc == SVC_OK) resp_redirect(r, "/admin/bank-holidays?done=removed");
  else if (rc == SVC_NOT_FOUND) web_error_page(r, 404, "That day is not a bank holiday.");
  else web_error_page(r, 503, "The bank holiday could not be removed just now.");
}
