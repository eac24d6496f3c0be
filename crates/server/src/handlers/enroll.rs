//! `POST /v1/enroll`: a one-time code from an administrator becomes this device's own credential.

use axum::Json;
use axum::extract::State;
use clinic_protocol::ApiError;
use clinic_protocol::enroll::{EnrollRequest, EnrollResponse};

use crate::extract::{ClientVersions, StrictJson};
use crate::rules::text;
use crate::{AppError, AppState, credential};

/// Enrolls a device (or re-enrolls a known one after a revoke) with a one-time code.
#[utoipa::path(
    post,
    path = "/v1/enroll",
    tag = "devices",
    request_body = EnrollRequest,
    params(
        ("clinic-protocol-version" = u32, Header, description = "The client's protocol version"),
        ("clinic-schema-version" = u32, Header, description = "The client's local schema version"),
    ),
    responses(
        (status = 200, description = "Enrolled; the credential is shown only this once", body = EnrollResponse),
        (status = 400, description = "Malformed request (`validation`)", body = ApiError),
        (status = 403, description = "Unknown, used or expired code (`enrollment_code_invalid`)", body = ApiError),
        (status = 422, description = "Invalid field (`validation`)", body = ApiError),
    )
)]
pub async fn enroll(
    State(state): State<AppState>,
    _versions: ClientVersions,
    StrictJson(req): StrictJson<EnrollRequest>,
) -> Result<Json<EnrollResponse>, AppError> {
    text("code", &req.code, 64, true)?;
    let name = req.device_name.trim();
    text("device_name", name, 100, true)?;
    let issued = credential::issue(req.device_id)?;
    let mut client = state.pool.get().await?;
    let tx = client.transaction().await?;
    let row = crate::db::query_one(
        &tx,
        "SELECT outcome, tenant_id, clinic_id, clinic_name FROM enroll_device($1, $2, $3, $4, $5)",
        &[&credential::code_hash(&req.code), &req.device_id, &name, &issued.secret_hash, &state.clock.now()],
    )
    .await?;
    let outcome: String = row.try_get("outcome")?;
    match outcome.as_str() {
        "enrolled" => {}
        "code_invalid" => return Err(AppError::enrollment_code_invalid()),
        "device_elsewhere" => {
            return Err(AppError::validation(
                "device_id",
                "This computer is enrolled with another organisation's server account. Ask an administrator.",
            ));
        }
        other => return Err(AppError::internal(["enroll_device answered ", other].concat())),
    }
    let epoch = crate::db::epoch(&tx).await?;
    tx.commit().await?;
    tracing::info!(device = %req.device_id, "device enrolled");
    Ok(Json(EnrollResponse {
        device_id: req.device_id,
        tenant_id: row.try_get("tenant_id")?,
        clinic_id: row.try_get("clinic_id")?,
        clinic_name: row.try_get("clinic_name")?,
        credential: issued.credential,
        epoch,
    }))
}
