//! Clinician profile rules: `clinician_profile.set` (entity id: the staff account) carries the whole profile,
//! which becomes the record (the last by server order wins).

use chrono::NaiveDate;
use clinic_protocol::push::MutationEnvelope;
use serde::{Deserialize, Serialize};

use super::values::language_tag;
use super::{apply, checked_args, missing, write};
use crate::AppError;
use crate::error::FieldError;
use crate::rules::{ApplyCtx, Checked, Decision, EntityRules, args, list, text, unknown_name};
use crate::sync::store;

#[derive(Debug, Clone, Copy)]
pub(crate) struct ClinicianProfileRules;

const ENTITY: &str = "clinician_profile";

/// clinic-core's `ClinicianProfile`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Profile {
    specialty: String,
    languages: Vec<String>,
    slot_minutes: u32,
}

impl EntityRules for ClinicianProfileRules {
    const ENTITY: &'static str = ENTITY;

    fn check(&self, m: &MutationEnvelope, _today: NaiveDate) -> Result<Checked, FieldError> {
        if m.name != "clinician_profile.set" {
            return Err(unknown_name(&m.name));
        }
        let p: Profile = args(&m.args)?;
        text("args.specialty", &p.specialty, 100, false)?;
        list("args.languages", &p.languages, 20)?;
        for (i, tag) in p.languages.iter().enumerate() {
            language_tag(&["args.languages[", &i.to_string(), "]"].concat(), tag)?;
        }
        if !(5..=240).contains(&p.slot_minutes) {
            return Err(FieldError::new("args.slot_minutes", "The slot length must be between 5 and 240 minutes."));
        }
        Ok(Checked::default())
    }

    async fn apply(&self, ctx: &ApplyCtx<'_>) -> Result<Decision, AppError> {
        let m = ctx.mutation;
        if let Some(rejected) = missing(ctx, &[("staff", m.entity_id, "clinician")]).await? {
            return Ok(rejected);
        }
        let profile: Profile = checked_args(m)?;
        let existing = store::load(ctx.tx, ctx.device.tenant_id, ENTITY, m.entity_id).await?;
        let replaces = existing.map(|r| r.row_version);
        Ok(apply(write(ENTITY, m.entity_id, replaces, serde_json::to_value(profile)?, None)))
    }
}
