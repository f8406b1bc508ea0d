/*
** Static assets loaded into memory (see assets.h).
*/
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sodium.h>
#include "http/assets.h"
#include "util/codec.h"
#include "util/xalloc.h"

#define MAX_ASSET_BYTES (8 * 1024 * 1024)

struct assets {
  struct asset *items;
  size_t n, cap;
};

static const char *type_of(const char *name) {
  static const struct {
    const char *ext, *type;
  } types[] = {
      {".css", "text/css; charset=utf-8"},   {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".svg", "image/svg+xml"},
      {".png", "image/png"},                 {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},              {".woff", "font/woff"},
      {".json", "application/json"},         {".map", "application/json"},
  };
  const char *dot = strrchr(name, '.');
  if (!dot) return NULL;
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
    if (strcmp(dot, types[i].ext) == 0) return types[i].type;
  }
  return NULL;
}

static int load_dir(struct assets *a, const char *root, const char *rel, char *err, size_t errlen) {
  char path[4096];
  snprintf(path, sizeof path, "%s%s%s", root, *rel ? "/" : "", rel);
  DIR *d = opendir(path);
  if (!d) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return -1;
  }
  struct dirent *e;
  int rc = 0;
  while (rc == 0 && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char name[1024], full[4096];
    snprintf(name, sizeof name, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
    snprintf(full, sizeof full, "%s/%s", root, name);
    struct stat sb;
    if (stat(full, &sb) != 0) continue;
    if (S_ISDIR(sb.st_mode)) {
      rc = load_dir(a, root, name, err, errlen);
      continue;
    }
    const char *type = type_of(name);
    if (!S_ISREG(sb.st_mode) || !type || sb.st_size > MAX_ASSET_BYTES) continue;
    FILE *f = fopen(full, "rb");
    if (!f) continue;
    char *data = xmalloc((size_t)sb.st_size + 1);
    size_t got = fread(data, 1, (size_t)sb.st_size, f);
    fclose(f);
    if (got != (size_t)sb.st_size) {
      free(data);
      continue;
    }
    if (a->n == a->cap) {
      a->cap = a->cap ? a->cap * 2 : 64;
      a->items = xrealloc(a->items, a->cap * sizeof *a->items);
    }
    struct asset *as = &a->items[a->n++];
    as->name = xstrdup(name);
    as->data = data;
    as->len = got;
    as->type = type;
    uint8_t h[8];
    crypto_generichash(h, sizeof h, (const uint8_t *)data, got, NULL, 0);
    char hex[17];
    hex_encode(h, sizeof h, hex);
    snprintf(as->etag, sizeof as->etag, "\"%s\"", hex);
  }
  closedir(d);
  return rc;
}

/* Loads every servable file under DIR.  NULL with ERR when DIR cannot be read. */
struct assets *assets_load(const char *dir, char *err, size_t errlen) {
  struct assets *a = xcalloc(1, sizeof *a);
  if (load_dir(a, dir, "", err, errlen) != 0) {
    assets_free(a);
    return NULL;
  }
  return a;
}

void assets_free(struct assets *a) {
  if (!a) return;
  for (size_t i = 0; i < a->n; i++) {
    free(a->items[i].name);
    free(a->items[i].data);
  }
  free(a->items);
  free(a);
}

/* The asset called NAME, or NULL. */
const struct asset *assets_find(const struct assets *a, const char *name) {
  if (!a) return NULL;
  for (size_t i = 0; i < a->n; i++) {
    if (strcmp(a->items[i].name, name) == 0) return &a->items[i];
  }
  return NULL;
}

size_t assets_count(const struct assets *a) { return a ? a->n : 0; }
