//! A test-only, in-memory stand-in for the clinic server, behind the same `SyncTransport` seam as the HTTP
//! client. It keeps the server's contract (exactly-once application per `(device, device_seq)`, a change
//! sequence, whole-record pulls, resumable bootstrap, epochs) with simple rules (last writer wins, no review
//! items of its own), and lets a test inject a fault at any call. Real-server tests live elsewhere.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

use clinic_core::sync::{Remote, ServerUrl, SyncTransport, TransportError};
use clinic_protocol::audit::AuditRecord;
use clinic_protocol::bootstrap::{BootstrapPage, BootstrapQuery};
use clinic_protocol::enroll::{EnrollRequest, EnrollResponse};
use clinic_protocol::hlc::Hlc;
use clinic_protocol::pull::{Change, Cursor, PullQuery, PullResponse};
use clinic_protocol::push::{MutationResult, Outcome, PushRequest, PushResponse};
use clinic_protocol::{ApiError, ApiErrorCode};
use serde_json::Value;
use uuid::Uuid;

pub const SERVER_URL: &str = "https://clinic.test";

/// Which call a fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    Enroll,
    Push,
    Pull,
    Bootstrap,
}

/// What goes wrong with the next matching call.
#[derive(Debug, Clone)]
pub enum Fault {
    /// The request never arrives.
    Unreachable,
    /// The server does the work and commits, but the answer is lost on the way back.
    AnswerLost,
    /// The server answers with this error without doing anything.
    Error(u16, ApiErrorCode, Option<String>),
}

#[derive(Debug, Clone)]
pub struct Record {
    pub row_version: i64,
    pub seq: i64,
    pub data: Value,
    pub deleted_at: Option<String>,
    pub updated_at: String,
    pub updated_by: Option<Uuid>,
    pub hlc: Hlc,
    pub origin: Option<(Uuid, Uuid)>,
}

/// Everything the server holds; cloned to simulate a backup.
#[derive(Debug, Clone)]
pub struct State {
    pub epoch: Uuid,
    pub seq: i64,
    pub codes: HashSet<String>,
    pub devices: HashMap<String, (Uuid, bool)>,
    pub applied: HashMap<(Uuid, i64), (Uuid, Outcome, Option<String>)>,
    pub applications: HashMap<Uuid, u32>,
    pub records: BTreeMap<(String, Uuid), Record>,
    pub audit: HashMap<Uuid, Vec<AuditRecord>>,
    pub hlc: Hlc,
    pub now_ms: u64,
    pub refused_entities: HashSet<Uuid>,
}

#[derive(Debug)]
pub struct FakeServer {
    pub state: Mutex<State>,
    faults: Mutex<Vec<(Call, Fault)>>,
    pub calls: Mutex<Vec<(Call, String)>>,
}

pub(super) fn at(ms: u64) -> String {
    jiff::Timestamp::from_millisecond(i64::try_from(ms).expect("ms")).expect("time").to_string()
}

fn api(status: u16, code: ApiErrorCode, field: Option<String>) -> TransportError {
    TransportError::Api { status, error: ApiError { code, message: format!("fake server: {code:?}"), field } }
}

impl FakeServer {
    pub fn new() -> FakeServer {
        let now_ms = 1_772_438_400_000; // 2026-03-02T08:00:00Z, the tests' start time
        FakeServer {
            state: Mutex::new(State {
                epoch: Uuid::now_v7(),
                seq: 0,
                codes: ["CODE-1", "CODE-2", "CODE-3", "CODE-4"].map(String::from).into(),
                devices: HashMap::new(),
                applied: HashMap::new(),
                applications: HashMap::new(),
                records: BTreeMap::new(),
                audit: HashMap::new(),
                hlc: Hlc::zero("server"),
                now_ms,
                refused_entities: HashSet::new(),
            }),
            faults: Mutex::new(Vec::new()),
            calls: Mutex::new(Vec::new()),
        }
    }

    pub fn url() -> ServerUrl {
        ServerUrl::parse(SERVER_URL).expect("url")
    }

    pub fn fail_next(&self, call: Call, fault: Fault) {
        self.faults.lock().expect("faults").push((call, fault));
    }

    fn take_fault(&self, call: Call) -> Option<Fault> {
        let mut faults = self.faults.lock().expect("faults");
        let i = faults.iter().position(|(c, _)| *c == call)?;
        Some(faults.remove(i).1)
    }

    fn log(&self, call: Call, detail: String) {
        self.calls.lock().expect("calls").push((call, detail));
    }

    pub fn calls_of(&self, call: Call) -> Vec<String> {
        self.calls.lock().expect("calls").iter().filter(|(c, _)| *c == call).map(|(_, d)| d.clone()).collect()
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().expect("state"))
    }

    /// A change made through the server by someone else: a new version of a record.
    pub fn put(&self, entity: &str, id: Uuid, data: Value, deleted_at: Option<String>) -> i64 {
        self.with(|s| s.write(entity, id, data, deleted_at, None, None))
    }

    pub fn record(&self, entity: &str, id: Uuid) -> Option<Record> {
        self.with(|s| s.records.get(&(entity.to_owned(), id)).cloned())
    }

    /// The server is restored from a backup taken earlier: that state, a new epoch.
    pub fn restore(&self, backup: State) {
        self.with(|s| {
            let devices = s.devices.clone();
            let (now_ms, hlc) = (s.now_ms, s.hlc.clone());
            *s = backup;
            s.epoch = Uuid::now_v7();
            s.devices = devices;
            s.now_ms = now_ms;
            s.hlc = hlc;
        });
    }

    fn device(&self, remote: &Remote<'_>) -> Result<Uuid, TransportError> {
        match self.with(|s| s.devices.get(remote.credential.expose()).copied()) {
            None => Err(api(401, ApiErrorCode::Unauthenticated, None)),
            Some((_, true)) => Err(api(403, ApiErrorCode::DeviceRevoked, None)),
            Some((id, false)) => Ok(id),
        }
    }

    /// Runs `work` unless a fault says otherwise.
    fn serve<T>(&self, call: Call, work: impl FnOnce() -> Result<T, TransportError>) -> Result<T, TransportError> {
        match self.take_fault(call) {
            Some(Fault::Unreachable) => Err(TransportError::Unreachable("fake: network down".into())),
            Some(Fault::AnswerLost) => {
                let _ = work();
                Err(TransportError::Unreachable("fake: connection reset".into()))
            }
            Some(Fault::Error(status, code, field)) => Err(api(status, code, field)),
            None => work(),
        }
    }
}

impl State {
    pub(super) fn tick(&mut self) -> Hlc {
        self.now_ms += 1;
        self.hlc = self.hlc.tick(self.now_ms);
        self.hlc.clone()
    }

    pub(super) fn write(
        &mut self,
        entity: &str,
        id: Uuid,
        data: Value,
        deleted_at: Option<String>,
        origin: Option<(Uuid, Uuid)>,
        author: Option<Uuid>,
    ) -> i64 {
        let hlc = self.tick();
        self.seq += 1;
        let key = (entity.to_owned(), id);
        let row_version = self.records.get(&key).map_or(1, |r| r.row_version + 1);
        let record = Record {
            row_version,
            seq: self.seq,
            data,
            deleted_at,
            updated_at: at(self.now_ms),
            updated_by: author,
            hlc,
            origin,
        };
        self.records.insert(key, record);
        self.seq
    }

    fn change(&self, (entity, id): &(String, Uuid), r: &Record) -> Change {
        Change {
            seq: r.seq,
            entity: entity.clone(),
            entity_id: *id,
            row_version: r.row_version,
            data: r.data.clone(),
            updated_at: r.updated_at.clone(),
            updated_by: r.updated_by,
            deleted_at: r.deleted_at.clone(),
            hlc: r.hlc.clone(),
            origin_device: r.origin.map(|o| o.0),
            origin_mutation: r.origin.map(|o| o.1),
        }
    }
}

impl SyncTransport for FakeServer {
    fn enroll(&self, _server: &ServerUrl, request: &EnrollRequest) -> Result<EnrollResponse, TransportError> {
        self.log(Call::Enroll, request.device_name.clone());
        self.serve(Call::Enroll, || {
            self.with(|s| {
                if !s.codes.remove(&request.code) {
                    return Err(api(403, ApiErrorCode::EnrollmentCodeInvalid, None));
                }
                let credential = format!("secret-credential-{}", Uuid::now_v7().simple());
                s.devices.insert(credential.clone(), (request.device_id, false));
                Ok(EnrollResponse {
                    device_id: request.device_id,
                    tenant_id: Uuid::from_u128(1),
                    clinic_id: Uuid::from_u128(2),
                    clinic_name: "Riverside Clinic (server)".into(),
                    credential,
                    epoch: s.epoch,
                })
            })
        })
    }

    fn push(&self, remote: &Remote<'_>, request: &PushRequest) -> Result<PushResponse, TransportError> {
        self.log(Call::Push, format!("{} mutations, {} audit", request.mutations.len(), request.audit.len()));
        self.serve(Call::Push, || {
            let device = self.device(remote)?;
            self.with(|s| {
                let mut results = Vec::new();
                for m in &request.mutations {
                    let result = match s.applied.get(&(device, m.device_seq)).cloned() {
                        Some((_, first, reason)) => MutationResult {
                            mutation_id: m.mutation_id,
                            device_seq: m.device_seq,
                            outcome: Outcome::Duplicate,
                            first_outcome: Some(first),
                            reason,
                            row_version: None,
                            review_items: vec![],
                        },
                        None => {
                            let (outcome, reason) = s.apply(device, m);
                            s.applied.insert((device, m.device_seq), (m.mutation_id, outcome, reason.clone()));
                            let row_version = s.records.get(&(m.entity.clone(), m.entity_id)).map(|r| r.row_version);
                            let device_seq = m.device_seq;
                            MutationResult {
                                mutation_id: m.mutation_id,
                                device_seq,
                                outcome,
                                first_outcome: None,
                                reason,
                                row_version,
                                review_items: vec![],
                            }
                        }
                    };
                    results.push(result);
                }
                let (acked, chain_break) = s.take_audit(device, &request.audit);
                let server_hlc = s.tick();
                Ok(PushResponse {
                    results,
                    audit_acknowledged_seq: acked,
                    audit_chain_break: chain_break,
                    server_hlc,
                    epoch: s.epoch,
                })
            })
        })
    }

    fn pull(&self, remote: &Remote<'_>, query: &PullQuery) -> Result<PullResponse, TransportError> {
        self.log(Call::Pull, format!("after {}", query.after));
        self.serve(Call::Pull, || {
            self.device(remote)?;
            self.with(|s| {
                if query.epoch != s.epoch {
                    return Err(api(409, ApiErrorCode::EpochChanged, None));
                }
                let mut newer: Vec<_> = s.records.iter().filter(|(_, r)| r.seq > query.after).collect();
                newer.sort_by_key(|(_, r)| r.seq);
                let limit = query.limit.unwrap_or(500) as usize;
                let has_more = newer.len() > limit;
                let changes: Vec<Change> = newer.into_iter().take(limit).map(|(k, r)| s.change(k, r)).collect();
                let next = changes.last().map_or(query.after, |c| c.seq);
                Ok(PullResponse {
                    changes,
                    next: Cursor { epoch: s.epoch, seq: next },
                    has_more,
                    server_hlc: s.hlc.clone(),
                })
            })
        })
    }

    fn bootstrap(&self, remote: &Remote<'_>, query: &BootstrapQuery) -> Result<BootstrapPage, TransportError> {
        self.log(Call::Bootstrap, format!("after {:?} {:?}", query.after_entity, query.after_id));
        self.serve(Call::Bootstrap, || {
            self.device(remote)?;
            self.with(|s| {
                let snapshot = query.snapshot.unwrap_or(Cursor { epoch: s.epoch, seq: s.seq });
                if snapshot.epoch != s.epoch {
                    return Err(api(409, ApiErrorCode::EpochChanged, None));
                }
                let after = query.after_entity.clone().zip(query.after_id);
                let mut rest = s.records.iter().filter(|(k, _)| after.as_ref().is_none_or(|a| *k > a));
                let limit = query.limit.unwrap_or(500) as usize;
                let records: Vec<Change> = rest.by_ref().take(limit).map(|(k, r)| s.change(k, r)).collect();
                let has_more = rest.next().is_some();
                Ok(BootstrapPage { snapshot, records, has_more })
            })
        })
    }
}
