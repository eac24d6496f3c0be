//! `GET /v1/pull`: the changes after a device's cursor.

use axum::Json;
use axum::extract::State;
use clinic_protocol::ApiError;
use clinic_protocol::pull::{PullQuery, PullResponse};

use crate::extract::{ClientVersions, DeviceAuth, StrictQuery};
use crate::sync::wire::WirePullResponse;
use crate::{AppError, AppState, sync};

/// One page of the tenant's changes after `after`, in commit order.
#[utoipa::path(
    get,
    path = "/v1/pull",
    tag = "sync",
    security(("device" = [])),
    params(
        PullQuery,
        ("clinic-protocol-version" = u32, Header, description = "The client's protocol version"),
        ("clinic-schema-version" = u32, Header, description = "The client's local schema version"),
    ),
    responses(
        (status = 200, description = "A page of changes", body = PullResponse),
        (status = 400, description = "Malformed request (`validation`)", body = ApiError),
        (status = 401, description = "Missing or unknown credential (`unauthenticated`)", body = ApiError),
        (status = 403, description = "Revoked device (`device_revoked`)", body = ApiError),
        (status = 409, description = "The cursor's epoch is not the server's (`epoch_changed`)", body = ApiError),
        (status = 422, description = "Invalid parameter (`validation`)", body = ApiError),
        (status = 426, description = "Client too old to pull (`please_update`)", body = ApiError),
    )
)]
pub async fn pull(
    State(state): State<AppState>,
    versions: ClientVersions,
    device: DeviceAuth,
    StrictQuery(q): StrictQuery<PullQuery>,
) -> Result<Json<WirePullResponse>, AppError> {
    versions.require_pull_support()?;
    Ok(Json(sync::pull::pull(&state, device, q).await?))
}
