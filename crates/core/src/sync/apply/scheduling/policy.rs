//! The pulled scheduling policy (`SchedulingPolicy`, keyed by the clinic's id); a pending change is re-applied
//! on top.

use clinic_protocol::pull::Change;
use rusqlite::params;

use super::bookkeeping;
use crate::CoreResult;
use crate::scheduling::policy::SchedulingPolicy;
use crate::sync::apply::{ApplyContext, ApplyFailure, EntityApplier, PendingMutation, decode};

pub(crate) struct PolicyApplier;

impl EntityApplier for PolicyApplier {
    fn entity(&self) -> &'static str {
        "scheduling_policy"
    }

    fn write_server_version(&self, ctx: &mut ApplyContext<'_>, change: &Change) -> Result<(), ApplyFailure> {
        let p: SchedulingPolicy = decode(&change.data, "the scheduling policy")?;
        let (updated_at, deleted_at, updated_by) = bookkeeping(change)?;
        ctx.tx
            .prepare_cached(
                "INSERT INTO scheduling_policy (id, allow_overbooking, calendar_patient_names, telemedicine_base_url,
                     row_version, updated_at, deleted_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (id) DO UPDATE SET allow_overbooking = excluded.allow_overbooking,
                     calendar_patient_names = excluded.calendar_patient_names,
                     telemedicine_base_url = excluded.telemedicine_base_url, row_version = excluded.row_version,
                     updated_at = excluded.updated_at, deleted_at = excluded.deleted_at,
                     updated_by = excluded.updated_by",
            )?
            .execute(params![
                change.entity_id.to_string(),
                p.allow_overbooking,
                p.calendar_patient_names,
                p.telemedicine_base_url,
                change.row_version,
                updated_at,
                deleted_at,
                updated_by,
            ])?;
        Ok(())
    }

    fn reapply(&self, ctx: &mut ApplyContext<'_>, change: &Change, pending: &PendingMutation) -> CoreResult<()> {
        if pending.name != "scheduling.policy" {
            return Ok(());
        }
        let Ok(p) = serde_json::from_value::<SchedulingPolicy>(pending.args.clone()) else { return Ok(()) };
        ctx.tx
            .prepare_cached(
                "UPDATE scheduling_policy SET allow_overbooking = ?1, calendar_patient_names = ?2,
                     telemedicine_base_url = ?3 WHERE id = ?4",
            )?
            .execute(params![
                p.allow_overbooking,
                p.calendar_patient_names,
                p.telemedicine_base_url,
                change.entity_id.to_string()
            ])?;
        Ok(())
    }
}
