/*
** Children's records: create, read, update and search, with record-level
** access and auditing (see service.h).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "access/policy.h"
#include "core/child.h"
#include "core/validate.h"
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
  if (!child_validate(input, false, london_today(now), errs)) return SVC_INVALID;
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
  return SVC_OK;
}

/*
** Reads child ID for the request's user.  A child the user may not see is
** SVC_NOT_FOUND exactly as an absent one is; both are audited.
*/
int svc_child_get(struct req *r, const char *id, json_t **out) {
  bool visible;
  if (svc_child_access(r, id, &visible) != SVC_OK) return SVC_ERROR;
  if (!visible) {
    req_audit(r, "child.read", "child", id, "denied", NULL);
    return SVC_NOT_FOUND;
  }
  int rc = store_child_get(req_db(r), id, out);
  if (rc == DB_DONE) {
    req_audit(r, "child.read", "child", id, "not_found", NULL);
    return SVC_NOT_FOUND;
  }
  if (rc != DB_ROW) return SVC_ERROR;
  req_audit(r, "child.read", "child", id, "ok", NULL);
  return SVC_OK;
}

static const char *const SERVER_FIELDS[] = {"id", "created_at", "updated_at", "version", NULL};

/*
** Applies PATCH (only the fields given; null clears an optional one) to
** child ID.  Validates the patch's fields, then the whole merged record, and
** writes it if nobody changed it meanwhile (SVC_CONFLICT otherwise).
*/
int svc_child_update(struct req *r, const char *id, json_t *patch, struct field_errors *errs, json_t **out) {
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
  if (!json_is_true(json_object_get(check, "looked_after"))) json_object_del(check, "placement");
  bool ok = child_validate(check, false, london_today(now), errs);
  json_decref(check);
  if (!ok) {
    db_rollback(db);
    json_decref(current);
    json_decref(merged);
    return SVC_INVALID;
  }
  if (!json_is_true(json_object_get(merged, "looked_after"))) json_object_set_new(merged, "placement", json_null());
  json_t *details = json_pack("{s:o}", "fields", field_names(patch));
  rc = store_child_update(db, id, merged, version, now);
  if (rc == DB_OK) rc = req_audit_tx(r, "child.update", "child", id, details);
  if (rc == DB_OK) rc = db_commit(db);
  json_decref(details);
  json_decref(current);
  json_decref(merged);
  if (rc == DB_DONE) {
    db_rollback(db);
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

/* Turns the free text of a search into criteria that must all hold. */
static int parse_query(const char *q, struct criterion *c, int max) {
  int n = 0;
  char nhs[11], pc[16];
  if (nhs_number_normalise(q, nhs)) {
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
      text_fold_key(tokens[i], k->lo, sizeof k->lo);
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

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int cmp_child(const void *a, const void *b) {
  json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
  int c = strcasecmp(json_string_value(json_object_get(x, "last_name")), json_string_value(json_object_get(y, "last_name")));
  if (c) return c;
  return strcasecmp(json_string_value(json_object_get(x, "first_name")), json_string_value(json_object_get(y, "first_name")));
}

static json_t *summary(json_t *child) {
  static const char *const keep[] = {"id", "first_name", "last_name", "aliases", "date_of_birth", "gender",
                                     "ethnicity", "postcode", "looked_after", NULL};
  json_t *s = json_object();
  for (const char *const *k = keep; *k; k++) json_object_set(s, *k, json_object_get(child, *k));
  return s;
}

/*
** Searches by name (including aliases; prefixes match), date of birth
** (YYYY-MM-DD or DD/MM/YYYY), postcode and NHS number; every term must match.
** Children the user may not see are counted, never described.
*/
int svc_child_search(struct req *r, const char *q, struct child_search *out) {
  memset(out, 0, sizeof *out);
  out->results = json_array();
  struct criterion crit[8];
  int nc = parse_query(q, crit, 8);
  struct db *db = req_db(r);
  if (!db) return SVC_ERROR;
  char **ids = NULL;
  int nids = 0;
  for (int i = 0; i < nc; i++) {
    char **got = NULL;
    int ngot = 0;
    int rc = store_child_search_key(db, crit[i].kind, crit[i].lo, crit[i].prefix ? crit[i].hi : NULL,
                                    SEARCH_CANDIDATES, &got, &ngot);
    if (rc != DB_OK) {
      store_free_ids(ids, nids);
      return SVC_ERROR;
    }
    if (ngot >= SEARCH_CANDIDATES) out->more = true;
    /* Sort here rather than trust the database's collation for the merge. */
    qsort(got, (size_t)ngot, sizeof *got, cmp_str);
    if (i == 0) {
      ids = got;
      nids = ngot;
      continue;
    }
    char **both = xcalloc((size_t)(nids < ngot ? nids : ngot) + 1, sizeof *both);
    int k = 0;
    for (int a = 0, b = 0; a < nids && b < ngot;) {
      int c = strcmp(ids[a], got[b]);
      if (c == 0) {
        both[k++] = xstrdup(ids[a]);
        a++;
        b++;
      } else if (c < 0) {
        a++;
      } else {
        b++;
      }
    }
    store_free_ids(ids, nids);
    store_free_ids(got, ngot);
    ids = both;
    nids = k;
  }
  json_t **found = xcalloc((size_t)nids + 1, sizeof *found);
  int nfound = 0;
  for (int i = 0; i < nids; i++) {
    bool visible;
    if (svc_child_access(r, ids[i], &visible) != SVC_OK) {
      store_free_ids(ids, nids);
      for (int j = 0; j < nfound; j++) json_decref(found[j]);
      free(found);
      return SVC_ERROR;
    }
    if (!visible) {
      out->restricted++;
      continue;
    }
    if (nfound >= SEARCH_SHOWN) {
      out->more = true;
      continue;
    }
    json_t *child = NULL;
    if (store_child_get(db, ids[i], &child) == DB_ROW) found[nfound++] = child;
  }
  qsort(found, (size_t)nfound, sizeof *found, cmp_child);
  for (int i = 0; i < nfound; i++) {
    const char *cid = json_string_value(json_object_get(found[i], "id"));
    req_audit(r, "child.search_result", "child", cid, "ok", NULL);
    json_array_append_new(out->results, summary(found[i]));
    json_decref(found[i]);
  }
  free(found);
  json_t *details = json_pack("{s:s,s:i,s:i}", "query", q, "shown", nfound, "restricted", out->restricted);
  req_audit(r, "child.search", "children", NULL, "ok", details);
  json_decref(details);
  store_free_ids(ids, nids);
  return SVC_OK;
}

void svc_child_search_free(struct child_search *s) {
  json_decref(s->results);
  s->results = NULL;
}
