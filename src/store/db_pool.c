/*
** A bounded pool of database connections with a wait queue, shared by the
** server's threads.
**
** Locking: one mutex guards the free list and counters; a thread that finds
** no free connection waits on the condition variable.  Connections are opened
** lazily up to SIZE.  A connection is checked as it comes back: an open
** transaction is rolled back (a handler that failed midway must not leave
** locks or a half-written change behind) and a broken one is closed so that
** the next user gets a fresh connection.
*/
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/db.h"
#include "util/log.h"
#include "util/xalloc.h"

struct db_pool {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  char *dsn;
  int size;
  int open;  /* connections in existence */
  int in_use;
  struct db **free_list;
  int nfree;
  uint64_t waits, acquired;
};

/*
** Creates a pool of at most SIZE connections to DSN and opens the first to
** prove the DSN works.  Returns 0 or -1 with ERR.  Free with db_pool_free.
*/
int db_pool_new(const char *dsn, int size, struct db_pool **out, char *err, size_t errlen) {
  assert(size > 0);
  struct db *first = NULL;
  if (db_open(dsn, false, &first, err, errlen) != 0) return -1;
  db_server_mode(first);
  struct db_pool *p = xcalloc(1, sizeof *p);
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->cv, NULL);
  p->dsn = xstrdup(dsn);
  p->size = size;
  p->free_list = xcalloc((size_t)size, sizeof *p->free_list);
  p->free_list[p->nfree++] = first;
  p->open = 1;
  *out = p;
  return 0;
}

/*
** Takes a connection, waiting while all are in use.  Returns NULL only when a
** new connection cannot be opened.  Give it back with db_pool_put.
*/
struct db *db_pool_get(struct db_pool *p) {
  pthread_mutex_lock(&p->mu);
  for (;;) {
    if (p->nfree > 0) {
      struct db *db = p->free_list[--p->nfree];
      p->in_use++;
      p->acquired++;
      pthread_mutex_unlock(&p->mu);
      return db;
    }
    if (p->open < p->size) {
      p->open++;
      p->in_use++;
      p->acquired++;
      pthread_mutex_unlock(&p->mu);
      struct db *db = NULL;
      char err[512];
      if (db_open(p->dsn, false, &db, err, sizeof err) == 0) db_server_mode(db);
      if (!db) {
        log_error("database: %s", err);
        pthread_mutex_lock(&p->mu);
        p->open--;
        p->in_use--;
        pthread_cond_signal(&p->cv);
        pthread_mutex_unlock(&p->mu);
        return NULL;
      }
      return db;
    }
    p->waits++;
    pthread_cond_wait(&p->cv, &p->mu);
  }
}

/* Returns DB to the pool, rolling back any transaction it was left in. */
void db_pool_put(struct db_pool *p, struct db *db) {
  if (!db) return;
  if (db_in_transaction(db)) {
    log_warn("database: connection returned inside a transaction; rolled back");
    db_rollback(db);
  }
  bool broken = !db->ops->healthy(db);
  if (broken) db_close(db);
  pthread_mutex_lock(&p->mu);
  p->in_use--;
  if (broken) p->open--;
  else p->free_list[p->nfree++] = db;
  pthread_cond_signal(&p->cv);
  pthread_mutex_unlock(&p->mu);
}

/* Closes every idle connection; all must have been returned. */
void db_pool_free(struct db_pool *p) {
  if (!p) return;
  assert(p->in_use == 0);
  for (int i = 0; i < p->nfree; i++) db_close(p->free_list[i]);
  free(p->free_list);
  free(p->dsn);
  pthread_mutex_destroy(&p->mu);
  pthread_cond_destroy(&p->cv);
  free(p);
}

void db_pool_stats(struct db_pool *p, int *size, int *in_use, uint64_t *waits, uint64_t *acquired) {
  pthread_mutex_lock(&p->mu);
  *size = p->size;
  *in_use = p->in_use;
  *waits = p->waits;
  *acquired = p->acquired;
  pthread_mutex_unlock(&p->mu);
}
