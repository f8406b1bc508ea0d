/*
** Casework use cases (see casework_svc.h): missing episodes and return-home
** interviews, case notes, allocation and caseloads, meetings and actions,
** support referrals.
**
** Each change runs in one write transaction that holds the record, its
** chronology entry, any deadline it opens or meets, the involvement of the
** agencies concerned, and its audit entry (last, as it takes the audit
** lock).  Refusals (a child the user may not see, invalid input, a state
** that forbids the change) are audited as such and write nothing.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/casework_rules.h"
#include "core/missing.h"
#include "http/app.h"
#include "service/casework.h"
#include "service/casework_svc.h"
#include "service/service.h"
#include "store/casework_store.h"
#include "store/store.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

/* Results of a transaction body besides the db_rc codes: roll back and answer from the field errors. */
#define TX_INVALID 50
#define TX_CONFLICT 51

#define SUMMARY_EXCERPT 300
#define NOTES_SHOWN 500

/* ---- helpers ---- */

/* The string member K of O, or NULL. */
static const char *js(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* The ISO instant member K of O as epoch seconds; *HAS false (and 0) when it is null or absent. */
static int64_t json_time(json_t *o, const char *k, bool *has) {
  int64_t t = 0;
  *has = js(o, k) && time_parse_iso(js(o, k), &t);
  return *has ? t : 0;
}

/* The names of OBJ's members, as a JSON array (new reference). */
static json_t *field_names(json_t *obj) {
  json_t *names = json_array();
  const char *k;
  json_t *v;
  json_object_foreach(obj, k, v) json_array_append_new(names, json_string(k));
  return names;
}

/* Audits a refused ACTION on OBJECT with OUTCOME; DETAILS (may be NULL) is not stolen. */
static void refuse(struct req *r, const char *action, const char *type, const char *id, const char *outcome,
                   json_t *details) {
  req_audit(r, action, type, id, outcome, details);
}

/* Audits ACTION refused for invalid input, naming the fields (never their values); returns SVC_INVALID. */
static int invalid(struct req *r, const char *action, const char *type, const char *id, struct field_errors *errs) {
  json_t *d = json_pack("{s:o}", "fields", field_names(errs->fields));
  refuse(r, action, type, id, "invalid", d);
  json_decref(d);
  return SVC_INVALID;
}

/* Audits ACTION refused because the record's state forbids it; returns SVC_CONFLICT. */
static int conflict(struct req *r, const char *action, const char *type, const char *id) {
  refuse(r, action, type, id, "conflict", NULL);
  return SVC_CONFLICT;
}

/*
** Checks that the request's user may see child CHILD_ID and that it exists;
** *BORN (may be NULL) gets its date of birth as a day number or INT64_MIN.
** Refusals are audited under ACTION.  SVC_OK, SVC_NOT_FOUND or SVC_ERROR.
*/
static int child_check(struct req *r, const char *child_id, const char *action, int64_t *born) {
  bool visible;
  if (svc_child_access(r, child_id, &visible) != SVC_OK) return SVC_ERROR;
  if (!visible) {
    refuse(r, action, "child", child_id, "denied", NULL);
    return SVC_NOT_FOUND;
  }
  int64_t b;
  int rc = store_casework_child_born(req_db(r), child_id, &b);
  if (rc == DB_DONE) {
    refuse(r, action, "child", child_id, "not_found", NULL);
    return SVC_NOT_FOUND;
  }
  if (rc != DB_ROW) return SVC_ERROR;
  if (born) *born = b;
  return SVC_OK;
}

/* Commits the open transaction when RC is DB_OK, else rolls it back; returns the final code. */
static int finish(struct req *r, int rc) {
  struct db *db = req_db(r);
  if (rc == DB_OK) rc = db_commit(db);
  if (rc != DB_OK) db_rollback(db);
  return rc;
}

/* Maps a transaction's final code to a use case's result, auditing refusals under ACTION. */
static int tx_result(struct req *r, int rc, const char *action, const char *type, const char *id,
                     struct field_errors *errs) {
  switch (rc) {
  case DB_OK: return SVC_OK;
  case TX_INVALID: return invalid(r, action, type, id, errs);
  case TX_CONFLICT:
  case DB_CONSTRAINT:
  case DB_DONE: return conflict(r, action, type, id);
  default: return SVC_ERROR;
  }
}

static const char *const MONTHS[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Writes instant T in UK time, "20 Nov 2026, 14:05 GMT", into OUT (which it returns). */
static const char *uk_time(int64_t t, char *out, size_t cap) {
  int off = london_offset_seconds(t);
  int64_t local = t + off;
  int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
  int64_t secs = local - days * 86400;
  int y, m, d;
  civil_from_days(days, &y, &m, &d);
  snprintf(out, cap, "%d %s %d, %02d:%02d %s", d, MONTHS[m - 1], y, (int)(secs / 3600), (int)(secs / 60 % 60),
           off ? "BST" : "GMT");
  return out;
}

/* The calendar day (YYYY-MM-DD) of instant T in the UK. */
static void uk_day(int64_t t, char out[ISO_DATE_LEN]) { date_format(london_today(t), out); }

/*
** Appends to B at most MAX bytes of S on one line (line breaks and tabs
** become spaces), cut at a character boundary and marked with an ellipsis
** when cut.
*/
static void excerpt(struct buf *b, const char *s, size_t max) {
  size_t n = strlen(s);
  size_t cut = n <= max ? n : max;
  while (cut < n && cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80) cut--;
  for (size_t i = 0; i < cut; i++) buf_putc(b, s[i] == '\n' || s[i] == '\r' || s[i] == '\t' ? ' ' : s[i]);
  if (cut < n) buf_puts(b, "\xE2\x80\xA6");
}

/* The child's lead worker into OUT (empty when unallocated).  DB_OK or an error. */
static int lead_worker(struct req *r, const char *child_id, char out[ID_MAX]) {
  int rc = store_lead_worker(req_db(r), child_id, out);
  if (rc == DB_DONE) out[0] = '\0';
  return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

/* Makes AGENCY_ID (if any) involved with CHILD_ID for REASON. */
static int involve_agency(struct req *r, const char *child_id, const char *agency_id, const char *reason) {
  if (!agency_id || !agency_id[0]) return DB_OK;
  return store_child_involve(req_db(r), child_id, agency_id, reason, time_now());
}

/* ---- missing episodes ---- */

/* Adds the return-home interview's status ("awaiting_return", "due", "overdue", "completed", "declined") to episode E as of NOW. */
static void decorate_episode(json_t *e, int64_t now) {
  json_t *iv = json_object_get(e, "return_interview");
  bool returned, has_due;
  int64_t ret = json_time(e, "returned_at", &returned);
  int64_t due = json_time(iv, "due_at", &has_due);
  enum rhi_state s = missing_interview_state(returned, js(iv, "outcome"), has_due ? due : ret, now);
  json_object_set_new(iv, "status", json_string(missing_interview_state_name(s)));
  json_object_del(iv, "outcome");
}

/* Puts the return-home interview of episode EP_ID (which began at WENT) on the lead worker's clock, due at DUE. */
static int open_interview_deadline(struct req *r, const char *child_id, const char *ep_id, int64_t went, int64_t due) {
  char lead[ID_MAX], day[ISO_DATE_LEN], title[200], link[200];
  int rc = lead_worker(r, child_id, lead);
  if (rc != DB_OK) return rc;
  uk_day(went, day);
  snprintf(title, sizeof title, "Return-home interview due (episode of %s)", day);
  snprintf(link, sizeof link, "/children/%s/missing-episodes#episode-%s", child_id, ep_id);
  return svc_deadline_open(r, "missing_episode", ep_id, "return_interview", child_id, title, link,
                           lead[0] ? lead : NULL, due);
}

/* The chronology summary of an episode (caller frees). */
static char *episode_summary(int64_t went, bool returned, int64_t ret, bool police, const char *where, const char *who) {
  struct buf b = BUF_INIT;
  char t[64];
  buf_printf(&b, "Went missing %s; %s.", uk_time(went, t, sizeof t),
             police ? "reported to the police" : "not reported to the police");
  if (returned) buf_printf(&b, " Returned %s.", uk_time(ret, t, sizeof t));
  else buf_puts(&b, " Not yet returned.");
  if (where) {
    buf_puts(&b, " Found: ");
    excerpt(&b, where, 200);
    buf_puts(&b, ".");
  }
  if (who) {
    buf_puts(&b, " With: ");
    excerpt(&b, who, 200);
    buf_puts(&b, ".");
  }
  return buf_steal(&b);
}

/* Loads the spans of CHILD_ID's episodes other than SKIP_ID (may be NULL) into SPANS and STARTS (caller frees both; one spare slot each). */
static int load_spans(struct req *r, const char *child_id, const char *skip_id, struct missing_span **spans,
                      int64_t **starts, size_t *n, char ***ids) {
  struct missing_span_row *rows = NULL;
  size_t count = 0;
  int rc = store_missing_spans(req_db(r), child_id, &rows, &count);
  if (rc != DB_OK) return rc;
  *spans = xcalloc(count + 1, sizeof **spans);
  *starts = xcalloc(count + 1, sizeof **starts);
  *ids = xcalloc(count + 1, sizeof **ids);
  *n = 0;
  for (size_t i = 0; i < count; i++) {
    if (skip_id && !strcmp(rows[i].id, skip_id)) continue;
    (*spans)[*n] = (struct missing_span){rows[i].went, rows[i].returned, rows[i].has_returned};
    (*starts)[*n] = rows[i].went;
    (*ids)[*n] = xstrdup(rows[i].id);
    (*n)++;
  }
  free(rows);
  return DB_OK;
}

static void free_spans(struct missing_span *spans, int64_t *starts, char **ids, size_t n) {
  free(spans);
  free(starts);
  for (size_t i = 0; i < n; i++) free(ids[i]);
  free(ids);
}

/* Fills ERRS when the span WENT..RET overlaps one of the child's other episodes; true when clear. */
static bool no_overlap(const struct missing_span *spans, char **ids, size_t n, int64_t went, bool returned, int64_t ret,
                       struct field_errors *errs) {
  int clash = missing_overlap(spans, n, went, returned, ret);
  if (clash < 0) return true;
  char t[64];
  ferr_add(errs, "went_missing_at", "overlaps the child's missing episode %s that began %s", ids[clash],
           uk_time(spans[clash].went, t, sizeof t));
  return false;
}

/* The body of svc_missing_create's transaction. */
static int missing_create_tx(struct req *r, const char *child_id, const struct missing_input *mi,
                             struct field_errors *errs, char id[ID_MAX], bool *flagged) {
  const struct config *cfg = r->app->cfg;
  struct missing_span *spans = NULL;
  int64_t *starts = NULL;
  char **ids = NULL;
  size_t n = 0;
  int rc = load_spans(r, child_id, NULL, &spans, &starts, &n, &ids);
  if (rc != DB_OK) return rc;
  if (!no_overlap(spans, ids, n, mi->went_missing_at, mi->returned, mi->returned_at, errs)) {
    free_spans(spans, starts, ids, n);
    return TX_INVALID;
  }
  starts[n] = mi->went_missing_at;
  int in_window = missing_window_count(starts, n + 1, mi->went_missing_at, cfg->missing_flag_days);
  *flagged = missing_flag_raised(starts, n + 1, mi->went_missing_at, cfg->missing_flag_episodes, cfg->missing_flag_days);
  free_spans(spans, starts, ids, n);

  int64_t now = time_now();
  struct missing_row m;
  memset(&m, 0, sizeof m);
  ids_new("me", m.id, sizeof m.id);
  snprintf(id, ID_MAX, "%s", m.id);
  snprintf(m.child_id, sizeof m.child_id, "%s", child_id);
  m.went_missing_at = mi->went_missing_at;
  m.returned = mi->returned;
  m.returned_at = mi->returned_at;
  m.reported_to_police = mi->reported_to_police;
  m.where_found = mi->where_found;
  m.with_whom = mi->with_whom;
  m.agency_id = r->who.agency_id[0] ? r->who.agency_id : NULL;
  m.recorded_by = r->who.user_id[0] ? r->who.user_id : NULL;
  m.has_due = mi->returned;
  m.interview_due_at = missing_interview_due(mi->returned_at, cfg->return_interview_hours);
  rc = store_missing_insert(req_db(r), &m, now);
  char *summary = episode_summary(m.went_missing_at, m.returned, m.returned_at, m.reported_to_police, m.where_found,
                                  m.with_whom);
  if (rc == DB_OK) rc = svc_chronology(r, child_id, m.went_missing_at, "missing_episode", summary, "missing_episode", m.id);
  free(summary);
  if (rc == DB_OK) rc = svc_involve(r, child_id, "recorded a missing episode");
  if (rc == DB_OK && m.returned) rc = open_interview_deadline(r, child_id, m.id, m.went_missing_at, m.interview_due_at);
  char lead[ID_MAX] = "";
  if (rc == DB_OK) rc = lead_worker(r, child_id, lead);
  if (rc == DB_OK && *flagged) {
    char flag[200];
    snprintf(flag, sizeof flag, "Flagged: %d missing episodes within %d days. A risk review has been requested.",
             in_window, cfg->missing_flag_days);
    rc = svc_chronology(r, child_id, now, "flag", flag, "missing_episode", m.id);
    if (rc == DB_OK) rc = svc_risk_review_request(r, child_id, "Risk review requested: repeated missing episodes", true);
  } else if (rc == DB_OK && lead[0]) {
    rc = svc_risk_review_request(r, child_id, "Risk review requested: new information recorded", false);
  }
  if (rc == DB_OK) {
    json_t *d = json_pack("{s:s,s:b,s:b}", "episode", m.id, "returned", m.returned, "flagged", *flagged);
    rc = req_audit_tx(r, "missing_episode.create", "child", child_id, d);
    json_decref(d);
  }
  return rc;
}

/*
** Records a missing episode of CHILD_ID from IN (the contract's
** {"went_missing_at","returned_at","reported_to_police","where_found",
** "with_whom"}).  Puts the return-home interview on the clock when the
** return is given, flags the child (and asks for a risk review) when this
** makes missing_flag_episodes within missing_flag_days, and otherwise asks
** the lead worker, if any, to review the risk.  *OUT is the new episode.
*/
int svc_missing_create(struct req *r, const char *child_id, json_t *in, struct field_errors *errs, json_t **out) {
  static const char ACTION[] = "missing_episode.create";
  int64_t born = INT64_MIN;
  int rc = child_check(r, child_id, ACTION, &born);
  if (rc != SVC_OK) return rc;
  int64_t now = time_now();
  struct missing_input mi;
  if (!missing_validate(in, false, now, &mi, errs) ||
      !missing_check_times(mi.went_missing_at, mi.returned, mi.returned_at, now, born, errs))
    return invalid(r, ACTION, "child", child_id, errs);
  char id[ID_MAX] = "";
  bool flagged = false;
  rc = db_begin(req_db(r));
  if (rc == DB_OK) rc = missing_create_tx(r, child_id, &mi, errs, id, &flagged);
  rc = tx_result(r, finish(r, rc), ACTION, "child", child_id, errs);
  if (rc != SVC_OK) return rc;
  if (store_missing_get(req_db(r), id, out) != DB_ROW) return SVC_ERROR;
  decorate_episode(*out, time_now());
  return SVC_OK;
}

/*
** Every missing episode of CHILD_ID, latest first, with where each
** return-home interview stands, and the flag: how many episodes began in the
** last missing_flag_days days against the threshold.  Audited as a read.
*/
int svc_missing_list(struct req *r, const char *child_id, json_t **out) {
  static const char ACTION[] = "missing_episode.list";
  int rc = child_check(r, child_id, ACTION, NULL);
  if (rc != SVC_OK) return rc;
  json_t *episodes = NULL;
  if (store_missing_list(req_db(r), child_id, &episodes) != DB_OK) return SVC_ERROR;
  const struct config *cfg = r->app->cfg;
  int64_t now = time_now();
  size_t n = json_array_size(episodes);
  int64_t *starts = xcalloc(n + 1, sizeof *starts);
  size_t i;
  json_t *e;
  json_array_foreach(episodes, i, e) {
    bool has;
    starts[i] = json_time(e, "went_missing_at", &has);
    decorate_episode(e, now);
  }
  int recent = missing_recent_count(starts, n, now, cfg->missing_flag_days);
  free(starts);
  *out = json_pack("{s:o,s:{s:b,s:i,s:i,s:i}}", "episodes", episodes, "flag", "flagged",
                   recent >= cfg->missing_flag_episodes, "episodes_in_period", recent, "period_days",
                   cfg->missing_flag_days, "threshold", cfg->missing_flag_episodes);
  req_audit(r, ACTION, "child", child_id, "ok", NULL);
  return SVC_OK;
}

/*
** Loads episode ID for ACTION into *EP after checking the child's access:
** SVC_OK, or SVC_NOT_FOUND (audited) for an absent or hidden episode.
*/
static int episode_for(struct req *r, const char *id, const char *action, json_t **ep, int64_t *born) {
  int rc = store_missing_get(req_db(r), id, ep);
  if (rc == DB_DONE) {
    refuse(r, action, "missing_episode", id, "not_found", NULL);
    return SVC_NOT_FOUND;
  }
  if (rc != DB_ROW) return SVC_ERROR;
  rc = child_check(r, js(*ep, "child_id"), action, born);
  if (rc != SVC_OK) {
    json_decref(*ep);
    *ep = NULL;
  }
  return rc;
}

/* Episode ID with its interview's status; audited as a read of its child. */
int svc_missing_get(struct req *r, const char *id, json_t **out) {
  static const char ACTION[] = "missing_episode.read";
  int rc = episode_for(r, id, ACTION, out, NULL);
  if (rc != SVC_OK) return rc;
  decorate_episode(*out, time_now());
  json_t *d = json_pack("{s:s}", "episode", id);
  req_audit(r, ACTION, "child", js(*out, "child_id"), "ok", d);
  json_decref(d);
  return SVC_OK;
}

/* The body of svc_missing_update's transaction: M is the changed episode, OLD the stored one. */
static int missing_update_tx(struct req *r, json_t *old, struct missing_row *m, json_t *in, struct field_errors *errs) {
  const char *child_id = m->child_id;
  struct missing_span *spans = NULL;
  int64_t *starts = NULL;
  char **ids = NULL;
  size_t n = 0;
  int rc = load_spans(r, child_id, m->id, &spans, &starts, &n, &ids);
  if (rc != DB_OK) return rc;
  bool clear = no_overlap(spans, ids, n, m->went_missing_at, m->returned, m->returned_at, errs);
  free_spans(spans, starts, ids, n);
  if (!clear) return TX_INVALID;
  bool was_returned;
  json_time(old, "returned_at", &was_returned);
  bool interviewed = js(json_object_get(old, "return_interview"), "outcome") != NULL;
  int64_t now = time_now();
  m->has_due = m->returned;
  m->interview_due_at = missing_interview_due(m->returned_at, r->app->cfg->return_interview_hours);
  rc = store_missing_update(req_db(r), m, now);
  if (rc == DB_DONE) return TX_CONFLICT;
  if (rc == DB_OK && m->returned && !was_returned) {
    char *summary = episode_summary(m->went_missing_at, true, m->returned_at, m->reported_to_police, m->where_found,
                                    m->with_whom);
    rc = svc_chronology(r, child_id, m->returned_at, "missing_episode", summary, "missing_episode", m->id);
    free(summary);
  } else if (rc == DB_OK) {
    struct buf b = BUF_INIT;
    char t[64];
    buf_printf(&b, "Missing episode that began %s corrected (", uk_time(m->went_missing_at, t, sizeof t));
    json_t *names = field_names(in), *name;
    size_t i;
    json_array_foreach(names, i, name) buf_printf(&b, "%s%s", i ? ", " : "", json_string_value(name));
    json_decref(names);
    buf_puts(&b, ").");
    rc = svc_chronology(r, child_id, now, "missing_episode", buf_cstr(&b), "missing_episode", m->id);
    buf_free(&b);
  }
  if (rc == DB_OK) rc = svc_involve(r, child_id, "recorded a missing episode");
  if (rc == DB_OK && m->returned && !interviewed)
    rc = open_interview_deadline(r, child_id, m->id, m->went_missing_at, m->interview_due_at);
  if (rc == DB_OK) {
    json_t *d = json_pack("{s:s,s:o}", "episode", m->id, "fields", field_names(in));
    rc = req_audit_tx(r, "missing_episode.update", "child", child_id, d);
    json_decref(d);
  }
  return rc;
}

/*
** Changes episode ID with IN (any of the creation's fields): adds the
** return, or corrects the times and details.  The return cannot be removed
** once recorded, and the times cannot change once the return-home
** interview is recorded (SVC_CONFLICT).  An empty change answers the
** episode as it is.
*/
int svc_missing_update(struct req *r, const char *id, json_t *in, struct field_errors *errs, json_t **out) {
  static const char ACTION[] = "missing_episode.update";
  json_t *old = NULL;
  int64_t born = INT64_MIN;
  int rc = episode_for(r, id, ACTION, &old, &born);
  if (rc != SVC_OK) return rc;
  char child_id[ID_MAX];
  snprintf(child_id, sizeof child_id, "%s", js(old, "child_id"));
  int64_t now = time_now();
  struct missing_input mi;
  if (!missing_validate(in, true, now, &mi, errs)) {
    json_decref(old);
    return invalid(r, ACTION, "child", child_id, errs);
  }
  if (json_object_size(in) == 0) {
    json_decref(old);
    return svc_missing_get(r, id, out);
  }
  bool was_returned, ok = true;
  struct missing_row m;
  memset(&m, 0, sizeof m);
  snprintf(m.id, sizeof m.id, "%s", id);
  snprintf(m.child_id, sizeof m.child_id, "%s", child_id);
  m.version = (int)json_integer_value(json_object_get(old, "version"));
  bool has;
  m.went_missing_at = mi.has_went ? mi.went_missing_at : json_time(old, "went_missing_at", &has);
  int64_t old_ret = json_time(old, "returned_at", &was_returned);
  m.returned = mi.has_returned ? mi.returned : was_returned;
  m.returned_at = mi.has_returned ? mi.returned_at : old_ret;
  m.reported_to_police = mi.has_police ? mi.reported_to_police : json_is_true(json_object_get(old, "reported_to_police"));
  m.where_found = mi.has_where ? mi.where_found : js(old, "where_found");
  m.with_whom = mi.has_with ? mi.with_whom : js(old, "with_whom");
  bool interviewed = js(json_object_get(old, "return_interview"), "outcome") != NULL;
  if (was_returned && !m.returned) {
    ferr_add(errs, "returned_at", "cannot be removed once recorded: correct it instead");
    ok = false;
  }
  if (m.where_found && !m.returned) {
    ferr_add(errs, "where_found", "is recorded with the return: give returned_at too");
    ok = false;
  }
  ok = missing_check_times(m.went_missing_at, m.returned, m.returned_at, now, born, errs) && ok;
  if (!ok) {
    json_decref(old);
    return invalid(r, ACTION, "child", child_id, errs);
  }
  if (interviewed && (m.went_missing_at != json_time(old, "went_missing_at", &has) || m.returned_at != old_ret)) {
    ferr_add(errs, mi.has_went ? "went_missing_at" : "returned_at",
             "cannot change once the return-home interview is recorded");
    json_decref(old);
    return conflict(r, ACTION, "child", child_id);
  }
  rc = db_begin(req_db(r));
  if (rc == DB_OK) rc = missing_update_tx(r, old, &m, in, errs);
  json_decref(old);
  rc = tx_result(r, finish(r, rc), ACTION, "child", child_id, errs);
  if (rc != SVC_OK) return rc;
  if (store_missing_get(req_db(r), id, out) != DB_ROW) return SVC_ERROR;
  decorate_episode(*out, time_now());
  return SVC_OK;
}

/* The body of svc_return_interview's transaction. */
static int interview_tx(struct req *r, const char *id, const char *child_id, const struct interview_input *iv) {
  struct interview_row row;
  memset(&row, 0, sizeof row);
  row.outcome = iv->declined ? "declined" : "completed";
  row.at = iv->conducted_at;
  row.by = iv->conducted_by;
  row.independent = iv->declined ? -1 : iv->independent;
  row.childs_account = iv->declined ? NULL : iv->childs_account;
  row.reason = iv->declined ? iv->reason : NULL;
  row.agency_id = r->who.agency_id[0] ? r->who.agency_id : NULL;
  row.recorded_by = r->who.user_id[0] ? r->who.user_id : NULL;
  int rc = store_missing_interview(req_db(r), id, &row, time_now());
  if (rc == DB_DONE) return TX_CONFLICT;
  struct buf b = BUF_INIT;
  if (iv->declined) {
    buf_puts(&b, "Return-home interview declined by the child. Reason: ");
    excerpt(&b, iv->reason, SUMMARY_EXCERPT);
  } else {
    buf_puts(&b, "Return-home interview by ");
    excerpt(&b, iv->conducted_by, 200);
    buf_printf(&b, " (%s). In the child's words: \xE2\x80\x9C",
               iv->independent ? "independent of the placement" : "not independent of the placement");
    excerpt(&b, iv->childs_account, SUMMARY_EXCERPT);
    buf_puts(&b, "\xE2\x80\x9D");
  }
  if (rc == DB_OK) rc = svc_chronology(r, child_id, iv->conducted_at, "return_interview", buf_cstr(&b), "missing_episode", id);
  buf_free(&b);
  if (rc == DB_OK) rc = svc_deadline_meet(r, "missing_episode", id, "return_interview");
  if (rc == DB_OK) rc = svc_involve(r, child_id, "recorded a return-home interview");
  if (rc == DB_OK) {
    json_t *d = json_pack("{s:s,s:s}", "episode", id, "outcome", row.outcome);
    rc = req_audit_tx(r, "return_interview.record", "child", child_id, d);
    json_decref(d);
  }
  return rc;
}

/*
** Records the return-home interview of episode ID from IN: held
** ({"conducted_by","independent","childs_account"[,"conducted_at"]}) or
** declined ({"declined":true,"reason"[,"conducted_by"]}).  Meets the
** interview's deadline.  SVC_CONFLICT before the return or when an
** interview is already recorded.
*/
int svc_return_interview(struct req *r, const char *id, json_t *in, struct field_errors *errs, json_t **out) {
  static const char ACTION[] = "return_interview.record";
  json_t *ep = NULL;
  int rc = episode_for(r, id, ACTION, &ep, NULL);
  if (rc != SVC_OK) return rc;
  char child_id[ID_MAX];
  snprintf(child_id, sizeof child_id, "%s", js(ep, "child_id"));
  bool returned;
  int64_t ret = json_time(ep, "returned_at", &returned);
  bool done = js(json_object_get(ep, "return_interview"), "outcome") != NULL;
  json_decref(ep);
  if (!returned) {
    ferr_add(errs, "returned_at", "the child has not returned: record the return first");
    return conflict(r, ACTION, "child", child_id);
  }
  if (done) {
    ferr_add(errs, "return_interview", "is already recorded for this episode");
    return conflict(r, ACTION, "child", child_id);
  }
  struct interview_input iv;
  if (!missing_interview_validate(in, ret, time_now(), &iv, errs)) return invalid(r, ACTION, "child", child_id, errs);
  rc = db_begin(req_db(r));
  if (rc == DB_OK) rc = interview_tx(r, id, child_id, &iv);
  rc = tx_result(r, finish(r, rc), ACTION, "child", child_id, errs);
  if (rc != SVC_OK) return rc;
  if (store_missing_get(req_db(r), id, out) != DB_ROW) return SVC_ERROR;
  decorate_episode(*out, time_now());
  return SVC_OK;
}

/* ---- case notes ---- */

/* The body of svc_note_create's transaction. */
static int note_tx(struct req *r, const char *child_id, const struct note_input *ni, const char *indicators,
                   char id[ID_MAX]) {
  struct note_row n;
  memset(&n, 0, sizeof n);
  ids_new("nt", n.id, sizeof n.id);
  snprintf(id, ID_MAX, "%s", n.id);
  snprintf(n.child_id, sizeof n.child_id, "%s", child_id);
  n.at = ni->at;
  n.agency_id = r->who.agency_id[0] ? r->who.agency_id : NULL;
  n.author_id = r->who.user_id[0] ? r->who.user_id : NULL;
  n.text = ni->text;
  n.childs_words = ni->childs_words;
  n.indicators = indicators;
  int rc = store_note_insert(req_db(r), &n, time_now());
  struct buf b = BUF_INIT;
  if (ni->childs_words) {
    buf_puts(&b, "In the child's words: \xE2\x80\x9C");
    excerpt(&b, ni->childs_words, SUMMARY_EXCERPT);
    buf_puts(&b, "\xE2\x80\x9D ");
  }
  excerpt(&b, ni->text, SUMMARY_EXCERPT);
  size_t nind = json_array_size(ni->indicators);
  if (nind) buf_printf(&b, " (%zu risk %s noted)", nind, nind == 1 ? "indicator" : "indicators");
  if (rc == DB_OK) rc = svc_chronology(r, child_id, ni->at, "note", buf_cstr(&b), "note", n.id);
  buf_free(&b);
  if (rc == DB_OK) rc = svc_involve(r, child_id, "wrote a case note");
  char lead[ID_MAX] = "";
  if (rc == DB_OK && nind) rc = lead_worker(r, child_id, lead);
  if (rc == DB_OK && lead[0]) rc = svc_risk_review_request(r, child_id, "Risk review requested: new information recorded", false);
  if (rc == DB_OK) {
    json_t *d = json_pack("{s:s,s:i,s:b}", "note", n.id, "indicators", (int)nind, "childs_words", ni->childs_words != NULL);
    rc = req_audit_tx(r, "note.create", "child", child_id, d);
    json_decref(d);
  }
  return rc;
}

/*
** Adds a case note to CHILD_ID from IN ({"text","childs_words","indicators",
** "at"}).  Indicator codes must be in the risk tool in force.  A note with
** indicators asks the child's lead worker, if any, to review the risk.
*/
int svc_note_create(struct req *r, const char *child_id, json_t *in, struct field_errors *errs, json_t **out) {
  static const char ACTION[] = "note.create";
  int rc = child_check(r, child_id, ACTION, NULL);
  if (rc != SVC_OK) return rc;
  struct note_input ni;
  bool ok = note_validate(in, time_now(), &ni, errs);
  size_t i;
  json_t *code;
  json_array_foreach(ni.indicators, i, code) {
    if (json_is_string(code) && !risk_tool_indicator(&r->app->risk_tool, json_string_value(code))) {
      char field[40];
      snprintf(field, sizeof field, "indicators[%zu]", i);
      ferr_add(errs, field, "is not an indicator of the risk tool in force (see GET /api/v1/risk/tool)");
      ok = false;
    }
  }
  if (!ok) return invalid(r, ACTION, "child", child_id, errs);
  char *indicators = json_dumps(ni.indicators, JSON_COMPACT);
  char id[ID_MAX] = "";
  rc = db_begin(req_db(r));
  if (rc == DB_OK) rc = note_tx(r, child_id, &ni, indicators, id);
  free(indicators);
  rc = tx_result(r, finish(r, rc), ACTION, "child", child_id, errs);
  if (rc != SVC_OK) return rc;
  char at[ISO_TIME_LEN], recorded[ISO_TIME_LEN];
  time_format_iso(ni.at, at);
  time_format_iso(time_now(), recorded);
  json_t *agency = r->who.agency_id[0] ? json_pack("{s:s,s:s}", "code", r->who.agency_code, "name", r->who.agency_name)
                                       : json_null();
  *out = json_pack("{s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:s?,s:O,s:s}", "id", id, "child_id", child_id, "at", at, "agency",
                   agency, "author", r->who.username, "author_name", r->who.name, "text", ni.text, "childs_words",
                   ni.childs_words, "indicators", ni.indicators, "recorded_at", recorded);
  return SVC_OK;
}

/* The notes on CHILD_ID, newest first (at most 500); audited as a read. */
int svc_note_list(struct req *r, const char *child_id, json_t **out) {
  static const char ACTION[] = "note.list";
  int rc = child_check(r, child_id, ACTION, NULL);
  if (rc != SVC_OK) return rc;
  json_t *notes = NULL;
  if (store_notes_list(req_db(r), child_id, NOTES_SHOWN, &notes) != DB_OK) return SVC_ERROR;
  *out = json_pack("{s:o}", "notes", notes);
  req_audit(r, ACTION, "child", child_id, "ok", NULL);
  return SVC_OK;
}

/* ---- allocation and caseloads ---- */

/* {"current": the current allocation or null, "history": every allocation, the current first}. */
static int allocation_json(struct req *r, const char *child_id, json_t **out) {
  json_t *all = NULL;
  if (store_allocations_for_child(req_db(r), child_id, &all) != DB_OK) return SVC_ERROR;
  json_t *first = json_array_get(all, 0);
  json_t *current = first && json_is_null(json_object_get(first, "ended_at")) ? json_incref(first) : json_null();
  *out = json_pack("{s:o,s:o}", "current", current, "history", all);
  return SVC_OK;
}

/* True for the roles that may lead the work with a child. */
static bool may_lead(enum role role) {
  return role == ROLE_SOCIAL_WORKER || role == ROLE_CSE_WORKER || role == ROLE_MANAGER;
}

/* The body of svc_allocate's transaction. */
static int allocate_tx(struct req *r, const char *child_id, const struct user *w, const char *team) {
  int64_t now = time_now();
  struct db *db = req_db(r);
  int rc = store_allocation_end(db, child_id, now);
  if (rc == DB_DONE) rc = DB_OK;
  char id[ID_MAX];
  ids_new("al", id, sizeof id);
  if (rc == DB_OK) rc = store_allocation_insert(db, id, child_id, w->id, team, r->who.user_id[0] ? r->who.user_id : NULL, now);
  if (rc == DB_OK) rc = involve_agency(r, child_id, w->agency_id, "holds the allocation");
  if (rc == DB_OK) rc = svc_involve(r, child_id, "allocated the child's lead worker");
  if (rc == DB_OK) rc = store_deadlines_follow_lead(db, child_id, w->id);
  struct buf b = BUF_INIT;
  buf_printf(&b, "Allocated to %s (%s), team: %s.", w->name, role_name(w->role), team);
  if (rc == DB_OK) rc = svc_chronology(r, child_id, now, "allocation", buf_cstr(&b), "allocation", id);
  buf_free(&b);
  if (rc == DB_OK) {
    json_t *d = json_pack("{s:s,s:s,s:s}", "allocation", id, "worker", w->username, "team", team);
    rc = req_audit_tx(r, "allocation.create", "child", child_id, d);
    json_decref(d);
  }
  return rc;
}

/*
** Makes IN's worker (a username) the lead worker of CHILD_ID in IN's team,
** ending any earlier allocation; the child's open interview and review
** deadlines follow the new lead worker, and the worker's agency becomes
** involved.  Allocating the current worker and team again changes nothing
** (*CREATED false).  *OUT is the child's allocation.
*/
int svc_allocate(struct req *r, const char *child_id, json_t *in, struct field_errors *errs, json_t **out,
                 bool *created) {
  static const char ACTION[] = "allocation.create";
  *created = false;
  int rc = child_check(r, child_id, ACTION, NULL);
  if (rc != SVC_OK) return rc;
  struct allocation_input ai;
  if (!allocation_validate(in, &ai, errs)) return invalid(r, ACTION, "child", child_id, errs);
  struct user w;
  rc = store_user_by_username(req_db(r), ai.worker, &w);
  if (rc < 0) return SVC_ERROR;
  if (rc == DB_DONE) ferr_add(errs, "worker", "is not the username of a Safehub user");
  else if (w.disabled) ferr_add(errs, "worker", "is a disabled account");
  else if (!may_lead(w.role)) ferr_add(errs, "worker", "must be a social worker, CSE worker or manager");
  if (ferr_any(errs)) return invalid(r, ACTION, "child", child_id, errs);
  json_t *now_alloc = NULL;
  if (allocation_json(r, child_id, &now_alloc) != SVC_OK) return SVC_ERROR;
  json_t *cur = json_object_get(now_alloc, "current");
  bool same = json_is_object(cur) && !strcmp(js(json_object_get(cur, "worker"), "username"), w.username) &&
              js(cur, "team") && !strcmp(js(cur, "team"), ai.team);
  json_decref(now_alloc);
  if (same) return svc_allocation_get(r, child_id, out);
  rc = db_begin(req_db(r));
  if (rc == DB_OK) rc = allocate_tx(r, child_id, &w, ai.team);
  rc = tx_result(r, finish(r, rc), ACTION, "child", child_id, errs);
  if (rc != SVC_OK) return rc;
  *created = true;
  return allocation_json(r, child_id, out);
}

/* CHILD_ID's current allocation and its history; audited as a read. */
int svc_allocation_get(struct req *r, const char *child_id, json_t **out) {
  static const char ACTION[] = "allocation.read";
  int rc = child_check(r, child_id, ACTION, NULL);
  if (rc != SVC_OK) return rc;
  rc = allocation_json(r, child_id, out);
  if (rc == SVC_OK) req_audit(r, ACTION, "child", child_id, "ok", NULL);
  return rc;
}

/*
** Ends CHILD_ID's current allocation (the case is closed to its lead
** worker); the child's open interview and review deadlines go back to the
** MASH queue.  SVC_NOT_FOUND when there is no current allocation.
*/
int svc_allocation_end(struct req *r, const char *child_id) {
  static const char ACTION[] = "allocation.end";
  int rc = child_check(r, child_id, ACTION, NULL);
  if (rc != SVC_OK) return rc;
  json_t *a = NULL;
  if (allocation_json(r, child_id, &a) != SVC_OK) return SVC_ERROR;
  json_t *cur = json_object_get(a, "current");
  if (!json_is_object(cur)) {
    json_decref(a);
    refuse(r, ACTION, "child", child_id, "not_found", NULL);
    return SVC_NOT_FOUND;
  }
  char summary[400], alloc_id[ID_MAX];
  snprintf(summary, sizeof summary, "Allocation to %s (team: %s) ended.", js(json_object_get(cur, "worker"), "name"),
           js(cur, "team") ? js(cur, "team") : "none");
  snprintf(alloc_id, sizeof alloc_id, "%s", js(cur, "id"));
  json_decref(a);
  int64_t now = time_now();
  struct db *db = req_db(r);
  rc = db_begin(db);
  if (rc == DB_OK) rc = store_allocation_end(db, child_id, now);
  if (rc == DB_OK) rc = store_deadlines_follow_lead(db, child_id, NULL);
  if (rc == DB_OK) rc = svc_chronology(r, child_id, now, "allocation", summary, "allocation", alloc_id);
  if (rc == DB_OK) {
    json_t *d = json_pack("{s:s}", "allocation", alloc_id);
    rc = req_audit_tx(r, ACTION, "child", child_id, d);
    json_decref(d);
  }
  return tx_result(r, finish(r, rc), ACTION, "child", child_id, NULL);
}

/* Audits that each child of LIST (member "child_id") was shown under ACTION, with DETAILS. */
static void audit_listed(struct req *r, json_t *list, const char *action, json_t *details) {
  size_t i;
  json_t *c;
  json_array_foreach(list, i, c) req_audit(r, action, "child", js(c, "child_id"), "ok", details);
}

/*
** Caseloads for managers.  With WORKER (a username): the children that
** worker leads on, each listing audited.  Otherwise the number of children
** and of overdue deadlines per worker and team, and per team, optionally of
** one TEAM only; no child is named.  ERRS for a bad parameter.
*/
int svc_caseloads(struct req *r, const char *team, const char *worker, struct field_errors *errs, json_t **out) {
  static const char ACTION[] = "caseload.read";
  if (team && (text_is_blank(team) || strlen(team) > TEAM_MAX)) ferr_add(errs, "team", "must be 1 to 100 characters");
  struct user w;
  if (worker) {
    int rc = store_user_by_username(req_db(r), worker, &w);
    if (rc < 0) return SVC_ERROR;
    if (rc == DB_DONE) ferr_add(errs, "worker", "is not the username of a Safehub user");
  }
  if (ferr_any(errs)) return invalid(r, ACTION, "caseloads", NULL, errs);
  if (worker) {
    json_t *kids = NULL;
    if (store_caseload_children(req_db(r), w.id, &kids) != DB_OK) return SVC_ERROR;
    json_t *d = json_pack("{s:s}", "worker", w.username);
    audit_listed(r, kids, ACTION, d);
    req_audit(r, ACTION, "user", w.id, "ok", d);
    json_decref(d);
    *out = json_pack("{s:{s:s,s:s,s:s},s:o}", "worker", "username", w.username, "name", w.name, "role",
                     role_name(w.role), "children", kids);
    return SVC_OK;
  }
  json_t *rows = NULL;
  if (store_caseload_counts(req_db(r), team, time_now(), &rows) != DB_OK) return SVC_ERROR;
  json_t *teams = json_array();
  json_int_t total = 0;
  size_t i;
  json_t *row;
  json_array_foreach(rows, i, row) {
    json_int_t kids = json_integer_value(json_object_get(row, "children"));
    total += kids;
    const char *t = js(row, "team");
    if (!t) continue;
    json_t *found = NULL;
    size_t k;
    json_t *tm;
    json_array_foreach(teams, k, tm) {
      if (!strcmp(js(tm, "team"), t)) found = tm;
    }
    if (!found) {
      found = json_pack("{s:s,s:I,s:i}", "team", t, "children", (json_int_t)0, "workers", 0);
      json_array_append_new(teams, found);
    }
    json_object_set_new(found, "children", json_integer(json_integer_value(json_object_get(found, "children")) + kids));
    json_object_set_new(found, "workers", json_integer(json_integer_value(json_object_get(found, "workers")) + 1));
  }
  json_t *d = json_pack("{s:s?}", "team", team);
  req_audit(r, ACTION, "caseloads", NULL, "ok", d);
  json_decref(d);
  *out = json_pack("{s:s?,s:I,s:o,s:o}", "team", team, "children", total, "teams", teams, "workers", rows);
  return SVC_OK;
}

/* The children the request's user leads on; each listing audited. */
int svc_caseload_mine(struct req *r, json_t **out) {
  json_t *kids = NULL;
  if (store_caseload_children(req_db(r), r->who.user_id, &kids) != DB_OK) return SVC_ERROR;
  audit_listed(r, kids, "caseload.read", NULL);
  *out = json_pack("{s:o}", "children", kids);
  return SVC_OK;
}

/* ---- meetings and actions ---- */

/* What the meeting called TYPE is called in words. */
static const char *meeting_label(const char *type) {
  const char *l = code_label(MEETING_TYPES, type);
  return l ? l : "Meeting";
}

/* The meeting called TYPE as written inside a sentence. */
static const char *meeting_phrase(const char *type) {
  if (type && !strcmp(type, "strategy_discussion")) return "strategy discussion";
  if (type && !strcmp(type, "cse_meeting")) return "multi-agency CSE meeting";
  return "meeting";
}

struct meeting_refs {
  json_t *agencies;   /* per attendee: agency id */
  json_t *owners;     /* per action: {"id","agency_id"} */
};

/*
** Checks what a meeting refers to: every child must be one the user may see
** (else "is not a record you can see", audited as the child's refusal),
** every attendee's agency a Safehub agency, every action's owner an enabled
** user who works with children's records.  Fills REFS.  SVC_OK, or an error.
*/
static int meeting_refs_check(struct req *r, json_t *in, struct meeting_refs *refs, struct field_errors *errs) {
  struct db *db = req_db(r);
  size_t i;
  json_t *v;
  char field[64];
  json_array_foreach(json_object_get(in, "child_ids"), i, v) {
    if (!json_is_string(v) || !ids_plausible(json_string_value(v))) continue;
    snprintf(field, sizeof field, "child_ids[%zu]", i);
    int rc = child_check(r, json_string_value(v), "meeting.create", NULL);
    if (rc == SVC_ERROR) return SVC_ERROR;
    if (rc != SVC_OK) ferr_add(errs, field, "is not a record you can see");
  }
  refs->agencies = json_array();
  json_array_foreach(json_object_get(in, "attendees"), i, v) {
    struct agency a;
    if (!js(v, "agency")) {
      json_array_append_new(refs->agencies, json_string(""));
      continue;
    }
    int rc = store_agency_by_code(db, js(v, "agency"), &a);
    if (rc < 0) return SVC_ERROR;
    snprintf(field, sizeof field, "attendees[%zu].agency", i);
    if (rc != DB_ROW) ferr_add(errs, field, "is not the code of an agency in Safehub");
    json_array_append_new(refs->agencies, json_string(rc == DB_ROW ? a.id : ""));
  }
  refs->owners = json_array();
  json_array_foreach(json_object_get(in, "actions"), i, v) {
    struct user u;
    if (!js(v, "owner")) {
      json_array_append_new(refs->owners, json_pack("{s:s,s:s}", "id", "", "agency_id", ""));
      continue;
    }
    int rc = store_user_by_username(db, js(v, "owner"), &u);
    if (rc < 0) return SVC_ERROR;
    snprintf(field, sizeof field, "actions[%zu].owner", i);
    if (rc != DB_ROW) ferr_add(errs, field, "is not the username of a Safehub user");
    else if (u.disabled) ferr_add(errs, field, "is a disabled account");
    else if (!role_in(u.role, ROLES_CASE)) ferr_add(errs, field, "must be a user who works with children's records");
    json_array_append_new(refs->owners, rc == DB_ROW ? json_pack("{s:s,s:s}", "id", u.id, "agency_id", u.agency_id)
                                                     : json_pack("{s:s,s:s}", "id", "", "agency_id", ""));
  }
  return SVC_OK;
}

/* The body of svc_meeting_create's transaction. */
static int meeting_tx(struct req *r, json_t *in, const struct meeting_refs *refs, char id[ID_MAX]) {
  struct db *db = req_db(r);
  const char *type = js(in, "type");
  int64_t held = 0, now = time_now();
  time_parse_iso(js(in, "held_at"), &held);
  ids_new("mt", id, ID_MAX);
  int rc = store_meeting_insert(db, id, type, held, js(in, "decisions"), r->who.agency_id[0] ? r->who.agency_id : NULL,
                                r->who.user_id[0] ? r->who.user_id : NULL, now);
  json_t *kids = json_object_get(in, "child_ids");
  const char *first_child = json_string_value(json_array_get(kids, 0));
  size_t i, k;
  json_t *v, *kid;
  json_array_foreach(kids, i, v) {
    if (rc == DB_OK) rc = store_meeting_child_add(db, id, json_string_value(v));
  }
  json_array_foreach(json_object_get(in, "attendees"), i, v) {
    if (rc == DB_OK)
      rc = store_meeting_attendee_add(db, id, (int)i, js(v, "name"), json_string_value(json_array_get(refs->agencies, i)),
                                      js(v, "role"));
  }
  char day[ISO_DATE_LEN];
  uk_day(held, day);
  json_array_foreach(json_object_get(in, "actions"), i, v) {
    if (rc != DB_OK) break;
    char aid[ID_MAX], title[200], link[200];
    ids_new("ac", aid, sizeof aid);
    json_t *owner = json_array_get(refs->owners, i);
    int64_t due_day = 0;
    date_parse(js(v, "due"), &due_day);
    int64_t due_at = casework_end_of_day(due_day);
    rc = store_action_insert(db, aid, id, (int)i, js(v, "description"), js(owner, "id"), js(v, "due"), due_at, now);
    snprintf(title, sizeof title, "Action from the %s of %s, due %s", meeting_phrase(type), day, js(v, "due"));
    snprintf(link, sizeof link, "/meetings/%s#action-%s", id, aid);
    if (rc == DB_OK) rc = svc_deadline_open(r, "action", aid, "action", first_child, title, link, js(owner, "id"), due_at);
  }
  /* The meeting on each child's record, with the agencies that took part involved. */
  struct buf b = BUF_INIT;
  size_t nactions = json_array_size(json_object_get(in, "actions"));
  buf_printf(&b, "%s with %zu %s. Decisions: ", meeting_label(type), json_array_size(json_object_get(in, "attendees")),
             json_array_size(json_object_get(in, "attendees")) == 1 ? "attendee" : "attendees");
  excerpt(&b, js(in, "decisions"), SUMMARY_EXCERPT);
  if (nactions) buf_printf(&b, " %zu %s agreed.", nactions, nactions == 1 ? "action" : "actions");
  json_array_foreach(kids, k, kid) {
    const char *child_id = json_string_value(kid);
    if (rc == DB_OK) rc = svc_chronology(r, child_id, held, "meeting", buf_cstr(&b), "meeting", id);
    if (rc == DB_OK) rc = svc_involve(r, child_id, "recorded a meeting about the child");
    json_array_foreach(refs->agencies, i, v) {
      if (rc == DB_OK) rc = involve_agency(r, child_id, json_string_value(v), "attended a meeting about the child");
    }
    json_array_foreach(refs->owners, i, v) {
      if (rc == DB_OK) rc = involve_agency(r, child_id, js(v, "agency_id"), "owns an action for the child");
    }
    if (rc == DB_OK) {
      rc = store_child_deadlines_meet(req_db(r), child_id, type, r->who.user_id[0] ? r->who.user_id : NULL, time_now());
      if (rc == DB_DONE) rc = DB_OK;
    }
    if (rc == DB_OK) {
      json_t *d = json_pack("{s:s,s:s}", "meeting", id, "type", type);
      rc = req_audit_tx(r, "meeting.create", "child", child_id, d);
      json_decref(d);
    }
  }
  buf_free(&b);
  return rc;
}

/*
** Keeps in meeting M's child_ids only the children the user may see and
** counts the others in "other_children".  *VISIBLE gets how many are shown.
*/
static int filter_children(struct req *r, json_t *m, int *visible) {
  json_t *kept = json_array();
  int hidden = 0;
  size_t i;
  json_t *v;
  *visible = 0;
  json_array_foreach(json_object_get(m, "child_ids"), i, v) {
    bool may;
    if (svc_child_access(r, json_string_value(v), &may) != SVC_OK) {
      json_decref(kept);
      return SVC_ERROR;
    }
    if (may) {
      json_array_append(kept, v);
      (*visible)++;
    } else {
      hidden++;
    }
  }
  json_object_set_new(m, "child_ids", kept);
  json_object_set_new(m, "other_children", json_integer(hidden));
  return SVC_OK;
}

/*
** Records a strategy discussion or multi-agency CSE meeting from IN, with
** its attendees and actions (each on its owner's clock).  For each child:
** a chronology entry, the agencies that took part involved, and the
** child's deadline of that kind ("cse_meeting", "strategy_discussion")
** met.  *OUT is the meeting.
*/
int svc_meeting_create(struct req *r, json_t *in, struct field_errors *errs, json_t **out) {
  static const char ACTION[] = "meeting.create";
  bool valid = meeting_validate(in, time_now(), errs);
  struct meeting_refs refs = {NULL, NULL};
  /* The references are checked even when the shape is not right, so that one answer names every problem. */
  int rc = meeting_refs_check(r, in, &refs, errs);
  if (rc == SVC_OK && (!valid || ferr_any(errs))) rc = invalid(r, ACTION, "meeting", NULL, errs);
  if (rc != SVC_OK) {
    json_decref(refs.agencies);
    json_decref(refs.owners);
    return rc;
  }
  char id[ID_MAX] = "";
  rc = db_begin(req_db(r));
  if (rc == DB_OK) rc = meeting_tx(r, in, &refs, id);
  json_decref(refs.agencies);
  json_decref(refs.owners);
  rc = tx_result(r, finish(r, rc), ACTION, "meeting", NULL, errs);
  if (rc != SVC_OK) return rc;
  if (store_meeting_get(req_db(r), id, out) != DB_ROW) return SVC_ERROR;
  int visible;
  return filter_children(r, *out, &visible);
}

/*
** Meeting ID, if the user may see at least one of its children; only those
** children are named (the others are counted).  Audited as a read of each
** child shown.
*/
int svc_meeting_get(struct req *r, const char *id, json_t **out) {
  static const char ACTION[] = "meeting.read";
  int rc = store_meeting_get(req_db(r), id, out);
  if (rc == DB_DONE) {
    refuse(r, ACTION, "meeting", id, "not_found", NULL);
    return SVC_NOT_FOUND;
  }
  if (rc != DB_ROW) return SVC_ERROR;
  int visible;
  if (filter_children(r, *out, &visible) != SVC_OK) return SVC_ERROR;
  if (visible == 0) {
    json_decref(*out);
    *out = NULL;
    refuse(r, ACTION, "meeting", id, "denied", NULL);
    return SVC_NOT_FOUND;
  }
  json_t *d = json_pack("{s:s}", "meeting", id);
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(*out, "child_ids"), i, v) req_audit(r, ACTION, "child", json_string_value(v), "ok", d);
  json_decref(d);
  return SVC_OK;
}

/* The meetings about CHILD_ID, the latest first, with their actions; audited as a read. */
int svc_meetings_for_child(struct req *r, const char *child_id, json_t **out) {
  static const char ACTION[] = "meeting.list";
  int rc = child_check(r, child_id, ACTION, NULL);
  if (rc != SVC_OK) return rc;
  char **ids = NULL;
  int n = 0;
  if (store_meetings_for_child(req_db(r), child_id, &ids, &n) != DB_OK) return SVC_ERROR;
  json_t *list = json_array();
  rc = SVC_OK;
  for (int i = 0; i < n && rc == SVC_OK; i++) {
    json_t *m = NULL;
    int visible;
    if (store_meeting_get(req_db(r), ids[i], &m) != DB_ROW || filter_children(r, m, &visible) != SVC_OK) rc = SVC_ERROR;
    if (m) json_array_append_new(list, m);
  }
  store_free_ids(ids, n);
  if (rc != SVC_OK) {
    json_decref(list);
    return rc;
  }
  *out = json_pack("{s:o}", "meetings", list);
  req_audit(r, ACTION, "child", child_id, "ok", NULL);
  /* A meeting shown here about other children too is a read of their records as well, as a fetch of it would be. */
  size_t i, j;
  json_t *m, *v;
  json_array_foreach(list, i, m) {
    json_t *d = NULL;
    json_array_foreach(json_object_get(m, "child_ids"), j, v) {
      if (!json_is_string(v) || strcmp(json_string_value(v), child_id) == 0) continue;
      if (!d) d = json_pack("{s:O}", "meeting", json_object_get(m, "id"));
      req_audit(r, "meeting.read", "child", json_string_value(v), "ok", d);
    }
    json_decref(d);
  }
  return SVC_OK;
}

/*
** Marks action ID done, with IN's optional note.  Its owner, a manager or
** the director may; anyone else who can see the meeting is refused
** (SVC_FORBIDDEN), and to those who cannot it does not exist.  Meets the
** action's deadline and adds it to each child's chronology.  *OUT is the
** action.
*/
int svc_action_complete(struct req *r, const char *id, json_t *in, struct field_errors *errs, json_t **out) {
  static const char ACTION[] = "action.complete";
  struct action_row a;
  int rc = store_action_get(req_db(r), id, &a);
  if (rc == DB_DONE) {
    refuse(r, ACTION, "action", id, "not_found", NULL);
    return SVC_NOT_FOUND;
  }
  if (rc != DB_ROW) return SVC_ERROR;
  json_t *m = NULL;
  int visible = 0;
  if (store_meeting_get(req_db(r), a.meeting_id, &m) != DB_ROW || filter_children(r, m, &visible) != SVC_OK) {
    json_decref(m);
    return SVC_ERROR;
  }
  if (visible == 0) {
    json_decref(m);
    refuse(r, ACTION, "action", id, "denied", NULL);
    return SVC_NOT_FOUND;
  }
  bool mine = !strcmp(a.owner_id, r->who.user_id);
  if (!mine && !role_in(r->who.role, R(ROLE_MANAGER) | R(ROLE_DIRECTOR))) {
    json_decref(m);
    refuse(r, ACTION, "action", id, "denied", NULL);
    return SVC_FORBIDDEN;
  }
  if (!action_complete_validate(in, errs)) {
    json_decref(m);
    return invalid(r, ACTION, "action", id, errs);
  }
  if (a.completed) {
    json_decref(m);
    ferr_add(errs, "action", "is already done");
    return conflict(r, ACTION, "action", id);
  }
  json_t *action = NULL;
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(m, "actions"), i, v) {
    if (!strcmp(js(v, "id"), id)) action = v;
  }
  struct buf b = BUF_INIT;
  char day[ISO_DATE_LEN] = "";
  bool has;
  int64_t held = json_time(m, "held_at", &has);
  uk_day(held, day);
  buf_printf(&b, "Action from the %s of %s done: ", meeting_phrase(js(m, "type")), day);
  excerpt(&b, action ? js(action, "description") : "", SUMMARY_EXCERPT);
  const char *note = js(in, "note");
  if (note) {
    buf_puts(&b, " Note: ");
    excerpt(&b, note, SUMMARY_EXCERPT);
  }
  int64_t now = time_now();
  struct db *db = req_db(r);
  rc = db_begin(db);
  if (rc == DB_OK) rc = store_action_complete(db, id, r->who.user_id[0] ? r->who.user_id : NULL, note, now);
  if (rc == DB_DONE) rc = TX_CONFLICT;
  if (rc == DB_OK) rc = svc_deadline_meet(r, "action", id, "action");
  json_array_foreach(json_object_get(m, "child_ids"), i, v) {
    if (rc == DB_OK) rc = svc_chronology(r, json_string_value(v), now, "action", buf_cstr(&b), "action", id);
    if (rc == DB_OK) rc = svc_involve(r, json_string_value(v), "completed an action for the child");
    if (rc == DB_OK) {
      json_t *d = json_pack("{s:s,s:s}", "action", id, "meeting", a.meeting_id);
      rc = req_audit_tx(r, ACTION, "child", json_string_value(v), d);
      json_decref(d);
    }
  }
  buf_free(&b);
  json_decref(m);
  rc = tx_result(r, finish(r, rc), ACTION, "action", id, errs);
  if (rc != SVC_OK) return rc;
  if (store_meeting_get(db, a.meeting_id, &m) != DB_ROW) return SVC_ERROR;
  json_array_foreach(json_object_get(m, "actions"), i, v) {
    if (!strcmp(js(v, "id"), id)) *out = json_incref(v);
  }
  json_object_set_new(*out, "meeting_id", json_string(a.meeting_id));
  json_decref(m);
  return SVC_OK;
}

/* ---- support referrals ---- */

/* The chronology instant of a referral made on day REFERRED_ON: now when that is today, else the start of the day. */
static int64_t referral_at(const char *referred_on, int64_t now) {
  int64_t day;
  if (!date_parse(referred_on, &day) || day >= london_today(now)) return now;
  return london_local_to_utc(day * 86400);
}

/* The body of svc_support_create's transaction. */
static int support_create_tx(struct req *r, struct support_row *s) {
  int64_t now = time_now();
  int rc = store_support_insert(req_db(r), s, now);
  struct buf b = BUF_INIT;
  buf_printf(&b, "Referred to %s", code_label(SUPPORT_SERVICES, s->service));
  if (s->provider) {
    buf_puts(&b, " (");
    excerpt(&b, s->provider, 200);
    buf_puts(&b, ")");
  }
  buf_printf(&b, ". Status: %s; engagement: %s.", code_label(SUPPORT_STATUSES, s->status),
             code_label(SUPPORT_ENGAGEMENT, s->engagement));
  if (rc == DB_OK) rc = svc_chronology(r, s->child_id, referral_at(s->referred_on, now), "support", buf_cstr(&b), "support", s->id);
  buf_free(&b);
  if (rc == DB_OK) rc = svc_involve(r, s->child_id, "referred the child for support");
  if (rc == DB_OK) {
    json_t *d = json_pack("{s:s,s:s}", "support", s->id, "service", s->service);
    rc = req_audit_tx(r, "support.create", "child", s->child_id, d);
    json_decref(d);
  }
  return rc;
}

/*
** Records a referral of CHILD_ID to a support service from IN
** ({"service","status","engagement","outcome","provider","referred_on"}).
** engagement defaults to "not_known" and referred_on to today.
*/
int svc_support_create(struct req *r, const char *child_id, json_t *in, struct field_errors *errs, json_t **out) {
  static const char ACTION[] = "support.create";
  int rc = child_check(r, child_id, ACTION, NULL);
  if (rc != SVC_OK) return rc;
  int64_t now = time_now();
  if (!support_validate(in, false, london_today(now), errs) ||
      !support_check_record(js(in, "status"), js(in, "outcome"), errs))
    return invalid(r, ACTION, "child", child_id, errs);
  char today[ISO_DATE_LEN];
  date_format(london_today(now), today);
  struct support_row s;
  memset(&s, 0, sizeof s);
  ids_new("sp", s.id, sizeof s.id);
  snprintf(s.child_id, sizeof s.child_id, "%s", child_id);
  s.service = js(in, "service");
  s.provider = js(in, "provider");
  s.referred_on = js(in, "referred_on") ? js(in, "referred_on") : today;
  s.status = js(in, "status");
  s.engagement = js(in, "engagement") ? js(in, "engagement") : "not_known";
  s.outcome = js(in, "outcome");
  s.agency_id = r->who.agency_id[0] ? r->who.agency_id : NULL;
  s.recorded_by = r->who.user_id[0] ? r->who.user_id : NULL;
  rc = db_begin(req_db(r));
  if (rc == DB_OK) rc = support_create_tx(r, &s);
  rc = tx_result(r, finish(r, rc), ACTION, "child", child_id, errs);
  if (rc != SVC_OK) return rc;
  return store_support_get(req_db(r), s.id, out) == DB_ROW ? SVC_OK : SVC_ERROR;
}

/* Loads referral ID for ACTION after checking its child's access (refusals audited). */
static int support_for(struct req *r, const char *id, const char *action, json_t **out) {
  int rc = store_support_get(req_db(r), id, out);
  if (rc == DB_DONE) {
    refuse(r, action, "support", id, "not_found", NULL);
    return SVC_NOT_FOUND;
  }
  if (rc != DB_ROW) return SVC_ERROR;
  rc = child_check(r, js(*out, "child_id"), action, NULL);
  if (rc != SVC_OK) {
    json_decref(*out);
    *out = NULL;
  }
  return rc;
}

/* Referral ID; audited as a read of its child. */
int svc_support_get(struct req *r, const char *id, json_t **out) {
  static const char ACTION[] = "support.read";
  int rc = support_for(r, id, ACTION, out);
  if (rc != SVC_OK) return rc;
  json_t *d = json_pack("{s:s}", "support", id);
  req_audit(r, ACTION, "child", js(*out, "child_id"), "ok", d);
  json_decref(d);
  return SVC_OK;
}

/* The body of svc_support_update's transaction: S is the changed referral, OLD the stored one. */
static int support_update_tx(struct req *r, json_t *old, struct support_row *s, json_t *in) {
  int rc = store_support_update(req_db(r), s, time_now());
  if (rc == DB_DONE) return TX_CONFLICT;
  struct buf b = BUF_INIT;
  buf_printf(&b, "%s:", code_label(SUPPORT_SERVICES, s->service));
  if (strcmp(js(old, "status"), s->status) != 0) buf_printf(&b, " status now %s;", code_label(SUPPORT_STATUSES, s->status));
  if (strcmp(js(old, "engagement"), s->engagement) != 0)
    buf_printf(&b, " engagement now %s;", code_label(SUPPORT_ENGAGEMENT, s->engagement));
  if (s->outcome && (!js(old, "outcome") || strcmp(js(old, "outcome"), s->outcome) != 0)) {
    buf_puts(&b, " outcome: ");
    excerpt(&b, s->outcome, SUMMARY_EXCERPT);
    buf_puts(&b, ";");
  }
  if (b.len && b.data[b.len - 1] == ';') b.data[b.len - 1] = '.';
  else buf_puts(&b, " details updated.");
  if (rc == DB_OK) rc = svc_chronology(r, s->child_id, time_now(), "support", buf_cstr(&b), "support", s->id);
  buf_free(&b);
  if (rc == DB_OK) rc = svc_involve(r, s->child_id, "updated a support referral");
  if (rc == DB_OK) {
    json_t *d = json_pack("{s:s,s:o}", "support", s->id, "fields", field_names(in));
    rc = req_audit_tx(r, "support.update", "child", s->child_id, d);
    json_decref(d);
  }
  return rc;
}

/*
** Changes referral ID with IN (status, engagement, outcome, provider,
** referred_on; not the service).  A closed or not-accepted referral keeps
** its status (SVC_CONFLICT); a closed one needs an outcome.  An empty
** change answers the referral as it is.
*/
int svc_support_update(struct req *r, const char *id, json_t *in, struct field_errors *errs, json_t **out) {
  return svc_support_update_from(r, id, in, 0, errs, out);
}

/*
** As svc_support_update, for a change made from the referral as it was at
** version FROM (0: as it is now): refused with SVC_CONFLICT, nothing written,
** once someone else has changed it (an edit form opened before their save).
*/
int svc_support_update_from(struct req *r, const char *id, json_t *in, long long from, struct field_errors *errs,
                            json_t **out) {
  static const char ACTION[] = "support.update";
  json_t *old = NULL;
  int rc = support_for(r, id, ACTION, &old);
  if (rc != SVC_OK) return rc;
  if (from != 0 && from != (long long)json_integer_value(json_object_get(old, "version"))) {
    char child_id[ID_MAX];
    snprintf(child_id, sizeof child_id, "%s", js(old, "child_id"));
    json_decref(old);
    return conflict(r, ACTION, "child", child_id);
  }
  char child_id[ID_MAX];
  snprintf(child_id, sizeof child_id, "%s", js(old, "child_id"));
  int64_t now = time_now();
  if (!support_validate(in, true, london_today(now), errs)) {
    json_decref(old);
    return invalid(r, ACTION, "child", child_id, errs);
  }
  if (json_object_size(in) == 0) {
    json_decref(old);
    return svc_support_get(r, id, out);
  }
  struct support_row s;
  memset(&s, 0, sizeof s);
  snprintf(s.id, sizeof s.id, "%s", id);
  snprintf(s.child_id, sizeof s.child_id, "%s", child_id);
  s.version = (int)json_integer_value(json_object_get(old, "version"));
  s.service = js(old, "service");
  s.provider = json_object_get(in, "provider") ? js(in, "provider") : js(old, "provider");
  s.referred_on = json_object_get(in, "referred_on") ? js(in, "referred_on") : js(old, "referred_on");
  s.status = json_object_get(in, "status") ? js(in, "status") : js(old, "status");
  s.engagement = json_object_get(in, "engagement") ? js(in, "engagement") : js(old, "engagement");
  s.outcome = json_object_get(in, "outcome") ? js(in, "outcome") : js(old, "outcome");
  s.recorded_by = r->who.user_id[0] ? r->who.user_id : NULL;
  if (!support_transition_ok(js(old, "status"), s.status)) {
    ferr_add(errs, "status", "cannot change once the referral is %s",
             !strcmp(js(old, "status"), "closed") ? "closed" : "not accepted: record a new referral instead");
    json_decref(old);
    return conflict(r, ACTION, "child", child_id);
  }
  if (!support_check_record(s.status, s.outcome, errs)) {
    json_decref(old);
    return invalid(r, ACTION, "child", child_id, errs);
  }
  rc = db_begin(req_db(r));
  if (rc == DB_OK) rc = support_update_tx(r, old, &s, in);
  json_decref(old);
  rc = tx_result(r, finish(r, rc), ACTION, "child", child_id, errs);
  if (rc != SVC_OK) return rc;
  return store_support_get(req_db(r), id, out) == DB_ROW ? SVC_OK : SVC_ERROR;
}

/* Every support referral of CHILD_ID, the latest first; audited as a read. */
int svc_support_list(struct req *r, const char *child_id, json_t **out) {
  static const char ACTION[] = "support.list";
  int rc = child_check(r, child_id, ACTION, NULL);
  if (rc != SVC_OK) return rc;
  json_t *list = NULL;
  if (store_support_for_child(req_db(r), child_id, &list) != DB_OK) return SVC_ERROR;
  *out = json_pack("{s:o}", "referrals", list);
  req_audit(r, ACTION, "child", child_id, "ok", NULL);
  return SVC_OK;
}

/* ---- people ---- */

/*
** The enabled users who work with children's records (username, name, role,
** agency), for choosing an action's owner or a lead worker.  Names staff
** only, so it is not audited as a read of any child.
*/
int svc_casework_people(struct req *r, json_t **out) {
  return store_casework_people(req_db(r), out) == DB_OK ? SVC_OK : SVC_ERROR;
}
