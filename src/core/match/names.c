/*
** Name tables (see names.h).  Each table is a strict CSV file with a header
** row; a row whose first field starts with '#' is a comment.  Names are
** folded with text_fold_key before they are stored or looked up, so the
** tables may be written with capitals, accents and spaces.
*/
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/match/names.h"
#include "util/csv.h"
#include "util/embedded.h"
#include "util/text.h"
#include "util/xalloc.h"

/* An empty set of tables. */
void match_names_init(struct match_names *nm) {
  memset(nm, 0, sizeof *nm);
  strtab_init(&nm->names);
  strtab_init(&nm->group_keys);
  strtab_init(&nm->abbrev);
  strtab_init(&nm->abbrev_long);
}

/* Frees everything the tables hold. */
void match_names_free(struct match_names *nm) {
  strtab_free(&nm->names);
  strtab_free(&nm->group_keys);
  strtab_free(&nm->abbrev);
  strtab_free(&nm->abbrev_long);
  free(nm->groups);
  free(nm->rules);
  free(nm->abbrev_to);
  memset(nm, 0, sizeof *nm);
}

/*
** Reads the header and rows of a table with NCOLS columns named by HEADER
** (comma-separated), calling ROW for each data row with the fields.  Returns
** 0, or -1 with "line N: why" in ERR.
*/
static int read_table(const char *text, size_t len, int ncols, const char *header,
                      int (*row)(void *ctx, const char *const *f, char *err, size_t errcap), void *ctx, char *err,
                      size_t errcap) {
  struct csv_reader r;
  csv_init(&r, text, len);
  int rc = 0;
  bool have_header = false;
  for (;;) {
    int st = csv_next(&r);
    if (st == CSV_EOF) break;
    if (st != CSV_ROW) {
      snprintf(err, errcap, "line %lu: %s", st == CSV_BAD ? r.row_line : r.line, r.why);
      rc = -1;
      break;
    }
    if (csv_field(&r, 0)[0] == '#') continue;
    if (!have_header) {
      char got[256] = "";
      for (int i = 0; i < r.nfields; i++) {
        size_t n = strlen(got);
        snprintf(got + n, sizeof got - n, "%s%s", i ? "," : "", csv_field(&r, i));
      }
      if (strcmp(got, header) != 0) {
        snprintf(err, errcap, "line %lu: the header must be '%s'", r.row_line, header);
        rc = -1;
        break;
      }
      have_header = true;
      r.expect = ncols;
      continue;
    }
    const char *f[8];
    for (int i = 0; i < ncols && i < 8; i++) f[i] = csv_field(&r, i);
    char why[160] = "";
    if (row(ctx, f, why, sizeof why) != 0) {
      snprintf(err, errcap, "line %lu: %s", r.row_line, why);
      rc = -1;
      break;
    }
  }
  if (rc == 0 && !have_header) {
    snprintf(err, errcap, "no header row");
    rc = -1;
  }
  csv_free(&r);
  return rc;
}

/* Adds group id G (0-based) to name id ID, unless it is there or the name already has NAMES_GROUPS. */
static void name_add_group(struct match_names *nm, uint32_t id, uint32_t g) {
  if (id >= nm->groups_cap) {
    size_t cap = nm->groups_cap ? nm->groups_cap : 256;
    while (cap <= id) cap *= 2;
    nm->groups = xrealloc(nm->groups, cap * sizeof *nm->groups);
    memset(nm->groups + nm->groups_cap, 0, (cap - nm->groups_cap) * sizeof *nm->groups);
    nm->groups_cap = cap;
  }
  for (int k = 0; k < NAMES_GROUPS; k++) {
    if (nm->groups[id][k] == g + 1) return;
    if (nm->groups[id][k] == 0) {
      nm->groups[id][k] = g + 1;
      return;
    }
  }
}

/* One row "group,name" of a group table. */
static int group_row(void *ctx, const char *const *f, char *err, size_t errcap) {
  struct match_names *nm = ctx;
  char g[NAMES_KEY_MAX], n[NAMES_KEY_MAX];
  size_t gl = text_fold_key(f[0], g, sizeof g), nl = text_fold_key(f[1], n, sizeof n);
  if (!gl || !nl) {
    snprintf(err, errcap, "a group and a name are both needed");
    return -1;
  }
  uint32_t gid = strtab_intern(&nm->group_keys, g, gl);
  name_add_group(nm, strtab_intern(&nm->names, g, gl), gid);
  name_add_group(nm, strtab_intern(&nm->names, n, nl), gid);
  return 0;
}

/*
** Adds the rows of a group table (header "group,name": NAME is a nickname,
** diminutive or variant spelling of GROUP) to NM.  Returns 0, or -1 with why in ERR.
*/
int match_names_add_groups(struct match_names *nm, const char *csv_text, size_t len, char *err, size_t errcap) {
  return read_table(csv_text, len, 2, "group,name", group_row, nm, err, errcap);
}

/* One row "where,from,to" of the rules table. */
static int rule_row(void *ctx, const char *const *f, char *err, size_t errcap) {
  struct match_names *nm = ctx;
  struct name_rule r;
  memset(&r, 0, sizeof r);
  if (!strcmp(f[0], "any")) r.where = RULE_ANY;
  else if (!strcmp(f[0], "start")) r.where = RULE_START;
  else if (!strcmp(f[0], "end")) r.where = RULE_END;
  else if (!strcmp(f[0], "double")) r.where = RULE_DOUBLE;
  else {
    snprintf(err, errcap, "where must be any, start, end or double");
    return -1;
  }
  size_t fl = text_fold_key(f[1], r.from, sizeof r.from);
  text_fold_key(f[2], r.to, sizeof r.to);
  if (r.where != RULE_DOUBLE && (fl == 0 || strlen(f[1]) >= sizeof r.from || strlen(f[2]) >= sizeof r.to)) {
    snprintf(err, errcap, "from must be 1 to 7 letters and to at most 7");
    return -1;
  }
  nm->rules = xrealloc(nm->rules, (nm->nrules + 1) * sizeof *nm->rules);
  nm->rules[nm->nrules++] = r;
  return 0;
}

/*
** Appends the rules of a table (header "where,from,to"; WHERE is any, start,
** end, or double: collapse doubled letters) to NM.  Returns 0, or -1 with why in ERR.
*/
int match_names_add_rules(struct match_names *nm, const char *csv_text, size_t len, char *err, size_t errcap) {
  return read_table(csv_text, len, 3, "where,from,to", rule_row, nm, err, errcap);
}

/* One row "short,long" of the abbreviations table. */
static int abbrev_row(void *ctx, const char *const *f, char *err, size_t errcap) {
  struct match_names *nm = ctx;
  char s[NAMES_KEY_MAX], l[NAMES_KEY_MAX];
  size_t sl = text_fold_key(f[0], s, sizeof s), ll = text_fold_key(f[1], l, sizeof l);
  if (!sl || !ll) {
    snprintf(err, errcap, "a short and a long form are both needed");
    return -1;
  }
  uint32_t id = strtab_intern(&nm->abbrev, s, sl);
  if (id >= nm->abbrev_cap) {
    nm->abbrev_cap = nm->abbrev_cap ? nm->abbrev_cap * 2 : 64;
    nm->abbrev_to = xrealloc(nm->abbrev_to, nm->abbrev_cap * sizeof *nm->abbrev_to);
  }
  nm->abbrev_to[id] = strtab_intern(&nm->abbrev_long, l, ll);
  return 0;
}

/* Adds the rows of an abbreviations table (header "short,long") to NM.  Returns 0, or -1 with why in ERR. */
int match_names_add_abbrev(struct match_names *nm, const char *csv_text, size_t len, char *err, size_t errcap) {
  return read_table(csv_text, len, 2, "short,long", abbrev_row, nm, err, errcap);
}

/*
** The groups of the folded name KEY into OUT (group ids + 1, unused slots 0).
** Returns how many.
*/
int match_names_groups(const struct match_names *nm, const char *key, uint32_t out[NAMES_GROUPS]) {
  memset(out, 0, NAMES_GROUPS * sizeof *out);
  int64_t id = strtab_find(&nm->names, key, strlen(key));
  if (id < 0 || (size_t)id >= nm->groups_cap) return 0;
  int n = 0;
  for (int k = 0; k < NAMES_GROUPS; k++) {
    out[k] = nm->groups[id][k];
    if (out[k]) n++;
  }
  return n;
}

/* Replaces FROM by TO in BUF (NUL-terminated, capacity CAP) as the rule says. */
static void apply_rule(const struct name_rule *r, char *buf, size_t cap) {
  char out[NAMES_KEY_MAX * 2];
  size_t o = 0, n = strlen(buf), fl = strlen(r->from), tl = strlen(r->to);
  if (r->where == RULE_DOUBLE) {
    for (size_t i = 0; i < n; i++) {
      if (i > 0 && buf[i] == buf[i - 1]) continue;
      out[o++] = buf[i];
    }
  } else if (r->where == RULE_START || r->where == RULE_END) {
    size_t at = r->where == RULE_START ? 0 : (n >= fl ? n - fl : n + 1);
    if (n < fl || strncmp(buf + at, r->from, fl) != 0) return;
    memcpy(out, buf, at);
    o = at;
    memcpy(out + o, r->to, tl);
    o += tl;
    memcpy(out + o, buf + at + fl, n - at - fl);
    o += n - at - fl;
  } else {
    for (size_t i = 0; i < n && o + tl < sizeof out;) {
      if (fl && buf[i] == r->from[0] && strncmp(buf + i, r->from, fl) == 0) {
        memcpy(out + o, r->to, tl);
        o += tl;
        i += fl;
      } else {
        out[o++] = buf[i++];
      }
    }
  }
  if (o >= cap) o = cap - 1;
  memcpy(buf, out, o);
  buf[o] = '\0';
}

/*
** The variant key of the folded name KEY: the spelling rules applied in
** order.  Writes at most OUTCAP-1 bytes and NUL to OUT; returns the length.
*/
size_t match_names_variant_key(const struct match_names *nm, const char *key, char *out, size_t outcap) {
  if (outcap == 0) return 0;
  char buf[NAMES_KEY_MAX];
  snprintf(buf, sizeof buf, "%s", key);
  for (size_t i = 0; i < nm->nrules; i++) apply_rule(&nm->rules[i], buf, sizeof buf);
  snprintf(out, outcap, "%s", buf);
  return strlen(out);
}

/* The long form of the folded address word WORD ("rd" -> "road"), or WORD itself. */
const char *match_names_expand(const struct match_names *nm, const char *word) {
  int64_t id = strtab_find(&nm->abbrev, word, strlen(word));
  if (id < 0) return word;
  return strtab_str(&nm->abbrev_long, nm->abbrev_to[id]);
}

static struct match_names default_names;
static const struct match_names *default_ptr;
static pthread_once_t default_once = PTHREAD_ONCE_INIT;

/* Builds the shipped tables once; leaves default_ptr NULL if one is missing or malformed. */
static void load_default(void) {
  static const struct {
    const char *file;
    int (*add)(struct match_names *, const char *, size_t, char *, size_t);
  } tables[] = {
      {"nicknames.csv", match_names_add_groups},
      {"name_variants.csv", match_names_add_groups},
      {"name_rules.csv", match_names_add_rules},
      {"address_abbreviations.csv", match_names_add_abbrev},
  };
  match_names_init(&default_names);
  for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
    const struct embedded_file *f = embedded_find(tables[i].file);
    char err[256];
    if (!f || tables[i].add(&default_names, f->data, f->len, err, sizeof err) != 0) {
      fprintf(stderr, "safehub: linkage: shipped table %s: %s\n", tables[i].file, f ? err : "missing");
      match_names_free(&default_names);
      return;
    }
  }
  default_ptr = &default_names;
}

/*
** The shipped tables (config/nicknames.csv, name_variants.csv,
** name_rules.csv, address_abbreviations.csv), built on first use and shared
** read-only by every thread; NULL (after a message on stderr) if one is
** missing or malformed.  Never freed.
*/
const struct match_names *match_names_default(void) {
  pthread_once(&default_once, load_default);
  return default_ptr;
}
