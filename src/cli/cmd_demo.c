/*
** safehub demo [--children N] [--seed S]: a synthetic borough to try Safehub
** with.  "Holmford" does not exist; its postcodes use the unissued area HF,
** its NHS numbers the 999 test range, and its people are drawn at random from
** name lists, so no record describes a real person.
**
** It makes an agency of every type, a user for every role (with a
** management chain up to the director, and random passwords that it prints
** once and saves beside an SQLite database for the quickstart), and N
** children aged 8 to 17 from many backgrounds, some of them looked after.
** Then, through the same use cases as the API, the borough's referrals,
** casework, risk assessments and intelligence (demo_*.c).
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sodium.h>
#include "audit/audit.h"
#include "cli/cli.h"
#include "core/child.h"
#include "service/casework_svc.h"
#include "service/intel.h"
#include "service/referrals.h"
#include "service/risk.h"
#include "service/service.h"
#include "store/store.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

/* Children per transaction: large batches, with a large page cache below, keep a million-child load to minutes. */
#define BATCH 20000

struct demo_opts {
  long children;
  uint64_t seed;
};

static int demo_opt(struct cli *c, int opt, const char *val, void *arg) {
  struct demo_opts *o = arg;
  char *end;
  if (opt == 'n') {
    o->children = strtol(val, &end, 10);
    if (*end || o->children < 0 || o->children > 5000000) {
      cli_error(c->name, "--children must be a whole number from 0 to 5000000");
      return EXIT_USAGE;
    }
    return EXIT_OK;
  }
  if (opt == 's') {
    o->seed = strtoull(val, &end, 10);
    if (*end) return EXIT_USAGE;
    return EXIT_OK;
  }
  return EXIT_USAGE;
}

/* xorshift64*: reproducible synthetic data for a given --seed (never for secrets). */
static uint64_t rng_state;
static uint64_t rnd(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 2685821657736338717ULL;
}
static int pick(int n) { return (int)(rnd() % (uint64_t)n); }
#define PICK(arr) (arr)[pick((int)(sizeof(arr) / sizeof((arr)[0])))]

struct heritage {
  const char *ethnicity;
  int weight;
  const char *const *girls;
  int ng;
  const char *const *boys;
  int nb;
  const char *const *surnames;
  int ns;
};

#define L(a) a, (int)(sizeof(a) / sizeof(a[0]))
static const char *const WB_G[] = {"Olivia", "Amelia", "Isla", "Ava", "Mia", "Grace", "Lily", "Freya", "Ella", "Poppy",
                                   "Chloe", "Jessica", "Holly", "Katie", "Megan", "Lauren", "Bethany", "Kayleigh", "Jade", "Courtney"};
static const char *const WB_B[] = {"Oliver", "George", "Harry", "Jack", "Charlie", "Thomas", "Jacob", "Alfie", "Riley", "Kyle",
                                   "Connor", "Liam", "Callum", "Reece", "Jordan", "Lewis", "Ryan", "Bradley", "Tyler", "Dylan"};
static const char *const WB_S[] = {"Smith", "Jones", "Taylor", "Brown", "Wilson", "Walker", "Wright", "Robinson", "Thompson",
                                   "Hughes", "Green", "Hall", "Wood", "Harris", "Clarke", "Jackson", "Turner", "Hill", "Moore",
                                   "Shaw", "Barker", "Ward", "Atkinson", "Holmes", "Firth", "Hirst", "Stringer"};
static const char *const PK_G[] = {"Aisha", "Fatima", "Maryam", "Zainab", "Hafsa", "Amina", "Sana", "Iqra", "Noor", "Mehwish", "Alisha", "Sumaya"};
static const char *const PK_B[] = {"Muhammad", "Mohammed", "Ali", "Hamza", "Ibrahim", "Yusuf", "Bilal", "Zain", "Adnan", "Imran", "Ayaan", "Haris"};
static const char *const PK_S[] = {"Khan", "Hussain", "Ahmed", "Ali", "Iqbal", "Akhtar", "Mahmood", "Rashid", "Shah", "Butt", "Qureshi", "Malik"};
static const char *const BD_G[] = {"Tahmina", "Nusrat", "Sumaiya", "Ruksana", "Shirin", "Farzana", "Jannat", "Tasnim"};
static const char *const BD_B[] = {"Abdul", "Rahim", "Sabbir", "Tanvir", "Shahid", "Rakib", "Arif", "Jamal"};
static const char *const BD_S[] = {"Miah", "Begum", "Uddin", "Rahman", "Islam", "Chowdhury", "Hoque", "Ali"};
static const char *const IN_G[] = {"Priya", "Anjali", "Simran", "Harleen", "Kiran", "Navdeep", "Pooja", "Riya"};
static const char *const IN_B[] = {"Arjun", "Harjit", "Rohan", "Gurpreet", "Vikram", "Jaspreet", "Sanjay", "Ravi"};
static const char *const IN_S[] = {"Patel", "Singh", "Kaur", "Sharma", "Gill", "Sandhu", "Mistry", "Chauhan"};
static const char *const BC_G[] = {"Shanice", "Jasmine", "Tia", "Leah", "Chantelle", "Keisha", "Aaliyah", "Renee"};
static const char *const BC_B[] = {"Marcus", "Tyrone", "Jermaine", "Andre", "Dwayne", "Kai", "Jaden", "Nathan"};
static const char *const BC_S[] = {"Campbell", "Brown", "Williams", "Francis", "Bailey", "Thomas", "Grant", "Henry"};
static const char *const BA_G[] = {"Blessing", "Chioma", "Amara", "Favour", "Precious", "Adaeze", "Hodan", "Faith"};
static const char *const BA_B[] = {"Emmanuel", "David", "Samuel", "Tobi", "Kwame", "Abdi", "Daniel", "Chinedu"};
static const char *const BA_S[] = {"Okafor", "Mensah", "Adeyemi", "Osei", "Mohamed", "Nwosu", "Abdi", "Boateng"};
static const char *const RO_G[] = {"Denisa", "Nikola", "Sabina", "Veronika", "Lucie", "Klaudia"};
static const char *const RO_B[] = {"Tomas", "Marek", "Patrik", "Lukas", "Roman", "David"};
static const char *const RO_S[] = {"Horvath", "Balog", "Lakatos", "Kovac", "Gabor", "Dudas"};
static const char *const IT_G[] = {"Bridget", "Margaret", "Kathleen", "Mary", "Nora", "Winnie"};
static const char *const IT_B[] = {"Patrick", "Michael", "John", "Martin", "Jimmy", "Christy"};
static const char *const IT_S[] = {"McDonagh", "Ward", "Joyce", "Connors", "Doherty", "Maughan"};
static const char *const WO_G[] = {"Zofia", "Julia", "Maja", "Oliwia", "Alicja", "Natalia", "Ieva", "Andreea"};
static const char *const WO_B[] = {"Jakub", "Kacper", "Szymon", "Filip", "Mateusz", "Oskar", "Andrei", "Tomasz"};
static const char *const WO_S[] = {"Nowak", "Kowalski", "Wisniewski", "Lewandowski", "Popescu", "Kazlauskas", "Zielinski"};
static const char *const CH_G[] = {"Mei", "Xinyi", "Yan", "Jia", "Lin"};
static const char *const CH_B[] = {"Wei", "Jun", "Hao", "Ming", "Jian"};
static const char *const CH_S[] = {"Wang", "Li", "Chen", "Zhang", "Liu", "Wong"};
static const char *const OO_G[] = {"Rojin", "Hana", "Leyla", "Dilan", "Zara"};
static const char *const OO_B[] = {"Karwan", "Rebin", "Omar", "Ahmad", "Hemin"};
static const char *const OO_S[] = {"Karimi", "Rahimi", "Hassan", "Abdullah", "Aziz"};

static const struct heritage HERITAGE[] = {
    {"WBRI", 62, L(WB_G), L(WB_B), L(WB_S)},  {"APKN", 9, L(PK_G), L(PK_B), L(PK_S)},
    {"ABAN", 2, L(BD_G), L(BD_B), L(BD_S)},   {"AIND", 2, L(IN_G), L(IN_B), L(IN_S)},
    {"BCRB", 2, L(BC_G), L(BC_B), L(BC_S)},   {"BAFR", 3, L(BA_G), L(BA_B), L(BA_S)},
    {"WROM", 3, L(RO_G), L(RO_B), L(RO_S)},   {"WIRT", 1, L(IT_G), L(IT_B), L(IT_S)},
    {"WOTH", 4, L(WO_G), L(WO_B), L(WO_S)},   {"CHNE", 1, L(CH_G), L(CH_B), L(CH_S)},
    {"OOTH", 2, L(OO_G), L(OO_B), L(OO_S)},   {"MWBC", 3, L(WB_G), L(BC_B), L(BC_S)},
    {"MWAS", 2, L(WB_G), L(PK_B), L(WB_S)},
};

static const char *const STREETS[] = {"Church Street", "Station Road", "Park Lane", "Mill Lane", "Canal Side", "Victoria Road",
                                      "Albert Terrace", "Moor View", "Clifton Grove", "Eastwood Lane", "Herringthorpe Close",
                                      "Wharf Street", "Sheffield Road", "Bridge Street", "Meadow Bank", "Holly Road"};
static const char *const SCHOOLS[] = {"Holmford Academy", "St Anne's Catholic High School", "Kestrel Vale School",
                                      "Canal Side Primary", "Moorgate Community School", "Holmford Pupil Referral Unit",
                                      "Eastwood Primary", "Brinsworth Lane School"};
static const char *const AUTHORITIES[] = {"Holmford", "Doncaster", "Sheffield", "Bradford", "Leeds", "Manchester"};
static const char *const PLACEMENT_CODES[] = {"U4", "U6", "K2", "U1", "H5", "U3"};
static const char *const LEGAL_CODES[] = {"C2", "V2", "C1"};

struct demo_agency {
  const char *code, *name, *type;
};
static const struct demo_agency AGENCIES[] = {
    {"HFP", "Holmford District Police", "police"},
    {"HFCSC", "Holmford Children's Social Care", "social_care"},
    {"HFNHS", "Holmford Health Partnership", "health"},
    {"HFEDU", "Holmford Schools", "education"},
    {"HFYJS", "Holmford Youth Justice Service", "youth_justice"},
    {"HFYPP", "Holmford Young People's Project", "voluntary"},
    {"HFHSG", "Holmford Housing", "housing"},
    {"HFLIC", "Holmford Licensing", "other"},
};

struct demo_user {
  const char *username, *name, *agency, *role, *manager;
};
/* Managers come before the people who report to them. */
static const struct demo_user USERS[] = {
    {"director", "Dana Okoro", "HFCSC", "director", NULL},
    {"manager", "Martin Firth", "HFCSC", "manager", "director"},
    {"mash", "Priya Sandhu", "HFCSC", "mash", "manager"},
    {"social.worker", "Sam Whitaker", "HFCSC", "social_worker", "manager"},
    {"cse.worker", "Ruth Adeyemi", "HFYPP", "cse_worker", "manager"},
    {"police", "DC Lee Barker", "HFP", "police", NULL},
    {"analyst", "Imran Qureshi", "HFP", "analyst", NULL},
    {"teacher", "Helen Shaw", "HFEDU", "referrer", NULL},
    {"nurse", "Grace Mensah", "HFNHS", "referrer", NULL},
    {"strategic", "Cllr Anne Holmes", "HFCSC", "strategic", NULL},
    {"auditor", "Keith Turner", "HFCSC", "auditor", NULL},
    {"admin", "Sysadmin Ola Nowak", "HFCSC", "admin", NULL},
};

static void new_password(char *out, size_t cap) {
  static const char *const words[] = {"amber", "birch", "cobalt", "delta", "ember", "fjord", "garnet", "harbour",
                                      "indigo", "juniper", "kestrel", "lantern", "meadow", "nutmeg", "orchard", "pebble",
                                      "quarry", "russet", "saffron", "thistle", "umber", "violet", "willow", "yarrow"};
  uint32_t a = randombytes_uniform(24), b = randombytes_uniform(24), c = randombytes_uniform(24);
  snprintf(out, cap, "%s-%s-%s-%02u", words[a], words[b], words[c], randombytes_uniform(100));
}

static uint64_t nhs_serial;
static void new_nhs(char out[11]) {
  /* 999 is the NHS test range: never a real patient. */
  for (;;) {
    uint64_t n = 999000000ULL + (nhs_serial++ % 1000000ULL) * 997ULL % 1000000ULL;
    char d[10];
    snprintf(d, sizeof d, "%09llu", (unsigned long long)n);
    int sum = 0;
    for (int i = 0; i < 9; i++) sum += (d[i] - '0') * (10 - i);
    int check = 11 - sum % 11;
    if (check == 11) check = 0;
    if (check == 10) continue;
    memcpy(out, d, 9);
    out[9] = (char)('0' + check);
    out[10] = '\0';
    return;
  }
}

static json_t *make_child(int64_t today) {
  int total = 0;
  for (size_t i = 0; i < sizeof HERITAGE / sizeof HERITAGE[0]; i++) total += HERITAGE[i].weight;
  int w = pick(total);
  const struct heritage *h = HERITAGE;
  while (w >= h->weight) w -= (h++)->weight;
  bool girl = pick(100) < 58; /* most children referred for CSE are girls, not all */
  const char *first = girl ? h->girls[pick(h->ng)] : h->boys[pick(h->nb)];
  const char *last = h->surnames[pick(h->ns)];
  int age = 8 + pick(10);
  int64_t dob = today - age * 365 - pick(365) - age / 4;
  char dob_s[ISO_DATE_LEN];
  date_format(dob, dob_s);
  const char *eth = h->ethnicity;
  int e = pick(100);
  if (e < 7) eth = "NOBT";
  else if (e < 9) eth = "REFU";
  char postcode[16], address[160], nhs[11];
  snprintf(postcode, sizeof postcode, "HF%d %d%c%c", 1 + pick(9), pick(10), "ABDEFGHJLNPQRSTUWXYZ"[pick(20)],
           "ABDEFGHJLNPQRSTUWXYZ"[pick(20)]);
  snprintf(address, sizeof address, "%d %s, Holmford", 1 + pick(180), PICK(STREETS));
  new_nhs(nhs);
  json_t *c = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "first_name", first, "last_name", last,
                        "date_of_birth", dob_s, "gender", girl ? "female" : "male", "ethnicity", eth, "address",
                        address, "postcode", postcode, "nhs_number", nhs, "school", PICK(SCHOOLS));
  json_t *aliases = json_array();
  if (pick(100) < 15) {
    char nick[64];
    snprintf(nick, sizeof nick, "%.*s", 3 + pick(2), first);
    json_array_append_new(aliases, json_string(nick));
  }
  json_object_set_new(c, "aliases", aliases);
  bool la = pick(100) < 12;
  json_object_set_new(c, "looked_after", json_boolean(la));
  if (la) {
    const char *host = PICK(AUTHORITIES);
    char start[ISO_DATE_LEN];
    date_format(today - 30 - pick(700), start);
    json_object_set_new(c, "placement",
                        json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "legal_status", PICK(LEGAL_CODES), "type",
                                  PICK(PLACEMENT_CODES), "start_date", start, "placing_authority", "Holmford",
                                  "host_authority", host, "out_of_area", strcmp(host, "Holmford") != 0));
  }
  return c;
}

static int load_children(struct cli *c, long n, const char **agency_ids, int nagencies) {
  int64_t now = time_now(), today = london_today(now);
  for (long done = 0; done < n;) {
    long end = done + BATCH < n ? done + BATCH : n;
    int rc = db_begin(c->db);
    struct audit_row **rows = xcalloc((size_t)(end - done), sizeof *rows);
    int nrows = 0;
    for (long i = done; i < end && rc == DB_OK; i++) {
      json_t *child = make_child(today);
      struct field_errors errs;
      ferr_init(&errs);
      if (!child_validate(child, false, today, &errs)) {
        char *why = json_dumps(errs.fields, JSON_COMPACT);
        cli_error("demo", "generated an invalid child: %s", why);
        free(why);
        rc = DB_ERROR;
      }
      ferr_free(&errs);
      char id[ID_MAX];
      ids_new("ch", id, sizeof id);
      if (rc == DB_OK) rc = store_child_insert(c->db, id, child, "demo", now);
      /* Schools know every child; some children are known to one or two other agencies too. */
      if (rc == DB_OK) rc = store_child_involve(c->db, id, agency_ids[3], "pupil", now);
      if (rc == DB_OK && pick(100) < 45) rc = store_child_involve(c->db, id, agency_ids[pick(nagencies)], "known to the agency", now);
      if (rc == DB_OK && pick(100) < 15) rc = store_child_involve(c->db, id, agency_ids[pick(nagencies)], "known to the agency", now);
      rows[nrows++] = req_audit_row(&c->req, "child.create", "child", id, "ok", NULL);
      json_decref(child);
    }
    if (rc == DB_OK) rc = audit_append_tx(c->db, rows, nrows);
    if (rc == DB_OK) rc = db_commit(c->db);
    audit_rows_free(rows, nrows);
    free(rows);
    if (rc != DB_OK) {
      db_rollback(c->db);
      cli_error("demo", "children: %s", db_error(c->db));
      return EXIT_RUNTIME;
    }
    done = end;
  }
  return EXIT_OK;
}

int cmd_demo(int argc, char **argv) {
  static const struct option opts[] = {{"children", required_argument, NULL, 'n'},
                                       {"seed", required_argument, NULL, 's'},
                                       {NULL, 0, NULL, 0}};
  struct demo_opts o = {300, 0};
  struct cli c;
  int rc = cli_parse(&c, "demo", argc, argv, NULL, opts, demo_opt, &o, "[--children N] [--seed S]");
  if (rc == EXIT_OK) rc = cli_open(&c, true);
  if (rc != EXIT_OK) {
    cli_close(&c);
    return rc;
  }
  if (db_kind(c.db) == DB_SQLITE) db_exec(c.db, "PRAGMA cache_size=-262144"); /* 256 MiB for the bulk load */
  rng_state = o.seed ? o.seed : (uint64_t)time_now() ^ 0x9E3779B97F4A7C15ULL;
  nhs_serial = rnd() % 1000000ULL;
  char err[512] = "";
  int applied = 0;
  if (store_migrate(c.db, &applied, err, sizeof err) != DB_OK) {
    cli_error("demo", "%s", err);
    cli_close(&c);
    return EXIT_RUNTIME;
  }
  int holidays = 0;
  char herr[512] = "";
  if (db_begin(c.db) != DB_OK || svc_holidays_seed(c.db, c.cfg.bank_holidays_file, &holidays, herr, sizeof herr) != DB_OK ||
      db_commit(c.db) != DB_OK) {
    db_rollback(c.db);
    cli_error("demo", "bank holidays: %s", herr[0] ? herr : db_error(c.db));
    cli_close(&c);
    return EXIT_RUNTIME;
  }
  if (audit_key_create(c.cfg.audit_key_file, err, sizeof err) < 0) {
    cli_error("demo", "audit key: %s", err);
    cli_close(&c);
    return EXIT_RUNTIME;
  }
  struct user existing;
  if (store_user_by_username(c.db, "director", &existing) == DB_ROW) {
    cli_error("demo", "this database already holds the demo; use a fresh one (--db)");
    cli_close(&c);
    return EXIT_REJECTED;
  }
  const char *agency_ids[sizeof AGENCIES / sizeof AGENCIES[0]];
  json_t *keep = json_array();
  for (size_t i = 0; i < sizeof AGENCIES / sizeof AGENCIES[0]; i++) {
    json_t *in = json_pack("{s:s,s:s,s:s}", "code", AGENCIES[i].code, "name", AGENCIES[i].name, "type", AGENCIES[i].type);
    struct field_errors errs;
    ferr_init(&errs);
    json_t *out = NULL;
    int s = svc_agency_create(&c.req, in, &errs, &out);
    json_decref(in);
    ferr_free(&errs);
    if (s != SVC_OK) {
      cli_error("demo", "agency %s: %s", AGENCIES[i].code, db_error(c.db));
      json_decref(keep);
      cli_close(&c);
      return EXIT_RUNTIME;
    }
    json_array_append_new(keep, out);
    agency_ids[i] = json_string_value(json_object_get(out, "id"));
  }
  struct buf logins = BUF_INIT;
  buf_printf(&logins, "%-15s %-28s %-14s %s\n", "USERNAME", "PASSWORD", "ROLE", "AGENCY");
  for (size_t i = 0; i < sizeof USERS / sizeof USERS[0]; i++) {
    char pw[64];
    new_password(pw, sizeof pw);
    json_t *in = json_pack("{s:s,s:s,s:s,s:s,s:s?,s:s}", "username", USERS[i].username, "name", USERS[i].name, "agency",
                           USERS[i].agency, "role", USERS[i].role, "manager", USERS[i].manager, "password", pw);
    struct field_errors errs;
    ferr_init(&errs);
    json_t *out = NULL;
    int s = svc_user_create(&c.req, in, &errs, &out);
    json_decref(in);
    json_decref(out);
    if (s != SVC_OK) {
      char *why = json_dumps(errs.fields, JSON_COMPACT);
      cli_error("demo", "user %s: %s", USERS[i].username, s == SVC_ERROR ? db_error(c.db) : why);
      free(why);
      ferr_free(&errs);
      json_decref(keep);
      buf_free(&logins);
      cli_close(&c);
      return EXIT_RUNTIME;
    }
    ferr_free(&errs);
    buf_printf(&logins, "%-15s %-28s %-14s %s%s\n", USERS[i].username, pw, USERS[i].role, USERS[i].agency,
               config_role_needs_totp(&c.cfg, USERS[i].role) ? "  (sets up an authenticator app at first sign-in)" : "");
    sodium_memzero(pw, sizeof pw);
  }
  rc = load_children(&c, o.children, agency_ids, (int)(sizeof AGENCIES / sizeof AGENCIES[0]));
  json_decref(keep);
  /* The front door, casework and risk stories, on the children just made. */
  uint64_t story_seed = o.seed ? o.seed : rng_state;
  long nref = o.children / 4 < 20000 ? o.children / 4 : 20000;
  if (rc == EXIT_OK) rc = demo_referrals(&c, story_seed, (int)nref);
  if (rc == EXIT_OK) rc = demo_casework(&c, story_seed);
  if (rc == EXIT_OK) rc = demo_risk(&c, story_seed);
  if (rc == EXIT_OK) rc = demo_intel(&c, story_seed);
  if (rc == EXIT_OK) {
    printf("Demo borough of Holmford loaded: %zu agencies, %zu users, %ld children.\n\nDemo logins:\n%s",
           sizeof AGENCIES / sizeof AGENCIES[0], sizeof USERS / sizeof USERS[0], o.children, buf_cstr(&logins));
    if (!db_dsn_is_postgres(c.cfg.db)) {
      char path[4200];
      snprintf(path, sizeof path, "%s.logins.txt", c.cfg.db);
      FILE *f = fopen(path, "w");
      if (f) {
        chmod(path, 0600);
        fputs(buf_cstr(&logins), f);
        fclose(f);
        printf("\n(The logins are also in %s, readable only by you.)\n", path);
      }
    }
  }
  sodium_memzero(logins.data, logins.len);
  buf_free(&logins);
  cli_close(&c);
  return rc;
}
