//! Patient rules: register (flagging likely duplicates), update (field-level three-way merge; safety-field
//! clashes need a person), delete and merge (soft; a change to a removed record is applied without bringing it
//! back and flagged). Stored document: `{"mrn", "patient": {draft}, "merged_into", "delete_reason"}`, and
//! `merge_reason` once merged.

mod args;
mod keys;
mod merge;

use chrono::NaiveDate;
use clinic_protocol::push::MutationEnvelope;
use clinic_protocol::review::{FieldClash, ReviewItem, ReviewKind, ReviewStatus};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use self::args::{DRAFT_FIELDS, DeleteArgs, Draft, MergeArgs, RegisterArgs, UpdateArgs};
use super::{ApplyCtx, Checked, Decision, EntityRules, Write, unknown_name};
use crate::error::FieldError;
use crate::sync::store::Record;
use crate::{AppError, rules};

#[derive(Debug, Clone, Copy)]
pub(crate) struct PatientRules;

const ENTITY: &str = "patient";

fn item(kind: ReviewKind, ids: Vec<Uuid>, fields: Vec<FieldClash>, m: &MutationEnvelope) -> ReviewItem {
    ReviewItem {
        kind,
        entity: ENTITY.to_owned(),
        entity_ids: ids,
        fields,
        mutation_ids: vec![m.mutation_id],
        status: ReviewStatus::Open,
        resolved_by: None,
        resolution: None,
    }
}

fn not_on_server() -> Decision {
    Decision::Rejected(
        "This patient record is not on the clinic server, so this change could not be applied there. \
         Check the record on this computer and make the change again if it is still needed."
            .into(),
    )
}

fn object(value: &Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

/// Whether a stored patient was deleted or merged away.
fn removed(record: &Record) -> bool {
    record.deleted_at.is_some() || !record.data.get("merged_into").is_none_or(Value::is_null)
}

fn draft_of(doc: &Value) -> Result<Draft, AppError> {
    Ok(serde_json::from_value(doc.get("patient").cloned().unwrap_or(Value::Null))?)
}

impl EntityRules for PatientRules {
    const ENTITY: &'static str = ENTITY;

    fn check(&self, m: &MutationEnvelope, today: NaiveDate) -> Result<Checked, FieldError> {
        match m.name.as_str() {
            "patient.register" => {
                let a: RegisterArgs = rules::args(&m.args)?;
                args::check_mrn(&a.mrn).map_err(|e| e.within("args"))?;
                args::check_draft(&a.patient, today, &|_| true).map_err(|e| e.within("args.patient"))?;
                Ok(Checked::default())
            }
            "patient.update" => {
                let a: UpdateArgs = rules::args(&m.args)?;
                args::read_patch(&a.patch, today).map_err(|e| e.within("args.patch"))?;
                if m.base_row_version.is_none() {
                    return Err(FieldError::new(
                        "base_row_version",
                        "An update must say which version it was made on.",
                    ));
                }
                Ok(Checked::default())
            }
            "patient.delete" => {
                let a: DeleteArgs = rules::args(&m.args)?;
                args::check_reason(&a.reason).map_err(|e| e.within("args"))?;
                Ok(Checked::default())
            }
            "patient.merge" => {
                let a: MergeArgs = rules::args(&m.args)?;
                args::check_reason(&a.reason).map_err(|e| e.within("args"))?;
                if a.survivor_id == m.entity_id {
                    return Err(FieldError::new("args.survivor_id", "A record cannot be merged into itself."));
                }
                Ok(Checked { references: vec![(a.survivor_id, "args.survivor_id")], ..Checked::default() })
            }
            other => Err(unknown_name(other)),
        }
    }

    async fn apply(&self, ctx: &ApplyCtx<'_>) -> Result<Decision, AppError> {
        match ctx.mutation.name.as_str() {
            "patient.register" => register(ctx).await,
            "patient.update" => update(ctx).await,
            "patient.delete" => delete(ctx).await,
            "patient.merge" => merge_into(ctx).await,
            other => Err(AppError::internal(["unchecked patient mutation ", other].concat())),
        }
    }
}

/// What a push's patient mutations will read, so it is loaded with one statement each: the records they name
/// (the merged-into ones too), and the match keys of the patients they register.
pub(crate) fn preload_plan<'a>(mutations: impl Iterator<Item = &'a MutationEnvelope>) -> (Vec<Uuid>, Vec<String>) {
    let (mut ids, mut keys) = (Vec::new(), Vec::new());
    for m in mutations {
        ids.push(m.entity_id);
        match m.name.as_str() {
            "patient.register" => {
                if let Ok(a) = rules::args::<RegisterArgs>(&m.args) {
                    keys.extend(keys::match_keys(&a.patient));
                }
            }
            "patient.merge" => {
                if let Ok(a) = rules::args::<MergeArgs>(&m.args) {
                    ids.push(a.survivor_id);
                }
            }
            _ => {}
        }
    }
    ids.sort();
    ids.dedup();
    keys.sort();
    keys.dedup();
    (ids, keys)
}

async fn register(ctx: &ApplyCtx<'_>) -> Result<Decision, AppError> {
    let m = ctx.mutation;
    let a: RegisterArgs = rules::args(&m.args).map_err(|e| AppError::internal(e.message))?;
    let keys = keys::match_keys(&a.patient);
    // Two reads sent together: the look-up leaves this patient out.
    let (existing, look_alikes) = tokio::try_join!(
        ctx.batch.load(ctx.tx, ENTITY, m.entity_id),
        ctx.batch.look_alikes(ctx.tx, m.entity_id, &keys)
    )?;
    if existing.is_some() {
        return Ok(Decision::Rejected(
            "The clinic server already has a patient record with this identity, so it was not registered again.".into(),
        ));
    }
    ctx.batch.set_match_keys(m.entity_id, keys)?;
    let stamp = Value::String(m.hlc.to_string());
    let field_hlcs: Map<String, Value> = DRAFT_FIELDS.iter().map(|f| ((*f).to_owned(), stamp.clone())).collect();
    let data = json!({ "mrn": a.mrn, "patient": a.patient, "merged_into": null, "delete_reason": null });
    let review_items = look_alikes
        .into_iter()
        .map(|other| item(ReviewKind::PossibleDuplicate, vec![m.entity_id, other], Vec::new(), m))
        .collect();
    Ok(Decision::Apply {
        write: Write {
            entity: ENTITY,
            entity_id: m.entity_id,
            replaces: None,
            data,
            field_hlcs: Value::Object(field_hlcs),
            deleted_at: None,
        },
        review_items,
    })
}

async fn update(ctx: &ApplyCtx<'_>) -> Result<Decision, AppError> {
    let m = ctx.mutation;
    let Some(record) = ctx.batch.load(ctx.tx, ENTITY, m.entity_id).await? else {
        return Ok(not_on_server());
    };
    let a: UpdateArgs = rules::args(&m.args).map_err(|e| AppError::internal(e.message))?;
    let current = object(record.data.get("patient").unwrap_or(&Value::Null));
    let base = match m.base_row_version {
        Some(v) if v == record.row_version => Some(current.clone()),
        Some(v) => ctx
            .batch
            .version(ctx.tx, ENTITY, m.entity_id, v)
            .await?
            .map(|doc| object(doc.get("patient").unwrap_or(&Value::Null))),
        None => None,
    };
    let merged = merge::three_way(&current, base.as_ref(), &a.patch, &object(&record.field_hlcs), &record.hlc, &m.hlc);
    let mut data = object(&record.data);
    data.insert("patient".into(), Value::Object(merged.draft));
    let data = Value::Object(data);
    let mut review_items = Vec::new();
    if !merged.safety.is_empty() {
        review_items.push(item(ReviewKind::SafetyFieldConflict, vec![m.entity_id], merged.safety, m));
    }
    if !merged.ordinary.is_empty() {
        review_items.push(item(ReviewKind::FieldConflict, vec![m.entity_id], merged.ordinary, m));
    }
    if removed(&record) {
        review_items.push(item(ReviewKind::EditOfRemovedRecord, vec![m.entity_id], Vec::new(), m));
    } else {
        ctx.batch.set_match_keys(m.entity_id, keys::match_keys(&draft_of(&data)?))?;
    }
    Ok(Decision::Apply {
        write: Write {
            entity: ENTITY,
            entity_id: m.entity_id,
            replaces: Some(record.row_version),
            data,
            field_hlcs: Value::Object(merged.field_hlcs),
            deleted_at: record.deleted_at,
        },
        review_items,
    })
}

async fn delete(ctx: &ApplyCtx<'_>) -> Result<Decision, AppError> {
    let m = ctx.mutation;
    let Some(record) = ctx.batch.load(ctx.tx, ENTITY, m.entity_id).await? else {
        return Ok(not_on_server());
    };
    let a: DeleteArgs = rules::args(&m.args).map_err(|e| AppError::internal(e.message))?;
    let mut review_items = Vec::new();
    if removed(&record) {
        review_items.push(item(ReviewKind::EditOfRemovedRecord, vec![m.entity_id], Vec::new(), m));
    }
    let mut data = object(&record.data);
    let deleted_at = match record.deleted_at {
        Some(at) => Some(at),
        None => {
            data.insert("delete_reason".into(), Value::String(a.reason));
            Some(ctx.now)
        }
    };
    ctx.batch.set_match_keys(m.entity_id, Vec::new())?;
    Ok(Decision::Apply {
        write: Write {
            entity: ENTITY,
            entity_id: m.entity_id,
            replaces: Some(record.row_version),
            data: Value::Object(data),
            field_hlcs: record.field_hlcs,
            deleted_at,
        },
        review_items,
    })
}

/// `patient.merge` on the duplicate: it points at the survivor from now on.
async fn merge_into(ctx: &ApplyCtx<'_>) -> Result<Decision, AppError> {
    let m = ctx.mutation;
    let a: MergeArgs = rules::args(&m.args).map_err(|e| AppError::internal(e.message))?;
    // Both rows are locked in id order, so two merges of the same pair cannot deadlock.
    let (first, second) =
        if m.entity_id < a.survivor_id { (m.entity_id, a.survivor_id) } else { (a.survivor_id, m.entity_id) };
    let first_record = ctx.batch.load(ctx.tx, ENTITY, first).await?;
    let second_record = ctx.batch.load(ctx.tx, ENTITY, second).await?;
    let (duplicate, survivor) =
        if first == m.entity_id { (first_record, second_record) } else { (second_record, first_record) };
    let Some(duplicate) = duplicate else {
        return Ok(not_on_server());
    };
    let Some(survivor) = survivor else {
        return Ok(Decision::Rejected(
            "The record this one was to be merged into is not on the clinic server, so the merge was not applied. \
             Check both records and merge them again."
                .into(),
        ));
    };
    let mut data = object(&duplicate.data);
    let mut review_items = Vec::new();
    if removed(&duplicate) || removed(&survivor) {
        review_items.push(item(ReviewKind::EditOfRemovedRecord, vec![m.entity_id, a.survivor_id], Vec::new(), m));
    } else {
        data.insert("merged_into".into(), json!(a.survivor_id));
        data.insert("merge_reason".into(), json!(a.reason));
        ctx.batch.set_match_keys(m.entity_id, Vec::new())?;
    }
    Ok(Decision::Apply {
        write: Write {
            entity: ENTITY,
            entity_id: m.entity_id,
            replaces: Some(duplicate.row_version),
            data: Value::Object(data),
            field_hlcs: duplicate.field_hlcs,
            deleted_at: duplicate.deleted_at,
        },
        review_items,
    })
}
