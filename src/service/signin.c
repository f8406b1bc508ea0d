/*
** Signing in and out, with the TOTP second factor (see service.h).
**
** A password alone gives a session at stage "full" only for roles that need
** no second factor.  Otherwise the session starts at stage "totp" (enrolled
** users must give a code) or "enrol" (users in a second-factor role who have
** not yet set up an authenticator), and only routes marked
** ROUTE_SECOND_FACTOR answer it.  Each step up starts a new session id.
** Wrong codes count as failed sign-ins and lock the account like wrong
** passwords; a code is accepted once only.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "core/password.h"
#include "core/totp.h"
#include "http/app.h"
#include "http/auth.h"
#include "service/service.h"
#include "store/store.h"
#include "util/timeutil.h"

#define TOTP_WINDOW 1

/*
** Audits a sign-in attempt.  The subject is the account tried (USER_ID, when
** the username is known), so that failed and locked attempts show in that
** account's audit trail even though nobody is signed in yet.  A name that is
** no account is recorded only as the first 32 hex digits of its BLAKE2b-512
** hash: repeated tries of one name can be told apart and a suspected name
** checked, but a password typed into the username box is not kept readable.
*/
static void audit_login(struct req *r, const char *outcome, const char *username, const char *user_id,
                        const char *why) {
  const char *subject = user_id && *user_id ? user_id : r->who.user_id[0] ? r->who.user_id : NULL;
  json_t *d;
  if (subject) {
    d = json_pack("{s:s,s:s?}", "username", username, "reason", why);
  } else {
    unsigned char h[64];
    char hex[2 * sizeof h + 1];
    crypto_generichash(h, sizeof h, (const unsigned char *)(username ? username : ""), username ? strlen(username) : 0,
                       NULL, 0);
    hex_encode(h, sizeof h, hex);
    hex[32] = '\0';
    d = json_pack("{s:n,s:s,s:s?}", "username", "username_hash", hex, "reason", why);
  }
  req_audit(r, "auth.login", "user", subject, outcome, d);
  json_decref(d);
}

/* A wrong second-factor code counts as a failed sign-in. */
static int count_failure(struct req *r, const struct user *u, int64_t *retry_after) {
  int lr = auth_count_failure(r, u, u->username, retry_after);
  return lr == LOGIN_LOCKED ? SVC_LOCKED : lr == LOGIN_ERROR ? SVC_ERROR : SVC_FORBIDDEN;
}

static bool code_ok(struct req *r, const struct user *u, const char *code) {
  int64_t step;
  if (!u->totp_secret[0] || !totp_check(u->totp_secret, code, time_now(), TOTP_WINDOW, &step)) return false;
  return store_user_totp_used(req_db(r), u->id, step) == DB_OK;
}

/*
** Checks the password (and CODE, if given and needed) and starts a session.
** *NEXT says whether a second step remains.  Returns SVC_OK, SVC_FORBIDDEN
** (wrong details, told apart to nobody), SVC_LOCKED with *RETRY_AFTER, or
** SVC_ERROR.  Every attempt is audited.
*/
int svc_sign_in(struct req *r, const char *username, const char *password, const char *code,
                enum signin_next *next, int64_t *retry_after) {
  struct user u;
  memset(&u, 0, sizeof u);
  int lr = auth_check_password(r, username, password, &u, retry_after);
  switch (lr) {
  case LOGIN_ERROR: return SVC_ERROR;
  case LOGIN_LOCKED:
    audit_login(r, "locked", username, u.id, "account locked after repeated failures");
    return SVC_LOCKED;
  case LOGIN_BAD:
    audit_login(r, "failed", username, u.id, "wrong username or password");
    return SVC_FORBIDDEN;
  case LOGIN_DISABLED:
    audit_login(r, "failed", username, u.id, "account disabled");
    return SVC_FORBIDDEN;
  default: break;
  }
  bool needs = config_role_needs_totp(r->app->cfg, role_name(u.role)) || u.totp_enabled;
  const char *stage = "full";
  *next = SIGNIN_DONE;
  if (needs && !u.totp_enabled) {
    stage = "enrol";
    *next = SIGNIN_ENROL;
  } else if (needs) {
    if (code && *code) {
      if (!code_ok(r, &u, code)) {
        audit_login(r, "failed", username, u.id, "wrong second-factor code");
        int s = count_failure(r, &u, retry_after);
        return s;
      }
    } else {
      stage = "totp";
      *next = SIGNIN_SECOND_FACTOR;
    }
  }
  if (strcmp(stage, "full") == 0 && store_user_login_ok(req_db(r), u.id, time_now()) != DB_OK) return SVC_ERROR;
  if (auth_start_session(r, u.id, stage) != DB_OK) return SVC_ERROR;
  audit_login(r, strcmp(stage, "full") == 0 ? "ok" : "second_factor_pending", username, u.id, NULL);
  return SVC_OK;
}

/* Completes a sign-in at stage "totp" with CODE. */
int svc_second_factor(struct req *r, const char *code) {
  if (strcmp(r->who.stage, "totp") != 0) return SVC_CONFLICT;
  struct user u;
  /* The caller may have been recognised from the credential cache alone, with no connection yet. */
  if (!req_db(r) || store_user_by_id(req_db(r), r->who.user_id, &u) != DB_ROW) return SVC_ERROR;
  int64_t retry = 0;
  if (u.locked_until > time_now()) {
    r->retry_after = u.locked_until - time_now();
    audit_login(r, "locked", u.username, u.id, "account locked after repeated failures");
    return SVC_LOCKED;
  }
  if (!code || !code_ok(r, &u, code)) {
    audit_login(r, "failed", u.username, u.id, "wrong second-factor code");
    return count_failure(r, &u, &retry);
  }
  store_user_login_ok(req_db(r), u.id, time_now());
  if (auth_start_session(r, u.id, "full") != DB_OK) return SVC_ERROR;
  audit_login(r, "ok", u.username, u.id, NULL);
  return SVC_OK;
}

/*
** Starts enrolment: a new secret (or the one already begun), stored but not
** yet in force, returned with
** its otpauth:// URI (caller frees *URI_OUT).  Only while enrolling, or for a
** signed-in user with no second factor yet: replacing a working factor takes
** an administrator's reset, so a stolen session cannot swap it.
*/
int svc_totp_begin(struct req *r, char *secret_out, size_t cap, char **uri_out) {
  struct user u;
  if (!req_db(r) || store_user_by_id(req_db(r), r->who.user_id, &u) != DB_ROW) return SVC_ERROR;
  if (u.totp_enabled) return SVC_CONFLICT;
  if (u.totp_secret[0]) {
    /* Enrolment already begun: show the same key, so a reload does not undo what the app holds. */
    snprintf(secret_out, cap, "%s", u.totp_secret);
    *uri_out = totp_uri(r->app->cfg->totp_issuer, u.username, secret_out);
    return SVC_OK;
  }
  totp_new_secret(secret_out, cap);
  int64_t now = time_now();
  struct db *db = req_db(r);
  int rc = db_begin(db);
  if (rc == DB_OK) rc = store_user_set_totp(db, u.id, secret_out, false, now);
  if (rc == DB_OK) rc = req_audit_tx(r, "auth.second_factor_enrol_start", "user", u.id, NULL);
  if (rc == DB_OK) rc = db_commit(db);
  if (rc != DB_OK) {
    db_rollback(db);
    return SVC_ERROR;
  }
  *uri_out = totp_uri(r->app->cfg->totp_issuer, u.username, secret_out);
  return SVC_OK;
}

/* Confirms enrolment with a code from the new authenticator; completes sign-in if enrolling. */
int svc_totp_confirm(struct req *r, const char *code) {
  struct db *db = req_db(r);
  struct user u;
  if (store_user_by_id(db, r->who.user_id, &u) != DB_ROW) return SVC_ERROR;
  if (u.totp_enabled || !u.totp_secret[0]) return SVC_CONFLICT;
  int64_t step, now = time_now();
  if (!code || !totp_check(u.totp_secret, code, now, TOTP_WINDOW, &step)) {
    audit_login(r, "failed", u.username, u.id, "wrong code while enrolling a second factor");
    return SVC_INVALID;
  }
  int rc = db_begin(db);
  if (rc == DB_OK) rc = store_user_set_totp(db, u.id, u.totp_secret, true, now);
  if (rc == DB_OK) rc = store_user_totp_used(db, u.id, step);
  if (rc == DB_OK) rc = req_audit_tx(r, "auth.second_factor_enrolled", "user", u.id, NULL);
  if (rc == DB_OK) rc = db_commit(db);
  if (rc != DB_OK) {
    db_rollback(db);
    return SVC_ERROR;
  }
  if (strcmp(r->who.stage, "full") != 0) {
    /* Enrolment completes a sign-in: only now is the failure count cleared. */
    if (store_user_login_ok(db, u.id, now) != DB_OK || auth_start_session(r, u.id, "full") != DB_OK) return SVC_ERROR;
  }
  return SVC_OK;
}

/* Ends the session and audits it. */
int svc_sign_out(struct req *r) {
  req_audit(r, "auth.logout", "user", r->who.user_id, "ok", NULL);
  return auth_end_session(r) == DB_OK ? SVC_OK : SVC_ERROR;
}
