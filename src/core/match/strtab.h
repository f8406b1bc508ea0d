/*
** Hashing helpers and an interning string table (string -> dense id), used
** by the name tables, the term-frequency tables and the feature hashes of
** record linkage.  Pure: no I/O.
*/
#ifndef SAFEHUB_CORE_MATCH_STRTAB_H
#define SAFEHUB_CORE_MATCH_STRTAB_H
#include <stddef.h>
#include <stdint.h>

/* A 64-bit hash of N bytes (FNV-1a with a final avalanche); stable across runs and builds. */
uint64_t match_hash(const void *p, size_t n);

/* The same hash folded to 32 bits and never 0, so 0 can mean "none". */
uint32_t match_hash32(const void *p, size_t n);

/* An open-addressing table of distinct strings, each given the next id from 0. */
struct strtab {
  uint32_t *slot;   /* id + 1, 0 = empty */
  size_t cap;       /* power of two */
  size_t n;         /* strings held */
  uint64_t *hash;   /* per id */
  size_t *off;      /* per id: offset into pool */
  size_t idcap;
  char *pool;       /* NUL-terminated strings back to back */
  size_t poollen, poolcap;
};

void strtab_init(struct strtab *t);
void strtab_free(struct strtab *t);
uint32_t strtab_intern(struct strtab *t, const char *s, size_t len);
int64_t strtab_find(const struct strtab *t, const char *s, size_t len);
const char *strtab_str(const struct strtab *t, uint32_t id);

#endif
