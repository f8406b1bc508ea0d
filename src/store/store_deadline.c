/*
** Deadlines, escalations and work lists (see casework.h).
*/
#include <stdlib.h>
#include <string.h>
#include "store/casework.h"
#include "store/store_util.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define DL_COLS "id, item_type, item_id, kind, child_id, title, link, owner_id, due_at, created_at, met_at, level"

/* Re-opening an open deadline moves its time and owner; a met one stays met (DB_DONE). */
DB_QUERY(Q_OPEN, "INSERT INTO deadlines (id, item_type, item_id, kind, child_id, title, link, owner_id, due_at, "
                 "created_at, level) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0) "
                 "ON CONFLICT (item_type, item_id, kind) DO UPDATE SET due_at = excluded.due_at, "
                 "owner_id = excluded.owner_id, title = excluded.title WHERE deadlines.met_at IS NULL");
DB_QUERY(Q_GET, "SELECT " DL_COLS " FROM deadlines WHERE item_type = $1 AND item_id = $2 AND kind = $3");
DB_QUERY(Q_MEET, "UPDATE deadlines SET met_at = $4, met_by = $5 WHERE item_type = $1 AND item_id = $2 "
                 "AND kind = $3 AND met_at IS NULL");
DB_QUERY(Q_MEET_CHILD, "UPDATE deadlines SET met_at = $3, met_by = $4 WHERE child_id = $1 AND kind = $2 "
                       "AND met_at IS NULL");
DB_QUERY(Q_OPEN_COUNT_CHILD, "SELECT COUNT(*) FROM deadlines WHERE child_id = $1 AND kind = $2 AND met_at IS NULL");
DB_QUERY(Q_ASSIGN, "UPDATE deadlines SET owner_id = $4 WHERE item_type = $1 AND item_id = $2 AND kind = $3 "
                   "AND met_at IS NULL");
DB_QUERY(Q_OVERDUE, "SELECT " DL_COLS " FROM deadlines WHERE met_at IS NULL AND due_at <= $1 ORDER BY due_at");
DB_QUERY(Q_LEVEL, "UPDATE deadlines SET level = $2 WHERE id = $1");
DB_QUERY(Q_FOR_ITEM, "SELECT kind, title, due_at, met_at, level, u.username FROM deadlines d "
                     "LEFT JOIN users u ON u.id = d.owner_id WHERE item_type = $1 AND item_id = $2 ORDER BY due_at");
DB_QUERY(Q_ESC_INSERT, "INSERT INTO escalations (id, deadline_id, level, to_user_id, reason, at) "
                       "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING");
DB_QUERY(Q_ESC_FOR_ITEM, "SELECT e.at, e.level, u.username, e.reason, d.kind FROM escalations e "
                         "JOIN deadlines d ON d.id = e.deadline_id JOIN users u ON u.id = e.to_user_id "
                         "WHERE d.item_type = $1 AND d.item_id = $2 ORDER BY e.at, e.level, u.username");
/*
** Open work the user owns, open work escalated to them and, when $2 is 1 (MASH
** staff), work nobody owns other than referrals (those are on the MASH queue).
*/
DB_QUERY(Q_WORK_USER,
         "SELECT d.item_type, d.item_id, d.kind, d.title, d.link, d.due_at, d.level, o.username, "
         "(SELECT MAX(e.level) FROM escalations e WHERE e.deadline_id = d.id AND e.to_user_id = $1) "
         "FROM deadlines d LEFT JOIN users o ON o.id = d.owner_id WHERE d.met_at IS NULL AND "
         "(d.owner_id = $1 OR EXISTS (SELECT 1 FROM escalations e WHERE e.deadline_id = d.id AND e.to_user_id = $1) "
         "OR ($2 = 1 AND d.owner_id IS NULL AND d.item_type <> 'referral')) "
         "ORDER BY d.due_at LIMIT 500");
DB_QUERY(Q_WORK_TEAM,
         "SELECT d.item_type, d.item_id, d.kind, d.title, d.link, d.due_at, d.level, o.username, NULL "
         "FROM deadlines d JOIN users o ON o.id = d.owner_id WHERE d.met_at IS NULL AND o.manager_id = $1 "
         "AND (d.due_at <= $2 OR d.level > 0) ORDER BY d.due_at LIMIT 500");

/* Opens (or, while still open, moves) deadline D; DB_DONE when that deadline was already met. */
int store_deadline_open(struct db *db, const struct deadline *d) {
  struct db_stmt *st = db_prepare(db, &Q_OPEN);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, d->id);
  db_bind_text(st, 2, d->item_type);
  db_bind_text(st, 3, d->item_id);
  db_bind_text(st, 4, d->kind);
  db_bind_text(st, 5, d->child_id[0] ? d->child_id : NULL);
  db_bind_text(st, 6, d->title);
  db_bind_text(st, 7, d->link);
  db_bind_text(st, 8, d->owner_id[0] ? d->owner_id : NULL);
  db_bind_int(st, 9, d->due_at);
  db_bind_int(st, 10, d->created_at);
  int rc = db_step(st);
  int64_t n = db_changes(st);
  db_reset(st);
  if (rc < 0) return rc;
  return n ? DB_OK : DB_DONE;
}

static void read_deadline(struct db_stmt *st, struct deadline *d) {
  memset(d, 0, sizeof *d);
  COPY_COL(d->id, st, 0);
  COPY_COL(d->item_type, st, 1);
  COPY_COL(d->item_id, st, 2);
  COPY_COL(d->kind, st, 3);
  COPY_COL(d->child_id, st, 4);
  COPY_COL(d->title, st, 5);
  COPY_COL(d->link, st, 6);
  COPY_COL(d->owner_id, st, 7);
  d->due_at = db_int(st, 8);
  d->created_at = db_int(st, 9);
  d->met_at = db_null(st, 10) ? 0 : db_int(st, 10);
  d->level = (int)db_int(st, 11);
}

/* DB_ROW with *OUT filled, or DB_DONE. */
int store_deadline_get(struct db *db, const char *item_type, const char *item_id, const char *kind,
                       struct deadline *out) {
  struct db_stmt *st = db_prepare(db, &Q_GET);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, item_type);
  db_bind_text(st, 2, item_id);
  db_bind_text(st, 3, kind);
  int rc = db_step(st);
  if (rc == DB_ROW) read_deadline(st, out);
  db_reset(st);
  return rc;
}

static int changed(struct db_stmt *st) {
  int rc = db_step(st);
  int64_t n = db_changes(st);
  db_reset(st);
  if (rc < 0) return rc;
  return n ? DB_OK : DB_DONE;
}

/* Marks a deadline met (which ends its escalation); DB_DONE when none was open. */
int store_deadline_meet(struct db *db, const char *item_type, const char *item_id, const char *kind,
                        const char *by, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_MEET);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, item_type);
  db_bind_text(st, 2, item_id);
  db_bind_text(st, 3, kind);
  db_bind_int(st, 4, now);
  db_bind_text(st, 5, by);
  return changed(st);
}

/*
** Meets every open deadline of KIND about CHILD_ID, whatever item it hangs
** on (a CSE meeting asked for by several assessments is held once).  DB_OK,
** DB_DONE when none was open, or an error.
*/
int store_child_deadlines_meet(struct db *db, const char *child_id, const char *kind, const char *by, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_MEET_CHILD);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, child_id);
  db_bind_text(st, 2, kind);
  db_bind_int(st, 3, now);
  db_bind_text(st, 4, by);
  return changed(st);
}

/* How many deadlines of KIND about CHILD_ID are open (>= 0), or a negative error. */
int store_child_open_deadline_count(struct db *db, const char *child_id, const char *kind) {
  struct db_stmt *st = db_prepare(db, &Q_OPEN_COUNT_CHILD);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, child_id);
  db_bind_text(st, 2, kind);
  int rc = db_step(st);
  int n = rc == DB_ROW ? (int)db_int(st, 0) : 0;
  db_reset(st);
  return rc == DB_ROW ? n : rc;
}

/* Gives an open deadline to OWNER_ID (NULL: back to the queue); DB_DONE when none was open. */
int store_deadline_assign(struct db *db, const char *item_type, const char *item_id, const char *kind,
                          const char *owner_id) {
  struct db_stmt *st = db_prepare(db, &Q_ASSIGN);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, item_type);
  db_bind_text(st, 2, item_id);
  db_bind_text(st, 3, kind);
  db_bind_text(st, 4, owner_id);
  return changed(st);
}

/* Calls CB for every open deadline due at or before AS_OF, soonest first; stops on a non-zero return. */
int store_deadlines_overdue(struct db *db, int64_t as_of, deadline_cb cb, void *arg) {
  struct db_stmt *st = db_prepare(db, &Q_OVERDUE);
  if (!st) return DB_ERROR;
  db_bind_int(st, 1, as_of);
  int rc, stop = 0;
  struct deadline d;
  while ((rc = db_step(st)) == DB_ROW) {
    read_deadline(st, &d);
    if ((stop = cb(&d, arg)) != 0) break;
  }
  db_reset(st);
  if (stop) return stop;
  return rc < 0 ? rc : DB_OK;
}

int store_deadline_set_level(struct db *db, const char *id, int level) {
  struct db_stmt *st = db_prepare(db, &Q_LEVEL);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  db_bind_int(st, 2, level);
  return db_run(st);
}

static json_t *time_or_null(struct db_stmt *st, int col) {
  if (db_null(st, col)) return json_null();
  char at[ISO_TIME_LEN];
  time_format_iso(db_int(st, col), at);
  return json_string(at);
}

/* One row of store_deadlines_for_item as an object. */
static void deadlines_for_item_row(struct db_stmt *st, json_t *o) {
  json_set_col(o, "kind", st, 0);
  json_set_col(o, "title", st, 1);
  json_object_set_new(o, "due_at", time_or_null(st, 2));
  json_object_set_new(o, "met_at", time_or_null(st, 3));
  json_object_set_new(o, "level", json_integer(db_int(st, 4)));
  json_set_col(o, "owner", st, 5);
}

/* The deadlines of an item as JSON: [{"kind","title","due_at","met_at","level","owner"}]. */
int store_deadlines_for_item(struct db *db, const char *item_type, const char *item_id, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_FOR_ITEM);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, item_type);
  db_bind_text(st, 2, item_id);
  return store_rows_json(st, deadlines_for_item_row, out);
}

/* Records one escalation step; DB_OK when new, DB_DONE when it was already recorded. */
int store_escalation_insert(struct db *db, const char *deadline_id, int level, const char *to_user_id,
                            const char *reason, int64_t at) {
  struct db_stmt *st = db_prepare(db, &Q_ESC_INSERT);
  if (!st) return DB_ERROR;
  char id[ID_MAX];
  ids_new("es", id, sizeof id);
  db_bind_text(st, 1, id);
  db_bind_text(st, 2, deadline_id);
  db_bind_int(st, 3, level);
  db_bind_text(st, 4, to_user_id);
  db_bind_text(st, 5, reason);
  db_bind_int(st, 6, at);
  return changed(st);
}

/* One row of store_escalations_for_item as an object. */
static void escalations_for_item_row(struct db_stmt *st, json_t *o) {
  json_object_set_new(o, "at", time_or_null(st, 0));
  json_object_set_new(o, "level", json_integer(db_int(st, 1)));
  json_set_col(o, "to_user", st, 2);
  json_set_col(o, "reason", st, 3);
  json_set_col(o, "deadline", st, 4);
}

/* The escalations of an item as the contract's [{"at","level","to_user","reason","deadline"}]. */
int store_escalations_for_item(struct db *db, const char *item_type, const char *item_id, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_ESC_FOR_ITEM);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, item_type);
  db_bind_text(st, 2, item_id);
  return store_rows_json(st, escalations_for_item_row, out);
}

/* One work-list row as an object (see Q_WORK_USER). */
static void work_row(struct db_stmt *st, json_t *o) {
  json_set_col(o, "item_type", st, 0);
  json_set_col(o, "item_id", st, 1);
  json_set_col(o, "kind", st, 2);
  json_set_col(o, "title", st, 3);
  json_set_col(o, "link", st, 4);
  json_object_set_new(o, "due_at", time_or_null(st, 5));
  json_object_set_new(o, "due_epoch", json_integer(db_int(st, 5)));
  json_object_set_new(o, "level", json_integer(db_int(st, 6)));
  json_set_col(o, "owner", st, 7);
  json_object_set_new(o, "escalated_to_me", db_null(st, 8) ? json_null() : json_integer(db_int(st, 8)));
}

/*
** Open work for USER_ID: what they own and what has been escalated to them,
** soonest due first, and with UNOWNED also what nobody owns (outside the
** referrals of the MASH queue).  Each row has "escalated_to_me" (the level,
** or null) and "owner" (null for nobody).
*/
int store_work_for_user(struct db *db, const char *user_id, bool unowned, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_WORK_USER);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, user_id);
  db_bind_int(st, 2, unowned ? 1 : 0);
  return store_rows_json(st, work_row, out);
}

/* Overdue or escalated open work owned by the direct reports of MANAGER_ID. */
int store_work_for_team(struct db *db, const char *manager_id, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_WORK_TEAM);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, manager_id);
  db_bind_int(st, 2, time_now());
  return store_rows_json(st, work_row, out);
}
