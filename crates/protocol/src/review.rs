//! Review items: clashes sync could not settle alone, synced like any record (entity `review_item`) so
//! every desk sees them, and resolved by a person with a `review.resolve` mutation.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The entity name review items travel under in pulls.
pub const REVIEW_ITEM_ENTITY: &str = "review_item";

/// What kind of clash needs a person.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewKind {
    /// Two devices changed a safety field (name, date of birth, sex, identifiers) of one patient differently.
    SafetyFieldConflict,
    /// Two devices changed an ordinary field differently; the later change (by HLC) was kept.
    FieldConflict,
    /// A patient registered on one device looks like one registered on another.
    PossibleDuplicate,
    /// Two bookings of one clinician's time (used by scheduling).
    DoubleBooking,
    /// A change was made to a record another device had deleted or merged away.
    EditOfRemovedRecord,
}

/// One field's competing values in a conflict item.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldClash {
    pub field: String,
    /// The value both sides started from.
    pub base: serde_json::Value,
    /// The value the server held (the earlier change).
    pub theirs: serde_json::Value,
    /// The value of the incoming change.
    pub ours: serde_json::Value,
    /// The value now in the record.
    pub kept: serde_json::Value,
}

/// Whether an item still needs a person.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    Open,
    Resolved,
    Dismissed,
}

/// The `data` of a `review_item` record.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub kind: ReviewKind,
    /// The kind of record concerned, e.g. `patient`.
    pub entity: String,
    /// The records concerned (one for a field clash, two for a possible duplicate or double booking).
    pub entity_ids: Vec<Uuid>,
    #[serde(default)]
    pub fields: Vec<FieldClash>,
    /// The mutations involved.
    #[serde(default)]
    pub mutation_ids: Vec<Uuid>,
    pub status: ReviewStatus,
    /// Set when resolved or dismissed: who and how.
    #[serde(default)]
    pub resolved_by: Option<Uuid>,
    #[serde(default)]
    pub resolution: Option<String>,
}

/// The args of a `review.resolve` mutation (entity `review_item`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveArgs {
    pub status: ReviewStatus,
    /// What was done, e.g. "kept Amina Diallo, born 1990-02-03" or "merged into MAIN-D01-000042".
    pub resolution: String,
}
