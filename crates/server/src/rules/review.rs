//! Review item rules: items are created by the server when a clash needs a person; `review.resolve` (entity
//! `review_item`) records a person's decision, which syncs to every desk like any change.

use chrono::NaiveDate;
use clinic_protocol::push::MutationEnvelope;
use clinic_protocol::review::{REVIEW_ITEM_ENTITY, ResolveArgs, ReviewItem};

use super::{ApplyCtx, Checked, Decision, EntityRules, Write, text, unknown_name};
use crate::error::FieldError;
use crate::sync::store;
use crate::{AppError, rules};

#[derive(Debug, Clone, Copy)]
pub(crate) struct ReviewRules;

impl EntityRules for ReviewRules {
    const ENTITY: &'static str = REVIEW_ITEM_ENTITY;

    fn check(&self, m: &MutationEnvelope, _today: NaiveDate) -> Result<Checked, FieldError> {
        if m.name != "review.resolve" {
            return Err(unknown_name(&m.name));
        }
        let a: ResolveArgs = rules::args(&m.args)?;
        text("args.resolution", &a.resolution, 1000, false)?;
        Ok(Checked::default())
    }

    async fn apply(&self, ctx: &ApplyCtx<'_>) -> Result<Decision, AppError> {
        let m = ctx.mutation;
        let a: ResolveArgs = rules::args(&m.args).map_err(|e| AppError::internal(e.message))?;
        let Some(record) = store::load(ctx.tx, ctx.device.tenant_id, Self::ENTITY, m.entity_id).await? else {
            return Ok(Decision::Rejected(
                "This review item is not on the clinic server, so the decision could not be recorded there.".into(),
            ));
        };
        let mut item: ReviewItem = serde_json::from_value(record.data)?;
        item.status = a.status;
        item.resolution = Some(a.resolution);
        item.resolved_by = m.authored_by;
        Ok(Decision::Apply {
            write: Write {
                entity: Self::ENTITY,
                entity_id: m.entity_id,
                replaces: Some(record.row_version),
                data: serde_json::to_value(item)?,
                field_hlcs: record.field_hlcs,
                deleted_at: record.deleted_at,
            },
            review_items: Vec::new(),
        })
    }
}
