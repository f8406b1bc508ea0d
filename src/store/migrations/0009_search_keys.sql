-- Safehub schema, version 9: which scheme each child's search keys follow.
-- Search and record linkage find children by keys computed in the
-- application (folded names, name sounds with birth year or postcode
-- district, ...).  When a release changes how they are computed, the keys
-- already stored would no longer meet the keys of people being looked for,
-- and those children would silently stop being found.  keys_scheme records
-- the scheme each child's keys were made with; 'safehub init' rebuilds every
-- child whose keys are older, and the server will not start while any is.
-- Every child stored before this version starts at 0 and is rebuilt once.
ALTER TABLE children ADD COLUMN keys_scheme INTEGER NOT NULL DEFAULT 0;
CREATE INDEX children_keys_scheme ON children(keys_scheme);
