/*
** Deadline evaluation and escalation (sla.c) and the e-mail outbox sender
** (mailer.c).
*/
#ifndef SAFEHUB_JOBS_SLA_H
#define SAFEHUB_JOBS_SLA_H
#include <stddef.h>
#include <stdint.h>
#include "config/config.h"
#include "store/db.h"

struct sla_result {
  int64_t overdue;      /* open deadlines at or past their time */
  int64_t escalations;  /* new escalation steps recorded */
  double seconds;       /* wall time of the whole evaluation (monotonic clock) */
};

int sla_evaluate(struct db *db, const struct config *cfg, int64_t as_of, struct sla_result *res, char *err,
                 size_t errlen);

struct mail_result {
  int sent, failed;
};
int mailer_flush(struct db *db, const struct config *cfg, int64_t now, struct mail_result *res);

#endif
