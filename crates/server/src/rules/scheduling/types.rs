//! Appointment type rules: `appointment_type.create` and `appointment_type.update` carry the whole type, which
//! becomes the record (the last by server order wins). Stored: the type without its id and version, plus
//! `created_at` (when the creating desk made it).

use chrono::NaiveDate;
use clinic_protocol::push::MutationEnvelope;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::values::Instant;
use super::{already_on_server, apply, checked_args, need_base, not_on_server, write};
use crate::AppError;
use crate::error::FieldError;
use crate::rules::{ApplyCtx, Checked, Decision, EntityRules, args, text, unknown_name};
use crate::sync::store;

#[derive(Debug, Clone, Copy)]
pub(crate) struct AppointmentTypeRules;

const ENTITY: &str = "appointment_type";

/// clinic-core's `AppointmentType`, as its outbox sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TypeArgs {
    id: Uuid,
    name: String,
    duration_minutes: u32,
    colour: String,
    price_minor: i64,
    currency: String,
    telemedicine: bool,
    active: bool,
    /// The desk's own version of the type: not used by the server.
    #[allow(dead_code)]
    row_version: i64,
}

/// The stored type (the iCalendar feed reads `name`).
#[derive(Debug, Clone, Serialize)]
struct TypeData {
    name: String,
    duration_minutes: u32,
    colour: String,
    price_minor: i64,
    currency: String,
    telemedicine: bool,
    active: bool,
    created_at: Instant,
}

fn check_type(m: &MutationEnvelope, a: &TypeArgs) -> Result<(), FieldError> {
    if a.id != m.entity_id {
        return Err(FieldError::new("args.id", "The type's id must be the mutation's entity_id."));
    }
    text("args.name", &a.name, 80, true)?;
    if !(5..=720).contains(&a.duration_minutes) {
        return Err(FieldError::new("args.duration_minutes", "The length must be between 5 minutes and 12 hours."));
    }
    let hex = a.colour.strip_prefix('#').unwrap_or("");
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(FieldError::new("args.colour", "Use a colour written as # and six hex digits, e.g. #2f80ed."));
    }
    if !(0..=100_000_000_000).contains(&a.price_minor) {
        return Err(FieldError::new("args.price_minor", "The price cannot be negative (and must be realistic)."));
    }
    if a.currency.len() != 3 || !a.currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(FieldError::new("args.currency", "Use a three-letter ISO currency code, e.g. EUR."));
    }
    Ok(())
}

impl EntityRules for AppointmentTypeRules {
    const ENTITY: &'static str = ENTITY;

    fn check(&self, m: &MutationEnvelope, _today: NaiveDate) -> Result<Checked, FieldError> {
        match m.name.as_str() {
            "appointment_type.create" | "appointment_type.update" => {
                let a: TypeArgs = args(&m.args)?;
                check_type(m, &a)?;
                if m.name == "appointment_type.update" {
                    need_base(m)?;
                }
                Ok(Checked::default())
            }
            other => Err(unknown_name(other)),
        }
    }

    async fn apply(&self, ctx: &ApplyCtx<'_>) -> Result<Decision, AppError> {
        let m = ctx.mutation;
        let a: TypeArgs = checked_args(m)?;
        let existing = store::load(ctx.tx, ctx.device.tenant_id, ENTITY, m.entity_id).await?;
        let created_at = match (&existing, m.name.as_str()) {
            (Some(_), "appointment_type.create") => return Ok(already_on_server("appointment type")),
            (None, "appointment_type.update") => return Ok(not_on_server("appointment type")),
            (Some(record), _) => record.data.get("created_at").cloned().unwrap_or(json!(m.authored_at)),
            (None, _) => json!(m.authored_at),
        };
        let created_at: Instant = serde_json::from_value(created_at).map_err(|e| AppError::internal(e.to_string()))?;
        let data = TypeData {
            name: a.name,
            duration_minutes: a.duration_minutes,
            colour: a.colour,
            price_minor: a.price_minor,
            currency: a.currency,
            telemedicine: a.telemedicine,
            active: a.active,
            created_at,
        };
        let replaces = existing.as_ref().map(|r| r.row_version);
        Ok(apply(write(ENTITY, m.entity_id, replaces, serde_json::to_value(data)?, None)))
    }
}
