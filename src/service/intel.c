/*
** Entities and intelligence use cases (see intel.h): recording a person,
** vehicle, phone, place or online account (one record per vehicle, phone,
** account or place, found again by its normalised key), finding and reading
** them; recording graded intelligence with the links it reports, and reading
** it back.
**
** Recording an item is one write transaction holding the item, its links,
** for each child linked the involvement of the recorder's agency and an
** "intelligence" entry on the child's chronology (the grade, never the
** item's text), and the audit entry.  Refusals write nothing and are
** audited.  A link end that does not exist and a child the recorder may not
** open are refused alike, so a refusal never tells that a hidden child
** exists.  Wherever a child appears as a link end it is named only for users
** who may open the child's record.
**
** Audit details carry ids, types and counts, never summaries, names or
** search text.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/intel.h"
#include "service/casework.h"
#include "service/intel.h"
#include "service/service.h"
#include "store/intel_store.h"
#include "store/store.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define ENTITY_ITEMS_SHOWN 200 /* items listed with an entity, newest first */
#define ENTITY_LINKS_SHOWN 500 /* links listed with an entity, newest first */
#define INTEL_LIST_MAX 200     /* items in GET /intelligence, newest first */
#define SEARCH_RESULTS 50      /* entities found by one search, at most */

static const char RESTRICTED_LABEL[] = "A child (record not open to you)";

/* The string member K of O, or NULL. */
static const char *js(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* The names of OBJ's members, for audit details (never their values).  New reference. */
static json_t *field_names(json_t *obj) {
  json_t *names = json_array();
  const char *k;
  json_t *v;
  json_object_foreach(obj, k, v) json_array_append_new(names, json_string(k));
  return names;
}

/* Audits a refused ACTION on OBJECT with the fields named (never their values). */
static void audit_invalid(struct req *r, const char *action, const char *type, const char *id,
                          struct field_errors *errs) {
  json_t *d = json_pack("{s:o}", "fields", field_names(errs->fields));
  req_audit(r, action, type, id, "invalid", d);
  json_decref(d);
}

/*
** Audits a refusal of ACTION on a record of TYPE that a page found in its
** form before it could call the use case (a date that is no date), with the
** fields named, as the use case audits its own refusals.
*/
void svc_intel_refused(struct req *r, const char *action, const char *type, struct field_errors *errs) {
  audit_invalid(r, action, type, NULL, errs);
}

/* Whether the user's role may do ACTION at all (ROLES); refusals are audited. */
static bool role_may(struct req *r, roleset roles, const char *action, const char *type, const char *id) {
  if (role_in(r->who.role, roles) && r->who.user_id[0]) return true;
  req_audit(r, action, type, id, "denied", NULL);
  return false;
}

/* True when S could be a record's id (the shape ids_new gives, and short enough to be one). */
static bool id_shaped(const char *s) { return s && ids_plausible(s) && strlen(s) < ID_MAX; }

/*
** Removes from OBJ every member that has an error in ERRS (under its own
** name, or an item or member of it), except KEEP (may be NULL), so that the
** rules run on well-typed values only and every problem is still reported.
*/
static void drop_bad(json_t *obj, struct field_errors *errs, const char *keep) {
  json_t *bad = json_array();
  const char *k, *ek;
  json_t *v, *ev;
  json_object_foreach(obj, k, v) {
    if (keep && !strcmp(k, keep)) continue;
    size_t n = strlen(k);
    json_object_foreach(errs->fields, ek, ev) {
      if (!strncmp(ek, k, n) && (ek[n] == '\0' || ek[n] == '[' || ek[n] == '.')) {
        json_array_append_new(bad, json_string(k));
        break;
      }
    }
  }
  size_t i;
  json_array_foreach(bad, i, v) json_object_del(obj, json_string_value(v));
  json_decref(bad);
}

/* ---- labels of link ends ---- */

/* store_intel_node_labels' callback: keeps each row in the map CTX. */
static void keep_label(void *ctx, const struct intel_node_row *row) {
  json_t *o = json_pack("{s:s,s:s,s:b}", "type", row->type, "label", row->label ? row->label : "", "child", row->child);
  if (row->location_kind) json_object_set_new(o, "kind", json_string(row->location_kind));
  json_object_set_new((json_t *)ctx, row->id, o);
}

/*
** The labels of records IDS[0..N) for the request's user (link ends and
** network nodes): a map id -> {"type","label","restricted"[,"kind"]}, a
** child the user may not open restricted and not named; ids of no record get
** type "unknown".  NAMED, when given, gains the ids of the children shown by
** name.  SVC_OK with *OUT (new reference), or SVC_ERROR.
*/
int svc_intel_labels(struct req *r, const char *const *ids, int n, json_t *named, json_t **out) {
  json_t *map = json_object();
  if (store_intel_node_labels(req_db(r), ids, n, keep_label, map) != DB_OK) {
    json_decref(map);
    return SVC_ERROR;
  }
  for (int i = 0; i < n; i++) {
    if (!json_object_get(map, ids[i]))
      json_object_set_new(map, ids[i], json_pack("{s:s,s:s,s:b}", "type", "unknown", "label", "Unknown record", "child", 0));
  }
  const char *id;
  json_t *o;
  json_object_foreach(map, id, o) {
    bool restricted = false;
    if (json_is_true(json_object_get(o, "child"))) {
      bool visible = false;
      if (svc_child_access(r, id, &visible) != SVC_OK) {
        json_decref(map);
        return SVC_ERROR;
      }
      restricted = !visible;
      if (visible && named) json_array_append_new(named, json_string(id));
    }
    json_object_del(o, "child");
    if (restricted) json_object_set_new(o, "label", json_string(RESTRICTED_LABEL));
    json_object_set_new(o, "restricted", json_boolean(restricted));
  }
  *out = map;
  return SVC_OK;
}

/* Adds "from_label" and "to_label" (and "from_restricted", "to_restricted") to every link of LINKS from LABELS. */
static void label_links(json_t *links, json_t *labels) {
  size_t i;
  json_t *l;
  json_array_foreach(links, i, l) {
    static const char *const END[2] = {"from", "to"};
    for (int e = 0; e < 2; e++) {
      const char *id = js(l, END[e]);
      json_t *lab = id ? json_object_get(labels, id) : NULL;
      char key[20];
      snprintf(key, sizeof key, "%s_label", END[e]);
      json_object_set_new(l, key, lab ? json_incref(json_object_get(lab, "label")) : json_null());
      snprintf(key, sizeof key, "%s_restricted", END[e]);
      json_object_set_new(l, key, json_boolean(lab && json_is_true(json_object_get(lab, "restricted"))));
    }
    const char *rel = js(l, "relation");
    if (rel) json_object_set_new(l, "relation_label", json_string(intel_relation_label(rel)));
  }
}

/* Collects the distinct "from" and "to" ids of the links of every item of ITEMS (or of LINKS) into IDS. */
static void collect_ends(json_t *links, json_t *seen, json_t *ids) {
  size_t i;
  json_t *l;
  json_array_foreach(links, i, l) {
    const char *end[2] = {js(l, "from"), js(l, "to")};
    for (int e = 0; e < 2; e++) {
      if (!end[e] || json_object_get(seen, end[e])) continue;
      json_object_set_new(seen, end[e], json_true());
      json_array_append_new(ids, json_string(end[e]));
    }
  }
}

/* Labels every link of every list in LISTS (an array of link arrays) for the request's user. */
static int label_all(struct req *r, json_t *lists) {
  json_t *seen = json_object(), *ids = json_array();
  size_t i;
  json_t *links;
  json_array_foreach(lists, i, links) collect_ends(links, seen, ids);
  int n = (int)json_array_size(ids);
  const char **v = xcalloc((size_t)n + 1, sizeof *v);
  for (int k = 0; k < n; k++) v[k] = json_string_value(json_array_get(ids, (size_t)k));
  json_t *labels = NULL;
  int rc = svc_intel_labels(r, v, n, NULL, &labels);
  free(v);
  if (rc == SVC_OK) {
    json_array_foreach(lists, i, links) label_links(links, labels);
  }
  json_decref(labels);
  json_decref(ids);
  json_decref(seen);
  return rc;
}

/* ---- grades ---- */

/* The grading of ITEM (as the store gives it) into G. */
static void grading_of(json_t *item, struct grading *g) {
  memset(g, 0, sizeof *g);
  const char *scheme = js(item, "grading"), *s = js(item, "source_evaluation"),
             *i = js(item, "intelligence_assessment"), *h = js(item, "handling_code");
  g->scheme = scheme && !strcmp(scheme, "5x5x5") ? GRADING_5X5X5 : GRADING_3X5X2;
  snprintf(g->source, sizeof g->source, "%s", s ? s : "");
  snprintf(g->intelligence, sizeof g->intelligence, "%s", i ? i : "");
  snprintf(g->handling, sizeof g->handling, "%s", h ? h : "");
}

/* Adds "grade" (e.g. "1B P") to ITEM, and with EXPLAIN "grade_explained" in plain words. */
static void add_grade(json_t *item, bool explain) {
  struct grading g;
  grading_of(item, &g);
  char code[32];
  grading_code(&g, code, sizeof code);
  json_object_set_new(item, "grade", json_string(code));
  if (explain) {
    json_object_set_new(item, "grade_explained",
                        json_pack("{s:s,s:s,s:s}", "source", grading_source_label(&g), "intelligence",
                                  grading_intelligence_label(&g), "handling", grading_handling_label(&g)));
  }
}

/* Completes items ITEMS (as store_intel_list gives them) for the answer: grades and labelled links. */
static int render_items(struct req *r, json_t *items) {
  json_t *lists = json_array();
  size_t i;
  json_t *item;
  json_array_foreach(items, i, item) {
    add_grade(item, true);
    json_array_append(lists, json_object_get(item, "links"));
  }
  int rc = label_all(r, lists);
  json_decref(lists);
  return rc;
}

/* ---- entities ---- */

/*
** Answers the entity with KEY, already recorded, as *OUT (new reference),
** audited as entity.create with the outcome "existing".  SVC_OK, or
** SVC_ERROR (also when the key is no longer there, which nothing deletes).
*/
static int answer_existing(struct req *r, const char *key, enum entity_type type, json_t **out) {
  char id[ID_MAX];
  if (store_entity_by_key(req_db(r), key, id) != DB_ROW) return SVC_ERROR;
  if (store_entity_get(req_db(r), id, out) != DB_ROW) return SVC_ERROR;
  json_t *d = json_pack("{s:s}", "type", entity_type_name(type));
  req_audit(r, "entity.create", "entity", id, "existing", d);
  json_decref(d);
  return SVC_OK;
}

/*
** Records a person, vehicle, phone, place or online account from INPUT
** ({"type", ...the fields of that type}), validated and normalised by the
** rules of core/intel.c.  A vehicle, phone, account or place whose key is
** already recorded is not recorded again: *EXISTED is set and *OUT is that
** record.  SVC_OK with *OUT (new reference); SVC_INVALID with ERRS;
** SVC_FORBIDDEN; SVC_ERROR.
*/
int svc_entity_create(struct req *r, json_t *input, struct field_errors *errs, json_t **out, bool *existed) {
  *out = NULL;
  *existed = false;
  if (!role_may(r, INTEL_RECORDERS, "entity.create", "entity", NULL)) return SVC_FORBIDDEN;
  enum entity_type type = ENTITY_PERSON;
  json_t *tv = json_object_get(input, "type");
  if (!tv || json_is_null(tv)) ferr_add(errs, "type", "is required");
  else if (!json_is_string(tv) || !entity_type_parse(json_string_value(tv), &type))
    ferr_add(errs, "type", "must be one of: person, vehicle, phone, location, online_account");
  if (ferr_any(errs)) {
    audit_invalid(r, "entity.create", "entity", NULL, errs);
    return SVC_INVALID;
  }
  int64_t now = time_now();
  char today[ISO_DATE_LEN];
  date_format(london_today(now), today);
  fields_check(input, entity_fields(type), NULL, false, errs);
  json_t *e = json_deep_copy(input);
  drop_bad(e, errs, NULL);
  entity_validate(type, e, today, errs);
  if (ferr_any(errs)) {
    json_decref(e);
    audit_invalid(r, "entity.create", "entity", NULL, errs);
    return SVC_INVALID;
  }
  char key[ENTITY_KEY_MAX], label[256];
  bool keyed = entity_key(type, e, key, sizeof key);
  entity_label(type, e, label, sizeof label);
  json_object_del(e, "type");
  struct db *db = req_db(r);
  if (keyed) {
    char id[ID_MAX];
    int rc = store_entity_by_key(db, key, id);
    if (rc == DB_ROW) {
      json_decref(e);
      *existed = true;
      return answer_existing(r, key, type, out);
    }
    if (rc != DB_DONE) {
      json_decref(e);
      return SVC_ERROR;
    }
  }
  char id[ID_MAX];
  ids_new("en", id, sizeof id);
  char *attrs = json_dumps(e, JSON_COMPACT);
  struct entity_row row = {id, entity_type_name(type), label, keyed ? key : NULL, attrs, NULL, NULL, NULL, NULL,
                           now, r->who.user_id, r->who.agency_id};
  if (type == ENTITY_PERSON) {
    row.ethnicity_self = js(e, "ethnicity_self");
    row.ethnicity_observed = js(e, "ethnicity_observed");
    row.nationality = js(e, "nationality");
  } else if (type == ENTITY_LOCATION) {
    row.location_kind = js(e, "kind");
  }
  json_t *d = json_pack("{s:s,s:o}", "type", entity_type_name(type), "fields", field_names(e));
  int rc = db_begin(db);
  if (rc == DB_OK) rc = store_entity_insert(db, &row);
  if (rc == DB_OK) rc = req_audit_tx(r, "entity.create", "entity", id, d);
  if (rc == DB_OK) rc = db_commit(db);
  free(attrs);
  json_decref(d);
  json_decref(e);
  if (rc != DB_OK) {
    db_rollback(db);
    /* Another agency recorded the same vehicle, phone, account or place a moment ago: that one is the record. */
    if (rc == DB_CONSTRAINT && keyed) {
      *existed = true;
      return answer_existing(r, key, type, out);
    }
    return SVC_ERROR;
  }
  return store_entity_get(db, id, out) == DB_ROW ? SVC_OK : SVC_ERROR;
}

/*
** Entity ID with the intelligence that links it ("intelligence": newest
** first, each with its grade and handling conditions) and its links
** ("links", labelled; a child the user may not open is not named).
** Audited as entity.read.  SVC_OK with *OUT; SVC_NOT_FOUND; SVC_FORBIDDEN;
** SVC_ERROR.
*/
int svc_entity_get(struct req *r, const char *id, json_t **out) {
  *out = NULL;
  if (!role_may(r, INTEL_READERS, "entity.read", "entity", id)) return SVC_FORBIDDEN;
  struct db *db = req_db(r);
  json_t *e = NULL, *items = NULL, *links = NULL;
  int rc = id_shaped(id) ? store_entity_get(db, id, &e) : DB_DONE;
  if (rc == DB_DONE) {
    req_audit(r, "entity.read", "entity", id, "not_found", NULL);
    return SVC_NOT_FOUND;
  }
  if (rc != DB_ROW) return SVC_ERROR;
  rc = store_entity_intel(db, id, ENTITY_ITEMS_SHOWN, &items);
  if (rc == DB_OK) rc = store_entity_links(db, id, ENTITY_LINKS_SHOWN, &links);
  if (rc != DB_OK) {
    json_decref(e);
    json_decref(items);
    return SVC_ERROR;
  }
  size_t i;
  json_t *item;
  json_array_foreach(items, i, item) {
    add_grade(item, false);
    json_object_del(item, "source_evaluation");
    json_object_del(item, "intelligence_assessment");
  }
  json_t *lists = json_pack("[O]", links);
  rc = label_all(r, lists);
  json_decref(lists);
  if (rc != SVC_OK) {
    json_decref(e);
    json_decref(items);
    json_decref(links);
    return SVC_ERROR;
  }
  json_object_set_new(e, "intelligence", items);
  json_object_set_new(e, "links", links);
  json_t *d = json_pack("{s:I,s:I}", "intelligence", (json_int_t)json_array_size(items), "links",
                        (json_int_t)json_array_size(links));
  req_audit(r, "entity.read", "entity", id, "ok", d);
  json_decref(d);
  *out = e;
  return SVC_OK;
}

/*
** Entities (of TYPE, when not NULL) whose label contains Q (ignoring case)
** or whose key is what Q normalises to as a registration or a phone number,
** at most SEARCH_RESULTS: {"results":[{"id","type","label"}]}.  Q and TYPE
** are checked by the caller.  Audited as entity.search (the type and the
** count, never the text).
*/
int svc_entity_search(struct req *r, const char *q, const char *type, json_t **out) {
  *out = NULL;
  if (!role_may(r, INTEL_READERS, "entity.search", "entity", NULL)) return SVC_FORBIDDEN;
  char today[ISO_DATE_LEN];
  date_format(london_today(time_now()), today);
  /* What Q would be as a registration and as a phone number, if it is one. */
  char keys[2][256] = {"", ""};
  static const struct {
    enum entity_type type;
    const char *field;
  } AS[2] = {{ENTITY_VEHICLE, "registration"}, {ENTITY_PHONE, "number"}};
  for (int k = 0; k < 2; k++) {
    json_t *probe = json_pack("{s:s}", AS[k].field, q);
    struct field_errors ignored;
    ferr_init(&ignored);
    if (!entity_validate(AS[k].type, probe, today, &ignored) || !entity_key(AS[k].type, probe, keys[k], sizeof keys[k]))
      keys[k][0] = '\0';
    ferr_free(&ignored);
    json_decref(probe);
  }
  json_t *results = NULL;
  if (store_entity_search(req_db(r), q, keys[0], keys[1], type, SEARCH_RESULTS, &results) != DB_OK) return SVC_ERROR;
  json_t *d = json_pack("{s:s?,s:I}", "type", type, "results", (json_int_t)json_array_size(results));
  req_audit(r, "entity.search", "entity", NULL, "ok", d);
  json_decref(d);
  *out = json_pack("{s:o}", "results", results);
  return SVC_OK;
}

/* ---- intelligence ---- */

/* What a link end names, once resolved. */
enum end_kind { END_NONE, END_ENTITY, END_CHILD, END_MERGED };

/*
** Resolves link end ID for the request's user: an entity, a child the user
** may open (END_MERGED with KEPT when it was merged into another record), or
** END_NONE for anything else, a child the user may not open included.
*/
static int resolve_end(struct req *r, const char *id, enum end_kind *kind, char kept[ID_MAX]) {
  *kind = END_NONE;
  kept[0] = '\0';
  if (!id_shaped(id)) return SVC_OK;
  char type[32];
  int rc = store_entity_type(req_db(r), id, type, sizeof type);
  if (rc == DB_ROW) {
    *kind = END_ENTITY;
    return SVC_OK;
  }
  if (rc != DB_DONE) return SVC_ERROR;
  char merged_into[ID_MAX];
  rc = store_intel_child(req_db(r), id, merged_into);
  if (rc != DB_ROW && rc != DB_DONE) return SVC_ERROR;
  /* Asked whether or not the child exists, so that a hidden child costs what an id of nothing costs. */
  bool visible = false;
  if (svc_child_access(r, id, &visible) != SVC_OK) return SVC_ERROR;
  if (rc == DB_DONE || !visible) return SVC_OK;
  if (merged_into[0]) {
    if (store_intel_kept(req_db(r), id, kept) != DB_ROW) return SVC_ERROR;
    *kind = END_MERGED;
    return SVC_OK;
  }
  *kind = END_CHILD;
  return SVC_OK;
}

/*
** Checks the links of LINKS beyond the allowlist (which checks each
** relation): the two ends different records, each end an entity or a child
** the user may open.  Adds errors to ERRS; collects the
** distinct children linked into CHILDREN and entities into ENTITIES.
*/
static int check_links(struct req *r, json_t *links, struct field_errors *errs, json_t *children, json_t *entities) {
  size_t i;
  json_t *l;
  /* Each distinct id is resolved once: a hundred links to one id cost one lookup. */
  json_t *resolved = json_object();
  json_array_foreach(links, i, l) {
    if (!json_is_object(l)) continue;
    char path[48];
    static const char *const END[2] = {"from", "to"};
    const char *ends[2] = {js(l, "from"), js(l, "to")};
    for (int e = 0; e < 2; e++) {
      snprintf(path, sizeof path, "links[%zu].%s", i, END[e]);
      if (!ends[e] || ferr_get(errs, path)) continue;
      enum end_kind kind;
      char kept[ID_MAX] = "";
      json_t *known = json_object_get(resolved, ends[e]);
      if (known) {
        kind = (enum end_kind)json_integer_value(json_array_get(known, 0));
        snprintf(kept, sizeof kept, "%s", json_string_value(json_array_get(known, 1)));
      } else if (resolve_end(r, ends[e], &kind, kept) != SVC_OK) {
        json_decref(resolved);
        return SVC_ERROR;
      } else {
        json_object_set_new(resolved, ends[e], json_pack("[i,s]", (int)kind, kept));
      }
      if (kind == END_NONE) {
        ferr_add(errs, path, "no such record");
      } else if (kind == END_MERGED) {
        ferr_add(errs, path, "this record was merged into %s: link that record instead", kept);
      } else {
        json_t *set = kind == END_CHILD ? children : entities;
        if (!json_object_get(set, ends[e])) json_object_set_new(set, ends[e], json_true());
      }
    }
    snprintf(path, sizeof path, "links[%zu].to", i);
    if (ends[0] && ends[1] && !strcmp(ends[0], ends[1])) ferr_add(errs, path, "must be another record than from");
  }
  json_decref(resolved);
  return SVC_OK;
}

/* Reads occurred_at of INPUT (an ISO 8601 instant, or a date meaning its start in UTC), not after NOW. */
static void read_occurred(json_t *input, int64_t now, bool *has, int64_t *at, struct field_errors *errs) {
  *has = false;
  *at = 0;
  json_t *v = json_object_get(input, "occurred_at");
  if (!v || json_is_null(v)) return;
  const char *s = json_string_value(v);
  int64_t days;
  if (s && time_parse_iso(s, at)) {
    if (*at > now) ferr_add(errs, "occurred_at", "must not be in the future");
  } else if (s && date_parse(s, &days)) {
    if (days > london_today(now)) ferr_add(errs, "occurred_at", "must not be in the future");
    *at = days * 86400;
  } else {
    ferr_add(errs, "occurred_at", "must be an ISO 8601 instant (2026-11-28T10:00:00Z) or a date (YYYY-MM-DD)");
  }
  *has = !ferr_get(errs, "occurred_at");
}

/* The trimmed copy of string member K of O, or NULL when absent or blank; the caller frees it. */
static char *trimmed(json_t *o, const char *k) {
  const char *s = js(o, k);
  if (!s) return NULL;
  char *t = text_trim_dup(s);
  if (t && !*t) {
    free(t);
    return NULL;
  }
  return t;
}

/* Item ID as recorded, graded and with labelled links, into *OUT; SVC_NOT_FOUND when absent.  Not audited. */
static int load_item(struct req *r, const char *id, json_t **out) {
  json_t *item = NULL;
  int rc = id_shaped(id) ? store_intel_get(req_db(r), id, &item) : DB_DONE;
  if (rc == DB_DONE) return SVC_NOT_FOUND;
  if (rc != DB_ROW) return SVC_ERROR;
  json_t *items = json_pack("[O]", item);
  rc = render_items(r, items);
  json_decref(items);
  if (rc != SVC_OK) {
    json_decref(item);
    return rc;
  }
  *out = item;
  return SVC_OK;
}

/*
** Records graded intelligence INPUT (see the file comment for what goes with
** it).  SVC_OK with *OUT (the item as recorded, new reference); SVC_INVALID
** with ERRS (nothing written); SVC_FORBIDDEN; SVC_ERROR.
*/
int svc_intel_create(struct req *r, json_t *input, struct field_errors *errs, json_t **out) {
  *out = NULL;
  if (!role_may(r, INTEL_RECORDERS, "intel.create", "intelligence", NULL)) return SVC_FORBIDDEN;
  int64_t now = time_now();
  fields_check(input, INTEL_FIELDS, NULL, false, errs);
  json_t *in = json_deep_copy(input);
  drop_bad(in, errs, "links");
  struct grading g;
  bool graded = grading_parse(in, &g, errs);
  bool has_occurred;
  int64_t occurred_at;
  read_occurred(in, now, &has_occurred, &occurred_at, errs);
  json_t *children = json_object(), *entities = json_object();
  /* The allowlist limits these too; the store must never see more whatever the allowlist says. */
  const char *text = js(in, "summary");
  if (text && strlen(text) > INTEL_SUMMARY_MAX) ferr_add(errs, "summary", "must be at most %d characters", INTEL_SUMMARY_MAX);
  json_t *links = json_object_get(in, "links");
  if (json_array_size(links) > INTEL_LINKS_MAX) ferr_add(errs, "links", "must have at most %d items", INTEL_LINKS_MAX);
  if (!json_is_array(links) || ferr_get(errs, "links")) links = NULL;
  int rc = links ? check_links(r, links, errs, children, entities) : SVC_OK;
  char *summary = trimmed(in, "summary"), *conditions = trimmed(in, "handling_conditions");
  if (rc == SVC_OK && (!graded || ferr_any(errs))) {
    audit_invalid(r, "intel.create", "intelligence", NULL, errs);
    rc = SVC_INVALID;
  }
  if (rc != SVC_OK) {
    free(summary);
    free(conditions);
    json_decref(children);
    json_decref(entities);
    json_decref(in);
    return rc;
  }
  char id[ID_MAX], grade[32], line[160];
  ids_new("in", id, sizeof id);
  grading_code(&g, grade, sizeof grade);
  bool conditioned = grading_has_conditions(&g);
  snprintf(line, sizeof line, "Intelligence recorded, graded %s%s", grade, conditioned ? " (handling conditions apply)" : "");
  struct intel_row it = {id,    summary ? summary : "", g.scheme == GRADING_5X5X5 ? "5x5x5" : "3x5x2",
                         g.source, g.intelligence, g.handling, conditioned ? conditions : NULL, has_occurred,
                         occurred_at, now, r->who.user_id, r->who.agency_id};
  struct db *db = req_db(r);
  int drc = db_begin(db);
  if (drc == DB_OK) drc = store_intel_insert(db, &it);
  size_t i;
  json_t *l;
  json_array_foreach(links, i, l) {
    if (drc != DB_OK) break;
    drc = store_intel_link_insert(db, id, (int)i, js(l, "from"), js(l, "to"), js(l, "relation"), now);
  }
  const char *child;
  json_t *v;
  json_object_foreach(children, child, v) {
    if (drc != DB_OK) break;
    drc = svc_involve(r, child, "recorded intelligence about the child");
    if (drc == DB_OK) drc = svc_chronology(r, child, now, "intelligence", line, "intelligence", id);
  }
  if (drc == DB_OK) {
    json_t *d = json_pack("{s:s,s:s,s:I,s:o,s:o}", "grading", it.grading, "grade", grade, "links",
                          (json_int_t)json_array_size(links), "entities", field_names(entities), "children",
                          field_names(children));
    drc = req_audit_tx(r, "intel.create", "intelligence", id, d);
    json_decref(d);
  }
  if (drc == DB_OK) drc = db_commit(db);
  if (drc != DB_OK) db_rollback(db);
  free(summary);
  free(conditions);
  json_decref(children);
  json_decref(entities);
  json_decref(in);
  if (drc != DB_OK) return SVC_ERROR;
  return load_item(r, id, out) == SVC_OK ? SVC_OK : SVC_ERROR;
}

/*
** Intelligence item ID, graded, with its handling conditions and labelled
** links.  Audited as intel.read.  SVC_OK with *OUT; SVC_NOT_FOUND;
** SVC_FORBIDDEN; SVC_ERROR.
*/
int svc_intel_get(struct req *r, const char *id, json_t **out) {
  *out = NULL;
  if (!role_may(r, INTEL_READERS, "intel.read", "intelligence", id)) return SVC_FORBIDDEN;
  int rc = load_item(r, id, out);
  if (rc == SVC_NOT_FOUND) req_audit(r, "intel.read", "intelligence", id, "not_found", NULL);
  else if (rc == SVC_OK) req_audit(r, "intel.read", "intelligence", id, "ok", NULL);
  return rc;
}

/*
** Items newest first, at most INTEL_LIST_MAX: every item, or (ABOUT not
** NULL) those linking the entity or child ABOUT, or a child merged into it.
** A child the user may not open is SVC_NOT_FOUND, as an id of nothing is.
** {"items":[...]} in *OUT.  Audited as intel.list on ABOUT.
*/
int svc_intel_list(struct req *r, const char *about, json_t **out) {
  *out = NULL;
  if (!role_may(r, INTEL_READERS, "intel.list", "intelligence", about)) return SVC_FORBIDDEN;
  struct db *db = req_db(r);
  const char *object_type = "intelligence";
  if (about) {
    char type[32], kept[ID_MAX];
    int rc = id_shaped(about) ? store_entity_type(db, about, type, sizeof type) : DB_DONE;
    if (rc == DB_ROW) {
      object_type = "entity";
    } else if (rc == DB_DONE && id_shaped(about) && (rc = store_intel_kept(db, about, kept)) == DB_ROW) {
      bool visible = false;
      if (svc_child_access(r, about, &visible) != SVC_OK) return SVC_ERROR;
      if (!visible) {
        req_audit(r, "intel.list", "child", about, "denied", NULL);
        return SVC_NOT_FOUND;
      }
      object_type = "child";
    } else if (rc == DB_DONE) {
      /* Asked anyway, so that a hidden child costs what an id of nothing costs. */
      bool visible = false;
      if (svc_child_access(r, about, &visible) != SVC_OK) return SVC_ERROR;
      req_audit(r, "intel.list", "intelligence", about, "not_found", NULL);
      return SVC_NOT_FOUND;
    } else {
      return SVC_ERROR;
    }
  }
  json_t *items = NULL;
  if (store_intel_list(db, about, INTEL_LIST_MAX, &items) != DB_OK) return SVC_ERROR;
  if (render_items(r, items) != SVC_OK) {
    json_decref(items);
    return SVC_ERROR;
  }
  json_t *d = json_pack("{s:I}", "items", (json_int_t)json_array_size(items));
  req_audit(r, "intel.list", object_type, about, "ok", d);
  json_decref(d);
  *out = json_pack("{s:o}", "items", items);
  return SVC_OK;
}
