//! The calendar as the desk and the doctors see it, as core queries: a day (every clinician), a week (one
//! clinician), a month overview (counts per day), the waiting room, a clinician's "my day", and a patient's
//! upcoming and past appointments. Times are given in the clinic's local time as well as UTC.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use rusqlite::{Connection, Row, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::clinicians;
use super::hours::Calendar;
use super::model::{AppointmentStatus, SpecialNeeds};
use super::record::bad_column;
use super::time::{ClinicZone, Interval, days};
use crate::accounts::SessionId;
use crate::clock::to_db_time;
use crate::rbac::Permission;
use crate::{Clinic, CoreError, CoreResult};

/// One appointment on a calendar: enough to draw it (type colour, status) and open it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AppointmentCard {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub patient_name: String,
    pub clinician_id: Uuid,
    pub clinician_name: String,
    pub type_id: Uuid,
    pub type_name: String,
    /// The type's `#rrggbb` colour.
    pub colour: String,
    pub telemedicine: bool,
    pub status: AppointmentStatus,
    pub overbooked: bool,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub starts_at: Timestamp,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub ends_at: Timestamp,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub local_start: DateTime,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub local_end: DateTime,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub arrived_at: Option<Timestamp>,
    pub special_needs: SpecialNeeds,
}

/// A stretch of working time, local.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LocalPeriod {
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub start: DateTime,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub end: DateTime,
}

/// One clinician's column of a day, or one day of a clinician's week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ScheduleDay {
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub date: Date,
    pub clinician_id: Uuid,
    pub clinician_name: String,
    /// Bookable time (working hours minus breaks and approved leave; nothing on a closure).
    pub open: Vec<LocalPeriod>,
    /// Approved leave covers part of the day.
    pub on_leave: bool,
    /// Every appointment of the day, cancelled and no-show ones included (drawn differently).
    pub appointments: Vec<AppointmentCard>,
}

/// The day view: one column per active clinician.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DayView {
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub date: Date,
    /// The closure's name when the clinic is closed that day.
    pub closure: Option<String>,
    pub columns: Vec<ScheduleDay>,
}

/// Counts for one day of the month overview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DayCount {
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub date: Date,
    /// Appointments holding their time (booked, arrived, in consultation, completed).
    pub appointments: u32,
    pub cancelled: u32,
    pub no_show: u32,
    pub closed: bool,
}

/// A checked-in patient in the waiting room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WaitingPatient {
    pub appointment: AppointmentCard,
    pub waiting_minutes: u32,
}

/// A patient's appointments: upcoming (soonest first) and past (latest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PatientAppointments {
    pub upcoming: Vec<AppointmentCard>,
    pub past: Vec<AppointmentCard>,
}

const CARD: &str = "SELECT a.id, a.patient_id, p.family_name || ', ' || p.given_name, a.clinician_id, s.display_name, \
     a.type_id, t.name, t.colour, t.telemedicine, a.status, a.overbooked, a.starts_at, a.ends_at, a.arrived_at, \
     a.interpreter_language, a.accessibility, a.notes \
     FROM appointments a JOIN patients p ON p.id = a.patient_id JOIN staff s ON s.id = a.clinician_id \
     JOIN appointment_types t ON t.id = a.type_id WHERE a.deleted_at IS NULL";

fn read_card(r: &Row<'_>, zone: &ClinicZone) -> rusqlite::Result<AppointmentCard> {
    let uuid =
        |i: usize| -> rusqlite::Result<Uuid> { Uuid::parse_str(&r.get::<_, String>(i)?).map_err(|e| bad_column(i, e)) };
    let time =
        |i: usize| -> rusqlite::Result<Timestamp> { r.get::<_, String>(i)?.parse().map_err(|e| bad_column(i, e)) };
    let status: String = r.get(9)?;
    let arrived: Option<String> = r.get(13)?;
    let (starts_at, ends_at) = (time(11)?, time(12)?);
    Ok(AppointmentCard {
        id: uuid(0)?,
        patient_id: uuid(1)?,
        patient_name: r.get(2)?,
        clinician_id: uuid(3)?,
        clinician_name: r.get(4)?,
        type_id: uuid(5)?,
        type_name: r.get(6)?,
        colour: r.get(7)?,
        telemedicine: r.get(8)?,
        status: AppointmentStatus::parse(&status).map_err(|e| bad_column(9, e))?,
        overbooked: r.get(10)?,
        starts_at,
        ends_at,
        local_start: zone.local(starts_at),
        local_end: zone.local(ends_at),
        arrived_at: arrived.map(|a| a.parse().map_err(|e| bad_column(13, e))).transpose()?,
        special_needs: SpecialNeeds { interpreter_language: r.get(14)?, accessibility: r.get(15)?, notes: r.get(16)? },
    })
}

/// Cards starting in `[from, to)`, of one clinician or everyone, by start time then clinician.
fn cards(
    conn: &Connection,
    zone: &ClinicZone,
    from: Timestamp,
    to: Timestamp,
    clinician: Option<Uuid>,
) -> CoreResult<Vec<AppointmentCard>> {
    let sql = [CARD, " AND a.starts_at >= ?1 AND a.starts_at < ?2 AND (?3 IS NULL OR a.clinician_id = ?3) ORDER BY a.starts_at, s.display_name"]
        .concat();
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![to_db_time(from), to_db_time(to), clinician.map(|c| c.to_string())], |r| {
        read_card(r, zone)
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn local_periods(zone: &ClinicZone, intervals: &[Interval]) -> Vec<LocalPeriod> {
    intervals
        .iter()
        .map(|i| LocalPeriod { start: zone.local_seconds(i.start), end: zone.local_seconds(i.end) })
        .collect()
}

fn schedule_day(cal: &Calendar, date: Date, id: Uuid, name: &str, all: &[AppointmentCard]) -> ScheduleDay {
    let zone = cal.zone();
    let (start, end) = zone.day_bounds(date);
    ScheduleDay {
        date,
        clinician_id: id,
        clinician_name: name.to_owned(),
        open: local_periods(zone, &cal.open(id, date)),
        on_leave: cal.leave_overlapping(id, Interval::of(start, end)).is_some(),
        appointments: all
            .iter()
            .filter(|c| c.clinician_id == id && c.starts_at >= start && c.starts_at < end)
            .cloned()
            .collect(),
    }
}

/// A day for all clinicians: their open hours and every appointment.
pub fn day_view(clinic: &Clinic, session: SessionId, date: Date) -> CoreResult<DayView> {
    clinic.authorize(session, Permission::AppointmentRead)?;
    clinic.read(|conn| {
        let zone = ClinicZone::load(conn)?;
        let (start, end) = zone.day_bounds(date);
        let cal = Calendar::load(conn, &zone, start, end)?;
        let all = cards(conn, &zone, start, end, None)?;
        let columns = clinicians::all(conn)?
            .into_iter()
            .filter(|(c, _)| c.active || all.iter().any(|a| a.clinician_id == c.staff_id))
            .map(|(c, _)| schedule_day(&cal, date, c.staff_id, &c.display_name, &all))
            .collect();
        Ok(DayView { date, closure: cal.closure(date).map(str::to_owned), columns })
    })
}

/// The week (Monday to Sunday) containing `date`, for one clinician.
pub fn week_view(clinic: &Clinic, session: SessionId, clinician_id: Uuid, date: Date) -> CoreResult<Vec<ScheduleDay>> {
    clinic.authorize(session, Permission::AppointmentRead)?;
    clinic.read(|conn| {
        let zone = ClinicZone::load(conn)?;
        let clinician = clinicians::find(conn, clinician_id)?
            .ok_or_else(|| CoreError::not_found("This clinician does not exist."))?;
        let monday = date
            .checked_sub(jiff::Span::new().days(i64::from(date.weekday().to_monday_zero_offset())))
            .map_err(CoreError::internal)?;
        let sunday = monday.checked_add(jiff::Span::new().days(6)).map_err(CoreError::internal)?;
        let (start, end) = (zone.day_bounds(monday).0, zone.day_bounds(sunday).1);
        let cal = Calendar::load(conn, &zone, start, end)?;
        let all = cards(conn, &zone, start, end, Some(clinician_id))?;
        Ok(days(monday, sunday).map(|d| schedule_day(&cal, d, clinician_id, &clinician.display_name, &all)).collect())
    })
}

/// Counts per day of a month (all clinicians, or one).
pub fn month_overview(
    clinic: &Clinic,
    session: SessionId,
    year: i16,
    month: i8,
    clinician_id: Option<Uuid>,
) -> CoreResult<Vec<DayCount>> {
    clinic.authorize(session, Permission::AppointmentRead)?;
    let first =
        Date::new(year, month, 1).map_err(|_| CoreError::validation("month", "Choose a month from 1 to 12."))?;
    let last = first.last_of_month();
    clinic.read(|conn| {
        let zone = ClinicZone::load(conn)?;
        let (start, end) = (zone.day_bounds(first).0, zone.day_bounds(last).1);
        let cal = Calendar::load(conn, &zone, start, end)?;
        let mut counts: Vec<DayCount> = days(first, last)
            .map(|date| DayCount { date, appointments: 0, cancelled: 0, no_show: 0, closed: cal.closure(date).is_some() })
            .collect();
        let mut stmt = conn.prepare_cached(
            "SELECT a.starts_at, a.status FROM appointments a
             WHERE a.deleted_at IS NULL AND a.starts_at >= ?1 AND a.starts_at < ?2 AND (?3 IS NULL OR a.clinician_id = ?3)",
        )?;
        let mut rows = stmt.query(params![to_db_time(start), to_db_time(end), clinician_id.map(|c| c.to_string())])?;
        while let Some(r) = rows.next()? {
            let at: Timestamp = r.get::<_, String>(0)?.parse().map_err(CoreError::internal)?;
            let status = AppointmentStatus::parse(&r.get::<_, String>(1)?)?;
            let Some(day) = counts.iter_mut().find(|c| c.date == zone.local(at).date()) else { continue };
            match status {
                AppointmentStatus::Cancelled => day.cancelled += 1,
                AppointmentStatus::NoShow => day.no_show += 1,
                _ => day.appointments += 1,
            }
        }
        Ok(counts)
    })
}

/// Today's checked-in patients who are not yet with a clinician, in arrival order, with how long they have waited.
pub fn waiting_room(clinic: &Clinic, session: SessionId) -> CoreResult<Vec<WaitingPatient>> {
    clinic.authorize(session, Permission::AppointmentRead)?;
    let now = clinic.env.clock.now();
    clinic.read(|conn| {
        let zone = ClinicZone::load(conn)?;
        let (start, end) = zone.day_bounds(zone.today(now));
        let mut waiting: Vec<WaitingPatient> = cards(conn, &zone, start, end, None)?
            .into_iter()
            .filter(|c| c.status == AppointmentStatus::Arrived)
            .map(|c| {
                let minutes = c.arrived_at.map_or(0, |a| now.duration_since(a).as_mins().max(0));
                WaitingPatient { appointment: c, waiting_minutes: u32::try_from(minutes).unwrap_or(u32::MAX) }
            })
            .collect();
        waiting.sort_by_key(|w| (w.appointment.arrived_at, w.appointment.starts_at));
        Ok(waiting)
    })
}

/// The signed-in clinician's appointments today.
pub fn my_day(clinic: &Clinic, session: SessionId) -> CoreResult<Vec<AppointmentCard>> {
    let actor = clinic.authorize(session, Permission::AppointmentRead)?;
    let now = clinic.env.clock.now();
    clinic.read(|conn| {
        let zone = ClinicZone::load(conn)?;
        let (start, end) = zone.day_bounds(zone.today(now));
        cards(conn, &zone, start, end, Some(actor.staff_id))
    })
}

/// A patient's appointments, for the patient page.
pub fn patient_appointments(clinic: &Clinic, session: SessionId, patient_id: Uuid) -> CoreResult<PatientAppointments> {
    clinic.authorize(session, Permission::AppointmentRead)?;
    let now = clinic.env.clock.now();
    clinic.read(|conn| {
        let zone = ClinicZone::load(conn)?;
        let sql = [CARD, " AND a.patient_id = ?1 ORDER BY a.starts_at"].concat();
        let mut stmt = conn.prepare_cached(&sql)?;
        let all: Vec<AppointmentCard> =
            stmt.query_map([patient_id.to_string()], |r| read_card(r, &zone))?.collect::<Result<_, _>>()?;
        let (upcoming, mut past): (Vec<_>, Vec<_>) = all.into_iter().partition(|c| c.ends_at > now);
        past.reverse();
        Ok(PatientAppointments { upcoming, past })
    })
}
