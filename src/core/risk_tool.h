/*
** The CSE risk screening tool in force: its indicators (grouped, weighted by
** recency), score bands, overriding rules and review intervals, read from a
** versioned JSON definition (config/risk-tool.json is shipped; a partnership
** may replace it with its own through the risk_tool_file setting).  The
** definition is data, not code.  Pure: parsing and lookups only.
*/
#ifndef SAFEHUB_CORE_RISK_TOOL_H
#define SAFEHUB_CORE_RISK_TOOL_H
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#define RISK_MAX_RECENCY 4

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

struct risk_tool {
  json_t *doc;               /* owns every string below */
  const char *name, *version;
  const char *recency[RISK_MAX_RECENCY];
  int nrecency;
  struct risk_indicator *indicators;
  int nindicators;
  struct risk_level *levels;  /* ascending by min_score */
  int nlevels;
  struct risk_override *overrides;
  int noverrides;
};

int risk_tool_parse(const char *text, size_t len, struct risk_tool *out, char *err, size_t errlen);
int risk_tool_load(const char *path, struct risk_tool *out, char *err, size_t errlen);
void risk_tool_free(struct risk_tool *t);
const struct risk_indicator *risk_tool_indicator(const struct risk_tool *t, const char *code);
int risk_tool_recency(const struct risk_tool *t, const char *code);
const struct risk_level *risk_tool_level(const struct risk_tool *t, const char *code);
int risk_tool_level_index(const struct risk_tool *t, const char *code);
json_t *risk_tool_json(const struct risk_tool *t);

#endif
