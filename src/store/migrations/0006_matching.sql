-- Safehub schema, version 6: identity resolution.
-- Decisions people take on suggested matches (kept, never overwritten), and
-- the queue of existing children who may be the same child.

CREATE TABLE match_decisions (
  id           TEXT PRIMARY KEY,
  subject_type TEXT NOT NULL,      -- what was being matched: 'referral', 'child', 'enquiry'
  subject_id   TEXT NOT NULL,
  child_id     TEXT NOT NULL REFERENCES children(id),
  decision     TEXT NOT NULL CHECK (decision IN ('confirmed','rejected')),
  probability  TEXT,               -- as shown when deciding (text: exact and engine-neutral)
  model_id     TEXT,
  reason       TEXT,
  decided_by   TEXT NOT NULL REFERENCES users(id),
  decided_at   BIGINT NOT NULL
);
CREATE INDEX match_decisions_subject ON match_decisions(subject_type, subject_id);

-- Pairs of existing children the matcher thinks may be one child.  child_a < child_b.
CREATE TABLE duplicate_candidates (
  id          TEXT PRIMARY KEY,
  child_a     TEXT NOT NULL REFERENCES children(id),
  child_b     TEXT NOT NULL REFERENCES children(id),
  probability TEXT NOT NULL,
  explanation TEXT NOT NULL,
  model_id    TEXT,
  found_at    BIGINT NOT NULL,
  status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','not_duplicate','merged')),
  decided_by  TEXT REFERENCES users(id),
  decided_at  BIGINT,
  reason      TEXT,
  UNIQUE (child_a, child_b)
);
CREATE INDEX duplicate_candidates_status ON duplicate_candidates(status, found_at);

-- A merge keeps both records: the merged one points at the one kept and is
-- hidden from search; every row moved is listed so that the merge can be undone.
ALTER TABLE children ADD COLUMN merged_into TEXT REFERENCES children(id);

CREATE TABLE merges (
  id           TEXT PRIMARY KEY,
  kept_id      TEXT NOT NULL REFERENCES children(id),
  merged_id    TEXT NOT NULL REFERENCES children(id),
  candidate_id TEXT REFERENCES duplicate_candidates(id),
  moved        TEXT NOT NULL,   -- JSON: [{"table","id"}] rows moved from merged to kept
  added        TEXT NOT NULL,   -- JSON: what the merge added to the kept record (aliases, involvement)
  reason       TEXT,
  decided_by   TEXT NOT NULL REFERENCES users(id),
  decided_at   BIGINT NOT NULL,
  undone_by    TEXT REFERENCES users(id),
  undone_at    BIGINT
);
CREATE INDEX merges_children ON merges(kept_id, merged_id);
