//! "Your patient has arrived": the signed-in clinician's new arrivals since the last call, notified on the desktop
//! and returned for the in-app message (see [`crate::arrivals`]).

use std::sync::Arc;

use clinic_core::accounts::SessionId;
use clinic_core::scheduling::views::AppointmentCard;
use tauri::State;

use super::blocking;
use crate::arrivals::notify_all;
use crate::error::IpcResult;
use crate::state::AppState;

/// Patients of the signed-in clinician checked in since the last call (none on a session's first call).
#[tauri::command]
#[specta::specta]
pub async fn check_arrivals(state: State<'_, Arc<AppState>>, session: SessionId) -> IpcResult<Vec<AppointmentCard>> {
    let state = state.inner().clone();
    blocking(move || {
        let arrivals = state.arrivals.new_arrivals(&*state.clinic()?, session)?;
        notify_all(&*state.notifier, &arrivals);
        Ok(arrivals)
    })
    .await
}
