//! The outbox seen from the push: the next batch (pending mutations in `device_seq` order and the audit entries
//! the server has not acknowledged), and recording what the server said about each mutation.

use clinic_protocol::audit::AuditRecord;
use clinic_protocol::hlc::Hlc;
use clinic_protocol::push::{MutationEnvelope, MutationResult, Outcome, PushResponse};
use rusqlite::{Connection, params};
use uuid::Uuid;

use crate::audit::read_entry;
use crate::clock::to_db_time;
use crate::{CoreError, CoreResult};

/// What one push sends.
#[derive(Debug, Clone, Default)]
pub(crate) struct Batch {
    pub mutations: Vec<MutationEnvelope>,
    pub audit: Vec<AuditRecord>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.mutations.is_empty() && self.audit.is_empty()
    }
}

fn uuid(text: &str) -> CoreResult<Uuid> {
    Uuid::parse_str(text).map_err(CoreError::internal)
}

/// The oldest pending mutations and the oldest unacknowledged audit entries of this device.
pub(crate) fn next_batch(
    conn: &Connection,
    device_id: Uuid,
    mutation_limit: usize,
    audit_limit: usize,
) -> CoreResult<Batch> {
    let mut stmt = conn.prepare_cached(
        "SELECT device_seq, mutation_id, name, v, entity, entity_id, args, base_row_version, hlc, authored_by,
                authored_at
         FROM outbox WHERE state = 'pending' ORDER BY device_seq LIMIT ?1",
    )?;
    type Raw = (i64, String, String, u32, String, String, String, Option<i64>, Option<String>, Option<String>, String);
    let raw: Vec<Raw> = stmt
        .query_map([i64::try_from(mutation_limit).unwrap_or(i64::MAX)], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
                r.get(10)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    let mut mutations = Vec::with_capacity(raw.len());
    for (device_seq, mutation_id, name, v, entity, entity_id, args, base, hlc, authored_by, authored_at) in raw {
        let hlc: Hlc = hlc.as_deref().unwrap_or_default().parse().map_err(CoreError::internal)?;
        mutations.push(MutationEnvelope {
            mutation_id: uuid(&mutation_id)?,
            device_seq,
            name,
            v,
            entity,
            entity_id: uuid(&entity_id)?,
            args: serde_json::from_str(&args)?,
            base_row_version: base,
            hlc,
            authored_by: authored_by.as_deref().map(uuid).transpose()?,
            authored_at,
        });
    }
    let mut stmt = conn.prepare_cached(
        "SELECT device_id, seq, at, user_id, username, action, entity_type, entity_id, patient_id, outcome, detail,
                prev_hash, hash
         FROM audit_log
         WHERE device_id = ?1 AND seq > (SELECT audit_acknowledged_seq FROM sync_state) ORDER BY seq LIMIT ?2",
    )?;
    let audit = stmt
        .query_map(params![device_id.to_string(), i64::try_from(audit_limit).unwrap_or(i64::MAX)], read_entry)?
        .map(|entry| entry.map(|e| e.to_record()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Batch { mutations, audit })
}

/// Counts of what one push answer said.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Recorded {
    pub applied: u32,
    pub conflicts: u32,
    pub duplicates: u32,
    pub rejected: u32,
}

impl Recorded {
    pub fn acknowledged(&self) -> u32 {
        self.applied + self.conflicts + self.duplicates + self.rejected
    }
}

const REFUSED_WITHOUT_REASON: &str = "The clinic server refused this change without saying why. Retry it, or \
                                      discard it if it is no longer needed.";

fn outcome_text(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Applied => "applied",
        Outcome::AppliedWithConflict => "applied_with_conflict",
        Outcome::Duplicate => "duplicate",
        Outcome::Rejected => "rejected",
    }
}

/// Records the server's result for each mutation sent (matched by `device_seq` and `mutation_id`; a result
/// for anything else is ignored, a mutation without a result stays pending).
pub(crate) fn record_results(
    conn: &Connection,
    sent: &[MutationEnvelope],
    answer: &PushResponse,
    now: jiff::Timestamp,
) -> CoreResult<Recorded> {
    let mut counts = Recorded::default();
    let at = to_db_time(now);
    for result in &answer.results {
        if !sent.iter().any(|m| m.device_seq == result.device_seq && m.mutation_id == result.mutation_id) {
            continue;
        }
        let effective = match result.outcome {
            Outcome::Duplicate => result.first_outcome.unwrap_or(Outcome::Applied),
            other => other,
        };
        let rejected = effective == Outcome::Rejected;
        let reason = rejected.then(|| result.reason.clone().unwrap_or_else(|| REFUSED_WITHOUT_REASON.to_owned()));
        let changed = mark(conn, result, rejected, effective, reason.as_deref(), &at)?;
        if !changed {
            continue;
        }
        match (result.outcome, effective) {
            (_, Outcome::Rejected) => counts.rejected += 1,
            (Outcome::Duplicate, _) => counts.duplicates += 1,
            (_, Outcome::AppliedWithConflict) => counts.conflicts += 1,
            _ => counts.applied += 1,
        }
    }
    Ok(counts)
}

fn mark(
    conn: &Connection,
    result: &MutationResult,
    rejected: bool,
    effective: Outcome,
    reason: Option<&str>,
    at: &str,
) -> CoreResult<bool> {
    let first = (result.outcome == Outcome::Duplicate).then(|| outcome_text(effective));
    let changed = conn
        .prepare_cached(
            "UPDATE outbox SET state = ?1, outcome = ?2, first_outcome = ?3, reason = ?4, pushed_at = ?5,
                 acknowledged_at = ?5, server_row_version = ?6
             WHERE device_seq = ?7 AND mutation_id = ?8 AND state = 'pending'",
        )?
        .execute(params![
            if rejected { "rejected" } else { "applied" },
            outcome_text(result.outcome),
            first,
            reason,
            at,
            result.row_version,
            result.device_seq,
            result.mutation_id.to_string(),
        ])?;
    Ok(changed > 0)
}

/// Marks one mutation rejected by this computer's own decision or a request-level refusal naming it: kept,
/// listed for a person with the reason, never dropped.
pub(crate) fn reject_one(conn: &Connection, device_seq: i64, reason: &str, now: jiff::Timestamp) -> CoreResult<()> {
    conn.prepare_cached(
        "UPDATE outbox SET state = 'rejected', outcome = 'rejected', reason = ?1, pushed_at = ?2, acknowledged_at = ?2
         WHERE device_seq = ?3 AND state = 'pending'",
    )?
    .execute(params![reason, to_db_time(now), device_seq])?;
    Ok(())
}

/// After a server restore (new epoch) or a move to another server: every mutation the server had applied is
/// queued again. The server answers `duplicate` for those it still holds. Refused ones stay with the person.
pub(crate) fn requeue_applied(conn: &Connection) -> CoreResult<usize> {
    Ok(conn.prepare_cached("UPDATE outbox SET state = 'pending' WHERE state = 'applied'")?.execute([])?)
}

/// The index of the mutation a request-level validation error names (`mutations[3].args.patch`).
pub(crate) fn mutation_index(field: &str) -> Option<usize> {
    let rest = field.strip_prefix("mutations[")?;
    rest[..rest.find(']')?].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::mutation_index;

    #[test]
    fn the_offending_mutation_is_found_in_the_field_name() {
        assert_eq!(mutation_index("mutations[3].args.patch.email"), Some(3));
        assert_eq!(mutation_index("mutations[12]"), Some(12));
        assert_eq!(mutation_index("audit[2].hash"), None);
        assert_eq!(mutation_index("mutations[x]"), None);
    }
}
