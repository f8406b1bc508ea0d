/*
** The front door's pages: the MASH queue (MASH, managers and the director,
** soonest deadline first, filtered by status and rating) or the referrals a
** person raised; the referral form (short, one page, works on a phone and
** without JavaScript); a referral, the child's own words first, with the
** work that can be done on it now (confirm the child from possible matches,
** assign, rate, decide, sign off, challenge, answer); and the Referrals tab
** of a child's record.  Handlers read forms, call the use cases in
** service/referrals.c and render; access is the service's to decide.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/codes.h"
#include "core/referral.h"
#include "core/risk_tool.h"
#include "http/app.h"
#include "service/referrals.h"
#include "service/service.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/xalloc.h"
#include "web/referrals.h"
#include "web/web.h"

/* The string member K of O, or NULL. */
static const char *js(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* What was posted for NAME when this page answers a post, else NULL. */
static const char *posted(struct req *r, const char *name) { return r->form ? form_str(r, name) : NULL; }

/* TEXT as paragraphs, one per line (blank lines skipped), so that what people typed keeps its shape. */
static void paragraphs(struct buf *b, const char *text) {
  if (!text) return;
  const char *p = text;
  while (*p) {
    const char *e = strchr(p, '\n');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    char *line = xstrndup(p, n);
    size_t l = strlen(line);
    if (l && line[l - 1] == '\r') line[l - 1] = '\0';
    if (!text_is_blank(line)) hf(b, "<p class=\"govuk-body\">%s</p>", line);
    free(line);
    p += n;
    if (*p) p++;
  }
}

/* The time ISO in UK time for people, or "Not recorded". */
static const char *when(const char *iso, char *out, size_t cap) {
  if (!iso) {
    snprintf(out, cap, "Not recorded");
    return out;
  }
  return web_time_long(iso, out, cap);
}

/* True when the instant ISO has passed. */
static bool past(const char *iso) {
  int64_t t;
  return iso && time_parse_iso(iso, &t) && t <= time_now();
}

/* A GOV.UK tag for a rating. */
static void rag_tag(struct buf *b, const char *rag) {
  if (!rag) web_tag(b, "Not rated", "grey");
  else if (!strcmp(rag, "red")) web_tag(b, "Red", "red");
  else if (!strcmp(rag, "amber")) web_tag(b, "Amber", "orange");
  else web_tag(b, "Green", "green");
}

/* A GOV.UK tag for a status. */
static void status_tag(struct buf *b, const char *status) {
  const char *label = code_label(REFERRAL_STATUSES, status);
  const char *colour = !strcmp(status, "received")           ? "blue"
                       : !strcmp(status, "triaged")          ? "light-blue"
                       : !strcmp(status, "awaiting_signoff") ? "yellow"
                       : !strcmp(status, "challenged")       ? "pink"
                                                             : "grey";
  web_tag(b, label ? label : status, colour);
}

/* What a deadline of KIND is for, for people. */
static const char *due_label(const char *kind) {
  if (!kind) return "Nothing due";
  if (!strcmp(kind, "triage")) return "Rating";
  if (!strcmp(kind, "decision")) return "Decision";
  if (!strncmp(kind, "decision_", 9)) return "Decision (again)";
  if (!strcmp(kind, "mash_checks")) return "MASH checks";
  if (!strncmp(kind, "signoff", 7)) return "Manager's sign-off";
  if (!strncmp(kind, "challenge", 9)) return "Answer to a challenge";
  return kind;
}

/* True when the array ACTIONS names NAME. */
static bool can(json_t *actions, const char *name) {
  size_t i;
  json_t *a;
  json_array_foreach(actions, i, a) {
    if (!strcmp(json_string_value(a), name)) return true;
  }
  return false;
}

/* GOV.UK radios for CODES, each with its hint from HINTS (see web_radios). */
static void radios(struct buf *b, const char *name, const char *legend, const char *hint, const struct code *codes,
                   const char *const *hints, const char *value, struct field_errors *errs) {
  web_radios(b, name, legend, hint, codes, hints, value, errs, false);
}

/* ---- the list: the MASH queue, or the referrals a person raised ---- */

static const struct code LIST_STATUSES[] = {
    {"open", "Outstanding (not yet decided, or challenged)"},
    {"received", "Received, not yet rated"},
    {"triaged", "Rated, waiting for a decision"},
    {"awaiting_signoff", "Waiting for a manager's sign-off"},
    {"challenged", "Challenged"},
    {"decided", "Decided"},
    {"all", "All referrals"},
    {NULL, NULL},
};
static const struct error_link LIST_LINKS[] = {{"status", NULL}, {"rag", NULL}, {"page", NULL}, {NULL, NULL}};

/* The query string for page N of the list with STATUS and RAG (either may be NULL). */
static void list_href(struct buf *b, const char *status, const char *rag, int n) {
  hf(b, "/referrals?");
  if (status) hf(b, "status=%u&amp;", status);
  if (rag) hf(b, "rag=%u&amp;", rag);
  hf(b, "page=%d", n);
}

/* GOV.UK pagination for PAGE of PAGES: previous, first, neighbours, last, next. */
static void pagination(struct buf *b, const char *status, const char *rag, int page, int pages) {
  if (pages <= 1) return;
  hf(b, "<nav class=\"govuk-pagination\" aria-label=\"Pages of referrals\">");
  if (page > 1) {
    hf(b, "<div class=\"govuk-pagination__prev\"><a class=\"govuk-link govuk-pagination__link\" href=\"");
    list_href(b, status, rag, page - 1);
    hf(b, "\" rel=\"prev\"><svg class=\"govuk-pagination__icon govuk-pagination__icon--prev\" "
          "xmlns=\"http://www.w3.org/2000/svg\" height=\"13\" width=\"15\" aria-hidden=\"true\" focusable=\"false\" "
          "viewBox=\"0 0 15 13\"><path d=\"m6.5938-0.0078125-6.7266 6.7266 6.7441 6.4062 1.377-1.449-4.1856-3.9768h12.896v-2h-"
          "12.984l4.2931-4.293-1.414-1.414z\"></path></svg><span class=\"govuk-pagination__link-title\">Previous<span "
          "class=\"govuk-visually-hidden\"> page</span></span></a></div>");
  }
  hf(b, "<ul class=\"govuk-pagination__list\">");
  bool gap = false;
  for (int n = 1; n <= pages; n++) {
    if (n != 1 && n != pages && (n < page - 1 || n > page + 1)) {
      if (!gap) hf(b, "<li class=\"govuk-pagination__item govuk-pagination__item--ellipsis\">&ctdot;</li>");
      gap = true;
      continue;
    }
    gap = false;
    hf(b, "<li class=\"govuk-pagination__item%r\"><a class=\"govuk-link govuk-pagination__link\" href=\"",
       n == page ? " govuk-pagination__item--current" : "");
    list_href(b, status, rag, n);
    hf(b, "\" aria-label=\"Page %d\"%r>%d</a></li>", n, n == page ? " aria-current=\"page\"" : "", n);
  }
  hf(b, "</ul>");
  if (page < pages) {
    hf(b, "<div class=\"govuk-pagination__next\"><a class=\"govuk-link govuk-pagination__link\" href=\"");
    list_href(b, status, rag, page + 1);
    hf(b, "\" rel=\"next\"><span class=\"govuk-pagination__link-title\">Next<span class=\"govuk-visually-hidden\"> "
          "page</span></span><svg class=\"govuk-pagination__icon govuk-pagination__icon--next\" "
          "xmlns=\"http://www.w3.org/2000/svg\" height=\"13\" width=\"15\" aria-hidden=\"true\" focusable=\"false\" "
          "viewBox=\"0 0 15 13\"><path d=\"m8.107-0.0078125-1.4136 1.414 4.2926 4.293h-12.986v2h12.896l-4.1855 3.9766 "
          "1.377 1.4492 6.7441-6.4062-6.7246-6.7266z\"></path></svg></a></div>");
  }
  hf(b, "</nav>");
}

/* The MASH queue's table: no child's details, only references and what is due. */
static void queue_table(struct buf *b, json_t *items, const char *caption) {
  hf(b, "<table class=\"govuk-table\" data-testid=\"referral-queue\"><caption class=\"govuk-table__caption "
        "govuk-table__caption--m\">%s</caption><thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">"
        "<th scope=\"col\" class=\"govuk-table__header\">Referral</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Received</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">From</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Rating</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Status</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Next deadline</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Assigned to</th></tr></thead><tbody class=\"govuk-table__body\">",
     caption);
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    char recv[64], due[64];
    hf(b, "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\"><a class=\"govuk-link\" "
          "href=\"/referrals/%u\">%s</a>",
       js(it, "id"), js(it, "reference"));
    if (json_is_true(json_object_get(it, "immediate_danger"))) {
      hf(b, " ");
      web_tag(b, "Immediate danger", "red");
    }
    hf(b, "</th><td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">",
       when(js(it, "received_at"), recv, sizeof recv), js(json_object_get(it, "agency"), "name"));
    rag_tag(b, js(it, "rag"));
    hf(b, "</td><td class=\"govuk-table__cell\">");
    status_tag(b, js(it, "status"));
    hf(b, "</td><td class=\"govuk-table__cell\">");
    if (json_is_true(json_object_get(it, "open"))) {
      hf(b, "%s: <time datetime=\"%s\">%s</time>", due_label(js(it, "next_due_kind")), js(it, "next_due_at"),
         when(js(it, "next_due_at"), due, sizeof due));
      if (past(js(it, "next_due_at"))) {
        hf(b, " ");
        web_tag(b, "Overdue", "red");
      }
      json_int_t level = json_integer_value(json_object_get(it, "escalation_level"));
      if (level > 0) {
        char esc[48];
        snprintf(esc, sizeof esc, "Escalated (level %lld)", (long long)level);
        hf(b, " ");
        web_tag(b, esc, "orange");
      }
    } else {
      const char *outcome = code_label(REFERRAL_OUTCOMES, js(it, "outcome"));
      hf(b, "Decided%r%s", outcome ? ": " : "", outcome ? outcome : "");
    }
    hf(b, "</td><td class=\"govuk-table__cell\">%s</td></tr>", js(it, "assigned_to") ? js(it, "assigned_to") : "MASH queue");
  }
  hf(b, "</tbody></table>");
}

/* A referrer's own referrals. */
static void mine_table(struct buf *b, json_t *items) {
  hf(b, "<table class=\"govuk-table\" data-testid=\"my-referrals\"><caption class=\"govuk-table__caption "
        "govuk-table__caption--m\">Referrals you have made, newest first</caption><thead class=\"govuk-table__head\">"
        "<tr class=\"govuk-table__row\"><th scope=\"col\" class=\"govuk-table__header\">Referral</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Sent</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Status</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Decision</th></tr></thead><tbody class=\"govuk-table__body\">");
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    char sent[64];
    const char *outcome = code_label(REFERRAL_OUTCOMES, js(it, "outcome"));
    hf(b, "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\"><a class=\"govuk-link\" "
          "href=\"/referrals/%u\">%s</a></th><td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">",
       js(it, "id"), js(it, "reference"), when(js(it, "received_at"), sent, sizeof sent));
    status_tag(b, js(it, "status"));
    hf(b, "</td><td class=\"govuk-table__cell\">%s</td></tr>",
       outcome && !strcmp(js(it, "status"), "awaiting_signoff") ? "Waiting for a manager's sign-off"
       : outcome                                                ? outcome
                                                                : "Not yet decided");
  }
  hf(b, "</tbody></table>");
}

/* GET /referrals[?status=&rag=&page=] */
void web_referrals_list(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  const char *status = req_query(r, "status"), *rag = req_query(r, "rag"), *page_s = req_query(r, "page");
  if (status && !*status) status = NULL;
  if (rag && !*rag) rag = NULL;
  struct referral_filter f = {status, rag, 1};
  if (page_s) {
    char *end;
    long n = strtol(page_s, &end, 10);
    f.page = *page_s && !*end && n > 0 && n <= 100000 ? (int)n : 0;
  }
  json_t *out = NULL;
  int rc = svc_referral_list(r, &f, &errs, &out);
  if (rc != SVC_OK && rc != SVC_INVALID) {
    ferr_free(&errs);
    web_error_page(r, 503, "The referrals could not be shown just now. Please try again.");
    return;
  }
  bool area = role_in(r->who.role, ROLES_AREA_WIDE);
  struct page p;
  page_init(&p, area ? "MASH queue" : "Your referrals", "referrals");
  p.errors = &errs;
  p.error_links = LIST_LINKS;
  static const struct field_label labels[] = {{"status", "Status", NULL}, {"rag", "Rating", NULL},
                                              {"page", "Page", NULL}, {NULL, NULL, NULL}};
  web_humanise(&errs, labels);
  struct buf *b = &p.body;
  hf(b, "<h1 class=\"govuk-heading-l\">%s</h1>", area ? "MASH queue" : "Your referrals");
  if (role_in(r->who.role, REFERRAL_RAISERS)) web_button_link(b, "/referrals/new", "Make a referral", area);
  if (area) {
    static const struct code rags[] = {{"red", "Red"}, {"amber", "Amber"}, {"green", "Green"}, {NULL, NULL}};
    hf(b, "<form method=\"get\" action=\"/referrals\" novalidate>");
    web_select(b, "status", "Status", LIST_STATUSES, status ? status : "open", NULL, &errs, NULL);
    web_select(b, "rag", "Rating", rags, rag, NULL, &errs, "Any rating");
    web_button(b, "Show referrals");
    hf(b, "</form>");
  }
  json_t *items = json_object_get(out, "referrals");
  json_int_t total = json_integer_value(json_object_get(out, "total"));
  const char *shown_status = js(out, "status");
  if (rc == SVC_OK && json_array_size(items) == 0) {
    hf(b, "<p class=\"govuk-body\" data-testid=\"no-referrals\">%s</p>",
       area ? "No referrals match." : "You have not made any referrals yet.");
  } else if (rc == SVC_OK && area) {
    char caption[160];
    bool open_view = shown_status && strcmp(shown_status, "decided") != 0 && strcmp(shown_status, "all") != 0;
    snprintf(caption, sizeof caption, "%lld %s, %s", (long long)total, total == 1 ? "referral" : "referrals",
             open_view ? "soonest deadline first" : "newest first");
    queue_table(b, items, caption);
  } else if (rc == SVC_OK) {
    mine_table(b, items);
  }
  if (rc == SVC_OK) {
    int pages = (int)((total + REFERRAL_PAGE_SIZE - 1) / REFERRAL_PAGE_SIZE);
    pagination(b, status, rag, f.page, pages);
  }
  json_decref(out);
  page_send(r, &p, rc == SVC_INVALID ? 422 : 200);
  ferr_free(&errs);
}

/* ---- the referral form ---- */

static const struct error_link CREATE_LINKS[] = {
    {"immediate_danger", NULL},
    /* A known child the service refuses is asked for by their details instead: see web_referral_new. */
    {"child_id", "child.first_name"},
    {"child", "child.first_name"},
    {"child.first_name", NULL},
    {"child.last_name", NULL},
    {"child.date_of_birth", "child.date_of_birth-day"},
    {"child.gender", NULL},
    {"child.ethnicity", NULL},
    {"child.address", NULL},
    {"child.postcode", NULL},
    {"child.nhs_number", NULL},
    {"child.school", NULL},
    {"child.looked_after", NULL},
    {"childs_words", NULL},
    {"concern", NULL},
    {"indicators", NULL},
    {NULL, NULL},
};

static const struct field_label CREATE_LABELS[] = {
    {"immediate_danger", "Immediate danger", "Select yes if the child is in immediate danger now"},
    {"child_id", "The child's Safehub ID", NULL},
    {"child.first_name", "First name", "Enter the child's first name"},
    {"child.last_name", "Last name", "Enter the child's last name"},
    {"child.date_of_birth", "Date of birth", NULL},
    {"child.gender", "Gender", "Select the child's gender, or 'Not known'"},
    {"child.ethnicity", "Ethnicity", "Select the child's ethnicity, or 'Information not yet obtained'"},
    {"child.address", "Address", NULL},
    {"child.postcode", "Postcode", NULL},
    {"child.nhs_number", "NHS number", NULL},
    {"child.school", "School", NULL},
    {"childs_words", "The child's own words", NULL},
    {"concern", "What you are worried about", "Enter what you are worried about"},
    {"indicators", "Indicators", NULL},
    {NULL, NULL, NULL},
};

/* The indicator checkboxes of the risk tool in force, grouped, inside a GOV.UK details element. */
static void indicator_boxes(struct req *r, struct buf *b, struct field_errors *errs) {
  const struct risk_tool *tool = &r->app->risk_tool;
  json_t *chosen = r->form ? json_object_get(r->form, "indicators") : NULL;
  bool any = chosen != NULL;
  const char *why = errs ? ferr_get(errs, "indicators") : NULL;
  hf(b, "<details class=\"govuk-details\"%r><summary class=\"govuk-details__summary\"><span "
        "class=\"govuk-details__summary-text\">Signs of exploitation you have seen (optional)</span></summary>"
        "<div class=\"govuk-details__text\"><div class=\"govuk-form-group%r\">",
     any || why ? " open" : "", why ? " govuk-form-group--error" : "");
  if (why)
    hf(b, "<p id=\"indicators-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">Error:</span> "
          "%s</p>",
       why);
  json_t *groups = json_object_get(tool->doc, "groups");
  int n = 0;
  size_t gi;
  json_t *g;
  json_array_foreach(groups, gi, g) {
    const char *gcode = js(g, "code");
    hf(b, "<fieldset class=\"govuk-fieldset\"><legend class=\"govuk-fieldset__legend govuk-fieldset__legend--s\">%s"
          "</legend><div class=\"govuk-checkboxes govuk-checkboxes--small\" data-module=\"govuk-checkboxes\">",
       js(g, "label") ? js(g, "label") : gcode);
    for (int i = 0; i < tool->nindicators; i++) {
      const struct risk_indicator *ind = &tool->indicators[i];
      if (!ind->group || !gcode || strcmp(ind->group, gcode) != 0) continue;
      char id[48];
      if (n == 0) snprintf(id, sizeof id, "indicators");
      else snprintf(id, sizeof id, "indicators-%d", n + 1);
      n++;
      bool checked = false;
      if (json_is_string(chosen)) checked = !strcmp(json_string_value(chosen), ind->code);
      size_t ci;
      json_t *c;
      json_array_foreach(chosen, ci, c) checked = checked || !strcmp(json_string_value(c), ind->code);
      hf(b, "<div class=\"govuk-checkboxes__item\"><input class=\"govuk-checkboxes__input\" id=\"%s\" name=\"indicators\" "
            "type=\"checkbox\" value=\"%s\"%r%r%s%r><label class=\"govuk-label govuk-checkboxes__label\" for=\"%s\">%s</label>",
         id, ind->code, checked ? " checked" : "", ind->guidance ? " aria-describedby=\"" : "",
         ind->guidance ? id : "", ind->guidance ? "-item-hint\"" : "", id, ind->label);
      if (ind->guidance)
        hf(b, "<div id=\"%s-item-hint\" class=\"govuk-hint govuk-checkboxes__hint\">%s</div>", id, ind->guidance);
      hf(b, "</div>");
    }
    hf(b, "</div></fieldset>");
  }
  hf(b, "</div></div></details>");
}

/* The referral form, about CHILD (a known child's record) or, when NULL, with fields for the child's details. */
static void new_form_page(struct req *r, json_t *child, struct field_errors *errs, int status) {
  struct page p;
  page_init(&p, "Make a referral", "referrals");
  p.errors = errs;
  p.error_links = CREATE_LINKS;
  p.back = child ? NULL : "/referrals";
  char back[96];
  if (child) {
    snprintf(back, sizeof back, "/children/%s/referrals", js(child, "id"));
    p.back = back;
    web_child_identity_bar(&p.identity, child);
  }
  int days = r->app->cfg->decision_working_days;
  struct buf *b = &p.body;
  hf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">");
  if (child) {
    char name[256];
    web_child_name(child, name, sizeof name);
    hf(b, "<span class=\"govuk-caption-l\">About %s</span>", name);
  }
  hf(b, "<h1 class=\"govuk-heading-l\">Make a referral</h1><p class=\"govuk-body\">Tell the multi-agency safeguarding "
        "hub (MASH) what worries you about a child. You will get a reference straight away, and the MASH's decision "
        "within %d working %s.</p>",
     days, days == 1 ? "day" : "days");
  hf(b, "<div class=\"govuk-warning-text\"><span class=\"govuk-warning-text__icon\" aria-hidden=\"true\">!</span>"
        "<strong class=\"govuk-warning-text__text\"><span class=\"govuk-visually-hidden\">Warning</span>If a child is in "
        "immediate danger, call 999 now. Then make this referral.</strong></div>");
  hf(b, "<form method=\"post\" action=\"/referrals/new\" novalidate>");
  web_csrf_field(r, b);
  web_radios_yes_no(b, "immediate_danger", "Is the child in immediate danger now?",
                    "For example, with someone who is harming them, or missing and at risk tonight.",
                    posted(r, "immediate_danger"), errs);
  if (child) {
    hf(b, "<input type=\"hidden\" id=\"child_id\" name=\"child_id\" value=\"%s\">", js(child, "id"));
  } else {
    hf(b, "<h2 class=\"govuk-heading-m\">About the child</h2><p class=\"govuk-body\">Give what you know. The MASH will "
          "check who the child is.</p>");
    web_text_input(b, "child.first_name", "First name", posted(r, "child.first_name"), NULL, errs, "off",
                   "govuk-!-width-two-thirds");
    web_text_input(b, "child.last_name", "Last name", posted(r, "child.last_name"), NULL, errs, "off",
                   "govuk-!-width-two-thirds");
    web_date_input(r, b, "child.date_of_birth", "Date of birth (optional)", NULL,
                   "For example, 27 3 2011. Leave it blank if you do not know it.", errs);
    const char *gender = posted(r, "child.gender");
    web_select(b, "child.gender", "Gender", GENDERS, gender ? gender : "not_known", NULL, errs, NULL);
    web_select(b, "child.ethnicity", "Ethnicity", ETHNICITY_CODES, posted(r, "child.ethnicity"),
               "As the child or their family describe it. Choose 'Information not yet obtained' if you do not know.",
               errs, "Select ethnicity");
    web_text_input(b, "child.postcode", "Postcode (optional)", posted(r, "child.postcode"), NULL, errs, "off",
                   "govuk-input--width-10");
    web_textarea(b, "child.address", "Address (optional)", posted(r, "child.address"), NULL, errs);
    web_text_input(b, "child.nhs_number", "NHS number (optional)", posted(r, "child.nhs_number"),
                   "10 digits, for example 485 777 3456", errs, "off", "govuk-input--width-10");
    web_text_input(b, "child.school", "School (optional)", posted(r, "child.school"), NULL, errs, "off", NULL);
  }
  hf(b, "<h2 class=\"govuk-heading-m\">What has happened</h2>");
  web_textarea(b, "childs_words", "What the child said, in their own words (optional)", posted(r, "childs_words"),
               "Write down exactly what the child said, word for word, even if it seems unclear. Leave this empty if the "
               "child has said nothing.",
               errs);
  web_textarea(b, "concern", "What you are worried about", posted(r, "concern"),
               "What you saw or heard, when and where, and who else knows. Do not wait for proof.", errs);
  indicator_boxes(r, b, errs);
  web_button(b, "Send referral");
  hf(b, "</form></div></div>");
  page_send(r, &p, status);
}

/* GET /referrals/new[?child=ID] */
void web_referral_new_form(struct req *r) {
  const char *child_id = req_query(r, "child");
  json_t *child = NULL;
  if (child_id && *child_id) {
    int rc = svc_child_get(r, child_id, &child);
    if (rc == SVC_NOT_FOUND) {
      web_error_page(r, 404, "There is no child record at this address, or it is not open to you.");
      return;
    }
    if (rc != SVC_OK) {
      web_error_page(r, 503, "The referral form could not be shown just now. Please try again.");
      return;
    }
  }
  new_form_page(r, child, NULL, 200);
  json_decref(child);
}

/* Sets KEY of O to the trimmed V unless V is blank or absent. */
static void put_trimmed(json_t *o, const char *key, const char *v) {
  if (!v) return;
  char *t = text_trim_dup(v);
  if (*t) json_object_set_new(o, key, json_string(t));
  free(t);
}

/*
** The posted referral form as the API's JSON (caller owns it).  What only
** the form can get wrong (a date that is not real, an unanswered question)
** goes to ERRS.
*/
static json_t *referral_from_form(struct req *r, struct field_errors *errs) {
  json_t *in = json_object();
  const char *child_id = form_str(r, "child_id");
  if (child_id && *child_id) {
    json_object_set_new(in, "child_id", json_string(child_id));
  } else {
    json_t *c = json_object();
    json_object_set_new(c, "first_name", json_string(form_str(r, "child.first_name") ? form_str(r, "child.first_name") : ""));
    json_object_set_new(c, "last_name", json_string(form_str(r, "child.last_name") ? form_str(r, "child.last_name") : ""));
    json_t *first = json_object_get(c, "first_name"), *last = json_object_get(c, "last_name");
    char *tf = text_trim_dup(json_string_value(first)), *tl = text_trim_dup(json_string_value(last));
    json_object_set_new(c, "first_name", json_string(tf));
    json_object_set_new(c, "last_name", json_string(tl));
    free(tf);
    free(tl);
    json_t *dob = form_date(r, "child.date_of_birth", errs, "Date of birth");
    if (dob && json_is_string(dob)) json_object_set_new(c, "date_of_birth", dob);
    else json_decref(dob);
    put_trimmed(c, "gender", form_str(r, "child.gender"));
    const char *eth = form_str(r, "child.ethnicity");
    if (eth && *eth) json_object_set_new(c, "ethnicity", json_string(eth));
    put_trimmed(c, "postcode", form_str(r, "child.postcode"));
    put_trimmed(c, "address", form_str(r, "child.address"));
    put_trimmed(c, "nhs_number", form_str(r, "child.nhs_number"));
    put_trimmed(c, "school", form_str(r, "child.school"));
    json_object_set_new(in, "child", c);
  }
  const char *words = form_str(r, "childs_words");
  if (words && !text_is_blank(words)) json_object_set_new(in, "childs_words", json_string(words));
  const char *concern = form_str(r, "concern");
  json_object_set_new(in, "concern", json_string(concern ? concern : ""));
  json_t *chosen = json_object_get(r->form, "indicators");
  json_t *codes = json_array();
  if (json_is_string(chosen)) json_array_append(codes, chosen);
  else if (json_is_array(chosen)) json_array_extend(codes, chosen);
  json_object_set_new(in, "indicators", codes);
  const char *danger = form_str(r, "immediate_danger");
  if (danger && (!strcmp(danger, "yes") || !strcmp(danger, "no")))
    json_object_set_new(in, "immediate_danger", json_boolean(!strcmp(danger, "yes")));
  else
    ferr_add(errs, "immediate_danger", "is required");
  return in;
}

/* POST /referrals/new */
void web_referral_new(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  json_t *in = referral_from_form(r, &errs);
  int rc;
  char id[ID_MAX];
  if (ferr_any(&errs)) {
    /* Show every mistake at once: check the rest as the service would, saving nothing. */
    struct field_errors more;
    ferr_init(&more);
    rc = svc_referral_check(r, in, &more);
    const char *k;
    json_t *v;
    json_object_foreach(more.fields, k, v) {
      if (!ferr_get(&errs, k)) ferr_add(&errs, k, "%s", json_string_value(v));
    }
    ferr_free(&more);
    rc = rc == SVC_ERROR ? SVC_ERROR : SVC_INVALID;
  } else {
    rc = svc_referral_create(r, in, &errs, id);
  }
  if (rc == SVC_OK) {
    char loc[96];
    snprintf(loc, sizeof loc, "/referrals/%s?sent=1", id);
    resp_redirect(r, loc);
  } else if (rc == SVC_INVALID) {
    /*
    ** A known child is shown again, but one the service refused (not open
    ** to this user, or not an ID at all) is not: the form asks for the
    ** child's details instead, which is where the error links.
    */
    json_t *child = NULL;
    const char *child_id = form_str(r, "child_id");
    if (child_id && *child_id && !ferr_get(&errs, "child_id") && svc_child_get(r, child_id, &child) != SVC_OK)
      child = NULL;
    /* Item errors ("indicators[2]") are shown on the indicators as a whole. */
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(errs.fields, tmp, k, v) {
      if (!strncmp(k, "indicators[", 11)) {
        if (!ferr_get(&errs, "indicators")) ferr_add(&errs, "indicators", "%s", "Choose indicators from the list only");
        json_object_del(errs.fields, k);
      }
    }
    web_humanise(&errs, CREATE_LABELS);
    new_form_page(r, child, &errs, 422);
    json_decref(child);
  } else {
    web_error_page(r, 503, "The referral could not be sent just now. Please try again: nothing was saved.");
  }
  json_decref(in);
  ferr_free(&errs);
}

/* ---- a referral ---- */

static const struct error_link VIEW_LINKS[] = {
    {"child_choice", NULL}, {"other_child_id", NULL}, {"assign_to", NULL},        {"rag", NULL},
    {"rag_reason", NULL},   {"outcome", NULL},        {"rationale", NULL},        {"signoff_outcome", NULL},
    {"signoff_reason", NULL}, {"challenge_reason", NULL}, {"answer_outcome", NULL}, {"answer_response", NULL},
    {"action", "actions"},  {NULL, NULL},
};

/* The indicators of REF with their labels from the risk tool in force. */
static void indicator_list(struct req *r, struct buf *b, json_t *codes) {
  if (json_array_size(codes) == 0) {
    hf(b, "<p class=\"govuk-body\">None recorded.</p>");
    return;
  }
  hf(b, "<ul class=\"govuk-list govuk-list--bullet\" data-testid=\"indicators\">");
  size_t i;
  json_t *c;
  json_array_foreach(codes, i, c) {
    const struct risk_indicator *ind = risk_tool_indicator(&r->app->risk_tool, json_string_value(c));
    hf(b, "<li>%s <span class=\"govuk-hint\">(%s)</span></li>", ind ? ind->label : json_string_value(c),
       json_string_value(c));
  }
  hf(b, "</ul>");
}

/* "Name (agency)" of a user brief, or FALLBACK. */
static const char *person(json_t *who, const char *fallback) {
  return json_is_object(who) && js(who, "name") ? js(who, "name") : fallback;
}

/* The form to confirm which child the referral is about, with the possible matches. */
static void confirm_form(struct req *r, struct buf *b, json_t *ref, struct field_errors *errs) {
  json_t *m = NULL;
  int rc = svc_referral_matches(r, js(ref, "id"), &m);
  hf(b, "<h3 class=\"govuk-heading-s\">Which child is this?</h3>");
  if (rc != SVC_OK) {
    hf(b, "<p class=\"govuk-body\">Possible matches could not be found just now.</p>");
    return;
  }
  json_t *cands = json_object_get(m, "candidates");
  size_t n = json_array_size(cands);
  bool details = json_is_object(json_object_get(ref, "child_details"));
  struct code *codes = xcalloc(n + 2, sizeof *codes);
  const char **hints = xcalloc(n + 2, sizeof *hints);
  char **owned = xcalloc(2 * n + 2, sizeof *owned);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    json_t *c = json_array_get(cands, i);
    char born[48], label[400];
    const char *dob = js(c, "date_of_birth");
    char prob[48] = "";
    if (json_is_number(json_object_get(c, "probability"))) {
      snprintf(prob, sizeof prob, " (match probability %.0f%%)", 100.0 * json_number_value(json_object_get(c, "probability")));
    }
    snprintf(label, sizeof label, "%s %s, %s%s%s%s%s%s%s%s", js(c, "first_name"), js(c, "last_name"),
             dob ? "born " : "date of birth not known", dob ? web_date_long(dob, born, sizeof born) : "",
             js(c, "postcode") ? ", " : "", js(c, "postcode") ? js(c, "postcode") : "",
             js(c, "nhs_number") ? ", NHS number " : "", js(c, "nhs_number") ? js(c, "nhs_number") : "",
             json_is_true(json_object_get(c, "exact")) ? " (exact match)" : "", prob);
    struct buf h = BUF_INIT;
    size_t j;
    json_t *e;
    json_array_foreach(json_object_get(c, "explanation"), j, e) {
      if (j) buf_puts(&h, "; ");
      buf_puts(&h, json_string_value(e));
    }
    buf_printf(&h, ". Safehub ID %s", js(c, "child_id"));
    owned[k++] = xstrdup(label);
    owned[k++] = buf_steal(&h);
    codes[i].code = js(c, "child_id");
    codes[i].label = owned[k - 2];
    hints[i] = owned[k - 1];
  }
  if (details) {
    codes[n].code = "new";
    codes[n].label = "None of these: record a new child from the details the referrer gave";
  }
  if (n == 0) hf(b, "<p class=\"govuk-body\" data-testid=\"no-matches\">No child known to Safehub matches these details.</p>");
  hf(b, "<form method=\"post\" action=\"/referrals/%u/child\" novalidate>", js(ref, "id"));
  web_csrf_field(r, b);
  if (codes[0].code) {
    radios(b, "child_choice", n ? "Possible matches, best first" : "Record the child", NULL, codes, hints,
           posted(r, "child_choice"), errs);
  }
  web_text_input(b, "other_child_id", "Or give the Safehub ID of another child (optional)", posted(r, "other_child_id"),
                 "Find the child under Children; the ID is on their record.", errs, "off", "govuk-input--width-20");
  web_button(b, "Confirm the child");
  hf(b, "</form>");
  for (size_t i = 0; i < k; i++) free(owned[i]);
  free(owned);
  free(codes);
  free(hints);
  json_decref(m);
}

/* The form to give the referral to a MASH worker. */
static void assign_form(struct req *r, struct buf *b, json_t *ref, struct field_errors *errs) {
  json_t *staff = NULL;
  if (svc_referral_mash_staff(r, &staff) != SVC_OK) return;
  size_t n = json_array_size(staff);
  struct code *codes = xcalloc(n + 1, sizeof *codes);
  char **labels = xcalloc(n + 1, sizeof *labels);
  for (size_t i = 0; i < n; i++) {
    json_t *s = json_array_get(staff, i);
    labels[i] = xasprintf("%s (%s)", js(s, "name"), !strcmp(js(s, "role"), "mash") ? "MASH" : "manager");
    codes[i].code = js(s, "id");
    codes[i].label = labels[i];
  }
  const char *current = posted(r, "assign_to");
  if (!r->form) current = js(json_object_get(ref, "assigned_to"), "id");
  hf(b, "<h3 class=\"govuk-heading-s\">Who is working on it</h3><form method=\"post\" action=\"/referrals/%u/assign\" "
        "novalidate>",
     js(ref, "id"));
  web_csrf_field(r, b);
  web_select(b, "assign_to", "Assigned to", codes, current, "The deadlines on the referral go to them.", errs,
             "Nobody: the MASH queue");
  hf(b, "<button type=\"submit\" class=\"govuk-button govuk-button--secondary\" data-module=\"govuk-button\" "
        "data-prevent-double-click=\"true\">Assign</button></form>");
  for (size_t i = 0; i < n; i++) free(labels[i]);
  free(labels);
  free(codes);
  json_decref(staff);
}

/* The forms for the work the user may do now (the referral's "actions"). */
static void action_forms(struct req *r, struct buf *b, json_t *ref, struct field_errors *errs) {
  json_t *actions = json_object_get(ref, "actions");
  if (json_array_size(actions) == 0) return;
  const struct config *cfg = r->app->cfg;
  const char *id = js(ref, "id");
  hf(b, "<h2 class=\"govuk-heading-m\" id=\"actions\" tabindex=\"-1\">What to do next</h2>");
  if (can(actions, "confirm_child")) confirm_form(r, b, ref, errs);
  if (can(actions, "assign")) assign_form(r, b, ref, errs);
  if (can(actions, "triage")) {
    char red[80], amber[80], green[80];
    snprintf(red, sizeof red, "MASH checks within %d working hours of receipt", cfg->triage_red_hours);
    snprintf(amber, sizeof amber, "MASH checks within %d working hours of receipt", cfg->triage_amber_hours);
    snprintf(green, sizeof green, "MASH checks within %d working hours of receipt", cfg->triage_green_hours);
    const char *hints[] = {red, amber, green, NULL};
    hf(b, "<h3 class=\"govuk-heading-s\">%s</h3><form method=\"post\" action=\"/referrals/%u/triage\" novalidate>",
       js(ref, "rag") ? "Rate it again" : "Rate it", id);
    web_csrf_field(r, b);
    radios(b, "rag", "Rating", NULL, REFERRAL_RAGS, hints, posted(r, "rag"), errs);
    web_textarea(b, "rag_reason", "Why this rating", posted(r, "rag_reason"), NULL, errs);
    web_button(b, "Save the rating");
    hf(b, "</form>");
  }
  if (can(actions, "decide")) {
    const char *hints[] = {"A manager must sign this off when the referral is rated red, reported immediate danger or "
                           "carries an exploitation indicator.",
                           NULL, NULL, NULL, NULL, NULL, NULL};
    hf(b, "<h3 class=\"govuk-heading-s\">Decide</h3><form method=\"post\" action=\"/referrals/%u/decision\" novalidate>", id);
    web_csrf_field(r, b);
    radios(b, "outcome", "Decision", NULL, REFERRAL_OUTCOMES, hints, posted(r, "outcome"), errs);
    web_textarea(b, "rationale", "Rationale", posted(r, "rationale"),
                 "Why this decision: the referrer will read it, and so may the child one day.", errs);
    web_button(b, "Record the decision");
    hf(b, "</form>");
  }
  if (can(actions, "signoff")) {
    hf(b, "<h3 class=\"govuk-heading-s\">Sign off closing with no further action</h3><form method=\"post\" "
          "action=\"/referrals/%u/signoff\" novalidate>",
       id);
    web_csrf_field(r, b);
    radios(b, "signoff_outcome", "Do you agree?", NULL, SIGNOFF_OUTCOMES, NULL, posted(r, "signoff_outcome"), errs);
    web_textarea(b, "signoff_reason", "Reason", posted(r, "signoff_reason"),
                 "Needed when you send the decision back.", errs);
    web_button(b, "Save the sign-off");
    hf(b, "</form>");
  }
  if (can(actions, "challenge")) {
    hf(b, "<h3 class=\"govuk-heading-s\">Challenge the decision</h3><p class=\"govuk-body\">If you disagree with the "
          "decision, say why. A manager will answer within %d working %s.</p><form method=\"post\" "
          "action=\"/referrals/%u/challenge\" novalidate>",
       cfg->challenge_working_days, cfg->challenge_working_days == 1 ? "day" : "days", id);
    web_csrf_field(r, b);
    web_textarea(b, "challenge_reason", "Why you disagree", posted(r, "challenge_reason"), NULL, errs);
    web_button(b, "Challenge the decision");
    hf(b, "</form>");
  }
  if (can(actions, "answer_challenge")) {
    hf(b, "<h3 class=\"govuk-heading-s\">Answer the challenge</h3><form method=\"post\" "
          "action=\"/referrals/%u/challenge-response\" novalidate>",
       id);
    web_csrf_field(r, b);
    radios(b, "answer_outcome", "Your answer", NULL, CHALLENGE_ANSWERS, NULL, posted(r, "answer_outcome"), errs);
    web_textarea(b, "answer_response", "What you tell the referrer", posted(r, "answer_response"), NULL, errs);
    web_button(b, "Send the answer");
    hf(b, "</form>");
  }
}

/* The referral's deadlines and the escalations of those not met in time. */
static void clock_tables(struct buf *b, json_t *ref) {
  json_t *deadlines = json_object_get(ref, "deadlines"), *esc = json_object_get(ref, "escalations");
  hf(b, "<table class=\"govuk-table\" data-testid=\"deadlines\"><caption class=\"govuk-table__caption "
        "govuk-table__caption--m\">Deadlines</caption><thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">"
        "<th scope=\"col\" class=\"govuk-table__header\">Work</th><th scope=\"col\" class=\"govuk-table__header\">Due</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Done</th><th scope=\"col\" class=\"govuk-table__header\">With</th>"
        "</tr></thead><tbody class=\"govuk-table__body\">");
  size_t i;
  json_t *d;
  json_array_foreach(deadlines, i, d) {
    char due[64], met[64];
    hf(b, "<tr class=\"govuk-table__row\"><td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">%s</td>"
          "<td class=\"govuk-table__cell\">",
       due_label(js(d, "kind")), when(js(d, "due_at"), due, sizeof due));
    if (js(d, "met_at")) {
      hf(b, "%s", when(js(d, "met_at"), met, sizeof met));
    } else if (past(js(d, "due_at"))) {
      web_tag(b, "Overdue", "red");
    } else {
      hf(b, "Not yet");
    }
    hf(b, "</td><td class=\"govuk-table__cell\">%s</td></tr>", js(d, "owner") ? js(d, "owner") : "MASH queue");
  }
  hf(b, "</tbody></table>");
  if (json_array_size(esc) == 0) return;
  hf(b, "<table class=\"govuk-table\" data-testid=\"escalations\"><caption class=\"govuk-table__caption "
        "govuk-table__caption--m\">Escalations</caption><thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">"
        "<th scope=\"col\" class=\"govuk-table__header\">When</th><th scope=\"col\" class=\"govuk-table__header\">Level</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">To</th><th scope=\"col\" class=\"govuk-table__header\">Why</th>"
        "</tr></thead><tbody class=\"govuk-table__body\">");
  json_t *e;
  json_array_foreach(esc, i, e) {
    char at[64];
    hf(b, "<tr class=\"govuk-table__row\"><td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">%lld</td>"
          "<td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">%s</td></tr>",
       when(js(e, "at"), at, sizeof at), (long long)json_integer_value(json_object_get(e, "level")), js(e, "to_user"),
       js(e, "reason"));
  }
  hf(b, "</tbody></table><p class=\"govuk-body\">An escalation ends only when the overdue work is done.</p>");
}

/* What a history event says, for people. */
static void history_text(struct buf *b, json_t *e) {
  const char *type = js(e, "type");
  json_t *d = json_object_get(e, "detail");
  if (!strcmp(type, "received")) {
    hf(b, "Referral received");
  } else if (!strcmp(type, "danger_reported")) {
    hf(b, "Red at once: the referrer reported that the child is in immediate danger");
  } else if (!strcmp(type, "triaged")) {
    hf(b, "Rated %s", js(d, "rag"));
    if (js(d, "reason")) hf(b, ": %s", js(d, "reason"));
  } else if (!strcmp(type, "decided")) {
    const char *label = code_label(REFERRAL_OUTCOMES, js(d, "outcome"));
    hf(b, "Decided: %s%r", label ? label : js(d, "outcome"),
       json_is_true(json_object_get(d, "signoff_needed")) ? " (needs a manager's sign-off)" : "");
  } else if (!strcmp(type, "signed_off")) {
    hf(b, "Closing with no further action signed off");
  } else if (!strcmp(type, "sent_back")) {
    hf(b, "Sent back for a new decision: %s", js(d, "reason"));
  } else if (!strcmp(type, "challenged")) {
    hf(b, "Decision challenged: %s", js(d, "reason"));
  } else if (!strcmp(type, "challenge_answered")) {
    const char *label = code_label(CHALLENGE_ANSWERS, js(d, "outcome"));
    hf(b, "Challenge answered: %s", label ? label : js(d, "outcome"));
  } else if (!strcmp(type, "assigned")) {
    hf(b, "%r", js(d, "to") ? "Assigned to a MASH worker" : "Returned to the MASH queue");
  } else if (!strcmp(type, "child_confirmed")) {
    hf(b, "%r", json_is_true(json_object_get(d, "created")) ? "Child recorded and confirmed" : "Child confirmed");
  } else {
    hf(b, "%s", type);
  }
}

/*
** The referral page: the child's own words first, the concern, the child,
** the rating, the decision, any challenge, the clock and the history, and
** the forms for the work the user may do now.  ERRS (NULL for none) belong
** to a form posted here; STATUS is the HTTP status to answer with.
*/
static void view_page(struct req *r, const char *id, struct field_errors *errs, int status) {
  json_t *ref = NULL;
  int rc = svc_referral_get(r, id, &ref);
  if (rc == SVC_NOT_FOUND) {
    web_error_page(r, 404, "There is no referral at this address, or it is not open to you.");
    return;
  }
  if (rc != SVC_OK) {
    web_error_page(r, 503, "The referral could not be shown just now. Please try again.");
    return;
  }
  char title[64];
  snprintf(title, sizeof title, "Referral %s", js(ref, "reference"));
  struct page p;
  page_init(&p, title, "referrals");
  p.errors = errs;
  p.error_links = VIEW_LINKS;
  p.back = "/referrals";
  json_t *child = json_object_get(ref, "child");
  if (json_is_object(child)) web_child_identity_bar(&p.identity, child);
  const char *done = req_query(r, "done");
  static const struct code NOTICES[] = {
      {"rated", "The rating has been saved"},       {"decided", "The decision has been recorded"},
      {"signed_off", "The sign-off has been saved"}, {"challenged", "Your challenge has been sent to a manager"},
      {"answered", "Your answer has been sent"},    {"assigned", "The referral has been assigned"},
      {"confirmed", "The child has been confirmed"}, {NULL, NULL},
  };
  if (done && !errs) p.notice = code_label(NOTICES, done);
  struct buf *b = &p.body;
  if (req_query(r, "sent") && !errs) {
    hf(b, "<div class=\"govuk-panel govuk-panel--confirmation\"><h1 class=\"govuk-panel__title\">Referral sent</h1>"
          "<div class=\"govuk-panel__body\">Your reference<br><strong data-testid=\"reference\">%s</strong></div></div>"
          "<h2 class=\"govuk-heading-m\">What happens next</h2><p class=\"govuk-body\">The MASH will rate your referral "
          "and decide what to do within %d working %s. You will see the decision here and in your notifications%r.</p>",
       js(ref, "reference"), r->app->cfg->decision_working_days, r->app->cfg->decision_working_days == 1 ? "day" : "days",
       r->app->cfg->smtp_host && r->app->cfg->smtp_host[0] ? ", and by email" : "");
    hf(b, "<h2 class=\"govuk-heading-m\">What you sent</h2>");
  } else {
    hf(b, "<span class=\"govuk-caption-l\">Referral from %s</span><h1 class=\"govuk-heading-l\" "
          "data-testid=\"reference\">%s</h1>",
       js(json_object_get(ref, "agency"), "name"), js(ref, "reference"));
  }
  hf(b, "<p class=\"govuk-body\" id=\"referral-status\" data-testid=\"referral-status\">");
  status_tag(b, js(ref, "status"));
  hf(b, " ");
  rag_tag(b, js(ref, "rag"));
  hf(b, "</p>");
  if (json_is_true(json_object_get(ref, "immediate_danger"))) {
    hf(b, "<div class=\"govuk-warning-text\"><span class=\"govuk-warning-text__icon\" aria-hidden=\"true\">!</span>"
          "<strong class=\"govuk-warning-text__text\"><span class=\"govuk-visually-hidden\">Warning</span>The referrer "
          "reported that the child is in immediate danger.</strong></div>");
  }
  hf(b, "<h2 class=\"govuk-heading-m\">In the child's own words</h2>");
  if (js(ref, "childs_words")) {
    hf(b, "<div class=\"govuk-inset-text\" data-testid=\"childs-words\">");
    paragraphs(b, js(ref, "childs_words"));
    hf(b, "</div>");
  } else {
    hf(b, "<p class=\"govuk-body\" data-testid=\"childs-words\">The referrer did not record anything the child said.</p>");
  }
  hf(b, "<h2 class=\"govuk-heading-m\">The concern</h2><div data-testid=\"concern\">");
  paragraphs(b, js(ref, "concern"));
  hf(b, "</div><h2 class=\"govuk-heading-m\">Signs of exploitation seen</h2>");
  indicator_list(r, b, json_object_get(ref, "indicators"));

  char t1[64], t2[64], t3[64];
  hf(b, "<h2 class=\"govuk-heading-m\">The child</h2>");
  json_t *given = json_object_get(ref, "child_details");
  if (json_is_object(child)) {
    char name[256];
    web_child_name(child, name, sizeof name);
    hf(b, "<p class=\"govuk-body\">Confirmed as <a class=\"govuk-link\" href=\"/children/%u\">%s</a>.</p>", js(child, "id"),
       name);
  } else {
    hf(b, "<p class=\"govuk-body\">");
    web_tag(b, "Not yet confirmed", "yellow");
    hf(b, " The MASH will check which child this is.</p>");
  }
  if (json_is_object(given)) {
    char name[256], born[48];
    web_child_name(given, name, sizeof name);
    const char *dob = js(given, "date_of_birth");
    hf(b, "<dl class=\"govuk-summary-list\" data-testid=\"child-details\">");
    web_summary_row(b, "Name given", name);
    web_summary_row(b, "Date of birth given", dob ? web_date_long(dob, born, sizeof born) : NULL);
    web_summary_row(b, "Postcode given", js(given, "postcode"));
    web_summary_row(b, "NHS number given", js(given, "nhs_number"));
    web_summary_row(b, "School given", js(given, "school"));
    hf(b, "</dl>");
  }

  json_t *referrer = json_object_get(ref, "referrer");
  hf(b, "<h2 class=\"govuk-heading-m\">The referral</h2><dl class=\"govuk-summary-list\" data-testid=\"referral-details\">");
  web_summary_row(b, "Reference", js(ref, "reference"));
  char from[300];
  snprintf(from, sizeof from, "%s, %s", person(referrer, "Not known"), js(json_object_get(ref, "agency"), "name"));
  web_summary_row(b, "From", from);
  web_summary_row(b, "Received", when(js(ref, "received_at"), t1, sizeof t1));
  web_summary_row(b, "Decision due", when(js(ref, "due_at"), t2, sizeof t2));
  const char *rag = js(ref, "rag");
  {
    /* The reason in full, however long, its lines kept as paragraphs. */
    struct buf rating = BUF_INIT;
    buf_printf(&rating, "%s%s%s", rag ? code_label(REFERRAL_RAGS, rag) : "Not rated yet", rag ? ": " : "",
               rag && js(ref, "rag_reason") ? js(ref, "rag_reason") : "");
    hf(b, "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">Rating</dt>"
          "<dd class=\"govuk-summary-list__value\" data-testid=\"rating\">");
    paragraphs(b, buf_cstr(&rating));
    hf(b, "</dd></div>");
    buf_free(&rating);
  }
  web_summary_row(b, "Assigned to", person(json_object_get(ref, "assigned_to"), "Nobody: the MASH queue"));
  hf(b, "</dl>");

  if (js(ref, "outcome")) {
    hf(b, "<h2 class=\"govuk-heading-m\">Decision</h2><dl class=\"govuk-summary-list\" data-testid=\"decision\">");
    web_summary_row(b, "Decision", code_label(REFERRAL_OUTCOMES, js(ref, "outcome")));
    web_summary_row(b, "Rationale", js(ref, "rationale"));
    char by[300];
    snprintf(by, sizeof by, "%s, %s", person(json_object_get(ref, "decided_by"), "Not known"),
             when(js(ref, "decided_at"), t3, sizeof t3));
    web_summary_row(b, "Decided by", by);
    if (json_is_true(json_object_get(ref, "signoff_needed"))) {
      char so[300];
      if (js(ref, "signed_off_at"))
        snprintf(so, sizeof so, "Signed off by %s", person(json_object_get(ref, "signed_off_by"), "a manager"));
      else
        snprintf(so, sizeof so, "Waiting for a manager's sign-off");
      web_summary_row(b, "Manager's sign-off", so);
    }
    hf(b, "</dl>");
  }
  json_t *ch = json_object_get(ref, "challenge");
  if (json_is_object(ch)) {
    hf(b, "<h2 class=\"govuk-heading-m\">Challenge</h2><dl class=\"govuk-summary-list\" data-testid=\"challenge\">");
    web_summary_row(b, "Why the referrer disagrees", js(ch, "reason"));
    char by[300];
    snprintf(by, sizeof by, "%s, %s", person(json_object_get(ch, "by"), "Not known"), when(js(ch, "at"), t1, sizeof t1));
    web_summary_row(b, "Challenged by", by);
    const char *ans = code_label(CHALLENGE_ANSWERS, js(ch, "outcome"));
    web_summary_row(b, "Answer", ans ? ans : "Waiting for a manager's answer");
    if (js(ch, "response")) web_summary_row(b, "What the manager said", js(ch, "response"));
    hf(b, "</dl>");
  }
  action_forms(r, b, ref, errs);
  clock_tables(b, ref);
  hf(b, "<h2 class=\"govuk-heading-m\">History</h2><div class=\"moj-timeline\" data-testid=\"history\">");
  json_t *history = json_object_get(ref, "history");
  for (size_t i = json_array_size(history); i-- > 0;) {
    json_t *e = json_array_get(history, i);
    json_t *by = json_object_get(e, "by");
    char at[64];
    hf(b, "<div class=\"moj-timeline__item\"><div class=\"moj-timeline__header\"><h3 class=\"moj-timeline__title\">");
    history_text(b, e);
    hf(b, "</h3><p class=\"moj-timeline__byline\">by %s%r%s</p></div><p class=\"moj-timeline__date\"><time datetime=\"%s\">"
          "%s</time></p></div>",
       person(by, "Safehub"), json_is_object(by) && js(by, "agency") ? ", " : "",
       json_is_object(by) && js(by, "agency") ? js(by, "agency") : "", js(e, "at"), when(js(e, "at"), at, sizeof at));
  }
  hf(b, "</div>");
  json_decref(ref);
  page_send(r, &p, status);
}

/* GET /referrals/{id}[?sent=1|done=WHAT] */
void web_referral_view(struct req *r) { view_page(r, req_param(r, 0), NULL, 200); }

/* A form field of a page and the API field it becomes, with its label for error messages. */
struct form_field {
  const char *form, *api, *label, *required;
};

/*
** Runs the change FN on the referral with INPUT (stolen) and answers:
** back to the referral with DONE's notice, or the referral page again with
** the errors beside the form's fields (FIELDS maps the API's names to the
** form's), a 403 or 409 reason at the top, or an error page.
*/
typedef int (*change_fn)(struct req *r, const char *id, json_t *input, struct field_errors *errs, char *why);
static void act(struct req *r, change_fn fn, json_t *input, const struct form_field *fields, const char *done) {
  const char *id = req_param(r, 0);
  struct field_errors errs, shown;
  ferr_init(&errs);
  ferr_init(&shown);
  char why[REFERRAL_WHY_MAX] = "";
  int rc = fn(r, id, input, &errs, why);
  json_decref(input);
  if (rc == SVC_OK) {
    char loc[128];
    snprintf(loc, sizeof loc, "/referrals/%s?done=%s", id, done);
    resp_redirect(r, loc);
  } else if (rc == SVC_INVALID) {
    const char *k;
    json_t *v;
    json_object_foreach(errs.fields, k, v) {
      const struct form_field *f = fields;
      while (f->form && strcmp(f->api, k) != 0) f++;
      if (!f->form) {
        ferr_add(&shown, "action", "%s %s", k, json_string_value(v));
        continue;
      }
      if (!strcmp(json_string_value(v), "is required") && f->required) ferr_add(&shown, f->form, "%s", f->required);
      else ferr_add(&shown, f->form, "%s %s", f->label, json_string_value(v));
    }
    view_page(r, id, &shown, 422);
  } else if (rc == SVC_CONFLICT || rc == SVC_FORBIDDEN) {
    ferr_add(&shown, "action", "%s", why);
    view_page(r, id, &shown, rc == SVC_CONFLICT ? 409 : 403);
  } else if (rc == SVC_NOT_FOUND) {
    web_error_page(r, 404, "There is no referral at this address, or it is not open to you.");
  } else {
    web_error_page(r, 503, "That could not be saved just now. Please try again.");
  }
  ferr_free(&errs);
  ferr_free(&shown);
}

/* Sets KEY of O to the posted NAME, if any (blank text is kept, so "is required" is said of it). */
static void put_posted(struct req *r, json_t *o, const char *key, const char *name) {
  const char *v = form_str(r, name);
  if (v) json_object_set_new(o, key, json_string(v));
}

/* POST /referrals/{id}/child */
void web_referral_confirm_child(struct req *r) {
  static const struct form_field fields[] = {
      {"other_child_id", "child_id", "Safehub ID", "Choose the child, or record a new one"},
      {"child_choice", "create", "Recording a new child:", NULL},
      {NULL, NULL, NULL, NULL}};
  json_t *in = json_object();
  const char *other = form_str(r, "other_child_id"), *choice = form_str(r, "child_choice");
  char *trimmed = other ? text_trim_dup(other) : NULL;
  if (trimmed && *trimmed) json_object_set_new(in, "child_id", json_string(trimmed));
  else if (choice && !strcmp(choice, "new")) json_object_set_new(in, "create", json_true());
  else if (choice && *choice) json_object_set_new(in, "child_id", json_string(choice));
  free(trimmed);
  act(r, svc_referral_confirm_child, in, fields, "confirmed");
}

/* POST /referrals/{id}/assign */
void web_referral_assign(struct req *r) {
  static const struct form_field fields[] = {{"assign_to", "user_id", "Assigned to", NULL}, {NULL, NULL, NULL, NULL}};
  const char *to = form_str(r, "assign_to");
  json_t *in = json_pack("{s:o}", "user_id", to && *to ? json_string(to) : json_null());
  act(r, svc_referral_assign, in, fields, "assigned");
}

/* POST /referrals/{id}/triage */
void web_referral_triage(struct req *r) {
  static const struct form_field fields[] = {
      {"rag", "rag", "Rating", "Select a rating: red, amber or green"},
      {"rag_reason", "reason", "Why this rating", "Enter why you chose this rating"},
      {NULL, NULL, NULL, NULL}};
  json_t *in = json_object();
  put_posted(r, in, "rag", "rag");
  put_posted(r, in, "reason", "rag_reason");
  act(r, svc_referral_triage, in, fields, "rated");
}

/* POST /referrals/{id}/decision */
void web_referral_decide(struct req *r) {
  static const struct form_field fields[] = {
      {"outcome", "outcome", "Decision", "Select the decision"},
      {"rationale", "rationale", "Rationale", "Enter the rationale for the decision"},
      {NULL, NULL, NULL, NULL}};
  json_t *in = json_object();
  put_posted(r, in, "outcome", "outcome");
  put_posted(r, in, "rationale", "rationale");
  act(r, svc_referral_decide, in, fields, "decided");
}

/* POST /referrals/{id}/signoff */
void web_referral_signoff(struct req *r) {
  static const struct form_field fields[] = {
      {"signoff_outcome", "outcome", "Your answer", "Select whether you agree"},
      {"signoff_reason", "reason", "Reason", "Enter the reason"},
      {NULL, NULL, NULL, NULL}};
  json_t *in = json_object();
  put_posted(r, in, "outcome", "signoff_outcome");
  const char *reason = form_str(r, "signoff_reason");
  if (reason && !text_is_blank(reason)) json_object_set_new(in, "reason", json_string(reason));
  act(r, svc_referral_signoff, in, fields, "signed_off");
}

/* POST /referrals/{id}/challenge */
void web_referral_challenge(struct req *r) {
  static const struct form_field fields[] = {
      {"challenge_reason", "reason", "Why you disagree", "Enter why you disagree with the decision"},
      {NULL, NULL, NULL, NULL}};
  json_t *in = json_object();
  put_posted(r, in, "reason", "challenge_reason");
  act(r, svc_referral_challenge, in, fields, "challenged");
}

/* POST /referrals/{id}/challenge-response */
void web_referral_answer(struct req *r) {
  static const struct form_field fields[] = {
      {"answer_outcome", "outcome", "Your answer", "Select your answer"},
      {"answer_response", "response", "What you tell the referrer", "Enter what you tell the referrer"},
      {NULL, NULL, NULL, NULL}};
  json_t *in = json_object();
  put_posted(r, in, "outcome", "answer_outcome");
  put_posted(r, in, "response", "answer_response");
  act(r, svc_referral_answer_challenge, in, fields, "answered");
}

/* ---- the child's Referrals tab ---- */

/* GET /children/{id}/referrals */
void web_child_referrals(struct req *r) {
  const char *id = req_param(r, 0);
  json_t *child = NULL, *list = NULL;
  int rc = svc_child_get(r, id, &child);
  if (rc == SVC_OK) rc = svc_child_referrals(r, id, &list);
  if (rc == SVC_NOT_FOUND) {
    json_decref(child);
    web_error_page(r, 404, "There is no child record at this address, or it is not open to you.");
    return;
  }
  if (rc != SVC_OK) {
    json_decref(child);
    web_error_page(r, 503, "The referrals could not be shown just now. Please try again.");
    return;
  }
  char name[256];
  web_child_name(child, name, sizeof name);
  struct page p;
  page_init(&p, "Referrals", "children");
  web_child_identity_bar(&p.identity, child);
  struct buf *b = &p.body;
  hf(b, "<span class=\"govuk-caption-l\">%s</span><h1 class=\"govuk-heading-l\">Referrals</h1>", name);
  web_child_tabs(b, r->who.role, id, "referrals");
  if (role_in(r->who.role, REFERRAL_RAISERS)) {
    char href[96];
    snprintf(href, sizeof href, "/referrals/new?child=%s", id);
    web_button_link(b, href, "Make a referral about this child", false);
  }
  json_t *items = json_object_get(list, "referrals");
  if (json_array_size(items) == 0) hf(b, "<p class=\"govuk-body\">No referrals about this child.</p>");
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    char recv[64];
    hf(b, "<div class=\"govuk-summary-card\" data-testid=\"child-referral\"><div class=\"govuk-summary-card__title-wrapper\">"
          "<h2 class=\"govuk-summary-card__title\">%s</h2><ul class=\"govuk-summary-card__actions\"><li "
          "class=\"govuk-summary-card__action\"><a class=\"govuk-link\" href=\"/referrals/%u\">Open<span "
          "class=\"govuk-visually-hidden\"> referral %s</span></a></li></ul></div><div class=\"govuk-summary-card__content\">"
          "<dl class=\"govuk-summary-list\">",
       js(it, "reference"), js(it, "id"), js(it, "reference"));
    web_summary_row(b, "In the child's words", js(it, "childs_words") ? js(it, "childs_words") : "Nothing recorded");
    web_summary_row(b, "The concern", js(it, "concern"));
    char from[300];
    snprintf(from, sizeof from, "%s, %s", js(json_object_get(it, "agency"), "name"), when(js(it, "received_at"), recv, sizeof recv));
    web_summary_row(b, "From", from);
    hf(b, "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">Status</dt>"
          "<dd class=\"govuk-summary-list__value\">");
    status_tag(b, js(it, "status"));
    hf(b, " ");
    rag_tag(b, js(it, "rag"));
    hf(b, "</dd></div>");
    const char *outcome = code_label(REFERRAL_OUTCOMES, js(it, "outcome"));
    web_summary_row(b, "Decision", outcome ? outcome : "Not yet decided");
    hf(b, "</dl></div></div>");
  }
  json_decref(list);
  json_decref(child);
  page_send(r, &p, 200);
}
