//! Opening, editing, soft-deleting and merging patient records: each change audited and queued for sync.

use rusqlite::params;
use uuid::Uuid;

use super::model::{Patient, PatientDraft};
use super::register::today;
use super::{store, validate};
use crate::accounts::SessionId;
use crate::audit::{AuditAction, AuditOutcome};
use crate::clock::to_db_time;
use crate::outbox::{self, Mutation};
use crate::rbac::Permission;
use crate::setup::settings_internal;
use crate::{Clinic, CoreError, CoreResult};

const MAX_REASON: usize = 500;

/// Opens a record (deleted and merged ones too, so their history can be read). Every opening is audited.
pub fn get(clinic: &Clinic, session: SessionId, id: Uuid) -> CoreResult<Patient> {
    let actor = clinic.authorize(session, Permission::PatientRead)?;
    let patient = clinic.read(|conn| store::get(conn, id))?;
    clinic.audit_alone(&actor.event(AuditAction::PatientView, AuditOutcome::Success).on("patient", id).patient(id))?;
    Ok(patient)
}

fn editable(patient: &Patient) -> CoreResult<()> {
    if patient.deleted_at.is_some() {
        return Err(CoreError::conflict("This patient record was deleted and can no longer be changed."));
    }
    if patient.merged_into.is_some() {
        return Err(CoreError::conflict(
            "This record was merged into another one. Open the record it was merged into and change that one.",
        ));
    }
    Ok(())
}

fn stale() -> CoreError {
    CoreError::conflict(
        "Someone else changed this patient's record after you opened it. Reload the record to see their \
         changes, then make yours again.",
    )
}

/// The draft fields (by their snake_case names) whose values differ, each with its new value.
fn changed_fields(old: &PatientDraft, new: &PatientDraft) -> CoreResult<serde_json::Map<String, serde_json::Value>> {
    let (serde_json::Value::Object(old), serde_json::Value::Object(new)) =
        (serde_json::to_value(old)?, serde_json::to_value(new)?)
    else {
        return Err(CoreError::internal("a patient draft is not a JSON object"));
    };
    Ok(new.into_iter().filter(|(field, value)| old.get(field) != Some(value)).collect())
}

/// Saves an edit made on version `expected_row_version`. If the record changed since, nothing is written
/// and a conflict is returned. The audit entry names the changed fields; the outbox carries only them.
pub fn update(
    clinic: &Clinic,
    session: SessionId,
    id: Uuid,
    expected_row_version: i64,
    draft: &PatientDraft,
) -> CoreResult<Patient> {
    let actor = clinic.authorize(session, Permission::PatientWrite)?;
    clinic.write(|tx| {
        let old = store::get(tx, id)?;
        editable(&old)?;
        if old.row_version != expected_row_version {
            return Err(stale());
        }
        let settings = settings_internal(tx)?;
        let clean = validate::clean(draft, today(clinic, &settings)?)?;
        let patch = changed_fields(&old.details, &clean)?;
        if patch.is_empty() {
            return Ok(old);
        }
        let now = clinic.env.clock.now();
        if !store::update(tx, id, expected_row_version, &clean, &to_db_time(now), actor.staff_id)? {
            return Err(stale());
        }
        let detail = patch.keys().map(String::as_str).collect::<Vec<_>>().join(",");
        clinic.audit_in(
            tx,
            &actor
                .event(AuditAction::PatientUpdate, AuditOutcome::Success)
                .on("patient", id)
                .patient(id)
                .detail(&detail),
        )?;
        outbox::record(
            tx,
            clinic.env.ids.new_id(),
            now,
            &Mutation {
                name: "patient.update",
                v: 1,
                entity: "patient",
                entity_id: id,
                args: serde_json::json!({ "patch": patch }),
                base_row_version: Some(expected_row_version),
                authored_by: Some(actor.staff_id),
            },
        )?;
        store::get(tx, id)
    })
}

fn reason(text: &str) -> CoreResult<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(CoreError::validation("reason", "Say why, for example \"registered twice\" or \"test record\"."));
    }
    if trimmed.chars().count() > MAX_REASON {
        return Err(CoreError::validation(
            "reason",
            format!("The reason is too long: use at most {MAX_REASON} characters."),
        ));
    }
    Ok(trimmed.to_owned())
}

/// Soft-deletes a record with a reason: it stays in the database (and in its history) but is no longer found.
pub fn delete(clinic: &Clinic, session: SessionId, id: Uuid, reason_text: &str) -> CoreResult<Patient> {
    let actor = clinic.authorize(session, Permission::PatientDelete)?;
    let why = reason(reason_text)?;
    clinic.write(|tx| {
        let old = store::get(tx, id)?;
        if old.deleted_at.is_some() {
            return Err(CoreError::conflict("This patient record is already deleted."));
        }
        let now = clinic.env.clock.now();
        let stamp = to_db_time(now);
        store::mark(tx, id, "deleted_at = ?, deleted_reason = ?", &[&stamp, &why], &stamp, actor.staff_id)?;
        clinic.audit_in(
            tx,
            &actor.event(AuditAction::PatientDelete, AuditOutcome::Success).on("patient", id).patient(id),
        )?;
        outbox::record(
            tx,
            clinic.env.ids.new_id(),
            now,
            &Mutation {
                name: "patient.delete",
                v: 1,
                entity: "patient",
                entity_id: id,
                args: serde_json::json!({ "reason": why }),
                base_row_version: Some(old.row_version),
                authored_by: Some(actor.staff_id),
            },
        )?;
        store::get(tx, id)
    })
}

/// Records that `duplicate_id` is the same person as `survivor_id`. Both records and their histories stay;
/// the duplicate points at the survivor and is no longer found by search. Returns the survivor.
pub fn merge(
    clinic: &Clinic,
    session: SessionId,
    survivor_id: Uuid,
    duplicate_id: Uuid,
    reason_text: &str,
) -> CoreResult<Patient> {
    let actor = clinic.authorize(session, Permission::PatientMerge)?;
    if survivor_id == duplicate_id {
        return Err(CoreError::validation(
            "duplicate_id",
            "A record cannot be merged into itself. Choose the other record.",
        ));
    }
    let why = reason(reason_text)?;
    clinic.write(|tx| {
        let survivor = store::get(tx, survivor_id)?;
        let duplicate = store::get(tx, duplicate_id)?;
        editable(&survivor)?;
        editable(&duplicate)?;
        let now = clinic.env.clock.now();
        let stamp = to_db_time(now);
        let merge_id = clinic.env.ids.new_id();
        tx.execute(
            "INSERT INTO patient_merges (id, survivor_id, merged_id, reason, merged_at, updated_at, updated_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
            params![
                merge_id.to_string(),
                survivor_id.to_string(),
                duplicate_id.to_string(),
                why,
                stamp,
                actor.staff_id.to_string()
            ],
        )?;
        let survivor_text = survivor_id.to_string();
        store::mark(tx, duplicate_id, "merged_into = ?", &[&survivor_text], &stamp, actor.staff_id)?;
        for (patient, role) in [(duplicate_id, "merged"), (survivor_id, "survivor")] {
            clinic.audit_in(
                tx,
                &actor
                    .event(AuditAction::PatientMerge, AuditOutcome::Success)
                    .on("patient", patient)
                    .patient(patient)
                    .detail(role),
            )?;
        }
        outbox::record(
            tx,
            clinic.env.ids.new_id(),
            now,
            &Mutation {
                name: "patient.merge",
                v: 1,
                entity: "patient",
                entity_id: duplicate_id,
                args: serde_json::json!({ "merge_id": merge_id, "survivor_id": survivor_id, "reason": why }),
                base_row_version: Some(duplicate.row_version),
                authored_by: Some(actor.staff_id),
            },
        )?;
        Ok(survivor)
    })
}
