//! `GET /v1/health`, `GET /v1/metrics` and `GET /v1/openapi.json`: for load balancers, monitoring and API clients.
//! None needs a credential; none reveals data (metrics are counts only).

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::OpenApi;

use crate::openapi::ApiDoc;
use crate::{AppError, AppState};

/// Whether the server can serve.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`, or `unavailable` when the database does not answer.
    pub status: String,
}

/// 200 when the database answers within two seconds, 503 otherwise.
#[utoipa::path(
    get,
    path = "/v1/health",
    tag = "operations",
    responses(
        (status = 200, description = "Serving", body = Health),
        (status = 503, description = "The database does not answer", body = Health),
    )
)]
pub async fn check_health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let check = async {
        let client = state.pool.get().await.map_err(|e| e.to_string())?;
        client.simple_query("SELECT 1").await.map_err(|e| e.to_string())
    };
    match tokio::time::timeout(Duration::from_secs(2), check).await {
        Ok(Ok(_)) => (StatusCode::OK, Json(Health { status: "ok".into() })),
        outcome => {
            tracing::warn!(?outcome, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: "unavailable".into() }))
        }
    }
}

/// Prometheus metrics in the OpenMetrics text format.
#[utoipa::path(
    get,
    path = "/v1/metrics",
    tag = "operations",
    responses((status = 200, description = "OpenMetrics text", content_type = "application/openmetrics-text", body = String))
)]
pub async fn export_metrics(State(state): State<AppState>) -> Result<impl IntoResponse, AppError> {
    let status = state.pool.status();
    state.metrics.pool_connections.set(i64::try_from(status.size).unwrap_or(i64::MAX));
    state.metrics.pool_idle_connections.set(i64::try_from(status.available).unwrap_or(i64::MAX));
    let text = state.metrics.encode().map_err(AppError::internal)?;
    Ok(([(CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], text))
}

/// This API's OpenAPI document (also committed as `crates/server/openapi.json`).
#[utoipa::path(
    get,
    path = "/v1/openapi.json",
    tag = "operations",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json", body = Object))
)]
pub async fn describe_api() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}
