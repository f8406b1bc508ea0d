/*
** Double Metaphone (see metaphone.h).  The rules follow Philips's published
** description letter by letter: each case looks at the letters around the
** current one, appends to the primary and alternate keys, and moves on by
** the number of letters it consumed.  The word is upper-cased and padded
** with five spaces so that look-ahead past its end sees spaces, as the rules
** expect ("JOSE " at the end of a word, "IER " and so on).  Input longer
** than 64 bytes is cut: the first sounds decide a four-character key.
*/
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include "core/match/metaphone.h"

#define DM_IN 64

struct dm {
  char s[DM_IN + 6]; /* upper-cased word, five spaces, NUL */
  int length;        /* letters in the word */
  int padded;        /* length + 5 */
  int last;          /* index of the last letter */
  char p[16], a[16]; /* keys being built (cut to four at the end) */
  int pl, al;
  bool slavo;        /* Slavic or Germanic spelling (W, K, CZ, WITZ) */
};

/* The letter at I, a space in the padding, NUL outside. */
static char at(const struct dm *d, int i) { return (i < 0 || i >= d->padded) ? '\0' : d->s[i]; }

/* True when the LEN letters from START equal one of the NULL-terminated options. */
static bool string_at(const struct dm *d, int start, int len, ...) {
  if (start < 0 || start >= d->padded) return false;
  va_list ap;
  va_start(ap, len);
  bool hit = false;
  for (const char *opt = va_arg(ap, const char *); opt; opt = va_arg(ap, const char *)) {
    if (strncmp(d->s + start, opt, (size_t)len) == 0) {
      hit = true;
      break;
    }
  }
  va_end(ap);
  return hit;
}
#define SA(d, start, len, ...) string_at(d, start, len, __VA_ARGS__, (const char *)NULL)

/* True when the letter at I is a vowel (Y counts). */
static bool vowel(const struct dm *d, int i) {
  char c = at(d, i);
  return c && strchr("AEIOUY", c) != NULL;
}

/* Appends MAIN to the primary key and ALT to the alternate key. */
static void add2(struct dm *d, const char *main, const char *alt) {
  for (; *main && d->pl < 15; main++) d->p[d->pl++] = *main;
  for (; *alt && d->al < 15; alt++) d->a[d->al++] = *alt;
}

/* Appends S to both keys. */
static void add(struct dm *d, const char *s) { add2(d, s, s); }

/* C: the hardest letter; returns how many letters were consumed. */
static int rule_c(struct dm *d, int c) {
  if (c > 1 && !vowel(d, c - 2) && SA(d, c - 1, 3, "ACH") &&
      (at(d, c + 2) != 'I' && (at(d, c + 2) != 'E' || SA(d, c - 2, 6, "BACHER", "MACHER")))) {
    add(d, "K");
    return 2;
  }
  if (c == 0 && SA(d, c, 6, "CAESAR")) {
    add(d, "S");
    return 2;
  }
  if (SA(d, c, 4, "CHIA")) {
    add(d, "K");
    return 2;
  }
  if (SA(d, c, 2, "CH")) {
    if (c > 0 && SA(d, c, 4, "CHAE")) {
      add2(d, "K", "X");
      return 2;
    }
    if (c == 0 && (SA(d, c + 1, 5, "HARAC", "HARIS") || SA(d, c + 1, 3, "HOR", "HYM", "HIA", "HEM")) &&
        !SA(d, 0, 5, "CHORE")) {
      add(d, "K");
      return 2;
    }
    if (SA(d, 0, 4, "VAN ", "VON ") || SA(d, 0, 3, "SCH") || SA(d, c - 2, 6, "ORCHES", "ARCHIT", "ORCHID") ||
        SA(d, c + 2, 1, "T", "S") ||
        ((SA(d, c - 1, 1, "A", "O", "U", "E") || c == 0) &&
         SA(d, c + 2, 1, "L", "R", "N", "M", "B", "H", "F", "V", "W", " "))) {
      add(d, "K");
    } else if (c > 0) {
      if (SA(d, 0, 2, "MC")) add(d, "K");
      else add2(d, "X", "K");
    } else {
      add(d, "X");
    }
    return 2;
  }
  if (SA(d, c, 2, "CZ") && !SA(d, c - 2, 4, "WICZ")) {
    add2(d, "S", "X");
    return 2;
  }
  if (SA(d, c + 1, 3, "CIA")) {
    add(d, "X");
    return 3;
  }
  if (SA(d, c, 2, "CC") && !(c == 1 && at(d, 0) == 'M')) {
    if (SA(d, c + 2, 1, "I", "E", "H") && !SA(d, c + 2, 2, "HU")) {
      if ((c == 1 && at(d, c - 1) == 'A') || SA(d, c - 1, 5, "UCCEE", "UCCES")) add(d, "KS");
      else add(d, "X");
      return 3;
    }
    add(d, "K");
    return 2;
  }
  if (SA(d, c, 2, "CK", "CG", "CQ")) {
    add(d, "K");
    return 2;
  }
  if (SA(d, c, 2, "CI", "CE", "CY")) {
    if (SA(d, c, 3, "CIO", "CIE", "CIA")) add2(d, "S", "X");
    else add(d, "S");
    return 2;
  }
  add(d, "K");
  if (SA(d, c + 1, 2, " C", " Q", " G")) return 3;
  if (SA(d, c + 1, 1, "C", "K", "Q") && !SA(d, c + 1, 2, "CE", "CI")) return 2;
  return 1;
}

/* G; returns how many letters were consumed. */
static int rule_g(struct dm *d, int c) {
  if (at(d, c + 1) == 'H') {
    if (c > 0 && !vowel(d, c - 1)) {
      add(d, "K");
      return 2;
    }
    if (c == 0) {
      add(d, at(d, c + 2) == 'I' ? "J" : "K");
      return 2;
    }
    /* "Hugh", "bough", "broughton": silent */
    if ((c > 1 && SA(d, c - 2, 1, "B", "H", "D")) || (c > 2 && SA(d, c - 3, 1, "B", "H", "D")) ||
        (c > 3 && SA(d, c - 4, 1, "B", "H"))) {
      return 2;
    }
    /* "laugh", "McLaughlin", "cough", "rough": F */
    if (c > 2 && at(d, c - 1) == 'U' && SA(d, c - 3, 1, "C", "G", "L", "R", "T")) add(d, "F");
    else if (c > 0 && at(d, c - 1) != 'I') add(d, "K");
    return 2;
  }
  if (at(d, c + 1) == 'N') {
    if (c == 1 && vowel(d, 0) && !d->slavo) add2(d, "KN", "N");
    else if (!SA(d, c + 2, 2, "EY") && at(d, c + 1) != 'Y' && !d->slavo) add2(d, "N", "KN");
    else add(d, "KN");
    return 2;
  }
  if (SA(d, c + 1, 2, "LI") && !d->slavo) {
    add2(d, "KL", "L");
    return 2;
  }
  if (c == 0 && (at(d, c + 1) == 'Y' ||
                 SA(d, c + 1, 2, "ES", "EP", "EB", "EL", "EY", "IB", "IL", "IN", "IE", "EI", "ER"))) {
    add2(d, "K", "J");
    return 2;
  }
  if ((SA(d, c + 1, 2, "ER") || at(d, c + 1) == 'Y') && !SA(d, 0, 6, "DANGER", "RANGER", "MANGER") &&
      !SA(d, c - 1, 1, "E", "I") && !SA(d, c - 1, 3, "RGY", "OGY")) {
    add2(d, "K", "J");
    return 2;
  }
  if (SA(d, c + 1, 1, "E", "I", "Y") || SA(d, c - 1, 4, "AGGI", "OGGI")) {
    if (SA(d, 0, 4, "VAN ", "VON ") || SA(d, 0, 3, "SCH") || SA(d, c + 1, 2, "ET")) add(d, "K");
    else if (SA(d, c + 1, 4, "IER ")) add(d, "J");
    else add2(d, "J", "K");
    return 2;
  }
  add(d, "K");
  return at(d, c + 1) == 'G' ? 2 : 1;
}

/* J; returns how many letters were consumed. */
static int rule_j(struct dm *d, int c) {
  if (SA(d, c, 4, "JOSE") || SA(d, 0, 4, "SAN ")) {
    if ((c == 0 && at(d, c + 4) == ' ') || SA(d, 0, 4, "SAN ")) add(d, "H");
    else add2(d, "J", "H");
    return 1;
  }
  if (c == 0 && !SA(d, c, 4, "JOSE")) {
    add2(d, "J", "A");
  } else if (vowel(d, c - 1) && !d->slavo && (at(d, c + 1) == 'A' || at(d, c + 1) == 'O')) {
    add2(d, "J", "H");
  } else if (c == d->last) {
    add2(d, "J", "");
  } else if (!SA(d, c + 1, 1, "L", "T", "K", "S", "N", "M", "B", "Z") && !SA(d, c - 1, 1, "S", "K", "L")) {
    add(d, "J");
  }
  return at(d, c + 1) == 'J' ? 2 : 1;
}

/* S; returns how many letters were consumed. */
static int rule_s(struct dm *d, int c) {
  if (SA(d, c - 1, 3, "ISL", "YSL")) return 1; /* "island", "carlisle": silent */
  if (c == 0 && SA(d, c, 5, "SUGAR")) {
    add2(d, "X", "S");
    return 1;
  }
  if (SA(d, c, 2, "SH")) {
    if (SA(d, c + 1, 4, "HEIM", "HOEK", "HOLM", "HOLZ")) add(d, "S");
    else add(d, "X");
    return 2;
  }
  if (SA(d, c, 3, "SIO", "SIA") || SA(d, c, 4, "SIAN")) {
    if (!d->slavo) add2(d, "S", "X");
    else add(d, "S");
    return 3;
  }
  if ((c == 0 && SA(d, c + 1, 1, "M", "N", "L", "W")) || SA(d, c + 1, 1, "Z")) {
    add2(d, "S", "X");
    return SA(d, c + 1, 1, "Z") ? 2 : 1;
  }
  if (SA(d, c, 2, "SC")) {
    if (at(d, c + 2) == 'H') {
      if (SA(d, c + 3, 2, "OO", "ER", "EN", "UY", "ED", "EM")) {
        if (SA(d, c + 3, 2, "ER", "EN")) add2(d, "X", "SK");
        else add(d, "SK");
        return 3;
      }
      if (c == 0 && !vowel(d, 3) && at(d, 3) != 'W') add2(d, "X", "S");
      else add(d, "X");
      return 3;
    }
    if (SA(d, c + 2, 1, "I", "E", "Y")) {
      add(d, "S");
      return 3;
    }
    add(d, "SK");
    return 3;
  }
  if (c == d->last && SA(d, c - 2, 2, "AI", "OI")) add2(d, "", "S"); /* French "-ais", "-ois" */
  else add(d, "S");
  return SA(d, c + 1, 1, "S", "Z") ? 2 : 1;
}

/* One letter of the word at C; returns how many letters were consumed. */
static int step(struct dm *d, int c) {
  char ch = at(d, c);
  switch (ch) {
  case 'A': case 'E': case 'I': case 'O': case 'U': case 'Y':
    if (c == 0) add(d, "A"); /* vowels count only at the start */
    return 1;
  case 'B':
    add(d, "P");
    return at(d, c + 1) == 'B' ? 2 : 1;
  case 'C':
    return rule_c(d, c);
  case 'D':
    if (SA(d, c, 2, "DG")) {
      if (SA(d, c + 2, 1, "I", "E", "Y")) {
        add(d, "J");
        return 3;
      }
      add(d, "TK");
      return 2;
    }
    add(d, "T");
    return SA(d, c, 2, "DT", "DD") ? 2 : 1;
  case 'F':
    add(d, "F");
    return at(d, c + 1) == 'F' ? 2 : 1;
  case 'G':
    return rule_g(d, c);
  case 'H':
    /* Kept only between vowels or at the start before a vowel. */
    if ((c == 0 || vowel(d, c - 1)) && vowel(d, c + 1)) {
      add(d, "H");
      return 2;
    }
    return 1;
  case 'J':
    return rule_j(d, c);
  case 'K':
    add(d, "K");
    return at(d, c + 1) == 'K' ? 2 : 1;
  case 'L':
    if (at(d, c + 1) == 'L') {
      /* Spanish "-illo", "-illa", "-alle": the alternate drops the L. */
      if ((c == d->length - 3 && SA(d, c - 1, 4, "ILLO", "ILLA", "ALLE")) ||
          ((SA(d, d->last - 1, 2, "AS", "OS") || SA(d, d->last, 1, "A", "O")) && SA(d, c - 1, 4, "ALLE"))) {
        add2(d, "L", "");
        return 2;
      }
      add(d, "L");
      return 2;
    }
    add(d, "L");
    return 1;
  case 'M':
    add(d, "M");
    if ((SA(d, c - 1, 3, "UMB") && (c + 1 == d->last || SA(d, c + 2, 2, "ER"))) || at(d, c + 1) == 'M') return 2;
    return 1;
  case 'N':
    add(d, "N");
    return at(d, c + 1) == 'N' ? 2 : 1;
  case 'P':
    if (at(d, c + 1) == 'H') {
      add(d, "F");
      return 2;
    }
    add(d, "P");
    return SA(d, c + 1, 1, "P", "B") ? 2 : 1;
  case 'Q':
    add(d, "K");
    return at(d, c + 1) == 'Q' ? 2 : 1;
  case 'R':
    /* French final "-ier": silent in the primary key. */
    if (c == d->last && !d->slavo && SA(d, c - 2, 2, "IE") && !SA(d, c - 4, 2, "ME", "MA")) add2(d, "", "R");
    else add(d, "R");
    return at(d, c + 1) == 'R' ? 2 : 1;
  case 'S':
    return rule_s(d, c);
  case 'T':
    if (SA(d, c, 4, "TION") || SA(d, c, 3, "TIA", "TCH")) {
      add(d, "X");
      return 3;
    }
    if (SA(d, c, 2, "TH") || SA(d, c, 3, "TTH")) {
      if (SA(d, c + 2, 2, "OM", "AM") || SA(d, 0, 4, "VAN ", "VON ") || SA(d, 0, 3, "SCH")) add(d, "T");
      else add2(d, "0", "T");
      return 2;
    }
    add(d, "T");
    return SA(d, c + 1, 1, "T", "D") ? 2 : 1;
  case 'V':
    add(d, "F");
    return at(d, c + 1) == 'V' ? 2 : 1;
  case 'W':
    if (SA(d, c, 2, "WR")) {
      add(d, "R");
      return 2;
    }
    if (c == 0 && (vowel(d, c + 1) || SA(d, c, 2, "WH"))) {
      if (vowel(d, c + 1)) add2(d, "A", "F");
      else add(d, "A");
    }
    if ((c == d->last && vowel(d, c - 1)) || SA(d, c - 1, 5, "EWSKI", "EWSKY", "OWSKI", "OWSKY") ||
        SA(d, 0, 3, "SCH")) {
      add2(d, "", "F");
      return 1;
    }
    if (SA(d, c, 4, "WICZ", "WITZ")) {
      add2(d, "TS", "FX");
      return 4;
    }
    return 1;
  case 'X':
    /* French final "-iaux", "-eau x", "-aux", "-oux": silent. */
    if (!(c == d->last && (SA(d, c - 3, 3, "IAU", "EAU") || SA(d, c - 2, 2, "AU", "OU")))) add(d, "KS");
    return SA(d, c + 1, 1, "C", "X") ? 2 : 1;
  case 'Z':
    if (at(d, c + 1) == 'H') {
      add(d, "J");
      return 2;
    }
    if (SA(d, c + 1, 2, "ZO", "ZI", "ZA") || (d->slavo && c > 0 && at(d, c - 1) != 'T')) add2(d, "S", "TS");
    else add(d, "S");
    return at(d, c + 1) == 'Z' ? 2 : 1;
  default:
    return 1;
  }
}

/*
** Writes the Double Metaphone keys of the LEN bytes at IN into PRIMARY and
** ALTERNATE (each at most four characters and NUL; "" when IN holds no
** letter).  ASCII letters are read case-blind; other bytes are passed over.
*/
void double_metaphone(const char *in, size_t len, char primary[DMETA_MAX + 1], char alternate[DMETA_MAX + 1]) {
  struct dm d;
  memset(&d, 0, sizeof d);
  if (len > DM_IN) len = DM_IN;
  for (size_t i = 0; i < len; i++) {
    char c = in[i];
    if (c >= 'a' && c <= 'z') c = (char)(c - 32);
    /* A NUL would end the look-ahead comparisons early: make it a space. */
    d.s[i] = c ? c : ' ';
  }
  d.length = (int)len;
  memcpy(d.s + len, "     ", 5);
  d.s[len + 5] = '\0';
  d.padded = d.length + 5;
  d.last = d.length - 1;
  d.slavo = strchr(d.s, 'W') || strchr(d.s, 'K') || strstr(d.s, "CZ") || strstr(d.s, "WITZ");
  int c = 0;
  if (SA(&d, 0, 2, "GN", "KN", "PN", "WR", "PS")) c = 1; /* silent first letter */
  if (at(&d, 0) == 'X') {                               /* "Xavier": S */
    add(&d, "S");
    c = 1;
  }
  while ((d.pl < DMETA_MAX || d.al < DMETA_MAX) && c < d.length) c += step(&d, c);
  if (d.pl > DMETA_MAX) d.pl = DMETA_MAX;
  if (d.al > DMETA_MAX) d.al = DMETA_MAX;
  memcpy(primary, d.p, (size_t)d.pl);
  primary[d.pl] = '\0';
  memcpy(alternate, d.a, (size_t)d.al);
  alternate[d.al] = '\0';
}

/* Packs a key of at most four characters into 32 bits (0 for ""), for cheap comparison. */
uint32_t dmeta_pack(const char *code) {
  uint32_t v = 0;
  for (int i = 0; i < DMETA_MAX && code[i]; i++) v |= (uint32_t)(unsigned char)code[i] << (8 * i);
  return v;
}
