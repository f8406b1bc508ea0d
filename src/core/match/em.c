/*
** Counting comparison vectors and the EM iterations (see em.h).
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/match/em.h"
#include "core/match/strtab.h"
#include "util/xalloc.h"

/* An empty table. */
void vec_counts_init(struct vec_counts *c) { memset(c, 0, sizeof *c); }

/* Frees the table. */
void vec_counts_free(struct vec_counts *c) {
  free(c->key);
  free(c->n);
  memset(c, 0, sizeof *c);
}

/* Slot of vector key K (stored as vector + 1). */
static size_t slot_of(const struct vec_counts *c, uint64_t k) {
  size_t i = (size_t)match_hash(&k, sizeof k) & (c->cap - 1);
  while (c->key[i] && c->key[i] != k) i = (i + 1) & (c->cap - 1);
  return i;
}

/* Doubles the table. */
static void vc_grow(struct vec_counts *c) {
  struct vec_counts g = {xcalloc(c->cap ? c->cap * 2 : 1024, sizeof(uint64_t)),
                         xcalloc(c->cap ? c->cap * 2 : 1024, sizeof(uint64_t)), c->cap ? c->cap * 2 : 1024, 0};
  for (size_t i = 0; i < c->cap; i++) {
    if (!c->key[i]) continue;
    size_t j = slot_of(&g, c->key[i]);
    g.key[j] = c->key[i];
    g.n[j] = c->n[i];
    g.used++;
  }
  free(c->key);
  free(c->n);
  *c = g;
}

/* Adds N occurrences of vector V. */
void vec_counts_add(struct vec_counts *c, match_vec v, uint64_t n) {
  if ((c->used + 1) * 2 > c->cap) vc_grow(c);
  uint64_t k = (uint64_t)v + 1;
  size_t i = slot_of(c, k);
  if (!c->key[i]) {
    c->key[i] = k;
    c->used++;
  }
  c->n[i] += n;
}

/* Adds every count of SRC to DST. */
void vec_counts_merge(struct vec_counts *dst, const struct vec_counts *src) {
  for (size_t i = 0; i < src->cap; i++)
    if (src->key[i]) vec_counts_add(dst, (match_vec)(src->key[i] - 1), src->n[i]);
}

/* Orders vectors ascending. */
static int cmp_vc(const void *a, const void *b) {
  match_vec x = ((const struct match_vec_count *)a)->v, y = ((const struct match_vec_count *)b)->v;
  return x < y ? -1 : x > y;
}

/*
** The distinct vectors and their counts, sorted by vector so that sums over
** them are made in the same order whatever order they were counted in.
** *OUT is allocated (caller frees); returns how many.
*/
size_t vec_counts_sorted(const struct vec_counts *c, struct match_vec_count **out) {
  *out = xmalloc((c->used ? c->used : 1) * sizeof **out);
  size_t k = 0;
  for (size_t i = 0; i < c->cap; i++)
    if (c->key[i]) (*out)[k++] = (struct match_vec_count){(match_vec)(c->key[i] - 1), c->n[i]};
  qsort(*out, k, sizeof **out, cmp_vc);
  return k;
}

/*
** Starting values: u as given (from random pairs), m leaning strongly
** towards each field's first (best) level, a tenth of the pairs matches.
*/
void match_em_init(struct match_em *em, const double u_start[MF_COUNT][MATCH_MAX_LEVELS]) {
  memset(em, 0, sizeof *em);
  for (int f = 0; f < MF_COUNT; f++) {
    int L = match_field_levels(f);
    double rest = 0.0;
    for (int l = 2; l < L; l++) rest += ldexp(1.0, -(l - 1));
    for (int l = 1; l < L; l++) {
      em->m[f][l] = l == 1 ? 0.75 : 0.25 * ldexp(1.0, -(l - 1)) / rest;
      em->u[f][l] = u_start[f][l];
    }
    em->present[f] = 1.0;
  }
  em->lambda = 0.1;
}

/* Normalises levels 1..L-1 of P to sum to one after flooring each at FLOOR. */
static void normalise(double *p, int L, double floor) {
  double s = 0.0;
  for (int l = 1; l < L; l++) {
    if (p[l] < floor) p[l] = floor;
    s += p[l];
  }
  for (int l = 1; l < L; l++) p[l] /= s;
}

/*
** Runs EM on the N distinct vectors D from the values in EM until no
** parameter moves by more than TOL or MAX_ITER rounds have passed.  Only
** the fields marked in ESTIMATE take part; when FIX_U, u stays as given
** (known from random pairs) and only m and lambda are fitted.  Each level's
** estimate carries half a pseudo-count, so a level never seen keeps a small
** chance; m is floored at EM_M_FLOOR.  Results are left in EM.
*/
void match_em_run(struct match_em *em, const struct match_vec_count *d, size_t n, const bool estimate[MF_COUNT],
                  bool fix_u, int max_iter, double tol) {
  double sm[MF_COUNT][MATCH_MAX_LEVELS], su[MF_COUNT][MATCH_MAX_LEVELS];
  double pm[MF_COUNT], pu[MF_COUNT];
  em->iterations = 0;
  em->converged = false;
  for (int it = 0; it < max_iter; it++) {
    memset(sm, 0, sizeof sm);
    memset(su, 0, sizeof su);
    memset(pm, 0, sizeof pm);
    memset(pu, 0, sizeof pu);
    double tm = 0.0, tu = 0.0;
    for (size_t k = 0; k < n; k++) {
      double lm = em->lambda, lu = 1.0 - em->lambda;
      for (int f = 0; f < MF_COUNT; f++) {
        int l = VEC_GET(d[k].v, f);
        if (!l || !estimate[f]) continue;
        lm *= em->m[f][l];
        lu *= em->u[f][l];
      }
      double post = lm + lu > 0.0 ? lm / (lm + lu) : 0.0;
      double wm = post * (double)d[k].n, wu = (1.0 - post) * (double)d[k].n;
      tm += wm;
      tu += wu;
      for (int f = 0; f < MF_COUNT; f++) {
        int l = VEC_GET(d[k].v, f);
        if (!l || !estimate[f]) continue;
        sm[f][l] += wm;
        su[f][l] += wu;
        pm[f] += wm;
        pu[f] += wu;
      }
    }
    double delta = 0.0, total = tm + tu;
    double lambda = total > 0.0 ? tm / total : em->lambda;
    delta = fabs(lambda - em->lambda);
    em->lambda = lambda;
    for (int f = 0; f < MF_COUNT; f++) {
      if (!estimate[f]) continue;
      int L = match_field_levels(f);
      double nm[MATCH_MAX_LEVELS], nu[MATCH_MAX_LEVELS];
      for (int l = 1; l < L; l++) {
        nm[l] = (sm[f][l] + 0.5) / (pm[f] + 0.5 * (L - 1));
        nu[l] = (su[f][l] + 0.5) / (pu[f] + 0.5 * (L - 1));
      }
      normalise(nm, L, EM_M_FLOOR);
      normalise(nu, L, 0.0);
      for (int l = 1; l < L; l++) {
        double dm = fabs(nm[l] - em->m[f][l]), du = fix_u ? 0.0 : fabs(nu[l] - em->u[f][l]);
        if (dm > delta) delta = dm;
        if (du > delta) delta = du;
        em->m[f][l] = nm[l];
        if (!fix_u) em->u[f][l] = nu[l];
      }
      em->present[f] = tm > 0.0 ? pm[f] / tm : 0.0;
    }
    em->iterations = it + 1;
    if (delta < tol) {
      em->converged = true;
      break;
    }
  }
}
