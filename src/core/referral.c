/*
** The rules of a referral at the front door (see referral.h).  Pure: no I/O.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/match/names.h"
#include "core/match/record.h"
#include "core/match/strsim.h"
#include "core/referral.h"
#include "util/text.h"
#include "util/timeutil.h"

const struct code REFERRAL_STATUSES[] = {
    {"received", "Received"},
    {"triaged", "Rated"},
    {"awaiting_signoff", "Waiting for sign-off"},
    {"decided", "Decided"},
    {"challenged", "Challenged"},
    {NULL, NULL},
};

const struct code REFERRAL_RAGS[] = {
    {"red", "Red"},
    {"amber", "Amber"},
    {"green", "Green"},
    {NULL, NULL},
};

const struct code REFERRAL_OUTCOMES[] = {
    {"no_further_action", "No further action"},
    {"advice", "Advice and signposting"},
    {"early_help", "Early help"},
    {"assessment", "Assessment by children's social care"},
    {"strategy_discussion", "Strategy discussion"},
    {"section_47", "Section 47 enquiry"},
    {NULL, NULL},
};

const struct code SIGNOFF_OUTCOMES[] = {
    {"approved", "Agree: close with no further action"},
    {"sent_back", "Do not agree: send back for a new decision"},
    {NULL, NULL},
};

const struct code CHALLENGE_ANSWERS[] = {
    {"decision_stands", "The decision stands"},
    {"decision_overturned", "The decision is overturned: decide again"},
    {NULL, NULL},
};

/* The status's code ("received"), or "" for a value out of range. */
const char *referral_status_name(enum referral_status s) {
  return (unsigned)s < RS_COUNT ? REFERRAL_STATUSES[s].code : "";
}

/* Parses a status code into *OUT; false when S is not one. */
bool referral_status_parse(const char *s, enum referral_status *out) {
  for (int i = 0; s && i < RS_COUNT; i++) {
    if (!strcmp(REFERRAL_STATUSES[i].code, s)) {
      *out = (enum referral_status)i;
      return true;
    }
  }
  return false;
}

/* True while work on the referral is outstanding (it is on the MASH queue). */
bool referral_status_open(enum referral_status s) { return s != RS_DECIDED && s < RS_COUNT; }

/*
** The state machine.  Sets *TO to the status after EV happens to a referral
** in FROM and returns 0, or returns -1 when EV may not happen in FROM (the
** caller answers 409 with referral_refusal).  RATED says whether the
** referral has a rating: a referral sent back for a new decision returns to
** "triaged" when it was rated and to "received" when it never was.
*/
int referral_transition(enum referral_status from, enum referral_event ev, bool rated, enum referral_status *to) {
  enum referral_status back = rated ? RS_TRIAGED : RS_RECEIVED;
  switch (ev) {
  case RE_TRIAGE:
    if (from != RS_RECEIVED && from != RS_TRIAGED) return -1;
    *to = RS_TRIAGED;
    return 0;
  case RE_DECIDE:
  case RE_DECIDE_FOR_SIGNOFF:
    if (from != RS_RECEIVED && from != RS_TRIAGED) return -1;
    *to = ev == RE_DECIDE ? RS_DECIDED : RS_AWAITING_SIGNOFF;
    return 0;
  case RE_SIGNOFF_APPROVE:
  case RE_SIGNOFF_SEND_BACK:
    if (from != RS_AWAITING_SIGNOFF) return -1;
    *to = ev == RE_SIGNOFF_APPROVE ? RS_DECIDED : back;
    return 0;
  case RE_CHALLENGE:
    if (from != RS_DECIDED) return -1;
    *to = RS_CHALLENGED;
    return 0;
  case RE_CHALLENGE_STANDS:
  case RE_CHALLENGE_OVERTURNED:
    if (from != RS_CHALLENGED) return -1;
    *to = ev == RE_CHALLENGE_STANDS ? RS_DECIDED : back;
    return 0;
  case RE_ASSIGN:
    if (from != RS_RECEIVED && from != RS_TRIAGED) return -1;
    *to = from;
    return 0;
  default:
    return -1;
  }
}

/* Why EV may not happen to a referral in FROM, as a sentence for people (static storage). */
const char *referral_refusal(enum referral_status from, enum referral_event ev) {
  switch (ev) {
  case RE_TRIAGE:
  case RE_ASSIGN:
  case RE_DECIDE:
  case RE_DECIDE_FOR_SIGNOFF:
    if (from == RS_AWAITING_SIGNOFF) return "The referral has been decided and is waiting for a manager's sign-off.";
    if (from == RS_CHALLENGED) return "The referral has been decided and the decision is being challenged.";
    return "The referral has already been decided.";
  case RE_SIGNOFF_APPROVE:
  case RE_SIGNOFF_SEND_BACK:
    return "The referral is not waiting for a manager's sign-off.";
  case RE_CHALLENGE:
    if (from == RS_CHALLENGED) return "The decision is already being challenged.";
    return "Only a decision that has been made (and signed off where needed) can be challenged.";
  case RE_CHALLENGE_STANDS:
  case RE_CHALLENGE_OVERTURNED:
    return "The referral's decision is not being challenged.";
  default:
    return "The referral is in a state that does not allow this.";
  }
}

/* Working hours a rating allows for the MASH checks, from receipt; 0 for something that is not a rating. */
int referral_rag_hours(const char *rag, int red_hours, int amber_hours, int green_hours) {
  if (!rag) return 0;
  if (!strcmp(rag, "red")) return red_hours;
  if (!strcmp(rag, "amber")) return amber_hours;
  if (!strcmp(rag, "green")) return green_hours;
  return 0;
}

/*
** True when CODE is an indicator of child sexual exploitation in TOOL: any
** of its indicators except those in the "vulnerability" group, which
** describe a child's circumstances rather than signs of exploitation.
*/
bool referral_indicator_is_cse(const struct risk_tool *tool, const char *code) {
  const struct risk_indicator *i = tool ? risk_tool_indicator(tool, code) : NULL;
  return i && (!i->group || strcmp(i->group, "vulnerability") != 0);
}

/*
** True when deciding OUTCOME needs a manager's sign-off before it takes
** effect: closing with no further action a referral that was rated red,
** reported a child in immediate danger, or carries an indicator of sexual
** exploitation.
*/
bool referral_needs_signoff(const char *outcome, const char *rag, bool immediate_danger, bool cse_indicator) {
  if (!outcome || strcmp(outcome, "no_further_action") != 0) return false;
  return immediate_danger || cse_indicator || (rag && !strcmp(rag, "red"));
}

/*
** The deadline kind of BASE ("decision", "signoff", "challenge") in decision
** round ROUND: BASE itself in the first round, "BASE_2" in the second, and
** so on, so that a new round gets a new clock rather than reopening a met
** one.  False when it does not fit in CAP.
*/
bool referral_deadline_kind(const char *base, int round, char *out, size_t cap) {
  int n = round <= 1 ? snprintf(out, cap, "%s", base) : snprintf(out, cap, "%s_%d", base, round);
  return n > 0 && (size_t)n < cap;
}

/* Writes the reference of the NUMBERth referral of YEAR ("R-2026-000123"); false if it cannot be made. */
bool referral_reference_format(int year, int64_t number, char *out, size_t cap) {
  if (year < 1000 || year > 9999 || number < 1 || number > 99999999) return false;
  int n = snprintf(out, cap, "R-%04d-%06lld", year, (long long)number);
  return n > 0 && (size_t)n < cap;
}

/* True when S has the shape of a reference: "R-", four digits, "-", six to eight digits. */
bool referral_reference_valid(const char *s) {
  if (!s || strncmp(s, "R-", 2) != 0) return false;
  for (int i = 2; i < 6; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  if (s[6] != '-') return false;
  size_t digits = 0;
  for (const char *p = s + 7; *p; p++, digits++) {
    if (*p < '0' || *p > '9') return false;
  }
  return digits >= 6 && digits <= 8;
}

/* ---- possible matches ---- */

static const char *jstr(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* The folded search key of S into OUT (empty for NULL). */
static void fold(const char *s, char out[64]) {
  out[0] = '\0';
  if (s) text_fold_key(s, out, 64);
}

/*
** How far two names agree: the same once folded; alike (one slip, a close
** spelling, the same sound by Double Metaphone, the same spelling variant,
** or names of one group such as Bill and William); or not at all.
*/
static enum match_agreement names_agree(const char *a_raw, const char *b_raw) {
  const struct match_names *nm = match_names_default();
  struct match_name a, b;
  match_prepare_name(nm, a_raw ? a_raw : "", &a);
  match_prepare_name(nm, b_raw ? b_raw : "", &b);
  if (!a.key[0] || !b.key[0]) return MATCH_NONE;
  if (!strcmp(a.key, b.key)) return MATCH_EXACT;
  size_t la = strlen(a.key), lb = strlen(b.key);
  if (la > 2 && lb > 2 && within_one_edit(a.key, la, b.key, lb)) return MATCH_NEAR;
  if (jaro_winkler(a.key, la, b.key, lb) >= 0.9) return MATCH_NEAR;
  for (int i = 0; i < 2; i++) {
    for (int j = 0; j < 2; j++) {
      if (a.dm[i] && a.dm[i] == b.dm[j]) return MATCH_NEAR;
    }
  }
  if (a.var && a.var == b.var) return MATCH_NEAR;
  for (int i = 0; i < NAMES_GROUPS; i++) {
    for (int j = 0; j < NAMES_GROUPS; j++) {
      if (a.grp[i] && a.grp[i] == b.grp[j]) return MATCH_NEAR;
    }
  }
  return MATCH_NONE;
}

/* The better of two agreements. */
static enum match_agreement best(enum match_agreement x, enum match_agreement y) { return x > y ? x : y; }

/*
** How the first (or last, when LAST) name given agrees with the known
** child's, also trying the known child's other names: an alias "First Last"
** offers both parts, a one-word alias a first name.
*/
static enum match_agreement name_agreement(json_t *given, json_t *known, bool last) {
  const char *g = jstr(given, last ? "last_name" : "first_name");
  enum match_agreement a = names_agree(g, jstr(known, last ? "last_name" : "first_name"));
  size_t i;
  json_t *alias;
  json_array_foreach(json_object_get(known, "aliases"), i, alias) {
    const char *s = json_string_value(alias);
    if (!s) continue;
    const char *space = strrchr(s, ' ');
    char part[64];
    if (space) snprintf(part, sizeof part, "%.*s", last ? (int)strlen(space + 1) : (int)(space - s), last ? space + 1 : s);
    else if (!last) snprintf(part, sizeof part, "%s", s);
    else continue;
    a = best(a, names_agree(g, part));
  }
  return a;
}

/* Dates of birth: the same, close (day and month swapped, or one digit different), or not. */
static enum match_agreement dob_agreement(const char *a, const char *b) {
  int64_t da, db;
  if (!a || !b || !date_parse(a, &da) || !date_parse(b, &db)) return MATCH_NONE;
  if (da == db) return MATCH_EXACT;
  int ya, ma, dda, yb, mb, ddb;
  civil_from_days(da, &ya, &ma, &dda);
  civil_from_days(db, &yb, &mb, &ddb);
  if (ya == yb && ma == ddb && dda == mb) return MATCH_NEAR;
  uint64_t na = (uint64_t)ya * 10000 + (uint64_t)ma * 100 + (uint64_t)dda;
  uint64_t nb = (uint64_t)yb * 10000 + (uint64_t)mb * 100 + (uint64_t)ddb;
  return digits_one_off(na, nb, 8) ? MATCH_NEAR : MATCH_NONE;
}

/* Postcodes: the same, in the same district (outward code), or not. */
static enum match_agreement postcode_agreement(const char *a, const char *b) {
  if (!a || !b) return MATCH_NONE;
  char fa[64], fb[64];
  fold(a, fa);
  fold(b, fb);
  if (!*fa || !*fb) return MATCH_NONE;
  if (!strcmp(fa, fb)) return MATCH_EXACT;
  /* A full UK postcode ends in a three-character inward code; the rest is the district. */
  size_t la = strlen(fa), lb = strlen(fb);
  if (la > 3 && lb > 3 && la == lb && !strncmp(fa, fb, la - 3)) return MATCH_NEAR;
  return MATCH_NONE;
}

static double weight(enum match_agreement a, double exact, double near) {
  return a == MATCH_EXACT ? exact : a == MATCH_NEAR ? near : 0;
}

/*
** Scores how likely the known child KNOWN (a child record's JSON) is the
** child GIVEN that a referral describes (the same fields).  Agreement adds:
** NHS number 12, date of birth 4 (close 2), first and last name 3 each
** (alike 2), postcode 2 (district 1).  Disagreement where both sides have a
** value takes away: a different NHS number 6 (single slips fail its check
** digit, so it is another child), an unrelated date of birth 2.
*/
void referral_match_score(json_t *given, json_t *known, struct referral_match *out) {
  memset(out, 0, sizeof *out);
  const char *gn = jstr(given, "nhs_number"), *kn = jstr(known, "nhs_number");
  bool both_nhs = gn && kn && *gn && *kn;
  out->nhs = both_nhs && !strcmp(gn, kn) ? MATCH_EXACT : MATCH_NONE;
  const char *gd = jstr(given, "date_of_birth"), *kd = jstr(known, "date_of_birth");
  out->dob = dob_agreement(gd, kd);
  out->first = name_agreement(given, known, false);
  out->last = name_agreement(given, known, true);
  out->postcode = postcode_agreement(jstr(given, "postcode"), jstr(known, "postcode"));
  double s = weight(out->nhs, 12, 0) + weight(out->dob, 4, 2) + weight(out->first, 3, 2) + weight(out->last, 3, 2) +
             weight(out->postcode, 2, 1);
  if (both_nhs && out->nhs != MATCH_EXACT) s -= 6;
  if (gd && kd && out->dob == MATCH_NONE) s -= 2;
  out->score = s;
  /* The same names and date of birth are exact unless the NHS numbers say it is someone else. */
  out->exact = out->nhs == MATCH_EXACT || (out->first == MATCH_EXACT && out->last == MATCH_EXACT &&
                                           out->dob == MATCH_EXACT && !both_nhs);
}

/* True when M is worth putting before MASH staff: an exact match, or a score of 6 or more. */
bool referral_match_worth_showing(const struct referral_match *m) { return m->exact || m->score >= 6; }

/* Adds "WHAT" to ARR for an exact agreement and "NEAR" for a near one. */
static void say(json_t *arr, enum match_agreement a, const char *exact, const char *near) {
  if (a == MATCH_EXACT) json_array_append_new(arr, json_string(exact));
  else if (a == MATCH_NEAR && near) json_array_append_new(arr, json_string(near));
}

/* Why M was offered, as a list of short sentences (new reference). */
json_t *referral_match_explain(const struct referral_match *m) {
  json_t *arr = json_array();
  say(arr, m->nhs, "Same NHS number", NULL);
  say(arr, m->first, "Same first name", "Similar first name (a slip, another spelling or a short form)");
  say(arr, m->last, "Same last name", "Similar last name (a slip or another spelling)");
  say(arr, m->dob, "Same date of birth", "Close date of birth (day and month swapped, or one digit different)");
  say(arr, m->postcode, "Same postcode", "Same postcode district");
  return arr;
}
