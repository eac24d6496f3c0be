//! Signing in and out, locking, unlocking, keeping the session alive, changing one's password.

use std::sync::Arc;

use clinic_core::accounts::{self, SessionId, SessionInfo};
use tauri::State;

use super::blocking;
use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn login(state: State<'_, Arc<AppState>>, username: String, password: String) -> IpcResult<SessionInfo> {
    let state = state.inner().clone();
    blocking(move || Ok(accounts::login(&*state.clinic()?, &username, &password)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn logout(state: State<'_, Arc<AppState>>, session: SessionId) -> IpcResult<()> {
    let state = state.inner().clone();
    blocking(move || Ok(accounts::logout(&*state.clinic()?, session)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn lock_session(state: State<'_, Arc<AppState>>, session: SessionId) -> IpcResult<()> {
    let state = state.inner().clone();
    blocking(move || Ok(accounts::lock(&*state.clinic()?, session)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn unlock_session(state: State<'_, Arc<AppState>>, session: SessionId, password: String) -> IpcResult<()> {
    let state = state.inner().clone();
    blocking(move || Ok(accounts::unlock(&*state.clinic()?, session, &password)?)).await
}

/// Called on keyboard and mouse activity; fails with `locked` once the idle limit has passed.
#[tauri::command]
#[specta::specta]
pub async fn touch_session(state: State<'_, Arc<AppState>>, session: SessionId) -> IpcResult<()> {
    let state = state.inner().clone();
    blocking(move || {
        state.clinic()?.touch(session)?;
        Ok(())
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn change_own_password(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    current_password: String,
    new_password: String,
) -> IpcResult<()> {
    let state = state.inner().clone();
    blocking(move || Ok(accounts::change_own_password(&*state.clinic()?, session, &current_password, &new_password)?))
        .await
}
