/*
** Verification of the audit chain (see audit.h): recomputes every hash from
** the first entry, checks that sequence numbers run from 1 without gaps and
** that no entry is numbered below 1, and checks each signed checkpoint, from
** the database and from the off-host file, against the recomputed chain.  A
** checkpoint beyond the last entry means the log was cut short.
**
** Checkpoints are gathered first, every copy of them: the database's and each
** line of the file.  The copies are sorted by seq and the copies of one seq
** merged into one checkpoint; the scan of the log, which delivers entries in
** ascending seq, then walks the sorted checkpoints alongside.  So the time
** taken grows as entries + checkpoints * log(checkpoints), whatever the
** number of checkpoints (one a minute makes half a million a year).
**
** The checkpoint file holds one line per checkpoint, as audit_key.c writes
** it: "SEQ HASH AT PUBLIC_KEY SIGNATURE" (decimal, 64 hex digits, decimal,
** 64 hex digits, 128 hex digits, separated by spaces).  Empty lines are
** ignored.  Any other line not of that form is damage and fails verification
** at entry 1, with one exception: what a crash part-way through appending a
** checkpoint leaves behind, the start of the line the database's copy would
** have (see torn_line), last or followed by the lines appended after it (that checkpoint was committed to
** the database before its line was written, so the database copy is still
** checked).
*/
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit/audit.h"
#include "util/codec.h"
#include "util/xalloc.h"

/* One copy of a checkpoint: a row of the database's table or a line of the file. */
struct cp_copy {
  int64_t seq;
  size_t order; /* reading order: the database's copies first, then the file's lines */
  uint8_t hash[AUDIT_HASH_BYTES];
  bool hash_ok;   /* HASH holds the decoded hash */
  bool sig_ok;    /* signed over seq, hash and time by the trusted key (by its own key when none is trusted) */
  bool from_file; /* else from the database */
};

/* Every copy read so far, in a growing array. */
struct copies {
  struct cp_copy *v;
  size_t n, cap;
};

/* A checkpoint once its copies are merged. */
struct cp {
  int64_t seq;
  uint8_t hash[AUDIT_HASH_BYTES];
  bool in_db, in_file; /* a copy agreeing with HASH came from there */
  bool seen;           /* the scan reached its entry */
};

struct state {
  int64_t expect;
  uint8_t prev[AUDIT_HASH_BYTES];
  struct cp *cps; /* sorted by seq, one per seq */
  size_t ncps;
  size_t next; /* the first checkpoint the scan has not yet passed */
  struct audit_verify_result *res;
};

#define WHY_DB_COPY "checkpoint at this entry is not validly signed by the audit key"
#define WHY_FILE_COPY "checkpoint file and database disagree, or the file's signature is bad"

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
  /* Entries come in ascending seq, so the checkpoints below this one are behind us for good. */
  while (s->next < s->ncps && s->cps[s->next].seq < r->seq) s->next++;
  if (s->next < s->ncps && s->cps[s->next].seq == r->seq) {
    struct cp *c = &s->cps[s->next];
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
** Adds a copy of the checkpoint at SEQ to CS, noting whether its hash decodes
** and whether its signature verifies with KEY (may be NULL: then with the
** copy's own public key).  Never fails; a bad copy is judged when merging.
*/
static void add_copy(struct copies *cs, int64_t seq, const char *hash_hex, int64_t at, const char *pk_hex,
                     const char *sig_hex, const struct audit_key *key, bool from_file) {
  if (cs->n == cs->cap) {
    cs->cap = cs->cap ? cs->cap * 2 : 256;
    cs->v = xrealloc(cs->v, cs->cap * sizeof *cs->v);
  }
  struct cp_copy *c = &cs->v[cs->n];
  memset(c, 0, sizeof *c);
  c->seq = seq;
  c->order = cs->n++;
  c->from_file = from_file;
  c->hash_ok = hex_decode(hash_hex, c->hash, sizeof c->hash);
  uint8_t pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES], msg[56];
  if (!c->hash_ok || !hex_decode(pk_hex, pk, sizeof pk) || !hex_decode(sig_hex, sig, sizeof sig)) return;
  if (key && sodium_memcmp(pk, key->pk, sizeof pk) != 0) return;
  audit_checkpoint_message(seq, c->hash, at, msg);
  c->sig_ok = crypto_sign_verify_detached(sig, msg, sizeof msg, pk) == 0;
}

/* qsort order for copies: by seq, then in the order they were read. */
static int cmp_copy(const void *a, const void *b) {
  const struct cp_copy *x = a, *y = b;
  if (x->seq != y->seq) return x->seq < y->seq ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

/*
** Sorts the copies in CS and merges those of each seq into one checkpoint in
** S->cps (sorted, owned by S).  The first copy whose hash decodes, the
** database's when there is one, gives the checkpoint its hash; a copy that
** disagrees with it, does not decode, or is not validly signed is a failure
** at that seq.  A seq with no decodable copy gets no checkpoint.
*/
static void merge_copies(struct state *s, struct copies *cs) {
  if (cs->n > 1) qsort(cs->v, cs->n, sizeof *cs->v, cmp_copy);
  s->cps = xmalloc((cs->n ? cs->n : 1) * sizeof *s->cps);
  s->ncps = 0;
  size_t i = 0;
  while (i < cs->n) {
    int64_t seq = cs->v[i].seq;
    size_t end = i;
    while (end < cs->n && cs->v[end].seq == seq) end++;
    struct cp *c = NULL;
    for (size_t k = i; k < end && !c; k++) {
      if (!cs->v[k].hash_ok) continue;
      c = &s->cps[s->ncps++];
      memset(c, 0, sizeof *c);
      c->seq = seq;
      memcpy(c->hash, cs->v[k].hash, sizeof c->hash);
    }
    for (size_t k = i; k < end; k++) {
      const struct cp_copy *x = &cs->v[k];
      bool agrees = c && x->hash_ok && memcmp(x->hash, c->hash, sizeof c->hash) == 0;
      if (agrees && x->from_file) c->in_file = true;
      if (agrees && !x->from_file) c->in_db = true;
      if (!agrees || !x->sig_ok) fail(s->res, seq, x->from_file ? WHY_FILE_COPY : WHY_DB_COPY, NULL);
    }
    i = end;
  }
  assert(s->ncps <= cs->n);
}

/* Parses a whole decimal int64 (an optional minus sign, then digits) into *OUT; false if it is not one. */
static bool parse_int64(const char *p, int64_t *out) {
  const char *digits = *p == '-' ? p + 1 : p;
  if (*digits < '0' || *digits > '9') return false;
  char *end = NULL;
  errno = 0;
  long long v = strtoll(p, &end, 10);
  if (errno != 0 || *end != '\0') return false;
  *out = (int64_t)v;
  return true;
}

/* True when P is exactly LEN hex digits. */
static bool is_hex(const char *p, size_t len) {
  return strlen(p) == len && strspn(p, "0123456789abcdefABCDEF") == len;
}

/*
** Parses one line of the checkpoint file, LEN bytes without its line ending,
** splitting it in place: exactly five fields separated by spaces or tabs.
** On success the pointers point into LINE.  Returns false when the line is
** not a checkpoint (a NUL byte in it, a field missing or extra, a field of
** the wrong form).
*/
static bool parse_line(char *line, size_t len, int64_t *seq, char **hash, int64_t *at, char **pk, char **sig) {
  if (strlen(line) != len) return false;
  char *field[6], *save = NULL;
  int n = 0;
  for (char *t = strtok_r(line, " \t", &save); t && n < 6; t = strtok_r(NULL, " \t", &save)) field[n++] = t;
  if (n != 5) return false;
  if (!parse_int64(field[0], seq) || !parse_int64(field[2], at)) return false;
  if (!is_hex(field[1], AUDIT_HASH_BYTES * 2) || !is_hex(field[3], crypto_sign_PUBLICKEYBYTES * 2) ||
      !is_hex(field[4], crypto_sign_BYTES * 2)) {
    return false;
  }
  *hash = field[1];
  *pk = field[3];
  *sig = field[4];
  return true;
}

/* The database's checkpoints, sorted by seq, to recognise a file line cut short (torn_line). */
struct db_cps {
  const struct audit_checkpoint *v;
  int n;
};

/*
** True when LINE[LEN] is what a crash part-way through an append leaves: the
** start of the line the database's checkpoint of the same seq would have
** (audit_key.c writes "SEQ HASH AT PUBLIC_KEY SIGNATURE"), cut short, or no
** more than the start of a seq.  The writer starts the next append on a new
** line, so such a line may be followed by others.  Excusing it hides nothing:
** that checkpoint is checked in the database, and a line carries no evidence
** unless it is whole and signed.
*/
static bool torn_line(const char *line, size_t len, const struct db_cps *db) {
  const char *space = memchr(line, ' ', len);
  if (!space) {
    for (size_t i = 0; i < len; i++) {
      if (line[i] < '0' || line[i] > '9') return false;
    }
    return len > 0 && len <= 19;
  }
  char *end;
  long long seq = strtoll(line, &end, 10);
  if (end != space) return false;
  int lo = 0, hi = db->n;
  while (lo < hi) {
    int mid = lo + (hi - lo) / 2;
    if (db->v[mid].seq < seq) lo = mid + 1;
    else hi = mid;
  }
  if (lo == db->n || db->v[lo].seq != seq) return false;
  const struct audit_checkpoint *c = &db->v[lo];
  char whole[400];
  int w = snprintf(whole, sizeof whole, "%lld %s %lld %s %s", (long long)c->seq, c->hash, (long long)c->at,
                   c->public_key, c->signature);
  return w > 0 && len < (size_t)w && memcmp(line, whole, len) == 0;
}

/*
** Reads the checkpoint file F into CS, every line a copy from the file.
** Counts in *BAD the lines that are not checkpoints (empty lines and a torn
** last line aside) and sets *FIRST_BAD to the line number of the first.
** Returns 0, or an errno value when reading failed part-way.
*/
static int read_file(FILE *f, const struct audit_key *key, const struct db_cps *db, struct copies *cs, int64_t *bad,
                     int64_t *first_bad) {
  char *line = NULL;
  size_t cap = 0;
  ssize_t got;
  int64_t lineno = 0;
  *bad = 0;
  *first_bad = 0;
  errno = 0;
  while ((got = getline(&line, &cap, f)) > 0) {
    lineno++;
    size_t len = (size_t)got;
    bool complete = line[len - 1] == '\n';
    if (complete) line[--len] = '\0';
    if (len > 0 && line[len - 1] == '\r') line[--len] = '\0';
    if (len == 0) continue;
    int64_t seq, at;
    char *hash, *pk, *sig;
    bool maybe_torn = torn_line(line, len, db); /* before parse_line cuts the line into fields */
    if (parse_line(line, len, &seq, &hash, &at, &pk, &sig)) {
      add_copy(cs, seq, hash, at, pk, sig, key, true);
    } else if (complete && !maybe_torn) {
      /* Without a newline this can only be the last line: a torn append, not damage. */
      if (!*first_bad) *first_bad = lineno;
      (*bad)++;
    }
    errno = 0; /* so that a read error below is not blamed on a parse */
  }
  int err = ferror(f) ? (errno ? errno : EIO) : 0;
  free(line);
  return err;
}

/*
** Verifies the whole chain.  KEY (may be NULL) is the checkpoint key to
** trust; CHECKPOINT_FILE (may be NULL or absent) the off-host copy.
** Returns DB_OK having filled RES (first_bad_seq 0 when intact), or a
** database error.
*/
int audit_verify(struct db *db, const struct audit_key *key, const char *checkpoint_file,
                 struct audit_verify_result *res) {
  assert(db && res);
  memset(res, 0, sizeof *res);
  struct state s = {.expect = 1, .res = res};
  memset(s.prev, 0, sizeof s.prev);
  char why[sizeof res->reason];

  /* Entries numbered below 1 are outside the chain the scan checks, yet the audit trail would show them. */
  int64_t below = 0;
  int rc = store_audit_count_before(db, 1, &below);
  if (rc != DB_OK) return rc;
  if (below > 0) {
    snprintf(why, sizeof why, "%lld %s numbered below 1, outside the chain", (long long)below,
             below == 1 ? "entry is" : "entries are");
    fail(res, 1, why, NULL);
  }

  struct copies cs = {0};
  struct audit_checkpoint *dbcps = NULL;
  int n = 0;
  rc = store_audit_checkpoints(db, &dbcps, &n);
  if (rc != DB_OK) return rc;
  for (int i = 0; i < n; i++) {
    add_copy(&cs, dbcps[i].seq, dbcps[i].hash, dbcps[i].at, dbcps[i].public_key, dbcps[i].signature, key, false);
  }
  struct db_cps db_lines = {dbcps, n};

  FILE *f = checkpoint_file && *checkpoint_file ? fopen(checkpoint_file, "r") : NULL;
  if (f) {
    int64_t bad = 0, first_bad = 0;
    int err = read_file(f, key, &db_lines, &cs, &bad, &first_bad);
    fclose(f);
    if (err) {
      fail(res, 1, "the checkpoint file could not be read to the end:", strerror(err));
    } else {
      res->checkpoint_file_read = true;
    }
    if (bad > 0) {
      snprintf(why, sizeof why, "the checkpoint file has %lld %s (the first is line %lld)", (long long)bad,
               bad == 1 ? "line that is not a checkpoint" : "lines that are not checkpoints", (long long)first_bad);
      fail(res, 1, why, NULL);
    }
  }

  free(dbcps);
  merge_copies(&s, &cs);
  free(cs.v);
  res->checkpoints = (int64_t)s.ncps;
  rc = store_audit_scan(db, 1, on_row, &s);
  if (rc < 0) {
    free(s.cps);
    return rc;
  }
  /* Every checkpoint is looked at even after a failure: fail() keeps the earliest entry. */
  for (size_t i = 0; i < s.ncps; i++) {
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
