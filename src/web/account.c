/*
** The user's own account: changing their password (which signs them out
** everywhere else).
*/
#include "service/service.h"
#include "web/web.h"

static const struct error_link PASSWORD_LINKS[] = {
    {"current_password", NULL}, {"new_password", NULL}, {NULL, NULL}};

static const struct field_label PASSWORD_LABELS[] = {
    {"current_password", "The password you entered", "Enter your current password"},
    {"new_password", "New password", "Enter a new password"},
    {NULL, NULL, NULL},
};

/* The change-password form, with ERRS or NOTICE shown. */
static void password_page(struct req *r, struct field_errors *errs, int status, const char *notice) {
  struct page p;
  page_init(&p, "Change your password", "account");
  p.errors = errs;
  p.error_links = PASSWORD_LINKS;
  p.notice = notice;
  struct buf *b = &p.body;
  hf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\"><h1 class=\"govuk-heading-l\">Change your password</h1>"
        "<form method=\"post\" action=\"/account/password\" novalidate>");
  web_csrf_field(r, b);
  web_password_input(b, "current_password", "Current password", NULL, errs, "current-password");
  web_password_input(b, "new_password", "New password",
                     "At least 12 characters. A few unrelated words make a good one.", errs, "new-password");
  web_button(b, "Change password");
  hf(b, "</form></div></div>");
  page_send(r, &p, status);
}

/* GET /account/password */
void web_account_password_form(struct req *r) {
  password_page(r, NULL, 200, req_query(r, "changed") ? "Your password has been changed" : NULL);
}

/* POST /account/password */
void web_account_password(struct req *r) {
  json_t *in = json_pack("{s:s?,s:s?}", "current_password", form_str(r, "current_password"), "new_password",
                         form_str(r, "new_password"));
  struct field_errors errs;
  ferr_init(&errs);
  int rc = svc_password_change(r, in, &errs);
  if (rc == SVC_OK) resp_redirect(r, "/account/password?changed=1");
  else if (rc == SVC_INVALID) {
    web_humanise(&errs, PASSWORD_LABELS);
    password_page(r, &errs, 422, NULL);
  } else if (rc == SVC_LOCKED) {
    web_error_page(r, 429, "Too many wrong passwords. Your account is locked for a while; ask your administrator if you need it sooner.");
  } else {
    web_error_page(r, 503, "Your password could not be changed just now.");
  }
  json_decref(in);
  ferr_free(&errs);
}
