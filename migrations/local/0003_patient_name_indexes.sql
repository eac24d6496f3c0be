-- Schema version 3: name indexes for search and duplicate checks, over active patients only.
-- (family, given) and (given, family) let a search such as "garc jos" be answered from the index alone:
-- deleted_at and merged_into are index columns too (always NULL here) so the "active" test needs no table
-- row, and deleted or merged records are left out of these indexes altogether. They replace the
-- single-column name indexes of version 1.

DROP INDEX patients_family_key;
DROP INDEX patients_given_key;

CREATE INDEX patients_active_family_given ON patients (family_key, given_key, deleted_at, merged_into)
    WHERE deleted_at IS NULL AND merged_into IS NULL;
CREATE INDEX patients_active_given_family ON patients (given_key, family_key, deleted_at, merged_into)
    WHERE deleted_at IS NULL AND merged_into IS NULL;

-- The trigram index row of a new patient is written by the store itself (patients::store::insert) instead of
-- by a trigger: an INSERT that fires a trigger runs in a statement savepoint, and FTS5 flushes its pending
-- index data to disk at every savepoint, one tiny segment per patient. Written by the store, the rows of a
-- bulk registration are indexed together (about a fifth less CPU per patient). Every insert into
-- `patients` must therefore go through that function. Changes of names are still indexed by the
-- `patients_search_update` trigger of version 2.
DROP TRIGGER patients_search_insert;
