/*
** Shipped data files compiled into the binary by tools/embed.c: schema
** migrations, the default risk tool, calendars and name tables.
*/
#ifndef SAFEHUB_UTIL_EMBEDDED_H
#define SAFEHUB_UTIL_EMBEDDED_H
#include <stddef.h>

struct embedded_file {
  const char *name; /* base file name, e.g. "0001_platform.sql" */
  const char *data; /* NUL-terminated contents, static */
  size_t len;
};

/* Terminated by an entry whose name is NULL; generated at build time. */
extern const struct embedded_file embedded_files[];

/* The embedded file with this base name, or NULL. */
const struct embedded_file *embedded_find(const char *name);

#endif
