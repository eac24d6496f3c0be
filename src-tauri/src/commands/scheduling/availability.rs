//! Clinicians' availability: weekly templates, extra sessions, closures, and leave (request, decide, affected).

use std::sync::Arc;

use clinic_core::accounts::SessionId;
use clinic_core::scheduling::AffectedAppointment;
use clinic_core::scheduling::availability::{self, Closure, ClosureAdded, ExtraSession, WeeklyTemplate, WorkingPeriod};
use clinic_core::scheduling::leave::{self, LeaveApproval, LeaveDraft, LeaveRequest, LeaveStatus};
use tauri::State;
use uuid::Uuid;

use super::super::blocking;
use super::local;
use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn get_weekly_template(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    clinician_id: Uuid,
) -> IpcResult<WeeklyTemplate> {
    let state = state.inner().clone();
    blocking(move || Ok(availability::weekly_template(&*state.clinic()?, session, clinician_id)?)).await
}

/// Replaces a clinician's weekly template; a bad line is refused on `periods[i]`.
#[tauri::command]
#[specta::specta]
pub async fn set_weekly_template(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    clinician_id: Uuid,
    periods: Vec<WorkingPeriod>,
) -> IpcResult<WeeklyTemplate> {
    let state = state.inner().clone();
    blocking(move || Ok(availability::set_weekly_template(&*state.clinic()?, session, clinician_id, &periods)?)).await
}

/// A clinician's extra sessions starting between two local days (both included).
#[tauri::command]
#[specta::specta]
pub async fn list_extra_sessions(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    clinician_id: Uuid,
    from: String,
    to: String,
) -> IpcResult<Vec<ExtraSession>> {
    let state = state.inner().clone();
    blocking(move || {
        let (from, to) = (local("from", &from)?, local("to", &to)?);
        Ok(availability::list_extra_sessions(&*state.clinic()?, session, clinician_id, from, to)?)
    })
    .await
}

/// Hours worked outside the template; `start`/`end` are local date-times.
#[tauri::command]
#[specta::specta]
pub async fn add_extra_session(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    clinician_id: Uuid,
    start: String,
    end: String,
    note: String,
) -> IpcResult<ExtraSession> {
    let state = state.inner().clone();
    blocking(move || {
        let (start, end) = (local("start", &start)?, local("end", &end)?);
        Ok(availability::add_extra_session(&*state.clinic()?, session, clinician_id, start, end, &note)?)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn remove_extra_session(state: State<'_, Arc<AppState>>, session: SessionId, id: Uuid) -> IpcResult<()> {
    let state = state.inner().clone();
    blocking(move || Ok(availability::remove_extra_session(&*state.clinic()?, session, id)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_closures(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    from: String,
    to: String,
) -> IpcResult<Vec<Closure>> {
    let state = state.inner().clone();
    blocking(move || {
        let (from, to) = (local("from", &from)?, local("to", &to)?);
        Ok(availability::list_closures(&*state.clinic()?, session, from, to)?)
    })
    .await
}

/// Closes the clinic for a local day; answers the appointments booked that day (nothing is cancelled).
#[tauri::command]
#[specta::specta]
pub async fn add_closure(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    day: String,
    name: String,
) -> IpcResult<ClosureAdded> {
    let state = state.inner().clone();
    blocking(move || Ok(availability::add_closure(&*state.clinic()?, session, local("day", &day)?, &name)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn remove_closure(state: State<'_, Arc<AppState>>, session: SessionId, id: Uuid) -> IpcResult<()> {
    let state = state.inner().clone();
    blocking(move || Ok(availability::remove_closure(&*state.clinic()?, session, id)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn request_leave(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    draft: LeaveDraft,
) -> IpcResult<LeaveRequest> {
    let state = state.inner().clone();
    blocking(move || Ok(leave::request_leave(&*state.clinic()?, session, &draft)?)).await
}

/// Approves leave; answers the appointments it covers, still booked, for reception to move or cancel.
#[tauri::command]
#[specta::specta]
pub async fn approve_leave(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    id: Uuid,
    note: String,
) -> IpcResult<LeaveApproval> {
    let state = state.inner().clone();
    blocking(move || Ok(leave::approve_leave(&*state.clinic()?, session, id, &note)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn reject_leave(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    id: Uuid,
    note: String,
) -> IpcResult<LeaveRequest> {
    let state = state.inner().clone();
    blocking(move || Ok(leave::reject_leave(&*state.clinic()?, session, id, &note)?)).await
}

/// Leave requests, newest first, optionally of one status or one clinician.
#[tauri::command]
#[specta::specta]
pub async fn list_leave(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    status: Option<LeaveStatus>,
    clinician_id: Option<Uuid>,
) -> IpcResult<Vec<LeaveRequest>> {
    let state = state.inner().clone();
    blocking(move || Ok(leave::list_leave(&*state.clinic()?, session, status, clinician_id)?)).await
}

/// The appointments a leave request covers, before or after approval.
#[tauri::command]
#[specta::specta]
pub async fn affected_by_leave(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    id: Uuid,
) -> IpcResult<Vec<AffectedAppointment>> {
    let state = state.inner().clone();
    blocking(move || Ok(leave::affected_by_leave(&*state.clinic()?, session, id)?)).await
}
