//! Sync with the clinic server: status, "sync now", enrolling this computer, review items and refused changes.

use std::sync::Arc;

use clinic_core::accounts::SessionId;
use clinic_core::sync::{
    self, Enrollment, HttpTransport, RejectedMutation, ReviewDecision, ReviewItemView, SyncOptions, SyncReport,
    SyncStatus,
};
use tauri::State;
use uuid::Uuid;

use super::blocking;
use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn sync_status(state: State<'_, Arc<AppState>>, session: SessionId) -> IpcResult<SyncStatus> {
    let state = state.inner().clone();
    blocking(move || Ok(sync::status(&*state.clinic()?, session)?)).await
}

/// Syncs now and says how it went; a problem (offline, revoked…) comes back as the error to show.
#[tauri::command]
#[specta::specta]
pub async fn sync_now(state: State<'_, Arc<AppState>>, session: SessionId) -> IpcResult<SyncReport> {
    let state = state.inner().clone();
    blocking(move || {
        let clinic = state.clinic()?;
        Ok(sync::sync_now(&clinic, session, &HttpTransport::new(), &*state.credentials, &SyncOptions::default())?)
    })
    .await
}

/// Enrolls this computer with a clinic server (administrators), then starts syncing at once.
#[tauri::command]
#[specta::specta]
pub async fn enroll_device(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    server_url: String,
    code: String,
    device_name: String,
) -> IpcResult<Enrollment> {
    let state = state.inner().clone();
    blocking(move || {
        let clinic = state.clinic()?;
        let transport = HttpTransport::new();
        let enrolled =
            sync::enroll(&clinic, session, &transport, &*state.credentials, &server_url, &code, &device_name)?;
        state.sync_waker.wake();
        Ok(enrolled)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn list_review_items(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    include_closed: bool,
) -> IpcResult<Vec<ReviewItemView>> {
    let state = state.inner().clone();
    blocking(move || Ok(sync::list_review_items(&*state.clinic()?, session, include_closed)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn resolve_review_item(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    id: Uuid,
    decision: ReviewDecision,
    resolution: String,
) -> IpcResult<ReviewItemView> {
    let state = state.inner().clone();
    blocking(move || {
        let item = sync::resolve_review_item(&*state.clinic()?, session, id, decision, &resolution)?;
        state.sync_waker.wake();
        Ok(item)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn list_rejected_changes(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
) -> IpcResult<Vec<RejectedMutation>> {
    let state = state.inner().clone();
    blocking(move || Ok(sync::list_rejected_mutations(&*state.clinic()?, session)?)).await
}

/// Sends a refused change again (after its cause was fixed, e.g. the app updated).
#[tauri::command]
#[specta::specta]
pub async fn retry_rejected_change(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    device_seq: u32,
) -> IpcResult<()> {
    let state = state.inner().clone();
    blocking(move || {
        sync::retry_rejected_mutation(&*state.clinic()?, session, i64::from(device_seq))?;
        state.sync_waker.wake();
        Ok(())
    })
    .await
}

/// Gives up a refused change, saying why (kept in the audit trail).
#[tauri::command]
#[specta::specta]
pub async fn discard_rejected_change(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    device_seq: u32,
    reason: String,
) -> IpcResult<()> {
    let state = state.inner().clone();
    blocking(move || Ok(sync::discard_rejected_mutation(&*state.clinic()?, session, i64::from(device_seq), &reason)?))
        .await
}
