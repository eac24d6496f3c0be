-- Clinic server schema 3: calendar subscription feeds (ADR 12).
--
-- A desk makes each feed's secret token and sends only its SHA-256 here (`calendar_feed.issue`); whoever holds the
-- token reads the clinician's appointments at `GET /v1/calendar/<token>.ics` without a device credential. A
-- clinician has at most one live feed: issuing again revokes the previous one, `calendar_feed.revoke` revokes it.
-- Revoked rows are kept (who issued and revoked what, when), never served.

CREATE TABLE calendar_feeds (
    id            uuid PRIMARY KEY,                    -- the issuing mutation's id
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    clinic_id     uuid NOT NULL REFERENCES clinics (id),  -- the issuing device's clinic: its zone and policy
    clinician_id  uuid NOT NULL,
    token_hash    bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    issued_at     timestamptz NOT NULL,
    issued_by     uuid NOT NULL,
    issued_device uuid NOT NULL,
    revoked_at    timestamptz,
    revoked_by    uuid
);
CREATE UNIQUE INDEX calendar_feeds_live ON calendar_feeds (tenant_id, clinician_id) WHERE revoked_at IS NULL;

-- What a feed reads: one clinician's appointments by start (RFC 3339 UTC text sorts like the instants).
CREATE INDEX entities_appointments_by_clinician ON entities (tenant_id, (data ->> 'clinician_id'), (data ->> 'starts_at'))
    WHERE entity = 'appointment';

ALTER TABLE calendar_feeds ENABLE ROW LEVEL SECURITY;
ALTER TABLE calendar_feeds FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON calendar_feeds
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- The feed a token's hash names, before the tenant is known; nothing for an unknown or revoked one (the caller
-- answers both alike). Equality on a SHA-256 of a 256-bit random token: timing reveals nothing usable.
CREATE FUNCTION calendar_feed_by_hash(p_token_hash bytea)
    RETURNS TABLE (id uuid, tenant_id uuid, clinic_id uuid, clinician_id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
        SELECT f.id, f.tenant_id, f.clinic_id, f.clinician_id FROM public.calendar_feeds f
        WHERE f.token_hash = p_token_hash AND f.revoked_at IS NULL
    $$;

REVOKE ALL ON FUNCTION calendar_feed_by_hash(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION calendar_feed_by_hash(bytea) TO clinic_app;
GRANT SELECT, INSERT, UPDATE (revoked_at, revoked_by) ON calendar_feeds TO clinic_app;
