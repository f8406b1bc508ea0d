/*
** libFuzzer target for the audit spool's reader (audit/audit.h,
** audit_spool_decode): the input is a spool file's contents, read twice.
** First as it is; then with every record's check put right (walking the
** records by their length words and computing each check over the record as
** it stands), so that mutated bodies get past the check and reach the body
** parser, which random bytes almost never would.  Each time the result is
** compared with a reference reader of the documented format (4-byte
** big-endian body length no more than AUDIT_SPOOL_MAX_RECORD; a body of
** number, time and eleven fields, each a 4-byte length and its bytes without
** a NUL, or 0xFFFFFFFF for NULL, filling the body exactly, with actor,
** action, outcome and details present; a 16-byte BLAKE2b over the tag, the
** previous check, the length and the body; positive, strictly rising
** numbers; reading stops at the first record that breaks any of this).  Both
** must keep the same records and bytes and end on the same check; encoding
** the rows again from a zero check must give back exactly the bytes kept; and
** reading only the bytes kept must give the same result again.
*/
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "audit/audit.h"
#include "util/buf.h"
#include "fuzz.h"

#define FIELDS 11
static const char TAG[] = "safehub.audit.spool.v1"; /* hashed with its NUL */

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  if (sodium_init() < 0) abort();
  return 0;
}

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint64_t be64(const uint8_t *p) { return (uint64_t)be32(p) << 32 | be32(p + 4); }

/* OUT = BLAKE2b-128 over the tag, PREV and the LEN bytes of length word and body at REC. */
static void ref_check(const uint8_t prev[AUDIT_SPOOL_CHECK], const uint8_t *rec, size_t len,
                      uint8_t out[AUDIT_SPOOL_CHECK]) {
  crypto_generichash_state h;
  crypto_generichash_init(&h, NULL, 0, AUDIT_SPOOL_CHECK);
  crypto_generichash_update(&h, (const uint8_t *)TAG, sizeof TAG);
  crypto_generichash_update(&h, prev, AUDIT_SPOOL_CHECK);
  crypto_generichash_update(&h, rec, len);
  crypto_generichash_final(&h, out, AUDIT_SPOOL_CHECK);
}

/* True when the LEN-byte body at P is well formed; sets *NO to its number. */
static bool ref_body(const uint8_t *p, size_t len, int64_t *no) {
  if (len < 16) return false;
  *no = (int64_t)be64(p);
  size_t off = 16;
  for (int i = 0; i < FIELDS; i++) {
    if (len - off < 4) return false;
    uint32_t n = be32(p + off);
    off += 4;
    if (n == 0xFFFFFFFFu) {
      /* actor, action, outcome and details: the fields every entry has */
      if (i == 1 || i == 4 || i == 7 || i == 10) return false;
      continue;
    }
    if (n > len - off) return false;
    for (uint32_t k = 0; k < n; k++) {
      if (p[off + k] == 0) return false;
    }
    off += n;
  }
  return off == len;
}

/*
** The reference reader: returns the bytes of good records at the start of
** D[0..LEN), sets *N to their count and CHECK to the last one's (zeros for
** none).
*/
static size_t ref_decode(const uint8_t *d, size_t len, int *n, uint8_t check[AUDIT_SPOOL_CHECK]) {
  size_t off = 0;
  int64_t last = 0;
  *n = 0;
  memset(check, 0, AUDIT_SPOOL_CHECK);
  while (len - off >= 4) {
    size_t body = be32(d + off);
    if (body > AUDIT_SPOOL_MAX_RECORD || len - off - 4 < body + AUDIT_SPOOL_CHECK) break;
    uint8_t want[AUDIT_SPOOL_CHECK];
    ref_check(check, d + off, 4 + body, want);
    if (memcmp(want, d + off + 4 + body, AUDIT_SPOOL_CHECK) != 0) break;
    int64_t no;
    if (!ref_body(d + off + 4, body, &no)) break;
    if (no <= 0 || (*n > 0 && no <= last)) break;
    last = no;
    (*n)++;
    memcpy(check, want, AUDIT_SPOOL_CHECK);
    off += 4 + body + AUDIT_SPOOL_CHECK;
  }
  return off;
}

/* Puts right the check of every record of D[0..LEN) whose length word fits, in order. */
static void fix_checks(uint8_t *d, size_t len) {
  uint8_t prev[AUDIT_SPOOL_CHECK] = {0};
  size_t off = 0;
  while (len - off >= 4) {
    size_t body = be32(d + off);
    if (body > AUDIT_SPOOL_MAX_RECORD || len - off - 4 < body + AUDIT_SPOOL_CHECK) break;
    ref_check(prev, d + off, 4 + body, prev);
    memcpy(d + off + 4 + body, prev, AUDIT_SPOOL_CHECK);
    off += 4 + body + AUDIT_SPOOL_CHECK;
  }
}

/* Decodes D[0..LEN) and checks every invariant; returns the number of records kept. */
static int check_decode(const uint8_t *d, size_t len) {
  struct audit_row **rows = NULL;
  int64_t *nos = NULL;
  int n = -1;
  uint8_t check[AUDIT_SPOOL_CHECK];
  size_t got = audit_spool_decode(d, len, &rows, &nos, &n, check);
  CHECK(got <= len);
  CHECK(n >= 0);
  CHECK(n == 0 || (rows && nos));

  int rn;
  uint8_t rcheck[AUDIT_SPOOL_CHECK];
  size_t rgot = ref_decode(d, len, &rn, rcheck);
  CHECK(got == rgot);
  CHECK(n == rn);
  CHECK(memcmp(check, rcheck, AUDIT_SPOOL_CHECK) == 0);

  struct buf again = BUF_INIT;
  uint8_t echeck[AUDIT_SPOOL_CHECK] = {0};
  for (int i = 0; i < n; i++) {
    CHECK(nos[i] > 0);
    CHECK(i == 0 || nos[i] > nos[i - 1]);
    const struct audit_row *r = rows[i];
    CHECK(r->actor && r->action && r->outcome && r->details);
    CHECK(!r->prev_hash && !r->hash && r->seq == 0);
    audit_spool_encode(&again, echeck, nos[i], rows[i]);
  }
  CHECK(again.len == got);
  CHECK(got == 0 || memcmp(again.data, d, got) == 0);
  CHECK(memcmp(echeck, check, AUDIT_SPOOL_CHECK) == 0);
  buf_free(&again);

  /* The bytes kept read back the same on their own. */
  if (got < len) {
    struct audit_row **rows2 = NULL;
    int64_t *nos2 = NULL;
    int n2 = -1;
    uint8_t check2[AUDIT_SPOOL_CHECK];
    uint8_t *kept = malloc(got ? got : 1);
    if (!kept) abort();
    if (got) memcpy(kept, d, got);
    CHECK(audit_spool_decode(kept, got, &rows2, &nos2, &n2, check2) == got);
    CHECK(n2 == n);
    CHECK(memcmp(check2, check, AUDIT_SPOOL_CHECK) == 0);
    for (int i = 0; i < n; i++) CHECK(nos2[i] == nos[i]);
    audit_rows_free(rows2, n2);
    free(rows2);
    free(nos2);
    free(kept);
  }

  audit_rows_free(rows, n);
  free(rows);
  free(nos);
  return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  check_decode(data, size);
  /* An exactly sized heap copy with the checks put right, so the bodies themselves are read. */
  uint8_t *fixed = malloc(size ? size : 1);
  if (!fixed) abort();
  if (size) memcpy(fixed, data, size);
  fix_checks(fixed, size);
  check_decode(fixed, size);
  free(fixed);
  return 0;
}
