/*
** The home page: where each role starts.  People who work with children's
** records can search straight away; the others see what their role is for.
*/
#include "service/intel.h"
#include "web/web.h"

/* GET / */
void web_home(struct req *r) {
  struct page p;
  page_init(&p, "Home", "home");
  struct buf *b = &p.body;
  hf(b, "<h1 class=\"govuk-heading-l\">Welcome, %s</h1><div class=\"govuk-grid-row\">"
        "<div class=\"govuk-grid-column-two-thirds\">",
     r->who.name);
  if (role_in(r->who.role, ROLES_CASE)) {
    hf(b, "<form method=\"get\" action=\"/children\" novalidate role=\"search\" aria-label=\"Children\">"
          "<div class=\"govuk-form-group\"><h2 class=\"govuk-label-wrapper\"><label class=\"govuk-label "
          "govuk-label--m\" for=\"q\">Find a child</label></h2><div id=\"q-hint\" class=\"govuk-hint\">Name, date "
          "of birth, postcode or NHS number</div><input class=\"govuk-input\" id=\"q\" name=\"q\" type=\"text\" "
          "aria-describedby=\"q-hint\" autocomplete=\"off\" spellcheck=\"false\"></div>");
    web_button(b, "Search");
    hf(b, "</form>");
    if (role_in(r->who.role, WEB_CASE_CREATORS)) {
      hf(b, "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/children/new\">Record a child</a> who is not "
            "yet known to Safehub.</p>");
    }
  }
  if (role_in(r->who.role, INTEL_READERS)) {
    hf(b, "<h2 class=\"govuk-heading-m\"><a class=\"govuk-link\" href=\"/intelligence\">Intelligence</a></h2>"
          "<p class=\"govuk-body\">Graded intelligence on people, vehicles, phones and places, and the networks it "
          "shows: <a class=\"govuk-link\" href=\"/network/clusters\">groups in the whole network</a>.</p>");
  }
  if (role_in(r->who.role, REPORT_READERS)) {
    hf(b, "<h2 class=\"govuk-heading-m\"><a class=\"govuk-link\" href=\"/reports/problem-profile\">Problem "
          "profile</a></h2><p class=\"govuk-body\">The partnership's figures for a period: referrals and how fast "
          "they were decided, risk, missing episodes, the children of concern, suspects and places, and how completely "
          "ethnicity and nationality are recorded.</p>");
  }
  if (role_in(r->who.role, ROLES_AUDIT_READERS)) {
    hf(b, "<h2 class=\"govuk-heading-m\"><a class=\"govuk-link\" href=\"/audit\">Audit trail</a></h2>"
          "<p class=\"govuk-body\">See who has seen or changed a record, and when.</p>");
  }
  if (role_in(r->who.role, R(ROLE_ADMIN))) {
    hf(b, "<h2 class=\"govuk-heading-m\"><a class=\"govuk-link\" href=\"/admin/users\">Users</a></h2>"
          "<p class=\"govuk-body\">Add people and set their agency, role and manager.</p>"
          "<h2 class=\"govuk-heading-m\"><a class=\"govuk-link\" href=\"/admin/agencies\">Agencies</a></h2>"
          "<p class=\"govuk-body\">The partner agencies that use Safehub.</p>"
          "<p class=\"govuk-body\">Administrators manage accounts only: no child's record is open to this "
          "role.</p>");
  }
  if (role_in(r->who.role, R(ROLE_STRATEGIC))) {
    hf(b, "<p class=\"govuk-body\">Your role sees the partnership's figures only; no child can be identified from "
          "them.</p>");
  }
  hf(b, "</div></div>");
  page_send(r, &p, 200);
}
