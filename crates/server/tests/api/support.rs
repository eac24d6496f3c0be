//! Test harness: a fresh PostgreSQL database per test (migrated as the owner role), the real server on port 0
//! connected as the application role, and a small HTTP client speaking the protocol like a desk would.

use std::net::TcpListener;
use std::sync::Arc;

use anyhow::{Context, Result};
use chrono::{TimeZone, Utc};
use clinic_protocol::enroll::EnrollResponse;
use clinic_protocol::hlc::Hlc;
use clinic_protocol::pull::PullResponse;
use clinic_protocol::push::{MutationEnvelope, PushRequest, PushResponse};
use clinic_protocol::{HEADER_PROTOCOL_VERSION, HEADER_SCHEMA_VERSION, PROTOCOL_VERSION};
use clinic_server::clock::ManualClock;
use clinic_server::serve::{self, Transport};
use clinic_server::{AppState, admin, db, migrate};
use serde_json::{Value, json};
use tokio::sync::{OnceCell, oneshot};
use tokio_postgres::Client;
use uuid::Uuid;

/// The owner role the tests migrate as: BYPASSRLS like a production owner, not a superuser.
const OWNER_ROLE: &str = "clinic_owner";

static ROLES: OnceCell<()> = OnceCell::const_new();

fn admin_config() -> tokio_postgres::Config {
    let Ok(url) = std::env::var("CLINIC_TEST_PG_ADMIN_URL") else {
        panic!(
            "CLINIC_TEST_PG_ADMIN_URL is not set. The clinic-server tests need a real PostgreSQL: run them under \
             scripts/with-postgres, e.g. `scripts/with-postgres cargo test -p clinic-server`."
        );
    };
    db::parse_config(&url).expect("CLINIC_TEST_PG_ADMIN_URL parses")
}

async fn connect(config: &tokio_postgres::Config) -> Client {
    db::connect(config).await.expect("connects to the test PostgreSQL")
}

/// Creates the cluster-wide roles once per test process.
async fn ensure_roles() {
    ROLES
        .get_or_init(|| async {
            let admin = connect(&admin_config()).await;
            let exists = admin.query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&OWNER_ROLE]).await;
            if exists.expect("role look-up").is_none() {
                let created = admin.batch_execute("CREATE ROLE clinic_owner LOGIN NOSUPERUSER BYPASSRLS").await;
                if let Err(e) = created {
                    assert_eq!(e.code().map(|c| c.code()), Some("42710"), "creating the owner role: {e}");
                }
            }
            migrate::ensure_app_role(&admin).await.expect("creating the application role");
        })
        .await;
}

/// A running server on its own database.
#[derive(Debug)]
pub struct TestServer {
    pub base: String,
    pub http: reqwest::Client,
    /// A connection to the test database as the owner (bypasses RLS): for setting up and checking tables.
    pub owner: Client,
    /// How to connect to the test database as the application role.
    pub app_config: tokio_postgres::Config,
    pub clock: Arc<ManualClock>,
    _stop: oneshot::Sender<()>,
}

/// An enrolled device.
#[derive(Debug, Clone)]
pub struct Device {
    pub id: Uuid,
    pub credential: String,
    pub tenant: Uuid,
    pub clinic: Uuid,
    pub epoch: Uuid,
}

impl TestServer {
    pub async fn start() -> TestServer {
        ensure_roles().await;
        let admin = connect(&admin_config()).await;
        // A database name is an identifier, not a value, so it cannot be a bound parameter; it is made of a
        // UUID's hex digits only.
        let name = ["clinic_test_", &Uuid::now_v7().simple().to_string()].concat();
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
        migrate::check_app_role(&connect(&app_config).await).await.expect("the application role is safe to serve as");

        let clock = ManualClock::new(Utc.with_ymd_and_hms(2025, 3, 1, 9, 0, 0).single().expect("valid date"));
        let pool = db::pool(app_config.clone(), 6).expect("pool");
        let state = AppState::new(pool, clock.clone());
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = ["http://", &listener.local_addr().expect("address").to_string()].concat();
        let (stop, stopped) = oneshot::channel::<()>();
        let shutdown = async move {
            let _ = stopped.await;
        };
        tokio::spawn(serve::run(listener, state, Transport::InsecureHttp, shutdown));
        TestServer { base, http: reqwest::Client::new(), owner, app_config, clock, _stop: stop }
    }

    pub fn url(&self, path: &str) -> String {
        [self.base.as_str(), path].concat()
    }

    /// A tenant with one clinic.
    pub async fn tenant(&mut self, name: &str) -> (Uuid, Uuid) {
        let now = clinic_server::clock::Clock::now(&*self.clock);
        let tenant = admin::create_tenant(&mut self.owner, name, now).await.expect("tenant");
        let clinic = admin::create_clinic(&self.owner, tenant, &[name, " main"].concat(), now).await.expect("clinic");
        (tenant, clinic)
    }

    pub async fn code(&self, clinic: Uuid, hours: i64) -> String {
        let now = clinic_server::clock::Clock::now(&*self.clock);
        admin::create_enrollment_code(&self.owner, clinic, hours, now).await.expect("code").code
    }

    /// Sends an enrollment and returns the raw answer.
    pub async fn enroll_raw(&self, code: &str, device_id: Uuid) -> reqwest::Response {
        self.enroll_body(&json!({ "code": code, "device_name": "Reception 1", "device_id": device_id })).await
    }

    /// Sends an enrollment with this body and returns the raw answer.
    pub async fn enroll_body(&self, body: &Value) -> reqwest::Response {
        self.http
            .post(self.url("/v1/enroll"))
            .header(HEADER_PROTOCOL_VERSION, PROTOCOL_VERSION.to_string())
            .header(HEADER_SCHEMA_VERSION, "3")
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    /// Enrolls a new device with a fresh code of `clinic`.
    pub async fn enroll(&self, clinic: Uuid) -> Device {
        let id = Uuid::now_v7();
        let code = self.code(clinic, 24).await;
        let answer = self.enroll_raw(&code, id).await;
        assert_eq!(answer.status(), 200, "enrollment answered {:?}", answer.text().await);
        let r: EnrollResponse = answer.json().await.expect("enroll response");
        Device { id, credential: r.credential, tenant: r.tenant_id, clinic: r.clinic_id, epoch: r.epoch }
    }

    pub fn authed(&self, builder: reqwest::RequestBuilder, device: &Device) -> reqwest::RequestBuilder {
        builder
            .bearer_auth(&device.credential)
            .header(HEADER_PROTOCOL_VERSION, PROTOCOL_VERSION.to_string())
            .header(HEADER_SCHEMA_VERSION, "3")
    }

    /// Pushes any JSON body and returns the raw answer.
    pub async fn push_raw(&self, device: &Device, body: &Value) -> reqwest::Response {
        self.authed(self.http.post(self.url("/v1/push")), device).json(body).send().await.expect("request sent")
    }

    /// Pushes and expects 200.
    pub async fn push(&self, device: &Device, req: &PushRequest) -> PushResponse {
        let answer = self.push_raw(device, &serde_json::to_value(req).expect("serializes")).await;
        let status = answer.status();
        let text = answer.text().await.expect("body");
        assert_eq!(status, 200, "push answered {text}");
        serde_json::from_str(&text).expect("push response")
    }

    pub async fn pull_raw(&self, device: &Device, epoch: Uuid, after: i64, limit: Option<u32>) -> reqwest::Response {
        let mut query = vec![("epoch", epoch.to_string()), ("after", after.to_string())];
        if let Some(limit) = limit {
            query.push(("limit", limit.to_string()));
        }
        self.authed(self.http.get(self.url("/v1/pull")), device).query(&query).send().await.expect("request sent")
    }

    pub async fn pull(&self, device: &Device, after: i64, limit: Option<u32>) -> PullResponse {
        let answer = self.pull_raw(device, device.epoch, after, limit).await;
        let status = answer.status();
        let text = answer.text().await.expect("body");
        assert_eq!(status, 200, "pull answered {text}");
        serde_json::from_str(&text).expect("pull response")
    }

    /// Pulls every page after `after`; returns the changes and the final cursor seq.
    pub async fn pull_all(&self, device: &Device, mut after: i64) -> (Vec<clinic_protocol::pull::Change>, i64) {
        let mut all = Vec::new();
        loop {
            let page = self.pull(device, after, Some(50)).await;
            after = page.next.seq;
            all.extend(page.changes);
            if !page.has_more {
                return (all, after);
            }
        }
    }

    /// Counts rows of a table as the owner (sees every tenant).
    pub async fn count(&self, table: &'static str) -> i64 {
        // The table name comes from the test's own fixed list of names.
        let sql = ["SELECT count(*) FROM ", table].concat();
        self.owner.query_one(&sql, &[]).await.expect("count").get(0)
    }

    /// Connects as the application role.
    pub async fn app_client(&self) -> Result<Client> {
        db::connect(&self.app_config).await.context("app role connection")
    }
}

/// A desk: an enrolled device with a member of staff to author its changes, numbering its outbox.
#[derive(Debug)]
pub struct Desk {
    pub device: Device,
    pub author: Option<Uuid>,
    next_seq: i64,
    /// The wall time of the next HLC stamp, in ms.
    pub hlc_ms: u64,
}

impl Desk {
    pub fn new(device: Device) -> Desk {
        Desk { device, author: None, next_seq: 1, hlc_ms: 1_740_819_600_000 }
    }

    /// The next mutation of this desk's outbox.
    pub fn mutation(&mut self, name: &str, entity: &str, id: Uuid, args: Value, base: Option<i64>) -> MutationEnvelope {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.hlc_ms += 1;
        MutationEnvelope {
            mutation_id: Uuid::now_v7(),
            device_seq: seq,
            name: name.to_owned(),
            v: 1,
            entity: entity.to_owned(),
            entity_id: id,
            args,
            base_row_version: base,
            hlc: Hlc { wall_ms: self.hlc_ms, counter: 0, node: self.device.id.to_string() },
            authored_by: self.author,
            authored_at: "2025-03-01T09:00:00.000Z".to_owned(),
        }
    }

    /// A `staff.create` of an active administrator; makes it this desk's author when it has none.
    pub fn create_staff(&mut self, username: &str) -> (Uuid, MutationEnvelope) {
        let id = Uuid::now_v7();
        let args = json!({
            "member": {
                "id": id, "username": username, "display_name": username, "role": "administrator",
                "active": true, "must_change_password": false, "created_at": "2025-03-01T09:00:00.000Z"
            },
            "password_hash": "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"
        });
        let m = self.mutation("staff.create", "staff", id, args, None);
        if self.author.is_none() {
            self.author = Some(id);
        }
        (id, m)
    }

    pub fn register(&mut self, id: Uuid, given: &str, family: &str, dob: &str) -> MutationEnvelope {
        let args = json!({ "mrn": "MAIN-D01-000001", "patient": draft(given, family, dob) });
        self.mutation("patient.register", "patient", id, args, None)
    }

    pub fn update(&mut self, id: Uuid, base: i64, patch: Value) -> MutationEnvelope {
        self.mutation("patient.update", "patient", id, json!({ "patch": patch }), Some(base))
    }
}

/// A patient draft as clinic-core serializes it (every field present).
pub fn draft(given: &str, family: &str, dob: &str) -> Value {
    json!({
        "given_name": given, "family_name": family, "other_names": [], "date_of_birth": dob, "sex": "female",
        "phones": [{"kind": "mobile", "number": "+33 6 12 34 56 78"}], "email": null,
        "address": {"line1": "", "line2": "", "city": "Lyon", "region": "", "postal_code": "", "country": ""},
        "identifiers": [], "preferred_language": null, "emergency_contact": null, "insurance": [],
        "allergies": [], "alerts": [], "notes": "", "communication": {"email": false, "sms": true, "reminders": true}
    })
}

pub fn batch(mutations: Vec<MutationEnvelope>) -> PushRequest {
    PushRequest { mutations, audit: Vec::new() }
}

/// A desk in a new tenant, with its first administrator created on the server.
pub async fn first_desk(server: &mut TestServer, tenant_name: &str) -> Desk {
    let (_, clinic) = server.tenant(tenant_name).await;
    let mut desk = Desk::new(server.enroll(clinic).await);
    let (_, m) = desk.create_staff(&[tenant_name, "-admin"].concat().to_lowercase().replace(' ', "-"));
    let answer = server.push(&desk.device, &batch(vec![m])).await;
    assert_eq!(answer.results[0].outcome, clinic_protocol::push::Outcome::Applied);
    desk
}

/// Another desk of the same clinic as `desk`, authoring as the same member of staff.
pub async fn second_desk(server: &TestServer, desk: &Desk) -> Desk {
    let mut other = Desk::new(server.enroll(desk.device.clinic).await);
    other.author = desk.author;
    other
}
