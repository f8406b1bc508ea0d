/*
** GOV.UK form components as their Frontend 6 templates render them: text
** and password inputs, one-time-code inputs, textareas, selects, date
** inputs, yes/no radios, buttons, summary rows and tags.  Each shows its
** hint and error message in the pattern's place and ties them to the
** control with aria-describedby, so a screen reader reads them with the
** field.  Also reads posted values.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/codes.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/xalloc.h"
#include "web/web.h"

/* The posted value NAME, or NULL; a repeated name yields NULL. */
const char *form_str(struct req *r, const char *name) {
  return json_string_value(json_object_get(r->form, name));
}

/* The field's error, or NULL. */
static const char *error_of(struct field_errors *errs, const char *name) {
  return errs ? ferr_get(errs, name) : NULL;
}

/* The GOV.UK error message for field NAME, with the hidden "Error:" a screen reader announces. */
static void error_message(struct buf *b, const char *name, const char *why) {
  hf(b, "<p id=\"%s-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">Error:</span> %s</p>",
     name, why);
}

/* The hint for field NAME, if there is one. */
static void hint(struct buf *b, const char *name, const char *text) {
  if (text) hf(b, "<div id=\"%s-hint\" class=\"govuk-hint\">%s</div>", name, text);
}

/* Writes ' aria-describedby="NAME-hint NAME-error"' for what the field shows, or nothing. */
static void described_by(struct buf *b, const char *name, bool has_hint, bool has_error) {
  if (!has_hint && !has_error) return;
  hf(b, " aria-describedby=\"");
  if (has_hint) hf(b, "%s-hint", name);
  if (has_error) hf(b, "%r%s-error", has_hint ? " " : "", name);
  hf(b, "\"");
}

/* The label, hint and error that open a single-control form group. */
static void group_open(struct buf *b, const char *name, const char *label, const char *hint_text, const char *why) {
  hf(b, "<div class=\"govuk-form-group%r\"><label class=\"govuk-label\" for=\"%s\">%s</label>",
     why ? " govuk-form-group--error" : "", name, label);
  hint(b, name, hint_text);
  if (why) error_message(b, name, why);
}

/* A text input with label, optional hint and the field's error, if any. */
void web_text_input(struct buf *b, const char *name, const char *label, const char *value, const char *hint_text,
                    struct field_errors *errs, const char *autocomplete, const char *css) {
  const char *why = error_of(errs, name);
  group_open(b, name, label, hint_text, why);
  hf(b, "<input class=\"govuk-input%r%r%s\" id=\"%s\" name=\"%s\" type=\"text\" value=\"%s\"",
     why ? " govuk-input--error" : "", css ? " " : "", css ? css : "", name, name, value ? value : "");
  described_by(b, name, hint_text != NULL, why != NULL);
  if (autocomplete) hf(b, " autocomplete=\"%s\"", autocomplete);
  hf(b, " spellcheck=\"false\"></div>");
}

/*
** The GOV.UK password input: never refilled after a post, and with a
** "Show" button that only appears once the script has enhanced it.
*/
void web_password_input(struct buf *b, const char *name, const char *label, const char *hint_text,
                        struct field_errors *errs, const char *autocomplete) {
  const char *why = error_of(errs, name);
  hf(b, "<div class=\"govuk-form-group govuk-password-input%r\" data-module=\"govuk-password-input\">"
        "<label class=\"govuk-label\" for=\"%s\">%s</label>",
     why ? " govuk-form-group--error" : "", name, label);
  hint(b, name, hint_text);
  if (why) error_message(b, name, why);
  hf(b, "<div class=\"govuk-input__wrapper govuk-password-input__wrapper\">"
        "<input class=\"govuk-input govuk-password-input__input govuk-js-password-input-input%r\" id=\"%s\" "
        "name=\"%s\" type=\"password\" spellcheck=\"false\" autocapitalize=\"none\" autocomplete=\"%s\"",
     why ? " govuk-input--error" : "", name, name, autocomplete ? autocomplete : "current-password");
  described_by(b, name, hint_text != NULL, why != NULL);
  hf(b, "><button type=\"button\" class=\"govuk-button govuk-button--secondary govuk-password-input__toggle "
        "govuk-js-password-input-toggle\" data-module=\"govuk-button\" aria-controls=\"%s\" "
        "aria-label=\"Show password\" hidden>Show</button></div></div>",
     name);
}

/* A six-digit security code box: numeric keyboard, and the browser may fill it from a message. */
void web_code_input(struct buf *b, const char *name, const char *label, const char *hint_text, struct field_errors *errs) {
  const char *why = error_of(errs, name);
  group_open(b, name, label, hint_text, why);
  hf(b, "<input class=\"govuk-input govuk-input--width-5 govuk-input--extra-letter-spacing%r\" id=\"%s\" name=\"%s\" "
        "type=\"text\" inputmode=\"numeric\" autocomplete=\"one-time-code\" spellcheck=\"false\"",
     why ? " govuk-input--error" : "", name, name);
  described_by(b, name, hint_text != NULL, why != NULL);
  hf(b, "></div>");
}

/* A textarea with label, optional hint and error. */
void web_textarea(struct buf *b, const char *name, const char *label, const char *value, const char *hint_text,
                  struct field_errors *errs) {
  const char *why = error_of(errs, name);
  group_open(b, name, label, hint_text, why);
  hf(b, "<textarea class=\"govuk-textarea%r\" id=\"%s\" name=\"%s\" rows=\"3\"", why ? " govuk-textarea--error" : "",
     name, name);
  described_by(b, name, hint_text != NULL, why != NULL);
  hf(b, ">%s</textarea></div>", value ? value : "");
}

/* A select of CODES (label shown, code posted); BLANK, when given, is a first option with no value. */
void web_select(struct buf *b, const char *name, const char *label, const struct code *codes, const char *value,
                const char *hint_text, struct field_errors *errs, const char *blank) {
  const char *why = error_of(errs, name);
  group_open(b, name, label, hint_text, why);
  hf(b, "<select class=\"govuk-select%r\" id=\"%s\" name=\"%s\"", why ? " govuk-select--error" : "", name, name);
  described_by(b, name, hint_text != NULL, why != NULL);
  hf(b, ">");
  if (blank) hf(b, "<option value=\"\">%s</option>", blank);
  for (const struct code *c = codes; c->code; c++) {
    hf(b, "<option value=\"%s\"%r>%s</option>", c->code, value && !strcmp(value, c->code) ? " selected" : "",
       c->label);
  }
  hf(b, "</select></div>");
}

/*
** A GOV.UK date input: a fieldset (role "group", so screen readers read the
** hint) of day, month and year boxes named NAME-day etc., ids the same; the
** error summary links to NAME-day.  VALUE is YYYY-MM-DD or NULL.  When the
** page answers a post of this form, the boxes show what was typed, so a
** mistake can be corrected rather than typed again.
*/
void web_date_input(struct req *r, struct buf *b, const char *name, const char *legend, const char *value,
                    const char *hint_text, struct field_errors *errs) {
  const char *why = error_of(errs, name);
  char d[16] = "", m[16] = "", y[16] = "";
  int64_t days;
  char k[96];
  snprintf(k, sizeof k, "%s-day", name);
  if (r->form && json_object_get(r->form, k)) {
    snprintf(d, sizeof d, "%s", form_str(r, k) ? form_str(r, k) : "");
    snprintf(k, sizeof k, "%s-month", name);
    snprintf(m, sizeof m, "%s", form_str(r, k) ? form_str(r, k) : "");
    snprintf(k, sizeof k, "%s-year", name);
    snprintf(y, sizeof y, "%s", form_str(r, k) ? form_str(r, k) : "");
  } else if (value && date_parse(value, &days)) {
    int yy, mm, dd;
    civil_from_days(days, &yy, &mm, &dd);
    snprintf(d, sizeof d, "%d", dd);
    snprintf(m, sizeof m, "%d", mm);
    snprintf(y, sizeof y, "%04d", yy);
  }
  const char *shown_hint = hint_text ? hint_text : "For example, 27 3 2011";
  hf(b, "<div class=\"govuk-form-group%r\"><fieldset class=\"govuk-fieldset\" role=\"group\"",
     why ? " govuk-form-group--error" : "");
  described_by(b, name, true, why != NULL);
  hf(b, "><legend class=\"govuk-fieldset__legend govuk-fieldset__legend--s\">%s</legend>", legend);
  hint(b, name, shown_hint);
  if (why) error_message(b, name, why);
  hf(b, "<div class=\"govuk-date-input\" id=\"%s\">", name);
  const char *parts[3][3] = {{"day", "Day", d}, {"month", "Month", m}, {"year", "Year", y}};
  for (int i = 0; i < 3; i++) {
    hf(b, "<div class=\"govuk-date-input__item\"><div class=\"govuk-form-group\">"
          "<label class=\"govuk-label govuk-date-input__label\" for=\"%s-%s\">%s</label>"
          "<input class=\"govuk-input govuk-date-input__input govuk-input--width-%r%r\" id=\"%s-%s\" "
          "name=\"%s-%s\" type=\"text\" inputmode=\"numeric\" value=\"%s\"></div></div>",
       name, parts[i][0], parts[i][1], i == 2 ? "4" : "2", why ? " govuk-input--error" : "", name, parts[i][0], name,
       parts[i][0], parts[i][2]);
  }
  hf(b, "</div></fieldset></div>");
}

/*
** Yes/No radios in a fieldset, side by side.  The first radio's id is NAME,
** so the error summary can link to it; the second's is NAME-2.  VALUE is
** "yes", "no" or NULL (neither chosen: a question is never answered for the
** user).
*/
void web_radios_yes_no(struct buf *b, const char *name, const char *legend, const char *hint_text, const char *value,
                       struct field_errors *errs) {
  static const struct code YES_NO[] = {{"yes", "Yes"}, {"no", "No"}, {NULL, NULL}};
  web_radios(b, name, legend, hint_text, YES_NO, NULL, value, errs, true);
}

/*
** GOV.UK radios NAME, one per code of CODES, in a fieldset with LEGEND and
** an optional HINT; HINTS (same order, NULL entries or NULL for none) gives
** each radio its own hint.  The first radio's id is NAME, so the error
** summary can link to it; the others are NAME-2, NAME-3 ...  VALUE is
** checked.  INLINE_ITEMS puts the radios side by side.
*/
void web_radios(struct buf *b, const char *name, const char *legend, const char *hint_text, const struct code *codes,
                const char *const *hints, const char *value, struct field_errors *errs, bool inline_items) {
  const char *why = error_of(errs, name);
  hf(b, "<div class=\"govuk-form-group%r\"><fieldset class=\"govuk-fieldset\"", why ? " govuk-form-group--error" : "");
  described_by(b, name, hint_text != NULL, why != NULL);
  hf(b, "><legend class=\"govuk-fieldset__legend govuk-fieldset__legend--s\">%s</legend>", legend);
  hint(b, name, hint_text);
  if (why) error_message(b, name, why);
  hf(b, "<div class=\"govuk-radios%r\" data-module=\"govuk-radios\">", inline_items ? " govuk-radios--inline" : "");
  for (int i = 0; codes[i].code; i++) {
    char id[96];
    if (i == 0) snprintf(id, sizeof id, "%s", name);
    else snprintf(id, sizeof id, "%s-%d", name, i + 1);
    const char *item_hint = hints ? hints[i] : NULL;
    hf(b, "<div class=\"govuk-radios__item\"><input class=\"govuk-radios__input\" id=\"%s\" name=\"%s\" type=\"radio\" "
          "value=\"%s\"%r",
       id, name, codes[i].code, value && !strcmp(value, codes[i].code) ? " checked" : "");
    if (item_hint) hf(b, " aria-describedby=\"%s-item-hint\"", id);
    hf(b, "><label class=\"govuk-label govuk-radios__label\" for=\"%s\">%s</label>", id, codes[i].label);
    if (item_hint) hf(b, "<div id=\"%s-item-hint\" class=\"govuk-hint govuk-radios__hint\">%s</div>", id, item_hint);
    hf(b, "</div>");
  }
  hf(b, "</div></fieldset></div>");
}

/* A form's submit button; the script stops a double click sending it twice. */
void web_button(struct buf *b, const char *text) {
  hf(b, "<button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\" data-prevent-double-click=\"true\">"
        "%s</button>",
     text);
}

/* Parses S, a whole number with optional surrounding spaces, into *OUT; false if it is anything else. */
static bool whole_number(const char *s, long *out) {
  char *end;
  while (*s == ' ' || *s == '\t') s++;
  if (*s < '0' || *s > '9') return false;
  *out = strtol(s, &end, 10);
  while (*end == ' ' || *end == '\t') end++;
  return *end == '\0' && *out < 100000;
}

/*
** Reads a date posted as NAME-day/-month/-year into a JSON string
** "YYYY-MM-DD", JSON null when all three are blank, or NULL (with an error
** for NAME) when it is not a real date.
*/
json_t *form_date(struct req *r, const char *name, struct field_errors *errs, const char *label) {
  char k[80];
  snprintf(k, sizeof k, "%s-day", name);
  const char *d = form_str(r, k);
  snprintf(k, sizeof k, "%s-month", name);
  const char *m = form_str(r, k);
  snprintf(k, sizeof k, "%s-year", name);
  const char *y = form_str(r, k);
  if (text_is_blank(d) && text_is_blank(m) && text_is_blank(y)) return json_null();
  if (text_is_blank(d) || text_is_blank(m) || text_is_blank(y)) {
    ferr_add(errs, name, "%s must include a day, month and year", label);
    return NULL;
  }
  long dd, mm, yy;
  if (!whole_number(d, &dd) || !whole_number(m, &mm) || !whole_number(y, &yy) || yy < 1000 || yy > 9999 ||
      !date_valid((int)yy, (int)mm, (int)dd)) {
    ferr_add(errs, name, "%s must be a real date", label);
    return NULL;
  }
  char out[ISO_DATE_LEN];
  date_format(days_from_civil((int)yy, (int)mm, (int)dd), out);
  return json_string(out);
}

/*
** The hidden field "version" of an edit form: the version of RECORD when the
** form is first shown, or, when the page answers a post, the version that
** post was made from (never the record's newer one, so that re-sending the
** form cannot overwrite a change its author has not seen).  Writes nothing
** when there is no version to carry.
*/
void web_version_field(struct req *r, struct buf *b, json_t *record) {
  if (r->form) {
    const char *v = form_str(r, "version");
    if (v) hf(b, "<input type=\"hidden\" name=\"version\" value=\"%s\">", v);
    return;
  }
  json_t *v = json_object_get(record, "version");
  if (json_is_integer(v)) hf(b, "<input type=\"hidden\" name=\"version\" value=\"%lld\">", (long long)json_integer_value(v));
}

/*
** The version an edit form was rendered from (see web_version_field): 0 when
** the post carries none, -1 when what it carries is not a version (which
** matches no record, so the save is refused as a conflict).
*/
long long web_form_version(struct req *r) {
  const char *v = form_str(r, "version");
  if (!v || !*v) return 0;
  long long n = 0;
  for (const char *p = v; *p; p++) {
    if (*p < '0' || *p > '9' || n > 100000000000LL) return -1;
    n = n * 10 + (*p - '0');
  }
  return n > 0 ? n : -1;
}

/*
** When ERRS holds a conflict under "version", the notice the error summary
** links to: the record changed after the form was opened, with a link to it
** as it is now (CURRENT_HREF).  Writes nothing otherwise.
*/
void web_record_changed(struct buf *b, struct field_errors *errs, const char *current_href) {
  if (!errs || !ferr_get(errs, "version")) return;
  hf(b, "<div class=\"govuk-inset-text\" id=\"%s\" data-testid=\"record-changed\">Nothing was saved: the record was "
        "changed by someone else after you opened this form. <a class=\"govuk-link\" href=\"%s\">See the record as it "
        "is now</a>, then make your changes again.</div>",
     WEB_CONFLICT_ANCHOR, current_href);
}

/* One row of a GOV.UK summary list; VALUE NULL or empty shows "Not recorded". */
void web_summary_row(struct buf *b, const char *key, const char *value) {
  hf(b, "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">%s</dt>"
        "<dd class=\"govuk-summary-list__value\">%s</dd></div>",
     key, value && *value ? value : "Not recorded");
}

/* A GOV.UK tag; COLOUR is a tag modifier such as "red" or NULL. */
void web_tag(struct buf *b, const char *text, const char *colour) {
  hf(b, "<strong class=\"govuk-tag%r%s\">%s</strong>", colour ? " govuk-tag--" : "", colour ? colour : "", text);
}

static const char *const MONTHS[12] = {"January", "February", "March",     "April",   "May",      "June",
                                       "July",    "August",   "September", "October", "November", "December"};

/* Writes ISO (YYYY-MM-DD) as "27 March 2011", the GOV.UK style, into OUT; anything else is copied as it is. */
const char *web_date_long(const char *iso, char *out, size_t cap) {
  int64_t days;
  if (!iso || !date_parse(iso, &days)) {
    snprintf(out, cap, "%s", iso ? iso : "");
    return out;
  }
  int y, m, d;
  civil_from_days(days, &y, &m, &d);
  snprintf(out, cap, "%d %s %d", d, MONTHS[m - 1], y);
  return out;
}

/*
** Writes the instant ISO (YYYY-MM-DDTHH:MM:SSZ) in UK time, as people in
** the partnership read clocks, naming the zone: "29 November 2026, 03:19:18
** GMT".  Anything unparseable is copied as it is.
*/
const char *web_time_long(const char *iso, char *out, size_t cap) {
  int64_t t;
  if (!iso || !time_parse_iso(iso, &t)) {
    snprintf(out, cap, "%s", iso ? iso : "");
    return out;
  }
  int off = london_offset_seconds(t);
  int64_t local = t + off;
  int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
  int64_t secs = local - days * 86400;
  int y, m, d;
  civil_from_days(days, &y, &m, &d);
  snprintf(out, cap, "%d %s %d, %02d:%02d:%02d %s", d, MONTHS[m - 1], y, (int)(secs / 3600), (int)(secs / 60 % 60),
           (int)(secs % 60), off ? "BST" : "GMT");
  return out;
}

/*
** Writes the UK day of ISO, an instant (YYYY-MM-DDTHH:MM:SSZ) or a date
** (YYYY-MM-DD), as "3 May 2026" into OUT (CAP bytes) and returns OUT.
** Anything unparseable is copied as it is.
*/
const char *web_day_long(const char *iso, char *out, size_t cap) {
  int64_t t;
  if (iso && strlen(iso) == 10) return web_date_long(iso, out, cap);
  if (!iso || !time_parse_iso(iso, &t)) {
    snprintf(out, cap, "%s", iso ? iso : "");
    return out;
  }
  char d[ISO_DATE_LEN];
  date_format(london_today(t), d);
  return web_date_long(d, out, cap);
}

/* Writes TEXT escaped, its line breaks kept as <br>. */
void web_multiline(struct buf *b, const char *text) {
  if (!text) return;
  const char *p = text;
  for (;;) {
    const char *nl = strchr(p, '\n');
    char *line = xstrndup(p, nl ? (size_t)(nl - p) : strlen(p));
    size_t n = strlen(line);
    if (n && line[n - 1] == '\r') line[n - 1] = '\0';
    html_escape(b, line);
    free(line);
    if (!nl) break;
    buf_puts(b, "<br>");
    p = nl + 1;
  }
}

/*
** Rewrites the service's reasons, written for the API ("is required",
** "must be ..."), as GOV.UK error messages that name the field, so each
** makes sense on its own in the error summary: LABELS gives each field's
** name and, optionally, the whole message for a missing value.  Reasons
** that already start with the field's name are left alone.
*/
void web_humanise(struct field_errors *errs, const struct field_label *labels) {
  for (const struct field_label *l = labels; l->field; l++) {
    const char *why = ferr_get(errs, l->field);
    if (!why) continue;
    char msg[320];
    if (!strcmp(why, "is required") && l->required) snprintf(msg, sizeof msg, "%s", l->required);
    else if (strncmp(why, l->label, strlen(l->label)) != 0) snprintf(msg, sizeof msg, "%s %s", l->label, why);
    else continue;
    json_object_set_new(errs->fields, l->field, json_string(msg));
  }
}

/* Writes a link styled as a button (GOV.UK start of a journey), secondary when SECONDARY. */
void web_button_link(struct buf *b, const char *href, const char *text, bool secondary) {
  hf(b, "<a href=\"%s\" role=\"button\" draggable=\"false\" class=\"govuk-button%r\" data-module=\"govuk-button\">%s</a>",
     href, secondary ? " govuk-button--secondary" : "", text);
}

/* Writes a summary row whose value is markup the caller built (already escaped); empty shows "Not recorded". */
void web_summary_row_html(struct buf *b, const char *key, struct buf *value) {
  hf(b, "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">%s</dt>"
        "<dd class=\"govuk-summary-list__value\">%r</dd></div>",
     key, value->len ? buf_cstr(value) : "Not recorded");
}
