//! Sync wire types shared by the desktop client and the clinic server: versions, headers, requests, answers.
//!
//! Everything here is plain data (serde) plus pure functions both sides must agree on bit for bit: the audit
//! entry hash ([`audit::entry_hash`]), the hybrid logical clock ([`hlc::Hlc`]) and the match keys of patients
//! ([`keys::fold`], [`keys::normalise_id`]); with the `calendar` feature, the iCalendar text of a schedule.

pub mod audit;
pub mod bootstrap;
#[cfg(feature = "calendar")]
pub mod calendar;
pub mod enroll;
pub mod error;
pub mod hlc;
pub mod keys;
pub mod pull;
pub mod push;
pub mod review;

pub use error::{ApiError, ApiErrorCode};

/// The version of this protocol. Raised when a request or answer changes shape incompatibly.
pub const PROTOCOL_VERSION: u32 = 1;

/// The oldest protocol version the server still serves pulls to. Older clients get
/// [`ApiErrorCode::PleaseUpdate`] on pull and bootstrap, but their pushes are still accepted so no
/// offline work is lost.
pub const MIN_PULL_PROTOCOL_VERSION: u32 = 1;

/// Request header carrying the client's [`PROTOCOL_VERSION`]; required on every request.
pub const HEADER_PROTOCOL_VERSION: &str = "clinic-protocol-version";

/// Request header carrying the client's local database schema version (`PRAGMA user_version`);
/// required on every request, logged and used to tell old clients to update.
pub const HEADER_SCHEMA_VERSION: &str = "clinic-schema-version";

/// The largest request body the server reads, in bytes; bigger bodies get 413.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The most mutations a client puts in one push.
pub const MAX_PUSH_BATCH: usize = 500;

/// The page size a pull or bootstrap uses when the client does not ask for one, and the most it may ask for.
pub const DEFAULT_PAGE_SIZE: u32 = 500;
pub const MAX_PAGE_SIZE: u32 = 1000;
