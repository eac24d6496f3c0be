//! clinic-core: the domain logic of Clinic Desk over an encrypted local SQLCipher database.
//!
//! Every rule and permission lives here; the desktop shell and the CLI only parse input, call
//! one function of this crate, and map the result. See ARCHITECTURE.md for the map.

pub mod accounts;
pub mod audit;
mod clinic;
pub mod clock;
pub mod demo;
mod error;
pub mod keys;
pub mod outbox;
pub mod patients;
pub mod rbac;
pub mod recovery_sheet;
pub mod scheduling;
pub mod setup;
pub mod store;
pub mod sync;

pub use clinic::{Clinic, DEFAULT_IDLE_LOCK_MINUTES, Device};
pub use error::{CoreError, CoreResult, ErrorCode};

/// The application identifier; the per-user data folder is named after it (as Tauri names it).
pub const APP_IDENTIFIER: &str = "org.clinicdesk.desktop";
