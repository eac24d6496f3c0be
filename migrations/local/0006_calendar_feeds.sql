-- Schema version 6: calendar subscription links (ADR 12). Each clinician has at most one live link; its secret
-- token is made on this desk and kept only here (the database is encrypted) so the link can be shown again. The
-- clinic server receives only the token's SHA-256 (`calendar_feed.issue`) and serves the feed to whoever holds the
-- token. Not a synced table: other desks learn nothing of the token; a revoked link keeps no token.

CREATE TABLE calendar_feeds (
    id            TEXT PRIMARY KEY,                   -- UUIDv7
    clinician_id  TEXT NOT NULL REFERENCES staff(id),
    token         TEXT,                               -- base64url, 43 characters; NULL once revoked
    token_hash    TEXT NOT NULL UNIQUE,               -- SHA-256 of the token, lower-case hex
    issued_at     TEXT NOT NULL,
    issued_by     TEXT NOT NULL REFERENCES staff(id),
    revoked_at    TEXT,
    revoked_by    TEXT REFERENCES staff(id),
    CHECK ((revoked_at IS NULL) = (token IS NOT NULL))
);

-- At most one live link per clinician.
CREATE UNIQUE INDEX calendar_feeds_live ON calendar_feeds (clinician_id) WHERE revoked_at IS NULL;
