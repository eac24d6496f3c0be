//! Pulled leave requests (clinic-core's row without its bookkeeping columns); a pending decision is re-applied
//! on top while the server still holds the request undecided.

use clinic_protocol::pull::Change;
use rusqlite::params;
use serde::Deserialize;
use uuid::Uuid;

use super::{Needs, arg, bookkeeping, opt_time, require};
use crate::CoreResult;
use crate::clock::to_db_time;
use crate::scheduling::leave::LeaveStatus;
use crate::sync::apply::{ApplyContext, ApplyFailure, EntityApplier, PendingMutation, db_time, decode};

pub(crate) struct LeaveApplier;

#[derive(Debug, Deserialize)]
struct LeaveData {
    clinician_id: Uuid,
    starts_at: String,
    ends_at: String,
    reason: String,
    status: LeaveStatus,
    requested_by: Option<Uuid>,
    requested_at: String,
    decided_by: Option<Uuid>,
    decided_at: Option<String>,
    decision_note: Option<String>,
}

impl EntityApplier for LeaveApplier {
    fn entity(&self) -> &'static str {
        "leave_request"
    }

    fn write_server_version(&self, ctx: &mut ApplyContext<'_>, change: &Change) -> Result<(), ApplyFailure> {
        let l: LeaveData = decode(&change.data, "the leave request")?;
        require(ctx.tx, &[(Needs::Staff, l.clinician_id)])?;
        let (updated_at, deleted_at, updated_by) = bookkeeping(change)?;
        ctx.tx
            .prepare_cached(
                "INSERT INTO leave_requests (id, clinician_id, starts_at, ends_at, reason, status, requested_by,
                     requested_at, decided_by, decided_at, decision_note, row_version, updated_at, deleted_at,
                     updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
                 ON CONFLICT (id) DO UPDATE SET clinician_id = excluded.clinician_id,
                     starts_at = excluded.starts_at, ends_at = excluded.ends_at, reason = excluded.reason,
                     status = excluded.status, requested_by = excluded.requested_by,
                     requested_at = excluded.requested_at, decided_by = excluded.decided_by,
                     decided_at = excluded.decided_at, decision_note = excluded.decision_note,
                     row_version = excluded.row_version, updated_at = excluded.updated_at,
                     deleted_at = excluded.deleted_at, updated_by = excluded.updated_by",
            )?
            .execute(params![
                change.entity_id.to_string(),
                l.clinician_id.to_string(),
                db_time(&l.starts_at)?,
                db_time(&l.ends_at)?,
                l.reason,
                l.status.as_str(),
                l.requested_by.map(|u| u.to_string()),
                db_time(&l.requested_at)?,
                l.decided_by.map(|u| u.to_string()),
                opt_time(l.decided_at.as_deref())?,
                l.decision_note,
                change.row_version,
                updated_at,
                deleted_at,
                updated_by,
            ])?;
        Ok(())
    }

    fn reapply(&self, ctx: &mut ApplyContext<'_>, change: &Change, pending: &PendingMutation) -> CoreResult<()> {
        let args = &pending.args;
        let decision = (arg::<LeaveStatus>(args, "status"), arg::<jiff::Timestamp>(args, "at"));
        let (Some(status), Some(at), "availability.decide_leave") = (decision.0, decision.1, pending.name.as_str())
        else {
            return Ok(());
        };
        ctx.tx
            .prepare_cached(
                "UPDATE leave_requests SET status = ?1, decided_by = ?2, decided_at = ?3, decision_note = ?4
                 WHERE id = ?5 AND status = 'requested'",
            )?
            .execute(params![
                status.as_str(),
                pending.authored_by.map(|u| u.to_string()),
                to_db_time(at),
                arg::<String>(args, "note"),
                change.entity_id.to_string()
            ])?;
        Ok(())
    }
}
