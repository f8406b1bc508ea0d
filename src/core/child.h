/*
** The child record: validation and normalisation of the fields the contract
** names, and the search keys derived from them.  Pure: no I/O.
*/
#ifndef SAFEHUB_CORE_CHILD_H
#define SAFEHUB_CORE_CHILD_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/fields.h"

/*
** The scheme of the keys child_search_keys makes.  Raise it with any change
** to what it or child_match_keys produce (or to the name tables they use):
** 'safehub init' then rebuilds every stored child's keys, and the server
** refuses to start until it has, so that no child drops out of search.
*/
#define CHILD_KEYS_SCHEME 1

struct search_key {
  char kind[2]; /* "n" name token, "d" date of birth, "p" postcode, "h" NHS number; "s", "f", "g", "t" linkage blocks */
  char key[64];
};

bool child_validate(json_t *child, bool partial, int64_t today, struct field_errors *errs);
int child_search_keys(json_t *child, struct search_key *keys, int max);
int child_match_keys(const char *first, const char *last, const char *dob, const char *postcode,
                     struct search_key *keys, int n, int max);
const char *child_display_name(json_t *child, char *out, size_t outcap);

#endif
