/*
** Intelligence (see intel_store.h): entities, graded items and their links,
** and what the network is built from.  One small function per operation,
** each a static statement written once for SQLite and PostgreSQL.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/intel_store.h"
#include "store/store_util.h"
#include "util/buf.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

DB_QUERY(Q_E_INSERT, "INSERT INTO entities (id, type, label, key, attrs, ethnicity_self, ethnicity_observed, "
                     "nationality, location_kind, created_at, created_by, agency_id, label_key) "
                     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)");
DB_QUERY(Q_E_GET, "SELECT e.id, e.type, e.label, e.attrs, e.created_at, u.username, ag.code FROM entities e "
                  "JOIN users u ON u.id = e.created_by LEFT JOIN agencies ag ON ag.id = e.agency_id WHERE e.id = $1");
DB_QUERY(Q_E_BY_KEY, "SELECT id FROM entities WHERE key = $1");
DB_QUERY(Q_E_TYPE, "SELECT type FROM entities WHERE id = $1");
/*
** Folded label containing the folded text, label containing the text as
** typed, or the key the text normalises to; exact keys first.
*/
DB_QUERY(Q_E_SEARCH, "SELECT id, type, label FROM entities "
                     "WHERE (label_key LIKE $1 OR label LIKE $6 ESCAPE '\\' OR key = $2 OR key = $3) "
                     "AND (CAST($4 AS TEXT) IS NULL OR type = $4) "
                     "ORDER BY CASE WHEN key = $2 OR key = $3 THEN 0 ELSE 1 END, label, id LIMIT $5");
DB_QUERY(Q_E_INTEL, "SELECT i.id, i.summary, i.grading, i.source_evaluation, i.intelligence_assessment, "
                    "i.handling_code, i.handling_conditions, i.recorded_at, ag.code FROM intelligence i "
                    "LEFT JOIN agencies ag ON ag.id = i.agency_id WHERE i.id IN "
                    "(SELECT intelligence_id FROM intel_links WHERE from_id = $1 OR to_id = $1) "
                    "ORDER BY i.recorded_at DESC, i.id DESC LIMIT $2");
DB_QUERY(Q_E_LINKS, "SELECT intelligence_id, from_id, to_id, relation FROM intel_links "
                    "WHERE from_id = $1 OR to_id = $1 ORDER BY recorded_at DESC, intelligence_id, position LIMIT $2");

DB_QUERY(Q_C_MERGED, "SELECT merged_into FROM children WHERE id = $1");

DB_QUERY(Q_I_INSERT, "INSERT INTO intelligence (id, summary, grading, source_evaluation, intelligence_assessment, "
                     "handling_code, handling_conditions, occurred_at, recorded_at, recorded_by, agency_id) "
                     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)");
DB_QUERY(Q_L_INSERT, "INSERT INTO intel_links (id, intelligence_id, position, from_id, to_id, relation, recorded_at) "
                     "VALUES ($1, $2, $3, $4, $5, $6, $7)");
#define I_COLS                                                                                                    \
  "i.id, i.summary, i.grading, i.source_evaluation, i.intelligence_assessment, i.handling_code, "                \
  "i.handling_conditions, i.occurred_at, i.recorded_at, u.username, ag.code FROM intelligence i "                \
  "JOIN users u ON u.id = i.recorded_by LEFT JOIN agencies ag ON ag.id = i.agency_id "
DB_QUERY(Q_I_GET, "SELECT " I_COLS "WHERE i.id = $1");
DB_QUERY(Q_I_LIST, "SELECT " I_COLS "ORDER BY i.recorded_at DESC, i.id DESC LIMIT $1");
/* About a record: links to it, or to a child merged into it, however many merges back (as the network reads them). */
DB_QUERY(Q_I_ABOUT, "WITH RECURSIVE about(id) AS (SELECT CAST($1 AS TEXT) UNION "
                    "SELECT c.id FROM children c JOIN about a ON c.merged_into = a.id) "
                    "SELECT " I_COLS "WHERE i.id IN (SELECT l.intelligence_id FROM intel_links l "
                    "WHERE l.from_id IN (SELECT id FROM about) OR l.to_id IN (SELECT id FROM about)) "
                    "ORDER BY i.recorded_at DESC, i.id DESC LIMIT $2");
DB_QUERY(Q_I_LINKS, "SELECT from_id, to_id, relation FROM intel_links WHERE intelligence_id = $1 ORDER BY position");

DB_QUERY(Q_MERGES, "SELECT id, merged_into FROM children WHERE merged_into IS NOT NULL");
DB_QUERY(Q_ALL_LINKS, "SELECT l.from_id, l.to_id, l.relation, l.intelligence_id, i.handling_conditions "
                      "FROM intel_links l JOIN intelligence i ON i.id = l.intelligence_id "
                      "ORDER BY l.recorded_at, l.intelligence_id, l.position");
/* Labels in batches of LABEL_BATCH ids; unused places are bound to NULL, which matches nothing. */
#define LABEL_BATCH 32
#define P32                                                                                                  \
  "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, " \
  "$24, $25, $26, $27, $28, $29, $30, $31, $32)"
DB_QUERY(Q_E_LABELS, "SELECT id, type, label, location_kind FROM entities WHERE id IN " P32);
DB_QUERY(Q_C_LABELS, "SELECT id, first_name, last_name FROM children WHERE id IN " P32);
/* The links naming any of up to LABEL_BATCH records (each placeholder serves both ends). */
DB_QUERY(Q_NEAR_LINKS, "SELECT l.id, l.from_id, l.to_id, l.relation, l.intelligence_id, i.handling_conditions "
                       "FROM intel_links l JOIN intelligence i ON i.id = l.intelligence_id "
                       "WHERE l.from_id IN " P32 " OR l.to_id IN " P32 " "
                       "ORDER BY l.recorded_at, l.intelligence_id, l.position");

/* How many links to children merged into another are followed to the record kept, at most. */
#define MERGE_HOPS 16

/* Binds V, or NULL when V is NULL or empty. */
static void bind_opt(struct db_stmt *st, int i, const char *v) { db_bind_text(st, i, v && *v ? v : NULL); }

/* Column COL as an ISO 8601 UTC string, or JSON null for SQL NULL.  New reference. */
static json_t *iso_col(struct db_stmt *st, int col) {
  if (db_null(st, col)) return json_null();
  char at[ISO_TIME_LEN];
  time_format_iso(db_int(st, col), at);
  return json_string(at);
}

/* Steps ST (a statement with LIMIT) and finishes it, mapping the end to DB_OK. */
static int finish(struct db_stmt *st, int rc) {
  db_reset(st);
  return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_ERROR;
}

/* ---- entities ---- */

/* Records entity E.  DB_CONSTRAINT when another entity already has E's key. */
int store_entity_insert(struct db *db, const struct entity_row *e) {
  struct db_stmt *st = db_prepare(db, &Q_E_INSERT);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, e->id);
  db_bind_text(st, 2, e->type);
  db_bind_text(st, 3, e->label);
  bind_opt(st, 4, e->key);
  db_bind_text(st, 5, e->attrs ? e->attrs : "{}");
  bind_opt(st, 6, e->ethnicity_self);
  bind_opt(st, 7, e->ethnicity_observed);
  bind_opt(st, 8, e->nationality);
  bind_opt(st, 9, e->location_kind);
  db_bind_int(st, 10, e->created_at);
  db_bind_text(st, 11, e->created_by);
  bind_opt(st, 12, e->agency_id);
  char *folded = xmalloc(strlen(e->label) + 1);
  text_fold_key(e->label, folded, strlen(e->label) + 1);
  db_bind_text(st, 13, folded);
  int rc = db_run(st);
  free(folded);
  return rc;
}

/*
** Entity ID as {"id","type","label", ...its recorded fields, "created_at",
** "created_by" (username), "agency" (code)}: DB_ROW with *OUT (new
** reference), or DB_DONE.
*/
int store_entity_get(struct db *db, const char *id, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_E_GET);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    json_t *o = json_object();
    json_set_col(o, "id", st, 0);
    json_set_col(o, "type", st, 1);
    json_set_col(o, "label", st, 2);
    const char *text = db_text(st, 3);
    json_t *attrs = text ? json_loads(text, 0, NULL) : NULL;
    /* The recorded fields never hold these names (the allowlist has none of them); the columns win regardless. */
    if (json_is_object(attrs)) json_object_update_missing(o, attrs);
    json_decref(attrs);
    json_object_set_new(o, "created_at", iso_col(st, 4));
    json_set_col(o, "created_by", st, 5);
    json_set_col(o, "agency", st, 6);
    *out = o;
  }
  db_reset(st);
  return rc;
}

/* The id of the entity with KEY: DB_ROW with ID_OUT, or DB_DONE. */
int store_entity_by_key(struct db *db, const char *key, char id_out[ID_MAX]) {
  struct db_stmt *st = db_prepare(db, &Q_E_BY_KEY);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, key);
  int rc = db_step(st);
  if (rc == DB_ROW) snprintf(id_out, ID_MAX, "%s", db_text(st, 0));
  db_reset(st);
  return rc;
}

/* The type of entity ID into TYPE_OUT (CAP bytes): DB_ROW, or DB_DONE when there is no such entity. */
int store_entity_type(struct db *db, const char *id, char *type_out, size_t cap) {
  struct db_stmt *st = db_prepare(db, &Q_E_TYPE);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  int rc = db_step(st);
  if (rc == DB_ROW) snprintf(type_out, cap, "%s", db_text(st, 0));
  db_reset(st);
  return rc;
}

/* One search result as an object. */
static void search_row(struct db_stmt *st, json_t *o) {
  json_set_col(o, "id", st, 0);
  json_set_col(o, "type", st, 1);
  json_set_col(o, "label", st, 2);
}

/*
** Entities (of TYPE, when not NULL) whose label contains NEEDLE, ignoring
** case and Latin accents alike on both databases (by the folded label), or
** holding it exactly in another script; or whose key is KEY1 or KEY2 (either
** may be NULL): those by key first, then by label; at most LIMIT, as
** [{"id","type","label"}] in *OUT (new reference).
*/
int store_entity_search(struct db *db, const char *needle, const char *key1, const char *key2, const char *type,
                        int limit, json_t **out) {
  size_t n = strlen(needle);
  /* Folded, the text holds only [a-z0-9]: nothing in it is special to LIKE.  Folded to nothing, it is left NULL. */
  char *folded = xmalloc(n + 1);
  struct buf fpat = BUF_INIT, rpat = BUF_INIT;
  if (text_fold_key(needle, folded, n + 1) > 0) buf_printf(&fpat, "%%%s%%", folded);
  free(folded);
  /* The text as typed, LIKE's own characters escaped: finds labels in scripts that do not fold. */
  buf_putc(&rpat, '%');
  for (const char *p = needle; *p; p++) {
    if (*p == '%' || *p == '_' || *p == '\\') buf_putc(&rpat, '\\');
    buf_putc(&rpat, *p);
  }
  buf_putc(&rpat, '%');
  int rc = DB_ERROR;
  struct db_stmt *st = db_prepare(db, &Q_E_SEARCH);
  if (st) {
    bind_opt(st, 1, fpat.len ? buf_cstr(&fpat) : NULL);
    bind_opt(st, 2, key1);
    bind_opt(st, 3, key2);
    bind_opt(st, 4, type);
    db_bind_int(st, 5, limit);
    db_bind_text(st, 6, buf_cstr(&rpat));
    rc = store_rows_json(st, search_row, out);
  }
  buf_free(&fpat);
  buf_free(&rpat);
  return rc;
}

/* One item of an entity's list (Q_E_INTEL) as an object. */
static void entity_intel_row(struct db_stmt *st, json_t *o) {
  json_set_col(o, "id", st, 0);
  json_set_col(o, "summary", st, 1);
  json_set_col(o, "grading", st, 2);
  json_set_col(o, "source_evaluation", st, 3);
  json_set_col(o, "intelligence_assessment", st, 4);
  json_set_col(o, "handling_code", st, 5);
  json_set_col(o, "handling_conditions", st, 6);
  json_object_set_new(o, "recorded_at", iso_col(st, 7));
  json_set_col(o, "agency", st, 8);
}

/*
** The intelligence items that link entity ID, newest first, at most LIMIT:
** [{"id","summary","grading","source_evaluation","intelligence_assessment",
** "handling_code","handling_conditions","recorded_at","agency"}] in *OUT.
*/
int store_entity_intel(struct db *db, const char *id, int limit, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_E_INTEL);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  db_bind_int(st, 2, limit);
  return store_rows_json(st, entity_intel_row, out);
}

/* One link of an entity (Q_E_LINKS) as an object. */
static void entity_link_row(struct db_stmt *st, json_t *o) {
  json_set_col(o, "intelligence_id", st, 0);
  json_set_col(o, "from", st, 1);
  json_set_col(o, "to", st, 2);
  json_set_col(o, "relation", st, 3);
}

/* The links with entity ID at either end, newest first, at most LIMIT: [{"intelligence_id","from","to","relation"}]. */
int store_entity_links(struct db *db, const char *id, int limit, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_E_LINKS);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  db_bind_int(st, 2, limit);
  return store_rows_json(st, entity_link_row, out);
}

/* ---- children as link ends ---- */

/*
** Whether child ID exists: DB_ROW with MERGED_INTO set to the record it was
** merged into ("" when it was not), or DB_DONE.
*/
int store_intel_child(struct db *db, const char *id, char merged_into[ID_MAX]) {
  merged_into[0] = '\0';
  struct db_stmt *st = db_prepare(db, &Q_C_MERGED);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  int rc = db_step(st);
  if (rc == DB_ROW && !db_null(st, 0)) snprintf(merged_into, ID_MAX, "%s", db_text(st, 0));
  db_reset(st);
  return rc;
}

/*
** The record kept for child ID: ID itself, or the record it was merged into
** (followed through later merges).  DB_ROW with KEPT, or DB_DONE when ID is
** no child.
*/
int store_intel_kept(struct db *db, const char *id, char kept[ID_MAX]) {
  char cur[ID_MAX], next[ID_MAX];
  snprintf(cur, sizeof cur, "%s", id);
  int rc = store_intel_child(db, cur, next);
  for (int hop = 0; rc == DB_ROW && next[0] && hop < MERGE_HOPS; hop++) {
    snprintf(cur, sizeof cur, "%s", next);
    rc = store_intel_child(db, cur, next);
  }
  if (rc == DB_ROW) snprintf(kept, ID_MAX, "%s", cur);
  return rc;
}

/* ---- intelligence ---- */

/* Records intelligence item IT (its links follow with store_intel_link_insert). */
int store_intel_insert(struct db *db, const struct intel_row *it) {
  struct db_stmt *st = db_prepare(db, &Q_I_INSERT);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, it->id);
  db_bind_text(st, 2, it->summary);
  db_bind_text(st, 3, it->grading);
  db_bind_text(st, 4, it->source_evaluation);
  db_bind_text(st, 5, it->intelligence_assessment);
  db_bind_text(st, 6, it->handling_code);
  bind_opt(st, 7, it->handling_conditions);
  if (it->has_occurred_at) db_bind_int(st, 8, it->occurred_at);
  else db_bind_text(st, 8, NULL);
  db_bind_int(st, 9, it->recorded_at);
  db_bind_text(st, 10, it->recorded_by);
  bind_opt(st, 11, it->agency_id);
  return db_run(st);
}

/* Records link POSITION (0-based, the order given) of item INTELLIGENCE_ID: FROM_ID RELATION TO_ID. */
int store_intel_link_insert(struct db *db, const char *intelligence_id, int position, const char *from_id,
                            const char *to_id, const char *relation, int64_t recorded_at) {
  struct db_stmt *st = db_prepare(db, &Q_L_INSERT);
  if (!st) return DB_ERROR;
  char id[ID_MAX];
  ids_new("lk", id, sizeof id);
  db_bind_text(st, 1, id);
  db_bind_text(st, 2, intelligence_id);
  db_bind_int(st, 3, position);
  db_bind_text(st, 4, from_id);
  db_bind_text(st, 5, to_id);
  db_bind_text(st, 6, relation);
  db_bind_int(st, 7, recorded_at);
  return db_run(st);
}

/* One item (I_COLS) as JSON, with an empty list of links. */
static json_t *intel_row_json(struct db_stmt *st) {
  json_t *o = json_object();
  json_set_col(o, "id", st, 0);
  json_set_col(o, "summary", st, 1);
  json_set_col(o, "grading", st, 2);
  json_set_col(o, "source_evaluation", st, 3);
  json_set_col(o, "intelligence_assessment", st, 4);
  json_set_col(o, "handling_code", st, 5);
  json_set_col(o, "handling_conditions", st, 6);
  json_object_set_new(o, "occurred_at", iso_col(st, 7));
  json_object_set_new(o, "recorded_at", iso_col(st, 8));
  json_set_col(o, "recorded_by", st, 9);
  json_set_col(o, "agency", st, 10);
  json_object_set_new(o, "links", json_array());
  return o;
}

/* Fills the "links" list of ITEM ([{"from","to","relation"}], in the order recorded). */
static int item_links(struct db *db, json_t *item) {
  struct db_stmt *st = db_prepare(db, &Q_I_LINKS);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, json_string_value(json_object_get(item, "id")));
  json_t *links = json_object_get(item, "links");
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    json_t *l = json_object();
    json_set_col(l, "from", st, 0);
    json_set_col(l, "to", st, 1);
    json_set_col(l, "relation", st, 2);
    json_array_append_new(links, l);
  }
  return finish(st, rc);
}

/*
** Item ID with its links: DB_ROW with *OUT ({"id","summary","grading",
** "source_evaluation","intelligence_assessment","handling_code",
** "handling_conditions","occurred_at","recorded_at","recorded_by","agency",
** "links":[{"from","to","relation"}]}, new reference), or DB_DONE.
*/
int store_intel_get(struct db *db, const char *id, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_I_GET);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  int rc = db_step(st);
  json_t *item = rc == DB_ROW ? intel_row_json(st) : NULL;
  db_reset(st);
  if (rc != DB_ROW) return rc;
  rc = item_links(db, item);
  if (rc != DB_OK) {
    json_decref(item);
    return rc;
  }
  *out = item;
  return DB_ROW;
}

/*
** Items newest first, at most LIMIT, each as store_intel_get gives it: every
** item, or (ABOUT not NULL) those linking record ABOUT or a child merged
** into it.  A new array in *OUT.
*/
int store_intel_list(struct db *db, const char *about, int limit, json_t **out) {
  struct db_stmt *st = db_prepare(db, about ? &Q_I_ABOUT : &Q_I_LIST);
  if (!st) return DB_ERROR;
  if (about) {
    db_bind_text(st, 1, about);
    db_bind_int(st, 2, limit);
  } else {
    db_bind_int(st, 1, limit);
  }
  json_t *items = json_array();
  int rc;
  while ((rc = db_step(st)) == DB_ROW) json_array_append_new(items, intel_row_json(st));
  rc = finish(st, rc);
  size_t i;
  json_t *item;
  json_array_foreach(items, i, item) {
    if (rc != DB_OK) break;
    rc = item_links(db, item);
  }
  if (rc != DB_OK) {
    json_decref(items);
    return rc;
  }
  *out = items;
  return DB_OK;
}

/* ---- the network ---- */

/* The record kept for ID under MERGES (merged id -> the id it was merged into); ID itself when not merged. */
static const char *kept_of(json_t *merges, const char *id) {
  for (int hop = 0; hop < MERGE_HOPS; hop++) {
    const char *next = json_string_value(json_object_get(merges, id));
    if (!next) break;
    id = next;
  }
  return id;
}

/*
** Calls EACH with every link of every item, oldest first (then by item and
** position), each end a child merged into another given as the record kept.
** Returns DB_OK or an error.
*/
int store_intel_links_each(struct db *db, void (*each)(void *ctx, const struct intel_link_row *l), void *ctx) {
  struct db_stmt *st = db_prepare(db, &Q_MERGES);
  if (!st) return DB_ERROR;
  json_t *merges = json_object();
  int rc;
  while ((rc = db_step(st)) == DB_ROW) json_object_set_new(merges, db_text(st, 0), json_string(db_text(st, 1)));
  rc = finish(st, rc);
  if (rc == DB_OK) {
    st = db_prepare(db, &Q_ALL_LINKS);
    if (!st) rc = DB_ERROR;
  }
  if (rc == DB_OK) {
    while ((rc = db_step(st)) == DB_ROW) {
      struct intel_link_row l = {kept_of(merges, db_text(st, 0)), kept_of(merges, db_text(st, 1)), db_text(st, 2),
                                 db_text(st, 3), db_null(st, 4) ? NULL : db_text(st, 4)};
      each(ctx, &l);
    }
    rc = finish(st, rc);
  }
  json_decref(merges);
  return rc;
}

/* A loader of the links near some records (see store_intel_near_open). */
struct intel_near {
  struct db *db;
  json_t *merges; /* merged id -> the id it was merged into */
  json_t *merged; /* kept id -> [ids merged straight into it] */
  json_t *given;  /* link id -> true, for the links already given */
};

/*
** Opens a loader of the links near given records, for the network around
** one record without reading every link: it reads which children were
** merged into which once, and gives each link at most once however often it
** is asked for.  Returns DB_OK with *OUT (close with store_intel_near_close).
*/
int store_intel_near_open(struct db *db, struct intel_near **out) {
  *out = NULL;
  struct db_stmt *st = db_prepare(db, &Q_MERGES);
  if (!st) return DB_ERROR;
  struct intel_near *nl = xcalloc(1, sizeof *nl);
  nl->db = db;
  nl->merges = json_object();
  nl->merged = json_object();
  nl->given = json_object();
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    const char *id = db_text(st, 0), *into = db_text(st, 1);
    json_object_set_new(nl->merges, id, json_string(into));
    json_t *list = json_object_get(nl->merged, into);
    if (!list) json_object_set_new(nl->merged, into, list = json_array());
    json_array_append_new(list, json_string(id));
  }
  rc = finish(st, rc);
  if (rc != DB_OK) {
    store_intel_near_close(nl);
    return rc;
  }
  *out = nl;
  return DB_OK;
}

void store_intel_near_close(struct intel_near *nl) {
  if (!nl) return;
  json_decref(nl->merges);
  json_decref(nl->merged);
  json_decref(nl->given);
  free(nl);
}

/* Adds ID and every id merged into it, however many merges back, to the array IDS (MERGE_HOPS deep at most). */
static void with_merged(struct intel_near *nl, const char *id, json_t *ids, int hops) {
  json_array_append_new(ids, json_string(id));
  if (hops >= MERGE_HOPS) return;
  size_t i;
  json_t *m;
  json_array_foreach(json_object_get(nl->merged, id), i, m) with_merged(nl, json_string_value(m), ids, hops + 1);
}

/*
** Calls EACH once for every link naming any of the records IDS[0..N) (or a
** child merged into one of them) that this loader has not given before,
** oldest first within each batch of ids, each end a merged child given as the
** record kept (as store_intel_links_each does).  Returns DB_OK or an error.
*/
int store_intel_near_links(struct intel_near *nl, const char *const *ids, int n,
                           void (*each)(void *ctx, const struct intel_link_row *l), void *ctx) {
  json_t *all = json_array();
  for (int i = 0; i < n; i++) with_merged(nl, ids[i], all, 0);
  int rc = DB_OK;
  size_t total = json_array_size(all);
  for (size_t start = 0; start < total && rc == DB_OK; start += LABEL_BATCH) {
    struct db_stmt *st = db_prepare(nl->db, &Q_NEAR_LINKS);
    if (!st) {
      rc = DB_ERROR;
      break;
    }
    for (size_t k = 0; k < LABEL_BATCH; k++) {
      db_bind_text(st, (int)k + 1, start + k < total ? json_string_value(json_array_get(all, start + k)) : NULL);
    }
    while ((rc = db_step(st)) == DB_ROW) {
      const char *link_id = db_text(st, 0);
      if (json_object_get(nl->given, link_id)) continue;
      json_object_set_new(nl->given, link_id, json_true());
      struct intel_link_row l = {kept_of(nl->merges, db_text(st, 1)), kept_of(nl->merges, db_text(st, 2)),
                                 db_text(st, 3), db_text(st, 4), db_null(st, 5) ? NULL : db_text(st, 5)};
      each(ctx, &l);
    }
    rc = finish(st, rc);
  }
  json_decref(all);
  return rc;
}

/* Runs one batch of label query Q over IDS[0..N) (N <= LABEL_BATCH), calling EACH per row found. */
static int label_batch(struct db *db, bool child, const char *const *ids, int n,
                       void (*each)(void *ctx, const struct intel_node_row *row), void *ctx) {
  struct db_stmt *st = db_prepare(db, child ? &Q_C_LABELS : &Q_E_LABELS);
  if (!st) return DB_ERROR;
  for (int i = 0; i < LABEL_BATCH; i++) db_bind_text(st, i + 1, i < n ? ids[i] : NULL);
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    struct intel_node_row row = {db_text(st, 0), child, "child", NULL, NULL};
    char name[400];
    if (child) {
      snprintf(name, sizeof name, "%s %s", db_text(st, 1) ? db_text(st, 1) : "", db_text(st, 2) ? db_text(st, 2) : "");
      row.label = name;
    } else {
      row.type = db_text(st, 1);
      row.label = db_text(st, 2);
      row.location_kind = db_null(st, 3) ? NULL : db_text(st, 3);
    }
    each(ctx, &row);
  }
  return finish(st, rc);
}

/*
** Calls EACH with the label of every node of IDS[0..N) that exists: an
** entity's type, label and (places) kind, or a child's full name.  Ids of
** neither are skipped.  Entities first, then children; no order within.
*/
int store_intel_node_labels(struct db *db, const char *const *ids, int n,
                            void (*each)(void *ctx, const struct intel_node_row *row), void *ctx) {
  const char **batch = xcalloc(LABEL_BATCH, sizeof *batch);
  int rc = DB_OK;
  for (int pass = 0; pass < 2 && rc == DB_OK; pass++) {
    bool child = pass == 1;
    int k = 0;
    /* Every id is looked for in both tables: an id's shape says nothing certain about what it names. */
    for (int i = 0; i < n && rc == DB_OK; i++) {
      batch[k++] = ids[i];
      if (k == LABEL_BATCH) {
        rc = label_batch(db, child, batch, k, each, ctx);
        k = 0;
      }
    }
    if (rc == DB_OK && k > 0) rc = label_batch(db, child, batch, k, each, ctx);
  }
  free(batch);
  return rc;
}
