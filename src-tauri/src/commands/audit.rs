//! The audit trail viewer for administrators.

use std::sync::Arc;

use clinic_core::accounts::SessionId;
use clinic_core::audit::{self, AuditEntry, AuditFilter, ChainReport};
use tauri::State;

use super::blocking;
use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn list_audit(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    filter: AuditFilter,
) -> IpcResult<Vec<AuditEntry>> {
    let state = state.inner().clone();
    blocking(move || Ok(audit::list(&*state.clinic()?, session, &filter)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn verify_audit(state: State<'_, Arc<AppState>>, session: SessionId) -> IpcResult<ChainReport> {
    let state = state.inner().clone();
    blocking(move || Ok(audit::verify(&*state.clinic()?, session)?)).await
}
