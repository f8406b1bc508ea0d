/*
** The Fellegi-Sunter model of record linkage: for each field and each of its
** comparison levels, m (the chance of that level when the two records are
** the same person) and u (when they are not), whose log-ratio is the level's
** match weight in bits; the prior chance that two records picked at random
** are the same person; and term frequencies of first and last names, so
** that agreeing on a common surname counts for less than on a rare one.
** A pair's match weight is the prior's log-odds plus its levels' weights;
** its probability follows.  Models are saved as versioned JSON, and every
** score can be explained level by level.  Pure: no I/O.
**
** For a server matching one incoming person against candidate records:
** load the model (match_model_from_json), prepare each record
** (match_prepare), give them the model's name frequencies (match_tf_apply
** with m->tf), rank the candidates (match_rank) and explain the ones shown
** (match_explain, match_explanation_json).
*/
#ifndef SAFEHUB_CORE_MATCH_MODEL_H
#define SAFEHUB_CORE_MATCH_MODEL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "core/match/compare.h"
#include "core/match/record.h"
#include "core/match/strtab.h"

#define MATCH_MODEL_FORMAT "safehub-linkage-model"
#define MATCH_MODEL_VERSION 1
/* Names seen fewer times than this are left out of a saved model: they would identify people. */
#define MATCH_TF_SAVE_MIN 5

/* Term frequencies of first names (0) and last names (1). */
struct match_tf {
  struct strtab vals[2];
  uint64_t *count[2];
  size_t cap[2];
  uint64_t total[2];  /* records with the name present */
  uint64_t floor[2];  /* count assumed for a name absent from the table (0: 1) */
};

/* How the model was trained, kept with it for explanation. */
struct match_training {
  uint64_t records;
  uint64_t total_pairs;         /* every pair the input allows */
  uint64_t candidate_pairs;     /* candidate pairs EM was trained on */
  uint64_t random_pairs;        /* pairs sampled for u */
  uint64_t deterministic_pairs; /* candidates meeting a deterministic rule */
  double deterministic_recall;  /* estimated share of true matches the rules find */
  double em_lambda;             /* share of candidates that are matches, by EM */
  int em_iterations;
  bool em_converged;
};

struct match_model {
  double m[MF_COUNT][MATCH_MAX_LEVELS];
  double u[MF_COUNT][MATCH_MAX_LEVELS];
  double prior;                 /* chance two random records are the same person */
  double tf_min;                /* floor on a name's frequency in the adjustment */
  bool tf_adjust[MF_COUNT];     /* term-frequency adjustment at the exact level */
  struct match_training training;
  struct match_tf tf;
  /* Derived by match_model_finish. */
  double w[MF_COUNT][MATCH_MAX_LEVELS]; /* log2(m/u); 0 for missing */
  double prior_w;                       /* log2(prior / (1 - prior)) */
  char id[17];                          /* hex digest of the parameters */
};

/* One field of an explanation. */
struct match_explain_field {
  int level;
  double m, u;
  double weight;    /* log2(m/u) */
  double tf_weight; /* term-frequency adjustment in bits (0 if none) */
};

struct match_explanation {
  match_vec vec;
  double prior_weight;
  double weight; /* total match weight in bits */
  double probability;
  struct match_explain_field field[MF_COUNT];
};

/* One candidate's score against an incoming record (match_rank). */
struct match_ranked {
  size_t index; /* into the candidates */
  double weight;
  double probability;
};

void match_tf_init(struct match_tf *t);
void match_tf_free(struct match_tf *t);
void match_tf_count(struct match_tf *t, const struct match_record *rec, size_t n);
void match_tf_apply(const struct match_tf *t, struct match_record *rec, size_t n);

struct match_model *match_model_new(void);
void match_model_free(struct match_model *m);
void match_model_finish(struct match_model *m);
double match_score(const struct match_model *m, match_vec v, const struct match_record *a,
                   const struct match_record *b);
double match_probability(double weight);
double match_weight_for(double probability);
void match_explain(const struct match_model *m, const struct match_record *a, const struct match_record *b,
                   struct match_explanation *e);
size_t match_rank(const struct match_model *m, const struct match_record *incoming,
                  const struct match_record *candidates, size_t n, double min_probability,
                  struct match_ranked *out);
json_t *match_explanation_json(const struct match_explanation *e, const struct match_record *a,
                               const struct match_record *b);
char *match_model_to_json(const struct match_model *m);
struct match_model *match_model_from_json(const char *text, size_t len, char *err, size_t errcap);

#endif
