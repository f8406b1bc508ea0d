/*
** Merging two children's records and undoing a merge (store_merge.c), and the
** duplicates queue (store_duplicates.c).
*/
#ifndef SAFEHUB_STORE_MERGE_H
#define SAFEHUB_STORE_MERGE_H
#include <stdint.h>
#include <jansson.h>
#include "store/db.h"

int store_merge_rows(struct db *db, const char *kept, const char *merged, int64_t now, json_t *moved);
int store_unmerge_rows(struct db *db, const char *kept, const char *merged, json_t *moved);
int store_merge_insert(struct db *db, const char *id, const char *kept, const char *merged, const char *candidate,
                       json_t *moved, json_t *added, const char *reason, const char *by, int64_t at);
int store_merge_get(struct db *db, const char *id, json_t **out);
int store_merge_mark_undone(struct db *db, const char *id, const char *by, int64_t at);
int store_merges_for_child(struct db *db, const char *child_id, json_t **out);

int store_duplicates_list(struct db *db, const char *status, int limit, json_t **out);
int store_duplicate_get(struct db *db, const char *id, json_t **out);
/* A person's decision on a suggested match (match_decisions); NULL for an absent optional field. */
struct match_decision {
  const char *id, *subject_type, *subject_id, *child_id, *decision, *probability, *model_id, *reason, *decided_by;
  int64_t decided_at;
};
int store_match_decision_add(struct db *db, const struct match_decision *d);
int store_children_for_linkage(struct db *db, void (*each)(void *ctx, const char *const cols[8]), void *ctx);
int store_duplicate_add(struct db *db, const char *id, const char *child_a, const char *child_b, double probability,
                        const char *explanation, const char *model_id, int64_t at);
int store_duplicate_decide(struct db *db, const char *id, const char *from_status, const char *to_status,
                           const char *by, int64_t at, const char *reason);

#endif
