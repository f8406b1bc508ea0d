/*
** Pages of intelligence and networks (web/intel.c), registered in
** routes_intel.c with the roles service/intel.h names: the intelligence
** home (recent items and a search of people, vehicles, phones, places and
** online accounts), recording one of those and reading its record, recording
** graded intelligence with its links and reading an item, the network around
** an entity or a child (tables, and a link chart drawn by web/network.js when
** JavaScript runs), and the groups the whole network falls into.
*/
#ifndef SAFEHUB_WEB_INTEL_WEB_H
#define SAFEHUB_WEB_INTEL_WEB_H
#include "http/http.h"

/* Rows of links on the intelligence form (each: from, relation, to). */
#define WEB_INTEL_LINK_ROWS 5

void web_intel_home(struct req *r);
void web_entity_new_form(struct req *r);
void web_entity_new(struct req *r);
void web_entity_view(struct req *r);
void web_intel_new_form(struct req *r);
void web_intel_new(struct req *r);
void web_intel_view(struct req *r);
void web_network(struct req *r);
void web_network_clusters(struct req *r);

#endif
