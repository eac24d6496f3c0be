//! Scheduling policy rules: `scheduling.policy` (entity id: the clinic) carries the whole policy, which becomes
//! the record (the last by server order wins). The iCalendar feed reads `calendar_patient_names`.

use chrono::NaiveDate;
use clinic_protocol::push::MutationEnvelope;
use serde::{Deserialize, Serialize};

use super::values::https_address;
use super::{apply, checked_args, write};
use crate::AppError;
use crate::error::FieldError;
use crate::rules::{ApplyCtx, Checked, Decision, EntityRules, args, unknown_name};
use crate::sync::store;

#[derive(Debug, Clone, Copy)]
pub(crate) struct PolicyRules;

const ENTITY: &str = "scheduling_policy";

/// clinic-core's `SchedulingPolicy`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Policy {
    allow_overbooking: bool,
    calendar_patient_names: bool,
    telemedicine_base_url: String,
}

impl EntityRules for PolicyRules {
    const ENTITY: &'static str = ENTITY;

    fn check(&self, m: &MutationEnvelope, _today: NaiveDate) -> Result<Checked, FieldError> {
        if m.name != "scheduling.policy" {
            return Err(unknown_name(&m.name));
        }
        let p: Policy = args(&m.args)?;
        https_address("args.telemedicine_base_url", &p.telemedicine_base_url, 300)?;
        if p.telemedicine_base_url.contains('?') {
            return Err(FieldError::new("args.telemedicine_base_url", "The provider's address must not contain ?."));
        }
        Ok(Checked::default())
    }

    async fn apply(&self, ctx: &ApplyCtx<'_>) -> Result<Decision, AppError> {
        let m = ctx.mutation;
        let policy: Policy = checked_args(m)?;
        let existing = store::load(ctx.tx, ctx.device.tenant_id, ENTITY, m.entity_id).await?;
        let replaces = existing.map(|r| r.row_version);
        Ok(apply(write(ENTITY, m.entity_id, replaces, serde_json::to_value(policy)?, None)))
    }
}
