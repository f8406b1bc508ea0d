/*
** Pages of CSE risk assessments (see risk_web.h).
**
** The child's Risk tab shows, in this order: the child's own view (first,
** as the inquiry asked), the level in force with how it was reached, a
** warning when the assessment is out of date, the history as a chart
** (server-rendered SVG, described by its title and by the data table beside
** it), what changed between the last two assessments, every assessment, and
** for those who may assess, the indicators already recorded elsewhere and
** the form.  The form lists the tool's indicators by group, each with its
** evidence, recency and source agency revealed when it is ticked (all shown
** when JavaScript is off).  Everything here comes from service/risk.c.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/risk.h"
#include "http/app.h"
#include "service/risk.h"
#include "store/store.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/xalloc.h"
#include "web/risk_web.h"
#include "web/web.h"

static const char *js(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* The GOV.UK tag colour for level CODE: from green (lowest) to red (highest); grey for a level of an earlier tool. */
static const char *level_colour(const struct risk_tool *t, const char *code) {
  static const char *const colours[] = {"green", "yellow", "orange", "red"};
  int rank = risk_tool_level_index(t, code);
  if (rank < 0 || t->nlevels < 2) return "grey";
  return colours[(rank * 3 + (t->nlevels - 1) / 2) / (t->nlevels - 1)];
}

/* A tag showing level CODE with LABEL. */
static void level_tag(struct buf *b, const struct risk_tool *t, const char *code, const char *label) {
  web_tag(b, label ? label : code, level_colour(t, code));
}

/* ---- the history chart and its table ---- */

#define CHART_W 640
#define CHART_H 300
#define CHART_LEFT 150
#define CHART_RIGHT 30
#define CHART_TOP 20
#define CHART_BOTTOM 60

/*
** The levels in force over time as an SVG line chart: one band per level of
** the tool (lowest at the bottom), one point per assessment placed by its
** date.  role="img" with a title and a description; every figure is also in
** the table beside it.
*/
static void history_chart(struct buf *b, const struct risk_tool *t, json_t *history) {
  size_t n = json_array_size(history);
  int levels = t->nlevels > 0 ? t->nlevels : 1;
  int pw = CHART_W - CHART_LEFT - CHART_RIGHT, ph = CHART_H - CHART_TOP - CHART_BOTTOM;
  int64_t t0 = 0, t1 = 0;
  for (size_t i = 0; i < n; i++) {
    int64_t at = 0;
    time_parse_iso(js(json_array_get(history, i), "at"), &at);
    if (i == 0 || at < t0) t0 = at;
    if (i == 0 || at > t1) t1 = at;
  }
  char first[48] = "", last[48] = "";
  if (n) {
    web_day_long(js(json_array_get(history, 0), "at"), first, sizeof first);
    web_day_long(js(json_array_get(history, n - 1), "at"), last, sizeof last);
  }
  hf(b, "<svg class=\"app-risk-chart\" data-testid=\"risk-chart\" role=\"img\" aria-labelledby=\"risk-chart-title "
        "risk-chart-desc\" viewBox=\"0 0 %d %d\" width=\"100%%\" font-family=\"arial, sans-serif\" font-size=\"14\">"
        "<title id=\"risk-chart-title\">Risk level in force at each assessment</title>"
        "<desc id=\"risk-chart-desc\">%zu %r from %s to %s. The table beside the chart lists each one.</desc>",
     CHART_W, CHART_H, n, n == 1 ? "assessment" : "assessments", first, last);
  for (int k = 0; k < levels; k++) {
    int y = CHART_TOP + ph - (2 * k + 1) * ph / (2 * levels);
    hf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#b1b4b6\" stroke-width=\"1\"/>"
          "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#0b0c0c\">%s</text>",
       CHART_LEFT, y, CHART_LEFT + pw, y, CHART_LEFT - 10, y + 5, t->nlevels ? t->levels[k].label : "");
  }
  hf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#0b0c0c\" stroke-width=\"1\"/>", CHART_LEFT,
     CHART_TOP + ph, CHART_LEFT + pw, CHART_TOP + ph);
  struct buf pts = BUF_INIT, dots = BUF_INIT;
  for (size_t i = 0; i < n; i++) {
    json_t *h = json_array_get(history, i);
    int64_t at = 0;
    time_parse_iso(js(h, "at"), &at);
    int x = n == 1 ? CHART_LEFT + pw / 2
            : t1 > t0 ? CHART_LEFT + (int)((double)(at - t0) / (double)(t1 - t0) * pw)
                      : CHART_LEFT + (int)(i * (size_t)pw / (n - 1));
    int rank = (int)json_integer_value(json_object_get(h, "rank"));
    if (rank < 0) rank = 0;
    int y = CHART_TOP + ph - (2 * rank + 1) * ph / (2 * levels);
    buf_printf(&pts, "%s%d,%d", i ? " " : "", x, y);
    char day[48];
    web_day_long(js(h, "at"), day, sizeof day);
    hf(&dots, "<circle cx=\"%d\" cy=\"%d\" r=\"6\" fill=\"#1d70b8\" stroke=\"#ffffff\" stroke-width=\"2\"><title>%s: %s "
              "(score %d)</title></circle>",
       x, y, day, js(h, "level_label"), (int)json_integer_value(json_object_get(h, "score")));
    if (n <= 6 || i == 0 || i == n - 1) {
      hf(&dots, "<text x=\"%d\" y=\"%d\" text-anchor=\"%r\" fill=\"#0b0c0c\">%s</text>", x, CHART_TOP + ph + 24,
         n == 1 ? "middle" : i == 0 ? "start" : i == n - 1 ? "end" : "middle", day);
    }
  }
  if (n > 1) hf(b, "<polyline points=\"%s\" fill=\"none\" stroke=\"#1d70b8\" stroke-width=\"3\"/>", buf_cstr(&pts));
  buf_append(b, dots.data ? dots.data : "", dots.len);
  hf(b, "</svg>");
  buf_free(&pts);
  buf_free(&dots);
}

/* The chart's figures as a table: date, score, level in force; oldest first like the chart. */
static void history_table(struct buf *b, const struct risk_tool *t, json_t *history) {
  hf(b, "<table class=\"govuk-table\" data-testid=\"risk-history-table\"><caption class=\"govuk-table__caption "
        "govuk-table__caption--s\">Levels in force, oldest first</caption><thead class=\"govuk-table__head\">"
        "<tr class=\"govuk-table__row\"><th scope=\"col\" class=\"govuk-table__header\">Date</th>"
        "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Score</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Level</th></tr></thead><tbody class=\"govuk-table__body\">");
  size_t i;
  json_t *h;
  json_array_foreach(history, i, h) {
    char day[48];
    hf(b, "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\">%s</th>"
          "<td class=\"govuk-table__cell govuk-table__cell--numeric\">%d</td><td class=\"govuk-table__cell\">",
       web_day_long(js(h, "at"), day, sizeof day), (int)json_integer_value(json_object_get(h, "score")));
    level_tag(b, t, js(h, "level"), js(h, "level_label"));
    hf(b, "</td></tr>");
  }
  hf(b, "</tbody></table>");
}

/* A bulleted list of indicator changes ITEMS under HEADING (nothing when empty). */
static void change_list(struct buf *b, const struct risk_tool *t, json_t *items, const char *heading, bool recency) {
  if (!json_array_size(items)) return;
  hf(b, "<h4 class=\"govuk-heading-s\">%s</h4><ul class=\"govuk-list govuk-list--bullet\">", heading);
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    if (recency) {
      int from = risk_tool_recency(t, js(it, "from")), to = risk_tool_recency(t, js(it, "to"));
      hf(b, "<li>%s: from &ldquo;%s&rdquo; to &ldquo;%s&rdquo;</li>", js(it, "label"),
         from >= 0 ? t->recency_label[from] : js(it, "from"), to >= 0 ? t->recency_label[to] : js(it, "to"));
    } else {
      int rec = risk_tool_recency(t, js(it, "recency"));
      hf(b, "<li>%s (%s)</li>", js(it, "label"), rec >= 0 ? t->recency_label[rec] : js(it, "recency"));
    }
  }
  hf(b, "</ul>");
}

/* What changed from one assessment to the next (CHANGES as risk_changes makes it). */
static void changes_section(struct buf *b, const struct risk_tool *t, json_t *changes, const char *heading) {
  hf(b, "<section data-testid=\"risk-changes\" aria-labelledby=\"risk-changes-heading\"><h3 class=\"govuk-heading-m\" "
        "id=\"risk-changes-heading\">%s</h3>",
     heading);
  if (!json_is_object(changes)) {
    hf(b, "<p class=\"govuk-body\">This is the first assessment: there is nothing to compare it with.</p></section>");
    return;
  }
  json_t *lv = json_object_get(changes, "level"), *sc = json_object_get(changes, "score");
  const char *from = js(lv, "from"), *to = js(lv, "to");
  const struct risk_level *lf = risk_tool_level(t, from), *lt = risk_tool_level(t, to);
  hf(b, "<dl class=\"govuk-summary-list\">");
  char text[200];
  if (from && to && strcmp(from, to) != 0)
    snprintf(text, sizeof text, "From %s to %s", lf ? lf->label : from, lt ? lt->label : to);
  else
    snprintf(text, sizeof text, "Unchanged (%s)", lt ? lt->label : to ? to : "not known");
  web_summary_row(b, "Level in force", text);
  snprintf(text, sizeof text, "From %lld to %lld", (long long)json_integer_value(json_object_get(sc, "from")),
           (long long)json_integer_value(json_object_get(sc, "to")));
  web_summary_row(b, "Score", text);
  hf(b, "</dl>");
  json_t *added = json_object_get(changes, "added"), *removed = json_object_get(changes, "removed");
  json_t *moved = json_object_get(changes, "recency_changed");
  change_list(b, t, added, "Indicators now recorded", false);
  change_list(b, t, removed, "Indicators no longer recorded", false);
  change_list(b, t, moved, "Indicators whose recency changed", true);
  if (!json_array_size(added) && !json_array_size(removed) && !json_array_size(moved))
    hf(b, "<p class=\"govuk-body\">The same indicators were recorded, at the same recency.</p>");
  json_t *types = json_object_get(changes, "exploitation_types");
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(types, "added"), i, v) {
    const char *label = risk_tool_type_label(t, json_string_value(v));
    hf(b, "<p class=\"govuk-body\">Exploitation type added: %s</p>", label ? label : json_string_value(v));
  }
  json_array_foreach(json_object_get(types, "removed"), i, v) {
    const char *label = risk_tool_type_label(t, json_string_value(v));
    hf(b, "<p class=\"govuk-body\">Exploitation type removed: %s</p>", label ? label : json_string_value(v));
  }
  hf(b, "</section>");
}

/* The child's own view of assessment A, shown before anything else about it. */
static void childs_view(struct buf *b, json_t *a) {
  const char *words = js(a, "childs_words"), *reason = js(a, "childs_view_not_gathered_reason");
  hf(b, "<h2 class=\"govuk-heading-m\">In the child&rsquo;s words</h2>");
  if (words) {
    hf(b, "<blockquote class=\"govuk-inset-text\" data-testid=\"childs-words\"><p class=\"govuk-body\">");
    web_multiline(b, words);
    hf(b, "</p></blockquote>");
  } else {
    hf(b, "<div class=\"govuk-inset-text\" data-testid=\"childs-words\"><p class=\"govuk-body\">The child&rsquo;s view "
          "could not be gathered: %s</p></div>",
       reason ? reason : "no reason was recorded");
  }
}

/* "Name (agency)" of whoever KEY names in A. */
static void who(char *out, size_t cap, json_t *o, const char *name_key, const char *user_key, const char *agency_key) {
  const char *name = js(o, name_key), *user = js(o, user_key), *agency = agency_key ? js(o, agency_key) : NULL;
  snprintf(out, cap, "%s%s%s", name ? name : user ? user : "Not recorded", agency ? ", " : "", agency ? agency : "");
}

/* A summary row whose value, TEXT, is written in full, escaped, its line breaks kept. */
static void long_row(struct buf *b, const char *key, const char *text) {
  hf(b, "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">%s</dt>"
        "<dd class=\"govuk-summary-list__value\">",
     key);
  if (text && *text) web_multiline(b, text);
  else hf(b, "Not recorded");
  hf(b, "</dd></div>");
}

/*
** The summary of assessment A: levels and how they were reached, judgement,
** countersignature, review.  Reasons and comments are shown in full, however
** long.
*/
static void assessment_summary(struct buf *b, const struct risk_tool *t, json_t *a) {
  char day[48];
  struct buf text = BUF_INIT;
  hf(b, "<dl class=\"govuk-summary-list\" data-testid=\"risk-summary\">");
  hf(b, "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">Level in force</dt>"
        "<dd class=\"govuk-summary-list__value\" data-testid=\"risk-level\">");
  level_tag(b, t, js(a, "level"), js(a, "level_label"));
  hf(b, "</dd></div>");
  buf_printf(&text, "%s, from a score of %lld", js(a, "computed_level_label") ? js(a, "computed_level_label") : "",
             (long long)json_integer_value(json_object_get(a, "score")));
  json_t *ov = json_object_get(a, "override");
  if (json_is_object(ov)) buf_printf(&text, " (raised by a rule: %s)", js(ov, "reason") ? js(ov, "reason") : "");
  long_row(b, "The tool's level", buf_cstr(&text));
  json_t *pj = json_object_get(a, "professional_judgement");
  if (json_is_object(pj)) {
    buf_reset(&text);
    const char *label = js(pj, "level_label") ? js(pj, "level_label") : js(pj, "level");
    buf_printf(&text, "%s. %s", label ? label : "", js(pj, "rationale") ? js(pj, "rationale") : "");
    long_row(b, "Professional judgement", buf_cstr(&text));
  } else {
    web_summary_row(b, "Professional judgement", "Agreed with the tool's level");
  }
  json_t *cs = json_object_get(a, "countersignature");
  const char *status = js(cs, "status");
  if (status && strcmp(status, "not_needed") != 0) {
    char person[300];
    buf_reset(&text);
    if (!strcmp(status, "awaiting")) {
      who(person, sizeof person, cs, "requested_from_name", "requested_from", NULL);
      buf_printf(&text, "Waiting for %s. Until then the tool's level stays in force.", person);
    } else {
      who(person, sizeof person, cs, "by_name", "by", NULL);
      buf_printf(&text, "%s by %s on %s%s%s", !strcmp(status, "agreed") ? "Agreed" : "Declined", person,
                 web_day_long(js(cs, "at"), day, sizeof day), js(cs, "comment") ? ": " : "",
                 js(cs, "comment") ? js(cs, "comment") : "");
    }
    long_row(b, "Countersignature of the lower level", buf_cstr(&text));
  }
  struct buf types = BUF_INIT;
  size_t i;
  json_t *ty;
  json_array_foreach(json_object_get(a, "exploitation_type_labels"), i, ty)
      buf_printf(&types, "%s%s", i ? ", " : "", js(ty, "label"));
  web_summary_row(b, "Type of exploitation", types.len ? buf_cstr(&types) : "None recorded");
  buf_free(&types);
  char person[300];
  who(person, sizeof person, a, "assessed_by_name", "assessed_by", "agency_name");
  buf_reset(&text);
  buf_printf(&text, "%s by %s (risk tool version %s)", web_day_long(js(a, "assessed_at"), day, sizeof day), person,
             js(a, "tool_version") ? js(a, "tool_version") : "");
  web_summary_row(b, "Assessed", buf_cstr(&text));
  buf_free(&text);
  if (json_is_true(json_object_get(a, "current"))) {
    hf(b, "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">Review due</dt>"
          "<dd class=\"govuk-summary-list__value\" data-testid=\"risk-review-due\">%s",
       web_day_long(js(a, "review_due"), day, sizeof day));
    if (json_is_true(json_object_get(a, "review_overdue"))) {
      hf(b, " ");
      web_tag(b, "Overdue", "red");
    }
    hf(b, "</dd></div>");
  }
  hf(b, "</dl>");
}

/* A warning that the current assessment is out of date, saying what was recorded since (nothing when it is not). */
static void out_of_date_warning(struct buf *b, json_t *stale) {
  if (!json_is_true(json_object_get(stale, "out_of_date"))) return;
  struct buf why = BUF_INIT;
  struct {
    const char *key, *one, *many;
  } parts[] = {{"referrals_with_indicators", "a referral with risk indicators", "referrals with risk indicators"},
               {"missing_episodes", "a missing episode", "missing episodes"},
               {"notes_with_indicators", "a case note with risk indicators", "case notes with risk indicators"}};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
    long long n = (long long)json_integer_value(json_object_get(stale, parts[i].key));
    if (!n) continue;
    if (why.len) buf_puts(&why, ", ");
    if (n == 1) buf_puts(&why, parts[i].one);
    else buf_printf(&why, "%lld %s", n, parts[i].many);
  }
  hf(b, "<div class=\"govuk-warning-text\" data-testid=\"risk-out-of-date\"><span class=\"govuk-warning-text__icon\" "
        "aria-hidden=\"true\">!</span><strong class=\"govuk-warning-text__text\"><span class=\"govuk-visually-hidden\">"
        "Warning</span>This assessment is out of date.%r%s%r%r Make a new assessment.</strong></div>",
     why.len ? " Since it was made: " : "", why.len ? buf_cstr(&why) : "",
     why.len ? "." : "",
     json_is_true(json_object_get(stale, "review_requested")) ? " A review has been requested." : "");
  buf_free(&why);
}

/* The indicators of assessment A as a table: indicator, recency, source agency, evidence. */
static void indicators_table(struct buf *b, const struct risk_tool *t, json_t *a) {
  json_t *inds = json_object_get(a, "indicators");
  if (!json_array_size(inds)) {
    hf(b, "<p class=\"govuk-body\">No indicators were recorded.</p>");
    return;
  }
  hf(b, "<table class=\"govuk-table\" data-testid=\"risk-indicators\"><caption class=\"govuk-table__caption "
        "govuk-table__caption--m\">Indicators observed</caption><thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">"
        "<th scope=\"col\" class=\"govuk-table__header\">Indicator</th><th scope=\"col\" class=\"govuk-table__header\">When</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Source</th><th scope=\"col\" class=\"govuk-table__header\">Evidence</th>"
        "</tr></thead><tbody class=\"govuk-table__body\">");
  size_t i;
  json_t *ind;
  json_array_foreach(inds, i, ind) {
    const char *group = risk_tool_group_label(t, js(ind, "group"));
    hf(b, "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\">%s<br><span class=\"govuk-hint\">%s, "
          "weight %d</span></th><td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">%s</td>"
          "<td class=\"govuk-table__cell\">",
       js(ind, "label"), group ? group : js(ind, "code"), (int)json_integer_value(json_object_get(ind, "weight")),
       js(ind, "recency_label"), js(ind, "source_agency_name") ? js(ind, "source_agency_name") : "Not recorded");
    web_multiline(b, js(ind, "evidence"));
    hf(b, "</td></tr>");
  }
  hf(b, "</tbody></table>");
}

/* Every assessment of the child, newest first, each linking to its page. */
static void assessments_table(struct buf *b, const struct risk_tool *t, json_t *list, const char *child_id) {
  hf(b, "<table class=\"govuk-table\" data-testid=\"risk-assessments\"><caption class=\"govuk-table__caption "
        "govuk-table__caption--m\">Every assessment, newest first</caption><thead class=\"govuk-table__head\">"
        "<tr class=\"govuk-table__row\"><th scope=\"col\" class=\"govuk-table__header\">Date</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Level in force</th>"
        "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Score</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Assessed by</th></tr></thead><tbody class=\"govuk-table__body\">");
  size_t i;
  json_t *a;
  json_array_foreach(list, i, a) {
    char day[48], person[300];
    who(person, sizeof person, a, "assessed_by_name", "assessed_by", "agency_name");
    hf(b, "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\"><a class=\"govuk-link\" "
          "href=\"/children/%u/risk/%u\">%s<span class=\"govuk-visually-hidden\">: open this assessment</span></a></th>"
          "<td class=\"govuk-table__cell\">",
       child_id, js(a, "id"), web_day_long(js(a, "assessed_at"), day, sizeof day));
    level_tag(b, t, js(a, "level"), js(a, "level_label"));
    hf(b, "</td><td class=\"govuk-table__cell govuk-table__cell--numeric\">%d</td><td class=\"govuk-table__cell\">%s</td></tr>",
       (int)json_integer_value(json_object_get(a, "score")), person);
  }
  hf(b, "</tbody></table>");
}

/* ---- the assessment form ---- */

/* The posted values of NAME as an array (a checkbox group posts one value or several). New reference. */
static json_t *form_list(struct req *r, const char *name) {
  json_t *v = json_object_get(r->form, name);
  if (json_is_array(v)) return json_incref(v);
  json_t *arr = json_array();
  if (json_is_string(v)) json_array_append(arr, v);
  return arr;
}

/* True when string array LIST holds S. */
static bool has(json_t *list, const char *s) {
  size_t i;
  json_t *v;
  json_array_foreach(list, i, v) {
    if (json_is_string(v) && !strcmp(json_string_value(v), s)) return true;
  }
  return false;
}

/* The error of field NAME, or NULL. */
static const char *err_of(struct field_errors *errs, const char *name) { return errs ? ferr_get(errs, name) : NULL; }

/* A GOV.UK error message for NAME, when it has one. */
static void error_message(struct buf *b, const char *name, const char *why) {
  if (why)
    hf(b, "<p id=\"%s-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">Error:</span> %s</p>",
       name, why);
}

/*
** A textarea whose label is LABEL with HIDDEN (for screen readers, may be
** NULL) after it.  LABEL and HINT are Safehub's own markup (literals); HIDDEN
** and VALUE are escaped.
*/
static void textarea(struct buf *b, const char *name, const char *label, const char *hidden, const char *hint,
                     const char *value, int rows, struct field_errors *errs) {
  const char *why = err_of(errs, name);
  hf(b, "<div class=\"govuk-form-group%r\"><label class=\"govuk-label\" for=\"%s\">%r", why ? " govuk-form-group--error" : "",
     name, label);
  if (hidden) hf(b, "<span class=\"govuk-visually-hidden\"> %s</span>", hidden);
  hf(b, "</label>");
  if (hint) hf(b, "<div id=\"%s-hint\" class=\"govuk-hint\">%r</div>", name, hint);
  error_message(b, name, why);
  hf(b, "<textarea class=\"govuk-textarea%r\" id=\"%s\" name=\"%s\" rows=\"%d\"", why ? " govuk-textarea--error" : "", name,
     name, rows);
  if (hint || why) hf(b, " aria-describedby=\"%r%s%r%r%s%r\"", hint ? "" : "", hint ? name : "", hint ? "-hint" : "",
                      hint && why ? " " : "", why ? name : "", why ? "-error" : "");
  hf(b, ">%s</textarea></div>", value ? value : "");
}

/* A select of agencies (code posted, name shown) for indicator CODE's source. */
static void agency_select(struct buf *b, const char *name, const char *label, json_t *agencies, const char *value,
                          struct field_errors *errs) {
  const char *why = err_of(errs, name);
  hf(b, "<div class=\"govuk-form-group%r\"><label class=\"govuk-label\" for=\"%s\">Which agency knows this"
        "<span class=\"govuk-visually-hidden\"> for %s</span></label>",
     why ? " govuk-form-group--error" : "", name, label);
  error_message(b, name, why);
  hf(b, "<select class=\"govuk-select%r\" id=\"%s\" name=\"%s\"%r%s%r>", why ? " govuk-select--error" : "", name, name,
     why ? " aria-describedby=\"" : "", why ? name : "", why ? "-error\"" : "");
  size_t i;
  json_t *a;
  json_array_foreach(agencies, i, a) {
    hf(b, "<option value=\"%s\"%r>%s</option>", js(a, "code"), value && !strcmp(value, js(a, "code")) ? " selected" : "",
       js(a, "name"));
  }
  hf(b, "</select></div>");
}

/* Recency radios for one indicator: the tool's bands, the first chosen unless VALUE says otherwise. */
static void recency_radios(struct buf *b, const struct risk_tool *t, const char *name, const char *label, const char *value,
                           struct field_errors *errs) {
  const char *why = err_of(errs, name);
  hf(b, "<div class=\"govuk-form-group%r\"><fieldset class=\"govuk-fieldset\"%r%s%r><legend class=\"govuk-fieldset__legend "
        "govuk-fieldset__legend--s\">How recent is it?<span class=\"govuk-visually-hidden\"> %s</span></legend>",
     why ? " govuk-form-group--error" : "", why ? " aria-describedby=\"" : "", why ? name : "", why ? "-error\"" : "", label);
  error_message(b, name, why);
  hf(b, "<div class=\"govuk-radios govuk-radios--small\" data-module=\"govuk-radios\">");
  int chosen = risk_tool_recency(t, value);
  if (chosen < 0) chosen = 0;
  for (int i = 0; i < t->nrecency; i++) {
    char id[80];
    if (i == 0) snprintf(id, sizeof id, "%s", name);
    else snprintf(id, sizeof id, "%s-%d", name, i + 1);
    hf(b, "<div class=\"govuk-radios__item\"><input class=\"govuk-radios__input\" id=\"%s\" name=\"%s\" type=\"radio\" "
          "value=\"%s\"%r><label class=\"govuk-label govuk-radios__label\" for=\"%s\">%s</label></div>",
       id, name, t->recency[i], i == chosen ? " checked" : "", id, t->recency_label[i]);
  }
  hf(b, "</div></fieldset></div>");
}

/* The offer for CODE in the prefill answer, or NULL. */
static json_t *offer_of(json_t *prefill, const char *code) {
  size_t i;
  json_t *o;
  json_array_foreach(json_object_get(prefill, "indicators"), i, o) {
    if (!strcmp(js(o, "code"), code)) return o;
  }
  return NULL;
}

/* What other agencies have recorded since the last assessment, so that nothing known is missed. */
static void prefill_panel(struct buf *b, json_t *prefill) {
  json_t *offers = json_object_get(prefill, "indicators"), *unknown = json_object_get(prefill, "not_in_tool");
  char since[48];
  web_day_long(js(prefill, "since"), since, sizeof since);
  hf(b, "<div class=\"govuk-inset-text\" data-testid=\"risk-prefill\"><h3 class=\"govuk-heading-s\">Already recorded since "
        "%s</h3>",
     since);
  if (!json_array_size(offers) && !json_array_size(unknown)) {
    hf(b, "<p class=\"govuk-body\">No agency has recorded risk indicators or missing episodes for this child since "
          "then.</p></div>");
    return;
  }
  hf(b, "<p class=\"govuk-body\">These indicators were recorded by agencies since %s. Each is marked below &ldquo;Recorded "
        "since the last assessment&rdquo;, with its source filled in as evidence: tick it if it still holds.</p>"
        "<ul class=\"govuk-list govuk-list--bullet\">",
     since);
  size_t i;
  json_t *o;
  json_array_foreach(offers, i, o) hf(b, "<li><strong>%s</strong>: %s</li>", js(o, "label"), js(o, "suggested_evidence"));
  json_array_foreach(unknown, i, o) {
    hf(b, "<li>Code %s, which the risk tool in force does not list (%zu %r)</li>", js(o, "code"),
       json_array_size(json_object_get(o, "sources")), json_array_size(json_object_get(o, "sources")) == 1 ? "record" : "records");
  }
  hf(b, "</ul></div>");
}

/* One indicator's checkbox, with its evidence, recency and source agency revealed when ticked. */
static void indicator_item(struct req *r, struct buf *b, const struct risk_tool *t, const struct risk_indicator *ri,
                           json_t *selected, json_t *offer, json_t *agencies, struct field_errors *errs) {
  char id[64], ev[64], rec[64], ag[64];
  snprintf(id, sizeof id, "indicator-%s", ri->code);
  snprintf(ev, sizeof ev, "evidence-%s", ri->code);
  snprintf(rec, sizeof rec, "recency-%s", ri->code);
  snprintf(ag, sizeof ag, "agency-%s", ri->code);
  bool checked = has(selected, ri->code);
  bool any_error = err_of(errs, ev) || err_of(errs, rec) || err_of(errs, ag);
  hf(b, "<div class=\"govuk-checkboxes__item\"><input class=\"govuk-checkboxes__input\" id=\"%s\" name=\"indicators\" "
        "type=\"checkbox\" value=\"%s\"%r data-aria-controls=\"conditional-%s\"%r%s%r><label class=\"govuk-label "
        "govuk-checkboxes__label\" for=\"%s\">%s</label>",
     id, ri->code, checked ? " checked" : "", id, ri->guidance || offer ? " aria-describedby=\"" : "",
     ri->guidance || offer ? id : "", ri->guidance || offer ? "-item-hint\"" : "", id, ri->label);
  if (ri->guidance || offer) {
    hf(b, "<div id=\"%s-item-hint\" class=\"govuk-hint govuk-checkboxes__hint\">%s", id, ri->guidance ? ri->guidance : "");
    if (offer) {
      hf(b, "%r<strong class=\"govuk-tag govuk-tag--blue\">Recorded since the last assessment</strong>", ri->guidance ? " " : "");
    }
    hf(b, "</div>");
  }
  hf(b, "</div><div class=\"govuk-checkboxes__conditional%r\" id=\"conditional-%s\">",
     checked || any_error ? "" : " govuk-checkboxes__conditional--hidden", id);
  const char *evidence = r->form ? form_str(r, ev) : offer ? js(offer, "suggested_evidence") : NULL;
  const char *recency = r->form ? form_str(r, rec) : offer ? js(offer, "recency") : NULL;
  const char *agency = r->form ? form_str(r, ag) : NULL;
  if (!agency && offer) {
    json_t *srcs = json_object_get(offer, "sources");
    agency = js(json_array_get(srcs, 0), "agency");
  }
  if (!agency) agency = r->who.agency_code;
  char hidden[260];
  snprintf(hidden, sizeof hidden, "for %s", ri->label);
  textarea(b, ev, "Evidence", hidden, "What was seen or said, by whom and when", evidence, 3, errs);
  recency_radios(b, t, rec, hidden, recency, errs);
  agency_select(b, ag, ri->label, agencies, agency, errs);
  hf(b, "</div>");
}

/*
** Radios NAME with each of CODES and LABELS (Safehub's own markup, escaped
** already); the first radio's id is NAME.  LEGEND and HINT are markup too.
*/
static void radios(struct buf *b, const char *name, const char *legend, const char *hint, const char *const *codes,
                   const char *const *labels, int n, const char *value, struct field_errors *errs) {
  const char *why = err_of(errs, name);
  hf(b, "<div class=\"govuk-form-group%r\"><fieldset class=\"govuk-fieldset\"", why ? " govuk-form-group--error" : "");
  if (hint || why) hf(b, " aria-describedby=\"%s%r%r%s%r\"", hint ? name : "", hint ? "-hint" : "", hint && why ? " " : "",
                      why ? name : "", why ? "-error" : "");
  hf(b, "><legend class=\"govuk-fieldset__legend govuk-fieldset__legend--m\"><h3 class=\"govuk-fieldset__heading\">%r</h3>"
        "</legend>",
     legend);
  if (hint) hf(b, "<div id=\"%s-hint\" class=\"govuk-hint\">%r</div>", name, hint);
  error_message(b, name, why);
  hf(b, "<div class=\"govuk-radios\" data-module=\"govuk-radios\">");
  for (int i = 0; i < n; i++) {
    char id[80];
    if (i == 0) snprintf(id, sizeof id, "%s", name);
    else snprintf(id, sizeof id, "%s-%d", name, i + 1);
    bool checked = value && !strcmp(value, codes[i]);
    hf(b, "<div class=\"govuk-radios__item\"><input class=\"govuk-radios__input\" id=\"%s\" name=\"%s\" type=\"radio\" "
          "value=\"%s\"%r><label class=\"govuk-label govuk-radios__label\" for=\"%s\">%r</label></div>",
       id, name, codes[i], checked ? " checked" : "", id, labels[i]);
  }
  hf(b, "</div></fieldset></div>");
}

/* Where the form's error summary links each field to, in page order; the names it points at are owned here. */
struct form_links {
  struct error_link *links;
  char **names;
  size_t nnames;
};

/* Fills L for tool T's form; free with form_links_free. */
static void form_links_make(struct form_links *l, const struct risk_tool *t) {
  static const char *const tail[] = {"childs_view", "childs_words", "childs_view_not_gathered_reason", "exploitation_types",
                                     "judgement", "judgement_rationale", "countersign_by", "request"};
  static const char *const prefix[] = {"indicator-", "evidence-", "recency-", "agency-"};
  size_t n = (size_t)t->nindicators * 4 + 1 + sizeof tail / sizeof tail[0] + 1;
  l->links = xcalloc(n, sizeof *l->links);
  l->names = xcalloc((size_t)t->nindicators * 4 + 1, sizeof *l->names);
  l->nnames = 0;
  size_t k = 0;
  l->links[k++].field = "indicators";
  for (int i = 0; i < t->nindicators; i++) {
    for (int p = 0; p < 4; p++) {
      l->names[l->nnames] = xasprintf("%s%s", prefix[p], t->indicators[i].code);
      l->links[k++].field = l->names[l->nnames++];
    }
  }
  /* A problem with the indicators as a whole goes to the first checkbox. */
  if (t->nindicators) l->links[0].anchor = l->links[1].field;
  for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++) {
    /* What belongs to no one field (an error about the request as a whole) goes to the form's heading. */
    if (!strcmp(tail[i], "request")) l->links[k].anchor = "new-assessment";
    l->links[k++].field = tail[i];
  }
}

/* Frees what form_links_make made. */
static void form_links_free(struct form_links *l) {
  for (size_t i = 0; i < l->nnames; i++) free(l->names[i]);
  free(l->names);
  free(l->links);
}

/* The assessment form, filled from the post being answered or from what is already recorded (PREFILL). */
static void assessment_form(struct req *r, struct buf *b, const struct risk_tool *t, const char *child_id, json_t *prefill,
                            json_t *agencies, json_t *signers, struct field_errors *errs) {
  hf(b, "<h2 class=\"govuk-heading-l\" id=\"new-assessment\">Make a new assessment</h2>"
        "<p class=\"govuk-body\">Risk tool: %s, version %s. Tick each indicator you have evidence of, and say how recent it "
        "is and which agency knows it. The score, the level and when the next review is due are worked out from the "
        "tool.</p>",
     t->name, t->version);
  if (prefill) prefill_panel(b, prefill);
  hf(b, "<form method=\"post\" action=\"/children/%u/risk\" novalidate data-testid=\"risk-form\">", child_id);
  web_csrf_field(r, b);
  json_t *selected = r->form ? form_list(r, "indicators") : json_array();
  const char *why = err_of(errs, "indicators");
  for (int g = 0; g < t->ngroups; g++) {
    hf(b, "<div class=\"govuk-form-group%r\"><fieldset class=\"govuk-fieldset\"><legend class=\"govuk-fieldset__legend "
          "govuk-fieldset__legend--m\"><h3 class=\"govuk-fieldset__heading\">%s</h3></legend>",
       g == 0 && why ? " govuk-form-group--error" : "", t->groups[g].label);
    if (g == 0) error_message(b, "indicators", why);
    hf(b, "<div class=\"govuk-checkboxes\" data-module=\"govuk-checkboxes\">");
    for (int i = 0; i < t->nindicators; i++) {
      const struct risk_indicator *ri = &t->indicators[i];
      if (strcmp(ri->group, t->groups[g].code) != 0) continue;
      indicator_item(r, b, t, ri, selected, prefill ? offer_of(prefill, ri->code) : NULL, agencies, errs);
    }
    hf(b, "</div></fieldset></div>");
  }
  json_decref(selected);
  /*
  ** The child's view: their words, or why they could not be gathered.  The
  ** two boxes follow the question rather than being revealed by it: the
  ** design system's reveal marks radios aria-expanded, which radios may not
  ** carry.
  */
  {
    const char *view = r->form ? form_str(r, "childs_view") : NULL;
    const char *why_view = err_of(errs, "childs_view");
    hf(b, "<div class=\"govuk-form-group%r\"><fieldset class=\"govuk-fieldset\" aria-describedby=\"childs_view-hint%r\">"
          "<legend class=\"govuk-fieldset__legend govuk-fieldset__legend--m\"><h3 class=\"govuk-fieldset__heading\">Was the "
          "child&rsquo;s own view gathered?</h3></legend><div id=\"childs_view-hint\" class=\"govuk-hint\">Every assessment "
          "records the child&rsquo;s view, or why it could not be gathered.</div>",
       why_view ? " govuk-form-group--error" : "", why_view ? " childs_view-error" : "");
    error_message(b, "childs_view", why_view);
    hf(b, "<div class=\"govuk-radios govuk-radios--inline\" data-module=\"govuk-radios\">");
    static const char *const codes[] = {"yes", "no"};
    static const char *const labels[] = {"Yes", "No"};
    for (int i = 0; i < 2; i++) {
      const char *id = i == 0 ? "childs_view" : "childs_view-2";
      hf(b, "<div class=\"govuk-radios__item\"><input class=\"govuk-radios__input\" id=\"%s\" name=\"childs_view\" "
            "type=\"radio\" value=\"%s\"%r><label class=\"govuk-label govuk-radios__label\" for=\"%s\">%s</label></div>",
         id, codes[i], view && !strcmp(view, codes[i]) ? " checked" : "", id, labels[i]);
    }
    hf(b, "</div></fieldset></div>");
  }
  textarea(b, "childs_words", "If yes: the child&rsquo;s own words", NULL,
           "Write down exactly what the child said, in their words, not a summary",
           r->form ? form_str(r, "childs_words") : NULL, 5, errs);
  textarea(b, "childs_view_not_gathered_reason", "If no: why the child&rsquo;s view could not be gathered", NULL, NULL,
           r->form ? form_str(r, "childs_view_not_gathered_reason") : NULL, 3, errs);
  /* Exploitation types. */
  if (t->ntypes) {
    json_t *types = r->form ? form_list(r, "exploitation_types") : json_array();
    const char *why_types = err_of(errs, "exploitation_types");
    hf(b, "<div class=\"govuk-form-group%r\"><fieldset class=\"govuk-fieldset\" aria-describedby=\"exploitation_types-hint%r\">"
          "<legend class=\"govuk-fieldset__legend govuk-fieldset__legend--m\"><h3 class=\"govuk-fieldset__heading\">Type of "
          "exploitation</h3></legend><div id=\"exploitation_types-hint\" class=\"govuk-hint\">Select all that apply, or none "
          "if there is no sign of exploitation.</div>",
       why_types ? " govuk-form-group--error" : "", why_types ? " exploitation_types-error" : "");
    error_message(b, "exploitation_types", why_types);
    hf(b, "<div class=\"govuk-checkboxes\" data-module=\"govuk-checkboxes\">");
    for (int i = 0; i < t->ntypes; i++) {
      char id[64];
      if (i == 0) snprintf(id, sizeof id, "exploitation_types");
      else snprintf(id, sizeof id, "exploitation_types-%d", i + 1);
      hf(b, "<div class=\"govuk-checkboxes__item\"><input class=\"govuk-checkboxes__input\" id=\"%s\" "
            "name=\"exploitation_types\" type=\"checkbox\" value=\"%s\"%r><label class=\"govuk-label govuk-checkboxes__label\" "
            "for=\"%s\">%s</label></div>",
         id, t->types[i].code, has(types, t->types[i].code) ? " checked" : "", id, t->types[i].label);
    }
    hf(b, "</div></fieldset></div>");
    json_decref(types);
  }
  /* Professional judgement. */
  {
    int n = t->nlevels + 1;
    const char **codes = xcalloc((size_t)n, sizeof *codes), **labels = xcalloc((size_t)n, sizeof *labels);
    codes[0] = "tool";
    labels[0] = "Agree with the tool&rsquo;s level";
    char **owned = xcalloc((size_t)n, sizeof *owned);
    for (int i = 0; i < t->nlevels; i++) {
      struct buf l = BUF_INIT;
      html_escape(&l, t->levels[i].label);
      owned[i + 1] = buf_steal(&l);
      codes[i + 1] = t->levels[i].code;
      labels[i + 1] = owned[i + 1];
    }
    const char *value = r->form ? form_str(r, "judgement") : "tool";
    radios(b, "judgement", "Your professional judgement",
           "You may raise or lower the tool&rsquo;s level, giving your reasons. A lower level needs a manager&rsquo;s "
           "countersignature, and the tool&rsquo;s level stays in force until it is given.",
           codes, labels, n, value, errs);
    for (int i = 0; i < n; i++) free(owned[i]);
    free(owned);
    free(codes);
    free(labels);
  }
  textarea(b, "judgement_rationale", "Reasons for your judgement", NULL,
           "Needed when you choose a level other than the tool&rsquo;s",
           r->form ? form_str(r, "judgement_rationale") : NULL, 4, errs);
  {
    const char *why_cs = err_of(errs, "countersign_by");
    const char *value = r->form ? form_str(r, "countersign_by") : NULL;
    hf(b, "<div class=\"govuk-form-group%r\"><label class=\"govuk-label\" for=\"countersign_by\">Manager who will "
          "countersign a lower level</label><div id=\"countersign_by-hint\" class=\"govuk-hint\">Only when you choose a lower "
          "level than the tool&rsquo;s</div>",
       why_cs ? " govuk-form-group--error" : "");
    error_message(b, "countersign_by", why_cs);
    hf(b, "<select class=\"govuk-select%r\" id=\"countersign_by\" name=\"countersign_by\" "
          "aria-describedby=\"countersign_by-hint%r\"><option value=\"\">Not needed</option>",
       why_cs ? " govuk-select--error" : "", why_cs ? " countersign_by-error" : "");
    size_t i;
    json_t *s;
    json_array_foreach(signers, i, s) {
      if (!strcmp(js(s, "id"), r->who.user_id)) continue;
      hf(b, "<option value=\"%s\"%r>%s (%s)</option>", js(s, "username"),
         value && !strcmp(value, js(s, "username")) ? " selected" : "", js(s, "name"),
         !strcmp(js(s, "role"), "director") ? "Director" : "Manager");
    }
    hf(b, "</select></div>");
  }
  web_button(b, "Save the assessment");
  hf(b, "</form>");
}

/* ---- the Risk tab ---- */

/*
** The child's Risk tab.  ERRS (with STATUS 422) when answering a post of the
** form that was refused; NOTICE for a success banner.
*/
static void risk_page(struct req *r, const char *child_id, struct field_errors *errs, int status, const char *notice) {
  const struct risk_tool *t = &r->app->risk_tool;
  json_t *child = NULL, *data = NULL, *prefill = NULL, *agencies = NULL, *signers = NULL;
  int rc = svc_child_get(r, child_id, &child);
  if (rc == SVC_OK) rc = svc_risk_list(r, child_id, &data);
  bool assessor = role_in(r->who.role, RISK_ASSESSORS);
  if (rc == SVC_OK && assessor) rc = svc_risk_prefill(r, child_id, &prefill);
  if (rc == SVC_OK && assessor) rc = svc_risk_countersigners(r, &signers);
  if (rc == SVC_OK && assessor && store_agency_list(req_db(r), &agencies) != DB_OK) rc = SVC_ERROR;
  if (rc != SVC_OK) {
    json_decref(child);
    json_decref(data);
    json_decref(prefill);
    json_decref(signers);
    if (rc == SVC_NOT_FOUND) web_error_page(r, 404, "There is no child record at this address, or it is not open to you.");
    else web_error_page(r, 503, "The risk assessments could not be shown just now. Please try again.");
    return;
  }
  char name[300];
  snprintf(name, sizeof name, "%s %s", js(child, "first_name"), js(child, "last_name"));
  struct page p;
  page_init(&p, "Risk of sexual exploitation", "children");
  p.notice = notice;
  p.errors = errs;
  struct form_links links;
  form_links_make(&links, t);
  p.error_links = links.links;
  web_child_identity_bar(&p.identity, child);
  struct buf *b = &p.body;
  hf(b, "<span class=\"govuk-caption-l\">%s</span><h1 class=\"govuk-heading-l\">Risk of sexual exploitation</h1>", name);
  web_child_tabs(b, r->who.role, child_id, "risk");
  json_t *current = json_object_get(data, "current");
  json_t *list = json_object_get(data, "assessments");
  if (!json_is_object(current)) {
    hf(b, "<p class=\"govuk-body\" data-testid=\"risk-none\">No risk assessment has been made for this child yet.</p>");
  } else {
    childs_view(b, current);
    hf(b, "<h2 class=\"govuk-heading-m\">Current assessment</h2>");
    out_of_date_warning(b, json_object_get(data, "out_of_date"));
    assessment_summary(b, t, current);
    hf(b, "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/children/%u/risk/%u\">See the indicators and evidence of "
          "this assessment</a></p>",
       child_id, js(current, "id"));
  }
  if (json_array_size(list)) {
    hf(b, "<h2 class=\"govuk-heading-m\">History</h2><div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">");
    history_chart(b, t, json_object_get(data, "history"));
    hf(b, "</div><div class=\"govuk-grid-column-one-third\">");
    history_table(b, t, json_object_get(data, "history"));
    hf(b, "</div></div>");
    changes_section(b, t, json_object_get(data, "changes"), "What changed since the assessment before");
    assessments_table(b, t, list, child_id);
  }
  if (assessor) assessment_form(r, b, t, child_id, prefill, agencies, signers, errs);
  page_send(r, &p, status);
  form_links_free(&links);
  json_decref(child);
  json_decref(data);
  json_decref(prefill);
  json_decref(agencies);
  json_decref(signers);
}

/* GET /children/{id}/risk */
void web_risk_child(struct req *r) {
  const char *done = req_query(r, "done");
  risk_page(r, req_param(r, 0), NULL, 200, done && !strcmp(done, "assessed") ? "The risk assessment has been saved" : NULL);
}

/* The form's field for the service's error KEY about the indicator CODE's MEMBER. */
static void indicator_error(struct field_errors *out, const struct risk_tool *t, const char *code, const char *member,
                            const char *why) {
  const struct risk_indicator *ri = risk_tool_indicator(t, code);
  const char *label = ri ? ri->label : code;
  char field[80];
  if (!strcmp(member, "evidence")) {
    snprintf(field, sizeof field, "evidence-%s", code);
    if (!strcmp(why, "is required")) ferr_add(out, field, "Enter the evidence for %s", label);
    else ferr_add(out, field, "The evidence for %s %s", label, why);
  } else if (!strcmp(member, "recency")) {
    snprintf(field, sizeof field, "recency-%s", code);
    ferr_add(out, field, "Select how recent %s is", label);
  } else if (!strcmp(member, "source_agency")) {
    snprintf(field, sizeof field, "agency-%s", code);
    ferr_add(out, field, "Select the agency that knows of %s", label);
  } else {
    snprintf(field, sizeof field, ri ? "indicator-%s" : "indicators", code);
    ferr_add(out, ri ? field : "indicators", "%s: %s", label, why);
  }
}

/*
** Rewrites the service's errors (named as the API names fields) as the
** form's fields with GOV.UK messages.  CODES gives the indicator code at each
** position of the posted list.
*/
static void form_errors(const struct risk_tool *t, struct field_errors *errs, json_t *codes, struct field_errors *out) {
  const char *k;
  json_t *v;
  json_object_foreach(errs->fields, k, v) {
    const char *why = json_string_value(v);
    size_t idx;
    char member[40];
    if (sscanf(k, "indicators[%zu].%39s", &idx, member) == 2) {
      const char *code = json_string_value(json_array_get(codes, idx));
      indicator_error(out, t, code ? code : "?", member, why);
    } else if (!strncmp(k, "indicators", 10)) {
      ferr_add(out, "indicators", "Indicators %s", why);
    } else if (!strcmp(k, "childs_words")) {
      if (!strncmp(why, "is required", 11)) ferr_add(out, "childs_words", "Enter the child's own words, as they said them");
      else ferr_add(out, "childs_words", "The child's words %s", why);
    } else if (!strcmp(k, "childs_view_not_gathered_reason")) {
      if (!strncmp(why, "is required", 11)) ferr_add(out, k, "Enter why the child's view could not be gathered");
      else ferr_add(out, k, "The reason the child's view could not be gathered %s", why);
    } else if (!strncmp(k, "exploitation_types", 18)) {
      ferr_add(out, "exploitation_types", "Type of exploitation %s", why);
    } else if (!strcmp(k, "professional_judgement.rationale")) {
      if (!strcmp(why, "is required")) ferr_add(out, "judgement_rationale", "Enter the reasons for your judgement");
      else ferr_add(out, "judgement_rationale", "The reasons for your judgement %s", why);
    } else if (!strcmp(k, "professional_judgement.countersign_by")) {
      if (!strncmp(why, "is required", 11))
        ferr_add(out, "countersign_by",
                 "Select the manager who will countersign: a level lower than the tool's needs a manager's countersignature");
      else ferr_add(out, "countersign_by", "The manager who will countersign %s", why);
    } else if (!strncmp(k, "professional_judgement", 22)) {
      ferr_add(out, "judgement", "Your professional judgement %s", why);
    } else {
      ferr_add(out, "request", "%s %s", k, why);
    }
  }
}

/* POST /children/{id}/risk: the assessment form. */
void web_risk_assess(struct req *r) {
  const struct risk_tool *t = &r->app->risk_tool;
  const char *child_id = req_param(r, 0);
  struct field_errors pre, errs;
  ferr_init(&pre);
  ferr_init(&errs);
  json_t *in = json_object(), *inds = json_array(), *codes = json_array();
  json_t *selected = form_list(r, "indicators");
  /* In the tool's order, then anything posted that the tool does not list (the service names it). */
  for (int i = 0; i < t->nindicators; i++) {
    const char *code = t->indicators[i].code;
    if (!has(selected, code)) continue;
    char ev[64], rec[64], ag[64];
    snprintf(ev, sizeof ev, "evidence-%s", code);
    snprintf(rec, sizeof rec, "recency-%s", code);
    snprintf(ag, sizeof ag, "agency-%s", code);
    json_t *o = json_pack("{s:s,s:s}", "code", code, "evidence", form_str(r, ev) ? form_str(r, ev) : "");
    if (form_str(r, rec) && *form_str(r, rec)) json_object_set_new(o, "recency", json_string(form_str(r, rec)));
    if (form_str(r, ag) && *form_str(r, ag)) json_object_set_new(o, "source_agency", json_string(form_str(r, ag)));
    json_array_append_new(inds, o);
    json_array_append_new(codes, json_string(code));
  }
  size_t i;
  json_t *v;
  json_array_foreach(selected, i, v) {
    if (risk_tool_indicator(t, json_string_value(v))) continue;
    json_array_append_new(inds, json_pack("{s:O,s:s}", "code", v, "evidence", "-"));
    json_array_append(codes, v);
  }
  json_decref(selected);
  json_object_set_new(in, "indicators", inds);
  const char *view = form_str(r, "childs_view");
  if (view && !strcmp(view, "yes")) {
    json_object_set_new(in, "childs_words", json_string(form_str(r, "childs_words") ? form_str(r, "childs_words") : ""));
  } else if (view && !strcmp(view, "no")) {
    const char *reason = form_str(r, "childs_view_not_gathered_reason");
    json_object_set_new(in, "childs_view_not_gathered_reason", json_string(reason ? reason : ""));
  } else {
    ferr_add(&pre, "childs_view", "Select yes if the child's own view was gathered");
  }
  json_object_set_new(in, "exploitation_types", form_list(r, "exploitation_types"));
  const char *judgement = form_str(r, "judgement");
  if (judgement && *judgement && strcmp(judgement, "tool") != 0) {
    const char *rationale = form_str(r, "judgement_rationale"), *by = form_str(r, "countersign_by");
    json_t *pj = json_pack("{s:s,s:s}", "level", judgement, "rationale", rationale ? rationale : "");
    if (by && *by) json_object_set_new(pj, "countersign_by", json_string(by));
    json_object_set_new(in, "professional_judgement", pj);
  }
  char id[ID_MAX];
  int rc;
  if (ferr_any(&pre)) {
    /* Check the rest too, so that every mistake shows at once; nothing is saved. */
    json_t *copy = json_deep_copy(in);
    json_object_set_new(copy, "childs_words", json_string("-"));
    struct risk_decision d;
    risk_input_check(t, copy, role_in(r->who.role, RISK_COUNTERSIGNERS), &errs, &d);
    json_decref(copy);
    rc = SVC_INVALID;
  } else {
    rc = svc_risk_assess(r, child_id, in, &errs, id);
  }
  if (rc == SVC_OK) {
    char loc[160];
    snprintf(loc, sizeof loc, "/children/%s/risk?done=assessed", child_id);
    resp_redirect(r, loc);
  } else if (rc == SVC_INVALID) {
    form_errors(t, &errs, codes, &pre);
    risk_page(r, child_id, &pre, 422, NULL);
  } else if (rc == SVC_NOT_FOUND) {
    web_error_page(r, 404, "There is no child record at this address, or it is not open to you.");
  } else if (rc == SVC_FORBIDDEN) {
    web_error_page(r, 403, "Your role may not make risk assessments.");
  } else if (rc == SVC_CONFLICT) {
    web_error_page(r, 409, "Another assessment of this child was saved at the same moment. Open the Risk tab again to see it.");
  } else {
    web_error_page(r, 503, "The assessment could not be saved just now. Please try again.");
  }
  json_decref(in);
  json_decref(codes);
  ferr_free(&pre);
  ferr_free(&errs);
}

/* ---- one assessment, and countersigning it ---- */

static const struct error_link COUNTERSIGN_LINKS[] = {{"decision", NULL}, {"comment", NULL}, {NULL, NULL}};

/* The page of one assessment; ERRS and STATUS when answering a refused countersignature. */
static void assessment_page(struct req *r, struct field_errors *errs, int status, const char *notice) {
  const struct risk_tool *t = &r->app->risk_tool;
  const char *child_id = req_param(r, 0), *aid = req_param(r, 1);
  json_t *child = NULL, *a = NULL;
  int rc = svc_child_get(r, child_id, &child);
  if (rc == SVC_OK) rc = svc_risk_get(r, child_id, aid, &a);
  if (rc != SVC_OK) {
    json_decref(child);
    if (rc == SVC_NOT_FOUND) web_error_page(r, 404, "There is no such risk assessment, or it is not open to you.");
    else web_error_page(r, 503, "The assessment could not be shown just now. Please try again.");
    return;
  }
  char name[300], day[48], back[160];
  snprintf(name, sizeof name, "%s %s", js(child, "first_name"), js(child, "last_name"));
  snprintf(back, sizeof back, "/children/%s/risk", child_id);
  struct page p;
  page_init(&p, "Risk assessment", "children");
  p.back = back;
  p.notice = notice;
  p.errors = errs;
  p.error_links = COUNTERSIGN_LINKS;
  web_child_identity_bar(&p.identity, child);
  struct buf *b = &p.body;
  hf(b, "<span class=\"govuk-caption-l\">%s</span><h1 class=\"govuk-heading-l\">Risk assessment of %s</h1>", name,
     web_day_long(js(a, "assessed_at"), day, sizeof day));
  if (!json_is_true(json_object_get(a, "current")))
    hf(b, "<div class=\"govuk-inset-text\">A newer assessment has been made since this one.</div>");
  childs_view(b, a);
  hf(b, "<h2 class=\"govuk-heading-m\">Levels</h2>");
  if (json_is_object(json_object_get(a, "out_of_date"))) out_of_date_warning(b, json_object_get(a, "out_of_date"));
  assessment_summary(b, t, a);
  indicators_table(b, t, a);
  changes_section(b, t, json_object_get(a, "changes"), "What changed from the assessment before");
  json_t *cs = json_object_get(a, "countersignature");
  bool awaiting = js(cs, "status") && !strcmp(js(cs, "status"), "awaiting") && json_is_true(json_object_get(a, "current"));
  if (awaiting && role_in(r->who.role, RISK_COUNTERSIGNERS) && strcmp(js(a, "assessed_by"), r->who.username) != 0) {
    json_t *pj = json_object_get(a, "professional_judgement");
    hf(b, "<h2 class=\"govuk-heading-m\" id=\"countersign\">Countersign the lower level</h2><p class=\"govuk-body\">The tool "
          "gives %s; the assessor judged %s. Until you decide, %s stays in force.</p>"
          "<form method=\"post\" action=\"/children/%u/risk/%u/countersign\" novalidate>",
       js(a, "computed_level_label"), js(pj, "level_label") ? js(pj, "level_label") : js(pj, "level"),
       js(a, "computed_level_label"), child_id, aid);
    web_csrf_field(r, b);
    static const char *const codes[] = {"agree", "decline"};
    const char *labels[2];
    char agree_label[300], decline_label[300];
    struct buf l1 = BUF_INIT, l2 = BUF_INIT;
    snprintf(agree_label, sizeof agree_label, "Agree: %s comes into force",
             js(pj, "level_label") ? js(pj, "level_label") : js(pj, "level"));
    snprintf(decline_label, sizeof decline_label, "Decline: %s stands", js(a, "computed_level_label"));
    html_escape(&l1, agree_label);
    html_escape(&l2, decline_label);
    labels[0] = buf_cstr(&l1);
    labels[1] = buf_cstr(&l2);
    radios(b, "decision", "Your decision", NULL, codes, labels, 2, r->form ? form_str(r, "decision") : NULL, errs);
    buf_free(&l1);
    buf_free(&l2);
    textarea(b, "comment", "Your comments", NULL, "Needed when you decline: say why the tool&rsquo;s level should stand",
             r->form ? form_str(r, "comment") : NULL, 4, errs);
    web_button(b, "Record the decision");
    hf(b, "</form>");
  }
  page_send(r, &p, status);
  json_decref(child);
  json_decref(a);
}

/* GET /children/{id}/risk/{aid} */
void web_risk_assessment(struct req *r) {
  const char *done = req_query(r, "done");
  assessment_page(r, NULL, 200, done && !strcmp(done, "countersigned") ? "The decision has been recorded" : NULL);
}

/* POST /children/{id}/risk/{aid}/countersign */
void web_risk_countersign(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  json_t *in = json_object();
  const char *decision = form_str(r, "decision"), *comment = form_str(r, "comment");
  if (decision && *decision) json_object_set_new(in, "decision", json_string(decision));
  if (comment && *comment) json_object_set_new(in, "comment", json_string(comment));
  int rc = svc_risk_countersign(r, req_param(r, 0), req_param(r, 1), in, &errs);
  if (rc == SVC_OK) {
    char loc[200];
    snprintf(loc, sizeof loc, "/children/%s/risk/%s?done=countersigned", req_param(r, 0), req_param(r, 1));
    resp_redirect(r, loc);
  } else if (rc == SVC_INVALID) {
    struct field_errors shown;
    ferr_init(&shown);
    const char *why = ferr_get(&errs, "decision");
    if (why) ferr_add(&shown, "decision", "Select agree or decline");
    why = ferr_get(&errs, "comment");
    if (why && !strncmp(why, "is required", 11)) ferr_add(&shown, "comment", "Enter why the tool's level should stand");
    else if (why) ferr_add(&shown, "comment", "Your comments %s", why);
    assessment_page(r, &shown, 422, NULL);
    ferr_free(&shown);
  } else if (rc == SVC_NOT_FOUND) {
    web_error_page(r, 404, "There is no such risk assessment, or it is not open to you.");
  } else if (rc == SVC_FORBIDDEN) {
    web_error_page(r, 403, "Only a manager or director may countersign.");
  } else if (rc == SVC_CONFLICT) {
    web_error_page(r, 409, ferr_get(&errs, "decision") ? ferr_get(&errs, "decision") : "This assessment cannot be countersigned now.");
  } else {
    web_error_page(r, 503, "The decision could not be recorded just now. Please try again.");
  }
  json_decref(in);
  ferr_free(&errs);
}

/* ---- the managers' overview ---- */

/* One list of the overview: the first children of COUNT, each linking to their Risk tab. */
static void overview_list(struct buf *b, const struct risk_tool *t, json_t *rows, long long count, const char *id,
                          const char *caption, const char *date_heading, const char *date_key, bool judged) {
  hf(b, "<h2 class=\"govuk-heading-m\" id=\"%s\">%s: %lld</h2>", id, caption, count);
  if (!json_array_size(rows)) {
    hf(b, "<p class=\"govuk-body\">None.</p>");
    return;
  }
  hf(b, "<table class=\"govuk-table\" data-testid=\"%s-table\"><caption class=\"govuk-table__caption govuk-visually-hidden\">%s"
        "</caption><thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\"><th scope=\"col\" class=\"govuk-table__header\">"
        "Child</th>%r<th scope=\"col\" class=\"govuk-table__header\">Level in force</th><th scope=\"col\" "
        "class=\"govuk-table__header\">%s</th></tr></thead><tbody class=\"govuk-table__body\">",
     id, caption, judged ? "<th scope=\"col\" class=\"govuk-table__header\">The tool&rsquo;s level</th>" : "", date_heading);
  size_t i;
  json_t *row;
  json_array_foreach(rows, i, row) {
    char day[48];
    hf(b, "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\"><a class=\"govuk-link\" "
          "href=\"/children/%u/risk\">%s %s</a></th>",
       js(row, "child_id"), js(row, "first_name"), js(row, "last_name"));
    if (judged) {
      hf(b, "<td class=\"govuk-table__cell\">");
      level_tag(b, t, js(row, "computed_level"), js(row, "computed_level_label"));
      hf(b, "</td>");
    }
    hf(b, "<td class=\"govuk-table__cell\">");
    level_tag(b, t, js(row, "level"), js(row, "level_label"));
    if (judged && js(row, "countersign_status") && !strcmp(js(row, "countersign_status"), "awaiting")) {
      hf(b, " ");
      web_tag(b, "Awaiting countersignature", "purple");
    }
    hf(b, "</td><td class=\"govuk-table__cell\">%s</td></tr>", web_day_long(js(row, date_key), day, sizeof day));
  }
  hf(b, "</tbody></table>");
  if (count > (long long)json_array_size(rows))
    hf(b, "<p class=\"govuk-body\">The %zu shown first of %lld.</p>", json_array_size(rows), count);
}

/* GET /risk: the risk overview for managers and the director. */
void web_risk_overview(struct req *r) {
  const struct risk_tool *t = &r->app->risk_tool;
  json_t *o = NULL;
  if (svc_risk_overview(r, &o) != SVC_OK) {
    web_error_page(r, 503, "The risk overview could not be shown just now. Please try again.");
    return;
  }
  struct page p;
  page_init(&p, "Risk overview", "risk");
  struct buf *b = &p.body;
  json_t *reviews = json_object_get(o, "reviews"), *judged = json_object_get(o, "changed_by_judgement");
  json_t *stale = json_object_get(o, "out_of_date");
  char as_of[64];
  hf(b, "<h1 class=\"govuk-heading-l\">Risk overview</h1><p class=\"govuk-body\">Children&rsquo;s current CSE risk "
        "assessments (risk tool version %s), as of %s.</p>",
     t->version, web_time_long(js(o, "as_of"), as_of, sizeof as_of));
  hf(b, "<table class=\"govuk-table\" data-testid=\"risk-by-level\"><caption class=\"govuk-table__caption govuk-table__caption--m\">"
        "Children by level in force: %lld assessed</caption><thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">"
        "<th scope=\"col\" class=\"govuk-table__header\">Level</th>"
        "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Children</th>"
        "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Review overdue</th>"
        "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Review due within %d days</th>"
        "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Raised by judgement</th>"
        "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Lowered by judgement</th>"
        "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Awaiting countersignature</th>"
        "</tr></thead><tbody class=\"govuk-table__body\">",
     (long long)json_integer_value(json_object_get(o, "assessed_children")),
     (int)json_integer_value(json_object_get(reviews, "due_soon_days")));
  size_t i;
  json_t *row;
  json_array_foreach(json_object_get(o, "by_level"), i, row) {
    hf(b, "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\">");
    level_tag(b, t, js(row, "level"), js(row, "label"));
    hf(b, "</th>");
    static const char *const cols[] = {"children", "overdue", "due_soon", "raised", "lowered", "awaiting"};
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++)
      hf(b, "<td class=\"govuk-table__cell govuk-table__cell--numeric\">%lld</td>",
         (long long)json_integer_value(json_object_get(row, cols[c])));
    hf(b, "</tr>");
  }
  hf(b, "</tbody></table>");
  overview_list(b, t, json_object_get(reviews, "overdue_children"), (long long)json_integer_value(json_object_get(reviews, "overdue")),
                "overdue", "Reviews overdue", "Review was due", "review_due", false);
  overview_list(b, t, json_object_get(reviews, "due_soon_children"),
                (long long)json_integer_value(json_object_get(reviews, "due_soon")), "due-soon", "Reviews due within 14 days",
                "Review due", "review_due", false);
  overview_list(b, t, json_object_get(judged, "children"),
                (long long)(json_integer_value(json_object_get(judged, "raised")) +
                            json_integer_value(json_object_get(judged, "lowered")) +
                            json_integer_value(json_object_get(judged, "awaiting_countersignature"))),
                "judged", "Levels changed by professional judgement", "Assessed", "assessed_at", true);
  overview_list(b, t, json_object_get(stale, "children"), (long long)json_integer_value(json_object_get(stale, "count")),
                "out-of-date", "Assessments out of date", "Assessed", "assessed_at", false);
  json_decref(o);
  page_send(r, &p, 200);
}
