/*
** libFuzzer target for identifier parsing (core/validate.h, util/codec.h):
** NHS numbers, UK postcodes with their district and sector, usernames, agency
** codes, id shapes, base32, hex, UTF-8 and the one-time codes and secrets of
** the second factor (core/totp.h).  The input, up to its first NUL, is
** given to every function.  Each verdict is compared with a small independent
** reference written from the rules in the headers, each accepted value must
** be a fixed point of its normaliser, and every output buffer is a heap block
** of exactly the stated capacity so that AddressSanitizer sees any overrun.
*/
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "core/totp.h"
#include "core/validate.h"
#include "util/codec.h"
#include "fuzz.h"

/* A heap copy of the first N bytes of P with a NUL after them. */
static char *dup_n(const void *p, size_t n) {
  char *s = malloc(n + 1);
  if (!s) abort();
  memcpy(s, p, n);
  s[n] = '\0';
  return s;
}

/* malloc that never returns NULL (a zero-byte block is still a distinct pointer). */
static void *alloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) abort();
  return p;
}

/* ASCII classes, independent of the locale. */
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static bool is_lower(char c) { return c >= 'a' && c <= 'z'; }

/*
** Reference UTF-8 check from the table of well-formed byte sequences in the
** Unicode standard (ch. 3, table 3-7), plus Safehub's rule that NUL is never
** valid text.
*/
static bool ref_utf8(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char b = s[i];
    if (b == 0) return false;
    if (b < 0x80) {
      i++;
      continue;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) len = 2;
    else if (b == 0xE0) len = 3, lo = 0xA0;
    else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) len = 3;
    else if (b == 0xED) len = 3, hi = 0x9F;
    else if (b == 0xF0) len = 4, lo = 0x90;
    else if (b >= 0xF1 && b <= 0xF3) len = 4;
    else if (b == 0xF4) len = 4, hi = 0x8F;
    else return false;
    if (n - i < len) return false;
    if (s[i + 1] < lo || s[i + 1] > hi) return false;
    for (size_t k = 2; k < len; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

/* Reference NHS number rule: ten digits once spaces and hyphens are dropped, mod-11 check. */
static bool ref_nhs(const char *s, char digits[11]) {
  size_t n = 0;
  for (; *s; s++) {
    if (*s == ' ' || *s == '-') continue;
    if (!is_digit(*s) || n == 10) return false;
    digits[n++] = *s;
  }
  digits[n] = '\0';
  if (n != 10) return false;
  int sum = 0;
  for (int i = 0; i < 9; i++) sum += (digits[i] - '0') * (10 - i);
  int check = (11 - sum % 11) % 11;
  return check != 10 && check == digits[9] - '0';
}

/* NHS numbers: verdict as the reference; an accepted number normalises to itself. */
static void check_nhs(const char *s) {
  char *out = alloc(11);
  char ref[11];
  bool ok = nhs_number_normalise(s, out);
  CHECK(ok == ref_nhs(s, ref));
  if (ok) {
    CHECK(strcmp(out, ref) == 0);
    /* The normalised form is itself accepted and unchanged. */
    char *again = alloc(11);
    CHECK(nhs_number_normalise(out, again));
    CHECK(strcmp(again, out) == 0);
    free(again);
  }
  free(out);
}

/*
** Reference postcode rule, from the Royal Mail formats: spaces ignored, case
** folded; outward code A9, A99, A9A, AA9, AA99 or AA9A where the first letter
** is not Q, V or X, a second letter not I, J or Z, a letter third (A9A) one of
** ABCDEFGHJKPSTUW and a letter fourth (AA9A) one of ABEHMNPRVWXY; inward code
** a digit and two letters other than C, I, K, M, O and V; or GIR 0AA.
** Writes the canonical form ("OUTWARD INWARD") to OUT[9].
*/
static bool ref_postcode(const char *s, char out[9]) {
  char c[8];
  size_t n = 0;
  for (; *s; s++) {
    if (*s == ' ') continue;
    char u = is_lower(*s) ? (char)(*s - 32) : *s;
    if (n == 7 || !(is_upper(u) || is_digit(u))) return false;
    c[n++] = u;
  }
  c[n] = '\0';
  if (n < 5) return false;
  if (strcmp(c, "GIR0AA") == 0) {
    strcpy(out, "GIR 0AA");
    return true;
  }
  const char *in = c + n - 3;
  if (!is_digit(in[0]) || !is_upper(in[1]) || !is_upper(in[2]) || strchr("CIKMOV", in[1]) ||
      strchr("CIKMOV", in[2]))
    return false;
  static const char *const formats[] = {"A9", "A99", "A9A", "AA9", "AA99", "AA9A"};
  size_t on = n - 3;
  bool match = false;
  for (size_t f = 0; f < sizeof formats / sizeof formats[0] && !match; f++) {
    const char *fmt = formats[f];
    if (strlen(fmt) != on) continue;
    match = true;
    for (size_t i = 0; i < on && match; i++) {
      char ch = c[i];
      if (fmt[i] == '9') {
        match = is_digit(ch);
      } else if (!is_upper(ch)) {
        match = false;
      } else if (i == 0) {
        match = !strchr("QVX", ch);
      } else if (i == 1) {
        match = !strchr("IJZ", ch);
      } else if (i == 2) {
        match = strchr("ABCDEFGHJKPSTUW", ch) != NULL;
      } else {
        match = strchr("ABEHMNPRVWXY", ch) != NULL;
      }
    }
  }
  if (!match) return false;
  snprintf(out, 9, "%.*s %s", (int)on, c, in);
  return true;
}

/* True when S is exactly the shape of a normalised postcode: outward, one space, digit, two letters. */
static bool postcode_shape(const char *s) {
  const char *sp = strchr(s, ' ');
  if (!sp) return false;
  size_t on = (size_t)(sp - s);
  if (on < 2 || on > 4 || strlen(sp + 1) != 3) return false;
  for (size_t i = 0; i < on; i++) {
    if (!is_upper(s[i]) && !is_digit(s[i])) return false;
  }
  if (!is_upper(s[0])) return false;
  return is_digit(sp[1]) && is_upper(sp[2]) && is_upper(sp[3]);
}

/* Postcodes: verdict as the reference, bounded output, idempotent, exact district and sector. */
static void check_postcode(const char *s) {
  /* The shortest buffer that could hold a postcode is 9 bytes ("AA9A 9AA"); smaller ones are refused. */
  for (size_t cap = 0; cap < 9; cap++) {
    char *small = alloc(cap);
    CHECK(!postcode_normalise(s, small, cap));
    free(small);
  }
  char *out = alloc(9);
  bool ok = postcode_normalise(s, out, 9);
  char *big = alloc(16);
  char ref[9];
  CHECK(postcode_normalise(s, big, 16) == ok);
  CHECK(ref_postcode(s, ref) == ok);
  if (ok) {
    CHECK(strcmp(out, big) == 0);
    CHECK(strcmp(out, ref) == 0);
    CHECK(postcode_shape(out));
    /* Idempotent, case-insensitive and indifferent to spacing. */
    char *again = alloc(9);
    CHECK(postcode_normalise(out, again, 9));
    CHECK(strcmp(again, out) == 0);
    char *flat = alloc(strlen(s) + 1), *f = flat;
    for (const char *p = s; *p; p++) {
      if (*p != ' ') *f++ = (*p >= 'A' && *p <= 'Z') ? (char)(*p + 32) : *p;
    }
    *f = '\0';
    CHECK(postcode_normalise(flat, again, 9));
    CHECK(strcmp(again, out) == 0);
    free(flat);
    free(again);
    /* District is the outward code; sector adds the space and the inward digit. */
    size_t on = (size_t)(strchr(out, ' ') - out);
    char *district = alloc(on + 1), *sector = alloc(on + 3);
    CHECK(postcode_district(out, district, on + 1));
    CHECK(strlen(district) == on && strncmp(district, out, on) == 0);
    CHECK(postcode_sector(out, sector, on + 3));
    CHECK(strlen(sector) == on + 2 && strncmp(sector, out, on + 2) == 0);
    free(district);
    free(sector);
    char *tight = alloc(on);
    CHECK(!postcode_district(out, tight, on));
    free(tight);
    tight = alloc(on + 2);
    CHECK(!postcode_sector(out, tight, on + 2));
    free(tight);
  }
  free(big);
  free(out);
}

/* District and sector of arbitrary text: bounded, and only ever a prefix of the input. */
static void check_district_sector(const char *s) {
  size_t n = strlen(s);
  size_t caps[] = {0, 1, 2, 3, n / 2, n, n + 1, n + 3};
  for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
    size_t cap = caps[i];
    char *out = alloc(cap);
    if (postcode_district(s, out, cap)) {
      const char *sp = strchr(s, ' ');
      CHECK(sp != NULL);
      CHECK(strlen(out) == (size_t)(sp - s) && strncmp(out, s, strlen(out)) == 0);
    }
    if (postcode_sector(s, out, cap)) {
      const char *sp = strchr(s, ' ');
      CHECK(sp != NULL && sp[1] != '\0');
      CHECK(strlen(out) == (size_t)(sp - s) + 2 && strncmp(out, s, strlen(out)) == 0);
    }
    free(out);
  }
}

/* Reference for a charset rule with length bounds. */
static bool ref_charset(const char *s, size_t lo, size_t hi, bool (*ok)(char)) {
  size_t n = strlen(s);
  if (n < lo || n > hi) return false;
  for (; *s; s++) {
    if (!ok(*s)) return false;
  }
  return true;
}

/* The characters each identifier admits, from the comments in validate.c and codec.c. */
static bool username_char(char c) {
  return is_lower(c) || is_digit(c) || c == '.' || c == '_' || c == '-' || c == '@';
}
static bool agency_char(char c) { return is_upper(c) || is_digit(c) || c == '_' || c == '-'; }
static bool id_char(char c) { return is_lower(c) || is_upper(c) || is_digit(c) || c == '_' || c == '-'; }

/*
** Strict RFC 4648 form of S with separators (space, '-', '=') dropped and
** letters upper-cased; NULL when S has any other character.  Caller frees.
*/
static char *base32_canonical(const char *s) {
  char *c = alloc(strlen(s) + 1), *o = c;
  for (; *s; s++) {
    if (*s == ' ' || *s == '-' || *s == '=') continue;
    char u = is_lower(*s) ? (char)(*s - 32) : *s;
    if (!is_upper(u) && !(u >= '2' && u <= '7')) {
      free(c);
      return NULL;
    }
    *o++ = u;
  }
  *o = '\0';
  return c;
}

/* Base32: bytes round-trip through encode and decode; text decodes as its alphabet allows. */
static void check_base32(const char *s, const uint8_t *raw, size_t rawlen) {
  /* Every byte string survives encode then decode. */
  size_t need = (rawlen * 8 + 4) / 5;
  char *tiny = alloc(need);
  CHECK(base32_encode(raw, rawlen, tiny, need) == 0);
  free(tiny);
  char *enc = alloc(need + 1);
  CHECK(base32_encode(raw, rawlen, enc, need + 1) == need);
  CHECK(strlen(enc) == need);
  uint8_t *dec = alloc(rawlen);
  CHECK(base32_decode(enc, dec, rawlen) == (long)rawlen);
  CHECK(rawlen == 0 || memcmp(dec, raw, rawlen) == 0);
  free(dec);
  free(enc);

  /* Decoding the text: the verdict matches the alphabet, and the result fits exactly. */
  char *canon = base32_canonical(s);
  size_t full = canon ? strlen(canon) * 5 / 8 : 0;
  uint8_t *out = alloc(full);
  long got = base32_decode(s, out, full);
  CHECK((got >= 0) == (canon != NULL));
  if (canon) {
    CHECK(got == (long)full);
    if (full > 0) {
      uint8_t *short_out = alloc(full - 1);
      CHECK(base32_decode(s, short_out, full - 1) == -1);
      free(short_out);
    }
    /* Re-encoding gives the canonical text back, up to the unused trailing bits of the last symbol. */
    char *re = alloc(strlen(canon) + 2);
    size_t relen = base32_encode(out, full, re, strlen(canon) + 2);
    CHECK(relen <= strlen(canon));
    CHECK(strncmp(re, canon, relen > 0 ? relen - 1 : 0) == 0);
    uint8_t *twice = alloc(full);
    CHECK(base32_decode(re, twice, full) == (long)full);
    CHECK(full == 0 || memcmp(twice, out, full) == 0);
    free(twice);
    free(re);
  }
  free(out);
  free(canon);
}

static bool hex_char(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

/* Hex: accepted exactly when even-length hex digits, and re-encodes to the same text in lower case. */
static void check_hex(const char *s) {
  size_t len = strlen(s), n = len / 2;
  uint8_t *out = alloc(n);
  bool ok = hex_decode(s, out, n);
  bool ref = len % 2 == 0;
  for (const char *p = s; *p && ref; p++) ref = hex_char(*p);
  CHECK(ok == ref);
  if (ok) {
    char *re = alloc(2 * n + 1);
    hex_encode(out, n, re);
    CHECK(strlen(re) == len);
    for (size_t i = 0; i < len; i++) {
      char c = s[i];
      CHECK(re[i] == ((c >= 'A' && c <= 'F') ? (char)(c + 32) : c));
    }
    free(re);
  }
  /* A wrong expected length is always refused. */
  uint8_t *more = alloc(n + 1);
  CHECK(!hex_decode(s, more, n + 1));
  free(more);
  free(out);
}

/* RFC 6238's test secret ("12345678901234567890") and an instant of its test vectors. */
#define TOTP_SECRET "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
#define TOTP_NOW 1111111109

/*
** One-time codes: S is accepted as a code exactly when, spaces dropped, it is
** six digits equal to HOTP at the current step or one either side, and the
** step reported is that one.  S as a secret is refused unless it is base32
** of at least one byte that fits the 64-byte key.
*/
static void check_totp(const char *s) {
  char digits[8];
  size_t n = 0;
  bool shape = true;
  for (const char *p = s; *p && shape; p++) {
    if (*p == ' ') continue;
    if (!is_digit(*p) || n == 6) shape = false;
    else digits[n++] = *p;
  }
  digits[n] = '\0';
  shape = shape && n == 6;
  int64_t want_step = INT64_MIN;
  if (shape) {
    uint8_t key[20];
    CHECK(base32_decode(TOTP_SECRET, key, sizeof key) == 20);
    for (int d = -1; d <= 1 && want_step == INT64_MIN; d++) {
      char code[16];
      snprintf(code, sizeof code, "%06u", hotp(key, sizeof key, (uint64_t)(TOTP_NOW / TOTP_STEP + d), 6));
      if (strcmp(code, digits) == 0) want_step = TOTP_NOW / TOTP_STEP + d;
    }
  }
  int64_t step = INT64_MIN;
  CHECK(totp_check(TOTP_SECRET, s, TOTP_NOW, 1, &step) == (want_step != INT64_MIN));
  CHECK(step == want_step);

  uint8_t *key = alloc(64);
  long klen = base32_decode(s, key, 64);
  free(key);
  if (klen <= 0) CHECK(!totp_check(s, "123456", TOTP_NOW, 1, &step));
}

/* libsodium must be initialised once before its codecs are used. */
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  if (sodium_init() < 0) abort();
  /* The reference vector itself: RFC 6238 gives 94287082 (8 digits) at T=59. */
  int64_t step;
  CHECK(totp_check(TOTP_SECRET, "287 082", 59, 0, &step) && step == 1);
  return 0;
}

/* Gives the input to every identifier check. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* UTF-8 over the raw bytes, NULs included (libFuzzer's buffer is exactly SIZE bytes). */
  CHECK(utf8_valid((const char *)data, size) == ref_utf8(data, size));

  char *s = dup_n(data, size);
  check_nhs(s);
  check_postcode(s);
  check_district_sector(s);
  CHECK(username_valid(s) == ref_charset(s, 2, 64, username_char));
  CHECK(agency_code_valid(s) == ref_charset(s, 2, 32, agency_char));
  CHECK(ids_plausible(s) == ref_charset(s, 1, 64, id_char));
  check_base32(s, data, size);
  check_hex(s);
  check_totp(s);
  free(s);
  return 0;
}
