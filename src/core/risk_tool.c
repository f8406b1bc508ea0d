/*
** Reading and checking a risk tool definition (see risk_tool.h).
**
** A definition that is not valid JSON is refused with jansson's line and
** column.  One that is valid JSON but not a valid tool is refused naming the
** line of the offending entry: the text is walked again (it is known to be
** valid JSON by then) to find where that entry, or its offending member,
** starts, so that whoever edits the file can go straight to the mistake even
** when the same code appears on several lines.
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

/* ---- finding an entry's line in the text ---- */

/* P after any JSON white space, not beyond E. */
static const char *skip_ws(const char *p, const char *e) {
  while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) p++;
  return p;
}

/* P after the JSON string starting at P (which is '"'). */
static const char *skip_string(const char *p, const char *e) {
  for (p++; p < e && *p != '"'; p++) {
    if (*p == '\\' && p + 1 < e) p++;
  }
  return p < e ? p + 1 : e;
}

/* P after the JSON value starting at P; the text is known to be valid JSON. */
static const char *skip_value(const char *p, const char *e) {
  if (p >= e) return e;
  if (*p == '"') return skip_string(p, e);
  if (*p == '{' || *p == '[') {
    int depth = 0;
    while (p < e) {
      if (*p == '"') {
        p = skip_string(p, e);
        continue;
      }
      if (*p == '{' || *p == '[') depth++;
      else if (*p == '}' || *p == ']') {
        if (--depth == 0) return p + 1;
      }
      p++;
    }
    return e;
  }
  while (p < e && !strchr(",]} \t\r\n", *p)) p++;
  return p;
}

/* The start of member KEY's value in the object starting at P, or NULL. */
static const char *member(const char *p, const char *e, const char *key) {
  if (!p || p >= e || *p != '{') return NULL;
  size_t klen = strlen(key);
  p = skip_ws(p + 1, e);
  while (p < e && *p == '"') {
    const char *kend = skip_string(p, e);
    bool match = (size_t)(kend - p) == klen + 2 && !memcmp(p + 1, key, klen);
    p = skip_ws(kend, e);
    if (p < e && *p == ':') p = skip_ws(p + 1, e);
    if (match) return p;
    p = skip_ws(skip_value(p, e), e);
    if (p < e && *p == ',') p = skip_ws(p + 1, e);
  }
  return NULL;
}

/* The start of element INDEX of the array starting at P, or NULL. */
static const char *element(const char *p, const char *e, size_t index) {
  if (!p || p >= e || *p != '[') return NULL;
  p = skip_ws(p + 1, e);
  for (size_t i = 0; p < e && *p != ']'; i++) {
    if (i == index) return p;
    p = skip_ws(skip_value(p, e), e);
    if (p < e && *p == ',') p = skip_ws(p + 1, e);
  }
  return NULL;
}

/*
** The 1-based line of top-level member KEY, of its element INDEX (when not
** negative) and of that element's member SUB (when given and present).  The
** deepest part found wins; 1 when KEY itself is absent.
*/
static int line_at(const struct ctx *c, const char *key, long index, const char *sub) {
  const char *e = c->text + c->len;
  const char *root = skip_ws(c->text, e);
  const char *at = key ? member(root, e, key) : root;
  if (!at) at = root;
  else if (index >= 0) {
    const char *el = element(at, e, (size_t)index);
    if (el) {
      at = el;
      const char *m = sub ? member(el, e, sub) : NULL;
      if (m) at = m;
    }
  }
  int line = 1;
  for (const char *p = c->text; p < at && p < e; p++) line += *p == '\n';
  return line;
}

/* Fills the error with "line N: WHY" for the place line_at finds; returns -1. */
static int fail(const struct ctx *c, const char *key, long index, const char *sub, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int fail(const struct ctx *c, const char *key, long index, const char *sub, const char *fmt, ...) {
  char why[300];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  snprintf(c->err, c->errlen, "line %d: %s", line_at(c, key, index, sub), why);
  return -1;
}

/* ---- checking ---- */

static const char *str(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* True when S is a usable code: 1..RISK_CODE_MAX letters, digits, '_' or '-'. */
static bool code_ok(const char *s) {
  if (!s || !*s || strlen(s) > RISK_CODE_MAX) return false;
  for (const char *p = s; *p; p++) {
    char ch = *p;
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
      return false;
  }
  return true;
}

/* True when S is a non-empty string of at most MAX bytes. */
static bool text_ok(const char *s, size_t max) { return s && *s && strlen(s) <= max; }

/* The first member of OBJ not named in ALLOWED (NULL-terminated), or NULL. */
static const char *unknown_key(json_t *obj, const char *const *allowed) {
  const char *k;
  json_t *v;
  json_object_foreach(obj, k, v) {
    bool ok = !strcmp(k, "description") || !strcmp(k, "comment");
    for (const char *const *a = allowed; *a && !ok; a++) ok = !strcmp(*a, k);
    if (!ok) return k;
  }
  (void)v;
  return NULL;
}

/* Checks a list of {code, label} (groups or exploitation types) into *OUT. */
static int code_labels(const struct ctx *c, json_t *doc, const char *key, bool required, struct risk_code_label **out,
                       int *n) {
  static const char *const allowed[] = {"code", "label", NULL};
  json_t *list = json_object_get(doc, key);
  *out = NULL;
  *n = 0;
  if (!list && !required) return 0;
  if (!json_is_array(list) || (required && !json_array_size(list)))
    return fail(c, key, -1, NULL, "\"%s\" must be a%s list", key, required ? " non-empty" : "");
  *out = xcalloc(json_array_size(list) + 1, sizeof **out);
  size_t i;
  json_t *v;
  json_array_foreach(list, i, v) {
    const char *code = str(v, "code"), *label = str(v, "label");
    if (!json_is_object(v)) return fail(c, key, (long)i, NULL, "entry %zu of \"%s\" must be an object", i + 1, key);
    const char *bad = unknown_key(v, allowed);
    if (bad) return fail(c, key, (long)i, bad, "entry %zu of \"%s\" has an unknown key \"%s\"", i + 1, key, bad);
    if (!code_ok(code))
      return fail(c, key, (long)i, "code", "entry %zu of \"%s\" needs a code of 1 to %d letters, digits, '_' or '-'",
                  i + 1, key, RISK_CODE_MAX);
    if (!text_ok(label, 200)) return fail(c, key, (long)i, "label", "'%s' in \"%s\" needs a label of 1 to 200 bytes", code, key);
    for (int k = 0; k < *n; k++) {
      if (!strcmp((*out)[k].code, code)) return fail(c, key, (long)i, "code", "code '%s' is used twice in \"%s\"", code, key);
    }
    (*out)[*n].code = code;
    (*out)[*n].label = label;
    (*n)++;
  }
  return 0;
}

static int check_recency(const struct ctx *c, json_t *doc, struct risk_tool *t) {
  static const char *const allowed[] = {"code", "label", "within_months", NULL};
  json_t *recency = json_object_get(doc, "recency");
  if (!json_is_array(recency) || !json_array_size(recency) || json_array_size(recency) > RISK_MAX_RECENCY)
    return fail(c, "recency", -1, NULL, "\"recency\" must list 1 to %d recency bands", RISK_MAX_RECENCY);
  size_t i;
  json_t *v;
  json_array_foreach(recency, i, v) {
    if (!json_is_object(v)) return fail(c, "recency", (long)i, NULL, "recency band %zu must be an object", i + 1);
    const char *bad = unknown_key(v, allowed);
    if (bad) return fail(c, "recency", (long)i, bad, "recency band %zu has an unknown key \"%s\"", i + 1, bad);
    const char *code = str(v, "code"), *label = str(v, "label");
    if (!code_ok(code) || !text_ok(label, 200))
      return fail(c, "recency", (long)i, NULL, "recency band %zu needs a code and a label", i + 1);
    if (risk_tool_recency(t, code) >= 0) return fail(c, "recency", (long)i, "code", "recency band '%s' is listed twice", code);
    json_t *wm = json_object_get(v, "within_months");
    int months = 0;
    if (wm) {
      if (!json_is_integer(wm) || json_integer_value(wm) < 1 || json_integer_value(wm) > 600)
        return fail(c, "recency", (long)i, "within_months", "recency band '%s': within_months must be a whole number from 1 to 600", code);
      months = (int)json_integer_value(wm);
      if (t->nrecency > 0 && (t->within_months[t->nrecency - 1] == 0 || months <= t->within_months[t->nrecency - 1]))
        return fail(c, "recency", (long)i, "within_months",
                    "recency band '%s': within_months must rise from one band to the next, and every band before it needs one", code);
    }
    t->recency[t->nrecency] = code;
    t->recency_label[t->nrecency] = label;
    t->within_months[t->nrecency] = months;
    t->nrecency++;
  }
  return 0;
}

static int check_indicators(const struct ctx *c, json_t *doc, struct risk_tool *t) {
  static const char *const allowed[] = {"code", "group", "label", "guidance", "weight", NULL};
  json_t *inds = json_object_get(doc, "indicators");
  if (!json_is_array(inds) || !json_array_size(inds))
    return fail(c, "indicators", -1, NULL, "\"indicators\" must be a non-empty list");
  t->indicators = xcalloc(json_array_size(inds), sizeof *t->indicators);
  size_t i;
  json_t *v;
  json_array_foreach(inds, i, v) {
    if (!json_is_object(v)) return fail(c, "indicators", (long)i, NULL, "indicator %zu must be an object", i + 1);
    struct risk_indicator *ri = &t->indicators[t->nindicators];
    ri->code = str(v, "code");
    ri->label = str(v, "label");
    ri->group = str(v, "group");
    ri->guidance = str(v, "guidance");
    const char *bad = unknown_key(v, allowed);
    if (bad) return fail(c, "indicators", (long)i, bad, "indicator %zu has an unknown key \"%s\"", i + 1, bad);
    if (!code_ok(ri->code))
      return fail(c, "indicators", (long)i, "code", "indicator %zu needs a code of 1 to %d letters, digits, '_' or '-'", i + 1,
                  RISK_CODE_MAX);
    if (risk_tool_indicator(t, ri->code))
      return fail(c, "indicators", (long)i, "code", "indicator code '%s' is used twice", ri->code);
    if (!text_ok(ri->label, 200)) return fail(c, "indicators", (long)i, "label", "indicator '%s' needs a label of 1 to 200 bytes", ri->code);
    if (json_object_get(v, "guidance") && !text_ok(ri->guidance, 2000))
      return fail(c, "indicators", (long)i, "guidance", "indicator '%s': guidance must be text of 1 to 2000 bytes", ri->code);
    if (!risk_tool_group_label(t, ri->group))
      return fail(c, "indicators", (long)i, "group", "indicator '%s' names a group that is not in \"groups\"", ri->code);
    json_t *w = json_object_get(v, "weight");
    if (!json_is_object(w)) return fail(c, "indicators", (long)i, "weight", "indicator '%s' needs \"weight\" by recency", ri->code);
    const char *k;
    json_t *x;
    json_object_foreach(w, k, x) {
      if (risk_tool_recency(t, k) < 0)
        return fail(c, "indicators", (long)i, "weight", "indicator '%s' gives a weight for '%s', which is not a recency band", ri->code, k);
    }
    for (int r = 0; r < t->nrecency; r++) {
      x = json_object_get(w, t->recency[r]);
      if (!json_is_integer(x) || json_integer_value(x) < 0 || json_integer_value(x) > 100)
        return fail(c, "indicators", (long)i, "weight",
                    "indicator '%s' needs a whole-number weight from 0 to 100 for recency '%s'", ri->code, t->recency[r]);
      ri->weight[r] = (int)json_integer_value(x);
    }
    t->nindicators++;
  }
  return 0;
}

static int check_levels(const struct ctx *c, json_t *doc, struct risk_tool *t) {
  static const char *const allowed[] = {"code", "label", "min_score", "review_days", NULL};
  json_t *levels = json_object_get(doc, "levels");
  if (!json_is_array(levels) || !json_array_size(levels))
    return fail(c, "levels", -1, NULL, "\"levels\" must be a non-empty list");
  t->levels = xcalloc(json_array_size(levels), sizeof *t->levels);
  size_t i;
  json_t *v;
  json_array_foreach(levels, i, v) {
    if (!json_is_object(v)) return fail(c, "levels", (long)i, NULL, "level %zu must be an object", i + 1);
    struct risk_level *rl = &t->levels[t->nlevels];
    rl->code = str(v, "code");
    rl->label = str(v, "label");
    const char *bad = unknown_key(v, allowed);
    if (bad) return fail(c, "levels", (long)i, bad, "level %zu has an unknown key \"%s\"", i + 1, bad);
    if (!code_ok(rl->code) || !text_ok(rl->label, 200))
      return fail(c, "levels", (long)i, NULL, "level %zu needs a code and a label", i + 1);
    if (risk_tool_level(t, rl->code)) return fail(c, "levels", (long)i, "code", "level '%s' is listed twice", rl->code);
    json_t *min = json_object_get(v, "min_score"), *rev = json_object_get(v, "review_days");
    if (!json_is_integer(min) || json_integer_value(min) < 0 || json_integer_value(min) > 100000)
      return fail(c, "levels", (long)i, "min_score", "level '%s' needs a whole-number min_score from 0 to 100000", rl->code);
    if (!json_is_integer(rev) || json_integer_value(rev) < 1 || json_integer_value(rev) > 366)
      return fail(c, "levels", (long)i, "review_days", "level '%s' needs whole-number review_days from 1 to 366", rl->code);
    rl->min_score = (int)json_integer_value(min);
    rl->review_days = (int)json_integer_value(rev);
    if (t->nlevels == 0 && rl->min_score != 0)
      return fail(c, "levels", (long)i, "min_score", "the first level ('%s') must start at min_score 0", rl->code);
    if (t->nlevels > 0 && rl->min_score <= t->levels[t->nlevels - 1].min_score)
      return fail(c, "levels", (long)i, "min_score", "levels must rise: '%s' starts at or below the level before it", rl->code);
    t->nlevels++;
  }
  return 0;
}

static int check_overrides(const struct ctx *c, json_t *doc, struct risk_tool *t) {
  static const char *const allowed[] = {"indicator", "level", "reason", NULL};
  json_t *ovs = json_object_get(doc, "overrides");
  if (ovs && !json_is_array(ovs)) return fail(c, "overrides", -1, NULL, "\"overrides\" must be a list");
  t->overrides = xcalloc(json_array_size(ovs) + 1, sizeof *t->overrides);
  size_t i;
  json_t *v;
  json_array_foreach(ovs, i, v) {
    if (!json_is_object(v)) return fail(c, "overrides", (long)i, NULL, "override %zu must be an object", i + 1);
    const char *bad = unknown_key(v, allowed);
    if (bad) return fail(c, "overrides", (long)i, bad, "override %zu has an unknown key \"%s\"", i + 1, bad);
    struct risk_override *ro = &t->overrides[t->noverrides];
    ro->indicator = str(v, "indicator");
    ro->level = str(v, "level");
    ro->reason = str(v, "reason");
    if (!risk_tool_indicator(t, ro->indicator))
      return fail(c, "overrides", (long)i, "indicator", "override %zu must name an indicator of this tool", i + 1);
    if (!risk_tool_level(t, ro->level)) return fail(c, "overrides", (long)i, "level", "override %zu must name a level of this tool", i + 1);
    if (!text_ok(ro->reason, 500)) return fail(c, "overrides", (long)i, "reason", "override %zu needs a reason of 1 to 500 bytes", i + 1);
    t->noverrides++;
  }
  return 0;
}

/* Every check of a parsed document, in the order of the format. */
static int check(const struct ctx *c, json_t *doc, struct risk_tool *t) {
  static const char *const allowed[] = {"name", "version", "groups", "recency", "indicators", "levels", "overrides",
                                        "exploitation_types", "missing_episode_indicator", NULL};
  if (!json_is_object(doc)) return fail(c, NULL, -1, NULL, "the definition must be a JSON object");
  const char *bad = unknown_key(doc, allowed);
  if (bad) return fail(c, bad, -1, NULL, "unknown key \"%s\"", bad);
  t->name = str(doc, "name");
  t->version = str(doc, "version");
  if (!text_ok(t->name, 200)) return fail(c, "name", -1, NULL, "\"name\" must be a non-empty string of at most 200 bytes");
  if (!text_ok(t->version, 40)) return fail(c, "version", -1, NULL, "\"version\" must be a non-empty string of at most 40 bytes");
  if (code_labels(c, doc, "groups", true, &t->groups, &t->ngroups) != 0) return -1;
  if (check_recency(c, doc, t) != 0 || check_indicators(c, doc, t) != 0 || check_levels(c, doc, t) != 0 ||
      check_overrides(c, doc, t) != 0)
    return -1;
  if (code_labels(c, doc, "exploitation_types", false, &t->types, &t->ntypes) != 0) return -1;
  json_t *mi = json_object_get(doc, "missing_episode_indicator");
  if (mi) {
    t->missing_episode_indicator = json_string_value(mi);
    if (!risk_tool_indicator(t, t->missing_episode_indicator))
      return fail(c, "missing_episode_indicator", -1, NULL, "\"missing_episode_indicator\" must name an indicator of this tool");
  }
  return 0;
}

/*
** Parses and checks definition TEXT into *OUT.  Returns 0, or -1 with ERR
** naming the line and the reason (and *OUT empty).  Free with risk_tool_free.
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
  if (check(&c, doc, out) != 0) {
    risk_tool_free(out);
    return -1;
  }
  return 0;
}

/* Reads and checks the definition at PATH. 0, or -1 with ERR naming the file, line and reason. */
int risk_tool_load(const char *path, struct risk_tool *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
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
  bool read_error = ferror(f) != 0;
  fclose(f);
  if (read_error) {
    free(text);
    snprintf(err, errlen, "%s: could not be read", path);
    return -1;
  }
  char why[400];
  int rc = risk_tool_parse(text ? text : "", len, out, why, sizeof why);
  if (rc != 0) snprintf(err, errlen, "%s: %s", path, why);
  free(text);
  return rc;
}

/* Frees what T holds and leaves it empty (safe on an empty or failed tool). */
void risk_tool_free(struct risk_tool *t) {
  free(t->groups);
  free(t->indicators);
  free(t->levels);
  free(t->overrides);
  free(t->types);
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

/* The label of group CODE, or NULL when the tool has no such group. */
const char *risk_tool_group_label(const struct risk_tool *t, const char *code) {
  for (int i = 0; code && i < t->ngroups; i++) {
    if (!strcmp(t->groups[i].code, code)) return t->groups[i].label;
  }
  return NULL;
}

/* The label of exploitation type CODE, or NULL when the tool has no such type. */
const char *risk_tool_type_label(const struct risk_tool *t, const char *code) {
  for (int i = 0; code && i < t->ntypes; i++) {
    if (!strcmp(t->types[i].code, code)) return t->types[i].label;
  }
  return NULL;
}

/*
** The tool as the contract's GET /api/v1/risk/tool answer:
** {"version","indicators":[{"code","label","weight","group"}],"levels":[...]} plus
** name, groups, recency, overrides, exploitation types and each indicator's
** guidance and weights by recency ("weight" is the weight of the most recent
** band).  New reference.
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
  json_t *recency = json_array();
  for (int i = 0; i < t->nrecency; i++) {
    json_t *o = json_pack("{s:s,s:s}", "code", t->recency[i], "label", t->recency_label[i]);
    if (t->within_months[i]) json_object_set_new(o, "within_months", json_integer(t->within_months[i]));
    json_array_append_new(recency, o);
  }
  json_t *groups = json_array(), *types = json_array();
  for (int i = 0; i < t->ngroups; i++)
    json_array_append_new(groups, json_pack("{s:s,s:s}", "code", t->groups[i].code, "label", t->groups[i].label));
  for (int i = 0; i < t->ntypes; i++)
    json_array_append_new(types, json_pack("{s:s,s:s}", "code", t->types[i].code, "label", t->types[i].label));
  json_t *ovs = json_array();
  for (int i = 0; i < t->noverrides; i++) {
    json_array_append_new(ovs, json_pack("{s:s,s:s,s:s}", "indicator", t->overrides[i].indicator, "level",
                                         t->overrides[i].level, "reason", t->overrides[i].reason));
  }
  json_t *out = json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o}", "name", t->name, "version", t->version, "groups", groups,
                          "recency", recency, "indicators", inds, "levels", levels, "overrides", ovs,
                          "exploitation_types", types);
  if (t->missing_episode_indicator)
    json_object_set_new(out, "missing_episode_indicator", json_string(t->missing_episode_indicator));
  return out;
}
