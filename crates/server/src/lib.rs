//! clinic-server: the central server Clinic Desk devices enroll with and sync through (axum + PostgreSQL).
//!
//! Requests come in through [`router`], are authenticated by [`extract::DeviceAuth`], and reach one handler
//! in [`handlers`]; sync logic is in [`sync`] and the per-entity rules in [`rules`]. Every tenant's data is
//! isolated by PostgreSQL row-level security ([`db::tenant_transaction`]); see `docs/adr/0008-…`.

#![forbid(unsafe_code)]

pub mod admin;
pub mod clock;
pub mod config;
pub mod credential;
pub mod db;
pub mod error;
pub mod extract;
pub mod handlers;
pub mod limits;
pub mod metrics;
pub mod migrate;
pub mod openapi;
pub mod router;
pub(crate) mod rules;
pub mod serve;
pub mod state;
pub(crate) mod sync;

pub use error::AppError;
pub use state::AppState;
pub use sync::authority::role_can;
