//! Pulled patient records: `{mrn, patient: PatientDraft, merged_into, delete_reason}` plus the change's
//! tombstone. Written through `patients::store` so the search index and look-up keys stay right; pending local
//! registrations, edits (field by field), deletions and merges are re-applied on top.

use clinic_protocol::pull::Change;
use serde::Deserialize;
use uuid::Uuid;

use super::{ApplyContext, ApplyFailure, EntityApplier, PendingMutation, db_time, decode};
use crate::CoreResult;
use crate::patients::{Patient, PatientDraft};
use crate::patients::{store, synced};

pub(crate) struct PatientApplier;

/// The `data` of a pulled patient.
#[derive(Debug, Deserialize)]
struct PatientData {
    mrn: String,
    patient: PatientDraft,
    #[serde(default)]
    merged_into: Option<Uuid>,
    #[serde(default)]
    delete_reason: Option<String>,
    #[serde(default)]
    merge_reason: Option<String>,
}

/// Records a merge made on another computer in the merge history, once (the computer that merged has it).
fn record_merge(tx: &rusqlite::Connection, merged: &Patient, survivor: Uuid, reason: Option<&str>) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO patient_merges (id, survivor_id, merged_id, reason, merged_at, updated_at, updated_by)
         SELECT ?1, ?2, ?3, ?4, ?5, ?5, ?6
         WHERE NOT EXISTS (SELECT 1 FROM patient_merges WHERE survivor_id = ?2 AND merged_id = ?3)",
        rusqlite::params![
            Uuid::now_v7().to_string(),
            survivor.to_string(),
            merged.id.to_string(),
            reason.unwrap_or("Merged on another computer of the clinic."),
            merged.updated_at,
            merged.updated_by.map(|u| u.to_string())
        ],
    )?;
    Ok(())
}

impl EntityApplier for PatientApplier {
    fn entity(&self) -> &'static str {
        "patient"
    }

    fn write_server_version(&self, ctx: &mut ApplyContext<'_>, change: &Change) -> Result<(), ApplyFailure> {
        let data: PatientData = decode(&change.data, "the patient record")?;
        let tx = ctx.tx;
        let id = change.entity_id;
        if data.mrn.trim().is_empty() {
            return Err(ApplyFailure::Unusable("the patient record has no record number".to_owned()));
        }
        if let Some(target) = data.merged_into
            && target != id
            && store::find(tx, target)?.is_none()
        {
            return Err(ApplyFailure::Unusable("the record it was merged with has not been received yet".to_owned()));
        }
        if let Some(other) = synced::mrn_taken_by_other(tx, &data.mrn, id)? {
            return Err(ApplyFailure::Unusable(
                [
                    "record number ",
                    &data.mrn,
                    " is already used here by record ",
                    &other.to_string(),
                    ": two computers of this clinic probably share a device code",
                ]
                .concat(),
            ));
        }
        let existing = store::find(tx, id)?;
        let updated_at = db_time(&change.updated_at)?;
        let patient = Patient {
            id,
            mrn: data.mrn,
            details: data.patient,
            merged_into: data.merged_into.filter(|m| *m != id),
            deleted_at: change.deleted_at.as_deref().map(db_time).transpose()?,
            deleted_reason: data.delete_reason,
            created_at: existing.as_ref().map_or_else(|| updated_at.clone(), |p| p.created_at.clone()),
            updated_at,
            updated_by: change.updated_by,
            row_version: change.row_version,
        };
        match existing {
            None => synced::insert_from_server(tx, &patient)?,
            Some(_) => synced::overwrite_from_server(tx, &patient)?,
        }
        if let Some(survivor) = patient.merged_into {
            record_merge(tx, &patient, survivor, data.merge_reason.as_deref())?;
        }
        Ok(())
    }

    fn reapply(&self, ctx: &mut ApplyContext<'_>, change: &Change, pending: &PendingMutation) -> CoreResult<()> {
        let Some(mut current) = store::find(ctx.tx, change.entity_id)? else { return Ok(()) };
        let args = &pending.args;
        match pending.name.as_str() {
            "patient.update" => {
                let Some(patch) = args.get("patch").and_then(|p| p.as_object()) else { return Ok(()) };
                let Ok(serde_json::Value::Object(mut fields)) = serde_json::to_value(&current.details) else {
                    return Ok(());
                };
                for (field, value) in patch {
                    fields.insert(field.clone(), value.clone());
                }
                let Ok(details) = serde_json::from_value::<PatientDraft>(serde_json::Value::Object(fields)) else {
                    return Ok(());
                };
                current.details = details;
            }
            "patient.delete" if current.deleted_at.is_none() => {
                current.deleted_at = Some(pending.authored_at.clone());
                current.deleted_reason = args.get("reason").and_then(|r| r.as_str()).map(str::to_owned);
            }
            "patient.merge" if current.merged_into.is_none() => {
                let survivor = args.get("survivor_id").and_then(|s| s.as_str()).and_then(|s| Uuid::parse_str(s).ok());
                match survivor {
                    Some(survivor) if survivor != current.id && store::find(ctx.tx, survivor)?.is_some() => {
                        current.merged_into = Some(survivor);
                    }
                    _ => return Ok(()),
                }
            }
            // A pending registration of a record the server already has: nothing to add.
            _ => return Ok(()),
        }
        synced::overwrite_from_server(ctx.tx, &current)
    }
}
