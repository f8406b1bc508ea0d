/*
** Pages of intelligence and networks (see intel_web.h).
**
** Intelligence is graded (3x5x2; older items 5x5x5, shown as recorded), and
** an item whose handling code carries conditions shows them in a GOV.UK
** warning wherever it appears: in lists, on its own page, on the record of
** everything it mentions and on the links of a network.  People carry their
** self-defined and officer-observed ethnicity and their nationality, each
** chosen from its list or recorded as "Not known" in so many words, never
** left to chance.  A child appears by name only to those who may open the
** child's record; otherwise as "A child (record not open to you)", with no
** link.  The network page is two tables that work without JavaScript; the
** link chart above them is drawn by web/network.js from the same figures,
** carried in a data attribute (never in inline script, which the
** Content-Security-Policy forbids).  Everything shown comes from
** service/intel.c and service/network.c.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/codes.h"
#include "core/intel.h"
#include "service/intel.h"
#include "store/store.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/xalloc.h"
#include "web/intel_web.h"
#include "web/web.h"

/* The string member K of O, or NULL. */
static const char *js(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }
/* The whole-number member K of O (0 when absent). */
static long long ji(json_t *o, const char *k) { return (long long)json_integer_value(json_object_get(o, k)); }
/* The number member K of O, whole or not (0 when absent). */
static double jd(json_t *o, const char *k) { return json_number_value(json_object_get(o, k)); }
/* The posted value NAME when the page answers a post, else NULL. */
static const char *posted(struct req *r, const char *name) { return r->form ? form_str(r, name) : NULL; }

/*
** Every agency's name by its code, so that pages say who recorded something
** in words (new reference; empty when the agencies cannot be read, and codes
** are shown instead).
*/
static json_t *agency_names(struct req *r) {
  json_t *list = NULL, *map = json_object();
  if (store_agency_list(req_db(r), &list) == DB_OK) {
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a) {
      if (js(a, "code") && js(a, "name")) json_object_set_new(map, js(a, "code"), json_string(js(a, "name")));
    }
  }
  json_decref(list);
  return map;
}

/* The name of the agency with CODE from NAMES (agency_names), or CODE itself. */
static const char *agency_name(json_t *names, const char *code) {
  const char *n = code ? js(names, code) : NULL;
  return n ? n : code;
}

/* ---- code lists the forms offer (the service checks the codes; these give them words) ---- */

/*
** Nationality: ISO 3166-1 alpha-2 codes, in the order of their names, and XK
** (Kosovo), the code the UK uses for Kosovan nationals; core/intel.c checks
** the code.
*/
static const struct code NATIONALITIES[] = {
    {"not_known", "Not known"},
    {"AF", "Afghanistan"}, {"AX", "Åland Islands"}, {"AL", "Albania"}, {"DZ", "Algeria"}, {"AS", "American Samoa"},
    {"AD", "Andorra"}, {"AO", "Angola"}, {"AI", "Anguilla"}, {"AQ", "Antarctica"}, {"AG", "Antigua and Barbuda"},
    {"AR", "Argentina"}, {"AM", "Armenia"}, {"AW", "Aruba"}, {"AU", "Australia"}, {"AT", "Austria"},
    {"AZ", "Azerbaijan"}, {"BS", "The Bahamas"}, {"BH", "Bahrain"}, {"BD", "Bangladesh"}, {"BB", "Barbados"},
    {"BY", "Belarus"}, {"BE", "Belgium"}, {"BZ", "Belize"}, {"BJ", "Benin"}, {"BM", "Bermuda"}, {"BT", "Bhutan"},
    {"BO", "Bolivia"}, {"BQ", "Bonaire, Sint Eustatius and Saba"}, {"BA", "Bosnia and Herzegovina"},
    {"BW", "Botswana"}, {"BV", "Bouvet Island"}, {"BR", "Brazil"}, {"IO", "British Indian Ocean Territory"},
    {"VG", "British Virgin Islands"}, {"BN", "Brunei"}, {"BG", "Bulgaria"}, {"BF", "Burkina Faso"},
    {"BI", "Burundi"}, {"KH", "Cambodia"}, {"CM", "Cameroon"}, {"CA", "Canada"}, {"CV", "Cape Verde"},
    {"KY", "Cayman Islands"}, {"CF", "Central African Republic"}, {"TD", "Chad"}, {"CL", "Chile"}, {"CN", "China"},
    {"CX", "Christmas Island"}, {"CC", "Cocos (Keeling) Islands"}, {"CO", "Colombia"}, {"KM", "Comoros"},
    {"CG", "Congo"}, {"CK", "Cook Islands"}, {"CR", "Costa Rica"}, {"HR", "Croatia"}, {"CU", "Cuba"},
    {"CW", "Curaçao"}, {"CY", "Cyprus"}, {"CZ", "Czechia"}, {"CD", "Democratic Republic of the Congo"},
    {"DK", "Denmark"}, {"DJ", "Djibouti"}, {"DM", "Dominica"}, {"DO", "Dominican Republic"}, {"TL", "East Timor"},
    {"EC", "Ecuador"}, {"EG", "Egypt"}, {"SV", "El Salvador"}, {"GQ", "Equatorial Guinea"}, {"ER", "Eritrea"},
    {"EE", "Estonia"}, {"SZ", "Eswatini"}, {"ET", "Ethiopia"}, {"FK", "Falkland Islands"}, {"FO", "Faroe Islands"},
    {"FJ", "Fiji"}, {"FI", "Finland"}, {"FR", "France"}, {"GF", "French Guiana"}, {"PF", "French Polynesia"},
    {"TF", "French Southern Territories"}, {"GA", "Gabon"}, {"GM", "The Gambia"}, {"GE", "Georgia"},
    {"DE", "Germany"}, {"GH", "Ghana"}, {"GI", "Gibraltar"}, {"GR", "Greece"}, {"GL", "Greenland"},
    {"GD", "Grenada"}, {"GP", "Guadeloupe"}, {"GU", "Guam"}, {"GT", "Guatemala"}, {"GG", "Guernsey"},
    {"GN", "Guinea"}, {"GW", "Guinea-Bissau"}, {"GY", "Guyana"}, {"HT", "Haiti"},
    {"HM", "Heard Island and McDonald Islands"}, {"HN", "Honduras"}, {"HK", "Hong Kong"}, {"HU", "Hungary"},
    {"IS", "Iceland"}, {"IN", "India"}, {"ID", "Indonesia"}, {"IR", "Iran"}, {"IQ", "Iraq"}, {"IE", "Ireland"},
    {"IM", "Isle of Man"}, {"IL", "Israel"}, {"IT", "Italy"}, {"CI", "Ivory Coast"}, {"JM", "Jamaica"},
    {"JP", "Japan"}, {"JE", "Jersey"}, {"JO", "Jordan"}, {"KZ", "Kazakhstan"}, {"KE", "Kenya"}, {"KI", "Kiribati"},
    {"XK", "Kosovo"}, {"KW", "Kuwait"}, {"KG", "Kyrgyzstan"}, {"LA", "Laos"}, {"LV", "Latvia"}, {"LB", "Lebanon"},
    {"LS", "Lesotho"},
    {"LR", "Liberia"}, {"LY", "Libya"}, {"LI", "Liechtenstein"}, {"LT", "Lithuania"}, {"LU", "Luxembourg"},
    {"MO", "Macao"}, {"MG", "Madagascar"}, {"MW", "Malawi"}, {"MY", "Malaysia"}, {"MV", "Maldives"}, {"ML", "Mali"},
    {"MT", "Malta"}, {"MH", "Marshall Islands"}, {"MQ", "Martinique"}, {"MR", "Mauritania"}, {"MU", "Mauritius"},
    {"YT", "Mayotte"}, {"MX", "Mexico"}, {"FM", "Micronesia"}, {"MD", "Moldova"}, {"MC", "Monaco"},
    {"MN", "Mongolia"}, {"ME", "Montenegro"}, {"MS", "Montserrat"}, {"MA", "Morocco"}, {"MZ", "Mozambique"},
    {"MM", "Myanmar (Burma)"}, {"NA", "Namibia"}, {"NR", "Nauru"}, {"NP", "Nepal"}, {"NL", "Netherlands"},
    {"NC", "New Caledonia"}, {"NZ", "New Zealand"}, {"NI", "Nicaragua"}, {"NE", "Niger"}, {"NG", "Nigeria"},
    {"NU", "Niue"}, {"NF", "Norfolk Island"}, {"KP", "North Korea"}, {"MK", "North Macedonia"},
    {"MP", "Northern Mariana Islands"}, {"NO", "Norway"}, {"PS", "Occupied Palestinian Territories"}, {"OM", "Oman"},
    {"PK", "Pakistan"}, {"PW", "Palau"}, {"PA", "Panama"}, {"PG", "Papua New Guinea"}, {"PY", "Paraguay"},
    {"PE", "Peru"}, {"PH", "Philippines"}, {"PN", "Pitcairn, Henderson, Ducie and Oeno Islands"}, {"PL", "Poland"},
    {"PT", "Portugal"}, {"PR", "Puerto Rico"}, {"QA", "Qatar"}, {"RE", "Réunion"}, {"RO", "Romania"},
    {"RU", "Russia"}, {"RW", "Rwanda"}, {"BL", "Saint Barthélemy"}, {"PM", "Saint Pierre and Miquelon"},
    {"MF", "Saint-Martin (French part)"}, {"WS", "Samoa"}, {"SM", "San Marino"}, {"ST", "São Tomé and Príncipe"},
    {"SA", "Saudi Arabia"}, {"SN", "Senegal"}, {"RS", "Serbia"}, {"SC", "Seychelles"}, {"SL", "Sierra Leone"},
    {"SG", "Singapore"}, {"SX", "Sint Maarten (Dutch part)"}, {"SK", "Slovakia"}, {"SI", "Slovenia"},
    {"SB", "Solomon Islands"}, {"SO", "Somalia"}, {"ZA", "South Africa"},
    {"GS", "South Georgia and South Sandwich Islands"}, {"KR", "South Korea"}, {"SS", "South Sudan"},
    {"ES", "Spain"}, {"LK", "Sri Lanka"}, {"SH", "St Helena, Ascension and Tristan da Cunha"},
    {"KN", "St Kitts and Nevis"}, {"LC", "St Lucia"}, {"VC", "St Vincent"}, {"SD", "Sudan"}, {"SR", "Suriname"},
    {"SJ", "Svalbard and Jan Mayen"}, {"SE", "Sweden"}, {"CH", "Switzerland"}, {"SY", "Syria"}, {"TW", "Taiwan"},
    {"TJ", "Tajikistan"}, {"TZ", "Tanzania"}, {"TH", "Thailand"}, {"TG", "Togo"}, {"TK", "Tokelau"},
    {"TO", "Tonga"}, {"TT", "Trinidad and Tobago"}, {"TN", "Tunisia"}, {"TR", "Turkey"}, {"TM", "Turkmenistan"},
    {"TC", "Turks and Caicos Islands"}, {"TV", "Tuvalu"}, {"UG", "Uganda"}, {"UA", "Ukraine"},
    {"AE", "United Arab Emirates"}, {"GB", "United Kingdom"}, {"US", "United States"},
    {"UM", "United States Minor Outlying Islands"}, {"VI", "United States Virgin Islands"}, {"UY", "Uruguay"},
    {"UZ", "Uzbekistan"}, {"VU", "Vanuatu"}, {"VA", "Vatican City"}, {"VE", "Venezuela"}, {"VN", "Vietnam"},
    {"WF", "Wallis and Futuna"}, {"EH", "Western Sahara"}, {"YE", "Yemen"}, {"ZM", "Zambia"}, {"ZW", "Zimbabwe"},
    {NULL, NULL},
};

/* The entity types, as the forms name them. */
static const struct code ENTITY_TYPES[] = {
    {"person", "Person"},   {"vehicle", "Vehicle"},  {"phone", "Phone"},
    {"location", "Place"}, {"online_account", "Online account"}, {NULL, NULL},
};

/* What TYPE (an entity type, or "child") is called in a sentence: "person", "place", "online account". */
static const char *type_words(const char *type) {
  static const struct code WORDS[] = {
      {"person", "person"}, {"vehicle", "vehicle"}, {"phone", "phone"}, {"location", "place"},
      {"online_account", "online account"}, {"child", "child"}, {NULL, NULL},
  };
  const char *w = type ? code_label(WORDS, type) : NULL;
  return w ? w : "record";
}

/* TYPE as a table shows it: "Person", "Place", "Child". */
static const char *type_label(const char *type) {
  if (type && !strcmp(type, "child")) return "Child";
  const char *label = type ? code_label(ENTITY_TYPES, type) : NULL;
  return label ? label : "Record";
}

/* ---- small pieces of markup ---- */

/*
** Writes at most MAX bytes of TEXT, escaped, on one line: cut between
** characters (never inside one) and, where there is one in the second
** half, at a space, with an ellipsis when anything was left out.
*/
static void excerpt(struct buf *b, const char *text, size_t max) {
  if (!text) return;
  size_t n = strlen(text);
  bool cut = n > max;
  if (cut) {
    n = max;
    while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80) n--;
    size_t sp = n;
    while (sp > max / 2 && text[sp] != ' ') sp--;
    if (text[sp] == ' ') n = sp;
  }
  char *s = xstrndup(text, n);
  for (char *p = s; *p; p++) {
    if (*p == '\n' || *p == '\r' || *p == '\t') *p = ' ';
  }
  html_escape(b, s);
  if (cut) buf_puts(b, "&hellip;");
  free(s);
}

/*
** A link to record ID's page shown as LABEL: an entity's or a child's.  A
** restricted child (one the user may not open), a record the service could
** not find (TYPE "unknown"), or an id of neither kind is shown as its label
** without a link, so no page is offered that would only refuse.
*/
static void record_link(struct buf *b, const char *id, const char *type, const char *label, bool restricted) {
  const char *shown = label && *label ? label : id ? id : "";
  bool child = type ? !strcmp(type, "child") : id && !strncmp(id, "ch_", 3);
  if (restricted || !id) {
    hf(b, "%s", shown);
  } else if (child) {
    hf(b, "<a class=\"govuk-link\" href=\"/children/%u\">%s</a>", id, shown);
  } else if (!strncmp(id, "en_", 3) && !(type && !strcmp(type, "unknown"))) {
    hf(b, "<a class=\"govuk-link\" href=\"/entities/%u\">%s</a>", id, shown);
  } else {
    hf(b, "%s", shown);
  }
}

/* The GOV.UK warning that handling conditions apply, with CONDITIONS (their line breaks kept). */
static void conditions_warning(struct buf *b, const char *conditions) {
  hf(b, "<div class=\"govuk-warning-text\" data-testid=\"handling-conditions\"><span class=\"govuk-warning-text__icon\" "
        "aria-hidden=\"true\">!</span><strong class=\"govuk-warning-text__text\"><span class=\"govuk-visually-hidden\">"
        "Warning</span>Handling conditions: ");
  if (conditions && *conditions) web_multiline(b, conditions);
  else hf(b, "conditions apply to this intelligence; ask the agency that recorded it before sharing it.");
  hf(b, "</strong></div>");
}

/* ---- grading ---- */

/* Copies the first character of S into PART (a one-character string); empty when S is NULL. */
static void grade_part(char part[2], const char *s) {
  part[0] = s ? s[0] : '\0';
  part[1] = '\0';
}

/*
** The grading of item IT into G: from its source evaluation, assessment and
** handling code when the answer carries them, else from its grade as written
** ("1B P" for 3x5x2, "B2 4" for 5x5x5).  False when neither is there.
*/
static bool item_grading(json_t *it, struct grading *g) {
  memset(g, 0, sizeof *g);
  const char *s = js(it, "source_evaluation"), *i = js(it, "intelligence_assessment"), *h = js(it, "handling_code");
  const char *scheme = js(it, "grading");
  if (s && i && h) {
    g->scheme = scheme && !strcmp(scheme, "5x5x5") ? GRADING_5X5X5 : GRADING_3X5X2;
    grade_part(g->source, s);
    grade_part(g->intelligence, i);
    grade_part(g->handling, h);
    return true;
  }
  const char *grade = js(it, "grade");
  if (!grade || strlen(grade) < 4 || grade[2] != ' ') return false;
  g->scheme = grade[0] >= '0' && grade[0] <= '9' ? GRADING_3X5X2 : GRADING_5X5X5;
  g->source[0] = grade[0];
  g->intelligence[0] = grade[1];
  g->handling[0] = grade[3];
  return true;
}

/* LABEL with its first letter in capitals, into OUT. */
static const char *capitalised(const char *label, char *out, size_t cap) {
  snprintf(out, cap, "%s", label ? label : "not known");
  if (out[0] >= 'a' && out[0] <= 'z') out[0] = (char)(out[0] - 32);
  return out;
}

/* The grade G in words, escaped: "Source 2: Untested. Intelligence C: Known indirectly ... Handling C: ...". */
static void grade_words(struct buf *b, const struct grading *g) {
  const char *s = grading_source_label(g), *i = grading_intelligence_label(g), *h = grading_handling_label(g);
  hf(b, "Source %s: %s. Intelligence %s: %s. Handling %s: %s.", g->source, s ? s : "not known", g->intelligence,
     i ? i : "not known", g->handling, h ? h : "not known");
}

/* The grade of item IT as written, in bold, followed by its words. */
static void grade_line(struct buf *b, json_t *it) {
  struct grading g;
  if (!item_grading(it, &g)) {
    hf(b, "%s", js(it, "grade") ? js(it, "grade") : "Not graded");
    return;
  }
  char code[16];
  grading_code(&g, code, sizeof code);
  hf(b, "<strong data-testid=\"grade\">%s</strong>%r<br><span class=\"govuk-body-s\">", code,
     g.scheme == GRADING_5X5X5 ? " (older 5x5x5 grading)" : "");
  grade_words(b, &g);
  hf(b, "</span>");
}

/* Whether item IT's handling carries conditions (its code says so, or conditions are recorded). */
static bool item_has_conditions(json_t *it) {
  const char *c = js(it, "handling_conditions");
  if (c && *c) return true;
  struct grading g;
  return item_grading(it, &g) && grading_has_conditions(&g);
}

/* The links of item IT as a list: "FROM relation TO", each end linking to its record. */
static void links_list(struct buf *b, json_t *links) {
  if (!json_array_size(links)) return;
  hf(b, "<ul class=\"govuk-list govuk-list--bullet\">");
  size_t i;
  json_t *l;
  json_array_foreach(links, i, l) {
    hf(b, "<li>");
    record_link(b, js(l, "from"), js(l, "from_type"), js(l, "from_label"), json_is_true(json_object_get(l, "from_restricted")));
    hf(b, " %s ", intel_relation_label(js(l, "relation") ? js(l, "relation") : ""));
    record_link(b, js(l, "to"), js(l, "to_type"), js(l, "to_label"), json_is_true(json_object_get(l, "to_restricted")));
    hf(b, "</li>");
  }
  hf(b, "</ul>");
}

/* How much of an item's summary a card's title shows, and its summary row, in bytes. */
#define TITLE_EXCERPT 90
#define CARD_EXCERPT 400

/*
** Item IT as a GOV.UK summary card, its title (a heading of level LEVEL:
** the start of its summary, so that cards recorded the same day are told
** apart) linking to the item: the handling conditions as a warning, the
** grade in code and words, more of the summary when the title could not
** hold it, the links it reports, and when and by which agency it was
** recorded (named from AGENCIES, as agency_names gives them).
*/
static void item_card(struct buf *b, json_t *it, int level, json_t *agencies) {
  char day[48];
  const char *summary = js(it, "summary") ? js(it, "summary") : "";
  hf(b, "<div class=\"govuk-summary-card\" data-testid=\"intel-item\"><div class=\"govuk-summary-card__title-wrapper\">"
        "<h%d class=\"govuk-summary-card__title\"><a class=\"govuk-link\" href=\"/intelligence/%u\">",
     level, js(it, "id"));
  excerpt(b, summary, TITLE_EXCERPT);
  hf(b, "</a></h%d></div><div class=\"govuk-summary-card__content\">", level);
  if (item_has_conditions(it)) conditions_warning(b, js(it, "handling_conditions"));
  hf(b, "<dl class=\"govuk-summary-list\">");
  struct buf v = BUF_INIT;
  grade_line(&v, it);
  web_summary_row_html(b, "Grade", &v);
  if (strlen(summary) > TITLE_EXCERPT) {
    buf_reset(&v);
    excerpt(&v, summary, CARD_EXCERPT);
    web_summary_row_html(b, "Summary", &v);
  }
  if (json_array_size(json_object_get(it, "links"))) {
    buf_reset(&v);
    links_list(&v, json_object_get(it, "links"));
    web_summary_row_html(b, "Links", &v);
  }
  buf_reset(&v);
  hf(&v, "%s", web_day_long(js(it, "recorded_at"), day, sizeof day));
  if (js(it, "agency")) hf(&v, " by %s", agency_name(agencies, js(it, "agency")));
  web_summary_row_html(b, "Recorded", &v);
  buf_free(&v);
  hf(b, "</dl></div></div>");
}

/* ---- GET /intelligence ---- */

static const struct error_link SEARCH_LINKS[] = {{"q", NULL}, {"type", NULL}, {NULL, NULL}};

/* How many recent items the intelligence home shows. */
#define RECENT_SHOWN 20

/* The results of an entity search as a table: each label links to its record. */
static void search_results(struct buf *b, json_t *results, const char *q) {
  size_t n = json_array_size(results);
  hf(b, "<h2 class=\"govuk-heading-m\" data-testid=\"entity-results-count\">%zu %r</h2>", n, n == 1 ? "record found" : "records found");
  if (!n) {
    hf(b, "<p class=\"govuk-body\">Nothing recorded matches &ldquo;%s&rdquo;. Check the spelling, or record it.</p>", q);
    return;
  }
  hf(b, "<table class=\"govuk-table\" data-testid=\"entity-results\"><caption class=\"govuk-table__caption "
        "govuk-visually-hidden\">Records matching &ldquo;%s&rdquo;</caption><thead class=\"govuk-table__head\">"
        "<tr class=\"govuk-table__row\"><th scope=\"col\" class=\"govuk-table__header\">Record</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Type</th></tr></thead><tbody class=\"govuk-table__body\">",
     q);
  size_t i;
  json_t *e;
  json_array_foreach(results, i, e) {
    hf(b, "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\">");
    record_link(b, js(e, "id"), js(e, "type"), js(e, "label"), false);
    hf(b, "</th><td class=\"govuk-table__cell\">%s</td></tr>", type_label(js(e, "type")));
  }
  hf(b, "</tbody></table>");
}

/* GET /intelligence[?q=TEXT&type=T]: recent items, and a search of what has been recorded. */
void web_intel_home(struct req *r) {
  const char *q = req_query(r, "q"), *type = req_query(r, "type");
  struct field_errors errs;
  ferr_init(&errs);
  enum entity_type et;
  if (type && !*type) type = NULL;
  if (type && !entity_type_parse(type, &et)) ferr_add(&errs, "type", "Select a type from the list");
  bool searched = q && !text_is_blank(q);
  if (q && !searched) ferr_add(&errs, "q", "Enter a name, registration, phone number, place or account to search for");
  else if (searched && strlen(q) > 200) ferr_add(&errs, "q", "Enter at most 200 characters");
  if (ferr_any(&errs)) searched = false;
  json_t *found = NULL, *recent = NULL;
  int rc = SVC_OK;
  if (searched) rc = svc_entity_search(r, q, type, &found);
  if (rc == SVC_OK) rc = svc_intel_list(r, NULL, &recent);
  if (rc != SVC_OK) {
    json_decref(found);
    json_decref(recent);
    ferr_free(&errs);
    if (rc == SVC_FORBIDDEN) web_error_page(r, 403, "Your role may not read intelligence.");
    else web_error_page(r, 503, "Intelligence could not be shown just now. Please try again.");
    return;
  }
  struct page p;
  page_init(&p, "Intelligence", "intelligence");
  p.errors = &errs;
  p.error_links = SEARCH_LINKS;
  struct buf *b = &p.body;
  hf(b, "<h1 class=\"govuk-heading-l\">Intelligence</h1><p class=\"govuk-body\">Graded intelligence about people, "
        "vehicles, phones, places and online accounts, shared among the partnership&rsquo;s CSE and MASH teams, police "
        "and analysts. Handling conditions are shown wherever an item is.</p>");
  if (role_in(r->who.role, INTEL_RECORDERS)) {
    hf(b, "<div class=\"govuk-button-group\">");
    web_button_link(b, "/intelligence/new", "Record intelligence", false);
    web_button_link(b, "/entities/new", "Record a person, vehicle, phone, place or account", true);
    hf(b, "</div>");
  }
  hf(b, "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/network/clusters\">See the groups the network falls "
        "into</a></p>");
  hf(b, "<h2 class=\"govuk-heading-m\">Find a person, vehicle, phone, place or account</h2><div class=\"govuk-grid-row\">"
        "<div class=\"govuk-grid-column-two-thirds\"><form method=\"get\" action=\"/intelligence\" novalidate "
        "role=\"search\" aria-label=\"People, vehicles, phones, places and accounts\">");
  web_text_input(b, "q", "Name, registration, phone number, place or account", q,
                 "For example, a name, AB12 CDE, 07700 900123, a hotel’s name or a username", &errs, "off", NULL);
  web_select(b, "type", "Type", ENTITY_TYPES, type, NULL, &errs, "Any type");
  web_button(b, "Search");
  hf(b, "</form></div></div>");
  if (searched) search_results(b, json_object_get(found, "results"), q);
  json_t *items = json_object_get(recent, "items");
  size_t n = json_array_size(items);
  hf(b, "<h2 class=\"govuk-heading-m\">Recent intelligence</h2>");
  if (!n) hf(b, "<p class=\"govuk-body\" data-testid=\"intel-none\">No intelligence has been recorded yet.</p>");
  else if (n > RECENT_SHOWN) hf(b, "<p class=\"govuk-body\">The %d most recently recorded items, newest first.</p>", RECENT_SHOWN);
  else hf(b, "<p class=\"govuk-body\">Newest first.</p>");
  size_t i;
  json_t *it;
  json_t *agencies = agency_names(r);
  json_array_foreach(items, i, it) {
    if (i >= RECENT_SHOWN) break;
    item_card(b, it, 3, agencies);
  }
  json_decref(agencies);
  json_decref(found);
  json_decref(recent);
  page_send(r, &p, ferr_any(&errs) ? 422 : 200);
  ferr_free(&errs);
}

/* ---- recording a person, vehicle, phone, place or account ---- */

/* Every field of the entity forms in page order, each with the control its error links to. */
static const struct error_link ENTITY_LINKS[] = {
    {"type", NULL},         {"first_name", NULL},     {"last_name", NULL},
    {"aliases", NULL},      {"description", NULL},    {"date_of_birth", "date_of_birth-day"},
    {"approximate_age", NULL}, {"gender", NULL},      {"ethnicity_self", NULL},
    {"ethnicity_observed", NULL}, {"nationality", NULL}, {"registration", NULL},
    {"make", NULL},         {"model", NULL},          {"colour", NULL},
    {"number", NULL},       {"name", NULL},           {"kind", NULL},
    {"platform", NULL},     {"handle", NULL},         {"address", NULL},
    {"postcode", NULL},     {"notes", NULL},          {NULL, NULL},
};

/* The entity forms' fields as error messages name them. */
static const struct field_label ENTITY_LABELS[] = {
    {"type", "What you are recording", "Select what you are recording"},
    {"first_name", "First name", NULL},
    {"last_name", "Last name", NULL},
    {"aliases", "Other names", NULL},
    {"description", "Description", NULL},
    {"date_of_birth", "Date of birth", NULL},
    {"approximate_age", "Approximate age", NULL},
    {"gender", "Gender", NULL},
    {"ethnicity_self", "Self-defined ethnicity", "Select the person's self-defined ethnicity, or 'Not known'"},
    {"ethnicity_observed", "Officer-observed ethnicity", "Select the officer-observed ethnicity, or 'Not known'"},
    {"nationality", "Nationality", "Select the person's nationality, or 'Not known'"},
    {"registration", "Registration", "Enter the vehicle's registration"},
    {"make", "Make", NULL},
    {"model", "Model", NULL},
    {"colour", "Colour", NULL},
    {"number", "Phone number", "Enter the phone number"},
    {"name", "Name of the place", "Enter the name of the place"},
    {"kind", "Kind of place", "Select what kind of place it is"},
    {"platform", "Platform", "Enter the platform, for example Snapchat"},
    {"handle", "Username or handle", "Enter the username or handle"},
    {"address", "Address", NULL},
    {"postcode", "Postcode", NULL},
    {"notes", "Notes", NULL},
    {NULL, NULL, NULL},
};

/* "Record a person", "Record a place", "Record an online account". */
static const char *entity_title(enum entity_type t) {
  switch (t) {
  case ENTITY_PERSON: return "Record a person";
  case ENTITY_VEHICLE: return "Record a vehicle";
  case ENTITY_PHONE: return "Record a phone";
  case ENTITY_LOCATION: return "Record a place";
  case ENTITY_ACCOUNT: return "Record an online account";
  default: return "Record a person, vehicle, phone, place or account";
  }
}

/* A textarea NAME of ROWS rows, with LABEL and an optional HINT (both Safehub's own text) and its error. */
static void textarea_rows(struct buf *b, const char *name, const char *label, const char *hint, const char *value,
                          int rows, struct field_errors *errs) {
  const char *why = errs ? ferr_get(errs, name) : NULL;
  hf(b, "<div class=\"govuk-form-group%r\"><label class=\"govuk-label govuk-label--s\" for=\"%s\">%s</label>",
     why ? " govuk-form-group--error" : "", name, label);
  if (hint) hf(b, "<div id=\"%s-hint\" class=\"govuk-hint\">%s</div>", name, hint);
  if (why) {
    hf(b, "<p id=\"%s-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">Error:</span> %s</p>",
       name, why);
  }
  hf(b, "<textarea class=\"govuk-textarea%r\" id=\"%s\" name=\"%s\" rows=\"%d\"", why ? " govuk-textarea--error" : "",
     name, name, rows);
  if (hint || why) {
    hf(b, " aria-describedby=\"%r%s%r%r%s%r\"", "", hint ? name : "", hint ? "-hint" : "", hint && why ? " " : "",
       why ? name : "", why ? "-error" : "");
  }
  hf(b, ">%s</textarea></div>", value ? value : "");
}

/* The page asking what is being recorded (a GET form to /entities/new?type=T), with ERRS shown. */
static void entity_choose_page(struct req *r, const char *chosen, struct field_errors *errs, int status) {
  struct page p;
  page_init(&p, "What are you recording?", "intelligence");
  p.errors = errs;
  p.error_links = ENTITY_LINKS;
  p.back = "/intelligence";
  struct buf *b = &p.body;
  hf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">"
        "<form method=\"get\" action=\"/entities/new\" novalidate>");
  static const char *const hints[] = {
      "Someone suspected of exploiting children, or linked to someone who is", "By its registration",
      "By its number", "A home, hotel, takeaway, taxi firm, park or anywhere else", "On any platform, by its username",
  };
  hf(b, "<div class=\"govuk-form-group%r\"><fieldset class=\"govuk-fieldset\"%r><legend class=\"govuk-fieldset__legend "
        "govuk-fieldset__legend--l\"><h1 class=\"govuk-fieldset__heading\">What are you recording?</h1></legend>",
     errs && ferr_get(errs, "type") ? " govuk-form-group--error" : "",
     errs && ferr_get(errs, "type") ? " aria-describedby=\"type-error\"" : "");
  if (errs && ferr_get(errs, "type")) {
    hf(b, "<p id=\"type-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">Error:</span> %s</p>",
       ferr_get(errs, "type"));
  }
  hf(b, "<div class=\"govuk-radios\" data-module=\"govuk-radios\">");
  for (int i = 0; ENTITY_TYPES[i].code; i++) {
    char id[24];
    if (i == 0) snprintf(id, sizeof id, "type");
    else snprintf(id, sizeof id, "type-%d", i + 1);
    hf(b, "<div class=\"govuk-radios__item\"><input class=\"govuk-radios__input\" id=\"%s\" name=\"type\" type=\"radio\" "
          "value=\"%s\"%r aria-describedby=\"%s-item-hint\"><label class=\"govuk-label govuk-radios__label\" for=\"%s\">%s"
          "</label><div id=\"%s-item-hint\" class=\"govuk-hint govuk-radios__hint\">%s</div></div>",
       id, ENTITY_TYPES[i].code, chosen && !strcmp(chosen, ENTITY_TYPES[i].code) ? " checked" : "", id, id,
       ENTITY_TYPES[i].label, id, hints[i]);
  }
  hf(b, "</div></fieldset></div>");
  hf(b, "<p class=\"govuk-body\">A vehicle, phone, account or place already recorded by any agency is not recorded twice: "
        "you are taken to its record.</p>");
  web_button(b, "Continue");
  hf(b, "</form></div></div>");
  page_send(r, &p, status);
}

/* The fields of a person: name or description, age, gender, ethnicity and nationality, where they live. */
static void person_fields(struct req *r, struct buf *b, struct field_errors *errs) {
  hf(b, "<h2 class=\"govuk-heading-m\">Who they are</h2><p class=\"govuk-body\">Give a name, or a description when the "
        "name is not known.</p>");
  web_text_input(b, "first_name", "First name (optional)", posted(r, "first_name"), NULL, errs, "off",
                 "govuk-!-width-one-half");
  web_text_input(b, "last_name", "Last name (optional)", posted(r, "last_name"), NULL, errs, "off",
                 "govuk-!-width-one-half");
  web_text_input(b, "aliases", "Other names or nicknames (optional)", posted(r, "aliases"),
                 "Separate them with commas", errs, "off", NULL);
  textarea_rows(b, "description", "Description (optional)",
                "For example, height, build, hair, clothing or how others refer to them", posted(r, "description"), 3,
                errs);
  web_date_input(r, b, "date_of_birth", "Date of birth (optional)", NULL,
                 "For example, 27 3 1985. Leave it blank if it is not known, and give an approximate age instead.", errs);
  web_text_input(b, "approximate_age", "Approximate age (optional)", posted(r, "approximate_age"),
                 "In years, when the date of birth is not known", errs, "off", "govuk-input--width-3");
  web_radios(b, "gender", "Gender (optional)", NULL, GENDERS, NULL, posted(r, "gender"), errs, true);
  hf(b, "<h2 class=\"govuk-heading-m\">Ethnicity and nationality</h2><div class=\"govuk-inset-text\">Record both ethnicities "
        "and the nationality of everyone you record. Choose &lsquo;Not known&rsquo; only when it is not known: it is "
        "counted, so gaps in the record can be seen and closed.</div>");
  web_select(b, "ethnicity_self", "Self-defined ethnicity", INTEL_ETHNICITY_SELF, posted(r, "ethnicity_self"),
             "As the person describes it, in the 2021 Census groups", errs, "Select an ethnicity");
  web_select(b, "ethnicity_observed", "Officer-observed ethnicity", INTEL_ETHNICITY_OBSERVED, posted(r, "ethnicity_observed"),
             "As an officer sees it, by the police IC codes", errs, "Select an ethnicity");
  web_select(b, "nationality", "Nationality", NATIONALITIES, posted(r, "nationality"), NULL, errs,
             "Select a nationality");
  hf(b, "<h2 class=\"govuk-heading-m\">Where they live</h2>");
  web_textarea(b, "address", "Address (optional)", posted(r, "address"), NULL, errs);
  web_text_input(b, "postcode", "Postcode (optional)", posted(r, "postcode"), NULL, errs, "off", "govuk-input--width-10");
}

/* The fields of TYPE's form (the person's are above); notes come last for every type. */
static void entity_fields_form(struct req *r, struct buf *b, enum entity_type t, struct field_errors *errs) {
  switch (t) {
  case ENTITY_PERSON:
    person_fields(r, b, errs);
    break;
  case ENTITY_VEHICLE:
    web_text_input(b, "registration", "Registration", posted(r, "registration"), "For example, AB12 CDE", errs, "off",
                   "govuk-input--width-10 govuk-input--extra-letter-spacing");
    web_text_input(b, "make", "Make (optional)", posted(r, "make"), "For example, Ford", errs, "off",
                   "govuk-!-width-one-half");
    web_text_input(b, "model", "Model (optional)", posted(r, "model"), "For example, Focus", errs, "off",
                   "govuk-!-width-one-half");
    web_text_input(b, "colour", "Colour (optional)", posted(r, "colour"), NULL, errs, "off", "govuk-!-width-one-half");
    break;
  case ENTITY_PHONE:
    web_text_input(b, "number", "Phone number", posted(r, "number"),
                   "For example, 07700 900123 or +44 7700 900123; other countries with their + code", errs, "off",
                   "govuk-input--width-20");
    break;
  case ENTITY_LOCATION:
    web_text_input(b, "name", "Name of the place", posted(r, "name"),
                   "For example, the name of the hotel, takeaway or park, or ‘Flat above the shop’", errs,
                   "off", NULL);
    web_select(b, "kind", "Kind of place", INTEL_LOCATION_KINDS, posted(r, "kind"), NULL, errs, "Select a kind of place");
    web_textarea(b, "address", "Address (optional)", posted(r, "address"), NULL, errs);
    web_text_input(b, "postcode", "Postcode (optional)", posted(r, "postcode"), "For example, HF1 2AB", errs, "off",
                   "govuk-input--width-10");
    break;
  case ENTITY_ACCOUNT:
    web_text_input(b, "platform", "Platform", posted(r, "platform"), "For example, Snapchat, Instagram or WhatsApp",
                   errs, "off", "govuk-!-width-one-half");
    web_text_input(b, "handle", "Username or handle", posted(r, "handle"), NULL, errs, "off", "govuk-!-width-one-half");
    break;
  default:
    break;
  }
  textarea_rows(b, "notes", "Notes (optional)", NULL, posted(r, "notes"), 3, errs);
}

/* The form recording an entity of TYPE T, with ERRS shown and what was typed kept. */
static void entity_form_page(struct req *r, enum entity_type t, struct field_errors *errs, int status) {
  struct page p;
  page_init(&p, entity_title(t), "intelligence");
  p.errors = errs;
  p.error_links = ENTITY_LINKS;
  p.back = "/entities/new";
  struct buf *b = &p.body;
  hf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\"><span class=\"govuk-caption-l\">"
        "Intelligence</span><h1 class=\"govuk-heading-l\">%s</h1><form method=\"post\" action=\"/entities/new\" novalidate>",
     entity_title(t));
  web_csrf_field(r, b);
  hf(b, "<input type=\"hidden\" name=\"type\" value=\"%s\">", entity_type_name(t));
  entity_fields_form(r, b, t, errs);
  web_button(b, "Save");
  hf(b, "</form></div></div>");
  page_send(r, &p, status);
}

/* GET /entities/new[?type=T]: what is being recorded, then its form. */
void web_entity_new_form(struct req *r) {
  const char *type = req_query(r, "type");
  enum entity_type t;
  if (!type) {
    entity_choose_page(r, NULL, NULL, 200);
  } else if (!entity_type_parse(type, &t)) {
    struct field_errors errs;
    ferr_init(&errs);
    ferr_add(&errs, "type", "Select what you are recording");
    entity_choose_page(r, NULL, &errs, 422);
    ferr_free(&errs);
  } else {
    entity_form_page(r, t, NULL, 200);
  }
}

/* Sets KEY of O to the posted NAME, trimmed; nothing when it is absent or blank (an optional field left empty). */
static void put_posted(struct req *r, json_t *o, const char *key) {
  const char *v = form_str(r, key);
  if (!v) return;
  char *t = text_trim_dup(v);
  if (*t) json_object_set_new(o, key, json_string(t));
  free(t);
}

/*
** The posted entity form of type T as the API's JSON shape (caller owns it):
** only T's fields, blanks left out.  What only the form can get wrong (a
** date that is not real, an age that is not a number) goes to ERRS; the
** service checks the rest.
*/
static json_t *entity_from_form(struct req *r, enum entity_type t, struct field_errors *errs) {
  json_t *o = json_object();
  json_object_set_new(o, "type", json_string(entity_type_name(t)));
  switch (t) {
  case ENTITY_PERSON: {
    put_posted(r, o, "first_name");
    put_posted(r, o, "last_name");
    const char *al = form_str(r, "aliases");
    if (al && !text_is_blank(al)) {
      json_t *aliases = json_array();
      char *copy = xstrdup(al);
      for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *trimmed = text_trim_dup(tok);
        if (*trimmed) json_array_append_new(aliases, json_string(trimmed));
        free(trimmed);
      }
      free(copy);
      json_object_set_new(o, "aliases", aliases);
    }
    put_posted(r, o, "description");
    json_t *dob = form_date(r, "date_of_birth", errs, "Date of birth");
    if (json_is_string(dob)) json_object_set(o, "date_of_birth", dob);
    json_decref(dob);
    const char *age = form_str(r, "approximate_age");
    if (age && !text_is_blank(age)) {
      char *end, *t2 = text_trim_dup(age);
      long n = strtol(t2, &end, 10);
      if (*t2 < '0' || *t2 > '9' || *end || n > 1000) ferr_add(errs, "approximate_age", "Approximate age must be a whole number of years, like 30");
      else json_object_set_new(o, "approximate_age", json_integer(n));
      free(t2);
    }
    put_posted(r, o, "gender");
    put_posted(r, o, "ethnicity_self");
    put_posted(r, o, "ethnicity_observed");
    put_posted(r, o, "nationality");
    put_posted(r, o, "address");
    put_posted(r, o, "postcode");
    break;
  }
  case ENTITY_VEHICLE:
    put_posted(r, o, "registration");
    put_posted(r, o, "make");
    put_posted(r, o, "model");
    put_posted(r, o, "colour");
    break;
  case ENTITY_PHONE:
    put_posted(r, o, "number");
    break;
  case ENTITY_LOCATION:
    put_posted(r, o, "name");
    put_posted(r, o, "kind");
    put_posted(r, o, "address");
    put_posted(r, o, "postcode");
    break;
  case ENTITY_ACCOUNT:
    put_posted(r, o, "platform");
    put_posted(r, o, "handle");
    break;
  default:
    break;
  }
  put_posted(r, o, "notes");
  return o;
}

/*
** Checks the rest of the form when the form itself found mistakes, so that
** every mistake shows at once: validates a copy with the core's rules and
** saves nothing.  Errors already found for a field stay.
*/
static void entity_check_rest(enum entity_type t, json_t *in, struct field_errors *errs) {
  json_t *copy = json_deep_copy(in);
  struct field_errors more;
  ferr_init(&more);
  char today[ISO_DATE_LEN];
  date_format(london_today(time_now()), today);
  fields_check(copy, entity_fields(t), NULL, false, &more);
  entity_validate(t, copy, today, &more);
  const char *k;
  json_t *v;
  json_object_foreach(more.fields, k, v) {
    if (!ferr_get(errs, k) && strcmp(k, "type") != 0) ferr_add(errs, k, "%s", json_string_value(v));
  }
  ferr_free(&more);
  json_decref(copy);
}

/* POST /entities/new: records the entity, or finds the one already recorded, and goes to its page. */
void web_entity_new(struct req *r) {
  const char *type = form_str(r, "type");
  enum entity_type t;
  struct field_errors errs;
  ferr_init(&errs);
  if (!type || !entity_type_parse(type, &t)) {
    ferr_add(&errs, "type", "Select what you are recording");
    entity_choose_page(r, NULL, &errs, 422);
    ferr_free(&errs);
    return;
  }
  json_t *in = entity_from_form(r, t, &errs), *out = NULL;
  bool existed = false;
  int rc;
  if (ferr_any(&errs)) {
    entity_check_rest(t, in, &errs);
    svc_intel_refused(r, "entity.create", "entity", &errs);
    rc = SVC_INVALID;
  } else {
    rc = svc_entity_create(r, in, &errs, &out, &existed);
  }
  if (rc == SVC_OK && js(out, "id")) {
    char loc[160];
    snprintf(loc, sizeof loc, "/entities/%s?%s=1", js(out, "id"), existed ? "existing" : "done");
    resp_redirect(r, loc);
  } else if (rc == SVC_INVALID) {
    web_humanise(&errs, ENTITY_LABELS);
    entity_form_page(r, t, &errs, 422);
  } else if (rc == SVC_FORBIDDEN) {
    web_error_page(r, 403, "Your role may not record intelligence.");
  } else {
    web_error_page(r, 503, "The record could not be saved just now. Please try again.");
  }
  json_decref(in);
  json_decref(out);
  ferr_free(&errs);
}

/* ---- GET /entities/{id} ---- */

/* CODE from LIST as "Label (CODE)"; "Not known" for not_known; NULL when CODE is absent. */
static const char *coded(const struct code *list, const char *code, char *out, size_t cap) {
  if (!code) return NULL;
  if (!strcmp(code, "not_known")) return "Not known";
  const char *label = code_label(list, code);
  if (label) snprintf(out, cap, "%s (%s)", label, code);
  else snprintf(out, cap, "%s", code);
  return out;
}

/* The string list member K of O joined with commas into B (emptied first). */
static void joined(struct buf *b, json_t *o, const char *k) {
  buf_reset(b);
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(o, k), i, v) {
    if (i) buf_puts(b, ", ");
    buf_puts(b, json_string_value(v) ? json_string_value(v) : "");
  }
}

/* The details of entity E as summary rows, by its type; AGENCIES names who recorded it (agency_names). */
static void entity_details(struct buf *b, json_t *e, json_t *agencies) {
  const char *type = js(e, "type");
  char text[400], day[48];
  struct buf v = BUF_INIT;
  hf(b, "<dl class=\"govuk-summary-list\" data-testid=\"entity-details\">");
  if (type && !strcmp(type, "person")) {
    const char *fn = js(e, "first_name"), *ln = js(e, "last_name");
    snprintf(text, sizeof text, "%s%s%s", fn ? fn : "", fn && ln ? " " : "", ln ? ln : "");
    web_summary_row(b, "Name", *text ? text : "Not known");
    joined(&v, e, "aliases");
    web_summary_row(b, "Other names", buf_cstr(&v));
    buf_reset(&v);
    web_multiline(&v, js(e, "description"));
    web_summary_row_html(b, "Description", &v);
    if (js(e, "date_of_birth")) {
      int64_t days;
      web_date_long(js(e, "date_of_birth"), day, sizeof day);
      if (date_parse(js(e, "date_of_birth"), &days))
        snprintf(text, sizeof text, "%s (aged %d)", day, age_in_years(days, london_today(time_now())));
      else snprintf(text, sizeof text, "%s", day);
      web_summary_row(b, "Date of birth", text);
    } else if (json_is_integer(json_object_get(e, "approximate_age"))) {
      snprintf(text, sizeof text, "About %lld (date of birth not known)", ji(e, "approximate_age"));
      web_summary_row(b, "Age", text);
    } else {
      web_summary_row(b, "Date of birth", "Not known");
    }
    web_summary_row(b, "Gender", js(e, "gender") ? code_label(GENDERS, js(e, "gender")) : NULL);
    hf(b, "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">Self-defined ethnicity</dt>"
          "<dd class=\"govuk-summary-list__value\" data-testid=\"ethnicity-self\">%s</dd></div>",
       js(e, "ethnicity_self") ? coded(INTEL_ETHNICITY_SELF, js(e, "ethnicity_self"), text, sizeof text) : "Not recorded");
    hf(b, "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">Officer-observed ethnicity</dt>"
          "<dd class=\"govuk-summary-list__value\" data-testid=\"ethnicity-observed\">%s</dd></div>",
       js(e, "ethnicity_observed") ? coded(INTEL_ETHNICITY_OBSERVED, js(e, "ethnicity_observed"), text, sizeof text)
                                   : "Not recorded");
    hf(b, "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">Nationality</dt>"
          "<dd class=\"govuk-summary-list__value\" data-testid=\"nationality\">%s</dd></div>",
       js(e, "nationality") ? coded(NATIONALITIES, js(e, "nationality"), text, sizeof text) : "Not recorded");
    buf_reset(&v);
    web_multiline(&v, js(e, "address"));
    web_summary_row_html(b, "Address", &v);
    web_summary_row(b, "Postcode", js(e, "postcode"));
  } else if (type && !strcmp(type, "vehicle")) {
    web_summary_row(b, "Registration", js(e, "registration"));
    web_summary_row(b, "Make", js(e, "make"));
    web_summary_row(b, "Model", js(e, "model"));
    web_summary_row(b, "Colour", js(e, "colour"));
  } else if (type && !strcmp(type, "phone")) {
    web_summary_row(b, "Phone number", js(e, "number"));
  } else if (type && !strcmp(type, "location")) {
    web_summary_row(b, "Name", js(e, "name"));
    web_summary_row(b, "Kind of place", js(e, "kind") ? code_label(INTEL_LOCATION_KINDS, js(e, "kind")) : NULL);
    buf_reset(&v);
    web_multiline(&v, js(e, "address"));
    web_summary_row_html(b, "Address", &v);
    web_summary_row(b, "Postcode", js(e, "postcode"));
  } else if (type && !strcmp(type, "online_account")) {
    web_summary_row(b, "Platform", js(e, "platform"));
    web_summary_row(b, "Username or handle", js(e, "handle"));
  }
  buf_reset(&v);
  web_multiline(&v, js(e, "notes"));
  web_summary_row_html(b, "Notes", &v);
  snprintf(text, sizeof text, "%s%s%s", web_day_long(js(e, "created_at"), day, sizeof day), js(e, "agency") ? " by " : "",
           js(e, "agency") ? agency_name(agencies, js(e, "agency")) : "");
  web_summary_row(b, "Recorded", text);
  hf(b, "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">Safehub ID</dt>"
        "<dd class=\"govuk-summary-list__value\"><span data-testid=\"entity-id\">%s</span><div class=\"govuk-hint "
        "govuk-!-margin-bottom-0\">Paste it into a link when you record intelligence.</div></dd></div>",
     js(e, "id"));
  hf(b, "</dl>");
  buf_free(&v);
}

/*
** The links that mention entity E as a table: from, relation, to, and the
** item that reports it.  The ends' labels come with the answer where the
** service gives them; this entity's own label otherwise fills its end.
*/
static void entity_links_table(struct buf *b, json_t *e) {
  json_t *links = json_object_get(e, "links");
  if (!json_array_size(links)) return;
  hf(b, "<table class=\"govuk-table\" data-testid=\"entity-links\"><caption class=\"govuk-table__caption "
        "govuk-table__caption--m\">Links reported</caption><thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">"
        "<th scope=\"col\" class=\"govuk-table__header\">From</th><th scope=\"col\" class=\"govuk-table__header\">Link</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">To</th><th scope=\"col\" class=\"govuk-table__header\">Reported in"
        "</th></tr></thead><tbody class=\"govuk-table__body\">");
  const char *self = js(e, "id");
  size_t i;
  json_t *l;
  json_array_foreach(links, i, l) {
    const char *from = js(l, "from"), *to = js(l, "to");
    const char *fl = js(l, "from_label"), *tl = js(l, "to_label");
    if (!fl && from && self && !strcmp(from, self)) fl = js(e, "label");
    if (!tl && to && self && !strcmp(to, self)) tl = js(e, "label");
    hf(b, "<tr class=\"govuk-table__row\"><td class=\"govuk-table__cell\">");
    record_link(b, from, js(l, "from_type"), fl, json_is_true(json_object_get(l, "from_restricted")));
    hf(b, "</td><td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">",
       intel_relation_label(js(l, "relation") ? js(l, "relation") : ""));
    record_link(b, to, js(l, "to_type"), tl, json_is_true(json_object_get(l, "to_restricted")));
    hf(b, "</td><td class=\"govuk-table__cell\"><a class=\"govuk-link\" href=\"/intelligence/%u\">Open the item"
          "<span class=\"govuk-visually-hidden\"> reporting that %s %s %s</span></a></td></tr>",
       js(l, "intelligence_id"), fl ? fl : from, intel_relation_label(js(l, "relation") ? js(l, "relation") : ""),
       tl ? tl : to);
  }
  hf(b, "</tbody></table>");
}

/* GET /entities/{id}: the record, what it is linked to, and the intelligence that mentions it. */
void web_entity_view(struct req *r) {
  json_t *e = NULL;
  int rc = svc_entity_get(r, req_param(r, 0), &e);
  if (rc != SVC_OK) {
    if (rc == SVC_NOT_FOUND) web_error_page(r, 404, "There is no record at this address.");
    else if (rc == SVC_FORBIDDEN) web_error_page(r, 403, "Your role may not read intelligence.");
    else web_error_page(r, 503, "The record could not be shown just now. Please try again.");
    return;
  }
  const char *type = js(e, "type"), *label = js(e, "label") ? js(e, "label") : js(e, "id");
  char notice[160];
  struct page p;
  page_init(&p, label, "intelligence");
  p.back = "/intelligence";
  if (req_query(r, "done")) {
    snprintf(notice, sizeof notice, "The %s has been recorded", type_words(type));
    p.notice = notice;
  } else if (req_query(r, "existing")) {
    snprintf(notice, sizeof notice, "This %s was already recorded, so nothing new was saved: this is its record",
             type_words(type));
    p.notice = notice;
  }
  struct buf *b = &p.body;
  hf(b, "<span class=\"govuk-caption-l\">%s</span><h1 class=\"govuk-heading-l\" data-testid=\"entity-label\">%s</h1>",
     type_label(type), label);
  json_t *agencies = agency_names(r);
  entity_details(b, e, agencies);
  hf(b, "<ul class=\"govuk-list\">");
  hf(b, "<li><a class=\"govuk-link\" href=\"/network?around=%u\">See the network around this %s</a></li>", js(e, "id"),
     type_words(type));
  if (role_in(r->who.role, INTEL_RECORDERS)) {
    hf(b, "<li><a class=\"govuk-link\" href=\"/intelligence/new?about=%u\">Record intelligence about this %s</a></li>",
       js(e, "id"), type_words(type));
  }
  if (role_in(r->who.role, ROLES_AUDIT_READERS)) {
    hf(b, "<li><a class=\"govuk-link\" href=\"/audit?subject=%u\">See who has seen or changed this record</a></li>",
       js(e, "id"));
  }
  hf(b, "</ul>");
  entity_links_table(b, e);
  json_t *items = json_object_get(e, "intelligence");
  hf(b, "<h2 class=\"govuk-heading-m\">Intelligence that mentions it</h2>");
  if (!json_array_size(items)) {
    hf(b, "<p class=\"govuk-body\" data-testid=\"intel-none\">No intelligence mentions this %s yet.</p>", type_words(type));
  } else {
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) item_card(b, it, 3, agencies);
  }
  page_send(r, &p, 200);
  json_decref(agencies);
  json_decref(e);
}

/* ---- recording intelligence ---- */

/* The 3x5x2 and 5x5x5 values, in order. */
static const char *const SOURCE_3X5X2 = "123", *const INTEL_3X5X2 = "ABCDE", *const HANDLING_3X5X2 = "PC";
static const char *const SOURCE_5X5X5 = "ABCDE", *const INTEL_5X5X5 = "12345", *const HANDLING_5X5X5 = "12345";

enum grade_part { PART_SOURCE, PART_INTELLIGENCE, PART_HANDLING };

/*
** Radios NAME for one part of a grading in SCHEME, one per value of VALUES,
** each labelled "value: the core's words for it"; VALUE is checked.
*/
static void grade_radios(struct buf *b, const char *name, const char *legend, const char *hint, enum grading_scheme scheme,
                         enum grade_part part, const char *values, const char *value, struct field_errors *errs) {
  struct code codes[8];
  char vals[8][2], labels[8][200];
  size_t n = strlen(values);
  for (size_t i = 0; i < n && i < 7; i++) {
    struct grading g;
    memset(&g, 0, sizeof g);
    g.scheme = scheme;
    vals[i][0] = values[i];
    vals[i][1] = '\0';
    const char *words = NULL;
    if (part == PART_SOURCE) {
      g.source[0] = values[i];
      words = grading_source_label(&g);
    } else if (part == PART_INTELLIGENCE) {
      g.intelligence[0] = values[i];
      words = grading_intelligence_label(&g);
    } else {
      g.handling[0] = values[i];
      words = grading_handling_label(&g);
    }
    char cap[180];
    snprintf(labels[i], sizeof labels[i], "%c: %s", values[i], capitalised(words, cap, sizeof cap));
    codes[i].code = vals[i];
    codes[i].label = labels[i];
  }
  codes[n < 7 ? n : 7] = (struct code){NULL, NULL};
  web_radios(b, name, legend, hint, codes, NULL, value, errs, false);
}

/* The relations a link may name, as codes for a select (labels are the core's words). */
static void relation_codes(struct code *out, size_t cap) {
  size_t n = 0;
  for (const char *const *p = INTEL_RELATIONS; *p && n + 1 < cap; p++) {
    out[n].code = *p;
    out[n].label = intel_relation_label(*p);
    n++;
  }
  out[n] = (struct code){NULL, NULL};
}

/* The intelligence form's fields in page order (link rows are added per row). */
static const struct error_link INTEL_LINKS[] = {
    {"summary", NULL},
    {"occurred_at", "occurred_at-day"},
    {"grading", NULL},
    {"source_evaluation", NULL},
    {"intelligence_assessment", NULL},
    {"handling_code", NULL},
    {"source_evaluation_5x5x5", NULL},
    {"intelligence_assessment_5x5x5", NULL},
    {"handling_code_5x5x5", NULL},
    {"handling_conditions", NULL},
    {"links", "links-0-from"},
    {NULL, NULL},
};

/* Whether the post being answered chose the older 5x5x5 grading. */
static bool posted_5x5x5(struct req *r) {
  const char *g = posted(r, "grading");
  return g && !strcmp(g, "5x5x5");
}

/* The intelligence form, with ERRS shown and what was typed kept; ABOUT fills the first link's "from". */
static void intel_form_page(struct req *r, const char *about, struct field_errors *errs, int status) {
  struct page p;
  page_init(&p, "Record intelligence", "intelligence");
  p.errors = errs;
  p.back = "/intelligence";
  size_t nbase = sizeof INTEL_LINKS / sizeof INTEL_LINKS[0] - 1;
  struct error_link links[sizeof INTEL_LINKS / sizeof INTEL_LINKS[0] + WEB_INTEL_LINK_ROWS * 4];
  char keys[WEB_INTEL_LINK_ROWS * 4][40], anchors[WEB_INTEL_LINK_ROWS * 4][40];
  size_t nl = 0, nk = 0;
  for (size_t i = 0; i < nbase; i++) links[nl++] = INTEL_LINKS[i];
  /* Each row's own boxes link to themselves; an error about a whole row links to its first box. */
  for (int row = 0; row < WEB_INTEL_LINK_ROWS; row++) {
    static const char *const parts[] = {"", "-from", "-relation", "-to"};
    for (int k = 0; k < 4; k++, nk++) {
      snprintf(keys[nk], sizeof keys[nk], "links-%d%s", row, parts[k]);
      snprintf(anchors[nk], sizeof anchors[nk], "links-%d%s", row, k == 0 ? "-from" : parts[k]);
      links[nl++] = (struct error_link){keys[nk], anchors[nk]};
    }
  }
  links[nl] = (struct error_link){NULL, NULL};
  p.error_links = links;
  struct buf *b = &p.body;
  bool five = posted_5x5x5(r);
  bool five_errors = errs && (ferr_get(errs, "source_evaluation_5x5x5") || ferr_get(errs, "intelligence_assessment_5x5x5") ||
                              ferr_get(errs, "handling_code_5x5x5") || ferr_get(errs, "grading"));
  hf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\"><span class=\"govuk-caption-l\">"
        "Intelligence</span><h1 class=\"govuk-heading-l\">Record intelligence</h1>"
        "<form method=\"post\" action=\"/intelligence/new\" novalidate data-testid=\"intel-form\">");
  web_csrf_field(r, b);
  textarea_rows(b, "summary", "What is the intelligence?",
                "What was seen, heard or reported, when and where. Do not name the source.", posted(r, "summary"), 8,
                errs);
  web_date_input(r, b, "occurred_at", "When did it happen? (optional)", NULL,
                 "For example, 27 3 2026. Leave it blank if it is not known.", errs);
  hf(b, "<h2 class=\"govuk-heading-m\">Grading</h2><p class=\"govuk-body\">Grade it by the 3x5x2 system. Older "
        "intelligence graded 5x5x5 may be recorded as it was graded: see below.</p>");
  grade_radios(b, "source_evaluation", "Source evaluation", "How reliable is the source?", GRADING_3X5X2, PART_SOURCE,
               SOURCE_3X5X2, five ? NULL : posted(r, "source_evaluation"), errs);
  grade_radios(b, "intelligence_assessment", "Intelligence assessment", "How does the source know it?", GRADING_3X5X2,
               PART_INTELLIGENCE, INTEL_3X5X2, five ? NULL : posted(r, "intelligence_assessment"), errs);
  grade_radios(b, "handling_code", "Handling code", "May it be shared, and on what terms?", GRADING_3X5X2, PART_HANDLING,
               HANDLING_3X5X2, five ? NULL : posted(r, "handling_code"), errs);
  hf(b, "<details class=\"govuk-details\"%r><summary class=\"govuk-details__summary\"><span class=\"govuk-details__summary-text\">"
        "Older 5x5x5 grading</span></summary><div class=\"govuk-details__text\">",
     five || five_errors ? " open" : "");
  {
    const char *why = errs ? ferr_get(errs, "grading") : NULL;
    hf(b, "<div class=\"govuk-form-group%r\"><fieldset class=\"govuk-fieldset\"%r><legend class=\"govuk-fieldset__legend "
          "govuk-fieldset__legend--s\">Grading system</legend>",
       why ? " govuk-form-group--error" : "", why ? " aria-describedby=\"grading-error\"" : "");
    if (why) {
      hf(b, "<p id=\"grading-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">Error:</span> %s</p>",
         why);
    }
    hf(b, "<div class=\"govuk-checkboxes govuk-checkboxes--small\" data-module=\"govuk-checkboxes\"><div "
          "class=\"govuk-checkboxes__item\"><input class=\"govuk-checkboxes__input\" id=\"grading\" name=\"grading\" "
          "type=\"checkbox\" value=\"5x5x5\"%r><label class=\"govuk-label govuk-checkboxes__label\" for=\"grading\">"
          "This item was graded 5x5x5: record it as it was graded, and ignore the 3x5x2 answers above</label></div></div>"
          "</fieldset></div>",
       five ? " checked" : "");
  }
  grade_radios(b, "source_evaluation_5x5x5", "Source evaluation (5x5x5)", NULL, GRADING_5X5X5, PART_SOURCE, SOURCE_5X5X5,
               five ? posted(r, "source_evaluation_5x5x5") : NULL, errs);
  grade_radios(b, "intelligence_assessment_5x5x5", "Intelligence assessment (5x5x5)", NULL, GRADING_5X5X5,
               PART_INTELLIGENCE, INTEL_5X5X5, five ? posted(r, "intelligence_assessment_5x5x5") : NULL, errs);
  grade_radios(b, "handling_code_5x5x5", "Handling code (5x5x5)", NULL, GRADING_5X5X5, PART_HANDLING, HANDLING_5X5X5,
               five ? posted(r, "handling_code_5x5x5") : NULL, errs);
  hf(b, "</div></details>");
  textarea_rows(b, "handling_conditions", "Handling conditions",
                "Needed with handling code C (or 4 and 5 in the older grading), and only then: who it may be shared "
                "with, and on what terms. They are shown wherever the item is.",
                posted(r, "handling_conditions"), 3, errs);
  hf(b, "<h2 class=\"govuk-heading-m\">What it links</h2><p class=\"govuk-body\">Each link joins two records: people, "
        "vehicles, phones, places, online accounts or children. Paste each one&rsquo;s Safehub ID from its page "
        "(it starts <code>en_</code>, or <code>ch_</code> for a child). Leave unused rows blank.</p>");
  struct code rels[32];
  relation_codes(rels, sizeof rels / sizeof rels[0]);
  for (int row = 0; row < WEB_INTEL_LINK_ROWS; row++) {
    char from[32], rel[32], to[32], whole[32], legend[24];
    snprintf(whole, sizeof whole, "links-%d", row);
    snprintf(from, sizeof from, "links-%d-from", row);
    snprintf(rel, sizeof rel, "links-%d-relation", row);
    snprintf(to, sizeof to, "links-%d-to", row);
    snprintf(legend, sizeof legend, "Link %d", row + 1);
    const char *why = errs ? ferr_get(errs, whole) : NULL;
    hf(b, "<div class=\"govuk-form-group%r\" data-testid=\"link-row\"><fieldset class=\"govuk-fieldset\"%r%s%r>"
          "<legend class=\"govuk-fieldset__legend govuk-fieldset__legend--s\">%s</legend>",
       why ? " govuk-form-group--error" : "", why ? " aria-describedby=\"" : "", why ? whole : "", why ? "-error\"" : "",
       legend);
    if (why) {
      hf(b, "<p id=\"%s-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">Error:</span> %s</p>",
         whole, why);
    }
    const char *from_value = posted(r, from);
    if (!r->form && row == 0 && about) from_value = about;
    web_text_input(b, from, "From: Safehub ID", from_value, NULL, errs, "off", "govuk-input--width-20");
    web_select(b, rel, "How they are linked", rels, posted(r, rel), NULL, errs, "Select a link");
    web_text_input(b, to, "To: Safehub ID", posted(r, to), NULL, errs, "off", "govuk-input--width-20");
    hf(b, "</fieldset></div>");
  }
  web_button(b, "Save the intelligence");
  hf(b, "</form></div></div>");
  page_send(r, &p, status);
}

/* GET /intelligence/new[?about=ID] */
void web_intel_new_form(struct req *r) {
  const char *about = req_query(r, "about");
  if (about && (!*about || !ids_plausible(about))) about = NULL;
  intel_form_page(r, about, NULL, 200);
}

/* The message for the service's reason WHY about member MEMBER of link ROW (0-based), into OUT. */
static void link_error(struct field_errors *out, int row, const char *member, const char *why) {
  char key[40];
  if (!*member) {
    snprintf(key, sizeof key, "links-%d", row);
    ferr_add(out, key, "Link %d: %s", row + 1, why);
    return;
  }
  snprintf(key, sizeof key, "links-%d-%s", row, member);
  bool from = !strcmp(member, "from");
  if (!strcmp(member, "from") || !strcmp(member, "to")) {
    if (!strcmp(why, "is required"))
      ferr_add(out, key, "Link %d: enter the Safehub ID of the record the link is %s", row + 1, from ? "from" : "to");
    else if (!strcmp(why, "no such record"))
      ferr_add(out, key, "Link %d: the %s ID is not the Safehub ID of a record you can see", row + 1, from ? "From" : "To");
    else if (!strcmp(why, "must be another record than from"))
      ferr_add(out, key, "Link %d: From and To must be two different records", row + 1);
    else
      ferr_add(out, key, "Link %d, %s: %s", row + 1, from ? "From" : "To", why);
  } else if (!strcmp(member, "relation")) {
    if (!strcmp(why, "is required")) ferr_add(out, key, "Link %d: select how they are linked", row + 1);
    else ferr_add(out, key, "Link %d: how they are linked %s", row + 1, why);
  } else {
    snprintf(key, sizeof key, "links-%d", row);
    if (!ferr_get(out, key)) ferr_add(out, key, "Link %d: %s %s", row + 1, member, why);
  }
}

/* The message for a field: REQUIRED when the service says it is missing (or needed), else LABEL followed by WHY. */
static void grading_error(struct field_errors *out, const char *key, const char *why, const char *required,
                          const char *label) {
  if (!strncmp(why, "is required", 11)) ferr_add(out, key, "%s", required);
  else ferr_add(out, key, "%s %s", label, why);
}

/*
** Rewrites the service's errors (named as the API names fields) as the
** form's fields with GOV.UK messages.  ROWS gives the form row of each link
** sent; FIVE when the older grading was chosen, whose answers have boxes
** of their own.
*/
static void intel_form_errors(struct field_errors *errs, const int *rows, int nrows, bool five, struct field_errors *out) {
  const char *k;
  json_t *v;
  json_object_foreach(errs->fields, k, v) {
    const char *why = json_string_value(v);
    int idx = -1, end = 0;
    char member[40] = "";
    if (sscanf(k, "links[%d]%n", &idx, &end) == 1 && idx >= 0) {
      if (k[end] == '.') snprintf(member, sizeof member, "%s", k + end + 1);
      if (idx < nrows) link_error(out, rows[idx], member, why);
      else if (!ferr_get(out, "links")) ferr_add(out, "links", "Links: %s", why);
    } else if (!strcmp(k, "links")) {
      ferr_add(out, "links", "The links %s", why);
    } else if (!strcmp(k, "summary")) {
      grading_error(out, k, why, "Enter what the intelligence is", "The intelligence");
    } else if (!strcmp(k, "occurred_at")) {
      ferr_add(out, k, "When it happened %s", why);
    } else if (!strcmp(k, "grading")) {
      ferr_add(out, k, "The grading system %s", why);
    } else if (!strcmp(k, "source_evaluation")) {
      grading_error(out, five ? "source_evaluation_5x5x5" : k, why, "Select the source evaluation", "Source evaluation");
    } else if (!strcmp(k, "intelligence_assessment")) {
      grading_error(out, five ? "intelligence_assessment_5x5x5" : k, why, "Select the intelligence assessment",
                    "Intelligence assessment");
    } else if (!strcmp(k, "handling_code")) {
      grading_error(out, five ? "handling_code_5x5x5" : k, why, "Select the handling code", "Handling code");
    } else if (!strcmp(k, "handling_conditions")) {
      grading_error(out, k, why,
                    five ? "Enter the handling conditions: handling codes 4 and 5 need them"
                         : "Enter the handling conditions: handling code C needs them",
                    "Handling conditions");
    } else {
      ferr_add(out, k, "%s %s", k, why);
    }
  }
}

/* True when any of the posted fields NAMES (NULL-ended) has something in it. */
static bool row_used(struct req *r, const char *const *names) {
  for (; *names; names++) {
    const char *v = form_str(r, *names);
    if (v && !text_is_blank(v)) return true;
  }
  return false;
}

/* POST /intelligence/new: records the item and its links, then shows it. */
void web_intel_new(struct req *r) {
  struct field_errors pre, errs, shown;
  ferr_init(&pre);
  ferr_init(&errs);
  ferr_init(&shown);
  json_t *in = json_object(), *links = json_array(), *out = NULL;
  const char *summary = form_str(r, "summary");
  json_object_set_new(in, "summary", json_string(summary ? summary : ""));
  bool five = posted_5x5x5(r);
  json_object_set_new(in, "grading", json_string(five ? "5x5x5" : "3x5x2"));
  static const char *const parts[][2] = {{"source_evaluation", "source_evaluation_5x5x5"},
                                         {"intelligence_assessment", "intelligence_assessment_5x5x5"},
                                         {"handling_code", "handling_code_5x5x5"}};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
    const char *v = form_str(r, parts[i][five ? 1 : 0]);
    if (v && *v) json_object_set_new(in, parts[i][0], json_string(v));
  }
  const char *cond = form_str(r, "handling_conditions");
  if (cond && !text_is_blank(cond)) json_object_set_new(in, "handling_conditions", json_string(cond));
  json_t *when = form_date(r, "occurred_at", &pre, "When it happened");
  if (json_is_string(when)) json_object_set(in, "occurred_at", when);
  json_decref(when);
  int rows[WEB_INTEL_LINK_ROWS], nrows = 0;
  for (int row = 0; row < WEB_INTEL_LINK_ROWS; row++) {
    char from[32], rel[32], to[32];
    snprintf(from, sizeof from, "links-%d-from", row);
    snprintf(rel, sizeof rel, "links-%d-relation", row);
    snprintf(to, sizeof to, "links-%d-to", row);
    const char *names[] = {from, rel, to, NULL};
    if (!row_used(r, names)) continue;
    json_t *l = json_object();
    char *f = text_trim_dup(form_str(r, from) ? form_str(r, from) : "");
    char *t = text_trim_dup(form_str(r, to) ? form_str(r, to) : "");
    const char *relation = form_str(r, rel);
    /* A blank box is left out, so the service names it as missing rather than malformed. */
    if (*f) json_object_set_new(l, "from", json_string(f));
    if (*t) json_object_set_new(l, "to", json_string(t));
    if (relation && *relation) json_object_set_new(l, "relation", json_string(relation));
    free(f);
    free(t);
    json_array_append_new(links, l);
    rows[nrows++] = row;
  }
  json_object_set_new(in, "links", links);
  int rc;
  if (ferr_any(&pre)) {
    /* Show every mistake at once: check the grading too; nothing is saved. */
    struct grading g;
    grading_parse(in, &g, &errs);
    if (!summary || text_is_blank(summary)) ferr_add(&errs, "summary", "is required");
    struct field_errors all;
    ferr_init(&all);
    json_object_update(all.fields, errs.fields);
    json_object_update(all.fields, pre.fields);
    svc_intel_refused(r, "intel.create", "intelligence", &all);
    ferr_free(&all);
    rc = SVC_INVALID;
  } else {
    rc = svc_intel_create(r, in, &errs, &out);
  }
  if (rc == SVC_OK && js(out, "id")) {
    char loc[160];
    snprintf(loc, sizeof loc, "/intelligence/%s?done=recorded", js(out, "id"));
    resp_redirect(r, loc);
  } else if (rc == SVC_INVALID) {
    intel_form_errors(&errs, rows, nrows, five, &shown);
    const char *k;
    json_t *v;
    json_object_foreach(pre.fields, k, v) {
      if (!ferr_get(&shown, k)) ferr_add(&shown, k, "%s", json_string_value(v));
    }
    intel_form_page(r, NULL, &shown, 422);
  } else if (rc == SVC_FORBIDDEN) {
    web_error_page(r, 403, "Your role may not record intelligence.");
  } else {
    web_error_page(r, 503, "The intelligence could not be saved just now. Please try again.");
  }
  json_decref(in);
  json_decref(out);
  ferr_free(&pre);
  ferr_free(&errs);
  ferr_free(&shown);
}

/* ---- GET /intelligence/{id} ---- */

/* GET /intelligence/{id}: the item, its grade explained, its conditions and its links. */
void web_intel_view(struct req *r) {
  json_t *it = NULL;
  int rc = svc_intel_get(r, req_param(r, 0), &it);
  if (rc != SVC_OK) {
    if (rc == SVC_NOT_FOUND) web_error_page(r, 404, "There is no item of intelligence at this address.");
    else if (rc == SVC_FORBIDDEN) web_error_page(r, 403, "Your role may not read intelligence.");
    else web_error_page(r, 503, "The intelligence could not be shown just now. Please try again.");
    return;
  }
  char day[48], title[96], text[300];
  snprintf(title, sizeof title, "Intelligence recorded %s", web_day_long(js(it, "recorded_at"), day, sizeof day));
  struct page p;
  page_init(&p, title, "intelligence");
  p.back = "/intelligence";
  if (req_query(r, "done")) p.notice = "The intelligence has been recorded";
  struct buf *b = &p.body;
  hf(b, "<span class=\"govuk-caption-l\">Intelligence</span><h1 class=\"govuk-heading-l\">%s</h1>", title);
  if (item_has_conditions(it)) conditions_warning(b, js(it, "handling_conditions"));
  hf(b, "<h2 class=\"govuk-heading-m\">What was reported</h2><div class=\"govuk-inset-text\" data-testid=\"intel-summary\">"
        "<p class=\"govuk-body\">");
  web_multiline(b, js(it, "summary"));
  hf(b, "</p></div>");
  hf(b, "<h2 class=\"govuk-heading-m\">Grading</h2><dl class=\"govuk-summary-list\" data-testid=\"intel-grading\">");
  struct grading g;
  bool graded = item_grading(it, &g);
  char code[16] = "";
  if (graded) grading_code(&g, code, sizeof code);
  hf(b, "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">Grade</dt><dd "
        "class=\"govuk-summary-list__value\"><strong data-testid=\"grade\">%s</strong>%r</dd></div>",
     graded ? code : js(it, "grade"), graded && g.scheme == GRADING_5X5X5 ? " (older 5x5x5 grading, shown as recorded)" : "");
  json_t *ex = json_object_get(it, "grade_explained");
  char cap[200];
  snprintf(text, sizeof text, "%s: %s", g.source,
           capitalised(js(ex, "source") ? js(ex, "source") : graded ? grading_source_label(&g) : NULL, cap, sizeof cap));
  web_summary_row(b, "Source evaluation", graded ? text : NULL);
  snprintf(text, sizeof text, "%s: %s", g.intelligence,
           capitalised(js(ex, "intelligence") ? js(ex, "intelligence") : graded ? grading_intelligence_label(&g) : NULL,
                       cap, sizeof cap));
  web_summary_row(b, "Intelligence assessment", graded ? text : NULL);
  snprintf(text, sizeof text, "%s: %s", g.handling,
           capitalised(js(ex, "handling") ? js(ex, "handling") : graded ? grading_handling_label(&g) : NULL, cap,
                       sizeof cap));
  web_summary_row(b, "Handling code", graded ? text : NULL);
  struct buf v = BUF_INIT;
  web_multiline(&v, js(it, "handling_conditions"));
  if (!v.len) buf_puts(&v, "None");
  web_summary_row_html(b, "Handling conditions", &v);
  buf_free(&v);
  hf(b, "</dl><h2 class=\"govuk-heading-m\">Recorded</h2><dl class=\"govuk-summary-list\">");
  web_summary_row(b, "When it happened", js(it, "occurred_at") ? web_day_long(js(it, "occurred_at"), day, sizeof day) : "Not known");
  char at[64];
  web_summary_row(b, "Recorded", js(it, "recorded_at") ? web_time_long(js(it, "recorded_at"), at, sizeof at) : NULL);
  json_t *agencies = agency_names(r);
  web_summary_row(b, "By", agency_name(agencies, js(it, "agency")));
  json_decref(agencies);
  web_summary_row(b, "Safehub ID", js(it, "id"));
  hf(b, "</dl>");
  json_t *links = json_object_get(it, "links");
  hf(b, "<h2 class=\"govuk-heading-m\">What it links</h2>");
  if (!json_array_size(links)) {
    hf(b, "<p class=\"govuk-body\">This item reports no links.</p>");
  } else {
    hf(b, "<table class=\"govuk-table\" data-testid=\"intel-links\"><caption class=\"govuk-table__caption "
          "govuk-visually-hidden\">Links this item reports</caption><thead class=\"govuk-table__head\">"
          "<tr class=\"govuk-table__row\"><th scope=\"col\" class=\"govuk-table__header\">From</th>"
          "<th scope=\"col\" class=\"govuk-table__header\">Link</th><th scope=\"col\" class=\"govuk-table__header\">To</th>"
          "<th scope=\"col\" class=\"govuk-table__header\">Network</th></tr></thead><tbody class=\"govuk-table__body\">");
    size_t i;
    json_t *l;
    json_array_foreach(links, i, l) {
      bool fr = json_is_true(json_object_get(l, "from_restricted")), tr = json_is_true(json_object_get(l, "to_restricted"));
      hf(b, "<tr class=\"govuk-table__row\"><td class=\"govuk-table__cell\">");
      record_link(b, js(l, "from"), js(l, "from_type"), js(l, "from_label"), fr);
      hf(b, "</td><td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">",
         intel_relation_label(js(l, "relation") ? js(l, "relation") : ""));
      record_link(b, js(l, "to"), js(l, "to_type"), js(l, "to_label"), tr);
      hf(b, "</td><td class=\"govuk-table__cell\">");
      const char *centre = !fr ? js(l, "from") : !tr ? js(l, "to") : NULL;
      if (centre) {
        hf(b, "<a class=\"govuk-link\" href=\"/network?around=%u\">See the network<span class=\"govuk-visually-hidden\"> "
              "around %s</span></a>",
           centre, !fr ? (js(l, "from_label") ? js(l, "from_label") : centre) : (js(l, "to_label") ? js(l, "to_label") : centre));
      }
      hf(b, "</td></tr>");
    }
    hf(b, "</tbody></table>");
  }
  page_send(r, &p, 200);
  json_decref(it);
}

/* ---- GET /network ---- */

static const struct error_link NETWORK_LINKS[] = {{"around", NULL}, {"depth", NULL}, {NULL, NULL}};
static const struct code DEPTHS[] = {{"1", "1 step"}, {"2", "2 steps"}, {"3", "3 steps"}, {NULL, NULL}};

/* Reads a small whole number (digits only) from S into *OUT; false when S is anything else. */
static bool small_number(const char *s, int *out) {
  if (!s || !*s || strlen(s) > 4) return false;
  int n = 0;
  for (const char *p = s; *p; p++) {
    if (*p < '0' || *p > '9') return false;
    n = n * 10 + (*p - '0');
  }
  *out = n;
  return true;
}

/*
** The network form: which record to centre on, and how many steps out, with
** ERRS shown.  Once a network is shown (HIDDEN_AROUND) only the steps are
** asked, beside their button, so that the chart stays near the top.
*/
static void network_form(struct buf *b, const char *around, const char *depth, struct field_errors *errs, bool hidden_around) {
  hf(b, "<form method=\"get\" action=\"/network\" novalidate class=\"%r\">",
     hidden_around ? "app-network-depth" : "govuk-!-margin-bottom-6");
  if (hidden_around) hf(b, "<input type=\"hidden\" name=\"around\" value=\"%s\">", around);
  else web_text_input(b, "around", "Safehub ID to centre on", around,
                      "Of a person, vehicle, phone, place or online account (en_...) or a child (ch_...)", errs, "off",
                      "govuk-input--width-20");
  web_select(b, "depth", "How many steps out", DEPTHS, depth ? depth : "2", NULL, errs, NULL);
  web_button(b, "Show the network");
  hf(b, "</form>");
}

/* BETWEENNESS (0..1) written with two decimals into OUT. */
static const char *measure(double v, char *out, size_t cap) {
  snprintf(out, cap, "%.2f", v);
  return out;
}

/* The label of node ID among NODES, or ID itself; *RESTRICTED and *TYPE set from the node. */
static const char *node_label(json_t *nodes, const char *id, bool *restricted, const char **type) {
  size_t i;
  json_t *n;
  *restricted = false;
  *type = NULL;
  json_array_foreach(nodes, i, n) {
    if (js(n, "id") && id && !strcmp(js(n, "id"), id)) {
      *restricted = json_is_true(json_object_get(n, "restricted"));
      *type = js(n, "type");
      return js(n, "label") ? js(n, "label") : id;
    }
  }
  return id;
}

/* The nodes of network NET as a table: label, type, links, betweenness, group; each able to be the centre. */
static void nodes_table(struct buf *b, json_t *net, const char *depth) {
  json_t *nodes = json_object_get(net, "nodes");
  hf(b, "<table class=\"govuk-table\" data-testid=\"network-nodes\"><caption class=\"govuk-table__caption "
        "govuk-table__caption--m\">Who and what is in the network: %zu</caption><thead class=\"govuk-table__head\">"
        "<tr class=\"govuk-table__row\"><th scope=\"col\" class=\"govuk-table__header\">Name</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Type</th>"
        "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Linked to</th>"
        "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Betweenness</th>"
        "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Group</th>"
        "<th scope=\"col\" class=\"govuk-table__header\"><span class=\"govuk-visually-hidden\">Centre on it</span></th>"
        "</tr></thead><tbody class=\"govuk-table__body\">",
     json_array_size(nodes));
  size_t i;
  json_t *n;
  json_array_foreach(nodes, i, n) {
    bool restricted = json_is_true(json_object_get(n, "restricted"));
    char bt[32];
    hf(b, "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\">");
    record_link(b, js(n, "id"), js(n, "type"), js(n, "label"), restricted);
    if (restricted) {
      hf(b, " ");
      web_tag(b, "Restricted", "grey");
    }
    hf(b, "</th><td class=\"govuk-table__cell\">%s</td><td class=\"govuk-table__cell govuk-table__cell--numeric\">%lld</td>"
          "<td class=\"govuk-table__cell govuk-table__cell--numeric\">%s</td>"
          "<td class=\"govuk-table__cell govuk-table__cell--numeric\">%lld</td><td class=\"govuk-table__cell\">",
       type_label(js(n, "type")), ji(n, "degree"), measure(jd(n, "betweenness"), bt, sizeof bt), ji(n, "community"));
    if (!restricted && js(n, "id") && (!js(net, "around") || strcmp(js(n, "id"), js(net, "around")) != 0)) {
      hf(b, "<a class=\"govuk-link\" href=\"/network?around=%u&amp;depth=%u\">Centre on it<span "
            "class=\"govuk-visually-hidden\">: %s</span></a>",
         js(n, "id"), depth, js(n, "label"));
    }
    hf(b, "</td></tr>");
  }
  hf(b, "</tbody></table>");
}

/*
** The edges of network NET as a table: from, relations (and the items that
** report them), to, weight (how many links join the two), and the handling
** conditions of the items behind it.
*/
static void edges_table(struct buf *b, json_t *net) {
  json_t *nodes = json_object_get(net, "nodes"), *edges = json_object_get(net, "edges");
  hf(b, "<table class=\"govuk-table\" data-testid=\"network-links\"><caption class=\"govuk-table__caption "
        "govuk-table__caption--m\">Links: %zu</caption><thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">"
        "<th scope=\"col\" class=\"govuk-table__header\">Between</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Links reported</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">And</th>"
        "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Weight</th>"
        "<th scope=\"col\" class=\"govuk-table__header\">Handling conditions</th></tr></thead>"
        "<tbody class=\"govuk-table__body\">",
     json_array_size(edges));
  size_t i;
  json_t *e;
  json_array_foreach(edges, i, e) {
    bool fr, tr;
    const char *ft, *tt;
    const char *fl = node_label(nodes, js(e, "from"), &fr, &ft), *tl = node_label(nodes, js(e, "to"), &tr, &tt);
    hf(b, "<tr class=\"govuk-table__row\"><td class=\"govuk-table__cell\">");
    record_link(b, js(e, "from"), ft, fl, fr);
    hf(b, "</td><td class=\"govuk-table__cell\">");
    size_t k;
    json_t *rel;
    json_array_foreach(json_object_get(e, "relations"), k, rel) {
      hf(b, "%r%s", k ? ", " : "", intel_relation_label(json_string_value(rel) ? json_string_value(rel) : ""));
    }
    /* The items that report the link, so each can be read (and its conditions weighed) before sharing. */
    json_t *ids = json_object_get(e, "intelligence");
    if (json_array_size(ids)) {
      hf(b, "<br><span class=\"govuk-body-s\">Reported in ");
      json_t *id;
      json_array_foreach(ids, k, id) {
        hf(b, "%r<a class=\"govuk-link\" href=\"/intelligence/%u\">item %zu<span class=\"govuk-visually-hidden\"> "
              "linking %s and %s</span></a>",
           k ? ", " : "", json_string_value(id) ? json_string_value(id) : "", k + 1, fl, tl);
      }
      hf(b, "</span>");
    }
    hf(b, "</td><td class=\"govuk-table__cell\">");
    record_link(b, js(e, "to"), tt, tl, tr);
    hf(b, "</td><td class=\"govuk-table__cell govuk-table__cell--numeric\">%lld", ji(e, "weight"));
    hf(b, "</td><td class=\"govuk-table__cell\">");
    json_t *conds = json_object_get(e, "handling_conditions");
    if (!json_array_size(conds)) hf(b, "None");
    json_t *c;
    json_array_foreach(conds, k, c) conditions_warning(b, json_string_value(c));
    hf(b, "</td></tr>");
  }
  hf(b, "</tbody></table>");
}

/*
** The figures the link chart draws, as compact JSON for a data attribute
** (caller frees): each node's label, type, whether it is restricted, its
** betweenness and page, and each edge's ends, weight, relations in words
** and whether conditions apply.
*/
static char *chart_data(json_t *net) {
  json_t *out = json_object(), *nodes = json_array(), *edges = json_array();
  size_t i;
  json_t *n;
  json_array_foreach(json_object_get(net, "nodes"), i, n) {
    const char *id = js(n, "id"), *type = js(n, "type");
    bool restricted = json_is_true(json_object_get(n, "restricted"));
    json_t *o = json_pack("{s:s,s:s,s:s,s:b,s:f}", "id", id ? id : "", "label", js(n, "label") ? js(n, "label") : "",
                          "type", type ? type : "", "restricted", restricted, "betweenness", jd(n, "betweenness"));
    if (!restricted && id) {
      char href[128];
      snprintf(href, sizeof href, "/%s/%s", type && !strcmp(type, "child") ? "children" : "entities", id);
      json_object_set_new(o, "href", json_string(href));
    }
    json_array_append_new(nodes, o);
  }
  json_t *e;
  json_array_foreach(json_object_get(net, "edges"), i, e) {
    struct buf rels = BUF_INIT;
    size_t k;
    json_t *rel;
    json_array_foreach(json_object_get(e, "relations"), k, rel) {
      if (k) buf_puts(&rels, ", ");
      buf_puts(&rels, intel_relation_label(json_string_value(rel) ? json_string_value(rel) : ""));
    }
    json_array_append_new(edges, json_pack("{s:s,s:s,s:I,s:s,s:b}", "from", js(e, "from") ? js(e, "from") : "", "to",
                                           js(e, "to") ? js(e, "to") : "", "weight", (json_int_t)ji(e, "weight"),
                                           "relations", buf_cstr(&rels),
                                           "conditions", json_array_size(json_object_get(e, "handling_conditions")) > 0));
    buf_free(&rels);
  }
  json_object_set_new(out, "around", json_string(js(net, "around") ? js(net, "around") : ""));
  json_object_set_new(out, "nodes", nodes);
  json_object_set_new(out, "edges", edges);
  char *text = json_dumps(out, JSON_COMPACT);
  json_decref(out);
  return text;
}

/*
** The link chart's section: hidden until web/network.js has drawn the
** chart, so that without JavaScript no empty box shows; the container the
** chart is drawn in, described for screen readers as a picture of what the
** tables below say in full, and a key to its shapes and colours.
*/
static void chart_section(struct buf *b, json_t *net, const char *centre) {
  char *data = chart_data(net);
  hf(b, "<div class=\"app-network-chart\" data-testid=\"network-chart-section\" hidden>"
        "<h2 class=\"govuk-heading-m\">Link chart</h2><p class=\"govuk-body\">Larger shapes are more often the link "
        "between others (higher betweenness). Select a shape to open its record. The tables below list everything the "
        "chart shows.</p>");
  hf(b, "<div id=\"network-chart\" class=\"app-network-chart__canvas\" role=\"img\" aria-label=\"Link chart of the "
        "network around %s: %zu shown, %zu links. The tables below list the same.\" data-network=\"%s\"></div>",
     centre, json_array_size(json_object_get(net, "nodes")), json_array_size(json_object_get(net, "edges")), data ? data : "{}");
  free(data);
  static const struct {
    const char *modifier, *text;
  } KEY[] = {
      {"person", "Person (circle)"},
      {"child", "Child (star)"},
      {"restricted", "Child whose record is not open to you (grey star)"},
      {"vehicle", "Vehicle (rounded square)"},
      {"phone", "Phone (triangle)"},
      {"location", "Place (diamond)"},
      {"online_account", "Online account (hexagon)"},
      {"conditions", "Dashed line: handling conditions apply to the intelligence behind the link"},
  };
  hf(b, "<h3 class=\"govuk-heading-s\">Key</h3><ul class=\"govuk-list app-network-legend\">");
  for (size_t i = 0; i < sizeof KEY / sizeof KEY[0]; i++) {
    hf(b, "<li class=\"app-network-legend__item\"><span class=\"app-network-legend__swatch app-network-legend__swatch--%r\" "
          "aria-hidden=\"true\"></span>%s</li>",
       KEY[i].modifier, KEY[i].text);
  }
  hf(b, "</ul></div><script type=\"module\" src=\"/assets/network.js\"></script>");
}

/* GET /network[?around=ID&depth=N]: the network around an entity or a child. */
void web_network(struct req *r) {
  const char *around = req_query(r, "around"), *depth_text = req_query(r, "depth");
  struct field_errors errs;
  ferr_init(&errs);
  int depth = 2;
  if (depth_text && (!small_number(depth_text, &depth) || depth < 1 || depth > NETWORK_DEPTH_MAX)) {
    ferr_add(&errs, "depth", "Select how many steps out, from 1 to %d", NETWORK_DEPTH_MAX);
  }
  if (around && (text_is_blank(around) || !ids_plausible(around))) {
    ferr_add(&errs, "around", "Enter the Safehub ID of a person, vehicle, phone, place, online account or child");
  }
  struct page p;
  if (!around || ferr_any(&errs)) {
    page_init(&p, "Network", "intelligence");
    p.errors = &errs;
    p.error_links = NETWORK_LINKS;
    p.back = "/intelligence";
    hf(&p.body, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\"><h1 class=\"govuk-heading-l\">"
                "Network</h1><p class=\"govuk-body\">Who and what is linked to a person, vehicle, phone, place, online "
                "account or child, by the intelligence recorded about them.</p>");
    network_form(&p.body, around, depth_text, &errs, false);
    hf(&p.body, "</div></div>");
    page_send(r, &p, ferr_any(&errs) ? 422 : 200);
    ferr_free(&errs);
    return;
  }
  json_t *net = NULL;
  int rc = svc_network_around(r, around, depth, &net);
  if (rc != SVC_OK) {
    ferr_free(&errs);
    if (rc == SVC_NOT_FOUND) web_error_page(r, 404, "There is no record with this Safehub ID, or it is not open to you.");
    else if (rc == SVC_FORBIDDEN) web_error_page(r, 403, "Your role may not read networks.");
    else if (rc == SVC_INVALID) web_error_page(r, 422, "The network could not be shown for this address.");
    else web_error_page(r, 503, "The network could not be shown just now. Please try again.");
    return;
  }
  const char *centre_id = js(net, "around") ? js(net, "around") : around;
  bool restricted;
  const char *centre_type;
  const char *centre = node_label(json_object_get(net, "nodes"), centre_id, &restricted, &centre_type);
  char title[300], depth_str[8];
  snprintf(title, sizeof title, "Network around %s", centre ? centre : centre_id);
  snprintf(depth_str, sizeof depth_str, "%d", depth);
  page_init(&p, title, "intelligence");
  p.back = "/intelligence";
  struct buf *b = &p.body;
  hf(b, "<span class=\"govuk-caption-l\">Network, %d %r out</span><h1 class=\"govuk-heading-l\">%s</h1>", depth,
     depth == 1 ? "step" : "steps", title);
  hf(b, "<p class=\"govuk-body\">");
  record_link(b, centre_id, centre_type, "Open the record", restricted);
  if (role_in(r->who.role, INTEL_RECORDERS) && !restricted) {
    hf(b, " &middot; <a class=\"govuk-link\" href=\"/intelligence/new?about=%u\">Record intelligence about it</a>",
       centre_id);
  }
  hf(b, " &middot; <a class=\"govuk-link\" href=\"/network/clusters\">See every group in the network</a></p>");
  network_form(b, centre_id, depth_str, NULL, true);
  if (json_is_true(json_object_get(net, "truncated"))) {
    hf(b, "<div class=\"govuk-inset-text\" data-testid=\"network-truncated\">The network is larger than can be shown "
          "at once: these are the %d nearest. Choose fewer steps, or centre on someone further out.</div>",
       NETWORK_NODES_MAX);
  }
  size_t nn = json_array_size(json_object_get(net, "nodes"));
  if (nn <= 1) {
    /* A network of one (or none): nothing to chart or tabulate. */
    hf(b, "<p class=\"govuk-body\" data-testid=\"network-empty\">No intelligence links anything to this record yet.</p>");
    page_send(r, &p, 200);
    json_decref(net);
    ferr_free(&errs);
    return;
  }
  chart_section(b, net, centre ? centre : centre_id);
  nodes_table(b, net, depth_str);
  edges_table(b, net);
  hf(b, "<details class=\"govuk-details\"><summary class=\"govuk-details__summary\"><span class=\"govuk-details__summary-text\">"
        "What the figures mean</span></summary><div class=\"govuk-details__text\"><p class=\"govuk-body\"><strong>Linked "
        "to</strong> is how many others a record is directly linked to. <strong>Betweenness</strong> (0 to 1) is how often "
        "it lies on the shortest path between two others: a high figure marks someone who connects parts of the network "
        "that would otherwise be apart. <strong>Group</strong> numbers the clusters this network falls into: records "
        "more closely linked to each other than to the rest.</p><p class=\"govuk-body\">The figures are for the records "
        "shown here only.</p></div></details>");
  page_send(r, &p, 200);
  json_decref(net);
  ferr_free(&errs);
}

/* ---- GET /network/clusters ---- */

static const struct error_link CLUSTER_LINKS[] = {{"min_size", NULL}, {NULL, NULL}};

/* One group of the whole network as a summary card: counts, key people, places used, and a link to its network. */
static void cluster_card(struct buf *b, json_t *c) {
  char text[64];
  json_t *key = json_object_get(c, "key_people"), *places = json_object_get(c, "places_used");
  json_t *members = json_object_get(c, "members");
  /* The group's network is drawn around its most central person, else its first member open to the user. */
  const char *centre = js(json_array_get(key, 0), "id");
  size_t i;
  json_t *m;
  if (!centre) {
    json_array_foreach(members, i, m) {
      if (!json_is_true(json_object_get(m, "restricted")) && js(m, "id")) {
        centre = js(m, "id");
        break;
      }
    }
  }
  hf(b, "<div class=\"govuk-summary-card\" data-testid=\"cluster\"><div class=\"govuk-summary-card__title-wrapper\">"
        "<h2 class=\"govuk-summary-card__title\">Group %s: %lld members</h2>",
     js(c, "id"), ji(c, "size"));
  if (centre) {
    hf(b, "<ul class=\"govuk-summary-card__actions\"><li class=\"govuk-summary-card__action\"><a class=\"govuk-link\" "
          "href=\"/network?around=%u&amp;depth=3\">See its network<span class=\"govuk-visually-hidden\"> (group %s)</span>"
          "</a></li></ul>",
       centre, js(c, "id"));
  }
  hf(b, "</div><div class=\"govuk-summary-card__content\"><dl class=\"govuk-summary-list\">");
  static const struct {
    const char *key, *one, *many;
  } COUNTS[] = {{"people", "person", "people"},   {"children", "child", "children"},
                {"vehicles", "vehicle", "vehicles"}, {"phones", "phone", "phones"},
                {"places", "place", "places"},     {"accounts", "online account", "online accounts"}};
  struct buf who = BUF_INIT;
  for (size_t k = 0; k < sizeof COUNTS / sizeof COUNTS[0]; k++) {
    long long n = ji(c, COUNTS[k].key);
    if (!n) continue;
    buf_printf(&who, "%s%lld %s", who.len ? ", " : "", n, n == 1 ? COUNTS[k].one : COUNTS[k].many);
  }
  web_summary_row(b, "Members", buf_cstr(&who));
  buf_free(&who);
  snprintf(text, sizeof text, "%lld", ji(c, "edges"));
  web_summary_row(b, "Links", text);
  snprintf(text, sizeof text, "%.2f", jd(c, "density"));
  web_summary_row(b, "Density (0 to 1: how many of the possible links there are)", text);
  struct buf v = BUF_INIT;
  json_array_foreach(places, i, m) {
    hf(&v, "%r", i ? "<br>" : "");
    record_link(&v, js(m, "id"), "location", js(m, "label"), false);
    const char *kind = js(m, "kind") ? code_label(INTEL_LOCATION_KINDS, js(m, "kind")) : NULL;
    if (kind) hf(&v, " (%s)", kind);
  }
  if (!v.len) buf_puts(&v, "None");
  web_summary_row_html(b, "Places used", &v);
  buf_free(&v);
  hf(b, "</dl>");
  if (json_array_size(key)) {
    hf(b, "<table class=\"govuk-table\"><caption class=\"govuk-table__caption govuk-table__caption--s\">Key people in "
          "group %s</caption><thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">"
          "<th scope=\"col\" class=\"govuk-table__header\">Person</th>"
          "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Betweenness</th>"
          "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Linked to</th></tr></thead>"
          "<tbody class=\"govuk-table__body\">",
       js(c, "id"));
    json_array_foreach(key, i, m) {
      char bt[32];
      hf(b, "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\">");
      record_link(b, js(m, "id"), "person", js(m, "label"), false);
      hf(b, "</th><td class=\"govuk-table__cell govuk-table__cell--numeric\">%s</td>"
            "<td class=\"govuk-table__cell govuk-table__cell--numeric\">%lld</td></tr>",
         measure(jd(m, "betweenness"), bt, sizeof bt), ji(m, "degree"));
    }
    hf(b, "</tbody></table>");
  } else {
    hf(b, "<p class=\"govuk-body\">No person is recorded in this group.</p>");
  }
  hf(b, "</div></div>");
}

/* GET /network/clusters[?min_size=K]: the groups the whole network falls into, largest first. */
void web_network_clusters(struct req *r) {
  const char *min_text = req_query(r, "min_size");
  struct field_errors errs;
  ferr_init(&errs);
  int min_size = 3;
  if (min_text && (!small_number(min_text, &min_size) || min_size < 2 || min_size > 1000)) {
    ferr_add(&errs, "min_size", "Enter a group size of 2 or more, like 3");
    min_size = 3;
  }
  json_t *out = NULL;
  if (!ferr_any(&errs)) {
    int rc = svc_network_clusters(r, min_size, &out);
    if (rc != SVC_OK) {
      ferr_free(&errs);
      if (rc == SVC_FORBIDDEN) web_error_page(r, 403, "Your role may not read networks.");
      else web_error_page(r, 503, "The groups could not be shown just now. Please try again.");
      return;
    }
  }
  struct page p;
  page_init(&p, "Groups in the network", "intelligence");
  p.errors = &errs;
  p.error_links = CLUSTER_LINKS;
  p.back = "/intelligence";
  struct buf *b = &p.body;
  hf(b, "<h1 class=\"govuk-heading-l\">Groups in the network</h1><p class=\"govuk-body\">The whole network of recorded "
        "intelligence falls into groups: people, vehicles, phones, places, accounts and children more closely linked to "
        "each other than to the rest. Key people are those most often the link between others. Children are counted, "
        "and named only on the records open to you.</p>");
  char min_str[16];
  snprintf(min_str, sizeof min_str, "%d", min_size);
  hf(b, "<form method=\"get\" action=\"/network/clusters\" novalidate>");
  web_text_input(b, "min_size", "Smallest group to show", min_text ? min_text : min_str, "Number of members, 2 or more",
                 &errs, "off", "govuk-input--width-3");
  web_button(b, "Show the groups");
  hf(b, "</form>");
  if (out) {
    json_t *clusters = json_object_get(out, "clusters");
    hf(b, "<p class=\"govuk-body\" data-testid=\"clusters-summary\">The network holds %lld records and %lld links. %zu "
          "%r of %d or more.</p>",
       ji(out, "nodes"), ji(out, "edges"), json_array_size(clusters), json_array_size(clusters) == 1 ? "group has" : "groups have",
       min_size);
    size_t i;
    json_t *c;
    json_array_foreach(clusters, i, c) cluster_card(b, c);
  }
  page_send(r, &p, ferr_any(&errs) ? 422 : 200);
  json_decref(out);
  ferr_free(&errs);
}
