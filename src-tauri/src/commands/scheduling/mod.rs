//! Scheduling commands (ADR 10): calendars, booking and the day's lifecycle, free slots, the waitlist, and the
//! administrators' settings (types, working hours, closures, leave, policy). Local dates and times cross IPC as
//! text in the clinic's zone (`2026-03-30`, `2026-03-30T09:00`); each is parsed here into core's type, and a bad
//! one is refused on its field.

pub mod appointments;
pub mod availability;
pub mod calendar;
pub mod feeds;
pub mod setup;
pub mod views;
pub mod waitlist;

use std::fmt::Display;
use std::str::FromStr;

use clinic_core::CoreError;

/// Parses a local date (`YYYY-MM-DD`) or date-time (`YYYY-MM-DDTHH:MM`) sent by the UI. The target type is
/// core's (inferred from where the value goes), so this crate need not name the time library.
pub(crate) fn local<T>(field: &str, text: &str) -> Result<T, CoreError>
where
    T: FromStr,
    T::Err: Display,
{
    text.trim().parse().map_err(|_| {
        CoreError::validation(
            field,
            "This date or time is not valid. Use the calendar, or type it as 2026-03-30 (date) or 2026-03-30 09:00.",
        )
    })
}
