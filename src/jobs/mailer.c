/*
** Sends queued e-mail (the outbox) through the configured SMTP relay.  A
** message that fails is retried with a growing delay; after a day of failures
** it is left in the outbox with its last error for an administrator to see.
*/
#include <stdio.h>
#include "jobs/sla.h"
#include "store/casework.h"
#include "util/log.h"
#include "util/smtp.h"

#define BATCH 50
#define MAX_ATTEMPTS 12

/* Sends what is due at NOW.  DB_OK (RES says how it went) or a database error. */
int mailer_flush(struct db *db, const struct config *cfg, int64_t now, struct mail_result *res) {
  res->sent = res->failed = 0;
  if (!cfg->smtp_host || !cfg->smtp_host[0]) return DB_OK;
  struct email *mail = NULL;
  int n = 0;
  int rc = store_email_due(db, now, BATCH, &mail, &n);
  if (rc != DB_OK) return rc;
  for (int i = 0; i < n && rc == DB_OK; i++) {
    char err[300];
    if (smtp_send(cfg->smtp_host, cfg->smtp_port, cfg->smtp_from, mail[i].to, mail[i].subject, mail[i].body, 10, err,
                  sizeof err) == 0) {
      rc = store_email_sent(db, mail[i].id, now);
      res->sent++;
    } else {
      int attempts = mail[i].attempts + 1;
      int64_t delay = attempts >= MAX_ATTEMPTS ? 86400 * 365 : (int64_t)60 << (attempts < 10 ? attempts : 10);
      /* The relay's reply may echo the recipient's address: it is kept with the message, not in the log. */
      log_warn("mail: message %s not sent (attempt %d); the reason is kept with the message", mail[i].id, attempts);
      rc = store_email_failed(db, mail[i].id, err, now + delay);
      res->failed++;
    }
  }
  store_email_free(mail, n);
  return rc;
}
