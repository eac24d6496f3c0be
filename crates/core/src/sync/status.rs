//! The sync status the desktop shows: enrolled or not, online or offline (as last seen), last synced, pending
//! changes, refused changes, open review items, the last problem and any clock skew.

use serde::Serialize;

use super::apply::parked_count;
use super::problem::{SyncProblem, SyncProblemCode};
use super::rejected::{RejectedMutation, unresolved};
use super::review::open_count;
use super::state::{self, BootstrapStage};
use crate::accounts::SessionId;
use crate::rbac::Permission;
use crate::{Clinic, CoreResult};

/// Whether the clinic server answered the last time it was tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    /// Not tried since enrollment (or never enrolled).
    Unknown,
    Online,
    Offline,
}

/// A stamp from elsewhere (the server, or another desk through it) was far ahead of this computer's clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClockSkew {
    pub ahead_minutes: u32,
    pub seen_at: String,
    pub message: String,
}

/// Everything the status bar and the sync screen show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SyncStatus {
    pub enrolled: bool,
    pub server_url: Option<String>,
    pub clinic_name: Option<String>,
    pub device_name: Option<String>,
    pub enrolled_at: Option<String>,
    pub connection: ConnectionState,
    pub last_synced_at: Option<String>,
    pub last_attempt_at: Option<String>,
    /// Changes made here and not yet on the server.
    pub pending_count: u32,
    /// Changes the server refused, waiting for a person.
    pub rejected: Vec<RejectedMutation>,
    pub open_review_items: u32,
    pub last_error: Option<SyncProblem>,
    pub clock_skew: Option<ClockSkew>,
    /// The first download of the clinic's records has finished.
    pub initial_download_done: bool,
    pub initial_download_records: u32,
    /// Records received that this computer could not store yet (tried again at every sync).
    pub records_waiting: u32,
    /// The server reported that this computer's audit trail does not continue the one it holds.
    pub audit_chain_break: Option<String>,
    /// Failed runs in a row, for the retry back-off ([`super::retry_delay`]).
    pub consecutive_failures: u32,
}

fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

/// The sync status, for any signed-in member of staff. Not counted as activity, so a screen may poll it
/// without keeping an unattended session from locking.
pub fn status(clinic: &Clinic, session: SessionId) -> CoreResult<SyncStatus> {
    clinic.authorize_without_activity(session, Permission::SyncRun)?;
    clinic.read(|conn| {
        let st = state::read(conn)?;
        let last_error = st.last_error.as_ref().map(|(code, message)| SyncProblem {
            code: SyncProblemCode::parse(code).unwrap_or(SyncProblemCode::Local),
            message: message.clone(),
        });
        let clock_skew = st.clock_skew_ms.zip(st.clock_skew_seen_at.clone()).map(|(ms, seen_at)| {
            let minutes = count(ms / 60_000);
            ClockSkew {
                ahead_minutes: minutes,
                seen_at,
                message: [
                    "A time from the clinic server was about ",
                    &minutes.to_string(),
                    " minutes ahead of this computer's clock. Changes still sync in the right order; ask your IT \
                     support to check the clocks of this computer and the server.",
                ]
                .concat(),
            }
        });
        Ok(SyncStatus {
            enrolled: st.is_enrolled(),
            connection: match st.connection.as_str() {
                "online" => ConnectionState::Online,
                "offline" => ConnectionState::Offline,
                _ => ConnectionState::Unknown,
            },
            pending_count: count(crate::outbox::pending_count(conn)?),
            rejected: unresolved(conn)?,
            open_review_items: count(open_count(conn)?),
            last_error,
            clock_skew,
            initial_download_done: st.bootstrap == BootstrapStage::Done,
            initial_download_records: count(st.bootstrap_records),
            records_waiting: count(parked_count(conn)?),
            audit_chain_break: st.audit_chain_break,
            consecutive_failures: count(st.consecutive_failures),
            server_url: st.server_url,
            clinic_name: st.clinic_name,
            device_name: st.device_name,
            enrolled_at: st.enrolled_at,
            last_synced_at: st.last_synced_at,
            last_attempt_at: st.last_attempt_at,
        })
    })
}
