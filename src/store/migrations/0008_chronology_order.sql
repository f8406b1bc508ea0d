-- Safehub schema, version 8: the chronology keeps the order events were
-- recorded in.  Two events on a child at the same second (a referral and its
-- triage, say) were ordered by their random ids; seq, one more than the
-- child's highest so far, now breaks such ties.  Events recorded before this
-- version keep seq 0 and their earlier order.
ALTER TABLE chronology ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX chronology_child_seq ON chronology(child_id, seq);
