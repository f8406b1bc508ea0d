/*
** The rules of everyday casework other than missing episodes (missing.h):
** case notes, the allocation of a lead worker and team, strategy
** discussions and multi-agency CSE meetings with their actions, and
** referrals to support services.  Allowlists of the request bodies, their
** code lists, and the small decisions that go with them.  Pure: no I/O;
** what needs the database (does the worker exist, may the user see the
** child, is an indicator in the risk tool) is the service's to check.
*/
#ifndef SAFEHUB_CORE_CASEWORK_RULES_H
#define SAFEHUB_CORE_CASEWORK_RULES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "core/codes.h"
#include "core/fields.h"

#define NOTE_TEXT_MAX 20000
#define NOTE_INDICATORS_MAX 60
#define TEAM_MAX 100
#define MEETING_CHILDREN_MAX 20
#define MEETING_ATTENDEES_MAX 60
#define MEETING_ACTIONS_MAX 60

extern const struct code MEETING_TYPES[];
extern const struct code SUPPORT_SERVICES[];
extern const struct code SUPPORT_STATUSES[];
extern const struct code SUPPORT_ENGAGEMENT[];

/* A case note as read from a request (borrowed from the input). */
struct note_input {
  const char *text;
  const char *childs_words; /* NULL when not given */
  json_t *indicators;       /* array of codes, possibly empty; borrowed */
  int64_t at;               /* when what the note records happened */
};

/* An allocation as read from a request. */
struct allocation_input {
  const char *worker; /* username */
  const char *team;
};

bool note_validate(json_t *in, int64_t now, struct note_input *out, struct field_errors *errs);
bool allocation_validate(json_t *in, struct allocation_input *out, struct field_errors *errs);
bool meeting_validate(json_t *in, int64_t now, struct field_errors *errs);
int64_t casework_end_of_day(int64_t day);
bool action_complete_validate(json_t *in, struct field_errors *errs);
bool support_validate(json_t *in, bool partial, int64_t today, struct field_errors *errs);
bool support_check_record(const char *status, const char *outcome, struct field_errors *errs);
bool support_transition_ok(const char *from, const char *to);

#endif
