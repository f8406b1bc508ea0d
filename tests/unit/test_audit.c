/*
** Unit tests for the tamper-evident audit log: audit_hash_row is
** deterministic and covers every field; entries are built with canonical
** details; audit_append_tx extends one chain; audit_verify passes an intact
** log and names the first bad entry after each kind of tampering done by
** direct SQL (edits, deletions, swaps, a rewritten chain, a cut-off tail
** under a signed checkpoint, a checkpoint forged with another key, a
** checkpoint file that disagrees, rows numbered below 1, checkpoint-file
** lines that are not checkpoints); a checkpoint-file line torn by a crash is
** neither damage nor glued to the next checkpoint; twenty thousand
** checkpoints are merged and walked correctly; checkpoint keys are created
** and loaded.  The tests that touch a database run on SQLite and on
** PostgreSQL.
*/
#include "testutil.h"

#include <sys/stat.h>
#include "audit/audit.h"
#include "util/codec.h"
#include "util/xalloc.h"

/* A scratch database with its audit key and checkpoint file paths. */
struct fixture {
  struct tu_db t;
  char key_path[PATH_MAX];
  char cp_path[PATH_MAX];
  struct audit_key key;
};

/* Setup: migrated database of KIND, a fresh key, no checkpoint file yet. */
static int setup_kind(void **state, enum tu_kind kind) {
  struct fixture *f = calloc(1, sizeof *f);
  if (!f) return -1;
  *state = f;
  tu_db_open_kind(&f->t, kind);
  tu_path(f->key_path, f->t.dir, "audit.key");
  tu_path(f->cp_path, f->t.dir, "checkpoints.log");
  char err[256];
  if (audit_key_create(f->key_path, err, sizeof err) != 0) fail_msg("audit_key_create: %s", err);
  if (audit_key_load(f->key_path, &f->key, err, sizeof err) != 0) fail_msg("audit_key_load: %s", err);
  return 0;
}

/* Setup on SQLite. */
static int setup(void **state) { return setup_kind(state, TU_SQLITE); }

/* Setup on PostgreSQL. */
static int setup_pg(void **state) { return setup_kind(state, TU_POSTGRES); }

/* Teardown: wipe the key, close and remove everything. */
static int teardown(void **state) {
  struct fixture *f = *state;
  if (!f) return 0;
  audit_key_wipe(&f->key);
  if (f->t.db) tu_db_close(&f->t);
  else if (f->t.dir[0]) tu_rmtree(f->t.dir);
  free(f);
  return 0;
}

/* Appends N entries about object OBJ in one committed transaction. */
static void append(struct db *db, int n, const char *obj) {
  struct audit_row *rows[16];
  assert_true(n <= 16);
  for (int i = 0; i < n; i++) {
    json_t *details = json_pack("{s:i,s:s}", "i", i, "why", "unit test");
    rows[i] = audit_row_new("us_1", "jo", "mash", "RMBC", "child.read", "child", obj, "ok", "s47 enquiry",
                            "127.0.0.1", details);
    json_decref(details);
  }
  assert_int_equal(db_begin(db), DB_OK);
  assert_int_equal(audit_append_tx(db, rows, n), DB_OK);
  assert_int_equal(db_commit(db), DB_OK);
  audit_rows_free(rows, n);
}

/* Runs the verifier with the fixture's key and checkpoint file. */
static struct audit_verify_result verify(struct fixture *f) {
  struct audit_verify_result res;
  assert_int_equal(audit_verify(f->t.db, &f->key, f->cp_path, &res), DB_OK);
  return res;
}

/* Asserts the log is intact with N entries. */
static void intact(struct fixture *f, int64_t n) {
  struct audit_verify_result res = verify(f);
  if (res.first_bad_seq) fail_msg("reported bad at %lld: %s", (long long)res.first_bad_seq, res.reason);
  assert_int_equal(res.entries, n);
}

/* Asserts the verifier names entry SEQ first, with a reason containing WHAT. */
static void bad_at(struct fixture *f, int64_t seq, const char *what) {
  struct audit_verify_result res = verify(f);
  if (res.first_bad_seq != seq) {
    fail_msg("first bad entry %lld (%s), want %lld", (long long)res.first_bad_seq, res.reason, (long long)seq);
  }
  if (!strstr(res.reason, what)) fail_msg("reason '%s' lacks '%s'", res.reason, what);
}

/* Signs a checkpoint at the current head with KEY, writing to the fixture's file; returns its seq. */
static int64_t checkpoint(struct fixture *f, const struct audit_key *key) {
  int64_t seq = -1;
  assert_int_equal(audit_checkpoint_now(f->t.db, key, f->cp_path, &seq), DB_OK);
  return seq;
}

/* An entry's hash in hex. */
typedef char hash_hex[65];

/*
** Appends N entries about OBJ in one transaction, on an empty log; returns
** their hashes, entry k's at [k - 1] (caller frees).
*/
static hash_hex *append_many(struct db *db, int n, const char *obj) {
  hash_hex *hashes = calloc((size_t)n, sizeof *hashes);
  assert_non_null(hashes);
  assert_int_equal(db_begin(db), DB_OK);
  for (int done = 0; done < n;) {
    struct audit_row *rows[500];
    int k = n - done < 500 ? n - done : 500;
    for (int i = 0; i < k; i++) {
      rows[i] = audit_row_new("us_1", "jo", "mash", "RMBC", "child.read", "child", obj, "ok", "s47 enquiry",
                              "127.0.0.1", NULL);
    }
    assert_int_equal(audit_append_tx(db, rows, k), DB_OK);
    for (int i = 0; i < k; i++) {
      assert_int_equal(rows[i]->seq, done + i + 1);
      snprintf(hashes[done + i], sizeof hashes[0], "%s", rows[i]->hash);
    }
    audit_rows_free(rows, k);
    done += k;
  }
  assert_int_equal(db_commit(db), DB_OK);
  return hashes;
}

/* Signs a checkpoint binding SEQ to HASH at time AT with KEY; the public key and signature in hex. */
static void sign_cp(const struct audit_key *key, int64_t seq, const char *hash, int64_t at, char pk[65],
                    char sig[129]) {
  uint8_t h[AUDIT_HASH_BYTES], msg[56], s[crypto_sign_BYTES];
  assert_true(hex_decode(hash, h, sizeof h));
  audit_checkpoint_message(seq, h, at, msg);
  crypto_sign_detached(s, NULL, msg, sizeof msg, key->sk);
  hex_encode(key->pk, sizeof key->pk, pk);
  hex_encode(s, sizeof s, sig);
}

/* Replaces the fixture's checkpoint file with LEN bytes of TEXT. */
static void write_cp_file(struct fixture *f, const char *text, size_t len) {
  FILE *fp = fopen(f->cp_path, "wb");
  assert_non_null(fp);
  assert_int_equal(fwrite(text, 1, len, fp), len);
  assert_int_equal(fclose(fp), 0);
}

/* Reads the fixture's checkpoint file into BUF (NUL-terminated); returns its length. */
static size_t read_cp_file(struct fixture *f, char *buf, size_t cap) {
  FILE *fp = fopen(f->cp_path, "rb");
  assert_non_null(fp);
  size_t n = fread(buf, 1, cap - 1, fp);
  assert_true(n < cap - 1);
  buf[n] = '\0';
  fclose(fp);
  return n;
}

/* A string literal as the char * the row struct holds; the hashing code only reads it. */
static char *mut(const char *s) { return (char *)(uintptr_t)s; }

/* A fully populated entry for the hashing tests. */
static struct audit_row sample_row(void) {
  struct audit_row r;
  memset(&r, 0, sizeof r);
  r.at = 1795860000;
  r.actor_id = mut("us_1");
  r.actor = mut("jo");
  r.role = mut("mash");
  r.agency = mut("RMBC");
  r.action = mut("child.read");
  r.object_type = mut("child");
  r.object_id = mut("ch_1");
  r.outcome = mut("ok");
  r.purpose = mut("strategy discussion");
  r.ip = mut("10.0.0.1");
  r.details = mut("{\"a\":1}");
  return r;
}

/* The hash depends only on its inputs, and on every one of them. */
static void test_hash_row(void **state) {
  (void)state;
  uint8_t prev[AUDIT_HASH_BYTES] = {0}, h1[AUDIT_HASH_BYTES], h2[AUDIT_HASH_BYTES];
  struct audit_row r = sample_row();
  audit_hash_row(1, prev, &r, h1);
  audit_hash_row(1, prev, &r, h2);
  assert_memory_equal(h1, h2, sizeof h1);

  /* Changing the position, the previous hash or the time changes it. */
  audit_hash_row(2, prev, &r, h2);
  assert_memory_not_equal(h1, h2, sizeof h1);
  prev[31] = 1;
  audit_hash_row(1, prev, &r, h2);
  assert_memory_not_equal(h1, h2, sizeof h1);
  prev[31] = 0;
  r.at++;
  audit_hash_row(1, prev, &r, h2);
  assert_memory_not_equal(h1, h2, sizeof h1);
  r.at--;

  /* Each text field: changed, emptied, or NULL, each gives a different hash; the change undone gives it back. */
  char **fields[] = {&r.actor_id, &r.actor, &r.role, &r.agency, &r.action, &r.object_type,
                     &r.object_id, &r.outcome, &r.purpose, &r.ip, &r.details};
  for (size_t i = 0; i < TU_COUNT(fields); i++) {
    char *orig = *fields[i];
    uint8_t hx[AUDIT_HASH_BYTES], he[AUDIT_HASH_BYTES], hn[AUDIT_HASH_BYTES];
    *fields[i] = mut("changed");
    audit_hash_row(1, prev, &r, hx);
    *fields[i] = mut("");
    audit_hash_row(1, prev, &r, he);
    *fields[i] = NULL;
    audit_hash_row(1, prev, &r, hn);
    *fields[i] = orig;
    audit_hash_row(1, prev, &r, h2);
    if (!memcmp(hx, h1, sizeof h1) || !memcmp(he, h1, sizeof h1) || !memcmp(hn, h1, sizeof h1)) {
      fail_msg("field %zu is not covered by the hash", i);
    }
    assert_memory_not_equal(he, hn, sizeof he); /* empty is not NULL */
    assert_memory_equal(h2, h1, sizeof h1);
  }
  /* Moving a boundary between fields changes the hash: each field is length-prefixed. */
  struct audit_row a = sample_row(), b = sample_row();
  a.action = mut("child.rea");
  a.object_type = mut("dchild");
  b.action = mut("child.read");
  b.object_type = mut("child");
  audit_hash_row(1, prev, &a, h1);
  audit_hash_row(1, prev, &b, h2);
  assert_memory_not_equal(h1, h2, sizeof h1);
  /* A negative time and a huge seq are hashed without trouble and differ from their neighbours. */
  r.at = -1;
  audit_hash_row(INT64_MAX, prev, &r, h1);
  r.at = 0;
  audit_hash_row(INT64_MAX, prev, &r, h2);
  assert_memory_not_equal(h1, h2, sizeof h1);
}

/* The signed message: 8 bytes of tag hash, big-endian seq, the chain hash, big-endian time. */
static void test_checkpoint_message(void **state) {
  (void)state;
  uint8_t hash[AUDIT_HASH_BYTES], m1[56], m2[56];
  for (int i = 0; i < AUDIT_HASH_BYTES; i++) hash[i] = (uint8_t)i;
  audit_checkpoint_message(0x0102030405060708LL, hash, 0x1122334455667788LL, m1);
  static const uint8_t seq_be[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  static const uint8_t at_be[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
  assert_memory_equal(m1 + 8, seq_be, 8);
  assert_memory_equal(m1 + 16, hash, AUDIT_HASH_BYTES);
  assert_memory_equal(m1 + 48, at_be, 8);
  audit_checkpoint_message(1, hash, 2, m2);
  assert_memory_equal(m1, m2, 8); /* the same domain tag */
  uint8_t zero[8] = {0};
  assert_memory_not_equal(m1, zero, 8);
}

/* Entries are built with defaults for missing parts and canonical details. */
static void test_row_new(void **state) {
  (void)state;
  json_t *details = json_pack("{s:i,s:[i,i],s:s}", "zeta", 1, "alpha", 1, 2, "mid", "x");
  struct audit_row *r = audit_row_new("", NULL, "", NULL, "session.create", NULL, NULL, NULL, "", "", details);
  assert_null(r->actor_id);
  assert_string_equal(r->actor, "anonymous");
  assert_null(r->role);
  assert_null(r->agency);
  assert_string_equal(r->action, "session.create");
  assert_null(r->object_type);
  assert_null(r->object_id);
  assert_string_equal(r->outcome, "ok");
  assert_null(r->purpose);
  assert_null(r->ip);
  assert_string_equal(r->details, "{\"alpha\":[1,2],\"mid\":\"x\",\"zeta\":1}");
  assert_int_equal(details->refcount, 1); /* not stolen */
  assert_true(r->at > 1700000000);
  json_decref(details);
  struct audit_row *r2 = audit_row_new("us_1", "jo", "mash", "RMBC", "child.read", "child", "ch_1", "denied",
                                       "why", "::1", NULL);
  assert_string_equal(r2->details, "{}");
  assert_string_equal(r2->outcome, "denied");
  assert_string_equal(r2->ip, "::1");
  struct audit_row *rows[] = {r, r2};
  audit_rows_free(rows, 2);
}

DB_QUERY(Q_CHAIN, "SELECT seq, prev_hash, hash FROM audit_log ORDER BY seq");

/* Appends chain: seq runs from 1, each prev_hash is the last hash, the first is all zeros. */
static void test_append_builds_chain(void **state) {
  struct fixture *f = *state;
  struct db *db = f->t.db;
  int64_t seq = -1;
  char head[65];
  assert_int_equal(store_audit_head(db, &seq, head), DB_OK);
  assert_int_equal(seq, 0);
  assert_string_equal(head, "");
  intact(f, 0);
  append(db, 3, "ch_a");
  append(db, 2, "ch_b");
  assert_int_equal(store_audit_head(db, &seq, head), DB_OK);
  assert_int_equal(seq, 5);
  /* Walk the chain. */
  struct db_stmt *st = db_prepare(db, &Q_CHAIN);
  assert_non_null(st);
  char prev[65];
  memset(prev, '0', 64);
  prev[64] = '\0';
  int64_t expect = 1;
  while (db_step(st) == DB_ROW) {
    assert_int_equal(db_int(st, 0), expect++);
    assert_string_equal(db_text(st, 1), prev);
    assert_int_equal(strlen(db_text(st, 2)), 64);
    snprintf(prev, sizeof prev, "%s", db_text(st, 2));
  }
  db_reset(st);
  assert_int_equal(expect, 6);
  assert_string_equal(prev, head);
  intact(f, 5);
  /* Appending nothing is a no-op. */
  assert_int_equal(audit_append_tx(db, NULL, 0), DB_OK);
  /* A rolled-back append leaves no trace and the chain continues from the committed head. */
  struct audit_row *r = audit_row_new("us_1", "jo", "mash", "RMBC", "child.update", "child", "ch_a", "ok", NULL,
                                      NULL, NULL);
  assert_int_equal(db_begin(db), DB_OK);
  assert_int_equal(audit_append_tx(db, &r, 1), DB_OK);
  assert_int_equal(r->seq, 6);
  assert_int_equal(db_rollback(db), DB_OK);
  audit_rows_free(&r, 1);
  append(db, 1, "ch_c");
  assert_int_equal(store_audit_head(db, &seq, head), DB_OK);
  assert_int_equal(seq, 6);
  intact(f, 6);
  /* The subject query finds the entries about one object, newest first. */
  json_t *list = NULL;
  assert_int_equal(store_audit_for_subject(db, "ch_a", 10, &list), DB_OK);
  assert_int_equal(json_array_size(list), 3);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "seq")), 3);
  assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "purpose")), "s47 enquiry");
  assert_int_equal(json_integer_value(json_object_get(json_object_get(json_array_get(list, 0), "details"), "i")), 2);
  json_decref(list);
}

/* Editing any column of a middle entry is caught at that entry. */
static void test_tamper_edit(void **state) {
  struct fixture *f = *state;
  append(f->t.db, 10, "ch_a");
  intact(f, 10);
  static const char *const edits[] = {
      "UPDATE audit_log SET details = '{\"i\":99,\"why\":\"unit test\"}' WHERE seq = 4",
      "UPDATE audit_log SET actor = 'someone else' WHERE seq = 4",
      "UPDATE audit_log SET at = at + 1 WHERE seq = 4",
      "UPDATE audit_log SET object_id = 'ch_b' WHERE seq = 4",
      "UPDATE audit_log SET outcome = 'denied' WHERE seq = 4",
      "UPDATE audit_log SET purpose = NULL WHERE seq = 4",
      "UPDATE audit_log SET ip = '' WHERE seq = 4",
  };
  for (size_t i = 0; i < TU_COUNT(edits); i++) {
    tu_exec(f->t.db, "BEGIN");
    tu_exec(f->t.db, edits[i]);
    bad_at(f, 4, "entry altered");
    tu_exec(f->t.db, "ROLLBACK");
    intact(f, 10);
  }
  /* The hash column of the last entry, and a previous-hash link. */
  tu_exec(f->t.db, "UPDATE audit_log SET hash = upper(hash) WHERE seq = 10");
  bad_at(f, 10, "entry altered");
  tu_exec(f->t.db, "UPDATE audit_log SET hash = lower(hash) WHERE seq = 10");
  intact(f, 10);
  tu_exec(f->t.db, "UPDATE audit_log SET prev_hash = (SELECT hash FROM audit_log WHERE seq = 5) WHERE seq = 7");
  bad_at(f, 7, "previous-hash link broken");
}

/* Deleting a middle entry, or renumbering one, is a gap at that entry. */
static void test_tamper_delete_middle(void **state) {
  struct fixture *f = *state;
  append(f->t.db, 10, "ch_a");
  tu_exec(f->t.db, "DELETE FROM audit_log WHERE seq = 5");
  bad_at(f, 5, "entry missing");
  struct audit_verify_result res = verify(f);
  assert_int_equal(res.entries, 4);
  /* Renumbering the next entry into the gap breaks its link instead. */
  tu_exec(f->t.db, "UPDATE audit_log SET seq = 5 WHERE seq = 6");
  bad_at(f, 5, "previous-hash link broken");
  /* Deleting the very first entry. */
  tu_exec(f->t.db, "DELETE FROM audit_log WHERE seq = 1");
  bad_at(f, 1, "entry missing");
}

/* Swapping two entries' whole contents (hashes included) breaks the chain at the earlier one. */
static void test_tamper_swap(void **state) {
  struct fixture *f = *state;
  append(f->t.db, 10, "ch_a");
  static const char *const cols = "at, actor_id, actor, role, agency, action, object_type, object_id, outcome, "
                                  "purpose, ip, details, prev_hash, hash";
  char sql[1024];
  tu_exec(f->t.db, "CREATE TEMP TABLE swap AS SELECT * FROM audit_log WHERE seq IN (3, 6)");
  snprintf(sql, sizeof sql,
           "UPDATE audit_log SET (%s) = (SELECT %s FROM swap WHERE swap.seq = 9 - audit_log.seq) WHERE seq IN (3, 6)",
           cols, cols);
  tu_exec(f->t.db, sql);
  bad_at(f, 3, "previous-hash link broken");
  /* Putting them back restores the chain. */
  snprintf(sql, sizeof sql,
           "UPDATE audit_log SET (%s) = (SELECT %s FROM swap WHERE swap.seq = audit_log.seq) WHERE seq IN (3, 6)",
           cols, cols);
  tu_exec(f->t.db, sql);
  intact(f, 10);
  /* Swapping only the details of two entries is caught at the earlier one. */
  tu_exec(f->t.db, "UPDATE audit_log SET details = (SELECT details FROM swap WHERE swap.seq = 9 - audit_log.seq) "
                   "WHERE seq IN (3, 6)");
  bad_at(f, 3, "entry altered");
}

/* Cutting entries off the end under a signed checkpoint is caught at the first missing entry. */
static void test_tamper_delete_tail(void **state) {
  struct fixture *f = *state;
  append(f->t.db, 10, "ch_a");
  assert_int_equal(checkpoint(f, &f->key), 10);
  assert_int_equal(checkpoint(f, &f->key), 0); /* nothing new to sign */
  struct audit_verify_result res = verify(f);
  assert_int_equal(res.first_bad_seq, 0);
  assert_int_equal(res.checkpoints, 1);
  tu_exec(f->t.db, "DELETE FROM audit_log WHERE seq >= 8");
  bad_at(f, 8, "log cut short");
  /* Also deleting the checkpoint from the database does not help: the off-host file still has it. */
  tu_exec(f->t.db, "DELETE FROM audit_checkpoints");
  bad_at(f, 8, "log cut short");
  /* Without the file, only what the database says can be checked, and the result says the file was not read. */
  assert_int_equal(audit_verify(f->t.db, &f->key, NULL, &res), DB_OK);
  assert_int_equal(res.first_bad_seq, 0);
  assert_int_equal(res.entries, 7);
  assert_false(res.checkpoint_file_read);
}

/* Rows copied out of a scan, for rewriting the chain. */
struct collect {
  struct audit_row rows[64];
  int n;
};

/* store_audit_scan callback copying each row into a struct collect; stops when it is full. */
static int copy_row(const struct audit_row *r, void *arg) {
  struct collect *c = arg;
  struct audit_row *d = &c->rows[c->n++];
  d->seq = r->seq;
  d->at = r->at;
  d->actor_id = xstrdup(r->actor_id);
  d->actor = xstrdup(r->actor);
  d->role = xstrdup(r->role);
  d->agency = xstrdup(r->agency);
  d->action = xstrdup(r->action);
  d->object_type = xstrdup(r->object_type);
  d->object_id = xstrdup(r->object_id);
  d->outcome = xstrdup(r->outcome);
  d->purpose = xstrdup(r->purpose);
  d->ip = xstrdup(r->ip);
  d->details = xstrdup(r->details);
  d->prev_hash = xstrdup(r->prev_hash);
  d->hash = xstrdup(r->hash);
  return c->n >= 64;
}

DB_QUERY(Q_REWRITE, "UPDATE audit_log SET details = $2, prev_hash = $3, hash = $4 WHERE seq = $1");

/*
** What an attacker with write access to the database could do: change entry
** FROM's details and recompute every hash from there on, so that the chain
** is self-consistent again.
*/
static void rewrite_chain(struct db *db, int64_t from) {
  struct collect *c = calloc(1, sizeof *c);
  assert_non_null(c);
  assert_int_equal(store_audit_scan(db, 1, copy_row, c), DB_OK);
  uint8_t prev[AUDIT_HASH_BYTES] = {0};
  for (int i = 0; i < c->n; i++) {
    struct audit_row *r = &c->rows[i];
    if (r->seq == from) {
      free(r->details);
      r->details = xstrdup("{\"i\":-1,\"why\":\"rewritten\"}");
    }
    uint8_t h[AUDIT_HASH_BYTES];
    char prev_hex[65], hex[65];
    audit_hash_row(r->seq, prev, r, h);
    hex_encode(prev, sizeof prev, prev_hex);
    hex_encode(h, sizeof h, hex);
    if (r->seq >= from) {
      struct db_stmt *st = db_prepare(db, &Q_REWRITE);
      assert_non_null(st);
      db_bind_int(st, 1, r->seq);
      db_bind_text(st, 2, r->details);
      db_bind_text(st, 3, prev_hex);
      db_bind_text(st, 4, hex);
      assert_int_equal(db_run(st), DB_OK);
    }
    memcpy(prev, h, sizeof prev);
    store_audit_row_free(r);
  }
  free(c);
}

/* A consistently rewritten chain passes the hash checks but not the signed checkpoint. */
static void test_tamper_rewrite_chain(void **state) {
  struct fixture *f = *state;
  append(f->t.db, 6, "ch_a");
  assert_int_equal(checkpoint(f, &f->key), 6);
  append(f->t.db, 4, "ch_a");
  rewrite_chain(f->t.db, 3);
  bad_at(f, 6, "chain differs from the signed checkpoint");
  /* Without any checkpoint the rewrite would have gone unnoticed: checkpoints are what catch it. */
  tu_exec(f->t.db, "DELETE FROM audit_checkpoints");
  struct audit_verify_result res;
  assert_int_equal(audit_verify(f->t.db, &f->key, NULL, &res), DB_OK);
  assert_int_equal(res.first_bad_seq, 0);
  /* But the off-host file still holds the checkpoint. */
  bad_at(f, 6, "chain differs from the signed checkpoint");
}

/* A checkpoint signed with another key is refused at its entry; the earliest bad entry still wins. */
static void test_tamper_forged_checkpoint(void **state) {
  struct fixture *f = *state;
  char other_path[PATH_MAX], err[256];
  struct audit_key other;
  tu_path(other_path, f->t.dir, "other.key");
  assert_int_equal(audit_key_create(other_path, err, sizeof err), 0);
  assert_int_equal(audit_key_load(other_path, &other, err, sizeof err), 0);
  append(f->t.db, 5, "ch_a");
  assert_int_equal(checkpoint(f, &f->key), 5);
  append(f->t.db, 5, "ch_a");
  assert_int_equal(checkpoint(f, &other), 10);
  bad_at(f, 10, "not validly signed by the audit key");
  /* Trusting no particular key, each checkpoint's own key verifies it. */
  struct audit_verify_result res;
  assert_int_equal(audit_verify(f->t.db, NULL, f->cp_path, &res), DB_OK);
  assert_int_equal(res.first_bad_seq, 0);
  assert_int_equal(res.checkpoints, 2);
  /* With an earlier entry also edited, that entry is named first. */
  tu_exec(f->t.db, "UPDATE audit_log SET actor = 'x' WHERE seq = 3");
  bad_at(f, 3, "entry altered");
  tu_exec(f->t.db, "UPDATE audit_log SET actor = 'jo' WHERE seq = 3");
  /* A genuine checkpoint whose signature or time is altered in the database. */
  tu_exec(f->t.db, "DELETE FROM audit_checkpoints WHERE seq = 10");
  tu_exec(f->t.db, "UPDATE audit_checkpoints SET at = at + 1 WHERE seq = 5");
  bad_at(f, 5, "not validly signed");
  audit_key_wipe(&other);
}

/* The file's checkpoint must agree with the database's, and one missing from the database is reported. */
static void test_checkpoint_file_disagrees(void **state) {
  struct fixture *f = *state;
  append(f->t.db, 4, "ch_a");
  assert_int_equal(checkpoint(f, &f->key), 4);
  append(f->t.db, 4, "ch_a");
  assert_int_equal(checkpoint(f, &f->key), 8);
  intact(f, 8);
  /* The file holds one line per checkpoint: seq, hash, time, public key, signature. */
  FILE *fp = fopen(f->cp_path, "r");
  assert_non_null(fp);
  char lines[2][600];
  assert_non_null(fgets(lines[0], sizeof lines[0], fp));
  assert_non_null(fgets(lines[1], sizeof lines[1], fp));
  fclose(fp);
  long long seq;
  char hash[80], pk[80], sig[160];
  long long at;
  assert_int_equal(sscanf(lines[0], "%lld %79s %lld %79s %159s", &seq, hash, &at, pk, sig), 5);
  assert_int_equal(seq, 4);
  assert_int_equal(strlen(hash), 64);
  assert_int_equal(strlen(pk), 64);
  assert_int_equal(strlen(sig), 128);

  /* A file whose hash for entry 4 differs from the database's. */
  char forged[600];
  char hash2[80];
  snprintf(hash2, sizeof hash2, "%s", hash);
  hash2[0] = hash2[0] == 'a' ? 'b' : 'a';
  snprintf(forged, sizeof forged, "%lld %s %lld %s %s\n", seq, hash2, at, pk, sig);
  fp = fopen(f->cp_path, "w");
  fputs(forged, fp);
  fputs(lines[1], fp);
  fclose(fp);
  bad_at(f, 4, "checkpoint file and database disagree");

  /* The file right, but the database has lost checkpoint 4. */
  fp = fopen(f->cp_path, "w");
  fputs(lines[0], fp);
  fputs(lines[1], fp);
  fclose(fp);
  intact(f, 8);

  /* A badly signed line claiming entry 0 is reported, never mistaken for the 0 of "all is well". */
  fp = fopen(f->cp_path, "a");
  fprintf(fp, "0 %s 0 %s %s\n", hash, pk, sig);
  fclose(fp);
  bad_at(f, 1, "signature is bad");
  fp = fopen(f->cp_path, "w");
  fputs(lines[0], fp);
  fputs(lines[1], fp);
  fclose(fp);
  intact(f, 8);

  tu_exec(f->t.db, "DELETE FROM audit_checkpoints WHERE seq = 4");
  bad_at(f, 4, "missing from the database");
}

DB_QUERY(Q_ROW_AS, "INSERT INTO audit_log (seq, at, actor_id, actor, role, agency, action, object_type, "
                   "object_id, outcome, purpose, ip, details, prev_hash, hash) "
                   "SELECT CAST($1 AS BIGINT), at, actor_id, actor, role, agency, action, object_type, object_id, outcome, "
                   "purpose, ip, details, prev_hash, hash FROM audit_log WHERE seq = $2");

/* Copies entry FROM to a new row numbered SEQ. */
static void copy_entry_as(struct db *db, int64_t seq, int64_t from) {
  struct db_stmt *st = db_prepare(db, &Q_ROW_AS);
  assert_non_null(st);
  db_bind_int(st, 1, seq);
  db_bind_int(st, 2, from);
  assert_int_equal(db_run(st), DB_OK);
}

/* Rows numbered 0 or below are outside the scanned chain but in the audit trail: verification fails at entry 1. */
static void test_rows_below_one(void **state) {
  struct fixture *f = *state;
  struct db *db = f->t.db;
  append(db, 5, "ch_a");
  assert_int_equal(checkpoint(f, &f->key), 5);
  int64_t n = -1;
  assert_int_equal(store_audit_count_before(db, 1, &n), DB_OK);
  assert_int_equal(n, 0);
  assert_int_equal(store_audit_count_before(db, 4, &n), DB_OK);
  assert_int_equal(n, 3);
  intact(f, 5);
  /* A copy of entry 1 numbered 0: the subject's trail shows it, so verification must not pass. */
  copy_entry_as(db, 0, 1);
  json_t *list = NULL;
  assert_int_equal(store_audit_for_subject(db, "ch_a", 10, &list), DB_OK);
  assert_int_equal(json_array_size(list), 6);
  json_decref(list);
  assert_int_equal(store_audit_count_before(db, 1, &n), DB_OK);
  assert_int_equal(n, 1);
  bad_at(f, 1, "1 entry is numbered below 1");
  struct audit_verify_result res = verify(f);
  assert_int_equal(res.entries, 5); /* the chain from 1 is itself intact */
  /* A negative number too. */
  copy_entry_as(db, -7, 3);
  bad_at(f, 1, "2 entries are numbered below 1");
  /* An earlier check at entry 1 is not displaced, and the rows are reported even then. */
  tu_exec(db, "UPDATE audit_log SET actor = 'x' WHERE seq = 1");
  bad_at(f, 1, "2 entries are numbered below 1");
  tu_exec(db, "UPDATE audit_log SET actor = 'jo' WHERE seq = 1");
  tu_exec(db, "DELETE FROM audit_log WHERE seq < 1");
  intact(f, 5);
}

/* Lines of the checkpoint file that are not checkpoints fail verification, however they are spoiled. */
static void test_checkpoint_file_damage(void **state) {
  struct fixture *f = *state;
  append(f->t.db, 4, "ch_a");
  assert_int_equal(checkpoint(f, &f->key), 4);
  append(f->t.db, 4, "ch_a");
  assert_int_equal(checkpoint(f, &f->key), 8);
  struct audit_verify_result res = verify(f);
  assert_int_equal(res.first_bad_seq, 0);
  assert_true(res.checkpoint_file_read);
  assert_int_equal(res.checkpoints, 2);
  char all[2048], l1[600], l2[600];
  read_cp_file(f, all, sizeof all);
  assert_int_equal(sscanf(all, "%599[^\n]\n%599[^\n]", l1, l2), 2);
  char line[2048];

  /* One spoiled line between the two good ones, each way in turn. */
  char longline[1001];
  memset(longline, 'x', sizeof longline - 1);
  longline[sizeof longline - 1] = '\0';
  const char *const spoilt[] = {"hello world", l1 + 2 /* seq cut off */, longline};
  for (size_t i = 0; i < TU_COUNT(spoilt); i++) {
    int len = snprintf(line, sizeof line, "%s\n%s\n%s\n", l1, spoilt[i], l2);
    assert_true(len > 0 && (size_t)len < sizeof line);
    write_cp_file(f, line, (size_t)len);
    bad_at(f, 1, "the checkpoint file has 1 line that is not a checkpoint (the first is line 2)");
  }
  /* A sixth field, the last field missing (from a seq the database has no checkpoint of: otherwise the line is
     what a torn append leaves, see test_checkpoint_file_torn), a short hash, a seq with trailing junk, a NUL byte. */
  for (int i = 0; i < 5; i++) {
    char bad[700];
    snprintf(bad, sizeof bad, "%s", l1);
    size_t len = 0;
    switch (i) {
    case 0:
      len = (size_t)snprintf(line, sizeof line, "%s extra\n", bad);
      break;
    case 1:
      *strrchr(bad, ' ') = '\0';
      bad[0] = '6';
      len = (size_t)snprintf(line, sizeof line, "%s\n", bad);
      break;
    case 2:
      memmove(strchr(bad, ' ') + 1, strchr(bad, ' ') + 2, strlen(strchr(bad, ' ') + 1));
      len = (size_t)snprintf(line, sizeof line, "%s\n", bad);
      break;
    case 3:
      len = (size_t)snprintf(line, sizeof line, "4x%s\n", bad + 1);
      break;
    default:
      len = (size_t)snprintf(line, sizeof line, "%s\n", bad);
      line[10] = '\0'; /* inside the hash */
      break;
    }
    len += (size_t)snprintf(line + len, sizeof line - len, "%s\n", l2);
    assert_true(len < sizeof line);
    write_cp_file(f, line, len);
    bad_at(f, 1, "1 line that is not a checkpoint (the first is line 1)");
  }
  /* Two spoiled lines are counted. */
  int len = snprintf(line, sizeof line, "%s\n#\n%s\n--\n", l1, l2);
  write_cp_file(f, line, (size_t)len);
  bad_at(f, 1, "the checkpoint file has 2 lines that are not checkpoints (the first is line 2)");
  /* Empty lines and CRLF endings are not damage. */
  len = snprintf(line, sizeof line, "\n%s\r\n\n\n%s\r\n\n", l1, l2);
  write_cp_file(f, line, (size_t)len);
  res = verify(f);
  assert_int_equal(res.first_bad_seq, 0);
  assert_int_equal(res.checkpoints, 2);
  tu_exec(f->t.db, "DELETE FROM audit_checkpoints WHERE seq = 8");
  bad_at(f, 8, "missing from the database"); /* the CRLF line was read */

  /* No file at all is not a failure: the result says it was not read. */
  assert_int_equal(unlink(f->cp_path), 0);
  res = verify(f);
  assert_int_equal(res.first_bad_seq, 0);
  assert_false(res.checkpoint_file_read);
  assert_int_equal(res.checkpoints, 1);
}

/* A line cut short by a crash: harmless while it is the last line, and the next checkpoint starts a new line. */
static void test_checkpoint_file_torn(void **state) {
  struct fixture *f = *state;
  append(f->t.db, 4, "ch_a");
  assert_int_equal(checkpoint(f, &f->key), 4);
  append(f->t.db, 4, "ch_a");
  assert_int_equal(checkpoint(f, &f->key), 8);
  char all[2048], l1[600], l2[600];
  size_t size = read_cp_file(f, all, sizeof all);
  assert_int_equal(sscanf(all, "%599[^\n]\n%599[^\n]", l1, l2), 2);

  /* The last line without its newline still counts as a checkpoint. */
  write_cp_file(f, all, size - 1);
  intact(f, 8);
  tu_exec(f->t.db, "BEGIN");
  tu_exec(f->t.db, "DELETE FROM audit_checkpoints WHERE seq = 8");
  bad_at(f, 8, "missing from the database");
  tu_exec(f->t.db, "ROLLBACK");

  /* Torn part-way through the signature, then through the hash: not damage while it is the last line. */
  const size_t cuts[] = {50, 200};
  for (size_t i = 0; i < TU_COUNT(cuts); i++) {
    write_cp_file(f, all, size - cuts[i]);
    struct audit_verify_result res = verify(f);
    if (res.first_bad_seq) fail_msg("torn last line reported at %lld: %s", (long long)res.first_bad_seq, res.reason);
    assert_true(res.checkpoint_file_read);
    assert_int_equal(res.checkpoints, 2);
  }

  /* The next checkpoint is written on a line of its own, not glued onto the torn one. */
  append(f->t.db, 4, "ch_a");
  assert_int_equal(checkpoint(f, &f->key), 12);
  char now[2048], n1[600], torn[600], n3[600];
  read_cp_file(f, now, sizeof now);
  assert_int_equal(sscanf(now, "%599[^\n]\n%599[^\n]\n%599[^\n]", n1, torn, n3), 3);
  assert_string_equal(n1, l1);
  assert_int_equal(strlen(torn), strlen(l2) + 1 - 200); /* the cut took the newline too */
  assert_int_equal(strncmp(torn, l2, strlen(torn)), 0);
  long long seq, at;
  char hash[80], pk[80], sig[160];
  assert_int_equal(sscanf(n3, "%lld %79s %lld %79s %159s", &seq, hash, &at, pk, sig), 5);
  assert_int_equal(seq, 12);
  assert_int_equal(now[strlen(now) - 1], '\n');
  /* No longer the last line, the torn one is still taken for what it is: the start of a line cut short. */
  intact(f, 12);
  /* A line that is not the start of the database's checkpoint line is damage wherever it is. */
  int len = snprintf(now, sizeof now, "%s\n%s GARBAGE\n%s\n", n1, torn, n3);
  write_cp_file(f, now, (size_t)len);
  bad_at(f, 1, "1 line that is not a checkpoint (the first is line 2)");
  char other[600];
  snprintf(other, sizeof other, "%s", torn);
  other[strlen(other) - 1] = other[strlen(other) - 1] == '0' ? '1' : '0'; /* one character changed */
  len = snprintf(now, sizeof now, "%s\n%s\n%s\n", n1, other, n3);
  write_cp_file(f, now, (size_t)len);
  bad_at(f, 1, "1 line that is not a checkpoint (the first is line 2)");
  /* Without it, the new line is read as a checkpoint. */
  len = snprintf(now, sizeof now, "%s\n%s\n", n1, n3);
  write_cp_file(f, now, (size_t)len);
  intact(f, 12);
  tu_exec(f->t.db, "DELETE FROM audit_checkpoints WHERE seq = 12");
  bad_at(f, 12, "missing from the database");
}

/*
** Ten thousand checkpoints, at every other entry of twenty thousand: merged
** with the file's copies (written newest first, one twice) and walked
** alongside the scan, every one is matched to its own entry, and a fault
** deep in the log is named at its entry while later faults are present too.
** (A linear search per entry made this quadratic; the size is kept to what
** the signature checks allow in a few seconds.)
*/
static void test_many_checkpoints(void **state) {
  struct fixture *f = *state;
  struct db *db = f->t.db;
  enum { N = 20000 };
  hash_hex *hashes = append_many(db, N, "ch_a");
  FILE *fp = fopen(f->cp_path, "w");
  assert_non_null(fp);
  const int64_t at0 = 1795860000;
  char pk[65], sig[129];
  assert_int_equal(db_begin(db), DB_OK);
  for (int64_t seq = N; seq >= 2; seq -= 2) {
    sign_cp(&f->key, seq, hashes[seq - 1], at0 + seq, pk, sig);
    assert_int_equal(store_audit_checkpoint_insert(db, seq, hashes[seq - 1], at0 + seq, pk, sig), DB_OK);
    int copies = seq % 20 == 0 ? 1 + (seq == 10000) : 0;
    for (int i = 0; i < copies; i++) fprintf(fp, "%lld %s %lld %s %s\n", (long long)seq, hashes[seq - 1],
                                             (long long)(at0 + seq), pk, sig);
  }
  assert_int_equal(db_commit(db), DB_OK);
  assert_int_equal(fclose(fp), 0);
  struct audit_verify_result res = verify(f);
  if (res.first_bad_seq) fail_msg("reported bad at %lld: %s", (long long)res.first_bad_seq, res.reason);
  assert_int_equal(res.entries, N);
  assert_int_equal(res.checkpoints, N / 2);
  assert_true(res.checkpoint_file_read);

  /* Checkpoint 15002 (not in the file) re-signed over entry 15001's hash: validly signed, but not this chain. */
  tu_exec(db, "BEGIN");
  tu_exec(db, "DELETE FROM audit_checkpoints WHERE seq = 15002");
  sign_cp(&f->key, 15002, hashes[15000], at0, pk, sig);
  assert_int_equal(store_audit_checkpoint_insert(db, 15002, hashes[15000], at0, pk, sig), DB_OK);
  /* Later faults too: a file line disagreeing at 17002, the tail from 19000 gone. */
  fp = fopen(f->cp_path, "a");
  assert_non_null(fp);
  sign_cp(&f->key, 17002, hashes[0], at0, pk, sig);
  fprintf(fp, "17002 %s %lld %s %s\n", hashes[0], (long long)at0, pk, sig);
  assert_int_equal(fclose(fp), 0);
  tu_exec(db, "DELETE FROM audit_log WHERE seq >= 19000");
  res = verify(f);
  tu_exec(db, "ROLLBACK");
  if (res.first_bad_seq != 15002 || !strstr(res.reason, "chain differs from the signed checkpoint")) {
    fail_msg("first bad entry %lld (%s), want 15002", (long long)res.first_bad_seq, res.reason);
  }
  assert_int_equal(res.entries, 15001);
  free(hashes);
}

/* Keys: created once with a private secret file and a .pub, loaded either way; bad files refused. */
static void test_keys(void **state) {
  struct fixture *f = *state;
  char err[256], pub[PATH_MAX + 8];
  struct stat sb;
  assert_int_equal(stat(f->key_path, &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0600);
  assert_true(f->key.has_secret);
  /* A second create leaves the existing key alone. */
  assert_int_equal(audit_key_create(f->key_path, err, sizeof err), 1);
  struct audit_key again;
  assert_int_equal(audit_key_load(f->key_path, &again, err, sizeof err), 0);
  assert_memory_equal(again.sk, f->key.sk, sizeof again.sk);
  /* The public half verifies but cannot sign. */
  snprintf(pub, sizeof pub, "%s.pub", f->key_path);
  struct audit_key pk;
  assert_int_equal(audit_key_load(pub, &pk, err, sizeof err), 0);
  assert_false(pk.has_secret);
  assert_memory_equal(pk.pk, f->key.pk, sizeof pk.pk);
  append(f->t.db, 2, "ch_a");
  int64_t seq = -1;
  assert_int_equal(audit_checkpoint_now(f->t.db, &pk, f->cp_path, &seq), DB_ERROR);
  assert_int_equal(seq, 0);
  assert_int_equal(checkpoint(f, &f->key), 2);
  struct audit_verify_result res;
  assert_int_equal(audit_verify(f->t.db, &pk, f->cp_path, &res), DB_OK);
  assert_int_equal(res.first_bad_seq, 0);
  assert_int_equal(res.checkpoints, 1);
  /* Wiping zeroes the whole key. */
  audit_key_wipe(&again);
  static const uint8_t zero[crypto_sign_SECRETKEYBYTES] = {0};
  assert_memory_equal(again.sk, zero, sizeof again.sk);
  assert_false(again.has_secret);
  /* Files that are not keys. */
  static const char *const bad[] = {"", "not hex at all\n", "abcd\n",
                                    "zz00000000000000000000000000000000000000000000000000000000000000\n"};
  for (size_t i = 0; i < TU_COUNT(bad); i++) {
    char path[PATH_MAX];
    tu_path(path, f->t.dir, "bad.key");
    FILE *fp = fopen(path, "w");
    fputs(bad[i], fp);
    fclose(fp);
    struct audit_key k;
    assert_int_equal(audit_key_load(path, &k, err, sizeof err), -1);
    assert_non_null(strstr(err, "bad.key"));
  }
  char missing[PATH_MAX];
  tu_path(missing, f->t.dir, "missing.key");
  struct audit_key k;
  assert_int_equal(audit_key_load(missing, &k, err, sizeof err), -1);
  assert_non_null(strstr(err, "missing.key"));
  /* A key cannot be created where the directory does not exist. */
  tu_path(missing, f->t.dir, "no/such/dir/audit.key");
  assert_int_equal(audit_key_create(missing, err, sizeof err), -1);
  /* A checkpoint file that cannot be written does not stop the checkpoint itself (the failure is logged). */
  append(f->t.db, 1, "ch_b");
  seq = -1;
  assert_int_equal(audit_checkpoint_now(f->t.db, &f->key, missing, &seq), DB_OK);
  assert_int_equal(seq, 3);
  assert_int_equal(store_audit_last_checkpoint(f->t.db, &seq), DB_OK);
  assert_int_equal(seq, 3);
  audit_key_wipe(&pk);
}

/* The tests that keep a chain in a database, each with SETUP's engine. */
#define CHAIN_TESTS(setup)                                                          \
  cmocka_unit_test_setup_teardown(test_append_builds_chain, setup, teardown),       \
  cmocka_unit_test_setup_teardown(test_tamper_edit, setup, teardown),               \
  cmocka_unit_test_setup_teardown(test_tamper_delete_middle, setup, teardown),      \
  cmocka_unit_test_setup_teardown(test_tamper_swap, setup, teardown),               \
  cmocka_unit_test_setup_teardown(test_tamper_delete_tail, setup, teardown),        \
  cmocka_unit_test_setup_teardown(test_tamper_rewrite_chain, setup, teardown),      \
  cmocka_unit_test_setup_teardown(test_tamper_forged_checkpoint, setup, teardown),  \
  cmocka_unit_test_setup_teardown(test_checkpoint_file_disagrees, setup, teardown), \
  cmocka_unit_test_setup_teardown(test_rows_below_one, setup, teardown),            \
  cmocka_unit_test_setup_teardown(test_checkpoint_file_damage, setup, teardown),    \
  cmocka_unit_test_setup_teardown(test_checkpoint_file_torn, setup, teardown),      \
  cmocka_unit_test_setup_teardown(test_many_checkpoints, setup, teardown),          \
  cmocka_unit_test_setup_teardown(test_keys, setup, teardown)

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest pure[] = {
      cmocka_unit_test(test_hash_row),
      cmocka_unit_test(test_checkpoint_message),
      cmocka_unit_test(test_row_new),
  };
  const struct CMUnitTest sqlite[] = {CHAIN_TESTS(setup)};
  const struct CMUnitTest postgres[] = {CHAIN_TESTS(setup_pg)};
  int failed = cmocka_run_group_tests_name("audit", pure, NULL, NULL);
  failed += cmocka_run_group_tests_name("audit-sqlite", sqlite, NULL, NULL);
  failed += cmocka_run_group_tests_name("audit-postgres", postgres, NULL, NULL);
  return failed;
}
