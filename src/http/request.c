/*
** Reading a request: path parameters, the query string (allowlisted,
** duplicates refused), headers, and the body as JSON or as a form.  Every
** input is checked for valid UTF-8 before anything else looks at it.
*/
#include <string.h>
#include <microhttpd.h>
#include "http/app.h"
#include "http/http.h"
#include "http/request.h"
#include "util/codec.h"
#include "util/text.h"
#include "util/xalloc.h"

/* Path parameter I (0-based) of the matched route. */
const char *req_param(struct req *r, int i) { return i < r->nparams ? r->params[i] : ""; }

/* The query parameter NAME, or NULL; owned by the request. */
const char *req_query(struct req *r, const char *name) {
  return json_string_value(json_object_get(r->query, name));
}

/* Header NAME (case-insensitive), or NULL; owned by MHD for the request's lifetime. */
const char *req_header(struct req *r, const char *name) {
  return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* The stated purpose of access (X-Safehub-Purpose, at most 200 bytes of text), or NULL. */
const char *req_purpose(struct req *r) {
  const char *p = r->conn ? req_header(r, "X-Safehub-Purpose") : NULL;
  if (!p || !*p || strlen(p) > 200 || !utf8_valid(p, strlen(p)) || text_has_control(p, false)) return NULL;
  return p;
}

/* The request's database connection, taken from the pool on first use; NULL if none can be had. */
struct db *req_db(struct req *r) {
  if (!r->db) r->db = db_pool_get(r->app->pool);
  return r->db;
}

/* True for the JSON API (and health/metrics), false for web pages. */
bool req_is_api(const struct req *r) {
  if (r->route) return !(r->route->flags & ROUTE_HTML);
  return strncmp(r->url, "/api/", 5) == 0 || strcmp(r->url, "/healthz") == 0 || strcmp(r->url, "/metrics") == 0;
}

struct query_ctx {
  json_t *obj;
  const char *bad;     /* first reason the query is refused */
  char bad_name[64];
};

/* Takes lengths from MHD so a decoded %00 is seen (and refused) rather than cutting the value short. */
static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_len,
                                   const char *value, size_t value_len) {
  (void)kind;
  struct query_ctx *q = cls;
  if (q->bad) return MHD_NO;
  if (!value) {
    value = "";
    value_len = 0;
  }
  if (!utf8_valid(key, key_len) || !utf8_valid(value, value_len)) {
    q->bad = "invalid_encoding";
    return MHD_NO;
  }
  if (strlen(value) > 1000) {
    q->bad = "too_long";
    snprintf(q->bad_name, sizeof q->bad_name, "%s", key);
    return MHD_NO;
  }
  if (json_object_get(q->obj, key)) {
    q->bad = "duplicate";
    snprintf(q->bad_name, sizeof q->bad_name, "%s", key);
    return MHD_NO;
  }
  json_object_set_new(q->obj, key, json_string(value));
  return MHD_YES;
}

/*
** Collects the query string into r->query.  Returns 0, or an HTTP status
** having set the error response: 400 for bad encoding or a repeated
** parameter, 422 for a parameter the route does not declare.
*/
int req_parse_query(struct req *r) {
  struct query_ctx q = {.obj = json_object(), .bad = NULL};
  MHD_get_connection_values_n(r->conn, MHD_GET_ARGUMENT_KIND, collect_arg, &q);
  json_decref(r->query);
  r->query = q.obj;
  if (q.bad && !strcmp(q.bad, "invalid_encoding")) {
    resp_error(r, 400, "invalid_encoding", "The query string is not valid UTF-8.");
    return 400;
  }
  if (q.bad && !strcmp(q.bad, "duplicate")) {
    resp_error(r, 400, "duplicate_parameter", "A query parameter was given more than once.");
    return 400;
  }
  if (q.bad) {
    resp_error(r, 400, "parameter_too_long", "A query parameter is too long.");
    return 400;
  }
  const char *key;
  json_t *v;
  struct field_errors errs;
  ferr_init(&errs);
  json_object_foreach(r->query, key, v) {
    if (!r->route->query || !fields_allowed_query(r->route->query, key)) {
      ferr_add(&errs, key, "is not a recognised parameter");
    }
  }
  if (ferr_any(&errs)) {
    if (req_is_api(r)) resp_field_errors(r, &errs);
    else resp_error(r, 422, "invalid_parameters", "The address has parameters this page does not take.");
    ferr_free(&errs);
    return 422;
  }
  ferr_free(&errs);
  return 0;
}

static bool content_type_is(struct req *r, const char *want) {
  const char *ct = req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
  if (!ct) return false;
  size_t n = strlen(want);
  return strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/*
** Percent-decodes S[0..N) with '+' as space into a new string and stores
** its length in *OUTLEN (the text may hold a decoded NUL, which the caller's
** UTF-8 check refuses); NULL on a bad escape.
*/
static char *form_decode(const char *s, size_t n, size_t *outlen) {
  char *out = xmalloc(n + 1);
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '+') {
      out[o++] = ' ';
    } else if (s[i] == '%') {
      if (i + 2 >= n) {
        free(out);
        return NULL;
      }
      int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
      if (h < 0 || l < 0) {
        free(out);
        return NULL;
      }
      out[o++] = (char)(h * 16 + l);
      i += 2;
    } else {
      out[o++] = s[i];
    }
  }
  out[o] = '\0';
  *outlen = o;
  return out;
}

/*
** Parses an application/x-www-form-urlencoded body into an object of name
** to string; a name given more than once becomes an array of strings (for
** checkbox groups).  Returns NULL on bad escapes, invalid UTF-8 or NUL.
*/
json_t *form_parse(const char *body, size_t len) {
  json_t *obj = json_object();
  size_t i = 0;
  while (i < len) {
    size_t j = i;
    while (j < len && body[j] != '&') j++;
    if (j > i) {
      const char *eq = memchr(body + i, '=', j - i);
      size_t klen = eq ? (size_t)(eq - (body + i)) : j - i;
      size_t kn = 0, vn = 0;
      char *k = form_decode(body + i, klen, &kn);
      char *v = eq ? form_decode(eq + 1, (size_t)(body + j - eq - 1), &vn) : xstrdup("");
      /* utf8_valid refuses NUL, so "a=x%00y" cannot pass as "a=x". */
      if (!k || !v || !utf8_valid(k, kn) || !utf8_valid(v, vn) || !*k) {
        free(k);
        free(v);
        json_decref(obj);
        return NULL;
      }
      json_t *prev = json_object_get(obj, k);
      if (!prev) {
        json_object_set_new(obj, k, json_string(v));
      } else if (json_is_array(prev)) {
        json_array_append_new(prev, json_string(v));
      } else {
        json_t *arr = json_array();
        json_array_append(arr, prev);
        json_array_append_new(arr, json_string(v));
        json_object_set_new(obj, k, arr);
      }
      free(k);
      free(v);
    }
    i = j + 1;
  }
  return obj;
}

/*
** True when the form field KEY is among the route's DECLARED names (see
** struct route's `form`): equal to an entry, or, for an entry ending in
** '*', starting with what precedes the '*' and having more after it.
** csrf_token is always declared.
*/
static bool form_field_declared(const char *const *declared, const char *key) {
  if (strcmp(key, "csrf_token") == 0) return true;
  if (!declared) return false;
  for (; *declared; declared++) {
    size_t n = strlen(*declared);
    if (n > 0 && (*declared)[n - 1] == '*') {
      if (strncmp(key, *declared, n - 1) == 0 && key[n - 1] != '\0') return true;
    } else if (strcmp(key, *declared) == 0) {
      return true;
    }
  }
  return false;
}

/*
** Refuses a form with a field the route does not declare: answers 422
** naming the first such field (cut to a readable length at a character
** boundary) and returns 422; 0 when every field is declared or the route
** takes no form.  Runs after the CSRF check, so a forged post is refused
** (and audited) as such whatever fields it carries.
*/
int req_check_form_fields(struct req *r) {
  if (!r->form || !(r->route->flags & ROUTE_FORM)) return 0;
  const char *key;
  json_t *v;
  json_object_foreach(r->form, key, v) {
    if (form_field_declared(r->route->form, key)) continue;
    char name[81];
    size_t n = strlen(key);
    if (n > sizeof name - 1) {
      n = sizeof name - 1;
      while (n > 0 && ((unsigned char)key[n] & 0xC0) == 0x80) n--;
    }
    memcpy(name, key, n);
    name[n] = '\0';
    char msg[200];
    snprintf(msg, sizeof msg, "The form sent a field Safehub does not expect: %s", name);
    resp_error(r, 422, "unexpected_field", msg);
    return 422;
  }
  return 0;
}

/*
** Parses the body as the route declares.  Returns 0, or an HTTP status
** having set the error response (400 malformed or not UTF-8, 415 wrong type).
*/
int req_parse_body(struct req *r) {
  const char *data = r->body.data ? r->body.data : "";
  size_t len = r->body.len;
  if (r->route->flags & ROUTE_JSON) {
    if (len == 0) {
      resp_error(r, 400, "malformed_json", "The request needs a JSON object as its body.");
      return 400;
    }
    if (!content_type_is(r, "application/json")) {
      resp_error(r, 415, "unsupported_media_type", "Send the body as application/json.");
      return 415;
    }
    if (!utf8_valid(data, len)) {
      resp_error(r, 400, "invalid_encoding", "The body is not valid UTF-8.");
      return 400;
    }
    json_error_t jerr;
    json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!j) {
      char msg[300];
      snprintf(msg, sizeof msg, "The body is not valid JSON: %s (line %d, column %d).", jerr.text, jerr.line,
               jerr.column);
      resp_error(r, 400, "malformed_json", msg);
      return 400;
    }
    if (!json_is_object(j)) {
      json_decref(j);
      resp_error(r, 400, "malformed_json", "The body must be a JSON object.");
      return 400;
    }
    r->json = j;
    return 0;
  }
  if (r->route->flags & ROUTE_FORM) {
    if (len > 0 && !content_type_is(r, "application/x-www-form-urlencoded")) {
      resp_error(r, 415, "unsupported_media_type", "Send the form as application/x-www-form-urlencoded.");
      return 415;
    }
    json_t *f = form_parse(data, len);
    if (!f) {
      resp_error(r, 400, "malformed_form", "The form could not be read.");
      return 400;
    }
    r->form = f;
    return 0;
  }
  if (len > 0) {
    resp_error(r, 400, "unexpected_body", "This request takes no body.");
    return 400;
  }
  return 0;
}
