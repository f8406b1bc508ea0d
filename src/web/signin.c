/*
** Sign-in pages: username and password, the second-factor code, enrolling
** an authenticator app, and signing out.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "service/service.h"
#include "web/web.h"

static void sign_in_page(struct req *r, struct field_errors *errs, const char *username, int status,
                         const char *message) {
  struct page p;
  page_init(&p, "Sign in", NULL);
  static const char *const order[] = {"username", "password", NULL};
  p.errors = errs;
  p.error_order = order;
  struct buf *b = &p.body;
  hf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">"
        "<h1 class=\"govuk-heading-l\">Sign in to Safehub</h1>");
  if (message) hf(b, "<div class=\"govuk-inset-text\">%s</div>", message);
  hf(b, "<form method=\"post\" action=\"/sign-in\" novalidate>");
  if (r->who.kind == AUTH_SESSION) web_csrf_field(r, b);
  web_text_input(b, "username", "Username", username, NULL, errs, "username", "govuk-!-width-two-thirds");
  web_text_input(b, "password", "Password", NULL, NULL, errs, "current-password", "govuk-!-width-two-thirds");
  hf(b, "<button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">Sign in</button></form>"
        "<p class=\"govuk-body\">Forgotten your password? Ask your Safehub administrator to reset it.</p>"
        "</div></div>");
  page_send(r, &p, status);
}

/* GET /sign-in */
void web_sign_in_form(struct req *r) {
  if (r->who.kind == AUTH_SESSION && strcmp(r->who.stage, "full") == 0) {
    resp_redirect(r, "/");
    return;
  }
  const char *expired = req_query(r, "expired");
  sign_in_page(r, NULL, NULL, 200, expired ? "Your session ended, so you have been signed out. Sign in again." : NULL);
}

/* POST /sign-in */
void web_sign_in(struct req *r) {
  const char *username = form_str(r, "username");
  const char *password = form_str(r, "password");
  struct field_errors errs;
  ferr_init(&errs);
  if (!username || !*username) ferr_add(&errs, "username", "Enter your username");
  if (!password || !*password) ferr_add(&errs, "password", "Enter your password");
  if (ferr_any(&errs) || strlen(username) > 64 || strlen(password) > 256) {
    if (!ferr_any(&errs)) ferr_add(&errs, "username", "Enter a valid username and password");
    sign_in_page(r, &errs, username, 422, NULL);
    ferr_free(&errs);
    return;
  }
  enum signin_next next;
  int64_t retry = 0;
  int rc = svc_sign_in(r, username, password, NULL, &next, &retry);
  if (rc == SVC_LOCKED) {
    ferr_add(&errs, "username", "Too many failed attempts. Wait a few minutes, then try again");
    sign_in_page(r, &errs, username, 429, NULL);
  } else if (rc == SVC_FORBIDDEN) {
    ferr_add(&errs, "username", "The username or password is not right");
    sign_in_page(r, &errs, username, 401, NULL);
  } else if (rc != SVC_OK) {
    web_error_page(r, 503, "The service could not sign you in just now. Please try again.");
  } else {
    resp_redirect(r, next == SIGNIN_SECOND_FACTOR ? "/sign-in/second-factor"
                     : next == SIGNIN_ENROL       ? "/sign-in/enrol"
                                                  : "/");
  }
  ferr_free(&errs);
}

static void code_page(struct req *r, struct field_errors *errs, int status) {
  struct page p;
  page_init(&p, "Enter your security code", NULL);
  p.errors = errs;
  struct buf *b = &p.body;
  hf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">"
        "<h1 class=\"govuk-heading-l\">Enter your security code</h1>"
        "<p class=\"govuk-body\">Open the authenticator app on your phone and enter the 6-digit code it shows "
        "for Safehub.</p><form method=\"post\" action=\"/sign-in/second-factor\" novalidate>");
  web_csrf_field(r, b);
  web_text_input(b, "code", "Security code", NULL, NULL, errs, "one-time-code", "govuk-input--width-10");
  hf(b, "<button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">Continue</button></form>"
        "</div></div>");
  page_send(r, &p, status);
}

/* GET /sign-in/second-factor */
void web_second_factor_form(struct req *r) {
  if (strcmp(r->who.stage, "enrol") == 0) {
    resp_redirect(r, "/sign-in/enrol");
    return;
  }
  if (strcmp(r->who.stage, "full") == 0) {
    resp_redirect(r, "/");
    return;
  }
  code_page(r, NULL, 200);
}

/* POST /sign-in/second-factor */
void web_second_factor(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  int rc = svc_second_factor(r, form_str(r, "code"));
  if (rc == SVC_OK) {
    resp_redirect(r, "/");
  } else if (rc == SVC_LOCKED) {
    web_error_page(r, 429, "Too many wrong codes. Wait a few minutes, then sign in again.");
  } else if (rc == SVC_FORBIDDEN) {
    ferr_add(&errs, "code", "The security code is not right. Check your app and try again");
    code_page(r, &errs, 401);
  } else if (rc == SVC_CONFLICT) {
    resp_redirect(r, "/");
  } else {
    web_error_page(r, 503, "The service could not check your code just now. Please try again.");
  }
  ferr_free(&errs);
}

static void enrol_page(struct req *r, struct field_errors *errs, int status) {
  char secret[64];
  char *uri = NULL;
  int rc = svc_totp_begin(r, secret, sizeof secret, &uri);
  if (rc == SVC_CONFLICT) {
    resp_redirect(r, "/");
    return;
  }
  if (rc != SVC_OK) {
    web_error_page(r, 503, "The service could not start setting up your app. Please try again.");
    return;
  }
  char grouped[96];
  size_t o = 0;
  for (size_t i = 0; secret[i] && o + 2 < sizeof grouped; i++) {
    if (i && i % 4 == 0) grouped[o++] = ' ';
    grouped[o++] = secret[i];
  }
  grouped[o] = '\0';
  struct page p;
  page_init(&p, "Set up your authenticator app", NULL);
  p.errors = errs;
  struct buf *b = &p.body;
  hf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">"
        "<h1 class=\"govuk-heading-l\">Set up your authenticator app</h1>"
        "<p class=\"govuk-body\">Your role needs a second step when you sign in. Use an authenticator app on your "
        "work phone, such as Microsoft Authenticator or Google Authenticator.</p>"
        "<ol class=\"govuk-list govuk-list--number\"><li>In the app, choose to add an account and enter a setup key."
        "</li><li>Enter this key: <strong class=\"app-secret\" data-testid=\"totp-secret\">%s</strong></li>"
        "<li>Enter the 6-digit code the app then shows.</li></ol>"
        "<p class=\"govuk-body\">On the phone itself you can <a class=\"govuk-link\" href=\"%s\">open the app "
        "with this key</a>.</p><form method=\"post\" action=\"/sign-in/enrol\" novalidate>",
     grouped, uri);
  web_csrf_field(r, b);
  web_text_input(b, "code", "Code from the app", NULL, NULL, errs, "one-time-code", "govuk-input--width-10");
  hf(b, "<button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">Continue</button></form>"
        "</div></div>");
  sodium_memzero(secret, sizeof secret);
  sodium_memzero(grouped, sizeof grouped);
  free(uri);
  page_send(r, &p, status);
}

/* GET /sign-in/enrol */
void web_enrol_form(struct req *r) { enrol_page(r, NULL, 200); }

/* POST /sign-in/enrol */
void web_enrol(struct req *r) {
  int rc = svc_totp_confirm(r, form_str(r, "code"));
  if (rc == SVC_OK) {
    resp_redirect(r, "/");
    return;
  }
  if (rc == SVC_CONFLICT) {
    resp_redirect(r, "/");
    return;
  }
  if (rc != SVC_INVALID) {
    web_error_page(r, 503, "The service could not check your code just now. Please try again.");
    return;
  }
  struct field_errors errs;
  ferr_init(&errs);
  ferr_add(&errs, "code", "The code is not right. Check the key in your app and try again");
  enrol_page(r, &errs, 422);
  ferr_free(&errs);
}

/* POST /sign-out */
void web_sign_out(struct req *r) {
  svc_sign_out(r);
  resp_redirect(r, "/sign-in");
}
