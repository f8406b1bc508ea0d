/*
** Helpers shared by the JSON API handlers (see api.h).
*/
#include <string.h>
#include "api/api.h"
#include "service/service.h"

/* The public view of a signed-in user (no secrets). New reference. */
json_t *api_user_json(const struct principal *p) {
  return json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s}}", "id", p->user_id, "username", p->username, "name", p->name,
                   "role", role_name(p->role), "agency", "code", p->agency_code, "name", p->agency_name);
}

/* The string member KEY of OBJ, or NULL. */
const char *api_str(json_t *obj, const char *key) { return json_string_value(json_object_get(obj, key)); }

/*
** Maps a service result to a response for the common cases; returns true when
** it answered (anything but SVC_OK).
*/
bool api_answer_failure(struct req *r, int rc, struct field_errors *errs) {
  switch (rc) {
  case SVC_OK: return false;
  case SVC_INVALID: resp_field_errors(r, errs); return true;
  case SVC_NOT_FOUND: resp_error(r, 404, "not_found", "There is no such record."); return true;
  case SVC_CONFLICT:
    if (errs && ferr_any(errs)) {
      resp_json(r, 409, json_pack("{s:{s:s,s:s,s:O}}", "error", "code", "conflict", "message",
                                  "That conflicts with an existing record.", "fields", errs->fields));
    } else {
      resp_error(r, 409, "conflict", "The record was changed by someone else, or is in a state that does not allow this.");
    }
    return true;
  case SVC_FORBIDDEN: resp_error(r, 403, "forbidden", "You may not do this."); return true;
  case SVC_LOCKED: resp_error(r, 429, "too_many_attempts", "Too many failed attempts. Try again later."); return true;
  default: resp_db_error(r); return true;
  }
}
