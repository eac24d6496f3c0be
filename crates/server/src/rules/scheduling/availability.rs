//! Availability rules: `availability.set_template` (entity `working_template`, id: the clinician) replaces a
//! weekly template; extra sessions and closures are added and removed (a tombstone carrying the desk's removal
//! time; removing twice keeps the first). The last template by server order wins.

use chrono::NaiveDate;
use clinic_protocol::push::MutationEnvelope;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::values::{ClockTime, Day, Instant, interval};
use super::{already_on_server, apply, checked_args, missing, need_base, not_on_server, write};
use crate::AppError;
use crate::error::FieldError;
use crate::rules::{ApplyCtx, Checked, Decision, EntityRules, args, list, text, unknown_name};
use crate::sync::store;

#[derive(Debug, Clone, Copy)]
pub(crate) struct WorkingTemplateRules;
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExtraSessionRules;
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClosureRules;

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum PeriodKind {
    Work,
    Break,
}

/// clinic-core's `WorkingPeriod`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Period {
    weekday: u8,
    start: ClockTime,
    end: ClockTime,
    kind: PeriodKind,
}

/// clinic-core's `WeeklyTemplate`, which is also the stored record.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Template {
    clinician_id: Uuid,
    periods: Vec<Period>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtraSessionArgs {
    clinician_id: Uuid,
    starts_at: Instant,
    ends_at: Instant,
    note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClosureArgs {
    day: Day,
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RemoveArgs {
    deleted_at: Instant,
}

impl EntityRules for WorkingTemplateRules {
    const ENTITY: &'static str = "working_template";

    fn check(&self, m: &MutationEnvelope, _today: NaiveDate) -> Result<Checked, FieldError> {
        if m.name != "availability.set_template" {
            return Err(unknown_name(&m.name));
        }
        let t: Template = args(&m.args)?;
        if t.clinician_id != m.entity_id {
            return Err(FieldError::new(
                "args.clinician_id",
                "The template's clinician must be the mutation's entity_id.",
            ));
        }
        list("args.periods", &t.periods, 100)?;
        for (i, p) in t.periods.iter().enumerate() {
            let at = ["args.periods[", &i.to_string(), "]"].concat();
            if !(1..=7).contains(&p.weekday) {
                return Err(FieldError::new(
                    [&at, ".weekday"].concat(),
                    "Use an ISO weekday: 1 (Monday) to 7 (Sunday).",
                ));
            }
            if p.end.time() <= p.start.time() {
                return Err(FieldError::new([&at, ".end"].concat(), "The end of a period must be after its start."));
            }
        }
        Ok(Checked::default())
    }

    async fn apply(&self, ctx: &ApplyCtx<'_>) -> Result<Decision, AppError> {
        let m = ctx.mutation;
        if let Some(rejected) = missing(ctx, &[("staff", m.entity_id, "clinician")]).await? {
            return Ok(rejected);
        }
        let template: Template = checked_args(m)?;
        let existing = store::load(ctx.tx, ctx.device.tenant_id, Self::ENTITY, m.entity_id).await?;
        let replaces = existing.map(|r| r.row_version);
        Ok(apply(write(Self::ENTITY, m.entity_id, replaces, serde_json::to_value(template)?, None)))
    }
}

/// A removal: the record gets the desk's removal time as its tombstone (the first removal's, if removed twice).
async fn remove(ctx: &ApplyCtx<'_>, entity: &'static str, what: &str) -> Result<Decision, AppError> {
    let m = ctx.mutation;
    let a: RemoveArgs = checked_args(m)?;
    let Some(record) = store::load(ctx.tx, ctx.device.tenant_id, entity, m.entity_id).await? else {
        return Ok(not_on_server(what));
    };
    let deleted_at = record.deleted_at.or(Some(a.deleted_at.0));
    Ok(apply(write(entity, m.entity_id, Some(record.row_version), record.data, deleted_at)))
}

/// A creation: the record is the args plus when the desk made it.
async fn create(
    ctx: &ApplyCtx<'_>,
    entity: &'static str,
    what: &str,
    mut data: serde_json::Value,
) -> Result<Decision, AppError> {
    let m = ctx.mutation;
    if store::load(ctx.tx, ctx.device.tenant_id, entity, m.entity_id).await?.is_some() {
        return Ok(already_on_server(what));
    }
    let created_at: Instant =
        serde_json::from_value(json!(m.authored_at)).map_err(|e| AppError::internal(e.to_string()))?;
    data["created_at"] = json!(created_at);
    Ok(apply(write(entity, m.entity_id, None, data, None)))
}

impl EntityRules for ExtraSessionRules {
    const ENTITY: &'static str = "extra_session";

    fn check(&self, m: &MutationEnvelope, _today: NaiveDate) -> Result<Checked, FieldError> {
        match m.name.as_str() {
            "availability.add_extra_session" => {
                let a: ExtraSessionArgs = args(&m.args)?;
                interval(a.starts_at, a.ends_at, 1, 24 * 60, "session")?;
                text("args.note", &a.note, 200, false)?;
                Ok(Checked { references: vec![(a.clinician_id, "args.clinician_id")], ..Checked::default() })
            }
            "availability.remove_extra_session" => {
                let _: RemoveArgs = args(&m.args)?;
                need_base(m)?;
                Ok(Checked::default())
            }
            other => Err(unknown_name(other)),
        }
    }

    async fn apply(&self, ctx: &ApplyCtx<'_>) -> Result<Decision, AppError> {
        let m = ctx.mutation;
        if m.name == "availability.remove_extra_session" {
            return remove(ctx, Self::ENTITY, "extra session").await;
        }
        let a: ExtraSessionArgs = checked_args(m)?;
        if let Some(rejected) = missing(ctx, &[("staff", a.clinician_id, "clinician")]).await? {
            return Ok(rejected);
        }
        let data =
            json!({ "clinician_id": a.clinician_id, "starts_at": a.starts_at, "ends_at": a.ends_at, "note": a.note });
        create(ctx, Self::ENTITY, "extra session", data).await
    }
}

impl EntityRules for ClosureRules {
    const ENTITY: &'static str = "clinic_closure";

    fn check(&self, m: &MutationEnvelope, _today: NaiveDate) -> Result<Checked, FieldError> {
        match m.name.as_str() {
            "availability.add_closure" => {
                let a: ClosureArgs = args(&m.args)?;
                text("args.name", &a.name, 100, true)?;
                Ok(Checked::default())
            }
            "availability.remove_closure" => {
                let _: RemoveArgs = args(&m.args)?;
                need_base(m)?;
                Ok(Checked::default())
            }
            other => Err(unknown_name(other)),
        }
    }

    async fn apply(&self, ctx: &ApplyCtx<'_>) -> Result<Decision, AppError> {
        let m = ctx.mutation;
        if m.name == "availability.remove_closure" {
            return remove(ctx, Self::ENTITY, "closure").await;
        }
        let a: ClosureArgs = checked_args(m)?;
        create(ctx, Self::ENTITY, "closure", json!({ "day": a.day, "name": a.name })).await
    }
}
