/*
** Child record operations (see store.h).  The record is carried as the
** validated JSON object of the API; this file maps it to columns and keeps
** the child_search keys in step with it.
*/
#include <assert.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "core/child.h"
#include "store/store.h"
#include "store/store_util.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define CHILD_COLS                                                                             \
  "id, first_name, last_name, aliases, date_of_birth, gender, ethnicity, address, postcode, "   \
  "nhs_number, school, looked_after, placement, created_at, created_by, updated_at, version"

DB_QUERY(Q_INSERT, "INSERT INTO children (" CHILD_COLS ", keys_scheme) VALUES "
                   "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $14, 1, $16)");
DB_QUERY(Q_GET, "SELECT " CHILD_COLS ", merged_into FROM children WHERE id = $1");
DB_QUERY(Q_UPDATE, "UPDATE children SET first_name = $2, last_name = $3, aliases = $4, "
                   "date_of_birth = $5, gender = $6, ethnicity = $7, address = $8, postcode = $9, "
                   "nhs_number = $10, school = $11, looked_after = $12, placement = $13, "
                   "updated_at = $14, version = version + 1, keys_scheme = $16 WHERE id = $1 AND version = $15");
DB_QUERY(Q_KEYS_DELETE, "DELETE FROM child_search WHERE child_id = $1");
DB_QUERY(Q_KEY_INSERT, "INSERT INTO child_search (child_id, kind, key) VALUES ($1, $2, $3) "
                       "ON CONFLICT DO NOTHING");
/*
** (A parameter first seen in "IS NULL" has no type PostgreSQL can infer,
** hence the CASTs.)
** A search: the first term drives (kind, key range), up to four more must
** also hold for the same child, and $16 (when not null) keeps only children
** that agency is involved with.  Terms are intersected here, in one query,
** so that no term's candidates are cut short before the others are applied.
*/
#define TERM_EXISTS(k, lo, hi)                                                                   \
  " AND (CAST(" k " AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM child_search s WHERE s.child_id = d.child_id"   \
  " AND s.kind = " k " AND s.key >= " lo " AND s.key < " hi "))"
DB_QUERY(Q_SEARCH, "SELECT DISTINCT d.child_id FROM child_search d WHERE d.kind = $1 AND d.key >= $2 AND d.key < $3"
                   TERM_EXISTS("$4", "$5", "$6") TERM_EXISTS("$7", "$8", "$9")
                   TERM_EXISTS("$10", "$11", "$12") TERM_EXISTS("$13", "$14", "$15")
                   " AND (CAST($16 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM child_involvement i"
                   " WHERE i.child_id = d.child_id AND i.agency_id = $16)) LIMIT $17");
DB_QUERY(Q_INVOLVED, "SELECT 1 FROM child_involvement WHERE child_id = $1 AND agency_id = $2");
DB_QUERY(Q_INVOLVE, "INSERT INTO child_involvement (child_id, agency_id, reason, since) "
                    "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING");
DB_QUERY(Q_COUNT, "SELECT COUNT(*) FROM children");

static const char *str(json_t *o, const char *k) {
  json_t *v = json_object_get(o, k);
  return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Binds the record's fields to parameters 2..13 of an insert or update. */
static void bind_fields(struct db_stmt *st, json_t *c) {
  json_t *al = json_object_get(c, "aliases");
  char *aliases = json_is_array(al) ? json_dumps(al, JSON_COMPACT) : NULL;
  json_t *pl = json_object_get(c, "placement");
  char *placement = json_is_object(pl) ? json_dumps(pl, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  db_bind_text(st, 2, str(c, "first_name"));
  db_bind_text(st, 3, str(c, "last_name"));
  db_bind_text(st, 4, aliases ? aliases : "[]");
  db_bind_text(st, 5, str(c, "date_of_birth"));
  db_bind_text(st, 6, str(c, "gender") ? str(c, "gender") : "not_known");
  db_bind_text(st, 7, str(c, "ethnicity"));
  db_bind_text(st, 8, str(c, "address"));
  db_bind_text(st, 9, str(c, "postcode"));
  db_bind_text(st, 10, str(c, "nhs_number"));
  db_bind_text(st, 11, str(c, "school"));
  db_bind_bool(st, 12, json_is_true(json_object_get(c, "looked_after")));
  db_bind_text(st, 13, placement);
  free(aliases);
  free(placement);
}

static int write_keys(struct db *db, const char *id, json_t *child) {
  struct search_key keys[64];
  int n = child_search_keys(child, keys, 64);
  struct db_stmt *st = db_prepare(db, &Q_KEYS_DELETE);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  int rc = db_run(st);
  if (rc != DB_OK) return rc;
  st = db_prepare(db, &Q_KEY_INSERT);
  if (!st) return DB_ERROR;
  for (int i = 0; i < n; i++) {
    db_bind_text(st, 1, id);
    db_bind_text(st, 2, keys[i].kind);
    db_bind_text(st, 3, keys[i].key);
    rc = db_run(st);
    if (rc != DB_OK) return rc;
  }
  return DB_OK;
}

/* Inserts a validated child under ID with its search keys.  Call inside a write transaction. */
int store_child_insert(struct db *db, const char *id, json_t *child, const char *created_by, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_INSERT);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  bind_fields(st, child);
  db_bind_int(st, 14, now);
  db_bind_text(st, 15, created_by);
  db_bind_int(st, 16, CHILD_KEYS_SCHEME);
  int rc = db_run(st);
  if (rc != DB_OK) return rc;
  return write_keys(db, id, child);
}

/*
** The record's fields in the API's order, with the Q_GET column each comes
** from.  Both readers below follow this one table, so the object and the
** text forms of a record cannot drift apart.
*/
enum field_kind {
  CF_TEXT,          /* a string, or null */
  CF_TEXT_IF_SET,   /* a string, left out when null (merged_into) */
  CF_JSON_ARRAY,    /* JSON text of an array; [] if anything else */
  CF_JSON,          /* JSON text of an object, or null */
  CF_BOOL,
  CF_TIME,          /* epoch seconds, shown as ISO 8601 */
  CF_INT,
};
static const struct child_field {
  const char *name;
  int col;
  enum field_kind kind;
} CHILD_FIELDS[] = {
    {"id", 0, CF_TEXT},           {"first_name", 1, CF_TEXT},    {"last_name", 2, CF_TEXT},
    {"aliases", 3, CF_JSON_ARRAY}, {"date_of_birth", 4, CF_TEXT}, {"gender", 5, CF_TEXT},
    {"ethnicity", 6, CF_TEXT},    {"address", 7, CF_TEXT},       {"postcode", 8, CF_TEXT},
    {"nhs_number", 9, CF_TEXT},   {"school", 10, CF_TEXT},       {"looked_after", 11, CF_BOOL},
    {"placement", 12, CF_JSON},   {"created_at", 13, CF_TIME},   {"updated_at", 15, CF_TIME},
    {"version", 16, CF_INT},      {"merged_into", 17, CF_TEXT_IF_SET},
};

/* Parses a stored JSON column as the record shows it (new reference). */
static json_t *stored_json(const char *text, enum field_kind kind) {
  json_t *v = text ? json_loads(text, 0, NULL) : NULL;
  if (kind == CF_JSON_ARRAY && !json_is_array(v)) {
    json_decref(v);
    return json_array();
  }
  return v ? v : json_null();
}

/* The value of field F in the current row of ST (new reference). */
static json_t *field_value(struct db_stmt *st, const struct child_field *f) {
  const char *t = db_text(st, f->col);
  char at[ISO_TIME_LEN];
  switch (f->kind) {
  case CF_TEXT:
  case CF_TEXT_IF_SET:
    return t ? json_string(t) : json_null();
  case CF_JSON_ARRAY:
  case CF_JSON:
    return stored_json(t, f->kind);
  case CF_BOOL:
    return json_boolean(db_int(st, f->col));
  case CF_TIME:
    time_format_iso(db_int(st, f->col), at);
    return json_string(at);
  case CF_INT:
    return json_integer(db_int(st, f->col));
  }
  assert(0);
  return json_null();
}

/*
** Reads child ID.  DB_ROW with *OUT set to the API's object (the caller owns
** it), DB_DONE when there is no such child, or an error.
*/
int store_child_get(struct db *db, const char *id, json_t **out) {
  struct db_stmt *st = db_prepare(db, &Q_GET);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    json_t *o = json_object();
    for (size_t i = 0; i < sizeof CHILD_FIELDS / sizeof *CHILD_FIELDS; i++) {
      const struct child_field *f = &CHILD_FIELDS[i];
      /* A record merged into another says where it went (and nothing else changes in its shape). */
      if (f->kind == CF_TEXT_IF_SET && db_null(st, f->col)) continue;
      json_object_set_new(o, f->name, field_value(st, f));
    }
    *out = o;
  }
  db_reset(st);
  return rc;
}

static int append_json(const char *text, size_t len, void *out) {
  buf_append(out, text, len);
  return 0;
}

/*
** Reads child ID as the compact JSON text of the object store_child_get
** gives, byte for byte, appended to OUT: the record read on every fetch is
** written without building the object first.  DB_ROW, DB_DONE (OUT
** untouched) or an error.
*/
int store_child_get_text(struct db *db, const char *id, struct buf *out) {
  struct db_stmt *st = db_prepare(db, &Q_GET);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    buf_putc(out, '{');
    bool first = true;
    for (size_t i = 0; i < sizeof CHILD_FIELDS / sizeof *CHILD_FIELDS; i++) {
      const struct child_field *f = &CHILD_FIELDS[i];
      const char *t = db_text(st, f->col);
      if (f->kind == CF_TEXT_IF_SET && !t) continue;
      if (!first) buf_putc(out, ',');
      first = false;
      buf_json_string(out, f->name);
      buf_putc(out, ':');
      char at[ISO_TIME_LEN];
      switch (f->kind) {
      case CF_TEXT:
      case CF_TEXT_IF_SET:
        if (t) buf_json_string(out, t);
        else buf_puts(out, "null");
        break;
      case CF_JSON_ARRAY:
      case CF_JSON:
        if (f->kind == CF_JSON_ARRAY && t && strcmp(t, "[]") == 0) {
          buf_puts(out, "[]"); /* nearly every child: no parse needed */
        } else {
          json_t *v = stored_json(t, f->kind);
          json_dump_callback(v, append_json, out, JSON_COMPACT | JSON_ENCODE_ANY);
          json_decref(v);
        }
        break;
      case CF_BOOL:
        buf_puts(out, db_int(st, f->col) ? "true" : "false");
        break;
      case CF_TIME:
        time_format_iso(db_int(st, f->col), at);
        buf_json_string(out, at);
        break;
      case CF_INT:
        buf_printf(out, "%" PRId64, db_int(st, f->col));
        break;
      }
    }
    buf_putc(out, '}');
  }
  db_reset(st);
  return rc;
}

/*
** Writes the whole validated record over child ID if its version is still
** EXPECTED_VERSION.  DB_OK, DB_DONE when the version moved on (a conflict),
** or an error.  Call inside a write transaction.
*/
int store_child_update(struct db *db, const char *id, json_t *child, int expected_version, int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_UPDATE);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, id);
  bind_fields(st, child);
  db_bind_int(st, 14, now);
  db_bind_int(st, 15, expected_version);
  db_bind_int(st, 16, CHILD_KEYS_SCHEME);
  int rc = db_step(st);
  int64_t n = db_changes(st);
  db_reset(st);
  if (rc < 0) return rc;
  if (n != 1) return DB_DONE;
  return write_keys(db, id, child);
}

void store_free_ids(char **ids, int n) {
  if (!ids) return;
  for (int i = 0; i < n; i++) free(ids[i]);
  free(ids);
}

/*
** Ids of children matching every one of TERMS (1 to STORE_SEARCH_TERMS;
** the first should be the most selective, as it drives the query), only
** those AGENCY_ID is involved with when AGENCY_ID is not NULL, at most LIMIT,
** in no particular order.  New array *IDS of *N strings; free with
** store_free_ids.
*/
int store_child_search(struct db *db, const struct search_term *terms, int nterms, const char *agency_id,
                       int limit, char ***ids, int *n) {
  if (nterms < 1 || nterms > STORE_SEARCH_TERMS) return DB_ERROR;
  struct db_stmt *st = db_prepare(db, &Q_SEARCH);
  if (!st) return DB_ERROR;
  for (int i = 0; i < STORE_SEARCH_TERMS; i++) {
    if (i < nterms) {
      db_bind_text(st, 3 * i + 1, terms[i].kind);
      db_bind_text(st, 3 * i + 2, terms[i].lo);
      db_bind_text(st, 3 * i + 3, terms[i].hi);
    } else {
      db_bind_text(st, 3 * i + 1, NULL);
      db_bind_text(st, 3 * i + 2, NULL);
      db_bind_text(st, 3 * i + 3, NULL);
    }
  }
  db_bind_text(st, 16, agency_id);
  db_bind_int(st, 17, limit);
  char **out = xcalloc((size_t)limit + 1, sizeof *out);
  int count = 0, rc;
  while ((rc = db_step(st)) == DB_ROW && count < limit) out[count++] = db_text_dup(st, 0);
  db_reset(st);
  if (rc < 0) {
    store_free_ids(out, count);
    return rc;
  }
  *ids = out;
  *n = count;
  return DB_OK;
}

/*
** Children having any of up to STORE_CANDIDATE_KEYS exact keys, ranked by
** the summed weights of the keys each has (ties by id), at most LIMIT, with
** the details record linkage compares.  Every key is read in full, so a
** common key cannot crowd out the child who has several.
*/
DB_QUERY(Q_CANDIDATES,
         "WITH c AS (SELECT child_id, SUM(CASE WHEN kind = $1 AND key = $2 THEN $17 WHEN kind = $3 AND key = $4 THEN $18 "
         "WHEN kind = $5 AND key = $6 THEN $19 WHEN kind = $7 AND key = $8 THEN $20 "
         "WHEN kind = $9 AND key = $10 THEN $21 WHEN kind = $11 AND key = $12 THEN $22 "
         "WHEN kind = $13 AND key = $14 THEN $23 WHEN kind = $15 AND key = $16 THEN $24 ELSE 0 END) AS score "
         "FROM child_search WHERE (kind = $1 AND key = $2) OR (kind = $3 AND key = $4) OR (kind = $5 AND key = $6) "
         "OR (kind = $7 AND key = $8) OR (kind = $9 AND key = $10) OR (kind = $11 AND key = $12) "
         "OR (kind = $13 AND key = $14) OR (kind = $15 AND key = $16) "
         "GROUP BY child_id ORDER BY score DESC, child_id LIMIT $25) "
         "SELECT ch.id, ch.first_name, ch.last_name, ch.date_of_birth, ch.gender, ch.address, ch.postcode, "
         "ch.nhs_number, ch.merged_into, c.score FROM c JOIN children ch ON ch.id = c.child_id "
         "ORDER BY c.score DESC, ch.id");

/*
** Calls EACH, best first, with the children having any of KEYS (N of them;
** beyond STORE_CANDIDATE_KEYS they are ignored) ranked by the sum of the
** WEIGHTS of the keys they have: COLS holds id, first_name, last_name, date_of_birth, gender,
** address, postcode, nhs_number, merged_into (NULL where absent) and the
** summed weight, valid only during the call.  At most LIMIT children.  Returns DB_OK or an error.
*/
int store_child_candidates(struct db *db, const struct search_key *keys, const int *weights, int n, int limit,
                           void (*each)(void *ctx, const char *const cols[10]), void *ctx) {
  struct db_stmt *st = db_prepare(db, &Q_CANDIDATES);
  if (!st) return DB_ERROR;
  for (int i = 0; i < STORE_CANDIDATE_KEYS; i++) {
    db_bind_text(st, 2 * i + 1, i < n ? keys[i].kind : NULL);
    db_bind_text(st, 2 * i + 2, i < n ? keys[i].key : NULL);
    db_bind_int(st, 17 + i, i < n ? weights[i] : 0);
  }
  db_bind_int(st, 25, limit);
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    const char *cols[10];
    for (int c = 0; c < 10; c++) cols[c] = db_null(st, c) ? NULL : db_text(st, c);
    each(ctx, cols);
  }
  db_reset(st);
  return rc == DB_DONE ? DB_OK : rc;
}

/* Sets *YES when AGENCY_ID is involved with CHILD_ID. */
int store_child_involved(struct db *db, const char *child_id, const char *agency_id, bool *yes) {
  struct db_stmt *st = db_prepare(db, &Q_INVOLVED);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, child_id);
  db_bind_text(st, 2, agency_id);
  int rc = db_step(st);
  *yes = rc == DB_ROW;
  db_reset(st);
  return rc < 0 ? rc : DB_OK;
}

/* Records that AGENCY_ID is involved with CHILD_ID (kept if already so). */
int store_child_involve(struct db *db, const char *child_id, const char *agency_id, const char *reason,
                        int64_t now) {
  struct db_stmt *st = db_prepare(db, &Q_INVOLVE);
  if (!st) return DB_ERROR;
  db_bind_text(st, 1, child_id);
  db_bind_text(st, 2, agency_id);
  db_bind_text(st, 3, reason);
  db_bind_int(st, 4, now);
  return db_run(st);
}

int store_child_count(struct db *db, int64_t *n) {
  struct db_stmt *st = db_prepare(db, &Q_COUNT);
  if (!st) return DB_ERROR;
  int rc = db_step(st);
  if (rc == DB_ROW) *n = db_int(st, 0);
  db_reset(st);
  return rc == DB_ROW ? DB_OK : rc;
}

DB_QUERY(Q_STALE_COUNT, "SELECT COUNT(*) FROM children WHERE (keys_scheme < $1 OR keys_scheme > $1) "
                        "AND merged_into IS NULL");
DB_QUERY(Q_STALE_IDS, "SELECT id FROM children WHERE (keys_scheme < $1 OR keys_scheme > $1) "
                      "AND merged_into IS NULL AND id > $2 ORDER BY id LIMIT $3");
DB_QUERY(Q_SET_SCHEME, "UPDATE children SET keys_scheme = $2 WHERE id = $1");

/* Counts into *N the children in search (not merged away) whose keys follow another scheme than SCHEME. */
int store_child_keys_stale(struct db *db, int scheme, int64_t *n) {
  struct db_stmt *st = db_prepare(db, &Q_STALE_COUNT);
  if (!st) return DB_ERROR;
  db_bind_int(st, 1, scheme);
  int rc = db_step(st);
  if (rc == DB_ROW) *n = db_int(st, 0);
  db_reset(st);
  return rc == DB_ROW ? DB_OK : rc;
}

/*
** Rebuilds the search keys of up to LIMIT children whose keys follow another
** scheme than SCHEME (CHILD_KEYS_SCHEME when called for real), taking them in
** id order after AFTER ("" for the start).  The record itself, its version
** and updated_at are untouched.  Sets *N to how many were rebuilt and LAST
** (LASTCAP bytes) to the last id, to pass as AFTER next time; *N is 0 when
** none are left.  Call inside a write transaction.
*/
int store_child_rekey(struct db *db, int scheme, const char *after, int limit, char *last, size_t lastcap, int *n) {
  assert(limit > 0 && lastcap > 0);
  *n = 0;
  char **ids = NULL;
  int nids = 0, cap = 0;
  struct db_stmt *st = db_prepare(db, &Q_STALE_IDS);
  if (!st) return DB_ERROR;
  db_bind_int(st, 1, scheme);
  db_bind_text(st, 2, after);
  db_bind_int(st, 3, limit);
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    if (nids == cap) {
      cap = cap ? cap * 2 : 64;
      ids = xrealloc(ids, (size_t)cap * sizeof *ids);
    }
    ids[nids++] = xstrdup(db_text(st, 0));
  }
  db_reset(st);
  rc = rc == DB_DONE ? DB_OK : rc;
  for (int i = 0; i < nids && rc == DB_OK; i++) {
    json_t *child = NULL;
    rc = store_child_get(db, ids[i], &child);
    if (rc == DB_ROW) rc = write_keys(db, ids[i], child);
    else if (rc == DB_DONE) rc = DB_ERROR; /* listed a moment ago inside this transaction */
    json_decref(child);
    if (rc != DB_OK) break;
    st = db_prepare(db, &Q_SET_SCHEME);
    if (!st) {
      rc = DB_ERROR;
      break;
    }
    db_bind_text(st, 1, ids[i]);
    db_bind_int(st, 2, scheme);
    rc = db_run(st);
    if (rc == DB_OK) {
      snprintf(last, lastcap, "%s", ids[i]);
      (*n)++;
    }
  }
  store_free_ids(ids, nids);
  return rc;
}
