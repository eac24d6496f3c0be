//! Reading and writing appointment rows, and the indexed look-ups the rules need: a clinician's or a patient's
//! appointments overlapping a time, and the appointments a closure or leave touches.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row, params};
use uuid::Uuid;

use crate::clock::to_db_time;
use crate::scheduling::model::{AffectedAppointment, Appointment, AppointmentStatus, SpecialNeeds};
use crate::scheduling::record::bad_column;
use crate::scheduling::time::ClinicZone;
use crate::scheduling::types::MAX_DURATION_MINUTES;
use crate::{CoreError, CoreResult};

pub(crate) const COLUMNS: &str = "a.id, a.patient_id, a.clinician_id, a.type_id, a.starts_at, a.ends_at, a.status, \
     a.series_id, a.overbooked, a.interpreter_language, a.accessibility, a.notes, a.meeting_link, a.recording_consent, \
     a.consent_recorded_by, a.consent_recorded_at, a.arrived_at, a.started_at, a.completed_at, a.cancelled_at, \
     a.cancel_reason, a.no_show_at, a.status_changed_at, a.status_changed_by, a.created_at, a.created_by, \
     a.updated_at, a.updated_by, a.row_version";

/// The statuses that hold their time, as SQL text (cancelled and no-show appointments free it).
pub(crate) const HOLDS_TIME: &str = "a.status IN ('booked', 'arrived', 'in_consultation', 'completed')";

fn uuid_at(r: &Row<'_>, i: usize) -> rusqlite::Result<Uuid> {
    let text: String = r.get(i)?;
    Uuid::parse_str(&text).map_err(|e| bad_column(i, e))
}

fn opt_uuid(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<Uuid>> {
    let text: Option<String> = r.get(i)?;
    text.map(|t| Uuid::parse_str(&t).map_err(|e| bad_column(i, e))).transpose()
}

fn time_at(r: &Row<'_>, i: usize) -> rusqlite::Result<Timestamp> {
    let text: String = r.get(i)?;
    text.parse().map_err(|e| bad_column(i, e))
}

fn opt_time(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<Timestamp>> {
    let text: Option<String> = r.get(i)?;
    text.map(|t| t.parse().map_err(|e| bad_column(i, e))).transpose()
}

/// Reads the [`COLUMNS`] of a row, starting at column 0.
pub(crate) fn read(r: &Row<'_>, zone: &ClinicZone) -> rusqlite::Result<Appointment> {
    let status: String = r.get(6)?;
    let starts_at = time_at(r, 4)?;
    let ends_at = time_at(r, 5)?;
    Ok(Appointment {
        id: uuid_at(r, 0)?,
        patient_id: uuid_at(r, 1)?,
        clinician_id: uuid_at(r, 2)?,
        type_id: uuid_at(r, 3)?,
        starts_at,
        ends_at,
        local_start: zone.local(starts_at),
        local_end: zone.local(ends_at),
        status: AppointmentStatus::parse(&status).map_err(|e| bad_column(6, e))?,
        series_id: opt_uuid(r, 7)?,
        overbooked: r.get(8)?,
        special_needs: SpecialNeeds { interpreter_language: r.get(9)?, accessibility: r.get(10)?, notes: r.get(11)? },
        meeting_link: r.get(12)?,
        recording_consent: r.get(13)?,
        consent_recorded_by: opt_uuid(r, 14)?,
        consent_recorded_at: opt_time(r, 15)?,
        arrived_at: opt_time(r, 16)?,
        started_at: opt_time(r, 17)?,
        completed_at: opt_time(r, 18)?,
        cancelled_at: opt_time(r, 19)?,
        cancel_reason: r.get(20)?,
        no_show_at: opt_time(r, 21)?,
        status_changed_at: time_at(r, 22)?,
        status_changed_by: opt_uuid(r, 23)?,
        created_at: time_at(r, 24)?,
        created_by: opt_uuid(r, 25)?,
        updated_at: time_at(r, 26)?,
        updated_by: opt_uuid(r, 27)?,
        row_version: r.get(28)?,
    })
}

pub(crate) fn get(conn: &Connection, zone: &ClinicZone, id: Uuid) -> CoreResult<Appointment> {
    let sql = ["SELECT ", COLUMNS, " FROM appointments a WHERE a.id = ?1 AND a.deleted_at IS NULL"].concat();
    conn.prepare_cached(&sql)?
        .query_row([id.to_string()], |r| read(r, zone))
        .optional()?
        .ok_or_else(|| CoreError::not_found("This appointment does not exist. Reload the calendar."))
}

fn text(t: Option<Timestamp>) -> Option<String> {
    t.map(to_db_time)
}

/// Inserts a new appointment as given (its row version included).
pub(crate) fn insert(conn: &Connection, a: &Appointment) -> CoreResult<()> {
    let ids = |u: Option<Uuid>| u.map(|u| u.to_string());
    conn.prepare_cached(
        "INSERT INTO appointments (id, patient_id, clinician_id, type_id, starts_at, ends_at, status, series_id,
             overbooked, interpreter_language, accessibility, notes, meeting_link, recording_consent,
             consent_recorded_by, consent_recorded_at, arrived_at, started_at, completed_at, cancelled_at,
             cancel_reason, no_show_at, status_changed_at, status_changed_by, created_at, created_by, updated_at,
             updated_by, row_version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,
                 ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)",
    )?
    .execute(params![
        a.id.to_string(),
        a.patient_id.to_string(),
        a.clinician_id.to_string(),
        a.type_id.to_string(),
        to_db_time(a.starts_at),
        to_db_time(a.ends_at),
        a.status.as_str(),
        ids(a.series_id),
        a.overbooked,
        a.special_needs.interpreter_language,
        a.special_needs.accessibility,
        a.special_needs.notes,
        a.meeting_link,
        a.recording_consent,
        ids(a.consent_recorded_by),
        text(a.consent_recorded_at),
        text(a.arrived_at),
        text(a.started_at),
        text(a.completed_at),
        text(a.cancelled_at),
        a.cancel_reason,
        text(a.no_show_at),
        to_db_time(a.status_changed_at),
        ids(a.status_changed_by),
        to_db_time(a.created_at),
        ids(a.created_by),
        to_db_time(a.updated_at),
        ids(a.updated_by),
        a.row_version,
    ])?;
    Ok(())
}

/// Sets some columns of one appointment and bumps its version. `set_sql` is fixed text from this module.
pub(crate) fn change(
    conn: &Connection,
    id: Uuid,
    set_sql: &str,
    values: &[&dyn rusqlite::ToSql],
    at: Timestamp,
    author: Uuid,
) -> CoreResult<()> {
    let sql = [
        "UPDATE appointments SET ",
        set_sql,
        ", row_version = row_version + 1, updated_at = ?, updated_by = ? WHERE id = ?",
    ]
    .concat();
    let (at, author, id) = (to_db_time(at), author.to_string(), id.to_string());
    let mut all: Vec<&dyn rusqlite::ToSql> = values.to_vec();
    all.extend([&at as &dyn rusqlite::ToSql, &author, &id]);
    conn.execute(&sql, all.as_slice())?;
    Ok(())
}

/// An appointment that holds time overlapping a candidate time.
#[derive(Debug, Clone)]
pub(crate) struct Overlap {
    pub id: Uuid,
    pub clinician_id: Uuid,
    pub clinician_name: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

/// Whose appointments to look at.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Whose {
    Clinician(Uuid),
    Patient(Uuid),
}

/// Appointments of a clinician or a patient overlapping `[start, end)`, except `exclude` (the one being moved).
/// Bounded by the longest appointment, so the `(clinician_id, starts_at)` / `(patient_id, starts_at)` indexes
/// answer it with a short range scan.
pub(crate) fn overlapping(
    conn: &Connection,
    whose: Whose,
    start: Timestamp,
    end: Timestamp,
    exclude: Option<Uuid>,
) -> CoreResult<Vec<Overlap>> {
    const BY_CLINICIAN: &str = "a.clinician_id = ?1";
    const BY_PATIENT: &str = "a.patient_id = ?1";
    let (filter, id) = match whose {
        Whose::Clinician(id) => (BY_CLINICIAN, id),
        Whose::Patient(id) => (BY_PATIENT, id),
    };
    let sql = [
        "SELECT a.id, a.clinician_id, s.display_name, a.starts_at, a.ends_at FROM appointments a
         JOIN staff s ON s.id = a.clinician_id
         WHERE ",
        filter,
        " AND a.deleted_at IS NULL AND a.starts_at < ?2 AND a.starts_at > ?3 AND a.ends_at > ?4 AND ",
        HOLDS_TIME,
        " AND a.id <> ?5 ORDER BY a.starts_at",
    ]
    .concat();
    let earliest = start - crate::scheduling::time::minutes(MAX_DURATION_MINUTES);
    let exclude = exclude.map(|e| e.to_string()).unwrap_or_default();
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![id.to_string(), to_db_time(end), to_db_time(earliest), to_db_time(start), exclude],
        |r| {
            Ok(Overlap {
                id: uuid_at(r, 0)?,
                clinician_id: uuid_at(r, 1)?,
                clinician_name: r.get(2)?,
                starts_at: time_at(r, 3)?,
                ends_at: time_at(r, 4)?,
            })
        },
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Booked or checked-in appointments overlapping `[start, end)` — of one clinician, or of everyone — with the
/// patient's name, for reception to move or cancel.
pub(crate) fn affected(
    conn: &Connection,
    zone: &ClinicZone,
    clinician: Option<Uuid>,
    start: Timestamp,
    end: Timestamp,
) -> CoreResult<Vec<AffectedAppointment>> {
    let earliest = start - crate::scheduling::time::minutes(MAX_DURATION_MINUTES);
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.patient_id, p.family_name || ', ' || p.given_name, a.clinician_id, t.name,
                a.starts_at, a.ends_at, a.status
         FROM appointments a JOIN patients p ON p.id = a.patient_id JOIN appointment_types t ON t.id = a.type_id
         WHERE (?1 IS NULL OR a.clinician_id = ?1) AND a.deleted_at IS NULL AND a.status IN ('booked', 'arrived')
           AND a.starts_at < ?2 AND a.starts_at > ?3 AND a.ends_at > ?4
         ORDER BY a.starts_at, a.clinician_id",
    )?;
    let rows = stmt.query_map(
        params![clinician.map(|c| c.to_string()), to_db_time(end), to_db_time(earliest), to_db_time(start)],
        |r| {
            let status: String = r.get(7)?;
            let (s, e) = (time_at(r, 5)?, time_at(r, 6)?);
            Ok(AffectedAppointment {
                appointment_id: uuid_at(r, 0)?,
                patient_id: uuid_at(r, 1)?,
                patient_name: r.get(2)?,
                clinician_id: uuid_at(r, 3)?,
                type_name: r.get(4)?,
                local_start: zone.local(s),
                local_end: zone.local(e),
                status: AppointmentStatus::parse(&status).map_err(|e| bad_column(7, e))?,
            })
        },
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A patient who can be booked: exists, not deleted, not merged into another record.
pub(crate) fn bookable_patient(conn: &Connection, id: Uuid) -> CoreResult<String> {
    let row: Option<(String, Option<String>, Option<String>)> = conn
        .prepare_cached(
            "SELECT family_name || ', ' || given_name, deleted_at, merged_into FROM patients WHERE id = ?1",
        )?
        .query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    match row {
        None => Err(CoreError::validation("patient_id", "This patient does not exist. Search for the patient again.")),
        Some((_, Some(_), _)) => Err(CoreError::validation(
            "patient_id",
            "This patient's record was deleted. Search for the patient's current record.",
        )),
        Some((_, _, Some(_))) => Err(CoreError::validation(
            "patient_id",
            "This record was merged into another one. Book on the record it was merged into.",
        )),
        Some((name, None, None)) => Ok(name),
    }
}
