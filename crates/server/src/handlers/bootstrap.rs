//! `GET /v1/bootstrap`: a new device's first download, page by page, resumable.

use axum::Json;
use axum::extract::State;
use clinic_protocol::ApiError;
use clinic_protocol::bootstrap::{BootstrapPage, BootstrapQuery};

use crate::extract::{ClientVersions, DeviceAuth, StrictQuery};
use crate::sync::wire::WireBootstrapPage;
use crate::{AppError, AppState, sync};

/// One page of the tenant's current records, in `(entity, entity_id)` order.
#[utoipa::path(
    get,
    path = "/v1/bootstrap",
    tag = "sync",
    security(("device" = [])),
    params(
        BootstrapQuery,
        ("clinic-protocol-version" = u32, Header, description = "The client's protocol version"),
        ("clinic-schema-version" = u32, Header, description = "The client's local schema version"),
    ),
    responses(
        (status = 200, description = "A page of current records", body = BootstrapPage),
        (status = 400, description = "Malformed request (`validation`)", body = ApiError),
        (status = 401, description = "Missing or unknown credential (`unauthenticated`)", body = ApiError),
        (status = 403, description = "Revoked device (`device_revoked`)", body = ApiError),
        (status = 409, description = "The snapshot's epoch is not the server's (`epoch_changed`)", body = ApiError),
        (status = 422, description = "Invalid parameter (`validation`)", body = ApiError),
        (status = 426, description = "Client too old to pull (`please_update`)", body = ApiError),
    )
)]
pub async fn bootstrap(
    State(state): State<AppState>,
    versions: ClientVersions,
    device: DeviceAuth,
    StrictQuery(q): StrictQuery<BootstrapQuery>,
) -> Result<Json<WireBootstrapPage>, AppError> {
    versions.require_pull_support()?;
    Ok(Json(sync::pull::bootstrap(&state, device, q).await?))
}
