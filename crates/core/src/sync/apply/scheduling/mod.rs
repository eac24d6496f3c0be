//! Pulled scheduling records (ADR 11): appointments, appointment types, clinician profiles, weekly templates,
//! extra sessions, closures, leave, the scheduling policy and the waitlist, written into the tables of
//! `migrations/local/0005_scheduling.sql` as the server holds them, with pending local changes re-applied on top.
//! A record naming a patient, clinician, type or appointment not received yet is parked and tried again.

mod appointment;
mod availability;
mod leave;
mod policy;
mod profile;
mod types;
mod waitlist;

pub(crate) use appointment::AppointmentApplier;
pub(crate) use availability::{ClosureApplier, ExtraSessionApplier, WorkingTemplateApplier};
pub(crate) use leave::LeaveApplier;
pub(crate) use policy::PolicyApplier;
pub(crate) use profile::ClinicianProfileApplier;
pub(crate) use types::AppointmentTypeApplier;
pub(crate) use waitlist::WaitlistApplier;

use clinic_protocol::pull::Change;
use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use super::{ApplyFailure, db_time};

/// A local table a scheduling record may point at.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Needs {
    Staff,
    Patient,
    AppointmentType,
    Appointment,
}

impl Needs {
    fn sql(self) -> &'static str {
        match self {
            Needs::Staff => "SELECT 1 FROM staff WHERE id = ?1",
            Needs::Patient => "SELECT 1 FROM patients WHERE id = ?1",
            Needs::AppointmentType => "SELECT 1 FROM appointment_types WHERE id = ?1",
            Needs::Appointment => "SELECT 1 FROM appointments WHERE id = ?1",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Needs::Staff => "the clinician",
            Needs::Patient => "the patient",
            Needs::AppointmentType => "the appointment type",
            Needs::Appointment => "the appointment",
        }
    }
}

/// Whether a row exists here.
pub(crate) fn held(tx: &Connection, needs: Needs, id: Uuid) -> rusqlite::Result<bool> {
    Ok(tx.prepare_cached(needs.sql())?.query_row([id.to_string()], |_| Ok(())).optional()?.is_some())
}

/// Every record named must be here already (the local schema's foreign keys), or the record is parked.
pub(crate) fn require(tx: &Connection, needed: &[(Needs, Uuid)]) -> Result<(), ApplyFailure> {
    for (needs, id) in needed {
        if !held(tx, *needs, *id)? {
            return Err(ApplyFailure::Unusable([needs.what(), " it names has not been received yet"].concat()));
        }
    }
    Ok(())
}

/// An optional server time in the stored form.
pub(crate) fn opt_time(text: Option<&str>) -> Result<Option<String>, ApplyFailure> {
    text.map(db_time).transpose()
}

/// The bookkeeping columns of a pulled record: `(updated_at, deleted_at, updated_by)`.
pub(crate) fn bookkeeping(change: &Change) -> Result<(String, Option<String>, Option<String>), ApplyFailure> {
    Ok((
        db_time(&change.updated_at)?,
        opt_time(change.deleted_at.as_deref())?,
        change.updated_by.map(|u| u.to_string()),
    ))
}

/// A pending change's argument as a type, if it reads (unreadable local arguments are skipped).
pub(crate) fn arg<T: serde::de::DeserializeOwned>(args: &serde_json::Value, key: &str) -> Option<T> {
    args.get(key).and_then(|v| serde_json::from_value(v.clone()).ok())
}
