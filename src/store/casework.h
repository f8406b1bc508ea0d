/*
** Named operations for the statutory clock and the chronology: deadlines,
** escalations, notifications, the e-mail outbox, bank holidays and chronology
** events.  Same conventions as store.h (DB_OK / DB_ROW found / DB_DONE
** absent; callers own transactions).
*/
#ifndef SAFEHUB_STORE_CASEWORK_H
#define SAFEHUB_STORE_CASEWORK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "store/db.h"
#include "util/codec.h"

/* ---- bank holidays ---- */
int store_holiday_list(struct db *db, json_t **out);
int store_holiday_add(struct db *db, const char *day, const char *name, const char *source, int64_t now);
int store_holiday_delete(struct db *db, const char *day);
int store_holiday_days(struct db *db, int64_t **days, size_t *n);

/* ---- deadlines ---- */
struct deadline {
  char id[ID_MAX];
  char item_type[24];
  char item_id[ID_MAX];
  char kind[24];
  char child_id[ID_MAX];
  char title[200];
  char link[200];
  char owner_id[ID_MAX];
  int64_t due_at, created_at, met_at;
  int level;
};
int store_deadline_open(struct db *db, const struct deadline *d);
int store_deadline_get(struct db *db, const char *item_type, const char *item_id, const char *kind,
                       struct deadline *out);
int store_deadline_meet(struct db *db, const char *item_type, const char *item_id, const char *kind,
                        const char *by, int64_t now);
int store_child_deadlines_meet(struct db *db, const char *child_id, const char *kind, const char *by, int64_t now);
int store_child_open_deadline_count(struct db *db, const char *child_id, const char *kind);
int store_deadline_assign(struct db *db, const char *item_type, const char *item_id, const char *kind,
                          const char *owner_id);
typedef int (*deadline_cb)(const struct deadline *d, void *arg);
int store_deadlines_overdue(struct db *db, int64_t as_of, deadline_cb cb, void *arg);
int store_deadline_set_level(struct db *db, const char *id, int level);
int store_deadlines_for_item(struct db *db, const char *item_type, const char *item_id, json_t **out);

/* ---- escalations ---- */
int store_escalation_insert(struct db *db, const char *deadline_id, int level, const char *to_user_id,
                            const char *reason, int64_t at);
int store_escalations_for_item(struct db *db, const char *item_type, const char *item_id, json_t **out);

/* ---- work lists ---- */
int store_work_for_user(struct db *db, const char *user_id, bool unowned, json_t **out);
int store_work_for_team(struct db *db, const char *manager_id, json_t **out);

/* ---- notifications and e-mail ---- */
int store_notification_insert(struct db *db, const char *user_id, const char *kind, const char *item_type,
                              const char *item_id, const char *message, const char *link, const char *dedupe,
                              int64_t now);
int store_notifications_for_user(struct db *db, const char *user_id, int limit, json_t **out);
int store_notification_read(struct db *db, const char *id, const char *user_id, int64_t now);
int store_notifications_unread(struct db *db, const char *user_id, int64_t *n);
int store_email_queue(struct db *db, const char *to, const char *subject, const char *body, const char *dedupe,
                      int64_t now);
struct email {
  char id[ID_MAX];
  char *to, *subject, *body;
  int attempts;
};
int store_email_due(struct db *db, int64_t now, int limit, struct email **out, int *n);
void store_email_free(struct email *e, int n);
int store_email_sent(struct db *db, const char *id, int64_t now);
int store_email_failed(struct db *db, const char *id, const char *error, int64_t next_attempt_at);

/* ---- the management chain, for escalation ---- */
struct chain_user {
  char id[ID_MAX];
  char username[65];
  char manager_id[ID_MAX];
  char email[255];
  char role[16];
  bool disabled;
};
int store_chain_users(struct db *db, struct chain_user **out, int *n);

/* ---- allocation ---- */
int store_lead_worker(struct db *db, const char *child_id, char out[ID_MAX]);

/* ---- chronology ---- */
struct chron_event {
  char child_id[ID_MAX];
  int64_t at;
  const char *type;
  const char *agency_id;   /* may be NULL */
  const char *summary;
  const char *ref_type;    /* may be NULL */
  const char *ref_id;      /* may be NULL */
  const char *recorded_by; /* user id, may be NULL */
};
int store_chronology_add(struct db *db, const struct chron_event *e, int64_t now);
int store_chronology_list(struct db *db, const char *child_id, const char *agency_code, const char *type,
                          json_t **out);

#endif
