/*
** Code lists with their plain-English labels: children's-social-care census
** ethnicity codes, agency types, genders, and the SSDA903 legal-status and
** placement-type codes for looked-after children.  Pure data and lookups.
*/
#ifndef SAFEHUB_CORE_CODES_H
#define SAFEHUB_CORE_CODES_H
#include <stdbool.h>

struct code {
  const char *code;
  const char *label;
};

extern const struct code ETHNICITY_CODES[];
extern const struct code AGENCY_TYPES[];
extern const struct code GENDERS[];
extern const struct code LEGAL_STATUSES[];
extern const struct code PLACEMENT_TYPES[];

const char *code_label(const struct code *list, const char *code);
bool code_valid(const struct code *list, const char *code);

#endif
