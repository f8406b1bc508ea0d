/*
** Health and metrics endpoints: public, and free of personal data.
*/
#include "api/api.h"
#include "http/app.h"
#include "http/metrics.h"

void api_healthz(struct req *r) { resp_text(r, 200, "text/plain; charset=utf-8", "ok\n"); }

void api_metrics(struct req *r) {
  struct buf b = BUF_INIT;
  metrics_render(r->app->metrics, r->app, &b);
  resp_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", buf_cstr(&b));
  buf_free(&b);
}
