-- Safehub schema, version 5: CSE risk assessments.
-- One row per assessment of a child against the risk tool in force (whose
-- version it records), the indicators observed with their evidence, source
-- agency and recency, and the levels: from the score bands, after the
-- tool's overriding rules (computed), by professional judgement (judged) and
-- in force (final).  A lower level than the computed one waits for a
-- manager's countersignature; meanwhile the computed level stays in force.
-- Review deadlines, the multi-agency CSE meeting and countersignature
-- requests live in `deadlines`; the chronology entry in `chronology`.
-- Same conventions as version 1: times BIGINT seconds since the epoch (UTC),
-- flags INTEGER 0/1, ids opaque TEXT, structured extras TEXT holding JSON.

CREATE TABLE risk_assessments (
  id                              TEXT PRIMARY KEY,
  child_id                        TEXT NOT NULL REFERENCES children(id),
  tool_version                    TEXT NOT NULL,
  assessed_at                     BIGINT NOT NULL,
  assessed_by                     TEXT NOT NULL REFERENCES users(id),
  agency_id                       TEXT REFERENCES agencies(id),
  score                           INTEGER NOT NULL,
  band_level                      TEXT NOT NULL,
  computed_level                  TEXT NOT NULL,
  computed_rank                   INTEGER NOT NULL,
  -- The overriding rule that raised the level above the score's band, if any.
  override_indicator              TEXT,
  override_reason                 TEXT,
  judged_level                    TEXT,
  judgement_rationale             TEXT,
  final_level                     TEXT NOT NULL,
  final_rank                      INTEGER NOT NULL,
  -- final_rank - computed_rank: below 0 lowered, above 0 raised by judgement.
  level_change                    INTEGER NOT NULL DEFAULT 0,
  countersign_status              TEXT NOT NULL DEFAULT 'not_needed'
                                  CHECK (countersign_status IN ('not_needed','awaiting','agreed','declined')),
  countersign_requested_from      TEXT REFERENCES users(id),
  countersigned_by                TEXT REFERENCES users(id),
  countersigned_at                BIGINT,
  countersign_comment             TEXT,
  -- The child's own view is part of every assessment: their words, or why
  -- they could not be gathered (exactly one of the two).
  childs_words                    TEXT,
  childs_view_not_gathered_reason TEXT,
  exploitation_types              TEXT NOT NULL DEFAULT '[]',
  review_due_at                   BIGINT NOT NULL,
  -- 1 for the child's latest assessment, 0 once a newer one is made.
  is_current                      INTEGER NOT NULL DEFAULT 1 CHECK (is_current IN (0, 1)),
  CHECK ((childs_words IS NULL) <> (childs_view_not_gathered_reason IS NULL))
);
CREATE INDEX risk_assessments_child ON risk_assessments(child_id, assessed_at);
-- At most one current assessment per child (two made at once cannot both be current).
CREATE UNIQUE INDEX risk_assessments_current ON risk_assessments(child_id) WHERE is_current = 1;
-- The overview: children by level in force, and reviews in due order.
CREATE INDEX risk_assessments_current_level ON risk_assessments(final_level, review_due_at) WHERE is_current = 1;
CREATE INDEX risk_assessments_current_due ON risk_assessments(review_due_at) WHERE is_current = 1;
-- The overview: levels changed by judgement, and lowerings awaiting a manager.
CREATE INDEX risk_assessments_judged ON risk_assessments(assessed_at)
  WHERE is_current = 1 AND (level_change <> 0 OR countersign_status = 'awaiting');

CREATE TABLE risk_indicators (
  assessment_id    TEXT NOT NULL REFERENCES risk_assessments(id),
  position         INTEGER NOT NULL,
  code             TEXT NOT NULL,
  recency          TEXT NOT NULL,
  weight           INTEGER NOT NULL,
  evidence         TEXT NOT NULL,
  source_agency_id TEXT REFERENCES agencies(id),
  PRIMARY KEY (assessment_id, position),
  UNIQUE (assessment_id, code)
);
