/*
** The problem profile (see intel.h): the partnership board's aggregate
** figures for a period of whole UTC days, computed from the database in the
** request and never cached.  Referrals and their timeliness, risk levels,
** missing episodes and return-home interviews, the children of concern by
** gender, age and ethnicity, the people and places named in intelligence,
** the groups the whole network falls into now, and how complete the
** recording of ethnicity and nationality is.  Only counts leave this file:
** no child, person or place is named, and no id is given.
**
** Every figure is read inside one read transaction, so that they agree with
** each other even while others write.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/codes.h"
#include "core/intel.h"
#include "core/network.h"
#include "core/referral.h"
#include "core/risk_tool.h"
#include "http/app.h"
#include "service/intel.h"
#include "service/service.h"
#include "store/intel_store.h"
#include "store/report_store.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define DAY 86400
#define PROFILE_MAX_YEARS 5 /* the longest period, in years */
#define NETWORK_GROUP_MIN 3 /* members of a community counted as a group */

/* The ages at which the children of concern's bands start, and the band each begins. */
static const int BAND_AGES[5] = {8, 11, 14, 16, 18};
static const char *const BANDS[] = {"8-10", "11-13", "14-15", "16-17", "other", NULL};

/* A period of whole UTC days, both ends included. */
struct period {
  int64_t from_days, to_days;
  char from[ISO_DATE_LEN], to[ISO_DATE_LEN];
};

/* Days since the epoch of the date YEARS before Y-M-D: 29 February falls back to the 28th in a common year. */
static int64_t years_before(int y, int m, int d, int years) {
  int yy = y - years;
  return days_from_civil(yy, m, date_valid(yy, m, d) ? d : d - 1);
}

/*
** Reads the period from FROM and TO (YYYY-MM-DD, either may be NULL for its
** default: TO today, FROM the day after the same date a year before TO),
** with TODAY the UTC day.  Adds an error naming "from" or "to" for each
** fault; true when there were none.
*/
static bool period_read(const char *from, const char *to, int64_t today, struct period *p, struct field_errors *errs) {
  memset(p, 0, sizeof *p);
  bool to_ok = true, from_ok = true;
  if (from) {
    from_ok = date_parse(from, &p->from_days);
    if (!from_ok) ferr_add(errs, "from", "must be a real date in the form YYYY-MM-DD");
  }
  if (to) {
    to_ok = date_parse(to, &p->to_days);
    if (!to_ok) ferr_add(errs, "to", "must be a real date in the form YYYY-MM-DD");
    else if (p->to_days > today) {
      ferr_add(errs, "to", "must not be after today");
      to_ok = false;
    }
  } else {
    p->to_days = today;
  }
  if (!to_ok || !from_ok) return false;
  int y, m, d;
  civil_from_days(p->to_days, &y, &m, &d);
  if (!from) p->from_days = years_before(y, m, d, 1) + 1;
  if (p->from_days > p->to_days) {
    ferr_add(errs, "from", "must not be after to");
    return false;
  }
  /* At most five years: FROM no earlier than the same date five years before TO. */
  if (p->from_days < years_before(y, m, d, PROFILE_MAX_YEARS)) {
    ferr_add(errs, "from", "must be no more than %d years before to", PROFILE_MAX_YEARS);
    return false;
  }
  date_format(p->from_days, p->from);
  date_format(p->to_days, p->to);
  return true;
}

/* PART of WHOLE as a percentage to one decimal place (halves rounded up), or JSON null when WHOLE is 0. New reference. */
static json_t *percent(int64_t part, int64_t whole) {
  if (whole <= 0) return json_null();
  int64_t tenths = (part * 1000 + whole / 2) / whole;
  return json_real((double)tenths / 10.0);
}

/* The count under K in O (0 when absent). */
static json_int_t count_of(json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

/* Adds N to the count under K in O. */
static void add_count(json_t *o, const char *k, json_int_t n) { json_object_set_new(o, k, json_integer(count_of(o, k) + n)); }

/*
** A new object with every code of LIST in its order (zero when FOUND has no
** count for it), followed by any other code FOUND holds (a code no longer in
** the list, still on old records).
*/
static json_t *every_code(const struct code *list, json_t *found) {
  json_t *o = json_object();
  for (const struct code *c = list; c->code; c++) json_object_set_new(o, c->code, json_integer(count_of(found, c->code)));
  const char *k;
  json_t *v;
  json_object_foreach(found, k, v) {
    if (!json_object_get(o, k)) json_object_set_new(o, k, json_integer(json_integer_value(v)));
  }
  return o;
}

/* The risk levels: those of the tool in force in its order, then any older tool's levels still in force. New reference. */
static json_t *every_level(const struct risk_tool *t, json_t *found) {
  json_t *o = json_object();
  for (int i = 0; i < t->nlevels; i++) json_object_set_new(o, t->levels[i].code, json_integer(count_of(found, t->levels[i].code)));
  const char *k;
  json_t *v;
  json_object_foreach(found, k, v) {
    if (!json_object_get(o, k)) json_object_set_new(o, k, json_integer(json_integer_value(v)));
  }
  return o;
}

/* Referrals received per calendar month of P, from the per-day counts BY_DAY: [{"month","received"}]. New reference. */
static json_t *by_month(const struct period *p, json_t *by_day) {
  int fy, fm, fd, ty, tm, td;
  civil_from_days(p->from_days, &fy, &fm, &fd);
  civil_from_days(p->to_days, &ty, &tm, &td);
  int months = (ty - fy) * 12 + (tm - fm) + 1;
  json_int_t *n = xcalloc((size_t)months, sizeof *n);
  const char *k;
  json_t *v;
  json_object_foreach(by_day, k, v) {
    int y, m, d;
    civil_from_days(strtoll(k, NULL, 10), &y, &m, &d);
    int i = (y - fy) * 12 + (m - fm);
    if (i >= 0 && i < months) n[i] += json_integer_value(v);
  }
  json_t *arr = json_array();
  for (int i = 0; i < months; i++) {
    char month[24];
    int y = fy + (fm - 1 + i) / 12, m = (fm - 1 + i) % 12 + 1;
    snprintf(month, sizeof month, "%04d-%02d", y, m);
    json_array_append_new(arr, json_pack("{s:s,s:I}", "month", month, "received", n[i]));
  }
  free(n);
  return arr;
}

/* The network as edges between node indexes, built link by link. */
struct net_build {
  json_t *index;          /* node id -> index */
  struct net_edge *edges; /* one per link (duplicates merged later) */
  int n, m, cap;
};

/* The index of node ID in B, added when new. */
static int node_index(struct net_build *b, const char *id) {
  json_t *v = json_object_get(b->index, id);
  if (v) return (int)json_integer_value(v);
  json_object_set_new(b->index, id, json_integer(b->n));
  return b->n++;
}

/* Adds one link (an undirected edge of weight 1); a link a merge made into a loop joins nothing. */
static void net_link(void *ctx, const struct intel_link_row *l) {
  struct net_build *b = ctx;
  if (!l->from_id || !l->to_id || !strcmp(l->from_id, l->to_id)) return;
  int a = node_index(b, l->from_id), c = node_index(b, l->to_id);
  if (b->m == b->cap) {
    b->cap = b->cap ? b->cap * 2 : 256;
    b->edges = xrealloc(b->edges, (size_t)b->cap * sizeof *b->edges);
  }
  b->edges[b->m++] = (struct net_edge){a < c ? a : c, a < c ? c : a, 1.0};
}

static int cmp_edge(const void *x, const void *y) {
  const struct net_edge *a = x, *b = y;
  if (a->a != b->a) return a->a < b->a ? -1 : 1;
  return a->b < b->b ? -1 : a->b > b->b;
}

/*
** The groups of the whole network now: the communities of at least
** NETWORK_GROUP_MIN nodes (*GROUPS) and the size of the largest (*LARGEST,
** 0 when there is none).  DB_OK, or the store's error; DB_ERROR when the
** measures fail.
*/
static int network_groups(struct db *db, int64_t *groups, int64_t *largest) {
  *groups = *largest = 0;
  struct net_build b = {json_object(), NULL, 0, 0, 0};
  int rc = store_intel_links_each(db, net_link, &b);
  if (rc == DB_OK && b.m > 0) {
    /* Links joining the same two nodes make one edge, weighted by how many there are. */
    qsort(b.edges, (size_t)b.m, sizeof *b.edges, cmp_edge);
    int m = 0;
    for (int i = 0; i < b.m; i++) {
      if (m > 0 && b.edges[m - 1].a == b.edges[i].a && b.edges[m - 1].b == b.edges[i].b) b.edges[m - 1].weight += 1.0;
      else b.edges[m++] = b.edges[i];
    }
    struct net_graph g = {b.n, m, b.edges};
    struct net_measures nm;
    if (net_groups(&g, &nm) != 0) {
      log_error("problem profile: the network measures failed (%d nodes, %d edges)", b.n, m);
      rc = DB_ERROR;
    } else {
      int *size = xcalloc((size_t)nm.communities + 1, sizeof *size);
      for (int i = 0; i < nm.n; i++) {
        if (nm.community[i] >= 0 && nm.community[i] < nm.communities) size[nm.community[i]]++;
      }
      for (int c = 0; c < nm.communities; c++) {
        if (size[c] < NETWORK_GROUP_MIN) continue;
        (*groups)++;
        if (size[c] > *largest) *largest = size[c];
      }
      free(size);
      net_measures_free(&nm);
    }
  }
  free(b.edges);
  json_decref(b.index);
  return rc;
}

/* Everything read from the store for one profile; each object a new reference. */
struct figures {
  struct report_referrals ref;
  json_t *by_day, *by_source, *outcomes;
  int64_t assessed;
  json_t *levels;
  struct report_missing missing;
  json_t *concern, *suspects, *places;
  int64_t groups, largest;
};

static void figures_free(struct figures *f) {
  json_decref(f->by_day);
  json_decref(f->by_source);
  json_decref(f->outcomes);
  json_decref(f->levels);
  json_decref(f->concern);
  json_decref(f->suspects);
  json_decref(f->places);
}

/* Reads every figure of period P into F in one read transaction. DB_OK or the store's error. */
static int figures_read(struct db *db, const struct period *p, int64_t now, struct figures *f) {
  int64_t from = p->from_days * DAY, until = (p->to_days + 1) * DAY;
  /* Age bands by date of birth at the period's end: a child has reached age A when born on or before TO minus A years. */
  int y, m, d;
  civil_from_days(p->to_days, &y, &m, &d);
  char dob_max[5][16];
  const char *dob_ptr[5];
  for (int i = 0; i < 5; i++) {
    snprintf(dob_max[i], sizeof dob_max[i], "%04d-%02d-%02d", y - BAND_AGES[i], m, d);
    dob_ptr[i] = dob_max[i];
  }
  int rc = db_begin_read(db);
  if (rc == DB_OK) rc = store_report_referrals(db, from, until, &f->ref, &f->by_source, &f->outcomes);
  if (rc == DB_OK) rc = store_report_referrals_by_day(db, from, until, &f->by_day);
  if (rc == DB_OK) rc = store_report_risk(db, from, until, &f->assessed, &f->levels);
  if (rc == DB_OK) rc = store_report_missing(db, from, until, now, &f->missing);
  if (rc == DB_OK) rc = store_report_children_of_concern(db, from, until, dob_ptr, &f->concern);
  if (rc == DB_OK) rc = store_report_suspects(db, from, until, &f->suspects);
  if (rc == DB_OK) rc = store_report_places(db, from, until, &f->places);
  if (rc == DB_OK) rc = network_groups(db, &f->groups, &f->largest);
  if (db_in_transaction(db)) {
    if (rc == DB_OK) rc = db_commit(db);
    else db_rollback(db);
  }
  return rc;
}

/* The children of concern section (and their part of completeness into COMPLETE). New reference. */
static json_t *concern_json(json_t *rows, json_t *complete) {
  json_t *gender = json_object(), *band = json_object(), *eth = json_object();
  json_int_t total = 0;
  size_t i;
  json_t *row;
  json_array_foreach(rows, i, row) {
    json_int_t n = json_integer_value(json_object_get(row, "n"));
    total += n;
    add_count(gender, json_string_value(json_object_get(row, "gender")), n);
    add_count(band, json_string_value(json_object_get(row, "age_band")), n);
    add_count(eth, json_string_value(json_object_get(row, "ethnicity")), n);
  }
  json_t *bands = json_object();
  for (int k = 0; BANDS[k]; k++) json_object_set_new(bands, BANDS[k], json_integer(count_of(band, BANDS[k])));
  json_int_t nobt = count_of(eth, "NOBT"), refu = count_of(eth, "REFU");
  json_object_set_new(complete, "children_ethnicity_recorded_pct", percent(total - nobt - refu, total));
  json_object_set_new(complete, "children_ethnicity_not_obtained", json_integer(nobt));
  json_object_set_new(complete, "children_ethnicity_refused", json_integer(refu));
  json_t *o = json_pack("{s:I,s:o,s:o,s:o}", "total", total, "by_gender", every_code(GENDERS, gender), "by_age_band",
                        bands, "by_ethnicity", every_code(ETHNICITY_CODES, eth));
  json_decref(gender);
  json_decref(band);
  json_decref(eth);
  return o;
}

/* The suspects section (and their part of completeness into COMPLETE). New reference. */
static json_t *suspects_json(json_t *rows, json_t *complete) {
  json_t *self = json_object(), *observed = json_object(), *nat = json_object();
  json_int_t total = 0;
  size_t i;
  json_t *row;
  json_array_foreach(rows, i, row) {
    json_int_t n = json_integer_value(json_object_get(row, "n"));
    total += n;
    add_count(self, json_string_value(json_object_get(row, "ethnicity_self")), n);
    add_count(observed, json_string_value(json_object_get(row, "ethnicity_observed")), n);
    add_count(nat, json_string_value(json_object_get(row, "nationality")), n);
  }
  json_object_set_new(complete, "suspects_ethnicity_self_recorded_pct", percent(total - count_of(self, "not_known"), total));
  json_object_set_new(complete, "suspects_ethnicity_observed_recorded_pct",
                      percent(total - count_of(observed, "not_known"), total));
  json_object_set_new(complete, "suspects_nationality_recorded_pct", percent(total - count_of(nat, "not_known"), total));
  /* Only the nationalities recorded are listed, but "not known" always is, as the code lists' rows are. */
  if (!json_object_get(nat, "not_known")) json_object_set_new(nat, "not_known", json_integer(0));
  json_t *o = json_pack("{s:I,s:o,s:o,s:o}", "people_recorded", total, "by_ethnicity_self",
                        every_code(INTEL_ETHNICITY_SELF, self), "by_ethnicity_observed",
                        every_code(INTEL_ETHNICITY_OBSERVED, observed), "by_nationality", nat);
  json_decref(self);
  json_decref(observed);
  return o;
}

/* The answer from the figures F of period P. New reference. */
static json_t *profile_json(const struct risk_tool *t, const struct period *p, struct figures *f) {
  json_t *complete = json_object();
  json_t *referrals = json_pack(
      "{s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o}", "received", (json_int_t)f->ref.received, "with_cse_indicators",
      (json_int_t)f->ref.with_indicators, "decided", (json_int_t)f->ref.decided, "decided_in_time",
      (json_int_t)f->ref.decided_in_time, "decided_in_time_pct", percent(f->ref.decided_in_time, f->ref.decided),
      "by_month", by_month(p, f->by_day), "by_source", every_code(AGENCY_TYPES, f->by_source), "outcomes",
      every_code(REFERRAL_OUTCOMES, f->outcomes));
  json_t *risk = json_pack("{s:I,s:o}", "children_assessed", (json_int_t)f->assessed, "current_by_level",
                           every_level(t, f->levels));
  json_t *missing = json_pack(
      "{s:I,s:I,s:I,s:I,s:o}", "episodes", (json_int_t)f->missing.episodes, "children", (json_int_t)f->missing.children,
      "return_interviews_due", (json_int_t)f->missing.interviews_due, "return_interviews_in_time",
      (json_int_t)f->missing.interviews_in_time, "return_interviews_in_time_pct",
      percent(f->missing.interviews_in_time, f->missing.interviews_due));
  json_t *concern = concern_json(f->concern, complete);
  json_t *suspects = suspects_json(f->suspects, complete);
  /* The order the figures are read in is the order the completeness members are listed in the contract. */
  json_t *completeness = json_object();
  static const char *const ORDER[] = {"children_ethnicity_recorded_pct", "children_ethnicity_not_obtained",
                                      "children_ethnicity_refused", "suspects_ethnicity_self_recorded_pct",
                                      "suspects_ethnicity_observed_recorded_pct", "suspects_nationality_recorded_pct", NULL};
  for (int i = 0; ORDER[i]; i++) json_object_set(completeness, ORDER[i], json_object_get(complete, ORDER[i]));
  json_decref(complete);
  json_t *places = json_pack("{s:o}", "by_kind", every_code(INTEL_LOCATION_KINDS, f->places));
  json_t *networks = json_pack("{s:I,s:I}", "groups", (json_int_t)f->groups, "largest", (json_int_t)f->largest);
  return json_pack("{s:{s:s,s:s},s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "period", "from", p->from, "to", p->to,
                   "referrals", referrals, "risk", risk, "missing", missing, "children_of_concern", concern, "suspects",
                   suspects, "places", places, "networks", networks, "completeness", completeness);
}

/*
** The problem profile for the days FROM to TO (YYYY-MM-DD, both included,
** UTC; NULL for the defaults: the twelve months to today).  SVC_OK with the
** figures in *OUT (new reference); SVC_INVALID with an error naming "from"
** or "to" in ERRS (not a real date, TO after today, FROM after TO, or more
** than five years); SVC_FORBIDDEN for a role that may not read it;
** SVC_ERROR on a database failure.  Audited as report.problem_profile with
** the period (or the fields refused), never a figure.
*/
int svc_problem_profile(struct req *r, const char *from, const char *to, struct field_errors *errs, json_t **out) {
  static const char ACTION[] = "report.problem_profile";
  *out = NULL;
  if (!role_in(r->who.role, REPORT_READERS)) {
    req_audit(r, ACTION, "report", NULL, "denied", NULL);
    return SVC_FORBIDDEN;
  }
  int64_t now = time_now();
  struct period p;
  if (!period_read(from, to, now / DAY, &p, errs)) {
    json_t *names = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(errs->fields, k, v) json_array_append_new(names, json_string(k));
    json_t *d = json_pack("{s:o}", "fields", names);
    req_audit(r, ACTION, "report", NULL, "invalid", d);
    json_decref(d);
    return SVC_INVALID;
  }
  struct figures f;
  memset(&f, 0, sizeof f);
  int rc = figures_read(req_db(r), &p, now, &f);
  if (rc != DB_OK) {
    log_error("problem profile: %s", db_error(req_db(r)));
    figures_free(&f);
    return SVC_ERROR;
  }
  *out = profile_json(&r->app->risk_tool, &p, &f);
  figures_free(&f);
  json_t *d = json_pack("{s:s,s:s}", "from", p.from, "to", p.to);
  req_audit(r, ACTION, "report", NULL, "ok", d);
  json_decref(d);
  return SVC_OK;
}
