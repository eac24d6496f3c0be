//! What the shell holds between commands: the data folder, the key store, and the open clinic.

use std::sync::{Arc, RwLock};

use clinic_core::clock::Env;
use clinic_core::keys::{CredentialStore, KeyStore};
use clinic_core::store::{DataDir, DataDirStatus};
use clinic_core::sync::{self, JoinProgress, SyncProblem};
use clinic_core::{Clinic, CoreError, ErrorCode};
use serde::Serialize;

use crate::arrivals::{ArrivalWatch, DesktopNotifier, Notifier};
use crate::error::{IpcError, IpcResult};
use crate::sync_runner::SyncWaker;

/// Where the app stands at start-up, so the UI knows which screen to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum AppStatus {
    /// No database yet: first-run setup.
    SetupNeeded,
    /// The database is open and the clinic is set up: sign in.
    Ready { clinic_name: String },
    /// This computer joined a clinic and is downloading it; nobody can sign in until it is here.
    Joining { server_url: String, clinic_name: Option<String>, records: u32, problem: Option<SyncProblem> },
    /// The database could not be unlocked with the keychain's key: ask for the recovery key.
    NeedsRecoveryKey { message: String },
    /// The database was damaged and set aside: restore a backup.
    Quarantined { message: String },
    /// Something else stops the app (the keychain cannot be reached, a newer database).
    Unavailable { message: String },
}

/// The shell's state, shared by every command.
#[derive(Debug)]
pub struct AppState {
    pub data: DataDir,
    pub keys: Arc<dyn KeyStore>,
    /// Where this computer's clinic-server credential is kept (the same keychain as the database key).
    pub credentials: Arc<dyn CredentialStore>,
    pub env: Env,
    /// Wakes the automatic sync thread early.
    pub sync_waker: SyncWaker,
    /// Made-up patients to load at first setup (`--demo`).
    pub demo_patients: usize,
    /// The arrivals already told to the signed-in clinician.
    pub arrivals: ArrivalWatch,
    /// Where "your patient has arrived" goes.
    pub notifier: Arc<dyn Notifier>,
    clinic: RwLock<Option<Arc<Clinic>>>,
}

impl AppState {
    pub fn new<K: KeyStore + CredentialStore + 'static>(data: DataDir, keys: Arc<K>, env: Env) -> Self {
        AppState {
            data,
            credentials: keys.clone(),
            keys,
            env,
            sync_waker: SyncWaker::default(),
            demo_patients: 0,
            arrivals: ArrivalWatch::default(),
            notifier: Arc::new(DesktopNotifier),
            clinic: RwLock::new(None),
        }
    }

    /// Loads `count` made-up patients right after first-run setup, for trying the app.
    /// The same state sending notifications elsewhere (tests record them).
    pub fn with_notifier(mut self, notifier: Arc<dyn Notifier>) -> Self {
        self.notifier = notifier;
        self
    }

    pub fn with_demo_patients(mut self, count: usize) -> Self {
        self.demo_patients = count;
        self
    }

    /// The open clinic, or a clear error when it is not open yet.
    pub fn clinic(&self) -> IpcResult<Arc<Clinic>> {
        let guard = self.clinic.read().map_err(|_| IpcError::internal("state lock poisoned"))?;
        guard.clone().ok_or_else(|| {
            CoreError::new(ErrorCode::Unavailable, "The clinic database is not open yet. Restart Clinic Desk.").into()
        })
    }

    pub fn set_clinic(&self, clinic: Option<Clinic>) -> IpcResult<()> {
        *self.clinic.write().map_err(|_| IpcError::internal("state lock poisoned"))? = clinic.map(Arc::new);
        Ok(())
    }

    /// Opens the database if it is there and not open yet, and says where things stand.
    pub fn status(&self) -> IpcResult<AppStatus> {
        if let Ok(clinic) = self.clinic() {
            return ready_or_setup(&clinic);
        }
        match self.data.status().map_err(IpcError::internal)? {
            DataDirStatus::Empty => Ok(AppStatus::SetupNeeded),
            DataDirStatus::Quarantined { .. } => Ok(AppStatus::Quarantined {
                message:
                    "The clinic database was damaged and has been set aside (not deleted). Restore the latest backup."
                        .into(),
            }),
            DataDirStatus::Present => match Clinic::unlock(&self.data, self.keys.as_ref(), self.env.clone()) {
                Ok(clinic) => {
                    let status = ready_or_setup(&clinic)?;
                    self.set_clinic(Some(clinic))?;
                    Ok(status)
                }
                Err(e) if e.code == ErrorCode::KeyRejected => Ok(AppStatus::NeedsRecoveryKey { message: e.message }),
                Err(e) if e.code == ErrorCode::Corrupt => Ok(AppStatus::Quarantined { message: e.message }),
                Err(e) => Ok(AppStatus::Unavailable { message: e.message }),
            },
        }
    }
}

fn ready_or_setup(clinic: &Clinic) -> IpcResult<AppStatus> {
    if let Some(clinic_name) = clinic_core::setup::clinic_name(clinic)? {
        return Ok(AppStatus::Ready { clinic_name });
    }
    Ok(match sync::join_progress(clinic)? {
        Some(JoinProgress { server_url, clinic_name, records, problem }) => {
            AppStatus::Joining { server_url, clinic_name, records, problem }
        }
        None => AppStatus::SetupNeeded,
    })
}
