/*
** Sign-in pages: username and password, the second-factor code, enrolling
** an authenticator app, and signing out.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "config/config.h"
#include "http/app.h"
#include "service/service.h"
#include "util/text.h"
#include "web/web.h"

static const struct error_link SIGN_IN_LINKS[] = {{"username", NULL}, {"password", NULL}, {NULL, NULL}};

/* The sign-in form, with ERRS shown and the username kept (never the password). */
static void sign_in_page(struct req *r, struct field_errors *errs, const char *username, int status,
                         const char *message) {
  struct page p;
  page_init(&p, "Sign in", NULL);
  p.errors = errs;
  p.error_links = SIGN_IN_LINKS;
  struct buf *b = &p.body;
  hf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">"
        "<h1 class=\"govuk-heading-l\">Sign in to Safehub</h1>");
  if (message) hf(b, "<div class=\"govuk-inset-text\">%s</div>", message);
  hf(b, "<form method=\"post\" action=\"/sign-in\" novalidate>");
  if (r->who.kind == AUTH_SESSION) web_csrf_field(r, b);
  web_text_input(b, "username", "Username", username, NULL, errs, "username", "govuk-!-width-two-thirds");
  web_password_input(b, "password", "Password", NULL, errs, "current-password");
  web_button(b, "Sign in");
  hf(b, "</form><h2 class=\"govuk-heading-s\">If you cannot sign in</h2>"
        "<p class=\"govuk-body\">Ask your Safehub administrator to reset your password or your authenticator app. "
        "After %d wrong attempts in a row your account is locked for a while.</p></div></div>",
     r->app->cfg->login_max_failures);
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

/* Says how long RETRY seconds is in words ("1 minute", "3 minutes"), rounding up to whole minutes. */
static void wait_phrase(int64_t retry, char *out, size_t cap) {
  int64_t minutes = retry <= 60 ? 1 : (retry + 59) / 60;
  if (minutes >= 120) snprintf(out, cap, "%lld hours", (long long)((minutes + 59) / 60));
  else snprintf(out, cap, "%lld minute%s", (long long)minutes, minutes == 1 ? "" : "s");
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
    char wait[64];
    wait_phrase(retry, wait, sizeof wait);
    ferr_add(&errs, "username", "Your account is locked after too many failed attempts. Try again in %s", wait);
    sign_in_page(r, &errs, username, 429, NULL);
  } else if (rc == SVC_FORBIDDEN) {
    ferr_add(&errs, "username", "Enter a correct username and password");
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

static const struct error_link CODE_LINKS[] = {{"code", NULL}, {NULL, NULL}};

/* The page asking for the authenticator's code at sign-in. */
static void code_page(struct req *r, struct field_errors *errs, int status) {
  struct page p;
  page_init(&p, "Enter your security code", NULL);
  p.errors = errs;
  p.error_links = CODE_LINKS;
  struct buf *b = &p.body;
  hf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">"
        "<form method=\"post\" action=\"/sign-in/second-factor\" novalidate>");
  web_csrf_field(r, b);
  hf(b, "<h1 class=\"govuk-heading-l\">Enter your security code</h1>"
        "<p class=\"govuk-body\">Open the authenticator app on your phone and find the code it shows for "
        "Safehub.</p>");
  web_code_input(b, "code", "Security code", "The code is 6 digits and changes every 30 seconds", errs);
  web_button(b, "Continue");
  hf(b, "</form><p class=\"govuk-body\">Lost your phone or changed it? Ask your Safehub administrator to reset your "
        "authenticator app.</p></div></div>");
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
  if (text_is_blank(form_str(r, "code"))) {
    ferr_add(&errs, "code", "Enter the security code from your authenticator app");
    code_page(r, &errs, 422);
    ferr_free(&errs);
    return;
  }
  int rc = svc_second_factor(r, form_str(r, "code"));
  if (rc == SVC_OK) {
    resp_redirect(r, "/");
  } else if (rc == SVC_LOCKED) {
    web_error_page(r, 429, "Too many wrong codes. Wait a few minutes, then sign in again.");
  } else if (rc == SVC_FORBIDDEN) {
    ferr_add(&errs, "code", "The security code is not right: check the code your app shows now and try again");
    code_page(r, &errs, 401);
  } else if (rc == SVC_CONFLICT) {
    resp_redirect(r, "/");
  } else {
    web_error_page(r, 503, "The service could not check your code just now. Please try again.");
  }
  ferr_free(&errs);
}

/*
** The enrolment page: the new authenticator key, grouped in fours for
** typing, and a box for the first code.  The key is wiped from memory once
** the page is built.
*/
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
  p.error_links = CODE_LINKS;
  struct buf *b = &p.body;
  hf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">"
        "<h1 class=\"govuk-heading-l\">Set up your authenticator app</h1>"
        "<p class=\"govuk-body\">Your role needs a second step when you sign in: a code from an authenticator app on "
        "your work phone, such as Microsoft Authenticator or Google Authenticator.</p>"
        "<ol class=\"govuk-list govuk-list--number\"><li>In the app, choose to add an account, then to enter a setup "
        "key.</li><li>Enter this key (the spaces do not matter):<br><strong class=\"app-secret\" "
        "data-testid=\"totp-secret\">%s</strong></li><li>Enter the 6-digit code the app then shows.</li></ol>"
        "<p class=\"govuk-body\">If you are reading this on the phone itself, you can "
        "<a class=\"govuk-link\" href=\"%s\">add the key to your authenticator app</a> instead.</p>"
        "<div class=\"govuk-warning-text\"><span class=\"govuk-warning-text__icon\" aria-hidden=\"true\">!</span>"
        "<strong class=\"govuk-warning-text__text\"><span class=\"govuk-visually-hidden\">Warning</span>"
        "Keep this key to yourself. Anyone with it and your password can sign in as you.</strong></div>"
        "<form method=\"post\" action=\"/sign-in/enrol\" novalidate>",
     grouped, uri);
  web_csrf_field(r, b);
  web_code_input(b, "code", "Code from the app", "The code is 6 digits", errs);
  web_button(b, "Continue");
  hf(b, "</form></div></div>");
  sodium_memzero(secret, sizeof secret);
  sodium_memzero(grouped, sizeof grouped);
  free(uri);
  page_send(r, &p, status);
}

/* GET /sign-in/enrol */
void web_enrol_form(struct req *r) { enrol_page(r, NULL, 200); }

/* POST /sign-in/enrol */
void web_enrol(struct req *r) {
  if (text_is_blank(form_str(r, "code"))) {
    struct field_errors errs;
    ferr_init(&errs);
    ferr_add(&errs, "code", "Enter the 6-digit code from your authenticator app");
    enrol_page(r, &errs, 422);
    ferr_free(&errs);
    return;
  }
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
  ferr_add(&errs, "code", "The code is not right: check the key you entered in the app, then enter the code it shows now");
  enrol_page(r, &errs, 422);
  ferr_free(&errs);
}

/* POST /sign-out */
void web_sign_out(struct req *r) {
  svc_sign_out(r);
  resp_redirect(r, "/sign-in");
}
