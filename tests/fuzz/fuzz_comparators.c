/*
** libFuzzer target for the record-linkage comparators (core/match): the
** input is split at NUL bytes into up to eighteen strings, read as two
** people's fields (names, date of birth, gender, address, postcode, phone,
** NHS number), prepared and compared.  Also Jaro-Winkler, Double Metaphone,
** the one-edit and one-digit tests on the raw strings.  Invariants: scores
** lie in [0, 1] and do not depend on argument order; the Jaro-Winkler bound
** is never below the score; metaphone keys are at most four characters of
** its alphabet; every level is within its field's range; comparing a record
** with itself agrees wherever a value is present; a missing value is level 0.
*/
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/match/compare.h"
#include "core/match/metaphone.h"
#include "core/match/names.h"
#include "core/match/record.h"
#include "core/match/strsim.h"
#include "fuzz.h"

#define NSTR 18

/* Checks the string comparators on the pair A, B. */
static void check_strings(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  double j1 = jaro_winkler(a, la, b, lb), j2 = jaro_winkler(b, lb, a, la);
  CHECK(j1 >= 0.0 && j1 <= 1.0 + 1e-12 && j1 == j2);
  CHECK(jaro(a, la, b, lb) <= j1 + 1e-12);
  if (la == lb && memcmp(a, b, la) == 0) CHECK(j1 >= 1.0 - 1e-12);
  CHECK(within_one_edit(a, la, b, lb) == within_one_edit(b, lb, a, la));
  CHECK(within_one_edit(a, la, a, la));
  char p[DMETA_MAX + 1], q[DMETA_MAX + 1];
  double_metaphone(a, la, p, q);
  CHECK(strlen(p) <= DMETA_MAX && strlen(q) <= DMETA_MAX);
  CHECK(strspn(p, "0AFHJKLMNPRSTX") == strlen(p) && strspn(q, "0AFHJKLMNPRSTX") == strlen(q));
  uint64_t x = 0, y = 0;
  for (size_t i = 0; i < la && i < 8; i++) x = x * 10 + (uint64_t)((unsigned char)a[i] % 10);
  for (size_t i = 0; i < lb && i < 8; i++) y = y * 10 + (uint64_t)((unsigned char)b[i] % 10);
  CHECK(digits_one_off(x, y, 8) == digits_one_off(y, x, 8));
  CHECK(!digits_one_off(x, x, 8));
}

/* Checks a comparison vector's levels are within range. */
static void check_vector(match_vec v) {
  for (int f = 0; f < MF_COUNT; f++) CHECK(VEC_GET(v, f) < match_field_levels(f));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const struct match_names *nm;
  if (!nm) nm = match_names_default();
  CHECK(nm != NULL);
  char *buf = malloc(size + 1);
  if (!buf) abort();
  memcpy(buf, data, size);
  buf[size] = '\0';
  const char *s[NSTR];
  size_t k = 0, at = 0;
  for (; k < NSTR; k++) {
    s[k] = at <= size ? buf + at : "";
    at += strlen(s[k]) + 1;
  }
  check_strings(s[0], s[1]);
  struct match_record r[2];
  for (int i = 0; i < 2; i++) {
    const char *const *f = s + i * 9;
    struct match_input in = {f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]};
    unsigned warn = 0;
    char why[160];
    if (match_prepare(nm, &in, &r[i], &warn, why, sizeof why) != 0) {
      CHECK(why[0] != '\0');
      in.date_of_birth = "";
      CHECK(match_prepare(nm, &in, &r[i], &warn, why, sizeof why) == 0);
    }
    CHECK(r[i].first.len == strlen(r[i].first.key) && r[i].last.len == strlen(r[i].last.key));
    CHECK(r[i].ntok <= MATCH_ADDR_TOK && r[i].pc_len == strlen(r[i].pc));
    for (int t = 1; t < r[i].ntok; t++) CHECK(r[i].tok[t - 1] <= r[i].tok[t]);
  }
  match_vec ab = match_compare(&r[0], &r[1]), ba = match_compare(&r[1], &r[0]);
  check_vector(ab);
  CHECK(ab == ba);
  double bound = match_jw_bound(&r[0].first, &r[1].first);
  CHECK(bound + 1e-9 >= jaro_winkler(r[0].first.key, r[0].first.len, r[1].first.key, r[1].first.len));
  int exact;
  double o = match_address_overlap(&r[0], &r[1], &exact);
  CHECK(o == -1.0 || (o >= 0.0 && o <= 1.0 + 1e-12));
  for (int i = 0; i < 2; i++) {
    match_vec self = match_compare(&r[i], &r[i]);
    check_vector(self);
    CHECK((VEC_GET(self, MF_FIRST) == NAME_EXACT) == (r[i].first.len > 0));
    CHECK((VEC_GET(self, MF_DOB) == DOB_EXACT) == (r[i].dob != 0));
    CHECK((VEC_GET(self, MF_ADDRESS) == ADDR_EXACT) == (r[i].ntok > 0));
    CHECK((VEC_GET(self, MF_NHS) == NHS_EQUAL) == (r[i].nhs != 0));
    if (!r[i].pc_len) CHECK(VEC_GET(self, MF_POSTCODE) == MATCH_MISSING);
  }
  free(buf);
  return 0;
}
