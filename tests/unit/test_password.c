/*
** Unit tests for core/password: the policy (length in characters, byte
** limit and UTF-8, mostly one character, containing the username, common
** choices), Argon2id hashing and verification, rehash detection, and the
** lockout schedule.  Hashing is slow by design, so only a handful of hashes
** are made.
*/
#include "testutil.h"

#include <sodium.h>
#include "core/password.h"

/* Policy verdict for PASSWORD (username USER, minimum 12); the reason goes to WHY. */
static bool policy(const char *password, const char *user, char why[128]) {
  why[0] = '\0';
  bool ok = password_policy_ok(password, user, 12, why, 128);
  assert_int_equal(ok, why[0] == '\0');
  return ok;
}

/* Asserts PASSWORD is refused with a reason containing WHAT. */
static void refused(const char *password, const char *user, const char *what) {
  char why[128];
  if (policy(password, user, why)) fail_msg("accepted '%s'", password);
  if (!strstr(why, what)) fail_msg("'%s' refused as '%s', want '%s'", password, why, what);
}

/* Asserts PASSWORD is accepted. */
static void accepted(const char *password, const char *user) {
  char why[128];
  if (!policy(password, user, why)) fail_msg("refused '%s': %s", password, why);
}

/* Length counts characters, not bytes, at the configured minimum; the maximum counts bytes. */
static void test_policy_length(void **state) {
  (void)state;
  refused("", "jo", "at least 12");
  refused("tuba-pencil", "jo", "at least 12");        /* 11 */
  accepted("tuba-pencil7", "jo");                     /* 12 */
  /* Eleven characters in fifteen bytes are still too few. */
  refused("\xc3\xa0" "b\xc3\xa7" "d\xc3\xa9" "fgh\xc3\xaf" "j1", "jo", "at least 12");
  accepted("\xc3\xa0" "b\xc3\xa7" "d\xc3\xa9" "fgh\xc3\xaf" "j12", "jo");
  char why[128];
  assert_false(password_policy_ok("tuba-pencil7", "jo", 13, why, sizeof why));
  assert_non_null(strstr(why, "at least 13"));
  /* PASSWORD_MAX bytes accepted, one more refused. */
  char big[PASSWORD_MAX + 2];
  for (int i = 0; i < PASSWORD_MAX + 1; i++) big[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[i % 36];
  big[PASSWORD_MAX] = '\0';
  accepted(big, "jo");
  big[PASSWORD_MAX] = 'x';
  big[PASSWORD_MAX + 1] = '\0';
  refused(big, "jo", "at most 256 bytes");
  /* Bytes that are not UTF-8 are refused. */
  refused("tuba-pencil-\xff\xfe", "jo", "at most");
  refused("tuba-pencil-\xc0\x80", "jo", "at most");
}

/* Mostly one character: more than half the bytes the same. */
static void test_policy_one_character(void **state) {
  (void)state;
  refused("aaaaaaaaaaaaaaaa", "jo", "mostly one character");
  refused("aaaaaaaaaaaaab1", "jo", "mostly one character");
  refused("1111111111111111111111112", "jo", "mostly one character");
  accepted("aaaaaaabcdefgh", "jo"); /* exactly half */
  refused("aaaaaaaabcdefgh", "jo", "mostly one character");
}

/* The username, in any case, must not appear; usernames under three characters are not looked for. */
static void test_policy_username(void **state) {
  (void)state;
  refused("my-jsmith-secret-99", "jsmith", "username");
  refused("MY-JSMITH-SECRET-99", "jsmith", "username");
  refused("jSmItH-is-my-name", "jsmith", "username");
  accepted("my-js-secret-99x", "js");
  accepted("my-jsmit-secret-99", "jsmith");
  accepted("a-long-secret-99", NULL);
}

/* The commonest choices are refused unless padded well beyond them. */
static void test_policy_common(void **state) {
  (void)state;
  refused("password1234", "jo", "too easy");
  refused("Password12345", "jo", "too easy");
  refused("xLetMeIn1234", "jo", "too easy");
  refused("safeguard123", "jo", "too easy");
  refused("iloveyou2024", "jo", "too easy");
  accepted("password-tuba-7", "jo"); /* 15 bytes: the common word plus at least six more */
  accepted("correct horse battery staple", "jo");
}

/* A hash verifies its password only, is salted, and is current. */
static void test_hash_and_verify(void **state) {
  (void)state;
  char h1[crypto_pwhash_STRBYTES], h2[crypto_pwhash_STRBYTES];
  assert_int_equal(password_hash("correct horse battery staple", h1, sizeof h1), 0);
  assert_int_equal(password_hash("correct horse battery staple", h2, sizeof h2), 0);
  assert_memory_equal(h1, "$argon2id$", 10);
  assert_string_not_equal(h1, h2); /* a fresh salt each time */
  assert_true(password_verify(h1, "correct horse battery staple"));
  assert_true(password_verify(h2, "correct horse battery staple"));
  assert_false(password_verify(h1, "correct horse battery stapl"));
  assert_false(password_verify(h1, "Correct horse battery staple"));
  assert_false(password_verify(h1, ""));
  assert_false(password_verify("not a hash", "correct horse battery staple"));
  assert_false(password_verify("", ""));
  assert_false(password_needs_rehash(h1));
  /* No room for the hash: refused rather than truncated. */
  char small[16];
  assert_int_equal(password_hash("x", small, sizeof small), -1);
}

/* A hash made with weaker parameters still verifies but asks to be replaced. */
static void test_needs_rehash(void **state) {
  (void)state;
  char weak[crypto_pwhash_STRBYTES];
  assert_int_equal(crypto_pwhash_str(weak, "tuba-pencil7", 12, crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN),
                   0);
  assert_true(password_verify(weak, "tuba-pencil7"));
  assert_true(password_needs_rehash(weak));
  assert_true(password_needs_rehash("garbage"));
}

/* The dummy verification runs (twice, the second reusing its hash) and returns. */
static void test_dummy_verify(void **state) {
  (void)state;
  password_dummy_verify("anything at all");
  password_dummy_verify("not a real password");
}

/* No lock below the limit, then the base doubling per further failure, capped at a day. */
static void test_lock_seconds(void **state) {
  (void)state;
  assert_int_equal(password_lock_seconds(0, 5, 60), 0);
  assert_int_equal(password_lock_seconds(4, 5, 60), 0);
  assert_int_equal(password_lock_seconds(5, 5, 60), 60);
  assert_int_equal(password_lock_seconds(6, 5, 60), 120);
  assert_int_equal(password_lock_seconds(7, 5, 60), 240);
  assert_int_equal(password_lock_seconds(15, 5, 60), 61440);
  assert_int_equal(password_lock_seconds(16, 5, 60), 86400);
  assert_int_equal(password_lock_seconds(1000, 5, 60), 86400);
  assert_int_equal(password_lock_seconds(2000000000, 5, 86400), 86400);
  assert_int_equal(password_lock_seconds(1, 1, 1), 1);
  assert_int_equal(password_lock_seconds(2, 1, 1), 2);
  /* Never decreasing as failures mount. */
  int64_t prev = 0;
  for (int f = 0; f < 60; f++) {
    int64_t s = password_lock_seconds(f, 5, 60);
    assert_true(s >= prev);
    assert_true(s <= 86400);
    prev = s;
  }
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_policy_length),   cmocka_unit_test(test_policy_one_character),
      cmocka_unit_test(test_policy_username), cmocka_unit_test(test_policy_common),
      cmocka_unit_test(test_hash_and_verify), cmocka_unit_test(test_needs_rehash),
      cmocka_unit_test(test_dummy_verify),    cmocka_unit_test(test_lock_seconds),
  };
  return cmocka_run_group_tests_name("password", tests, NULL, NULL);
}
