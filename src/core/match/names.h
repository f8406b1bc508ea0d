/*
** Name knowledge shipped as data: groups of names that are the same name
** (nicknames and diminutives: Bill/William, Peggy/Margaret; transliteration
** variants: Mohammed/Muhammad/Mohammad, Chaudhry/Choudhury), spelling rules
** that map a name to a variant key ("Rasheed" and "Rashid" meet), and the
** abbreviations of address words ("rd" is "road").  Built from the CSV
** tables in config/ (compiled into the binary) or from any text of the same
** form.  Pure: parsing works on text; nothing here reads files.
*/
#ifndef SAFEHUB_CORE_MATCH_NAMES_H
#define SAFEHUB_CORE_MATCH_NAMES_H
#include <stddef.h>
#include <stdint.h>
#include "core/match/strtab.h"

#define NAMES_GROUPS 3 /* groups remembered per name (e.g. "sam": Samuel, Samantha) */
#define NAMES_KEY_MAX 32

/* One spelling rule: FROM becomes TO at the start, at the end or anywhere in a key. */
struct name_rule {
  enum { RULE_ANY, RULE_START, RULE_END, RULE_DOUBLE } where;
  char from[8], to[8];
};

struct match_names {
  struct strtab names;   /* folded name -> id */
  uint32_t (*groups)[NAMES_GROUPS]; /* per name id: group ids + 1, 0 = none */
  size_t groups_cap;
  struct strtab group_keys; /* canonical group name -> group id */
  struct name_rule *rules;
  size_t nrules;
  struct strtab abbrev;  /* short address word -> id */
  uint32_t *abbrev_to;   /* per abbrev id: id in abbrev_long */
  size_t abbrev_cap;
  struct strtab abbrev_long;
};

int match_names_add_groups(struct match_names *nm, const char *csv_text, size_t len, char *err, size_t errcap);
int match_names_add_rules(struct match_names *nm, const char *csv_text, size_t len, char *err, size_t errcap);
int match_names_add_abbrev(struct match_names *nm, const char *csv_text, size_t len, char *err, size_t errcap);
void match_names_init(struct match_names *nm);
void match_names_free(struct match_names *nm);
const struct match_names *match_names_default(void);

int match_names_groups(const struct match_names *nm, const char *key, uint32_t out[NAMES_GROUPS]);
size_t match_names_variant_key(const struct match_names *nm, const char *key, char *out, size_t outcap);
const char *match_names_expand(const struct match_names *nm, const char *word);

#endif
