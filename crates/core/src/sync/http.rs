//! The real transport: HTTPS (rustls with the ring provider, the operating system's trusted certificates) to
//! the clinic server's `/v1` endpoints, with timeouts, the protocol and schema version headers on every
//! request, and no redirects followed (a redirect could carry the credential elsewhere).

use std::time::Duration;

use clinic_protocol::bootstrap::{BootstrapPage, BootstrapQuery};
use clinic_protocol::enroll::{EnrollRequest, EnrollResponse};
use clinic_protocol::pull::{PullQuery, PullResponse};
use clinic_protocol::push::{PushRequest, PushResponse};
use clinic_protocol::{ApiError, ApiErrorCode, HEADER_PROTOCOL_VERSION, HEADER_SCHEMA_VERSION, PROTOCOL_VERSION};
use serde::Serialize;
use serde::de::DeserializeOwned;
use ureq::http::Response;
use ureq::tls::{RootCerts, TlsConfig};
use ureq::{Agent, Body};

use super::server_url::ServerUrl;
use super::transport::{Remote, SyncTransport, TransportError};
use crate::keys::SyncCredential;
use crate::store::LATEST_SCHEMA_VERSION;

/// The largest answer read (a bootstrap page of the largest size with big records fits well within it).
const MAX_ANSWER_BYTES: u64 = 64 * 1024 * 1024;

/// How long to wait for a connection, and for a whole request and its answer.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// HTTP(S) to the clinic server. Cheap to clone; keeps connections alive between calls.
#[derive(Debug, Clone)]
pub struct HttpTransport {
    agent: Agent,
}

impl Default for HttpTransport {
    fn default() -> Self {
        HttpTransport::new()
    }
}

impl HttpTransport {
    pub fn new() -> Self {
        HttpTransport::with_timeouts(CONNECT_TIMEOUT, REQUEST_TIMEOUT)
    }

    pub fn with_timeouts(connect: Duration, request: Duration) -> Self {
        let agent = Agent::config_builder()
            .timeout_connect(Some(connect))
            .timeout_global(Some(request))
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(["ClinicDesk/", env!("CARGO_PKG_VERSION")].concat())
            .tls_config(TlsConfig::builder().root_certs(RootCerts::PlatformVerifier).build())
            .build()
            .new_agent();
        HttpTransport { agent }
    }

    fn post<B: Serialize, R: DeserializeOwned>(
        &self,
        url: &str,
        credential: Option<&SyncCredential>,
        body: &B,
    ) -> Result<R, TransportError> {
        let bytes = serde_json::to_vec(body).map_err(|e| TransportError::BadAnswer(e.to_string()))?;
        let mut request = self
            .agent
            .post(url)
            .header(HEADER_PROTOCOL_VERSION, PROTOCOL_VERSION.to_string())
            .header(HEADER_SCHEMA_VERSION, LATEST_SCHEMA_VERSION.to_string())
            .content_type("application/json");
        if let Some(credential) = credential {
            request = request.header("authorization", ["Bearer ", credential.expose()].concat());
        }
        read_answer(request.send(&bytes[..]).map_err(call_failure)?)
    }

    fn get<R: DeserializeOwned>(
        &self,
        url: &str,
        credential: &SyncCredential,
        query: Vec<(&str, String)>,
    ) -> Result<R, TransportError> {
        let response = self
            .agent
            .get(url)
            .header(HEADER_PROTOCOL_VERSION, PROTOCOL_VERSION.to_string())
            .header(HEADER_SCHEMA_VERSION, LATEST_SCHEMA_VERSION.to_string())
            .header("authorization", ["Bearer ", credential.expose()].concat())
            .header("accept", "application/json")
            .query_pairs(query)
            .call()
            .map_err(call_failure)?;
        read_answer(response)
    }
}

impl SyncTransport for HttpTransport {
    fn enroll(&self, server: &ServerUrl, request: &EnrollRequest) -> Result<EnrollResponse, TransportError> {
        self.post(&server.join("/v1/enroll"), None, request)
    }

    fn push(&self, remote: &Remote<'_>, request: &PushRequest) -> Result<PushResponse, TransportError> {
        self.post(&remote.server.join("/v1/push"), Some(remote.credential), request)
    }

    fn pull(&self, remote: &Remote<'_>, query: &PullQuery) -> Result<PullResponse, TransportError> {
        let mut pairs = vec![("epoch", query.epoch.to_string()), ("after", query.after.to_string())];
        if let Some(limit) = query.limit {
            pairs.push(("limit", limit.to_string()));
        }
        self.get(&remote.server.join("/v1/pull"), remote.credential, pairs)
    }

    fn bootstrap(&self, remote: &Remote<'_>, query: &BootstrapQuery) -> Result<BootstrapPage, TransportError> {
        let mut pairs = Vec::new();
        if let Some(snapshot) = query.snapshot {
            pairs.push(("snapshot", snapshot.to_param()));
        }
        if let Some(entity) = &query.after_entity {
            pairs.push(("after_entity", entity.clone()));
        }
        if let Some(id) = query.after_id {
            pairs.push(("after_id", id.to_string()));
        }
        if let Some(limit) = query.limit {
            pairs.push(("limit", limit.to_string()));
        }
        self.get(&remote.server.join("/v1/bootstrap"), remote.credential, pairs)
    }
}

/// Reads an answer: the protocol type on 2xx, the server's `ApiError` otherwise (one is made up from the status
/// when a proxy answered with something else).
fn read_answer<R: DeserializeOwned>(mut response: Response<Body>) -> Result<R, TransportError> {
    let status = response.status().as_u16();
    let bytes = response.body_mut().with_config().limit(MAX_ANSWER_BYTES).read_to_vec().map_err(call_failure)?;
    if (200..300).contains(&status) {
        return serde_json::from_slice(&bytes).map_err(|e| TransportError::BadAnswer(e.to_string()));
    }
    if let Ok(error) = serde_json::from_slice::<ApiError>(&bytes) {
        return Err(TransportError::Api { status, error });
    }
    let code = match status {
        401 => ApiErrorCode::Unauthenticated,
        404 => ApiErrorCode::NotFound,
        413 => ApiErrorCode::PayloadTooLarge,
        429 => ApiErrorCode::Throttled,
        502..=504 => ApiErrorCode::Unavailable,
        500..=599 => ApiErrorCode::Internal,
        _ => return Err(TransportError::BadAnswer(["HTTP status ", &status.to_string()].concat())),
    };
    Err(TransportError::Api { status, error: ApiError { code, message: String::new(), field: None } })
}

fn call_failure(e: ureq::Error) -> TransportError {
    match e {
        ureq::Error::Timeout(_) => TransportError::Timeout,
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => TransportError::Timeout,
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => TransportError::Insecure(io.to_string()),
        ureq::Error::Io(_) | ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => {
            TransportError::Unreachable(e.to_string())
        }
        ureq::Error::Rustls(_) | ureq::Error::Tls(_) | ureq::Error::Pem(_) => TransportError::Insecure(e.to_string()),
        other => TransportError::BadAnswer(other.to_string()),
    }
}
