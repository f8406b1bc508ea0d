/*
** The batching audit writer (see audit.h).
**
** Requests hand their entries to audit_submit() and wait (the server suspends
** the connection) until this thread has committed them.  The thread takes
** everything queued, up to batch_max entries, appends it to the chain in one
** write transaction on its own connection, and only after COMMIT returns
** calls each submitter back.  One fsync then covers a whole batch, which is
** what lets auditing every read cost little throughput.
**
** Locking: `mu` guards the queue, counters and `stopping`; `cv` wakes the
** thread when work arrives or it must stop; `done_cv` wakes synchronous
** submitters.  Callbacks run on this thread with no lock held.
*/
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "audit/audit.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

struct submission {
  struct audit_row **rows;
  int n;
  audit_done_fn done;
  void *arg;
  struct submission *next;
};

struct audit_writer {
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  struct submission *head, *tail;
  size_t queued_rows;
  bool stopping;
  struct db *db;
  int batch_max;
  int batch_wait_us;
  int last_batch_rows;
  int checkpoint_interval;
  struct audit_key *key;
  char *checkpoint_file;
  int64_t last_checkpoint;
  uint64_t batches, entries, failures;
};

/* Writes the batch; retries a busy database a few times before giving up. */
static bool write_batch(struct audit_writer *w, struct submission *batch) {
  int total = 0;
  for (struct submission *s = batch; s; s = s->next) total += s->n;
  struct audit_row **rows = xmalloc((size_t)total * sizeof *rows);
  int k = 0;
  for (struct submission *s = batch; s; s = s->next) {
    for (int i = 0; i < s->n; i++) rows[k++] = s->rows[i];
  }
  bool ok = false;
  for (int attempt = 0; attempt < 5 && !ok; attempt++) {
    int rc = db_begin(w->db);
    if (rc == DB_OK) rc = audit_append_tx(w->db, rows, total);
    if (rc == DB_OK) rc = db_commit(w->db);
    if (rc == DB_OK) {
      ok = true;
    } else {
      log_error("audit: batch of %d entries not written: %s", total, db_error(w->db));
      db_rollback(w->db);
      usleep(20000u << attempt);
    }
  }
  free(rows);
  return ok;
}

static void maybe_checkpoint(struct audit_writer *w, bool force) {
  if (!w->key || !w->key->has_secret) return;
  int64_t now = time_now();
  if (!force && now - w->last_checkpoint < w->checkpoint_interval) return;
  int64_t seq;
  if (audit_checkpoint_now(w->db, w->key, w->checkpoint_file, &seq) != DB_OK) {
    log_error("audit: checkpoint failed: %s", db_error(w->db));
    return;
  }
  w->last_checkpoint = now;
}

static void *run(void *arg) {
  struct audit_writer *w = arg;
  pthread_mutex_lock(&w->mu);
  for (;;) {
    while (!w->head && !w->stopping) {
      struct timespec ts;
      clock_gettime(CLOCK_MONOTONIC, &ts);
      ts.tv_sec += w->checkpoint_interval;
      int rc = pthread_cond_timedwait(&w->cv, &w->mu, &ts);
      if (rc == ETIMEDOUT) {
        pthread_mutex_unlock(&w->mu);
        maybe_checkpoint(w, false);
        pthread_mutex_lock(&w->mu);
      }
    }
    if (!w->head && w->stopping) break;
    /*
    ** Group commit: while requests are arriving together (the last batch
    ** held more than one), wait up to batch_wait_us for more, so that one
    ** fsync covers more reads.  A lone request is never kept waiting.
    */
    if (w->batch_wait_us > 0 && w->last_batch_rows > 1 && !w->stopping) {
      struct timespec dl;
      clock_gettime(CLOCK_MONOTONIC, &dl);
      dl.tv_nsec += (long)w->batch_wait_us * 1000L;
      dl.tv_sec += dl.tv_nsec / 1000000000L;
      dl.tv_nsec %= 1000000000L;
      while (w->queued_rows < (size_t)w->batch_max && !w->stopping) {
        if (pthread_cond_timedwait(&w->cv, &w->mu, &dl) == ETIMEDOUT) break;
      }
    }
    /* Take whole submissions up to batch_max rows (at least one). */
    struct submission *batch = w->head, *last = w->head;
    int rows = last->n;
    while (last->next && rows + last->next->n <= w->batch_max) {
      last = last->next;
      rows += last->n;
    }
    w->head = last->next;
    if (!w->head) w->tail = NULL;
    last->next = NULL;
    w->queued_rows -= (size_t)rows;
    w->last_batch_rows = rows;
    pthread_mutex_unlock(&w->mu);

    bool ok = write_batch(w, batch);
    pthread_mutex_lock(&w->mu);
    if (ok) {
      w->batches++;
      w->entries += (uint64_t)rows;
    } else {
      w->failures++;
    }
    pthread_mutex_unlock(&w->mu);
    for (struct submission *s = batch, *next; s; s = next) {
      next = s->next;
      audit_rows_free(s->rows, s->n);
      free(s->rows);
      if (s->done) s->done(s->arg, ok);
      free(s);
    }
    maybe_checkpoint(w, false);
    pthread_mutex_lock(&w->mu);
  }
  pthread_mutex_unlock(&w->mu);
  maybe_checkpoint(w, true);
  return NULL;
}

/*
** Starts the writer on its own connection to DSN.  BATCH_WAIT_US is the
** longest it holds a batch open for more entries.  KEY (may be NULL) signs a
** checkpoint every CHECKPOINT_INTERVAL seconds when there is something new,
** and once more at stop.  Returns 0 or -1 with ERR.
*/
int audit_writer_start(const char *dsn, int batch_max, int batch_wait_us, int checkpoint_interval, struct audit_key *key,
                       const char *checkpoint_file, struct audit_writer **out, char *err, size_t errlen) {
  struct audit_writer *w = xcalloc(1, sizeof *w);
  if (db_open(dsn, false, &w->db, err, errlen) != 0) {
    free(w);
    return -1;
  }
  pthread_mutex_init(&w->mu, NULL);
  /* Deadlines on the monotonic clock: a change of wall-clock time must not stall or rush the writer. */
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&w->cv, &ca);
  pthread_condattr_destroy(&ca);
  db_server_mode(w->db);
  w->batch_max = batch_max;
  w->batch_wait_us = batch_wait_us;
  w->checkpoint_interval = checkpoint_interval;
  w->key = key;
  w->checkpoint_file = xstrdup(checkpoint_file);
  w->last_checkpoint = time_now();
  if (pthread_create(&w->thread, NULL, run, w) != 0) {
    snprintf(err, errlen, "audit writer: cannot start thread");
    db_close(w->db);
    free(w->checkpoint_file);
    free(w);
    return -1;
  }
  *out = w;
  return 0;
}

/* Writes everything still queued, makes a final checkpoint and stops. */
void audit_writer_stop(struct audit_writer *w) {
  if (!w) return;
  pthread_mutex_lock(&w->mu);
  w->stopping = true;
  pthread_cond_signal(&w->cv);
  pthread_mutex_unlock(&w->mu);
  pthread_join(w->thread, NULL);
  db_close(w->db);
  pthread_mutex_destroy(&w->mu);
  pthread_cond_destroy(&w->cv);
  free(w->checkpoint_file);
  free(w);
}

/*
** Queues N entries; takes ownership of ROWS (the array and each row).  DONE
** is called on the writer thread once they are committed (ok) or given up on
** (not ok).  N may be 0, in which case DONE is called at once.
*/
void audit_submit(struct audit_writer *w, struct audit_row **rows, int n, audit_done_fn done, void *arg) {
  if (n == 0) {
    free(rows);
    if (done) done(arg, true);
    return;
  }
  struct submission *s = xcalloc(1, sizeof *s);
  s->rows = rows;
  s->n = n;
  s->done = done;
  s->arg = arg;
  pthread_mutex_lock(&w->mu);
  if (w->tail) w->tail->next = s;
  else w->head = s;
  w->tail = s;
  w->queued_rows += (size_t)n;
  pthread_cond_signal(&w->cv);
  pthread_mutex_unlock(&w->mu);
}

struct waiter {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  bool finished, ok;
};

static void wake(void *arg, bool ok) {
  struct waiter *wt = arg;
  pthread_mutex_lock(&wt->mu);
  wt->finished = true;
  wt->ok = ok;
  pthread_cond_signal(&wt->cv);
  pthread_mutex_unlock(&wt->mu);
}

/* audit_submit, then waits for the commit; true when written. */
bool audit_submit_wait(struct audit_writer *w, struct audit_row **rows, int n) {
  struct waiter wt = {.finished = false, .ok = false};
  pthread_mutex_init(&wt.mu, NULL);
  pthread_cond_init(&wt.cv, NULL);
  audit_submit(w, rows, n, wake, &wt);
  pthread_mutex_lock(&wt.mu);
  while (!wt.finished) pthread_cond_wait(&wt.cv, &wt.mu);
  pthread_mutex_unlock(&wt.mu);
  pthread_mutex_destroy(&wt.mu);
  pthread_cond_destroy(&wt.cv);
  return wt.ok;
}

void audit_writer_stats(struct audit_writer *w, uint64_t *queued, uint64_t *batches, uint64_t *entries,
                        uint64_t *failures) {
  pthread_mutex_lock(&w->mu);
  *queued = w->queued_rows;
  *batches = w->batches;
  *entries = w->entries;
  *failures = w->failures;
  pthread_mutex_unlock(&w->mu);
}
