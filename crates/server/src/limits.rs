//! Admission and time limits around every request: at most so many requests in flight (the rest wait briefly,
//! then are told to come back later with 429 `throttled`), and none runs longer than the request timeout (503
//! `unavailable`; its transaction rolls back when the handler is dropped, so nothing is half-written).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use clinic_protocol::ApiErrorCode;
use tokio::sync::Semaphore;

use crate::{AppError, AppState};

/// Requests in flight per database connection: enough to keep the pool busy while others parse and answer.
pub const REQUESTS_PER_CONNECTION: usize = 4;
/// How long a request may wait for its turn before it is told to come back.
pub const ADMISSION_WAIT: Duration = Duration::from_secs(5);
/// The longest a request may run (a bootstrap page of the largest size takes well under a second).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// What a throttled client is asked to wait, in seconds.
const RETRY_AFTER_SECS: &str = "5";

/// The shared gate: one permit per request in flight.
#[derive(Debug, Clone)]
pub struct Admission {
    permits: Arc<Semaphore>,
    wait: Duration,
    timeout: Duration,
}

impl Admission {
    /// `in_flight` 0 refuses every limited request (an instance being drained).
    pub fn new(in_flight: usize, wait: Duration, timeout: Duration) -> Admission {
        Admission { permits: Arc::new(Semaphore::new(in_flight)), wait, timeout }
    }

    /// The limits for a pool of `connections`.
    pub fn for_pool(connections: usize) -> Admission {
        Admission::new(connections.saturating_mul(REQUESTS_PER_CONNECTION), ADMISSION_WAIT, REQUEST_TIMEOUT)
    }
}

fn throttled() -> Response {
    let mut response = AppError::Client {
        status: StatusCode::TOO_MANY_REQUESTS,
        error: clinic_protocol::ApiError {
            code: ApiErrorCode::Throttled,
            message: "The clinic server is busy. Try again in a few seconds; nothing was changed.".into(),
            field: None,
        },
    }
    .into_response();
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECS));
    response
}

fn timed_out() -> Response {
    tracing::warn!("request timed out");
    AppError::Unavailable("the request took longer than the request timeout".into()).into_response()
}

/// The middleware: waits for a permit (or answers 429), then runs the request under the timeout (or answers 503).
pub async fn admit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let admission = &state.admission;
    let permit = match tokio::time::timeout(admission.wait, admission.permits.clone().acquire_owned()).await {
        Ok(Ok(permit)) => permit,
        Ok(Err(_)) | Err(_) => return throttled(),
    };
    let response = match tokio::time::timeout(admission.timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => timed_out(),
    };
    drop(permit);
    response
}
