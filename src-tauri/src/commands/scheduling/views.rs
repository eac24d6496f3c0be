//! What the calendars show: the day (one column per clinician), a clinician's week, the month's counts, the
//! waiting room, "my day", a patient's appointments, free slots and alternatives, clinicians and the policy.

use std::sync::Arc;

use clinic_core::accounts::SessionId;
use clinic_core::scheduling::clinicians::{self, Clinician};
use clinic_core::scheduling::policy::{self, SchedulingPolicy};
use clinic_core::scheduling::slots::{self, FreeSlot, SlotQuery};
use clinic_core::scheduling::views::{
    self, AppointmentCard, DayCount, DayView, PatientAppointments, ScheduleDay, WaitingPatient,
};
use tauri::State;
use uuid::Uuid;

use super::super::blocking;
use super::local;
use crate::error::IpcResult;
use crate::state::AppState;

/// A local day (`YYYY-MM-DD`) for every active clinician.
#[tauri::command]
#[specta::specta]
pub async fn schedule_day(state: State<'_, Arc<AppState>>, session: SessionId, date: String) -> IpcResult<DayView> {
    let state = state.inner().clone();
    blocking(move || Ok(views::day_view(&*state.clinic()?, session, local("date", &date)?)?)).await
}

/// The week (Monday to Sunday) holding `date`, for one clinician.
#[tauri::command]
#[specta::specta]
pub async fn schedule_week(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    clinician_id: Uuid,
    date: String,
) -> IpcResult<Vec<ScheduleDay>> {
    let state = state.inner().clone();
    blocking(move || Ok(views::week_view(&*state.clinic()?, session, clinician_id, local("date", &date)?)?)).await
}

/// Counts per day of a month (`month` 1–12), for everyone or one clinician.
#[tauri::command]
#[specta::specta]
pub async fn schedule_month(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    year: i16,
    month: i8,
    clinician_id: Option<Uuid>,
) -> IpcResult<Vec<DayCount>> {
    let state = state.inner().clone();
    blocking(move || Ok(views::month_overview(&*state.clinic()?, session, year, month, clinician_id)?)).await
}

/// Today's checked-in patients not yet seen, in arrival order.
#[tauri::command]
#[specta::specta]
pub async fn waiting_room(state: State<'_, Arc<AppState>>, session: SessionId) -> IpcResult<Vec<WaitingPatient>> {
    let state = state.inner().clone();
    blocking(move || Ok(views::waiting_room(&*state.clinic()?, session)?)).await
}

/// The signed-in clinician's appointments today.
#[tauri::command]
#[specta::specta]
pub async fn my_day(state: State<'_, Arc<AppState>>, session: SessionId) -> IpcResult<Vec<AppointmentCard>> {
    let state = state.inner().clone();
    blocking(move || Ok(views::my_day(&*state.clinic()?, session)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn patient_appointments(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    patient_id: Uuid,
) -> IpcResult<PatientAppointments> {
    let state = state.inner().clone();
    blocking(move || Ok(views::patient_appointments(&*state.clinic()?, session, patient_id)?)).await
}

/// The next free slots, earliest first.
#[tauri::command]
#[specta::specta]
pub async fn find_free_slots(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    query: SlotQuery,
) -> IpcResult<Vec<FreeSlot>> {
    let state = state.inner().clone();
    blocking(move || Ok(slots::find_free_slots(&*state.clinic()?, session, &query)?)).await
}

/// Where an appointment could go instead (after leave or a closure).
#[tauri::command]
#[specta::specta]
pub async fn appointment_alternatives(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    appointment_id: Uuid,
    limit: u32,
) -> IpcResult<Vec<FreeSlot>> {
    let state = state.inner().clone();
    blocking(move || Ok(slots::alternatives(&*state.clinic()?, session, appointment_id, limit)?)).await
}

/// Doctors and nurses with their profiles.
#[tauri::command]
#[specta::specta]
pub async fn list_clinicians(state: State<'_, Arc<AppState>>, session: SessionId) -> IpcResult<Vec<Clinician>> {
    let state = state.inner().clone();
    blocking(move || Ok(clinicians::list_clinicians(&*state.clinic()?, session)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn scheduling_policy(state: State<'_, Arc<AppState>>, session: SessionId) -> IpcResult<SchedulingPolicy> {
    let state = state.inner().clone();
    blocking(move || Ok(policy::policy(&*state.clinic()?, session)?)).await
}
