/*
** Double Metaphone (Lawrence Philips, 2000): a phonetic key for a name that
** tolerates spelling variation ("Smith"/"Smyth", "Mohammed"/"Muhammad"),
** with an alternate key for the names whose pronunciation depends on their
** origin ("Schmidt": XMT or SMT).  Keys are at most four characters from
** "0AFHJKLMNPRSTX" ('0' is "th").  Pure: no I/O, no allocation.
*/
#ifndef SAFEHUB_CORE_MATCH_METAPHONE_H
#define SAFEHUB_CORE_MATCH_METAPHONE_H
#include <stddef.h>
#include <stdint.h>

#define DMETA_MAX 4

void double_metaphone(const char *in, size_t len, char primary[DMETA_MAX + 1], char alternate[DMETA_MAX + 1]);
uint32_t dmeta_pack(const char *code);

#endif
