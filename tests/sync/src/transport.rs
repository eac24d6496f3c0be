//! A transport around the real `HttpTransport` that misbehaves on purpose: an answer lost after the server
//! processed the request, a request sent twice, or no connection at all. Faults are queued and used up one per
//! call (push, pull or bootstrap; enrollment is never disturbed). Push requests are kept, to be replayed.

use std::collections::VecDeque;
use std::sync::Mutex;

use clinic_core::sync::{HttpTransport, Remote, ServerUrl, SyncTransport, TransportError};
use clinic_protocol::bootstrap::{BootstrapPage, BootstrapQuery};
use clinic_protocol::enroll::{EnrollRequest, EnrollResponse};
use clinic_protocol::pull::{PullQuery, PullResponse};
use clinic_protocol::push::{PushRequest, PushResponse};

/// What happens to one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The call goes through normally.
    Pass,
    /// The request never reaches the server.
    Offline,
    /// The server processes the request, then the answer is lost (the connection drops).
    LoseAnswer,
    /// The request is sent twice (a retrying proxy); the second answer is returned.
    Twice,
}

/// How many calls of each kind were made, and how many met each fault.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultCounts {
    pub pushes: u32,
    pub pulls: u32,
    pub bootstraps: u32,
    pub offline: u32,
    pub lost: u32,
    pub twice: u32,
}

/// HTTP with queued faults.
#[derive(Debug, Default)]
pub struct FlakyTransport {
    inner: HttpTransport,
    faults: Mutex<VecDeque<Fault>>,
    counts: Mutex<FaultCounts>,
    /// Every push request sent (for replaying one later).
    pushes: Mutex<Vec<PushRequest>>,
}

impl FlakyTransport {
    pub fn new() -> FlakyTransport {
        FlakyTransport::default()
    }

    /// Queues faults for the next calls, in order; calls after them go through normally.
    pub fn queue(&self, faults: impl IntoIterator<Item = Fault>) {
        self.faults.lock().expect("faults").extend(faults);
    }

    /// Forgets faults not used yet.
    pub fn clear(&self) {
        self.faults.lock().expect("faults").clear();
    }

    pub fn counts(&self) -> FaultCounts {
        *self.counts.lock().expect("counts")
    }

    /// The push requests sent so far (with or without an answer).
    pub fn pushes(&self) -> Vec<PushRequest> {
        self.pushes.lock().expect("pushes").clone()
    }

    fn call<R>(
        &self,
        counter: fn(&mut FaultCounts) -> &mut u32,
        send: impl Fn() -> Result<R, TransportError>,
    ) -> Result<R, TransportError> {
        let fault = self.faults.lock().expect("faults").pop_front().unwrap_or(Fault::Pass);
        let mut counts = self.counts.lock().expect("counts");
        *counter(&mut counts) += 1;
        match fault {
            Fault::Pass => {
                drop(counts);
                send()
            }
            Fault::Offline => {
                counts.offline += 1;
                Err(TransportError::Unreachable("connection refused (injected)".to_owned()))
            }
            Fault::LoseAnswer => {
                counts.lost += 1;
                drop(counts);
                // Whatever the server answered, the desk never hears it.
                let _ = send();
                Err(TransportError::Unreachable("connection reset by peer (injected)".to_owned()))
            }
            Fault::Twice => {
                counts.twice += 1;
                drop(counts);
                let _ = send();
                send()
            }
        }
    }
}

impl SyncTransport for FlakyTransport {
    fn enroll(&self, server: &ServerUrl, request: &EnrollRequest) -> Result<EnrollResponse, TransportError> {
        self.inner.enroll(server, request)
    }

    fn push(&self, remote: &Remote<'_>, request: &PushRequest) -> Result<PushResponse, TransportError> {
        let answer = self.call(|c| &mut c.pushes, || self.inner.push(remote, request));
        self.pushes.lock().expect("pushes").push(request.clone());
        answer
    }

    fn pull(&self, remote: &Remote<'_>, query: &PullQuery) -> Result<PullResponse, TransportError> {
        self.call(|c| &mut c.pulls, || self.inner.pull(remote, query))
    }

    fn bootstrap(&self, remote: &Remote<'_>, query: &BootstrapQuery) -> Result<BootstrapPage, TransportError> {
        self.call(|c| &mut c.bootstraps, || self.inner.bootstrap(remote, query))
    }
}
