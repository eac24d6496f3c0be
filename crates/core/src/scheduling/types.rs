//! Appointment types (consultation, follow-up, procedure, telemedicine, …): default length, colour, price in
//! minor units of the clinic's currency, telemedicine flag. Administrators manage them; none exist until made.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::record::{self, Change, bad_column, now_text};
use crate::accounts::SessionId;
use crate::accounts::sessions::Actor;
use crate::audit::AuditAction;
use crate::patients::keys::fold;
use crate::rbac::Permission;
use crate::setup::settings_internal;
use crate::{Clinic, CoreError, CoreResult};

/// The longest appointment (and so how far back an overlapping appointment can start): 12 hours.
pub const MAX_DURATION_MINUTES: u32 = 720;

/// The form for a type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AppointmentTypeDraft {
    pub name: String,
    pub duration_minutes: u32,
    /// `#rrggbb`.
    pub colour: String,
    /// Price in minor units of the clinic's currency (cents, …).
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub price_minor: i64,
    pub telemedicine: bool,
}

/// A stored type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AppointmentType {
    pub id: Uuid,
    pub name: String,
    pub duration_minutes: u32,
    pub colour: String,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub price_minor: i64,
    /// ISO 4217 code of the price.
    pub currency: String,
    pub telemedicine: bool,
    pub active: bool,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub row_version: i64,
}

const COLUMNS: &str = "id, name, duration_minutes, colour, price_minor, currency, telemedicine, active, row_version";

fn read_type(r: &Row<'_>) -> rusqlite::Result<AppointmentType> {
    let id: String = r.get(0)?;
    Ok(AppointmentType {
        id: Uuid::parse_str(&id).map_err(|e| bad_column(0, e))?,
        name: r.get(1)?,
        duration_minutes: r.get(2)?,
        colour: r.get(3)?,
        price_minor: r.get(4)?,
        currency: r.get(5)?,
        telemedicine: r.get(6)?,
        active: r.get(7)?,
        row_version: r.get(8)?,
    })
}

/// A type by id (inactive ones too).
pub(crate) fn get(conn: &Connection, id: Uuid) -> CoreResult<AppointmentType> {
    let sql = ["SELECT ", COLUMNS, " FROM appointment_types WHERE id = ?1 AND deleted_at IS NULL"].concat();
    conn.prepare_cached(&sql)?.query_row([id.to_string()], read_type).optional()?.ok_or_else(|| {
        CoreError::validation("type_id", "This appointment type does not exist. Choose one from the list.")
    })
}

/// A type that can be booked now.
pub(crate) fn bookable(conn: &Connection, id: Uuid) -> CoreResult<AppointmentType> {
    let found = get(conn, id)?;
    if !found.active {
        return Err(CoreError::validation(
            "type_id",
            ["The appointment type \u{201c}", &found.name, "\u{201d} is no longer offered. Choose another type."]
                .concat(),
        ));
    }
    Ok(found)
}

fn validate(conn: &Connection, draft: &AppointmentTypeDraft, this: Option<Uuid>) -> CoreResult<AppointmentTypeDraft> {
    let name = draft.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(CoreError::validation("name", "Enter a name for the type (at most 80 characters)."));
    }
    let mut stmt =
        conn.prepare_cached("SELECT id FROM appointment_types WHERE name_key = ?1 AND deleted_at IS NULL")?;
    let same: Vec<String> = stmt.query_map([fold(name)], |r| r.get(0))?.collect::<Result<_, _>>()?;
    if same.iter().any(|id| Some(id.as_str()) != this.map(|t| t.to_string()).as_deref()) {
        return Err(CoreError::validation("name", "A type with this name already exists. Choose another name."));
    }
    if !(5..=MAX_DURATION_MINUTES).contains(&draft.duration_minutes) {
        return Err(CoreError::validation("duration_minutes", "The length must be between 5 minutes and 12 hours."));
    }
    let colour = draft.colour.trim().to_ascii_lowercase();
    let hex = colour.strip_prefix('#').unwrap_or("");
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(CoreError::validation("colour", "Use a colour written as # and six hex digits, e.g. #2f80ed."));
    }
    if !(0..=100_000_000_000).contains(&draft.price_minor) {
        return Err(CoreError::validation("price_minor", "The price cannot be negative (and must be realistic)."));
    }
    Ok(AppointmentTypeDraft { name: name.to_owned(), colour, ..draft.clone() })
}

fn insert(
    clinic: &Clinic,
    tx: &Connection,
    actor: &Actor,
    draft: &AppointmentTypeDraft,
) -> CoreResult<AppointmentType> {
    let clean = validate(tx, draft, None)?;
    let currency = settings_internal(tx)?.currency;
    let id = clinic.env.ids.new_id();
    let now = now_text(clinic);
    tx.execute(
        "INSERT INTO appointment_types (id, name, name_key, duration_minutes, colour, price_minor, currency,
                                        telemedicine, active, created_at, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?9, ?10)",
        params![
            id.to_string(),
            clean.name,
            fold(&clean.name),
            clean.duration_minutes,
            clean.colour,
            clean.price_minor,
            currency,
            clean.telemedicine,
            now,
            actor.staff_id.to_string()
        ],
    )?;
    let created = get(tx, id)?;
    record::record(
        clinic,
        tx,
        actor,
        Change {
            mutation: "appointment_type.create",
            entity: "appointment_type",
            entity_id: id,
            args: serde_json::to_value(&created)?,
            base_row_version: None,
            action: AuditAction::AppointmentTypeChange,
            patient_id: None,
            detail: "create",
        },
    )?;
    Ok(created)
}

/// Adds a type (administrators). Its price is in the clinic's currency.
pub fn create_type(clinic: &Clinic, session: SessionId, draft: &AppointmentTypeDraft) -> CoreResult<AppointmentType> {
    let actor = clinic.authorize(session, Permission::ScheduleManage)?;
    clinic.write(|tx| insert(clinic, tx, &actor, draft))
}

/// The starter set for a new clinic (setup or demo): consultation 15 min, follow-up 10, procedure 30,
/// telemedicine 15, free of charge until the clinic sets prices. Types whose name exists are skipped.
pub fn create_starter_types(clinic: &Clinic, session: SessionId) -> CoreResult<Vec<AppointmentType>> {
    let actor = clinic.authorize(session, Permission::ScheduleManage)?;
    let starters = [
        ("Consultation", 15, "#2f80ed", false),
        ("Follow-up", 10, "#27ae60", false),
        ("Procedure", 30, "#eb5757", false),
        ("Telemedicine", 15, "#9b51e0", true),
    ];
    clinic.write(|tx| {
        let mut made = Vec::new();
        for (name, duration_minutes, colour, telemedicine) in starters {
            let exists: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM appointment_types WHERE name_key = ?1 AND deleted_at IS NULL)",
                [fold(name)],
                |r| r.get(0),
            )?;
            if !exists {
                let draft = AppointmentTypeDraft {
                    name: name.into(),
                    duration_minutes,
                    colour: colour.into(),
                    price_minor: 0,
                    telemedicine,
                };
                made.push(insert(clinic, tx, &actor, &draft)?);
            }
        }
        Ok(made)
    })
}

/// Changes a type made at `expected_row_version`. Booked appointments keep their times.
pub fn update_type(
    clinic: &Clinic,
    session: SessionId,
    id: Uuid,
    expected_row_version: i64,
    draft: &AppointmentTypeDraft,
) -> CoreResult<AppointmentType> {
    let actor = clinic.authorize(session, Permission::ScheduleManage)?;
    clinic.write(|tx| {
        let old = get(tx, id)?;
        if old.row_version != expected_row_version {
            return Err(CoreError::conflict(
                "Someone else changed this appointment type after you opened it. Reload it and make your change again.",
            ));
        }
        let clean = validate(tx, draft, Some(id))?;
        tx.execute(
            "UPDATE appointment_types SET name = ?1, name_key = ?2, duration_minutes = ?3, colour = ?4, price_minor = ?5,
                 telemedicine = ?6, row_version = row_version + 1, updated_at = ?7, updated_by = ?8 WHERE id = ?9",
            params![
                clean.name,
                fold(&clean.name),
                clean.duration_minutes,
                clean.colour,
                clean.price_minor,
                clean.telemedicine,
                now_text(clinic),
                actor.staff_id.to_string(),
                id.to_string()
            ],
        )?;
        let updated = get(tx, id)?;
        change(clinic, tx, &actor, &updated, old.row_version, "update")?;
        Ok(updated)
    })
}

/// Stops (or resumes) offering a type. Existing appointments of the type are untouched.
pub fn set_type_active(clinic: &Clinic, session: SessionId, id: Uuid, active: bool) -> CoreResult<AppointmentType> {
    let actor = clinic.authorize(session, Permission::ScheduleManage)?;
    clinic.write(|tx| {
        let old = get(tx, id)?;
        if old.active == active {
            return Ok(old);
        }
        tx.execute(
            "UPDATE appointment_types SET active = ?1, row_version = row_version + 1, updated_at = ?2, updated_by = ?3
             WHERE id = ?4",
            params![active, now_text(clinic), actor.staff_id.to_string(), id.to_string()],
        )?;
        let updated = get(tx, id)?;
        change(clinic, tx, &actor, &updated, old.row_version, if active { "activate" } else { "deactivate" })?;
        Ok(updated)
    })
}

fn change(
    clinic: &Clinic,
    tx: &Connection,
    actor: &Actor,
    updated: &AppointmentType,
    base: i64,
    detail: &str,
) -> CoreResult<()> {
    record::record(
        clinic,
        tx,
        actor,
        Change {
            mutation: "appointment_type.update",
            entity: "appointment_type",
            entity_id: updated.id,
            args: serde_json::to_value(updated)?,
            base_row_version: Some(base),
            action: AuditAction::AppointmentTypeChange,
            patient_id: None,
            detail,
        },
    )
}

/// Every type, active ones first, by name. Anyone who sees appointments sees the types.
pub fn list_types(clinic: &Clinic, session: SessionId, include_inactive: bool) -> CoreResult<Vec<AppointmentType>> {
    clinic.authorize(session, Permission::AppointmentRead)?;
    clinic.read(|conn| {
        let sql =
            ["SELECT ", COLUMNS, " FROM appointment_types WHERE deleted_at IS NULL ORDER BY active DESC, name_key"]
                .concat();
        let mut stmt = conn.prepare_cached(&sql)?;
        let all: Vec<AppointmentType> = stmt.query_map([], read_type)?.collect::<Result<_, _>>()?;
        Ok(all.into_iter().filter(|t| include_inactive || t.active).collect())
    })
}
