//! One sync run: push the outbox, download everything once (bootstrap), then pull pages until nothing is
//! left. Any step may fail or the process may die between any two steps: every step's effect is committed in
//! one local transaction with the progress that records it, and every request can be repeated, so the next
//! run carries on and nothing is lost or doubled.

use std::sync::Arc;

use clinic_protocol::pull::Change;
use clinic_protocol::{MAX_PAGE_SIZE, MAX_PUSH_BATCH};
use rusqlite::Connection;
use serde::Serialize;
use uuid::Uuid;

use super::apply::{self, Applied, ApplyContext, Effect};
use super::problem::{SyncProblem, SyncProblemCode};
use super::server_url::ServerUrl;
use super::transport::{Remote, SyncTransport, TransportError};
use super::{hlc, queue, state};
use crate::audit::{AuditAction, AuditEvent, AuditOutcome};
use crate::keys::CredentialStore;
use crate::{Clinic, CoreError, CoreResult};

/// A named point in a run where a test (or the convergence simulation) can stop it, as if the process died.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Checkpoint {
    /// A push batch is ready; nothing has been sent.
    BeforePush,
    /// The server answered a push; its results are not recorded yet (as if the answer was lost).
    PushAnswered,
    /// A pulled page is applied inside its transaction; its cursor is not saved yet (same transaction).
    PullPageApplied,
    /// A bootstrap page is applied inside its transaction; its progress is not saved yet (same transaction).
    BootstrapPageApplied,
}

/// Called at every [`Checkpoint`]; an error stops the run there.
pub type CheckpointHook = Arc<dyn Fn(Checkpoint) -> CoreResult<()> + Send + Sync>;

/// How a run proceeds. `Default` is what the app uses.
#[derive(Clone)]
pub struct SyncOptions {
    /// Records per pull or bootstrap page (at most `clinic_protocol::MAX_PAGE_SIZE`).
    pub page_size: u32,
    /// Mutations per push (at most `clinic_protocol::MAX_PUSH_BATCH`).
    pub push_batch: usize,
    /// Audit entries per push.
    pub audit_batch: usize,
    pub checkpoint: Option<CheckpointHook>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        // The largest pages the server gives: on a desk, a page's commit costs about as much as applying it (each
        // page dirties leaves of every name and look-up index, encrypted again at commit), so a first download of a
        // large clinic is applied in half the commits. A download cut off re-fetches at most one page.
        SyncOptions { page_size: MAX_PAGE_SIZE, push_batch: MAX_PUSH_BATCH, audit_batch: 1000, checkpoint: None }
    }
}

impl std::fmt::Debug for SyncOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncOptions")
            .field("page_size", &self.page_size)
            .field("push_batch", &self.push_batch)
            .field("audit_batch", &self.audit_batch)
            .field("checkpoint", &self.checkpoint.is_some())
            .finish()
    }
}

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SyncReport {
    /// The server answered during this run.
    pub online: bool,
    /// Mutations the server acknowledged (applied, with conflict, duplicate or rejected).
    pub pushed: u32,
    pub applied: u32,
    /// Applied, and a clash was recorded as a review item.
    pub conflicts: u32,
    /// Already applied earlier (an answer that was lost, or a re-push after a server restore).
    pub duplicates: u32,
    /// Refused: kept here and listed for a person.
    pub rejected: u32,
    /// Records received (pull and bootstrap).
    pub pulled: u32,
    /// Records written here.
    pub written: u32,
    /// Records written with pending local changes re-applied on top.
    pub rebased: u32,
    /// Records this computer could not store yet (kept and tried again).
    pub parked: u32,
    pub bootstrap_records: u32,
    /// The server was restored from a backup: everything was sent again and downloaded again.
    pub epoch_changed: bool,
    /// Changes still waiting to be sent after the run.
    pub pending: u32,
    pub review_items_open: u32,
    /// Why the run stopped early, if it did. Progress made before is kept.
    pub problem: Option<SyncProblem>,
}

/// Why a run stopped.
#[derive(Debug)]
pub(crate) enum Stop {
    Transport(TransportError),
    /// The server's epoch is not the one stored (a restore): re-push and download again.
    EpochChanged(Option<Uuid>),
    Local(CoreError),
}

impl From<CoreError> for Stop {
    fn from(e: CoreError) -> Self {
        Stop::Local(e)
    }
}

/// How many times one run starts over after the server's epoch changed.
const MAX_EPOCH_RESTARTS: usize = 3;

/// A run in progress.
pub(crate) struct Run<'a, T: SyncTransport + ?Sized> {
    pub clinic: &'a Clinic,
    pub transport: &'a T,
    pub remote: Remote<'a>,
    pub options: &'a SyncOptions,
    pub report: SyncReport,
    /// The largest clock skew seen in this run.
    pub skew: Option<u64>,
}

/// Syncs once: push, bootstrap if needed, pull. Network and server problems end the run with
/// `report.problem` set (and in the stored status), never with an error; only local failures are errors.
/// Runs never overlap: a second caller waits for the first to finish.
pub fn run_once<T: SyncTransport + ?Sized>(
    clinic: &Clinic,
    transport: &T,
    keys: &dyn CredentialStore,
    options: &SyncOptions,
) -> CoreResult<SyncReport> {
    let _running = clinic.sync_running.lock().map_err(|_| CoreError::internal("sync lock poisoned"))?;
    let stored = clinic.read(state::read)?;
    let credential = match stored.server_url {
        Some(_) => match keys.load_credential() {
            Ok(credential) => credential,
            Err(e) => {
                let problem = SyncProblem::new(SyncProblemCode::Local, e.message.clone());
                clinic.write(|tx| state::mark_failure(tx, &problem, false))?;
                return finish(clinic, SyncReport { problem: Some(problem), ..SyncReport::default() });
            }
        },
        None => None,
    };
    let (Some(url), Some(credential)) = (stored.server_url.as_deref(), credential) else {
        let problem = SyncProblem::not_enrolled();
        if stored.is_enrolled() {
            // Enrolled, but the credential is gone from the keychain (a new user profile, a repaired computer).
            clinic.write(|tx| state::mark_failure(tx, &problem, false))?;
        }
        return finish(clinic, SyncReport { problem: Some(problem), ..SyncReport::default() });
    };
    let server = ServerUrl::parse(url)?;
    clinic.write(|tx| state::mark_attempt(tx, clinic.env.clock.now()))?;
    let mut run = Run {
        clinic,
        transport,
        remote: Remote { server: &server, credential: &credential },
        options,
        report: SyncReport::default(),
        skew: None,
    };
    // Pulled pages write into the same name, look-up and audit indexes as a bulk registration: with the usual
    // cache, each random insert into a large index re-reads and decrypts its pages.
    let outcome = crate::patients::register::with_bulk_cache(clinic, || Ok(run.converge()))?;
    let (mut report, skew) = (run.report, run.skew);
    let now = clinic.env.clock.now();
    match outcome {
        Ok(()) => {
            report.online = true;
            clinic.write(|tx| {
                state::mark_success(tx, now)?;
                hlc::record_skew(tx, skew, now)
            })?;
        }
        Err(Stop::Local(e)) => {
            let problem = SyncProblem::new(SyncProblemCode::Local, e.message.clone());
            let _ = clinic.write(|tx| state::mark_failure(tx, &problem, report.online));
            return Err(e);
        }
        Err(stop) => {
            let problem = match stop {
                Stop::Transport(e) => SyncProblem::from_transport(&e),
                _ => SyncProblem::from_transport(&TransportError::BadAnswer("the epoch kept changing".to_owned())),
            };
            report.online |= problem.reached_server();
            clinic.write(|tx| state::mark_failure(tx, &problem, problem.reached_server()))?;
            report.problem = Some(problem);
        }
    }
    finish(clinic, report)
}

fn finish(clinic: &Clinic, mut report: SyncReport) -> CoreResult<SyncReport> {
    let (pending, open) = clinic.read(|c| Ok((crate::outbox::pending_count(c)?, super::review::open_count(c)?)))?;
    report.pending = u32::try_from(pending).unwrap_or(u32::MAX);
    report.review_items_open = u32::try_from(open).unwrap_or(u32::MAX);
    Ok(report)
}

/// Counts of one applied page.
#[derive(Debug, Default)]
pub(crate) struct PageCounts {
    pub written: u32,
    pub rebased: u32,
    pub parked: u32,
}

impl<T: SyncTransport + ?Sized> Run<'_, T> {
    fn converge(&mut self) -> Result<(), Stop> {
        for _ in 0..MAX_EPOCH_RESTARTS {
            match self.exchange() {
                Err(Stop::EpochChanged(epoch)) => self.adopt_epoch(epoch)?,
                other => return other,
            }
        }
        Err(Stop::EpochChanged(None))
    }

    fn exchange(&mut self) -> Result<(), Stop> {
        self.push_all()?;
        let stored = self.clinic.read(state::read)?;
        if stored.bootstrap != state::BootstrapStage::Done || stored.epoch.is_none() {
            self.bootstrap()?;
        }
        self.pull_all()
    }

    /// The server was restored from a backup (or is another server): queue every applied mutation again and
    /// download everything again, in one transaction.
    fn adopt_epoch(&mut self, epoch: Option<Uuid>) -> Result<(), Stop> {
        self.clinic.write(|tx| {
            queue::requeue_applied(tx)?;
            state::restart_download(tx, epoch)
        })?;
        self.report.epoch_changed = true;
        Ok(())
    }

    pub(crate) fn checkpoint(&self, at: Checkpoint) -> CoreResult<()> {
        match &self.options.checkpoint {
            Some(hook) => hook(at),
            None => Ok(()),
        }
    }

    pub(crate) fn page_size(&self) -> u32 {
        self.options.page_size.clamp(1, MAX_PAGE_SIZE)
    }

    /// Applies a page of records and saves the progress that goes with it, in one transaction; then carries
    /// out what the page means for signed-in sessions.
    pub(crate) fn apply_page(
        &mut self,
        records: &[Change],
        server_hlc: Option<&clinic_protocol::hlc::Hlc>,
        at: Checkpoint,
        retry_parked: bool,
        save_progress: impl FnOnce(&Connection) -> CoreResult<()>,
    ) -> Result<PageCounts, Stop> {
        let clinic = self.clinic;
        let now = clinic.env.clock.now();
        let (counts, effects, skew) = clinic.write(|tx| {
            let mut ctx = ApplyContext::new(tx)?;
            let mut counts = PageCounts::default();
            let mut per_entity = std::collections::BTreeMap::<&str, u32>::new();
            for change in records {
                match apply::apply_change(&mut ctx, change, now)? {
                    Applied::Written { rebased } => {
                        counts.written += 1;
                        counts.rebased += u32::try_from(rebased).unwrap_or(u32::MAX);
                        if let Some(applier) = apply::applier_for(&change.entity) {
                            *per_entity.entry(applier.entity()).or_default() += 1;
                        }
                    }
                    Applied::Skipped => {}
                    Applied::Parked => counts.parked += 1,
                }
            }
            if retry_parked {
                counts.written += u32::try_from(apply::replay_parked(&mut ctx, now)?).unwrap_or(u32::MAX);
            }
            let newest = records.iter().map(|c| &c.hlc).chain(server_hlc).max();
            let skew = match newest {
                Some(stamp) => hlc::observe_remote(tx, stamp, now)?,
                None => None,
            };
            if counts.written + counts.parked > 0 {
                let mut detail: Vec<String> =
                    per_entity.iter().map(|(e, n)| [e, "=", &n.to_string()].concat()).collect();
                detail.push(["rebased=", &counts.rebased.to_string()].concat());
                detail.push(["parked=", &counts.parked.to_string()].concat());
                let detail = detail.join(";");
                clinic.audit_in(tx, &AuditEvent::new(AuditAction::SyncApply, AuditOutcome::Success).detail(&detail))?;
            }
            self.checkpoint(at)?;
            save_progress(tx)?;
            Ok((counts, ctx.effects, skew))
        })?;
        apply_effects(clinic, effects)?;
        self.skew = self.skew.max(skew);
        self.report.online = true;
        self.report.pulled += u32::try_from(records.len()).unwrap_or(u32::MAX);
        self.report.written += counts.written;
        self.report.rebased += counts.rebased;
        self.report.parked += counts.parked;
        Ok(counts)
    }
}

/// Signed-in sessions follow staff changes made elsewhere; the idle lock follows the clinic's setting.
fn apply_effects(clinic: &Clinic, effects: Vec<Effect>) -> CoreResult<()> {
    if effects.is_empty() {
        return Ok(());
    }
    let mut sessions = clinic.sessions.lock().map_err(|_| CoreError::internal("session table poisoned"))?;
    for effect in effects {
        match effect {
            Effect::EndSessions(staff) => {
                sessions.end_all_for(staff);
            }
            Effect::RoleChanged(staff, role) => sessions.set_role_for(staff, role),
            Effect::IdleLockMinutes(minutes) => {
                clinic.idle_lock_minutes.store(minutes, std::sync::atomic::Ordering::Relaxed);
            }
        }
    }
    Ok(())
}
