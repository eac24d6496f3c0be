//! The appointment lifecycle: check-in (arrival time recorded), consultation, completion, cancellation with a
//! reason, no-show — forward moves only, each recorded with who and when, audited and queued for sync.

use serde_json::json;
use uuid::Uuid;

use super::store;
use crate::accounts::SessionId;
use crate::audit::AuditAction;
use crate::clock::to_db_time;
use crate::rbac::Permission;
use crate::scheduling::model::{Appointment, AppointmentStatus, StatusChange};
use crate::scheduling::record::{self, Change, text};
use crate::scheduling::time::{ClinicZone, day_label};
use crate::scheduling::waitlist;
use crate::{Clinic, CoreError, CoreResult};

fn label(status: AppointmentStatus) -> String {
    status.as_str().replace('_', " ")
}

/// Moves an appointment to `to`. Cancelling needs a reason; checking in is only on the appointment's day; a
/// no-show only once its start has passed. A cancellation returns the first waiting patients who fit the time.
pub fn change_status(
    clinic: &Clinic,
    session: SessionId,
    id: Uuid,
    to: AppointmentStatus,
    reason: Option<&str>,
) -> CoreResult<StatusChange> {
    let actor = clinic.authorize(session, Permission::AppointmentWrite)?;
    let reason = match (to, reason.map(|r| text("reason", r, 500, "The reason")).transpose()?) {
        (AppointmentStatus::Cancelled, Some(r)) if !r.is_empty() => Some(r),
        (AppointmentStatus::Cancelled, _) => {
            return Err(CoreError::validation("reason", "Say why the appointment is cancelled."));
        }
        _ => None,
    };
    clinic.write(|tx| {
        let zone = ClinicZone::load(tx)?;
        let old = store::get(tx, &zone, id)?;
        let now = clinic.env.clock.now();
        if !old.status.can_move_to(to) {
            return Err(CoreError::conflict(
                [
                    "This appointment is ",
                    &label(old.status),
                    " and cannot become ",
                    &label(to),
                    ". Appointments only move forward: booked, arrived, in consultation, completed.",
                ]
                .concat(),
            ));
        }
        if to == AppointmentStatus::Arrived && zone.today(now) != old.local_start.date() {
            return Err(CoreError::validation(
                "status",
                [
                    "This appointment is on ",
                    &day_label(old.local_start.date()),
                    ", not today. Check patients in on the day.",
                ]
                .concat(),
            ));
        }
        if to == AppointmentStatus::NoShow && now < old.starts_at {
            return Err(CoreError::validation(
                "status",
                [
                    "The appointment has not started yet (it is at ",
                    &zone.hm(old.starts_at),
                    "). Mark a no-show once its time has passed.",
                ]
                .concat(),
            ));
        }
        const ARRIVED: &str = "status = ?, arrived_at = ?, status_changed_at = ?, status_changed_by = ?";
        const STARTED: &str = "status = ?, started_at = ?, status_changed_at = ?, status_changed_by = ?";
        const COMPLETED: &str = "status = ?, completed_at = ?, status_changed_at = ?, status_changed_by = ?";
        const NO_SHOW: &str = "status = ?, no_show_at = ?, status_changed_at = ?, status_changed_by = ?";
        const CANCELLED: &str =
            "status = ?, cancelled_at = ?, status_changed_at = ?, status_changed_by = ?, cancel_reason = ?";
        let set = match to {
            AppointmentStatus::Arrived => ARRIVED,
            AppointmentStatus::InConsultation => STARTED,
            AppointmentStatus::Completed => COMPLETED,
            AppointmentStatus::NoShow => NO_SHOW,
            AppointmentStatus::Cancelled => CANCELLED,
            AppointmentStatus::Booked => return Err(CoreError::internal("no move leads back to booked")),
        };
        let (status, at, by) = (to.as_str(), to_db_time(now), actor.staff_id.to_string());
        let mut values: Vec<&dyn rusqlite::ToSql> = vec![&status, &at, &at, &by];
        if let Some(reason) = &reason {
            values.push(reason);
        }
        store::change(tx, id, set, &values, now, actor.staff_id)?;
        let detail = [old.status.as_str(), " -> ", to.as_str()].concat();
        let (mutation, action, args) = if to == AppointmentStatus::Cancelled {
            ("appointment.cancel", AuditAction::AppointmentCancel, json!({ "reason": reason, "at": now }))
        } else {
            ("appointment.status", AuditAction::AppointmentStatus, json!({ "from": old.status, "to": to, "at": now }))
        };
        record::record(
            clinic,
            tx,
            &actor,
            Change {
                mutation,
                entity: "appointment",
                entity_id: id,
                args,
                base_row_version: Some(old.row_version),
                action,
                patient_id: Some(old.patient_id),
                detail: &detail,
            },
        )?;
        let appointment = store::get(tx, &zone, id)?;
        let waitlist_offers = if to == AppointmentStatus::Cancelled && old.ends_at > now {
            waitlist::offers_in(tx, &zone, old.clinician_id, old.starts_at.max(now), old.ends_at, waitlist::OFFERS)?
        } else {
            Vec::new()
        };
        Ok(StatusChange { appointment, waitlist_offers })
    })
}

/// Checks the patient in: the arrival time is recorded and they join the waiting room.
pub fn check_in(clinic: &Clinic, session: SessionId, id: Uuid) -> CoreResult<Appointment> {
    Ok(change_status(clinic, session, id, AppointmentStatus::Arrived, None)?.appointment)
}

/// The clinician calls the patient in.
pub fn start_consultation(clinic: &Clinic, session: SessionId, id: Uuid) -> CoreResult<Appointment> {
    Ok(change_status(clinic, session, id, AppointmentStatus::InConsultation, None)?.appointment)
}

pub fn complete(clinic: &Clinic, session: SessionId, id: Uuid) -> CoreResult<Appointment> {
    Ok(change_status(clinic, session, id, AppointmentStatus::Completed, None)?.appointment)
}

/// The patient did not come (only once the appointment's time has passed).
pub fn mark_no_show(clinic: &Clinic, session: SessionId, id: Uuid) -> CoreResult<Appointment> {
    Ok(change_status(clinic, session, id, AppointmentStatus::NoShow, None)?.appointment)
}

/// Cancels with a reason (kept on the appointment, not in the audit trail); lists waiting patients who fit.
pub fn cancel(clinic: &Clinic, session: SessionId, id: Uuid, reason: &str) -> CoreResult<StatusChange> {
    change_status(clinic, session, id, AppointmentStatus::Cancelled, Some(reason))
}

/// One appointment, for anyone who may see appointments.
pub fn get(clinic: &Clinic, session: SessionId, id: Uuid) -> CoreResult<Appointment> {
    clinic.authorize(session, Permission::AppointmentRead)?;
    clinic.read(|conn| store::get(conn, &ClinicZone::load(conn)?, id))
}
