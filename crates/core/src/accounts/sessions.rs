//! Signed-in sessions held in memory, the idle lock, and the permission check every operation starts with.

use std::collections::HashMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::audit::{AuditAction, AuditEvent, AuditOutcome};
use crate::rbac::{Permission, Role};
use crate::{Clinic, CoreError, CoreResult, ErrorCode};

/// An opaque session token handed to the UI after sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(transparent)]
pub struct SessionId(pub Uuid);

#[derive(Debug, Clone)]
pub(crate) struct SessionState {
    pub staff_id: Uuid,
    pub username: String,
    pub role: Role,
    pub last_active: Timestamp,
    pub locked: bool,
    /// The account still has the temporary password an administrator gave it: nothing is allowed until the
    /// person chooses their own (see [`Clinic::authorize`]).
    pub must_change_password: bool,
}

/// Sessions of this running app. Not persisted: after a restart everyone signs in again.
#[derive(Debug, Default)]
pub(crate) struct SessionTable {
    sessions: HashMap<SessionId, SessionState>,
}

impl SessionTable {
    pub fn insert(&mut self, id: SessionId, state: SessionState) {
        self.sessions.insert(id, state);
    }

    pub fn get_mut(&mut self, id: SessionId) -> Option<&mut SessionState> {
        self.sessions.get_mut(&id)
    }

    pub fn remove(&mut self, id: SessionId) -> Option<SessionState> {
        self.sessions.remove(&id)
    }

    /// Ends every session of one member of staff (deactivation, password reset).
    pub fn end_all_for(&mut self, staff_id: Uuid) -> usize {
        let before = self.sessions.len();
        self.sessions.retain(|_, s| s.staff_id != staff_id);
        before - self.sessions.len()
    }

    /// Lifts the first-password restriction from every session of one member of staff, once they have chosen
    /// their own password.
    pub fn password_chosen_by(&mut self, staff_id: Uuid) {
        self.sessions.values_mut().filter(|s| s.staff_id == staff_id).for_each(|s| s.must_change_password = false);
    }

    /// Changes the role of a signed-in member of staff, so a role change applies at once.
    pub fn set_role_for(&mut self, staff_id: Uuid, role: Role) {
        self.sessions.values_mut().filter(|s| s.staff_id == staff_id).for_each(|s| s.role = role);
    }
}

/// Who is acting, once their session and permission are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub staff_id: Uuid,
    pub username: String,
    pub role: Role,
    pub session: SessionId,
}

impl Actor {
    /// An audit event already marked with this actor.
    pub(crate) fn event(&self, action: AuditAction, outcome: AuditOutcome) -> AuditEvent<'_> {
        AuditEvent::new(action, outcome).by(self.staff_id, &self.username)
    }
}

pub(crate) fn session_ended() -> CoreError {
    CoreError::new(ErrorCode::Unauthenticated, "Your session has ended. Sign in again.")
}

pub(crate) fn session_locked() -> CoreError {
    CoreError::new(ErrorCode::Locked, "The screen is locked. Enter your password to continue.")
}

fn password_change_required() -> CoreError {
    CoreError::forbidden(
        "Choose a new password before doing anything else: this account was given a temporary password by an \
         administrator.",
    )
}

impl Clinic {
    /// Checks the session (signed in, not locked, not idle too long, its own password chosen) and the role's
    /// permission, and counts the call as activity. Idle locks and refusals are audited.
    ///
    /// A session whose account still has an administrator's temporary password is refused every permission:
    /// what it may still do (change its own password, sign out, lock, read the clinic settings) goes through
    /// [`Clinic::touch`] or needs no check.
    pub fn authorize(&self, session: SessionId, permission: Permission) -> CoreResult<Actor> {
        self.authorize_with(session, permission, true)
    }

    /// Like [`Clinic::authorize`], but not counted as activity: for what a screen polls on a timer (the sync
    /// status), so polling never keeps an unattended session from locking.
    pub fn authorize_without_activity(&self, session: SessionId, permission: Permission) -> CoreResult<Actor> {
        self.authorize_with(session, permission, false)
    }

    fn authorize_with(&self, session: SessionId, permission: Permission, activity: bool) -> CoreResult<Actor> {
        let (actor, must_change_password) = self.active_session(session, activity)?;
        if must_change_password {
            let detail = format!("{permission:?}: temporary password not yet changed");
            self.audit_alone(&actor.event(AuditAction::AccessDenied, AuditOutcome::Denied).detail(&detail))?;
            return Err(password_change_required());
        }
        if !actor.role.can(permission) {
            let detail = format!("{permission:?}");
            self.audit_alone(&actor.event(AuditAction::AccessDenied, AuditOutcome::Denied).detail(&detail))?;
            return Err(CoreError::forbidden(permission.refusal()));
        }
        Ok(actor)
    }

    /// Records activity without needing any permission (keyboard or mouse use in the app),
    /// so the idle lock counts from the last thing the person did. Allowed before a first password is chosen.
    pub fn touch(&self, session: SessionId) -> CoreResult<Actor> {
        Ok(self.active_session(session, true)?.0)
    }

    /// The session's actor, and whether it must still choose its own password.
    fn active_session(&self, session: SessionId, activity: bool) -> CoreResult<(Actor, bool)> {
        let now = self.env.clock.now();
        let idle_limit = i64::from(self.idle_lock_minutes()) * 60;
        let mut table = self.sessions.lock().map_err(|_| CoreError::internal("session table poisoned"))?;
        let state = table.get_mut(session).ok_or_else(session_ended)?;
        if state.locked {
            return Err(session_locked());
        }
        let idle_secs = now.duration_since(state.last_active).as_secs();
        if idle_secs >= idle_limit {
            state.locked = true;
            let (staff_id, username) = (state.staff_id, state.username.clone());
            drop(table);
            self.audit_alone(
                &AuditEvent::new(AuditAction::SessionLock, AuditOutcome::Success)
                    .by(staff_id, &username)
                    .detail("idle"),
            )?;
            return Err(session_locked());
        }
        if activity {
            state.last_active = now;
        }
        let actor = Actor { staff_id: state.staff_id, username: state.username.clone(), role: state.role, session };
        Ok((actor, state.must_change_password))
    }
}
