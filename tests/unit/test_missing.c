/*
** Unit tests for core/missing: the missing-episode allowlist and the order
** of its times (a return before the child went missing, times in the
** future, before the child was born), overlapping episodes, the
** return-home interview's body (held or declined), when it falls due (72
** clock hours after the return, whatever the clocks do) and where it
** stands, and the "N episodes in D days" flag at its boundaries.
*/
#include "testutil.h"

#include "core/missing.h"
#include "util/timeutil.h"

#define NOW "2026-11-28T12:00:00Z"

static void test_validate_whole_episode(void **state) {
  (void)state;
  struct field_errors e;
  ferr_init(&e);
  struct missing_input mi;
  json_t *in = tu_json("{\"went_missing_at\":\"2026-11-20T14:00:00Z\",\"returned_at\":\"2026-11-21T09:30:00+01:00\","
                       "\"reported_to_police\":true,\"where_found\":\"  Bus station \",\"with_whom\":\"   \"}");
  assert_true(missing_validate(in, false, tu_at(NOW), &mi, &e));
  assert_int_equal(mi.went_missing_at, tu_at("2026-11-20T14:00:00Z"));
  assert_true(mi.returned);
  assert_int_equal(mi.returned_at, tu_at("2026-11-21T08:30:00Z"));
  assert_true(mi.reported_to_police);
  assert_string_equal(mi.where_found, "Bus station");
  assert_null(mi.with_whom);
  assert_true(json_is_null(json_object_get(in, "with_whom")));
  assert_string_equal(json_string_value(json_object_get(in, "where_found")), "Bus station");
  json_decref(in);

  /* Still missing: no return, no where found. */
  in = tu_json("{\"went_missing_at\":\"2026-11-28T11:00:00Z\",\"reported_to_police\":false,\"returned_at\":null}");
  assert_true(missing_validate(in, false, tu_at(NOW), &mi, &e));
  assert_false(mi.returned);
  assert_true(mi.has_returned);
  assert_false(ferr_any(&e));
  json_decref(in);
  ferr_free(&e);
}

static void test_validate_refusals(void **state) {
  (void)state;
  struct {
    const char *body;
    const char *fields[4];
  } cases[] = {
      {"{\"went_missing_at\":\"2026-11-20T14:00:00Z\",\"returned_at\":\"2026-11-20T13:59:59Z\",\"reported_to_police\":true}",
       {"returned_at", NULL}},
      {"{\"went_missing_at\":\"2026-11-28T12:00:01Z\",\"reported_to_police\":true}", {"went_missing_at", NULL}},
      {"{\"went_missing_at\":\"2026-11-20T14:00:00Z\",\"returned_at\":\"2026-11-29T00:00:00Z\",\"reported_to_police\":true}",
       {"returned_at", NULL}},
      {"{}", {"went_missing_at", "reported_to_police", NULL}},
      {"{\"went_missing_at\":\"2026-11-20\",\"reported_to_police\":1,\"colour\":\"red\"}",
       {"went_missing_at", "reported_to_police", "colour", NULL}},
      {"{\"went_missing_at\":\"2026-11-20T14:00:00Z\",\"reported_to_police\":true,\"where_found\":\"Park\"}",
       {"where_found", NULL}},
      {"{\"went_missing_at\":\"2026-11-20T14:00:00\",\"reported_to_police\":true}", {"went_missing_at", NULL}},
      /* A type error elsewhere does not hide the order of the times. */
      {"{\"went_missing_at\":\"2026-11-20T14:00:00Z\",\"returned_at\":\"2026-11-19T14:00:00Z\",\"reported_to_police\":\"no\"}",
       {"returned_at", "reported_to_police", NULL}},
  };
  for (size_t i = 0; i < TU_COUNT(cases); i++) {
    struct field_errors e;
    ferr_init(&e);
    struct missing_input mi;
    json_t *in = tu_json(cases[i].body);
    assert_false(missing_validate(in, false, tu_at(NOW), &mi, &e));
    tu_names_exactly(&e, cases[i].fields);
    json_decref(in);
    ferr_free(&e);
  }
  struct field_errors e;
  ferr_init(&e);
  struct missing_input mi;
  json_t *in = tu_json("{\"went_missing_at\":\"2026-11-20T14:00:00Z\",\"returned_at\":\"2026-11-20T13:00:00Z\",\"reported_to_police\":true}");
  missing_validate(in, false, tu_at(NOW), &mi, &e);
  assert_non_null(strstr(ferr_get(&e, "returned_at"), "before the child went missing"));
  json_decref(in);
  ferr_free(&e);
}

static void test_validate_partial(void **state) {
  (void)state;
  struct field_errors e;
  ferr_init(&e);
  struct missing_input mi;
  json_t *in = tu_json("{}");
  assert_true(missing_validate(in, true, tu_at(NOW), &mi, &e));
  assert_false(mi.has_went || mi.has_returned || mi.has_police || mi.has_where || mi.has_with);
  json_decref(in);
  in = tu_json("{\"returned_at\":\"2026-11-27T10:00:00Z\",\"with_whom\":\"An adult\"}");
  assert_true(missing_validate(in, true, tu_at(NOW), &mi, &e));
  assert_true(mi.has_returned && mi.returned && mi.has_with && !mi.has_went);
  assert_string_equal(mi.with_whom, "An adult");
  json_decref(in);
  ferr_free(&e);
}

static void test_check_times(void **state) {
  (void)state;
  struct field_errors e;
  ferr_init(&e);
  int64_t born = tu_day("2012-03-04");
  /* Midnight of the birthday in UK time (GMT in March) is the earliest instant allowed. */
  assert_true(missing_check_times(tu_at("2012-03-04T00:00:00Z"), false, 0, tu_at(NOW), born, &e));
  assert_false(missing_check_times(tu_at("2012-03-03T23:59:59Z"), false, 0, tu_at(NOW), born, &e));
  assert_non_null(strstr(ferr_get(&e, "went_missing_at"), "date of birth"));
  ferr_free(&e);
  ferr_init(&e);
  /* In summer, UK midnight is 23:00 UTC the day before. */
  assert_true(missing_check_times(tu_at("2012-07-03T23:00:00Z"), false, 0, tu_at(NOW), tu_day("2012-07-04"), &e));
  assert_false(missing_check_times(tu_at("2012-07-03T22:59:59Z"), false, 0, tu_at(NOW), tu_day("2012-07-04"), &e));
  ferr_free(&e);
  ferr_init(&e);
  /* A return at the very instant the child went missing is allowed; unknown dates of birth check nothing. */
  assert_true(missing_check_times(tu_at("2026-11-20T14:00:00Z"), true, tu_at("2026-11-20T14:00:00Z"), tu_at(NOW), INT64_MIN, &e));
  assert_true(missing_check_times(tu_at(NOW), true, tu_at(NOW), tu_at(NOW), INT64_MIN, &e));
  assert_false(ferr_any(&e));
  ferr_free(&e);
}

static void test_overlap(void **state) {
  (void)state;
  struct missing_span s[] = {
      {tu_at("2026-10-01T10:00:00Z"), tu_at("2026-10-02T10:00:00Z"), true},
      {tu_at("2026-11-01T10:00:00Z"), 0, false}, /* still missing */
  };
  /* Touching is not overlapping. */
  assert_int_equal(missing_overlap(s, 2, tu_at("2026-10-02T10:00:00Z"), true, tu_at("2026-10-03T10:00:00Z")), -1);
  assert_int_equal(missing_overlap(s, 2, tu_at("2026-09-30T10:00:00Z"), true, tu_at("2026-10-01T10:00:00Z")), -1);
  assert_int_equal(missing_overlap(s, 2, tu_at("2026-09-30T10:00:00Z"), true, tu_at("2026-10-01T10:00:01Z")), 0);
  assert_int_equal(missing_overlap(s, 2, tu_at("2026-10-01T12:00:00Z"), true, tu_at("2026-10-01T13:00:00Z")), 0);
  /* An open episode runs on: nothing may begin after it, and a new open one overlaps what follows. */
  assert_int_equal(missing_overlap(s, 2, tu_at("2026-11-20T10:00:00Z"), true, tu_at("2026-11-21T10:00:00Z")), 1);
  assert_int_equal(missing_overlap(s, 2, tu_at("2026-10-15T10:00:00Z"), false, 0), 1);
  assert_int_equal(missing_overlap(s, 2, tu_at("2026-10-15T10:00:00Z"), true, tu_at("2026-10-16T10:00:00Z")), -1);
  /* Two episodes cannot begin at the same instant, even an empty one. */
  assert_int_equal(missing_overlap(s, 2, tu_at("2026-10-01T10:00:00Z"), true, tu_at("2026-10-01T10:00:00Z")), 0);
  assert_int_equal(missing_overlap(s, 0, tu_at("2026-10-01T10:00:00Z"), false, 0), -1);
}

static void test_interview_validate(void **state) {
  (void)state;
  int64_t ret = tu_at("2026-11-25T10:00:00Z");
  struct field_errors e;
  ferr_init(&e);
  struct interview_input iv;
  json_t *in = tu_json("{\"conducted_by\":\" R. Adeyemi \",\"independent\":true,\"childs_account\":\"  I was at a party.\\nHe drove me.  \"}");
  assert_true(missing_interview_validate(in, ret, tu_at(NOW), &iv, &e));
  assert_false(iv.declined);
  assert_string_equal(iv.conducted_by, "R. Adeyemi");
  assert_true(iv.independent);
  assert_string_equal(iv.childs_account, "I was at a party.\nHe drove me.");
  assert_int_equal(iv.conducted_at, tu_at(NOW));
  json_decref(in);

  in = tu_json("{\"declined\":true,\"reason\":\"Did not want to talk\",\"conducted_at\":\"2026-11-26T10:00:00Z\"}");
  assert_true(missing_interview_validate(in, ret, tu_at(NOW), &iv, &e));
  assert_true(iv.declined);
  assert_string_equal(iv.reason, "Did not want to talk");
  assert_null(iv.conducted_by);
  assert_int_equal(iv.conducted_at, tu_at("2026-11-26T10:00:00Z"));
  json_decref(in);
  ferr_free(&e);

  struct {
    const char *body;
    const char *fields[4];
  } cases[] = {
      {"{}", {"conducted_by", "independent", "childs_account", NULL}},
      {"{\"declined\":true}", {"reason", NULL}},
      {"{\"declined\":true,\"reason\":\"x\",\"childs_account\":\"y\",\"independent\":false}", {"childs_account", "independent", NULL}},
      {"{\"conducted_by\":\"A\",\"independent\":false,\"childs_account\":\"y\",\"reason\":\"x\"}", {"reason", NULL}},
      {"{\"conducted_by\":\"A\",\"independent\":false,\"childs_account\":\"y\",\"conducted_at\":\"2026-11-25T09:59:59Z\"}",
       {"conducted_at", NULL}},
      {"{\"conducted_by\":\"A\",\"independent\":false,\"childs_account\":\"y\",\"conducted_at\":\"2026-11-28T12:00:01Z\"}",
       {"conducted_at", NULL}},
      {"{\"conducted_by\":\"A\",\"independent\":\"yes\",\"childs_account\":\"y\",\"where\":1}", {"independent", "where", NULL}},
  };
  for (size_t i = 0; i < TU_COUNT(cases); i++) {
    ferr_init(&e);
    in = tu_json(cases[i].body);
    assert_false(missing_interview_validate(in, ret, tu_at(NOW), &iv, &e));
    tu_names_exactly(&e, cases[i].fields);
    json_decref(in);
    ferr_free(&e);
  }
}

static void test_interview_due_and_state(void **state) {
  (void)state;
  /* Clock hours: across the end of British Summer Time it is still 72 real hours. */
  int64_t ret = tu_at("2026-10-23T18:00:00Z");
  assert_int_equal(missing_interview_due(ret, 72), tu_at("2026-10-26T18:00:00Z"));
  assert_int_equal(missing_interview_due(ret, 24), tu_at("2026-10-24T18:00:00Z"));
  int64_t due = missing_interview_due(ret, 72);
  assert_int_equal(missing_interview_state(false, NULL, 0, due + 100), RHI_AWAITING_RETURN);
  assert_int_equal(missing_interview_state(true, NULL, due, due - 1), RHI_DUE);
  assert_int_equal(missing_interview_state(true, NULL, due, due), RHI_OVERDUE);
  assert_int_equal(missing_interview_state(true, "completed", due, due + 5), RHI_COMPLETED);
  assert_int_equal(missing_interview_state(true, "declined", due, due - 5), RHI_DECLINED);
  assert_string_equal(missing_interview_state_name(RHI_AWAITING_RETURN), "awaiting_return");
  assert_string_equal(missing_interview_state_name(RHI_DUE), "due");
  assert_string_equal(missing_interview_state_name(RHI_OVERDUE), "overdue");
  assert_string_equal(missing_interview_state_name(RHI_COMPLETED), "completed");
  assert_string_equal(missing_interview_state_name(RHI_DECLINED), "declined");
}

static void test_flag(void **state) {
  (void)state;
  const int64_t D = 86400;
  int64_t t0 = tu_at("2026-01-01T10:00:00Z");
  /* Three in exactly 90 days: flagged (both ends count); three in 90 days and a second: not. */
  int64_t a[] = {t0, t0 + 40 * D, t0 + 90 * D};
  assert_int_equal(missing_window_count(a, 3, a[2], 90), 3);
  assert_true(missing_flag_raised(a, 3, a[2], 3, 90));
  int64_t b[] = {t0, t0 + 40 * D, t0 + 90 * D + 1};
  assert_int_equal(missing_window_count(b, 3, b[2], 90), 2);
  assert_false(missing_flag_raised(b, 3, b[2], 3, 90));
  /* Order does not matter, and an episode recorded late in the middle of others counts too. */
  int64_t c[] = {t0 + 80 * D, t0, t0 + 30 * D};
  assert_true(missing_flag_raised(c, 3, t0 + 30 * D, 3, 90));
  /* The window must hold the new episode: old clusters do not flag a far later one. */
  int64_t d[] = {t0, t0 + D, t0 + 2 * D, t0 + 200 * D};
  assert_false(missing_flag_raised(d, 4, t0 + 200 * D, 3, 90));
  assert_true(missing_flag_raised(d, 4, t0 + 2 * D, 3, 90));
  /* Other settings: two in thirty days. */
  int64_t e[] = {t0, t0 + 29 * D};
  assert_true(missing_flag_raised(e, 2, e[1], 2, 30));
  assert_false(missing_flag_raised(e, 2, e[1], 2, 28));
  assert_int_equal(missing_window_count(e, 1, e[0], 90), 1);
  /* Counting the recent ones for the record's flag. */
  int64_t now = t0 + 100 * D;
  int64_t f[] = {t0, t0 + 10 * D, t0 + 11 * D, t0 + 99 * D, now};
  assert_int_equal(missing_recent_count(f, 5, now, 90), 4); /* t0 + 10 days is exactly 90 days back: counted */
  assert_int_equal(missing_recent_count(f, 5, now, 88), 2);
  assert_int_equal(missing_recent_count(f, 5, now, 100), 5);
  assert_int_equal(missing_recent_count(f, 0, now, 90), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_validate_whole_episode),
      cmocka_unit_test(test_validate_refusals),
      cmocka_unit_test(test_validate_partial),
      cmocka_unit_test(test_check_times),
      cmocka_unit_test(test_overlap),
      cmocka_unit_test(test_interview_validate),
      cmocka_unit_test(test_interview_due_and_state),
      cmocka_unit_test(test_flag),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
