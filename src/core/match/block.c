/*
** Blocking rules, block plans and candidate pairs (see block.h).
*/
#include <stdlib.h>
#include <string.h>
#include "core/match/block.h"
#include "core/match/parallel.h"
#include "core/match/strtab.h"
#include "util/xalloc.h"

/* Mixes three integers into a non-zero 64-bit key (splitmix64 finaliser). */
uint64_t block_mix(uint64_t a, uint64_t b, uint64_t c) {
  uint64_t h = a * 0x9E3779B97F4A7C15ULL ^ (b + 0x632BE59BD9B4E019ULL) * 0xBF58476D1CE4E5B9ULL ^
               (c + 0x85EBCA77C2B2AE63ULL) * 0x94D049BB133111EBULL;
  h ^= h >> 31;
  h *= 0xBF58476D1CE4E5B9ULL;
  h ^= h >> 27;
  h *= 0x94D049BB133111EBULL;
  h ^= h >> 31;
  return h ? h : 1;
}

/* Last name's metaphone key, year of birth and the first name's initial. */
static uint64_t key_last_year(const struct match_record *r) {
  if (!r->last.dm[0] || !r->dob || !r->first.len) return 0;
  return block_mix(1, r->last.dm[0], (uint64_t)(r->dob / 10000) << 8 | (uint8_t)r->first.key[0]);
}

/* First name (its nickname group when it has one, so Bill meets William) and postcode district. */
static uint64_t key_first_district(const struct match_record *r) {
  if (!r->first.len || !r->pc_district) return 0;
  uint64_t name = r->first.grp[0] ? r->first.grp[0] : ((uint64_t)r->first.var << 32 | 1);
  return block_mix(2, name, r->pc_district);
}

/* NHS number. */
static uint64_t key_nhs(const struct match_record *r) { return r->nhs ? block_mix(3, r->nhs, 0) : 0; }

/* Full date of birth. */
static uint64_t key_dob(const struct match_record *r) { return r->dob ? block_mix(4, (uint64_t)r->dob, 0) : 0; }

/* Metaphone keys of first and last name (finds pairs whose date and postcode both differ). */
static uint64_t key_names(const struct match_record *r) {
  if (!r->first.dm[0] || !r->last.dm[0]) return 0;
  return block_mix(5, r->first.dm[0], r->last.dm[0]);
}

/* Full postcode and house number: the same household (catches a changed name and date together). */
static uint64_t key_house(const struct match_record *r) {
  if (!r->pc_len || !r->house) return 0;
  return block_mix(6, match_hash(r->pc, r->pc_len), r->house);
}

/* Last name's metaphone key and full postcode (catches a changed first name and date together). */
static uint64_t key_last_postcode(const struct match_record *r) {
  if (!r->last.dm[0] || !r->pc_len) return 0;
  return block_mix(7, r->last.dm[0], match_hash(r->pc, r->pc_len));
}

const struct block_rule match_block_rules[] = {
    {"last_name metaphone + birth year + first initial", key_last_year},
    {"first_name + postcode district", key_first_district},
    {"nhs_number", key_nhs},
    {"date_of_birth", key_dob},
    {"first_name metaphone + last_name metaphone", key_names},
    {"postcode + house number", key_house},
    {"last_name metaphone + postcode", key_last_postcode},
};
const int match_block_nrules = (int)(sizeof match_block_rules / sizeof match_block_rules[0]);

/* Order within a block: three letters of last and first name, then month and day of birth. */
static uint64_t neighbourhood(const struct match_record *r) {
  uint64_t v = 0;
  for (int i = 0; i < 3; i++) v = v << 8 | (uint8_t)r->last.key[i < r->last.len ? i : MATCH_NAME_MAX - 1];
  for (int i = 0; i < 3; i++) v = v << 8 | (uint8_t)r->first.key[i < r->first.len ? i : MATCH_NAME_MAX - 1];
  return v << 16 | (uint64_t)(r->dob % 10000);
}

struct entry {
  uint64_t key, nb;
  uint32_t idx;
};

/* Sorts entries by key, then neighbourhood, then record index: a total order. */
static int cmp_entry(const void *x, const void *y) {
  const struct entry *a = x, *b = y;
  if (a->key != b->key) return a->key < b->key ? -1 : 1;
  if (a->nb != b->nb) return a->nb < b->nb ? -1 : 1;
  return a->idx < b->idx ? -1 : a->idx > b->idx;
}

struct build_ctx {
  struct block_plan *p;
  const uint64_t *nb;
};

/* Builds one rule's keys, order, windows and statistics (a task of match_parallel). */
static void build_rule(void *arg, size_t r, int worker) {
  (void)worker;
  struct build_ctx *c = arg;
  struct block_plan *p = c->p;
  uint64_t *key = xmalloc((p->n ? p->n : 1) * sizeof *key);
  uint32_t *pos = xmalloc((p->n ? p->n : 1) * sizeof *pos);
  size_t keyed = 0;
  for (size_t i = 0; i < p->n; i++) {
    key[i] = p->rules[r].key(&p->rec[i]);
    pos[i] = BLOCK_NOT_WINDOWED;
    if (key[i]) keyed++;
  }
  struct entry *e = xmalloc((keyed ? keyed : 1) * sizeof *e);
  size_t k = 0;
  for (size_t i = 0; i < p->n; i++)
    if (key[i]) e[k++] = (struct entry){key[i], c->nb[i], (uint32_t)i};
  qsort(e, keyed, sizeof *e, cmp_entry);
  uint32_t *order = xmalloc((keyed ? keyed : 1) * sizeof *order);
  struct block_rule_stats *st = &p->stats[r];
  memset(st, 0, sizeof *st);
  st->keyed = keyed;
  for (size_t s = 0; s < keyed;) {
    size_t t = s;
    while (t < keyed && e[t].key == e[s].key) t++;
    size_t size = t - s;
    if (size >= 2) st->blocks++;
    if (size > st->largest) st->largest = size;
    if (size > p->max_block) {
      st->oversized++;
      st->oversized_records += size;
      for (size_t q = s; q < t; q++) pos[e[q].idx] = (uint32_t)(q - s);
    }
    for (size_t q = s; q < t; q++) order[q] = e[q].idx;
    s = t;
  }
  free(e);
  p->key[r] = key;
  p->pos[r] = pos;
  p->order[r] = order;
  p->norder[r] = keyed;
}

/* Pairs a block of SIZE records yields: all of them, or a window's worth when oversized. */
static uint64_t block_pairs(const struct block_plan *p, size_t size) {
  if (size <= p->max_block) return (uint64_t)size * (size - 1) / 2;
  uint64_t w = p->window > 1 ? p->window - 1 : 0;
  return (uint64_t)size * w;
}

/*
** Builds the plan for the N records REC (when LINK, [0, NA) are one file
** and [NA, N) the other) under RULES, using THREADS threads.  Blocks over
** MAX_BLOCK records are compared in windows of WINDOW.  Free with
** block_plan_free.
*/
void block_plan_build(struct block_plan *p, const struct match_record *rec, size_t n, size_t na, bool link,
                      const struct block_rule *rules, int nrules, uint32_t max_block, uint32_t window, int threads) {
  memset(p, 0, sizeof *p);
  p->rec = rec;
  p->n = n;
  p->na = na;
  p->link = link;
  p->rules = rules;
  p->nrules = nrules > MATCH_MAX_RULES ? MATCH_MAX_RULES : nrules;
  p->max_block = max_block < 2 ? 2 : max_block;
  p->window = window < 2 ? 2 : window;
  uint64_t *nb = xmalloc((n ? n : 1) * sizeof *nb);
  for (size_t i = 0; i < n; i++) nb[i] = neighbourhood(&rec[i]);
  struct build_ctx c = {p, nb};
  match_parallel(threads, (size_t)p->nrules, build_rule, &c);
  free(nb);
  /* Tasks: runs of whole blocks of about TARGET pairs, in rule order.  The
     cut never depends on the thread count, so that a sample of tasks (for
     training) is the same whatever the number of threads. */
  uint64_t total = 0;
  for (int r = 0; r < p->nrules; r++) {
    const uint64_t *key = p->key[r];
    const uint32_t *ord = p->order[r];
    for (size_t s = 0; s < p->norder[r];) {
      size_t t = s;
      while (t < p->norder[r] && key[ord[t]] == key[ord[s]]) t++;
      total += block_pairs(p, t - s);
      s = t;
    }
  }
  uint64_t target = total / 512 + 1;
  if (target < 20000) target = 20000;
  size_t cap = 64;
  p->tasks = xmalloc(cap * sizeof *p->tasks);
  for (int r = 0; r < p->nrules; r++) {
    const uint64_t *key = p->key[r];
    const uint32_t *ord = p->order[r];
    size_t start = 0;
    uint64_t acc = 0;
    for (size_t s = 0; s < p->norder[r];) {
      size_t t = s;
      while (t < p->norder[r] && key[ord[t]] == key[ord[s]]) t++;
      acc += block_pairs(p, t - s);
      s = t;
      if (acc >= target || s == p->norder[r]) {
        if (p->ntasks == cap) p->tasks = xrealloc(p->tasks, (cap *= 2) * sizeof *p->tasks);
        p->tasks[p->ntasks++] = (struct block_task){r, start, s, acc};
        p->est_pairs += acc;
        start = s;
        acc = 0;
      }
    }
  }
}

/* Frees what the plan holds (not the records). */
void block_plan_free(struct block_plan *p) {
  for (int r = 0; r < p->nrules; r++) {
    free(p->key[r]);
    free(p->pos[r]);
    free(p->order[r]);
  }
  free(p->tasks);
  memset(p, 0, sizeof *p);
}

/* True when RULE compares records A and B: same key, and in window reach if their block is oversized. */
bool block_found_by(const struct block_plan *p, int rule, uint32_t a, uint32_t b) {
  uint64_t k = p->key[rule][a];
  if (!k || k != p->key[rule][b]) return false;
  uint32_t pa = p->pos[rule][a], pb = p->pos[rule][b];
  if (pa == BLOCK_NOT_WINDOWED) return true;
  uint32_t d = pa > pb ? pa - pb : pb - pa;
  return d < p->window;
}

/* Offers the pair (I, J) of TASK's rule to FN unless it is not a candidate or an earlier rule had it. */
static inline bool offer(const struct block_plan *p, int rule, uint32_t i, uint32_t j, block_visit_fn fn,
                         void *ctx) {
  uint32_t a = i < j ? i : j, b = i < j ? j : i;
  if (p->link && (a < p->na) == (b < p->na)) return false;
  for (int r = 0; r < rule; r++)
    if (block_found_by(p, r, a, b)) return false;
  fn(ctx, a, b);
  return true;
}

/*
** Visits every candidate pair of task TASK once, as FN(CTX, a, b) with a < b
** (when linking, a from A and b from B), in a fixed order.  Returns the
** number of pairs visited.
*/
uint64_t block_run_task(const struct block_plan *p, size_t task, block_visit_fn fn, void *ctx) {
  const struct block_task *t = &p->tasks[task];
  const uint64_t *key = p->key[t->rule];
  const uint32_t *ord = p->order[t->rule];
  uint64_t visited = 0;
  for (size_t s = t->start; s < t->end;) {
    size_t e = s;
    while (e < t->end && key[ord[e]] == key[ord[s]]) e++;
    bool windowed = e - s > p->max_block;
    for (size_t x = s; x < e; x++) {
      size_t last = windowed && x + p->window < e ? x + p->window : e;
      for (size_t y = x + 1; y < last; y++) visited += offer(p, t->rule, ord[x], ord[y], fn, ctx);
    }
    s = e;
  }
  return visited;
}
