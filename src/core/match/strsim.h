/*
** String comparators for record linkage: Jaro and Jaro-Winkler similarity,
** "at most one edit" (Damerau: one insertion, deletion, substitution or swap
** of neighbours), and the one-digit-off test on dates and numbers.
** Pure: no I/O, no allocation; any bytes are accepted.
*/
#ifndef SAFEHUB_CORE_MATCH_STRSIM_H
#define SAFEHUB_CORE_MATCH_STRSIM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Strings longer than this are compared on their first STRSIM_MAX bytes. */
#define STRSIM_MAX 64

double jaro(const char *a, size_t la, const char *b, size_t lb);
double jaro_winkler(const char *a, size_t la, const char *b, size_t lb);
bool within_one_edit(const char *a, size_t la, const char *b, size_t lb);
bool digits_one_off(uint64_t a, uint64_t b, int ndigits);

#endif
