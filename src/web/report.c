/*
** The problem profile page (GET /reports/problem-profile): the partnership's
** aggregate figures for a period, for the board and the people who lead the
** work.  A filter form chooses the period (GOV.UK date inputs, sent by GET so
** a period can be bookmarked; "from" and "to" as YYYY-MM-DD work in links
** too).  How completely ethnicity and nationality are recorded comes first,
** with a warning when any of it falls below COMPLETE_ENOUGH, and again beside
** the figures it affects: figures by ethnicity mean little when much of it is
** missing, and the inquiries found exactly that.  Every figure is a count
** or a percentage in a table with a caption; nothing on the page names or
** links to a child, person or place.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config/config.h"
#include "core/codes.h"
#include "core/intel.h"
#include "core/referral.h"
#include "core/risk_tool.h"
#include "http/app.h"
#include "service/intel.h"
#include "service/service.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "web/report_web.h"
#include "web/web.h"

/* Recording below this percentage is called out at the top of the page. */
#define COMPLETE_ENOUGH 90.0

static const char *const MONTHS[12] = {"January", "February", "March",     "April",   "May",      "June",
                                       "July",    "August",   "September", "October", "November", "December"};

static const struct code AGE_BANDS[] = {{"8-10", "8 to 10"},   {"11-13", "11 to 13"},
                                        {"14-15", "14 to 15"}, {"16-17", "16 to 17"},
                                        {"other", "Other ages, or date of birth not known"}, {NULL, NULL}};

/* Codes shown even when nobody has them: the explicit "not recorded" answers. */
static bool always_shown(const char *code) {
  return !strcmp(code, "NOBT") || !strcmp(code, "REFU") || !strcmp(code, "not_known");
}

static json_int_t num(json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

/* Writes the percentage V (a number, or null when there was nothing to count) as "66.7%" or "none to count". */
static const char *pct_text(json_t *v, char *out, size_t cap) {
  if (json_is_number(v)) snprintf(out, cap, "%.1f%%", json_number_value(v));
  else snprintf(out, cap, "none to count");
  return out;
}

/* PART of WHOLE as "66.7%", to one decimal place as the API gives it, or "-" when WHOLE is 0. */
static const char *share(json_int_t part, json_int_t whole, char *out, size_t cap) {
  if (whole <= 0) snprintf(out, cap, "-");
  else snprintf(out, cap, "%.1f%%", (double)((part * 1000 + whole / 2) / whole) / 10.0);
  return out;
}

/* Opens a table with CAPTION (a medium caption) and the column headings WHAT, "Number" and SHARE_OF (when given). */
static void table_open(struct buf *b, const char *testid, const char *caption, const char *what, const char *share_of) {
  hf(b, "<table class=\"govuk-table\" data-testid=\"%s\"><caption class=\"govuk-table__caption govuk-table__caption--s\">"
        "%s</caption><thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">"
        "<th scope=\"col\" class=\"govuk-table__header\">%s</th>"
        "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Number</th>",
     testid, caption, what);
  if (share_of) hf(b, "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">%s</th>", share_of);
  hf(b, "</tr></thead><tbody class=\"govuk-table__body\">");
}

/* One row: LABEL, N, and N's share of BASE when BASE >= 0. */
static void table_row(struct buf *b, const char *label, json_int_t n, json_int_t base) {
  char s[24];
  hf(b, "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\">%s</th>"
        "<td class=\"govuk-table__cell govuk-table__cell--numeric\">%lld</td>",
     label, (long long)n);
  if (base >= 0) hf(b, "<td class=\"govuk-table__cell govuk-table__cell--numeric\">%s</td>", share(n, base, s, sizeof s));
  hf(b, "</tr>");
}

static void table_close(struct buf *b) { hf(b, "</tbody></table>"); }

/*
** A table of the counts in COUNTS ({code: n}), labelled from LABELS (the
** code itself when it has no label there), each with its share of BASE.
** With SKIP_ZERO, codes nobody has are left out (except the explicit "not
** recorded" answers) and the table says so.
*/
static void count_table(struct buf *b, const char *testid, const char *caption, const char *what, json_t *counts,
                        const struct code *labels, json_int_t base, bool skip_zero) {
  table_open(b, testid, caption, what, "Share");
  const char *k;
  json_t *v;
  bool skipped = false;
  json_object_foreach(counts, k, v) {
    json_int_t n = json_integer_value(v);
    if (skip_zero && n == 0 && !always_shown(k)) {
      skipped = true;
      continue;
    }
    const char *label = labels ? code_label(labels, k) : NULL;
    char text[200];
    if (label && strcmp(label, k) != 0 && labels == ETHNICITY_CODES) snprintf(text, sizeof text, "%s (%s)", label, k);
    else snprintf(text, sizeof text, "%s", label ? label : k);
    table_row(b, text, n, base);
  }
  table_close(b);
  if (skipped) hf(b, "<p class=\"govuk-body-s\">Codes that no one in this count has are not listed.</p>");
}

/* The date boxes of one end of the period, as typed. */
struct date_box {
  char day[16], month[16], year[16];
};

/* Fills BOX from DATE (YYYY-MM-DD) when nothing was typed in it. */
static void box_default(struct date_box *box, const char *date) {
  int64_t days;
  if (!date || !date_parse(date, &days) || box->day[0] || box->month[0] || box->year[0]) return;
  int y, m, d;
  civil_from_days(days, &y, &m, &d);
  snprintf(box->day, sizeof box->day, "%d", d);
  snprintf(box->month, sizeof box->month, "%d", m);
  snprintf(box->year, sizeof box->year, "%04d", y);
}

/* Copies query parameter NAME-PART into OUT (empty when absent); true when it was sent. */
static bool box_param(struct req *r, const char *name, const char *part, char *out, size_t cap) {
  char k[32];
  snprintf(k, sizeof k, "%s-%s", name, part);
  const char *v = req_query(r, k);
  snprintf(out, cap, "%s", v ? v : "");
  return v != NULL;
}

/* Parses S, a whole number with optional surrounding spaces, into *OUT; false when it is anything else. */
static bool whole_number(const char *s, long *out) {
  char *end;
  while (*s == ' ') s++;
  if (*s < '0' || *s > '9') return false;
  *out = strtol(s, &end, 10);
  while (*end == ' ') end++;
  return *end == '\0' && *out < 100000;
}

/*
** Reads one end of the period, NAME ("from" or "to", called LABEL in
** messages): from its date boxes when they were sent, else from NAME as
** YYYY-MM-DD.  Returns NULL for "not given" (the default), the date as
** YYYY-MM-DD in OUT, or "" with an error for NAME when the boxes do not make
** a real date (the service then refuses it too, and audits the refusal).  BOX
** keeps what was typed, to show again.
*/
static const char *period_end(struct req *r, const char *name, const char *label, char out[ISO_DATE_LEN],
                              struct date_box *box, struct field_errors *errs) {
  bool sent = box_param(r, name, "day", box->day, sizeof box->day);
  sent = box_param(r, name, "month", box->month, sizeof box->month) || sent;
  sent = box_param(r, name, "year", box->year, sizeof box->year) || sent;
  if (!sent) {
    const char *v = req_query(r, name);
    box_default(box, v);
    return v;
  }
  bool blank_d = text_is_blank(box->day), blank_m = text_is_blank(box->month), blank_y = text_is_blank(box->year);
  if (blank_d && blank_m && blank_y) return NULL;
  long d, m, y;
  if (blank_d || blank_m || blank_y) {
    ferr_add(errs, name, "%s must include a day, month and year", label);
    return "";
  }
  if (!whole_number(box->day, &d) || !whole_number(box->month, &m) || !whole_number(box->year, &y) || y < 1000 ||
      y > 9999 || !date_valid((int)y, (int)m, (int)d)) {
    ferr_add(errs, name, "%s must be a real date", label);
    return "";
  }
  date_format(days_from_civil((int)y, (int)m, (int)d), out);
  return out;
}

/* Rewrites the service's reasons for "from" and "to" as messages that make sense on the page. */
static void humanise(struct field_errors *errs) {
  static const struct {
    const char *field, *reason, *message;
  } MAP[] = {
      {"from", "must be a real date in the form YYYY-MM-DD", "The start date must be a real date"},
      {"to", "must be a real date in the form YYYY-MM-DD", "The end date must be a real date"},
      {"to", "must not be after today", "The end date must be today or in the past"},
      {"from", "must not be after to", "The start date must be the same as or before the end date"},
      {"from", "must be no more than 5 years before to", "The start date must be no more than 5 years before the end date"},
  };
  for (size_t i = 0; i < sizeof MAP / sizeof MAP[0]; i++) {
    const char *why = ferr_get(errs, MAP[i].field);
    if (why && !strcmp(why, MAP[i].reason)) json_object_set_new(errs->fields, MAP[i].field, json_string(MAP[i].message));
  }
  const char *fields[2][2] = {{"from", "The start date"}, {"to", "The end date"}};
  for (int i = 0; i < 2; i++) {
    const char *why = ferr_get(errs, fields[i][0]);
    if (why && strncmp(why, "The ", 4) != 0) {
      char msg[320];
      snprintf(msg, sizeof msg, "%s %s", fields[i][1], why);
      json_object_set_new(errs->fields, fields[i][0], json_string(msg));
    }
  }
}

/* One GOV.UK date input of the filter form, showing BOX and the field's error. */
static void date_boxes(struct buf *b, const char *name, const char *legend, const struct date_box *box,
                       struct field_errors *errs) {
  const char *why = errs ? ferr_get(errs, name) : NULL;
  hf(b, "<div class=\"govuk-form-group%r\"><fieldset class=\"govuk-fieldset\" role=\"group\" "
        "aria-describedby=\"%s-hint%r%s%r\"><legend class=\"govuk-fieldset__legend govuk-fieldset__legend--s\">%s"
        "</legend><div id=\"%s-hint\" class=\"govuk-hint\">For example, 1 4 2026</div>",
     why ? " govuk-form-group--error" : "", name, why ? " " : "", why ? name : "", why ? "-error" : "", legend, name);
  if (why)
    hf(b, "<p id=\"%s-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">Error:</span> %s</p>",
       name, why);
  hf(b, "<div class=\"govuk-date-input\" id=\"%s\">", name);
  const char *parts[3][3] = {{"day", "Day", box->day}, {"month", "Month", box->month}, {"year", "Year", box->year}};
  for (int i = 0; i < 3; i++) {
    hf(b, "<div class=\"govuk-date-input__item\"><div class=\"govuk-form-group\">"
          "<label class=\"govuk-label govuk-date-input__label\" for=\"%s-%s\">%s</label>"
          "<input class=\"govuk-input govuk-date-input__input govuk-input--width-%r%r\" id=\"%s-%s\" name=\"%s-%s\" "
          "type=\"text\" inputmode=\"numeric\" value=\"%s\"></div></div>",
       name, parts[i][0], parts[i][1], i == 2 ? "4" : "2", why ? " govuk-input--error" : "", name, parts[i][0], name,
       parts[i][0], parts[i][2]);
  }
  hf(b, "</div></fieldset></div>");
}

/* The filter form: the period's two ends and a button; sent by GET, so it changes nothing. */
static void filter_form(struct buf *b, const struct date_box *from, const struct date_box *to, struct field_errors *errs) {
  hf(b, "<form method=\"get\" action=\"/reports/problem-profile\" novalidate data-testid=\"period-form\">"
        "<h2 class=\"govuk-heading-m\">Choose the period</h2><p class=\"govuk-body\">Whole days, both included, up to "
        "5 years and no later than today. Leave the dates blank for the 12 months to today.</p>"
        "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-one-half\">");
  date_boxes(b, "from", "From", from, errs);
  hf(b, "</div><div class=\"govuk-grid-column-one-half\">");
  date_boxes(b, "to", "To", to, errs);
  hf(b, "</div></div><button type=\"submit\" class=\"govuk-button govuk-button--secondary\" data-module=\"govuk-button\">"
        "Show the figures</button></form>");
}

/* A warning (GOV.UK warning text) holding TEXT. */
static void warning(struct buf *b, const char *testid, const char *text) {
  hf(b, "<div class=\"govuk-warning-text\" data-testid=\"%s\"><span class=\"govuk-warning-text__icon\" aria-hidden=\"true\">"
        "!</span><strong class=\"govuk-warning-text__text\"><span class=\"govuk-visually-hidden\">Warning</span>%s</strong>"
        "</div>",
     testid, text);
}

/* True when the percentage V is a number below COMPLETE_ENOUGH. */
static bool incomplete(json_t *v) { return json_is_number(v) && json_number_value(v) < COMPLETE_ENOUGH; }

/* A row of the completeness table: WHAT, RECORDED of BASE, the percentage PCT, and a tag when it is too low. */
static void completeness_row(struct buf *b, const char *what, json_int_t recorded, json_int_t base, json_t *pct) {
  char p[32];
  hf(b, "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\">%s</th>"
        "<td class=\"govuk-table__cell govuk-table__cell--numeric\">%lld of %lld</td>"
        "<td class=\"govuk-table__cell govuk-table__cell--numeric\">%s",
     what, (long long)recorded, (long long)base, pct_text(pct, p, sizeof p));
  if (incomplete(pct)) hf(b, " <strong class=\"govuk-tag govuk-tag--red\">Below 90%%</strong>");
  hf(b, "</td></tr>");
}

/* The completeness section, first on the page. */
static void completeness(struct buf *b, json_t *o) {
  json_t *c = json_object_get(o, "completeness"), *coc = json_object_get(o, "children_of_concern");
  json_t *sus = json_object_get(o, "suspects");
  json_int_t children = num(coc, "total"), people = num(sus, "people_recorded");
  json_int_t nobt = num(c, "children_ethnicity_not_obtained"), refu = num(c, "children_ethnicity_refused");
  json_int_t self_nk = num(json_object_get(sus, "by_ethnicity_self"), "not_known");
  json_int_t obs_nk = num(json_object_get(sus, "by_ethnicity_observed"), "not_known");
  json_int_t nat_nk = num(json_object_get(sus, "by_nationality"), "not_known");
  hf(b, "<h2 class=\"govuk-heading-l\" id=\"completeness\">Data completeness</h2>");
  bool low_children = incomplete(json_object_get(c, "children_ethnicity_recorded_pct"));
  bool low_suspects = incomplete(json_object_get(c, "suspects_ethnicity_self_recorded_pct")) ||
                      incomplete(json_object_get(c, "suspects_ethnicity_observed_recorded_pct")) ||
                      incomplete(json_object_get(c, "suspects_nationality_recorded_pct"));
  if (low_children || low_suspects) {
    struct buf w = BUF_INIT;
    hf(&w, "Recording is incomplete, so the figures by ethnicity and nationality below do not show the whole picture.");
    if (low_children)
      hf(&w, " Ethnicity is not recorded for %lld of the %lld children of concern (%lld not yet obtained, %lld refused).",
         (long long)(nobt + refu), (long long)children, (long long)nobt, (long long)refu);
    if (low_suspects)
      hf(&w, " Of the %lld people named in intelligence, self-defined ethnicity is not known for %lld, officer-observed "
             "ethnicity for %lld and nationality for %lld.",
         (long long)people, (long long)self_nk, (long long)obs_nk, (long long)nat_nk);
    warning(b, "completeness-warning", buf_cstr(&w));
    buf_free(&w);
  } else {
    hf(b, "<p class=\"govuk-body\" data-testid=\"completeness-ok\">Ethnicity and nationality are recorded for at least "
          "90%% of the records counted (or there are none to count).</p>");
  }
  hf(b, "<table class=\"govuk-table\" data-testid=\"completeness\"><caption class=\"govuk-table__caption "
        "govuk-table__caption--s\">How completely ethnicity and nationality are recorded</caption>"
        "<thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">"
        "<th scope=\"col\" class=\"govuk-table__header\">What is recorded</th>"
        "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Recorded</th>"
        "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Share</th></tr></thead>"
        "<tbody class=\"govuk-table__body\">");
  completeness_row(b, "Ethnicity of children of concern", children - nobt - refu, children,
                   json_object_get(c, "children_ethnicity_recorded_pct"));
  completeness_row(b, "Self-defined ethnicity of people named in intelligence", people - self_nk, people,
                   json_object_get(c, "suspects_ethnicity_self_recorded_pct"));
  completeness_row(b, "Officer-observed ethnicity of people named in intelligence", people - obs_nk, people,
                   json_object_get(c, "suspects_ethnicity_observed_recorded_pct"));
  completeness_row(b, "Nationality of people named in intelligence", people - nat_nk, people,
                   json_object_get(c, "suspects_nationality_recorded_pct"));
  hf(b, "</tbody></table><p class=\"govuk-body\" data-testid=\"children-ethnicity-missing\">Children of concern whose "
        "ethnicity is not yet obtained: %lld. Refused: %lld.</p>",
     (long long)nobt, (long long)refu);
}

/* The referrals section. */
static void referrals(struct buf *b, json_t *ref, int working_days) {
  json_int_t received = num(ref, "received"), decided = num(ref, "decided");
  char p[32];
  hf(b, "<h2 class=\"govuk-heading-l\" id=\"referrals\">Referrals</h2>");
  table_open(b, "referrals", "Referrals received in the period", "Referrals", "Share");
  table_row(b, "Received", received, -1);
  table_row(b, "With indicators of sexual exploitation", num(ref, "with_cse_indicators"), received);
  table_row(b, "Decided", decided, received);
  table_close(b);
  hf(b, "<p class=\"govuk-body\" data-testid=\"decided-in-time\">First decision made within the deadline (%d working "
        "%r after receipt): <strong>%lld</strong> of %lld decided (%s).</p>",
     working_days, working_days == 1 ? "day" : "days", (long long)num(ref, "decided_in_time"), (long long)decided,
     pct_text(json_object_get(ref, "decided_in_time_pct"), p, sizeof p));
  table_open(b, "referrals-by-month", "Referrals received by month", "Month", NULL);
  size_t i;
  json_t *row;
  json_array_foreach(json_object_get(ref, "by_month"), i, row) {
    const char *month = json_string_value(json_object_get(row, "month"));
    char label[40];
    int y = 0, m = 0;
    if (month && sscanf(month, "%4d-%2d", &y, &m) == 2 && m >= 1 && m <= 12) snprintf(label, sizeof label, "%s %d", MONTHS[m - 1], y);
    else snprintf(label, sizeof label, "%s", month ? month : "");
    table_row(b, label, num(row, "received"), -1);
  }
  table_close(b);
  count_table(b, "referrals-by-source", "Referrals received by the type of agency that made them", "Agency type",
              json_object_get(ref, "by_source"), AGENCY_TYPES, received, false);
  json_int_t outcomes = 0;
  const char *k;
  json_t *v;
  json_object_foreach(json_object_get(ref, "outcomes"), k, v) outcomes += json_integer_value(v);
  count_table(b, "referral-outcomes", "Decisions on the referrals received", "Decision", json_object_get(ref, "outcomes"),
              REFERRAL_OUTCOMES, outcomes, false);
}

/* The risk section, with the tool's labels for its levels. */
static void risk(struct buf *b, const struct risk_tool *t, json_t *risk_o) {
  json_int_t assessed = num(risk_o, "children_assessed");
  hf(b, "<h2 class=\"govuk-heading-l\" id=\"risk\">Risk of sexual exploitation</h2><p class=\"govuk-body\" "
        "data-testid=\"children-assessed\">Children assessed in the period: <strong>%lld</strong>. Their risk levels "
        "now:</p>",
     (long long)assessed);
  table_open(b, "risk-levels", "Children assessed in the period, by the level now in force", "Level", "Share");
  const char *k;
  json_t *v;
  json_object_foreach(json_object_get(risk_o, "current_by_level"), k, v) {
    const struct risk_level *l = risk_tool_level(t, k);
    table_row(b, l ? l->label : k, json_integer_value(v), assessed);
  }
  table_close(b);
}

/* The missing episodes section. */
static void missing(struct buf *b, json_t *m, int hours) {
  char p[32];
  hf(b, "<h2 class=\"govuk-heading-l\" id=\"missing\">Missing episodes</h2>");
  table_open(b, "missing", "Children missing in the period", "Missing episodes", NULL);
  table_row(b, "Episodes", num(m, "episodes"), -1);
  table_row(b, "Children who went missing", num(m, "children"), -1);
  table_row(b, "Return-home interviews due", num(m, "return_interviews_due"), -1);
  table_row(b, "Return-home interviews held in time", num(m, "return_interviews_in_time"), -1);
  table_close(b);
  hf(b, "<p class=\"govuk-body\" data-testid=\"interviews-in-time\">Return-home interviews held within %d hours of the "
        "return: %s of those due.</p>",
     hours, pct_text(json_object_get(m, "return_interviews_in_time_pct"), p, sizeof p));
}

/* The children of concern section, with their ethnicity's completeness beside it. */
static void children_of_concern(struct buf *b, json_t *coc, json_t *c) {
  json_int_t total = num(coc, "total");
  char p[32];
  hf(b, "<h2 class=\"govuk-heading-l\" id=\"children-of-concern\">Children of concern</h2><p class=\"govuk-body\" "
        "data-testid=\"children-of-concern-total\">Children with a referral showing indicators of sexual exploitation, "
        "or a risk assessment, in the period: <strong>%lld</strong>. Ages are at the end of the period.</p>",
     (long long)total);
  count_table(b, "children-by-gender", "Children of concern by gender", "Gender", json_object_get(coc, "by_gender"),
              GENDERS, total, false);
  count_table(b, "children-by-age", "Children of concern by age", "Age", json_object_get(coc, "by_age_band"), AGE_BANDS,
              total, false);
  hf(b, "<div class=\"govuk-inset-text\" data-testid=\"children-ethnicity-completeness\">Ethnicity is recorded for %s of "
        "these children: %lld not yet obtained, %lld refused.</div>",
     pct_text(json_object_get(c, "children_ethnicity_recorded_pct"), p, sizeof p),
     (long long)num(c, "children_ethnicity_not_obtained"), (long long)num(c, "children_ethnicity_refused"));
  count_table(b, "children-by-ethnicity", "Children of concern by ethnicity (census codes)", "Ethnicity",
              json_object_get(coc, "by_ethnicity"), ETHNICITY_CODES, total, true);
}

/* The people named in intelligence, with how completely their ethnicity and nationality are known. */
static void suspects(struct buf *b, json_t *s, json_t *c) {
  json_int_t total = num(s, "people_recorded");
  char p1[32], p2[32], p3[32];
  hf(b, "<h2 class=\"govuk-heading-l\" id=\"suspects\">People named in intelligence</h2><p class=\"govuk-body\" "
        "data-testid=\"people-recorded\">People linked in intelligence recorded in the period: <strong>%lld</strong>.</p>"
        "<div class=\"govuk-inset-text\" data-testid=\"suspects-completeness\">Recorded: self-defined ethnicity %s, "
        "officer-observed ethnicity %s, nationality %s.</div>",
     (long long)total, pct_text(json_object_get(c, "suspects_ethnicity_self_recorded_pct"), p1, sizeof p1),
     pct_text(json_object_get(c, "suspects_ethnicity_observed_recorded_pct"), p2, sizeof p2),
     pct_text(json_object_get(c, "suspects_nationality_recorded_pct"), p3, sizeof p3));
  count_table(b, "suspects-by-ethnicity-self", "By self-defined ethnicity (ONS 2021)", "Ethnicity",
              json_object_get(s, "by_ethnicity_self"), INTEL_ETHNICITY_SELF, total, true);
  count_table(b, "suspects-by-ethnicity-observed", "By officer-observed ethnicity", "Ethnicity",
              json_object_get(s, "by_ethnicity_observed"), INTEL_ETHNICITY_OBSERVED, total, true);
  static const struct code NOT_KNOWN[] = {{"not_known", "Not known"}, {NULL, NULL}};
  count_table(b, "suspects-by-nationality", "By nationality (ISO country codes)", "Nationality",
              json_object_get(s, "by_nationality"), NOT_KNOWN, total, true);
}

/* Places and the network. */
static void places_and_networks(struct buf *b, json_t *places, json_t *net) {
  hf(b, "<h2 class=\"govuk-heading-l\" id=\"places\">Places named in intelligence</h2>");
  json_int_t total = 0;
  const char *k;
  json_t *v;
  json_object_foreach(json_object_get(places, "by_kind"), k, v) total += json_integer_value(v);
  count_table(b, "places-by-kind", "Places linked in intelligence recorded in the period, by kind", "Kind of place",
              json_object_get(places, "by_kind"), INTEL_LOCATION_KINDS, total, false);
  hf(b, "<h2 class=\"govuk-heading-l\" id=\"networks\">Networks</h2>");
  table_open(b, "networks", "Groups in the whole network now (people, vehicles, phones, places, accounts and children "
                            "linked in intelligence)", "Groups of 3 or more", NULL);
  table_row(b, "Groups", num(net, "groups"), -1);
  table_row(b, "Members of the largest group", num(net, "largest"), -1);
  table_close(b);
}

/* GET /reports/problem-profile[?from=&to=]: the problem profile, or the filter form with what is wrong (422). */
void web_problem_profile(struct req *r) {
  static const struct error_link LINKS[] = {{"from", "from-day"}, {"to", "to-day"}, {NULL, NULL}};
  struct field_errors errs;
  ferr_init(&errs);
  struct date_box fbox, tbox;
  char fbuf[ISO_DATE_LEN] = "", tbuf[ISO_DATE_LEN] = "";
  const char *from = period_end(r, "from", "The start date", fbuf, &fbox, &errs);
  const char *to = period_end(r, "to", "The end date", tbuf, &tbox, &errs);
  json_t *o = NULL;
  int rc = svc_problem_profile(r, from, to, &errs, &o);
  if (rc == SVC_FORBIDDEN) {
    ferr_free(&errs);
    web_error_page(r, 403, "The problem profile is for strategic leads, analysts, managers and the director.");
    return;
  }
  if (rc != SVC_OK && rc != SVC_INVALID) {
    ferr_free(&errs);
    web_error_page(r, 503, "The problem profile could not be worked out just now. Please try again.");
    return;
  }
  struct page p;
  page_init(&p, "Problem profile", "reports");
  struct buf *b = &p.body;
  hf(b, "<span class=\"govuk-caption-l\">The safeguarding partnership</span><h1 class=\"govuk-heading-xl\">Problem "
        "profile</h1>");
  if (rc == SVC_INVALID) {
    humanise(&errs);
    p.errors = &errs;
    p.error_links = LINKS;
    hf(b, "<p class=\"govuk-body\">Aggregate figures only: no child, person or place is named.</p>");
    filter_form(b, &fbox, &tbox, &errs);
    page_send(r, &p, 422);
    ferr_free(&errs);
    return;
  }
  json_t *period = json_object_get(o, "period");
  const char *pf = json_string_value(json_object_get(period, "from")), *pt = json_string_value(json_object_get(period, "to"));
  char lf[40], lt[40], now_iso[ISO_TIME_LEN], at[64];
  time_format_iso(time_now(), now_iso);
  /* Show the period in the boxes even when it was the default. */
  if (!from) box_default(&fbox, pf);
  if (!to) box_default(&tbox, pt);
  hf(b, "<p class=\"govuk-body-l\" data-testid=\"period\">%s to %s</p><p class=\"govuk-body\">Aggregate figures only: no "
        "child, person or place is named. Days are whole days in UTC, both included. Worked out from the records as they "
        "stood at %s.</p>",
     web_date_long(pf, lf, sizeof lf), web_date_long(pt, lt, sizeof lt), web_time_long(now_iso, at, sizeof at));
  filter_form(b, &fbox, &tbox, NULL);
  completeness(b, o);
  referrals(b, json_object_get(o, "referrals"), r->app->cfg->decision_working_days);
  risk(b, &r->app->risk_tool, json_object_get(o, "risk"));
  missing(b, json_object_get(o, "missing"), r->app->cfg->return_interview_hours);
  children_of_concern(b, json_object_get(o, "children_of_concern"), json_object_get(o, "completeness"));
  suspects(b, json_object_get(o, "suspects"), json_object_get(o, "completeness"));
  places_and_networks(b, json_object_get(o, "places"), json_object_get(o, "networks"));
  json_decref(o);
  page_send(r, &p, 200);
  ferr_free(&errs);
}
