//! Synced records in the tenant's transaction: reading their current state and older versions, the change
//! sequence, and the answers already given. A push's writes go through [`super::batch`].

use chrono::{DateTime, Utc};
use clinic_protocol::push::MutationResult;
use deadpool_postgres::Transaction;
use serde_json::Value;
use serde_json::value::RawValue;
use tokio_postgres::Row;
use uuid::Uuid;

use super::wire::WireChange;
use crate::clock::rfc3339;
use crate::extract::DeviceAuth;
use crate::{AppError, db};

/// A record's current state as stored.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub row_version: i64,
    pub data: Value,
    pub field_hlcs: Value,
    pub hlc: String,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// Loads a record and locks it until the transaction ends (so two mutations of one record apply one after the
/// other). `None` when the tenant has no such record.
pub(crate) async fn load(
    tx: &Transaction<'_>,
    tenant: Uuid,
    entity: &str,
    id: Uuid,
) -> Result<Option<Record>, AppError> {
    let row = db::query_opt(
        tx,
        "SELECT row_version, data, field_hlcs, hlc, deleted_at FROM entities
         WHERE tenant_id = $1 AND entity = $2 AND entity_id = $3 FOR UPDATE",
        &[&tenant, &entity, &id],
    )
    .await?;
    row.map(|r| {
        Ok(Record {
            row_version: r.try_get(0)?,
            data: r.try_get(1)?,
            field_hlcs: r.try_get(2)?,
            hlc: r.try_get(3)?,
            deleted_at: r.try_get(4)?,
        })
    })
    .transpose()
}

/// The data of one earlier version of a record, if kept.
pub(crate) async fn version(
    tx: &Transaction<'_>,
    tenant: Uuid,
    entity: &str,
    id: Uuid,
    row_version: i64,
) -> Result<Option<Value>, AppError> {
    let row = db::query_opt(
        tx,
        "SELECT data FROM entity_versions WHERE tenant_id = $1 AND entity = $2 AND entity_id = $3 AND row_version = $4",
        &[&tenant, &entity, &id, &row_version],
    )
    .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// A push's numbers of the tenant's change sequence: the sequence row is locked when the push starts (so numbers
/// become visible in commit order and one tenant's pushes apply one after another), numbers are handed out in
/// memory, and the row is written once before commit with the last number and the tenant's latest HLC.
#[derive(Debug)]
pub(crate) struct Sequence {
    tenant: Uuid,
    last: i64,
    hlc: String,
}

impl Sequence {
    /// Locks the tenant's sequence until the transaction ends; taken first by a push, before any record.
    pub(crate) async fn lock(tx: &Transaction<'_>, tenant: Uuid) -> Result<Sequence, AppError> {
        let row =
            db::query_one(tx, "SELECT seq, hlc FROM tenant_sequences WHERE tenant_id = $1 FOR UPDATE", &[&tenant])
                .await?;
        Ok(Sequence { tenant, last: row.try_get(0)?, hlc: row.try_get(1)? })
    }

    /// The next `count` numbers, returning the first; `hlc` is kept if it is the newest seen.
    pub(crate) fn take(&mut self, count: i64, hlc: &str) -> i64 {
        let first = self.last + 1;
        self.last += count;
        if hlc > self.hlc.as_str() {
            self.hlc = hlc.to_owned();
        }
        first
    }

    /// Writes the sequence row back, in the push's transaction.
    pub(crate) async fn save(&self, tx: &Transaction<'_>) -> Result<(), AppError> {
        db::execute(
            tx,
            "UPDATE tenant_sequences SET seq = $2, hlc = GREATEST(hlc, $3) WHERE tenant_id = $1",
            &[&self.tenant, &self.last, &self.hlc],
        )
        .await?;
        Ok(())
    }
}

/// Who made a write, for its bookkeeping columns.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Origin<'a> {
    pub device: &'a DeviceAuth,
    pub mutation: Option<Uuid>,
    pub author: Option<Uuid>,
    pub hlc: &'a str,
    pub at: DateTime<Utc>,
}

/// What was answered the first time for each of these `(device, device_seq)`s that was seen before.
pub(crate) async fn applied_results(
    tx: &Transaction<'_>,
    sent: &[(Uuid, i64)],
) -> Result<std::collections::HashMap<(Uuid, i64), MutationResult>, AppError> {
    let (devices, seqs): (Vec<Uuid>, Vec<i64>) = sent.iter().copied().unzip();
    let rows = db::query(
        tx,
        "SELECT a.device_id, a.device_seq, a.result FROM applied_mutations AS a
         JOIN unnest($1::uuid[], $2::bigint[]) AS s (device_id, device_seq)
           ON a.device_id = s.device_id AND a.device_seq = s.device_seq",
        &[&devices, &seqs],
    )
    .await?;
    rows.iter().map(|r| Ok(((r.try_get(0)?, r.try_get(1)?), serde_json::from_value(r.try_get(2)?)?))).collect()
}

/// Which of these `device_seq`s of a device were seen before.
pub(crate) async fn applied_seqs(tx: &Transaction<'_>, device: Uuid, seqs: &[i64]) -> Result<Vec<i64>, AppError> {
    let rows = db::query(
        tx,
        "SELECT device_seq FROM applied_mutations WHERE device_id = $1 AND device_seq = ANY($2)",
        &[&device, &seqs],
    )
    .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// A record row as a change on the wire. The row's columns, in order: seq, entity, entity_id, row_version,
/// data (as text), updated_at, updated_by, deleted_at, hlc, origin_device, origin_mutation.
pub(crate) fn change(row: &Row) -> Result<WireChange, AppError> {
    let data: String = row.try_get(4)?;
    Ok(WireChange {
        seq: row.try_get(0)?,
        entity: row.try_get(1)?,
        entity_id: row.try_get(2)?,
        row_version: row.try_get(3)?,
        data: RawValue::from_string(data).map_err(|_| AppError::internal("stored data is not JSON"))?,
        updated_at: rfc3339(row.try_get(5)?),
        updated_by: row.try_get(6)?,
        deleted_at: row.try_get::<_, Option<DateTime<Utc>>>(7)?.map(rfc3339),
        hlc: row.try_get(8)?,
        origin_device: row.try_get(9)?,
        origin_mutation: row.try_get(10)?,
    })
}
