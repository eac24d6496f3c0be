//! The request-level check of a push, before anything is written: envelope shape, each mutation's arguments,
//! authors (active staff of the device's tenant), ids of other tenants, audit record shape. One failure refuses
//! the whole request naming the field (`mutations[3].args.patient.date_of_birth`); the honest client then sets
//! that mutation aside and pushes the rest again.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate};
use clinic_protocol::MAX_PUSH_BATCH;
use clinic_protocol::push::PushRequest;
use deadpool_postgres::Transaction;
use serde_json::Value;
use uuid::Uuid;

use super::store;
use crate::error::FieldError;
use crate::extract::DeviceAuth;
use crate::rules::{Checked, Kind, holds_nul, text};
use crate::{AppError, db};

/// Deepest nesting accepted inside a mutation's `args`.
pub const MAX_ARGS_DEPTH: usize = 32;
/// Most audit entries accepted in one push.
pub const MAX_AUDIT_BATCH: usize = 10_000;

fn depth(v: &Value) -> usize {
    match v {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

fn at(list: &str, i: usize) -> String {
    [list, "[", &i.to_string(), "]"].concat()
}

fn is_hash(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Shape of the audit entries: this device's, in increasing order, with well-formed hashes and bounded texts.
fn check_audit(device: &DeviceAuth, req: &PushRequest) -> Result<(), FieldError> {
    if req.audit.len() > MAX_AUDIT_BATCH {
        return Err(FieldError::new("audit", "Too many audit entries in one request: send them in smaller batches."));
    }
    let mut previous = 0;
    for (i, r) in req.audit.iter().enumerate() {
        let check = || -> Result<(), FieldError> {
            if r.device_id != device.device_id {
                return Err(FieldError::new(
                    "device_id",
                    "Audit entries may only come from the computer that made them.",
                ));
            }
            if r.seq < 1 || r.seq <= previous {
                return Err(FieldError::new("seq", "Audit entries must be sent in increasing order, starting at 1."));
            }
            if !is_hash(&r.hash) {
                return Err(FieldError::new("hash", "This is not a SHA-256 hash in lower-case hex."));
            }
            if !is_hash(&r.prev_hash) {
                return Err(FieldError::new("prev_hash", "This is not a SHA-256 hash in lower-case hex."));
            }
            text("at", &r.at, 64, true)?;
            text("username", r.username.as_deref().unwrap_or_default(), 200, false)?;
            text("action", &r.action, 100, true)?;
            text("entity_type", r.entity_type.as_deref().unwrap_or_default(), 64, false)?;
            text("outcome", &r.outcome, 32, true)?;
            text("detail", &r.detail, 4000, false)
        };
        check().map_err(|e| e.within(&at("audit", i)))?;
        previous = r.seq;
    }
    Ok(())
}

/// Checks a push. `Ok(None)` when it may be processed, `Ok(Some(problem))` when it must be refused as a whole.
/// Mutations already applied are not checked again: they will be answered as duplicates.
pub(crate) async fn check_push(
    tx: &Transaction<'_>,
    device: &DeviceAuth,
    req: &PushRequest,
    today: NaiveDate,
) -> Result<Option<FieldError>, AppError> {
    if req.mutations.len() > MAX_PUSH_BATCH {
        let message = ["Too many changes in one request: at most ", &MAX_PUSH_BATCH.to_string(), "."].concat();
        return Ok(Some(FieldError::new("mutations", message)));
    }
    if let Err(problem) = check_audit(device, req) {
        return Ok(Some(problem));
    }
    let seqs: Vec<i64> = req.mutations.iter().map(|m| m.device_seq).collect();
    let seen: HashSet<i64> = store::applied_seqs(tx, device.device_id, &seqs).await?.into_iter().collect();

    let mut in_batch = HashSet::new();
    let mut checked: Vec<Option<Checked>> = Vec::with_capacity(req.mutations.len());
    for (i, m) in req.mutations.iter().enumerate() {
        let here = at("mutations", i);
        if !in_batch.insert(m.device_seq) {
            return Ok(Some(
                FieldError::new("device_seq", "Two changes in this request have the same device_seq.").within(&here),
            ));
        }
        if seen.contains(&m.device_seq) {
            checked.push(None);
            continue;
        }
        let problem = || -> Result<Checked, FieldError> {
            if m.device_seq < 1 {
                return Err(FieldError::new("device_seq", "device_seq starts at 1."));
            }
            let kind = Kind::for_mutation(&m.name).ok_or_else(|| crate::rules::unknown_name(&m.name))?;
            if m.entity != kind.entity() {
                return Err(FieldError::new(
                    "entity",
                    ["A ", &m.name, " change must be about a ", kind.entity(), "."].concat(),
                ));
            }
            if m.v != 1 {
                return Err(FieldError::new(
                    "v",
                    "This version of the change is not known to the server. Update the clinic server.",
                ));
            }
            if depth(&m.args) > MAX_ARGS_DEPTH {
                return Err(FieldError::new("args", "The change's arguments are nested too deeply."));
            }
            if holds_nul(&m.args) {
                return Err(FieldError::new(
                    "args",
                    "The change's arguments contain a NUL character, which cannot be stored.",
                ));
            }
            if m.hlc.node.chars().any(char::is_control) {
                return Err(FieldError::new("hlc", "The clock stamp's node contains a control character."));
            }
            text("authored_at", &m.authored_at, 64, true)?;
            DateTime::parse_from_rfc3339(&m.authored_at).map_err(|_| {
                FieldError::new("authored_at", "This is not an RFC 3339 time, e.g. 2025-01-31T09:30:00.000Z.")
            })?;
            kind.check(m, today)
        };
        match problem() {
            Ok(c) => checked.push(Some(c)),
            Err(e) => return Ok(Some(e.within(&here))),
        }
    }

    // Authors: active staff of this tenant, or accounts created earlier in this same push. Only the tenant's very
    // first account may be created without an author (the first administrator, made at a desk's setup).
    let authors: Vec<Uuid> = req.mutations.iter().filter_map(|m| m.authored_by).collect();
    let active: HashSet<Uuid> = db::query(
        tx,
        "SELECT entity_id FROM entities
         WHERE tenant_id = $1 AND entity = 'staff' AND entity_id = ANY($2) AND deleted_at IS NULL
           AND data -> 'member' ->> 'active' = 'true'",
        &[&device.tenant_id, &authors],
    )
    .await?
    .iter()
    .map(|r| r.try_get(0))
    .collect::<Result<_, _>>()?;
    let mut tenant_has_staff: bool = db::query_one(
        tx,
        "SELECT EXISTS (SELECT 1 FROM entities WHERE tenant_id = $1 AND entity = 'staff')",
        &[&device.tenant_id],
    )
    .await?
    .try_get(0)?;
    let mut created = HashSet::new();
    let mut references: Vec<(usize, Uuid, &'static str)> = Vec::new();
    for (i, (m, c)) in req.mutations.iter().zip(&checked).enumerate() {
        let Some(c) = c else { continue };
        let author_ok = match m.authored_by {
            Some(a) => active.contains(&a) || created.contains(&a),
            None => m.name == "staff.create" && !tenant_has_staff,
        };
        if !author_ok {
            let message =
                "The author of this change is not an active member of staff of this organisation on the server.";
            return Ok(Some(FieldError::new("authored_by", message).within(&at("mutations", i))));
        }
        if m.name == "staff.create" {
            tenant_has_staff = true;
            if c.creates_active_staff {
                created.insert(m.entity_id);
            }
        }
        references.push((i, m.entity_id, "entity_id"));
        references.extend(c.references.iter().map(|(id, field)| (i, *id, *field)));
    }

    // Ids of other tenants' records: refused, so one organisation can neither overwrite nor shadow another's.
    let ids: Vec<Uuid> = references.iter().map(|r| r.1).collect();
    let elsewhere: HashSet<Uuid> = db::query(tx, "SELECT entity_ids_elsewhere($1)", &[&ids])
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    if let Some((i, _, field)) = references.iter().find(|r| elsewhere.contains(&r.1)) {
        let message = "This id is not one of this organisation's records and cannot be used here.";
        return Ok(Some(FieldError::new(*field, message).within(&at("mutations", *i))));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn depth_counts_containers() {
        assert_eq!(depth(&json!(1)), 0);
        assert_eq!(depth(&json!({"a": [1, {"b": []}]})), 4);
    }
}
