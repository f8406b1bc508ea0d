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

/* layout.c */
struct page {
  const char *title;      /* <title> and, unless h1 is set, the heading */
  const char *nav;        /* which navigation item is current */
  struct buf body;        /* the main content, already escaped */
  struct field_errors *errors; /* shown in the error summary when given */
  const char *const *error_order; /* field names in the order they appear, for the summary's links */
  const char *back;       /* a back link's href */
  const char *notice;     /* a success banner */
};
void page_init(struct page *p, const char *title, const char *nav);
void page_send(struct req *r, struct page *p, int status);
void web_error_page(struct req *r, int status, const char *message);
void web_csrf_field(struct req *r, struct buf *b);

/* form helpers (forms.c) */
const char *form_str(struct req *r, const char *name);
void web_text_input(struct buf *b, const char *name, const char *label, const char *value, const char *hint,
                    struct field_errors *errs, const char *autocomplete, const char *css);
void web_select(struct buf *b, const char *name, const char *label, const struct code *codes, const char *value,
                struct field_errors *errs, bool with_blank);
void web_date_input(struct buf *b, const char *name, const char *label, const char *value, const char *hint,
                    struct field_errors *errs);
void web_summary_row(struct buf *b, const char *key, const char *value);
void web_tag(struct buf *b, const char *text, const char *colour);
json_t *form_date(struct req *r, const char *name, struct field_errors *errs, const char *label);

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

#endif
