/*
** The page frame: skip link, MOJ header with the signed-in user, their
** agency and role and the sign-out control, MOJ primary navigation by role,
** an optional MOJ identity bar, the GOV.UK error summary and notification
** banner, and the footer.  Markup follows GOV.UK Frontend 6 and MOJ Frontend
** 11 templates.  No inline script or style anywhere, so the
** Content-Security-Policy can forbid both; every page works without
** JavaScript, which only adds the design systems' enhancements.
*/
#include <string.h>
#include "access/roles.h"
#include "http/app.h"
#include "service/intel.h"
#include "web/web.h"

struct nav_item {
  const char *key, *href, *label;
  roleset roles;
};

static const struct nav_item NAV[] = {
    {"home", "/", "Home", ROLES_ALL},
    {"work", "/work", "My work", ROLES_CASE},
    {"referrals", "/referrals", "Referrals", ROLES_CASE},
    {"children", "/children", "Children", ROLES_CASE},
    {"risk", "/risk", "Risk overview", R(ROLE_MANAGER) | R(ROLE_DIRECTOR)},
    {"intelligence", "/intelligence", "Intelligence", INTEL_READERS},
    {"reports", "/reports/problem-profile", "Problem profile", REPORT_READERS},
    {"duplicates", "/duplicates", "Possible duplicates", R(ROLE_MASH) | R(ROLE_MANAGER) | R(ROLE_DIRECTOR)},
    {"audit", "/audit", "Audit trail", ROLES_AUDIT_READERS},
    {"users", "/admin/users", "Users", R(ROLE_ADMIN)},
    {"agencies", "/admin/agencies", "Agencies", R(ROLE_ADMIN)},
    {"holidays", "/admin/bank-holidays", "Bank holidays", R(ROLE_ADMIN)},
    {"notifications", "/notifications", "Notifications", ROLES_ALL},
    {NULL, NULL, NULL, 0},
};

/* The role's name for people ("Social worker"), or "" for an unknown role. */
const char *web_role_label(enum role r) {
  static const char *const labels[ROLE_COUNT] = {
      "Referrer", "MASH", "Social worker", "CSE worker", "Police", "Analyst",
      "Manager",  "Director", "Strategic lead", "Auditor", "Administrator",
  };
  return (unsigned)r < ROLE_COUNT ? labels[r] : "";
}

/* Clears P and starts an empty body; page_send() frees what it holds. */
void page_init(struct page *p, const char *title, const char *nav) {
  memset(p, 0, sizeof *p);
  p->title = title;
  p->nav = nav;
  buf_init(&p->body);
  buf_init(&p->identity);
}

/* The hidden CSRF field every form that changes something carries. */
void web_csrf_field(struct req *r, struct buf *b) {
  hf(b, "<input type=\"hidden\" name=\"csrf_token\" value=\"%s\">", r->who.csrf_token);
}

/*
** The MOJ header.  Signed in (fully or half-way through the second factor),
** it names the user, their agency and role, and offers sign-out as a real
** button in a form: signing out changes state, so it is a POST with the
** CSRF token, never a link.  SECTION is the primary navigation item to mark
** as the current location.
*/
static void header(struct req *r, struct buf *b, const char *section) {
  bool signed_in = r->who.kind == AUTH_SESSION;
  bool full = signed_in && strcmp(r->who.stage, "full") == 0;
  hf(b, "<header class=\"moj-header\" role=\"banner\"><div class=\"moj-header__container\">"
        "<div class=\"moj-header__logo\">"
        "<a class=\"moj-header__link moj-header__link--organisation-name\" href=\"/\">Safehub</a> "
        "<a class=\"moj-header__link moj-header__link--service-name\" href=\"/\">Safeguarding partnership</a>"
        "</div>");
  if (signed_in) {
    hf(b, "<div class=\"moj-header__content\"><nav class=\"moj-header__navigation\" aria-label=\"Your account\">"
          "<ul class=\"moj-header__navigation-list\">"
          "<li class=\"moj-header__navigation-item app-header__user\" data-testid=\"current-user\">"
          "<span class=\"govuk-visually-hidden\">Signed in as </span>"
          "<span data-testid=\"current-user-name\">%s</span><span aria-hidden=\"true\"> &middot; </span>"
          "<span class=\"govuk-visually-hidden\">, </span><span data-testid=\"current-user-agency\">%s</span>"
          "<span aria-hidden=\"true\"> &middot; </span><span class=\"govuk-visually-hidden\">, role: </span>"
          "<span data-testid=\"current-user-role\">%s</span></li>",
       r->who.name, r->who.agency_name, web_role_label(r->who.role));
    if (full) {
      hf(b, "<li class=\"moj-header__navigation-item\"><a class=\"moj-header__navigation-link\" "
            "href=\"/account/password\"%r>Your account</a></li>",
         section && !strcmp(section, "account") ? " aria-current=\"page\"" : "");
    }
    hf(b, "<li class=\"moj-header__navigation-item\"><form method=\"post\" action=\"/sign-out\" class=\"app-sign-out\">");
    web_csrf_field(r, b);
    hf(b, "<button type=\"submit\" class=\"app-sign-out__button\">Sign out</button></form></li></ul></nav></div>");
  }
  hf(b, "</div></header>");
  if (!full) return;
  hf(b, "<div class=\"moj-primary-navigation\"><div class=\"moj-primary-navigation__container\">"
        "<div class=\"moj-primary-navigation__nav\"><nav class=\"moj-primary-navigation\" aria-label=\"Main\">"
        "<ul class=\"moj-primary-navigation__list\">");
  for (const struct nav_item *n = NAV; n->key; n++) {
    if (!role_in(r->who.role, n->roles)) continue;
    /* The section's own page is the current "page"; a page inside the section marks it "true". */
    const char *current = NULL;
    if (section && strcmp(section, n->key) == 0) {
      current = r->route && r->route->pattern && strcmp(r->route->pattern, n->href) == 0 ? "page" : "true";
    }
    hf(b, "<li class=\"moj-primary-navigation__item\"><a class=\"moj-primary-navigation__link\"%r%r%r href=\"%s\">"
          "%s</a></li>",
       current ? " aria-current=\"" : "", current ? current : "", current ? "\"" : "", n->href, n->label);
  }
  hf(b, "</ul></nav></div></div></div>");
}

/* The anchor the summary links FIELD to: its first control. */
static const char *anchor_for(const struct page *p, const char *field) {
  if (p->error_links) {
    for (const struct error_link *l = p->error_links; l->field; l++) {
      if (strcmp(l->field, field) == 0) return l->anchor ? l->anchor : l->field;
    }
  }
  return field;
}

/*
** The GOV.UK error summary: every error once, in the order the fields
** appear, each linking to the field's first control.  Errors for fields
** the page did not list come last, in the service's order.
*/
static void error_summary(struct buf *b, struct page *p) {
  if (!p->errors || !ferr_any(p->errors)) return;
  hf(b, "<div class=\"govuk-error-summary\" data-module=\"govuk-error-summary\"><div role=\"alert\">"
        "<h2 class=\"govuk-error-summary__title\">There is a problem</h2><div class=\"govuk-error-summary__body\">"
        "<ul class=\"govuk-list govuk-error-summary__list\">");
  json_t *shown = json_object();
  if (p->error_links) {
    for (const struct error_link *l = p->error_links; l->field; l++) {
      const char *why = ferr_get(p->errors, l->field);
      if (!why) continue;
      hf(b, "<li><a href=\"#%s\">%s</a></li>", l->anchor ? l->anchor : l->field, why);
      json_object_set_new(shown, l->field, json_true());
    }
  }
  const char *k;
  json_t *v;
  json_object_foreach(p->errors->fields, k, v) {
    if (json_object_get(shown, k)) continue;
    hf(b, "<li><a href=\"#%s\">%s</a></li>", anchor_for(p, k), json_string_value(v));
  }
  json_decref(shown);
  hf(b, "</ul></div></div></div>");
}

/* Renders P inside the frame and answers STATUS with it; frees P's buffers. */
void page_send(struct req *r, struct page *p, int status) {
  struct buf b = BUF_INIT;
  bool err = p->errors && ferr_any(p->errors);
  hf(&b, "<!DOCTYPE html><html lang=\"en\" class=\"govuk-template\"><head><meta charset=\"utf-8\">"
         "<title>%r%s &ndash; Safehub</title>"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1, viewport-fit=cover\">"
         "<meta name=\"theme-color\" content=\"#0b0c0c\">"
         "<link rel=\"icon\" sizes=\"48x48\" href=\"/assets/images/favicon.ico\">"
         "<link rel=\"icon\" sizes=\"any\" href=\"/assets/images/favicon.svg\" type=\"image/svg+xml\">"
         "<link rel=\"stylesheet\" href=\"/assets/govuk-frontend.min.css\">"
         "<link rel=\"stylesheet\" href=\"/assets/moj-frontend.min.css\">"
         "<link rel=\"stylesheet\" href=\"/assets/app.css\">"
         "<script type=\"module\" src=\"/assets/app.js\"></script>"
         "</head><body class=\"govuk-template__body\">"
         "<a href=\"#main-content\" class=\"govuk-skip-link\" data-module=\"govuk-skip-link\">Skip to main content</a>",
     err ? "Error: " : "", p->title);
  header(r, &b, p->nav);
  if (p->identity.len) buf_append(&b, p->identity.data, p->identity.len);
  hf(&b, "<div class=\"govuk-width-container\">");
  if (p->back) hf(&b, "<a href=\"%s\" class=\"govuk-back-link\">Back</a>", p->back);
  hf(&b, "<main class=\"govuk-main-wrapper\" id=\"main-content\">");
  if (p->notice) {
    hf(&b, "<div class=\"govuk-notification-banner govuk-notification-banner--success\" role=\"alert\" "
           "aria-labelledby=\"govuk-notification-banner-title\" data-module=\"govuk-notification-banner\">"
           "<div class=\"govuk-notification-banner__header\"><h2 class=\"govuk-notification-banner__title\" "
           "id=\"govuk-notification-banner-title\">Success</h2></div><div class=\"govuk-notification-banner__content\">"
           "<p class=\"govuk-notification-banner__heading\">%s</p></div></div>",
       p->notice);
  }
  error_summary(&b, p);
  buf_append(&b, p->body.data ? p->body.data : "", p->body.len);
  hf(&b, "</main></div><footer class=\"govuk-template__footer\"><div class=\"govuk-footer\">"
         "<div class=\"govuk-width-container\"><div class=\"govuk-footer__meta\">"
         "<div class=\"govuk-footer__meta-item govuk-footer__meta-item--grow\">"
         "<p class=\"govuk-body-s app-footer__notice\">Safehub records who sees and changes every record. Use it "
         "only to safeguard children, and share only what is necessary.</p></div></div></div></div></footer>"
         "</body></html>");
  buf_free(&p->body);
  buf_free(&p->identity);
  resp_html(r, status, &b);
}

/* A whole page saying what went wrong, for web routes. */
void web_error_page(struct req *r, int status, const char *message) {
  struct page p;
  const char *title = status == 404   ? "Page not found"
                      : status == 403 ? "You do not have permission to see this page"
                      : status == 401 ? "Sign in"
                      : status == 409 ? "The record has changed"
                      : status == 413 ? "What you sent is too large"
                      : status == 429 ? "Too many attempts"
                      : status >= 500 ? "Sorry, there is a problem with the service"
                                      : "There is a problem";
  page_init(&p, title, NULL);
  hf(&p.body, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">"
              "<h1 class=\"govuk-heading-l\">%s</h1><p class=\"govuk-body\" data-testid=\"error-message\">%s</p>",
     title, message);
  if (status == 403 && r->who.kind == AUTH_SESSION) {
    hf(&p.body, "<p class=\"govuk-body\">You are signed in with the role: %s. If your work needs more, speak to "
                "your manager.</p>",
       web_role_label(r->who.role));
  }
  hf(&p.body, "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/\">Go to the home page</a></p></div></div>");
  page_send(r, &p, status);
}
