//! The measured scenarios, each run directly or through the latency proxy (`via`): seeding the server, a new
//! desk's first download, a download killed half-way and resumed, 1,000 changes pushed by one desk and pulled
//! by another, and empty pulls. Each checks that what it measured really happened (counts), then returns figures.

use std::time::{Duration, Instant};

use clinic_core::patients;
use clinic_core::sync::{Checkpoint, SyncOptions};
use uuid::Uuid;

use super::desk::BenchDesk;
use super::metered::{Call, Metered, of};
use super::synthetic;
use crate::{Desk, KILLED, TestServer, paged, stop_at};

/// How the server was filled.
#[derive(Debug, Clone)]
pub struct SeedFigures {
    pub patients: u64,
    /// `register_many` on the seeding desk.
    pub register: Duration,
    /// The seeding desk's sync run: pushing everything, then pulling it back.
    pub sync_run: Duration,
    /// Of which pushing (until the first request that is not a push).
    pub push_phase: Duration,
    /// Of which waiting for the server's answers to the pushes.
    pub push_waiting: Duration,
    pub push_requests: usize,
}

/// The first desk registers `n` patients in bulk and pushes them through the real protocol; it pulls them back
/// in the same run, as a desk does.
pub fn seed(server: &TestServer, n: u64, batch: u64) -> (Desk, SeedFigures) {
    let desk = Desk::first(server, "D01");
    let started = Instant::now();
    let mut done = 0;
    while done < n {
        let drafts: Vec<_> = (done..(done + batch).min(n)).map(synthetic::patient).collect();
        patients::register_many(desk.clinic(), desk.admin, &drafts).expect("register_many");
        done += drafts.len() as u64;
    }
    let register = started.elapsed();
    let metered = Metered::direct();
    let started = Instant::now();
    let report = desk.sync_via(&metered, &SyncOptions::default()).expect("seeding sync run");
    let sync_run = started.elapsed();
    assert!(report.problem.is_none(), "seeding sync stopped: {report:?}");
    // The first desk also pushes the clinic's settings and its first administrator.
    assert!(u64::from(report.applied) >= n, "every seeded patient applied on the server: {report:?}");
    let log = metered.take();
    let push_phase = log.iter().find(|c| c.call != Call::Push).map_or(sync_run, |c| c.started - started);
    let pushes = of(&log, Call::Push);
    let push_waiting = pushes.iter().map(|p| p.took).sum();
    let figures =
        SeedFigures { patients: n, register, sync_run, push_phase, push_waiting, push_requests: pushes.len() };
    (desk, figures)
}

/// A new desk's first download.
#[derive(Debug, Clone)]
pub struct BootstrapFigures {
    pub records: u64,
    pub pages: usize,
    pub page_size: u32,
    /// Joining: enrollment, every page downloaded and applied, the pull after it.
    pub took: Duration,
    /// Of which waiting for pages (request, server, answer, decoding).
    pub fetching: Duration,
}

impl BootstrapFigures {
    pub fn rows_per_second(&self) -> f64 {
        self.records as f64 / self.took.as_secs_f64()
    }
}

/// A new desk joins and downloads everything the server holds.
pub fn bootstrap(server: &TestServer, code: &str, via: Option<&str>, page_size: u32) -> (BenchDesk, BootstrapFigures) {
    let desk = BenchDesk::create(server, code);
    let metered = Metered::via(via);
    let total = server.record_count();
    let started = Instant::now();
    let report = desk.join(server, &metered, &paged(page_size)).expect("join");
    let took = started.elapsed();
    assert!(report.problem.is_none(), "join stopped: {report:?}");
    assert_eq!(i64::from(report.bootstrap_records), total, "every record downloaded once: {report:?}");
    let pages = of(&metered.take(), Call::Bootstrap);
    let fetching = pages.iter().map(|p| p.took).sum();
    let records = u64::try_from(total).unwrap_or(0);
    (desk, BootstrapFigures { records, pages: pages.len(), page_size, took, fetching })
}

/// A download killed half-way and resumed after a restart.
#[derive(Debug, Clone)]
pub struct ResumeFigures {
    pub total: u64,
    pub page_size: u32,
    /// The page during whose transaction the process was killed (1-based); the pages before it were saved.
    pub killed_in_page: usize,
    /// Records fetched before the kill (the killed page included).
    pub rows_before: u64,
    /// Requests and records of the download after the restart.
    pub pages_after: usize,
    pub rows_after: u64,
    /// Records fetched twice over both runs (the killed page's: applied, but rolled back with its progress).
    pub downloaded_again: u64,
}

/// Joins with the run killed after the middle page is applied but before its progress is saved (the same
/// transaction), reopens the database and syncs again, counting what is fetched after the restart.
pub fn resume(server: &TestServer, code: &str, via: Option<&str>, page_size: u32) -> ResumeFigures {
    let total = u64::try_from(server.record_count()).unwrap_or(0);
    let pages = total.div_ceil(u64::from(page_size)).max(1) as usize;
    let killed_in_page = (pages / 2).max(1);
    let mut desk = BenchDesk::create(server, code);
    let metered = Metered::via(via);
    match desk.join(server, &metered, &stop_at(Checkpoint::BootstrapPageApplied, killed_in_page, page_size)) {
        Err(e) => assert!(e.to_string().contains(KILLED), "the download stopped for another reason: {e:?}"),
        Ok(report) => panic!("the download was not stopped at its checkpoint: {report:?}"),
    }
    let rows_before: u64 = of(&metered.take(), Call::Bootstrap).iter().map(|p| p.records as u64).sum();
    desk.reopen();
    let report = desk.sync(&metered, &paged(page_size));
    let after = of(&metered.take(), Call::Bootstrap);
    let rows_after: u64 = after.iter().map(|p| p.records as u64).sum();
    assert_eq!(u64::from(report.bootstrap_records), rows_after, "{report:?}");
    let held = desk.count("SELECT count(*) FROM patients");
    assert!(held > 0, "the desk holds every patient after the resumed download");
    ResumeFigures {
        total,
        page_size,
        killed_in_page,
        rows_before,
        pages_after: after.len(),
        rows_after,
        downloaded_again: (rows_before + rows_after).saturating_sub(total),
    }
}

/// One desk's changes pushed, and another desk pulling them.
#[derive(Debug, Clone)]
pub struct PushPullFigures {
    pub changes: usize,
    /// From the start of the pushing desk's sync run until its first pull request: every batch sent, answered
    /// and its results recorded.
    pub push_phase: Duration,
    pub push_requests: usize,
    /// The pushing desk's whole run (it also pulls its own changes back, with the server's versions).
    pub pusher_run: Duration,
    /// The pulling desk's whole sync run: every page fetched and applied in its transaction.
    pub pull_run: Duration,
    pub pull_pages: usize,
    /// Of which waiting for pages.
    pub pull_fetching: Duration,
}

/// `changes` changes on `pusher` (half new registrations, half edits of `edit_ids`), one sync run there, then
/// one sync run on `puller`.
pub fn push_then_pull(
    pusher: &Desk,
    edit_ids: &[Uuid],
    first_new: u64,
    puller: &BenchDesk,
    via: Option<&str>,
    changes: usize,
) -> PushPullFigures {
    // Both desks first catch up (untimed), so the timed runs carry these changes and nothing else.
    pusher.sync_via(&Metered::direct(), &SyncOptions::default()).expect("catch up");
    puller.sync(&Metered::direct(), &SyncOptions::default());
    for i in 0..changes {
        if i % 2 == 0 {
            pusher.register(&synthetic::patient(first_new + i as u64));
        } else {
            let note = format!("follow-up {first_new} #{i}");
            pusher.edit(edit_ids[i / 2 % edit_ids.len()], |d| d.notes = note);
        }
    }
    assert_eq!(pusher.pending(), i64::try_from(changes).unwrap_or(0), "the outbox holds the changes");
    let metered = Metered::via(via);
    let started = Instant::now();
    let report = pusher.sync_via(&metered, &SyncOptions::default()).expect("push run");
    let pusher_run = started.elapsed();
    assert!(report.problem.is_none(), "push run stopped: {report:?}");
    assert_eq!(report.applied as usize, changes, "every change applied: {report:?}");
    let log = metered.take();
    let push_phase = log.iter().find(|c| c.call != Call::Push).map_or(pusher_run, |c| c.started - started);

    let metered = Metered::via(via);
    let started = Instant::now();
    let report = puller.sync(&metered, &SyncOptions::default());
    let pull_run = started.elapsed();
    assert_eq!(report.pulled as usize, changes, "every change arrives once: {report:?}");
    assert_eq!(report.written as usize, changes, "and is written: {report:?}");
    let pages = of(&metered.take(), Call::Pull);
    PushPullFigures {
        changes,
        push_phase,
        push_requests: of(&log, Call::Push).len(),
        pusher_run,
        pull_run,
        pull_pages: pages.len(),
        pull_fetching: pages.iter().map(|p| p.took).sum(),
    }
}

/// Sync runs of a desk that is up to date.
#[derive(Debug, Clone)]
pub struct EmptyPullFigures {
    /// Each pull request's round trip as the desk makes it (`HttpTransport::pull`, answer decoded).
    pub requests: Vec<Duration>,
    /// Each whole sync run (nothing to push, one empty pull, the run's bookkeeping in the database).
    pub runs: Vec<Duration>,
}

pub fn empty_pulls(desk: &BenchDesk, via: Option<&str>, count: usize) -> EmptyPullFigures {
    let metered = Metered::via(via);
    desk.sync(&metered, &SyncOptions::default());
    metered.take();
    let mut runs = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        let report = desk.sync(&metered, &SyncOptions::default());
        runs.push(started.elapsed());
        assert_eq!((report.pushed, report.pulled), (0, 0), "nothing new: {report:?}");
    }
    let requests = of(&metered.take(), Call::Pull).iter().map(|p| p.took).collect();
    EmptyPullFigures { requests, runs }
}
