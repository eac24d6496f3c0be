//! Pulled clinician profiles (`{specialty, languages, slot_minutes}`, keyed by the staff account), with the
//! folded specialty the specialty filter compares; a pending change is re-applied on top.

use clinic_protocol::pull::Change;
use rusqlite::params;
use uuid::Uuid;

use super::{Needs, bookkeeping, require};
use crate::CoreResult;
use crate::patients::keys::fold;
use crate::scheduling::clinicians::ClinicianProfile;
use crate::sync::apply::{ApplyContext, ApplyFailure, EntityApplier, PendingMutation, decode};

pub(crate) struct ClinicianProfileApplier;

fn usable(p: &ClinicianProfile) -> bool {
    (5..=240).contains(&p.slot_minutes)
}

fn save(ctx: &ApplyContext<'_>, id: Uuid, p: &ClinicianProfile) -> CoreResult<()> {
    ctx.tx
        .prepare_cached(
            "UPDATE clinician_profiles SET specialty = ?1, specialty_key = ?2, languages = ?3, slot_minutes = ?4
             WHERE staff_id = ?5",
        )?
        .execute(params![
            p.specialty,
            fold(&p.specialty),
            serde_json::to_string(&p.languages)?,
            p.slot_minutes,
            id.to_string()
        ])?;
    Ok(())
}

impl EntityApplier for ClinicianProfileApplier {
    fn entity(&self) -> &'static str {
        "clinician_profile"
    }

    fn write_server_version(&self, ctx: &mut ApplyContext<'_>, change: &Change) -> Result<(), ApplyFailure> {
        let p: ClinicianProfile = decode(&change.data, "the clinician profile")?;
        if !usable(&p) {
            return Err(ApplyFailure::Unusable("the slot length is out of range".to_owned()));
        }
        require(ctx.tx, &[(Needs::Staff, change.entity_id)])?;
        let (updated_at, deleted_at, updated_by) = bookkeeping(change)?;
        ctx.tx
            .prepare_cached(
                "INSERT INTO clinician_profiles (staff_id, specialty, specialty_key, languages, slot_minutes,
                     row_version, updated_at, deleted_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (staff_id) DO UPDATE SET specialty = excluded.specialty,
                     specialty_key = excluded.specialty_key, languages = excluded.languages,
                     slot_minutes = excluded.slot_minutes, row_version = excluded.row_version,
                     updated_at = excluded.updated_at, deleted_at = excluded.deleted_at,
                     updated_by = excluded.updated_by",
            )?
            .execute(params![
                change.entity_id.to_string(),
                p.specialty,
                fold(&p.specialty),
                serde_json::to_string(&p.languages).map_err(crate::CoreError::from)?,
                p.slot_minutes,
                change.row_version,
                updated_at,
                deleted_at,
                updated_by,
            ])?;
        Ok(())
    }

    fn reapply(&self, ctx: &mut ApplyContext<'_>, change: &Change, pending: &PendingMutation) -> CoreResult<()> {
        match serde_json::from_value::<ClinicianProfile>(pending.args.clone()) {
            Ok(p) if pending.name == "clinician_profile.set" && usable(&p) => save(ctx, change.entity_id, &p),
            _ => Ok(()),
        }
    }
}
