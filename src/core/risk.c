/*
** CSE risk assessment rules (see risk.h).  Everything a partnership may want
** to change (indicators, weights by recency, bands, overriding rules, review
** intervals, exploitation types) comes from the tool definition; this file
** holds only how those parts combine.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/risk.h"
#include "util/buf.h"
#include "util/text.h"
#include "util/timeutil.h"

/* The level index whose band holds SCORE (the highest level starting at or below it). */
int risk_band(const struct risk_tool *t, int score) {
  int level = 0;
  for (int i = 0; i < t->nlevels; i++) {
    if (score >= t->levels[i].min_score) level = i;
  }
  return level;
}

/*
** Scores the N observed indicators OBS: each adds its weight for its
** recency; the total falls in a band; an overriding rule for an observed
** indicator raises the level to the rule's level when that is higher.
** Returns 0, or -1 when an indicator or recency is not the tool's (OUT is
** then left zeroed).
*/
int risk_compute(const struct risk_tool *t, const struct risk_obs *obs, int n, struct risk_result *out) {
  memset(out, 0, sizeof *out);
  out->rule = out->floor = out->floor_rule = -1;
  for (int i = 0; i < n; i++) {
    const struct risk_indicator *ri = risk_tool_indicator(t, obs[i].code);
    if (!ri || obs[i].recency < 0 || obs[i].recency >= t->nrecency) {
      memset(out, 0, sizeof *out);
      out->rule = out->floor = out->floor_rule = -1;
      return -1;
    }
    out->score += ri->weight[obs[i].recency];
  }
  out->band = risk_band(t, out->score);
  out->computed = out->band;
  for (int k = 0; k < t->noverrides; k++) {
    bool seen = false;
    for (int i = 0; i < n && !seen; i++) seen = !strcmp(obs[i].code, t->overrides[k].indicator);
    if (!seen) continue;
    int level = risk_tool_level_index(t, t->overrides[k].level);
    if (level > out->floor) {
      out->floor = level;
      out->floor_rule = k;
    }
    if (level > out->computed) {
      out->computed = level;
      out->rule = k;
    }
  }
  return 0;
}

/* When a review of an assessment made at FROM at level LEVEL falls due: its review_days later (calendar days). */
int64_t risk_review_due(const struct risk_tool *t, int level, int64_t from) {
  if (level < 0 || level >= t->nlevels) level = t->nlevels - 1;
  return from + (int64_t)t->levels[level].review_days * 86400;
}

/* NOW minus MONTHS calendar months (UTC), the day clamped to the month's length. */
static int64_t months_before(int64_t now, int months) {
  int64_t days = now >= 0 ? now / 86400 : -((-now + 86399) / 86400);
  int64_t secs = now - days * 86400;
  int y, m, d;
  civil_from_days(days, &y, &m, &d);
  int total = y * 12 + (m - 1) - months;
  y = total / 12;
  m = total % 12 + 1;
  while (d > 28 && !date_valid(y, m, d)) d--;
  return days_from_civil(y, m, d) * 86400 + secs;
}

/*
** The recency band an observation made at AT falls in as of NOW: the first
** band whose within_months reaches back to AT (a band without within_months
** has no limit).  -1 when AT is older than every band.
*/
int risk_recency_for_age(const struct risk_tool *t, int64_t at, int64_t now) {
  for (int i = 0; i < t->nrecency; i++) {
    if (t->within_months[i] == 0 || at >= months_before(now, t->within_months[i])) return i;
  }
  return -1;
}

/* Writes the tool's recency codes as "a, b, c" into B. */
static void recency_list(struct buf *b, const struct risk_tool *t) {
  for (int i = 0; i < t->nrecency; i++) buf_printf(b, "%s%s", i ? ", " : "", t->recency[i]);
}

/* Replaces string member KEY of O with its trimmed text; returns the trimmed text (owned by O) or NULL. */
static const char *trim_member(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  if (!json_is_string(v)) return NULL;
  char *t = text_trim_dup(json_string_value(v));
  json_object_set_new(o, key, json_string(t));
  free(t);
  return json_string_value(json_object_get(o, key));
}

static const struct field_spec INDICATOR_SPEC[] = {
    {"code", F_STRING, F_REQUIRED, RISK_CODE_MAX, NULL, NULL},
    {"evidence", F_STRING, F_REQUIRED | F_MULTILINE, RISK_EVIDENCE_MAX, NULL, NULL},
    {"recency", F_STRING, F_NULLABLE, RISK_CODE_MAX, NULL, NULL},
    {"source_agency", F_STRING, F_NULLABLE, 32, NULL, NULL},
    {NULL, F_STRING, 0, 0, NULL, NULL},
};
static const struct field_spec JUDGEMENT_SPEC[] = {
    {"level", F_STRING, F_REQUIRED, RISK_CODE_MAX, NULL, NULL},
    {"rationale", F_STRING, F_REQUIRED | F_MULTILINE, RISK_REASON_MAX, NULL, NULL},
    {"countersign_by", F_STRING, F_NULLABLE, 64, NULL, NULL},
    {NULL, F_STRING, 0, 0, NULL, NULL},
};
static const struct field_spec ASSESSMENT_SPEC[] = {
    {"indicators", F_OBJECTS, F_REQUIRED, RISK_MAX_INDICATORS, NULL, INDICATOR_SPEC},
    {"childs_words", F_STRING, F_NULLABLE | F_MULTILINE, RISK_WORDS_MAX, NULL, NULL},
    {"childs_view_not_gathered_reason", F_STRING, F_NULLABLE | F_MULTILINE, RISK_REASON_MAX, NULL, NULL},
    {"exploitation_types", F_STRINGS, 0, 20, NULL, NULL},
    {"professional_judgement", F_OBJECT, F_NULLABLE, 0, NULL, JUDGEMENT_SPEC},
    {NULL, F_STRING, 0, 0, NULL, NULL},
};

/* Checks each indicator against the tool; fills OBS (codes owned by IN) and *N; false if any is wrong. */
static bool check_indicators(const struct risk_tool *t, json_t *list, struct field_errors *errs, struct risk_obs *obs,
                             int *n) {
  bool ok = true;
  size_t i;
  json_t *item;
  *n = 0;
  json_array_foreach(list, i, item) {
    if (!json_is_object(item) || i >= RISK_MAX_INDICATORS) {
      ok = false;
      continue;
    }
    char path[64];
    const char *code = json_string_value(json_object_get(item, "code"));
    snprintf(path, sizeof path, "indicators[%zu].code", i);
    if (!code) {
      ok = false;
    } else if (!risk_tool_indicator(t, code)) {
      ferr_add(errs, path, "'%s' is not an indicator of the risk tool in force (version %s)", code, t->version);
      ok = false;
      code = NULL;
    } else {
      for (int k = 0; k < *n; k++) {
        if (!strcmp(obs[k].code, code)) {
          ferr_add(errs, path, "%s is listed twice: record it once, with all its evidence", code);
          ok = false;
          code = NULL;
          break;
        }
      }
    }
    json_t *rv = json_object_get(item, "recency");
    int recency = 0;
    if (json_is_string(rv)) {
      recency = risk_tool_recency(t, json_string_value(rv));
      if (recency < 0) {
        struct buf b = BUF_INIT;
        recency_list(&b, t);
        snprintf(path, sizeof path, "indicators[%zu].recency", i);
        ferr_add(errs, path, "must be one of: %s", buf_cstr(&b));
        buf_free(&b);
        ok = false;
      }
    }
    trim_member(item, "evidence");
    if (code && recency >= 0) {
      json_object_set_new(item, "recency", json_string(t->recency[recency]));
      obs[*n].code = json_string_value(json_object_get(item, "code"));
      obs[*n].recency = recency;
      (*n)++;
    }
  }
  return ok;
}

/* The child's own words, or why they could not be gathered: exactly one is needed. */
static bool check_childs_view(json_t *in, struct field_errors *errs) {
  const char *words = trim_member(in, "childs_words");
  const char *reason = trim_member(in, "childs_view_not_gathered_reason");
  bool have_words = words && *words, have_reason = reason && *reason;
  if (json_is_string(json_object_get(in, "childs_words")) && !have_words) json_object_set_new(in, "childs_words", json_null());
  if (json_is_string(json_object_get(in, "childs_view_not_gathered_reason")) && !have_reason)
    json_object_set_new(in, "childs_view_not_gathered_reason", json_null());
  if (!have_words && !have_reason) {
    ferr_add(errs, "childs_words",
             "is required: record the child's own words, or in childs_view_not_gathered_reason why they could not "
             "be gathered");
    return false;
  }
  if (have_words && have_reason) {
    ferr_add(errs, "childs_view_not_gathered_reason",
             "is only for when the child's view could not be gathered: give the child's words or this reason, not both");
    return false;
  }
  return true;
}

/* Each exploitation type must be the tool's, and given once. */
static bool check_types(const struct risk_tool *t, json_t *types, struct field_errors *errs) {
  bool ok = true;
  size_t i;
  json_t *v;
  json_array_foreach(types, i, v) {
    char path[48];
    snprintf(path, sizeof path, "exploitation_types[%zu]", i);
    const char *code = json_string_value(v);
    if (!code) continue;
    if (!risk_tool_type_label(t, code)) {
      struct buf b = BUF_INIT;
      for (int k = 0; k < t->ntypes; k++) buf_printf(&b, "%s%s", k ? ", " : "", t->types[k].code);
      ferr_add(errs, path, "must be one of: %s", t->ntypes ? buf_cstr(&b) : "(this tool lists no types)");
      buf_free(&b);
      ok = false;
      continue;
    }
    for (size_t k = 0; k < i; k++) {
      if (json_equal(json_array_get(types, k), v)) {
        ferr_add(errs, path, "%s is listed twice", code);
        ok = false;
        break;
      }
    }
  }
  return ok;
}

/*
** Professional judgement against the tool's level: any level with a
** rationale may be chosen, except below a level an overriding rule demands.
** A lower level than the tool's needs a manager's countersignature: named in
** countersign_by (then it waits for them, and the tool's level stands
** meanwhile), or given at once when the assessor is a manager or director.
*/
static bool check_judgement(const struct risk_tool *t, json_t *j, bool scored, bool assessor_is_manager,
                            struct field_errors *errs, struct risk_decision *d) {
  d->judged = -1;
  d->final = d->result.computed;
  d->countersign = RISK_CS_NOT_NEEDED;
  if (!json_is_object(j)) return true;
  trim_member(j, "rationale");
  const char *level = json_string_value(json_object_get(j, "level"));
  const char *by = trim_member(j, "countersign_by");
  bool named = by && *by;
  if (json_is_string(json_object_get(j, "countersign_by")) && !named) json_object_set_new(j, "countersign_by", json_null());
  if (!level) return false;
  d->judged = risk_tool_level_index(t, level);
  if (d->judged < 0) {
    struct buf b = BUF_INIT;
    for (int k = 0; k < t->nlevels; k++) buf_printf(&b, "%s%s", k ? ", " : "", t->levels[k].code);
    ferr_add(errs, "professional_judgement.level", "must be one of: %s", buf_cstr(&b));
    buf_free(&b);
    return false;
  }
  if (!scored) return true;
  const struct risk_result *res = &d->result;
  if (res->floor >= 0 && d->judged < res->floor) {
    ferr_add(errs, "professional_judgement.level", "cannot be below %s: %s", t->levels[res->floor].label,
             t->overrides[res->floor_rule].reason);
    return false;
  }
  if (d->judged >= res->computed) {
    if (named) {
      ferr_add(errs, "professional_judgement.countersign_by", "is only for a level lower than the tool's (%s)",
               t->levels[res->computed].label);
      return false;
    }
    d->final = d->judged;
    return true;
  }
  if (named) {
    d->countersign = RISK_CS_AWAITING;
    d->final = res->computed;
    return true;
  }
  if (assessor_is_manager) {
    d->countersign = RISK_CS_AGREED;
    d->countersigned_by_assessor = true;
    d->final = d->judged;
    return true;
  }
  ferr_add(errs, "professional_judgement.countersign_by",
           "is required: a level lower than the tool's (%s) needs a manager's countersignature; name the manager or "
           "director who will countersign",
           t->levels[res->computed].label);
  return false;
}

/*
** Checks an assessment's input IN against the allowlist and the tool T, and
** decides its levels into *OUT.  Text is trimmed in place, each indicator's
** recency is filled in (the most recent band when not given), blank
** optional text becomes null.  ASSESSOR_IS_MANAGER: the assessor may
** countersign their own lowering.  Returns true when IN may be recorded;
** otherwise every problem is in ERRS, one reason per field.
*/
bool risk_input_check(const struct risk_tool *t, json_t *in, bool assessor_is_manager, struct field_errors *errs,
                      struct risk_decision *out) {
  memset(out, 0, sizeof *out);
  out->judged = -1;
  out->result.rule = out->result.floor = out->result.floor_rule = -1;
  bool ok = fields_check(in, ASSESSMENT_SPEC, NULL, false, errs);
  json_t *list = json_object_get(in, "indicators");
  struct risk_obs obs[RISK_MAX_INDICATORS];
  int n = 0;
  bool scored = false;
  if (json_is_array(list) && json_array_size(list) <= RISK_MAX_INDICATORS) {
    bool inds_ok = check_indicators(t, list, errs, obs, &n);
    ok = inds_ok && ok;
    scored = inds_ok && risk_compute(t, obs, n, &out->result) == 0;
    /* Any problem with an indicator (its shape included) leaves the score unknown. */
    const char *k;
    json_t *v;
    json_object_foreach(errs->fields, k, v) {
      if (!strncmp(k, "indicators", 10)) scored = false;
    }
  }
  ok = check_childs_view(in, errs) && ok;
  json_t *types = json_object_get(in, "exploitation_types");
  if (json_is_array(types)) ok = check_types(t, types, errs) && ok;
  json_t *j = json_object_get(in, "professional_judgement");
  if (!scored) out->result.computed = 0;
  ok = check_judgement(t, j, scored, assessor_is_manager, errs, out) && ok;
  return ok && scored && !ferr_any(errs);
}

static const struct field_spec COUNTERSIGN_SPEC[] = {
    {"decision", F_STRING, F_REQUIRED, 16, NULL, NULL},
    {"comment", F_STRING, F_NULLABLE | F_MULTILINE, RISK_REASON_MAX, NULL, NULL},
    {NULL, F_STRING, 0, 0, NULL, NULL},
};

/*
** Checks a manager's countersignature {"decision":"agree"|"decline",
** "comment"}: a decline needs a comment saying why.  Trims the comment in
** place.  True with *AGREE set, or false with ERRS filled.
*/
bool risk_countersign_check(json_t *in, struct field_errors *errs, bool *agree) {
  *agree = false;
  bool ok = fields_check(in, COUNTERSIGN_SPEC, NULL, false, errs);
  const char *decision = json_string_value(json_object_get(in, "decision"));
  const char *comment = trim_member(in, "comment");
  bool have_comment = comment && *comment;
  if (json_is_string(json_object_get(in, "comment")) && !have_comment) json_object_set_new(in, "comment", json_null());
  if (decision && strcmp(decision, "agree") != 0 && strcmp(decision, "decline") != 0) {
    ferr_add(errs, "decision", "must be agree or decline");
    return false;
  }
  if (decision && !strcmp(decision, "decline") && !have_comment) {
    ferr_add(errs, "comment", "is required when declining: say why the tool's level should stand");
    return false;
  }
  *agree = decision && !strcmp(decision, "agree");
  return ok && !ferr_any(errs);
}

/* The level in force once a manager has AGREEd (the judged level) or declined (the tool's level). */
int risk_final_after_countersign(const struct risk_decision *d, bool agree) {
  return agree && d->judged >= 0 ? d->judged : d->result.computed;
}

static const char *const CS_NAMES[] = {"not_needed", "awaiting", "agreed", "declined"};

/* The stored and API name of CS. */
const char *risk_countersign_name(enum risk_countersign cs) {
  return (unsigned)cs < sizeof CS_NAMES / sizeof CS_NAMES[0] ? CS_NAMES[cs] : "not_needed";
}

/* Parses a countersignature status name; false for anything else. */
bool risk_countersign_parse(const char *s, enum risk_countersign *out) {
  for (size_t i = 0; s && i < sizeof CS_NAMES / sizeof CS_NAMES[0]; i++) {
    if (!strcmp(s, CS_NAMES[i])) {
      *out = (enum risk_countersign)i;
      return true;
    }
  }
  return false;
}

/* The item of indicator array LIST whose "code" is CODE, or NULL. */
static json_t *by_code(json_t *list, const char *code) {
  size_t i;
  json_t *v;
  json_array_foreach(list, i, v) {
    const char *c = json_string_value(json_object_get(v, "code"));
    if (c && !strcmp(c, code)) return v;
  }
  return NULL;
}

/* True when string array LIST holds S. */
static bool has_string(json_t *list, const char *s) {
  size_t i;
  json_t *v;
  json_array_foreach(list, i, v) {
    if (json_is_string(v) && !strcmp(json_string_value(v), s)) return true;
  }
  return false;
}

/* {"code","label","recency"} for indicator item V (label from the tool when it still has it). */
static json_t *change_item(const struct risk_tool *t, json_t *v) {
  const char *code = json_string_value(json_object_get(v, "code"));
  const struct risk_indicator *ri = risk_tool_indicator(t, code);
  const char *label = json_string_value(json_object_get(v, "label"));
  return json_pack("{s:s,s:s,s:O?}", "code", code, "label", ri ? ri->label : label ? label : code, "recency",
                   json_object_get(v, "recency"));
}

/* The strings of LIST A that are not in LIST B, as a new array. */
static json_t *missing_from(json_t *a, json_t *b) {
  json_t *out = json_array();
  size_t i;
  json_t *v;
  json_array_foreach(a, i, v) {
    if (json_is_string(v) && !has_string(b, json_string_value(v))) json_array_append(out, v);
  }
  return out;
}

/*
** What changed from assessment BEFORE to assessment AFTER (both as the API
** renders them: "id", "score", "level", "computed_level", "indicators"
** [{"code","recency",...}], "exploitation_types"):
** {"from","to","score":{"from","to"},"level":{"from","to"},"computed_level":
** {"from","to"},"added":[...],"removed":[...],"recency_changed":[{"code",
** "label","from","to"}],"exploitation_types":{"added","removed"},
** "unchanged":N}.  NULL when BEFORE is NULL (a first assessment).  New
** reference.
*/
json_t *risk_changes(const struct risk_tool *t, json_t *before, json_t *after) {
  if (!before || !after) return NULL;
  json_t *bi = json_object_get(before, "indicators"), *ai = json_object_get(after, "indicators");
  json_t *added = json_array(), *removed = json_array(), *changed = json_array();
  int unchanged = 0;
  size_t i;
  json_t *v;
  json_array_foreach(ai, i, v) {
    const char *code = json_string_value(json_object_get(v, "code"));
    json_t *old = code ? by_code(bi, code) : NULL;
    if (!old) {
      json_array_append_new(added, change_item(t, v));
    } else if (!json_equal(json_object_get(old, "recency"), json_object_get(v, "recency"))) {
      json_t *item = change_item(t, v);
      json_object_del(item, "recency");
      json_object_set(item, "from", json_object_get(old, "recency"));
      json_object_set(item, "to", json_object_get(v, "recency"));
      json_array_append_new(changed, item);
    } else {
      unchanged++;
    }
  }
  json_array_foreach(bi, i, v) {
    const char *code = json_string_value(json_object_get(v, "code"));
    if (code && !by_code(ai, code)) json_array_append_new(removed, change_item(t, v));
  }
  json_t *bt = json_object_get(before, "exploitation_types"), *at = json_object_get(after, "exploitation_types");
  return json_pack("{s:O?,s:O?,s:{s:O?,s:O?},s:{s:O?,s:O?},s:{s:O?,s:O?},s:o,s:o,s:o,s:{s:o,s:o},s:i}", "from",
                   json_object_get(before, "id"), "to", json_object_get(after, "id"), "score", "from",
                   json_object_get(before, "score"), "to", json_object_get(after, "score"), "level", "from",
                   json_object_get(before, "level"), "to", json_object_get(after, "level"), "computed_level", "from",
                   json_object_get(before, "computed_level"), "to", json_object_get(after, "computed_level"), "added",
                   added, "removed", removed, "recency_changed", changed, "exploitation_types", "added",
                   missing_from(at, bt), "removed", missing_from(bt, at), "unchanged", unchanged);
}
