/*
** libFuzzer target for JSON request bodies: the input is read as the server
** reads it (utf8_valid, then jansson's json_loadb with JSON_REJECT_DUPLICATES),
** then an object goes through core/fields.c's fields_check against an
** allowlist using every field type and flag, and through core/child.c's
** child_validate, full and partial.  fields_check's verdict is compared with a
** reference written from fields.h; every refusal must name at least one field;
** a child record that is accepted must be normalised (trimmed names, census
** ethnicity code, canonical postcode and NHS number, no undeclared field), must
** validate again to exactly itself, and must also pass as a partial update.
*/
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "core/child.h"
#include "core/codes.h"
#include "core/fields.h"
#include "core/validate.h"
#include "util/codec.h"
#include "util/timeutil.h"
#include "fuzz.h"

/* White space as isspace() in the C locale. */
static bool ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

/* True when S is empty or only white space. */
static bool blank(const char *s) {
  for (; *s; s++) {
    if (!ws(*s)) return false;
  }
  return true;
}

/* True when S has no leading or trailing white space. */
static bool is_trimmed(const char *s) {
  size_t n = strlen(s);
  return n == 0 || (!ws(s[0]) && !ws(s[n - 1]));
}

/* ---- fields_check against a reference ---- */

/* An extra check for the test allowlist: a real date. */
static bool check_date(json_t *v, char *why, size_t n) {
  int64_t days;
  if (date_parse(json_string_value(v), &days)) return true;
  snprintf(why, n, "must be a date");
  return false;
}

static const struct field_spec INNER[] = {
    {"code", F_STRING, F_REQUIRED, 8, NULL, NULL},
    {"note", F_STRING, F_NULLABLE | F_MULTILINE, 40, NULL, NULL},
    {"n", F_INT, 0, 0, NULL, NULL},
    {"deep", F_OBJECT, F_NULLABLE, 0, NULL, INNER},
    {NULL, 0, 0, 0, NULL, NULL},
};

static const struct field_spec SPECS[] = {
    {"name", F_STRING, F_REQUIRED, 20, NULL, NULL},
    {"text", F_STRING, F_NULLABLE | F_MULTILINE, 200, NULL, NULL},
    {"date", F_STRING, F_NULLABLE, 10, check_date, NULL},
    {"flag", F_BOOL, 0, 0, NULL, NULL},
    {"count", F_INT, F_NULLABLE, 0, NULL, NULL},
    {"tags", F_STRINGS, 0, 5, NULL, NULL},
    {"inner", F_OBJECT, F_NULLABLE, 0, NULL, INNER},
    {"items", F_OBJECTS, 0, 4, NULL, INNER},
    {"any", F_OBJECT, 0, 0, NULL, NULL},
    {"list", F_OBJECTS, F_REQUIRED, 0, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

/* Reference string rule: length, no control characters (tab allowed, newlines if multiline), blankness. */
static bool ref_string(json_t *v, size_t max_len, unsigned flags) {
  const char *s = json_string_value(v);
  size_t len = json_string_length(v);
  if (max_len && len > max_len) return false;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '\t' || ((c == '\n' || c == '\r') && (flags & F_MULTILINE))) continue;
    if (c < 0x20 || c == 0x7F) return false;
  }
  return !((flags & F_REQUIRED) && blank(s));
}

static bool ref_object(json_t *obj, const struct field_spec *specs, bool partial);

/* Reference rule for one present value V of spec S. */
static bool ref_value(const struct field_spec *s, json_t *v, bool partial) {
  if (json_is_null(v)) return (s->flags & F_NULLABLE) != 0;
  bool ok = true;
  switch (s->type) {
  case F_STRING: ok = json_is_string(v) && ref_string(v, s->max_len, s->flags); break;
  case F_BOOL: ok = json_is_boolean(v); break;
  case F_INT: ok = json_is_integer(v); break;
  case F_NUMBER: ok = json_is_number(v); break;
  case F_OBJECT: ok = json_is_object(v) && (!s->sub || ref_object(v, s->sub, partial)); break;
  case F_STRINGS:
  case F_OBJECTS: {
    if (!json_is_array(v) || (s->max_len && json_array_size(v) > s->max_len)) return false;
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item) {
      if (s->type == F_STRINGS) ok = ok && json_is_string(item) && ref_string(item, 200, F_REQUIRED);
      else ok = ok && json_is_object(item) && (!s->sub || ref_object(item, s->sub, false));
    }
    break;
  }
  }
  if (ok && s->check) {
    char why[200];
    ok = s->check(v, why, sizeof why);
  }
  return ok;
}

/* Reference rule for an object: only declared keys, each valid, required ones present unless PARTIAL. */
static bool ref_object(json_t *obj, const struct field_spec *specs, bool partial) {
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v) {
    const struct field_spec *s = specs;
    while (s->name && strcmp(s->name, key) != 0) s++;
    if (!s->name || !ref_value(s, v, partial)) return false;
  }
  if (!partial) {
    for (const struct field_spec *s = specs; s->name; s++) {
      if ((s->flags & F_REQUIRED) && !json_object_get(obj, s->name)) return false;
    }
  }
  return true;
}

/* fields_check agrees with the reference, and refuses only with a reason for some field. */
static void check_fields(json_t *obj, bool partial, const char *prefix) {
  struct field_errors errs;
  ferr_init(&errs);
  bool ok = fields_check(obj, SPECS, prefix, partial, &errs);
  CHECK(ok == ref_object(obj, SPECS, partial));
  CHECK(ok == !ferr_any(&errs));
  const char *key;
  json_t *v;
  json_object_foreach(errs.fields, key, v) {
    CHECK(json_is_string(v) && json_string_length(v) > 0);
    if (prefix) CHECK(strncmp(key, prefix, strlen(prefix)) == 0);
  }
  /* An undeclared top-level key is always named (when its path is short enough to be kept whole). */
  json_object_foreach(obj, key, v) {
    const struct field_spec *s = SPECS;
    while (s->name && strcmp(s->name, key) != 0) s++;
    if (!s->name && !prefix && strlen(key) < 159) CHECK(ferr_get(&errs, key) != NULL);
  }
  ferr_free(&errs);
}

/* ---- child_validate ---- */

/* The child record's fields as the contract names them. */
static const char *const CHILD_KEYS[] = {
    "first_name", "last_name", "aliases",    "date_of_birth", "gender",       "ethnicity",
    "address",    "postcode",  "nhs_number", "school",        "looked_after", "placement",
    NULL,
};

/* True when K is one of the child record's fields. */
static bool child_key(const char *k) {
  for (const char *const *p = CHILD_KEYS; *p; p++) {
    if (strcmp(*p, k) == 0) return true;
  }
  return false;
}

/* Optional free text after validation: absent, null, or trimmed and not blank. */
static void check_optional_text(json_t *child, const char *k) {
  json_t *v = json_object_get(child, k);
  if (!v || json_is_null(v)) return;
  CHECK(json_is_string(v));
  CHECK(!blank(json_string_value(v)) && is_trimmed(json_string_value(v)));
}

/* What an accepted record (or update, with PARTIAL) must look like once normalised. */
static void check_normalised(json_t *c, bool partial) {
  const char *key;
  json_t *v;
  json_object_foreach(c, key, v) CHECK(child_key(key));
  static const char *const names[] = {"first_name", "last_name"};
  for (size_t i = 0; i < 2; i++) {
    v = json_object_get(c, names[i]);
    if (partial && !v) continue;
    CHECK(json_is_string(v) && !blank(json_string_value(v)) && is_trimmed(json_string_value(v)));
  }
  v = json_object_get(c, "ethnicity");
  if (!partial || v) CHECK(json_is_string(v) && code_valid(ETHNICITY_CODES, json_string_value(v)));
  v = json_object_get(c, "gender");
  if (v) CHECK(json_is_string(v) && code_valid(GENDERS, json_string_value(v)));
  v = json_object_get(c, "postcode");
  if (v && !json_is_null(v)) {
    char pc[16];
    CHECK(json_is_string(v) && postcode_normalise(json_string_value(v), pc, sizeof pc));
    CHECK(strcmp(pc, json_string_value(v)) == 0);
  }
  v = json_object_get(c, "nhs_number");
  if (v && !json_is_null(v)) {
    char nhs[11];
    CHECK(json_is_string(v) && json_string_length(v) == 10);
    CHECK(nhs_number_normalise(json_string_value(v), nhs) && strcmp(nhs, json_string_value(v)) == 0);
  }
  v = json_object_get(c, "date_of_birth");
  if (v && !json_is_null(v)) {
    int64_t days;
    CHECK(json_is_string(v) && date_parse(json_string_value(v), &days));
    CHECK(days <= london_today(time_now()) + 1);
  }
  check_optional_text(c, "address");
  check_optional_text(c, "school");
  v = json_object_get(c, "aliases");
  if (v) {
    size_t i;
    json_t *a;
    CHECK(json_is_array(v));
    json_array_foreach(v, i, a) {
      CHECK(json_is_string(a) && !blank(json_string_value(a)) && is_trimmed(json_string_value(a)));
    }
  }
  /* A placement is recorded only for a looked-after child. */
  if (json_is_object(json_object_get(c, "placement"))) {
    CHECK(!json_is_false(json_object_get(c, "looked_after")));
  }

  /* Search keys are bounded, non-empty and of a known kind. */
  enum { MAXKEYS = 24 };
  struct search_key *keys = malloc(sizeof(struct search_key) * MAXKEYS);
  if (!keys) abort();
  int n = child_search_keys(c, keys, MAXKEYS);
  CHECK(n >= 0 && n <= MAXKEYS);
  for (int i = 0; i < n; i++) {
    CHECK(strlen(keys[i].kind) == 1 && strchr("ndphsfgt", keys[i].kind[0]) != NULL);
    CHECK(keys[i].key[0] != '\0' && strlen(keys[i].key) < sizeof keys[i].key);
  }
  free(keys);
}

/* Validates a copy of OBJ; an accepted record is normalised and a fixed point. Returns the verdict. */
static bool check_child(json_t *obj, bool partial) {
  json_t *c = json_deep_copy(obj);
  struct field_errors errs;
  ferr_init(&errs);
  bool ok = child_validate(c, partial, london_today(time_now()), &errs);
  CHECK(ok == !ferr_any(&errs));
  ferr_free(&errs);
  if (ok) {
    check_normalised(c, partial);
    json_t *again = json_deep_copy(c);
    ferr_init(&errs);
    CHECK(child_validate(again, partial, london_today(time_now()), &errs));
    CHECK(!ferr_any(&errs));
    CHECK(json_equal(again, c));
    ferr_free(&errs);
    json_decref(again);
  }
  json_decref(c);
  return ok;
}

/* Reads the input as a JSON body and checks both validators on it. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /*
  ** As the server does (http/request.c): UTF-8 first, then JSON.  The order
  ** matters, since jansson 2.14 skips a raw NUL byte in places (e.g. "[1\0,2]").
  */
  if (!utf8_valid((const char *)data, size)) return 0;
  json_error_t jerr;
  json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
  if (!j) return 0;
  if (json_is_object(j)) {
    check_fields(j, false, NULL);
    check_fields(j, true, NULL);
    check_fields(j, false, "body");
    bool full = check_child(j, false);
    bool partial = check_child(j, true);
    /* An update is held to less than a new record. */
    if (full) CHECK(partial);
  }
  json_decref(j);
  return 0;
}
