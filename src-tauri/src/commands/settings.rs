//! The clinic's settings.

use std::sync::Arc;

use clinic_core::accounts::SessionId;
use clinic_core::setup::{self, ClinicSettings};
use tauri::State;

use super::blocking;
use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn get_settings(state: State<'_, Arc<AppState>>, session: SessionId) -> IpcResult<ClinicSettings> {
    let state = state.inner().clone();
    blocking(move || Ok(setup::settings(&*state.clinic()?, session)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_settings(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    settings: ClinicSettings,
) -> IpcResult<ClinicSettings> {
    let state = state.inner().clone();
    blocking(move || Ok(setup::update_settings(&*state.clinic()?, session, &settings)?)).await
}
