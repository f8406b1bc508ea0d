-- Safehub schema, version 3: referrals, the front door.
-- A concern raised by any agency about a child, rated by the MASH, decided
-- with a rationale (and signed off by a manager where the rules say so), and
-- open to challenge by the referrer.  Its deadlines live in `deadlines`
-- (item_type 'referral'); this file holds the referral and its history.

-- The last reference number given out in each year (R-2026-000123).
CREATE TABLE referral_counters (
  year INTEGER PRIMARY KEY,
  n    BIGINT NOT NULL
);

CREATE TABLE referrals (
  id                    TEXT PRIMARY KEY,
  reference             TEXT NOT NULL UNIQUE,
  -- NULL until MASH staff confirm which child this is; child_details holds
  -- what the referrer gave (JSON, the fields of a child record) meanwhile
  -- and is kept afterwards as the referrer's account.
  child_id              TEXT REFERENCES children(id),
  child_details         TEXT,
  agency_id             TEXT NOT NULL REFERENCES agencies(id),
  referrer_id           TEXT NOT NULL REFERENCES users(id),
  concern               TEXT NOT NULL,
  childs_words          TEXT,
  -- JSON array of indicator codes of the risk tool in force when received.
  indicators            TEXT NOT NULL DEFAULT '[]',
  immediate_danger      INTEGER NOT NULL DEFAULT 0,
  status                TEXT NOT NULL CHECK (status IN ('received','triaged','awaiting_signoff','decided','challenged')),
  rag                   TEXT CHECK (rag IN ('red','amber','green')),
  rag_reason            TEXT,
  triaged_at            BIGINT,
  triaged_by            TEXT REFERENCES users(id),
  assigned_to           TEXT REFERENCES users(id),
  received_at           BIGINT NOT NULL,
  -- When the current decision is due (the first round's is the statutory one).
  due_at                BIGINT NOT NULL,
  decided_at            BIGINT,
  decided_by            TEXT REFERENCES users(id),
  outcome               TEXT CHECK (outcome IN ('no_further_action','advice','early_help','assessment',
                          'strategy_discussion','section_47')),
  rationale             TEXT,
  -- 1 for the first decision; one more each time a decision is sent back or overturned.
  decision_round        INTEGER NOT NULL DEFAULT 1,
  signoff_needed        INTEGER NOT NULL DEFAULT 0,
  signed_off_at         BIGINT,
  signed_off_by         TEXT REFERENCES users(id),
  -- The decision round last challenged (0: never); one challenge per decision.
  challenge_round       INTEGER NOT NULL DEFAULT 0,
  challenge_reason      TEXT,
  challenged_at         BIGINT,
  challenged_by         TEXT REFERENCES users(id),
  challenge_outcome     TEXT CHECK (challenge_outcome IN ('decision_stands','decision_overturned')),
  challenge_response    TEXT,
  challenge_answered_at BIGINT,
  challenge_answered_by TEXT REFERENCES users(id),
  confirmed_at          BIGINT,
  confirmed_by          TEXT REFERENCES users(id),
  -- 1 while work is outstanding; next_due_at is then the soonest open deadline
  -- of the referral, which orders the MASH queue.
  is_open               INTEGER NOT NULL DEFAULT 1,
  next_due_at           BIGINT NOT NULL,
  updated_at            BIGINT NOT NULL,
  version               INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX referrals_queue ON referrals(is_open, next_due_at);
CREATE INDEX referrals_received ON referrals(received_at);
CREATE INDEX referrals_referrer ON referrals(referrer_id, received_at);
CREATE INDEX referrals_child ON referrals(child_id, received_at);

-- What happened to a referral, in order: rated, decided, signed off, sent
-- back, challenged, answered, assigned, child confirmed.  Never changed.
CREATE TABLE referral_events (
  referral_id TEXT NOT NULL REFERENCES referrals(id),
  n           INTEGER NOT NULL,
  at          BIGINT NOT NULL,
  type        TEXT NOT NULL,
  user_id     TEXT REFERENCES users(id),
  detail      TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (referral_id, n)
);
