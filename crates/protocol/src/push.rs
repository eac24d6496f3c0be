//! Push: a device sends its outbox, oldest first; the server applies each mutation exactly once.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::audit::AuditRecord;
use crate::hlc::Hlc;

/// `POST /v1/push`. Mutations are in `device_seq` order; audit records continue the device's chain.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// At most [`crate::MAX_PUSH_BATCH`].
    pub mutations: Vec<MutationEnvelope>,
    /// The device's audit entries the server has not acknowledged yet, in `seq` order.
    #[serde(default)]
    pub audit: Vec<AuditRecord>,
}

/// One change made on a device, as its outbox recorded it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MutationEnvelope {
    pub mutation_id: Uuid,
    /// The device's outbox sequence number: `(device, device_seq)` identifies a mutation for good.
    pub device_seq: i64,
    /// What happened, e.g. `patient.update`.
    pub name: String,
    /// Version of the argument shape of `name`.
    pub v: u32,
    /// The kind of record changed, e.g. `patient`.
    pub entity: String,
    pub entity_id: Uuid,
    pub args: serde_json::Value,
    /// The row version the change was made on; `None` for creations.
    pub base_row_version: Option<i64>,
    pub hlc: Hlc,
    /// The staff member who made the change; must be staff of the device's clinic.
    pub authored_by: Option<Uuid>,
    /// The device's wall-clock time of the change, RFC 3339 UTC. Informative only: order comes from the server.
    pub authored_at: String,
}

/// What became of one mutation.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Applied as sent.
    Applied,
    /// Applied, and a clash with another change was recorded as a review item every desk sees.
    AppliedWithConflict,
    /// Seen before: nothing was done again; `first_outcome` says what happened the first time.
    Duplicate,
    /// Not applied: malformed or not allowed. Kept on the device and shown to a person with `reason`.
    Rejected,
}

/// The server's answer for one mutation.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MutationResult {
    pub mutation_id: Uuid,
    pub device_seq: i64,
    pub outcome: Outcome,
    /// For duplicates: the stored outcome of the first application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_outcome: Option<Outcome>,
    /// For rejections: a sentence for a person saying why and what to do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The entity's row version on the server after this mutation, when it was applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_version: Option<i64>,
    /// Review items raised by this mutation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub review_items: Vec<Uuid>,
}

/// The answer to a push: one result per mutation, in the order sent.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    pub results: Vec<MutationResult>,
    /// The highest audit `seq` of this device the server now holds (0 when none).
    pub audit_acknowledged_seq: i64,
    /// Set when the pushed audit records do not continue the chain the server holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_chain_break: Option<String>,
    /// The server's HLC after the push, so the client's clock moves past what the server has seen.
    pub server_hlc: Hlc,
    /// The server's epoch; a client whose cursor has another epoch must re-push and re-pull.
    pub epoch: Uuid,
}
