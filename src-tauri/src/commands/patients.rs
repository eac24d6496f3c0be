//! The patient registry: search, duplicate check, register, view, edit, delete, merge.

use std::sync::Arc;

use clinic_core::accounts::SessionId;
use clinic_core::patients::{self, Patient, PatientDraft, PatientSummary, RegisterOutcome};
use tauri::State;
use uuid::Uuid;

use super::blocking;
use crate::error::IpcResult;
use crate::state::AppState;

/// Search-as-you-type: any part of a name, a phone number, an MRN, an identifier or a date of birth.
#[tauri::command]
#[specta::specta]
pub async fn search_patients(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    query: String,
    limit: u32,
) -> IpcResult<Vec<PatientSummary>> {
    let state = state.inner().clone();
    blocking(move || Ok(patients::search(&*state.clinic()?, session, &query, limit)?)).await
}

/// Records that look like the same person, for the form to warn as the person types.
#[tauri::command]
#[specta::specta]
pub async fn check_duplicates(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    draft: PatientDraft,
) -> IpcResult<Vec<PatientSummary>> {
    let state = state.inner().clone();
    blocking(move || Ok(patients::check_duplicates(&*state.clinic()?, session, &draft)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn register_patient(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    draft: PatientDraft,
    confirm_not_duplicate: bool,
) -> IpcResult<RegisterOutcome> {
    let state = state.inner().clone();
    blocking(move || Ok(patients::register(&*state.clinic()?, session, &draft, confirm_not_duplicate)?)).await
}

/// Opens a patient's record (audited as a chart read).
#[tauri::command]
#[specta::specta]
pub async fn get_patient(state: State<'_, Arc<AppState>>, session: SessionId, patient_id: Uuid) -> IpcResult<Patient> {
    let state = state.inner().clone();
    blocking(move || Ok(patients::get(&*state.clinic()?, session, patient_id)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_patient(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    patient_id: Uuid,
    expected_row_version: u32,
    draft: PatientDraft,
) -> IpcResult<Patient> {
    let state = state.inner().clone();
    let version = i64::from(expected_row_version);
    blocking(move || Ok(patients::update(&*state.clinic()?, session, patient_id, version, &draft)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_patient(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    patient_id: Uuid,
    reason: String,
) -> IpcResult<Patient> {
    let state = state.inner().clone();
    blocking(move || Ok(patients::delete(&*state.clinic()?, session, patient_id, &reason)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn merge_patients(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    survivor_id: Uuid,
    duplicate_id: Uuid,
    reason: String,
) -> IpcResult<Patient> {
    let state = state.inner().clone();
    blocking(move || Ok(patients::merge(&*state.clinic()?, session, survivor_id, duplicate_id, &reason)?)).await
}
