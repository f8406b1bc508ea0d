/*
** The batching audit writer (see audit.h).
**
** Requests hand their entries to audit_submit() and wait (the server suspends
** the connection) until this thread has made them durable.  The thread takes
** everything queued, up to batch_max entries, and either
**   - appends it to the spool file with one fdatasync (audit_spool.c) and
**     passes the entries on to the mover thread, which chains them into the
**     table in one transaction per move_interval_ms or so; or, with no spool,
**   - appends it to the chain in one write transaction on its own connection;
** and only then calls each submitter back.  Either way one fsync covers a
** whole batch, which is what lets auditing every read cost little.
**
** Locking: `mu` guards the queue, the moved-on list, the counters and the
** stopping flags; `cv` wakes the writer when work arrives or it must stop,
** `move_cv` wakes the mover, `moved_cv` wakes flushers.  A submission
** signals `cv` only when the writer sleeps for want of work or its gathering
** wait has what it waits for (`writer_state`): a wake-up per entry would cost
** more than the fsync it shares.  Only the writer
** appends to the spool and only the mover empties or rewrites it, each
** holding `spool_mu`.  Lock order: `spool_mu` before `mu` (only the mover's
** rewrite holds both; the writer never holds `mu` while taking `spool_mu`).
** With a spool the database connection is the mover's alone.
** Callbacks run on the writer thread with no lock held.
*/
#include <assert.h>
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

/* Entries moved into the table per transaction, at most. */
#define MOVE_MAX 8000
/* Spooled entries waiting for the table beyond which the writer holds new batches back (unless set otherwise). */
#define UNMOVED_LIMIT 200000
/* The most zeros the spool keeps written ahead of its records, so that a batch's fdatasync writes only its data. */
#define SPOOL_PREFILL (4u << 20)
/* The spool's size past which it is rewritten without the entries already moved (unless set otherwise). */
#define SPOOL_REWRITE_AT ((size_t)16 << 20)
/* The longest audit_writer_flush waits for the mover. */
#define FLUSH_WAIT_MS 10000

/* A change waiting for the spool to be in the table before its handler runs (audit_writer_flush_async). */
struct flush_waiter {
  int64_t target;      /* the spool number the table must reach */
  int64_t deadline_ms; /* given up on (called back not ok) after this */
  audit_done_fn done;
  void *arg;
  struct flush_waiter *next;
};

struct submission {
  struct audit_row **rows;
  int n;
  audit_done_fn done;
  void *arg;
  struct submission *next;
};

/* What the writer thread is doing, so that submitters wake it only when it needs waking. */
enum writer_state {
  WRITER_BUSY,      /* writing a batch: it looks at the queue again when done */
  WRITER_IDLE,      /* waiting for work: any submission wakes it */
  WRITER_GATHERING, /* waiting for a batch to fill: woken when it holds batch_max entries */
};

struct audit_writer {
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  enum writer_state writer_state;
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
  /* The spool and its mover (spool != NULL). */
  struct audit_spool *spool;
  pthread_mutex_t spool_mu;
  char *spool_name;
  pthread_t mover;
  pthread_cond_t move_cv, moved_cv;
  struct audit_row **unmoved; /* spooled entries in spool order, numbered unmoved_first.. */
  int nunmoved, capunmoved;
  int64_t unmoved_first;
  int64_t oldest_ms;          /* when the oldest unmoved entry was spooled */
  int64_t moved_through;      /* the last spool number in the table */
  int64_t flush_to;           /* a flusher wants the table to reach this */
  struct flush_waiter *waiters; /* flushers that did not wait on their thread, called back by the mover */
  bool writer_done;
  int move_interval_ms;
  size_t spool_rewrite_bytes;
  int unmoved_limit; /* spooled entries waiting beyond which new batches wait for the mover */
  bool hurry;        /* shutting down: batches no longer wait for the mover (audit_writer_hurry) */
  uint64_t moves, moved, move_failures, spool_rewrites;
  char *dsn; /* to connect again after the connection is lost */
};

/* Gathers a batch's rows into one array (the submissions keep their own). */
static struct audit_row **gather(struct submission *batch, int *total) {
  int n = 0;
  for (struct submission *s = batch; s; s = s->next) n += s->n;
  struct audit_row **rows = xmalloc((size_t)n * sizeof *rows);
  int k = 0;
  for (struct submission *s = batch; s; s = s->next) {
    for (int i = 0; i < s->n; i++) rows[k++] = s->rows[i];
  }
  *total = n;
  return rows;
}

/*
** Opens a new connection in place of the writer's when the old one has gone
** bad (the database server restarted or failed over); true when it did.  Only
** the thread that owns the connection calls this (the mover with a spool, the
** writer without).
*/
static bool reconnect_if_broken(struct audit_writer *w) {
  if (w->db->ops->healthy(w->db)) return false;
  struct db *fresh = NULL;
  char err[256];
  if (db_open(w->dsn, false, &fresh, err, sizeof err) != 0) {
    log_error("audit: the connection to the database is lost and cannot be opened again: %s", err);
    return false;
  }
  db_close(w->db);
  w->db = fresh;
  log_info("audit: connected to the database again");
  return true;
}

/*
** Chains ROWS into the table in one transaction (recording spool progress
** THROUGH when spooled); retries a busy database, and a lost connection on a
** new one.  A commit whose answer was lost with its connection may have
** happened: the spool's mark then says so, and the rows are not added twice.
*/
static bool commit_rows(struct audit_writer *w, struct audit_row **rows, int n, int64_t through) {
  for (int attempt = 0; attempt < 5; attempt++) {
    int rc = db_begin(w->db);
    if (rc == DB_OK) rc = audit_append_tx(w->db, rows, n);
    if (rc == DB_OK && w->spool) rc = store_audit_spool_set(w->db, w->spool_name, through);
    if (rc == DB_OK) rc = db_commit(w->db);
    if (rc == DB_OK) return true;
    log_error("audit: %d entries not written to the log: %s", n, db_error(w->db));
    db_rollback(w->db);
    if (reconnect_if_broken(w) && w->spool) {
      int64_t mark = 0;
      if (store_audit_spool_get(w->db, w->spool_name, &mark) == DB_OK && mark >= through) return true;
    }
    usleep(20000u << attempt);
  }
  return false;
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

/*
** Makes BATCH durable: spooled (and handed to the mover) or committed.  With
** a spool, waits first while the mover is too far behind.
*/
static bool write_batch(struct audit_writer *w, struct submission *batch, int rows_n) {
  int total;
  struct audit_row **rows = gather(batch, &total);
  assert(total == rows_n);
  bool ok;
  if (!w->spool) {
    ok = commit_rows(w, rows, total, 0);
    free(rows);
    return ok;
  }
  pthread_mutex_lock(&w->mu);
  while (w->nunmoved >= w->unmoved_limit && !w->stopping && !w->hurry) pthread_cond_wait(&w->moved_cv, &w->mu);
  pthread_mutex_unlock(&w->mu);
  pthread_mutex_lock(&w->spool_mu);
  int64_t last = audit_spool_append(w->spool, rows, total);
  pthread_mutex_unlock(&w->spool_mu);
  ok = last > 0;
  if (ok) {
    /* The rows now belong to the mover's list; the submissions must not free them. */
    pthread_mutex_lock(&w->mu);
    if (w->nunmoved + total > w->capunmoved) {
      w->capunmoved = (w->nunmoved + total) * 2;
      w->unmoved = xrealloc(w->unmoved, (size_t)w->capunmoved * sizeof *w->unmoved);
    }
    if (w->nunmoved == 0) {
      w->unmoved_first = last - total + 1;
      w->oldest_ms = time_mono_ms();
    }
    memcpy(w->unmoved + w->nunmoved, rows, (size_t)total * sizeof *rows);
    w->nunmoved += total;
    pthread_cond_signal(&w->move_cv);
    pthread_mutex_unlock(&w->mu);
    for (struct submission *s = batch; s; s = s->next) s->n = 0;
  }
  free(rows);
  return ok;
}

static void *run(void *arg) {
  struct audit_writer *w = arg;
  pthread_mutex_lock(&w->mu);
  for (;;) {
    while (!w->head && !w->stopping) {
      struct timespec ts;
      clock_gettime(CLOCK_MONOTONIC, &ts);
      ts.tv_sec += w->checkpoint_interval;
      w->writer_state = WRITER_IDLE;
      int rc = pthread_cond_timedwait(&w->cv, &w->mu, &ts);
      w->writer_state = WRITER_BUSY;
      if (rc == ETIMEDOUT && !w->spool) {
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
      w->writer_state = WRITER_GATHERING;
      while (w->queued_rows < (size_t)w->batch_max && !w->stopping) {
        if (pthread_cond_timedwait(&w->cv, &w->mu, &dl) == ETIMEDOUT) break;
      }
      w->writer_state = WRITER_BUSY;
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

    bool ok = write_batch(w, batch, rows);
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
    if (!w->spool) maybe_checkpoint(w, false);
    pthread_mutex_lock(&w->mu);
  }
  w->writer_done = true;
  pthread_cond_signal(&w->move_cv);
  pthread_mutex_unlock(&w->mu);
  if (!w->spool) maybe_checkpoint(w, true);
  return NULL;
}

/* True when the mover should move now: enough waiting, the oldest old enough, a flusher, or stopping. */
static bool move_due(struct audit_writer *w, int64_t now_ms) {
  if (w->nunmoved == 0) return false;
  return w->nunmoved >= MOVE_MAX || now_ms - w->oldest_ms >= w->move_interval_ms ||
         w->flush_to > w->moved_through || w->writer_done;
}

/*
** Calls back, with no lock held, the flush waiters whose target the table
** has reached (ok), whose time is up or, when ALL, every one (ok if reached).
** Called with w->mu held; returns with it held.
*/
static void call_waiters(struct audit_writer *w, bool all) {
  if (!w->waiters) return;
  int64_t now = time_mono_ms();
  struct flush_waiter *due = NULL, **pp = &w->waiters;
  while (*pp) {
    struct flush_waiter *f = *pp;
    if (all || f->target <= w->moved_through || now >= f->deadline_ms) {
      *pp = f->next;
      f->next = due;
      due = f;
    } else {
      pp = &f->next;
    }
  }
  int64_t moved = w->moved_through;
  pthread_mutex_unlock(&w->mu);
  while (due) {
    struct flush_waiter *next = due->next;
    bool ok = due->target <= moved;
    if (!ok) log_warn("audit: spooled entries not yet in the log; a change's entries may precede them");
    due->done(due->arg, ok);
    free(due);
    due = next;
  }
  pthread_mutex_lock(&w->mu);
}

/*
** Rewrites the spool with only the entries not yet moved once it has grown
** past spool_rewrite_bytes: under steady use it is never all moved, so never
** emptied.  Holding spool_mu keeps the writer from appending; the moved-on
** list then holds everything past the mark exactly when its last number is
** the spool's last (no batch is between its append and its hand-over), and
** as only this thread takes entries off the list, the rows stay valid after
** mu is let go.  The writer waits meanwhile: one write and two flushes.
*/
static void maybe_rewrite(struct audit_writer *w) {
  pthread_mutex_lock(&w->spool_mu);
  if (audit_spool_size(w->spool) >= w->spool_rewrite_bytes) {
    pthread_mutex_lock(&w->mu);
    int n = w->nunmoved;
    int64_t first = w->unmoved_first;
    struct audit_row **rows = NULL;
    if (n > 0 && first + n - 1 == audit_spool_last(w->spool)) {
      rows = xmalloc((size_t)n * sizeof *rows);
      memcpy(rows, w->unmoved, (size_t)n * sizeof *rows);
    }
    pthread_mutex_unlock(&w->mu);
    if (rows && audit_spool_rewrite(w->spool, rows, first, n) == 0) {
      pthread_mutex_lock(&w->mu);
      w->spool_rewrites++;
      pthread_mutex_unlock(&w->mu);
    }
    free(rows);
  }
  pthread_mutex_unlock(&w->spool_mu);
}

/*
** The mover: chains spooled entries into the table, oldest first, and
** empties the spool when all of it is there.  On a database failure the
** entries stay in the spool and in memory and are tried again.
*/
static void *move_run(void *arg) {
  struct audit_writer *w = arg;
  pthread_mutex_lock(&w->mu);
  for (;;) {
    call_waiters(w, false);
    int64_t now = time_mono_ms();
    if (!move_due(w, now)) {
      if (w->writer_done && w->nunmoved == 0) break;
      struct timespec ts;
      clock_gettime(CLOCK_MONOTONIC, &ts);
      int64_t wait_ms = w->nunmoved > 0 ? w->move_interval_ms - (now - w->oldest_ms) : 1000;
      if (w->waiters && wait_ms > 100) wait_ms = 100; /* a waiter whose time is up is told soon */
      if (wait_ms < 1) wait_ms = 1;
      ts.tv_sec += wait_ms / 1000;
      ts.tv_nsec += (wait_ms % 1000) * 1000000L;
      ts.tv_sec += ts.tv_nsec / 1000000000L;
      ts.tv_nsec %= 1000000000L;
      int rc = pthread_cond_timedwait(&w->move_cv, &w->mu, &ts);
      if (rc == ETIMEDOUT && w->nunmoved == 0) {
        pthread_mutex_unlock(&w->mu);
        maybe_checkpoint(w, false);
        pthread_mutex_lock(&w->mu);
      }
      continue;
    }
    int n = w->nunmoved < MOVE_MAX ? w->nunmoved : MOVE_MAX;
    struct audit_row **rows = xmalloc((size_t)n * sizeof *rows);
    memcpy(rows, w->unmoved, (size_t)n * sizeof *rows);
    int64_t through = w->unmoved_first + n - 1;
    pthread_mutex_unlock(&w->mu);

    bool ok = commit_rows(w, rows, n, through);

    pthread_mutex_lock(&w->mu);
    if (!ok) {
      w->move_failures++;
      if (w->writer_done) {
        /* Stopping: the entries are safe in the spool, and the next start moves them. */
        log_error("audit: %d spooled entries could not be moved into the log; the next start moves them",
                  w->nunmoved);
        free(rows);
        break;
      }
      pthread_mutex_unlock(&w->mu);
      free(rows);
      sleep(1);
      pthread_mutex_lock(&w->mu);
      continue;
    }
    memmove(w->unmoved, w->unmoved + n, (size_t)(w->nunmoved - n) * sizeof *w->unmoved);
    w->nunmoved -= n;
    w->unmoved_first += n;
    w->oldest_ms = time_mono_ms();
    w->moved_through = through;
    w->moves++;
    w->moved += (uint64_t)n;
    bool all_in = w->nunmoved == 0;
    pthread_cond_broadcast(&w->moved_cv);
    pthread_mutex_unlock(&w->mu);
    audit_rows_free(rows, n);
    free(rows);
    if (all_in) {
      /* Everything spooled is in the table, unless the writer appended meanwhile. */
      pthread_mutex_lock(&w->spool_mu);
      if (audit_spool_last(w->spool) == through) audit_spool_reset(w->spool);
      pthread_mutex_unlock(&w->spool_mu);
    } else {
      maybe_rewrite(w);
    }
    maybe_checkpoint(w, false);
    pthread_mutex_lock(&w->mu);
  }
  call_waiters(w, true); /* none may be left waiting on a mover that has gone */
  pthread_mutex_unlock(&w->mu);
  maybe_checkpoint(w, true);
  return NULL;
}

/*
** When opening the spool cut bytes off its end (a batch torn by a crash, or
** damage that may have taken acknowledged entries with it), puts that on the
** audit log itself, after the entries recovered: nothing is lost unseen.
*/
static void record_cut(struct audit_writer *w) {
  const char *kept;
  size_t cut = audit_spool_cut(w->spool, &kept);
  if (cut == 0) return;
  json_t *d = json_pack("{s:I,s:I,s:s?}", "bytes_cut", (json_int_t)cut, "after_spool_entry",
                        (json_int_t)audit_spool_last(w->spool), "kept_in", kept);
  struct audit_row *r = audit_row_new(NULL, "system:audit", NULL, NULL, "audit.spool_cut", "audit_spool",
                                      w->spool_name, "cut", NULL, NULL, d);
  json_decref(d);
  int64_t no = audit_spool_append(w->spool, &r, 1);
  if (no <= 0) {
    log_error("audit: the cut from the spool could not be recorded on the log");
    audit_rows_free(&r, 1);
    return;
  }
  if (w->nunmoved == w->capunmoved) {
    w->capunmoved = w->capunmoved ? w->capunmoved * 2 : 8;
    w->unmoved = xrealloc(w->unmoved, (size_t)w->capunmoved * sizeof *w->unmoved);
  }
  if (w->nunmoved == 0) {
    w->unmoved_first = no;
    w->oldest_ms = time_mono_ms() - w->move_interval_ms; /* due at once */
  }
  w->unmoved[w->nunmoved++] = r;
  w->flush_to = no;
}

/*
** Opens the spool at PATH and takes back what an earlier run left in it:
** entries past the table's mark for this spool go on the moved-on list.
*/
static int open_spool(struct audit_writer *w, const char *path, char *err, size_t errlen) {
  struct audit_row **rows;
  int64_t *nos;
  int n;
  w->spool = audit_spool_open(path, &rows, &nos, &n, err, errlen);
  if (!w->spool) return -1;
  audit_spool_prefill(w->spool, SPOOL_PREFILL);
  w->spool_name = audit_spool_name(path);
  int64_t moved;
  if (store_audit_spool_get(w->db, w->spool_name, &moved) != DB_OK) {
    snprintf(err, errlen, "audit spool: %s", db_error(w->db));
    audit_rows_free(rows, n);
    free(rows);
    free(nos);
    return -1;
  }
  audit_spool_continue_after(w->spool, moved);
  w->moved_through = moved;
  int keep = 0;
  for (int i = 0; i < n; i++) {
    if (nos[i] <= moved) {
      audit_rows_free(&rows[i], 1);
      continue;
    }
    if (keep == 0) w->unmoved_first = nos[i];
    rows[keep++] = rows[i];
  }
  if (keep > 0) {
    /* Numbers run on without gaps from the first kept one, as the spool wrote them. */
    log_info("audit: %d spooled entries from the last run are being moved into the log", keep);
    w->unmoved = rows;
    w->nunmoved = w->capunmoved = keep;
    w->oldest_ms = time_mono_ms() - w->move_interval_ms; /* due at once */
    w->flush_to = w->unmoved_first + keep - 1;
  } else {
    free(rows);
    if (audit_spool_size(w->spool) > 0) audit_spool_reset(w->spool);
  }
  free(nos);
  record_cut(w);
  return 0;
}

static void writer_free(struct audit_writer *w) {
  audit_rows_free(w->unmoved, w->nunmoved);
  free(w->unmoved);
  audit_spool_close(w->spool);
  free(w->spool_name);
  db_close(w->db);
  pthread_mutex_destroy(&w->mu);
  pthread_mutex_destroy(&w->spool_mu);
  pthread_cond_destroy(&w->cv);
  pthread_cond_destroy(&w->move_cv);
  pthread_cond_destroy(&w->moved_cv);
  free(w->checkpoint_file);
  free(w->dsn);
  free(w);
}

/*
** Starts the writer on its own connection to DSN with OPT (see audit.h).
** The key (may be NULL) signs a checkpoint every checkpoint_interval seconds
** when there is something new, and once more at stop.  Returns 0 or -1 with
** ERR.
*/
int audit_writer_start(const char *dsn, const struct audit_writer_options *opt, struct audit_writer **out, char *err,
                       size_t errlen) {
  struct audit_writer *w = xcalloc(1, sizeof *w);
  pthread_mutex_init(&w->mu, NULL);
  pthread_mutex_init(&w->spool_mu, NULL);
  /* Deadlines on the monotonic clock: a change of wall-clock time must not stall or rush the writer. */
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&w->cv, &ca);
  pthread_cond_init(&w->move_cv, &ca);
  pthread_cond_init(&w->moved_cv, &ca);
  pthread_condattr_destroy(&ca);
  w->batch_max = opt->batch_max;
  w->batch_wait_us = opt->batch_wait_us;
  w->checkpoint_interval = opt->checkpoint_interval;
  w->move_interval_ms = opt->move_interval_ms > 0 ? opt->move_interval_ms : 1000;
  w->spool_rewrite_bytes = opt->spool_rewrite_bytes > 0 ? opt->spool_rewrite_bytes : SPOOL_REWRITE_AT;
  w->unmoved_limit = opt->unmoved_limit > 0 ? opt->unmoved_limit : UNMOVED_LIMIT;
  w->key = opt->key;
  w->checkpoint_file = xstrdup(opt->checkpoint_file);
  w->last_checkpoint = time_now();
  w->dsn = xstrdup(dsn);
  if (db_open(dsn, false, &w->db, err, errlen) != 0) {
    w->db = NULL;
    writer_free(w);
    return -1;
  }
  db_server_mode(w->db);
  if (opt->spool && *opt->spool && open_spool(w, opt->spool, err, errlen) != 0) {
    writer_free(w);
    return -1;
  }
  if (pthread_create(&w->thread, NULL, run, w) != 0) {
    snprintf(err, errlen, "audit writer: cannot start thread");
    writer_free(w);
    return -1;
  }
  if (w->spool && pthread_create(&w->mover, NULL, move_run, w) != 0) {
    snprintf(err, errlen, "audit writer: cannot start the mover thread");
    pthread_mutex_lock(&w->mu);
    w->stopping = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    writer_free(w);
    return -1;
  }
  *out = w;
  return 0;
}

/*
** From now on, batches are spooled however far behind the mover is, instead
** of waiting for it: the server calls this when shutdown begins, so that
** requests in flight are answered (their entries durable in the spool) even
** while the database is unavailable, and none is left suspended when the
** daemon stops.  The backlog then grows only by what is in flight.
*/
void audit_writer_hurry(struct audit_writer *w) {
  if (!w) return;
  pthread_mutex_lock(&w->mu);
  w->hurry = true;
  pthread_cond_broadcast(&w->moved_cv);
  pthread_mutex_unlock(&w->mu);
}

/* Makes everything queued durable, moves everything spooled into the table, makes a final checkpoint and stops. */
void audit_writer_stop(struct audit_writer *w) {
  if (!w) return;
  pthread_mutex_lock(&w->mu);
  w->stopping = true;
  pthread_cond_signal(&w->cv);
  pthread_cond_broadcast(&w->moved_cv);
  pthread_mutex_unlock(&w->mu);
  pthread_join(w->thread, NULL);
  if (w->spool) pthread_join(w->mover, NULL);
  writer_free(w);
}

/*
** Queues N entries; takes ownership of ROWS (the array and each row).  DONE
** is called on the writer thread once they are durable (ok) or given up on
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
  if (w->writer_state == WRITER_IDLE ||
      (w->writer_state == WRITER_GATHERING && w->queued_rows >= (size_t)w->batch_max)) {
    pthread_cond_signal(&w->cv);
  }
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

/* audit_submit, then waits until they are durable; true when they are. */
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

/*
** Waits until every entry spooled before the call is in the table, so that a
** reader of the table sees every access already answered.  At once without a
** spool.  False when the mover could not get there in FLUSH_WAIT_MS.
*/
bool audit_writer_flush(struct audit_writer *w) {
  if (!w || !w->spool) return true;
  pthread_mutex_lock(&w->mu);
  int64_t target = w->unmoved_first + w->nunmoved - 1;
  if (w->nunmoved > 0 && target > w->flush_to) w->flush_to = target;
  pthread_cond_signal(&w->move_cv);
  struct timespec dl;
  clock_gettime(CLOCK_MONOTONIC, &dl);
  dl.tv_sec += FLUSH_WAIT_MS / 1000;
  bool ok = true;
  while (w->nunmoved > 0 && w->moved_through < target) {
    if (pthread_cond_timedwait(&w->moved_cv, &w->mu, &dl) == ETIMEDOUT) {
      ok = false;
      break;
    }
  }
  pthread_mutex_unlock(&w->mu);
  return ok;
}

/* True when spooled entries wait to be moved into the table (a flush would have to wait). */
bool audit_writer_unmoved(struct audit_writer *w) {
  if (!w || !w->spool) return false;
  pthread_mutex_lock(&w->mu);
  bool any = w->nunmoved > 0;
  pthread_mutex_unlock(&w->mu);
  return any;
}

/*
** As audit_writer_flush, without waiting on the caller's thread: DONE(ARG,
** ok) is called once everything spooled before the call is in the table (ok),
** or after FLUSH_WAIT_MS or when the writer stops without getting there (not
** ok).  When nothing needs moving it is called at once, on the caller's
** thread; otherwise on the mover's, with no lock held.
*/
void audit_writer_flush_async(struct audit_writer *w, audit_done_fn done, void *arg) {
  if (!w || !w->spool) {
    done(arg, true);
    return;
  }
  pthread_mutex_lock(&w->mu);
  int64_t target = w->unmoved_first + w->nunmoved - 1;
  if (w->nunmoved == 0 || target <= w->moved_through) {
    pthread_mutex_unlock(&w->mu);
    done(arg, true);
    return;
  }
  struct flush_waiter *f = xcalloc(1, sizeof *f);
  f->target = target;
  f->deadline_ms = time_mono_ms() + FLUSH_WAIT_MS;
  f->done = done;
  f->arg = arg;
  f->next = w->waiters;
  w->waiters = f;
  if (target > w->flush_to) w->flush_to = target;
  pthread_cond_signal(&w->move_cv);
  pthread_mutex_unlock(&w->mu);
}

void audit_writer_stats(struct audit_writer *w, struct audit_writer_stats *st) {
  pthread_mutex_lock(&w->mu);
  st->queued = w->queued_rows;
  st->batches = w->batches;
  st->entries = w->entries;
  st->failures = w->failures;
  st->unmoved = (uint64_t)w->nunmoved;
  st->moves = w->moves;
  st->moved = w->moved;
  st->move_failures = w->move_failures;
  st->spool_rewrites = w->spool_rewrites;
  pthread_mutex_unlock(&w->mu);
}
