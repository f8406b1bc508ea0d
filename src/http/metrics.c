/*
** Prometheus metrics (see metrics.h).
*/
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include "http/app.h"
#include "http/http.h"
#include "http/metrics.h"
#include "util/xalloc.h"

static const int STATUSES[] = {200, 201, 204, 302, 303, 304, 400, 401, 403, 404,
                               405, 409, 413, 415, 422, 429, 500, 503};
#define NSTATUS ((int)(sizeof STATUSES / sizeof STATUSES[0]) + 1) /* + "other" */
static const double BUCKETS_MS[] = {1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000};
#define NBUCKETS ((int)(sizeof BUCKETS_MS / sizeof BUCKETS_MS[0]))

struct metrics {
  int nroutes;             /* + 1 slot for "unmatched" */
  atomic_uint_fast64_t *requests; /* [(nroutes+1) * NSTATUS] */
  atomic_uint_fast64_t buckets[NBUCKETS + 1];
  atomic_uint_fast64_t count;
  atomic_uint_fast64_t sum_us;
};

struct metrics *metrics_new(int nroutes) {
  struct metrics *m = xcalloc(1, sizeof *m);
  m->nroutes = nroutes;
  m->requests = xcalloc((size_t)(nroutes + 1) * NSTATUS, sizeof *m->requests);
  return m;
}

void metrics_free(struct metrics *m) {
  if (!m) return;
  free(m->requests);
  free(m);
}

static int status_slot(int status) {
  for (int i = 0; i < NSTATUS - 1; i++) {
    if (STATUSES[i] == status) return i;
  }
  return NSTATUS - 1;
}

/* Counts one request; ROUTE_INDEX -1 for requests that matched no route. */
void metrics_record(struct metrics *m, int route_index, int status, int64_t micros) {
  int r = route_index < 0 || route_index >= m->nroutes ? m->nroutes : route_index;
  atomic_fetch_add_explicit(&m->requests[r * NSTATUS + status_slot(status)], 1, memory_order_relaxed);
  double ms = (double)micros / 1000.0;
  int b = 0;
  while (b < NBUCKETS && ms > BUCKETS_MS[b]) b++;
  atomic_fetch_add_explicit(&m->buckets[b], 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&m->count, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&m->sum_us, (uint_fast64_t)micros, memory_order_relaxed);
}

/* Writes the Prometheus text exposition of every metric to OUT. */
void metrics_render(struct metrics *m, struct app *app, struct buf *out) {
  buf_puts(out, "# HELP safehub_http_requests_total HTTP requests by route and status.\n"
                "# TYPE safehub_http_requests_total counter\n");
  for (int r = 0; r <= m->nroutes; r++) {
    const struct route *rt = r < m->nroutes ? router_at(r) : NULL;
    for (int s = 0; s < NSTATUS; s++) {
      uint64_t v = atomic_load_explicit(&m->requests[r * NSTATUS + s], memory_order_relaxed);
      if (!v) continue;
      char status[8];
      if (s < NSTATUS - 1) snprintf(status, sizeof status, "%d", STATUSES[s]);
      else snprintf(status, sizeof status, "other");
      buf_printf(out, "safehub_http_requests_total{method=\"%s\",route=\"%s\",status=\"%s\"} %llu\n",
                 rt ? rt->method : "", rt ? rt->pattern : "unmatched", status, (unsigned long long)v);
    }
  }
  buf_puts(out, "# HELP safehub_http_request_duration_seconds Time to answer a request.\n"
                "# TYPE safehub_http_request_duration_seconds histogram\n");
  uint64_t cum = 0;
  for (int b = 0; b < NBUCKETS; b++) {
    cum += atomic_load_explicit(&m->buckets[b], memory_order_relaxed);
    buf_printf(out, "safehub_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n", BUCKETS_MS[b] / 1000.0,
               (unsigned long long)cum);
  }
  cum += atomic_load_explicit(&m->buckets[NBUCKETS], memory_order_relaxed);
  buf_printf(out, "safehub_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)cum);
  buf_printf(out, "safehub_http_request_duration_seconds_sum %.6f\n",
             (double)atomic_load_explicit(&m->sum_us, memory_order_relaxed) / 1e6);
  buf_printf(out, "safehub_http_request_duration_seconds_count %llu\n",
             (unsigned long long)atomic_load_explicit(&m->count, memory_order_relaxed));
  if (app->pool) {
    int size, in_use;
    uint64_t waits, acquired;
    db_pool_stats(app->pool, &size, &in_use, &waits, &acquired);
    buf_printf(out,
               "# HELP safehub_db_pool_size Database connections the pool may open.\n"
               "# TYPE safehub_db_pool_size gauge\nsafehub_db_pool_size %d\n"
               "# HELP safehub_db_pool_in_use Database connections in use.\n"
               "# TYPE safehub_db_pool_in_use gauge\nsafehub_db_pool_in_use %d\n"
               "# HELP safehub_db_pool_waits_total Times a request waited for a connection.\n"
               "# TYPE safehub_db_pool_waits_total counter\nsafehub_db_pool_waits_total %llu\n"
               "# HELP safehub_db_pool_acquired_total Connections handed out.\n"
               "# TYPE safehub_db_pool_acquired_total counter\nsafehub_db_pool_acquired_total %llu\n",
               size, in_use, (unsigned long long)waits, (unsigned long long)acquired);
  }
  if (app->audit) {
    struct audit_writer_stats st;
    audit_writer_stats(app->audit, &st);
    buf_printf(out,
               "# HELP safehub_audit_queue_entries Audit entries waiting to be made durable.\n"
               "# TYPE safehub_audit_queue_entries gauge\nsafehub_audit_queue_entries %llu\n"
               "# HELP safehub_audit_batches_total Audit batches made durable (spooled, or committed to the log).\n"
               "# TYPE safehub_audit_batches_total counter\nsafehub_audit_batches_total %llu\n"
               "# HELP safehub_audit_entries_total Audit entries made durable by the batch writer.\n"
               "# TYPE safehub_audit_entries_total counter\nsafehub_audit_entries_total %llu\n"
               "# HELP safehub_audit_failures_total Audit batches that could not be made durable.\n"
               "# TYPE safehub_audit_failures_total counter\nsafehub_audit_failures_total %llu\n"
               "# HELP safehub_audit_unmoved_entries Spooled audit entries not yet in the log table.\n"
               "# TYPE safehub_audit_unmoved_entries gauge\nsafehub_audit_unmoved_entries %llu\n"
               "# HELP safehub_audit_moves_total Transactions moving spooled entries into the log table.\n"
               "# TYPE safehub_audit_moves_total counter\nsafehub_audit_moves_total %llu\n"
               "# HELP safehub_audit_moved_entries_total Spooled entries moved into the log table.\n"
               "# TYPE safehub_audit_moved_entries_total counter\nsafehub_audit_moved_entries_total %llu\n"
               "# HELP safehub_audit_move_failures_total Moves that failed and will be tried again.\n"
               "# TYPE safehub_audit_move_failures_total counter\nsafehub_audit_move_failures_total %llu\n"
               "# HELP safehub_audit_spool_rewrites_total Times the spool was rewritten without its moved entries.\n"
               "# TYPE safehub_audit_spool_rewrites_total counter\nsafehub_audit_spool_rewrites_total %llu\n",
               (unsigned long long)st.queued, (unsigned long long)st.batches, (unsigned long long)st.entries,
               (unsigned long long)st.failures, (unsigned long long)st.unmoved, (unsigned long long)st.moves,
               (unsigned long long)st.moved, (unsigned long long)st.move_failures,
               (unsigned long long)st.spool_rewrites);
  }

}
