/*
** The credential cache (see credcache.h).
**
** A fixed table of slots indexed by the credential's hash (already uniformly
** random), each holding one entry; a newer credential simply replaces an
** older one in its slot.  Locking: one mutex per group of slots, so threads
** rarely wait on each other.
*/
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "http/credcache.h"
#include "util/xalloc.h"

#define SLOTS 8192
#define LOCKS 64

struct entry {
  char hash[65];
  struct cred cred;
  int64_t fetched_at;
  int64_t epoch;
};

struct credcache {
  pthread_mutex_t locks[LOCKS];
  struct entry slots[SLOTS];
  pthread_mutex_t epoch_mu; /* guards the four fields below */
  bool epoch_known;
  int64_t epoch;
  uint64_t epoch_commits; /* db_commits() read before the epoch was */
  int64_t epoch_read_ms;
};

struct credcache *credcache_new(void) {
  struct credcache *c = xcalloc(1, sizeof *c);
  for (int i = 0; i < LOCKS; i++) pthread_mutex_init(&c->locks[i], NULL);
  pthread_mutex_init(&c->epoch_mu, NULL);
  return c;
}

/* Frees the cache, wiping the CSRF tokens it held. */
void credcache_free(struct credcache *c) {
  if (!c) return;
  for (int i = 0; i < LOCKS; i++) pthread_mutex_destroy(&c->locks[i]);
  pthread_mutex_destroy(&c->epoch_mu);
  sodium_memzero(c->slots, sizeof c->slots);
  free(c);
}

static unsigned slot_of(const char hash[65]) {
  unsigned v = 0;
  for (int i = 0; i < 8; i++) {
    char ch = hash[i];
    v = v * 16 + (unsigned)(ch >= 'a' ? ch - 'a' + 10 : ch - '0');
  }
  return v % SLOTS;
}

/* Copies the entry for HASH into *OUT; false when absent, too old, or loaded under another EPOCH. */
bool credcache_get(struct credcache *c, const char hash[65], int64_t epoch, int64_t now, struct cred *out) {
  if (!c) return false;
  unsigned s = slot_of(hash);
  pthread_mutex_t *mu = &c->locks[s % LOCKS];
  pthread_mutex_lock(mu);
  const struct entry *e = &c->slots[s];
  bool hit = e->epoch == epoch && e->fetched_at > 0 && now - e->fetched_at < CREDCACHE_TTL && now >= e->fetched_at &&
             sodium_memcmp(e->hash, hash, 64) == 0;
  if (hit) *out = e->cred;
  pthread_mutex_unlock(mu);
  return hit;
}

/* Remembers CRED for HASH as loaded at NOW under EPOCH. */
void credcache_put(struct credcache *c, const char hash[65], const struct cred *cred, int64_t epoch, int64_t now) {
  if (!c) return;
  unsigned s = slot_of(hash);
  pthread_mutex_t *mu = &c->locks[s % LOCKS];
  pthread_mutex_lock(mu);
  struct entry *e = &c->slots[s];
  memcpy(e->hash, hash, 65);
  e->cred = *cred;
  e->fetched_at = now;
  e->epoch = epoch;
  pthread_mutex_unlock(mu);
}


/* Drops the entry for HASH, if held (this process stops honouring it at once, whatever the epoch says). */
void credcache_forget(struct credcache *c, const char hash[65]) {
  if (!c) return;
  unsigned s = slot_of(hash);
  pthread_mutex_t *mu = &c->locks[s % LOCKS];
  pthread_mutex_lock(mu);
  struct entry *e = &c->slots[s];
  if (sodium_memcmp(e->hash, hash, 64) == 0) sodium_memzero(e, sizeof *e);
  pthread_mutex_unlock(mu);
}

/*
** The remembered authentication epoch into *EPOCH, if it may still be used:
** this process has committed nothing since COMMITS was read before it, and it
** is under CREDCACHE_EPOCH_MS old at NOW_MS (a monotonic clock).
*/
bool credcache_epoch(struct credcache *c, uint64_t commits, int64_t now_ms, int64_t *epoch) {
  if (!c) return false;
  pthread_mutex_lock(&c->epoch_mu);
  bool fresh = c->epoch_known && c->epoch_commits == commits && now_ms >= c->epoch_read_ms &&
               now_ms - c->epoch_read_ms < CREDCACHE_EPOCH_MS;
  if (fresh) *epoch = c->epoch;
  pthread_mutex_unlock(&c->epoch_mu);
  return fresh;
}

/* Remembers EPOCH as read at NOW_MS, after db_commits() had said COMMITS. */
void credcache_epoch_put(struct credcache *c, int64_t epoch, uint64_t commits, int64_t now_ms) {
  if (!c) return;
  pthread_mutex_lock(&c->epoch_mu);
  c->epoch_known = true;
  c->epoch = epoch;
  c->epoch_commits = commits;
  c->epoch_read_ms = now_ms;
  pthread_mutex_unlock(&c->epoch_mu);
}
