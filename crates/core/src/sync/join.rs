//! Joining a clinic that already syncs: a new computer enrolls with a one-time code and downloads the clinic's
//! settings, staff and records instead of running first-run setup, so its staff sign in with the accounts and
//! passwords they already have. Until the first download has brought the clinic, nobody can sign in here.

use serde::Serialize;

use super::engine::{SyncOptions, SyncReport, run_once};
use super::enroll::enroll_as;
use super::problem::{SyncProblem, SyncProblemCode};
use super::state;
use super::transport::SyncTransport;
use crate::keys::CredentialStore;
use crate::setup::is_set_up;
use crate::{Clinic, CoreError, CoreResult};

/// A computer that joined a clinic and is still waiting for the clinic's records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct JoinProgress {
    pub server_url: String,
    pub clinic_name: Option<String>,
    /// Records received so far.
    pub records: u32,
    /// Why the download stopped, if it did (offline, revoked…).
    pub problem: Option<SyncProblem>,
}

/// Joins this computer to a clinic on `server_url` with a one-time enrollment `code`, then downloads the
/// clinic. For a database created for this computer but not set up. The enrollment is audited (with no user:
/// nobody can sign in here yet; the code is the authority). A download cut short (offline) resumes with the
/// next sync; the answer's `problem` says so.
pub fn join_clinic<T: SyncTransport + ?Sized>(
    clinic: &Clinic,
    transport: &T,
    keys: &dyn CredentialStore,
    server_url: &str,
    code: &str,
    device_name: &str,
    options: &SyncOptions,
) -> CoreResult<SyncReport> {
    if is_set_up(clinic)? {
        return Err(CoreError::conflict(
            "This computer already holds a clinic. An administrator can connect it to the server on the Sync screen.",
        ));
    }
    enroll_as(clinic, None, transport, keys, server_url, code, device_name)?;
    run_once(clinic, transport, keys, options)
}

/// Gives this computer another device code before it joins, when the server refused the one chosen (another
/// computer of the clinic uses it). Only while nothing here carries the code: not set up, not enrolled. Returns
/// whether the code changed; the caller then opens the database again, since the open clinic holds its device.
pub fn change_device_code_before_joining(clinic: &Clinic, code: &str) -> CoreResult<bool> {
    let code = crate::setup::validate_code("device_code", code)?;
    if code == clinic.device().code {
        return Ok(false);
    }
    if is_set_up(clinic)? || clinic.read(state::read)?.server_url.is_some() {
        return Err(CoreError::validation(
            "device_code",
            ["This computer has already joined with the device code ", &clinic.device().code, "."].concat(),
        ));
    }
    clinic.write(|tx| {
        tx.execute("UPDATE device SET code = ?1", [&code])?;
        Ok(())
    })?;
    Ok(true)
}

/// Where a joining computer stands: `None` when it is not joining (set up here, or the download brought the
/// clinic, or never enrolled).
pub fn join_progress(clinic: &Clinic) -> CoreResult<Option<JoinProgress>> {
    if is_set_up(clinic)? {
        return Ok(None);
    }
    let stored = clinic.read(state::read)?;
    let Some(server_url) = stored.server_url else { return Ok(None) };
    let problem = stored.last_error.map(|(code, message)| SyncProblem {
        code: SyncProblemCode::parse(&code).unwrap_or(SyncProblemCode::Local),
        message,
    });
    Ok(Some(JoinProgress {
        server_url,
        clinic_name: stored.clinic_name,
        records: u32::try_from(stored.bootstrap_records.max(0)).unwrap_or(u32::MAX),
        problem,
    }))
}
