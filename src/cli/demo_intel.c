/*
** The demo borough's intelligence, for `safehub demo` (after the risk
** assessments, whose levels it reads): three groups of four to eight
** adults, each with the vehicles, phones, online accounts and places they
** use (takeaways, a hotel, a taxi firm, a park, a house and others), linked
** by graded intelligence to some of the children assessed at high or medium
** risk of sexual exploitation, and a little unconnected noise besides.
**
** Everything is recorded through the same use cases as the API
** (svc_entity_create and svc_intel_create), acting as the demo's police
** officer, analyst, CSE worker and MASH worker, so it is validated, graded,
** on each linked child's chronology and audited like real work.  Most items
** are graded 3x5x2, some with handling conditions (C), and a few older ones
** 5x5x5.  As in real data, the self-defined ethnicity, observed ethnicity or
** nationality of some people is "not_known".
**
** No record describes a real person or thing: the names are drawn from
** lists, phone numbers are in Ofcom's range for drama (07700 900000 to
** 900999), registrations carry the age identifier "00" (not issued before
** 2050), places are in the unissued postcode area HF, and account handles
** are made up.  Deterministic for a seed and set of children.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit/audit.h"
#include "cli/cli.h"
#include "core/risk_tool.h"
#include "service/intel.h"
#include "service/service.h"
#include "store/report_store.h"
#include "store/store.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define DAY 86400
#define GROUPS 3
#define GROUP_PEOPLE_MAX 8
#define GROUP_CHILDREN_MAX 4
#define DEMO_AT_RISK 24 /* children at medium or high risk looked at, at most */

enum { POLICE, ANALYST, CSE, MASH, ACTORS };
static const char *const ACTOR_NAMES[ACTORS] = {"police", "analyst", "cse.worker", "mash"};

struct demo {
  struct cli *c;
  uint64_t rng;
  int64_t now;
  struct req as[ACTORS];
  int entities, existing, items, failures;
  int phone_serial; /* numbers are handed out in turn, so no two people share one by chance */
};

/* xorshift64*: the demo's choices for a seed (never for secrets). */
static uint64_t next(struct demo *d) {
  d->rng ^= d->rng >> 12;
  d->rng ^= d->rng << 25;
  d->rng ^= d->rng >> 27;
  return d->rng * 2685821657736338717ULL;
}

/* A whole number in 0 .. N-1. */
static int pick(struct demo *d, int n) { return n > 0 ? (int)(next(d) % (uint64_t)n) : 0; }
#define PICK(d, arr) (arr)[pick((d), (int)(sizeof(arr) / sizeof((arr)[0])))]

/* Where people named in intelligence come from: their codes, and names to draw from. */
struct heritage {
  int weight;
  const char *self, *observed;     /* ONS 2021 and IC codes */
  const char *nationality[3];      /* drawn from; NULL-padded */
  const char *first[8], *last[8];  /* NULL-padded */
};

static const struct heritage HERITAGE[] = {
    {40, "W1", "IC1", {"GB", NULL, NULL}, {"Darren", "Wayne", "Craig", "Shaun", "Dean", "Karl", "Lee", "Gary"},
     {"Hollinrake", "Pickersgill", "Bramall", "Staniforth", "Ackroyd", "Fenwick", "Sowerby", "Crowther"}},
    {22, "A4", "IC4", {"GB", "GB", "PK"}, {"Tariq", "Sajid", "Asif", "Zubair", "Naveed", "Shazad", "Kamran", "Waqas"},
     {"Rafiq", "Mirza", "Anwar", "Javed", "Bashir", "Nazir", "Sadiq", "Latif"}},
    {12, "W5", "IC2", {"PL", "RO", "LT"}, {"Dawid", "Marius", "Lukasz", "Vasile", "Tomas", "Florin", "Piotr", "Adrian"},
     {"Wojcik", "Ionescu", "Petrauskas", "Mazur", "Dumitru", "Jankowski", "Vaitkus", "Stan"}},
    {10, "B2", "IC3", {"GB", "JM", NULL}, {"Delroy", "Marlon", "Clive", "Leon", "Errol", "Winston", NULL, NULL},
     {"Gayle", "Spence", "Ricketts", "Morrison", "Campbell-Reid", "Lindo", NULL, NULL}},
    {8, "O2", "IC6", {"IQ", "IR", "GB"}, {"Rebwar", "Dilshad", "Hawre", "Karwan", "Soran", NULL, NULL, NULL},
     {"Karim", "Salih", "Mahmud", "Qadir", "Rasul", NULL, NULL, NULL}},
    {8, "M3", "IC3", {"GB", NULL, NULL}, {"Jerome", "Tyler", "Kieran", "Reece", NULL, NULL, NULL, NULL},
     {"Haigh", "Bentley", "Oakes", "Mellor", NULL, NULL, NULL, NULL}},
};
static const char *const WOMEN[] = {"Donna", "Tracey", "Kelly", "Samina", "Agnieszka", "Marcia"};

/* How many non-NULL entries the first MAX of LIST hold. */
static int present(const char *const *list, int max) {
  int n = 0;
  while (n < max && list[n]) n++;
  return n;
}

struct place_plan {
  const char *name, *kind, *address, *postcode;
};
/* Each group's places; the first is where the group works or meets, the last where it takes children. */
static const struct place_plan PLACES[GROUPS][4] = {
    {{"Canal Side Pizza", "takeaway", "4 Canal Side, Holmford", "HF2 4QT"},
     {"Eastwood Park", "park", "Eastwood Lane, Holmford", "HF6 1BD"},
     {"Flat above 22 Wharf Street", "home", "Flat 1, 22 Wharf Street, Holmford", "HF1 3WS"},
     {NULL, NULL, NULL, NULL}},
    {{"Moorgate Private Hire", "taxi_firm", "Unit 3, Moorgate Yard, Holmford", "HF3 7NY"},
     {"Golden Fryer", "takeaway", "51 Mill Lane, Holmford", "HF3 2NL"},
     {"Station Road Lodge", "hotel", "118 Station Road, Holmford", "HF1 9SR"},
     {NULL, NULL, NULL, NULL}},
    {{"The Kestrel Inn", "licensed_premises", "2 Bridge Street, Holmford", "HF4 6BS"},
     {"Victoria Road car park", "car_park", "Victoria Road, Holmford", "HF4 1WR"},
     {"Holmford Central Hotel", "hotel", "9 Albert Terrace, Holmford", "HF1 2AT"},
     {"12 Clifton Grove", "home", "12 Clifton Grove, Holmford", "HF5 8GG"}},
};

static const char *const MAKES[][2] = {{"Vauxhall", "Astra"}, {"Ford", "Focus"}, {"BMW", "3 Series"},
                                       {"Volkswagen", "Golf"}, {"Toyota", "Prius"}, {"Audi", "A3"},
                                       {"Skoda", "Octavia"}, {"Mercedes-Benz", "C-Class"}};
static const char *const COLOURS[] = {"Silver", "Black", "White", "Grey", "Blue", "Red"};
static const char *const PLATFORMS[] = {"snapchat", "instagram", "whatsapp", "tiktok"};
static const char *const HANDLE_WORDS[] = {"northside", "kingpin", "hfboy", "ghost", "rider", "legend", "vibes", "boss"};
static const char *const CONDITIONS[] = {
    "Not to be disclosed outside the MASH and children's social care without the agreement of the police intelligence unit.",
    "The source must not be identifiable: do not share the time or place of the sighting with the family.",
    "For safeguarding use only; not to be used in evidence without the originating officer's agreement.",
};

/* Reports a use case that refused the demo's data (a fault in the demo) and counts it. */
static void check(struct demo *d, int rc, struct field_errors *errs, const char *what) {
  if (rc == SVC_OK) return;
  char *why = errs && ferr_any(errs) ? json_dumps(errs->fields, JSON_COMPACT) : NULL;
  cli_error("demo", "intelligence: %s: %s", what, why ? why : rc == SVC_ERROR ? db_error(d->c->db) : "refused");
  free(why);
  d->failures++;
}

/* Records entity IN (stolen) as actor WHO; its id into ID ("" when refused). */
static void entity(struct demo *d, int who, json_t *in, char id[ID_MAX]) {
  struct field_errors errs;
  ferr_init(&errs);
  json_t *out = NULL;
  bool existed = false;
  int rc = svc_entity_create(&d->as[who], in, &errs, &out, &existed);
  check(d, rc, &errs, "an entity");
  const char *got = json_string_value(json_object_get(out, "id"));
  snprintf(id, ID_MAX, "%s", rc == SVC_OK && got ? got : "");
  if (rc == SVC_OK) {
    if (existed) d->existing++;
    else d->entities++;
  }
  json_decref(out);
  json_decref(in);
  ferr_free(&errs);
}

/* A link from FROM to TO, or nothing when either end was refused. */
static void link_to(json_t *links, const char *from, const char *to, const char *relation) {
  if (from && *from && to && *to && strcmp(from, to) != 0)
    json_array_append_new(links, json_pack("{s:s,s:s,s:s}", "from", from, "to", to, "relation", relation));
}

/*
** Grades IN: mostly 3x5x2 and lawful to share (P), about one in five with
** conditions (C), and with LEGACY the older 5x5x5 as it was recorded.
*/
static void grade(struct demo *d, json_t *in, bool legacy) {
  if (legacy) {
    static const char *const SRC[] = {"A", "B", "B", "C"}, *const INT[] = {"1", "2", "2", "3"};
    bool conditioned = pick(d, 3) == 0;
    json_object_set_new(in, "grading", json_string("5x5x5"));
    json_object_set_new(in, "source_evaluation", json_string(PICK(d, SRC)));
    json_object_set_new(in, "intelligence_assessment", json_string(PICK(d, INT)));
    json_object_set_new(in, "handling_code", json_string(conditioned ? "4" : pick(d, 2) ? "1" : "2"));
    if (conditioned) json_object_set_new(in, "handling_conditions", json_string(PICK(d, CONDITIONS)));
    return;
  }
  static const char *const SRC[] = {"1", "2", "2", "2", "3"}, *const INT[] = {"A", "B", "B", "C", "C", "D"};
  bool conditioned = pick(d, 5) == 0;
  json_object_set_new(in, "source_evaluation", json_string(PICK(d, SRC)));
  json_object_set_new(in, "intelligence_assessment", json_string(PICK(d, INT)));
  json_object_set_new(in, "handling_code", json_string(conditioned ? "C" : "P"));
  if (conditioned) json_object_set_new(in, "handling_conditions", json_string(PICK(d, CONDITIONS)));
}

/* Whether actor WHO may open child ID (a link to a child the recorder may not open is refused). */
static bool may_open(struct demo *d, int who, const char *id) {
  bool visible = false;
  return svc_child_access(&d->as[who], id, &visible) == SVC_OK && visible;
}

/*
** Records an item of intelligence as actor WHO: SUMMARY, LINKS (stolen;
** nothing is recorded when a refused entity left it empty), something seen
** DAYS_AGO days ago, graded by grade().  An item linking a child the actor
** may not open is recorded by the MASH (who may open every child) instead.
*/
static void item(struct demo *d, int who, const char *summary, json_t *links, int days_ago, bool legacy) {
  if (json_array_size(links) == 0) {
    json_decref(links);
    return;
  }
  size_t i;
  json_t *l;
  json_array_foreach(links, i, l) {
    for (int e = 0; e < 2; e++) {
      const char *end = json_string_value(json_object_get(l, e ? "to" : "from"));
      if (end && !strncmp(end, "ch_", 3) && !may_open(d, who, end)) who = MASH;
    }
  }
  json_t *in = json_pack("{s:s,s:o}", "summary", summary, "links", links);
  grade(d, in, legacy);
  char at[ISO_DATE_LEN];
  date_format(london_today(d->now) - days_ago, at);
  json_object_set_new(in, "occurred_at", json_string(at));
  struct field_errors errs;
  ferr_init(&errs);
  json_t *out = NULL;
  int rc = svc_intel_create(&d->as[who], in, &errs, &out);
  check(d, rc, &errs, "an item of intelligence");
  if (rc == SVC_OK) d->items++;
  json_decref(out);
  json_decref(in);
  ferr_free(&errs);
}

/* A person of the heritage drawn for them, with some of their ethnicity or nationality not known. */
static json_t *person(struct demo *d, bool woman) {
  int total = 0;
  for (size_t i = 0; i < sizeof HERITAGE / sizeof HERITAGE[0]; i++) total += HERITAGE[i].weight;
  int w = pick(d, total);
  const struct heritage *h = HERITAGE;
  while (w >= h->weight) w -= (h++)->weight;
  const char *first = woman ? PICK(d, WOMEN) : h->first[pick(d, present(h->first, 8))];
  const char *last = h->last[pick(d, present(h->last, 8))];
  /* Real records often lack these: self-defined ethnicity most of all, as the 2025 national audit found. */
  const char *self = pick(d, 100) < 45 ? "not_known" : h->self;
  const char *observed = pick(d, 100) < 15 ? "not_known" : h->observed;
  const char *nationality = pick(d, 100) < 30 ? "not_known" : h->nationality[pick(d, present(h->nationality, 3))];
  json_t *p = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "type", "person", "first_name", first, "last_name", last,
                        "gender", woman ? "female" : "male", "ethnicity_self", self, "ethnicity_observed", observed,
                        "nationality", nationality);
  if (pick(d, 3) == 0) {
    char dob[ISO_DATE_LEN];
    int64_t years = 20 + pick(d, 30), days = pick(d, 365);
    date_format(london_today(d->now) - years * 365 - days, dob);
    json_object_set_new(p, "date_of_birth", json_string(dob));
  } else {
    json_object_set_new(p, "approximate_age", json_integer(19 + pick(d, 36)));
  }
  if (pick(d, 3) == 0) {
    static const char *const NICKNAMES[] = {"Biggie", "Taz", "Smiler", "Jay", "Mo", "Deano", "Flash", "Uncle"};
    json_object_set_new(p, "aliases", json_pack("[s]", PICK(d, NICKNAMES)));
  }
  if (pick(d, 2) == 0) {
    char pc[16];
    static const char UNITS[] = "ABDEFGHJLNPQRSTUWXYZ";
    int district = 1 + pick(d, 9), sector = pick(d, 10), u1 = pick(d, 20), u2 = pick(d, 20);
    snprintf(pc, sizeof pc, "HF%d %d%c%c", district, sector, UNITS[u1], UNITS[u2]);
    json_object_set_new(p, "postcode", json_string(pc));
  }
  return p;
}

/* A vehicle with a registration that cannot have been issued (age identifier "00"). */
static json_t *vehicle(struct demo *d) {
  char reg[16];
  static const char L[] = "ABCDEFGHJKLMNPRSTUVWXYZ";
  int l1 = pick(d, 23), l2 = pick(d, 23), l3 = pick(d, 23);
  snprintf(reg, sizeof reg, "HF00 %c%c%c", L[l1], L[l2], L[l3]);
  int m = pick(d, (int)(sizeof MAKES / sizeof MAKES[0]));
  return json_pack("{s:s,s:s,s:s,s:s,s:s}", "type", "vehicle", "registration", reg, "make", MAKES[m][0], "model",
                   MAKES[m][1], "colour", PICK(d, COLOURS));
}

/* A mobile number in Ofcom's drama range (07700 900000 to 900999), never a real line. */
static json_t *phone(struct demo *d) {
  char number[24];
  snprintf(number, sizeof number, "07700 900%03d", d->phone_serial);
  d->phone_serial = (d->phone_serial + 37) % 1000;
  return json_pack("{s:s,s:s}", "type", "phone", "number", number);
}

/* An online account with a made-up handle. */
static json_t *account(struct demo *d) {
  char handle[64];
  const char *w1 = PICK(d, HANDLE_WORDS), *w2 = PICK(d, HANDLE_WORDS);
  int n = pick(d, 100);
  snprintf(handle, sizeof handle, "%s_%s%02d", w1, w2, n);
  return json_pack("{s:s,s:s,s:s}", "type", "online_account", "platform", PICK(d, PLATFORMS), "handle", handle);
}

/* The place P as an entity. */
static json_t *place(const struct place_plan *p) {
  return json_pack("{s:s,s:s,s:s,s:s,s:s}", "type", "location", "name", p->name, "kind", p->kind, "address", p->address,
                   "postcode", p->postcode);
}

/* One group: its people, what they use, where they go, and the children it is linked to (KIDS, N of them). */
static void group(struct demo *d, int g, char *const *kids, int nkids) {
  char people[GROUP_PEOPLE_MAX][ID_MAX], cars[3][ID_MAX], phones[GROUP_PEOPLE_MAX][ID_MAX], accounts[2][ID_MAX];
  char places[4][ID_MAX];
  int np = 4 + pick(d, 5), nc = 2 + pick(d, 2), nph = np / 2 + 1, na = 1 + pick(d, 2), npl = 0;
  for (int i = 0; i < np; i++) entity(d, i % 3 == 2 ? ANALYST : POLICE, person(d, i == np - 1 && pick(d, 3) == 0), people[i]);
  for (int i = 0; i < nc; i++) entity(d, POLICE, vehicle(d), cars[i]);
  for (int i = 0; i < nph; i++) entity(d, ANALYST, phone(d), phones[i]);
  for (int i = 0; i < na; i++) entity(d, CSE, account(d), accounts[i]);
  for (; npl < 4 && PLACES[g][npl].name; npl++) entity(d, POLICE, place(&PLACES[g][npl]), places[npl]);
  /* The CSE worker records the group's first place too: the one record already there is the answer. */
  char again[ID_MAX];
  entity(d, CSE, place(&PLACES[g][0]), again);

  /* Who knows whom: a chain through the group, and the first two known to everyone. */
  for (int i = 0; i + 1 < np; i += 2) {
    json_t *links = json_array();
    link_to(links, people[i], people[i + 1], "associates_with");
    if (i + 2 < np) link_to(links, people[i + 1], people[i + 2], "associates_with");
    if (i > 0) link_to(links, people[0], people[i], "associates_with");
    int actor = pick(d, 2) ? POLICE : ANALYST, days_ago = 20 + pick(d, 200);
    bool legacy = pick(d, 4) == 0;
    item(d, actor,
         "Officers on patrol saw these adults together on several evenings, sitting in parked cars and moving between "
         "addresses. They appeared to know each other well.",
         links, days_ago, legacy);
  }
  if (np > 3) {
    json_t *links = json_array();
    link_to(links, people[1], people[np - 1], "family_of");
    item(d, ANALYST, "Housing records and a council tax search show the two adults share a surname and an address history.",
         links, 60 + pick(d, 200), false);
  }
  /* Vehicles and who drives them, and where they are seen. */
  for (int i = 0; i < nc; i++) {
    json_t *links = json_array();
    link_to(links, people[pick(d, np)], cars[i], i == 0 ? "owns" : "drives");
    link_to(links, people[pick(d, np)], cars[i], "drives");
    link_to(links, cars[i], places[pick(d, npl)], "seen_at");
    int days_ago = 10 + pick(d, 250);
    bool legacy = pick(d, 5) == 0;
    item(d, POLICE,
         "The vehicle was checked by ANPR and seen parked late at night at the place linked below. Different adults "
         "were seen driving it.",
         links, days_ago, legacy);
  }
  /* Phones and accounts, and who uses them. */
  for (int i = 0; i < nph; i++) {
    json_t *links = json_array();
    link_to(links, people[(i * 2) % np], phones[i], "uses");
    if (i > 0) link_to(links, phones[i], phones[0], "contacted");
    item(d, ANALYST, "Call data shows the number in frequent contact with the others linked here, mostly between 22:00 and 03:00.",
         links, 15 + pick(d, 200), false);
  }
  for (int i = 0; i < na; i++) {
    json_t *links = json_array();
    link_to(links, people[pick(d, np)], accounts[i], "uses");
    item(d, CSE, "A young person showed the youth worker messages from this account offering lifts and \"free food\".",
         links, 5 + pick(d, 120), false);
  }
  /* Where the group works, lives and meets. */
  {
    json_t *links = json_array();
    const char *kind0 = PLACES[g][0].kind;
    link_to(links, people[0], places[0], !strcmp(kind0, "takeaway") || !strcmp(kind0, "taxi_firm") ? "works_at" : "frequents");
    link_to(links, people[1], places[0], "frequents");
    for (int i = 1; i < npl; i++) {
      const char *rel = !strcmp(PLACES[g][i].kind, "home") ? "lives_at" : "frequents";
      link_to(links, people[(i + 1) % np], places[i], rel);
    }
    item(d, POLICE, "Licensing and neighbourhood officers report the adults linked here use these premises late at night, "
                    "with young people coming and going.",
         links, 30 + pick(d, 150), false);
  }
  /* The children: whom the group is suspected of exploiting, and how. */
  static const char *const HOW[] = {"transported", "gave_gifts_to", "supplied_drugs_or_alcohol_to", "contacted"};
  static const char *const SEEN[] = {
      "A girl aged about 14 was seen getting into the vehicle linked below near her school at the end of the day. "
      "The driver was an older male.",
      "The child came back from a missing episode with a new phone and clothes and would not say where they came from.",
      "Staff at the premises linked below reported a young person arriving late at night with an adult man who paid "
      "in cash.",
      "Outreach workers saw the child at the premises linked below after midnight with adults who are not family.",
  };
  for (int k = 0; k < nkids; k++) {
    json_t *links = json_array();
    int who = pick(d, np);
    link_to(links, people[who], kids[k], "suspected_of_exploiting");
    link_to(links, people[(who + 1) % np], kids[k], PICK(d, HOW));
    link_to(links, cars[pick(d, nc)], kids[k], "transported");
    link_to(links, kids[k], places[npl - 1], "seen_at");
    if (k == 0) link_to(links, phones[0], kids[k], "contacted");
    if (k == 1 && na > 0) link_to(links, accounts[0], kids[k], "contacted");
    item(d, k % 2 ? CSE : MASH, SEEN[(g + k) % 4], links, 3 + pick(d, 90), false);
  }
}

/* Records that tie to nothing: what any real intelligence picture also holds. */
static void noise(struct demo *d) {
  char p1[ID_MAX], p2[ID_MAX], v1[ID_MAX], v2[ID_MAX], ph[ID_MAX], pl[ID_MAX];
  entity(d, POLICE, person(d, false), p1);
  entity(d, ANALYST, person(d, true), p2);
  entity(d, POLICE, vehicle(d), v1);
  entity(d, POLICE, vehicle(d), v2);
  entity(d, ANALYST, phone(d), ph);
  static const struct place_plan SHOP = {"Holly Road late shop", "shop", "31 Holly Road, Holmford", "HF7 3HR"};
  entity(d, POLICE, place(&SHOP), pl);
  json_t *links = json_array();
  link_to(links, p1, ph, "uses");
  item(d, ANALYST, "A caller to the non-emergency line gave this number for a man she said was bothering her daughter's "
                   "friends; no further information.",
       links, 40 + pick(d, 100), false);
  links = json_array();
  link_to(links, v1, pl, "seen_at");
  item(d, POLICE, "The vehicle was seen parked outside the shop for several hours; the owner was spoken to and gave an "
                  "innocent account.",
       links, 100 + pick(d, 200), true);
}

/*
** Loads the demo's intelligence into the database C has open, after the
** agencies, users, children and risk assessments.  SEED fixes the choices.
** Returns EXIT_OK (also, doing nothing, when the demo's users are not there),
** or EXIT_RUNTIME after saying what failed.
*/
int demo_intel(struct cli *c, uint64_t seed) {
  struct demo d;
  memset(&d, 0, sizeof d);
  d.c = c;
  d.rng = (seed ? seed : 1) ^ 0x94D049BB133111EBULL;
  d.now = time_now();
  d.phone_serial = pick(&d, 1000);
  for (int i = 0; i < ACTORS; i++) {
    int rc = cli_act_as(c, ACTOR_NAMES[i], &d.as[i]);
    if (rc != 0) return rc > 0 ? EXIT_OK : EXIT_RUNTIME;
  }
  /* The children the groups are linked to: some of those at medium or high risk now. */
  int medium = risk_tool_level_index(&c->app.risk_tool, "medium");
  char **kids = NULL;
  int nkids = 0;
  if (medium >= 0 && store_report_children_at_risk(c->db, medium, DEMO_AT_RISK, &kids, &nkids) != DB_OK) {
    cli_error("demo", "intelligence: %s", db_error(c->db));
    return EXIT_RUNTIME;
  }
  /* A synthetic borough needs no power-loss durability while it loads: no flush to disk at each commit. */
  db_exec(c->db, db_kind(c->db) == DB_SQLITE ? "PRAGMA synchronous=NORMAL" : "SET synchronous_commit = off");
  int next_kid = 0;
  for (int g = 0; g < GROUPS; g++) {
    char *mine[GROUP_CHILDREN_MAX];
    int n = 0, want = 2 + pick(&d, 3);
    while (n < want && next_kid < nkids) mine[n++] = kids[next_kid++];
    /* One child is known to two groups: groups pass children between them. */
    if (g == GROUPS - 1 && n < GROUP_CHILDREN_MAX && nkids > 0 && n > 0 && strcmp(mine[0], kids[0]) != 0) mine[n++] = kids[0];
    group(&d, g, mine, n);
  }
  noise(&d);
  db_exec(c->db, db_kind(c->db) == DB_SQLITE ? "PRAGMA synchronous=FULL" : "SET synchronous_commit = on");
  store_free_ids(kids, nkids);
  int rc = cli_flush_audit(c->db, d.as, ACTORS);
  if (rc != DB_OK) {
    cli_error("demo", "intelligence: audit: %s", db_error(c->db));
    return EXIT_RUNTIME;
  }
  if (d.failures) return EXIT_RUNTIME;
  printf("Intelligence: %d people, vehicles, phones, places and accounts (%d recorded again by another agency), "
         "%d items in %d groups.\n",
         d.entities, d.existing, d.items, GROUPS);
  return EXIT_OK;
}
