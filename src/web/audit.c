/*
** The audit trail page: who saw and changed a record, when, from which
** agency and in which role, newest first.  Reading the trail is itself
** audited.
*/
#include <string.h>
#include "http/app.h"
#include "store/store.h"
#include "util/codec.h"
#include "util/log.h"
#include "web/web.h"

static const struct error_link AUDIT_LINKS[] = {{"subject", NULL}, {NULL, NULL}};

/* What an audit action means in words, or the action itself when it has no description here. */
static const char *action_label(const char *action) {
  static const struct code ACTIONS[] = {
      {"child.read", "Viewed the record"},
      {"child.create", "Recorded the child"},
      {"child.update", "Changed the record"},
      {"child.search_result", "Found in a search"},
      {"audit.read", "Read this audit trail"},
      {"access.denied", "Was refused access"},
      {"user.create", "Added the user"},
      {"user.update", "Changed the user"},
      {"user.password_change", "Changed their password"},
      {"auth.login", "Signed in"},
      {"auth.logout", "Signed out"},
      {"agency.create", "Added the agency"},
      {NULL, NULL},
  };
  const char *l = code_label(ACTIONS, action);
  return l ? l : action;
}

/* A role's name for people, from its code in the audit row ("social_worker"). */
static const char *role_label(const char *code) {
  enum role role;
  return code && role_parse(code, &role) ? web_role_label(role) : code;
}

/* The table of ENTRIES (newest first) for record SUBJECT. */
static void entries_table(struct buf *b, json_t *entries, const char *subject) {
  size_t n = json_array_size(entries);
  hf(b, "<table class=\"govuk-table\" data-testid=\"audit-entries\"><caption class=\"govuk-table__caption "
        "govuk-table__caption--m\">%zu %s for record %s, newest first</caption><thead class=\"govuk-table__head\">"
        "<tr class=\"govuk-table__row\"><th scope=\"col\" class=\"govuk-table__header\">When</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Who</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Role</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Agency</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">What</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Outcome</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Purpose given</th></tr></thead>"
        "<tbody class=\"govuk-table__body\">",
     n, n == 1 ? "entry" : "entries", subject);
  size_t i;
  json_t *e;
  json_array_foreach(entries, i, e) {
    char when[64];
    const char *at = json_string_value(json_object_get(e, "at"));
    const char *role = json_string_value(json_object_get(e, "role"));
    const char *agency = json_string_value(json_object_get(e, "agency"));
    const char *purpose = json_string_value(json_object_get(e, "purpose"));
    const char *outcome = json_string_value(json_object_get(e, "outcome"));
    hf(b, "<tr class=\"govuk-table__row\"><td class=\"govuk-table__cell\"><time datetime=\"%s\">%s</time></td>"
          "<td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">%s</td>"
          "<td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">%s</td>"
          "<td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">%s</td></tr>",
       at, web_time_long(at, when, sizeof when), json_string_value(json_object_get(e, "actor")),
       role ? role_label(role) : "None", agency ? agency : "None",
       action_label(json_string_value(json_object_get(e, "action"))),
       outcome && !strcmp(outcome, "ok") ? "Done" : outcome, purpose ? purpose : "None given");
  }
  hf(b, "</tbody></table>");
}

/* GET /audit?subject=ID */
void web_audit(struct req *r) {
  const char *subject = req_query(r, "subject");
  struct field_errors errs;
  ferr_init(&errs);
  if (subject && !*subject) ferr_add(&errs, "subject", "Enter a Safehub record ID");
  else if (subject && !ids_plausible(subject)) ferr_add(&errs, "subject", "Enter a Safehub record ID, such as the one on a child's record");
  bool show = subject && *subject && !ferr_any(&errs);
  json_t *entries = NULL;
  /* Accesses already answered may still be in the spool: the trail must show them. */
  if (show && !audit_writer_flush(r->app->audit)) log_warn("audit: the trail may lack entries still spooled");
  if (show && store_audit_for_subject(req_db(r), subject, 500, &entries) != DB_OK) {
    ferr_free(&errs);
    web_error_page(r, 503, "The audit trail could not be read just now.");
    return;
  }
  struct page p;
  page_init(&p, "Audit trail", "audit");
  p.errors = &errs;
  p.error_links = AUDIT_LINKS;
  struct buf *b = &p.body;
  hf(b, "<h1 class=\"govuk-heading-l\">Audit trail</h1><p class=\"govuk-body\">Every time someone views, finds, "
        "records or changes a record, Safehub writes it to a log that cannot be altered without detection.</p>"
        "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">"
        "<form method=\"get\" action=\"/audit\" novalidate>");
  web_text_input(b, "subject", "Record ID", subject, "The Safehub ID shown on a child's record, for example ch_...",
                 &errs, "off", "govuk-!-width-two-thirds");
  web_button(b, "Show the audit trail");
  hf(b, "</form></div></div>");
  if (show) {
    req_audit(r, "audit.read", "audit", subject, "ok", NULL);
    entries_table(b, entries, subject);
    json_decref(entries);
  }
  page_send(r, &p, ferr_any(&errs) ? 422 : 200);
  ferr_free(&errs);
}
