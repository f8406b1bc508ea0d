/*
** CSE risk assessment use cases (see risk.h).
**
** An assessment is one write transaction holding: the previous assessment
** marked superseded and its review met (with any open request for a review),
** the assessment and its indicators, the review deadline of the new one (due
** by the level in force), the multi-agency CSE meeting when the level in
** force is the highest, a countersignature request when a lowering waits for
** a manager, the chronology entry, the assessing agency's involvement and
** the audit entry.  Refusals write nothing and are audited.
**
** Titles and messages that reach work lists, notifications and e-mail name
** the assessment and what is due, never the child.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/risk.h"
#include "http/app.h"
#include "service/casework.h"
#include "service/risk.h"
#include "store/casework.h"
#include "store/risk_store.h"
#include "store/store.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

static const char *js(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* The tool in force. */
static const struct risk_tool *tool_of(struct req *r) { return &r->app->risk_tool; }

/* The label of level CODE in the tool in force, or CODE itself for a level of an earlier tool. */
static const char *level_label(const struct risk_tool *t, const char *code) {
  const struct risk_level *l = risk_tool_level(t, code);
  return l ? l->label : code;
}

/* The names of OBJ's members, for audit details (never their values). New reference. */
static json_t *field_names(json_t *obj) {
  json_t *names = json_array();
  const char *k;
  json_t *v;
  json_object_foreach(obj, k, v) json_array_append_new(names, json_string(k));
  return names;
}

/*
** Decides whether the request's user may see child CHILD_ID and that it
** exists.  SVC_OK, SVC_NOT_FOUND (audited as ACTION with outcome "denied" or
** "not_found", exactly alike for the caller) or SVC_ERROR.
*/
static int child_open(struct req *r, const char *child_id, const char *action) {
  bool visible;
  if (svc_child_access(r, child_id, &visible) != SVC_OK) return SVC_ERROR;
  if (!visible) {
    req_audit(r, action, "child", child_id, "denied", NULL);
    return SVC_NOT_FOUND;
  }
  json_t *child = NULL;
  int rc = store_child_get(req_db(r), child_id, &child);
  json_decref(child);
  if (rc == DB_DONE) {
    req_audit(r, action, "child", child_id, "not_found", NULL);
    return SVC_NOT_FOUND;
  }
  return rc == DB_ROW ? SVC_OK : SVC_ERROR;
}

/* Audits a refused change with the fields named (never their values). */
static void audit_invalid(struct req *r, const char *action, const char *child_id, struct field_errors *errs) {
  json_t *d = json_pack("{s:o}", "fields", field_names(errs->fields));
  req_audit(r, action, "child", child_id, "invalid", d);
  json_decref(d);
}

/*
** Adds the tool's labels to assessment A (as store_risk_list renders it),
** marks an overdue review, and drops the store's internal members.
*/
static void enrich(const struct risk_tool *t, json_t *a, int64_t now) {
  json_object_set_new(a, "level_label", json_string(level_label(t, js(a, "level"))));
  json_object_set_new(a, "computed_level_label", json_string(level_label(t, js(a, "computed_level"))));
  json_object_set_new(a, "band_level_label", json_string(level_label(t, js(a, "band_level"))));
  json_t *pj = json_object_get(a, "professional_judgement");
  if (json_is_object(pj)) json_object_set_new(pj, "level_label", json_string(level_label(t, js(pj, "level"))));
  size_t i;
  json_t *ind;
  json_array_foreach(json_object_get(a, "indicators"), i, ind) {
    const struct risk_indicator *ri = risk_tool_indicator(t, js(ind, "code"));
    json_object_set_new(ind, "label", json_string(ri ? ri->label : js(ind, "code")));
    json_object_set_new(ind, "group", ri ? json_string(ri->group) : json_null());
    int rec = risk_tool_recency(t, js(ind, "recency"));
    json_object_set_new(ind, "recency_label", json_string(rec >= 0 ? t->recency_label[rec] : js(ind, "recency")));
  }
  json_t *types = json_array();
  json_t *ty;
  json_array_foreach(json_object_get(a, "exploitation_types"), i, ty) {
    const char *label = risk_tool_type_label(t, json_string_value(ty));
    json_array_append_new(types, json_pack("{s:O,s:s}", "code", ty, "label", label ? label : json_string_value(ty)));
  }
  json_object_set_new(a, "exploitation_type_labels", types);
  bool current = json_is_true(json_object_get(a, "current"));
  int64_t due = json_integer_value(json_object_get(a, "review_due_epoch"));
  json_object_set_new(a, "review_overdue", json_boolean(current && due <= now));
  json_object_del(a, "review_due_epoch");
  json_object_del(a, "final_rank");
  json_object_del(a, "computed_rank");
}

/* ---- making an assessment ---- */

struct resolved {
  char agency_ids[RISK_MAX_INDICATORS][ID_MAX]; /* each indicator's source agency ("" for none) */
  struct user countersigner;
  bool has_countersigner;
};

/*
** Resolves what only the database knows: each indicator's source agency
** (by code; the assessor's agency when not given) and the manager named to
** countersign.  Adds to ERRS what does not resolve.
*/
static int resolve(struct req *r, json_t *input, struct resolved *res, struct field_errors *errs) {
  struct db *db = req_db(r);
  size_t i;
  json_t *ind;
  json_array_foreach(json_object_get(input, "indicators"), i, ind) {
    if (i >= RISK_MAX_INDICATORS) break;
    const char *code = js(ind, "source_agency");
    if (!code || !*code) {
      snprintf(res->agency_ids[i], ID_MAX, "%s", r->who.agency_id);
      if (r->who.agency_code[0]) json_object_set_new(ind, "source_agency", json_string(r->who.agency_code));
      continue;
    }
    struct agency a;
    int rc = store_agency_by_code(db, code, &a);
    if (rc == DB_ROW) {
      snprintf(res->agency_ids[i], ID_MAX, "%s", a.id);
    } else if (rc == DB_DONE) {
      char path[48];
      snprintf(path, sizeof path, "indicators[%zu].source_agency", i);
      ferr_add(errs, path, "'%s' is not the code of an agency of this partnership", code);
    } else {
      return SVC_ERROR;
    }
  }
  const char *by = js(json_object_get(input, "professional_judgement"), "countersign_by");
  if (by && *by) {
    int rc = store_user_by_username(db, by, &res->countersigner);
    if (rc < 0) return SVC_ERROR;
    enum role role = res->countersigner.role;
    if (rc == DB_DONE || res->countersigner.disabled || (role != ROLE_MANAGER && role != ROLE_DIRECTOR)) {
      ferr_add(errs, "professional_judgement.countersign_by", "must be the username of a manager or director");
    } else if (!strcmp(res->countersigner.id, r->who.user_id)) {
      ferr_add(errs, "professional_judgement.countersign_by", "must be another manager: nobody countersigns their own assessment");
    } else {
      res->has_countersigner = true;
    }
  }
  return SVC_OK;
}

/* The chronology's one line for an assessment: levels and score, never evidence. */
static void chronology_summary(const struct risk_tool *t, const struct risk_decision *d, char *out, size_t cap) {
  const char *final = t->levels[d->final].label;
  int n = snprintf(out, cap, "CSE risk assessment: %s (score %d, tool %s)", final, d->result.score, t->version);
  if (n < 0 || (size_t)n >= cap) return;
  if (d->countersign == RISK_CS_AWAITING)
    snprintf(out + n, cap - (size_t)n, "; a lower level (%s) awaits a manager's countersignature", t->levels[d->judged].label);
  else if (d->final != d->result.computed)
    snprintf(out + n, cap - (size_t)n, "; the tool gave %s, changed by professional judgement",
             t->levels[d->result.computed].label);
  else if (d->result.rule >= 0)
    snprintf(out + n, cap - (size_t)n, "; raised by the rule for %s", t->overrides[d->result.rule].indicator);
}

/*
** Opens the multi-agency CSE meeting the highest level calls for, due in
** cse_meeting_working_days working days from AT, unless one is already open
** (a later finding never moves it later).  NEWLY_HIGHEST says the child was
** not at the highest level before ASSESSMENT_ID: after a meeting was held, only
** reaching the level again asks for another.  Owner: the lead worker, else
** the MASH manager.
*/
static int open_cse_meeting(struct req *r, const char *child_id, const char *assessment_id, bool newly_highest,
                            const char *lead, int64_t at) {
  struct deadline existing;
  int rc = store_deadline_get(req_db(r), "child", child_id, "cse_meeting", &existing);
  if (rc < 0) return rc;
  if (rc == DB_ROW && existing.met_at == 0) return DB_OK;
  /* The first meeting hangs on the child; a child who reaches the highest level again after a meeting was held
  ** and the level fell gets a new one, hanging on this assessment.  Staying at the highest level asks for none:
  ** that finding is on the chronology and the review clock. */
  bool again = rc == DB_ROW;
  if (again && !newly_highest) return DB_OK;
  if (again) {
    rc = store_child_open_deadline_count(req_db(r), child_id, "cse_meeting");
    if (rc != 0) return rc < 0 ? rc : DB_OK; /* one is already due from another assessment */
  }
  char owner[ID_MAX] = "";
  if (lead && *lead) {
    snprintf(owner, sizeof owner, "%s", lead);
  } else {
    char mash[4][ID_MAX];
    int n = 0;
    rc = svc_mash_managers(req_db(r), r->app->cfg, mash, 4, &n);
    if (rc != DB_OK) return rc;
    if (n > 0) snprintf(owner, sizeof owner, "%s", mash[0]);
  }
  char link[120];
  snprintf(link, sizeof link, "/children/%s/risk", child_id);
  int64_t due = svc_add_working_days(r, at, r->app->cfg->cse_meeting_working_days);
  return svc_deadline_open(r, again ? "risk_assessment" : "child", again ? assessment_id : child_id, "cse_meeting",
                           child_id, "Multi-agency CSE meeting due", link, owner[0] ? owner : NULL, due);
}

/*
** Records assessment INPUT of child CHILD_ID as made at AT by the request's
** user (see the file comment for everything that goes with it).  INPUT is
** validated and normalised in place.  SVC_OK with ID_OUT; SVC_INVALID with
** ERRS; SVC_NOT_FOUND; SVC_FORBIDDEN (a role that may not assess);
** SVC_CONFLICT (another assessment of the child was made at the same
** moment); SVC_ERROR.
*/
int svc_risk_record(struct req *r, const char *child_id, json_t *input, int64_t at, struct field_errors *errs,
                    char id_out[ID_MAX]) {
  const struct risk_tool *t = tool_of(r);
  if (!role_in(r->who.role, RISK_ASSESSORS) || !r->who.user_id[0]) {
    req_audit(r, "risk.assess", "child", child_id, "denied", NULL);
    return SVC_FORBIDDEN;
  }
  int rc = child_open(r, child_id, "risk.assess");
  if (rc != SVC_OK) return rc;
  struct risk_decision d;
  bool manager = role_in(r->who.role, RISK_COUNTERSIGNERS);
  bool ok = risk_input_check(t, input, manager, errs, &d);
  struct resolved *res = xcalloc(1, sizeof *res);
  if (resolve(r, input, res, errs) != SVC_OK) {
    free(res);
    return SVC_ERROR;
  }
  if (!ok || ferr_any(errs)) {
    free(res);
    audit_invalid(r, "risk.assess", child_id, errs);
    return SVC_INVALID;
  }
  struct db *db = req_db(r);
  ids_new("ra", id_out, ID_MAX);
  char lead[ID_MAX] = "", prev[ID_MAX] = "";
  json_t *given_types = json_object_get(input, "exploitation_types");
  char *types = given_types ? json_dumps(given_types, JSON_COMPACT) : xstrdup("[]");
  json_t *pj = json_object_get(input, "professional_judgement");
  struct risk_record a;
  memset(&a, 0, sizeof a);
  snprintf(a.id, sizeof a.id, "%s", id_out);
  a.child_id = child_id;
  a.tool_version = t->version;
  a.assessed_at = at;
  a.assessed_by = r->who.user_id;
  a.agency_id = r->who.agency_id;
  a.score = d.result.score;
  a.band_level = t->levels[d.result.band].code;
  a.computed_level = t->levels[d.result.computed].code;
  a.computed_rank = d.result.computed;
  if (d.result.rule >= 0) {
    a.override_indicator = t->overrides[d.result.rule].indicator;
    a.override_reason = t->overrides[d.result.rule].reason;
  }
  if (d.judged >= 0) {
    a.judged_level = t->levels[d.judged].code;
    a.judgement_rationale = js(pj, "rationale");
  }
  a.final_level = t->levels[d.final].code;
  a.final_rank = d.final;
  a.countersign_status = risk_countersign_name(d.countersign);
  if (d.countersign == RISK_CS_AWAITING) a.countersign_requested_from = res->countersigner.id;
  if (d.countersigned_by_assessor) {
    a.countersigned_by = r->who.user_id;
    a.countersigned_at = at;
  }
  a.childs_words = js(input, "childs_words");
  a.childs_view_not_gathered_reason = js(input, "childs_view_not_gathered_reason");
  a.exploitation_types = types;
  a.review_due_at = risk_review_due(t, d.final, at);
  char summary[400], kind[64], link[120], cs_link[160];
  chronology_summary(t, &d, summary, sizeof summary);
  snprintf(kind, sizeof kind, "risk_review:%s", id_out);
  snprintf(link, sizeof link, "/children/%s/risk", child_id);
  snprintf(cs_link, sizeof cs_link, "/children/%s/risk/%s", child_id, id_out);
  int met = 0;
  rc = db_begin(db);
  int prev_rank = -1;
  if (rc == DB_OK) rc = store_risk_current(db, child_id, prev, &prev_rank);
  if (rc == DB_ROW) rc = store_risk_supersede(db, prev);
  else if (rc == DB_DONE) rc = DB_OK;
  if (rc == DB_OK) rc = store_risk_insert(db, &a);
  size_t i;
  json_t *ind;
  json_array_foreach(json_object_get(input, "indicators"), i, ind) {
    if (rc != DB_OK) break;
    int rec = risk_tool_recency(t, js(ind, "recency"));
    struct risk_indicator_row row = {js(ind, "code"), js(ind, "recency"), js(ind, "evidence"), res->agency_ids[i],
                                     risk_tool_indicator(t, js(ind, "code"))->weight[rec]};
    rc = store_risk_indicator_insert(db, id_out, (int)i, &row);
  }
  if (rc == DB_OK) rc = store_risk_reviews_meet(db, child_id, r->who.user_id, time_now(), &met);
  if (rc == DB_OK) {
    rc = store_lead_worker(db, child_id, lead);
    rc = rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
  }
  if (rc == DB_OK) {
    rc = store_risk_deadline_open(db, child_id, kind, "Risk review due", link, lead[0] ? lead : NULL, a.review_due_at,
                                  time_now());
    rc = rc == DB_DONE ? DB_OK : rc;
  }
  if (rc == DB_OK && d.final == t->nlevels - 1) {
    rc = open_cse_meeting(r, child_id, id_out, !prev[0] || prev_rank < t->nlevels - 1, lead, at);
  }
  if (rc == DB_OK && d.countersign == RISK_CS_AWAITING) {
    int64_t due = svc_add_working_hours(r, time_now(), r->app->cfg->signoff_working_hours);
    rc = svc_deadline_open(r, "risk_assessment", id_out, "risk_countersign", child_id,
                           "Countersignature of a lower CSE risk level due", cs_link, res->countersigner.id, due);
    if (rc == DB_OK) {
      char message[200], dedupe[80];
      snprintf(message, sizeof message, "Countersignature requested: a lower CSE risk level in assessment %s", id_out);
      snprintf(dedupe, sizeof dedupe, "risk_countersign:%s", id_out);
      rc = svc_notify(db, r->app->cfg, res->countersigner.id, "countersign", "risk_assessment", id_out, message, cs_link,
                      dedupe, time_now());
    }
  }
  if (rc == DB_OK) rc = svc_chronology(r, child_id, at, "risk_assessment", summary, "risk_assessment", id_out);
  if (rc == DB_OK) rc = svc_involve(r, child_id, "assessed the child's risk of sexual exploitation");
  if (rc == DB_OK) {
    json_t *details = json_pack("{s:s,s:s,s:i,s:s,s:s,s:i,s:s,s:s?,s:i,s:o}", "assessment", id_out, "tool_version",
                                t->version, "score", d.result.score, "computed_level", a.computed_level, "level",
                                a.final_level, "indicators", (int)json_array_size(json_object_get(input, "indicators")),
                                "countersignature", a.countersign_status, "supersedes", prev[0] ? prev : NULL,
                                "reviews_met", met, "fields", field_names(input));
    rc = req_audit_tx(r, "risk.assess", "child", child_id, details);
    json_decref(details);
  }
  if (rc == DB_OK) rc = db_commit(db);
  free(types);
  free(res);
  if (rc != DB_OK) {
    db_rollback(db);
    if (rc == DB_CONSTRAINT) return SVC_CONFLICT;
    return SVC_ERROR;
  }
  return SVC_OK;
}

/* Makes an assessment now (see svc_risk_record). */
int svc_risk_assess(struct req *r, const char *child_id, json_t *input, struct field_errors *errs, char id_out[ID_MAX]) {
  return svc_risk_record(r, child_id, input, time_now(), errs, id_out);
}

/* ---- reading ---- */

/* Whether the current assessment A (already enriched) is out of date, and why, as JSON. New reference. */
static json_t *staleness(struct req *r, const char *child_id, json_t *a, int *rc) {
  int64_t since = 0;
  time_parse_iso(js(a, "assessed_at"), &since);
  struct risk_staleness s;
  *rc = store_risk_staleness(req_db(r), child_id, since, &s);
  if (*rc != DB_OK) return NULL;
  bool stale = s.referrals || s.missing_episodes || s.notes || s.review_requested;
  return json_pack("{s:b,s:I,s:I,s:I,s:b}", "out_of_date", stale, "referrals_with_indicators", (json_int_t)s.referrals,
                   "missing_episodes", (json_int_t)s.missing_episodes, "notes_with_indicators", (json_int_t)s.notes,
                   "review_requested", s.review_requested);
}

/*
** Child CHILD_ID's assessments for the request's user:
** {"child_id","tool_version","current":{...}|null,"out_of_date":{...}|null,
** "changes":{...}|null,"history":[{"assessment","at","score","level",
** "level_label","rank"}] oldest first,"assessments":[...] newest first}.
** Audited as risk.list on the child.
*/
int svc_risk_list(struct req *r, const char *child_id, json_t **out) {
  const struct risk_tool *t = tool_of(r);
  int rc = child_open(r, child_id, "risk.list");
  if (rc != SVC_OK) return rc;
  json_t *list = NULL;
  if (store_risk_list(req_db(r), child_id, &list) != DB_OK) return SVC_ERROR;
  int64_t now = time_now();
  json_t *history = json_array();
  size_t n = json_array_size(list);
  for (size_t i = n; i-- > 0;) {
    json_t *a = json_array_get(list, i);
    enrich(t, a, now);
    const char *level = js(a, "level");
    json_array_append_new(history, json_pack("{s:O,s:O,s:O,s:s,s:s,s:i}", "assessment", json_object_get(a, "id"), "at",
                                             json_object_get(a, "assessed_at"), "score", json_object_get(a, "score"),
                                             "level", level, "level_label", level_label(t, level), "rank",
                                             risk_tool_level_index(t, level)));
  }
  json_t *current = n ? json_array_get(list, 0) : NULL;
  if (current && !json_is_true(json_object_get(current, "current"))) current = NULL;
  json_t *stale = json_null();
  if (current) {
    int src = DB_OK;
    stale = staleness(r, child_id, current, &src);
    if (!stale) {
      json_decref(list);
      json_decref(history);
      return SVC_ERROR;
    }
  }
  json_t *changes = n >= 2 ? risk_changes(t, json_array_get(list, 1), json_array_get(list, 0)) : NULL;
  *out = json_pack("{s:s,s:s,s:O?,s:o,s:o,s:o,s:o}", "child_id", child_id, "tool_version", t->version, "current", current,
                   "out_of_date", stale, "changes", changes ? changes : json_null(), "history", history, "assessments",
                   list);
  json_t *d = json_pack("{s:i}", "assessments", (int)n);
  req_audit(r, "risk.list", "child", child_id, "ok", d);
  json_decref(d);
  return SVC_OK;
}

/*
** One assessment of child CHILD_ID, with what changed from the one before
** it ("changes", null for a first assessment).  SVC_NOT_FOUND when either
** does not exist, the assessment is another child's, or the child is not
** open to the user.  Audited as risk.read on the child.
*/
int svc_risk_get(struct req *r, const char *child_id, const char *assessment_id, json_t **out) {
  const struct risk_tool *t = tool_of(r);
  int rc = child_open(r, child_id, "risk.read");
  if (rc != SVC_OK) return rc;
  json_t *list = NULL;
  if (store_risk_list(req_db(r), child_id, &list) != DB_OK) return SVC_ERROR;
  json_t *found = NULL, *before = NULL;
  size_t i;
  json_t *a;
  json_array_foreach(list, i, a) {
    if (!strcmp(js(a, "id"), assessment_id)) {
      found = a;
      before = json_array_get(list, i + 1);
      break;
    }
  }
  json_t *details = json_pack("{s:s}", "assessment", assessment_id);
  if (!found) {
    json_decref(list);
    req_audit(r, "risk.read", "child", child_id, "not_found", details);
    json_decref(details);
    return SVC_NOT_FOUND;
  }
  int64_t now = time_now();
  enrich(t, found, now);
  if (before) enrich(t, before, now);
  json_t *changes = before ? risk_changes(t, before, found) : NULL;
  *out = json_incref(found);
  json_object_set_new(*out, "changes", changes ? changes : json_null());
  if (json_is_true(json_object_get(found, "current"))) {
    int src = DB_OK;
    json_t *stale = staleness(r, child_id, found, &src);
    if (!stale) {
      json_decref(*out);
      json_decref(list);
      json_decref(details);
      return SVC_ERROR;
    }
    json_object_set_new(*out, "out_of_date", stale);
  } else {
    json_object_set_new(*out, "out_of_date", json_null());
  }
  json_decref(list);
  req_audit(r, "risk.read", "child", child_id, "ok", details);
  json_decref(details);
  return SVC_OK;
}

/*
** A manager's countersignature of the lowering in assessment ASSESSMENT_ID
** of child CHILD_ID: INPUT {"decision":"agree"|"decline","comment"}.  Agreed,
** the judged level comes into force and the review is moved to its
** interval; declined, the tool's level stands.  Only a manager or director
** other than the assessor, only while the assessment is current and
** awaiting, and only against the tool version it was made with.
*/
int svc_risk_countersign(struct req *r, const char *child_id, const char *assessment_id, json_t *input,
                         struct field_errors *errs) {
  const struct risk_tool *t = tool_of(r);
  if (!role_in(r->who.role, RISK_COUNTERSIGNERS) || !r->who.user_id[0]) {
    req_audit(r, "risk.countersign", "child", child_id, "denied", NULL);
    return SVC_FORBIDDEN;
  }
  int rc = child_open(r, child_id, "risk.countersign");
  if (rc != SVC_OK) return rc;
  struct db *db = req_db(r);
  json_t *a = NULL;
  rc = store_risk_get(db, assessment_id, &a);
  if (rc < 0) return SVC_ERROR;
  json_t *details = json_pack("{s:s}", "assessment", assessment_id);
  if (rc == DB_DONE || strcmp(js(a, "child_id"), child_id) != 0) {
    json_decref(a);
    req_audit(r, "risk.countersign", "child", child_id, "not_found", details);
    json_decref(details);
    return SVC_NOT_FOUND;
  }
  bool agree = false;
  if (!risk_countersign_check(input, errs, &agree)) {
    json_decref(a);
    json_decref(details);
    audit_invalid(r, "risk.countersign", child_id, errs);
    return SVC_INVALID;
  }
  json_t *cs = json_object_get(a, "countersignature");
  const char *why = NULL;
  if (strcmp(js(cs, "status"), "awaiting") != 0) why = "is not waiting for a countersignature";
  else if (!json_is_true(json_object_get(a, "current"))) why = "has been superseded by a newer assessment";
  else if (strcmp(js(a, "tool_version"), t->version) != 0) why = "was made with an earlier version of the risk tool";
  else if (!strcmp(js(a, "assessed_by"), r->who.username)) why = "is yours: another manager must countersign it";
  if (why) {
    ferr_add(errs, "decision", "cannot be recorded: the assessment %s", why);
    json_decref(a);
    json_decref(details);
    req_audit(r, "risk.countersign", "child", child_id, "conflict", NULL);
    return SVC_CONFLICT;
  }
  struct risk_decision d;
  memset(&d, 0, sizeof d);
  d.result.computed = risk_tool_level_index(t, js(a, "computed_level"));
  d.judged = risk_tool_level_index(t, js(json_object_get(a, "professional_judgement"), "level"));
  int final = risk_final_after_countersign(&d, agree);
  int64_t assessed_at = 0, now = time_now();
  time_parse_iso(js(a, "assessed_at"), &assessed_at);
  int64_t due = risk_review_due(t, final, assessed_at);
  const char *status = agree ? "agreed" : "declined";
  const char *comment = js(input, "comment");
  char summary[300], kind[64], link[120], lead[ID_MAX] = "";
  if (agree)
    snprintf(summary, sizeof summary, "Lower CSE risk level countersigned: %s in force (the tool gave %s)",
             t->levels[final].label, t->levels[d.result.computed].label);
  else
    snprintf(summary, sizeof summary, "Lower CSE risk level declined by a manager: %s stands", t->levels[final].label);
  snprintf(kind, sizeof kind, "risk_review:%s", assessment_id);
  snprintf(link, sizeof link, "/children/%s/risk", child_id);
  rc = db_begin(db);
  if (rc == DB_OK)
    rc = store_risk_countersign(db, assessment_id, status, r->who.user_id, now, comment, t->levels[final].code, final,
                                final - d.result.computed, due);
  if (rc == DB_DONE) {
    db_rollback(db);
    json_decref(a);
    json_decref(details);
    ferr_add(errs, "decision", "cannot be recorded: the assessment is not waiting for a countersignature");
    return SVC_CONFLICT;
  }
  if (rc == DB_OK) {
    rc = store_lead_worker(db, child_id, lead);
    rc = rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
  }
  if (rc == DB_OK && agree) {
    rc = store_risk_deadline_open(db, child_id, kind, "Risk review due", link, lead[0] ? lead : NULL, due, now);
    rc = rc == DB_DONE ? DB_OK : rc;
  }
  if (rc == DB_OK) rc = svc_deadline_meet(r, "risk_assessment", assessment_id, "risk_countersign");
  if (rc == DB_OK) rc = svc_chronology(r, child_id, now, "risk_assessment", summary, "risk_assessment", assessment_id);
  if (rc == DB_OK) {
    json_object_set_new(details, "decision", json_string(agree ? "agree" : "decline"));
    json_object_set_new(details, "level", json_string(t->levels[final].code));
    rc = req_audit_tx(r, "risk.countersign", "child", child_id, details);
  }
  if (rc == DB_OK) rc = db_commit(db);
  json_decref(a);
  json_decref(details);
  if (rc != DB_OK) {
    db_rollback(db);
    return SVC_ERROR;
  }
  return SVC_OK;
}

/* ---- what is already known when an assessment starts ---- */

/* The offer for CODE in OFFERED (object code -> offer), made when first needed. */
static json_t *offer_for(const struct risk_tool *t, json_t *offered, json_t *order, const char *code) {
  json_t *o = json_object_get(offered, code);
  if (o) return o;
  const struct risk_indicator *ri = risk_tool_indicator(t, code);
  o = ri ? json_pack("{s:s,s:s,s:s,s:n,s:[]}", "code", code, "label", ri->label, "group", ri->group, "recency", "sources")
         : json_pack("{s:s,s:[]}", "code", code, "sources");
  json_object_set_new(offered, code, o);
  json_array_append_new(order, json_string(code));
  return o;
}

/* "Recorded in referral R-2026-000001 by Holmford District Police on 3 May 2026." for SOURCE. */
static void describe_source(json_t *src, char *out, size_t cap) {
  const char *type = js(src, "type");
  const char *what = !strcmp(type, "referral") ? "referral" : !strcmp(type, "case_note") ? "a case note" : "a missing episode";
  char day[ISO_DATE_LEN] = "";
  int64_t at = json_integer_value(json_object_get(src, "at_epoch"));
  date_format(london_today(at), day);
  snprintf(out, cap, "Recorded in %s%s%s by %s on %s.", what, js(src, "reference") ? " " : "",
           js(src, "reference") ? js(src, "reference") : "", js(src, "agency_name") ? js(src, "agency_name") : "an agency",
           day);
}

/*
** The indicators recorded about child CHILD_ID since its current assessment
** (or, for a first assessment, within the tool's recency bands): from
** referrals and case notes that carry indicator codes, and missing episodes
** (offered as the tool's missing_episode_indicator).  Each offer has its
** sources (type, id, reference, agency, when), the recency its newest
** source falls in, and a suggested line of evidence.  Sources older than
** every recency band are left out.  Codes the tool does not know are listed
** apart ("not_in_tool").  Audited as risk.prefill on the child.
*/
int svc_risk_prefill(struct req *r, const char *child_id, json_t **out) {
  const struct risk_tool *t = tool_of(r);
  int rc = child_open(r, child_id, "risk.prefill");
  if (rc != SVC_OK) return rc;
  struct db *db = req_db(r);
  int64_t now = time_now(), since = 0;
  char current[ID_MAX] = "";
  rc = store_risk_current(db, child_id, current, NULL);
  if (rc < 0) return SVC_ERROR;
  json_t *previous = NULL;
  if (rc == DB_ROW) {
    if (store_risk_get(db, current, &previous) != DB_ROW) return SVC_ERROR;
    time_parse_iso(js(previous, "assessed_at"), &since);
  } else {
    int months = t->within_months[t->nrecency - 1];
    since = months ? now - (int64_t)months * 31 * 86400 : 0;
  }
  json_t *sources = NULL;
  if (store_risk_sources(db, child_id, since, &sources) != DB_OK) {
    json_decref(previous);
    return SVC_ERROR;
  }
  json_t *offered = json_object(), *order = json_array(), *unknown = json_object(), *uorder = json_array();
  size_t i;
  json_t *src;
  json_array_foreach(sources, i, src) {
    int64_t at = json_integer_value(json_object_get(src, "at_epoch"));
    int rec = risk_recency_for_age(t, at, now);
    if (rec < 0) continue;
    char evidence[400];
    describe_source(src, evidence, sizeof evidence);
    json_t *ref = json_pack("{s:O,s:O,s:O,s:O,s:O,s:O,s:s}", "type", json_object_get(src, "type"), "id",
                            json_object_get(src, "id"), "reference", json_object_get(src, "reference"), "at",
                            json_object_get(src, "at"), "agency", json_object_get(src, "agency"), "agency_name",
                            json_object_get(src, "agency_name"), "evidence", evidence);
    json_t *codes = json_object_get(src, "indicators");
    json_t *single = NULL;
    if (!strcmp(js(src, "type"), "missing_episode")) {
      if (!t->missing_episode_indicator) {
        json_decref(ref);
        continue;
      }
      single = json_pack("[s]", t->missing_episode_indicator);
      codes = single;
    }
    size_t k;
    json_t *c;
    json_array_foreach(codes, k, c) {
      const char *code = json_string_value(c);
      if (!code) continue;
      bool known = risk_tool_indicator(t, code) != NULL;
      json_t *o = known ? offer_for(t, offered, order, code) : offer_for(t, unknown, uorder, code);
      json_array_append(json_object_get(o, "sources"), ref);
      if (known) {
        int have = risk_tool_recency(t, js(o, "recency"));
        if (have < 0 || rec < have) json_object_set_new(o, "recency", json_string(t->recency[rec]));
      }
    }
    json_decref(single);
    json_decref(ref);
  }
  /* In the tool's order, so that a form lists them as the tool does. */
  json_t *list = json_array();
  for (int k = 0; k < t->nindicators; k++) {
    json_t *o = json_object_get(offered, t->indicators[k].code);
    if (!o) continue;
    struct buf ev = BUF_INIT;
    size_t s;
    json_t *ref;
    json_array_foreach(json_object_get(o, "sources"), s, ref) buf_printf(&ev, "%s%s", s ? " " : "", js(ref, "evidence"));
    json_object_set_new(o, "suggested_evidence", json_string(buf_cstr(&ev)));
    buf_free(&ev);
    json_array_append(list, o);
  }
  json_t *not_in_tool = json_array();
  json_array_foreach(uorder, i, src) json_array_append(not_in_tool, json_object_get(unknown, json_string_value(src)));
  json_t *prev_inds = json_array();
  json_t *ind;
  json_array_foreach(json_object_get(previous, "indicators"), i, ind) {
    json_array_append_new(prev_inds, json_pack("{s:O,s:O,s:O,s:O}", "code", json_object_get(ind, "code"), "recency",
                                               json_object_get(ind, "recency"), "evidence",
                                               json_object_get(ind, "evidence"), "source_agency",
                                               json_object_get(ind, "source_agency")));
  }
  char since_iso[ISO_TIME_LEN];
  time_format_iso(since, since_iso);
  *out = json_pack("{s:s,s:s,s:s,s:s?,s:o,s:o,s:o}", "child_id", child_id, "tool_version", t->version, "since", since_iso,
                   "previous_assessment", current[0] ? current : NULL, "indicators", list, "not_in_tool", not_in_tool,
                   "previous_indicators", prev_inds);
  json_decref(offered);
  json_decref(order);
  json_decref(unknown);
  json_decref(uorder);
  json_decref(sources);
  json_decref(previous);
  req_audit(r, "risk.prefill", "child", child_id, "ok", NULL);
  return SVC_OK;
}

/* ---- the managers' overview ---- */

/* Adds level labels to the rows of LIST and audits each child shown. */
static void label_rows(struct req *r, json_t *list, json_t *seen) {
  const struct risk_tool *t = tool_of(r);
  size_t i;
  json_t *row;
  json_array_foreach(list, i, row) {
    json_object_set_new(row, "level_label", json_string(level_label(t, js(row, "level"))));
    json_object_set_new(row, "computed_level_label", json_string(level_label(t, js(row, "computed_level"))));
    const char *id = js(row, "child_id");
    if (id && !json_object_get(seen, id)) {
      json_object_set_new(seen, id, json_true());
      req_audit(r, "risk.overview_item", "child", id, "ok", NULL);
    }
  }
}

/*
** The risk overview for managers and the director: children by level in
** force (every level of the tool, in order, then any level of an earlier
** tool still in force), reviews overdue and due within RISK_DUE_SOON_DAYS,
** levels changed by judgement and lowerings awaiting a countersignature,
** children whose assessment is out of date; each list with its count and
** the first RISK_OVERVIEW_LIST children.  Every child shown is audited.
*/
int svc_risk_overview(struct req *r, json_t **out) {
  const struct risk_tool *t = tool_of(r);
  struct db *db = req_db(r);
  int64_t now = time_now(), soon = now + (int64_t)RISK_DUE_SOON_DAYS * 86400;
  json_t *levels = NULL, *overdue = NULL, *due_soon = NULL, *judged = NULL, *stale = NULL;
  int64_t nstale = 0;
  int rc = store_risk_overview_levels(db, now, soon, &levels);
  if (rc == DB_OK) rc = store_risk_overview_list(db, RISK_LIST_OVERDUE, now, soon, RISK_OVERVIEW_LIST, &overdue);
  if (rc == DB_OK) rc = store_risk_overview_list(db, RISK_LIST_DUE_SOON, now, soon, RISK_OVERVIEW_LIST, &due_soon);
  if (rc == DB_OK) rc = store_risk_overview_list(db, RISK_LIST_JUDGED, now, soon, RISK_OVERVIEW_LIST, &judged);
  if (rc == DB_OK) rc = store_risk_out_of_date(db, RISK_OVERVIEW_LIST, &nstale, &stale);
  if (rc != DB_OK) {
    json_decref(levels);
    json_decref(overdue);
    json_decref(due_soon);
    json_decref(judged);
    return SVC_ERROR;
  }
  json_t *by_level = json_array();
  json_int_t total = 0, n_overdue = 0, n_soon = 0, raised = 0, lowered = 0, awaiting = 0;
  for (int k = 0; k < t->nlevels; k++) {
    json_t *found = NULL, *row;
    size_t i;
    json_array_foreach(levels, i, row) {
      if (!strcmp(js(row, "level"), t->levels[k].code)) found = row;
    }
    if (found) {
      json_object_set_new(found, "label", json_string(t->levels[k].label));
      json_array_append(by_level, found);
    } else {
      json_array_append_new(by_level, json_pack("{s:s,s:s,s:i,s:i,s:i,s:i,s:i,s:i}", "level", t->levels[k].code, "label",
                                                t->levels[k].label, "children", 0, "overdue", 0, "due_soon", 0, "raised",
                                                0, "lowered", 0, "awaiting", 0));
    }
  }
  {
    /* Levels of an earlier tool that some children are still assessed at. */
    size_t i;
    json_t *row;
    json_array_foreach(levels, i, row) {
      if (risk_tool_level_index(t, js(row, "level")) >= 0) continue;
      json_object_set_new(row, "label", json_string(js(row, "level")));
      json_array_append(by_level, row);
    }
  }
  size_t i;
  json_t *row;
  json_array_foreach(by_level, i, row) {
    total += json_integer_value(json_object_get(row, "children"));
    n_overdue += json_integer_value(json_object_get(row, "overdue"));
    n_soon += json_integer_value(json_object_get(row, "due_soon"));
    raised += json_integer_value(json_object_get(row, "raised"));
    lowered += json_integer_value(json_object_get(row, "lowered"));
    awaiting += json_integer_value(json_object_get(row, "awaiting"));
  }
  json_decref(levels);
  json_t *seen = json_object();
  label_rows(r, overdue, seen);
  label_rows(r, due_soon, seen);
  label_rows(r, judged, seen);
  label_rows(r, stale, seen);
  json_decref(seen);
  char as_of[ISO_TIME_LEN];
  time_format_iso(now, as_of);
  *out = json_pack("{s:s,s:s,s:I,s:o,s:{s:I,s:I,s:i,s:o,s:o},s:{s:I,s:I,s:I,s:o},s:{s:I,s:o}}", "as_of", as_of,
                   "tool_version", t->version, "assessed_children", total, "by_level", by_level, "reviews", "overdue",
                   n_overdue, "due_soon", n_soon, "due_soon_days", RISK_DUE_SOON_DAYS, "overdue_children", overdue,
                   "due_soon_children", due_soon, "changed_by_judgement", "raised", raised, "lowered", lowered,
                   "awaiting_countersignature", awaiting, "children", judged, "out_of_date", "count",
                   (json_int_t)nstale, "children", stale);
  json_t *d = json_pack("{s:I,s:I,s:I}", "assessed_children", total, "overdue", n_overdue, "out_of_date", (json_int_t)nstale);
  req_audit(r, "risk.overview", "children", NULL, "ok", d);
  json_decref(d);
  return SVC_OK;
}

/* Managers and directors who may be asked to countersign, for the assessment form. New reference in *OUT. */
int svc_risk_countersigners(struct req *r, json_t **out) {
  return store_risk_countersigners(req_db(r), out) == DB_OK ? SVC_OK : SVC_ERROR;
}
