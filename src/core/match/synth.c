/*
** The synthetic people generator (see synth.h).  Households are made first
** (background, street and house, surname, adults and children with their
** dates, phones and NHS numbers), then each person is given one to five
** records and the records are shuffled.  A record's text is made only when
** asked for, from a random stream seeded by the person and the copy number,
** so any row can be made on its own and in any order with the same result.
*/
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/match/strtab.h"
#include "core/match/synth.h"
#include "util/csv.h"
#include "util/text.h"
#include "util/xalloc.h"

#define NAME_LEN 24
#define MAX_BG 16

/* A list of names with cumulative weights for drawing. */
struct wlist {
  char (*name)[NAME_LEN];
  uint64_t *cum;
  size_t n, cap;
  uint64_t total;
};

struct area {
  char code[4];
  char town[NAME_LEN];
  int districts;
};

struct street {
  char postcode[16];
  uint16_t area, name, type;
};

struct house {
  uint32_t street;
  uint16_t number, flat;
  uint64_t landline;
};

struct person {
  char first[NAME_LEN], last[NAME_LEN], middle[NAME_LEN];
  uint8_t sex; /* 1 female, 2 male */
  uint8_t bg;
  int32_t dob;
  uint32_t house;
  uint64_t mobile, nhs;
};

struct rec {
  uint32_t person;
  uint32_t copy;
};

struct synth {
  uint64_t seed;
  int nbg;
  char bg_name[MAX_BG][NAME_LEN];
  struct wlist bg, female[MAX_BG], male[MAX_BG], surname[MAX_BG];
  struct wlist prefix, suffix, street_name, street_type;
  struct area *area;
  size_t narea;
  struct wlist area_pick; /* weights = districts */
  struct street *street;
  size_t nstreet;
  struct house *house;
  size_t nhouse, house_cap;
  struct person *person;
  size_t nperson, person_cap;
  struct rec *rec;
  size_t nrec;
  /* Alternatives of a name: nicknames, diminutives and variant spellings. */
  struct strtab alt_names;            /* folded name -> id */
  uint32_t (*alt_groups)[NAMES_GROUPS]; /* per name id: group + 1 */
  size_t alt_cap;
  uint32_t **group_members;           /* per group: name ids */
  size_t *group_n, ngroup, group_cap;
};

/* splitmix64: the next number of the stream in *S. */
static uint64_t rnd(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/* A number in [0, n). */
static uint32_t below(uint64_t *s, uint32_t n) { return n ? (uint32_t)(rnd(s) % n) : 0; }

/* True with probability P. */
static bool chance(uint64_t *s, double p) { return (double)(rnd(s) >> 11) * (1.0 / 9007199254740992.0) < p; }

/* Appends NAME with WEIGHT to L. */
static void wl_add(struct wlist *l, const char *name, uint64_t weight) {
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 32;
    l->name = xrealloc(l->name, l->cap * sizeof *l->name);
    l->cum = xrealloc(l->cum, l->cap * sizeof *l->cum);
  }
  snprintf(l->name[l->n], NAME_LEN, "%s", name);
  l->total += weight ? weight : 1;
  l->cum[l->n++] = l->total;
}

/* Draws an index of L by weight (L must not be empty). */
static size_t wl_pick(const struct wlist *l, uint64_t *s) {
  uint64_t x = rnd(s) % l->total;
  size_t lo = 0, hi = l->n - 1;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (l->cum[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/* Frees a list. */
static void wl_free(struct wlist *l) {
  free(l->name);
  free(l->cum);
}

/* The index of background NAME, added when new; -1 when there are too many. */
static int bg_index(struct synth *s, const char *name) {
  for (int i = 0; i < s->nbg; i++)
    if (!strcmp(s->bg_name[i], name)) return i;
  if (s->nbg == MAX_BG) return -1;
  snprintf(s->bg_name[s->nbg], NAME_LEN, "%s", name);
  return s->nbg++;
}

/* Reads the word lists (header kind,group,name,weight).  Returns 0, or -1 with why in ERR. */
static int load_table(struct synth *s, const char *text, size_t len, char *err, size_t errcap) {
  struct csv_reader r;
  csv_init(&r, text, len);
  bool header = false;
  int rc = 0;
  for (;;) {
    int st = csv_next(&r);
    if (st == CSV_EOF) break;
    if (st != CSV_ROW) {
      snprintf(err, errcap, "synth_names.csv line %lu: %s", r.row_line, r.why);
      rc = -1;
      break;
    }
    if (csv_field(&r, 0)[0] == '#') continue;
    if (!header) {
      header = true;
      r.expect = 4;
      continue;
    }
    const char *kind = csv_field(&r, 0), *group = csv_field(&r, 1), *name = csv_field(&r, 2);
    uint64_t w = strtoull(csv_field(&r, 3), NULL, 10);
    bool named = !strcmp(kind, "female") || !strcmp(kind, "male") || !strcmp(kind, "surname");
    int bg = named ? bg_index(s, group) : 0;
    if (bg < 0) {
      snprintf(err, errcap, "synth_names.csv line %lu: more than %d backgrounds", r.row_line, MAX_BG);
      rc = -1;
      break;
    }
    if (!strcmp(kind, "background")) {
      wl_add(&s->bg, name, w);
    } else if (!strcmp(kind, "female")) {
      wl_add(&s->female[bg], name, w);
    } else if (!strcmp(kind, "male")) {
      wl_add(&s->male[bg], name, w);
    } else if (!strcmp(kind, "surname")) {
      wl_add(&s->surname[bg], name, w);
    } else if (!strcmp(kind, "surname_prefix")) {
      wl_add(&s->prefix, name, w);
    } else if (!strcmp(kind, "surname_suffix")) {
      wl_add(&s->suffix, name, w);
    } else if (!strcmp(kind, "street")) {
      wl_add(&s->street_name, name, w);
    } else if (!strcmp(kind, "street_type")) {
      wl_add(&s->street_type, name, w);
    } else if (!strcmp(kind, "area")) {
      s->area = xrealloc(s->area, (s->narea + 1) * sizeof *s->area);
      struct area *a = &s->area[s->narea++];
      snprintf(a->code, sizeof a->code, "%s", group);
      snprintf(a->town, sizeof a->town, "%s", name);
      a->districts = w > 0 && w < 100 ? (int)w : 1;
      wl_add(&s->area_pick, group, w);
    }
  }
  csv_free(&r);
  if (rc == 0) {
    /* Backgrounds are listed by name in the "background" rows; each needs every list. */
    for (size_t b = 0; b < s->bg.n; b++) {
      int i = bg_index(s, s->bg.name[b]);
      if (i < 0 || !s->female[i].n || !s->male[i].n || !s->surname[i].n) {
        snprintf(err, errcap, "synth_names.csv: background %s lacks female, male or surname rows", s->bg.name[b]);
        return -1;
      }
    }
    if (!s->bg.n || !s->street_name.n || !s->street_type.n || !s->narea) {
      snprintf(err, errcap, "synth_names.csv: backgrounds, streets, street types and areas are all needed");
      return -1;
    }
  }
  return rc;
}

/*
** Adds the name groups of a table of the form of config/nicknames.csv
** (group,name) as alternatives a record may use instead of a name.
*/
void synth_add_groups(struct synth *s, const char *text, size_t len) {
  struct csv_reader r;
  csv_init(&r, text, len);
  struct strtab gk;
  strtab_init(&gk);
  bool header = false;
  while (csv_next(&r) == CSV_ROW) {
    if (csv_field(&r, 0)[0] == '#') continue;
    if (!header) {
      header = true;
      continue;
    }
    char g[NAME_LEN], n[NAME_LEN];
    size_t gl = text_fold_key(csv_field(&r, 0), g, sizeof g), nl = text_fold_key(csv_field(&r, 1), n, sizeof n);
    if (!gl || !nl) continue;
    uint32_t gid = strtab_intern(&gk, g, gl) + (uint32_t)s->ngroup;
    const char *members[2] = {g, n};
    size_t lens[2] = {gl, nl};
    for (int k = 0; k < 2; k++) {
      uint32_t id = strtab_intern(&s->alt_names, members[k], lens[k]);
      if (id >= s->alt_cap) {
        size_t cap = s->alt_cap ? s->alt_cap * 2 : 256;
        while (cap <= id) cap *= 2;
        s->alt_groups = xrealloc(s->alt_groups, cap * sizeof *s->alt_groups);
        memset(s->alt_groups + s->alt_cap, 0, (cap - s->alt_cap) * sizeof *s->alt_groups);
        s->alt_cap = cap;
      }
      while (gid >= s->group_cap) {
        size_t cap = s->group_cap ? s->group_cap * 2 : 256;
        s->group_members = xrealloc(s->group_members, cap * sizeof *s->group_members);
        s->group_n = xrealloc(s->group_n, cap * sizeof *s->group_n);
        memset(s->group_members + s->group_cap, 0, (cap - s->group_cap) * sizeof *s->group_members);
        memset(s->group_n + s->group_cap, 0, (cap - s->group_cap) * sizeof *s->group_n);
        s->group_cap = cap;
      }
      bool have = false;
      for (int q = 0; q < NAMES_GROUPS; q++) {
        if (s->alt_groups[id][q] == gid + 1) have = true;
        if (!have && !s->alt_groups[id][q]) {
          s->alt_groups[id][q] = gid + 1;
          have = true;
        }
      }
      bool member = false;
      for (size_t q = 0; q < s->group_n[gid]; q++) member |= s->group_members[gid][q] == id;
      if (!member) {
        s->group_members[gid] = xrealloc(s->group_members[gid], (s->group_n[gid] + 1) * sizeof(uint32_t));
        s->group_members[gid][s->group_n[gid]++] = id;
      }
    }
  }
  s->ngroup += gk.n;
  strtab_free(&gk);
  csv_free(&r);
}

/* Writes another spelling or nickname of NAME into OUT; false when it has none. */
static bool alternative(const struct synth *s, const char *name, uint64_t *rs, char *out, size_t cap) {
  char key[NAME_LEN];
  size_t kl = text_fold_key(name, key, sizeof key);
  int64_t id = strtab_find(&s->alt_names, key, kl);
  if (id < 0) return false;
  int ng = 0;
  while (ng < NAMES_GROUPS && s->alt_groups[id][ng]) ng++;
  if (!ng) return false;
  uint32_t g = s->alt_groups[id][below(rs, (uint32_t)ng)] - 1;
  size_t n = s->group_n[g];
  if (n < 2) return false;
  uint32_t pick = (uint32_t)id;
  for (int tries = 0; tries < 4 && pick == (uint32_t)id; tries++) pick = s->group_members[g][below(rs, (uint32_t)n)];
  if (pick == (uint32_t)id) return false;
  snprintf(out, cap, "%s", strtab_str(&s->alt_names, pick));
  return true;
}

/* Days in MONTH of YEAR. */
static int mdays(int y, int m) {
  static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && ((y % 4 == 0 && y % 100) || y % 400 == 0) ? 29 : d[m - 1];
}

/* A random date in YEAR. */
static int32_t date_in(uint64_t *rs, int year) {
  int m = 1 + (int)below(rs, 12);
  int d = 1 + (int)below(rs, (uint32_t)mdays(year, m));
  return year * 10000 + m * 100 + d;
}

/* A valid random NHS number (mod-11 check digit). */
static uint64_t make_nhs(uint64_t *rs) {
  for (;;) {
    int dg[10], sum = 0;
    dg[0] = 4 + (int)below(rs, 6);
    for (int i = 1; i < 9; i++) dg[i] = (int)below(rs, 10);
    for (int i = 0; i < 9; i++) sum += dg[i] * (10 - i);
    int check = 11 - sum % 11;
    if (check == 11) check = 0;
    if (check == 10) continue;
    dg[9] = check;
    uint64_t v = 0;
    for (int i = 0; i < 10; i++) v = v * 10 + (uint64_t)dg[i];
    return v;
  }
}

/* A surname for background BG: English households sometimes get one from the long tail of made-up names. */
static void pick_surname(const struct synth *s, int bg, uint64_t *rs, char *out) {
  if (!strcmp(s->bg_name[bg], "english") && s->prefix.n && s->suffix.n && chance(rs, 0.25)) {
    snprintf(out, NAME_LEN, "%s%s", s->prefix.name[wl_pick(&s->prefix, rs)], s->suffix.name[wl_pick(&s->suffix, rs)]);
    return;
  }
  snprintf(out, NAME_LEN, "%s", s->surname[bg].name[wl_pick(&s->surname[bg], rs)]);
}

/* A given name of SEX (1 female, 2 male) for background BG; one child in ten has an English name. */
static void pick_first(const struct synth *s, int bg, int sex, uint64_t *rs, char *out) {
  int b = chance(rs, 0.1) ? 0 : bg;
  const struct wlist *l = sex == 1 ? &s->female[b] : &s->male[b];
  snprintf(out, NAME_LEN, "%s", l->name[wl_pick(l, rs)]);
}

/* Adds a person to the synth and returns it. */
static struct person *add_person(struct synth *s) {
  if (s->nperson == s->person_cap) {
    s->person_cap = s->person_cap ? s->person_cap * 2 : 1024;
    s->person = xrealloc(s->person, s->person_cap * sizeof *s->person);
  }
  struct person *p = &s->person[s->nperson++];
  memset(p, 0, sizeof *p);
  return p;
}

/* Records per person: 1 (half), 2, 3, 4 or 5. */
static uint32_t copies(uint64_t *rs) {
  uint32_t x = below(rs, 100);
  return x < 50 ? 1 : x < 77 ? 2 : x < 90 ? 3 : x < 96 ? 4 : 5;
}

/* Makes streets, households and people until RECORDS records are assigned, then shuffles the records. */
static void populate(struct synth *s, uint64_t records) {
  uint64_t rs = s->seed;
  s->nstreet = (size_t)(records / 25 + 50);
  s->street = xmalloc(s->nstreet * sizeof *s->street);
  static const char UNIT[] = "ABDEFGHJLNPQRSTUWXYZ";
  for (size_t i = 0; i < s->nstreet; i++) {
    struct street *st = &s->street[i];
    st->area = (uint16_t)wl_pick(&s->area_pick, &rs);
    const struct area *a = &s->area[st->area];
    snprintf(st->postcode, sizeof st->postcode, "%.3s%d %d%c%c", a->code, 1 + (int)below(&rs, (uint32_t)a->districts % 100),
             (int)below(&rs, 10), UNIT[below(&rs, 20)], UNIT[below(&rs, 20)]);
    st->name = (uint16_t)wl_pick(&s->street_name, &rs);
    st->type = (uint16_t)wl_pick(&s->street_type, &rs);
  }
  s->rec = xmalloc((size_t)(records ? records : 1) * sizeof *s->rec);
  s->nrec = 0;
  while (s->nrec < records) {
    if (s->nhouse == s->house_cap) {
      s->house_cap = s->house_cap ? s->house_cap * 2 : 1024;
      s->house = xrealloc(s->house, s->house_cap * sizeof *s->house);
    }
    uint32_t h = (uint32_t)s->nhouse++;
    struct house *ho = &s->house[h];
    ho->street = below(&rs, (uint32_t)s->nstreet);
    ho->number = (uint16_t)(1 + below(&rs, 150));
    ho->flat = chance(&rs, 0.1) ? (uint16_t)(1 + below(&rs, 12)) : 0;
    ho->landline = chance(&rs, 0.35) ? 1000000000ULL + (uint64_t)below(&rs, 999999999) : 0;
    int bg = bg_index(s, s->bg.name[wl_pick(&s->bg, &rs)]);
    char surname[NAME_LEN];
    pick_surname(s, bg, &rs, surname);
    int adults = chance(&rs, 0.35) ? 1 : 2;
    int mother_year = 2025 - 22 - (int)below(&rs, 30);
    int kids_w = (int)below(&rs, 100);
    int kids = kids_w < 15 ? 0 : kids_w < 45 ? 1 : kids_w < 75 ? 2 : kids_w < 90 ? 3 : 4;
    int32_t last_dob = 0;
    for (int k = 0; k < adults + kids; k++) {
      struct person *p = add_person(s);
      p->bg = (uint8_t)bg;
      p->house = h;
      if (k < adults) {
        p->sex = (uint8_t)(k == 0 ? (chance(&rs, 0.8) ? 1 : 2) : (s->person[s->nperson - 2].sex == 1 ? 2 : 1));
        int year = p->sex == 1 ? mother_year : mother_year - 3 + (int)below(&rs, 8);
        p->dob = date_in(&rs, year);
        snprintf(p->last, NAME_LEN, "%s", surname);
        if (k == 1 && chance(&rs, 0.3)) pick_surname(s, bg, &rs, p->last);
        p->mobile = chance(&rs, 0.85) ? 7000000000ULL + (uint64_t)below(&rs, 999999999) : 0;
      } else {
        p->sex = (uint8_t)(1 + below(&rs, 2));
        if (last_dob && chance(&rs, 0.03)) {
          p->dob = last_dob; /* a twin */
        } else {
          int lo = mother_year + 18, hi = 2024;
          p->dob = date_in(&rs, lo >= hi ? hi : lo + (int)below(&rs, (uint32_t)(hi - lo + 1)));
        }
        last_dob = p->dob;
        snprintf(p->last, NAME_LEN, "%s", surname);
        p->mobile = p->dob < 20130000 && chance(&rs, 0.5) ? 7000000000ULL + (uint64_t)below(&rs, 999999999) : 0;
      }
      pick_first(s, bg, p->sex, &rs, p->first);
      if (chance(&rs, 0.3)) pick_first(s, bg, p->sex, &rs, p->middle);
      p->nhs = make_nhs(&rs);
      uint32_t c = copies(&rs);
      for (uint32_t q = 0; q < c && s->nrec < records; q++) s->rec[s->nrec++] = (struct rec){(uint32_t)(s->nperson - 1), q};
    }
  }
  for (size_t i = s->nrec; i > 1; i--) {
    size_t j = (size_t)(rnd(&rs) % i);
    struct rec t = s->rec[i - 1];
    s->rec[i - 1] = s->rec[j];
    s->rec[j] = t;
  }
}

/*
** A generator of RECORDS rows for SEED, with the word lists TABLE (the form
** of config/synth_names.csv).  Returns it (free with synth_free), or NULL
** with why in ERR.  Name alternatives are added with synth_add_groups.
*/
struct synth *synth_new(uint64_t records, uint64_t seed, const char *table, size_t table_len, char *err,
                        size_t errcap) {
  struct synth *s = xcalloc(1, sizeof *s);
  s->seed = seed ^ 0x5EED5EED5EEDULL;
  strtab_init(&s->alt_names);
  if (load_table(s, table, table_len, err, errcap) != 0) {
    synth_free(s);
    return NULL;
  }
  populate(s, records);
  return s;
}

/* Frees the generator. */
void synth_free(struct synth *s) {
  if (!s) return;
  wl_free(&s->bg);
  for (int i = 0; i < MAX_BG; i++) {
    wl_free(&s->female[i]);
    wl_free(&s->male[i]);
    wl_free(&s->surname[i]);
  }
  wl_free(&s->prefix);
  wl_free(&s->suffix);
  wl_free(&s->street_name);
  wl_free(&s->street_type);
  wl_free(&s->area_pick);
  free(s->area);
  free(s->street);
  free(s->house);
  free(s->person);
  free(s->rec);
  strtab_free(&s->alt_names);
  free(s->alt_groups);
  for (size_t g = 0; g < s->group_cap; g++) free(s->group_members[g]);
  free(s->group_members);
  free(s->group_n);
  free(s);
}

/* Rows the generator makes. */
size_t synth_count(const struct synth *s) { return s->nrec; }

/* The person (entity) behind row I: rows with the same person are true matches. */
uint32_t synth_person(const struct synth *s, size_t i) { return s->rec[i].person; }

/* Letters near each letter on a QWERTY keyboard, for typing errors. */
static const char *const NEAR[26] = {"qwsz", "vghn", "xdfv", "serfcx", "wsdr", "drtgvc", "ftyhbv", "gyujnb", "ujko",
                                     "huikmn", "jiolm", "kop", "njk", "bhjm", "iklp", "ol", "wa", "edft", "awedxz",
                                     "rfgy", "yhji", "cfgb", "qase", "zsdc", "tghu", "asx"};

/* One typing error in the lower-case ASCII word W (capacity CAP): a near key, a letter lost, doubled or two swapped. */
static void typo(char *w, size_t cap, uint64_t *rs) {
  size_t n = strlen(w);
  if (n < 2) return;
  size_t i = below(rs, (uint32_t)n);
  switch (below(rs, 4)) {
  case 0:
    if (w[i] >= 'a' && w[i] <= 'z') {
      const char *near = NEAR[w[i] - 'a'];
      w[i] = near[below(rs, (uint32_t)strlen(near))];
    }
    break;
  case 1:
    if (n > 3) memmove(w + i, w + i + 1, n - i);
    break;
  case 2:
    if (n + 1 < cap) {
      memmove(w + i + 1, w + i, n - i + 1);
    }
    break;
  default:
    if (i + 1 < n) {
      char t = w[i];
      w[i] = w[i + 1];
      w[i + 1] = t;
    }
    break;
  }
}

/* Capitalises each word of W in place ("o'brien-smith" -> "O'Brien-Smith"). */
static void capitalise(char *w) {
  bool start = true;
  for (; *w; w++) {
    if (start && *w >= 'a' && *w <= 'z') *w = (char)(*w - 32);
    start = *w == ' ' || *w == '-' || *w == '\'';
  }
}

/* Writes the digits of V (with leading zero to LEN digits) formatted like a UK phone number. */
static void phone_text(uint64_t v, uint64_t *rs, char *out, size_t cap) {
  char d[16];
  snprintf(d, sizeof d, "0%010llu", (unsigned long long)v);
  const char *x = d + 1; /* 10 digits after the leading 0 */
  switch (below(rs, 4)) {
  case 0: snprintf(out, cap, "0%s", x); break;
  case 1: snprintf(out, cap, "0%.4s %s", x, x + 4); break;
  case 2: snprintf(out, cap, "+44 %.4s %s", x, x + 4); break;
  default: snprintf(out, cap, "(0%.3s) %.3s %s", x, x + 3, x + 6); break;
  }
}

/* The address of house H (with street S) as written by one agency. */
static void address_text(const struct synth *s, const struct house *h, uint64_t *rs, char *out, size_t cap) {
  const struct street *st = &s->street[h->street];
  const char *type = s->street_type.name[st->type];
  static const struct {
    const char *full, *abbr;
  } ABBR[] = {{"road", "rd"}, {"street", "st"}, {"avenue", "ave"}, {"lane", "ln"}, {"close", "cl"}, {"drive", "dr"},
              {"crescent", "cres"}, {"gardens", "gdns"}, {"place", "pl"}, {"terrace", "ter"}, {"court", "ct"}};
  if (chance(rs, 0.3)) {
    for (size_t i = 0; i < sizeof ABBR / sizeof ABBR[0]; i++)
      if (!strcmp(type, ABBR[i].full)) type = ABBR[i].abbr;
  }
  char flat[24] = "";
  if (h->flat) snprintf(flat, sizeof flat, chance(rs, 0.5) ? "flat %u, " : "%u/", (unsigned)h->flat);
  char street[80];
  snprintf(street, sizeof street, "%s %s", s->street_name.name[st->name], type);
  if (chance(rs, 0.04)) typo(street, sizeof street, rs);
  if (chance(rs, 0.4)) snprintf(out, cap, "%s%u %s", flat, (unsigned)h->number, street);
  else snprintf(out, cap, "%s%u %s, %s", flat, (unsigned)h->number, street, s->area[st->area].town);
  capitalise(out);
}

/*
** Makes row I: its person's details as one agency recorded them.  The
** first record of a person is nearly clean; later ones carry the errors.
*/
void synth_row(const struct synth *s, size_t i, struct synth_row *out) {
  memset(out, 0, sizeof *out);
  const struct rec *r = &s->rec[i];
  const struct person *p = &s->person[r->person];
  uint64_t rs = s->seed ^ ((uint64_t)r->person * 0x9E3779B97F4A7C15ULL) ^ ((uint64_t)(r->copy + 1) << 56);
  rnd(&rs);
  double k = r->copy == 0 ? 0.3 : 1.0; /* error rates of the first record are scaled down */
  snprintf(out->id, sizeof out->id, "P%07zu", i + 1);

  char first[48], last[48];
  snprintf(first, sizeof first, "%s", p->first);
  snprintf(last, sizeof last, "%s", p->last);
  if (chance(&rs, 0.12 * k)) alternative(s, first, &rs, first, sizeof first);
  if (chance(&rs, 0.06 * k)) typo(first, sizeof first, &rs);
  if (p->middle[0] && chance(&rs, 0.05 * k)) {
    size_t n = strlen(first);
    snprintf(first + n, sizeof first - n, " %s", p->middle);
  }
  if (chance(&rs, 0.05 * k)) alternative(s, last, &rs, last, sizeof last);
  if (chance(&rs, 0.05 * k)) typo(last, sizeof last, &rs);
  if (chance(&rs, 0.015 * k)) {
    char t[48];
    snprintf(t, sizeof t, "%s", last);
    snprintf(last, sizeof last, "%.23s-%.23s", t, s->surname[p->bg].name[wl_pick(&s->surname[p->bg], &rs)]);
  }
  capitalise(first);
  capitalise(last);
  if (chance(&rs, 0.015 * k)) {
    char t[48];
    snprintf(t, sizeof t, "%s", first);
    snprintf(first, sizeof first, "%s", last);
    snprintf(last, sizeof last, "%s", t);
  }
  if (chance(&rs, 0.02 * k)) first[0] = '\0';
  if (chance(&rs, 0.02 * k)) last[0] = '\0';
  snprintf(out->first_name, sizeof out->first_name, "%s", first);
  snprintf(out->last_name, sizeof out->last_name, "%s", last);

  int y = p->dob / 10000, m = p->dob / 100 % 100, d = p->dob % 100;
  if (chance(&rs, 0.03 * k) && d <= 12 && d != m) {
    int t = d;
    d = m;
    m = t;
  } else if (chance(&rs, 0.04 * k)) {
    /* One digit wrong, kept only if the date still exists. */
    char ds[16];
    snprintf(ds, sizeof ds, "%04d%02d%02d", y, m, d);
    int pos = 2 + (int)below(&rs, 6);
    ds[pos] = (char)('0' + below(&rs, 10));
    int ny = (ds[0] - '0') * 1000 + (ds[1] - '0') * 100 + (ds[2] - '0') * 10 + (ds[3] - '0');
    int nm = (ds[4] - '0') * 10 + (ds[5] - '0'), nd = (ds[6] - '0') * 10 + (ds[7] - '0');
    if (nm >= 1 && nm <= 12 && nd >= 1 && nd <= mdays(ny, nm) && ny >= 1900) y = ny, m = nm, d = nd;
  }
  if (!chance(&rs, 0.04 * k)) {
    if (chance(&rs, 0.15)) snprintf(out->date_of_birth, sizeof out->date_of_birth, "%02d/%02d/%04d", d, m, y);
    else snprintf(out->date_of_birth, sizeof out->date_of_birth, "%04d-%02d-%02d", y, m, d);
  }

  if (!chance(&rs, 0.25)) {
    static const char *const F[] = {"F", "Female", "female", "F"}, *const M[] = {"M", "Male", "male", "M"};
    snprintf(out->gender, sizeof out->gender, "%s", (p->sex == 1 ? F : M)[below(&rs, 4)]);
  }

  struct house h = s->house[p->house];
  if (chance(&rs, 0.10 * k)) {
    /* Moved: another street, mostly in the same part of the list (the same town is likely). */
    uint32_t span = (uint32_t)(s->nstreet < 400 ? s->nstreet : 400);
    h.street = (uint32_t)((h.street + 1 + below(&rs, span)) % s->nstreet);
    h.number = (uint16_t)(1 + below(&rs, 150));
    h.flat = 0;
  }
  if (!chance(&rs, 0.06 * k)) address_text(s, &h, &rs, out->address, sizeof out->address);
  if (!chance(&rs, 0.05 * k)) {
    snprintf(out->postcode, sizeof out->postcode, "%.11s", s->street[h.street].postcode);
    if (chance(&rs, 0.02 * k)) {
      size_t n = strlen(out->postcode);
      size_t at = below(&rs, (uint32_t)n);
      if (out->postcode[at] >= '0' && out->postcode[at] <= '9') out->postcode[at] = (char)('0' + below(&rs, 10));
    }
    if (chance(&rs, 0.1)) {
      for (char *c = out->postcode; *c; c++) *c = (char)tolower((unsigned char)*c);
    }
  }

  uint64_t phone = p->mobile ? p->mobile : h.landline;
  if (phone && chance(&rs, 0.5)) {
    if (chance(&rs, 0.02 * k)) phone = (phone / 10) * 10 + below(&rs, 10);
    phone_text(phone, &rs, out->phone, sizeof out->phone);
  }
  if (chance(&rs, 0.35)) {
    uint64_t nhs = p->nhs;
    if (chance(&rs, 0.01 * k)) nhs = nhs / 10 * 10 + (nhs % 10 + 1) % 10; /* fails the check digit */
    char d10[11];
    snprintf(d10, sizeof d10, "%010llu", (unsigned long long)nhs);
    if (chance(&rs, 0.5)) snprintf(out->nhs_number, sizeof out->nhs_number, "%.3s %.3s %.4s", d10, d10 + 3, d10 + 6);
    else snprintf(out->nhs_number, sizeof out->nhs_number, "%s", d10);
  }
  if (chance(&rs, 0.05)) {
    text_upper_ascii(out->first_name);
    text_upper_ascii(out->last_name);
    text_upper_ascii(out->address);
  }
}
