/*
** The access log: one JSON object per request with the route pattern (never
** the path or query, which can hold names), status, time taken and size.  It
** carries no personal data; who saw what is the audit log's business.
** Lines are buffered: they reach the file within a second, and all of them
** by accesslog_close.
*/
#ifndef SAFEHUB_HTTP_ACCESSLOG_H
#define SAFEHUB_HTTP_ACCESSLOG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct accesslog;
struct accesslog *accesslog_open(const char *where, char *err, size_t errlen);
void accesslog_close(struct accesslog *l);
void accesslog_flush(struct accesslog *l);
void accesslog_write(struct accesslog *l, const char *request_id, const char *method, const char *route,
                     int status, int64_t micros, size_t bytes);

#endif
