/*
** Work lists ("my work", a manager's team view) and the child's chronology.
*/
#include <string.h>
#include "service/casework.h"
#include "service/intel.h"
#include "service/risk.h"
#include "service/service.h"
#include "store/casework.h"
#include "store/store.h"
#include "util/timeutil.h"

#define DUE_SOON_SECONDS (24 * 3600)

/* Labels each item overdue, due_soon (within a day) or upcoming as of NOW. */
static void label(json_t *items, int64_t now) {
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    int64_t due = json_integer_value(json_object_get(it, "due_epoch"));
    json_object_del(it, "due_epoch");
    const char *state = due <= now ? "overdue" : due - now <= DUE_SOON_SECONDS ? "due_soon" : "upcoming";
    json_object_set_new(it, "state", json_string(state));
  }
}

/*
** The request user's open work and work escalated to them, soonest first;
** for MASH staff also the work nobody owns yet (a child with no lead worker).
*/
int svc_work_mine(struct req *r, json_t **out) {
  if (store_work_for_user(req_db(r), r->who.user_id, r->who.role == ROLE_MASH, out) != DB_OK) return SVC_ERROR;
  label(*out, time_now());
  return SVC_OK;
}

/* Overdue and escalated work of the request user's direct reports. */
int svc_work_team(struct req *r, json_t **out) {
  if (store_work_for_team(req_db(r), r->who.user_id, out) != DB_OK) return SVC_ERROR;
  label(*out, time_now());
  return SVC_OK;
}

/*
** Chronology entries whose details only some roles may read: a risk
** assessment's finding (the assessment routes refuse the others) and an item
** of intelligence (shared with those who read intelligence).  Anyone else is
** told that the event happened and who holds it, so they know to ask, with no
** finding and no reference (its page would refuse them).
*/
static const struct {
  const char *type;
  roleset readers;
  const char *told;
} WITHHELD[] = {
    {"risk_assessment", RISK_READERS,
     "CSE risk assessment recorded (the finding is shared with the assessing professionals and the police)"},
    {"intelligence", INTEL_READERS, "Intelligence recorded (held by the police, the MASH and the CSE team)"},
};

/* Withholds from EVENTS what role ROLE may not read (see WITHHELD). */
static void withhold(json_t *events, enum role role) {
  size_t i;
  json_t *e;
  json_array_foreach(events, i, e) {
    const char *type = json_string_value(json_object_get(e, "type"));
    for (size_t k = 0; type && k < sizeof WITHHELD / sizeof WITHHELD[0]; k++) {
      if (strcmp(type, WITHHELD[k].type) != 0 || role_in(role, WITHHELD[k].readers)) continue;
      json_object_set_new(e, "summary", json_string(WITHHELD[k].told));
      json_object_set_new(e, "ref", json_null());
    }
  }
}

/*
** Child CHILD_ID's chronology for the request's user, newest first,
** optionally one agency's (code) or one type of event.  A child the user may
** not see is SVC_NOT_FOUND.  What the user's role may not read is withheld
** (WITHHELD).  Audited as a read of the child.
*/
int svc_chronology_list(struct req *r, const char *child_id, const char *agency, const char *type, json_t **out) {
  bool visible;
  if (svc_child_access(r, child_id, &visible) != SVC_OK) return SVC_ERROR;
  json_t *exists = NULL;
  int rc = visible ? store_child_get(req_db(r), child_id, &exists) : DB_DONE;
  json_decref(exists);
  if (rc == DB_DONE) {
    req_audit(r, "child.chronology", "child", child_id, visible ? "not_found" : "denied", NULL);
    return SVC_NOT_FOUND;
  }
  if (rc != DB_ROW) return SVC_ERROR;
  if (store_chronology_list(req_db(r), child_id, agency, type, out) != DB_OK) return SVC_ERROR;
  withhold(*out, r->who.role);
  json_t *d = json_pack("{s:s?,s:s?}", "agency", agency, "type", type);
  req_audit(r, "child.chronology", "child", child_id, "ok", d);
  json_decref(d);
  return SVC_OK;
}
