/*
** libFuzzer target for the strict CSV reader (util/csv.h).  The input is
** read as a CSV file twice: once accepting any field count and once with
** the first record's count required of the rest.  Every record must be
** reported as a row, a bad record or the end, with lines that never go
** backwards and never pass the number of line breaks in the input; a row's
** fields must be valid UTF-8 whose lengths agree with their text; a bad
** record must give a reason; the reader must always reach the end.  The
** input is copied to a heap block of exactly its size so AddressSanitizer
** sees any read past it.
*/
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/codec.h"
#include "util/csv.h"
#include "fuzz.h"

/* Reads every record of BUF (LEN bytes), requiring the first record's field count when RAGGED_CHECK. */
static void read_all(const char *buf, size_t len, bool ragged_check) {
  unsigned long breaks = 0;
  for (size_t i = 0; i < len; i++) breaks += buf[i] == '\n' || (buf[i] == '\r' && (i + 1 == len || buf[i + 1] != '\n'));
  struct csv_reader r;
  csv_init(&r, buf, len);
  unsigned long last = 0;
  size_t records = 0;
  for (;;) {
    int st = csv_next(&r);
    CHECK(st == CSV_ROW || st == CSV_BAD || st == CSV_EOF || st == CSV_FATAL);
    if (st == CSV_EOF) {
      CHECK(csv_next(&r) == CSV_EOF);
      break;
    }
    if (st == CSV_FATAL) {
      CHECK(records == 0 && r.why[0]);
      CHECK(csv_next(&r) == CSV_FATAL);
      break;
    }
    records++;
    CHECK(records <= len); /* each record consumes at least one byte */
    CHECK(r.row_line >= last && r.row_line <= breaks + 1);
    last = r.row_line;
    if (st == CSV_BAD) {
      CHECK(r.why[0] != '\0' && r.nfields == 0);
      continue;
    }
    CHECK(r.nfields >= 1 && r.nfields <= CSV_MAX_FIELDS);
    if (ragged_check && r.expect == 0) r.expect = r.nfields;
    if (r.expect) CHECK(r.nfields == r.expect);
    for (int i = 0; i < r.nfields; i++) {
      const char *f = csv_field(&r, i);
      size_t n = csv_field_len(&r, i);
      CHECK(strlen(f) == n);
      CHECK(utf8_valid(f, n));
    }
    CHECK(csv_field(&r, r.nfields)[0] == '\0');
  }
  csv_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = malloc(size ? size : 1);
  if (!buf) abort();
  memcpy(buf, data, size);
  read_all(buf, size, false);
  read_all(buf, size, true);
  free(buf);
  return 0;
}
