//! Pages as the server sends them: the protocol's `PullResponse` and `BootstrapPage`, field for field, except that
//! each record's data is passed through as the JSON text PostgreSQL returns instead of being parsed and written
//! again (most of what serving a page used to cost). Clients, and the tests, read them as the protocol types.

use clinic_protocol::hlc::Hlc;
use clinic_protocol::pull::Cursor;
use serde::Serialize;
use serde_json::value::RawValue;
use uuid::Uuid;

/// `clinic_protocol::pull::Change` on the wire.
#[derive(Debug, Serialize)]
pub struct WireChange {
    pub seq: i64,
    pub entity: String,
    pub entity_id: Uuid,
    pub row_version: i64,
    pub data: Box<RawValue>,
    pub updated_at: String,
    pub updated_by: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
    /// The HLC as stored, which is its text form.
    pub hlc: String,
    pub origin_device: Option<Uuid>,
    pub origin_mutation: Option<Uuid>,
}

/// `clinic_protocol::pull::PullResponse` on the wire.
#[derive(Debug, Serialize)]
pub struct WirePullResponse {
    pub changes: Vec<WireChange>,
    pub next: Cursor,
    pub has_more: bool,
    pub server_hlc: Hlc,
}

/// `clinic_protocol::bootstrap::BootstrapPage` on the wire.
#[derive(Debug, Serialize)]
pub struct WireBootstrapPage {
    pub snapshot: Cursor,
    pub records: Vec<WireChange>,
    pub has_more: bool,
}
