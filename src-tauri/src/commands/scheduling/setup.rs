//! Administrators' scheduling settings: appointment types, clinicians' profiles, and the scheduling policy.

use std::sync::Arc;

use clinic_core::accounts::SessionId;
use clinic_core::scheduling::clinicians::{self, Clinician, ClinicianProfile};
use clinic_core::scheduling::policy::{self, SchedulingPolicy};
use clinic_core::scheduling::types::{self, AppointmentType, AppointmentTypeDraft};
use tauri::State;
use uuid::Uuid;

use super::super::blocking;
use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn list_appointment_types(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    include_inactive: bool,
) -> IpcResult<Vec<AppointmentType>> {
    let state = state.inner().clone();
    blocking(move || Ok(types::list_types(&*state.clinic()?, session, include_inactive)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn create_appointment_type(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    draft: AppointmentTypeDraft,
) -> IpcResult<AppointmentType> {
    let state = state.inner().clone();
    blocking(move || Ok(types::create_type(&*state.clinic()?, session, &draft)?)).await
}

/// The starter set (consultation, follow-up, procedure, telemedicine); names that exist are skipped.
#[tauri::command]
#[specta::specta]
pub async fn create_starter_appointment_types(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
) -> IpcResult<Vec<AppointmentType>> {
    let state = state.inner().clone();
    blocking(move || Ok(types::create_starter_types(&*state.clinic()?, session)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_appointment_type(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    type_id: Uuid,
    expected_row_version: u32,
    draft: AppointmentTypeDraft,
) -> IpcResult<AppointmentType> {
    let state = state.inner().clone();
    let version = i64::from(expected_row_version);
    blocking(move || Ok(types::update_type(&*state.clinic()?, session, type_id, version, &draft)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_appointment_type_active(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    type_id: Uuid,
    active: bool,
) -> IpcResult<AppointmentType> {
    let state = state.inner().clone();
    blocking(move || Ok(types::set_type_active(&*state.clinic()?, session, type_id, active)?)).await
}

/// A doctor's or nurse's specialty, languages and slot grid.
#[tauri::command]
#[specta::specta]
pub async fn set_clinician_profile(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    staff_id: Uuid,
    profile: ClinicianProfile,
) -> IpcResult<Clinician> {
    let state = state.inner().clone();
    blocking(move || Ok(clinicians::set_clinician_profile(&*state.clinic()?, session, staff_id, &profile)?)).await
}

/// Overbooking, patient names in exported calendars, the telemedicine provider.
#[tauri::command]
#[specta::specta]
pub async fn update_scheduling_policy(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    policy: SchedulingPolicy,
) -> IpcResult<SchedulingPolicy> {
    let state = state.inner().clone();
    blocking(move || Ok(policy::update_policy(&*state.clinic()?, session, &policy)?)).await
}
