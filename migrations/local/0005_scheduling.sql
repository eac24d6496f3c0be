-- Schema version 5: scheduling (ADR 10): appointment types, clinician profiles, weekly working templates,
-- extra sessions, leave, clinic closures, appointments, the waitlist and the scheduling policy.
-- Instants are UTC text 'YYYY-MM-DDTHH:MM:SS.sssZ' (text order is time order); local wall-clock values
-- (template times 'HH:MM', closure and waitlist dates 'YYYY-MM-DD') are in the clinic's time zone.
-- Every table is synced and carries row_version, updated_at, deleted_at, updated_by (ADR 3).
-- No UNIQUE constraint on synced values: two offline devices may create the same name or book the same
-- slot; core checks, the server surfaces the clash.

-- The scheduling module's policy, one row keyed by the clinic's id (absent: the defaults).
CREATE TABLE scheduling_policy (
    id                      TEXT PRIMARY KEY,
    allow_overbooking       INTEGER NOT NULL DEFAULT 0 CHECK (allow_overbooking IN (0, 1)),
    calendar_patient_names  INTEGER NOT NULL DEFAULT 0 CHECK (calendar_patient_names IN (0, 1)),
    telemedicine_base_url   TEXT NOT NULL DEFAULT '',
    row_version             INTEGER NOT NULL DEFAULT 1,
    updated_at              TEXT NOT NULL,
    deleted_at              TEXT,
    updated_by              TEXT
);

CREATE TABLE appointment_types (
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    name_key            TEXT NOT NULL,                -- folded name, for "already exists" checks
    duration_minutes    INTEGER NOT NULL CHECK (duration_minutes BETWEEN 5 AND 720),
    colour              TEXT NOT NULL,                -- '#rrggbb'
    price_minor         INTEGER NOT NULL CHECK (price_minor >= 0),
    currency            TEXT NOT NULL,                -- ISO 4217, the clinic's currency when set
    telemedicine        INTEGER NOT NULL DEFAULT 0 CHECK (telemedicine IN (0, 1)),
    active              INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at          TEXT NOT NULL,
    row_version         INTEGER NOT NULL DEFAULT 1,
    updated_at          TEXT NOT NULL,
    deleted_at          TEXT,
    updated_by          TEXT
);

-- What scheduling needs to know about a doctor or nurse; the staff row stays the identity.
CREATE TABLE clinician_profiles (
    staff_id        TEXT PRIMARY KEY REFERENCES staff(id),
    specialty       TEXT NOT NULL DEFAULT '',
    specialty_key   TEXT NOT NULL DEFAULT '',         -- folded, for the specialty filter
    languages       TEXT NOT NULL DEFAULT '[]',       -- JSON array of lower-case language tags
    slot_minutes    INTEGER NOT NULL DEFAULT 15 CHECK (slot_minutes BETWEEN 5 AND 240),
    row_version     INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL,
    deleted_at      TEXT,
    updated_by      TEXT
);

-- A clinician's weekly template, replaced as a whole: JSON [{weekday 1-7 (Monday 1), start 'HH:MM',
-- end 'HH:MM', kind 'work'|'break'}] in the clinic's local time.
CREATE TABLE working_templates (
    clinician_id    TEXT PRIMARY KEY REFERENCES staff(id),
    periods         TEXT NOT NULL DEFAULT '[]',
    row_version     INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL,
    deleted_at      TEXT,
    updated_by      TEXT
);

-- Hours worked outside the template (a Saturday clinic, an evening session).
CREATE TABLE extra_sessions (
    id              TEXT PRIMARY KEY,
    clinician_id    TEXT NOT NULL REFERENCES staff(id),
    starts_at       TEXT NOT NULL,
    ends_at         TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    row_version     INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL,
    deleted_at      TEXT,
    updated_by      TEXT
);
CREATE INDEX extra_sessions_clinician ON extra_sessions (clinician_id, starts_at) WHERE deleted_at IS NULL;

-- Leave asked for by (or for) a clinician; only 'approved' leave blocks booking.
CREATE TABLE leave_requests (
    id              TEXT PRIMARY KEY,
    clinician_id    TEXT NOT NULL REFERENCES staff(id),
    starts_at       TEXT NOT NULL,
    ends_at         TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'rejected')),
    requested_by    TEXT,
    requested_at    TEXT NOT NULL,
    decided_by      TEXT,
    decided_at      TEXT,
    decision_note   TEXT,
    row_version     INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL,
    deleted_at      TEXT,
    updated_by      TEXT
);
CREATE INDEX leave_requests_clinician ON leave_requests (clinician_id, starts_at) WHERE deleted_at IS NULL;
CREATE INDEX leave_requests_status ON leave_requests (status, starts_at) WHERE deleted_at IS NULL;

-- Whole local days the clinic is closed (public holidays).
CREATE TABLE clinic_closures (
    id              TEXT PRIMARY KEY,
    day             TEXT NOT NULL,                    -- local date 'YYYY-MM-DD'
    name            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    row_version     INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL,
    deleted_at      TEXT,
    updated_by      TEXT
);
CREATE INDEX clinic_closures_day ON clinic_closures (day) WHERE deleted_at IS NULL;

CREATE TABLE appointments (
    id                      TEXT PRIMARY KEY,
    patient_id              TEXT NOT NULL REFERENCES patients(id),
    clinician_id            TEXT NOT NULL REFERENCES staff(id),
    type_id                 TEXT NOT NULL REFERENCES appointment_types(id),
    starts_at               TEXT NOT NULL,
    ends_at                 TEXT NOT NULL,
    status                  TEXT NOT NULL CHECK (status IN ('booked', 'arrived', 'in_consultation', 'completed',
                                                            'cancelled', 'no_show')),
    series_id               TEXT,                     -- the recurring series this occurrence belongs to
    overbooked              INTEGER NOT NULL DEFAULT 0 CHECK (overbooked IN (0, 1)),
    interpreter_language    TEXT,
    accessibility           TEXT NOT NULL DEFAULT '',
    notes                   TEXT NOT NULL DEFAULT '',
    meeting_link            TEXT,                     -- telemedicine only
    recording_consent       INTEGER NOT NULL DEFAULT 0 CHECK (recording_consent IN (0, 1)),
    consent_recorded_by     TEXT,
    consent_recorded_at     TEXT,
    arrived_at              TEXT,
    started_at              TEXT,
    completed_at            TEXT,
    cancelled_at            TEXT,
    cancel_reason           TEXT,
    no_show_at              TEXT,
    status_changed_at       TEXT NOT NULL,
    status_changed_by       TEXT,
    created_at              TEXT NOT NULL,
    created_by              TEXT,
    row_version             INTEGER NOT NULL DEFAULT 1,
    updated_at              TEXT NOT NULL,
    deleted_at              TEXT,
    updated_by              TEXT
);
-- The free-slot sweep: every appointment holding time that starts in a window, read from the index alone, with
-- instants as integer seconds (half the pages of the text form: the sweep's cost is pages decrypted).
CREATE INDEX appointments_sweep ON appointments (unixepoch(starts_at), clinician_id, unixepoch(ends_at))
    WHERE deleted_at IS NULL AND status IN ('booked', 'arrived', 'in_consultation', 'completed');
-- One clinician's calendar and overlap checks.
CREATE INDEX appointments_clinician ON appointments (clinician_id, starts_at) WHERE deleted_at IS NULL;
-- One patient's appointments and the patient double-booking check.
CREATE INDEX appointments_patient ON appointments (patient_id, starts_at) WHERE deleted_at IS NULL;

-- Patients waiting for an earlier slot, offered in the order they were added.
CREATE TABLE waitlist_entries (
    id              TEXT PRIMARY KEY,
    patient_id      TEXT NOT NULL REFERENCES patients(id),
    clinician_id    TEXT REFERENCES staff(id),        -- NULL: any clinician
    type_id         TEXT NOT NULL REFERENCES appointment_types(id),
    from_date       TEXT NOT NULL,                    -- local dates, inclusive
    to_date         TEXT NOT NULL,
    time_of_day     TEXT NOT NULL DEFAULT '{"kind":"any"}', -- JSON TimeOfDay
    notes           TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('waiting', 'booked', 'removed')),
    appointment_id  TEXT REFERENCES appointments(id),
    skips           INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    created_by      TEXT,
    row_version     INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL,
    deleted_at      TEXT,
    updated_by      TEXT
);
CREATE INDEX waitlist_entries_waiting ON waitlist_entries (status, created_at) WHERE deleted_at IS NULL;
CREATE INDEX waitlist_entries_patient ON waitlist_entries (patient_id) WHERE deleted_at IS NULL;
