-- Schema version 2: full-text patient name search.
-- A trigram index over every name a patient goes by, accent- and case-insensitive, so any part
-- of a name ("ose" in "José") is found. Kept in step with patients by triggers; its rowid is patients.local_rowid.

CREATE VIRTUAL TABLE patient_name_search USING fts5(
    search_names,
    content = 'patients',
    content_rowid = 'local_rowid',
    tokenize = 'trigram remove_diacritics 1'
);

INSERT INTO patient_name_search (rowid, search_names) SELECT local_rowid, search_names FROM patients;

CREATE TRIGGER patients_search_insert AFTER INSERT ON patients
BEGIN
    INSERT INTO patient_name_search (rowid, search_names) VALUES (new.local_rowid, new.search_names);
END;

CREATE TRIGGER patients_search_update AFTER UPDATE OF search_names ON patients
BEGIN
    INSERT INTO patient_name_search (patient_name_search, rowid, search_names) VALUES ('delete', old.local_rowid, old.search_names);
    INSERT INTO patient_name_search (rowid, search_names) VALUES (new.local_rowid, new.search_names);
END;
