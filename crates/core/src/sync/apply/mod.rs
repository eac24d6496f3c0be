//! Writing pulled records into the local store, with rebase: a record with no pending local change is written
//! when newer than the version held; with pending local changes, the server's version is written and the
//! pending changes are re-applied on top, so no local change is lost and none is applied twice.
//!
//! Each entity has one applier (one file); [`APPLIERS`] is the registry. A new entity (appointments, notes,
//! invoices) adds a file and a line there. Records of an entity this version does not know, and records that
//! cannot be stored yet, are parked in `sync_parked` and tried again on later syncs.

mod clinic;
mod patient;
mod review_item;
mod scheduling;
mod staff;

use clinic_protocol::pull::Change;
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use crate::CoreError;
use crate::CoreResult;
use crate::clock::to_db_time;
use crate::rbac::Role;

/// Why a pulled record was not written.
#[derive(Debug)]
pub(crate) enum ApplyFailure {
    /// The record cannot be stored now (malformed, or it depends on something not here yet): it is parked.
    Unusable(String),
    /// The local store failed: the whole page is rolled back.
    Store(CoreError),
}

impl From<CoreError> for ApplyFailure {
    fn from(e: CoreError) -> Self {
        ApplyFailure::Store(e)
    }
}

impl From<rusqlite::Error> for ApplyFailure {
    fn from(e: rusqlite::Error) -> Self {
        ApplyFailure::Store(e.into())
    }
}

/// Reads a record's data (or part of it) as a type, or marks the record unusable.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(value: &serde_json::Value, what: &str) -> Result<T, ApplyFailure> {
    T::deserialize(value).map_err(|e| ApplyFailure::Unusable([what, " could not be read: ", &e.to_string()].concat()))
}

/// A server time in the one stored form, or the record is unusable.
pub(crate) fn db_time(text: &str) -> Result<String, ApplyFailure> {
    text.parse::<jiff::Timestamp>()
        .map(to_db_time)
        .map_err(|_| ApplyFailure::Unusable(["the time ", text, " could not be read"].concat()))
}

/// A local change not yet acknowledged by the server, to re-apply over a pulled version.
#[derive(Debug, Clone)]
pub(crate) struct PendingMutation {
    pub name: String,
    pub args: serde_json::Value,
    pub authored_by: Option<Uuid>,
    pub authored_at: String,
}

/// What must happen outside the database once the page is committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Effect {
    /// A member of staff was deactivated, or their password changed elsewhere: their sessions here end.
    EndSessions(Uuid),
    RoleChanged(Uuid, Role),
    IdleLockMinutes(u32),
}

/// The open page transaction and what applying has to report.
pub(crate) struct ApplyContext<'a> {
    pub tx: &'a Connection,
    pub effects: Vec<Effect>,
    /// Whether the outbox holds pending changes, and whether any record is parked: when neither (a first
    /// download, a desk that is up to date), a pulled record needs no look-up of either.
    any_pending: bool,
    any_parked: bool,
}

impl<'a> ApplyContext<'a> {
    /// A context for one page, in its transaction.
    pub(crate) fn new(tx: &'a Connection) -> CoreResult<ApplyContext<'a>> {
        let any_pending = tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM outbox WHERE state = 'pending')")?
            .query_row([], |r| r.get(0))?;
        let any_parked = tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM sync_parked)")?.query_row([], |r| r.get(0))?;
        Ok(ApplyContext { tx, effects: Vec::new(), any_pending, any_parked })
    }
}

/// How one entity's records are written. `write_server_version` must find anything that makes a record
/// unusable *before* it writes (there are no per-record savepoints: they would flush the search index).
pub(crate) trait EntityApplier: Sync {
    fn entity(&self) -> &'static str;
    /// Writes the record as the server holds it (insert or replace), keeping local indexes right.
    fn write_server_version(&self, ctx: &mut ApplyContext<'_>, change: &Change) -> Result<(), ApplyFailure>;
    /// Re-applies one pending local change on top of the server's version just written. Unreadable local
    /// arguments are skipped (the server still receives the change); only store failures are errors.
    fn reapply(&self, ctx: &mut ApplyContext<'_>, change: &Change, pending: &PendingMutation) -> CoreResult<()>;
}

/// The registry of entity appliers.
/// Scheduling records come after staff and patients, which they name, so a first download parks fewer of them.
static APPLIERS: [&dyn EntityApplier; 13] = [
    &patient::PatientApplier,
    &staff::StaffApplier,
    &clinic::ClinicApplier,
    &review_item::ReviewItemApplier,
    &scheduling::PolicyApplier,
    &scheduling::AppointmentTypeApplier,
    &scheduling::ClinicianProfileApplier,
    &scheduling::WorkingTemplateApplier,
    &scheduling::ExtraSessionApplier,
    &scheduling::ClosureApplier,
    &scheduling::LeaveApplier,
    &scheduling::AppointmentApplier,
    &scheduling::WaitlistApplier,
];

pub(crate) fn applier_for(entity: &str) -> Option<&'static dyn EntityApplier> {
    APPLIERS.iter().copied().find(|a| a.entity() == entity)
}

/// What became of one pulled record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Applied {
    /// Written; `rebased` pending local changes were re-applied on top.
    Written {
        rebased: usize,
    },
    /// Not newer than the version held.
    Skipped,
    Parked,
}

/// Applies one pulled record (see the module comment).
pub(crate) fn apply_change(ctx: &mut ApplyContext<'_>, change: &Change, now: jiff::Timestamp) -> CoreResult<Applied> {
    let Some(applier) = applier_for(&change.entity) else {
        park(ctx.tx, change, "unknown_entity", "this version of Clinic Desk does not know this kind of record", now)?;
        ctx.any_parked = true;
        return Ok(Applied::Parked);
    };
    if known_version(ctx.tx, &change.entity, change.entity_id)?.is_some_and(|held| change.row_version <= held) {
        return Ok(Applied::Skipped);
    }
    let pending = if ctx.any_pending { pending_for(ctx.tx, &change.entity, change.entity_id)? } else { Vec::new() };
    match applier.write_server_version(ctx, change) {
        Ok(()) => {}
        Err(ApplyFailure::Unusable(why)) => {
            park(ctx.tx, change, "unusable", &why, now)?;
            ctx.any_parked = true;
            return Ok(Applied::Parked);
        }
        Err(ApplyFailure::Store(e)) => return Err(e),
    }
    for mutation in &pending {
        applier.reapply(ctx, change, mutation)?;
    }
    ctx.tx
        .prepare_cached(
            "INSERT INTO sync_versions (entity, entity_id, row_version, seq) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (entity, entity_id) DO UPDATE SET row_version = excluded.row_version, seq = excluded.seq",
        )?
        .execute(params![change.entity, change.entity_id.to_string(), change.row_version, change.seq])?;
    if ctx.any_parked {
        ctx.tx
            .prepare_cached("DELETE FROM sync_parked WHERE entity = ?1 AND entity_id = ?2 AND seq <= ?3")?
            .execute(params![change.entity, change.entity_id.to_string(), change.seq])?;
    }
    Ok(Applied::Written { rebased: pending.len() })
}

/// The server version of a record this computer last received, if any.
pub(crate) fn known_version(conn: &Connection, entity: &str, id: Uuid) -> CoreResult<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT row_version FROM sync_versions WHERE entity = ?1 AND entity_id = ?2")?
        .query_row(params![entity, id.to_string()], |r| r.get(0))
        .optional()?)
}

/// This device's mutations of one record that the server has not acknowledged, oldest first.
fn pending_for(conn: &Connection, entity: &str, id: Uuid) -> CoreResult<Vec<PendingMutation>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, args, authored_by, authored_at FROM outbox
         WHERE entity = ?1 AND entity_id = ?2 AND state = 'pending' ORDER BY device_seq",
    )?;
    let rows = stmt.query_map(params![entity, id.to_string()], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?, r.get::<_, String>(3)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (name, args, authored_by, authored_at) = row?;
        out.push(PendingMutation {
            name,
            args: serde_json::from_str(&args).unwrap_or(serde_json::Value::Null),
            authored_by: authored_by.and_then(|a| Uuid::parse_str(&a).ok()),
            authored_at,
        });
    }
    Ok(out)
}

/// Keeps a record that could not be written (the latest version of each record only).
fn park(conn: &Connection, change: &Change, problem: &str, detail: &str, now: jiff::Timestamp) -> CoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO sync_parked (entity, entity_id, seq, change, problem, detail, parked_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (entity, entity_id) DO UPDATE SET seq = excluded.seq, change = excluded.change,
             problem = excluded.problem, detail = excluded.detail, parked_at = excluded.parked_at
         WHERE excluded.seq >= sync_parked.seq",
    )?
    .execute(params![
        change.entity,
        change.entity_id.to_string(),
        change.seq,
        serde_json::to_string(change)?,
        problem,
        detail,
        to_db_time(now),
    ])?;
    Ok(())
}

/// Tries parked records again: those that could not be stored, and those of entities this version now knows.
/// Returns how many were written.
pub(crate) fn replay_parked(ctx: &mut ApplyContext<'_>, now: jiff::Timestamp) -> CoreResult<usize> {
    if !ctx.any_parked {
        return Ok(0);
    }
    let mut parked: Vec<String> = Vec::new();
    {
        let mut stmt = ctx.tx.prepare_cached("SELECT change FROM sync_parked WHERE entity = ?1 ORDER BY seq")?;
        for applier in APPLIERS {
            let rows = stmt.query_map([applier.entity()], |r| r.get::<_, String>(0))?;
            for row in rows {
                parked.push(row?);
            }
        }
    }
    let mut written = 0;
    for text in parked {
        let Ok(change) = serde_json::from_str::<Change>(&text) else { continue };
        ctx.tx
            .prepare_cached("DELETE FROM sync_parked WHERE entity = ?1 AND entity_id = ?2 AND seq = ?3")?
            .execute(params![change.entity, change.entity_id.to_string(), change.seq])?;
        if let Applied::Written { .. } = apply_change(ctx, &change, now)? {
            written += 1;
        }
    }
    Ok(written)
}

/// How many pulled records are parked (shown in the status as records this computer could not store).
pub(crate) fn parked_count(conn: &Connection) -> CoreResult<i64> {
    Ok(conn.query_row("SELECT count(*) FROM sync_parked", [], |r| r.get(0))?)
}
