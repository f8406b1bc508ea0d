/*
** The roles of the contract and role sets as bit masks.  A route admits a
** set of roles; everything else is refused (deny by default).
*/
#ifndef SAFEHUB_ACCESS_ROLES_H
#define SAFEHUB_ACCESS_ROLES_H
#include <stdbool.h>

enum role {
  ROLE_REFERRER,
  ROLE_MASH,
  ROLE_SOCIAL_WORKER,
  ROLE_CSE_WORKER,
  ROLE_POLICE,
  ROLE_ANALYST,
  ROLE_MANAGER,
  ROLE_DIRECTOR,
  ROLE_STRATEGIC,
  ROLE_AUDITOR,
  ROLE_ADMIN,
  ROLE_COUNT
};

typedef unsigned roleset;
#define R(r) (1u << (r))
#define ROLES_ALL ((1u << ROLE_COUNT) - 1)
/* Roles that work with identifiable children's records. */
#define ROLES_CASE                                                                             \
  (R(ROLE_REFERRER) | R(ROLE_MASH) | R(ROLE_SOCIAL_WORKER) | R(ROLE_CSE_WORKER) |             \
   R(ROLE_POLICE) | R(ROLE_ANALYST) | R(ROLE_MANAGER) | R(ROLE_DIRECTOR))
/* Roles that see every child in the area without being involved. */
#define ROLES_AREA_WIDE (R(ROLE_MASH) | R(ROLE_MANAGER) | R(ROLE_DIRECTOR))
/* Roles that may read the audit trail of a record. */
#define ROLES_AUDIT_READERS (R(ROLE_MANAGER) | R(ROLE_DIRECTOR) | R(ROLE_AUDITOR))

const char *role_name(enum role r);
bool role_parse(const char *s, enum role *out);
static inline bool role_in(enum role r, roleset set) { return (set >> r) & 1u; }

#endif
