/*
** safehub duplicates scan [--threshold P]: puts every pair of recorded
** children likely to be one child on the duplicates queue.
**
** Children are checked one by one as they are recorded through Safehub; this
** is for the records that never were: those loaded before identity
** resolution, by an import, or by the demo.  It links all children at once
** with the record-linkage engine (blocking, every core) and the model in
** force, so a million records take seconds, not one query each.  Pairs
** already on the queue, decided or not, are left as they are; nothing is
** merged.  Running it again adds nothing new.
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "core/match/linker.h"
#include "core/match/model.h"
#include "core/match/record.h"
#include "store/merge.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/codec.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

struct scan_opts {
  double threshold; /* probability; < 0: the duplicate_threshold_percent setting */
};

static int scan_opt(struct cli *c, int opt, const char *val, void *arg) {
  struct scan_opts *o = arg;
  if (opt != 't') return EXIT_USAGE;
  char *end;
  o->threshold = strtod(val, &end);
  if (*end || end == val || !(o->threshold > 0.0 && o->threshold < 1.0)) {
    cli_error(c->name, "--threshold must be a probability between 0 and 1, for example 0.9");
    return EXIT_USAGE;
  }
  return EXIT_OK;
}

/* The children as linkage inputs: ids and fields copied into one growing arena of strings. */
struct people {
  struct buf text;       /* NUL-separated fields */
  size_t (*off)[9];      /* per child, the offset of each field in TEXT, or SIZE_MAX for none */
  size_t n, cap;
};

static void add_child(void *ctx, const char *const cols[8]) {
  struct people *p = ctx;
  if (p->n == p->cap) {
    p->cap = p->cap ? 2 * p->cap : 1024;
    p->off = xrealloc(p->off, p->cap * sizeof *p->off);
  }
  /* cols: id, first_name, last_name, date_of_birth, gender, address, postcode, nhs_number; phone is never held. */
  static const int field_of[9] = {0, 1, 2, 3, 4, 5, 6, -1, 7};
  for (int f = 0; f < 9; f++) {
    const char *v = field_of[f] >= 0 ? cols[field_of[f]] : NULL;
    if (!v) {
      p->off[p->n][f] = SIZE_MAX;
      continue;
    }
    p->off[p->n][f] = p->text.len;
    buf_append(&p->text, v, strlen(v) + 1);
  }
  p->n++;
}

static const char *field(const struct people *p, size_t i, int f) {
  return p->off[i][f] == SIZE_MAX ? NULL : p->text.data + p->off[i][f];
}

/* A copy of the model in force, so that fitting its prior to these records leaves the shared one alone. */
static struct match_model *model_copy(const struct match_model *m) {
  char *json = match_model_to_json(m);
  char err[200];
  struct match_model *copy = json ? match_model_from_json(json, strlen(json), err, sizeof err) : NULL;
  free(json);
  return copy;
}

/* Adds the pairs at or above THRESHOLD to the queue in one transaction, audited; *ADDED counts new ones. */
static int enqueue(struct cli *c, const struct people *p, const struct match_record *rec, const struct match_model *m,
                   const struct match_pair *pairs, size_t npairs, double threshold, long *considered, long *added) {
  int64_t now = time_now();
  int rc = db_begin(c->db);
  for (size_t k = 0; k < npairs && rc == DB_OK; k++) {
    double prob = match_probability(pairs[k].weight);
    if (prob < threshold) continue;
    (*considered)++;
    const char *a = field(p, pairs[k].a, 0), *b = field(p, pairs[k].b, 0);
    if (strcmp(a, b) > 0) {
      const char *t = a;
      a = b;
      b = t;
    }
    struct match_explanation e;
    match_explain(m, &rec[pairs[k].a], &rec[pairs[k].b], &e);
    json_t *ex = match_explanation_json(&e, &rec[pairs[k].a], &rec[pairs[k].b]);
    char *text = json_dumps(json_object_get(ex, "fields"), JSON_COMPACT);
    json_decref(ex);
    char id[ID_MAX];
    ids_new("dp", id, sizeof id);
    rc = store_duplicate_add(c->db, id, a, b, prob, text ? text : "[]", m->id, now);
    free(text);
    if (rc == DB_OK) {
      /* The pair went in under this id only if it was not on the queue already. */
      json_t *got = NULL;
      if (store_duplicate_get(c->db, id, &got) == DB_ROW) (*added)++;
      json_decref(got);
    }
  }
  json_t *d = json_pack("{s:I,s:I,s:f}", "pairs", (json_int_t)*considered, "added", (json_int_t)*added, "threshold",
                        threshold);
  if (rc == DB_OK) rc = req_audit_tx(&c->req, "duplicates.scan", "duplicate", NULL, d);
  json_decref(d);
  if (rc == DB_OK) rc = db_commit(c->db);
  if (rc != DB_OK) db_rollback(c->db);
  return rc;
}

int cmd_duplicates(int argc, char **argv) {
  static const char usage[] = "scan [--threshold P]";
  if (argc < 2 || strcmp(argv[1], "scan") != 0) {
    cli_error("duplicates", "expected 'scan'");
    return cli_usage("duplicates", usage);
  }
  static const struct option opts[] = {{"threshold", required_argument, NULL, 't'}, {NULL, 0, NULL, 0}};
  struct scan_opts o = {-1.0};
  struct cli c;
  int rc = cli_parse(&c, "duplicates scan", argc - 1, argv + 1, NULL, opts, scan_opt, &o, usage + strlen("scan "));
  if (rc == EXIT_OK) rc = cli_open(&c, false);
  if (rc != EXIT_OK) {
    cli_close(&c);
    return rc;
  }
  double threshold = o.threshold > 0 ? o.threshold : c.cfg.duplicate_threshold_percent / 100.0;
  struct people p;
  memset(&p, 0, sizeof p);
  struct match_record *rec = NULL;
  struct match_pair *pairs = NULL;
  struct match_linker *lk = NULL;
  struct match_model *m = NULL;
  long considered = 0, added = 0;
  size_t npairs = 0;
  if (store_children_for_linkage(c.db, add_child, &p) != DB_OK) {
    cli_error("duplicates scan", "%s", db_error(c.db));
    rc = EXIT_RUNTIME;
    goto done;
  }
  if (!c.app.match_model || !(m = model_copy(c.app.match_model))) {
    cli_error("duplicates scan", "the record-linkage model could not be loaded");
    rc = EXIT_RUNTIME;
    goto done;
  }
  rec = xcalloc(p.n + 1, sizeof *rec);
  const struct match_names *names = match_names_default();
  for (size_t i = 0; i < p.n; i++) {
    struct match_input in = {field(&p, i, 0), field(&p, i, 1), field(&p, i, 2), field(&p, i, 3), field(&p, i, 4),
                             field(&p, i, 5), field(&p, i, 6), field(&p, i, 7), field(&p, i, 8)};
    unsigned warnings = 0;
    char why[160];
    if (match_prepare(names, &in, &rec[i], &warnings, why, sizeof why) != 0) {
      in.date_of_birth = NULL; /* a stored date is valid; keep the record without it rather than lose it */
      match_prepare(names, &in, &rec[i], &warnings, why, sizeof why);
    }
  }
  struct match_options mo;
  match_options_default(&mo);
  lk = match_linker_new(rec, p.n, p.n, false, &mo);
  match_linker_adapt_prior(lk, m);
  npairs = match_linker_predict(lk, m, &pairs);
  if (enqueue(&c, &p, rec, m, pairs, npairs, threshold, &considered, &added) != DB_OK) {
    cli_error("duplicates scan", "%s", db_error(c.db));
    rc = EXIT_RUNTIME;
    goto done;
  }
  printf("scanned %zu children: %ld pairs at or above probability %.2f, %ld new on the duplicates queue\n", p.n,
         considered, threshold, added);
done:
  free(pairs);
  if (lk) match_linker_free(lk);
  if (m) match_model_free(m);
  free(rec);
  free(p.off);
  buf_free(&p.text);
  cli_close(&c);
  return rc;
}
