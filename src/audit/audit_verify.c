/*
** Verification of the audit chain (see audit.h): recomputes every hash from
** the first entry, checks that sequence numbers run without gaps, and checks
** each signed checkpoint, from the database and from the off-host file,
** against the recomputed chain.  A checkpoint beyond the last entry means
** the log was cut short.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit/audit.h"
#include "util/codec.h"
#include "util/xalloc.h"

struct cp {
  int64_t seq, at;
  uint8_t hash[AUDIT_HASH_BYTES];
  bool in_db, in_file, seen;
  bool sig_ok;
};

struct state {
  int64_t expect;
  uint8_t prev[AUDIT_HASH_BYTES];
  struct cp *cps;
  int ncps;
  struct audit_verify_result *res;
};

/*
** Records a failure at entry SEQ unless one at the same or an earlier entry is
** already recorded, so that the report names the first bad entry whatever
** order the checks ran in (checkpoints are read before the chain).  A SEQ
** below 1 (a checkpoint line claiming entry 0) counts as entry 1: it must
** never look like the 0 of "all is well".
*/
static void fail(struct audit_verify_result *res, int64_t seq, const char *why, const char *detail) {
  if (seq < 1) seq = 1;
  if (res->first_bad_seq && res->first_bad_seq <= seq) return;
  res->first_bad_seq = seq;
  snprintf(res->reason, sizeof res->reason, "%s%s%s", why, detail ? " " : "", detail ? detail : "");
}

/* The checkpoint recorded for entry SEQ, or NULL. */
static struct cp *find_cp(struct state *s, int64_t seq) {
  for (int i = 0; i < s->ncps; i++) {
    if (s->cps[i].seq == seq) return &s->cps[i];
  }
  return NULL;
}

/*
** Checks one entry in sequence: no gap, the previous-hash link, its own
** hash, and any checkpoint at it.  Returns 1 to stop the scan at the first
** bad entry.
*/
static int on_row(const struct audit_row *r, void *arg) {
  struct state *s = arg;
  struct audit_verify_result *res = s->res;
  if (r->seq != s->expect) {
    char what[64];
    snprintf(what, sizeof what, "%lld", (long long)r->seq);
    fail(res, s->expect, r->seq > s->expect ? "entry missing; the next entry found is" : "entry out of order; found", what);
    return 1;
  }
  char prev_hex[65];
  hex_encode(s->prev, sizeof s->prev, prev_hex);
  if (!r->prev_hash || strcmp(prev_hex, r->prev_hash) != 0) {
    fail(res, r->seq, "previous-hash link broken", NULL);
    return 1;
  }
  uint8_t h[AUDIT_HASH_BYTES];
  audit_hash_row(r->seq, s->prev, r, h);
  char hex[65];
  hex_encode(h, sizeof h, hex);
  if (!r->hash || strcmp(hex, r->hash) != 0) {
    fail(res, r->seq, "entry altered: its hash does not match its contents", NULL);
    return 1;
  }
  struct cp *c = find_cp(s, r->seq);
  if (c) {
    c->seen = true;
    if (memcmp(c->hash, h, sizeof h) != 0) {
      fail(res, r->seq, "chain differs from the signed checkpoint at this entry", NULL);
      return 1;
    }
  }
  memcpy(s->prev, h, sizeof h);
  s->expect++;
  res->entries++;
  return 0;
}

/*
** Records a checkpoint from the database or the file, merging the two
** copies of one seq.  Returns NULL when the copies disagree, the key is not
** the trusted one, or the signature does not verify.
*/
static struct cp *add_cp(struct state *s, int64_t seq, const char *hash_hex, int64_t at, const char *pk_hex,
                         const char *sig_hex, const struct audit_key *key, bool from_file) {
  struct cp *c = find_cp(s, seq);
  uint8_t hash[AUDIT_HASH_BYTES];
  if (!hex_decode(hash_hex, hash, sizeof hash)) return NULL;
  if (c) {
    if (memcmp(c->hash, hash, sizeof hash) != 0) return NULL;
  } else {
    s->cps = xrealloc(s->cps, (size_t)(s->ncps + 1) * sizeof *s->cps);
    c = &s->cps[s->ncps++];
    memset(c, 0, sizeof *c);
    c->seq = seq;
    c->at = at;
    memcpy(c->hash, hash, sizeof hash);
  }
  if (from_file) c->in_file = true;
  else c->in_db = true;
  uint8_t pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES], msg[56];
  if (!hex_decode(pk_hex, pk, sizeof pk) || !hex_decode(sig_hex, sig, sizeof sig)) return NULL;
  if (key && sodium_memcmp(pk, key->pk, sizeof pk) != 0) return NULL;
  audit_checkpoint_message(seq, hash, at, msg);
  c->sig_ok = crypto_sign_verify_detached(sig, msg, sizeof msg, pk) == 0;
  return c->sig_ok ? c : NULL;
}

/*
** Verifies the whole chain.  KEY (may be NULL) is the checkpoint key to
** trust; CHECKPOINT_FILE (may be NULL or absent) the off-host copy.
** Returns DB_OK having filled RES (first_bad_seq 0 when intact), or a
** database error.
*/
int audit_verify(struct db *db, const struct audit_key *key, const char *checkpoint_file,
                 struct audit_verify_result *res) {
  memset(res, 0, sizeof *res);
  struct state s = {.expect = 1, .res = res};
  memset(s.prev, 0, sizeof s.prev);
  struct audit_checkpoint *cps = NULL;
  int n = 0;
  int rc = store_audit_checkpoints(db, &cps, &n);
  if (rc != DB_OK) return rc;
  for (int i = 0; i < n; i++) {
    if (!add_cp(&s, cps[i].seq, cps[i].hash, cps[i].at, cps[i].public_key, cps[i].signature, key, false)) {
      fail(res, cps[i].seq, "checkpoint at this entry is not validly signed by the audit key", NULL);
    }
  }
  free(cps);
  FILE *f = checkpoint_file && *checkpoint_file ? fopen(checkpoint_file, "r") : NULL;
  if (f) {
    char line[600];
    while (fgets(line, sizeof line, f)) {
      long long seq, at;
      char hash[80], pk[80], sig[160];
      if (sscanf(line, "%lld %79s %lld %79s %159s", &seq, hash, &at, pk, sig) != 5) continue;
      if (!add_cp(&s, seq, hash, at, pk, sig, key, true)) {
        fail(res, seq, "checkpoint file and database disagree, or the file's signature is bad", NULL);
      }
    }
    fclose(f);
  }
  res->checkpoints = s.ncps;
  rc = store_audit_scan(db, 1, on_row, &s);
  if (rc < 0) {
    free(s.cps);
    return rc;
  }
  /* Every checkpoint is looked at even after a failure: fail() keeps the earliest entry. */
  for (int i = 0; i < s.ncps; i++) {
    struct cp *c = &s.cps[i];
    if (!c->seen && c->seq >= s.expect) {
      fail(res, s.expect, "log cut short: a signed checkpoint covers entries that are no longer there", NULL);
    }
    if (c->in_file && !c->in_db) {
      fail(res, c->seq, "checkpoint at this entry is in the off-host file but missing from the database", NULL);
    }
  }
  free(s.cps);
  return DB_OK;
}
