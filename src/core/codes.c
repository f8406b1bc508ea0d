/*
** Code lists (see codes.h).  Each list ends with a {NULL, NULL} entry.
*/
#include <string.h>
#include "core/codes.h"

/* The children's-social-care census list, with NOBT and REFU as explicit answers. */
const struct code ETHNICITY_CODES[] = {
    {"WBRI", "White British"},
    {"WIRI", "White Irish"},
    {"WIRT", "Traveller of Irish heritage"},
    {"WOTH", "Any other White background"},
    {"WROM", "Gypsy/Roma"},
    {"MWBC", "White and Black Caribbean"},
    {"MWBA", "White and Black African"},
    {"MWAS", "White and Asian"},
    {"MOTH", "Any other mixed background"},
    {"AIND", "Indian"},
    {"APKN", "Pakistani"},
    {"ABAN", "Bangladeshi"},
    {"AOTH", "Any other Asian background"},
    {"BCRB", "Black Caribbean"},
    {"BAFR", "Black African"},
    {"BOTH", "Any other Black background"},
    {"CHNE", "Chinese"},
    {"OOTH", "Any other ethnic group"},
    {"REFU", "Refused"},
    {"NOBT", "Information not yet obtained"},
    {NULL, NULL},
};

const struct code AGENCY_TYPES[] = {
    {"police", "Police"},
    {"social_care", "Children's social care"},
    {"health", "Health"},
    {"education", "Education"},
    {"youth_justice", "Youth justice"},
    {"voluntary", "Voluntary sector"},
    {"housing", "Housing"},
    {"other", "Other"},
    {NULL, NULL},
};

const struct code GENDERS[] = {
    {"female", "Female"},
    {"male", "Male"},
    {"other", "Other"},
    {"not_known", "Not known"},
    {NULL, NULL},
};

/* SSDA903 legal status codes. */
const struct code LEGAL_STATUSES[] = {
    {"C1", "Interim care order"},
    {"C2", "Full care order"},
    {"D1", "Freeing order granted"},
    {"E1", "Placement order granted"},
    {"J1", "Remanded to local authority accommodation or youth detention accommodation"},
    {"J2", "Placed in local authority accommodation under PACE"},
    {"J3", "Sentenced to a supervision order with residence requirement"},
    {"L1", "Under police protection and in local authority accommodation"},
    {"L2", "Emergency protection order"},
    {"L3", "Under child assessment order and in local authority accommodation"},
    {"V2", "Single period of accommodation under section 20"},
    {"V3", "Accommodated under an agreed series of short-term breaks (episodes recorded)"},
    {"V4", "Accommodated under an agreed series of short-term breaks (agreements recorded)"},
    {NULL, NULL},
};

/* SSDA903 placement type codes. */
const struct code PLACEMENT_TYPES[] = {
    {"A3", "Placed for adoption with parental consent with current foster carer"},
    {"A4", "Placed for adoption with parental consent not with current foster carer"},
    {"A5", "Placed for adoption with placement order with current foster carer"},
    {"A6", "Placed for adoption with placement order not with current foster carer"},
    {"H5", "Semi-independent living accommodation"},
    {"K1", "Secure children's home"},
    {"K2", "Children's home"},
    {"P1", "Placed with own parent(s) or other person(s) with parental responsibility"},
    {"P2", "Independent living"},
    {"P3", "Residential employment"},
    {"R1", "Residential care home"},
    {"R2", "NHS or health trust or other establishment providing medical or nursing care"},
    {"R3", "Family centre or mother and baby unit"},
    {"R5", "Young offender institution or prison"},
    {"S1", "Residential school"},
    {"T0", "Temporary placement: all types"},
    {"U1", "Foster placement with relative or friend: long term"},
    {"U2", "Foster placement with relative or friend who is also an approved foster carer: FFA"},
    {"U3", "Foster placement with relative or friend: not long term or FFA"},
    {"U4", "Foster placement with other foster carer: long term"},
    {"U5", "Foster placement with other foster carer who is also an approved adopter: FFA"},
    {"U6", "Foster placement with other foster carer: not long term or FFA"},
    {"Z1", "Other placements"},
    {NULL, NULL},
};

/* The label for CODE in LIST, or NULL. Static memory. */
const char *code_label(const struct code *list, const char *code) {
  if (!code) return NULL;
  for (; list->code; list++) {
    if (strcmp(list->code, code) == 0) return list->label;
  }
  return NULL;
}

bool code_valid(const struct code *list, const char *code) { return code_label(list, code) != NULL; }
