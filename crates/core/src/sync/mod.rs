//! The client side of sync with the clinic server (ADR 9; the model is DESIGN.md, "Sync, in one page").
//!
//! - [`join_clinic`]: a new computer joins a clinic that already syncs (instead of first-run setup).
//! - [`enroll`]: an administrator connects this computer with a one-time code; the credential goes to the
//!   OS keychain ([`crate::keys::CredentialStore`]), never the database.
//! - [`run_once`] (the shell's timer) and [`sync_now`] (a person's button): push the outbox, download
//!   everything once (resumable), then pull, rebasing pending local changes over what arrives.
//! - [`status`], [`list_review_items`] / [`resolve_review_item`], [`list_rejected_mutations`] /
//!   [`retry_rejected_mutation`] / [`discard_rejected_mutation`]: what the desktop shows and lets people do.
//! - [`retry_delay`]: the back-off between failed runs, as a pure function.
//!
//! The network is behind [`SyncTransport`] ([`HttpTransport`] in the app), so tests drive every step and
//! several clinics can sync against one server in one process.

mod apply;
mod backoff;
mod bootstrap;
mod engine;
mod enroll;
pub(crate) mod hlc;
mod http;
mod join;
mod problem;
mod pull;
mod push;
mod queue;
mod rejected;
mod review;
mod server_url;
mod state;
mod status;
mod transport;

pub use backoff::{FIRST_RETRY_DELAY, MAX_RETRY_DELAY, SYNC_INTERVAL, random_jitter, retry_delay};
pub use engine::{Checkpoint, CheckpointHook, SyncOptions, SyncReport, run_once};
pub use enroll::{Enrollment, enroll};
pub use http::{CONNECT_TIMEOUT, HttpTransport, REQUEST_TIMEOUT};
pub use join::{JoinProgress, change_device_code_before_joining, join_clinic, join_progress};
pub use problem::{OFFLINE_MESSAGE, SyncProblem, SyncProblemCode};
pub use rejected::{RejectedMutation, discard_rejected_mutation, list_rejected_mutations, retry_rejected_mutation};
pub use review::{
    FieldClashView, ReviewDecision, ReviewItemKind, ReviewItemStatus, ReviewItemView, ReviewedRecord,
    list_review_items, resolve_review_item,
};
pub use server_url::ServerUrl;
pub use status::{ClockSkew, ConnectionState, SyncStatus, status};
pub use transport::{Remote, SyncTransport, TransportError};

use crate::accounts::SessionId;
use crate::keys::CredentialStore;
use crate::rbac::Permission;
use crate::{Clinic, CoreResult};

/// "Sync now", pressed by a person: the same run as the timer's, and a problem comes back as the error to
/// show (offline: `unavailable` with [`OFFLINE_MESSAGE`]). Whatever the run managed before stays done.
pub fn sync_now<T: SyncTransport + ?Sized>(
    clinic: &Clinic,
    session: SessionId,
    transport: &T,
    keys: &dyn CredentialStore,
    options: &SyncOptions,
) -> CoreResult<SyncReport> {
    clinic.authorize(session, Permission::SyncRun)?;
    let report = run_once(clinic, transport, keys, options)?;
    match &report.problem {
        Some(problem) => Err(problem.to_core_error()),
        None => Ok(report),
    }
}

/// The server version of a record this computer last received (for the outbox's edits), if any.
pub(crate) fn server_version(conn: &rusqlite::Connection, entity: &str, id: uuid::Uuid) -> CoreResult<Option<i64>> {
    apply::known_version(conn, entity, id)
}

/// The stamp of this device's hybrid logical clock now (for tests and diagnostics; reading it changes nothing).
pub fn current_clock(clinic: &Clinic) -> CoreResult<clinic_protocol::hlc::Hlc> {
    clinic.read(hlc::current)
}
