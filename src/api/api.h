/*
** JSON API handlers (one file per resource) and the helpers they share.
*/
#ifndef SAFEHUB_API_API_H
#define SAFEHUB_API_API_H
#include <stdbool.h>
#include <jansson.h>
#include "http/http.h"

/* system */
void api_healthz(struct req *r);
void api_metrics(struct req *r);
/* session and account */
void api_session_create(struct req *r);
void api_session_get(struct req *r);
void api_session_delete(struct req *r);
void api_session_second_factor(struct req *r);
void api_totp_enrol(struct req *r);
void api_totp_confirm(struct req *r);
void api_password_change(struct req *r);
/* administration */
void api_agencies_list(struct req *r);
void api_agencies_create(struct req *r);
void api_users_list(struct req *r);
void api_users_create(struct req *r);
void api_users_update(struct req *r);
void api_tokens_list(struct req *r);
void api_tokens_create(struct req *r);
void api_tokens_revoke(struct req *r);
/* children */
void api_children_create(struct req *r);
void api_children_get(struct req *r);
void api_children_update(struct req *r);
void api_children_search(struct req *r);
/* work lists, notifications, bank holidays, chronology (api_work.c) */
void api_work_mine(struct req *r);
void api_work_team(struct req *r);
void api_notifications_list(struct req *r);
void api_notification_read(struct req *r);
void api_holidays_list(struct req *r);
void api_holidays_add(struct req *r);
void api_holidays_delete(struct req *r);
void api_children_chronology(struct req *r);
/* identity resolution (api_people.c) */
void api_people_match(struct req *r);
void api_match_decision(struct req *r);
void api_duplicates_list(struct req *r);
void api_duplicate_decide(struct req *r);
void api_merge_undo(struct req *r);
void api_child_merges(struct req *r);
/* audit */
void api_audit_list(struct req *r);

/* Shared helpers (api_common.c). */
json_t *api_user_json(const struct principal *p);
bool api_answer_failure(struct req *r, int rc, struct field_errors *errs);
const char *api_str(json_t *obj, const char *key);

#endif
