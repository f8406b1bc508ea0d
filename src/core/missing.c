/*
** The rules of missing episodes and return-home interviews (see missing.h):
** the allowlists of the episode and interview bodies, the order of an
** episode's times, overlaps between episodes, when the interview is due and
** where it stands, and the "N episodes in D days" flag.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/calendar.h"
#include "core/missing.h"
#include "util/text.h"
#include "util/timeutil.h"

#define DAY_SECONDS 86400

/* A field check: VALUE is an ISO 8601 instant with a zone. */
static bool check_instant(json_t *value, char *why, size_t whylen) {
  int64_t t;
  if (time_parse_iso(json_string_value(value), &t)) return true;
  snprintf(why, whylen, "must be an ISO 8601 time with a zone, for example 2026-11-28T10:00:00Z");
  return false;
}

static const struct field_spec EPISODE_FIELDS[] = {
    {"went_missing_at", F_STRING, F_REQUIRED, 40, check_instant, NULL},
    {"returned_at", F_STRING, F_NULLABLE, 40, check_instant, NULL},
    {"reported_to_police", F_BOOL, F_REQUIRED, 0, NULL, NULL},
    {"where_found", F_STRING, F_NULLABLE, MISSING_TEXT_MAX, NULL, NULL},
    {"with_whom", F_STRING, F_NULLABLE, MISSING_TEXT_MAX, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static const struct field_spec INTERVIEW_FIELDS[] = {
    {"declined", F_BOOL, 0, 0, NULL, NULL},
    {"reason", F_STRING, F_MULTILINE, 2000, NULL, NULL},
    {"conducted_by", F_STRING, 0, MISSING_NAME_MAX, NULL, NULL},
    {"independent", F_BOOL, 0, 0, NULL, NULL},
    {"childs_account", F_STRING, F_MULTILINE, MISSING_ACCOUNT_MAX, NULL, NULL},
    {"conducted_at", F_STRING, 0, 40, check_instant, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

/*
** Trims the string member KEY of IN in place; a blank value becomes null.
** Returns the stored text (owned by IN) or NULL.
*/
static const char *trim_member(json_t *in, const char *key) {
  json_t *v = json_object_get(in, key);
  if (!json_is_string(v)) return NULL;
  char *t = text_trim_dup(json_string_value(v));
  if (!*t) {
    free(t);
    json_object_set_new(in, key, json_null());
    return NULL;
  }
  json_object_set_new(in, key, json_string(t));
  free(t);
  return json_string_value(json_object_get(in, key));
}

/* Parses the instant member KEY of IN (already checked) into *OUT. */
static void instant_member(json_t *in, const char *key, int64_t *out) {
  if (!time_parse_iso(json_string_value(json_object_get(in, key)), out)) *out = 0;
}

/*
** Checks a missing episode body IN against the allowlist (PARTIAL for a
** change, where nothing is required), trims its text in place and fills
** OUT.  For a whole episode it also checks the order of its times against
** NOW.  Returns true when all is well; otherwise ERRS names every bad field.
*/
bool missing_validate(json_t *in, bool partial, int64_t now, struct missing_input *out, struct field_errors *errs) {
  memset(out, 0, sizeof *out);
  if (!fields_check(in, EPISODE_FIELDS, NULL, partial, errs)) {
    /* Every well-formed time is still checked, so that one answer names every problem. */
    int64_t went = 0, ret = 0;
    bool has_went = json_is_string(json_object_get(in, "went_missing_at")) &&
                    time_parse_iso(json_string_value(json_object_get(in, "went_missing_at")), &went);
    bool has_ret = json_is_string(json_object_get(in, "returned_at")) &&
                   time_parse_iso(json_string_value(json_object_get(in, "returned_at")), &ret);
    if (has_went && went > now) ferr_add(errs, "went_missing_at", "must not be in the future");
    if (has_ret && ret > now) ferr_add(errs, "returned_at", "must not be in the future");
    if (has_went && has_ret && ret < went) ferr_add(errs, "returned_at", "must not be before the child went missing");
    return false;
  }
  json_t *v;
  if ((v = json_object_get(in, "went_missing_at"))) {
    out->has_went = true;
    instant_member(in, "went_missing_at", &out->went_missing_at);
  }
  if ((v = json_object_get(in, "returned_at"))) {
    out->has_returned = true;
    out->returned = !json_is_null(v);
    if (out->returned) instant_member(in, "returned_at", &out->returned_at);
  }
  if ((v = json_object_get(in, "reported_to_police"))) {
    out->has_police = true;
    out->reported_to_police = json_is_true(v);
  }
  if (json_object_get(in, "where_found")) {
    out->has_where = true;
    out->where_found = trim_member(in, "where_found");
  }
  if (json_object_get(in, "with_whom")) {
    out->has_with = true;
    out->with_whom = trim_member(in, "with_whom");
  }
  if (partial) return true;
  bool ok = true;
  if (out->where_found && !out->returned) {
    ferr_add(errs, "where_found", "is recorded with the return: give returned_at too, or leave where_found out");
    ok = false;
  }
  return missing_check_times(out->went_missing_at, out->returned, out->returned_at, now, INT64_MIN, errs) && ok;
}

/*
** Checks the order of an episode's times: neither in the future (after
** NOW), the return not before the going missing, and the going missing not
** before the day the child was born (BORN_DAY, days since the epoch, or
** INT64_MIN when the date of birth is not known).  Names each bad field.
*/
bool missing_check_times(int64_t went, bool returned, int64_t returned_at, int64_t now, int64_t born_day,
                         struct field_errors *errs) {
  bool ok = true;
  if (went > now) {
    ferr_add(errs, "went_missing_at", "must not be in the future");
    ok = false;
  } else if (born_day != INT64_MIN && went < london_local_to_utc(born_day * DAY_SECONDS)) {
    ferr_add(errs, "went_missing_at", "must not be before the child's date of birth");
    ok = false;
  }
  if (returned) {
    if (returned_at < went) {
      ferr_add(errs, "returned_at", "must not be before the child went missing");
      ok = false;
    } else if (returned_at > now) {
      ferr_add(errs, "returned_at", "must not be in the future");
      ok = false;
    }
  }
  return ok;
}

/*
** The index in OTHERS of the first episode that overlaps the span from WENT
** to RETURNED_AT (to the end of time while not RETURNED), or -1.  Spans that
** only touch (one returns at the instant the next begins) do not overlap.
*/
int missing_overlap(const struct missing_span *others, size_t n, int64_t went, bool returned, int64_t returned_at) {
  int64_t end = returned ? returned_at : INT64_MAX;
  for (size_t i = 0; i < n; i++) {
    int64_t oend = others[i].has_returned ? others[i].returned : INT64_MAX;
    bool same_instant = others[i].went == went; /* two episodes cannot begin together either */
    if (same_instant || (others[i].went < end && went < oend)) return (int)i;
  }
  return -1;
}

/*
** Checks a return-home interview body IN: either a held interview
** (conducted_by, independent and childs_account required) or a declined one
** (declined true with a reason; conducted_by may name who offered it).
** conducted_at defaults to NOW and must lie between RETURNED_AT and NOW.
** Trims text in place and fills OUT.  Returns true when all is well.
*/
bool missing_interview_validate(json_t *in, int64_t returned_at, int64_t now, struct interview_input *out,
                                struct field_errors *errs) {
  memset(out, 0, sizeof *out);
  bool ok = fields_check(in, INTERVIEW_FIELDS, NULL, false, errs);
  out->declined = json_is_true(json_object_get(in, "declined"));
  out->conducted_by = trim_member(in, "conducted_by");
  out->childs_account = trim_member(in, "childs_account");
  out->reason = trim_member(in, "reason");
  json_t *ind = json_object_get(in, "independent");
  out->independent = json_is_true(ind);
  if (!ok) return false; /* the rules below need well-typed values */
  if (out->declined) {
    if (!out->reason) {
      ferr_add(errs, "reason", "is required when the child declined the interview");
      ok = false;
    }
    if (json_object_get(in, "childs_account")) {
      ferr_add(errs, "childs_account", "is not recorded when the child declined the interview");
      ok = false;
    }
    if (ind) {
      ferr_add(errs, "independent", "is not recorded when the child declined the interview");
      ok = false;
    }
  } else {
    if (!out->conducted_by) {
      ferr_add(errs, "conducted_by", "is required: who conducted the interview");
      ok = false;
    }
    if (!ind) {
      ferr_add(errs, "independent", "is required: whether the interviewer was independent of the placement");
      ok = false;
    }
    if (!out->childs_account) {
      ferr_add(errs, "childs_account", "is required: the child's account in their own words");
      ok = false;
    }
    if (json_object_get(in, "reason")) {
      ferr_add(errs, "reason", "is only recorded when the child declined the interview");
      ok = false;
    }
  }
  out->conducted_at = now;
  if (json_object_get(in, "conducted_at")) {
    instant_member(in, "conducted_at", &out->conducted_at);
    if (out->conducted_at > now) {
      ferr_add(errs, "conducted_at", "must not be in the future");
      ok = false;
    } else if (out->conducted_at < returned_at) {
      ferr_add(errs, "conducted_at", "must not be before the child returned");
      ok = false;
    }
  }
  return ok;
}

/* When the return-home interview after a return at RETURNED_AT falls due: HOURS clock hours later. */
int64_t missing_interview_due(int64_t returned_at, int hours) { return returned_at + (int64_t)hours * 3600; }

/*
** Where the interview stands at NOW: OUTCOME is the recorded outcome
** ("completed", "declined") or NULL; DUE_AT matters only once RETURNED.
** Due work is overdue from the instant it falls due, as on the work lists.
*/
enum rhi_state missing_interview_state(bool returned, const char *outcome, int64_t due_at, int64_t now) {
  if (outcome && !strcmp(outcome, "completed")) return RHI_COMPLETED;
  if (outcome && !strcmp(outcome, "declined")) return RHI_DECLINED;
  if (!returned) return RHI_AWAITING_RETURN;
  return now >= due_at ? RHI_OVERDUE : RHI_DUE;
}

/* The API's name for a state (static storage). */
const char *missing_interview_state_name(enum rhi_state s) {
  switch (s) {
  case RHI_AWAITING_RETURN: return "awaiting_return";
  case RHI_DUE: return "due";
  case RHI_OVERDUE: return "overdue";
  case RHI_COMPLETED: return "completed";
  case RHI_DECLINED: return "declined";
  }
  return "due";
}

/*
** The largest number of episodes, among the N start times STARTS (which
** include T), that began within any span of DAYS days (both ends counted)
** that also holds T.  Order of STARTS does not matter.
*/
int missing_window_count(const int64_t *starts, size_t n, int64_t t, int days) {
  int64_t w = (int64_t)days * DAY_SECONDS;
  int best = 0;
  for (size_t i = 0; i < n; i++) {
    int64_t s = starts[i];
    if (s > t || s < t - w) continue; /* a window starting here would not hold T */
    int count = 0;
    for (size_t j = 0; j < n; j++) {
      if (starts[j] >= s && starts[j] <= s + w) count++;
    }
    if (count > best) best = count;
  }
  return best;
}

/*
** True when the episode starting at NEW_START (one of STARTS) makes
** THRESHOLD or more episodes within DAYS days: the child is flagged and a
** risk review asked for.
*/
bool missing_flag_raised(const int64_t *starts, size_t n, int64_t new_start, int threshold, int days) {
  return missing_window_count(starts, n, new_start, days) >= threshold;
}

/* How many of STARTS lie in the DAYS days up to NOW (both ends counted). */
int missing_recent_count(const int64_t *starts, size_t n, int64_t now, int days) {
  int64_t w = (int64_t)days * DAY_SECONDS;
  int count = 0;
  for (size_t i = 0; i < n; i++) {
    if (starts[i] <= now && starts[i] >= now - w) count++;
  }
  return count;
}
