//! Roles and the one role→permission table every core operation checks.

use serde::{Deserialize, Serialize};

use crate::{CoreError, CoreResult};

/// A member of staff's role. One role per account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Administrator,
    Doctor,
    Nurse,
    Receptionist,
    BillingClerk,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Administrator, Role::Doctor, Role::Nurse, Role::Receptionist, Role::BillingClerk];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Doctor => "doctor",
            Role::Nurse => "nurse",
            Role::Receptionist => "receptionist",
            Role::BillingClerk => "billing_clerk",
        }
    }

    pub fn parse(text: &str) -> CoreResult<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text).ok_or_else(|| {
            CoreError::validation(
                "role",
                "Choose one of the roles: administrator, doctor, nurse, receptionist or billing clerk.",
            )
        })
    }

    /// Whether this role may do `permission`: the single source of truth.
    pub fn can(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Administrator => matches!(
                permission,
                PatientRead
                    | PatientWrite
                    | PatientDelete
                    | PatientMerge
                    | PatientImport
                    | AppointmentRead
                    | InvoiceRead
                    | StaffManage
                    | SettingsManage
                    | AuditRead
                    | BackupRestore
                    | SyncManage
                    | SyncRun
                    | ReviewResolve
                    | ScheduleManage
                    | LeaveRequest
                    | LeaveApprove
            ),
            Role::Doctor | Role::Nurse => matches!(
                permission,
                PatientRead
                    | PatientWrite
                    | ChartRead
                    | ChartWrite
                    | AppointmentRead
                    | AppointmentWrite
                    | InvoiceRead
                    | SyncRun
                    | ReviewResolve
                    | LeaveRequest
            ),
            Role::Receptionist => matches!(
                permission,
                PatientRead
                    | PatientWrite
                    | PatientMerge
                    | AppointmentRead
                    | AppointmentWrite
                    | InvoiceRead
                    | InvoiceWrite
                    | SyncRun
                    | ReviewResolve
            ),
            Role::BillingClerk => matches!(permission, PatientRead | InvoiceRead | InvoiceWrite | SyncRun),
        }
    }
}

/// Something a role may or may not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Demographics, contact details, insurance, alerts.
    PatientRead,
    /// Register and edit patients.
    PatientWrite,
    /// Soft-delete a patient record (with a reason).
    PatientDelete,
    /// Merge two records of the same person.
    PatientMerge,
    /// Bulk import of patients.
    PatientImport,
    /// Clinical notes, vitals, prescriptions, results.
    ChartRead,
    ChartWrite,
    AppointmentRead,
    AppointmentWrite,
    InvoiceRead,
    InvoiceWrite,
    /// Add staff, change roles, deactivate, reset passwords.
    StaffManage,
    /// Clinic details and policies such as the idle lock.
    SettingsManage,
    /// List, filter, verify and export the audit trail.
    AuditRead,
    /// Encrypted backups, restore, recovery sheet, integrity checks.
    BackupRestore,
    /// Enroll this computer with the clinic server, or move it to another server.
    SyncManage,
    /// Start a sync now (the automatic sync runs without a person).
    SyncRun,
    /// Resolve review items (clashes sync could not settle) and retry or discard changes the server refused.
    ReviewResolve,
    /// Appointment types, clinician profiles, working hours, extra sessions, closures and the scheduling policy.
    ScheduleManage,
    /// Ask for leave (doctors and nurses for themselves; administrators for any clinician).
    LeaveRequest,
    /// Approve or reject leave requests.
    LeaveApprove,
}

impl Permission {
    pub const ALL: [Permission; 21] = [
        Permission::PatientRead,
        Permission::PatientWrite,
        Permission::PatientDelete,
        Permission::PatientMerge,
        Permission::PatientImport,
        Permission::ChartRead,
        Permission::ChartWrite,
        Permission::AppointmentRead,
        Permission::AppointmentWrite,
        Permission::InvoiceRead,
        Permission::InvoiceWrite,
        Permission::StaffManage,
        Permission::SettingsManage,
        Permission::AuditRead,
        Permission::BackupRestore,
        Permission::SyncManage,
        Permission::SyncRun,
        Permission::ReviewResolve,
        Permission::ScheduleManage,
        Permission::LeaveRequest,
        Permission::LeaveApprove,
    ];

    /// What the person is told when their role lacks this permission.
    pub fn refusal(self) -> String {
        let what = match self {
            Permission::PatientRead => "view patient records",
            Permission::PatientWrite => "register or edit patients",
            Permission::PatientDelete => "delete patient records",
            Permission::PatientMerge => "merge patient records",
            Permission::PatientImport => "import patients",
            Permission::ChartRead => "view clinical records",
            Permission::ChartWrite => "write clinical records",
            Permission::AppointmentRead => "view appointments",
            Permission::AppointmentWrite => "book or change appointments",
            Permission::InvoiceRead => "view invoices",
            Permission::InvoiceWrite => "issue invoices or take payments",
            Permission::StaffManage => "manage staff accounts",
            Permission::SettingsManage => "change clinic settings",
            Permission::AuditRead => "view the audit trail",
            Permission::BackupRestore => "make or restore backups",
            Permission::SyncManage => "connect this computer to the clinic server",
            Permission::SyncRun => "start a sync",
            Permission::ReviewResolve => "resolve sync review items or refused changes",
            Permission::ScheduleManage => "manage appointment types, working hours or closures",
            Permission::LeaveRequest => "request leave",
            Permission::LeaveApprove => "approve or reject leave",
        };
        format!("Your role may not {what}. Ask an administrator if you need this.")
    }
}
