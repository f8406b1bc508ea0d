/*
** Unit tests for the audit spool file (audit_spool.c): encoding and decoding
** round-trip every field of an entry (NULLs and empty strings kept apart),
** its time and its spool number; decoding a buffer cut short anywhere keeps
** exactly the whole records before the cut; a change to any single byte
** stops decoding at the record holding it; records whose numbers do not rise,
** or that lack a field every entry has, are refused.  On disk: appends number
** entries on from the last, survive closing and reopening, a torn tail is cut
** off at open, resetting empties the file while numbering goes on,
** continue_after skips numbers already moved, a second open of the same
** spool is refused while the first holds it, and a spool in a missing folder
** cannot be opened.
*/
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sodium.h>
#include "audit/audit.h"
#include "util/buf.h"
#include "util/xalloc.h"

enum { NROWS = 3 };

/* Fails the test unless A and B are both NULL or equal strings. */
static void same_str(const char *what, const char *a, const char *b) {
  if (!a && !b) return;
  if (!a || !b || strcmp(a, b) != 0) {
    fail_msg("%s: \"%s\" != \"%s\"", what, a ? a : "(null)", b ? b : "(null)");
  }
}

/* Fails the test unless entries A and B agree in the time and every spooled field. */
static void same_row(const struct audit_row *a, const struct audit_row *b) {
  assert_int_equal(a->at, b->at);
  same_str("actor_id", a->actor_id, b->actor_id);
  same_str("actor", a->actor, b->actor);
  same_str("role", a->role, b->role);
  same_str("agency", a->agency, b->agency);
  same_str("action", a->action, b->action);
  same_str("object_type", a->object_type, b->object_type);
  same_str("object_id", a->object_id, b->object_id);
  same_str("outcome", a->outcome, b->outcome);
  same_str("purpose", a->purpose, b->purpose);
  same_str("ip", a->ip, b->ip);
  same_str("details", a->details, b->details);
}

/*
** Three entries unlike each other: one with every field, one with every
** optional field NULL and a negative time, one with empty strings (not NULL),
** multi-byte UTF-8 and long details.
*/
static void make_rows(struct audit_row *rows[NROWS]) {
  json_t *d = json_pack("{s:s,s:i}", "reason", "section 47 enquiry", "n", 3);
  rows[0] = audit_row_new("us_1", "jo.bloggs", "mash", "RMBC", "child.read", "child", "ch_42", "ok",
                          "safeguarding", "192.0.2.7", d);
  json_decref(d);
  rows[0]->at = 1700000000123;
  rows[1] = audit_row_new(NULL, NULL, NULL, NULL, "login", NULL, NULL, "refused", NULL, NULL, NULL);
  rows[1]->at = -5;
  char details[3000];
  memset(details, 'x', sizeof details - 1);
  details[sizeof details - 1] = '\0';
  rows[2] = audit_row_new("us_\xc3\xa9", "Zo\xc3\xab", "", "", "referral.update", "", "", "ok", "",
                          "2001:db8::1", NULL);
  rows[2]->at = INT64_MAX;
  free(rows[2]->details);
  rows[2]->details = xstrdup(details);
  /* audit_row_new turns "" into NULL for these; an empty string must survive as one. */
  free(rows[2]->role);
  rows[2]->role = xstrdup("");
  free(rows[2]->purpose);
  rows[2]->purpose = xstrdup("");
}

/* Frees an array of N entries made by make_rows. */
static void free_rows(struct audit_row **rows, int n) { audit_rows_free(rows, n); }

/*
** Encodes ROWS[N] numbered NOS into B from a zero check; ENDS[i] is where
** record i ends and CHECKS[i] the check after it (both may be NULL).
*/
static void encode_all(struct buf *b, struct audit_row **rows, const int64_t *nos, int n, size_t *ends,
                       uint8_t (*checks)[AUDIT_SPOOL_CHECK]) {
  uint8_t check[AUDIT_SPOOL_CHECK] = {0};
  for (int i = 0; i < n; i++) {
    audit_spool_encode(b, check, nos[i], rows[i]);
    if (ends) ends[i] = b->len;
    if (checks) memcpy(checks[i], check, AUDIT_SPOOL_CHECK);
  }
}

/* Decodes BUF[LEN] and frees the result; returns the bytes kept and sets *N. */
static size_t decode_count(const uint8_t *buf, size_t len, int *n) {
  struct audit_row **rows = NULL;
  int64_t *nos = NULL;
  uint8_t check[AUDIT_SPOOL_CHECK];
  size_t got = audit_spool_decode(buf, len, &rows, &nos, n, check);
  audit_rows_free(rows, *n);
  free(rows);
  free(nos);
  return got;
}

/* Encoding then decoding gives back every entry, number, time and the last check exactly. */
static void test_round_trip(void **state) {
  (void)state;
  struct audit_row *rows[NROWS];
  make_rows(rows);
  const int64_t nos[NROWS] = {1, 2, 7};
  struct buf b = BUF_INIT;
  uint8_t checks[NROWS][AUDIT_SPOOL_CHECK];
  encode_all(&b, rows, nos, NROWS, NULL, checks);

  struct audit_row **out = NULL;
  int64_t *out_nos = NULL;
  int n = -1;
  uint8_t check[AUDIT_SPOOL_CHECK];
  size_t got = audit_spool_decode((const uint8_t *)b.data, b.len, &out, &out_nos, &n, check);
  assert_int_equal(got, b.len);
  assert_int_equal(n, NROWS);
  for (int i = 0; i < NROWS; i++) {
    assert_int_equal(out_nos[i], nos[i]);
    same_row(out[i], rows[i]);
  }
  assert_null(out[1]->actor_id);
  assert_null(out[1]->purpose);
  assert_null(out[1]->ip);
  assert_string_equal(out[1]->actor, "anonymous");
  assert_string_equal(out[2]->role, "");
  assert_memory_equal(check, checks[NROWS - 1], AUDIT_SPOOL_CHECK);
  audit_rows_free(out, n);
  free(out);
  free(out_nos);

  /* Nothing at all is no records and a zero check. */
  static const uint8_t zero[AUDIT_SPOOL_CHECK];
  assert_int_equal(audit_spool_decode(NULL, 0, &out, &out_nos, &n, check), 0);
  assert_int_equal(n, 0);
  assert_null(out);
  assert_null(out_nos);
  assert_memory_equal(check, zero, AUDIT_SPOOL_CHECK);

  /* Encoding is deterministic: the same entries give the same bytes. */
  struct buf again = BUF_INIT;
  encode_all(&again, rows, nos, NROWS, NULL, NULL);
  assert_int_equal(again.len, b.len);
  assert_memory_equal(again.data, b.data, b.len);
  buf_free(&again);
  buf_free(&b);
  free_rows(rows, NROWS);
}

/* A buffer cut at any length decodes to exactly the whole records before the cut. */
static void test_decode_every_prefix(void **state) {
  (void)state;
  struct audit_row *rows[NROWS];
  make_rows(rows);
  const int64_t nos[NROWS] = {3, 4, 5};
  struct buf b = BUF_INIT;
  size_t ends[NROWS];
  uint8_t checks[NROWS][AUDIT_SPOOL_CHECK];
  encode_all(&b, rows, nos, NROWS, ends, checks);
  static const uint8_t zero[AUDIT_SPOOL_CHECK];

  for (size_t cut = 0; cut <= b.len; cut++) {
    /* An exactly sized heap copy, so that a sanitizer build sees any read past the cut. */
    uint8_t *p = cut ? xmalloc(cut) : NULL;
    if (cut) memcpy(p, b.data, cut);
    struct audit_row **out = NULL;
    int64_t *out_nos = NULL;
    int n = -1;
    uint8_t check[AUDIT_SPOOL_CHECK];
    size_t got = audit_spool_decode(p, cut, &out, &out_nos, &n, check);
    int want = 0;
    while (want < NROWS && ends[want] <= cut) want++;
    if (n != want) fail_msg("cut at %zu: %d records, want %d", cut, n, want);
    if (got != (want ? ends[want - 1] : 0)) fail_msg("cut at %zu: kept %zu bytes", cut, got);
    assert_memory_equal(check, want ? checks[want - 1] : zero, AUDIT_SPOOL_CHECK);
    for (int i = 0; i < n; i++) {
      assert_int_equal(out_nos[i], nos[i]);
      same_row(out[i], rows[i]);
    }
    audit_rows_free(out, n);
    free(out);
    free(out_nos);
    free(p);
  }
  buf_free(&b);
  free_rows(rows, NROWS);
}

/* Changing any one byte stops decoding at the record holding it; the records before it survive. */
static void test_decode_any_changed_byte(void **state) {
  (void)state;
  struct audit_row *rows[NROWS];
  make_rows(rows);
  /* Short details keep the loop quick; the long one is covered by the other tests. */
  free(rows[2]->details);
  rows[2]->details = xstrdup("{\"k\":\"v\"}");
  const int64_t nos[NROWS] = {10, 11, 12};
  struct buf b = BUF_INIT;
  size_t ends[NROWS];
  encode_all(&b, rows, nos, NROWS, ends, NULL);
  static const uint8_t flips[] = {0x01, 0x80, 0xFF};
  uint8_t *p = xmalloc(b.len);

  for (size_t i = 0; i < b.len; i++) {
    int rec = 0;
    while (ends[rec] <= i) rec++;
    for (size_t f = 0; f < TU_COUNT(flips); f++) {
      memcpy(p, b.data, b.len);
      p[i] ^= flips[f];
      int n = -1;
      size_t got = decode_count(p, b.len, &n);
      if (n != rec) fail_msg("byte %zu ^ 0x%02x (record %d): %d records decoded", i, flips[f], rec, n);
      if (got != (rec ? ends[rec - 1] : 0)) fail_msg("byte %zu ^ 0x%02x: kept %zu bytes", i, flips[f], got);
    }
  }
  free(p);
  buf_free(&b);
  free_rows(rows, NROWS);
}

/* The checks are chained: a record taken out of the middle stops decoding where it was. */
static void test_chain_detects_removal(void **state) {
  (void)state;
  struct audit_row *rows[NROWS];
  make_rows(rows);
  const int64_t nos[NROWS] = {1, 2, 3};
  struct buf b = BUF_INIT;
  size_t ends[NROWS];
  encode_all(&b, rows, nos, NROWS, ends, NULL);
  struct buf cut = BUF_INIT;
  buf_append(&cut, b.data, ends[0]);
  buf_append(&cut, b.data + ends[1], ends[2] - ends[1]);
  int n = -1;
  assert_int_equal(decode_count((const uint8_t *)cut.data, cut.len, &n), ends[0]);
  assert_int_equal(n, 1);

  /* Nor does a record checked from zero (the start of another spool) follow others. */
  buf_reset(&cut);
  buf_append(&cut, b.data, ends[1]);
  uint8_t zero[AUDIT_SPOOL_CHECK] = {0};
  audit_spool_encode(&cut, zero, 3, rows[2]);
  assert_int_equal(decode_count((const uint8_t *)cut.data, cut.len, &n), ends[1]);
  assert_int_equal(n, 2);
  buf_free(&cut);
  buf_free(&b);
  free_rows(rows, NROWS);
}

/* Records whose numbers do not rise (or are not positive) are refused with everything after them. */
static void test_numbers_must_rise(void **state) {
  (void)state;
  struct audit_row *rows[NROWS];
  make_rows(rows);
  static const struct {
    int64_t nos[NROWS];
    int want; /* records kept */
  } cases[] = {
      {{5, 6, 9}, 3}, {{5, 5, 6}, 1}, {{5, 3, 6}, 1}, {{5, 6, 6}, 2},
      {{0, 1, 2}, 0}, {{-1, 1, 2}, 0}, {{INT64_MIN, 1, 2}, 0}, {{1, INT64_MAX, INT64_MIN}, 2},
  };
  for (size_t c = 0; c < TU_COUNT(cases); c++) {
    struct buf b = BUF_INIT;
    size_t ends[NROWS];
    encode_all(&b, rows, cases[c].nos, NROWS, ends, NULL);
    int n = -1;
    size_t got = decode_count((const uint8_t *)b.data, b.len, &n);
    if (n != cases[c].want) fail_msg("case %zu: %d records kept, want %d", c, n, cases[c].want);
    assert_int_equal(got, cases[c].want ? ends[cases[c].want - 1] : 0);
    buf_free(&b);
  }
  free_rows(rows, NROWS);
}

/* A well-checked record lacking a field every entry has (actor, action, outcome, details) is refused. */
static void test_required_fields(void **state) {
  (void)state;
  for (int which = 0; which < 4; which++) {
    struct audit_row *rows[NROWS];
    make_rows(rows);
    char **slot = which == 0 ? &rows[1]->actor : which == 1 ? &rows[1]->action : which == 2 ? &rows[1]->outcome
                                                                                          : &rows[1]->details;
    free(*slot);
    *slot = NULL;
    const int64_t nos[NROWS] = {1, 2, 3};
    struct buf b = BUF_INIT;
    size_t ends[NROWS];
    encode_all(&b, rows, nos, NROWS, ends, NULL);
    int n = -1;
    assert_int_equal(decode_count((const uint8_t *)b.data, b.len, &n), ends[0]);
    assert_int_equal(n, 1);
    buf_free(&b);
    free_rows(rows, NROWS);
  }
}

/* Appends V to B as 4 big-endian bytes. */
static void ref_u32(struct buf *b, uint32_t v) {
  uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
  buf_append(b, x, 4);
}

/*
** Appends to BODY, as an independent reference of the format audit_spool.c
** describes, the number NO and time AT (8 bytes each, big-endian) and the
** first COUNT of FIELDS (each a 4-byte length and its LENS[i] bytes, which
** may include NULs, or 0xFFFFFFFF when FIELDS[i] is NULL).
*/
static void ref_body(struct buf *body, int64_t no, int64_t at, const char *const *fields, const size_t *lens,
                     int count) {
  ref_u32(body, (uint32_t)((uint64_t)no >> 32));
  ref_u32(body, (uint32_t)(uint64_t)no);
  ref_u32(body, (uint32_t)((uint64_t)at >> 32));
  ref_u32(body, (uint32_t)(uint64_t)at);
  for (int i = 0; i < count; i++) {
    ref_u32(body, fields[i] ? (uint32_t)lens[i] : 0xFFFFFFFFu);
    if (fields[i]) buf_append(body, fields[i], lens[i]);
  }
}

/*
** Appends to B the record of BODY: its length (4 bytes, big-endian), the
** body, and BLAKE2b-128 over the tag (with its NUL), PREV, the length and the
** body.  PREV becomes this record's check.
*/
static void ref_record(struct buf *b, uint8_t prev[AUDIT_SPOOL_CHECK], const struct buf *body) {
  size_t start = b->len;
  ref_u32(b, (uint32_t)body->len);
  buf_append(b, body->data, body->len);
  static const char tag[] = "safehub.audit.spool.v1";
  crypto_generichash_state h;
  crypto_generichash_init(&h, NULL, 0, AUDIT_SPOOL_CHECK);
  crypto_generichash_update(&h, (const uint8_t *)tag, sizeof tag);
  crypto_generichash_update(&h, prev, AUDIT_SPOOL_CHECK);
  crypto_generichash_update(&h, (const uint8_t *)b->data + start, 4 + body->len);
  crypto_generichash_final(&h, prev, AUDIT_SPOOL_CHECK);
  buf_append(b, prev, AUDIT_SPOOL_CHECK);
}

/* R's eleven fields in spool order, with their lengths. */
static void row_fields(const struct audit_row *r, const char *f[11], size_t lens[11]) {
  const char *v[11] = {r->actor_id, r->actor,   r->role,    r->agency, r->action, r->object_type,
                       r->object_id, r->outcome, r->purpose, r->ip,     r->details};
  for (int i = 0; i < 11; i++) {
    f[i] = v[i];
    lens[i] = v[i] ? strlen(v[i]) : 0;
  }
}

/* The bytes written are exactly the documented format, so a spool written by one version reads in the next. */
static void test_format_as_documented(void **state) {
  (void)state;
  struct audit_row *rows[NROWS];
  make_rows(rows);
  const int64_t nos[NROWS] = {1, 2, 300000000000};
  struct buf got = BUF_INIT, want = BUF_INIT;
  encode_all(&got, rows, nos, NROWS, NULL, NULL);
  uint8_t prev[AUDIT_SPOOL_CHECK] = {0};
  for (int i = 0; i < NROWS; i++) {
    const char *f[11];
    size_t lens[11];
    row_fields(rows[i], f, lens);
    struct buf body = BUF_INIT;
    ref_body(&body, nos[i], rows[i]->at, f, lens, 11);
    ref_record(&want, prev, &body);
    buf_free(&body);
  }
  assert_int_equal(got.len, want.len);
  assert_memory_equal(got.data, want.data, want.len);
  buf_free(&got);
  buf_free(&want);
  free_rows(rows, NROWS);
}

/*
** Records that check but whose body is malformed are refused with everything
** after them: bytes left over after the fields, a field running past the
** body, a NUL inside a field, too few fields, a body too short for number and
** time, and a body longer than AUDIT_SPOOL_MAX_RECORD (one of exactly that
** size is read).
*/
static void test_malformed_bodies(void **state) {
  (void)state;
  struct audit_row *rows[NROWS];
  make_rows(rows);
  const char *f[11];
  size_t lens[11];
  row_fields(rows[0], f, lens);
  enum { GOOD, EXTRA, PAST_END, NUL_IN_FIELD, TEN_FIELDS, SHORT, AT_MAX, OVER_MAX, NCASES };
  for (int c = 0; c < NCASES; c++) {
    struct buf b = BUF_INIT, body = BUF_INIT;
    uint8_t prev[AUDIT_SPOOL_CHECK] = {0};
    ref_body(&body, 1, 0, f, lens, 11);
    ref_record(&b, prev, &body);
    size_t first = b.len;
    buf_reset(&body);
    const char *g[11];
    size_t gl[11];
    memcpy(g, f, sizeof g);
    memcpy(gl, lens, sizeof gl);
    char *big = NULL;
    switch (c) {
    case EXTRA: /* a byte after the last field */
      ref_body(&body, 2, 0, g, gl, 11);
      buf_putc(&body, 'x');
      break;
    case PAST_END: /* the last field claims one byte more than is left */
      ref_body(&body, 2, 0, g, gl, 10);
      ref_u32(&body, 3);
      buf_append(&body, "{}", 2);
      break;
    case NUL_IN_FIELD:
      g[1] = "jo\0x";
      gl[1] = 4;
      ref_body(&body, 2, 0, g, gl, 11);
      break;
    case TEN_FIELDS:
      ref_body(&body, 2, 0, g, gl, 10);
      break;
    case SHORT: /* fifteen bytes: not even number and time */
      ref_body(&body, 2, 0, g, gl, 0);
      body.len = 15;
      break;
    case AT_MAX:
    case OVER_MAX: {
      /* details padded so the body is exactly the limit, or one byte over it */
      ref_body(&body, 2, 0, g, gl, 10);
      size_t n = (size_t)AUDIT_SPOOL_MAX_RECORD - body.len - 4 + (c == OVER_MAX);
      big = xmalloc(n + 1);
      memset(big, 'y', n);
      big[n] = '\0';
      ref_u32(&body, (uint32_t)n);
      buf_append(&body, big, n);
      break;
    }
    default:
      ref_body(&body, 2, 0, g, gl, 11);
      break;
    }
    ref_record(&b, prev, &body);
    /* A good record after it, chained to it. */
    buf_reset(&body);
    ref_body(&body, 3, 0, f, lens, 11);
    ref_record(&b, prev, &body);
    int n = -1;
    size_t got = decode_count((const uint8_t *)b.data, b.len, &n);
    bool ok = c == GOOD || c == AT_MAX;
    if (n != (ok ? 3 : 1)) fail_msg("case %d: %d records decoded", c, n);
    assert_int_equal(got, ok ? b.len : first);
    free(big);
    buf_free(&body);
    buf_free(&b);
  }
  free_rows(rows, NROWS);
}

/* The size of the file at PATH; fails the test if it cannot be read. */
static off_t file_size(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) fail_msg("stat %s failed", path);
  return st.st_size;
}

/* Appends LEN bytes to the file at PATH with plain write(), as a torn write would have left them. */
static void append_raw(const char *path, const void *p, size_t len) {
  int fd = open(path, O_WRONLY | O_APPEND);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, p, len), (ssize_t)len);
  close(fd);
}

/* Opens the spool at PATH, which must succeed; sets *N and the numbers into NOS_OUT (up to CAP). */
static struct audit_spool *open_ok(const char *path, int *n, int64_t *nos_out, int cap, struct audit_row **first) {
  struct audit_row **rows = NULL;
  int64_t *nos = NULL;
  char err[512] = "";
  struct audit_spool *sp = audit_spool_open(path, &rows, &nos, n, err, sizeof err);
  if (!sp) fail_msg("audit_spool_open: %s", err);
  for (int i = 0; i < *n && i < cap; i++) nos_out[i] = nos[i];
  if (first) {
    *first = *n > 0 ? rows[0] : NULL;
    if (*n > 0) rows[0] = NULL;
  }
  for (int i = 0; i < *n; i++) {
    if (rows[i]) audit_rows_free(&rows[i], 1);
  }
  free(rows);
  free(nos);
  return sp;
}

/* A new empty spool NAME in a fresh folder DIR (its path in PATH), and entries ROWS to put in it. */
static struct audit_spool *fresh_spool(char dir[PATH_MAX], char path[PATH_MAX], const char *name,
                                       struct audit_row *rows[NROWS]) {
  tu_mkdtemp(dir);
  tu_path(path, dir, name);
  make_rows(rows);
  int n = -1;
  int64_t nos[1];
  struct audit_spool *sp = open_ok(path, &n, nos, 1, NULL);
  assert_int_equal(n, 0);
  return sp;
}

/*
** A spool's life: appends are numbered on and survive reopening; a torn tail
** is cut off at open; reset empties the file and numbering goes on;
** continue_after skips numbers already moved.
*/
static void test_file_lifecycle(void **state) {
  (void)state;
  char dir[PATH_MAX], path[PATH_MAX];
  tu_mkdtemp(dir);
  tu_path(path, dir, "audit.spool");
  struct audit_row *rows[NROWS];
  make_rows(rows);
  int n = -1;
  int64_t nos[16];

  /* A new file: empty, mode 0600, numbering from 1. */
  struct audit_spool *sp = open_ok(path, &n, nos, 16, NULL);
  assert_int_equal(n, 0);
  assert_int_equal(audit_spool_last(sp), 0);
  assert_int_equal(audit_spool_size(sp), 0);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  assert_int_equal(audit_spool_append(sp, rows, 3), 3);
  assert_int_equal(audit_spool_append(sp, rows, 2), 5);
  assert_int_equal(audit_spool_last(sp), 5);
  size_t good = audit_spool_size(sp);
  assert_int_equal(file_size(path), (off_t)good);
  audit_spool_close(sp);

  /* Reopened: the five entries, numbered 1..5, the first one intact. */
  struct audit_row *first = NULL;
  sp = open_ok(path, &n, nos, 16, &first);
  assert_int_equal(n, 5);
  for (int i = 0; i < 5; i++) assert_int_equal(nos[i], i + 1);
  same_row(first, rows[0]);
  audit_rows_free(&first, 1);
  assert_int_equal(audit_spool_last(sp), 5);
  assert_int_equal(audit_spool_size(sp), good);
  audit_spool_close(sp);

  /* A torn tail, half of the record that would have come next, is cut off at open. */
  struct buf next = BUF_INIT;
  uint8_t zero_check[AUDIT_SPOOL_CHECK] = {0};
  audit_spool_encode(&next, zero_check, 6, rows[0]);
  size_t half = next.len / 2;
  append_raw(path, next.data, half);
  buf_free(&next);
  assert_int_equal(file_size(path), (off_t)(good + half));
  sp = open_ok(path, &n, nos, 16, NULL);
  assert_int_equal(n, 5);
  assert_int_equal(nos[4], 5);
  assert_int_equal(audit_spool_size(sp), good);
  assert_int_equal(file_size(path), (off_t)good);
  audit_spool_close(sp);

  /* So is garbage: a length that fits and a check that does not. */
  static const uint8_t junk[] = {0, 0, 0, 20, 'n', 'o', 't', ' ', 'a', ' ', 'r', 'e', 'c', 'o', 'r', 'd',
                                 1, 2,  3,  4,  5,   6,   7,   8,   9,   10,  11,  12,  13,  14,  15,  16,
                                 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36};
  append_raw(path, junk, sizeof junk);
  sp = open_ok(path, &n, nos, 16, NULL);
  assert_int_equal(n, 5);
  assert_int_equal(file_size(path), (off_t)good);

  /* Appending after the cut chains on from the last good record: all six come back. */
  assert_int_equal(audit_spool_append(sp, rows, 1), 6);
  audit_spool_close(sp);
  sp = open_ok(path, &n, nos, 16, NULL);
  assert_int_equal(n, 6);
  for (int i = 0; i < 6; i++) assert_int_equal(nos[i], i + 1);

  /* Reset empties the file; numbering goes on, and the new record starts a fresh chain. */
  assert_int_equal(audit_spool_reset(sp), 0);
  assert_int_equal(file_size(path), 0);
  assert_int_equal(audit_spool_size(sp), 0);
  assert_int_equal(audit_spool_last(sp), 6);
  assert_int_equal(audit_spool_append(sp, rows, 1), 7);
  assert_int_equal(file_size(path), (off_t)audit_spool_size(sp));

  /* continue_after skips numbers already moved, and never goes back. */
  audit_spool_continue_after(sp, 100);
  assert_int_equal(audit_spool_last(sp), 100);
  assert_int_equal(audit_spool_append(sp, &rows[1], 2), 102);
  audit_spool_continue_after(sp, 50);
  assert_int_equal(audit_spool_last(sp), 102);
  audit_spool_close(sp);

  sp = open_ok(path, &n, nos, 16, NULL);
  assert_int_equal(n, 3);
  assert_int_equal(nos[0], 7);
  assert_int_equal(nos[1], 101);
  assert_int_equal(nos[2], 102);
  assert_int_equal(audit_spool_last(sp), 102);
  audit_spool_close(sp);

  free_rows(rows, NROWS);
  tu_rmtree(dir);
}

/* True when the LEN bytes of the file at PATH from OFFSET are all zero. */
static bool zeros_at(const char *path, off_t offset, size_t len) {
  int fd = open(path, O_RDONLY);
  assert_true(fd >= 0);
  uint8_t *p = xmalloc(len);
  assert_int_equal(pread(fd, p, len, offset), (ssize_t)len);
  close(fd);
  bool zero = true;
  for (size_t i = 0; i < len; i++) zero = zero && p[i] == 0;
  free(p);
  return zero;
}

/*
** With prefill the file is written with zeros ahead of its records: appends
** within them leave its size alone, zeros after the last record are kept at
** open as its end, a record torn inside them is still cut off, and reset and
** a refused append give the zeros back.
*/
static void test_prefill(void **state) {
  (void)state;
  enum { AHEAD = 8192 };
  char dir[PATH_MAX], path[PATH_MAX];
  struct audit_row *rows[NROWS];
  struct audit_spool *sp = fresh_spool(dir, path, "audit.spool", rows);
  audit_spool_prefill(sp, AHEAD);
  assert_int_equal(audit_spool_append(sp, rows, 1), 1);
  size_t one = audit_spool_size(sp);
  assert_int_equal(file_size(path), (off_t)(one + AHEAD));
  assert_true(zeros_at(path, (off_t)one, AHEAD));
  assert_int_equal(audit_spool_append(sp, rows, 2), 3);
  size_t good = audit_spool_size(sp);
  assert_true(good < one + AHEAD);
  assert_int_equal(file_size(path), (off_t)(one + AHEAD)); /* written into the zeros: no growth */
  assert_true(zeros_at(path, (off_t)good, one + AHEAD - good));
  audit_spool_close(sp);

  /* Reopened: the three entries; the zeros after them are the end, kept as they are. */
  int n = -1;
  int64_t nos[8];
  sp = open_ok(path, &n, nos, 8, NULL);
  assert_int_equal(n, 3);
  assert_int_equal(audit_spool_size(sp), good);
  assert_int_equal(file_size(path), (off_t)(one + AHEAD));
  audit_spool_prefill(sp, AHEAD);
  /* A batch bigger than what is left ahead: the zeros are extended past it first. */
  struct audit_row *many[NROWS * 4];
  for (int i = 0; i < NROWS * 4; i++) many[i] = rows[i % NROWS];
  int64_t last = audit_spool_append(sp, many, NROWS * 4);
  assert_int_equal(last, 3 + NROWS * 4);
  size_t big = audit_spool_size(sp);
  assert_true(file_size(path) >= (off_t)(big + AHEAD));
  assert_true(zeros_at(path, (off_t)big, AHEAD));
  audit_spool_close(sp);
  sp = open_ok(path, &n, nos, 8, NULL);
  assert_int_equal(n, 3 + NROWS * 4);
  audit_spool_close(sp);

  /* Half a record written into the zeros (a crash mid-append) is cut off, zeros and all. */
  struct buf next = BUF_INIT;
  uint8_t zero_check[AUDIT_SPOOL_CHECK] = {0};
  audit_spool_encode(&next, zero_check, last + 1, rows[0]);
  int fd = open(path, O_WRONLY);
  assert_true(fd >= 0);
  assert_int_equal(pwrite(fd, next.data, next.len / 2, (off_t)big), (ssize_t)(next.len / 2));
  close(fd);
  buf_free(&next);
  sp = open_ok(path, &n, nos, 8, NULL);
  assert_int_equal(n, 3 + NROWS * 4);
  assert_int_equal(file_size(path), (off_t)big);
  audit_spool_prefill(sp, AHEAD);

  /* A refused batch leaves the file as it was; reset empties it, zeros too. */
  assert_int_equal(audit_spool_append(sp, rows, 1), last + 1);
  off_t before = file_size(path);
  struct audit_row *bad = audit_row_new("us_1", "jo", "mash", "RMBC", "child.read", "child", "ch_1", "ok", NULL,
                                        NULL, NULL);
  free(bad->action);
  bad->action = NULL;
  assert_int_equal(audit_spool_append(sp, &bad, 1), 0);
  assert_int_equal(file_size(path), before);
  audit_rows_free(&bad, 1);
  assert_int_equal(audit_spool_reset(sp), 0);
  assert_int_equal(file_size(path), 0);
  assert_int_equal(audit_spool_append(sp, rows, 1), last + 2);
  assert_int_equal(file_size(path), (off_t)(audit_spool_size(sp) + AHEAD));
  /* With a larger prefill, a small spool is written only 64 KiB ahead (emptied often, it writes little). */
  assert_int_equal(audit_spool_reset(sp), 0);
  audit_spool_prefill(sp, 1 << 20);
  assert_int_equal(audit_spool_append(sp, rows, 1), last + 2 + 1);
  assert_int_equal(file_size(path), (off_t)(audit_spool_size(sp) + 65536));
  audit_spool_close(sp);
  sp = open_ok(path, &n, nos, 8, NULL);
  assert_int_equal(n, 1);
  assert_int_equal(nos[0], last + 3);
  audit_spool_close(sp);
  free_rows(rows, NROWS);
  tu_rmtree(dir);
}

/*
** Appending refuses what reading back would refuse (an entry over the size
** limit, one without an action), writing nothing, so a record after it that
** was acknowledged can never be cut off at the next open.
*/
static void test_append_refuses_unreadable(void **state) {
  (void)state;
  char dir[PATH_MAX], path[PATH_MAX];
  struct audit_row *rows[NROWS];
  struct audit_spool *sp = fresh_spool(dir, path, "audit.spool", rows);
  int n = -1;
  int64_t nos[8];
  assert_int_equal(audit_spool_append(sp, rows, 1), 1);
  off_t size = file_size(path);

  struct audit_row *big = audit_row_new("us_1", "jo", "mash", "RMBC", "child.read", "child", "ch_1", "ok", NULL,
                                        NULL, NULL);
  free(big->details);
  big->details = xmalloc(AUDIT_SPOOL_MAX_RECORD + 1);
  memset(big->details, 'x', AUDIT_SPOOL_MAX_RECORD);
  big->details[AUDIT_SPOOL_MAX_RECORD] = '\0';
  struct audit_row *pair[2] = {rows[0], big};
  assert_int_equal(audit_spool_append(sp, pair, 2), 0);
  free(big->action);
  big->action = NULL;
  free(big->details);
  big->details = xstrdup("{}");
  assert_int_equal(audit_spool_append(sp, &big, 1), 0);
  assert_int_equal(file_size(path), size); /* nothing written */
  assert_int_equal(audit_spool_last(sp), 1);

  /* The next good batch is numbered on, and everything acknowledged reads back. */
  assert_int_equal(audit_spool_append(sp, rows, 2), 3);
  audit_spool_close(sp);
  sp = open_ok(path, &n, nos, 8, NULL);
  assert_int_equal(n, 3);
  assert_int_equal(nos[2], 3);
  audit_spool_close(sp);
  audit_rows_free(&big, 1);
  free_rows(rows, NROWS);
  tu_rmtree(dir);
}

/* A second open of a spool that is held is refused, and leaves the holder's file as it was. */
static void test_second_open_refused(void **state) {
  (void)state;
  char dir[PATH_MAX], path[PATH_MAX];
  struct audit_row *rows[NROWS];
  struct audit_spool *sp = fresh_spool(dir, path, "held.spool", rows);
  assert_int_equal(audit_spool_append(sp, rows, NROWS), NROWS);

  struct audit_row **rows2 = NULL;
  int64_t *nos2 = NULL;
  int n2 = -1;
  char err[512] = "";
  assert_null(audit_spool_open(path, &rows2, &nos2, &n2, err, sizeof err));
  assert_non_null(strstr(err, "in use"));
  assert_non_null(strstr(err, path));

  /* The holder carries on; once it lets go the spool opens again with everything in it. */
  assert_int_equal(audit_spool_append(sp, rows, 1), NROWS + 1);
  audit_spool_close(sp);
  int n = -1;
  int64_t nos[4];
  sp = open_ok(path, &n, nos, 4, NULL);
  assert_int_equal(n, NROWS + 1);
  audit_spool_close(sp);
  free_rows(rows, NROWS);
  tu_rmtree(dir);
}

/*
** A rewrite keeps only the entries given, with their numbers; the new file is
** whole on its own (reopened, it reads back), numbering goes on after it, it
** stays locked against a second server, and no file is left beside it.
*/
static void test_rewrite(void **state) {
  (void)state;
  char dir[PATH_MAX], path[PATH_MAX];
  struct audit_row *rows[NROWS];
  struct audit_spool *sp = fresh_spool(dir, path, "rewrite.spool", rows);
  for (int i = 0; i < 4; i++) assert_int_equal(audit_spool_append(sp, rows, NROWS), (i + 1) * NROWS);
  size_t before = audit_spool_size(sp);
  /* Entries 1..10 moved: 11 and 12 (rows[1], rows[2]) are kept. */
  assert_int_equal(audit_spool_rewrite(sp, rows + 1, 11, 2), 0);
  assert_true(audit_spool_size(sp) < before);
  assert_int_equal(audit_spool_last(sp), 12);
  assert_int_equal(file_size(path), (off_t)audit_spool_size(sp));
  char beside[PATH_MAX + 8];
  snprintf(beside, sizeof beside, "%s.new", path);
  assert_int_equal(access(beside, F_OK), -1);
  /* Still held: a second server is refused. */
  struct audit_row **rows2 = NULL;
  int64_t *nos2 = NULL;
  int n2 = -1;
  char err[512] = "";
  assert_null(audit_spool_open(path, &rows2, &nos2, &n2, err, sizeof err));
  assert_int_equal(audit_spool_append(sp, rows, 1), 13);
  audit_spool_close(sp);
  int n = -1;
  int64_t nos[8];
  struct audit_row *first = NULL;
  sp = open_ok(path, &n, nos, 8, &first);
  assert_int_equal(n, 3);
  assert_int_equal(nos[0], 11);
  assert_int_equal(nos[1], 12);
  assert_int_equal(nos[2], 13);
  same_row(first, rows[1]);
  audit_rows_free(&first, 1);
  /* Nothing left to keep: the file is emptied. */
  assert_int_equal(audit_spool_rewrite(sp, NULL, 0, 0), 0);
  assert_int_equal(file_size(path), 0);
  assert_int_equal(audit_spool_append(sp, rows, 1), 14);
  audit_spool_close(sp);
  free_rows(rows, NROWS);
  tu_rmtree(dir);
}

/* A spool in a folder that does not exist cannot be opened, and the error names it. */
static void test_open_missing_folder(void **state) {
  (void)state;
  char dir[PATH_MAX], path[PATH_MAX];
  tu_mkdtemp(dir);
  tu_path(path, dir, "absent/audit.spool");
  struct audit_row **rows = NULL;
  int64_t *nos = NULL;
  int n = -1;
  char err[512] = "";
  assert_null(audit_spool_open(path, &rows, &nos, &n, err, sizeof err));
  assert_non_null(strstr(err, path));
  tu_rmtree(dir);
}

/* The spool's name is its absolute path, or the path as given when it cannot be resolved. */
static void test_name(void **state) {
  (void)state;
  char dir[PATH_MAX], path[PATH_MAX], cwd[PATH_MAX];
  tu_mkdtemp(dir);
  tu_path(path, dir, "named.spool");
  int n = -1;
  int64_t nos[1];
  struct audit_spool *sp = open_ok(path, &n, nos, 1, NULL);
  audit_spool_close(sp);
  assert_non_null(getcwd(cwd, sizeof cwd));
  assert_int_equal(chdir(dir), 0);
  char host[256] = "";
  assert_int_equal(gethostname(host, sizeof host), 0);
  char *name = audit_spool_name("./named.spool");
  char *abs = realpath(path, NULL);
  assert_non_null(abs);
  char want[PATH_MAX + 300];
  snprintf(want, sizeof want, "%s:%s", host, abs);
  assert_string_equal(name, want); /* the host, then the absolute path */
  free(name);
  free(abs);
  assert_int_equal(chdir(cwd), 0);
  name = audit_spool_name("no/such/spool");
  snprintf(want, sizeof want, "%s:no/such/spool", host);
  assert_string_equal(name, want);
  free(name);
  tu_rmtree(dir);
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip),
      cmocka_unit_test(test_decode_every_prefix),
      cmocka_unit_test(test_decode_any_changed_byte),
      cmocka_unit_test(test_chain_detects_removal),
      cmocka_unit_test(test_numbers_must_rise),
      cmocka_unit_test(test_required_fields),
      cmocka_unit_test(test_format_as_documented),
      cmocka_unit_test(test_malformed_bodies),
      cmocka_unit_test(test_file_lifecycle),
      cmocka_unit_test(test_prefill),
      cmocka_unit_test(test_append_refuses_unreadable),
      cmocka_unit_test(test_second_open_refused),
      cmocka_unit_test(test_rewrite),
      cmocka_unit_test(test_open_missing_folder),
      cmocka_unit_test(test_name),
  };
  return cmocka_run_group_tests_name("audit_spool", tests, NULL, NULL);
}
