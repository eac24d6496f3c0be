//! Commands that read or write a file the person picks in a native dialog: backups, restore,
//! the recovery sheet, the audit CSV. The dialog is opened from Rust, so the web view never
//! gets file-system access or chooses a path itself.

use std::path::PathBuf;
use std::sync::Arc;

use clinic_core::accounts::SessionId;
use clinic_core::audit::{self, AuditFilter};
use clinic_core::keys::{DatabaseKey, RecoveryKey};
use clinic_core::rbac::Permission;
use clinic_core::store::{self, BackupKey};
use clinic_core::{Clinic, CoreError, recovery_sheet};
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::DialogExt;

use super::blocking;
use crate::error::{IpcError, IpcResult};
use crate::state::{AppState, AppStatus};

/// A finished backup. `backup_key` is set only for a backup under a new key: show it once.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct BackupDone {
    pub path: String,
    #[specta(type = specta_typescript::Number)]
    pub bytes: f64,
    pub backup_key: Option<String>,
}

/// A written export.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ExportDone {
    pub path: String,
    pub entries: u32,
}

fn save_dialog<R: Runtime>(
    app: &AppHandle<R>,
    title: &str,
    file_name: &str,
    filter: (&str, &[&str]),
) -> IpcResult<Option<PathBuf>> {
    let picked = app
        .dialog()
        .file()
        .set_title(title)
        .set_file_name(file_name)
        .add_filter(filter.0, filter.1)
        .blocking_save_file();
    picked.map(|p| p.into_path().map_err(IpcError::internal)).transpose()
}

fn state_of<R: Runtime>(app: &AppHandle<R>) -> Arc<AppState> {
    app.state::<Arc<AppState>>().inner().clone()
}

fn today(state: &AppState) -> String {
    state.env.clock.now().strftime("%Y-%m-%d").to_string()
}

/// Makes an encrypted backup where the person chooses (a USB stick). `None` if they cancel.
#[tauri::command]
#[specta::specta]
pub async fn create_backup<R: Runtime>(
    app: AppHandle<R>,
    session: SessionId,
    new_key: bool,
) -> IpcResult<Option<BackupDone>> {
    blocking(move || {
        let state = state_of(&app);
        let clinic = state.clinic()?;
        clinic.authorize(session, Permission::BackupRestore)?;
        let name = format!("clinic-desk-backup-{}.cdbk", today(&state));
        let Some(path) = save_dialog(&app, "Save an encrypted backup", &name, ("Clinic Desk backup", &["cdbk"]))?
        else {
            return Ok(None);
        };
        let database_key =
            state.keys.load()?.ok_or_else(|| CoreError::unavailable("The database key is not in the keychain."))?;
        let key = if new_key { BackupKey::NewKey } else { BackupKey::SameAsDatabase(&database_key) };
        let summary = store::create_backup(&clinic, session, &path, key)?;
        Ok(Some(BackupDone {
            path: summary.path.display().to_string(),
            bytes: summary.bytes as f64,
            backup_key: summary.backup_key.map(|k| k.as_str().to_owned()),
        }))
    })
    .await
}

/// Replaces the database with a backup the person picks. With a database open, only an administrator
/// may do this; with none (damaged and set aside, or a new computer), knowing the backup's key is enough.
/// `backup_key` is the key the backup was made under, if it is not the database's own.
#[tauri::command]
#[specta::specta]
pub async fn restore_backup<R: Runtime>(
    app: AppHandle<R>,
    session: Option<SessionId>,
    backup_key: Option<String>,
) -> IpcResult<Option<AppStatus>> {
    blocking(move || {
        let state = state_of(&app);
        if let Ok(clinic) = state.clinic() {
            let session =
                session.ok_or_else(|| CoreError::forbidden("Sign in as an administrator to restore a backup."))?;
            clinic.authorize(session, Permission::BackupRestore)?;
        }
        let Some(picked) = app
            .dialog()
            .file()
            .set_title("Choose a backup to restore")
            .add_filter("Clinic Desk backup", &["cdbk"])
            .blocking_pick_file()
        else {
            return Ok(None);
        };
        let backup = picked.into_path().map_err(IpcError::internal)?;
        let database_key = match state.keys.load()? {
            Some(key) => key,
            None => {
                let key = DatabaseKey::generate()?;
                state.keys.save(&key)?;
                key
            }
        };
        let backup_key = match backup_key.filter(|k| !k.trim().is_empty()) {
            Some(typed) => RecoveryKey::parse(&typed)?.to_database_key()?,
            None => DatabaseKey::from_bytes(database_key.as_bytes()).ok_or_else(|| IpcError::internal("key copy"))?,
        };
        state.set_clinic(None)?;
        store::restore_backup(&state.data, &backup, &backup_key, &database_key, state.env.clone())?;
        let clinic = Clinic::unlock(&state.data, state.keys.as_ref(), state.env.clone())?;
        state.set_clinic(Some(clinic))?;
        Ok(Some(state.status()?))
    })
    .await
}

/// Saves the printable recovery sheet (PDF) where the person chooses. `None` if they cancel.
#[tauri::command]
#[specta::specta]
pub async fn export_recovery_sheet<R: Runtime>(app: AppHandle<R>, session: SessionId) -> IpcResult<Option<String>> {
    blocking(move || {
        let state = state_of(&app);
        let clinic = state.clinic()?;
        clinic.authorize(session, Permission::BackupRestore)?;
        let Some(path) =
            save_dialog(&app, "Save the recovery sheet", "clinic-desk-recovery-sheet.pdf", ("PDF", &["pdf"]))?
        else {
            return Ok(None);
        };
        recovery_sheet::export_recovery_sheet(&clinic, session, state.keys.as_ref(), &path)?;
        Ok(Some(path.display().to_string()))
    })
    .await
}

/// Saves the filtered audit trail as CSV where the person chooses. `None` if they cancel.
#[tauri::command]
#[specta::specta]
pub async fn export_audit_csv<R: Runtime>(
    app: AppHandle<R>,
    session: SessionId,
    filter: AuditFilter,
) -> IpcResult<Option<ExportDone>> {
    blocking(move || {
        let state = state_of(&app);
        let clinic = state.clinic()?;
        clinic.authorize(session, Permission::AuditRead)?;
        let name = format!("clinic-desk-audit-{}.csv", today(&state));
        let Some(path) = save_dialog(&app, "Export the audit trail", &name, ("CSV", &["csv"]))? else {
            return Ok(None);
        };
        let file = std::fs::File::create_new(&path).map_err(|e| {
            CoreError::unavailable("The file could not be created there. Choose another name or folder.").with_source(e)
        })?;
        let entries = audit::export_csv(&clinic, session, &filter, file)?;
        Ok(Some(ExportDone { path: path.display().to_string(), entries: u32::try_from(entries).unwrap_or(u32::MAX) }))
    })
    .await
}
