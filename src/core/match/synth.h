/*
** Synthetic people with known truth, for measuring record linkage: English
** households from many backgrounds (names from config/synth_names.csv),
** each person appearing in one to five agency records that disagree the way
** real ones do: typing errors, nicknames and transliterations, day and month
** swapped, a digit wrong, a house move, blank fields, names the wrong way
** round.  Households share surnames, addresses and phones and include twins,
** so that the hard non-matches (siblings) are there too.  Deterministic for
** a seed.  Pure: no I/O; the caller writes the rows.
*/
#ifndef SAFEHUB_CORE_MATCH_SYNTH_H
#define SAFEHUB_CORE_MATCH_SYNTH_H
#include <stddef.h>
#include <stdint.h>
#include "core/match/names.h"

struct synth_row {
  char id[16];
  char first_name[48];
  char last_name[48];
  char date_of_birth[16];
  char gender[8];
  char address[128];
  char postcode[12];
  char phone[24];
  char nhs_number[16];
};

struct synth;

struct synth *synth_new(uint64_t records, uint64_t seed, const char *table, size_t table_len, char *err,
                        size_t errcap);
void synth_add_groups(struct synth *s, const char *text, size_t len);
void synth_free(struct synth *s);
size_t synth_count(const struct synth *s);
void synth_row(const struct synth *s, size_t i, struct synth_row *out);
uint32_t synth_person(const struct synth *s, size_t i);

#endif
