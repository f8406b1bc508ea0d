/*
** Authentication of requests and sessions (see auth.c).
*/
#ifndef SAFEHUB_HTTP_AUTH_H
#define SAFEHUB_HTTP_AUTH_H
#include <stdbool.h>
#include <stdint.h>
#include "http/http.h"
#include "store/store.h"

enum { AUTH_OK, AUTH_NONE_GIVEN, AUTH_BAD, AUTH_EXPIRED, AUTH_ERROR };
enum { LOGIN_OK, LOGIN_BAD, LOGIN_LOCKED, LOGIN_DISABLED, LOGIN_ERROR };

void auth_hash_secret(const char *secret, char out[65]);
const char *auth_cookie_name(const struct app *app);
int auth_authenticate(struct req *r);
bool auth_csrf_ok(const struct req *r, const char *token);
bool auth_same_origin(struct req *r);
int auth_start_session(struct req *r, const char *user_id, const char *stage);
int auth_end_session(struct req *r);
int auth_count_failure(struct req *r, const struct user *u, const char *username, int64_t *retry_after);
int auth_check_password(struct req *r, const char *username, const char *password, struct user *u,
                        int64_t *retry_after);

#endif
