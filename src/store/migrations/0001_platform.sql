-- Safehub schema, version 1: the platform.
-- Written once for SQLite and PostgreSQL alike: times are BIGINT seconds since
-- the epoch (UTC), dates are TEXT 'YYYY-MM-DD', flags are INTEGER 0/1, ids are
-- opaque TEXT, structured extras are TEXT holding JSON.

CREATE TABLE agencies (
  id          TEXT PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  type        TEXT NOT NULL CHECK (type IN ('police','social_care','health','education',
                'youth_justice','voluntary','housing','other')),
  created_at  BIGINT NOT NULL
);

CREATE TABLE users (
  id             TEXT PRIMARY KEY,
  username       TEXT NOT NULL UNIQUE,
  name           TEXT NOT NULL,
  email          TEXT,
  agency_id      TEXT NOT NULL REFERENCES agencies(id),
  role           TEXT NOT NULL CHECK (role IN ('referrer','mash','social_worker','cse_worker',
                   'police','analyst','manager','director','strategic','auditor','admin')),
  manager_id     TEXT REFERENCES users(id),
  password_hash  TEXT NOT NULL,
  totp_secret    TEXT,
  totp_enabled   INTEGER NOT NULL DEFAULT 0,
  totp_last_step BIGINT NOT NULL DEFAULT 0,
  failed_logins  INTEGER NOT NULL DEFAULT 0,
  locked_until   BIGINT NOT NULL DEFAULT 0,
  disabled       INTEGER NOT NULL DEFAULT 0,
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL
);
CREATE INDEX users_agency ON users(agency_id);
CREATE INDEX users_manager ON users(manager_id);

-- Only a hash of the session id is stored: a copy of this table lets nobody
-- sign in as anyone.
CREATE TABLE sessions (
  id_hash      TEXT PRIMARY KEY,
  user_id      TEXT NOT NULL REFERENCES users(id),
  csrf_token   TEXT NOT NULL,
  stage        TEXT NOT NULL CHECK (stage IN ('full','totp','enrol')),
  created_at   BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Bumped by every change that can end a session or token's validity (sign-out,
-- password or role change, disabling, revocation).  Servers cache who a
-- credential belongs to and trust the cache only while this number is unchanged,
-- so such a change takes effect at once in every process sharing the database.
CREATE TABLE auth_epoch (
  id INTEGER PRIMARY KEY,
  n  BIGINT NOT NULL
);
INSERT INTO auth_epoch (id, n) VALUES (1, 0);

CREATE TABLE api_tokens (
  id           TEXT PRIMARY KEY,
  token_hash   TEXT NOT NULL UNIQUE,
  user_id      TEXT NOT NULL REFERENCES users(id),
  label        TEXT,
  created_at   BIGINT NOT NULL,
  revoked_at   BIGINT,
  last_used_at BIGINT
);

CREATE TABLE children (
  id            TEXT PRIMARY KEY,
  first_name    TEXT NOT NULL,
  last_name     TEXT NOT NULL,
  aliases       TEXT NOT NULL DEFAULT '[]',
  date_of_birth TEXT,
  gender        TEXT NOT NULL DEFAULT 'not_known',
  ethnicity     TEXT NOT NULL,
  address       TEXT,
  postcode      TEXT,
  nhs_number    TEXT,
  school        TEXT,
  looked_after  INTEGER NOT NULL DEFAULT 0,
  placement     TEXT,
  created_at    BIGINT NOT NULL,
  created_by    TEXT NOT NULL,
  updated_at    BIGINT NOT NULL,
  version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX children_nhs ON children(nhs_number);
CREATE INDEX children_dob ON children(date_of_birth);

-- Search keys: folded name tokens (kind 'n'), date of birth ('d'), postcode
-- without spaces ('p'), NHS number ('h').  Rebuilt whenever a child changes.
CREATE TABLE child_search (
  child_id  TEXT NOT NULL REFERENCES children(id),
  kind      TEXT NOT NULL,
  key       TEXT NOT NULL,
  PRIMARY KEY (kind, key, child_id)
);
-- Probing "does this child also have key K?" for the second and later terms of a search.
CREATE INDEX child_search_child ON child_search(child_id, kind, key);

-- Which agencies are involved with a child, and so may see the record.
CREATE TABLE child_involvement (
  child_id   TEXT NOT NULL REFERENCES children(id),
  agency_id  TEXT NOT NULL REFERENCES agencies(id),
  reason     TEXT NOT NULL,
  since      BIGINT NOT NULL,
  PRIMARY KEY (child_id, agency_id)
);

-- The audit chain.  Append-only: each hash covers the previous one.
CREATE TABLE audit_log (
  seq         BIGINT PRIMARY KEY,
  at          BIGINT NOT NULL,
  actor_id    TEXT,
  actor       TEXT NOT NULL,
  role        TEXT,
  agency      TEXT,
  action      TEXT NOT NULL,
  object_type TEXT,
  object_id   TEXT,
  outcome     TEXT NOT NULL,
  purpose     TEXT,
  ip          TEXT,
  details     TEXT NOT NULL DEFAULT '{}',
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL
);
CREATE INDEX audit_object ON audit_log(object_id, seq);

CREATE TABLE audit_checkpoints (
  seq        BIGINT PRIMARY KEY,
  hash       TEXT NOT NULL,
  at         BIGINT NOT NULL,
  public_key TEXT NOT NULL,
  signature  TEXT NOT NULL
);
