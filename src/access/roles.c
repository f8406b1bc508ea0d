/*
** Role names (see roles.h).
*/
#include <string.h>
#include "access/roles.h"

static const char *const names[ROLE_COUNT] = {
    "referrer", "mash", "social_worker", "cse_worker", "police", "analyst",
    "manager",  "director", "strategic", "auditor", "admin",
};

/* The contract's name for R; static memory. */
const char *role_name(enum role r) { return (unsigned)r < ROLE_COUNT ? names[r] : "unknown"; }

/* Parses a contract role name; false when S names no role. */
bool role_parse(const char *s, enum role *out) {
  for (int i = 0; i < ROLE_COUNT; i++) {
    if (strcmp(s, names[i]) == 0) {
      *out = (enum role)i;
      return true;
    }
  }
  return false;
}
