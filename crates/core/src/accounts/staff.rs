//! Managing staff accounts: add, change role, deactivate and reactivate, reset and change passwords.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::login::username_key;
use super::password;
use super::sessions::SessionId;
use crate::audit::{AuditAction, AuditOutcome};
use crate::clock::to_db_time;
use crate::outbox::{self, Mutation};
use crate::rbac::{Permission, Role};
use crate::{Clinic, CoreError, CoreResult};

/// A new account.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NewStaff {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password: String,
}

/// An account as administrators see it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StaffMember {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub must_change_password: bool,
    pub created_at: String,
}

/// Checks a user name: 3–64 letters, digits, dots, dashes or underscores.
pub(crate) fn validate_username(username: &str) -> CoreResult<String> {
    let trimmed = username.trim();
    let length = trimmed.chars().count();
    if !(3..=64).contains(&length) {
        return Err(CoreError::validation("username", "A user name has 3 to 64 characters."));
    }
    if !trimmed.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_')) {
        return Err(CoreError::validation(
            "username",
            "A user name may only use letters, digits, dots, dashes and underscores (no spaces).",
        ));
    }
    Ok(trimmed.to_owned())
}

pub(crate) fn validate_display_name(name: &str) -> CoreResult<String> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(CoreError::validation("display_name", "Enter the person's name as colleagues know it."));
    }
    if trimmed.chars().count() > 100 {
        return Err(CoreError::validation("display_name", "The name is too long: use at most 100 characters."));
    }
    Ok(trimmed.to_owned())
}

/// Inserts an account after validation; shared by setup (first administrator, `author` none) and staff
/// management. An account an administrator made must choose its own password at its first sign-in: the
/// administrator knows the one given.
pub(crate) fn insert_staff(
    clinic: &Clinic,
    tx: &Connection,
    new: &NewStaff,
    author: Option<Uuid>,
) -> CoreResult<StaffMember> {
    let username = validate_username(&new.username)?;
    let display_name = validate_display_name(&new.display_name)?;
    password::check_policy("password", &new.password)?;
    let key = username_key(&username);
    let taken: bool =
        tx.query_row("SELECT EXISTS (SELECT 1 FROM staff WHERE username_key = ?1)", [&key], |r| r.get(0))?;
    if taken {
        return Err(CoreError::validation("username", "This user name is already in use. Choose another."));
    }
    let hash = password::hash(&new.password)?;
    let id = clinic.env.ids.new_id();
    let now = to_db_time(clinic.env.clock.now());
    let must_change_password = author.is_some();
    tx.execute(
        "INSERT INTO staff (id, username, username_key, display_name, role, password_hash, must_change_password,
                            created_at, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)",
        params![
            id.to_string(),
            username,
            key,
            display_name,
            new.role.as_str(),
            hash,
            must_change_password,
            now,
            author.map(|a| a.to_string())
        ],
    )?;
    let member =
        StaffMember { id, username, display_name, role: new.role, active: true, must_change_password, created_at: now };
    outbox::record(
        tx,
        clinic.env.ids.new_id(),
        clinic.env.clock.now(),
        &Mutation {
            name: "staff.create",
            v: 1,
            entity: "staff",
            entity_id: id,
            args: serde_json::json!({ "member": member, "password_hash": hash }),
            base_row_version: None,
            authored_by: author,
        },
    )?;
    Ok(member)
}

fn read_member(row: &rusqlite::Row<'_>) -> rusqlite::Result<(String, String, String, String, bool, bool, String)> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?))
}

fn to_member(raw: (String, String, String, String, bool, bool, String)) -> CoreResult<StaffMember> {
    let (id, username, display_name, role, active, must_change_password, created_at) = raw;
    Ok(StaffMember {
        id: Uuid::parse_str(&id).map_err(CoreError::internal)?,
        username,
        display_name,
        role: Role::parse(&role)?,
        active,
        must_change_password,
        created_at,
    })
}

const MEMBER_COLUMNS: &str = "id, username, display_name, role, active, must_change_password, created_at";

fn get_member(conn: &Connection, id: Uuid) -> CoreResult<StaffMember> {
    let sql = ["SELECT ", MEMBER_COLUMNS, " FROM staff WHERE id = ?1 AND deleted_at IS NULL"].concat();
    let raw = conn.query_row(&sql, [id.to_string()], read_member).optional()?;
    to_member(raw.ok_or_else(|| CoreError::not_found("This staff account does not exist."))?)
}

/// Adds a member of staff (administrators only).
pub fn create_staff(clinic: &Clinic, session: SessionId, new: &NewStaff) -> CoreResult<StaffMember> {
    let actor = clinic.authorize(session, Permission::StaffManage)?;
    clinic.write(|tx| {
        let member = insert_staff(clinic, tx, new, Some(actor.staff_id))?;
        clinic.audit_in(
            tx,
            &actor
                .event(AuditAction::StaffCreate, AuditOutcome::Success)
                .on("staff", member.id)
                .detail(member.role.as_str()),
        )?;
        Ok(member)
    })
}

/// Every account, active ones first, then by name.
pub fn list_staff(clinic: &Clinic, session: SessionId) -> CoreResult<Vec<StaffMember>> {
    clinic.authorize(session, Permission::StaffManage)?;
    clinic.read(|conn| {
        let sql =
            ["SELECT ", MEMBER_COLUMNS, " FROM staff WHERE deleted_at IS NULL ORDER BY active DESC, display_name"]
                .concat();
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map([], read_member)?.collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(to_member).collect()
    })
}

fn active_administrators(conn: &Connection) -> CoreResult<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM staff WHERE role = 'administrator' AND active = 1 AND deleted_at IS NULL",
        [],
        |r| r.get(0),
    )?)
}

fn last_admin_guard(conn: &Connection, member: &StaffMember) -> CoreResult<()> {
    if member.role == Role::Administrator && member.active && active_administrators(conn)? <= 1 {
        return Err(CoreError::conflict(
            "This is the only active administrator. Make another member of staff an administrator first.",
        ));
    }
    Ok(())
}

/// Writes a change to one staff row: bumps its version, queues it for sync.
fn update_member(
    clinic: &Clinic,
    tx: &Connection,
    id: Uuid,
    author: Uuid,
    set_sql: &str,
    values: &[&dyn rusqlite::ToSql],
    args: serde_json::Value,
) -> CoreResult<()> {
    let now = to_db_time(clinic.env.clock.now());
    let sql =
        ["UPDATE staff SET ", set_sql, ", row_version = row_version + 1, updated_at = ?, updated_by = ? WHERE id = ?"]
            .concat();
    let id_text = id.to_string();
    let author_text = author.to_string();
    let mut all: Vec<&dyn rusqlite::ToSql> = values.to_vec();
    all.extend([&now as &dyn rusqlite::ToSql, &author_text, &id_text]);
    tx.execute(&sql, all.as_slice())?;
    let version: i64 = tx.query_row("SELECT row_version FROM staff WHERE id = ?1", [&id_text], |r| r.get(0))?;
    outbox::record(
        tx,
        clinic.env.ids.new_id(),
        clinic.env.clock.now(),
        &Mutation {
            name: "staff.update",
            v: 1,
            entity: "staff",
            entity_id: id,
            args,
            base_row_version: Some(version - 1),
            authored_by: Some(author),
        },
    )
}

/// Changes a member's role. The last active administrator cannot be demoted.
pub fn change_role(clinic: &Clinic, session: SessionId, staff_id: Uuid, role: Role) -> CoreResult<StaffMember> {
    let actor = clinic.authorize(session, Permission::StaffManage)?;
    let member = clinic.write(|tx| {
        let member = get_member(tx, staff_id)?;
        if member.role == role {
            return Ok(member);
        }
        last_admin_guard(tx, &member)?;
        update_member(
            clinic,
            tx,
            staff_id,
            actor.staff_id,
            "role = ?",
            &[&role.as_str()],
            serde_json::json!({ "role": role }),
        )?;
        let detail = format!("{} -> {}", member.role.as_str(), role.as_str());
        clinic.audit_in(
            tx,
            &actor.event(AuditAction::StaffRoleChange, AuditOutcome::Success).on("staff", staff_id).detail(&detail),
        )?;
        get_member(tx, staff_id)
    })?;
    clinic.sessions.lock().map_err(|_| CoreError::internal("session table poisoned"))?.set_role_for(staff_id, role);
    Ok(member)
}

/// Deactivates an account: its sessions end at once; its history and audit entries stay.
pub fn deactivate_staff(clinic: &Clinic, session: SessionId, staff_id: Uuid) -> CoreResult<StaffMember> {
    let actor = clinic.authorize(session, Permission::StaffManage)?;
    let member = clinic.write(|tx| {
        let member = get_member(tx, staff_id)?;
        if !member.active {
            return Ok(member);
        }
        last_admin_guard(tx, &member)?;
        update_member(clinic, tx, staff_id, actor.staff_id, "active = 0", &[], serde_json::json!({ "active": false }))?;
        clinic.audit_in(tx, &actor.event(AuditAction::StaffDeactivate, AuditOutcome::Success).on("staff", staff_id))?;
        get_member(tx, staff_id)
    })?;
    clinic.sessions.lock().map_err(|_| CoreError::internal("session table poisoned"))?.end_all_for(staff_id);
    Ok(member)
}

/// Lets a deactivated member sign in again.
pub fn reactivate_staff(clinic: &Clinic, session: SessionId, staff_id: Uuid) -> CoreResult<StaffMember> {
    let actor = clinic.authorize(session, Permission::StaffManage)?;
    clinic.write(|tx| {
        let member = get_member(tx, staff_id)?;
        if member.active {
            return Ok(member);
        }
        update_member(clinic, tx, staff_id, actor.staff_id, "active = 1", &[], serde_json::json!({ "active": true }))?;
        clinic.audit_in(tx, &actor.event(AuditAction::StaffReactivate, AuditOutcome::Success).on("staff", staff_id))?;
        get_member(tx, staff_id)
    })
}

/// Sets a temporary password (the member must change it at next sign-in) and ends their sessions, so every
/// session of theirs starts again with the temporary password and its restriction.
pub fn reset_password(
    clinic: &Clinic,
    session: SessionId,
    staff_id: Uuid,
    temporary_password: &str,
) -> CoreResult<StaffMember> {
    let actor = clinic.authorize(session, Permission::StaffManage)?;
    password::check_policy("password", temporary_password)?;
    let hash = password::hash(temporary_password)?;
    let member = clinic.write(|tx| {
        get_member(tx, staff_id)?;
        update_member(
            clinic,
            tx,
            staff_id,
            actor.staff_id,
            "password_hash = ?, must_change_password = 1",
            &[&hash],
            serde_json::json!({ "password_hash": hash, "must_change_password": true }),
        )?;
        clinic.audit_in(tx, &actor.event(AuditAction::PasswordReset, AuditOutcome::Success).on("staff", staff_id))?;
        get_member(tx, staff_id)
    })?;
    clinic.sessions.lock().map_err(|_| CoreError::internal("session table poisoned"))?.end_all_for(staff_id);
    Ok(member)
}

/// Changes one's own password, proving the current one first. The one thing a session with an administrator's
/// temporary password may do (it needs no permission); afterwards that session may work.
pub fn change_own_password(clinic: &Clinic, session: SessionId, current: &str, new_password: &str) -> CoreResult<()> {
    let actor = clinic.touch(session)?;
    let stored: String = clinic.read(|conn| {
        Ok(conn
            .query_row("SELECT password_hash FROM staff WHERE id = ?1", [actor.staff_id.to_string()], |r| r.get(0))?)
    })?;
    if !password::verify(current, &stored) {
        clinic.audit_alone(
            &actor.event(AuditAction::PasswordChange, AuditOutcome::Failure).on("staff", actor.staff_id),
        )?;
        return Err(CoreError::validation("current_password", "Your current password is not right."));
    }
    if current == new_password {
        return Err(CoreError::validation("new_password", "Choose a password different from the current one."));
    }
    password::check_policy("new_password", new_password)?;
    let hash = password::hash(new_password)?;
    clinic.write(|tx| {
        update_member(
            clinic,
            tx,
            actor.staff_id,
            actor.staff_id,
            "password_hash = ?, must_change_password = 0",
            &[&hash],
            serde_json::json!({ "password_hash": hash, "must_change_password": false }),
        )?;
        clinic
            .audit_in(tx, &actor.event(AuditAction::PasswordChange, AuditOutcome::Success).on("staff", actor.staff_id))
    })?;
    clinic
        .sessions
        .lock()
        .map_err(|_| CoreError::internal("session table poisoned"))?
        .password_chosen_by(actor.staff_id);
    Ok(())
}
