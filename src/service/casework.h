/*
** The shared machinery of casework for every feature: the working-time
** calendar, deadlines on the statutory clock, notifications (in Safehub and
** by e-mail), the child's chronology, and agency involvement.  Features call
** these inside their own write transaction so that a piece of work, its
** deadline, its chronology entry and its audit entry commit together.
**
** Titles, messages and summaries handed to deadlines and notifications must
** name references and what is due, never a child's details: they reach
** e-mail and work lists that other people can see.
*/
#ifndef SAFEHUB_SERVICE_CASEWORK_H
#define SAFEHUB_SERVICE_CASEWORK_H
#include <stdbool.h>
#include <stdint.h>
#include "config/config.h"
#include "core/calendar.h"
#include "core/risk_tool.h"
#include "http/http.h"
#include "store/casework.h"

int svc_risk_tool_load(const struct config *cfg, struct risk_tool *out, char *err, size_t errlen);
int svc_calendar_load(struct db *db, const struct config *cfg, struct calendar *out);
int64_t svc_add_working_hours(struct req *r, int64_t from, int hours);
int64_t svc_add_working_days(struct req *r, int64_t from, int days);

int svc_deadline_open(struct req *r, const char *item_type, const char *item_id, const char *kind,
                      const char *child_id, const char *title, const char *link, const char *owner_id,
                      int64_t due_at);
int svc_deadline_meet(struct req *r, const char *item_type, const char *item_id, const char *kind);

int svc_notify(struct db *db, const struct config *cfg, const char *user_id, const char *kind, const char *item_type,
               const char *item_id, const char *message, const char *link, const char *dedupe, int64_t now);
int svc_notify_role(struct db *db, const struct config *cfg, const char *role, const char *kind,
                    const char *item_type, const char *item_id, const char *message, const char *link,
                    const char *dedupe, int64_t now);
int svc_mash_managers(struct db *db, const struct config *cfg, char ids[][ID_MAX], int max, int *n);

int svc_chronology(struct req *r, const char *child_id, int64_t at, const char *type, const char *summary,
                   const char *ref_type, const char *ref_id);
int svc_involve(struct req *r, const char *child_id, const char *reason);
int svc_risk_review_request(struct req *r, const char *child_id, const char *reason, bool take_over);

#endif
