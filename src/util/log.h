/*
** Operational log: one JSON object per line on stderr.  It never carries
** personal data or secrets; those belong in the audit log or nowhere.
*/
#ifndef SAFEHUB_UTIL_LOG_H
#define SAFEHUB_UTIL_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_set_quiet(int quiet);

#endif
