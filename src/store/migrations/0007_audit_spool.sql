-- Safehub schema, version 7: the audit spool.
-- How far each server's audit spool file has been moved into audit_log.  The
-- mover updates its row in the same transaction as the entries it moves, so
-- after a crash the entries past moved_through are moved again, once.

CREATE TABLE audit_spools (
  spool         TEXT PRIMARY KEY,   -- the server's host name and the spool file's absolute path
  moved_through BIGINT NOT NULL     -- the last spool number now in audit_log
);
