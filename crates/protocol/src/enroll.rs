//! Device enrollment: a one-time code from an administrator is exchanged for the device's own credential.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `POST /v1/enroll` (no credential needed; the code is the proof).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    /// The one-time enrollment code an administrator created (single use, expires).
    pub code: String,
    /// The name the desk gives this computer, e.g. "Reception 1"; shown in the device list.
    pub device_name: String,
    /// The device's own id (its local `device` row), so its audit chain and series keep their identity.
    pub device_id: Uuid,
    /// The device code this computer numbers its records with (`MAIN-R1-000042`); the server refuses one that
    /// another computer of the clinic already uses. Absent from older clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_code: Option<String>,
}

/// Whether `code` is a well-formed clinic or device code, the parts of record numbers (`MAIN-R1-000042`):
/// 1 to 10 capital letters or digits, a dash may join them. The desk checks codes it is given with this, and the
/// server the device code an enrollment carries.
pub fn is_code(code: &str) -> bool {
    (1..=10).contains(&code.len())
        && code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
        && !code.starts_with('-')
        && !code.ends_with('-')
}

/// The answer to a successful enrollment. The credential is shown once; the client keeps it in the OS keychain.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollResponse {
    pub device_id: Uuid,
    pub tenant_id: Uuid,
    pub clinic_id: Uuid,
    pub clinic_name: String,
    /// The bearer credential for every later request: `Authorization: Bearer <credential>`.
    pub credential: String,
    /// The server's current epoch; see [`crate::pull::Cursor`].
    pub epoch: Uuid,
}

#[cfg(test)]
mod tests {
    use super::is_code;

    #[test]
    fn codes_are_short_capitals_and_digits_joined_by_dashes() {
        for good in ["MAIN", "R1", "D-02", "ABCDEFGHIJ"] {
            assert!(is_code(good), "{good}");
        }
        for bad in ["", "r1", "R 1", "-R1", "R1-", "ABCDEFGHIJK", "É1"] {
            assert!(!is_code(bad), "{bad}");
        }
    }
}
