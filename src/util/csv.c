/*
** The strict CSV reader (see csv.h).  One pass over the bytes per record:
** unquoted runs are copied with memcpy, quoted fields byte by byte.  Every
** problem in a record is noted (the first reason is kept) while the record
** is still consumed to its end, so that the next record starts cleanly.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/codec.h"
#include "util/csv.h"
#include "util/xalloc.h"

/* Prepares R to read the LEN bytes at DATA (not copied; they must outlive R). */
void csv_init(struct csv_reader *r, const void *data, size_t len) {
  memset(r, 0, sizeof *r);
  r->data = data;
  r->len = len;
  r->line = 1;
}

/* Frees the reader's record buffer (not the input). */
void csv_free(struct csv_reader *r) {
  free(r->buf);
  r->buf = NULL;
  r->bufcap = r->buflen = 0;
}

/* The I-th field of the last record, NUL-terminated; "" when out of range. */
const char *csv_field(const struct csv_reader *r, int i) {
  if (i < 0 || i >= r->nfields || !r->buf) return "";
  return r->buf + r->off[i];
}

/* Length in bytes of the I-th field of the last record (0 when out of range). */
size_t csv_field_len(const struct csv_reader *r, int i) {
  if (i < 0 || i >= r->nfields) return 0;
  return r->flen[i];
}

/* Keeps the first reason a record is bad. */
static void note(struct csv_reader *r, bool *bad, const char *why) {
  if (!*bad) snprintf(r->why, sizeof r->why, "%s", why);
  *bad = true;
}

/* Appends N bytes to the record buffer unless the record is already too long. */
static void put(struct csv_reader *r, const void *p, size_t n, bool *bad) {
  if (r->buflen + n + 1 > CSV_MAX_RECORD) {
    note(r, bad, "record longer than 1 MiB");
    return;
  }
  if (r->buflen + n + 1 > r->bufcap) {
    size_t cap = r->bufcap ? r->bufcap : 256;
    while (cap < r->buflen + n + 1) cap *= 2;
    r->buf = xrealloc(r->buf, cap);
    r->bufcap = cap;
  }
  memcpy(r->buf + r->buflen, p, n);
  r->buflen += n;
}

/*
** Refuses inputs that are not UTF-8 text before the first record: UTF-16 and
** UTF-32 byte-order marks, and NUL bytes near the start (UTF-16 without a
** mark, or a binary file).  Skips a UTF-8 byte-order mark.
*/
static bool check_encoding(struct csv_reader *r) {
  const unsigned char *d = r->data;
  size_t n = r->len;
  if (n >= 4 && ((d[0] == 0xFF && d[1] == 0xFE && d[2] == 0 && d[3] == 0) ||
                 (d[0] == 0 && d[1] == 0 && d[2] == 0xFE && d[3] == 0xFF))) {
    snprintf(r->why, sizeof r->why, "unknown encoding: a UTF-32 byte-order mark (save the file as UTF-8)");
    return false;
  }
  if (n >= 2 && ((d[0] == 0xFF && d[1] == 0xFE) || (d[0] == 0xFE && d[1] == 0xFF))) {
    snprintf(r->why, sizeof r->why, "unknown encoding: a UTF-16 byte-order mark (save the file as UTF-8)");
    return false;
  }
  if (n >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF) r->pos = 3;
  size_t probe = n < 4096 ? n : 4096;
  if (memchr(d, 0, probe)) {
    snprintf(r->why, sizeof r->why, "unknown encoding: NUL bytes (UTF-16 without a byte-order mark, or not text)");
    return false;
  }
  return true;
}

/* Consumes one line ending (LF, CRLF or CR) at pos, counting the line. */
static void eat_eol(struct csv_reader *r) {
  if (r->pos < r->len && r->data[r->pos] == '\r') {
    r->pos++;
    if (r->pos < r->len && r->data[r->pos] == '\n') r->pos++;
  } else if (r->pos < r->len && r->data[r->pos] == '\n') {
    r->pos++;
  }
  r->line++;
}

/* Reads a quoted field starting at the opening quote into the record buffer. */
static void read_quoted(struct csv_reader *r, bool *bad) {
  unsigned long opened = r->line;
  r->pos++;
  for (;;) {
    if (r->pos >= r->len) {
      char why[96];
      snprintf(why, sizeof why, "a quoted field opened on line %lu is never closed", opened);
      note(r, bad, why);
      return;
    }
    /* Copy the run up to the next quote or line break in one go. */
    const unsigned char *p = r->data + r->pos;
    size_t run = 0, left = r->len - r->pos;
    while (run < left && p[run] != '"' && p[run] != '\n' && p[run] != '\r') run++;
    if (run) {
      put(r, p, run, bad);
      r->pos += run;
      continue;
    }
    unsigned char c = *p;
    if (c == '"') {
      if (r->pos + 1 < r->len && r->data[r->pos + 1] == '"') {
        put(r, "\"", 1, bad);
        r->pos += 2;
        continue;
      }
      r->pos++;
      return;
    }
    /* A line break inside quotes is data; CRLF counts as one line. */
    put(r, &c, 1, bad);
    r->pos++;
    if (c == '\n' || r->pos >= r->len || r->data[r->pos] != '\n') r->line++;
  }
}

/*
** Reads the next record.  Blank lines are skipped.  Returns CSV_ROW with the
** fields available through csv_field; CSV_BAD with the reason in r->why and
** the record's first line in r->row_line (the record is consumed and the next
** call reads the one after it); CSV_EOF at the end; CSV_FATAL (reason in
** r->why) when the input is not UTF-8 text at all.
*/
int csv_next(struct csv_reader *r) {
  if (r->fatal) return CSV_FATAL;
  if (r->pos == 0 && r->line == 1 && !check_encoding(r)) {
    r->fatal = true;
    return CSV_FATAL;
  }
  while (r->pos < r->len && (r->data[r->pos] == '\n' || r->data[r->pos] == '\r')) eat_eol(r);
  if (r->pos >= r->len) return CSV_EOF;
  r->row_line = r->line;
  r->nfields = 0;
  r->buflen = 0;
  bool bad = false;
  int stored = 0;
  for (;;) {
    size_t start = r->buflen;
    if (r->data[r->pos] == '"') {
      read_quoted(r, &bad);
      /* Only a separator or the end of the line may follow a closing quote. */
      if (r->pos < r->len && r->data[r->pos] != ',' && r->data[r->pos] != '\n' && r->data[r->pos] != '\r') {
        note(r, &bad, "text after a closing quote");
      }
    }
    /* Unquoted text (or what wrongly follows a closing quote) up to the separator. */
    const unsigned char *p = r->data + r->pos;
    size_t run = 0, left = r->len - r->pos;
    while (run < left && p[run] != ',' && p[run] != '\n' && p[run] != '\r') {
      if (p[run] == '"') note(r, &bad, "a quote inside an unquoted field");
      run++;
    }
    if (run) put(r, p, run, &bad);
    r->pos += run;
    put(r, "", 1, &bad);
    if (stored < CSV_MAX_FIELDS) {
      r->off[stored] = start;
      r->flen[stored] = r->buflen > start ? r->buflen - start - 1 : 0;
      stored++;
    } else {
      note(r, &bad, "more than 256 fields");
    }
    r->nfields++;
    if (r->pos < r->len && r->data[r->pos] == ',') {
      r->pos++;
      if (r->pos >= r->len) {
        /* A trailing separator at the very end: one more, empty, field. */
        if (stored < CSV_MAX_FIELDS) {
          put(r, "", 1, &bad);
          r->off[stored] = r->buflen ? r->buflen - 1 : 0;
          r->flen[stored] = 0;
          stored++;
        }
        r->nfields++;
        break;
      }
      continue;
    }
    if (r->pos < r->len) eat_eol(r);
    break;
  }
  int counted = r->nfields;
  if (r->nfields > stored) r->nfields = stored;
  if (!bad) {
    for (int i = 0; i < r->nfields; i++) {
      if (!utf8_valid(r->buf + r->off[i], r->flen[i])) {
        char why[160];
        snprintf(why, sizeof why,
                 "field %d is not valid UTF-8 (the file may be in another encoding, such as Windows-1252)", i + 1);
        note(r, &bad, why);
        break;
      }
    }
  }
  if (!bad && r->expect > 0 && counted != r->expect) {
    char why[96];
    snprintf(why, sizeof why, "ragged row: %d field%s where the header has %d", counted, counted == 1 ? "" : "s",
             r->expect);
    note(r, &bad, why);
  }
  /* A bad record's fields may be cut short: none are offered. */
  if (bad) r->nfields = 0;
  return bad ? CSV_BAD : CSV_ROW;
}
