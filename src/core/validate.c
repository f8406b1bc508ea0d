/*
** Identifier and format validation (see validate.h).
*/
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "core/validate.h"

/*
** Accepts ten digits, optionally grouped with spaces or hyphens as printed
** ("943 476 5919"), whose tenth is the mod-11 check digit of the first nine
** (weights 10..2; a remainder giving 10 is never issued).  Writes the ten
** digits to OUT.
*/
bool nhs_number_normalise(const char *in, char out[11]) {
  int n = 0;
  for (const char *p = in; *p; p++) {
    if (*p == ' ' || *p == '-') continue;
    if (!isdigit((unsigned char)*p) || n >= 10) return false;
    out[n++] = *p;
  }
  out[n] = '\0';
  if (n != 10) return false;
  int sum = 0;
  for (int i = 0; i < 9; i++) sum += (out[i] - '0') * (10 - i);
  int check = 11 - sum % 11;
  if (check == 11) check = 0;
  if (check == 10) return false;
  return check == out[9] - '0';
}

static bool in_set(char c, const char *set) { return c && strchr(set, c) != NULL; }

/*
** Checks a UK postcode against the Royal Mail formats (A9 9AA, A99 9AA,
** A9A 9AA, AA9 9AA, AA99 9AA, AA9A 9AA, and GIR 0AA) with the letter rules of
** each position, and writes it upper-case with one space before the inward
** code ("s1 2hh" -> "S1 2HH").
*/
bool postcode_normalise(const char *in, char *out, size_t outcap) {
  char c[8];
  int n = 0;
  for (const char *p = in; *p; p++) {
    if (*p == ' ') continue;
    if (!isalnum((unsigned char)*p) || n >= 7) return false;
    c[n++] = (char)toupper((unsigned char)*p);
  }
  c[n] = '\0';
  if (n < 5 || outcap < 9) return false;
  if (strcmp(c, "GIR0AA") == 0) {
    snprintf(out, outcap, "GIR 0AA");
    return true;
  }
  const char *inward = c + n - 3;
  static const char NOT_INWARD[] = "CIKMOV";
  if (!isdigit((unsigned char)inward[0]) || !isalpha((unsigned char)inward[1]) ||
      !isalpha((unsigned char)inward[2]) || in_set(inward[1], NOT_INWARD) || in_set(inward[2], NOT_INWARD))
    return false;
  int on = n - 3;
  const char *o = c;
  if (!isalpha((unsigned char)o[0]) || in_set(o[0], "QVX")) return false;
  bool ok = false;
  if (on == 2) {
    ok = isdigit((unsigned char)o[1]); /* A9 */
  } else if (on == 3) {
    if (isdigit((unsigned char)o[1]) && isdigit((unsigned char)o[2])) ok = true;      /* A99 */
    else if (isdigit((unsigned char)o[1]) && in_set(o[2], "ABCDEFGHJKPSTUW")) ok = true; /* A9A */
    else if (isalpha((unsigned char)o[1]) && !in_set(o[1], "IJZ") && isdigit((unsigned char)o[2]))
      ok = true; /* AA9 */
  } else if (on == 4) {
    if (isalpha((unsigned char)o[1]) && !in_set(o[1], "IJZ") && isdigit((unsigned char)o[2])) {
      if (isdigit((unsigned char)o[3])) ok = true;                   /* AA99 */
      else if (in_set(o[3], "ABEHMNPRVWXY")) ok = true;              /* AA9A */
    }
  }
  if (!ok) return false;
  snprintf(out, outcap, "%.*s %s", on, c, inward);
  return true;
}

/* The outward code ("S1 2HH" -> "S1") of a normalised postcode. */
bool postcode_district(const char *normalised, char *out, size_t outcap) {
  const char *sp = strchr(normalised, ' ');
  if (!sp || (size_t)(sp - normalised) + 1 > outcap) return false;
  snprintf(out, outcap, "%.*s", (int)(sp - normalised), normalised);
  return true;
}

/* The sector ("S1 2HH" -> "S1 2") of a normalised postcode. */
bool postcode_sector(const char *normalised, char *out, size_t outcap) {
  const char *sp = strchr(normalised, ' ');
  if (!sp || !sp[1] || (size_t)(sp - normalised) + 3 > outcap) return false;
  snprintf(out, outcap, "%.*s", (int)(sp - normalised) + 2, normalised);
  return true;
}

/* Usernames: 2-64 of lower-case letters, digits, '.', '_', '-' and '@'. */
bool username_valid(const char *s) {
  size_t n = strlen(s);
  if (n < 2 || n > 64) return false;
  for (; *s; s++) {
    if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || in_set(*s, "._-@"))) return false;
  }
  return true;
}

/* Agency codes: 2-32 of upper-case letters, digits, '_' and '-'. */
bool agency_code_valid(const char *s) {
  size_t n = strlen(s);
  if (n < 2 || n > 32) return false;
  for (; *s; s++) {
    if (!(isupper((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_' || *s == '-')) return false;
  }
  return true;
}
