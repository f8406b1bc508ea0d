/*
** Server-rendered web pages in the GOV.UK and MOJ design systems.  Pages work
** without JavaScript; forms post back to the same path and redirect after a
** change (post/redirect/get).  All output goes through hf(), which escapes by
** default.
*/
#ifndef SAFEHUB_WEB_WEB_H
#define SAFEHUB_WEB_WEB_H
#include <jansson.h>
#include "core/codes.h"
#include "core/fields.h"
#include "http/html.h"
#include "http/http.h"

/* Roles that may record a child, and change a child's details. */
#define WEB_CASE_CREATORS                                                                      \
  (R(ROLE_REFERRER) | R(ROLE_MASH) | R(ROLE_SOCIAL_WORKER) | R(ROLE_CSE_WORKER) | R(ROLE_POLICE) | \
   R(ROLE_MANAGER) | R(ROLE_DIRECTOR))
#define WEB_CASE_EDITORS                                                                       \
  (R(ROLE_MASH) | R(ROLE_SOCIAL_WORKER) | R(ROLE_CSE_WORKER) | R(ROLE_POLICE) | R(ROLE_MANAGER) | \
   R(ROLE_DIRECTOR))

/*
** Where the error summary's link for a field goes: the id of the first
** control of that field.  A plain input's id is its name; a date input's
** first control is its day box, so its anchor differs.
*/
struct error_link {
  const char *field;
  const char *anchor; /* NULL: the same as field */
};

/* A field's name in error messages, and the message when it is missing (NULL: "LABEL is required"). */
struct field_label {
  const char *field, *label, *required;
};

/* layout.c */
struct page {
  const char *title;      /* <title>, after "Error: " when there are errors */
  const char *nav;        /* which navigation item is current */
  struct buf body;        /* the main content, already escaped */
  struct buf identity;    /* an MOJ identity bar shown above the content, already escaped (may be empty) */
  struct field_errors *errors; /* shown in the error summary when given */
  const struct error_link *error_links; /* fields in page order, {NULL, NULL} ended: the summary's order and links */
  const char *back;       /* a back link's href */
  const char *notice;     /* a success banner */
};
void page_init(struct page *p, const char *title, const char *nav);
void page_send(struct req *r, struct page *p, int status);
void web_error_page(struct req *r, int status, const char *message);
void web_csrf_field(struct req *r, struct buf *b);

const char *web_role_label(enum role r);

/* form helpers (forms.c) */
const char *form_str(struct req *r, const char *name);
void web_text_input(struct buf *b, const char *name, const char *label, const char *value, const char *hint,
                    struct field_errors *errs, const char *autocomplete, const char *css);
void web_password_input(struct buf *b, const char *name, const char *label, const char *hint,
                        struct field_errors *errs, const char *autocomplete);
void web_code_input(struct buf *b, const char *name, const char *label, const char *hint, struct field_errors *errs);
void web_textarea(struct buf *b, const char *name, const char *label, const char *value, const char *hint,
                  struct field_errors *errs);
void web_select(struct buf *b, const char *name, const char *label, const struct code *codes, const char *value,
                const char *hint, struct field_errors *errs, const char *blank);
void web_date_input(struct req *r, struct buf *b, const char *name, const char *legend, const char *value, const char *hint,
                    struct field_errors *errs);
void web_radios(struct buf *b, const char *name, const char *legend, const char *hint, const struct code *codes,
                const char *const *hints, const char *value, struct field_errors *errs, bool inline_items);
void web_radios_yes_no(struct buf *b, const char *name, const char *legend, const char *hint, const char *value,
                       struct field_errors *errs);
void web_button(struct buf *b, const char *text);
void web_summary_row(struct buf *b, const char *key, const char *value);
void web_summary_row_html(struct buf *b, const char *key, struct buf *value);
void web_button_link(struct buf *b, const char *href, const char *text, bool secondary);
const char *web_date_long(const char *iso, char *out, size_t cap);
const char *web_time_long(const char *iso, char *out, size_t cap);
const char *web_day_long(const char *iso, char *out, size_t cap);
void web_multiline(struct buf *b, const char *text);
void web_tag(struct buf *b, const char *text, const char *colour);
void web_humanise(struct field_errors *errs, const struct field_label *labels);
json_t *form_date(struct req *r, const char *name, struct field_errors *errs, const char *label);

/*
** Edit forms carry the version of the record they were rendered from in the
** hidden field "version", so that a save made after someone else's change is
** refused instead of silently undoing it.  The error goes under "version"
** and its summary link to the notice web_record_changed() writes.
*/
#define WEB_CONFLICT_MESSAGE "Someone else changed this record while you were editing it. Go back and try again."
#define WEB_CONFLICT_ANCHOR "record-changed"
void web_version_field(struct req *r, struct buf *b, json_t *record);
long long web_form_version(struct req *r);
void web_record_changed(struct buf *b, struct field_errors *errs, const char *current_href);

/* pages */
void web_home(struct req *r);
void web_sign_in_form(struct req *r);
void web_sign_in(struct req *r);
void web_second_factor_form(struct req *r);
void web_second_factor(struct req *r);
void web_enrol_form(struct req *r);
void web_enrol(struct req *r);
void web_sign_out(struct req *r);
void web_children_search(struct req *r);
void web_child_new_form(struct req *r);
void web_child_new(struct req *r);
void web_child_view(struct req *r);
void web_child_edit_form(struct req *r);
void web_child_edit(struct req *r);
void web_audit(struct req *r);
void web_admin_users(struct req *r);
void web_admin_user_new_form(struct req *r);
void web_admin_user_new(struct req *r);
void web_admin_agencies(struct req *r);
void web_admin_agency_new(struct req *r);
void web_account_password_form(struct req *r);
void web_account_password(struct req *r);

/* the child's name and identity bar on every page about a child (children.c) */
const char *web_child_name(json_t *c, char *out, size_t cap);
void web_child_identity_bar(struct buf *b, json_t *c);
/* identity resolution (duplicates.c) */
void web_duplicates(struct req *r);
void web_duplicate_decide(struct req *r);
void web_merge_undo(struct req *r);
void web_child_merges(struct req *r, struct buf *b, json_t *child);
/* the statutory clock (work.c) */
void web_child_tabs(struct buf *b, enum role viewer, const char *child_id, const char *current);
void web_child_chronology(struct req *r);
void web_work(struct req *r);
void web_notifications(struct req *r);
void web_notification_read(struct req *r);
void web_holidays(struct req *r);
void web_holiday_add(struct req *r);
void web_holiday_delete(struct req *r);
#endif
