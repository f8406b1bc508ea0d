/*
** Record linkage from end to end, for the command line and the server
** alike: term frequencies, blocking, training a model without labels (u
** from random pairs, m by EM over the candidate pairs, the prior from
** deterministic rules), and scoring the candidates against a threshold.
** Work is shared among threads in tasks whose results are combined in task
** order, so one thread and many give the same answer to the last bit.
** Pure: no I/O; the caller reads and writes files.
*/
#ifndef SAFEHUB_CORE_MATCH_LINKER_H
#define SAFEHUB_CORE_MATCH_LINKER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/match/block.h"
#include "core/match/em.h"
#include "core/match/model.h"
#include "core/match/record.h"

struct match_options {
  double threshold;      /* least probability of a reported pair (0.9) */
  int threads;           /* 0: every core */
  uint32_t max_block;    /* blocks above this many records use windows (100) */
  uint32_t window;       /* records each is compared with in such a block (20) */
  uint64_t random_pairs; /* pairs sampled to estimate u (2,000,000) */
  uint64_t train_pairs;  /* about this many candidate pairs, in whole blocks, train m (10,000,000) */
  int em_max_iter;       /* (500) */
  double em_tol;         /* (1e-6) */
  double tf_min;         /* floor on a name's frequency in the adjustment (1e-4) */
  uint64_t seed;         /* of the random pairs: fixed, so training is repeatable */
};

/* A pair at or above the threshold: record numbers a < b (when linking, a in A and b in B). */
struct match_pair {
  uint32_t a, b;
  double weight; /* bits; probability = match_probability(weight) */
};

struct match_stats {
  int nrules;
  const char *rule_name[MATCH_MAX_RULES];
  struct block_rule_stats rule[MATCH_MAX_RULES];
  uint64_t rule_pairs[MATCH_MAX_RULES]; /* candidate pairs each rule added */
  uint64_t candidate_pairs;
  uint64_t matched_pairs;
};

struct match_linker;

/* Inputs with fewer records than this are scored with a ready model (too little to learn from). */
#define MATCH_MIN_TRAIN_RECORDS 1000

void match_options_default(struct match_options *o);
struct match_linker *match_linker_new(struct match_record *rec, size_t n, size_t na, bool link,
                                      const struct match_options *o);
void match_linker_free(struct match_linker *lk);
uint64_t match_linker_total_pairs(const struct match_linker *lk);
void match_linker_random_u(struct match_linker *lk, double u[MF_COUNT][MATCH_MAX_LEVELS], uint64_t *sampled);
size_t match_linker_count_vectors(struct match_linker *lk, struct match_vec_count **out, uint64_t *pairs);
struct match_model *match_linker_train(struct match_linker *lk, char *err, size_t errcap);
size_t match_linker_predict(struct match_linker *lk, const struct match_model *m, struct match_pair **out);
void match_linker_stats(const struct match_linker *lk, struct match_stats *st);
void match_linker_adapt_prior(struct match_linker *lk, struct match_model *m);
void match_linker_rescale_prior(const struct match_linker *lk, struct match_model *m);
double match_prior_from_rules(const struct match_em *em, const struct match_vec_count *d, size_t nd,
                              uint64_t total_pairs, uint64_t candidates, uint64_t *det_pairs, double *recall);

#endif
