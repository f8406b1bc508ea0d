/*
** Merging two children's records, and undoing it (see merge.h).
**
** Every table holding rows about a child is listed here, each with its own
** static statements: the rows of the merged record are moved to the kept one
** one by one, and every row moved (or ended, demoted, closed, added because
** of the merge) is written down, so that undoing moves exactly those rows
** back.  A new table holding rows about a child must be added to this file,
** or a merge would leave its rows behind.
*/
#include <stdlib.h>
#include <string.h>
#include "store/merge.h"
#include "store/store_util.h"
#include "util/timeutil.h"

struct moved_table {
  const char *name;
  const struct db_query *select; /* $1: child id -> row ids */
  const struct db_query *move;   /* $1: new child id, $2: row id */
};

#define MOVABLE(tbl)                                                                          \
  DB_QUERY(Q_SEL_##tbl, "SELECT id FROM " #tbl " WHERE child_id = $1 ORDER BY id");             \
  DB_QUERY(Q_MOV_##tbl, "UPDATE " #tbl " SET child_id = $1 WHERE id = $2")

MOVABLE(chronology);
MOVABLE(referrals);
MOVABLE(missing_episodes);
MOVABLE(case_notes);
MOVABLE(support_referrals);
MOVABLE(deadlines);
MOVABLE(allocations);
MOVABLE(risk_assessments);

static const struct moved_table TABLES[] = {
    {"chronology", &Q_SEL_chronology, &Q_MOV_chronology},
    {"referrals", &Q_SEL_referrals, &Q_MOV_referrals},
    {"missing_episodes", &Q_SEL_missing_episodes, &Q_MOV_missing_episodes},
    {"case_notes", &Q_SEL_case_notes, &Q_MOV_case_notes},
    {"support_referrals", &Q_SEL_support_referrals, &Q_MOV_support_referrals},
    {"deadlines", &Q_SEL_deadlines, &Q_MOV_deadlines},
    {"allocations", &Q_SEL_allocations, &Q_MOV_allocations},
    {"risk_assessments", &Q_SEL_risk_assessments, &Q_MOV_risk_assessments},
};

/* One current allocation and one current risk assessment per child: the kept record's stay current. */
DB_QUERY(Q_END_ALLOC, "UPDATE allocations SET ended_at = $2 WHERE child_id = $1 AND ended_at IS NULL "
                      "AND EXISTS (SELECT 1 FROM allocations k WHERE k.child_id = $3 AND k.ended_at IS NULL) "
                      "RETURNING id");
DB_QUERY(Q_REOPEN_ALLOC, "UPDATE allocations SET ended_at = NULL WHERE id = $1");
DB_QUERY(Q_DEMOTE_RISK, "UPDATE risk_assessments SET is_current = 0 WHERE child_id = $1 AND is_current = 1 "
                        "AND EXISTS (SELECT 1 FROM risk_assessments k WHERE k.child_id = $2 AND k.is_current = 1) "
                        "RETURNING id");
DB_QUERY(Q_PROMOTE_RISK, "UPDATE risk_assessments SET is_current = 1 WHERE id = $1");
/* Meetings the merged child attended and the kept one did not. */
DB_QUERY(Q_SEL_MEETINGS, "SELECT meeting_id FROM meeting_children WHERE child_id = $1 AND meeting_id NOT IN "
                         "(SELECT meeting_id FROM meeting_children WHERE child_id = $2) ORDER BY meeting_id");
DB_QUERY(Q_MOV_MEETING, "UPDATE meeting_children SET child_id = $1 WHERE meeting_id = $2 AND child_id = $3");
/* Work about the child itself (reviews, meetings due): moved unless the kept record has the same kind open. */
DB_QUERY(Q_SEL_CHILD_ITEMS, "SELECT id FROM deadlines WHERE item_type = 'child' AND item_id = $1 AND kind NOT IN "
                            "(SELECT kind FROM deadlines WHERE item_type = 'child' AND item_id = $2) ORDER BY id");
DB_QUERY(Q_MOV_CHILD_ITEM, "UPDATE deadlines SET item_id = $1 WHERE id = $2");
DB_QUERY(Q_CLOSE_CHILD_ITEMS, "UPDATE deadlines SET met_at = $2, met_by = 'merge' WHERE item_type = 'child' "
                              "AND item_id = $1 AND met_at IS NULL RETURNING id");
DB_QUERY(Q_REOPEN_ITEM, "UPDATE deadlines SET met_at = NULL, met_by = NULL WHERE id = $1 AND met_by = 'merge'");
DB_QUERY(Q_SEL_INVOLVED, "SELECT agency_id FROM child_involvement WHERE child_id = $1 AND agency_id NOT IN "
                         "(SELECT agency_id FROM child_involvement WHERE child_id = $2) ORDER BY agency_id");
DB_QUERY(Q_ADD_INVOLVED, "INSERT INTO child_involvement (child_id, agency_id, reason, since) VALUES ($1, $2, $3, $4)");
DB_QUERY(Q_DEL_INVOLVED, "DELETE FROM child_involvement WHERE child_id = $1 AND agency_id = $2");
DB_QUERY(Q_SET_MERGED, "UPDATE children SET merged_into = $2 WHERE id = $1");
DB_QUERY(Q_KEYS_DELETE, "DELETE FROM child_search WHERE child_id = $1");

/* Collects the single text column of every row Q gives for A (and B, if Q takes two parameters). */
static int ids_of(struct db *db, const struct db_query *q, const char *a, const char *b, json_t *out) {
  struct db_stmt *st = db_prepare(db, q);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, a);
  if (b) db_bind_text(st, 2, b);
  int rc;
  while ((rc = db_step(st)) == DB_ROW) json_array_append_new(out, json_string(db_text(st, 0)));
  db_reset(st);
  return rc == DB_DONE ? DB_OK : rc;
}

static int run2(struct db *db, const struct db_query *q, const char *a, const char *b) {
  struct db_stmt *st = db_prepare(db, q);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, a);
  if (b) db_bind_text(st, 2, b);
  return db_run(st);
}

static int returning(struct db *db, const struct db_query *q, const char *a, int64_t t, const char *b, json_t *out) {
  struct db_stmt *st = db_prepare(db, q);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, a);
  db_bind_int(st, 2, t);
  if (b) db_bind_text(st, 3, b);
  int rc;
  while ((rc = db_step(st)) == DB_ROW) json_array_append_new(out, json_string(db_text(st, 0)));
  db_reset(st);
  return rc == DB_DONE ? DB_OK : rc;
}

static void note(json_t *moved, const char *table, const char *action, json_t *ids) {
  size_t i;
  json_t *v;
  json_array_foreach(ids, i, v) json_array_append_new(moved, json_pack("{s:s,s:s,s:O}", "table", table, "action", action, "id", v));
}

/*
** Moves every row about child MERGED to child KEPT, inside the caller's
** transaction, and writes into MOVED ([{"table","action","id"}]) exactly
** what it did.  Also involves KEPT with MERGED's agencies, hides MERGED from
** search and marks it merged into KEPT.
*/
int store_merge_rows(struct db *db, const char *kept, const char *merged, int64_t now, json_t *moved) {
  json_t *ids = json_array();
  /* First the rows that must not clash with the kept record's current ones. */
  int rc = returning(db, &Q_END_ALLOC, merged, now, kept, ids);
  note(moved, "allocations", "ended", ids);
  json_array_clear(ids);
  if (rc == DB_OK) {
    struct db_stmt *st = db_prepare(db, &Q_DEMOTE_RISK);
    if (!st) rc = DB_ERROR;
    else {
      db_bind_text(st, 1, merged);
      db_bind_text(st, 2, kept);
      while ((rc = db_step(st)) == DB_ROW) json_array_append_new(ids, json_string(db_text(st, 0)));
      db_reset(st);
      rc = rc == DB_DONE ? DB_OK : rc;
    }
    note(moved, "risk_assessments", "demoted", ids);
    json_array_clear(ids);
  }
  /* Work about the merged child itself moves across unless the kept record has the same kind; the rest is closed. */
  size_t i;
  json_t *v;
  if (rc == DB_OK) rc = ids_of(db, &Q_SEL_CHILD_ITEMS, merged, kept, ids);
  json_array_foreach(ids, i, v) {
    if (rc == DB_OK) rc = run2(db, &Q_MOV_CHILD_ITEM, kept, json_string_value(v));
  }
  note(moved, "deadlines", "item_moved", ids);
  json_array_clear(ids);
  if (rc == DB_OK) rc = returning(db, &Q_CLOSE_CHILD_ITEMS, merged, now, NULL, ids);
  note(moved, "deadlines", "closed", ids);
  json_array_clear(ids);
  for (size_t t = 0; rc == DB_OK && t < sizeof TABLES / sizeof TABLES[0]; t++) {
    rc = ids_of(db, TABLES[t].select, merged, NULL, ids);
    json_array_foreach(ids, i, v) {
      if (rc == DB_OK) rc = run2(db, TABLES[t].move, kept, json_string_value(v));
    }
    note(moved, TABLES[t].name, "moved", ids);
    json_array_clear(ids);
  }
  if (rc == DB_OK) rc = ids_of(db, &Q_SEL_MEETINGS, merged, kept, ids);
  json_array_foreach(ids, i, v) {
    if (rc != DB_OK) break;
    struct db_stmt *st = db_prepare(db, &Q_MOV_MEETING);
    if (!st) {
      rc = DB_ERROR;
      break;
    }
    db_bind_text(st, 1, kept);
    db_bind_text(st, 2, json_string_value(v));
    db_bind_text(st, 3, merged);
    rc = db_run(st);
  }
  note(moved, "meeting_children", "moved", ids);
  json_array_clear(ids);
  if (rc == DB_OK) rc = ids_of(db, &Q_SEL_INVOLVED, merged, kept, ids);
  json_array_foreach(ids, i, v) {
    if (rc != DB_OK) break;
    struct db_stmt *st = db_prepare(db, &Q_ADD_INVOLVED);
    if (!st) {
      rc = DB_ERROR;
      break;
    }
    db_bind_text(st, 1, kept);
    db_bind_text(st, 2, json_string_value(v));
    db_bind_text(st, 3, "merged record");
    db_bind_int(st, 4, now);
    rc = db_run(st);
  }
  note(moved, "child_involvement", "added", ids);
  json_decref(ids);
  if (rc == DB_OK) rc = run2(db, &Q_KEYS_DELETE, merged, NULL);
  if (rc == DB_OK) rc = run2(db, &Q_SET_MERGED, merged, kept);
  return rc;
}

/*
** Reverses store_merge_rows from its record MOVED: every row goes back to
** MERGED, what was ended, demoted or closed is restored, the involvement it
** added is removed, and MERGED is no longer merged.  The caller rebuilds
** MERGED's search keys.  Inside the caller's transaction.
*/
int store_unmerge_rows(struct db *db, const char *kept, const char *merged, json_t *moved) {
  int rc = DB_OK;
  size_t i;
  json_t *e;
  json_array_foreach(moved, i, e) {
    if (rc != DB_OK) break;
    const char *table = json_string_value(json_object_get(e, "table"));
    const char *action = json_string_value(json_object_get(e, "action"));
    const char *id = json_string_value(json_object_get(e, "id"));
    if (!table || !action || !id) return DB_ERROR;
    if (!strcmp(action, "moved") && !strcmp(table, "meeting_children")) {
      struct db_stmt *st = db_prepare(db, &Q_MOV_MEETING);
      if (!st) return DB_ERROR;
      db_bind_text(st, 1, merged);
      db_bind_text(st, 2, id);
      db_bind_text(st, 3, kept);
      rc = db_run(st);
    } else if (!strcmp(action, "moved")) {
      const struct db_query *mv = NULL;
      for (size_t t = 0; t < sizeof TABLES / sizeof TABLES[0]; t++) {
        if (!strcmp(TABLES[t].name, table)) mv = TABLES[t].move;
      }
      if (!mv) return DB_ERROR;
      rc = run2(db, mv, merged, id);
    } else if (!strcmp(action, "item_moved")) {
      rc = run2(db, &Q_MOV_CHILD_ITEM, merged, id);
    } else if (!strcmp(action, "ended")) {
      rc = run2(db, &Q_REOPEN_ALLOC, id, NULL);
    } else if (!strcmp(action, "demoted")) {
      rc = run2(db, &Q_PROMOTE_RISK, id, NULL);
    } else if (!strcmp(action, "closed")) {
      rc = run2(db, &Q_REOPEN_ITEM, id, NULL);
    } else if (!strcmp(action, "added")) {
      rc = run2(db, &Q_DEL_INVOLVED, kept, id);
    } else {
      return DB_ERROR;
    }
  }
  if (rc == DB_OK) rc = run2(db, &Q_SET_MERGED, merged, NULL);
  return rc;
}

DB_QUERY(Q_M_INSERT, "INSERT INTO merges (id, kept_id, merged_id, candidate_id, moved, added, reason, decided_by, "
                     "decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
DB_QUERY(Q_M_GET, "SELECT id, kept_id, merged_id, candidate_id, moved, added, undone_at FROM merges WHERE id = $1");
DB_QUERY(Q_M_UNDONE, "UPDATE merges SET undone_by = $2, undone_at = $3 WHERE id = $1 AND undone_at IS NULL");
DB_QUERY(Q_M_FOR_CHILD, "SELECT m.id, m.kept_id, m.merged_id, m.decided_at, u.username, m.undone_at, m.reason "
                        "FROM merges m JOIN users u ON u.id = m.decided_by WHERE m.kept_id = $1 OR m.merged_id = $1 "
                        "ORDER BY m.decided_at DESC");

/* Records a merge (MOVED and ADDED are stored as JSON text). */
int store_merge_insert(struct db *db, const char *id, const char *kept, const char *merged, const char *candidate,
                       json_t *moved, json_t *added, const char *reason, const char *by, int64_t at) {
  struct db_stmt *st = db_prepare(db, &Q_M_INSERT);
  if (!st) return DB_ERROR;
  char *mv = json_dumps(moved, JSON_COMPACT), *ad = json_dumps(added, JSON_COMPACT);
  db_bind_text(st, 1, id);
  db_bind_text(st, 2, kept);
  db_bind_text(st, 3, merged);
  db_bind_text(st, 4, candidate);
  db_bind_text(st, 5, mv ? mv : "[]");
  db_bind_text(st, 6, ad ? ad : "{}");
  db_bind_text(st, 7, reason);
  db_bind_text(st, 8, by);
  db_bind_int(st, 9, at);
  int rc = db_run(st);
  free(mv);
  free(ad);
  return rc;
}

/* The merge ID as JSON {"id","kept_id","merged_id","candidate_id","moved","added","undone"}: DB_ROW or DB_DONE. */
int store_merge_get(struct db *db, const char *id, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_M_GET);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    json_t *o = json_object();
    json_set_col(o, "id", st, 0);
    json_set_col(o, "kept_id", st, 1);
    json_set_col(o, "merged_id", st, 2);
    json_set_col(o, "candidate_id", st, 3);
    json_t *mv = json_loads(db_text(st, 4) ? db_text(st, 4) : "[]", 0, NULL);
    json_t *ad = json_loads(db_text(st, 5) ? db_text(st, 5) : "{}", 0, NULL);
    json_object_set_new(o, "moved", mv ? mv : json_array());
    json_object_set_new(o, "added", ad ? ad : json_object());
    json_object_set_new(o, "undone", json_boolean(!db_null(st, 6)));
    *out = o;
  }
  db_reset(st);
  return rc;
}

/* Marks merge ID undone by BY at AT; DB_DONE when it was already undone. */
int store_merge_mark_undone(struct db *db, const char *id, const char *by, int64_t at) {
  struct db_stmt *st = db_prepare(db, &Q_M_UNDONE);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  db_bind_text(st, 2, by);
  db_bind_int(st, 3, at);
  int rc = db_step(st);
  int64_t n = db_changes(st);
  db_reset(st);
  if (rc < 0) return rc;
  return n ? DB_OK : DB_DONE;
}

/* Merges involving CHILD_ID (kept or merged), newest first, as JSON. */
int store_merges_for_child(struct db *db, const char *child_id, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_M_FOR_CHILD);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, child_id);
  json_t *arr = json_array();
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    char at[ISO_TIME_LEN];
    time_format_iso(db_int(st, 3), at);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "id", db_text(st, 0), "kept_id", db_text(st, 1), "merged_id",
                          db_text(st, 2), "decided_at", at, "decided_by", db_text(st, 4), "undone", !db_null(st, 5));
    json_set_col(o, "reason", st, 6);
    json_array_append_new(arr, o);
  }
  db_reset(st);
  if (rc != DB_DONE) {
    json_decref(arr);
    return rc;
  }
  *out = arr;
  return DB_OK;
}
