//! Helpers for the sync tests: the in-memory fake server, enrolling a test clinic with it, syncing, and
//! reading what the outbox and sync state hold.
#![allow(dead_code)]

pub mod fake_server;
mod server_rules;

use std::sync::Arc;

use clinic_core::CoreResult;
use clinic_core::patients::{self, Patient, PatientDraft, RegisterOutcome};
use clinic_core::sync::{self, Checkpoint, SyncOptions, SyncReport};
use uuid::Uuid;

use crate::common::TestClinic;
#[allow(unused_imports)] // each test binary uses its own part of this
pub use fake_server::{Call, FakeServer, Fault, SERVER_URL};

/// Enrolls the test clinic with the fake server using `code`.
pub fn enroll(t: &TestClinic, server: &FakeServer, code: &str) {
    sync::enroll(&t.clinic, t.admin, server, &t.keys, SERVER_URL, code, "Reception 1").expect("enroll");
}

/// A sync run with the default options.
pub fn sync(t: &TestClinic, server: &FakeServer) -> SyncReport {
    sync::run_once(&t.clinic, server, &t.keys, &SyncOptions::default()).expect("sync run")
}

/// A sync run with small pages.
pub fn sync_paged(t: &TestClinic, server: &FakeServer, page: u32) -> SyncReport {
    let options = SyncOptions { page_size: page, ..SyncOptions::default() };
    sync::run_once(&t.clinic, server, &t.keys, &options).expect("sync run")
}

/// Options whose run stops (as if killed) the `n`-th time (1-based) it reaches `at`.
pub fn stop_at(at: Checkpoint, n: usize, page: u32) -> SyncOptions {
    let seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    SyncOptions {
        page_size: page,
        checkpoint: Some(Arc::new(move |reached| {
            if reached == at && seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 == n {
                return Err(clinic_core::CoreError::internal("killed at a checkpoint"));
            }
            Ok(())
        })),
        ..SyncOptions::default()
    }
}

pub fn draft(given: &str, family: &str) -> PatientDraft {
    PatientDraft {
        given_name: given.into(),
        family_name: family.into(),
        date_of_birth: Some(jiff::civil::date(1984, 6, 1)),
        ..Default::default()
    }
}

pub fn register(t: &TestClinic, given: &str, family: &str) -> Patient {
    match patients::register(&t.clinic, t.admin, &draft(given, family), true).expect("register") {
        RegisterOutcome::Registered(p) => p,
        RegisterOutcome::PossibleDuplicates(_) => unreachable!("confirmed registration"),
    }
}

/// The MRNs a name search finds.
pub fn found(t: &TestClinic, query: &str) -> Vec<String> {
    patients::search(&t.clinic, t.admin, query, 50).expect("search").into_iter().map(|s| s.mrn).collect()
}

/// One number from the database.
pub fn count(t: &TestClinic, sql: &str) -> i64 {
    t.clinic.with_connection_for_tests(|c| c.query_row(sql, [], |r| r.get::<_, i64>(0)).expect(sql)).expect("conn")
}

/// The outbox rows: (device_seq, name, state).
pub fn outbox(t: &TestClinic) -> Vec<(i64, String, String)> {
    t.clinic
        .with_connection_for_tests(|c| {
            c.prepare("SELECT device_seq, name, state FROM outbox ORDER BY device_seq")
                .expect("prepare")
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .expect("query")
                .collect::<Result<Vec<_>, _>>()
                .expect("rows")
        })
        .expect("conn")
}

/// The patient as this computer holds it (no audit of the viewing needed in assertions).
pub fn local_patient(t: &TestClinic, id: Uuid) -> CoreResult<Patient> {
    patients::get(&t.clinic, t.admin, id)
}

/// Patient data as the server sends it.
pub fn patient_data(mrn: &str, given: &str, family: &str) -> serde_json::Value {
    serde_json::json!({
        "mrn": mrn,
        "patient": serde_json::to_value(draft(given, family)).expect("draft"),
        "merged_into": null,
        "delete_reason": null,
    })
}

/// A transport that lets a person work while a pull is in flight: the first pull call runs `during` (on the
/// same clinic, as the UI would, between the run's transactions) and then asks the server. This is how local
/// changes come to be pending while pulled records are applied, so the rebase can be tested.
pub struct DuringPull<'a> {
    pub server: &'a FakeServer,
    pub during: std::sync::Mutex<Option<Box<dyn FnOnce() + 'a>>>,
}

impl<'a> DuringPull<'a> {
    pub fn new(server: &'a FakeServer, during: impl FnOnce() + 'a) -> Self {
        DuringPull { server, during: std::sync::Mutex::new(Some(Box::new(during))) }
    }
}

impl sync::SyncTransport for DuringPull<'_> {
    fn enroll(
        &self,
        server: &sync::ServerUrl,
        request: &clinic_protocol::enroll::EnrollRequest,
    ) -> Result<clinic_protocol::enroll::EnrollResponse, sync::TransportError> {
        self.server.enroll(server, request)
    }

    fn push(
        &self,
        remote: &sync::Remote<'_>,
        request: &clinic_protocol::push::PushRequest,
    ) -> Result<clinic_protocol::push::PushResponse, sync::TransportError> {
        self.server.push(remote, request)
    }

    fn pull(
        &self,
        remote: &sync::Remote<'_>,
        query: &clinic_protocol::pull::PullQuery,
    ) -> Result<clinic_protocol::pull::PullResponse, sync::TransportError> {
        if let Some(during) = self.during.lock().expect("during").take() {
            during();
        }
        self.server.pull(remote, query)
    }

    fn bootstrap(
        &self,
        remote: &sync::Remote<'_>,
        query: &clinic_protocol::bootstrap::BootstrapQuery,
    ) -> Result<clinic_protocol::bootstrap::BootstrapPage, sync::TransportError> {
        self.server.bootstrap(remote, query)
    }
}
