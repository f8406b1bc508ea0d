/*
** Building audit entries and appending them to the chain inside a write
** transaction (see audit.h).
*/
#include <stdlib.h>
#include <string.h>
#include "audit/audit.h"
#include "util/codec.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

/*
** A new entry stamped now.  DETAILS (may be NULL) is stored as canonical JSON
** (sorted keys, compact); the reference is not stolen.  Caller frees with
** audit_rows_free or hands it to an append function.
*/
struct audit_row *audit_row_new(const char *actor_id, const char *actor, const char *role,
                                const char *agency, const char *action, const char *object_type,
                                const char *object_id, const char *outcome, const char *purpose,
                                const char *ip, json_t *details) {
  struct audit_row *r = xcalloc(1, sizeof *r);
  r->at = time_now();
  r->actor_id = xstrdup(actor_id && *actor_id ? actor_id : NULL);
  r->actor = xstrdup(actor && *actor ? actor : "anonymous");
  r->role = xstrdup(role && *role ? role : NULL);
  r->agency = xstrdup(agency && *agency ? agency : NULL);
  r->action = xstrdup(action);
  r->object_type = xstrdup(object_type);
  r->object_id = xstrdup(object_id);
  r->outcome = xstrdup(outcome ? outcome : "ok");
  r->purpose = xstrdup(purpose && *purpose ? purpose : NULL);
  r->ip = xstrdup(ip && *ip ? ip : NULL);
  r->details = details ? json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS) : xstrdup("{}");
  if (!r->details) r->details = xstrdup("{}");
  return r;
}

void audit_rows_free(struct audit_row **rows, int n) {
  for (int i = 0; i < n; i++) {
    store_audit_row_free(rows[i]);
    free(rows[i]);
  }
}

/*
** Appends ROWS to the chain.  Must run inside a write transaction; takes the
** audit lock for the rest of it.  Sets each row's seq and hashes.  Returns
** DB_OK or an error (the caller rolls back).
*/
int audit_append_tx(struct db *db, struct audit_row **rows, int n) {
  if (n == 0) return DB_OK;
  int rc = db_lock_audit(db);
  if (rc != DB_OK) return rc;
  int64_t seq;
  char head_hex[65];
  rc = store_audit_head(db, &seq, head_hex);
  if (rc != DB_OK) return rc;
  uint8_t prev[AUDIT_HASH_BYTES];
  if (seq == 0) memset(prev, 0, sizeof prev);
  else if (!hex_decode(head_hex, prev, sizeof prev)) return DB_ERROR;
  for (int i = 0; i < n; i++) {
    struct audit_row *r = rows[i];
    uint8_t h[AUDIT_HASH_BYTES];
    char prev_hex[65], hash_hex[65];
    r->seq = ++seq;
    audit_hash_row(r->seq, prev, r, h);
    hex_encode(prev, sizeof prev, prev_hex);
    hex_encode(h, sizeof h, hash_hex);
    free(r->prev_hash);
    free(r->hash);
    r->prev_hash = xstrdup(prev_hex);
    r->hash = xstrdup(hash_hex);
    rc = store_audit_insert(db, r);
    if (rc != DB_OK) return rc;
    memcpy(prev, h, sizeof prev);
  }
  return DB_OK;
}
