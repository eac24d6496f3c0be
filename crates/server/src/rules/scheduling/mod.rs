//! Scheduling sync rules (ADR 11): appointments (double bookings flagged, forward-only status merge), appointment
//! types, clinician profiles, weekly templates, extra sessions, closures, leave, the scheduling policy and the
//! waitlist. The argument shapes mirror clinic-core's outbox table in `scheduling/mod.rs`; each stored record
//! (`entities.data`) holds what a joining desk needs to rebuild its local row exactly.

mod appointment;
mod availability;
mod clinician;
mod leave;
mod overlap;
mod policy;
mod status;
mod types;
mod values;
mod waitlist;

use chrono::{DateTime, NaiveDate, Utc};
use clinic_protocol::push::MutationEnvelope;
use clinic_protocol::review::{FieldClash, ReviewItem, ReviewKind, ReviewStatus};
use deadpool_postgres::Transaction;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{ApplyCtx, Checked, Decision, EntityRules, Write};
use crate::error::FieldError;
use crate::{AppError, db};

/// The scheduling kinds of record, one rule set each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SchedulingKind {
    Appointment,
    AppointmentType,
    ClinicianProfile,
    WorkingTemplate,
    ExtraSession,
    ClinicClosure,
    LeaveRequest,
    Policy,
    Waitlist,
}

impl SchedulingKind {
    /// The kind of a scheduling mutation name; `None` when the name is not a scheduling one.
    pub fn for_mutation(name: &str) -> Option<SchedulingKind> {
        let kind = match name.split_once('.')?.0 {
            "appointment" => SchedulingKind::Appointment,
            "appointment_type" => SchedulingKind::AppointmentType,
            "clinician_profile" => SchedulingKind::ClinicianProfile,
            "scheduling" => SchedulingKind::Policy,
            "waitlist" => SchedulingKind::Waitlist,
            // One prefix, four kinds of record: the full name decides.
            "availability" => match name {
                "availability.set_template" => SchedulingKind::WorkingTemplate,
                "availability.add_extra_session" | "availability.remove_extra_session" => SchedulingKind::ExtraSession,
                "availability.add_closure" | "availability.remove_closure" => SchedulingKind::ClinicClosure,
                "availability.request_leave" | "availability.decide_leave" => SchedulingKind::LeaveRequest,
                _ => return None,
            },
            _ => return None,
        };
        Some(kind)
    }

    pub fn entity(self) -> &'static str {
        match self {
            SchedulingKind::Appointment => appointment::AppointmentRules::ENTITY,
            SchedulingKind::AppointmentType => types::AppointmentTypeRules::ENTITY,
            SchedulingKind::ClinicianProfile => clinician::ClinicianProfileRules::ENTITY,
            SchedulingKind::WorkingTemplate => availability::WorkingTemplateRules::ENTITY,
            SchedulingKind::ExtraSession => availability::ExtraSessionRules::ENTITY,
            SchedulingKind::ClinicClosure => availability::ClosureRules::ENTITY,
            SchedulingKind::LeaveRequest => leave::LeaveRules::ENTITY,
            SchedulingKind::Policy => policy::PolicyRules::ENTITY,
            SchedulingKind::Waitlist => waitlist::WaitlistRules::ENTITY,
        }
    }

    pub fn check(self, m: &MutationEnvelope, today: NaiveDate) -> Result<Checked, FieldError> {
        match self {
            SchedulingKind::Appointment => appointment::AppointmentRules.check(m, today),
            SchedulingKind::AppointmentType => types::AppointmentTypeRules.check(m, today),
            SchedulingKind::ClinicianProfile => clinician::ClinicianProfileRules.check(m, today),
            SchedulingKind::WorkingTemplate => availability::WorkingTemplateRules.check(m, today),
            SchedulingKind::ExtraSession => availability::ExtraSessionRules.check(m, today),
            SchedulingKind::ClinicClosure => availability::ClosureRules.check(m, today),
            SchedulingKind::LeaveRequest => leave::LeaveRules.check(m, today),
            SchedulingKind::Policy => policy::PolicyRules.check(m, today),
            SchedulingKind::Waitlist => waitlist::WaitlistRules.check(m, today),
        }
    }

    pub async fn apply(self, ctx: &ApplyCtx<'_>) -> Result<Decision, AppError> {
        match self {
            SchedulingKind::Appointment => appointment::AppointmentRules.apply(ctx).await,
            SchedulingKind::AppointmentType => types::AppointmentTypeRules.apply(ctx).await,
            SchedulingKind::ClinicianProfile => clinician::ClinicianProfileRules.apply(ctx).await,
            SchedulingKind::WorkingTemplate => availability::WorkingTemplateRules.apply(ctx).await,
            SchedulingKind::ExtraSession => availability::ExtraSessionRules.apply(ctx).await,
            SchedulingKind::ClinicClosure => availability::ClosureRules.apply(ctx).await,
            SchedulingKind::LeaveRequest => leave::LeaveRules.apply(ctx).await,
            SchedulingKind::Policy => policy::PolicyRules.apply(ctx).await,
            SchedulingKind::Waitlist => waitlist::WaitlistRules.apply(ctx).await,
        }
    }
}

/// A write of a record's whole new state, without per-field stamps.
fn write(
    entity: &'static str,
    id: Uuid,
    replaces: Option<i64>,
    data: Value,
    deleted_at: Option<DateTime<Utc>>,
) -> Write {
    Write { entity, entity_id: id, replaces, data, field_hlcs: Value::Object(Map::new()), deleted_at }
}

/// Applies a write that raises no review item.
fn apply(write: Write) -> Decision {
    Decision::Apply { write, review_items: Vec::new() }
}

/// The answer for a change to a record the server does not hold.
fn not_on_server(what: &str) -> Decision {
    Decision::Rejected(
        [
            "This ",
            what,
            " is not on the clinic server, so the change could not be applied there. Check it on this computer \
             and make the change again if it is still needed.",
        ]
        .concat(),
    )
}

/// The answer for a creation of a record the server already holds.
fn already_on_server(what: &str) -> Decision {
    Decision::Rejected(["The clinic server already has this ", what, ", so it was not created again."].concat())
}

/// Whether the tenant holds a record (deleted ones too), without locking it.
async fn exists(tx: &Transaction<'_>, tenant: Uuid, entity: &str, id: Uuid) -> Result<bool, AppError> {
    let row = db::query_one(
        tx,
        "SELECT EXISTS (SELECT 1 FROM entities WHERE tenant_id = $1 AND entity = $2 AND entity_id = $3)",
        &[&tenant, &entity, &id],
    )
    .await?;
    Ok(row.try_get(0)?)
}

/// The first of `(entity, id, what)` the tenant does not hold, as a rejection naming it.
async fn missing(ctx: &ApplyCtx<'_>, needed: &[(&str, Uuid, &str)]) -> Result<Option<Decision>, AppError> {
    for (entity, id, what) in needed {
        if !exists(ctx.tx, ctx.device.tenant_id, entity, *id).await? {
            return Ok(Some(Decision::Rejected(
                [
                    "The ",
                    what,
                    " this change names is not on the clinic server, so it was not applied there. Sync the computer \
                     that created it, then make the change again.",
                ]
                .concat(),
            )));
        }
    }
    Ok(None)
}

/// A field-conflict review item about one record of `entity`.
fn field_conflict(entity: &str, id: Uuid, fields: Vec<FieldClash>, m: &MutationEnvelope) -> ReviewItem {
    ReviewItem {
        kind: ReviewKind::FieldConflict,
        entity: entity.to_owned(),
        entity_ids: vec![id],
        fields,
        mutation_ids: vec![m.mutation_id],
        status: ReviewStatus::Open,
        resolved_by: None,
        resolution: None,
    }
}

/// A changed record must name the version it was made on.
fn need_base(m: &MutationEnvelope) -> Result<(), FieldError> {
    match m.base_row_version {
        Some(_) => Ok(()),
        None => Err(FieldError::new("base_row_version", "A change must say which version it was made on.")),
    }
}

/// Reads stored data written by these rules.
fn stored<T: serde::de::DeserializeOwned>(value: &Value) -> Result<T, AppError> {
    serde_json::from_value(value.clone())
        .map_err(|e| AppError::internal(["stored scheduling record: ", &e.to_string()].concat()))
}

/// Reads args already checked by `check`.
fn checked_args<T: serde::de::DeserializeOwned>(m: &MutationEnvelope) -> Result<T, AppError> {
    super::args(&m.args).map_err(|e| AppError::internal(e.message))
}
