/*
** Referral operations (see referrals.h): the yearly reference counter, the
** referral row, its history of events, the listings (the MASH queue, a
** referrer's own, a child's), and the few user lookups the front door needs.
*/
#include <stdlib.h>
#include <string.h>
#include "store/referrals.h"
#include "store/store_util.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define REF_COLS                                                                                         \
  "id, reference, child_id, child_details, agency_id, referrer_id, concern, childs_words, indicators, "  \
  "immediate_danger, status, rag, rag_reason, triaged_at, triaged_by, assigned_to, received_at, due_at, " \
  "decided_at, decided_by, outcome, rationale, decision_round, signoff_needed, signed_off_at, "           \
  "signed_off_by, challenge_round, challenge_reason, challenged_at, challenged_by, challenge_outcome, "    \
  "challenge_response, challenge_answered_at, challenge_answered_by, confirmed_at, confirmed_by, "        \
  "is_open, next_due_at, updated_at, version"

DB_QUERY(Q_COUNTER_BUMP, "INSERT INTO referral_counters (year, n) VALUES ($1, 1) "
                         "ON CONFLICT (year) DO UPDATE SET n = referral_counters.n + 1");
DB_QUERY(Q_COUNTER_GET, "SELECT n FROM referral_counters WHERE year = $1");
/* A new referral: what is known at receipt; everything else starts empty. */
DB_QUERY(Q_INSERT, "INSERT INTO referrals (id, reference, child_id, child_details, agency_id, referrer_id, concern, "
                   "childs_words, indicators, immediate_danger, status, rag, rag_reason, triaged_at, received_at, "
                   "due_at, decision_round, is_open, next_due_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, "
                   "$7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, 1)");
DB_QUERY(Q_GET, "SELECT " REF_COLS " FROM referrals WHERE id = $1");
/*
** A change, in two statements (the driver binds at most 32 parameters): the
** referral's state, which moves the version on and so fails for a stale
** writer, then its challenge.  The referrer's account (concern, words,
** indicators, details given, immediate danger) and the receipt never change.
*/
DB_QUERY(Q_UPDATE, "UPDATE referrals SET child_id = $2, status = $3, rag = $4, rag_reason = $5, triaged_at = $6, "
                   "triaged_by = $7, assigned_to = $8, due_at = $9, decided_at = $10, decided_by = $11, outcome = $12, "
                   "rationale = $13, decision_round = $14, signoff_needed = $15, signed_off_at = $16, "
                   "signed_off_by = $17, confirmed_at = $18, confirmed_by = $19, is_open = $20, next_due_at = $21, "
                   "updated_at = $22, version = version + 1 WHERE id = $1 AND version = $23");
DB_QUERY(Q_UPDATE_CHALLENGE, "UPDATE referrals SET challenge_round = $2, challenge_reason = $3, challenged_at = $4, "
                             "challenged_by = $5, challenge_outcome = $6, challenge_response = $7, "
                             "challenge_answered_at = $8, challenge_answered_by = $9 WHERE id = $1");
DB_QUERY(Q_REFRESH_DUE, "UPDATE referrals SET next_due_at = COALESCE((SELECT MIN(d.due_at) FROM deadlines d "
                        "WHERE d.item_type = 'referral' AND d.item_id = $1 AND d.met_at IS NULL), next_due_at) "
                        "WHERE id = $1");
DB_QUERY(Q_DEADLINES_CHILD, "UPDATE deadlines SET child_id = $2 WHERE item_type = 'referral' AND item_id = $1");
DB_QUERY(Q_EVENT_ADD, "INSERT INTO referral_events (referral_id, n, at, type, user_id, detail) VALUES ($1, "
                      "(SELECT COALESCE(MAX(n), 0) + 1 FROM referral_events WHERE referral_id = $1), $2, $3, $4, $5)");
DB_QUERY(Q_EVENTS, "SELECT e.n, e.at, e.type, e.detail, e.user_id, u.username, u.name, u.agency_id, a.name "
                   "FROM referral_events e LEFT JOIN users u ON u.id = e.user_id "
                   "LEFT JOIN agencies a ON a.id = u.agency_id WHERE e.referral_id = $1 ORDER BY e.n");

/* The columns of a listing row; the child's listing adds the child's words and the concern. */
#define LIST_COLS                                                                                          \
  "r.id, r.reference, r.status, r.rag, r.immediate_danger, r.received_at, r.due_at, r.next_due_at, "        \
  "r.is_open, a.code, a.name, u.username, r.outcome, r.child_id, r.decided_at, r.referrer_id, "             \
  "(SELECT d.kind FROM deadlines d WHERE d.item_type = 'referral' AND d.item_id = r.id AND d.met_at IS NULL " \
  "ORDER BY d.due_at, d.kind LIMIT 1), "                                                                    \
  "(SELECT MAX(d.level) FROM deadlines d WHERE d.item_type = 'referral' AND d.item_id = r.id "              \
  "AND d.met_at IS NULL)"
#define LIST_FROM " FROM referrals r JOIN agencies a ON a.id = r.agency_id LEFT JOIN users u ON u.id = r.assigned_to "
#define FILTERS " AND (CAST($1 AS TEXT) IS NULL OR r.status = $1) AND (CAST($2 AS TEXT) IS NULL OR r.rag = $2)"

DB_QUERY(Q_LIST_OPEN, "SELECT " LIST_COLS LIST_FROM "WHERE r.is_open = 1" FILTERS
                      " ORDER BY r.next_due_at, r.id LIMIT $3 OFFSET $4");
DB_QUERY(Q_COUNT_OPEN, "SELECT COUNT(*) FROM referrals r WHERE r.is_open = 1" FILTERS);
DB_QUERY(Q_LIST_ALL, "SELECT " LIST_COLS LIST_FROM "WHERE 1 = 1" FILTERS
                     " ORDER BY r.received_at DESC, r.id LIMIT $3 OFFSET $4");
DB_QUERY(Q_COUNT_ALL, "SELECT COUNT(*) FROM referrals r WHERE 1 = 1" FILTERS);
/* Scoped listings also take "open only" ($6 in a page, $4 in a count; NULL for any). */
DB_QUERY(Q_LIST_REFERRER, "SELECT " LIST_COLS LIST_FROM "WHERE r.referrer_id = $5" FILTERS
                          " AND (CAST($6 AS INTEGER) IS NULL OR r.is_open = $6)"
                          " ORDER BY r.received_at DESC, r.id LIMIT $3 OFFSET $4");
DB_QUERY(Q_COUNT_REFERRER, "SELECT COUNT(*) FROM referrals r WHERE r.referrer_id = $3" FILTERS
                           " AND (CAST($4 AS INTEGER) IS NULL OR r.is_open = $4)");
DB_QUERY(Q_LIST_CHILD, "SELECT " LIST_COLS ", r.childs_words, r.concern" LIST_FROM "WHERE r.child_id = $5" FILTERS
                       " AND (CAST($6 AS INTEGER) IS NULL OR r.is_open = $6)"
                       " ORDER BY r.received_at DESC, r.id LIMIT $3 OFFSET $4");
DB_QUERY(Q_COUNT_CHILD, "SELECT COUNT(*) FROM referrals r WHERE r.child_id = $3" FILTERS
                        " AND (CAST($4 AS INTEGER) IS NULL OR r.is_open = $4)");

DB_QUERY(Q_MASH_STAFF, "SELECT id, username, name, role FROM users WHERE role IN ('mash', 'manager') "
                       "AND disabled = 0 ORDER BY name, username");
DB_QUERY(Q_USER_BRIEF, "SELECT u.id, u.username, u.name, u.role, a.code, a.name, u.manager_id FROM users u "
                       "JOIN agencies a ON a.id = u.agency_id WHERE u.id = $1");

/* Frees the texts R owns and clears them. */
void store_referral_free(struct referral *r) {
  free(r->child_details);
  free(r->concern);
  free(r->childs_words);
  free(r->indicators);
  free(r->rag_reason);
  free(r->rationale);
  free(r->challenge_reason);
  free(r->challenge_response);
  r->child_details = r->concern = r->childs_words = r->indicators = NULL;
  r->rag_reason = r->rationale = r->challenge_reason = r->challenge_response = NULL;
}

/* Replaces the owned text *FIELD with a copy of VALUE (NULL clears it). */
void store_referral_set_text(char **field, const char *value) {
  free(*field);
  *field = xstrdup(value);
}

/* Binds "" as NULL. */
static void bind_opt(struct db_stmt *st, int idx, const char *v) { db_bind_text(st, idx, v && *v ? v : NULL); }

/* Binds 0 (no time) as NULL. */
static void bind_time(struct db_stmt *st, int idx, int64_t t) {
  if (t) db_bind_int(st, idx, t);
  else db_bind_text(st, idx, NULL);
}

/* The time in column COL, 0 for NULL. */
static int64_t col_time(struct db_stmt *st, int col) { return db_null(st, col) ? 0 : db_int(st, col); }

static void read_row(struct db_stmt *st, struct referral *r) {
  memset(r, 0, sizeof *r);
  COPY_COL(r->id, st, 0);
  COPY_COL(r->reference, st, 1);
  COPY_COL(r->child_id, st, 2);
  r->child_details = db_text_dup(st, 3);
  COPY_COL(r->agency_id, st, 4);
  COPY_COL(r->referrer_id, st, 5);
  r->concern = db_text_dup(st, 6);
  r->childs_words = db_text_dup(st, 7);
  r->indicators = db_text_dup(st, 8);
  r->immediate_danger = db_int(st, 9) != 0;
  COPY_COL(r->status, st, 10);
  COPY_COL(r->rag, st, 11);
  r->rag_reason = db_text_dup(st, 12);
  r->triaged_at = col_time(st, 13);
  COPY_COL(r->triaged_by, st, 14);
  COPY_COL(r->assigned_to, st, 15);
  r->received_at = db_int(st, 16);
  r->due_at = db_int(st, 17);
  r->decided_at = col_time(st, 18);
  COPY_COL(r->decided_by, st, 19);
  COPY_COL(r->outcome, st, 20);
  r->rationale = db_text_dup(st, 21);
  r->decision_round = (int)db_int(st, 22);
  r->signoff_needed = db_int(st, 23) != 0;
  r->signed_off_at = col_time(st, 24);
  COPY_COL(r->signed_off_by, st, 25);
  r->challenge_round = (int)db_int(st, 26);
  r->challenge_reason = db_text_dup(st, 27);
  r->challenged_at = col_time(st, 28);
  COPY_COL(r->challenged_by, st, 29);
  COPY_COL(r->challenge_outcome, st, 30);
  r->challenge_response = db_text_dup(st, 31);
  r->challenge_answered_at = col_time(st, 32);
  COPY_COL(r->challenge_answered_by, st, 33);
  r->confirmed_at = col_time(st, 34);
  COPY_COL(r->confirmed_by, st, 35);
  r->is_open = db_int(st, 36) != 0;
  r->next_due_at = db_int(st, 37);
  r->updated_at = db_int(st, 38);
  r->version = (int)db_int(st, 39);
}

/*
** Takes the next reference number of YEAR into *NUMBER (1 for the year's
** first).  Call inside the write transaction that inserts the referral: the
** counter row is locked until it ends, so no two referrals share a number.
*/
int store_referral_next_number(struct db *db, int year, int64_t *number) {
  struct db_stmt *st = db_prepare(db, &Q_COUNTER_BUMP);
  if (!st) return DB_ERROR;
  db_bind_int(st, 1, year);
  int rc = db_run(st);
  if (rc != DB_OK) return rc;
  st = db_prepare(db, &Q_COUNTER_GET);
  if (!st) return DB_ERROR;
  db_bind_int(st, 1, year);
  rc = db_step(st);
  if (rc == DB_ROW) *number = db_int(st, 0);
  db_reset(st);
  return rc == DB_ROW ? DB_OK : rc < 0 ? rc : DB_ERROR;
}

/* Inserts referral R as received (version 1).  Call inside a write transaction. */
int store_referral_insert(struct db *db, const struct referral *r) {
  struct db_stmt *st = db_prepare(db, &Q_INSERT);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, r->id);
  db_bind_text(st, 2, r->reference);
  bind_opt(st, 3, r->child_id);
  db_bind_text(st, 4, r->child_details);
  db_bind_text(st, 5, r->agency_id);
  db_bind_text(st, 6, r->referrer_id);
  db_bind_text(st, 7, r->concern);
  db_bind_text(st, 8, r->childs_words);
  db_bind_text(st, 9, r->indicators ? r->indicators : "[]");
  db_bind_bool(st, 10, r->immediate_danger);
  db_bind_text(st, 11, r->status);
  bind_opt(st, 12, r->rag);
  db_bind_text(st, 13, r->rag_reason);
  bind_time(st, 14, r->triaged_at);
  db_bind_int(st, 15, r->received_at);
  db_bind_int(st, 16, r->due_at);
  db_bind_int(st, 17, r->decision_round);
  db_bind_bool(st, 18, r->is_open);
  db_bind_int(st, 19, r->next_due_at);
  db_bind_int(st, 20, r->updated_at);
  return db_run(st);
}

/* Reads referral ID into *OUT (free with store_referral_free): DB_ROW, or DB_DONE when there is none. */
int store_referral_get(struct db *db, const char *id, struct referral *out) {
  struct db_stmt *st = db_prepare(db, &Q_GET);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  int rc = db_step(st);
  if (rc == DB_ROW) read_row(st, out);
  db_reset(st);
  return rc;
}

/*
** Writes R's changeable columns over the stored referral if it is still at
** EXPECTED_VERSION (and the version moves on).  DB_OK, DB_DONE when someone
** else changed it first, or an error.  Call inside a write transaction.
*/
int store_referral_update(struct db *db, const struct referral *r, int expected_version) {
  struct db_stmt *st = db_prepare(db, &Q_UPDATE);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, r->id);
  bind_opt(st, 2, r->child_id);
  db_bind_text(st, 3, r->status);
  bind_opt(st, 4, r->rag);
  db_bind_text(st, 5, r->rag_reason);
  bind_time(st, 6, r->triaged_at);
  bind_opt(st, 7, r->triaged_by);
  bind_opt(st, 8, r->assigned_to);
  db_bind_int(st, 9, r->due_at);
  bind_time(st, 10, r->decided_at);
  bind_opt(st, 11, r->decided_by);
  bind_opt(st, 12, r->outcome);
  db_bind_text(st, 13, r->rationale);
  db_bind_int(st, 14, r->decision_round);
  db_bind_bool(st, 15, r->signoff_needed);
  bind_time(st, 16, r->signed_off_at);
  bind_opt(st, 17, r->signed_off_by);
  bind_time(st, 18, r->confirmed_at);
  bind_opt(st, 19, r->confirmed_by);
  db_bind_bool(st, 20, r->is_open);
  db_bind_int(st, 21, r->next_due_at);
  db_bind_int(st, 22, r->updated_at);
  db_bind_int(st, 23, expected_version);
  int rc = db_step(st);
  int64_t n = db_changes(st);
  db_reset(st);
  if (rc < 0) return rc;
  if (n != 1) return DB_DONE;
  st = db_prepare(db, &Q_UPDATE_CHALLENGE);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, r->id);
  db_bind_int(st, 2, r->challenge_round);
  db_bind_text(st, 3, r->challenge_reason);
  bind_time(st, 4, r->challenged_at);
  bind_opt(st, 5, r->challenged_by);
  bind_opt(st, 6, r->challenge_outcome);
  db_bind_text(st, 7, r->challenge_response);
  bind_time(st, 8, r->challenge_answered_at);
  bind_opt(st, 9, r->challenge_answered_by);
  return db_run(st);
}

/* Sets the referral's next_due_at to its soonest open deadline (kept when none is open). */
int store_referral_refresh_due(struct db *db, const char *id) {
  struct db_stmt *st = db_prepare(db, &Q_REFRESH_DUE);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  return db_run(st);
}

/* Files the referral's deadlines (open and met) under CHILD_ID once the child is known. */
int store_referral_deadlines_child(struct db *db, const char *id, const char *child_id) {
  struct db_stmt *st = db_prepare(db, &Q_DEADLINES_CHILD);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  db_bind_text(st, 2, child_id);
  return db_run(st);
}

/* Appends an event of TYPE by USER_ID (NULL: Safehub itself) with DETAIL (an object, not stolen; may be NULL). */
int store_referral_event_add(struct db *db, const char *referral_id, int64_t at, const char *type,
                             const char *user_id, json_t *detail) {
  struct db_stmt *st = db_prepare(db, &Q_EVENT_ADD);
  if (!st) return DB_ERROR;
  char *text = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  db_bind_text(st, 1, referral_id);
  db_bind_int(st, 2, at);
  db_bind_text(st, 3, type);
  bind_opt(st, 4, user_id);
  db_bind_text(st, 5, text ? text : "{}");
  int rc = db_run(st);
  free(text);
  return rc;
}

static json_t *iso_or_null(struct db_stmt *st, int col) {
  if (db_null(st, col)) return json_null();
  char at[ISO_TIME_LEN];
  time_format_iso(db_int(st, col), at);
  return json_string(at);
}

/* One row of store_referral_events as an object. */
static void referral_events_row(struct db_stmt *st, json_t *o) {
  json_object_set_new(o, "n", json_integer(db_int(st, 0)));
  json_object_set_new(o, "at", iso_or_null(st, 1));
  json_set_col(o, "type", st, 2);
  json_t *detail = json_loads(db_text(st, 3) ? db_text(st, 3) : "{}", 0, NULL);
  json_object_set_new(o, "detail", json_is_object(detail) ? detail : json_object());
  if (detail && !json_is_object(detail)) json_decref(detail);
  if (db_null(st, 4)) {
    json_object_set_new(o, "by", json_null());
  } else {
    json_t *by = json_object();
    json_set_col(by, "id", st, 4);
    json_set_col(by, "username", st, 5);
    json_set_col(by, "name", st, 6);
    json_set_col(by, "agency_id", st, 7);
    json_set_col(by, "agency", st, 8);
    json_object_set_new(o, "by", by);
  }
}

/*
** The referral's history, oldest first, as a new array of
** {"n","at","type","detail":{...},"by":{"id","username","name","agency"} or null}.
*/
int store_referral_events(struct db *db, const char *referral_id, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_EVENTS);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, referral_id);
  return store_rows_json(st, referral_events_row, out);
}

/* One listing row as JSON; the child's listing (WITH_CONTENT) adds the child's words and the concern. */
static json_t *list_row(struct db_stmt *st, bool with_content) {
  json_t *o = json_object();
  json_set_col(o, "id", st, 0);
  json_set_col(o, "reference", st, 1);
  json_set_col(o, "status", st, 2);
  json_set_col(o, "rag", st, 3);
  json_object_set_new(o, "immediate_danger", json_boolean(db_int(st, 4)));
  json_object_set_new(o, "received_at", iso_or_null(st, 5));
  json_object_set_new(o, "due_at", iso_or_null(st, 6));
  bool open = db_int(st, 8) != 0;
  json_object_set_new(o, "open", json_boolean(open));
  json_object_set_new(o, "next_due_at", open ? iso_or_null(st, 7) : json_null());
  json_object_set_new(o, "agency", json_pack("{s:s?,s:s?}", "code", db_text(st, 9), "name", db_text(st, 10)));
  json_set_col(o, "assigned_to", st, 11);
  json_set_col(o, "outcome", st, 12);
  json_set_col(o, "child_id", st, 13);
  json_object_set_new(o, "decided_at", iso_or_null(st, 14));
  json_set_col(o, "referrer_id", st, 15);
  json_set_col(o, "next_due_kind", st, 16);
  json_object_set_new(o, "escalation_level", json_integer(db_null(st, 17) ? 0 : db_int(st, 17)));
  if (with_content) {
    json_set_col(o, "childs_words", st, 18);
    json_set_col(o, "concern", st, 19);
  }
  return o;
}

/*
** The referrals Q selects, a page of at most Q->limit from Q->offset, as a
** new array in *OUT, with the number matching in all in *TOTAL.
*/
int store_referral_list(struct db *db, const struct referral_query *q, json_t **out, int64_t *total) {
  const struct db_query *lq, *cq;
  switch (q->scope) {
  case REF_SCOPE_OPEN: lq = &Q_LIST_OPEN, cq = &Q_COUNT_OPEN; break;
  case REF_SCOPE_ALL: lq = &Q_LIST_ALL, cq = &Q_COUNT_ALL; break;
  case REF_SCOPE_REFERRER: lq = &Q_LIST_REFERRER, cq = &Q_COUNT_REFERRER; break;
  default: lq = &Q_LIST_CHILD, cq = &Q_COUNT_CHILD; break;
  }
  bool scoped = q->scope == REF_SCOPE_REFERRER || q->scope == REF_SCOPE_CHILD;
  struct db_stmt *st = db_prepare(db, lq);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, q->status);
  db_bind_text(st, 2, q->rag);
  db_bind_int(st, 3, q->limit);
  db_bind_int(st, 4, q->offset);
  if (scoped) {
    db_bind_text(st, 5, q->who);
    if (q->only_open) db_bind_int(st, 6, 1);
    else db_bind_text(st, 6, NULL);
  }
  json_t *arr = json_array();
  int rc;
  while ((rc = db_step(st)) == DB_ROW) json_array_append_new(arr, list_row(st, q->scope == REF_SCOPE_CHILD));
  db_reset(st);
  if (rc != DB_DONE) {
    json_decref(arr);
    return rc;
  }
  st = db_prepare(db, cq);
  if (!st) {
    json_decref(arr);
    return DB_ERROR;
  }
  db_bind_text(st, 1, q->status);
  db_bind_text(st, 2, q->rag);
  if (scoped) {
    db_bind_text(st, 3, q->who);
    if (q->only_open) db_bind_int(st, 4, 1);
    else db_bind_text(st, 4, NULL);
  }
  rc = db_step(st);
  if (rc == DB_ROW) *total = db_int(st, 0);
  db_reset(st);
  if (rc != DB_ROW) {
    json_decref(arr);
    return rc < 0 ? rc : DB_ERROR;
  }
  *out = arr;
  return DB_OK;
}

/* One row of store_referral_mash_staff as an object. */
static void referral_mash_staff_row(struct db_stmt *st, json_t *o) {
  json_set_col(o, "id", st, 0);
  json_set_col(o, "username", st, 1);
  json_set_col(o, "name", st, 2);
  json_set_col(o, "role", st, 3);
}

/* The enabled MASH workers and managers, by name: a new array of {"id","username","name","role"}. */
int store_referral_mash_staff(struct db *db, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_MASH_STAFF);
  if (!st) return DB_ERROR;
  return store_rows_json(st, referral_mash_staff_row, out);
}

/*
** Who USER_ID is, for showing beside what they did: a new object
** {"id","username","name","role","agency":{"code","name"},"manager_id"} in
** *OUT.  DB_ROW, or DB_DONE when there is no such user.
*/
int store_referral_user_brief(struct db *db, const char *user_id, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_USER_BRIEF);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, user_id);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    json_t *o = json_object();
    json_set_col(o, "id", st, 0);
    json_set_col(o, "username", st, 1);
    json_set_col(o, "name", st, 2);
    json_set_col(o, "role", st, 3);
    json_object_set_new(o, "agency", json_pack("{s:s?,s:s?}", "code", db_text(st, 4), "name", db_text(st, 5)));
    json_set_col(o, "manager_id", st, 6);
    *out = o;
  }
  db_reset(st);
  return rc;
}
