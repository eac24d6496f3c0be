//! `AppError`: every failure a handler can return, turned into an `ApiError` body with the closed code set.
//! Client errors say what is wrong; server faults are logged in full and answered with a generic sentence.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use clinic_protocol::{ApiError, ApiErrorCode};

/// What went wrong while serving a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The client's fault (or a state it must react to): answered as is.
    #[error("{status}: {}", .error.message)]
    Client { status: StatusCode, error: ApiError },
    /// The database cannot be reached or gave no connection in time.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(#[from] tokio_postgres::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

/// A problem with one named part of a request, before it is placed in the whole request (`mutations[3].…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The path inside the part checked, e.g. `args.patient.date_of_birth`.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError { field: field.into(), message: message.into() }
    }

    /// The same problem with `prefix.` in front of its field.
    pub fn within(self, prefix: &str) -> FieldError {
        let field = if self.field.is_empty() {
            prefix.to_owned()
        } else if self.field.starts_with('[') {
            [prefix, &self.field].concat()
        } else {
            [prefix, ".", &self.field].concat()
        };
        FieldError { field, message: self.message }
    }
}

impl AppError {
    fn client(status: StatusCode, code: ApiErrorCode, message: impl Into<String>, field: Option<String>) -> AppError {
        AppError::Client { status, error: ApiError { code, message: message.into(), field } }
    }

    /// 422: a well-formed request whose content is not acceptable.
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> AppError {
        AppError::client(StatusCode::UNPROCESSABLE_ENTITY, ApiErrorCode::Validation, message, Some(field.into()))
    }

    /// 422 when the problem may not be tied to one field.
    pub fn unprocessable(field: Option<String>, message: impl Into<String>) -> AppError {
        AppError::client(StatusCode::UNPROCESSABLE_ENTITY, ApiErrorCode::Validation, message, field)
    }

    /// 400: a request that cannot be read at all (bad JSON, missing header).
    pub fn malformed(field: Option<String>, message: impl Into<String>) -> AppError {
        AppError::client(StatusCode::BAD_REQUEST, ApiErrorCode::Validation, message, field)
    }

    pub fn unauthenticated() -> AppError {
        AppError::client(
            StatusCode::UNAUTHORIZED,
            ApiErrorCode::Unauthenticated,
            "This computer's server credential is missing or not recognised. Enroll it again with a code from an administrator.",
            None,
        )
    }

    pub fn device_revoked() -> AppError {
        AppError::client(
            StatusCode::FORBIDDEN,
            ApiErrorCode::DeviceRevoked,
            "An administrator revoked this computer's access to the clinic server. Ask an administrator for a new enrollment code and enroll this computer again.",
            None,
        )
    }

    pub fn enrollment_code_invalid() -> AppError {
        AppError::client(
            StatusCode::FORBIDDEN,
            ApiErrorCode::EnrollmentCodeInvalid,
            "This enrollment code is not valid: it may be mistyped, already used or expired. Ask an administrator for a new code.",
            None,
        )
    }

    pub fn please_update() -> AppError {
        AppError::client(
            StatusCode::UPGRADE_REQUIRED,
            ApiErrorCode::PleaseUpdate,
            "This version of Clinic Desk is too old to receive changes from the server. Install the latest version; the work saved on this computer is still sent to the server meanwhile.",
            None,
        )
    }

    pub fn epoch_changed() -> AppError {
        AppError::client(
            StatusCode::CONFLICT,
            ApiErrorCode::EpochChanged,
            "The clinic server was restored from a backup. This computer will send again everything it holds and then download the records again.",
            None,
        )
    }

    pub fn payload_too_large() -> AppError {
        AppError::client(
            StatusCode::PAYLOAD_TOO_LARGE,
            ApiErrorCode::PayloadTooLarge,
            "The request is too large for the server. Send fewer changes at a time.",
            None,
        )
    }

    pub fn not_found() -> AppError {
        AppError::client(StatusCode::NOT_FOUND, ApiErrorCode::NotFound, "There is nothing at this address.", None)
    }

    pub fn internal(detail: impl std::fmt::Display) -> AppError {
        AppError::Internal(detail.to_string())
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Client { status, .. } => *status,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Database(e) if e.is_closed() => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Database(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The SQLSTATE of a database error, e.g. `23505` for a unique violation.
    pub fn sql_state(&self) -> Option<&str> {
        match self {
            AppError::Database(e) => e.code().map(|c| c.code()),
            _ => None,
        }
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> AppError {
        AppError::validation(e.field, e.message)
    }
}

impl From<deadpool_postgres::PoolError> for AppError {
    fn from(e: deadpool_postgres::PoolError) -> AppError {
        AppError::Unavailable(e.to_string())
    }
}

impl From<serde_json::Error> for AppError {
    fn from(e: serde_json::Error) -> AppError {
        AppError::Internal(["JSON: ", &e.to_string()].concat())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = match self {
            AppError::Client { error, .. } => {
                tracing::debug!(code = ?error.code, field = ?error.field, message = %error.message, "request refused");
                error
            }
            AppError::Unavailable(ref detail) => {
                tracing::error!(%detail, "database unavailable");
                ApiError {
                    code: ApiErrorCode::Unavailable,
                    message: "The clinic server cannot reach its database just now. Try again in a moment.".into(),
                    field: None,
                }
            }
            AppError::Database(ref e) if status == StatusCode::SERVICE_UNAVAILABLE => {
                tracing::error!(error = %e, "database connection lost");
                ApiError {
                    code: ApiErrorCode::Unavailable,
                    message: "The clinic server cannot reach its database just now. Try again in a moment.".into(),
                    field: None,
                }
            }
            other => {
                match &other {
                    AppError::Database(e) => {
                        tracing::error!(error = %e, db = ?e.as_db_error(), "database error while serving a request");
                    }
                    _ => tracing::error!(error = %other, "internal error while serving a request"),
                }
                ApiError {
                    code: ApiErrorCode::Internal,
                    message: "The clinic server had a problem with this request. It has been logged; try again later."
                        .into(),
                    field: None,
                }
            }
        };
        (status, Json(body)).into_response()
    }
}
