/*
** The page frame: MOJ header with the signed-in user, their agency and role;
** primary navigation by role; GOV.UK error summary; footer.  No inline
** script or style anywhere, so the Content-Security-Policy can forbid both.
*/
#include <string.h>
#include "access/roles.h"
#include "http/app.h"
#include "web/web.h"

struct nav_item {
  const char *key, *href, *label;
  roleset roles;
};

static const struct nav_item NAV[] = {
    {"home", "/", "Home", ROLES_ALL},
    {"children", "/children", "Children", ROLES_CASE},
    {"audit", "/audit", "Audit trail", ROLES_AUDIT_READERS},
    {"users", "/admin/users", "Users", R(ROLE_ADMIN)},
    {"agencies", "/admin/agencies", "Agencies", R(ROLE_ADMIN)},
    {"account", "/account/password", "Your account", ROLES_ALL},
    {NULL, NULL, NULL, 0},
};

static const char *role_label(enum role r) {
  static const char *const labels[ROLE_COUNT] = {
      "Referrer", "MASH", "Social worker", "CSE worker", "Police", "Analyst",
      "Manager",  "Director", "Strategic lead", "Auditor", "Administrator",
  };
  return (unsigned)r < ROLE_COUNT ? labels[r] : "";
}

void page_init(struct page *p, const char *title, const char *nav) {
  memset(p, 0, sizeof *p);
  p->title = title;
  p->nav = nav;
  buf_init(&p->body);
}

/* The hidden CSRF field every form that changes something carries. */
void web_csrf_field(struct req *r, struct buf *b) {
  hf(b, "<input type=\"hidden\" name=\"csrf_token\" value=\"%s\">", r->who.csrf_token);
}

static void header(struct req *r, struct buf *b, const char *current) {
  bool signed_in = r->who.kind != AUTH_NONE && strcmp(r->who.stage, "full") == 0;
  hf(b, "<header class=\"moj-header\" role=\"banner\"><div class=\"moj-header__container\">"
        "<div class=\"moj-header__logo\"><a class=\"moj-header__link moj-header__link--organisation-name\" "
        "href=\"/\">Safehub</a> <a class=\"moj-header__link moj-header__link--service-name\" href=\"/\">"
        "Safeguarding partnership</a></div>");
  if (r->who.kind != AUTH_NONE) {
    hf(b, "<div class=\"moj-header__content\"><nav class=\"moj-header__navigation\" aria-label=\"Account navigation\">"
          "<ul class=\"moj-header__navigation-list\">"
          "<li class=\"moj-header__navigation-item\"><span class=\"moj-header__navigation-link\" "
          "data-testid=\"current-user\">%s &middot; %s &middot; %s</span></li>"
          "<li class=\"moj-header__navigation-item\"><form method=\"post\" action=\"/sign-out\" "
          "class=\"app-inline-form\">",
       r->who.name, r->who.agency_name, role_label(r->who.role));
    web_csrf_field(r, b);
    hf(b, "<button type=\"submit\" class=\"app-link-button moj-header__navigation-link\">Sign out</button>"
          "</form></li></ul></nav></div>");
  }
  hf(b, "</div></header>");
  if (!signed_in) return;
  hf(b, "<div class=\"moj-primary-navigation\"><div class=\"moj-primary-navigation__container\">"
        "<div class=\"moj-primary-navigation__nav\"><nav class=\"moj-primary-navigation\" "
        "aria-label=\"Primary navigation\"><ul class=\"moj-primary-navigation__list\">");
  for (const struct nav_item *n = NAV; n->key; n++) {
    if (!role_in(r->who.role, n->roles)) continue;
    bool cur = current && strcmp(current, n->key) == 0;
    hf(b, "<li class=\"moj-primary-navigation__item\"><a class=\"moj-primary-navigation__link\" %r href=\"%s\">%s</a></li>",
       cur ? "aria-current=\"page\"" : "", n->href, n->label);
  }
  hf(b, "</ul></nav></div></div></div>");
}

static void error_summary(struct buf *b, struct page *p) {
  if (!p->errors || !ferr_any(p->errors)) return;
  hf(b, "<div class=\"govuk-error-summary\" data-module=\"govuk-error-summary\"><div role=\"alert\">"
        "<h2 class=\"govuk-error-summary__title\">There is a problem</h2><div class=\"govuk-error-summary__body\">"
        "<ul class=\"govuk-list govuk-error-summary__list\">");
  /* In page order where the page says it, then any others. */
  json_t *shown = json_object();
  if (p->error_order) {
    for (const char *const *f = p->error_order; *f; f++) {
      const char *why = ferr_get(p->errors, *f);
      if (!why) continue;
      hf(b, "<li><a href=\"#%s\">%s</a></li>", *f, why);
      json_object_set_new(shown, *f, json_true());
    }
  }
  const char *k;
  json_t *v;
  json_object_foreach(p->errors->fields, k, v) {
    if (json_object_get(shown, k)) continue;
    hf(b, "<li><a href=\"#%s\">%s</a></li>", k, json_string_value(v));
  }
  json_decref(shown);
  hf(b, "</ul></div></div></div>");
}

/* Renders P inside the frame and answers STATUS with it. */
void page_send(struct req *r, struct page *p, int status) {
  struct buf b = BUF_INIT;
  bool err = p->errors && ferr_any(p->errors);
  hf(&b, "<!DOCTYPE html><html lang=\"en\" class=\"govuk-template\"><head><meta charset=\"utf-8\">"
         "<title>%s%s &ndash; Safehub</title>"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1, viewport-fit=cover\">"
         "<meta name=\"theme-color\" content=\"#0b0c0c\">"
         "<link rel=\"icon\" sizes=\"48x48\" href=\"/assets/images/favicon.ico\">"
         "<link rel=\"stylesheet\" href=\"/assets/govuk-frontend.min.css\">"
         "<link rel=\"stylesheet\" href=\"/assets/moj-frontend.min.css\">"
         "<link rel=\"stylesheet\" href=\"/assets/app.css\">"
         "<script type=\"module\" src=\"/assets/app.js\"></script>"
         "</head><body class=\"govuk-template__body\">"
         "<a href=\"#main-content\" class=\"govuk-skip-link\" data-module=\"govuk-skip-link\">Skip to main content</a>",
     err ? "Error: " : "", p->title);
  header(r, &b, p->nav);
  hf(&b, "<div class=\"govuk-width-container\">");
  if (p->back) hf(&b, "<a href=\"%s\" class=\"govuk-back-link\">Back</a>", p->back);
  hf(&b, "<main class=\"govuk-main-wrapper\" id=\"main-content\">");
  if (p->notice) {
    hf(&b, "<div class=\"govuk-notification-banner govuk-notification-banner--success\" role=\"alert\" "
           "aria-labelledby=\"notice-title\" data-module=\"govuk-notification-banner\">"
           "<div class=\"govuk-notification-banner__header\"><h2 class=\"govuk-notification-banner__title\" "
           "id=\"notice-title\">Success</h2></div><div class=\"govuk-notification-banner__content\">"
           "<p class=\"govuk-notification-banner__heading\">%s</p></div></div>",
       p->notice);
  }
  error_summary(&b, p);
  buf_append(&b, p->body.data ? p->body.data : "", p->body.len);
  hf(&b, "</main></div><footer class=\"govuk-footer\"><div class=\"govuk-width-container\">"
         "<div class=\"govuk-footer__meta\"><div class=\"govuk-footer__meta-item govuk-footer__meta-item--grow\">"
         "<p class=\"govuk-body-s\">Safehub records who sees and changes every record. Use it only for "
         "the purpose of safeguarding children.</p></div></div></div></footer></body></html>");
  buf_free(&p->body);
  resp_html(r, status, &b);
}

/* A whole page saying what went wrong, for web routes. */
void web_error_page(struct req *r, int status, const char *message) {
  struct page p;
  const char *title = status == 404   ? "Page not found"
                      : status == 403 ? "You cannot do this"
                      : status == 401 ? "Sign in"
                      : status == 429 ? "Too many attempts"
                      : status >= 500 ? "Sorry, there is a problem with the service"
                                      : "There is a problem";
  page_init(&p, title, NULL);
  hf(&p.body, "<h1 class=\"govuk-heading-l\">%s</h1><p class=\"govuk-body\">%s</p>"
              "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/\">Go to the home page</a></p>",
     title, message);
  page_send(r, &p, status);
}
