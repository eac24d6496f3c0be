//! Whether a mutation's author may make it: the author's role on the server (their staff record as it stands
//! when the mutation is applied) must grant the permission the change needs — the desks' own rule (clinic-core's
//! `rbac`), checked again here because a compromised or outdated desk could claim anything.
//!
//! A refusal is a `rejected` outcome with the reason, kept on the desk for a person to see; it never fails the
//! rest of the push.

use std::collections::HashMap;

use clinic_protocol::push::MutationEnvelope;
use deadpool_postgres::Transaction;
use uuid::Uuid;

use crate::{AppError, db};

/// What a mutation needs, by the permission names of clinic-core's `rbac::Permission`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Needs {
    /// The author's role must grant this permission.
    Permission(&'static str),
    /// `staff.update`: managing staff, or an account changing its own password.
    StaffUpdate,
}

/// The permission each mutation needs; `None` for a name with no rule here (refused).
pub(crate) fn needs(name: &str) -> Option<Needs> {
    let permission = match name {
        "patient.register" | "patient.update" => "patient_write",
        "patient.delete" => "patient_delete",
        "patient.merge" => "patient_merge",
        "staff.create" => "staff_manage",
        "staff.update" => return Some(Needs::StaffUpdate),
        "clinic.settings" => "settings_manage",
        "review.resolve" => "review_resolve",
        "availability.request_leave" => "leave_request",
        "availability.decide_leave" => "leave_approve",
        "scheduling.policy" => "schedule_manage",
        "calendar_feed.issue" | "calendar_feed.revoke" => "appointment_read",
        _ => match name.split_once('.')?.0 {
            "appointment" | "waitlist" => "appointment_write",
            "appointment_type" | "clinician_profile" | "availability" => "schedule_manage",
            _ => return None,
        },
    };
    Some(Needs::Permission(permission))
}

/// The permissions of each role: clinic-core's `Role::can`, by name (a test in tests/sync checks the two agree).
pub fn role_can(role: &str, permission: &str) -> bool {
    const ADMINISTRATOR: &[&str] = &[
        "patient_read",
        "patient_write",
        "patient_delete",
        "patient_merge",
        "patient_import",
        "appointment_read",
        "invoice_read",
        "staff_manage",
        "settings_manage",
        "audit_read",
        "backup_restore",
        "sync_manage",
        "sync_run",
        "review_resolve",
        "schedule_manage",
        "leave_request",
        "leave_approve",
    ];
    const CLINICIAN: &[&str] = &[
        "patient_read",
        "patient_write",
        "chart_read",
        "chart_write",
        "appointment_read",
        "appointment_write",
        "invoice_read",
        "sync_run",
        "review_resolve",
        "leave_request",
    ];
    const RECEPTIONIST: &[&str] = &[
        "patient_read",
        "patient_write",
        "patient_merge",
        "appointment_read",
        "appointment_write",
        "invoice_read",
        "invoice_write",
        "sync_run",
        "review_resolve",
    ];
    const BILLING_CLERK: &[&str] = &["patient_read", "invoice_read", "invoice_write", "sync_run"];
    let granted = match role {
        "administrator" => ADMINISTRATOR,
        "doctor" | "nurse" => CLINICIAN,
        "receptionist" => RECEPTIONIST,
        "billing_clerk" => BILLING_CLERK,
        _ => return false,
    };
    granted.contains(&permission)
}

/// The keys an account may change on itself without managing staff.
const OWN_ACCOUNT_KEYS: [&str; 2] = ["password_hash", "must_change_password"];

fn changes_only_own_password(m: &MutationEnvelope) -> bool {
    m.authored_by == Some(m.entity_id)
        && m.args.as_object().is_some_and(|args| args.keys().all(|k| OWN_ACCOUNT_KEYS.contains(&k.as_str())))
}

/// Authors' roles as the server holds them, read once per author in a push (forgotten after a staff change).
#[derive(Debug, Default)]
pub(crate) struct Roles {
    known: HashMap<Uuid, String>,
}

impl Roles {
    async fn role(&mut self, tx: &Transaction<'_>, tenant: Uuid, author: Uuid) -> Result<String, AppError> {
        if let Some(role) = self.known.get(&author) {
            return Ok(role.clone());
        }
        let row = db::query_opt(
            tx,
            "SELECT data -> 'member' ->> 'role' FROM entities
             WHERE tenant_id = $1 AND entity = 'staff' AND entity_id = $2 AND deleted_at IS NULL",
            &[&tenant, &author],
        )
        .await?;
        let role = row.map(|r| r.try_get::<_, Option<String>>(0)).transpose()?.flatten().unwrap_or_default();
        self.known.insert(author, role.clone());
        Ok(role)
    }

    /// Forgets what was read: a staff change may have changed a role.
    pub(crate) fn forget(&mut self) {
        self.known.clear();
    }

    /// Why the author may not make this change, or `None` when they may. An unauthored mutation got past the
    /// request check only as the tenant's first account, made at a desk's setup.
    pub(crate) async fn refusal(
        &mut self,
        tx: &Transaction<'_>,
        tenant: Uuid,
        m: &MutationEnvelope,
    ) -> Result<Option<String>, AppError> {
        let Some(author) = m.authored_by else { return Ok(None) };
        let Some(needed) = needs(&m.name) else {
            return Ok(Some("The clinic server has no permission rule for this change, so it was not applied.".into()));
        };
        let permission = match needed {
            Needs::StaffUpdate if changes_only_own_password(m) => return Ok(None),
            Needs::StaffUpdate => "staff_manage",
            Needs::Permission(p) => p,
        };
        let role = self.role(tx, tenant, author).await?;
        if role_can(&role, permission) {
            return Ok(None);
        }
        let role = if role.is_empty() { "unknown".to_owned() } else { role.replace('_', " ") };
        Ok(Some(
            [
                "The person who made this change (role: ",
                &role,
                ") may not make it according to the clinic server, so it was not applied. An administrator can ",
                "check their role; the change can be made again by someone allowed to.",
            ]
            .concat(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scheduling_and_record_change_has_a_rule() {
        for name in [
            "patient.register",
            "patient.merge",
            "staff.update",
            "clinic.settings",
            "review.resolve",
            "appointment.book",
            "appointment.status",
            "waitlist.skip",
            "appointment_type.create",
            "availability.set_template",
            "availability.request_leave",
            "availability.decide_leave",
        ] {
            assert!(needs(name).is_some(), "{name}");
        }
        assert_eq!(needs("invoice.issue"), None);
        assert_eq!(needs("nonsense"), None);
    }

    #[test]
    fn reception_books_billing_does_not_and_only_administrators_approve_leave() {
        assert!(role_can("receptionist", "appointment_write"));
        assert!(!role_can("billing_clerk", "appointment_write"));
        assert!(role_can("doctor", "leave_request"));
        assert!(!role_can("doctor", "leave_approve"));
        assert!(role_can("administrator", "leave_approve"));
        assert!(!role_can("nobody", "patient_read"));
    }
}
