/*
** CSE risk assessment: the pure rules, driven entirely by the tool
** definition in force (core/risk_tool.h).  Scoring (each indicator's weight
** by its recency), score bands, overriding rules, professional judgement and
** when a lowering needs a countersignature, the child's view, when a review
** falls due, which recency band an observation of a given age falls in, and
** what changed between two assessments.  No I/O.
*/
#ifndef SAFEHUB_CORE_RISK_H
#define SAFEHUB_CORE_RISK_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/fields.h"
#include "core/risk_tool.h"

#define RISK_MAX_INDICATORS 200  /* most indicators one assessment may list */
#define RISK_EVIDENCE_MAX 5000   /* bytes of evidence per indicator */
#define RISK_WORDS_MAX 10000     /* bytes of the child's own words */
#define RISK_REASON_MAX 2000     /* bytes of a reason, rationale or comment */

/* One indicator observed, at a recency band (index into the tool's list). */
struct risk_obs {
  const char *code;
  int recency;
};

/* What the tool makes of the indicators. */
struct risk_result {
  int score;     /* sum of the weights */
  int band;      /* level index from the score bands alone */
  int computed;  /* level index after the overriding rules */
  int rule;      /* index of the override that raised the level above the band, or -1 */
  int floor;     /* highest level any observed indicator's rule demands, or -1: no judgement goes below it */
  int floor_rule;/* index of the override that set the floor, or -1 */
};

/* Where a lower level than the tool's stands. */
enum risk_countersign {
  RISK_CS_NOT_NEEDED, /* no lowering */
  RISK_CS_AWAITING,   /* lowered, waiting for a manager: the tool's level stands meanwhile */
  RISK_CS_AGREED,     /* lowered and countersigned */
  RISK_CS_DECLINED    /* lowered, and the manager declined: the tool's level stands */
};

/* The outcome of checking an assessment's input. */
struct risk_decision {
  struct risk_result result;
  int judged;        /* level index of the professional judgement, or -1 when none */
  int final;         /* level index in force */
  enum risk_countersign countersign;
  bool countersigned_by_assessor; /* a manager's own lowering, countersigned as it is made */
};

int risk_band(const struct risk_tool *t, int score);
int risk_compute(const struct risk_tool *t, const struct risk_obs *obs, int n, struct risk_result *out);
int64_t risk_review_due(const struct risk_tool *t, int level, int64_t from);
int risk_recency_for_age(const struct risk_tool *t, int64_t at, int64_t now);
bool risk_input_check(const struct risk_tool *t, json_t *in, bool assessor_is_manager, struct field_errors *errs,
                      struct risk_decision *out);
bool risk_countersign_check(json_t *in, struct field_errors *errs, bool *agree);
int risk_final_after_countersign(const struct risk_decision *d, bool agree);
const char *risk_countersign_name(enum risk_countersign cs);
bool risk_countersign_parse(const char *s, enum risk_countersign *out);
json_t *risk_changes(const struct risk_tool *t, json_t *before, json_t *after);

#endif
