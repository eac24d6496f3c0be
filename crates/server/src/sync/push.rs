//! A push, start to finish: the request-level check (refusing the whole request, logged, when it fails), the
//! audit entries, then the mutations in one transaction, in the order sent.

use axum::body::Bytes;
use clinic_protocol::hlc::Hlc;
use clinic_protocol::push::{PushRequest, PushResponse};

use super::{audit, combine, validate};
use crate::extract::{ClientVersions, DeviceAuth, parse_json};
use crate::{AppError, AppState, db};

/// Records a refused request for whoever investigates the device, and counts it.
async fn refuse(
    state: &AppState,
    client: &mut deadpool_postgres::Client,
    device: &DeviceAuth,
    field: Option<&str>,
    message: &str,
) -> Result<(), AppError> {
    tracing::warn!(device = %device.device_id, tenant = %device.tenant_id, ?field, %message, "push refused as a whole");
    state.metrics.rejected_requests.inc();
    // What the device sent may be echoed in the message; PostgreSQL text cannot hold NUL.
    let clean = |text: &str| text.chars().take(1000).collect::<String>().replace('\0', "\u{fffd}");
    let (field, message) = (field.map(clean), clean(message));
    let tx = db::tenant_transaction(client, device.tenant_id).await?;
    db::execute(
        &tx,
        "INSERT INTO rejected_requests (tenant_id, device_id, endpoint, field, message, received_at)
         VALUES ($1, $2, 'push', $3, $4, $5)",
        &[&device.tenant_id, &device.device_id, &field, &message, &state.clock.now()],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The server's HLC for a tenant: past every stamp its mutations carried and past the server's clock.
pub(crate) fn server_hlc(stored: &str, now_ms: u64) -> Hlc {
    let server = Hlc::zero("server");
    match stored.parse::<Hlc>() {
        Ok(seen) => server.receive(&seen, now_ms),
        Err(_) => server.tick(now_ms),
    }
}

/// Reads the body of a push; anything unreadable is refused and recorded like any other refused push.
async fn read(
    state: &AppState,
    client: &mut deadpool_postgres::Client,
    device: &DeviceAuth,
    body: Result<Bytes, AppError>,
) -> Result<PushRequest, AppError> {
    match body.and_then(|bytes| parse_json::<PushRequest>(&bytes)) {
        Ok(req) => Ok(req),
        Err(e) => {
            if let AppError::Client { error, .. } = &e {
                refuse(state, client, device, error.field.as_deref(), &error.message).await?;
            }
            Err(e)
        }
    }
}

/// Handles one push from `device`.
pub(crate) async fn push(
    state: &AppState,
    device: DeviceAuth,
    versions: ClientVersions,
    body: Result<Bytes, AppError>,
) -> Result<PushResponse, AppError> {
    let now = state.clock.now();
    let mut client = state.pool.get().await?;
    let req = read(state, &mut client, &device, body).await?;
    tracing::debug!(device = %device.device_id, protocol = versions.protocol, schema = versions.schema,
        mutations = req.mutations.len(), audit = req.audit.len(), "push");

    let tx = db::tenant_transaction(&mut client, device.tenant_id).await?;
    let problem = validate::check_push(&tx, &device, &req, now.date_naive()).await?;
    let epoch = db::epoch(&tx).await?;
    let stored_hlc: String =
        db::query_one(&tx, "SELECT hlc FROM tenant_sequences WHERE tenant_id = $1", &[&device.tenant_id])
            .await?
            .try_get(0)?;
    tx.commit().await?;
    if let Some(problem) = problem {
        refuse(state, &mut client, &device, Some(&problem.field), &problem.message).await?;
        return Err(problem.into());
    }

    let tx = db::tenant_transaction(&mut client, device.tenant_id).await?;
    let intake = audit::take_in(&tx, &device, &req.audit, now).await?;
    tx.commit().await?;
    if intake.chain_break.is_some() {
        state.metrics.audit_chain_breaks.inc();
    }

    let now_ms = state.clock.now_ms();
    let mut hlc = server_hlc(&stored_hlc, now_ms);
    for m in &req.mutations {
        if let Some(ahead_ms) = m.hlc.skew_ahead_of(now_ms) {
            tracing::warn!(device = %device.device_id, ahead_ms, "a mutation's clock stamp is far ahead of the server's clock");
            state.metrics.hlc_skew_reports.inc();
        }
        hlc = hlc.receive(&m.hlc, now_ms);
    }
    // The connection goes back to the pool while the push waits for its group (see `combine`).
    drop(client);
    let results = combine::apply(state, device, req.mutations).await?;
    for result in &results {
        let outcome = serde_json::to_value(result.outcome)?;
        state.metrics.count_outcome(outcome.as_str().unwrap_or_default());
    }
    Ok(PushResponse {
        results,
        audit_acknowledged_seq: intake.acknowledged,
        audit_chain_break: intake.chain_break,
        server_hlc: hlc,
        epoch,
    })
}
