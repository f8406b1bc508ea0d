/*
** Allowlisted input.  Each route declares the fields it accepts, their types,
** limits and validators; anything undeclared is refused.  Errors are
** collected per field (the first reason for each) so that one response names
** every problem, as the contract's 422 requires.  Pure: no I/O.
*/
#ifndef SAFEHUB_CORE_FIELDS_H
#define SAFEHUB_CORE_FIELDS_H
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

struct field_errors {
  json_t *fields; /* object: field name -> reason */
};

void ferr_init(struct field_errors *e);
void ferr_free(struct field_errors *e);
void ferr_add(struct field_errors *e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool ferr_any(const struct field_errors *e);
const char *ferr_get(const struct field_errors *e, const char *field);

enum ftype { F_STRING, F_BOOL, F_INT, F_NUMBER, F_OBJECT, F_STRINGS, F_OBJECTS };

enum {
  F_REQUIRED = 1,  /* must be present and, for strings, not blank */
  F_NULLABLE = 2,  /* null is accepted (and means "clear" on update) */
  F_MULTILINE = 4, /* newlines allowed in the text */
};

struct field_spec;
/* An extra check on a present, well-typed value: false with WHY filled when bad. */
typedef bool (*field_check_fn)(json_t *value, char *why, size_t whylen);

struct field_spec {
  const char *name;
  enum ftype type;
  unsigned flags;
  size_t max_len;                /* strings: bytes; arrays: items */
  field_check_fn check;          /* optional */
  const struct field_spec *sub;  /* F_OBJECT / F_OBJECTS: the nested allowlist, NULL-name terminated */
};

bool fields_check(json_t *obj, const struct field_spec *specs, const char *prefix, bool partial,
                  struct field_errors *errs);
bool fields_allowed_query(const char *const *names, const char *key);
bool field_check_id(json_t *value, char *why, size_t whylen);

#endif
