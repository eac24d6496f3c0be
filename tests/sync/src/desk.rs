//! One desk (device): a real encrypted clinic database in a temporary folder (a `MemoryKeyStore` for the key and
//! the sync credential, a manual clock), talking to the test server over real HTTP, with its administrator signed
//! in. The first desk of the clinic is set up locally and enrolled; the others join.

use std::collections::BTreeMap;
use std::sync::Arc;

use clinic_core::accounts::{self, SessionId};
use clinic_core::clock::{Env, ManualClock};
use clinic_core::keys::MemoryKeyStore;
use clinic_core::patients::{self, Patient, PatientDraft, RegisterOutcome};
use clinic_core::setup::{self, ClinicSettings, DateFormat, FirstAdministrator};
use clinic_core::store::DataDir;
use clinic_core::sync::{self, HttpTransport, ReviewItemView, SyncOptions, SyncReport, SyncTransport};
use clinic_core::{Clinic, CoreResult};
use uuid::Uuid;

use crate::server::TestServer;

pub const ADMIN_USERNAME: &str = "admin";
pub const ADMIN_PASSWORD: &str = "admin pass phrase 1";

/// The local tables scheduling syncs (migrations/local/0005_scheduling.sql).
pub const SCHEDULING_TABLES: [&str; 9] = [
    "scheduling_policy",
    "appointment_types",
    "clinician_profiles",
    "working_templates",
    "extra_sessions",
    "leave_requests",
    "clinic_closures",
    "appointments",
    "waitlist_entries",
];

/// The clinic's settings as the first desk sets them up.
pub fn settings() -> ClinicSettings {
    ClinicSettings {
        name: "Riverside Clinic".into(),
        code: "MAIN".into(),
        address: "1 River Road".into(),
        time_zone: "Europe/Paris".into(),
        currency: "EUR".into(),
        invoice_prefix: "RIV".into(),
        date_format: DateFormat::DayMonthYear,
        idle_lock_minutes: 15,
    }
}

/// A patient record as every desk must hold it once synced (what may differ per desk, such as when this desk
/// first stored it, is left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientView {
    pub id: Uuid,
    pub mrn: String,
    pub details: PatientDraft,
    pub merged_into: Option<Uuid>,
    pub deleted_at: Option<String>,
    pub deleted_reason: Option<String>,
    pub row_version: i64,
}

impl From<Patient> for PatientView {
    fn from(p: Patient) -> Self {
        PatientView {
            id: p.id,
            mrn: p.mrn,
            details: p.details,
            merged_into: p.merged_into,
            deleted_at: p.deleted_at,
            deleted_reason: p.deleted_reason,
            row_version: p.row_version,
        }
    }
}

/// One mutation of a desk's outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRow {
    pub device_seq: i64,
    pub mutation_id: Uuid,
    pub name: String,
    pub entity_id: Uuid,
    pub args: serde_json::Value,
    /// `pending`, `applied` (acknowledged by the server) or `rejected`.
    pub state: String,
    pub outcome: Option<String>,
    pub base_row_version: Option<i64>,
}

/// A patient draft with a name and a date of birth.
pub fn person(given: &str, family: &str, born: (i16, i8, i8)) -> PatientDraft {
    PatientDraft {
        given_name: given.into(),
        family_name: family.into(),
        date_of_birth: Some(jiff::civil::date(born.0, born.1, born.2)),
        ..PatientDraft::default()
    }
}

/// One device of the clinic.
#[derive(Debug)]
pub struct Desk {
    /// The device code, e.g. `D01` (also in the record numbers it gives).
    pub code: String,
    /// Keeps the temporary folder alive.
    pub dir: tempfile::TempDir,
    pub data: DataDir,
    pub keys: MemoryKeyStore,
    pub clock: Arc<ManualClock>,
    clinic: Option<Clinic>,
    pub admin: SessionId,
    pub url: String,
    pub http: HttpTransport,
}

fn new_folder(server: &TestServer) -> (tempfile::TempDir, DataDir, MemoryKeyStore, Arc<ManualClock>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = DataDir::new(dir.path().join("data"));
    let start = jiff::Timestamp::from_millisecond(server.clock_millis()).expect("start time");
    (dir, data, MemoryKeyStore::default(), ManualClock::new(start))
}

fn login(clinic: &Clinic) -> SessionId {
    accounts::login(clinic, ADMIN_USERNAME, ADMIN_PASSWORD).expect("administrator signs in").session_id
}

impl Desk {
    /// The clinic's first desk: set up here (settings, first administrator), then enrolled by its administrator.
    pub fn first(server: &TestServer, code: &str) -> Desk {
        let (dir, data, keys, clock) = new_folder(server);
        let (clinic, _recovery) =
            Clinic::create(&data, &keys, Env::with_clock(clock.clone()), code).expect("create the database");
        let admin = FirstAdministrator {
            username: ADMIN_USERNAME.into(),
            display_name: "Ada Admin".into(),
            password: ADMIN_PASSWORD.into(),
        };
        setup::initialize(&clinic, &settings(), &admin).expect("first-run setup");
        let session = login(&clinic);
        let http = HttpTransport::new();
        let name = ["Desk ", code].concat();
        sync::enroll(&clinic, session, &http, &keys, &server.url, &server.code(), &name).expect("enroll");
        Desk {
            code: code.into(),
            dir,
            data,
            keys,
            clock,
            clinic: Some(clinic),
            admin: session,
            url: server.url.clone(),
            http,
        }
    }

    /// Another desk of the clinic: a database created for this computer, not set up, joined with a one-time
    /// code (which downloads the clinic's settings, staff and records); the administrator then signs in with the
    /// password set on the first desk.
    pub fn join(server: &TestServer, code: &str) -> Desk {
        let (mut desk, joined) = Desk::join_with(server, code, &SyncOptions::default());
        let report = joined.expect("join the clinic");
        assert!(report.problem.is_none(), "desk {code} joined with a problem: {report:?}");
        desk.sign_in_again();
        desk
    }

    /// Joins with these options and returns what `join_clinic` answered; nobody is signed in yet (sign in with
    /// [`Desk::sign_in_again`] once the clinic is downloaded).
    pub fn join_with(server: &TestServer, code: &str, options: &SyncOptions) -> (Desk, CoreResult<SyncReport>) {
        let (dir, data, keys, clock) = new_folder(server);
        let (clinic, _recovery) =
            Clinic::create(&data, &keys, Env::with_clock(clock.clone()), code).expect("create the database");
        let http = HttpTransport::new();
        let name = ["Desk ", code].concat();
        let joined = sync::join_clinic(&clinic, &http, &keys, &server.url, &server.code(), &name, options);
        let desk = Desk {
            code: code.into(),
            dir,
            data,
            keys,
            clock,
            clinic: Some(clinic),
            admin: SessionId(Uuid::nil()),
            url: server.url.clone(),
            http,
        };
        (desk, joined)
    }

    pub fn clinic(&self) -> &Clinic {
        self.clinic.as_ref().expect("the clinic is open")
    }

    /// Closes the database as if the process ended, and opens it again from its folder with the key from the
    /// keychain; the administrator signs in again.
    pub fn reopen(&mut self) {
        self.reopen_signed_out();
        self.sign_in_again();
    }

    /// Closes and opens the database again; nobody is signed in (a joining desk before its download is done).
    pub fn reopen_signed_out(&mut self) {
        drop(self.clinic.take());
        let clinic = Clinic::unlock(&self.data, &self.keys, Env::with_clock(self.clock.clone())).expect("reopen");
        self.admin = SessionId(Uuid::nil());
        self.clinic = Some(clinic);
    }

    /// Moves this desk's clock (back when negative) and signs the administrator in again, since a session idle
    /// that long is locked.
    pub fn move_clock(&mut self, secs: i64) {
        self.clock.advance_secs(secs);
        self.sign_in_again();
    }

    /// Signs the administrator in again (after a clock jump left the session idle-locked).
    pub fn sign_in_again(&mut self) {
        self.admin = login(self.clinic());
    }

    /// One sync run over plain HTTP with these options.
    pub fn sync_with(&self, options: &SyncOptions) -> CoreResult<SyncReport> {
        sync::run_once(self.clinic(), &self.http, &self.keys, options)
    }

    /// One sync run through another transport.
    pub fn sync_via<T: SyncTransport + ?Sized>(&self, transport: &T, options: &SyncOptions) -> CoreResult<SyncReport> {
        sync::run_once(self.clinic(), transport, &self.keys, options)
    }

    /// One sync run that must complete without a problem.
    pub fn sync(&self) -> SyncReport {
        let report = self.sync_with(&SyncOptions::default()).expect("sync run");
        assert!(report.problem.is_none(), "desk {} sync stopped: {report:?}", self.code);
        report
    }

    pub fn register(&self, draft: &PatientDraft) -> Patient {
        match patients::register(self.clinic(), self.admin, draft, true).expect("register") {
            RegisterOutcome::Registered(p) => p,
            RegisterOutcome::PossibleDuplicates(_) => unreachable!("a confirmed registration is never held back"),
        }
    }

    pub fn patient(&self, id: Uuid) -> Patient {
        patients::get(self.clinic(), self.admin, id).expect("patient")
    }

    /// Edits the patient's current version here.
    pub fn edit(&self, id: Uuid, change: impl FnOnce(&mut PatientDraft)) -> Patient {
        let current = self.patient(id);
        let mut draft = current.details.clone();
        change(&mut draft);
        patients::update(self.clinic(), self.admin, id, current.row_version, &draft).expect("edit")
    }

    pub fn delete(&self, id: Uuid) -> Patient {
        patients::delete(self.clinic(), self.admin, id, "registered by mistake").expect("delete")
    }

    /// Every patient record here (deleted and merged ones too), by id.
    pub fn patients(&self) -> BTreeMap<Uuid, PatientView> {
        let ids: Vec<String> = self
            .clinic()
            .with_connection_for_tests(|c| {
                let mut stmt = c.prepare("SELECT id FROM patients ORDER BY id").expect("prepare");
                stmt.query_map([], |r| r.get(0)).expect("query").collect::<Result<Vec<_>, _>>().expect("ids")
            })
            .expect("connection");
        ids.iter()
            .map(|id| {
                let id = Uuid::parse_str(id).expect("uuid");
                (id, PatientView::from(self.patient(id)))
            })
            .collect()
    }

    /// The ids of the patients here that can still be changed (not deleted, not merged away), by record number.
    pub fn active_ids(&self) -> Vec<Uuid> {
        self.clinic()
            .with_connection_for_tests(|c| {
                let mut stmt = c
                    .prepare("SELECT id FROM patients WHERE deleted_at IS NULL AND merged_into IS NULL ORDER BY mrn")
                    .expect("prepare");
                let ids = stmt.query_map([], |r| r.get::<_, String>(0)).expect("query");
                ids.map(|id| Uuid::parse_str(&id.expect("id")).expect("uuid")).collect()
            })
            .expect("connection")
    }

    /// This desk's outbox, oldest first.
    pub fn outbox(&self) -> Vec<OutboxRow> {
        self.clinic()
            .with_connection_for_tests(|c| {
                let mut stmt = c
                    .prepare(
                        "SELECT device_seq, mutation_id, name, entity_id, args, state, outcome, base_row_version
                         FROM outbox ORDER BY device_seq",
                    )
                    .expect("prepare");
                let rows = stmt
                    .query_map([], |r| {
                        Ok(OutboxRow {
                            device_seq: r.get(0)?,
                            mutation_id: Uuid::parse_str(&r.get::<_, String>(1)?).expect("uuid"),
                            name: r.get(2)?,
                            entity_id: Uuid::parse_str(&r.get::<_, String>(3)?).expect("uuid"),
                            args: serde_json::from_str(&r.get::<_, String>(4)?).expect("args"),
                            state: r.get(5)?,
                            outcome: r.get(6)?,
                            base_row_version: r.get(7)?,
                        })
                    })
                    .expect("query");
                rows.collect::<Result<Vec<_>, _>>().expect("outbox rows")
            })
            .expect("connection")
    }

    /// Mutations still waiting to be sent.
    pub fn pending(&self) -> i64 {
        self.count("SELECT count(*) FROM outbox WHERE state = 'pending'")
    }

    /// One number from this desk's database (a test's own fixed query text).
    pub fn count(&self, sql: &str) -> i64 {
        self.clinic()
            .with_connection_for_tests(|c| c.query_row(sql, [], |r| r.get::<_, i64>(0)).expect(sql))
            .expect("connection")
    }

    pub fn review_items(&self, include_closed: bool) -> Vec<ReviewItemView> {
        sync::list_review_items(self.clinic(), self.admin, include_closed).expect("review items")
    }

    /// Nothing waiting, refused, parked or failing on this desk, and its audit chain accepted by the server.
    pub fn assert_healthy(&self, context: &str) {
        let status = sync::status(self.clinic(), self.admin).expect("sync status");
        assert_eq!(status.pending_count, 0, "{context}: desk {} still has changes to send: {status:?}", self.code);
        assert!(status.rejected.is_empty(), "{context}: desk {} had changes refused: {status:?}", self.code);
        assert_eq!(status.records_waiting, 0, "{context}: desk {} parked records: {status:?}", self.code);
        assert!(status.last_error.is_none(), "{context}: desk {} last sync failed: {status:?}", self.code);
        assert!(status.audit_chain_break.is_none(), "{context}: desk {} audit chain refused: {status:?}", self.code);
    }

    /// This desk's device id (as enrolled on the server).
    pub fn device_id(&self) -> Uuid {
        self.clinic().device().id
    }

    /// Signs a member of staff in here (an account made on any desk of the clinic, once it has arrived).
    pub fn sign_in(&self, username: &str, password: &str) -> SessionId {
        accounts::login(self.clinic(), username, password).expect("staff signs in").session_id
    }

    /// Every row of the scheduling tables, each written out whole (every column, quoted as SQL), by table: what
    /// two desks of one clinic must hold alike once synced.
    pub fn schedule_rows(&self) -> BTreeMap<&'static str, Vec<String>> {
        SCHEDULING_TABLES
            .iter()
            .map(|table| {
                let rows = self
                    .clinic()
                    .with_connection_for_tests(|c| {
                        // The columns come from the schema of a table named in this file, never from input.
                        let columns: String = c
                            .query_row(
                                "SELECT group_concat('quote(' || name || ')', ' || ''|'' || ') FROM pragma_table_info(?1)",
                                [table],
                                |r| r.get(0),
                            )
                            .expect("columns");
                        let sql = ["SELECT ", &columns, " FROM ", table, " ORDER BY 1"].concat();
                        let mut stmt = c.prepare(&sql).expect("prepare");
                        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).expect("query");
                        rows.collect::<Result<Vec<_>, _>>().expect("rows")
                    })
                    .expect("connection");
                (*table, rows)
            })
            .collect()
    }
}
