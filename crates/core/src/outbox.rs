//! The sync outbox: every change that sync must carry is queued here in the same transaction as the change,
//! stamped with the device's next hybrid logical clock reading. Rows are kept after the server applied them
//! (an epoch change re-pushes them); `sync` records what became of each.

use rusqlite::{Connection, params};
use uuid::Uuid;

use crate::CoreResult;
use crate::clock::to_db_time;
use crate::sync::hlc;

/// A change to push to the clinic server.
#[derive(Debug, Clone)]
pub struct Mutation<'a> {
    /// What happened, e.g. `patient.register`.
    pub name: &'a str,
    /// Version of this mutation's argument shape.
    pub v: u32,
    pub entity: &'a str,
    pub entity_id: Uuid,
    pub args: serde_json::Value,
    /// The local row version the change was made on; `None` for creations. Queued as the server version this
    /// computer last received for the record (see [`record`]).
    pub base_row_version: Option<i64>,
    pub authored_by: Option<Uuid>,
}

/// Queues a mutation. The caller passes its open transaction so the change, its outbox row and the clock
/// reading it was stamped with commit together. Its `device_seq` is then `conn.last_insert_rowid()`.
pub fn record(conn: &Connection, mutation_id: Uuid, at: jiff::Timestamp, m: &Mutation<'_>) -> CoreResult<()> {
    let stamp = hlc::stamp_local(conn, at)?;
    // The server merges an edit against the version it was made on, so an edit names the last version of the
    // record this computer received from the server, not the local version (which also counts this computer's
    // own edits, and would point at another desk's version there). A record created here and not received
    // back yet is at the server's first version.
    let base = match m.base_row_version {
        None => None,
        Some(_) => Some(crate::sync::server_version(conn, m.entity, m.entity_id)?.unwrap_or(1)),
    };
    conn.prepare_cached(
        "INSERT INTO outbox (mutation_id, name, v, entity, entity_id, args, base_row_version, authored_by, authored_at, hlc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        mutation_id.to_string(),
        m.name,
        m.v,
        m.entity,
        m.entity_id.to_string(),
        m.args.to_string(),
        base,
        m.authored_by.map(|u| u.to_string()),
        to_db_time(at),
        stamp.to_string(),
    ])?;
    Ok(())
}

/// How many mutations are waiting to be pushed.
pub fn pending_count(conn: &Connection) -> CoreResult<i64> {
    Ok(conn.query_row("SELECT count(*) FROM outbox WHERE state = 'pending'", [], |r| r.get(0))?)
}
