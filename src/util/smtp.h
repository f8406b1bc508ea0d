/*
** A minimal SMTP client (RFC 5321) for notification e-mail: one message per
** connection to a relay, plain text, UTF-8.  It is meant for a relay on the
** same host or network (Postfix, a smart host) that takes it from there.
*/
#ifndef SAFEHUB_UTIL_SMTP_H
#define SAFEHUB_UTIL_SMTP_H
#include <stddef.h>

int smtp_send(const char *host, int port, const char *from, const char *to, const char *subject, const char *body,
              int timeout_seconds, char *err, size_t errlen);
int smtp_address_ok(const char *addr);

#endif
