/*
** safehub link: probabilistic record linkage of person files.
**
**   safehub link --input A.csv [--input B.csv] --output PAIRS.csv [options]
**
** One input is deduplicated; two are linked A to B.  Each input is CSV with a
** header row; the columns id, first_name, last_name, date_of_birth, gender,
** address, postcode, phone and nhs_number are used (any may be absent except
** id) and others are ignored.  The output has one row "id_a,id_b,probability"
** per pair at or above the threshold.  A model is trained on the input
** unless --model gives a saved one (its prior refitted to the input's size);
** an input of fewer than
** MATCH_MIN_TRAIN_RECORDS records is too small to learn from and is scored
** with the built-in model (config/linkage_model.json, trained on synthetic
** people), its prior fitted to the input.  Rows that cannot be used (a ragged row,
** text that is not UTF-8, an impossible date, an empty or repeated id) are
** reported as FILE:LINE: WHY and skipped, or refuse the run with exit 3
** under --strict.  Every output is written to FILE.tmp and renamed into place
** only when all of them are complete, so a failure leaves nothing half-written.
*/
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"
#include "core/match/cluster.h"
#include "core/match/linker.h"
#include "core/match/names.h"
#include "core/match/parallel.h"
#include "util/csv.h"
#include "util/embedded.h"
#include "util/xalloc.h"

static const char USAGE[] =
    "--input A.csv [--input B.csv] --output PAIRS.csv [options]\n"
    "\n"
    "Finds the records that are the same person: within one file (deduplication)\n"
    "or between two (linking A to B).  Inputs are UTF-8 CSV with a header row; the\n"
    "columns id, first_name, last_name, date_of_birth (YYYY-MM-DD or DD/MM/YYYY),\n"
    "gender, address, postcode, phone and nhs_number are used, others are ignored.\n"
    "Writes id_a,id_b,probability for every pair at or above the threshold.\n"
    "\n"
    "options:\n"
    "  --threshold P      least probability of a reported pair, 0 < P < 1 (0.9)\n"
    "  --model FILE       use this saved model instead of training one on the input,\n"
    "                     its prior refitted to this input's size (under 1000\n"
    "                     records and no model, the built-in model is used)\n"
    "  --save-model FILE  save the model used (JSON: every level's m, u and weight)\n"
    "  --explain FILE     for every reported pair, one JSON line with each field's\n"
    "                     level, m, u and weight in bits\n"
    "  --clusters FILE    the people found: cluster_id,id,size,weakest_link,weak\n"
    "                     (weak=1: held together only by links below --strong)\n"
    "  --strong P         a link at or above P is strong (0.99)\n"
    "  --threads N        worker threads (every core); results do not depend on N\n"
    "  --strict           refuse the run (exit 3) on any unusable row instead of\n"
    "                     skipping it\n"
    "  --max-block N      blocks larger than N records are compared by sorted\n"
    "                     neighbourhood (100)\n"
    "  --window N         records each is compared with in such a block (20)\n"
    "  --quiet            no summary on standard output\n"
    "exit status: 0 done, 1 failed at run time, 2 usage error, 3 data rejected";

enum {
  OPT_INPUT = 0x2000,
  OPT_OUTPUT,
  OPT_THRESHOLD,
  OPT_MODEL,
  OPT_SAVE_MODEL,
  OPT_EXPLAIN,
  OPT_CLUSTERS,
  OPT_STRONG,
  OPT_THREADS,
  OPT_STRICT,
  OPT_MAX_BLOCK,
  OPT_WINDOW,
  OPT_QUIET,
};

struct link_opts {
  const char *input[2];
  int ninput;
  const char *output, *model, *save_model, *explain, *clusters;
  double threshold, strong;
  int threads;
  long max_block, window;
  bool strict, quiet;
};

/* Reads a probability strictly between 0 and 1 into *OUT; false when VAL is not one. */
static bool parse_prob(const char *val, double *out) {
  char *end;
  errno = 0;
  double v = strtod(val, &end);
  if (errno || end == val || *end || !(v > 0.0 && v < 1.0)) return false;
  *out = v;
  return true;
}

/* Reads a whole number in [LO, HI] into *OUT; false when VAL is not one. */
static bool parse_long(const char *val, long lo, long hi, long *out) {
  char *end;
  errno = 0;
  long v = strtol(val, &end, 10);
  if (errno || end == val || *end || v < lo || v > hi) return false;
  *out = v;
  return true;
}

/* Takes one of link's own options. */
static int link_opt(struct cli *c, int opt, const char *val, void *arg) {
  (void)c;
  struct link_opts *o = arg;
  long n;
  switch (opt) {
  case OPT_INPUT:
    if (o->ninput == 2) {
      cli_error("link", "at most two --input files (one deduplicates, two link A to B)");
      return EXIT_USAGE;
    }
    o->input[o->ninput++] = val;
    return EXIT_OK;
  case OPT_OUTPUT: o->output = val; return EXIT_OK;
  case OPT_MODEL: o->model = val; return EXIT_OK;
  case OPT_SAVE_MODEL: o->save_model = val; return EXIT_OK;
  case OPT_EXPLAIN: o->explain = val; return EXIT_OK;
  case OPT_CLUSTERS: o->clusters = val; return EXIT_OK;
  case OPT_STRICT: o->strict = true; return EXIT_OK;
  case OPT_QUIET: o->quiet = true; return EXIT_OK;
  case OPT_THRESHOLD:
    if (parse_prob(val, &o->threshold)) return EXIT_OK;
    cli_error("link", "--threshold must be a probability between 0 and 1, not '%s'", val);
    return EXIT_USAGE;
  case OPT_STRONG:
    if (parse_prob(val, &o->strong)) return EXIT_OK;
    cli_error("link", "--strong must be a probability between 0 and 1, not '%s'", val);
    return EXIT_USAGE;
  case OPT_THREADS:
    if (parse_long(val, 1, 256, &n)) {
      o->threads = (int)n;
      return EXIT_OK;
    }
    cli_error("link", "--threads must be a number from 1 to 256, not '%s'", val);
    return EXIT_USAGE;
  case OPT_MAX_BLOCK:
    if (parse_long(val, 2, 1000000, &o->max_block)) return EXIT_OK;
    cli_error("link", "--max-block must be a number from 2 to 1000000, not '%s'", val);
    return EXIT_USAGE;
  case OPT_WINDOW:
    if (parse_long(val, 2, 100000, &o->window)) return EXIT_OK;
    cli_error("link", "--window must be a number from 2 to 100000, not '%s'", val);
    return EXIT_USAGE;
  default: return EXIT_USAGE;
  }
}

/* Seconds on the monotonic clock. */
static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
** Reads the whole file PATH into *DATA (caller frees) and *LEN.  Returns 0,
** or -1 having printed why.
*/
static int read_whole(const char *path, char **data, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    cli_error("link", "%s: %s", path, strerror(errno));
    return -1;
  }
  size_t cap = 1 << 20, n = 0;
  char *buf = xmalloc(cap);
  for (;;) {
    if (n == cap) buf = xrealloc(buf, cap *= 2);
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
  }
  bool err = ferror(f);
  fclose(f);
  if (err) {
    cli_error("link", "%s: read error", path);
    free(buf);
    return -1;
  }
  *data = buf;
  *len = n;
  return 0;
}

/* The known columns, in struct match_input order after id. */
static const char *const COLUMNS[] = {"id",      "first_name", "last_name", "date_of_birth", "gender",
                                      "address", "postcode",   "phone",     "nhs_number"};
#define NCOL 9

/* Strings of every usable row: offsets into one text arena. */
struct rows {
  char *text;
  size_t len, cap;
  size_t (*off)[NCOL];
  unsigned long *line;
  size_t n, rcap;
};

/* Appends S (with its NUL) to the arena and returns its offset. */
static size_t arena_put(struct rows *r, const char *s, size_t n) {
  if (r->len + n + 1 > r->cap) {
    size_t cap = r->cap ? r->cap : 1 << 20;
    while (cap < r->len + n + 1) cap *= 2;
    r->text = xrealloc(r->text, cap);
    r->cap = cap;
  }
  memcpy(r->text + r->len, s, n);
  r->text[r->len + n] = '\0';
  size_t at = r->len;
  r->len += n + 1;
  return at;
}

/* One input file as read: its usable rows and what was skipped. */
struct input {
  const char *path;
  struct rows rows;
  unsigned long skipped;
  unsigned long warned_nhs, warned_gender;
};

/* Problems reported one per line, up to a limit, then only counted. */
struct reporter {
  unsigned long shown;
  unsigned long limit;
};

/* Prints "safehub: link: PATH:LINE: WHY" unless the limit is reached. */
static void report(struct reporter *rp, const char *path, unsigned long line, const char *why) {
  if (rp->shown++ < rp->limit) fprintf(stderr, "safehub: link: %s:%lu: %s\n", path, line, why);
}

/*
** Reads input IN: header, then rows.  A row that cannot be used is reported
** and skipped (or, when STRICT, the run is refused).  Returns EXIT_OK,
** EXIT_REJECTED (the file as a whole cannot be used, or a row under
** --strict) or EXIT_RUNTIME, having printed why.
*/
static int read_input(struct input *in, bool strict, struct reporter *rp) {
  char *data;
  size_t len;
  if (read_whole(in->path, &data, &len) != 0) return EXIT_RUNTIME;
  struct csv_reader r;
  csv_init(&r, data, len);
  int rc = EXIT_OK;
  int col[NCOL];
  for (int k = 0; k < NCOL; k++) col[k] = -1;
  int st = csv_next(&r);
  if (st == CSV_FATAL || st == CSV_EOF || st == CSV_BAD) {
    if (st == CSV_FATAL) cli_error("link", "%s: %s", in->path, r.why);
    else if (st == CSV_EOF) cli_error("link", "%s: missing header: the file is empty", in->path);
    else cli_error("link", "%s:%lu: the header row is malformed: %s", in->path, r.row_line, r.why);
    rc = EXIT_REJECTED;
    goto done;
  }
  for (int i = 0; i < r.nfields; i++) {
    const char *h = csv_field(&r, i);
    while (*h == ' ') h++;
    size_t hl = strlen(h);
    while (hl && h[hl - 1] == ' ') hl--;
    for (int k = 0; k < NCOL; k++) {
      if (strlen(COLUMNS[k]) == hl && strncasecmp(h, COLUMNS[k], hl) == 0) {
        if (col[k] >= 0) {
          cli_error("link", "%s:%lu: the header names column '%s' twice", in->path, r.row_line, COLUMNS[k]);
          rc = EXIT_REJECTED;
          goto done;
        }
        col[k] = i;
      }
    }
  }
  if (col[0] < 0) {
    int known = 0;
    for (int k = 1; k < NCOL; k++) known += col[k] >= 0;
    cli_error("link", "%s:%lu: missing header: %s", in->path, r.row_line,
              known ? "there is no 'id' column" : "the first row names none of the known columns (id, first_name, ...)");
    rc = EXIT_REJECTED;
    goto done;
  }
  r.expect = r.nfields;
  struct strtab ids;
  strtab_init(&ids);
  unsigned long *id_line = NULL;
  size_t id_cap = 0;
  for (;;) {
    st = csv_next(&r);
    if (st == CSV_EOF) break;
    if (st == CSV_FATAL) {
      cli_error("link", "%s: %s", in->path, r.why);
      rc = EXIT_REJECTED;
      break;
    }
    char why[300] = "";
    if (st == CSV_BAD) {
      snprintf(why, sizeof why, "%s", r.why);
    } else {
      const char *id = csv_field(&r, col[0]);
      int32_t dob;
      int dr = col[3] >= 0 ? match_parse_date(csv_field(&r, col[3]), &dob) : 1;
      if (!*id || strspn(id, " \t") == strlen(id)) {
        snprintf(why, sizeof why, "empty id");
      } else if (dr < 0) {
        snprintf(why, sizeof why, "%s date of birth '%.40s'%s", dr == -2 ? "impossible" : "unreadable",
                 csv_field(&r, col[3]), dr == -2 ? "" : " (expected YYYY-MM-DD)");
      } else {
        size_t before = ids.n;
        uint32_t k = strtab_intern(&ids, id, strlen(id));
        if (ids.n == before) {
          snprintf(why, sizeof why, "id '%.60s' repeats the row on line %lu", id, id_line[k]);
        } else {
          if (k >= id_cap) {
            id_cap = id_cap ? id_cap * 2 : 4096;
            id_line = xrealloc(id_line, id_cap * sizeof *id_line);
          }
          id_line[k] = r.row_line;
        }
      }
    }
    if (*why) {
      if (strict) {
        cli_error("link", "%s:%lu: %s (refused: --strict)", in->path, r.row_line, why);
        rc = EXIT_REJECTED;
        break;
      }
      char msg[340];
      snprintf(msg, sizeof msg, "row skipped: %s", why);
      report(rp, in->path, r.row_line, msg);
      in->skipped++;
      continue;
    }
    struct rows *rs = &in->rows;
    if (rs->n == rs->rcap) {
      rs->rcap = rs->rcap ? rs->rcap * 2 : 4096;
      rs->off = xrealloc(rs->off, rs->rcap * sizeof *rs->off);
      rs->line = xrealloc(rs->line, rs->rcap * sizeof *rs->line);
    }
    for (int k = 0; k < NCOL; k++) {
      const char *v = col[k] >= 0 ? csv_field(&r, col[k]) : "";
      rs->off[rs->n][k] = arena_put(rs, v, col[k] >= 0 ? csv_field_len(&r, col[k]) : 0);
    }
    rs->line[rs->n] = r.row_line;
    rs->n++;
  }
  strtab_free(&ids);
  free(id_line);
done:
  csv_free(&r);
  free(data);
  return rc;
}

/* The input row I of ROWS as a match_input (pointers into the arena). */
static struct match_input row_input(const struct rows *rs, size_t i) {
  const char *t = rs->text;
  const size_t *o = rs->off[i];
  return (struct match_input){t + o[0], t + o[1], t + o[2], t + o[3], t + o[4], t + o[5], t + o[6], t + o[7], t + o[8]};
}

struct prep_ctx {
  const struct match_names *names;
  const struct rows *rows;
  struct match_record *rec;
  unsigned *warn;
  size_t n;
};

#define PREP_CHUNK 8192

/* Prepares one chunk of records (a task of match_parallel). */
static void prep_chunk(void *arg, size_t task, int worker) {
  (void)worker;
  struct prep_ctx *c = arg;
  size_t from = task * PREP_CHUNK, to = from + PREP_CHUNK < c->n ? from + PREP_CHUNK : c->n;
  for (size_t i = from; i < to; i++) {
    struct match_input in = row_input(c->rows, i);
    char why[160];
    c->warn[i] = 0;
    if (match_prepare(c->names, &in, &c->rec[i], &c->warn[i], why, sizeof why) != 0) {
      /* Dates were checked while reading, so this cannot happen; keep the record without a date. */
      in.date_of_birth = "";
      match_prepare(c->names, &in, &c->rec[i], &c->warn[i], why, sizeof why);
    }
  }
}

/* Prepares IN's rows into REC (THREADS threads) and reports unusable fields. */
static void prepare_input(struct input *in, const struct match_names *names, struct match_record *rec, int threads,
                          struct reporter *rp) {
  size_t n = in->rows.n;
  unsigned *warn = xmalloc((n ? n : 1) * sizeof *warn);
  struct prep_ctx c = {names, &in->rows, rec, warn, n};
  match_parallel(threads, (n + PREP_CHUNK - 1) / PREP_CHUNK, prep_chunk, &c);
  for (size_t i = 0; i < n; i++) {
    if (!warn[i]) continue;
    struct match_input mi = row_input(&in->rows, i);
    char why[200];
    if (warn[i] & MATCH_WARN_NHS) {
      in->warned_nhs++;
      snprintf(why, sizeof why, "NHS number '%.20s' fails its check digit: treated as missing", mi.nhs_number);
      report(rp, in->path, in->rows.line[i], why);
    }
    if (warn[i] & MATCH_WARN_GENDER) {
      in->warned_gender++;
      snprintf(why, sizeof why, "gender '%.20s' not recognised: treated as missing", mi.gender);
      report(rp, in->path, in->rows.line[i], why);
    }
  }
  free(warn);
}

/* Writes S as one CSV field (quoted when it holds a comma, quote or line break). */
static void put_csv_field(FILE *f, const char *s) {
  if (!strpbrk(s, ",\"\r\n")) {
    fputs(s, f);
    return;
  }
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"') fputc('"', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

/* An output being written to PATH.tmp, renamed into place by commit_outputs. */
struct out {
  const char *path;
  char tmp[4200];
  FILE *f;
};

/* Opens OUT's temporary file; returns 0, or -1 having printed why. */
static int out_open(struct out *o, const char *path) {
  o->path = path;
  snprintf(o->tmp, sizeof o->tmp, "%s.tmp", path);
  o->f = fopen(o->tmp, "w");
  if (!o->f) {
    cli_error("link", "%s: %s", o->tmp, strerror(errno));
    return -1;
  }
  setvbuf(o->f, NULL, _IOFBF, 1 << 20);
  return 0;
}

/* Closes OUT's temporary file, checking every write; returns 0, or -1 having printed why and removed it. */
static int out_close(struct out *o) {
  if (!o->f) return 0;
  bool bad = ferror(o->f) != 0;
  if (fflush(o->f) != 0 || fsync(fileno(o->f)) != 0) bad = true;
  if (fclose(o->f) != 0) bad = true;
  o->f = NULL;
  if (bad) {
    cli_error("link", "%s: write failed: %s", o->tmp, strerror(errno));
    unlink(o->tmp);
    return -1;
  }
  return 0;
}

/* Removes OUT's temporary file (after a failure). */
static void out_discard(struct out *o) {
  if (o->f) fclose(o->f);
  o->f = NULL;
  if (o->path) unlink(o->tmp);
}

/* Returns the id of record I (A's rows first, then B's). */
static const char *record_id(struct input *in, int ninput, size_t i) {
  for (int k = 0; k < ninput; k++) {
    if (i < in[k].rows.n) return in[k].rows.text + in[k].rows.off[i][0];
    i -= in[k].rows.n;
  }
  return "";
}

/* Saves model M to PATH through PATH.tmp; returns 0, or -1 having printed why. */
static int save_model(struct out *o, const char *path, const struct match_model *m) {
  char *json = match_model_to_json(m);
  if (!json) {
    cli_error("link", "cannot encode the model");
    return -1;
  }
  int rc = out_open(o, path);
  if (rc == 0) {
    fputs(json, o->f);
    fputc('\n', o->f);
    rc = out_close(o);
  }
  free(json);
  return rc;
}

/* Loads the model at PATH; returns it, or NULL having printed why (*RC says the exit status). */
static struct match_model *load_model(const char *path, int *rc) {
  char *data;
  size_t len;
  if (read_whole(path, &data, &len) != 0) {
    *rc = EXIT_RUNTIME;
    return NULL;
  }
  char err[256];
  struct match_model *m = match_model_from_json(data, len, err, sizeof err);
  free(data);
  if (!m) {
    cli_error("link", "%s: %s", path, err);
    *rc = EXIT_REJECTED;
  }
  return m;
}

/* safehub link (see the file comment and USAGE). */
int cmd_link(int argc, char **argv) {
  static const struct option opts[] = {
      {"input", required_argument, NULL, OPT_INPUT},         {"output", required_argument, NULL, OPT_OUTPUT},
      {"threshold", required_argument, NULL, OPT_THRESHOLD}, {"model", required_argument, NULL, OPT_MODEL},
      {"save-model", required_argument, NULL, OPT_SAVE_MODEL}, {"explain", required_argument, NULL, OPT_EXPLAIN},
      {"clusters", required_argument, NULL, OPT_CLUSTERS},   {"strong", required_argument, NULL, OPT_STRONG},
      {"threads", required_argument, NULL, OPT_THREADS},     {"strict", no_argument, NULL, OPT_STRICT},
      {"max-block", required_argument, NULL, OPT_MAX_BLOCK}, {"window", required_argument, NULL, OPT_WINDOW},
      {"quiet", no_argument, NULL, OPT_QUIET},               {NULL, 0, NULL, 0}};
  struct match_options mo;
  match_options_default(&mo);
  struct link_opts o = {.threshold = mo.threshold, .strong = 0.99, .max_block = mo.max_block, .window = mo.window};
  struct cli c;
  int rc = cli_parse(&c, "link", argc, argv, NULL, opts, link_opt, &o, USAGE);
  if (rc != EXIT_OK) {
    cli_close(&c);
    return rc;
  }
  if (o.ninput == 0 || !o.output) {
    cli_error("link", "--input and --output are required");
    cli_close(&c);
    return cli_usage("link", USAGE);
  }
  mo.threshold = o.threshold;
  mo.threads = o.threads;
  mo.max_block = (uint32_t)o.max_block;
  mo.window = (uint32_t)o.window;
  int threads = match_threads(mo.threads);

  double t0 = now_s();
  const struct match_names *names = match_names_default();
  if (!names) {
    cli_close(&c);
    return EXIT_RUNTIME;
  }
  struct input in[2];
  memset(in, 0, sizeof in);
  struct reporter rp = {0, 20};
  struct match_model *model = NULL;
  struct match_linker *lk = NULL;
  struct match_record *rec = NULL;
  struct match_pair *pairs = NULL;
  struct match_clusters cl = {0};
  struct out outs[4];
  memset(outs, 0, sizeof outs);
  size_t npairs = 0;
  for (int k = 0; k < o.ninput && rc == EXIT_OK; k++) {
    in[k].path = o.input[k];
    rc = read_input(&in[k], o.strict, &rp);
  }
  if (rc != EXIT_OK) goto done;
  if (o.model && !(model = load_model(o.model, &rc))) goto done;
  size_t n = 0;
  for (int k = 0; k < o.ninput; k++) n += in[k].rows.n;
  if (n > UINT32_MAX - 1) {
    cli_error("link", "more than %u records", UINT32_MAX - 1);
    rc = EXIT_REJECTED;
    goto done;
  }
  rec = xmalloc((n ? n : 1) * sizeof *rec);
  prepare_input(&in[0], names, rec, threads, &rp);
  if (o.ninput == 2) prepare_input(&in[1], names, rec + in[0].rows.n, threads, &rp);
  if (rp.shown > rp.limit) fprintf(stderr, "safehub: link: %lu more problems not shown\n", rp.shown - rp.limit);
  double t_read = now_s();

  lk = match_linker_new(rec, n, in[0].rows.n, o.ninput == 2, &mo);
  double t_block = now_s();
  bool builtin = false;
  /* A saved model's prior is the share of matches among its training input's pairs: refit it to this input's size. */
  if (model) match_linker_rescale_prior(lk, model);
  if (!model && n < MATCH_MIN_TRAIN_RECORDS) {
    /* Too few records to learn from: the built-in model, its prior fitted to this input. */
    const struct embedded_file *f = embedded_find("linkage_model.json");
    char err[256] = "not built in";
    if (!f || !(model = match_model_from_json(f->data, f->len, err, sizeof err))) {
      cli_error("link", "built-in model: %s", err);
      rc = EXIT_RUNTIME;
      goto done;
    }
    match_linker_adapt_prior(lk, model);
    builtin = true;
  }
  if (!model) {
    char err[256];
    model = match_linker_train(lk, err, sizeof err);
    if (!model) {
      cli_error("link", "%s", err);
      rc = EXIT_REJECTED;
      goto done;
    }
  }
  double t_train = now_s();
  npairs = match_linker_predict(lk, model, &pairs);
  double t_score = now_s();

  /* Outputs: all to temporary files first, renamed only when every one is complete. */
  if (out_open(&outs[0], o.output) != 0) {
    rc = EXIT_RUNTIME;
    goto done;
  }
  fputs("id_a,id_b,probability\n", outs[0].f);
  for (size_t k = 0; k < npairs; k++) {
    put_csv_field(outs[0].f, record_id(in, o.ninput, pairs[k].a));
    fputc(',', outs[0].f);
    put_csv_field(outs[0].f, record_id(in, o.ninput, pairs[k].b));
    fprintf(outs[0].f, ",%.6f\n", match_probability(pairs[k].weight));
  }
  if (out_close(&outs[0]) != 0) {
    rc = EXIT_RUNTIME;
    goto done;
  }
  if (o.explain) {
    if (out_open(&outs[1], o.explain) != 0) {
      rc = EXIT_RUNTIME;
      goto done;
    }
    for (size_t k = 0; k < npairs; k++) {
      struct match_explanation e;
      match_explain(model, &rec[pairs[k].a], &rec[pairs[k].b], &e);
      json_t *j = match_explanation_json(&e, &rec[pairs[k].a], &rec[pairs[k].b]);
      json_t *line = json_pack("{s:s,s:s,s:s}", "id_a", record_id(in, o.ninput, pairs[k].a), "id_b",
                               record_id(in, o.ninput, pairs[k].b), "model_id", model->id);
      json_object_update(line, j);
      json_decref(j);
      char *text = json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(6));
      json_decref(line);
      if (text) {
        fputs(text, outs[1].f);
        fputc('\n', outs[1].f);
        free(text);
      }
    }
    if (out_close(&outs[1]) != 0) {
      rc = EXIT_RUNTIME;
      goto done;
    }
  }
  if (o.clusters) {
    struct match_edge *edges = xmalloc((npairs ? npairs : 1) * sizeof *edges);
    for (size_t k = 0; k < npairs; k++)
      edges[k] = (struct match_edge){pairs[k].a, pairs[k].b, match_probability(pairs[k].weight)};
    match_cluster(n, edges, npairs, o.strong, &cl);
    free(edges);
    if (out_open(&outs[2], o.clusters) != 0) {
      rc = EXIT_RUNTIME;
      goto done;
    }
    fputs("cluster_id,id,size,weakest_link,weak\n", outs[2].f);
    for (size_t i = 0; i < n; i++) {
      uint32_t k = cl.cluster[i];
      if (k == CLUSTER_NONE) continue;
      fprintf(outs[2].f, "%u,", k + 1);
      put_csv_field(outs[2].f, record_id(in, o.ninput, i));
      fprintf(outs[2].f, ",%u,%.6f,%d\n", cl.size[k], cl.weakest[k], cl.weak[k] ? 1 : 0);
    }
    if (out_close(&outs[2]) != 0) {
      rc = EXIT_RUNTIME;
      goto done;
    }
  }
  if (o.save_model && save_model(&outs[3], o.save_model, model) != 0) {
    rc = EXIT_RUNTIME;
    goto done;
  }
  for (int k = 0; k < 4; k++) {
    if (outs[k].path && rename(outs[k].tmp, outs[k].path) != 0) {
      cli_error("link", "%s: %s", outs[k].path, strerror(errno));
      rc = EXIT_RUNTIME;
      goto done;
    }
    outs[k].path = NULL;
  }
  double t_end = now_s();

  if (!o.quiet) {
    struct match_stats st;
    match_linker_stats(lk, &st);
    unsigned long skipped = in[0].skipped + in[1].skipped;
    printf("link: %s: %zu records read", o.ninput == 2 ? "linking A to B" : "deduplicating", n);
    if (o.ninput == 2) printf(" (A %zu, B %zu)", in[0].rows.n, in[1].rows.n);
    printf(", %lu rows skipped, %lu NHS numbers and %lu genders ignored\n", skipped,
           in[0].warned_nhs + in[1].warned_nhs, in[0].warned_gender + in[1].warned_gender);
    for (int r = 0; r < st.nrules; r++) {
      printf("link: blocking rule %d (%s): %llu blocks, largest %llu, %llu candidate pairs", r + 1, st.rule_name[r],
             (unsigned long long)st.rule[r].blocks, (unsigned long long)st.rule[r].largest,
             (unsigned long long)st.rule_pairs[r]);
      if (st.rule[r].oversized)
        printf("; %llu blocks over %u records (%llu records) compared in windows of %u",
               (unsigned long long)st.rule[r].oversized, mo.max_block,
               (unsigned long long)st.rule[r].oversized_records, mo.window);
      printf("\n");
    }
    const struct match_training *t = &model->training;
    printf("link: model %s%s: prior %.3g (%llu pairs meet the deterministic rules, estimated recall %.2f), "
           "EM %d iterations%s\n",
           model->id,
           o.model ? " (loaded; prior fitted to this input's size)" : builtin ? " (built-in: too few records to train on)" : " (trained)", model->prior, (unsigned long long)t->deterministic_pairs,
           t->deterministic_recall, t->em_iterations, t->em_converged ? "" : " (not converged)");
    printf("link: %llu candidate pairs compared, %zu pairs at or above %.3g", (unsigned long long)st.candidate_pairs,
           npairs, mo.threshold);
    if (o.clusters) printf(", %zu clusters (%zu held together only by links below %.3g)", cl.ncluster, cl.nweak, o.strong);
    printf("\n");
    double secs = t_end - t0, score_secs = t_score - t_train, link_secs = t_score - t_read;
    uint64_t compared = st.candidate_pairs + (o.model ? 0 : t->candidate_pairs + t->random_pairs);
    printf("link: %.2f s on %d threads (read %.2f, blocking %.2f, training %.2f, scoring %.2f, writing %.2f); "
           "%.0f records/s; %.0f candidate pairs scored/s; %llu comparisons in all (training included), %.0f/s\n",
           secs, threads, t_read - t0, t_block - t_read, t_train - t_block, score_secs, t_end - t_score,
           secs > 0 ? (double)n / secs : 0.0, score_secs > 0 ? (double)st.candidate_pairs / score_secs : 0.0,
           (unsigned long long)compared, link_secs > 0 ? (double)compared / link_secs : 0.0);
  }

done:
  for (int k = 0; k < 4; k++) out_discard(&outs[k]);
  match_clusters_free(&cl);
  free(pairs);
  match_linker_free(lk);
  match_model_free(model);
  free(rec);
  for (int k = 0; k < 2; k++) {
    free(in[k].rows.text);
    free(in[k].rows.off);
    free(in[k].rows.line);
  }
  cli_close(&c);
  return rc;
}
