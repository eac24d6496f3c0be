//! `AppState`: what every handler shares — the database pool, the clock and the metrics. Nothing in it matters
//! beyond one process's lifetime, so any number of instances can serve the same database.

use std::sync::Arc;

use deadpool_postgres::Pool;

use crate::clock::Clock;
use crate::metrics::Metrics;

/// Shared by every request; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    /// Connections as the application role (row-level security applies).
    pub pool: Pool,
    pub clock: Arc<dyn Clock>,
    pub metrics: Arc<Metrics>,
}

impl AppState {
    pub fn new(pool: Pool, clock: Arc<dyn Clock>) -> AppState {
        AppState { pool, clock, metrics: Arc::new(Metrics::default()) }
    }
}
