/*
** Named operations for intelligence: people, vehicles, phones, places and
** online accounts (entities), graded intelligence items and the links each
** reports, and what the network is built from (every link, with children
** merged into another record read as the record kept, and the labels of the
** nodes).  Same conventions as store.h (DB_OK / DB_ROW found / DB_DONE
** absent; callers own transactions).
**
** JSON returned here is the API's shape without what the rules add (the
** grade as officers write it and its plain words, link labels): the service
** adds those.  Times are ISO 8601; people are named by username and agencies
** by code.
*/
#ifndef SAFEHUB_STORE_INTEL_STORE_H
#define SAFEHUB_STORE_INTEL_STORE_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "store/db.h"
#include "util/codec.h"

/* One entity as recorded (strings borrowed; NULL for SQL NULL). */
struct entity_row {
  const char *id, *type, *label, *key;
  const char *attrs; /* JSON object text */
  const char *ethnicity_self, *ethnicity_observed, *nationality, *location_kind;
  int64_t created_at;
  const char *created_by, *agency_id;
};

/* One intelligence item as recorded (strings borrowed; NULL for SQL NULL). */
struct intel_row {
  const char *id, *summary, *grading, *source_evaluation, *intelligence_assessment, *handling_code;
  const char *handling_conditions;
  bool has_occurred_at;
  int64_t occurred_at, recorded_at;
  const char *recorded_by, *agency_id;
};

/* One link as the network reads it (strings borrowed for the call only). */
struct intel_link_row {
  const char *from_id, *to_id; /* children merged into another: the record kept */
  const char *relation, *intelligence_id;
  const char *handling_conditions; /* the item's; NULL when none */
};

/* A node's label (strings borrowed for the call only). */
struct intel_node_row {
  const char *id;
  bool child;                /* a child's record, else an entity */
  const char *type;          /* entity type; "child" for a child */
  const char *label;         /* the entity's label, or the child's full name */
  const char *location_kind; /* places only; else NULL */
};

/* entities */
int store_entity_insert(struct db *db, const struct entity_row *e);
int store_entity_get(struct db *db, const char *id, json_t **out);
int store_entity_by_key(struct db *db, const char *key, char id_out[ID_MAX]);
int store_entity_type(struct db *db, const char *id, char *type_out, size_t cap);
int store_entity_search(struct db *db, const char *needle, const char *key1, const char *key2, const char *type,
                        int limit, json_t **out);
int store_entity_intel(struct db *db, const char *id, int limit, json_t **out);
int store_entity_links(struct db *db, const char *id, int limit, json_t **out);

/* children as link ends */
int store_intel_child(struct db *db, const char *id, char merged_into[ID_MAX]);
int store_intel_kept(struct db *db, const char *id, char kept[ID_MAX]);

/* intelligence */
int store_intel_insert(struct db *db, const struct intel_row *it);
int store_intel_link_insert(struct db *db, const char *intelligence_id, int position, const char *from_id,
                            const char *to_id, const char *relation, int64_t recorded_at);
int store_intel_get(struct db *db, const char *id, json_t **out);
int store_intel_list(struct db *db, const char *about, int limit, json_t **out);

/* the network */
int store_intel_links_each(struct db *db, void (*each)(void *ctx, const struct intel_link_row *l), void *ctx);
struct intel_near;
int store_intel_near_open(struct db *db, struct intel_near **out);
int store_intel_near_links(struct intel_near *nl, const char *const *ids, int n,
                           void (*each)(void *ctx, const struct intel_link_row *l), void *ctx);
void store_intel_near_close(struct intel_near *nl);
int store_intel_node_labels(struct db *db, const char *const *ids, int n,
                            void (*each)(void *ctx, const struct intel_node_row *row), void *ctx);

#endif
