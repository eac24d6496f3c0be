//! The waitlist: patients waiting for an earlier slot with a clinician (or anyone), of a type, within a date
//! range and optionally a part of the day. When a slot frees (a cancellation or a move), reception is offered the
//! first matching patients in the order they were added; an offer is booked (closing the entry) or skipped.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::appointments::book::book_in;
use super::appointments::store::{self as appointment_store, Whose, overlapping};
use super::model::{BookOutcome, BookingDraft, WaitlistOffer};
use super::record::{self, Change, bad_column, text};
use super::time::{ClinicZone, TimeOfDay};
use super::{clinicians, types};
use crate::accounts::SessionId;
use crate::accounts::sessions::Actor;
use crate::audit::AuditAction;
use crate::clock::to_db_time;
use crate::rbac::Permission;
use crate::{Clinic, CoreError, CoreResult};

/// How many waiting patients a freed slot offers at most.
pub const OFFERS: usize = 3;

/// The waitlist form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WaitlistDraft {
    pub patient_id: Uuid,
    /// None: any clinician.
    pub clinician_id: Option<Uuid>,
    pub type_id: Uuid,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub from_date: Date,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub to_date: Date,
    #[serde(default)]
    pub time_of_day: TimeOfDay,
    #[serde(default)]
    pub notes: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum WaitlistStatus {
    Waiting,
    /// Booked from an offer (the appointment is named).
    Booked,
    Removed,
}

/// A waitlist entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WaitlistEntry {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub patient_name: String,
    pub clinician_id: Option<Uuid>,
    pub type_id: Uuid,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub from_date: Date,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub to_date: Date,
    pub time_of_day: TimeOfDay,
    pub notes: String,
    pub status: WaitlistStatus,
    pub appointment_id: Option<Uuid>,
    /// How many offers were skipped for this entry (it keeps its place).
    pub skips: u32,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub row_version: i64,
}

const SELECT: &str = "SELECT w.id, w.patient_id, p.family_name || ', ' || p.given_name, w.clinician_id, w.type_id, \
     w.from_date, w.to_date, w.time_of_day, w.notes, w.status, w.appointment_id, w.skips, w.row_version \
     FROM waitlist_entries w JOIN patients p ON p.id = w.patient_id WHERE w.deleted_at IS NULL";

fn read(r: &Row<'_>) -> rusqlite::Result<WaitlistEntry> {
    let uuid =
        |i: usize| -> rusqlite::Result<Uuid> { Uuid::parse_str(&r.get::<_, String>(i)?).map_err(|e| bad_column(i, e)) };
    let opt_uuid = |i: usize| -> rusqlite::Result<Option<Uuid>> {
        r.get::<_, Option<String>>(i)?.map(|t| Uuid::parse_str(&t).map_err(|e| bad_column(i, e))).transpose()
    };
    let date = |i: usize| -> rusqlite::Result<Date> { r.get::<_, String>(i)?.parse().map_err(|e| bad_column(i, e)) };
    let time_of_day: String = r.get(7)?;
    let status: String = r.get(9)?;
    Ok(WaitlistEntry {
        id: uuid(0)?,
        patient_id: uuid(1)?,
        patient_name: r.get(2)?,
        clinician_id: opt_uuid(3)?,
        type_id: uuid(4)?,
        from_date: date(5)?,
        to_date: date(6)?,
        time_of_day: serde_json::from_str(&time_of_day).map_err(|e| bad_column(7, e))?,
        notes: r.get(8)?,
        status: serde_json::from_value(json!(status)).map_err(|e| bad_column(9, e))?,
        appointment_id: opt_uuid(10)?,
        skips: r.get(11)?,
        row_version: r.get(12)?,
    })
}

fn get(conn: &Connection, id: Uuid) -> CoreResult<WaitlistEntry> {
    let sql = [SELECT, " AND w.id = ?1"].concat();
    conn.prepare_cached(&sql)?
        .query_row([id.to_string()], read)
        .optional()?
        .ok_or_else(|| CoreError::not_found("This waitlist entry does not exist."))
}

/// Puts a patient on the waitlist.
pub fn add_to_waitlist(clinic: &Clinic, session: SessionId, draft: &WaitlistDraft) -> CoreResult<WaitlistEntry> {
    let actor = clinic.authorize(session, Permission::AppointmentWrite)?;
    let notes = text("notes", &draft.notes, 500, "The note")?;
    let time_of_day = draft.time_of_day.validate("time_of_day")?;
    if draft.to_date < draft.from_date {
        return Err(CoreError::validation("to_date", "The last date must be on or after the first date."));
    }
    clinic.write(|tx| {
        appointment_store::bookable_patient(tx, draft.patient_id)?;
        if let Some(clinician) = draft.clinician_id {
            clinicians::bookable(tx, clinician, "clinician_id")?;
        }
        types::bookable(tx, draft.type_id)?;
        let today = ClinicZone::load(tx)?.today(clinic.env.clock.now());
        if draft.to_date < today {
            return Err(CoreError::validation("to_date", "These dates have already passed."));
        }
        let id = clinic.env.ids.new_id();
        let now = to_db_time(clinic.env.clock.now());
        tx.execute(
            "INSERT INTO waitlist_entries (id, patient_id, clinician_id, type_id, from_date, to_date, time_of_day, notes,
                                           status, created_at, created_by, updated_at, updated_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'waiting', ?9, ?10, ?9, ?10)",
            params![
                id.to_string(),
                draft.patient_id.to_string(),
                draft.clinician_id.map(|c| c.to_string()),
                draft.type_id.to_string(),
                draft.from_date.to_string(),
                draft.to_date.to_string(),
                serde_json::to_string(&time_of_day)?,
                notes,
                now,
                actor.staff_id.to_string()
            ],
        )?;
        let entry = get(tx, id)?;
        let args = json!({
            "patient_id": entry.patient_id, "clinician_id": entry.clinician_id, "type_id": entry.type_id,
            "from_date": entry.from_date, "to_date": entry.to_date, "time_of_day": entry.time_of_day, "notes": entry.notes,
        });
        change(clinic, tx, &actor, &entry, "waitlist.add", args, None, "add")?;
        Ok(entry)
    })
}

#[allow(clippy::too_many_arguments)]
fn change(
    clinic: &Clinic,
    tx: &Connection,
    actor: &Actor,
    entry: &WaitlistEntry,
    mutation: &str,
    args: serde_json::Value,
    base: Option<i64>,
    detail: &str,
) -> CoreResult<()> {
    record::record(
        clinic,
        tx,
        actor,
        Change {
            mutation,
            entity: "waitlist_entry",
            entity_id: entry.id,
            args,
            base_row_version: base,
            action: AuditAction::WaitlistChange,
            patient_id: Some(entry.patient_id),
            detail,
        },
    )
}

fn waiting(conn: &Connection, id: Uuid) -> CoreResult<WaitlistEntry> {
    let entry = get(conn, id)?;
    if entry.status != WaitlistStatus::Waiting {
        return Err(CoreError::conflict("This patient is no longer waiting (booked or removed). Reload the waitlist."));
    }
    Ok(entry)
}

/// Takes a patient off the waitlist.
pub fn remove_from_waitlist(clinic: &Clinic, session: SessionId, id: Uuid) -> CoreResult<WaitlistEntry> {
    let actor = clinic.authorize(session, Permission::AppointmentWrite)?;
    clinic.write(|tx| {
        let entry = waiting(tx, id)?;
        set(tx, clinic, &actor, id, "status = 'removed'", &[])?;
        change(
            clinic,
            tx,
            &actor,
            &entry,
            "waitlist.remove",
            json!({ "status": "removed" }),
            Some(entry.row_version),
            "remove",
        )?;
        get(tx, id)
    })
}

/// Skips an offer: the entry keeps its place (its skip count goes up) and the next patient can be offered.
pub fn skip_offer(clinic: &Clinic, session: SessionId, id: Uuid) -> CoreResult<WaitlistEntry> {
    let actor = clinic.authorize(session, Permission::AppointmentWrite)?;
    clinic.write(|tx| {
        let entry = waiting(tx, id)?;
        set(tx, clinic, &actor, id, "skips = skips + 1", &[])?;
        change(
            clinic,
            tx,
            &actor,
            &entry,
            "waitlist.skip",
            json!({ "skips": entry.skips + 1 }),
            Some(entry.row_version),
            "skip",
        )?;
        get(tx, id)
    })
}

/// Books an offer with the normal rules, and closes the entry, in one transaction. `start` is local time.
pub fn book_from_waitlist(
    clinic: &Clinic,
    session: SessionId,
    id: Uuid,
    clinician_id: Uuid,
    start: DateTime,
    confirm_overbooking: bool,
) -> CoreResult<BookOutcome> {
    let actor = clinic.authorize(session, Permission::AppointmentWrite)?;
    clinic.write(|tx| {
        let entry = waiting(tx, id)?;
        if entry.clinician_id.is_some_and(|c| c != clinician_id) {
            return Err(CoreError::validation("clinician_id", "This patient is waiting for another clinician."));
        }
        let draft = BookingDraft {
            patient_id: entry.patient_id,
            clinician_id,
            type_id: entry.type_id,
            start,
            duration_minutes: None,
            special_needs: Default::default(),
        };
        let outcome = book_in(clinic, tx, &actor, &draft, confirm_overbooking)?;
        if let BookOutcome::Booked(appointment) = &outcome {
            let appointment_id = appointment.id.to_string();
            set(tx, clinic, &actor, id, "status = 'booked', appointment_id = ?", &[&appointment_id])?;
            let args = json!({ "status": "booked", "appointment_id": appointment.id });
            change(clinic, tx, &actor, &entry, "waitlist.book", args, Some(entry.row_version), "book")?;
        }
        Ok(outcome)
    })
}

/// Sets columns of one entry (`set_sql` is fixed text from this module) and bumps its version.
fn set(
    tx: &Connection,
    clinic: &Clinic,
    actor: &Actor,
    id: Uuid,
    set_sql: &'static str,
    values: &[&dyn rusqlite::ToSql],
) -> CoreResult<()> {
    let sql = [
        "UPDATE waitlist_entries SET ",
        set_sql,
        ", row_version = row_version + 1, updated_at = ?, updated_by = ? WHERE id = ?",
    ]
    .concat();
    let (at, by, id) = (to_db_time(clinic.env.clock.now()), actor.staff_id.to_string(), id.to_string());
    let mut all: Vec<&dyn rusqlite::ToSql> = values.to_vec();
    all.extend([&at as &dyn rusqlite::ToSql, &by, &id]);
    tx.execute(&sql, all.as_slice())?;
    Ok(())
}

/// Patients still waiting, first come first.
pub fn list_waitlist(clinic: &Clinic, session: SessionId) -> CoreResult<Vec<WaitlistEntry>> {
    clinic.authorize(session, Permission::AppointmentRead)?;
    clinic.read(|conn| {
        let sql = [SELECT, " AND w.status = 'waiting' ORDER BY w.created_at, w.rowid"].concat();
        let mut stmt = conn.prepare_cached(&sql)?;
        Ok(stmt.query_map([], read)?.collect::<Result<_, _>>()?)
    })
}

/// The first waiting patients who fit a free slot `[start, end)` (local times) with a clinician.
pub fn offers_for_slot(
    clinic: &Clinic,
    session: SessionId,
    clinician_id: Uuid,
    start: DateTime,
    end: DateTime,
    limit: usize,
) -> CoreResult<Vec<WaitlistOffer>> {
    clinic.authorize(session, Permission::AppointmentRead)?;
    clinic.read(|conn| {
        let zone = ClinicZone::load(conn)?;
        let (start, end) = (zone.instant("start", start)?, zone.instant("end", end)?);
        offers_in(conn, &zone, clinician_id, start, end, limit.min(50))
    })
}

/// [`offers_for_slot`] on instants, inside a transaction: entries in order that accept this clinician, whose
/// type fits the slot, whose dates and part of the day include its start, and whose patient is free then.
pub(crate) fn offers_in(
    conn: &Connection,
    zone: &ClinicZone,
    clinician_id: Uuid,
    start: Timestamp,
    end: Timestamp,
    limit: usize,
) -> CoreResult<Vec<WaitlistOffer>> {
    let local = zone.local(start);
    let sql = [
        SELECT,
        " AND w.status = 'waiting' AND (w.clinician_id IS NULL OR w.clinician_id = ?1) AND w.from_date <= ?2 AND w.to_date >= ?2
         ORDER BY w.created_at, w.rowid",
    ]
    .concat();
    let mut stmt = conn.prepare_cached(&sql)?;
    let entries: Vec<WaitlistEntry> =
        stmt.query_map(params![clinician_id.to_string(), local.date().to_string()], read)?.collect::<Result<_, _>>()?;
    let slot_minutes = end.duration_since(start).as_mins();
    let mut offers = Vec::new();
    for entry in entries {
        if offers.len() >= limit {
            break;
        }
        let kind = types::get(conn, entry.type_id)?;
        let fits =
            kind.active && i64::from(kind.duration_minutes) <= slot_minutes && entry.time_of_day.contains(local.time());
        if !fits {
            continue;
        }
        let their_end = start + crate::scheduling::time::minutes(kind.duration_minutes);
        if !overlapping(conn, Whose::Patient(entry.patient_id), start, their_end, None)?.is_empty() {
            continue;
        }
        offers.push(WaitlistOffer {
            entry_id: entry.id,
            patient_id: entry.patient_id,
            patient_name: entry.patient_name,
            type_id: entry.type_id,
            clinician_id,
            local_start: local,
            duration_minutes: kind.duration_minutes,
        });
    }
    Ok(offers)
}
