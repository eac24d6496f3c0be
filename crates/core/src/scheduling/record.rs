//! The one way scheduling writes are recorded: the outbox mutation and the audit entry, both in the caller's
//! transaction, so a change, what sync carries of it and who made it commit together or not at all.

use rusqlite::Connection;
use uuid::Uuid;

use crate::accounts::sessions::Actor;
use crate::audit::{AuditAction, AuditOutcome};
use crate::clock::to_db_time;
use crate::outbox::{self, Mutation};
use crate::{Clinic, CoreResult};

/// One recorded change.
pub(crate) struct Change<'a> {
    /// Outbox mutation name, e.g. `appointment.book`.
    pub mutation: &'a str,
    pub entity: &'a str,
    pub entity_id: Uuid,
    pub args: serde_json::Value,
    /// The row version the change was made on (None for creations).
    pub base_row_version: Option<i64>,
    pub action: AuditAction,
    pub patient_id: Option<Uuid>,
    /// Non-identifying detail for the audit entry (a status move, a clash kind, a count).
    pub detail: &'a str,
}

/// Queues the mutation and appends the audit entry.
pub(crate) fn record(clinic: &Clinic, tx: &Connection, actor: &Actor, change: Change<'_>) -> CoreResult<()> {
    outbox::record(
        tx,
        clinic.env.ids.new_id(),
        clinic.env.clock.now(),
        &Mutation {
            name: change.mutation,
            v: 1,
            entity: change.entity,
            entity_id: change.entity_id,
            args: change.args,
            base_row_version: change.base_row_version,
            authored_by: Some(actor.staff_id),
        },
    )?;
    let mut event =
        actor.event(change.action, AuditOutcome::Success).on(change.entity, change.entity_id).detail(change.detail);
    if let Some(patient) = change.patient_id {
        event = event.patient(patient);
    }
    clinic.audit_in(tx, &event)
}

/// The current time as stored.
pub(crate) fn now_text(clinic: &Clinic) -> String {
    to_db_time(clinic.env.clock.now())
}

/// Checks a free-text field's length; returns it trimmed.
pub(crate) fn text(field: &str, value: &str, max: usize, what: &str) -> CoreResult<String> {
    let trimmed = value.trim();
    if trimmed.chars().count() > max {
        return Err(crate::CoreError::validation(
            field,
            [what, " is too long: use at most ", &max.to_string(), " characters."].concat(),
        ));
    }
    Ok(trimmed.to_owned())
}

pub(crate) fn parse_uuid(text: &str) -> CoreResult<Uuid> {
    Uuid::parse_str(text).map_err(crate::CoreError::internal)
}

/// A `rusqlite` row conversion error for a bad stored value.
pub(crate) fn bad_column(i: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
}
