//! Scheduling: appointment types, clinicians' availability (weekly templates, breaks, extra sessions, leave,
//! closures), appointments with their conflict rules and lifecycle, free-slot search, the waitlist, calendar
//! views, iCalendar export and telemedicine consent. ADR 10 explains the time and conflict decisions.
//!
//! # Invariants
//! - Instants are stored in UTC; local times (templates, bookings, views) are the clinic's time zone
//!   (`ClinicSettings::time_zone`) through jiff, so a 09:00 appointment stays 09:00 local across DST. A local
//!   start in a skipped hour is refused on `start`; one in a repeated hour is its first occurrence.
//! - Every rule is checked in core, in the transaction of the write: one clinician never has two overlapping
//!   appointments, nor a patient two with different clinicians, nothing is booked outside working hours, in
//!   approved leave or on a closure — unless the policy allows overbooking and the caller confirmed, in which
//!   case the appointment and its audit entry say `overbooked`. Booking and free-slot search ask the same
//!   engine (`hours.rs`), so a slot offered is a slot bookable.
//! - Statuses only move forward ([`AppointmentStatus::can_move_to`]); each move records who and when.
//! - Every write records its audit entry and its outbox mutation in the same transaction (`record.rs`).
//!   Cancelled and no-show appointments free their time; nothing here hard-deletes a row.
//!
//! # Outbox mutations (v 1)
//! Entities and the JSON `args` the sync engine and the server apply. Instants are RFC 3339 UTC strings,
//! local dates `YYYY-MM-DD`, local times `HH:MM:SS`; `base_row_version` is the version changed (None on create).
//!
//! | name | entity (id) | args |
//! | --- | --- | --- |
//! | `scheduling.policy` | `scheduling_policy` (clinic id) | `{allow_overbooking, calendar_patient_names, telemedicine_base_url}` |
//! | `appointment_type.create`, `appointment_type.update` | `appointment_type` | the whole [`AppointmentType`] |
//! | `clinician_profile.set` | `clinician_profile` (staff id) | `{specialty, languages, slot_minutes}` |
//! | `availability.set_template` | `working_template` (clinician id) | `{clinician_id, periods: [{weekday, start, end, kind}]}` |
//! | `availability.add_extra_session` | `extra_session` | `{clinician_id, starts_at, ends_at, note}` |
//! | `availability.remove_extra_session` | `extra_session` | `{deleted_at}` |
//! | `availability.add_closure` | `clinic_closure` | `{day, name}` |
//! | `availability.remove_closure` | `clinic_closure` | `{deleted_at}` |
//! | `availability.request_leave` | `leave_request` | `{clinician_id, starts_at, ends_at, reason, requested_at}` |
//! | `availability.decide_leave` | `leave_request` | `{status: "approved" \| "rejected", note, at}` |
//! | `appointment.book` | `appointment` | `{patient_id, clinician_id, type_id, starts_at, ends_at, series_id, overbooked, special_needs: {interpreter_language, accessibility, notes}, meeting_link, created_at}` |
//! | `appointment.reschedule` | `appointment` | `{clinician_id, starts_at, ends_at, overbooked}` |
//! | `appointment.cancel` | `appointment` | `{reason, at}` |
//! | `appointment.status` | `appointment` | `{from, to, at}` (`to`: arrived, in_consultation, completed, no_show) |
//! | `appointment.consent` | `appointment` | `{recording_consent, at}` |
//! | `waitlist.add` | `waitlist_entry` | `{patient_id, clinician_id, type_id, from_date, to_date, time_of_day, notes}` |
//! | `waitlist.remove`, `waitlist.skip`, `waitlist.book` | `waitlist_entry` | `{status: "removed"}`, `{skips}`, `{status: "booked", appointment_id}` |
//!
//! Who authored a mutation and when is on the outbox row (`authored_by`, `authored_at`). A series is one
//! `appointment.book` per occurrence sharing `series_id`. Status moves apply on the server by the same
//! forward-only rule, so two devices' moves of one appointment converge (ADR 11 has the server's rules and
//! what it stores; `sync/apply/scheduling/` writes the stored records back into these tables).

pub mod appointments;
pub mod availability;
pub mod clinicians;
pub mod feeds;
pub(crate) mod hours;
pub mod ical;
pub mod leave;
mod model;
pub mod policy;
pub(crate) mod record;
pub mod slots;
pub mod telemedicine;
pub(crate) mod time;
pub mod types;
pub mod views;
pub mod waitlist;

pub use model::{
    AffectedAppointment, Appointment, AppointmentStatus, BookOutcome, BookingDraft, Clash, ClashKind, Frequency,
    OccurrenceClashes, Recurrence, RescheduleDraft, RescheduleOutcome, SeriesOutcome, SpecialNeeds, StatusChange,
    WaitlistOffer,
};
pub use time::TimeOfDay;
pub use types::AppointmentType;
