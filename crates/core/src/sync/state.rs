//! The one `sync_state` row: enrollment, epoch and cursor, bootstrap progress, and what the last attempt saw.

use clinic_protocol::pull::Cursor;
use rusqlite::{Connection, Row, params};
use uuid::Uuid;

use super::problem::SyncProblem;
use crate::clock::to_db_time;
use crate::{CoreError, CoreResult};

/// Where the initial download stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BootstrapStage {
    Needed,
    Running,
    Done,
}

/// The stored sync state.
#[derive(Debug, Clone)]
pub(crate) struct SyncState {
    pub server_url: Option<String>,
    pub device_name: Option<String>,
    pub server_clinic_id: Option<Uuid>,
    pub clinic_name: Option<String>,
    pub enrolled_at: Option<String>,
    pub epoch: Option<Uuid>,
    pub cursor_seq: i64,
    pub bootstrap: BootstrapStage,
    /// The snapshot the download pulls from once complete (the lowest seen if the server changed it).
    pub bootstrap_snapshot: Option<Cursor>,
    /// The last `(entity, entity_id)` received, to resume after.
    pub bootstrap_after: Option<(String, Uuid)>,
    pub bootstrap_records: i64,
    pub audit_acknowledged_seq: i64,
    pub audit_chain_break: Option<String>,
    pub clock_skew_ms: Option<i64>,
    pub clock_skew_seen_at: Option<String>,
    pub connection: String,
    pub last_attempt_at: Option<String>,
    pub last_synced_at: Option<String>,
    pub last_error: Option<(String, String)>,
    pub consecutive_failures: i64,
}

impl SyncState {
    pub fn is_enrolled(&self) -> bool {
        self.server_url.is_some()
    }
}

fn uuid_opt(row: &Row<'_>, i: usize) -> rusqlite::Result<Option<Uuid>> {
    let text: Option<String> = row.get(i)?;
    Ok(text.and_then(|t| Uuid::parse_str(&t).ok()))
}

fn read_row(r: &Row<'_>) -> rusqlite::Result<SyncState> {
    let stage: String = r.get(7)?;
    let snapshot_epoch = uuid_opt(r, 8)?;
    let snapshot_seq: Option<i64> = r.get(9)?;
    let after_entity: Option<String> = r.get(10)?;
    let after_id = uuid_opt(r, 11)?;
    let error_code: Option<String> = r.get(21)?;
    let error_message: Option<String> = r.get(22)?;
    Ok(SyncState {
        server_url: r.get(0)?,
        device_name: r.get(1)?,
        server_clinic_id: uuid_opt(r, 2)?,
        clinic_name: r.get(3)?,
        enrolled_at: r.get(4)?,
        epoch: uuid_opt(r, 5)?,
        cursor_seq: r.get(6)?,
        bootstrap: match stage.as_str() {
            "done" => BootstrapStage::Done,
            "running" => BootstrapStage::Running,
            _ => BootstrapStage::Needed,
        },
        bootstrap_snapshot: snapshot_epoch.zip(snapshot_seq).map(|(epoch, seq)| Cursor { epoch, seq }),
        bootstrap_after: after_entity.zip(after_id),
        bootstrap_records: r.get(12)?,
        audit_acknowledged_seq: r.get(13)?,
        audit_chain_break: r.get(14)?,
        clock_skew_ms: r.get(15)?,
        clock_skew_seen_at: r.get(16)?,
        connection: r.get(17)?,
        last_attempt_at: r.get(18)?,
        last_synced_at: r.get(19)?,
        consecutive_failures: r.get(20)?,
        last_error: error_code.zip(error_message),
    })
}

pub(crate) fn read(conn: &Connection) -> CoreResult<SyncState> {
    conn.prepare_cached(
        "SELECT server_url, device_name, server_clinic_id, clinic_name, enrolled_at, epoch, cursor_seq,
                bootstrap_state, bootstrap_epoch, bootstrap_seq, bootstrap_after_entity, bootstrap_after_id,
                bootstrap_records, audit_acknowledged_seq, audit_chain_break, clock_skew_ms, clock_skew_seen_at,
                connection, last_attempt_at, last_synced_at, consecutive_failures, last_error_code, last_error_message
         FROM sync_state",
    )?
    .query_row([], read_row)
    .map_err(|e| CoreError::internal(format!("sync state unreadable: {e}")))
}

/// Saves the pull cursor (never moving it backwards within an epoch).
pub(crate) fn save_cursor(conn: &Connection, seq: i64) -> CoreResult<()> {
    conn.prepare_cached("UPDATE sync_state SET cursor_seq = max(cursor_seq, ?1)")?.execute([seq])?;
    Ok(())
}

pub(crate) fn set_epoch(conn: &Connection, epoch: Uuid) -> CoreResult<()> {
    conn.prepare_cached("UPDATE sync_state SET epoch = ?1")?.execute([epoch.to_string()])?;
    Ok(())
}

/// Saves a received bootstrap page's progress; with `done`, the download is complete and pulls start from
/// the snapshot.
pub(crate) fn save_bootstrap_page(
    conn: &Connection,
    snapshot: Cursor,
    after: Option<(&str, Uuid)>,
    records: i64,
    done: bool,
) -> CoreResult<()> {
    conn.prepare_cached(
        "UPDATE sync_state SET bootstrap_state = ?1, bootstrap_epoch = ?2, bootstrap_seq = ?3,
             bootstrap_after_entity = coalesce(?4, bootstrap_after_entity),
             bootstrap_after_id = coalesce(?5, bootstrap_after_id), bootstrap_records = bootstrap_records + ?6",
    )?
    .execute(params![
        if done { "done" } else { "running" },
        snapshot.epoch.to_string(),
        snapshot.seq,
        after.map(|(entity, _)| entity),
        after.map(|(_, id)| id.to_string()),
        records,
    ])?;
    if done {
        conn.prepare_cached("UPDATE sync_state SET epoch = ?1, cursor_seq = ?2")?
            .execute(params![snapshot.epoch.to_string(), snapshot.seq])?;
    } else {
        conn.prepare_cached("UPDATE sync_state SET epoch = coalesce(epoch, ?1)")?
            .execute([snapshot.epoch.to_string()])?;
    }
    Ok(())
}

/// Forgets where this device is in the server's stream: the next sync downloads everything again.
pub(crate) fn restart_download(conn: &Connection, epoch: Option<Uuid>) -> CoreResult<()> {
    conn.prepare_cached(
        "UPDATE sync_state SET epoch = ?1, cursor_seq = 0, bootstrap_state = 'needed', bootstrap_epoch = NULL,
             bootstrap_seq = NULL, bootstrap_after_entity = NULL, bootstrap_after_id = NULL, bootstrap_records = 0",
    )?
    .execute([epoch.map(|e| e.to_string())])?;
    conn.prepare_cached("DELETE FROM sync_versions")?.execute([])?;
    Ok(())
}

/// Records the audit acknowledgement of a push answer and, when audit entries were sent (`Some`), what the
/// server said of the chain (`Some(None)`: nothing wrong).
pub(crate) fn save_audit_progress(
    conn: &Connection,
    acknowledged: i64,
    chain_break: Option<Option<&str>>,
) -> CoreResult<()> {
    conn.prepare_cached("UPDATE sync_state SET audit_acknowledged_seq = ?1")?.execute([acknowledged.max(0)])?;
    if let Some(chain_break) = chain_break {
        conn.prepare_cached("UPDATE sync_state SET audit_chain_break = ?1")?.execute([chain_break])?;
    }
    Ok(())
}

pub(crate) fn mark_attempt(conn: &Connection, now: jiff::Timestamp) -> CoreResult<()> {
    conn.prepare_cached("UPDATE sync_state SET last_attempt_at = ?1")?.execute([to_db_time(now)])?;
    Ok(())
}

/// A run that reached the server and finished: online, synced now, no error.
pub(crate) fn mark_success(conn: &Connection, now: jiff::Timestamp) -> CoreResult<()> {
    conn.prepare_cached(
        "UPDATE sync_state SET connection = 'online', last_synced_at = ?1, last_error_code = NULL,
             last_error_message = NULL, consecutive_failures = 0",
    )?
    .execute([to_db_time(now)])?;
    Ok(())
}

/// A run that stopped on a problem; `reached_server` says whether the server answered at all.
pub(crate) fn mark_failure(conn: &Connection, problem: &SyncProblem, reached_server: bool) -> CoreResult<()> {
    conn.prepare_cached(
        "UPDATE sync_state SET connection = ?1, last_error_code = ?2, last_error_message = ?3,
             consecutive_failures = consecutive_failures + 1",
    )?
    .execute(params![
        if reached_server { "online" } else { "offline" },
        problem.code.as_str(),
        problem.message
    ])?;
    Ok(())
}

/// What enrollment stores (the credential itself goes to the keychain, never here).
#[derive(Debug, Clone)]
pub(crate) struct EnrollmentRecord<'a> {
    pub server_url: &'a str,
    pub device_name: &'a str,
    pub tenant_id: Uuid,
    pub server_clinic_id: Uuid,
    pub clinic_name: &'a str,
    /// The administrator who enrolled it; none when the computer joined a clinic with the code alone.
    pub enrolled_by: Option<Uuid>,
}

pub(crate) fn save_enrollment(conn: &Connection, e: &EnrollmentRecord<'_>, now: jiff::Timestamp) -> CoreResult<()> {
    conn.prepare_cached(
        "UPDATE sync_state SET server_url = ?1, device_name = ?2, tenant_id = ?3, server_clinic_id = ?4,
             clinic_name = ?5, enrolled_at = ?6, enrolled_by = ?7, connection = 'online', last_error_code = NULL,
             last_error_message = NULL, consecutive_failures = 0",
    )?
    .execute(params![
        e.server_url,
        e.device_name,
        e.tenant_id.to_string(),
        e.server_clinic_id.to_string(),
        e.clinic_name,
        to_db_time(now),
        e.enrolled_by.map(|u| u.to_string()),
    ])?;
    Ok(())
}

/// A new server (or clinic) holds none of this device's audit chain yet.
pub(crate) fn reset_audit_progress(conn: &Connection) -> CoreResult<()> {
    conn.prepare_cached("UPDATE sync_state SET audit_acknowledged_seq = 0, audit_chain_break = NULL")?.execute([])?;
    Ok(())
}
