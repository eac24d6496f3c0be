//! A joining desk for the benchmark: a real encrypted database created for this computer, which joins the clinic
//! (enrollment and the first download) through a metered transport, so the download can be timed and counted,
//! directly or over the latency proxy. Nobody signs in: downloading and pulling need no session.

use std::sync::Arc;

use clinic_core::clock::{Env, ManualClock};
use clinic_core::keys::MemoryKeyStore;
use clinic_core::store::DataDir;
use clinic_core::sync::{self, SyncOptions, SyncReport};
use clinic_core::{Clinic, CoreResult};

use super::metered::Metered;
use crate::TestServer;

#[derive(Debug)]
pub struct BenchDesk {
    pub code: String,
    /// Keeps the temporary folder alive.
    _dir: tempfile::TempDir,
    data: DataDir,
    keys: MemoryKeyStore,
    clock: Arc<ManualClock>,
    clinic: Option<Clinic>,
}

impl BenchDesk {
    /// A new, empty encrypted database (not set up: it will join).
    pub fn create(server: &TestServer, code: &str) -> BenchDesk {
        let dir = tempfile::Builder::new().prefix("clinic-sync-bench-").tempdir().expect("temp dir");
        let data = DataDir::new(dir.path().join("data"));
        let keys = MemoryKeyStore::default();
        let start = jiff::Timestamp::from_millisecond(server.clock_millis()).expect("start time");
        let clock = ManualClock::new(start);
        let (clinic, _recovery) =
            Clinic::create(&data, &keys, Env::with_clock(clock.clone()), code).expect("create the database");
        BenchDesk { code: code.into(), _dir: dir, data, keys, clock, clinic: Some(clinic) }
    }

    pub fn clinic(&self) -> &Clinic {
        self.clinic.as_ref().expect("the clinic is open")
    }

    /// Joins the clinic with a one-time code: enrollment, then the download, through `transport`.
    pub fn join(&self, server: &TestServer, transport: &Metered, options: &SyncOptions) -> CoreResult<SyncReport> {
        let name = ["Bench desk ", &self.code].concat();
        sync::join_clinic(self.clinic(), transport, &self.keys, &server.url, &server.code(), &name, options)
    }

    /// Closes the database as if the process ended, and opens it again with the key from the keychain.
    pub fn reopen(&mut self) {
        drop(self.clinic.take());
        let clinic = Clinic::unlock(&self.data, &self.keys, Env::with_clock(self.clock.clone())).expect("reopen");
        self.clinic = Some(clinic);
    }

    /// One sync run that must end without a problem.
    pub fn sync(&self, transport: &Metered, options: &SyncOptions) -> SyncReport {
        let report = sync::run_once(self.clinic(), transport, &self.keys, options).expect("sync run");
        assert!(report.problem.is_none(), "desk {} sync stopped: {report:?}", self.code);
        report
    }

    /// One number from this desk's database (the benchmark's own fixed query text).
    pub fn count(&self, sql: &str) -> i64 {
        self.clinic()
            .with_connection_for_tests(|c| c.query_row(sql, [], |r| r.get::<_, i64>(0)).expect(sql))
            .expect("connection")
    }
}
