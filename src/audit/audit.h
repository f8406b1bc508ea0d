/*
** The tamper-evident audit log.
**
** Every entry is chained: hash = BLAKE2b-256 over a domain tag, the entry's
** sequence number, the previous entry's hash and the entry's fields, each
** length-prefixed (audit_hash.c).  Editing, deleting or reordering any entry
** breaks every later hash.  Signed checkpoints (Ed25519, with a key kept in a
** file outside the database) bind a sequence number to its hash, so cutting
** entries off the end is detected too (audit_key.c, audit_verify.c).
**
** Exactly one writer extends the chain at a time: appends happen inside a
** write transaction holding db_lock_audit() (SQLite's BEGIN IMMEDIATE lock,
** PostgreSQL's advisory lock), or the chain would fork.
**
** Two ways in:
**   audit_append_tx()  inside the caller's own write transaction, so a change
**                      and its audit entry commit together or not at all;
**   audit_submit()     for reads and refusals: queued to the writer thread,
**                      which makes entries from many requests durable at
**                      once and then calls each request back, so that a read
**                      is durably audited before its response leaves.
**
** The writer makes entries durable in one of two ways.  Without a spool it
** commits each batch to the table.  With a spool (audit_spool.c, the default
** on SQLite) it appends each batch to the spool file with one fdatasync, and
** a second thread, the mover, chains spooled entries into the table in large
** transactions a moment later.  audit_writer_flush() waits until everything
** spooled so far is in the table, for whoever is about to read it.
*/
#ifndef SAFEHUB_AUDIT_AUDIT_H
#define SAFEHUB_AUDIT_AUDIT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sodium.h>
#include "store/store.h"

#define AUDIT_HASH_BYTES 32

/* Pure chain arithmetic (audit_hash.c). */
void audit_hash_row(int64_t seq, const uint8_t prev[AUDIT_HASH_BYTES], const struct audit_row *r,
                    uint8_t out[AUDIT_HASH_BYTES]);
void audit_checkpoint_message(int64_t seq, const uint8_t hash[AUDIT_HASH_BYTES], int64_t at,
                              uint8_t out[56]);

/* Building entries. */
struct audit_row *audit_row_new(const char *actor_id, const char *actor, const char *role,
                                const char *agency, const char *action, const char *object_type,
                                const char *object_id, const char *outcome, const char *purpose,
                                const char *ip, json_t *details);
void audit_rows_free(struct audit_row **rows, int n);

/* Appending inside the caller's write transaction (audit_log.c). */
int audit_append_tx(struct db *db, struct audit_row **rows, int n);

/* The batching writer thread (audit_writer.c). */
struct audit_writer;
typedef void (*audit_done_fn)(void *arg, bool ok);
struct audit_key;
struct audit_writer_options {
  int batch_max;            /* entries made durable at once, at most */
  int batch_wait_us;        /* longest a batch is held open for more entries */
  int checkpoint_interval;  /* seconds between signed checkpoints */
  struct audit_key *key;    /* signs checkpoints (may be NULL) */
  const char *checkpoint_file;
  const char *spool;        /* the spool file; NULL or "" to commit every batch to the table */
  int move_interval_ms;     /* spooled entries reach the table within about this */
  size_t spool_rewrite_bytes; /* a spool past this is rewritten without its moved entries (0: 16 MiB) */
  int unmoved_limit;        /* spooled entries not yet moved beyond which batches wait (0: 200,000) */
};
struct audit_writer_stats {
  uint64_t queued;          /* entries waiting to be made durable */
  uint64_t batches, entries; /* made durable */
  uint64_t failures;        /* batches that could not be made durable */
  uint64_t unmoved;         /* spooled, not yet in the table */
  uint64_t moves, moved;    /* transactions moving spooled entries, and their entries */
  uint64_t move_failures;
  uint64_t spool_rewrites;  /* times the spool was rewritten without its moved entries */
};
int audit_writer_start(const char *dsn, const struct audit_writer_options *opt, struct audit_writer **out, char *err,
                       size_t errlen);
void audit_writer_hurry(struct audit_writer *w);
void audit_writer_stop(struct audit_writer *w);
void audit_submit(struct audit_writer *w, struct audit_row **rows, int n, audit_done_fn done, void *arg);
bool audit_submit_wait(struct audit_writer *w, struct audit_row **rows, int n);
bool audit_writer_flush(struct audit_writer *w);
bool audit_writer_unmoved(struct audit_writer *w);
void audit_writer_flush_async(struct audit_writer *w, audit_done_fn done, void *arg);
void audit_writer_stats(struct audit_writer *w, struct audit_writer_stats *st);

/* The spool file (audit_spool.c). */
#define AUDIT_SPOOL_CHECK 16
#define AUDIT_SPOOL_MAX_RECORD (1024 * 1024) /* an entry holds ids, names and field names, never a record */
struct buf;
struct audit_spool;
void audit_spool_encode(struct buf *out, uint8_t check[AUDIT_SPOOL_CHECK], int64_t no, struct audit_row *r);
size_t audit_spool_decode(const uint8_t *buf, size_t len, struct audit_row ***rows, int64_t **nos, int *n,
                          uint8_t check[AUDIT_SPOOL_CHECK]);
struct audit_spool *audit_spool_open(const char *path, struct audit_row ***rows, int64_t **nos, int *n, char *err,
                                     size_t errlen);
void audit_spool_close(struct audit_spool *sp);
int64_t audit_spool_last(const struct audit_spool *sp);
void audit_spool_continue_after(struct audit_spool *sp, int64_t moved);
size_t audit_spool_size(const struct audit_spool *sp);
void audit_spool_prefill(struct audit_spool *sp, size_t bytes);
int64_t audit_spool_append(struct audit_spool *sp, struct audit_row **rows, int n);
int audit_spool_reset(struct audit_spool *sp);
int audit_spool_rewrite(struct audit_spool *sp, struct audit_row **rows, int64_t first_no, int n);
size_t audit_spool_cut(const struct audit_spool *sp, const char **kept_in);
char *audit_spool_name(const char *path);

/* Checkpoint keys (audit_key.c). */
struct audit_key {
  uint8_t pk[crypto_sign_PUBLICKEYBYTES];
  uint8_t sk[crypto_sign_SECRETKEYBYTES];
  bool has_secret;
};
int audit_key_create(const char *path, char *err, size_t errlen);
int audit_key_load(const char *path, struct audit_key *key, char *err, size_t errlen);
void audit_key_wipe(struct audit_key *key);
int audit_checkpoint_now(struct db *db, const struct audit_key *key, const char *file, int64_t *seq_out);

/*
** Verification (audit_verify.c).  Besides the chain itself, these fail at
** entry 1: rows numbered below 1, and lines of the checkpoint file that are
** not checkpoints (empty lines, and a last line torn by a crash part-way
** through an append, aside).  A checkpoint file that is not there, or cannot
** be opened, is not a failure: only the database's checkpoints are checked
** then, and checkpoint_file_read says so.
*/
struct audit_verify_result {
  int64_t entries;
  int64_t checkpoints;       /* distinct seqs checkpointed, in the database or the file */
  int64_t first_bad_seq;     /* 0 when all is well */
  bool checkpoint_file_read; /* a checkpoint file was given, found and read to the end */
  char reason[256];
};
int audit_verify(struct db *db, const struct audit_key *key, const char *checkpoint_file,
                 struct audit_verify_result *res);

#endif
