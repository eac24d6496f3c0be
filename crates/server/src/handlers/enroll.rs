//! `POST /v1/enroll`: a one-time code from an administrator becomes this device's own credential.

use axum::Json;
use axum::extract::State;
use clinic_protocol::ApiError;
use clinic_protocol::enroll::{EnrollRequest, EnrollResponse};

use crate::extract::{ClientVersions, StrictJson};
use crate::rules::text;
use crate::{AppError, AppState, credential};

/// A device code as clinic-core makes them: 1 to 10 capital letters or digits, a dash may join them.
fn check_device_code(code: &str) -> Result<String, AppError> {
    if !clinic_protocol::enroll::is_code(code) {
        return Err(AppError::validation(
            "device_code",
            "A device code has 1 to 10 capital letters or digits (a dash may join them), e.g. R1.",
        ));
    }
    Ok(code.to_owned())
}

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
        (status = 422, description = "Invalid field (`validation`), or a device code another computer of the clinic uses (`validation`, field `device_code`)", body = ApiError),
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
    let device_code = req.device_code.as_deref().map(check_device_code).transpose()?;
    let issued = credential::issue(req.device_id)?;
    let mut client = state.pool.get().await?;
    let tx = client.transaction().await?;
    let row = crate::db::query_one(
        &tx,
        "SELECT outcome, tenant_id, clinic_id, clinic_name FROM enroll_device($1, $2, $3, $4, $5, $6)",
        &[
            &credential::code_hash(&req.code),
            &req.device_id,
            &name,
            &device_code,
            &issued.secret_hash,
            &state.clock.now(),
        ],
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
        "device_code_taken" => {
            let code = device_code.unwrap_or_default();
            return Err(AppError::validation(
                "device_code",
                [
                    "Another computer of this clinic already uses the device code ",
                    &code,
                    " for its record numbers. Choose another device code for this computer and try again; the \
                     enrollment code can still be used.",
                ]
                .concat(),
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
