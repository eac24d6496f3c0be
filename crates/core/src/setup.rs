//! First-run setup (the clinic and its first administrator) and the clinic's settings.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::accounts::SessionId;
use crate::accounts::staff::{NewStaff, StaffMember, insert_staff};
use crate::audit::{AuditAction, AuditEvent, AuditOutcome};
use crate::clock::to_db_time;
use crate::outbox::{self, Mutation};
use crate::rbac::{Permission, Role};
use crate::{Clinic, CoreError, CoreResult};

/// How the clinic writes dates; also how a typed date of birth is read in search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum DateFormat {
    /// 31/12/1980
    #[serde(rename = "DMY")]
    DayMonthYear,
    /// 12/31/1980
    #[serde(rename = "MDY")]
    MonthDayYear,
    /// 1980-12-31
    #[serde(rename = "YMD")]
    YearMonthDay,
}

impl DateFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            DateFormat::DayMonthYear => "DMY",
            DateFormat::MonthDayYear => "MDY",
            DateFormat::YearMonthDay => "YMD",
        }
    }

    fn parse(text: &str) -> CoreResult<Self> {
        match text {
            "DMY" => Ok(DateFormat::DayMonthYear),
            "MDY" => Ok(DateFormat::MonthDayYear),
            "YMD" => Ok(DateFormat::YearMonthDay),
            _ => Err(CoreError::internal(format!("unknown date format {text}"))),
        }
    }
}

/// The clinic's details and policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClinicSettings {
    pub name: String,
    /// Short code used in record numbers, e.g. `MAIN` in `MAIN-D01-000123`.
    pub code: String,
    pub address: String,
    /// IANA time zone, e.g. `Africa/Nairobi`.
    pub time_zone: String,
    /// ISO 4217 currency code, e.g. `KES`.
    pub currency: String,
    pub invoice_prefix: String,
    pub date_format: DateFormat,
    pub idle_lock_minutes: u32,
}

/// The first administrator, created at setup.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FirstAdministrator {
    pub username: String,
    pub display_name: String,
    pub password: String,
}

/// Checks a short code (clinic, device, invoice prefix): 1–10 capital letters, digits or dashes.
pub(crate) fn validate_code(field: &str, code: &str) -> CoreResult<String> {
    let code = code.trim().to_uppercase();
    if !clinic_protocol::enroll::is_code(&code) {
        return Err(CoreError::validation(
            field,
            "Use 1 to 10 capital letters or digits (a dash may join them), e.g. MAIN.",
        ));
    }
    Ok(code)
}

/// Validates and normalises settings, field by field.
fn validate(settings: &ClinicSettings) -> CoreResult<ClinicSettings> {
    let name = settings.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(CoreError::validation("name", "Enter the clinic's name (at most 200 characters)."));
    }
    let time_zone = settings.time_zone.trim();
    if jiff::tz::TimeZone::get(time_zone).is_err() {
        return Err(CoreError::validation(
            "time_zone",
            "This is not a known time zone. Choose one from the list, e.g. Europe/Paris or Africa/Nairobi.",
        ));
    }
    let currency = settings.currency.trim().to_uppercase();
    if iso_currency::Currency::from_code(&currency).is_none() {
        return Err(CoreError::validation("currency", "Use a three-letter ISO currency code, e.g. EUR, USD or KES."));
    }
    if !(1..=480).contains(&settings.idle_lock_minutes) {
        return Err(CoreError::validation("idle_lock_minutes", "Lock after between 1 and 480 minutes of inactivity."));
    }
    Ok(ClinicSettings {
        name: name.to_owned(),
        code: validate_code("code", &settings.code)?,
        address: settings.address.trim().to_owned(),
        time_zone: time_zone.to_owned(),
        currency,
        invoice_prefix: validate_code("invoice_prefix", &settings.invoice_prefix)?,
        date_format: settings.date_format,
        idle_lock_minutes: settings.idle_lock_minutes,
    })
}

/// Whether first-run setup has been done.
pub fn is_set_up(clinic: &Clinic) -> CoreResult<bool> {
    clinic.read(|conn| Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM clinic)", [], |r| r.get(0))?))
}

/// The clinic's name for the sign-in screen (no session needed), or `None` before setup.
pub fn clinic_name(clinic: &Clinic) -> CoreResult<Option<String>> {
    clinic.read(|conn| Ok(conn.query_row("SELECT name FROM clinic LIMIT 1", [], |r| r.get(0)).optional()?))
}

/// First-run setup: the clinic and its first administrator, in one transaction. Only once.
pub fn initialize(clinic: &Clinic, settings: &ClinicSettings, admin: &FirstAdministrator) -> CoreResult<StaffMember> {
    let settings = validate(settings)?;
    let member = clinic.write(|tx| {
        if tx.query_row("SELECT EXISTS (SELECT 1 FROM clinic)", [], |r| r.get::<_, bool>(0))? {
            return Err(CoreError::conflict("This clinic is already set up. Sign in instead."));
        }
        let clinic_id = clinic.env.ids.new_id();
        let now = to_db_time(clinic.env.clock.now());
        tx.execute(
            "INSERT INTO clinic (id, name, code, address, time_zone, currency, invoice_prefix, date_format, idle_lock_minutes, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                clinic_id.to_string(),
                settings.name,
                settings.code,
                settings.address,
                settings.time_zone,
                settings.currency,
                settings.invoice_prefix,
                settings.date_format.as_str(),
                settings.idle_lock_minutes,
                now
            ],
        )?;
        let new = NewStaff {
            username: admin.username.clone(),
            display_name: admin.display_name.clone(),
            role: Role::Administrator,
            password: admin.password.clone(),
        };
        let member = insert_staff(clinic, tx, &new, None)?;
        record_settings_mutation(clinic, tx, clinic_id, &settings, None, member.id)?;
        clinic.audit_in(tx, &AuditEvent::new(AuditAction::ClinicSetup, AuditOutcome::Success).by(member.id, &member.username).on("clinic", clinic_id))?;
        Ok(member)
    })?;
    clinic.idle_lock_minutes.store(settings.idle_lock_minutes, std::sync::atomic::Ordering::Relaxed);
    Ok(member)
}

fn record_settings_mutation(
    clinic: &Clinic,
    tx: &Connection,
    clinic_id: Uuid,
    settings: &ClinicSettings,
    base: Option<i64>,
    author: Uuid,
) -> CoreResult<()> {
    outbox::record(
        tx,
        clinic.env.ids.new_id(),
        clinic.env.clock.now(),
        &Mutation {
            name: "clinic.settings",
            v: 1,
            entity: "clinic",
            entity_id: clinic_id,
            args: serde_json::to_value(settings)?,
            base_row_version: base,
            authored_by: Some(author),
        },
    )
}

fn read_settings(conn: &Connection) -> CoreResult<(Uuid, i64, ClinicSettings)> {
    let row = conn
        .query_row(
            "SELECT id, row_version, name, code, address, time_zone, currency, invoice_prefix, date_format, idle_lock_minutes FROM clinic LIMIT 1",
            [],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, u32>(9)?,
                ))
            },
        )
        .optional()?
        .ok_or_else(|| CoreError::not_found("This clinic is not set up yet. Run the first-time setup."))?;
    let (id, version, name, code, address, time_zone, currency, invoice_prefix, date_format, idle_lock_minutes) = row;
    Ok((
        Uuid::parse_str(&id).map_err(CoreError::internal)?,
        version,
        ClinicSettings {
            name,
            code,
            address,
            time_zone,
            currency,
            invoice_prefix,
            date_format: DateFormat::parse(&date_format)?,
            idle_lock_minutes,
        },
    ))
}

/// The clinic's settings, for any signed-in member of staff (needed to show dates and amounts).
pub fn settings(clinic: &Clinic, session: SessionId) -> CoreResult<ClinicSettings> {
    clinic.touch(session)?;
    clinic.read(|conn| Ok(read_settings(conn)?.2))
}

/// Settings without a session, for core's own use (date formats in search, codes in record numbers).
pub(crate) fn settings_internal(conn: &Connection) -> CoreResult<ClinicSettings> {
    Ok(read_settings(conn)?.2)
}

/// Changes the clinic's settings (administrators only). The audit entry names the changed fields, not their values.
pub fn update_settings(clinic: &Clinic, session: SessionId, new: &ClinicSettings) -> CoreResult<ClinicSettings> {
    let actor = clinic.authorize(session, Permission::SettingsManage)?;
    let new = validate(new)?;
    let saved = clinic.write(|tx| {
        let (id, version, old) = read_settings(tx)?;
        if old.code != new.code {
            return Err(CoreError::validation(
                "code",
                "The clinic code is part of every record number already issued and cannot be changed.",
            ));
        }
        let changed: Vec<&str> = [
            ("name", old.name != new.name),
            ("address", old.address != new.address),
            ("time_zone", old.time_zone != new.time_zone),
            ("currency", old.currency != new.currency),
            ("invoice_prefix", old.invoice_prefix != new.invoice_prefix),
            ("date_format", old.date_format != new.date_format),
            ("idle_lock_minutes", old.idle_lock_minutes != new.idle_lock_minutes),
        ]
        .into_iter()
        .filter_map(|(name, differs)| differs.then_some(name))
        .collect();
        if changed.is_empty() {
            return Ok(old);
        }
        tx.execute(
            "UPDATE clinic SET name = ?1, address = ?2, time_zone = ?3, currency = ?4, invoice_prefix = ?5, date_format = ?6,
                    idle_lock_minutes = ?7, row_version = row_version + 1, updated_at = ?8, updated_by = ?9 WHERE id = ?10",
            params![
                new.name,
                new.address,
                new.time_zone,
                new.currency,
                new.invoice_prefix,
                new.date_format.as_str(),
                new.idle_lock_minutes,
                to_db_time(clinic.env.clock.now()),
                actor.staff_id.to_string(),
                id.to_string()
            ],
        )?;
        record_settings_mutation(clinic, tx, id, &new, Some(version), actor.staff_id)?;
        let detail = changed.join(",");
        clinic.audit_in(tx, &actor.event(AuditAction::SettingsUpdate, AuditOutcome::Success).on("clinic", id).detail(&detail))?;
        Ok(new.clone())
    })?;
    clinic.idle_lock_minutes.store(saved.idle_lock_minutes, std::sync::atomic::Ordering::Relaxed);
    Ok(saved)
}
