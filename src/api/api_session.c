/*
** Sessions and the user's own account: sign in and out, the second factor,
** and password change.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "api/api.h"
#include "core/password.h"
#include "service/service.h"

static const struct field_spec LOGIN_FIELDS[] = {
    {"username", F_STRING, F_REQUIRED, 64, NULL, NULL},
    {"password", F_STRING, F_REQUIRED, PASSWORD_MAX, NULL, NULL},
    {"totp", F_STRING, 0, 16, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static const struct field_spec CODE_FIELDS[] = {
    {"code", F_STRING, F_REQUIRED, 16, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static json_t *session_json(struct req *r, const char *second_factor) {
  return json_pack("{s:o,s:s,s:s?}", "user", api_user_json(&r->who), "csrf_token", r->who.csrf_token,
                   "second_factor", second_factor);
}

/* POST /api/v1/session {"username","password"[,"totp"]} */
void api_session_create(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  if (!fields_check(r->json, LOGIN_FIELDS, NULL, false, &errs)) {
    resp_field_errors(r, &errs);
    ferr_free(&errs);
    return;
  }
  ferr_free(&errs);
  enum signin_next next;
  int64_t retry = 0;
  int rc = svc_sign_in(r, api_str(r->json, "username"), api_str(r->json, "password"), api_str(r->json, "totp"),
                       &next, &retry);
  if (rc == SVC_LOCKED) {
    char msg[160];
    snprintf(msg, sizeof msg, "Too many failed attempts. Try again in %lld seconds.", (long long)retry);
    resp_error(r, 429, "too_many_attempts", msg);
    return;
  }
  if (rc == SVC_FORBIDDEN) {
    resp_error(r, 401, "invalid_credentials", "The username, password or code is not right.");
    return;
  }
  if (rc != SVC_OK) {
    resp_db_error(r);
    return;
  }
  resp_json(r, 200, session_json(r, next == SIGNIN_SECOND_FACTOR ? "required" : next == SIGNIN_ENROL ? "enrol" : NULL));
}

/* GET /api/v1/session: who am I, and the CSRF token for this session. */
void api_session_get(struct req *r) {
  resp_json(r, 200, session_json(r, strcmp(r->who.stage, "totp") == 0   ? "required"
                                    : strcmp(r->who.stage, "enrol") == 0 ? "enrol"
                                                                         : NULL));
}

/* DELETE /api/v1/session */
void api_session_delete(struct req *r) {
  if (svc_sign_out(r) != SVC_OK) {
    resp_db_error(r);
    return;
  }
  r->status = 204;
  buf_reset(&r->out);
}

static bool read_code(struct req *r, const char **code) {
  struct field_errors errs;
  ferr_init(&errs);
  bool ok = fields_check(r->json, CODE_FIELDS, NULL, false, &errs);
  if (!ok) resp_field_errors(r, &errs);
  ferr_free(&errs);
  *code = api_str(r->json, "code");
  return ok;
}

/* POST /api/v1/session/second-factor {"code"} */
void api_session_second_factor(struct req *r) {
  const char *code;
  if (!read_code(r, &code)) return;
  int rc = svc_second_factor(r, code);
  if (rc == SVC_LOCKED) {
    resp_error(r, 429, "too_many_attempts", "Too many failed attempts. Try again later.");
  } else if (rc == SVC_FORBIDDEN) {
    resp_error(r, 401, "invalid_code", "That code is not right.");
  } else if (rc == SVC_CONFLICT) {
    resp_error(r, 409, "conflict", "No second step is waiting for this session.");
  } else if (rc != SVC_OK) {
    resp_db_error(r);
  } else {
    resp_json(r, 200, session_json(r, NULL));
  }
}

/* POST /api/v1/account/second-factor: a new secret for an authenticator app. */
void api_totp_enrol(struct req *r) {
  char secret[64];
  char *uri = NULL;
  int rc = svc_totp_begin(r, secret, sizeof secret, &uri);
  if (rc == SVC_CONFLICT) {
    resp_error(r, 409, "already_enrolled", "A second factor is already set up; an administrator can reset it.");
    return;
  }
  if (rc != SVC_OK) {
    resp_db_error(r);
    return;
  }
  resp_json(r, 200, json_pack("{s:s,s:s}", "secret", secret, "otpauth_uri", uri));
  sodium_memzero(secret, sizeof secret);
  free(uri);
}

/* POST /api/v1/account/second-factor/confirm {"code"} */
void api_totp_confirm(struct req *r) {
  const char *code;
  if (!read_code(r, &code)) return;
  int rc = svc_totp_confirm(r, code);
  if (rc == SVC_INVALID) {
    struct field_errors errs;
    ferr_init(&errs);
    ferr_add(&errs, "code", "is not the code the authenticator shows now");
    resp_field_errors(r, &errs);
    ferr_free(&errs);
  } else if (rc == SVC_CONFLICT) {
    resp_error(r, 409, "conflict", "Start enrolment first, or a second factor is already set up.");
  } else if (rc != SVC_OK) {
    resp_db_error(r);
  } else {
    resp_json(r, 200, session_json(r, NULL));
  }
}

/* POST /api/v1/account/password {"current_password","new_password"} */
void api_password_change(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  int rc = svc_password_change(r, r->json, &errs);
  if (!api_answer_failure(r, rc, &errs)) resp_json(r, 200, session_json(r, NULL));
  ferr_free(&errs);
}
