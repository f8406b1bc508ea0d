/*
** A strict CSV reader (RFC 4180) over a buffer held in memory: comma
** separated, fields optionally in double quotes with "" for a quote, quoted
** fields may hold commas and line breaks, records end in LF, CRLF or a lone
** CR.  A UTF-8 byte-order mark is skipped; any other encoding is refused.
** Problems are reported per record with the physical line the record started
** on, so a caller can say "FILE:LINE: WHY", skip the record and go on.
** No I/O: the caller reads the file.
*/
#ifndef SAFEHUB_UTIL_CSV_H
#define SAFEHUB_UTIL_CSV_H
#include <stdbool.h>
#include <stddef.h>

/* What csv_next found. */
enum csv_status {
  CSV_ROW = 1,    /* a well-formed record is in the reader */
  CSV_EOF = 0,    /* no more records */
  CSV_BAD = -1,   /* this record is malformed (why, row_line); the next call goes on after it */
  CSV_FATAL = -2, /* the input cannot be read as CSV at all (why); every later call repeats this */
};

/* Limits beyond which a record is refused rather than grown without bound. */
#define CSV_MAX_FIELDS 256
#define CSV_MAX_RECORD (1u << 20) /* bytes of field data in one record */

struct csv_reader {
  const unsigned char *data; /* the input, not owned */
  size_t len;
  size_t pos;             /* next byte to read */
  unsigned long line;     /* physical line of data[pos], 1-based */
  unsigned long row_line; /* line on which the last record started */
  int expect;             /* fields every record must have; 0 accepts any count */
  bool fatal;
  /* The last record: fields unescaped, each NUL-terminated, in buf. */
  char *buf;
  size_t buflen, bufcap;
  size_t off[CSV_MAX_FIELDS];
  size_t flen[CSV_MAX_FIELDS];
  int nfields;
  char why[200];
};

void csv_init(struct csv_reader *r, const void *data, size_t len);
void csv_free(struct csv_reader *r);
int csv_next(struct csv_reader *r);
const char *csv_field(const struct csv_reader *r, int i);
size_t csv_field_len(const struct csv_reader *r, int i);

#endif
