/*
** The child record: allowlist, validation, normalisation and search keys
** (see child.h).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/child.h"
#include "core/codes.h"
#include "core/match/record.h"
#include "core/validate.h"
#include "util/text.h"
#include "util/timeutil.h"

/* Oldest age at which a record is still a child's (care leavers to 25). */
#define MAX_AGE_YEARS 25

/*
** The day child_validate judges dates against (its TODAY argument).  Field
** checks take no context, so it reaches them through this thread-local;
** using the caller's day rather than the clock keeps one request's checks on
** one day and lets tests name the day.
*/
static _Thread_local int64_t validate_today;

/* A real date of birth, not in the future, of someone aged MAX_AGE_YEARS or under. */
static bool check_dob(json_t *v, char *why, size_t n) {
  int64_t days;
  if (!date_parse(json_string_value(v), &days)) {
    snprintf(why, n, "must be a real date written YYYY-MM-DD");
    return false;
  }
  int64_t today = validate_today;
  if (days > today) {
    snprintf(why, n, "must not be in the future");
    return false;
  }
  if (age_in_years(days, today) > MAX_AGE_YEARS) {
    snprintf(why, n, "must be the date of birth of someone aged %d or under", MAX_AGE_YEARS);
    return false;
  }
  return true;
}

/* A real date no later than today. */
static bool check_past_date(json_t *v, char *why, size_t n) {
  int64_t days;
  if (!date_parse(json_string_value(v), &days)) {
    snprintf(why, n, "must be a real date written YYYY-MM-DD");
    return false;
  }
  if (days > validate_today) {
    snprintf(why, n, "must not be in the future");
    return false;
  }
  return true;
}

/* A code from LIST; otherwise WHY says it must be WHAT. */
static bool check_code(const struct code *list, const char *what, json_t *v, char *why, size_t n) {
  if (code_valid(list, json_string_value(v))) return true;
  snprintf(why, n, "must be %s", what);
  return false;
}

/* One of the gender codes. */
static bool check_gender(json_t *v, char *why, size_t n) {
  return check_code(GENDERS, "one of female, male, other, not_known", v, why, n);
}

/* A census ethnicity code, NOBT or REFU: never empty (the field is required). */
static bool check_ethnicity(json_t *v, char *why, size_t n) {
  return check_code(ETHNICITY_CODES,
                    "a children's census ethnicity code, NOBT if not yet obtained or REFU if refused",
                    v, why, n);
}

/* An SSDA903 legal status. */
static bool check_legal_status(json_t *v, char *why, size_t n) {
  return check_code(LEGAL_STATUSES, "an SSDA903 legal status code (for example C2 or V2)", v, why, n);
}

/* An SSDA903 placement type. */
static bool check_placement_type(json_t *v, char *why, size_t n) {
  return check_code(PLACEMENT_TYPES, "an SSDA903 placement type code (for example U4 or K2)", v, why, n);
}

/* A UK postcode; blank is allowed here because child_validate turns it into null. */
static bool check_postcode(json_t *v, char *why, size_t n) {
  char pc[16];
  if (text_is_blank(json_string_value(v))) return true;
  if (postcode_normalise(json_string_value(v), pc, sizeof pc)) return true;
  snprintf(why, n, "must be a UK postcode, for example S60 1AE");
  return false;
}

/* An NHS number with a valid check digit; blank is allowed (it becomes null). */
static bool check_nhs(json_t *v, char *why, size_t n) {
  char nhs[11];
  if (text_is_blank(json_string_value(v))) return true;
  if (nhs_number_normalise(json_string_value(v), nhs)) return true;
  snprintf(why, n, "must be a 10-digit NHS number with a valid check digit");
  return false;
}

static const struct field_spec PLACEMENT_FIELDS[] = {
    {"legal_status", F_STRING, F_NULLABLE, 4, check_legal_status, NULL},
    {"type", F_STRING, F_NULLABLE, 4, check_placement_type, NULL},
    {"start_date", F_STRING, F_NULLABLE, 10, check_past_date, NULL},
    {"placing_authority", F_STRING, F_NULLABLE, 120, NULL, NULL},
    {"host_authority", F_STRING, F_NULLABLE, 120, NULL, NULL},
    {"out_of_area", F_BOOL, F_NULLABLE, 0, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static const struct field_spec CHILD_FIELDS[] = {
    {"first_name", F_STRING, F_REQUIRED, 100, NULL, NULL},
    {"last_name", F_STRING, F_REQUIRED, 100, NULL, NULL},
    {"aliases", F_STRINGS, 0, 20, NULL, NULL},
    {"date_of_birth", F_STRING, F_NULLABLE, 10, check_dob, NULL},
    {"gender", F_STRING, 0, 16, check_gender, NULL},
    {"ethnicity", F_STRING, F_REQUIRED, 4, check_ethnicity, NULL},
    {"address", F_STRING, F_NULLABLE | F_MULTILINE, 500, NULL, NULL},
    {"postcode", F_STRING, F_NULLABLE, 10, check_postcode, NULL},
    {"nhs_number", F_STRING, F_NULLABLE, 14, check_nhs, NULL},
    {"school", F_STRING, F_NULLABLE, 200, NULL, NULL},
    {"looked_after", F_BOOL, 0, 0, NULL, NULL},
    {"placement", F_OBJECT, F_NULLABLE, 0, NULL, PLACEMENT_FIELDS},
    {NULL, 0, 0, 0, NULL, NULL},
};

/* Replaces string field K of O by its trimmed copy (other types are left alone). */
static void trim_field(json_t *o, const char *k) {
  json_t *v = json_object_get(o, k);
  if (!json_is_string(v)) return;
  char *t = text_trim_dup(json_string_value(v));
  json_object_set_new(o, k, json_string(t));
  free(t);
}

/*
** Checks a child record (or with PARTIAL, the fields of an update) and
** normalises it in place: names trimmed, postcode upper-cased and spaced, NHS
** number reduced to its digits, blank optional text turned into null.
** Dates are judged against TODAY (days since the epoch, London's calendar
** day).  Returns true when valid; otherwise ERRS names each bad field.
*/
bool child_validate(json_t *child, bool partial, int64_t today, struct field_errors *errs) {
  validate_today = today;
  if (!fields_check(child, CHILD_FIELDS, NULL, partial, errs)) return false;
  trim_field(child, "first_name");
  trim_field(child, "last_name");
  static const char *const optional_text[] = {"address", "school", "postcode", "nhs_number", NULL};
  for (const char *const *k = optional_text; *k; k++) {
    json_t *v = json_object_get(child, *k);
    if (json_is_string(v) && text_is_blank(json_string_value(v))) json_object_set_new(child, *k, json_null());
    else trim_field(child, *k);
  }
  json_t *pc = json_object_get(child, "postcode");
  if (json_is_string(pc)) {
    char norm[16];
    postcode_normalise(json_string_value(pc), norm, sizeof norm);
    json_object_set_new(child, "postcode", json_string(norm));
  }
  json_t *nhs = json_object_get(child, "nhs_number");
  if (json_is_string(nhs)) {
    char digits[11];
    nhs_number_normalise(json_string_value(nhs), digits);
    json_object_set_new(child, "nhs_number", json_string(digits));
  }
  json_t *aliases = json_object_get(child, "aliases");
  if (json_is_array(aliases)) {
    json_t *clean = json_array();
    size_t i;
    json_t *a;
    json_array_foreach(aliases, i, a) {
      char *t = text_trim_dup(json_string_value(a));
      json_array_append_new(clean, json_string(t));
      free(t);
    }
    json_object_set_new(child, "aliases", clean);
  }
  /* A whole record without looked_after is not looked after; an update that
     leaves looked_after out is judged by the caller against the stored record. */
  json_t *pl = json_object_get(child, "placement");
  json_t *la = json_object_get(child, "looked_after");
  if (json_is_object(pl) && (partial ? json_is_false(la) : !json_is_true(la))) {
    ferr_add(errs, "placement", "is only recorded for a looked-after child (set looked_after to true)");
    return false;
  }
  return true;
}

/* Adds KIND:KEY to the N keys unless empty, present already, or MAX is reached; returns the new count. */
static int add_key(struct search_key *keys, int n, int max, const char *kind, const char *key) {
  if (n >= max || !key[0]) return n;
  for (int i = 0; i < n; i++) {
    if (!strcmp(keys[i].kind, kind) && !strcmp(keys[i].key, key)) return n;
  }
  snprintf(keys[n].kind, sizeof keys[n].kind, "%s", kind);
  snprintf(keys[n].key, sizeof keys[n].key, "%s", key);
  return n + 1;
}

/* Adds the folded keys of NAME: the whole name and each part split at spaces, hyphens and apostrophes. */
static int add_name_tokens(struct search_key *keys, int n, int max, const char *name) {
  if (!name) return n;
  char tokens[8][64];
  char copy[256];
  snprintf(copy, sizeof copy, "%s", name);
  for (char *p = copy; *p; p++) {
    if (*p == '-' || *p == '\'') *p = ' ';
  }
  int t = text_split_tokens(copy, tokens, 8);
  char whole[64];
  /* The whole name folded too, so "O'Brien" finds "obrien" as well as "brien". */
  text_fold_key(name, whole, sizeof whole);
  n = add_key(keys, n, max, "n", whole);
  for (int i = 0; i < t; i++) {
    char key[64];
    text_fold_key(tokens[i], key, sizeof key);
    n = add_key(keys, n, max, "n", key);
  }
  return n;
}

static uint32_t name_code(const char *name) {
  if (!name || !*name) return 0;
  struct match_name mn;
  match_prepare_name(match_names_default(), name, &mn);
  return mn.dm[0];
}

/*
** Adds the blocking keys record linkage looks candidates up by (the same for a
** stored child and for a person being matched, so both sides agree):
**   "s" surname sound (Double Metaphone) and birth year,
**   "f" first-name sound and postcode district,
**   "g" first-name sound and surname sound,
**   "t" first-name sound and birth year,
** beside the exact keys "d" (date of birth) and "h" (NHS number) that search
** already keeps.  Returns the new count of KEYS (at most MAX).
*/
int child_match_keys(const char *first, const char *last, const char *dob, const char *postcode,
                     struct search_key *keys, int n, int max) {
  uint32_t fc = name_code(first), lc = name_code(last);
  char key[64];
  if (lc && dob && strlen(dob) >= 4) {
    snprintf(key, sizeof key, "%08x:%.4s", lc, dob);
    n = add_key(keys, n, max, "s", key);
  }
  char pc[16], district[12];
  if (fc && postcode && postcode_normalise(postcode, pc, sizeof pc) && postcode_district(pc, district, sizeof district)) {
    char folded[12];
    text_fold_key(district, folded, sizeof folded);
    snprintf(key, sizeof key, "%08x:%s", fc, folded);
    n = add_key(keys, n, max, "f", key);
  }
  if (fc && lc) {
    snprintf(key, sizeof key, "%08x:%08x", fc, lc);
    n = add_key(keys, n, max, "g", key);
  }
  if (fc && dob && strlen(dob) >= 4) {
    snprintf(key, sizeof key, "%08x:%.4s", fc, dob);
    n = add_key(keys, n, max, "t", key);
  }
  return n;
}

/* Fills KEYS with the child's search keys; returns how many (at most MAX). */
int child_search_keys(json_t *child, struct search_key *keys, int max) {
  int n = 0;
  n = add_name_tokens(keys, n, max, json_string_value(json_object_get(child, "first_name")));
  n = add_name_tokens(keys, n, max, json_string_value(json_object_get(child, "last_name")));
  size_t i;
  json_t *a;
  json_array_foreach(json_object_get(child, "aliases"), i, a) {
    n = add_name_tokens(keys, n, max, json_string_value(a));
  }
  const char *dob = json_string_value(json_object_get(child, "date_of_birth"));
  if (dob) n = add_key(keys, n, max, "d", dob);
  const char *pc = json_string_value(json_object_get(child, "postcode"));
  if (pc) {
    char key[64];
    text_fold_key(pc, key, sizeof key);
    n = add_key(keys, n, max, "p", key);
  }
  const char *nhs = json_string_value(json_object_get(child, "nhs_number"));
  if (nhs) n = add_key(keys, n, max, "h", nhs);
  const char *first = json_string_value(json_object_get(child, "first_name"));
  const char *last = json_string_value(json_object_get(child, "last_name"));
  n = child_match_keys(first, last, dob, pc, keys, n, max);
  /* A child known by another name is found by it too. */
  json_array_foreach(json_object_get(child, "aliases"), i, a) {
    const char *alias = json_string_value(a);
    const char *space = alias ? strrchr(alias, ' ') : NULL;
    if (space) {
      char af[64];
      snprintf(af, sizeof af, "%.*s", (int)(space - alias), alias);
      n = child_match_keys(af, space + 1, dob, pc, keys, n, max);
    } else {
      n = child_match_keys(alias, last, dob, pc, keys, n, max);
    }
  }
  return n;
}

/* "First Last" into OUT; returns OUT. */
const char *child_display_name(json_t *child, char *out, size_t outcap) {
  const char *f = json_string_value(json_object_get(child, "first_name"));
  const char *l = json_string_value(json_object_get(child, "last_name"));
  snprintf(out, outcap, "%s %s", f ? f : "", l ? l : "");
  return out;
}
