//! The append-only, hash-chained audit trail: who did what, to which record, when, and how it went.
//!
//! Entries never hold patient data values or secrets: only ids, action names and outcomes.

mod chain;
mod query;

pub use chain::{ChainBreak, ChainReport, GENESIS_HASH, entry_hash, verify_audit_chain};
pub use query::{AuditEntry, AuditFilter, read_entry};

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::accounts::SessionId;
use crate::clock::to_db_time;
use crate::rbac::Permission;
use crate::{Clinic, CoreResult};

/// What was done. A closed set so the trail can be filtered reliably.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    ClinicSetup,
    Login,
    Logout,
    SessionLock,
    SessionUnlock,
    AccessDenied,
    StaffCreate,
    StaffRoleChange,
    StaffDeactivate,
    StaffReactivate,
    PasswordReset,
    PasswordChange,
    SettingsUpdate,
    PatientCreate,
    PatientView,
    PatientUpdate,
    PatientDelete,
    PatientMerge,
    PatientImport,
    AuditView,
    AuditExport,
    Backup,
    Restore,
    RecoverySheetExport,
    IntegrityCheck,
    /// This computer was enrolled with a clinic server.
    SyncEnroll,
    /// Records pulled from the clinic server were written here (detail: counts per entity).
    SyncApply,
    /// A person resolved or dismissed a review item.
    ReviewResolve,
    /// A person re-queued a change the clinic server had refused.
    SyncRetry,
    /// A person discarded a change the clinic server had refused (with the reason).
    SyncDiscard,
    /// An appointment was booked (detail: `overbooked: …` when a clash was confirmed).
    AppointmentBook,
    /// An appointment was moved to another time or clinician.
    AppointmentReschedule,
    /// An appointment was cancelled (the reason is on the appointment, not here).
    AppointmentCancel,
    /// An appointment moved along its lifecycle (detail: `booked -> arrived`).
    AppointmentStatus,
    /// Recording consent was recorded or withdrawn on a telemedicine appointment.
    AppointmentConsent,
    /// A recorded telemedicine session was started, or refused for want of consent.
    TelemedicineRecording,
    /// An appointment type was created, changed or deactivated.
    AppointmentTypeChange,
    /// Working hours, extra sessions, closures, clinician profiles or the scheduling policy changed.
    ScheduleChange,
    /// Leave was requested for a clinician.
    LeaveRequest,
    /// A leave request was approved or rejected (detail: the decision and how many appointments it touches).
    LeaveDecision,
    /// A waitlist entry was added, removed, skipped or booked.
    WaitlistChange,
    /// A clinician's schedule was exported as iCalendar.
    CalendarExport,
    /// A calendar subscription link was made for a clinician (any earlier one stops working).
    CalendarFeedIssue,
    /// A clinician's calendar subscription link was revoked.
    CalendarFeedRevoke,
}

impl AuditAction {
    pub const ALL: [AuditAction; 44] = [
        AuditAction::ClinicSetup,
        AuditAction::Login,
        AuditAction::Logout,
        AuditAction::SessionLock,
        AuditAction::SessionUnlock,
        AuditAction::AccessDenied,
        AuditAction::StaffCreate,
        AuditAction::StaffRoleChange,
        AuditAction::StaffDeactivate,
        AuditAction::StaffReactivate,
        AuditAction::PasswordReset,
        AuditAction::PasswordChange,
        AuditAction::SettingsUpdate,
        AuditAction::PatientCreate,
        AuditAction::PatientView,
        AuditAction::PatientUpdate,
        AuditAction::PatientDelete,
        AuditAction::PatientMerge,
        AuditAction::PatientImport,
        AuditAction::AuditView,
        AuditAction::AuditExport,
        AuditAction::Backup,
        AuditAction::Restore,
        AuditAction::RecoverySheetExport,
        AuditAction::IntegrityCheck,
        AuditAction::SyncEnroll,
        AuditAction::SyncApply,
        AuditAction::ReviewResolve,
        AuditAction::SyncRetry,
        AuditAction::SyncDiscard,
        AuditAction::AppointmentBook,
        AuditAction::AppointmentReschedule,
        AuditAction::AppointmentCancel,
        AuditAction::AppointmentStatus,
        AuditAction::AppointmentConsent,
        AuditAction::TelemedicineRecording,
        AuditAction::AppointmentTypeChange,
        AuditAction::ScheduleChange,
        AuditAction::LeaveRequest,
        AuditAction::LeaveDecision,
        AuditAction::WaitlistChange,
        AuditAction::CalendarExport,
        AuditAction::CalendarFeedIssue,
        AuditAction::CalendarFeedRevoke,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::ClinicSetup => "clinic_setup",
            AuditAction::Login => "login",
            AuditAction::Logout => "logout",
            AuditAction::SessionLock => "session_lock",
            AuditAction::SessionUnlock => "session_unlock",
            AuditAction::AccessDenied => "access_denied",
            AuditAction::StaffCreate => "staff_create",
            AuditAction::StaffRoleChange => "staff_role_change",
            AuditAction::StaffDeactivate => "staff_deactivate",
            AuditAction::StaffReactivate => "staff_reactivate",
            AuditAction::PasswordReset => "password_reset",
            AuditAction::PasswordChange => "password_change",
            AuditAction::SettingsUpdate => "settings_update",
            AuditAction::PatientCreate => "patient_create",
            AuditAction::PatientView => "patient_view",
            AuditAction::PatientUpdate => "patient_update",
            AuditAction::PatientDelete => "patient_delete",
            AuditAction::PatientMerge => "patient_merge",
            AuditAction::PatientImport => "patient_import",
            AuditAction::AuditView => "audit_view",
            AuditAction::AuditExport => "audit_export",
            AuditAction::Backup => "backup",
            AuditAction::Restore => "restore",
            AuditAction::RecoverySheetExport => "recovery_sheet_export",
            AuditAction::IntegrityCheck => "integrity_check",
            AuditAction::SyncEnroll => "sync_enroll",
            AuditAction::SyncApply => "sync_apply",
            AuditAction::ReviewResolve => "review_resolve",
            AuditAction::SyncRetry => "sync_retry",
            AuditAction::SyncDiscard => "sync_discard",
            AuditAction::AppointmentBook => "appointment_book",
            AuditAction::AppointmentReschedule => "appointment_reschedule",
            AuditAction::AppointmentCancel => "appointment_cancel",
            AuditAction::AppointmentStatus => "appointment_status",
            AuditAction::AppointmentConsent => "appointment_consent",
            AuditAction::TelemedicineRecording => "telemedicine_recording",
            AuditAction::AppointmentTypeChange => "appointment_type_change",
            AuditAction::ScheduleChange => "schedule_change",
            AuditAction::LeaveRequest => "leave_request",
            AuditAction::LeaveDecision => "leave_decision",
            AuditAction::WaitlistChange => "waitlist_change",
            AuditAction::CalendarExport => "calendar_export",
            AuditAction::CalendarFeedIssue => "calendar_feed_issue",
            AuditAction::CalendarFeedRevoke => "calendar_feed_revoke",
        }
    }

    pub fn parse(text: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == text)
    }
}

/// How the attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    Success,
    /// Tried and failed (a wrong password, a validation error).
    Failure,
    /// Refused by a permission or a lock.
    Denied,
}

impl AuditOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Success => "success",
            AuditOutcome::Failure => "failure",
            AuditOutcome::Denied => "denied",
        }
    }
}

/// One event to append. `detail` is for non-identifying context only (a field list, a count, a reason code).
#[derive(Debug, Clone)]
pub struct AuditEvent<'a> {
    pub user_id: Option<Uuid>,
    pub username: Option<&'a str>,
    pub action: AuditAction,
    pub entity_type: Option<&'a str>,
    pub entity_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    pub outcome: AuditOutcome,
    pub detail: &'a str,
}

impl<'a> AuditEvent<'a> {
    pub fn new(action: AuditAction, outcome: AuditOutcome) -> Self {
        AuditEvent {
            user_id: None,
            username: None,
            action,
            entity_type: None,
            entity_id: None,
            patient_id: None,
            outcome,
            detail: "",
        }
    }

    pub fn by(mut self, user_id: Uuid, username: &'a str) -> Self {
        self.user_id = Some(user_id);
        self.username = Some(username);
        self
    }

    pub fn on(mut self, entity_type: &'a str, entity_id: Uuid) -> Self {
        self.entity_type = Some(entity_type);
        self.entity_id = Some(entity_id);
        self
    }

    pub fn patient(mut self, patient_id: Uuid) -> Self {
        self.patient_id = Some(patient_id);
        self
    }

    pub fn detail(mut self, detail: &'a str) -> Self {
        self.detail = detail;
        self
    }
}

/// Appends one entry to this device's chain. Call it inside the transaction of the change it records,
/// so the change and its audit entry are written together or not at all.
pub fn record(conn: &Connection, device_id: Uuid, at: jiff::Timestamp, event: &AuditEvent<'_>) -> CoreResult<()> {
    let device = device_id.to_string();
    let last: Option<(i64, String)> = conn
        .query_row("SELECT seq, hash FROM audit_head WHERE device_id = ?1", [&device], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let entry = AuditEntry {
        device_id,
        seq,
        at: to_db_time(at),
        user_id: event.user_id,
        username: event.username.map(str::to_owned),
        action: event.action.as_str().to_owned(),
        entity_type: event.entity_type.map(str::to_owned),
        entity_id: event.entity_id,
        patient_id: event.patient_id,
        outcome: event.outcome.as_str().to_owned(),
        detail: event.detail.to_owned(),
        prev_hash,
        hash: String::new(),
    };
    let hash = entry_hash(&entry.prev_hash, &entry);
    conn.execute(
        "INSERT INTO audit_log (device_id, seq, at, user_id, username, action, entity_type, entity_id,
                                patient_id, outcome, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            device,
            seq,
            entry.at,
            entry.user_id.map(|u| u.to_string()),
            entry.username,
            entry.action,
            entry.entity_type,
            entry.entity_id.map(|u| u.to_string()),
            entry.patient_id.map(|u| u.to_string()),
            entry.outcome,
            entry.detail,
            entry.prev_hash,
            hash,
        ],
    )?;
    conn.execute(
        "INSERT INTO audit_head (device_id, seq, hash) VALUES (?1, ?2, ?3)
         ON CONFLICT (device_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        params![device, seq, hash],
    )?;
    Ok(())
}

/// Lists the trail for an administrator, newest first. The viewing itself is audited.
pub fn list(clinic: &Clinic, session: SessionId, filter: &AuditFilter) -> CoreResult<Vec<AuditEntry>> {
    let actor = clinic.authorize(session, Permission::AuditRead)?;
    let entries = clinic.read(|conn| query::select(conn, filter))?;
    clinic.audit_alone(&actor.event(AuditAction::AuditView, AuditOutcome::Success))?;
    Ok(entries)
}

/// Writes the filtered trail as CSV; returns how many entries were written. The export is audited.
pub fn export_csv(
    clinic: &Clinic,
    session: SessionId,
    filter: &AuditFilter,
    out: impl std::io::Write,
) -> CoreResult<usize> {
    let actor = clinic.authorize(session, Permission::AuditRead)?;
    let entries = clinic.read(|conn| query::select(conn, filter))?;
    query::write_csv(&entries, out)?;
    let detail = format!("{} entries", entries.len());
    clinic.audit_alone(&actor.event(AuditAction::AuditExport, AuditOutcome::Success).detail(&detail))?;
    Ok(entries.len())
}

/// Verifies every device's hash chain (administrators).
pub fn verify(clinic: &Clinic, session: SessionId) -> CoreResult<ChainReport> {
    clinic.authorize(session, Permission::AuditRead)?;
    clinic.read(verify_audit_chain)
}
