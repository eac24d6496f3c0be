//! Applying pushes' mutations (one push, or a group of one tenant's pushes from `combine`): all in one transaction,
//! in the order sent, each exactly once per `(device, device_seq)`. The rules of each kind decide; this stamps the
//! change sequence, keeps versions, creates review items and records the answers, through a [`Batch`] written as a
//! set. The tenant's change sequence is locked first, so one tenant's pushes apply one after another (numbers
//! become visible in commit order) and cannot deadlock on each other's records.

use clinic_protocol::hlc::Hlc;
use clinic_protocol::push::{MutationEnvelope, MutationResult, Outcome};
use clinic_protocol::review::REVIEW_ITEM_ENTITY;
use deadpool_postgres::Transaction;
use uuid::Uuid;

use super::authority;
use super::batch::Batch;
use super::store::{self, Origin, Sequence};
use crate::extract::DeviceAuth;
use crate::rules::{self, ApplyCtx, Decision, Kind, Write};
use crate::{AppError, AppState, db};

/// How many times a push is tried when its transaction loses a race (a concurrent identical push, a deadlock).
const ATTEMPTS: usize = 3;

fn retryable(e: &AppError) -> bool {
    matches!(e.sql_state(), Some("23505" | "40P01" | "40001"))
}

/// One device's push, as applied in a tenant's transaction.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Push<'a> {
    pub device: DeviceAuth,
    pub mutations: &'a [MutationEnvelope],
}

/// Applies `pushes` (already checked, all of one tenant, each from another device) in one transaction and returns
/// each push's results in order; a replay returns the stored first result as `duplicate`. Nothing is kept unless
/// all of them are.
pub(crate) async fn apply_all(
    state: &AppState,
    client: &mut deadpool_postgres::Client,
    pushes: &[Push<'_>],
) -> Result<Vec<Vec<MutationResult>>, AppError> {
    let mut last_error = None;
    for _ in 0..ATTEMPTS {
        match attempt_all(state, client, pushes).await {
            Err(e) if retryable(&e) => {
                tracing::debug!(error = %e, "push lost a race; trying again");
                last_error = Some(e);
            }
            other => return other,
        }
    }
    Err(last_error.unwrap_or_else(|| AppError::internal("push retries exhausted")))
}

async fn attempt_all(
    state: &AppState,
    client: &mut deadpool_postgres::Client,
    pushes: &[Push<'_>],
) -> Result<Vec<Vec<MutationResult>>, AppError> {
    let Some(tenant) = pushes.first().map(|p| p.device.tenant_id) else { return Ok(Vec::new()) };
    let tx = db::tenant_transaction(client, tenant).await?;
    let mut sequence = Sequence::lock(&tx, tenant).await?;
    let sent: Vec<(Uuid, i64)> =
        pushes.iter().flat_map(|p| p.mutations.iter().map(|m| (p.device.device_id, m.device_seq))).collect();
    let mut seen = store::applied_results(&tx, &sent).await?;
    let batch = Batch::new(tenant);
    let patients = pushes.iter().flat_map(|p| {
        p.mutations.iter().filter(|m| {
            !seen.contains_key(&(p.device.device_id, m.device_seq))
                && Kind::for_mutation(&m.name) == Some(Kind::Patient)
        })
    });
    let (patient_ids, match_keys) = rules::patient_preload(patients);
    tokio::try_join!(
        batch.preload(&tx, Kind::Patient.entity(), &patient_ids),
        batch.preload_match_keys(&tx, &match_keys)
    )?;
    let mut roles = authority::Roles::default();
    let mut all = Vec::with_capacity(pushes.len());
    for push in pushes {
        let mut results = Vec::with_capacity(push.mutations.len());
        for m in push.mutations {
            let result = match seen.remove(&(push.device.device_id, m.device_seq)) {
                Some(first) => duplicate(m, first),
                None => attempt(state, &tx, &push.device, m, &mut sequence, &mut roles, &batch).await?,
            };
            results.push(result);
        }
        all.push(results);
    }
    batch.flush(&tx).await?;
    sequence.save(&tx).await?;
    tx.commit().await?;
    Ok(all)
}

fn duplicate(m: &MutationEnvelope, first: MutationResult) -> MutationResult {
    MutationResult {
        mutation_id: m.mutation_id,
        device_seq: m.device_seq,
        outcome: Outcome::Duplicate,
        first_outcome: Some(first.outcome),
        reason: first.reason,
        row_version: first.row_version,
        review_items: first.review_items,
    }
}

async fn attempt(
    state: &AppState,
    tx: &Transaction<'_>,
    device: &DeviceAuth,
    m: &MutationEnvelope,
    sequence: &mut Sequence,
    roles: &mut authority::Roles,
    batch: &Batch,
) -> Result<MutationResult, AppError> {
    let kind =
        Kind::for_mutation(&m.name).ok_or_else(|| AppError::internal("an unchecked mutation name reached apply"))?;
    let now = state.clock.now();
    // Rules that query the tables themselves see everything the push wrote before them, and leave nothing waiting.
    let reads_tables = !kind.reads_through_batch();
    if reads_tables {
        batch.flush(tx).await?;
    }
    let ctx = ApplyCtx { tx, device: *device, mutation: m, now, batch };
    let decision = match roles.refusal(tx, device.tenant_id, m).await? {
        Some(reason) => Decision::Rejected(reason),
        None => kind.apply(&ctx).await?,
    };
    if m.name.starts_with("staff.") {
        roles.forget();
    }
    let result = match decision {
        Decision::Rejected(reason) => MutationResult {
            mutation_id: m.mutation_id,
            device_seq: m.device_seq,
            outcome: Outcome::Rejected,
            first_outcome: None,
            reason: Some(reason),
            row_version: None,
            review_items: Vec::new(),
        },
        Decision::ServerOnly => MutationResult {
            mutation_id: m.mutation_id,
            device_seq: m.device_seq,
            outcome: Outcome::Applied,
            first_outcome: None,
            reason: None,
            row_version: None,
            review_items: Vec::new(),
        },
        Decision::Apply { write, review_items } => {
            let hlc = m.hlc.to_string();
            let count = i64::try_from(review_items.len() + 1).map_err(AppError::internal)?;
            let first_seq = sequence.take(count, &hlc);
            let server_hlc = Hlc::zero("server").receive(&m.hlc, state.clock.now_ms()).to_string();
            let origin = Origin { device, mutation: Some(m.mutation_id), author: m.authored_by, hlc: &hlc, at: now };
            let row_version = batch.write(&write, first_seq, origin)?;
            let review_origin = Origin { device, mutation: None, author: None, hlc: &server_hlc, at: now };
            let mut items = Vec::with_capacity(review_items.len());
            for (item, seq) in review_items.iter().zip(first_seq + 1..) {
                let review = Write {
                    entity: REVIEW_ITEM_ENTITY,
                    entity_id: Uuid::now_v7(),
                    replaces: None,
                    data: serde_json::to_value(item)?,
                    field_hlcs: serde_json::json!({}),
                    deleted_at: None,
                };
                batch.write(&review, seq, review_origin)?;
                items.push(review.entity_id);
            }
            MutationResult {
                mutation_id: m.mutation_id,
                device_seq: m.device_seq,
                outcome: if items.is_empty() { Outcome::Applied } else { Outcome::AppliedWithConflict },
                first_outcome: None,
                reason: None,
                row_version: Some(row_version),
                review_items: items,
            }
        }
    };
    batch.answer(device, m, &result, now)?;
    if reads_tables {
        batch.flush(tx).await?;
    }
    Ok(result)
}
