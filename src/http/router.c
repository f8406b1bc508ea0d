/*
** Routing: the API and web route tables joined into one index, and matching
** of a method and path against patterns with {param} segments.  A parameter
** must be a plausible id (letters, digits, '_' and '-') so that nothing odd
** reaches a handler through the path.
*/
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "http/http.h"
#include "util/codec.h"

/*
** Every route table, in matching order: the JSON API's, then the pages'.
** Each feature keeps its routes in its own table beside its handlers.
*/
static const struct route *const TABLES[] = {
    api_routes, api_work_routes, api_referral_routes, api_casework_routes, api_risk_routes, api_intel_routes,
    api_report_routes, web_routes, web_work_routes, web_referral_routes, web_casework_routes, web_risk_routes,
    web_intel_routes, web_report_routes,
};
#define NTABLES (sizeof TABLES / sizeof TABLES[0])
#define MAX_ROUTES 512

static const struct route *all[MAX_ROUTES];
static int nall;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void flatten(void) {
  for (size_t t = 0; t < NTABLES; t++) {
    for (const struct route *r = TABLES[t]; r->method; r++) {
      assert(nall < MAX_ROUTES);
      all[nall++] = r;
    }
  }
}

/* Total number of routes, API first then web. */
int router_count(void) {
  pthread_once(&once, flatten);
  return nall;
}

/* Route INDEX (0 .. router_count()-1). */
const struct route *router_at(int index) {
  pthread_once(&once, flatten);
  assert(index >= 0 && index < nall);
  return all[index];
}

/*
** True when PATH matches PATTERN segment by segment; captured {param}
** segments go to PARAMS in order.
*/
bool router_path_matches(const char *pattern, const char *path, char params[][PARAM_MAX], int *nparams) {
  *nparams = 0;
  const char *p = pattern, *s = path;
  while (*p && *s) {
    if (*p == '{') {
      const char *pe = strchr(p, '}');
      const char *se = strchr(s, '/');
      if (!pe) return false;
      size_t len = se ? (size_t)(se - s) : strlen(s);
      if (len == 0 || len >= PARAM_MAX || *nparams >= ROUTE_MAX_PARAMS) return false;
      memcpy(params[*nparams], s, len);
      params[*nparams][len] = '\0';
      if (!ids_plausible(params[*nparams])) return false;
      (*nparams)++;
      p = pe + 1;
      s += len;
      continue;
    }
    if (*p != *s) return false;
    p++;
    s++;
  }
  return *p == '\0' && *s == '\0';
}

/*
** The route for METHOD and PATH, or NULL.  When the path matches some route
** but not with this method, *METHOD_MISMATCH is set (for 405).  HEAD is
** served by GET routes.
*/
const struct route *router_match(const char *method, const char *path, char params[][PARAM_MAX],
                                 int *nparams, int *index, bool *method_mismatch) {
  *method_mismatch = false;
  const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;
  int n = router_count();
  for (int i = 0; i < n; i++) {
    const struct route *rt = router_at(i);
    if (!router_path_matches(rt->pattern, path, params, nparams)) continue;
    if (strcmp(rt->method, m) != 0) {
      *method_mismatch = true;
      continue;
    }
    *index = i;
    return rt;
  }
  *nparams = 0;
  return NULL;
}

/*
** Lists in ALLOW (comma-separated) the methods some route serves at PATH,
** and sets *HTML when those routes are web pages.  Returns how many.
*/
int router_allowed(const char *path, char *allow, size_t cap, bool *html) {
  char params[ROUTE_MAX_PARAMS][PARAM_MAX];
  int nparams, count = 0;
  size_t used = 0;
  allow[0] = '\0';
  *html = false;
  for (int i = 0; i < router_count(); i++) {
    const struct route *rt = router_at(i);
    if (!router_path_matches(rt->pattern, path, params, &nparams)) continue;
    if (strstr(allow, rt->method)) continue;
    int n = snprintf(allow + used, cap - used, "%s%s", count ? ", " : "", rt->method);
    if (n < 0 || (size_t)n >= cap - used) break;
    used += (size_t)n;
    count++;
    if (rt->flags & ROUTE_HTML) *html = true;
  }
  return count;
}
