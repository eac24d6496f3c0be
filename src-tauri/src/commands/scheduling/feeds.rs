//! Calendar subscription links (ADR 12): make, show again, stop and list the secret addresses a clinician pastes
//! into Google Calendar, Outlook or Apple Calendar. Core checks who may (administrators for any doctor or nurse,
//! a clinician for themselves) and that this computer is joined to a clinic server.

use std::sync::Arc;

use clinic_core::accounts::SessionId;
use clinic_core::scheduling::feeds::{self, CalendarFeed, FeedLink};
use tauri::State;
use uuid::Uuid;

use super::super::blocking;
use crate::error::IpcResult;
use crate::state::AppState;

/// Makes a new link for the clinician; their previous link stops working.
#[tauri::command]
#[specta::specta]
pub async fn issue_calendar_feed(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    clinician_id: Uuid,
) -> IpcResult<FeedLink> {
    let state = state.inner().clone();
    blocking(move || Ok(feeds::issue(&*state.clinic()?, session, clinician_id)?)).await
}

/// The clinician's live link if it was made on this computer (only this one can show it again), else `None`.
#[tauri::command]
#[specta::specta]
pub async fn calendar_feed_link(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    clinician_id: Uuid,
) -> IpcResult<Option<FeedLink>> {
    let state = state.inner().clone();
    blocking(move || Ok(feeds::current_link(&*state.clinic()?, session, clinician_id)?)).await
}

/// Stops the clinician's link, including one made on another computer (on the server at the next sync).
#[tauri::command]
#[specta::specta]
pub async fn revoke_calendar_feed(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    clinician_id: Uuid,
) -> IpcResult<()> {
    let state = state.inner().clone();
    blocking(move || Ok(feeds::revoke(&*state.clinic()?, session, clinician_id)?)).await
}

/// The links made on this computer, newest first: everyone's for an administrator, one's own for a clinician.
#[tauri::command]
#[specta::specta]
pub async fn list_calendar_feeds(state: State<'_, Arc<AppState>>, session: SessionId) -> IpcResult<Vec<CalendarFeed>> {
    let state = state.inner().clone();
    blocking(move || Ok(feeds::list(&*state.clinic()?, session)?)).await
}
