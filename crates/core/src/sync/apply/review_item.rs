//! Pulled review items (`clinic_protocol::review::ReviewItem`), kept whole in `review_items.data` with the
//! columns the review screen filters on. Read leniently, so a kind added by a newer server is still stored.

use clinic_protocol::pull::Change;
use rusqlite::params;
use uuid::Uuid;

use super::{ApplyContext, ApplyFailure, EntityApplier, PendingMutation, db_time, decode};
use crate::CoreResult;

pub(crate) struct ReviewItemApplier;

const STATUSES: [&str; 3] = ["open", "resolved", "dismissed"];

fn text_field<'a>(data: &'a serde_json::Value, name: &str) -> Option<&'a str> {
    data.get(name).and_then(|v| v.as_str())
}

impl EntityApplier for ReviewItemApplier {
    fn entity(&self) -> &'static str {
        clinic_protocol::review::REVIEW_ITEM_ENTITY
    }

    fn write_server_version(&self, ctx: &mut ApplyContext<'_>, change: &Change) -> Result<(), ApplyFailure> {
        let data = &change.data;
        let (Some(kind), Some(entity), Some(status)) =
            (text_field(data, "kind"), text_field(data, "entity"), text_field(data, "status"))
        else {
            return Err(ApplyFailure::Unusable("the review item lacks its kind, entity or status".to_owned()));
        };
        if !STATUSES.contains(&status) {
            return Err(ApplyFailure::Unusable("the review item's status is not known".to_owned()));
        }
        let entity_ids: Vec<Uuid> =
            decode(data.get("entity_ids").unwrap_or(&serde_json::Value::Null), "the review item's records")?;
        let resolved_by: Option<Uuid> =
            decode(data.get("resolved_by").unwrap_or(&serde_json::Value::Null), "the review item's resolver")?;
        let updated_at = db_time(&change.updated_at)?;
        let deleted_at = change.deleted_at.as_deref().map(db_time).transpose()?;
        ctx.tx
            .prepare_cached(
                "INSERT INTO review_items (id, kind, entity, entity_ids, data, status, resolution, resolved_by, seq,
                     row_version, updated_at, deleted_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                 ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, entity = excluded.entity,
                     entity_ids = excluded.entity_ids, data = excluded.data, status = excluded.status,
                     resolution = excluded.resolution, resolved_by = excluded.resolved_by, seq = excluded.seq,
                     row_version = excluded.row_version, updated_at = excluded.updated_at,
                     deleted_at = excluded.deleted_at, updated_by = excluded.updated_by",
            )?
            .execute(params![
                change.entity_id.to_string(),
                kind,
                entity,
                serde_json::to_string(&entity_ids).map_err(crate::CoreError::from)?,
                data.to_string(),
                status,
                text_field(data, "resolution"),
                resolved_by.map(|u| u.to_string()),
                change.seq,
                change.row_version,
                updated_at,
                deleted_at,
                change.updated_by.map(|u| u.to_string()),
            ])?;
        Ok(())
    }

    fn reapply(&self, ctx: &mut ApplyContext<'_>, change: &Change, pending: &PendingMutation) -> CoreResult<()> {
        if pending.name != "review.resolve" {
            return Ok(());
        }
        let status = text_field(&pending.args, "status").filter(|s| STATUSES.contains(s));
        let (Some(status), Some(resolution)) = (status, text_field(&pending.args, "resolution")) else {
            return Ok(());
        };
        ctx.tx
            .prepare_cached("UPDATE review_items SET status = ?1, resolution = ?2, resolved_by = ?3 WHERE id = ?4")?
            .execute(params![
                status,
                resolution,
                pending.authored_by.map(|u| u.to_string()),
                change.entity_id.to_string()
            ])?;
        Ok(())
    }
}
