/*
** Deadline evaluation and escalation: one pass over every open, overdue
** deadline, escalating each as far up the management chain as the time since
** it fell due requires.  The server runs a pass every sla_interval seconds;
** `safehub sla run [--as-of]` runs one by hand.
**
** A pass is idempotent: each step is recorded once (escalations are unique
** per deadline, level and recipient; notifications and e-mails carry a dedupe
** key), and a deadline's level only rises.  Re-running, or running for an
** earlier instant, changes nothing that was already done.
**
** Who receives level 1: the owner's manager, or for work nobody has picked up
** the MASH manager(s).  Each further level goes to the managers of the level
** before.  A recipient with no manager hands the next level to the directors;
** the chain ends at the director.  Disabled users are passed over.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "audit/audit.h"
#include "core/escalation.h"
#include "jobs/sla.h"
#include "service/casework.h"
#include "store/store.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define MAX_LEVELS 8
#define MAX_RECIPIENTS 16
#define CHUNK 500

struct chain {
  struct chain_user *users;
  int n;
};

static int cmp_user(const void *a, const void *b) {
  return strcmp(((const struct chain_user *)a)->id, ((const struct chain_user *)b)->id);
}

static const struct chain_user *find(const struct chain *c, const char *id) {
  if (!id || !*id || c->n == 0) return NULL;
  struct chain_user key;
  snprintf(key.id, sizeof key.id, "%s", id);
  return bsearch(&key, c->users, (size_t)c->n, sizeof *c->users, cmp_user);
}

struct level {
  char ids[MAX_RECIPIENTS][ID_MAX];
  int n;
};

static void add_once(struct level *l, const char *id) {
  for (int i = 0; i < l->n; i++) {
    if (!strcmp(l->ids[i], id)) return;
  }
  if (l->n < MAX_RECIPIENTS) snprintf(l->ids[l->n++], ID_MAX, "%s", id);
}

static void add_directors(const struct chain *c, struct level *l) {
  for (int i = 0; i < c->n; i++) {
    if (!c->users[i].disabled && !strcmp(c->users[i].role, "director")) add_once(l, c->users[i].id);
  }
}

/* The enabled manager above ID (skipping disabled ones), or NULL. */
static const struct chain_user *manager_of(const struct chain *c, const char *id) {
  const struct chain_user *u = find(c, id);
  for (int guard = 0; u && guard < 64; guard++) {
    const struct chain_user *m = find(c, u->manager_id);
    if (!m) return NULL;
    if (!m->disabled) return m;
    u = m;
  }
  return NULL;
}

/* Fills LEVELS[1..] for work owned by OWNER_ID (or the MASH queue); returns the number of levels. */
static int build_levels(const struct chain *c, const char *owner_id, char mash[][ID_MAX], int nmash,
                        struct level *levels) {
  memset(levels, 0, sizeof(struct level) * (MAX_LEVELS + 1));
  struct level *first = &levels[1];
  if (owner_id && owner_id[0]) {
    const struct chain_user *o = find(c, owner_id);
    if (o && !strcmp(o->role, "director")) return 0; /* the director's own work has nowhere higher to go */
    const struct chain_user *m = manager_of(c, owner_id);
    if (m) add_once(first, m->id);
    else add_directors(c, first);
  } else {
    for (int i = 0; i < nmash; i++) {
      const struct chain_user *m = find(c, mash[i]);
      if (m && !m->disabled) add_once(first, m->id);
    }
    if (first->n == 0) add_directors(c, first);
  }
  if (first->n == 0) return 0;
  int depth = 1;
  while (depth < MAX_LEVELS) {
    struct level *cur = &levels[depth], *next = &levels[depth + 1];
    for (int i = 0; i < cur->n; i++) {
      const struct chain_user *u = find(c, cur->ids[i]);
      if (!u || !strcmp(u->role, "director")) continue;
      const struct chain_user *m = manager_of(c, u->id);
      if (m) add_once(next, m->id);
      else add_directors(c, next);
    }
    if (next->n == 0) break;
    depth++;
  }
  return depth;
}

struct pass {
  struct db *db;
  const struct config *cfg;
  struct calendar cal;
  struct chain chain;
  char mash[MAX_RECIPIENTS][ID_MAX];
  int nmash;
  int64_t as_of;
  int interval;
  struct deadline *due;
  size_t ndue, capdue;
  struct sla_result *res;
};

static int collect(const struct deadline *d, void *arg) {
  struct pass *p = arg;
  if (p->ndue == p->capdue) {
    p->capdue = p->capdue ? p->capdue * 2 : 1024;
    p->due = xrealloc(p->due, p->capdue * sizeof *p->due);
  }
  p->due[p->ndue++] = *d;
  return 0;
}

/* Escalates one deadline as far as AS_OF requires; inside the pass's transaction. */
static int escalate(struct pass *p, const struct deadline *d, struct audit_row ***rows, int *nrows, int *caprows) {
  struct level levels[MAX_LEVELS + 1];
  int depth = build_levels(&p->chain, d->owner_id, p->mash, p->nmash, levels);
  int needed = escalation_level(&p->cal, d->due_at, p->as_of, p->interval, depth);
  if (needed <= d->level) return DB_OK;
  char due[ISO_TIME_LEN];
  time_format_iso(d->due_at, due);
  for (int level = d->level + 1; level <= needed; level++) {
    int64_t at = escalation_level_at(&p->cal, d->due_at, level, p->interval);
    for (int i = 0; i < levels[level].n; i++) {
      const char *to = levels[level].ids[i];
      char reason[400], message[400], dedupe[200];
      snprintf(reason, sizeof reason, "%s: overdue since %s", d->title, due);
      snprintf(message, sizeof message, "Escalated to you (level %d): %s, overdue since %s", level, d->title, due);
      snprintf(dedupe, sizeof dedupe, "escalation:%s:%d:%s", d->id, level, to);
      int rc = store_escalation_insert(p->db, d->id, level, to, reason, at);
      if (rc == DB_DONE) continue;
      if (rc != DB_OK) return rc;
      p->res->escalations++;
      rc = svc_notify(p->db, p->cfg, to, "escalation", d->item_type, d->item_id, message, d->link, dedupe, p->as_of);
      if (rc != DB_OK) return rc;
      if (*nrows == *caprows) {
        *caprows = *caprows ? *caprows * 2 : 64;
        *rows = xrealloc(*rows, (size_t)*caprows * sizeof **rows);
      }
      json_t *details = json_pack("{s:s,s:s,s:i,s:s,s:s}", "item_type", d->item_type, "item_id", d->item_id, "level",
                                  level, "to_user", to, "kind", d->kind);
      (*rows)[(*nrows)++] = audit_row_new(NULL, "system:deadlines", NULL, NULL, "deadline.escalate", "deadline",
                                          d->id, "ok", NULL, NULL, details);
      json_decref(details);
    }
  }
  return store_deadline_set_level(p->db, d->id, needed);
}

/*
** Evaluates every open deadline as of AS_OF.  Fills RES with what it found
** and did.  Returns DB_OK, or an error with ERR (nothing of the failing chunk
** is kept; earlier chunks are).
*/
int sla_evaluate(struct db *db, const struct config *cfg, int64_t as_of, struct sla_result *res, char *err,
                 size_t errlen) {
  memset(res, 0, sizeof *res);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct pass p;
  memset(&p, 0, sizeof p);
  p.db = db;
  p.cfg = cfg;
  p.as_of = as_of;
  p.interval = cfg->escalation_interval_hours * 60;
  p.res = res;
  int rc = svc_calendar_load(db, cfg, &p.cal);
  if (rc == DB_OK) rc = store_chain_users(db, &p.chain.users, &p.chain.n);
  if (rc == DB_OK) {
    if (p.chain.n > 0) qsort(p.chain.users, (size_t)p.chain.n, sizeof *p.chain.users, cmp_user);
    rc = svc_mash_managers(db, cfg, p.mash, MAX_RECIPIENTS, &p.nmash);
  }
  if (rc == DB_OK) rc = store_deadlines_overdue(db, as_of, collect, &p);
  res->overdue = (int64_t)p.ndue;
  for (size_t start = 0; rc == DB_OK && start < p.ndue; start += CHUNK) {
    size_t end = start + CHUNK < p.ndue ? start + CHUNK : p.ndue;
    /* Only chunks with something to do open a write transaction. */
    bool work = false;
    for (size_t i = start; i < end && !work; i++) {
      struct level levels[MAX_LEVELS + 1];
      int depth = build_levels(&p.chain, p.due[i].owner_id, p.mash, p.nmash, levels);
      work = escalation_level(&p.cal, p.due[i].due_at, as_of, p.interval, depth) > p.due[i].level;
    }
    if (!work) continue;
    struct audit_row **rows = NULL;
    int nrows = 0, caprows = 0;
    rc = db_begin(db);
    for (size_t i = start; i < end && rc == DB_OK; i++) rc = escalate(&p, &p.due[i], &rows, &nrows, &caprows);
    if (rc == DB_OK) rc = audit_append_tx(db, rows, nrows);
    if (rc == DB_OK) rc = db_commit(db);
    if (rc != DB_OK) db_rollback(db);
    audit_rows_free(rows, nrows);
    free(rows);
  }
  if (rc != DB_OK) snprintf(err, errlen, "%s", db_error(db));
  free(p.due);
  free(p.chain.users);
  calendar_free(&p.cal);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  res->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  return rc;
}
