//! iCalendar (RFC 5545) export of a clinician's schedule, built with the `icalendar` crate.
//!
//! Decisions (ADR 10): times are local wall-clock times with `TZID=<the clinic's IANA zone>`, and the calendar
//! carries a `VTIMEZONE` with every offset change of the exported range taken from the time-zone database
//! (jiff), so 09:00 reads 09:00 on both sides of a DST change and every client computes the same instants. The
//! crate cannot write a `VTIMEZONE` (it adds `UID`/`DTSTAMP` to every component, which `VTIMEZONE` must not
//! have), so that block is written here and placed before the events. `UID` is the appointment id; `SEQUENCE`
//! follows the row version. Titles are neutral ("Appointment") unless the clinic's policy enables patient names.
//! Cancelled appointments are kept with `STATUS:CANCELLED`, so calendars that imported them earlier remove
//! them; every other status is `STATUS:CONFIRMED`.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use icalendar::{Calendar, CalendarDateTime, Component, EventLike, EventStatus, Property};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::Offset;
use rusqlite::params;
use uuid::Uuid;

use super::clinicians;
use super::model::AppointmentStatus;
use super::policy;
use super::record::bad_column;
use super::time::ClinicZone;
use crate::accounts::SessionId;
use crate::audit::{AuditAction, AuditOutcome};
use crate::clock::to_db_time;
use crate::rbac::Permission;
use crate::{Clinic, CoreError, CoreResult};

struct Row {
    id: Uuid,
    patient_name: String,
    type_name: String,
    status: AppointmentStatus,
    starts_at: Timestamp,
    ends_at: Timestamp,
    created_at: Timestamp,
    updated_at: Timestamp,
    row_version: i64,
}

/// A clinician's appointments starting between two local days (both included) as an `.ics` text.
/// The export is audited (it may carry patient names).
pub fn export_calendar(
    clinic: &Clinic,
    session: SessionId,
    clinician_id: Uuid,
    from: Date,
    to: Date,
) -> CoreResult<String> {
    let actor = clinic.authorize(session, Permission::AppointmentRead)?;
    if to < from || from.duration_until(to).as_hours() > 24 * 366 {
        return Err(CoreError::validation(
            "to",
            "Export between 1 day and 1 year: the last day on or after the first.",
        ));
    }
    let now = clinic.env.clock.now();
    let (text, count) = clinic.read(|conn| {
        let zone = ClinicZone::load(conn)?;
        let names = policy::read(conn)?.0.calendar_patient_names;
        let clinician = clinicians::find(conn, clinician_id)?
            .ok_or_else(|| CoreError::not_found("This clinician does not exist."))?;
        let (start, end) = (zone.day_bounds(from).0, zone.day_bounds(to).1);
        let mut stmt = conn.prepare_cached(
            "SELECT a.id, p.family_name || ', ' || p.given_name, t.name, a.status, a.starts_at, a.ends_at, a.created_at,
                    a.updated_at, a.row_version
             FROM appointments a JOIN patients p ON p.id = a.patient_id JOIN appointment_types t ON t.id = a.type_id
             WHERE a.clinician_id = ?1 AND a.deleted_at IS NULL AND a.starts_at >= ?2 AND a.starts_at < ?3
             ORDER BY a.starts_at",
        )?;
        let rows: Vec<Row> = stmt
            .query_map(params![clinician_id.to_string(), to_db_time(start), to_db_time(end)], |r| {
                let time = |i: usize| -> rusqlite::Result<Timestamp> {
                    r.get::<_, String>(i)?.parse().map_err(|e| bad_column(i, e))
                };
                let status: String = r.get(3)?;
                Ok(Row {
                    id: Uuid::parse_str(&r.get::<_, String>(0)?).map_err(|e| bad_column(0, e))?,
                    patient_name: r.get(1)?,
                    type_name: r.get(2)?,
                    status: AppointmentStatus::parse(&status).map_err(|e| bad_column(3, e))?,
                    starts_at: time(4)?,
                    ends_at: time(5)?,
                    created_at: time(6)?,
                    updated_at: time(7)?,
                    row_version: r.get(8)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut calendar = Calendar::empty();
        for (key, value) in [
            ("VERSION", "2.0"),
            ("PRODID", "-//Clinic Desk//Scheduling//EN"),
            ("CALSCALE", "GREGORIAN"),
            ("METHOD", "PUBLISH"),
            ("X-WR-CALNAME", &clinician.display_name),
            ("X-WR-TIMEZONE", zone.name()),
        ] {
            calendar.append_property(Property::new(key, value));
        }
        for row in &rows {
            let title =
                if names { [&row.patient_name, " (", &row.type_name, ")"].concat() } else { "Appointment".to_owned() };
            let status = if row.status == AppointmentStatus::Cancelled {
                EventStatus::Cancelled
            } else {
                EventStatus::Confirmed
            };
            let event = icalendar::Event::new()
                .uid(&row.id.to_string())
                .summary(&title)
                .starts(local(&zone, row.starts_at)?)
                .ends(local(&zone, row.ends_at)?)
                .status(status)
                .timestamp(utc(now)?)
                .created(utc(row.created_at)?)
                .last_modified(utc(row.updated_at)?)
                .sequence(u32::try_from(row.row_version - 1).unwrap_or(0))
                .done();
            calendar.push(event);
        }
        let first = rows.first().map_or(start, |r| r.starts_at.min(start));
        let text = with_timezone(&calendar.done().to_string(), &vtimezone(&zone, first, end));
        Ok((text, rows.len()))
    })?;
    let detail = [&count.to_string(), " events"].concat();
    clinic.audit_alone(
        &actor.event(AuditAction::CalendarExport, AuditOutcome::Success).on("staff", clinician_id).detail(&detail),
    )?;
    Ok(text)
}

fn utc(at: Timestamp) -> CoreResult<chrono::DateTime<Utc>> {
    chrono::DateTime::from_timestamp(at.as_second(), 0).ok_or_else(|| CoreError::internal("time out of range"))
}

fn naive(local: DateTime) -> CoreResult<NaiveDateTime> {
    NaiveDate::from_ymd_opt(i32::from(local.year()), local.month() as u32, local.day() as u32)
        .and_then(|d| d.and_hms_opt(local.hour() as u32, local.minute() as u32, local.second() as u32))
        .ok_or_else(|| CoreError::internal("local time out of range"))
}

/// `DTSTART;TZID=Europe/Paris:20260330T090000`.
fn local(zone: &ClinicZone, at: Timestamp) -> CoreResult<CalendarDateTime> {
    Ok(CalendarDateTime::WithTimezone { date_time: naive(zone.local(at))?, tzid: zone.name().to_owned() })
}

/// Places the `VTIMEZONE` block before the first component (or before the end of an empty calendar).
fn with_timezone(calendar: &str, vtimezone: &str) -> String {
    let at = calendar.find("BEGIN:VEVENT").or_else(|| calendar.find("END:VCALENDAR")).unwrap_or(calendar.len());
    [&calendar[..at], vtimezone, &calendar[at..]].concat()
}

fn offset_text(offset: Offset) -> String {
    let seconds = offset.seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    let mut text = format!("{sign}{:02}{:02}", s / 3600, (s % 3600) / 60);
    if !s.is_multiple_of(60) {
        text.push_str(&format!("{:02}", s % 60));
    }
    text
}

/// The zone's definition over `[from, to)`: the observance in force at `from` and every change until `to`.
pub(crate) fn vtimezone(zone: &ClinicZone, from: Timestamp, to: Timestamp) -> String {
    let tz = zone.tz();
    let mut lines = vec!["BEGIN:VTIMEZONE".to_owned(), ["TZID:", zone.name()].concat()];
    let mut observance = |at: Timestamp, before: Offset, after: Offset, name: &str, dst: bool| {
        let kind = if dst { "DAYLIGHT" } else { "STANDARD" };
        lines.push(["BEGIN:", kind].concat());
        lines.push(["DTSTART:", &before.to_datetime(at).strftime("%Y%m%dT%H%M%S").to_string()].concat());
        lines.push(["TZOFFSETFROM:", &offset_text(before)].concat());
        lines.push(["TZOFFSETTO:", &offset_text(after)].concat());
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-') {
            lines.push(["TZNAME:", name].concat());
        }
        lines.push(["END:", kind].concat());
    };
    let second = jiff::SignedDuration::from_secs(1);
    let mut any = false;
    if let Some(t) = tz.preceding(from + second).next() {
        observance(t.timestamp(), tz.to_offset(t.timestamp() - second), t.offset(), t.abbreviation(), t.dst().is_dst());
        any = true;
    }
    for t in tz.following(from).take_while(|t| t.timestamp() < to) {
        observance(t.timestamp(), tz.to_offset(t.timestamp() - second), t.offset(), t.abbreviation(), t.dst().is_dst());
        any = true;
    }
    if !any {
        let offset = tz.to_offset(from);
        observance(Timestamp::UNIX_EPOCH, offset, offset, "", false);
    }
    lines.push("END:VTIMEZONE".to_owned());
    lines.iter().map(|l| [l.as_str(), "\r\n"].concat()).collect()
}
