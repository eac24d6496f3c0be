//! Prometheus metrics (OpenMetrics text at `GET /v1/metrics`): requests by route and status, request durations,
//! mutation outcomes, refused requests, audit chain breaks and clock skew reports. Counts only, never data.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::AppState;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub route: String,
    pub method: String,
    pub status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: String,
}

fn duration_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 14))
}

/// Every metric the server exports, registered once.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub request_seconds: Family<RouteLabels, Histogram, fn() -> Histogram>,
    pub mutations: Family<OutcomeLabels, Counter>,
    pub rejected_requests: Counter,
    pub audit_chain_breaks: Counter,
    pub hlc_skew_reports: Counter,
    pub pulled_changes: Counter,
    pub pool_connections: Gauge,
    pub pool_idle_connections: Gauge,
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut registry = Registry::with_prefix("clinic_server");
        let requests = Family::<RequestLabels, Counter>::default();
        let request_seconds =
            Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(duration_histogram);
        let mutations = Family::<OutcomeLabels, Counter>::default();
        let rejected_requests = Counter::default();
        let audit_chain_breaks = Counter::default();
        let hlc_skew_reports = Counter::default();
        let pulled_changes = Counter::default();
        let pool_connections = Gauge::default();
        let pool_idle_connections = Gauge::default();
        registry.register("http_requests", "HTTP requests answered, by route, method and status", requests.clone());
        registry.register("http_request_seconds", "Time to answer a request, by route", request_seconds.clone());
        registry.register("mutations", "Pushed mutations, by outcome", mutations.clone());
        registry.register(
            "rejected_requests",
            "Push requests refused as a whole because of invalid or forged content",
            rejected_requests.clone(),
        );
        registry.register(
            "audit_chain_breaks",
            "Pushed audit entries that broke a device's chain",
            audit_chain_breaks.clone(),
        );
        registry.register(
            "hlc_skew_reports",
            "Mutations whose clock stamp was further ahead of the server's clock than allowed",
            hlc_skew_reports.clone(),
        );
        registry.register("pulled_changes", "Changes sent to devices by pull", pulled_changes.clone());
        registry.register("db_pool_connections", "Open PostgreSQL connections in the pool", pool_connections.clone());
        registry.register(
            "db_pool_idle_connections",
            "Idle PostgreSQL connections in the pool",
            pool_idle_connections.clone(),
        );
        Metrics {
            registry,
            requests,
            request_seconds,
            mutations,
            rejected_requests,
            audit_chain_breaks,
            hlc_skew_reports,
            pulled_changes,
            pool_connections,
            pool_idle_connections,
        }
    }
}

impl Metrics {
    /// The OpenMetrics text of every metric.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }

    pub fn count_outcome(&self, outcome: &str) {
        self.mutations.get_or_create(&OutcomeLabels { outcome: outcome.to_owned() }).inc();
    }
}

/// Middleware: counts and times each request under its route pattern (never the concrete path, which may hold ids).
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned()).unwrap_or_default();
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    state
        .metrics
        .request_seconds
        .get_or_create(&RouteLabels { route: route.clone() })
        .observe(started.elapsed().as_secs_f64());
    state.metrics.requests.get_or_create(&RequestLabels { route, method, status }).inc();
    response
}
