/*
** libFuzzer target for the intelligence rules (core/intel.c): the input is
** read as the server reads a JSON body (utf8_valid, then json_loadb with
** JSON_REJECT_DUPLICATES) and handed to entity_validate as each of the five
** entity types, to grading_parse, and to fields_check with INTEL_FIELDS.
** Besides memory safety it asserts: a verdict of false always names a field
** and leaves the input as it was; an accepted entity holds only its type's
** fields, in their normalised form (registration, phone number, postcode,
** platform, codes), and validates again to exactly itself; its key has the
** type's prefix and agrees with the normalised fields; labels and keys are
** valid UTF-8 that fit exactly sized buffers, whatever the input;
** grading_parse agrees with a reference written from intel.h, and an
** accepted grade has a code and plain words for every part.
*/
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "core/codes.h"
#include "core/fields.h"
#include "core/intel.h"
#include "core/validate.h"
#include "util/codec.h"
#include "fuzz.h"

#define TODAY "2026-03-15"

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

/* True when every byte of S is in SET and S has between MIN and MAX of them. */
static bool only(const char *s, const char *set, size_t min, size_t max) {
  size_t n = strlen(s);
  return n >= min && n <= max && strspn(s, set) == n;
}

/*
** A place's name as its key holds it: folded Latin letters and digits, and
** letters of other scripts as written (bytes from 0x80, valid UTF-8); no
** other ASCII (no capitals, spaces or punctuation); not empty.
*/
static bool place_name_shape(const char *s) {
  if (!*s || !utf8_valid(s, strlen(s))) return false;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p < 0x80 && !((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))) return false;
  }
  return true;
}

#define DIGITS "0123456789"
#define UPPER_ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

/* True when KEY is a field of the allowlist SPECS. */
static bool declared(const struct field_spec *specs, const char *key) {
  for (; specs->name; specs++) {
    if (strcmp(specs->name, key) == 0) return true;
  }
  return false;
}

/* A phone number in canonical form: 0 and 10 digits, or + and 7..15 digits not starting with 0. */
static bool canonical_phone(const char *s) {
  if (s[0] == '0') return only(s, DIGITS, 11, 11);
  return s[0] == '+' && s[1] != '0' && only(s + 1, DIGITS, 7, 15);
}

/* Label and key of OBJ as TYPE into exactly sized heap buffers: always terminated, valid UTF-8, within CAP. */
static void check_label_and_key(enum entity_type type, json_t *obj, size_t cap) {
  char *label = malloc(cap);
  char *key = malloc(cap);
  if (!label || !key) abort();
  entity_label(type, obj, label, cap);
  CHECK(strlen(label) < cap);
  CHECK(utf8_valid(label, strlen(label)));
  bool has = entity_key(type, obj, key, cap);
  CHECK(strlen(key) < cap);
  CHECK(has || key[0] == '\0');
  if (has) CHECK(utf8_valid(key, strlen(key)));
  if (type == ENTITY_PERSON) CHECK(!has);
  free(label);
  free(key);
}

/* What an accepted entity of TYPE must look like. */
static void check_accepted(enum entity_type type, json_t *e) {
  const struct field_spec *specs = entity_fields(type);
  const char *k;
  json_t *v;
  json_object_foreach(e, k, v) {
    CHECK(declared(specs, k));
    CHECK(!json_is_null(v));
    if (json_is_string(v)) CHECK(!blank(json_string_value(v)) && is_trimmed(json_string_value(v)));
  }
  const char *type_name = json_string_value(json_object_get(e, "type"));
  if (type_name) CHECK(strcmp(type_name, entity_type_name(type)) == 0);
  char key[600];
  bool has = entity_key(type, e, key, sizeof key);
  switch (type) {
  case ENTITY_PERSON: {
    CHECK(code_valid(INTEL_ETHNICITY_SELF, json_string_value(json_object_get(e, "ethnicity_self"))));
    CHECK(code_valid(INTEL_ETHNICITY_OBSERVED, json_string_value(json_object_get(e, "ethnicity_observed"))));
    const char *nat = json_string_value(json_object_get(e, "nationality"));
    CHECK(nat && (strcmp(nat, "not_known") == 0 || only(nat, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 2, 2)));
    CHECK(json_object_get(e, "first_name") || json_object_get(e, "last_name") || json_object_get(e, "description"));
    CHECK(!(json_object_get(e, "date_of_birth") && json_object_get(e, "approximate_age")));
    const char *dob = json_string_value(json_object_get(e, "date_of_birth"));
    if (dob) CHECK(strlen(dob) == 10 && strcmp(dob, TODAY) <= 0);
    json_t *age = json_object_get(e, "approximate_age");
    if (age) CHECK(json_is_integer(age) && json_integer_value(age) >= 10 && json_integer_value(age) <= 100);
    CHECK(!has);
    break;
  }
  case ENTITY_VEHICLE: {
    const char *reg = json_string_value(json_object_get(e, "registration"));
    CHECK(reg && only(reg, UPPER_ALNUM, 2, 8));
    CHECK(has && strncmp(key, "VRM:", 4) == 0 && strcmp(key + 4, reg) == 0);
    break;
  }
  case ENTITY_PHONE: {
    const char *num = json_string_value(json_object_get(e, "number"));
    CHECK(num && canonical_phone(num));
    CHECK(has && strncmp(key, "TEL:", 4) == 0 && strcmp(key + 4, num) == 0);
    break;
  }
  case ENTITY_LOCATION: {
    CHECK(code_valid(INTEL_LOCATION_KINDS, json_string_value(json_object_get(e, "kind"))));
    const char *pc = json_string_value(json_object_get(e, "postcode"));
    if (pc) {
      char norm[16];
      CHECK(postcode_normalise(pc, norm, sizeof norm) && strcmp(norm, pc) == 0);
    } else {
      CHECK(!has);
    }
    if (has) CHECK(strncmp(key, "LOC:", 4) == 0 && place_name_shape(strrchr(key, ':') + 1));
    break;
  }
  case ENTITY_ACCOUNT: {
    const char *platform = json_string_value(json_object_get(e, "platform"));
    CHECK(platform && !strchr(platform, ':'));
    for (const char *p = platform; *p; p++) CHECK(!(*p >= 'A' && *p <= 'Z'));
    const char *handle = json_string_value(json_object_get(e, "handle"));
    CHECK(handle && strcmp(handle, "@") != 0);
    CHECK(has && strncmp(key, "ACC:", 4) == 0 && strncmp(key + 4, platform, strlen(platform)) == 0);
    break;
  }
  case ENTITY_TYPE_COUNT:
    CHECK(false);
  }
}

/* Validates a copy of J as TYPE and checks what comes of it. */
static void check_entity(enum entity_type type, json_t *j) {
  json_t *c = json_deep_copy(j);
  struct field_errors errs;
  ferr_init(&errs);
  bool ok = entity_validate(type, c, TODAY, &errs);
  CHECK(ok == !ferr_any(&errs));
  ferr_free(&errs);
  if (!ok) {
    CHECK(json_equal(c, j));
  } else {
    check_accepted(type, c);
    json_t *again = json_deep_copy(c);
    ferr_init(&errs);
    CHECK(entity_validate(type, again, TODAY, &errs));
    CHECK(json_equal(again, c));
    ferr_free(&errs);
    json_decref(again);
  }
  /* Keys and labels take anything without harm, validated or not. */
  static const size_t caps[] = {1, 2, 5, 12, 64, 300};
  for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
    check_label_and_key(type, j, caps[i]);
    if (ok) check_label_and_key(type, c, caps[i]);
  }
  json_decref(c);
}

/* ---- grading against a reference ---- */

/* V is a one-character string in SET. */
static bool ref_code(json_t *v, const char *set) {
  return json_is_string(v) && json_string_length(v) == 1 && strchr(set, json_string_value(v)[0]) != NULL &&
         json_string_value(v)[0] != '\0';
}

/* The verdict intel.h describes for the grading of OBJ. */
static bool ref_grading(json_t *obj) {
  if (!json_is_object(obj)) return false;
  json_t *g = json_object_get(obj, "grading");
  bool five;
  if (!g || json_is_null(g)) five = false;
  else if (json_is_string(g) && strcmp(json_string_value(g), "3x5x2") == 0) five = false;
  else if (json_is_string(g) && strcmp(json_string_value(g), "5x5x5") == 0) five = true;
  else return false;
  if (!ref_code(json_object_get(obj, "source_evaluation"), five ? "ABCDE" : "123")) return false;
  if (!ref_code(json_object_get(obj, "intelligence_assessment"), five ? "12345" : "ABCDE")) return false;
  json_t *h = json_object_get(obj, "handling_code");
  if (!ref_code(h, five ? "12345" : "PC")) return false;
  bool need = strchr(five ? "45" : "C", json_string_value(h)[0]) != NULL;
  json_t *c = json_object_get(obj, "handling_conditions");
  if (c && !json_is_null(c) && !json_is_string(c)) return false;
  bool has = json_is_string(c) && !blank(json_string_value(c));
  return need == has;
}

static void check_grading(json_t *j) {
  struct grading g;
  struct field_errors errs;
  memset(&g, 0xA5, sizeof g);
  ferr_init(&errs);
  bool ok = grading_parse(j, &g, &errs);
  CHECK(ok == !ferr_any(&errs));
  CHECK(ok == ref_grading(j));
  ferr_free(&errs);
  if (!ok) {
    CHECK(g.source[0] == '\0' && g.intelligence[0] == '\0' && g.handling[0] == '\0');
    return;
  }
  char *code = malloc(5);
  if (!code) abort();
  grading_code(&g, code, 5);
  CHECK(strlen(code) == 4 && code[0] == g.source[0] && code[1] == g.intelligence[0] && code[2] == ' ' &&
        code[3] == g.handling[0]);
  free(code);
  CHECK(strcmp(grading_source_label(&g), "Not a recognised grade") != 0);
  CHECK(strcmp(grading_intelligence_label(&g), "Not a recognised grade") != 0);
  CHECK(strcmp(grading_handling_label(&g), "Not a recognised grade") != 0);
  json_t *c = json_object_get(j, "handling_conditions");
  CHECK(grading_has_conditions(&g) == (json_is_string(c) && !blank(json_string_value(c))));
}

/* fields_check with INTEL_FIELDS names a field whenever it refuses; links within limits when it accepts. */
static void check_intel_fields(json_t *j) {
  struct field_errors errs;
  ferr_init(&errs);
  bool ok = fields_check(j, INTEL_FIELDS, NULL, false, &errs);
  CHECK(ok == !ferr_any(&errs));
  ferr_free(&errs);
  if (!ok) return;
  json_t *links = json_object_get(j, "links");
  CHECK(!links || json_is_null(links) || json_array_size(links) <= INTEL_LINKS_MAX);
  size_t i;
  json_t *l;
  json_array_foreach(links, i, l) CHECK(intel_relation_valid(json_string_value(json_object_get(l, "relation"))));
  CHECK(json_string_length(json_object_get(j, "summary")) <= INTEL_SUMMARY_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!utf8_valid((const char *)data, size)) return 0;
  json_error_t jerr;
  json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
  if (!j) return 0;
  for (int t = 0; t < ENTITY_TYPE_COUNT; t++) check_entity((enum entity_type)t, j);
  check_grading(j);
  if (json_is_object(j)) check_intel_fields(j);
  json_decref(j);
  return 0;
}
