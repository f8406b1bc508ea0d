/*
** Unit tests for the batching audit writer: entries submitted from many
** threads, while other connections append inside their own write
** transactions, end up in one unforked chain that verifies; every
** submission is reported committed; stopping drains the queue and signs a
** final checkpoint; an empty submission completes at once.  Run on SQLite
** (where BEGIN IMMEDIATE serialises writers) and on PostgreSQL (where the
** advisory lock must, or concurrent appends would fork the chain), each with
** and without a spool.  With a spool: a flush puts every spooled entry into
** the table; entries left in the spool by a run that died are moved at the
** next start, exactly once.
*/
#include "testutil.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>
#include "audit/audit.h"
#include "util/xalloc.h"

enum { SUBMITTERS = 6, SUBMISSIONS = 25, APPENDERS = 2, APPENDS = 15 };

/* What each submitting thread is given and reports back. */
struct job {
  struct audit_writer *w;
  const char *db_path;
  int id;
  int rows;     /* entries this thread wrote */
  int refused;  /* submissions reported not written */
};

/* A heap array of N new entries by thread ID (the writer takes ownership). */
static struct audit_row **make_rows(int id, int n) {
  struct audit_row **rows = xcalloc((size_t)n, sizeof *rows);
  for (int i = 0; i < n; i++) {
    char obj[32];
    snprintf(obj, sizeof obj, "ch_t%d_%d", id, i);
    json_t *details = json_pack("{s:i,s:i}", "thread", id, "i", i);
    rows[i] = audit_row_new("us_1", "jo", "mash", "RMBC", "child.read", "child", obj, "ok", NULL, "127.0.0.1",
                            details);
    json_decref(details);
  }
  return rows;
}

/* Thread body: submits entries through the writer and waits for each commit. */
static void *submitter(void *arg) {
  struct job *j = arg;
  for (int s = 0; s < SUBMISSIONS; s++) {
    int n = 1 + (j->id + s) % 3;
    if (audit_submit_wait(j->w, make_rows(j->id, n), n)) j->rows += n;
    else j->refused++;
  }
  return NULL;
}

/* Thread body: on its own connection, appends entries inside its own write transactions. */
static void *appender(void *arg) {
  struct job *j = arg;
  struct db *db = NULL;
  char err[256];
  if (db_open(j->db_path, false, &db, err, sizeof err) != 0) return NULL;
  for (int s = 0; s < APPENDS; s++) {
    struct audit_row **rows = make_rows(100 + j->id, 2);
    int rc = db_begin(db);
    if (rc == DB_OK) rc = audit_append_tx(db, rows, 2);
    if (rc == DB_OK) rc = db_commit(db);
    if (rc == DB_OK) j->rows += 2;
    else {
      db_rollback(db);
      j->refused++;
    }
    audit_rows_free(rows, 2);
    free(rows);
  }
  db_close(db);
  return NULL;
}

/* Counts calls of count_done and records that each reported success. */
static int done_calls, done_ok;

/* audit_submit callback for the empty submission. */
static void count_done(void *arg, bool ok) {
  (void)arg;
  done_calls++;
  if (ok) done_ok++;
}

/* The engine and whether to spool, passed as the cmocka initial state. */
struct mode {
  enum tu_kind kind;
  bool spool;
};
static struct mode SQLITE = {TU_SQLITE, false}, POSTGRES = {TU_POSTGRES, false};
static struct mode SQLITE_SPOOL = {TU_SQLITE, true}, POSTGRES_SPOOL = {TU_POSTGRES, true};

/* Opens a fresh database of M's kind into T, and names a spool file beside it in SPOOL. */
static void open_db(struct tu_db *t, const struct mode *m, char spool[PATH_MAX]) {
  tu_db_open_kind(t, m->kind);
  tu_path(spool, t->dir, "audit.spool");
}

/* Writer options for tests: SPOOL (a path, or NULL for none). */
static struct audit_writer_options options(int batch_max, int wait_us, int interval, struct audit_key *key,
                                           const char *cp, const char *spool) {
  struct audit_writer_options o = {.batch_max = batch_max,
                                   .batch_wait_us = wait_us,
                                   .checkpoint_interval = interval,
                                   .key = key,
                                   .checkpoint_file = cp,
                                   .spool = spool,
                                   .move_interval_ms = 20};
  return o;
}

/* Concurrent submitters and in-transaction appenders build one chain that verifies. */
static void test_concurrent_chain(void **state) {
  const struct mode *m = *state;
  struct tu_db t;
  char key_path[PATH_MAX], cp_path[PATH_MAX], spool[PATH_MAX], err[256];
  open_db(&t, m, spool);
  tu_path(key_path, t.dir, "audit.key");
  tu_path(cp_path, t.dir, "checkpoints.log");
  struct audit_key key;
  assert_int_equal(audit_key_create(key_path, err, sizeof err), 0);
  assert_int_equal(audit_key_load(key_path, &key, err, sizeof err), 0);
  struct audit_writer *w = NULL;
  /* A long interval: the only checkpoint is the one made at stop. */
  struct audit_writer_options o = options(7, 1000, 86400, &key, cp_path, m->spool ? spool : NULL);
  assert_int_equal(audit_writer_start(t.path, &o, &w, err, sizeof err), 0);

  done_calls = done_ok = 0;
  audit_submit(w, NULL, 0, count_done, NULL);
  assert_int_equal(done_calls, 1);
  assert_int_equal(done_ok, 1);

  pthread_t th[SUBMITTERS + APPENDERS];
  struct job jobs[SUBMITTERS + APPENDERS];
  memset(jobs, 0, sizeof jobs);
  for (int i = 0; i < SUBMITTERS + APPENDERS; i++) {
    jobs[i].w = w;
    jobs[i].db_path = t.path;
    jobs[i].id = i;
    assert_int_equal(pthread_create(&th[i], NULL, i < SUBMITTERS ? submitter : appender, &jobs[i]), 0);
  }
  int64_t expected = 0;
  for (int i = 0; i < SUBMITTERS + APPENDERS; i++) {
    pthread_join(th[i], NULL);
    assert_int_equal(jobs[i].refused, 0);
    expected += jobs[i].rows;
  }
  int64_t submitted = 0;
  for (int i = 0; i < SUBMITTERS; i++) submitted += jobs[i].rows;
  int64_t want = 0;
  for (int i = 0; i < SUBMITTERS; i++) {
    for (int k = 0; k < SUBMISSIONS; k++) want += 1 + (i + k) % 3;
  }
  assert_int_equal(submitted, want);
  assert_int_equal(expected, submitted + APPENDERS * APPENDS * 2);

  struct audit_writer_stats st;
  audit_writer_stats(w, &st);
  assert_int_equal(st.queued, 0);
  assert_int_equal(st.entries, (uint64_t)submitted);
  assert_int_equal(st.failures, 0);
  assert_true(st.batches >= 1 && st.batches <= SUBMITTERS * SUBMISSIONS);
  audit_writer_stop(w);
  if (m->spool) {
    struct stat sb;
    assert_int_equal(stat(spool, &sb), 0);
    assert_int_equal(sb.st_size, 0); /* all moved, so emptied */
  }

  /* One chain, every entry in it, verified against the key and the file, with the final checkpoint at the head. */
  struct audit_verify_result res;
  assert_int_equal(audit_verify(t.db, &key, cp_path, &res), DB_OK);
  if (res.first_bad_seq) fail_msg("bad at %lld: %s", (long long)res.first_bad_seq, res.reason);
  assert_int_equal(res.entries, expected);
  assert_int_equal(res.checkpoints, 1);
  int64_t last = 0;
  assert_int_equal(store_audit_last_checkpoint(t.db, &last), DB_OK);
  assert_int_equal(last, expected);
  audit_key_wipe(&key);
  tu_db_close(&t);
}

/* Stopping with entries still queued writes them before returning. */
static void test_stop_drains_queue(void **state) {
  const struct mode *m = *state;
  struct tu_db t;
  char err[256], spool[PATH_MAX];
  open_db(&t, m, spool);
  struct audit_writer *w = NULL;
  struct audit_writer_options o = options(2, 1000, 86400, NULL, NULL, m->spool ? spool : NULL);
  assert_int_equal(audit_writer_start(t.path, &o, &w, err, sizeof err), 0);
  for (int i = 0; i < 20; i++) audit_submit(w, make_rows(i, 3), 3, NULL, NULL);
  audit_writer_stop(w);
  struct audit_verify_result res;
  assert_int_equal(audit_verify(t.db, NULL, NULL, &res), DB_OK);
  assert_int_equal(res.first_bad_seq, 0);
  assert_int_equal(res.entries, 60);
  assert_int_equal(res.checkpoints, 0); /* no key, no checkpoint */
  tu_db_close(&t);
}

/* A writer cannot start on a database that does not exist. */
static void test_start_needs_database(void **state) {
  (void)state;
  char dir[PATH_MAX], path[PATH_MAX], err[256] = "";
  tu_mkdtemp(dir);
  tu_path(path, dir, "absent.db");
  struct audit_writer *w = NULL;
  struct audit_writer_options o = options(8, 0, 60, NULL, NULL, NULL);
  assert_int_equal(audit_writer_start(path, &o, &w, err, sizeof err), -1);
  assert_non_null(strstr(err, "absent.db"));
  audit_writer_stop(NULL); /* harmless */
  tu_rmtree(dir);
}

/* Entries in the table about OBJECT_ID. */
static int64_t entries_about(struct tu_db *t, const char *object_id) {
  json_t *rows = NULL;
  assert_int_equal(store_audit_for_subject(t->db, object_id, 500, &rows), DB_OK);
  int64_t n = (int64_t)json_array_size(rows);
  json_decref(rows);
  return n;
}

/* Asserts that T's chain verifies whole with ENTRIES entries (no key, no checkpoint file). */
static void chain_whole(struct tu_db *t, int64_t entries) {
  struct audit_verify_result res;
  assert_int_equal(audit_verify(t->db, NULL, NULL, &res), DB_OK);
  if (res.first_bad_seq) fail_msg("first bad entry %lld: %s", (long long)res.first_bad_seq, res.reason);
  assert_int_equal(res.entries, entries);
}

/* What a dead run left at SPOOL: N new entries by thread ID appended to an empty spool (their rows in *ROWS, caller frees). */
static void spool_left(const char *spool, int id, int n, struct audit_row ***rows) {
  struct audit_row **got;
  int64_t *nos;
  int found;
  char err[256];
  struct audit_spool *sp = audit_spool_open(spool, &got, &nos, &found, err, sizeof err);
  if (!sp) fail_msg("audit_spool_open: %s", err);
  assert_int_equal(found, 0);
  free(got);
  free(nos);
  *rows = make_rows(id, n);
  assert_int_equal(audit_spool_append(sp, *rows, n), n);
  audit_spool_close(sp);
}

/* A fresh database of mode M in T and a writer spooling beside it whose mover moves only when asked (or in a minute). */
static struct audit_writer *start_slow_mover(const struct mode *m, struct tu_db *t) {
  char err[256], spool[PATH_MAX];
  open_db(t, m, spool);
  struct audit_writer *w = NULL;
  struct audit_writer_options o = options(64, 0, 86400, NULL, NULL, spool);
  o.move_interval_ms = 60000;
  if (audit_writer_start(t->path, &o, &w, err, sizeof err) != 0) fail_msg("audit_writer_start: %s", err);
  return w;
}

/* With moves far apart, a flush still puts every entry already durable into the table at once. */
static void test_flush_moves_spooled(void **state) {
  struct tu_db t;
  struct audit_writer *w = start_slow_mover(*state, &t);
  assert_true(audit_submit_wait(w, make_rows(7, 3), 3));
  struct audit_writer_stats st;
  audit_writer_stats(w, &st);
  assert_int_equal(st.unmoved, 3);
  assert_int_equal(entries_about(&t, "ch_t7_0"), 0); /* durable in the spool, not yet in the table */
  char spool[PATH_MAX];
  tu_path(spool, t.dir, "audit.spool");
  struct stat sb;
  assert_int_equal(stat(spool, &sb), 0);
  assert_true(sb.st_size > 0);
  assert_true(audit_writer_flush(w));
  assert_int_equal(entries_about(&t, "ch_t7_0"), 1);
  assert_int_equal(entries_about(&t, "ch_t7_2"), 1);
  audit_writer_stats(w, &st);
  assert_int_equal(st.unmoved, 0);
  assert_int_equal(st.moved, 3);
  audit_writer_stop(w);
  tu_db_close(&t);
}

/* What a flush_async callback saw: how often it was called, whether ok, and the entries then in the table. */
struct flushed {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int calls;
  bool ok;
  int64_t in_table;
  struct tu_db *t;
};

static void on_flushed(void *arg, bool ok) {
  struct flushed *f = arg;
  int64_t n = entries_about(f->t, "ch_t8_1"); /* read on the mover's thread, before anything else moves on */
  pthread_mutex_lock(&f->mu);
  f->calls++;
  f->ok = ok;
  f->in_table = n;
  pthread_cond_signal(&f->cv);
  pthread_mutex_unlock(&f->mu);
}

/*
** A flush that does not wait on its caller's thread: with nothing spooled it
** calls back at once; with entries spooled and moves far apart, it calls back
** once, from the mover, when they are in the table.
*/
static void test_flush_async(void **state) {
  struct tu_db t;
  struct audit_writer *w = start_slow_mover(*state, &t);
  struct flushed f = {.t = &t};
  pthread_mutex_init(&f.mu, NULL);
  pthread_cond_init(&f.cv, NULL);
  assert_false(audit_writer_unmoved(w));
  audit_writer_flush_async(w, on_flushed, &f);
  assert_int_equal(f.calls, 1); /* at once: nothing to wait for */
  assert_true(f.ok);

  assert_true(audit_submit_wait(w, make_rows(8, 3), 3));
  assert_true(audit_writer_unmoved(w));
  assert_int_equal(entries_about(&t, "ch_t8_1"), 0);
  audit_writer_flush_async(w, on_flushed, &f);
  pthread_mutex_lock(&f.mu);
  while (f.calls < 2) pthread_cond_wait(&f.cv, &f.mu);
  pthread_mutex_unlock(&f.mu);
  assert_true(f.ok);
  assert_int_equal(f.in_table, 1); /* in the table before the callback, long before the 60 s move */
  assert_false(audit_writer_unmoved(w));
  audit_writer_stop(w);
  assert_int_equal(f.calls, 2); /* once each */
  pthread_mutex_destroy(&f.mu);
  pthread_cond_destroy(&f.cv);
  tu_db_close(&t);
}

/*
** A run that died with entries spooled but not all moved: the next start
** moves exactly those past the table's mark, and numbering carries on.
*/
static void test_restart_moves_leftovers_once(void **state) {
  const struct mode *m = *state;
  struct tu_db t;
  char err[256], spool[PATH_MAX];
  open_db(&t, m, spool);
  /* What the dead run left: five entries spooled, the first two moved. */
  struct audit_row **five;
  spool_left(spool, 9, 5, &five);
  char *name = audit_spool_name(spool);
  assert_int_equal(db_begin(t.db), DB_OK);
  assert_int_equal(audit_append_tx(t.db, five, 2), DB_OK);
  assert_int_equal(store_audit_spool_set(t.db, name, 2), DB_OK);
  assert_int_equal(db_commit(t.db), DB_OK);
  audit_rows_free(five, 5);
  free(five);

  struct audit_writer *w = NULL;
  struct audit_writer_options o = options(64, 0, 86400, NULL, NULL, spool);
  assert_int_equal(audit_writer_start(t.path, &o, &w, err, sizeof err), 0);
  assert_true(audit_writer_flush(w));
  for (int i = 0; i < 5; i++) {
    char obj[32];
    snprintf(obj, sizeof obj, "ch_t9_%d", i);
    assert_int_equal(entries_about(&t, obj), 1); /* each once: none lost, none repeated */
  }
  /* New entries are numbered after the old ones and land too. */
  assert_true(audit_submit_wait(w, make_rows(10, 1), 1));
  audit_writer_stop(w);
  assert_int_equal(entries_about(&t, "ch_t10_0"), 1);
  int64_t moved = 0;
  assert_int_equal(store_audit_spool_get(t.db, name, &moved), DB_OK);
  assert_int_equal(moved, 6);
  chain_whole(&t, 6);
  free(name);
  tu_db_close(&t);
}

/*
** A spool not all moved by one move (here: more entries than a move takes) is
** rewritten without the entries already moved once past its threshold; every
** entry still reaches the table exactly once, in one chain that verifies, and
** a restart finds nothing left over.
*/
static void test_spool_rewritten(void **state) {
  const struct mode *m = *state;
  struct tu_db t;
  char err[256], spool[PATH_MAX];
  open_db(&t, m, spool);
  struct audit_writer *w = NULL;
  struct audit_writer_options o = options(64, 0, 86400, NULL, NULL, spool);
  o.move_interval_ms = 60000;
  o.spool_rewrite_bytes = 2048;
  assert_int_equal(audit_writer_start(t.path, &o, &w, err, sizeof err), 0);
  enum { N = 8100 }; /* one move takes 8,000 */
  assert_true(audit_submit_wait(w, make_rows(11, N), N));
  assert_true(audit_writer_flush(w));
  struct audit_writer_stats st;
  audit_writer_stats(w, &st);
  assert_int_equal(st.moved, N);
  assert_true(st.moves >= 2);
  assert_int_equal(st.spool_rewrites, 1);
  assert_int_equal(entries_about(&t, "ch_t11_0"), 1);
  assert_int_equal(entries_about(&t, "ch_t11_8099"), 1);
  assert_true(audit_submit_wait(w, make_rows(12, 1), 1));
  audit_writer_stop(w);
  chain_whole(&t, N + 1);
  /* Restarted: nothing is moved twice. */
  assert_int_equal(audit_writer_start(t.path, &o, &w, err, sizeof err), 0);
  assert_true(audit_writer_flush(w));
  audit_writer_stop(w);
  chain_whole(&t, N + 1);
  tu_db_close(&t);
}

/*
** The writer's connection is lost (here: ended by the database server, as a
** restart or fail-over would): the next batch is written on a new
** connection, not refused for ever, and the chain goes on whole.
*/
static void test_reconnects(void **state) {
  const struct mode *m = *state;
  struct tu_db t;
  char err[256], spool[PATH_MAX];
  open_db(&t, m, spool);
  struct audit_writer *w = NULL;
  struct audit_writer_options o = options(8, 0, 86400, NULL, NULL, m->spool ? spool : NULL);
  assert_int_equal(audit_writer_start(t.path, &o, &w, err, sizeof err), 0);
  assert_true(audit_submit_wait(w, make_rows(20, 2), 2));
  assert_true(audit_writer_flush(w));
  assert_int_equal(db_exec(t.db, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = current_database() AND pid <> pg_backend_pid()"),
                   DB_OK);
  assert_true(audit_submit_wait(w, make_rows(21, 3), 3));
  assert_true(audit_writer_flush(w));
  assert_int_equal(entries_about(&t, "ch_t21_2"), 1);
  audit_writer_stop(w);
  chain_whole(&t, 5);
  tu_db_close(&t);
}

/*
** Bytes at the spool's end that are no whole record (a batch torn by a
** crash, or damage) are cut off at the next start, kept beside the spool, and
** the cut itself goes on the audit log after the entries recovered.
*/
static void test_cut_recorded(void **state) {
  const struct mode *m = *state;
  struct tu_db t;
  char err[256], spool[PATH_MAX];
  open_db(&t, m, spool);
  struct audit_row **three;
  spool_left(spool, 30, 3, &three);
  audit_rows_free(three, 3);
  free(three);
  static const char junk[] = "not a record at all";
  FILE *f = fopen(spool, "ab");
  assert_non_null(f);
  assert_int_equal(fwrite(junk, 1, sizeof junk, f), sizeof junk);
  fclose(f);

  struct audit_writer *w = NULL;
  struct audit_writer_options o = options(8, 0, 86400, NULL, NULL, spool);
  assert_int_equal(audit_writer_start(t.path, &o, &w, err, sizeof err), 0);
  assert_true(audit_writer_flush(w));
  audit_writer_stop(w);
  for (int i = 0; i < 3; i++) {
    char obj[32];
    snprintf(obj, sizeof obj, "ch_t30_%d", i);
    assert_int_equal(entries_about(&t, obj), 1);
  }
  char *name = audit_spool_name(spool);
  json_t *cut = NULL;
  assert_int_equal(store_audit_for_subject(t.db, name, 10, &cut), DB_OK);
  assert_int_equal(json_array_size(cut), 1);
  json_t *e = json_array_get(cut, 0);
  assert_string_equal(json_string_value(json_object_get(e, "action")), "audit.spool_cut");
  json_t *d = json_object_get(e, "details");
  if (json_is_string(d)) d = json_loads(json_string_value(d), 0, NULL);
  else json_incref(d);
  assert_int_equal(json_integer_value(json_object_get(d, "bytes_cut")), sizeof junk);
  const char *kept = json_string_value(json_object_get(d, "kept_in"));
  assert_non_null(kept);
  char back[64] = "";
  f = fopen(kept, "rb");
  assert_non_null(f);
  assert_int_equal(fread(back, 1, sizeof back, f), sizeof junk);
  fclose(f);
  assert_memory_equal(back, junk, sizeof junk);
  json_decref(d);
  json_decref(cut);
  free(name);
  chain_whole(&t, 4);
  tu_db_close(&t);
}

/* Thread body: submits one entry and records that it came back, and how. */
struct late {
  struct audit_writer *w;
  atomic_bool done;
  bool ok;
};
static void *submit_late(void *arg) {
  struct late *l = arg;
  l->ok = audit_submit_wait(l->w, make_rows(41, 1), 1);
  atomic_store(&l->done, true);
  return NULL;
}

/*
** A batch waits while the mover is too far behind, until shutdown begins:
** then it is spooled at once (durable, answered), so that no request stays
** suspended on a mover that cannot reach the database.
*/
static void test_hurry_releases_batches(void **state) {
  const struct mode *m = *state;
  struct tu_db t;
  char err[256], spool[PATH_MAX];
  open_db(&t, m, spool);
  struct audit_writer *w = NULL;
  struct audit_writer_options o = options(8, 0, 86400, NULL, NULL, spool);
  o.move_interval_ms = 60000; /* the mover does not move unless asked */
  o.unmoved_limit = 3;
  assert_int_equal(audit_writer_start(t.path, &o, &w, err, sizeof err), 0);
  assert_true(audit_submit_wait(w, make_rows(40, 3), 3));
  struct late l = {.w = w};
  atomic_init(&l.done, false);
  pthread_t th;
  assert_int_equal(pthread_create(&th, NULL, submit_late, &l), 0);
  usleep(300000);
  assert_false(atomic_load(&l.done)); /* held back: three entries wait for the mover */
  audit_writer_hurry(w);
  for (int i = 0; i < 500 && !atomic_load(&l.done); i++) usleep(10000);
  assert_true(atomic_load(&l.done));
  pthread_join(th, NULL);
  assert_true(l.ok);
  struct audit_writer_stats st;
  audit_writer_stats(w, &st);
  assert_int_equal(st.unmoved, 4);
  audit_writer_stop(w);
  chain_whole(&t, 4);
  tu_db_close(&t);
}

/* Two servers cannot share one spool. */
static void test_spool_taken(void **state) {
  const struct mode *m = *state;
  struct tu_db t;
  char err[256] = "", spool[PATH_MAX];
  open_db(&t, m, spool);
  struct audit_writer *a = NULL, *b = NULL;
  struct audit_writer_options o = options(8, 0, 86400, NULL, NULL, spool);
  assert_int_equal(audit_writer_start(t.path, &o, &a, err, sizeof err), 0);
  assert_int_equal(audit_writer_start(t.path, &o, &b, err, sizeof err), -1);
  assert_non_null(strstr(err, "in use"));
  audit_writer_stop(a);
  tu_db_close(&t);
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest tests[] = {
      {"test_concurrent_chain_sqlite", test_concurrent_chain, NULL, NULL, &SQLITE},
      {"test_stop_drains_queue_sqlite", test_stop_drains_queue, NULL, NULL, &SQLITE},
      cmocka_unit_test(test_start_needs_database),
      {"test_concurrent_chain_sqlite_spool", test_concurrent_chain, NULL, NULL, &SQLITE_SPOOL},
      {"test_stop_drains_queue_sqlite_spool", test_stop_drains_queue, NULL, NULL, &SQLITE_SPOOL},
      {"test_flush_moves_spooled_sqlite", test_flush_moves_spooled, NULL, NULL, &SQLITE_SPOOL},
      {"test_flush_async_sqlite", test_flush_async, NULL, NULL, &SQLITE_SPOOL},
      {"test_restart_moves_leftovers_once_sqlite", test_restart_moves_leftovers_once, NULL, NULL, &SQLITE_SPOOL},
      {"test_spool_taken_sqlite", test_spool_taken, NULL, NULL, &SQLITE_SPOOL},
      {"test_spool_rewritten_sqlite", test_spool_rewritten, NULL, NULL, &SQLITE_SPOOL},
      {"test_cut_recorded_sqlite", test_cut_recorded, NULL, NULL, &SQLITE_SPOOL},
      {"test_hurry_releases_batches_sqlite", test_hurry_releases_batches, NULL, NULL, &SQLITE_SPOOL},
      {"test_concurrent_chain_postgres", test_concurrent_chain, NULL, NULL, &POSTGRES},
      {"test_stop_drains_queue_postgres", test_stop_drains_queue, NULL, NULL, &POSTGRES},
      {"test_concurrent_chain_postgres_spool", test_concurrent_chain, NULL, NULL, &POSTGRES_SPOOL},
      {"test_restart_moves_leftovers_once_postgres", test_restart_moves_leftovers_once, NULL, NULL, &POSTGRES_SPOOL},
      {"test_flush_async_postgres", test_flush_async, NULL, NULL, &POSTGRES_SPOOL},
      {"test_spool_rewritten_postgres", test_spool_rewritten, NULL, NULL, &POSTGRES_SPOOL},
      {"test_reconnects_postgres", test_reconnects, NULL, NULL, &POSTGRES},
      {"test_reconnects_postgres_spool", test_reconnects, NULL, NULL, &POSTGRES_SPOOL},
  };
  return cmocka_run_group_tests_name("audit_writer", tests, NULL, NULL);
}
