/*
** GOV.UK form components: text inputs, selects, date inputs, summary rows
** and tags, each showing its error message in the pattern's place, and the
** reading of posted values.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/codes.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "web/web.h"

/* The posted value NAME, or NULL; a repeated name yields NULL. */
const char *form_str(struct req *r, const char *name) {
  return json_string_value(json_object_get(r->form, name));
}

static void error_message(struct buf *b, const char *name, const char *why) {
  hf(b, "<p id=\"%s-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">Error:</span> %s</p>",
     name, why);
}

/* A text input with label, optional hint and the field's error, if any. */
void web_text_input(struct buf *b, const char *name, const char *label, const char *value, const char *hint,
                    struct field_errors *errs, const char *autocomplete, const char *css) {
  const char *why = errs ? ferr_get(errs, name) : NULL;
  hf(b, "<div class=\"govuk-form-group%r\"><label class=\"govuk-label\" for=\"%s\">%s</label>",
     why ? " govuk-form-group--error" : "", name, label);
  if (hint) hf(b, "<div id=\"%s-hint\" class=\"govuk-hint\">%s</div>", name, hint);
  if (why) error_message(b, name, why);
  struct buf desc = BUF_INIT;
  if (hint) buf_printf(&desc, "%s-hint", name);
  if (why) buf_printf(&desc, "%s%s-error", desc.len ? " " : "", name);
  hf(b, "<input class=\"govuk-input%r %s\" id=\"%s\" name=\"%s\" type=\"%s\" value=\"%s\"",
     why ? " govuk-input--error" : "", css ? css : "", name, name,
     autocomplete && strstr(autocomplete, "password") ? "password" : "text", value ? value : "");
  if (desc.len) hf(b, " aria-describedby=\"%s\"", buf_cstr(&desc));
  if (autocomplete) hf(b, " autocomplete=\"%s\"", autocomplete);
  hf(b, " spellcheck=\"false\"></div>");
  buf_free(&desc);
}

/* A select of CODES (label shown, code posted). */
void web_select(struct buf *b, const char *name, const char *label, const struct code *codes, const char *value,
                struct field_errors *errs, bool with_blank) {
  const char *why = errs ? ferr_get(errs, name) : NULL;
  hf(b, "<div class=\"govuk-form-group%r\"><label class=\"govuk-label\" for=\"%s\">%s</label>",
     why ? " govuk-form-group--error" : "", name, label);
  if (why) error_message(b, name, why);
  hf(b, "<select class=\"govuk-select%r\" id=\"%s\" name=\"%s\"%r>", why ? " govuk-select--error" : "", name, name,
     "");
  if (with_blank) hf(b, "<option value=\"\">Choose</option>");
  for (const struct code *c = codes; c->code; c++) {
    hf(b, "<option value=\"%s\"%r>%s</option>", c->code, value && !strcmp(value, c->code) ? " selected" : "",
       c->label);
  }
  hf(b, "</select></div>");
}

/* A GOV.UK date input: day, month and year boxes named NAME-day etc.  VALUE is YYYY-MM-DD or NULL. */
void web_date_input(struct buf *b, const char *name, const char *label, const char *value, const char *hint,
                    struct field_errors *errs) {
  const char *why = errs ? ferr_get(errs, name) : NULL;
  char d[3] = "", m[3] = "", y[5] = "";
  int64_t days;
  if (value && date_parse(value, &days)) {
    int yy, mm, dd;
    civil_from_days(days, &yy, &mm, &dd);
    snprintf(d, sizeof d, "%d", dd);
    snprintf(m, sizeof m, "%d", mm);
    snprintf(y, sizeof y, "%04d", yy);
  }
  hf(b, "<div class=\"govuk-form-group%r\"><fieldset class=\"govuk-fieldset\" role=\"group\" "
        "aria-describedby=\"%s-hint",
     why ? " govuk-form-group--error" : "", name);
  if (why) hf(b, " %s-error", name);
  hf(b, "\"><legend class=\"govuk-fieldset__legend govuk-fieldset__legend--s\">%s</legend>"
        "<div id=\"%s-hint\" class=\"govuk-hint\">%s</div>",
     label, name, hint ? hint : "For example, 27 3 2011");
  if (why) error_message(b, name, why);
  hf(b, "<div class=\"govuk-date-input\" id=\"%s\">", name);
  const char *parts[3][3] = {{"day", "Day", d}, {"month", "Month", m}, {"year", "Year", y}};
  for (int i = 0; i < 3; i++) {
    hf(b, "<div class=\"govuk-date-input__item\"><div class=\"govuk-form-group\">"
          "<label class=\"govuk-label govuk-date-input__label\" for=\"%s-%s\">%s</label>"
          "<input class=\"govuk-input govuk-date-input__input govuk-input--width-%d%r\" id=\"%s-%s\" "
          "name=\"%s-%s\" type=\"text\" inputmode=\"numeric\" value=\"%s\"></div></div>",
       name, parts[i][0], parts[i][1], i == 2 ? 4 : 2, why ? " govuk-input--error" : "", name, parts[i][0], name,
       parts[i][0], parts[i][2]);
  }
  hf(b, "</div></fieldset></div>");
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
  char *end1, *end2, *end3;
  long dd = d ? strtol(d, &end1, 10) : 0, mm = m ? strtol(m, &end2, 10) : 0, yy = y ? strtol(y, &end3, 10) : 0;
  if (!d || !m || !y || *end1 || *end2 || *end3 || yy < 1000 || !date_valid((int)yy, (int)mm, (int)dd)) {
    ferr_add(errs, name, "%s must be a real date", label);
    return NULL;
  }
  char out[ISO_DATE_LEN];
  date_format(days_from_civil((int)yy, (int)mm, (int)dd), out);
  return json_string(out);
}

/* One row of a GOV.UK summary list; VALUE NULL shows "Not recorded". */
void web_summary_row(struct buf *b, const char *key, const char *value) {
  hf(b, "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">%s</dt>"
        "<dd class=\"govuk-summary-list__value\">%s</dd></div>",
     key, value && *value ? value : "Not recorded");
}

/* A GOV.UK tag; COLOUR is a tag modifier such as "red" or NULL. */
void web_tag(struct buf *b, const char *text, const char *colour) {
  hf(b, "<strong class=\"govuk-tag%r%s\">%s</strong>", colour ? " govuk-tag--" : "", colour ? colour : "", text);
}
