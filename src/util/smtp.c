/*
** Minimal SMTP client (see smtp.h).
**
** Every line we send is built from checked parts: addresses may not contain
** CR, LF, '<' or '>', the subject is folded to one line, and the body's lines
** are dot-stuffed and sent with CRLF, so nothing a caller passes can inject a
** command or a header.
*/
#include <errno.h>
#include <stdbool.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "util/buf.h"
#include "util/smtp.h"
#include "util/timeutil.h"

/* True when ADDR is a plain mailbox with no characters that could break the protocol. */
int smtp_address_ok(const char *addr) {
  if (!addr || !*addr || strlen(addr) > 254 || !strchr(addr, '@')) return 0;
  for (const char *p = addr; *p; p++) {
    if (*p == '\r' || *p == '\n' || *p == '<' || *p == '>' || *p == ' ' || (unsigned char)*p < 0x20) return 0;
  }
  return 1;
}

static int connect_to(const char *host, int port, int timeout, char *err, size_t errlen) {
  char portstr[16];
  snprintf(portstr, sizeof portstr, "%d", port);
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
  int gai = getaddrinfo(host, portstr, &hints, &res);
  if (gai != 0) {
    snprintf(err, errlen, "%s: %s", host, gai_strerror(gai));
    return -1;
  }
  int fd = -1;
  for (struct addrinfo *a = res; a; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    struct timeval tv = {timeout, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) snprintf(err, errlen, "%s:%d: %s", host, port, strerror(errno));
  return fd;
}

/* Reads one reply (possibly multi-line) and returns its code, or -1. */
static int reply(int fd, char *err, size_t errlen) {
  char line[1024];
  size_t n = 0;
  for (;;) {
    char c;
    ssize_t r = read(fd, &c, 1);
    if (r <= 0) {
      snprintf(err, errlen, "connection closed or timed out");
      return -1;
    }
    if (c == '\n') {
      line[n] = '\0';
      if (n >= 4 && line[3] == '-') {
        n = 0;
        continue;
      }
      int code = atoi(line);
      if (code < 200 || code >= 400) snprintf(err, errlen, "server said: %.200s", line);
      return code;
    }
    if (n + 1 < sizeof line) line[n++] = c;
  }
}

static int send_all(int fd, const char *s, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, s, n);
    if (w <= 0) return -1;
    s += w;
    n -= (size_t)w;
  }
  return 0;
}

static int command(int fd, const char *line, int want, char *err, size_t errlen) {
  if (send_all(fd, line, strlen(line)) != 0) {
    snprintf(err, errlen, "write failed");
    return -1;
  }
  int code = reply(fd, err, errlen);
  if (code / 100 != want / 100) {
    if (code > 0 && !*err) snprintf(err, errlen, "unexpected reply %d", code);
    return -1;
  }
  return 0;
}

/*
** Sends one message.  Returns 0, or -1 with ERR (the caller retries later).
*/
int smtp_send(const char *host, int port, const char *from, const char *to, const char *subject, const char *body,
              int timeout_seconds, char *err, size_t errlen) {
  err[0] = '\0';
  if (!smtp_address_ok(from) || !smtp_address_ok(to)) {
    snprintf(err, errlen, "invalid address");
    return -1;
  }
  int fd = connect_to(host, port, timeout_seconds, err, errlen);
  if (fd < 0) return -1;
  struct buf b = BUF_INIT;
  int rc = -1;
  char line[600];
  if (reply(fd, err, errlen) / 100 != 2) goto done;
  if (command(fd, "EHLO safehub\r\n", 250, err, errlen) != 0) goto done;
  snprintf(line, sizeof line, "MAIL FROM:<%s>\r\n", from);
  if (command(fd, line, 250, err, errlen) != 0) goto done;
  snprintf(line, sizeof line, "RCPT TO:<%s>\r\n", to);
  if (command(fd, line, 250, err, errlen) != 0) goto done;
  if (command(fd, "DATA\r\n", 354, err, errlen) != 0) goto done;
  char date[ISO_TIME_LEN];
  time_format_iso(time_now(), date);
  buf_printf(&b, "From: Safehub <%s>\r\nTo: <%s>\r\nSubject: ", from, to);
  for (const char *p = subject; *p; p++) buf_putc(&b, (*p == '\r' || *p == '\n') ? ' ' : *p);
  buf_printf(&b, "\r\nX-Safehub-Sent: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                 "Content-Transfer-Encoding: 8bit\r\n\r\n", date);
  bool line_start = true;
  for (const char *p = body; *p; p++) {
    if (line_start && *p == '.') buf_putc(&b, '.');
    if (*p == '\r') continue;
    if (*p == '\n') {
      buf_puts(&b, "\r\n");
      line_start = true;
      continue;
    }
    buf_putc(&b, *p);
    line_start = false;
  }
  if (!line_start) buf_puts(&b, "\r\n");
  buf_puts(&b, ".\r\n");
  if (send_all(fd, b.data, b.len) != 0) {
    snprintf(err, errlen, "write failed");
    goto done;
  }
  if (reply(fd, err, errlen) / 100 != 2) goto done;
  rc = 0;
  send_all(fd, "QUIT\r\n", 6);
done:
  buf_free(&b);
  close(fd);
  return rc;
}
