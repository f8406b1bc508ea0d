/*
** Record-level access policy (see policy.h).
*/
#include "access/policy.h"

/* True for the roles that see every child in the area without involvement. */
bool policy_sees_all_children(enum role role) { return role_in(role, ROLES_AREA_WIDE); }

/* True when a user of ROLE may see a child given whether their agency is involved. */
bool policy_may_see_child(enum role role, bool agency_involved) {
  if (!role_in(role, ROLES_CASE)) return false;
  if (policy_sees_all_children(role)) return true;
  return agency_involved;
}
