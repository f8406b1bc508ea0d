/*
** The HTTP layer's interface for handlers: the request, the route table
** entry, and the helpers that build responses.
**
** A handler is called with the request already routed, authenticated,
** authorised by role (deny by default), CSRF-checked and its body parsed
** against nothing but syntax; it validates fields against its allowlist,
** calls the domain and the store, and sets exactly one response.  Handlers
** never write to the socket and never see a request they may not serve.
*/
#ifndef SAFEHUB_HTTP_HTTP_H
#define SAFEHUB_HTTP_HTTP_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "access/principal.h"
#include "access/roles.h"
#include "core/fields.h"
#include "store/db.h"
#include "util/buf.h"

struct app;
struct req;
struct MHD_Connection;

typedef void (*handler_fn)(struct req *r);

enum {
  ROUTE_PUBLIC = 1,        /* no sign-in needed */
  ROUTE_HTML = 2,          /* a web page: errors render as pages, sign-in redirects */
  ROUTE_SECOND_FACTOR = 4, /* reachable while the second factor is pending */
  ROUTE_FORM = 8,          /* body is application/x-www-form-urlencoded */
  ROUTE_JSON = 16,         /* body is JSON */
  ROUTE_NO_AUDIT_READ = 32 /* serves no personal data (assets, health) */
};

struct route {
  const char *method;
  const char *pattern;          /* "/api/v1/children/{id}" */
  roleset roles;                /* who may call it; ignored for ROUTE_PUBLIC */
  unsigned flags;
  handler_fn fn;
  const char *const *query;     /* allowed query parameters, NULL-terminated; NULL for none */
  const char *summary;          /* one line, for `safehub routes` and the docs */
  /*
  ** ROUTE_FORM only: the form fields the route accepts, NULL-terminated;
  ** any other name is refused with 422 before the handler runs.  An entry
  ** ending in '*' accepts every name that starts with what precedes it
  ** (rows and per-code fields: "attendees-*", "evidence-*").  csrf_token
  ** is always accepted.  NULL for routes without a form body.
  */
  const char *const *form;
};

#define ROUTE_MAX_PARAMS 4
#define PARAM_MAX 80

struct req {
  struct app *app;
  struct MHD_Connection *conn;
  const char *method;
  char *url;
  const struct route *route;
  int route_index;
  char params[ROUTE_MAX_PARAMS][PARAM_MAX];
  int nparams;
  json_t *query;                /* object of single-valued query parameters */
  struct buf body;
  bool body_too_big;
  json_t *json;                 /* parsed JSON body (ROUTE_JSON) */
  json_t *form;                 /* parsed form body (ROUTE_FORM): name -> string */
  char ip[64];
  char request_id[24];
  struct principal who;
  struct db *db;                /* taken from the pool on first use, returned when the handler ends */
  /* the response */
  int status;
  char *content_type;
  struct buf out;
  char *location;
  char *set_cookie[2];
  int nset_cookie;
  char started_session[65];     /* hash of a session this request started, undone if its audit fails */
  bool cacheable;               /* static assets only; everything else is no-store */
  char *etag;
  /* audit entries for reads and refusals, written before the response is sent */
  struct audit_row **audit;
  int naudit, capaudit;
  /* lifecycle */
  int state;
  int64_t start_ns;
  bool audit_failed;
  size_t bytes_sent;
  int64_t retry_after;          /* seconds, for a 429's Retry-After */
  char allow[40];               /* methods for a 405's Allow */
};

/* Parameters and inputs. */
const char *req_param(struct req *r, int i);
const char *req_query(struct req *r, const char *name);
const char *req_header(struct req *r, const char *name);
const char *req_purpose(struct req *r);
struct db *req_db(struct req *r);
bool req_is_api(const struct req *r);

/* Responses (each replaces any earlier one). */
void resp_json(struct req *r, int status, json_t *body);
void resp_json_text(struct req *r, int status, struct buf *text);
void resp_error(struct req *r, int status, const char *code, const char *message);
void resp_field_errors(struct req *r, struct field_errors *errs);
void resp_db_error(struct req *r);
void resp_html(struct req *r, int status, struct buf *page);
void resp_redirect(struct req *r, const char *location);
void resp_text(struct req *r, int status, const char *ctype, const char *text);
void resp_set_cookie(struct req *r, const char *cookie);

/* Auditing. */
void req_audit(struct req *r, const char *action, const char *object_type, const char *object_id,
               const char *outcome, json_t *details);
struct audit_row *req_audit_row(struct req *r, const char *action, const char *object_type,
                                const char *object_id, const char *outcome, json_t *details);
int req_audit_tx(struct req *r, const char *action, const char *object_type, const char *object_id,
                 json_t *details);

/* The route tables (api/routes.c, web/routes.c) and the router (router.c). */
extern const struct route api_routes[], api_work_routes[], api_referral_routes[], api_casework_routes[], api_risk_routes[],
    api_intel_routes[], api_report_routes[];
extern const struct route web_routes[], web_work_routes[], web_referral_routes[], web_casework_routes[], web_risk_routes[],
    web_intel_routes[], web_report_routes[];
const struct route *router_match(const char *method, const char *path, char params[][PARAM_MAX],
                                 int *nparams, int *index, bool *method_mismatch);
int router_count(void);
const struct route *router_at(int index);
int router_allowed(const char *path, char *allow, size_t cap, bool *html);
bool router_path_matches(const char *pattern, const char *path, char params[][PARAM_MAX], int *nparams);

#endif
