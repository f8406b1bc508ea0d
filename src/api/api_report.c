/*
** The partnership's reports over the JSON API: the problem profile, the
** aggregate figures for leaders and the board (service/reports.c).
*/
#include <stdlib.h>
#include <jansson.h>
#include "api/api.h"
#include "api/report_api.h"
#include "service/intel.h"
#include "util/buf.h"

/* Enough significant digits for any percentage to one decimal place, and no more (66.7, not 66.700000000000003). */
#define PERCENT_PRECISION 15

/*
** GET /api/v1/reports/problem-profile?from=&to=: 200 with the figures, or
** 422 naming "from" or "to".
*/
void api_problem_profile(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  json_t *out = NULL;
  int rc = svc_problem_profile(r, req_query(r, "from"), req_query(r, "to"), &errs, &out);
  if (!api_answer_failure(r, rc, &errs)) {
    struct buf text = BUF_INIT;
    char *s = json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(PERCENT_PRECISION));
    buf_puts(&text, s ? s : "{}");
    free(s);
    json_decref(out);
    resp_json_text(r, 200, &text);
  }
  ferr_free(&errs);
}
