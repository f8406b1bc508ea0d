/*
** Case notes, allocation, meetings and actions, and support referrals: the
** allowlists, code lists and small decisions of casework (see
** casework_rules.h).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/calendar.h"
#include "core/casework_rules.h"
#include "util/codec.h"
#include "util/text.h"
#include "util/timeutil.h"

#define DAY_SECONDS 86400

const struct code MEETING_TYPES[] = {
    {"strategy_discussion", "Strategy discussion"},
    {"cse_meeting", "Multi-agency CSE meeting"},
    {NULL, NULL},
};

const struct code SUPPORT_SERVICES[] = {
    {"cse_specialist", "Specialist CSE worker"},
    {"isva", "Independent sexual violence adviser (ISVA)"},
    {"therapeutic", "Therapeutic support"},
    {"post_abuse", "Post-abuse support"},
    {"sexual_health", "Sexual health service"},
    {"camhs", "Child and adolescent mental health services (CAMHS)"},
    {"outreach", "Outreach"},
    {NULL, NULL},
};

/* Referral statuses in the order a referral moves through them; the last two are final. */
const struct code SUPPORT_STATUSES[] = {
    {"referred", "Referred"},
    {"waiting", "On the waiting list"},
    {"active", "Receiving support"},
    {"not_accepted", "Not accepted by the service"},
    {"closed", "Closed"},
    {NULL, NULL},
};

const struct code SUPPORT_ENGAGEMENT[] = {
    {"not_known", "Not known yet"},
    {"engaging", "Engaging"},
    {"partly_engaging", "Partly engaging"},
    {"not_engaging", "Not engaging"},
    {"declined", "Declined the support"},
    {NULL, NULL},
};

/* Writes "must be one of: a, b, c" for LIST into WHY. */
static bool one_of(const struct code *list, json_t *value, char *why, size_t whylen) {
  if (code_valid(list, json_string_value(value))) return true;
  int n = snprintf(why, whylen, "must be one of:");
  for (const struct code *c = list; c->code && n > 0 && (size_t)n < whylen; c++) {
    n += snprintf(why + n, whylen - (size_t)n, "%s %s", c == list ? "" : ",", c->code);
  }
  return false;
}

static bool check_meeting_type(json_t *v, char *why, size_t n) { return one_of(MEETING_TYPES, v, why, n); }
static bool check_service(json_t *v, char *why, size_t n) { return one_of(SUPPORT_SERVICES, v, why, n); }
static bool check_status(json_t *v, char *why, size_t n) { return one_of(SUPPORT_STATUSES, v, why, n); }
static bool check_engagement(json_t *v, char *why, size_t n) { return one_of(SUPPORT_ENGAGEMENT, v, why, n); }

/* A field check: VALUE is an ISO 8601 instant with a zone. */
static bool check_instant(json_t *value, char *why, size_t whylen) {
  int64_t t;
  if (time_parse_iso(json_string_value(value), &t)) return true;
  snprintf(why, whylen, "must be an ISO 8601 time with a zone, for example 2026-11-28T10:00:00Z");
  return false;
}

/* A field check: VALUE is a real calendar date written YYYY-MM-DD. */
static bool check_date(json_t *value, char *why, size_t whylen) {
  int64_t d;
  if (date_parse(json_string_value(value), &d)) return true;
  snprintf(why, whylen, "must be a real date written YYYY-MM-DD");
  return false;
}

/* Trims the string member KEY of OBJ in place; blank becomes null.  The stored text (owned by OBJ), or NULL. */
static const char *trim_member(json_t *obj, const char *key) {
  json_t *v = json_object_get(obj, key);
  if (!json_is_string(v)) return NULL;
  char *t = text_trim_dup(json_string_value(v));
  if (!*t) {
    free(t);
    json_object_set_new(obj, key, json_null());
    return NULL;
  }
  json_object_set_new(obj, key, json_string(t));
  free(t);
  return json_string_value(json_object_get(obj, key));
}

/* Reports the second and later copies of a string in the list ARR under FIELD[i]. */
static bool no_repeats(json_t *arr, const char *field, struct field_errors *errs) {
  bool ok = true;
  for (size_t i = 1; i < json_array_size(arr); i++) {
    for (size_t j = 0; j < i; j++) {
      if (json_equal(json_array_get(arr, i), json_array_get(arr, j))) {
        ferr_add(errs, field, "lists %s twice", json_string_value(json_array_get(arr, i)));
        ok = false;
        break;
      }
    }
  }
  return ok;
}

static const struct field_spec NOTE_FIELDS[] = {
    {"text", F_STRING, F_REQUIRED | F_MULTILINE, NOTE_TEXT_MAX, NULL, NULL},
    {"childs_words", F_STRING, F_NULLABLE | F_MULTILINE, NOTE_TEXT_MAX, NULL, NULL},
    {"indicators", F_STRINGS, 0, NOTE_INDICATORS_MAX, NULL, NULL},
    {"at", F_STRING, 0, 40, check_instant, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

/*
** Checks a case note IN: text required, the child's words optional (kept
** verbatim apart from surrounding space), indicators a list of distinct
** codes (the caller checks them against the risk tool), and "at" (default
** NOW) not in the future.  Fills OUT with references into IN.
*/
bool note_validate(json_t *in, int64_t now, struct note_input *out, struct field_errors *errs) {
  memset(out, 0, sizeof *out);
  bool ok = fields_check(in, NOTE_FIELDS, NULL, false, errs);
  out->text = trim_member(in, "text");
  out->childs_words = trim_member(in, "childs_words");
  if (!json_object_get(in, "indicators")) json_object_set_new(in, "indicators", json_array());
  out->indicators = json_object_get(in, "indicators");
  if (json_is_array(out->indicators)) ok = no_repeats(out->indicators, "indicators", errs) && ok;
  out->at = now;
  if (json_is_string(json_object_get(in, "at")) && time_parse_iso(json_string_value(json_object_get(in, "at")), &out->at)) {
    if (out->at > now) {
      ferr_add(errs, "at", "must not be in the future");
      ok = false;
    }
  }
  return ok;
}

static const struct field_spec ALLOCATION_FIELDS[] = {
    {"worker", F_STRING, F_REQUIRED, 64, NULL, NULL},
    {"team", F_STRING, F_REQUIRED, TEAM_MAX, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

/* Checks an allocation IN: the worker's username and the team, both required.  Fills OUT. */
bool allocation_validate(json_t *in, struct allocation_input *out, struct field_errors *errs) {
  memset(out, 0, sizeof *out);
  if (!fields_check(in, ALLOCATION_FIELDS, NULL, false, errs)) return false;
  out->worker = trim_member(in, "worker");
  out->team = trim_member(in, "team");
  return out->worker && out->team;
}

static const struct field_spec ATTENDEE_FIELDS[] = {
    {"name", F_STRING, F_REQUIRED, 200, NULL, NULL},
    {"agency", F_STRING, F_REQUIRED, 32, NULL, NULL},
    {"role", F_STRING, F_NULLABLE, 200, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static const struct field_spec ACTION_FIELDS[] = {
    {"description", F_STRING, F_REQUIRED | F_MULTILINE, 2000, NULL, NULL},
    {"owner", F_STRING, F_REQUIRED, 64, NULL, NULL},
    {"due", F_STRING, F_REQUIRED, 10, check_date, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static const struct field_spec MEETING_FIELDS[] = {
    {"type", F_STRING, F_REQUIRED, 40, check_meeting_type, NULL},
    {"child_ids", F_STRINGS, F_REQUIRED, MEETING_CHILDREN_MAX, NULL, NULL},
    {"held_at", F_STRING, F_REQUIRED, 40, check_instant, NULL},
    {"attendees", F_OBJECTS, F_REQUIRED, MEETING_ATTENDEES_MAX, NULL, ATTENDEE_FIELDS},
    {"decisions", F_STRING, F_REQUIRED | F_MULTILINE, NOTE_TEXT_MAX, NULL, NULL},
    {"actions", F_OBJECTS, 0, MEETING_ACTIONS_MAX, NULL, ACTION_FIELDS},
    {NULL, 0, 0, 0, NULL, NULL},
};

/*
** Checks a meeting IN: its type, the children it was about (1 to 20
** distinct ids), when it was held (not after NOW), who attended (at least
** one, each with an agency code), the decisions, and actions each with an
** owner's username and a due date not before the day of the meeting (in
** UK time).  Trims text in place.  The service checks that the children,
** agencies and owners exist.
*/
bool meeting_validate(json_t *in, int64_t now, struct field_errors *errs) {
  bool ok = fields_check(in, MEETING_FIELDS, NULL, false, errs);
  trim_member(in, "decisions");
  json_t *kids = json_object_get(in, "child_ids");
  if (json_is_array(kids) && json_array_size(kids) == 0) {
    ferr_add(errs, "child_ids", "must name at least one child");
    ok = false;
  }
  size_t i;
  json_t *v;
  json_array_foreach(kids, i, v) {
    if (json_is_string(v) && !ids_plausible(json_string_value(v))) {
      char field[48];
      snprintf(field, sizeof field, "child_ids[%zu]", i);
      ferr_add(errs, field, "is not a record you can see");
      ok = false;
    }
  }
  ok = no_repeats(kids, "child_ids", errs) && ok;
  if (json_is_array(json_object_get(in, "attendees")) && json_array_size(json_object_get(in, "attendees")) == 0) {
    ferr_add(errs, "attendees", "must list at least one person who attended");
    ok = false;
  }
  json_array_foreach(json_object_get(in, "attendees"), i, v) {
    if (!json_is_object(v)) continue;
    trim_member(v, "name");
    trim_member(v, "agency");
    trim_member(v, "role");
  }
  int64_t held = 0;
  bool has_held = json_is_string(json_object_get(in, "held_at")) &&
                  time_parse_iso(json_string_value(json_object_get(in, "held_at")), &held);
  if (has_held && held > now) {
    ferr_add(errs, "held_at", "must not be in the future: record a meeting once it has been held");
    ok = false;
  }
  int64_t held_day = london_today(held);
  json_array_foreach(json_object_get(in, "actions"), i, v) {
    if (!json_is_object(v)) continue;
    trim_member(v, "description");
    trim_member(v, "owner");
    int64_t due;
    if (has_held && json_is_string(json_object_get(v, "due")) && date_parse(json_string_value(json_object_get(v, "due")), &due) &&
        due < held_day) {
      char field[48];
      snprintf(field, sizeof field, "actions[%zu].due", i);
      ferr_add(errs, field, "must not be before the day of the meeting");
      ok = false;
    }
  }
  return ok;
}

/* The last second of calendar day DAY (days since the epoch) in UK time, as a UTC instant: when work due that day becomes overdue. */
int64_t casework_end_of_day(int64_t day) { return london_local_to_utc((day + 1) * DAY_SECONDS) - 1; }

static const struct field_spec COMPLETE_FIELDS[] = {
    {"note", F_STRING, F_NULLABLE | F_MULTILINE, 5000, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

/* Checks the body of an action's completion: an optional note of what was done. */
bool action_complete_validate(json_t *in, struct field_errors *errs) {
  if (!fields_check(in, COMPLETE_FIELDS, NULL, false, errs)) return false;
  trim_member(in, "note");
  return true;
}

static const struct field_spec SUPPORT_FIELDS[] = {
    {"service", F_STRING, F_REQUIRED, 40, check_service, NULL},
    {"provider", F_STRING, F_NULLABLE, 200, NULL, NULL},
    {"referred_on", F_STRING, 0, 10, check_date, NULL},
    {"status", F_STRING, F_REQUIRED, 40, check_status, NULL},
    {"engagement", F_STRING, 0, 40, check_engagement, NULL},
    {"outcome", F_STRING, F_NULLABLE | F_MULTILINE, 5000, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

/*
** Checks a support referral IN, whole or (PARTIAL) a change to one.  The
** service cannot be changed once referred; referred_on (default today) must
** not be after TODAY.  The whole record's rules are support_check_record's.
*/
bool support_validate(json_t *in, bool partial, int64_t today, struct field_errors *errs) {
  bool ok = fields_check(in, SUPPORT_FIELDS, NULL, partial, errs);
  if (partial && json_object_get(in, "service")) {
    ferr_add(errs, "service", "cannot be changed: record a new referral to another service instead");
    ok = false;
  }
  trim_member(in, "provider");
  trim_member(in, "outcome");
  int64_t d;
  if (json_is_string(json_object_get(in, "referred_on")) && date_parse(json_string_value(json_object_get(in, "referred_on")), &d) &&
      d > today) {
    ferr_add(errs, "referred_on", "must not be in the future");
    ok = false;
  }
  return ok;
}

/* The rule on a whole referral: a closed one records its outcome. */
bool support_check_record(const char *status, const char *outcome, struct field_errors *errs) {
  if (status && !strcmp(status, "closed") && (!outcome || text_is_blank(outcome))) {
    ferr_add(errs, "outcome", "is required when the referral is closed");
    return false;
  }
  return true;
}

/* True when a referral may move from status FROM to TO: "closed" and "not_accepted" are final. */
bool support_transition_ok(const char *from, const char *to) {
  if (!from || !to || !strcmp(from, to)) return true;
  return strcmp(from, "closed") != 0 && strcmp(from, "not_accepted") != 0;
}
