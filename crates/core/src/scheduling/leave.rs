//! Leave: clinicians ask for it (administrators may ask on their behalf), administrators approve or reject it.
//! Only approved leave blocks booking. Approving never cancels anything: it returns the booked appointments the
//! leave covers, for reception to move (`appointments::reschedule`, `slots::alternatives`) or cancel with notice.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::appointments::store::affected;
use super::clinicians;
use super::model::AffectedAppointment;
use super::record::{self, Change, bad_column, text};
use super::time::ClinicZone;
use crate::accounts::SessionId;
use crate::audit::{AuditAction, AuditOutcome};
use crate::clock::to_db_time;
use crate::rbac::{Permission, Role};
use crate::{Clinic, CoreError, CoreResult};

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum LeaveStatus {
    Requested,
    Approved,
    Rejected,
}

impl LeaveStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LeaveStatus::Requested => "requested",
            LeaveStatus::Approved => "approved",
            LeaveStatus::Rejected => "rejected",
        }
    }

    fn parse(text: &str) -> Option<LeaveStatus> {
        [LeaveStatus::Requested, LeaveStatus::Approved, LeaveStatus::Rejected].into_iter().find(|s| s.as_str() == text)
    }
}

/// The leave form, in the clinic's local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LeaveDraft {
    pub clinician_id: Uuid,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub start: DateTime,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub end: DateTime,
    pub reason: String,
}

impl LeaveDraft {
    /// Whole local days, `first` to `last` included.
    pub fn whole_days(clinician_id: Uuid, first: Date, last: Date, reason: &str) -> LeaveDraft {
        let after = last.tomorrow().unwrap_or(last);
        LeaveDraft {
            clinician_id,
            start: first.to_datetime(Time::midnight()),
            end: after.to_datetime(Time::midnight()),
            reason: reason.to_owned(),
        }
    }
}

/// A stored request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LeaveRequest {
    pub id: Uuid,
    pub clinician_id: Uuid,
    pub clinician_name: String,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub starts_at: Timestamp,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub ends_at: Timestamp,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub local_start: DateTime,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub local_end: DateTime,
    pub reason: String,
    pub status: LeaveStatus,
    pub requested_by: Option<Uuid>,
    pub decided_by: Option<Uuid>,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub decided_at: Option<Timestamp>,
    pub decision_note: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub row_version: i64,
}

/// An approval and the booked appointments it covers (still booked: nothing is cancelled silently).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LeaveApproval {
    pub leave: LeaveRequest,
    pub affected: Vec<AffectedAppointment>,
}

const SELECT: &str = "SELECT l.id, l.clinician_id, s.display_name, l.starts_at, l.ends_at, l.reason, l.status, \
     l.requested_by, l.decided_by, l.decided_at, l.decision_note, l.row_version \
     FROM leave_requests l JOIN staff s ON s.id = l.clinician_id WHERE l.deleted_at IS NULL";

fn read(r: &Row<'_>, zone: &ClinicZone) -> rusqlite::Result<LeaveRequest> {
    let uuid =
        |i: usize| -> rusqlite::Result<Uuid> { Uuid::parse_str(&r.get::<_, String>(i)?).map_err(|e| bad_column(i, e)) };
    let opt_uuid = |i: usize| -> rusqlite::Result<Option<Uuid>> {
        r.get::<_, Option<String>>(i)?.map(|t| Uuid::parse_str(&t).map_err(|e| bad_column(i, e))).transpose()
    };
    let time =
        |i: usize| -> rusqlite::Result<Timestamp> { r.get::<_, String>(i)?.parse().map_err(|e| bad_column(i, e)) };
    let status: String = r.get(6)?;
    let decided_at: Option<String> = r.get(9)?;
    let (starts_at, ends_at) = (time(3)?, time(4)?);
    Ok(LeaveRequest {
        id: uuid(0)?,
        clinician_id: uuid(1)?,
        clinician_name: r.get(2)?,
        starts_at,
        ends_at,
        local_start: zone.local(starts_at),
        local_end: zone.local(ends_at),
        reason: r.get(5)?,
        status: LeaveStatus::parse(&status)
            .ok_or_else(|| bad_column(6, CoreError::internal("unknown leave status")))?,
        requested_by: opt_uuid(7)?,
        decided_by: opt_uuid(8)?,
        decided_at: decided_at.map(|t| t.parse().map_err(|e| bad_column(9, e))).transpose()?,
        decision_note: r.get(10)?,
        row_version: r.get(11)?,
    })
}

fn get(conn: &Connection, zone: &ClinicZone, id: Uuid) -> CoreResult<LeaveRequest> {
    let sql = [SELECT, " AND l.id = ?1"].concat();
    conn.prepare_cached(&sql)?
        .query_row([id.to_string()], |r| read(r, zone))
        .optional()?
        .ok_or_else(|| CoreError::not_found("This leave request does not exist."))
}

/// Asks for leave. Doctors and nurses ask for themselves; administrators for any clinician.
pub fn request_leave(clinic: &Clinic, session: SessionId, draft: &LeaveDraft) -> CoreResult<LeaveRequest> {
    let actor = clinic.authorize(session, Permission::LeaveRequest)?;
    if actor.role != Role::Administrator && draft.clinician_id != actor.staff_id {
        clinic.audit_alone(
            &actor.event(AuditAction::AccessDenied, AuditOutcome::Denied).detail("LeaveRequest for another clinician"),
        )?;
        return Err(CoreError::forbidden(
            "You can request leave only for yourself. An administrator can request it for others.",
        ));
    }
    let reason = text("reason", &draft.reason, 500, "The reason")?;
    clinic.write(|tx| {
        let zone = ClinicZone::load(tx)?;
        let clinician = clinicians::bookable(tx, draft.clinician_id, "clinician_id")?;
        let (start, end) = (zone.instant_lenient(draft.start), zone.instant_lenient(draft.end));
        if end <= start || end.duration_since(start).as_hours() > 24 * 366 {
            return Err(CoreError::validation("end", "Leave must end after it starts, within a year."));
        }
        let overlapping: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM leave_requests WHERE clinician_id = ?1 AND deleted_at IS NULL
                AND status IN ('requested', 'approved') AND starts_at < ?3 AND ends_at > ?2)",
            params![draft.clinician_id.to_string(), to_db_time(start), to_db_time(end)],
            |r| r.get(0),
        )?;
        if overlapping {
            return Err(CoreError::validation(
                "start",
                [&clinician.display_name, " already has leave requested or approved for part of this time."].concat(),
            ));
        }
        let id = clinic.env.ids.new_id();
        let now = to_db_time(clinic.env.clock.now());
        tx.execute(
            "INSERT INTO leave_requests (id, clinician_id, starts_at, ends_at, reason, status, requested_by, requested_at,
                                         updated_at, updated_by)
             VALUES (?1, ?2, ?3, ?4, ?5, 'requested', ?6, ?7, ?7, ?6)",
            params![id.to_string(), draft.clinician_id.to_string(), to_db_time(start), to_db_time(end), reason, actor.staff_id.to_string(), now],
        )?;
        record::record(
            clinic,
            tx,
            &actor,
            Change {
                mutation: "availability.request_leave",
                entity: "leave_request",
                entity_id: id,
                args: json!({
                    "clinician_id": draft.clinician_id, "starts_at": start, "ends_at": end, "reason": reason,
                    "requested_at": now,
                }),
                base_row_version: None,
                action: AuditAction::LeaveRequest,
                patient_id: None,
                detail: "",
            },
        )?;
        get(tx, &zone, id)
    })
}

fn decide(
    clinic: &Clinic,
    session: SessionId,
    id: Uuid,
    decision: LeaveStatus,
    note: &str,
) -> CoreResult<(LeaveRequest, Vec<AffectedAppointment>)> {
    let actor = clinic.authorize(session, Permission::LeaveApprove)?;
    let note = text("note", note, 500, "The note")?;
    clinic.write(|tx| {
        let zone = ClinicZone::load(tx)?;
        let old = get(tx, &zone, id)?;
        if old.status != LeaveStatus::Requested {
            return Err(CoreError::conflict(["This leave request was already ", old.status.as_str(), "."].concat()));
        }
        let now = clinic.env.clock.now();
        tx.execute(
            "UPDATE leave_requests SET status = ?1, decided_by = ?2, decided_at = ?3, decision_note = ?4,
                 row_version = row_version + 1, updated_at = ?3, updated_by = ?2 WHERE id = ?5",
            params![decision.as_str(), actor.staff_id.to_string(), to_db_time(now), note, id.to_string()],
        )?;
        let (start, end) = (old.starts_at, old.ends_at);
        let touched = if decision == LeaveStatus::Approved {
            affected(tx, &zone, Some(old.clinician_id), start, end)?
        } else {
            Vec::new()
        };
        let detail = [decision.as_str(), "; ", &touched.len().to_string(), " appointments affected"].concat();
        record::record(
            clinic,
            tx,
            &actor,
            Change {
                mutation: "availability.decide_leave",
                entity: "leave_request",
                entity_id: id,
                args: json!({ "status": decision, "note": note, "at": now }),
                base_row_version: Some(old.row_version),
                action: AuditAction::LeaveDecision,
                patient_id: None,
                detail: &detail,
            },
        )?;
        Ok((get(tx, &zone, id)?, touched))
    })
}

/// Approves leave (administrators). Appointments it covers stay booked and are returned, to move or cancel.
pub fn approve_leave(clinic: &Clinic, session: SessionId, id: Uuid, note: &str) -> CoreResult<LeaveApproval> {
    let (leave, affected) = decide(clinic, session, id, LeaveStatus::Approved, note)?;
    Ok(LeaveApproval { leave, affected })
}

/// Rejects leave (administrators).
pub fn reject_leave(clinic: &Clinic, session: SessionId, id: Uuid, note: &str) -> CoreResult<LeaveRequest> {
    Ok(decide(clinic, session, id, LeaveStatus::Rejected, note)?.0)
}

/// Leave requests, newest first, optionally of one status or one clinician.
pub fn list_leave(
    clinic: &Clinic,
    session: SessionId,
    status: Option<LeaveStatus>,
    clinician_id: Option<Uuid>,
) -> CoreResult<Vec<LeaveRequest>> {
    clinic.authorize(session, Permission::AppointmentRead)?;
    clinic.read(|conn| {
        let zone = ClinicZone::load(conn)?;
        let sql = [
            SELECT,
            " AND (?1 IS NULL OR l.status = ?1) AND (?2 IS NULL OR l.clinician_id = ?2) ORDER BY l.starts_at DESC",
        ]
        .concat();
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(params![status.map(LeaveStatus::as_str), clinician_id.map(|c| c.to_string())], |r| {
                read(r, &zone)
            })?;
        Ok(rows.collect::<Result<_, _>>()?)
    })
}

/// The booked (or checked-in) appointments a leave request covers — before or after approval.
pub fn affected_by_leave(clinic: &Clinic, session: SessionId, id: Uuid) -> CoreResult<Vec<AffectedAppointment>> {
    clinic.authorize(session, Permission::AppointmentRead)?;
    clinic.read(|conn| {
        let zone = ClinicZone::load(conn)?;
        let leave = get(conn, &zone, id)?;
        affected(conn, &zone, Some(leave.clinician_id), leave.starts_at, leave.ends_at)
    })
}
