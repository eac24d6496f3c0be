//! The error body every non-2xx answer carries, with a closed set of codes clients switch on.

use serde::{Deserialize, Serialize};

/// What went wrong, as a client should react to it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiErrorCode {
    /// Missing, malformed or unknown device credential (401).
    Unauthenticated,
    /// The device was revoked by an administrator; it must be enrolled again (403).
    DeviceRevoked,
    /// The enrollment code is unknown, used or expired (403).
    EnrollmentCodeInvalid,
    /// The request is malformed or a value is out of range (400/422); `field` names it when it can.
    Validation,
    /// The body is larger than [`crate::MAX_BODY_BYTES`] (413).
    PayloadTooLarge,
    /// The client's protocol is too old for this operation; the person should update the app (426).
    PleaseUpdate,
    /// The client's cursor belongs to another epoch (the server was restored from a backup): the
    /// client must re-push everything it holds and pull from the start (409).
    EpochChanged,
    /// The thing asked for does not exist for this device's clinic (404).
    NotFound,
    /// Too many requests; retry after a pause (429).
    Throttled,
    /// The server cannot serve now (database down); retry later (503).
    Unavailable,
    /// A fault on the server; details are in its log, not here (500).
    Internal,
}

/// The JSON body of every error answer.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: ApiErrorCode,
    /// A sentence for a person: what is wrong and what to do.
    pub message: String,
    /// The request field at fault, for validation errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}
