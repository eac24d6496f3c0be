-- The trigram name index is rewritten only when the searchable names change. Every update of a patient sets
-- search_names (to the same text when only a phone or a note changed), and rewriting the index entry then cost
-- most of applying a pulled edit.
DROP TRIGGER patients_search_update;
CREATE TRIGGER patients_search_update AFTER UPDATE OF search_names ON patients
WHEN old.search_names IS NOT new.search_names
BEGIN
    INSERT INTO patient_name_search (patient_name_search, rowid, search_names) VALUES ('delete', old.local_rowid, old.search_names);
    INSERT INTO patient_name_search (rowid, search_names) VALUES (new.local_rowid, new.search_names);
END;
