-- Safehub schema, version 4: casework.
-- Missing episodes and their return-home interviews, case notes, strategy
-- discussions and multi-agency CSE meetings with their actions, and
-- referrals to support services.  The allocation of a lead worker and team
-- uses the allocations table of version 2; this version makes sure a child
-- has at most one current allocation.
-- Same conventions as version 1: times are BIGINT seconds since the epoch
-- (UTC), dates TEXT 'YYYY-MM-DD', flags INTEGER 0/1, ids opaque TEXT,
-- structured extras TEXT holding JSON.

-- One row per time a child went missing.  returned_at is NULL until the
-- child is back; the return-home interview (interview_*) is due
-- return_interview_hours after the return and is recorded once, as held
-- (interview_outcome 'completed') or declined by the child.  agency_id is
-- the agency of the person who recorded the episode.
CREATE TABLE missing_episodes (
  id                        TEXT PRIMARY KEY,
  child_id                  TEXT NOT NULL REFERENCES children(id),
  went_missing_at           BIGINT NOT NULL,
  returned_at               BIGINT,
  reported_to_police        INTEGER NOT NULL CHECK (reported_to_police IN (0, 1)),
  where_found               TEXT,
  with_whom                 TEXT,
  agency_id                 TEXT REFERENCES agencies(id),
  recorded_by               TEXT REFERENCES users(id),
  recorded_at               BIGINT NOT NULL,
  updated_at                BIGINT NOT NULL,
  version                   INTEGER NOT NULL DEFAULT 1,
  interview_due_at          BIGINT,
  interview_outcome         TEXT CHECK (interview_outcome IN ('completed', 'declined')),
  interview_at              BIGINT,
  interview_by              TEXT,
  interview_independent     INTEGER CHECK (interview_independent IN (0, 1)),
  interview_childs_account  TEXT,
  interview_declined_reason TEXT,
  interview_agency_id       TEXT REFERENCES agencies(id),
  interview_recorded_by     TEXT REFERENCES users(id),
  interview_recorded_at     BIGINT
);
CREATE INDEX missing_episodes_child ON missing_episodes(child_id, went_missing_at);

-- Case notes by any involved agency.  childs_words holds what the child
-- said, verbatim.  indicators is a JSON array of risk-tool indicator codes
-- the note evidences ('[]' when none); the risk assessment offers those
-- recorded since the last assessment.
CREATE TABLE case_notes (
  id           TEXT PRIMARY KEY,
  child_id     TEXT NOT NULL REFERENCES children(id),
  at           BIGINT NOT NULL,
  agency_id    TEXT REFERENCES agencies(id),
  author_id    TEXT REFERENCES users(id),
  text         TEXT NOT NULL,
  childs_words TEXT,
  indicators   TEXT NOT NULL DEFAULT '[]',
  recorded_at  BIGINT NOT NULL
);
CREATE INDEX case_notes_child ON case_notes(child_id, at);

-- Strategy discussions and multi-agency CSE meetings, about one or more
-- children, with who attended (by agency) and what was decided.
CREATE TABLE meetings (
  id          TEXT PRIMARY KEY,
  type        TEXT NOT NULL,
  held_at     BIGINT NOT NULL,
  decisions   TEXT NOT NULL,
  agency_id   TEXT REFERENCES agencies(id),
  recorded_by TEXT REFERENCES users(id),
  recorded_at BIGINT NOT NULL
);

CREATE TABLE meeting_children (
  meeting_id TEXT NOT NULL REFERENCES meetings(id),
  child_id   TEXT NOT NULL REFERENCES children(id),
  PRIMARY KEY (meeting_id, child_id)
);
CREATE INDEX meeting_children_child ON meeting_children(child_id);

CREATE TABLE meeting_attendees (
  meeting_id TEXT NOT NULL REFERENCES meetings(id),
  position   INTEGER NOT NULL,
  name       TEXT NOT NULL,
  agency_id  TEXT NOT NULL REFERENCES agencies(id),
  role       TEXT,
  PRIMARY KEY (meeting_id, position)
);

-- What a meeting asked someone to do, by when.  due_at is the end of the
-- due date in UK time (the deadline escalates from then).
CREATE TABLE actions (
  id              TEXT PRIMARY KEY,
  meeting_id      TEXT NOT NULL REFERENCES meetings(id),
  position        INTEGER NOT NULL,
  description     TEXT NOT NULL,
  owner_id        TEXT NOT NULL REFERENCES users(id),
  due_date        TEXT NOT NULL,
  due_at          BIGINT NOT NULL,
  created_at      BIGINT NOT NULL,
  completed_at    BIGINT,
  completed_by    TEXT REFERENCES users(id),
  completion_note TEXT
);
CREATE INDEX actions_meeting ON actions(meeting_id, position);
CREATE INDEX actions_owner ON actions(owner_id, completed_at);

-- Referrals to support services (specialist CSE worker, ISVA, therapeutic
-- and post-abuse support, sexual health, CAMHS, outreach): where each
-- stands, whether the child is engaging, and what came of it.
CREATE TABLE support_referrals (
  id          TEXT PRIMARY KEY,
  child_id    TEXT NOT NULL REFERENCES children(id),
  service     TEXT NOT NULL,
  provider    TEXT,
  referred_on TEXT NOT NULL,
  status      TEXT NOT NULL,
  engagement  TEXT NOT NULL,
  outcome     TEXT,
  agency_id   TEXT REFERENCES agencies(id),
  recorded_by TEXT REFERENCES users(id),
  recorded_at BIGINT NOT NULL,
  updated_by  TEXT REFERENCES users(id),
  updated_at  BIGINT NOT NULL,
  version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX support_referrals_child ON support_referrals(child_id, referred_on);

-- At most one current allocation per child: two managers allocating at
-- once cannot both succeed.
CREATE UNIQUE INDEX allocations_current ON allocations(child_id) WHERE ended_at IS NULL;
