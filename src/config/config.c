/*
** Settings table, defaults, and loading from file and environment (see
** config.h).  Values are validated as they are set so that a bad setting stops
** start-up with its name rather than misbehaving later.
*/
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "access/roles.h"
#include "config/config.h"
#include "core/calendar.h"
#include "util/text.h"
#include "util/xalloc.h"

enum kind { K_STR, K_INT, K_INT64, K_BOOL };

struct setting {
  const char *name;
  enum kind kind;
  size_t offset;
  const char *def;
  int64_t min, max; /* for numbers */
};

#define S(n, d) {#n, K_STR, offsetof(struct config, n), d, 0, 0}
#define I(n, d, lo, hi) {#n, K_INT, offsetof(struct config, n), d, lo, hi}
#define L(n, d, lo, hi) {#n, K_INT64, offsetof(struct config, n), d, lo, hi}
#define B(n, d) {#n, K_BOOL, offsetof(struct config, n), d, 0, 1}

static const struct setting settings[] = {
    S(db, "data/safehub.db"),
    S(db_replica, ""),
    I(db_pool_size, "8", 1, 512),
    S(listen, "127.0.0.1:8080"),
    S(tls_cert, ""),
    S(tls_key, ""),
    S(public_url, ""),
    B(trust_proxy, "false"),
    I(threads, "4", 1, 256),
    I(connection_timeout, "30", 1, 3600),
    I(per_ip_connection_limit, "128", 1, 100000),
    L(max_body, "1048576", 1024, 64 * 1024 * 1024),
    I(session_idle_timeout, "1800", 60, 86400),
    I(session_absolute_timeout, "43200", 300, 7 * 86400),
    I(password_min_length, "12", 8, 128),
    I(login_max_failures, "5", 1, 100),
    I(lockout_seconds, "60", 1, 86400),
    I(password_hash_concurrency, "2", 1, 64),
    S(totp_roles, "mash,manager,director,analyst,auditor,admin"),
    S(totp_issuer, "Safehub"),
    S(audit_key_file, "data/audit.key"),
    S(audit_checkpoint_file, "data/audit-checkpoints.log"),
    I(audit_checkpoint_interval, "60", 1, 86400),
    I(audit_batch_max, "512", 1, 100000),
    I(audit_batch_wait_us, "200", 0, 100000),
    S(audit_spool, "auto"),
    I(audit_move_interval_ms, "1000", 1, 60000),
    S(access_log, "-"),
    S(assets_dir, "build/assets"),
    S(risk_tool_file, ""),
    S(bank_holidays_file, ""),
    S(smtp_host, ""),
    I(smtp_port, "25", 1, 65535),
    S(smtp_from, "safehub@localhost"),
    I(sla_interval, "60", 1, 86400),
    S(office_hours, "09:00-17:00"),
    I(triage_red_hours, "4", 1, 1000),
    I(triage_amber_hours, "24", 1, 1000),
    I(triage_green_hours, "72", 1, 1000),
    I(decision_working_days, "1", 1, 100),
    I(signoff_working_hours, "4", 1, 1000),
    I(challenge_working_days, "5", 1, 100),
    I(return_interview_hours, "72", 1, 1000),
    I(escalation_interval_hours, "4", 1, 1000),
    S(mash_manager, ""),
    I(cse_meeting_working_days, "10", 1, 365),
    I(risk_review_request_working_days, "5", 1, 100),
    I(missing_flag_episodes, "3", 2, 100),
    I(missing_flag_days, "90", 1, 3650),
    S(match_model_file, ""),
    I(duplicate_threshold_percent, "90", 50, 100),
};

#define NSETTINGS (sizeof settings / sizeof settings[0])

/* How many settings there are. */
size_t config_setting_count(void) { return NSETTINGS; }
/* The name of setting I (0 .. count-1), or NULL past the end. */
const char *config_setting_name(size_t i) { return i < NSETTINGS ? settings[i].name : NULL; }

/* The setting called NAME, or NULL. */
static const struct setting *find(const char *name) {
  for (size_t i = 0; i < NSETTINGS; i++) {
    if (strcmp(settings[i].name, name) == 0) return &settings[i];
  }
  return NULL;
}

/*
** Checks that every item of a totp_roles list names a role: a misspelt role
** would otherwise quietly drop the second factor for the role it meant.
** Returns 0, or -1 with ERR naming the first unknown item.
*/
static int check_role_list(const char *name, const char *list, char *err, size_t errlen) {
  const char *p = list;
  while (*p) {
    while (*p == ' ' || *p == ',') p++;
    const char *e = p;
    while (*e && *e != ',' && *e != ' ') e++;
    if (e > p) {
      char item[64];
      enum role r;
      snprintf(item, sizeof item, "%.*s", (int)(e - p), p);
      if ((size_t)(e - p) >= sizeof item || !role_parse(item, &r)) {
        snprintf(err, errlen, "%s: '%s' is not a role", name, item);
        return -1;
      }
    }
    p = e;
  }
  return 0;
}

/* Validates VALUE for setting S and stores it in C; -1 with ERR when it is not acceptable. */
static int apply(struct config *c, const struct setting *s, const char *value, char *err,
                 size_t errlen) {
  char *base = (char *)c;
  switch (s->kind) {
  case K_STR: {
    if (s->offset == offsetof(struct config, totp_roles) && check_role_list(s->name, value, err, errlen) != 0) {
      return -1;
    }
    int open_minute, close_minute;
    if (s->offset == offsetof(struct config, office_hours) &&
        !calendar_parse_hours(value, &open_minute, &close_minute)) {
      snprintf(err, errlen, "%s: '%s' is not HH:MM-HH:MM with the opening before the closing", s->name, value);
      return -1;
    }
    char **slot = (char **)(void *)(base + s->offset);
    free(*slot);
    *slot = xstrdup(value);
    return 0;
  }
  case K_INT:
  case K_INT64: {
    char *end;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (errno || end == value || *end != '\0' || v < s->min || v > s->max) {
      snprintf(err, errlen, "%s must be a whole number from %lld to %lld", s->name,
               (long long)s->min, (long long)s->max);
      return -1;
    }
    if (s->kind == K_INT) *(int *)(void *)(base + s->offset) = (int)v;
    else *(int64_t *)(void *)(base + s->offset) = v;
    return 0;
  }
  case K_BOOL: {
    bool v;
    if (!strcmp(value, "true") || !strcmp(value, "1") || !strcmp(value, "yes")) v = true;
    else if (!strcmp(value, "false") || !strcmp(value, "0") || !strcmp(value, "no")) v = false;
    else {
      snprintf(err, errlen, "%s must be true or false", s->name);
      return -1;
    }
    *(bool *)(void *)(base + s->offset) = v;
    return 0;
  }
  }
  return -1;
}

/* Fills C with every default. Free with config_free. */
void config_defaults(struct config *c) {
  char err[128];
  memset(c, 0, sizeof *c);
  for (size_t i = 0; i < NSETTINGS; i++) {
    int rc = apply(c, &settings[i], settings[i].def, err, sizeof err);
    (void)rc;
  }
}

/* Sets one setting by NAME; -1 with ERR on an unknown name or a bad value. */
int config_set(struct config *c, const char *name, const char *value, char *err, size_t errlen) {
  const struct setting *s = find(name);
  if (!s) {
    snprintf(err, errlen, "unknown setting '%s'", name);
    return -1;
  }
  return apply(c, s, value, err, errlen);
}

/*
** Reads "name = value" lines ('#' starts a comment; blank lines ignored).
** Returns 0, or -1 with ERR naming the file, line and reason.
*/
int config_load_file(struct config *c, const char *path, char *err, size_t errlen) {
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return -1;
  }
  char line[4096];
  int lineno = 0, rc = 0;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    if (!strchr(line, '\n') && !feof(f)) {
      snprintf(err, errlen, "%s:%d: line too long", path, lineno);
      rc = -1;
      break;
    }
    char *hash = strchr(line, '#');
    if (hash) *hash = '\0';
    if (text_is_blank(line)) continue;
    char *eq = strchr(line, '=');
    if (!eq) {
      snprintf(err, errlen, "%s:%d: expected 'name = value'", path, lineno);
      rc = -1;
      break;
    }
    *eq = '\0';
    char *name = text_trim_dup(line), *value = text_trim_dup(eq + 1);
    char why[256];
    if (config_set(c, name, value, why, sizeof why) != 0) {
      snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
      rc = -1;
    }
    free(name);
    free(value);
    if (rc) break;
  }
  fclose(f);
  return rc;
}

/* Applies every SAFEHUB_<NAME> variable that is set; -1 with ERR on a bad value. */
int config_load_env(struct config *c, char *err, size_t errlen) {
  for (size_t i = 0; i < NSETTINGS; i++) {
    char var[96] = "SAFEHUB_";
    size_t n = strlen(var);
    for (const char *p = settings[i].name; *p && n + 1 < sizeof var; p++) {
      var[n++] = (char)toupper((unsigned char)*p);
    }
    var[n] = '\0';
    const char *v = getenv(var);
    if (!v) continue;
    char why[256];
    if (apply(c, &settings[i], v, why, sizeof why) != 0) {
      snprintf(err, errlen, "%s: %s", var, why);
      return -1;
    }
  }
  return 0;
}

/* Frees every string setting; C may be filled again with config_defaults. */
void config_free(struct config *c) {
  for (size_t i = 0; i < NSETTINGS; i++) {
    if (settings[i].kind == K_STR) {
      char **slot = (char **)(void *)((char *)c + settings[i].offset);
      free(*slot);
      *slot = NULL;
    }
  }
}

/* True when ROLE is listed in totp_roles. */
bool config_role_needs_totp(const struct config *c, const char *role) {
  const char *p = c->totp_roles;
  size_t rl = strlen(role);
  while (p && *p) {
    while (*p == ' ' || *p == ',') p++;
    const char *e = p;
    while (*e && *e != ',' && *e != ' ') e++;
    if ((size_t)(e - p) == rl && strncmp(p, role, rl) == 0) return true;
    p = e;
  }
  return false;
}
