//! The waitlist: add, list, remove, and the offers made when time frees up (book or skip).

use std::sync::Arc;

use clinic_core::accounts::SessionId;
use clinic_core::scheduling::BookOutcome;
use clinic_core::scheduling::waitlist::{self, WaitlistDraft, WaitlistEntry};
use tauri::State;
use uuid::Uuid;

use super::super::blocking;
use super::local;
use crate::error::IpcResult;
use crate::state::AppState;

/// Waiting entries, first come first.
#[tauri::command]
#[specta::specta]
pub async fn list_waitlist(state: State<'_, Arc<AppState>>, session: SessionId) -> IpcResult<Vec<WaitlistEntry>> {
    let state = state.inner().clone();
    blocking(move || Ok(waitlist::list_waitlist(&*state.clinic()?, session)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn add_to_waitlist(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    draft: WaitlistDraft,
) -> IpcResult<WaitlistEntry> {
    let state = state.inner().clone();
    blocking(move || Ok(waitlist::add_to_waitlist(&*state.clinic()?, session, &draft)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn remove_from_waitlist(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    id: Uuid,
) -> IpcResult<WaitlistEntry> {
    let state = state.inner().clone();
    blocking(move || Ok(waitlist::remove_from_waitlist(&*state.clinic()?, session, id)?)).await
}

/// Passes an offer by; the entry keeps its place for the next one.
#[tauri::command]
#[specta::specta]
pub async fn skip_waitlist_offer(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    id: Uuid,
) -> IpcResult<WaitlistEntry> {
    let state = state.inner().clone();
    blocking(move || Ok(waitlist::skip_offer(&*state.clinic()?, session, id)?)).await
}

/// Books an offer (local `start`) under the normal rules and closes the entry.
#[tauri::command]
#[specta::specta]
pub async fn book_from_waitlist(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    id: Uuid,
    clinician_id: Uuid,
    start: String,
    confirm_overbooking: bool,
) -> IpcResult<BookOutcome> {
    let state = state.inner().clone();
    blocking(move || {
        let start = local("start", &start)?;
        Ok(waitlist::book_from_waitlist(&*state.clinic()?, session, id, clinician_id, start, confirm_overbooking)?)
    })
    .await
}
