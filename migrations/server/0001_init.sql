-- Clinic server schema 1: tenants, clinics, devices and enrollment codes; the per-tenant change sequence;
-- entities (current state) and their versions; applied mutations; each device's audit chain; rejected
-- requests; the server epoch.
--
-- Run as the owner role, which has BYPASSRLS (or is a superuser) so that the SECURITY DEFINER look-ups below
-- can find a device or an enrollment code before the tenant is known. The application connects as
-- `clinic_app` (LOGIN, NOBYPASSRLS, not the owner): it gets only the privileges granted at the end, and every
-- tenant table has row-level security enabled and forced, filtered on the transaction's `app.tenant_id`.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'clinic_app') THEN
        RAISE EXCEPTION 'role clinic_app does not exist: run "clinic-server migrate --create-app-role" or create it as crates/server/README.md shows';
    END IF;
END
$$;

-- The tenant of the current transaction, set by the server with set_config('app.tenant_id', …, true).
-- NULL when unset (a reset local setting reads as ''), so policies then match nothing.
CREATE FUNCTION app_tenant() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$;

-- One row: the server's epoch. A restored backup gets a new one (`clinic-server new-epoch`), which makes every
-- client re-push what it holds and pull from the start.
CREATE TABLE server_epoch (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    epoch      uuid NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO server_epoch (epoch) VALUES (gen_random_uuid());

-- An organisation: the scope of sharing. All its clinics see the same patients, staff and review items.
CREATE TABLE tenants (
    id         uuid PRIMARY KEY,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL
);

CREATE TABLE clinics (
    id         uuid PRIMARY KEY,
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL
);
CREATE INDEX clinics_tenant ON clinics (tenant_id);

-- A desktop. Only SHA-256 of its secret is kept; the secret itself was shown to the device once.
CREATE TABLE devices (
    id                    uuid PRIMARY KEY,
    tenant_id             uuid NOT NULL REFERENCES tenants (id),
    clinic_id             uuid NOT NULL REFERENCES clinics (id),
    name                  text NOT NULL,
    secret_hash           bytea NOT NULL,
    created_at            timestamptz NOT NULL,
    enrolled_at           timestamptz NOT NULL,
    revoked_at            timestamptz,
    last_seen_at          timestamptz,
    last_protocol_version integer,
    last_schema_version   integer
);
CREATE INDEX devices_clinic ON devices (tenant_id, clinic_id);

-- One-time codes an administrator hands to a desk. Only the hash of the code is kept.
CREATE TABLE enrollment_codes (
    code_hash      bytea PRIMARY KEY,
    tenant_id      uuid NOT NULL REFERENCES tenants (id),
    clinic_id      uuid NOT NULL REFERENCES clinics (id),
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz,
    used_by_device uuid
);

-- The tenant's change sequence. Every change takes its number with
-- `UPDATE … SET seq = seq + 1 … RETURNING seq` inside the transaction that writes it: the row lock is held until
-- commit, so numbers become visible in commit order and a puller never skips one. `hlc` is the latest stamp
-- the tenant's mutations carried (its text form sorts like the stamps), from which the server's HLC derives.
CREATE TABLE tenant_sequences (
    tenant_id uuid PRIMARY KEY REFERENCES tenants (id),
    seq       bigint NOT NULL DEFAULT 0,
    hlc       text NOT NULL DEFAULT ''
);

-- Every synced record's current state, whatever its kind (patient, staff, clinic, review_item, …).
CREATE TABLE entities (
    tenant_id       uuid NOT NULL REFERENCES tenants (id),
    entity          text NOT NULL,
    entity_id       uuid NOT NULL,
    clinic_id       uuid NOT NULL,
    row_version     bigint NOT NULL,
    data            jsonb NOT NULL,
    field_hlcs      jsonb NOT NULL DEFAULT '{}',
    hlc             text NOT NULL,
    seq             bigint NOT NULL,
    updated_at      timestamptz NOT NULL,
    updated_by      uuid,
    deleted_at      timestamptz,
    origin_device   uuid,
    origin_mutation uuid,
    PRIMARY KEY (tenant_id, entity, entity_id),
    UNIQUE (tenant_id, seq)
);
-- For the cross-tenant id check (entity_ids_elsewhere).
CREATE INDEX entities_entity_id ON entities (entity_id);

-- Every version of every record, so a three-way merge can find the version an edit was made on.
CREATE TABLE entity_versions (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    entity      text NOT NULL,
    entity_id   uuid NOT NULL,
    row_version bigint NOT NULL,
    data        jsonb NOT NULL,
    hlc         text NOT NULL,
    seq         bigint NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, entity, entity_id, row_version)
);

-- Folded names + date of birth and normalised identifiers of live patients, to spot likely duplicates.
CREATE TABLE patient_match_keys (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    match_key  text NOT NULL,
    patient_id uuid NOT NULL,
    PRIMARY KEY (tenant_id, match_key, patient_id)
);
CREATE INDEX patient_match_keys_patient ON patient_match_keys (tenant_id, patient_id);

-- Each mutation a device pushed, with what became of it, so a replay returns the stored answer.
CREATE TABLE applied_mutations (
    device_id   uuid NOT NULL,
    device_seq  bigint NOT NULL,
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    mutation_id uuid NOT NULL,
    name        text NOT NULL,
    entity      text NOT NULL,
    entity_id   uuid NOT NULL,
    outcome     text NOT NULL,
    result      jsonb NOT NULL,
    applied_at  timestamptz NOT NULL,
    PRIMARY KEY (device_id, device_seq)
);

-- Each device's hash-chained audit trail as received.
CREATE TABLE audit_records (
    device_id   uuid NOT NULL,
    seq         bigint NOT NULL,
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    prev_hash   text NOT NULL,
    hash        text NOT NULL,
    record      jsonb NOT NULL,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (device_id, seq)
);

-- The last contiguous entry the server holds for each device.
CREATE TABLE audit_heads (
    device_id  uuid PRIMARY KEY,
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    seq        bigint NOT NULL,
    hash       text NOT NULL,
    updated_at timestamptz NOT NULL
);

-- Pushed entries that did not continue the chain the server holds.
CREATE TABLE audit_chain_breaks (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    device_id          uuid NOT NULL,
    seq                bigint NOT NULL,
    -- The server's hash at that point: the held entry's (for a resent entry) or the previous entry's.
    server_hash        text NOT NULL,
    got_prev_hash      text NOT NULL,
    got_hash           text NOT NULL,
    reason             text NOT NULL,
    detected_at        timestamptz NOT NULL,
    UNIQUE (device_id, seq, got_hash)
);

-- Requests refused as a whole (malformed or not allowed), for whoever investigates a misbehaving device.
CREATE TABLE rejected_requests (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    device_id   uuid NOT NULL,
    endpoint    text NOT NULL,
    field       text,
    message     text NOT NULL,
    received_at timestamptz NOT NULL
);
CREATE INDEX rejected_requests_device ON rejected_requests (tenant_id, device_id, received_at);

-- Row-level security: enabled and forced on every tenant table, one policy each.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants USING (id = app_tenant()) WITH CHECK (id = app_tenant());

ALTER TABLE clinics ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinics FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON clinics
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE devices ENABLE ROW LEVEL SECURITY;
ALTER TABLE devices FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON devices
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE enrollment_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE enrollment_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON enrollment_codes
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE tenant_sequences ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_sequences FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_sequences
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE entities ENABLE ROW LEVEL SECURITY;
ALTER TABLE entities FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON entities
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE entity_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE entity_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON entity_versions
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE patient_match_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE patient_match_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON patient_match_keys
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE applied_mutations ENABLE ROW LEVEL SECURITY;
ALTER TABLE applied_mutations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON applied_mutations
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE audit_records ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_records FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_records
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE audit_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_heads
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE audit_chain_breaks ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_chain_breaks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_chain_breaks
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

ALTER TABLE rejected_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE rejected_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rejected_requests
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- Look-ups that must happen before the tenant is known. SECURITY DEFINER (they run as the owner, which bypasses
-- RLS), search_path pinned, returning only what the caller needs.

-- A device's credential check: the caller compares the secret's hash in constant time.
CREATE FUNCTION device_credential(p_device uuid)
    RETURNS TABLE (tenant_id uuid, clinic_id uuid, secret_hash bytea, revoked boolean, last_seen_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
        SELECT d.tenant_id, d.clinic_id, d.secret_hash, d.revoked_at IS NOT NULL, d.last_seen_at
        FROM public.devices d WHERE d.id = p_device
    $$;

-- Uses a one-time enrollment code: checks it (unknown, used or expired → 'code_invalid'), creates the device or,
-- when the device id is already known in the same tenant (re-enrollment after a revoke), gives it the new secret
-- and un-revokes it; a device id known in another tenant → 'device_elsewhere'. The code is spent only on success.
CREATE FUNCTION enroll_device(p_code_hash bytea, p_device uuid, p_name text, p_secret_hash bytea, p_now timestamptz)
    RETURNS TABLE (outcome text, tenant_id uuid, clinic_id uuid, clinic_name text)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
    DECLARE
        code public.enrollment_codes%ROWTYPE;
        known public.devices%ROWTYPE;
    BEGIN
        SELECT * INTO code FROM public.enrollment_codes c WHERE c.code_hash = p_code_hash FOR UPDATE;
        IF NOT FOUND OR code.used_at IS NOT NULL OR code.expires_at <= p_now THEN
            RETURN QUERY SELECT 'code_invalid'::text, NULL::uuid, NULL::uuid, NULL::text;
            RETURN;
        END IF;
        SELECT * INTO known FROM public.devices d WHERE d.id = p_device FOR UPDATE;
        IF FOUND THEN
            IF known.tenant_id <> code.tenant_id THEN
                RETURN QUERY SELECT 'device_elsewhere'::text, NULL::uuid, NULL::uuid, NULL::text;
                RETURN;
            END IF;
            UPDATE public.devices d
               SET clinic_id = code.clinic_id, name = p_name, secret_hash = p_secret_hash,
                   enrolled_at = p_now, revoked_at = NULL
             WHERE d.id = p_device;
        ELSE
            INSERT INTO public.devices (id, tenant_id, clinic_id, name, secret_hash, created_at, enrolled_at)
            VALUES (p_device, code.tenant_id, code.clinic_id, p_name, p_secret_hash, p_now, p_now);
        END IF;
        UPDATE public.enrollment_codes c SET used_at = p_now, used_by_device = p_device
         WHERE c.code_hash = p_code_hash;
        RETURN QUERY SELECT 'enrolled'::text, code.tenant_id, code.clinic_id,
                            (SELECT k.name FROM public.clinics k WHERE k.id = code.clinic_id);
    END
    $$;

-- Which of these ids are records of another tenant than the transaction's (a device naming them is refused).
CREATE FUNCTION entity_ids_elsewhere(p_ids uuid[])
    RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
        SELECT DISTINCT e.entity_id FROM public.entities e
        WHERE e.entity_id = ANY (p_ids) AND e.tenant_id IS DISTINCT FROM public.app_tenant()
    $$;

REVOKE ALL ON FUNCTION device_credential(uuid) FROM PUBLIC;
REVOKE ALL ON FUNCTION enroll_device(bytea, uuid, text, bytea, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION entity_ids_elsewhere(uuid[]) FROM PUBLIC;

-- What the application may do: read and write sync data of its tenant, nothing else.
GRANT USAGE ON SCHEMA public TO clinic_app;
GRANT EXECUTE ON FUNCTION app_tenant() TO clinic_app;
GRANT EXECUTE ON FUNCTION device_credential(uuid) TO clinic_app;
GRANT EXECUTE ON FUNCTION enroll_device(bytea, uuid, text, bytea, timestamptz) TO clinic_app;
GRANT EXECUTE ON FUNCTION entity_ids_elsewhere(uuid[]) TO clinic_app;
GRANT SELECT ON server_epoch TO clinic_app;
GRANT SELECT ON tenants, clinics TO clinic_app;
GRANT SELECT ON devices TO clinic_app;
GRANT UPDATE (last_seen_at, last_protocol_version, last_schema_version) ON devices TO clinic_app;
GRANT SELECT, UPDATE ON tenant_sequences TO clinic_app;
GRANT SELECT, INSERT, UPDATE ON entities TO clinic_app;
GRANT SELECT, INSERT ON entity_versions TO clinic_app;
GRANT SELECT, INSERT, DELETE ON patient_match_keys TO clinic_app;
GRANT SELECT, INSERT ON applied_mutations TO clinic_app;
GRANT SELECT, INSERT ON audit_records TO clinic_app;
GRANT SELECT, INSERT, UPDATE ON audit_heads TO clinic_app;
GRANT SELECT, INSERT ON audit_chain_breaks TO clinic_app;
GRANT INSERT ON rejected_requests TO clinic_app;
