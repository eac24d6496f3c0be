//! Audit entries on the wire, and the one definition of an entry's hash that devices and server share.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The `prev_hash` of a device's first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry of a device's hash-chained audit trail.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditRecord {
    pub device_id: Uuid,
    pub seq: i64,
    /// RFC 3339 UTC.
    pub at: String,
    pub user_id: Option<Uuid>,
    pub username: Option<String>,
    pub action: String,
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    pub outcome: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// h_i = SHA-256(h_{i-1} ‖ canonical entry), hex. The canonical form is a JSON array of the fields in a
/// fixed order, so it never depends on column order or map ordering.
pub fn entry_hash(prev_hash: &str, entry: &AuditRecord) -> String {
    let canonical = serde_json::json!([
        entry.device_id.to_string(),
        entry.seq,
        entry.at,
        entry.user_id.map(|u| u.to_string()),
        entry.username,
        entry.action,
        entry.entity_type,
        entry.entity_id.map(|u| u.to_string()),
        entry.patient_id.map(|u| u.to_string()),
        entry.outcome,
        entry.detail,
    ]);
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(canonical.to_string().as_bytes());
    hex::encode(hasher.finalize())
}
