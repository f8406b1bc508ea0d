/*
** Pages of identity resolution: the queue of children who may be the same
** child, where MASH staff decide (not the same child, or merge keeping one
** record), and undoing a merge.  Nothing is merged without a person's
** decision and a reason.
*/
#include <stdio.h>
#include <string.h>
#include "service/matching.h"
#include "service/service.h"
#include "store/merge.h"
#include "web/web.h"

static const char *js(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

static void side(struct buf *b, json_t *c, const char *label) {
  char dob[64];
  hf(b, "<div class=\"govuk-grid-column-one-half\"><h3 class=\"govuk-heading-s\">%s</h3><dl class=\"govuk-summary-list govuk-summary-list--no-border\">",
     label);
  char name[256];
  snprintf(name, sizeof name, "%s %s", js(c, "first_name") ? js(c, "first_name") : "", js(c, "last_name") ? js(c, "last_name") : "");
  web_summary_row(b, "Name", name);
  web_summary_row(b, "Date of birth", js(c, "date_of_birth") ? web_date_long(js(c, "date_of_birth"), dob, sizeof dob) : NULL);
  web_summary_row(b, "Postcode", js(c, "postcode"));
  web_summary_row(b, "NHS number", js(c, "nhs_number"));
  web_summary_row(b, "Safehub ID", js(c, "id"));
  hf(b, "</dl><p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/children/%u\">Open this record<span "
        "class=\"govuk-visually-hidden\"> (%s)</span></a></p></div>",
     js(c, "id"), label);
}

/* A compared field's name for people. */
static const char *field_label(const char *f) {
  static const char *const names[][2] = {{"first_name", "First name"}, {"last_name", "Last name"},
                                         {"date_of_birth", "Date of birth"}, {"gender", "Gender"},
                                         {"postcode", "Postcode"}, {"address", "Address"},
                                         {"phone", "Phone"}, {"nhs_number", "NHS number"}};
  for (size_t i = 0; f && i < sizeof names / sizeof names[0]; i++) {
    if (!strcmp(f, names[i][0])) return names[i][1];
  }
  return f ? f : "";
}

static void explanation(struct buf *b, json_t *fields) {
  hf(b, "<details class=\"govuk-details\"><summary class=\"govuk-details__summary\"><span class=\"govuk-details__summary-text\">"
        "Why they may be the same child</span></summary><div class=\"govuk-details__text\"><table class=\"govuk-table\">"
        "<caption class=\"govuk-table__caption govuk-visually-hidden\">How each detail compares</caption>"
        "<thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\"><th scope=\"col\" class=\"govuk-table__header\">Detail</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">How they compare</th>"
        "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Weight</th></tr></thead><tbody class=\"govuk-table__body\">");
  size_t i;
  json_t *f;
  json_array_foreach(fields, i, f) {
    char w[32];
    snprintf(w, sizeof w, "%+.1f", json_real_value(json_object_get(f, "weight")));
    hf(b, "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\">%s</th><td class=\"govuk-table__cell\">%s</td>"
          "<td class=\"govuk-table__cell govuk-table__cell--numeric\">%s</td></tr>",
       field_label(js(f, "field")), js(f, "level"), w);
  }
  hf(b, "</tbody></table></div></details>");
}

static void queue_page(struct req *r, struct field_errors *errs, const char *bad_id, int status, const char *notice) {
  json_t *pairs = NULL;
  if (svc_duplicates_list(r, "open", &pairs) != SVC_OK) {
    web_error_page(r, 503, "The list of possible duplicates could not be shown just now.");
    return;
  }
  struct page p;
  page_init(&p, "Possible duplicates", "duplicates");
  p.errors = errs;
  p.notice = notice;
  /* The error summary links to the controls of the pair that was refused. */
  char decision_anchor[96] = "", reason_anchor[96] = "";
  struct error_link links[3] = {{"decision", NULL}, {"reason", NULL}, {NULL, NULL}};
  if (bad_id) {
    snprintf(decision_anchor, sizeof decision_anchor, "decision-%s", bad_id);
    snprintf(reason_anchor, sizeof reason_anchor, "reason-%s", bad_id);
    links[0].anchor = decision_anchor;
    links[1].anchor = reason_anchor;
    p.error_links = links;
  }
  struct buf *b = &p.body;
  hf(b, "<h1 class=\"govuk-heading-l\">Possible duplicates</h1><p class=\"govuk-body\">Safehub thinks these records may be "
        "the same child. Check with the agencies involved before you decide. Nothing is merged until you say so, and a "
        "manager can undo a merge.</p>");
  if (json_array_size(pairs) == 0) hf(b, "<p class=\"govuk-body\">There are no possible duplicates waiting.</p>");
  size_t i;
  json_t *pr;
  json_array_foreach(pairs, i, pr) {
    const char *id = js(pr, "id");
    char pct[48], na[140], nb[140];
    double prob = json_real_value(json_object_get(pr, "probability"));
    /* Rounding must never claim certainty the model does not have. */
    if (prob >= 0.9995) snprintf(pct, sizeof pct, "More than 99.9%%");
    else snprintf(pct, sizeof pct, "%.1f%%", 100.0 * prob);
    web_child_name(json_object_get(pr, "a"), na, sizeof na);
    web_child_name(json_object_get(pr, "b"), nb, sizeof nb);
    hf(b, "<div class=\"app-duplicate\" id=\"pair-%s\"><h2 class=\"govuk-heading-m\">%s and %s</h2>"
          "<p class=\"govuk-body\">%s likely to be the same child.</p><div class=\"govuk-grid-row\">",
       id, na, nb, pct);
    side(b, json_object_get(pr, "a"), "Record A");
    side(b, json_object_get(pr, "b"), "Record B");
    hf(b, "</div>");
    explanation(b, json_object_get(pr, "explanation"));
    bool this_one = bad_id && !strcmp(bad_id, id);
    struct field_errors *e = this_one ? errs : NULL;
    const char *chosen = this_one ? form_str(r, "decision") : NULL;
    const char *typed = this_one ? form_str(r, "reason") : NULL;
    hf(b, "<form method=\"post\" action=\"/duplicates/%u/decision\" novalidate>", id);
    web_csrf_field(r, b);
    const char *why = e ? ferr_get(e, "decision") : NULL;
    hf(b, "<div class=\"govuk-form-group%r\"><fieldset class=\"govuk-fieldset\"", why ? " govuk-form-group--error" : "");
    if (why) hf(b, " aria-describedby=\"decision-%s-error\"", id);
    hf(b, "><legend class=\"govuk-fieldset__legend govuk-fieldset__legend--s\">What do you decide<span "
          "class=\"govuk-visually-hidden\"> about %s and %s</span>?</legend>",
       na, nb);
    if (why) {
      hf(b, "<p class=\"govuk-error-message\" id=\"decision-%s-error\"><span class=\"govuk-visually-hidden\">Error:</span> %s</p>",
         id, why);
    }
    hf(b, "<div class=\"govuk-radios\" data-module=\"govuk-radios\">");
    static const char *const opts[][2] = {{"not_duplicate", "They are not the same child"},
                                          {"keep_a", "The same child: merge B into A (keep A)"},
                                          {"keep_b", "The same child: merge A into B (keep B)"}};
    for (int k = 0; k < 3; k++) {
      /* The first option carries the group's id, as the error summary links to it (the GOV.UK pattern). */
      bool on = chosen && !strcmp(chosen, opts[k][0]);
      char rid_k[96];
      if (k == 0) snprintf(rid_k, sizeof rid_k, "decision-%s", id);
      else snprintf(rid_k, sizeof rid_k, "decision-%s-%s", id, opts[k][0]);
      hf(b, "<div class=\"govuk-radios__item\"><input class=\"govuk-radios__input\" id=\"%s\" name=\"decision\" "
            "type=\"radio\" value=\"%s\"%r><label class=\"govuk-label govuk-radios__label\" for=\"%s\">%s</label></div>",
         rid_k, opts[k][0], on ? " checked" : "", rid_k, opts[k][1]);
    }
    hf(b, "</div></fieldset></div>");
    char rid[80];
    snprintf(rid, sizeof rid, "reason-%s", id);
    const char *rwhy = e ? ferr_get(e, "reason") : NULL;
    hf(b, "<div class=\"govuk-form-group%r\"><label class=\"govuk-label\" for=\"%s\">Reason<span "
          "class=\"govuk-visually-hidden\"> for your decision about %s and %s</span></label>",
       rwhy ? " govuk-form-group--error" : "", rid, na, nb);
    if (rwhy) {
      hf(b, "<p class=\"govuk-error-message\" id=\"%s-error\"><span class=\"govuk-visually-hidden\">Error:</span> %s</p>", rid,
         rwhy);
    }
    hf(b, "<textarea class=\"govuk-textarea%r\" id=\"%s\" name=\"reason\" rows=\"2\"", rwhy ? " govuk-textarea--error" : "", rid);
    if (rwhy) hf(b, " aria-describedby=\"%s-error\"", rid);
    hf(b, ">%s</textarea></div>", typed ? typed : "");
    hf(b, "<button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">Save decision<span "
          "class=\"govuk-visually-hidden\"> about %s and %s</span></button>",
       na, nb);
    hf(b, "</form></div><hr class=\"govuk-section-break govuk-section-break--l govuk-section-break--visible\">");
  }
  json_decref(pairs);
  page_send(r, &p, status);
}

/* GET /duplicates */
void web_duplicates(struct req *r) {
  const char *done = req_query(r, "done");
  queue_page(r, NULL, NULL, 200, done ? (!strcmp(done, "merged") ? "The records have been merged" : "Your decision has been saved") : NULL);
}

/* POST /duplicates/{id}/decision */
void web_duplicate_decide(struct req *r) {
  const char *choice = form_str(r, "decision"), *reason = form_str(r, "reason");
  json_t *in = json_object();
  if (choice && !strcmp(choice, "not_duplicate")) json_object_set_new(in, "decision", json_string("not_duplicate"));
  else if (choice && (!strcmp(choice, "keep_a") || !strcmp(choice, "keep_b"))) {
    json_object_set_new(in, "decision", json_string("merge"));
    json_object_set_new(in, "keep", json_string(choice + 5));
  }
  if (reason && *reason) json_object_set_new(in, "reason", json_string(reason));
  struct field_errors errs;
  ferr_init(&errs);
  json_t *out = NULL;
  int rc = svc_duplicate_decide(r, req_param(r, 0), in, &errs, &out);
  if (rc == SVC_OK) {
    resp_redirect(r, json_object_get(out, "merge_id") ? "/duplicates?done=merged" : "/duplicates?done=decided");
  } else if (rc == SVC_INVALID) {
    if (ferr_get(&errs, "decision")) json_object_set_new(errs.fields, "decision", json_string("Select what you decide"));
    if (ferr_get(&errs, "reason")) json_object_set_new(errs.fields, "reason", json_string("Enter the reason for your decision"));
    queue_page(r, &errs, req_param(r, 0), 422, NULL);
  } else if (rc == SVC_NOT_FOUND) {
    web_error_page(r, 404, "There is no such pair of records.");
  } else if (rc == SVC_CONFLICT) {
    web_error_page(r, 409, "Someone has already decided about these records, or one of them was merged meanwhile.");
  } else {
    web_error_page(r, 503, "Your decision could not be saved just now.");
  }
  json_decref(out);
  json_decref(in);
  ferr_free(&errs);
}

/* POST /merges/{id}/undo */
void web_merge_undo(struct req *r) {
  json_t *out = NULL;
  int rc = svc_merge_undo(r, req_param(r, 0), &out);
  if (rc == SVC_OK) {
    char loc[160];
    snprintf(loc, sizeof loc, "/children/%s?unmerged=1", js(out, "merged_id"));
    resp_redirect(r, loc);
  } else if (rc == SVC_NOT_FOUND) {
    web_error_page(r, 404, "There is no such merge.");
  } else if (rc == SVC_CONFLICT) {
    web_error_page(r, 409, "This merge has already been undone, or a record changed meanwhile.");
  } else {
    web_error_page(r, 503, "The merge could not be undone just now.");
  }
  json_decref(out);
}

/* Writes, on a child's page, where the record was merged to, and the merges an manager may undo. */
void web_child_merges(struct req *r, struct buf *b, json_t *child) {
  json_t *merges = NULL;
  if (store_merges_for_child(req_db(r), js(child, "id"), &merges) != DB_OK) return;
  bool can_undo = role_in(r->who.role, R(ROLE_MANAGER) | R(ROLE_DIRECTOR));
  size_t i;
  json_t *m;
  json_array_foreach(merges, i, m) {
    if (json_is_true(json_object_get(m, "undone"))) continue;
    bool merged_here = !strcmp(js(m, "merged_id"), js(child, "id"));
    hf(b, "<div class=\"govuk-warning-text\"><span class=\"govuk-warning-text__icon\" aria-hidden=\"true\">!</span>"
          "<strong class=\"govuk-warning-text__text\"><span class=\"govuk-visually-hidden\">Warning</span>");
    if (merged_here) {
      hf(b, "This record was merged into <a class=\"govuk-link\" href=\"/children/%u\">record %s</a>. Work on that record.",
         js(m, "kept_id"), js(m, "kept_id"));
    } else {
      hf(b, "Record %s was merged into this one by %s.", js(m, "merged_id"), js(m, "decided_by"));
    }
    hf(b, "</strong></div>");
    if (can_undo) {
      hf(b, "<form method=\"post\" action=\"/merges/%u/undo\">", js(m, "id"));
      web_csrf_field(r, b);
      hf(b, "<button type=\"submit\" class=\"govuk-button govuk-button--warning\" data-module=\"govuk-button\">Undo this merge</button></form>");
    }
  }
  json_decref(merges);
}
