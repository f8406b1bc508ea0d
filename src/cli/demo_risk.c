/*
** The demo borough's CSE risk assessments (called by `safehub demo` once the
** children and users are loaded).  Some of the children (about a third, at
** most DEMO_RISK_MAX) have one to six assessments over the past year, made
** by the demo's CSE worker and social worker through the same use case as
** the API (so each has its indicators, review deadline, chronology entry and
** audit entry), with a realistic spread: most at no apparent or low risk,
** fewer at medium, a few at high risk (some through a disclosure), the odd
** level raised or lowered by professional judgement (lowerings sent to the
** manager, some countersigned), and some reviews overdue because the last
** assessment is older than its level's review interval.  Deterministic for
** a given --seed and set of children.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit/audit.h"
#include "cli/cli.h"
#include "core/risk.h"
#include "service/risk.h"
#include "store/risk_store.h"
#include "store/store.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define DEMO_RISK_MAX 400 /* children assessed at most, whatever the size of the borough */

/* xorshift64*: reproducible choices for a given seed (never for secrets). */
static uint64_t demo_state;
static uint64_t demo_rnd(void) {
  demo_state ^= demo_state >> 12;
  demo_state ^= demo_state << 25;
  demo_state ^= demo_state >> 27;
  return demo_state * 2685821657736338717ULL;
}
static int demo_pick(int n) { return n > 0 ? (int)(demo_rnd() % (uint64_t)n) : 0; }

static const char *const WORDS[] = {
    "He's my boyfriend, he looks after me. He's only a bit older.",
    "I just go round to my mate's. Nobody makes me do anything.",
    "They give me a lift home sometimes, it's not a big deal.",
    "I don't want to talk about it. You'll just tell my mum.",
    "I got the phone off a friend. I'm not saying who.",
    "I'm fine. I just want to be left alone.",
    "Sometimes I stay out because it's better than being at home.",
    "He said if I tell anyone he'll share the pictures.",
    "I like school but I don't go when I've been out late.",
};
static const char *const NOT_GATHERED[] = {
    "The child was missing when the assessment was made; their view will be sought on return.",
    "The child declined to speak with the worker on two visits; their carer was present.",
    "An interpreter was not available in time; a further visit is booked.",
};
static const char *const EVIDENCE[] = {
    "Reported by the school's designated safeguarding lead after a conversation with the child.",
    "Seen by the youth worker during outreach; recorded the same evening.",
    "Raised by the police after a welfare check.",
    "Told to the social worker by the child's carer on a home visit.",
    "Noted by the school nurse at a drop-in appointment.",
    "Recorded in the return-home interview.",
};
static const char *const RATIONALE_UP[] = {
    "The score understates the risk: the adults involved are known to the police for exploitation.",
    "Information from a sibling's case shows the same group is targeting this child.",
};
static const char *const RATIONALE_DOWN[] = {
    "The older adult has been identified as a relative and the concern is resolved.",
    "The missing episodes were to a grandparent's address, confirmed by the police.",
};

/* Indicator codes of the tool's group GROUP, into CODES; returns how many (at most MAX). */
static int group_codes(const struct risk_tool *t, const char *group, const char **codes, int max) {
  int n = 0;
  for (int i = 0; i < t->nindicators && n < max; i++) {
    if (!strcmp(t->indicators[i].group, group)) codes[n++] = t->indicators[i].code;
  }
  return n;
}

/* Adds up to HOW_MANY distinct codes of GROUP to the assessment's indicator list. */
static void add_some(const struct risk_tool *t, json_t *inds, const char *group, int how_many, const char **agencies,
                     int nagencies, bool allow_older) {
  const char *codes[64];
  int n = group_codes(t, group, codes, 64);
  for (int k = 0; k < how_many && n > 0; k++) {
    int i = demo_pick(n);
    const char *code = codes[i];
    codes[i] = codes[--n];
    int recency = allow_older && t->nrecency > 1 && demo_pick(100) < 25 ? 1 : 0;
    json_array_append_new(inds, json_pack("{s:s,s:s,s:s,s:s}", "code", code, "evidence",
                                          EVIDENCE[demo_pick((int)(sizeof EVIDENCE / sizeof EVIDENCE[0]))], "recency",
                                          t->recency[recency], "source_agency", agencies[demo_pick(nagencies)]));
  }
}

/*
** One assessment's input for a child whose underlying risk is PROFILE (0 no
** apparent, 1 low, 2 medium, 3 high, 4 high through a disclosure).
*/
static json_t *demo_input(const struct risk_tool *t, int profile, const char **agencies, int nagencies) {
  json_t *inds = json_array();
  static const int vul[] = {1, 3, 4, 4, 3}, mod[] = {0, 2, 3, 4, 2}, sig[] = {0, 0, 1, 3, 1};
  add_some(t, inds, "vulnerability", vul[profile] + demo_pick(2), agencies, nagencies, true);
  add_some(t, inds, "moderate", mod[profile] + demo_pick(2), agencies, nagencies, false);
  add_some(t, inds, "significant", sig[profile], agencies, nagencies, true);
  if (profile == 4 && t->noverrides > 0) {
    const char *code = t->overrides[0].indicator;
    bool have = false;
    size_t i;
    json_t *v;
    json_array_foreach(inds, i, v) have = have || !strcmp(json_string_value(json_object_get(v, "code")), code);
    if (!have)
      json_array_append_new(inds, json_pack("{s:s,s:s,s:s,s:s}", "code", code, "evidence",
                                            "The child told the CSE worker what had happened; their words are recorded.",
                                            "recency", t->recency[0], "source_agency", agencies[0]));
  }
  json_t *in = json_pack("{s:o}", "indicators", inds);
  if (demo_pick(100) < 85)
    json_object_set_new(in, "childs_words", json_string(WORDS[demo_pick((int)(sizeof WORDS / sizeof WORDS[0]))]));
  else
    json_object_set_new(in, "childs_view_not_gathered_reason",
                        json_string(NOT_GATHERED[demo_pick((int)(sizeof NOT_GATHERED / sizeof NOT_GATHERED[0]))]));
  json_t *types = json_array();
  if (profile >= 2 && t->ntypes > 0) {
    json_array_append_new(types, json_string(t->types[demo_pick(t->ntypes)].code));
    if (t->ntypes > 1 && demo_pick(100) < 30) {
      const char *second = t->types[demo_pick(t->ntypes)].code;
      if (strcmp(second, json_string_value(json_array_get(types, 0))) != 0) json_array_append_new(types, json_string(second));
    }
  }
  json_object_set_new(in, "exploitation_types", types);
  return in;
}

/*
** Makes the demo borough's assessments.  SEED makes the choices repeatable.
** Returns EXIT_OK, or EXIT_RUNTIME having printed why.  Nothing is done
** when the demo's workers are not there.
*/
int demo_risk(struct cli *c, uint64_t seed) {
  const struct risk_tool *t = &c->app.risk_tool;
  demo_state = seed ? seed ^ 0xC2B2AE3D27D4EB4FULL : 0x9E3779B97F4A7C15ULL;
  struct req worker[2], manager;
  const char *names[2] = {"cse.worker", "social.worker"};
  for (int w = 0; w < 3; w++) {
    struct req *r = w < 2 ? &worker[w] : &manager;
    struct user u;
    int rc = store_user_by_username(c->db, w < 2 ? names[w] : "manager", &u);
    if (rc == DB_DONE) return EXIT_OK;
    if (rc != DB_ROW) {
      cli_error("demo", "risk assessments: %s", db_error(c->db));
      return EXIT_RUNTIME;
    }
    *r = c->req;
    r->audit = NULL;
    r->naudit = r->capaudit = 0;
    if (store_principal_for_user(c->db, u.id, &r->who) != DB_ROW) {
      cli_error("demo", "risk assessments: %s", db_error(c->db));
      return EXIT_RUNTIME;
    }
    r->who.kind = AUTH_SYSTEM;
    snprintf(r->who.stage, sizeof r->who.stage, "full");
  }
  json_t *agency_list = NULL;
  int64_t nchildren = 0;
  if (store_agency_list(c->db, &agency_list) != DB_OK || store_child_count(c->db, &nchildren) != DB_OK) {
    cli_error("demo", "risk assessments: %s", db_error(c->db));
    return EXIT_RUNTIME;
  }
  const char *agencies[16];
  int nagencies = 0;
  size_t i;
  json_t *a;
  json_array_foreach(agency_list, i, a) {
    if (nagencies < 16) agencies[nagencies++] = json_string_value(json_object_get(a, "code"));
  }
  int want = (int)(nchildren / 3 < DEMO_RISK_MAX ? nchildren / 3 : DEMO_RISK_MAX);
  char **ids = NULL;
  int n = 0;
  if (nagencies == 0 || store_risk_children_for_demo(c->db, (int)(nchildren < 100000 ? nchildren : 100000), &ids, &n) != DB_OK) {
    json_decref(agency_list);
    if (nagencies == 0) return EXIT_OK;
    cli_error("demo", "risk assessments: %s", db_error(c->db));
    return EXIT_RUNTIME;
  }
  /* A synthetic borough needs no power-loss durability while it loads. */
  if (db_kind(c->db) == DB_SQLITE) db_exec(c->db, "PRAGMA synchronous=NORMAL");
  int64_t now = time_now();
  int made = 0, assessed = 0, rc = EXIT_OK;
  for (int k = 0; k < n && assessed < want && rc == EXIT_OK; k++) {
    if (demo_pick(n) >= want + want / 5 + 1) continue;
    int roll = demo_pick(100);
    int profile = roll < 30 ? 0 : roll < 62 ? 1 : roll < 84 ? 2 : roll < 96 ? 3 : 4;
    int64_t at = now - (int64_t)(40 + demo_pick(330)) * 86400 - demo_pick(8 * 3600);
    struct req *r = &worker[demo_pick(2)];
    if (store_child_involve(c->db, ids[k], r->who.agency_id, "CSE risk assessment", at) != DB_OK) {
      cli_error("demo", "risk assessments: %s", db_error(c->db));
      rc = EXIT_RUNTIME;
      break;
    }
    assessed++;
    for (int j = 0; j < 6 && at < now && rc == EXIT_OK; j++) {
      /* Some children's reviews were not done: their last assessment is overdue. */
      if (j > 0 && demo_pick(100) < 4) break;
      json_t *in = demo_input(t, profile, agencies, nagencies);
      int roll2 = demo_pick(100);
      if (roll2 < 8 && profile < 3) {
        int up = profile + 1 < t->nlevels ? profile + 1 : t->nlevels - 1;
        json_object_set_new(in, "professional_judgement",
                            json_pack("{s:s,s:s}", "level", t->levels[up].code, "rationale",
                                      RATIONALE_UP[demo_pick((int)(sizeof RATIONALE_UP / sizeof RATIONALE_UP[0]))]));
      } else if (roll2 < 14 && profile >= 2 && profile < 4) {
        json_object_set_new(in, "professional_judgement",
                            json_pack("{s:s,s:s,s:s}", "level", t->levels[profile - 1 >= 0 ? profile - 1 : 0].code,
                                      "rationale",
                                      RATIONALE_DOWN[demo_pick((int)(sizeof RATIONALE_DOWN / sizeof RATIONALE_DOWN[0]))],
                                      "countersign_by", "manager"));
      }
      struct field_errors errs;
      ferr_init(&errs);
      char id[ID_MAX];
      int s = svc_risk_record(r, ids[k], in, at, &errs, id);
      if (s == SVC_INVALID) {
        /* A generated lowering the tool's rules forbid (a disclosure): record the tool's level instead. */
        json_object_del(in, "professional_judgement");
        ferr_free(&errs);
        ferr_init(&errs);
        s = svc_risk_record(r, ids[k], in, at, &errs, id);
      }
      if (s == SVC_OK && json_object_get(in, "professional_judgement") && demo_pick(100) < 60) {
        json_t *cs = json_pack("{s:s,s:s}", "decision", "agree", "comment", "Agreed after discussing it in supervision.");
        struct field_errors cerr;
        ferr_init(&cerr);
        int cs_rc = svc_risk_countersign(&manager, ids[k], id, cs, &cerr);
        if (cs_rc != SVC_OK && cs_rc != SVC_INVALID && cs_rc != SVC_CONFLICT) s = cs_rc;
        ferr_free(&cerr);
        json_decref(cs);
      }
      if (s != SVC_OK) {
        char *why = json_dumps(errs.fields, JSON_COMPACT);
        cli_error("demo", "risk assessment: %s", s == SVC_INVALID ? why : db_error(c->db));
        free(why);
        rc = EXIT_RUNTIME;
      } else {
        made++;
      }
      ferr_free(&errs);
      json_decref(in);
      /* The next one a little before its review falls due, sometimes a little late. */
      int64_t due = at + 30 * 86400;
      json_t *made_one = NULL;
      if (s == SVC_OK && store_risk_get(c->db, id, &made_one) == DB_ROW)
        due = json_integer_value(json_object_get(made_one, "review_due_epoch"));
      json_decref(made_one);
      at = due - (int64_t)demo_pick(10) * 86400 + (demo_pick(100) < 15 ? (int64_t)demo_pick(12) * 86400 : 0);
      if (profile > 0 && profile < 3 && demo_pick(100) < 25) profile += demo_pick(100) < 50 ? 1 : -1;
    }
  }
  for (int w = 0; w < 3; w++) {
    struct req *r = w < 2 ? &worker[w] : &manager;
    audit_rows_free(r->audit, r->naudit);
    free(r->audit);
  }
  if (db_kind(c->db) == DB_SQLITE) db_exec(c->db, "PRAGMA synchronous=FULL");
  store_free_ids(ids, n);
  json_decref(agency_list);
  if (rc == EXIT_OK) printf("Risk assessments: %d for %d children.\n", made, assessed);
  return rc;
}
