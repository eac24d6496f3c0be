//! A transport around the real `HttpTransport` that times and counts every call (how many records each brought),
//! and can send the calls to another address than the one the desk enrolled with (the latency proxy), so one
//! desk can be measured both directly and over a slow link.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use clinic_core::sync::{HttpTransport, Remote, ServerUrl, SyncTransport, TransportError};
use clinic_protocol::bootstrap::{BootstrapPage, BootstrapQuery};
use clinic_protocol::enroll::{EnrollRequest, EnrollResponse};
use clinic_protocol::pull::{PullQuery, PullResponse};
use clinic_protocol::push::{PushRequest, PushResponse};

/// Which protocol call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    Push,
    Pull,
    Bootstrap,
}

/// One call: when it started, how long the round trip took (request, answer and its decoding), and how many
/// mutations it sent (push) or records it brought (pull, bootstrap).
#[derive(Debug, Clone, Copy)]
pub struct CallRecord {
    pub call: Call,
    pub started: Instant,
    pub took: Duration,
    pub records: usize,
}

/// HTTP that keeps a log of its calls.
#[derive(Debug)]
pub struct Metered {
    inner: HttpTransport,
    redirect: Option<ServerUrl>,
    log: Mutex<Vec<CallRecord>>,
}

impl Metered {
    /// Calls go where the desk enrolled.
    pub fn direct() -> Metered {
        Metered { inner: HttpTransport::new(), redirect: None, log: Mutex::new(Vec::new()) }
    }

    /// Calls go to `url` (e.g. the latency proxy) whatever address the desk enrolled with.
    pub fn to(url: &str) -> Metered {
        let redirect = ServerUrl::parse(url).expect("a valid server address");
        Metered { inner: HttpTransport::new(), redirect: Some(redirect), log: Mutex::new(Vec::new()) }
    }

    /// Direct when `via` is `None`, else through that address.
    pub fn via(via: Option<&str>) -> Metered {
        via.map_or_else(Metered::direct, Metered::to)
    }

    /// The calls logged so far, oldest first; the log starts empty again.
    pub fn take(&self) -> Vec<CallRecord> {
        std::mem::take(&mut *self.log.lock().expect("call log"))
    }

    fn timed<R>(
        &self,
        call: Call,
        send: impl FnOnce() -> Result<R, TransportError>,
        count: impl Fn(&R) -> usize,
    ) -> Result<R, TransportError> {
        let started = Instant::now();
        let answer = send();
        let took = started.elapsed();
        let records = answer.as_ref().map_or(0, &count);
        self.log.lock().expect("call log").push(CallRecord { call, started, took, records });
        answer
    }

    fn remote<'a>(&'a self, remote: &Remote<'a>) -> Remote<'a> {
        match &self.redirect {
            Some(server) => Remote { server, credential: remote.credential },
            None => *remote,
        }
    }
}

impl SyncTransport for Metered {
    fn enroll(&self, server: &ServerUrl, request: &EnrollRequest) -> Result<EnrollResponse, TransportError> {
        self.inner.enroll(self.redirect.as_ref().unwrap_or(server), request)
    }

    fn push(&self, remote: &Remote<'_>, request: &PushRequest) -> Result<PushResponse, TransportError> {
        let remote = self.remote(remote);
        self.timed(Call::Push, || self.inner.push(&remote, request), |_| request.mutations.len())
    }

    fn pull(&self, remote: &Remote<'_>, query: &PullQuery) -> Result<PullResponse, TransportError> {
        let remote = self.remote(remote);
        self.timed(Call::Pull, || self.inner.pull(&remote, query), |r| r.changes.len())
    }

    fn bootstrap(&self, remote: &Remote<'_>, query: &BootstrapQuery) -> Result<BootstrapPage, TransportError> {
        let remote = self.remote(remote);
        self.timed(Call::Bootstrap, || self.inner.bootstrap(&remote, query), |p| p.records.len())
    }
}

/// Calls of one kind in a log.
pub fn of(log: &[CallRecord], call: Call) -> Vec<CallRecord> {
    log.iter().filter(|c| c.call == call).copied().collect()
}
