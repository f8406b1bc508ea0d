/*
** The demo borough's casework, for `safehub demo`: lead workers and teams
** for some children, case notes (some with the child's own words and risk
** indicators), missing episodes (a child flagged for going missing three
** times in weeks, return-home interviews held, declined, due and overdue, a
** child missing now), a multi-agency CSE meeting and a strategy discussion
** with actions (one overdue, one done), and referrals to support services.
**
** Everything goes through the same use cases as the web pages and the API,
** acting as the demo's users, so it is validated, on the clock, in each
** child's chronology and audited like real work.  Times are relative to now;
** which children, and the small variations, are fixed by the seed.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit/audit.h"
#include "cli/cli.h"
#include "service/casework_svc.h"
#include "service/service.h"
#include "store/casework_store.h"
#include "store/store.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define H 3600
#define DAY 86400
#define DEMO_CHILDREN 16

struct demo {
  struct cli *c;
  uint64_t rng;
  int64_t now;
  struct req as[6]; /* manager, social worker, CSE worker, police, teacher, MASH */
  char **kids;
  int nkids;
  int failures;
};

enum { MGR, SW, CSE, POLICE, TEACHER, MASH };
static const char *const ACTORS[] = {"manager", "social.worker", "cse.worker", "police", "teacher", "mash"};

/* xorshift64*: the demo's variations for a seed (never for secrets). */
static uint64_t next(struct demo *d) {
  d->rng ^= d->rng >> 12;
  d->rng ^= d->rng << 25;
  d->rng ^= d->rng >> 27;
  return d->rng * 2685821657736338717ULL;
}

/* A whole number in 0 .. N-1. */
static int pick(struct demo *d, int n) { return (int)(next(d) % (uint64_t)n); }

/* The instant SECONDS_AGO before the demo's "now", moved by up to JITTER seconds either way. */
static const char *ago(struct demo *d, int64_t seconds_ago, int64_t jitter, char out[ISO_TIME_LEN]) {
  int64_t j = jitter ? (int64_t)(next(d) % (uint64_t)(2 * jitter + 1)) - jitter : 0;
  time_format_iso(d->now - seconds_ago + j, out);
  return out;
}

/* The UK calendar date DAYS from today. */
static const char *day_from_today(struct demo *d, int days, char out[ISO_DATE_LEN]) {
  date_format(london_today(d->now) + days, out);
  return out;
}

/* Reports a use case that refused the demo's data (a fault in the demo) and counts it. */
static void check(struct demo *d, int rc, struct field_errors *errs, const char *what) {
  if (rc == SVC_OK) return;
  char *why = errs && ferr_any(errs) ? json_dumps(errs->fields, JSON_COMPACT) : NULL;
  cli_error("demo", "casework: %s: %s", what, why ? why : rc == SVC_ERROR ? db_error(d->c->db) : "refused");
  free(why);
  d->failures++;
}

/* Runs a change use case FN for child or record ID with IN (stolen); returns the new record's "id" into OUT_ID if given. */
static void change(struct demo *d, int who, int (*fn)(struct req *, const char *, json_t *, struct field_errors *, json_t **),
                   const char *id, json_t *in, const char *what, char out_id[ID_MAX]) {
  struct field_errors errs;
  ferr_init(&errs);
  json_t *out = NULL;
  int rc = fn(&d->as[who], id, in, &errs, &out);
  check(d, rc, &errs, what);
  if (out_id) snprintf(out_id, ID_MAX, "%s", rc == SVC_OK && json_string_value(json_object_get(out, "id")) ? json_string_value(json_object_get(out, "id")) : "");
  json_decref(out);
  json_decref(in);
  ferr_free(&errs);
}

/* Allocates child K to WORKER in TEAM, as the manager. */
static void allocate(struct demo *d, int k, const char *worker, const char *team) {
  struct field_errors errs;
  ferr_init(&errs);
  json_t *in = json_pack("{s:s,s:s}", "worker", worker, "team", team), *out = NULL;
  bool created;
  check(d, svc_allocate(&d->as[MGR], d->kids[k], in, &errs, &out, &created), &errs, "allocation");
  json_decref(out);
  json_decref(in);
  ferr_free(&errs);
}

/* Records a missing episode of child K by WHO; RETURNED_AGO < 0 means the child is still missing.  Its id into ID. */
static void episode(struct demo *d, int who, int k, int64_t went_ago, int64_t returned_ago, bool police, const char *where,
                    const char *with, char id[ID_MAX]) {
  char went[ISO_TIME_LEN], back[ISO_TIME_LEN];
  json_t *in = json_pack("{s:s,s:b}", "went_missing_at", ago(d, went_ago, 0, went), "reported_to_police", police);
  if (returned_ago >= 0) json_object_set_new(in, "returned_at", json_string(ago(d, returned_ago, 0, back)));
  if (where && returned_ago >= 0) json_object_set_new(in, "where_found", json_string(where));
  if (with) json_object_set_new(in, "with_whom", json_string(with));
  change(d, who, svc_missing_create, d->kids[k], in, "missing episode", id);
}

/*
** Records, as WHO, the return-home interview of episode ID: held by an
** independent CSE worker (ACCOUNT, the child's words) or declined (REASON),
** DONE_AGO seconds ago.
*/
static void interview(struct demo *d, int who, const char *id, const char *account, const char *reason, int64_t done_ago) {
  char at[ISO_TIME_LEN];
  json_t *in = account ? json_pack("{s:s,s:b,s:s,s:s}", "conducted_by", "Ruth Adeyemi, Holmford Young People's Project",
                                   "independent", true, "childs_account", account, "conducted_at", ago(d, done_ago, 0, at))
                       : json_pack("{s:b,s:s,s:s,s:s}", "declined", true, "reason", reason, "conducted_by",
                                   "Sam Whitaker, social worker", "conducted_at", ago(d, done_ago, 0, at));
  change(d, who, svc_return_interview, id, in, "return-home interview", NULL);
}

/* Adds a case note on child K by WHO. */
static void note(struct demo *d, int who, int k, int64_t at_ago, const char *text, const char *words, const char *ind1,
                 const char *ind2) {
  char at[ISO_TIME_LEN];
  json_t *inds = json_array();
  if (ind1) json_array_append_new(inds, json_string(ind1));
  if (ind2) json_array_append_new(inds, json_string(ind2));
  json_t *in = json_pack("{s:s,s:s,s:o}", "text", text, "at", ago(d, at_ago, 2 * H, at), "indicators", inds);
  if (words) json_object_set_new(in, "childs_words", json_string(words));
  change(d, who, svc_note_create, d->kids[k], in, "case note", NULL);
}

/* Refers child K to SERVICE, as the social worker, and moves it on to STATUS with ENGAGEMENT (and OUTCOME). */
static void support(struct demo *d, int k, const char *service, const char *provider, int referred_days_ago,
                    const char *status, const char *engagement, const char *outcome) {
  char on[ISO_DATE_LEN], id[ID_MAX];
  json_t *in = json_pack("{s:s,s:s,s:s,s:s}", "service", service, "provider", provider, "status", "referred", "referred_on",
                         day_from_today(d, -referred_days_ago, on));
  change(d, SW, svc_support_create, d->kids[k], in, "support referral", id);
  if (!id[0] || !strcmp(status, "referred")) return;
  json_t *up = json_pack("{s:s,s:s}", "status", status, "engagement", engagement);
  if (outcome) json_object_set_new(up, "outcome", json_string(outcome));
  change(d, SW, svc_support_update, id, up, "support update", NULL);
}

static const char *const PLACES[] = {"A flat above a takeaway on Wharf Street", "Holmford bus station",
                                     "A house on Canal Side, with older males", "Sheffield city centre",
                                     "A car park behind the retail park"};
static const char *const WORDS[] = {
    "He's my boyfriend. He looks after me, he buys me stuff.",
    "I don't want to talk about it. I just went to a party.",
    "They said I owe them for the phone.",
    "I stay at my mate's. It's better than being at home.",
};

/* The meetings: a multi-agency CSE meeting about children 0 and 1, and a strategy discussion about child 3. */
static void meetings(struct demo *d) {
  char held[ISO_TIME_LEN], due1[ISO_DATE_LEN], due2[ISO_DATE_LEN], due3[ISO_DATE_LEN], due4[ISO_DATE_LEN];
  json_t *in = json_pack(
      "{s:s,s:[s,s],s:s,s:[{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s,s:s}],s:s,"
      "s:[{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s,s:s}]}",
      "type", "cse_meeting", "child_ids", d->kids[0], d->kids[1], "held_at", ago(d, 7 * DAY, 3 * H, held), "attendees",
      "name", "Martin Firth", "agency", "HFCSC", "role", "Chair, team manager", "name", "DC Lee Barker", "agency", "HFP",
      "role", "CSE team", "name", "Ruth Adeyemi", "agency", "HFYPP", "role", "Specialist CSE worker", "name", "Helen Shaw",
      "agency", "HFEDU", "role", "Designated safeguarding lead", "decisions",
      "Both young people are linked to the same address and the same group of older males.\n"
      "Police to disrupt the address; weekly specialist sessions for both; safety plans shared with carers and school.",
      "actions", "description", "Disruption visit to the address on Wharf Street", "owner", "police", "due",
      day_from_today(d, 3, due1), "description", "Weekly one-to-one sessions with both young people", "owner", "cse.worker",
      "due", day_from_today(d, -2, due2), "description", "Update both safety plans with carers", "owner", "social.worker",
      "due", day_from_today(d, 7, due3), "description", "Share attendance with the social worker every Friday", "owner",
      "teacher", "due", day_from_today(d, -1, due4));
  struct field_errors errs;
  ferr_init(&errs);
  json_t *out = NULL;
  check(d, svc_meeting_create(&d->as[MGR], in, &errs, &out), &errs, "CSE meeting");
  json_decref(in);
  /* The school has done its action. */
  json_t *actions = json_object_get(out, "actions");
  size_t i;
  json_t *a;
  json_array_foreach(actions, i, a) {
    if (strcmp(json_string_value(json_object_get(json_object_get(a, "owner"), "username")), "teacher") != 0) continue;
    change(d, TEACHER, svc_action_complete, json_string_value(json_object_get(a, "id")),
           json_pack("{s:s}", "note", "Attendance shared; both in school every day this week."), "action", NULL);
  }
  json_decref(out);
  ferr_free(&errs);

  char due5[ISO_DATE_LEN];
  in = json_pack("{s:s,s:[s],s:s,s:[{s:s,s:s},{s:s,s:s}],s:s,s:[{s:s,s:s,s:s}]}", "type", "strategy_discussion", "child_ids",
                 d->kids[3], "held_at", ago(d, 2 * DAY, 2 * H, held), "attendees", "name", "Sam Whitaker", "agency", "HFCSC",
                 "name", "DC Lee Barker", "agency", "HFP", "decisions",
                 "Threshold met for a section 47 enquiry. Joint visit today; medical to be arranged.", "actions",
                 "description", "Joint visit and section 47 enquiry", "owner", "social.worker", "due",
                 day_from_today(d, 5, due5));
  out = NULL;
  ferr_init(&errs);
  check(d, svc_meeting_create(&d->as[MGR], in, &errs, &out), &errs, "strategy discussion");
  json_decref(in);
  json_decref(out);
  ferr_free(&errs);
}

/*
** Loads the demo's casework into the database C has open, after the demo's
** agencies, users and children.  SEED fixes which children and the
** variations.  Returns EXIT_OK, or EXIT_RUNTIME after saying what failed.
*/
int demo_casework(struct cli *c, uint64_t seed) {
  struct demo d;
  memset(&d, 0, sizeof d);
  d.c = c;
  d.rng = (seed ? seed : 1) ^ 0xC2B2AE3D27D4EB4FULL;
  d.now = time_now();
  for (int i = 0; i < 6; i++) {
    int rc = cli_act_as(c, ACTORS[i], &d.as[i]);
    if (rc > 0) cli_error("demo", "casework: the demo user %s is missing", ACTORS[i]);
    if (rc != 0) return EXIT_RUNTIME;
  }
  if (store_casework_demo_children(c->db, DEMO_CHILDREN, &d.kids, &d.nkids) != DB_OK) {
    cli_error("demo", "casework: %s", db_error(c->db));
    return EXIT_RUNTIME;
  }
  if (d.nkids < DEMO_CHILDREN) {
    /* Too few children for the casework story (demo --children below 16): leave it out. */
    store_free_ids(d.kids, d.nkids);
    return EXIT_OK;
  }
  /* Which children: a seeded shuffle of the first sixteen. */
  for (int i = d.nkids - 1; i > 0; i--) {
    int j = pick(&d, i + 1);
    char *t = d.kids[i];
    d.kids[i] = d.kids[j];
    d.kids[j] = t;
  }
  /* The police know the children they have dealt with. */
  struct agency police;
  if (store_agency_by_code(c->db, "HFP", &police) == DB_ROW) {
    for (int k = 0; k < 13; k++) store_child_involve(c->db, d.kids[k], police.id, "known to the police", d.now);
  }

  /* Lead workers and teams for the first twelve; children 12 to 15 stay with the MASH. */
  for (int k = 0; k < 12; k++) {
    bool cse = k % 3 == 1;
    allocate(&d, k, cse ? "cse.worker" : "social.worker", cse ? "Young People's Project: CSE outreach" : "Holmford CSE Team");
  }

  /* The meetings first: the agencies that attend are then involved with the children. */
  meetings(&d);

  /* Child 0: three episodes in under two months: flagged. Interviews held, declined, and one overdue. */
  char e1[ID_MAX], e2[ID_MAX], e3[ID_MAX], e4[ID_MAX], e5[ID_MAX], e6[ID_MAX];
  episode(&d, POLICE, 0, 55 * DAY + pick(&d, 5) * H, 54 * DAY, true, PLACES[pick(&d, 5)], "Two adult males, not known", e1);
  interview(&d, CSE, e1, WORDS[pick(&d, 4)], NULL, 52 * DAY);
  episode(&d, POLICE, 0, 30 * DAY + pick(&d, 5) * H, 29 * DAY + 10 * H, true, PLACES[pick(&d, 5)], NULL, e2);
  interview(&d, SW, e2, NULL, "Did not want to talk to anyone about where they had been.", 28 * DAY);
  episode(&d, POLICE, 0, 5 * DAY + pick(&d, 6) * H, 4 * DAY, true, PLACES[pick(&d, 5)], "An older male in a silver car", e3);
  /* Child 1: back five days ago, no interview yet: overdue and escalating. */
  episode(&d, SW, 1, 6 * DAY, 5 * DAY, true, PLACES[pick(&d, 5)], NULL, e4);
  /* Child 2: missing now. */
  episode(&d, SW, 2, 6 * H + pick(&d, 3) * H, -1, true, NULL, "Believed to be with an older friend", e5);
  /* Child 3: back this morning: the interview is due. */
  episode(&d, SW, 3, 30 * H, 10 * H, false, "At a friend's house", NULL, e6);
  /* Child 12, with no lead worker: three episodes in eighty days; the review and the interview wait in the MASH queue. */
  char e7[ID_MAX], e8[ID_MAX], e9[ID_MAX];
  episode(&d, POLICE, 12, 80 * DAY, 79 * DAY, true, PLACES[pick(&d, 5)], NULL, e7);
  episode(&d, POLICE, 12, 40 * DAY, 39 * DAY + 6 * H, true, PLACES[pick(&d, 5)], NULL, e8);
  interview(&d, MASH, e8, WORDS[pick(&d, 4)], NULL, 37 * DAY);
  episode(&d, POLICE, 12, 4 * DAY + 8 * H, 3 * DAY + 20 * H, true, PLACES[pick(&d, 5)], "Two older males", e9);

  /* Case notes from several agencies, some with the child's words and indicators. */
  note(&d, TEACHER, 0, 9 * DAY, "Arrived late with a new phone and new trainers; left at lunchtime in a car driven by an adult.",
       "It's my boyfriend's car. He's 23, he's alright.", "S03", "S04");
  note(&d, SW, 0, 6 * DAY, "Home visit. Mum reports she is out until the early hours most nights and will not say where.",
       NULL, "M01", NULL);
  note(&d, CSE, 1, 8 * DAY, "First session. Engaged well; talked about friends who go to the same flat.",
       "Everyone goes there. They give you vodka and it's a laugh.", "M08", "M10");
  note(&d, TEACHER, 3, 12 * DAY, "Absent three afternoons this week; seen outside the school gates with older boys.", NULL,
       "M05", NULL);
  note(&d, SW, 4, 20 * DAY, "Visit with carers: settled, attending school, no concerns raised this month.", NULL, NULL, NULL);
  note(&d, CSE, 7, 3 * DAY, "Outreach session in the town centre; she said she had been chatting to a man online.",
       "He sends me pictures and asks for some back.", "S06", NULL);

  /* Support: specialist and therapeutic services, engaging or not. */
  support(&d, 0, "isva", "Holmford Rape Crisis", 20, "active", "engaging", NULL);
  support(&d, 0, "camhs", "Holmford CAMHS", 14, "waiting", "not_known", NULL);
  support(&d, 1, "cse_specialist", "Holmford Young People's Project", 25, "active", "partly_engaging", NULL);
  support(&d, 4, "sexual_health", "Holmford Sexual Health Clinic", 60, "closed", "engaging",
          "Seen twice; given information and contact details. Closed by agreement.");
  support(&d, 7, "therapeutic", "Holmford Therapeutic Service", 10, "referred", "not_known", NULL);

  store_free_ids(d.kids, d.nkids);
  if (cli_flush_audit(c->db, d.as, 6) != DB_OK) {
    cli_error("demo", "casework: audit: %s", db_error(c->db));
    return EXIT_RUNTIME;
  }
  return d.failures ? EXIT_RUNTIME : EXIT_OK;
}
