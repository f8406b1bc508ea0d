/*
** Reading and checking a risk tool definition (see risk_tool.h).
**
** A definition that is not valid JSON is refused with jansson's line and
** column; one that is valid JSON but not a valid tool is refused naming the
** line where the offending entry starts (found in the text by its code), so
** that whoever edits the file can go straight to the mistake.
*/
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/risk_tool.h"
#include "util/xalloc.h"

struct ctx {
  const char *text;
  size_t len;
  char *err;
  size_t errlen;
};

/* The 1-based line on which "code": "CODE" (or NEEDLE as given) first appears, or 0. */
static int line_of(const struct ctx *c, const char *needle) {
  if (!needle) return 0;
  char pattern[160];
  snprintf(pattern, sizeof pattern, "\"%s\"", needle);
  const char *hit = memmem(c->text, c->len, pattern, strlen(pattern));
  if (!hit) return 0;
  int line = 1;
  for (const char *p = c->text; p < hit; p++) line += *p == '\n';
  return line;
}

static int fail(const struct ctx *c, const char *near, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(const struct ctx *c, const char *near, const char *fmt, ...) {
  char why[300];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  int line = line_of(c, near);
  if (line) snprintf(c->err, c->errlen, "line %d: %s", line, why);
  else snprintf(c->err, c->errlen, "%s", why);
  return -1;
}

static const char *str(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

static bool known(json_t *list, const char *code) {
  size_t i;
  json_t *v;
  json_array_foreach(list, i, v) {
    if (code && str(v, "code") && !strcmp(str(v, "code"), code)) return true;
  }
  return false;
}

/*
** Parses and checks definition TEXT into *OUT.  Returns 0, or -1 with ERR
** naming the line and the reason.  Free with risk_tool_free.
*/
int risk_tool_parse(const char *text, size_t len, struct risk_tool *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  struct ctx c = {text, len, err, errlen};
  json_error_t je;
  json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
  if (!doc) {
    snprintf(err, errlen, "line %d, column %d: %s", je.line, je.column, je.text);
    return -1;
  }
  out->doc = doc;
  if (!json_is_object(doc)) return fail(&c, NULL, "the definition must be a JSON object"), risk_tool_free(out), -1;
  out->name = str(doc, "name");
  out->version = str(doc, "version");
  if (!out->name || !*out->name) return fail(&c, "name", "\"name\" must be a non-empty string"), risk_tool_free(out), -1;
  if (!out->version || !*out->version)
    return fail(&c, "version", "\"version\" must be a non-empty string"), risk_tool_free(out), -1;
  json_t *groups = json_object_get(doc, "groups"), *recency = json_object_get(doc, "recency");
  json_t *inds = json_object_get(doc, "indicators"), *levels = json_object_get(doc, "levels");
  json_t *ovs = json_object_get(doc, "overrides");
  if (!json_is_array(groups) || !json_array_size(groups))
    return fail(&c, "groups", "\"groups\" must be a non-empty list"), risk_tool_free(out), -1;
  if (!json_is_array(recency) || !json_array_size(recency) || json_array_size(recency) > RISK_MAX_RECENCY)
    return fail(&c, "recency", "\"recency\" must list 1 to %d recency bands", RISK_MAX_RECENCY), risk_tool_free(out), -1;
  if (!json_is_array(inds) || !json_array_size(inds))
    return fail(&c, "indicators", "\"indicators\" must be a non-empty list"), risk_tool_free(out), -1;
  if (!json_is_array(levels) || !json_array_size(levels))
    return fail(&c, "levels", "\"levels\" must be a non-empty list"), risk_tool_free(out), -1;
  size_t i;
  json_t *v;
  json_array_foreach(groups, i, v) {
    if (!str(v, "code") || !str(v, "label")) return fail(&c, "groups", "group %zu needs a code and a label", i + 1), risk_tool_free(out), -1;
  }
  json_array_foreach(recency, i, v) {
    if (!str(v, "code") || !str(v, "label"))
      return fail(&c, "recency", "recency band %zu needs a code and a label", i + 1), risk_tool_free(out), -1;
    out->recency[out->nrecency++] = str(v, "code");
  }
  out->indicators = xcalloc(json_array_size(inds), sizeof *out->indicators);
  json_array_foreach(inds, i, v) {
    struct risk_indicator *ri = &out->indicators[out->nindicators];
    ri->code = str(v, "code");
    ri->label = str(v, "label");
    ri->group = str(v, "group");
    ri->guidance = str(v, "guidance");
    if (!ri->code || !*ri->code) return fail(&c, "indicators", "indicator %zu has no code", i + 1), risk_tool_free(out), -1;
    if (strlen(ri->code) > 32) return fail(&c, ri->code, "indicator code '%s' is longer than 32 characters", ri->code), risk_tool_free(out), -1;
    if (risk_tool_indicator(out, ri->code))
      return fail(&c, ri->code, "indicator code '%s' is used twice", ri->code), risk_tool_free(out), -1;
    if (!ri->label || !*ri->label) return fail(&c, ri->code, "indicator '%s' has no label", ri->code), risk_tool_free(out), -1;
    if (!known(groups, ri->group))
      return fail(&c, ri->code, "indicator '%s' names a group that is not in \"groups\"", ri->code), risk_tool_free(out), -1;
    json_t *w = json_object_get(v, "weight");
    if (!json_is_object(w)) return fail(&c, ri->code, "indicator '%s' needs \"weight\" by recency", ri->code), risk_tool_free(out), -1;
    for (int r = 0; r < out->nrecency; r++) {
      json_t *x = json_object_get(w, out->recency[r]);
      if (!json_is_integer(x) || json_integer_value(x) < 0 || json_integer_value(x) > 100)
        return fail(&c, ri->code, "indicator '%s' needs a whole-number weight from 0 to 100 for recency '%s'", ri->code,
                    out->recency[r]),
               risk_tool_free(out), -1;
      ri->weight[r] = (int)json_integer_value(x);
    }
    out->nindicators++;
  }
  out->levels = xcalloc(json_array_size(levels), sizeof *out->levels);
  json_array_foreach(levels, i, v) {
    struct risk_level *rl = &out->levels[out->nlevels];
    rl->code = str(v, "code");
    rl->label = str(v, "label");
    json_t *min = json_object_get(v, "min_score"), *rev = json_object_get(v, "review_days");
    if (!rl->code || !rl->label) return fail(&c, "levels", "level %zu needs a code and a label", i + 1), risk_tool_free(out), -1;
    if (!json_is_integer(min) || !json_is_integer(rev) || json_integer_value(rev) < 1 || json_integer_value(rev) > 366)
      return fail(&c, rl->code, "level '%s' needs a whole-number min_score and review_days from 1 to 366", rl->code),
             risk_tool_free(out), -1;
    rl->min_score = (int)json_integer_value(min);
    rl->review_days = (int)json_integer_value(rev);
    if (out->nlevels == 0 && rl->min_score != 0)
      return fail(&c, rl->code, "the first level must start at min_score 0"), risk_tool_free(out), -1;
    if (out->nlevels > 0 && rl->min_score <= out->levels[out->nlevels - 1].min_score)
      return fail(&c, rl->code, "levels must rise: '%s' starts at or below the level before it", rl->code),
             risk_tool_free(out), -1;
    out->nlevels++;
  }
  if (ovs && !json_is_array(ovs)) return fail(&c, "overrides", "\"overrides\" must be a list"), risk_tool_free(out), -1;
  out->overrides = xcalloc(json_array_size(ovs) + 1, sizeof *out->overrides);
  json_array_foreach(ovs, i, v) {
    struct risk_override *ro = &out->overrides[out->noverrides];
    ro->indicator = str(v, "indicator");
    ro->level = str(v, "level");
    ro->reason = str(v, "reason");
    if (!risk_tool_indicator(out, ro->indicator) || !risk_tool_level(out, ro->level) || !ro->reason)
      return fail(&c, "overrides", "override %zu must name a known indicator, a known level and a reason", i + 1),
             risk_tool_free(out), -1;
    out->noverrides++;
  }
  return 0;
}

/* Reads and checks the definition at PATH. 0, or -1 with ERR naming the file, line and reason. */
int risk_tool_load(const char *path, struct risk_tool *out, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return -1;
  }
  char *text = NULL;
  size_t len = 0, cap = 0, n;
  char chunk[8192];
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    if (len + n + 1 > cap) {
      cap = (len + n + 1) * 2;
      text = xrealloc(text, cap);
    }
    memcpy(text + len, chunk, n);
    len += n;
  }
  fclose(f);
  char why[400];
  int rc = risk_tool_parse(text ? text : "", len, out, why, sizeof why);
  if (rc != 0) snprintf(err, errlen, "%s: %s", path, why);
  free(text);
  return rc;
}

void risk_tool_free(struct risk_tool *t) {
  free(t->indicators);
  free(t->levels);
  free(t->overrides);
  json_decref(t->doc);
  memset(t, 0, sizeof *t);
}

/* The indicator with CODE, or NULL. */
const struct risk_indicator *risk_tool_indicator(const struct risk_tool *t, const char *code) {
  if (!code) return NULL;
  for (int i = 0; i < t->nindicators; i++) {
    if (!strcmp(t->indicators[i].code, code)) return &t->indicators[i];
  }
  return NULL;
}

/* The index of recency band CODE, or -1. */
int risk_tool_recency(const struct risk_tool *t, const char *code) {
  for (int i = 0; code && i < t->nrecency; i++) {
    if (!strcmp(t->recency[i], code)) return i;
  }
  return -1;
}

/* The level with CODE, or NULL. */
const struct risk_level *risk_tool_level(const struct risk_tool *t, const char *code) {
  int i = risk_tool_level_index(t, code);
  return i < 0 ? NULL : &t->levels[i];
}

/* The rank of level CODE (0 the lowest), or -1. */
int risk_tool_level_index(const struct risk_tool *t, const char *code) {
  for (int i = 0; code && i < t->nlevels; i++) {
    if (!strcmp(t->levels[i].code, code)) return i;
  }
  return -1;
}

/*
** The tool as the contract's GET /api/v1/risk/tool answer:
** {"version","indicators":[{"code","label","weight","group"}],"levels":[...]} plus
** name, groups, recency, overrides and each indicator's guidance and weights by
** recency.  New reference.
*/
json_t *risk_tool_json(const struct risk_tool *t) {
  json_t *inds = json_array();
  for (int i = 0; i < t->nindicators; i++) {
    const struct risk_indicator *ri = &t->indicators[i];
    json_t *w = json_object();
    for (int r = 0; r < t->nrecency; r++) json_object_set_new(w, t->recency[r], json_integer(ri->weight[r]));
    json_array_append_new(inds, json_pack("{s:s,s:s,s:i,s:s,s:s?,s:o}", "code", ri->code, "label", ri->label, "weight",
                                          ri->weight[0], "group", ri->group, "guidance", ri->guidance,
                                          "weight_by_recency", w));
  }
  json_t *levels = json_array();
  for (int i = 0; i < t->nlevels; i++) {
    json_array_append_new(levels, json_pack("{s:s,s:s,s:i,s:i}", "code", t->levels[i].code, "label", t->levels[i].label,
                                            "min_score", t->levels[i].min_score, "review_days", t->levels[i].review_days));
  }
  json_t *ovs = json_object_get(t->doc, "overrides"), *types = json_object_get(t->doc, "exploitation_types");
  return json_pack("{s:s,s:s,s:O,s:O,s:o,s:o,s:o,s:o}", "name", t->name, "version", t->version, "groups",
                   json_object_get(t->doc, "groups"), "recency", json_object_get(t->doc, "recency"), "indicators", inds,
                   "levels", levels, "overrides", ovs ? json_incref(ovs) : json_array(), "exploitation_types",
                   types ? json_incref(types) : json_array());
}
