/*
** Agencies, users, API tokens and passwords: the administration use cases
** (see service.h).  Every change is audited in its own transaction.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "core/codes.h"
#include "core/password.h"
#include "core/validate.h"
#include "http/app.h"
#include "http/auth.h"
#include "service/service.h"
#include "store/store.h"
#include "util/text.h"
#include "util/timeutil.h"

#define MAX_MANAGER_CHAIN 64

static bool check_username(json_t *v, char *why, size_t n) {
  if (username_valid(json_string_value(v))) return true;
  snprintf(why, n, "must be 2 to 64 lower-case letters, digits, '.', '_', '-' or '@'");
  return false;
}

static bool check_role(json_t *v, char *why, size_t n) {
  enum role role;
  if (role_parse(json_string_value(v), &role)) return true;
  snprintf(why, n, "must be one of referrer, mash, social_worker, cse_worker, police, analyst, manager, "
                   "director, strategic, auditor, admin");
  return false;
}

static bool check_agency_code(json_t *v, char *why, size_t n) {
  if (agency_code_valid(json_string_value(v))) return true;
  snprintf(why, n, "must be 2 to 32 upper-case letters, digits, '_' or '-'");
  return false;
}

static bool check_agency_type(json_t *v, char *why, size_t n) {
  if (code_valid(AGENCY_TYPES, json_string_value(v))) return true;
  snprintf(why, n, "must be one of police, social_care, health, education, youth_justice, voluntary, housing, other");
  return false;
}

static bool check_email(json_t *v, char *why, size_t n) {
  const char *s = json_string_value(v);
  const char *at = strchr(s, '@');
  if (at && at != s && strchr(at, '.') && !strchr(s, ' ') && !strchr(at + 1, '@')) return true;
  snprintf(why, n, "must be an email address");
  return false;
}

static const struct field_spec AGENCY_FIELDS[] = {
    {"code", F_STRING, F_REQUIRED, 32, check_agency_code, NULL},
    {"name", F_STRING, F_REQUIRED, 128, NULL, NULL},
    {"type", F_STRING, F_REQUIRED, 16, check_agency_type, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static const struct field_spec USER_FIELDS[] = {
    {"username", F_STRING, F_REQUIRED, 64, check_username, NULL},
    {"name", F_STRING, F_REQUIRED, 128, NULL, NULL},
    {"email", F_STRING, F_NULLABLE, 254, check_email, NULL},
    {"agency", F_STRING, F_REQUIRED, 32, check_agency_code, NULL},
    {"role", F_STRING, F_REQUIRED, 16, check_role, NULL},
    {"manager", F_STRING, F_NULLABLE, 64, check_username, NULL},
    {"password", F_STRING, F_REQUIRED, PASSWORD_MAX, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static const struct field_spec USER_UPDATE_FIELDS[] = {
    {"name", F_STRING, F_REQUIRED, 128, NULL, NULL},
    {"email", F_STRING, F_NULLABLE, 254, check_email, NULL},
    {"agency", F_STRING, F_REQUIRED, 32, check_agency_code, NULL},
    {"role", F_STRING, F_REQUIRED, 16, check_role, NULL},
    {"manager", F_STRING, F_NULLABLE, 64, check_username, NULL},
    {"disabled", F_BOOL, 0, 0, NULL, NULL},
    {"reset_second_factor", F_BOOL, 0, 0, NULL, NULL},
    {"password", F_STRING, 0, PASSWORD_MAX, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static const struct field_spec TOKEN_FIELDS[] = {
    {"username", F_STRING, F_REQUIRED, 64, check_username, NULL},
    {"label", F_STRING, 0, 128, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static const struct field_spec PASSWORD_FIELDS[] = {
    {"current_password", F_STRING, F_REQUIRED, PASSWORD_MAX, NULL, NULL},
    {"new_password", F_STRING, F_REQUIRED, PASSWORD_MAX, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static const char *s_of(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

static json_t *agency_json(const struct agency *a) {
  char at[ISO_TIME_LEN];
  time_format_iso(a->created_at, at);
  return json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", a->id, "code", a->code, "name", a->name, "type", a->type,
                   "created_at", at);
}

/* Creates an agency from INPUT; SVC_CONFLICT when the code is taken. */
int svc_agency_create(struct req *r, json_t *input, struct field_errors *errs, json_t **out) {
  if (!fields_check(input, AGENCY_FIELDS, NULL, false, errs)) return SVC_INVALID;
  struct agency a = {0};
  ids_new("ag", a.id, sizeof a.id);
  snprintf(a.code, sizeof a.code, "%s", s_of(input, "code"));
  char *name = text_trim_dup(s_of(input, "name"));
  snprintf(a.name, sizeof a.name, "%s", name);
  free(name);
  snprintf(a.type, sizeof a.type, "%s", s_of(input, "type"));
  a.created_at = time_now();
  struct db *db = req_db(r);
  if (!db) return SVC_ERROR;
  int rc = db_begin(db);
  if (rc == DB_OK) rc = store_agency_insert(db, &a);
  if (rc == DB_CONSTRAINT) {
    db_rollback(db);
    ferr_add(errs, "code", "is already used by another agency");
    return SVC_CONFLICT;
  }
  json_t *details = json_pack("{s:s,s:s}", "code", a.code, "type", a.type);
  if (rc == DB_OK) rc = req_audit_tx(r, "agency.create", "agency", a.id, details);
  if (rc == DB_OK) rc = db_commit(db);
  json_decref(details);
  if (rc != DB_OK) {
    db_rollback(db);
    return SVC_ERROR;
  }
  *out = agency_json(&a);
  return SVC_OK;
}

/* Resolves the manager username M for user USER_ID, refusing loops in the chain. */
static int resolve_manager(struct db *db, const char *m, const char *user_id, char out[ID_MAX],
                           struct field_errors *errs) {
  out[0] = '\0';
  if (!m) return SVC_OK;
  struct user mgr;
  int rc = store_user_by_username(db, m, &mgr);
  if (rc == DB_DONE) {
    ferr_add(errs, "manager", "is not a user");
    return SVC_INVALID;
  }
  if (rc != DB_ROW) return SVC_ERROR;
  snprintf(out, ID_MAX, "%s", mgr.id);
  /* Walk up from the manager: meeting the user again would make escalation go round for ever. */
  for (int depth = 0; depth < MAX_MANAGER_CHAIN; depth++) {
    if (user_id && strcmp(mgr.id, user_id) == 0) {
      ferr_add(errs, "manager", "would make the management chain a loop");
      return SVC_INVALID;
    }
    if (!mgr.manager_id[0]) return SVC_OK;
    char next[ID_MAX];
    snprintf(next, sizeof next, "%s", mgr.manager_id);
    if (store_user_by_id(db, next, &mgr) != DB_ROW) return SVC_ERROR;
  }
  ferr_add(errs, "manager", "has a management chain that is too long");
  return SVC_INVALID;
}

static json_t *user_json(struct db *db, const struct user *u) {
  struct agency a = {0};
  store_agency_by_id(db, u->agency_id, &a);
  struct user m = {0};
  bool has_manager = u->manager_id[0] && store_user_by_id(db, u->manager_id, &m) == DB_ROW;
  return json_pack("{s:s,s:s,s:s,s:s?,s:s,s:s,s:s?,s:b,s:b}", "id", u->id, "username", u->username, "name", u->name,
                   "email", u->email[0] ? u->email : NULL, "agency", a.code, "role", role_name(u->role), "manager",
                   has_manager ? m.username : NULL, "second_factor_enrolled", u->totp_enabled, "disabled", u->disabled);
}

/* Creates a user from INPUT with a hashed password. */
int svc_user_create(struct req *r, json_t *input, struct field_errors *errs, json_t **out) {
  if (!fields_check(input, USER_FIELDS, NULL, false, errs)) return SVC_INVALID;
  struct db *db = req_db(r);
  if (!db) return SVC_ERROR;
  struct user u = {0};
  ids_new("us", u.id, sizeof u.id);
  snprintf(u.username, sizeof u.username, "%s", s_of(input, "username"));
  char *name = text_trim_dup(s_of(input, "name"));
  snprintf(u.name, sizeof u.name, "%s", name);
  free(name);
  snprintf(u.email, sizeof u.email, "%s", s_of(input, "email") ? s_of(input, "email") : "");
  role_parse(s_of(input, "role"), &u.role);
  char why[128];
  if (!password_policy_ok(s_of(input, "password"), u.username, r->app->cfg->password_min_length, why, sizeof why)) {
    ferr_add(errs, "password", "%s", why);
    return SVC_INVALID;
  }
  struct agency a;
  int rc = store_agency_by_code(db, s_of(input, "agency"), &a);
  if (rc == DB_DONE) {
    ferr_add(errs, "agency", "is not an agency code");
    return SVC_INVALID;
  }
  if (rc != DB_ROW) return SVC_ERROR;
  snprintf(u.agency_id, sizeof u.agency_id, "%s", a.id);
  int s = resolve_manager(db, s_of(input, "manager"), NULL, u.manager_id, errs);
  if (s != SVC_OK) return s;
  sem_wait(&r->app->hash_slots);
  int hr = password_hash(s_of(input, "password"), u.password_hash, sizeof u.password_hash);
  sem_post(&r->app->hash_slots);
  if (hr != 0) return SVC_ERROR;
  u.created_at = u.updated_at = time_now();
  rc = db_begin(db);
  if (rc == DB_OK) rc = store_user_insert(db, &u);
  if (rc == DB_CONSTRAINT) {
    db_rollback(db);
    ferr_add(errs, "username", "is already taken");
    return SVC_CONFLICT;
  }
  json_t *details = json_pack("{s:s,s:s,s:s}", "username", u.username, "role", role_name(u.role), "agency", a.code);
  if (rc == DB_OK) rc = req_audit_tx(r, "user.create", "user", u.id, details);
  if (rc == DB_OK) rc = db_commit(db);
  json_decref(details);
  sodium_memzero(u.password_hash, sizeof u.password_hash);
  if (rc != DB_OK) {
    db_rollback(db);
    return SVC_ERROR;
  }
  *out = user_json(db, &u);
  return SVC_OK;
}

/*
** Updates user ID from INPUT (the fields given): profile, role, manager,
** disabled, a password reset, or a reset of the second factor.  Disabling,
** a new password or a second-factor reset ends the user's sessions.
*/
int svc_user_update(struct req *r, const char *id, json_t *input, struct field_errors *errs, json_t **out) {
  if (!fields_check(input, USER_UPDATE_FIELDS, NULL, true, errs)) return SVC_INVALID;
  struct db *db = req_db(r);
  if (!db) return SVC_ERROR;
  struct user u;
  int rc = store_user_by_id(db, id, &u);
  if (rc == DB_DONE) return SVC_NOT_FOUND;
  if (rc != DB_ROW) return SVC_ERROR;
  bool end_sessions = false;
  if (s_of(input, "name")) {
    char *name = text_trim_dup(s_of(input, "name"));
    snprintf(u.name, sizeof u.name, "%s", name);
    free(name);
  }
  json_t *email = json_object_get(input, "email");
  if (email) snprintf(u.email, sizeof u.email, "%s", json_is_string(email) ? json_string_value(email) : "");
  /* A new role or agency is a new level of access: the user signs in to it afresh, meeting whatever second
     factor it needs (a session that passed with a password alone must not carry over into a role that needs one). */
  if (s_of(input, "role")) {
    enum role was = u.role;
    role_parse(s_of(input, "role"), &u.role);
    if (u.role != was) end_sessions = true;
  }
  if (s_of(input, "agency")) {
    struct agency a;
    rc = store_agency_by_code(db, s_of(input, "agency"), &a);
    if (rc == DB_DONE) {
      ferr_add(errs, "agency", "is not an agency code");
      return SVC_INVALID;
    }
    if (rc != DB_ROW) return SVC_ERROR;
    if (strcmp(u.agency_id, a.id) != 0) end_sessions = true;
    snprintf(u.agency_id, sizeof u.agency_id, "%s", a.id);
  }
  json_t *mgr = json_object_get(input, "manager");
  if (mgr) {
    int s = resolve_manager(db, json_string_value(mgr), u.id, u.manager_id, errs);
    if (s != SVC_OK) return s;
  }
  json_t *dis = json_object_get(input, "disabled");
  if (json_is_boolean(dis)) {
    if (json_is_true(dis) && !u.disabled) end_sessions = true;
    u.disabled = json_is_true(dis);
  }
  const char *pw = s_of(input, "password");
  char hash[crypto_pwhash_STRBYTES] = "";
  if (pw) {
    char why[128];
    if (!password_policy_ok(pw, u.username, r->app->cfg->password_min_length, why, sizeof why)) {
      ferr_add(errs, "password", "%s", why);
      return SVC_INVALID;
    }
    sem_wait(&r->app->hash_slots);
    int hr = password_hash(pw, hash, sizeof hash);
    sem_post(&r->app->hash_slots);
    if (hr != 0) return SVC_ERROR;
    end_sessions = true;
  }
  bool reset_2fa = json_is_true(json_object_get(input, "reset_second_factor"));
  if (reset_2fa) end_sessions = true;
  u.updated_at = time_now();
  rc = db_begin(db);
  if (rc == DB_OK) rc = store_user_update_profile(db, &u);
  if (rc == DB_OK && pw) rc = store_user_set_password(db, u.id, hash, u.updated_at);
  if (rc == DB_OK && pw) rc = store_user_login_ok(db, u.id, u.updated_at);
  if (rc == DB_OK && reset_2fa) rc = store_user_set_totp(db, u.id, NULL, false, u.updated_at);
  if (rc == DB_OK && end_sessions) rc = store_session_delete_user(db, u.id);
  json_t *fields = json_array();
  const char *k;
  json_t *v;
  json_object_foreach(input, k, v) json_array_append_new(fields, json_string(k));
  json_t *details = json_pack("{s:o}", "fields", fields);
  if (rc == DB_OK) rc = req_audit_tx(r, "user.update", "user", u.id, details);
  if (rc == DB_OK) rc = db_commit(db);
  json_decref(details);
  sodium_memzero(hash, sizeof hash);
  if (rc != DB_OK) {
    db_rollback(db);
    return SVC_ERROR;
  }
  if (reset_2fa) u.totp_enabled = false;
  *out = user_json(db, &u);
  return SVC_OK;
}

/* Creates an API token for a user; the secret is in *OUT once and never again. */
int svc_token_create(struct req *r, json_t *input, struct field_errors *errs, json_t **out) {
  if (!fields_check(input, TOKEN_FIELDS, NULL, false, errs)) return SVC_INVALID;
  struct db *db = req_db(r);
  if (!db) return SVC_ERROR;
  struct user u;
  int rc = store_user_by_username(db, s_of(input, "username"), &u);
  if (rc == DB_DONE) {
    ferr_add(errs, "username", "is not a user");
    return SVC_INVALID;
  }
  if (rc != DB_ROW) return SVC_ERROR;
  struct api_token t = {0};
  ids_new("tk", t.id, sizeof t.id);
  snprintf(t.user_id, sizeof t.user_id, "%s", u.id);
  snprintf(t.label, sizeof t.label, "%s", s_of(input, "label") ? s_of(input, "label") : "");
  t.created_at = time_now();
  char token[128], hash[65];
  random_token("shb_", token, sizeof token);
  auth_hash_secret(token, hash);
  rc = db_begin(db);
  if (rc == DB_OK) rc = store_token_insert(db, &t, hash);
  json_t *details = json_pack("{s:s}", "username", u.username);
  if (rc == DB_OK) rc = req_audit_tx(r, "token.create", "token", t.id, details);
  if (rc == DB_OK) rc = db_commit(db);
  json_decref(details);
  if (rc != DB_OK) {
    db_rollback(db);
    sodium_memzero(token, sizeof token);
    return SVC_ERROR;
  }
  *out = json_pack("{s:s,s:s,s:s}", "id", t.id, "username", u.username, "token", token);
  sodium_memzero(token, sizeof token);
  return SVC_OK;
}

/* Revokes token ID; SVC_NOT_FOUND when no live token has it. */
int svc_token_revoke(struct req *r, const char *id) {
  struct db *db = req_db(r);
  if (!db) return SVC_ERROR;
  int rc = db_begin(db);
  if (rc == DB_OK) rc = store_token_revoke(db, id, time_now());
  if (rc == DB_DONE) {
    db_rollback(db);
    return SVC_NOT_FOUND;
  }
  if (rc == DB_OK) rc = req_audit_tx(r, "token.revoke", "token", id, NULL);
  if (rc == DB_OK) rc = db_commit(db);
  if (rc != DB_OK) {
    db_rollback(db);
    return SVC_ERROR;
  }
  return SVC_OK;
}

/* Changes the signed-in user's own password, ending their other sessions. */
int svc_password_change(struct req *r, json_t *input, struct field_errors *errs) {
  if (!fields_check(input, PASSWORD_FIELDS, NULL, false, errs)) return SVC_INVALID;
  struct db *db = req_db(r);
  if (!db) return SVC_ERROR;
  struct user u;
  if (store_user_by_id(db, r->who.user_id, &u) != DB_ROW) return SVC_ERROR;
  sem_wait(&r->app->hash_slots);
  bool ok = password_verify(u.password_hash, s_of(input, "current_password"));
  sem_post(&r->app->hash_slots);
  if (!ok) {
    /* Guessing the current password from a stolen session is throttled like sign-in. */
    int64_t retry = 0;
    int lr = auth_count_failure(r, &u, u.username, &retry);
    if (lr == LOGIN_ERROR) return SVC_ERROR;
    if (lr == LOGIN_LOCKED) return SVC_LOCKED;
    ferr_add(errs, "current_password", "is not your current password");
    return SVC_INVALID;
  }
  char why[128];
  if (!password_policy_ok(s_of(input, "new_password"), u.username, r->app->cfg->password_min_length, why, sizeof why)) {
    ferr_add(errs, "new_password", "%s", why);
    return SVC_INVALID;
  }
  char hash[crypto_pwhash_STRBYTES];
  sem_wait(&r->app->hash_slots);
  int hr = password_hash(s_of(input, "new_password"), hash, sizeof hash);
  sem_post(&r->app->hash_slots);
  if (hr != 0) return SVC_ERROR;
  int64_t now = time_now();
  int rc = db_begin(db);
  if (rc == DB_OK) rc = store_user_set_password(db, u.id, hash, now);
  if (rc == DB_OK) rc = store_session_delete_user(db, u.id);
  if (rc == DB_OK) rc = req_audit_tx(r, "user.password_change", "user", u.id, NULL);
  if (rc == DB_OK) rc = db_commit(db);
  sodium_memzero(hash, sizeof hash);
  if (rc != DB_OK) {
    db_rollback(db);
    return SVC_ERROR;
  }
  if (r->who.kind == AUTH_SESSION) {
    r->who.session_hash[0] = '\0'; /* already deleted with the others */
    if (auth_start_session(r, u.id, "full") != DB_OK) return SVC_ERROR;
  }
  return SVC_OK;
}
