//! The scheduling policy: whether deliberate overbooking is allowed, whether exported calendars show patient
//! names, and the telemedicine provider's base URL. One row keyed by the clinic's id; absent means defaults.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::record::{self, Change, now_text, parse_uuid};
use crate::accounts::SessionId;
use crate::audit::AuditAction;
use crate::rbac::Permission;
use crate::{Clinic, CoreError, CoreResult};

/// How the clinic schedules.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct SchedulingPolicy {
    /// Clashes (overlaps, outside hours, leave, closures) may be booked after an explicit confirmation.
    pub allow_overbooking: bool,
    /// Exported calendars title events with the patient's name instead of "Appointment".
    pub calendar_patient_names: bool,
    /// Telemedicine provider, e.g. `https://meet.example.org/clinic`; a room id is appended per appointment.
    pub telemedicine_base_url: String,
}

/// The stored policy, its row version (None: never saved) and the clinic id it is keyed by.
pub(crate) fn read(conn: &Connection) -> CoreResult<(SchedulingPolicy, Option<i64>)> {
    let row = conn
        .prepare_cached(
            "SELECT allow_overbooking, calendar_patient_names, telemedicine_base_url, row_version
             FROM scheduling_policy WHERE deleted_at IS NULL LIMIT 1",
        )?
        .query_row([], |r| {
            Ok((
                SchedulingPolicy {
                    allow_overbooking: r.get(0)?,
                    calendar_patient_names: r.get(1)?,
                    telemedicine_base_url: r.get(2)?,
                },
                r.get::<_, i64>(3)?,
            ))
        })
        .optional()?;
    Ok(match row {
        Some((policy, version)) => (policy, Some(version)),
        None => (SchedulingPolicy::default(), None),
    })
}

/// The policy, for anyone who may see appointments.
pub fn policy(clinic: &Clinic, session: SessionId) -> CoreResult<SchedulingPolicy> {
    clinic.authorize(session, Permission::AppointmentRead)?;
    clinic.read(|conn| Ok(read(conn)?.0))
}

fn validate(new: &SchedulingPolicy) -> CoreResult<SchedulingPolicy> {
    let url = new.telemedicine_base_url.trim().trim_end_matches('/').to_owned();
    let valid = url.is_empty()
        || (url.starts_with("https://")
            && url.len() > "https://".len()
            && url.len() <= 300
            && !url.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#')));
    if !valid {
        return Err(CoreError::validation(
            "telemedicine_base_url",
            "Enter the meeting provider's address starting with https:// (without ? or #), \
             e.g. https://meet.example.org/clinic, or leave it empty.",
        ));
    }
    Ok(SchedulingPolicy { telemedicine_base_url: url, ..new.clone() })
}

/// Changes the policy (administrators). The audit entry names the changed settings.
pub fn update_policy(clinic: &Clinic, session: SessionId, new: &SchedulingPolicy) -> CoreResult<SchedulingPolicy> {
    let actor = clinic.authorize(session, Permission::ScheduleManage)?;
    let new = validate(new)?;
    clinic.write(|tx| {
        let (old, version) = read(tx)?;
        let changed: Vec<&str> = [
            ("allow_overbooking", old.allow_overbooking != new.allow_overbooking),
            ("calendar_patient_names", old.calendar_patient_names != new.calendar_patient_names),
            ("telemedicine_base_url", old.telemedicine_base_url != new.telemedicine_base_url),
        ]
        .into_iter()
        .filter_map(|(name, differs)| differs.then_some(name))
        .collect();
        if changed.is_empty() {
            return Ok(old);
        }
        let clinic_id: String = tx.query_row("SELECT id FROM clinic LIMIT 1", [], |r| r.get(0))?;
        let now = now_text(clinic);
        tx.execute(
            "INSERT INTO scheduling_policy (id, allow_overbooking, calendar_patient_names, telemedicine_base_url,
                                            updated_at, updated_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (id) DO UPDATE SET allow_overbooking = excluded.allow_overbooking,
                 calendar_patient_names = excluded.calendar_patient_names,
                 telemedicine_base_url = excluded.telemedicine_base_url,
                 row_version = row_version + 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            params![
                clinic_id,
                new.allow_overbooking,
                new.calendar_patient_names,
                new.telemedicine_base_url,
                now,
                actor.staff_id.to_string()
            ],
        )?;
        let detail = ["policy: ", &changed.join(",")].concat();
        let id: Uuid = parse_uuid(&clinic_id)?;
        record::record(
            clinic,
            tx,
            &actor,
            Change {
                mutation: "scheduling.policy",
                entity: "scheduling_policy",
                entity_id: id,
                args: serde_json::to_value(&new)?,
                base_row_version: version,
                action: AuditAction::ScheduleChange,
                patient_id: None,
                detail: &detail,
            },
        )?;
        Ok(new.clone())
    })
}
