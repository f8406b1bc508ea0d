/*
** The shared machinery of casework (see casework.h).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "http/app.h"
#include "service/casework.h"
#include "store/store.h"
#include "util/embedded.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

/*
** Loads the risk tool in force: the file named by risk_tool_file, else the
** shipped definition compiled into Safehub.  Returns 0, or -1 with ERR
** naming the file, the line and the reason.
*/
int svc_risk_tool_load(const struct config *cfg, struct risk_tool *out, char *err, size_t errlen) {
  if (cfg->risk_tool_file && cfg->risk_tool_file[0]) return risk_tool_load(cfg->risk_tool_file, out, err, errlen);
  const struct embedded_file *f = embedded_find("risk-tool.json");
  if (!f) {
    snprintf(err, errlen, "the shipped risk tool is missing from this build");
    return -1;
  }
  char why[400];
  if (risk_tool_parse(f->data, f->len, out, why, sizeof why) != 0) {
    snprintf(err, errlen, "risk-tool.json (shipped): %s", why);
    return -1;
  }
  return 0;
}

/*
** Loads the working-time calendar: office hours from the settings and bank
** holidays from the database (administrators keep them).  Free with
** calendar_free.  DB_OK or an error.
*/
int svc_calendar_load(struct db *db, const struct config *cfg, struct calendar *out) {
  int open = 9 * 60, close = 17 * 60;
  if (!calendar_parse_hours(cfg->office_hours, &open, &close)) {
    log_warn("settings: office_hours '%s' is not HH:MM-HH:MM; using 09:00-17:00", cfg->office_hours);
    open = 9 * 60;
    close = 17 * 60;
  }
  calendar_init(out, open, close);
  int64_t *days = NULL;
  size_t n = 0;
  int rc = store_holiday_days(db, &days, &n);
  if (rc != DB_OK) return rc;
  out->holidays = days;
  out->nholidays = n;
  return DB_OK;
}

static int64_t add_working(struct req *r, int64_t from, int64_t minutes) {
  struct calendar cal;
  if (svc_calendar_load(req_db(r), r->app->cfg, &cal) != DB_OK) {
    /* Without the holiday table, weekends alone still give a conservative (earlier) deadline. */
    calendar_init(&cal, 9 * 60, 17 * 60);
  }
  int64_t due = calendar_add_working_minutes(&cal, from, minutes);
  calendar_free(&cal);
  return due;
}

/* FROM plus HOURS of working time. */
int64_t svc_add_working_hours(struct req *r, int64_t from, int hours) { return add_working(r, from, (int64_t)hours * 60); }

/* FROM plus DAYS working days (a working day being the office's day). */
int64_t svc_add_working_days(struct req *r, int64_t from, int days) {
  int open = 9 * 60, close = 17 * 60;
  calendar_parse_hours(r->app->cfg->office_hours, &open, &close);
  return add_working(r, from, (int64_t)days * (close - open));
}

/*
** Puts ITEM's KIND of work on the clock, due at DUE_AT and owned by OWNER_ID
** (NULL for the MASH queue); moves it if already open.  Call inside the
** caller's write transaction.
*/
int svc_deadline_open(struct req *r, const char *item_type, const char *item_id, const char *kind,
                      const char *child_id, const char *title, const char *link, const char *owner_id,
                      int64_t due_at) {
  struct deadline d;
  memset(&d, 0, sizeof d);
  ids_new("dl", d.id, sizeof d.id);
  snprintf(d.item_type, sizeof d.item_type, "%s", item_type);
  snprintf(d.item_id, sizeof d.item_id, "%s", item_id);
  snprintf(d.kind, sizeof d.kind, "%s", kind);
  snprintf(d.child_id, sizeof d.child_id, "%s", child_id ? child_id : "");
  snprintf(d.title, sizeof d.title, "%s", title);
  snprintf(d.link, sizeof d.link, "%s", link);
  snprintf(d.owner_id, sizeof d.owner_id, "%s", owner_id ? owner_id : "");
  d.due_at = due_at;
  d.created_at = time_now();
  int rc = store_deadline_open(req_db(r), &d);
  return rc == DB_DONE ? DB_OK : rc;
}

/* Marks ITEM's KIND of work done now by the request's user; DB_OK also when nothing was open. */
int svc_deadline_meet(struct req *r, const char *item_type, const char *item_id, const char *kind) {
  int rc = store_deadline_meet(req_db(r), item_type, item_id, kind, r->who.user_id[0] ? r->who.user_id : NULL,
                               time_now());
  return rc == DB_DONE ? DB_OK : rc;
}

static int user_email(struct db *db, const char *user_id, char *out, size_t cap) {
  struct user u;
  int rc = store_user_by_id(db, user_id, &u);
  if (rc != DB_ROW) return rc;
  snprintf(out, cap, "%s", u.disabled ? "" : u.email);
  return DB_OK;
}

/*
** Notifies USER_ID in Safehub and, when SMTP is configured and the user has
** an address, by e-mail with the reference and a link only.  DEDUPE names
** the event: notifying the same event twice does nothing.
*/
int svc_notify(struct db *db, const struct config *cfg, const char *user_id, const char *kind, const char *item_type,
               const char *item_id, const char *message, const char *link, const char *dedupe, int64_t now) {
  /* Notifications are made now even when a pass evaluates another instant (a backfill with --as-of). */
  (void)now;
  now = time_now();
  int rc = store_notification_insert(db, user_id, kind, item_type, item_id, message, link, dedupe, now);
  if (rc != DB_OK) return rc == DB_DONE ? DB_OK : rc;
  if (!cfg->smtp_host || !cfg->smtp_host[0]) return DB_OK;
  char email[255];
  rc = user_email(db, user_id, email, sizeof email);
  if (rc != DB_OK || !email[0]) return rc == DB_DONE ? DB_OK : rc;
  char subject[300], *body;
  snprintf(subject, sizeof subject, "Safehub: %s", message);
  body = xasprintf("%s\n\nOpen it in Safehub: %s%s\n\nThis message holds no details about any child. Sign in to "
                   "Safehub to see the record.\n",
                   message, cfg->public_url && cfg->public_url[0] ? cfg->public_url : "", link ? link : "/");
  rc = store_email_queue(db, email, subject, body, dedupe, now);
  free(body);
  return rc == DB_DONE ? DB_OK : rc;
}

/* Notifies every enabled user of ROLE (for example the directors). */
int svc_notify_role(struct db *db, const struct config *cfg, const char *role, const char *kind,
                    const char *item_type, const char *item_id, const char *message, const char *link,
                    const char *dedupe, int64_t now) {
  struct chain_user *users = NULL;
  int n = 0;
  int rc = store_chain_users(db, &users, &n);
  if (rc != DB_OK) return rc;
  for (int i = 0; i < n && rc == DB_OK; i++) {
    if (users[i].disabled || strcmp(users[i].role, role) != 0) continue;
    char key[300];
    snprintf(key, sizeof key, "%s:%s", dedupe, users[i].id);
    rc = svc_notify(db, cfg, users[i].id, kind, item_type, item_id, message, link, key, now);
  }
  free(users);
  return rc;
}

/* The user with ID among USERS (N of them, in any order), or NULL. */
static const struct chain_user *chain_find(const struct chain_user *users, int n, const char *id) {
  if (!id || !*id) return NULL;
  for (int i = 0; i < n; i++) {
    if (!strcmp(users[i].id, id)) return &users[i];
  }
  return NULL;
}

/*
** Who leads the MASH: the mash_manager setting's user, else the managers of
** the MASH staff (distinct; a disabled manager gives way to the next enabled
** one up the chain).  Fills IDS with up to MAX of them.
*/

int svc_mash_managers(struct db *db, const struct config *cfg, char ids[][ID_MAX], int max, int *n) {
  *n = 0;
  if (cfg->mash_manager && cfg->mash_manager[0]) {
    struct user u;
    int rc = store_user_by_username(db, cfg->mash_manager, &u);
    if (rc == DB_ROW && !u.disabled) {
      snprintf(ids[(*n)++], ID_MAX, "%s", u.id);
      return DB_OK;
    }
    if (rc < 0) return rc;
    log_warn("settings: mash_manager '%s' is not an enabled user; using the MASH staff's managers", cfg->mash_manager);
  }
  struct chain_user *users = NULL;
  int count = 0;
  int rc = store_chain_users(db, &users, &count);
  if (rc != DB_OK) return rc;
  for (int i = 0; i < count; i++) {
    if (users[i].disabled || strcmp(users[i].role, "mash") != 0 || !users[i].manager_id[0]) continue;
    /* The first enabled manager up the chain: a disabled one is passed over, never notified. */
    const struct chain_user *m = chain_find(users, count, users[i].manager_id);
    for (int hops = 0; m && m->disabled && hops < count; hops++) m = chain_find(users, count, m->manager_id);
    if (!m || m->disabled) continue;
    bool seen = false;
    for (int k = 0; k < *n; k++) seen = seen || !strcmp(ids[k], m->id);
    if (!seen && *n < max) snprintf(ids[(*n)++], ID_MAX, "%s", m->id);
  }
  free(users);
  return DB_OK;
}

/* Adds an event to the child's chronology, recorded by the request's user for their agency. */
int svc_chronology(struct req *r, const char *child_id, int64_t at, const char *type, const char *summary,
                   const char *ref_type, const char *ref_id) {
  struct chron_event e;
  memset(&e, 0, sizeof e);
  snprintf(e.child_id, sizeof e.child_id, "%s", child_id);
  e.at = at;
  e.type = type;
  e.agency_id = r->who.agency_id[0] ? r->who.agency_id : NULL;
  e.summary = summary;
  e.ref_type = ref_type;
  e.ref_id = ref_id;
  e.recorded_by = r->who.user_id[0] ? r->who.user_id : NULL;
  return store_chronology_add(req_db(r), &e, time_now());
}

/* Makes the request user's agency involved with the child (so its staff may see the record). */
int svc_involve(struct req *r, const char *child_id, const char *reason) {
  if (!r->who.agency_id[0]) return DB_OK;
  return store_child_involve(req_db(r), child_id, r->who.agency_id, reason, time_now());
}

/*
** Asks for a review of CHILD_ID's risk assessment: a deadline on the child
** (kind "risk_review_request", which the next assessment meets) for the lead
** worker, or the MASH queue when there is none, due within
** the risk_review_request_working_days setting.  REASON is the work-list title (no
** personal details).  A request already open stays as it is unless
** TAKE_OVER, which retitles it and keeps the sooner due time.  Returns DB_OK
** or a store error.
*/
int svc_risk_review_request(struct req *r, const char *child_id, const char *reason, bool take_over) {
  struct db *db = req_db(r);
  struct deadline d;
  int rc = store_deadline_get(db, "child", child_id, "risk_review_request", &d);
  if (rc < 0) return rc;
  bool open = rc == DB_ROW && d.met_at == 0;
  if (open && !take_over) return DB_OK;
  int64_t due = svc_add_working_days(r, time_now(), r->app->cfg->risk_review_request_working_days);
  if (open && d.due_at < due) due = d.due_at;
  char lead[ID_MAX];
  rc = store_lead_worker(db, child_id, lead);
  if (rc < 0) return rc;
  char link[160];
  snprintf(link, sizeof link, "/children/%s/risk", child_id);
  return svc_deadline_open(r, "child", child_id, "risk_review_request", child_id, reason, link, lead[0] ? lead : NULL,
                           due);
}
