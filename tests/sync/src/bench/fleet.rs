//! Many devices syncing at once: each is an enrolled device credential driving the real protocol over the desk's
//! own `HttpTransport` from its own thread — pushing patient registrations and edits shaped as a desk's outbox
//! shapes them (with the hash-chained audit entry a desk sends for each), then pulling until caught up. No local
//! database, and each pulled page is read only for its cursor and how many changes it holds: on two cores, fifty
//! SQLCipher desks (or fifty parsers of every other device's records) would measure the clients, not the server.

use std::sync::Barrier;
use std::time::{Duration, Instant};

use clinic_core::keys::SyncCredential;
use clinic_core::sync::{HttpTransport, Remote, ServerUrl, SyncTransport};
use clinic_protocol::audit::{AuditRecord, GENESIS_HASH, entry_hash};
use clinic_protocol::bootstrap::BootstrapQuery;
use clinic_protocol::enroll::EnrollRequest;
use clinic_protocol::hlc::Hlc;
use clinic_protocol::pull::{Cursor, PullQuery};
use clinic_protocol::push::{MutationEnvelope, Outcome, PushRequest};
use uuid::Uuid;

use super::synthetic;
use crate::TestServer;

/// One enrolled device, caught up to the server's sequence when it was enrolled.
#[derive(Debug)]
pub struct FleetDevice {
    pub id: Uuid,
    credential: SyncCredential,
    cursor: Cursor,
}

/// Enrolls `count` devices (one-time codes, as an administrator hands them out) and asks each for its download
/// snapshot, as a desk does before its first download; pulling starts there.
pub fn enroll(server: &TestServer, count: usize) -> Vec<FleetDevice> {
    let http = HttpTransport::new();
    let url = ServerUrl::parse(&server.url).expect("server address");
    (0..count)
        .map(|i| {
            let id = Uuid::now_v7();
            let request = EnrollRequest {
                code: server.code(),
                device_name: format!("Bench device {i}"),
                device_id: id,
                device_code: None,
            };
            let answer = http.enroll(&url, &request).expect("enroll a benchmark device");
            let credential = SyncCredential::new(answer.credential);
            let remote = Remote { server: &url, credential: &credential };
            let query = BootstrapQuery { snapshot: None, after_entity: None, after_id: None, limit: Some(1) };
            let cursor = http.bootstrap(&remote, &query).expect("download snapshot").snapshot;
            FleetDevice { id, credential, cursor }
        })
        .collect()
}

/// What the devices do.
#[derive(Debug, Clone)]
pub struct FleetPlan {
    /// Where the devices send their requests (the server, or the latency proxy in front of it).
    pub url: String,
    /// Changes each device pushes in all.
    pub changes: usize,
    /// Changes per push (a desk pushes what was queued since its last sync).
    pub batch: usize,
    /// The staff member the changes are authored by.
    pub author: Uuid,
    /// The devices' clock (the server's test clock), in milliseconds since 1970.
    pub now_ms: u64,
    /// Which fleet this is in the benchmark: part of its record numbers, which are unique per computer in a clinic
    /// (a desk's device code is in each), so two fleets' registrations never share one.
    pub series: usize,
}

/// What the run measured.
#[derive(Debug, Clone, Default)]
pub struct FleetFigures {
    pub devices: usize,
    /// Mutations the server answered `applied` (or applied with a conflict).
    pub applied: usize,
    pub conflicts: usize,
    /// From the start until the last push was answered.
    pub push_wall: Duration,
    /// From the start until every device had pulled after its last push.
    pub wall: Duration,
    pub push_latencies: Vec<Duration>,
    pub pull_latencies: Vec<Duration>,
    pub pulled: usize,
}

/// One device's share of the run.
struct DeviceRun {
    started: Instant,
    last_push: Instant,
    finished: Instant,
    applied: usize,
    conflicts: usize,
    push_latencies: Vec<Duration>,
    pull_latencies: Vec<Duration>,
    pulled: usize,
}

/// Every device pushes its changes in batches, pulling after each push, all starting at the same moment.
pub fn run(devices: Vec<FleetDevice>, plan: &FleetPlan) -> FleetFigures {
    let count = devices.len();
    let barrier = Barrier::new(count);
    let runs: Vec<DeviceRun> = std::thread::scope(|s| {
        let handles: Vec<_> = devices
            .into_iter()
            .enumerate()
            .map(|(k, device)| {
                let barrier = &barrier;
                s.spawn(move || drive(k, device, plan, barrier))
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a benchmark device failed")).collect()
    });
    let Some(started) = runs.iter().map(|r| r.started).min() else { return FleetFigures::default() };
    let last_push = runs.iter().map(|r| r.last_push).max().unwrap_or(started);
    let finished = runs.iter().map(|r| r.finished).max().unwrap_or(started);
    FleetFigures {
        devices: count,
        applied: runs.iter().map(|r| r.applied).sum(),
        conflicts: runs.iter().map(|r| r.conflicts).sum(),
        push_wall: last_push - started,
        wall: finished - started,
        push_latencies: runs.iter().flat_map(|r| r.push_latencies.iter().copied()).collect(),
        pull_latencies: runs.iter().flat_map(|r| r.pull_latencies.iter().copied()).collect(),
        pulled: runs.iter().map(|r| r.pulled).sum(),
    }
}

fn drive(k: usize, device: FleetDevice, plan: &FleetPlan, barrier: &Barrier) -> DeviceRun {
    let http = HttpTransport::new();
    let agent = ureq::Agent::new_with_defaults();
    let url = ServerUrl::parse(&plan.url).expect("server address");
    let remote = Remote { server: &url, credential: &device.credential };
    let batches = outbox(k, &device, plan);
    let mut cursor = device.cursor;
    let mut run = DeviceRun {
        started: Instant::now(),
        last_push: Instant::now(),
        finished: Instant::now(),
        applied: 0,
        conflicts: 0,
        push_latencies: Vec::new(),
        pull_latencies: Vec::new(),
        pulled: 0,
    };
    barrier.wait();
    run.started = Instant::now();
    for request in &batches {
        let sent = Instant::now();
        let answer = http.push(&remote, request).expect("push");
        run.push_latencies.push(sent.elapsed());
        run.last_push = Instant::now();
        for result in &answer.results {
            match result.outcome {
                Outcome::Applied => run.applied += 1,
                Outcome::AppliedWithConflict => {
                    run.applied += 1;
                    run.conflicts += 1;
                }
                other => panic!("device {k}: mutation {} answered {other:?}: {:?}", result.device_seq, result.reason),
            }
        }
        loop {
            let sent = Instant::now();
            let query = PullQuery { epoch: cursor.epoch, after: cursor.seq, limit: None };
            let page = pull_outline(&agent, &plan.url, &device.credential, &query);
            run.pull_latencies.push(sent.elapsed());
            run.pulled += page.changes.len();
            cursor = page.next;
            if !page.has_more {
                break;
            }
        }
    }
    run.finished = Instant::now();
    run
}

/// A pulled page as the fleet reads it: the cursor, whether more follow, and how many changes (not what they hold).
#[derive(Debug, serde::Deserialize)]
struct PageOutline {
    changes: Vec<serde::de::IgnoredAny>,
    next: Cursor,
    has_more: bool,
}

/// `GET /v1/pull` as the desk's transport sends it, read as a [`PageOutline`].
fn pull_outline(agent: &ureq::Agent, url: &str, credential: &SyncCredential, query: &PullQuery) -> PageOutline {
    let mut answer = agent
        .get([url.trim_end_matches('/'), "/v1/pull"].concat())
        .header(clinic_protocol::HEADER_PROTOCOL_VERSION, clinic_protocol::PROTOCOL_VERSION.to_string())
        .header(clinic_protocol::HEADER_SCHEMA_VERSION, clinic_core::store::LATEST_SCHEMA_VERSION.to_string())
        .header("authorization", ["Bearer ", credential.expose()].concat())
        .query("epoch", query.epoch.to_string())
        .query("after", query.after.to_string())
        .call()
        .expect("pull");
    let bytes = answer.body_mut().read_to_vec().expect("a page of changes");
    serde_json::from_slice(&bytes).expect("a page of changes")
}

/// The device's outbox, cut into push requests: mostly registrations, and every third change an edit of a
/// patient it registered earlier (made on the version the server gave it), each with its audit entry.
fn outbox(k: usize, device: &FleetDevice, plan: &FleetPlan) -> Vec<PushRequest> {
    let node = device.id.to_string();
    let at = jiff::Timestamp::from_millisecond(i64::try_from(plan.now_ms).unwrap_or(0)).expect("time").to_string();
    let mut hlc = Hlc::zero(&node);
    let mut prev_hash = GENESIS_HASH.to_owned();
    let mut registered: Vec<Uuid> = Vec::new();
    let mut edited = 0;
    let mut requests = Vec::new();
    let mut request = PushRequest { mutations: Vec::new(), audit: Vec::new() };
    for j in 0..plan.changes {
        let seq = i64::try_from(j + 1).unwrap_or(i64::MAX);
        hlc = hlc.tick(plan.now_ms);
        let edit = j % 3 == 2 && edited < registered.len();
        let (name, action, id, args, base) = if edit {
            let id = registered[edited];
            edited += 1;
            let patch = serde_json::json!({ "notes": format!("seen again, visit {j}") });
            ("patient.update", "patient_update", id, serde_json::json!({ "patch": patch }), Some(1))
        } else {
            let id = Uuid::now_v7();
            registered.push(id);
            let draft = synthetic::patient(10_000_000 + (k as u64) * 1_000_000 + j as u64);
            let mrn = format!("MAIN-F{}V{k:02}-{:06}", plan.series, registered.len());
            ("patient.register", "patient_create", id, serde_json::json!({ "mrn": mrn, "patient": draft }), None)
        };
        request.mutations.push(MutationEnvelope {
            mutation_id: Uuid::now_v7(),
            device_seq: seq,
            name: name.into(),
            v: 1,
            entity: "patient".into(),
            entity_id: id,
            args,
            base_row_version: base,
            hlc: hlc.clone(),
            authored_by: Some(plan.author),
            authored_at: at.clone(),
        });
        let mut entry = AuditRecord {
            device_id: device.id,
            seq,
            at: at.clone(),
            user_id: Some(plan.author),
            username: Some(crate::ADMIN_USERNAME.into()),
            action: action.into(),
            entity_type: Some("patient".into()),
            entity_id: Some(id),
            patient_id: Some(id),
            outcome: "success".into(),
            detail: String::new(),
            prev_hash: prev_hash.clone(),
            hash: String::new(),
        };
        entry.hash = entry_hash(&prev_hash, &entry);
        prev_hash = entry.hash.clone();
        request.audit.push(entry);
        if request.mutations.len() == plan.batch.max(1) {
            requests.push(std::mem::replace(&mut request, PushRequest { mutations: Vec::new(), audit: Vec::new() }));
        }
    }
    if !request.mutations.is_empty() {
        requests.push(request);
    }
    requests
}
