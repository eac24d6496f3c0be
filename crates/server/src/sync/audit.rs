//! Each device's hash-chained audit trail, continued on the server: an entry is kept only when it follows the
//! last one held (seq + 1, prev_hash = last hash, hash = `entry_hash`). Entries already held are ignored when
//! identical; anything else is a detected break, recorded and reported, and nothing after it is kept.

use chrono::{DateTime, Utc};
use clinic_protocol::audit::{AuditRecord, GENESIS_HASH, entry_hash};
use deadpool_postgres::Transaction;
use std::collections::HashMap;

use crate::extract::DeviceAuth;
use crate::{AppError, db};

/// What became of the pushed entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Intake {
    /// The highest contiguous seq the server now holds for the device.
    pub acknowledged: i64,
    /// A sentence describing a detected break, if any.
    pub chain_break: Option<String>,
}

struct Break<'a> {
    record: &'a AuditRecord,
    server_hash: String,
    reason: &'static str,
}

/// Takes in a device's entries (already checked for shape and order), in the caller's transaction.
pub(crate) async fn take_in(
    tx: &Transaction<'_>,
    device: &DeviceAuth,
    records: &[AuditRecord],
    now: DateTime<Utc>,
) -> Result<Intake, AppError> {
    let head =
        db::query_opt(tx, "SELECT seq, hash FROM audit_heads WHERE device_id = $1 FOR UPDATE", &[&device.device_id])
            .await?;
    let (mut seq, mut hash): (i64, String) = match &head {
        Some(r) => (r.try_get(0)?, r.try_get(1)?),
        None => (0, GENESIS_HASH.to_owned()),
    };
    let start = seq;
    let old: Vec<i64> = records.iter().map(|r| r.seq).filter(|s| *s <= seq).collect();
    let held: HashMap<i64, String> = db::query(
        tx,
        "SELECT seq, hash FROM audit_records WHERE device_id = $1 AND seq = ANY($2)",
        &[&device.device_id, &old],
    )
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
    .collect::<Result<_, AppError>>()?;

    let mut found = None;
    let mut accepted: Vec<&AuditRecord> = Vec::new();
    for r in records {
        if r.seq <= seq {
            if held.get(&r.seq) != Some(&r.hash) {
                let server_hash = held.get(&r.seq).cloned().unwrap_or_default();
                found = Some(Break { record: r, server_hash, reason: "differs from the entry the server holds" });
                break;
            }
            continue;
        }
        if r.seq > seq + 1 {
            // A gap: the device is sending from a later point than the server holds (e.g. after a restore). Not a
            // break; the acknowledgement tells the device where to resume.
            break;
        }
        if r.prev_hash != hash {
            found = Some(Break { record: r, server_hash: hash.clone(), reason: "does not continue the chain" });
            break;
        }
        if entry_hash(&r.prev_hash, r) != r.hash {
            found = Some(Break {
                record: r,
                server_hash: hash.clone(),
                reason: "has a hash that does not match its content",
            });
            break;
        }
        accepted.push(r);
        seq = r.seq;
        hash = r.hash.clone();
    }
    if !accepted.is_empty() {
        // One statement for all of them (a push brings up to a thousand).
        let seqs: Vec<i64> = accepted.iter().map(|r| r.seq).collect();
        let prev: Vec<&str> = accepted.iter().map(|r| r.prev_hash.as_str()).collect();
        let hashes: Vec<&str> = accepted.iter().map(|r| r.hash.as_str()).collect();
        let bodies = accepted.iter().map(serde_json::to_value).collect::<Result<Vec<_>, _>>()?;
        db::execute(
            tx,
            "INSERT INTO audit_records (device_id, seq, tenant_id, prev_hash, hash, record, received_at)
             SELECT $1, s, $2, p, h, r, $3 FROM unnest($4::bigint[], $5::text[], $6::text[], $7::jsonb[]) AS t(s, p, h, r)",
            &[&device.device_id, &device.tenant_id, &now, &seqs, &prev, &hashes, &bodies],
        )
        .await?;
    }

    if seq != start {
        db::execute(
            tx,
            "INSERT INTO audit_heads (device_id, tenant_id, seq, hash, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (device_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, updated_at = excluded.updated_at",
            &[&device.device_id, &device.tenant_id, &seq, &hash, &now],
        )
        .await?;
    }

    let chain_break = match found {
        None => None,
        Some(b) => {
            db::execute(
                tx,
                "INSERT INTO audit_chain_breaks (tenant_id, device_id, seq, server_hash, got_prev_hash, got_hash, reason, detected_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (device_id, seq, got_hash) DO NOTHING",
                &[
                    &device.tenant_id,
                    &device.device_id,
                    &b.record.seq,
                    &b.server_hash,
                    &b.record.prev_hash,
                    &b.record.hash,
                    &b.reason,
                    &now,
                ],
            )
            .await?;
            tracing::warn!(device = %device.device_id, seq = b.record.seq, reason = b.reason, "audit chain break detected");
            Some(
                [
                    "The audit trail of this computer does not match the server's copy at entry ",
                    &b.record.seq.to_string(),
                    ": it ",
                    b.reason,
                    ". The server kept the entries before it; an administrator should check this computer's audit trail.",
                ]
                .concat(),
            )
        }
    };
    Ok(Intake { acknowledged: seq, chain_break })
}
