/*
** Identity resolution inside Safehub (see matching.h).
**
** Finding candidates: the person's blocking keys (child_match_keys: surname
** sound and birth year, first-name sound and postcode district, both name
** sounds) and exact keys (date of birth, NHS number) are looked up in
** child_search, the union of children found is scored with the model, and
** the best are explained field by field.  Children the user may not see are
** counted, never described.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/child.h"
#include "core/match/record.h"
#include "core/validate.h"
#include "http/app.h"
#include "service/casework.h"
#include "service/matching.h"
#include "service/service.h"
#include "store/merge.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/embedded.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

/* Children scored per person: those sharing the most blocking keys with them. */
#define MAX_CANDIDATES 120
/* A selective-key weight that settles the candidates: both name sounds (3) and the date of birth (4). */
#define STRONG_SELECTIVE 7
#define MAX_SHOWN 50

/*
** Loads the linkage model: match_model_file when set, else the shipped
** config/linkage_model.json.  Returns the model (free with
** match_model_free) or NULL with ERR.
*/
struct match_model *svc_match_model_load(const struct config *cfg, char *err, size_t errlen) {
  char why[300];
  struct match_model *m = NULL;
  if (cfg->match_model_file && cfg->match_model_file[0]) {
    FILE *f = fopen(cfg->match_model_file, "rb");
    if (!f) {
      snprintf(err, errlen, "%s: cannot be read", cfg->match_model_file);
      return NULL;
    }
    struct buf b = BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_append(&b, chunk, n);
    fclose(f);
    m = match_model_from_json(buf_cstr(&b), b.len, why, sizeof why);
    buf_free(&b);
    if (!m) snprintf(err, errlen, "%s: %s", cfg->match_model_file, why);
    return m;
  }
  const struct embedded_file *e = embedded_find("linkage_model.json");
  if (!e) {
    snprintf(err, errlen, "the shipped linkage model is missing from this build");
    return NULL;
  }
  m = match_model_from_json(e->data, e->len, why, sizeof why);
  if (!m) snprintf(err, errlen, "linkage_model.json (shipped): %s", why);
  return m;
}

/* The model in force for this request (loaded at start-up). */
const struct match_model *svc_match_model(struct req *r) { return r->app->match_model; }

static const char *s_of(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

static void input_of(json_t *p, struct match_input *in) {
  memset(in, 0, sizeof *in);
  in->id = s_of(p, "id");
  in->first_name = s_of(p, "first_name");
  in->last_name = s_of(p, "last_name");
  in->date_of_birth = s_of(p, "date_of_birth");
  in->gender = s_of(p, "gender");
  in->address = s_of(p, "address");
  in->postcode = s_of(p, "postcode");
  in->phone = s_of(p, "phone");
  in->nhs_number = s_of(p, "nhs_number");
}

/*
** Candidate children as read for scoring: each one's columns (see
** store_child_candidates) copied into one growing arena of strings.
** Children merged into another, and EXCLUDE, are left out.
*/
struct cand_rows {
  struct buf text;  /* NUL-terminated fields, one after another */
  size_t (*off)[8]; /* per child, each field's offset in TEXT, or SIZE_MAX for none */
  size_t n, cap;
  const char *exclude;
  long best;        /* the highest summed key weight seen */
};

static void add_candidate(void *ctx, const char *const cols[10]) {
  struct cand_rows *c = ctx;
  long score = cols[9] ? strtol(cols[9], NULL, 10) : 0;
  if (score > c->best) c->best = score;
  if (cols[8] || (c->exclude && !strcmp(cols[0], c->exclude))) return;
  if (c->n == c->cap) {
    c->cap = c->cap ? 2 * c->cap : 64;
    c->off = xrealloc(c->off, c->cap * sizeof *c->off);
  }
  for (int f = 0; f < 8; f++) {
    if (!cols[f]) {
      c->off[c->n][f] = SIZE_MAX;
      continue;
    }
    c->off[c->n][f] = c->text.len;
    buf_append(&c->text, cols[f], strlen(cols[f]) + 1);
  }
  c->n++;
}

/* Field F (0 id ... 7 nhs_number) of candidate I, or NULL. */
static const char *cand_field(const struct cand_rows *c, size_t i, int f) {
  return c->off[i][f] == SIZE_MAX ? NULL : c->text.data + c->off[i][f];
}

static void cand_rows_free(struct cand_rows *c) {
  buf_free(&c->text);
  free(c->off);
}

/* A search key of KIND and KEY. */
static struct search_key key_of(const char *kind, const char *key) {
  struct search_key k;
  memset(&k, 0, sizeof k);
  snprintf(k.kind, sizeof k.kind, "%s", kind);
  snprintf(k.key, sizeof k.key, "%s", key);
  return k;
}

static json_t *summary(json_t *child) {
  static const char *const keep[] = {"id", "first_name", "last_name", "aliases", "date_of_birth", "gender",
                                     "postcode", "nhs_number", NULL};
  json_t *s = json_object();
  for (const char *const *k = keep; *k; k++) json_object_set(s, *k, json_object_get(child, *k));
  return s;
}

/*
** Scores PERSON (a JSON object with the contract's person fields) against the
** children recorded.  At most LIMIT candidates with probability at least
** MIN_PROBABILITY, best first, leaving out EXCLUDE_ID (may be NULL).  When
** the request's principal is an operator or the system (AUTH_SYSTEM) every
** child is considered and nothing is audited; otherwise children the user may
** not see are counted in OUT->restricted and each shown child is audited.
*/
int svc_people_match_json(struct req *r, json_t *person, int limit, double min_probability, const char *exclude_id,
                          struct people_match *out) {
  memset(out, 0, sizeof *out);
  out->candidates = json_array();
  const struct match_model *model = svc_match_model(r);
  struct db *db = req_db(r);
  if (!model || !db) return SVC_ERROR;
  const struct match_names *names = match_names_default();
  struct match_input in;
  input_of(person, &in);
  struct match_record incoming;
  unsigned warnings = 0;
  char why[200];
  if (match_prepare(names, &in, &incoming, &warnings, why, sizeof why) != 0) return SVC_INVALID;
  match_tf_apply(&model->tf, &incoming, 1);

  /* Candidates: children sharing blocking keys with the person, ranked by the weight of the keys they share.
  ** Dates are keyed as stored (YYYY-MM-DD) whatever way they were written, and with day and month swapped too. */
  char dob[16] = "", swapped[16] = "";
  int32_t ymd = 0;
  if (in.date_of_birth && match_parse_date(in.date_of_birth, &ymd) == 0) {
    /* match_parse_date gives years 1880 to 2100 and real months and days only. */
    unsigned y = (unsigned)ymd / 10000 % 10000, m = (unsigned)ymd / 100 % 100, d = (unsigned)ymd % 100;
    snprintf(dob, sizeof dob, "%04u-%02u-%02u", y, m, d);
    int32_t alt;
    char text[16];
    snprintf(text, sizeof text, "%04u-%02u-%02u", y, d, m);
    if (d != m && match_parse_date(text, &alt) == 0) snprintf(swapped, sizeof swapped, "%s", text);
  }
  /* Each key weighs what sharing it says: an NHS number most, then the date of birth, then the date with day and
  ** month swapped or both name sounds, then the rest. */
  struct search_key keys[STORE_CANDIDATE_KEYS];
  int weights[STORE_CANDIDATE_KEYS];
  int nk = child_match_keys(in.first_name, in.last_name, dob[0] ? dob : NULL, in.postcode, keys, 0, STORE_CANDIDATE_KEYS);
  for (int i = 0; i < nk; i++) weights[i] = keys[i].kind[0] == 'g' ? 3 : 2;
  char nhs[11], pc[64] = "";
  if (in.postcode) text_fold_key(in.postcode, pc, sizeof pc);
  struct {
    const char *kind, *key;
    int weight;
  } exact[] = {{"h", in.nhs_number && nhs_number_normalise(in.nhs_number, nhs) ? nhs : NULL, 8},
               {"d", dob[0] ? dob : NULL, 4},
               {"p", pc[0] ? pc : NULL, 2},
               {"d", swapped[0] ? swapped : NULL, 3}};
  for (size_t i = 0; i < sizeof exact / sizeof exact[0] && nk < STORE_CANDIDATE_KEYS; i++) {
    if (!exact[i].key) continue;
    weights[nk] = exact[i].weight;
    keys[nk++] = key_of(exact[i].kind, exact[i].key);
  }
  /* First the selective keys alone (NHS number, date of birth as given and swapped, postcode, both name sounds):
  ** when a child shares enough of them (both names and the date of birth, say) the broad keys cannot find a
  ** better one, and reading them would cost most of the time.  Otherwise every key. */
  struct search_key sel[STORE_CANDIDATE_KEYS];
  int selw[STORE_CANDIDATE_KEYS], nsel = 0;
  for (int i = 0; i < nk; i++) {
    bool selective = strchr("hdpg", keys[i].kind[0]) != NULL;
    if (!selective) continue;
    sel[nsel] = keys[i];
    selw[nsel++] = weights[i];
  }
  struct cand_rows rows;
  memset(&rows, 0, sizeof rows);
  rows.exclude = exclude_id;
  int src = nsel > 0 ? store_child_candidates(db, sel, selw, nsel, MAX_CANDIDATES, add_candidate, &rows) : DB_OK;
  if (src == DB_OK && rows.best < STRONG_SELECTIVE && nk > nsel) {
    cand_rows_free(&rows);
    memset(&rows, 0, sizeof rows);
    rows.exclude = exclude_id;
    src = store_child_candidates(db, keys, weights, nk, MAX_CANDIDATES, add_candidate, &rows);
  }
  if (src != DB_OK) {
    cand_rows_free(&rows);
    return SVC_ERROR;
  }
  /* Scored from the columns read; the whole record is read only for those shown. */
  struct match_record *recs = xcalloc(rows.n + 1, sizeof *recs);
  size_t *row_of = xcalloc(rows.n + 1, sizeof *row_of);
  size_t n = 0;
  for (size_t i = 0; i < rows.n; i++) {
    struct match_input ci = {cand_field(&rows, i, 0), cand_field(&rows, i, 1), cand_field(&rows, i, 2),
                             cand_field(&rows, i, 3), cand_field(&rows, i, 4), cand_field(&rows, i, 5),
                             cand_field(&rows, i, 6), NULL,                     cand_field(&rows, i, 7)};
    unsigned w = 0;
    if (match_prepare(names, &ci, &recs[n], &w, why, sizeof why) != 0) continue;
    row_of[n++] = i;
  }
  match_tf_apply(&model->tf, recs, n);
  struct match_ranked *ranked = xcalloc(n + 1, sizeof *ranked);
  size_t nr = match_rank(model, &incoming, recs, n, min_probability, ranked);
  bool system = r->who.kind == AUTH_SYSTEM;
  int shown = 0;
  int rc = SVC_OK;
  for (size_t i = 0; i < nr && rc == SVC_OK; i++) {
    const char *cid = cand_field(&rows, row_of[ranked[i].index], 0);
    bool visible = true;
    if (!system && svc_child_access(r, cid, &visible) != SVC_OK) {
      rc = SVC_ERROR;
      break;
    }
    if (!visible) {
      out->restricted++;
      continue;
    }
    if (shown >= limit) continue;
    json_t *c = NULL;
    if (store_child_get(db, cid, &c) != DB_ROW) continue; /* removed meanwhile */
    struct match_explanation e;
    match_explain(model, &incoming, &recs[ranked[i].index], &e);
    json_t *ex = match_explanation_json(&e, &incoming, &recs[ranked[i].index]);
    json_array_append_new(out->candidates,
                          json_pack("{s:s,s:f,s:f,s:O,s:o,s:s}", "child_id", cid, "probability", ranked[i].probability,
                                    "match_weight", ranked[i].weight, "explanation", json_object_get(ex, "fields"),
                                    "child", summary(c), "model", model->id));
    json_decref(ex);
    json_decref(c);
    shown++;
    if (!system) {
      json_t *d = json_pack("{s:f}", "probability", ranked[i].probability);
      req_audit(r, "child.match_candidate", "child", cid, "ok", d);
      json_decref(d);
    }
  }
  cand_rows_free(&rows);
  free(row_of);
  free(recs);
  free(ranked);
  return rc;
}

static bool check_dob(json_t *v, char *why, size_t n) {
  int32_t d;
  if (match_parse_date(json_string_value(v), &d) == 0) return true;
  snprintf(why, n, "must be a real date written YYYY-MM-DD or DD/MM/YYYY");
  return false;
}

static bool check_nhs(json_t *v, char *why, size_t n) {
  char nhs[11];
  if (nhs_number_normalise(json_string_value(v), nhs)) return true;
  snprintf(why, n, "must be a 10-digit NHS number with a valid check digit");
  return false;
}

static const struct field_spec PERSON_FIELDS[] = {
    {"first_name", F_STRING, F_NULLABLE, 100, NULL, NULL},
    {"last_name", F_STRING, F_NULLABLE, 100, NULL, NULL},
    {"date_of_birth", F_STRING, F_NULLABLE, 10, check_dob, NULL},
    {"gender", F_STRING, F_NULLABLE, 16, NULL, NULL},
    {"address", F_STRING, F_NULLABLE | F_MULTILINE, 500, NULL, NULL},
    {"postcode", F_STRING, F_NULLABLE, 10, NULL, NULL},
    {"phone", F_STRING, F_NULLABLE, 30, NULL, NULL},
    {"nhs_number", F_STRING, F_NULLABLE, 14, check_nhs, NULL},
    {"limit", F_INT, 0, 0, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

/* POST /api/v1/people/match: validates INPUT and scores it (see svc_people_match_json). */
int svc_people_match(struct req *r, json_t *input, struct field_errors *errs, struct people_match *out) {
  memset(out, 0, sizeof *out);
  if (!fields_check(input, PERSON_FIELDS, NULL, false, errs)) return SVC_INVALID;
  static const char *const known[] = {"first_name", "last_name", "date_of_birth", "postcode", "nhs_number", "address", "phone", NULL};
  int given = 0;
  for (const char *const *k = known; *k; k++) {
    const char *v = s_of(input, *k);
    if (v && *v) given++;
  }
  if (given < 2) {
    ferr_add(errs, "person", "give at least two of first_name, last_name, date_of_birth, postcode, nhs_number, address, phone");
    return SVC_INVALID;
  }
  json_int_t limit = json_integer_value(json_object_get(input, "limit"));
  if (json_object_get(input, "limit") && (limit < 1 || limit > MAX_SHOWN)) {
    ferr_add(errs, "limit", "must be a whole number from 1 to %d", MAX_SHOWN);
    return SVC_INVALID;
  }
  int rc = svc_people_match_json(r, input, limit ? (int)limit : 10, 0.01, NULL, out);
  if (rc == SVC_INVALID) ferr_add(errs, "person", "could not be read for matching");
  if (rc == SVC_OK) {
    json_t *d = json_pack("{s:I,s:i}", "candidates", (json_int_t)json_array_size(out->candidates), "restricted", out->restricted);
    req_audit(r, "people.match", "children", NULL, "ok", d);
    json_decref(d);
  }
  return rc;
}

static bool check_decision(json_t *v, char *why, size_t n) {
  const char *s = json_string_value(v);
  if (!strcmp(s, "confirmed") || !strcmp(s, "rejected")) return true;
  snprintf(why, n, "must be confirmed or rejected");
  return false;
}

static bool check_subject_type(json_t *v, char *why, size_t n) {
  const char *s = json_string_value(v);
  if (!strcmp(s, "referral") || !strcmp(s, "child") || !strcmp(s, "enquiry")) return true;
  snprintf(why, n, "must be referral, child or enquiry");
  return false;
}

static bool check_probability(json_t *v, char *why, size_t n) {
  double p = json_number_value(v);
  if (p >= 0.0 && p <= 1.0) return true;
  snprintf(why, n, "must be from 0 to 1");
  return false;
}

static const struct field_spec DECISION_FIELDS[] = {
    {"subject_type", F_STRING, F_REQUIRED, 16, check_subject_type, NULL},
    {"subject_id", F_STRING, F_REQUIRED, 64, field_check_id, NULL},
    {"child_id", F_STRING, F_REQUIRED, 64, field_check_id, NULL},
    {"decision", F_STRING, F_REQUIRED, 16, check_decision, NULL},
    {"probability", F_NUMBER, F_NULLABLE, 0, check_probability, NULL},
    {"reason", F_STRING, F_NULLABLE | F_MULTILINE, 1000, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};


/* Keeps a person's decision on a suggested match (confirmed or rejected), audited. */
int svc_match_decision(struct req *r, json_t *input, struct field_errors *errs, json_t **out) {
  if (!fields_check(input, DECISION_FIELDS, NULL, false, errs)) return SVC_INVALID;
  const char *child_id = s_of(input, "child_id");
  bool visible;
  if (svc_child_access(r, child_id, &visible) != SVC_OK) return SVC_ERROR;
  json_t *c = NULL;
  if (!visible || store_child_get(req_db(r), child_id, &c) != DB_ROW) {
    ferr_add(errs, "child_id", "is not a child you can see");
    return SVC_INVALID;
  }
  json_decref(c);
  struct db *db = req_db(r);
  char id[ID_MAX];
  ids_new("md", id, sizeof id);
  const struct match_model *m = svc_match_model(r);
  int64_t now = time_now();
  char prob[32] = "";
  json_t *pv = json_object_get(input, "probability");
  if (json_is_number(pv)) snprintf(prob, sizeof prob, "%.6f", json_number_value(pv));
  struct match_decision md = {id,
                               s_of(input, "subject_type"),
                               s_of(input, "subject_id"),
                               child_id,
                               s_of(input, "decision"),
                               prob[0] ? prob : NULL,
                               m ? m->id : NULL,
                               s_of(input, "reason"),
                               r->who.user_id,
                               now};
  int rc = db_begin(db);
  if (rc == DB_OK) rc = store_match_decision_add(db, &md);
  json_t *d = json_pack("{s:s,s:s,s:s}", "subject_type", s_of(input, "subject_type"), "subject_id",
                        s_of(input, "subject_id"), "decision", s_of(input, "decision"));
  if (rc == DB_OK) rc = req_audit_tx(r, "match.decision", "child", child_id, d);
  if (rc == DB_OK) rc = db_commit(db);
  json_decref(d);
  if (rc != DB_OK) {
    db_rollback(db);
    return SVC_ERROR;
  }
  char at[ISO_TIME_LEN];
  time_format_iso(now, at);
  *out = json_pack("{s:s,s:O,s:O,s:s,s:O,s:s,s:s}", "id", id, "subject_type", json_object_get(input, "subject_type"),
                   "subject_id", json_object_get(input, "subject_id"), "child_id", child_id, "decision",
                   json_object_get(input, "decision"), "decided_by", r->who.username, "decided_at", at);
  return SVC_OK;
}


/*
** Puts child CHILD_ID and any existing child likely (duplicate_threshold)
** to be the same child on the duplicates queue.  Considers every child,
** whoever asks: the queue is for MASH staff to decide.  Its own transaction.
*/
int svc_duplicates_check_child(struct req *r, const char *child_id) {
  struct db *db = req_db(r);
  json_t *c = NULL;
  if (store_child_get(db, child_id, &c) != DB_ROW) return SVC_NOT_FOUND;
  struct principal saved = r->who;
  r->who.kind = AUTH_SYSTEM; /* every child is a candidate for the queue, not only those the creator sees */
  struct people_match pm;
  int rc = svc_people_match_json(r, c, 5, r->app->cfg->duplicate_threshold_percent / 100.0, child_id, &pm);
  r->who = saved;
  json_decref(c);
  if (rc != SVC_OK) {
    json_decref(pm.candidates);
    return rc == SVC_INVALID ? SVC_OK : rc; /* a record too sparse to match has no duplicates to offer */
  }
  int64_t now = time_now();
  int drc = json_array_size(pm.candidates) ? db_begin(db) : DB_OK;
  size_t i;
  json_t *cand;
  json_array_foreach(pm.candidates, i, cand) {
    if (drc != DB_OK) break;
    const char *other = s_of(cand, "child_id");
    const char *a = strcmp(child_id, other) < 0 ? child_id : other, *b = a == child_id ? other : child_id;
    char id[ID_MAX];
    ids_new("dp", id, sizeof id);
    char *ex = json_dumps(json_object_get(cand, "explanation"), JSON_COMPACT);
    drc = store_duplicate_add(db, id, a, b, json_real_value(json_object_get(cand, "probability")), ex ? ex : "[]",
                              s_of(cand, "model"), now);
    free(ex);
  }
  if (json_array_size(pm.candidates)) {
    if (drc == DB_OK) drc = db_commit(db);
    if (drc != DB_OK) db_rollback(db);
  }
  json_decref(pm.candidates);
  return drc == DB_OK ? SVC_OK : SVC_ERROR;
}

/* The duplicates queue with STATUS, each pair with both children's summaries. */
int svc_duplicates_list(struct req *r, const char *status, json_t **out) {
  json_t *pairs = NULL;
  struct db *db = req_db(r);
  if (!db || store_duplicates_list(db, status, 200, &pairs) != DB_OK) return SVC_ERROR;
  size_t i;
  json_t *p;
  json_array_foreach(pairs, i, p) {
    static const char *const sides[] = {"child_a", "child_b"};
    for (int k = 0; k < 2; k++) {
      json_t *c = NULL;
      const char *cid = s_of(p, sides[k]);
      if (store_child_get(db, cid, &c) == DB_ROW) {
        json_object_set_new(p, k ? "b" : "a", summary(c));
        req_audit(r, "child.duplicate_candidate", "child", cid, "ok", NULL);
      }
      json_decref(c);
    }
  }
  *out = pairs;
  return SVC_OK;
}

static bool check_dup_decision(json_t *v, char *why, size_t n) {
  const char *s = json_string_value(v);
  if (!strcmp(s, "not_duplicate") || !strcmp(s, "merge")) return true;
  snprintf(why, n, "must be not_duplicate or merge");
  return false;
}

static bool check_keep(json_t *v, char *why, size_t n) {
  const char *s = json_string_value(v);
  if (!strcmp(s, "a") || !strcmp(s, "b")) return true;
  snprintf(why, n, "must be a or b: which record to keep");
  return false;
}

static const struct field_spec DUP_FIELDS[] = {
    {"decision", F_STRING, F_REQUIRED, 16, check_dup_decision, NULL},
    {"keep", F_STRING, 0, 1, check_keep, NULL},
    {"reason", F_STRING, F_REQUIRED | F_MULTILINE, 1000, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

/* Adds ALIAS to CHILD's aliases unless it is already a name of the record; true when added. */
static bool add_alias(json_t *child, const char *alias) {
  char current[256];
  snprintf(current, sizeof current, "%s %s", s_of(child, "first_name"), s_of(child, "last_name"));
  if (!strcasecmp(current, alias)) return false;
  json_t *aliases = json_object_get(child, "aliases");
  size_t i;
  json_t *a;
  json_array_foreach(aliases, i, a) {
    if (!strcasecmp(json_string_value(a), alias)) return false;
  }
  if (json_array_size(aliases) >= 20) return false;
  json_array_append_new(aliases, json_string(alias));
  return true;
}

/* The child's stored fields, without what the server keeps, for an update. */
static json_t *editable(json_t *child) {
  json_t *c = json_deep_copy(child);
  static const char *const server[] = {"id", "created_at", "updated_at", "version", "merged_into", NULL};
  for (const char *const *k = server; *k; k++) json_object_del(c, *k);
  return c;
}

/*
** Merges MERGED into KEPT in one transaction: every row about MERGED moves to
** KEPT (listed, so it can be undone), MERGED's name becomes an alias of KEPT,
** MERGED is hidden from search and points at KEPT, and CANDIDATE_ID (the
** duplicates-queue pair, or NULL) is marked merged.  Audited on both records.
*/
static int merge(struct req *r, const char *kept_id, const char *merged_id, const char *candidate_id,
                 const char *reason, json_t **out) {
  struct db *db = req_db(r);
  int64_t now = time_now();
  json_t *kept = NULL, *merged = NULL, *moved = json_array(), *added = json_object();
  int rc = db_begin(db);
  if (rc == DB_OK && (store_child_get(db, kept_id, &kept) != DB_ROW || store_child_get(db, merged_id, &merged) != DB_ROW))
    rc = DB_DONE;
  if (rc == DB_OK && (json_object_get(kept, "merged_into") || json_object_get(merged, "merged_into"))) rc = DB_DONE;
  if (rc == DB_OK) rc = store_merge_rows(db, kept_id, merged_id, now, moved);
  if (rc == DB_OK) {
    char alias[256];
    snprintf(alias, sizeof alias, "%s %s", s_of(merged, "first_name"), s_of(merged, "last_name"));
    json_t *k = editable(kept);
    if (add_alias(k, alias)) json_object_set_new(added, "alias", json_string(alias));
    int version = (int)json_integer_value(json_object_get(kept, "version"));
    rc = store_child_update(db, kept_id, k, version, now);
    json_decref(k);
    if (rc == DB_DONE) rc = DB_BUSY;
  }
  char id[ID_MAX];
  ids_new("mg", id, sizeof id);
  if (rc == DB_OK) rc = store_merge_insert(db, id, kept_id, merged_id, candidate_id, moved, added, reason,
                                           r->who.user_id, now);
  /* The pair is decided in the same transaction: a merge is never left with its pair still open. */
  if (rc == DB_OK && candidate_id) rc = store_duplicate_decide(db, candidate_id, "open", "merged", r->who.user_id, now, reason);
  json_t *d = json_pack("{s:s,s:s,s:s,s:I}", "merge", id, "kept", kept_id, "merged", merged_id, "rows_moved",
                        (json_int_t)json_array_size(moved));
  if (rc == DB_OK) rc = req_audit_tx(r, "child.merge", "child", kept_id, d);
  if (rc == DB_OK) rc = req_audit_tx(r, "child.merge", "child", merged_id, d);
  json_decref(d);
  if (rc == DB_OK) {
    char summary_text[200];
    snprintf(summary_text, sizeof summary_text, "Record %s merged into this record (merge %s)", merged_id, id);
    rc = svc_chronology(r, kept_id, now, "merge", summary_text, "merge", id);
  }
  if (rc == DB_OK) rc = db_commit(db);
  if (rc != DB_OK) db_rollback(db);
  if (rc == DB_OK) {
    *out = json_pack("{s:s,s:s,s:s,s:I,s:O}", "merge_id", id, "kept_id", kept_id, "merged_id", merged_id,
                     "rows_moved", (json_int_t)json_array_size(moved), "added", added);
  }
  json_decref(kept);
  json_decref(merged);
  json_decref(moved);
  json_decref(added);
  return rc == DB_OK ? SVC_OK : rc == DB_DONE || rc == DB_BUSY ? SVC_CONFLICT : SVC_ERROR;
}

/*
** Decides pair ID of the duplicates queue: "not_duplicate" closes it, "merge"
** merges the record not kept into the one kept ("keep": "a" or "b").  A
** reason is always required.  Nothing merges without this decision.
*/
int svc_duplicate_decide(struct req *r, const char *id, json_t *input, struct field_errors *errs, json_t **out) {
  if (!fields_check(input, DUP_FIELDS, NULL, false, errs)) return SVC_INVALID;
  const char *decision = s_of(input, "decision"), *reason = s_of(input, "reason");
  if (!strcmp(decision, "merge") && !s_of(input, "keep")) {
    ferr_add(errs, "keep", "is required to merge: a or b, the record to keep");
    return SVC_INVALID;
  }
  struct db *db = req_db(r);
  json_t *pair = NULL;
  int rc = store_duplicate_get(db, id, &pair);
  if (rc == DB_DONE) return SVC_NOT_FOUND;
  if (rc != DB_ROW) return SVC_ERROR;
  if (strcmp(s_of(pair, "status"), "open") != 0) {
    json_decref(pair);
    return SVC_CONFLICT;
  }
  int64_t now = time_now();
  if (!strcmp(decision, "not_duplicate")) {
    rc = db_begin(db);
    if (rc == DB_OK) rc = store_duplicate_decide(db, id, "open", "not_duplicate", r->who.user_id, now, reason);
    json_t *d = json_pack("{s:s,s:s}", "child_a", s_of(pair, "child_a"), "child_b", s_of(pair, "child_b"));
    if (rc == DB_OK) rc = req_audit_tx(r, "duplicate.not_duplicate", "duplicate", id, d);
    if (rc == DB_OK) rc = db_commit(db);
    json_decref(d);
    if (rc != DB_OK) db_rollback(db);
    json_decref(pair);
    if (rc == DB_DONE) return SVC_CONFLICT;
    if (rc != DB_OK) return SVC_ERROR;
    *out = json_pack("{s:s,s:s}", "id", id, "status", "not_duplicate");
    return SVC_OK;
  }
  bool keep_a = !strcmp(s_of(input, "keep"), "a");
  char kept[ID_MAX], merged[ID_MAX];
  snprintf(kept, sizeof kept, "%s", s_of(pair, keep_a ? "child_a" : "child_b"));
  snprintf(merged, sizeof merged, "%s", s_of(pair, keep_a ? "child_b" : "child_a"));
  json_decref(pair);
  json_t *result = NULL;
  int s = merge(r, kept, merged, id, reason, &result);
  if (s != SVC_OK) return s;
  *out = result;
  return SVC_OK;
}

/* Undoes merge ID: every row moved goes back, the merged record reappears, the pair is open again. */
int svc_merge_undo(struct req *r, const char *id, json_t **out) {
  struct db *db = req_db(r);
  json_t *m = NULL;
  int rc = store_merge_get(db, id, &m);
  if (rc == DB_DONE) return SVC_NOT_FOUND;
  if (rc != DB_ROW) return SVC_ERROR;
  if (json_is_true(json_object_get(m, "undone"))) {
    json_decref(m);
    return SVC_CONFLICT;
  }
  const char *kept_id = s_of(m, "kept_id"), *merged_id = s_of(m, "merged_id");
  int64_t now = time_now();
  rc = db_begin(db);
  if (rc == DB_OK) rc = store_merge_mark_undone(db, id, r->who.user_id, now);
  if (rc == DB_OK) rc = store_unmerge_rows(db, kept_id, merged_id, json_object_get(m, "moved"));
  /* Take back the alias the merge added, if the record still has it. */
  json_t *kept = NULL, *merged = NULL;
  if (rc == DB_OK && store_child_get(db, kept_id, &kept) != DB_ROW) rc = DB_ERROR;
  const char *alias = s_of(json_object_get(m, "added"), "alias");
  if (rc == DB_OK && alias) {
    json_t *k = editable(kept);
    json_t *aliases = json_object_get(k, "aliases");
    size_t i;
    json_t *a;
    json_array_foreach(aliases, i, a) {
      if (!strcmp(json_string_value(a), alias)) {
        json_array_remove(aliases, i);
        break;
      }
    }
    rc = store_child_update(db, kept_id, k, (int)json_integer_value(json_object_get(kept, "version")), now);
    if (rc == DB_DONE) rc = DB_BUSY;
    json_decref(k);
  }
  /* The merged record becomes findable again: rewrite it to rebuild its search keys. */
  if (rc == DB_OK && store_child_get(db, merged_id, &merged) != DB_ROW) rc = DB_ERROR;
  if (rc == DB_OK) {
    json_t *mr = editable(merged);
    rc = store_child_update(db, merged_id, mr, (int)json_integer_value(json_object_get(merged, "version")), now);
    if (rc == DB_DONE) rc = DB_BUSY;
    json_decref(mr);
  }
  const char *candidate = s_of(m, "candidate_id");
  if (rc == DB_OK && candidate) {
    int d = store_duplicate_decide(db, candidate, "merged", "open", r->who.user_id, now, "merge undone");
    if (d < 0) rc = d;
  }
  json_t *d = json_pack("{s:s,s:s,s:s}", "merge", id, "kept", kept_id, "merged", merged_id);
  if (rc == DB_OK) rc = req_audit_tx(r, "child.unmerge", "child", kept_id, d);
  if (rc == DB_OK) rc = req_audit_tx(r, "child.unmerge", "child", merged_id, d);
  if (rc == DB_OK) {
    char text[200];
    snprintf(text, sizeof text, "Merge %s undone: record %s separated again", id, merged_id);
    rc = svc_chronology(r, kept_id, now, "merge", text, "merge", id);
  }
  if (rc == DB_OK) rc = db_commit(db);
  if (rc != DB_OK) db_rollback(db);
  json_decref(d);
  json_decref(kept);
  json_decref(merged);
  if (rc == DB_OK) *out = json_pack("{s:s,s:s,s:s,s:b}", "merge_id", id, "kept_id", kept_id, "merged_id", merged_id, "undone", 1);
  json_decref(m);
  return rc == DB_OK ? SVC_OK : rc == DB_DONE || rc == DB_BUSY ? SVC_CONFLICT : SVC_ERROR;
}
