/*
** The record-level access policy: who may see which child.  Pure: the
** caller supplies the facts (is the user's agency involved with the child).
**
** A child's record is open to the area-wide roles (MASH, managers, the
** director) and to practitioners whose agency is involved with the child
** (raised a referral, holds an allocation, recorded an event).  To anyone else
** the record does not exist: a direct fetch is 404, and a search shows only
** that a matching child is known.  Administrators, strategic leaders and
** auditors never see a child's record.
*/
#ifndef SAFEHUB_ACCESS_POLICY_H
#define SAFEHUB_ACCESS_POLICY_H
#include <stdbool.h>
#include "access/principal.h"

bool policy_sees_all_children(enum role role);
bool policy_may_see_child(enum role role, bool agency_involved);

#endif
