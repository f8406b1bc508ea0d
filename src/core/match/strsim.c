/*
** String comparators (see strsim.h).  Jaro-Winkler follows Winkler (1990):
** matching characters within half the longer length less one, half the
** out-of-order matches as transpositions, and a prefix bonus of 0.1 per
** common leading character (at most four) when the Jaro score exceeds 0.7.
*/
#include <string.h>
#include "core/match/strsim.h"

/*
** Jaro similarity of A and B in [0, 1]; 1 for two empty strings, 0 when only
** one is empty.  The shorter string (or the lexically smaller, when equally
** long) is scanned first so that the result does not depend on argument order.
*/
double jaro(const char *a, size_t la, const char *b, size_t lb) {
  if (la > STRSIM_MAX) la = STRSIM_MAX;
  if (lb > STRSIM_MAX) lb = STRSIM_MAX;
  if (la == 0 && lb == 0) return 1.0;
  if (la == 0 || lb == 0) return 0.0;
  if (lb < la || (la == lb && memcmp(b, a, la) < 0)) {
    const char *t = a;
    a = b;
    b = t;
    size_t tl = la;
    la = lb;
    lb = tl;
  }
  size_t window = (la > lb ? la : lb) / 2;
  window = window > 0 ? window - 1 : 0;
  bool amatch[STRSIM_MAX] = {false}, bmatch[STRSIM_MAX] = {false};
  size_t m = 0;
  for (size_t i = 0; i < la; i++) {
    size_t lo = i > window ? i - window : 0;
    size_t hi = i + window + 1 < lb ? i + window + 1 : lb;
    for (size_t j = lo; j < hi; j++) {
      if (!bmatch[j] && a[i] == b[j]) {
        amatch[i] = bmatch[j] = true;
        m++;
        break;
      }
    }
  }
  if (m == 0) return 0.0;
  size_t t = 0, j = 0;
  for (size_t i = 0; i < la; i++) {
    if (!amatch[i]) continue;
    while (!bmatch[j]) j++;
    if (a[i] != b[j]) t++;
    j++;
  }
  double md = (double)m;
  return (md / (double)la + md / (double)lb + (md - (double)t / 2.0) / md) / 3.0;
}

/* Jaro-Winkler similarity of A and B in [0, 1] (see the file comment). */
double jaro_winkler(const char *a, size_t la, const char *b, size_t lb) {
  double j = jaro(a, la, b, lb);
  if (j <= 0.7) return j;
  size_t l = 0;
  while (l < 4 && l < la && l < lb && a[l] == b[l]) l++;
  return j + (double)l * 0.1 * (1.0 - j);
}

/*
** True when A and B are equal or one edit apart: one byte inserted, deleted or
** replaced, or two neighbouring bytes swapped.  Linear time.
*/
bool within_one_edit(const char *a, size_t la, const char *b, size_t lb) {
  if (la > lb) {
    const char *t = a;
    a = b;
    b = t;
    size_t tl = la;
    la = lb;
    lb = tl;
  }
  if (lb - la > 1) return false;
  size_t i = 0;
  while (i < la && a[i] == b[i]) i++;
  if (i == la) return true; /* equal, or B has one more byte at the end */
  if (la == lb) {
    if (memcmp(a + i + 1, b + i + 1, la - i - 1) == 0) return true; /* one replaced */
    return i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
           memcmp(a + i + 2, b + i + 2, la - i - 2) == 0; /* neighbours swapped */
  }
  return memcmp(a + i, b + i + 1, la - i) == 0; /* one inserted into A */
}

/*
** True when the NDIGITS-digit decimal forms of A and B (with leading zeros)
** differ in exactly one digit, or by one swap of neighbouring digits.
** Digits are compared from the right and the loop stops at a third difference.
*/
bool digits_one_off(uint64_t a, uint64_t b, int ndigits) {
  if (a == b || ndigits <= 0 || ndigits > 19) return false;
  int diffs = 0, first = -1;
  int da[2] = {0, 0}, db[2] = {0, 0}; /* the differing digits, right to left */
  for (int i = 0; i < ndigits; i++) {
    int x = (int)(a % 10), y = (int)(b % 10);
    a /= 10;
    b /= 10;
    if (x == y) continue;
    if (diffs == 2) return false;
    if (diffs == 0) first = i;
    else if (i != first + 1) return false; /* two digits apart: not a swap */
    da[diffs] = x;
    db[diffs] = y;
    diffs++;
  }
  if (a != b) return false; /* they differ above NDIGITS digits */
  if (diffs == 1) return true;
  return diffs == 2 && da[0] == db[1] && da[1] == db[0];
}
