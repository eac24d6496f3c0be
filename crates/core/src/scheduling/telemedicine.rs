//! Telemedicine: meeting links (the provider's base URL from the scheduling policy + an unguessable room id),
//! the recording-consent flag with who recorded it and when, and the gate that refuses a recorded session
//! without consent — the refusal is audited.
//!
//! A refusal is `ErrorCode::Validation` on field `recording_consent`, not `forbidden`: the person's role is
//! allowed; what is missing is the patient's consent, which the desk can record (`forbidden` stays reserved for
//! role permissions, so the UI can tell "ask an administrator" from "ask the patient").

use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::appointments::store;
use super::model::Appointment;
use super::record::{self, Change};
use super::time::ClinicZone;
use crate::accounts::SessionId;
use crate::audit::{AuditAction, AuditEvent, AuditOutcome};
use crate::clock::to_db_time;
use crate::rbac::Permission;
use crate::{Clinic, CoreError, CoreResult};

/// A meeting link: the base URL and 128 random bits as 26 lower-case base32 characters.
pub(crate) fn meeting_link(base_url: &str) -> CoreResult<String> {
    if base_url.is_empty() {
        return Err(CoreError::validation(
            "type_id",
            "Telemedicine appointments need the meeting provider's address. An administrator sets it in the \
             scheduling settings.",
        ));
    }
    let mut room = [0u8; 16];
    getrandom::fill(&mut room).map_err(|e| CoreError::internal(e.to_string()))?;
    let room = data_encoding::BASE32_NOPAD.encode(&room).to_ascii_lowercase();
    Ok([base_url, "/", &room].concat())
}

/// A recorded session that may start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RecordedSession {
    pub appointment_id: Uuid,
    pub meeting_link: String,
}

fn telemedicine_appointment(appointment: &Appointment) -> CoreResult<&str> {
    appointment.meeting_link.as_deref().ok_or_else(|| {
        CoreError::validation("appointment_id", "This is not a telemedicine appointment; it has no meeting link.")
    })
}

/// Records (or withdraws) the patient's consent to recording, with who recorded it and when.
pub fn set_recording_consent(
    clinic: &Clinic,
    session: SessionId,
    appointment_id: Uuid,
    consent: bool,
) -> CoreResult<Appointment> {
    let actor = clinic.authorize(session, Permission::AppointmentWrite)?;
    clinic.write(|tx| {
        let zone = ClinicZone::load(tx)?;
        let old = store::get(tx, &zone, appointment_id)?;
        telemedicine_appointment(&old)?;
        if old.recording_consent == consent {
            return Ok(old);
        }
        let now = clinic.env.clock.now();
        let (at, by) = (to_db_time(now), actor.staff_id.to_string());
        store::change(
            tx,
            appointment_id,
            "recording_consent = ?, consent_recorded_by = ?, consent_recorded_at = ?",
            &[&consent, &by, &at],
            now,
            actor.staff_id,
        )?;
        record::record(
            clinic,
            tx,
            &actor,
            Change {
                mutation: "appointment.consent",
                entity: "appointment",
                entity_id: appointment_id,
                args: json!({ "recording_consent": consent, "at": now }),
                base_row_version: Some(old.row_version),
                action: AuditAction::AppointmentConsent,
                patient_id: Some(old.patient_id),
                detail: if consent { "given" } else { "withdrawn" },
            },
        )?;
        store::get(tx, &zone, appointment_id)
    })
}

/// Starts a recorded session. Without recorded consent it is refused (and the refusal audited).
pub fn start_recorded_session(
    clinic: &Clinic,
    session: SessionId,
    appointment_id: Uuid,
) -> CoreResult<RecordedSession> {
    let actor = clinic.authorize(session, Permission::AppointmentWrite)?;
    let appointment = clinic.read(|conn| store::get(conn, &ClinicZone::load(conn)?, appointment_id))?;
    let link = telemedicine_appointment(&appointment)?.to_owned();
    let event = actor.event(AuditAction::TelemedicineRecording, AuditOutcome::Success);
    let event = event.on("appointment", appointment_id).patient(appointment.patient_id);
    if !appointment.recording_consent {
        clinic.audit_alone(&AuditEvent { outcome: AuditOutcome::Denied, detail: "no recording consent", ..event })?;
        return Err(CoreError::validation(
            "recording_consent",
            "The patient has not consented to recording. Ask the patient and record their consent first, or start \
             the call without recording.",
        ));
    }
    clinic.audit_alone(&event.detail("recording started"))?;
    Ok(RecordedSession { appointment_id, meeting_link: link })
}
