//! The real clinic server for one test: a fresh PostgreSQL database (migrated as the owner role), the server on
//! 127.0.0.1 port 0 over plain HTTP as the application role, one tenant with one clinic, and owner-side look-ups
//! of what the server holds. The approach is the one of `crates/server/tests/api/support.rs`.

use std::net::TcpListener;
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use clinic_server::clock::{Clock, ManualClock};
use clinic_server::serve::{self, Transport};
use clinic_server::{AppState, admin, db, migrate};
use tokio::runtime::Runtime;
use tokio::sync::oneshot;
use tokio_postgres::Client;
use uuid::Uuid;

/// The owner role the tests migrate as: BYPASSRLS like a production owner, not a superuser.
const OWNER_ROLE: &str = "clinic_owner";

/// Cluster-wide roles are created once per test process.
static ROLES: OnceLock<()> = OnceLock::new();

fn admin_config() -> tokio_postgres::Config {
    let Ok(url) = std::env::var("CLINIC_TEST_PG_ADMIN_URL") else {
        panic!(
            "CLINIC_TEST_PG_ADMIN_URL is not set. The end-to-end sync tests need a real PostgreSQL: run them under \
             scripts/with-postgres, e.g. `scripts/with-postgres cargo test -p clinic-sync-tests`."
        );
    };
    db::parse_config(&url).expect("CLINIC_TEST_PG_ADMIN_URL parses")
}

async fn connect(config: &tokio_postgres::Config) -> Client {
    db::connect(config).await.expect("connects to the test PostgreSQL")
}

async fn ensure_roles() {
    let admin = connect(&admin_config()).await;
    let exists = admin.query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&OWNER_ROLE]).await;
    if exists.expect("role look-up").is_none() {
        let created = admin.batch_execute("CREATE ROLE clinic_owner LOGIN NOSUPERUSER BYPASSRLS").await;
        if let Err(e) = created {
            assert_eq!(e.code().map(|c| c.code()), Some("42710"), "creating the owner role: {e}");
        }
    }
    migrate::ensure_app_role(&admin).await.expect("creating the application role");
}

/// When the server's clock starts (the devices' clocks start at the same instant).
pub fn start_time() -> DateTime<Utc> {
    "2026-03-02T08:00:00Z".parse().expect("timestamp")
}

/// A patient as the server holds it (read as the owner, so row-level security does not hide it).
#[derive(Debug, Clone, PartialEq)]
pub struct ServerRecord {
    pub id: Uuid,
    pub row_version: i64,
    pub data: serde_json::Value,
    pub deleted: bool,
}

/// A running server on its own database, with one tenant and one clinic. Stopped when dropped.
pub struct TestServer {
    runtime: Runtime,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    owner: Client,
    pub clock: Arc<ManualClock>,
    pub tenant: Uuid,
    pub clinic: Uuid,
    stop: Option<oneshot::Sender<()>>,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer").field("url", &self.url).field("clinic", &self.clinic).finish()
    }
}

impl TestServer {
    pub fn start() -> TestServer {
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime");
        ROLES.get_or_init(|| runtime.block_on(ensure_roles()));
        let (url, owner, clock, tenant, clinic, stop) = runtime.block_on(async {
            let admin = connect(&admin_config()).await;
            // A database name is an identifier, not a value, so it cannot be a bound parameter; it is made of a
            // UUID's hex digits only.
            let name = ["clinic_sync_", &Uuid::now_v7().simple().to_string()].concat();
            admin
                .batch_execute(&["CREATE DATABASE ", &name, " OWNER clinic_owner"].concat())
                .await
                .expect("create database");
            let mut owner_config = admin_config();
            owner_config.user(OWNER_ROLE).dbname(&name);
            let mut owner = connect(&owner_config).await;
            migrate::run(&mut owner).await.expect("migrations apply");
            let mut app_config = admin_config();
            app_config.user(migrate::APP_ROLE).dbname(&name);
            migrate::check_app_role(&connect(&app_config).await).await.expect("the application role is safe");

            let clock = ManualClock::new(start_time());
            let now = clock.now();
            let tenant = admin::create_tenant(&mut owner, "Riverside Health", now).await.expect("tenant");
            let clinic = admin::create_clinic(&owner, tenant, "Riverside main", now).await.expect("clinic");

            let pool = db::pool(app_config, 8).expect("pool");
            let state = AppState::new(pool, clock.clone());
            let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
            let url = ["http://", &listener.local_addr().expect("address").to_string()].concat();
            let (stop, stopped) = oneshot::channel::<()>();
            let shutdown = async move {
                let _ = stopped.await;
            };
            tokio::spawn(serve::run(listener, state, Transport::InsecureHttp, shutdown));
            (url, owner, clock, tenant, clinic, stop)
        });
        TestServer { runtime, url, owner, clock, tenant, clinic, stop: Some(stop) }
    }

    /// Runs a future on the server's runtime (from a test thread, never from inside the runtime).
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }

    /// The server's clock now, in milliseconds since 1970 (desks start their clocks there).
    pub fn clock_millis(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }

    /// A one-time enrollment code for the clinic, valid for a day.
    pub fn code(&self) -> String {
        let now = self.clock.now();
        self.block_on(admin::create_enrollment_code(&self.owner, self.clinic, 24, now)).expect("code").code
    }

    /// What an administrator does after restoring a backup: the server gets a new epoch.
    pub fn new_epoch(&self) -> Uuid {
        let now = self.clock.now();
        self.block_on(admin::new_epoch(&self.owner, now)).expect("new epoch")
    }

    /// Every patient record the server holds, by id.
    pub fn patients(&self) -> std::collections::BTreeMap<Uuid, ServerRecord> {
        self.records("patient")
    }

    /// Every record of one kind the server holds, by id.
    pub fn records(&self, entity: &str) -> std::collections::BTreeMap<Uuid, ServerRecord> {
        let rows = self
            .block_on(self.owner.query(
                "SELECT entity_id, row_version, data, deleted_at IS NOT NULL FROM entities
                 WHERE tenant_id = $1 AND entity = $2",
                &[&self.tenant, &entity],
            ))
            .expect("records");
        rows.iter()
            .map(|r| {
                let id: Uuid = r.get(0);
                (id, ServerRecord { id, row_version: r.get(1), data: r.get(2), deleted: r.get(3) })
            })
            .collect()
    }

    /// How many records of every kind the server holds (what a new desk's download brings).
    pub fn record_count(&self) -> i64 {
        self.block_on(self.owner.query_one("SELECT count(*) FROM entities WHERE tenant_id = $1", &[&self.tenant]))
            .expect("records")
            .get(0)
    }

    /// How many versions of a record the server keeps (one per change it applied).
    pub fn versions(&self, entity: &str, id: Uuid) -> i64 {
        self.block_on(self.owner.query_one(
            "SELECT count(*) FROM entity_versions WHERE tenant_id = $1 AND entity = $2 AND entity_id = $3",
            &[&self.tenant, &entity, &id],
        ))
        .expect("versions")
        .get(0)
    }

    /// How many mutations the server applied (or answered) in all, and the tenant's change sequence.
    pub fn applied_and_seq(&self) -> (i64, i64) {
        let applied: i64 = self
            .block_on(
                self.owner.query_one("SELECT count(*) FROM applied_mutations WHERE tenant_id = $1", &[&self.tenant]),
            )
            .expect("applied")
            .get(0);
        let seq: i64 = self
            .block_on(self.owner.query_one("SELECT seq FROM tenant_sequences WHERE tenant_id = $1", &[&self.tenant]))
            .expect("seq")
            .get(0);
        (applied, seq)
    }

    /// What the server recorded for each of one device's mutations: `device_seq` → (outcome, the record's
    /// row version it produced).
    pub fn applied(&self, device: Uuid) -> std::collections::BTreeMap<i64, (String, Option<i64>)> {
        self.block_on(self.owner.query(
            "SELECT device_seq, outcome, (result->>'row_version')::bigint FROM applied_mutations WHERE device_id = $1",
            &[&device],
        ))
        .expect("applied mutations")
        .iter()
        .map(|r| (r.get(0), (r.get(1), r.get(2))))
        .collect()
    }

    /// Every stored version of every patient: (id, row_version) → the record's data at that version.
    pub fn patient_versions(&self) -> std::collections::BTreeMap<(Uuid, i64), serde_json::Value> {
        self.block_on(self.owner.query(
            "SELECT entity_id, row_version, data FROM entity_versions WHERE tenant_id = $1 AND entity = 'patient'",
            &[&self.tenant],
        ))
        .expect("versions")
        .iter()
        .map(|r| ((r.get(0), r.get(1)), r.get(2)))
        .collect()
    }

    /// The device (the HLC's node) whose mutation made each stored patient version: (id, row_version) → node.
    pub fn patient_version_writers(&self) -> std::collections::BTreeMap<(Uuid, i64), String> {
        self.block_on(self.owner.query(
            "SELECT entity_id, row_version, hlc FROM entity_versions WHERE tenant_id = $1 AND entity = 'patient'",
            &[&self.tenant],
        ))
        .expect("version stamps")
        .iter()
        .map(|r| {
            let stamp: String = r.get(2);
            let node = stamp.parse::<clinic_protocol::hlc::Hlc>().map(|h| h.node).unwrap_or(stamp);
            ((r.get(0), r.get(1)), node)
        })
        .collect()
    }

    /// The outcomes the server recorded for one device's mutations: `(device_seq, outcome)`.
    pub fn outcomes(&self, device: Uuid) -> Vec<(i64, String)> {
        self.block_on(self.owner.query(
            "SELECT device_seq, outcome FROM applied_mutations WHERE device_id = $1 ORDER BY device_seq",
            &[&device],
        ))
        .expect("outcomes")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
