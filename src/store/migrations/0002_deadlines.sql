-- Safehub schema, version 2: the statutory clock and the child's chronology.
-- Deadlines on any piece of work, their escalations up the management chain,
-- notifications and the e-mail outbox, bank holidays, and one chronology of
-- events per child across every agency.

ALTER TABLE users ADD COLUMN team TEXT;

-- England and Wales bank holidays; seeded from the shipped table by
-- `safehub init`, editable by administrators.
CREATE TABLE bank_holidays (
  day      TEXT PRIMARY KEY,
  name     TEXT NOT NULL,
  source   TEXT NOT NULL,
  added_at BIGINT NOT NULL
);

-- One row per thing that must be done by a time: a referral's decision, a
-- return-home interview, a meeting action, an answer to a challenge...
-- owner_id NULL means the MASH queue (nobody has picked it up yet).
CREATE TABLE deadlines (
  id         TEXT PRIMARY KEY,
  item_type  TEXT NOT NULL,
  item_id    TEXT NOT NULL,
  kind       TEXT NOT NULL,
  child_id   TEXT REFERENCES children(id),
  title      TEXT NOT NULL,
  link       TEXT NOT NULL,
  owner_id   TEXT REFERENCES users(id),
  due_at     BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  met_at     BIGINT,
  met_by     TEXT,
  level      INTEGER NOT NULL DEFAULT 0,
  UNIQUE (item_type, item_id, kind)
);
CREATE INDEX deadlines_open ON deadlines(due_at) WHERE met_at IS NULL;
CREATE INDEX deadlines_owner ON deadlines(owner_id, due_at) WHERE met_at IS NULL;
CREATE INDEX deadlines_item ON deadlines(item_type, item_id);

-- Each step up the management chain, recorded on the item.  A step is never
-- removed: it ends only when the deadline is met.
CREATE TABLE escalations (
  id          TEXT PRIMARY KEY,
  deadline_id TEXT NOT NULL REFERENCES deadlines(id),
  level       INTEGER NOT NULL,
  to_user_id  TEXT NOT NULL REFERENCES users(id),
  reason      TEXT NOT NULL,
  at          BIGINT NOT NULL,
  UNIQUE (deadline_id, level, to_user_id)
);
CREATE INDEX escalations_to ON escalations(to_user_id, at);

-- In-app notifications.  Messages name references and what is due, never a
-- child's details.  dedupe makes re-running the deadline evaluation harmless.
CREATE TABLE notifications (
  id         TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL REFERENCES users(id),
  kind       TEXT NOT NULL,
  item_type  TEXT,
  item_id    TEXT,
  message    TEXT NOT NULL,
  link       TEXT,
  dedupe     TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  read_at    BIGINT
);
CREATE INDEX notifications_user ON notifications(user_id, created_at);

-- E-mail waiting to go out (sent by the server's jobs, retried with backoff).
CREATE TABLE email_outbox (
  id              TEXT PRIMARY KEY,
  to_addr         TEXT NOT NULL,
  subject         TEXT NOT NULL,
  body            TEXT NOT NULL,
  dedupe          TEXT NOT NULL UNIQUE,
  created_at      BIGINT NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  sent_at         BIGINT,
  last_error      TEXT
);
CREATE INDEX email_outbox_pending ON email_outbox(next_attempt_at) WHERE sent_at IS NULL;

-- Everything that happened to a child, from every agency, in one place.
CREATE TABLE chronology (
  id          TEXT PRIMARY KEY,
  child_id    TEXT NOT NULL REFERENCES children(id),
  at          BIGINT NOT NULL,
  type        TEXT NOT NULL,
  agency_id   TEXT REFERENCES agencies(id),
  summary     TEXT NOT NULL,
  ref_type    TEXT,
  ref_id      TEXT,
  recorded_by TEXT,
  recorded_at BIGINT NOT NULL
);
CREATE INDEX chronology_child ON chronology(child_id, at);

-- Who leads the work with a child: one current lead worker and team
-- (ended_at NULL), and the history of earlier allocations.
CREATE TABLE allocations (
  id           TEXT PRIMARY KEY,
  child_id     TEXT NOT NULL REFERENCES children(id),
  worker_id    TEXT NOT NULL REFERENCES users(id),
  team         TEXT,
  allocated_at BIGINT NOT NULL,
  allocated_by TEXT,
  ended_at     BIGINT
);
CREATE INDEX allocations_child ON allocations(child_id, ended_at);
CREATE INDEX allocations_worker ON allocations(worker_id, ended_at);
