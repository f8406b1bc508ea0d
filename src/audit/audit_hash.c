/*
** Pure chain arithmetic of the audit log (see audit.h): the hash of an entry
** and the message a checkpoint signs.  Changing anything here invalidates
** every existing chain, so the encoding is versioned by its domain tag.
*/
#include <string.h>
#include <sodium.h>
#include "audit/audit.h"

static const char ENTRY_TAG[] = "safehub.audit.entry.v1";
static const char CHECKPOINT_TAG[] = "safehub.audit.ckpt.v1";

static void put_u64(uint8_t out[8], uint64_t v) {
  for (int i = 7; i >= 0; i--) {
    out[i] = (uint8_t)(v & 0xff);
    v >>= 8;
  }
}

/* Feeds one field as a 4-byte big-endian length and its bytes; NULL is length 0xFFFFFFFF. */
static void feed(crypto_generichash_state *h, const char *s) {
  uint8_t len[4];
  uint32_t n = s ? (uint32_t)strlen(s) : 0xFFFFFFFFu;
  len[0] = (uint8_t)(n >> 24);
  len[1] = (uint8_t)(n >> 16);
  len[2] = (uint8_t)(n >> 8);
  len[3] = (uint8_t)n;
  crypto_generichash_update(h, len, 4);
  if (s) crypto_generichash_update(h, (const uint8_t *)s, n);
}

/*
** The hash of entry R at position SEQ after an entry whose hash was PREV
** (all zeros for the first entry).  Covers every stored field but the
** hashes themselves.
*/
void audit_hash_row(int64_t seq, const uint8_t prev[AUDIT_HASH_BYTES], const struct audit_row *r,
                    uint8_t out[AUDIT_HASH_BYTES]) {
  crypto_generichash_state h;
  uint8_t num[8];
  crypto_generichash_init(&h, NULL, 0, AUDIT_HASH_BYTES);
  crypto_generichash_update(&h, (const uint8_t *)ENTRY_TAG, sizeof ENTRY_TAG);
  put_u64(num, (uint64_t)seq);
  crypto_generichash_update(&h, num, 8);
  crypto_generichash_update(&h, prev, AUDIT_HASH_BYTES);
  put_u64(num, (uint64_t)r->at);
  crypto_generichash_update(&h, num, 8);
  feed(&h, r->actor_id);
  feed(&h, r->actor);
  feed(&h, r->role);
  feed(&h, r->agency);
  feed(&h, r->action);
  feed(&h, r->object_type);
  feed(&h, r->object_id);
  feed(&h, r->outcome);
  feed(&h, r->purpose);
  feed(&h, r->ip);
  feed(&h, r->details);
  crypto_generichash_final(&h, out, AUDIT_HASH_BYTES);
}

/* The 56 bytes a checkpoint signs: tag hash (8), seq (8), chain hash (32), time (8). */
void audit_checkpoint_message(int64_t seq, const uint8_t hash[AUDIT_HASH_BYTES], int64_t at,
                              uint8_t out[56]) {
  uint8_t tag[crypto_generichash_BYTES_MIN];
  crypto_generichash(tag, sizeof tag, (const uint8_t *)CHECKPOINT_TAG, sizeof CHECKPOINT_TAG, NULL, 0);
  memcpy(out, tag, 8);
  put_u64(out + 8, (uint64_t)seq);
  memcpy(out + 16, hash, AUDIT_HASH_BYTES);
  put_u64(out + 48, (uint64_t)at);
}
