//! Pulled appointment types (`{name, duration_minutes, colour, price_minor, currency, telemedicine, active,
//! created_at}`), with the folded name the "already exists" check uses; a pending edit is re-applied on top.

use clinic_protocol::pull::Change;
use rusqlite::params;
use serde::Deserialize;

use super::bookkeeping;
use crate::CoreResult;
use crate::patients::keys::fold;
use crate::scheduling::AppointmentType;
use crate::sync::apply::{ApplyContext, ApplyFailure, EntityApplier, PendingMutation, db_time, decode};

pub(crate) struct AppointmentTypeApplier;

#[derive(Debug, Deserialize)]
struct TypeData {
    name: String,
    duration_minutes: u32,
    colour: String,
    price_minor: i64,
    currency: String,
    telemedicine: bool,
    active: bool,
    created_at: String,
}

impl EntityApplier for AppointmentTypeApplier {
    fn entity(&self) -> &'static str {
        "appointment_type"
    }

    fn write_server_version(&self, ctx: &mut ApplyContext<'_>, change: &Change) -> Result<(), ApplyFailure> {
        let d: TypeData = decode(&change.data, "the appointment type")?;
        if !(5..=720).contains(&d.duration_minutes) || d.price_minor < 0 {
            return Err(ApplyFailure::Unusable("the appointment type's length or price is out of range".to_owned()));
        }
        let (updated_at, deleted_at, updated_by) = bookkeeping(change)?;
        ctx.tx
            .prepare_cached(
                "INSERT INTO appointment_types (id, name, name_key, duration_minutes, colour, price_minor, currency,
                     telemedicine, active, created_at, row_version, updated_at, deleted_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_key = excluded.name_key,
                     duration_minutes = excluded.duration_minutes, colour = excluded.colour,
                     price_minor = excluded.price_minor, currency = excluded.currency,
                     telemedicine = excluded.telemedicine, active = excluded.active, created_at = excluded.created_at,
                     row_version = excluded.row_version, updated_at = excluded.updated_at,
                     deleted_at = excluded.deleted_at, updated_by = excluded.updated_by",
            )?
            .execute(params![
                change.entity_id.to_string(),
                d.name,
                fold(&d.name),
                d.duration_minutes,
                d.colour,
                d.price_minor,
                d.currency,
                d.telemedicine,
                d.active,
                db_time(&d.created_at)?,
                change.row_version,
                updated_at,
                deleted_at,
                updated_by,
            ])?;
        Ok(())
    }

    fn reapply(&self, ctx: &mut ApplyContext<'_>, change: &Change, pending: &PendingMutation) -> CoreResult<()> {
        if pending.name != "appointment_type.update" {
            return Ok(());
        }
        let Ok(t) = serde_json::from_value::<AppointmentType>(pending.args.clone()) else { return Ok(()) };
        ctx.tx
            .prepare_cached(
                "UPDATE appointment_types SET name = ?1, name_key = ?2, duration_minutes = ?3, colour = ?4,
                     price_minor = ?5, telemedicine = ?6, active = ?7 WHERE id = ?8",
            )?
            .execute(params![
                t.name,
                fold(&t.name),
                t.duration_minutes,
                t.colour,
                t.price_minor,
                t.telemedicine,
                t.active,
                change.entity_id.to_string()
            ])?;
        Ok(())
    }
}
