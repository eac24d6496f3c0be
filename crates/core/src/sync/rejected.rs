//! Changes the clinic server refused: kept in the outbox, listed for a person with the server's reason, and
//! either retried (queued again as a new mutation) or discarded with a reason — both audited, never silent.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use uuid::Uuid;

use crate::accounts::SessionId;
use crate::audit::{AuditAction, AuditOutcome};
use crate::clock::to_db_time;
use crate::outbox::{self, Mutation};
use crate::patients::store as patient_store;
use crate::rbac::Permission;
use crate::{Clinic, CoreError, CoreResult};

/// A refused change waiting for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RejectedMutation {
    /// Identifies it for [`retry_rejected_mutation`] and [`discard_rejected_mutation`].
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub device_seq: i64,
    pub mutation_id: Uuid,
    /// e.g. `patient.update`.
    pub name: String,
    pub entity: String,
    pub entity_id: Uuid,
    /// What the change was, in words, e.g. "Edit of García, José (MAIN-D01-000001): phones, notes".
    pub description: String,
    /// The server's reason.
    pub reason: String,
    /// Who made the change (display name), when known here.
    pub authored_by: Option<String>,
    pub authored_at: String,
    pub rejected_at: Option<String>,
}

fn patient_label(conn: &Connection, id: Uuid) -> CoreResult<String> {
    Ok(match patient_store::find(conn, id)? {
        Some(p) => [p.display_name().as_str(), " (", &p.mrn, ")"].concat(),
        None => "a patient record not on this computer".to_owned(),
    })
}

/// A sentence saying what a mutation did (names and record numbers, no other values).
fn describe(conn: &Connection, name: &str, entity_id: Uuid, args: &serde_json::Value) -> CoreResult<String> {
    let keys = |field: &str| -> String {
        args.get(field)
            .and_then(|v| v.as_object())
            .map(|o| o.keys().cloned().collect::<Vec<_>>().join(", "))
            .unwrap_or_default()
    };
    let staff_name = |conn: &Connection| -> CoreResult<String> {
        let name: Option<String> = conn
            .query_row("SELECT username FROM staff WHERE id = ?1", [entity_id.to_string()], |r| r.get(0))
            .optional()?;
        Ok(name.unwrap_or_else(|| "not on this computer".to_owned()))
    };
    Ok(match name {
        "patient.register" => ["Registration of ", &patient_label(conn, entity_id)?].concat(),
        "patient.update" => ["Edit of ", &patient_label(conn, entity_id)?, ": ", &keys("patch")].concat(),
        "patient.delete" => ["Deletion of ", &patient_label(conn, entity_id)?].concat(),
        "patient.merge" => ["Merge of ", &patient_label(conn, entity_id)?, " with another record"].concat(),
        "staff.create" => {
            let username = args.pointer("/member/username").and_then(|u| u.as_str()).unwrap_or_default();
            ["New staff account ", username].concat()
        }
        "staff.update" => {
            let changed: Vec<&str> =
                args.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
            ["Change to staff account ", &staff_name(conn)?, ": ", &changed.join(", ")].concat()
        }
        "clinic.settings" => "Change of the clinic settings".to_owned(),
        "review.resolve" => "Resolution of a review item".to_owned(),
        other => other.to_owned(),
    })
}

/// Every refused change no one has dealt with yet, oldest first.
pub(crate) fn unresolved(conn: &Connection) -> CoreResult<Vec<RejectedMutation>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.device_seq, o.mutation_id, o.name, o.entity, o.entity_id, o.args, o.reason, s.display_name,
                o.authored_at, o.acknowledged_at
         FROM outbox o LEFT JOIN staff s ON s.id = o.authored_by
         WHERE o.state = 'rejected' AND o.resolution IS NULL ORDER BY o.device_seq",
    )?;
    type Raw = (i64, String, String, String, String, String, Option<String>, Option<String>, String, Option<String>);
    let rows: Vec<Raw> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (device_seq, mutation_id, name, entity, entity_id, args, reason, authored_by, authored_at, rejected_at) in rows
    {
        let entity_id = Uuid::parse_str(&entity_id).map_err(CoreError::internal)?;
        let args: serde_json::Value = serde_json::from_str(&args).unwrap_or_default();
        out.push(RejectedMutation {
            device_seq,
            mutation_id: Uuid::parse_str(&mutation_id).map_err(CoreError::internal)?,
            description: describe(conn, &name, entity_id, &args)?,
            name,
            entity,
            entity_id,
            reason: reason.unwrap_or_default(),
            authored_by,
            authored_at,
            rejected_at,
        });
    }
    Ok(out)
}

/// The refused changes waiting for a person (they name patients, so reading patients is needed).
pub fn list_rejected_mutations(clinic: &Clinic, session: SessionId) -> CoreResult<Vec<RejectedMutation>> {
    clinic.authorize(session, Permission::PatientRead)?;
    clinic.read(unresolved)
}

/// One refused change, still waiting: (name, v, entity, entity_id, args, base_row_version, authored_by).
type Waiting = (String, u32, String, String, String, Option<i64>, Option<String>);

fn waiting(conn: &Connection, device_seq: i64) -> CoreResult<Waiting> {
    conn.query_row(
        "SELECT name, v, entity, entity_id, args, base_row_version, authored_by FROM outbox
         WHERE device_seq = ?1 AND state = 'rejected' AND resolution IS NULL",
        [device_seq],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
    )
    .optional()?
    .ok_or_else(|| {
        CoreError::not_found("This refused change is not waiting any more: someone may have dealt with it already.")
    })
}

/// Queues a refused change again as a new mutation (the server identifies mutations by their sequence, so the
/// same one would only be answered "duplicate"). Returns the new mutation's `device_seq`. Audited.
pub fn retry_rejected_mutation(clinic: &Clinic, session: SessionId, device_seq: i64) -> CoreResult<i64> {
    let actor = clinic.authorize(session, Permission::ReviewResolve)?;
    clinic.write(|tx| {
        let (name, v, entity, entity_id, args, base, authored_by) = waiting(tx, device_seq)?;
        let entity_id = Uuid::parse_str(&entity_id).map_err(CoreError::internal)?;
        let now = clinic.env.clock.now();
        outbox::record(
            tx,
            clinic.env.ids.new_id(),
            now,
            &Mutation {
                name: &name,
                v,
                entity: &entity,
                entity_id,
                args: serde_json::from_str(&args)?,
                base_row_version: base,
                authored_by: authored_by.and_then(|a| Uuid::parse_str(&a).ok()),
            },
        )?;
        let new_seq = tx.last_insert_rowid();
        tx.execute(
            "UPDATE outbox SET resolution = 'retried', resolved_by = ?1, resolved_at = ?2, retried_as = ?3
             WHERE device_seq = ?4",
            params![actor.staff_id.to_string(), to_db_time(now), new_seq, device_seq],
        )?;
        let mut event = actor.event(AuditAction::SyncRetry, AuditOutcome::Success).on(&entity, entity_id).detail(&name);
        if entity == "patient" {
            event = event.patient(entity_id);
        }
        clinic.audit_in(tx, &event)?;
        Ok(new_seq)
    })
}

/// Gives up a refused change, with the reason (kept with it in the outbox). The change stays listed in the
/// outbox's history; the audit entry records who discarded which change.
pub fn discard_rejected_mutation(clinic: &Clinic, session: SessionId, device_seq: i64, why: &str) -> CoreResult<()> {
    let actor = clinic.authorize(session, Permission::ReviewResolve)?;
    let why = why.trim();
    if why.is_empty() || why.chars().count() > 500 {
        return Err(CoreError::validation(
            "reason",
            "Say why this change is given up, e.g. \"made again correctly\" (at most 500 characters).",
        ));
    }
    clinic.write(|tx| {
        let (name, _, entity, entity_id, ..) = waiting(tx, device_seq)?;
        let entity_id = Uuid::parse_str(&entity_id).map_err(CoreError::internal)?;
        tx.execute(
            "UPDATE outbox SET resolution = 'dismissed', resolved_by = ?1, resolved_at = ?2, resolution_note = ?3
             WHERE device_seq = ?4",
            params![actor.staff_id.to_string(), to_db_time(clinic.env.clock.now()), why, device_seq],
        )?;
        let mut event =
            actor.event(AuditAction::SyncDiscard, AuditOutcome::Success).on(&entity, entity_id).detail(&name);
        if entity == "patient" {
            event = event.patient(entity_id);
        }
        clinic.audit_in(tx, &event)
    })
}
