//! One appointment: book (single or series), move, the status lifecycle, and telemedicine consent.

use std::sync::Arc;

use clinic_core::accounts::SessionId;
use clinic_core::scheduling::appointments;
use clinic_core::scheduling::telemedicine::{self, RecordedSession};
use clinic_core::scheduling::{
    Appointment, BookOutcome, BookingDraft, Recurrence, RescheduleDraft, RescheduleOutcome, SeriesOutcome, StatusChange,
};
use tauri::State;
use uuid::Uuid;

use super::super::blocking;
use crate::error::IpcResult;
use crate::state::AppState;

/// Books an appointment. With a clash and a policy that allows overbooking, answers `needs_confirmation`
/// (nothing written); the same call with `confirm_overbooking` books it, marked overbooked.
#[tauri::command]
#[specta::specta]
pub async fn book_appointment(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    draft: BookingDraft,
    confirm_overbooking: bool,
) -> IpcResult<BookOutcome> {
    let state = state.inner().clone();
    blocking(move || Ok(appointments::book(&*state.clinic()?, session, &draft, confirm_overbooking)?)).await
}

/// Books a recurring series: every occurrence or none (the clashing ones listed).
#[tauri::command]
#[specta::specta]
pub async fn book_appointment_series(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    draft: BookingDraft,
    recurrence: Recurrence,
    confirm_overbooking: bool,
) -> IpcResult<SeriesOutcome> {
    let state = state.inner().clone();
    blocking(move || {
        Ok(appointments::book_series(&*state.clinic()?, session, &draft, &recurrence, confirm_overbooking)?)
    })
    .await
}

/// Moves a booked appointment (drag on the calendar); answers the waiting patients who fit the time it left.
#[tauri::command]
#[specta::specta]
pub async fn reschedule_appointment(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    appointment_id: Uuid,
    draft: RescheduleDraft,
    confirm_overbooking: bool,
) -> IpcResult<RescheduleOutcome> {
    let state = state.inner().clone();
    blocking(move || {
        Ok(appointments::reschedule(&*state.clinic()?, session, appointment_id, &draft, confirm_overbooking)?)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn get_appointment(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    appointment_id: Uuid,
) -> IpcResult<Appointment> {
    let state = state.inner().clone();
    blocking(move || Ok(appointments::get(&*state.clinic()?, session, appointment_id)?)).await
}

/// The patient is at the desk (only on the appointment's day).
#[tauri::command]
#[specta::specta]
pub async fn check_in_appointment(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    appointment_id: Uuid,
) -> IpcResult<Appointment> {
    let state = state.inner().clone();
    blocking(move || Ok(appointments::check_in(&*state.clinic()?, session, appointment_id)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn start_consultation(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    appointment_id: Uuid,
) -> IpcResult<Appointment> {
    let state = state.inner().clone();
    blocking(move || Ok(appointments::start_consultation(&*state.clinic()?, session, appointment_id)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn complete_appointment(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    appointment_id: Uuid,
) -> IpcResult<Appointment> {
    let state = state.inner().clone();
    blocking(move || Ok(appointments::complete(&*state.clinic()?, session, appointment_id)?)).await
}

/// The patient did not come (only once the start has passed).
#[tauri::command]
#[specta::specta]
pub async fn mark_no_show(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    appointment_id: Uuid,
) -> IpcResult<Appointment> {
    let state = state.inner().clone();
    blocking(move || Ok(appointments::mark_no_show(&*state.clinic()?, session, appointment_id)?)).await
}

/// Cancels with a reason; answers the waiting patients who fit the freed time, in order.
#[tauri::command]
#[specta::specta]
pub async fn cancel_appointment(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    appointment_id: Uuid,
    reason: String,
) -> IpcResult<StatusChange> {
    let state = state.inner().clone();
    blocking(move || Ok(appointments::cancel(&*state.clinic()?, session, appointment_id, &reason)?)).await
}

/// Records (or withdraws) the patient's consent to recording a telemedicine session.
#[tauri::command]
#[specta::specta]
pub async fn set_recording_consent(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    appointment_id: Uuid,
    consent: bool,
) -> IpcResult<Appointment> {
    let state = state.inner().clone();
    blocking(move || Ok(telemedicine::set_recording_consent(&*state.clinic()?, session, appointment_id, consent)?))
        .await
}

/// Starts a recorded telemedicine session; refused on `recording_consent` without recorded consent.
#[tauri::command]
#[specta::specta]
pub async fn start_recorded_session(
    state: State<'_, Arc<AppState>>,
    session: SessionId,
    appointment_id: Uuid,
) -> IpcResult<RecordedSession> {
    let state = state.inner().clone();
    blocking(move || Ok(telemedicine::start_recorded_session(&*state.clinic()?, session, appointment_id)?)).await
}
