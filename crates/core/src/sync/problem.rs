//! Why a sync stopped, as a code the UI switches on and a sentence for the person at the desk.

use clinic_protocol::ApiErrorCode;
use serde::{Deserialize, Serialize};

use super::transport::TransportError;
use crate::{CoreError, ErrorCode};

/// What kept sync from finishing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SyncProblemCode {
    /// The server could not be reached or did not answer in time.
    Offline,
    /// This computer is not enrolled with a clinic server (or its credential is missing from the keychain).
    NotEnrolled,
    /// The server did not accept this computer's credential.
    Unauthenticated,
    /// An administrator revoked this computer.
    DeviceRevoked,
    /// The enrollment code was refused.
    EnrollmentCodeInvalid,
    /// This version is too old to receive changes (its own changes are still sent).
    PleaseUpdate,
    /// The server asked to slow down.
    Throttled,
    /// The server cannot serve now, or failed.
    ServerUnavailable,
    /// The server's certificate was refused.
    Insecure,
    /// The server's answer did not follow the protocol, or it refused a request as a whole.
    BadAnswer,
    /// Something on this computer failed (details in the log).
    Local,
}

impl SyncProblemCode {
    pub const ALL: [SyncProblemCode; 11] = [
        SyncProblemCode::Offline,
        SyncProblemCode::NotEnrolled,
        SyncProblemCode::Unauthenticated,
        SyncProblemCode::DeviceRevoked,
        SyncProblemCode::EnrollmentCodeInvalid,
        SyncProblemCode::PleaseUpdate,
        SyncProblemCode::Throttled,
        SyncProblemCode::ServerUnavailable,
        SyncProblemCode::Insecure,
        SyncProblemCode::BadAnswer,
        SyncProblemCode::Local,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SyncProblemCode::Offline => "offline",
            SyncProblemCode::NotEnrolled => "not_enrolled",
            SyncProblemCode::Unauthenticated => "unauthenticated",
            SyncProblemCode::DeviceRevoked => "device_revoked",
            SyncProblemCode::EnrollmentCodeInvalid => "enrollment_code_invalid",
            SyncProblemCode::PleaseUpdate => "please_update",
            SyncProblemCode::Throttled => "throttled",
            SyncProblemCode::ServerUnavailable => "server_unavailable",
            SyncProblemCode::Insecure => "insecure",
            SyncProblemCode::BadAnswer => "bad_answer",
            SyncProblemCode::Local => "local",
        }
    }

    pub fn parse(text: &str) -> Option<SyncProblemCode> {
        SyncProblemCode::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// A problem with its sentence for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SyncProblem {
    pub code: SyncProblemCode,
    pub message: String,
}

/// The sentence shown when the clinic server cannot be reached.
pub const OFFLINE_MESSAGE: &str = "The clinic server can't be reached. Your work is saved on this computer and will \
                                   sync when the connection returns.";

impl SyncProblem {
    pub fn new(code: SyncProblemCode, message: impl Into<String>) -> Self {
        SyncProblem { code, message: message.into() }
    }

    pub fn offline() -> Self {
        SyncProblem::new(SyncProblemCode::Offline, OFFLINE_MESSAGE)
    }

    pub fn not_enrolled() -> Self {
        SyncProblem::new(
            SyncProblemCode::NotEnrolled,
            "This computer is not connected to a clinic server. An administrator can connect it with an \
             enrollment code from the clinic server.",
        )
    }

    /// What a failed call means for the person.
    pub fn from_transport(error: &TransportError) -> Self {
        use SyncProblemCode as C;
        match error {
            TransportError::Unreachable(_) | TransportError::Timeout => SyncProblem::offline(),
            TransportError::Insecure(_) => SyncProblem::new(
                C::Insecure,
                "The clinic server's identity could not be verified (its certificate was refused), so nothing was \
                 sent. Your work is saved on this computer. Tell your IT support.",
            ),
            TransportError::BadAnswer(_) => SyncProblem::new(
                C::BadAnswer,
                "The clinic server gave an answer this computer could not understand. Nothing was lost; sync will \
                 try again. If it keeps happening, tell your IT support.",
            ),
            TransportError::Api { error, .. } => match error.code {
                ApiErrorCode::Unauthenticated => SyncProblem::new(
                    C::Unauthenticated,
                    "The clinic server did not accept this computer's credential. Your work is saved on this \
                     computer; an administrator needs to enroll it again.",
                ),
                ApiErrorCode::DeviceRevoked => SyncProblem::new(
                    C::DeviceRevoked,
                    "An administrator revoked this computer's access to the clinic server. Your work is saved on \
                     this computer; an administrator can enroll it again with a new enrollment code.",
                ),
                ApiErrorCode::EnrollmentCodeInvalid => SyncProblem::new(
                    C::EnrollmentCodeInvalid,
                    "This enrollment code was not accepted: it may be mistyped, already used or expired. Ask an \
                     administrator of the clinic server for a new code.",
                ),
                ApiErrorCode::PleaseUpdate => SyncProblem::new(
                    C::PleaseUpdate,
                    "This version of Clinic Desk is too old to receive changes from the clinic server. Your own \
                     changes are still sent. Install the latest version to receive everyone else's.",
                ),
                ApiErrorCode::Throttled => SyncProblem::new(
                    C::Throttled,
                    "The clinic server is busy. Sync will try again shortly; your work is saved on this computer.",
                ),
                ApiErrorCode::Unavailable | ApiErrorCode::Internal => SyncProblem::new(
                    C::ServerUnavailable,
                    "The clinic server has a problem and cannot sync now. Your work is saved on this computer and \
                     sync will try again. If it keeps happening, tell your IT support.",
                ),
                ApiErrorCode::Validation
                | ApiErrorCode::PayloadTooLarge
                | ApiErrorCode::NotFound
                | ApiErrorCode::EpochChanged => SyncProblem::new(
                    C::BadAnswer,
                    "The clinic server refused what this computer sent. Nothing was lost; tell your IT support if \
                     it keeps happening.",
                ),
            },
        }
    }

    /// The problem as the error a person's own action ("sync now", "enroll") returns.
    pub fn to_core_error(&self) -> CoreError {
        let code = match self.code {
            SyncProblemCode::EnrollmentCodeInvalid => {
                return CoreError::validation("code", self.message.clone());
            }
            SyncProblemCode::Unauthenticated | SyncProblemCode::DeviceRevoked => ErrorCode::Forbidden,
            SyncProblemCode::Local => ErrorCode::Internal,
            _ => ErrorCode::Unavailable,
        };
        CoreError::new(code, self.message.clone())
    }

    /// Whether the server answered at all (so the computer is online even though sync stopped).
    pub fn reached_server(&self) -> bool {
        !matches!(self.code, SyncProblemCode::Offline | SyncProblemCode::Insecure | SyncProblemCode::NotEnrolled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_their_stored_text() {
        for code in SyncProblemCode::ALL {
            assert_eq!(SyncProblemCode::parse(code.as_str()), Some(code));
        }
    }

    #[test]
    fn offline_is_unavailable_with_the_reassuring_sentence() {
        let err = SyncProblem::from_transport(&TransportError::Timeout).to_core_error();
        assert_eq!(err.code, ErrorCode::Unavailable);
        assert_eq!(err.message, OFFLINE_MESSAGE);
    }
}
