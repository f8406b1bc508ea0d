/*
** Validation of identifiers and formats: NHS numbers (mod-11 check digit),
** UK postcodes (format, normalisation, district and sector), usernames.
** Pure: no I/O.
*/
#ifndef SAFEHUB_CORE_VALIDATE_H
#define SAFEHUB_CORE_VALIDATE_H
#include <stdbool.h>
#include <stddef.h>

bool nhs_number_normalise(const char *in, char out[11]);
bool postcode_normalise(const char *in, char *out, size_t outcap);
bool postcode_district(const char *normalised, char *out, size_t outcap);
bool postcode_sector(const char *normalised, char *out, size_t outcap);
bool username_valid(const char *s);
bool agency_code_valid(const char *s);

#endif
