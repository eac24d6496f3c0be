//! Signing in and out, locking and unlocking, with a growing delay after repeated failures.

use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use uuid::Uuid;

use super::password;
use super::sessions::{SessionId, SessionState, session_ended};
use crate::audit::{AuditAction, AuditEvent, AuditOutcome};
use crate::clock::{from_db_time, to_db_time};
use crate::rbac::{Permission, Role};
use crate::{Clinic, CoreError, CoreResult, ErrorCode};

/// Failed attempts allowed before each further attempt must wait.
pub const FREE_ATTEMPTS: i64 = 5;
/// The first wait; it doubles with each further failure.
const FIRST_DELAY_SECS: i64 = 30;
/// The longest wait.
const MAX_DELAY_SECS: i64 = 15 * 60;

/// What the UI needs after a successful sign-in. No secrets.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SessionInfo {
    pub session_id: SessionId,
    pub staff_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub permissions: Vec<Permission>,
    pub must_change_password: bool,
    pub idle_lock_minutes: u32,
}

/// The key a user name is looked up by: trimmed and lower-case, so "Amina" and "amina " are one account.
pub(crate) fn username_key(username: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    username.trim().nfc().collect::<String>().to_lowercase()
}

fn wrong_credentials() -> CoreError {
    CoreError::new(ErrorCode::Unauthenticated, "The user name or password is not right. Check them and try again.")
}

fn throttled(wait_secs: i64) -> CoreError {
    let wait =
        if wait_secs >= 120 { format!("{} minutes", (wait_secs + 59) / 60) } else { format!("{wait_secs} seconds") };
    CoreError::new(
        ErrorCode::Throttled,
        format!("Too many unsuccessful sign-ins with this user name. Wait {wait}, then try again."),
    )
}

struct StaffLogin {
    id: Uuid,
    username: String,
    display_name: String,
    role: Role,
    password_hash: String,
    active: bool,
    must_change_password: bool,
}

fn find_staff(conn: &Connection, key: &str) -> CoreResult<Option<StaffLogin>> {
    let row = conn
        .query_row(
            "SELECT id, username, display_name, role, password_hash, active, must_change_password
             FROM staff WHERE username_key = ?1 AND deleted_at IS NULL",
            [key],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, bool>(5)?,
                    r.get::<_, bool>(6)?,
                ))
            },
        )
        .optional()?;
    row.map(|(id, username, display_name, role, password_hash, active, must_change_password)| {
        Ok(StaffLogin {
            id: Uuid::parse_str(&id).map_err(CoreError::internal)?,
            username,
            display_name,
            role: Role::parse(&role)?,
            password_hash,
            active,
            must_change_password,
        })
    })
    .transpose()
}

/// Seconds still to wait before this user name may try again, if any.
fn remaining_block(conn: &Connection, key: &str, now: Timestamp) -> CoreResult<Option<i64>> {
    let blocked_until: Option<Option<String>> = conn
        .query_row("SELECT blocked_until FROM login_throttle WHERE username_key = ?1", [key], |r| r.get(0))
        .optional()?;
    match blocked_until.flatten() {
        Some(text) => {
            let until = from_db_time(&text)?;
            let secs = until.duration_since(now).as_secs();
            Ok((secs > 0).then_some(secs))
        }
        None => Ok(None),
    }
}

/// Counts a failure; from the fifth on, blocks further attempts for a doubling delay.
fn record_failure(conn: &Connection, key: &str, now: Timestamp) -> CoreResult<()> {
    let count: i64 = conn
        .query_row("SELECT failed_count FROM login_throttle WHERE username_key = ?1", [key], |r| r.get(0))
        .optional()?
        .unwrap_or(0)
        + 1;
    let blocked_until = (count >= FREE_ATTEMPTS).then(|| {
        let doublings = u32::try_from((count - FREE_ATTEMPTS).min(16)).unwrap_or(16);
        let delay = FIRST_DELAY_SECS.saturating_mul(1 << doublings).min(MAX_DELAY_SECS);
        to_db_time(now.saturating_add(SignedDuration::from_secs(delay)).unwrap_or(now))
    });
    conn.execute(
        "INSERT INTO login_throttle (username_key, failed_count, last_failed_at, blocked_until)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (username_key) DO UPDATE SET failed_count = ?2, last_failed_at = ?3, blocked_until = ?4",
        params![key, count, to_db_time(now), blocked_until],
    )?;
    Ok(())
}

/// Signs in. Unknown and known user names get the same answer and the same delay rules.
pub fn login(clinic: &Clinic, username: &str, password_text: &str) -> CoreResult<SessionInfo> {
    if username.trim().is_empty() {
        return Err(CoreError::validation("username", "Enter your user name."));
    }
    if password_text.is_empty() {
        return Err(CoreError::validation("password", "Enter your password."));
    }
    let key = username_key(username);
    let now = clinic.env.clock.now();
    let staff = clinic.read(|conn| find_staff(conn, &key))?;
    if let Some(wait) = clinic.read(|conn| remaining_block(conn, &key, now))? {
        clinic.write(|tx| {
            let mut event = AuditEvent::new(AuditAction::Login, AuditOutcome::Denied).detail("throttled");
            if let Some(s) = &staff {
                event = event.by(s.id, &s.username);
            }
            clinic.audit_in(tx, &event)
        })?;
        return Err(throttled(wait));
    }
    let hash = staff.as_ref().map(|s| s.password_hash.as_str()).unwrap_or_else(|| password::decoy_hash());
    let matches = password::verify(password_text, hash) && staff.is_some();
    let Some(staff) = staff.filter(|_| matches) else {
        let known = clinic.read(|conn| find_staff(conn, &key))?;
        clinic.write(|tx| {
            record_failure(tx, &key, now)?;
            let event = match &known {
                Some(s) => AuditEvent::new(AuditAction::Login, AuditOutcome::Failure)
                    .by(s.id, &s.username)
                    .detail("wrong password"),
                None => AuditEvent::new(AuditAction::Login, AuditOutcome::Failure).detail("unknown user name"),
            };
            clinic.audit_in(tx, &event)
        })?;
        return Err(wrong_credentials());
    };
    if !staff.active {
        clinic.audit_alone(
            &AuditEvent::new(AuditAction::Login, AuditOutcome::Denied)
                .by(staff.id, &staff.username)
                .detail("deactivated"),
        )?;
        return Err(CoreError::forbidden("This account has been deactivated. Ask an administrator to reactivate it."));
    }
    let rehash = if password::needs_rehash(&staff.password_hash) { Some(password::hash(password_text)?) } else { None };
    let session_id = SessionId(clinic.env.ids.new_id());
    clinic.write(|tx| {
        tx.execute("DELETE FROM login_throttle WHERE username_key = ?1", [&key])?;
        if let Some(new_hash) = &rehash {
            tx.execute("UPDATE staff SET password_hash = ?1 WHERE id = ?2", params![new_hash, staff.id.to_string()])?;
        }
        clinic.audit_in(tx, &AuditEvent::new(AuditAction::Login, AuditOutcome::Success).by(staff.id, &staff.username))
    })?;
    clinic.sessions.lock().map_err(|_| CoreError::internal("session table poisoned"))?.insert(
        session_id,
        SessionState {
            staff_id: staff.id,
            username: staff.username.clone(),
            role: staff.role,
            last_active: now,
            locked: false,
            must_change_password: staff.must_change_password,
        },
    );
    Ok(SessionInfo {
        session_id,
        staff_id: staff.id,
        username: staff.username,
        display_name: staff.display_name,
        role: staff.role,
        permissions: Permission::ALL.into_iter().filter(|p| staff.role.can(*p)).collect(),
        must_change_password: staff.must_change_password,
        idle_lock_minutes: clinic.idle_lock_minutes(),
    })
}

/// Signs out and forgets the session.
pub fn logout(clinic: &Clinic, session: SessionId) -> CoreResult<()> {
    let state = clinic.sessions.lock().map_err(|_| CoreError::internal("session table poisoned"))?.remove(session);
    let state = state.ok_or_else(session_ended)?;
    clinic.audit_alone(&AuditEvent::new(AuditAction::Logout, AuditOutcome::Success).by(state.staff_id, &state.username))
}

/// Locks the session now (the person steps away); unlocking asks for the password.
pub fn lock(clinic: &Clinic, session: SessionId) -> CoreResult<()> {
    let (staff_id, username) = {
        let mut table = clinic.sessions.lock().map_err(|_| CoreError::internal("session table poisoned"))?;
        let state = table.get_mut(session).ok_or_else(session_ended)?;
        state.locked = true;
        (state.staff_id, state.username.clone())
    };
    clinic.audit_alone(
        &AuditEvent::new(AuditAction::SessionLock, AuditOutcome::Success).by(staff_id, &username).detail("manual"),
    )
}

/// Unlocks a locked session with the same person's password. Failures count towards the sign-in delay.
pub fn unlock(clinic: &Clinic, session: SessionId, password_text: &str) -> CoreResult<()> {
    if password_text.is_empty() {
        return Err(CoreError::validation("password", "Enter your password."));
    }
    let (staff_id, username) = {
        let mut table = clinic.sessions.lock().map_err(|_| CoreError::internal("session table poisoned"))?;
        let state = table.get_mut(session).ok_or_else(session_ended)?;
        (state.staff_id, state.username.clone())
    };
    let key = username_key(&username);
    let now = clinic.env.clock.now();
    if let Some(wait) = clinic.read(|conn| remaining_block(conn, &key, now))? {
        return Err(throttled(wait));
    }
    let staff = clinic.read(|conn| find_staff(conn, &key))?.filter(|s| s.id == staff_id && s.active);
    let Some(staff) = staff else {
        clinic.sessions.lock().map_err(|_| CoreError::internal("session table poisoned"))?.remove(session);
        return Err(session_ended());
    };
    if !password::verify(password_text, &staff.password_hash) {
        clinic.write(|tx| {
            record_failure(tx, &key, now)?;
            clinic.audit_in(
                tx,
                &AuditEvent::new(AuditAction::SessionUnlock, AuditOutcome::Failure).by(staff_id, &username),
            )
        })?;
        return Err(CoreError::validation("password", "That password is not right. Try again."));
    }
    clinic.write(|tx| {
        tx.execute("DELETE FROM login_throttle WHERE username_key = ?1", [&key])?;
        clinic.audit_in(tx, &AuditEvent::new(AuditAction::SessionUnlock, AuditOutcome::Success).by(staff_id, &username))
    })?;
    let mut table = clinic.sessions.lock().map_err(|_| CoreError::internal("session table poisoned"))?;
    let state = table.get_mut(session).ok_or_else(session_ended)?;
    state.locked = false;
    state.last_active = now;
    Ok(())
}
