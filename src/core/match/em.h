/*
** Expectation-maximisation for the Fellegi-Sunter model without labels.
** Candidate pairs are a mixture of matches and non-matches; EM finds, from
** how often each comparison vector occurs, the share of matches and each
** level's chance among matches (m) and, unless u is held fixed, among
** non-matches (u), assuming fields are independent within each class.  It
** runs over counts of distinct vectors, never over pairs, so a million
** pairs cost no more than a few thousand.  Level 0 (missing) is left out of
** every field's sums, and so is every field not being estimated (the fields
** a training session's blocking rule forces to agree).  Pure: no I/O.
*/
#ifndef SAFEHUB_CORE_MATCH_EM_H
#define SAFEHUB_CORE_MATCH_EM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/match/compare.h"

struct match_vec_count {
  match_vec v;
  uint64_t n;
};

/* Counts of distinct comparison vectors (an open-addressing table). */
struct vec_counts {
  uint64_t *key; /* vector + 1, 0 = empty */
  uint64_t *n;
  size_t cap, used;
};

void vec_counts_init(struct vec_counts *c);
void vec_counts_free(struct vec_counts *c);
void vec_counts_add(struct vec_counts *c, match_vec v, uint64_t n);
void vec_counts_merge(struct vec_counts *dst, const struct vec_counts *src);
size_t vec_counts_sorted(const struct vec_counts *c, struct match_vec_count **out);

struct match_em {
  double m[MF_COUNT][MATCH_MAX_LEVELS];
  double u[MF_COUNT][MATCH_MAX_LEVELS];
  double lambda;              /* share of matches among the pairs */
  double present[MF_COUNT];   /* share of matching pairs with the field on both sides */
  int iterations;
  bool converged;
};

#define EM_M_FLOOR 1e-3 /* no level is treated as impossible among matches */

void match_em_init(struct match_em *em, const double u_start[MF_COUNT][MATCH_MAX_LEVELS]);
void match_em_run(struct match_em *em, const struct match_vec_count *d, size_t n, const bool estimate[MF_COUNT],
                  bool fix_u, int max_iter, double tol);

#endif
