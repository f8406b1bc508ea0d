/*
** The linkage pipeline (see linker.h).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/match/linker.h"
#include "core/match/parallel.h"
#include "util/xalloc.h"

struct match_linker {
  struct match_record *rec;
  size_t n, na;
  bool link;
  struct match_options o;
  int threads;
  struct match_tf tf;
  struct block_plan plan;
  uint64_t *task_pairs; /* per task: candidate pairs visited in the last pass */
  struct match_stats st;
};

/* The defaults every run uses unless told otherwise (see struct match_options). */
void match_options_default(struct match_options *o) {
  o->threshold = 0.9;
  o->threads = 0;
  o->max_block = 100;
  o->window = 20;
  o->random_pairs = 2000000;
  o->train_pairs = 10000000;
  o->em_max_iter = 500;
  o->em_tol = 1e-6;
  o->tf_min = 1e-4;
  o->seed = 0x5AFE4B5EEDULL;
}

/*
** Prepares to link the N records REC (not copied; they must outlive the
** linker): computes the names' term frequencies into the records and builds
** the blocking plan.  When LINK, records [0, NA) are from file A and the
** rest from file B; otherwise all are deduplicated.  Free with match_linker_free.
*/
struct match_linker *match_linker_new(struct match_record *rec, size_t n, size_t na, bool link,
                                      const struct match_options *o) {
  struct match_linker *lk = xcalloc(1, sizeof *lk);
  lk->rec = rec;
  lk->n = n;
  lk->na = link ? na : n;
  lk->link = link;
  lk->o = *o;
  lk->threads = match_threads(o->threads);
  match_tf_init(&lk->tf);
  match_tf_count(&lk->tf, rec, n);
  match_tf_apply(&lk->tf, rec, n);
  block_plan_build(&lk->plan, rec, n, lk->na, link, match_block_rules, match_block_nrules, o->max_block, o->window,
                   lk->threads);
  lk->task_pairs = xcalloc(lk->plan.ntasks ? lk->plan.ntasks : 1, sizeof *lk->task_pairs);
  lk->st.nrules = lk->plan.nrules;
  for (int r = 0; r < lk->plan.nrules; r++) {
    lk->st.rule_name[r] = match_block_rules[r].name;
    lk->st.rule[r] = lk->plan.stats[r];
  }
  return lk;
}

/* Frees the linker (not the records). */
void match_linker_free(struct match_linker *lk) {
  if (!lk) return;
  block_plan_free(&lk->plan);
  match_tf_free(&lk->tf);
  free(lk->task_pairs);
  free(lk);
}

/* Every pair the input allows: n(n-1)/2 when deduplicating, |A| x |B| when linking. */
uint64_t match_linker_total_pairs(const struct match_linker *lk) {
  if (lk->link) return (uint64_t)lk->na * (uint64_t)(lk->n - lk->na);
  return (uint64_t)lk->n * (lk->n ? lk->n - 1 : 0) / 2;
}

/* Candidate-pair statistics of the last pass (blocking figures are known from the start). */
void match_linker_stats(const struct match_linker *lk, struct match_stats *st) {
  *st = lk->st;
  st->candidate_pairs = 0;
  memset(st->rule_pairs, 0, sizeof st->rule_pairs);
  for (size_t t = 0; t < lk->plan.ntasks; t++) {
    st->rule_pairs[lk->plan.tasks[t].rule] += lk->task_pairs[t];
    st->candidate_pairs += lk->task_pairs[t];
  }
}

/* splitmix64: the next number of the stream in *S. */
static uint64_t next_rand(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

#define U_CHUNK 65536

struct u_ctx {
  struct match_linker *lk;
  uint64_t pairs;
  uint64_t (*counts)[MF_COUNT][MATCH_MAX_LEVELS]; /* per chunk */
};

/* Compares one chunk of random pairs, its stream seeded by the chunk number. */
static void u_chunk(void *arg, size_t chunk, int worker) {
  (void)worker;
  struct u_ctx *c = arg;
  struct match_linker *lk = c->lk;
  uint64_t s = lk->o.seed ^ (chunk * 0xD1B54A32D192ED03ULL);
  uint64_t from = chunk * U_CHUNK, to = from + U_CHUNK < c->pairs ? from + U_CHUNK : c->pairs;
  uint64_t(*cnt)[MATCH_MAX_LEVELS] = c->counts[chunk];
  for (uint64_t k = from; k < to; k++) {
    size_t a, b;
    if (lk->link) {
      a = (size_t)(next_rand(&s) % lk->na);
      b = lk->na + (size_t)(next_rand(&s) % (lk->n - lk->na));
    } else {
      do {
        a = (size_t)(next_rand(&s) % lk->n);
        b = (size_t)(next_rand(&s) % lk->n);
      } while (a == b);
    }
    match_vec v = match_compare(&lk->rec[a], &lk->rec[b]);
    for (int f = 0; f < MF_COUNT; f++) cnt[f][VEC_GET(v, f)]++;
  }
}

/*
** Estimates u for every level from pairs drawn at random (nearly all of
** them non-matches): each level's share among the pairs where the field is
** present on both sides, with half a pseudo-count so that no level is
** impossible.  Sets *SAMPLED to the number of pairs drawn.
*/
void match_linker_random_u(struct match_linker *lk, double u[MF_COUNT][MATCH_MAX_LEVELS], uint64_t *sampled) {
  uint64_t total = match_linker_total_pairs(lk);
  uint64_t pairs = lk->o.random_pairs < total ? lk->o.random_pairs : total;
  size_t chunks = (size_t)((pairs + U_CHUNK - 1) / U_CHUNK);
  struct u_ctx c = {lk, pairs, xcalloc(chunks ? chunks : 1, sizeof *c.counts)};
  if (pairs) match_parallel(lk->threads, chunks, u_chunk, &c);
  uint64_t sum[MF_COUNT][MATCH_MAX_LEVELS] = {{0}};
  for (size_t k = 0; k < chunks; k++)
    for (int f = 0; f < MF_COUNT; f++)
      for (int l = 0; l < MATCH_MAX_LEVELS; l++) sum[f][l] += c.counts[k][f][l];
  free(c.counts);
  for (int f = 0; f < MF_COUNT; f++) {
    int L = match_field_levels(f);
    uint64_t present = 0;
    for (int l = 1; l < L; l++) present += sum[f][l];
    for (int l = 0; l < MATCH_MAX_LEVELS; l++) u[f][l] = 1.0;
    for (int l = 1; l < L; l++) u[f][l] = ((double)sum[f][l] + 0.5) / ((double)present + 0.5 * (L - 1));
  }
  *sampled = pairs;
}

/*
** EM training sessions: the pairs one blocking rule finds, with the fields
** that rule forces to agree left out (their agreement there says nothing).
** Their non-matches agree on little else, like random pairs, so u from
** random pairs fits them and only m and the share of matches are fitted.
** Rules that put households together (postcode and house number) are not
** used: siblings would pass for matches.  For the same reason the session
** on names leaves out where people live too: two brothers both called
** Muhammad share a surname and an address, and with the address in the
** session their differing dates would be learnt as normal among matches;
** and gender, which a first name all but decides.
*/
static const struct {
  int rule;
  int nexcl;
  int excl[6];
} SESSIONS[] = {
    {BLOCK_DOB, 1, {MF_DOB}},
    {BLOCK_NAMES, 6, {MF_FIRST, MF_LAST, MF_GENDER, MF_POSTCODE, MF_ADDRESS, MF_PHONE}},
};
#define NSESS ((int)(sizeof SESSIONS / sizeof SESSIONS[0]))
#define SESSION_MIN_PAIRS 50

struct count_ctx {
  struct match_linker *lk;
  struct vec_counts (*per_worker)[1 + NSESS]; /* all candidates, then each session */
  size_t stride;                              /* every stride-th task is counted */
};

struct count_visit {
  const struct match_linker *lk;
  struct vec_counts *vc; /* 1 + NSESS tables */
};

/* Counts the comparison vector of one candidate pair, and in each session whose rule finds it. */
static void count_pair(void *arg, uint32_t a, uint32_t b) {
  struct count_visit *v = arg;
  match_vec vec = match_compare(&v->lk->rec[a], &v->lk->rec[b]);
  vec_counts_add(&v->vc[0], vec, 1);
  for (int s = 0; s < NSESS; s++)
    if (SESSIONS[s].rule < v->lk->plan.nrules && block_found_by(&v->lk->plan, SESSIONS[s].rule, a, b))
      vec_counts_add(&v->vc[1 + s], vec, 1);
}

/* Counts the vectors of one blocking task into its worker's tables. */
static void count_task(void *arg, size_t k, int worker) {
  struct count_ctx *c = arg;
  size_t task = k * c->stride;
  struct count_visit v = {c->lk, c->per_worker[worker]};
  c->lk->task_pairs[task] = block_run_task(&c->lk->plan, task, count_pair, &v);
}

/*
** Compares the candidate pairs of every STRIDE-th blocking task (a sample
** of whole blocks; every pair when STRIDE is 1) and counts the distinct
** comparison vectors of all of them (OUT[0]) and of each training session
** (OUT[1..]), each sorted (caller frees each; sizes in NOUT).  Returns the
** pairs compared and sets *SHARE to the sampled tasks' share of the
** candidates.  Counts are integers, so their totals do not depend on which
** thread counted what.
*/
static uint64_t count_pass(struct match_linker *lk, size_t stride, struct match_vec_count *out[1 + NSESS],
                           size_t nout[1 + NSESS], double *share) {
  struct count_ctx c = {lk, xcalloc((size_t)lk->threads, sizeof *c.per_worker), stride ? stride : 1};
  for (int w = 0; w < lk->threads; w++)
    for (int k = 0; k < 1 + NSESS; k++) vec_counts_init(&c.per_worker[w][k]);
  memset(lk->task_pairs, 0, (lk->plan.ntasks ? lk->plan.ntasks : 1) * sizeof *lk->task_pairs);
  size_t ncounted = (lk->plan.ntasks + c.stride - 1) / c.stride;
  match_parallel(lk->threads, ncounted, count_task, &c);
  uint64_t est = 0;
  for (size_t k = 0; k < ncounted; k++) est += lk->plan.tasks[k * c.stride].est;
  *share = lk->plan.est_pairs ? (double)est / (double)lk->plan.est_pairs : 1.0;
  for (int k = 0; k < 1 + NSESS; k++) {
    struct vec_counts all;
    vec_counts_init(&all);
    for (int w = 0; w < lk->threads; w++) {
      vec_counts_merge(&all, &c.per_worker[w][k]);
      vec_counts_free(&c.per_worker[w][k]);
    }
    nout[k] = vec_counts_sorted(&all, &out[k]);
    vec_counts_free(&all);
  }
  free(c.per_worker);
  uint64_t pairs = 0;
  for (size_t t = 0; t < lk->plan.ntasks; t++) pairs += lk->task_pairs[t];
  return pairs;
}

/*
** Compares every candidate pair and counts the distinct comparison vectors.
** *OUT gets them sorted (caller frees); *PAIRS the candidates.  Returns how
** many distinct vectors.
*/
size_t match_linker_count_vectors(struct match_linker *lk, struct match_vec_count **out, uint64_t *pairs) {
  struct match_vec_count *d[1 + NSESS];
  size_t nd[1 + NSESS];
  double share;
  *pairs = count_pass(lk, 1, d, nd, &share);
  for (int k = 1; k < 1 + NSESS; k++) free(d[k]);
  *out = d[0];
  return nd[0];
}

/* True when vector V meets a deterministic rule: equal NHS numbers, or exact names and date of birth. */
static bool deterministic(match_vec v) {
  if (VEC_GET(v, MF_NHS) == NHS_EQUAL) return true;
  return VEC_GET(v, MF_FIRST) == NAME_EXACT && VEC_GET(v, MF_LAST) == NAME_EXACT && VEC_GET(v, MF_DOB) == DOB_EXACT;
}

/*
** The prior (chance that two records picked at random are the same person)
** from deterministic rules: the candidates meeting them, divided by the
** rules' recall and by every pair the input allows.  The recall is not
** guessed: it is the chance, under the fitted m and the share of matches
** with each field present, that a true match meets a rule.  When no pair
** meets a rule, EM's estimate of matches among the candidates is used.
** Sets *DET_PAIRS and *RECALL; returns the prior, within [1e-12, 0.5].
*/
double match_prior_from_rules(const struct match_em *em, const struct match_vec_count *d, size_t nd,
                              uint64_t total_pairs, uint64_t candidates, uint64_t *det_pairs, double *recall) {
  uint64_t det = 0;
  for (size_t k = 0; k < nd; k++)
    if (deterministic(d[k].v)) det += d[k].n;
  double p_nhs = em->present[MF_NHS] * em->m[MF_NHS][NHS_EQUAL];
  double p_names = em->present[MF_FIRST] * em->m[MF_FIRST][NAME_EXACT] * em->present[MF_LAST] *
                   em->m[MF_LAST][NAME_EXACT] * em->present[MF_DOB] * em->m[MF_DOB][DOB_EXACT];
  double r = 1.0 - (1.0 - p_nhs) * (1.0 - p_names);
  if (r < 0.05) r = 0.05;
  if (r > 1.0) r = 1.0;
  *det_pairs = det;
  *recall = r;
  double matches = det ? (double)det / r : em->lambda * (double)candidates;
  double prior = total_pairs ? matches / (double)total_pairs : 0.5;
  if (prior < 1e-12) prior = 1e-12;
  if (prior > 0.5) prior = 0.5;
  return prior;
}

/* Total of the counts in D. */
static uint64_t count_total(const struct match_vec_count *d, size_t n) {
  uint64_t t = 0;
  for (size_t k = 0; k < n; k++) t += d[k].n;
  return t;
}

/*
** Trains a model on the linker's records: u from random pairs; m by EM on
** the candidate pairs (a sample of whole blocks of about train_pairs pairs
** when there are more), in each training session (u held at the random pairs' values), each field's
** m the mean over the sessions that estimate it; a field no session could
** estimate (say, no dates of birth at all) is fitted by EM over every
** candidate with u free, as the candidates' non-matches agree more than
** random pairs do; the prior from deterministic rules; and the names' term
** frequencies.  Returns the model (caller frees with match_model_free), or
** NULL with why in ERR when there is too little to learn from.
*/
struct match_model *match_linker_train(struct match_linker *lk, char *err, size_t errcap) {
  uint64_t total = match_linker_total_pairs(lk);
  if (total == 0) {
    snprintf(err, errcap, "too few records to train a model (at least two, one on each side when linking)");
    return NULL;
  }
  struct match_model *m = match_model_new();
  struct match_training *t = &m->training;
  uint64_t sampled = 0;
  double u[MF_COUNT][MATCH_MAX_LEVELS];
  match_linker_random_u(lk, u, &sampled);
  struct match_vec_count *d[1 + NSESS];
  size_t nd[1 + NSESS];
  double share = 1.0;
  size_t stride = lk->o.train_pairs ? (size_t)(lk->plan.est_pairs / lk->o.train_pairs) + 1 : 1;
  uint64_t sampled_candidates = count_pass(lk, stride, d, nd, &share);
  double msum[MF_COUNT][MATCH_MAX_LEVELS] = {{0}}, psum[MF_COUNT] = {0};
  int nest[MF_COUNT] = {0};
  t->em_converged = true;
  for (int s = 0; s < NSESS; s++) {
    if (count_total(d[1 + s], nd[1 + s]) < SESSION_MIN_PAIRS) continue;
    bool estimate[MF_COUNT];
    for (int f = 0; f < MF_COUNT; f++) estimate[f] = true;
    for (int k = 0; k < SESSIONS[s].nexcl; k++) estimate[SESSIONS[s].excl[k]] = false;
    struct match_em em;
    match_em_init(&em, (const double(*)[MATCH_MAX_LEVELS])u);
    match_em_run(&em, d[1 + s], nd[1 + s], estimate, true, lk->o.em_max_iter, lk->o.em_tol);
    for (int f = 0; f < MF_COUNT; f++) {
      if (!estimate[f]) continue;
      for (int l = 1; l < match_field_levels(f); l++) msum[f][l] += em.m[f][l];
      psum[f] += em.present[f];
      nest[f]++;
    }
    t->em_iterations += em.iterations;
    t->em_converged &= em.converged;
    t->em_lambda = em.lambda;
  }
  bool missing = false;
  for (int f = 0; f < MF_COUNT; f++) missing |= nest[f] == 0;
  if (missing) {
    bool all[MF_COUNT];
    for (int f = 0; f < MF_COUNT; f++) all[f] = true;
    struct match_em em;
    match_em_init(&em, (const double(*)[MATCH_MAX_LEVELS])u);
    match_em_run(&em, d[0], nd[0], all, false, lk->o.em_max_iter, lk->o.em_tol);
    for (int f = 0; f < MF_COUNT; f++) {
      if (nest[f]) continue;
      for (int l = 1; l < match_field_levels(f); l++) msum[f][l] = em.m[f][l];
      psum[f] = em.present[f];
      nest[f] = 1;
    }
    t->em_iterations += em.iterations;
    t->em_converged &= em.converged;
  }
  struct match_em combined;
  memset(&combined, 0, sizeof combined);
  for (int f = 0; f < MF_COUNT; f++) {
    for (int l = 0; l < MATCH_MAX_LEVELS; l++) {
      combined.m[f][l] = l && l < match_field_levels(f) ? msum[f][l] / nest[f] : 1.0;
      m->m[f][l] = combined.m[f][l];
      m->u[f][l] = l ? u[f][l] : 1.0;
    }
    combined.present[f] = psum[f] / nest[f];
  }
  combined.lambda = t->em_lambda;
  m->prior = match_prior_from_rules(&combined, d[0], nd[0], total, sampled_candidates, &t->deterministic_pairs,
                                    &t->deterministic_recall);
  if (share > 0.0 && share < 1.0) {
    /* Rules met in the sample stand for the share of candidates sampled. */
    t->deterministic_pairs = (uint64_t)llround((double)t->deterministic_pairs / share);
    m->prior = m->prior / share > 0.5 ? 0.5 : m->prior / share;
  }
  for (int k = 0; k < 1 + NSESS; k++) free(d[k]);
  m->tf_min = lk->o.tf_min;
  t->records = lk->n;
  t->total_pairs = total;
  t->candidate_pairs = sampled_candidates;
  t->random_pairs = sampled;
  match_tf_count(&m->tf, lk->rec, lk->n);
  match_model_finish(m);
  return m;
}

/*
** Fits model M's prior to the linker's records, for a model trained on
** other data (the prior depends on how many records there are): the pairs
** that meet the deterministic rules over the rules' recall under M's m,
** with each field's presence on both sides taken from these records, over
** every pair.  When no pair meets a rule, M's expected matches per record
** are carried over to these records.
*/
void match_linker_adapt_prior(struct match_linker *lk, struct match_model *m) {
  struct match_vec_count *d[1 + NSESS];
  size_t nd[1 + NSESS];
  double share;
  uint64_t candidates = count_pass(lk, 1, d, nd, &share);
  struct match_em em;
  memset(&em, 0, sizeof em);
  for (int f = 0; f < MF_COUNT; f++) {
    for (int l = 0; l < MATCH_MAX_LEVELS; l++) em.m[f][l] = m->m[f][l];
    em.present[f] = 1.0;
  }
  /* Presence on both sides: the share of records with the field, squared. */
  uint64_t has[MF_COUNT] = {0};
  for (size_t i = 0; i < lk->n; i++) {
    const struct match_record *r = &lk->rec[i];
    has[MF_FIRST] += r->first.len > 0;
    has[MF_LAST] += r->last.len > 0;
    has[MF_DOB] += r->dob != 0;
    has[MF_NHS] += r->nhs != 0;
  }
  for (int f = 0; f < MF_COUNT; f++) {
    double p = lk->n ? (double)has[f] / (double)lk->n : 0.0;
    if (f == MF_FIRST || f == MF_LAST || f == MF_DOB || f == MF_NHS) em.present[f] = p * p;
  }
  uint64_t total = match_linker_total_pairs(lk), det;
  double recall;
  em.lambda = 0.0;
  double prior = match_prior_from_rules(&em, d[0], nd[0], total, candidates, &det, &recall);
  if (det == 0 && total && m->training.total_pairs && m->training.records) {
    double matches = m->prior * (double)m->training.total_pairs / (double)m->training.records * (double)lk->n;
    prior = matches / (double)total;
    if (prior > 0.5) prior = 0.5;
  }
  for (int k = 0; k < 1 + NSESS; k++) free(d[k]);
  if (prior > 0.0) m->prior = prior;
  m->training.deterministic_pairs = det;
  m->training.deterministic_recall = recall;
  match_model_finish(m);
}

/*
** Fits saved model M's prior to LK's input by its size: as many matches per
** record as in the input M was trained on, over this input's pairs.  On the
** input it was trained on the prior is unchanged.  A model that does not
** record its training size keeps its prior.  The training size becomes this
** input's, so that a model saved after rescaling rescales correctly again.
*/
void match_linker_rescale_prior(const struct match_linker *lk, struct match_model *m) {
  uint64_t total = match_linker_total_pairs(lk);
  struct match_training *t = &m->training;
  if (!total || !t->total_pairs || !t->records || lk->n == 0) return;
  double matches = m->prior * (double)t->total_pairs / (double)t->records * (double)lk->n;
  double prior = matches / (double)total;
  if (prior > 0.5) prior = 0.5;
  if (!(prior > 0.0)) return;
  m->prior = prior;
  t->records = lk->n;
  t->total_pairs = total;
  match_model_finish(m);
}

struct predict_ctx {
  struct match_linker *lk;
  const struct match_model *m;
  double min_weight;
  struct match_pair **out; /* per task */
  size_t *nout, *capout;
};

struct predict_visit {
  struct predict_ctx *c;
  size_t task;
};

/* Scores one candidate pair and keeps it when at or above the threshold. */
static void predict_pair(void *arg, uint32_t a, uint32_t b) {
  struct predict_visit *v = arg;
  struct predict_ctx *c = v->c;
  const struct match_record *ra = &c->lk->rec[a], *rb = &c->lk->rec[b];
  double w = match_score(c->m, match_compare(ra, rb), ra, rb);
  if (w < c->min_weight) return;
  size_t t = v->task;
  if (c->nout[t] == c->capout[t]) {
    c->capout[t] = c->capout[t] ? c->capout[t] * 2 : 64;
    c->out[t] = xrealloc(c->out[t], c->capout[t] * sizeof **c->out);
  }
  c->out[t][c->nout[t]++] = (struct match_pair){a, b, w};
}

/* Scores one blocking task's pairs. */
static void predict_task(void *arg, size_t task, int worker) {
  (void)worker;
  struct predict_ctx *c = arg;
  struct predict_visit v = {c, task};
  c->lk->task_pairs[task] = block_run_task(&c->lk->plan, task, predict_pair, &v);
}

/* Orders pairs by a, then b. */
static int cmp_pair(const void *x, const void *y) {
  const struct match_pair *p = x, *q = y;
  if (p->a != q->a) return p->a < q->a ? -1 : 1;
  return p->b < q->b ? -1 : p->b > q->b;
}

/*
** Scores every candidate pair with model M and returns in *OUT (caller
** frees) those whose probability is at least the threshold, sorted by
** record numbers.  Returns how many.
*/
size_t match_linker_predict(struct match_linker *lk, const struct match_model *m, struct match_pair **out) {
  size_t nt = lk->plan.ntasks;
  struct predict_ctx c = {lk, m, 0.0, xcalloc(nt ? nt : 1, sizeof *c.out), xcalloc(nt ? nt : 1, sizeof(size_t)),
                          xcalloc(nt ? nt : 1, sizeof(size_t))};
  double th = lk->o.threshold;
  c.min_weight = th <= 0.0 ? -INFINITY : th >= 1.0 ? INFINITY : match_weight_for(th);
  match_parallel(lk->threads, nt, predict_task, &c);
  size_t total = 0;
  for (size_t t = 0; t < nt; t++) total += c.nout[t];
  struct match_pair *all = xmalloc((total ? total : 1) * sizeof *all);
  size_t k = 0;
  for (size_t t = 0; t < nt; t++) {
    if (c.nout[t]) memcpy(all + k, c.out[t], c.nout[t] * sizeof *all);
    k += c.nout[t];
    free(c.out[t]);
  }
  free(c.out);
  free(c.nout);
  free(c.capout);
  qsort(all, total, sizeof *all, cmp_pair);
  lk->st.matched_pairs = total;
  *out = all;
  return total;
}
