//! Staff management for administrators.

use std::sync::Arc;

use clinic_core::accounts::{self, NewStaff, SessionId, StaffMember};
use clinic_core::rbac::Role;
use tauri::State;
use uuid::Uuid;

use super::blocking;
use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn list_staff(state: State<'_, Arc<AppState>>, session: SessionId) -> IpcResult<Vec<StaffMember>> {
    let state = state.inner().clone();
    blocking(move || Ok(accounts::list_staff(&*state.clinic()?, session)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn create_staff(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    staff: NewStaff,
) -> IpcResult<StaffMember> {
    let state = state.inner().clone();
    blocking(move || Ok(accounts::create_staff(&*state.clinic()?, session, &staff)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn change_staff_role(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    staff_id: Uuid,
    role: Role,
) -> IpcResult<StaffMember> {
    let state = state.inner().clone();
    blocking(move || Ok(accounts::change_role(&*state.clinic()?, session, staff_id, role)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn deactivate_staff(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    staff_id: Uuid,
) -> IpcResult<StaffMember> {
    let state = state.inner().clone();
    blocking(move || Ok(accounts::deactivate_staff(&*state.clinic()?, session, staff_id)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn reactivate_staff(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    staff_id: Uuid,
) -> IpcResult<StaffMember> {
    let state = state.inner().clone();
    blocking(move || Ok(accounts::reactivate_staff(&*state.clinic()?, session, staff_id)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn reset_staff_password(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    staff_id: Uuid,
    temporary_password: String,
) -> IpcResult<StaffMember> {
    let state = state.inner().clone();
    blocking(move || Ok(accounts::reset_password(&*state.clinic()?, session, staff_id, &temporary_password)?)).await
}
