/*
** Notifications, the e-mail outbox, bank holidays, the management chain and
** chronology events (see casework.h).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/casework.h"
#include "store/store_util.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

DB_QUERY(Q_H_LIST, "SELECT day, name, source FROM bank_holidays ORDER BY day");
DB_QUERY(Q_H_ADD, "INSERT INTO bank_holidays (day, name, source, added_at) VALUES ($1, $2, $3, $4)");
DB_QUERY(Q_H_DELETE, "DELETE FROM bank_holidays WHERE day = $1");
DB_QUERY(Q_H_DAYS, "SELECT day FROM bank_holidays ORDER BY day");
DB_QUERY(Q_N_INSERT, "INSERT INTO notifications (id, user_id, kind, item_type, item_id, message, link, dedupe, "
                     "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING");
DB_QUERY(Q_N_LIST, "SELECT id, kind, item_type, item_id, message, link, created_at, read_at FROM notifications "
                   "WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT $2");
DB_QUERY(Q_N_READ, "UPDATE notifications SET read_at = $3 WHERE id = $1 AND user_id = $2 AND read_at IS NULL");
DB_QUERY(Q_N_UNREAD, "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL");
DB_QUERY(Q_E_QUEUE, "INSERT INTO email_outbox (id, to_addr, subject, body, dedupe, created_at, next_attempt_at) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT DO NOTHING");
DB_QUERY(Q_E_DUE, "SELECT id, to_addr, subject, body, attempts FROM email_outbox WHERE sent_at IS NULL "
                  "AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2");
DB_QUERY(Q_E_SENT, "UPDATE email_outbox SET sent_at = $2, attempts = attempts + 1, last_error = NULL WHERE id = $1");
DB_QUERY(Q_E_FAILED, "UPDATE email_outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3 "
                     "WHERE id = $1");
DB_QUERY(Q_CHAIN, "SELECT id, username, manager_id, email, role, disabled FROM users");
DB_QUERY(Q_LEAD, "SELECT worker_id FROM allocations WHERE child_id = $1 AND ended_at IS NULL "
                 "ORDER BY allocated_at DESC LIMIT 1");
DB_QUERY(Q_C_ADD, "INSERT INTO chronology (id, child_id, at, type, agency_id, summary, ref_type, ref_id, "
                  "recorded_by, recorded_at, seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
                  "(SELECT COALESCE(MAX(seq), 0) + 1 FROM chronology WHERE child_id = $2))");
DB_QUERY(Q_C_LIST, "SELECT c.at, c.type, a.code, a.name, c.summary, c.ref_type, c.ref_id, u.username FROM chronology c "
                   "LEFT JOIN agencies a ON a.id = c.agency_id LEFT JOIN users u ON u.id = c.recorded_by "
                   "WHERE c.child_id = $1 AND (CAST($2 AS TEXT) IS NULL OR a.code = $2) "
                   "AND (CAST($3 AS TEXT) IS NULL OR c.type = $3) "
                   "ORDER BY c.at DESC, c.recorded_at DESC, c.seq DESC, c.id");

static json_t *iso(int64_t t) {
  char at[ISO_TIME_LEN];
  time_format_iso(t, at);
  return json_string(at);
}

static void holiday_row(struct db_stmt *st, json_t *o) {
  json_set_col(o, "date", st, 0);
  json_set_col(o, "name", st, 1);
  json_set_col(o, "source", st, 2);
}

/* Every bank holiday as [{"date","name","source"}] (new reference in *OUT). */
int store_holiday_list(struct db *db, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_H_LIST);
  if (!st) return DB_ERROR;
  return store_rows_json(st, holiday_row, out);
}

/* Adds a holiday; DB_CONSTRAINT when that day is already one. */
int store_holiday_add(struct db *db, const char *day, const char *name, const char *source, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_H_ADD);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, day);
  db_bind_text(st, 2, name);
  db_bind_text(st, 3, source);
  db_bind_int(st, 4, now);
  return db_run(st);
}

/* Removes a holiday; DB_DONE when that day was not one. */
int store_holiday_delete(struct db *db, const char *day) {
  struct db_stmt *st = db_prepare(db, &Q_H_DELETE);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, day);
  int rc = db_step(st);
  int64_t n = db_changes(st);
  db_reset(st);
  if (rc < 0) return rc;
  return n ? DB_OK : DB_DONE;
}

/* Every holiday as day numbers, sorted, in a new array *DAYS of *N (caller frees). */
int store_holiday_days(struct db *db, int64_t **days, size_t *n) {
  struct db_stmt *st = db_prepare(db, &Q_H_DAYS);
  if (!st) return DB_ERROR;
  int64_t *arr = NULL;
  size_t count = 0, cap = 0;
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    int64_t d;
    if (!db_text(st, 0) || !date_parse(db_text(st, 0), &d)) continue;
    if (count == cap) {
      cap = cap ? cap * 2 : 64;
      arr = xrealloc(arr, cap * sizeof *arr);
    }
    arr[count++] = d;
  }
  db_reset(st);
  if (rc != DB_DONE) {
    free(arr);
    return rc;
  }
  *days = arr;
  *n = count;
  return DB_OK;
}

/* Adds a notification unless one with DEDUPE exists: DB_OK when added, DB_DONE when a repeat. */
int store_notification_insert(struct db *db, const char *user_id, const char *kind, const char *item_type,
                              const char *item_id, const char *message, const char *link, const char *dedupe,
                              int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_N_INSERT);
  if (!st) return DB_ERROR;
  char id[ID_MAX];
  ids_new("nt", id, sizeof id);
  db_bind_text(st, 1, id);
  db_bind_text(st, 2, user_id);
  db_bind_text(st, 3, kind);
  db_bind_text(st, 4, item_type);
  db_bind_text(st, 5, item_id);
  db_bind_text(st, 6, message);
  db_bind_text(st, 7, link);
  db_bind_text(st, 8, dedupe);
  db_bind_int(st, 9, now);
  int rc = db_step(st);
  int64_t n = db_changes(st);
  db_reset(st);
  if (rc < 0) return rc;
  return n ? DB_OK : DB_DONE;
}

static void notification_row(struct db_stmt *st, json_t *o) {
  json_set_col(o, "id", st, 0);
  json_set_col(o, "kind", st, 1);
  json_set_col(o, "item_type", st, 2);
  json_set_col(o, "item_id", st, 3);
  json_set_col(o, "message", st, 4);
  json_set_col(o, "link", st, 5);
  json_object_set_new(o, "created_at", iso(db_int(st, 6)));
  json_object_set_new(o, "read_at", db_null(st, 7) ? json_null() : iso(db_int(st, 7)));
}

/* The newest LIMIT notifications of USER_ID as JSON (new reference in *OUT). */
int store_notifications_for_user(struct db *db, const char *user_id, int limit, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_N_LIST);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, user_id);
  db_bind_int(st, 2, limit);
  return store_rows_json(st, notification_row, out);
}

/* Marks one of USER_ID's notifications read; DB_DONE when no such unread one is theirs. */
int store_notification_read(struct db *db, const char *id, const char *user_id, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_N_READ);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  db_bind_text(st, 2, user_id);
  db_bind_int(st, 3, now);
  int rc = db_step(st);
  int64_t n = db_changes(st);
  db_reset(st);
  if (rc < 0) return rc;
  return n ? DB_OK : DB_DONE;
}

int store_notifications_unread(struct db *db, const char *user_id, int64_t *n) {
  struct db_stmt *st = db_prepare(db, &Q_N_UNREAD);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, user_id);
  int rc = db_step(st);
  *n = rc == DB_ROW ? db_int(st, 0) : 0;
  db_reset(st);
  return rc == DB_ROW ? DB_OK : rc;
}

/* Queues an e-mail unless one with DEDUPE was queued before (then DB_DONE). */
int store_email_queue(struct db *db, const char *to, const char *subject, const char *body, const char *dedupe,
                      int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_E_QUEUE);
  if (!st) return DB_ERROR;
  char id[ID_MAX];
  ids_new("em", id, sizeof id);
  db_bind_text(st, 1, id);
  db_bind_text(st, 2, to);
  db_bind_text(st, 3, subject);
  db_bind_text(st, 4, body);
  db_bind_text(st, 5, dedupe);
  db_bind_int(st, 6, now);
  int rc = db_step(st);
  int64_t n = db_changes(st);
  db_reset(st);
  if (rc < 0) return rc;
  return n ? DB_OK : DB_DONE;
}

/* Up to LIMIT e-mails due to be tried at NOW, in a new array (free with store_email_free). */
int store_email_due(struct db *db, int64_t now, int limit, struct email **out, int *n) {
  struct db_stmt *st = db_prepare(db, &Q_E_DUE);
  if (!st) return DB_ERROR;
  db_bind_int(st, 1, now);
  db_bind_int(st, 2, limit);
  struct email *arr = xcalloc((size_t)limit + 1, sizeof *arr);
  int count = 0, rc;
  while ((rc = db_step(st)) == DB_ROW && count < limit) {
    struct email *e = &arr[count++];
    COPY_COL(e->id, st, 0);
    e->to = db_text_dup(st, 1);
    e->subject = db_text_dup(st, 2);
    e->body = db_text_dup(st, 3);
    e->attempts = (int)db_int(st, 4);
  }
  db_reset(st);
  if (rc < 0) {
    store_email_free(arr, count);
    return rc;
  }
  *out = arr;
  *n = count;
  return DB_OK;
}

void store_email_free(struct email *e, int n) {
  for (int i = 0; i < n; i++) {
    free(e[i].to);
    free(e[i].subject);
    free(e[i].body);
  }
  free(e);
}

int store_email_sent(struct db *db, const char *id, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_E_SENT);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  db_bind_int(st, 2, now);
  return db_run(st);
}

int store_email_failed(struct db *db, const char *id, const char *error, int64_t next_attempt_at) {
  struct db_stmt *st = db_prepare(db, &Q_E_FAILED);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  db_bind_text(st, 2, error);
  db_bind_int(st, 3, next_attempt_at);
  return db_run(st);
}

/* Every user's place in the management chain, in a new array *OUT of *N (caller frees). */
int store_chain_users(struct db *db, struct chain_user **out, int *n) {
  struct db_stmt *st = db_prepare(db, &Q_CHAIN);
  if (!st) return DB_ERROR;
  struct chain_user *arr = NULL;
  int count = 0, cap = 0, rc;
  while ((rc = db_step(st)) == DB_ROW) {
    if (count == cap) {
      cap = cap ? cap * 2 : 64;
      arr = xrealloc(arr, (size_t)cap * sizeof *arr);
    }
    struct chain_user *u = &arr[count++];
    memset(u, 0, sizeof *u);
    COPY_COL(u->id, st, 0);
    COPY_COL(u->username, st, 1);
    COPY_COL(u->manager_id, st, 2);
    COPY_COL(u->email, st, 3);
    COPY_COL(u->role, st, 4);
    u->disabled = db_int(st, 5) != 0;
  }
  db_reset(st);
  if (rc != DB_DONE) {
    free(arr);
    return rc;
  }
  *out = arr;
  *n = count;
  return DB_OK;
}

/* Adds event E to a child's chronology. */
int store_chronology_add(struct db *db, const struct chron_event *e, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_C_ADD);
  if (!st) return DB_ERROR;
  char id[ID_MAX];
  ids_new("cv", id, sizeof id);
  db_bind_text(st, 1, id);
  db_bind_text(st, 2, e->child_id);
  db_bind_int(st, 3, e->at);
  db_bind_text(st, 4, e->type);
  db_bind_text(st, 5, e->agency_id);
  db_bind_text(st, 6, e->summary);
  db_bind_text(st, 7, e->ref_type);
  db_bind_text(st, 8, e->ref_id);
  db_bind_text(st, 9, e->recorded_by);
  db_bind_int(st, 10, now);
  return db_run(st);
}

static void chron_row(struct db_stmt *st, json_t *o) {
  json_object_set_new(o, "at", iso(db_int(st, 0)));
  json_set_col(o, "type", st, 1);
  json_set_col(o, "agency", st, 2);
  json_set_col(o, "agency_name", st, 3);
  json_set_col(o, "summary", st, 4);
  json_t *ref = json_null();
  if (!db_null(st, 6)) ref = json_pack("{s:s?,s:s}", "type", db_text(st, 5), "id", db_text(st, 6));
  json_object_set_new(o, "ref", ref);
  json_set_col(o, "recorded_by", st, 7);
}

/*
** A child's chronology newest first, optionally only one agency's (by code)
** or one type of event, as the contract's [{"at","type","agency","summary","ref"}]:
** every event, with no cap, since a history cut short looks complete.  Events
** at the same moment come newest recorded first.
*/
int store_chronology_list(struct db *db, const char *child_id, const char *agency_code, const char *type,
                          json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_C_LIST);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, child_id);
  db_bind_text(st, 2, agency_code);
  db_bind_text(st, 3, type);
  return store_rows_json(st, chron_row, out);
}

/* The child's current lead worker into OUT: DB_ROW, or DB_DONE when unallocated. */
int store_lead_worker(struct db *db, const char *child_id, char out[ID_MAX]) {
  struct db_stmt *st = db_prepare(db, &Q_LEAD);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, child_id);
  int rc = db_step(st);
  out[0] = '\0';
  if (rc == DB_ROW) snprintf(out, ID_MAX, "%s", db_text(st, 0));
  db_reset(st);
  return rc;
}
