-- Each computer's device code: the middle part of the record numbers it hands out offline (MAIN-R1-000042).
-- Unique within a clinic, so two computers can never number two patients alike. Devices enrolled before this
-- version have none until they enroll again.
ALTER TABLE devices ADD COLUMN code text;
CREATE UNIQUE INDEX devices_clinic_code ON devices (clinic_id, code) WHERE code IS NOT NULL;

DROP FUNCTION enroll_device(bytea, uuid, text, bytea, timestamptz);

-- As before, and: a device code another computer of the clinic already uses is refused ('device_code_taken')
-- without using up the enrollment code, so the person can choose another device code and try again.
CREATE FUNCTION enroll_device(p_code_hash bytea, p_device uuid, p_name text, p_device_code text, p_secret_hash bytea,
                              p_now timestamptz)
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
        IF FOUND AND known.tenant_id <> code.tenant_id THEN
            RETURN QUERY SELECT 'device_elsewhere'::text, NULL::uuid, NULL::uuid, NULL::text;
            RETURN;
        END IF;
        IF p_device_code IS NOT NULL AND EXISTS (
            SELECT 1 FROM public.devices d
            WHERE d.clinic_id = code.clinic_id AND d.code = p_device_code AND d.id <> p_device
        ) THEN
            RETURN QUERY SELECT 'device_code_taken'::text, NULL::uuid, NULL::uuid, NULL::text;
            RETURN;
        END IF;
        IF FOUND THEN
            UPDATE public.devices d
               SET clinic_id = code.clinic_id, name = p_name, secret_hash = p_secret_hash,
                   enrolled_at = p_now, revoked_at = NULL, code = COALESCE(p_device_code, d.code)
             WHERE d.id = p_device;
        ELSE
            INSERT INTO public.devices (id, tenant_id, clinic_id, name, code, secret_hash, created_at, enrolled_at)
            VALUES (p_device, code.tenant_id, code.clinic_id, p_name, p_device_code, p_secret_hash, p_now, p_now);
        END IF;
        UPDATE public.enrollment_codes c SET used_at = p_now, used_by_device = p_device
         WHERE c.code_hash = p_code_hash;
        RETURN QUERY SELECT 'enrolled'::text, code.tenant_id, code.clinic_id,
                            (SELECT k.name FROM public.clinics k WHERE k.id = code.clinic_id);
    END
    $$;

REVOKE ALL ON FUNCTION enroll_device(bytea, uuid, text, text, bytea, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll_device(bytea, uuid, text, text, bytea, timestamptz) TO clinic_app;
