//! The error every command returns across IPC: `{ code, message, field? }`, with a closed set of codes.

use clinic_core::{CoreError, ErrorCode};
use serde::Serialize;

/// What the UI receives when a command fails. It switches on `code`, shows `message`,
/// and puts the message next to `field` when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
}

impl From<CoreError> for IpcError {
    fn from(e: CoreError) -> Self {
        if e.code == ErrorCode::Internal {
            // The cause goes to the log only; it may hold internal detail, never patient values.
            eprintln!("clinic-desk: internal error: {e}");
        }
        IpcError { code: e.code, message: e.message, field: e.field }
    }
}

impl IpcError {
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        CoreError::internal(cause.to_string()).into()
    }
}

pub type IpcResult<T> = Result<T, IpcError>;
