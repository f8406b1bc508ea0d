/*
** Hashing helpers and the interning string table (see strtab.h).
*/
#include <stdlib.h>
#include <string.h>
#include "core/match/strtab.h"
#include "util/xalloc.h"

/* FNV-1a over the bytes, then the murmur3 finaliser so that low bits are well mixed. */
uint64_t match_hash(const void *p, size_t n) {
  const unsigned char *s = p;
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; i++) {
    h ^= s[i];
    h *= 1099511628211ULL;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

/* 32-bit form of match_hash; 0 is reserved for "none", so it maps to 1. */
uint32_t match_hash32(const void *p, size_t n) {
  uint64_t h = match_hash(p, n);
  uint32_t v = (uint32_t)(h ^ (h >> 32));
  return v ? v : 1;
}

/* An empty table; nothing is allocated until the first string. */
void strtab_init(struct strtab *t) { memset(t, 0, sizeof *t); }

/* Frees everything the table holds. */
void strtab_free(struct strtab *t) {
  free(t->slot);
  free(t->hash);
  free(t->off);
  free(t->pool);
  memset(t, 0, sizeof *t);
}

/* Doubles the slot array and re-inserts every id (the load stays under one half). */
static void grow(struct strtab *t) {
  size_t cap = t->cap ? t->cap * 2 : 64;
  uint32_t *slot = xcalloc(cap, sizeof *slot);
  for (size_t id = 0; id < t->n; id++) {
    size_t i = (size_t)t->hash[id] & (cap - 1);
    while (slot[i]) i = (i + 1) & (cap - 1);
    slot[i] = (uint32_t)id + 1;
  }
  free(t->slot);
  t->slot = slot;
  t->cap = cap;
}

/* Slot index of S (found or the empty slot where it would go). */
static size_t probe(const struct strtab *t, const char *s, size_t len, uint64_t h) {
  size_t i = (size_t)h & (t->cap - 1);
  for (;;) {
    uint32_t v = t->slot[i];
    if (!v) return i;
    uint32_t id = v - 1;
    if (t->hash[id] == h) {
      const char *o = t->pool + t->off[id];
      if (strncmp(o, s, len) == 0 && o[len] == '\0') return i;
    }
    i = (i + 1) & (t->cap - 1);
  }
}

/* The id of the LEN bytes at S, adding a copy of them when new. */
uint32_t strtab_intern(struct strtab *t, const char *s, size_t len) {
  if ((t->n + 1) * 2 > t->cap) grow(t);
  uint64_t h = match_hash(s, len);
  size_t i = probe(t, s, len, h);
  if (t->slot[i]) return t->slot[i] - 1;
  if (t->n == t->idcap) {
    t->idcap = t->idcap ? t->idcap * 2 : 64;
    t->hash = xrealloc(t->hash, t->idcap * sizeof *t->hash);
    t->off = xrealloc(t->off, t->idcap * sizeof *t->off);
  }
  if (t->poollen + len + 1 > t->poolcap) {
    size_t cap = t->poolcap ? t->poolcap : 1024;
    while (cap < t->poollen + len + 1) cap *= 2;
    t->pool = xrealloc(t->pool, cap);
    t->poolcap = cap;
  }
  memcpy(t->pool + t->poollen, s, len);
  t->pool[t->poollen + len] = '\0';
  uint32_t id = (uint32_t)t->n++;
  t->hash[id] = h;
  t->off[id] = t->poollen;
  t->poollen += len + 1;
  t->slot[i] = id + 1;
  return id;
}

/* The id of the LEN bytes at S, or -1 when absent. */
int64_t strtab_find(const struct strtab *t, const char *s, size_t len) {
  if (!t->cap) return -1;
  size_t i = probe(t, s, len, match_hash(s, len));
  return t->slot[i] ? (int64_t)t->slot[i] - 1 : -1;
}

/* The string with id ID (owned by the table, valid until it changes). */
const char *strtab_str(const struct strtab *t, uint32_t id) { return id < t->n ? t->pool + t->off[id] : ""; }
