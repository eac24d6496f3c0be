//! Pulled availability: weekly templates (keyed by the clinician, periods stored as core writes them), extra
//! sessions and closures (removed ones arrive as tombstones). Pending local changes are re-applied on top.

use clinic_protocol::pull::Change;
use rusqlite::params;
use serde::Deserialize;
use uuid::Uuid;

use super::{Needs, arg, bookkeeping, require};
use crate::CoreResult;
use crate::clock::to_db_time;
use crate::scheduling::availability::WorkingPeriod;
use crate::sync::apply::{ApplyContext, ApplyFailure, EntityApplier, PendingMutation, db_time, decode};

pub(crate) struct WorkingTemplateApplier;
pub(crate) struct ExtraSessionApplier;
pub(crate) struct ClosureApplier;

#[derive(Debug, Deserialize)]
struct TemplateData {
    periods: Vec<WorkingPeriod>,
}

#[derive(Debug, Deserialize)]
struct ExtraSessionData {
    clinician_id: Uuid,
    starts_at: String,
    ends_at: String,
    note: String,
    created_at: String,
}

#[derive(Debug, Deserialize)]
struct ClosureData {
    day: jiff::civil::Date,
    name: String,
    created_at: String,
}

impl EntityApplier for WorkingTemplateApplier {
    fn entity(&self) -> &'static str {
        "working_template"
    }

    fn write_server_version(&self, ctx: &mut ApplyContext<'_>, change: &Change) -> Result<(), ApplyFailure> {
        let t: TemplateData = decode(&change.data, "the weekly template")?;
        require(ctx.tx, &[(Needs::Staff, change.entity_id)])?;
        let (updated_at, deleted_at, updated_by) = bookkeeping(change)?;
        ctx.tx
            .prepare_cached(
                "INSERT INTO working_templates (clinician_id, periods, row_version, updated_at, deleted_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (clinician_id) DO UPDATE SET periods = excluded.periods,
                     row_version = excluded.row_version, updated_at = excluded.updated_at,
                     deleted_at = excluded.deleted_at, updated_by = excluded.updated_by",
            )?
            .execute(params![
                change.entity_id.to_string(),
                serde_json::to_string(&t.periods).map_err(crate::CoreError::from)?,
                change.row_version,
                updated_at,
                deleted_at,
                updated_by,
            ])?;
        Ok(())
    }

    fn reapply(&self, ctx: &mut ApplyContext<'_>, change: &Change, pending: &PendingMutation) -> CoreResult<()> {
        let periods = arg::<Vec<WorkingPeriod>>(&pending.args, "periods");
        if let (Some(periods), "availability.set_template") = (periods, pending.name.as_str()) {
            ctx.tx
                .prepare_cached("UPDATE working_templates SET periods = ?1 WHERE clinician_id = ?2")?
                .execute(params![serde_json::to_string(&periods)?, change.entity_id.to_string()])?;
        }
        Ok(())
    }
}

/// A pending removal keeps the row removed at the desk's removal time. `sql` is fixed text of this module.
fn reapply_removal(ctx: &ApplyContext<'_>, change: &Change, pending: &PendingMutation, sql: &str) -> CoreResult<()> {
    if let Some(at) = arg::<jiff::Timestamp>(&pending.args, "deleted_at") {
        ctx.tx.prepare_cached(sql)?.execute(params![to_db_time(at), change.entity_id.to_string()])?;
    }
    Ok(())
}

impl EntityApplier for ExtraSessionApplier {
    fn entity(&self) -> &'static str {
        "extra_session"
    }

    fn write_server_version(&self, ctx: &mut ApplyContext<'_>, change: &Change) -> Result<(), ApplyFailure> {
        let s: ExtraSessionData = decode(&change.data, "the extra session")?;
        require(ctx.tx, &[(Needs::Staff, s.clinician_id)])?;
        let (updated_at, deleted_at, updated_by) = bookkeeping(change)?;
        ctx.tx
            .prepare_cached(
                "INSERT INTO extra_sessions (id, clinician_id, starts_at, ends_at, note, created_at, row_version,
                     updated_at, deleted_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (id) DO UPDATE SET clinician_id = excluded.clinician_id,
                     starts_at = excluded.starts_at, ends_at = excluded.ends_at, note = excluded.note,
                     created_at = excluded.created_at, row_version = excluded.row_version,
                     updated_at = excluded.updated_at, deleted_at = excluded.deleted_at,
                     updated_by = excluded.updated_by",
            )?
            .execute(params![
                change.entity_id.to_string(),
                s.clinician_id.to_string(),
                db_time(&s.starts_at)?,
                db_time(&s.ends_at)?,
                s.note,
                db_time(&s.created_at)?,
                change.row_version,
                updated_at,
                deleted_at,
                updated_by,
            ])?;
        Ok(())
    }

    fn reapply(&self, ctx: &mut ApplyContext<'_>, change: &Change, pending: &PendingMutation) -> CoreResult<()> {
        if pending.name != "availability.remove_extra_session" {
            return Ok(());
        }
        reapply_removal(
            ctx,
            change,
            pending,
            "UPDATE extra_sessions SET deleted_at = coalesce(deleted_at, ?1) WHERE id = ?2",
        )
    }
}

impl EntityApplier for ClosureApplier {
    fn entity(&self) -> &'static str {
        "clinic_closure"
    }

    fn write_server_version(&self, ctx: &mut ApplyContext<'_>, change: &Change) -> Result<(), ApplyFailure> {
        let c: ClosureData = decode(&change.data, "the closure")?;
        let (updated_at, deleted_at, updated_by) = bookkeeping(change)?;
        ctx.tx
            .prepare_cached(
                "INSERT INTO clinic_closures (id, day, name, created_at, row_version, updated_at, deleted_at,
                     updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (id) DO UPDATE SET day = excluded.day, name = excluded.name,
                     created_at = excluded.created_at, row_version = excluded.row_version,
                     updated_at = excluded.updated_at, deleted_at = excluded.deleted_at,
                     updated_by = excluded.updated_by",
            )?
            .execute(params![
                change.entity_id.to_string(),
                c.day.to_string(),
                c.name,
                db_time(&c.created_at)?,
                change.row_version,
                updated_at,
                deleted_at,
                updated_by,
            ])?;
        Ok(())
    }

    fn reapply(&self, ctx: &mut ApplyContext<'_>, change: &Change, pending: &PendingMutation) -> CoreResult<()> {
        if pending.name != "availability.remove_closure" {
            return Ok(());
        }
        reapply_removal(
            ctx,
            change,
            pending,
            "UPDATE clinic_closures SET deleted_at = coalesce(deleted_at, ?1) WHERE id = ?2",
        )
    }
}
