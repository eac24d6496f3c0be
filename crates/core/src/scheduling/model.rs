//! The appointment types the desktop shell sends and receives: drafts, stored appointments, statuses, clashes
//! and the outcomes of booking.

use jiff::Timestamp;
use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::CoreError;
use crate::CoreResult;

/// Where an appointment is in its day. Moves only forward (see [`AppointmentStatus::can_move_to`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Booked,
    /// Checked in at the desk; the arrival time is recorded.
    Arrived,
    InConsultation,
    Completed,
    Cancelled,
    NoShow,
}

impl AppointmentStatus {
    pub const ALL: [AppointmentStatus; 6] = [
        AppointmentStatus::Booked,
        AppointmentStatus::Arrived,
        AppointmentStatus::InConsultation,
        AppointmentStatus::Completed,
        AppointmentStatus::Cancelled,
        AppointmentStatus::NoShow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentStatus::Booked => "booked",
            AppointmentStatus::Arrived => "arrived",
            AppointmentStatus::InConsultation => "in_consultation",
            AppointmentStatus::Completed => "completed",
            AppointmentStatus::Cancelled => "cancelled",
            AppointmentStatus::NoShow => "no_show",
        }
    }

    pub fn parse(text: &str) -> CoreResult<AppointmentStatus> {
        AppointmentStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| CoreError::internal("unknown appointment status"))
    }

    /// The lifecycle, forward only: booked → arrived → in consultation → completed; a booked patient may be
    /// called in without checking in (telemedicine); booked or arrived may be cancelled; only booked may
    /// become a no-show. Completed, cancelled and no-show are final.
    pub fn can_move_to(self, to: AppointmentStatus) -> bool {
        use AppointmentStatus::*;
        matches!(
            (self, to),
            (Booked, Arrived | InConsultation | Cancelled | NoShow)
                | (Arrived, InConsultation | Cancelled)
                | (InConsultation, Completed)
        )
    }

    /// Whether the appointment holds its time (cancelled and no-show ones free it).
    pub fn holds_time(self) -> bool {
        !matches!(self, AppointmentStatus::Cancelled | AppointmentStatus::NoShow)
    }
}

/// What the patient needs on the day.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct SpecialNeeds {
    /// Language an interpreter is needed for (a language tag such as `fr` or `sw`).
    pub interpreter_language: Option<String>,
    /// Wheelchair access, hearing loop, …
    pub accessibility: String,
    pub notes: String,
}

/// The booking form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BookingDraft {
    pub patient_id: Uuid,
    pub clinician_id: Uuid,
    pub type_id: Uuid,
    /// Start in the clinic's local time, e.g. `2026-03-30T09:00`.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub start: DateTime,
    /// Length; the type's default duration when absent.
    #[serde(default)]
    pub duration_minutes: Option<u32>,
    #[serde(default)]
    pub special_needs: SpecialNeeds,
}

/// How often a series repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Daily,
    Weekly,
}

/// A recurring series: `count` occurrences, every `interval` days or weeks, at the same local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Recurrence {
    pub frequency: Frequency,
    pub interval: u32,
    pub count: u32,
}

/// Moving an appointment: a new local start, and optionally another clinician or length.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RescheduleDraft {
    /// New start in the clinic's local time.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub start: DateTime,
    #[serde(default)]
    pub clinician_id: Option<Uuid>,
    #[serde(default)]
    pub duration_minutes: Option<u32>,
}

/// A stored appointment. Instants are UTC; `local_*` are the same instants in the clinic's zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Appointment {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub clinician_id: Uuid,
    pub type_id: Uuid,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub starts_at: Timestamp,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub ends_at: Timestamp,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub local_start: DateTime,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub local_end: DateTime,
    pub status: AppointmentStatus,
    pub series_id: Option<Uuid>,
    /// Booked over a clash the clinic's policy let someone confirm.
    pub overbooked: bool,
    pub special_needs: SpecialNeeds,
    /// Telemedicine only: the meeting link (provider base URL + an unguessable room id).
    pub meeting_link: Option<String>,
    pub recording_consent: bool,
    pub consent_recorded_by: Option<Uuid>,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub consent_recorded_at: Option<Timestamp>,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub arrived_at: Option<Timestamp>,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub started_at: Option<Timestamp>,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub completed_at: Option<Timestamp>,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub cancelled_at: Option<Timestamp>,
    pub cancel_reason: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub no_show_at: Option<Timestamp>,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub status_changed_at: Timestamp,
    pub status_changed_by: Option<Uuid>,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub created_at: Timestamp,
    pub created_by: Option<Uuid>,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub updated_at: Timestamp,
    pub updated_by: Option<Uuid>,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub row_version: i64,
}

/// Why a time cannot simply be booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ClashKind {
    /// The clinician already has an appointment then.
    ClinicianOverlap,
    /// The patient already has an appointment then (with anyone).
    PatientOverlap,
    /// Outside the clinician's working hours (or in a break).
    OutsideWorkingHours,
    /// During the clinician's approved leave.
    Leave,
    /// On a day the clinic is closed.
    Closure,
}

impl ClashKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ClashKind::ClinicianOverlap => "clinician_overlap",
            ClashKind::PatientOverlap => "patient_overlap",
            ClashKind::OutsideWorkingHours => "outside_working_hours",
            ClashKind::Leave => "leave",
            ClashKind::Closure => "closure",
        }
    }
}

/// One clash, with a sentence for the person at the desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Clash {
    pub kind: ClashKind,
    pub message: String,
    /// The appointment clashed with (overlaps only).
    pub appointment_id: Option<Uuid>,
}

/// What `book` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "outcome", content = "value", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)] // returned once per booking; boxing would only burden callers
pub enum BookOutcome {
    Booked(Appointment),
    /// Nothing was written: the time clashes and the clinic allows overbooking. Show the clashes; book again
    /// with `confirm_overbooking = true` to book anyway (recorded as overbooked).
    NeedsConfirmation(Vec<Clash>),
}

/// The clashes of one occurrence of a series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OccurrenceClashes {
    /// 0-based position in the series.
    pub index: u32,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub local_start: DateTime,
    pub clashes: Vec<Clash>,
}

/// What `book_series` did: all occurrences booked, or none and the clashing ones listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "outcome", content = "value", rename_all = "snake_case")]
pub enum SeriesOutcome {
    Booked(Vec<Appointment>),
    /// Nothing was written. `can_confirm`: the policy allows overbooking, so booking again with
    /// `confirm_overbooking = true` books every occurrence (the clashing ones marked overbooked).
    Clashes {
        occurrences: Vec<OccurrenceClashes>,
        can_confirm: bool,
    },
}

/// A patient on the waitlist who could take a freed slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WaitlistOffer {
    pub entry_id: Uuid,
    pub patient_id: Uuid,
    pub patient_name: String,
    pub type_id: Uuid,
    pub clinician_id: Uuid,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub local_start: DateTime,
    /// The waiting patient's type's length, which fits in the freed slot.
    pub duration_minutes: u32,
}

/// What `reschedule` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "outcome", content = "value", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)]
pub enum RescheduleOutcome {
    /// Moved; `waitlist_offers` are the first waiting patients who fit the time it left.
    Rescheduled { appointment: Appointment, waitlist_offers: Vec<WaitlistOffer> },
    /// Nothing was written (see [`BookOutcome::NeedsConfirmation`]).
    NeedsConfirmation(Vec<Clash>),
}

/// A status change; a cancellation also lists waiting patients who fit the freed time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StatusChange {
    pub appointment: Appointment,
    pub waitlist_offers: Vec<WaitlistOffer>,
}

/// An appointment touched by approved leave or a new closure, for reception to move or cancel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AffectedAppointment {
    pub appointment_id: Uuid,
    pub patient_id: Uuid,
    pub patient_name: String,
    pub clinician_id: Uuid,
    pub type_name: String,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub local_start: DateTime,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub local_end: DateTime,
    pub status: AppointmentStatus,
}
