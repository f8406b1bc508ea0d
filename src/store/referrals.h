/*
** Named operations on referrals, their reference counter and their history
** (migration 0003).  Same conventions as store.h: DB_OK, or DB_ROW found /
** DB_DONE absent; negative on failure with db_error() set; callers own
** transactions.
*/
#ifndef SAFEHUB_STORE_REFERRALS_H
#define SAFEHUB_STORE_REFERRALS_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "store/db.h"
#include "util/codec.h"

/* A referral row.  The char pointers are owned by the struct (store_referral_free). */
struct referral {
  char id[ID_MAX];
  char reference[24];
  char child_id[ID_MAX];        /* "" until confirmed */
  char *child_details;          /* JSON text, or NULL */
  char agency_id[ID_MAX];
  char referrer_id[ID_MAX];
  char *concern;
  char *childs_words;           /* NULL when none recorded */
  char *indicators;             /* JSON array text */
  bool immediate_danger;
  char status[20];
  char rag[8];                  /* "" until rated */
  char *rag_reason;
  int64_t triaged_at;           /* 0 for none, as for every time below */
  char triaged_by[ID_MAX];
  char assigned_to[ID_MAX];
  int64_t received_at, due_at, decided_at;
  char decided_by[ID_MAX];
  char outcome[24];
  char *rationale;
  int decision_round;
  bool signoff_needed;
  int64_t signed_off_at;
  char signed_off_by[ID_MAX];
  int challenge_round;
  char *challenge_reason;
  int64_t challenged_at;
  char challenged_by[ID_MAX];
  char challenge_outcome[24];
  char *challenge_response;
  int64_t challenge_answered_at;
  char challenge_answered_by[ID_MAX];
  int64_t confirmed_at;
  char confirmed_by[ID_MAX];
  bool is_open;
  int64_t next_due_at, updated_at;
  int version;
};
void store_referral_free(struct referral *r);
void store_referral_set_text(char **field, const char *value);

int store_referral_next_number(struct db *db, int year, int64_t *number);
int store_referral_insert(struct db *db, const struct referral *r);
int store_referral_get(struct db *db, const char *id, struct referral *out);
int store_referral_update(struct db *db, const struct referral *r, int expected_version);
int store_referral_refresh_due(struct db *db, const char *id);
int store_referral_deadlines_child(struct db *db, const char *id, const char *child_id);

int store_referral_event_add(struct db *db, const char *referral_id, int64_t at, const char *type,
                             const char *user_id, json_t *detail);
int store_referral_events(struct db *db, const char *referral_id, json_t **out);

/* Which referrals a listing shows. */
enum referral_scope {
  REF_SCOPE_OPEN,     /* every open referral, soonest deadline first (the MASH queue) */
  REF_SCOPE_ALL,      /* every referral, newest first */
  REF_SCOPE_REFERRER, /* those raised by one user, newest first */
  REF_SCOPE_CHILD     /* those about one child, newest first */
};
struct referral_query {
  enum referral_scope scope;
  const char *who;     /* the user (REFERRER) or child (CHILD) */
  const char *status;  /* NULL for any */
  const char *rag;     /* NULL for any */
  bool only_open;      /* REFERRER and CHILD: only referrals with work outstanding */
  int limit, offset;
};
int store_referral_list(struct db *db, const struct referral_query *q, json_t **out, int64_t *total);

int store_referral_mash_staff(struct db *db, json_t **out);
int store_referral_user_brief(struct db *db, const char *user_id, json_t **out);

#endif
