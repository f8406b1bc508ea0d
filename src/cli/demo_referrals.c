/*
** The demo borough's referrals (called by `safehub demo` once the children
** and users are loaded): about COUNT referrals over the last eight weeks
** across the demo children, from the school, the health service, the police,
** social care and the young people's project, with a realistic spread of
** where they stand: most decided (advice, early help, assessments, a few
** strategy discussions and section 47 enquiries, closures with no further
** action signed off where the rules need it), some waiting to be rated or
** decided (a few of them overdue, so that `safehub sla run` escalates them),
** some waiting for a manager's sign-off, some challenged and answered, the
** odd child in immediate danger, and some children still to be confirmed.
**
** Referrals are written with the times they would have had (the clock is
** the point of the demo), together with their deadlines, history, the
** child's chronology and involvement, and one audit entry each, so they look
** exactly like referrals made through the front door.  The choices are
** deterministic for a given seed and set of children; only the ids, drawn
** at random like every record's, differ between runs.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit/audit.h"
#include "cli/cli.h"
#include "core/calendar.h"
#include "core/referral.h"
#include "service/casework.h"
#include "service/referrals.h"
#include "store/casework.h"
#include "store/referrals.h"
#include "store/store.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define DEMO_BATCH 500
#define DEMO_DAYS 56

/* xorshift64*: reproducible choices for a given seed (never for secrets). */
static uint64_t ref_state;
static uint64_t ref_rnd(void) {
  ref_state ^= ref_state >> 12;
  ref_state ^= ref_state << 25;
  ref_state ^= ref_state >> 27;
  return ref_state * 2685821657736338717ULL;
}
static int ref_pick(int n) { return n > 0 ? (int)(ref_rnd() % (uint64_t)n) : 0; }
#define REF_PICK(arr) (arr)[ref_pick((int)(sizeof(arr) / sizeof((arr)[0])))]

static const char *const CONCERNS[] = {
    "Seen several times getting into a car with an older man outside the school gates after lessons.",
    "Has a new expensive phone and designer clothes the family cannot explain, and is secretive about messages.",
    "Missing overnight twice this month; came back tired and would not say where she had been.",
    "A member of staff overheard talk of parties at a flat above the takeaway on Station Road.",
    "Presented at the walk-in centre asking for emergency contraception; seemed frightened of the adult with her.",
    "Found by officers in a hotel room with two adult men; gave a false name at first.",
    "Attendance has dropped sharply; friends say he is running errands for older lads for money.",
    "Mother reports he comes home with cash and new trainers and is being messaged at night by unknown numbers.",
    "Disclosed to a youth worker that an older boyfriend asks her to meet his friends.",
    "Self-harming, withdrawn, and has been seen being dropped off by taxis late at night.",
};
static const char *const WORDS[] = {
    "He's my boyfriend. He looks after me and buys me stuff.",
    "I only go round to my mate's. Nobody makes me do anything.",
    "If I tell anyone they'll hurt my little brother.",
    "I don't want to talk about it. It's not a big deal.",
    "They said I owe them now, for the phone.",
    "I just wanted somewhere to stay that wasn't home.",
};
static const char *const RATIONALES[] = {
    "Threshold for statutory assessment met given the indicators of exploitation and the child's account.",
    "Information shared with the school and family; advice given on online safety and who to contact.",
    "Family agree to early help; lead professional identified at the school.",
    "Police and children's social care to hold a strategy discussion today given the risk from adults.",
    "Checks show no previous involvement and a protective family; no further action, advice given to the referrer.",
};
static const char *const OUTCOMES[] = {"advice", "early_help", "assessment", "assessment", "strategy_discussion",
                                       "section_47", "no_further_action", "early_help"};
static const char *const RAGS[] = {"red", "amber", "amber", "green", "green"};
static const char *const SIGNAL_INDICATORS[] = {"S01", "S02", "S03", "S04", "S05", "S06", "S07", "M01", "M02", "M03",
                                                "M05", "M09", "M11", "V04", "V05", "V08", "V12"};

/* Users the demo refers from and decides with, looked up by their demo usernames. */
struct demo_people {
  struct user referrers[5];
  int nreferrers;
  struct user mash, manager, director;
};

DB_QUERY(Q_DEMO_CHILDREN, "SELECT id FROM children ORDER BY nhs_number, id LIMIT $1");

/* Up to MAX demo children's ids, in a stable order (new array, free with store_free_ids). */
static int demo_children(struct db *db, int max, char ***ids, int *n) {
  struct db_stmt *st = db_prepare(db, &Q_DEMO_CHILDREN);
  if (!st) return DB_ERROR;
  db_bind_int(st, 1, max);
  char **out = xcalloc((size_t)max + 1, sizeof *out);
  int count = 0, rc;
  while ((rc = db_step(st)) == DB_ROW && count < max) out[count++] = db_text_dup(st, 0);
  db_reset(st);
  if (rc < 0) {
    store_free_ids(out, count);
    return rc;
  }
  *ids = out;
  *n = count;
  return DB_OK;
}

/* Finds the demo's users; false (having said why) when the demo's MASH, manager or director is missing. */
static bool find_people(struct cli *c, struct demo_people *p) {
  memset(p, 0, sizeof *p);
  static const char *const raisers[] = {"teacher", "nurse", "police", "social.worker", "cse.worker"};
  for (size_t i = 0; i < sizeof raisers / sizeof raisers[0]; i++) {
    if (store_user_by_username(c->db, raisers[i], &p->referrers[p->nreferrers]) == DB_ROW) p->nreferrers++;
  }
  if (p->nreferrers == 0 || store_user_by_username(c->db, "mash", &p->mash) != DB_ROW ||
      store_user_by_username(c->db, "manager", &p->manager) != DB_ROW ||
      store_user_by_username(c->db, "director", &p->director) != DB_ROW) {
    cli_error("demo", "referrals: the demo's referrers, MASH worker, manager and director are needed first");
    return false;
  }
  return true;
}

/* Everything that goes with one demo referral while it is written. */
struct demo_ctx {
  struct cli *c;
  struct calendar cal;
  struct demo_people *people;
  int64_t now;
};

/* Opens deadline KIND of REF due DUE for OWNER (NULL: the MASH queue), met at MET (0: still open) by MET_BY. */
static int demo_deadline(struct demo_ctx *x, const struct referral *ref, const char *kind, const char *what,
                         const char *owner, int64_t due, int64_t met, const char *met_by) {
  struct deadline d;
  memset(&d, 0, sizeof d);
  ids_new("dl", d.id, sizeof d.id);
  snprintf(d.item_type, sizeof d.item_type, "referral");
  snprintf(d.item_id, sizeof d.item_id, "%s", ref->id);
  snprintf(d.kind, sizeof d.kind, "%s", kind);
  snprintf(d.child_id, sizeof d.child_id, "%s", ref->child_id);
  snprintf(d.title, sizeof d.title, "Referral %s: %s", ref->reference, what);
  snprintf(d.link, sizeof d.link, "/referrals/%s", ref->id);
  snprintf(d.owner_id, sizeof d.owner_id, "%s", owner ? owner : "");
  d.due_at = due;
  d.created_at = ref->received_at;
  int rc = store_deadline_open(x->c->db, &d);
  if (rc == DB_DONE) rc = DB_OK;
  if (rc == DB_OK && met) rc = store_deadline_meet(x->c->db, "referral", ref->id, kind, met_by, met);
  return rc == DB_DONE ? DB_OK : rc;
}

/* Records an event on REF's history and, when the child is known, on its chronology. */
static int demo_event(struct demo_ctx *x, const struct referral *ref, int64_t at, const char *type, const struct user *by,
                      json_t *detail, const char *chron_type, const char *summary) {
  if (!detail) detail = json_object();
  if (chron_type) json_object_set_new(detail, "chronology", json_pack("{s:s,s:s}", "type", chron_type, "summary", summary));
  int rc = store_referral_event_add(x->c->db, ref->id, at, type, by ? by->id : NULL, detail);
  json_decref(detail);
  if (rc == DB_OK && chron_type && ref->child_id[0]) {
    struct chron_event e;
    memset(&e, 0, sizeof e);
    snprintf(e.child_id, sizeof e.child_id, "%s", ref->child_id);
    e.at = at;
    e.type = chron_type;
    e.agency_id = by ? by->agency_id : NULL;
    e.summary = summary;
    e.ref_type = "referral";
    e.ref_id = ref->id;
    e.recorded_by = by ? by->id : NULL;
    rc = store_chronology_add(x->c->db, &e, x->now);
  }
  return rc;
}

/* A working-hours deadline AT + HOURS on the demo's calendar. */
static int64_t plus_hours(struct demo_ctx *x, int64_t at, int hours) {
  return calendar_add_working_minutes(&x->cal, at, (int64_t)hours * 60);
}

/*
** Writes one demo referral about CHILD_ID (a confirmed child, or details
** only when UNCONFIRMED) raised by REFERRER at RECEIVED, taken as far as
** STAGE (0 received, 1 rated, 2 awaiting sign-off, 3 decided, 4 challenged,
** 5 decided after a challenge).
*/
static int demo_one(struct demo_ctx *x, const char *child_id, bool unconfirmed, const struct user *referrer,
                    int64_t received, int stage, struct audit_row ***rows, int *nrows) {
  struct db *db = x->c->db;
  const struct config *cfg = &x->c->cfg;
  struct demo_people *p = x->people;
  struct referral ref;
  memset(&ref, 0, sizeof ref);
  ids_new("rf", ref.id, sizeof ref.id);
  int year, month, day;
  civil_from_days(london_today(received), &year, &month, &day);
  int64_t number = 0;
  int rc = store_referral_next_number(db, year, &number);
  if (rc != DB_OK) return rc;
  if (!referral_reference_format(year, number, ref.reference, sizeof ref.reference)) return DB_ERROR;
  json_t *child = NULL;
  rc = store_child_get(db, child_id, &child);
  if (rc != DB_ROW) return rc < 0 ? rc : DB_ERROR;
  if (unconfirmed) {
    /* What a referrer would know: the name, often the date of birth and postcode, rarely the NHS number. */
    json_t *given = json_pack("{s:O,s:O,s:s}", "first_name", json_object_get(child, "first_name"), "last_name",
                              json_object_get(child, "last_name"), "ethnicity", "NOBT");
    if (ref_pick(3)) json_object_set(given, "date_of_birth", json_object_get(child, "date_of_birth"));
    if (ref_pick(2)) json_object_set(given, "postcode", json_object_get(child, "postcode"));
    ref.child_details = json_dumps(given, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(given);
  } else {
    snprintf(ref.child_id, sizeof ref.child_id, "%s", child_id);
  }
  json_decref(child);
  snprintf(ref.agency_id, sizeof ref.agency_id, "%s", referrer->agency_id);
  snprintf(ref.referrer_id, sizeof ref.referrer_id, "%s", referrer->id);
  ref.concern = xstrdup(REF_PICK(CONCERNS));
  ref.childs_words = ref_pick(3) ? xstrdup(REF_PICK(WORDS)) : NULL;
  json_t *ind = json_array();
  int nind = ref_pick(4);
  for (int i = 0; i < nind; i++) {
    const char *code = REF_PICK(SIGNAL_INDICATORS);
    bool dup = false;
    size_t k;
    json_t *v;
    json_array_foreach(ind, k, v) dup = dup || !strcmp(json_string_value(v), code);
    if (!dup) json_array_append_new(ind, json_string(code));
  }
  ref.indicators = json_dumps(ind, JSON_COMPACT);
  ref.immediate_danger = ref_pick(100) < 4;
  if (ref.immediate_danger && stage == 0) stage = 1; /* rated red the moment it arrives */
  ref.received_at = received;
  ref.due_at = calendar_add_working_days(&x->cal, received, cfg->decision_working_days);
  ref.decision_round = 1;
  ref.is_open = true;
  ref.updated_at = received;
  ref.next_due_at = ref.due_at;
  snprintf(ref.status, sizeof ref.status, "received");
  int64_t triage_due = plus_hours(x, received, cfg->triage_red_hours);
  rc = store_referral_insert(db, &ref);

  const struct user *mash = &p->mash, *mgr = &p->manager;
  char summary[300];
  snprintf(summary, sizeof summary, "Referral %s received%s", ref.reference, ref.immediate_danger ? "; immediate danger reported" : "");
  if (rc == DB_OK) rc = demo_event(x, &ref, received, "received", referrer, NULL, "referral", summary);
  if (rc == DB_OK && ref.child_id[0]) rc = store_child_involve(db, ref.child_id, ref.agency_id, "raised a referral", received);

  /* Rating: at once for immediate danger, otherwise within the triage time (or late, now and then). */
  bool cse = false;
  size_t k;
  json_t *v;
  json_array_foreach(ind, k, v) cse = cse || referral_indicator_is_cse(&x->c->app.risk_tool, json_string_value(v));
  json_decref(ind);
  /* A closure waiting for sign-off is one the rules send to the manager: rated red. */
  const char *rag = ref.immediate_danger || stage == 2 ? "red" : REF_PICK(RAGS);
  int64_t rated = ref.immediate_danger ? received : received + 1800 + ref_pick(stage >= 1 ? 6 * 3600 : 1);
  if (rated > x->now - 120) rated = x->now - 120;
  if (stage >= 1) {
    snprintf(ref.rag, sizeof ref.rag, "%s", rag);
    ref.rag_reason = xstrdup(ref.immediate_danger ? "The referrer reported that the child is in immediate danger."
                                                  : "Rated on the information in the referral and agency checks.");
    ref.triaged_at = rated;
    if (!ref.immediate_danger) snprintf(ref.triaged_by, sizeof ref.triaged_by, "%s", mash->id);
    snprintf(ref.status, sizeof ref.status, "triaged");
  }
  if (rc == DB_OK && !ref.immediate_danger)
    rc = demo_deadline(x, &ref, "triage", "rating (triage)", NULL, triage_due, stage >= 1 ? rated : 0, mash->id);
  int64_t checks_due = plus_hours(x, received, referral_rag_hours(rag, cfg->triage_red_hours, cfg->triage_amber_hours,
                                                                  cfg->triage_green_hours));
  int64_t decided = stage >= 2 ? rated + 3600 + ref_pick(20 * 3600) : 0;
  if (decided > x->now - 60) decided = x->now - 60;
  if (rc == DB_OK && stage >= 1) {
    snprintf(summary, sizeof summary, "Referral %s: rated %s", ref.reference, rag);
    rc = demo_event(x, &ref, rated, "triaged", ref.immediate_danger ? NULL : mash, json_pack("{s:s}", "rag", rag), "triage", summary);
    char what[48];
    snprintf(what, sizeof what, "MASH checks (%s)", rag);
    if (rc == DB_OK) rc = demo_deadline(x, &ref, "mash_checks", what, NULL, checks_due, decided, mash->id);
  }
  /* The decision. */
  const char *outcome = stage == 2 ? "no_further_action" : REF_PICK(OUTCOMES);
  bool signoff = referral_needs_signoff(outcome, rag, ref.immediate_danger, cse);
  if (rc == DB_OK) rc = demo_deadline(x, &ref, "decision", "decision", NULL, ref.due_at, decided, mash->id);
  if (rc == DB_OK && stage >= 2) {
    snprintf(ref.outcome, sizeof ref.outcome, "%s", outcome);
    ref.rationale = xstrdup(!strcmp(outcome, "no_further_action") ? RATIONALES[4] : REF_PICK(RATIONALES));
    ref.decided_at = decided;
    snprintf(ref.decided_by, sizeof ref.decided_by, "%s", mash->id);
    ref.signoff_needed = signoff;
    snprintf(ref.status, sizeof ref.status, "%s", signoff ? "awaiting_signoff" : "decided");
    snprintf(summary, sizeof summary, "Referral %s: decided: %s%s", ref.reference, code_label(REFERRAL_OUTCOMES, outcome),
             signoff ? " (waiting for a manager's sign-off)" : "");
    rc = demo_event(x, &ref, decided, "decided", mash,
                    json_pack("{s:s,s:s,s:i,s:b}", "outcome", outcome, "rationale", ref.rationale, "round", 1,
                              "signoff_needed", signoff),
                    "decision", summary);
  }
  if (rc == DB_OK && stage >= 2 && signoff) {
    int64_t so_due = plus_hours(x, decided, cfg->signoff_working_hours);
    int64_t signed_at = stage >= 3 ? decided + 1800 + ref_pick(3 * 3600) : 0;
    if (signed_at > x->now - 30) signed_at = x->now - 30;
    rc = demo_deadline(x, &ref, "signoff", "manager's sign-off of no further action", mgr->id, so_due, signed_at, mgr->id);
    if (rc == DB_OK && stage >= 3) {
      ref.signed_off_at = signed_at;
      snprintf(ref.signed_off_by, sizeof ref.signed_off_by, "%s", mgr->id);
      snprintf(ref.status, sizeof ref.status, "decided");
      snprintf(summary, sizeof summary, "Referral %s: no further action signed off by a manager", ref.reference);
      rc = demo_event(x, &ref, signed_at, "signed_off", mgr, json_pack("{s:s,s:i}", "outcome", "approved", "round", 1),
                      "decision", summary);
    }
  }
  /* A challenge by the referrer, answered (the decision stands) or still with the manager. */
  if (rc == DB_OK && stage >= 4) {
    int64_t challenged = (ref.signed_off_at ? ref.signed_off_at : decided) + 3600 + ref_pick(24 * 3600);
    if (challenged > x->now - 20) challenged = x->now - 20;
    ref.challenge_round = 1;
    ref.challenge_reason = xstrdup("We have seen more since we referred: the same car was outside school again today.");
    ref.challenged_at = challenged;
    snprintf(ref.challenged_by, sizeof ref.challenged_by, "%s", referrer->id);
    snprintf(ref.status, sizeof ref.status, "challenged");
    snprintf(summary, sizeof summary, "Referral %s: the decision was challenged by the referring agency", ref.reference);
    rc = demo_event(x, &ref, challenged, "challenged", referrer,
                    json_pack("{s:s,s:i}", "reason", ref.challenge_reason, "round", 1), "challenge", summary);
    int64_t due = calendar_add_working_days(&x->cal, challenged, cfg->challenge_working_days);
    int64_t answered = stage >= 5 ? challenged + 3600 + ref_pick(48 * 3600) : 0;
    if (answered && answered > x->now - 10) answered = x->now - 10;
    if (rc == DB_OK) rc = demo_deadline(x, &ref, "challenge", "answer to the referrer's challenge", mgr->id, due, answered, mgr->id);
    if (rc == DB_OK && stage >= 5) {
      snprintf(ref.challenge_outcome, sizeof ref.challenge_outcome, "decision_stands");
      ref.challenge_response = xstrdup("The decision stands: the new information has been added and shared with the police.");
      ref.challenge_answered_at = answered;
      snprintf(ref.challenge_answered_by, sizeof ref.challenge_answered_by, "%s", mgr->id);
      snprintf(ref.status, sizeof ref.status, "decided");
      snprintf(summary, sizeof summary, "Referral %s: challenge answered by a manager: the decision stands", ref.reference);
      rc = demo_event(x, &ref, answered, "challenge_answered", mgr,
                      json_pack("{s:s,s:s,s:i}", "outcome", "decision_stands", "response", ref.challenge_response, "round", 1),
                      "challenge", summary);
    }
  }
  enum referral_status s = RS_RECEIVED;
  referral_status_parse(ref.status, &s);
  ref.is_open = referral_status_open(s);
  ref.updated_at = x->now;
  if (rc == DB_OK) rc = store_referral_update(db, &ref, 1);
  if (rc == DB_OK) rc = store_referral_refresh_due(db, ref.id);
  if (rc == DB_OK) {
    json_t *d = json_pack("{s:s,s:b,s:s}", "reference", ref.reference, "demo", 1, "status", ref.status);
    (*rows)[(*nrows)++] = req_audit_row(&x->c->req, "referral.create", "referral", ref.id, "ok", d);
    json_decref(d);
  }
  store_referral_free(&ref);
  return rc;
}

/*
** Adds about COUNT referrals across the demo children (see the top of this
** file), deterministic for SEED.  Returns EXIT_OK, or EXIT_RUNTIME having
** said why (nothing of the failing batch is kept).
*/
int demo_referrals(struct cli *c, uint64_t seed, int count) {
  if (count <= 0) return EXIT_OK;
  ref_state = seed ? seed ^ 0xA5A5F00DC0FFEEULL : 0x5AFE4B0B5AFEULL;
  struct demo_people people;
  if (!find_people(c, &people)) return EXIT_RUNTIME;
  char **children = NULL;
  int nchildren = 0;
  if (demo_children(c->db, count < 50000 ? count : 50000, &children, &nchildren) != DB_OK) {
    cli_error("demo", "referrals: %s", db_error(c->db));
    return EXIT_RUNTIME;
  }
  if (nchildren == 0) {
    store_free_ids(children, nchildren);
    return EXIT_OK;
  }
  struct demo_ctx x;
  memset(&x, 0, sizeof x);
  x.c = c;
  x.people = &people;
  x.now = time_now();
  if (svc_calendar_load(c->db, &c->cfg, &x.cal) != DB_OK) calendar_init(&x.cal, 9 * 60, 17 * 60);
  int rc = DB_OK;
  for (int done = 0; done < count && rc == DB_OK;) {
    int end = done + DEMO_BATCH < count ? done + DEMO_BATCH : count;
    struct audit_row **rows = xcalloc((size_t)(end - done) + 1, sizeof *rows);
    int nrows = 0;
    rc = db_begin(c->db);
    for (int i = done; i < end && rc == DB_OK; i++) {
      /* Older referrals are mostly decided; the last two days' are mostly still open. */
      int64_t age = (int64_t)ref_pick(DEMO_DAYS * 86400);
      int p = ref_pick(100);
      int stage;
      if (age < 2 * 86400) stage = p < 35 ? 0 : p < 70 ? 1 : p < 85 ? 2 : 3;
      else stage = p < 4 ? 0 : p < 8 ? 1 : p < 12 ? 2 : p < 88 ? 3 : p < 93 ? 4 : 5;
      bool unconfirmed = stage <= 1 && ref_pick(100) < 35;
      const struct user *referrer = &people.referrers[ref_pick(people.nreferrers)];
      rc = demo_one(&x, children[i % nchildren], unconfirmed, referrer, x.now - age - 600, stage, &rows, &nrows);
    }
    if (rc == DB_OK) rc = audit_append_tx(c->db, rows, nrows);
    if (rc == DB_OK) rc = db_commit(c->db);
    if (rc != DB_OK) {
      cli_error("demo", "referrals: %s", db_error(c->db));
      db_rollback(c->db);
    }
    audit_rows_free(rows, nrows);
    free(rows);
    done = end;
  }
  calendar_free(&x.cal);
  store_free_ids(children, nchildren);
  return rc == DB_OK ? EXIT_OK : EXIT_RUNTIME;
}
