/*
** Identity resolution inside Safehub: scoring a person against the children
** already recorded (POST /api/v1/people/match), keeping the decisions people
** take on suggested matches, and the queue of existing children who may be
** the same child.  The scoring is the record-linkage engine of
** src/core/match/ with a saved model (match_model_file, else the shipped one).
*/
#ifndef SAFEHUB_SERVICE_MATCHING_H
#define SAFEHUB_SERVICE_MATCHING_H
#include <jansson.h>
#include "config/config.h"
#include "core/fields.h"
#include "core/match/model.h"
#include "http/http.h"

struct match_model *svc_match_model_load(const struct config *cfg, char *err, size_t errlen);
const struct match_model *svc_match_model(struct req *r);

struct people_match {
  json_t *candidates; /* [{"child_id","probability","match_weight","explanation","child"}], best first */
  int restricted;     /* likely matches the user may not see */
};
int svc_people_match(struct req *r, json_t *input, struct field_errors *errs, struct people_match *out);
int svc_people_match_json(struct req *r, json_t *person, int limit, double min_probability, const char *exclude_id,
                          struct people_match *out);
int svc_match_decision(struct req *r, json_t *input, struct field_errors *errs, json_t **out);
int svc_duplicates_check_child(struct req *r, const char *child_id);
int svc_duplicates_list(struct req *r, const char *status, json_t **out);
int svc_duplicate_decide(struct req *r, const char *id, json_t *input, struct field_errors *errs, json_t **out);
int svc_merge_undo(struct req *r, const char *id, json_t **out);

#endif
