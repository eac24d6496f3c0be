//! Clinicians' availability as administrators set it: weekly working templates (work periods and breaks in
//! local time), extra sessions, and clinic-wide closures. Leave is in `leave.rs`; how these combine is `hours.rs`.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::appointments::store::affected;
use super::clinicians;
use super::model::AffectedAppointment;
use super::record::{self, Change, now_text, parse_uuid, text};
use super::time::{ClinicZone, day_label};
use crate::accounts::SessionId;
use crate::audit::AuditAction;
use crate::clock::{from_db_time, to_db_time};
use crate::rbac::Permission;
use crate::{Clinic, CoreError, CoreResult};

/// Whether a template period is working time or a break inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Work,
    Break,
}

/// One line of a weekly template, in the clinic's local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WorkingPeriod {
    /// ISO weekday: 1 Monday … 7 Sunday.
    pub weekday: u8,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub start: Time,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub end: Time,
    pub kind: PeriodKind,
}

/// A clinician's weekly template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WeeklyTemplate {
    pub clinician_id: Uuid,
    pub periods: Vec<WorkingPeriod>,
}

/// Hours worked outside the template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExtraSession {
    pub id: Uuid,
    pub clinician_id: Uuid,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub local_start: DateTime,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub local_end: DateTime,
    pub note: String,
}

/// A whole local day the clinic is closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Closure {
    pub id: Uuid,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub day: Date,
    pub name: String,
}

/// A new closure and the booked appointments on that day, for reception to move or cancel (nothing is
/// cancelled by closing a day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClosureAdded {
    pub closure: Closure,
    pub affected: Vec<AffectedAppointment>,
}

fn validate_periods(periods: &[WorkingPeriod]) -> CoreResult<Vec<WorkingPeriod>> {
    if periods.len() > 100 {
        return Err(CoreError::validation("periods", "A weekly template has at most 100 periods."));
    }
    let mut clean: Vec<WorkingPeriod> = Vec::with_capacity(periods.len());
    for (i, p) in periods.iter().enumerate() {
        let field = ["periods[", &i.to_string(), "]"].concat();
        if !(1..=7).contains(&p.weekday) {
            return Err(CoreError::validation(&field, "Choose a weekday (Monday to Sunday)."));
        }
        let whole_minutes = |t: Time| t.second() == 0 && t.subsec_nanosecond() == 0;
        if !whole_minutes(p.start) || !whole_minutes(p.end) {
            return Err(CoreError::validation(&field, "Give times in whole minutes, e.g. 09:00 or 13:30."));
        }
        if p.start >= p.end {
            return Err(CoreError::validation(
                &field,
                "The end of a period must be after its start (on the same day).",
            ));
        }
        let clash = clean.iter().find(|o| {
            o.kind == PeriodKind::Work
                && p.kind == PeriodKind::Work
                && o.weekday == p.weekday
                && o.start < p.end
                && p.start < o.end
        });
        if let Some(other) = clash {
            return Err(CoreError::validation(
                &field,
                [
                    "This period overlaps the one at ",
                    &other.start.strftime("%H:%M").to_string(),
                    "\u{2013}",
                    &other.end.strftime("%H:%M").to_string(),
                    " on the same day. Merge them or change the times.",
                ]
                .concat(),
            ));
        }
        clean.push(*p);
    }
    clean.sort_by_key(|p| (p.weekday, p.start, p.kind == PeriodKind::Break));
    Ok(clean)
}

/// Replaces a clinician's weekly template (administrators). Appointments already booked stay where they are.
pub fn set_weekly_template(
    clinic: &Clinic,
    session: SessionId,
    clinician_id: Uuid,
    periods: &[WorkingPeriod],
) -> CoreResult<WeeklyTemplate> {
    let actor = clinic.authorize(session, Permission::ScheduleManage)?;
    let periods = validate_periods(periods)?;
    clinic.write(|tx| {
        clinicians::bookable(tx, clinician_id, "clinician_id")?;
        let base: Option<i64> = tx
            .query_row(
                "SELECT row_version FROM working_templates WHERE clinician_id = ?1",
                [clinician_id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        tx.execute(
            "INSERT INTO working_templates (clinician_id, periods, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (clinician_id) DO UPDATE SET periods = excluded.periods, deleted_at = NULL,
                 row_version = row_version + 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            params![
                clinician_id.to_string(),
                serde_json::to_string(&periods)?,
                now_text(clinic),
                actor.staff_id.to_string()
            ],
        )?;
        let template = WeeklyTemplate { clinician_id, periods: periods.clone() };
        record::record(
            clinic,
            tx,
            &actor,
            Change {
                mutation: "availability.set_template",
                entity: "working_template",
                entity_id: clinician_id,
                args: serde_json::to_value(&template)?,
                base_row_version: base,
                action: AuditAction::ScheduleChange,
                patient_id: None,
                detail: "working_template",
            },
        )?;
        Ok(template)
    })
}

/// A clinician's weekly template (empty when none was set).
pub fn weekly_template(clinic: &Clinic, session: SessionId, clinician_id: Uuid) -> CoreResult<WeeklyTemplate> {
    clinic.authorize(session, Permission::AppointmentRead)?;
    clinic.read(|conn| {
        let periods: Option<String> = conn
            .query_row(
                "SELECT periods FROM working_templates WHERE clinician_id = ?1 AND deleted_at IS NULL",
                [clinician_id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        let periods = periods.map(|p| serde_json::from_str(&p)).transpose()?.unwrap_or_default();
        Ok(WeeklyTemplate { clinician_id, periods })
    })
}

/// Adds hours outside the template, e.g. a Saturday morning (administrators).
pub fn add_extra_session(
    clinic: &Clinic,
    session: SessionId,
    clinician_id: Uuid,
    local_start: DateTime,
    local_end: DateTime,
    note: &str,
) -> CoreResult<ExtraSession> {
    let actor = clinic.authorize(session, Permission::ScheduleManage)?;
    let note = text("note", note, 200, "The note")?;
    clinic.write(|tx| {
        let zone = ClinicZone::load(tx)?;
        clinicians::bookable(tx, clinician_id, "clinician_id")?;
        let start = zone.instant("local_start", local_start)?;
        let end = zone.instant("local_end", local_end)?;
        if end <= start || end.duration_since(start).as_hours() > 24 {
            return Err(CoreError::validation("local_end", "The session must end after it starts, within 24 hours."));
        }
        let id = clinic.env.ids.new_id();
        let now = now_text(clinic);
        tx.execute(
            "INSERT INTO extra_sessions (id, clinician_id, starts_at, ends_at, note, created_at, updated_at, updated_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
            params![id.to_string(), clinician_id.to_string(), to_db_time(start), to_db_time(end), note, now, actor.staff_id.to_string()],
        )?;
        let extra = ExtraSession { id, clinician_id, local_start: zone.local(start), local_end: zone.local(end), note };
        let args = serde_json::json!({ "clinician_id": clinician_id, "starts_at": start, "ends_at": end, "note": extra.note });
        record::record(
            clinic,
            tx,
            &actor,
            Change {
                mutation: "availability.add_extra_session",
                entity: "extra_session",
                entity_id: id,
                args,
                base_row_version: None,
                action: AuditAction::ScheduleChange,
                patient_id: None,
                detail: "extra_session",
            },
        )?;
        Ok(extra)
    })
}

/// Removes an extra session (a tombstone, so sync carries it). Appointments in it stay booked.
pub fn remove_extra_session(clinic: &Clinic, session: SessionId, id: Uuid) -> CoreResult<()> {
    let actor = clinic.authorize(session, Permission::ScheduleManage)?;
    clinic.write(|tx| {
        tombstone(clinic, tx, &actor, "extra_sessions", "extra_session", id, "availability.remove_extra_session")
    })
}

/// A clinician's extra sessions starting on the given local days.
pub fn list_extra_sessions(
    clinic: &Clinic,
    session: SessionId,
    clinician_id: Uuid,
    from: Date,
    to: Date,
) -> CoreResult<Vec<ExtraSession>> {
    clinic.authorize(session, Permission::AppointmentRead)?;
    clinic.read(|conn| {
        let zone = ClinicZone::load(conn)?;
        let (lo, hi) = (zone.day_bounds(from).0, zone.day_bounds(to).1);
        let mut stmt = conn.prepare_cached(
            "SELECT id, starts_at, ends_at, note FROM extra_sessions
             WHERE clinician_id = ?1 AND deleted_at IS NULL AND starts_at >= ?2 AND starts_at < ?3 ORDER BY starts_at",
        )?;
        let rows: Vec<(String, String, String, String)> = stmt
            .query_map(params![clinician_id.to_string(), to_db_time(lo), to_db_time(hi)], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(id, start, end, note)| {
                Ok(ExtraSession {
                    id: parse_uuid(&id)?,
                    clinician_id,
                    local_start: zone.local(from_db_time(&start)?),
                    local_end: zone.local(from_db_time(&end)?),
                    note,
                })
            })
            .collect()
    })
}

/// Closes the clinic for a whole local day (administrators). Returns the booked appointments that day; they
/// are left booked for reception to move or cancel with notice.
pub fn add_closure(clinic: &Clinic, session: SessionId, day: Date, name: &str) -> CoreResult<ClosureAdded> {
    let actor = clinic.authorize(session, Permission::ScheduleManage)?;
    let name = text("name", name, 100, "The name")?;
    if name.is_empty() {
        return Err(CoreError::validation("name", "Say why the clinic is closed, e.g. Easter Monday."));
    }
    clinic.write(|tx| {
        let zone = ClinicZone::load(tx)?;
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM clinic_closures WHERE day = ?1 AND deleted_at IS NULL)",
            [day.to_string()],
            |r| r.get(0),
        )?;
        if taken {
            return Err(CoreError::validation(
                "day",
                ["The clinic is already closed on ", &day_label(day), "."].concat(),
            ));
        }
        let id = clinic.env.ids.new_id();
        let now = now_text(clinic);
        tx.execute(
            "INSERT INTO clinic_closures (id, day, name, created_at, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
            params![id.to_string(), day.to_string(), name, now, actor.staff_id.to_string()],
        )?;
        let closure = Closure { id, day, name };
        record::record(
            clinic,
            tx,
            &actor,
            Change {
                mutation: "availability.add_closure",
                entity: "clinic_closure",
                entity_id: id,
                args: serde_json::json!({ "day": day, "name": closure.name }),
                base_row_version: None,
                action: AuditAction::ScheduleChange,
                patient_id: None,
                detail: "closure",
            },
        )?;
        let (start, end) = zone.day_bounds(day);
        let affected = affected(tx, &zone, None, start, end)?;
        Ok(ClosureAdded { closure, affected })
    })
}

/// Reopens a closed day.
pub fn remove_closure(clinic: &Clinic, session: SessionId, id: Uuid) -> CoreResult<()> {
    let actor = clinic.authorize(session, Permission::ScheduleManage)?;
    clinic.write(|tx| {
        tombstone(clinic, tx, &actor, "clinic_closures", "clinic_closure", id, "availability.remove_closure")
    })
}

/// Closures between two local days, both included.
pub fn list_closures(clinic: &Clinic, session: SessionId, from: Date, to: Date) -> CoreResult<Vec<Closure>> {
    clinic.authorize(session, Permission::AppointmentRead)?;
    clinic.read(|conn| {
        let mut stmt = conn.prepare_cached(
            "SELECT id, day, name FROM clinic_closures WHERE deleted_at IS NULL AND day >= ?1 AND day <= ?2 ORDER BY day",
        )?;
        let rows: Vec<(String, String, String)> = stmt
            .query_map([from.to_string(), to.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(id, day, name)| Ok(Closure { id: parse_uuid(&id)?, day: day.parse().map_err(CoreError::internal)?, name }))
            .collect()
    })
}

/// Soft-deletes one row of a small availability table. `table` is one of two fixed names, never input.
fn tombstone(
    clinic: &Clinic,
    tx: &Connection,
    actor: &crate::accounts::sessions::Actor,
    table: &'static str,
    entity: &'static str,
    id: Uuid,
    mutation: &'static str,
) -> CoreResult<()> {
    let select = ["SELECT row_version FROM ", table, " WHERE id = ?1 AND deleted_at IS NULL"].concat();
    let base: Option<i64> = tx.query_row(&select, [id.to_string()], |r| r.get(0)).optional()?;
    let Some(base) = base else {
        return Err(CoreError::not_found("This entry does not exist or was already removed."));
    };
    let now: Timestamp = clinic.env.clock.now();
    let change = [
        "UPDATE ",
        table,
        " SET deleted_at = ?1, row_version = row_version + 1, updated_at = ?1, updated_by = ?2 WHERE id = ?3",
    ]
    .concat();
    tx.execute(&change, params![to_db_time(now), actor.staff_id.to_string(), id.to_string()])?;
    record::record(
        clinic,
        tx,
        actor,
        Change {
            mutation,
            entity,
            entity_id: id,
            args: serde_json::json!({ "deleted_at": now }),
            base_row_version: Some(base),
            action: AuditAction::ScheduleChange,
            patient_id: None,
            detail: entity,
        },
    )
}
