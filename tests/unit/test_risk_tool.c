/*
** Tests of the risk tool definition loader (core/risk_tool.c): the shipped
** definition loads and renders as the contract's GET /api/v1/risk/tool
** answer; a malformed definition is refused naming the line of the mistake
** (the right occurrence when a code appears more than once) and the reason;
** a file that cannot be read names the file.
*/
#include "testutil.h"
#include <errno.h>
#include "core/risk_tool.h"
#include "util/embedded.h"

/* A small valid definition, one entry per line so that lines can be asserted. */
static const char *const GOOD[] = {
    "{",                                                                                              /* 1 */
    "  \"name\": \"Test tool\",",                                                                     /* 2 */
    "  \"version\": \"1\",",                                                                          /* 3 */
    "  \"groups\": [{\"code\": \"g\", \"label\": \"Group\"}],",                                       /* 4 */
    "  \"recency\": [",                                                                               /* 5 */
    "    {\"code\": \"now\", \"label\": \"Now\", \"within_months\": 6},",                             /* 6 */
    "    {\"code\": \"before\", \"label\": \"Before\", \"within_months\": 12}",                       /* 7 */
    "  ],",                                                                                           /* 8 */
    "  \"indicators\": [",                                                                            /* 9 */
    "    {\"code\": \"A1\", \"group\": \"g\", \"label\": \"First\", \"weight\": {\"now\": 5, \"before\": 1}},", /* 10 */
    "    {\"code\": \"A2\", \"group\": \"g\", \"label\": \"Second\", \"weight\": {\"now\": 1, \"before\": 0}}", /* 11 */
    "  ],",                                                                                           /* 12 */
    "  \"levels\": [",                                                                                /* 13 */
    "    {\"code\": \"low\", \"label\": \"Low\", \"min_score\": 0, \"review_days\": 90},",            /* 14 */
    "    {\"code\": \"high\", \"label\": \"High\", \"min_score\": 5, \"review_days\": 30}",           /* 15 */
    "  ],",                                                                                           /* 16 */
    "  \"overrides\": [{\"indicator\": \"A2\", \"level\": \"high\", \"reason\": \"Always high\"}],",  /* 17 */
    "  \"exploitation_types\": [{\"code\": \"peer\", \"label\": \"Peer\"}]",                          /* 18 */
    "}",                                                                                              /* 19 */
};

/* The definition with line LINE (1-based) replaced by REPLACEMENT (NULL: unchanged); caller frees. */
static char *with_line(int line, const char *replacement) {
  size_t cap = 4096;
  char *out = malloc(cap);
  out[0] = '\0';
  for (size_t i = 0; i < TU_COUNT(GOOD); i++) {
    const char *text = (int)i + 1 == line && replacement ? replacement : GOOD[i];
    strncat(out, text, cap - strlen(out) - 2);
    strcat(out, "\n");
  }
  return out;
}

/* Parses TEXT expecting refusal; the error must be exactly WANT. */
static void refused(const char *text, const char *want) {
  struct risk_tool t;
  char err[400] = "";
  assert_int_equal(risk_tool_parse(text, strlen(text), &t, err, sizeof err), -1);
  assert_string_equal(err, want);
  assert_null(t.doc);
  assert_int_equal(t.nindicators, 0);
}

/* Replaces line LINE with REPLACEMENT and expects the error WANT. */
static void refused_line(int line, const char *replacement, const char *want) {
  char *text = with_line(line, replacement);
  refused(text, want);
  free(text);
}

static void test_good(void **state) {
  (void)state;
  char *text = with_line(0, NULL);
  struct risk_tool t;
  char err[400];
  assert_int_equal(risk_tool_parse(text, strlen(text), &t, err, sizeof err), 0);
  assert_int_equal(t.nindicators, 2);
  assert_int_equal(t.within_months[1], 12);
  assert_int_equal(risk_tool_level_index(&t, "high"), 1);
  assert_int_equal(risk_tool_recency(&t, "before"), 1);
  assert_string_equal(risk_tool_group_label(&t, "g"), "Group");
  assert_null(risk_tool_type_label(&t, "online"));
  risk_tool_free(&t);
  risk_tool_free(&t); /* freeing twice is harmless */
  free(text);
}

static void test_not_json(void **state) {
  (void)state;
  refused_line(11, "    {\"code\": \"A2\",, }", "line 11, column 19: string or '}' expected near ','");
  refused("", "line 1, column 0: '[' or '{' expected near end of file");
  refused_line(3, "  \"version\": \"1\", \"version\": \"2\",", "line 3, column 27: duplicate object key near '\"version\"'");
}

static void test_top_level(void **state) {
  (void)state;
  refused("[]", "line 1: the definition must be a JSON object");
  refused_line(3, "  \"version\": \"\",", "line 3: \"version\" must be a non-empty string of at most 40 bytes");
  refused_line(2, "  \"nmae\": \"Test tool\",", "line 2: unknown key \"nmae\"");
  refused_line(4, "  \"groups\": [],", "line 4: \"groups\" must be a non-empty list");
  refused_line(5, "  \"recency\": [], \"x\": [", "line 5: unknown key \"x\"");
}

static void test_indicators(void **state) {
  (void)state;
  /* The second A1 is named on its own line, not the first's. */
  refused_line(11, "    {\"code\": \"A1\", \"group\": \"g\", \"label\": \"Again\", \"weight\": {\"now\": 1, \"before\": 0}}",
               "line 11: indicator code 'A1' is used twice");
  refused_line(11, "    {\"code\": \"A2\", \"group\": \"h\", \"label\": \"Second\", \"weight\": {\"now\": 1, \"before\": 0}}",
               "line 11: indicator 'A2' names a group that is not in \"groups\"");
  refused_line(11, "    {\"code\": \"A2\", \"group\": \"g\", \"label\": \"Second\", \"weight\": {\"now\": 1}}",
               "line 11: indicator 'A2' needs a whole-number weight from 0 to 100 for recency 'before'");
  refused_line(11, "    {\"code\": \"A2\", \"group\": \"g\", \"label\": \"Second\", \"weight\": {\"now\": 101, \"before\": 0}}",
               "line 11: indicator 'A2' needs a whole-number weight from 0 to 100 for recency 'now'");
  refused_line(11, "    {\"code\": \"A2\", \"group\": \"g\", \"label\": \"Second\", \"weight\": {\"now\": 1, \"before\": 0, \"later\": 1}}",
               "line 11: indicator 'A2' gives a weight for 'later', which is not a recency band");
  refused_line(11, "    {\"code\": \"A 2\", \"group\": \"g\", \"label\": \"Second\", \"weight\": {\"now\": 1, \"before\": 0}}",
               "line 11: indicator 2 needs a code of 1 to 32 letters, digits, '_' or '-'");
  refused_line(11, "    {\"code\": \"A2\", \"group\": \"g\", \"label\": \"\", \"weight\": {\"now\": 1, \"before\": 0}}",
               "line 11: indicator 'A2' needs a label of 1 to 200 bytes");
  refused_line(11, "    {\"code\": \"A2\", \"group\": \"g\", \"label\": \"Second\", \"wieght\": {}}",
               "line 11: indicator 2 has an unknown key \"wieght\"");
  refused_line(10, "    {\"code\": \"A1\", \"group\": \"g\", \"label\": \"First\", \"weight\": 5},",
               "line 10: indicator 'A1' needs \"weight\" by recency");
}

static void test_recency(void **state) {
  (void)state;
  refused_line(7, "    {\"code\": \"before\", \"label\": \"Before\", \"within_months\": 6}",
               "line 7: recency band 'before': within_months must rise from one band to the next, and every band before "
               "it needs one");
  refused_line(7, "    {\"code\": \"now\", \"label\": \"Before\", \"within_months\": 12}", "line 7: recency band 'now' is listed twice");
  refused_line(6, "    {\"code\": \"now\", \"label\": \"Now\", \"within_months\": 0},",
               "line 6: recency band 'now': within_months must be a whole number from 1 to 600");
}

static void test_levels(void **state) {
  (void)state;
  refused_line(14, "    {\"code\": \"low\", \"label\": \"Low\", \"min_score\": 1, \"review_days\": 90},",
               "line 14: the first level ('low') must start at min_score 0");
  refused_line(15, "    {\"code\": \"high\", \"label\": \"High\", \"min_score\": 0, \"review_days\": 30}",
               "line 15: levels must rise: 'high' starts at or below the level before it");
  refused_line(15, "    {\"code\": \"high\", \"label\": \"High\", \"min_score\": 5, \"review_days\": 400}",
               "line 15: level 'high' needs whole-number review_days from 1 to 366");
  refused_line(15, "    {\"code\": \"low\", \"label\": \"High\", \"min_score\": 5, \"review_days\": 30}",
               "line 15: level 'low' is listed twice");
}

static void test_overrides_and_types(void **state) {
  (void)state;
  refused_line(17, "  \"overrides\": [{\"indicator\": \"A9\", \"level\": \"high\", \"reason\": \"x\"}],",
               "line 17: override 1 must name an indicator of this tool");
  refused_line(17, "  \"overrides\": [{\"indicator\": \"A2\", \"level\": \"severe\", \"reason\": \"x\"}],",
               "line 17: override 1 must name a level of this tool");
  refused_line(17, "  \"overrides\": [{\"indicator\": \"A2\", \"level\": \"high\"}],",
               "line 17: override 1 needs a reason of 1 to 500 bytes");
  refused_line(18, "  \"exploitation_types\": [{\"code\": \"peer\", \"label\": \"Peer\"}, {\"code\": \"peer\", \"label\": \"Again\"}]",
               "line 18: code 'peer' is used twice in \"exploitation_types\"");
  refused_line(18, "  \"exploitation_types\": [], \"missing_episode_indicator\": \"A9\"",
               "line 18: \"missing_episode_indicator\" must name an indicator of this tool");
}

/* A file: the error names the file as well as the line; a missing file says why. */
static void test_load_file(void **state) {
  (void)state;
  char dir[PATH_MAX], path[PATH_MAX];
  tu_mkdtemp(dir);
  tu_path(path, dir, "tool.json");
  char *text = with_line(15, "    {\"code\": \"high\", \"label\": \"High\", \"min_score\": 0, \"review_days\": 30}");
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
  free(text);
  struct risk_tool t;
  char err[600], want[PATH_MAX + 100];
  assert_int_equal(risk_tool_load(path, &t, err, sizeof err), -1);
  snprintf(want, sizeof want, "%s: line 15: levels must rise: 'high' starts at or below the level before it", path);
  assert_string_equal(err, want);
  tu_path(path, dir, "absent.json");
  assert_int_equal(risk_tool_load(path, &t, err, sizeof err), -1);
  snprintf(want, sizeof want, "%s: %s", path, strerror(ENOENT));
  assert_string_equal(err, want);
  tu_rmtree(dir);
}

/* The contract's answer: {"version","indicators":[{"code","label","weight","group"}],"levels":[...]} and more. */
static void test_json(void **state) {
  (void)state;
  const struct embedded_file *f = embedded_find("risk-tool.json");
  assert_non_null(f);
  struct risk_tool t;
  char err[400];
  assert_int_equal(risk_tool_parse(f->data, f->len, &t, err, sizeof err), 0);
  json_t *j = risk_tool_json(&t);
  assert_string_equal(json_string_value(json_object_get(j, "version")), "2026.1");
  json_t *inds = json_object_get(j, "indicators");
  assert_int_equal(json_array_size(inds), 35);
  json_t *s01 = json_array_get(inds, 24);
  assert_string_equal(json_string_value(json_object_get(s01, "code")), "S01");
  assert_string_equal(json_string_value(json_object_get(s01, "group")), "significant");
  assert_int_equal(json_integer_value(json_object_get(s01, "weight")), 5);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(s01, "weight_by_recency"), "6_12_months")), 1);
  assert_non_null(json_object_get(s01, "label"));
  assert_int_equal(json_array_size(json_object_get(j, "levels")), 4);
  assert_int_equal(json_array_size(json_object_get(j, "exploitation_types")), 4);
  assert_int_equal(json_array_size(json_object_get(j, "overrides")), 1);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(j, "recency"), 0), "within_months")), 6);
  json_decref(j);
  risk_tool_free(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_good),        cmocka_unit_test(test_not_json),           cmocka_unit_test(test_top_level),
      cmocka_unit_test(test_indicators),  cmocka_unit_test(test_recency),            cmocka_unit_test(test_levels),
      cmocka_unit_test(test_overrides_and_types), cmocka_unit_test(test_load_file), cmocka_unit_test(test_json),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
