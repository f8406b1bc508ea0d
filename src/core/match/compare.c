/*
** Field comparators and the comparison vector (see compare.h).
*/
#include <string.h>
#include "core/match/compare.h"
#include "core/match/strsim.h"

static const char *const FIELD_NAMES[MF_COUNT] = {"first_name", "last_name",  "date_of_birth", "gender",
                                                  "postcode",   "address",    "phone",         "nhs_number"};
static const int FIELD_LEVELS[MF_COUNT] = {NAME_LEVELS, NAME_LEVELS,  DOB_LEVELS,   GENDER_LEVELS,
                                           PC_LEVELS,   ADDR_LEVELS,  PHONE_LEVELS, NHS_LEVELS};
static const char *const NAME_LABELS[] = {"missing",  "exact",  "nickname or variant", "jaro-winkler >= 0.92",
                                          "same metaphone", "jaro-winkler >= 0.80", "different"};
static const char *const DOB_LABELS[] = {"missing", "exact", "day and month swapped", "one digit off", "same year only",
                                         "different"};
static const char *const GENDER_LABELS[] = {"missing", "same", "different"};
static const char *const PC_LABELS[] = {"missing", "exact", "same sector", "same district", "one character off",
                                        "different"};
static const char *const ADDR_LABELS[] = {"missing", "same words", "word overlap >= 0.8", "word overlap >= 0.6",
                                          "word overlap >= 0.4", "different"};
static const char *const PHONE_LABELS[] = {"missing", "exact", "one digit off", "different"};
static const char *const NHS_LABELS[] = {"missing", "equal", "different"};

/* Number of levels of field F, counting level 0 (missing). */
int match_field_levels(enum match_field f) { return (unsigned)f < MF_COUNT ? FIELD_LEVELS[f] : 0; }

/* The column name of field F (static). */
const char *match_field_name(enum match_field f) { return (unsigned)f < MF_COUNT ? FIELD_NAMES[f] : "?"; }

/* A readable name of LEVEL of field F (static), e.g. "day and month swapped". */
const char *match_level_label(enum match_field f, int level) {
  if (level < 0 || level >= match_field_levels(f)) return "?";
  switch (f) {
  case MF_FIRST:
  case MF_LAST: return NAME_LABELS[level];
  case MF_DOB: return DOB_LABELS[level];
  case MF_GENDER: return GENDER_LABELS[level];
  case MF_POSTCODE: return PC_LABELS[level];
  case MF_ADDRESS: return ADDR_LABELS[level];
  case MF_PHONE: return PHONE_LABELS[level];
  case MF_NHS: return NHS_LABELS[level];
  default: return "?";
  }
}

/* True when the two group lists share a group. */
static bool groups_meet(const uint32_t *a, const uint32_t *b) {
  for (int i = 0; i < NAMES_GROUPS && a[i]; i++)
    for (int j = 0; j < NAMES_GROUPS && b[j]; j++)
      if (a[i] == b[j]) return true;
  return false;
}

/* True when any Double Metaphone key of A equals any of B. */
static bool metaphone_meet(const struct match_name *a, const struct match_name *b) {
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++)
      if (a->dm[i] && a->dm[i] == b->dm[j]) return true;
  return false;
}

/* Letters of X that occur somewhere in Y (by Y's letter set): no more of X can be Jaro matches. */
static int shared_letters(const struct match_name *x, const struct match_name *y) {
  int n = 0;
  for (int i = 0; i < x->len; i++) {
    char c = x->key[i];
    n += (y->letters >> (c >= 'a' && c <= 'z' ? c - 'a' : 26)) & 1u;
  }
  return n;
}

/*
** An upper bound on the Jaro-Winkler similarity of A and B, cheap beside
** computing it: Jaro matches pair equal letters, so there are no more of
** them than letters each name shares with the other, and the score grows
** with the matches (transpositions only lower it) and with the prefix bonus.
*/
double match_jw_bound(const struct match_name *a, const struct match_name *b) {
  if (!a->len || !b->len) return a->len == b->len ? 1.0 : 0.0; /* as jaro() scores empty strings */
  int ma = shared_letters(a, b), mb = shared_letters(b, a);
  int m = ma < mb ? ma : mb;
  if (m == 0) return 0.0;
  double j = ((double)m / a->len + (double)m / b->len + 1.0) / 3.0;
  if (j <= 0.7) return j;
  int l = 0;
  while (l < 4 && l < a->len && l < b->len && a->key[l] == b->key[l]) l++;
  return j + l * 0.1 * (1.0 - j);
}

/*
** The level of two names (see compare.h).  Jaro-Winkler is computed only
** when its bound says it could reach the lower band.
*/
int match_cmp_name(const struct match_name *a, const struct match_name *b) {
  if (!a->len || !b->len) return MATCH_MISSING;
  if (a->len == b->len && memcmp(a->key, b->key, a->len) == 0) return NAME_EXACT;
  if (groups_meet(a->grp, b->grp) || (a->var && a->var == b->var)) return NAME_VARIANT;
  if (match_jw_bound(a, b) + 1e-9 < NAME_JW_MID_MIN) return metaphone_meet(a, b) ? NAME_METAPHONE : NAME_ELSE;
  double jw = jaro_winkler(a->key, a->len, b->key, b->len);
  if (jw >= NAME_JW_HIGH_MIN) return NAME_JW_HIGH;
  if (metaphone_meet(a, b)) return NAME_METAPHONE;
  if (jw >= NAME_JW_MID_MIN) return NAME_JW_MID;
  return NAME_ELSE;
}

/* The level of two dates of birth written YYYYMMDD (0 missing). */
int match_cmp_dob(int32_t a, int32_t b) {
  if (!a || !b) return MATCH_MISSING;
  if (a == b) return DOB_EXACT;
  int ya = a / 10000, ma = a / 100 % 100, da = a % 100;
  int yb = b / 10000, mb = b / 100 % 100, db = b % 100;
  if (ya == yb && ma == db && da == mb) return DOB_SWAPPED;
  if (digits_one_off((uint64_t)a, (uint64_t)b, 8)) return DOB_ONE_DIGIT;
  if (ya == yb) return DOB_YEAR;
  return DOB_ELSE;
}

/* The level of two genders (enum match_gender; unknown is missing). */
int match_cmp_gender(uint8_t a, uint8_t b) {
  if (a == GENDER_UNKNOWN || b == GENDER_UNKNOWN) return MATCH_MISSING;
  return a == b ? GENDER_SAME : GENDER_DIFFERENT;
}

/* The level of two postcodes (see record.h for sector and district of other shapes). */
int match_cmp_postcode(const struct match_record *a, const struct match_record *b) {
  if (!a->pc_len || !b->pc_len) return MATCH_MISSING;
  if (a->pc_len == b->pc_len && memcmp(a->pc, b->pc, a->pc_len) == 0) return PC_EXACT;
  if (a->pc_sector && a->pc_sector == b->pc_sector) return PC_SECTOR;
  if (a->pc_district && a->pc_district == b->pc_district) return PC_DISTRICT;
  if (within_one_edit(a->pc, a->pc_len, b->pc, b->pc_len)) return PC_TYPO;
  return PC_ELSE;
}

/* The level of a word overlap O (Dice), EXACT when every word paired exactly. */
static int address_level(double o, int exact) {
  if (exact) return ADDR_EXACT;
  if (o >= ADDR_HIGH_MIN) return ADDR_HIGH;
  if (o >= ADDR_MID_MIN) return ADDR_MID;
  if (o >= ADDR_LOW_MIN) return ADDR_LOW;
  return ADDR_ELSE;
}

/*
** Word overlap of A and B (see match_address_overlap).  When LEVEL_ONLY,
** the one-edit pairing is skipped if it cannot change the level, so the
** overlap returned is then only good for its level.
*/
static double overlap(const struct match_record *a, const struct match_record *b, int *exact, bool level_only) {
  *exact = 0;
  if (!a->ntok || !b->ntok) return -1.0;
  int i = 0, j = 0, shared = 0;
  uint8_t ua[MATCH_ADDR_TOK], ub[MATCH_ADDR_TOK];
  int nua = 0, nub = 0;
  while (i < a->ntok && j < b->ntok) {
    if (a->tok[i] == b->tok[j]) {
      shared++;
      i++;
      j++;
    } else if (a->tok[i] < b->tok[j]) {
      if (a->tok_len[i] >= 4) ua[nua++] = (uint8_t)i;
      i++;
    } else {
      if (b->tok_len[j] >= 4) ub[nub++] = (uint8_t)j;
      j++;
    }
  }
  for (; i < a->ntok; i++)
    if (a->tok_len[i] >= 4) ua[nua++] = (uint8_t)i;
  for (; j < b->ntok; j++)
    if (b->tok_len[j] >= 4) ub[nub++] = (uint8_t)j;
  double total = (double)(a->ntok + b->ntok);
  if (shared == a->ntok && shared == b->ntok) {
    *exact = 1;
    return 1.0;
  }
  if (level_only) {
    int most = shared + (nua < nub ? nua : nub);
    if (address_level(2.0 * shared / total, 0) == address_level(2.0 * most / total, 0)) return 2.0 * shared / total;
  }
  bool used[MATCH_ADDR_TOK] = {false};
  for (int x = 0; x < nua; x++) {
    const char *ta = a->addr + a->tok_off[ua[x]];
    size_t la = a->tok_len[ua[x]];
    for (int y = 0; y < nub; y++) {
      if (used[y]) continue;
      const char *tb = b->addr + b->tok_off[ub[y]];
      size_t lb = b->tok_len[ub[y]];
      /* One edit leaves the first or the last letter in place. */
      if (ta[0] != tb[0] && ta[la - 1] != tb[lb - 1]) continue;
      if (within_one_edit(ta, la, tb, lb)) {
        used[y] = true;
        shared++;
        break;
      }
    }
  }
  return 2.0 * shared / total;
}

/*
** Overlap of the address words of A and B as the Dice coefficient: twice
** the words they share over the words they have together.  Words are
** paired exactly first (a merge of the sorted hashes), then the words left
** over are paired when one edit apart and at least four letters long
** ("setreet" and "street").  *EXACT is set when every word pairs exactly.
** Returns -1 when either side has no words (missing).
*/
double match_address_overlap(const struct match_record *a, const struct match_record *b, int *exact) {
  return overlap(a, b, exact, false);
}

/* The level of two addresses by word overlap. */
int match_cmp_address(const struct match_record *a, const struct match_record *b) {
  int exact;
  double o = overlap(a, b, &exact, true);
  if (o < 0) return MATCH_MISSING;
  return address_level(o, exact);
}

/* The level of two phone numbers (last ten digits). */
int match_cmp_phone(const struct match_record *a, const struct match_record *b) {
  if (!a->phone_len || !b->phone_len) return MATCH_MISSING;
  if (a->phone == b->phone && a->phone_len == b->phone_len) return PHONE_EXACT;
  if (a->phone_len == b->phone_len && digits_one_off(a->phone, b->phone, a->phone_len)) return PHONE_ONE_DIGIT;
  return PHONE_ELSE;
}

/* The level of two NHS numbers (0 missing). */
int match_cmp_nhs(uint64_t a, uint64_t b) {
  if (!a || !b) return MATCH_MISSING;
  return a == b ? NHS_EQUAL : NHS_DIFFERENT;
}

/* True when both names are present and spelt the same. */
static bool same_key(const struct match_name *a, const struct match_name *b) {
  return a->len && a->len == b->len && memcmp(a->key, b->key, a->len) == 0;
}

/* True when R's phone is a landline: UK mobile numbers are 07..., so their ten digits start with 7. */
static bool landline(const struct match_record *r) { return r->phone_len == 10 && r->phone / 1000000000ULL != 7; }

/*
** True when the postcode or phone of A and B is not counted because their
** address words already agree: people at one address share its postcode
** and its landline, so counting those as well would count the same
** evidence two or three times and make siblings look like one person.
*/
bool match_implied_by_address(int field, int level, int address_level, const struct match_record *a,
                              const struct match_record *b) {
  if (address_level != ADDR_EXACT && address_level != ADDR_HIGH) return false;
  if (field == MF_POSTCODE) return level == PC_EXACT || level == PC_SECTOR;
  if (field == MF_PHONE) return level == PHONE_EXACT && landline(a) && landline(b);
  return false;
}

/*
** The comparison vector of A and B.  First and last names written the wrong
** way round on one side (first of A is the last of B and the other way) are
** compared crosswise, so the swap costs nothing.  A postcode or landline
** implied by agreeing address words is left at level 0, counted neither
** way (see match_implied_by_address).
*/
match_vec match_compare(const struct match_record *a, const struct match_record *b) {
  int lf = match_cmp_name(&a->first, &b->first);
  int ll = match_cmp_name(&a->last, &b->last);
  if (lf != NAME_EXACT && a->first.len && a->last.len) {
    if (same_key(&a->first, &b->last) && same_key(&a->last, &b->first)) lf = ll = NAME_EXACT;
  }
  match_vec v = 0;
  v = VEC_SET(v, MF_FIRST, lf);
  v = VEC_SET(v, MF_LAST, ll);
  v = VEC_SET(v, MF_DOB, match_cmp_dob(a->dob, b->dob));
  v = VEC_SET(v, MF_GENDER, match_cmp_gender(a->gender, b->gender));
  int la = match_cmp_address(a, b), lp = match_cmp_postcode(a, b), lt = match_cmp_phone(a, b);
  if (match_implied_by_address(MF_POSTCODE, lp, la, a, b)) lp = MATCH_MISSING;
  if (match_implied_by_address(MF_PHONE, lt, la, a, b)) lt = MATCH_MISSING;
  v = VEC_SET(v, MF_POSTCODE, lp);
  v = VEC_SET(v, MF_ADDRESS, la);
  v = VEC_SET(v, MF_PHONE, lt);
  v = VEC_SET(v, MF_NHS, match_cmp_nhs(a->nhs, b->nhs));
  return v;
}
