/*
** The running application: settings and the shared services every request
** uses.  Built once by `safehub serve` before the first request and torn
** down after the last; read-only in between except through each service's
** own locking.
*/
#ifndef SAFEHUB_HTTP_APP_H
#define SAFEHUB_HTTP_APP_H
#include <semaphore.h>
#include <stdbool.h>
#include "audit/audit.h"
#include "config/config.h"
#include "core/risk_tool.h"
#include "store/db.h"

struct assets;
struct metrics;
struct accesslog;
struct throttle;
struct credcache;
struct match_model;

struct app {
  struct config *cfg;
  struct db_pool *pool;
  struct audit_writer *audit;
  struct audit_key audit_key;
  struct assets *assets;
  struct metrics *metrics;
  struct accesslog *access_log;
  bool tls;            /* served over TLS directly */
  bool secure_cookies; /* TLS here or at a proxy (public_url is https) */
  struct credcache *creds;        /* who a session or token belongs to, for a few seconds */
  struct throttle *unknown_names; /* failure counts for usernames that do not exist */
  struct risk_tool risk_tool;     /* the CSE screening tool in force */
  struct match_model *match_model; /* record linkage: scoring people against children */
  sem_t hash_slots;    /* bounds concurrent Argon2id hashes (each takes 64 MiB) */
};

int server_run(struct app *app);

#endif
