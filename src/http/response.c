/*
** Building responses and audit entries from handlers (see http.h).  The
** response is only recorded here; server.c turns it into an MHD response
** with the security headers once the request's audit entries are durable.
*/
#include <stdlib.h>
#include <string.h>
#include <microhttpd.h>
#include "audit/audit.h"
#include "http/app.h"
#include "http/http.h"
#include "util/log.h"
#include "util/xalloc.h"

static void set_type(struct req *r, const char *type) {
  free(r->content_type);
  r->content_type = xstrdup(type);
}

/* json_dump_callback's sink: straight into the response text, with no copy between. */
static int append_json(const char *text, size_t len, void *out) {
  buf_append(out, text, len);
  return 0;
}

/* Answers STATUS with the body in OUT (taken; OUT is left empty) as content type TYPE. */
static void resp_body(struct req *r, int status, const char *type, struct buf *out) {
  r->status = status;
  set_type(r, type);
  buf_free(&r->out);
  r->out = *out;
  buf_init(out);
}

/* Answers STATUS with TEXT, JSON already written (taken; TEXT is left empty). */
void resp_json_text(struct req *r, int status, struct buf *text) {
  buf_putc(text, '\n');
  resp_body(r, status, "application/json", text);
}

/* Answers STATUS with BODY as JSON; steals the reference. */
void resp_json(struct req *r, int status, json_t *body) {
  struct buf text = BUF_INIT;
  json_dump_callback(body, append_json, &text, JSON_COMPACT);
  json_decref(body);
  resp_json_text(r, status, &text);
}


static json_t *error_body(const char *code, const char *message, json_t *fields) {
  json_t *err = json_pack("{s:s,s:s}", "code", code, "message", message);
  if (fields) json_object_set(err, "fields", fields);
  return json_pack("{s:o}", "error", err);
}

static void error_page(struct req *r, int status, const char *message);

/*
** Answers STATUS with the contract's error object (API) or an error page
** (web).  CODE is a stable machine-readable word, MESSAGE a sentence for
** people.
*/
void resp_error(struct req *r, int status, const char *code, const char *message) {
  if (req_is_api(r)) resp_json(r, status, error_body(code, message, NULL));
  else error_page(r, status, message);
}

/* Answers 422 naming every bad field in ERRS. */
void resp_field_errors(struct req *r, struct field_errors *errs) {
  resp_json(r, 422, error_body("invalid_fields", "Some fields are missing or invalid.", errs->fields));
}

/* Answers 503 (busy) or 500 after a database failure, logging the cause but not the data. */
void resp_db_error(struct req *r) {
  struct db *db = r->db;
  log_error("database: %s (route %s)", db ? db_error(db) : "no connection",
            r->route ? r->route->pattern : "-");
  resp_error(r, 503, "unavailable", "The service could not complete this just now. Please try again.");
}

/* Answers STATUS with the HTML in PAGE (taken; PAGE is left empty). */
void resp_html(struct req *r, int status, struct buf *page) { resp_body(r, status, "text/html; charset=utf-8", page); }

/* 303 See Other to LOCATION, which must be a path on this site. */
void resp_redirect(struct req *r, const char *location) {
  r->status = 303;
  free(r->location);
  r->location = xstrdup(location);
  set_type(r, "text/plain; charset=utf-8");
  buf_reset(&r->out);
}

void resp_text(struct req *r, int status, const char *ctype, const char *text) {
  r->status = status;
  set_type(r, ctype);
  buf_reset(&r->out);
  buf_puts(&r->out, text);
}

/* Adds a Set-Cookie header (at most two per response). */
void resp_set_cookie(struct req *r, const char *cookie) {
  if (r->nset_cookie >= 2) return;
  r->set_cookie[r->nset_cookie++] = xstrdup(cookie);
}

/* Provided by web/layout.c: a full error page in the house style. */
void web_error_page(struct req *r, int status, const char *message);

static void error_page(struct req *r, int status, const char *message) { web_error_page(r, status, message); }

/* An audit entry for this request's principal, address and purpose; caller owns it. */
struct audit_row *req_audit_row(struct req *r, const char *action, const char *object_type,
                                const char *object_id, const char *outcome, json_t *details) {
  const struct principal *w = &r->who;
  bool known = w->kind != AUTH_NONE;
  return audit_row_new(known ? w->user_id : NULL, known ? w->username : NULL,
                       known ? role_name(w->role) : NULL, known ? w->agency_code : NULL, action, object_type,
                       object_id, outcome, req_purpose(r), r->ip, details);
}

/*
** Queues an entry to be written, with the request's other entries, before the
** response is sent (reads and refusals).  DETAILS is not stolen.
*/
void req_audit(struct req *r, const char *action, const char *object_type, const char *object_id,
               const char *outcome, json_t *details) {
  if (r->naudit == r->capaudit) {
    r->capaudit = r->capaudit ? r->capaudit * 2 : 8;
    r->audit = xrealloc(r->audit, (size_t)r->capaudit * sizeof *r->audit);
  }
  r->audit[r->naudit++] = req_audit_row(r, action, object_type, object_id, outcome, details);
}

/*
** Appends an entry inside the request's open write transaction, so the change
** and its record commit together.  DETAILS is not stolen.  Returns DB_OK or
** an error (the caller rolls back).
*/
int req_audit_tx(struct req *r, const char *action, const char *object_type, const char *object_id,
                 json_t *details) {
  struct audit_row *row = req_audit_row(r, action, object_type, object_id, "ok", details);
  int rc = audit_append_tx(req_db(r), &row, 1);
  audit_rows_free(&row, 1);
  return rc;
}
