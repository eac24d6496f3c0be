//! The one error type every core operation returns, with a closed set of codes the UI switches on.

use std::fmt;

/// What kind of failure this is. The UI switches on this, never on message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Input is wrong; `field` names the field when there is one.
    Validation,
    /// The thing asked for does not exist (or is not visible to this user).
    NotFound,
    /// The change clashes with the current state (a duplicate, a stale version).
    Conflict,
    /// The signed-in role may not do this.
    Forbidden,
    /// Wrong user name or password, or no valid session.
    Unauthenticated,
    /// The session is locked after being idle; unlock with the password.
    Locked,
    /// Too many failed sign-ins; wait before trying again.
    Throttled,
    /// Something the app needs is not reachable (the keychain, a file).
    Unavailable,
    /// The database key was refused, or the database is damaged.
    KeyRejected,
    /// The database file is damaged and was set aside.
    Corrupt,
    /// A bug or an unexpected failure; details are in the log, not the message.
    Internal,
}

impl ErrorCode {
    /// Every code, for exhaustive tests and generated bindings.
    pub const ALL: [ErrorCode; 11] = [
        ErrorCode::Validation,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::Forbidden,
        ErrorCode::Unauthenticated,
        ErrorCode::Locked,
        ErrorCode::Throttled,
        ErrorCode::Unavailable,
        ErrorCode::KeyRejected,
        ErrorCode::Corrupt,
        ErrorCode::Internal,
    ];
}

/// A failure with a message written for the person at the desk.
///
/// `message` says what went wrong and what to do; `field` names the input field at fault.
/// Internal causes are kept in `source` for the log and never shown.
#[derive(Debug)]
pub struct CoreError {
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

pub type CoreResult<T> = Result<T, CoreError>;

impl CoreError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        CoreError { code, message: message.into(), field: None, source: None }
    }

    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        CoreError { field: Some(field.to_owned()), ..Self::new(ErrorCode::Validation, message) }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unavailable, message)
    }

    /// An unexpected failure: a generic message for the person, the cause kept for the log.
    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        CoreError {
            source: Some(cause.into()),
            ..Self::new(
                ErrorCode::Internal,
                "Something went wrong and nothing was changed. Try again; if it keeps happening, \
                 contact your clinic's IT support.",
            )
        }
    }

    pub fn with_source(mut self, cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        self.source = Some(cause.into());
        self
    }

    /// The internal cause, for logging.
    pub fn cause(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        self.source.as_deref()
    }
}

impl fmt::Display for CoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(cause) = &self.source {
            write!(f, " ({cause})")?;
        }
        Ok(())
    }
}

impl std::error::Error for CoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<rusqlite::Error> for CoreError {
    fn from(e: rusqlite::Error) -> Self {
        CoreError::internal(e)
    }
}

impl From<serde_json::Error> for CoreError {
    fn from(e: serde_json::Error) -> Self {
        CoreError::internal(e)
    }
}
