/*
** Failure counters for unknown usernames (see throttle.h).
**
** A fixed table of slots keyed by a keyed hash of the name: memory stays
** bounded however many names are tried, and a collision only makes two
** names share a counter, which errs on the side of locking.  A slot idle for
** a day is reused.  One mutex guards the table.
*/
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "http/throttle.h"
#include "util/xalloc.h"

#define SLOTS 4096
#define IDLE_RESET 86400

struct slot {
  uint64_t key;
  int failures;
  int64_t locked_until;
  int64_t last;
};

struct throttle {
  pthread_mutex_t mu;
  uint8_t salt[crypto_shorthash_KEYBYTES];
  struct slot slots[SLOTS];
};

struct throttle *throttle_new(void) {
  struct throttle *t = xcalloc(1, sizeof *t);
  pthread_mutex_init(&t->mu, NULL);
  randombytes_buf(t->salt, sizeof t->salt);
  return t;
}

void throttle_free(struct throttle *t) {
  if (!t) return;
  pthread_mutex_destroy(&t->mu);
  free(t);
}

static uint64_t key_of(const struct throttle *t, const char *name) {
  uint8_t h[crypto_shorthash_BYTES];
  crypto_shorthash(h, (const uint8_t *)name, strlen(name), t->salt);
  uint64_t key;
  memcpy(&key, h, sizeof key);
  return key;
}

/* The slot NAME counts in (names that share one share its counter). */
unsigned throttle_slot(const struct throttle *t, const char *name) { return (unsigned)(key_of(t, name) % SLOTS); }

/*
** NAME's slot, taken over for it only when the name there has been idle for
** a day and is not locked: a slot still counting another name's failures is
** shared, never reset, so a colliding name cannot wipe out those failures.
*/
static struct slot *slot_for(struct throttle *t, const char *name, int64_t now) {
  uint64_t key = key_of(t, name);
  struct slot *s = &t->slots[key % SLOTS];
  if (s->key != key && s->last + IDLE_RESET < now && s->locked_until < now) {
    memset(s, 0, sizeof *s);
    s->key = key;
  }
  return s;
}

/* Seconds NAME stays locked from NOW, or 0. */
int64_t throttle_locked(struct throttle *t, const char *name, int64_t now) {
  pthread_mutex_lock(&t->mu);
  struct slot *s = slot_for(t, name, now);
  int64_t left = s->locked_until > now ? s->locked_until - now : 0;
  pthread_mutex_unlock(&t->mu);
  return left;
}

/* Counts a failure for NAME and returns the number of consecutive failures. */
int throttle_fail(struct throttle *t, const char *name, int64_t now) {
  pthread_mutex_lock(&t->mu);
  struct slot *s = slot_for(t, name, now);
  if (s->last + IDLE_RESET < now) s->failures = 0;
  int n = ++s->failures;
  s->last = now;
  pthread_mutex_unlock(&t->mu);
  return n;
}

/* Locks NAME until UNTIL. */
void throttle_lock(struct throttle *t, const char *name, int64_t now, int64_t until) {
  pthread_mutex_lock(&t->mu);
  struct slot *s = slot_for(t, name, now);
  s->locked_until = until;
  pthread_mutex_unlock(&t->mu);
}
