//! `AppState`: what every handler shares — the database pool, the clock, the metrics and the pushes waiting for
//! their group. Nothing in it matters beyond one request, so any number of instances can serve the same database.

use std::sync::Arc;

use deadpool_postgres::Pool;

use crate::clock::Clock;
use crate::limits::Admission;
use crate::metrics::Metrics;
use crate::sync::combine::Combiner;

/// Shared by every request; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    /// Connections as the application role (row-level security applies).
    pub pool: Pool,
    pub clock: Arc<dyn Clock>,
    pub metrics: Arc<Metrics>,
    /// How many requests may run at once, and for how long.
    pub admission: Admission,
    /// Pushes waiting to be applied together with others of their tenant (group commit).
    pub pushes: Arc<Combiner>,
}

impl AppState {
    /// The state for a pool, with request limits sized to it.
    pub fn new(pool: Pool, clock: Arc<dyn Clock>) -> AppState {
        let admission = Admission::for_pool(pool.status().max_size);
        AppState { pool, clock, metrics: Arc::new(Metrics::default()), admission, pushes: Arc::default() }
    }

    /// The same state with other request limits (tests of throttling, load tests).
    pub fn with_admission(self, admission: Admission) -> AppState {
        AppState { admission, ..self }
    }
}
