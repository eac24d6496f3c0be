//! Start-up, first-run setup and recovery: the commands used before anyone signs in.

use std::sync::Arc;

use clinic_core::accounts;
use clinic_core::demo;
use clinic_core::keys::RecoveryKey;
use clinic_core::scheduling;
use clinic_core::setup::{self, ClinicSettings, FirstAdministrator};
use clinic_core::sync::{self, HttpTransport, SyncOptions};
use clinic_core::{Clinic, CoreError};
use serde::Serialize;
use tauri::State;

use super::blocking;
use crate::error::IpcResult;
use crate::state::{AppState, AppStatus};

/// What first-run setup hands back: the recovery key, to be shown once and written down.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct SetupDone {
    pub recovery_key: String,
}

/// Where the app stands: setup needed, ready to sign in, or what is wrong.
#[tauri::command]
#[specta::specta]
pub async fn app_status(state: State<'_, Arc<AppState>>) -> IpcResult<AppStatus> {
    let state = state.inner().clone();
    blocking(move || state.status()).await
}

/// First run: creates the encrypted database (key into the keychain first), the clinic and its
/// first administrator. The recovery key is returned once, for the person to write down or print.
#[tauri::command]
#[specta::specta]
pub async fn setup_clinic(
    state: State<'_, Arc<AppState>>,
    settings: ClinicSettings,
    administrator: FirstAdministrator,
    device_code: String,
) -> IpcResult<SetupDone> {
    let state = state.inner().clone();
    blocking(move || {
        let clinic = match state.clinic() {
            Ok(open) => open,
            Err(_) => {
                let (clinic, _) = Clinic::create(&state.data, state.keys.as_ref(), state.env.clone(), &device_code)?;
                state.set_clinic(Some(clinic))?;
                state.clinic()?
            }
        };
        setup::initialize(&clinic, &settings, &administrator)?;
        // The usual appointment types, so reception can book from the first day (administrators change them),
        // made by the new administrator (and the made-up patients of `--demo`).
        let admin = accounts::login(&clinic, &administrator.username, &administrator.password)?;
        scheduling::types::create_starter_types(&clinic, admin.session_id)?;
        if state.demo_patients > 0 {
            demo::load_demo_patients(&clinic, admin.session_id, state.demo_patients)?;
        }
        accounts::logout(&clinic, admin.session_id)?;
        let key =
            state.keys.load()?.ok_or_else(|| CoreError::internal("key vanished from the keychain after setup"))?;
        Ok(SetupDone { recovery_key: RecoveryKey::from_database_key(&key).as_str().to_owned() })
    })
    .await
}

/// What joining answers: the new database's recovery key (shown once, as after setup) and where things stand.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct JoinDone {
    pub recovery_key: String,
    pub status: AppStatus,
}

/// Joins a clinic that already syncs, instead of first-run setup: enrolls with the one-time code and downloads
/// the clinic. A download cut short finishes in the background (the status says `joining` until then).
#[tauri::command]
#[specta::specta]
pub async fn join_clinic(
    state: State<'_, Arc<AppState>>,
    server_url: String,
    code: String,
    device_name: String,
    device_code: String,
) -> IpcResult<JoinDone> {
    let state = state.inner().clone();
    blocking(move || {
        let clinic = match state.clinic() {
            // A second try after the server refused the device code may bring another one.
            Ok(open) if sync::change_device_code_before_joining(&open, &device_code)? => {
                drop(open);
                state.set_clinic(None)?;
                state.set_clinic(Some(Clinic::unlock(&state.data, state.keys.as_ref(), state.env.clone())?))?;
                state.clinic()?
            }
            Ok(open) => open,
            Err(_) => {
                let (clinic, _) = Clinic::create(&state.data, state.keys.as_ref(), state.env.clone(), &device_code)?;
                state.set_clinic(Some(clinic))?;
                state.clinic()?
            }
        };
        let options = SyncOptions::default();
        sync::join_clinic(
            &clinic,
            &HttpTransport::new(),
            &*state.credentials,
            &server_url,
            &code,
            &device_name,
            &options,
        )?;
        state.sync_waker.wake();
        let key =
            state.keys.load()?.ok_or_else(|| CoreError::internal("key vanished from the keychain after joining"))?;
        Ok(JoinDone { recovery_key: RecoveryKey::from_database_key(&key).as_str().to_owned(), status: state.status()? })
    })
    .await
}

/// Tries the joining computer's download again now, and says where things stand.
#[tauri::command]
#[specta::specta]
pub async fn continue_join(state: State<'_, Arc<AppState>>) -> IpcResult<AppStatus> {
    let state = state.inner().clone();
    blocking(move || {
        let clinic = state.clinic()?;
        if sync::join_progress(&clinic)?.is_some() {
            sync::run_once(&clinic, &HttpTransport::new(), &*state.credentials, &SyncOptions::default())?;
        }
        state.status()
    })
    .await
}

/// Opens the database with the recovery key (and puts the key back into the keychain).
#[tauri::command]
#[specta::specta]
pub async fn unlock_with_recovery_key(state: State<'_, Arc<AppState>>, recovery_key: String) -> IpcResult<AppStatus> {
    let state = state.inner().clone();
    blocking(move || {
        let recovery = RecoveryKey::parse(&recovery_key)?;
        let clinic = Clinic::unlock_with_recovery_key(&state.data, &recovery, state.keys.as_ref(), state.env.clone())?;
        state.set_clinic(Some(clinic))?;
        state.status()
    })
    .await
}
