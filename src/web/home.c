/*
** The home page: where each role starts.
*/
#include "web/web.h"

/* GET / */
void web_home(struct req *r) {
  struct page p;
  page_init(&p, "Home", "home");
  struct buf *b = &p.body;
  hf(b, "<h1 class=\"govuk-heading-l\">Welcome, %s</h1>", r->who.name);
  if (role_in(r->who.role, ROLES_CASE)) {
    hf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-one-half\">"
          "<h2 class=\"govuk-heading-m\"><a class=\"govuk-link\" href=\"/children\">Find a child</a></h2>"
          "<p class=\"govuk-body\">Search by name, date of birth, postcode or NHS number.</p></div></div>");
  }
  if (role_in(r->who.role, ROLES_AUDIT_READERS)) {
    hf(b, "<h2 class=\"govuk-heading-m\"><a class=\"govuk-link\" href=\"/audit\">Audit trail</a></h2>"
          "<p class=\"govuk-body\">See who has seen or changed a record, when, and why.</p>");
  }
  if (role_in(r->who.role, R(ROLE_ADMIN))) {
    hf(b, "<h2 class=\"govuk-heading-m\"><a class=\"govuk-link\" href=\"/admin/users\">Users</a></h2>"
          "<p class=\"govuk-body\">Add people, set their role and manager, reset passwords and second factors.</p>"
          "<h2 class=\"govuk-heading-m\"><a class=\"govuk-link\" href=\"/admin/agencies\">Agencies</a></h2>"
          "<p class=\"govuk-body\">The partner agencies that use Safehub.</p>");
  }
  if (role_in(r->who.role, R(ROLE_STRATEGIC))) {
    hf(b, "<p class=\"govuk-body\">Your role sees the partnership's aggregate figures only; no child can be "
          "identified from them.</p>");
  }
  page_send(r, &p, 200);
}
