/*
** libFuzzer target for the search-key text helpers (util/text.h):
** text_fold_key, text_split_tokens and text_trim_dup.  The input, up to its
** first NUL, is folded with every small output capacity and split with
** several token limits, each output a heap block of exactly that size so that
** AddressSanitizer sees any overrun.  Folding must give only [a-z0-9], be
** idempotent, give a prefix of the full key when the buffer is short, and on
** valid UTF-8 fold each code point independently of its neighbours (ASCII
** letters and digits to themselves in lower case, other ASCII dropped);
** splitting must agree with a reference tokenizer.
*/
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/text.h"
#include "fuzz.h"

/* malloc that never returns NULL (a zero-byte block is still a distinct pointer). */
static void *alloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) abort();
  return p;
}

/* White space as isspace() in the C locale. */
static bool ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

/*
** Decodes one well-formed UTF-8 sequence at S (Unicode table 3-7) into *CP and
** returns its length, or 0 when the bytes are not well-formed.
*/
static size_t utf8_next(const unsigned char *s, size_t n, unsigned *cp) {
  unsigned char b = s[0];
  if (b < 0x80) {
    *cp = b;
    return 1;
  }
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) len = 2, *cp = b & 0x1F;
  else if (b == 0xE0) len = 3, lo = 0xA0, *cp = b & 0x0F;
  else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) len = 3, *cp = b & 0x0F;
  else if (b == 0xED) len = 3, hi = 0x9F, *cp = b & 0x0F;
  else if (b == 0xF0) len = 4, lo = 0x90, *cp = b & 0x07;
  else if (b >= 0xF1 && b <= 0xF3) len = 4, *cp = b & 0x07;
  else if (b == 0xF4) len = 4, hi = 0x8F, *cp = b & 0x07;
  else return 0;
  if (n < len || s[1] < lo || s[1] > hi) return 0;
  for (size_t k = 1; k < len; k++) {
    if ((s[k] & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (s[k] & 0x3F);
  }
  return len;
}

/*
** The key of valid UTF-8 S built one code point at a time: each code point is
** folded on its own with text_fold_key and the pieces joined.  Folding is a
** per-character map, so this must equal the key of the whole string, whatever
** the map holds; an ASCII letter or digit must fold to itself in lower case,
** other ASCII to nothing, and any code point to at most one letter or digit.
** OUT holds strlen(S)+1 bytes.  Returns false when S is not valid UTF-8.
*/
static bool key_by_code_point(const char *s, char *out) {
  const unsigned char *p = (const unsigned char *)s;
  size_t n = strlen(s), i = 0, o = 0;
  while (i < n) {
    unsigned cp;
    size_t len = utf8_next(p + i, n - i, &cp);
    if (len == 0) return false;
    char one[5], key[8];
    memcpy(one, s + i, len);
    one[len] = '\0';
    size_t k = text_fold_key(one, key, sizeof key);
    CHECK(k <= 1 && strlen(key) == k);
    if (cp < 0x80) {
      char want = (cp >= 'A' && cp <= 'Z') ? (char)(cp + 32)
                  : ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) ? (char)cp
                                                                           : 0;
      CHECK(key[0] == want);
    }
    if (k) out[o++] = key[0];
    i += len;
  }
  out[o] = '\0';
  return true;
}

/* Folding: charset, idempotence, per-code-point behaviour and short buffers. */
static void check_fold(const char *s) {
  size_t n = strlen(s);
  /* Each output byte consumes at least one input byte, so N+1 always holds the whole key. */
  char *full = alloc(n + 1);
  size_t len = text_fold_key(s, full, n + 1);
  CHECK(len == strlen(full) && len <= n);
  for (size_t i = 0; i < len; i++) {
    CHECK((full[i] >= 'a' && full[i] <= 'z') || (full[i] >= '0' && full[i] <= '9'));
  }
  /* Idempotent: a key folds to itself. */
  char *again = alloc(len + 1);
  CHECK(text_fold_key(full, again, len + 1) == len && strcmp(again, full) == 0);
  free(again);
  /* On valid text the key is the code points' keys joined. */
  char *joined = alloc(n + 1);
  if (key_by_code_point(s, joined)) CHECK(strcmp(joined, full) == 0);
  free(joined);
  /* A short buffer holds the longest prefix that fits, NUL-terminated. */
  CHECK(text_fold_key(s, NULL, 0) == 0);
  size_t top = n + 1 < 70 ? n + 1 : 70;
  for (size_t cap = 1; cap <= top; cap++) {
    char *cut = alloc(cap);
    size_t got = text_fold_key(s, cut, cap);
    size_t want = len < cap - 1 ? len : cap - 1;
    CHECK(got == want && strlen(cut) == want && strncmp(cut, full, want) == 0);
    free(cut);
  }
  free(full);
}

/* Reference tokenizer: at most MAX runs of non-separators, each cut to 63 bytes. */
static int ref_tokens(const char *s, char (*out)[64], int max) {
  int n = 0;
  size_t i = 0, len = strlen(s);
  while (i < len && n < max) {
    if (ws(s[i]) || s[i] == ',') {
      i++;
      continue;
    }
    size_t j = i;
    while (j < len && !ws(s[j]) && s[j] != ',') j++;
    size_t keep = j - i > 63 ? 63 : j - i;
    memcpy(out[n], s + i, keep);
    out[n][keep] = '\0';
    n++;
    i = j;
  }
  return n;
}

/* Splitting with several token limits, each into an exactly sized array. */
static void check_split(const char *s) {
  static const int limits[] = {0, 1, 2, 3, 8, 32};
  for (size_t l = 0; l < sizeof limits / sizeof limits[0]; l++) {
    int max = limits[l];
    char (*got)[64] = alloc((size_t)max * 64);
    char (*want)[64] = alloc((size_t)max * 64 + 64);
    int n = text_split_tokens(s, got, max);
    int rn = ref_tokens(s, want, max);
    CHECK(n == rn && n >= 0 && n <= max);
    for (int i = 0; i < n; i++) {
      CHECK(strcmp(got[i], want[i]) == 0);
      CHECK(got[i][0] != '\0' && strlen(got[i]) <= 63);
    }
    free(got);
    free(want);
  }
}

/* Trimming leaves no outer white space and keeps the rest. */
static void check_trim(const char *s) {
  char *t = text_trim_dup(s);
  size_t n = strlen(t);
  CHECK(t != NULL);
  CHECK(n == 0 || (!ws(t[0]) && !ws(t[n - 1])));
  CHECK(strstr(s, t) != NULL);
  CHECK(text_is_blank(s) == (n == 0));
  free(t);
}

/* Gives the input to every text helper. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (!s) abort();
  memcpy(s, data, size);
  s[size] = '\0';
  check_fold(s);
  check_split(s);
  check_trim(s);
  free(s);
  return 0;
}
