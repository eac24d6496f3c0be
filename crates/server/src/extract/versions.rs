//! `ClientVersions`: the `clinic-protocol-version` and `clinic-schema-version` headers every sync request carries.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use clinic_protocol::{HEADER_PROTOCOL_VERSION, HEADER_SCHEMA_VERSION, MIN_PULL_PROTOCOL_VERSION};

use crate::AppError;

/// The versions the client declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientVersions {
    pub protocol: u32,
    pub schema: u32,
}

impl ClientVersions {
    /// Refuses pull and bootstrap to clients older than [`MIN_PULL_PROTOCOL_VERSION`] (pushes stay accepted).
    pub fn require_pull_support(&self) -> Result<(), AppError> {
        if self.protocol < MIN_PULL_PROTOCOL_VERSION {
            return Err(AppError::please_update());
        }
        Ok(())
    }

    /// Reads both headers; `None` for any that is missing or not a number.
    pub fn read(headers: &HeaderMap) -> (Option<u32>, Option<u32>) {
        let number = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<u32>().ok();
        (number(HEADER_PROTOCOL_VERSION), number(HEADER_SCHEMA_VERSION))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientVersions {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<ClientVersions, AppError> {
        let (protocol, schema) = ClientVersions::read(&parts.headers);
        let missing = |header: &str| {
            AppError::malformed(
                Some(header.to_owned()),
                ["Every request must carry the header ", header, " with a whole number."].concat(),
            )
        };
        Ok(ClientVersions {
            protocol: protocol.ok_or_else(|| missing(HEADER_PROTOCOL_VERSION))?,
            schema: schema.ok_or_else(|| missing(HEADER_SCHEMA_VERSION))?,
        })
    }
}
