//! Pull (changes after a cursor, in the tenant's commit order) and bootstrap (every current record, page by page
//! in `(entity, entity_id)` order from a snapshot of the sequence). Both keyset-paginated, both tenant-scoped.

use clinic_protocol::bootstrap::BootstrapQuery;
use clinic_protocol::pull::{Cursor, PullQuery};
use clinic_protocol::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use uuid::Uuid;

use super::push::server_hlc;
use super::store;
use super::wire::{WireBootstrapPage, WirePullResponse};
use crate::extract::DeviceAuth;
use crate::{AppError, AppState, db};

fn page_size(limit: Option<u32>) -> Result<i64, AppError> {
    match limit.unwrap_or(DEFAULT_PAGE_SIZE) {
        n @ 1..=MAX_PAGE_SIZE => Ok(i64::from(n)),
        _ => Err(AppError::validation(
            "limit",
            ["Ask for between 1 and ", &MAX_PAGE_SIZE.to_string(), " changes per page."].concat(),
        )),
    }
}

/// One page of the tenant's changes after `q.after`.
pub(crate) async fn pull(state: &AppState, device: DeviceAuth, q: PullQuery) -> Result<WirePullResponse, AppError> {
    let limit = page_size(q.limit)?;
    if q.after < 0 {
        return Err(AppError::validation("after", "The cursor's sequence number cannot be negative."));
    }
    let mut client = state.pool.get().await?;
    let tx = db::tenant_transaction(&mut client, device.tenant_id).await?;
    let epoch = db::epoch(&tx).await?;
    if q.epoch != epoch {
        return Err(AppError::epoch_changed());
    }
    let mut rows = db::query(
        &tx,
        "SELECT seq, entity, entity_id, row_version, data::text, updated_at, updated_by, deleted_at, hlc, origin_device, origin_mutation
         FROM entities WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        &[&device.tenant_id, &q.after, &(limit + 1)],
    )
    .await?;
    let stored_hlc: String =
        db::query_one(&tx, "SELECT hlc FROM tenant_sequences WHERE tenant_id = $1", &[&device.tenant_id])
            .await?
            .try_get(0)?;
    tx.commit().await?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let changes = rows.iter().map(store::change).collect::<Result<Vec<_>, _>>()?;
    state.metrics.pulled_changes.inc_by(changes.len() as u64);
    let next = Cursor { epoch, seq: changes.last().map_or(q.after, |c| c.seq) };
    Ok(WirePullResponse { changes, next, has_more, server_hlc: server_hlc(&stored_hlc, state.clock.now_ms()) })
}

/// One page of the tenant's current records, from the start or after `(after_entity, after_id)`.
pub(crate) async fn bootstrap(
    state: &AppState,
    device: DeviceAuth,
    q: BootstrapQuery,
) -> Result<WireBootstrapPage, AppError> {
    let limit = page_size(q.limit)?;
    let after = match (q.after_entity, q.after_id) {
        (Some(entity), Some(id)) => {
            crate::rules::text("after_entity", &entity, 64, true)?;
            (entity, id)
        }
        (None, None) => (String::new(), Uuid::nil()),
        _ => {
            return Err(AppError::validation("after_id", "Give both after_entity and after_id, or neither."));
        }
    };
    if q.snapshot.is_none() && !after.0.is_empty() {
        return Err(AppError::validation("snapshot", "Later pages must carry the snapshot the first page returned."));
    }
    let mut client = state.pool.get().await?;
    let tx = db::tenant_transaction(&mut client, device.tenant_id).await?;
    let epoch = db::epoch(&tx).await?;
    let snapshot = match q.snapshot {
        Some(s) if s.epoch != epoch => return Err(AppError::epoch_changed()),
        Some(s) => s,
        None => {
            let seq: i64 =
                db::query_one(&tx, "SELECT seq FROM tenant_sequences WHERE tenant_id = $1", &[&device.tenant_id])
                    .await?
                    .try_get(0)?;
            Cursor { epoch, seq }
        }
    };
    let mut rows = db::query(
        &tx,
        "SELECT seq, entity, entity_id, row_version, data::text, updated_at, updated_by, deleted_at, hlc, origin_device, origin_mutation
         FROM entities WHERE tenant_id = $1 AND (entity, entity_id) > ($2, $3)
         ORDER BY entity, entity_id LIMIT $4",
        &[&device.tenant_id, &after.0, &after.1, &(limit + 1)],
    )
    .await?;
    tx.commit().await?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let records = rows.iter().map(store::change).collect::<Result<Vec<_>, _>>()?;
    Ok(WireBootstrapPage { snapshot, records, has_more })
}
