//! Pulled waitlist entries (clinic-core's row without its bookkeeping columns); pending skips, removals and
//! bookings are re-applied on top while the server still holds the entry waiting.

use clinic_protocol::pull::Change;
use rusqlite::params;
use serde::Deserialize;
use uuid::Uuid;

use super::{Needs, arg, bookkeeping, held, require};
use crate::CoreResult;
use crate::scheduling::TimeOfDay;
use crate::scheduling::waitlist::WaitlistStatus;
use crate::sync::apply::{ApplyContext, ApplyFailure, EntityApplier, PendingMutation, db_time, decode};

pub(crate) struct WaitlistApplier;

#[derive(Debug, Deserialize)]
struct EntryData {
    patient_id: Uuid,
    clinician_id: Option<Uuid>,
    type_id: Uuid,
    from_date: jiff::civil::Date,
    to_date: jiff::civil::Date,
    time_of_day: TimeOfDay,
    notes: String,
    status: WaitlistStatus,
    appointment_id: Option<Uuid>,
    skips: u32,
    created_at: String,
    created_by: Option<Uuid>,
}

fn status_text(status: WaitlistStatus) -> &'static str {
    match status {
        WaitlistStatus::Waiting => "waiting",
        WaitlistStatus::Booked => "booked",
        WaitlistStatus::Removed => "removed",
    }
}

impl EntityApplier for WaitlistApplier {
    fn entity(&self) -> &'static str {
        "waitlist_entry"
    }

    fn write_server_version(&self, ctx: &mut ApplyContext<'_>, change: &Change) -> Result<(), ApplyFailure> {
        let e: EntryData = decode(&change.data, "the waitlist entry")?;
        let mut needed = vec![(Needs::Patient, e.patient_id), (Needs::AppointmentType, e.type_id)];
        needed.extend(e.clinician_id.map(|c| (Needs::Staff, c)));
        needed.extend(e.appointment_id.map(|a| (Needs::Appointment, a)));
        require(ctx.tx, &needed)?;
        let (updated_at, deleted_at, updated_by) = bookkeeping(change)?;
        ctx.tx
            .prepare_cached(
                "INSERT INTO waitlist_entries (id, patient_id, clinician_id, type_id, from_date, to_date, time_of_day,
                     notes, status, appointment_id, skips, created_at, created_by, row_version, updated_at,
                     deleted_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
                 ON CONFLICT (id) DO UPDATE SET patient_id = excluded.patient_id,
                     clinician_id = excluded.clinician_id, type_id = excluded.type_id,
                     from_date = excluded.from_date, to_date = excluded.to_date, time_of_day = excluded.time_of_day,
                     notes = excluded.notes, status = excluded.status, appointment_id = excluded.appointment_id,
                     skips = excluded.skips, created_at = excluded.created_at, created_by = excluded.created_by,
                     row_version = excluded.row_version, updated_at = excluded.updated_at,
                     deleted_at = excluded.deleted_at, updated_by = excluded.updated_by",
            )?
            .execute(params![
                change.entity_id.to_string(),
                e.patient_id.to_string(),
                e.clinician_id.map(|c| c.to_string()),
                e.type_id.to_string(),
                e.from_date.to_string(),
                e.to_date.to_string(),
                serde_json::to_string(&e.time_of_day).map_err(crate::CoreError::from)?,
                e.notes,
                status_text(e.status),
                e.appointment_id.map(|a| a.to_string()),
                e.skips,
                db_time(&e.created_at)?,
                e.created_by.map(|c| c.to_string()),
                change.row_version,
                updated_at,
                deleted_at,
                updated_by,
            ])?;
        Ok(())
    }

    fn reapply(&self, ctx: &mut ApplyContext<'_>, change: &Change, pending: &PendingMutation) -> CoreResult<()> {
        const SKIP: &str = "UPDATE waitlist_entries SET skips = skips + 1 WHERE id = ?1 AND status = 'waiting'";
        const REMOVE: &str = "UPDATE waitlist_entries SET status = 'removed' WHERE id = ?1 AND status = 'waiting'";
        const BOOK: &str =
            "UPDATE waitlist_entries SET status = 'booked', appointment_id = ?2 WHERE id = ?1 AND status = 'waiting'";
        let id = change.entity_id.to_string();
        match pending.name.as_str() {
            "waitlist.skip" => {
                ctx.tx.prepare_cached(SKIP)?.execute([&id])?;
            }
            "waitlist.remove" => {
                ctx.tx.prepare_cached(REMOVE)?.execute([&id])?;
            }
            "waitlist.book" => {
                if let Some(appointment) = arg::<Uuid>(&pending.args, "appointment_id")
                    && held(ctx.tx, Needs::Appointment, appointment)?
                {
                    ctx.tx.prepare_cached(BOOK)?.execute(params![id, appointment.to_string()])?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}
