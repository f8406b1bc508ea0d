/*
** Blocking: which pairs of records are compared at all.  Each rule gives a
** record a key (or none: the record takes no part), and records with equal
** keys form a block whose pairs are candidates.  The rules' candidates are
** united without repeats and without a set of seen pairs: a pair found by a
** rule is skipped by every later rule, which checks the earlier rules' keys.
** A block larger than max_block is not compared all against all: its records
** are ordered by name and date and each is compared with the next window-1
** (a sorted neighbourhood), and the earlier-rule check knows this.  The
** work is cut into tasks along block boundaries for the worker threads.
** Pure: no I/O.
*/
#ifndef SAFEHUB_CORE_MATCH_BLOCK_H
#define SAFEHUB_CORE_MATCH_BLOCK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/match/record.h"

#define MATCH_MAX_RULES 8
#define BLOCK_NOT_WINDOWED UINT32_MAX

struct block_rule {
  const char *name;
  uint64_t (*key)(const struct match_record *r); /* 0: no key */
};

/* The default rules' places in match_block_rules (training sessions name them). */
enum { BLOCK_LAST_YEAR, BLOCK_FIRST_DISTRICT, BLOCK_NHS, BLOCK_DOB, BLOCK_NAMES, BLOCK_HOUSE, BLOCK_LAST_POSTCODE };

/* The default rules, in the order they are applied. */
extern const struct block_rule match_block_rules[];
extern const int match_block_nrules;

struct block_task {
  int rule;
  size_t start, end; /* a run of whole blocks in the rule's order */
  uint64_t est;      /* pairs its blocks hold before earlier rules' pairs are left out */
};

struct block_rule_stats {
  uint64_t keyed;             /* records with a key */
  uint64_t blocks;            /* blocks of two or more records */
  uint64_t largest;           /* records in the largest block */
  uint64_t oversized;         /* blocks compared by sorted neighbourhood */
  uint64_t oversized_records; /* records in them */
};

struct block_plan {
  const struct match_record *rec;
  size_t n, na; /* when linking, records [0, na) are from A and [na, n) from B */
  bool link;
  uint32_t max_block, window;
  int nrules;
  const struct block_rule *rules;
  uint64_t *key[MATCH_MAX_RULES];   /* per record */
  uint32_t *pos[MATCH_MAX_RULES];   /* per record: rank in an oversized block, else BLOCK_NOT_WINDOWED */
  uint32_t *order[MATCH_MAX_RULES]; /* keyed records sorted by key, then name and date, then index */
  size_t norder[MATCH_MAX_RULES];
  struct block_rule_stats stats[MATCH_MAX_RULES];
  struct block_task *tasks;
  size_t ntasks;
  uint64_t est_pairs; /* sum of the tasks' est */
};

typedef void (*block_visit_fn)(void *ctx, uint32_t a, uint32_t b);

void block_plan_build(struct block_plan *p, const struct match_record *rec, size_t n, size_t na, bool link,
                      const struct block_rule *rules, int nrules, uint32_t max_block, uint32_t window, int threads);
void block_plan_free(struct block_plan *p);
bool block_found_by(const struct block_plan *p, int rule, uint32_t a, uint32_t b);
uint64_t block_run_task(const struct block_plan *p, size_t task, block_visit_fn fn, void *ctx);
uint64_t block_mix(uint64_t a, uint64_t b, uint64_t c);

#endif
