//! Every route of the server, in one place, with the layers around them (body limit, admission and timeout for
//! the sync routes, metrics, tracing).

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{MethodRouter, get, post};
use clinic_protocol::MAX_BODY_BYTES;
use tower_http::trace::TraceLayer;

use crate::handlers::{bootstrap, calendar, enroll, not_found, operations, pull, push};
use crate::{AppState, limits, metrics};

/// The largest enrollment request read.
const ENROLL_BODY_BYTES: usize = 16 * 1024;

/// A route that waits its turn and has a time limit ([`limits::admit`]); health and metrics stay outside, so a busy
/// server still answers its load balancer and monitoring.
fn limited(state: &AppState, route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.layer(middleware::from_fn_with_state(state.clone(), limits::admit))
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/v1/enroll", limited(&state, post(enroll::enroll).layer(DefaultBodyLimit::max(ENROLL_BODY_BYTES))))
        .route("/v1/push", limited(&state, post(push::push)))
        .route("/v1/pull", limited(&state, get(pull::pull)))
        .route("/v1/bootstrap", limited(&state, get(bootstrap::bootstrap)))
        .route("/v1/calendar/{file}", limited(&state, get(calendar::export_feed)))
        .route("/v1/health", get(operations::check_health))
        .route("/v1/metrics", get(operations::export_metrics))
        .route("/v1/openapi.json", get(operations::describe_api))
        .route_layer(middleware::from_fn_with_state(state.clone(), metrics::track))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
