/*
** The user's own account: changing their password.
*/
#include "service/service.h"
#include "web/web.h"

static void password_page(struct req *r, struct field_errors *errs, int status, const char *notice) {
  struct page p;
  page_init(&p, "Change your password", "account");
  static const char *const order[] = {"current_password", "new_password", NULL};
  p.errors = errs;
  p.error_order = order;
  p.notice = notice;
  struct buf *b = &p.body;
  hf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\"><h1 class=\"govuk-heading-l\">Change your password</h1>"
        "<form method=\"post\" action=\"/account/password\" novalidate>");
  web_csrf_field(r, b);
  web_text_input(b, "current_password", "Current password", NULL, NULL, errs, "current-password", NULL);
  web_text_input(b, "new_password", "New password", NULL, "At least 12 characters. A few unrelated words make a good one.",
                 errs, "new-password", NULL);
  hf(b, "<button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">Change password</button></form></div></div>");
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
  else if (rc == SVC_INVALID) password_page(r, &errs, 422, NULL);
  else web_error_page(r, 503, "Your password could not be changed just now.");
  json_decref(in);
  ferr_free(&errs);
}
