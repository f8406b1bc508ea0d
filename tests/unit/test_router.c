/*
** Unit tests for http/router: matching paths against patterns with {param}
** segments (capture, refusal of odd characters and over-long ids, trailing
** slashes, prefixes), and properties of the real route table: every route
** is reachable at its own path, no parameter route shadows a fixed path,
** HEAD is served by GET, a wrong method is reported for 405, and every
** form route declares the fields it accepts while no other route does.
*/
#include "testutil.h"

#include "http/http.h"

/* Matches PATH against PATTERN; on a match checks the captured params against the NULL-ended WANT. */
static bool matches(const char *pattern, const char *path, const char *const *want) {
  char params[ROUTE_MAX_PARAMS][PARAM_MAX];
  int n = -1;
  bool ok = router_path_matches(pattern, path, params, &n);
  if (ok && want) {
    int i = 0;
    for (; want[i]; i++) {
      if (i >= n) fail_msg("%s: only %d params", path, n);
      if (strcmp(params[i], want[i]) != 0) fail_msg("%s: param %d is '%s', want '%s'", path, i, params[i], want[i]);
    }
    assert_int_equal(n, i);
  }
  return ok;
}

/* Fixed paths match exactly: no prefixes, no trailing slash. */
static void test_fixed_paths(void **state) {
  (void)state;
  static const char *const none[] = {NULL};
  assert_true(matches("/healthz", "/healthz", none));
  assert_false(matches("/healthz", "/healthz/", NULL));
  assert_false(matches("/healthz", "/healthzx", NULL));
  assert_false(matches("/healthz", "/health", NULL));
  assert_false(matches("/healthz", "", NULL));
  assert_false(matches("/healthz", "/HEALTHZ", NULL));
  assert_true(matches("/", "/", none));
  assert_false(matches("/", "//", NULL));
}

/* Parameters are captured in order. */
static void test_params_captured(void **state) {
  (void)state;
  static const char *const one[] = {"ch_abc123", NULL};
  assert_true(matches("/api/v1/children/{id}", "/api/v1/children/ch_abc123", one));
  static const char *const two[] = {"ch_x", "ra-9", NULL};
  assert_true(matches("/api/v1/children/{id}/risk-assessments/{rid}", "/api/v1/children/ch_x/risk-assessments/ra-9", two));
  static const char *const mid[] = {"ch_q", NULL};
  assert_true(matches("/children/{id}/edit", "/children/ch_q/edit", mid));
  assert_false(matches("/children/{id}/edit", "/children/ch_q/edit/", NULL));
  assert_false(matches("/children/{id}/edit", "/children/ch_q/editx", NULL));
  assert_false(matches("/children/{id}/edit", "/children/ch_q", NULL));
  /* A 64-character id is the longest accepted. */
  char path[200], id[80];
  memset(id, 'a', 64);
  id[64] = '\0';
  snprintf(path, sizeof path, "/api/v1/children/%s", id);
  const char *const longest[] = {id, NULL};
  assert_true(matches("/api/v1/children/{id}", path, longest));
  strcat(path, "a");
  assert_false(matches("/api/v1/children/{id}", path, NULL));
  /* Far longer than a parameter can hold. */
  char huge[400] = "/api/v1/children/";
  memset(huge + strlen(huge), 'b', 300);
  assert_false(matches("/api/v1/children/{id}", huge, NULL));
}

/* Anything but letters, digits, '_' and '-' in a parameter is refused, as is an empty one. */
static void test_params_refused(void **state) {
  (void)state;
  static const char *const bad[] = {
      "/api/v1/children/",        "/api/v1/children/..",      "/api/v1/children/a.b",
      "/api/v1/children/a%2Fb",   "/api/v1/children/a;b",     "/api/v1/children/a b",
      "/api/v1/children/caf\xc3\xa9", "/api/v1/children/a'b", "/api/v1/children/<x>",
      "/api/v1/children/a\\b",    "/api/v1/children/abc/",    "/api/v1/children/abc/extra",
      "/api/v1/children",         "/api/v1/children//",       "/api/v1/childrenx/abc",
  };
  for (size_t i = 0; i < TU_COUNT(bad); i++) {
    if (matches("/api/v1/children/{id}", bad[i], NULL)) fail_msg("matched '%s'", bad[i]);
  }
  /* More parameters than a request can hold never match. */
  assert_false(matches("/{a}/{b}/{c}/{d}/{e}", "/a/b/c/d/e", NULL));
  static const char *const four[] = {"a", "b", "c", "d", NULL};
  assert_true(matches("/{a}/{b}/{c}/{d}", "/a/b/c/d", four));
}

/* The route's path with each {param} replaced by "id_1". */
static void concrete_path(const char *pattern, char *out, size_t cap) {
  size_t o = 0;
  for (const char *p = pattern; *p && o + 8 < cap;) {
    if (*p == '{') {
      memcpy(out + o, "id_1", 4);
      o += 4;
      p = strchr(p, '}') + 1;
    } else {
      out[o++] = *p++;
    }
  }
  out[o] = '\0';
}

/* Every route answers at its own path, and a fixed path is never captured by an earlier parameter route. */
static void test_route_table_reachable(void **state) {
  (void)state;
  int n = router_count();
  assert_true(n > 10);
  for (int i = 0; i < n; i++) {
    const struct route *rt = router_at(i);
    assert_non_null(rt->method);
    assert_true(rt->pattern[0] == '/');
    char path[512];
    concrete_path(rt->pattern, path, sizeof path);
    char params[ROUTE_MAX_PARAMS][PARAM_MAX];
    int np = 0, idx = -1;
    bool mismatch = false;
    const struct route *got = router_match(rt->method, path, params, &np, &idx, &mismatch);
    if (!got) fail_msg("%s %s is unreachable", rt->method, rt->pattern);
    if (!strchr(rt->pattern, '{') && strcmp(got->pattern, rt->pattern) != 0) {
      fail_msg("%s %s is shadowed by %s", rt->method, rt->pattern, got->pattern);
    }
    if (got != rt && strcmp(got->pattern, rt->pattern) == 0) {
      fail_msg("%s %s is declared twice", rt->method, rt->pattern);
    }
    assert_ptr_equal(router_at(idx), got);
  }
}

/* HEAD is served by GET routes; an unknown method on a known path is a mismatch (405), an unknown path is not. */
static void test_route_methods(void **state) {
  (void)state;
  char params[ROUTE_MAX_PARAMS][PARAM_MAX];
  int np = 0, idx = -1;
  bool mismatch = true;
  const struct route *get = router_match("GET", "/healthz", params, &np, &idx, &mismatch);
  assert_non_null(get);
  assert_false(mismatch);
  const struct route *head = router_match("HEAD", "/healthz", params, &np, &idx, &mismatch);
  assert_ptr_equal(head, get);
  assert_null(router_match("DELETE", "/healthz", params, &np, &idx, &mismatch));
  assert_true(mismatch);
  assert_null(router_match("GET", "/no/such/page", params, &np, &idx, &mismatch));
  assert_false(mismatch);
  assert_int_equal(np, 0);
  /* A child's API path takes its id as the first parameter. */
  const struct route *child = router_match("GET", "/api/v1/children/ch_abc", params, &np, &idx, &mismatch);
  assert_non_null(child);
  assert_int_equal(np, 1);
  assert_string_equal(params[0], "ch_abc");
}

/*
** Every ROUTE_FORM route declares its form fields (an empty list when its
** form is only a button) and no other route declares any; each entry is a
** name, or a prefix ending in one '*', and csrf_token is never listed.
*/
static void test_route_form_fields_declared(void **state) {
  (void)state;
  int n = router_count(), forms = 0;
  for (int i = 0; i < n; i++) {
    const struct route *rt = router_at(i);
    if (!(rt->flags & ROUTE_FORM)) {
      if (rt->form) fail_msg("%s %s declares form fields but takes no form", rt->method, rt->pattern);
      continue;
    }
    forms++;
    if (!rt->form) fail_msg("%s %s takes a form but declares no form fields", rt->method, rt->pattern);
    for (const char *const *f = rt->form; *f; f++) {
      size_t len = strlen(*f);
      const char *star = strchr(*f, '*');
      if (len == 0 || (star && (star != *f + len - 1 || len == 1)))
        fail_msg("%s %s: bad form field entry '%s'", rt->method, rt->pattern, *f);
      if (!strcmp(*f, "csrf_token")) fail_msg("%s %s lists csrf_token, which is always accepted", rt->method, rt->pattern);
    }
  }
  assert_true(forms > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fixed_paths),          cmocka_unit_test(test_params_captured),
      cmocka_unit_test(test_params_refused),       cmocka_unit_test(test_route_table_reachable),
      cmocka_unit_test(test_route_methods),        cmocka_unit_test(test_route_form_fields_declared),
  };
  return cmocka_run_group_tests_name("router", tests, NULL, NULL);
}
