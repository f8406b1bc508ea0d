/*
** Task parallelism on pthreads (see parallel.h).
*/
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
#include "core/match/parallel.h"
#include "util/xalloc.h"

/* REQUESTED threads, or every online core when it is 0 or less; at most 256. */
int match_threads(int requested) {
  if (requested > 0) return requested > 256 ? 256 : requested;
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : (n > 256 ? 256 : (int)n);
}

struct pool {
  atomic_size_t next;
  size_t ntasks;
  void (*fn)(void *ctx, size_t task, int worker);
  void *ctx;
};

struct worker {
  struct pool *pool;
  int id;
};

/* A worker: runs tasks until none are left. */
static void *work(void *arg) {
  struct worker *w = arg;
  for (;;) {
    size_t t = atomic_fetch_add(&w->pool->next, 1);
    if (t >= w->pool->ntasks) break;
    w->pool->fn(w->pool->ctx, t, w->id);
  }
  return NULL;
}

/*
** Runs FN(CTX, task, worker) for every task in 0..NTASKS-1 on THREADS
** threads (the caller's thread is worker 0) and returns when all are done.
** A thread that cannot be started leaves its share to the others.
*/
void match_parallel(int threads, size_t ntasks, void (*fn)(void *ctx, size_t task, int worker), void *ctx) {
  if (threads < 1) threads = 1;
  if ((size_t)threads > ntasks) threads = ntasks ? (int)ntasks : 1;
  struct pool pool = {.ntasks = ntasks, .fn = fn, .ctx = ctx};
  atomic_init(&pool.next, 0);
  struct worker *ws = xcalloc((size_t)threads, sizeof *ws);
  pthread_t *tids = xcalloc((size_t)threads, sizeof *tids);
  bool *ok = xcalloc((size_t)threads, sizeof *ok);
  for (int i = 1; i < threads; i++) {
    ws[i] = (struct worker){&pool, i};
    ok[i] = pthread_create(&tids[i], NULL, work, &ws[i]) == 0;
  }
  ws[0] = (struct worker){&pool, 0};
  work(&ws[0]);
  for (int i = 1; i < threads; i++)
    if (ok[i]) pthread_join(tids[i], NULL);
  free(ok);
  free(ws);
  free(tids);
}
