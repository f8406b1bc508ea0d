/*
** Static web assets (GOV.UK and MOJ Frontend, cytoscape, Safehub's own CSS and
** JS), loaded into memory from assets_dir at start-up.  Only files that were
** there at start-up can ever be served, so no request can reach the file
** system.
*/
#ifndef SAFEHUB_HTTP_ASSETS_H
#define SAFEHUB_HTTP_ASSETS_H
#include <stddef.h>

struct asset {
  char *name;         /* relative path, e.g. "fonts/bold-affa96571d-v2.woff2" */
  char *data;
  size_t len;
  const char *type;   /* Content-Type */
  char etag[24];
};

struct assets;
struct assets *assets_load(const char *dir, char *err, size_t errlen);
void assets_free(struct assets *a);
const struct asset *assets_find(const struct assets *a, const char *name);
size_t assets_count(const struct assets *a);

#endif
