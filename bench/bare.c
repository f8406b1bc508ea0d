/*
** bench/bare.c: the baseline for the platform benchmark.  A bare
** libmicrohttpd server started with the same daemon flags and limits as
** Safehub's (src/http/server.c: internal polling thread pool on epoll, TURBO,
** suspend/resume allowed, same thread count, timeouts and memory limits) that
** answers every request with one fixed JSON body and the same response
** headers Safehub sends.  Whatever Safehub spends above this figure is its
** own work: routing, authentication, the store, auditing, rendering.
**
**   bare [--listen 127.0.0.1:0] [--threads N] [--body FILE]
**
** --body gives the exact bytes to answer with (the benchmark passes a real
** child record so that both servers send the same size); without it a small
** built-in record is used.  The chosen port is printed on stdout as
** "listening on http://HOST:PORT" and the server runs until SIGTERM or SIGINT.
*/
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <microhttpd.h>

static const char DEFAULT_BODY[] =
    "{\"id\":\"ch_0123456789abcdef01234567\",\"first_name\":\"Amelia\",\"last_name\":\"Firth\","
    "\"aliases\":[],\"date_of_birth\":\"2011-04-17\",\"gender\":\"female\",\"ethnicity\":\"WBRI\","
    "\"address\":\"12 Canal Side, Holmford\",\"postcode\":\"HF3 4AB\",\"nhs_number\":\"9990123456\","
    "\"school\":\"Holmford Academy\",\"looked_after\":false,\"placement\":null,"
    "\"created_at\":\"2024-01-01T00:00:00Z\",\"updated_at\":\"2024-01-01T00:00:00Z\",\"version\":1}\n";

static const char *body = DEFAULT_BODY;
static size_t body_len = sizeof DEFAULT_BODY - 1;

/* Reads PATH whole into a new buffer (never freed: it lives as long as the server). NULL on failure. */
static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, n = 0;
  char *b = malloc(cap);
  size_t got;
  while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      char *nb = realloc(b, cap *= 2);
      if (!nb) {
        free(b);
        b = NULL;
      }
      b = nb;
    }
  }
  fclose(f);
  *len = n;
  return b;
}

/* The request handler: waits for the whole request, then sends the fixed body with Safehub's headers. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
  (void)cls;
  (void)url;
  (void)method;
  (void)version;
  (void)upload_data;
  static int marker;
  if (*con_cls == NULL) {
    *con_cls = &marker;
    return MHD_YES;
  }
  if (*upload_data_size) {
    *upload_data_size = 0;
    return MHD_YES;
  }
  struct MHD_Response *resp = MHD_create_response_from_buffer(body_len, (void *)(uintptr_t)body, MHD_RESPMEM_PERSISTENT);
  if (!resp) return MHD_NO;
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
  MHD_add_response_header(resp, "Content-Security-Policy",
                          "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                          "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                          "form-action 'self'; frame-ancestors 'none'");
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
  MHD_add_response_header(resp, "X-Frame-Options", "DENY");
  MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
  MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
  MHD_add_response_header(resp, "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  MHD_add_response_header(resp, "X-Request-Id", "0123456789abcdef");
  enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
  MHD_destroy_response(resp);
  return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe) {
  (void)cls;
  (void)conn;
  (void)toe;
  *con_cls = NULL;
}

__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap) {
  (void)cls;
  fputs("bare: ", stderr);
  vfprintf(stderr, fmt, ap);
}

static int usage(void) {
  fprintf(stderr, "usage: bare [--listen 127.0.0.1:PORT] [--threads N] [--body FILE]\n");
  return 2;
}

int main(int argc, char **argv) {
  const char *listen = "127.0.0.1:0";
  unsigned threads = 4;
  for (int i = 1; i < argc; i++) {
    if (i + 1 >= argc) return usage();
    if (strcmp(argv[i], "--listen") == 0) listen = argv[++i];
    else if (strcmp(argv[i], "--threads") == 0) threads = (unsigned)strtoul(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--body") == 0) {
      const char *path = argv[++i];
      char *b = slurp(path, &body_len);
      if (!b) {
        fprintf(stderr, "bare: %s: %s\n", path, strerror(errno));
        return 1;
      }
      body = b;
    } else return usage();
  }
  if (threads < 1 || threads > 256) return usage();
  const char *colon = strrchr(listen, ':');
  if (!colon) return usage();
  char host[64];
  snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)strtoul(colon + 1, NULL, 10));
  if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) return usage();

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);

  /* The same flags and options as src/http/server.c (without TLS). */
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME |
                   MHD_USE_ERROR_LOG;
  struct MHD_Daemon *d = MHD_start_daemon(
      flags, 0, NULL, NULL, on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_SOCK_ADDR,
      (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, 128u, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
      MHD_OPTION_CONNECTION_LIMIT, 4096u, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
  if (!d) {
    fprintf(stderr, "bare: cannot listen on %s: %s\n", listen, strerror(errno));
    return 1;
  }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  printf("listening on http://%s:%u\n", host, info ? info->port : 0);
  fflush(stdout);
  int sig;
  sigwait(&set, &sig);
  MHD_stop_daemon(d);
  return 0;
}
