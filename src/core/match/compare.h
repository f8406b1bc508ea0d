/*
** Comparison of two prepared records, field by field, into ordered levels:
** the first level a pair meets is its level for that field, level 0 always
** means "missing on one side" (neither agreement nor disagreement), and the
** levels of all fields packed together, four bits each, are the pair's
** comparison vector.  Pure: no I/O, no allocation.
**
**   first_name, last_name  exact | nickname or variant | Jaro-Winkler >= 0.92 |
**                          same Double Metaphone key | Jaro-Winkler >= 0.80 | else
**   date_of_birth          exact | day and month swapped | one digit off | same year | else
**   gender                 same | different
**   postcode               exact | same sector | same district | one character off | else
**   address                same words | word overlap >= 0.8 | >= 0.6 | >= 0.4 | else
**   phone                  exact | one digit off | else
**   nhs_number             equal | different
**
** A postcode (exact or same sector) or a shared landline is left at level 0
** when the address words already agree: it says nothing more.
*/
#ifndef SAFEHUB_CORE_MATCH_COMPARE_H
#define SAFEHUB_CORE_MATCH_COMPARE_H
#include <stdbool.h>
#include <stdint.h>
#include "core/match/record.h"

enum match_field { MF_FIRST, MF_LAST, MF_DOB, MF_GENDER, MF_POSTCODE, MF_ADDRESS, MF_PHONE, MF_NHS, MF_COUNT };

#define MATCH_MAX_LEVELS 8
#define MATCH_MISSING 0

enum { NAME_EXACT = 1, NAME_VARIANT, NAME_JW_HIGH, NAME_METAPHONE, NAME_JW_MID, NAME_ELSE, NAME_LEVELS };
enum { DOB_EXACT = 1, DOB_SWAPPED, DOB_ONE_DIGIT, DOB_YEAR, DOB_ELSE, DOB_LEVELS };
enum { GENDER_SAME = 1, GENDER_DIFFERENT, GENDER_LEVELS };
enum { PC_EXACT = 1, PC_SECTOR, PC_DISTRICT, PC_TYPO, PC_ELSE, PC_LEVELS };
enum { ADDR_EXACT = 1, ADDR_HIGH, ADDR_MID, ADDR_LOW, ADDR_ELSE, ADDR_LEVELS };
enum { PHONE_EXACT = 1, PHONE_ONE_DIGIT, PHONE_ELSE, PHONE_LEVELS };
enum { NHS_EQUAL = 1, NHS_DIFFERENT, NHS_LEVELS };

#define NAME_JW_HIGH_MIN 0.92
#define NAME_JW_MID_MIN 0.80
#define ADDR_HIGH_MIN 0.8
#define ADDR_MID_MIN 0.6
#define ADDR_LOW_MIN 0.4

typedef uint32_t match_vec;
#define VEC_GET(v, f) ((int)(((v) >> (4 * (f))) & 0xFu))
#define VEC_SET(v, f, l) ((v) | ((match_vec)(l) << (4 * (f))))

int match_field_levels(enum match_field f);
const char *match_field_name(enum match_field f);
const char *match_level_label(enum match_field f, int level);

double match_jw_bound(const struct match_name *a, const struct match_name *b);
int match_cmp_name(const struct match_name *a, const struct match_name *b);
int match_cmp_dob(int32_t a, int32_t b);
int match_cmp_gender(uint8_t a, uint8_t b);
int match_cmp_postcode(const struct match_record *a, const struct match_record *b);
double match_address_overlap(const struct match_record *a, const struct match_record *b, int *exact);
int match_cmp_address(const struct match_record *a, const struct match_record *b);
int match_cmp_phone(const struct match_record *a, const struct match_record *b);
int match_cmp_nhs(uint64_t a, uint64_t b);
bool match_implied_by_address(int field, int level, int address_level, const struct match_record *a,
                              const struct match_record *b);
match_vec match_compare(const struct match_record *a, const struct match_record *b);

#endif
