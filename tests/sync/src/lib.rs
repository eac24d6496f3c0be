//! Harness for the end-to-end sync tests: a real clinic server on a fresh PostgreSQL database ([`TestServer`]),
//! real encrypted desks talking to it over HTTP ([`Desk`]), a transport that loses or repeats answers
//! ([`FlakyTransport`]), and the checks every test shares (all desks and the server hold the same patients).
//!
//! The tests need `CLINIC_TEST_PG_ADMIN_URL`: run them under `scripts/with-postgres`.

pub mod bench;
pub mod desk;
pub mod proxy;
pub mod server;
pub mod sim;
pub mod sim_check;
pub mod transport;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use clinic_core::CoreError;
use clinic_core::sync::{Checkpoint, SyncOptions};

pub use desk::{ADMIN_PASSWORD, ADMIN_USERNAME, Desk, PatientView, person};
pub use server::{ServerRecord, TestServer};
pub use transport::{Fault, FaultCounts, FlakyTransport};

/// The error a checkpoint hook stops a run with, standing for the process dying there.
pub const KILLED: &str = "killed at a checkpoint (injected)";

/// Options whose run stops, as if the process died, the `n`-th time (1-based) it reaches `at`.
pub fn stop_at(at: Checkpoint, n: usize, page_size: u32) -> SyncOptions {
    let seen = Arc::new(AtomicUsize::new(0));
    SyncOptions {
        page_size,
        checkpoint: Some(Arc::new(move |reached| {
            if reached == at && seen.fetch_add(1, Ordering::SeqCst) + 1 == n {
                return Err(CoreError::internal(KILLED));
            }
            Ok(())
        })),
        ..SyncOptions::default()
    }
}

/// The run was stopped by its checkpoint hook (and not by anything else).
pub fn assert_killed(result: clinic_core::CoreResult<clinic_core::sync::SyncReport>) {
    match result {
        Err(e) => assert!(e.to_string().contains(KILLED), "the run stopped for another reason: {e:?}"),
        Ok(report) => panic!("the run was not stopped at its checkpoint: {report:?}"),
    }
}

/// Options with small pages.
pub fn paged(page_size: u32) -> SyncOptions {
    SyncOptions { page_size, ..SyncOptions::default() }
}

/// Every desk holds exactly the patients the server holds: same ids, record numbers, versions, fields, merges
/// and deletions. `context` goes in front of every failure message (e.g. the seed).
pub fn assert_converged(server: &TestServer, desks: &[&Desk], context: &str) {
    let on_server = server.patients();
    let Some(first) = desks.first() else { return };
    let reference = first.patients();
    for desk in desks {
        let held = desk.patients();
        assert_eq!(
            held.keys().collect::<Vec<_>>(),
            on_server.keys().collect::<Vec<_>>(),
            "{context}: desk {} holds other patient ids than the server",
            desk.code
        );
        assert_eq!(held, reference, "{context}: desks {} and {} hold different patients", desk.code, first.code);
        for (id, mine) in &held {
            let theirs = &on_server[id];
            let details = serde_json::to_value(&mine.details).expect("draft as JSON");
            let merged_into = theirs.data["merged_into"].as_str().map(|s| s.parse().expect("uuid"));
            assert_eq!(
                (mine.mrn.as_str(), &details, mine.merged_into, mine.deleted_at.is_some(), mine.row_version),
                (
                    theirs.data["mrn"].as_str().unwrap_or_default(),
                    &theirs.data["patient"],
                    merged_into,
                    theirs.deleted,
                    theirs.row_version
                ),
                "{context}: desk {} holds patient {id} otherwise than the server",
                desk.code
            );
        }
    }
    let mut mrns: Vec<&str> = on_server.values().filter_map(|r| r.data["mrn"].as_str()).collect();
    let total = mrns.len();
    mrns.sort_unstable();
    mrns.dedup();
    assert_eq!(mrns.len(), total, "{context}: two patients share a record number on the server");
}

/// A small deterministic random number generator (SplitMix64), so a failing run can be replayed from its seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next_u64() % u64::try_from(n.max(1)).unwrap_or(u64::MAX)).unwrap_or(0)
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}
