//! iCalendar (RFC 5545) export of a clinician's schedule: reads the appointments and hands them to
//! [`clinic_protocol::calendar::render`], the one definition of the calendar text the server's subscription feed
//! also uses (local times with the clinic's `TZID` and a `VTIMEZONE`, neutral titles unless the policy enables
//! patient names, `SEQUENCE` from the row version, cancelled ones kept as `STATUS:CANCELLED`, the meeting link as
//! `URL`; ADR 10 and ADR 12).

use clinic_protocol::calendar::{self, CalendarEvent, CalendarSpec};
use jiff::Timestamp;
use jiff::civil::Date;
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
                    a.updated_at, a.row_version, a.meeting_link
             FROM appointments a JOIN patients p ON p.id = a.patient_id JOIN appointment_types t ON t.id = a.type_id
             WHERE a.clinician_id = ?1 AND a.deleted_at IS NULL AND a.starts_at >= ?2 AND a.starts_at < ?3
             ORDER BY a.starts_at",
        )?;
        let events: Vec<CalendarEvent> = stmt
            .query_map(params![clinician_id.to_string(), to_db_time(start), to_db_time(end)], |r| {
                let time = |i: usize| -> rusqlite::Result<Timestamp> {
                    r.get::<_, String>(i)?.parse().map_err(|e| bad_column(i, e))
                };
                let status: String = r.get(3)?;
                Ok(CalendarEvent {
                    id: Uuid::parse_str(&r.get::<_, String>(0)?).map_err(|e| bad_column(0, e))?,
                    patient_name: r.get(1)?,
                    type_name: r.get(2)?,
                    cancelled: AppointmentStatus::parse(&status).map_err(|e| bad_column(3, e))?
                        == AppointmentStatus::Cancelled,
                    starts_at: time(4)?,
                    ends_at: time(5)?,
                    created_at: time(6)?,
                    updated_at: time(7)?,
                    row_version: r.get(8)?,
                    meeting_link: r.get(9)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        let spec = CalendarSpec {
            name: &clinician.display_name,
            zone_name: zone.name(),
            zone: zone.tz(),
            generated_at: now,
            from: start,
            to: end,
            patient_names: names,
        };
        let text = calendar::render(&spec, &events).map_err(CoreError::internal)?;
        Ok((text, events.len()))
    })?;
    let detail = [&count.to_string(), " events"].concat();
    clinic.audit_alone(
        &actor.event(AuditAction::CalendarExport, AuditOutcome::Success).on("staff", clinician_id).detail(&detail),
    )?;
    Ok(text)
}
