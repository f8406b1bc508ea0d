-- Safehub schema, version 10: intelligence on people, vehicles, phones,
-- places and online accounts, and the links between them.
-- `entities` holds one row per person, vehicle, phone, place or online
-- account.  Vehicles, phones, accounts and places carry a normalised `key`
-- ("VRM:AB12CDE", "TEL:07700900123", ...) so that two agencies recording the
-- same one meet on one row; people have no key (they are never merged by a
-- rule).  `attrs` is the validated input as JSON; the columns after it are
-- copied out of it for the problem profile's counts.
-- `intelligence` holds graded items (3x5x2, or 5x5x5 for older records, kept
-- as recorded), with the handling conditions that must be shown wherever the
-- item is.  `intel_links` holds what each item reports: FROM relates to TO,
-- each end an entity id ('en_') or a child id ('ch_'), so no foreign key
-- names one table.  A child merged into another keeps its links; the network
-- reads them as the record kept (children.merged_into).
-- Same conventions as version 1: times BIGINT seconds since the epoch (UTC),
-- ids opaque TEXT, structured extras TEXT holding JSON.

CREATE TABLE entities (
  id                 TEXT PRIMARY KEY,
  type               TEXT NOT NULL
                     CHECK (type IN ('person', 'vehicle', 'phone', 'location', 'online_account')),
  label              TEXT NOT NULL,
  label_key          TEXT NOT NULL, -- the label folded (text_fold_key): search ignores case and accents alike on both databases
  key                TEXT UNIQUE,
  attrs              TEXT NOT NULL,
  ethnicity_self     TEXT,
  ethnicity_observed TEXT,
  nationality        TEXT,
  location_kind      TEXT,
  created_at         BIGINT NOT NULL,
  created_by         TEXT NOT NULL REFERENCES users(id),
  agency_id          TEXT REFERENCES agencies(id),
  version            BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX entities_type_label ON entities(type, label);

CREATE TABLE intelligence (
  id                      TEXT PRIMARY KEY,
  summary                 TEXT NOT NULL,
  grading                 TEXT NOT NULL CHECK (grading IN ('3x5x2', '5x5x5')),
  source_evaluation       TEXT NOT NULL,
  intelligence_assessment TEXT NOT NULL,
  handling_code           TEXT NOT NULL,
  handling_conditions     TEXT,
  occurred_at             BIGINT,
  recorded_at             BIGINT NOT NULL,
  recorded_by             TEXT NOT NULL REFERENCES users(id),
  agency_id               TEXT REFERENCES agencies(id)
);
CREATE INDEX intelligence_recorded ON intelligence(recorded_at);

CREATE TABLE intel_links (
  id              TEXT PRIMARY KEY,
  intelligence_id TEXT NOT NULL REFERENCES intelligence(id),
  position        INTEGER NOT NULL,
  from_id         TEXT NOT NULL,
  to_id           TEXT NOT NULL,
  relation        TEXT NOT NULL,
  recorded_at     BIGINT NOT NULL,
  CHECK (from_id <> to_id)
);
CREATE INDEX intel_links_from ON intel_links(from_id);
CREATE INDEX intel_links_to ON intel_links(to_id);
CREATE INDEX intel_links_intelligence ON intel_links(intelligence_id);

-- The problem profile counts assessments and missing episodes by period across every child.
CREATE INDEX risk_assessments_assessed ON risk_assessments(assessed_at);
CREATE INDEX missing_episodes_went ON missing_episodes(went_missing_at);
