/*
** libFuzzer target for routing (http/http.h): the input's first byte picks a
** method and the rest, up to the first NUL, is the path.  The path is matched
** against every pattern of the API and web route tables with
** router_path_matches and compared with a reference matcher that works
** segment by segment ({name} is one whole segment holding a plausible id of
** 1-64 letters, digits, '_' or '-').  Captured parameters put back into the
** pattern must give the path again.  router_match must pick the first route
** in table order whose path and method both fit, and flag a method mismatch
** only when some route's path fits.
*/
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "http/http.h"
#include "fuzz.h"

static const char *const METHODS[] = {"GET", "HEAD", "POST", "PATCH", "DELETE", "PUT", "OPTIONS", "get"};
#define NMETHODS (sizeof METHODS / sizeof METHODS[0])

/* True for a character ids_plausible admits. */
static bool id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* True when the segment S[0..N) of a pattern is a parameter "{name}". */
static bool is_param(const char *s, size_t n) { return n >= 2 && s[0] == '{' && s[n - 1] == '}'; }

/*
** Reference matcher: PATTERN and PATH split at '/' must have the same number
** of segments; literal segments are equal, parameter segments hold 1-64 id
** characters and are captured in order into CAPS.
*/
static bool ref_match(const char *pattern, const char *path, char caps[][PARAM_MAX], int *ncaps) {
  const char *p = pattern, *s = path;
  *ncaps = 0;
  for (;;) {
    size_t pl = strcspn(p, "/"), sl = strcspn(s, "/");
    if (is_param(p, pl)) {
      if (sl < 1 || sl > 64 || *ncaps >= ROUTE_MAX_PARAMS) return false;
      for (size_t i = 0; i < sl; i++) {
        if (!id_char(s[i])) return false;
      }
      memcpy(caps[*ncaps], s, sl);
      caps[*ncaps][sl] = '\0';
      (*ncaps)++;
    } else if (pl != sl || strncmp(p, s, pl) != 0) {
      return false;
    }
    p += pl;
    s += sl;
    if (*p == '\0' || *s == '\0') return *p == '\0' && *s == '\0';
    p++; /* both are at a '/' */
    s++;
  }
}

/* PATTERN with each parameter segment replaced by the next of CAPS; caller frees. */
static char *substitute(const char *pattern, char caps[][PARAM_MAX], int ncaps) {
  size_t cap = strlen(pattern) + 1;
  for (int i = 0; i < ncaps; i++) cap += strlen(caps[i]);
  char *out = malloc(cap), *o = out;
  if (!out) abort();
  int next = 0;
  const char *p = pattern;
  while (*p) {
    size_t pl = strcspn(p, "/");
    if (is_param(p, pl)) {
      CHECK(next < ncaps);
      o += sprintf(o, "%s", caps[next++]);
    } else {
      memcpy(o, p, pl);
      o += pl;
    }
    p += pl;
    if (*p == '/') *o++ = *p++;
  }
  *o = '\0';
  CHECK(next == ncaps);
  return out;
}

/*
** The reference matcher models parameters as whole segments; a pattern with a
** parameter inside a segment (or an unclosed brace) would need a new model,
** so refuse to start rather than test against the wrong rule.
*/
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  int n = router_count();
  CHECK(n > 0);
  for (int i = 0; i < n; i++) {
    const char *pat = router_at(i)->pattern;
    CHECK(pat[0] == '/');
    int params = 0;
    for (const char *p = pat; *p;) {
      size_t pl = strcspn(p, "/");
      bool braces = memchr(p, '{', pl) || memchr(p, '}', pl);
      if (braces && !is_param(p, pl)) {
        fprintf(stderr, "fuzz_router: pattern %s has a parameter that is not a whole segment\n", pat);
        abort();
      }
      params += braces;
      p += pl;
      if (*p == '/') p++;
    }
    CHECK(params <= ROUTE_MAX_PARAMS);
  }
  return 0;
}

/* Routes the input's path with its method and compares every step with the reference. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  const char *method = METHODS[data[0] % NMETHODS];
  char *path = malloc(size);
  if (!path) abort();
  memcpy(path, data + 1, size - 1);
  path[size - 1] = '\0';

  /* Parameters go into exactly the space the header promises, on the heap so overruns are seen. */
  char (*params)[PARAM_MAX] = malloc(sizeof(char[ROUTE_MAX_PARAMS][PARAM_MAX]));
  char caps[ROUTE_MAX_PARAMS][PARAM_MAX];
  if (!params) abort();
  int n = router_count();
  int first_full = -1;    /* first route whose path and method fit */
  bool any_path = false;  /* some route's path fits */
  bool other_before = false; /* a route before FIRST_FULL fits the path but not the method */
  const char *want_method = strcmp(method, "HEAD") == 0 ? "GET" : method;
  for (int i = 0; i < n; i++) {
    const struct route *rt = router_at(i);
    int np = -1, nc = -1;
    bool got = router_path_matches(rt->pattern, path, params, &np);
    bool want = ref_match(rt->pattern, path, caps, &nc);
    CHECK(got == want);
    if (!got) continue;
    CHECK(np == nc);
    for (int k = 0; k < np; k++) CHECK(strcmp(params[k], caps[k]) == 0);
    char *back = substitute(rt->pattern, params, np);
    CHECK(strcmp(back, path) == 0);
    free(back);
    any_path = true;
    if (first_full < 0) {
      if (strcmp(rt->method, want_method) == 0) first_full = i;
      else other_before = true;
    }
  }

  int np = -1, index = -1;
  bool mismatch = false;
  const struct route *rt = router_match(method, path, params, &np, &index, &mismatch);
  if (first_full < 0) {
    CHECK(rt == NULL);
    CHECK(np == 0);
    CHECK(mismatch == any_path);
  } else {
    CHECK(rt != NULL && index == first_full && rt == router_at(index));
    CHECK(strcmp(rt->method, want_method) == 0);
    CHECK(mismatch == other_before);
    int nc;
    CHECK(ref_match(rt->pattern, path, caps, &nc) && nc == np);
    for (int k = 0; k < np; k++) CHECK(strcmp(params[k], caps[k]) == 0);
  }
  free(params);
  free(path);
  return 0;
}
