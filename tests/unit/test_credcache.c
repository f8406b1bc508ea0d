/*
** Unit tests for the credential cache: an entry is used only under the epoch
** it was loaded with and for CREDCACHE_TTL seconds; the remembered epoch is
** used only while this process has committed nothing since it was read and
** for less than CREDCACHE_EPOCH_MS; and db_commits() counts commits, and
** writes that commit by themselves, but not reads or statements inside a
** transaction.
*/
#include "testutil.h"

#include "http/credcache.h"

/* A cached credential is returned only for its hash, under its epoch, within its lifetime. */
static void test_entries(void **state) {
  (void)state;
  struct credcache *c = credcache_new();
  char hash[65], other[65];
  memset(hash, 'a', 64);
  hash[64] = '\0';
  memcpy(other, hash, sizeof other);
  other[63] = 'b';
  struct cred in = {0}, out;
  snprintf(in.who.user_id, sizeof in.who.user_id, "us_1");
  assert_false(credcache_get(c, hash, 7, 1000, &out));
  credcache_put(c, hash, &in, 7, 1000);
  assert_true(credcache_get(c, hash, 7, 1000 + CREDCACHE_TTL - 1, &out));
  assert_string_equal(out.who.user_id, "us_1");
  assert_false(credcache_get(c, hash, 8, 1001, &out));               /* the epoch moved on */
  assert_false(credcache_get(c, hash, 7, 1000 + CREDCACHE_TTL, &out)); /* too old */
  assert_false(credcache_get(c, hash, 7, 999, &out));                /* the clock went back */
  assert_false(credcache_get(c, other, 7, 1001, &out));              /* another credential */
  credcache_free(c);
}

/* The remembered epoch: unknown at first, then trusted until a commit here or CREDCACHE_EPOCH_MS pass. */
static void test_epoch(void **state) {
  (void)state;
  struct credcache *c = credcache_new();
  int64_t e = -1;
  assert_false(credcache_epoch(c, 0, 5000, &e));
  credcache_epoch_put(c, 42, 10, 5000);
  assert_true(credcache_epoch(c, 10, 5000, &e));
  assert_int_equal(e, 42);
  assert_true(credcache_epoch(c, 10, 5000 + CREDCACHE_EPOCH_MS - 1, &e));
  assert_false(credcache_epoch(c, 10, 5000 + CREDCACHE_EPOCH_MS, &e)); /* another process may have changed it */
  assert_false(credcache_epoch(c, 11, 5001, &e));                     /* this process committed since */
  assert_false(credcache_epoch(c, 10, 4999, &e));                     /* the clock is not monotonic */
  credcache_epoch_put(c, 43, 11, 6000);
  assert_true(credcache_epoch(c, 11, 6001, &e));
  assert_int_equal(e, 43);
  assert_false(credcache_epoch(NULL, 11, 6001, &e));
  credcache_free(c);
}

/* Commits are counted: explicit ones and writes outside a transaction, not reads or writes inside one. */
static void test_commit_count(void **state) {
  (void)state;
  struct tu_db t;
  tu_db_open(&t);
  int64_t epoch;
  uint64_t n0 = db_commits();
  assert_int_equal(store_auth_epoch(t.db, &epoch), DB_OK);
  assert_int_equal(db_commits(), n0); /* a read */
  assert_int_equal(store_auth_epoch_bump(t.db), DB_OK);
  assert_int_equal(db_commits(), n0 + 1); /* a write that committed by itself */
  assert_int_equal(db_begin(t.db), DB_OK);
  assert_int_equal(store_auth_epoch_bump(t.db), DB_OK);
  assert_int_equal(db_commits(), n0 + 1); /* not yet committed */
  assert_int_equal(db_commit(t.db), DB_OK);
  assert_int_equal(db_commits(), n0 + 2);
  assert_int_equal(db_begin(t.db), DB_OK);
  assert_int_equal(store_auth_epoch_bump(t.db), DB_OK);
  assert_int_equal(db_rollback(t.db), DB_OK);
  assert_int_equal(db_commits(), n0 + 2); /* rolled back */
  int64_t after;
  assert_int_equal(store_auth_epoch(t.db, &after), DB_OK);
  assert_int_equal(after, epoch + 2);
  tu_db_close(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_entries),
      cmocka_unit_test(test_epoch),
      cmocka_unit_test(test_commit_count),
  };
  return cmocka_run_group_tests_name("credcache", tests, NULL, NULL);
}
