//! Clinic settings rules: `clinic.settings` carries the whole settings object, which becomes the record
//! (the last by server order wins).

use chrono::NaiveDate;
use clinic_protocol::push::MutationEnvelope;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{ApplyCtx, Checked, Decision, EntityRules, Write, text, unknown_name};
use crate::error::FieldError;
use crate::sync::store;
use crate::{AppError, rules};

#[derive(Debug, Clone, Copy)]
pub(crate) struct ClinicRules;

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
enum DateFormat {
    #[serde(rename = "DMY")]
    DayMonthYear,
    #[serde(rename = "MDY")]
    MonthDayYear,
    #[serde(rename = "YMD")]
    YearMonthDay,
}

/// clinic-core's `ClinicSettings`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    name: String,
    code: String,
    address: String,
    time_zone: String,
    currency: String,
    invoice_prefix: String,
    date_format: DateFormat,
    idle_lock_minutes: u32,
}

impl EntityRules for ClinicRules {
    const ENTITY: &'static str = "clinic";

    fn check(&self, m: &MutationEnvelope, _today: NaiveDate) -> Result<Checked, FieldError> {
        if m.name != "clinic.settings" {
            return Err(unknown_name(&m.name));
        }
        let s: Settings = rules::args(&m.args)?;
        text("args.name", &s.name, 200, true)?;
        text("args.code", &s.code, 10, true)?;
        text("args.address", &s.address, 500, false)?;
        text("args.time_zone", &s.time_zone, 64, true)?;
        text("args.invoice_prefix", &s.invoice_prefix, 10, true)?;
        if s.currency.len() != 3 || !s.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(FieldError::new("args.currency", "Use a three-letter ISO currency code, e.g. EUR."));
        }
        if !(1..=480).contains(&s.idle_lock_minutes) {
            return Err(FieldError::new("args.idle_lock_minutes", "Lock after between 1 and 480 minutes."));
        }
        Ok(Checked::default())
    }

    async fn apply(&self, ctx: &ApplyCtx<'_>) -> Result<Decision, AppError> {
        let m = ctx.mutation;
        let settings: Settings = rules::args(&m.args).map_err(|e| AppError::internal(e.message))?;
        let existing = store::load(ctx.tx, ctx.device.tenant_id, Self::ENTITY, m.entity_id).await?;
        Ok(Decision::Apply {
            write: Write {
                entity: Self::ENTITY,
                entity_id: m.entity_id,
                replaces: existing.as_ref().map(|r| r.row_version),
                data: serde_json::to_value(settings)?,
                field_hlcs: Value::Object(Map::new()),
                deleted_at: None,
            },
            review_items: Vec::new(),
        })
    }
}
