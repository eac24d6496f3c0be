//! Pulled appointments: the server's document (clinic-core's row without its bookkeeping columns, ADR 11)
//! written over the local row; pending local moves, status changes, cancellations and consent re-applied on top
//! by the same forward-only rule the desk applies.

use clinic_protocol::pull::Change;
use rusqlite::{OptionalExtension, params};
use serde::Deserialize;
use uuid::Uuid;

use super::{Needs, arg, bookkeeping, opt_time, require};
use crate::CoreResult;
use crate::clock::to_db_time;
use crate::scheduling::{AppointmentStatus, SpecialNeeds};
use crate::sync::apply::{ApplyContext, ApplyFailure, EntityApplier, PendingMutation, db_time, decode};

pub(crate) struct AppointmentApplier;

#[derive(Debug, Deserialize)]
struct AppointmentData {
    patient_id: Uuid,
    clinician_id: Uuid,
    type_id: Uuid,
    starts_at: String,
    ends_at: String,
    status: AppointmentStatus,
    #[serde(default)]
    series_id: Option<Uuid>,
    #[serde(default)]
    overbooked: bool,
    #[serde(default)]
    special_needs: SpecialNeeds,
    #[serde(default)]
    meeting_link: Option<String>,
    #[serde(default)]
    recording_consent: bool,
    #[serde(default)]
    consent_recorded_by: Option<Uuid>,
    #[serde(default)]
    consent_recorded_at: Option<String>,
    #[serde(default)]
    arrived_at: Option<String>,
    #[serde(default)]
    started_at: Option<String>,
    #[serde(default)]
    completed_at: Option<String>,
    #[serde(default)]
    cancelled_at: Option<String>,
    #[serde(default)]
    cancel_reason: Option<String>,
    #[serde(default)]
    no_show_at: Option<String>,
    status_changed_at: String,
    #[serde(default)]
    status_changed_by: Option<Uuid>,
    created_at: String,
    #[serde(default)]
    created_by: Option<Uuid>,
}

fn id_text(id: Option<Uuid>) -> Option<String> {
    id.map(|u| u.to_string())
}

impl EntityApplier for AppointmentApplier {
    fn entity(&self) -> &'static str {
        "appointment"
    }

    fn write_server_version(&self, ctx: &mut ApplyContext<'_>, change: &Change) -> Result<(), ApplyFailure> {
        let d: AppointmentData = decode(&change.data, "the appointment")?;
        require(
            ctx.tx,
            &[(Needs::Patient, d.patient_id), (Needs::Staff, d.clinician_id), (Needs::AppointmentType, d.type_id)],
        )?;
        let (updated_at, deleted_at, updated_by) = bookkeeping(change)?;
        let times = [
            opt_time(d.consent_recorded_at.as_deref())?,
            opt_time(d.arrived_at.as_deref())?,
            opt_time(d.started_at.as_deref())?,
            opt_time(d.completed_at.as_deref())?,
            opt_time(d.cancelled_at.as_deref())?,
            opt_time(d.no_show_at.as_deref())?,
        ];
        let [consent_at, arrived_at, started_at, completed_at, cancelled_at, no_show_at] = times;
        ctx.tx
            .prepare_cached(
                "INSERT INTO appointments (id, patient_id, clinician_id, type_id, starts_at, ends_at, status, series_id,
                     overbooked, interpreter_language, accessibility, notes, meeting_link, recording_consent,
                     consent_recorded_by, consent_recorded_at, arrived_at, started_at, completed_at, cancelled_at,
                     cancel_reason, no_show_at, status_changed_at, status_changed_by, created_at, created_by,
                     row_version, updated_at, deleted_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                         ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)
                 ON CONFLICT (id) DO UPDATE SET patient_id = excluded.patient_id,
                     clinician_id = excluded.clinician_id, type_id = excluded.type_id,
                     starts_at = excluded.starts_at, ends_at = excluded.ends_at, status = excluded.status,
                     series_id = excluded.series_id, overbooked = excluded.overbooked,
                     interpreter_language = excluded.interpreter_language, accessibility = excluded.accessibility,
                     notes = excluded.notes, meeting_link = excluded.meeting_link,
                     recording_consent = excluded.recording_consent,
                     consent_recorded_by = excluded.consent_recorded_by,
                     consent_recorded_at = excluded.consent_recorded_at, arrived_at = excluded.arrived_at,
                     started_at = excluded.started_at, completed_at = excluded.completed_at,
                     cancelled_at = excluded.cancelled_at, cancel_reason = excluded.cancel_reason,
                     no_show_at = excluded.no_show_at, status_changed_at = excluded.status_changed_at,
                     status_changed_by = excluded.status_changed_by, created_at = excluded.created_at,
                     created_by = excluded.created_by, row_version = excluded.row_version,
                     updated_at = excluded.updated_at, deleted_at = excluded.deleted_at,
                     updated_by = excluded.updated_by",
            )?
            .execute(params![
                change.entity_id.to_string(),
                d.patient_id.to_string(),
                d.clinician_id.to_string(),
                d.type_id.to_string(),
                db_time(&d.starts_at)?,
                db_time(&d.ends_at)?,
                d.status.as_str(),
                id_text(d.series_id),
                d.overbooked,
                d.special_needs.interpreter_language,
                d.special_needs.accessibility,
                d.special_needs.notes,
                d.meeting_link,
                d.recording_consent,
                id_text(d.consent_recorded_by),
                consent_at,
                arrived_at,
                started_at,
                completed_at,
                cancelled_at,
                d.cancel_reason,
                no_show_at,
                db_time(&d.status_changed_at)?,
                id_text(d.status_changed_by),
                db_time(&d.created_at)?,
                id_text(d.created_by),
                change.row_version,
                updated_at,
                deleted_at,
                updated_by,
            ])?;
        Ok(())
    }

    fn reapply(&self, ctx: &mut ApplyContext<'_>, change: &Change, pending: &PendingMutation) -> CoreResult<()> {
        let id = change.entity_id.to_string();
        let status: Option<String> = ctx
            .tx
            .prepare_cached("SELECT status FROM appointments WHERE id = ?1")?
            .query_row([&id], |r| r.get(0))
            .optional()?;
        let Some(held) = status.and_then(|s| AppointmentStatus::parse(&s).ok()) else { return Ok(()) };
        let args = &pending.args;
        let by = pending.authored_by.map(|u| u.to_string());
        let at = |key: &str| arg::<jiff::Timestamp>(args, key).map(to_db_time);
        match pending.name.as_str() {
            "appointment.reschedule" if held == AppointmentStatus::Booked => {
                let (Some(clinician), Some(starts), Some(ends)) =
                    (arg::<Uuid>(args, "clinician_id"), at("starts_at"), at("ends_at"))
                else {
                    return Ok(());
                };
                let overbooked = arg::<bool>(args, "overbooked").unwrap_or(false);
                ctx.tx
                    .prepare_cached(
                        "UPDATE appointments SET clinician_id = ?1, starts_at = ?2, ends_at = ?3, overbooked = ?4
                         WHERE id = ?5 AND EXISTS (SELECT 1 FROM staff WHERE id = ?1)",
                    )?
                    .execute(params![clinician.to_string(), starts, ends, overbooked, id])?;
            }
            "appointment.status" | "appointment.cancel" => {
                let to = if pending.name == "appointment.cancel" {
                    Some(AppointmentStatus::Cancelled)
                } else {
                    arg::<AppointmentStatus>(args, "to")
                };
                let (Some(to), Some(at)) = (to, at("at")) else { return Ok(()) };
                if !held.can_move_to(to) {
                    return Ok(());
                }
                const ARRIVED: &str = "UPDATE appointments SET status = ?1, arrived_at = ?2, status_changed_at = ?2,
                     status_changed_by = ?3 WHERE id = ?4";
                const STARTED: &str = "UPDATE appointments SET status = ?1, started_at = ?2, status_changed_at = ?2,
                     status_changed_by = ?3 WHERE id = ?4";
                const COMPLETED: &str = "UPDATE appointments SET status = ?1, completed_at = ?2,
                     status_changed_at = ?2, status_changed_by = ?3 WHERE id = ?4";
                const NO_SHOW: &str = "UPDATE appointments SET status = ?1, no_show_at = ?2, status_changed_at = ?2,
                     status_changed_by = ?3 WHERE id = ?4";
                const CANCELLED: &str = "UPDATE appointments SET status = ?1, cancelled_at = ?2,
                     status_changed_at = ?2, status_changed_by = ?3, cancel_reason = ?5 WHERE id = ?4";
                let sql = match to {
                    AppointmentStatus::Arrived => ARRIVED,
                    AppointmentStatus::InConsultation => STARTED,
                    AppointmentStatus::Completed => COMPLETED,
                    AppointmentStatus::NoShow => NO_SHOW,
                    AppointmentStatus::Cancelled => CANCELLED,
                    AppointmentStatus::Booked => return Ok(()),
                };
                let mut stmt = ctx.tx.prepare_cached(sql)?;
                if to == AppointmentStatus::Cancelled {
                    stmt.execute(params![to.as_str(), at, by, id, arg::<String>(args, "reason")])?;
                } else {
                    stmt.execute(params![to.as_str(), at, by, id])?;
                }
            }
            "appointment.consent" => {
                let (Some(consent), Some(at)) = (arg::<bool>(args, "recording_consent"), at("at")) else {
                    return Ok(());
                };
                ctx.tx
                    .prepare_cached(
                        "UPDATE appointments SET recording_consent = ?1, consent_recorded_by = ?2,
                             consent_recorded_at = ?3 WHERE id = ?4",
                    )?
                    .execute(params![consent, by, at, id])?;
            }
            // A pending booking of an appointment the server already holds, or a move it has gone past.
            _ => {}
        }
        Ok(())
    }
}
