/*
** The Fellegi-Sunter model: term frequencies, scoring, explanation and the
** JSON form of a saved model (see model.h).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/match/model.h"
#include "util/xalloc.h"

/* Empty term-frequency tables. */
void match_tf_init(struct match_tf *t) {
  memset(t, 0, sizeof *t);
  strtab_init(&t->vals[0]);
  strtab_init(&t->vals[1]);
}

/* Frees the tables. */
void match_tf_free(struct match_tf *t) {
  for (int k = 0; k < 2; k++) {
    strtab_free(&t->vals[k]);
    free(t->count[k]);
  }
  memset(t, 0, sizeof *t);
}

/* Adds COUNT sightings of the name KEY to table K. */
static void tf_add(struct match_tf *t, int k, const char *key, size_t len, uint64_t count) {
  uint32_t id = strtab_intern(&t->vals[k], key, len);
  if (id >= t->cap[k]) {
    size_t cap = t->cap[k] ? t->cap[k] * 2 : 1024;
    while (cap <= id) cap *= 2;
    t->count[k] = xrealloc(t->count[k], cap * sizeof *t->count[k]);
    memset(t->count[k] + t->cap[k], 0, (cap - t->cap[k]) * sizeof *t->count[k]);
    t->cap[k] = cap;
  }
  t->count[k][id] += count;
  t->total[k] += count;
}

/* Counts the first and last names of the N records REC into T. */
void match_tf_count(struct match_tf *t, const struct match_record *rec, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (rec[i].first.len) tf_add(t, 0, rec[i].first.key, rec[i].first.len, 1);
    if (rec[i].last.len) tf_add(t, 1, rec[i].last.key, rec[i].last.len, 1);
  }
}

/* The share of records holding name KEY in table K: absent names count as seen floor (else once). */
static float tf_share(const struct match_tf *t, int k, const char *key, size_t len) {
  if (!t->total[k] || !len) return 0.0f;
  int64_t id = strtab_find(&t->vals[k], key, len);
  uint64_t c = id >= 0 ? t->count[k][id] : 0;
  if (c == 0) c = t->floor[k] ? t->floor[k] : 1;
  return (float)((double)c / (double)t->total[k]);
}

/* Sets the tf of every name of the N records REC from T. */
void match_tf_apply(const struct match_tf *t, struct match_record *rec, size_t n) {
  for (size_t i = 0; i < n; i++) {
    rec[i].first.tf = tf_share(t, 0, rec[i].first.key, rec[i].first.len);
    rec[i].last.tf = tf_share(t, 1, rec[i].last.key, rec[i].last.len);
  }
}

/* A model with neutral parameters (m = u, so every weight is 0); caller frees with match_model_free. */
struct match_model *match_model_new(void) {
  struct match_model *m = xcalloc(1, sizeof *m);
  for (int f = 0; f < MF_COUNT; f++) {
    int L = match_field_levels(f);
    for (int l = 0; l < L; l++) m->m[f][l] = m->u[f][l] = l ? 1.0 / (L - 1) : 1.0;
  }
  m->prior = 1e-4;
  m->tf_min = 1e-4;
  m->tf_adjust[MF_FIRST] = m->tf_adjust[MF_LAST] = true;
  match_tf_init(&m->tf);
  match_model_finish(m);
  return m;
}

/* Frees M and its tables (NULL is fine). */
void match_model_free(struct match_model *m) {
  if (!m) return;
  match_tf_free(&m->tf);
  free(m);
}

/* Derives the weights, the prior's log-odds and the model id from the parameters. */
void match_model_finish(struct match_model *m) {
  for (int f = 0; f < MF_COUNT; f++) {
    m->w[f][0] = 0.0;
    for (int l = 1; l < match_field_levels(f); l++) m->w[f][l] = log2(m->m[f][l] / m->u[f][l]);
  }
  m->prior_w = log2(m->prior / (1.0 - m->prior));
  /* The id covers exactly the parameters that decide a score, level by level. */
  double p[2 * MF_COUNT * MATCH_MAX_LEVELS + 2 + MF_COUNT];
  size_t n = 0;
  for (int f = 0; f < MF_COUNT; f++) {
    for (int l = 1; l < match_field_levels(f); l++) {
      p[n++] = m->m[f][l];
      p[n++] = m->u[f][l];
    }
    p[n++] = m->tf_adjust[f] ? 1.0 : 0.0;
  }
  p[n++] = m->prior;
  p[n++] = m->tf_min;
  snprintf(m->id, sizeof m->id, "%016llx", (unsigned long long)match_hash(p, n * sizeof *p));
}

/* Term-frequency adjustment in bits for field F agreeing exactly: log2(u / max(tf, tf_min)). */
static double tf_bits(const struct match_model *m, int f, const struct match_record *a,
                      const struct match_record *b) {
  const struct match_name *na = f == MF_FIRST ? &a->first : &a->last;
  const struct match_name *nb = f == MF_FIRST ? &b->first : &b->last;
  double tf = na->tf > nb->tf ? na->tf : nb->tf;
  if (tf <= 0.0) return 0.0;
  if (tf < m->tf_min) tf = m->tf_min;
  return log2(m->u[f][NAME_EXACT] / tf);
}

/* The match weight (bits) of two records with comparison vector V. */
double match_score(const struct match_model *m, match_vec v, const struct match_record *a,
                   const struct match_record *b) {
  double w = m->prior_w;
  for (int f = 0; f < MF_COUNT; f++) w += m->w[f][VEC_GET(v, f)];
  if (m->tf_adjust[MF_FIRST] && VEC_GET(v, MF_FIRST) == NAME_EXACT) w += tf_bits(m, MF_FIRST, a, b);
  if (m->tf_adjust[MF_LAST] && VEC_GET(v, MF_LAST) == NAME_EXACT) w += tf_bits(m, MF_LAST, a, b);
  return w;
}

/* The probability of a match weight: 1 / (1 + 2^-weight). */
double match_probability(double weight) { return 1.0 / (1.0 + exp2(-weight)); }

/* The match weight of a probability (the inverse of match_probability); PROBABILITY in (0, 1). */
double match_weight_for(double probability) { return log2(probability / (1.0 - probability)); }

/* Best first: higher weight, then lower index. */
static int cmp_ranked(const void *x, const void *y) {
  const struct match_ranked *a = x, *b = y;
  if (a->weight != b->weight) return a->weight > b->weight ? -1 : 1;
  return a->index < b->index ? -1 : a->index > b->index;
}

/*
** Scores INCOMING against each of the N CANDIDATES and writes to OUT (room
** for N) those whose probability is at least MIN_PROBABILITY, best first.
** Returns how many.  The records should carry the model's name frequencies.
*/
size_t match_rank(const struct match_model *m, const struct match_record *incoming,
                  const struct match_record *candidates, size_t n, double min_probability,
                  struct match_ranked *out) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    double w = match_score(m, match_compare(incoming, &candidates[i]), incoming, &candidates[i]);
    double p = match_probability(w);
    if (p >= min_probability) out[k++] = (struct match_ranked){i, w, p};
  }
  qsort(out, k, sizeof *out, cmp_ranked);
  return k;
}

/* Fills E with how the score of A and B is made up, field by field. */
void match_explain(const struct match_model *m, const struct match_record *a, const struct match_record *b,
                   struct match_explanation *e) {
  memset(e, 0, sizeof *e);
  e->vec = match_compare(a, b);
  e->prior_weight = m->prior_w;
  for (int f = 0; f < MF_COUNT; f++) {
    int l = VEC_GET(e->vec, f);
    struct match_explain_field *x = &e->field[f];
    x->level = l;
    x->m = l ? m->m[f][l] : 1.0;
    x->u = l ? m->u[f][l] : 1.0;
    x->weight = m->w[f][l];
    if ((f == MF_FIRST || f == MF_LAST) && m->tf_adjust[f] && l == NAME_EXACT) x->tf_weight = tf_bits(m, f, a, b);
  }
  e->weight = match_score(m, e->vec, a, b);
  e->probability = match_probability(e->weight);
}

/* The compared form of field F of R as text into BUF ("" when missing). */
static const char *field_text(int f, const struct match_record *r, char *buf, size_t cap) {
  buf[0] = '\0';
  switch (f) {
  case MF_FIRST: snprintf(buf, cap, "%s", r->first.key); break;
  case MF_LAST: snprintf(buf, cap, "%s", r->last.key); break;
  case MF_DOB:
    if (r->dob) snprintf(buf, cap, "%04d-%02d-%02d", r->dob / 10000, r->dob / 100 % 100, r->dob % 100);
    break;
  case MF_GENDER: {
    static const char *const g[] = {"", "female", "male", "other"};
    snprintf(buf, cap, "%s", g[r->gender & 3]);
    break;
  }
  case MF_POSTCODE: snprintf(buf, cap, "%s", r->pc); break;
  case MF_ADDRESS: {
    size_t o = 0;
    /* addr holds the words back to back in written order, each NUL-terminated. */
    const char *p = r->addr;
    for (int k = 0; k < r->ntok && o + 1 < cap; k++) {
      int n = snprintf(buf + o, cap - o, "%s%s", k ? " " : "", p);
      if (n < 0 || (size_t)n >= cap - o) break;
      o += (size_t)n;
      p += strlen(p) + 1;
    }
    break;
  }
  case MF_PHONE:
    if (r->phone_len) snprintf(buf, cap, "%0*llu", (int)r->phone_len, (unsigned long long)r->phone);
    break;
  case MF_NHS:
    if (r->nhs) snprintf(buf, cap, "%010llu", (unsigned long long)r->nhs);
    break;
  default: break;
  }
  return buf;
}

/*
** The explanation E of records A and B as JSON (new reference):
** {"probability","match_weight","prior_weight","fields":[{"field","level",
** "a","b","m","u","weight","tf_adjustment"}]}, the values as compared.
*/
json_t *match_explanation_json(const struct match_explanation *e, const struct match_record *a,
                               const struct match_record *b) {
  json_t *fields = json_array();
  for (int f = 0; f < MF_COUNT; f++) {
    const struct match_explain_field *x = &e->field[f];
    char va[MATCH_ADDR_BUF + 16], vb[MATCH_ADDR_BUF + 16];
    field_text(f, a, va, sizeof va);
    field_text(f, b, vb, sizeof vb);
    /* Level 0 with both sides present: not counted because the address agrees. */
    const char *label = x->level == 0 && va[0] && vb[0] ? "implied by the address (not counted)"
                                                         : match_level_label(f, x->level);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:f}", "field", match_field_name(f), "level", label, "a", va, "b", vb,
                          "weight", x->weight);
    if (x->level) {
      json_object_set_new(o, "m", json_real(x->m));
      json_object_set_new(o, "u", json_real(x->u));
    }
    if (x->tf_weight != 0.0) json_object_set_new(o, "tf_adjustment", json_real(x->tf_weight));
    json_array_append_new(fields, o);
  }
  return json_pack("{s:f,s:f,s:f,s:o}", "probability", e->probability, "match_weight", e->weight, "prior_weight",
                   e->prior_weight, "fields", fields);
}

/* The term-frequency table K as JSON, leaving out names seen fewer than MATCH_TF_SAVE_MIN times. */
static json_t *tf_json(const struct match_tf *t, int k) {
  json_t *vals = json_object();
  for (uint32_t id = 0; id < t->vals[k].n; id++) {
    if (t->count[k][id] >= MATCH_TF_SAVE_MIN)
      json_object_set_new(vals, strtab_str(&t->vals[k], id), json_integer((json_int_t)t->count[k][id]));
  }
  return json_pack("{s:I,s:I,s:o}", "total", (json_int_t)t->total[k], "absent_count",
                   (json_int_t)((MATCH_TF_SAVE_MIN - 1) / 2), "values", vals);
}

/*
** The model as JSON text (caller frees with free()): format and version,
** the model id, the prior, and per field its levels with m, u and weight,
** how it was trained, and the common names' frequencies.  Rare names are
** left out (they would identify people); on loading they count as seen
** twice.
*/
char *match_model_to_json(const struct match_model *m) {
  json_t *fields = json_array();
  for (int f = 0; f < MF_COUNT; f++) {
    json_t *levels = json_array();
    for (int l = 1; l < match_field_levels(f); l++) {
      json_array_append_new(levels, json_pack("{s:s,s:f,s:f,s:f}", "label", match_level_label(f, l), "m",
                                              m->m[f][l], "u", m->u[f][l], "weight", m->w[f][l]));
    }
    json_array_append_new(fields, json_pack("{s:s,s:b,s:o}", "name", match_field_name(f), "term_frequency",
                                            m->tf_adjust[f], "levels", levels));
  }
  const struct match_training *t = &m->training;
  json_t *training = json_pack(
      "{s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:i,s:b}", "records", (json_int_t)t->records, "total_pairs",
      (json_int_t)t->total_pairs, "candidate_pairs", (json_int_t)t->candidate_pairs, "random_pairs",
      (json_int_t)t->random_pairs, "deterministic_pairs", (json_int_t)t->deterministic_pairs,
      "deterministic_recall", t->deterministic_recall, "em_lambda", t->em_lambda, "em_iterations", t->em_iterations,
      "em_converged", t->em_converged);
  json_t *root = json_pack("{s:s,s:i,s:s,s:f,s:f,s:f,s:o,s:o,s:{s:o,s:o}}", "format", MATCH_MODEL_FORMAT, "version",
                           MATCH_MODEL_VERSION, "model_id", m->id, "prior", m->prior, "prior_weight", m->prior_w,
                           "tf_minimum", m->tf_min, "fields", fields, "training", training, "term_frequencies",
                           "first_name", tf_json(&m->tf, 0), "last_name", tf_json(&m->tf, 1));
  char *text = json_dumps(root, JSON_INDENT(1) | JSON_REAL_PRECISION(17));
  json_decref(root);
  if (!text) return NULL;
  char *out = xstrdup(text);
  free(text);
  return out;
}

/* A number in (0, 1] from member KEY of O into *OUT; false if absent or out of range. */
static bool get_prob(json_t *o, const char *key, double *out, bool allow_one) {
  json_t *v = json_object_get(o, key);
  if (!json_is_number(v)) return false;
  *out = json_number_value(v);
  return *out > 0.0 && (*out < 1.0 || (allow_one && *out <= 1.0));
}

/* Reads term-frequency table K from J into M; false when malformed. */
static bool tf_from_json(struct match_model *m, int k, json_t *j) {
  if (!j) return true;
  json_t *total = json_object_get(j, "total"), *absent = json_object_get(j, "absent_count"),
         *vals = json_object_get(j, "values");
  if (!json_is_integer(total) || json_integer_value(total) < 0 || !json_is_object(vals)) return false;
  const char *name;
  json_t *c;
  json_object_foreach(vals, name, c) {
    if (!json_is_integer(c) || json_integer_value(c) <= 0 || strlen(name) >= MATCH_NAME_MAX) return false;
    tf_add(&m->tf, k, name, strlen(name), (uint64_t)json_integer_value(c));
  }
  m->tf.total[k] = (uint64_t)json_integer_value(total);
  m->tf.floor[k] = json_is_integer(absent) && json_integer_value(absent) > 0 ? (uint64_t)json_integer_value(absent) : 1;
  return true;
}

/*
** Reads a model saved by match_model_to_json.  The format, version, fields
** and level labels must be exactly this program's, so a model can never be
** applied to comparisons it was not trained for.  Returns the model (caller
** frees with match_model_free), or NULL with the reason in ERR.
*/
struct match_model *match_model_from_json(const char *text, size_t len, char *err, size_t errcap) {
  json_error_t je;
  json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
  if (!root) {
    snprintf(err, errcap, "not JSON: line %d: %s", je.line, je.text);
    return NULL;
  }
  struct match_model *m = match_model_new();
  const char *why = NULL;
  json_t *fields = json_object_get(root, "fields");
  json_t *training = json_object_get(root, "training");
  json_t *tfs = json_object_get(root, "term_frequencies");
  if (!json_is_string(json_object_get(root, "format")) ||
      strcmp(json_string_value(json_object_get(root, "format")), MATCH_MODEL_FORMAT) != 0) {
    why = "not a Safehub linkage model";
  } else if (json_integer_value(json_object_get(root, "version")) != MATCH_MODEL_VERSION) {
    why = "a model of another version (this program reads version " "1" ")";
  } else if (!get_prob(root, "prior", &m->prior, false)) {
    why = "prior missing or not in (0, 1)";
  } else if (!get_prob(root, "tf_minimum", &m->tf_min, true)) {
    why = "tf_minimum missing or not in (0, 1]";
  } else if (!json_is_array(fields) || json_array_size(fields) != MF_COUNT) {
    why = "fields missing or not the fields this program compares";
  }
  for (int f = 0; !why && f < MF_COUNT; f++) {
    json_t *fo = json_array_get(fields, (size_t)f);
    json_t *levels = json_object_get(fo, "levels");
    const char *name = json_string_value(json_object_get(fo, "name"));
    if (!name || strcmp(name, match_field_name(f)) != 0 || !json_is_array(levels) ||
        json_array_size(levels) != (size_t)(match_field_levels(f) - 1)) {
      why = "fields or levels differ from those this program compares";
      break;
    }
    m->tf_adjust[f] = json_is_true(json_object_get(fo, "term_frequency")) && (f == MF_FIRST || f == MF_LAST);
    for (int l = 1; l < match_field_levels(f); l++) {
      json_t *lo = json_array_get(levels, (size_t)(l - 1));
      const char *label = json_string_value(json_object_get(lo, "label"));
      if (!label || strcmp(label, match_level_label(f, l)) != 0) {
        why = "level labels differ from those this program compares";
        break;
      }
      if (!get_prob(lo, "m", &m->m[f][l], true) || !get_prob(lo, "u", &m->u[f][l], true)) {
        why = "an m or u probability is missing or not in (0, 1]";
        break;
      }
    }
  }
  if (!why && json_is_object(training)) {
    struct match_training *t = &m->training;
    t->records = (uint64_t)json_integer_value(json_object_get(training, "records"));
    t->total_pairs = (uint64_t)json_integer_value(json_object_get(training, "total_pairs"));
    t->candidate_pairs = (uint64_t)json_integer_value(json_object_get(training, "candidate_pairs"));
    t->random_pairs = (uint64_t)json_integer_value(json_object_get(training, "random_pairs"));
    t->deterministic_pairs = (uint64_t)json_integer_value(json_object_get(training, "deterministic_pairs"));
    t->deterministic_recall = json_number_value(json_object_get(training, "deterministic_recall"));
    t->em_lambda = json_number_value(json_object_get(training, "em_lambda"));
    t->em_iterations = (int)json_integer_value(json_object_get(training, "em_iterations"));
    t->em_converged = json_is_true(json_object_get(training, "em_converged"));
  }
  if (!why && tfs &&
      (!json_is_object(tfs) || !tf_from_json(m, 0, json_object_get(tfs, "first_name")) ||
       !tf_from_json(m, 1, json_object_get(tfs, "last_name")))) {
    why = "term_frequencies malformed";
  }
  json_decref(root);
  if (why) {
    snprintf(err, errcap, "%s", why);
    match_model_free(m);
    return NULL;
  }
  match_model_finish(m);
  return m;
}
