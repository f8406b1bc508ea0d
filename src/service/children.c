/*
** Children's records: create, read, update and search, with record-level
** access and auditing (see service.h).
*/
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "access/policy.h"
#include "core/child.h"
#include "core/validate.h"
#include "service/matching.h"
#include "service/service.h"
#include "store/store.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define SEARCH_CANDIDATES 2000
#define SEARCH_SHOWN 50

/* Sets *VISIBLE when the request's user may see child CHILD_ID. */
int svc_child_access(struct req *r, const char *child_id, bool *visible) {
  *visible = false;
  if (!role_in(r->who.role, ROLES_CASE)) return SVC_OK;
  if (policy_sees_all_children(r->who.role)) {
    *visible = true;
    return SVC_OK;
  }
  bool involved = false;
  struct db *db = req_db(r);
  if (!db || store_child_involved(db, child_id, r->who.agency_id, &involved) != DB_OK) return SVC_ERROR;
  *visible = policy_may_see_child(r->who.role, involved);
  return SVC_OK;
}

static json_t *field_names(json_t *obj) {
  json_t *names = json_array();
  const char *k;
  json_t *v;
  json_object_foreach(obj, k, v) json_array_append_new(names, json_string(k));
  return names;
}

/*
** Creates a child from INPUT (validated and normalised in place), makes the
** user's agency involved with it, and audits, all in one transaction.
*/
int svc_child_create(struct req *r, json_t *input, struct field_errors *errs, char id_out[ID_MAX]) {
  int64_t now = time_now();
  bool ok = child_validate(input, false, london_today(now), errs);
  /* looked_after left out means false: a placement then would describe a child not in care. */
  if (json_is_object(json_object_get(input, "placement")) && !json_is_true(json_object_get(input, "looked_after"))) {
    ferr_add(errs, "placement", "is only recorded for a looked-after child (set looked_after to true)");
    ok = false;
  }
  if (!ok) return SVC_INVALID;
  struct db *db = req_db(r);
  if (!db) return SVC_ERROR;
  ids_new("ch", id_out, ID_MAX);
  json_t *details = json_pack("{s:o}", "fields", field_names(input));
  int rc = db_begin(db);
  if (rc == DB_OK) rc = store_child_insert(db, id_out, input, r->who.user_id, now);
  if (rc == DB_OK) rc = store_child_involve(db, id_out, r->who.agency_id, "recorded the child", now);
  if (rc == DB_OK) rc = req_audit_tx(r, "child.create", "child", id_out, details);
  if (rc == DB_OK) rc = db_commit(db);
  json_decref(details);
  if (rc != DB_OK) {
    db_rollback(db);
    return SVC_ERROR;
  }
  /* Likely duplicates go to the MASH's queue; a failure here must not undo the record. */
  if (svc_duplicates_check_child(r, id_out) == SVC_ERROR) db_rollback(db);
  return SVC_OK;
}

/*
** Reads child ID for the request's user into *OBJ or, when OBJ is NULL, as
** JSON text onto TEXT.  A child the user may not see is SVC_NOT_FOUND
** exactly as an absent one is; both are audited.
*/
static int child_read(struct req *r, const char *id, json_t **obj, struct buf *text) {
  bool visible;
  if (svc_child_access(r, id, &visible) != SVC_OK) return SVC_ERROR;
  if (!visible) {
    req_audit(r, "child.read", "child", id, "denied", NULL);
    return SVC_NOT_FOUND;
  }
  struct db *db = req_db(r);
  if (!db) return SVC_ERROR;
  int rc = obj ? store_child_get(db, id, obj) : store_child_get_text(db, id, text);
  if (rc == DB_DONE) {
    req_audit(r, "child.read", "child", id, "not_found", NULL);
    return SVC_NOT_FOUND;
  }
  if (rc != DB_ROW) return SVC_ERROR;
  req_audit(r, "child.read", "child", id, "ok", NULL);
  return SVC_OK;
}

/* Reads child ID for the request's user (new reference in *OUT); see child_read. */
int svc_child_get(struct req *r, const char *id, json_t **out) { return child_read(r, id, out, NULL); }

/* Reads child ID for the request's user as the JSON text of svc_child_get's object, appended to OUT. */
int svc_child_get_text(struct req *r, const char *id, struct buf *out) { return child_read(r, id, NULL, out); }

static const char *const SERVER_FIELDS[] = {"id", "created_at", "updated_at", "version", "merged_into", NULL};

/*
** Applies PATCH (only the fields given; null clears an optional one) to
** child ID.  Validates the patch's fields, then the whole merged record, and
** writes it if nobody changed it meanwhile (SVC_CONFLICT otherwise).
*/
int svc_child_update(struct req *r, const char *id, json_t *patch, struct field_errors *errs, json_t **out) {
  return svc_child_update_from(r, id, patch, 0, errs, out);
}

/*
** As svc_child_update, for a change made from the record as it was at
** version FROM (0: as it is now).  The write succeeds only while the stored
** version is still FROM, so a change made from an older copy of the record
** (an edit form opened before someone else saved) is refused with
** SVC_CONFLICT and nothing is written.
*/
int svc_child_update_from(struct req *r, const char *id, json_t *patch, long long from, struct field_errors *errs,
                          json_t **out) {
  bool visible;
  if (svc_child_access(r, id, &visible) != SVC_OK) return SVC_ERROR;
  if (!visible) {
    req_audit(r, "child.update", "child", id, "denied", NULL);
    return SVC_NOT_FOUND;
  }
  int64_t now = time_now();
  if (!child_validate(patch, true, london_today(now), errs)) return SVC_INVALID;
  struct db *db = req_db(r);
  json_t *current = NULL;
  int rc = db_begin(db);
  if (rc != DB_OK) return SVC_ERROR;
  rc = store_child_get(db, id, &current);
  if (rc == DB_DONE) {
    db_rollback(db);
    return SVC_NOT_FOUND;
  }
  if (rc != DB_ROW) {
    db_rollback(db);
    return SVC_ERROR;
  }
  if (json_is_string(json_object_get(current, "merged_into"))) {
    /* A record merged into another is kept only to be undone: its work goes on the kept record. */
    ferr_add(errs, "merged_into", "this record was merged into %s: change that record instead",
             json_string_value(json_object_get(current, "merged_into")));
    json_decref(current);
    db_rollback(db);
    return SVC_INVALID;
  }
  int version = (int)json_integer_value(json_object_get(current, "version"));
  json_t *merged = json_deep_copy(current);
  for (const char *const *f = SERVER_FIELDS; *f; f++) json_object_del(merged, *f);
  const char *k;
  json_t *v;
  json_object_foreach(patch, k, v) {
    if (json_is_null(v)) json_object_set_new(merged, k, json_null());
    else json_object_set(merged, k, v);
  }
  /* Nulls from storage are "not recorded", which the full check allows. */
  json_t *check = json_deep_copy(merged);
  json_object_foreach(merged, k, v) {
    if (json_is_null(v)) json_object_del(check, k);
  }
  bool ok = true;
  if (!json_is_true(json_object_get(check, "looked_after"))) {
    /* A placement given for a child who is not looked after would be dropped: refuse it instead. */
    if (json_is_object(json_object_get(patch, "placement"))) {
      ferr_add(errs, "placement", "is only recorded for a looked-after child (set looked_after to true)");
      ok = false;
    }
    json_object_del(check, "placement");
  }
  ok = ok && child_validate(check, false, london_today(now), errs);
  json_decref(check);
  if (!ok) {
    db_rollback(db);
    json_decref(current);
    json_decref(merged);
    return SVC_INVALID;
  }
  if (!json_is_true(json_object_get(merged, "looked_after"))) json_object_set_new(merged, "placement", json_null());
  json_t *details = json_pack("{s:o}", "fields", field_names(patch));
  /* The store's compare-and-set on the version is the one check: against FROM when the change was made from it. */
  if (from != 0) version = from > 0 && from <= INT_MAX ? (int)from : -1;
  rc = store_child_update(db, id, merged, version, now);
  if (rc == DB_OK) rc = req_audit_tx(r, "child.update", "child", id, details);
  if (rc == DB_OK) rc = db_commit(db);
  json_decref(details);
  json_decref(current);
  json_decref(merged);
  if (rc == DB_DONE) {
    db_rollback(db);
    req_audit(r, "child.update", "child", id, "conflict", NULL);
    return SVC_CONFLICT;
  }
  if (rc != DB_OK) {
    db_rollback(db);
    return SVC_ERROR;
  }
  return svc_child_get(r, id, out);
}

/* The least string above every key starting with LO (keys are [0-9a-z]); false when unbounded. */
static bool prefix_upper(const char *lo, char *hi, size_t cap) {
  size_t n = strlen(lo);
  if (n + 1 > cap) return false;
  memcpy(hi, lo, n + 1);
  while (n > 0) {
    char c = hi[n - 1];
    if (c == '9') {
      hi[n - 1] = 'a';
      return true;
    }
    if (c < 'z') {
      hi[n - 1] = (char)(c + 1);
      return true;
    }
    hi[--n] = '\0';
  }
  return false;
}

struct criterion {
  char kind[2];
  char lo[64];
  char hi[64];
  bool prefix;
};

static bool looks_like_date(const char *t, char out[11]) {
  int64_t days;
  if (date_parse(t, &days)) {
    date_format(days, out);
    return true;
  }
  int d, m, y;
  char extra;
  if (sscanf(t, "%d/%d/%d%c", &d, &m, &y, &extra) == 3 && y > 1900 && date_valid(y, m, d)) {
    date_format(days_from_civil(y, m, d), out);
    return true;
  }
  return false;
}

/* True for what could be a postcode's outward code: 2 to 4 letters and digits, a letter first, a digit in it. */
static bool outward_like(const char *t) {
  size_t n = strlen(t);
  if (n < 2 || n > 4 || !isalpha((unsigned char)t[0])) return false;
  bool digit = false;
  for (const char *p = t; *p; p++) {
    if (!isalnum((unsigned char)*p)) return false;
    if (isdigit((unsigned char)*p)) digit = true;
  }
  return digit;
}

/* True for the start of an inward code: a digit, then at most two letters. */
static bool sector_like(const char *t) {
  size_t n = strlen(t);
  if (n < 1 || n > 3 || !isdigit((unsigned char)t[0])) return false;
  for (size_t i = 1; i < n; i++) {
    if (!isalpha((unsigned char)t[i])) return false;
  }
  return true;
}

/* Turns the free text of a search into criteria that must all hold. */
static int parse_query(const char *q, struct criterion *c, int max) {
  int n = 0;
  char nhs[11], pc[16];
  if (nhs_number_normalise(q, nhs)) {
    memset(&c[0], 0, sizeof c[0]); /* an exact match: no prefix bound */
    snprintf(c[0].kind, 2, "h");
    snprintf(c[0].lo, sizeof c[0].lo, "%s", nhs);
    return 1;
  }
  char tokens[8][64];
  int t = text_split_tokens(q, tokens, 8);
  for (int i = 0; i < t && n < max; i++) {
    char date[11];
    struct criterion *k = &c[n];
    memset(k, 0, sizeof *k);
    char pair[130];
    snprintf(pair, sizeof pair, "%s %s", tokens[i], i + 1 < t ? tokens[i + 1] : "");
    if (i + 1 < t && postcode_normalise(pair, pc, sizeof pc)) {
      snprintf(k->kind, 2, "p");
      text_fold_key(pc, k->lo, sizeof k->lo);
      i++;
    } else if (postcode_normalise(tokens[i], pc, sizeof pc)) {
      snprintf(k->kind, 2, "p");
      text_fold_key(pc, k->lo, sizeof k->lo);
    } else if (looks_like_date(tokens[i], date)) {
      snprintf(k->kind, 2, "d");
      snprintf(k->lo, sizeof k->lo, "%s", date);
    } else if (strpbrk(tokens[i], "0123456789")) {
      /* Names have no digits: a partial postcode ("S60", "S60 1") matches by prefix. */
      snprintf(k->kind, 2, "p");
      if (i + 1 < t && outward_like(tokens[i]) && sector_like(tokens[i + 1])) {
        /* "S60 1": the outward code and the start of the inward one are one prefix. */
        char joined[130];
        snprintf(joined, sizeof joined, "%s%s", tokens[i], tokens[i + 1]);
        text_fold_key(joined, k->lo, sizeof k->lo);
        i++;
      } else {
        text_fold_key(tokens[i], k->lo, sizeof k->lo);
      }
      if (!k->lo[0]) continue;
      k->prefix = prefix_upper(k->lo, k->hi, sizeof k->hi);
    } else {
      snprintf(k->kind, 2, "n");
      text_fold_key(tokens[i], k->lo, sizeof k->lo);
      if (!k->lo[0]) continue;
      k->prefix = prefix_upper(k->lo, k->hi, sizeof k->hi);
    }
    n++;
  }
  return n;
}

/* How selective a criterion is likely to be: lower drives the query. */
static int selectivity(const struct criterion *c) {
  switch (c->kind[0]) {
  case 'h': return 0;
  case 'd': return 1;
  case 'p': return c->prefix ? 4 : 2;
  default: return strlen(c->lo) >= 4 ? 3 : 5;
  }
}

/*
** Turns criteria into store terms, most selective first.  With EXACT_NAMES,
** name terms match whole names only (so "Jack" finds Jack before Jackson).
*/
static int to_terms(const struct criterion *c, int nc, bool exact_names, struct search_term *t) {
  int order[8], n = nc < STORE_SEARCH_TERMS ? nc : STORE_SEARCH_TERMS;
  for (int i = 0; i < nc; i++) order[i] = i;
  for (int i = 1; i < nc; i++) {
    for (int j = i; j > 0 && selectivity(&c[order[j]]) < selectivity(&c[order[j - 1]]); j--) {
      int tmp = order[j];
      order[j] = order[j - 1];
      order[j - 1] = tmp;
    }
  }
  for (int i = 0; i < n; i++) {
    const struct criterion *k = &c[order[i]];
    memset(&t[i], 0, sizeof t[i]);
    snprintf(t[i].kind, sizeof t[i].kind, "%s", k->kind);
    snprintf(t[i].lo, sizeof t[i].lo, "%s", k->lo);
    bool exact = !k->prefix || (exact_names && k->kind[0] == 'n');
    /* An exact key K is the range [K, K"0"): keys are [0-9a-z-], and nothing but '-' sorts below '0'. */
    if (exact || !prefix_upper(k->lo, t[i].hi, sizeof t[i].hi)) snprintf(t[i].hi, sizeof t[i].hi, "%.62s0", k->lo);
  }
  return n;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int cmp_child(const void *a, const void *b) {
  json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
  int c = strcasecmp(json_string_value(json_object_get(x, "last_name")), json_string_value(json_object_get(y, "last_name")));
  if (c) return c;
  c = strcasecmp(json_string_value(json_object_get(x, "first_name")), json_string_value(json_object_get(y, "first_name")));
  if (c) return c;
  return strcmp(json_string_value(json_object_get(x, "id")), json_string_value(json_object_get(y, "id")));
}

static json_t *summary(json_t *child) {
  static const char *const keep[] = {"id", "first_name", "last_name", "aliases", "date_of_birth", "gender",
                                     "ethnicity", "postcode", "looked_after", NULL};
  json_t *s = json_object();
  for (const char *const *k = keep; *k; k++) json_object_set(s, *k, json_object_get(child, *k));
  return s;
}

static bool contains(char **ids, int n, const char *id) {
  for (int i = 0; i < n; i++) {
    if (!strcmp(ids[i], id)) return true;
  }
  return false;
}

/* Loads IDS, sorts them by name and appends their summaries (audited) until SEARCH_SHOWN are shown. */
static int show(struct req *r, char **ids, int n, struct child_search *out, int *shown) {
  json_t **found = xcalloc((size_t)n + 1, sizeof *found);
  int nfound = 0;
  for (int i = 0; i < n; i++) {
    json_t *child = NULL;
    int rc = store_child_get(req_db(r), ids[i], &child);
    if (rc == DB_ROW) found[nfound++] = child;
    else if (rc < 0) {
      for (int j = 0; j < nfound; j++) json_decref(found[j]);
      free(found);
      return SVC_ERROR;
    }
  }
  qsort(found, (size_t)nfound, sizeof *found, cmp_child);
  for (int i = 0; i < nfound; i++) {
    if (*shown < SEARCH_SHOWN) {
      req_audit(r, "child.search_result", "child", json_string_value(json_object_get(found[i], "id")), "ok", NULL);
      json_array_append_new(out->results, summary(found[i]));
      (*shown)++;
    } else {
      out->more = true;
    }
    json_decref(found[i]);
  }
  free(found);
  return SVC_OK;
}

/*
** Searches by name (including aliases; prefixes match, whole names first),
** date of birth (YYYY-MM-DD or DD/MM/YYYY), postcode (whole or partial) and
** NHS number; every term must match.  Children the user may not see are
** counted, never described.
*/
int svc_child_search(struct req *r, const char *q, struct child_search *out) {
  memset(out, 0, sizeof *out);
  out->results = json_array();
  struct criterion crit[8];
  int nc = parse_query(q, crit, 8);
  struct db *db = req_db(r);
  if (!db) return SVC_ERROR;
  if (nc == 0 || !role_in(r->who.role, ROLES_CASE)) return SVC_OK;
  const char *agency = policy_sees_all_children(r->who.role) ? NULL : r->who.agency_id;
  struct search_term exact[STORE_SEARCH_TERMS], prefix[STORE_SEARCH_TERMS];
  int nt = to_terms(crit, nc, true, exact);
  to_terms(crit, nc, false, prefix);
  char **whole = NULL, **all = NULL, **everyone = NULL;
  int nwhole = 0, nall = 0, neveryone = 0, shown = 0, rc = SVC_ERROR;
  if (store_child_search(db, exact, nt, agency, SEARCH_SHOWN + 1, &whole, &nwhole) != DB_OK) goto done;
  if (store_child_search(db, prefix, nt, agency, SEARCH_CANDIDATES, &all, &nall) != DB_OK) goto done;
  if (nall >= SEARCH_CANDIDATES) out->more = true;
  /* Whole-name matches first, then the rest of the prefix matches. */
  if (show(r, whole, nwhole, out, &shown) != SVC_OK) goto done;
  char **rest = xcalloc((size_t)nall + 1, sizeof *rest);
  int nrest = 0;
  qsort(all, (size_t)nall, sizeof *all, cmp_str);
  for (int i = 0; i < nall && shown + nrest <= SEARCH_SHOWN; i++) {
    if (!contains(whole, nwhole, all[i])) rest[nrest++] = all[i];
  }
  int srk = show(r, rest, nrest, out, &shown);
  free(rest);
  if (srk != SVC_OK) goto done;
  if (nall > shown) out->more = true;
  if (agency) {
    /* Matches outside the user's agencies are counted, never shown. */
    if (store_child_search(db, prefix, nt, NULL, SEARCH_CANDIDATES + 1, &everyone, &neveryone) != DB_OK) goto done;
    out->restricted = neveryone > nall ? neveryone - nall : 0;
  }
  json_t *details = json_pack("{s:s,s:i,s:i}", "query", q, "shown", shown, "restricted", out->restricted);
  req_audit(r, "child.search", "children", NULL, "ok", details);
  json_decref(details);
  rc = SVC_OK;
done:
  store_free_ids(whole, nwhole);
  store_free_ids(all, nall);
  store_free_ids(everyone, neveryone);
  return rc;
}

void svc_child_search_free(struct child_search *s) {
  json_decref(s->results);
  s->results = NULL;
}
