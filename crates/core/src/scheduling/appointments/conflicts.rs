//! The conflict rules, in one place: a time is bookable only on an open day, outside approved leave, inside
//! the clinician's working hours, and clear of the clinician's and the patient's other appointments. Each
//! clash comes with the sentence the desk is shown.

use jiff::{SignedDuration, Timestamp};
use rusqlite::Connection;
use uuid::Uuid;

use super::store::{Whose, overlapping};
use crate::scheduling::clinicians::Clinician;
use crate::scheduling::hours::Calendar;
use crate::scheduling::model::{Clash, ClashKind};
use crate::scheduling::time::{Interval, covers, day_label, days, normalise};
use crate::{CoreError, CoreResult};

/// A time someone wants to book (or move an appointment to).
#[derive(Debug)]
pub(crate) struct Candidate<'a> {
    pub clinician: &'a Clinician,
    pub patient_id: Uuid,
    pub start: Timestamp,
    pub end: Timestamp,
    /// The appointment being moved, which does not clash with itself.
    pub exclude: Option<Uuid>,
}

/// Every clash of a candidate time, most fundamental first: closure, leave, working hours, then overlaps.
pub(crate) fn clashes(conn: &Connection, cal: &Calendar, c: &Candidate<'_>) -> CoreResult<Vec<Clash>> {
    let zone = cal.zone();
    let name = &c.clinician.display_name;
    let interval = Interval::of(c.start, c.end);
    let first_day = zone.local(c.start).date();
    let last_day = zone.local(c.end - SignedDuration::from_secs(1)).date();
    let mut out = Vec::new();
    for day in days(first_day, last_day) {
        if let Some(closure) = cal.closure(day) {
            out.push(clash(
                ClashKind::Closure,
                ["The clinic is closed on ", &day_label(day), " (", closure, "). Choose another date."].concat(),
                None,
            ));
        }
    }
    if let Some(leave) = cal.leave_overlapping(c.clinician.staff_id, interval) {
        let (from, to) = (zone.local_seconds(leave.interval.start), zone.local_seconds(leave.interval.end));
        out.push(clash(
            ClashKind::Leave,
            [
                name,
                " is on leave from ",
                &day_label(from.date()),
                " ",
                &from.strftime("%H:%M").to_string(),
                " to ",
                &day_label(to.date()),
                " ",
                &to.strftime("%H:%M").to_string(),
                ". Choose another date or another clinician.",
            ]
            .concat(),
            None,
        ));
    }
    let hours = normalise(days(first_day, last_day).flat_map(|d| cal.hours(c.clinician.staff_id, d)).collect());
    if !covers(&hours, interval) {
        let that_day = cal.hours(c.clinician.staff_id, first_day);
        let message = if that_day.is_empty() {
            [name, " does not work on ", &day_label(first_day), ". Choose another day or another clinician."].concat()
        } else {
            let list: Vec<String> = that_day
                .iter()
                .map(|i| {
                    [
                        zone.local_seconds(i.start).strftime("%H:%M").to_string(),
                        zone.local_seconds(i.end).strftime("%H:%M").to_string(),
                    ]
                    .join("\u{2013}")
                })
                .collect();
            [
                name,
                " does not work at ",
                &zone.hm(c.start),
                "\u{2013}",
                &zone.hm(c.end),
                " on ",
                &day_label(first_day),
                " (working hours that day: ",
                &list.join(", "),
                "). Choose a time within them.",
            ]
            .concat()
        };
        out.push(clash(ClashKind::OutsideWorkingHours, message, None));
    }
    for o in overlapping(conn, Whose::Clinician(c.clinician.staff_id), c.start, c.end, c.exclude)? {
        out.push(clash(
            ClashKind::ClinicianOverlap,
            [
                name,
                " already has an appointment from ",
                &zone.hm(o.starts_at),
                " to ",
                &zone.hm(o.ends_at),
                ". Choose another time or another clinician.",
            ]
            .concat(),
            Some(o.id),
        ));
    }
    for o in overlapping(conn, Whose::Patient(c.patient_id), c.start, c.end, c.exclude)? {
        if o.clinician_id == c.clinician.staff_id {
            continue; // already reported as the clinician's overlap
        }
        out.push(clash(
            ClashKind::PatientOverlap,
            [
                "This patient already has an appointment from ",
                &zone.hm(o.starts_at),
                " to ",
                &zone.hm(o.ends_at),
                " with ",
                &o.clinician_name,
                ". Choose another time.",
            ]
            .concat(),
            Some(o.id),
        ));
    }
    Ok(out)
}

fn clash(kind: ClashKind, message: String, appointment_id: Option<Uuid>) -> Clash {
    Clash { kind, message, appointment_id }
}

/// The error for a clash the clinic's policy does not let anyone confirm: on field `start`, `conflict` for an
/// overlap with another appointment, `validation` for a time that is not bookable at all (ADR 10).
pub(crate) fn refusal(clash: &Clash) -> CoreError {
    match clash.kind {
        ClashKind::ClinicianOverlap | ClashKind::PatientOverlap => {
            let mut e = CoreError::conflict(clash.message.clone());
            e.field = Some("start".to_owned());
            e
        }
        ClashKind::OutsideWorkingHours | ClashKind::Leave | ClashKind::Closure => {
            CoreError::validation("start", clash.message.clone())
        }
    }
}

/// The audit detail of an overbooking: `overbooked: leave,clinician_overlap`.
pub(crate) fn overbooked_detail(clashes: &[Clash]) -> String {
    let mut kinds: Vec<&str> = clashes.iter().map(|c| c.kind.as_str()).collect();
    kinds.dedup();
    ["overbooked: ", &kinds.join(",")].concat()
}
