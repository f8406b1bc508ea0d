/*
** The CSE risk screening tool in force: its indicators (grouped, weighted by
** recency), score bands, overriding rules, review intervals and exploitation
** types, read from a versioned JSON definition (config/risk-tool.json is
** shipped; a partnership may replace it with its own through the
** risk_tool_file setting).  The definition is data, not code.  Pure: parsing
** and lookups only.
**
** The format (every key below is checked; anything else is refused, so that a
** misspelt key cannot silently drop part of a partnership's tool):
**
**   name, version                 non-empty strings; every assessment records the version
**   description, comment          optional text (allowed on every object)
**   groups[]       {code, label}
**   recency[]      {code, label, within_months?}  1 to RISK_MAX_RECENCY bands, most recent
**                                 first; within_months (rising) says how old an observation
**                                 may be to fall in the band, so that indicators found in
**                                 other records can be offered with the right recency
**   indicators[]   {code, group, label, guidance?, weight: {RECENCY: 0..100, ...}}
**   levels[]       {code, label, min_score, review_days}  ascending; the first starts at 0
**   overrides[]    {indicator, level, reason}: observing the indicator (at any recency)
**                                 means at least that level, whatever the score
**   exploitation_types[]  {code, label}
**   missing_episode_indicator     optional indicator code offered for missing episodes
*/
#ifndef SAFEHUB_CORE_RISK_TOOL_H
#define SAFEHUB_CORE_RISK_TOOL_H
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#define RISK_MAX_RECENCY 4
#define RISK_CODE_MAX 32 /* longest code of an indicator, level, recency band or type */

struct risk_indicator {
  const char *code, *label, *group, *guidance;
  int weight[RISK_MAX_RECENCY]; /* by index into the tool's recency list */
};

struct risk_level {
  const char *code, *label;
  int min_score;
  int review_days;
};

struct risk_override {
  const char *indicator, *level, *reason;
};

struct risk_code_label {
  const char *code, *label;
};

struct risk_tool {
  json_t *doc;               /* owns every string below */
  const char *name, *version;
  const char *recency[RISK_MAX_RECENCY];
  const char *recency_label[RISK_MAX_RECENCY];
  int within_months[RISK_MAX_RECENCY]; /* 0: no limit given */
  int nrecency;
  struct risk_code_label *groups;
  int ngroups;
  struct risk_indicator *indicators;
  int nindicators;
  struct risk_level *levels;  /* ascending by min_score */
  int nlevels;
  struct risk_override *overrides;
  int noverrides;
  struct risk_code_label *types; /* exploitation types */
  int ntypes;
  const char *missing_episode_indicator; /* may be NULL */
};

int risk_tool_parse(const char *text, size_t len, struct risk_tool *out, char *err, size_t errlen);
int risk_tool_load(const char *path, struct risk_tool *out, char *err, size_t errlen);
void risk_tool_free(struct risk_tool *t);
const struct risk_indicator *risk_tool_indicator(const struct risk_tool *t, const char *code);
int risk_tool_recency(const struct risk_tool *t, const char *code);
const struct risk_level *risk_tool_level(const struct risk_tool *t, const char *code);
int risk_tool_level_index(const struct risk_tool *t, const char *code);
const char *risk_tool_group_label(const struct risk_tool *t, const char *code);
const char *risk_tool_type_label(const struct risk_tool *t, const char *code);
json_t *risk_tool_json(const struct risk_tool *t);

#endif
