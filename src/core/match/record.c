/*
** Preparing person records for comparison (see record.h).
*/
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "core/match/metaphone.h"
#include "core/match/record.h"
#include "core/match/strtab.h"
#include "core/validate.h"
#include "util/text.h"

/* Days in MONTH of YEAR (Gregorian). */
static int month_days(int year, int month) {
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) return 29;
  return days[month - 1];
}

/* Reads exactly N digits at S into *V; false if any is not a digit. */
static bool digits(const char *s, int n, int *v) {
  *v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    *v = *v * 10 + (s[i] - '0');
  }
  return true;
}

/*
** Parses a date of birth written YYYY-MM-DD (or the UK's DD/MM/YYYY),
** surrounding white space allowed, into YYYYMMDD.  Returns 0 with *OUT set;
** 1 when S is NULL or blank (*OUT = 0); -1 when it is not written as a date;
** -2 when it is written as one that does not exist (30 February, month 13)
** or lies outside the years 1880 to 2100.
*/
int match_parse_date(const char *s, int32_t *out) {
  *out = 0;
  if (!s) return 1;
  while (*s == ' ' || *s == '\t') s++;
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
  if (n == 0) return 1;
  if (n != 10) return -1;
  int y, m, d;
  if (s[4] == '-' && s[7] == '-') {
    if (!digits(s, 4, &y) || !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d)) return -1;
  } else if (s[2] == '/' && s[5] == '/') {
    if (!digits(s, 2, &d) || !digits(s + 3, 2, &m) || !digits(s + 6, 4, &y)) return -1;
  } else {
    return -1;
  }
  if (y < 1880 || y > 2100 || m < 1 || m > 12 || d < 1 || d > month_days(y, m)) return -2;
  *out = y * 10000 + m * 100 + d;
  return 0;
}

/*
** Fills OUT with the features of the name RAW: its folded key (cut to fit),
** Double Metaphone keys, variant key and name groups.  A name whose whole
** key is in no group is looked up by its first word as well ("Mohammed
** Ali" is in Mohammed's group).  A blank name leaves OUT empty (missing).
*/
void match_prepare_name(const struct match_names *nm, const char *raw, struct match_name *out) {
  memset(out, 0, sizeof *out);
  if (!raw) return;
  out->len = (uint8_t)text_fold_key(raw, out->key, sizeof out->key);
  if (!out->len) return;
  for (int i = 0; i < out->len; i++) {
    char c = out->key[i];
    out->letters |= c >= 'a' && c <= 'z' ? 1u << (c - 'a') : 1u << 26;
  }
  char p[DMETA_MAX + 1], a[DMETA_MAX + 1];
  double_metaphone(out->key, out->len, p, a);
  out->dm[0] = dmeta_pack(p);
  out->dm[1] = dmeta_pack(a);
  if (!nm) return;
  char var[NAMES_KEY_MAX];
  size_t vl = match_names_variant_key(nm, out->key, var, sizeof var);
  out->var = vl ? match_hash32(var, vl) : 0;
  if (match_names_groups(nm, out->key, out->grp) == 0) {
    const char *sp = raw;
    while (*sp && isspace((unsigned char)*sp)) sp++;
    size_t wl = 0;
    while (sp[wl] && !isspace((unsigned char)sp[wl]) && sp[wl] != '-') wl++;
    if (sp[wl]) {
      char word[64], wkey[MATCH_NAME_MAX];
      snprintf(word, sizeof word, "%.*s", (int)(wl < 63 ? wl : 63), sp);
      if (text_fold_key(word, wkey, sizeof wkey)) match_names_groups(nm, wkey, out->grp);
    }
  }
}

/* The gender of RAW: female, male, other or (blank or unrecognised) unknown. */
static uint8_t parse_gender(const char *raw, bool *unrecognised) {
  char k[16];
  *unrecognised = false;
  if (!raw || !text_fold_key(raw, k, sizeof k)) return GENDER_UNKNOWN;
  static const char *const female[] = {"f", "female", "girl", "woman", "w", NULL};
  static const char *const male[] = {"m", "male", "boy", "man", NULL};
  static const char *const other[] = {"x", "other", "nonbinary", "indeterminate", "i", "o", NULL};
  static const char *const unknown[] = {"u", "unknown", "notknown", "notstated", "n", "ns", "nk", NULL};
  for (int i = 0; female[i]; i++) if (!strcmp(k, female[i])) return GENDER_FEMALE;
  for (int i = 0; male[i]; i++) if (!strcmp(k, male[i])) return GENDER_MALE;
  for (int i = 0; other[i]; i++) if (!strcmp(k, other[i])) return GENDER_OTHER;
  for (int i = 0; unknown[i]; i++) if (!strcmp(k, unknown[i])) return GENDER_UNKNOWN;
  *unrecognised = true;
  return GENDER_UNKNOWN;
}

/* Hash of the first N bytes of S tagged with TAG, so sectors and districts never collide. */
static uint32_t tagged_hash(char tag, const char *s, size_t n) {
  char b[16];
  if (n > sizeof b - 1) n = sizeof b - 1;
  b[0] = tag;
  memcpy(b + 1, s, n);
  return match_hash32(b, n + 1);
}

/*
** Fills the postcode features: a UK postcode (validate.h) gives its sector
** and district; any other shape (the four-digit codes of Australia, a typo)
** is folded and its sector and district are the leading characters, so the
** comparison falls back to exact and shared-prefix levels.
*/
static void prepare_postcode(const char *raw, struct match_record *r) {
  char norm[16];
  if (!raw || text_is_blank(raw)) return;
  if (postcode_normalise(raw, norm, sizeof norm)) {
    char sec[16], dis[16];
    r->pc_uk = 1;
    size_t o = 0;
    for (const char *p = norm; *p && o + 1 < sizeof r->pc; p++)
      if (*p != ' ') r->pc[o++] = *p;
    r->pc[o] = '\0';
    r->pc_len = (uint8_t)o;
    if (postcode_sector(norm, sec, sizeof sec)) r->pc_sector = tagged_hash('s', sec, strlen(sec));
    if (postcode_district(norm, dis, sizeof dis)) r->pc_district = tagged_hash('d', dis, strlen(dis));
    return;
  }
  size_t n = text_fold_key(raw, r->pc, sizeof r->pc);
  text_upper_ascii(r->pc);
  r->pc_len = (uint8_t)n;
  if (n >= 3) {
    r->pc_sector = tagged_hash('s', r->pc, n - 1);
    r->pc_district = tagged_hash('d', r->pc, 2);
  }
}

/*
** Splits the address into words (runs of letters, digits and non-ASCII
** bytes), folds each, expands abbreviations ("rd" -> "road"), and keeps up
** to MATCH_ADDR_TOK of them with their hashes sorted ascending.
*/
static void prepare_address(const struct match_names *nm, const char *raw, struct match_record *r) {
  if (!raw) return;
  const unsigned char *p = (const unsigned char *)raw;
  size_t used = 0;
  while (*p && r->ntok < MATCH_ADDR_TOK) {
    while (*p && *p < 0x80 && !isalnum(*p)) p++;
    const unsigned char *s = p;
    while (*p && (*p >= 0x80 || isalnum(*p))) p++;
    if (p == s) continue;
    char word[64], key[32];
    size_t wl = (size_t)(p - s) < sizeof word - 1 ? (size_t)(p - s) : sizeof word - 1;
    memcpy(word, s, wl);
    word[wl] = '\0';
    if (!text_fold_key(word, key, sizeof key)) continue;
    if (!r->house && key[0] >= '0' && key[0] <= '9') r->house = match_hash32(key, strlen(key));
    const char *w = nm ? match_names_expand(nm, key) : key;
    size_t kl = strlen(w);
    if (used + kl + 1 > sizeof r->addr) break;
    memcpy(r->addr + used, w, kl + 1);
    r->tok_off[r->ntok] = (uint8_t)used;
    r->tok_len[r->ntok] = (uint8_t)kl;
    r->tok[r->ntok] = match_hash32(w, kl);
    used += kl + 1;
    r->ntok++;
  }
  /* Insertion sort by hash: at most a dozen words. */
  for (int i = 1; i < r->ntok; i++) {
    uint32_t h = r->tok[i];
    uint8_t o = r->tok_off[i], l = r->tok_len[i];
    int j = i - 1;
    while (j >= 0 && r->tok[j] > h) {
      r->tok[j + 1] = r->tok[j];
      r->tok_off[j + 1] = r->tok_off[j];
      r->tok_len[j + 1] = r->tok_len[j];
      j--;
    }
    r->tok[j + 1] = h;
    r->tok_off[j + 1] = o;
    r->tok_len[j + 1] = l;
  }
}

/*
** The phone number's digits: an international prefix 0044 or +44 becomes the
** national 0; fewer than seven digits count as missing; the last ten are kept.
*/
static void prepare_phone(const char *raw, struct match_record *r) {
  char d[32];
  size_t n = 0;
  if (!raw) return;
  for (const char *p = raw; *p && n < sizeof d - 1; p++)
    if (*p >= '0' && *p <= '9') d[n++] = *p;
  d[n] = '\0';
  const char *s = d;
  if (n >= 4 && !strncmp(s, "00", 2)) s += 2, n -= 2;
  char nat[32];
  if (n >= 11 && !strncmp(s, "44", 2)) {
    snprintf(nat, sizeof nat, "0%s", s + 2);
    s = nat;
    n = strlen(nat);
  }
  if (n < 7) return;
  if (n > 10) s += n - 10, n = 10;
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) v = v * 10 + (uint64_t)(s[i] - '0');
  r->phone = v;
  r->phone_len = (uint8_t)n;
}

/*
** Prepares the record IN into OUT.  Returns 0, adding to *WARNINGS the
** MATCH_WARN_* bits of fields that were unusable and so count as missing
** (an NHS number failing its check digit, an unrecognised gender); or -1
** with the reason in WHY when the record cannot be used (a date of birth
** that is malformed or does not exist).  NM may be NULL (no name tables).
*/
int match_prepare(const struct match_names *nm, const struct match_input *in, struct match_record *out,
                  unsigned *warnings, char *why, size_t whycap) {
  memset(out, 0, sizeof *out);
  int dr = match_parse_date(in->date_of_birth, &out->dob);
  if (dr < 0) {
    snprintf(why, whycap, "%s date of birth '%.40s'%s", dr == -2 ? "impossible" : "unreadable", in->date_of_birth,
             dr == -2 ? "" : " (expected YYYY-MM-DD)");
    return -1;
  }
  match_prepare_name(nm, in->first_name, &out->first);
  match_prepare_name(nm, in->last_name, &out->last);
  bool odd_gender;
  out->gender = parse_gender(in->gender, &odd_gender);
  if (odd_gender) *warnings |= MATCH_WARN_GENDER;
  prepare_postcode(in->postcode, out);
  prepare_address(nm, in->address, out);
  prepare_phone(in->phone, out);
  if (in->nhs_number && !text_is_blank(in->nhs_number)) {
    char nhs[11];
    if (nhs_number_normalise(in->nhs_number, nhs)) {
      uint64_t v = 0;
      for (int i = 0; i < 10; i++) v = v * 10 + (uint64_t)(nhs[i] - '0');
      out->nhs = v;
    } else {
      *warnings |= MATCH_WARN_NHS;
    }
  }
  return 0;
}
