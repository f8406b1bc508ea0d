/*
** The HTTP server: libmicrohttpd with a thread pool on epoll, and the request
** pipeline every request passes through in this order:
**
**   body (capped: 413 past max_body) -> static assets -> route (404/405)
**   -> query allowlist (400/422) -> authentication (401) -> role (403)
**   -> same-origin and CSRF for unsafe methods (403) -> body syntax
**   (400/415) -> handler -> audit -> response with security headers.
**
** Reads are audited before their response leaves: the request's entries go to
** the batching writer and the connection is suspended until the writer has
** made them durable (then resumed from the writer's thread), so a pool thread
** is never held waiting for a disk flush.  If the audit cannot be written the
** response is replaced by a 503: nothing is shown that was not recorded.
** Before a change (an unsafe method) the writer's spool is flushed into the
** log, so that the change's entries follow those of reads answered before it;
** the connection is suspended meanwhile, so the pool thread serves others.
**
** Shutdown on SIGTERM/SIGINT: stop accepting, let requests in flight finish
** (up to 30 s), then stop the daemon and flush the audit writer.
*/
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <microhttpd.h>
#include <sodium.h>
#include "http/accesslog.h"
#include "http/app.h"
#include "http/assets.h"
#include "http/credcache.h"
#include "http/auth.h"
#include "http/http.h"
#include "http/metrics.h"
#include "http/request.h"
#include "web/web.h"
#include "jobs/jobs.h"
#include "store/store.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

/*
** A request's life: its body arrives (RS_BODY); a change may wait, suspended,
** for the audit spool to reach the log (RS_FLUSHING, then RS_FLUSHED when its
** handler is due); a request with audit entries waits, suspended, for them to
** be durable (RS_SUSPENDED, then RS_RESUMED); then its response is queued.
*/
enum { RS_NEW, RS_BODY, RS_FLUSHING, RS_FLUSHED, RS_SUSPENDED, RS_RESUMED, RS_SENT };

static atomic_int in_flight;
/*
** Set when shutdown begins.  A request counts itself in IN_FLIGHT before it
** reads STOPPING (both sequentially consistent), and shutdown sets STOPPING
** before it waits for IN_FLIGHT to drain: so a request either is waited for
** or sees STOPPING and commits its audit entries without suspending its
** connection (libmicrohttpd must not be stopped with one suspended).
*/
static atomic_bool stopping;

static int64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void client_ip(struct req *r) {
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  r->ip[0] = '\0';
  bool loopback = false;
  if (ci && ci->client_addr) {
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET) {
      const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
      inet_ntop(AF_INET, &in->sin_addr, r->ip, sizeof r->ip);
      loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    } else if (sa->sa_family == AF_INET6) {
      const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
      inet_ntop(AF_INET6, &in6->sin6_addr, r->ip, sizeof r->ip);
      loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
    }
  }
  /* Behind a reverse proxy on this host, the client is the last hop it saw. */
  if (r->app->cfg->trust_proxy && loopback) {
    const char *xff = req_header(r, "X-Forwarded-For");
    if (xff) {
      const char *last = strrchr(xff, ',');
      last = last ? last + 1 : xff;
      while (*last == ' ') last++;
      char tmp[64];
      snprintf(tmp, sizeof tmp, "%s", last);
      struct in6_addr a6;
      struct in_addr a4;
      if (inet_pton(AF_INET, tmp, &a4) == 1 || inet_pton(AF_INET6, tmp, &a6) == 1) {
        snprintf(r->ip, sizeof r->ip, "%s", tmp);
      }
    }
  }
}

/*
** Request ids: a counter under SipHash with a key drawn at start, so they are
** unique in a run, reveal nothing of the traffic and cost no system call.
*/
static uint8_t request_id_key[crypto_shorthash_KEYBYTES];
static atomic_uint_fast64_t request_count;

static void request_id(char out[24]) {
  uint64_t n = atomic_fetch_add(&request_count, 1);
  uint8_t in[8], h[crypto_shorthash_BYTES];
  for (int i = 0; i < 8; i++) in[i] = (uint8_t)(n >> (8 * i));
  crypto_shorthash(h, in, sizeof in, request_id_key);
  hex_encode(h, sizeof h, out);
}

static struct req *req_new(struct app *app, struct MHD_Connection *conn, const char *method, const char *url) {
  struct req *r = xcalloc(1, sizeof *r);
  r->app = app;
  r->conn = conn;
  r->method = method;
  r->url = xstrdup(url);
  r->route_index = -1;
  r->status = 500;
  r->start_ns = mono_ns();
  request_id(r->request_id);
  client_ip(r);
  atomic_fetch_add(&in_flight, 1);
  return r;
}

static void release_db(struct req *r) {
  if (r->db) {
    db_pool_put(r->app->pool, r->db);
    r->db = NULL;
  }
}

/*
** After the request's audit entries could not be written: what the response
** was to hand over must not be handed over.  Its cookies are dropped and a
** session it started is ended, so nobody is signed in without a record of
** it.  Runs on a pool thread (it may use the database).
*/
static void undo_unaudited(struct req *r) {
  for (int i = 0; i < r->nset_cookie; i++) free(r->set_cookie[i]);
  r->nset_cookie = 0;
  if (r->started_session[0]) {
    struct db *db = req_db(r);
    if (!db || store_session_delete(db, r->started_session) != DB_OK)
      log_error("audit: a session whose sign-in could not be audited could not be ended either");
    credcache_forget(r->app->creds, r->started_session);
    r->started_session[0] = '\0';
    release_db(r);
  }
}

static void req_free(struct req *r) {
  release_db(r);
  audit_rows_free(r->audit, r->naudit);
  free(r->audit);
  json_decref(r->query);
  json_decref(r->json);
  json_decref(r->form);
  buf_free(&r->body);
  buf_free(&r->out);
  free(r->content_type);
  free(r->location);
  free(r->etag);
  for (int i = 0; i < r->nset_cookie; i++) free(r->set_cookie[i]);
  free(r->url);
  sodium_memzero(&r->who, sizeof r->who);
  free(r);
  atomic_fetch_sub(&in_flight, 1);
}

static void add_security_headers(struct req *r, struct MHD_Response *resp) {
  MHD_add_response_header(resp, "Content-Security-Policy",
                          "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                          "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                          "form-action 'self'; frame-ancestors 'none'");
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  /* same-origin, not no-referrer: under no-referrer browsers send "Origin: null"
     on our own form posts, and the same-origin check could not tell them from
     a forgery.  Other sites still receive no Referer (no record id leaks). */
  MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
  MHD_add_response_header(resp, "X-Frame-Options", "DENY");
  MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
  MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
  MHD_add_response_header(resp, "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
  if (r->app->tls || r->app->secure_cookies) {
    MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  }
}

/* Hands the recorded response to MHD. */
static enum MHD_Result send_response(struct req *r) {
  size_t len = r->out.len;
  r->bytes_sent = len;
  char *body = buf_steal(&r->out);
  struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
  if (!resp) {
    free(body);
    return MHD_NO;
  }
  if (r->content_type) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
  add_security_headers(r, resp);
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
                          r->cacheable ? "public, max-age=3600" : "no-store");
  if (r->etag) MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, r->etag);
  if (r->location) MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
  for (int i = 0; i < r->nset_cookie; i++) MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->set_cookie[i]);
  if (r->status == 429) {
    char retry[24];
    snprintf(retry, sizeof retry, "%lld", (long long)(r->retry_after > 0 ? r->retry_after : 60));
    MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, retry);
  }
  if (r->status == 405 && r->allow[0]) MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
  MHD_add_response_header(resp, "X-Request-Id", r->request_id);
  enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
  MHD_destroy_response(resp);
  r->state = RS_SENT;
  return ret;
}

static void serve_asset(struct req *r) {
  const struct asset *a = assets_find(r->app->assets, r->url + strlen("/assets/"));
  if (!a || strstr(r->url, "..")) {
    resp_text(r, 404, "text/plain; charset=utf-8", "Not found\n");
    return;
  }
  const char *inm = req_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
  r->cacheable = true;
  r->etag = xstrdup(a->etag);
  if (inm && strcmp(inm, a->etag) == 0) {
    r->status = 304;
    buf_reset(&r->out);
    return;
  }
  r->status = 200;
  free(r->content_type);
  r->content_type = xstrdup(a->type);
  buf_reset(&r->out);
  buf_append(&r->out, a->data, a->len);
}

static bool unsafe_method(const char *m) {
  return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

static void refuse_unauthenticated(struct req *r, int why) {
  if (why == AUTH_ERROR) {
    resp_db_error(r);
    return;
  }
  if (why != AUTH_NONE_GIVEN) req_audit(r, "access.unauthenticated", "route", r->route->pattern, "denied", NULL);
  if (r->route->flags & ROUTE_HTML) {
    resp_redirect(r, why == AUTH_EXPIRED ? "/sign-in?expired=1" : "/sign-in");
    return;
  }
  resp_error(r, 401, why == AUTH_EXPIRED ? "session_expired" : "unauthenticated",
             why == AUTH_EXPIRED ? "Your session has ended. Sign in again." : "Sign in to use this.");
}

/* The audit spool is in the log (or given up on): the change's handler may run; see process(). */
static void flushed(void *arg, bool ok) {
  struct req *r = arg;
  (void)ok; /* not ok is logged by the writer; the change goes ahead, as the order is only at risk */
  r->state = RS_FLUSHED;
  MHD_resume_connection(r->conn);
}

/*
** Runs the pipeline described at the top of this file, up to the handler's
** response.  False when the connection was suspended before the handler ran
** (a change waiting for the audit spool); on_request runs the handler when it
** is resumed.
*/
static bool process(struct req *r) {
  if (strncmp(r->url, "/assets/", 8) == 0 && (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD"))) {
    serve_asset(r);
    return true;
  }
  if (r->body_too_big) {
    resp_error(r, 413, "too_large", "The request body is too large.");
    return true;
  }
  bool wrong_method = false;
  r->route = router_match(r->method, r->url, r->params, &r->nparams, &r->route_index, &wrong_method);
  if (!r->route) {
    if (wrong_method) {
      bool html = false;
      router_allowed(r->url, r->allow, sizeof r->allow, &html);
      if (html) web_error_page(r, 405, "That method is not allowed here.");
      else resp_json(r, 405, json_pack("{s:{s:s,s:s}}", "error", "code", "method_not_allowed", "message",
                                        "That method is not allowed here."));
      return true;
    }
    /* A web 404 still shows who is signed in, so the page keeps its navigation. */
    if (!req_is_api(r) && auth_authenticate(r) == AUTH_ERROR) memset(&r->who, 0, sizeof r->who);
    resp_error(r, 404, "not_found", "There is nothing here.");
    return true;
  }
  if (req_parse_query(r) != 0) return true;
  const struct route *rt = r->route;
  int auth = auth_authenticate(r);
  if (auth == AUTH_ERROR) {
    resp_db_error(r);
    return true;
  }
  if (!(rt->flags & ROUTE_PUBLIC)) {
    if (auth != AUTH_OK) {
      refuse_unauthenticated(r, auth);
      return true;
    }
    if (strcmp(r->who.stage, "full") != 0 && !(rt->flags & ROUTE_SECOND_FACTOR)) {
      if (rt->flags & ROUTE_HTML) resp_redirect(r, "/sign-in/second-factor");
      else resp_error(r, 401, "second_factor_required", "Complete the second sign-in step first.");
      return true;
    }
    if (!role_in(r->who.role, rt->roles)) {
      req_audit(r, "access.denied", "route", rt->pattern, "denied", NULL);
      resp_error(r, 403, "forbidden", "Your role does not allow this.");
      return true;
    }
  }
  if (unsafe_method(r->method)) {
    /* Cookies ride along on cross-site requests; bearer tokens do not. */
    if (r->who.kind != AUTH_TOKEN && !auth_same_origin(r)) {
      req_audit(r, "access.cross_site", "route", rt->pattern, "denied", NULL);
      resp_error(r, 403, "cross_site", "Cross-site requests are refused.");
      return true;
    }
  }
  if (req_parse_body(r) != 0) return true;
  if (unsafe_method(r->method) && r->who.kind == AUTH_SESSION) {
    const char *token = req_header(r, "X-CSRF-Token");
    if (!token && r->form) token = json_string_value(json_object_get(r->form, "csrf_token"));
    if (!auth_csrf_ok(r, token)) {
      req_audit(r, "access.csrf", "route", rt->pattern, "denied", NULL);
      resp_error(r, 403, "csrf", "The form has expired or did not come from Safehub. Please try again.");
      return true;
    }
  }
  /* Only the fields the route declares (a repeated name is one field, its values an array). */
  if (req_check_form_fields(r) != 0) return true;
  if (r->form) json_object_del(r->form, "csrf_token");
  /* Reads already answered may still be spooled: chain them before this change's own entries, so the log keeps
     the order in which things happened.  The connection waits suspended (the mover calls flushed()), except
     while stopping, when nothing may be left suspended. */
  if (unsafe_method(r->method) && audit_writer_unmoved(r->app->audit)) {
    if (atomic_load(&stopping)) {
      if (!audit_writer_flush(r->app->audit))
        log_warn("audit: spooled entries not yet in the log; this change's entries may precede them");
    } else {
      release_db(r);
      r->state = RS_FLUSHING;
      MHD_suspend_connection(r->conn);
      audit_writer_flush_async(r->app->audit, flushed, r);
      return false;
    }
  }
  rt->fn(r);
  return true;
}

static void audited(void *arg, bool ok) {
  struct req *r = arg;
  if (!ok) {
    r->audit_failed = true;
    r->location = (free(r->location), NULL);
    r->etag = (free(r->etag), NULL);
    resp_error(r, 503, "audit_unavailable",
               "The record of this access could not be saved, so nothing is shown. Please try again.");
  }
  r->state = RS_RESUMED;
  MHD_resume_connection(r->conn);
}

static enum MHD_Result finish(struct app *app, struct MHD_Connection *conn, struct req *r);

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
  (void)version;
  struct app *app = cls;
  struct req *r = *con_cls;
  if (!r) {
    r = req_new(app, conn, method, url);
    *con_cls = r;
    r->state = RS_BODY;
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && strtoll(cl, NULL, 10) > app->cfg->max_body) {
      r->body_too_big = true;
      resp_error(r, 413, "too_large", "The request body is too large.");
      return send_response(r);
    }
    return MHD_YES;
  }
  if (r->state == RS_RESUMED) {
    if (r->audit_failed) undo_unaudited(r);
    return send_response(r);
  }
  if (r->state == RS_SENT) return MHD_YES;
  if (r->state == RS_FLUSHED) {
    r->state = RS_BODY;
    r->route->fn(r);
    return finish(app, conn, r);
  }
  if (*upload_data_size) {
    if (!r->body_too_big) {
      if (r->body.len + *upload_data_size > (size_t)app->cfg->max_body) {
        r->body_too_big = true;
        buf_free(&r->body);
      } else {
        buf_append(&r->body, upload_data, *upload_data_size);
      }
    }
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (!process(r)) return MHD_YES; /* suspended until the audit spool is in the log */
  return finish(app, conn, r);
}

/* After the handler: the request's audit entries made durable (suspending the connection meanwhile), then the response. */
static enum MHD_Result finish(struct app *app, struct MHD_Connection *conn, struct req *r) {
  release_db(r);
  if (r->naudit > 0 && atomic_load(&stopping)) {
    struct audit_row **rows = r->audit;
    int n = r->naudit;
    r->audit = NULL;
    r->naudit = r->capaudit = 0;
    bool ok = audit_submit_wait(app->audit, rows, n); /* the writer takes ROWS */
    if (!ok) {
      r->audit_failed = true;
      undo_unaudited(r);
      r->location = (free(r->location), NULL);
      r->etag = (free(r->etag), NULL);
      resp_error(r, 503, "audit_unavailable",
                 "The record of this access could not be saved, so nothing is shown. Please try again.");
    }
    return send_response(r);
  }
  if (r->naudit > 0) {
    struct audit_row **rows = r->audit;
    int n = r->naudit;
    r->audit = NULL;
    r->naudit = r->capaudit = 0;
    r->state = RS_SUSPENDED;
    MHD_suspend_connection(conn);
    audit_submit(app->audit, rows, n, audited, r);
    return MHD_YES;
  }
  return send_response(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
  (void)conn;
  (void)toe;
  struct app *app = cls;
  struct req *r = *con_cls;
  if (!r) return;
  int64_t us = (mono_ns() - r->start_ns) / 1000;
  const char *pattern = r->route ? r->route->pattern : (strncmp(r->url, "/assets/", 8) == 0 ? "/assets/*" : "unmatched");
  metrics_record(app->metrics, r->route_index, r->status, us);
  accesslog_write(app->access_log, r->request_id, r->method, pattern, r->status, us, r->bytes_sent);
  req_free(r);
  *con_cls = NULL;
}

/* libmicrohttpd's error logger: its messages go to the operational log. */
__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap) {
  (void)cls;
  char msg[512];
  vsnprintf(msg, sizeof msg, fmt, ap);
  size_t n = strlen(msg);
  while (n && msg[n - 1] == '\n') msg[--n] = '\0';
  log_warn("http: %s", msg);
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len) {
  char host[256];
  const char *colon = strrchr(listen, ':');
  if (!colon || colon == listen) return -1;
  size_t hl = (size_t)(colon - listen);
  if (hl >= sizeof host) return -1;
  memcpy(host, listen, hl);
  host[hl] = '\0';
  char *end;
  long port = strtol(colon + 1, &end, 10);
  if (*end || port < 0 || port > 65535) return -1;
  memset(ss, 0, sizeof *ss);
  if (host[0] == '[' && host[hl - 1] == ']') {
    host[hl - 1] = '\0';
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)ss;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, host + 1, &in6->sin6_addr) != 1) return -1;
    *len = sizeof *in6;
    return 0;
  }
  struct sockaddr_in *in = (struct sockaddr_in *)(void *)ss;
  in->sin_family = AF_INET;
  in->sin_port = htons((uint16_t)port);
  if (strcmp(host, "localhost") == 0) snprintf(host, sizeof host, "127.0.0.1");
  if (inet_pton(AF_INET, host, &in->sin_addr) != 1) return -1;
  *len = sizeof *in;
  return 0;
}

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  struct buf b = BUF_INIT;
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_append(&b, chunk, n);
  fclose(f);
  return buf_steal(&b);
}

/*
** Starts the daemon and serves until SIGTERM or SIGINT, running periodic jobs
** from this thread in between.  Returns 0 on a clean stop, 1 on failure.
*/
int server_run(struct app *app) {
  const struct config *cfg = app->cfg;
  struct sockaddr_storage ss;
  socklen_t sl;
  if (parse_listen(cfg->listen, &ss, &sl) != 0) {
    fprintf(stderr, "safehub: serve: listen address '%s' is not HOST:PORT\n", cfg->listen);
    return 2;
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL); /* every thread started from here inherits the mask */
  signal(SIGPIPE, SIG_IGN);
  randombytes_buf(request_id_key, sizeof request_id_key);

  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME |
                   MHD_USE_ERROR_LOG;
  if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
  char *cert = NULL, *key = NULL;
  if (cfg->tls_cert[0] || cfg->tls_key[0]) {
    cert = read_file(cfg->tls_cert);
    key = read_file(cfg->tls_key);
    if (!cert || !key) {
      fprintf(stderr, "safehub: serve: cannot read TLS certificate or key (%s, %s)\n", cfg->tls_cert, cfg->tls_key);
      free(cert);
      free(key);
      return 1;
    }
    flags |= MHD_USE_TLS;
    app->tls = true;
  }
  struct MHD_OptionItem tls_opts[] = {
      {MHD_OPTION_HTTPS_MEM_CERT, 0, cert},
      {MHD_OPTION_HTTPS_MEM_KEY, 0, key},
      {MHD_OPTION_END, 0, NULL},
  };
  struct MHD_Daemon *d = MHD_start_daemon(
      flags, 0, NULL, NULL, on_request, app, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_SOCK_ADDR,
      (struct sockaddr *)&ss,
      MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads, MHD_OPTION_CONNECTION_TIMEOUT,
      (unsigned)cfg->connection_timeout, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->per_ip_connection_limit,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024), MHD_OPTION_CONNECTION_LIMIT, 4096u,
      MHD_OPTION_NOTIFY_COMPLETED, on_completed, app,
      MHD_OPTION_ARRAY, app->tls ? tls_opts : tls_opts + 2, MHD_OPTION_END);
  if (!d) {
    fprintf(stderr, "safehub: serve: cannot listen on %s: %s\n", cfg->listen, strerror(errno));
    free(cert);
    free(key);
    return 1;
  }
  (void)sl;
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  unsigned port = info ? info->port : 0;
  char host[256];
  snprintf(host, sizeof host, "%.*s", (int)(strrchr(cfg->listen, ':') - cfg->listen), cfg->listen);
  /* The first round of jobs (deadlines overdue while the server was down) runs before the server says it is
  ** listening, so that whoever waits for that line never races it. */
  struct jobs *jobs = jobs_new(app);
  jobs_tick(jobs);
  log_info("listening on %s://%s:%u", app->tls ? "https" : "http", host, port);

  for (;;) {
    struct timespec ts = {1, 0};
    int sig = sigtimedwait(&set, NULL, &ts);
    if (sig == SIGTERM || sig == SIGINT) break;
    accesslog_flush(app->access_log);
    jobs_tick(jobs);
  }
  atomic_store(&stopping, true);
  log_info("stopping: finishing requests in flight");
  /* None may wait on a mover that cannot reach the database: libmicrohttpd must not stop with one suspended. */
  audit_writer_hurry(app->audit);
  MHD_socket listener = MHD_quiesce_daemon(d);
  if (listener != MHD_INVALID_SOCKET) close(listener);
  int64_t deadline = time_now() + 30;
  while (atomic_load(&in_flight) > 0 && time_now() < deadline) usleep(20000);
  MHD_stop_daemon(d);
  jobs_free(jobs);
  free(cert);
  if (key) sodium_memzero(key, strlen(key));
  free(key);
  log_info("stopped");
  return 0;
}
