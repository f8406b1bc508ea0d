/*
** Unit tests for core/casework_rules: the case-note allowlist (the child's
** words kept as written, indicators listed once, no time in the future), the
** allocation body, meetings (children, attendees, actions and their due
** dates against the day of the meeting in UK time), the end of a due date
** in UK time, the completion note, and support referrals (codes, changes,
** the closed referral's outcome, final statuses).
*/
#include "testutil.h"

#include "core/casework_rules.h"
#include "util/timeutil.h"

#define NOW "2026-11-28T12:00:00Z"

struct refusal {
  const char *body;
  const char *fields[6];
};

static void test_note(void **state) {
  (void)state;
  struct field_errors e;
  ferr_init(&e);
  struct note_input n;
  json_t *in = tu_json("{\"text\":\"  Seen at the takeaway.  \",\"childs_words\":\"  He's my boyfriend.\\nHe's 24.  \","
                       "\"indicators\":[\"S02\",\"S07\"],\"at\":\"2026-11-27T20:00:00Z\"}");
  assert_true(note_validate(in, tu_at(NOW), &n, &e));
  assert_string_equal(n.text, "Seen at the takeaway.");
  assert_string_equal(n.childs_words, "He's my boyfriend.\nHe's 24.");
  assert_int_equal(json_array_size(n.indicators), 2);
  assert_int_equal(n.at, tu_at("2026-11-27T20:00:00Z"));
  json_decref(in);
  in = tu_json("{\"text\":\"Attended.\",\"childs_words\":\"  \"}");
  assert_true(note_validate(in, tu_at(NOW), &n, &e));
  assert_null(n.childs_words);
  assert_int_equal(json_array_size(n.indicators), 0);
  assert_true(json_is_array(json_object_get(in, "indicators")));
  assert_int_equal(n.at, tu_at(NOW));
  json_decref(in);
  ferr_free(&e);

  struct refusal cases[] = {
      {"{}", {"text", NULL}},
      {"{\"text\":\"  \"}", {"text", NULL}},
      {"{\"text\":\"x\",\"indicators\":[\"S01\",\"M02\",\"S01\"]}", {"indicators", NULL}},
      {"{\"text\":\"x\",\"indicators\":[\"S01\",3]}", {"indicators[1]", NULL}},
      {"{\"text\":\"x\",\"at\":\"2026-11-28T12:00:01Z\",\"author\":\"me\"}", {"at", "author", NULL}},
      {"{\"text\":\"x\",\"at\":\"yesterday\"}", {"at", NULL}},
  };
  for (size_t i = 0; i < TU_COUNT(cases); i++) {
    ferr_init(&e);
    in = tu_json(cases[i].body);
    assert_false(note_validate(in, tu_at(NOW), &n, &e));
    tu_names_exactly(&e, cases[i].fields);
    json_decref(in);
    ferr_free(&e);
  }
}

static void test_allocation(void **state) {
  (void)state;
  struct field_errors e;
  ferr_init(&e);
  struct allocation_input a;
  json_t *in = tu_json("{\"worker\":\" s.whitaker \",\"team\":\" Holmford CSE Team \"}");
  assert_true(allocation_validate(in, &a, &e));
  assert_string_equal(a.worker, "s.whitaker");
  assert_string_equal(a.team, "Holmford CSE Team");
  json_decref(in);
  ferr_free(&e);
  struct refusal cases[] = {
      {"{}", {"worker", "team", NULL}},
      {"{\"worker\":\"x\",\"team\":\" \"}", {"team", NULL}},
      {"{\"worker\":7,\"team\":\"T\",\"since\":\"now\"}", {"worker", "since", NULL}},
  };
  for (size_t i = 0; i < TU_COUNT(cases); i++) {
    ferr_init(&e);
    in = tu_json(cases[i].body);
    assert_false(allocation_validate(in, &a, &e));
    tu_names_exactly(&e, cases[i].fields);
    json_decref(in);
    ferr_free(&e);
  }
}

#define MEETING(extra)                                                                                            \
  "{\"type\":\"cse_meeting\",\"child_ids\":[\"ch_one\",\"ch_two\"],\"held_at\":\"2026-11-20T10:00:00Z\","         \
  "\"attendees\":[{\"name\":\" DC Barker \",\"agency\":\"HFP\",\"role\":\"CSE team\"},{\"name\":\"S. W\",\"agency\":\"HFCSC\"}]," \
  "\"decisions\":\" Disrupt the address. \",\"actions\":[{\"description\":\"Visit\",\"owner\":\"police\",\"due\":\"2026-11-20\"}]" extra "}"

static void test_meeting(void **state) {
  (void)state;
  struct field_errors e;
  ferr_init(&e);
  json_t *in = tu_json(MEETING(""));
  assert_true(meeting_validate(in, tu_at(NOW), &e));
  assert_string_equal(json_string_value(json_object_get(in, "decisions")), "Disrupt the address.");
  assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(in, "attendees"), 0), "name")), "DC Barker");
  json_decref(in);
  in = tu_json("{\"type\":\"strategy_discussion\",\"child_ids\":[\"ch_one\"],\"held_at\":\"2026-11-28T12:00:00Z\","
               "\"attendees\":[{\"name\":\"A\",\"agency\":\"HFP\",\"role\":null}],\"decisions\":\"S47.\"}");
  assert_true(meeting_validate(in, tu_at(NOW), &e));
  json_decref(in);
  ferr_free(&e);

  struct refusal cases[] = {
      {"{}", {"type", "child_ids", "held_at", "attendees", "decisions"}},
      {"{\"type\":\"case_conference\",\"child_ids\":[],\"held_at\":\"2026-11-28T12:00:01Z\",\"attendees\":[],\"decisions\":\"x\"}",
       {"type", "child_ids", "held_at", "attendees", NULL}},
      {"{\"type\":\"cse_meeting\",\"child_ids\":[\"ch_a\",\"ch_a\",\"not an id\"],\"held_at\":\"2026-11-20T10:00:00Z\","
       "\"attendees\":[{\"agency\":\"HFP\"},{\"name\":\"B\",\"agency\":\"HFP\",\"email\":\"x\"}],\"decisions\":\"x\"}",
       {"child_ids", "child_ids[2]", "attendees[0].name", "attendees[1].email", NULL}},
      {"{\"type\":\"cse_meeting\",\"child_ids\":[\"ch_a\"],\"held_at\":\"2026-11-20T10:00:00Z\",\"attendees\":[{\"name\":\"A\",\"agency\":\"HFP\"}],"
       "\"decisions\":\"x\",\"actions\":[{\"description\":\"d\",\"owner\":\"o\",\"due\":\"2026-11-19\"},{\"owner\":\"o\",\"due\":\"2026-02-30\"}]}",
       {"actions[0].due", "actions[1].description", "actions[1].due", NULL}},
  };
  for (size_t i = 0; i < TU_COUNT(cases); i++) {
    ferr_init(&e);
    in = tu_json(cases[i].body);
    assert_false(meeting_validate(in, tu_at(NOW), &e));
    tu_names_exactly(&e, cases[i].fields);
    json_decref(in);
    ferr_free(&e);
  }
  /* The day of the meeting is the UK day: held at 23:30 UTC in summer is the next day in the UK. */
  ferr_init(&e);
  in = tu_json("{\"type\":\"cse_meeting\",\"child_ids\":[\"ch_a\"],\"held_at\":\"2026-07-01T23:30:00Z\",\"attendees\":[{\"name\":\"A\",\"agency\":\"HFP\"}],"
               "\"decisions\":\"x\",\"actions\":[{\"description\":\"d\",\"owner\":\"o\",\"due\":\"2026-07-01\"}]}");
  assert_false(meeting_validate(in, tu_at(NOW), &e));
  tu_names_exactly(&e, (const char *const[]){"actions[0].due", NULL});
  json_decref(in);
  ferr_free(&e);
}

static void test_end_of_day(void **state) {
  (void)state;
  assert_int_equal(casework_end_of_day(tu_day("2026-12-01")), tu_at("2026-12-01T23:59:59Z"));
  assert_int_equal(casework_end_of_day(tu_day("2026-07-01")), tu_at("2026-07-01T22:59:59Z"));
  /* The day the clocks go back is 25 hours long and ends at 23:59:59 GMT. */
  assert_int_equal(casework_end_of_day(tu_day("2026-10-25")), tu_at("2026-10-25T23:59:59Z"));
  assert_int_equal(casework_end_of_day(tu_day("2026-03-28")), tu_at("2026-03-28T23:59:59Z"));
  assert_int_equal(casework_end_of_day(tu_day("2026-03-29")), tu_at("2026-03-29T22:59:59Z"));
}

static void test_complete(void **state) {
  (void)state;
  struct field_errors e;
  ferr_init(&e);
  json_t *in = tu_json("{\"note\":\"  done \"}");
  assert_true(action_complete_validate(in, &e));
  assert_string_equal(json_string_value(json_object_get(in, "note")), "done");
  json_decref(in);
  in = tu_json("{}");
  assert_true(action_complete_validate(in, &e));
  json_decref(in);
  in = tu_json("{\"note\":1,\"by\":\"x\"}");
  assert_false(action_complete_validate(in, &e));
  tu_names_exactly(&e, (const char *const[]){"note", "by", NULL});
  json_decref(in);
  ferr_free(&e);
}

static void test_support(void **state) {
  (void)state;
  int64_t today = tu_day("2026-11-28");
  struct field_errors e;
  ferr_init(&e);
  json_t *in = tu_json("{\"service\":\"isva\",\"status\":\"referred\",\"provider\":\"  Rape Crisis \",\"outcome\":\" \"}");
  assert_true(support_validate(in, false, today, &e));
  assert_string_equal(json_string_value(json_object_get(in, "provider")), "Rape Crisis");
  assert_true(json_is_null(json_object_get(in, "outcome")));
  json_decref(in);
  in = tu_json("{\"engagement\":\"engaging\"}");
  assert_true(support_validate(in, true, today, &e));
  json_decref(in);
  ferr_free(&e);
  struct {
    const char *body;
    bool partial;
    const char *fields[5];
  } cases[] = {
      {"{}", false, {"service", "status", NULL}},
      {"{\"service\":\"yoga\",\"status\":\"maybe\",\"engagement\":\"some\"}", false, {"service", "status", "engagement", NULL}},
      {"{\"service\":\"camhs\",\"status\":\"active\",\"referred_on\":\"2026-11-29\"}", false, {"referred_on", NULL}},
      {"{\"service\":\"camhs\"}", true, {"service", NULL}},
      {"{\"referred_on\":\"2026-02-30\",\"colour\":\"red\"}", true, {"referred_on", "colour", NULL}},
  };
  for (size_t i = 0; i < TU_COUNT(cases); i++) {
    ferr_init(&e);
    in = tu_json(cases[i].body);
    assert_false(support_validate(in, cases[i].partial, today, &e));
    tu_names_exactly(&e, cases[i].fields);
    json_decref(in);
    ferr_free(&e);
  }
  ferr_init(&e);
  assert_true(support_check_record("active", NULL, &e));
  assert_true(support_check_record("closed", "Completed", &e));
  assert_false(support_check_record("closed", "  ", &e));
  assert_non_null(ferr_get(&e, "outcome"));
  ferr_free(&e);
  assert_true(support_transition_ok("referred", "active"));
  assert_true(support_transition_ok("active", "referred"));
  assert_true(support_transition_ok("closed", "closed"));
  assert_false(support_transition_ok("closed", "active"));
  assert_false(support_transition_ok("not_accepted", "referred"));
  /* Every service of the brief is on the list, and nothing else. */
  static const char *const services[] = {"cse_specialist", "isva", "therapeutic", "post_abuse", "sexual_health", "camhs", "outreach"};
  size_t n = 0;
  for (const struct code *c = SUPPORT_SERVICES; c->code; c++) n++;
  assert_int_equal(n, TU_COUNT(services));
  for (size_t i = 0; i < TU_COUNT(services); i++) assert_true(code_valid(SUPPORT_SERVICES, services[i]));
  assert_true(code_valid(MEETING_TYPES, "strategy_discussion") && code_valid(MEETING_TYPES, "cse_meeting"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_note),     cmocka_unit_test(test_allocation), cmocka_unit_test(test_meeting),
      cmocka_unit_test(test_end_of_day), cmocka_unit_test(test_complete), cmocka_unit_test(test_support),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
