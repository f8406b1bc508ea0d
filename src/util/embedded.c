/*
** Lookup in the table of files compiled into the binary (see tools/embed.c).
*/
#include <string.h>
#include "util/embedded.h"

/* Returns the embedded file with base name NAME, or NULL. Static memory. */
const struct embedded_file *embedded_find(const char *name) {
  for (const struct embedded_file *f = embedded_files; f->name; f++) {
    if (strcmp(f->name, name) == 0) return f;
  }
  return NULL;
}
