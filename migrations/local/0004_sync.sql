-- Schema version 4: the client side of sync (ADR 9).
-- sync_state (one row): the server this computer is enrolled with, where it is in the server's change stream
-- (epoch + cursor, bootstrap progress), how far its audit chain has been acknowledged, the persisted hybrid
-- logical clock, and what the last attempt saw (online or not, last error, clock skew).
-- The device credential is NOT here: it lives in the OS keychain, like the database key.

CREATE TABLE sync_state (
    singleton               INTEGER PRIMARY KEY CHECK (singleton = 1),
    server_url              TEXT,
    device_name             TEXT,
    tenant_id               TEXT,
    server_clinic_id        TEXT,
    clinic_name             TEXT,
    enrolled_at             TEXT,
    enrolled_by             TEXT,
    -- The server's epoch and the last change sequence number applied here (0: none).
    epoch                   TEXT,
    cursor_seq              INTEGER NOT NULL DEFAULT 0,
    -- Initial download: 'needed' until the first page, 'running' while pages arrive, 'done' after the last.
    bootstrap_state         TEXT NOT NULL DEFAULT 'needed' CHECK (bootstrap_state IN ('needed', 'running', 'done')),
    bootstrap_epoch         TEXT,
    bootstrap_seq           INTEGER,
    bootstrap_after_entity  TEXT,
    bootstrap_after_id      TEXT,
    bootstrap_records       INTEGER NOT NULL DEFAULT 0,
    -- The highest seq of this device's audit chain the server holds, and a chain break it reported.
    audit_acknowledged_seq  INTEGER NOT NULL DEFAULT 0,
    audit_chain_break       TEXT,
    -- The last hybrid logical clock stamp this device issued or received (text form, sorts like the stamps).
    hlc                     TEXT,
    -- How far ahead of this computer's clock a stamp from elsewhere was, when beyond the allowed skew.
    clock_skew_ms           INTEGER,
    clock_skew_seen_at      TEXT,
    connection              TEXT NOT NULL DEFAULT 'unknown' CHECK (connection IN ('unknown', 'online', 'offline')),
    last_attempt_at         TEXT,
    last_synced_at          TEXT,
    last_error_code         TEXT,
    last_error_message      TEXT,
    consecutive_failures    INTEGER NOT NULL DEFAULT 0
);

-- The outbox keeps every mutation for good (an epoch change re-pushes them), with what the server said.
-- state stays 'pending' | 'applied' | 'rejected'; a rejected mutation a person dealt with keeps state
-- 'rejected' and records the resolution ('retried' as a new mutation, or 'dismissed' with who and why).
ALTER TABLE outbox ADD COLUMN hlc TEXT;
ALTER TABLE outbox ADD COLUMN outcome TEXT CHECK (outcome IN ('applied', 'applied_with_conflict', 'duplicate', 'rejected'));
ALTER TABLE outbox ADD COLUMN first_outcome TEXT;
ALTER TABLE outbox ADD COLUMN reason TEXT;
ALTER TABLE outbox ADD COLUMN pushed_at TEXT;
ALTER TABLE outbox ADD COLUMN acknowledged_at TEXT;
ALTER TABLE outbox ADD COLUMN server_row_version INTEGER;
ALTER TABLE outbox ADD COLUMN resolution TEXT CHECK (resolution IN ('retried', 'dismissed'));
ALTER TABLE outbox ADD COLUMN resolved_by TEXT;
ALTER TABLE outbox ADD COLUMN resolved_at TEXT;
ALTER TABLE outbox ADD COLUMN resolution_note TEXT;
ALTER TABLE outbox ADD COLUMN retried_as INTEGER;

CREATE INDEX outbox_state ON outbox (state, device_seq);
CREATE INDEX outbox_entity ON outbox (entity, entity_id, state);

-- Mutations queued before this version get a stamp from their authoring time (the counter keeps stamps of
-- one millisecond apart), and the clock starts after the newest of them.
UPDATE outbox
SET hlc = printf('%015d-%05d-%s',
                 CAST(round(unixepoch(authored_at, 'subsec') * 1000) AS INTEGER),
                 device_seq % 100000,
                 (SELECT id FROM device))
WHERE hlc IS NULL;

INSERT INTO sync_state (singleton, hlc) SELECT 1, max(hlc) FROM outbox;

-- The server row version (and change sequence) last applied here for each synced record: a pulled version is
-- applied only when newer. Local row_version columns count local edits too, so they cannot answer that.
CREATE TABLE sync_versions (
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    row_version INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    PRIMARY KEY (entity, entity_id)
) WITHOUT ROWID;

-- Pulled records this version could not store: an entity it does not know yet (a newer server), or a record
-- that cannot be stored now (e.g. merged into a record not received yet). Tried again on later syncs; the
-- latest version of each record only.
CREATE TABLE sync_parked (
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    change      TEXT NOT NULL,
    problem     TEXT NOT NULL CHECK (problem IN ('unknown_entity', 'unusable')),
    detail      TEXT NOT NULL,
    parked_at   TEXT NOT NULL,
    PRIMARY KEY (entity, entity_id)
) WITHOUT ROWID;

-- Clashes sync could not settle alone (raised by the server, synced as entity 'review_item'), resolved here by
-- a person with a 'review.resolve' mutation.
CREATE TABLE review_items (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    entity          TEXT NOT NULL,
    entity_ids      TEXT NOT NULL DEFAULT '[]',   -- JSON array of ids
    data            TEXT NOT NULL,                -- the item as the server sent it (JSON)
    status          TEXT NOT NULL CHECK (status IN ('open', 'resolved', 'dismissed')),
    resolution      TEXT,
    resolved_by     TEXT,
    seq             INTEGER NOT NULL DEFAULT 0,
    row_version     INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL,
    deleted_at      TEXT,
    updated_by      TEXT
);
CREATE INDEX review_items_status ON review_items (status, updated_at);
