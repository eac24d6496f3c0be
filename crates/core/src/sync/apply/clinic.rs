//! Pulled clinic settings (`ClinicSettings`), written over this computer's one clinic row (or creating it, on a
//! computer joining the clinic). The clinic code is kept: it is part of every record number this computer issued.

use clinic_protocol::pull::Change;
use rusqlite::params;

use super::{ApplyContext, ApplyFailure, Effect, EntityApplier, PendingMutation, db_time, decode};
use crate::CoreResult;
use crate::setup::ClinicSettings;

pub(crate) struct ClinicApplier;

/// Checks what the local schema would refuse, so a bad record is parked instead of failing the page.
fn usable(settings: &ClinicSettings) -> Result<(), ApplyFailure> {
    if !(1..=480).contains(&settings.idle_lock_minutes) {
        return Err(ApplyFailure::Unusable("the idle lock time is out of range".to_owned()));
    }
    if jiff::tz::TimeZone::get(&settings.time_zone).is_err() {
        return Err(ApplyFailure::Unusable("the time zone is not known to this computer".to_owned()));
    }
    Ok(())
}

fn write(
    ctx: &mut ApplyContext<'_>,
    settings: &ClinicSettings,
    version: Option<(i64, &str, Option<String>)>,
) -> CoreResult<bool> {
    let changed = ctx
        .tx
        .prepare_cached(
            "UPDATE clinic SET name = ?1, address = ?2, time_zone = ?3, currency = ?4, invoice_prefix = ?5,
                 date_format = ?6, idle_lock_minutes = ?7, row_version = coalesce(?8, row_version),
                 updated_at = coalesce(?9, updated_at), updated_by = CASE WHEN ?8 IS NULL THEN updated_by ELSE ?10 END",
        )?
        .execute(params![
            settings.name,
            settings.address,
            settings.time_zone,
            settings.currency,
            settings.invoice_prefix,
            settings.date_format.as_str(),
            settings.idle_lock_minutes,
            version.as_ref().map(|v| v.0),
            version.as_ref().map(|v| v.1),
            version.and_then(|v| v.2),
        ])?;
    if changed > 0 {
        ctx.effects.push(Effect::IdleLockMinutes(settings.idle_lock_minutes));
    }
    Ok(changed > 0)
}

fn insert(
    ctx: &mut ApplyContext<'_>,
    change: &Change,
    settings: &ClinicSettings,
    updated_at: &str,
    by: Option<String>,
) -> CoreResult<()> {
    ctx.tx
        .prepare_cached(
            "INSERT INTO clinic (id, name, code, address, time_zone, currency, invoice_prefix, date_format,
                 idle_lock_minutes, row_version, updated_at, updated_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?
        .execute(params![
            change.entity_id.to_string(),
            settings.name,
            settings.code,
            settings.address,
            settings.time_zone,
            settings.currency,
            settings.invoice_prefix,
            settings.date_format.as_str(),
            settings.idle_lock_minutes,
            change.row_version,
            updated_at,
            by,
        ])?;
    ctx.effects.push(Effect::IdleLockMinutes(settings.idle_lock_minutes));
    Ok(())
}

impl EntityApplier for ClinicApplier {
    fn entity(&self) -> &'static str {
        "clinic"
    }

    fn write_server_version(&self, ctx: &mut ApplyContext<'_>, change: &Change) -> Result<(), ApplyFailure> {
        let settings: ClinicSettings = decode(&change.data, "the clinic settings")?;
        usable(&settings)?;
        let updated_at = db_time(&change.updated_at)?;
        let by = change.updated_by.map(|u| u.to_string());
        if !write(ctx, &settings, Some((change.row_version, &updated_at, by.clone())))? {
            // A computer joining the clinic: its first download brings the clinic itself.
            insert(ctx, change, &settings, &updated_at, by)?;
        }
        Ok(())
    }

    fn reapply(&self, ctx: &mut ApplyContext<'_>, _change: &Change, pending: &PendingMutation) -> CoreResult<()> {
        if pending.name != "clinic.settings" {
            return Ok(());
        }
        let Ok(settings) = serde_json::from_value::<ClinicSettings>(pending.args.clone()) else { return Ok(()) };
        if usable(&settings).is_ok() {
            write(ctx, &settings, None)?;
        }
        Ok(())
    }
}
