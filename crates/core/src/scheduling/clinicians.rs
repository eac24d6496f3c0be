//! Clinicians (doctor and nurse staff) as scheduling sees them: specialty, languages spoken and default slot
//! length, kept in a profile beside the staff account.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::record::{self, Change, bad_column, now_text};
use crate::accounts::SessionId;
use crate::audit::AuditAction;
use crate::patients::keys::fold;
use crate::rbac::{Permission, Role};
use crate::{Clinic, CoreError, CoreResult};

/// The slot grid when a clinician has no profile yet.
pub const DEFAULT_SLOT_MINUTES: u32 = 15;

/// What an administrator sets for a clinician.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClinicianProfile {
    pub specialty: String,
    /// Language tags, e.g. `["fr", "en", "sw"]`.
    pub languages: Vec<String>,
    /// The grid free slots are offered on, in minutes.
    pub slot_minutes: u32,
}

/// A doctor or nurse with their profile (defaults when none was set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Clinician {
    pub staff_id: Uuid,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub specialty: String,
    pub languages: Vec<String>,
    pub slot_minutes: u32,
}

const SELECT: &str = "SELECT s.id, s.display_name, s.role, s.active, coalesce(p.specialty, ''), \
     coalesce(p.languages, '[]'), coalesce(p.slot_minutes, 15), coalesce(p.specialty_key, '') \
     FROM staff s LEFT JOIN clinician_profiles p ON p.staff_id = s.id AND p.deleted_at IS NULL \
     WHERE s.deleted_at IS NULL AND s.role IN ('doctor', 'nurse')";

/// A clinician row and the folded specialty the specialty filter compares.
pub(crate) fn read_clinician(r: &Row<'_>) -> rusqlite::Result<(Clinician, String)> {
    let id: String = r.get(0)?;
    let role: String = r.get(2)?;
    let languages: String = r.get(5)?;
    Ok((
        Clinician {
            staff_id: Uuid::parse_str(&id).map_err(|e| bad_column(0, e))?,
            display_name: r.get(1)?,
            role: Role::parse(&role).map_err(|e| bad_column(2, e))?,
            active: r.get(3)?,
            specialty: r.get(4)?,
            languages: serde_json::from_str(&languages).map_err(|e| bad_column(5, e))?,
            slot_minutes: r.get(6)?,
        },
        r.get(7)?,
    ))
}

/// Every doctor and nurse (inactive ones too), by name.
pub(crate) fn all(conn: &Connection) -> CoreResult<Vec<(Clinician, String)>> {
    let sql = [SELECT, " ORDER BY s.display_name"].concat();
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([], read_clinician)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

/// A clinician who can be booked, or a validation error on `field`.
pub(crate) fn bookable(conn: &Connection, id: Uuid, field: &str) -> CoreResult<Clinician> {
    let found = find(conn, id)?.ok_or_else(|| {
        CoreError::validation(
            field,
            "This clinician does not exist, or is not a doctor or nurse. Choose one from the list.",
        )
    })?;
    if !found.active {
        return Err(CoreError::validation(
            field,
            [&found.display_name, " no longer works here (the account is deactivated). Choose another clinician."]
                .concat(),
        ));
    }
    Ok(found)
}

pub(crate) fn find(conn: &Connection, id: Uuid) -> CoreResult<Option<Clinician>> {
    let sql = [SELECT, " AND s.id = ?1"].concat();
    Ok(conn.prepare_cached(&sql)?.query_row([id.to_string()], read_clinician).optional()?.map(|(c, _)| c))
}

/// A language tag, lower-cased: two or three letters, then optional `-` parts (`fr`, `pt-br`, `zh-hant`).
pub(crate) fn language_tag(field: &str, text: &str) -> CoreResult<String> {
    let tag = text.trim().to_ascii_lowercase();
    let mut parts = tag.split('-');
    let first_ok =
        parts.next().is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_lowercase()));
    let rest_ok = parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if !first_ok || !rest_ok {
        return Err(CoreError::validation(field, "Write languages as short codes, e.g. en, fr, sw or pt-br."));
    }
    Ok(tag)
}

fn validate(profile: &ClinicianProfile) -> CoreResult<ClinicianProfile> {
    let specialty = profile.specialty.trim();
    if specialty.chars().count() > 100 {
        return Err(CoreError::validation("specialty", "The specialty is too long: use at most 100 characters."));
    }
    let mut languages = Vec::new();
    for language in &profile.languages {
        let tag = language_tag("languages", language)?;
        if !languages.contains(&tag) {
            languages.push(tag);
        }
    }
    if languages.len() > 20 {
        return Err(CoreError::validation("languages", "List at most 20 languages."));
    }
    if !(5..=240).contains(&profile.slot_minutes) {
        return Err(CoreError::validation("slot_minutes", "The slot length must be between 5 and 240 minutes."));
    }
    Ok(ClinicianProfile { specialty: specialty.to_owned(), languages, slot_minutes: profile.slot_minutes })
}

/// Sets a doctor's or nurse's profile (administrators).
pub fn set_clinician_profile(
    clinic: &Clinic,
    session: SessionId,
    staff_id: Uuid,
    profile: &ClinicianProfile,
) -> CoreResult<Clinician> {
    let actor = clinic.authorize(session, Permission::ScheduleManage)?;
    let clean = validate(profile)?;
    clinic.write(|tx| {
        find(tx, staff_id)?.ok_or_else(|| {
            CoreError::validation("staff_id", "Profiles are for doctors and nurses. Choose one from the staff list.")
        })?;
        let base: Option<i64> = tx
            .query_row("SELECT row_version FROM clinician_profiles WHERE staff_id = ?1", [staff_id.to_string()], |r| {
                r.get(0)
            })
            .optional()?;
        tx.execute(
            "INSERT INTO clinician_profiles (staff_id, specialty, specialty_key, languages, slot_minutes, updated_at, updated_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (staff_id) DO UPDATE SET specialty = excluded.specialty, specialty_key = excluded.specialty_key,
                 languages = excluded.languages, slot_minutes = excluded.slot_minutes, deleted_at = NULL,
                 row_version = row_version + 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            params![
                staff_id.to_string(),
                clean.specialty,
                fold(&clean.specialty),
                serde_json::to_string(&clean.languages)?,
                clean.slot_minutes,
                now_text(clinic),
                actor.staff_id.to_string()
            ],
        )?;
        record::record(
            clinic,
            tx,
            &actor,
            Change {
                mutation: "clinician_profile.set",
                entity: "clinician_profile",
                entity_id: staff_id,
                args: serde_json::to_value(&clean)?,
                base_row_version: base,
                action: AuditAction::ScheduleChange,
                patient_id: None,
                detail: "clinician_profile",
            },
        )?;
        find(tx, staff_id)?.ok_or_else(|| CoreError::internal("profile vanished"))
    })
}

/// Doctors and nurses who can be booked, by name, with their profiles.
pub fn list_clinicians(clinic: &Clinic, session: SessionId) -> CoreResult<Vec<Clinician>> {
    clinic.authorize(session, Permission::AppointmentRead)?;
    clinic.read(|conn| Ok(all(conn)?.into_iter().map(|(c, _)| c).filter(|c| c.active).collect()))
}
