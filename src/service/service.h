/*
** Use cases shared by the JSON API and the web pages: each validates, checks
** record-level access, changes or reads the store inside the right
** transaction, and audits, but knows nothing of HTTP responses.  Handlers map
** the result code to a status and render.
*/
#ifndef SAFEHUB_SERVICE_SERVICE_H
#define SAFEHUB_SERVICE_SERVICE_H
#include <stdbool.h>
#include <jansson.h>
#include "core/fields.h"
#include "http/http.h"
#include "util/codec.h"

enum svc_rc {
  SVC_OK,
  SVC_INVALID,   /* field errors filled */
  SVC_NOT_FOUND, /* absent, or hidden from this user */
  SVC_CONFLICT,  /* changed by someone else, or a state that forbids this */
  SVC_FORBIDDEN,
  SVC_LOCKED,
  SVC_ERROR      /* database failure; logged */
};

/* children (service/children.c) */
int svc_child_create(struct req *r, json_t *input, struct field_errors *errs, char id_out[ID_MAX]);
int svc_child_get(struct req *r, const char *id, json_t **out);
int svc_child_get_text(struct req *r, const char *id, struct buf *out);
int svc_child_update(struct req *r, const char *id, json_t *patch, struct field_errors *errs, json_t **out);
int svc_child_update_from(struct req *r, const char *id, json_t *patch, long long from, struct field_errors *errs,
                          json_t **out);
struct child_search {
  json_t *results;   /* array of summaries the user may see */
  int restricted;    /* matches the user may not see */
  bool more;         /* more matches than shown */
};
int svc_child_search(struct req *r, const char *q, struct child_search *out);
void svc_child_search_free(struct child_search *s);
int svc_child_access(struct req *r, const char *child_id, bool *visible);

/* people and accounts (service/accounts.c) */
int svc_user_create(struct req *r, json_t *input, struct field_errors *errs, json_t **out);
int svc_user_update(struct req *r, const char *id, json_t *input, struct field_errors *errs, json_t **out);
int svc_agency_create(struct req *r, json_t *input, struct field_errors *errs, json_t **out);
int svc_token_create(struct req *r, json_t *input, struct field_errors *errs, json_t **out);
int svc_token_revoke(struct req *r, const char *id);
int svc_password_change(struct req *r, json_t *input, struct field_errors *errs);

/* signing in (service/signin.c) */
enum signin_next { SIGNIN_DONE, SIGNIN_SECOND_FACTOR, SIGNIN_ENROL };
int svc_sign_in(struct req *r, const char *username, const char *password, const char *code,
                enum signin_next *next, int64_t *retry_after);
int svc_second_factor(struct req *r, const char *code);
int svc_totp_begin(struct req *r, char *secret_out, size_t cap, char **uri_out);
int svc_totp_confirm(struct req *r, const char *code);
int svc_sign_out(struct req *r);

/* bank holidays (service/holidays.c) */
int svc_holidays_seed(struct db *db, const char *file, int *added, char *err, size_t errlen);
int svc_holiday_add(struct req *r, json_t *input, struct field_errors *errs);
int svc_holiday_delete(struct req *r, const char *day);

/* work lists, notifications and the chronology (service/work.c) */
int svc_work_mine(struct req *r, json_t **out);
int svc_work_team(struct req *r, json_t **out);
int svc_chronology_list(struct req *r, const char *child_id, const char *agency, const char *type, json_t **out);

#endif
