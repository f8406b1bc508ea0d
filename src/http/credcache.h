/*
** A short-lived cache of who a session id or bearer token belongs to, so
** that an ordinary request costs no database round trip to authenticate.
**
** An entry is trusted only while the database's authentication epoch is the
** one it was loaded under: every change that can end a credential's
** validity (sign-out, password or role change, disabling, revocation, a
** second-factor step) moves the epoch on in the same statement sequence, so
** the change takes effect at once in every Safehub process.  Reading the
** epoch is one single-row lookup instead of the session and principal
** queries.  Entries also expire after CREDCACHE_TTL seconds regardless.
**
** The epoch itself is remembered too (credcache_epoch): it is read again
** whenever this process has committed a write since (db_commits), so a change
** made through this server takes effect at the next request, and otherwise
** at most every CREDCACHE_EPOCH_MS, so a change made elsewhere (the command
** line, another server on the same PostgreSQL database) takes effect within
** that.
*/
#ifndef SAFEHUB_HTTP_CREDCACHE_H
#define SAFEHUB_HTTP_CREDCACHE_H
#include <stdbool.h>
#include <stdint.h>
#include "access/principal.h"

#define CREDCACHE_TTL 60
#define CREDCACHE_EPOCH_MS 1000

struct cred {
  struct principal who;   /* as loaded, including kind, stage and CSRF token */
  int64_t created_at;     /* sessions: for the absolute timeout */
  int64_t last_seen_at;   /* sessions: last touch written; tokens: last use written */
};

struct credcache;
struct credcache *credcache_new(void);
void credcache_free(struct credcache *c);
bool credcache_get(struct credcache *c, const char hash[65], int64_t epoch, int64_t now, struct cred *out);
void credcache_put(struct credcache *c, const char hash[65], const struct cred *cred, int64_t epoch, int64_t now);
void credcache_forget(struct credcache *c, const char hash[65]);
bool credcache_epoch(struct credcache *c, uint64_t commits, int64_t now_ms, int64_t *epoch);
void credcache_epoch_put(struct credcache *c, int64_t epoch, uint64_t commits, int64_t now_ms);

#endif
