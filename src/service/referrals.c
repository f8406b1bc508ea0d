/*
** The front door's use cases (see referrals.h).
**
** A referral's clock (deadlines, item_type "referral", item_id its id):
**   triage        rate it: opened at receipt, due within triage_red_hours
**                 working hours (until someone has read it nobody knows it is
**                 not red); met by the rating or by the decision
**   decision      decide it: opened at receipt, due within
**                 decision_working_days; "decision_2", "decision_3", ... when
**                 a decision is sent back or overturned and must be made again
**   mash_checks   the MASH checks the rating calls for, due the rating's
**                 working hours after receipt; met by the decision
**   signoff[_N]   a manager's sign-off of a closure that needs one
**   challenge[_N] a manager's answer to the referrer's challenge
** Work nobody has picked up belongs to the MASH queue (owner NULL) and
** escalates to the MASH manager(s); assigned work to the worker.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "access/policy.h"
#include "core/child.h"
#include "core/referral.h"
#include "http/app.h"
#include "service/casework.h"
#include "service/matching.h"
#include "service/referrals.h"
#include "service/service.h"
#include "store/casework.h"
#include "store/merge.h"
#include "store/referrals.h"
#include "store/store.h"
#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define TEXT_MAX 10000
#define REASON_MAX 5000
#define MAX_INDICATORS 60
#define MAX_MANAGERS 16
#define MATCHES_SHOWN 10
#define MATCH_CANDIDATES 25
/* The linkage model's candidates below this probability are not offered. */
#define MODEL_MIN_PROBABILITY 0.10

static const char *jstr(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* True when strings A and B are both non-empty and equal. */
static bool same(const char *a, const char *b) { return a && b && *a && !strcmp(a, b); }

/* Writes MSG into WHY (REFERRAL_WHY_MAX bytes) when WHY is given. */
static void say_why(char *why, const char *msg) {
  if (why) snprintf(why, REFERRAL_WHY_MAX, "%s", msg);
}

/* The field names of OBJ, for audit details (values are never audited). New reference. */
static json_t *field_names(json_t *obj) {
  json_t *names = json_array();
  const char *k;
  json_t *v;
  json_object_foreach(obj, k, v) json_array_append_new(names, json_string(k));
  return names;
}

/* The names of the fields ERRS complains about (new reference). */
static json_t *error_names(struct field_errors *errs) { return field_names(errs->fields); }

/* ---- input allowlists ---- */

static bool check_rag(json_t *v, char *why, size_t n) {
  if (code_valid(REFERRAL_RAGS, json_string_value(v))) return true;
  snprintf(why, n, "must be red, amber or green");
  return false;
}

static bool check_outcome(json_t *v, char *why, size_t n) {
  if (code_valid(REFERRAL_OUTCOMES, json_string_value(v))) return true;
  snprintf(why, n, "must be one of no_further_action, advice, early_help, assessment, strategy_discussion, section_47");
  return false;
}

static bool check_signoff(json_t *v, char *why, size_t n) {
  if (code_valid(SIGNOFF_OUTCOMES, json_string_value(v))) return true;
  snprintf(why, n, "must be approved or sent_back");
  return false;
}

static bool check_answer(json_t *v, char *why, size_t n) {
  if (code_valid(CHALLENGE_ANSWERS, json_string_value(v))) return true;
  snprintf(why, n, "must be decision_stands or decision_overturned");
  return false;
}

static const struct field_spec CREATE_SPEC[] = {
    {"child_id", F_STRING, 0, 64, field_check_id, NULL},
    {"child", F_OBJECT, 0, 0, NULL, NULL}, /* checked as a child record by child_validate */
    {"concern", F_STRING, F_REQUIRED | F_MULTILINE, TEXT_MAX, NULL, NULL},
    {"childs_words", F_STRING, F_NULLABLE | F_MULTILINE, TEXT_MAX, NULL, NULL},
    {"indicators", F_STRINGS, 0, MAX_INDICATORS, NULL, NULL},
    {"immediate_danger", F_BOOL, 0, 0, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};
static const struct field_spec TRIAGE_SPEC[] = {
    {"rag", F_STRING, F_REQUIRED, 8, check_rag, NULL},
    {"reason", F_STRING, F_REQUIRED | F_MULTILINE, REASON_MAX, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};
static const struct field_spec DECISION_SPEC[] = {
    {"outcome", F_STRING, F_REQUIRED, 24, check_outcome, NULL},
    {"rationale", F_STRING, F_REQUIRED | F_MULTILINE, TEXT_MAX, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};
static const struct field_spec SIGNOFF_SPEC[] = {
    {"outcome", F_STRING, F_REQUIRED, 16, check_signoff, NULL},
    {"reason", F_STRING, F_NULLABLE | F_MULTILINE, REASON_MAX, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};
static const struct field_spec CHALLENGE_SPEC[] = {
    {"reason", F_STRING, F_REQUIRED | F_MULTILINE, TEXT_MAX, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};
static const struct field_spec ANSWER_SPEC[] = {
    {"outcome", F_STRING, F_REQUIRED, 24, check_answer, NULL},
    {"response", F_STRING, F_REQUIRED | F_MULTILINE, TEXT_MAX, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};
static const struct field_spec ASSIGN_SPEC[] = {
    {"user_id", F_STRING, F_NULLABLE, 64, field_check_id, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};
static const struct field_spec CONFIRM_SPEC[] = {
    {"child_id", F_STRING, 0, 64, field_check_id, NULL},
    {"create", F_BOOL, 0, 0, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

/* ---- access ---- */

/* True when the request's user may see referral REF (its referrer, area-wide roles, involved agencies). */
static int may_see(struct req *r, const struct referral *ref, bool *visible) {
  *visible = false;
  if (!role_in(r->who.role, ROLES_CASE)) return SVC_OK;
  if (policy_sees_all_children(r->who.role) || same(ref->referrer_id, r->who.user_id)) {
    *visible = true;
    return SVC_OK;
  }
  if (!ref->child_id[0]) return SVC_OK;
  return svc_child_access(r, ref->child_id, visible);
}

/*
** Loads referral ID into *REF when the request's user may see it.  An
** absent referral and one hidden from the user are both SVC_NOT_FOUND and
** audited as ACTION with the outcome "not_found" or "denied".  On SVC_OK the
** caller frees *REF with store_referral_free.
*/
static int load(struct req *r, const char *id, const char *action, struct referral *ref) {
  struct db *db = req_db(r);
  if (!db) return SVC_ERROR;
  int rc = store_referral_get(db, id, ref);
  if (rc == DB_DONE) {
    req_audit(r, action, "referral", id, "not_found", NULL);
    return SVC_NOT_FOUND;
  }
  if (rc != DB_ROW) return SVC_ERROR;
  bool visible = false;
  if (may_see(r, ref, &visible) != SVC_OK) {
    store_referral_free(ref);
    return SVC_ERROR;
  }
  if (!visible) {
    store_referral_free(ref);
    req_audit(r, action, "referral", id, "denied", NULL);
    return SVC_NOT_FOUND;
  }
  return SVC_OK;
}

/* Audits a refusal of ACTION on referral ID with OUTCOME ("invalid", "conflict", "forbidden") and DETAILS (stolen). */
static void refused(struct req *r, const char *action, const char *id, const char *outcome, json_t *details) {
  req_audit(r, action, "referral", id, outcome, details);
  json_decref(details);
}

/* Audits a 422 of ACTION on ID naming the bad fields, and returns SVC_INVALID. */
static int invalid(struct req *r, const char *action, const char *id, struct field_errors *errs) {
  refused(r, action, id, "invalid", json_pack("{s:o}", "fields", error_names(errs)));
  return SVC_INVALID;
}

/* Audits a 409 of ACTION on REF and returns SVC_CONFLICT with WHY. */
static int conflict(struct req *r, const char *action, const struct referral *ref, const char *msg, char *why) {
  say_why(why, msg);
  refused(r, action, ref->id, "conflict", json_pack("{s:s}", "status", ref->status));
  return SVC_CONFLICT;
}

/* Audits a 403 of ACTION on REF and returns SVC_FORBIDDEN with WHY. */
static int forbidden(struct req *r, const char *action, const struct referral *ref, const char *msg, char *why) {
  say_why(why, msg);
  refused(r, action, ref->id, "forbidden", NULL);
  return SVC_FORBIDDEN;
}

/* True when the request's user may challenge REF's decision: its referrer, or someone of the referring agency. */
static bool may_challenge(struct req *r, const struct referral *ref) {
  return role_in(r->who.role, REFERRAL_RAISERS) &&
         (same(ref->referrer_id, r->who.user_id) || same(ref->agency_id, r->who.agency_id));
}

/* ---- helpers on the clock ---- */

/* The link to the referral's page. */
static void link_of(const struct referral *ref, char out[64]) { snprintf(out, 64, "/referrals/%s", ref->id); }

/* Opens (or moves) REF's deadline BASE of decision round ROUND, titled "Referral REF: WHAT". */
static int open_deadline(struct req *r, const struct referral *ref, const char *base, int round, const char *what,
                         const char *owner, int64_t due) {
  char kind[24], title[160], link[64];
  if (!referral_deadline_kind(base, round, kind, sizeof kind)) return DB_ERROR;
  snprintf(title, sizeof title, "Referral %s: %s", ref->reference, what);
  link_of(ref, link);
  return svc_deadline_open(r, "referral", ref->id, kind, ref->child_id[0] ? ref->child_id : NULL, title, link,
                           owner && *owner ? owner : NULL, due);
}

/* Meets REF's deadline BASE of round ROUND (nothing when it is not open). */
static int meet(struct req *r, const struct referral *ref, const char *base, int round) {
  char kind[24];
  if (!referral_deadline_kind(base, round, kind, sizeof kind)) return DB_ERROR;
  return svc_deadline_meet(r, "referral", ref->id, kind);
}

/* Notifies USER_ID about REF with MESSAGE; DEDUPE_WHAT names the event within the referral. */
static int notify(struct req *r, const struct referral *ref, const char *user_id, const char *kind, const char *message,
                  const char *dedupe_what) {
  if (!user_id || !*user_id) return DB_OK;
  char link[64], dedupe[200];
  link_of(ref, link);
  snprintf(dedupe, sizeof dedupe, "referral:%s:%s:%s", ref->id, dedupe_what, user_id);
  return svc_notify(req_db(r), r->app->cfg, user_id, kind, "referral", ref->id, message, link, dedupe, time_now());
}

/*
** Notifies the MASH manager(s) (the mash_manager setting, else the MASH
** staff's managers; the directors when there are none) about REF.
*/
static int notify_mash_managers(struct req *r, const struct referral *ref, const char *kind, const char *message,
                                const char *dedupe_what) {
  char ids[MAX_MANAGERS][ID_MAX];
  int n = 0;
  int rc = svc_mash_managers(req_db(r), r->app->cfg, ids, MAX_MANAGERS, &n);
  for (int i = 0; i < n && rc == DB_OK; i++) rc = notify(r, ref, ids[i], kind, message, dedupe_what);
  if (rc == DB_OK && n == 0) {
    char link[64], dedupe[200];
    link_of(ref, link);
    snprintf(dedupe, sizeof dedupe, "referral:%s:%s", ref->id, dedupe_what);
    rc = svc_notify_role(req_db(r), r->app->cfg, "director", kind, "referral", ref->id, message, link, dedupe,
                         time_now());
  }
  return rc;
}

/*
** Who answers for work a decision by DECIDER_ID leads to (a sign-off, a
** challenge): the decider's manager when they have an enabled one, else the
** first MASH manager who is not the decider, else nobody (the MASH queue,
** which escalates to the MASH managers and then the directors).  OUT is ""
** for nobody.
*/
static int decider_manager(struct req *r, const char *decider_id, char out[ID_MAX]) {
  out[0] = '\0';
  struct db *db = req_db(r);
  struct user u;
  int rc = decider_id && *decider_id ? store_user_by_id(db, decider_id, &u) : DB_DONE;
  if (rc < 0) return rc;
  if (rc == DB_ROW && u.manager_id[0]) {
    struct user m;
    int mrc = store_user_by_id(db, u.manager_id, &m);
    if (mrc < 0) return mrc;
    if (mrc == DB_ROW && !m.disabled) {
      snprintf(out, ID_MAX, "%s", m.id);
      return DB_OK;
    }
  }
  char ids[MAX_MANAGERS][ID_MAX];
  int n = 0;
  rc = svc_mash_managers(db, r->app->cfg, ids, MAX_MANAGERS, &n);
  if (rc != DB_OK) return rc;
  for (int i = 0; i < n; i++) {
    if (!same(ids[i], decider_id)) {
      snprintf(out, ID_MAX, "%.*s", ID_MAX - 1, ids[i]);
      break;
    }
  }
  return DB_OK;
}

/* True when REF carries an indicator of sexual exploitation of the risk tool in force. */
static bool carries_cse(struct req *r, const struct referral *ref) {
  json_t *codes = json_loads(ref->indicators ? ref->indicators : "[]", 0, NULL);
  bool cse = false;
  size_t i;
  json_t *c;
  json_array_foreach(codes, i, c) cse = cse || referral_indicator_is_cse(&r->app->risk_tool, json_string_value(c));
  json_decref(codes);
  return cse;
}

/* How many indicators REF carries. */
static size_t indicator_count(const struct referral *ref) {
  json_t *codes = json_loads(ref->indicators ? ref->indicators : "[]", 0, NULL);
  size_t n = json_array_size(codes);
  json_decref(codes);
  return n;
}

/* ---- history and chronology ---- */

/* Adds an event to child CHILD_ID's chronology, recorded for AGENCY_ID by USER_ID (either may be NULL). */
static int chronicle(struct req *r, const char *child_id, int64_t at, const char *type, const char *summary,
                     const char *referral_id, const char *agency_id, const char *user_id) {
  struct chron_event e;
  memset(&e, 0, sizeof e);
  snprintf(e.child_id, sizeof e.child_id, "%s", child_id);
  e.at = at;
  e.type = type;
  e.agency_id = agency_id && *agency_id ? agency_id : NULL;
  e.summary = summary;
  e.ref_type = "referral";
  e.ref_id = referral_id;
  e.recorded_by = user_id && *user_id ? user_id : NULL;
  return store_chronology_add(req_db(r), &e, time_now());
}

/*
** Records EVENT on REF's history at AT, by the request's user (or by
** Safehub itself when SYSTEM), with DETAIL (stolen; NULL for none).  When
** CHRON_TYPE is given, the event belongs on the child's chronology with
** SUMMARY: it is added there now if the child is known, and kept in the
** event so that confirming the child later can add it then.
*/
static int record(struct req *r, const struct referral *ref, int64_t at, const char *event, bool system, json_t *detail,
                  const char *chron_type, const char *summary) {
  if (!detail) detail = json_object();
  if (chron_type) json_object_set_new(detail, "chronology", json_pack("{s:s,s:s}", "type", chron_type, "summary", summary));
  const char *user = system ? NULL : r->who.user_id;
  int rc = store_referral_event_add(req_db(r), ref->id, at, event, user, detail);
  json_decref(detail);
  if (rc == DB_OK && chron_type && ref->child_id[0]) {
    rc = chronicle(r, ref->child_id, at, chron_type, summary, ref->id, system ? NULL : r->who.agency_id, user);
  }
  return rc;
}

/*
** Once the child of REF is known: the events recorded before then go on the
** child's chronology, at the times they happened and for the agencies that
** did them.
*/
static int backfill_chronology(struct req *r, const struct referral *ref) {
  json_t *events = NULL;
  int rc = store_referral_events(req_db(r), ref->id, &events);
  if (rc != DB_OK) return rc;
  size_t i;
  json_t *e;
  json_array_foreach(events, i, e) {
    json_t *chron = json_object_get(json_object_get(e, "detail"), "chronology");
    if (!json_is_object(chron)) continue;
    int64_t at = 0;
    time_parse_iso(jstr(e, "at"), &at);
    json_t *by = json_object_get(e, "by");
    rc = chronicle(r, ref->child_id, at, jstr(chron, "type"), jstr(chron, "summary"), ref->id, jstr(by, "agency_id"),
                   jstr(by, "id"));
    if (rc != DB_OK) break;
  }
  json_decref(events);
  return rc;
}

/*
** When a referral with indicators reaches a known child, asks for the
** child's risk assessment to be reviewed: a deadline on the child (kind
** risk_review_request) for the lead worker, or the MASH queue when there is
** none, that the risk assessment feature meets.  A request already open is
** left as it is.
*/
static int request_risk_review(struct req *r, const struct referral *ref) {
  if (!ref->child_id[0] || indicator_count(ref) == 0) return DB_OK;
  return svc_risk_review_request(r, ref->child_id, "Risk review requested after a new referral", false);
}

/* ---- the referral as JSON ---- */

/* A time as an ISO string, or null for 0. */
static json_t *iso_or_null(int64_t t) {
  if (!t) return json_null();
  char s[ISO_TIME_LEN];
  time_format_iso(t, s);
  return json_string(s);
}

/* A text, or null. */
static json_t *text_or_null(const char *s) { return s && *s ? json_string(s) : json_null(); }

/* Who USER_ID is ({"id","username","name"}), or null; CACHE (an object) keeps the answers. */
static json_t *who(struct db *db, const char *user_id, json_t *cache) {
  if (!user_id || !*user_id) return json_null();
  json_t *hit = json_object_get(cache, user_id);
  if (!hit) {
    json_t *brief = NULL;
    if (store_referral_user_brief(db, user_id, &brief) == DB_ROW) {
      hit = json_pack("{s:O,s:O,s:O}", "id", json_object_get(brief, "id"), "username",
                      json_object_get(brief, "username"), "name", json_object_get(brief, "name"));
    } else {
      hit = json_pack("{s:s,s:n,s:n}", "id", user_id, "username", "name");
    }
    json_decref(brief);
    json_object_set_new(cache, user_id, hit);
  }
  return json_deep_copy(hit);
}

/* What the request's user may do to REF now: the names of the operations. New reference. */
static json_t *actions_for(struct req *r, const struct referral *ref) {
  json_t *a = json_array();
  enum referral_status s;
  if (!referral_status_parse(ref->status, &s)) return a;
  bool decider = role_in(r->who.role, REFERRAL_DECIDERS), manager = role_in(r->who.role, REFERRAL_MANAGERS);
  const char *me = r->who.user_id;
  if (decider && !ref->child_id[0]) json_array_append_new(a, json_string("confirm_child"));
  if (decider && (s == RS_RECEIVED || s == RS_TRIAGED)) {
    json_array_append_new(a, json_string("assign"));
    json_array_append_new(a, json_string("triage"));
    json_array_append_new(a, json_string("decide"));
  }
  if (manager && s == RS_AWAITING_SIGNOFF && !same(ref->decided_by, me)) json_array_append_new(a, json_string("signoff"));
  if (s == RS_DECIDED && ref->challenge_round < ref->decision_round && may_challenge(r, ref))
    json_array_append_new(a, json_string("challenge"));
  if (manager && s == RS_CHALLENGED && !same(ref->decided_by, me))
    json_array_append_new(a, json_string("answer_challenge"));
  return a;
}

/* A short view of the confirmed child, or null. */
static json_t *child_summary(struct db *db, const char *child_id) {
  if (!child_id || !*child_id) return json_null();
  json_t *c = NULL;
  if (store_child_get(db, child_id, &c) != DB_ROW) return json_null();
  static const char *const keep[] = {"id", "first_name", "last_name", "aliases", "date_of_birth", "gender",
                                     "ethnicity", "postcode", "nhs_number", "looked_after", NULL};
  json_t *s = json_object();
  for (const char *const *k = keep; *k; k++) json_object_set(s, *k, json_object_get(c, *k));
  json_decref(c);
  return s;
}

/*
** The whole referral as the API shows it (new reference in *OUT), the
** child's own words first.  DB_OK or an error.
*/
static int referral_json(struct req *r, const struct referral *ref, json_t **out) {
  struct db *db = req_db(r);
  json_t *cache = json_object();
  json_t *o = json_object();
  json_object_set_new(o, "id", json_string(ref->id));
  json_object_set_new(o, "reference", json_string(ref->reference));
  json_object_set_new(o, "childs_words", text_or_null(ref->childs_words));
  json_object_set_new(o, "concern", json_string(ref->concern ? ref->concern : ""));
  json_object_set_new(o, "status", json_string(ref->status));
  json_object_set_new(o, "open", json_boolean(ref->is_open));
  json_object_set_new(o, "received_at", iso_or_null(ref->received_at));
  json_object_set_new(o, "due_at", iso_or_null(ref->due_at));
  json_object_set_new(o, "next_due_at", ref->is_open ? iso_or_null(ref->next_due_at) : json_null());
  json_t *ind = json_loads(ref->indicators ? ref->indicators : "[]", 0, NULL);
  json_object_set_new(o, "indicators", json_is_array(ind) ? ind : json_array());
  if (ind && !json_is_array(ind)) json_decref(ind);
  json_object_set_new(o, "immediate_danger", json_boolean(ref->immediate_danger));
  json_object_set_new(o, "child_id", text_or_null(ref->child_id));
  json_object_set_new(o, "child", child_summary(db, ref->child_id));
  json_t *details = ref->child_details ? json_loads(ref->child_details, 0, NULL) : NULL;
  json_object_set_new(o, "child_details", details ? details : json_null());
  struct agency ag;
  if (store_agency_by_id(db, ref->agency_id, &ag) == DB_ROW)
    json_object_set_new(o, "agency", json_pack("{s:s,s:s}", "code", ag.code, "name", ag.name));
  else
    json_object_set_new(o, "agency", json_null());
  json_object_set_new(o, "referrer", who(db, ref->referrer_id, cache));
  json_object_set_new(o, "rag", text_or_null(ref->rag));
  json_object_set_new(o, "rag_reason", text_or_null(ref->rag_reason));
  json_object_set_new(o, "triaged_at", iso_or_null(ref->triaged_at));
  json_object_set_new(o, "triaged_by", who(db, ref->triaged_by, cache));
  json_object_set_new(o, "assigned_to", who(db, ref->assigned_to, cache));
  json_object_set_new(o, "outcome", text_or_null(ref->outcome));
  json_object_set_new(o, "rationale", text_or_null(ref->rationale));
  json_object_set_new(o, "decided_at", iso_or_null(ref->decided_at));
  json_object_set_new(o, "decided_by", who(db, ref->decided_by, cache));
  json_object_set_new(o, "decision_round", json_integer(ref->decision_round));
  json_object_set_new(o, "signoff_needed", json_boolean(ref->signoff_needed));
  json_object_set_new(o, "signed_off_at", iso_or_null(ref->signed_off_at));
  json_object_set_new(o, "signed_off_by", who(db, ref->signed_off_by, cache));
  if (ref->challenged_at) {
    json_object_set_new(o, "challenge",
                        json_pack("{s:o,s:o,s:o,s:i,s:o,s:o,s:o,s:o}", "reason", text_or_null(ref->challenge_reason),
                                  "at", iso_or_null(ref->challenged_at), "by", who(db, ref->challenged_by, cache),
                                  "round", ref->challenge_round, "outcome", text_or_null(ref->challenge_outcome),
                                  "response", text_or_null(ref->challenge_response), "answered_at",
                                  iso_or_null(ref->challenge_answered_at), "answered_by",
                                  who(db, ref->challenge_answered_by, cache)));
  } else {
    json_object_set_new(o, "challenge", json_null());
  }
  json_object_set_new(o, "confirmed_at", iso_or_null(ref->confirmed_at));
  json_object_set_new(o, "confirmed_by", who(db, ref->confirmed_by, cache));
  json_decref(cache);
  json_t *deadlines = NULL, *escalations = NULL, *history = NULL;
  int rc = store_deadlines_for_item(db, "referral", ref->id, &deadlines);
  if (rc == DB_OK) rc = store_escalations_for_item(db, "referral", ref->id, &escalations);
  if (rc == DB_OK) rc = store_referral_events(db, ref->id, &history);
  if (rc != DB_OK) {
    json_decref(deadlines);
    json_decref(escalations);
    json_decref(o);
    return rc;
  }
  /* The chronology copy kept in each event is for the child's record, not for this view. */
  size_t i;
  json_t *e;
  json_array_foreach(history, i, e) json_object_del(json_object_get(e, "detail"), "chronology");
  json_object_set_new(o, "deadlines", deadlines);
  json_object_set_new(o, "escalations", escalations);
  json_object_set_new(o, "history", history);
  json_object_set_new(o, "actions", actions_for(r, ref));
  json_object_set_new(o, "updated_at", iso_or_null(ref->updated_at));
  json_object_set_new(o, "version", json_integer(ref->version));
  *out = o;
  return DB_OK;
}

/* ---- reading ---- */

/*
** Reads referral ID for the request's user (new reference in *OUT).  Hidden
** and absent referrals are both SVC_NOT_FOUND; every outcome is audited
** (referral.read, and child.referral_read on a known child's record).
*/
int svc_referral_get(struct req *r, const char *id, json_t **out) {
  struct referral ref;
  int rc = load(r, id, "referral.read", &ref);
  if (rc != SVC_OK) return rc;
  if (referral_json(r, &ref, out) != DB_OK) {
    store_referral_free(&ref);
    return SVC_ERROR;
  }
  json_t *d = json_pack("{s:s,s:s?}", "reference", ref.reference, "child_id", ref.child_id[0] ? ref.child_id : NULL);
  req_audit(r, "referral.read", "referral", ref.id, "ok", d);
  json_decref(d);
  if (ref.child_id[0]) {
    d = json_pack("{s:s}", "referral", ref.id);
    req_audit(r, "child.referral_read", "child", ref.child_id, "ok", d);
    json_decref(d);
  }
  store_referral_free(&ref);
  return SVC_OK;
}

/*
** Lists referrals for the request's user: for the MASH, managers and the
** director, every referral (the MASH queue: open ones, soonest deadline
** first, unless F asks for "decided" or "all"); for everyone else, the
** referrals they raised, newest first.  The listing names references, never
** a child.  Audited as referral.list.
*/
int svc_referral_list(struct req *r, const struct referral_filter *f, struct field_errors *errs, json_t **out) {
  bool area = policy_sees_all_children(r->who.role);
  const char *status = f->status && *f->status ? f->status : NULL;
  const char *rag = f->rag && *f->rag ? f->rag : NULL;
  if (status && strcmp(status, "open") != 0 && strcmp(status, "all") != 0 && !code_valid(REFERRAL_STATUSES, status))
    ferr_add(errs, "status", "must be open, all, received, triaged, awaiting_signoff, decided or challenged");
  if (rag && !code_valid(REFERRAL_RAGS, rag)) ferr_add(errs, "rag", "must be red, amber or green");
  if (f->page < 1 || f->page > 100000) ferr_add(errs, "page", "must be a whole number from 1");
  if (ferr_any(errs)) return invalid(r, "referral.list", NULL, errs);
  if (!status) status = area ? "open" : "all";
  struct referral_query q;
  memset(&q, 0, sizeof q);
  q.limit = REFERRAL_PAGE_SIZE;
  q.offset = (f->page - 1) * REFERRAL_PAGE_SIZE;
  q.rag = rag;
  enum referral_status s;
  bool specific = referral_status_parse(status, &s);
  if (area) {
    q.scope = !strcmp(status, "open") || (specific && referral_status_open(s)) ? REF_SCOPE_OPEN : REF_SCOPE_ALL;
  } else {
    q.scope = REF_SCOPE_REFERRER;
    q.who = r->who.user_id;
    q.only_open = !strcmp(status, "open");
  }
  q.status = specific ? status : NULL;
  json_t *items = NULL;
  int64_t total = 0;
  if (store_referral_list(req_db(r), &q, &items, &total) != DB_OK) return SVC_ERROR;
  *out = json_pack("{s:o,s:I,s:i,s:i,s:s,s:s?,s:s}", "referrals", items, "total", (json_int_t)total, "page", f->page,
                   "per_page", REFERRAL_PAGE_SIZE, "status", status, "rag", rag, "view",
                   area ? "mash_queue" : "raised_by_me");
  json_t *d = json_pack("{s:s,s:s?,s:i,s:I}", "status", status, "rag", rag, "page", f->page, "total",
                        (json_int_t)total);
  req_audit(r, "referral.list", "referrals", NULL, "ok", d);
  json_decref(d);
  return SVC_OK;
}

/*
** The referrals about child CHILD_ID, newest first, each with the child's
** words and the concern (new reference).  A child the user may not see is
** SVC_NOT_FOUND.  Audited as child.referrals.
*/
int svc_child_referrals(struct req *r, const char *child_id, json_t **out) {
  bool visible = false;
  if (svc_child_access(r, child_id, &visible) != SVC_OK) return SVC_ERROR;
  json_t *exists = NULL;
  int rc = visible ? store_child_get(req_db(r), child_id, &exists) : DB_DONE;
  json_decref(exists);
  if (rc == DB_DONE) {
    req_audit(r, "child.referrals", "child", child_id, visible ? "not_found" : "denied", NULL);
    return SVC_NOT_FOUND;
  }
  if (rc != DB_ROW) return SVC_ERROR;
  struct referral_query q;
  memset(&q, 0, sizeof q);
  q.scope = REF_SCOPE_CHILD;
  q.who = child_id;
  q.limit = 500;
  json_t *items = NULL;
  int64_t total = 0;
  if (store_referral_list(req_db(r), &q, &items, &total) != DB_OK) return SVC_ERROR;
  *out = json_pack("{s:o,s:I}", "referrals", items, "total", (json_int_t)total);
  json_t *d = json_pack("{s:I}", "shown", (json_int_t)json_array_size(items));
  req_audit(r, "child.referrals", "child", child_id, "ok", d);
  json_decref(d);
  return SVC_OK;
}

/* The MASH workers and managers a referral can be given to (new reference). */
int svc_referral_mash_staff(struct req *r, json_t **out) {
  return store_referral_mash_staff(req_db(r), out) == DB_OK ? SVC_OK : SVC_ERROR;
}

/* ---- possible matches ---- */

/* Adds to IDS (an object used as a set) the children matching every one of the exact keys TERMS. */
static int gather(struct db *db, const struct search_key *keys, int nkeys, json_t *ids) {
  struct search_term t[STORE_SEARCH_TERMS];
  int n = nkeys < STORE_SEARCH_TERMS ? nkeys : STORE_SEARCH_TERMS;
  for (int i = 0; i < n; i++) {
    memset(&t[i], 0, sizeof t[i]);
    snprintf(t[i].kind, sizeof t[i].kind, "%s", keys[i].kind);
    snprintf(t[i].lo, sizeof t[i].lo, "%s", keys[i].key);
    /* An exact key K is the range [K, K"0"): nothing a key holds sorts between them but K's own extensions by '-'. */
    snprintf(t[i].hi, sizeof t[i].hi, "%.62s0", keys[i].key);
  }
  char **found = NULL;
  int nfound = 0;
  int rc = store_child_search(db, t, n, NULL, MATCH_CANDIDATES, &found, &nfound);
  if (rc != DB_OK) return rc;
  for (int i = 0; i < nfound; i++) json_object_set_new(ids, found[i], json_true());
  store_free_ids(found, nfound);
  return DB_OK;
}

/* A search key of KIND and KEY. */
static struct search_key key_of(const char *kind, const char *key) {
  struct search_key k;
  memset(&k, 0, sizeof k);
  snprintf(k.kind, sizeof k.kind, "%s", kind);
  snprintf(k.key, sizeof k.key, "%s", key);
  return k;
}

/* Candidates for GIVEN (the child's details): ids in the object IDS. */
static int candidates(struct db *db, json_t *given, json_t *ids) {
  char first[64] = "", last[64] = "", pc[64] = "";
  if (jstr(given, "first_name")) text_fold_key(jstr(given, "first_name"), first, sizeof first);
  if (jstr(given, "last_name")) text_fold_key(jstr(given, "last_name"), last, sizeof last);
  if (jstr(given, "postcode")) text_fold_key(jstr(given, "postcode"), pc, sizeof pc);
  const char *dob = jstr(given, "date_of_birth"), *nhs = jstr(given, "nhs_number");
  int rc = DB_OK;
  struct search_key k[2];
  if (nhs && *nhs) {
    k[0] = key_of("h", nhs);
    rc = gather(db, k, 1, ids);
  }
  if (rc == DB_OK && dob && *last) {
    k[0] = key_of("d", dob), k[1] = key_of("n", last);
    rc = gather(db, k, 2, ids);
  }
  if (rc == DB_OK && dob && *first) {
    k[0] = key_of("d", dob), k[1] = key_of("n", first);
    rc = gather(db, k, 2, ids);
  }
  if (rc == DB_OK && *first && *last) {
    k[0] = key_of("n", last), k[1] = key_of("n", first);
    rc = gather(db, k, 2, ids);
  }
  if (rc == DB_OK && *pc && *last) {
    k[0] = key_of("p", pc), k[1] = key_of("n", last);
    rc = gather(db, k, 2, ids);
  }
  /* Sound-alike names with the birth year, the district or each other: the keys record linkage blocks on. */
  struct search_key sound[16];
  int ns = child_match_keys(jstr(given, "first_name"), jstr(given, "last_name"), dob, jstr(given, "postcode"), sound,
                            0, 16);
  for (int i = 0; i < ns && rc == DB_OK; i++) rc = gather(db, &sound[i], 1, ids);
  return rc;
}

/* Exact matches first, then by the linkage model's probability, then by the referral scorer's score. */
static int cmp_score(const void *a, const void *b) {
  json_t *ja = *(json_t *const *)a, *jb = *(json_t *const *)b;
  bool ea = json_is_true(json_object_get(ja, "exact")), eb = json_is_true(json_object_get(jb, "exact"));
  if (ea != eb) return ea ? -1 : 1;
  double pa = json_number_value(json_object_get(ja, "probability"));
  double pb = json_number_value(json_object_get(jb, "probability"));
  if (pa != pb) return pa < pb ? 1 : -1;
  double x = json_real_value(json_object_get(ja, "score"));
  double y = json_real_value(json_object_get(jb, "score"));
  if (x != y) return x < y ? 1 : -1;
  return strcmp(jstr(*(json_t *const *)a, "child_id"), jstr(*(json_t *const *)b, "child_id"));
}

/*
** Children known to Safehub who may be the child referral ID describes,
** best first: {"candidates":[{"child_id","first_name","last_name","aliases",
** "date_of_birth","postcode","nhs_number","score","exact","explanation",
** "probability","match_weight","comparison"}]} (the last three from the
** record-linkage model, null when it did not offer the child)
** (new reference).  Exact matches (the same NHS number, or the same names and
** date of birth) and near ones (slips, other spellings, short forms, close
** dates).  For the MASH and managers.  Audited: the search, and each child
** shown.
*/
int svc_referral_matches(struct req *r, const char *id, json_t **out) {
  struct referral ref;
  int rc = load(r, id, "referral.matches", &ref);
  if (rc != SVC_OK) return rc;
  struct db *db = req_db(r);
  json_t *given = ref.child_details ? json_loads(ref.child_details, 0, NULL) : NULL;
  if (!json_is_object(given) && ref.child_id[0]) {
    json_decref(given);
    given = NULL;
    if (store_child_get(db, ref.child_id, &given) != DB_ROW) given = NULL;
  }
  json_t *ids = json_object();
  json_t *list = json_array();
  rc = json_is_object(given) ? candidates(db, given, ids) : DB_OK;
  /* The record-linkage model's candidates too, with their probability: it finds what exact keys miss. */
  json_t *model = json_object();
  if (rc == DB_OK && json_is_object(given)) {
    struct people_match pm;
    if (svc_people_match_json(r, given, MATCHES_SHOWN, MODEL_MIN_PROBABILITY, NULL, &pm) == SVC_OK) {
      size_t i;
      json_t *c;
      json_array_foreach(pm.candidates, i, c) {
        const char *mid = jstr(c, "child_id");
        json_object_set_new(ids, mid, json_true());
        json_object_set(model, mid, c);
      }
    }
    json_decref(pm.candidates);
  }
  const char *cid;
  json_t *unused;
  json_object_foreach(ids, cid, unused) {
    if (rc != DB_OK) break;
    json_t *known = NULL;
    int grc = store_child_get(db, cid, &known);
    if (grc < 0) rc = grc;
    if (grc != DB_ROW) continue;
    if (json_is_string(json_object_get(known, "merged_into"))) {
      json_decref(known); /* merged away: its kept record is offered instead */
      continue;
    }
    struct referral_match m;
    referral_match_score(given, known, &m);
    json_t *fs = json_object_get(model, cid);
    if (referral_match_worth_showing(&m) || fs) {
      json_t *cand = json_pack("{s:s,s:O,s:O,s:O,s:O,s:O,s:O,s:f,s:b,s:o}", "child_id", cid, "first_name",
                               json_object_get(known, "first_name"), "last_name", json_object_get(known, "last_name"),
                               "aliases", json_object_get(known, "aliases"), "date_of_birth",
                               json_object_get(known, "date_of_birth"), "postcode", json_object_get(known, "postcode"),
                               "nhs_number", json_object_get(known, "nhs_number"), "score", m.score, "exact", m.exact,
                               "explanation", referral_match_explain(&m));
      json_object_set_new(cand, "probability", fs ? json_incref(json_object_get(fs, "probability")) : json_null());
      json_object_set_new(cand, "match_weight", fs ? json_incref(json_object_get(fs, "match_weight")) : json_null());
      json_object_set_new(cand, "comparison", fs ? json_incref(json_object_get(fs, "explanation")) : json_null());
      json_array_append_new(list, cand);
    }
    json_decref(known);
  }
  json_decref(model);
  json_decref(ids);
  json_decref(given);
  if (rc != DB_OK) {
    json_decref(list);
    store_referral_free(&ref);
    return SVC_ERROR;
  }
  size_t n = json_array_size(list);
  json_t **sorted = xcalloc(n + 1, sizeof *sorted);
  for (size_t i = 0; i < n; i++) sorted[i] = json_incref(json_array_get(list, i));
  qsort(sorted, n, sizeof *sorted, cmp_score);
  json_t *shown = json_array();
  for (size_t i = 0; i < n; i++) {
    if (i < MATCHES_SHOWN) {
      json_t *d = json_pack("{s:s}", "referral", ref.id);
      req_audit(r, "child.match_result", "child", jstr(sorted[i], "child_id"), "ok", d);
      json_decref(d);
      json_array_append(shown, sorted[i]);
    }
    json_decref(sorted[i]);
  }
  free(sorted);
  json_decref(list);
  json_t *d = json_pack("{s:I}", "shown", (json_int_t)json_array_size(shown));
  req_audit(r, "referral.matches", "referral", ref.id, "ok", d);
  json_decref(d);
  *out = json_pack("{s:o,s:b}", "candidates", shown, "confirmed", ref.child_id[0] != '\0');
  store_referral_free(&ref);
  return SVC_OK;
}

/* ---- raising a referral ---- */

/*
** Checks the indicator codes in INPUT against the risk tool in force: each
** must be one of its indicators, and none may be listed twice.
*/
static bool check_indicators(struct req *r, json_t *input, struct field_errors *errs) {
  json_t *list = json_object_get(input, "indicators");
  if (!json_is_array(list)) return true;
  const struct risk_tool *tool = &r->app->risk_tool;
  bool ok = true;
  size_t i;
  json_t *c;
  json_array_foreach(list, i, c) {
    char path[48];
    snprintf(path, sizeof path, "indicators[%zu]", i);
    const char *code = json_string_value(c);
    if (!code) continue; /* fields_check has said so */
    if (!risk_tool_indicator(tool, code)) {
      ferr_add(errs, path, "is not an indicator of the risk tool in force (%s, version %s)", tool->name ? tool->name : "",
               tool->version ? tool->version : "");
      ok = false;
      continue;
    }
    for (size_t j = 0; j < i; j++) {
      if (same(json_string_value(json_array_get(list, j)), code)) {
        ferr_add(errs, path, "lists an indicator already listed");
        ok = false;
      }
    }
  }
  return ok;
}

/* Checks the child's details (validated and normalised in place), naming problems "child.FIELD". */
static bool check_child_details(json_t *child, int64_t today, struct field_errors *errs) {
  struct field_errors sub;
  ferr_init(&sub);
  bool ok = child_validate(child, false, today, &sub);
  if (ok && json_is_object(json_object_get(child, "placement")) && !json_is_true(json_object_get(child, "looked_after"))) {
    ferr_add(&sub, "placement", "is only recorded for a looked-after child (set looked_after to true)");
    ok = false;
  }
  const char *k;
  json_t *v;
  json_object_foreach(sub.fields, k, v) {
    char path[200];
    snprintf(path, sizeof path, "child.%s", k);
    ferr_add(errs, path, "%s", json_string_value(v));
  }
  ferr_free(&sub);
  return ok;
}

/* "; " and TEXT appended to the summary SUM. */
static void add_part(char *sum, size_t cap, const char *text) {
  size_t n = strlen(sum);
  snprintf(sum + n, cap - n, "; %s", text);
}

/*
** Checks a new referral's INPUT as svc_referral_create does (the child's
** details are normalised in place), writing nothing and auditing nothing:
** SVC_OK, SVC_INVALID with ERRS filled, or SVC_ERROR.  For forms that must
** show every mistake at once.
*/
int svc_referral_check(struct req *r, json_t *input, struct field_errors *errs) {
  int64_t today = london_today(time_now());
  bool ok = fields_check(input, CREATE_SPEC, NULL, false, errs);
  json_t *child_id_v = json_object_get(input, "child_id"), *child = json_object_get(input, "child");
  const char *child_id = json_string_value(child_id_v);
  if (child_id_v && child) {
    ferr_add(errs, "child", "give either child_id (a child known to Safehub) or child (the child's details), not both");
    ok = false;
  } else if (!child_id_v && !child) {
    ferr_add(errs, "child", "is required: give child_id (a child known to Safehub) or child (the child's details)");
    ok = false;
  }
  if (json_is_object(child) && !child_id_v) ok = check_child_details(child, today, errs) && ok;
  if (child_id && !ferr_get(errs, "child_id")) {
    bool visible = false;
    if (svc_child_access(r, child_id, &visible) != SVC_OK) return SVC_ERROR;
    json_t *c = NULL;
    int grc = visible ? store_child_get(req_db(r), child_id, &c) : DB_DONE;
    json_decref(c);
    if (grc < 0) return SVC_ERROR;
    if (grc != DB_ROW) {
      ferr_add(errs, "child_id", "is not a child whose record is open to you: give the child's details instead");
      ok = false;
    }
  }
  ok = check_indicators(r, input, errs) && ok;
  return ok ? SVC_OK : SVC_INVALID;
}

/*
** Raises a referral from INPUT (the contract's fields; validated, and the
** child's details normalised, in place) by the request's user for their
** agency.  Acknowledges it to the referrer, puts the triage and the decision
** on the clock (a child in immediate danger is rated red at once and the
** MASH manager told), and, when the child is known, involves the referrer's
** agency, records it on the child's chronology and asks for a risk review if
** it carries indicators.  Fills ID_OUT.
*/
int svc_referral_create(struct req *r, json_t *input, struct field_errors *errs, char id_out[ID_MAX]) {
  int64_t now = time_now(), today = london_today(now);
  const struct config *cfg = r->app->cfg;
  int vrc = svc_referral_check(r, input, errs);
  if (vrc == SVC_INVALID) return invalid(r, "referral.create", NULL, errs);
  if (vrc != SVC_OK) return SVC_ERROR;
  json_t *child = json_object_get(input, "child");
  const char *child_id = json_string_value(json_object_get(input, "child_id"));

  struct referral ref;
  memset(&ref, 0, sizeof ref);
  ids_new("rf", ref.id, sizeof ref.id);
  snprintf(ref.child_id, sizeof ref.child_id, "%s", child_id ? child_id : "");
  ref.child_details = json_is_object(child) ? json_dumps(child, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  snprintf(ref.agency_id, sizeof ref.agency_id, "%s", r->who.agency_id);
  snprintf(ref.referrer_id, sizeof ref.referrer_id, "%s", r->who.user_id);
  ref.concern = xstrdup(jstr(input, "concern"));
  ref.childs_words = jstr(input, "childs_words") && *jstr(input, "childs_words") ? xstrdup(jstr(input, "childs_words")) : NULL;
  json_t *ind = json_object_get(input, "indicators");
  ref.indicators = json_is_array(ind) ? json_dumps(ind, JSON_COMPACT) : xstrdup("[]");
  ref.immediate_danger = json_is_true(json_object_get(input, "immediate_danger"));
  ref.received_at = now;
  ref.due_at = svc_add_working_days(r, now, cfg->decision_working_days);
  ref.decision_round = 1;
  ref.is_open = true;
  ref.updated_at = now;
  int64_t triage_due = svc_add_working_hours(r, now, cfg->triage_red_hours);
  /* Every referral is received, to be rated and decided by the MASH; one reporting immediate danger is red
     from the start (not yet rated by the MASH: triaged_at stays unset until someone there rates it). */
  snprintf(ref.status, sizeof ref.status, "received");
  if (ref.immediate_danger) {
    snprintf(ref.rag, sizeof ref.rag, "red");
    ref.rag_reason = xstrdup("The referrer reported that the child is in immediate danger.");
  }
  ref.next_due_at = triage_due < ref.due_at ? triage_due : ref.due_at;
  int year = 0, month, day;
  civil_from_days(today, &year, &month, &day);

  struct db *db = req_db(r);
  int64_t number = 0;
  char summary[400];
  int rc = db_begin(db);
  if (rc == DB_OK) rc = store_referral_next_number(db, year, &number);
  if (rc == DB_OK && !referral_reference_format(year, number, ref.reference, sizeof ref.reference)) rc = DB_ERROR;
  if (rc == DB_OK) rc = store_referral_insert(db, &ref);
  if (rc == DB_OK) rc = open_deadline(r, &ref, "decision", 1, "decision", NULL, ref.due_at);
  if (rc == DB_OK) rc = open_deadline(r, &ref, "triage", 1, "rating (triage)", NULL, triage_due);
  if (rc == DB_OK && ref.immediate_danger) {
    int64_t checks = svc_add_working_hours(r, now, cfg->triage_red_hours);
    rc = open_deadline(r, &ref, "mash_checks", 1, "MASH checks (red)", NULL, checks);
  }
  if (rc == DB_OK && ref.child_id[0]) rc = store_child_involve(db, ref.child_id, ref.agency_id, "raised a referral", now);
  if (rc == DB_OK) {
    size_t nind = indicator_count(&ref);
    snprintf(summary, sizeof summary, "Referral %s received from %s", ref.reference, r->who.agency_name);
    if (ref.immediate_danger) add_part(summary, sizeof summary, "immediate danger reported");
    if (nind) {
      char part[64];
      snprintf(part, sizeof part, "%zu indicator%s recorded", nind, nind == 1 ? "" : "s");
      add_part(summary, sizeof summary, part);
    }
    json_t *detail = json_pack("{s:b,s:I,s:s}", "immediate_danger", ref.immediate_danger, "indicators", (json_int_t)nind,
                               "child", ref.child_id[0] ? "known" : "details given");
    rc = record(r, &ref, now, "received", false, detail, "referral", summary);
  }
  if (rc == DB_OK && ref.immediate_danger) {
    snprintf(summary, sizeof summary, "Referral %s: red at once (immediate danger reported)", ref.reference);
    rc = record(r, &ref, now, "danger_reported", true, json_pack("{s:s}", "rag", "red"), "triage", summary);
  }
  if (rc == DB_OK) rc = request_risk_review(r, &ref);
  if (rc == DB_OK) {
    char msg[300];
    snprintf(msg, sizeof msg, "Referral %s received: the MASH will rate it and decide within %d working day%s",
             ref.reference, cfg->decision_working_days, cfg->decision_working_days == 1 ? "" : "s");
    rc = notify(r, &ref, ref.referrer_id, "acknowledgement", msg, "received");
  }
  if (rc == DB_OK && ref.immediate_danger) {
    char msg[300], link[64];
    snprintf(msg, sizeof msg, "Referral %s: a child reported in immediate danger. Rated red: act now", ref.reference);
    rc = notify_mash_managers(r, &ref, "immediate_danger", msg, "danger");
    link_of(&ref, link);
    char dedupe[120];
    snprintf(dedupe, sizeof dedupe, "referral:%s:danger:mash", ref.id);
    if (rc == DB_OK)
      rc = svc_notify_role(db, cfg, "mash", "immediate_danger", "referral", ref.id, msg, link, dedupe, now);
  }
  if (rc == DB_OK) rc = store_referral_refresh_due(db, ref.id);
  if (rc == DB_OK) {
    json_t *d = json_pack("{s:s,s:o,s:b,s:I,s:s?}", "reference", ref.reference, "fields", field_names(input),
                          "immediate_danger", ref.immediate_danger, "indicators", (json_int_t)indicator_count(&ref),
                          "child_id", ref.child_id[0] ? ref.child_id : NULL);
    rc = req_audit_tx(r, "referral.create", "referral", ref.id, d);
    json_decref(d);
  }
  if (rc == DB_OK) rc = db_commit(db);
  if (rc != DB_OK) {
    db_rollback(db);
    store_referral_free(&ref);
    return SVC_ERROR;
  }
  snprintf(id_out, ID_MAX, "%s", ref.id);
  store_referral_free(&ref);
  return SVC_OK;
}

/* ---- changing a referral ---- */

/*
** Writes REF over the stored referral (which was at OLD_VERSION) and then
** lets STEPS add what goes with the change, in one transaction with the
** audit entry ACTION (DETAILS stolen); BEFORE, when given, runs first (for
** rows the referral will refer to).  SVC_CONFLICT when someone else changed
** the referral meanwhile.
*/
typedef int (*change_steps)(struct req *r, struct referral *ref, void *arg);
static int commit_change_with(struct req *r, struct referral *ref, int old_version, change_steps before,
                              change_steps steps, void *arg, const char *action, json_t *details, char *why) {
  struct db *db = req_db(r);
  ref->updated_at = time_now();
  int rc = db_begin(db);
  if (rc == DB_OK && before) rc = before(r, ref, arg);
  if (rc == DB_OK) rc = store_referral_update(db, ref, old_version);
  if (rc == DB_DONE) {
    db_rollback(db);
    json_decref(details);
    say_why(why, "Someone else changed the referral at the same moment. Look at it again before you try again.");
    refused(r, action, ref->id, "conflict", json_pack("{s:s}", "reason", "changed meanwhile"));
    return SVC_CONFLICT;
  }
  if (rc == DB_OK) rc = steps(r, ref, arg);
  if (rc == DB_OK) rc = store_referral_refresh_due(db, ref->id);
  if (rc == DB_OK) rc = req_audit_tx(r, action, "referral", ref->id, details);
  if (rc == DB_OK) rc = db_commit(db);
  json_decref(details);
  if (rc != DB_OK) {
    db_rollback(db);
    return SVC_ERROR;
  }
  return SVC_OK;
}

/* commit_change_with nothing to do before the referral is written. */
static int commit_change(struct req *r, struct referral *ref, int old_version, change_steps steps, void *arg,
                         const char *action, json_t *details, char *why) {
  return commit_change_with(r, ref, old_version, NULL, steps, arg, action, details, why);
}

/*
** The common start of every change: loads the referral (404 when hidden),
** checks EV may happen in its status (409), then the fields of INPUT
** against SPEC (422).  EV RE_COUNT skips the state check.
*/
static int begin_change(struct req *r, const char *id, const char *action, enum referral_event ev, json_t *input,
                        const struct field_spec *spec, struct field_errors *errs, char *why, struct referral *ref,
                        enum referral_status *status) {
  int rc = load(r, id, action, ref);
  if (rc != SVC_OK) return rc;
  if (!referral_status_parse(ref->status, status)) {
    store_referral_free(ref);
    return SVC_ERROR;
  }
  enum referral_status to;
  if (ev != RE_COUNT && referral_transition(*status, ev, ref->triaged_at != 0, &to) != 0) {
    rc = conflict(r, action, ref, referral_refusal(*status, ev), why);
    store_referral_free(ref);
    return rc;
  }
  if (!fields_check(input, spec, NULL, false, errs)) {
    store_referral_free(ref);
    return invalid(r, action, id, errs);
  }
  return SVC_OK;
}

/* The history summary's start: "Referral R-2026-000123: ". */
static void lead_in(const struct referral *ref, char *out, size_t cap) { snprintf(out, cap, "Referral %s: ", ref->reference); }

/* -- rating -- */

struct triage_arg {
  int64_t checks_due;
  const char *reason;
};

static int triage_steps(struct req *r, struct referral *ref, void *arg) {
  struct triage_arg *a = arg;
  char what[64], summary[200];
  snprintf(what, sizeof what, "MASH checks (%s)", ref->rag);
  int rc = meet(r, ref, "triage", 1);
  if (rc == DB_OK) rc = open_deadline(r, ref, "mash_checks", 1, what, ref->assigned_to, a->checks_due);
  lead_in(ref, summary, sizeof summary);
  size_t n = strlen(summary);
  snprintf(summary + n, sizeof summary - n, "rated %s by the MASH", ref->rag);
  if (rc == DB_OK)
    rc = record(r, ref, time_now(), "triaged", false, json_pack("{s:s,s:s}", "rag", ref->rag, "reason", a->reason),
                "triage", summary);
  return rc;
}

/*
** Rates referral ID red, amber or green with a reason ({"rag","reason"}),
** or rates it again before the decision.  The rating puts the MASH checks
** on the clock: its working hours (triage_red/amber/green_hours) from
** receipt.
*/
int svc_referral_triage(struct req *r, const char *id, json_t *input, struct field_errors *errs, char *why) {
  struct referral ref;
  enum referral_status s;
  int rc = begin_change(r, id, "referral.triage", RE_TRIAGE, input, TRIAGE_SPEC, errs, why, &ref, &s);
  if (rc != SVC_OK) return rc;
  const struct config *cfg = r->app->cfg;
  int old = ref.version;
  const char *rag = jstr(input, "rag");
  snprintf(ref.rag, sizeof ref.rag, "%s", rag);
  store_referral_set_text(&ref.rag_reason, jstr(input, "reason"));
  snprintf(ref.status, sizeof ref.status, "triaged");
  ref.triaged_at = time_now();
  snprintf(ref.triaged_by, sizeof ref.triaged_by, "%s", r->who.user_id);
  int hours = referral_rag_hours(rag, cfg->triage_red_hours, cfg->triage_amber_hours, cfg->triage_green_hours);
  struct triage_arg a = {svc_add_working_hours(r, ref.received_at, hours), jstr(input, "reason")};
  json_t *d = json_pack("{s:s,s:s}", "reference", ref.reference, "rag", rag);
  rc = commit_change(r, &ref, old, triage_steps, &a, "referral.triage", d, why);
  store_referral_free(&ref);
  return rc;
}

/* -- deciding -- */

struct decide_arg {
  bool needs_signoff;
  char signoff_owner[ID_MAX];
  int64_t signoff_due;
};

static int decide_steps(struct req *r, struct referral *ref, void *arg) {
  struct decide_arg *a = arg;
  int round = ref->decision_round;
  const char *label = code_label(REFERRAL_OUTCOMES, ref->outcome);
  int rc = meet(r, ref, "decision", round);
  if (rc == DB_OK) rc = meet(r, ref, "triage", 1);
  if (rc == DB_OK) rc = meet(r, ref, "mash_checks", 1);
  char msg[300], summary[300];
  lead_in(ref, summary, sizeof summary);
  size_t n = strlen(summary);
  if (a->needs_signoff) {
    snprintf(summary + n, sizeof summary - n, "decided: %s (waiting for a manager's sign-off)", label);
    if (rc == DB_OK)
      rc = open_deadline(r, ref, "signoff", round, "manager's sign-off of no further action", a->signoff_owner,
                         a->signoff_due);
    snprintf(msg, sizeof msg, "Referral %s: closing with no further action needs your sign-off", ref->reference);
    char what[32];
    snprintf(what, sizeof what, "signoff:%d", round);
    if (rc == DB_OK && a->signoff_owner[0]) rc = notify(r, ref, a->signoff_owner, "signoff", msg, what);
    else if (rc == DB_OK) rc = notify_mash_managers(r, ref, "signoff", msg, what);
  } else {
    snprintf(summary + n, sizeof summary - n, "decided: %s", label);
    snprintf(msg, sizeof msg, "Referral %s: decision made (%s). Open the referral to read the reasons", ref->reference,
             label);
    char what[32];
    snprintf(what, sizeof what, "decision:%d", round);
    if (rc == DB_OK) rc = notify(r, ref, ref->referrer_id, "decision", msg, what);
  }
  if (rc == DB_OK)
    rc = record(r, ref, time_now(), "decided", false,
                json_pack("{s:s,s:s,s:i,s:b}", "outcome", ref->outcome, "rationale", ref->rationale, "round", round,
                          "signoff_needed", a->needs_signoff),
                "decision", summary);
  return rc;
}

/*
** Decides referral ID ({"outcome","rationale"}).  Closing with no further
** action a referral rated red, reported in immediate danger or carrying an
** exploitation indicator waits for a manager's sign-off (the decider's
** manager, else the MASH manager); any other decision takes effect at once
** and the referrer is told.  A second decision is SVC_CONFLICT.
*/
int svc_referral_decide(struct req *r, const char *id, json_t *input, struct field_errors *errs, char *why) {
  struct referral ref;
  enum referral_status s;
  int rc = begin_change(r, id, "referral.decide", RE_DECIDE, input, DECISION_SPEC, errs, why, &ref, &s);
  if (rc != SVC_OK) return rc;
  int old = ref.version;
  struct decide_arg a;
  memset(&a, 0, sizeof a);
  const char *outcome = jstr(input, "outcome");
  a.needs_signoff = referral_needs_signoff(outcome, ref.rag, ref.immediate_danger, carries_cse(r, &ref));
  enum referral_status to;
  referral_transition(s, a.needs_signoff ? RE_DECIDE_FOR_SIGNOFF : RE_DECIDE, ref.triaged_at != 0, &to);
  snprintf(ref.status, sizeof ref.status, "%s", referral_status_name(to));
  snprintf(ref.outcome, sizeof ref.outcome, "%s", outcome);
  store_referral_set_text(&ref.rationale, jstr(input, "rationale"));
  ref.decided_at = time_now();
  snprintf(ref.decided_by, sizeof ref.decided_by, "%s", r->who.user_id);
  ref.signoff_needed = a.needs_signoff;
  ref.signed_off_at = 0;
  ref.signed_off_by[0] = '\0';
  ref.is_open = referral_status_open(to);
  if (a.needs_signoff) {
    if (decider_manager(r, r->who.user_id, a.signoff_owner) != DB_OK) {
      store_referral_free(&ref);
      return SVC_ERROR;
    }
    a.signoff_due = svc_add_working_hours(r, ref.decided_at, r->app->cfg->signoff_working_hours);
  }
  json_t *d = json_pack("{s:s,s:s,s:b,s:i}", "reference", ref.reference, "outcome", outcome, "signoff_needed",
                        a.needs_signoff, "round", ref.decision_round);
  rc = commit_change(r, &ref, old, decide_steps, &a, "referral.decide", d, why);
  store_referral_free(&ref);
  return rc;
}

/* Clears REF's decision and starts decision round N+1, due DUE, owned by OWNER (NULL: the MASH queue). */
static void new_round(struct referral *ref, int64_t due) {
  ref->decision_round++;
  ref->outcome[0] = '\0';
  store_referral_set_text(&ref->rationale, NULL);
  ref->decided_at = 0;
  ref->decided_by[0] = '\0';
  ref->signoff_needed = false;
  ref->signed_off_at = 0;
  ref->signed_off_by[0] = '\0';
  ref->due_at = due;
  ref->is_open = true;
}

/* -- sign-off -- */

struct signoff_arg {
  bool approved;
  const char *reason;
  int round;             /* the round signed off */
  char decider[ID_MAX];  /* who made the decision sent back */
  char outcome[24];
};

static int signoff_steps(struct req *r, struct referral *ref, void *arg) {
  struct signoff_arg *a = arg;
  int rc = meet(r, ref, "signoff", a->round);
  char msg[300], summary[300], what[32];
  lead_in(ref, summary, sizeof summary);
  size_t n = strlen(summary);
  if (a->approved) {
    snprintf(summary + n, sizeof summary - n, "no further action signed off by a manager");
    snprintf(msg, sizeof msg, "Referral %s: decision made (%s). Open the referral to read the reasons", ref->reference,
             code_label(REFERRAL_OUTCOMES, ref->outcome));
    snprintf(what, sizeof what, "decision:%d", a->round);
    if (rc == DB_OK) rc = notify(r, ref, ref->referrer_id, "decision", msg, what);
  } else {
    snprintf(summary + n, sizeof summary - n, "closing with no further action was not signed off; to be decided again");
    if (rc == DB_OK) rc = open_deadline(r, ref, "decision", ref->decision_round, "new decision (sent back)", a->decider, ref->due_at);
    snprintf(msg, sizeof msg, "Referral %s: your decision was sent back by a manager: decide again", ref->reference);
    snprintf(what, sizeof what, "sent_back:%d", a->round);
    if (rc == DB_OK) rc = notify(r, ref, a->decider, "sent_back", msg, what);
  }
  if (rc == DB_OK)
    rc = record(r, ref, time_now(), a->approved ? "signed_off" : "sent_back", false,
                json_pack("{s:s,s:s?,s:i,s:s}", "outcome", a->approved ? "approved" : "sent_back", "reason", a->reason,
                          "round", a->round, "decision", a->outcome),
                "decision", summary);
  return rc;
}

/*
** A manager's sign-off of a closure waiting for one ({"outcome":"approved"|
** "sent_back","reason"}; the reason is required to send it back).  The
** decider may not sign off their own decision (SVC_FORBIDDEN).  Approved,
** the decision takes effect and the referrer is told; sent back, the decider
** must decide again (a new decision deadline).
*/
int svc_referral_signoff(struct req *r, const char *id, json_t *input, struct field_errors *errs, char *why) {
  struct referral ref;
  enum referral_status s;
  int rc = load(r, id, "referral.signoff", &ref);
  if (rc != SVC_OK) return rc;
  if (same(ref.decided_by, r->who.user_id) && !strcmp(ref.status, "awaiting_signoff")) {
    rc = forbidden(r, "referral.signoff", &ref, "You made this decision: another manager must sign it off.", why);
    store_referral_free(&ref);
    return rc;
  }
  store_referral_free(&ref);
  rc = begin_change(r, id, "referral.signoff", RE_SIGNOFF_APPROVE, input, SIGNOFF_SPEC, errs, why, &ref, &s);
  if (rc != SVC_OK) return rc;
  struct signoff_arg a;
  memset(&a, 0, sizeof a);
  a.approved = same(jstr(input, "outcome"), "approved");
  a.reason = jstr(input, "reason");
  if (!a.approved && (!a.reason || !*a.reason)) {
    ferr_add(errs, "reason", "is required to send a decision back");
    store_referral_free(&ref);
    return invalid(r, "referral.signoff", id, errs);
  }
  int old = ref.version;
  a.round = ref.decision_round;
  snprintf(a.decider, sizeof a.decider, "%s", ref.decided_by);
  snprintf(a.outcome, sizeof a.outcome, "%s", ref.outcome);
  enum referral_status to;
  referral_transition(s, a.approved ? RE_SIGNOFF_APPROVE : RE_SIGNOFF_SEND_BACK, ref.triaged_at != 0, &to);
  snprintf(ref.status, sizeof ref.status, "%s", referral_status_name(to));
  if (a.approved) {
    ref.signed_off_at = time_now();
    snprintf(ref.signed_off_by, sizeof ref.signed_off_by, "%s", r->who.user_id);
    ref.is_open = false;
  } else {
    new_round(&ref, svc_add_working_days(r, time_now(), r->app->cfg->decision_working_days));
  }
  json_t *d = json_pack("{s:s,s:s,s:i}", "reference", ref.reference, "outcome", a.approved ? "approved" : "sent_back",
                        "round", a.round);
  rc = commit_change(r, &ref, old, signoff_steps, &a, "referral.signoff", d, why);
  store_referral_free(&ref);
  return rc;
}

/* -- challenge -- */

struct challenge_arg {
  char owner[ID_MAX];
  int64_t due;
};

static int challenge_steps(struct req *r, struct referral *ref, void *arg) {
  struct challenge_arg *a = arg;
  int round = ref->challenge_round;
  int rc = open_deadline(r, ref, "challenge", round, "answer to the referrer's challenge", a->owner, a->due);
  char msg[300], summary[300], what[32];
  snprintf(msg, sizeof msg, "Referral %s: the referrer challenges the decision: your answer is needed", ref->reference);
  snprintf(what, sizeof what, "challenge:%d", round);
  if (rc == DB_OK && a->owner[0]) rc = notify(r, ref, a->owner, "challenge", msg, what);
  else if (rc == DB_OK) rc = notify_mash_managers(r, ref, "challenge", msg, what);
  lead_in(ref, summary, sizeof summary);
  size_t n = strlen(summary);
  snprintf(summary + n, sizeof summary - n, "the decision was challenged by the referring agency");
  if (rc == DB_OK)
    rc = record(r, ref, time_now(), "challenged", false,
                json_pack("{s:s,s:i}", "reason", ref->challenge_reason, "round", round), "challenge", summary);
  return rc;
}

/*
** The referrer (or a colleague in the referring agency) disputes the
** decision ({"reason"}).  The challenge goes to the decision-maker's
** manager with a deadline (challenge_working_days) and escalates like any
** other work.  One challenge per decision.
*/
int svc_referral_challenge(struct req *r, const char *id, json_t *input, struct field_errors *errs, char *why) {
  struct referral ref;
  enum referral_status s;
  int rc = load(r, id, "referral.challenge", &ref);
  if (rc != SVC_OK) return rc;
  if (!may_challenge(r, &ref)) {
    rc = forbidden(r, "referral.challenge", &ref,
                   "Only the referrer, or someone in the referring agency, can challenge the decision.", why);
    store_referral_free(&ref);
    return rc;
  }
  if (!strcmp(ref.status, "decided") && ref.challenge_round >= ref.decision_round) {
    rc = conflict(r, "referral.challenge", &ref,
                  "This decision has already been challenged and the challenge answered: it cannot be challenged again.",
                  why);
    store_referral_free(&ref);
    return rc;
  }
  store_referral_free(&ref);
  rc = begin_change(r, id, "referral.challenge", RE_CHALLENGE, input, CHALLENGE_SPEC, errs, why, &ref, &s);
  if (rc != SVC_OK) return rc;
  int old = ref.version;
  struct challenge_arg a;
  memset(&a, 0, sizeof a);
  if (decider_manager(r, ref.decided_by, a.owner) != DB_OK) {
    store_referral_free(&ref);
    return SVC_ERROR;
  }
  a.due = svc_add_working_days(r, time_now(), r->app->cfg->challenge_working_days);
  snprintf(ref.status, sizeof ref.status, "challenged");
  ref.is_open = true;
  ref.challenge_round = ref.decision_round;
  store_referral_set_text(&ref.challenge_reason, jstr(input, "reason"));
  ref.challenged_at = time_now();
  snprintf(ref.challenged_by, sizeof ref.challenged_by, "%s", r->who.user_id);
  ref.challenge_outcome[0] = '\0';
  store_referral_set_text(&ref.challenge_response, NULL);
  ref.challenge_answered_at = 0;
  ref.challenge_answered_by[0] = '\0';
  json_t *d = json_pack("{s:s,s:i}", "reference", ref.reference, "round", ref.challenge_round);
  rc = commit_change(r, &ref, old, challenge_steps, &a, "referral.challenge", d, why);
  store_referral_free(&ref);
  return rc;
}

struct answer_arg {
  bool stands;
  int round;
};

static int answer_steps(struct req *r, struct referral *ref, void *arg) {
  struct answer_arg *a = arg;
  int rc = meet(r, ref, "challenge", a->round);
  char msg[300], summary[300], what[32];
  lead_in(ref, summary, sizeof summary);
  size_t n = strlen(summary);
  if (a->stands) {
    snprintf(summary + n, sizeof summary - n, "challenge answered by a manager: the decision stands");
    snprintf(msg, sizeof msg, "Referral %s: your challenge has been answered: the decision stands. Open the referral "
                              "to read the answer", ref->reference);
  } else {
    snprintf(summary + n, sizeof summary - n, "challenge answered by a manager: the decision is overturned and will be "
                                              "made again");
    snprintf(msg, sizeof msg, "Referral %s: your challenge has been answered: the decision is overturned and the MASH "
                              "will decide again", ref->reference);
    if (rc == DB_OK) rc = open_deadline(r, ref, "decision", ref->decision_round, "new decision (challenge upheld)", NULL, ref->due_at);
  }
  snprintf(what, sizeof what, "answer:%d", a->round);
  if (rc == DB_OK) rc = notify(r, ref, ref->challenged_by, "challenge_answer", msg, what);
  if (rc == DB_OK && !same(ref->challenged_by, ref->referrer_id))
    rc = notify(r, ref, ref->referrer_id, "challenge_answer", msg, what);
  if (rc == DB_OK)
    rc = record(r, ref, time_now(), "challenge_answered", false,
                json_pack("{s:s,s:s,s:i}", "outcome", ref->challenge_outcome, "response", ref->challenge_response,
                          "round", a->round),
                "challenge", summary);
  return rc;
}

/*
** A manager's answer to a challenge ({"outcome":"decision_stands"|
** "decision_overturned","response"}).  The decider may not answer a
** challenge to their own decision (SVC_FORBIDDEN).  The referrer is told;
** an overturned decision goes back to the MASH queue to be made again.
*/
int svc_referral_answer_challenge(struct req *r, const char *id, json_t *input, struct field_errors *errs,
                                  char *why) {
  struct referral ref;
  enum referral_status s;
  int rc = load(r, id, "referral.answer_challenge", &ref);
  if (rc != SVC_OK) return rc;
  if (same(ref.decided_by, r->who.user_id) && !strcmp(ref.status, "challenged")) {
    rc = forbidden(r, "referral.answer_challenge", &ref,
                   "You made the decision being challenged: another manager must answer the challenge.", why);
    store_referral_free(&ref);
    return rc;
  }
  store_referral_free(&ref);
  rc = begin_change(r, id, "referral.answer_challenge", RE_CHALLENGE_STANDS, input, ANSWER_SPEC, errs, why, &ref, &s);
  if (rc != SVC_OK) return rc;
  int old = ref.version;
  struct answer_arg a = {same(jstr(input, "outcome"), "decision_stands"), ref.challenge_round};
  enum referral_status to;
  referral_transition(s, a.stands ? RE_CHALLENGE_STANDS : RE_CHALLENGE_OVERTURNED, ref.triaged_at != 0, &to);
  snprintf(ref.status, sizeof ref.status, "%s", referral_status_name(to));
  snprintf(ref.challenge_outcome, sizeof ref.challenge_outcome, "%s", jstr(input, "outcome"));
  store_referral_set_text(&ref.challenge_response, jstr(input, "response"));
  ref.challenge_answered_at = time_now();
  snprintf(ref.challenge_answered_by, sizeof ref.challenge_answered_by, "%s", r->who.user_id);
  if (a.stands) ref.is_open = false;
  else new_round(&ref, svc_add_working_days(r, time_now(), r->app->cfg->decision_working_days));
  json_t *d = json_pack("{s:s,s:s,s:i}", "reference", ref.reference, "outcome", ref.challenge_outcome, "round", a.round);
  rc = commit_change(r, &ref, old, answer_steps, &a, "referral.answer_challenge", d, why);
  store_referral_free(&ref);
  return rc;
}

/* -- assignment -- */

struct assign_arg {
  const char *previous;
};

static int assign_steps(struct req *r, struct referral *ref, void *arg) {
  (void)arg;
  struct db *db = req_db(r);
  const char *owner = ref->assigned_to[0] ? ref->assigned_to : NULL;
  char kind[24];
  int rc = referral_deadline_kind("decision", ref->decision_round, kind, sizeof kind) ? DB_OK : DB_ERROR;
  if (rc == DB_OK) rc = store_deadline_assign(db, "referral", ref->id, kind, owner);
  if (rc == DB_DONE) rc = DB_OK;
  if (rc == DB_OK) rc = store_deadline_assign(db, "referral", ref->id, "triage", owner);
  if (rc == DB_DONE) rc = DB_OK;
  if (rc == DB_OK) rc = store_deadline_assign(db, "referral", ref->id, "mash_checks", owner);
  if (rc == DB_DONE) rc = DB_OK;
  if (rc == DB_OK && owner && !same(owner, r->who.user_id)) {
    char msg[200], what[64];
    snprintf(msg, sizeof msg, "Referral %s: assigned to you", ref->reference);
    snprintf(what, sizeof what, "assigned:%lld", (long long)ref->updated_at);
    rc = notify(r, ref, owner, "assigned", msg, what);
  }
  if (rc == DB_OK)
    rc = record(r, ref, time_now(), "assigned", false, json_pack("{s:s?}", "to", owner), NULL, NULL);
  return rc;
}

/*
** Gives referral ID to a MASH worker or manager ({"user_id"}), or back to
** the MASH queue ({"user_id":null}): its open triage, checks and decision
** deadlines follow.
*/
int svc_referral_assign(struct req *r, const char *id, json_t *input, struct field_errors *errs, char *why) {
  struct referral ref;
  enum referral_status s;
  int rc = begin_change(r, id, "referral.assign", RE_ASSIGN, input, ASSIGN_SPEC, errs, why, &ref, &s);
  if (rc != SVC_OK) return rc;
  if (!json_object_get(input, "user_id")) {
    ferr_add(errs, "user_id", "is required: a MASH worker's id, or null for the MASH queue");
    store_referral_free(&ref);
    return invalid(r, "referral.assign", id, errs);
  }
  const char *to = jstr(input, "user_id");
  if (to) {
    struct user u;
    int urc = store_user_by_id(req_db(r), to, &u);
    if (urc < 0) {
      store_referral_free(&ref);
      return SVC_ERROR;
    }
    if (urc != DB_ROW || u.disabled || (u.role != ROLE_MASH && u.role != ROLE_MANAGER)) {
      ferr_add(errs, "user_id", "is not an enabled MASH worker or manager");
      store_referral_free(&ref);
      return invalid(r, "referral.assign", id, errs);
    }
  }
  int old = ref.version;
  snprintf(ref.assigned_to, sizeof ref.assigned_to, "%s", to ? to : "");
  json_t *d = json_pack("{s:s,s:s?}", "reference", ref.reference, "to", to);
  rc = commit_change(r, &ref, old, assign_steps, NULL, "referral.assign", d, why);
  store_referral_free(&ref);
  return rc;
}

/* -- confirming the child -- */

struct confirm_arg {
  bool create;
  json_t *details;
};

/* Records the new child before the referral names it. */
static int confirm_create(struct req *r, struct referral *ref, void *arg) {
  struct confirm_arg *a = arg;
  if (!a->create) return DB_OK;
  struct db *db = req_db(r);
  int64_t now = time_now();
  int rc = store_child_insert(db, ref->child_id, a->details, r->who.user_id, now);
  if (rc == DB_OK) rc = store_child_involve(db, ref->child_id, r->who.agency_id, "recorded the child", now);
  return rc;
}

static int confirm_steps(struct req *r, struct referral *ref, void *arg) {
  struct confirm_arg *a = arg;
  struct db *db = req_db(r);
  int64_t now = time_now();
  int rc = DB_OK;
  char reason[80];
  snprintf(reason, sizeof reason, "raised referral %s", ref->reference);
  if (rc == DB_OK) rc = store_child_involve(db, ref->child_id, ref->agency_id, reason, now);
  if (rc == DB_OK) rc = store_referral_deadlines_child(db, ref->id, ref->child_id);
  if (rc == DB_OK) rc = backfill_chronology(r, ref);
  if (rc == DB_OK) rc = request_risk_review(r, ref);
  if (rc == DB_OK && !a->create) {
    /* Confirming a known child is a kept identity decision, like one made on POST /people/match/decisions. */
    char mid[ID_MAX];
    ids_new("md", mid, sizeof mid);
    const struct match_model *m = svc_match_model(r);
    struct match_decision md = {mid,  "referral", ref->id, ref->child_id, "confirmed", NULL, m ? m->id : NULL,
                                NULL, r->who.user_id, now};
    rc = store_match_decision_add(db, &md);
  }
  if (rc == DB_OK)
    rc = record(r, ref, now, "child_confirmed", false,
                json_pack("{s:s,s:b}", "child_id", ref->child_id, "created", a->create), NULL, NULL);
  if (rc == DB_OK && a->create) {
    /* Audit entries come last: they take the audit lock, which every writer waits for. */
    json_t *d = json_pack("{s:o,s:s}", "fields", field_names(a->details), "referral", ref->id);
    rc = req_audit_tx(r, "child.create", "child", ref->child_id, d);
    json_decref(d);
  }
  return rc;
}

/*
** Confirms which child referral ID is about: {"child_id"} for a child known
** to Safehub, or {"create":true} to record the child from the details the
** referrer gave.  The referring agency becomes involved with the child, the
** referral's earlier events go on the child's chronology, and a risk review
** is asked for when it carries indicators.  Confirming twice is
** SVC_CONFLICT.
*/
int svc_referral_confirm_child(struct req *r, const char *id, json_t *input, struct field_errors *errs, char *why) {
  struct referral ref;
  enum referral_status s;
  int rc = begin_change(r, id, "referral.confirm_child", RE_COUNT, input, CONFIRM_SPEC, errs, why, &ref, &s);
  if (rc != SVC_OK) return rc;
  if (ref.child_id[0]) {
    rc = conflict(r, "referral.confirm_child", &ref, "The child of this referral has already been confirmed.", why);
    store_referral_free(&ref);
    return rc;
  }
  const char *child_id = jstr(input, "child_id");
  bool create = json_is_true(json_object_get(input, "create"));
  if (child_id && create) ferr_add(errs, "child_id", "give either child_id or create, not both");
  else if (!child_id && !create)
    ferr_add(errs, "child_id", "is required: a known child's id, or create set to true to record the child");
  struct confirm_arg a = {create, NULL};
  int64_t today = london_today(time_now());
  if (!ferr_any(errs) && child_id) {
    json_t *c = NULL;
    int grc = store_child_get(req_db(r), child_id, &c);
    json_decref(c);
    if (grc < 0) {
      store_referral_free(&ref);
      return SVC_ERROR;
    }
    if (grc != DB_ROW) ferr_add(errs, "child_id", "is not a child known to Safehub");
  }
  if (!ferr_any(errs) && create) {
    a.details = ref.child_details ? json_loads(ref.child_details, 0, NULL) : NULL;
    if (!json_is_object(a.details)) ferr_add(errs, "create", "there are no details of the child to record");
    else if (!check_child_details(a.details, today, errs)) ferr_add(errs, "create", "the details given cannot be recorded as they are");
  }
  if (ferr_any(errs)) {
    json_decref(a.details);
    store_referral_free(&ref);
    return invalid(r, "referral.confirm_child", id, errs);
  }
  int old = ref.version;
  if (create) ids_new("ch", ref.child_id, sizeof ref.child_id);
  else snprintf(ref.child_id, sizeof ref.child_id, "%s", child_id);
  ref.confirmed_at = time_now();
  snprintf(ref.confirmed_by, sizeof ref.confirmed_by, "%s", r->who.user_id);
  json_t *d = json_pack("{s:s,s:s,s:b}", "reference", ref.reference, "child_id", ref.child_id, "created", create);
  rc = commit_change_with(r, &ref, old, confirm_create, confirm_steps, &a, "referral.confirm_child", d, why);
  /* A child recorded here may already be known under other details: offer the pair to the duplicates queue. */
  if (rc == SVC_OK && create && svc_duplicates_check_child(r, ref.child_id) != SVC_OK) {
    log_warn("duplicates: a child recorded from a referral could not be checked");
  }
  json_decref(a.details);
  store_referral_free(&ref);
  return rc;
}
