/*
** safehub synth: writes a synthetic file of people with known truth, for
** measuring record linkage (safehub link) and trying it out.
**
**   safehub synth --records N [--seed S] --output PEOPLE.csv --truth PAIRS.csv
**
** PEOPLE.csv has the columns safehub link reads plus "source" (the agency
** that holds the record, ignored by link); PAIRS.csv lists every pair of
** rows that are the same person as id_a,id_b.  The same N and S always give
** the same files.  Both are written to FILE.tmp and renamed into place only
** when complete.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "core/match/synth.h"
#include "util/embedded.h"
#include "util/xalloc.h"

static const char USAGE[] =
    "--records N [--seed S] --output PEOPLE.csv --truth PAIRS.csv\n"
    "\n"
    "Writes N synthetic person records (households from many backgrounds, each\n"
    "person in one to five agency records with typing errors, nicknames, swapped\n"
    "dates, house moves and blank fields) and every true pair of them.  The same\n"
    "N and S (default 1) always give the same files.";

enum { OPT_RECORDS = 0x3000, OPT_SEED, OPT_OUTPUT, OPT_TRUTH };

struct synth_opts {
  unsigned long long records, seed;
  bool have_records;
  const char *output, *truth;
};

/* Reads a whole number into *OUT; false when VAL is not one or exceeds MAX. */
static bool parse_ull(const char *val, unsigned long long max, unsigned long long *out) {
  char *end;
  errno = 0;
  if (*val == '-') return false;
  unsigned long long v = strtoull(val, &end, 10);
  if (errno || end == val || *end || v > max) return false;
  *out = v;
  return true;
}

/* Takes one of synth's own options. */
static int synth_opt(struct cli *c, int opt, const char *val, void *arg) {
  (void)c;
  struct synth_opts *o = arg;
  switch (opt) {
  case OPT_RECORDS:
    if (parse_ull(val, 100000000ULL, &o->records) && o->records > 0) {
      o->have_records = true;
      return EXIT_OK;
    }
    cli_error("synth", "--records must be a number from 1 to 100000000, not '%s'", val);
    return EXIT_USAGE;
  case OPT_SEED:
    if (parse_ull(val, UINT64_MAX, &o->seed)) return EXIT_OK;
    cli_error("synth", "--seed must be a whole number, not '%s'", val);
    return EXIT_USAGE;
  case OPT_OUTPUT: o->output = val; return EXIT_OK;
  case OPT_TRUTH: o->truth = val; return EXIT_OK;
  default: return EXIT_USAGE;
  }
}

/* Writes S as one CSV field (quoted when it holds a comma, quote or line break). */
static void field(FILE *f, const char *s, bool last) {
  if (strpbrk(s, ",\"\r\n")) {
    fputc('"', f);
    for (; *s; s++) {
      if (*s == '"') fputc('"', f);
      fputc(*s, f);
    }
    fputc('"', f);
  } else {
    fputs(s, f);
  }
  fputc(last ? '\n' : ',', f);
}

/* Closes F, checking every write; returns 0 or -1 having printed why and removed TMP. */
static int finish(FILE *f, const char *tmp) {
  bool bad = ferror(f) != 0;
  if (fflush(f) != 0 || fsync(fileno(f)) != 0) bad = true;
  if (fclose(f) != 0) bad = true;
  if (bad) {
    cli_error("synth", "%s: write failed: %s", tmp, strerror(errno));
    unlink(tmp);
    return -1;
  }
  return 0;
}

struct pr {
  uint32_t person;
  uint32_t row;
};

/* Orders rows by person, then row. */
static int cmp_pr(const void *a, const void *b) {
  const struct pr *x = a, *y = b;
  if (x->person != y->person) return x->person < y->person ? -1 : 1;
  return x->row < y->row ? -1 : x->row > y->row;
}

/* safehub synth (see the file comment). */
int cmd_synth(int argc, char **argv) {
  static const struct option opts[] = {{"records", required_argument, NULL, OPT_RECORDS},
                                       {"seed", required_argument, NULL, OPT_SEED},
                                       {"output", required_argument, NULL, OPT_OUTPUT},
                                       {"truth", required_argument, NULL, OPT_TRUTH},
                                       {NULL, 0, NULL, 0}};
  struct synth_opts o = {.seed = 1};
  struct cli c;
  int rc = cli_parse(&c, "synth", argc, argv, NULL, opts, synth_opt, &o, USAGE);
  if (rc == EXIT_OK && (!o.have_records || !o.output || !o.truth)) {
    cli_error("synth", "--records, --output and --truth are required");
    rc = cli_usage("synth", USAGE);
  }
  if (rc != EXIT_OK) {
    cli_close(&c);
    return rc;
  }
  const struct embedded_file *table = embedded_find("synth_names.csv");
  if (!table) {
    cli_error("synth", "the word lists (synth_names.csv) are not built in");
    cli_close(&c);
    return EXIT_RUNTIME;
  }
  char err[256];
  struct synth *s = synth_new(o.records, o.seed, table->data, table->len, err, sizeof err);
  if (!s) {
    cli_error("synth", "%s", err);
    cli_close(&c);
    return EXIT_RUNTIME;
  }
  static const char *const GROUPS[] = {"nicknames.csv", "name_variants.csv"};
  for (size_t k = 0; k < 2; k++) {
    const struct embedded_file *g = embedded_find(GROUPS[k]);
    if (g) synth_add_groups(s, g->data, g->len);
  }
  char tmp_out[4200], tmp_truth[4200];
  snprintf(tmp_out, sizeof tmp_out, "%s.tmp", o.output);
  snprintf(tmp_truth, sizeof tmp_truth, "%s.tmp", o.truth);
  FILE *f = fopen(tmp_out, "w");
  if (!f) {
    cli_error("synth", "%s: %s", tmp_out, strerror(errno));
    synth_free(s);
    cli_close(&c);
    return EXIT_RUNTIME;
  }
  setvbuf(f, NULL, _IOFBF, 1 << 20);
  static const char *const SOURCES[] = {"police", "social_care", "health", "education", "housing"};
  fputs("id,first_name,last_name,date_of_birth,gender,address,postcode,phone,nhs_number,source\n", f);
  size_t n = synth_count(s);
  struct pr *prs = xmalloc((n ? n : 1) * sizeof *prs);
  for (size_t i = 0; i < n; i++) {
    struct synth_row r;
    synth_row(s, i, &r);
    field(f, r.id, false);
    field(f, r.first_name, false);
    field(f, r.last_name, false);
    field(f, r.date_of_birth, false);
    field(f, r.gender, false);
    field(f, r.address, false);
    field(f, r.postcode, false);
    field(f, r.phone, false);
    field(f, r.nhs_number, false);
    field(f, SOURCES[(i * 7 + synth_person(s, i)) % 5], true);
    prs[i] = (struct pr){synth_person(s, i), (uint32_t)i};
  }
  rc = finish(f, tmp_out) == 0 ? EXIT_OK : EXIT_RUNTIME;
  size_t npairs = 0;
  if (rc == EXIT_OK) {
    qsort(prs, n, sizeof *prs, cmp_pr);
    f = fopen(tmp_truth, "w");
    if (!f) {
      cli_error("synth", "%s: %s", tmp_truth, strerror(errno));
      rc = EXIT_RUNTIME;
    } else {
      setvbuf(f, NULL, _IOFBF, 1 << 20);
      fputs("id_a,id_b\n", f);
      for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && prs[j].person == prs[i].person) j++;
        for (size_t a = i; a < j; a++)
          for (size_t b = a + 1; b < j; b++) {
            fprintf(f, "P%07u,P%07u\n", prs[a].row + 1, prs[b].row + 1);
            npairs++;
          }
        i = j;
      }
      rc = finish(f, tmp_truth) == 0 ? EXIT_OK : EXIT_RUNTIME;
    }
  }
  if (rc == EXIT_OK && (rename(tmp_out, o.output) != 0 || rename(tmp_truth, o.truth) != 0)) {
    cli_error("synth", "cannot rename into place: %s", strerror(errno));
    rc = EXIT_RUNTIME;
  }
  if (rc != EXIT_OK) {
    unlink(tmp_out);
    unlink(tmp_truth);
  } else {
    printf("synth: %zu records of %u people written to %s; %zu true pairs written to %s\n", n,
           n ? prs[n - 1].person + 1 : 0, o.output, npairs, o.truth);
  }
  free(prs);
  synth_free(s);
  cli_close(&c);
  return rc;
}
