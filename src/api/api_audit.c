/*
** The audit trail of a record: who saw and changed it, when, and why.
*/
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "http/app.h"
#include "store/store.h"
#include "util/codec.h"
#include "util/log.h"

#define AUDIT_PAGE 500

/* GET /api/v1/audit?subject=ID[&limit=N] */
void api_audit_list(struct req *r) {
  const char *subject = req_query(r, "subject");
  const char *limit_s = req_query(r, "limit");
  struct field_errors errs;
  ferr_init(&errs);
  if (!subject || !ids_plausible(subject)) ferr_add(&errs, "subject", "must be the id of a record");
  int limit = AUDIT_PAGE;
  if (limit_s) {
    char *end;
    long v = strtol(limit_s, &end, 10);
    if (*end || v < 1 || v > AUDIT_PAGE) ferr_add(&errs, "limit", "must be a whole number from 1 to 500");
    else limit = (int)v;
  }
  if (ferr_any(&errs)) {
    resp_field_errors(r, &errs);
    ferr_free(&errs);
    return;
  }
  ferr_free(&errs);
  json_t *entries = NULL;
  /* Accesses already answered may still be in the spool: the trail must show them. */
  if (!audit_writer_flush(r->app->audit)) log_warn("audit: the trail may lack entries still spooled");
  if (store_audit_for_subject(req_db(r), subject, limit, &entries) != DB_OK) {
    resp_db_error(r);
    return;
  }
  req_audit(r, "audit.read", "audit", subject, "ok", NULL);
  resp_json(r, 200, json_pack("{s:s,s:o}", "subject", subject, "entries", entries));
}
