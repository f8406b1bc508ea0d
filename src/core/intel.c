/*
** Intelligence rules with no I/O (see intel.h): the entity types and their
** allowlists, the checks and normalisation of an entity's fields, the keys
** that recognise one vehicle, phone, account or place recorded twice, the
** labels shown in lists, the 3x5x2 and 5x5x5 gradings with their plain
** words, the relations a link may name, and the intelligence allowlist.
*/
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/codes.h"
#include "core/intel.h"
#include "core/validate.h"
#include "util/text.h"
#include "util/timeutil.h"

#define PERSON_AGE_MIN 10  /* approximate_age, at least */
#define PERSON_AGE_MAX 100 /* approximate_age, at most */
#define PLATFORM_CHARS_MAX 40
#define HANDLE_CHARS_MAX 100
#define REG_MIN 2 /* letters and digits of a registration */
#define REG_MAX 8
#define UK_DIGITS 10      /* a UK number: 0 followed by this many digits */
#define INTL_DIGITS_MIN 7 /* an international number: "+" and 7..15 digits (E.164 allows 15) */
#define INTL_DIGITS_MAX 15
#define CONDITIONS_MAX 2000

/* ---- code lists ---- */

/* ONS 2021 self-defined ethnicity (England and Wales), with the explicit "not known". */
const struct code INTEL_ETHNICITY_SELF[] = {
    {"A1", "Asian or Asian British: Bangladeshi"},
    {"A2", "Asian or Asian British: Chinese"},
    {"A3", "Asian or Asian British: Indian"},
    {"A4", "Asian or Asian British: Pakistani"},
    {"A5", "Asian or Asian British: any other Asian background"},
    {"B1", "Black or Black British: African"},
    {"B2", "Black or Black British: Caribbean"},
    {"B3", "Black or Black British: any other Black background"},
    {"M1", "Mixed: White and Asian"},
    {"M2", "Mixed: White and Black African"},
    {"M3", "Mixed: White and Black Caribbean"},
    {"M4", "Mixed: any other Mixed background"},
    {"W1", "White: English, Welsh, Scottish, Northern Irish or British"},
    {"W2", "White: Irish"},
    {"W3", "White: Gypsy or Irish Traveller"},
    {"W4", "White: Roma"},
    {"W5", "White: any other White background"},
    {"O1", "Other ethnic group: Arab"},
    {"O2", "Other ethnic group: any other ethnic group"},
    {"not_known", "Not known"},
    {NULL, NULL},
};

/* Police officer-observed ethnicity (IC codes), with the explicit "not known". */
const struct code INTEL_ETHNICITY_OBSERVED[] = {
    {"IC1", "White - North European"},
    {"IC2", "White - South European"},
    {"IC3", "Black"},
    {"IC4", "Asian"},
    {"IC5", "Chinese, Japanese or other South East Asian"},
    {"IC6", "Arab or North African"},
    {"not_known", "Not known"},
    {NULL, NULL},
};

/* The kinds of place a location may be. */
const struct code INTEL_LOCATION_KINDS[] = {
    {"home", "Home"},
    {"hotel", "Hotel"},
    {"takeaway", "Takeaway"},
    {"taxi_firm", "Taxi firm"},
    {"park", "Park"},
    {"shop", "Shop"},
    {"car_park", "Car park"},
    {"school_vicinity", "Near a school"},
    {"licensed_premises", "Licensed premises"},
    {"other", "Other"},
    {NULL, NULL},
};

/*
** ISO 3166-1 alpha-2 codes officially assigned, in order, two letters each.
** XK (Kosovo) is a user-assigned code but is the one the UK and EU use for
** Kosovan nationals, who must not be left unrecordable.
*/
static const char ISO_COUNTRIES[] =
    "ADAEAFAGAIALAMAOAQARASATAUAWAXAZ"
    "BABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZ"
    "CACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZ"
    "DEDJDKDMDODZ"
    "ECEEEGEHERESET"
    "FIFJFKFMFOFR"
    "GAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGY"
    "HKHMHNHRHTHU"
    "IDIEILIMINIOIQIRISIT"
    "JEJMJOJP"
    "KEKGKHKIKMKNKPKRKWKYKZ"
    "LALBLCLILKLRLSLTLULVLY"
    "MAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZ"
    "NANCNENFNGNINLNONPNRNUNZ"
    "OM"
    "PAPEPFPGPHPKPLPMPNPRPSPTPWPY"
    "QA"
    "RERORSRURW"
    "SASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZ"
    "TCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZ"
    "UAUGUMUSUYUZ"
    "VAVCVEVGVIVNVU"
    "WFWS"
    "XK"
    "YEYT"
    "ZAZMZW";

/* True when S is an assigned ISO 3166-1 alpha-2 code (upper case), or XK. */
static bool country_valid(const char *s) {
  if (strlen(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z') return false;
  for (const char *p = ISO_COUNTRIES; *p; p += 2) {
    if (p[0] == s[0] && p[1] == s[1]) return true;
  }
  return false;
}

/* ---- small text helpers ---- */

/* How many UTF-8 code points S holds (continuation bytes are not counted). */
static size_t utf8_chars(const char *s) {
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if ((*p & 0xC0) != 0x80) n++;
  }
  return n;
}

/* A bounded string being written: never overflows, always NUL-terminated, cut only between characters. */
struct out {
  char *p;
  size_t cap, len;
};

/* Starts writing into P (CAP bytes, CAP > 0). */
static void out_init(struct out *o, char *p, size_t cap) {
  assert(p && cap > 0);
  o->p = p;
  o->cap = cap;
  o->len = 0;
  p[0] = '\0';
}

/* Appends up to N bytes of S; when it does not fit, stops at the last whole UTF-8 character that does. */
static void out_putn(struct out *o, const char *s, size_t n) {
  size_t room = o->cap - 1 - o->len;
  if (n > room) {
    n = room;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
  }
  memcpy(o->p + o->len, s, n);
  o->len += n;
  o->p[o->len] = '\0';
}

static void out_puts(struct out *o, const char *s) { out_putn(o, s, strlen(s)); }

/* The string member KEY of OBJ, or NULL when absent, not a string or blank. */
static const char *text_of(json_t *obj, const char *key) {
  const char *s = json_string_value(json_object_get(obj, key));
  return text_is_blank(s) ? NULL : s;
}

/* Copies S without its leading and trailing white space into OUT (CAP bytes); false when cut short. */
static bool trimmed_copy(const char *s, char *out, size_t cap) {
  char *t = text_trim_dup(s);
  int n = snprintf(out, cap, "%s", t);
  free(t);
  return n >= 0 && (size_t)n < cap;
}

/* ---- normalisation ---- */

/* A vehicle registration as letters and digits, upper case, without spaces (2..8 of them) into OUT. */
static bool registration_normalise(const char *in, char *out, size_t cap) {
  char r[REG_MAX + 1];
  size_t n = 0;
  for (const char *p = in; *p; p++) {
    char c = *p;
    if (c == ' ' || c == '\t') continue;
    if (c >= 'a' && c <= 'z') c = (char)(c - 32);
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) || n >= REG_MAX) return false;
    r[n++] = c;
  }
  r[n] = '\0';
  if (n < REG_MIN) return false;
  int w = snprintf(out, cap, "%s", r);
  return w >= 0 && (size_t)w < cap;
}

/*
** A phone number's canonical form into OUT: a UK number as 0 and 10 digits
** ("+44", "0044" and "+44 (0)" prefixes folded), any other as "+" and 7..15
** digits.  Spaces, hyphens, dots and brackets are ignored; anything else, or
** a number with neither a leading 0 nor an international prefix, is refused.
*/
static bool phone_normalise(const char *in, char *out, size_t cap) {
  char d[32];
  size_t n = 0;
  bool plus = false, any = false;
  for (const char *p = in; *p; p++) {
    char c = *p;
    if (c == ' ' || c == '\t' || c == '-' || c == '.' || c == '(' || c == ')') continue;
    if (c == '+' && !any) {
      plus = any = true;
      continue;
    }
    if (c < '0' || c > '9' || n + 1 >= sizeof d) return false;
    d[n++] = c;
    any = true;
  }
  d[n] = '\0';
  const char *intl = NULL; /* the digits after an international prefix */
  if (plus) intl = d;
  else if (n >= 2 && d[0] == '0' && d[1] == '0') intl = d + 2;
  char norm[32];
  if (intl) {
    if (intl[0] == '4' && intl[1] == '4') {
      const char *rest = intl + 2;
      if (rest[0] == '0') rest++; /* "+44 (0)7700 ..." */
      if (strlen(rest) != UK_DIGITS || rest[0] == '0') return false;
      snprintf(norm, sizeof norm, "0%s", rest);
    } else {
      size_t k = strlen(intl);
      if (k < INTL_DIGITS_MIN || k > INTL_DIGITS_MAX || intl[0] == '0') return false;
      snprintf(norm, sizeof norm, "+%s", intl);
    }
  } else {
    if (n != UK_DIGITS + 1 || d[0] != '0') return false;
    snprintf(norm, sizeof norm, "%s", d);
  }
  int w = snprintf(out, cap, "%s", norm);
  return w >= 0 && (size_t)w < cap;
}

/* ---- field checks (field_check_fn) ---- */

/* A code from LIST; otherwise WHY says it must be WHAT. */
static bool check_code(const struct code *list, const char *what, json_t *v, char *why, size_t n) {
  if (code_valid(list, json_string_value(v))) return true;
  snprintf(why, n, "must be %s", what);
  return false;
}

static bool check_gender(json_t *v, char *why, size_t n) {
  return check_code(GENDERS, "one of male, female, other, not_known", v, why, n);
}

static bool check_ethnicity_self(json_t *v, char *why, size_t n) {
  return check_code(INTEL_ETHNICITY_SELF, "an ONS 2021 ethnicity code (A1..A5, B1..B3, M1..M4, W1..W5, O1, O2) or not_known",
                    v, why, n);
}

static bool check_ethnicity_observed(json_t *v, char *why, size_t n) {
  return check_code(INTEL_ETHNICITY_OBSERVED, "an officer-observed code IC1..IC6 or not_known", v, why, n);
}

static bool check_location_kind(json_t *v, char *why, size_t n) {
  return check_code(INTEL_LOCATION_KINDS,
                    "one of home, hotel, takeaway, taxi_firm, park, shop, car_park, school_vicinity, "
                    "licensed_premises, other",
                    v, why, n);
}

/* A nationality: an ISO 3166-1 alpha-2 country code in upper case, or not_known. */
static bool check_nationality(json_t *v, char *why, size_t n) {
  const char *s = json_string_value(v);
  if (strcmp(s, "not_known") == 0 || country_valid(s)) return true;
  snprintf(why, n, "must be an ISO 3166-1 two-letter country code in capitals (for example GB) or not_known");
  return false;
}

/* A real date written YYYY-MM-DD (whether it is in the future is judged in entity_validate). */
static bool check_date(json_t *v, char *why, size_t n) {
  int64_t days;
  if (date_parse(json_string_value(v), &days)) return true;
  snprintf(why, n, "must be a real date written YYYY-MM-DD");
  return false;
}

static bool check_age(json_t *v, char *why, size_t n) {
  json_int_t age = json_integer_value(v);
  if (age >= PERSON_AGE_MIN && age <= PERSON_AGE_MAX) return true;
  snprintf(why, n, "must be between %d and %d", PERSON_AGE_MIN, PERSON_AGE_MAX);
  return false;
}

/* A UK postcode; blank is allowed (the field is optional and a blank one is dropped). */
static bool check_postcode(json_t *v, char *why, size_t n) {
  char pc[16];
  if (text_is_blank(json_string_value(v))) return true;
  if (postcode_normalise(json_string_value(v), pc, sizeof pc)) return true;
  snprintf(why, n, "must be a UK postcode, for example S60 1AA");
  return false;
}

static bool check_registration(json_t *v, char *why, size_t n) {
  char reg[REG_MAX + 1];
  if (registration_normalise(json_string_value(v), reg, sizeof reg)) return true;
  snprintf(why, n, "must be a registration of %d to %d letters and digits", REG_MIN, REG_MAX);
  return false;
}

static bool check_phone(json_t *v, char *why, size_t n) {
  char tel[32];
  if (phone_normalise(json_string_value(v), tel, sizeof tel)) return true;
  snprintf(why, n, "must be a UK number (0 and 10 digits, or +44) or an international number starting with +");
  return false;
}

/* A platform name of 1..40 characters; no ':' since it is part of the account's key. */
static bool check_platform(json_t *v, char *why, size_t n) {
  const char *s = json_string_value(v);
  if (strchr(s, ':')) {
    snprintf(why, n, "must not contain ':'");
    return false;
  }
  char t[200];
  if (!trimmed_copy(s, t, sizeof t) || utf8_chars(t) > PLATFORM_CHARS_MAX) {
    snprintf(why, n, "must be at most %d characters", PLATFORM_CHARS_MAX);
    return false;
  }
  return true;
}

/* A handle of 1..100 characters, not only the '@' some platforms write before it. */
static bool check_handle(json_t *v, char *why, size_t n) {
  char *t = text_trim_dup(json_string_value(v));
  size_t chars = utf8_chars(t);
  bool bare_at = strcmp(t, "@") == 0;
  free(t);
  if (chars > HANDLE_CHARS_MAX) snprintf(why, n, "must be at most %d characters", HANDLE_CHARS_MAX);
  else if (bare_at) snprintf(why, n, "must have more than '@'");
  return chars <= HANDLE_CHARS_MAX && !bare_at;
}

/* ---- entity types and allowlists ---- */

static const char *const TYPE_NAMES[ENTITY_TYPE_COUNT] = {"person", "vehicle", "phone", "location", "online_account"};

/* The contract's name of TYPE; "" for a value outside the enum. */
const char *entity_type_name(enum entity_type type) {
  if ((int)type < 0 || type >= ENTITY_TYPE_COUNT) return "";
  return TYPE_NAMES[type];
}

/* TYPE from its contract name; false (TYPE untouched) when NAME is none of them or NULL. */
bool entity_type_parse(const char *name, enum entity_type *type) {
  if (!name) return false;
  for (int i = 0; i < ENTITY_TYPE_COUNT; i++) {
    if (strcmp(name, TYPE_NAMES[i]) == 0) {
      *type = (enum entity_type)i;
      return true;
    }
  }
  return false;
}

/* "type" is optional here: the caller reads it to choose the allowlist; entity_validate checks it matches. */
#define TYPE_FIELD {"type", F_STRING, 0, 20, NULL, NULL}
#define NOTES_FIELD {"notes", F_STRING, F_NULLABLE | F_MULTILINE, 4000, NULL, NULL}
#define END_FIELD {NULL, F_STRING, 0, 0, NULL, NULL}

static const struct field_spec PERSON_FIELDS[] = {
    TYPE_FIELD,
    {"first_name", F_STRING, F_NULLABLE, 100, NULL, NULL},
    {"last_name", F_STRING, F_NULLABLE, 100, NULL, NULL},
    {"aliases", F_STRINGS, F_NULLABLE, 20, NULL, NULL},
    {"description", F_STRING, F_NULLABLE | F_MULTILINE, 1000, NULL, NULL},
    {"date_of_birth", F_STRING, F_NULLABLE, 10, check_date, NULL},
    {"approximate_age", F_INT, F_NULLABLE, 0, check_age, NULL},
    {"gender", F_STRING, F_NULLABLE, 16, check_gender, NULL},
    {"ethnicity_self", F_STRING, F_REQUIRED, 16, check_ethnicity_self, NULL},
    {"ethnicity_observed", F_STRING, F_REQUIRED, 16, check_ethnicity_observed, NULL},
    {"nationality", F_STRING, F_REQUIRED, 16, check_nationality, NULL},
    {"address", F_STRING, F_NULLABLE | F_MULTILINE, 500, NULL, NULL},
    {"postcode", F_STRING, F_NULLABLE, 10, check_postcode, NULL},
    NOTES_FIELD,
    END_FIELD,
};

static const struct field_spec VEHICLE_FIELDS[] = {
    TYPE_FIELD,
    {"registration", F_STRING, F_REQUIRED, 16, check_registration, NULL},
    {"make", F_STRING, F_NULLABLE, 60, NULL, NULL},
    {"model", F_STRING, F_NULLABLE, 60, NULL, NULL},
    {"colour", F_STRING, F_NULLABLE, 40, NULL, NULL},
    NOTES_FIELD,
    END_FIELD,
};

static const struct field_spec PHONE_FIELDS[] = {
    TYPE_FIELD,
    {"number", F_STRING, F_REQUIRED, 32, check_phone, NULL},
    NOTES_FIELD,
    END_FIELD,
};

static const struct field_spec LOCATION_FIELDS[] = {
    TYPE_FIELD,
    {"name", F_STRING, F_REQUIRED, 200, NULL, NULL},
    {"kind", F_STRING, F_REQUIRED, 32, check_location_kind, NULL},
    {"address", F_STRING, F_NULLABLE | F_MULTILINE, 500, NULL, NULL},
    {"postcode", F_STRING, F_NULLABLE, 10, check_postcode, NULL},
    NOTES_FIELD,
    END_FIELD,
};

/* Byte limits are four times the character limits, which check_platform and check_handle apply. */
static const struct field_spec ACCOUNT_FIELDS[] = {
    TYPE_FIELD,
    {"platform", F_STRING, F_REQUIRED, 4 * PLATFORM_CHARS_MAX, check_platform, NULL},
    {"handle", F_STRING, F_REQUIRED, 4 * HANDLE_CHARS_MAX, check_handle, NULL},
    NOTES_FIELD,
    END_FIELD,
};

static const struct field_spec *const TYPE_FIELDS[ENTITY_TYPE_COUNT] = {
    PERSON_FIELDS, VEHICLE_FIELDS, PHONE_FIELDS, LOCATION_FIELDS, ACCOUNT_FIELDS,
};

/* The allowlist of TYPE (static storage); NULL for a value outside the enum. */
const struct field_spec *entity_fields(enum entity_type type) {
  if ((int)type < 0 || type >= ENTITY_TYPE_COUNT) return NULL;
  return TYPE_FIELDS[type];
}

/* ---- entity validation ---- */

/*
** Puts OBJ's optional string fields into their stored form: trimmed, and
** dropped when null or blank, so that stored attributes hold only what was
** said.  Required fields are trimmed too (fields_check saw they are not blank).
*/
static void tidy_strings(json_t *obj, const struct field_spec *specs) {
  for (const struct field_spec *s = specs; s->name; s++) {
    json_t *v = json_object_get(obj, s->name);
    if (!v) continue;
    if (json_is_null(v)) {
      json_object_del(obj, s->name);
      continue;
    }
    if (s->type == F_STRINGS && json_is_array(v)) {
      json_t *clean = json_array();
      size_t i;
      json_t *item;
      json_array_foreach(v, i, item) {
        char *t = text_trim_dup(json_string_value(item));
        json_array_append_new(clean, json_string(t));
        free(t);
      }
      json_object_set_new(obj, s->name, clean);
      continue;
    }
    if (s->type != F_STRING || !json_is_string(v)) continue;
    if (text_is_blank(json_string_value(v))) {
      json_object_del(obj, s->name);
      continue;
    }
    char *t = text_trim_dup(json_string_value(v));
    json_object_set_new(obj, s->name, json_string(t));
    free(t);
  }
}

/* Replaces string member KEY of OBJ with FN's normalisation of it (FN succeeded in the field check). */
static void normalise_member(json_t *obj, const char *key, bool (*fn)(const char *, char *, size_t)) {
  const char *s = json_string_value(json_object_get(obj, key));
  char norm[64];
  if (!s) return;
  if (fn(s, norm, sizeof norm)) json_object_set_new(obj, key, json_string(norm));
}

/* The checks on a person beyond single fields: a name or description; date of birth or age, not both. */
static bool person_rules(json_t *in, int64_t today, bool have_today, struct field_errors *errs) {
  bool ok = true;
  if (!text_of(in, "first_name") && !text_of(in, "last_name") && !text_of(in, "description")) {
    ferr_add(errs, "first_name", "is required unless a last name or a description is given");
    ok = false;
  }
  const char *dob = json_string_value(json_object_get(in, "date_of_birth"));
  int64_t days;
  if (dob && date_parse(dob, &days)) {
    if (!have_today) {
      ferr_add(errs, "date_of_birth", "cannot be checked without today's date");
      ok = false;
    } else if (days > today) {
      ferr_add(errs, "date_of_birth", "must not be in the future");
      ok = false;
    }
  }
  json_t *age = json_object_get(in, "approximate_age");
  if (dob && age && !json_is_null(age)) {
    ferr_add(errs, "approximate_age", "must not be given with a date of birth");
    ok = false;
  }
  return ok;
}

/*
** Checks an entity of TYPE (see intel.h): applies the type's allowlist (so
** any JSON value is safe to pass, whether or not the caller checked it
** first), then the rules across fields.  When all is well INPUT is
** normalised in place for storing: text trimmed, blank or null optional
** fields dropped, registration upper case without spaces, phone number in
** its canonical form, postcode spaced and upper case, platform lower case.
** Input with errors is left as it was.  Returns true when ERRS gained nothing.
*/
bool entity_validate(enum entity_type type, json_t *input, const char *today, struct field_errors *errs) {
  const struct field_spec *specs = entity_fields(type);
  assert(specs && errs);
  if (!specs) {
    ferr_add(errs, "type", "must be one of person, vehicle, phone, location, online_account");
    return false;
  }
  if (!json_is_object(input)) {
    ferr_add(errs, "request", "must be a JSON object");
    return false;
  }
  int64_t today_days = 0;
  bool have_today = today && date_parse(today, &today_days);
  assert(have_today);

  bool ok = fields_check(input, specs, NULL, false, errs);
  json_t *tv = json_object_get(input, "type");
  if (json_is_string(tv) && strcmp(json_string_value(tv), entity_type_name(type)) != 0) {
    ferr_add(errs, "type", "must be %s", entity_type_name(type));
    ok = false;
  }
  if (type == ENTITY_PERSON && !person_rules(input, today_days, have_today, errs)) ok = false;
  if (!ok) return false;

  tidy_strings(input, specs);
  switch (type) {
  case ENTITY_PERSON:
    normalise_member(input, "postcode", postcode_normalise);
    break;
  case ENTITY_VEHICLE:
    normalise_member(input, "registration", registration_normalise);
    break;
  case ENTITY_PHONE:
    normalise_member(input, "number", phone_normalise);
    break;
  case ENTITY_LOCATION:
    normalise_member(input, "postcode", postcode_normalise);
    break;
  case ENTITY_ACCOUNT: {
    const char *p = json_string_value(json_object_get(input, "platform"));
    if (p) {
      char *low = text_trim_dup(p);
      text_lower_ascii(low);
      json_object_set_new(input, "platform", json_string(low));
      free(low);
    }
    break;
  }
  case ENTITY_TYPE_COUNT:
    break;
  }
  return true;
}

/* ---- keys and labels ---- */

/* Writes "PREFIX:A" or "PREFIX:A:B" into OUT; false when it does not fit. */
static bool put_key(char *out, size_t cap, const char *prefix, const char *a, const char *b) {
  int n = b ? snprintf(out, cap, "%s:%s:%s", prefix, a, b) : snprintf(out, cap, "%s:%s", prefix, a);
  if (n < 0 || (size_t)n >= cap) {
    out[0] = '\0';
    return false;
  }
  return true;
}

/* An account handle as compared: trimmed, one leading '@' dropped, ASCII lower case. */
static bool handle_key(const char *in, char *out, size_t cap) {
  char t[4 * HANDLE_CHARS_MAX + 8];
  if (!trimmed_copy(in, t, sizeof t)) return false;
  const char *h = t[0] == '@' ? t + 1 : t;
  if (!*h) return false;
  int n = snprintf(out, cap, "%s", h);
  if (n < 0 || (size_t)n >= cap) return false;
  text_lower_ascii(out);
  return true;
}

/*
** A place's name as compared, into OUT (CAP bytes): Latin letters folded as
** search folds them (case and accents), digits kept, letters of other
** scripts kept as written, spaces and punctuation dropped.  A name in Arabic
** script keeps its letters, and two names that differ only in them stay two
** places.  False when nothing is left or it does not fit.  NAME is UTF-8.
*/
static bool place_name_key(const char *name, char *out, size_t cap) {
  size_t k = 0;
  const unsigned char *p = (const unsigned char *)name;
  while (*p) {
    size_t len = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 : 4;
    char cp[5], folded[4];
    size_t j = 0;
    for (; j < len && p[j]; j++) cp[j] = (char)p[j];
    cp[j] = '\0';
    size_t n = text_fold_key(cp, folded, sizeof folded);
    const char *src = n ? folded : *p >= 0x80 ? cp : "";
    size_t sl = n ? n : *p >= 0x80 ? j : 0;
    if (k + sl >= cap) return false;
    memcpy(out + k, src, sl);
    k += sl;
    p += j;
  }
  out[k] = '\0';
  return k > 0;
}

/*
** The key of an entity (see intel.h) into OUT.  A place has one only when it
** has a postcode and a name with letters or digits: "The Kebab House" and
** "Kebab House, the" in different towns must not be taken for one place.
** False (OUT empty) for a person, or when nothing normalises or fits.
*/
bool entity_key(enum entity_type type, json_t *input, char *out, size_t cap) {
  if (!out || cap == 0) return false;
  out[0] = '\0';
  if (!json_is_object(input)) return false;
  char a[256], b[512];
  switch (type) {
  case ENTITY_VEHICLE: {
    const char *reg = json_string_value(json_object_get(input, "registration"));
    return reg && registration_normalise(reg, a, sizeof a) && put_key(out, cap, "VRM", a, NULL);
  }
  case ENTITY_PHONE: {
    const char *num = json_string_value(json_object_get(input, "number"));
    return num && phone_normalise(num, a, sizeof a) && put_key(out, cap, "TEL", a, NULL);
  }
  case ENTITY_ACCOUNT: {
    const char *platform = json_string_value(json_object_get(input, "platform"));
    const char *handle = json_string_value(json_object_get(input, "handle"));
    if (!platform || !handle || strchr(platform, ':') || !trimmed_copy(platform, a, sizeof a) || !a[0]) return false;
    text_lower_ascii(a);
    return handle_key(handle, b, sizeof b) && put_key(out, cap, "ACC", a, b);
  }
  case ENTITY_LOCATION: {
    const char *pc = json_string_value(json_object_get(input, "postcode"));
    const char *name = json_string_value(json_object_get(input, "name"));
    char spaced[16], packed[16];
    if (!pc || !name || !postcode_normalise(pc, spaced, sizeof spaced)) return false;
    size_t k = 0;
    for (const char *p = spaced; *p; p++) {
      if (*p != ' ') packed[k++] = *p;
    }
    packed[k] = '\0';
    return place_name_key(name, b, sizeof b) && put_key(out, cap, "LOC", packed, b);
  }
  case ENTITY_PERSON:
  case ENTITY_TYPE_COUNT:
    break;
  }
  return false;
}

/*
** Appends SEP, S and END; when they do not all fit, keeps what fits of S if
** PARTIAL (and at least one character of it), otherwise writes nothing.
*/
static void put_after(struct out *o, const char *sep, const char *s, const char *end, bool partial) {
  size_t before = o->len;
  out_puts(o, sep);
  size_t mark = o->len;
  out_puts(o, s);
  out_puts(o, end);
  bool whole = o->len == before + strlen(sep) + strlen(s) + strlen(end);
  if (whole || (partial && o->len > mark && !*end)) return;
  o->len = before;
  o->p[before] = '\0';
}

/* Appends S (trimmed) after a space when O already holds something. */
static void put_word(struct out *o, const char *s) {
  if (!s) return;
  char *t = text_trim_dup(s);
  if (*t) put_after(o, o->len ? " " : "", t, "", true);
  free(t);
}

/* The first line of S, at most MAX bytes of it, "..." added when cut (whole characters only). */
static void put_excerpt(struct out *o, const char *s, size_t max) {
  char *t = text_trim_dup(s);
  size_t n = strcspn(t, "\r\n");
  bool cut = n < strlen(t);
  if (n > max) {
    n = max;
    while (n > 0 && ((unsigned char)t[n] & 0xC0) == 0x80) n--;
    cut = true;
  }
  out_putn(o, t, n);
  if (cut) out_puts(o, "...");
  free(t);
}

/*
** A short label for an entity into OUT (CAP bytes, cut between characters
** when it does not fit): a person's names, else the first line of the
** description; a vehicle's make, model and registration ("Ford Focus AB12
** CDE"); a phone's number; a place's name and postcode; an account's handle
** and platform ("tom_k (snapchat)").
*/
void entity_label(enum entity_type type, json_t *input, char *out, size_t cap) {
  if (!out || cap == 0) return;
  struct out o;
  out_init(&o, out, cap);
  if (!json_is_object(input)) return;
  char norm[64];
  switch (type) {
  case ENTITY_PERSON:
    put_word(&o, text_of(input, "first_name"));
    put_word(&o, text_of(input, "last_name"));
    if (!o.len && text_of(input, "description")) put_excerpt(&o, text_of(input, "description"), 60);
    if (!o.len) out_puts(&o, "Unnamed person");
    break;
  case ENTITY_VEHICLE: {
    put_word(&o, text_of(input, "make"));
    put_word(&o, text_of(input, "model"));
    const char *reg = text_of(input, "registration");
    if (reg && registration_normalise(reg, norm, sizeof norm)) {
      /* The current format (AB12CDE) is written with its space, as on the plate. */
      bool current = strlen(norm) == 7 && norm[0] >= 'A' && norm[1] >= 'A' && norm[2] <= '9' && norm[3] <= '9' &&
                     norm[4] >= 'A' && norm[5] >= 'A' && norm[6] >= 'A';
      char shown[sizeof norm + 2];
      if (current) snprintf(shown, sizeof shown, "%.4s %s", norm, norm + 4);
      else snprintf(shown, sizeof shown, "%s", norm);
      put_after(&o, o.len ? " " : "", shown, "", false);
    } else {
      put_word(&o, reg);
    }
    if (!o.len) out_puts(&o, "Vehicle");
    break;
  }
  case ENTITY_PHONE: {
    const char *num = text_of(input, "number");
    if (num && phone_normalise(num, norm, sizeof norm)) out_puts(&o, norm);
    else put_word(&o, num);
    if (!o.len) out_puts(&o, "Phone");
    break;
  }
  case ENTITY_LOCATION: {
    put_word(&o, text_of(input, "name"));
    const char *pc = text_of(input, "postcode");
    if (pc && postcode_normalise(pc, norm, sizeof norm)) put_after(&o, o.len ? ", " : "", norm, "", false);
    if (!o.len) out_puts(&o, "Place");
    break;
  }
  case ENTITY_ACCOUNT: {
    put_word(&o, text_of(input, "handle"));
    const char *platform = text_of(input, "platform");
    if (platform) {
      char *low = text_trim_dup(platform);
      text_lower_ascii(low);
      put_after(&o, o.len ? " (" : "(", low, ")", false);
      free(low);
    }
    if (!o.len) out_puts(&o, "Online account");
    break;
  }
  case ENTITY_TYPE_COUNT:
    break;
  }
}

/* ---- grading ---- */

/* One scheme's codes for each part, and the plain words for each code (same order). */
struct scheme {
  const char *name;
  const char *source, *intelligence, *handling; /* the codes, one character each */
  const char *source_what, *intelligence_what, *handling_what;
  const char *conditions; /* handling codes that carry conditions */
  const char *const *source_labels, *const *intelligence_labels, *const *handling_labels;
};

static const char *const S3_SOURCE[] = {"Reliable", "Untested", "Not reliable"};
static const char *const S3_INTEL[] = {
    "Known directly to the source",
    "Known indirectly to the source but corroborated",
    "Known indirectly to the source",
    "Not known",
    "Suspected to be false",
};
static const char *const S3_HANDLING[] = {"Lawful sharing permitted", "Lawful sharing permitted with conditions"};

static const char *const S5_SOURCE[] = {"Always reliable", "Mostly reliable", "Sometimes reliable", "Unreliable",
                                        "Untested"};
static const char *const S5_INTEL[] = {
    "Known to be true without reservation",
    "Known personally to the source but not to the officer",
    "Not personally known to the source but corroborated",
    "Cannot be judged",
    "Suspected to be false",
};
static const char *const S5_HANDLING[] = {
    "May be disseminated to other law enforcement and prosecuting agencies",
    "May be disseminated to UK non-prosecuting parties",
    "May be disseminated to non-EU law enforcement agencies",
    "May be disseminated within the originating agency only",
    "No further dissemination: refer to the originator (special handling)",
};

static const struct scheme SCHEMES[2] = {
    [GRADING_3X5X2] = {"3x5x2", "123", "ABCDE", "PC", "1, 2 or 3", "A, B, C, D or E", "P or C", "C", S3_SOURCE,
                       S3_INTEL, S3_HANDLING},
    [GRADING_5X5X5] = {"5x5x5", "ABCDE", "12345", "12345", "A, B, C, D or E", "1, 2, 3, 4 or 5",
                       "1, 2, 3, 4 or 5", "45", S5_SOURCE, S5_INTEL, S5_HANDLING},
};

/* The scheme of G, or NULL for a value outside the enum. */
static const struct scheme *scheme_of(const struct grading *g) {
  if (!g || (g->scheme != GRADING_3X5X2 && g->scheme != GRADING_5X5X5)) return NULL;
  return &SCHEMES[g->scheme];
}

/* The position of the one-character CODE in CODES, or -1. */
static int code_index(const char *codes, const char *code) {
  if (!code || code[0] == '\0' || code[1] != '\0') return -1;
  const char *p = strchr(codes, code[0]);
  return p ? (int)(p - codes) : -1;
}

/* Reads one part of the grade, FIELD of IN, into OUT; adds an error naming FIELD when it is not one of CODES. */
static bool grade_part(json_t *in, const char *field, const char *codes, const char *what, const char *scheme,
                       char out[2], struct field_errors *errs) {
  json_t *v = json_object_get(in, field);
  if (!v || json_is_null(v)) {
    ferr_add(errs, field, "is required");
    return false;
  }
  const char *s = json_string_value(v);
  if (json_string_length(v) != 1 || code_index(codes, s) < 0) {
    ferr_add(errs, field, "must be %s (grading %s)", what, scheme);
    return false;
  }
  out[0] = s[0];
  out[1] = '\0';
  return true;
}

/*
** Reads the grading of an intelligence item (see intel.h).  A blank
** handling_conditions counts as absent, as a form's empty box sends it.
** OUT is zeroed first and filled only when all is well.
*/
bool grading_parse(json_t *input, struct grading *out, struct field_errors *errs) {
  assert(out && errs);
  memset(out, 0, sizeof *out);
  if (!json_is_object(input)) {
    ferr_add(errs, "request", "must be a JSON object");
    return false;
  }
  struct grading g;
  memset(&g, 0, sizeof g);
  bool ok = true, known = true;
  json_t *gv = json_object_get(input, "grading");
  const char *gs = json_string_value(gv);
  if (!gv || json_is_null(gv) || (gs && strcmp(gs, "3x5x2") == 0)) {
    g.scheme = GRADING_3X5X2;
  } else if (gs && strcmp(gs, "5x5x5") == 0) {
    g.scheme = GRADING_5X5X5;
  } else {
    ferr_add(errs, "grading", "must be 3x5x2 or 5x5x5");
    ok = known = false;
  }
  bool handling_ok = false;
  if (known) {
    const struct scheme *s = &SCHEMES[g.scheme];
    ok = grade_part(input, "source_evaluation", s->source, s->source_what, s->name, g.source, errs) && ok;
    ok = grade_part(input, "intelligence_assessment", s->intelligence, s->intelligence_what, s->name,
                    g.intelligence, errs) && ok;
    handling_ok = grade_part(input, "handling_code", s->handling, s->handling_what, s->name, g.handling, errs);
    ok = handling_ok && ok;
  } else {
    /* Without a scheme the codes cannot be judged, but missing ones can still be named. */
    static const char *const parts[] = {"source_evaluation", "intelligence_assessment", "handling_code"};
    for (size_t i = 0; i < 3; i++) {
      json_t *v = json_object_get(input, parts[i]);
      if (!v || json_is_null(v)) ferr_add(errs, parts[i], "is required");
    }
  }
  json_t *cv = json_object_get(input, "handling_conditions");
  bool has_text = json_is_string(cv) && !text_is_blank(json_string_value(cv));
  if (cv && !json_is_null(cv) && !json_is_string(cv)) {
    ferr_add(errs, "handling_conditions", "must be text");
    ok = false;
  } else if (handling_ok) {
    bool need = grading_has_conditions(&g);
    if (need && !has_text) {
      ferr_add(errs, "handling_conditions", "is required with handling code %s", g.handling);
      ok = false;
    } else if (!need && has_text) {
      ferr_add(errs, "handling_conditions", "must be left empty unless the handling code is %s",
               g.scheme == GRADING_3X5X2 ? "C" : "4 or 5");
      ok = false;
    }
  }
  if (!ok) return false;
  *out = g;
  return true;
}

/* The grade as officers write it ("1B P", "B2 4") into OUT; "" when G is not a parsed grading. */
void grading_code(const struct grading *g, char *out, size_t cap) {
  if (!out || cap == 0) return;
  out[0] = '\0';
  if (!scheme_of(g)) return;
  snprintf(out, cap, "%.1s%.1s %.1s", g->source, g->intelligence, g->handling);
}

#define NOT_GRADED "Not a recognised grade"

const char *grading_source_label(const struct grading *g) {
  const struct scheme *s = scheme_of(g);
  int i = s ? code_index(s->source, g->source) : -1;
  return i < 0 ? NOT_GRADED : s->source_labels[i];
}

const char *grading_intelligence_label(const struct grading *g) {
  const struct scheme *s = scheme_of(g);
  int i = s ? code_index(s->intelligence, g->intelligence) : -1;
  return i < 0 ? NOT_GRADED : s->intelligence_labels[i];
}

const char *grading_handling_label(const struct grading *g) {
  const struct scheme *s = scheme_of(g);
  int i = s ? code_index(s->handling, g->handling) : -1;
  return i < 0 ? NOT_GRADED : s->handling_labels[i];
}

/* Handling C (3x5x2), or 4 or 5 (5x5x5). */
bool grading_has_conditions(const struct grading *g) {
  const struct scheme *s = scheme_of(g);
  return s && code_index(s->conditions, g->handling) >= 0;
}

/* ---- relations ---- */

const char *const INTEL_RELATIONS[] = {
    "associates_with", "family_of", "drives",      "owns",          "uses",
    "contacted",       "seen_at",   "frequents",   "lives_at",      "works_at",
    "transported",     "gave_gifts_to", "supplied_drugs_or_alcohol_to", "suspected_of_exploiting", NULL,
};

/* Plain words for each relation, in INTEL_RELATIONS' order. */
static const char *const RELATION_LABELS[] = {
    "associates with", "is family of", "drives",      "owns",          "uses",
    "contacted",       "was seen at",  "frequents",   "lives at",      "works at",
    "transported",     "gave gifts to", "supplied drugs or alcohol to", "is suspected of exploiting", NULL,
};

_Static_assert(sizeof INTEL_RELATIONS / sizeof INTEL_RELATIONS[0] ==
                   sizeof RELATION_LABELS / sizeof RELATION_LABELS[0],
               "every relation has a label");

/* The index of RELATION in INTEL_RELATIONS, or -1. */
static int relation_index(const char *relation) {
  if (!relation) return -1;
  for (int i = 0; INTEL_RELATIONS[i]; i++) {
    if (strcmp(INTEL_RELATIONS[i], relation) == 0) return i;
  }
  return -1;
}

bool intel_relation_valid(const char *relation) { return relation_index(relation) >= 0; }

/* Plain words for RELATION; RELATION itself when unknown (static or the caller's). */
const char *intel_relation_label(const char *relation) {
  int i = relation_index(relation);
  return i < 0 ? relation : RELATION_LABELS[i];
}

/* ---- the intelligence allowlist ---- */

static bool check_relation(json_t *v, char *why, size_t n) {
  if (intel_relation_valid(json_string_value(v))) return true;
  snprintf(why, n, "must be one of the relations (for example associates_with, drives, seen_at)");
  return false;
}

static bool check_grading_name(json_t *v, char *why, size_t n) {
  const char *s = json_string_value(v);
  if (strcmp(s, "3x5x2") == 0 || strcmp(s, "5x5x5") == 0) return true;
  snprintf(why, n, "must be 3x5x2 or 5x5x5");
  return false;
}

/* An ISO 8601 instant with a zone, or a date (whether it is in the future is for the caller, who knows the time). */
static bool check_instant_or_date(json_t *v, char *why, size_t n) {
  int64_t t;
  const char *s = json_string_value(v);
  if (time_parse_iso(s, &t) || date_parse(s, &t)) return true;
  snprintf(why, n, "must be a date (YYYY-MM-DD) or an ISO 8601 time with a zone, for example 2026-11-28T10:00:00Z");
  return false;
}

static const struct field_spec LINK_FIELDS[] = {
    {"from", F_STRING, F_REQUIRED, 64, field_check_id, NULL},
    {"to", F_STRING, F_REQUIRED, 64, field_check_id, NULL},
    {"relation", F_STRING, F_REQUIRED, 40, check_relation, NULL},
    END_FIELD,
};

/* The codes' values are judged by grading_parse, which knows the scheme. */
const struct field_spec INTEL_FIELDS[] = {
    {"summary", F_STRING, F_REQUIRED | F_MULTILINE, INTEL_SUMMARY_MAX, NULL, NULL},
    {"grading", F_STRING, F_NULLABLE, 8, check_grading_name, NULL},
    {"source_evaluation", F_STRING, F_REQUIRED, 4, NULL, NULL},
    {"intelligence_assessment", F_STRING, F_REQUIRED, 4, NULL, NULL},
    {"handling_code", F_STRING, F_REQUIRED, 4, NULL, NULL},
    {"handling_conditions", F_STRING, F_NULLABLE | F_MULTILINE, CONDITIONS_MAX, NULL, NULL},
    {"occurred_at", F_STRING, F_NULLABLE, 40, check_instant_or_date, NULL},
    {"links", F_OBJECTS, F_NULLABLE, INTEL_LINKS_MAX, NULL, LINK_FIELDS},
    END_FIELD,
};
