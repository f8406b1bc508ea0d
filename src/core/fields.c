/*
** Allowlisted input checking (see fields.h).
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "core/fields.h"
#include "util/codec.h"
#include "util/text.h"

void ferr_init(struct field_errors *e) { e->fields = json_object(); }

void ferr_free(struct field_errors *e) {
  json_decref(e->fields);
  e->fields = NULL;
}

/* Records why FIELD is wrong unless a reason is already recorded for it. */
void ferr_add(struct field_errors *e, const char *field, const char *fmt, ...) {
  if (json_object_get(e->fields, field)) return;
  char why[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  /* A key jansson refuses (cut inside a character) must not lose the error. */
  if (json_object_set_new(e->fields, field, json_string(why)) != 0 && !json_object_get(e->fields, "request"))
    json_object_set_new(e->fields, "request", json_string(why));
}

bool ferr_any(const struct field_errors *e) { return json_object_size(e->fields) > 0; }

/* The reason recorded for FIELD, or NULL; owned by E. */
const char *ferr_get(const struct field_errors *e, const char *field) {
  return json_string_value(json_object_get(e->fields, field));
}

/* Drops a character cut short at the end of S by truncation, so S stays valid UTF-8. */
static void utf8_cut(char *s) {
  size_t n = strlen(s), i = n;
  while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) i--;
  if (i == 0) return;
  unsigned char lead = (unsigned char)s[i - 1];
  size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  if (n - (i - 1) < need) s[i - 1] = '\0';
}

static const struct field_spec *find(const struct field_spec *specs, const char *name) {
  for (const struct field_spec *s = specs; s->name; s++) {
    if (strcmp(s->name, name) == 0) return s;
  }
  return NULL;
}

static bool check_string(const char *path, const struct field_spec *s, json_t *v, struct field_errors *errs) {
  const char *str = json_string_value(v);
  size_t len = json_string_length(v);
  if (s->max_len && len > s->max_len) {
    ferr_add(errs, path, "must be at most %zu characters", s->max_len);
    return false;
  }
  if (strlen(str) != len || text_has_control(str, (s->flags & F_MULTILINE) != 0)) {
    ferr_add(errs, path, "must not contain control characters");
    return false;
  }
  if ((s->flags & F_REQUIRED) && text_is_blank(str)) {
    ferr_add(errs, path, "is required");
    return false;
  }
  return true;
}

static bool check_value(const char *path, const struct field_spec *s, json_t *v, bool partial,
                        struct field_errors *errs) {
  if (json_is_null(v)) {
    if (s->flags & F_NULLABLE) return true;
    ferr_add(errs, path, (s->flags & F_REQUIRED) ? "is required" : "must not be null");
    return false;
  }
  switch (s->type) {
  case F_STRING:
    if (!json_is_string(v)) {
      ferr_add(errs, path, "must be a string");
      return false;
    }
    if (!check_string(path, s, v, errs)) return false;
    break;
  case F_BOOL:
    if (!json_is_boolean(v)) {
      ferr_add(errs, path, "must be true or false");
      return false;
    }
    break;
  case F_INT:
    if (!json_is_integer(v)) {
      ferr_add(errs, path, "must be a whole number");
      return false;
    }
    break;
  case F_NUMBER:
    if (!json_is_number(v)) {
      ferr_add(errs, path, "must be a number");
      return false;
    }
    break;
  case F_OBJECT:
    if (!json_is_object(v)) {
      ferr_add(errs, path, "must be an object");
      return false;
    }
    if (s->sub && !fields_check(v, s->sub, path, partial, errs)) return false;
    break;
  case F_STRINGS:
  case F_OBJECTS: {
    if (!json_is_array(v)) {
      ferr_add(errs, path, s->type == F_STRINGS ? "must be a list of strings" : "must be a list of objects");
      return false;
    }
    if (s->max_len && json_array_size(v) > s->max_len) {
      ferr_add(errs, path, "must have at most %zu items", s->max_len);
      return false;
    }
    size_t i;
    json_t *item;
    bool ok = true;
    json_array_foreach(v, i, item) {
      char ipath[200];
      snprintf(ipath, sizeof ipath, "%.160s", path);
      utf8_cut(ipath);
      size_t used = strlen(ipath);
      snprintf(ipath + used, sizeof ipath - used, "[%zu]", i);
      if (s->type == F_STRINGS) {
        if (!json_is_string(item)) {
          ferr_add(errs, ipath, "must be a string");
          ok = false;
        } else {
          struct field_spec each = {s->name, F_STRING, F_REQUIRED, 200, NULL, NULL};
          ok = check_string(ipath, &each, item, errs) && ok;
        }
      } else if (!json_is_object(item)) {
        ferr_add(errs, ipath, "must be an object");
        ok = false;
      } else if (s->sub) {
        ok = fields_check(item, s->sub, ipath, false, errs) && ok;
      }
    }
    if (!ok) return false;
    break;
  }
  }
  if (s->check) {
    char why[200] = "is not valid";
    if (!s->check(v, why, sizeof why)) {
      ferr_add(errs, path, "%s", why);
      return false;
    }
  }
  return true;
}

/*
** Checks OBJ against SPECS: every key must be declared, every value must have
** the declared type and pass its check, and (unless PARTIAL, as for PATCH)
** every required field must be present.  Field names in errors are prefixed
** with PREFIX and a dot when PREFIX is given.  Returns true when all is well.
*/
bool fields_check(json_t *obj, const struct field_spec *specs, const char *prefix, bool partial,
                  struct field_errors *errs) {
  bool ok = true;
  const char *key;
  json_t *v;
  char path[160];
  json_object_foreach(obj, key, v) {
    snprintf(path, sizeof path, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", key);
    utf8_cut(path);
    const struct field_spec *s = find(specs, key);
    if (!s) {
      ferr_add(errs, path, "is not a recognised field");
      ok = false;
      continue;
    }
    if (!check_value(path, s, v, partial, errs)) ok = false;
  }
  if (!partial) {
    for (const struct field_spec *s = specs; s->name; s++) {
      if ((s->flags & F_REQUIRED) && !json_object_get(obj, s->name)) {
        snprintf(path, sizeof path, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", s->name);
        ferr_add(errs, path, "is required");
        ok = false;
      }
    }
  }
  return ok;
}

/* True when KEY is in the NULL-terminated list NAMES (query-string allowlists). */
bool fields_allowed_query(const char *const *names, const char *key) {
  for (; *names; names++) {
    if (strcmp(*names, key) == 0) return true;
  }
  return false;
}

/* A field check (field_check_fn) for an opaque record id, as ids_new makes them. */
bool field_check_id(json_t *value, char *why, size_t whylen) {
  if (ids_plausible(json_string_value(value))) return true;
  snprintf(why, whylen, "must be a record id");
  return false;
}
