-- Clinic Desk local schema, version 1: device identity, clinic settings, staff, sign-in throttling,
-- patients with their lookup keys, merges, the sync outbox and the hash-chained audit trail.
-- Synced tables carry: id (UUIDv7 text), row_version, updated_at, deleted_at, updated_by (DESIGN.md, invariant 5).
-- Times are UTC text 'YYYY-MM-DDTHH:MM:SS.sssZ'.

-- This installation. One row.
CREATE TABLE device (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    singleton   INTEGER NOT NULL DEFAULT 1 UNIQUE CHECK (singleton = 1)
);

-- Per-device counters for numbers that must stay unique across devices while offline (MRNs, invoices).
CREATE TABLE number_series (
    name        TEXT PRIMARY KEY,
    next_value  INTEGER NOT NULL CHECK (next_value >= 1)
);

CREATE TABLE clinic (
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    code                TEXT NOT NULL,
    address             TEXT NOT NULL DEFAULT '',
    time_zone           TEXT NOT NULL,
    currency            TEXT NOT NULL,
    invoice_prefix      TEXT NOT NULL,
    date_format         TEXT NOT NULL CHECK (date_format IN ('DMY', 'MDY', 'YMD')),
    idle_lock_minutes   INTEGER NOT NULL CHECK (idle_lock_minutes BETWEEN 1 AND 480),
    row_version         INTEGER NOT NULL DEFAULT 1,
    updated_at          TEXT NOT NULL,
    deleted_at          TEXT,
    updated_by          TEXT
);

CREATE TABLE staff (
    id                  TEXT PRIMARY KEY,
    username            TEXT NOT NULL,
    username_key        TEXT NOT NULL UNIQUE,
    display_name        TEXT NOT NULL,
    role                TEXT NOT NULL CHECK (role IN ('administrator', 'doctor', 'nurse', 'receptionist', 'billing_clerk')),
    password_hash       TEXT NOT NULL,
    active              INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    created_at          TEXT NOT NULL,
    row_version         INTEGER NOT NULL DEFAULT 1,
    updated_at          TEXT NOT NULL,
    deleted_at          TEXT,
    updated_by          TEXT
);

-- Failed sign-ins per user name, known or not, so unknown names are treated exactly like known ones.
-- Local to this device; survives restarts.
CREATE TABLE login_throttle (
    username_key    TEXT PRIMARY KEY,
    failed_count    INTEGER NOT NULL,
    last_failed_at  TEXT NOT NULL,
    blocked_until   TEXT
);

CREATE TABLE patients (
    local_rowid         INTEGER PRIMARY KEY,          -- stable rowid for the search index; never synced
    id                  TEXT NOT NULL UNIQUE,
    mrn                 TEXT NOT NULL UNIQUE,
    given_name          TEXT NOT NULL,
    family_name         TEXT NOT NULL,
    other_names         TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
    date_of_birth       TEXT,                         -- YYYY-MM-DD
    sex                 TEXT NOT NULL CHECK (sex IN ('female', 'male', 'other', 'unknown')),
    phones              TEXT NOT NULL DEFAULT '[]',   -- JSON [{kind, number}]
    email               TEXT,
    address             TEXT NOT NULL DEFAULT '{}',   -- JSON {line1, line2, city, region, postal_code, country}
    identifiers         TEXT NOT NULL DEFAULT '[]',   -- JSON [{kind, value}]
    preferred_language  TEXT,
    emergency_contact   TEXT,                         -- JSON {name, relationship, phone} or NULL
    insurance           TEXT NOT NULL DEFAULT '[]',   -- JSON [{provider, policy_number, coverage_start, coverage_end}]
    allergies           TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
    alerts              TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
    notes               TEXT NOT NULL DEFAULT '',
    communication       TEXT NOT NULL DEFAULT '{}',   -- JSON {email, sms, reminders}
    -- Search keys, written by the store: accent- and case-folded names.
    given_key           TEXT NOT NULL,
    family_key          TEXT NOT NULL,
    search_names        TEXT NOT NULL,
    merged_into         TEXT REFERENCES patients(id),
    deleted_reason      TEXT,
    created_at          TEXT NOT NULL,
    created_by          TEXT,
    row_version         INTEGER NOT NULL DEFAULT 1,
    updated_at          TEXT NOT NULL,
    deleted_at          TEXT,
    updated_by          TEXT
);
CREATE INDEX patients_family_key ON patients (family_key);
CREATE INDEX patients_given_key ON patients (given_key);
CREATE INDEX patients_date_of_birth ON patients (date_of_birth);

-- Normalised phone numbers and identifiers, for exact and partial look-ups.
-- kind: 'phone' (digits), 'phone_rev' (digits reversed, for "ends with"), 'id' (upper-case letters and digits), 'mrn'.
CREATE TABLE patient_lookup (
    kind        TEXT NOT NULL,
    value       TEXT NOT NULL,
    patient_id  TEXT NOT NULL REFERENCES patients(id),
    PRIMARY KEY (kind, value, patient_id)
) WITHOUT ROWID;
CREATE INDEX patient_lookup_patient ON patient_lookup (patient_id);

-- Two records found to be one person: the merged record points at the survivor; both histories stay.
CREATE TABLE patient_merges (
    id              TEXT PRIMARY KEY,
    survivor_id     TEXT NOT NULL REFERENCES patients(id),
    merged_id       TEXT NOT NULL REFERENCES patients(id),
    reason          TEXT NOT NULL,
    merged_at       TEXT NOT NULL,
    row_version     INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL,
    deleted_at      TEXT,
    updated_by      TEXT
);

-- Mutations waiting to be pushed to the clinic server, written in the same transaction as the change.
CREATE TABLE outbox (
    device_seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    mutation_id         TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    v                   INTEGER NOT NULL,
    entity              TEXT NOT NULL,
    entity_id           TEXT NOT NULL,
    args                TEXT NOT NULL,
    base_row_version    INTEGER,
    authored_by         TEXT,
    authored_at         TEXT NOT NULL,
    state               TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'applied', 'rejected'))
);

-- Append-only audit trail, hash-chained per device: hash = SHA-256(prev_hash || canonical entry).
CREATE TABLE audit_log (
    device_id   TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    at          TEXT NOT NULL,
    user_id     TEXT,
    username    TEXT,
    action      TEXT NOT NULL,
    entity_type TEXT,
    entity_id   TEXT,
    patient_id  TEXT,
    outcome     TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    PRIMARY KEY (device_id, seq)
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_patient ON audit_log (patient_id, at);
CREATE INDEX audit_log_user ON audit_log (user_id, at);

-- The newest entry of each device's chain, written with every entry, so that removing entries
-- from the end of the chain is detected too.
CREATE TABLE audit_head (
    device_id   TEXT PRIMARY KEY,
    seq         INTEGER NOT NULL,
    hash        TEXT NOT NULL
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
