/*
** A person record prepared for comparison.  Every feature a comparison needs
** is computed once per record (folded names, Double Metaphone keys, name
** groups and variant keys, the date as an integer, the postcode with its
** sector and district, hashed address words, digits of phone and NHS
** number), so that comparing two records is a handful of integer tests and
** at most a few short string comparisons.  Pure: no I/O.
*/
#ifndef SAFEHUB_CORE_MATCH_RECORD_H
#define SAFEHUB_CORE_MATCH_RECORD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/match/names.h"

#define MATCH_NAME_MAX 24 /* bytes of a folded name kept, with NUL */
#define MATCH_ADDR_TOK 12 /* address words kept */
#define MATCH_ADDR_BUF 88 /* bytes of address words kept, each NUL-terminated */

/* A person as given: every field may be NULL or blank (missing). */
struct match_input {
  const char *id;
  const char *first_name;
  const char *last_name;
  const char *date_of_birth; /* YYYY-MM-DD (or DD/MM/YYYY) */
  const char *gender;
  const char *address;
  const char *postcode;
  const char *phone;
  const char *nhs_number;
};

struct match_name {
  char key[MATCH_NAME_MAX]; /* folded, "" when missing */
  uint8_t len;
  uint32_t letters;              /* bit c-'a' for each letter in key, bit 26 for any digit */
  uint32_t dm[2];                /* Double Metaphone primary and alternate, packed; 0 none */
  uint32_t var;                  /* hash of the variant key; 0 none */
  uint32_t grp[NAMES_GROUPS];    /* nickname and variant groups + 1; 0 none */
  float tf;                      /* share of records with this name (set by the caller), 0 unknown */
};

enum match_gender { GENDER_UNKNOWN = 0, GENDER_FEMALE, GENDER_MALE, GENDER_OTHER };

struct match_record {
  struct match_name first, last;
  int32_t dob;         /* YYYYMMDD, 0 missing */
  uint8_t gender;      /* enum match_gender */
  uint8_t pc_uk;       /* the postcode is a UK postcode */
  uint8_t pc_len;
  uint8_t ntok;        /* address words */
  uint32_t house;      /* hash of the first address word that starts with a digit (house number); 0 none */
  char pc[12];         /* postcode without spaces ("S11AB"); other shapes folded; "" missing */
  uint32_t pc_sector;  /* hash of the sector ("S1 1"), or of all but the last character; 0 none */
  uint32_t pc_district;/* hash of the district ("S1"), or of the first two characters; 0 none */
  uint32_t tok[MATCH_ADDR_TOK];     /* address word hashes, ascending */
  uint8_t tok_off[MATCH_ADDR_TOK];  /* each word's text in addr */
  uint8_t tok_len[MATCH_ADDR_TOK];
  char addr[MATCH_ADDR_BUF];
  uint8_t phone_len;
  uint64_t phone;      /* last ten digits, 0 missing */
  uint64_t nhs;        /* a valid NHS number, 0 missing */
};

/* Problems with a field that make it count as missing without refusing the record. */
enum { MATCH_WARN_NHS = 1, MATCH_WARN_GENDER = 2 };

int match_parse_date(const char *s, int32_t *out);
int match_prepare(const struct match_names *nm, const struct match_input *in, struct match_record *out,
                  unsigned *warnings, char *why, size_t whycap);
void match_prepare_name(const struct match_names *nm, const char *raw, struct match_name *out);

#endif
