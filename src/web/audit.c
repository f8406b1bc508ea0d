/*
** The audit trail page: who saw and changed a record.
*/
#include <string.h>
#include "store/store.h"
#include "util/codec.h"
#include "web/web.h"

/* GET /audit?subject=ID */
void web_audit(struct req *r) {
  const char *subject = req_query(r, "subject");
  struct page p;
  page_init(&p, "Audit trail", "audit");
  struct buf *b = &p.body;
  struct field_errors errs;
  ferr_init(&errs);
  if (subject && *subject && !ids_plausible(subject)) ferr_add(&errs, "subject", "Enter a Safehub record ID");
  p.errors = &errs;
  hf(b, "<h1 class=\"govuk-heading-l\">Audit trail</h1><form method=\"get\" action=\"/audit\">");
  web_text_input(b, "subject", "Record ID", subject, "For example, the ID shown on a child's record", &errs, "off",
                 "govuk-!-width-one-half");
  hf(b, "<button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">Show</button></form>");
  if (subject && *subject && !ferr_any(&errs)) {
    json_t *entries = NULL;
    if (store_audit_for_subject(req_db(r), subject, 500, &entries) != DB_OK) {
      ferr_free(&errs);
      buf_free(&p.body);
      web_error_page(r, 503, "The audit trail could not be read just now.");
      return;
    }
    req_audit(r, "audit.read", "audit", subject, "ok", NULL);
    hf(b, "<table class=\"govuk-table\"><caption class=\"govuk-table__caption govuk-table__caption--m\">%zu entries "
          "for %s</caption><thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">"
          "<th scope=\"col\" class=\"govuk-table__header\">When (UTC)</th><th scope=\"col\" class=\"govuk-table__header\">Who</th>"
          "<th scope=\"col\" class=\"govuk-table__header\">Role and agency</th><th scope=\"col\" class=\"govuk-table__header\">What</th>"
          "<th scope=\"col\" class=\"govuk-table__header\">Outcome</th><th scope=\"col\" class=\"govuk-table__header\">Purpose</th>"
          "</tr></thead><tbody class=\"govuk-table__body\">",
       json_array_size(entries), subject);
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e) {
      const char *purpose = json_string_value(json_object_get(e, "purpose"));
      hf(b, "<tr class=\"govuk-table__row\"><td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">%s</td>"
            "<td class=\"govuk-table__cell\">%s, %s</td><td class=\"govuk-table__cell\">%s</td>"
            "<td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">%s</td></tr>",
         json_string_value(json_object_get(e, "at")), json_string_value(json_object_get(e, "actor")),
         json_string_value(json_object_get(e, "role")) ? json_string_value(json_object_get(e, "role")) : "-",
         json_string_value(json_object_get(e, "agency")) ? json_string_value(json_object_get(e, "agency")) : "-",
         json_string_value(json_object_get(e, "action")), json_string_value(json_object_get(e, "outcome")),
         purpose ? purpose : "");
    }
    hf(b, "</tbody></table>");
    json_decref(entries);
  }
  page_send(r, &p, ferr_any(&errs) ? 422 : 200);
  ferr_free(&errs);
}
