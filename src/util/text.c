/*
** Text helpers (see text.h).
*/
#include <ctype.h>
#include <string.h>
#include "util/text.h"
#include "util/xalloc.h"

/* Copy of S without leading and trailing white space; caller frees. */
char *text_trim_dup(const char *s) {
  while (*s && isspace((unsigned char)*s)) s++;
  size_t n = strlen(s);
  while (n > 0 && isspace((unsigned char)s[n - 1])) n--;
  return xstrndup(s, n);
}

/* True when S is NULL, empty or only white space. */
bool text_is_blank(const char *s) {
  if (!s) return true;
  for (; *s; s++) {
    if (!isspace((unsigned char)*s)) return false;
  }
  return true;
}

/* Lower-cases the ASCII letters of S in place; other bytes are left alone. */
void text_lower_ascii(char *s) {
  for (; *s; s++) {
    if (*s >= 'A' && *s <= 'Z') *s = (char)(*s + 32);
  }
}

/* Upper-cases the ASCII letters of S in place; other bytes are left alone. */
void text_upper_ascii(char *s) {
  for (; *s; s++) {
    if (*s >= 'a' && *s <= 'z') *s = (char)(*s - 32);
  }
}

/* Folds one two-byte UTF-8 Latin-1 letter (C3 xx) to ASCII, or returns 0. */
static char fold_latin1(unsigned char b) {
  static const char *map =
      /* 0x80 */ "aaaaaaaceeeeiiii"
      /* 0x90 */ "dnooooo\0ouuuuy\0s"
      /* 0xA0 */ "aaaaaaaceeeeiiii"
      /* 0xB0 */ "dnooooo\0ouuuuy\0y";
  if (b < 0x80 || b > 0xBF) return 0;
  return map[b - 0x80];
}

/*
** Folds one two-byte UTF-8 Latin Extended-A letter (U+0100..U+017F, lead
** byte C4 or C5) to its base ASCII letter, so that the Central European names
** common in England's schools ("Łukasz", "Szymańska", "Dvořák") meet their
** unaccented spellings.  Ligatures fold to their first letter, as Æ does.
*/
static char fold_latin_ext_a(unsigned char lead, unsigned char b) {
  static const char map[] =
      /* U+0100 */ "aaaaaaccccccccdd" "ddeeeeeeeeeegggg" "gggghhhhiiiiiiii" "iiiijjkkklllllll"
      /* U+0140 */ "lllnnnnnnnnnoooo" "oooorrrrrrssssss" "ssttttttuuuuuuuu" "uuuuwwyyyzzzzzzs";
  if (b < 0x80 || b > 0xBF) return 0;
  return map[(lead == 0xC5 ? 64 : 0) + (b - 0x80)];
}

/*
** Normalises IN into a search key: ASCII letters lower-cased, digits kept,
** Latin-1 and Latin Extended-A accented letters folded (e.g. "Zoë" -> "zoe",
** "Łukasz" -> "lukasz"), everything else (spaces, hyphens, apostrophes,
** other scripts) dropped.  Writes at most OUTCAP-1 chars and NUL; returns the
** key length.
*/
size_t text_fold_key(const char *in, char *out, size_t outcap) {
  size_t o = 0;
  const unsigned char *p = (const unsigned char *)in;
  if (outcap == 0) return 0;
  while (*p && o + 1 < outcap) {
    unsigned char c = *p;
    if (c < 0x80) {
      if (c >= 'A' && c <= 'Z') out[o++] = (char)(c + 32);
      else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out[o++] = (char)c;
      p++;
    } else if (c >= 0xC3 && c <= 0xC5 && (p[1] & 0xC0) == 0x80) {
      /* Only a real continuation byte is consumed with its lead, so a stray
         lead byte never swallows the ASCII letter after it. */
      char f = c == 0xC3 ? fold_latin1(p[1]) : fold_latin_ext_a(c, p[1]);
      if (f) out[o++] = f;
      p += 2;
    } else {
      p++;
      while ((*p & 0xC0) == 0x80) p++;
    }
  }
  out[o] = '\0';
  return o;
}

/*
** Splits IN at white space and commas into at most MAX tokens of at most 63
** bytes each (longer tokens are cut).  Returns the number of tokens.
*/
int text_split_tokens(const char *in, char out[][64], int max) {
  int n = 0;
  const char *p = in;
  while (*p && n < max) {
    while (*p && (isspace((unsigned char)*p) || *p == ',')) p++;
    if (!*p) break;
    size_t len = 0;
    while (p[len] && !isspace((unsigned char)p[len]) && p[len] != ',') len++;
    size_t keep = len < 63 ? len : 63;
    memcpy(out[n], p, keep);
    out[n][keep] = '\0';
    n++;
    p += len;
  }
  return n;
}

/* True when S holds an ASCII control character (tab and, if allowed, newlines excepted). */
bool text_has_control(const char *s, bool allow_newlines) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '\t') continue;
    if ((*p == '\n' || *p == '\r') && allow_newlines) continue;
    if (*p < 0x20 || *p == 0x7F) return true;
  }
  return false;
}

/* strcmp() == 0 that treats NULL as equal only to NULL. */
bool text_streq(const char *a, const char *b) {
  if (!a || !b) return a == b;
  return strcmp(a, b) == 0;
}
