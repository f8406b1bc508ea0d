/*
** The rules of a referral at the front door, with no I/O: its state machine
** (received, triaged, awaiting sign-off, decided, challenged), the code
** lists of ratings, outcomes, sign-off and challenge answers, which piece of
** work a rating puts on the clock, when closing a referral with no further
** action needs a manager's sign-off, the deadline kinds of each decision
** round, human reference numbers (R-2026-000123), and the scoring of a
** possible match between the child a referrer described and a child known
** to Safehub.
*/
#ifndef SAFEHUB_CORE_REFERRAL_H
#define SAFEHUB_CORE_REFERRAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "core/codes.h"
#include "core/risk_tool.h"

enum referral_status {
  RS_RECEIVED,         /* waiting to be rated (triage) */
  RS_TRIAGED,          /* rated red, amber or green; waiting for a decision */
  RS_AWAITING_SIGNOFF, /* closed with no further action, waiting for a manager's sign-off */
  RS_DECIDED,          /* decided (and signed off where that was needed) */
  RS_CHALLENGED,       /* the referrer disputes the decision; waiting for a manager's answer */
  RS_COUNT
};

/* What can happen to a referral. */
enum referral_event {
  RE_TRIAGE,              /* rated, or rated again before the decision */
  RE_DECIDE,              /* a decision that stands on its own */
  RE_DECIDE_FOR_SIGNOFF,  /* a decision that needs a manager's sign-off first */
  RE_SIGNOFF_APPROVE,     /* the manager agrees: the decision stands */
  RE_SIGNOFF_SEND_BACK,   /* the manager does not agree: decide again */
  RE_CHALLENGE,           /* the referrer disputes the decision */
  RE_CHALLENGE_STANDS,    /* the manager's answer: the decision stands */
  RE_CHALLENGE_OVERTURNED,/* the manager's answer: decide again */
  RE_ASSIGN,              /* given to a MASH worker (or back to the queue) */
  RE_COUNT
};

extern const struct code REFERRAL_STATUSES[];  /* received ... challenged, with labels */
extern const struct code REFERRAL_RAGS[];      /* red, amber, green */
extern const struct code REFERRAL_OUTCOMES[];  /* no_further_action ... section_47 */
extern const struct code SIGNOFF_OUTCOMES[];   /* approved, sent_back */
extern const struct code CHALLENGE_ANSWERS[];  /* decision_stands, decision_overturned */

const char *referral_status_name(enum referral_status s);
bool referral_status_parse(const char *s, enum referral_status *out);
bool referral_status_open(enum referral_status s);
int referral_transition(enum referral_status from, enum referral_event ev, bool rated, enum referral_status *to);
const char *referral_refusal(enum referral_status from, enum referral_event ev);

int referral_rag_hours(const char *rag, int red_hours, int amber_hours, int green_hours);
bool referral_indicator_is_cse(const struct risk_tool *tool, const char *code);
bool referral_needs_signoff(const char *outcome, const char *rag, bool immediate_danger, bool cse_indicator);
bool referral_deadline_kind(const char *base, int round, char *out, size_t cap);

bool referral_reference_format(int year, int64_t number, char *out, size_t cap);
bool referral_reference_valid(const char *s);

/* How far a known child's record agrees with the child a referral describes. */
enum match_agreement { MATCH_NONE, MATCH_NEAR, MATCH_EXACT };
struct referral_match {
  enum match_agreement nhs, dob, first, last, postcode;
  double score;  /* higher is likelier; see referral_match_score */
  bool exact;    /* the same NHS number, or the same names and date of birth (and no other NHS number) */
};
void referral_match_score(json_t *given, json_t *known, struct referral_match *out);
bool referral_match_worth_showing(const struct referral_match *m);
json_t *referral_match_explain(const struct referral_match *m);

#endif
