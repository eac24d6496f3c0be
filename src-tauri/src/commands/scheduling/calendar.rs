//! Exports a clinician's calendar as an `.ics` file the person places in a native save dialog (the web view
//! never names a path).

use std::sync::Arc;

use clinic_core::CoreError;
use clinic_core::accounts::SessionId;
use clinic_core::scheduling::ical;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::DialogExt;
use uuid::Uuid;

use super::super::blocking;
use super::local;
use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

/// Writes the clinician's appointments between two local days (both included) as iCalendar; the saved path,
/// or `None` if the person cancels. The calendar is made (and audited) only once a path is chosen.
#[tauri::command]
#[specta::specta]
pub async fn export_calendar<R: Runtime>(
    app: AppHandle<R>,
    session: SessionId,
    clinician_id: Uuid,
    from: String,
    to: String,
) -> IpcResult<Option<String>> {
    blocking(move || {
        let state = app.state::<Arc<AppState>>().inner().clone();
        let clinic = state.clinic()?;
        let (from_day, to_day) = (local("from", &from)?, local("to", &to)?);
        // Checked before the dialog opens, so a refusal never follows a chosen file.
        clinic.authorize(session, clinic_core::rbac::Permission::AppointmentRead)?;
        let Some(picked) = app
            .dialog()
            .file()
            .set_title("Export the calendar")
            .set_file_name(format!("calendar-{from}-{to}.ics"))
            .add_filter("iCalendar", &["ics"])
            .blocking_save_file()
        else {
            return Ok(None);
        };
        let path = picked.into_path().map_err(IpcError::internal)?;
        let text = ical::export_calendar(&clinic, session, clinician_id, from_day, to_day)?;
        std::fs::write(&path, text).map_err(|e| {
            CoreError::unavailable("The file could not be written there. Choose another name or folder.").with_source(e)
        })?;
        Ok(Some(path.display().to_string()))
    })
    .await
}
