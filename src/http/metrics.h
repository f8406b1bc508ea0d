/*
** Prometheus metrics: requests by route and status, a latency histogram,
** and gauges read at scrape time from the database pool and audit writer.
** Counters are atomics so that recording costs no lock.
*/
#ifndef SAFEHUB_HTTP_METRICS_H
#define SAFEHUB_HTTP_METRICS_H
#include <stdint.h>
#include "util/buf.h"

struct app;
struct metrics;

struct metrics *metrics_new(int nroutes);
void metrics_free(struct metrics *m);
void metrics_record(struct metrics *m, int route_index, int status, int64_t micros);
void metrics_render(struct metrics *m, struct app *app, struct buf *out);

#endif
