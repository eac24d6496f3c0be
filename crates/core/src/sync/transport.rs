//! The seam between the sync engine and the network: enroll, push, pull and bootstrap, each returning the
//! server's answer or a [`TransportError`] that tells "offline" apart from an error the server answered with.
//! [`super::HttpTransport`] is the real one; tests inject failures at every step through their own.

use clinic_protocol::bootstrap::{BootstrapPage, BootstrapQuery};
use clinic_protocol::enroll::{EnrollRequest, EnrollResponse};
use clinic_protocol::pull::{PullQuery, PullResponse};
use clinic_protocol::push::{PushRequest, PushResponse};
use clinic_protocol::{ApiError, ApiErrorCode};

use super::server_url::ServerUrl;
use crate::keys::SyncCredential;

/// Which server to call and with which credential.
#[derive(Debug, Clone, Copy)]
pub struct Remote<'a> {
    pub server: &'a ServerUrl,
    pub credential: &'a SyncCredential,
}

/// Why a call did not bring back an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum TransportError {
    /// No connection (no network, name not found, refused, reset): this computer is offline.
    Unreachable(String),
    /// The server did not answer in time; treated like being offline.
    Timeout,
    /// TLS failed or the server's certificate was refused. Never treated as "offline": nothing is sent.
    Insecure(String),
    /// The server answered with an error.
    Api { status: u16, error: ApiError },
    /// The answer did not follow the protocol (a proxy's page, a truncated or malformed body).
    BadAnswer(String),
}

impl TransportError {
    /// Whether the server was simply not reached (so the work waits for the connection).
    pub fn is_offline(&self) -> bool {
        matches!(self, TransportError::Unreachable(_) | TransportError::Timeout)
    }

    /// The server's error code, when it answered with one.
    pub fn api_code(&self) -> Option<ApiErrorCode> {
        match self {
            TransportError::Api { error, .. } => Some(error.code),
            _ => None,
        }
    }
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransportError::Unreachable(why) => write!(f, "server unreachable: {why}"),
            TransportError::Timeout => f.write_str("server did not answer in time"),
            TransportError::Insecure(why) => write!(f, "TLS failure: {why}"),
            TransportError::Api { status, error } => write!(f, "server answered {status} {:?}", error.code),
            TransportError::BadAnswer(why) => write!(f, "unexpected answer: {why}"),
        }
    }
}

impl std::error::Error for TransportError {}

/// The four calls of the sync protocol (`clinic_protocol`). Implementations add the protocol and schema
/// version headers and the bearer credential.
pub trait SyncTransport {
    /// `POST /v1/enroll`: no credential yet; the one-time code is the proof.
    fn enroll(&self, server: &ServerUrl, request: &EnrollRequest) -> Result<EnrollResponse, TransportError>;
    /// `POST /v1/push`.
    fn push(&self, remote: &Remote<'_>, request: &PushRequest) -> Result<PushResponse, TransportError>;
    /// `GET /v1/pull`.
    fn pull(&self, remote: &Remote<'_>, query: &PullQuery) -> Result<PullResponse, TransportError>;
    /// `GET /v1/bootstrap`.
    fn bootstrap(&self, remote: &Remote<'_>, query: &BootstrapQuery) -> Result<BootstrapPage, TransportError>;
}

impl<T: SyncTransport + ?Sized> SyncTransport for &T {
    fn enroll(&self, server: &ServerUrl, request: &EnrollRequest) -> Result<EnrollResponse, TransportError> {
        (**self).enroll(server, request)
    }

    fn push(&self, remote: &Remote<'_>, request: &PushRequest) -> Result<PushResponse, TransportError> {
        (**self).push(remote, request)
    }

    fn pull(&self, remote: &Remote<'_>, query: &PullQuery) -> Result<PullResponse, TransportError> {
        (**self).pull(remote, query)
    }

    fn bootstrap(&self, remote: &Remote<'_>, query: &BootstrapQuery) -> Result<BootstrapPage, TransportError> {
        (**self).bootstrap(remote, query)
    }
}
