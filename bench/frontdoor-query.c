/*
** bench/frontdoor-query.c: times one SQL query on an SQLite database, in
** process, for bench/section-frontdoor.sh.
**
**   frontdoor-query DB SQL [BIND [REPEAT]]
**
** Opens DB read-only with the page cache Safehub gives its connections, runs
** SQL (with BIND as its integer parameter 1, when given) REPEAT times (3),
** stepping through every row and reading every column as Safehub's store does
** (text copied out, integers read), and prints "ROWS FIRST_S BEST_S": the
** rows of the last run, the first run's seconds (on a fresh connection, as in
** a fresh `safehub sla run`, whose timing also starts once it is connected) and the fastest run's.  Exits 1 when it cannot.
*/
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: frontdoor-query DB SQL [BIND [REPEAT]]\n");
    return 2;
  }
  long long bind = argc > 3 ? strtoll(argv[3], NULL, 10) : 0;
  int repeat = argc > 4 ? atoi(argv[4]) : 3;
  if (repeat < 1) repeat = 1;
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    fprintf(stderr, "frontdoor-query: %s: %s\n", argv[1], db ? sqlite3_errmsg(db) : "cannot open");
    return 1;
  }
  sqlite3_busy_timeout(db, 10000);
  sqlite3_exec(db, "PRAGMA cache_size=-32000;", NULL, NULL, NULL);
  double first = 0, best = 0;
  long long rows = 0;
  size_t bytes = 0;
  for (int run = 0; run < repeat; run++) {
    double a = seconds();
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, argv[2], -1, &st, NULL) != SQLITE_OK) {
      fprintf(stderr, "frontdoor-query: %s\n", sqlite3_errmsg(db));
      sqlite3_close(db);
      return 1;
    }
    if (argc > 3 && sqlite3_bind_parameter_count(st) >= 1) sqlite3_bind_int64(st, 1, bind);
    int rc;
    rows = 0;
    char copy[512];
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      int n = sqlite3_column_count(st);
      for (int i = 0; i < n; i++) {
        if (sqlite3_column_type(st, i) == SQLITE_INTEGER) {
          bytes += (size_t)(sqlite3_column_int64(st, i) & 1);
        } else {
          const unsigned char *s = sqlite3_column_text(st, i);
          if (s) {
            size_t len = strlen((const char *)s);
            if (len >= sizeof copy) len = sizeof copy - 1;
            memcpy(copy, s, len);
            copy[len] = '\0';
            bytes += len;
          }
        }
      }
      rows++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
      fprintf(stderr, "frontdoor-query: %s\n", sqlite3_errmsg(db));
      sqlite3_close(db);
      return 1;
    }
    double t = seconds() - a;
    if (run == 0) first = best = t;
    else if (t < best) best = t;
  }
  sqlite3_close(db);
  printf("%lld %.4f %.4f\n", rows, first, best);
  return bytes == (size_t)-1; /* uses what was read */
}
