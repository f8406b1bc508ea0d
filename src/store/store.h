/*
** Named database operations: one small function per operation, each a
** prepared statement with typed parameters, written once against db.h and so
** shared by SQLite and PostgreSQL.  Callers own transactions: an operation
** neither begins nor commits unless its name says so.
**
** Return convention: DB_OK (or DB_ROW for "found") on success, DB_DONE for
** "no such row", a negative db_rc on failure with db_error() set.
*/
#ifndef SAFEHUB_STORE_STORE_H
#define SAFEHUB_STORE_STORE_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "access/principal.h"
#include "access/roles.h"
#include "store/db.h"
#include "util/buf.h"
#include "util/codec.h"

/* ---- schema ---- */
int store_migrate(struct db *db, int *applied, char *err, size_t errlen);
int store_schema_version(struct db *db, int *version);
int store_latest_schema_version(void);

/* ---- agencies ---- */
struct agency {
  char id[ID_MAX];
  char code[33];
  char name[129];
  char type[16];
  int64_t created_at;
};
int store_agency_insert(struct db *db, const struct agency *a);
int store_agency_by_code(struct db *db, const char *code, struct agency *out);
int store_agency_by_id(struct db *db, const char *id, struct agency *out);
int store_agency_list(struct db *db, json_t **out);

/* ---- users ---- */
struct user {
  char id[ID_MAX];
  char username[65];
  char name[129];
  char email[255];
  char agency_id[ID_MAX];
  enum role role;
  char manager_id[ID_MAX];
  char password_hash[256];
  char totp_secret[64];
  bool totp_enabled;
  int64_t totp_last_step;
  int failed_logins;
  int64_t locked_until;
  bool disabled;
  int64_t created_at, updated_at;
};
int store_user_insert(struct db *db, const struct user *u);
int store_user_by_username(struct db *db, const char *username, struct user *out);
int store_user_by_id(struct db *db, const char *id, struct user *out);
int store_user_list(struct db *db, json_t **out);
int store_user_update_profile(struct db *db, const struct user *u);
int store_user_set_password(struct db *db, const char *id, const char *hash, int64_t now);
int store_user_login_failed(struct db *db, const char *id, int failed, int64_t locked_until, int64_t now);
int store_user_count_failure(struct db *db, const char *id, int64_t now, int *failed);
int store_user_lock(struct db *db, const char *id, int64_t until);
int store_user_login_ok(struct db *db, const char *id, int64_t now);
int store_user_set_totp(struct db *db, const char *id, const char *secret, bool enabled, int64_t now);
int store_user_totp_used(struct db *db, const char *id, int64_t step);

/* ---- sessions and tokens ---- */
struct session {
  char id_hash[65];
  char user_id[ID_MAX];
  char csrf_token[64];
  char stage[8];
  int64_t created_at, last_seen_at;
};
int store_session_insert(struct db *db, const struct session *s);
int store_session_get(struct db *db, const char *id_hash, struct session *out);
int store_session_touch(struct db *db, const char *id_hash, int64_t now);
int store_session_delete(struct db *db, const char *id_hash);
int store_session_delete_user(struct db *db, const char *user_id);
int store_session_purge(struct db *db, int64_t idle_before, int64_t created_before);

struct api_token {
  char id[ID_MAX];
  char user_id[ID_MAX];
  char label[129];
  int64_t created_at, revoked_at, last_used_at;
};
int store_token_insert(struct db *db, const struct api_token *t, const char *token_hash);
int store_token_by_hash(struct db *db, const char *token_hash, struct api_token *out);
int store_token_revoke(struct db *db, const char *id, int64_t now);
int store_token_touch(struct db *db, const char *id, int64_t now);
int store_token_list(struct db *db, json_t **out);

/* ---- children ---- */
int store_child_insert(struct db *db, const char *id, json_t *child, const char *created_by, int64_t now);
int store_child_get(struct db *db, const char *id, json_t **out);
int store_child_get_text(struct db *db, const char *id, struct buf *out);
int store_child_update(struct db *db, const char *id, json_t *child, int expected_version, int64_t now);
/* One term of a search: keys of KIND in [LO, HI). */
struct search_term {
  char kind[2];
  char lo[64];
  char hi[64];
};
#define STORE_SEARCH_TERMS 5
#define STORE_CANDIDATE_KEYS 8
struct search_key;
int store_child_candidates(struct db *db, const struct search_key *keys, const int *weights, int n, int limit,
                           void (*each)(void *ctx, const char *const cols[10]), void *ctx);
int store_child_search(struct db *db, const struct search_term *terms, int nterms, const char *agency_id,
                       int limit, char ***ids, int *n);
int store_child_involved(struct db *db, const char *child_id, const char *agency_id, bool *yes);
int store_child_involve(struct db *db, const char *child_id, const char *agency_id, const char *reason,
                        int64_t now);
int store_child_count(struct db *db, int64_t *n);
int store_child_keys_stale(struct db *db, int scheme, int64_t *n);
int store_child_rekey(struct db *db, int scheme, const char *after, int limit, char *last, size_t lastcap, int *n);
void store_free_ids(char **ids, int n);

/* ---- audit ---- */
struct audit_row {
  int64_t seq, at;
  char *actor_id, *actor, *role, *agency, *action, *object_type, *object_id, *outcome, *purpose,
      *ip, *details, *prev_hash, *hash;
};
void store_audit_row_free(struct audit_row *r);
int store_audit_head(struct db *db, int64_t *seq, char hash[65]);
int store_audit_insert(struct db *db, const struct audit_row *r);
int store_audit_for_subject(struct db *db, const char *object_id, int limit, json_t **out);
typedef int (*audit_row_cb)(const struct audit_row *r, void *arg);
int store_audit_scan(struct db *db, int64_t from_seq, audit_row_cb cb, void *arg);
int store_audit_count_before(struct db *db, int64_t seq, int64_t *n);
int store_audit_checkpoint_insert(struct db *db, int64_t seq, const char *hash, int64_t at,
                                  const char *public_key, const char *signature);
struct audit_checkpoint {
  int64_t seq, at;
  char hash[65];
  char public_key[65];
  char signature[129];
};
int store_audit_checkpoints(struct db *db, struct audit_checkpoint **out, int *n);
int store_audit_last_checkpoint(struct db *db, int64_t *seq);
int store_audit_spool_get(struct db *db, const char *name, int64_t *moved);
int store_audit_spool_set(struct db *db, const char *name, int64_t moved);

/* ---- who is signed in ---- */
int store_auth_epoch(struct db *db, int64_t *n);
int store_auth_epoch_bump(struct db *db);
int store_principal_for_user(struct db *db, const char *user_id, struct principal *out);

#endif
