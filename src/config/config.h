/*
** Settings.  Each has a default, may be set in the configuration file
** (--config FILE, lines "name = value"), overridden by the environment as
** SAFEHUB_<NAME>, and for a few by command-line flags.  The table in
** config.c is the single list of settings; docs/configuration.md mirrors it
** and a unit test checks that the two agree.
*/
#ifndef SAFEHUB_CONFIG_CONFIG_H
#define SAFEHUB_CONFIG_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config {
  char *db;                   /* DSN: postgres://... or an SQLite path */
  char *db_replica;           /* optional read-only replica DSN for aggregate reports */
  int db_pool_size;
  char *listen;               /* HOST:PORT */
  char *tls_cert;             /* PEM file; TLS is served directly when set */
  char *tls_key;
  char *public_url;           /* base URL users see; https:// marks cookies Secure */
  bool trust_proxy;           /* take the client address from X-Forwarded-For (loopback peers only) */
  int threads;
  int connection_timeout;     /* seconds */
  int per_ip_connection_limit;
  int64_t max_body;           /* bytes */
  int session_idle_timeout;   /* seconds */
  int session_absolute_timeout;
  int password_min_length;
  int login_max_failures;
  int lockout_seconds;        /* first lock; doubles on each further failure */
  int password_hash_concurrency;
  char *totp_roles;           /* comma-separated roles that need a second factor */
  char *totp_issuer;
  char *audit_key_file;       /* Ed25519 secret key for checkpoints, outside the database */
  char *audit_checkpoint_file;/* append-only copy of each checkpoint, for off-host keeping */
  int audit_checkpoint_interval;
  int audit_batch_max;
  int audit_batch_wait_us;     /* longest a batch is held open for more entries */
  char *audit_spool;           /* "auto", "off" or the spool file (audit_spool.c) */
  int audit_move_interval_ms;  /* spooled entries reach the table within about this */
  char *access_log;           /* "-" for stderr, a path, or "off" */
  char *assets_dir;
  char *risk_tool_file;       /* empty: the shipped definition */
  char *bank_holidays_file;   /* empty: the shipped table */
  char *smtp_host;
  int smtp_port;
  char *smtp_from;
  int sla_interval;           /* seconds between automatic deadline evaluations */
  char *office_hours;         /* "HH:MM-HH:MM", Europe/London: the working day */
  int triage_red_hours;       /* working hours to rate a red referral, and so on */
  int triage_amber_hours;
  int triage_green_hours;
  int decision_working_days;  /* every referral decided within this */
  int signoff_working_hours;  /* a manager's sign-off of a closure that needs one */
  int challenge_working_days; /* a manager's answer to a referrer's challenge */
  int return_interview_hours; /* after a missing child returns (clock hours) */
  int escalation_interval_hours; /* working hours between escalation steps */
  char *mash_manager;         /* username escalations of unassigned MASH work go to first */
  int cse_meeting_working_days; /* multi-agency CSE meeting after a high-risk finding */
  int risk_review_request_working_days; /* a requested review of a child's risk assessment */
  int missing_flag_episodes;  /* this many missing episodes ... */
  int missing_flag_days;      /* ... within this many days flag the child */
  char *match_model_file;     /* record-linkage model; empty: the shipped one */
  int duplicate_threshold_percent; /* children this likely to be one child go to the duplicates queue */
};

enum config_source { CONFIG_DEFAULT, CONFIG_FILE, CONFIG_ENV, CONFIG_FLAG };

void config_defaults(struct config *c);
int config_load_file(struct config *c, const char *path, char *err, size_t errlen);
int config_load_env(struct config *c, char *err, size_t errlen);
int config_set(struct config *c, const char *name, const char *value, char *err, size_t errlen);
void config_free(struct config *c);
bool config_role_needs_totp(const struct config *c, const char *role);
const char *config_setting_name(size_t i);
size_t config_setting_count(void);

#endif
