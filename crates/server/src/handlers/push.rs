//! `POST /v1/push`: a device's outbox and audit entries.

use axum::Json;
use axum::extract::State;
use clinic_protocol::ApiError;
use clinic_protocol::push::{PushRequest, PushResponse};

use crate::extract::{ClientVersions, DeviceAuth, RawJson};
use crate::{AppError, AppState, sync};

/// Applies a device's mutations (each exactly once) and continues its audit chain. Accepted from every protocol
/// version, so no offline work is lost.
#[utoipa::path(
    post,
    path = "/v1/push",
    tag = "sync",
    request_body = PushRequest,
    security(("device" = [])),
    params(
        ("clinic-protocol-version" = u32, Header, description = "The client's protocol version"),
        ("clinic-schema-version" = u32, Header, description = "The client's local schema version"),
    ),
    responses(
        (status = 200, description = "One result per mutation, in the order sent", body = PushResponse),
        (status = 400, description = "Malformed request (`validation`)", body = ApiError),
        (status = 401, description = "Missing or unknown credential (`unauthenticated`)", body = ApiError),
        (status = 403, description = "Revoked device (`device_revoked`)", body = ApiError),
        (status = 413, description = "Body too large (`payload_too_large`)", body = ApiError),
        (status = 422, description = "Refused as a whole; `field` names the mutation at fault (`validation`)", body = ApiError),
    )
)]
pub async fn push(
    State(state): State<AppState>,
    versions: ClientVersions,
    device: DeviceAuth,
    body: Result<RawJson, AppError>,
) -> Result<Json<PushResponse>, AppError> {
    Ok(Json(sync::push::push(&state, device, versions, body.map(|RawJson(bytes)| bytes)).await?))
}
