/*
** Intelligence on people, vehicles, phones, places and online accounts: the
** rules with no I/O.  The 3x5x2 grading (and the older 5x5x5, kept and shown
** as recorded), the entity types and each type's allowlisted fields, the
** normalised keys by which the same vehicle, phone or account is recognised
** when two agencies record it, and the relations a link may name.
*/
#ifndef SAFEHUB_CORE_INTEL_H
#define SAFEHUB_CORE_INTEL_H
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "core/codes.h"
#include "core/fields.h"

enum entity_type { ENTITY_PERSON, ENTITY_VEHICLE, ENTITY_PHONE, ENTITY_LOCATION, ENTITY_ACCOUNT, ENTITY_TYPE_COUNT };

/* The contract's name of TYPE ("person", "vehicle", "phone", "location", "online_account"). */
const char *entity_type_name(enum entity_type type);
/* TYPE from its contract name: false when NAME is none of them. */
bool entity_type_parse(const char *name, enum entity_type *type);

/*
** The code lists a person's ethnicity and a place's kind are taken from, with
** their plain words (for forms and reports): ONS 2021 self-defined ethnicity
** and the officer-observed IC codes, each with "not_known"; location kinds.
*/
extern const struct code INTEL_ETHNICITY_SELF[];
extern const struct code INTEL_ETHNICITY_OBSERVED[];
extern const struct code INTEL_LOCATION_KINDS[];

/* The allowlist of an entity of TYPE ("type" included), NULL-name terminated; static storage. */
const struct field_spec *entity_fields(enum entity_type type);

/*
** Checks an entity's JSON INPUT beyond its allowlist: codes from their lists,
** the explicit "not_known" a person's ethnicity and nationality need, a
** person's name or description, a date of birth not in the future (TODAY is
** YYYY-MM-DD), a registration, number or postcode that normalises.  Adds one
** error per bad field to ERRS; true when there were none.
*/
bool entity_validate(enum entity_type type, json_t *input, const char *today, struct field_errors *errs);

/*
** The key by which two records of one vehicle, phone, online account or place
** are recognised as one: "VRM:AB12CDE", "TEL:07700900123",
** "ACC:snapchat:handle", "LOC:S601AA:name".  Written to OUT (CAP bytes);
** false for a person (people are not merged by key) or input that does not
** normalise.  INPUT has passed entity_validate.
*/
bool entity_key(enum entity_type type, json_t *input, char *out, size_t cap);
#define ENTITY_KEY_MAX 640 /* room for the longest key the allowlists allow (an account's), with its NUL */

/* A short label for lists and link charts, e.g. "Ford Focus AB12 CDE" (OUT, CAP bytes). */
void entity_label(enum entity_type type, json_t *input, char *out, size_t cap);

/* The gradings: 3x5x2 (the current one) and 5x5x5 (older records, kept as recorded). */
enum grading_scheme { GRADING_3X5X2, GRADING_5X5X5 };

struct grading {
  enum grading_scheme scheme;
  char source[2];       /* 3x5x2: "1".."3"; 5x5x5: "A".."E" */
  char intelligence[2]; /* 3x5x2: "A".."E"; 5x5x5: "1".."5" */
  char handling[2];     /* 3x5x2: "P" or "C"; 5x5x5: "1".."5" */
};

/*
** Reads and checks the grading of an intelligence INPUT ("grading" absent
** means 3x5x2; "source_evaluation", "intelligence_assessment",
** "handling_code", "handling_conditions").  Conditions are required with
** handling C (3x5x2) or 4 and 5 (5x5x5), and refused without.  Adds errors
** naming each field to ERRS; true and OUT filled when all is well.
*/
bool grading_parse(json_t *input, struct grading *out, struct field_errors *errs);
/* The grade as officers write it, e.g. "1B P" or "B2 4" for 5x5x5 (OUT, CAP bytes). */
void grading_code(const struct grading *g, char *out, size_t cap);
/* Plain words for each part of G, for pages (static strings). */
const char *grading_source_label(const struct grading *g);
const char *grading_intelligence_label(const struct grading *g);
const char *grading_handling_label(const struct grading *g);
/* Whether G's handling code carries conditions that must be shown wherever the item is. */
bool grading_has_conditions(const struct grading *g);

/* The relations a link may name ("associates_with", "drives", ...), NULL terminated; static storage. */
extern const char *const INTEL_RELATIONS[];
bool intel_relation_valid(const char *relation);
/* Plain words for RELATION, e.g. "was seen at"; RELATION itself when unknown. */
const char *intel_relation_label(const char *relation);

/* The allowlist of an intelligence item (links included), NULL-name terminated; static storage. */
extern const struct field_spec INTEL_FIELDS[];
#define INTEL_LINKS_MAX 100   /* links in one item, at most */
#define INTEL_SUMMARY_MAX 8000 /* bytes of an item's summary, at most */

#endif
