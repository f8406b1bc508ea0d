/*
** Unit tests for the failure counters of unknown usernames: failures count
** per name, a lock holds until its time, an idle day forgets, and a name
** whose slot another name is using shares that name's counter instead of
** wiping it out (so colliding names err on the side of locking).
*/
#include "testutil.h"

#include <sodium.h>
#include "http/throttle.h"

/* Failures count up per name; a lock holds until its end; a day without failures starts the count again. */
static void test_counts_and_locks(void **state) {
  (void)state;
  struct throttle *t = throttle_new();
  for (int i = 1; i <= 4; i++) assert_int_equal(throttle_fail(t, "nobody", 1000), i);
  assert_int_equal(throttle_locked(t, "nobody", 1000), 0);
  throttle_lock(t, "nobody", 1000, 1060);
  assert_int_equal(throttle_locked(t, "nobody", 1000), 60);
  assert_int_equal(throttle_locked(t, "nobody", 1059), 1);
  assert_int_equal(throttle_locked(t, "nobody", 1060), 0);
  assert_int_equal(throttle_fail(t, "nobody", 1061), 5);
  assert_int_equal(throttle_fail(t, "nobody", 1061 + 86401), 1);
  throttle_free(t);
}

/* Two names in one slot share its counter: the second does not reset the first's failures. */
static void test_collision_shares(void **state) {
  (void)state;
  struct throttle *t = throttle_new();
  enum { TRIES = 20000 };
  static unsigned seen[1u << 16];
  memset(seen, 0, sizeof seen);
  char a[32] = "", b[32] = "";
  for (unsigned i = 1; i < TRIES && !b[0]; i++) {
    char name[32];
    snprintf(name, sizeof name, "name%u", i);
    unsigned slot = throttle_slot(t, name);
    assert_true(slot < (1u << 16));
    if (seen[slot]) {
      snprintf(a, sizeof a, "name%u", seen[slot]);
      snprintf(b, sizeof b, "%s", name);
    }
    seen[slot] = i;
  }
  assert_true(b[0]); /* with 4096 slots, a collision comes long before TRIES names */
  for (int i = 1; i <= 3; i++) assert_int_equal(throttle_fail(t, a, 1000), i);
  assert_int_equal(throttle_fail(t, b, 1001), 4);
  assert_int_equal(throttle_fail(t, a, 1002), 5);
  throttle_free(t);
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_counts_and_locks),
      cmocka_unit_test(test_collision_shares),
  };
  return cmocka_run_group_tests_name("throttle", tests, NULL, NULL);
}
